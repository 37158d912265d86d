/* sift_bench.c -- the sift side of bench/compare.sh (indexing is timed
 * through search-index itself).
 *
 * Usage: sift_bench INDEX_DIR QUERIES.tsv top10|top100|count|sortdate|range|facet
 * The field modes (driver.h) are what a user of the library writes: the
 * sort "-date"; the query with " date:[LO TO HI]" appended (a filter: among
 * clauses side by side it is required, and so is one of the words); a
 * facet request for "source" with a limit of 10.
 * Mode "parse" (sift alone) times sift_query_parse: analysis, prefix and
 * fuzzy expansion, statistics. Mode "suggest" times sift_suggest ("did
 * you mean"), which parses and counts the suggestion it finds.
 * BENCH_KEEP_STOPWORDS=1 keeps optional stopwords in OR groups
 * (SIFT_QUERY_KEEP_STOPWORDS), as the peers do: the same work as theirs.
 * The ranking is Lucene's BM25 (`search --rank bm25`: one field, k1 0.9,
 * b 0.4, Lucene's stopwords), what the peers compute; BENCH_RANK=default
 * times sift's default (BM25F title 3, k1 1.2, b 0.75, Snowball's
 * stopwords), BENCH_RANK=prox bm25+prox.
 */
#include <sift/sift.h>
#include <stdbool.h>
#include <stdio.h>

#include "driver.h"

struct ctx {
    sift_index *idx;
    sift_search_options opts;
    enum bench_kind kind;
    unsigned flags;
    bool parse_only, suggest;
    char lo[11], hi[11];
};

static long facet_sum(const sift_results *r)
{
    long n = 0;
    sift_errmsg err;
    for (size_t i = 0; i < sift_results_facet_count(r); i++) {
        sift_facet_value v = { .struct_size = sizeof v };
        if (sift_results_facet(r, i, &v, &err)) return -1;
        n += (long)v.count;
    }
    return n;
}

static long run(void *c, const char *text, int k)
{
    struct ctx *x = (struct ctx *)c;
    sift_errmsg err;
    sift_query *q;
    char buf[8192];
    if (x->kind == BENCH_RANGE) {
        snprintf(buf, sizeof buf, "%s date:[%s TO %s]", text, x->lo, x->hi);
        text = buf;
    }
    if (x->suggest) {
        char *fixed = NULL;
        if (sift_suggest(x->idx, text, x->flags, &fixed, &err)) return -1;
        long found = fixed != NULL;
        sift_free(fixed);
        return found;
    }
    if (sift_query_parse_flags(x->idx, text, x->flags, &q, &err)) return -1;
    long n = -1;
    if (x->parse_only) {
        sift_query_free(q);
        return 1;
    }
    if (k == 0) {
        uint64_t total;
        if (!sift_count(x->idx, q, &total, &err)) n = (long)total;
    } else {
        sift_results *r;
        x->opts.limit = (uint32_t)k;
        if (!sift_search(x->idx, q, &x->opts, &r, &err)) {
            n = x->kind == BENCH_FACET ? facet_sum(r) : (long)sift_results_size(r);
            sift_results_free(r);
        }
    }
    sift_query_free(q);
    return n;
}

int main(int argc, char **argv)
{
    bool parse_only = argc == 4 && !strcmp(argv[3], "parse");
    bool suggest = argc == 4 && !strcmp(argv[3], "suggest");
    int k = parse_only || suggest ? 10 : argc == 4 ? bench_mode(argv[3]) : -1;
    if (k < 0) {
        fprintf(stderr, "usage: sift_bench INDEX_DIR[:INDEX_DIR...] QUERIES.tsv top10|top100|count|sortdate|range|facet|parse|suggest\n");
        return 2;
    }
    struct ctx x = { .kind = bench_kind(argv[3]), .parse_only = parse_only, .suggest = suggest };
    const char *keep = getenv("BENCH_KEEP_STOPWORDS");
    if (keep && *keep && strcmp(keep, "0")) x.flags |= SIFT_QUERY_KEEP_STOPWORDS;
    if (x.kind == BENCH_RANGE && !bench_range(x.lo, x.hi)) {
        fprintf(stderr, "sift_bench: range needs BENCH_RANGE=\"LO HI\"\n");
        return 2;
    }
    sift_errmsg err;
    /* INDEX_DIR may be a:b:c, several indexes searched as one (bench/many.sh) */
    char *list = strdup(argv[1]);
    const char *dirs[16];
    size_t ndirs = 0;
    for (char *p = list, *next; p && ndirs < 16; p = next) {
        next = strchr(p, ':');
        if (next) *next++ = 0;
        dirs[ndirs++] = p;
    }
    sift_err orc = sift_index_open_many(dirs, ndirs, &x.idx, &err);
    free(list);
    if (orc) {
        fprintf(stderr, "sift_bench: %s\n", err.msg);
        return 3;
    }
    sift_search_options_init(&x.opts);
    /* BENCH_RANK=prox: BM25 with the proximity bonus; BENCH_K1, BENCH_B:
     * other BM25 parameters (tantivy's are 1.2 and 0.75); BENCH_FIELD_WEIGHTS */
    const char *rank = getenv("BENCH_RANK"), *k1 = getenv("BENCH_K1"), *b = getenv("BENCH_B");
    if (!rank || strcmp(rank, "default")) {   /* Lucene's BM25 */
        x.opts.k1 = SIFT_BM25_K1;
        x.opts.b = SIFT_BM25_B;
        x.opts.title_weight = x.opts.text_weight = 0;
        x.flags |= SIFT_QUERY_LUCENE_STOPWORDS;   /* (BENCH_KEEP_STOPWORDS still keeps them all) */
    }
    if (rank && !strcmp(rank, "prox")) x.opts.rank = SIFT_RANK_BM25_PROX;
    if (k1 && *k1) x.opts.k1 = strtod(k1, NULL);
    if (b && *b) x.opts.b = strtod(b, NULL);
    const char *fw = getenv("BENCH_FIELD_WEIGHTS");   /* "TITLE,TEXT": BM25F */
    if (fw && *fw && sscanf(fw, "%lf,%lf", &x.opts.title_weight, &x.opts.text_weight) != 2) {
        fprintf(stderr, "sift_bench: BENCH_FIELD_WEIGHTS wants TITLE,TEXT\n");
        return 2;
    }
    static const char *const facets[] = { "source" };
    if (x.kind == BENCH_SORT_DATE) x.opts.sort = "-date";
    if (x.kind == BENCH_FACET) {
        x.opts.facets = facets;
        x.opts.nfacets = 1;
        x.opts.facet_limit = 10;
        x.opts.no_hits = 1;   /* the facets alone, as Lucene's FacetsCollector is run */
    }
    int rc = bench_queries(argv[2], run, &x, k);
    sift_index_close(x.idx);
    return rc;
}
