/* analyzer.h -- text to terms: the one analyzer used for documents and
 * queries alike, so that what a query asks for is spelled as the index
 * spells it.
 *
 * Rules (docs/ARCHITECTURE.md has the rationale):
 *   - Input is UTF-8. An invalid byte is decoded as U+FFFD, a separator:
 *     it is never part of a term and never ends the text early.
 *   - Term characters are Unicode letters, digits and combining marks of
 *     any script. A word is a run of them that may contain the joiners
 *     - . ' ’ and a comma between digits.
 *   - A word is split at hyphens into successive terms ("GPT-4o" -> gpt, 4o;
 *     "e-commerce" -> e, commerce). Single letters joined by dots form an
 *     acronym ("U.S." -> us). A dot between digits stays ("2.61"), other
 *     dots split. Commas between digits are dropped ("1,000" -> 1000).
 *     A final 's after an apostrophe is dropped (possessive), other
 *     apostrophes are dropped ("O'Reilly" -> oreilly).
 *   - Each term is folded: NFKD compatibility decomposition, Unicode case
 *     folding, combining marks removed (utf8proc), then stemmed with the
 *     index's Snowball stemmer when it contains a letter.
 *   - Terms longer than ANALYZER_MAX_TERM bytes are cut at a character
 *     boundary. Stopwords are kept.
 *   - Every term takes the next position; positions count from first_pos.
 */
#ifndef SIFT_ANALYZER_H
#define SIFT_ANALYZER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ANALYZER_MAX_TERM 100
#define ANALYZER_VERSION 1

struct analyzer;

/* A stemmer by Snowball name or ISO code ("english", "en", "none").
 * NULL when libstemmer does not know the language or memory is short.
 * An analyzer is not thread-safe: use one per thread. */
struct analyzer *analyzer_new(const char *language);
void analyzer_free(struct analyzer *a);

/* Remember the stems of short terms in a direct-mapped cache of `slots`
 * (rounded up to a power of two) entries of 56 bytes: the indexer's, which
 * sees millions of tokens, takes ANALYZER_CACHE_LARGE (about 1 MiB); a
 * result set's snippets ANALYZER_CACHE_SMALL. Word frequencies are
 * Zipfian, so most stemmer calls become a look-up. Returns -1 when memory
 * is short (the analyzer still works without). */
#define ANALYZER_CACHE_LARGE 16384
#define ANALYZER_CACHE_SMALL 1024
int analyzer_enable_cache(struct analyzer *a, unsigned slots);

/* Turn stemming off (or back on): prefixes are folded but not stemmed.
 * Returns whether it was on. */
int analyzer_set_stemming(struct analyzer *a, int on);

/* Stem only terms whose first byte is in `firsts` (256 flags; NULL: every
 * term), for a caller that only compares terms with a known set and
 * takes the first bytes of its stems: a term left unstemmed starts with a
 * byte no stem in the set starts with, so it matches none either way.
 * Returns 0 and filters nothing (every term stemmed) unless the stemmer
 * keeps a term's first byte (English and Porter: their rules rewrite
 * suffixes only; analyzer.c says why), so it is exact for any language.
 * firsts must live until the filter is cleared. */
int analyzer_set_stem_filter(struct analyzer *a, const bool *firsts);

/* Whether libstemmer knows `language` (or it is "none"). */
int analyzer_language_ok(const char *language);

struct token {
    const char *term;   /* folded, stemmed term; valid during the callback */
    size_t len;
    const char *word;   /* the same folded but not stemmed (== term when not stemmed) */
    size_t word_len;
    uint32_t pos;       /* position */
    size_t start, end;  /* byte range of the source word part in the text */
};

/* Called for each term; a non-zero return stops analysis and is returned
 * by analyzer_run. */
typedef int (*token_fn)(void *ctx, const struct token *t);

/* Analyze text[0..len). *next_pos receives the position after the last
 * term (first_pos when there was none). */
int analyzer_run(struct analyzer *a, const char *text, size_t len, uint32_t first_pos,
                 token_fn fn, void *ctx, uint32_t *next_pos);

#endif
