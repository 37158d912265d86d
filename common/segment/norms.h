/* norms.h -- document lengths (SEC_NORMS, layout in norms.c): gathered per
 * document while a segment is built, bit-packed when it is written, read
 * by BM25 and by the skip tables' length bounds. */
#ifndef SIFT_NORMS_H
#define SIFT_NORMS_H

#include <stdbool.h>
#include <stdint.h>

#include <sift/sift.h>

#include "bytes.h"

struct segment;

/* While building: per document, u32 length then u32 title length. */
#define NORM_RECORD 8

static inline bool norms_add(struct buf *b, uint32_t len, uint32_t title_len)
{
    uint8_t r[NORM_RECORD];
    wr_u32(r, len);
    wr_u32(r + 4, title_len);
    return buf_append(b, r, sizeof r);
}

/* The length of document doc among the records gathered so far (0 when
 * there is none: tests that write postings alone). */
static inline uint32_t norms_built_len(const struct buf *b, uint32_t doc)
{
    if (!b || (uint64_t)(doc + 1) * NORM_RECORD > b->len) return 0;
    return rd_u32(b->data + (size_t)doc * NORM_RECORD);
}

/* Its title length, UINT32_MAX when there is no record. */
static inline uint32_t norms_built_title_len(const struct buf *b, uint32_t doc)
{
    if (!b || (uint64_t)(doc + 1) * NORM_RECORD > b->len) return UINT32_MAX;
    return rd_u32(b->data + (size_t)doc * NORM_RECORD + 4);
}

/* The gathered records as SEC_NORMS. false when memory is short. */
bool norms_pack(const struct buf *records, struct buf *out);

/* Read and check SEC_NORMS's widths at open. */
sift_err norms_open(struct segment *s, sift_errmsg *err);

/* Document length (tokens of title and text) and title length (may be
 * NULL). */
sift_err segment_norm(const struct segment *s, uint32_t doc, uint32_t *len, uint32_t *title_len,
                      sift_errmsg *err);

/* The part of a segment's SEC_NORMS verified and read last, so that the
 * documents of a search, which come in order, are read from it without a
 * checked look-up each (zero it to start; one per segment and thread). */
struct norm_window {
    const struct segment *seg;
    const uint8_t *p;   /* bytes [lo, hi) of the section */
    uint64_t lo, hi;
    unsigned len_bits, title_bits;   /* the segment's widths (norms.c) */
};

#define NORMS_HEADER 8   /* bytes before the packed values (norms.c) */

/* Where document doc's bits lie in SEC_NORMS: the offset of their first
 * byte, and in *span the bytes the two loads read from it. */
static inline uint64_t norm_offset(unsigned len_bits, unsigned title_bits, uint32_t doc, uint64_t *span)
{
    uint64_t at = (uint64_t)doc * (len_bits + title_bits), tat = at + len_bits;
    *span = (tat >> 3) - (at >> 3) + 8;
    return NORMS_HEADER + (at >> 3);
}

/* Document doc's lengths from w when its bits lie in the window. Two
 * values of at most 32 bits: one 8-byte load when both fit in it from
 * their first byte (widths summing to 57 bits at most, the usual), else
 * one load each (the section's padding keeps the last document's loads
 * inside it). A scored candidate reads them: a union reads hundreds of
 * thousands. */
static inline bool norm_window_read(const struct norm_window *w, uint32_t doc, uint32_t *len,
                                    uint32_t *title_len)
{
    unsigned lb = w->len_bits, tb = w->title_bits;
    uint64_t at = (uint64_t)doc * (lb + tb);
    if (lb + tb <= 57) {   /* both values in one load, from the byte the first starts in */
        uint64_t off = NORMS_HEADER + (at >> 3);
        if (off < w->lo || off + 8 > w->hi) return false;
        uint64_t v = rd_u64(w->p + (off - w->lo)) >> (at & 7);
        *len = (uint32_t)(v & (((uint64_t)1 << lb) - 1));
        if (title_len) *title_len = (uint32_t)(v >> lb & (((uint64_t)1 << tb) - 1));
        return true;
    }
    uint64_t span, off = norm_offset(lb, tb, doc, &span);
    if (off < w->lo || off + span > w->hi) return false;
    uint64_t tat = at + lb;
    const uint8_t *p = w->p + (off - w->lo);
    uint64_t tbit = tat - (at & ~(uint64_t)7);
    *len = (uint32_t)(rd_u64(p) >> (at & 7) & (((uint64_t)1 << lb) - 1));
    if (title_len)
        *title_len = (uint32_t)(rd_u64(p + (tbit >> 3)) >> (tbit & 7) & (((uint64_t)1 << tb) - 1));
    return true;
}

/* segment_norm_at when the window must move first. */
sift_err segment_norm_moving(const struct segment *s, struct norm_window *w, uint32_t doc,
                             uint32_t *len, uint32_t *title_len, sift_errmsg *err);

/* segment_norm through w: inline while the documents stay in the window
 * (a union scores hundreds of thousands of them). */
static inline sift_err segment_norm_at(const struct segment *s, struct norm_window *w, uint32_t doc,
                                       uint32_t *len, uint32_t *title_len, sift_errmsg *err)
{
    if (w->seg == s && norm_window_read(w, doc, len, title_len)) return SIFT_OK;
    return segment_norm_moving(s, w, doc, len, title_len, err);
}

#endif
