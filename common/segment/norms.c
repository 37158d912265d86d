/* norms.c -- SEC_NORMS, the document lengths, both ways.
 *
 * SEC_NORMS: u8 L, u8 T (0-32 each), 6 zero bytes; then per document i,
 *   at bit i·(L+T) of a little-endian bit stream (least significant bit
 *   first), the token count of title and text (the BM25 document length)
 *   in L bits and the token count of the title in T bits; then 8 zero
 *   bytes, so that any document's lengths are one 8-byte load. L and T are
 *   the fewest bits that hold the segment's largest lengths: exact lengths
 *   in 14 bits a passage where two u16 took 32. Title positions are
 *   [0, title count), text positions follow.
 */
#include "norms.h"

#include <string.h>

#include "error.h"
#include "segment.h"

#define NORMS_PAD 8

bool norms_pack(const struct buf *in, struct buf *out)
{
    size_t n = in->len / NORM_RECORD;
    uint32_t any_len = 0, any_title = 0;   /* OR of all: the same top bit as the largest */
    for (size_t i = 0; i < n; i++) {
        any_len |= rd_u32(in->data + i * NORM_RECORD);
        any_title |= rd_u32(in->data + i * NORM_RECORD + 4);
    }
    unsigned wl = bits_needed(any_len), wt = bits_needed(any_title), w = wl + wt;
    size_t bytes = NORMS_HEADER + (size_t)(((uint64_t)n * w + 7) / 8) + NORMS_PAD;
    if (!buf_reserve(out, bytes)) return false;
    memset(out->data, 0, bytes);
    out->len = bytes;
    out->data[0] = (uint8_t)wl;
    out->data[1] = (uint8_t)wt;
    uint8_t *bits = out->data + NORMS_HEADER;
    for (size_t i = 0; i < n; i++) {
        const uint8_t *r = in->data + i * NORM_RECORD;
        wr_bits(bits, (uint64_t)i * w, rd_u32(r) | (uint64_t)rd_u32(r + 4) << wl, w);
    }
    return true;
}

sift_err norms_open(struct segment *s, sift_errmsg *err)
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

sift_err segment_norm(const struct segment *s, uint32_t doc, uint32_t *len, uint32_t *title_len,
                      sift_errmsg *err)
{
    struct norm_window w = { 0 };
    return segment_norm_at(s, &w, doc, len, title_len, err);
}

/* The window becomes two aligned spans of NORM_SPAN bytes, or of a page
 * where pages are larger, from the one holding [off, off + span) (a
 * document's bits may cross into the next): a span is whole pages, so
 * smaller pages do not make the window move more often. */
#define NORM_SPAN ((uint64_t)1 << 15)
static sift_err move_window(const struct segment *s, struct norm_window *w, uint64_t off, uint64_t span,
                            sift_errmsg *err)
{
    sift_err rc = SIFT_OK;
    uint64_t page = (uint64_t)1 << s->file.page_shift, end = segfile_section_len(&s->file, SEC_NORMS);
    if (page < NORM_SPAN) page = NORM_SPAN;
    uint64_t lo = off & ~(page - 1), hi = lo + 2 * page < end ? lo + 2 * page : end;
    if (off + span > hi) lo = off, hi = off + span;   /* out of bounds: segfile_get says so */
    const uint8_t *p = segfile_get(&s->file, SEC_NORMS, lo, hi - lo, &rc, err);
    if (!p) return rc;
    *w = (struct norm_window){ s, p, lo, hi, s->norm_bits, s->title_bits };
    return SIFT_OK;
}

sift_err segment_norm_moving(const struct segment *s, struct norm_window *w, uint32_t doc,
                             uint32_t *len, uint32_t *title_len, sift_errmsg *err)
{
    uint64_t span, off = norm_offset(s->norm_bits, s->title_bits, doc, &span);
    sift_err rc = move_window(s, w, off, span, err);
    if (rc) return rc;
    if (!norm_window_read(w, doc, len, title_len))
        return sift_fail(err, SIFT_ERR_CORRUPT, "%s: lengths of document %u out of reach", s->file.path, doc);
    return SIFT_OK;
}
