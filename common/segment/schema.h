/* schema.h -- the typed fields of an index beyond id, title and text:
 * their names and types (SEC_FIELDS, layout in schema.c), and where each
 * one's column lies in SEC_COLUMNS (columns.h). Every segment records the
 * whole schema its writer knew, so a segment is read on its own; an index's
 * schema is the union of its segments'. */
#ifndef SIFT_SCHEMA_H
#define SIFT_SCHEMA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <sift/sift.h>

#include "bytes.h"

#define FIELD_NAME_MAX 63
#define SCHEMA_MAX_FIELDS 256

/* The first byte of a term in a field's own term space: keyword values and
 * the words of text fields live in the one dictionary beside the words of
 * title and text, which never start with a control byte. A term is
 * FIELD_TERM_* name FIELD_TERM_SEP value (control bytes, so that the term
 * is still a C string). */
#define FIELD_TERM_KEYWORD '\x01'
#define FIELD_TERM_TEXT '\x02'
#define FIELD_TERM_SEP '\x1f'

static inline bool term_is_field(const char *t, size_t len)
{
    return len && (t[0] == FIELD_TERM_KEYWORD || t[0] == FIELD_TERM_TEXT);
}

struct field_def {
    char name[FIELD_NAME_MAX + 1];    /* lowercase letters, digits, '_' */
    sift_field_type type;
    uint64_t col_off, col_len;        /* its column in SEC_COLUMNS (0, 0: none) */
};

struct schema {
    struct field_def *f;
    uint32_t n;
};

/* Field name `name` normalized into out (lowercase); false when it is not
 * a valid name (a letter, then letters, digits or '_', at most 63) or one
 * of the built-in fields (id, title, text, path). */
bool schema_name_ok(const char *name, char out[FIELD_NAME_MAX + 1]);
const char *schema_type_name(sift_field_type t);
/* The index of field `name`, or -1. */
int schema_find(const struct schema *s, const char *name);
/* Add a field (its name valid and new); false when memory is short or the
 * schema is full. */
bool schema_add(struct schema *s, const char *name, sift_field_type type);
bool schema_copy(struct schema *dst, const struct schema *src);
void schema_free(struct schema *s);

/* SEC_FIELDS for s (with the column offsets set) into out. */
bool schema_encode(const struct schema *s, struct buf *out);
struct segment;
/* Read SEC_FIELDS of a segment (empty when absent). */
sift_err schema_read(const struct segment *seg, struct schema *out, sift_errmsg *err);

#endif
