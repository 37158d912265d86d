/* test_many.c -- several indexes searched as one. A random collection is
 * indexed whole, and in 2 and in 3 parts (some ids updated by a later
 * part, some within one); every query form must give the same ids,
 * scores (to 1e-9 relative), totals, counts and explanations:
 *   - the parts opened as one index (sift_index_open_many);
 *   - each part in its own process, scoring with the parts' summed
 *     statistics (sift_stats_*), their top k merged by the parent.
 * And the refusals: a language mismatch, an index given twice, damaged
 * statistics. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zlib.h>

#include "helpers.h"

#define NDOCS 800
#define NQUERIES 400
#define MAXPARTS 3
#define MAXHITS 40

static const char *vocab[] = {
    "cloud", "clouds", "clod", "could", "azure", "azur", "outage", "outages", "market", "markets",
    "growth", "grows", "chip", "chips", "chipset", "model", "models", "modem", "data", "database",
    "server", "servers", "revenue", "profit", "profits", "alibaba", "alibab", "bytedance", "tiktok",
    "storage", "network", "networks", "region", "price", "prices", "priced", "the", "of", "and",
    "computer", "computers", "computing", "compute", "quarter", "quarterly", "launch", "launched",
};
#define NV (sizeof vocab / sizeof *vocab)
static const char *sources[] = { "Reuters", "BBC", "AP", "36Kr", "The Register" };

static uint64_t rng = 0x9e3779b97f4a7c15ull;
static unsigned rnd(unsigned n)
{
    return (unsigned)(xorshift64(&rng) % n);
}

/* Skewed towards the first words, so that terms have every frequency. */
static const char *word(void) { return vocab[rnd(rnd(NV) + 1)]; }

struct gdoc {
    char id[16], title[128], text[1024], source[16], date[16];
};

static void gen_doc(struct gdoc *d, unsigned i)
{
    snprintf(d->id, sizeof d->id, "doc%04u", i);
    if (i > 40 && rnd(12) == 0) snprintf(d->id, sizeof d->id, "doc%04u", rnd(i));   /* an update */
    d->title[0] = d->text[0] = 0;
    for (unsigned k = rnd(4) + (rnd(5) != 0); k > 0; k--) strcat(d->title, word()), strcat(d->title, " ");
    for (unsigned k = 3 + rnd(40); k > 0; k--) strcat(d->text, word()), strcat(d->text, " ");
    snprintf(d->source, sizeof d->source, "%s", rnd(6) ? sources[rnd(5)] : "");
    if (rnd(5)) snprintf(d->date, sizeof d->date, "20%02u-%02u-%02u", 15 + rnd(10), 1 + rnd(12), 1 + rnd(28));
    else d->date[0] = 0;
}

static void add_doc(sift_writer *w, const struct gdoc *d)
{
    sift_errmsg err;
    if (d->source[0]) assert_int_equal(sift_writer_field(w, "source", d->source, &err), SIFT_OK);
    if (d->date[0]) assert_int_equal(sift_writer_field(w, "date", d->date, &err), SIFT_OK);
    assert_int_equal(sift_writer_add(w, d->id, d->title, d->text, strlen(d->text), &err), SIFT_OK);
}

/* Documents [from, to) into a new index at dir, committed twice (two
 * segments, the second updating some of the first's ids). */
static void write_part(const char *dir, const struct gdoc *docs, unsigned from, unsigned to)
{
    sift_writer_options o;
    sift_writer_options_init(&o);
    sift_writer *w;
    sift_errmsg err;
    assert_int_equal(sift_writer_open(dir, &o, &w, &err), SIFT_OK);
    assert_int_equal(sift_writer_declare_field(w, "source", SIFT_FIELD_KEYWORD, &err), SIFT_OK);
    assert_int_equal(sift_writer_declare_field(w, "date", SIFT_FIELD_DATE, &err), SIFT_OK);
    unsigned mid = from + (to - from) / 2;
    for (unsigned i = from; i < to; i++) {
        add_doc(w, &docs[i]);
        if (i + 1 == mid) assert_int_equal(sift_writer_commit(w, &err), SIFT_OK);
    }
    assert_int_equal(sift_writer_commit(w, &err), SIFT_OK);
    sift_writer_close(w);
}

static void gen_query(char *q, size_t n)
{
    const char *a = word(), *b = word(), *c = word();
    char pre[8];
    snprintf(pre, sizeof pre, "%.*s", 3 + (int)rnd(3), a);
    switch (rnd(16)) {
    case 0: snprintf(q, n, "%s", a); break;
    case 1: snprintf(q, n, "%s %s", a, b); break;
    case 2: snprintf(q, n, "%s %s %s", a, b, c); break;
    case 3: snprintf(q, n, "+%s +%s", a, b); break;
    case 4: snprintf(q, n, "%s %s -%s", a, b, c); break;
    case 5: snprintf(q, n, "\"%s %s\"", a, b); break;
    case 6: snprintf(q, n, "\"%s %s\"~2 %s", a, b, c); break;
    case 7: snprintf(q, n, "NEAR/3(%s %s)", a, b); break;
    case 8: snprintf(q, n, "title:%s %s", a, b); break;
    case 9: snprintf(q, n, "%s source:\"%s\"", a, sources[rnd(5)]); break;
    case 10: snprintf(q, n, "%s date:[2018-01-01 TO 2021-06-30]", a); break;
    case 11: snprintf(q, n, "%s* %s", pre, b); break;
    case 12: snprintf(q, n, "%s~%u %s", a, 1 + rnd(2), b); break;
    case 13: snprintf(q, n, "(%s OR %s) AND %s", a, b, c); break;
    case 14: snprintf(q, n, "%s (%s", a, b); break;   /* lenient: the bracket closed */
    default: snprintf(q, n, "ONEAR/2(%s %s) OR %s~1", a, b, c); break;
    }
}

struct hits {
    size_t n;
    char ids[MAXHITS][16];
    double scores[MAXHITS];
    uint64_t total;
    int exact;
};

/* The ways each query is run: top 10; a later page with proximity;
 * BM25F field weights and every match counted; sorted by date. */
#define NVARIANTS 4
static void variant(sift_search_options *o, int v)
{
    sift_search_options_init(o);
    if (v == 1) o->limit = 30, o->offset = 5, o->rank = SIFT_RANK_BM25_PROX;
    if (v == 2) o->title_weight = 2, o->text_weight = 1, o->exact_total = 1;
    if (v == 3) o->sort = "-date";
}

static void run(const sift_index *idx, const sift_query *q, int v, struct hits *h)
{
    sift_search_options o;
    variant(&o, v);
    sift_results *r;
    sift_errmsg err;
    assert_int_equal(sift_search(idx, q, &o, &r, &err), SIFT_OK);
    h->n = sift_results_size(r);
    assert_true(h->n <= MAXHITS);
    for (size_t i = 0; i < h->n; i++) {
        snprintf(h->ids[i], sizeof h->ids[i], "%s", sift_results_id(r, i));
        h->scores[i] = sift_results_score(r, i);
    }
    h->total = sift_results_total(r);
    h->exact = sift_results_total_exact(r);
    sift_results_free(r);
}

static bool close_enough(double a, double b)
{
    return fabs(a - b) <= 1e-9 * fmax(fabs(a), fabs(b)) + 1e-12;
}

static void same_hits(const struct hits *a, const struct hits *b, const char *text, int v)
{
    if (a->n != b->n) fail_msg("'%s' (variant %d): %zu hits whole, %zu in parts", text, v, a->n, b->n);
    for (size_t i = 0; i < a->n; i++) {
        if (strcmp(a->ids[i], b->ids[i]) || !close_enough(a->scores[i], b->scores[i]))
            fail_msg("'%s' (variant %d) hit %zu: %s %.12f whole, %s %.12f in parts", text, v, i, a->ids[i],
                     a->scores[i], b->ids[i], b->scores[i]);
    }
    if (a->exact && b->exact && a->total != b->total)
        fail_msg("'%s' (variant %d): total %llu whole, %llu in parts", text, v, (unsigned long long)a->total,
                 (unsigned long long)b->total);
}

/* The explanation of the best hit, found by its id in each index. */
static char *explain_first(const sift_index *idx, const sift_query *q)
{
    sift_search_options o;
    sift_search_options_init(&o);
    o.limit = 1;
    sift_results *r;
    sift_errmsg err;
    assert_int_equal(sift_search(idx, q, &o, &r, &err), SIFT_OK);
    char *text = NULL;
    if (sift_results_size(r)) {
        sift_hit h = { .struct_size = sizeof h };
        assert_int_equal(sift_results_hit(r, 0, &h, &err), SIFT_OK);
        assert_int_equal(sift_explain(idx, q, &o, h.docno, &text, &err), SIFT_OK);
    }
    sift_results_free(r);
    return text;
}

static struct gdoc docs[NDOCS], disjoint[NDOCS];
static char *root;
static char whole[512], parts2[2][512], parts3[3][512];
/* The exchange's shards cannot see each other's ids: an id held by two
 * would count twice. Its collection keeps each update in its third. */
static char whole_disjoint[512], shards[3][512];
static char queries[NQUERIES][160];

static int setup(void **state)
{
    (void)state;
    for (unsigned i = 0; i < NDOCS; i++) gen_doc(&docs[i], i);
    for (unsigned i = 0; i < NQUERIES; i++) gen_query(queries[i], sizeof queries[i]);
    root = tmpdir_make();
    snprintf(whole, sizeof whole, "%s/whole", root);
    write_part(whole, docs, 0, NDOCS);
    for (unsigned k = 0; k < 2; k++) {
        snprintf(parts2[k], sizeof parts2[k], "%s/half%u", root, k);
        write_part(parts2[k], docs, k * NDOCS / 2, (k + 1) * NDOCS / 2);
    }
    for (unsigned k = 0; k < 3; k++) {
        snprintf(parts3[k], sizeof parts3[k], "%s/third%u", root, k);
        write_part(parts3[k], docs, k * NDOCS / 3, (k + 1) * NDOCS / 3);
    }
    for (unsigned i = 0; i < NDOCS; i++) {
        disjoint[i] = docs[i];
        if ((unsigned)atoi(docs[i].id + 3) < i / (NDOCS / 3) * (NDOCS / 3))   /* an update from an earlier third */
            snprintf(disjoint[i].id, sizeof disjoint[i].id, "doc%04u", i);
    }
    snprintf(whole_disjoint, sizeof whole_disjoint, "%s/whole-disjoint", root);
    write_part(whole_disjoint, disjoint, 0, NDOCS);
    for (unsigned k = 0; k < 3; k++) {
        snprintf(shards[k], sizeof shards[k], "%s/shard%u", root, k);
        write_part(shards[k], disjoint, k * NDOCS / 3, (k + 1) * NDOCS / 3);
    }
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    if (getenv("SIFT_TEST_KEEP")) printf("kept %s\n", root), free(root);   /* for a look at the indexes */
    else tmpdir_remove(root);
    return 0;
}

static void compare_open_many(const char *const *dirs, size_t n)
{
    sift_index *one, *many;
    sift_errmsg err;
    assert_int_equal(sift_index_open(whole, &one, &err), SIFT_OK);
    assert_int_equal(sift_index_open_many(dirs, n, &many, &err), SIFT_OK);
    sift_index_stats a = { .struct_size = sizeof a }, b = { .struct_size = sizeof b };
    assert_int_equal(sift_index_stats_get(one, &a, &err), SIFT_OK);
    assert_int_equal(sift_index_stats_get(many, &b, &err), SIFT_OK);
    assert_int_equal(a.doc_count, b.doc_count);
    assert_int_equal(a.token_count, b.token_count);
    assert_true(b.shadowed_count > 0);   /* some ids were updated by a later part */
    unsigned compared = 0, nonempty = 0;
    for (unsigned i = 0; i < NQUERIES; i++) {
        sift_query *qa, *qb;
        assert_int_equal(sift_query_parse(one, queries[i], &qa, &err), SIFT_OK);
        assert_int_equal(sift_query_parse(many, queries[i], &qb, &err), SIFT_OK);
        for (int v = 0; v < NVARIANTS; v++) {
            struct hits ha, hb;
            run(one, qa, v, &ha);
            run(many, qb, v, &hb);
            same_hits(&ha, &hb, queries[i], v);
            compared++;
            nonempty += ha.n > 0;
        }
        uint64_t ca, cb;
        assert_int_equal(sift_count(one, qa, &ca, &err), SIFT_OK);
        assert_int_equal(sift_count(many, qb, &cb, &err), SIFT_OK);
        if (ca != cb) fail_msg("'%s': count %llu whole, %llu in parts", queries[i], (unsigned long long)ca,
                               (unsigned long long)cb);
        char *ea = explain_first(one, qa), *eb = explain_first(many, qb);
        assert_true((ea == NULL) == (eb == NULL));
        if (ea && strcmp(ea, eb)) fail_msg("'%s': explanations differ:\n%s\n---\n%s", queries[i], ea, eb);
        sift_free(ea);
        sift_free(eb);
        sift_query_free(qa);
        sift_query_free(qb);
    }
    assert_true(nonempty > compared / 2);   /* the queries find things */
    sift_index_close(one);
    sift_index_close(many);
}

static void test_two_parts(void **state)
{
    (void)state;
    const char *dirs[] = { parts2[0], parts2[1] };
    compare_open_many(dirs, 2);
}

static void test_three_parts(void **state)
{
    (void)state;
    const char *dirs[] = { parts3[0], parts3[1], parts3[2] };
    compare_open_many(dirs, 3);
}

/* ------------------------------------------ the statistics exchange */

/* Messages on a pipe: a u64 length, then the bytes. */
static void put_msg(int fd, const void *p, uint64_t n)
{
    assert_true(write(fd, &n, 8) == 8);
    for (uint64_t done = 0; done < n;) {
        ssize_t k = write(fd, (const char *)p + done, (size_t)(n - done));
        assert_true(k > 0);
        done += (uint64_t)k;
    }
}

static void *get_msg(int fd, uint64_t *n)
{
    if (read(fd, n, 8) != 8) return NULL;
    char *p = malloc(*n + 1);
    for (uint64_t done = 0; p && done < *n;) {
        ssize_t k = read(fd, p + done, (size_t)(*n - done));
        if (k <= 0) {
            free(p);
            return NULL;
        }
        done += (uint64_t)k;
    }
    if (p) p[*n] = 0;
    return p;
}

/* A shard's process: for each query, its statistics out, the sum in,
 * then its count and top hits (the variant's) out. */
static void shard_main(const char *dir, int in, int out)
{
    sift_index *idx;
    sift_errmsg err;
    if (sift_index_open(dir, &idx, &err)) _exit(3);
    uint64_t n;
    char *text;
    while ((text = get_msg(in, &n))) {
        int v = text[0] - '0';
        sift_stats *st;
        void *enc;
        size_t len;
        if (sift_stats_collect(idx, text + 1, 0, &st, &err) || sift_stats_encode(st, &enc, &len, &err)) _exit(4);
        put_msg(out, enc, len);
        sift_free(enc);
        sift_stats_free(st);
        char *sum = get_msg(in, &n);
        sift_stats *global;
        sift_query *q;
        if (!sum || sift_stats_decode(sum, n, &global, &err) ||
            sift_query_parse_global(idx, text + 1, 0, global, &q, &err))
            _exit(5);
        struct hits h;
        sift_search_options o;
        variant(&o, v);
        o.limit += o.offset;   /* the parent pages the merged list */
        o.offset = 0;
        sift_results *r;
        if (sift_search(idx, q, &o, &r, &err)) _exit(6);
        h.n = sift_results_size(r);
        for (size_t i = 0; i < h.n && i < MAXHITS; i++) {
            snprintf(h.ids[i], sizeof h.ids[i], "%s", sift_results_id(r, i));
            h.scores[i] = sift_results_score(r, i);
        }
        sift_results_free(r);
        if (sift_count(idx, q, &h.total, &err)) _exit(7);
        put_msg(out, &h, sizeof h);
        sift_query_free(q);
        sift_stats_free(global);
        free(sum);
        free(text);
    }
    sift_index_close(idx);
    _exit(0);
}

struct shard {
    pid_t pid;
    int to, from;
};

/* Shard k of sh; a child keeps none of the earlier shards' pipes (or
 * they would never see their end of input). */
static void start_shard(struct shard *sh, unsigned k, const char *dir)
{
    struct shard *s = &sh[k];
    int down[2], up[2];
    assert_int_equal(pipe(down), 0);
    assert_int_equal(pipe(up), 0);
    s->pid = fork();
    assert_true(s->pid >= 0);
    if (s->pid == 0) {
        for (unsigned j = 0; j < k; j++) close(sh[j].to), close(sh[j].from);
        close(down[1]);
        close(up[0]);
        shard_main(dir, down[0], up[1]);
    }
    close(down[0]);
    close(up[1]);
    s->to = down[1];
    s->from = up[0];
}

/* The shards' top lists merged: by score, ties by shard then rank (the
 * order of one index of the shards' documents in turn). */
static void merge_hits(const struct hits *per, size_t n, size_t offset, size_t limit, struct hits *out)
{
    size_t at[MAXPARTS] = { 0 }, rank = 0;
    out->n = 0;
    out->total = 0;
    for (size_t s = 0; s < n; s++) out->total += per[s].total;
    while (out->n < limit) {
        int best = -1;
        for (size_t s = 0; s < n; s++)
            if (at[s] < per[s].n && (best < 0 || per[s].scores[at[s]] > per[best].scores[at[best]])) best = (int)s;
        if (best < 0) break;
        if (rank++ >= offset) {
            memcpy(out->ids[out->n], per[best].ids[at[best]], sizeof out->ids[0]);
            out->scores[out->n++] = per[best].scores[at[best]];
        }
        at[best]++;
    }
    out->exact = 1;
}

static void test_exchange_across_processes(void **state)
{
    (void)state;
    struct shard sh[MAXPARTS];
    for (unsigned k = 0; k < 3; k++) start_shard(sh, k, shards[k]);
    sift_index *one;
    sift_errmsg err;
    assert_int_equal(sift_index_open(whole_disjoint, &one, &err), SIFT_OK);
    for (unsigned i = 0; i < NQUERIES; i++) {
        int v = (int)(i % 3);   /* not the sorted variant: the parent merges by score */
        char msg[sizeof queries[0] + 2];
        snprintf(msg, sizeof msg, "%d%.159s", v, queries[i]);
        sift_stats *sum = NULL;
        for (unsigned k = 0; k < 3; k++) {
            put_msg(sh[k].to, msg, strlen(msg));
            uint64_t n;
            void *enc = get_msg(sh[k].from, &n);
            assert_non_null(enc);
            sift_stats *st;
            assert_int_equal(sift_stats_decode(enc, n, &st, &err), SIFT_OK);
            free(enc);
            if (!sum) sum = st;
            else {
                assert_int_equal(sift_stats_merge(sum, st, &err), SIFT_OK);
                sift_stats_free(st);
            }
        }
        void *enc;
        size_t len;
        assert_int_equal(sift_stats_encode(sum, &enc, &len, &err), SIFT_OK);
        struct hits per[MAXPARTS], merged, ref;
        for (unsigned k = 0; k < 3; k++) put_msg(sh[k].to, enc, len);
        for (unsigned k = 0; k < 3; k++) {
            uint64_t n;
            struct hits *h = get_msg(sh[k].from, &n);
            assert_non_null(h);
            assert_int_equal(n, sizeof *h);
            per[k] = *h;
            free(h);
        }
        sift_free(enc);
        sift_stats_free(sum);
        sift_search_options o;
        variant(&o, v);
        merge_hits(per, 3, o.offset, o.limit ? o.limit : 10, &merged);
        sift_query *q;
        assert_int_equal(sift_query_parse(one, queries[i], &q, &err), SIFT_OK);
        run(one, q, v, &ref);
        assert_int_equal(sift_count(one, q, &ref.total, &err), SIFT_OK);
        ref.exact = 1;
        same_hits(&ref, &merged, queries[i], v);
        sift_query_free(q);
    }
    sift_index_close(one);
    for (unsigned k = 0; k < 3; k++) {
        close(sh[k].to);
        int status;
        assert_int_equal(waitpid(sh[k].pid, &status, 0), sh[k].pid);
        assert_true(WIFEXITED(status));
        assert_int_equal(WEXITSTATUS(status), 0);
        close(sh[k].from);
    }
}

/* --------------------------------------------------------- refusals */

static void test_refusals(void **state)
{
    (void)state;
    sift_errmsg err;
    sift_index *idx;
    const char *twice[] = { parts2[0], parts2[0] };
    assert_int_equal(sift_index_open_many(twice, 2, &idx, &err), SIFT_ERR_INVALID);
    assert_non_null(strstr(err.msg, "twice"));
    assert_int_equal(sift_index_open_many(twice, 0, &idx, &err), SIFT_ERR_INVALID);
    char fr[600];
    snprintf(fr, sizeof fr, "%s/french", root);
    sift_writer_options o;
    sift_writer_options_init(&o);
    o.language = "french";
    sift_writer *w;
    assert_int_equal(sift_writer_open(fr, &o, &w, &err), SIFT_OK);
    assert_int_equal(sift_writer_add(w, "f1", "nuage", "le nuage", 8, &err), SIFT_OK);
    assert_int_equal(sift_writer_commit(w, &err), SIFT_OK);
    sift_writer_close(w);
    const char *mixed[] = { parts2[0], fr };
    assert_int_equal(sift_index_open_many(mixed, 2, &idx, &err), SIFT_ERR_INVALID);
    assert_non_null(strstr(err.msg, "language"));
    const char *missing[] = { parts2[0], "/nonexistent/sift-index" };
    assert_int_equal(sift_index_open_many(missing, 2, &idx, &err), SIFT_ERR_NOTFOUND);

    /* statistics: another query, damaged bytes, truncation */
    assert_int_equal(sift_index_open(parts2[0], &idx, &err), SIFT_OK);
    sift_stats *a, *b, *back;
    assert_int_equal(sift_stats_collect(idx, "cloud~1 comput*", 0, &a, &err), SIFT_OK);
    assert_int_equal(sift_stats_collect(idx, "azure", 0, &b, &err), SIFT_OK);
    assert_int_equal(sift_stats_merge(a, b, &err), SIFT_ERR_INVALID);
    sift_query *q;
    assert_int_equal(sift_query_parse_global(idx, "cloud", 0, a, &q, &err), SIFT_ERR_INVALID);
    void *enc;
    size_t len;
    assert_int_equal(sift_stats_encode(a, &enc, &len, &err), SIFT_OK);
    assert_int_equal(sift_stats_decode(enc, len, &back, &err), SIFT_OK);
    sift_stats_free(back);
    for (size_t cut = 0; cut < len; cut++)
        assert_int_equal(sift_stats_decode(enc, cut, &back, &err), SIFT_ERR_INVALID);
    for (size_t at = 0; at < len; at++) {
        ((unsigned char *)enc)[at] ^= 0x20;
        assert_int_equal(sift_stats_decode(enc, len, &back, &err), SIFT_ERR_INVALID);
        ((unsigned char *)enc)[at] ^= 0x20;
    }
    /* a term holding a NUL, checksum made good: no index has one, and the
     * fuzzy ranking that lists the terms must never see it */
    unsigned char *term = NULL;
    for (size_t at = 0; !term && at + 6 <= len; at++)
        if (!memcmp((unsigned char *)enc + at, "\5cloud", 6)) term = (unsigned char *)enc + at;
    assert_non_null(term);
    term[3] = 0;
    uint32_t crc = (uint32_t)crc32(0, enc, (uInt)(len - 4));
    for (int i = 0; i < 4; i++) ((unsigned char *)enc)[len - 4 + i] = (unsigned char)(crc >> (8 * i));
    assert_int_equal(sift_stats_decode(enc, len, &back, &err), SIFT_ERR_INVALID);
    sift_free(enc);
    sift_stats_free(a);
    sift_stats_free(b);
    sift_index_close(idx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_two_parts),
        cmocka_unit_test(test_three_parts),
        cmocka_unit_test(test_exchange_across_processes),
        cmocka_unit_test(test_refusals),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
