/* merger.c -- merging segments by re-indexing their live documents. */
#include "merger.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "doc_fields.h"
#include "doc_meta.h"
#include "doc_table.h"
#include "docstore.h"
#include "error.h"
#include "index.h"
#include "segment_build.h"

struct merge_ctx {
    const struct segment *seg;
    struct seg_build *b;
    struct schema *schema;
    struct field_values fields;
    uint32_t map[MAX_SEGMENT_SOURCES];
    uint32_t nsrc;
    sift_err rc;
    sift_errmsg *err;
};

static int merge_doc(void *ctx, uint32_t doc, const struct doc_record *r)
{
    struct merge_ctx *mc = ctx;
    if (segment_is_deleted(mc->seg, doc)) return 0;
    struct doc_meta meta;
    mc->rc = segment_doc_meta(mc->seg, doc, &meta, mc->err);
    if (mc->rc) return 1;
    meta.source = meta.source < mc->nsrc ? mc->map[meta.source] : 0;
    /* the values as first given, typed again as a fresh build would */
    field_values_clear(&mc->fields);
    struct doc_fields df = doc_fields_of(r);
    const char *name, *value;
    size_t nlen, vlen;
    while (doc_fields_next(&df, &name, &nlen, &value, &vlen)) {
        char norm[FIELD_NAME_MAX + 1], raw[FIELD_NAME_MAX + 1];
        if (nlen > FIELD_NAME_MAX) continue;
        memcpy(raw, name, nlen);
        raw[nlen] = 0;
        sift_errmsg ignored;   /* a value that no longer parses stays out, as it was */
        if (schema_name_ok(raw, norm)) field_values_add(&mc->fields, mc->schema, norm, value, vlen, &ignored);
    }
    if (df.c.bad) {
        mc->rc = sift_fail(mc->err, SIFT_ERR_CORRUPT, "%s: document %u: damaged field values",
                           mc->seg->file.path, doc);
        return 1;
    }
    char *id = strndup(r->id, r->id_len), *title = strndup(r->title, r->title_len);
    char *path = strndup(r->path, r->path_len);
    if (!id || !title || !path) {
        mc->rc = sift_fail(mc->err, SIFT_ERR_NOMEM, "out of memory");
    } else {
        struct build_doc d = { .id = id, .title = title, .path = path, .text = r->text,
                               .text_len = r->text_len, .read = r->read,
                               .read_ctx = r->read_ctx, .meta = meta, .fields = &mc->fields };
        bool added;
        mc->rc = seg_build_add(mc->b, &d, &added, mc->err);
    }
    free(id);
    free(title);
    free(path);
    return mc->rc != SIFT_OK;
}

sift_err merger_run(const struct merge_job *job, const char *path, uint32_t *ndocs,
                    sift_errmsg *err)
{
    struct seg_build b;
    *ndocs = 0;
    sift_err rc = seg_build_open(&b, job->tmp_prefix, job->budget, job->threads, job->language, job->schema,
                                 err);
    if (rc) return rc;
    for (size_t k = 0; k < job->npicked && !rc; k++) {
        const struct segment *seg = &job->idx->segs[job->picked[k]];
        struct merge_ctx mc = { seg, &b, job->schema, { 0 }, { 0 }, 0, SIFT_OK, err };
        rc = doc_table_map_sources(job->table, seg, mc.map, &mc.nsrc, err);
        if (!rc) rc = docstore_scan(seg, merge_doc, &mc, err);
        if (!rc) rc = mc.rc;
        field_values_free(&mc.fields);
    }
    if (!rc) rc = seg_build_finish(&b, path, job->language, &job->table->sources, err);
    if (!rc) *ndocs = b.ndocs;
    if (!rc && !b.ndocs) unlink(path);
    seg_build_discard(&b);
    return rc;
}
