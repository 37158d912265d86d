/* test_update.c -- incremental updates through the library: adds,
 * replacements and deletions over many commits (and the merges they
 * trigger) give exactly the documents and scores of one fresh build of
 * the final state. */
#include <math.h>
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

#define NDOCS 400

static const char *vocab[] = { "cloud", "outage", "azure", "bytedance", "alibaba", "chips",
                               "export", "growth", "model", "spend", "data", "center",
                               "tiktok", "oracle", "region", "power", "the", "of", "and", "a" };

static uint64_t rng = 42;
static uint32_t rnd(uint32_t n)
{
    rng = rng * 6364136223846793005ull + 1442695040888963407ull;
    return (uint32_t)(rng >> 33) % n;
}

/* Document i at version v: deterministic text. */
static char *text_of(unsigned i, unsigned v)
{
    uint64_t save = rng;
    rng = (uint64_t)i * 7919 + v * 104729 + 1;
    struct buf b = { 0 };
    unsigned n = 5 + rnd(60);
    for (unsigned k = 0; k < n; k++) {
        const char *w = vocab[rnd(sizeof vocab / sizeof *vocab)];
        buf_append(&b, w, strlen(w));
        buf_append(&b, " ", 1);
    }
    buf_append(&b, "", 1);
    rng = save;
    return (char *)b.data;
}

struct state {
    unsigned version[NDOCS];   /* 0: absent */
};

static void apply(sift_writer *w, unsigned i, unsigned v)
{
    char id[16], title[32];
    snprintf(id, sizeof id, "doc%u", i);
    snprintf(title, sizeof title, "title %s", vocab[(i + v) % 20]);
    char *t = text_of(i, v);
    sift_errmsg err;
    if (sift_writer_add(w, id, title, t, strlen(t), &err)) fail_msg("%s", err.msg);
    free(t);
}

static void build_fresh(const char *dir, const struct state *s)
{
    sift_errmsg err;
    sift_writer *w;
    sift_writer_options o = { sizeof(sift_writer_options), "english", 16, 1 };
    assert_int_equal(sift_writer_open(dir, &o, &w, &err), SIFT_OK);
    for (unsigned i = 0; i < NDOCS; i++)
        if (s->version[i]) apply(w, i, s->version[i]);
    assert_int_equal(sift_writer_commit(w, &err), SIFT_OK);
    sift_writer_close(w);
}

static int cmp_line(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* Lines sorted: equal scores may come in another order when documents sit
 * in other segments (ties go to the lower internal number). */
static char *sorted_lines(char *text)
{
    size_t n = 0, cap = 1024;
    char **lines = malloc(cap * sizeof *lines);
    for (char *save = NULL, *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
        if (n == cap) lines = realloc(lines, (cap *= 2) * sizeof *lines);
        lines[n++] = l;
    }
    qsort(lines, n, sizeof *lines, cmp_line);
    struct buf b = { 0 };
    for (size_t i = 0; i < n; i++) {
        buf_append(&b, lines[i], strlen(lines[i]));
        buf_append(&b, "\n", 1);
    }
    buf_append(&b, "", 1);
    free(lines);
    free(text);
    return (char *)b.data;
}

/* Every hit (id and score) of each query, as text. */
static char *answers(const char *dir)
{
    const char *queries[] = { "cloud", "azure outage", "+bytedance +oracle", "\"data center\"",
                              "NEAR/2(export chips)", "title:growth", "the -power", "mod*",
                              "cloud OR chips OR -oracle" };
    sift_errmsg err;
    sift_index *idx;
    assert_int_equal(sift_index_open(dir, &idx, &err), SIFT_OK);
    struct buf b = { 0 };
    for (size_t k = 0; k < sizeof queries / sizeof *queries; k++) {
        sift_query *q;
        assert_int_equal(sift_query_parse(idx, queries[k], &q, &err), SIFT_OK);
        sift_search_options so;
        sift_search_options_init(&so);
        so.limit = NDOCS;
        sift_results *r;
        assert_int_equal(sift_search(idx, q, &so, &r, &err), SIFT_OK);
        for (size_t i = 0; i < sift_results_size(r); i++) {
            char line[128];
            int n = snprintf(line, sizeof line, "%s %s %.12f\n", queries[k], sift_results_id(r, i),
                             sift_results_score(r, i));
            buf_append(&b, line, (size_t)n);
        }
        sift_results_free(r);
        /* the count (bitmaps for unions, deletions cleared) and the scores of
         * a pruned top 3 (ids may differ on ties: document order differs) */
        uint64_t count;
        assert_int_equal(sift_count(idx, q, &count, &err), SIFT_OK);
        so.limit = 3;
        assert_int_equal(sift_search(idx, q, &so, &r, &err), SIFT_OK);
        char line[160];
        int n = snprintf(line, sizeof line, "%s count %llu top3", queries[k], (unsigned long long)count);
        for (size_t i = 0; i < sift_results_size(r); i++)
            n += snprintf(line + n, sizeof line - (size_t)n, " %.12f", sift_results_score(r, i));
        line[n++] = '\n';
        buf_append(&b, line, (size_t)n);
        sift_results_free(r);
        sift_query_free(q);
    }
    char line[64];
    int n = snprintf(line, sizeof line, "docs %llu\n", (unsigned long long)idx->doc_count);
    buf_append(&b, line, (size_t)n);
    buf_append(&b, "", 1);
    sift_index_close(idx);
    return sorted_lines((char *)b.data);
}

static unsigned segments(const char *dir)
{
    sift_errmsg err;
    sift_index *idx;
    assert_int_equal(sift_index_open(dir, &idx, &err), SIFT_OK);
    unsigned n = idx->nsegs;
    uint64_t problems;
    assert_int_equal(sift_index_check(idx, NULL, NULL, &problems, &err), SIFT_OK);
    sift_index_close(idx);
    return n;
}

static void test_many_commits_equal_fresh_build(void **state)
{
    (void)state;
    char *inc = tmpdir_make(), *fresh = tmpdir_make();
    struct state s;
    memset(&s, 0, sizeof s);
    sift_errmsg err;
    unsigned max_segments = 0;
    for (unsigned round = 0; round < 40; round++) {
        sift_writer *w;
        assert_int_equal(sift_writer_open(inc, NULL, &w, &err), SIFT_OK);
        unsigned changes = 1 + rnd(25);
        for (unsigned c = 0; c < changes; c++) {
            unsigned i = rnd(NDOCS);
            if (s.version[i] && rnd(4) == 0) {
                char id[16];
                snprintf(id, sizeof id, "doc%u", i);
                assert_int_equal(sift_writer_delete(w, id, &err), SIFT_OK);
                s.version[i] = 0;
            } else {
                s.version[i]++;
                apply(w, i, s.version[i]);
            }
        }
        /* deleting what is not there changes nothing */
        assert_int_equal(sift_writer_delete(w, "no-such-doc", &err), SIFT_ERR_NOTFOUND);
        assert_int_equal(sift_writer_commit(w, &err), SIFT_OK);
        sift_writer_close(w);
        unsigned n = segments(inc);
        if (n > max_segments) max_segments = n;
        if (round % 10 == 9) {
            build_fresh(fresh, &s);
            char *a = answers(inc), *b = answers(fresh);
            if (strcmp(a, b)) {
                FILE *f = fopen("/tmp/sift-update-a.txt", "w");
                fputs(a, f);
                fclose(f);
                f = fopen("/tmp/sift-update-b.txt", "w");
                fputs(b, f);
                fclose(f);
                fail_msg("round %u: incremental and fresh builds differ (see /tmp/sift-update-[ab].txt)", round);
            }
            free(a);
            free(b);
        }
    }
    /* the tiered policy keeps the segment count small */
    printf("40 commits: at most %u segments\n", max_segments);
    assert_true(max_segments < 2 * 10);
    /* merging everything changes no answer */
    char *before = answers(inc);
    sift_writer *w;
    assert_int_equal(sift_writer_open(inc, NULL, &w, &err), SIFT_OK);
    assert_int_equal(sift_writer_merge(w, 1, &err), SIFT_OK);
    sift_writer_close(w);
    assert_int_equal(segments(inc), 1);
    char *after = answers(inc);
    assert_string_equal(before, after);
    free(before);
    free(after);
    tmpdir_remove(inc);
    tmpdir_remove(fresh);
}

static void test_same_id_twice_in_one_commit(void **state)
{
    (void)state;
    char *dir = tmpdir_make();
    sift_errmsg err;
    sift_writer *w;
    assert_int_equal(sift_writer_open(dir, NULL, &w, &err), SIFT_OK);
    assert_int_equal(sift_writer_add(w, "x", "", "first cloud", 11, &err), SIFT_OK);
    assert_int_equal(sift_writer_add(w, "x", "", "second azure", 12, &err), SIFT_OK);
    assert_int_equal(sift_writer_add(w, "y", "", "third", 5, &err), SIFT_OK);
    assert_int_equal(sift_writer_delete(w, "y", &err), SIFT_OK);
    assert_int_equal(sift_writer_doc_count(w), 1);
    assert_int_equal(sift_writer_commit(w, &err), SIFT_OK);
    sift_writer_close(w);
    char *ids = search_ids(dir, "cloud azure third", 10);
    assert_string_equal(ids, "x");
    free(ids);
    ids = search_ids(dir, "cloud", 10);
    assert_string_equal(ids, "");
    free(ids);
    assert_int_equal(segments(dir), 1);
    tmpdir_remove(dir);
}

static void test_second_writer_locked(void **state)
{
    (void)state;
    char *dir = tmpdir_make();
    sift_errmsg err;
    sift_writer *a, *b;
    assert_int_equal(sift_writer_open(dir, NULL, &a, &err), SIFT_OK);
    assert_int_equal(sift_writer_open(dir, NULL, &b, &err), SIFT_ERR_LOCKED);
    assert_non_null(strstr(err.msg, "another"));
    sift_writer_close(a);
    assert_int_equal(sift_writer_open(dir, NULL, &b, &err), SIFT_OK);
    sift_writer_close(b);
    tmpdir_remove(dir);
}

static void test_reader_keeps_its_generation(void **state)
{
    (void)state;
    char *dir = tmpdir_make();
    const struct test_doc v1[] = { { "a", "", "cloud outage" }, { "b", "", "azure cloud" } };
    build_index(dir, v1, 2);
    sift_errmsg err;
    sift_index *old;
    assert_int_equal(sift_index_open(dir, &old, &err), SIFT_OK);
    /* replace everything, merge, and drop the old files */
    sift_writer *w;
    sift_writer_options o = { sizeof(sift_writer_options), NULL, 16, 1 };
    assert_int_equal(sift_writer_open(dir, &o, &w, &err), SIFT_OK);
    assert_int_equal(sift_writer_add(w, "c", "", "chips", 5, &err), SIFT_OK);
    assert_int_equal(sift_writer_commit(w, &err), SIFT_OK);
    sift_writer_close(w);
    /* the old reader still answers from its generation */
    sift_query *q;
    assert_int_equal(sift_query_parse(old, "cloud", &q, &err), SIFT_OK);
    uint64_t n;
    assert_int_equal(sift_count(old, q, &n, &err), SIFT_OK);
    assert_int_equal(n, 2);
    assert_int_equal(sift_index_verify(old, &err), SIFT_OK);
    sift_query_free(q);
    sift_index_close(old);
    char *ids = search_ids(dir, "cloud chips", 10);
    assert_string_equal(ids, "c");
    free(ids);
    tmpdir_remove(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_many_commits_equal_fresh_build),
        cmocka_unit_test(test_same_id_twice_in_one_commit),
        cmocka_unit_test(test_second_writer_locked),
        cmocka_unit_test(test_reader_keeps_its_generation),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
