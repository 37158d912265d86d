/* test_format_pin.c -- the bundled corpus indexes to exactly the bytes
 * recorded here. A change that moves code around must leave every byte of
 * the segment as it was; a change that means to alter the format bumps
 * SIFT_FORMAT_VERSION and records the new digests (run this test: it
 * prints them). An edit of the corpus, or of a parameter every reader
 * takes from the header (the page size: test_segfile reads each), re-pins
 * them without a version. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hash.h"
#include "helpers.h"

/* Format 8: hash64 and size of seg-000001.sift for the corpus. */
#define PIN_FORMAT 8
#define PIN_SEGMENT_HASH 0xdc013a03e88c6741ull
#define PIN_SEGMENT_SIZE 56192u

static void segment_digest(const char *dir, uint64_t *hash, size_t *size)
{
    unsigned char *d = file_contents(dir, "seg-000001.sift", size);
    *hash = hash64(d, *size);
    free(d);
}

/* The index of the corpus with `threads` threads and a budget of ram_mb. */
static void digest_with(unsigned threads, unsigned ram_mb, uint64_t *hash, size_t *size)
{
    char *dir = tmpdir_make();
    assert_int_equal(build_corpus_index_threads(dir, ram_mb, threads), 32);
    segment_digest(dir, hash, size);
    tmpdir_remove(dir);
}

static void test_corpus_bytes_are_pinned(void **state)
{
    (void)state;
    assert_int_equal(SIFT_FORMAT_VERSION, PIN_FORMAT);
    uint64_t h1, h2;
    size_t n1, n2;
    digest_with(1, 16, &h1, &n1);
    digest_with(2, 1, &h2, &n2);   /* 1 MiB: the inverter spills runs */
    printf("format %d: segment hash 0x%016llxull, size %zu\n", SIFT_FORMAT_VERSION,
           (unsigned long long)h1, n1);
    assert_int_equal(n1, n2);   /* neither threads nor spilling change a byte */
    assert_true(h1 == h2);
    assert_int_equal(n1, PIN_SEGMENT_SIZE);
    assert_true(h1 == PIN_SEGMENT_HASH);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_corpus_bytes_are_pinned),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
