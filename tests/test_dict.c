/* test_dict.c -- every term of an index is found with its exact df and cf;
 * absent terms are not; prefix scans list exactly the matching terms. */
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

#define NTERMS 5000
#define NDOCS 200

/* term i: "q" + the base-26 letters of i; the index uses no stemmer. */
static void term_name(unsigned i, char *out)
{
    char tmp[16];
    int n = 0;
    do {
        tmp[n++] = (char)('a' + i % 26);
        i /= 26;
    } while (i);
    out[0] = 'q';
    for (int k = 0; k < n; k++) out[1 + k] = tmp[n - 1 - k];
    out[1 + n] = 0;
}

static char *dir, *dir_runs;

/* term i appears in documents d with d % (1 + i % 7) == 0, i % 3 + 1 times */
static int in_doc(unsigned i, unsigned d) { return d % (1 + i % 7) == 0; }

static void build(const char *where, unsigned ram_mb)
{
    sift_errmsg err;
    sift_writer *w;
    sift_writer_options o = { sizeof(sift_writer_options), "none", ram_mb, 1 };
    assert_int_equal(sift_writer_open(where, &o, &w, &err), SIFT_OK);
    for (unsigned d = 0; d < NDOCS; d++) {
        struct buf b = { 0 };
        for (unsigned i = 0; i < NTERMS; i++) {
            if (!in_doc(i, d)) continue;
            char t[16];
            term_name(i, t);
            for (unsigned r = 0; r <= i % 3; r++) {
                buf_append(&b, t, strlen(t));
                buf_append(&b, " ", 1);
            }
        }
        char id[16];
        snprintf(id, sizeof id, "%u", d);
        assert_int_equal(sift_writer_add(w, id, NULL, (char *)b.data, b.len, &err), SIFT_OK);
        buf_free(&b);
    }
    assert_int_equal(sift_writer_commit(w, &err), SIFT_OK);
    sift_writer_close(w);
}

static int setup(void **state)
{
    (void)state;
    dir = tmpdir_make();
    dir_runs = tmpdir_make();
    build(dir, 16);
    build(dir_runs, 1);   /* a run per document: 200 runs, merged 64 at a time */
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    tmpdir_remove(dir);
    tmpdir_remove(dir_runs);
    return 0;
}

static void test_many_runs_same_segment(void **state)
{
    (void)state;
    char cmd[8400];
    snprintf(cmd, sizeof cmd, "cmp -s '%s/seg-000001.sift' '%s/seg-000001.sift'", dir, dir_runs);
    assert_int_equal(system(cmd), 0);
}

static void test_every_term(void **state)
{
    (void)state;
    sift_errmsg err;
    sift_index *idx;
    assert_int_equal(sift_index_open(dir, &idx, &err), SIFT_OK);
    assert_int_equal(idx->segs[0].term_count, NTERMS);
    for (unsigned i = 0; i < NTERMS; i++) {
        char t[16];
        term_name(i, t);
        struct term_info ti;
        bool found;
        assert_int_equal(dict_lookup(&idx->segs[0], t, strlen(t), &ti, &found, &err), SIFT_OK);
        if (!found) fail_msg("term %s not found", t);
        unsigned df = 0;
        for (unsigned d = 0; d < NDOCS; d++) df += in_doc(i, d);
        assert_int_equal(ti.df, df);
        assert_int_equal(ti.cf, (uint64_t)df * (i % 3 + 1));
    }
    const char *absent[] = { "", "a", "q", "qzzzzzz", "r", "qaa", "\xff", "zz" };
    for (size_t i = 0; i < sizeof absent / sizeof *absent; i++) {
        struct term_info ti;
        bool found = true;
        assert_int_equal(dict_lookup(&idx->segs[0], absent[i], strlen(absent[i]), &ti, &found, &err),
                         SIFT_OK);
        assert_false(found);
    }
    sift_index_close(idx);
}

struct scan {
    unsigned n;
    char last[32];
    const char *prefix;
};

static int on_term(void *ctx, const char *term, size_t len, const struct term_info *ti)
{
    struct scan *s = ctx;
    (void)ti;
    assert_true(len < sizeof s->last);
    assert_memory_equal(term, s->prefix, strlen(s->prefix));
    char t[32];
    memcpy(t, term, len);
    t[len] = 0;
    assert_true(strcmp(s->last, t) < 0);   /* in order, no repeats */
    strcpy(s->last, t);
    s->n++;
    return 0;
}

static void test_prefix_scan(void **state)
{
    (void)state;
    sift_errmsg err;
    sift_index *idx;
    assert_int_equal(sift_index_open(dir, &idx, &err), SIFT_OK);
    const char *prefixes[] = { "q", "qb", "qhc", "qzz", "x" };
    for (size_t k = 0; k < sizeof prefixes / sizeof *prefixes; k++) {
        unsigned want = 0;
        for (unsigned i = 0; i < NTERMS; i++) {
            char t[16];
            term_name(i, t);
            want += strncmp(t, prefixes[k], strlen(prefixes[k])) == 0;
        }
        struct scan s = { 0, "", prefixes[k] };
        assert_int_equal(dict_scan_prefix(&idx->segs[0], prefixes[k], strlen(prefixes[k]), on_term,
                                          &s, &err),
                         SIFT_OK);
        assert_int_equal(s.n, want);
    }
    sift_index_close(idx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_term),
        cmocka_unit_test(test_prefix_scan), cmocka_unit_test(test_many_runs_same_segment),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
