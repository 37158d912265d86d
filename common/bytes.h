/* bytes.h -- little-endian integers, varints and a growable byte buffer.
 *
 * Every on-disk integer in sift is little-endian. Varints are LEB128: 7 bits
 * a byte, low bits first, high bit set on every byte but the last; a u64
 * takes at most 10 bytes.
 *
 * Readers go through struct cursor, which never reads past its end: a
 * truncated or corrupt varint sets cursor.bad instead of reading on.
 */
#ifndef SIFT_BYTES_H
#define SIFT_BYTES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

static inline uint16_t rd_u16(const uint8_t *p)
{
    return (uint16_t)(p[0] | p[1] << 8);
}
static inline void wr_u16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}
static inline uint32_t rd_u32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}
static inline uint64_t rd_u64(const uint8_t *p)
{
    return (uint64_t)rd_u32(p) | (uint64_t)rd_u32(p + 4) << 32;
}
static inline void wr_u32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); p[2] = (uint8_t)(v >> 16); p[3] = (uint8_t)(v >> 24);
}
static inline void wr_u64(uint8_t *p, uint64_t v)
{
    wr_u32(p, (uint32_t)v);
    wr_u32(p + 4, (uint32_t)(v >> 32));
}

/* Bits needed for v: 0 for 0, else the position of its top bit + 1. */
static inline unsigned bits_needed(uint32_t v)
{
    return v ? 32u - (unsigned)__builtin_clz(v) : 0;
}

/* Bit streams, little-endian, least significant bit first: value i of
 * width w at bit i*w (document lengths, skip tables). */

/* OR the low w (<= 64) bits of v into the stream at bit `at` (zeroed first). */
static inline void wr_bits(uint8_t *p, uint64_t at, uint64_t v, unsigned w)
{
    while (w) {
        unsigned shift = (unsigned)(at & 7), take = 8 - shift < w ? 8 - shift : w;
        p[at >> 3] |= (uint8_t)((v & ((1u << take) - 1)) << shift);
        v >>= take;
        at += take;
        w -= take;
    }
}

/* The w-bit (w <= 32) value at bit `at` of the n-byte stream p: one 8-byte
 * load, or byte by byte within 8 bytes of the end. */
static inline uint32_t rd_bits(const uint8_t *p, size_t n, uint64_t at, unsigned w)
{
    size_t i = (size_t)(at >> 3);
    uint64_t v = 0;
    if (i + 8 <= n)
        v = rd_u64(p + i);
    else
        for (size_t k = 0; i + k < n; k++) v |= (uint64_t)p[i + k] << (8 * k);
    return (uint32_t)((v >> (at & 7)) & (((uint64_t)1 << w) - 1));
}

/* Encode v at p (room for 10 bytes needed); returns bytes written. */
static inline size_t varint_put(uint8_t *p, uint64_t v)
{
    size_t n = 0;
    while (v >= 0x80) {
        p[n++] = (uint8_t)(v | 0x80);
        v >>= 7;
    }
    p[n++] = (uint8_t)v;
    return n;
}

static inline size_t varint_size(uint64_t v)
{
    size_t n = 1;
    while (v >= 0x80) { v >>= 7; n++; }
    return n;
}

/* A bounded reader. */
struct cursor {
    const uint8_t *p;
    const uint8_t *end;
    bool bad;          /* set once a read would have gone past end */
};

static inline struct cursor cursor_make(const uint8_t *p, size_t n)
{
    struct cursor c = { p, p + n, false };
    return c;
}

static inline uint64_t cur_varint(struct cursor *c)
{
    if (c->p < c->end && *c->p < 0x80) return *c->p++;   /* the usual one byte */
    uint64_t v = 0;
    for (unsigned shift = 0; shift < 64; shift += 7) {
        if (c->p >= c->end) { c->bad = true; return 0; }
        uint8_t b = *c->p++;
        v |= (uint64_t)(b & 0x7f) << shift;
        if (!(b & 0x80)) return v;
    }
    c->bad = true;
    return 0;
}

/* Past the next varint without its value. */
static inline void cur_skip_varint(struct cursor *c)
{
    while (c->p < c->end && *c->p & 0x80) c->p++;
    if (c->p < c->end) c->p++;
    else c->bad = true;
}

/* A pointer to the next n bytes, or NULL (and bad) when fewer remain. */
static inline const uint8_t *cur_take(struct cursor *c, uint64_t n)
{
    if (c->bad || n > (uint64_t)(c->end - c->p)) { c->bad = true; return NULL; }
    const uint8_t *r = c->p;
    c->p += n;
    return r;
}

/* A growable byte buffer. All appends report allocation failure. */
struct buf {
    uint8_t *data;
    size_t len;
    size_t cap;
};

bool buf_reserve(struct buf *b, size_t extra);

/* Room in the array *p (of *cap elements of `size` bytes, n in use) for
 * one more: doubled (from 64) when full. false when memory is short, the
 * array as it was. */
bool array_reserve(void **p, size_t *cap, size_t n, size_t size);
bool buf_append(struct buf *b, const void *p, size_t n);
bool buf_varint(struct buf *b, uint64_t v);
bool buf_u32(struct buf *b, uint32_t v);
bool buf_u64(struct buf *b, uint64_t v);
void buf_free(struct buf *b);

#endif
