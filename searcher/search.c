/* search.c -- document-at-a-time evaluation of a parsed query over every
 * segment, BM25 scoring with collection-wide statistics, and the result
 * set handed to the caller. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyzer.h"
#include "bm25.h"
#include "bytes.h"
#include "error.h"
#include "index.h"
#include "query.h"
#include "query_eval.h"
#include "snippet.h"
#include "topk.h"

struct hit_entry {
    struct scored s;
    char *id;
    struct doc_record rec;   /* loaded on first request */
    bool loaded;
};

struct sift_results {
    const sift_index *idx;
    struct hit_entry *hits;
    size_t n;
    uint64_t total;
    bool total_exact;
    struct highlight_term *terms;   /* copies, for snippets */
    size_t nterms;
};

void sift_search_options_init(sift_search_options *o)
{
    memset(o, 0, sizeof *o);
    o->limit = 10;
    o->k1 = BM25_K1;
    o->b = BM25_B;
}

struct eval {
    const sift_index *idx;
    const sift_query *q;
    double k1, b;
    unsigned rank;
    double w_title, w_text;
    struct topk *top;          /* NULL to count only */
    bool prune;                /* skip documents that cannot enter top */
    uint64_t total;
    sift_errmsg *err;
};

static struct scoring make_scoring(const struct eval *ev, const struct doc_ctx *dc);

/* Confirm, count and score the candidate dc->doc of root. */
static sift_err take(struct eval *ev, uint32_t s, struct qit *root, struct doc_ctx *dc)
{
    const struct segment *seg = &ev->idx->segs[s];
    if (segment_is_deleted(seg, dc->doc)) return SIFT_OK;
    if (!qit_confirm(root, dc)) return dc->rc;
    ev->total++;
    if (!ev->top) return SIFT_OK;
    sift_err rc = doc_ctx_load(dc);
    if (rc) return rc;
    struct scoring scr = make_scoring(ev, dc);
    double score = qit_score(root, dc, &scr);
    if (ev->rank == SIFT_RANK_BM25_PROX) score += qit_proximity(root, dc, &scr);
    struct scored sc = { score, seg->doc_base + dc->doc, s, dc->doc };
    topk_push(ev->top, &sc);
    return SIFT_OK;
}

/* The k-th best score once the top k is full: what a document must beat. */
static double threshold(const struct topk *t)
{
    return t->k && t->n == t->k ? t->heap[0].score : -INFINITY;
}

static sift_err eval_segment(struct eval *ev, uint32_t s)
{
    const struct segment *seg = &ev->idx->segs[s];
    struct qit *root;
    sift_err rc = qit_build(ev->q->root, seg, ev->err, &root);
    if (rc || !root) return rc;
    if (!ev->top) {
        uint64_t n;
        bool done;
        rc = qit_count_fast(root, seg, &n, &done);
        if (rc || done) {
            ev->total += rc ? 0 : n;
            qit_free(root);
            return rc;
        }
    }
    struct doc_ctx dc = { seg, 0, false, 0, 0, SIFT_OK, ev->err };
    struct pruning pr;
    struct bounds bd = { ev->k1, ev->b, ev->idx->avgdl };
    bool prune = ev->prune;
    if (prune && pruning_init(&pr, root, &bd)) rc = sift_fail(ev->err, SIFT_ERR_NOMEM, "out of memory");
    uint32_t doc = DOC_END;
    if (!rc) {
        if (prune) pr.threshold = threshold(ev->top);
        doc = prune ? qit_next_competitive(root, 0, &pr, &dc) : qit_advance(root, 0);
    }
    while (doc != DOC_END && !rc && !dc.rc) {
        dc.doc = doc;
        rc = take(ev, s, root, &dc);
        if (doc + 1 == DOC_END) break;
        if (prune) {
            pr.threshold = threshold(ev->top);
            doc = qit_next_competitive(root, doc + 1, &pr, &dc);
        } else {
            doc = qit_advance(root, doc + 1);
        }
    }
    if (prune) pruning_free(&pr);
    if (!rc) rc = dc.rc;
    if (!rc) rc = qit_error(root);
    qit_free(root);
    return rc;
}

static sift_err evaluate(struct eval *ev)
{
    sift_err rc = SIFT_OK;
    for (uint32_t s = 0; !rc && s < ev->idx->nsegs; s++) rc = eval_segment(ev, s);
    return rc;
}

/* Options with their defaults filled in, checked. */
static sift_err resolve_options(const sift_search_options *opts, sift_search_options *o,
                                sift_errmsg *err)
{
    sift_search_options_init(o);
    if (opts) {
        o->limit = opts->limit ? opts->limit : 10;
        o->offset = opts->offset;
        o->k1 = opts->k1 < 0 ? BM25_K1 : opts->k1;
        o->b = opts->b < 0 ? BM25_B : opts->b;
        o->rank = opts->rank;
        o->title_weight = opts->title_weight;
        o->text_weight = opts->text_weight;
        o->exact_total = opts->exact_total;
    }
    if (o->rank > SIFT_RANK_BM25_PROX || o->title_weight < 0 || o->text_weight < 0 ||
        (o->title_weight + o->text_weight == 0 && (o->title_weight || o->text_weight)))
        return sift_fail(err, SIFT_ERR_INVALID, "unknown ranking or negative field weight");
    if (o->b > 1 || o->k1 > 1000)
        return sift_fail(err, SIFT_ERR_INVALID, "BM25 parameters out of range (b in [0,1], k1 >= 0)");
    return SIFT_OK;
}

/* The scoring of document doc in segment seg (lengths loaded in dc). */
static struct scoring make_scoring(const struct eval *ev, const struct doc_ctx *dc)
{
    struct scoring scr = { 0, ev->w_title, ev->w_text, ev->k1 };
    if (ev->w_title > 0 || ev->w_text > 0) {
        double n = ev->idx->doc_count ? (double)ev->idx->doc_count : 1;
        double avg = (ev->w_title * (double)ev->idx->title_token_count +
                      ev->w_text * (double)(ev->idx->token_count - ev->idx->title_token_count)) / n;
        double dl = ev->w_title * dc->title_len + ev->w_text * (dc->len - dc->title_len);
        scr.norm = ev->k1 * (1 - ev->b + ev->b * dl / (avg > 0 ? avg : 1));
    } else {
        scr.norm = bm25_norm(ev->k1, ev->b, dc->len, ev->idx->avgdl);
    }
    return scr;
}

sift_err sift_explain(const sift_index *idx, const sift_query *q, const sift_search_options *opts,
                      uint64_t docno, char **out, sift_errmsg *err)
{
    *out = NULL;
    if (q->idx != idx) return sift_fail(err, SIFT_ERR_INVALID, "query belongs to another index");
    uint32_t s = 0;
    while (s < idx->nsegs && docno >= idx->segs[s].doc_base + idx->segs[s].doc_count) s++;
    if (s == idx->nsegs) return sift_fail(err, SIFT_ERR_INVALID, "no document %llu", (unsigned long long)docno);
    const struct segment *seg = &idx->segs[s];
    uint32_t doc = (uint32_t)(docno - seg->doc_base);
    sift_search_options o;
    sift_err rc0 = resolve_options(opts, &o, err);
    if (rc0) return rc0;
    struct eval ev = { idx, q, o.k1, o.b, o.rank, o.title_weight, o.text_weight, NULL, false, 0, err };
    struct qit *root;
    sift_err rc = qit_build(q->root, seg, err, &root);
    if (rc) return rc;
    struct buf b = { 0 };
    struct doc_ctx dc = { seg, doc, false, 0, 0, SIFT_OK, err };
    bool match = root && !segment_is_deleted(seg, doc) && qit_advance(root, doc) == doc &&
                 qit_confirm(root, &dc);
    if (!match) {
        buf_append(&b, "no match\n", 9);
    } else if (!(rc = doc_ctx_load(&dc))) {
        struct scoring scr = make_scoring(&ev, &dc);
        char head[200];
        int n = snprintf(head, sizeof head, "document length %u (title %u), average %.1f, k1 %.2f, b %.2f\n",
                         dc.len, dc.title_len, idx->avgdl, o.k1, o.b);
        buf_append(&b, head, (size_t)n);
        double total = qit_explain(root, &dc, &scr, &b, 0);
        if (ev.rank == SIFT_RANK_BM25_PROX) {
            double prox = qit_proximity(root, &dc, &scr);
            n = snprintf(head, sizeof head, "%.4f  proximity bonus (BM25TP)\n%.4f  total\n", prox, total + prox);
            buf_append(&b, head, (size_t)n);
        }
    }
    if (root && !rc) rc = qit_error(root);
    qit_free(root);
    if (!rc && !buf_append(&b, "", 1)) rc = sift_fail(err, SIFT_ERR_NOMEM, "out of memory");
    if (rc) {
        buf_free(&b);
        return rc;
    }
    *out = (char *)b.data;
    return SIFT_OK;
}

sift_err sift_count(const sift_index *idx, const sift_query *q, uint64_t *out, sift_errmsg *err)
{
    if (q->idx != idx) return sift_fail(err, SIFT_ERR_INVALID, "query belongs to another index");
    struct eval ev = { idx, q, BM25_K1, BM25_B, SIFT_RANK_BM25, 0, 0, NULL, false, 0, err };
    sift_err rc = evaluate(&ev);
    *out = ev.total;
    return rc;
}

static sift_err make_results(const sift_index *idx, const sift_query *q, struct topk *top,
                             size_t offset, uint64_t total, sift_results **out,
                             sift_errmsg *err)
{
    sift_results *r = calloc(1, sizeof *r);
    if (!r) return sift_fail(err, SIFT_ERR_NOMEM, "out of memory");
    r->idx = idx;
    r->total = total;
    size_t n = top->n > offset ? top->n - offset : 0;
    r->hits = calloc(n ? n : 1, sizeof *r->hits);
    r->terms = calloc(q->nhl ? q->nhl : 1, sizeof *r->terms);
    if (!r->hits || !r->terms) goto oom;
    for (size_t i = 0; i < q->nhl; i++) {
        r->terms[i] = q->hl[i];
        r->terms[i].term = strdup(q->hl[i].term);
        if (!r->terms[i].term) goto oom;
        r->nterms = i + 1;
    }
    for (size_t i = 0; i < n; i++) {
        struct hit_entry *h = &r->hits[i];
        h->s = top->heap[offset + i];
        r->n = i + 1;
        char id[ID_MAX + 1];
        size_t len;
        sift_err rc = segment_doc_id(&idx->segs[h->s.seg], h->s.doc, id, &len, err);
        if (rc) {
            sift_results_free(r);
            return rc;
        }
        h->id = malloc(len + 1);
        if (!h->id) goto oom;
        memcpy(h->id, id, len + 1);
    }
    *out = r;
    return SIFT_OK;
oom:
    sift_results_free(r);
    return sift_fail(err, SIFT_ERR_NOMEM, "out of memory");
}

sift_err sift_search(const sift_index *idx, const sift_query *q, const sift_search_options *opts,
                     sift_results **out, sift_errmsg *err)
{
    *out = NULL;
    sift_search_options o;
    sift_err rc0 = resolve_options(opts, &o, err);
    if (rc0) return rc0;
    if (q->idx != idx) return sift_fail(err, SIFT_ERR_INVALID, "query belongs to another index");
    uint64_t k = (uint64_t)o.limit + o.offset;   /* 64-bit: no overflow */
    if (k > idx->doc_count) k = idx->doc_count;
    struct topk top;
    if (topk_init(&top, (size_t)k)) return sift_fail(err, SIFT_ERR_NOMEM, "out of memory");
    /* Pruning needs scores that only grow with tf and shrink with length:
     * flat BM25. A proximity bonus or field weights evaluate exhaustively. */
    bool prune = !o.exact_total && o.rank == SIFT_RANK_BM25 && !o.title_weight && !o.text_weight;
    struct eval ev = { idx, q, o.k1, o.b, o.rank, o.title_weight, o.text_weight, &top, prune, 0, err };
    sift_err rc = evaluate(&ev);
    if (!rc) {
        /* with a top k that never filled, nothing was skipped */
        bool exact = !prune || top.n < top.k;
        topk_sort(&top);
        rc = make_results(idx, q, &top, o.offset, ev.total, out, err);
        if (!rc) (*out)->total_exact = exact;
    }
    topk_free(&top);
    return rc;
}

size_t sift_results_size(const sift_results *r) { return r->n; }
uint64_t sift_results_total(const sift_results *r) { return r->total; }
int sift_results_total_exact(const sift_results *r) { return r->total_exact; }

const char *sift_results_id(const sift_results *r, size_t i)
{
    return i < r->n ? r->hits[i].id : NULL;
}

double sift_results_score(const sift_results *r, size_t i)
{
    return i < r->n ? r->hits[i].s.score : 0;
}

/* Titles and snippets read at most this much of a document's text (as
 * Lucene's highlighter analyzes its first characters only): a hit in a
 * 200 MB document costs a MiB of inflating, not the document. */
#define HIT_TEXT_MAX ((size_t)1 << 20)

/* Load hit i's record, with its whole text when `whole`. */
static sift_err load_record(const sift_results *r, size_t i, bool whole, sift_errmsg *err)
{
    struct hit_entry *h = &r->hits[i];
    if (h->loaded && !(whole && h->rec.text_cut)) return SIFT_OK;
    doc_record_free(&h->rec);
    h->loaded = false;
    sift_err rc = docstore_get(&r->idx->segs[h->s.seg], h->s.doc, whole ? SIZE_MAX : HIT_TEXT_MAX,
                               &h->rec, err);
    if (rc) return rc;
    h->loaded = true;
    return SIFT_OK;
}

sift_err sift_results_hit(const sift_results *r, size_t i, sift_hit *out, sift_errmsg *err)
{
    if (i >= r->n) return sift_fail(err, SIFT_ERR_INVALID, "hit %zu out of range", i);
    sift_err rc = load_record(r, i, false, err);
    if (rc) return rc;
    const struct hit_entry *h = &r->hits[i];
    out->score = h->s.score;
    out->id = h->id;
    out->title = h->rec.title;
    out->path = h->rec.path;
    out->docno = h->s.docno;
    return SIFT_OK;
}

sift_err sift_results_text(const sift_results *r, size_t i, char **out, size_t *len,
                           sift_errmsg *err)
{
    *out = NULL;
    if (i >= r->n) return sift_fail(err, SIFT_ERR_INVALID, "hit %zu out of range", i);
    sift_err rc = load_record(r, i, true, err);
    if (rc) return rc;
    const struct doc_record *d = &r->hits[i].rec;
    *out = malloc(d->text_len + 1);
    if (!*out) return sift_fail(err, SIFT_ERR_NOMEM, "out of memory");
    memcpy(*out, d->text, d->text_len + 1);
    if (len) *len = d->text_len;
    return SIFT_OK;
}

sift_err sift_results_snippet(const sift_results *r, size_t i, const sift_snippet_options *opts,
                              char **out, sift_errmsg *err)
{
    *out = NULL;
    if (i >= r->n) return sift_fail(err, SIFT_ERR_INVALID, "hit %zu out of range", i);
    sift_err rc = load_record(r, i, false, err);
    if (rc) return rc;
    struct analyzer *an = analyzer_new(r->idx->language);
    if (!an) return sift_fail(err, SIFT_ERR_NOMEM, "out of memory");
    const struct doc_record *d = &r->hits[i].rec;
    rc = snippet_make(an, d->text, d->text_len, r->terms, r->nterms, opts, out, err);
    analyzer_free(an);
    return rc;
}

void sift_results_free(sift_results *r)
{
    if (!r) return;
    for (size_t i = 0; i < r->n; i++) {
        free(r->hits[i].id);
        doc_record_free(&r->hits[i].rec);
    }
    for (size_t i = 0; i < r->nterms; i++) free(r->terms[i].term);
    free(r->terms);
    free(r->hits);
    free(r);
}
