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
#include "count.h"
#include "error.h"
#include "index.h"
#include "iter.h"
#include "prune.h"
#include "query.h"
#include "results.h"
#include "score.h"
#include "topk.h"

void sift_search_options_init(sift_search_options *o)
{
    memset(o, 0, sizeof *o);
    o->struct_size = sizeof *o;
    o->limit = 10;
    o->k1 = BM25_K1;
    o->b = BM25_B;
}

struct eval {
    const sift_index *idx;
    const sift_query *q;
    const struct score_params *sp;
    struct topk *top;          /* NULL to count only */
    bool prune;                /* skip documents that cannot enter top */
    uint64_t total;
    sift_errmsg *err;
};

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
    struct scoring scr = scoring_for(ev->sp, dc->len, dc->title_len);
    double score = qit_score(root, dc, &scr);
    if (ev->sp->rank == SIFT_RANK_BM25_PROX) score += qit_proximity(root, dc, &scr);
    struct scored sc = { score, seg->doc_base + dc->doc, s, dc->doc };
    topk_push(ev->top, &sc);
    return SIFT_OK;
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
    bool prune = ev->prune;
    if (prune && pruning_init(&pr, root, ev->sp, ev->top))
        rc = sift_fail(ev->err, SIFT_ERR_NOMEM, "out of memory");
    uint32_t doc = DOC_END;
    if (!rc) doc = prune ? qit_next_competitive(root, 0, &pr, &dc) : qit_advance(root, 0);
    while (doc != DOC_END && !rc && !dc.rc) {
        dc.doc = doc;
        rc = take(ev, s, root, &dc);
        if (doc + 1 == DOC_END) break;
        doc = prune ? qit_next_competitive(root, doc + 1, &pr, &dc) : qit_advance(root, doc + 1);
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
    }
    if (o->rank > SIFT_RANK_BM25_PROX || o->title_weight < 0 || o->text_weight < 0 ||
        (o->title_weight + o->text_weight == 0 && (o->title_weight || o->text_weight)))
        return sift_fail(err, SIFT_ERR_INVALID, "unknown ranking or negative field weight");
    if (o->b > 1 || o->k1 > 1000)
        return sift_fail(err, SIFT_ERR_INVALID, "BM25 parameters out of range (b in [0,1], k1 >= 0)");
    return SIFT_OK;
}

static void explain_head(struct buf *b, const struct doc_ctx *dc, const struct score_params *sp,
                         double avgdl)
{
    char head[200];
    int n = snprintf(head, sizeof head, "document length %u (title %u), average %.1f, k1 %.2f, b %.2f\n",
                     dc->len, dc->title_len, avgdl, sp->k1, sp->b);
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
    score_params_init(&sp, idx, &o);
    struct qit *root;
    rc = qit_build(q->root, seg, err, &root);
    if (rc) return rc;
    struct buf b = { 0 };
    struct doc_ctx dc = { seg, doc, false, 0, 0, SIFT_OK, err };
    bool match = root && !segment_is_deleted(seg, doc) && qit_advance(root, doc) == doc &&
                 qit_confirm(root, &dc);
    if (!match) {
        buf_append(&b, "no match\n", 9);
    } else if (!(rc = doc_ctx_load(&dc))) {
        struct scoring scr = scoring_for(&sp, dc.len, dc.title_len);
        explain_head(&b, &dc, &sp, idx->avgdl);
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
    score_params_init(&sp, idx, &o);
    struct eval ev = { idx, q, &sp, NULL, false, 0, err };
    sift_err rc = evaluate(&ev);
    *out = ev.total;
    return rc;
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
    struct topk top;
    if (topk_init(&top, (size_t)k)) return sift_fail(err, SIFT_ERR_NOMEM, "out of memory");
    struct score_params sp;
    score_params_init(&sp, idx, &o);
    /* A proximity bonus or field weights evaluate exhaustively (prune.h). */
    bool prune = !o.exact_total && score_is_flat(&sp);
    struct eval ev = { idx, q, &sp, &top, prune, 0, err };
    rc = evaluate(&ev);
    if (!rc) {
        /* with a top k that never filled, nothing was skipped */
        bool exact = !prune || top.n < top.k;
        topk_sort(&top);
        rc = results_make(idx, q, &top, o.offset, ev.total, exact, out, err);
    }
    topk_free(&top);
    return rc;
}
