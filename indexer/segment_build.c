/* segment_build.c -- documents in, one segment file out. */
#include "segment_build.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyzer.h"
#include "error.h"
#include "segment.h"
#include "segment_writer.h"

sift_err seg_build_open(struct seg_build *b, const char *tmp_prefix, size_t budget,
                        sift_errmsg *err)
{
    memset(b, 0, sizeof *b);
    b->tmp_prefix = strdup(tmp_prefix);
    char *store_path = b->tmp_prefix ? malloc(strlen(tmp_prefix) + 8) : NULL;
    if (store_path) sprintf(store_path, "%sstore", tmp_prefix);
    b->inv = b->tmp_prefix ? inverter_new(tmp_prefix, budget) : NULL;
    if (!b->inv || !store_path) {
        free(store_path);
        seg_build_discard(b);
        return sift_fail(err, SIFT_ERR_NOMEM, "out of memory");
    }
    sift_err rc = docstore_open(&b->store, store_path, err);
    free(store_path);
    if (rc) seg_build_discard(b);
    return rc;
}

struct add_ctx {
    struct seg_build *b;
    uint64_t count;
};

static int on_token(void *ctx, const struct token *t)
{
    struct add_ctx *a = ctx;
    a->count++;
    return inverter_add_token(a->b->inv, t->term, t->len, t->pos) != SIFT_OK;
}

sift_err seg_build_add(struct seg_build *b, struct analyzer *an, const struct build_doc *d,
                       uint32_t *len, sift_errmsg *err)
{
    if (b->ndocs == UINT32_MAX)
        return sift_fail(err, SIFT_ERR_INVALID, "too many documents for one segment");
    struct add_ctx a = { b, 0 };
    uint32_t title_end = 0, end = 0;
    size_t title_len = strlen(d->title);
    int bad = analyzer_run(an, d->title, title_len, 0, on_token, &a, &title_end);
    uint64_t title_tokens = a.count;
    if (!bad) bad = analyzer_run(an, d->text, d->text_len, title_end, on_token, &a, &end);
    if (bad) return sift_fail(err, SIFT_ERR_NOMEM, "out of memory indexing '%s'", d->id);
    sift_err rc = inverter_end_doc(b->inv, b->ndocs, err);
    if (rc) return rc;
    uint8_t norm[NORM_SIZE], meta[DOC_META_SIZE] = { 0 };
    wr_u32(norm, end);
    wr_u32(norm + 4, title_end);
    wr_u64(meta, d->size);
    wr_u64(meta + 8, (uint64_t)d->mtime_ns);
    wr_u64(meta + 16, d->hash);
    wr_u32(meta + 24, d->source);
    size_t id_len = strlen(d->id);
    if (!buf_append(&b->norms, norm, sizeof norm) || !buf_append(&b->meta, meta, sizeof meta) ||
        !buf_u64(&b->id_index, b->ids.len) || !buf_append(&b->ids, d->id, id_len))
        return sift_fail(err, SIFT_ERR_NOMEM, "out of memory");
    const char *path = d->path ? d->path : "";
    rc = docstore_add(&b->store, d->id, id_len, d->title, title_len, path, strlen(path), d->text,
                      d->text_len, err);
    if (rc) return rc;
    b->ndocs++;
    b->tokens += a.count;
    b->title_tokens += title_tokens;
    *len = end;
    return SIFT_OK;
}

sift_err seg_build_finish(struct seg_build *b, const char *path, const char *language,
                          const struct buf *sources, sift_errmsg *err)
{
    struct segment_writer sw;
    sift_err rc = segment_writer_open(&sw, b->tmp_prefix, err);
    if (rc) return rc;
    struct term_sink sink = segment_writer_sink(&sw);
    sw.norms = &b->norms;
    if (err) err->msg[0] = 0;
    rc = inverter_merge(b->inv, &sink, err);
    if (rc && err && !err->msg[0]) *err = sw.errmsg;
    if (!rc) rc = docstore_finish(&b->store, err);
    if (!rc && !buf_u64(&b->id_index, b->ids.len)) rc = sift_fail(err, SIFT_ERR_NOMEM, "out of memory");
    if (!rc) {
        sw.stats.doc_count = b->ndocs;
        sw.stats.token_count = b->tokens;
        sw.stats.title_token_count = b->title_tokens;
        snprintf(sw.stats.language, sizeof sw.stats.language, "%s", language);
        struct segment_docs docs = { &b->norms, &b->id_index, &b->ids, &b->meta, sources, &b->store };
        rc = segment_writer_finish(&sw, path, &docs, err);
    }
    segment_writer_discard(&sw);
    return rc;
}

void seg_build_discard(struct seg_build *b)
{
    inverter_free(b->inv);
    docstore_discard(&b->store);
    buf_free(&b->norms);
    buf_free(&b->id_index);
    buf_free(&b->ids);
    buf_free(&b->meta);
    free(b->tmp_prefix);
    memset(b, 0, sizeof *b);
}
