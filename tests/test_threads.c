/* test_threads.c -- one open index searched from several threads at once
 * gives every thread exactly the results a single thread gets. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "helpers.h"
#include "sources.h"

#define THREADS 4
#define ROUNDS 30

static char *dir;
static sift_index *shared_idx;
static const char *queries[] = { "ByteDance Azure", "cloud outage", "+alibaba +cloud -spin",
                                 "chips export", "the of and a" };
static char *expected[5];

/* ids and scores of the top 20, plus the first snippet */
static char *answer(const char *query)
{
    sift_errmsg err;
    sift_query *q;
    if (sift_query_parse(shared_idx, query, &q, &err)) return NULL;
    sift_search_options so;
    sift_search_options_init(&so);
    so.limit = 20;
    sift_results *r;
    if (sift_search(shared_idx, q, &so, &r, &err)) return NULL;
    char *out = calloc(1, 8192);
    size_t o = 0;
    for (size_t i = 0; i < sift_results_size(r); i++)
        o += (size_t)snprintf(out + o, 8192 - o, "%s %.9f\n", sift_results_id(r, i),
                              sift_results_score(r, i));
    char *snip;
    if (sift_results_size(r) && !sift_results_snippet(r, 0, NULL, &snip, &err)) {
        snprintf(out + o, 8192 - o, "%s", snip);
        sift_free(snip);
    }
    sift_results_free(r);
    sift_query_free(q);
    return out;
}

static void *worker(void *arg)
{
    long id = (long)arg;
    for (int round = 0; round < ROUNDS; round++) {
        size_t k = (size_t)(round + id) % 5;
        char *got = answer(queries[k]);
        if (!got || strcmp(got, expected[k])) {
            free(got);
            return (void *)1;
        }
        free(got);
    }
    return NULL;
}

static void test_concurrent_searches(void **state)
{
    (void)state;
    dir = tmpdir_make();
    sift_errmsg err;
    build_corpus_index(dir, 64);
    /* expected answers from a separate open, so the shared one starts with
     * no page verified and the threads race to verify them */
    assert_int_equal(sift_index_open(dir, &shared_idx, &err), SIFT_OK);
    for (int k = 0; k < 5; k++) expected[k] = answer(queries[k]);
    sift_index_close(shared_idx);
    assert_int_equal(sift_index_open(dir, &shared_idx, &err), SIFT_OK);
    pthread_t t[THREADS];
    for (long i = 0; i < THREADS; i++) assert_int_equal(pthread_create(&t[i], NULL, worker, (void *)i), 0);
    for (int i = 0; i < THREADS; i++) {
        void *rc;
        pthread_join(t[i], &rc);
        assert_null(rc);
    }
    sift_index_close(shared_idx);
    for (int k = 0; k < 5; k++) free(expected[k]);
    tmpdir_remove(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = { cmocka_unit_test(test_concurrent_searches) };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
