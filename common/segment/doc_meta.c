/* doc_meta.c -- SEC_DOC_META and SEC_SOURCES both ways.
 *
 * SEC_DOC_META: per document, the size of its source file (or of its JSON
 *   line), its modification time in nanoseconds (0 for JSON Lines and
 *   library adds), the hash64 of its content (hash.h), the index of its
 *   source in SEC_SOURCES. Fixed-width records (random access) but only as
 *   wide as the segment needs: an 8-byte header
 *     u8 S size bytes (0-8), u8 M mtime bytes (0 or 8), u8 R source bytes
 *     (0-4), u8 B the smallest source index (at most 255), u32 record
 *     width W = S + M + 8 + R,
 *   then per document W bytes: size (S bytes, little-endian), mtime (M),
 *   hash (8), source index - B (R). JSON Lines passages, all of one
 *   source and with size 0 (their hash decides), take 8 bytes, not 32.
 * SEC_SOURCES: the sources (directories or files given to the indexer, ""
 *   for documents added through the library), NUL-terminated, in order
 *   (strlist.h).
 *
 * While a segment is built, each document's record is 32 bytes: u64 size,
 * i64 mtime, u64 hash, u32 source, u32 zero.
 */
#include "doc_meta.h"

#include <string.h>

#include "error.h"
#include "segment.h"
#include "strlist.h"

#define BUILD_RECORD 32
#define HEADER 8

bool doc_meta_add(struct buf *records, const struct doc_meta *m)
{
    uint8_t r[BUILD_RECORD] = { 0 };
    wr_u64(r, m->size);
    wr_u64(r + 8, (uint64_t)m->mtime_ns);
    wr_u64(r + 16, m->hash);
    wr_u32(r + 24, m->source);
    return buf_append(records, r, sizeof r);
}

static unsigned bytes_for(uint64_t max)
{
    unsigned n = 0;
    while (max) {
        n++;
        max >>= 8;
    }
    return n;
}

bool doc_meta_pack(const struct buf *in, struct buf *out)
{
    size_t n = in->len / BUILD_RECORD;
    uint64_t max_size = 0;
    uint32_t min_source = UINT8_MAX, max_source = 0;
    bool mtimes = false;
    for (size_t i = 0; i < n; i++) {
        const uint8_t *r = in->data + i * BUILD_RECORD;
        if (rd_u64(r) > max_size) max_size = rd_u64(r);
        if (rd_u32(r + 24) > max_source) max_source = rd_u32(r + 24);
        if (rd_u32(r + 24) < min_source) min_source = rd_u32(r + 24);
        mtimes |= rd_u64(r + 8) != 0;
    }
    if (min_source > max_source) min_source = 0;   /* no documents */
    unsigned s = bytes_for(max_size), m = mtimes ? 8 : 0, src = bytes_for(max_source - min_source);
    unsigned w = s + m + 8 + src;
    if (!buf_reserve(out, HEADER + n * w)) return false;
    uint8_t head[HEADER] = { (uint8_t)s, (uint8_t)m, (uint8_t)src, (uint8_t)min_source };
    wr_u32(head + 4, w);
    buf_append(out, head, sizeof head);
    for (size_t i = 0; i < n; i++) {
        const uint8_t *r = in->data + i * BUILD_RECORD;
        uint8_t rec[BUILD_RECORD];
        memcpy(rec, r, s);                        /* little-endian: the low bytes */
        memcpy(rec + s, r + 8, m);
        memcpy(rec + s + m, r + 16, 8);
        uint8_t off[4];
        wr_u32(off, rd_u32(r + 24) - min_source);
        memcpy(rec + s + m + 8, off, src);
        buf_append(out, rec, w);
    }
    return true;
}

sift_err doc_meta_open(struct segment *s, sift_errmsg *err)
{
    const struct segfile *f = &s->file;
    sift_err rc = SIFT_OK;
    const uint8_t *h = segfile_section_len(f, SEC_DOC_META) >= HEADER
                           ? segfile_get(f, SEC_DOC_META, 0, HEADER, &rc, err) : NULL;
    if (!h) return rc ? rc : sift_fail(err, SIFT_ERR_CORRUPT, "%s: no document metadata", f->path);
    s->meta_size_bytes = h[0];
    s->meta_mtime_bytes = h[1];
    s->meta_source_bytes = h[2];
    s->meta_width = rd_u32(h + 4);
    s->meta_source_base = h[3];
    if (h[0] > 8 || (h[1] != 0 && h[1] != 8) || h[2] > 4 ||
        s->meta_width != (uint32_t)h[0] + h[1] + 8 + h[2] ||
        segfile_section_len(f, SEC_DOC_META) != HEADER + (uint64_t)s->doc_count * s->meta_width)
        return sift_fail(err, SIFT_ERR_CORRUPT, "%s: bad document metadata layout", f->path);
    return SIFT_OK;
}

sift_err segment_doc_meta(const struct segment *s, uint32_t doc, struct doc_meta *out,
                          sift_errmsg *err)
{
    sift_err rc = SIFT_OK;
    const uint8_t *p = segfile_get(&s->file, SEC_DOC_META, HEADER + (uint64_t)doc * s->meta_width,
                                   s->meta_width, &rc, err);
    if (!p) return rc;
    uint8_t r[BUILD_RECORD] = { 0 };   /* widened back to the build layout */
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
    const char *src = strlist_nth(p, (size_t)len, k);
    if (!src) sift_fail(err, SIFT_ERR_CORRUPT, "%s: source %u out of range", s->file.path, k);
    return src;
}
