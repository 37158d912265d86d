/* docstore.c -- reading one document record from the compressed store
 * (layout in indexer/docstore_writer.c). */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <libdeflate.h>

#include "error.h"
#include "index.h"
#include "segment.h"

static sift_err corrupt(const struct segment *s, sift_errmsg *err, const char *why)
{
    return sift_fail(err, SIFT_ERR_CORRUPT, "%s: document store: %s", s->file.path, why);
}

/* deflate expands at most 1032:1, so a larger claimed size is corrupt
 * (and must not become a huge allocation) */
static bool plausible_size(uint64_t ulen, uint64_t clen)
{
    return ulen <= clen * 1032 + 1024;
}

/* The store block holding doc: binary search on first doc. */
static sift_err find_block(const struct segment *s, uint32_t doc, uint32_t *block,
                           sift_errmsg *err)
{
    uint32_t lo = 0, hi = s->nstore_blocks;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        sift_err rc = SIFT_OK;
        const uint8_t *e = segfile_get(&s->file, SEC_STORE_INDEX,
                                       (uint64_t)mid * STORE_INDEX_ENTRY, STORE_INDEX_ENTRY,
                                       &rc, err);
        if (!e) return rc;
        if (rd_u32(e) <= doc) lo = mid + 1;
        else hi = mid;
    }
    if (lo == 0) return corrupt(s, err, "no block for document");
    *block = lo - 1;
    return SIFT_OK;
}

/* Decompress store block b into *buf (grown as needed, *cap its size):
 * *first is its first document, *ulen its size. */
static sift_err inflate_block(const struct segment *s, uint32_t b, char **buf, size_t *cap,
                              uint32_t *first, uint32_t *ulen, sift_errmsg *err)
{
    sift_err rc = SIFT_OK;
    const uint8_t *e = segfile_get(&s->file, SEC_STORE_INDEX, (uint64_t)b * STORE_INDEX_ENTRY,
                                   STORE_INDEX_ENTRY * (b + 1 < s->nstore_blocks ? 2 : 1), &rc, err);
    if (!e) return rc;
    *first = rd_u32(e);
    *ulen = rd_u32(e + 4);
    uint64_t off = rd_u64(e + 8);
    uint64_t end = b + 1 < s->nstore_blocks ? rd_u64(e + 24) : segfile_section_len(&s->file, SEC_STORE);
    if (end < off || !plausible_size(*ulen, end - off))
        return corrupt(s, err, "block offsets or size out of range");
    const uint8_t *z = segfile_get(&s->file, SEC_STORE, off, end - off, &rc, err);
    if (!z) return rc;
    if ((size_t)*ulen + 1 > *cap) {
        char *nb = realloc(*buf, (size_t)*ulen + 1);
        if (!nb) return sift_fail(err, SIFT_ERR_NOMEM, "out of memory");
        *buf = nb;
        *cap = (size_t)*ulen + 1;
    }
    /* libdeflate inflates a whole buffer of known size 2-3x faster than
     * zlib's streaming inflate: snippets wait on it */
    struct libdeflate_decompressor *d = libdeflate_alloc_decompressor();
    if (!d) return sift_fail(err, SIFT_ERR_NOMEM, "out of memory");
    enum libdeflate_result r = libdeflate_zlib_decompress(d, z, (size_t)(end - off), *buf, *ulen, NULL);
    libdeflate_free_decompressor(d);
    if (r != LIBDEFLATE_SUCCESS) return corrupt(s, err, "block does not decompress");
    return SIFT_OK;
}

/* The next record of a block; false when it is truncated. The fields
 * point into the block. */
static bool next_record(struct cursor *c, struct doc_record *r)
{
    memset(r, 0, sizeof *r);
    const char **dst[4] = { &r->id, &r->title, &r->path, &r->text };
    size_t *lens[4] = { &r->id_len, &r->title_len, &r->path_len, &r->text_len };
    for (int k = 0; k < 4; k++) {
        *lens[k] = (size_t)cur_varint(c);
        *dst[k] = (const char *)cur_take(c, *lens[k]);
    }
    return !c->bad;
}

sift_err docstore_get(const struct segment *s, uint32_t doc, struct doc_record *out,
                      sift_errmsg *err)
{
    memset(out, 0, sizeof *out);
    if (doc >= s->doc_count) return corrupt(s, err, "document number out of range");
    uint32_t b = 0, first, ulen;
    char *buf = NULL;
    size_t cap = 0;
    sift_err rc = find_block(s, doc, &b, err);
    if (!rc) rc = inflate_block(s, b, &buf, &cap, &first, &ulen, err);
    if (rc) {
        free(buf);
        return rc;
    }
    struct cursor c = cursor_make((const uint8_t *)buf, ulen);
    struct doc_record r;
    for (uint32_t d = first;; d++) {
        if (!next_record(&c, &r)) {
            free(buf);
            return corrupt(s, err, "record truncated");
        }
        if (d == doc) break;
    }
    /* copy the fields out, each NUL-terminated */
    out->buf = malloc(r.id_len + r.title_len + r.path_len + r.text_len + 4);
    if (!out->buf) {
        free(buf);
        return sift_fail(err, SIFT_ERR_NOMEM, "out of memory");
    }
    char *o = out->buf;
    const char *src[4] = { r.id, r.title, r.path, r.text };
    size_t n[4] = { r.id_len, r.title_len, r.path_len, r.text_len };
    const char **dst[4] = { &out->id, &out->title, &out->path, &out->text };
    size_t *lens[4] = { &out->id_len, &out->title_len, &out->path_len, &out->text_len };
    for (int k = 0; k < 4; k++) {
        if (n[k]) memcpy(o, src[k], n[k]);
        o[n[k]] = 0;
        *dst[k] = o;
        *lens[k] = n[k];
        o += n[k] + 1;
    }
    free(buf);
    return SIFT_OK;
}

void doc_record_free(struct doc_record *r)
{
    free(r->buf);
    memset(r, 0, sizeof *r);
}

sift_err docstore_scan(const struct segment *s, doc_scan_fn fn, void *ctx, sift_errmsg *err)
{
    uint32_t doc = 0;
    char *buf = NULL;
    size_t cap = 0;
    sift_err rc = SIFT_OK;
    for (uint32_t b = 0; b < s->nstore_blocks && !rc; b++) {
        uint32_t first, ulen;
        rc = inflate_block(s, b, &buf, &cap, &first, &ulen, err);
        if (rc) break;
        if (first != doc) {
            rc = corrupt(s, err, "block index out of order");
            break;
        }
        struct cursor c = cursor_make((const uint8_t *)buf, ulen);
        while (c.p < c.end) {
            struct doc_record r;
            if (!next_record(&c, &r) || doc >= s->doc_count) {
                rc = corrupt(s, err, "record truncated or too many records");
                break;
            }
            if (fn(ctx, doc, &r)) {
                free(buf);
                return SIFT_OK;
            }
            doc++;
        }
    }
    if (!rc && doc != s->doc_count) rc = corrupt(s, err, "fewer records than documents");
    free(buf);
    return rc;
}
