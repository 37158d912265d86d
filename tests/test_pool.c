/* test_pool.c -- documents analyzed on several threads (build_pool.h): an
 * index built with 1, 2, 3 and 4 threads is the same byte for byte --
 * segment, manifest and deletions -- with a budget small enough that
 * batches are many, runs spill inside documents and the caller runs
 * batches itself; with streamed documents and documents larger than a
 * batch between the batches, typed
 * fields, and a document replaced while pending; and an error of a
 * worker reaches the caller, not lost. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "build_pool.h"
#include "helpers.h"

#define DOCS 4000

static uint64_t rng;
static uint32_t rnd(void) { return (uint32_t)xorshift64(&rng); }

/* A random word: letters of a number, sometimes with an ending to stem. */
static size_t make_word(char *w, uint32_t k, uint32_t ending)
{
    static const char *const endings[] = { "", "s", "ing", "ed", "ly" };
    size_t n = 0;
    do w[n++] = (char)('a' + k % 26), k /= 26; while (k);
    strcpy(w + n, endings[ending % 5]);
    return strlen(w);
}

static char *make_text(uint32_t words, size_t *len)
{
    char *t = malloc((size_t)words * 16 + 1);
    size_t n = 0;
    for (uint32_t i = 0; i < words; i++) {
        n += make_word(t + n, rnd() % (i % 3 ? 50 : 5000), rnd());
        t[n++] = i % 17 == 16 ? '.' : ' ';
    }
    t[n] = 0;
    *len = n;
    return t;
}

struct stream {
    const char *text;
    size_t len, at;
};

static long long read_piece(void *ctx, char *buf, size_t cap)
{
    struct stream *s = ctx;
    size_t n = s->len - s->at < cap ? s->len - s->at : cap;
    if (n > 777) n = 777;   /* in small pieces */
    memcpy(buf, s->text + s->at, n);
    s->at += n;
    return (long long)n;
}

static void build(const char *dir, unsigned threads)
{
    sift_errmsg err;
    sift_writer *w;
    sift_writer_options o = { sizeof(sift_writer_options), "english", 1, 1, threads };
    if (sift_writer_open(dir, &o, &w, &err)) fail_msg("writer_open: %s", err.msg);
    assert_int_equal(sift_writer_declare_field(w, "source", SIFT_FIELD_KEYWORD, &err), SIFT_OK);
    assert_int_equal(sift_writer_declare_field(w, "summary", SIFT_FIELD_TEXT, &err), SIFT_OK);
    assert_int_equal(sift_writer_declare_field(w, "year", SIFT_FIELD_NUMBER, &err), SIFT_OK);
    rng = 0x2545F4914F6CDD1Dull;
    for (uint32_t d = 0; d < DOCS; d++) {
        size_t len, tlen;
        /* some long, two longer than a batch (analyzed where they are, not copied) */
        char *text = make_text(d % 2000 == 1234 ? 250000 : d % 500 == 7 ? 60000 : 1 + rnd() % 300, &len);
        char *title = make_text(1 + rnd() % 6, &tlen);
        char id[32];
        snprintf(id, sizeof id, "d%u", d % 1000 == 999 ? 5 : d);   /* d5 is replaced, pending, 4 times */
        if (d % 3 == 0) {
            char src[16], year[16];
            snprintf(src, sizeof src, "src%u", rnd() % 7);
            snprintf(year, sizeof year, "%u", 1990 + rnd() % 30);
            assert_int_equal(sift_writer_field(w, "source", src, &err), SIFT_OK);
            assert_int_equal(sift_writer_field(w, "summary", title, &err), SIFT_OK);
            assert_int_equal(sift_writer_field(w, "year", year, &err), SIFT_OK);
        }
        if (d % 250 == 100) {   /* streamed, between batches */
            struct stream s = { text, len, 0 };
            assert_int_equal(sift_writer_add_stream(w, id, title, len, read_piece, &s, &err), SIFT_OK);
        } else {
            assert_int_equal(sift_writer_add(w, id, title, text, len, &err), SIFT_OK);
        }
        free(text);
        free(title);
    }
    if (sift_writer_commit(w, &err)) fail_msg("commit: %s", err.msg);
    sift_writer_close(w);
}

static void same_file(const char *a, const char *b, const char *name)
{
    size_t na, nb;
    unsigned char *x = file_contents(a, name, &na), *y = file_contents(b, name, &nb);
    if (na != nb || memcmp(x, y, na)) fail_msg("%s differs between %s and %s", name, a, b);
    free(x);
    free(y);
}

static void test_same_whatever_the_threads(void **state)
{
    (void)state;
    char *dirs[4];
    for (unsigned t = 1; t <= 4; t++) {
        dirs[t - 1] = tmpdir_make();
        build(dirs[t - 1], t);
    }
    size_t n;
    unsigned char *seg = file_contents(dirs[0], "seg-000001.sift", &n);
    assert_true(n > 2000000);   /* batches of 1 MiB: several */
    free(seg);
    for (unsigned t = 2; t <= 4; t++) {
        same_file(dirs[0], dirs[t - 1], "seg-000001.sift");
        same_file(dirs[0], dirs[t - 1], "manifest");
    }
    /* the replaced documents' tokens are in the statistics as deleted */
    sift_index *idx;
    sift_errmsg err;
    assert_int_equal(sift_index_open(dirs[3], &idx, &err), SIFT_OK);
    sift_index_stats st = { .struct_size = sizeof st };
    assert_int_equal(sift_index_stats_get(idx, &st, &err), SIFT_OK);
    assert_int_equal(st.doc_count, DOCS - 4);   /* d5 four times over */
    uint64_t problems = 1;
    assert_int_equal(sift_index_check(idx, NULL, NULL, &problems, &err), SIFT_OK);
    assert_int_equal(problems, 0);
    sift_index_close(idx);
    for (unsigned t = 0; t < 4; t++) tmpdir_remove(dirs[t]);
}

/* Documents that come faster than the workers analyze them, with a
 * streamed one every few: batches wait untaken ahead of the streamed
 * ones' (taken back at once), in every interleaving the threads happen
 * to find (ASan watches the list). */
static void test_streams_between_waiting_batches(void **state)
{
    (void)state;
    enum { N = 3000 };
    char **texts = malloc(N * sizeof *texts);
    size_t *lens = malloc(N * sizeof *lens);
    rng = 99;
    for (int d = 0; d < N; d++) texts[d] = make_text(d % 40 == 0 ? 20000 : 50 + rnd() % 200, &lens[d]);
    for (unsigned threads = 2; threads <= 3; threads++) {
        char *dir = tmpdir_make();
        sift_errmsg err;
        sift_writer *w;
        sift_writer_options o = { sizeof(sift_writer_options), "english", 1, 1, threads };
        assert_int_equal(sift_writer_open(dir, &o, &w, &err), SIFT_OK);
        for (int d = 0; d < N; d++) {
            char id[16];
            snprintf(id, sizeof id, "s%d", d);
            if (d % 7 == 3) {
                struct stream s = { texts[d], lens[d], 0 };
                assert_int_equal(sift_writer_add_stream(w, id, "", lens[d], read_piece, &s, &err), SIFT_OK);
            } else {
                assert_int_equal(sift_writer_add(w, id, "", texts[d], lens[d], &err), SIFT_OK);
            }
        }
        assert_int_equal(sift_writer_commit(w, &err), SIFT_OK);
        sift_writer_close(w);
        tmpdir_remove(dir);
    }
    for (int d = 0; d < N; d++) free(texts[d]);
    free(texts);
    free(lens);
}

/* Runs cannot be written: a worker's error reaches the caller with the
 * file in its message, from a later add or from the drain. */
static void test_worker_error_reported(void **state)
{
    (void)state;
    struct build_pool *p;
    sift_errmsg err;
    assert_int_equal(build_pool_open(&p, 2, "english", "/nonexistent-sift-dir/x-", 1 << 20, &err), SIFT_OK);
    rng = 7;
    sift_err seen = SIFT_OK;
    for (uint32_t d = 0; d < 2000 && !seen; d++) {
        size_t len;
        char *text = make_text(300, &len);
        struct doc_view v = { "", 0, text, len, NULL, NULL, NULL, NULL, NULL, 0 };
        bool short_read;
        seen = build_pool_add(p, d, &v, &short_read, &err);
        free(text);
    }
    sift_errmsg err2;
    assert_int_equal(build_pool_drain(p, &err2), SIFT_ERR_IO);
    assert_non_null(strstr(err2.msg, "/nonexistent-sift-dir/x-"));
    if (seen) {
        assert_int_equal(seen, SIFT_ERR_IO);
        assert_string_equal(err.msg, err2.msg);
    }
    build_pool_free(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_same_whatever_the_threads),
        cmocka_unit_test(test_streams_between_waiting_batches),
        cmocka_unit_test(test_worker_error_reported),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
