/* results.h -- a search's hits as the caller holds them (sift_results):
 * ids read when the search ends, stored records, snippets and texts loaded
 * on first request. */
#ifndef SIFT_RESULTS_H
#define SIFT_RESULTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <sift/sift.h>

struct facet;
struct scored;

/* The results of q: the sorted hits[0..nhits) after the first `offset`,
 * with `total` matches counted (exactly when `exact`), and the first
 * facet_limit values of each facet. */
sift_err results_make(const sift_index *idx, const sift_query *q, const struct scored *hits,
                      size_t nhits, size_t offset, uint64_t total, bool exact,
                      struct facet *facets, size_t nfacets, uint32_t facet_limit,
                      sift_results **out, sift_errmsg *err);

#endif
