/* positions.h -- where in its document each occurrence of a term is
 * (SEC_POSITIONS, layout in positions.c): the writer the postings writer
 * drives block by block, and the part of a postings cursor that decodes
 * them on demand. */
#ifndef SIFT_POSITIONS_H
#define SIFT_POSITIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <sift/sift.h>

#include "bytes.h"
#include "postings_codec.h"

/* ------------------------------------------------------------- writing */

struct positions_writer {
    FILE *f;                          /* SEC_POSITIONS as it grows (a temporary file) */
    const char *path;                 /* its name, for messages */
    uint64_t off;                     /* bytes of finished terms written to f */
    /* the open block: the first position of each document, and the gaps
     * stream packed 128 values at a time as positions arrive, so that a
     * document with millions of positions costs a few bits each */
    uint32_t firsts[POSTINGS_BLOCK];
    uint32_t gaps[POSTINGS_BLOCK];    /* the open gaps run */
    uint32_t ngaps;
    struct buf gap_runs;              /* the block's full gaps runs, packed */
    uint32_t last_pos;
    /* the term */
    struct buf term;                  /* its bytes not yet written to f */
    uint64_t written;                 /* its bytes already in f */
    uint64_t block_start;             /* offset of the open block in the term */
};

void positions_writer_begin_term(struct positions_writer *w);
/* Positions of the document at index `slot` of the open block; `first`
 * for its first call. */
sift_err positions_writer_add(struct positions_writer *w, uint32_t slot, bool first,
                              const uint32_t *p, size_t n, sift_errmsg *err);
/* Close the block of n documents: *start receives its offset in the term
 * (the skip entry's SKIP_POS). */
sift_err positions_writer_end_block(struct positions_writer *w, uint32_t n, uint64_t *start,
                                    sift_errmsg *err);
/* Write the rest of the term; *bytes receives its size. */
sift_err positions_writer_end_term(struct positions_writer *w, uint64_t *bytes, sift_errmsg *err);
void positions_writer_free(struct positions_writer *w);

/* ------------------------------------------------------------- reading */

/* Where a postings cursor (postings.h) is in its block's positions. */
struct positions_cursor {
    const uint8_t *data;         /* the block's positions bytes */
    size_t bytes;
    bool ready;                  /* data and the first positions are loaded */
    uint32_t n;                  /* documents in the block */
    bool totaled;                /* small and gap_total are set (on the first read) */
    bool small;                  /* every tf of the block < 2^24: sums fit 32 bits */
    uint32_t index;              /* next document of the block to read */
    uint64_t gap_base;           /* its first gap in the block's gap stream */
    uint64_t gap_total;          /* gaps in the block */
    size_t gap_off;              /* byte offset of run gap_run + 1 */
    uint64_t gap_run;            /* run decoded in gaps[], or UINT64_MAX */
};

/* Start on a block's positions data[0..bytes) (checksums verified), of n
 * documents: their first positions into firsts. NULL, or why the data is
 * corrupt. */
const char *positions_block_open(struct positions_cursor *c, const uint8_t *data, size_t bytes,
                                 uint32_t n, uint32_t *firsts);
/* The tfs[i] positions of document i of the block into out, with gaps as
 * the 128-value run buffer; documents are asked in order. NULL, or why
 * the data is corrupt. */
const char *positions_block_read(struct positions_cursor *c, const uint32_t *tfs,
                                 const uint32_t *firsts, uint32_t *gaps, uint32_t i, uint32_t *out);

/* How many of a document's n ascending positions lie in its title (title
 * tokens come first): the writer's, the checker's and the scorer's count. */
static inline uint32_t positions_in_title(const uint32_t *pos, size_t n, uint32_t title_len)
{
    uint32_t k = 0;
    while (k < n && pos[k] < title_len) k++;
    return k;
}

#endif
