/* merger.c -- merging segments by re-indexing their live documents. */
#include "merger.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "doc_meta.h"
#include "doc_table.h"
#include "docstore.h"
#include "error.h"
#include "index.h"
#include "segment_build.h"

struct merge_ctx {
    const struct segment *seg;
    struct seg_build *b;
    struct analyzer *an;
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
    char *id = strndup(r->id, r->id_len), *title = strndup(r->title, r->title_len);
    char *path = strndup(r->path, r->path_len);
    if (!id || !title || !path) {
        mc->rc = sift_fail(mc->err, SIFT_ERR_NOMEM, "out of memory");
    } else {
        struct build_doc d = { .id = id, .title = title, .path = path, .text = r->text,
                               .text_len = r->text_len, .read = r->read,
                               .read_ctx = r->read_ctx, .meta = meta };
        uint32_t len;
        bool added;
        mc->rc = seg_build_add(mc->b, mc->an, &d, &len, &added, mc->err);
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
    sift_err rc = seg_build_open(&b, job->tmp_prefix, job->budget, job->threads, err);
    if (rc) return rc;
    for (size_t k = 0; k < job->npicked && !rc; k++) {
        const struct segment *seg = &job->idx->segs[job->picked[k]];
        struct merge_ctx mc = { seg, &b, job->an, { 0 }, 0, SIFT_OK, err };
        rc = doc_table_map_sources(job->table, seg, mc.map, &mc.nsrc, err);
        if (!rc) rc = docstore_scan(seg, merge_doc, &mc, err);
        if (!rc) rc = mc.rc;
    }
    if (!rc) rc = seg_build_finish(&b, path, job->language, &job->table->sources, err);
    if (!rc) *ndocs = b.ndocs;
    if (!rc && !b.ndocs) unlink(path);
    seg_build_discard(&b);
    return rc;
}
