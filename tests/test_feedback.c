/* test_feedback.c -- pseudo-relevance feedback (sift_query_expand): the
 * words of the best hits find documents without the query's words; what
 * the query requires or excludes stays required or excluded; stopwords are
 * never added; the expansion is the same every time. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "helpers.h"

static char *dir;
static sift_index *idx;

static int setup(void **state)
{
    (void)state;
    static const struct test_doc docs[] = {
        { "a", "Glacier melt", "glacier melt glacier ice sheet the the the of of" },
        { "b", "Ice loss", "glacier ice sheet ice loss accelerates" },
        { "c", "Sheet ice", "ice sheet thinning ice sheet ice" },   /* no 'glacier' */
        { "d", "Volcano", "volcano lava ash eruption" },
        { "e", "Sea ice", "sea ice sheet volcano" },                /* no 'glacier', a volcano */
    };
    dir = tmpdir_make();
    build_index(dir, docs, sizeof docs / sizeof *docs);
    sift_errmsg err;
    return sift_index_open(dir, &idx, &err) ? -1 : 0;
}

static int teardown(void **state)
{
    (void)state;
    sift_index_close(idx);
    tmpdir_remove(dir);
    return 0;
}

/* The ids of q's hits, space-separated, expanded or not. */
static void ids(const char *text, bool expand, char *out, size_t n)
{
    sift_errmsg err;
    sift_query *q, *e = NULL;
    assert_int_equal(sift_query_parse(idx, text, &q, &err), SIFT_OK);
    if (expand) assert_int_equal(sift_query_expand(idx, q, NULL, &e, &err), SIFT_OK);
    sift_results *r;
    assert_int_equal(sift_search(idx, e ? e : q, NULL, &r, &err), SIFT_OK);
    out[0] = 0;
    for (size_t i = 0; i < sift_results_size(r); i++) {
        strncat(out, sift_results_id(r, i), n - strlen(out) - 2);
        strcat(out, " ");
    }
    sift_results_free(r);
    sift_query_free(e);
    sift_query_free(q);
}

/* Whether the space-separated list holds id. */
static bool has(const char *list, const char *id)
{
    char key[8];
    snprintf(key, sizeof key, " %s ", id);
    char padded[80];
    snprintf(padded, sizeof padded, " %s", list);
    return strstr(padded, key) != NULL;
}

static void test_feedback_finds_related(void **state)
{
    (void)state;
    char plain[64], fed[64];
    ids("glacier", false, plain, sizeof plain);
    ids("glacier", true, fed, sizeof fed);
    assert_false(has(plain, "c"));
    assert_true(has(fed, "c"));            /* ice sheet, through the feedback words */
    assert_true(strncmp(fed, "a ", 2) == 0 || strncmp(fed, "b ", 2) == 0);   /* the original's best stay first */
    char again[64];
    ids("glacier", true, again, sizeof again);
    assert_string_equal(fed, again);
}

static void test_required_and_excluded_hold(void **state)
{
    (void)state;
    char out[64];
    ids("+glacier", true, out, sizeof out);
    assert_false(has(out, "c"));           /* required: only documents with the word */
    assert_false(has(out, "e"));
    ids("glacier -volcano", true, out, sizeof out);
    assert_true(has(out, "c"));
    assert_false(has(out, "e"));           /* excluded, though it holds 'ice sheet' */
    assert_false(has(out, "d"));
}

static void test_no_stopwords_added(void **state)
{
    (void)state;
    sift_errmsg err;
    sift_query *q, *e;
    assert_int_equal(sift_query_parse(idx, "glacier melt", &q, &err), SIFT_OK);
    assert_int_equal(sift_query_expand(idx, q, NULL, &e, &err), SIFT_OK);
    sift_search_options o;
    sift_search_options_init(&o);
    o.limit = 1;
    sift_results *r;
    assert_int_equal(sift_search(idx, e, &o, &r, &err), SIFT_OK);
    sift_hit h = { .struct_size = sizeof h };
    assert_int_equal(sift_results_hit(r, 0, &h, &err), SIFT_OK);
    char *text;
    assert_int_equal(sift_explain(idx, e, &o, h.docno, &text, &err), SIFT_OK);
    assert_null(strstr(text, "word 'the'"));
    assert_null(strstr(text, "word 'of'"));
    assert_non_null(strstr(text, "word 'ice'"));
    sift_free(text);
    sift_results_free(r);
    sift_query_free(e);
    sift_query_free(q);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_feedback_finds_related),
        cmocka_unit_test(test_required_and_excluded_hold),
        cmocka_unit_test(test_no_stopwords_added),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
