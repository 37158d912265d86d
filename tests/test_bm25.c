/* test_bm25.c -- scores of a four-document index against values worked
 * out by hand with Lucene's formula (searcher/score.h).
 *
 *   d1 "cat dog", d2 "cat cat fish", d3 "dog fish fish bird", d4 title "cat"
 *   N = 4, avgdl = 10 / 4 = 2.5
 *   "cat": df 3, idf = ln(1 + (4 - 3 + 0.5) / (3 + 0.5)) = ln(1.428571) = 0.356675
 *     d2: tf 2, dl 3: norm = 0.9 * (1 - 0.4 + 0.4 * 3 / 2.5) = 0.972
 *         score = 0.356675 * 2 / (2 + 0.972) = 0.240024
 *     d4: tf 1, dl 1: norm = 0.9 * (0.6 + 0.16) = 0.684
 *         score = 0.356675 / 1.684 = 0.211802
 *     d1: tf 1, dl 2: norm = 0.9 * (0.6 + 0.32) = 0.828 -> 0.195118
 *   "bird": df 1, idf = ln(1 + 3.5 / 1.5) = 1.203973; d3: dl 4,
 *         norm = 0.9 * (0.6 + 0.64) = 1.116 -> 1.203973 / 2.116 = 0.568985
 */
#include <math.h>
#include <string.h>

#include "score.h"
#include "helpers.h"

static char *dir;

static int setup(void **state)
{
    (void)state;
    dir = tmpdir_make();
    const struct test_doc docs[] = {
        { "d1", "", "cat dog" },
        { "d2", "", "cat cat fish" },
        { "d3", "", "dog fish fish bird" },
        { "d4", "cat", "" },
    };
    build_index(dir, docs, 4);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    tmpdir_remove(dir);
    return 0;
}

struct expect {
    const char *id;
    double score;
};

static void check(const char *query, double k1, double b, const struct expect *want, size_t n)
{
    sift_errmsg err;
    sift_index *idx;
    assert_int_equal(sift_index_open(dir, &idx, &err), SIFT_OK);
    sift_query *q;
    assert_int_equal(sift_query_parse(idx, query, &q, &err), SIFT_OK);
    sift_search_options so;
    sift_search_options_init(&so);
    so.k1 = k1;
    so.b = b;
    so.title_weight = so.text_weight = 0;   /* Lucene's: one flat field */
    sift_results *r;
    assert_int_equal(sift_search(idx, q, &so, &r, &err), SIFT_OK);
    assert_int_equal(sift_results_size(r), n);
    assert_int_equal(sift_results_total(r), n);
    for (size_t i = 0; i < n; i++) {
        assert_string_equal(sift_results_id(r, i), want[i].id);
        if (fabs(sift_results_score(r, i) - want[i].score) > 1e-5)
            fail_msg("%s: hit %zu (%s) scored %.9f, expected %.9f", query, i, want[i].id,
                     sift_results_score(r, i), want[i].score);
    }
    sift_results_free(r);
    sift_query_free(q);
    sift_index_close(idx);
}

static void test_formula(void **state)
{
    (void)state;
    assert_true(fabs(bm25_idf(4, 3) - 0.356675) < 1e-6);
    assert_true(fabs(bm25_idf(4, 1) - 1.203973) < 1e-6);
    assert_true(fabs(bm25_norm(0.9, 0.4, 3, 2.5) - 0.972) < 1e-12);
    assert_true(fabs(bm25_tf(1.0, 2, 0.972) - 2 / 2.972) < 1e-12);
    /* idf stays positive even for a term in every document */
    assert_true(bm25_idf(4, 4) > 0);
}

static void test_single_term(void **state)
{
    (void)state;
    const struct expect want[] = { { "d2", 0.240024 }, { "d4", 0.211802 }, { "d1", 0.195118 } };
    check("cat", 0.9, 0.4, want, 3);
}

static void test_two_terms(void **state)
{
    (void)state;
    const struct expect want[] = {
        { "d3", 0.568985 }, { "d2", 0.240024 }, { "d4", 0.211802 }, { "d1", 0.195118 } };
    check("cat bird", 0.9, 0.4, want, 4);
}

static void test_other_parameters(void **state)
{
    (void)state;
    /* k1 1.2, b 0.75: d4 norm = 1.2 * (0.25 + 0.75 * 0.4) = 0.66 -> 0.356675 / 1.66 */
    const struct expect want[] = { { "d4", 0.214864 }, { "d2", 0.211050 }, { "d1", 0.176572 } };
    check("cat", 1.2, 0.75, want, 3);
}

static void test_repeated_term_counts_twice(void **state)
{
    (void)state;
    /* fish: df 2, idf ln 2; d2 tf 1 norm 0.972: 2 * 0.693147 / 1.972 */
    const struct expect want[] = { { "d3", 0.889791 }, { "d2", 0.702989 } };
    check("fish fish", 0.9, 0.4, want, 2);
}

static void test_required_and_excluded(void **state)
{
    (void)state;
    const struct expect req[] = { { "d2", 0.240024 + 0.351494 } };
    check("+cat +fish", 0.9, 0.4, req, 1);
    const struct expect exc[] = { { "d4", 0.211802 }, { "d1", 0.195118 } };
    check("cat -fish", 0.9, 0.4, exc, 2);
}

/* BM25F with weights 1 and 1 is the flat score; title weight 2 counts the
 * title "cat" of d4 twice: tf 2, dl 2 of weighted avg (10 + 1) / 4. */
static void test_field_weights(void **state)
{
    (void)state;
    sift_errmsg err;
    sift_index *idx;
    assert_int_equal(sift_index_open(dir, &idx, &err), SIFT_OK);
    sift_query *q;
    assert_int_equal(sift_query_parse(idx, "cat", &q, &err), SIFT_OK);
    sift_search_options so;
    sift_search_options_init(&so);
    so.k1 = 0.9;
    so.b = 0.4;
    so.title_weight = so.text_weight = 1;
    sift_results *r;
    assert_int_equal(sift_search(idx, q, &so, &r, &err), SIFT_OK);
    assert_string_equal(sift_results_id(r, 0), "d2");
    assert_true(fabs(sift_results_score(r, 0) - 0.240024) < 1e-5);
    sift_results_free(r);
    so.title_weight = 2;
    assert_int_equal(sift_search(idx, q, &so, &r, &err), SIFT_OK);
    /* d4: tf 2, dl 2, avgdl 11/4: norm 0.9 * (0.6 + 0.4 * 2 / 2.75) */
    double norm = 0.9 * (0.6 + 0.4 * 2 / 2.75);
    assert_string_equal(sift_results_id(r, 0), "d4");
    assert_true(fabs(sift_results_score(r, 0) - 0.356675 * 2 / (2 + norm)) < 1e-5);
    sift_results_free(r);
    so.title_weight = -1;
    assert_int_equal(sift_search(idx, q, &so, &r, &err), SIFT_ERR_INVALID);
    sift_query_free(q);
    sift_index_close(idx);
}

/* The default ranking is BM25F, title 3 and text 1, k1 1.2, b 0.75: d4's
 * title "cat" is tf 3, dl 3 of weighted avg (3 + 9) / 4 = 3, so norm =
 * 1.2 * (0.25 + 0.75 * 3 / 3) = 1.2 and it comes first, above d2. */
static void test_default_ranking(void **state)
{
    (void)state;
    sift_search_options so;
    sift_search_options_init(&so);
    assert_true(so.k1 == SIFT_DEFAULT_K1 && so.b == SIFT_DEFAULT_B && so.rank == SIFT_RANK_BM25);
    sift_errmsg err;
    sift_index *idx;
    assert_int_equal(sift_index_open(dir, &idx, &err), SIFT_OK);
    sift_query *q;
    assert_int_equal(sift_query_parse(idx, "cat", &q, &err), SIFT_OK);
    sift_results *r;
    assert_int_equal(sift_search(idx, q, NULL, &r, &err), SIFT_OK);   /* NULL: the defaults */
    assert_string_equal(sift_results_id(r, 0), "d4");
    assert_true(fabs(sift_results_score(r, 0) - 0.356675 * 3 / (3 + 1.2)) < 1e-5);
    /* d2: tf 2, dl 3: norm 1.2 * (0.25 + 0.75 * 3 / 3) = 1.2 */
    assert_string_equal(sift_results_id(r, 1), "d2");
    assert_true(fabs(sift_results_score(r, 1) - 0.356675 * 2 / (2 + 1.2)) < 1e-5);
    sift_results_free(r);
    sift_query_free(q);
    sift_index_close(idx);
}

/* The proximity bonus rewards the words close together: "dog fish" are
 * adjacent in d3 only; d2 has fish but no dog, d1 dog but no fish. */
static void test_proximity_rank(void **state)
{
    (void)state;
    sift_errmsg err;
    sift_index *idx;
    assert_int_equal(sift_index_open(dir, &idx, &err), SIFT_OK);
    sift_query *q;
    assert_int_equal(sift_query_parse(idx, "dog fish", &q, &err), SIFT_OK);
    sift_search_options so;
    sift_search_options_init(&so);
    sift_results *flat, *prox;
    assert_int_equal(sift_search(idx, q, &so, &flat, &err), SIFT_OK);
    so.rank = SIFT_RANK_BM25_PROX;
    assert_int_equal(sift_search(idx, q, &so, &prox, &err), SIFT_OK);
    assert_string_equal(sift_results_id(prox, 0), "d3");
    for (size_t i = 0; i < sift_results_size(flat); i++) {
        const char *id = sift_results_id(flat, i);
        double f = sift_results_score(flat, i), p = -1;
        for (size_t k = 0; k < sift_results_size(prox); k++)
            if (!strcmp(sift_results_id(prox, k), id)) p = sift_results_score(prox, k);
        if (!strcmp(id, "d3")) assert_true(p > f + 1e-6);   /* adjacent: a bonus */
        else assert_true(fabs(p - f) < 1e-12);              /* one word: none */
    }
    sift_results_free(flat);
    sift_results_free(prox);
    sift_query_free(q);
    sift_index_close(idx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_formula), cmocka_unit_test(test_single_term),
        cmocka_unit_test(test_two_terms), cmocka_unit_test(test_other_parameters),
        cmocka_unit_test(test_repeated_term_counts_twice),
        cmocka_unit_test(test_required_and_excluded), cmocka_unit_test(test_field_weights),
        cmocka_unit_test(test_proximity_rank), cmocka_unit_test(test_default_ranking),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
