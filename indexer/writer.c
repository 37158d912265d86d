/* writer.c -- sift_writer, a façade over four rooms: the table of live
 * documents (doc_table.h), the pending segment being built
 * (segment_build.h), publication of new generations (publish.h), and
 * merging by policy (merge_policy.h, merger.h). It holds what ties them
 * together: the committed index and manifest, and the options. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sift/sift.h>

#include "analyzer.h"
#include "bytes.h"
#include "doc_fields.h"
#include "doc_ids.h"
#include "doc_table.h"
#include "error.h"
#include "fileio.h"
#include "index.h"
#include "manifest.h"
#include "merge_policy.h"
#include "merger.h"
#include "publish.h"
#include "segment_build.h"

struct sift_writer {
    char *dir;
    int lock_fd;
    char *tmp_base;           /* DIR/tmp-PID- */
    unsigned tmp_counter;
    char language[32];
    size_t budget;
    unsigned threads;         /* sift_writer_options.threads */
    bool rebuild;             /* drop the committed segments at the next commit */
    sift_index *idx;          /* the committed index, NULL when there is none */
    struct manifest man;
    struct doc_table table;
    struct schema schema;     /* the index's typed fields, and those declared or met since */
    struct field_values fields;   /* of the next document (sift_writer_field) */
    struct seg_build pending;
    bool pending_open;
    char warning[SIFT_ERRMSG_SIZE];   /* of the last commit; "" when none */
    /* what sift_writer_set_info said of the next documents */
    uint32_t cur_source;
    char *cur_path;
    uint64_t cur_size, cur_hash;
    int64_t cur_mtime;
};

static char *tmp_prefix(sift_writer *w)
{
    char *p = malloc(strlen(w->tmp_base) + 24);
    if (p) sprintf(p, "%s%u-", w->tmp_base, w->tmp_counter++);
    return p;
}

/* ------------------------------------------------------- loading state */

static void unload(sift_writer *w)
{
    manifest_free(&w->man);
    sift_index_close(w->idx);
    w->idx = NULL;
    if (w->pending_open) seg_build_discard(&w->pending);
    w->pending_open = false;
}

/* Read the committed index into the writer's tables. */
static sift_err load(sift_writer *w, sift_errmsg *err)
{
    unload(w);
    sift_err rc = manifest_read(w->dir, &w->man, err);
    if (rc == SIFT_ERR_NOTFOUND || (rc && w->rebuild)) {
        memset(&w->man, 0, sizeof w->man);
        rc = SIFT_OK;
    }
    if (!rc && !doc_table_reset(&w->table, w->rebuild ? 0 : w->man.count))
        rc = sift_fail(err, SIFT_ERR_NOMEM, "out of memory");
    if (rc || w->rebuild || !w->man.count)
        return rc;   /* on rebuild, the manifest only names files to drop */
    rc = sift_index_open(w->dir, &w->idx, err);
    if (rc) return rc;
    if (w->idx->nsegs != w->man.count)
        return sift_fail(err, SIFT_ERR_CORRUPT, "%s: the manifest changed while opening", w->dir);
    for (uint32_t i = 0; i < w->idx->schema.n; i++) {   /* declared or met fields stay */
        const struct field_def *f = &w->idx->schema.f[i];
        int k = schema_find(&w->schema, f->name);
        if (k >= 0) w->schema.f[k].type = f->type;
        else if (!schema_add(&w->schema, f->name, f->type)) return sift_fail(err, SIFT_ERR_NOMEM, "out of memory");
    }
    for (uint32_t s = 0; s < w->idx->nsegs && !rc; s++)
        rc = doc_table_load_segment(&w->table, &w->idx->segs[s], s, err);
    return rc;
}

/* ----------------------------------------------------------- open/close */

static sift_err check_options(const sift_writer_options *opts, sift_errmsg *err)
{
    if (opts && opts->struct_size != sizeof *opts)
        return sift_fail(err, SIFT_ERR_INVALID,
                         "sift_writer_options of %u bytes, this library's are %zu: built against "
                         "another sift.h (initialize with sift_writer_options_init)",
                         opts->struct_size, sizeof *opts);
    const char *lang = opts ? opts->language : NULL;
    if (lang && (!analyzer_language_ok(lang) || strlen(lang) >= 32))
        return sift_fail(err, SIFT_ERR_INVALID, "unknown stemmer language '%s'", lang);
    return SIFT_OK;
}

void sift_writer_options_init(sift_writer_options *opts)
{
    memset(opts, 0, sizeof *opts);
    opts->struct_size = sizeof *opts;
}

sift_err sift_writer_open(const char *dir, const sift_writer_options *opts, sift_writer **out,
                          sift_errmsg *err)
{
    *out = NULL;
    sift_err rc = check_options(opts, err);
    if (!rc) rc = mkdir_p(dir, err);
    if (rc) return rc;
    const char *lang = opts ? opts->language : NULL;
    sift_writer *w = calloc(1, sizeof *w);
    if (!w) return sift_fail(err, SIFT_ERR_NOMEM, "out of memory");
    w->lock_fd = -1;
    w->dir = strdup(dir);
    w->rebuild = opts && opts->rebuild;
    w->budget = (size_t)(opts && opts->ram_mb ? opts->ram_mb : 256) << 20;
    w->threads = opts ? opts->threads : 1;
    char name[64];
    temp_file_prefix((long)getpid(), name, sizeof name);
    w->tmp_base = w->dir ? path_join(dir, name) : NULL;
    if (!w->dir || !w->tmp_base) {
        sift_writer_close(w);
        return sift_fail(err, SIFT_ERR_NOMEM, "out of memory");
    }
    if ((rc = publish_lock(w->dir, &w->lock_fd, err))) {
        sift_writer_close(w);
        return rc;
    }
    struct manifest m;
    bool have = manifest_read(dir, &m, NULL) == SIFT_OK;
    publish_remove_debris(dir, have ? &m : NULL);
    if (have) manifest_free(&m);
    rc = load(w, err);
    const char *existing = w->idx && w->idx->nsegs ? w->idx->language : NULL;
    if (!rc && lang && existing && strcmp(lang, existing))
        rc = sift_fail(err, SIFT_ERR_INVALID,
                       "%s was indexed with the '%s' stemmer; rebuild it to change to '%s'", dir,
                       existing, lang);
    snprintf(w->language, sizeof w->language, "%s", lang ? lang : existing ? existing : "english");
    if (rc) {
        sift_writer_close(w);
        return rc;
    }
    *out = w;
    return SIFT_OK;
}

void sift_writer_close(sift_writer *w)
{
    if (!w) return;
    unload(w);
    doc_table_free(&w->table);
    schema_free(&w->schema);
    field_values_free(&w->fields);
    free(w->cur_path);
    free(w->tmp_base);
    if (w->lock_fd >= 0) close(w->lock_fd);
    free(w->dir);
    free(w);
}

/* ------------------------------------------------------------- changes */

sift_err sift_writer_set_info(sift_writer *w, const sift_doc_info *info, sift_errmsg *err)
{
    if (info && info->struct_size != sizeof *info)
        return sift_fail(err, SIFT_ERR_INVALID, "sift_doc_info of %u bytes, this library's are %zu: "
                         "built against another sift.h", info->struct_size, sizeof *info);
    uint32_t src = doc_table_source(&w->table, info && info->source ? info->source : "");
    char *path = info && info->path ? strdup(info->path) : NULL;
    if (src == UINT32_MAX || (info && info->path && !path)) {
        free(path);
        return sift_fail(err, SIFT_ERR_NOMEM, "out of memory");
    }
    free(w->cur_path);
    w->cur_path = path;
    w->cur_source = src;
    w->cur_size = info ? info->size : 0;
    w->cur_mtime = info ? info->mtime_ns : 0;
    w->cur_hash = info ? info->hash : 0;
    return SIFT_OK;
}

/* ------------------------------------------------------------- fields */

sift_err sift_writer_declare_field(sift_writer *w, const char *name, sift_field_type type,
                                   sift_errmsg *err)
{
    char norm[FIELD_NAME_MAX + 1];
    if (!schema_name_ok(name, norm))
        return sift_fail(err, SIFT_ERR_INVALID, "'%.80s' cannot be a field name (a letter, then "
                         "letters, digits or '_'; not id, title, text or path)", name ? name : "");
    if (type < SIFT_FIELD_TEXT || type > SIFT_FIELD_NUMBER)
        return sift_fail(err, SIFT_ERR_INVALID, "field '%s': unknown type %d", norm, (int)type);
    int k = schema_find(&w->schema, norm);
    if (k >= 0 && w->schema.f[k].type != type)
        return sift_fail(err, SIFT_ERR_INVALID, "%s: field '%s' is a %s in this index; rebuild it "
                         "(--rebuild) to make it a %s", w->dir, norm, schema_type_name(w->schema.f[k].type),
                         schema_type_name(type));
    if (k < 0 && !schema_add(&w->schema, norm, type))
        return sift_fail(err, SIFT_ERR_INVALID, "too many fields (at most %d)", SCHEMA_MAX_FIELDS);
    return SIFT_OK;
}

sift_err sift_writer_field(sift_writer *w, const char *name, const char *value, sift_errmsg *err)
{
    char norm[FIELD_NAME_MAX + 1];
    if (!schema_name_ok(name, norm))
        return sift_fail(err, SIFT_ERR_INVALID, "'%.80s' cannot be a field name (a letter, then "
                         "letters, digits or '_'; not id, title, text or path)", name ? name : "");
    if (!value) return sift_fail(err, SIFT_ERR_INVALID, "field '%s': value is NULL", norm);
    return field_values_add(&w->fields, &w->schema, norm, value, strlen(value), err);
}

/* Add d to the pending documents; it replaces the live one with its id. */
static sift_err add_doc(sift_writer *w, struct build_doc *d, sift_errmsg *err)
{
    if (!d->id || !*d->id) return sift_fail(err, SIFT_ERR_INVALID, "document id is empty");
    if (strlen(d->id) > ID_MAX)
        return sift_fail(err, SIFT_ERR_INVALID, "document id longer than %d bytes", ID_MAX);
    if (!w->pending_open) {
        char *prefix = tmp_prefix(w);
        sift_err rc = prefix ? seg_build_open(&w->pending, prefix, w->budget, w->threads, w->language, &w->schema, err)
                             : sift_fail(err, SIFT_ERR_NOMEM, "out of memory");
        free(prefix);
        if (rc) return rc;
        w->pending_open = true;
    }
    d->path = w->cur_path;
    d->meta = (struct doc_meta){ w->cur_size, w->cur_mtime, w->cur_hash, w->cur_source };
    d->fields = &w->fields;
    bool added;
    sift_err rc = seg_build_add(&w->pending, d, &added, err);
    field_values_clear(&w->fields);   /* they were the next document's, whatever happened */
    if (rc && added && !buf_u32(&w->table.pending_dels.docs, w->pending.ndocs - 1))
        w->pending.broken = SIFT_ERR_NOMEM;   /* its text failed half way: in the segment, but deleted
                                                 from the start, and the live document with its id
                                                 (if any) stays */
    if (rc) return rc;
    struct doc_entry *e = doc_table_find(&w->table, d->id);
    if (e && e->live) doc_table_delete(&w->table, e);
    if (!e) e = doc_table_insert(&w->table, d->id, strlen(d->id));
    if (!e) return sift_fail(err, SIFT_ERR_NOMEM, "out of memory");
    /* its length is known once analyzed: a pending document's deletion
     * counts its tokens at the commit (write_pending) */
    *e = (struct doc_entry){ e->id, DOC_PENDING, w->pending.ndocs - 1, 0, d->meta, true, true };
    w->table.live++;
    return SIFT_OK;
}

sift_err sift_writer_add(sift_writer *w, const char *id, const char *title, const char *text,
                         size_t text_len, sift_errmsg *err)
{
    if (!text && text_len) return sift_fail(err, SIFT_ERR_INVALID, "text is NULL");
    struct build_doc d = { .id = id, .title = title ? title : "", .text = text ? text : "",
                           .text_len = text_len };
    return add_doc(w, &d, err);
}

sift_err sift_writer_add_stream(sift_writer *w, const char *id, const char *title,
                                uint64_t text_len, sift_read_fn read, void *ctx, sift_errmsg *err)
{
    if (!read) return sift_fail(err, SIFT_ERR_INVALID, "no reader");
    struct build_doc d = { .id = id, .title = title ? title : "", .text_len = text_len,
                           .read = read, .read_ctx = ctx };
    return add_doc(w, &d, err);
}

sift_err sift_writer_delete(sift_writer *w, const char *id, sift_errmsg *err)
{
    struct doc_entry *e = doc_table_find(&w->table, id);
    if (!e || !e->live) return sift_fail(err, SIFT_ERR_NOTFOUND, "no document with id '%.200s'", id);
    doc_table_delete(&w->table, e);
    return SIFT_OK;
}

int sift_writer_lookup(sift_writer *w, const char *id, sift_doc_info *out)
{
    if (out && out->struct_size != sizeof *out) return -1;
    struct doc_entry *e = doc_table_find(&w->table, id);
    if (!e || !e->live) return 0;
    if (out) {
        out->source = doc_table_source_name(&w->table, e->meta.source);
        out->path = NULL;
        out->size = e->meta.size;
        out->mtime_ns = e->meta.mtime_ns;
        out->hash = e->meta.hash;
    }
    return 1;
}

void sift_writer_keep(sift_writer *w, const char *id)
{
    struct doc_entry *e = doc_table_find(&w->table, id);
    if (e && e->live) e->seen = true;
}

uint64_t sift_writer_keep_under(sift_writer *w, const char *source, const char *prefix)
{
    size_t n = strlen(prefix);
    uint64_t kept = 0;
    for (size_t i = 0; i < w->table.n; i++) {
        struct doc_entry *e = &w->table.entries[i];
        if (!e->live || e->seen || strncmp(e->id, prefix, n) ||
            strcmp(doc_table_source_name(&w->table, e->meta.source), source))
            continue;
        e->seen = true;
        kept++;
    }
    return kept;
}

sift_err sift_writer_delete_unseen(sift_writer *w, const char *source, int dry_run,
                                   uint64_t *count, sift_errmsg *err)
{
    (void)err;
    uint64_t n = 0;
    for (size_t i = 0; i < w->table.n; i++) {
        struct doc_entry *e = &w->table.entries[i];
        if (!e->live || e->seen || strcmp(doc_table_source_name(&w->table, e->meta.source), source))
            continue;
        n++;
        if (!dry_run) doc_table_delete(&w->table, e);
    }
    if (count) *count = n;
    return SIFT_OK;
}

uint64_t sift_writer_doc_count(const sift_writer *w) { return w->table.live; }

/* -------------------------------------------------------------- commit */

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

/* The documents of d, after `base` already deleted ones (nbase), sorted
 * and unique into a malloc'ed array. */
static uint32_t *sorted_deletes(const uint32_t *base, size_t nbase, const struct seg_dels *d,
                                size_t *n)
{
    size_t add = d->docs.len / 4;
    uint32_t *all = malloc((nbase + add + 1) * sizeof *all);
    if (!all) return NULL;
    if (nbase) memcpy(all, base, nbase * sizeof *all);
    for (size_t i = 0; i < add; i++) all[nbase + i] = rd_u32(d->docs.data + i * 4);
    qsort(all, nbase + add, sizeof *all, cmp_u32);
    size_t k = 0;
    for (size_t i = 0; i < nbase + add; i++)
        if (!k || all[i] != all[k - 1]) all[k++] = all[i];
    *n = k;
    return all;
}

static sift_err maybe_merge(sift_writer *w, unsigned max_segments, sift_errmsg *err);

static bool has_changes(const sift_writer *w)
{
    if (w->rebuild || w->pending_open) return true;
    for (uint32_t i = 0; i < w->table.nsegs; i++)
        if (w->table.dels[i].docs.len) return true;
    return false;
}

/* Committed segment i into the publication: as it is, with its new
 * deletions, or dropped (rebuild, or every document deleted). */
static sift_err carry_segment(sift_writer *w, struct publication *p, uint32_t i, sift_errmsg *err)
{
    struct manifest_segment s = w->man.segs[i];
    if (w->rebuild) {
        publication_drop_segment(p, &s);
        return SIFT_OK;
    }
    const struct segment *seg = &w->idx->segs[i];
    const struct seg_dels *d = &w->table.dels[i];
    if (d->docs.len) {
        size_t n;
        uint32_t *all = sorted_deletes(seg->deleted, seg->ndeleted, d, &n);
        if (!all) return sift_fail(err, SIFT_ERR_NOMEM, "out of memory");
        sift_err rc = SIFT_OK;
        if (n == seg->doc_count) publication_drop_segment(p, &s);
        else rc = publication_deletions(p, &s, seg->doc_count, all, n, d->tokens, err);
        free(all);
        if (rc || n == seg->doc_count) return rc;
    }
    p->next.segs[p->next.count++] = s;
    return SIFT_OK;
}

/* The pending documents as a new segment of the publication. */
static sift_err write_pending(sift_writer *w, struct publication *p, sift_errmsg *err)
{
    const struct seg_dels *d = &w->table.pending_dels;
    if (!w->pending_open || w->pending.ndocs <= d->docs.len / 4) return SIFT_OK;
    struct manifest_segment s = { publish_next_number(w->dir, &w->man), w->pending.ndocs, 0, 0, 0 };
    char name[64];
    segment_file_name(s.number, name, sizeof name);
    publication_wrote(p, name);
    char *path = path_join(w->dir, name);
    sift_err rc = path ? seg_build_finish(&w->pending, path, w->language, &w->table.sources, err)
                       : sift_fail(err, SIFT_ERR_NOMEM, "out of memory");
    free(path);
    if (!rc && d->docs.len) {
        size_t n;
        uint32_t *all = sorted_deletes(NULL, 0, d, &n);
        rc = all ? publication_deletions(p, &s, w->pending.ndocs, all, n, seg_build_tokens_of(&w->pending, all, n), err)
                 : sift_fail(err, SIFT_ERR_NOMEM, "out of memory");
        free(all);
    }
    p->next.segs[p->next.count++] = s;
    return rc;
}

/* The tiered merges after a publication: a failure there leaves a valid,
 * published index with more segments than the policy wants, so commit
 * reports it as a warning and the next commit tries again. */
static void merge_after_commit(sift_writer *w)
{
    sift_errmsg merr;
    sift_err rc = maybe_merge(w, 0, &merr);
    if (rc)
        snprintf(w->warning, sizeof w->warning,
                 "the update was published, but merging segments failed (tried again at the next "
                 "commit): %.400s", merr.msg);
}

sift_err sift_writer_commit(sift_writer *w, sift_errmsg *err)
{
    w->warning[0] = 0;
    if (!has_changes(w)) {   /* nothing to publish */
        merge_after_commit(w);
        return SIFT_OK;
    }
    struct publication p;
    sift_err rc = publication_begin(&p, w->dir, &w->man, 1, err);
    for (uint32_t i = 0; !rc && i < w->man.count; i++) rc = carry_segment(w, &p, i, err);
    if (!rc) rc = write_pending(w, &p, err);
    rc = publication_end(&p, rc, err);
    if (!rc) w->rebuild = false;
    sift_errmsg tmp;
    sift_err lrc = load(w, &tmp);   /* the published state, pending changes gone */
    if (!rc && lrc)
        return sift_fail(err, lrc, "the update was published, but reading it back failed: %.400s",
                         tmp.msg);
    if (!rc) merge_after_commit(w);
    return rc;
}

const char *sift_writer_warning(const sift_writer *w)
{
    return w->warning[0] ? w->warning : NULL;
}

/* --------------------------------------------------------------- merge */

/* Merge the committed segments picked[0..n) into one and publish. */
static sift_err merge_segments(sift_writer *w, const uint32_t *picked, size_t n, sift_errmsg *err)
{
    struct publication p;
    sift_err rc = publication_begin(&p, w->dir, &w->man, 1, err);
    if (rc) return rc;
    struct manifest_segment s = { publish_next_number(w->dir, &w->man), 0, 0, 0, 0 };
    char name[64];
    segment_file_name(s.number, name, sizeof name);
    publication_wrote(&p, name);
    char *path = path_join(w->dir, name), *prefix = tmp_prefix(w);
    struct merge_job job = { w->idx, picked, n, &w->table, prefix, w->budget, w->threads,
                             w->language, &w->schema };
    uint32_t ndocs = 0;
    rc = path && prefix ? merger_run(&job, path, &ndocs, err)
                        : sift_fail(err, SIFT_ERR_NOMEM, "out of memory");
    free(path);
    free(prefix);
    for (uint32_t i = 0; !rc && i < w->man.count; i++) {
        bool chosen = false;
        for (size_t k = 0; k < n; k++) chosen |= picked[k] == i;
        if (chosen) publication_drop_segment(&p, &w->man.segs[i]);
        else p.next.segs[p.next.count++] = w->man.segs[i];
    }
    s.doc_count = ndocs;
    if (!rc && ndocs) p.next.segs[p.next.count++] = s;
    rc = publication_end(&p, rc, err);
    sift_errmsg tmp;
    sift_err lrc = load(w, rc ? &tmp : err);
    return rc ? rc : lrc;
}

static sift_err maybe_merge(sift_writer *w, unsigned max_segments, sift_errmsg *err)
{
    for (int rounds = 0; rounds < 1000; rounds++) {
        uint32_t n = w->man.count;
        struct merge_candidate *c = malloc((n ? n : 1) * sizeof *c);
        uint32_t *picked = malloc((n ? n : 1) * sizeof *picked);
        for (uint32_t i = 0; c && i < n; i++)
            c[i] = (struct merge_candidate){ w->man.segs[i].doc_count - w->man.segs[i].deleted,
                                             w->man.segs[i].deleted };
        size_t k = c && picked ? merge_policy_pick(c, n, max_segments, picked) : 0;
        sift_err rc = k ? merge_segments(w, picked, k, err) : SIFT_OK;
        free(c);
        free(picked);
        if (rc || !k) return rc;
    }
    return SIFT_OK;
}

sift_err sift_writer_merge(sift_writer *w, unsigned max_segments, sift_errmsg *err)
{
    if (has_changes(w)) return sift_fail(err, SIFT_ERR_INVALID, "commit pending changes before merging");
    return maybe_merge(w, max_segments ? max_segments : 1, err);
}
