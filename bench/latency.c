/* latency.c -- query latency of an index, in one process, after a warm-up.
 *
 * Usage: latency INDEX_DIR QUERIES [TOPK]
 * QUERIES is the search-benchmark-game JSON Lines file ({"query": ...,
 * "tags": [...]}) or plain text (one query a line). Each query is run once
 * to warm the page cache and once measured (parse + search + ids); the
 * median, 90th and 99th percentile are printed, overall and per first tag.
 * Also prints the time to open the index.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sift/sift.h>

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* Pull "query" and the first tag out of a benchmark line (no escapes in
 * that file but \" which is handled). */
static int parse_line(char *line, char *query, size_t qn, char *tag, size_t tn)
{
    char *q = strstr(line, "\"query\": \"");
    if (!q) {
        snprintf(query, qn, "%s", line);
        snprintf(tag, tn, "all");
        return 1;
    }
    q += 10;
    size_t o = 0;
    for (; *q && !(*q == '"' && q[-1] != '\\'); q++)
        if (!(*q == '\\' && q[1] == '"') && o + 1 < qn) query[o++] = *q;
    query[o] = 0;
    char *t = strstr(q, "\"tags\": [\"");
    snprintf(tag, tn, "%s", t ? t + 10 : "all");
    char *e = strchr(tag, '"');
    if (e) *e = 0;
    return 1;
}

struct sample {
    char tag[32];
    char query[96];
    double secs;
};

static int cmp_sample(const void *a, const void *b)
{
    double x = ((const struct sample *)a)->secs, y = ((const struct sample *)b)->secs;
    return x > y ? -1 : x < y;
}

static void report(const char *name, double *v, size_t n)
{
    if (!n) return;
    qsort(v, n, sizeof *v, cmp_double);
    printf("%-14s %5zu queries  median %8.1f us  p90 %8.1f us  p99 %8.1f us\n", name, n,
           v[n / 2] * 1e6, v[(size_t)(n * 0.9)] * 1e6, v[(size_t)(n * 0.99)] * 1e6);
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: latency INDEX_DIR QUERIES [TOPK]\n");
        return 2;
    }
    uint32_t k = argc > 3 ? (uint32_t)atoi(argv[3]) : 10;
    sift_errmsg err;
    double t0 = now();
    sift_index *idx;
    if (sift_index_open(argv[1], &idx, &err)) {
        fprintf(stderr, "latency: %s\n", err.msg);
        return 3;
    }
    printf("open: %.1f us\n", (now() - t0) * 1e6);
    FILE *f = fopen(argv[2], "r");
    if (!f) {
        perror(argv[2]);
        return 2;
    }
    struct sample *s = NULL;
    size_t n = 0, cap = 0;
    char *line = NULL;
    size_t lcap = 0;
    char query[4096], tag[32];
    sift_search_options so;
    sift_search_options_init(&so);
    so.limit = k;
    if (getenv("SIFT_RANK_PROX")) so.rank = SIFT_RANK_BM25_PROX;
    while (getline(&line, &lcap, f) > 0) {
        line[strcspn(line, "\n")] = 0;
        if (!*line || !parse_line(line, query, sizeof query, tag, sizeof tag)) continue;
        double best = 0;
        for (int rep = 0; rep < 2; rep++) {
            double a = now();
            sift_query *q;
            if (sift_query_parse(idx, query, &q, &err)) break;
            sift_results *r;
            if (sift_search(idx, q, &so, &r, &err)) {
                fprintf(stderr, "latency: %s\n", err.msg);
                return 3;
            }
            sift_results_free(r);
            sift_query_free(q);
            best = now() - a;   /* the second (warm) run is kept */
        }
        if (best == 0) continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 1024;
            s = realloc(s, cap * sizeof *s);
        }
        snprintf(s[n].tag, sizeof s[n].tag, "%s", tag);
        snprintf(s[n].query, sizeof s[n].query, "%.95s", query);
        s[n++].secs = best;
    }
    double *v = malloc((n ? n : 1) * sizeof *v);
    for (size_t i = 0; i < n; i++) v[i] = s[i].secs;
    report("all", v, n);
    const char *tags[] = { "term", "union", "intersection", "phrase", "negated", "intersection_union" };
    for (size_t t = 0; t < sizeof tags / sizeof *tags; t++) {
        size_t m = 0;
        for (size_t i = 0; i < n; i++)
            if (!strcmp(s[i].tag, tags[t])) v[m++] = s[i].secs;
        report(tags[t], v, m);
    }
    free(v);
    qsort(s, n, sizeof *s, cmp_sample);
    for (size_t i = 0; i < n && i < 3; i++) printf("slowest: %8.1f us  %s\n", s[i].secs * 1e6, s[i].query);
    free(s);
    free(line);
    fclose(f);
    sift_index_close(idx);
    return 0;
}
