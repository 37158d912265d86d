/* writer.c -- sift_writer: incremental updates, atomic commits, merges.
 *
 * Files in an index directory (docs/FORMAT.md):
 *   manifest            the live segments and their deletions
 *   seg-NNNNNN.sift     immutable segment files
 *   del-NNNNNN-G.del    deletions of segment NNNNNN, generation G
 *   write.lock          flock()ed by the one writer; the kernel drops the
 *                       lock when its process dies, so a stale file never
 *                       blocks a later writer
 *   tmp-PID-*           a writer's temporary files; removed on close, and
 *                       by the next writer if its process died
 *
 * A commit writes new files, fsyncs them, then renames a new manifest
 * into place and fsyncs the directory: readers see the old or the new
 * generation, never a mix. Files only the old generation names are then
 * unlinked. A reader that opened the old generation has its segments
 * mapped and its deletions in memory, so it keeps a consistent view (an
 * unlinked file lives on while mapped); a reader caught between reading
 * the manifest and opening a file that was just removed retries with the
 * new manifest (searcher/index_reader.c).
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
#include "error.h"
#include "fileio.h"
#include "index.h"
#include "manifest.h"
#include "segment.h"
#include "segment_build.h"

#define MERGE_FACTOR 10
#define MAX_SOURCES 256   /* sources per segment the writer keeps apart */

struct entry {
    char *id;
    int32_t seg;          /* index of a committed segment, or -1: pending */
    uint32_t doc;
    uint32_t len;         /* tokens, for the statistics of deletions */
    uint64_t size;
    int64_t mtime_ns;
    uint64_t hash;
    uint32_t source;      /* index into the writer's sources */
    bool seen, live;
};

struct seg_dels {
    struct buf docs;      /* u32 documents deleted since the last commit */
    uint64_t tokens;
};

struct sift_writer {
    char *dir;
    int lock_fd;
    char *tmp_base;       /* DIR/tmp-PID- */
    unsigned tmp_counter;
    char language[32];
    size_t budget;
    unsigned threads;      /* sift_writer_options.threads */
    bool rebuild;         /* drop the committed segments at the next commit */
    struct analyzer *an;
    sift_index *idx;      /* the committed index, NULL when there is none */
    struct manifest man;
    struct seg_dels *dels;              /* per committed segment */
    struct seg_build pending;
    bool pending_open;
    struct seg_dels pending_dels;
    struct entry *entries;
    size_t nentries, cap;
    uint32_t *slots;      /* id hash: entry index + 1 */
    size_t nslots;
    struct buf sources;   /* NUL-terminated strings */
    uint32_t nsources;
    uint32_t cur_source;
    char *cur_path;
    uint64_t cur_size, cur_hash;
    int64_t cur_mtime;
    uint64_t live;
};

/* ------------------------------------------------------------- helpers */

static uint32_t hash_str(const char *s)
{
    uint32_t h = 2166136261u;
    for (; *s; s++) h = (h ^ (uint8_t)*s) * 16777619u;
    return h;
}

static struct entry *find(sift_writer *w, const char *id)
{
    if (!w->nslots) return NULL;
    for (size_t k = hash_str(id) & (w->nslots - 1); w->slots[k]; k = (k + 1) & (w->nslots - 1))
        if (!strcmp(w->entries[w->slots[k] - 1].id, id)) return &w->entries[w->slots[k] - 1];
    return NULL;
}

static bool grow_slots(sift_writer *w)
{
    size_t n = w->nslots ? w->nslots * 2 : 1024;
    uint32_t *s = calloc(n, sizeof *s);
    if (!s) return false;
    for (size_t i = 0; i < w->nentries; i++) {
        size_t k = hash_str(w->entries[i].id) & (n - 1);
        while (s[k]) k = (k + 1) & (n - 1);
        s[k] = (uint32_t)i + 1;
    }
    free(w->slots);
    w->slots = s;
    w->nslots = n;
    return true;
}

/* A new entry for id (which must not be in the map yet). */
static struct entry *insert(sift_writer *w, const char *id, size_t len)
{
    if ((w->nentries + 1) * 2 > w->nslots && !grow_slots(w)) return NULL;
    if (w->nentries == w->cap) {
        size_t cap = w->cap ? w->cap * 2 : 1024;
        struct entry *e = realloc(w->entries, cap * sizeof *e);
        if (!e) return NULL;
        w->entries = e;
        w->cap = cap;
    }
    char *copy = malloc(len + 1);
    if (!copy) return NULL;
    memcpy(copy, id, len);
    copy[len] = 0;
    struct entry *e = &w->entries[w->nentries];
    memset(e, 0, sizeof *e);
    e->id = copy;
    size_t k = hash_str(copy) & (w->nslots - 1);
    while (w->slots[k]) k = (k + 1) & (w->nslots - 1);
    w->slots[k] = (uint32_t)++w->nentries;
    return e;
}

/* Index of a source string, added when new; UINT32_MAX when memory is short. */
static uint32_t intern_source(sift_writer *w, const char *s)
{
    uint32_t i = 0;
    for (size_t off = 0; off < w->sources.len; i++) {
        const char *t = (const char *)w->sources.data + off;
        if (!strcmp(t, s)) return i;
        off += strlen(t) + 1;
    }
    if (!buf_append(&w->sources, s, strlen(s) + 1)) return UINT32_MAX;
    return w->nsources++;
}

static const char *source_name(const sift_writer *w, uint32_t k)
{
    uint32_t i = 0;
    for (size_t off = 0; off < w->sources.len; i++) {
        const char *t = (const char *)w->sources.data + off;
        if (i == k) return t;
        off += strlen(t) + 1;
    }
    return "";
}

static char *tmp_prefix(sift_writer *w)
{
    char *p = malloc(strlen(w->tmp_base) + 24);
    if (p) sprintf(p, "%s%u-", w->tmp_base, w->tmp_counter++);
    return p;
}

static char *file_path(const sift_writer *w, const char *name)
{
    return path_join(w->dir, name);
}

static void remove_file(const sift_writer *w, const char *name)
{
    char *p = file_path(w, name);
    if (p) unlink(p);
    free(p);
}

/* ------------------------------------------------------- loading state */

/* The writer's source index of each of a segment's sources (at most
 * MAX_SOURCES; documents of later ones fall back to source 0, ""). */
static bool map_sources(sift_writer *w, const struct segment *seg, uint32_t *map, uint32_t *n)
{
    for (*n = 0; *n < MAX_SOURCES; (*n)++) {
        sift_errmsg dummy;
        const char *src = segment_source(seg, *n, &dummy);
        if (!src) break;
        map[*n] = intern_source(w, src);
        if (map[*n] == UINT32_MAX) return false;
    }
    return true;
}

static void unload(sift_writer *w)
{
    for (size_t i = 0; i < w->nentries; i++) free(w->entries[i].id);
    w->nentries = 0;
    if (w->slots) memset(w->slots, 0, w->nslots * sizeof *w->slots);
    for (uint32_t i = 0; w->dels && i < w->man.count; i++) buf_free(&w->dels[i].docs);
    free(w->dels);
    w->dels = NULL;
    manifest_free(&w->man);
    sift_index_close(w->idx);
    w->idx = NULL;
    if (w->pending_open) seg_build_discard(&w->pending);
    w->pending_open = false;
    buf_free(&w->pending_dels.docs);
    w->pending_dels.tokens = 0;
    w->live = 0;
}

static sift_err load_segment(sift_writer *w, uint32_t s, sift_errmsg *err)
{
    const struct segment *seg = &w->idx->segs[s];
    uint32_t map[MAX_SOURCES];
    uint32_t nsrc;
    if (!map_sources(w, seg, map, &nsrc)) return sift_fail(err, SIFT_ERR_NOMEM, "out of memory");
    for (uint32_t d = 0; d < seg->doc_count; d++) {
        if (segment_is_deleted(seg, d)) continue;
        char id[ID_MAX + 1];
        size_t len;
        struct doc_meta meta;
        uint32_t dl;
        sift_err rc = segment_doc_id(seg, d, id, &len, err);
        if (!rc) rc = segment_doc_meta(seg, d, &meta, err);
        if (!rc) rc = segment_norm(seg, d, &dl, NULL, err);
        if (rc) return rc;
        struct entry *e = find(w, id);
        if (e && e->live) {
            /* the same id twice among live documents: keep the later one */
            if (e->seg >= 0) {
                buf_u32(&w->dels[e->seg].docs, e->doc);
                w->dels[e->seg].tokens += e->len;
            }
            w->live--;
        }
        if (!e) e = insert(w, id, len);
        if (!e) return sift_fail(err, SIFT_ERR_NOMEM, "out of memory");
        e->seg = (int32_t)s;
        e->doc = d;
        e->len = dl;
        e->size = meta.size;
        e->mtime_ns = meta.mtime_ns;
        e->hash = meta.hash;
        e->source = meta.source < nsrc ? map[meta.source] : 0;
        e->seen = false;
        e->live = true;
        w->live++;
    }
    return SIFT_OK;
}

/* Read the committed index into the writer's tables. */
static sift_err load(sift_writer *w, sift_errmsg *err)
{
    unload(w);
    w->sources.len = 0;
    w->nsources = 0;
    intern_source(w, "");
    sift_err rc = manifest_read(w->dir, &w->man, err);
    if (rc == SIFT_ERR_NOTFOUND || (rc && w->rebuild)) {
        memset(&w->man, 0, sizeof w->man);
        return SIFT_OK;
    }
    if (rc) return rc;
    if (w->rebuild) return SIFT_OK;   /* the manifest only names files to drop */
    rc = sift_index_open(w->dir, &w->idx, err);
    if (rc) return rc;
    if (w->idx->nsegs != w->man.count)
        return sift_fail(err, SIFT_ERR_CORRUPT, "%s: the manifest changed while opening", w->dir);
    w->dels = calloc(w->man.count ? w->man.count : 1, sizeof *w->dels);
    if (!w->dels) return sift_fail(err, SIFT_ERR_NOMEM, "out of memory");
    for (uint32_t s = 0; s < w->idx->nsegs && !rc; s++) rc = load_segment(w, s, err);
    return rc;
}

/* ----------------------------------------------------------- open/close */

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

/* Remove temporary files of dead writers and files no manifest names
 * (left by a crash between writing and publishing). */
static void remove_debris(const char *dir, const struct manifest *m)
{
    DIR *d = opendir(dir);
    if (!d) return;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        bool drop = !strncmp(e->d_name, "tmp-", 4) || !strncmp(e->d_name, ".manifest.tmp", 13) ||
                    !strncmp(e->d_name, ".del-", 5);
        unsigned long long n, g;
        char tail;
        if (sscanf(e->d_name, "seg-%llu.sif%c", &n, &tail) == 2 && tail == 't') {
            drop = true;
            for (uint32_t i = 0; m && i < m->count; i++) drop &= m->segs[i].number != n;
        } else if (sscanf(e->d_name, "del-%llu-%llu.de%c", &n, &g, &tail) == 3 && tail == 'l') {
            drop = true;
            for (uint32_t i = 0; m && i < m->count; i++)
                drop &= !(m->segs[i].number == n && m->segs[i].del_gen == g);
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
    const char *lang = opts ? opts->language : NULL;
    if (lang && (!analyzer_language_ok(lang) || strlen(lang) >= 32))
        return sift_fail(err, SIFT_ERR_INVALID, "unknown stemmer language '%s'", lang);
    sift_err rc = mkdir_p(dir, err);
    if (rc) return rc;
    sift_writer *w = calloc(1, sizeof *w);
    if (!w) return sift_fail(err, SIFT_ERR_NOMEM, "out of memory");
    w->lock_fd = -1;
    w->dir = strdup(dir);
    w->rebuild = opts && opts->rebuild;
    w->budget = (size_t)(opts && opts->ram_mb ? opts->ram_mb : 256) << 20;
    w->threads = opts ? opts->threads : 1;
    char name[64];
    snprintf(name, sizeof name, "tmp-%ld-", (long)getpid());
    w->tmp_base = w->dir ? path_join(dir, name) : NULL;
    if (!w->dir || !w->tmp_base) {
        sift_writer_close(w);
        return sift_fail(err, SIFT_ERR_NOMEM, "out of memory");
    }
    if ((rc = take_lock(w, err))) {
        sift_writer_close(w);
        return rc;
    }
    struct manifest m;
    bool have = manifest_read(dir, &m, NULL) == SIFT_OK;
    remove_debris(dir, have ? &m : NULL);
    if (have) manifest_free(&m);
    rc = load(w, err);
    const char *existing = w->idx && w->idx->nsegs ? w->idx->language : NULL;
    if (!rc && lang && existing && strcmp(lang, existing))
        rc = sift_fail(err, SIFT_ERR_INVALID,
                       "%s was indexed with the '%s' stemmer; rebuild it to change to '%s'", dir,
                       existing, lang);
    snprintf(w->language, sizeof w->language, "%s", lang ? lang : existing ? existing : "english");
    w->an = rc ? NULL : analyzer_new(w->language);
    if (!rc && !w->an) rc = sift_fail(err, SIFT_ERR_NOMEM, "out of memory");
    if (!rc) analyzer_enable_cache(w->an);
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
    free(w->entries);
    free(w->slots);
    buf_free(&w->sources);
    analyzer_free(w->an);
    free(w->cur_path);
    free(w->tmp_base);
    if (w->lock_fd >= 0) close(w->lock_fd);
    free(w->dir);
    free(w);
}

/* ------------------------------------------------------------- changes */

sift_err sift_writer_set_info(sift_writer *w, const sift_doc_info *info, sift_errmsg *err)
{
    uint32_t src = intern_source(w, info && info->source ? info->source : "");
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

static void delete_entry(sift_writer *w, struct entry *e)
{
    struct seg_dels *d = e->seg >= 0 ? &w->dels[e->seg] : &w->pending_dels;
    buf_u32(&d->docs, e->doc);
    d->tokens += e->len;
    e->live = false;
    w->live--;
}

/* Add d to the pending documents; it replaces the live one with its id. */
static sift_err add_doc(sift_writer *w, const struct build_doc *d, sift_errmsg *err)
{
    if (!d->id || !*d->id) return sift_fail(err, SIFT_ERR_INVALID, "document id is empty");
    if (strlen(d->id) > ID_MAX)
        return sift_fail(err, SIFT_ERR_INVALID, "document id longer than %d bytes", ID_MAX);
    if (!w->pending_open) {
        char *prefix = tmp_prefix(w);
        sift_err rc = prefix ? seg_build_open(&w->pending, prefix, w->budget, w->threads, err)
                             : sift_fail(err, SIFT_ERR_NOMEM, "out of memory");
        free(prefix);
        if (rc) return rc;
        w->pending_open = true;
    }
    uint32_t len;
    bool added;
    sift_err rc = seg_build_add(&w->pending, w->an, d, &len, &added, err);
    if (rc && added) {
        /* its text failed half way: in the segment, but deleted from the
         * start, and the live document with its id (if any) stays */
        if (!buf_u32(&w->pending_dels.docs, w->pending.ndocs - 1))
            w->pending.broken = SIFT_ERR_NOMEM;
        w->pending_dels.tokens += len;
    }
    if (rc) return rc;
    struct entry *e = find(w, d->id);
    if (e && e->live) delete_entry(w, e);
    if (!e) e = insert(w, d->id, strlen(d->id));
    if (!e) return sift_fail(err, SIFT_ERR_NOMEM, "out of memory");
    e->seg = -1;
    e->doc = w->pending.ndocs - 1;
    e->len = len;
    e->size = w->cur_size;
    e->mtime_ns = w->cur_mtime;
    e->hash = w->cur_hash;
    e->source = w->cur_source;
    e->seen = true;
    e->live = true;
    w->live++;
    return SIFT_OK;
}

sift_err sift_writer_add(sift_writer *w, const char *id, const char *title, const char *text,
                         size_t text_len, sift_errmsg *err)
{
    if (!text && text_len) return sift_fail(err, SIFT_ERR_INVALID, "text is NULL");
    struct build_doc d = { .id = id, .title = title ? title : "", .path = w->cur_path,
                           .text = text ? text : "", .text_len = text_len, .size = w->cur_size,
                           .mtime_ns = w->cur_mtime, .hash = w->cur_hash, .source = w->cur_source };
    return add_doc(w, &d, err);
}

sift_err sift_writer_add_stream(sift_writer *w, const char *id, const char *title,
                                uint64_t text_len, sift_read_fn read, void *ctx, sift_errmsg *err)
{
    if (!read) return sift_fail(err, SIFT_ERR_INVALID, "no reader");
    struct build_doc d = { .id = id, .title = title ? title : "", .path = w->cur_path,
                           .text_len = text_len, .read = read, .read_ctx = ctx,
                           .size = w->cur_size, .mtime_ns = w->cur_mtime, .hash = w->cur_hash,
                           .source = w->cur_source };
    return add_doc(w, &d, err);
}

sift_err sift_writer_delete(sift_writer *w, const char *id, sift_errmsg *err)
{
    struct entry *e = find(w, id);
    if (!e || !e->live) return sift_fail(err, SIFT_ERR_NOTFOUND, "no document with id '%.200s'", id);
    delete_entry(w, e);
    return SIFT_OK;
}

int sift_writer_lookup(sift_writer *w, const char *id, sift_doc_info *out)
{
    struct entry *e = find(w, id);
    if (!e || !e->live) return 0;
    if (out) {
        out->source = source_name(w, e->source);
        out->path = NULL;
        out->size = e->size;
        out->mtime_ns = e->mtime_ns;
        out->hash = e->hash;
    }
    return 1;
}

void sift_writer_keep(sift_writer *w, const char *id)
{
    struct entry *e = find(w, id);
    if (e && e->live) e->seen = true;
}

sift_err sift_writer_delete_unseen(sift_writer *w, const char *source, int dry_run,
                                   uint64_t *count, sift_errmsg *err)
{
    (void)err;
    uint64_t n = 0;
    for (size_t i = 0; i < w->nentries; i++) {
        struct entry *e = &w->entries[i];
        if (!e->live || e->seen || strcmp(source_name(w, e->source), source)) continue;
        n++;
        if (!dry_run) delete_entry(w, e);
    }
    if (count) *count = n;
    return SIFT_OK;
}

uint64_t sift_writer_doc_count(const sift_writer *w) { return w->live; }

/* -------------------------------------------------------------- commit */

/* A segment number no file uses: a reader may still map a segment that no
 * manifest names any more, so numbers are never reused. */
static uint64_t next_number(const sift_writer *w)
{
    uint64_t n = 1;
    for (uint32_t i = 0; i < w->man.count; i++)
        if (w->man.segs[i].number >= n) n = w->man.segs[i].number + 1;
    DIR *d = opendir(w->dir);
    struct dirent *e;
    while (d && (e = readdir(d)) != NULL) {
        unsigned long long k;
        if (sscanf(e->d_name, "seg-%llu.sift", &k) == 1 && k >= n) n = k + 1;
    }
    if (d) closedir(d);
    return n;
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

/* The union of a segment's committed deletions and new ones, sorted. */
static uint32_t *merged_deletes(const struct segment *seg, const struct seg_dels *d, size_t *n)
{
    size_t add = d->docs.len / 4;
    uint32_t *all = malloc((seg->ndeleted + add + 1) * sizeof *all);
    if (!all) return NULL;
    if (seg->ndeleted) memcpy(all, seg->deleted, seg->ndeleted * sizeof *all);
    for (size_t i = 0; i < add; i++) all[seg->ndeleted + i] = rd_u32(d->docs.data + i * 4);
    qsort(all, seg->ndeleted + add, sizeof *all, cmp_u32);
    size_t k = 0;
    for (size_t i = 0; i < seg->ndeleted + add; i++)
        if (!k || all[i] != all[k - 1]) all[k++] = all[i];
    *n = k;
    return all;
}

/* Names written for the new generation (removed if publishing fails) and
 * names only the old one used (removed after it succeeds). */
struct file_list {
    char names[64][64];
    size_t n;
    struct buf more;   /* overflow: NUL-separated */
};

static void list_add(struct file_list *l, const char *name)
{
    if (l->n < 64) snprintf(l->names[l->n++], 64, "%s", name);
    else buf_append(&l->more, name, strlen(name) + 1);
}

static void list_remove_all(const sift_writer *w, struct file_list *l)
{
    for (size_t i = 0; i < l->n; i++) remove_file(w, l->names[i]);
    for (size_t off = 0; off < l->more.len; off += strlen((char *)l->more.data + off) + 1)
        remove_file(w, (char *)l->more.data + off);
    buf_free(&l->more);
    l->n = 0;
}

static sift_err maybe_merge(sift_writer *w, unsigned max_segments, sift_errmsg *err);

static bool has_changes(const sift_writer *w)
{
    if (w->rebuild || w->pending_open) return true;
    for (uint32_t i = 0; w->dels && i < w->man.count; i++)
        if (w->dels[i].docs.len) return true;
    return false;
}

sift_err sift_writer_commit(sift_writer *w, sift_errmsg *err)
{
    if (!has_changes(w)) return maybe_merge(w, 0, err);   /* nothing to publish */
    struct file_list written = { .n = 0 }, obsolete = { .n = 0 };
    struct manifest m = { w->man.generation + 1, 0, NULL };
    m.segs = calloc(w->man.count + 1, sizeof *m.segs);
    sift_err rc = m.segs ? SIFT_OK : sift_fail(err, SIFT_ERR_NOMEM, "out of memory");
    char name[64];
    /* committed segments, with their new deletions */
    for (uint32_t i = 0; !rc && i < w->man.count; i++) {
        struct manifest_segment s = w->man.segs[i];
        bool drop = w->rebuild;
        const struct segment *seg = drop ? NULL : &w->idx->segs[i];
        if (!drop && w->dels[i].docs.len) {
            size_t n;
            uint32_t *all = merged_deletes(seg, &w->dels[i], &n);
            if (!all) {
                rc = sift_fail(err, SIFT_ERR_NOMEM, "out of memory");
                break;
            }
            if (n == seg->doc_count) {
                drop = true;
            } else {
                if (s.del_gen) {
                    deletes_file_name(s.number, s.del_gen, name, sizeof name);
                    list_add(&obsolete, name);
                }
                s.del_gen++;
                s.deleted = n;
                s.deleted_tokens += w->dels[i].tokens;
                rc = deletes_write(w->dir, s.number, s.del_gen, seg->doc_count, all, n, err);
                deletes_file_name(s.number, s.del_gen, name, sizeof name);
                list_add(&written, name);
            }
            free(all);
        }
        if (drop) {
            segment_file_name(s.number, name, sizeof name);
            list_add(&obsolete, name);
            if (s.del_gen) {
                deletes_file_name(s.number, s.del_gen, name, sizeof name);
                list_add(&obsolete, name);
            }
        } else {
            m.segs[m.count++] = s;
        }
    }
    /* the pending segment */
    if (!rc && w->pending_open && w->pending.ndocs > w->pending_dels.docs.len / 4) {
        uint64_t number = next_number(w);
        segment_file_name(number, name, sizeof name);
        char *path = file_path(w, name);
        list_add(&written, name);
        rc = path ? seg_build_finish(&w->pending, path, w->language, &w->sources, err)
                  : sift_fail(err, SIFT_ERR_NOMEM, "out of memory");
        free(path);
        struct manifest_segment s = { number, w->pending.ndocs, 0, 0, 0 };
        if (!rc && w->pending_dels.docs.len) {
            size_t n = w->pending_dels.docs.len / 4;
            uint32_t *all = malloc(n * sizeof *all);
            if (!all) rc = sift_fail(err, SIFT_ERR_NOMEM, "out of memory");
            for (size_t i = 0; all && i < n; i++) all[i] = rd_u32(w->pending_dels.docs.data + i * 4);
            if (all) qsort(all, n, sizeof *all, cmp_u32);
            s = (struct manifest_segment){ number, w->pending.ndocs, n, w->pending_dels.tokens, 1 };
            if (!rc) rc = deletes_write(w->dir, number, 1, w->pending.ndocs, all, n, err);
            deletes_file_name(number, 1, name, sizeof name);
            list_add(&written, name);
            free(all);
        }
        m.segs[m.count++] = s;
    }
    if (!rc) rc = manifest_write(w->dir, &m, err);
    if (rc) {
        list_remove_all(w, &written);
    } else {
        list_remove_all(w, &obsolete);
        w->rebuild = false;
    }
    buf_free(&written.more);
    buf_free(&obsolete.more);
    free(m.segs);
    sift_errmsg tmp;
    sift_err lrc = load(w, rc ? &tmp : err);   /* the published state, pending changes gone */
    if (!rc) rc = lrc;
    if (!rc) rc = maybe_merge(w, 0, err);
    return rc;
}

/* --------------------------------------------------------------- merge */

struct merge_ctx {
    sift_writer *w;
    const struct segment *seg;
    struct seg_build *b;
    uint32_t map[MAX_SOURCES];
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
    char *id = strndup(r->id, r->id_len), *title = strndup(r->title, r->title_len);
    char *path = strndup(r->path, r->path_len);
    if (!id || !title || !path) {
        mc->rc = sift_fail(mc->err, SIFT_ERR_NOMEM, "out of memory");
    } else {
        struct build_doc d = { .id = id, .title = title, .path = path, .text = r->text,
                               .text_len = r->text_len, .read = r->read,
                               .read_ctx = r->read_ctx, .size = meta.size,
                               .mtime_ns = meta.mtime_ns, .hash = meta.hash,
                               .source = meta.source < mc->nsrc ? mc->map[meta.source] : 0 };
        uint32_t len;
        bool added;
        mc->rc = seg_build_add(mc->b, mc->w->an, &d, &len, &added, mc->err);
    }
    free(id);
    free(title);
    free(path);
    return mc->rc != SIFT_OK;
}

/* Merge the committed segments picked[0..n) into one and publish. */
static sift_err merge_segments(sift_writer *w, const uint32_t *picked, size_t n, sift_errmsg *err)
{
    struct seg_build b;
    char *prefix = tmp_prefix(w);
    sift_err rc = prefix ? seg_build_open(&b, prefix, w->budget, w->threads, err)
                         : sift_fail(err, SIFT_ERR_NOMEM, "out of memory");
    free(prefix);
    if (rc) return rc;
    for (size_t k = 0; k < n && !rc; k++) {
        const struct segment *seg = &w->idx->segs[picked[k]];
        struct merge_ctx mc = { w, seg, &b, { 0 }, 0, SIFT_OK, err };
        if (!map_sources(w, seg, mc.map, &mc.nsrc)) rc = sift_fail(err, SIFT_ERR_NOMEM, "out of memory");
        if (!rc) rc = docstore_scan(seg, merge_doc, &mc, err);
        if (!rc) rc = mc.rc;
    }
    uint64_t number = next_number(w);
    char name[64];
    segment_file_name(number, name, sizeof name);
    char *path = file_path(w, name);
    if (!rc && !path) rc = sift_fail(err, SIFT_ERR_NOMEM, "out of memory");
    if (!rc) rc = seg_build_finish(&b, path, w->language, &w->sources, err);
    struct manifest m = { w->man.generation + 1, 0, calloc(w->man.count + 1, sizeof *m.segs) };
    if (!rc && !m.segs) rc = sift_fail(err, SIFT_ERR_NOMEM, "out of memory");
    struct file_list obsolete = { .n = 0 };
    for (uint32_t i = 0; !rc && i < w->man.count; i++) {
        bool chosen = false;
        for (size_t k = 0; k < n; k++) chosen |= picked[k] == i;
        if (!chosen) {
            m.segs[m.count++] = w->man.segs[i];
            continue;
        }
        segment_file_name(w->man.segs[i].number, name, sizeof name);
        list_add(&obsolete, name);
        if (w->man.segs[i].del_gen) {
            deletes_file_name(w->man.segs[i].number, w->man.segs[i].del_gen, name, sizeof name);
            list_add(&obsolete, name);
        }
    }
    if (!rc && b.ndocs) m.segs[m.count++] = (struct manifest_segment){ number, b.ndocs, 0, 0, 0 };
    if (!rc) rc = manifest_write(w->dir, &m, err);
    if (rc) {
        if (path) unlink(path);
    } else {
        if (!b.ndocs && path) unlink(path);
        list_remove_all(w, &obsolete);
    }
    buf_free(&obsolete.more);
    free(m.segs);
    free(path);
    seg_build_discard(&b);
    sift_errmsg tmp;
    sift_err lrc = load(w, rc ? &tmp : err);
    return rc ? rc : lrc;
}

static uint64_t live_docs(const struct manifest_segment *s) { return s->doc_count - s->deleted; }

static unsigned tier(uint64_t live)
{
    unsigned t = 0;
    while (live >= MERGE_FACTOR) {
        live /= MERGE_FACTOR;
        t++;
    }
    return t;
}

/* Pick segments to merge. With max_segments 0, the tiered policy: when a
 * size tier (a power of MERGE_FACTOR in live documents) holds
 * MERGE_FACTOR segments, merge the smallest MERGE_FACTOR of them; this
 * keeps the count at most MERGE_FACTOR - 1 per tier, logarithmic in the
 * index size. Otherwise merge the smallest until max_segments remain
 * (and a lone segment with deletions, to expunge them). */
static size_t pick(const sift_writer *w, unsigned max_segments, uint32_t *picked)
{
    uint32_t n = w->man.count;
    uint32_t order[MANIFEST_MAX_SEGMENTS];
    for (uint32_t i = 0; i < n; i++) order[i] = i;
    for (uint32_t i = 1; i < n; i++)   /* by live documents, ascending */
        for (uint32_t j = i; j > 0 && live_docs(&w->man.segs[order[j]]) < live_docs(&w->man.segs[order[j - 1]]); j--) {
            uint32_t t = order[j];
            order[j] = order[j - 1];
            order[j - 1] = t;
        }
    if (max_segments) {
        if (n > max_segments) {
            size_t k = n - max_segments + 1;
            memcpy(picked, order, k * sizeof *picked);
            return k;
        }
        if (n == 1 && max_segments == 1 && w->man.segs[0].deleted) {
            picked[0] = 0;
            return 1;
        }
        return 0;
    }
    for (uint32_t i = 0; i < n;) {
        unsigned t = tier(live_docs(&w->man.segs[order[i]]));
        uint32_t j = i;
        while (j < n && tier(live_docs(&w->man.segs[order[j]])) == t) j++;
        if (j - i >= MERGE_FACTOR) {
            memcpy(picked, order + i, MERGE_FACTOR * sizeof *picked);
            return MERGE_FACTOR;
        }
        i = j;
    }
    return 0;
}

static sift_err maybe_merge(sift_writer *w, unsigned max_segments, sift_errmsg *err)
{
    uint32_t picked[MANIFEST_MAX_SEGMENTS];
    for (int rounds = 0; rounds < 1000; rounds++) {
        size_t n = pick(w, max_segments, picked);
        if (!n) return SIFT_OK;
        sift_err rc = merge_segments(w, picked, n, err);
        if (rc) return rc;
    }
    return SIFT_OK;
}

sift_err sift_writer_merge(sift_writer *w, unsigned max_segments, sift_errmsg *err)
{
    if (has_changes(w)) return sift_fail(err, SIFT_ERR_INVALID, "commit pending changes before merging");
    return maybe_merge(w, max_segments ? max_segments : 1, err);
}
