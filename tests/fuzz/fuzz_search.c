/* fuzz_search.c -- libFuzzer target for binding and evaluating queries.
 * The first byte picks the parse flags and the checks; the rest is the query. Every query
 * that parses is counted, searched, and its first hit's snippet made, on a
 * small index built once; with bit 16 of the first byte, its suggestion
 * ("did you mean") is made and must find documents; with bit 32, it is
 * bound again through the statistics exchange (collected, encoded,
 * decoded), which on one index must rank exactly as the plain reading;
 * bits 64 and 128 pick the ranking (proximity, field weights) under which
 * the pruned best hit must be the exhaustive ranking's first. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sift/sift.h>

static sift_index *idx;

/* The query bound with this index's statistics as the exchange carries
 * them: the same hits, the same scores. */
static void check_exchange(const char *text, unsigned flags, const sift_results *plain)
{
    sift_stats *st, *back;
    void *enc;
    size_t len;
    sift_errmsg err;
    if (sift_stats_collect(idx, text, flags, &st, &err) || sift_stats_encode(st, &enc, &len, &err) ||
        sift_stats_decode(enc, len, &back, &err))
        abort();
    sift_query *g;
    sift_results *r;
    if (sift_query_parse_global(idx, text, flags, back, &g, &err) || sift_search(idx, g, NULL, &r, &err)) abort();
    if (sift_results_size(r) != sift_results_size(plain)) abort();
    for (size_t i = 0; i < sift_results_size(r); i++)
        if (strcmp(sift_results_id(r, i), sift_results_id(plain, i)) ||
            sift_results_score(r, i) != sift_results_score(plain, i))
            abort();
    sift_results_free(r);
    sift_query_free(g);
    sift_free(enc);
    sift_stats_free(st);
    sift_stats_free(back);
}

static void build(void)
{
    char tmpl[] = "/tmp/sift-fuzz-query-XXXXXX";
    const char *dir = mkdtemp(tmpl);
    if (!dir) abort();
    static const char *docs[][3] = {
        { "1", "Cloud growth slows", "Alibaba cloud growth slowed after ByteDance left in 2021." },
        { "2", "Azure deal", "ByteDance spends $1B a year on Microsoft Azure and GPT-4o models." },
        { "3", "Chips", "Export restrictions on advanced chips; the cloud spin-off was cancelled." },
        { "4", "", "a a a b a b b a micro microchip microsoft e-commerce U.S. O'Reilly" },
    };
    sift_writer *w;
    if (sift_writer_open(dir, NULL, &w, NULL)) abort();
    static const char *dates[] = { "2021-05-24", "2023-11-16T10:00:00Z", "2022", NULL };
    static const char *srcs[] = { "Reuters", "BBC", "Reuters", NULL };
    if (sift_writer_declare_field(w, "price", SIFT_FIELD_NUMBER, NULL) ||
        sift_writer_declare_field(w, "author", SIFT_FIELD_TEXT, NULL))
        abort();
    for (int i = 0; i < 4; i++) {   /* typed fields too: filters, ranges, text fields */
        if (dates[i]) sift_writer_field(w, "date", dates[i], NULL);
        if (srcs[i]) sift_writer_field(w, "source", srcs[i], NULL);
        sift_writer_field(w, "tags", i % 2 ? "cloud" : "chips", NULL);
        sift_writer_field(w, "price", i == 3 ? "x" : "12.5", NULL);
        sift_writer_field(w, "author", "Jane Doe", NULL);
        if (sift_writer_add(w, docs[i][0], docs[i][1], docs[i][2], strlen(docs[i][2]), NULL)) abort();
    }
    if (sift_writer_commit(w, NULL)) abort();
    sift_writer_close(w);
    if (sift_index_open(dir, &idx, NULL)) abort();
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);
int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    if (!idx) build();
    if (size < 1 || size > 4096) return 0;
    unsigned flags = (data[0] & 3) | (data[0] & 4 ? SIFT_QUERY_STRICT : 0);
    char *text = malloc(size);
    memcpy(text, data + 1, size - 1);
    text[size - 1] = 0;
    sift_query *q;
    sift_errmsg err;
    sift_err rc = sift_query_parse_flags(idx, text, flags, &q, &err);
    if (rc == SIFT_OK && !(flags & SIFT_QUERY_STRICT)) {   /* what the lenient reading changed, it says */
        sift_query *exact;
        sift_err strict = sift_query_parse_flags(idx, text, flags | SIFT_QUERY_STRICT, &exact, &err);
        const char *w = sift_query_warning(q);
        if (strict == SIFT_ERR_QUERY && (!w || strchr(w, '\n'))) abort();
        if (!strict) sift_query_free(exact);
    }
    if (rc == SIFT_OK) {
        uint64_t n;
        if (sift_count(idx, q, &n, &err)) abort();
        sift_results *r;
        if (sift_search(idx, q, NULL, &r, &err)) abort();
        if (sift_results_total(r) != n) abort();   /* counting and ranking agree */
        if (data[0] & 32) check_exchange(text, flags, r);
        /* the best hit of a pruned search is the exhaustive ranking's first,
         * under the ranking bits 64 and 128 pick (proximity, field weights) */
        sift_search_options so, eo;
        sift_search_options_init(&so);
        so.limit = 1;
        if (data[0] & 64) so.rank = SIFT_RANK_BM25_PROX;
        if (data[0] & 128) so.title_weight = 2, so.text_weight = 1;
        eo = so;
        eo.limit = 1u << 30;   /* a top k that never fills: nothing skipped */
        sift_results *one, *all;
        if (sift_search(idx, q, &so, &one, &err) || sift_search(idx, q, &eo, &all, &err)) abort();
        if (sift_results_size(one) != (n ? 1 : 0) || sift_results_total(one) > n || sift_results_total(all) != n ||
            (n && (strcmp(sift_results_id(one, 0), sift_results_id(all, 0)) ||
                   sift_results_score(one, 0) != sift_results_score(all, 0))))
            abort();
        sift_results_free(one);
        sift_results_free(all);
        /* the same sorted by a field, and with facets */
        static const char *facets[] = { "source", "date:year", "tags" };
        sift_search_options fo;
        sift_search_options_init(&fo);
        fo.sort = data[0] & 4 ? "-date" : "price";
        fo.facets = facets;
        fo.nfacets = data[0] & 8 ? 3 : 0;
        sift_results *fr;
        if (sift_search(idx, q, &fo, &fr, &err)) abort();
        if (fo.nfacets && sift_results_total(fr) != n) abort();
        sift_results_free(fr);
        if (sift_results_size(r)) {
            char *s;
            if (sift_results_snippet(r, 0, NULL, &s, &err)) abort();
            sift_free(s);
        }
        sift_results_free(r);
        sift_query_free(q);
    } else if (!strchr(err.msg, ' ')) {
        abort();   /* every error has a message */
    }
    if (data[0] & 16) {   /* "did you mean": a suggestion is a query that finds documents */
        char *fixed = NULL;
        if (sift_suggest(idx, text, flags, &fixed, &err)) abort();
        if (fixed) {
            sift_query *fq;
            uint64_t n = 0;
            if (sift_query_parse_flags(idx, fixed, flags & ~SIFT_QUERY_STRICT, &fq, &err)) abort();
            if (sift_count(idx, fq, &n, &err) || n == 0) abort();
            sift_query_free(fq);
        }
        sift_free(fixed);
    }
    free(text);
    return 0;
}
