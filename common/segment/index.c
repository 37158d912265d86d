/* index.c -- opening an index: the manifest, its segments and their
 * deletions, and the live statistics over all of them. */
#include "index.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dict.h"
#include "error.h"
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
        out->deleted_count += s->ndeleted;
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
