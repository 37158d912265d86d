/* treceval.h -- TREC run evaluation with trec_eval's definitions.
 *
 *   - A run's lines for a query are re-sorted as trec_eval does: score
 *     descending (compared as a C float), ties by docno in *descending*
 *     strcmp order; the rank column is ignored.
 *   - A document is relevant when its qrels grade is >= 1; unjudged
 *     documents are not relevant.
 *   - nDCG@k: gain = grade, discount log2(rank + 1), normalized by the
 *     ideal ordering of all judged documents by grade.
 *   - AP: the mean over the relevant documents of the precision at the rank
 *     each is retrieved (0 for those never retrieved); MAP averages AP.
 *   - Recall@k: relevant documents in the top k / relevant documents.
 *   - RR@10: 1 / rank of the first relevant document within the top 10.
 *   - Averages are over the queries that have at least one relevant
 *     document in the qrels; a query missing from the run scores 0.
 */
#ifndef SIFT_TREC_EVAL_H
#define SIFT_TREC_EVAL_H

#include <stddef.h>

struct qrel {
    char *qid, *docno;
    int rel;
};

struct run_line {
    char *qid, *docno;
    double score;
};

struct metrics {
    double ndcg10, ap, recall100, recall1000, rr10;
};

/* Metrics of one query: `run` holds its lines (any order), `qrels` its
 * judgments. Returns the number of relevant documents. */
size_t treceval_query(struct run_line *run, size_t nrun, const struct qrel *qrels, size_t nqrels,
                      struct metrics *out);

#endif
