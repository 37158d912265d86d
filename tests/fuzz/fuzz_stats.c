/* fuzz_stats.c -- libFuzzer target for the statistics exchange's decoder
 * (sift_stats_decode): bytes from another process. The input gets a valid
 * CRC-32 appended half the time, so mutations reach the fields behind it.
 * What decodes must encode and decode to the same value, sum with itself, and
 * bind its own query on a small index, whose search must not fail. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include <sift/sift.h>

static sift_index *idx;

static void build(void)
{
    char tmpl[] = "/tmp/sift-fuzz-stats-XXXXXX";
    const char *dir = mkdtemp(tmpl);
    sift_writer *w;
    if (!dir || sift_writer_open(dir, NULL, &w, NULL)) abort();
    const char *text = "cloud clouds azure outage chips computers 2021";
    if (sift_writer_field(w, "source", "Reuters", NULL) ||
        sift_writer_add(w, "1", "Cloud outage", text, strlen(text), NULL) ||
        sift_writer_add(w, "2", "", "azure azure chip", 16, NULL) || sift_writer_commit(w, NULL))
        abort();
    sift_writer_close(w);
    if (sift_index_open(dir, &idx, NULL)) abort();
}

static void use(sift_stats *st)
{
    void *enc, *again;
    size_t n, m;
    sift_errmsg err;
    sift_stats *twice;
    if (sift_stats_encode(st, &enc, &n, &err) || sift_stats_decode(enc, n, &twice, &err) ||
        sift_stats_encode(twice, &again, &m, &err))
        abort();
    if (n != m || memcmp(enc, again, n)) abort();   /* what encodes decodes to the same */
    sift_free(enc);
    sift_free(again);
    if (sift_stats_merge(twice, st, &err)) abort();
    unsigned flags;
    const char *text = sift_stats_query(st, &flags);
    sift_query *q;
    if (!sift_query_parse_global(idx, text, flags, twice, &q, &err)) {
        sift_results *r;
        uint64_t count;
        if (sift_search(idx, q, NULL, &r, &err) == SIFT_OK) sift_results_free(r);
        sift_count(idx, q, &count, &err);
        sift_query_free(q);
    }
    sift_stats_free(twice);
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);
int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    if (!idx) build();
    if (size < 1 || size > 65536) return 0;
    unsigned char *buf = malloc(size + 12);
    size_t len = size - 1;
    if (data[0] & 1) {   /* the magic and a valid checksum around the rest */
        memcpy(buf, "SIFTST1", 8);
        memcpy(buf + 8, data + 1, len);
        len += 8;
        uLong crc = crc32(0, buf, (uInt)len);
        for (int i = 0; i < 4; i++) buf[len++] = (unsigned char)(crc >> (8 * i));
    } else {
        memcpy(buf, data + 1, len);
    }
    sift_stats *st;
    sift_errmsg err;
    if (sift_stats_decode(buf, len, &st, &err) == SIFT_OK) {
        use(st);
        sift_stats_free(st);
    }
    free(buf);
    return 0;
}
