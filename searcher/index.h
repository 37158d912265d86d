/* index.h -- the searcher's internal view of an open index: segments,
 * dictionary look-ups, postings iterators and stored documents. */
#ifndef SIFT_INDEX_H
#define SIFT_INDEX_H

#include <stdbool.h>
#include <stdint.h>

#include <sift/sift.h>

#include "bytes.h"
#include "postings_codec.h"
#include "segfile.h"
#include "segment.h"

#define DOC_END UINT32_MAX

struct term_info;

struct segment {
    struct segfile file;
    uint64_t number;
    uint64_t doc_base;        /* global number of its first document */
    uint32_t doc_count;
    uint64_t token_count, title_token_count, term_count, posting_count;
    uint32_t ndict_blocks;
    uint32_t nstore_blocks;
    uint8_t norm_bits, title_bits;   /* SEC_NORMS widths of a length, a title length */
    /* SEC_DOC_META record layout (indexer/segment_writer.c) */
    uint8_t meta_size_bytes, meta_mtime_bytes, meta_source_bytes, meta_source_base;
    uint32_t meta_width;
    /* deletions (from the manifest and its deletions file) */
    uint64_t del_gen;
    uint32_t *deleted;        /* ascending local document numbers */
    size_t ndeleted;
    uint64_t deleted_tokens;
    uint64_t deleted_title_tokens;
    uint8_t *delbits;         /* bit per document; NULL when none are deleted */
};

static inline bool segment_is_deleted(const struct segment *s, uint32_t doc)
{
    return s->delbits && (s->delbits[doc >> 3] >> (doc & 7) & 1);
}

/* Documents of a term's postings that are not deleted. */
sift_err segment_live_df(const struct segment *s, const struct term_info *ti, uint32_t *live,
                         sift_errmsg *err);

/* Per-document source information (SEC_DOC_META). */
struct doc_meta {
    uint64_t size;
    int64_t mtime_ns;
    uint64_t hash;
    uint32_t source;          /* index into the segment's sources */
};
sift_err segment_doc_meta(const struct segment *s, uint32_t doc, struct doc_meta *out,
                          sift_errmsg *err);
/* Source k of the segment (NUL-terminated in the map), or NULL. */
const char *segment_source(const struct segment *s, uint32_t k, sift_errmsg *err);

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
};

/* ---------------------------------------------------------- dictionary */

struct term_info {
    uint32_t df;
    uint64_t cf;
    uint64_t doc_off, doc_len;   /* in SEC_POSTINGS */
    uint64_t pos_off, pos_len;   /* in SEC_POSITIONS */
};

/* Look `term` up; *found false when absent. Errors only for corruption. */
sift_err dict_lookup(const struct segment *s, const char *term, size_t len,
                     struct term_info *out, bool *found, sift_errmsg *err);

/* Call fn for every term starting with prefix, in order, until it returns
 * non-zero. */
typedef int (*dict_fn)(void *ctx, const char *term, size_t len, const struct term_info *ti);
sift_err dict_scan_prefix(const struct segment *s, const char *prefix, size_t len, dict_fn fn,
                          void *ctx, sift_errmsg *err);

/* --------------------------------------------------------------- norms */

/* Document length (tokens of title and text) and title length. */
sift_err segment_norm(const struct segment *s, uint32_t doc, uint32_t *len, uint32_t *title_len,
                      sift_errmsg *err);

/* External id of a document, copied NUL-terminated into id (its length
 * in *len). */
sift_err segment_doc_id(const struct segment *s, uint32_t doc, char id[ID_MAX + 1], size_t *len,
                        sift_errmsg *err);

/* ------------------------------------------------------------ postings */

struct postings {
    const struct segment *seg;
    struct term_info ti;
    uint32_t nblocks;
    const uint8_t *skips;        /* nblocks packed entries, or NULL for one block */
    size_t skip_len;             /* bytes at skips */
    uint8_t skip_w[SKIP_FIELDS], skip_at[SKIP_FIELDS];   /* fields' widths, bit offsets */
    uint32_t skip_bits;          /* an entry's width */
    uint64_t blocks_off;         /* section offset of the first block */
    uint64_t blocks_len;
    uint32_t block;              /* index of the decoded block */
    uint32_t n, i;               /* documents in it, current index */
    uint32_t doc;                /* current document or DOC_END */
    const uint8_t *tf_packed;    /* the block's PFOR run of frequencies, until unpacked */
    bool tfs_ready;              /* tfs[] holds the block's frequencies */
    /* positions of the current block, fetched on first use */
    const uint8_t *pos_data;     /* the block's positions bytes */
    size_t pos_bytes;
    bool pos_ready;
    uint32_t pos_index;          /* next document of the block to read */
    uint64_t gap_base;           /* its first gap in the block's gap stream */
    uint64_t gap_total;          /* gaps in the block */
    size_t gap_off;              /* byte offset of run gap_run + 1 */
    uint64_t gap_run;            /* run decoded in gaps[], or UINT64_MAX */
    sift_err rc;                 /* set when the data was found corrupt */
    sift_errmsg *err;
    /* last: not cleared at open */
    uint32_t docs[POSTINGS_BLOCK], tfs[POSTINGS_BLOCK];
    uint32_t firsts[POSTINGS_BLOCK], gaps[POSTINGS_BLOCK];   /* of the positions */
};

/* Field f of skip entry b (the list has skips). */
static inline uint32_t skip_get(const struct postings *p, uint32_t b, enum skip_field f)
{
    return rd_bits(p->skips, p->skip_len, (uint64_t)b * p->skip_bits + p->skip_at[f], p->skip_w[f]);
}

sift_err postings_open(struct postings *p, const struct segment *s, const struct term_info *ti,
                       sift_errmsg *err);
/* Move to the first document; DOC_END when none. */
uint32_t postings_first(struct postings *p);
uint32_t postings_next(struct postings *p);
/* Move to the first document of the next block: the block's documents are
 * p->docs[0, p->n). DOC_END at the end. */
uint32_t postings_next_block(struct postings *p);
/* The first document >= target (target > current). */
uint32_t postings_advance(struct postings *p, uint32_t target);
/* Frequencies of a full block are unpacked on first use: a conjunction
 * or phrase looks at many blocks only for their documents. A corrupt
 * frequency gives 0 (p->rc set). */
void postings_decode_tfs(struct postings *p);
static inline uint32_t postings_tf(struct postings *p)
{
    if (!p->tfs_ready) postings_decode_tfs(p);
    return p->tfs[p->i];
}
/* Positions of the current document into out (tf values); -1 on corrupt
 * data (p->rc set). */
int postings_positions(struct postings *p, uint32_t *out);

/* What the skip table says of a block, for score bounds: every document of
 * block b has a tf of at most max_tf and a length of at least min_len. */
struct block_stat {
    uint32_t last_doc;           /* DOC_END - 1 for the last block */
    uint32_t max_tf, min_len;
};
/* The block holding the first document >= target, searching from block
 * `from` on (without decoding); nblocks when there is none. */
uint32_t postings_find_block(const struct postings *p, uint32_t from, uint32_t target);
/* Block b's stat; b >= nblocks gives max_tf 0 (no document left). */
void postings_block_stat(const struct postings *p, uint32_t b, struct block_stat *out);

/* -------------------------------------------------------------- store */

struct doc_record {
    char *buf;                   /* owns the strings below */
    const char *id, *title, *path, *text;
    size_t id_len, title_len, path_len, text_len;
    bool text_cut;               /* docstore_get: text is the first max_text bytes */
    /* docstore_scan only, for a record of STORE_STREAM_MIN bytes or more:
     * text is NULL and `read` gives it in pieces */
    long long (*read)(void *ctx, char *buf, size_t cap);
    void *read_ctx;
};

/* The record of doc with at most max_text bytes of its text (SIZE_MAX:
 * all); only that much of a large record is decompressed. */
sift_err docstore_get(const struct segment *s, uint32_t doc, size_t max_text,
                      struct doc_record *out, sift_errmsg *err);
void doc_record_free(struct doc_record *r);

/* Call fn for every document of the segment in order (deleted ones
 * included), decompressing each block once. The record's strings are
 * valid during the call; a large record's text is read in pieces (see
 * doc_record), so a scan's memory does not grow with it. A non-zero
 * return stops the scan. */
typedef int (*doc_scan_fn)(void *ctx, uint32_t doc, const struct doc_record *r);
sift_err docstore_scan(const struct segment *s, doc_scan_fn fn, void *ctx, sift_errmsg *err);

#endif
