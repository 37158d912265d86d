/* columns.h -- the column store of typed fields (SEC_COLUMNS, layout in
 * columns.c): per segment and field, the value of every document, random
 * access by document number, memory-mapped and checksummed like every
 * section. Dates and numbers are 64-bit keys (values.h) in blocks of 128
 * documents, each with its smallest and largest key, so that filters and
 * sorts skip blocks that cannot hold what they look for; keywords are
 * ordinals into the segment's sorted values, several per document (or at
 * most one, in a denser layout). */
#ifndef SIFT_COLUMNS_H
#define SIFT_COLUMNS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <sift/sift.h>

#include "bytes.h"
#include "schema.h"
#include "strmap.h"

#define COLUMN_BLOCK 128

/* ------------------------------------------------------------- writing */

struct column_builder {
    sift_field_type type;
    /* date, number: per document a key and whether it has one */
    uint64_t *keys;
    uint8_t *present;              /* a byte per document */
    size_t cap;
    /* keyword: distinct values (folded, and the first form seen) and the
     * (document, value) pairs in document order */
    struct strmap map;
    char **folded, **display;
    uint32_t nvalues, capvalues;
    uint32_t *pairs;               /* doc, value, doc, value ... */
    size_t npairs, cappairs;
};

struct columns_builder {
    struct column_builder *cols;   /* one per field of the schema, by index */
    uint32_t ncols;
};

/* Field `field` (of type `type`) of document doc has the key / the keyword
 * (folded, as typed). A document's keywords are added once each. false
 * when memory is short. */
bool columns_add_key(struct columns_builder *b, uint32_t field, sift_field_type type, uint32_t doc,
                     uint64_t key);
bool columns_add_keyword(struct columns_builder *b, uint32_t field, uint32_t doc, const char *folded,
                         const char *display);
/* SEC_COLUMNS of ndocs documents into out, and each field's column offset
 * and length into schema (fields without values get none). */
bool columns_encode(struct columns_builder *b, uint32_t ndocs, struct schema *schema, struct buf *out);
void columns_builder_free(struct columns_builder *b);

/* ------------------------------------------------------------- reading */

struct segment;

struct num_column {
    const struct segment *seg;
    uint32_t ndocs, nblocks;
    uint64_t gcd;                  /* of the keys' distances (1: none) */
    uint64_t min, max;             /* over the documents that have a value */
    uint64_t table_off;            /* in SEC_COLUMNS */
    uint64_t data_off, data_len;
};

struct col_block {
    uint64_t min, max;             /* of the block's values */
    bool any;                      /* some document of the block has one */
    uint32_t last_doc;
};

/* The column of field f (empty when the segment has none). */
sift_err num_column_open(struct num_column *c, const struct segment *s, const struct field_def *f,
                         sift_errmsg *err);
/* Block b's summary (b < nblocks). */
sift_err num_column_block(const struct num_column *c, uint32_t b, struct col_block *out,
                          sift_errmsg *err);
/* Every key of block b into keys[], and its presence bits into has[2]. */
sift_err num_column_decode(const struct num_column *c, uint32_t b, uint64_t keys[COLUMN_BLOCK],
                           uint64_t has[2], sift_errmsg *err);
/* The documents of block b with a key in [lo, hi], as bits (document
 * b * COLUMN_BLOCK + i is bit i): what a range filter reads of a block it
 * comes back to, at the cost of unpacking it once. */
sift_err num_column_match(const struct num_column *c, uint32_t b, uint64_t lo, uint64_t hi, uint64_t mask[2],
                          sift_errmsg *err);
/* Document doc's key; *present false when it has none. */
sift_err num_column_get(const struct num_column *c, uint32_t doc, uint64_t *key, bool *present,
                        sift_errmsg *err);

struct kw_column {
    const struct segment *seg;
    uint32_t ndocs, nvalues, nords;
    uint8_t ord_width, start_width;
    bool single;                   /* at most one value a document: no starts */
    uint64_t base;                 /* the column's offset in SEC_COLUMNS */
    uint64_t folded_offs, display_offs, folded, display, starts, ords;   /* from base */
    uint32_t folded_len, display_len;
    const uint8_t *starts_p, *ords_p;   /* the streams, mapped and verified */
    size_t starts_len, ords_len;
};

sift_err kw_column_open(struct kw_column *c, const struct segment *s, const struct field_def *f,
                        sift_errmsg *err);
/* Document doc's value ordinals (ascending) into ords, at most cap; *n
 * receives their number (which may exceed cap). */
sift_err kw_column_doc(const struct kw_column *c, uint32_t doc, uint32_t *ords, size_t cap,
                       size_t *n, sift_errmsg *err);
/* Value ord: folded and as first typed, NUL-terminated copies into buffers
 * of KEYWORD_MAX + 1 bytes (either may be NULL). */
sift_err kw_column_value(const struct kw_column *c, uint32_t ord, char *folded, char *display,
                         sift_errmsg *err);

#endif
