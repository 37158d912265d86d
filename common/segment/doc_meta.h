/* doc_meta.h -- what an incremental run compares to tell an unchanged
 * file, per document (SEC_DOC_META), and the sources documents came from
 * (SEC_SOURCES); layouts in doc_meta.c. */
#ifndef SIFT_DOC_META_H
#define SIFT_DOC_META_H

#include <stdbool.h>
#include <stdint.h>

#include <sift/sift.h>

#include "bytes.h"

struct segment;

struct doc_meta {
    uint64_t size;            /* of the source file (or 0: the hash decides) */
    int64_t mtime_ns;         /* of the source file (0 for JSON Lines and library adds) */
    uint64_t hash;            /* hash64 (hash.h) of its content */
    uint32_t source;          /* index into the segment's sources */
};

/* While building: one fixed record per document. false when memory is short. */
bool doc_meta_add(struct buf *records, const struct doc_meta *m);
/* The records as SEC_DOC_META. false when memory is short. */
bool doc_meta_pack(const struct buf *records, struct buf *out);

/* Read and check SEC_DOC_META's header at open. */
sift_err doc_meta_open(struct segment *s, sift_errmsg *err);
sift_err segment_doc_meta(const struct segment *s, uint32_t doc, struct doc_meta *out,
                          sift_errmsg *err);
/* Source k of the segment (NUL-terminated in the map), or NULL with the
 * error in err. */
const char *segment_source(const struct segment *s, uint32_t k, sift_errmsg *err);

#endif
