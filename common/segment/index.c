/* index.c -- opening an index: the manifest, its segments and their
 * deletions, and the live statistics over all of them. */
#include "index.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dict.h"
#include "doc_ids.h"
#include "error.h"
#include "hash.h"
#include "manifest.h"
#include "norms.h"
#include "postings.h"
#include "strmap.h"

static sift_err load_deletes(struct segment *s, const char *dir, const struct manifest_segment *ms,
                             sift_errmsg *err)
{
    s->del_gen = ms->del_gen;
    s->deleted_tokens = ms->deleted_tokens;
    sift_err rc = deletes_read(dir, ms, &s->deleted, &s->ndeleted, err);
    if (rc || !s->ndeleted) return rc;
    s->delbits = calloc(((size_t)s->doc_count + 7) / 8, 1);
    if (!s->delbits) return sift_fail(err, SIFT_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < s->ndeleted; i++) {
        s->delbits[s->deleted[i] >> 3] |= (uint8_t)(1u << (s->deleted[i] & 7));
        uint32_t len = 0, tl = 0;
        if ((rc = segment_norm(s, s->deleted[i], &len, &tl, err))) return rc;
        s->deleted_title_tokens += tl;
    }
    return SIFT_OK;
}

/* Count open segment s into the live statistics; *base is its first
 * document's global number. */
static void add_segment(sift_index *idx, struct segment *s, uint64_t *base)
{
    s->doc_base = *base;
    *base += s->doc_count;
    idx->doc_count += s->doc_count - s->ndeleted;
    idx->token_count += s->token_count - s->deleted_tokens;
    idx->title_token_count += s->title_token_count - s->deleted_title_tokens;
}

/* The index's fields: every segment's, which must agree on their types. */
static sift_err merge_schemas(sift_index *idx, sift_errmsg *err)
{
    for (uint32_t s = 0; s < idx->nsegs; s++) {
        const struct schema *sc = &idx->segs[s].schema;
        for (uint32_t i = 0; i < sc->n; i++) {
            int k = schema_find(&idx->schema, sc->f[i].name);
            if (k >= 0 && idx->schema.f[k].type != sc->f[i].type)
                return sift_fail(err, SIFT_ERR_CORRUPT, "%s: field '%s' is a %s here and a %s elsewhere",
                                 idx->segs[s].file.path, sc->f[i].name, schema_type_name(sc->f[i].type),
                                 schema_type_name(idx->schema.f[k].type));
            if (k < 0 && !schema_add(&idx->schema, sc->f[i].name, sc->f[i].type))
                return sift_fail(err, SIFT_ERR_NOMEM, "out of memory");
        }
    }
    return SIFT_OK;
}

/* The language, the mean length and the fields, once every segment is in. */
static sift_err finish_stats(sift_index *idx, sift_errmsg *err)
{
    sift_err rc = idx->nsegs ? segment_language(&idx->segs[0], idx->language, err) : SIFT_OK;
    if (!rc) rc = merge_schemas(idx, err);
    if (!idx->language[0]) snprintf(idx->language, sizeof idx->language, "english");
    idx->avgdl = idx->doc_count ? (double)idx->token_count / (double)idx->doc_count : 1.0;
    if (idx->avgdl <= 0) idx->avgdl = 1.0;
    return rc;
}

/* Read the manifest and open its segments. A writer may publish a new
 * manifest and delete the old segments between the two steps; the open
 * is then retried with the new manifest. */
static sift_err open_once(sift_index *idx, sift_errmsg *err, bool *retry)
{
    struct manifest m;
    sift_err rc = manifest_read(idx->dir, &m, err);
    if (rc) return rc;
    idx->generation = m.generation;
    uint64_t base = 0;
    idx->segs = calloc(m.count ? m.count : 1, sizeof *idx->segs);
    if (!idx->segs) {
        manifest_free(&m);
        return sift_fail(err, SIFT_ERR_NOMEM, "out of memory");
    }
    for (uint32_t i = 0; i < m.count && !rc; i++) {
        rc = segment_open(&idx->segs[i], idx->dir, m.segs[i].number, err);
        if (rc == SIFT_ERR_NOTFOUND) *retry = true;
        idx->nsegs = i + 1;
        if (!rc && idx->segs[i].doc_count != m.segs[i].doc_count)
            rc = sift_fail(err, SIFT_ERR_CORRUPT, "%s: document count differs from manifest",
                           idx->segs[i].file.path);
        if (!rc) rc = load_deletes(&idx->segs[i], idx->dir, &m.segs[i], err);
        if (rc == SIFT_ERR_NOTFOUND) *retry = true;
        if (!rc && idx->segs[i].deleted_tokens > idx->segs[i].token_count)
            rc = sift_fail(err, SIFT_ERR_CORRUPT, "%s: deleted tokens exceed the segment's",
                           idx->segs[i].file.path);
        if (!rc) add_segment(idx, &idx->segs[i], &base);
    }
    manifest_free(&m);
    return rc ? rc : finish_stats(idx, err);
}

static void close_segments(sift_index *idx)
{
    for (uint32_t i = 0; i < idx->nsegs; i++) segment_close(&idx->segs[i]);
    free(idx->segs);
    idx->segs = NULL;
    idx->nsegs = 0;
    idx->doc_count = idx->token_count = idx->title_token_count = 0;
    schema_free(&idx->schema);
}

sift_err sift_index_open(const char *dir, sift_index **out, sift_errmsg *err)
{
    *out = NULL;
    sift_index *idx = calloc(1, sizeof *idx);
    if (!idx) return sift_fail(err, SIFT_ERR_NOMEM, "out of memory");
    idx->dir = strdup(dir);
    if (!idx->dir) {
        free(idx);
        return sift_fail(err, SIFT_ERR_NOMEM, "out of memory");
    }
    sift_err rc = SIFT_OK;
    for (int attempt = 0; attempt < 5; attempt++) {
        bool retry = false;
        rc = open_once(idx, err, &retry);
        if (!rc || !retry) break;
        close_segments(idx);
    }
    if (rc == SIFT_ERR_NOTFOUND && err && !strstr(err->msg, "no index"))
        rc = SIFT_ERR_CORRUPT;   /* the manifest names a segment that is missing */
    if (rc) {
        sift_index_close(idx);
        return rc;
    }
    *out = idx;
    return SIFT_OK;
}

sift_err index_open_memory(const uint8_t *data, size_t len, sift_index **out, sift_errmsg *err)
{
    *out = NULL;
    sift_index *idx = calloc(1, sizeof *idx);
    if (idx) idx->dir = strdup("(index in memory)");
    if (idx) idx->segs = calloc(1, sizeof *idx->segs);
    if (!idx || !idx->dir || !idx->segs) {
        sift_index_close(idx);
        return sift_fail(err, SIFT_ERR_NOMEM, "out of memory");
    }
    idx->nsegs = 1;   /* closed on failure too: the meta may fail after the map */
    sift_err rc = segment_open_memory(&idx->segs[0], data, len, err);
    if (!rc) {
        uint64_t base = 0;
        add_segment(idx, &idx->segs[0], &base);
        rc = finish_stats(idx, err);
    }
    if (rc) {
        sift_index_close(idx);
        return rc;
    }
    *out = idx;
    return SIFT_OK;
}

void sift_index_close(sift_index *idx)
{
    if (!idx) return;
    close_segments(idx);
    free(idx->dir);
    free(idx);
}

sift_err sift_index_stats_get(const sift_index *idx, sift_index_stats *out, sift_errmsg *err)
{
    if (out->struct_size != sizeof *out)
        return sift_fail(err, SIFT_ERR_INVALID, "sift_index_stats of %u bytes, this library's are %zu: "
                         "built against another sift.h", out->struct_size, sizeof *out);
    memset(out, 0, sizeof *out);
    out->struct_size = sizeof *out;
    out->doc_count = idx->doc_count;
    out->token_count = idx->token_count;
    out->segment_count = idx->nsegs;
    snprintf(out->language, sizeof out->language, "%s", idx->language);
    for (uint32_t i = 0; i < idx->nsegs; i++) {
        const struct segment *s = &idx->segs[i];
        out->term_count += s->term_count;  /* an upper bound across segments */
        out->posting_count += s->posting_count;
        out->deleted_count += s->ndeleted - s->shadowed;
        out->shadowed_count += s->shadowed;
        out->bytes += s->file.size;
        out->postings_bytes += segfile_section_len(&s->file, SEC_POSTINGS);
        out->positions_bytes += segfile_section_len(&s->file, SEC_POSITIONS);
        out->store_bytes += segfile_section_len(&s->file, SEC_STORE);
    }
    return SIFT_OK;
}

sift_err sift_index_verify(sift_index *idx, sift_errmsg *err)
{
    for (uint32_t i = 0; i < idx->nsegs; i++) {
        sift_err rc = segfile_verify_all(&idx->segs[i].file, err);
        if (rc) return rc;
    }
    return SIFT_OK;
}

sift_err index_live_df(const sift_index *idx, const char *term, size_t len, uint64_t *df,
                       sift_errmsg *err)
{
    *df = 0;
    for (uint32_t s = 0; s < idx->nsegs; s++) {
        struct term_info ti;
        bool found;
        uint32_t live = 0;
        sift_err rc = dict_lookup(&idx->segs[s], term, len, &ti, &found, err);
        if (!rc && found) rc = segment_live_df(&idx->segs[s], &ti, &live, err);
        if (rc) return rc;
        *df += live;
    }
    return SIFT_OK;
}

/* --------------------------------------------- several indexes as one */

/* The external ids met so far, to find an id live in two indexes. */
struct id_set {
    struct buf bytes;
    size_t *end;              /* where each id ends in bytes */
    uint32_t n, cap;
    struct strmap map;
};

static const void *id_at(const void *ctx, uint32_t i, size_t *len)
{
    const struct id_set *set = ctx;
    size_t start = i ? set->end[i - 1] : 0;
    *len = set->end[i] - start;
    return set->bytes.data + start;
}

/* Whether id is in the set; when it is not and add is set, it is added.
 * false with *oom when memory is short. */
static bool id_set_has(struct id_set *set, const char *id, size_t len, bool add, bool *oom)
{
    uint32_t h = hash_fnv1a(id, len), slot = 0;
    if (strmap_find(&set->map, id, len, h, id_at, set, &slot) != STRMAP_NONE) return true;
    if (!add) return false;
    if (set->n == set->cap) {
        uint32_t cap = set->cap ? set->cap * 2 : 1024;
        size_t *e = realloc(set->end, cap * sizeof *e);
        if (!e) return *oom = true, false;
        set->end = e;
        set->cap = cap;
    }
    if (!buf_append(&set->bytes, id, len)) return *oom = true, false;
    set->end[set->n] = set->bytes.len;
    if (!strmap_put(&set->map, slot, h, set->n++)) *oom = true;
    return false;
}

/* Count document doc of s as deleted, in memory only: an earlier copy of
 * an id a later index holds. Documents arrive in ascending order. */
static sift_err hide_doc(struct segment *s, uint32_t doc, sift_errmsg *err)
{
    if (!s->delbits && !(s->delbits = calloc(((size_t)s->doc_count + 7) / 8, 1)))
        return sift_fail(err, SIFT_ERR_NOMEM, "out of memory");
    uint32_t *d = realloc(s->deleted, (s->ndeleted + 1) * sizeof *d);
    if (!d) return sift_fail(err, SIFT_ERR_NOMEM, "out of memory");
    s->deleted = d;
    size_t at = s->ndeleted++;   /* keep them ascending among the file's own */
    while (at && d[at - 1] > doc) {
        d[at] = d[at - 1];
        at--;
    }
    d[at] = doc;
    s->shadowed++;
    s->delbits[doc >> 3] |= (uint8_t)(1u << (doc & 7));
    uint32_t len = 0, tl = 0;
    sift_err rc = segment_norm(s, doc, &len, &tl, err);
    s->deleted_tokens += len;
    s->deleted_title_tokens += tl;
    return rc;
}

/* Segments [from, to) of idx against the ids of later indexes: a copy
 * already seen is hidden; the rest join the set when add. */
static sift_err hide_seen(sift_index *idx, uint32_t from, uint32_t to, struct id_set *set, bool add,
                          sift_errmsg *err)
{
    char id[ID_MAX + 1];
    for (uint32_t i = from; i < to; i++) {
        struct segment *s = &idx->segs[i];
        for (uint32_t doc = 0; doc < s->doc_count; doc++) {
            if (segment_is_deleted(s, doc)) continue;
            size_t len;
            bool oom = false;
            sift_err rc = segment_doc_id(s, doc, id, &len, err);
            if (!rc && id_set_has(set, id, len, add, &oom)) rc = hide_doc(s, doc, err);
            if (!rc && oom) rc = sift_fail(err, SIFT_ERR_NOMEM, "out of memory");
            if (rc) return rc;
        }
    }
    return SIFT_OK;
}

/* An id live in several indexes is live in the last one that holds it. */
static sift_err hide_duplicates(sift_index *idx, const uint32_t *first_seg, size_t n, sift_errmsg *err)
{
    struct id_set set = { 0 };
    sift_err rc = strmap_init(&set.map, 1024) ? SIFT_OK : sift_fail(err, SIFT_ERR_NOMEM, "out of memory");
    for (size_t i = n; !rc && i-- > 0;)
        rc = hide_seen(idx, first_seg[i], i + 1 < n ? first_seg[i + 1] : idx->nsegs, &set, i > 0, err);
    buf_free(&set.bytes);
    free(set.end);
    strmap_free(&set.map);
    return rc;
}

/* Move the segments of part (an open index) to the end of idx's. */
static sift_err take_segments(sift_index *idx, sift_index *part, sift_errmsg *err)
{
    struct segment *segs = realloc(idx->segs, (idx->nsegs + part->nsegs + 1) * sizeof *segs);
    if (!segs) return sift_fail(err, SIFT_ERR_NOMEM, "out of memory");
    idx->segs = segs;
    memcpy(segs + idx->nsegs, part->segs, part->nsegs * sizeof *segs);
    idx->nsegs += part->nsegs;
    part->nsegs = 0;
    return SIFT_OK;
}

static sift_err check_language(const sift_index *idx, const sift_index *part, const char *first,
                               const char *dir, sift_errmsg *err)
{
    if (!idx->nsegs || !part->nsegs || !strcmp(idx->language, part->language)) return SIFT_OK;
    return sift_fail(err, SIFT_ERR_INVALID, "%s: language %s, but %s is %s: indexes searched together "
                     "must share their language", dir, part->language, first, idx->language);
}

sift_err sift_index_open_many(const char *const *dirs, size_t n, sift_index **out, sift_errmsg *err)
{
    *out = NULL;
    if (!n) return sift_fail(err, SIFT_ERR_INVALID, "no index directory given");
    if (n == 1) return sift_index_open(dirs[0], out, err);
    sift_index *idx = calloc(1, sizeof *idx);
    uint32_t *first_seg = calloc(n, sizeof *first_seg);
    struct buf name = { 0 };
    sift_err rc = idx && first_seg ? SIFT_OK : sift_fail(err, SIFT_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < n && !rc; i++) {
        for (size_t j = 0; j < i && !rc; j++)
            if (!strcmp(dirs[i], dirs[j]))
                rc = sift_fail(err, SIFT_ERR_INVALID, "%s: the same index given twice", dirs[i]);
        sift_index *part = NULL;
        if (!rc) rc = sift_index_open(dirs[i], &part, err);
        if (!rc) rc = check_language(idx, part, dirs[0], dirs[i], err);
        if (!rc && part->nsegs && !idx->nsegs) memcpy(idx->language, part->language, sizeof idx->language);
        if (!rc) first_seg[i] = idx->nsegs;
        if (!rc) rc = take_segments(idx, part, err);
        /* the name messages give: the directories, comma-separated */
        if (!rc && ((i && !buf_append(&name, ", ", 2)) ||
                    !buf_append(&name, dirs[i], strlen(dirs[i]) + (i + 1 == n))))
            rc = sift_fail(err, SIFT_ERR_NOMEM, "out of memory");
        sift_index_close(part);
    }
    if (!rc) rc = hide_duplicates(idx, first_seg, n, err);
    if (!rc) {
        idx->dir = (char *)name.data;
        name.data = NULL;
        uint64_t base = 0;
        for (uint32_t s = 0; s < idx->nsegs; s++) add_segment(idx, &idx->segs[s], &base);
        rc = finish_stats(idx, err);
    }
    free(first_seg);
    buf_free(&name);
    if (rc) {
        sift_index_close(idx);
        return rc;
    }
    *out = idx;
    return SIFT_OK;
}

const struct field_def *segment_field(const struct segment *s, const char *name)
{
    int k = schema_find(&s->schema, name);
    return k < 0 ? NULL : &s->schema.f[k];
}

const struct segment *index_segment_of(const sift_index *idx, uint64_t docno, uint32_t *local)
{
    uint32_t s = 0;
    while (s < idx->nsegs && docno >= idx->segs[s].doc_base + idx->segs[s].doc_count) s++;
    if (s == idx->nsegs) return NULL;
    *local = (uint32_t)(docno - idx->segs[s].doc_base);
    return &idx->segs[s];
}

size_t sift_index_field_count(const sift_index *idx) { return idx->schema.n; }

sift_err sift_index_field(const sift_index *idx, size_t i, const char **name, sift_field_type *type,
                          sift_errmsg *err)
{
    if (i >= idx->schema.n) return sift_fail(err, SIFT_ERR_INVALID, "field %zu out of range", i);
    *name = idx->schema.f[i].name;
    *type = idx->schema.f[i].type;
    return SIFT_OK;
}
