/* dict.h -- the term dictionary (SEC_DICT, SEC_DICT_INDEX, SEC_DICT_KEYS;
 * layout in dict.c): written term by term in byte order as the merge
 * produces them, read by binary search over the blocks' first keys. The
 * surface forms (SEC_SURFACE*) are a second dictionary of that layout. */
#ifndef SIFT_DICT_H
#define SIFT_DICT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <sift/sift.h>

#include "bytes.h"
#include "segment.h"

#define DICT_BLOCK_TERMS 32
#define DICT_INDEX_ENTRY 16

/* Where a term's postings are and how many documents hold it. */
struct term_info {
    uint32_t df;
    uint64_t cf;
    uint64_t doc_off, doc_len;   /* in SEC_POSTINGS */
    uint64_t pos_off, pos_len;   /* in SEC_POSITIONS */
};

/* ------------------------------------------------------------- writing */

struct dict_writer {
    FILE *f;                     /* SEC_DICT as it grows (a temporary file) */
    const char *path;            /* its name, for messages */
    uint64_t off;                /* bytes written to f */
    struct buf block;            /* the open block's entries */
    uint32_t block_terms;
    uint64_t block_doc_off, block_pos_off;   /* of the block's first term */
    struct buf index, keys;      /* SEC_DICT_INDEX, SEC_DICT_KEYS */
    char prev[TERM_MAX + 1];
    size_t prev_len;
};

/* Add the next term (after the previous one in byte order). */
sift_err dict_writer_add(struct dict_writer *w, const char *term, size_t len,
                         const struct term_info *ti, sift_errmsg *err);
/* Write the last block to f. */
sift_err dict_writer_flush(struct dict_writer *w, sift_errmsg *err);
void dict_writer_free(struct dict_writer *w);

/* ------------------------------------------------------------- reading */

/* Look `term` up; *found false when absent. Errors only for corruption. */
sift_err dict_lookup(const struct segment *s, const char *term, size_t len,
                     struct term_info *out, bool *found, sift_errmsg *err);

/* Call fn for every term starting with prefix, in order, until it returns
 * non-zero. */
typedef int (*dict_fn)(void *ctx, const char *term, size_t len, const struct term_info *ti);
sift_err dict_scan_prefix(const struct segment *s, const char *prefix, size_t len, dict_fn fn,
                          void *ctx, sift_errmsg *err);

/* Call fn for the terms from the first >= from on, in order. fn returns
 * DICT_NEXT to go on, DICT_STOP to end, or DICT_SEEK after writing a key
 * greater than the term into seek (at most TERM_MAX bytes, *seek_len):
 * the walk goes on from the first term >= it, so a walk bounded by
 * prefixes (fuzzy terms) skips what cannot match without reading it.
 * Its term_info holds df and cf only (the offsets are 0): a walk names
 * terms, and what reads their postings looks them up. */
enum { DICT_NEXT, DICT_STOP, DICT_SEEK };
typedef int (*dict_walk_fn)(void *ctx, const char *term, size_t len, const struct term_info *ti,
                            char *seek, size_t *seek_len);
sift_err dict_walk(const struct segment *s, const char *from, size_t len, dict_walk_fn fn, void *ctx,
                   sift_errmsg *err);

/* The same over the surface forms (layout in dict.c). */
sift_err surface_scan_prefix(const struct segment *s, const char *prefix, size_t len, dict_fn fn,
                             void *ctx, sift_errmsg *err);
sift_err surface_walk(const struct segment *s, const char *from, size_t len, dict_walk_fn fn, void *ctx,
                      sift_errmsg *err);

/* The stem a surface form's key names, into stem (TERM_MAX + 1 bytes),
 * and the length of its word; false when the key is malformed. */
bool surface_stem(const char *key, size_t len, char *stem, size_t *stem_len, size_t *word_len);

#endif
