/* doc_table.c -- the writer's id table of doc_table.h, on the hash map of
 * strmap.h (the inverter's term table is the same map). */
#include "doc_table.h"

#include <stdlib.h>
#include <string.h>

#include "doc_ids.h"
#include "error.h"
#include "hash.h"
#include "norms.h"
#include "segment.h"

static const void *entry_key(const void *ctx, uint32_t i, size_t *len)
{
    const struct doc_table *t = ctx;
    *len = strlen(t->entries[i].id);
    return t->entries[i].id;
}

static void free_entries(struct doc_table *t)
{
    for (size_t i = 0; i < t->n; i++) free(t->entries[i].id);
    t->n = 0;
    for (uint32_t i = 0; t->dels && i < t->nsegs; i++) buf_free(&t->dels[i].docs);
    free(t->dels);
    t->dels = NULL;
    t->nsegs = 0;
    buf_free(&t->pending_dels.docs);
    t->pending_dels.tokens = 0;
    t->live = 0;
}

bool doc_table_reset(struct doc_table *t, uint32_t nsegs)
{
    free_entries(t);
    if (t->map.slots) strmap_clear(&t->map);
    else if (!strmap_init(&t->map, 1024)) return false;
    strlist_clear(&t->sources);
    t->dels = calloc(nsegs ? nsegs : 1, sizeof *t->dels);
    if (!t->dels || !strlist_add(&t->sources, "", 0)) return false;
    t->nsegs = nsegs;
    return true;
}

void doc_table_free(struct doc_table *t)
{
    free_entries(t);
    free(t->entries);
    strmap_free(&t->map);
    strlist_free(&t->sources);
    memset(t, 0, sizeof *t);
}

struct doc_entry *doc_table_find(struct doc_table *t, const char *id)
{
    if (!t->map.slots) return NULL;
    size_t len = strlen(id);
    uint32_t slot, i = strmap_find(&t->map, id, len, hash_fnv1a(id, len), entry_key, t, &slot);
    return i == STRMAP_NONE ? NULL : &t->entries[i];
}

struct doc_entry *doc_table_insert(struct doc_table *t, const char *id, size_t len)
{
    if (t->n == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 1024;
        struct doc_entry *e = realloc(t->entries, cap * sizeof *e);
        if (!e) return NULL;
        t->entries = e;
        t->cap = cap;
    }
    char *copy = malloc(len + 1);
    if (!copy) return NULL;
    memcpy(copy, id, len);
    copy[len] = 0;
    uint32_t h = hash_fnv1a(copy, len), slot = 0;
    uint32_t had = strmap_find(&t->map, copy, len, h, entry_key, t, &slot);
    if (had != STRMAP_NONE) {   /* not the caller's case: keep the one there */
        free(copy);
        return &t->entries[had];
    }
    struct doc_entry *e = &t->entries[t->n];
    memset(e, 0, sizeof *e);
    e->id = copy;
    if (!strmap_put(&t->map, slot, h, (uint32_t)t->n++)) return NULL;
    return e;
}

void doc_table_delete(struct doc_table *t, struct doc_entry *e)
{
    struct seg_dels *d = e->seg >= 0 ? &t->dels[e->seg] : &t->pending_dels;
    buf_u32(&d->docs, e->doc);
    d->tokens += e->len;
    e->live = false;
    t->live--;
}

uint32_t doc_table_source(struct doc_table *t, const char *s)
{
    int64_t i = strlist_intern(&t->sources, s);
    return i < 0 ? UINT32_MAX : (uint32_t)i;
}

const char *doc_table_source_name(const struct doc_table *t, uint32_t k)
{
    const char *s = strlist_get(&t->sources, k);
    return s ? s : "";
}

sift_err doc_table_map_sources(struct doc_table *t, const struct segment *seg, uint32_t *map,
                               uint32_t *n, sift_errmsg *err)
{
    for (*n = 0; *n < MAX_SEGMENT_SOURCES; (*n)++) {
        sift_errmsg ignored;
        const char *src = segment_source(seg, *n, &ignored);
        if (!src) break;
        map[*n] = doc_table_source(t, src);
        if (map[*n] == UINT32_MAX) return sift_fail(err, SIFT_ERR_NOMEM, "out of memory");
    }
    return SIFT_OK;
}

sift_err doc_table_load_segment(struct doc_table *t, const struct segment *seg, uint32_t s,
                                sift_errmsg *err)
{
    uint32_t map[MAX_SEGMENT_SOURCES];
    uint32_t nsrc;
    sift_err rc = doc_table_map_sources(t, seg, map, &nsrc, err);
    for (uint32_t d = 0; !rc && d < seg->doc_count; d++) {
        if (segment_is_deleted(seg, d)) continue;
        char id[ID_MAX + 1];
        size_t len;
        struct doc_meta meta;
        uint32_t dl;
        rc = segment_doc_id(seg, d, id, &len, err);
        if (!rc) rc = segment_doc_meta(seg, d, &meta, err);
        if (!rc) rc = segment_norm(seg, d, &dl, NULL, err);
        if (rc) break;
        struct doc_entry *e = doc_table_find(t, id);
        if (e && e->live) doc_table_delete(t, e);
        if (!e) e = doc_table_insert(t, id, len);
        if (!e) return sift_fail(err, SIFT_ERR_NOMEM, "out of memory");
        meta.source = meta.source < nsrc ? map[meta.source] : 0;
        *e = (struct doc_entry){ e->id, (int32_t)s, d, dl, meta, false, true };
        t->live++;
    }
    return rc;
}
