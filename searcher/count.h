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
/* The root's matches in the segment as a bitmap (bit d: document d; deleted
 * documents cleared) where the shape allows (one plain word; optional and
 * excluded plain words), malloc'ed into *out; *out NULL for other shapes
 * (or when memory is short: iterating gives the same). */
sift_err qit_match_bits(struct qit *root, const struct segment *seg, uint64_t **out);

#endif
