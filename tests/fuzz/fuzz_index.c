/* fuzz_index.c -- libFuzzer target: opening, searching and checking an index
 * whose one segment is arbitrary bytes, read in place from memory
 * (index_open_memory): no file is written per input. Built with
 * SIFT_FUZZ_SKIP_CRC, so that mutations get past the checksums to the
 * decoders, which must report corruption and never read outside the bytes.
 * Seeds: a real small segment (scripts/fuzz.sh makes it). */
#include <stdlib.h>
#include <string.h>

#include <sift/sift.h>

#include "index.h"

static void report(void *ctx, const char *p)
{
    (void)ctx;
    (void)p;
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);
int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    if (size < 64) return 0;
    /* a copy of exactly `size` bytes, so that ASan sees any read past them */
    unsigned char *copy = malloc(size);
    memcpy(copy, data, size);
    sift_index *idx;
    sift_errmsg err;
    if (index_open_memory(copy, size, &idx, &err) == SIFT_OK) {
        const char *qs[] = { "cloud", "\"cloud outage\"", "NEAR/3(azure bytedance)", "a* -b", "title:x",
                             "clod~2 azrue~1" };   /* fuzzy words walk the term trie */
        for (int i = 0; i < 6; i++) {
            sift_query *q;
            if (sift_query_parse(idx, qs[i], &q, &err)) continue;
            sift_results *r;
            if (sift_search(idx, q, NULL, &r, &err) == SIFT_OK) {
                for (size_t k = 0; k < sift_results_size(r); k++) {
                    sift_hit h = { .struct_size = sizeof h };
                    char *s = NULL;
                    if (!sift_results_hit(r, k, &h, &err)) sift_results_snippet(r, k, NULL, &s, &err);
                    sift_free(s);
                }
                sift_results_free(r);
            }
            uint64_t n;
            sift_count(idx, q, &n, &err);
            sift_query_free(q);
        }
        uint64_t problems;
        sift_index_check(idx, report, NULL, &problems, &err);
        sift_index_close(idx);
    }
    free(copy);
    return 0;
}
