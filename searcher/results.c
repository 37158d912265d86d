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
#include "facets.h"
#include "index.h"
#include "query.h"
#include "snippet.h"
#include "strlist.h"
#include "topk.h"

struct hit_entry {
    struct scored s;
    char *id;
    struct doc_record rec;   /* loaded on first request */
    bool loaded;
    struct strlist *fields;  /* the record's values as pairs, on first request */
};

struct facet_row {
    char *facet, *value;
    uint64_t count;
};

struct sift_results {
    const sift_index *idx;
    struct facet_row *facets;
    size_t nfacets;
    struct hit_entry *hits;
    size_t n;
    uint64_t total;
    bool total_exact;
    struct highlight_term *terms;   /* copies, for snippets */
    size_t nterms;
    struct analyzer *an;            /* the snippets', made at the first, its stems cached */
    struct store_cache store;       /* the last store block the hits' records came from */
};

/* The facets' first `limit` values each, copied. */
static bool copy_facets(sift_results *r, struct facet *facets, size_t nfacets, uint32_t limit)
{
    size_t total = 0;
    for (size_t f = 0; f < nfacets; f++) {
        facet_sort(&facets[f]);
        total += facets[f].n < limit ? facets[f].n : limit;
    }
    r->facets = calloc(total ? total : 1, sizeof *r->facets);
    if (!r->facets) return false;
    for (size_t f = 0; f < nfacets; f++)
        for (size_t i = 0; i < facets[f].n && i < limit; i++) {
            struct facet_row *row = &r->facets[r->nfacets];
            row->facet = strdup(facets[f].label);
            row->value = strdup(facets[f].e[i].shown);
            row->count = facets[f].e[i].count;
            r->nfacets++;
            if (!row->facet || !row->value) return false;
        }
    return true;
}

sift_err results_make(const sift_index *idx, const sift_query *q, const struct scored *hits,
                      size_t nhits, size_t offset, uint64_t total, bool exact,
                      struct facet *facets, size_t nfacets, uint32_t facet_limit,
                      sift_results **out, sift_errmsg *err)
{
    sift_results *r = calloc(1, sizeof *r);
    if (!r) return sift_fail(err, SIFT_ERR_NOMEM, "out of memory");
    r->idx = idx;
    r->total = total;
    r->total_exact = exact;
    if (!copy_facets(r, facets, nfacets, facet_limit)) goto oom;
    size_t n = nhits > offset ? nhits - offset : 0;
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
        h->s = hits[offset + i];
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
    sift_results *rw = (sift_results *)r;   /* a cache, like the records it keeps */
    sift_err rc = docstore_get(&r->idx->segs[h->s.seg], h->s.doc, whole ? SIZE_MAX : HIT_TEXT_MAX,
                               &rw->store, &h->rec, err);
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
    struct doc_fields f = doc_fields_of(&h->rec);
    out->nfields = (size_t)f.left;
    return SIFT_OK;
}

sift_err sift_results_field(const sift_results *r, size_t i, size_t k, const char **name,
                            const char **value, sift_errmsg *err)
{
    if (i >= r->n) return sift_fail(err, SIFT_ERR_INVALID, "hit %zu out of range", i);
    sift_err rc = load_record(r, i, false, err);
    if (rc) return rc;
    struct hit_entry *h = &r->hits[i];
    if (!h->fields) {   /* the record's values as NUL-terminated pairs, once */
        struct doc_fields f = doc_fields_of(&h->rec);
        struct strlist l = { 0 };
        const char *n, *v;
        size_t nl, vl;
        while (doc_fields_next(&f, &n, &nl, &v, &vl))
            if (!strlist_add(&l, n, nl) || !strlist_add(&l, v, vl)) {
                strlist_free(&l);
                return sift_fail(err, SIFT_ERR_NOMEM, "out of memory");
            }
        if (f.c.bad) {
            strlist_free(&l);
            return sift_fail(err, SIFT_ERR_CORRUPT, "%s: document %u: damaged field values",
                             r->idx->segs[h->s.seg].file.path, h->s.doc);
        }
        h->fields = malloc(sizeof *h->fields);
        if (!h->fields) {
            strlist_free(&l);
            return sift_fail(err, SIFT_ERR_NOMEM, "out of memory");
        }
        *h->fields = l;
    }
    const char *kn = strlist_get(h->fields, (uint32_t)(2 * k)), *kv = strlist_get(h->fields, (uint32_t)(2 * k + 1));
    if (!kn || !kv) return sift_fail(err, SIFT_ERR_INVALID, "field %zu of hit %zu out of range", k, i);
    *name = kn;
    *value = kv;
    return SIFT_OK;
}

size_t sift_results_facet_count(const sift_results *r) { return r->nfacets; }

sift_err sift_results_facet(const sift_results *r, size_t j, sift_facet_value *out, sift_errmsg *err)
{
    if (out->struct_size != sizeof *out)
        return sift_fail(err, SIFT_ERR_INVALID, "sift_facet_value of %u bytes, this library's are %zu: "
                         "built against another sift.h", out->struct_size, sizeof *out);
    if (j >= r->nfacets) return sift_fail(err, SIFT_ERR_INVALID, "facet value %zu out of range", j);
    out->facet = r->facets[j].facet;
    out->value = r->facets[j].value;
    out->count = r->facets[j].count;
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
    /* one analyzer for every snippet of the results: the words of ten
     * passages repeat, and a stem looked up costs a tenth of one made */
    sift_results *rw = (sift_results *)r;   /* a cache, like the records load_record keeps */
    if (!rw->an && (rw->an = analyzer_new(r->idx->language)))
        analyzer_enable_cache(rw->an, ANALYZER_CACHE_SMALL);
    if (!rw->an) return sift_fail(err, SIFT_ERR_NOMEM, "out of memory");
    const struct doc_record *d = &r->hits[i].rec;
    return snippet_make(rw->an, d->text, d->text_len, r->terms, r->nterms, opts, out, err);
}

void sift_results_free(sift_results *r)
{
    if (!r) return;
    for (size_t i = 0; i < r->n; i++) {
        free(r->hits[i].id);
        doc_record_free(&r->hits[i].rec);
        if (r->hits[i].fields) strlist_free(r->hits[i].fields);
        free(r->hits[i].fields);
    }
    for (size_t j = 0; j < r->nfacets; j++) {
        free(r->facets[j].facet);
        free(r->facets[j].value);
    }
    free(r->facets);
    for (size_t i = 0; i < r->nterms; i++) free(r->terms[i].term);
    free(r->terms);
    free(r->hits);
    analyzer_free(r->an);
    store_cache_free(&r->store);
    free(r);
}
