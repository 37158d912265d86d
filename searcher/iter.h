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

#include "norms.h"
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
    struct norm_window norms;
};

/* Load the document's lengths into dc (once per document): inline while
 * they lie in the window of SEC_NORMS read last (every scored candidate
 * asks: the call's register saves were a third of its cost). */
sift_err doc_ctx_load_now(struct doc_ctx *dc);
static inline sift_err doc_ctx_load(struct doc_ctx *dc)
{
    if (dc->loaded && dc->loaded_doc == dc->doc) return dc->rc;
    if (dc->norms.seg == dc->seg && norm_window_read(&dc->norms, dc->doc, &dc->len, &dc->title_len)) {
        dc->loaded = true;
        dc->loaded_doc = dc->doc;
        return dc->rc = SIFT_OK;
    }
    return doc_ctx_load_now(dc);
}

struct range_scan;   /* iter.c: a QK_RANGE leaf's column */

struct qit {
    const struct qnode *node;
    struct range_scan *range;  /* QK_RANGE */
    uint32_t all_docs;         /* QK_ALL: the segment's documents */
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
    /* An exact phrase of three or more words leapfrogs its two rarest
     * words only (lead[0] < lead[1]); its other slots follow when the
     * two stand at the phrase's distance on a candidate (iter.c). */
    bool two_phase;
    bool followers_started;    /* the other slots' lists, at the first candidate */
    size_t lead[2];
    /* BOOL */
    struct qit **kids;
    enum occur *occurs;
    size_t nkids, nmust;       /* MUST kids come first */
    /* the lists a leapfrog runs on, in its order: a leaf's slots (a
     * two-phase phrase's two leads), or, when every MUST kid of a BOOL is
     * one list (a word), those, rarest first; NULL for a BOOL otherwise */
    struct postings **leap;
    size_t nleap;
    /* the largest score any document can get (prune.c), once computed */
    double max_score;
    bool has_max;
    /* the leaf's block bound holds for targets in [bm_lo, bm_hi]: queries
     * move forward, so one bound serves every candidate of a block (only
     * prune.c's leaf_block_max sets bm_ok: it means a leaf) */
    bool bm_ok;
    uint32_t bm_lo, bm_hi;
    double bm_val;
    uint32_t bm_tf, bm_len;    /* the (largest tf, smallest length) it is of */
    double bm_norm;            /* bm25_norm of the least length there */
    double bm_prox;            /* its proximity cap there (score.h), or -1 before it is asked */
    /* confirmation cache; a leaf that always matches its candidates (a
     * plain word, a keyword, every document) needs none: `trivial` */
    bool trivial;
    bool word;                 /* a plain word (qit_plain_word), set when built: the hot paths ask this */
    uint32_t confirmed_doc;
    bool confirmed;
    uint32_t freq;             /* PHRASE, NEAR, fielded TERM: matches in the document */
};

/* What binding found in segment s's dictionary (query.h's seg_ti): term
 * id t's entry at ti[t * stride] for t < nterms (df 0: absent). */
struct term_hint {
    const struct term_info *ti;
    size_t nterms, stride;
};
/* Segment s of q's index (its number in the index) as a hint. */
struct term_hint term_hint_for(const sift_query *q, uint32_t s);

/* Build the iterator tree of `n` for segment s, its terms found through h
 * (NULL: looked up). *it is NULL when nothing in the segment can match. */
sift_err qit_build(const struct qnode *n, const struct segment *s, const struct term_hint *h,
                   sift_errmsg *err, struct qit **it);
void qit_free(struct qit *it);

/* The first candidate document >= target (target greater than the last
 * one returned); DOC_END when there is none. */
uint32_t qit_advance(struct qit *it, uint32_t target);
/* Whether the candidate the iterator is on truly matches (cached per
 * document). */
bool qit_confirm_now(struct qit *it, struct doc_ctx *dc);
static inline bool qit_confirm(struct qit *it, struct doc_ctx *dc)
{
    if (it->trivial) return true;
    if (it->confirmed_doc == it->doc) return it->confirmed;
    return qit_confirm_now(it, dc);
}
/* The first error met while iterating (corrupt postings), or SIFT_OK. */
sift_err qit_error(const struct qit *it);

/* For the other stages; inline because the pruner and the scorer call
 * them per candidate (out of line, they cost 3% of the benchmark's
 * instructions and more of its time). */

/* Whether the leaf is one word searched wherever it occurs (in title and
 * text, or in a text field's own space): its tf is its frequency. */
static inline bool qit_plain_word(const struct qit *it)
{
    return it->node->kind == QK_TERM && (it->node->field == FIELD_ANY || it->node->field == FIELD_NAMED);
}

/* Whether BM25F weighs the leaf's frequency by field (weights both 0:
 * one flat field): plain words of title and text only. Scoring, explain
 * and the bounds must agree on it. */
static inline bool qit_field_weighed(const struct qit *it, double w_title, double w_text)
{
    return (w_title > 0 || w_text > 0) && it->word && it->node->field == FIELD_ANY;
}

uint32_t qit_range_advance(struct qit *it, uint32_t target);

/* A list's first document >= target, from its start if not started. */
static inline uint32_t qit_post_advance(struct postings *p, bool started, uint32_t target)
{
    if (!started) postings_first(p);
    return postings_seek(p, target);
}

/* Move kid k, unstarted or behind, to its first candidate at or after doc.
 * A leaf of one list (a word) needs no leapfrog, nor the calls through
 * qit_advance: its postings go straight there (a quarter of intersection
 * time in callgrind when they did not). */
static inline uint32_t qit_kid_advance(struct qit *k, uint32_t doc)
{
    if (k->nslots != 1) return qit_advance(k, doc);   /* a BOOL or a range has none */
    k->doc = qit_post_advance(&k->post[0], k->started, doc);
    k->started = true;
    return k->doc;
}

/* Kid k's first candidate >= doc: where it stands when already there. */
static inline uint32_t qit_kid_seek(struct qit *k, uint32_t doc)
{
    return (!k->started || k->doc < doc) ? qit_kid_advance(k, doc) : k->doc;
}

/* Whether kid k is on doc and matches there (moving it if behind). */
static inline bool qit_kid_matches(struct qit *k, uint32_t doc, struct doc_ctx *dc)
{
    return qit_kid_seek(k, doc) == doc && qit_confirm(k, dc);
}

/* The first candidate >= target that its[0, n) all stand on: the first
 * proposes, the others are asked in turn, and the first one past it sends
 * the first on (the leapfrog iter.c's lists_leapfrog runs on lists). */
static inline uint32_t qit_leapfrog(struct qit *const *its, size_t n, uint32_t target)
{
    uint32_t doc = qit_kid_seek(its[0], target);
    for (size_t i = 1; i < n && doc != DOC_END;) {
        uint32_t d = qit_kid_seek(its[i], doc);
        if (d == doc) {
            i++;
        } else {
            doc = d == DOC_END ? DOC_END : qit_kid_advance(its[0], d);
            i = 1;
        }
    }
    return doc;
}

/* Positions of slot i on the current document into it->pos[i]. */
bool qit_load_positions(struct qit *it, size_t i, struct doc_ctx *dc);

/* A confirmed leaf's frequency on its document. */
static inline uint32_t qit_leaf_freq(struct qit *it)
{
    return it->word ? postings_tf(&it->post[0]) : it->freq;
}

#endif
