/* query_eval.h -- iterators over one segment for a parsed query tree:
 * document-at-a-time, two-phase (a cheap approximation from postings,
 * then an exact check with positions only for candidates). */
#ifndef SIFT_QUERY_EVAL_H
#define SIFT_QUERY_EVAL_H

#include <stdbool.h>
#include <stdint.h>

#include "index.h"
#include "query.h"

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

struct qit;

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
/* How a confirmed document is scored. */
struct scoring {
    double norm;              /* k1 * (1 - b + b * dl / avgdl), lengths weighted with fields */
    double w_title, w_text;   /* BM25F field weights; 0 and 0: one flat field */
    double k1;
};

/* BM25 score of the confirmed current document. */
double qit_score(struct qit *it, struct doc_ctx *dc, const struct scoring *sc);
/* BM25TP proximity bonus of the current document: for every pair of
 * distinct query words (optional or required, outside exclusions) at most
 * 5 positions apart, 1 / distance^2 per occurrence pair, accumulated, and
 * scored as min(idf) * acc * (k1 + 1) / (acc + norm). */
double qit_proximity(struct qit *it, struct doc_ctx *dc, const struct scoring *sc);
/* Describe the score of the confirmed current document, one indented
 * line per clause, appended to out. Returns the score. */
struct buf;
double qit_explain(struct qit *it, struct doc_ctx *dc, const struct scoring *sc, struct buf *out,
                   int depth);

/* Top-k pruning (flat BM25 only): what bounds a document's score. */
struct bounds {
    double k1, b, avgdl;
};
struct pruning {
    struct bounds bd;
    double threshold;          /* score to beat: the k-th best so far, or -INFINITY */
    /* MaxScore over a root of optional clauses, sorted by maximum score */
    struct qit **order;
    double *prefix;            /* prefix[i]: summed maxima of order[0..i] */
    size_t n, essential;
    double partitioned_at;     /* the threshold the partition was made for */
};
/* The largest score any document of the segment can get under it. */
double qit_max_score(struct qit *it, const struct bounds *bd);
sift_err pruning_init(struct pruning *pr, struct qit *root, const struct bounds *bd);
void pruning_free(struct pruning *pr);
/* Like qit_advance, but skipping documents that cannot score above
 * pr->threshold (raise it as the top k fills). The document returned still
 * needs qit_confirm. dc is used for partial scores. */
uint32_t qit_next_competitive(struct qit *root, uint32_t target, struct pruning *pr,
                              struct doc_ctx *dc);

/* Count the matches without iterating them where the shape allows: one
 * plain word (its document frequency, in a segment without deletions), or
 * a root of plain optional (and excluded) words (a bitmap of their blocks).
 * *done false for other shapes. */
sift_err qit_count_fast(struct qit *root, const struct segment *seg, uint64_t *out, bool *done);

/* The first error met while iterating (corrupt postings), or SIFT_OK. */
sift_err qit_error(const struct qit *it);

/* Load the document's lengths into dc (once per document). */
sift_err doc_ctx_load(struct doc_ctx *dc);

#endif
