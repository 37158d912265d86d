/* index.h -- an open index: the segments a manifest names, their
 * deletions, and the collection statistics BM25 needs, summed over the
 * live documents of all of them. The writer opens one to know the
 * committed state; every search runs on one. */
#ifndef SIFT_INDEX_H
#define SIFT_INDEX_H

#include <stdint.h>

#include <sift/sift.h>

#include "segment.h"

struct term_info;   /* dict.h */

struct sift_index {
    char *dir;
    char language[32];
    uint64_t generation;
    uint32_t nsegs;
    struct segment *segs;
    uint64_t doc_count;       /* live documents over all segments */
    uint64_t token_count;     /* their tokens */
    uint64_t title_token_count;
    double avgdl;
    struct schema schema;     /* the union of the segments' typed fields */
};

/* An index of one segment whose file's bytes are in memory (the caller's,
 * kept until sift_index_close), without deletions: the index fuzz target
 * reads segments this way, with no file written per input. */
sift_err index_open_memory(const uint8_t *data, size_t len, sift_index **out, sift_errmsg *err);

/* The number of live documents holding `term` over every segment; with
 * seg_ti (one per segment), each segment's entry too (df 0: absent). */
sift_err index_live_df(const sift_index *idx, const char *term, size_t len, uint64_t *df,
                       sift_errmsg *err);
sift_err index_term_lookup(const sift_index *idx, const char *term, size_t len, uint64_t *df,
                           struct term_info *seg_ti, sift_errmsg *err);

/* Field `name` of segment s (its column there), or NULL when the segment
 * has none. */
const struct field_def *segment_field(const struct segment *s, const char *name);

/* The segment holding global document number docno, or NULL. */
const struct segment *index_segment_of(const sift_index *idx, uint64_t docno, uint32_t *local);

#endif
