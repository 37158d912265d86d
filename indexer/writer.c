/* writer.c -- sift_writer: documents in, one committed segment out.
 *
 * Files in an index directory:
 *   manifest          the live segments (common/manifest.h)
 *   seg-NNNNNN.sift   segment files (common/segfile.h, segment_writer.c)
 *   write.lock        flock()ed by the one writer; the kernel drops the
 *                     lock when its process dies, so a stale file never
 *                     blocks a later writer
 *   tmp-PID-*         a writer's temporary files; removed on close, and
 *                     by the next writer if its process died
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include <sift/sift.h>

#include "analyzer.h"
#include "bytes.h"
#include "docstore_writer.h"
#include "error.h"
#include "fileio.h"
#include "invert.h"
#include "manifest.h"
#include "segment.h"
#include "segment_writer.h"

struct sift_writer {
    char *dir;
    int lock_fd;
    char *tmp_prefix;
    char language[32];
    struct analyzer *analyzer;
    struct inverter *inv;
    struct docstore_writer store;
    struct buf norms;
    struct buf id_index, ids;   /* SEC_ID_INDEX, SEC_IDS */
    uint32_t ndocs;
    uint64_t tokens, title_tokens;
    char *source;
    bool dead;          /* a failed add or commit: only close remains */
};

static sift_err take_lock(sift_writer *w, sift_errmsg *err)
{
    char *path = path_join(w->dir, "write.lock");
    if (!path) return sift_fail(err, SIFT_ERR_NOMEM, "out of memory");
    w->lock_fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    sift_err rc = SIFT_OK;
    if (w->lock_fd < 0) {
        rc = sift_fail(err, SIFT_ERR_IO, "%s: %s", path, strerror(errno));
    } else if (flock(w->lock_fd, LOCK_EX | LOCK_NB) < 0) {
        rc = errno == EWOULDBLOCK
                 ? sift_fail(err, SIFT_ERR_LOCKED,
                             "%s: another search-index is writing this index", w->dir)
                 : sift_fail(err, SIFT_ERR_IO, "%s: flock: %s", path, strerror(errno));
        close(w->lock_fd);
        w->lock_fd = -1;
    }
    free(path);
    return rc;
}

/* Remove temporary files of dead writers and segment files that no
 * manifest names (left by a crash between writing and publishing). */
static void remove_debris(const char *dir, const struct manifest *m)
{
    DIR *d = opendir(dir);
    if (!d) return;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        bool drop = !strncmp(e->d_name, "tmp-", 4) || !strncmp(e->d_name, ".manifest.tmp", 13);
        unsigned long long n;
        char tail;
        if (sscanf(e->d_name, "seg-%llu.sif%c", &n, &tail) == 2 && tail == 't') {
            drop = true;
            for (uint32_t i = 0; m && i < m->count; i++)
                if (m->segs[i].number == n) drop = false;
        }
        if (!drop) continue;
        char *p = path_join(dir, e->d_name);
        if (p) unlink(p);
        free(p);
    }
    closedir(d);
}

sift_err sift_writer_open(const char *dir, const sift_writer_options *opts, sift_writer **out,
                          sift_errmsg *err)
{
    *out = NULL;
    const char *lang = opts && opts->language ? opts->language : "english";
    unsigned ram_mb = opts && opts->ram_mb ? opts->ram_mb : 256;
    if (!analyzer_language_ok(lang) || strlen(lang) >= 32)
        return sift_fail(err, SIFT_ERR_INVALID, "unknown stemmer language '%s'", lang);
    sift_err rc = mkdir_p(dir, err);
    if (rc) return rc;
    sift_writer *w = calloc(1, sizeof *w);
    if (!w) return sift_fail(err, SIFT_ERR_NOMEM, "out of memory");
    w->lock_fd = -1;
    w->dir = strdup(dir);
    if (!w->dir) {
        free(w);
        return sift_fail(err, SIFT_ERR_NOMEM, "out of memory");
    }
    rc = take_lock(w, err);
    if (rc) {
        sift_writer_close(w);
        return rc;
    }
    struct manifest m;
    if (manifest_read(dir, &m, NULL) == SIFT_OK) {
        remove_debris(dir, &m);
        manifest_free(&m);
    } else {
        remove_debris(dir, NULL);
    }
    char name[64];
    snprintf(name, sizeof name, "tmp-%ld-", (long)getpid());
    w->tmp_prefix = path_join(dir, name);
    snprintf(w->language, sizeof w->language, "%s", lang);
    w->analyzer = analyzer_new(lang);
    if (w->analyzer) analyzer_enable_cache(w->analyzer);
    size_t budget = (size_t)ram_mb << 20;
    char *store_path = w->tmp_prefix ? malloc(strlen(w->tmp_prefix) + 8) : NULL;
    if (store_path) sprintf(store_path, "%sstore", w->tmp_prefix);
    w->inv = w->tmp_prefix ? inverter_new(w->tmp_prefix, budget) : NULL;
    if (!w->tmp_prefix || !w->analyzer || !w->inv || !store_path) {
        free(store_path);
        sift_writer_close(w);
        return sift_fail(err, SIFT_ERR_NOMEM, "out of memory");
    }
    rc = docstore_open(&w->store, store_path, err);
    free(store_path);
    if (rc) {
        sift_writer_close(w);
        return rc;
    }
    *out = w;
    return SIFT_OK;
}

struct add_ctx {
    sift_writer *w;
    uint64_t count;
};

static int on_token(void *ctx, const struct token *t)
{
    struct add_ctx *a = ctx;
    a->count++;
    return inverter_add_token(a->w->inv, t->term, t->len, t->pos) != SIFT_OK;
}

sift_err sift_writer_add(sift_writer *w, const char *id, const char *title, const char *text,
                         size_t text_len, sift_errmsg *err)
{
    if (w->dead) return sift_fail(err, SIFT_ERR_INVALID, "writer failed earlier; close it");
    if (!id || !*id) return sift_fail(err, SIFT_ERR_INVALID, "document id is empty");
    if (!text && text_len) return sift_fail(err, SIFT_ERR_INVALID, "text is NULL");
    if (w->ndocs == UINT32_MAX)
        return sift_fail(err, SIFT_ERR_INVALID, "too many documents for one segment");
    if (!title) title = "";
    if (!text) text = "";
    struct add_ctx a = { w, 0 };
    uint32_t title_end = 0, end = 0;
    size_t title_len = strlen(title);
    int bad = analyzer_run(w->analyzer, title, title_len, 0, on_token, &a, &title_end);
    uint64_t title_tokens = a.count;
    if (!bad) bad = analyzer_run(w->analyzer, text, text_len, title_end, on_token, &a, &end);
    if (bad) {
        w->dead = true;
        return sift_fail(err, SIFT_ERR_NOMEM, "out of memory indexing '%s'", id);
    }
    sift_err rc = inverter_end_doc(w->inv, w->ndocs, err);
    uint8_t norm[NORM_SIZE];
    wr_u32(norm, end);
    wr_u32(norm + 4, title_end);
    if (!rc && (!buf_append(&w->norms, norm, sizeof norm) || !buf_u64(&w->id_index, w->ids.len) ||
                !buf_append(&w->ids, id, strlen(id))))
        rc = sift_fail(err, SIFT_ERR_NOMEM, "out of memory");
    const char *src = w->source ? w->source : "";
    if (!rc)
        rc = docstore_add(&w->store, id, strlen(id), title, title_len, src, strlen(src), text,
                          text_len, err);
    if (rc) {
        w->dead = true;
        return rc;
    }
    w->ndocs++;
    w->tokens += a.count;
    w->title_tokens += title_tokens;
    return SIFT_OK;
}

sift_err sift_writer_set_source(sift_writer *w, const char *path, sift_errmsg *err)
{
    char *p = path ? strdup(path) : NULL;
    if (path && !p) return sift_fail(err, SIFT_ERR_NOMEM, "out of memory");
    free(w->source);
    w->source = p;
    return SIFT_OK;
}

uint64_t sift_writer_doc_count(const sift_writer *w) { return w->ndocs; }

/* Remove the segment files of a replaced manifest. Readers that mapped
 * them keep their mappings (unlink does not unmap). */
static void remove_old_segments(const char *dir, const struct manifest *old, uint64_t keep)
{
    for (uint32_t i = 0; i < old->count; i++) {
        if (old->segs[i].number == keep) continue;
        char name[64];
        segment_file_name(old->segs[i].number, name, sizeof name);
        char *p = path_join(dir, name);
        if (p) unlink(p);
        free(p);
    }
}

static sift_err build_segment(sift_writer *w, const char *seg_path, sift_errmsg *err)
{
    struct segment_writer sw;
    sift_err rc = segment_writer_open(&sw, w->tmp_prefix, err);
    if (rc) return rc;
    struct term_sink sink = segment_writer_sink(&sw);
    if (err) err->msg[0] = 0;
    rc = inverter_merge(w->inv, &sink, err);
    if (rc && err && !err->msg[0]) *err = sw.errmsg;
    if (!rc) rc = docstore_finish(&w->store, err);
    if (!rc) {
        sw.stats.doc_count = w->ndocs;
        sw.stats.token_count = w->tokens;
        sw.stats.title_token_count = w->title_tokens;
        snprintf(sw.stats.language, sizeof sw.stats.language, "%s", w->language);
        if (!buf_u64(&w->id_index, w->ids.len))
            rc = sift_fail(err, SIFT_ERR_NOMEM, "out of memory");
        if (!rc)
            rc = segment_writer_finish(&sw, seg_path, w->norms.data, &w->id_index, &w->ids,
                                       &w->store, err);
    }
    segment_writer_discard(&sw);
    return rc;
}

sift_err sift_writer_commit(sift_writer *w, sift_errmsg *err)
{
    if (w->dead) return sift_fail(err, SIFT_ERR_INVALID, "writer failed earlier; close it");
    w->dead = true;   /* one commit per writer */
    struct manifest old;
    bool have_old = manifest_read(w->dir, &old, NULL) == SIFT_OK;
    uint64_t number = 1;
    for (uint32_t i = 0; have_old && i < old.count; i++)
        if (old.segs[i].number >= number) number = old.segs[i].number + 1;
    char name[64];
    segment_file_name(number, name, sizeof name);
    char *seg_path = path_join(w->dir, name);
    if (!seg_path) {
        if (have_old) manifest_free(&old);
        return sift_fail(err, SIFT_ERR_NOMEM, "out of memory");
    }
    sift_err rc = build_segment(w, seg_path, err);
    if (!rc) {
        struct manifest_segment seg = { number, w->ndocs };
        struct manifest m = { have_old ? old.generation + 1 : 1, 1, &seg };
        rc = manifest_write(w->dir, &m, err);
        if (rc) unlink(seg_path);
    }
    if (!rc && have_old) remove_old_segments(w->dir, &old, number);
    if (have_old) manifest_free(&old);
    free(seg_path);
    return rc;
}

void sift_writer_close(sift_writer *w)
{
    if (!w) return;
    inverter_free(w->inv);
    docstore_discard(&w->store);
    analyzer_free(w->analyzer);
    buf_free(&w->norms);
    buf_free(&w->id_index);
    buf_free(&w->ids);
    free(w->source);
    free(w->tmp_prefix);
    if (w->lock_fd >= 0) close(w->lock_fd);
    free(w->dir);
    free(w);
}
