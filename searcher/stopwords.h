/* stopwords.h -- the words a ranked query may drop when they stand alone
 * as optional clauses (docs/QUERY.md), per stemmer language. */
#ifndef SIFT_STOPWORDS_H
#define SIFT_STOPWORDS_H

#include <stdbool.h>
#include <stddef.h>

/* The stopwords of `language` as typed, or NULL when it has none (lucene:
 * Lucene's shorter list, else Snowball's); *n receives their number. */
const char *const *stopwords_for(const char *language, bool lucene, size_t *n);

/* Whether word[0..len), ignoring ASCII case, is one of the n words of list:
 * "The" is "the", "thé" is not. */
bool stopword_is(const char *const *list, size_t n, const char *word, size_t len);

#endif
