/* search.c -- running a bound query over every segment: the orchestrator
 * of the stages. Per segment it builds the iterators (iter.h), asks the
 * pruner (prune.h) or the iterators for the next candidate, confirms it,
 * scores it (score.h) and hands it to the collector (topk.h); counting
 * takes the block shortcuts of count.h first. Collection-wide statistics
 * make the scores of many segments those of one. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sift/sift.h>

#include "bytes.h"
#include "columns.h"
#include "count.h"
#include "error.h"
#include "facets.h"
#include "index.h"
#include "iter.h"
#include "prune.h"
#include "query.h"
#include "results.h"
#include "score.h"
#include "sortk.h"
#include "topk.h"

void sift_search_options_init(sift_search_options *o)
{
    memset(o, 0, sizeof *o);
    o->struct_size = sizeof *o;
    o->limit = 10;
    o->k1 = BM25_K1;
    o->b = BM25_B;
    o->title_weight = SIFT_DEFAULT_TITLE_WEIGHT;
    o->text_weight = SIFT_DEFAULT_TEXT_WEIGHT;
}

struct eval {
    const sift_index *idx;
    const sift_query *q;
    const struct score_params *sp;
    struct topk *top;          /* by score; NULL to count only (or to sort) */
    struct sortk *sorted;      /* by a field (--sort), or NULL */
    const char *sort_field;
    bool prune;                /* skip documents that cannot enter the top */
    bool skipped;              /* a sort skipped documents: the total is a lower bound */
    struct facet *facets;
    size_t nfacets;
    uint64_t total;
    sift_errmsg *err;
};

/* Confirm, count and score the candidate dc->doc of root; key: its sort
 * key when sorting by a field (has: it has one). */
static sift_err take(struct eval *ev, uint32_t s, struct qit *root, struct doc_ctx *dc, bool has,
                     uint64_t key)
{
    const struct segment *seg = &ev->idx->segs[s];
    if (segment_is_deleted(seg, dc->doc)) return SIFT_OK;
    if (!qit_confirm(root, dc)) return dc->rc;
    ev->total++;
    sift_err rc = SIFT_OK;
    for (size_t f = 0; !rc && f < ev->nfacets; f++) rc = facet_add(&ev->facets[f], dc->doc, ev->err);
    if (rc || (!ev->top && !ev->sorted)) return rc;
    if ((rc = doc_ctx_load(dc))) return rc;
    struct scoring scr = scoring_for(ev->sp, dc->len, dc->title_len);
    double score = qit_score(root, dc, &scr);
    if (ev->sp->rank == SIFT_RANK_BM25_PROX) {
        /* pruned, a document that cannot enter even with the most bonus
         * its words' counts allow is passed over before its positions */
        if (ev->prune && ev->top &&
            prune_below(score + qit_proximity_ceiling(root, dc, &scr), topk_threshold(ev->top)))
            return SIFT_OK;
        score += qit_proximity(root, dc, &scr);
    }
    struct scored sc = { score, seg->doc_base + dc->doc, s, dc->doc, key, has };
    if (ev->sorted) sortk_push(ev->sorted, &sc);
    else topk_push(ev->top, &sc);
    return SIFT_OK;
}

/* From block *b on, the first block of the column that holds a key that
 * could enter the top k (nblocks when none does): found from the blocks'
 * summaries alone, so a run of blocks out costs the query one jump. */
static sift_err next_block_in(struct eval *ev, const struct num_column *col, uint32_t *b)
{
    for (; *b < col->nblocks; ++*b) {
        struct col_block cb;
        sift_err rc = num_column_block(col, *b, &cb, ev->err);
        if (rc) return rc;
        if (sortk_could_enter(ev->sorted, cb.any, ev->sorted->desc ? cb.max : cb.min)) break;
    }
    return SIFT_OK;
}

/* Sorted by a field: a candidate whose column block, then whose own key,
 * cannot enter the top k is passed over unconfirmed and unscored (the
 * block-skipping of Lucene's numeric sort). */
static sift_err eval_sorted(struct eval *ev, uint32_t s, struct qit *root, struct doc_ctx *dc)
{
    const struct segment *seg = &ev->idx->segs[s];
    struct num_column col;
    sift_err rc = num_column_open(&col, seg, segment_field(seg, ev->sort_field), ev->err);
    bool may_skip = ev->prune;   /* not when every match must be counted or faceted */
    uint32_t checked = UINT32_MAX, block_end = 0;
    bool block_out = false;
    uint32_t doc = rc ? DOC_END : qit_advance(root, 0);
    while (doc != DOC_END && !rc && !dc->rc) {
        bool has = false;
        uint64_t key = 0;
        if (doc < col.ndocs && may_skip && doc / COLUMN_BLOCK != checked) {
            struct col_block cb;
            checked = doc / COLUMN_BLOCK;
            if ((rc = num_column_block(&col, checked, &cb, ev->err))) break;
            block_out = !sortk_could_enter(ev->sorted, cb.any, ev->sorted->desc ? cb.max : cb.min);
            block_end = cb.last_doc;
        }
        if (may_skip && block_out && doc <= block_end && doc < col.ndocs) {
            ev->skipped = true;   /* the whole block is out: past it and every next one out */
            uint32_t b = checked + 1;
            if ((rc = next_block_in(ev, &col, &b))) break;
            uint32_t to = b < col.nblocks ? b * COLUMN_BLOCK : col.ndocs;
            doc = to >= DOC_END ? DOC_END : qit_advance(root, to > block_end ? to : block_end + 1);
            continue;
        }
        if ((rc = num_column_get(&col, doc, &key, &has, ev->err))) break;
        if (may_skip && !sortk_could_enter(ev->sorted, has, key)) {
            ev->skipped = true;
        } else {
            dc->doc = doc;
            rc = take(ev, s, root, dc, has, key);
        }
        if (doc + 1 == DOC_END) break;
        doc = qit_advance(root, doc + 1);
    }
    return rc ? rc : ev->sorted->rc;
}

/* Every document of the bitmap counted and faceted. */
static sift_err facet_bits(struct eval *ev, const uint64_t *bits, uint32_t ndocs)
{
    sift_err rc = SIFT_OK;
    for (size_t w = 0; !rc && w < ((size_t)ndocs + 63) / 64; w++)
        for (uint64_t v = bits[w]; v && !rc; v &= v - 1) {
            uint32_t doc = (uint32_t)(w * 64 + (size_t)__builtin_ctzll(v));
            ev->total++;
            for (size_t f = 0; !rc && f < ev->nfacets; f++) rc = facet_add(&ev->facets[f], doc, ev->err);
        }
    return rc;
}

static sift_err eval_segment(struct eval *ev, uint32_t s)
{
    const struct segment *seg = &ev->idx->segs[s];
    struct qit *root;
    struct term_hint h = term_hint_for(ev->q, s);
    sift_err rc = qit_build(ev->q->root, seg, &h, ev->err, &root);
    if (rc || !root) return rc;
    if (!ev->top && !ev->sorted && !ev->nfacets) {
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
    for (size_t f = 0; !rc && f < ev->nfacets; f++) rc = facet_begin_segment(&ev->facets[f], seg, ev->err);
    uint64_t *bits = NULL;   /* facets alone, of a shape whose matches are a bitmap */
    if (!rc && ev->nfacets && !ev->top && !ev->sorted) rc = qit_match_bits(root, seg, &bits);
    if (bits) {
        rc = facet_bits(ev, bits, seg->doc_count);
        free(bits);
    } else if (!rc && ev->sorted) {
        rc = eval_sorted(ev, s, root, &dc);
    } else if (!rc) {
        struct pruning pr;
        bool prune = ev->prune;
        if (prune && pruning_init(&pr, root, ev->sp, ev->top))
            rc = sift_fail(ev->err, SIFT_ERR_NOMEM, "out of memory");
        uint32_t doc = DOC_END;
        if (!rc) doc = prune ? qit_next_competitive(root, 0, &pr, &dc) : qit_advance(root, 0);
        while (doc != DOC_END && !rc && !dc.rc) {
            dc.doc = doc;
            rc = take(ev, s, root, &dc, false, 0);
            if (doc + 1 == DOC_END) break;
            doc = prune ? qit_next_competitive(root, doc + 1, &pr, &dc) : qit_advance(root, doc + 1);
        }
        if (prune) pruning_free(&pr);
    }
    for (size_t f = 0; f < ev->nfacets; f++) {
        sift_err frc = facet_end_segment(&ev->facets[f], ev->err);
        if (!rc) rc = frc;
    }
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
    if (opts && opts->struct_size != sizeof *opts)
        return sift_fail(err, SIFT_ERR_INVALID,
                         "sift_search_options of %u bytes, this library's are %zu: built against "
                         "another sift.h (initialize with sift_search_options_init)",
                         opts->struct_size, sizeof *opts);
    if (opts) {
        o->limit = opts->limit ? opts->limit : 10;
        o->offset = opts->offset;
        o->k1 = opts->k1 < 0 ? BM25_K1 : opts->k1;
        o->b = opts->b < 0 ? BM25_B : opts->b;
        o->rank = opts->rank;
        o->title_weight = opts->title_weight;
        o->text_weight = opts->text_weight;
        o->exact_total = opts->exact_total;
        o->sort = opts->sort;
        o->facets = opts->facets;
        o->nfacets = opts->nfacets;
        o->facet_limit = opts->facet_limit;
        o->no_hits = opts->no_hits;
    }
    if (o->nfacets && !o->facets) return sift_fail(err, SIFT_ERR_INVALID, "nfacets without facets");
    if (o->rank > SIFT_RANK_BM25_PROX || o->title_weight < 0 || o->text_weight < 0 ||
        (o->title_weight + o->text_weight == 0 && (o->title_weight || o->text_weight)))
        return sift_fail(err, SIFT_ERR_INVALID, "unknown ranking or negative field weight");
    if (o->b > 1 || o->k1 > 1000)
        return sift_fail(err, SIFT_ERR_INVALID, "BM25 parameters out of range (b in [0,1], k1 >= 0)");
    return SIFT_OK;
}

static void explain_head(struct buf *b, const struct doc_ctx *dc, const struct score_params *sp,
                         const struct coll_stats *c)
{
    char head[320];
    int n = snprintf(head, sizeof head, "document length %u (title %u), average %.1f over %llu documents, "
                     "k1 %.2f, b %.2f", dc->len, dc->title_len, c->avgdl, (unsigned long long)c->docs,
                     sp->k1, sp->b);
    if (sp->w_title > 0 || sp->w_text > 0)   /* BM25F: the lengths BM25 is given */
        n += snprintf(head + n, sizeof head - (size_t)n, "; BM25F title x %g, text x %g: weighted length %g, "
                      "average %.1f", sp->w_title, sp->w_text,
                      sp->w_title * dc->title_len + sp->w_text * (dc->len - dc->title_len), sp->avgdl);
    head[n++] = '\n';
    buf_append(b, head, (size_t)n);
}

sift_err sift_explain(const sift_index *idx, const sift_query *q, const sift_search_options *opts,
                      uint64_t docno, char **out, sift_errmsg *err)
{
    *out = NULL;
    if (q->idx != idx) return sift_fail(err, SIFT_ERR_INVALID, "query belongs to another index");
    uint32_t doc;
    const struct segment *seg = index_segment_of(idx, docno, &doc);
    if (!seg) return sift_fail(err, SIFT_ERR_INVALID, "no document %llu", (unsigned long long)docno);
    sift_search_options o;
    sift_err rc = resolve_options(opts, &o, err);
    if (rc) return rc;
    struct score_params sp;
    score_params_init(&sp, q, &o);
    struct qit *root;
    struct term_hint h = term_hint_for(q, (uint32_t)(seg - idx->segs));
    rc = qit_build(q->root, seg, &h, err, &root);
    if (rc) return rc;
    struct buf b = { 0 };
    struct doc_ctx dc = { seg, doc, false, 0, 0, SIFT_OK, err };
    bool match = root && !segment_is_deleted(seg, doc) && qit_advance(root, doc) == doc &&
                 qit_confirm(root, &dc);
    if (!match) {
        buf_append(&b, "no match\n", 9);
    } else if (!(rc = doc_ctx_load(&dc))) {
        struct scoring scr = scoring_for(&sp, dc.len, dc.title_len);
        explain_head(&b, &dc, &sp, &q->coll);
        double total = qit_explain(root, &dc, &scr, &b, 0);
        if (sp.rank == SIFT_RANK_BM25_PROX) {
            char line[200];
            double prox = qit_proximity(root, &dc, &scr);
            int n = snprintf(line, sizeof line, "%.4f  proximity bonus (BM25TP)\n%.4f  total\n", prox,
                             total + prox);
            buf_append(&b, line, (size_t)n);
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
    sift_search_options o;
    sift_search_options_init(&o);
    struct score_params sp;
    score_params_init(&sp, q, &o);
    struct eval ev = { .idx = idx, .q = q, .sp = &sp, .err = err };
    sift_err rc = evaluate(&ev);
    *out = ev.total;
    return rc;
}

/* The sort field of o->sort ("date", "-date") into *name and *desc. */
static sift_err sort_field(const sift_index *idx, const char *sort, char name[FIELD_NAME_MAX + 1],
                           bool *desc, sift_errmsg *err)
{
    *desc = *sort == '-';
    const char *f = *sort == '-' || *sort == '+' ? sort + 1 : sort;
    int k = schema_name_ok(f, name) ? schema_find(&idx->schema, name) : -1;
    if (k < 0) return sift_fail(err, SIFT_ERR_INVALID, "--sort %.60s: no such field in this index", sort);
    sift_field_type t = idx->schema.f[k].type;
    if (t != SIFT_FIELD_DATE && t != SIFT_FIELD_NUMBER)
        return sift_fail(err, SIFT_ERR_INVALID, "--sort %s: sorting takes a date or number field, "
                         "and '%s' is a %s", sort, name, schema_type_name(t));
    return SIFT_OK;
}

static sift_err facets_open(struct eval *ev, const sift_search_options *o, sift_errmsg *err)
{
    if (!o->nfacets) return SIFT_OK;
    ev->facets = calloc(o->nfacets, sizeof *ev->facets);
    if (!ev->facets) return sift_fail(err, SIFT_ERR_NOMEM, "out of memory");
    for (; ev->nfacets < o->nfacets; ev->nfacets++) {
        sift_err rc = facet_init(&ev->facets[ev->nfacets], o->facets[ev->nfacets], &ev->idx->schema, err);
        if (rc) {
            facet_free(&ev->facets[ev->nfacets]);
            return rc;
        }
    }
    return SIFT_OK;
}

static void facets_close(struct eval *ev)
{
    for (size_t f = 0; f < ev->nfacets; f++) facet_free(&ev->facets[f]);
    free(ev->facets);
}

sift_err sift_search(const sift_index *idx, const sift_query *q, const sift_search_options *opts,
                     sift_results **out, sift_errmsg *err)
{
    *out = NULL;
    sift_search_options o;
    sift_err rc = resolve_options(opts, &o, err);
    if (rc) return rc;
    if (q->idx != idx) return sift_fail(err, SIFT_ERR_INVALID, "query belongs to another index");
    uint64_t k = (uint64_t)o.limit + o.offset;   /* 64-bit: no overflow */
    if (k > idx->doc_count) k = idx->doc_count;
    char sname[FIELD_NAME_MAX + 1];
    bool desc = false;
    if (o.sort && (rc = sort_field(idx, o.sort, sname, &desc, err))) return rc;
    struct topk top = { 0 };
    struct sortk sorted = { 0 };
    if (o.sort ? sortk_init(&sorted, (size_t)k, desc, idx) : topk_init(&top, (size_t)k))
        return sift_fail(err, SIFT_ERR_NOMEM, "out of memory");
    struct score_params sp;
    score_params_init(&sp, q, &o);
    /* Exact totals need every match. */
    bool want_hits = !o.no_hits;
    bool prune = want_hits && !o.exact_total && (o.sort || score_is_bounded(&sp));
    struct eval ev = { .idx = idx, .q = q, .sp = &sp, .top = !want_hits || o.sort ? NULL : &top,
                       .sorted = want_hits && o.sort ? &sorted : NULL, .sort_field = sname,
                       .prune = prune, .err = err };
    rc = facets_open(&ev, &o, err);
    /* Facets need every match, hits only the competitive ones: facets
     * first, in a pass that neither scores nor keeps, then the hits pruned. */
    bool two_passes = !rc && ev.nfacets && want_hits;
    struct eval fe = { .idx = idx, .q = q, .sp = &sp, .facets = ev.facets, .nfacets = ev.nfacets,
                       .err = err };
    if (two_passes) {
        rc = evaluate(&fe);
        ev.nfacets = 0;
    }
    if (!rc) rc = evaluate(&ev);
    if (two_passes) {
        ev.nfacets = fe.nfacets;
        ev.total = fe.total;
    }
    if (!rc) {
        /* with a top k that never filled, nothing was skipped */
        bool exact = two_passes || !want_hits || (o.sort ? !ev.skipped : !prune || top.n < top.k);
        const struct scored *hits = o.sort ? sorted.heap : top.heap;
        size_t nhits = o.sort ? sorted.n : top.n;
        if (o.sort) sortk_sort(&sorted);
        else topk_sort(&top);
        rc = results_make(idx, q, hits, nhits, o.offset, ev.total, exact, ev.facets, ev.nfacets,
                          o.facet_limit ? o.facet_limit : 10, out, err);
    }
    facets_close(&ev);
    topk_free(&top);
    sortk_free(&sorted);
    return rc;
}
