/* merge_policy.c -- the tiered merge policy of merge_policy.h. */
#include "merge_policy.h"

#include <stdlib.h>
#include <string.h>

static unsigned tier(uint64_t live)
{
    unsigned t = 0;
    while (live >= MERGE_FACTOR) {
        live /= MERGE_FACTOR;
        t++;
    }
    return t;
}

size_t merge_policy_pick(const struct merge_candidate *segs, uint32_t n, unsigned max_segments,
                         uint32_t *picked)
{
    uint32_t *order = malloc((n ? n : 1) * sizeof *order);
    if (!order) return 0;   /* no merge now: the next commit tries again */
    for (uint32_t i = 0; i < n; i++) order[i] = i;
    for (uint32_t i = 1; i < n; i++)   /* by live documents, ascending, stable */
        for (uint32_t j = i; j > 0 && segs[order[j]].live < segs[order[j - 1]].live; j--) {
            uint32_t t = order[j];
            order[j] = order[j - 1];
            order[j - 1] = t;
        }
    size_t k = 0;
    if (max_segments) {
        if (n > max_segments) k = n - max_segments + 1;
        else if (n == 1 && max_segments == 1 && segs[0].deleted) k = 1;
    } else {
        for (uint32_t i = 0; i < n && !k;) {
            unsigned t = tier(segs[order[i]].live);
            uint32_t j = i;
            while (j < n && tier(segs[order[j]].live) == t) j++;
            if (j - i >= MERGE_FACTOR) {
                memmove(order, order + i, MERGE_FACTOR * sizeof *order);
                k = MERGE_FACTOR;
            }
            i = j;
        }
    }
    memcpy(picked, order, k * sizeof *picked);
    free(order);
    return k;
}
