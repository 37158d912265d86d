/* results.h -- a search's hits as the caller holds them (sift_results):
 * ids read when the search ends, stored records, snippets and texts loaded
 * on first request. */
#ifndef SIFT_RESULTS_H
#define SIFT_RESULTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <sift/sift.h>

struct topk;

/* The results of q: the sorted hits of top after the first `offset`, with
 * `total` matches counted (exactly when `exact`). */
sift_err results_make(const sift_index *idx, const sift_query *q, const struct topk *top,
                      size_t offset, uint64_t total, bool exact, sift_results **out,
                      sift_errmsg *err);

#endif
