/* iter.h -- the third stage of a query: its bound tree (query.h) as
 * iterators over one segment's postings, document at a time and two-phase
 * (a cheap approximation from postings, then an exact check with positions
 * only for candidates).
 *
 * This is the seam between the stages that run a query: iter.c moves and
 * confirms, score.c scores and explains, prune.c skips what cannot enter
 * the top k, count.c counts by blocks. They share struct qit, declared
 * here for them alone.
 */
#ifndef SIFT_ITER_H
#define SIFT_ITER_H

#include <stdbool.h>
#include <stdint.h>

#include <sift/sift.h>

#include "postings.h"
#include "query.h"
#include "segment.h"

/* What the exact checks need to know about the current document. */
struct doc_ctx {
    const struct segment *seg;
    uint32_t doc;
    bool loaded;
    uint32_t len, title_len;
    sift_err rc;
    sift_errmsg *err;
    uint32_t loaded_doc;   /* the document len and title_len are of */
};

/* Load the document's lengths into dc (once per document). */
sift_err doc_ctx_load(struct doc_ctx *dc);

struct qit {
    const struct qnode *node;
    uint32_t doc;              /* current candidate */
    bool started;
    /* TERM, PHRASE, NEAR: one postings list per slot */
    struct postings *post;
    size_t nslots;
    uint32_t **pos;            /* per slot: positions buffer */
    uint32_t *pos_cap;
    uint32_t *pos_doc;         /* per slot: the document pos holds, or DOC_END */
    uint32_t *scratch;
    double idf_sum;
    /* BOOL */
    struct qit **kids;
    enum occur *occurs;
    size_t nkids, nmust;       /* MUST kids come first */
    /* the largest score any document can get (prune.c), once computed */
    double max_score;
    bool has_max;
    /* the leaf's block bound holds for targets in [bm_lo, bm_hi]: queries
     * move forward, so one bound serves every candidate of a block */
    bool bm_ok;
    uint32_t bm_lo, bm_hi;
    double bm_val;
    /* confirmation cache */
    uint32_t confirmed_doc;
    bool confirmed;
    uint32_t freq;             /* PHRASE, NEAR, fielded TERM: matches in the document */
};

/* Build the iterator tree of `n` for segment s. *it is NULL when nothing
 * in the segment can match. */
sift_err qit_build(const struct qnode *n, const struct segment *s, sift_errmsg *err,
                   struct qit **it);
void qit_free(struct qit *it);

/* The first candidate document >= target (target greater than the last
 * one returned); DOC_END when there is none. */
uint32_t qit_advance(struct qit *it, uint32_t target);
/* Whether the candidate the iterator is on truly matches. */
bool qit_confirm(struct qit *it, struct doc_ctx *dc);
/* The first error met while iterating (corrupt postings), or SIFT_OK. */
sift_err qit_error(const struct qit *it);

/* For the other stages. */
/* Move kid k, unstarted or behind, to its first candidate at or after doc. */
uint32_t qit_kid_advance(struct qit *k, uint32_t doc);
/* Whether kid k is on doc and matches there (moving it if behind). */
bool qit_kid_matches(struct qit *k, uint32_t doc, struct doc_ctx *dc);
/* Positions of slot i on the current document into it->pos[i]. */
bool qit_load_positions(struct qit *it, size_t i, struct doc_ctx *dc);
/* A confirmed leaf's frequency on its document. */
uint32_t qit_leaf_freq(struct qit *it);
/* Whether the leaf is one word searched in every field. */
static inline bool qit_plain_word(const struct qit *it)
{
    return it->node->kind == QK_TERM && it->node->field == FIELD_ANY;
}

#endif
