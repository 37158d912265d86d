/* test_pipe.c -- the inverter on its own thread (token_pipe.h): the same
 * stems, runs, merge and surface forms as on the caller's thread, buffers
 * wrapping many times, and an error of the thread reported, not lost. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyzer.h"
#include "helpers.h"
#include "invert.h"
#include "segment_writer.h"
#include "surface_forms.h"
#include "token_pipe.h"

#define DOCS 3000

static uint64_t rng;
static uint32_t rnd(void)
{
    return (uint32_t)xorshift64(&rng);
}

/* Everything the merge hands its sink, folded into one hash. */
struct digest {
    uint64_t h, calls;
};

static void mix(struct digest *d, uint64_t v)
{
    d->h = (d->h ^ v) * 1099511628211ull;
    d->calls++;
}

static sift_err d_term(void *ctx, const char *term, size_t len)
{
    for (size_t i = 0; i < len; i++) mix(ctx, (uint8_t)term[i]);
    mix(ctx, len);
    return SIFT_OK;
}
static sift_err d_doc(void *ctx, uint32_t doc)
{
    mix(ctx, doc);
    return SIFT_OK;
}
static sift_err d_pos(void *ctx, const uint32_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++) mix(ctx, p[i]);
    return SIFT_OK;
}
static sift_err d_end(void *ctx)
{
    mix(ctx, 0xE);
    return SIFT_OK;
}

/* The surface forms: every entry, in the order they were met. */
static void mix_forms(struct digest *dg, const struct surface_forms *sf)
{
    for (size_t i = 0; i < sf->n; i++) {
        const struct surface_form *f = &sf->v[i];
        mix(dg, f->df);
        mix(dg, (uint32_t)f->cf);
        for (size_t k = 0; k < (size_t)f->word_len + f->stem_len; k++) mix(dg, sf->bytes.data[f->off + k]);
    }
}

/* A random word: letters of a number, sometimes with an ending to stem. */
static size_t make_word(char *w, uint32_t k, uint32_t ending)
{
    static const char *const endings[] = { "", "s", "ing", "ed", "ly" };
    size_t n = 0;
    do w[n++] = (char)('a' + k % 26), k /= 26; while (k);
    strcpy(w + n, endings[ending % 5]);
    return strlen(w);
}

/* Feed DOCS random documents (a few long ones) through the pipe, which
 * stems, or stem them here; a budget of 256 KiB spills many runs. Returns
 * the digest of the merge and the surface forms. */
static struct digest invert_all(const char *prefix, bool piped, size_t budget)
{
    struct inverter *inv = inverter_new(prefix, budget);
    assert_non_null(inv);
    struct surface_forms sf;
    memset(&sf, 0, sizeof sf);
    assert_true(strmap_init(&sf.map, 64));
    struct analyzer *an = analyzer_new("english");
    assert_non_null(an);
    struct token_pipe *p = NULL;
    sift_errmsg err;
    if (piped) assert_int_equal(token_pipe_open(&p, inv, &sf, "english", &err), SIFT_OK);
    rng = 0x2545F4914F6CDD1Dull;
    for (uint32_t d = 0; d < DOCS; d++) {
        uint32_t n = d % 500 == 7 ? 20000 : 1 + rnd() % 300;
        if (piped) assert_int_equal(token_pipe_begin_doc(p, d, &err), SIFT_OK);
        else inverter_begin_doc(inv, d);
        for (uint32_t pos = 0; pos < n; pos++) {
            char word[32];
            size_t len = make_word(word, rnd() % (pos % 3 ? 50 : 5000), rnd());
            if (piped) {
                assert_int_equal(token_pipe_stem(p, word, len, pos, &err), SIFT_OK);
                continue;
            }
            const char *term;
            size_t tl;
            bool stemmed = analyzer_stem_word(an, word, len, &term, &tl);
            assert_int_equal(inverter_add_token(inv, term, tl, pos, &err), SIFT_OK);
            if (stemmed) assert_true(surface_forms_add(&sf, word, len, term, tl, d));
        }
        assert_int_equal(piped ? token_pipe_end_doc(p, &err) : inverter_end_doc(inv, &err), SIFT_OK);
    }
    if (piped) assert_int_equal(token_pipe_close(p, &err), SIFT_OK);
    assert_true(inverter_runs(inv) > 2);
    struct digest dg = { 14695981039346656037ull, 0 };
    struct term_sink sink = { &dg, d_term, d_doc, d_pos, d_end, d_end };
    assert_int_equal(inverter_merge(inv, &sink, 1, &err), SIFT_OK);
    assert_true(sf.n > 1000);
    mix_forms(&dg, &sf);
    surface_forms_free(&sf);
    analyzer_free(an);
    inverter_free(inv);
    return dg;
}

static void test_same_as_one_thread(void **state)
{
    (void)state;
    char *dir = tmpdir_make();
    char prefix[4200];
    snprintf(prefix, sizeof prefix, "%s/a-", dir);
    struct digest one = invert_all(prefix, false, 256 << 10);
    snprintf(prefix, sizeof prefix, "%s/b-", dir);
    struct digest two = invert_all(prefix, true, 256 << 10);
    assert_true(one.calls > 100000);
    assert_int_equal(one.calls, two.calls);
    assert_int_equal(one.h, two.h);
    tmpdir_remove(dir);
}

/* Runs cannot be written: the thread's error reaches the caller with the
 * file in its message, from a later call or from close. */
static void test_thread_error_reported(void **state)
{
    (void)state;
    struct inverter *inv = inverter_new("/nonexistent-sift-dir/x-", 4096);
    assert_non_null(inv);
    struct token_pipe *p;
    sift_errmsg err;
    struct surface_forms sf;
    memset(&sf, 0, sizeof sf);
    assert_true(strmap_init(&sf.map, 64));
    assert_int_equal(token_pipe_open(&p, inv, &sf, "english", &err), SIFT_OK);
    sift_err seen = SIFT_OK;
    for (uint32_t d = 0; d < 2000 && !seen; d++) {
        seen = token_pipe_begin_doc(p, d, &err);
        for (uint32_t pos = 0; pos < 50 && !seen; pos++) {
            char term[16];
            int len = snprintf(term, sizeof term, "t%u", d * 50 + pos);
            seen = token_pipe_token(p, term, (size_t)len, pos, &err);
        }
        if (!seen) seen = token_pipe_end_doc(p, &err);
    }
    sift_errmsg err2;
    sift_err closed = token_pipe_close(p, &err2);
    assert_int_equal(closed, SIFT_ERR_IO);
    assert_non_null(strstr(err2.msg, "/nonexistent-sift-dir/x-run-"));
    if (seen) {
        assert_int_equal(seen, SIFT_ERR_IO);
        assert_string_equal(err.msg, err2.msg);
    }
    surface_forms_free(&sf);
    inverter_free(inv);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_same_as_one_thread),
        cmocka_unit_test(test_thread_error_reported),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
