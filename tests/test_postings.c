/* test_postings.c -- postings lists written by the indexer and read back
 * by the iterator: every document, frequency and position, by next() and
 * by advance(), for list lengths around the block size and for the
 * largest gaps. */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bytes.h"
#include "helpers.h"
#include "dict.h"
#include "doc_ids.h"
#include "docstore.h"
#include "index.h"
#include "norms.h"
#include "postings.h"

#define NDOCS 3000

static uint64_t rng = 0x9E3779B97F4A7C15ull;
static uint32_t rnd(void)
{
    return (uint32_t)xorshift64(&rng);
}

/* Document d contains term "tK" (K in 0..5) when has(K, d); with tf
 * occurrences; term t6 only in the first and last document. */
static int has(int k, uint32_t d)
{
    switch (k) {
    case 0: return 1;                          /* every document: 3000 */
    case 1: return d % 2 == 0;                 /* 1500 */
    case 2: return d % 23 == 5;                /* ~130 */
    case 3: return d == 1234;                  /* one */
    case 4: return d < 128;                    /* exactly one full block */
    case 5: return d < 129;                    /* a full block and one more */
    default: return d == 0 || d == NDOCS - 1;  /* the largest gap */
    }
}
static uint32_t tf_of(int k, uint32_t d) { return 1 + (d * 7 + (uint32_t)k) % (k == 0 ? 40 : 3); }

static char *dir;

static int setup(void **state)
{
    (void)state;
    dir = tmpdir_make();
    struct test_doc *docs = calloc(NDOCS, sizeof *docs);
    char **texts = calloc(NDOCS, sizeof *texts);
    for (uint32_t d = 0; d < NDOCS; d++) {
        struct buf b = { 0 };
        for (int k = 0; k < 7; k++) {
            if (!has(k, d)) continue;
            for (uint32_t j = 0; j < tf_of(k, d); j++) {
                char w[16];
                snprintf(w, sizeof w, "t%d filler ", k);
                buf_append(&b, w, strlen(w));
            }
        }
        buf_append(&b, "", 1);
        texts[d] = (char *)b.data;
        char *id = malloc(16);
        snprintf(id, 16, "d%u", d);
        docs[d] = (struct test_doc){ id, "", texts[d] };
    }
    build_index(dir, docs, NDOCS);
    for (uint32_t d = 0; d < NDOCS; d++) {
        free((char *)docs[d].id);
        free(texts[d]);
    }
    free(docs);
    free(texts);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    tmpdir_remove(dir);
    return 0;
}

static void open_term(sift_index *idx, int k, struct postings *p, sift_errmsg *err)
{
    char term[8];
    snprintf(term, sizeof term, "t%d", k);
    struct term_info ti;
    bool found;
    assert_int_equal(dict_lookup(&idx->segs[0], term, strlen(term), &ti, &found, err), SIFT_OK);
    assert_true(found);
    assert_int_equal(postings_open(p, &idx->segs[0], &ti, err), SIFT_OK);
}

/* Positions of term k in document d, as the setup wrote them: the title
 * is empty, each document repeats "tK filler" for every term in turn. */
static void expected_positions(int k, uint32_t d, uint32_t *out, uint32_t *n)
{
    uint32_t pos = 0;
    *n = 0;
    for (int j = 0; j < 7; j++) {
        if (!has(j, d)) continue;
        for (uint32_t r = 0; r < tf_of(j, d); r++) {
            if (j == k) out[(*n)++] = pos;
            pos += 2;
        }
    }
}

static void test_next_all_terms(void **state)
{
    (void)state;
    sift_errmsg err;
    sift_index *idx;
    assert_int_equal(sift_index_open(dir, &idx, &err), SIFT_OK);
    uint32_t got[64], want[64], nwant;
    for (int k = 0; k < 7; k++) {
        struct postings p;
        open_term(idx, k, &p, &err);
        uint32_t d = postings_first(&p);
        uint32_t df = 0;
        for (uint32_t e = 0; e < NDOCS; e++) {
            if (!has(k, e)) continue;
            assert_int_equal(d, e);
            assert_int_equal(postings_tf(&p), tf_of(k, e));
            /* positions on every other document, to exercise skipping them */
            if (e % 2 == 0) {
                expected_positions(k, e, want, &nwant);
                assert_int_equal(postings_positions(&p, got), (int)nwant);
                assert_memory_equal(got, want, nwant * sizeof *got);
            }
            df++;
            d = postings_next(&p);
        }
        assert_int_equal(d, DOC_END);
        assert_int_equal(p.ti.df, df);
        assert_int_equal(p.rc, SIFT_OK);
    }
    sift_index_close(idx);
}

static void test_advance_random(void **state)
{
    (void)state;
    sift_errmsg err;
    sift_index *idx;
    assert_int_equal(sift_index_open(dir, &idx, &err), SIFT_OK);
    for (int k = 0; k < 7; k++) {
        for (int trial = 0; trial < 40; trial++) {
            struct postings p;
            open_term(idx, k, &p, &err);
            uint32_t d = postings_first(&p);
            while (d != DOC_END) {
                uint32_t target = d + 1 + rnd() % (trial < 20 ? 5 : 700);
                uint32_t want = DOC_END;
                for (uint32_t e = target; e < NDOCS; e++)
                    if (has(k, e)) {
                        want = e;
                        break;
                    }
                /* the call and the inline step (which hands the call the index it reached) */
                d = trial % 2 ? postings_seek(&p, target) : postings_advance(&p, target);
                assert_int_equal(d, want);
                if (d != DOC_END) {
                    uint32_t got[64], exp[64], n;
                    assert_int_equal(postings_tf(&p), tf_of(k, d));
                    expected_positions(k, d, exp, &n);
                    assert_int_equal(postings_positions(&p, got), (int)n);
                    assert_memory_equal(got, exp, n * sizeof *got);
                }
            }
        }
    }
    sift_index_close(idx);
}

/* Every document's lengths as written: no title, two tokens an occurrence. */
static void test_norms(void **state)
{
    (void)state;
    sift_errmsg err;
    sift_index *idx;
    assert_int_equal(sift_index_open(dir, &idx, &err), SIFT_OK);
    for (uint32_t d = 0; d < NDOCS; d++) {
        uint32_t want = 0, len = 1, title = 1;
        for (int k = 0; k < 7; k++)
            if (has(k, d)) want += 2 * tf_of(k, d);
        assert_int_equal(segment_norm(&idx->segs[0], d, &len, &title, &err), SIFT_OK);
        assert_int_equal(len, want);
        assert_int_equal(title, 0);
    }
    sift_index_close(idx);
}

static char *words(size_t n)
{
    char *s = malloc(2 * n + 1);
    for (size_t i = 0; i < n; i++) memcpy(s + 2 * i, "w ", 2);
    s[2 * n] = 0;
    return s;
}

/* Lengths packed in widths from 1 to 17 bits, the last document's read
 * against the end of the section. */
static void test_norm_widths(void **state)
{
    (void)state;
    static const size_t title[] = { 3, 0, 300, 1, 0 }, text[] = { 1, 70000, 1, 0, 5 };
    char *d2 = tmpdir_make();
    struct test_doc docs[5];
    char *mem[10];
    for (int i = 0; i < 5; i++) {
        char *id = malloc(8);
        snprintf(id, 8, "n%d", i);
        mem[2 * i] = words(title[i]);
        mem[2 * i + 1] = words(text[i]);
        docs[i] = (struct test_doc){ id, mem[2 * i], mem[2 * i + 1] };
    }
    build_index(d2, docs, 5);
    sift_errmsg err;
    sift_index *idx;
    assert_int_equal(sift_index_open(d2, &idx, &err), SIFT_OK);
    assert_int_equal(idx->segs[0].norm_bits, 17);
    assert_int_equal(idx->segs[0].title_bits, 9);
    for (uint32_t d = 0; d < 5; d++) {
        uint32_t len, tlen;
        assert_int_equal(segment_norm(&idx->segs[0], d, &len, &tlen, &err), SIFT_OK);
        assert_int_equal(len, title[d] + text[d]);
        assert_int_equal(tlen, title[d]);
    }
    sift_index_close(idx);
    for (int i = 0; i < 5; i++) free((char *)docs[i].id);
    for (int i = 0; i < 10; i++) free(mem[i]);
    tmpdir_remove(d2);
}

/* norm_window_read's two ways (one load for both lengths when their
 * widths sum to 57 bits or fewer, one each beyond) against a bit-by-bit
 * reading of values packed at every offset in the byte, up to the widest
 * lengths a section may hold; and a document whose bits lie past the
 * window is refused, not read. */
static uint32_t bits_at(const uint8_t *b, uint64_t at, unsigned w)
{
    uint32_t v = 0;
    for (unsigned i = 0; i < w; i++) v |= (uint32_t)(b[(at + i) >> 3] >> ((at + i) & 7) & 1) << i;
    return v;
}

static void test_norm_window_paths(void **state)
{
    (void)state;
    static const unsigned widths[][2] = { { 17, 9 }, { 1, 0 }, { 0, 3 }, { 32, 25 }, { 25, 32 },
                                          { 30, 28 }, { 32, 27 }, { 29, 31 }, { 32, 32 }, { 20, 20 } };
    enum { N = 200 };
    for (size_t k = 0; k < sizeof widths / sizeof widths[0]; k++) {
        unsigned lb = widths[k][0], tb = widths[k][1];
        size_t bytes = NORMS_HEADER + ((size_t)N * (lb + tb) + 7) / 8 + 8;
        uint8_t *buf = malloc(bytes);
        assert_non_null(buf);
        for (size_t i = 0; i < bytes; i++) buf[i] = (uint8_t)rnd();
        struct norm_window w = { NULL, buf, 0, bytes, lb, tb };
        for (uint32_t d = 0; d < N; d++) {
            uint64_t at = 8 * (uint64_t)NORMS_HEADER + (uint64_t)d * (lb + tb);
            uint32_t len = 0, tlen = 0;
            assert_true(norm_window_read(&w, d, &len, &tlen));
            assert_int_equal(len, bits_at(buf, at, lb));
            assert_int_equal(tlen, bits_at(buf, at + lb, tb));
        }
        struct norm_window part = { NULL, buf + 16, 16, 24, lb, tb };
        uint32_t len, tlen;
        assert_false(norm_window_read(&part, N - 1, &len, &tlen));
        free(buf);
    }
}

/* The skip table's title tf is each block's largest count of the word in a
 * title: 0 for a block of titles without it, which BM25F's bounds rely on. */
static void test_title_tf(void **state)
{
    (void)state;
    enum { N = 1000 };   /* seven full blocks and a short one */
    char *d2 = tmpdir_make();
    struct test_doc *docs = calloc(N, sizeof *docs);
    char (*ids)[16] = calloc(N, sizeof *ids);
    uint32_t want[8] = { 0 };
    for (uint32_t d = 0; d < N; d++) {
        uint32_t b = d / 128, in_title = b == 1 && d == 200 ? 2 : b == 3 || (b == 7 && d == N - 1) ? 1 : 0;
        if (in_title > want[b]) want[b] = in_title;
        snprintf(ids[d], sizeof ids[d], "d%u", d);
        docs[d] = (struct test_doc){ ids[d], in_title == 2 ? "alpha and alpha" : in_title ? "alpha" : "gamma",
                                     "alpha beta alpha" };
    }
    build_index(d2, docs, N);
    sift_index *idx;
    sift_errmsg err;
    assert_int_equal(sift_index_open(d2, &idx, &err), SIFT_OK);
    struct term_info ti;
    bool found;
    assert_int_equal(dict_lookup(&idx->segs[0], "alpha", 5, &ti, &found, &err), SIFT_OK);
    assert_true(found);
    struct postings p;
    assert_int_equal(postings_open(&p, &idx->segs[0], &ti, &err), SIFT_OK);
    assert_int_equal(p.nblocks, 8);
    for (uint32_t b = 0; b < 8; b++) assert_int_equal(postings_block_title_tf(&p, b), want[b]);
    assert_int_equal(postings_block_title_tf(&p, 8), 0);   /* past the end */
    uint64_t problems = 1;
    assert_int_equal(sift_index_check(idx, NULL, NULL, &problems, &err), SIFT_OK);
    assert_int_equal(problems, 0);
    sift_index_close(idx);
    free(docs);
    free(ids);
    tmpdir_remove(d2);
}

/* A block's positions straight through the codec: documents read after
 * others are skipped, for frequencies that fit the reader's 32-bit sums
 * and for one of 2^24 + 5, which does not (the 64-bit path). */
static void check_positions_block(const uint32_t *tfs, uint32_t n)
{
    struct positions_writer w = { 0 };
    w.f = tmpfile();
    w.path = "tmpfile";
    assert_non_null(w.f);
    sift_errmsg err;
    positions_writer_begin_term(&w);
    uint32_t most = 0;
    for (uint32_t i = 0; i < n; i++) most = tfs[i] > most ? tfs[i] : most;
    uint32_t *pos = malloc((size_t)most * sizeof *pos), *got = malloc((size_t)most * sizeof *got);
    assert_non_null(pos);
    assert_non_null(got);
    for (uint32_t i = 0; i < n; i++) {
        for (uint32_t k = 0; k < tfs[i]; k++) pos[k] = 3 * k + i % 3;   /* gaps of 2 */
        assert_int_equal(positions_writer_add(&w, i, true, pos, tfs[i], &err), SIFT_OK);
    }
    uint64_t start, bytes;
    assert_int_equal(positions_writer_end_block(&w, n, &start, &err), SIFT_OK);
    assert_int_equal(positions_writer_end_term(&w, &bytes, &err), SIFT_OK);
    uint8_t *data = malloc(bytes);
    rewind(w.f);
    assert_int_equal(fread(data, 1, bytes, w.f), bytes);
    struct positions_cursor c;
    uint32_t firsts[POSTINGS_BLOCK], gaps[POSTINGS_BLOCK];
    assert_null(positions_block_open(&c, data, bytes, n, firsts));
    for (uint32_t i = 0; i < n; i += 2) {   /* every other document: the rest are skipped */
        assert_null(positions_block_read(&c, tfs, firsts, gaps, i, got));
        for (uint32_t k = 0; k < tfs[i]; k++) assert_int_equal(got[k], 3 * k + i % 3);
    }
    free(data);
    free(pos);
    free(got);
    fclose(w.f);
    positions_writer_free(&w);
}

static void test_positions_sums(void **state)
{
    (void)state;
    uint32_t tfs[POSTINGS_BLOCK];
    for (uint32_t i = 0; i < POSTINGS_BLOCK; i++) tfs[i] = 1 + (i * 37) % 300;
    check_positions_block(tfs, POSTINGS_BLOCK);
    check_positions_block(tfs, 57);
    tfs[1] = (1u << 24) + 5;   /* skipped over, then read past */
    check_positions_block(tfs, 5);
}

/* A frequency of 2^32 (stored as 2^32 - 1) is refused wherever the run's
 * width lets it be written: with an exception above a 24-bit width, or in
 * a 32-bit run; the largest frequency that fits is read. */
static void check_tfs(const uint32_t *stored, bool bad)
{
    uint8_t run[PFOR_MAX_SIZE];
    pfor_encode(stored, run);
    struct segment seg;
    memset(&seg, 0, sizeof seg);
    seg.file.path = "test";
    sift_errmsg err;
    struct postings p;
    memset(&p, 0, offsetof(struct postings, docs));
    p.seg = &seg;
    p.err = &err;
    p.n = POSTINGS_BLOCK;
    p.tf_packed = run;
    postings_decode_tfs(&p);
    assert_int_equal(p.rc, bad ? SIFT_ERR_CORRUPT : SIFT_OK);
    for (uint32_t i = 0; i < POSTINGS_BLOCK; i++) assert_int_equal(p.tfs[i], bad ? 0 : stored[i] + 1);
}

static void test_tf_overflow(void **state)
{
    (void)state;
    uint32_t v[POSTINGS_BLOCK] = { 0 };
    v[5] = UINT32_MAX;   /* one large value: an exception */
    check_tfs(v, true);
    v[5] = UINT32_MAX - 1;
    check_tfs(v, false);
    for (uint32_t i = 0; i < POSTINGS_BLOCK; i++) v[i] = UINT32_MAX - 1 - i;   /* a 32-bit run */
    check_tfs(v, false);
    v[77] = UINT32_MAX;
    check_tfs(v, true);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_next_all_terms),
        cmocka_unit_test(test_advance_random),
        cmocka_unit_test(test_positions_sums),
        cmocka_unit_test(test_tf_overflow),
        cmocka_unit_test(test_norms),
        cmocka_unit_test(test_norm_widths),
        cmocka_unit_test(test_norm_window_paths),
        cmocka_unit_test(test_title_tf),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
