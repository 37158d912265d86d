/* fuzz_index.c -- libFuzzer target: opening and searching an index whose
 * segment file is arbitrary bytes. Built with SIFT_FUZZ_SKIP_CRC, so that
 * mutations get past the checksums to the decoders, which must report
 * corruption and never read outside the mapping. Seeds: a real small
 * segment (scripts/fuzz.sh makes it). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sift/sift.h>

#include "bytes.h"
#include "manifest.h"

static char dir[64];

static void report(void *ctx, const char *p)
{
    (void)ctx;
    (void)p;
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);
int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    if (!dir[0]) {
        snprintf(dir, sizeof dir, "/tmp/sift-fuzz-index-%ld", (long)getpid());
        char cmd[128];
        snprintf(cmd, sizeof cmd, "mkdir -p %s", dir);
        if (system(cmd)) abort();
    }
    if (size < 64) return 0;
    /* a manifest naming one segment with the document count the bytes claim */
    uint32_t docs = 0;
    for (size_t i = 64; i + 4 <= size && i < 200; i += 64) docs = docs ? docs : rd_u32(data + i);
    struct manifest_segment seg = { 1, docs, 0, 0, 0 };
    struct manifest m = { 1, 1, &seg };
    if (manifest_write(dir, &m, NULL)) return 0;
    char path[128];
    snprintf(path, sizeof path, "%s/seg-000001.sift", dir);
    FILE *f = fopen(path, "wb");
    if (!f) return 0;
    fwrite(data, 1, size, f);
    fclose(f);
    sift_index *idx;
    sift_errmsg err;
    if (sift_index_open(dir, &idx, &err) == SIFT_OK) {
        const char *qs[] = { "cloud", "\"cloud outage\"", "NEAR/3(azure bytedance)", "a* -b", "title:x" };
        for (int i = 0; i < 5; i++) {
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
            sift_query_free(q);
        }
        uint64_t problems;
        sift_index_check(idx, report, NULL, &problems, &err);
        sift_index_close(idx);
    }
    return 0;
}
