/* feedback.c -- sift_query_expand: RM3 pseudo-relevance feedback.
 *
 * RM1 over the first search's top FEEDBACK_DOCS: P(w|R) = sum over those
 * documents d of P(w|d) * P(d), with P(w|d) = tf(w, d) / |d| (title and
 * text, analyzed as indexed) and P(d) the document's score over the sum of
 * their scores. Stopwords, terms under 2 or over 20 bytes and the typed
 * fields' terms are left out; the FEEDBACK_TERMS most likely are kept and
 * normalized, then mixed with the original query at FEEDBACK_ORIGINAL
 * (RM3: Anserini's fbDocs 10, fbTerms 10, originalQueryWeight 0.5). The
 * expanded query is the original reading (its words sharing 0.5) with the
 * new terms beside it as optional words, each scoring its weight times
 * its BM25 score.
 */
#include "feedback.h"

#include <stdlib.h>
#include <string.h>

#include "analyzer.h"
#include "bind.h"
#include "error.h"
#include "hash.h"
#include "index.h"
#include "query.h"
#include "stopwords.h"
#include "strmap.h"

struct fb_term {
    size_t off;
    uint32_t len;
    uint32_t tf;          /* in the document being read */
    uint32_t last_doc;    /* the document tf counts, + 1 */
    double p;             /* P(w|R) so far */
};

struct model {
    struct buf bytes;
    struct fb_term *t;
    size_t n, cap;
    struct strmap map;
    uint32_t *seen;       /* the terms of the document being read */
    size_t nseen, capseen;
    uint32_t doc, len;    /* the document being read (+ 1), its tokens */
    const char *const *stops;
    size_t nstops;
    bool oom;
};

static const void *term_key(const void *ctx, uint32_t i, size_t *len)
{
    const struct model *m = ctx;
    *len = m->t[i].len;
    return m->bytes.data + m->t[i].off;
}

static int on_token(void *ctx, const struct token *tok)
{
    struct model *m = ctx;
    m->len++;
    if (tok->len < 2 || tok->len > 20 || (unsigned char)tok->term[0] < 0x20) return 0;
    if (m->stops && (stopword_is(m->stops, m->nstops, tok->word, tok->word_len) ||
                     stopword_is(m->stops, m->nstops, tok->term, tok->len)))   /* "it's": it */
        return 0;
    uint32_t h = hash_fnv1a(tok->term, tok->len), slot = 0;
    uint32_t i = strmap_find(&m->map, tok->term, tok->len, h, term_key, m, &slot);
    if (i == STRMAP_NONE) {
        if (!array_reserve((void **)&m->t, &m->cap, m->n, sizeof *m->t) || !buf_append(&m->bytes, tok->term, tok->len))
            return m->oom = true, 1;
        m->t[m->n] = (struct fb_term){ m->bytes.len - tok->len, (uint32_t)tok->len, 0, 0, 0 };
        i = (uint32_t)m->n++;
        if (!strmap_put(&m->map, slot, h, i)) return m->oom = true, 1;
    }
    if (m->t[i].last_doc != m->doc) {
        if (!array_reserve((void **)&m->seen, &m->capseen, m->nseen, sizeof *m->seen)) return m->oom = true, 1;
        m->seen[m->nseen++] = i;
        m->t[i].last_doc = m->doc;
        m->t[i].tf = 0;
    }
    m->t[i].tf++;
    return 0;
}

/* Read hit k of r into the model with weight w. */
static sift_err read_doc(struct model *m, struct analyzer *an, const sift_results *r, size_t k, double w,
                         sift_errmsg *err)
{
    sift_hit hit = { .struct_size = sizeof hit };
    char *text = NULL;
    size_t len;
    sift_err rc = sift_results_hit(r, k, &hit, err);
    if (!rc) rc = sift_results_text(r, k, &text, &len, err);
    if (rc) return rc;
    m->doc = (uint32_t)k + 1;
    m->len = 0;
    m->nseen = 0;
    uint32_t end;
    analyzer_run(an, hit.title, strlen(hit.title), 0, on_token, m, &end);
    analyzer_run(an, text, len, end, on_token, m, &end);
    free(text);
    if (m->oom) return sift_fail(err, SIFT_ERR_NOMEM, "out of memory reading feedback documents");
    for (size_t i = 0; i < m->nseen && m->len; i++) {
        struct fb_term *t = &m->t[m->seen[i]];
        t->p += w * (double)t->tf / (double)m->len;
    }
    return SIFT_OK;
}

/* ------------------------------------------ the terms into the query */

/* The words a query scores with: terms of words, phrases and NEAR, not
 * under an exclusion. */
static size_t scoring_terms(const struct qnode *n)
{
    if (qkind_filters(n->kind)) return 0;
    size_t k = n->kind == QK_BOOL ? 0 : n->nterms;
    for (size_t i = 0; i < n->nkids; i++)
        if (n->occurs[i] != OCCUR_NOT) k += scoring_terms(n->kids[i]);
    return k;
}

/* Whether the query requires something: a required clause, or a filter. */
static bool requires(const struct qnode *n)
{
    for (size_t i = 0; n->kind == QK_BOOL && i < n->nkids; i++)
        if (n->occurs[i] == OCCUR_MUST) return true;
    return qkind_filters(n->kind);
}

/* Move orig's top-level exclusions to g: they then exclude what the
 * feedback terms find too. */
static void lift_exclusions(struct binder *b, struct qnode *orig, struct qnode *g)
{
    size_t keep = 0;
    for (size_t i = 0; orig->kind == QK_BOOL && i < orig->nkids; i++) {
        if (orig->occurs[i] == OCCUR_NOT) {   /* (a failed add frees it and fails the binder) */
            bind_add_kid(b, g, orig->kids[i], OCCUR_NOT);
            continue;
        }
        orig->kids[keep] = orig->kids[i];
        orig->occurs[keep++] = orig->occurs[i];
    }
    if (orig->kind == QK_BOOL) orig->nkids = keep;
}

/* The expanded query (feedback.h): the original reading, its words
 * sharing fb->original, and beside it each feedback term with its weight.
 * The original is required when it requires anything, and its exclusions
 * exclude from the whole, so the expansion never brings in what the query
 * rules out. */
struct qnode *bind_feedback(struct binder *b, struct qnode *orig, const struct feedback *fb)
{
    size_t words = scoring_terms(orig);
    struct qnode *g = bind_node_new(b, QK_BOOL);
    if (!g) {
        qnode_free(orig);
        return NULL;
    }
    orig->scale = words ? fb->original / (double)words : fb->original;
    bool required = requires(orig);
    if (!required) lift_exclusions(b, orig, g);
    if (bind_failed(b) || !bind_add_kid(b, g, orig, required ? OCCUR_MUST : OCCUR_SHOULD)) {
        if (!bind_failed(b)) qnode_free(orig);
        qnode_free(g);
        return NULL;
    }
    for (size_t i = 0; i < fb->n; i++) {
        struct qnode *leaf = bind_node_new(b, QK_TERM);
        if (!leaf || !bind_term_add(b, leaf, fb->terms[i], fb->lens[i], 0) ||
            !bind_add_kid(b, g, leaf, OCCUR_SHOULD)) {
            if (leaf && bind_failed(b)) qnode_free(leaf);
            qnode_free(g);
            return NULL;
        }
        leaf->scale = fb->weights[i];
    }
    return g;
}

/* ------------------------------------------------- choosing terms */

static int by_p(const void *a, const void *b, void *ctx)
{
    const struct model *m = ctx;
    const struct fb_term *x = &m->t[*(const uint32_t *)a], *y = &m->t[*(const uint32_t *)b];
    if (x->p != y->p) return x->p > y->p ? -1 : 1;
    size_t n = x->len < y->len ? x->len : y->len;
    int c = memcmp(m->bytes.data + x->off, m->bytes.data + y->off, n);
    return c ? c : (x->len > y->len) - (x->len < y->len);
}

/* The FEEDBACK_TERMS best terms of the model, normalized, into fb. */
static sift_err pick_terms(struct model *m, struct feedback *fb, sift_errmsg *err)
{
    uint32_t *order = malloc((m->n ? m->n : 1) * sizeof *order);
    if (!order) return sift_fail(err, SIFT_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < m->n; i++) order[i] = (uint32_t)i;
    qsort_r(order, m->n, sizeof *order, by_p, m);
    size_t n = m->n < FEEDBACK_TERMS ? m->n : FEEDBACK_TERMS;
    double sum = 0;
    for (size_t i = 0; i < n; i++) sum += m->t[order[i]].p;
    fb->terms = calloc(n ? n : 1, sizeof *fb->terms);
    fb->lens = calloc(n ? n : 1, sizeof *fb->lens);
    fb->weights = calloc(n ? n : 1, sizeof *fb->weights);
    sift_err rc = fb->terms && fb->lens && fb->weights ? SIFT_OK : SIFT_ERR_NOMEM;
    for (size_t i = 0; !rc && i < n && sum > 0; i++) {
        const struct fb_term *t = &m->t[order[i]];
        if (!(fb->terms[i] = strndup((const char *)m->bytes.data + t->off, t->len))) rc = SIFT_ERR_NOMEM;
        fb->lens[i] = t->len;
        fb->weights[i] = (1 - FEEDBACK_ORIGINAL) * t->p / sum;
        fb->n = i + 1;
    }
    free(order);
    return rc ? sift_fail(err, rc, "out of memory") : SIFT_OK;
}

static void feedback_free(struct feedback *fb)
{
    for (size_t i = 0; fb->terms && i < fb->n; i++) free(fb->terms[i]);
    free(fb->terms);
    free(fb->lens);
    free(fb->weights);
}

/* The feedback terms of q's first search (opts' ranking, the top
 * FEEDBACK_DOCS by score). */
static sift_err feedback_terms(const sift_index *idx, const sift_query *q, const sift_search_options *opts,
                               struct feedback *fb, sift_errmsg *err)
{
    sift_search_options o;
    sift_search_options_init(&o);
    if (opts) o = *opts;
    o.limit = FEEDBACK_DOCS;
    o.offset = 0;
    o.sort = NULL;
    o.facets = NULL;
    o.nfacets = 0;
    o.no_hits = 0;
    sift_results *r;
    sift_err rc = sift_search(idx, q, &o, &r, err);
    if (rc) return rc;
    struct model m = { .stops = NULL };
    m.stops = stopwords_for(idx->language, (q->flags & SIFT_QUERY_LUCENE_STOPWORDS) != 0, &m.nstops);
    struct analyzer *an = analyzer_new(idx->language);
    if (an) analyzer_enable_cache(an, ANALYZER_CACHE_SMALL);
    if (!an || !strmap_init(&m.map, 256)) rc = sift_fail(err, SIFT_ERR_NOMEM, "out of memory");
    double total = 0;
    for (size_t k = 0; k < sift_results_size(r); k++) total += sift_results_score(r, k);
    for (size_t k = 0; !rc && k < sift_results_size(r) && total > 0; k++)
        rc = read_doc(&m, an, r, k, sift_results_score(r, k) / total, err);
    fb->original = FEEDBACK_ORIGINAL;
    if (!rc) rc = pick_terms(&m, fb, err);
    analyzer_free(an);
    strmap_free(&m.map);
    buf_free(&m.bytes);
    free(m.t);
    free(m.seen);
    sift_results_free(r);
    return rc;
}

sift_err sift_query_expand(const sift_index *idx, const sift_query *q, const sift_search_options *opts,
                           sift_query **out, sift_errmsg *err)
{
    *out = NULL;
    if (q->idx != idx) return sift_fail(err, SIFT_ERR_INVALID, "query belongs to another index");
    struct feedback fb = { 0 };
    sift_err rc = feedback_terms(idx, q, opts, &fb, err);
    struct stats_link link = { NULL, NULL, q->text, q->flags, &fb, false };
    if (!rc) rc = query_parse_linked(idx, q->text, q->flags, &link, out, err);
    feedback_free(&fb);
    return rc;
}
