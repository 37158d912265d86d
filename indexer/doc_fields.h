/* doc_fields.h -- the typed field values of the document about to be
 * added: each value as given (stored in the record), parsed by its field's
 * type (the key of a date or number, the folded form of a keyword), with
 * fields never seen before typed by the rule of sift_writer_field. Used
 * for the documents the caller adds and for those a merge re-reads. */
#ifndef SIFT_DOC_FIELDS_H
#define SIFT_DOC_FIELDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <sift/sift.h>

#include "schema.h"

struct doc_field {
    uint32_t field;           /* index in the schema */
    sift_field_type type;
    char *raw;                /* the value as given (NUL-terminated) */
    size_t raw_len;
    uint64_t key;             /* date, number */
    char *folded;             /* keyword */
};

struct field_values {
    struct doc_field *v;
    size_t n, cap;
};

/* The type a field never seen gets from its name, or else its first
 * value (sift.h, sift_writer_field). */
sift_field_type field_infer_type(const char *name, const char *value, size_t len);

/* Add value[0..len) of field `name` (normalized, valid) to fv, adding the
 * field to schema when it is new. SIFT_ERR_INPUT (with the reason) when
 * the value does not parse as the field's type or repeats a single-valued
 * field: fv is unchanged. */
sift_err field_values_add(struct field_values *fv, struct schema *schema, const char *name,
                          const char *value, size_t len, sift_errmsg *err);
void field_values_clear(struct field_values *fv);
void field_values_free(struct field_values *fv);

#endif
