/* count.h -- counting matches without ranking, by blocks where the
 * query's shape allows. */
#ifndef SIFT_COUNT_H
#define SIFT_COUNT_H

#include <stdbool.h>
#include <stdint.h>

#include <sift/sift.h>

struct qit;
struct segment;

/* Count the matches without iterating them where the shape allows: one
 * plain word (its document frequency, in a segment without deletions), or
 * a root of plain optional (and excluded) words (a bitmap of their blocks).
 * *done false for other shapes. */
sift_err qit_count_fast(struct qit *root, const struct segment *seg, uint64_t *out, bool *done);

#endif
