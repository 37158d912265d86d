/* prune.h -- the fourth stage of a ranked query: skipping what cannot enter
 * the top k. It owns the threshold: it reads the k-th best score from the
 * collector (topk.h) each time it is asked for the next candidate, so the
 * orchestrator (search.c) only pushes scored documents. BM25 flat or
 * BM25F, with or without the proximity bonus (score_is_bounded): the
 * bounds need scores that grow with tf and shrink with length, plus a
 * bounded bonus. */
#ifndef SIFT_PRUNE_H
#define SIFT_PRUNE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <sift/sift.h>

struct doc_ctx;
struct qit;
struct score_params;
struct topk;

struct pruning {
    const struct score_params *sp;
    const struct topk *top;    /* whose k-th score is the threshold */
    double threshold;          /* score to beat at the last call, or -INFINITY */
    double slack;              /* the most a proximity bonus adds (0 for flat BM25) */
    /* MaxScore over a group of optional clauses, sorted by maximum score:
     * the root's, or (group set) those of the one scoring clause of a
     * root whose other required clauses are filters -- "cloud outage
     * date:[...]" -- which then gate every candidate */
    struct qit *group;         /* the root, or its scoring clause */
    struct qit **gates;        /* the root's filters, when group is not the root */
    size_t ngates;
    struct qit **order;        /* its scoring clauses, by increasing maximum */
    double *prefix;            /* prefix[i]: summed maxima of order[0..i] */
    bool *must;                /* order[i] is required by the query */
    size_t n;
    /* the partition for the threshold (prune.c): the clauses that bring
     * the candidates, all required (leapfrog) or their union, and those
     * only probed, by increasing maximum */
    struct qit **lead, **probe;
    size_t nlead, nprobe;
    bool leapfrog;
    double *probe_prefix;      /* summed maxima of probe[0..i] */
    double partitioned_at;     /* the threshold the partition was made for */
    /* block-max's runs bounded lately and how many of them were skipped
     * (prune.c's bound_runs), and the unbounded spans since */
    uint32_t runs_bounded, runs_skipped, quiet;
};

/* Whether a document whose score is at most bound cannot beat the
 * threshold (rounding may put a computed bound a hair under the score it
 * bounds: the margin keeps such a document). */
static inline bool prune_below(double bound, double threshold)
{
    return bound + 1e-9 * (1.0 + bound) < threshold;
}

/* The largest score any document of the segment can get under it. */
double qit_max_score(struct qit *it, const struct score_params *sp);
sift_err pruning_init(struct pruning *pr, struct qit *root, const struct score_params *sp,
                      const struct topk *top);
void pruning_free(struct pruning *pr);
/* Like qit_advance, but skipping documents that cannot score above the
 * collector's current threshold. The document returned still needs
 * qit_confirm. dc is used for partial scores. */
uint32_t qit_next_competitive(struct qit *root, uint32_t target, struct pruning *pr,
                              struct doc_ctx *dc);

#endif
