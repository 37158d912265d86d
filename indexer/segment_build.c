/* segment_build.c -- documents in, one segment file out. What is sequential
 * and cheap -- the stored records, ids, metadata and columns -- is done
 * here, on the caller's thread, in document order; analysis and inversion
 * go to the pool (build_pool.h). */
#include "segment_build.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "norms.h"
#include "segment_writer.h"

sift_err seg_build_open(struct seg_build *b, const char *tmp_prefix, size_t budget,
                        unsigned threads, const char *language, const struct schema *schema,
                        sift_errmsg *err)
{
    memset(b, 0, sizeof *b);
    b->schema = schema;
    b->threads = threads ? threads : 1;
    b->tmp_prefix = strdup(tmp_prefix);
    char *store_path = b->tmp_prefix ? malloc(strlen(tmp_prefix) + 8) : NULL;
    if (!store_path) {
        seg_build_discard(b);
        return sift_fail(err, SIFT_ERR_NOMEM, "out of memory");
    }
    sprintf(store_path, "%sstore", tmp_prefix);
    sift_err rc = docstore_writer_open(&b->store, store_path, err);
    free(store_path);
    if (!rc) rc = build_pool_open(&b->pool, b->threads, language, tmp_prefix, budget, err);
    if (rc) seg_build_discard(b);
    return rc;
}

/* ------------------------------------------------------------- fields */

/* The stored bytes of the document's values (docstore.h). */
static bool store_fields(struct seg_build *b, const struct field_values *fv)
{
    b->fields.len = 0;
    if (!fv || !fv->n) return true;
    if (!buf_varint(&b->fields, fv->n)) return false;
    for (size_t i = 0; i < fv->n; i++)
        if (!doc_fields_add(&b->fields, b->schema->f[fv->v[i].field].name, fv->v[i].raw, fv->v[i].raw_len))
            return false;
    return true;
}

/* The document's values into the columns, and into b->entries what
 * analysis makes terms of: keyword values (once each) and text fields. */
static bool gather_fields(struct seg_build *b, const struct field_values *fv)
{
    b->entries.len = 0;
    for (size_t i = 0; fv && i < fv->n; i++) {
        const struct doc_field *f = &fv->v[i];
        const char *name = b->schema->f[f->field].name;
        bool ok = true;
        if (f->type == SIFT_FIELD_KEYWORD) {
            bool again = false;   /* a document holds each value once */
            for (size_t k = 0; k < i && !again; k++)
                again = fv->v[k].field == f->field && !strcmp(fv->v[k].folded, f->folded);
            if (!again) ok = build_pool_field(&b->entries, FIELD_ENTRY_TERM, name, f->folded, strlen(f->folded));
            ok = ok && columns_add_keyword(&b->columns, f->field, b->ndocs, f->folded, f->raw);
        } else if (f->type == SIFT_FIELD_TEXT) {
            ok = build_pool_field(&b->entries, FIELD_ENTRY_TEXT, name, f->raw, f->raw_len);
        } else {
            ok = columns_add_key(&b->columns, f->field, f->type, b->ndocs, f->key);
        }
        if (!ok) return false;
    }
    return true;
}

static sift_err store_text(void *ctx, const char *p, size_t n, sift_errmsg *err)
{
    return docstore_writer_text(ctx, p, n, err);
}

static sift_err store_padding(struct seg_build *b, uint64_t n, sift_errmsg *err)
{
    char spaces[4096];
    memset(spaces, ' ', sizeof spaces);
    while (n) {
        size_t k = n < sizeof spaces ? (size_t)n : sizeof spaces;
        sift_err rc = docstore_writer_text(&b->store, spaces, k, err);
        if (rc) return rc;
        n -= k;
    }
    return SIFT_OK;
}

sift_err seg_build_add(struct seg_build *b, const struct build_doc *d, bool *added, sift_errmsg *err)
{
    *added = false;
    if (b->broken)
        return sift_fail(err, b->broken, "an earlier error left this batch of documents unusable");
    if (b->ndocs == UINT32_MAX)
        return sift_fail(err, SIFT_ERR_INVALID, "too many documents for one segment");
    size_t title_len = strlen(d->title), id_len = strlen(d->id);
    const char *path = d->path ? d->path : "";
    /* checks first: once the pool has a token of the document, it must be
     * finished (a piece of it may be in a run already) */
    if (!store_fields(b, d->fields)) return sift_fail(err, SIFT_ERR_NOMEM, "out of memory");
    sift_err rc = docstore_writer_begin(&b->store, d->id, id_len, d->title, title_len, path,
                                        strlen(path), (const char *)b->fields.data, b->fields.len,
                                        d->text_len, err);
    if (rc) {
        if (rc != SIFT_ERR_INVALID) b->broken = rc;   /* the store may hold half a header */
        return rc;
    }
    if (!gather_fields(b, d->fields)) rc = sift_fail(err, SIFT_ERR_NOMEM, "out of memory");
    if (!rc && !d->read) rc = docstore_writer_text(&b->store, d->text, (size_t)d->text_len, err);
    struct doc_view v = { d->title, title_len, d->text, d->text_len, d->read, d->read_ctx, store_text, &b->store,
                          b->entries.data, b->entries.len };
    bool short_read = false;
    if (!rc) rc = build_pool_add(b->pool, b->ndocs, &v, &short_read, err);
    if (!rc && short_read) rc = store_padding(b, b->store.text_left, err);
    if (!rc) rc = docstore_writer_end(&b->store, err);
    if (!rc && (!doc_meta_add(&b->meta, &d->meta) || !id_writer_add(&b->ids, d->id, id_len)))
        rc = sift_fail(err, SIFT_ERR_NOMEM, "out of memory");
    if (rc) {
        b->broken = rc;
        return rc;
    }
    b->ndocs++;
    *added = true;
    if (short_read)
        return sift_fail(err, SIFT_ERR_INPUT, "'%s': its text ended or failed before %llu bytes",
                         d->id, (unsigned long long)d->text_len);
    return SIFT_OK;
}

sift_err seg_build_finish(struct seg_build *b, const char *path, const char *language,
                          const struct strlist *sources, sift_errmsg *err)
{
    if (b->broken)
        return sift_fail(err, b->broken, "an earlier error left this batch of documents unusable");
    sift_err rc = build_pool_drain(b->pool, err);
    if (rc) return b->broken = rc;
    const struct buf *norms = build_pool_norms(b->pool);
    struct segment_writer sw;
    rc = segment_writer_open(&sw, b->tmp_prefix, norms, b->threads, err);
    if (rc) return rc;
    struct term_sink *sinks = malloc(b->threads * sizeof *sinks);
    if (!sinks) rc = sift_fail(err, SIFT_ERR_NOMEM, "out of memory");
    for (unsigned k = 0; !rc && k < b->threads; k++) sinks[k] = segment_writer_sink(&sw, k);
    if (!rc) rc = build_pool_merge(b->pool, sinks, b->threads, err);
    free(sinks);
    if (rc && err && !err->msg[0]) *err = *segment_writer_error(&sw);
    if (!rc) rc = build_pool_write_surfaces(b->pool, &sw, err);
    if (!rc) rc = docstore_writer_finish(&b->store, err);
    if (!rc && !id_writer_finish(&b->ids)) rc = sift_fail(err, SIFT_ERR_NOMEM, "out of memory");
    if (!rc) {
        sw.stats.doc_count = b->ndocs;
        build_pool_tokens(b->pool, &sw.stats.token_count, &sw.stats.title_token_count);
        snprintf(sw.stats.language, sizeof sw.stats.language, "%s", language);
        struct segment_docs docs = { norms, &b->ids.index, &b->ids.ids, &b->meta, sources,
                                     &b->store, b->schema, &b->columns, b->ndocs };
        rc = segment_writer_finish(&sw, path, &docs, err);
    }
    segment_writer_discard(&sw);
    return rc;
}

uint64_t seg_build_tokens_of(const struct seg_build *b, const uint32_t *docs, size_t n)
{
    const struct buf *norms = b->pool ? build_pool_norms(b->pool) : NULL;
    uint64_t sum = 0;
    for (size_t i = 0; i < n; i++) sum += norms_built_len(norms, docs[i]);
    return sum;
}

void seg_build_discard(struct seg_build *b)
{
    build_pool_free(b->pool);
    docstore_writer_discard(&b->store);
    id_writer_free(&b->ids);
    buf_free(&b->meta);
    columns_builder_free(&b->columns);
    buf_free(&b->fields);
    buf_free(&b->entries);
    free(b->tmp_prefix);
    memset(b, 0, sizeof *b);
}
