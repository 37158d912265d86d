/* sift_bench.c -- the sift side of bench/compare.sh (indexing is timed
 * through search-index itself).
 *
 * Usage: sift_bench INDEX_DIR QUERIES.tsv top10|top100|count
 */
#include <sift/sift.h>

#include "driver.h"

struct ctx {
    sift_index *idx;
    sift_search_options opts;
};

static long run(void *c, const char *text, int k)
{
    struct ctx *x = (struct ctx *)c;
    sift_errmsg err;
    sift_query *q;
    if (sift_query_parse(x->idx, text, &q, &err)) return -1;
    long n = -1;
    if (k == 0) {
        uint64_t total;
        if (!sift_count(x->idx, q, &total, &err)) n = (long)total;
    } else {
        sift_results *r;
        x->opts.limit = (uint32_t)k;
        if (!sift_search(x->idx, q, &x->opts, &r, &err)) {
            n = (long)sift_results_size(r);
            sift_results_free(r);
        }
    }
    sift_query_free(q);
    return n;
}

int main(int argc, char **argv)
{
    int k = argc == 4 ? bench_mode(argv[3]) : -1;
    if (k < 0) {
        fprintf(stderr, "usage: sift_bench INDEX_DIR QUERIES.tsv top10|top100|count\n");
        return 2;
    }
    struct ctx x;
    sift_errmsg err;
    if (sift_index_open(argv[1], &x.idx, &err)) {
        fprintf(stderr, "sift_bench: %s\n", err.msg);
        return 3;
    }
    sift_search_options_init(&x.opts);
    int rc = bench_queries(argv[2], run, &x, k);
    sift_index_close(x.idx);
    return rc;
}
