/* helpers.h -- what the tests share: temporary directories and small
 * indexes built from arrays of documents. */
#ifndef SIFT_TEST_HELPERS_H
#define SIFT_TEST_HELPERS_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <sift/sift.h>

struct test_doc {
    const char *id, *title, *text;
};

/* The next value of the tests' xorshift generator (13, 7, 17) over *state
 * (never 0): one sequence per seed, the same on every machine. */
static inline uint64_t xorshift64(uint64_t *state)
{
    *state ^= *state << 13;
    *state ^= *state >> 7;
    *state ^= *state << 17;
    return *state;
}

/* A fresh directory under $TMPDIR (malloc'ed path). */
char *tmpdir_make(void);
/* rm -rf path, then free it. */
void tmpdir_remove(char *path);

/* Build an index of docs in dir; fails the test on error. */
void build_index(const char *dir, const struct test_doc *docs, size_t n);

/* Index the bundled corpus/ into dir with a RAM budget (MiB); returns the
 * number of documents. */
size_t build_corpus_index(const char *dir, unsigned ram_mb);
/* The same with `threads` writer threads (sift_writer_options.threads). */
size_t build_corpus_index_threads(const char *dir, unsigned ram_mb, unsigned threads);

/* The whole file at dir/name (name NULL: dir is the path), malloc'ed;
 * fails the test when it cannot be read. */
unsigned char *file_contents(const char *dir, const char *name, size_t *n);

/* Open dir and count the matches of query. */
uint64_t count_matches(const char *dir, const char *query);
/* The matches of query in an open index, parsed with flags (fails the test on an error). */
uint64_t index_count(sift_index *idx, const char *query, unsigned flags);

/* Open dir, run query, return the ids of the top `limit` hits joined by
 * spaces (malloc'ed). */
char *search_ids(const char *dir, const char *query, uint32_t limit);

#endif
