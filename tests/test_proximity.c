/* test_proximity.c -- the position matchers on hand-made examples. */
#include <string.h>

#include "helpers.h"
#include "proximity.h"

static uint32_t count(enum prox_kind k, uint32_t dist, const uint32_t *a, size_t na, uint32_t ia,
                      const uint32_t *b, size_t nb, uint32_t ib)
{
    struct prox_slot s[2] = { { a, na, ia }, { b, nb, ib } };
    uint32_t scratch[8];
    return prox_count(k, dist, s, 2, 0, UINT32_MAX, scratch);
}

static void test_phrase(void **state)
{
    (void)state;
    const uint32_t a[] = { 1, 5, 9 }, b[] = { 2, 7, 8 };
    assert_int_equal(count(PROX_PHRASE, 0, a, 3, 0, b, 3, 1), 1);   /* 1,2 */
    assert_int_equal(count(PROX_PHRASE, 1, a, 3, 0, b, 3, 1), 2);   /* 1,2 and 5,7 */
    /* "b a": 8,9 exact; 7,9 with slop 1; 2,1 reversed with slop 2 */
    assert_int_equal(count(PROX_PHRASE, 0, b, 3, 1, a, 3, 0), 1);
    assert_int_equal(count(PROX_PHRASE, 1, b, 3, 1, a, 3, 0), 2);
    assert_int_equal(count(PROX_PHRASE, 2, b, 3, 1, a, 3, 0), 3);
    /* a reversed pair needs slop 2, as in Lucene */
    const uint32_t one[] = { 1 }, two[] = { 2 };
    assert_int_equal(count(PROX_PHRASE, 1, two, 1, 1, one, 1, 0), 0);
    assert_int_equal(count(PROX_PHRASE, 2, two, 1, 1, one, 1, 0), 1);
}

static void test_near(void **state)
{
    (void)state;
    const uint32_t a[] = { 10 }, b[] = { 4, 16 };
    /* 10 and 16: 5 words between; 4 and 10: 5 words between */
    assert_int_equal(count(PROX_NEAR, 4, a, 1, 0, b, 2, 1), 0);
    assert_int_equal(count(PROX_NEAR, 5, a, 1, 0, b, 2, 1), 1);
    assert_int_equal(count(PROX_ONEAR, 5, a, 1, 0, b, 2, 1), 1);   /* 10 then 16 */
    assert_int_equal(count(PROX_ONEAR, 5, b, 2, 1, a, 1, 0), 1);   /* 4 then 10 */
    const uint32_t c[] = { 20 };
    assert_int_equal(count(PROX_ONEAR, 100, c, 1, 0, a, 1, 1), 0); /* wrong order */
}

static void test_repeated_term(void **state)
{
    (void)state;
    const uint32_t a[] = { 3 };
    struct prox_slot s[2] = { { a, 1, 0 }, { a, 1, 0 } };
    uint32_t scratch[8];
    /* "a a"~5 needs two different occurrences */
    assert_int_equal(prox_count(PROX_PHRASE, 5, s, 2, 0, UINT32_MAX, scratch), 0);
    assert_int_equal(prox_count(PROX_NEAR, 5, s, 2, 0, UINT32_MAX, scratch), 0);
    const uint32_t two[] = { 3, 5 };
    struct prox_slot t[2] = { { two, 2, 0 }, { two, 2, 0 } };
    assert_int_equal(prox_count(PROX_NEAR, 1, t, 2, 0, UINT32_MAX, scratch), 2);
    assert_int_equal(prox_count(PROX_NEAR, 0, t, 2, 0, UINT32_MAX, scratch), 0);
}

static void test_field_bounds(void **state)
{
    (void)state;
    const uint32_t a[] = { 2 }, b[] = { 3 };
    struct prox_slot s[2] = { { a, 1, 0 }, { b, 1, 1 } };
    uint32_t scratch[8];
    /* title is positions [0, 3): the phrase would cross into the text */
    assert_int_equal(prox_count(PROX_PHRASE, 0, s, 2, 0, 3, scratch), 0);
    assert_int_equal(prox_count(PROX_PHRASE, 0, s, 2, 3, UINT32_MAX, scratch), 0);
    assert_int_equal(prox_count(PROX_PHRASE, 0, s, 2, 0, 4, scratch), 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_phrase), cmocka_unit_test(test_near),
        cmocka_unit_test(test_repeated_term), cmocka_unit_test(test_field_bounds),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
