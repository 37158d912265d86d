/* test_treceval.c -- the evaluation measures on small examples worked out
 * by hand. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "helpers.h"
#include "treceval.h"

#define NEAR(a, b) assert_true(fabs((a) - (b)) < 1e-9)

/* qrels: d1 grade 2, d2 grade 1, d3 grade 0 (judged, not relevant), d4 grade 3 */
static const struct qrel qrels[] = {
    { "q", "d1", 2 }, { "q", "d2", 1 }, { "q", "d3", 0 }, { "q", "d4", 3 } };

static void test_ranking_measures(void **state)
{
    (void)state;
    /* run order by score: d3, d1, x, d4 (d2 never retrieved) */
    struct run_line run[] = { { "q", "d1", 0.9 }, { "q", "d3", 1.0 }, { "q", "d4", 0.5 },
                              { "q", "x", 0.7 } };
    struct metrics m;
    assert_int_equal(treceval_query(run, 4, qrels, 4, &m), 3);
    /* DCG = 2/log2(3) + 3/log2(5); IDCG = 3/log2(2) + 2/log2(3) + 1/log2(4) */
    double dcg = 2 / log2(3) + 3 / log2(5), idcg = 3 + 2 / log2(3) + 0.5;
    NEAR(m.ndcg10, dcg / idcg);
    /* AP = (1/2 + 2/4) / 3 */
    NEAR(m.ap, (0.5 + 0.5) / 3);
    NEAR(m.recall100, 2.0 / 3);
    NEAR(m.recall1000, 2.0 / 3);
    NEAR(m.rr10, 0.5);
}

static void test_ties_by_descending_docno(void **state)
{
    (void)state;
    /* equal scores: trec_eval ranks "d4" before "d1" (descending docno) */
    struct run_line run[] = { { "q", "d1", 1.0 }, { "q", "d4", 1.0 } };
    struct metrics m;
    treceval_query(run, 2, qrels, 4, &m);
    assert_string_equal(run[0].docno, "d4");
    NEAR(m.rr10, 1.0);
    NEAR(m.ap, (1.0 + 1.0) / 3);
    /* scores equal as floats count as ties too */
    struct run_line close[] = { { "q", "d1", 1.00000001 }, { "q", "d4", 1.0 } };
    treceval_query(close, 2, qrels, 4, &m);
    assert_string_equal(close[0].docno, "d4");
}

static void test_no_relevant_and_empty_run(void **state)
{
    (void)state;
    const struct qrel none[] = { { "q", "d1", 0 } };
    struct run_line run[] = { { "q", "d1", 1.0 } };
    struct metrics m;
    assert_int_equal(treceval_query(run, 1, none, 1, &m), 0);
    assert_int_equal(treceval_query(NULL, 0, qrels, 4, &m), 3);
    NEAR(m.ndcg10, 0);
    NEAR(m.ap, 0);
    NEAR(m.rr10, 0);
}

static void test_cutoffs(void **state)
{
    (void)state;
    /* the single relevant document at rank 11: outside nDCG@10 and RR@10,
     * inside Recall@100 */
    const struct qrel one[] = { { "q", "r", 1 } };
    struct run_line run[11];
    char names[11][8];
    for (int i = 0; i < 11; i++) {
        snprintf(names[i], sizeof names[i], "n%02d", i);
        run[i] = (struct run_line){ "q", i == 10 ? "r" : names[i], 100.0 - i };
    }
    struct metrics m;
    treceval_query(run, 11, one, 1, &m);
    NEAR(m.ndcg10, 0);
    NEAR(m.rr10, 0);
    NEAR(m.recall100, 1);
    NEAR(m.ap, 1.0 / 11);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ranking_measures), cmocka_unit_test(test_ties_by_descending_docno),
        cmocka_unit_test(test_no_relevant_and_empty_run), cmocka_unit_test(test_cutoffs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
