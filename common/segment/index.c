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

sift_err index_term_lookup(const sift_index *idx, const char *term, size_t len, uint64_t *df,
                           struct term_info *seg_ti, sift_errmsg *err)
{
    *df = 0;
    for (uint32_t s = 0; s < idx->nsegs; s++) {
        struct term_info ti;
        bool found;
        uint32_t live = 0;
        sift_err rc = dict_lookup(&idx->segs[s], term, len, &ti, &found, err);
        if (!rc && found) rc = segment_live_df(&idx->segs[s], &ti, &live, err);
        if (rc) return rc;
        if (seg_ti) seg_ti[s] = found ? ti : (struct term_info){ 0 };
        *df += live;
    }
    return SIFT_OK;
}

sift_err index_live_df(const sift_index *idx, const char *term, size_t len, uint64_t *df,
                       sift_errmsg *err)
{
    return index_term_lookup(idx, term, len, df, NULL, err);
}

/* --------------------------------------------- several indexes as one */

/* A live document of a later index, by the 64-bit hash of its id: ids
 * are compared only when hashes are equal, so the table holds no string. */
struct id_entry {
    uint64_t h;
    uint32_t seg, doc;
};

struct doc_ref {
    uint32_t seg, doc;
};

/* The state of the passes over the indexes' ids. */
struct id_pass {
    sift_index *idx;
    uint32_t seg;             /* the segment being read */
    struct id_entry *e;       /* the latest copy of each id of the later indexes */
    size_t n, cap;
    uint64_t *slots;          /* open addressing: the hash's high half << 32 | entry + 1; 0 empty */
    uint32_t mask;
    struct doc_ref *hide;     /* documents to hide */
    size_t nhide, caphide;
    sift_err rc;
    sift_errmsg *err;
};

static int add_hide(struct id_pass *x, uint32_t seg, uint32_t doc)
{
    if (!array_reserve((void **)&x->hide, &x->caphide, x->nhide, sizeof *x->hide)) {
        x->rc = sift_fail(x->err, SIFT_ERR_NOMEM, "out of memory");
        return 1;
    }
    x->hide[x->nhide++] = (struct doc_ref){ seg, doc };
    return 0;
}

/* Whether entry e's id is id[0..len). */
static bool same_id(struct id_pass *x, const struct id_entry *e, const char *id, size_t len)
{
    char other[ID_MAX + 1];
    size_t n;
    if (x->rc || (x->rc = segment_doc_id(&x->idx->segs[e->seg], e->doc, other, &n, x->err))) return false;
    return n == len && !memcmp(other, id, len);
}

/* The slot of the entry holding id, or the empty slot where it would go.
 * A slot keeps half the hash: the entries are read on a match only. */
static uint64_t *find_slot(struct id_pass *x, uint64_t h, const char *id, size_t len)
{
    for (uint32_t k = (uint32_t)h & x->mask;; k = (k + 1) & x->mask) {
        uint64_t *slot = &x->slots[k];
        if (!*slot) return slot;
        const struct id_entry *e = &x->e[(uint32_t)*slot - 1];
        if (*slot >> 32 == h >> 32 && e->h == h && same_id(x, e, id, len)) return slot;
        if (x->rc) return slot;
    }
}

/* A document of a later index (they come in order): the copy an earlier
 * later index holds is hidden, this one takes its place. */
static int collect_id(void *ctx, uint32_t doc, const char *id, size_t len)
{
    struct id_pass *x = ctx;
    if (segment_is_deleted(&x->idx->segs[x->seg], doc)) return 0;
    uint64_t h = hash64(id, len);
    uint64_t *slot = find_slot(x, h, id, len);
    if (x->rc) return 1;
    if (*slot) {
        struct id_entry *old = &x->e[(uint32_t)*slot - 1];
        if (add_hide(x, old->seg, old->doc)) return 1;
        *old = (struct id_entry){ h, x->seg, doc };
        return 0;
    }
    x->e[x->n] = (struct id_entry){ h, x->seg, doc };
    *slot = (h >> 32 << 32) | (uint32_t)++x->n;
    return 0;
}

/* A document of the first index: hidden when a later one holds its id. */
static int probe_id(void *ctx, uint32_t doc, const char *id, size_t len)
{
    struct id_pass *x = ctx;
    if (segment_is_deleted(&x->idx->segs[x->seg], doc)) return 0;
    uint64_t *slot = find_slot(x, hash64(id, len), id, len);
    if (x->rc) return 1;
    return *slot ? add_hide(x, x->seg, doc) : 0;
}

/* Room for every live document of segments [from, to) at most half full. */
static sift_err make_table(struct id_pass *x, uint32_t from, uint32_t to)
{
    uint64_t live = 0;
    for (uint32_t s = from; s < to; s++) live += x->idx->segs[s].doc_count - x->idx->segs[s].ndeleted;
    uint64_t slots = 1024;
    while (slots < 2 * live) slots *= 2;
    if (slots > UINT32_MAX) return sift_fail(x->err, SIFT_ERR_NOMEM, "too many documents to compare ids");
    x->mask = (uint32_t)slots - 1;
    x->slots = calloc((size_t)slots, sizeof *x->slots);
    x->e = malloc((size_t)(live ? live : 1) * sizeof *x->e);
    return x->slots && x->e ? SIFT_OK : sift_fail(x->err, SIFT_ERR_NOMEM, "out of memory");
}

static int by_doc(const void *a, const void *b)
{
    const struct doc_ref *x = a, *y = b;
    if (x->seg != y->seg) return x->seg < y->seg ? -1 : 1;
    return (x->doc > y->doc) - (x->doc < y->doc);
}

/* Count docs[0..n) of s as deleted, in memory only, beside the deletions
 * of its file (both ascending). */
static sift_err hide_docs(struct segment *s, const struct doc_ref *docs, size_t n, sift_errmsg *err)
{
    uint32_t *all = malloc((s->ndeleted + n) * sizeof *all);
    if (!s->delbits) s->delbits = calloc(((size_t)s->doc_count + 7) / 8, 1);
    if (!all || !s->delbits) {
        free(all);
        return sift_fail(err, SIFT_ERR_NOMEM, "out of memory");
    }
    size_t i = 0, j = 0, k = 0;
    while (i < s->ndeleted || j < n)
        all[k++] = j == n || (i < s->ndeleted && s->deleted[i] < docs[j].doc) ? s->deleted[i++] : docs[j++].doc;
    free(s->deleted);
    s->deleted = all;
    s->ndeleted = k;
    s->shadowed += n;
    for (j = 0; j < n; j++) {
        uint32_t doc = docs[j].doc, len = 0, tl = 0;
        s->delbits[doc >> 3] |= (uint8_t)(1u << (doc & 7));
        sift_err rc = segment_norm(s, doc, &len, &tl, err);
        if (rc) return rc;
        s->deleted_tokens += len;
        s->deleted_title_tokens += tl;
    }
    return SIFT_OK;
}

/* An id live in several indexes is live in the last one that holds it.
 * The later indexes' ids go into a table of hashes, in order; the first
 * index's are probed against it. */
static sift_err hide_duplicates(sift_index *idx, const uint32_t *first_seg, sift_errmsg *err)
{
    struct id_pass x = { .idx = idx, .err = err };
    x.rc = make_table(&x, first_seg[1], idx->nsegs);
    for (x.seg = first_seg[1]; x.seg < idx->nsegs && !x.rc; x.seg++) {
        sift_err rc = segment_ids_each(&idx->segs[x.seg], collect_id, &x, err);
        if (rc && !x.rc) x.rc = rc;
    }
    for (x.seg = 0; x.n && x.seg < first_seg[1] && !x.rc; x.seg++) {
        sift_err rc = segment_ids_each(&idx->segs[x.seg], probe_id, &x, err);
        if (rc && !x.rc) x.rc = rc;
    }
    if (x.nhide) qsort(x.hide, x.nhide, sizeof *x.hide, by_doc);
    for (size_t i = 0, j; i < x.nhide && !x.rc; i = j) {
        for (j = i; j < x.nhide && x.hide[j].seg == x.hide[i].seg; j++) {}
        x.rc = hide_docs(&idx->segs[x.hide[i].seg], x.hide + i, j - i, err);
    }
    free(x.e);
    free(x.slots);
    free(x.hide);
    return x.rc;
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
    if (!rc) rc = hide_duplicates(idx, first_seg, err);
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
