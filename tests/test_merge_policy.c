/* test_merge_policy.c -- the tiered merge policy on its own, driven with
 * made-up segment sizes (indexer/merge_policy.h). */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "helpers.h"
#include "merge_policy.h"

static size_t pick(const uint64_t *live, uint32_t n, unsigned max, uint32_t *picked)
{
    struct merge_candidate c[64];
    for (uint32_t i = 0; i < n; i++) c[i] = (struct merge_candidate){ live[i], 0 };
    return merge_policy_pick(c, n, max, picked);
}

static void test_nothing_below_a_full_tier(void **state)
{
    (void)state;
    uint32_t picked[64];
    uint64_t nine[9] = { 1, 2, 3, 4, 5, 6, 7, 8, 9 };        /* tier 0, one short */
    assert_int_equal(pick(nine, 9, 0, picked), 0);
    uint64_t mixed[12] = { 5, 50, 500, 5, 50, 500, 5, 50, 500, 5, 50, 500 };
    assert_int_equal(pick(mixed, 12, 0, picked), 0);           /* 4 per tier */
    assert_int_equal(pick(NULL, 0, 0, picked), 0);
}

static void test_a_full_tier_merges_its_ten_smallest(void **state)
{
    (void)state;
    /* tier 1 (10..99 live) holds 11; tier 0 holds 3 */
    uint64_t live[14] = { 90, 10, 80, 20, 70, 30, 60, 40, 50, 15, 95, 1, 2, 3 };
    uint32_t picked[64];
    size_t n = pick(live, 14, 0, picked);
    assert_int_equal(n, MERGE_FACTOR);
    uint64_t sum = 0;
    for (size_t i = 0; i < n; i++) {
        assert_true(live[picked[i]] >= 10 && live[picked[i]] < 100);
        assert_true(live[picked[i]] != 95);                    /* the largest waits */
        sum += live[picked[i]];
    }
    assert_int_equal(sum, 90 + 10 + 80 + 20 + 70 + 30 + 60 + 40 + 50 + 15);
}

static void test_ties_keep_segment_order(void **state)
{
    (void)state;
    uint64_t live[11] = { 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7 };
    uint32_t picked[64];
    assert_int_equal(pick(live, 11, 0, picked), MERGE_FACTOR);
    for (uint32_t i = 0; i < MERGE_FACTOR; i++) assert_int_equal(picked[i], i);
}

static void test_forced_merges(void **state)
{
    (void)state;
    uint64_t live[5] = { 500, 3, 40, 7, 1000 };
    uint32_t picked[64];
    /* down to 2 segments: the 4 smallest become one */
    assert_int_equal(pick(live, 5, 2, picked), 4);
    assert_int_equal(picked[0], 1);
    assert_int_equal(picked[1], 3);
    assert_int_equal(picked[2], 2);
    assert_int_equal(picked[3], 0);
    assert_int_equal(pick(live, 5, 5, picked), 0);              /* already few enough */
    /* one segment: merged alone only when it holds deletions */
    struct merge_candidate one = { 10, 0 };
    assert_int_equal(merge_policy_pick(&one, 1, 1, picked), 0);
    one.deleted = 3;
    assert_int_equal(merge_policy_pick(&one, 1, 1, picked), 1);
    assert_int_equal(picked[0], 0);
}

/* Commits of one document at a time under the policy keep at most
 * MERGE_FACTOR - 1 segments per tier: the count stays logarithmic. */
static void test_segment_count_stays_logarithmic(void **state)
{
    (void)state;
    uint64_t live[64];
    uint32_t n = 0, picked[64], most = 0;
    for (int commit = 0; commit < 5000; commit++) {
        live[n++] = 1;
        size_t k;
        while ((k = pick(live, n, 0, picked)) > 0) {
            uint64_t merged = 0;
            bool chosen[64] = { false };
            for (size_t i = 0; i < k; i++) merged += live[picked[i]], chosen[picked[i]] = true;
            uint32_t m = 0;
            for (uint32_t i = 0; i < n; i++)
                if (!chosen[i]) live[m++] = live[i];
            live[m++] = merged;
            n = m;
        }
        if (n > most) most = n;
    }
    uint64_t total = 0;
    for (uint32_t i = 0; i < n; i++) total += live[i];
    assert_int_equal(total, 5000);
    assert_true(most <= 4 * (MERGE_FACTOR - 1) + 1);   /* 5000 docs: tiers 0..3 */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_nothing_below_a_full_tier),
        cmocka_unit_test(test_a_full_tier_merges_its_ten_smallest),
        cmocka_unit_test(test_ties_keep_segment_order),
        cmocka_unit_test(test_forced_merges),
        cmocka_unit_test(test_segment_count_stays_logarithmic),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
