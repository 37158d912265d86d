/* test_topk.c -- the heap keeps exactly the k best, best first, ties by
 * document number; checked against sorting everything. */
#include <stdlib.h>

#include "helpers.h"
#include "topk.h"

static int cmp(const void *a, const void *b)
{
    const struct scored *x = a, *y = b;
    if (x->score != y->score) return x->score > y->score ? -1 : 1;
    return x->docno < y->docno ? -1 : x->docno > y->docno;
}

static void test_against_sort(void **state)
{
    (void)state;
    srand(7);
    for (int trial = 0; trial < 200; trial++) {
        size_t n = (size_t)(rand() % 500), k = (size_t)(rand() % 40);
        struct scored *all = malloc((n ? n : 1) * sizeof *all);
        struct topk t;
        assert_int_equal(topk_init(&t, k), 0);
        for (size_t i = 0; i < n; i++) {
            all[i] = (struct scored){ (double)(rand() % 20) / 4.0, i, 0, (uint32_t)i };
            topk_push(&t, &all[i]);
        }
        topk_sort(&t);
        qsort(all, n, sizeof *all, cmp);
        assert_int_equal(t.n, n < k ? n : k);
        for (size_t i = 0; i < t.n; i++) {
            assert_true(t.heap[i].score == all[i].score);
            assert_int_equal(t.heap[i].docno, all[i].docno);
        }
        topk_free(&t);
        free(all);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = { cmocka_unit_test(test_against_sort) };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
