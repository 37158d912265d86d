/* test_query_diff.c -- differential test of query semantics.
 *
 * Thousands of random queries of every kind (words, phrases with and
 * without slop, NEAR, ONEAR, fields, prefixes, boolean combinations),
 * built from the text of real documents so that they match, are run by
 * the engine and by a brute-force oracle that scans each document's
 * analyzed tokens. The sets of matching documents and the counts must be
 * identical. Runs on corpus/ and, when ../shared is there, on 3,000
 * Reuters articles.
 *
 * Prefixes and fuzzy words are also checked against an expansion of the
 * oracle's own, from the documents' tokens rather than the index: P* is
 * every term starting with P and the stem of every word written starting
 * with P; w~N every term within N edits of w's term.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyzer.h"
#include "bytes.h"
#include "helpers.h"
#include "fuzzy.h"
#include "query.h"
#include "sources.h"

/* ------------------------------------------------------------ documents */

struct tok {
    char *term;
    char *word;      /* as written, folded: NULL when it is the term (not stemmed) */
    uint32_t pos;
};

struct odoc {
    char *id;
    char *title, *text;       /* raw, for the query generator */
    struct tok *toks;         /* sorted by term, then position */
    size_t ntoks;
    uint32_t title_len;
};

struct corpus {
    struct odoc *docs;
    size_t n, cap, limit;
    struct analyzer *an;
};

struct tok_collect {
    struct buf toks;   /* struct tok */
};

static int on_tok(void *ctx, const struct token *t)
{
    struct tok_collect *c = ctx;
    struct tok k = { strndup(t->term, t->len), t->term != t->word ? strndup(t->word, t->word_len) : NULL, t->pos };
    buf_append(&c->toks, &k, sizeof k);
    return 0;
}

static int cmp_tok(const void *a, const void *b)
{
    const struct tok *x = a, *y = b;
    int c = strcmp(x->term, y->term);
    return c ? c : (x->pos > y->pos) - (x->pos < y->pos);
}

static int add_source_doc(void *ctx, const struct source_doc *d)
{
    struct corpus *c = ctx;
    if (c->limit && c->n >= c->limit) return 1;
    if (c->n == c->cap) {
        c->cap = c->cap ? c->cap * 2 : 64;
        c->docs = realloc(c->docs, c->cap * sizeof *c->docs);
    }
    struct odoc *o = &c->docs[c->n++];
    memset(o, 0, sizeof *o);
    o->id = strdup(d->id);
    o->title = strdup(d->title);
    o->text = strndup(d->text, d->text_len);
    struct tok_collect tc = { { 0 } };
    uint32_t next = 0;
    analyzer_run(c->an, o->title, strlen(o->title), 0, on_tok, &tc, &next);
    o->title_len = next;
    analyzer_run(c->an, o->text, strlen(o->text), next, on_tok, &tc, NULL);
    o->toks = (struct tok *)tc.toks.data;
    o->ntoks = tc.toks.len / sizeof(struct tok);
    qsort(o->toks, o->ntoks, sizeof *o->toks, cmp_tok);
    return 0;
}

static void corpus_free(struct corpus *c)
{
    for (size_t i = 0; i < c->n; i++) {
        struct odoc *o = &c->docs[i];
        for (size_t k = 0; k < o->ntoks; k++) free(o->toks[k].term), free(o->toks[k].word);
        free(o->toks);
        free(o->id);
        free(o->title);
        free(o->text);
    }
    free(c->docs);
    analyzer_free(c->an);
}

/* Positions of term in doc: a slice of the sorted tokens. */
static void positions_of(const struct odoc *o, const char *term, uint32_t *out, size_t *n, size_t cap)
{
    size_t lo = 0, hi = o->ntoks;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (strcmp(o->toks[mid].term, term) < 0) lo = mid + 1;
        else hi = mid;
    }
    *n = 0;
    for (size_t k = lo; k < o->ntoks && !strcmp(o->toks[k].term, term) && *n < cap; k++)
        out[(*n)++] = o->toks[k].pos;
}

/* --------------------------------------------------------------- oracle */

#define MAXP 4096

struct slot_pos {
    uint32_t p[MAXP];
    size_t n;
    uint32_t id;
};

static bool in_part(uint32_t p, uint32_t lo, uint32_t hi) { return p >= lo && p < hi; }

/* Depth-first search over assignments of positions to slots. */
static bool dfs(const struct qnode *n, struct slot_pos *s, size_t k, uint32_t *chosen,
                uint32_t lo, uint32_t hi)
{
    size_t ns = n->nterms;
    if (k == ns) {
        int64_t mn = INT64_MAX, mx = INT64_MIN;
        for (size_t i = 0; i < ns; i++) {
            int64_t v = n->kind == QK_PHRASE ? (int64_t)chosen[i] - (int64_t)i : chosen[i];
            if (v < mn) mn = v;
            if (v > mx) mx = v;
            if (n->kind == QK_NEAR && n->ordered && i && chosen[i] <= chosen[i - 1]) return false;
        }
        if (n->kind == QK_PHRASE) return mx - mn <= n->dist;
        return mx - mn + 1 - (int64_t)ns <= n->dist;
    }
    int64_t span = n->kind == QK_PHRASE ? n->dist : n->dist + ns - 1;
    for (size_t j = 0; j < s[k].n; j++) {
        uint32_t p = s[k].p[j];
        if (!in_part(p, lo, hi)) continue;
        /* prune: a match keeps every slot near slot 0 */
        int64_t off = n->kind == QK_PHRASE ? (int64_t)p - (int64_t)k - chosen[0] : (int64_t)p - chosen[0];
        if (k && (off > span || off < -span)) continue;
        bool dup = false;
        for (size_t i = 0; i < k; i++) dup |= chosen[i] == p;
        if (dup) continue;
        chosen[k] = p;
        if (dfs(n, s, k + 1, chosen, lo, hi)) return true;
    }
    return false;
}

static bool oracle_match(const struct qnode *n, const struct odoc *o)
{
    if (n->kind == QK_ALL) return true;
    if (n->kind == QK_BOOL) {
        bool any_must = false, any = false;
        for (size_t i = 0; i < n->nkids; i++) {
            bool m = oracle_match(n->kids[i], o);
            if (n->occurs[i] == OCCUR_MUST) {
                any_must = true;
                if (!m) return false;
            } else if (n->occurs[i] == OCCUR_NOT) {
                if (m) return false;
            } else if (m) {
                any = true;
            }
        }
        return any_must || any;
    }
    static struct slot_pos s[QUERY_MAX_PHRASE];
    for (size_t i = 0; i < n->nterms; i++) {
        positions_of(o, n->terms[i].term, s[i].p, &s[i].n, MAXP);
        s[i].id = n->terms[i].id;
        if (!s[i].n) return false;
    }
    uint32_t parts[2][2] = { { 0, o->title_len }, { o->title_len, UINT32_MAX } };
    for (int part = 0; part < 2; part++) {
        if ((n->field == FIELD_TITLE && part == 1) || (n->field == FIELD_TEXT && part == 0)) continue;
        uint32_t chosen[QUERY_MAX_PHRASE];
        if (n->kind == QK_TERM) {
            for (size_t j = 0; j < s[0].n; j++)
                if (in_part(s[0].p[j], parts[part][0], parts[part][1])) return true;
            continue;
        }
        if (dfs(n, s, 0, chosen, parts[part][0], parts[part][1])) return true;
    }
    return false;
}

/* ------------------------------------------------------------ generator */

static uint64_t rng = 0x2545F4914F6CDD1Dull;
static uint32_t rnd(uint32_t n)
{
    uint64_t v = xorshift64(&rng);   /* advanced whatever n is */
    return n ? (uint32_t)(v % n) : 0;
}

/* The k-th plain word of a text: letters and digits only, lowercased. */
static size_t words_of(const char *text, char words[][32], size_t max)
{
    size_t n = 0;
    for (const char *p = text; *p && n < max;) {
        while (*p && !((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9'))) p++;
        size_t l = 0;
        while ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9')) {
            if (l < 31) words[n][l++] = (char)(*p | (*p >= 'A' && *p <= 'Z' ? 0x20 : 0));
            p++;
        }
        if (l) {
            words[n][l] = 0;
            n++;
        }
    }
    return n;
}

static char words[2048][32];

/* One leaf query drawn from document d. */
static void gen_leaf(const struct corpus *c, struct buf *q)
{
    if (rnd(50) == 0) {   /* every document */
        buf_append(q, "*", 1);
        return;
    }
    const struct odoc *o = &c->docs[rnd((uint32_t)c->n)];
    bool title = rnd(6) == 0 && *o->title;
    size_t n = words_of(title ? o->title : o->text, words, 2048);
    if (n < 4) {
        buf_append(q, "cloud", 5);
        return;
    }
    size_t at = rnd((uint32_t)(n - 3));
    char tmp[512];
    int len = 0;
    switch (rnd(8)) {
    case 0: case 1:
        len = snprintf(tmp, sizeof tmp, "%s", words[at]);
        break;
    case 2: {   /* exact phrase of 2 to 4 words */
        size_t k = 2 + rnd(3);
        len = snprintf(tmp, sizeof tmp, "\"%s %s%s%s%s%s\"", words[at], words[at + 1],
                       k > 2 ? " " : "", k > 2 ? words[at + 2] : "", k > 3 ? " " : "",
                       k > 3 && at + 3 < n ? words[at + 3] : "");
        break;
    }
    case 3:     /* sloppy phrase, maybe reordered */
        if (rnd(2)) len = snprintf(tmp, sizeof tmp, "\"%s %s\"~%u", words[at + 1], words[at], rnd(4));
        else len = snprintf(tmp, sizeof tmp, "\"%s %s %s\"~%u", words[at], words[at + 2], words[at + 1], rnd(5));
        break;
    case 4:
        len = snprintf(tmp, sizeof tmp, "NEAR/%u(%s %s)", rnd(6), words[at], words[at + rnd(3) + 1]);
        break;
    case 5:
        len = snprintf(tmp, sizeof tmp, "ONEAR/%u(%s %s %s)", rnd(8), words[at], words[at + 1 + rnd(2)], words[at + 3]);
        break;
    case 6:     /* prefix of 2 to 5 letters */
        len = snprintf(tmp, sizeof tmp, "%.*s*", 2 + (int)rnd(4), words[at]);
        break;
    default:   /* a phrase from another document, or a rare pairing */
        len = snprintf(tmp, sizeof tmp, "\"%s %s\"", words[at], words[rnd((uint32_t)n)]);
        break;
    }
    if (title || rnd(10) == 0) buf_append(q, title ? "title:" : "text:", title ? 6 : 5);
    buf_append(q, tmp, (size_t)len);
}

static void gen_query(const struct corpus *c, struct buf *q, int depth)
{
    uint32_t shape = depth > 2 ? 0 : rnd(7);
    switch (shape) {
    case 0: case 1: gen_leaf(c, q); break;
    case 2: case 3: {  /* a bag of 2 or 3 clauses with + and -, grouped when nested */
        unsigned k = 2 + rnd(2);
        if (depth) buf_append(q, "(", 1);
        for (unsigned i = 0; i < k; i++) {
            if (i) buf_append(q, " ", 1);
            uint32_t m = rnd(4);
            if (m == 0 && i) buf_append(q, "-", 1);
            else if (m == 1) buf_append(q, "+", 1);
            gen_query(c, q, depth + 1);
        }
        if (depth) buf_append(q, ")", 1);
        break;
    }
    case 4: gen_query(c, q, depth + 1); buf_append(q, " AND ", 5); gen_query(c, q, depth + 1); break;
    case 5: gen_query(c, q, depth + 1); buf_append(q, " OR ", 4); gen_query(c, q, depth + 1); break;
    default:
        buf_append(q, "(", 1);
        gen_query(c, q, depth + 1);
        if (rnd(2)) buf_append(q, " OR ", 4);
        else buf_append(q, " ", 1);
        gen_query(c, q, depth + 1);
        buf_append(q, ") ", 2);
        buf_append(q, rnd(2) ? "NOT " : "AND ", 4);
        gen_query(c, q, depth + 1);
        break;
    }
}

/* -------------------------------------------------------------- the run */

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* Top-k pruning must not change the hits: the top 10, and hits 3 to 7,
 * of a pruned search under rk are those of the exhaustive ranking `all`
 * (same ids, bit-identical scores). Returns 1 when the search did prune. */
/* A ranking the pruned search must reproduce. */
struct ranking {
    unsigned rank;
    double title_weight, text_weight;
};
static const struct ranking flat = { SIFT_RANK_BM25, 0, 0 };

static void set_ranking(sift_search_options *so, const struct ranking *rk)
{
    so->rank = rk->rank;
    so->title_weight = rk->title_weight;
    so->text_weight = rk->text_weight;
}

static unsigned check_pruning(sift_index *idx, sift_query *q, sift_results *all, const char *text,
                              const struct ranking *rk)
{
    static const uint32_t shapes[][2] = { { 10, 0 }, { 5, 2 }, { 1, 0 } };
    unsigned pruned = 0;
    sift_errmsg err;
    for (size_t s = 0; s < sizeof shapes / sizeof *shapes; s++) {
        sift_search_options so;
        sift_search_options_init(&so);
        so.limit = shapes[s][0];
        so.offset = shapes[s][1];
        set_ranking(&so, rk);
        sift_results *r;
        assert_int_equal(sift_search(idx, q, &so, &r, &err), SIFT_OK);
        size_t n = sift_results_size(all) > so.offset ? sift_results_size(all) - so.offset : 0;
        if (n > so.limit) n = so.limit;
        if (sift_results_size(r) != n) fail_msg("pruned %s: %zu hits, want %zu", text, sift_results_size(r), n);
        for (size_t i = 0; i < n; i++) {
            if (strcmp(sift_results_id(r, i), sift_results_id(all, so.offset + i)) ||
                sift_results_score(r, i) != sift_results_score(all, so.offset + i))
                fail_msg("pruned %s (limit %u offset %u): hit %zu is %s %.17g, want %s %.17g", text,
                         so.limit, so.offset, i, sift_results_id(r, i), sift_results_score(r, i),
                         sift_results_id(all, so.offset + i), sift_results_score(all, so.offset + i));
        }
        if (sift_results_total_exact(r)) {
            assert_int_equal(sift_results_total(r), sift_results_total(all));
        } else {
            assert_true(sift_results_total(r) <= sift_results_total(all));
            pruned |= sift_results_total(r) < sift_results_total(all);
        }
        sift_results_free(r);
    }
    return pruned;
}

/* The engine's count of sq, and its ranking of every document. */
/* Every match ranked (a top k as large as the corpus never fills, so
 * nothing is skipped), and their count. */
static sift_results *count_and_rank(const struct corpus *c, sift_index *idx, sift_query *sq,
                                    const struct ranking *rk, uint64_t *count)
{
    sift_errmsg err;
    assert_int_equal(sift_count(idx, sq, count, &err), SIFT_OK);
    sift_search_options so;
    sift_search_options_init(&so);
    so.limit = (uint32_t)c->n;
    set_ranking(&so, rk);
    sift_results *r;
    assert_int_equal(sift_search(idx, sq, &so, &r, &err), SIFT_OK);
    return r;
}

/* ------------------------------------------------- prefixes and fuzzy words */

/* The oracle's expansion: a set of terms. */
struct termset {
    const char **t;
    size_t n, cap;
};

static void set_add(struct termset *s, const char *t)
{
    for (size_t i = 0; i < s->n; i++)
        if (!strcmp(s->t[i], t)) return;
    if (s->n == s->cap) {
        s->cap = s->cap ? 2 * s->cap : 64;
        s->t = realloc(s->t, s->cap * sizeof *s->t);
    }
    s->t[s->n++] = t;
}

/* The corpus's distinct (word, term) pairs, for the oracle's expansions. */
struct vocab {
    const struct tok **t;
    size_t n;
};

static int cmp_tokp(const void *a, const void *b)
{
    const struct tok *x = *(const struct tok *const *)a, *y = *(const struct tok *const *)b;
    int c = strcmp(x->term, y->term);
    return c ? c : strcmp(x->word ? x->word : "", y->word ? y->word : "");
}

static void vocab_make(const struct corpus *c, struct vocab *v)
{
    size_t total = 0;
    for (size_t d = 0; d < c->n; d++) total += c->docs[d].ntoks;
    v->t = malloc((total ? total : 1) * sizeof *v->t);
    v->n = 0;
    for (size_t d = 0; d < c->n; d++)
        for (size_t k = 0; k < c->docs[d].ntoks; k++) v->t[v->n++] = &c->docs[d].toks[k];
    qsort(v->t, v->n, sizeof *v->t, cmp_tokp);
    size_t m = 0;
    for (size_t i = 0; i < v->n; i++)
        if (!m || cmp_tokp(&v->t[m - 1], &v->t[i])) v->t[m++] = v->t[i];
    v->n = m;
}

/* P*: the terms starting with P, and the stems of the words written so. */
static void expand_prefix_oracle(const struct vocab *v, const char *p, struct termset *s)
{
    size_t n = strlen(p);
    for (size_t i = 0; i < v->n; i++)
        if (!strncmp(v->t[i]->term, p, n) || (v->t[i]->word && !strncmp(v->t[i]->word, p, n)))
            set_add(s, v->t[i]->term);
}

/* w~N: the terms within N edits of the term of w (fuzzy_distance is checked
 * against a brute force in test_fuzzy). */
static void expand_fuzzy_oracle(const struct vocab *v, const char *term, unsigned maxd, struct termset *s)
{
    for (size_t i = 0; i < v->n; i++) {
        const char *t = v->t[i]->term;
        if ((!i || strcmp(t, v->t[i - 1]->term)) && fuzzy_distance(t, strlen(t), term, strlen(term), maxd) <= maxd)
            set_add(s, t);
    }
}

static int first_term(void *ctx, const struct token *t)
{
    snprintf(ctx, 64, "%.*s", (int)t->len, t->term);
    return 1;
}

/* The documents holding a term of s against what the engine finds for q. */
static void compare_expansion(const struct corpus *c, sift_index *idx, const char *q, const struct termset *s)
{
    sift_query *sq;
    sift_errmsg err;
    assert_int_equal(sift_query_parse_flags(idx, q, SIFT_QUERY_STRICT, &sq, &err), SIFT_OK);
    uint64_t count, want = 0;
    sift_results *r = count_and_rank(c, idx, sq, &flat, &count);
    for (size_t d = 0; d < c->n; d++) {
        bool match = false;
        for (size_t i = 0; i < s->n && !match; i++) {
            uint32_t one;
            size_t n;
            positions_of(&c->docs[d], s->t[i], &one, &n, 1);
            match = n > 0;
        }
        bool found = false;
        for (size_t i = 0; i < sift_results_size(r) && !found; i++) found = !strcmp(sift_results_id(r, i), c->docs[d].id);
        if (match != found)
            fail_msg("%s: the oracle's %zu terms %s '%s', the engine %s", q, s->n, match ? "match" : "miss",
                     c->docs[d].id, found ? "finds it" : "does not");
        want += match;
    }
    assert_int_equal(count, want);
    sift_results_free(r);
    sift_query_free(sq);
}

static void check_expansions(struct corpus *c, sift_index *idx, unsigned nqueries)
{
    unsigned prefixes = 0, fuzzy = 0;
    struct vocab v;
    vocab_make(c, &v);
    for (unsigned qi = 0; qi < nqueries; qi++) {
        const struct odoc *o = &c->docs[rnd((uint32_t)c->n)];
        size_t n = words_of(o->text, words, 2048);
        if (!n) continue;
        const char *w = words[rnd((uint32_t)n)];
        struct termset s = { 0 };
        char q[96];
        if (qi % 2 == 0) {   /* a prefix of 3 letters or more, or the whole word */
            size_t len = strlen(w), k = len <= 3 ? len : 3 + rnd((uint32_t)(len - 2));
            snprintf(q, sizeof q, "%.*s*", (int)k, w);
            char p[64];
            snprintf(p, sizeof p, "%.*s", (int)k, w);
            expand_prefix_oracle(&v, p, &s);
            if (s.n && s.n <= 256) compare_expansion(c, idx, q, &s), prefixes++;   /* (the cap is tested elsewhere) */
        } else {
            unsigned maxd = 1 + rnd(2);
            char term[64] = "";
            analyzer_run(c->an, w, strlen(w), 0, first_term, term, NULL);
            snprintf(q, sizeof q, "%s~%u", w, maxd);
            expand_fuzzy_oracle(&v, term, maxd, &s);
            if (*term && s.n && s.n <= 50) compare_expansion(c, idx, q, &s), fuzzy++;
        }
        free(s.t);
    }
    free(v.t);
    printf("%u prefixes and %u fuzzy words against the oracle's expansion: 0 differences\n", prefixes, fuzzy);
    assert_true(prefixes > nqueries / 4 && fuzzy > nqueries / 8);
}

static void run_differential(struct corpus *c, unsigned nqueries)
{
    char *dir = tmpdir_make();
    sift_errmsg err;
    sift_writer *w;
    assert_int_equal(sift_writer_open(dir, NULL, &w, &err), SIFT_OK);
    for (size_t i = 0; i < c->n; i++)
        assert_int_equal(sift_writer_add(w, c->docs[i].id, c->docs[i].title, c->docs[i].text,
                                         strlen(c->docs[i].text), &err), SIFT_OK);
    assert_int_equal(sift_writer_commit(w, &err), SIFT_OK);
    sift_writer_close(w);
    sift_index *idx;
    assert_int_equal(sift_index_open(dir, &idx, &err), SIFT_OK);
    char **want = malloc(c->n * sizeof *want), **got = malloc(c->n * sizeof *got);
    unsigned parsed = 0, nonempty = 0, kinds_phrase = 0, pruned = 0, pruned_other[3] = { 0 };
    for (unsigned qi = 0; qi < nqueries; qi++) {
        struct buf q = { 0 };
        gen_query(c, &q, 0);
        buf_append(&q, "", 1);
        sift_query *sq;
        if (sift_query_parse(idx, (char *)q.data, &sq, &err) != SIFT_OK) {
            if (getenv("SIFT_DIFF_VERBOSE")) printf("unparsed: %s\n", err.msg);
            buf_free(&q);
            continue;   /* only exclusions, or no searchable words */
        }
        parsed++;
        size_t nw = 0;
        for (size_t d = 0; d < c->n; d++)
            if (oracle_match(sq->root, &c->docs[d])) want[nw++] = c->docs[d].id;
        uint64_t count;
        sift_results *r = count_and_rank(c, idx, sq, &flat, &count);
        size_t ng = sift_results_size(r);
        for (size_t i = 0; i < ng; i++) got[i] = (char *)sift_results_id(r, i);
        qsort(want, nw, sizeof *want, cmp_str);
        qsort(got, ng, sizeof *got, cmp_str);
        bool same = nw == ng && count == nw && sift_results_total(r) == nw;
        for (size_t i = 0; same && i < nw; i++) same = !strcmp(want[i], got[i]);
        if (!same)
            fail_msg("query %u: %s\n  oracle %zu docs, engine %zu hits, count %llu", qi,
                     (char *)q.data, nw, ng, (unsigned long long)count);
        nonempty += nw > 0;
        kinds_phrase += strchr((char *)q.data, '"') != NULL;
        pruned += check_pruning(idx, sq, r, (char *)q.data, &flat);
        sift_results_free(r);
        /* the bounded bonus and BM25F prune too: a proximity ranking, and
         * field weights each way round (with the bonus for one of them) */
        static const struct ranking others[] = { { SIFT_RANK_BM25_PROX, 0, 0 },
                                                  { SIFT_RANK_BM25, 2, 1 },
                                                  { SIFT_RANK_BM25_PROX, 0.5, 1.5 } };
        for (size_t k = 0; k < 3; k++) {
            r = count_and_rank(c, idx, sq, &others[k], &count);
            pruned_other[k] += check_pruning(idx, sq, r, (char *)q.data, &others[k]);
            sift_results_free(r);
        }
        sift_query_free(sq);
        buf_free(&q);
    }
    printf("%u queries generated, %u parsed, %u with matches, %u with phrases, %u pruned (%u with "
           "proximity, %u and %u with field weights): 0 differences\n", nqueries, parsed, nonempty,
           kinds_phrase, pruned, pruned_other[0], pruned_other[1], pruned_other[2]);
    assert_true(pruned > parsed / 10);   /* the pruned paths were exercised */
    for (size_t k = 0; k < 3; k++) assert_true(pruned_other[k] > parsed / 20);
    assert_true(parsed > nqueries * 8 / 10);
    assert_true(nonempty > parsed / 2);
    check_expansions(c, idx, nqueries / 10);
    free(want);
    free(got);
    sift_index_close(idx);
    tmpdir_remove(dir);
}

#ifndef SIFT_DIFF_QUERY_DIVISOR
#define SIFT_DIFF_QUERY_DIVISOR 1
#endif

static void test_corpus(void **state)
{
    (void)state;
    struct corpus c = { NULL, 0, 0, 0, analyzer_new("english") };
    struct source_stats st = { 0 };
    sources_read(SIFT_SOURCE_DIR "/corpus", add_source_doc, NULL, &c, &st);
    run_differential(&c, 3000 / SIFT_DIFF_QUERY_DIVISOR);
    corpus_free(&c);
}

static void test_reuters(void **state)
{
    (void)state;
    const char *path = SIFT_SOURCE_DIR "/../shared/corpora/reuters21578/docs.jsonl.gz";
    FILE *f = fopen(path, "rb");
    if (!f) {
        printf("skipped: %s not found\n", path);
        skip();
    }
    fclose(f);
    struct corpus c = { NULL, 0, 0, 3000, analyzer_new("english") };
    struct source_stats st = { 0 };
    sources_read(path, add_source_doc, NULL, &c, &st);
    assert_int_equal(c.n, 3000);
    run_differential(&c, 2000 / SIFT_DIFF_QUERY_DIVISOR);
    corpus_free(&c);
}

/* An argument names the one test to run (ctest runs each on its own). */
int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_corpus),
        cmocka_unit_test(test_reuters),
    };
    if (argc > 1) cmocka_set_test_filter(argv[1]);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
