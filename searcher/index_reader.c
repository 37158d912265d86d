/* index_reader.c -- opening an index: manifest, segments, statistics. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "fileio.h"
#include "index.h"
#include "manifest.h"
#include "segment.h"

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

/* The widths of SEC_NORMS, checked against its size. */
static sift_err open_norms(struct segment *s, sift_errmsg *err)
{
    const struct segfile *f = &s->file;
    uint64_t len = segfile_section_len(f, SEC_NORMS);
    sift_err rc = SIFT_OK;
    const uint8_t *h = len >= NORMS_HEADER ? segfile_get(f, SEC_NORMS, 0, NORMS_HEADER, &rc, err) : NULL;
    if (!h && rc) return rc;
    if (!h || h[0] > 32 || h[1] > 32 || rd_u32(h + 2) || rd_u16(h + 6) ||
        len != NORMS_HEADER + ((uint64_t)s->doc_count * (h[0] + h[1]) + 7) / 8 + NORMS_PAD)
        return sift_fail(err, SIFT_ERR_CORRUPT, "%s: bad document length table", f->path);
    s->norm_bits = h[0];
    s->title_bits = h[1];
    return SIFT_OK;
}

static sift_err open_segment(struct segment *s, const char *dir, uint64_t number,
                             sift_errmsg *err)
{
    char name[64];
    segment_file_name(number, name, sizeof name);
    char *path = path_join(dir, name);
    if (!path) return sift_fail(err, SIFT_ERR_NOMEM, "out of memory");
    sift_err rc = segfile_open(&s->file, path, err);
    free(path);
    if (rc) return rc;
    s->number = number;
    const uint8_t *m = segfile_get(&s->file, SEC_META, 0, META_SIZE, &rc, err);
    if (!m) return rc;
    s->doc_count = rd_u32(m);
    s->token_count = rd_u64(m + 8);
    s->term_count = rd_u64(m + 16);
    s->posting_count = rd_u64(m + 24);
    s->title_token_count = rd_u64(m + 32);
    const struct segfile *f = &s->file;
    if (rd_u32(m + 72) != POSTINGS_BLOCK || rd_u32(m + 76) != DICT_BLOCK_TERMS ||
        segfile_section_len(f, SEC_DICT_INDEX) % DICT_INDEX_ENTRY ||
        segfile_section_len(f, SEC_STORE_INDEX) % STORE_INDEX_ENTRY ||
        segfile_section_len(f, SEC_ID_INDEX) !=
            (((uint64_t)s->doc_count + ID_GROUP - 1) / ID_GROUP + 1) * 8)
        return sift_fail(err, SIFT_ERR_CORRUPT, "%s: section sizes contradict the metadata",
                         f->path);
    rc = SIFT_OK;
    const uint8_t *h = segfile_section_len(f, SEC_DOC_META) >= 8
                           ? segfile_get(f, SEC_DOC_META, 0, 8, &rc, err) : NULL;
    if (!h) return rc ? rc : sift_fail(err, SIFT_ERR_CORRUPT, "%s: no document metadata", f->path);
    s->meta_size_bytes = h[0];
    s->meta_mtime_bytes = h[1];
    s->meta_source_bytes = h[2];
    s->meta_width = rd_u32(h + 4);
    s->meta_source_base = h[3];
    if (h[0] > 8 || (h[1] != 0 && h[1] != 8) || h[2] > 4 ||
        s->meta_width != (uint32_t)h[0] + h[1] + 8 + h[2] ||
        segfile_section_len(f, SEC_DOC_META) != 8 + (uint64_t)s->doc_count * s->meta_width)
        return sift_fail(err, SIFT_ERR_CORRUPT, "%s: bad document metadata layout", f->path);
    rc = open_norms(s, err);
    if (rc) return rc;
    s->ndict_blocks = (uint32_t)(segfile_section_len(f, SEC_DICT_INDEX) / DICT_INDEX_ENTRY);
    s->nstore_blocks = (uint32_t)(segfile_section_len(f, SEC_STORE_INDEX) / STORE_INDEX_ENTRY);
    return SIFT_OK;
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
        rc = open_segment(&idx->segs[i], idx->dir, m.segs[i].number, err);
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
        if (!rc) {
            idx->segs[i].doc_base = base;
            base += idx->segs[i].doc_count;
            idx->doc_count += idx->segs[i].doc_count - idx->segs[i].ndeleted;
            idx->token_count += idx->segs[i].token_count - idx->segs[i].deleted_tokens;
            idx->title_token_count += idx->segs[i].title_token_count - idx->segs[i].deleted_title_tokens;
        }
    }
    manifest_free(&m);
    if (!rc && idx->nsegs) {
        const uint8_t *meta = segfile_get(&idx->segs[0].file, SEC_META, 0, META_SIZE, &rc, err);
        if (meta) snprintf(idx->language, sizeof idx->language, "%.31s", (const char *)meta + 40);
    }
    if (!idx->language[0]) snprintf(idx->language, sizeof idx->language, "english");
    idx->avgdl = idx->doc_count ? (double)idx->token_count / (double)idx->doc_count : 1.0;
    if (idx->avgdl <= 0) idx->avgdl = 1.0;
    return rc;
}

static void close_segments(sift_index *idx)
{
    for (uint32_t i = 0; i < idx->nsegs; i++) {
        segfile_close(&idx->segs[i].file);
        free(idx->segs[i].deleted);
        free(idx->segs[i].delbits);
    }
    free(idx->segs);
    idx->segs = NULL;
    idx->nsegs = 0;
    idx->doc_count = idx->token_count = idx->title_token_count = 0;
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

void sift_index_close(sift_index *idx)
{
    if (!idx) return;
    close_segments(idx);
    free(idx->dir);
    free(idx);
}

sift_err sift_index_stats_get(const sift_index *idx, sift_index_stats *out, sift_errmsg *err)
{
    (void)err;
    memset(out, 0, sizeof *out);
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

sift_err segment_norm(const struct segment *s, uint32_t doc, uint32_t *len, uint32_t *title_len,
                      sift_errmsg *err)
{
    sift_err rc = SIFT_OK;
    /* two values of at most 32 bits, each one 8-byte load (the padding
     * keeps the last document's loads inside the section) */
    uint64_t at = (uint64_t)doc * (s->norm_bits + s->title_bits), tat = at + s->norm_bits;
    uint64_t span = (tat >> 3) - (at >> 3) + 8;
    const uint8_t *p = segfile_get(&s->file, SEC_NORMS, NORMS_HEADER + (at >> 3), span, &rc, err);
    if (!p) return rc;
    *len = rd_bits(p, (size_t)span, at & 7, s->norm_bits);
    if (title_len) *title_len = rd_bits(p, (size_t)span, tat - (at & ~(uint64_t)7), s->title_bits);
    return SIFT_OK;
}

sift_err segment_doc_id(const struct segment *s, uint32_t doc, char id[ID_MAX + 1], size_t *len,
                        sift_errmsg *err)
{
    sift_err rc = SIFT_OK;
    if (doc >= s->doc_count)
        return sift_fail(err, SIFT_ERR_CORRUPT, "%s: document %u out of range", s->file.path, doc);
    const uint8_t *p = segfile_get(&s->file, SEC_ID_INDEX, (uint64_t)(doc / ID_GROUP) * 8, 16, &rc, err);
    if (!p) return rc;
    uint64_t a = rd_u64(p), b = rd_u64(p + 8);
    if (b < a) return sift_fail(err, SIFT_ERR_CORRUPT, "%s: id offsets out of order", s->file.path);
    const uint8_t *d = segfile_get(&s->file, SEC_IDS, a, b - a, &rc, err);
    if (!d) return rc;
    struct cursor c = cursor_make(d, (size_t)(b - a));
    size_t n = 0;
    for (uint32_t k = 0; k <= doc % ID_GROUP; k++) {
        uint64_t keep = cur_varint(&c), add = cur_varint(&c);
        const uint8_t *suffix = cur_take(&c, (size_t)add);
        if (c.bad || keep > n || (k == 0 && keep) || add > ID_MAX - keep)
            return sift_fail(err, SIFT_ERR_CORRUPT, "%s: id of document %u is damaged", s->file.path, doc);
        memcpy(id + keep, suffix, (size_t)add);
        n = (size_t)(keep + add);
    }
    id[n] = 0;
    *len = n;
    return SIFT_OK;
}

sift_err segment_live_df(const struct segment *s, const struct term_info *ti, uint32_t *live,
                         sift_errmsg *err)
{
    *live = ti->df;
    if (!s->ndeleted) return SIFT_OK;
    struct postings p;
    sift_err rc = postings_open(&p, s, ti, err);
    if (rc) return rc;
    uint32_t dead = 0;
    postings_first(&p);
    if ((uint64_t)s->ndeleted * 8 < ti->df) {
        /* few deletions: skip to each of them */
        for (size_t i = 0; i < s->ndeleted && p.doc != DOC_END; i++) {
            uint32_t d = s->deleted[i];
            if (p.doc < d) postings_advance(&p, d);
            dead += p.doc == d;
        }
    } else {
        for (; p.doc != DOC_END; postings_next(&p)) dead += segment_is_deleted(s, p.doc);
    }
    if (p.rc) return p.rc;
    *live = ti->df - dead;
    return SIFT_OK;
}

sift_err segment_doc_meta(const struct segment *s, uint32_t doc, struct doc_meta *out,
                          sift_errmsg *err)
{
    sift_err rc = SIFT_OK;
    const uint8_t *p = segfile_get(&s->file, SEC_DOC_META, 8 + (uint64_t)doc * s->meta_width,
                                   s->meta_width, &rc, err);
    if (!p) return rc;
    uint8_t r[32] = { 0 };   /* widened back to the 32-byte layout */
    memcpy(r, p, s->meta_size_bytes);
    p += s->meta_size_bytes;
    memcpy(r + 8, p, s->meta_mtime_bytes);
    p += s->meta_mtime_bytes;
    memcpy(r + 16, p, 8);
    memcpy(r + 24, p + 8, s->meta_source_bytes);
    out->size = rd_u64(r);
    out->mtime_ns = (int64_t)rd_u64(r + 8);
    out->hash = rd_u64(r + 16);
    out->source = rd_u32(r + 24) + s->meta_source_base;
    return SIFT_OK;
}

const char *segment_source(const struct segment *s, uint32_t k, sift_errmsg *err)
{
    uint64_t len = segfile_section_len(&s->file, SEC_SOURCES);
    sift_err rc = SIFT_OK;
    const uint8_t *p = segfile_get(&s->file, SEC_SOURCES, 0, len, &rc, err);
    if (!p) return NULL;
    /* NUL-terminated strings, one after the other */
    for (uint64_t off = 0, i = 0; off < len; i++) {
        const uint8_t *e = memchr(p + off, 0, (size_t)(len - off));
        if (!e) break;
        if (i == k) return (const char *)p + off;
        off = (uint64_t)(e - p) + 1;
    }
    sift_fail(err, SIFT_ERR_CORRUPT, "%s: source %u out of range", s->file.path, k);
    return NULL;
}
