/* proximity.h -- deciding phrase, sloppy-phrase and NEAR matches from the
 * positions of each query slot in one field of one document.
 *
 * Definitions (docs/QUERY.md): slot i holds term t_i and the sorted
 * positions where t_i occurs. A match assigns each slot one of its
 * positions, p_i, with slots of the same term at different positions, and
 *   PHRASE, slop s:  max(p_i - i) - min(p_i - i) <= s   (s = 0: p_i = p_0 + i)
 *   NEAR/k:          max(p) - min(p) + 1 - n <= k       (at most k other words in the span)
 *   ONEAR/k:         as NEAR/k, and p_0 < p_1 < ... < p_{n-1}
 * The frequency is the number of positions of the anchor slot -- the one
 * with the fewest positions in the range -- that take part in at least one
 * match; for an exact phrase that is the number of its occurrences.
 */
#ifndef SIFT_PROXIMITY_H
#define SIFT_PROXIMITY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum prox_kind { PROX_PHRASE, PROX_NEAR, PROX_ONEAR };

struct prox_slot {
    const uint32_t *pos;   /* sorted ascending */
    size_t n;
    uint32_t term_id;      /* slots with equal ids hold the same term */
};

/* Count the anchor's positions that take part in a match (0 when none). Uses
 * only positions in [lo, hi). `scratch` must hold 4 * nslots entries. */
uint32_t prox_count(enum prox_kind kind, uint32_t dist, const struct prox_slot *slots,
                    size_t nslots, uint32_t lo, uint32_t hi, uint32_t *scratch);
/* The sum of prox_count over the disjoint ranges [r[2k], r[2k + 1]),
 * ascending, k < nr (a document's fields): an exact phrase of distinct
 * terms in one pass over its positions. */
uint32_t prox_count_ranges(enum prox_kind kind, uint32_t dist, const struct prox_slot *slots, size_t nslots,
                           const uint32_t *r, int nr, uint32_t *scratch);

#endif
