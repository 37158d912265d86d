/* test_fields_diff.c -- filters, ranges, sorts and facets against a brute
 * force over random metadata, on an index of several segments with
 * deletions and updates: every count, every sorted top 10 (with the block
 * and document skipping of a sorted search) and every facet count must be
 * the brute force's exactly. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "helpers.h"

#define NDOCS 900
#define NSRC 6
#define NTAGS 8

static const char *words[] = { "cloud", "chips", "azure", "outage", "growth", "market", "data", "model" };
static const char *sources[NSRC] = { "Reuters", "BBC", "Data Center Knowledge", "36Kr", "cnBeta", "AP" };
static const char *tags[NTAGS] = { "ai", "cloud", "chips", "china", "us", "eu", "earnings", "outage" };

struct doc {
    bool live;
    unsigned words;        /* bit per word */
    int64_t day;           /* days since 2015-01-01, or -1: no date */
    int src;               /* -1: none */
    unsigned tags;         /* bit per tag */
    int price;             /* -1: none */
};

static struct doc model[NDOCS];
static uint64_t rng = 88172645463325252ull;
static unsigned rnd(unsigned n)
{
    return (unsigned)(xorshift64(&rng) % n);
}

static void day_text(int64_t day, char *out, size_t n)
{
    /* 2015-01-01 is day 0: civil date by stepping months (small range) */
    static const int mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    int y = 2015, m = 0;
    while (day >= 0) {
        int len = mdays[m] + (m == 1 && y % 4 == 0);
        if (day < len) break;
        day -= len;
        if (++m == 12) m = 0, y++;
    }
    snprintf(out, n, "%04d-%02d-%02d", y % 10000, (m + 1) % 100, (int)(day + 1) % 100);
}

static int year_of(int64_t day)
{
    char t[32];
    day_text(day, t, sizeof t);
    return atoi(t);
}

static void add(sift_writer *w, int i)
{
    struct doc *d = &model[i];
    d->live = true;
    d->words = rnd(255) + 1;
    d->day = rnd(6) ? (int64_t)rnd(3650) : -1;
    d->src = rnd(8) ? (int)rnd(NSRC) : -1;
    d->tags = rnd(1u << NTAGS) & rnd(1u << NTAGS);
    d->price = rnd(5) ? (int)rnd(200) : -1;
    char text[256] = "", id[16], v[32];
    for (int k = 0; k < 8; k++)
        if (d->words >> k & 1) strcat(text, words[k]), strcat(text, " ");
    for (int k = 0; k <= (int)rnd(3); k++) strcat(text, "filler ");
    snprintf(id, sizeof id, "d%04d", i);
    sift_errmsg err;
    if (d->day >= 0) {
        day_text(d->day, v, sizeof v);
        assert_int_equal(sift_writer_field(w, "date", v, &err), SIFT_OK);
    }
    if (d->src >= 0) assert_int_equal(sift_writer_field(w, "source", sources[d->src], &err), SIFT_OK);
    for (int k = 0; k < NTAGS; k++)
        if (d->tags >> k & 1) assert_int_equal(sift_writer_field(w, "tags", tags[k], &err), SIFT_OK);
    if (d->price >= 0) {
        snprintf(v, sizeof v, "%d", d->price);
        assert_int_equal(sift_writer_field(w, "price", v, &err), SIFT_OK);
    }
    if (sift_writer_add(w, id, "", text, strlen(text), &err)) fail_msg("add: %s", err.msg);
}

/* The brute force's filters. */
enum kind { F_SRC, F_TAG, F_DATE, F_PRICE };
struct filter {
    enum kind kind;
    int a, b;              /* value index, or the range's days / prices */
    bool lo_incl, hi_incl, lo_open, hi_open;
};

static bool holds(const struct doc *d, const struct filter *f)
{
    switch (f->kind) {
    case F_SRC: return d->src == f->a;
    case F_TAG: return d->tags >> f->a & 1;
    case F_DATE:
    case F_PRICE: {
        int64_t v = f->kind == F_DATE ? d->day : d->price;
        if (v < 0) return false;
        bool lo = f->lo_open || (f->lo_incl ? v >= f->a : v > f->a);
        bool hi = f->hi_open || (f->hi_incl ? v <= f->b : v < f->b);
        return lo && hi;
    }
    }
    return false;
}

static void filter_text(const struct filter *f, char *out, size_t n)
{
    char a[32], b[32];
    if (f->kind == F_SRC) {
        snprintf(out, n, "source:\"%s\"", sources[f->a]);
        return;
    }
    if (f->kind == F_TAG) {
        snprintf(out, n, "tags:%s", tags[f->a]);
        return;
    }
    if (f->kind == F_DATE) day_text(f->a, a, sizeof a), day_text(f->b, b, sizeof b);
    else snprintf(a, sizeof a, "%d", f->a), snprintf(b, sizeof b, "%d", f->b);
    const char *name = f->kind == F_DATE ? "date" : "price";
    if (f->lo_open && !f->hi_open) snprintf(out, n, "%s:%s%s", name, f->hi_incl ? "<=" : "<", b);
    else if (f->hi_open && !f->lo_open) snprintf(out, n, "%s:%s%s", name, f->lo_incl ? ">=" : ">", a);
    else snprintf(out, n, "%s:%c%s TO %s%c", name, f->lo_incl ? '[' : '{', f->lo_open ? "*" : a,
                  f->hi_open ? "*" : b, f->hi_incl ? ']' : '}');
}

static struct filter random_filter(void)
{
    struct filter f = { (enum kind)rnd(4), 0, 0, rnd(2), rnd(2), false, false };
    if (f.kind == F_SRC) f.a = (int)rnd(NSRC);
    else if (f.kind == F_TAG) f.a = (int)rnd(NTAGS);
    else {
        int span = f.kind == F_DATE ? 3650 : 200;
        f.a = (int)rnd((unsigned)span);
        f.b = f.a + (int)rnd((unsigned)span / 2);
        unsigned open = rnd(5);
        f.lo_open = open == 0;
        f.hi_open = open == 1;
        if (f.lo_open || f.hi_open) f.lo_incl = f.hi_incl = (f.lo_open ? f.hi_incl : f.lo_incl);
    }
    return f;
}

static uint64_t sift_count_of(sift_index *idx, const char *q)
{
    sift_query *qq;
    sift_errmsg err;
    if (sift_query_parse(idx, q, &qq, &err)) fail_msg("parse %s: %s", q, err.msg);
    uint64_t n;
    if (sift_count(idx, qq, &n, &err)) fail_msg("count %s: %s", q, err.msg);
    sift_query_free(qq);
    return n;
}

/* The top 10 by score, pruned, are those of an exhaustive search: the
 * filters gate the words' MaxScore without changing what it finds. */
static void check_pruned(sift_index *idx, sift_query *qq, const char *q)
{
    sift_search_options all, top;
    sift_search_options_init(&all);
    sift_search_options_init(&top);
    all.limit = NDOCS;
    all.exact_total = 1;
    sift_results *ra, *rt;
    sift_errmsg err;
    assert_int_equal(sift_search(idx, qq, &all, &ra, &err), SIFT_OK);
    assert_int_equal(sift_search(idx, qq, &top, &rt, &err), SIFT_OK);
    size_t n = sift_results_size(ra) < 10 ? sift_results_size(ra) : 10;
    if (sift_results_size(rt) != n) fail_msg("'%s': %zu pruned hits, want %zu", q, sift_results_size(rt), n);
    for (size_t k = 0; k < n; k++)
        if (strcmp(sift_results_id(rt, k), sift_results_id(ra, k)) || sift_results_score(rt, k) != sift_results_score(ra, k))
            fail_msg("'%s': pruned hit %zu is %s %.17g, exhaustive %s %.17g", q, k, sift_results_id(rt, k),
                     sift_results_score(rt, k), sift_results_id(ra, k), sift_results_score(ra, k));
    sift_results_free(ra);
    sift_results_free(rt);
}

/* One random query: a word or none, one or two filters joined in one of
 * the ways people write them. */
static void check_query(sift_index *idx)
{
    int w = (int)rnd(10) - 2;   /* -1: filters alone; -2: with '*' */
    int w2 = w >= 0 && rnd(2) ? (int)rnd(8) : -1;   /* a second word: either may match */
    struct filter f1 = random_filter(), f2 = random_filter();
    int shape = (int)rnd(4);   /* 0: f1; 1: f1 f2; 2: (f1 OR f2); 3: f1 -f2 */
    char a[96], b[96], q[300];
    filter_text(&f1, a, sizeof a);
    filter_text(&f2, b, sizeof b);
    char word[32];
    snprintf(word, sizeof word, "%s%s%s", w >= 0 ? words[w] : w == -2 ? "*" : "", w2 >= 0 ? " " : "",
             w2 >= 0 ? words[w2] : "");
    switch (shape) {
    case 0: snprintf(q, sizeof q, "%s %s", word, a); break;
    case 1: snprintf(q, sizeof q, "%s %s %s", word, a, b); break;
    case 2: snprintf(q, sizeof q, "%s (%s OR %s)", word, a, b); break;
    default: snprintf(q, sizeof q, "%s %s -%s", word, a, b); break;
    }
    /* brute force */
    uint64_t want = 0, src_count[NSRC] = { 0 }, year_count[20] = { 0 }, tag_count[NTAGS] = { 0 };
    for (int i = 0; i < NDOCS; i++) {
        const struct doc *d = &model[i];
        bool m = d->live && (w < 0 || (d->words >> w & 1) || (w2 >= 0 && (d->words >> w2 & 1)));
        bool h1 = holds(d, &f1), h2 = holds(d, &f2);
        m = m && (shape == 0 ? h1 : shape == 1 ? h1 && h2 : shape == 2 ? h1 || h2 : h1 && !h2);
        if (!m) continue;
        want++;
        if (d->src >= 0) src_count[d->src]++;
        if (d->day >= 0) year_count[year_of(d->day) - 2015]++;
        for (int t = 0; t < NTAGS; t++) tag_count[t] += d->tags >> t & 1;
    }
    uint64_t got = sift_count_of(idx, q);
    if (got != want) fail_msg("'%s': %llu matches, the brute force %llu", q, (unsigned long long)got,
                              (unsigned long long)want);
    /* facets over every match */
    const char *facets[] = { "source", "date:year", "tags" };   /* one value a document, buckets, several */
    sift_search_options so;
    sift_search_options_init(&so);
    so.facets = facets;
    so.nfacets = 3;
    so.facet_limit = 100;
    sift_query *qq;
    sift_errmsg err;
    sift_results *r;
    assert_int_equal(sift_query_parse(idx, q, &qq, &err), SIFT_OK);
    if (sift_search(idx, qq, &so, &r, &err)) fail_msg("facets %s: %s", q, err.msg);
    assert_true(sift_results_total(r) == want && sift_results_total_exact(r));
    size_t seen = 0;
    for (size_t j = 0; j < sift_results_facet_count(r); j++) {
        sift_facet_value fv = { .struct_size = sizeof fv };
        assert_int_equal(sift_results_facet(r, j, &fv, &err), SIFT_OK);
        uint64_t expect = 0;
        if (!strcmp(fv.facet, "source")) {
            for (int s = 0; s < NSRC; s++)
                if (!strcmp(sources[s], fv.value)) expect = src_count[s];
        } else if (!strcmp(fv.facet, "tags")) {
            for (int t = 0; t < NTAGS; t++)
                if (!strcmp(tags[t], fv.value)) expect = tag_count[t];
        } else {
            expect = year_count[atoi(fv.value) - 2015];
        }
        if (fv.count != expect) fail_msg("'%s': facet %s %s counts %llu, the brute force %llu", q, fv.facet,
                                         fv.value, (unsigned long long)fv.count, (unsigned long long)expect);
        seen++;
    }
    size_t nonzero = 0;
    for (int s = 0; s < NSRC; s++) nonzero += src_count[s] > 0;
    for (int y = 0; y < 20; y++) nonzero += year_count[y] > 0;
    for (int t = 0; t < NTAGS; t++) nonzero += tag_count[t] > 0;
    assert_int_equal(seen, nonzero);
    sift_results_free(r);
    check_pruned(idx, qq, q);
    so.no_hits = 1;   /* the facets alone: the same counts, no hits */
    assert_int_equal(sift_search(idx, qq, &so, &r, &err), SIFT_OK);
    assert_true(sift_results_total(r) == want && sift_results_total_exact(r) && sift_results_size(r) == 0);
    assert_int_equal(sift_results_facet_count(r), seen);
    sift_results_free(r);
    /* sorted top 10 (pruned) against every match ordered by the rule,
     * with the scores of an exhaustive search */
    bool desc = rnd(2);
    const char *field = rnd(2) ? "date" : "price";
    char sort[16];
    snprintf(sort, sizeof sort, "%s%s", desc ? "-" : "", field);
    sift_search_options all;
    sift_search_options_init(&all);
    all.limit = NDOCS;
    all.exact_total = 1;
    assert_int_equal(sift_search(idx, qq, &all, &r, &err), SIFT_OK);
    struct ranked { int i; double score; bool has; int64_t key; } rk[NDOCS];
    size_t n = sift_results_size(r);
    for (size_t k = 0; k < n; k++) {
        int i = atoi(sift_results_id(r, k) + 1);
        int64_t v = field[0] == 'd' ? model[i].day : model[i].price;
        rk[k] = (struct ranked){ i, sift_results_score(r, k), v >= 0, v };
    }
    sift_results_free(r);
    for (size_t x = 1; x < n; x++)   /* insertion sort by the rule */
        for (size_t y = x; y > 0; y--) {
            struct ranked *p = &rk[y - 1], *c = &rk[y];
            bool before = c->has != p->has ? c->has
                          : c->has && c->key != p->key ? (desc ? c->key > p->key : c->key < p->key)
                          : c->score != p->score ? c->score > p->score : c->i < p->i;
            if (!before) break;
            struct ranked t = *p;
            *p = *c;
            *c = t;
        }
    sift_search_options top;
    sift_search_options_init(&top);
    top.sort = sort;
    top.offset = rnd(3);
    assert_int_equal(sift_search(idx, qq, &top, &r, &err), SIFT_OK);
    for (size_t k = 0; k < sift_results_size(r); k++) {
        int i = atoi(sift_results_id(r, k) + 1);
        if (k + top.offset >= n || i != rk[k + top.offset].i)
            fail_msg("'%s' --sort %s --offset %u: hit %zu is d%04d, the brute force's d%04d", q, sort,
                     top.offset, k, i, k + top.offset < n ? rk[k + top.offset].i : -1);
    }
    assert_int_equal(sift_results_size(r), n > top.offset ? (n - top.offset < 10 ? n - top.offset : 10) : 0);
    sift_results_free(r);
    sift_query_free(qq);
}

static void test_fields_against_brute_force(void **state)
{
    (void)state;
    char *dir = tmpdir_make();
    sift_errmsg err;
    sift_writer *w;
    sift_writer_options o;
    sift_writer_options_init(&o);
    o.ram_mb = 1;
    assert_int_equal(sift_writer_open(dir, &o, &w, &err), SIFT_OK);
    assert_int_equal(sift_writer_declare_field(w, "price", SIFT_FIELD_NUMBER, &err), SIFT_OK);
    /* four commits, then deletions and updates: several segments */
    for (int i = 0; i < NDOCS; i++) {
        add(w, i);
        if (i % (NDOCS / 4) == NDOCS / 4 - 1) assert_int_equal(sift_writer_commit(w, &err), SIFT_OK);
    }
    for (int i = 0; i < NDOCS; i++) {
        char id[16];
        snprintf(id, sizeof id, "d%04d", i);
        unsigned r = rnd(10);
        if (r == 0) {
            assert_int_equal(sift_writer_delete(w, id, &err), SIFT_OK);
            model[i].live = false;
        } else if (r == 1) {
            add(w, i);   /* an update: new metadata */
        }
    }
    assert_int_equal(sift_writer_commit(w, &err), SIFT_OK);
    sift_writer_close(w);
    sift_index *idx;
    assert_int_equal(sift_index_open(dir, &idx, &err), SIFT_OK);
    sift_index_stats st = { .struct_size = sizeof st };
    assert_int_equal(sift_index_stats_get(idx, &st, &err), SIFT_OK);
    assert_true(st.segment_count >= 3 && st.deleted_count > 0);
    for (int k = 0; k < 400; k++) check_query(idx);
    uint64_t problems;
    assert_int_equal(sift_index_check(idx, NULL, NULL, &problems, &err), SIFT_OK);
    sift_index_close(idx);
    tmpdir_remove(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fields_against_brute_force),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
