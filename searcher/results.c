/* results.c -- sift_results: the hits of one search, their stored
 * records loaded on first request, snippets and texts. A sift_results is
 * used by one thread at a time: sift_results_hit and the snippet and text
 * calls fill the hit's record cache. */
#include "results.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyzer.h"
#include "doc_ids.h"
#include "docstore.h"
#include "error.h"
#include "index.h"
#include "query.h"
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

sift_err results_make(const sift_index *idx, const sift_query *q, const struct topk *top,
                      size_t offset, uint64_t total, bool exact, sift_results **out,
                      sift_errmsg *err)
{
    sift_results *r = calloc(1, sizeof *r);
    if (!r) return sift_fail(err, SIFT_ERR_NOMEM, "out of memory");
    r->idx = idx;
    r->total = total;
    r->total_exact = exact;
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
    if (out->struct_size != sizeof *out)
        return sift_fail(err, SIFT_ERR_INVALID, "sift_hit of %u bytes, this library's are %zu: "
                         "built against another sift.h", out->struct_size, sizeof *out);
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

void sift_snippet_options_init(sift_snippet_options *opts)
{
    memset(opts, 0, sizeof *opts);
    opts->struct_size = sizeof *opts;
}

sift_err sift_results_snippet(const sift_results *r, size_t i, const sift_snippet_options *opts,
                              char **out, sift_errmsg *err)
{
    *out = NULL;
    if (opts && opts->struct_size != sizeof *opts)
        return sift_fail(err, SIFT_ERR_INVALID, "sift_snippet_options of %u bytes, this library's "
                         "are %zu: built against another sift.h", opts->struct_size, sizeof *opts);
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
