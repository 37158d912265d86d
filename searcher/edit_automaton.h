/* edit_automaton.h -- which prefixes of a term can still come within an
 * edit distance of a query word, one code point at a time.
 *
 * The distance is Damerau-Levenshtein with adjacent transpositions (the
 * optimal string alignment form, what Lucene's FuzzyQuery counts), over
 * code points. State d is that of the term's first d code points; a walk
 * of a sorted dictionary keeps the states of the prefix it shares with the
 * term before and steps only the new code points.
 *
 * A word of up to EA_BITS code points runs as a bit-parallel automaton
 * (one machine word per distance, a few operations a step); a longer one
 * as rows of the dynamic-programming table, the reference the tests hold
 * the bit-parallel form to. */
#ifndef SIFT_EDIT_AUTOMATON_H
#define SIFT_EDIT_AUTOMATON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define EA_MAX_DIST 2
#define EA_BITS 63     /* code points a word may have for the bit-parallel form */

struct edit_automaton;

/* An automaton for q[0..qn) within maxd (<= EA_MAX_DIST) for terms of up to
 * max_len code points; force_rows picks the table form whatever qn is (for
 * tests). NULL when out of memory. Free with ea_free. */
struct edit_automaton *ea_new(const uint32_t *q, size_t qn, unsigned maxd, size_t max_len,
                              bool force_rows);
void ea_free(struct edit_automaton *a);

/* Step state d (1 <= d <= max_len) from states d - 1 and d - 2 with the
 * term's code point d - 1; returns whether some term with this prefix can
 * still come within maxd. A later step of d replaces this one, so a
 * caller may try code points at d before it steps the term's own. */
bool ea_step(struct edit_automaton *a, size_t d, uint32_t c);

/* The distance of the term whose state is tn, or maxd + 1 when beyond it. */
unsigned ea_distance(const struct edit_automaton *a, size_t tn);

#endif
