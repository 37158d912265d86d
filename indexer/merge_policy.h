/* merge_policy.h -- which segments to merge next. A pure function of the
 * segments' sizes, so that tests drive it on its own (tests/test_merge_policy.c).
 *
 * The tiered policy (max_segments 0): segments fall in size tiers, a tier
 * per power of MERGE_FACTOR live documents; when a tier holds MERGE_FACTOR
 * segments, its MERGE_FACTOR smallest are merged. A tier then never holds
 * more than MERGE_FACTOR - 1, so the count stays logarithmic in the index
 * size, and each document is re-indexed once per tier it climbs.
 * A forced merge (max_segments N > 0): the smallest segments until N remain,
 * and with N = 1 a lone segment that has deletions (to expunge them). */
#ifndef SIFT_MERGE_POLICY_H
#define SIFT_MERGE_POLICY_H

#include <stddef.h>
#include <stdint.h>

#define MERGE_FACTOR 10

struct merge_candidate {
    uint64_t live;            /* live documents */
    uint64_t deleted;         /* deleted documents it still holds */
};

/* The segments to merge into one (indices into segs, written to picked,
 * which has room for n), or 0 when nothing should be merged. Ties in size
 * keep the segments' order. */
size_t merge_policy_pick(const struct merge_candidate *segs, uint32_t n, unsigned max_segments,
                         uint32_t *picked);

#endif
