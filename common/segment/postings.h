/* postings.h -- a term's documents, frequencies and skip table
 * (SEC_POSTINGS, layout in postings.c) and its positions (SEC_POSITIONS,
 * positions.c): the writer the segment writer feeds term by term, and the
 * cursor the query engine, the checker and the writer's merges read with. */
#ifndef SIFT_POSTINGS_H
#define SIFT_POSTINGS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <sift/sift.h>

#include "bytes.h"
#include "dict.h"
#include "positions.h"
#include "postings_codec.h"
#include "segment.h"

#define SKIP_FIELDS 6         /* as written: six widths, then the packed fields */
enum skip_field { SKIP_LAST, SKIP_END, SKIP_POS, SKIP_TF, SKIP_LEN, SKIP_TITLE_TF };   /* in entry order */
#define SKIP_TF_MANY 0xFFFF   /* a skip entry's max tf or title tf: 65535 or more */
#define SKIP_LEN_MANY 0xFFFF  /* a skip entry's min length: 65535 or more */

/* ------------------------------------------------------------- writing */

struct postings_writer {
    FILE *f;                     /* SEC_POSTINGS as it grows (a temporary file) */
    const char *path;            /* its name, for messages */
    uint64_t off;                /* bytes written to f */
    const struct buf *norms;     /* the documents' lengths (norms.h records), for
                                    the skip entries' length bounds; may be NULL */
    struct positions_writer pos;
    /* the term being written */
    uint32_t docs[POSTINGS_BLOCK], tfs[POSTINGS_BLOCK], title_tfs[POSTINGS_BLOCK];
    uint32_t nbuf;               /* documents in the open block */
    int64_t prev_doc;            /* last doc of the previous block */
    uint32_t doc, tf;            /* the open document */
    uint32_t title_len, title_tf;   /* its title's length (UINT32_MAX unknown), positions in it */
    struct buf blocks;           /* the term's encoded blocks */
    struct buf skips;            /* per block, SKIP_FIELDS u32 (enum skip_field) */
    struct buf skip_packed;      /* skips as written */
    uint32_t df;
    uint64_t cf;
    const char *term;            /* for messages */
    size_t term_len;
};

/* A term, then its documents in order: begin_doc, positions (ascending,
 * in one or more calls), end_doc; then end_term writes it and fills *ti
 * (df, cf and where its bytes are). */
void postings_writer_begin_term(struct postings_writer *w, const char *term, size_t len);
void postings_writer_begin_doc(struct postings_writer *w, uint32_t doc);
sift_err postings_writer_positions(struct postings_writer *w, const uint32_t *p, size_t n,
                                   sift_errmsg *err);
sift_err postings_writer_end_doc(struct postings_writer *w, sift_errmsg *err);
sift_err postings_writer_end_term(struct postings_writer *w, struct term_info *ti,
                                  sift_errmsg *err);
void postings_writer_free(struct postings_writer *w);

/* ------------------------------------------------------------- reading */

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
    bool title_tf_ready;         /* title_tf is the decoded block's skip entry's */
    uint32_t title_tf;
    struct positions_cursor pos; /* the block's positions, fetched on first use */
    sift_err rc;                 /* set when the data was found corrupt */
    sift_errmsg *err;
    /* last: not cleared at open */
    uint32_t docs[POSTINGS_BLOCK + 15];   /* 15 of slack: postings.c's in-block search */
    uint32_t tfs[POSTINGS_BLOCK];
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
/* The same, the block's documents before index i known to be < target. */
uint32_t postings_advance_from(struct postings *p, uint32_t i, uint32_t target);
/* postings_advance for the usual step of a leapfrog, a few documents on
 * in the decoded block, without the call (target > current). */
static inline uint32_t postings_advance_near(struct postings *p, uint32_t target)
{
    if (p->doc == DOC_END) return DOC_END;
    uint32_t i = p->i + 1, end = p->i + 5 < p->n ? p->i + 5 : p->n;
    for (; i < end; i++)
        if (p->docs[i] >= target) {
            p->i = i;
            return p->doc = p->docs[i];
        }
    return postings_advance_from(p, i, target);
}
/* A list's first document >= target, where it is if already there. */
static inline uint32_t postings_seek(struct postings *p, uint32_t target)
{
    return p->doc < target ? postings_advance_near(p, target) : p->doc;
}
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
 * data (p->rc set). Documents must be asked in order. */
int postings_positions(struct postings *p, uint32_t *out);
/* Its first position alone (UINT32_MAX on corrupt data, p->rc set),
 * leaving its positions to be read: whether a word is in a title needs
 * no more when it is past the title. */
uint32_t postings_first_position(struct postings *p);

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
/* The most positions below its title length any document of block b holds
 * (BM25F's bounds only: flat BM25 does not read it); 0 past the end. */
uint32_t postings_block_title_tf(const struct postings *p, uint32_t b);
/* The same for the decoded block, read once per block: BM25F asks it for
 * every document it scores (whether to read the positions in the title). */
static inline uint32_t postings_title_tf(struct postings *p)
{
    if (!p->title_tf_ready) {
        p->title_tf = postings_block_title_tf(p, p->block);
        p->title_tf_ready = true;
    }
    return p->title_tf;
}

/* Documents of a term's postings that are not deleted. */
sift_err segment_live_df(const struct segment *s, const struct term_info *ti, uint32_t *live,
                         sift_errmsg *err);

#endif
