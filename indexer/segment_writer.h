/* segment_writer.h -- turns merged postings, norms and the document store
 * into one segment file. */
#ifndef SIFT_SEGMENT_WRITER_H
#define SIFT_SEGMENT_WRITER_H

#include <stdint.h>
#include <stdio.h>

#include <sift/sift.h>

#include "bytes.h"
#include "docstore_writer.h"
#include "invert.h"
#include "postings_codec.h"

struct segment_stats {
    uint32_t doc_count;
    uint64_t token_count;
    uint64_t title_token_count;
    uint64_t term_count;
    uint64_t posting_count;
    uint64_t postings_bytes;
    uint64_t positions_bytes;
    char language[32];
};

struct segment_writer {
    char *tmp_prefix;
    FILE *postings, *positions, *dict;   /* temporary files */
    uint64_t postings_off, positions_off, dict_off;
    struct buf dict_block;               /* the open dictionary block */
    uint32_t block_terms;
    uint64_t block_postings_base, block_positions_base;
    struct buf dict_index, dict_keys;
    char prev_term[256];
    size_t prev_len;
    char cur_term[256];
    size_t cur_len;
    /* the term being written */
    uint32_t docs[POSTINGS_BLOCK], tfs[POSTINGS_BLOCK];
    uint32_t nbuf;
    /* positions of the buffered documents (layout in segment_writer.c):
     * the gaps stream is packed 128 values at a time as positions arrive,
     * so a document with millions of positions costs a few bits each */
    uint32_t firsts[POSTINGS_BLOCK];
    uint32_t gaps[POSTINGS_BLOCK];       /* the open gaps run */
    uint32_t ngaps;
    struct buf gap_runs;                 /* the block's full gaps runs, packed */
    uint32_t doc, tf, last_pos;          /* the open document */
    int64_t prev_doc;                    /* last doc of the previous block */
    struct buf term_blocks, term_pos;
    struct buf term_skips;        /* per block, SKIP_FIELDS u32 (enum skip_field) */
    struct buf skip_packed;       /* term_skips as written (pack_skips) */
    uint64_t term_pos_written;           /* of this term, already in `positions` */
    uint64_t block_pos_start;            /* offset of this block in the term's positions */
    uint32_t df;
    uint64_t cf;
    struct segment_stats stats;
    const struct buf *norms;             /* the documents' lengths, set before
                                            the merge: block score bounds */
    sift_errmsg errmsg;
};

sift_err segment_writer_open(struct segment_writer *w, const char *tmp_prefix, sift_errmsg *err);
/* The sink to pass to inverter_merge. */
struct term_sink segment_writer_sink(struct segment_writer *w);
/* The per-document sections, gathered while documents arrived. */
struct segment_docs {
    const struct buf *norms;      /* NORM_SIZE bytes per document */
    const struct buf *id_index;   /* per group of ID_GROUP ids + 1, u64 */
    const struct buf *ids;
    const struct buf *meta;       /* DOC_META_SIZE bytes per document */
    const struct buf *sources;    /* NUL-terminated strings */
    struct docstore_writer *store;/* finished */
};

/* Write the segment file at `path`, fsync it. */
sift_err segment_writer_finish(struct segment_writer *w, const char *path,
                               const struct segment_docs *docs, sift_errmsg *err);
void segment_writer_discard(struct segment_writer *w);

#endif
