/* bytes.c -- the growable buffer of bytes.h. */
#include "bytes.h"

#include <stdlib.h>

bool array_reserve(void **p, size_t *cap, size_t n, size_t size)
{
    if (n < *cap) return true;
    size_t c = *cap ? *cap * 2 : 64;
    if (c < *cap || c > SIZE_MAX / size) return false;
    void *q = realloc(*p, c * size);
    if (!q) return false;
    *p = q;
    *cap = c;
    return true;
}

bool buf_reserve(struct buf *b, size_t extra)
{
    if (extra <= b->cap - b->len) return true;
    size_t need = b->len + extra;
    if (need < b->len) return false;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < need) {
        if (cap > SIZE_MAX / 2) { cap = need; break; }
        cap *= 2;
    }
    uint8_t *d = realloc(b->data, cap);
    if (!d) return false;
    b->data = d;
    b->cap = cap;
    return true;
}

bool buf_append(struct buf *b, const void *p, size_t n)
{
    if (!n) return true;
    if (!buf_reserve(b, n)) return false;
    memcpy(b->data + b->len, p, n);
    b->len += n;
    return true;
}

bool buf_varint(struct buf *b, uint64_t v)
{
    if (!buf_reserve(b, 10)) return false;
    b->len += varint_put(b->data + b->len, v);
    return true;
}

bool buf_u32(struct buf *b, uint32_t v)
{
    if (!buf_reserve(b, 4)) return false;
    wr_u32(b->data + b->len, v);
    b->len += 4;
    return true;
}

bool buf_u64(struct buf *b, uint64_t v)
{
    if (!buf_reserve(b, 8)) return false;
    wr_u64(b->data + b->len, v);
    b->len += 8;
    return true;
}

void buf_free(struct buf *b)
{
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}
