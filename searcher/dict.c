/* dict.c -- term look-up: binary search over the first keys of the
 * dictionary blocks, then a scan of one block (layout in
 * indexer/segment_writer.c). */
#include <string.h>

#include "error.h"
#include "index.h"
#include "segment.h"

static int keycmp(const char *a, size_t an, const char *b, size_t bn)
{
    int c = memcmp(a, b, an < bn ? an : bn);
    if (c) return c;
    return an < bn ? -1 : an > bn;
}

static sift_err corrupt(const struct segment *s, sift_errmsg *err, const char *why)
{
    return sift_fail(err, SIFT_ERR_CORRUPT, "%s: dictionary: %s", s->file.path, why);
}

/* First key of block b. */
static sift_err block_key(const struct segment *s, uint32_t b, const char **key, size_t *len,
                          uint64_t *dict_off, sift_errmsg *err)
{
    sift_err rc = SIFT_OK;
    const uint8_t *e = segfile_get(&s->file, SEC_DICT_INDEX, (uint64_t)b * DICT_INDEX_ENTRY,
                                   DICT_INDEX_ENTRY, &rc, err);
    if (!e) return rc;
    *dict_off = rd_u64(e);
    *len = rd_u32(e + 12);
    const uint8_t *k = segfile_get(&s->file, SEC_DICT_KEYS, rd_u32(e + 8), *len, &rc, err);
    if (!k) return rc;
    *key = (const char *)k;
    return SIFT_OK;
}

/* The last block whose first key is <= term, or -1. */
static sift_err find_block(const struct segment *s, const char *term, size_t len, int64_t *out,
                           sift_errmsg *err)
{
    int64_t lo = 0, hi = (int64_t)s->ndict_blocks - 1, best = -1;
    while (lo <= hi) {
        int64_t mid = lo + (hi - lo) / 2;
        const char *key = NULL;
        size_t klen = 0;
        uint64_t off;
        sift_err rc = block_key(s, (uint32_t)mid, &key, &klen, &off, err);
        if (rc) return rc;
        if (keycmp(key, klen, term, len) <= 0) {
            best = mid;
            lo = mid + 1;
        } else {
            hi = mid - 1;
        }
    }
    *out = best;
    return SIFT_OK;
}

struct block_iter {
    struct cursor c;
    uint32_t left;
    char term[256];
    size_t len;
    struct term_info ti;
    uint64_t doc_next, pos_next;
};

static sift_err block_open(const struct segment *s, uint32_t b, struct block_iter *it,
                           sift_errmsg *err)
{
    const char *key;
    size_t klen;
    uint64_t off;
    sift_err rc = block_key(s, b, &key, &klen, &off, err);
    if (rc) return rc;
    uint64_t end = segfile_section_len(&s->file, SEC_DICT);
    if (b + 1 < s->ndict_blocks) {
        const char *k2;
        size_t l2;
        rc = block_key(s, b + 1, &k2, &l2, &end, err);
        if (rc) return rc;
    }
    if (end < off) return corrupt(s, err, "block offsets out of order");
    const uint8_t *p = segfile_get(&s->file, SEC_DICT, off, end - off, &rc, err);
    if (!p) return rc;
    it->c = cursor_make(p, (size_t)(end - off));
    it->doc_next = cur_varint(&it->c);
    it->pos_next = cur_varint(&it->c);
    uint64_t n = cur_varint(&it->c);
    if (it->c.bad || n == 0 || n > DICT_BLOCK_TERMS) return corrupt(s, err, "bad block header");
    it->left = (uint32_t)n;
    it->len = 0;
    return SIFT_OK;
}

/* Decode the next entry; returns 0 at the end of the block. */
static int block_next(const struct segment *s, struct block_iter *it, sift_err *rc,
                      sift_errmsg *err)
{
    if (!it->left) return 0;
    it->left--;
    uint64_t prefix = cur_varint(&it->c), suffix = cur_varint(&it->c);
    if (it->c.bad || prefix > it->len || prefix + suffix >= sizeof it->term) {
        *rc = corrupt(s, err, "bad term entry");
        return 0;
    }
    const uint8_t *sfx = cur_take(&it->c, suffix);
    uint64_t df = cur_varint(&it->c), cfx = cur_varint(&it->c);
    uint64_t doc_len = cur_varint(&it->c), pos_len = cur_varint(&it->c);
    if (it->c.bad || !sfx || df == 0 || df > s->doc_count || cfx > UINT64_MAX - df) {
        *rc = corrupt(s, err, "bad term entry");
        return 0;
    }
    memcpy(it->term + prefix, sfx, suffix);
    it->len = (size_t)(prefix + suffix);
    it->ti = (struct term_info){ (uint32_t)df, df + cfx, it->doc_next, doc_len, it->pos_next,
                                 pos_len };
    it->doc_next += doc_len;
    it->pos_next += pos_len;
    return 1;
}

sift_err dict_lookup(const struct segment *s, const char *term, size_t len,
                     struct term_info *out, bool *found, sift_errmsg *err)
{
    *found = false;
    int64_t b;
    sift_err rc = find_block(s, term, len, &b, err);
    if (rc || b < 0) return rc;
    struct block_iter it;
    rc = block_open(s, (uint32_t)b, &it, err);
    if (rc) return rc;
    while (block_next(s, &it, &rc, err)) {
        int c = keycmp(it.term, it.len, term, len);
        if (c == 0) {
            *out = it.ti;
            *found = true;
            return SIFT_OK;
        }
        if (c > 0) break;
    }
    return rc;
}

sift_err dict_scan_prefix(const struct segment *s, const char *prefix, size_t len, dict_fn fn,
                          void *ctx, sift_errmsg *err)
{
    int64_t b;
    sift_err rc = find_block(s, prefix, len, &b, err);
    if (rc) return rc;
    if (b < 0) b = 0;
    for (uint32_t blk = (uint32_t)b; blk < s->ndict_blocks; blk++) {
        struct block_iter it;
        rc = block_open(s, blk, &it, err);
        if (rc) return rc;
        while (block_next(s, &it, &rc, err)) {
            int c = memcmp(it.term, prefix, it.len < len ? it.len : len);
            if (c < 0 || (c == 0 && it.len < len)) continue;
            if (c > 0) return SIFT_OK;
            if (fn(ctx, it.term, it.len, &it.ti)) return SIFT_OK;
        }
        if (rc) return rc;
    }
    return SIFT_OK;
}
