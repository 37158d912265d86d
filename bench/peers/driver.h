/* driver.h -- the query loop every benchmark driver shares (C and C++).
 *
 * A driver reads QUERIES, one "tag<TAB>query" a line, in its engine's own
 * syntax, and runs them all WARM times unmeasured and then RUNS times
 * measured, in one process. For each query it prints, in input order,
 * "tag<TAB>microseconds<TAB>count": the fastest measured run, and the
 * number of hits it returned (TOP_k: at most k) or counted (COUNT).
 * The engine is one callback: run(ctx, query, k) with k 0 for COUNT
 * returns that number, or -1 when the engine rejected the query.
 */
#ifndef SIFT_BENCH_DRIVER_H
#define SIFT_BENCH_DRIVER_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef long (*bench_run_fn)(void *ctx, const char *query, int k);

static double bench_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* "top10", "top100" or "count" -> k (0 for count); the field modes of the
 * "fields" corpus are top 10 too (bench_kind tells them apart); -1 when
 * unknown. */
static int bench_mode(const char *mode)
{
    if (!strcmp(mode, "count")) return 0;
    if (!strcmp(mode, "sortdate") || !strcmp(mode, "range") || !strcmp(mode, "facet")) return 10;
    if (!strncmp(mode, "top", 3) && atoi(mode + 3) > 0) return atoi(mode + 3);
    return -1;
}

/* The field modes: TOP_10 newest first (ties by score); TOP_10 by score
 * among the documents dated within BENCH_RANGE ("LO HI", ISO days,
 * inclusive); the 10 most frequent sources among all matches, the count
 * returned being the sum of their counts. */
enum bench_kind { BENCH_PLAIN, BENCH_SORT_DATE, BENCH_RANGE, BENCH_FACET };

static enum bench_kind bench_kind(const char *mode)
{
    return !strcmp(mode, "sortdate") ? BENCH_SORT_DATE
           : !strcmp(mode, "range")  ? BENCH_RANGE
           : !strcmp(mode, "facet")  ? BENCH_FACET
                                     : BENCH_PLAIN;
}

/* BENCH_RANGE's two days into lo and hi (11 bytes each); 0 when unset. */
static int bench_range(char *lo, char *hi)
{
    const char *r = getenv("BENCH_RANGE");
    return r && sscanf(r, "%10s %10s", lo, hi) == 2;
}

static int bench_queries(const char *path, bench_run_fn run, void *ctx, int k)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        perror(path);
        return 2;
    }
    size_t n = 0, cap = 0;
    char **lines = NULL;
    char buf[8192];
    while (fgets(buf, sizeof buf, f)) {
        buf[strcspn(buf, "\r\n")] = 0;
        if (!strchr(buf, '\t')) continue;
        if (n == cap) {
            cap = cap ? 2 * cap : 1024;
            lines = (char **)realloc(lines, cap * sizeof *lines);
        }
        lines[n++] = strdup(buf);
    }
    fclose(f);
    int warm = getenv("BENCH_WARM") ? atoi(getenv("BENCH_WARM")) : 1;
    int runs = getenv("BENCH_RUNS") ? atoi(getenv("BENCH_RUNS")) : 2;
    double *best = (double *)malloc((n ? n : 1) * sizeof *best);
    long *count = (long *)malloc((n ? n : 1) * sizeof *count);
    for (int pass = 0; pass < warm + runs; pass++) {
        for (size_t i = 0; i < n; i++) {
            const char *q = strchr(lines[i], '\t') + 1;
            double t = bench_now();
            long c = run(ctx, q, k);
            t = bench_now() - t;
            if (pass == warm || t < best[i]) best[i] = t;
            count[i] = c;
        }
    }
    for (size_t i = 0; i < n; i++) {
        *strchr(lines[i], '\t') = 0;
        printf("%s\t%.1f\t%ld\n", lines[i], best[i] * 1e6, count[i]);
        free(lines[i]);
    }
    free(lines);
    free(best);
    free(count);
    return 0;
}

#endif
