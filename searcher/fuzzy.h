/* fuzzy.h -- the index terms within an edit distance of a term (word~N),
 * found by a walk of each segment's term trie (or sorted dictionary) that
 * leaves every prefix already too far (never a scan of every term). */
#ifndef SIFT_FUZZY_H
#define SIFT_FUZZY_H

#include <stddef.h>
#include <stdint.h>

#include <sift/sift.h>

#include "dict.h"
#include "strlist.h"

#define FUZZY_MAX_DIST 2

struct fuzzy_match {
    size_t term;        /* offset of the term in the list's bytes */
    unsigned dist;      /* Damerau-Levenshtein (adjacent transpositions), in code points */
    uint64_t df;        /* documents holding it, summed over segments (deletions counted) */
    double weight;      /* 1 - dist / the shorter length in code points (Lucene's similarity) */
};

/* Told of each key within the distance: its bytes (a surface form's whole
 * key, dict.c), the length of the word compared, the distance, Lucene's
 * similarity and the key's counts. Non-zero stops the walk. */
typedef int (*fuzzy_fn)(void *ctx, const char *key, size_t len, size_t word_len, unsigned dist,
                        double weight, const struct term_info *ti);

/* Walk the terms (surface false) or the surface forms (true) of every
 * segment of idx for those within maxd (<= 2) of word[0..len). With
 * keep_first, only keys that begin with the word's first code point, or
 * with its first two swapped, as spelling correctors do (Lucene's
 * DirectSpellChecker keeps one): a tenth of the work or less. */
sift_err fuzzy_walk(const sift_index *idx, bool surface, const char *word, size_t len, unsigned maxd,
                    bool keep_first, fuzzy_fn fn, void *ctx, sift_errmsg *err);

/* The distinct terms of every segment of idx within maxd (<= 2) of
 * term[0..len), nearest first, then most frequent, then in byte order: at
 * most cap of them into terms (their bytes) and *out (malloc'd, *n
 * entries); *capped when there were more. */
sift_err fuzzy_expand(const sift_index *idx, const char *term, size_t len, unsigned maxd, size_t cap,
                      struct strlist *terms, struct fuzzy_match **out, size_t *n, bool *capped,
                      sift_errmsg *err);

/* The same ranking over given candidates (cands' strings, dfs[i] the
 * documents of the i-th): those within maxd of term, as fuzzy_expand
 * would choose them from an index holding exactly these terms. The
 * statistics exchange (global_stats.h) expands this way. */
sift_err fuzzy_rank_terms(const char *term, size_t len, unsigned maxd, const struct strlist *cands,
                          const uint64_t *dfs, size_t cap, struct strlist *terms, struct fuzzy_match **out,
                          size_t *n, bool *capped, sift_errmsg *err);

/* The distance of a and b when it is at most maxd, else maxd + 1 (for
 * tests and the oracle). */
unsigned fuzzy_distance(const char *a, size_t an, const char *b, size_t bn, unsigned maxd);

/* The same by the automaton's table form (rows) or its bit-parallel one
 * where the word allows (edit_automaton.h), for the tests that hold one
 * to the other. */
unsigned fuzzy_distance_form(const char *a, size_t an, const char *b, size_t bn, unsigned maxd,
                             bool rows);

#endif
