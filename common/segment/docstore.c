/* docstore.c -- the compressed document store both ways: records in
 * zlib-format blocks, written with libdeflate (faster than zlib at the
 * same format) and read with it.
 *
 * SEC_STORE: a sequence of zlib streams (RFC 1950), one per block. A block
 * holds consecutive documents' records, uncompressed about
 * STORE_BLOCK_TARGET bytes (a larger document gets a block of its own;
 * from STORE_STREAM_MIN bytes on, zlib deflates it as it is read, which
 * writes the same format):
 *   varint id length, id bytes, varint title length, title bytes,
 *   varint path length, path bytes, varint fields length, fields bytes,
 *   varint text length, text bytes
 * The fields bytes are the document's typed field values as given (so a
 * merge re-reads them as a fresh build would): varint value count, then
 * per value varint name length, the name, varint value length, the value.
 * SEC_STORE_INDEX: per block, 16 bytes:
 *   u32 first doc, u32 uncompressed size, u64 offset of the block in
 *   SEC_STORE (its compressed size is the distance to the next offset or
 *   to the end of the section).
 */
#include "docstore.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <libdeflate.h>
#include <zlib.h>

#include "error.h"

/* ------------------------------------------------------------- writing */

#define STORE_LEVEL 1   /* deflate's fastest: the store is read only for snippets */

static sift_err io_fail(struct docstore_writer *w, sift_errmsg *err)
{
    return sift_fail_errno(err, errno, "%s: write", w->path);
}

sift_err docstore_writer_open(struct docstore_writer *w, const char *tmp_path, sift_errmsg *err)
{
    memset(w, 0, sizeof *w);
    w->path = strdup(tmp_path);
    if (!w->path) return sift_fail(err, SIFT_ERR_NOMEM, "out of memory");
    w->f = fopen(tmp_path, "w+b");
    if (!w->f) {
        sift_err rc = io_fail(w, err);
        free(w->path);
        w->path = NULL;
        return rc;
    }
    setvbuf(w->f, NULL, _IOFBF, 1 << 20);
    return SIFT_OK;
}

static sift_err flush_block(struct docstore_writer *w, sift_errmsg *err)
{
    if (!w->block.len) return SIFT_OK;
    if (!w->zc && !(w->zc = libdeflate_alloc_compressor(STORE_LEVEL)))
        return sift_fail(err, SIFT_ERR_NOMEM, "out of memory compressing the document store");
    size_t zlen = libdeflate_zlib_compress_bound(w->zc, w->block.len);
    w->zbuf.len = 0;
    if (w->block.len > UINT32_MAX || !buf_reserve(&w->zbuf, zlen))
        return sift_fail(err, SIFT_ERR_NOMEM, "out of memory compressing the document store");
    zlen = libdeflate_zlib_compress(w->zc, w->block.data, w->block.len, w->zbuf.data, zlen);
    if (!zlen) return sift_fail(err, SIFT_ERR_NOMEM, "libdeflate failed compressing the document store");
    if (!buf_u32(&w->index, w->block_first) || !buf_u32(&w->index, (uint32_t)w->block.len) ||
        !buf_u64(&w->index, w->offset))
        return sift_fail(err, SIFT_ERR_NOMEM, "out of memory");
    if (fwrite(w->zbuf.data, 1, zlen, w->f) != zlen) return io_fail(w, err);
    w->offset += zlen;
    w->block.len = 0;
    w->block_first = w->ndocs;
    return SIFT_OK;
}

static sift_err zfail(sift_errmsg *err)
{
    return sift_fail(err, SIFT_ERR_NOMEM, "zlib failed compressing the document store");
}

/* Run deflate over the input given, writing its output to the file. */
static sift_err deflate_out(struct docstore_writer *w, int flush, sift_errmsg *err)
{
    uint8_t out[1 << 16];
    int zrc;
    do {
        w->zs->next_out = out;
        w->zs->avail_out = sizeof out;
        zrc = deflate(w->zs, flush);
        if (zrc == Z_STREAM_ERROR) return zfail(err);
        size_t n = sizeof out - w->zs->avail_out;
        if (fwrite(out, 1, n, w->f) != n) return io_fail(w, err);
        w->offset += n;
    } while (w->zs->avail_out == 0 || (flush == Z_FINISH && zrc != Z_STREAM_END));
    return SIFT_OK;
}

static sift_err stream_bytes(struct docstore_writer *w, const void *p, size_t n, sift_errmsg *err)
{
    while (n) {
        uInt k = n > (1u << 30) ? (1u << 30) : (uInt)n;
        w->zs->next_in = (Bytef *)(uintptr_t)p;
        w->zs->avail_in = k;
        sift_err rc = deflate_out(w, Z_NO_FLUSH, err);
        if (rc) return rc;
        p = (const uint8_t *)p + k;
        n -= k;
    }
    return SIFT_OK;
}

sift_err docstore_writer_begin(struct docstore_writer *w, const char *id, size_t id_len,
                        const char *title, size_t title_len, const char *path, size_t path_len,
                        const char *fields, size_t fields_len,
                        uint64_t text_len, sift_errmsg *err)
{
    uint64_t record = varint_size(id_len) + id_len + varint_size(title_len) + title_len +
                      varint_size(path_len) + path_len + varint_size(fields_len) + fields_len +
                      varint_size(text_len) + text_len;
    if (record > UINT32_MAX)
        return sift_fail(err, SIFT_ERR_INVALID, "document of %llu bytes: the limit is 4 GiB",
                         (unsigned long long)text_len);
    /* the reader tells a streamed block by its size: every other block
     * stays below STORE_STREAM_MIN (a record over the target starts one) */
    bool large = record >= STORE_STREAM_MIN;
    if (w->block.len && (large || w->block.len + record > STORE_BLOCK_TARGET)) {
        sift_err rc = flush_block(w, err);
        if (rc) return rc;
    }
    struct buf *b = &w->block;
    if (!buf_varint(b, id_len) || !buf_append(b, id, id_len) || !buf_varint(b, title_len) ||
        !buf_append(b, title, title_len) || !buf_varint(b, path_len) ||
        !buf_append(b, path, path_len) || !buf_varint(b, fields_len) ||
        !buf_append(b, fields, fields_len) || !buf_varint(b, text_len))
        return sift_fail(err, SIFT_ERR_NOMEM, "out of memory in the document store");
    w->text_left = text_len;
    if (!large) return SIFT_OK;
    w->record_size = record;
    w->record_offset = w->offset;
    w->zs = calloc(1, sizeof *w->zs);
    if (!w->zs) return sift_fail(err, SIFT_ERR_NOMEM, "out of memory");
    if (deflateInit(w->zs, STORE_LEVEL) != Z_OK) {
        free(w->zs);
        w->zs = NULL;
        return zfail(err);
    }
    sift_err rc = stream_bytes(w, b->data, b->len, err);
    b->len = 0;
    return rc;
}

sift_err docstore_writer_text(struct docstore_writer *w, const char *text, size_t n, sift_errmsg *err)
{
    if (n > w->text_left) return sift_fail(err, SIFT_ERR_INVALID, "more text than announced");
    w->text_left -= n;
    if (w->zs) return stream_bytes(w, text, n, err);
    if (!buf_append(&w->block, text, n))
        return sift_fail(err, SIFT_ERR_NOMEM, "out of memory in the document store");
    return SIFT_OK;
}

sift_err docstore_writer_end(struct docstore_writer *w, sift_errmsg *err)
{
    if (w->text_left) return sift_fail(err, SIFT_ERR_INVALID, "less text than announced");
    if (!w->zs) {
        w->ndocs++;
        return w->block.len >= STORE_BLOCK_TARGET ? flush_block(w, err) : SIFT_OK;
    }
    sift_err rc = deflate_out(w, Z_FINISH, err);
    deflateEnd(w->zs);
    free(w->zs);
    w->zs = NULL;
    if (rc) return rc;
    if (!buf_u32(&w->index, w->ndocs) || !buf_u32(&w->index, (uint32_t)w->record_size) ||
        !buf_u64(&w->index, w->record_offset))
        return sift_fail(err, SIFT_ERR_NOMEM, "out of memory");
    w->ndocs++;
    w->block_first = w->ndocs;
    return SIFT_OK;
}

sift_err docstore_writer_finish(struct docstore_writer *w, sift_errmsg *err)
{
    sift_err rc = flush_block(w, err);
    if (!rc && fflush(w->f) != 0) rc = io_fail(w, err);
    buf_free(&w->block);
    buf_free(&w->zbuf);
    libdeflate_free_compressor(w->zc);
    w->zc = NULL;
    return rc;
}

void docstore_writer_discard(struct docstore_writer *w)
{
    if (w->f) fclose(w->f);
    if (w->path) remove(w->path);
    free(w->path);
    buf_free(&w->block);
    buf_free(&w->zbuf);
    buf_free(&w->index);
    libdeflate_free_compressor(w->zc);
    if (w->zs) {
        deflateEnd(w->zs);
        free(w->zs);
    }
    memset(w, 0, sizeof *w);
}

/* ------------------------------------------------------------- fields */

bool doc_fields_add(struct buf *b, const char *name, const char *value, size_t value_len)
{
    size_t n = strlen(name);
    return buf_varint(b, n) && buf_append(b, name, n) && buf_varint(b, value_len) &&
           buf_append(b, value, value_len);
}

bool doc_fields_next(struct doc_fields *f, const char **name, size_t *name_len, const char **value,
                     size_t *value_len)
{
    if (!f->left || f->c.bad) return false;
    f->left--;
    *name_len = (size_t)cur_varint(&f->c);
    *name = (const char *)cur_take(&f->c, *name_len);
    *value_len = (size_t)cur_varint(&f->c);
    *value = (const char *)cur_take(&f->c, *value_len);
    return !f->c.bad;
}

struct doc_fields doc_fields_of(const struct doc_record *r)
{
    struct doc_fields f = { cursor_make((const uint8_t *)r->fields, r->fields_len), 0 };
    if (r->fields_len) f.left = cur_varint(&f.c);
    return f;
}

/* ------------------------------------------------------------- reading */

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

/* Store block b: its first document, uncompressed size and compressed
 * bytes (page checksums verified). */
static sift_err block_at(const struct segment *s, uint32_t b, uint32_t *first, uint32_t *ulen,
                         const uint8_t **z, uint64_t *zlen, sift_errmsg *err)
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
    *zlen = end - off;
    *z = segfile_get(&s->file, SEC_STORE, off, *zlen, &rc, err);
    return *z ? SIFT_OK : rc;
}

/* Decompress a block of ulen bytes into *buf (grown as needed, *cap its
 * size). */
static sift_err inflate_block(const struct segment *s, const uint8_t *z, uint64_t zlen,
                              uint32_t ulen, char **buf, size_t *cap, sift_errmsg *err)
{
    if ((size_t)ulen + 1 > *cap) {
        char *nb = realloc(*buf, (size_t)ulen + 1);
        if (!nb) return sift_fail(err, SIFT_ERR_NOMEM, "out of memory");
        *buf = nb;
        *cap = (size_t)ulen + 1;
    }
    /* libdeflate inflates a whole buffer of known size 2-3x faster than
     * zlib's streaming inflate: snippets wait on it */
    struct libdeflate_decompressor *d = libdeflate_alloc_decompressor();
    if (!d) return sift_fail(err, SIFT_ERR_NOMEM, "out of memory");
    enum libdeflate_result r = libdeflate_zlib_decompress(d, z, (size_t)zlen, *buf, ulen, NULL);
    libdeflate_free_decompressor(d);
    if (r != LIBDEFLATE_SUCCESS) return corrupt(s, err, "block does not decompress");
    return SIFT_OK;
}

/* The fields of a record before its text, and the text's length. */
static void read_head(struct cursor *c, struct doc_record *r)
{
    memset(r, 0, sizeof *r);
    const char **dst[4] = { &r->id, &r->title, &r->path, &r->fields };
    size_t *lens[4] = { &r->id_len, &r->title_len, &r->path_len, &r->fields_len };
    for (int k = 0; k < 4; k++) {
        *lens[k] = (size_t)cur_varint(c);
        *dst[k] = (const char *)cur_take(c, *lens[k]);
    }
    r->text_len = (size_t)cur_varint(c);
}

/* The next record of a block; false when it is truncated. The fields
 * point into the block. */
static bool next_record(struct cursor *c, struct doc_record *r)
{
    read_head(c, r);
    r->text = (const char *)cur_take(c, r->text_len);
    return !c->bad;
}

/* Put r's first n parts (id, title, path, fields, text) at o, each
 * followed by a NUL, and point out's at them; returns the byte after. The
 * parts may already lie in o's buffer, further on (memmove). */
static char *place_fields(char *o, const struct doc_record *r, int n, struct doc_record *out)
{
    const char *src[5] = { r->id, r->title, r->path, r->fields, r->text };
    size_t len[5] = { r->id_len, r->title_len, r->path_len, r->fields_len, r->text_len };
    const char **dst[5] = { &out->id, &out->title, &out->path, &out->fields, &out->text };
    size_t *lens[5] = { &out->id_len, &out->title_len, &out->path_len, &out->fields_len, &out->text_len };
    for (int k = 0; k < n; k++) {
        if (len[k]) memmove(o, src[k], len[k]);
        o[len[k]] = 0;
        *dst[k] = o;
        *lens[k] = len[k];
        o += len[k] + 1;
    }
    return o;
}

void doc_record_free(struct doc_record *r)
{
    free(r->buf);
    memset(r, 0, sizeof *r);
}

/* ------------------------------------------------------ large records */

/* A record of STORE_STREAM_MIN bytes or more has a block of its own and
 * is inflated as it is read, never whole: a merge re-indexes it in
 * pieces, and a hit's title or snippet needs only its beginning. */
struct record_stream {
    z_stream z;
    bool bad;            /* the stream is corrupt or ended early */
    char *head;          /* the inflated header and the text's start */
    char *pending;       /* ... that part of the text, not yet read */
    size_t npending;
    uint64_t text_left;
};

/* The fields of a record before its text; false when [p, p+n) does not
 * hold them all. */
static bool parse_head(const char *p, size_t n, struct doc_record *r, size_t *head_len)
{
    struct cursor c = cursor_make((const uint8_t *)p, n);
    read_head(&c, r);
    *head_len = (size_t)(c.p - (const uint8_t *)p);
    return !c.bad;
}

static long long stream_read(void *ctx, char *buf, size_t cap)
{
    struct record_stream *rs = ctx;
    if (cap > rs->text_left) cap = (size_t)rs->text_left;
    size_t got = rs->npending < cap ? rs->npending : cap;
    memcpy(buf, rs->pending, got);
    rs->pending += got;
    rs->npending -= got;
    while (got < cap && !rs->bad) {
        size_t want = cap - got < (1u << 30) ? cap - got : (1u << 30);
        rs->z.next_out = (Bytef *)buf + got;
        rs->z.avail_out = (uInt)want;
        int zrc = inflate(&rs->z, Z_NO_FLUSH);
        got += want - rs->z.avail_out;
        if ((zrc == Z_STREAM_END && got < cap) || (zrc != Z_OK && zrc != Z_STREAM_END)) rs->bad = true;
    }
    rs->text_left -= got;
    return rs->bad ? -1 : (long long)got;
}

static void stream_close(struct record_stream *rs)
{
    inflateEnd(&rs->z);
    free(rs->head);
}

/* Start inflating block b (ulen bytes, one record): *r gets the fields
 * before the text (pointing into rs->head) and its text's length; the
 * text is then read with stream_read. */
static sift_err stream_open(const struct segment *s, const uint8_t *z, uint64_t zlen, uint32_t ulen,
                            struct record_stream *rs, struct doc_record *r, sift_errmsg *err)
{
    memset(rs, 0, sizeof *rs);
    if (inflateInit(&rs->z) != Z_OK) return sift_fail(err, SIFT_ERR_NOMEM, "out of memory");
    rs->z.next_in = (Bytef *)(uintptr_t)z;
    rs->z.avail_in = (uInt)(zlen < UINT32_MAX ? zlen : UINT32_MAX);
    size_t cap = 1u << 16, len = 0, head_len = 0;
    sift_err rc = SIFT_OK;
    while (!rc) {
        char *nh = realloc(rs->head, cap);
        if (!nh) {
            rc = sift_fail(err, SIFT_ERR_NOMEM, "out of memory");
            break;
        }
        rs->head = nh;
        rs->z.next_out = (Bytef *)rs->head + len;
        rs->z.avail_out = (uInt)(cap - len);
        int zrc = inflate(&rs->z, Z_NO_FLUSH);
        len = cap - rs->z.avail_out;
        if (zrc != Z_OK && zrc != Z_STREAM_END) rc = corrupt(s, err, "block does not decompress");
        else if (parse_head(rs->head, len, r, &head_len)) break;
        else if (zrc == Z_STREAM_END || cap > ulen) rc = corrupt(s, err, "record truncated");
        else cap *= 2;   /* a long title: more room */
    }
    if (!rc) {
        rs->pending = rs->head + head_len;
        rs->npending = len - head_len;
        rs->text_left = r->text_len;
        if (head_len + r->text_len != ulen || rs->npending > rs->text_left)
            rc = corrupt(s, err, "record size differs from its block's");
    }
    if (rc) stream_close(rs);
    return rc;
}

/* Read what is left of the text and check that the stream ends there. */
static bool stream_finish(struct record_stream *rs)
{
    char sink[1 << 14], extra;
    while (!rs->bad && rs->text_left) stream_read(rs, sink, sizeof sink);
    rs->z.next_out = (Bytef *)&extra;
    rs->z.avail_out = 1;
    return !rs->bad && inflate(&rs->z, Z_FINISH) == Z_STREAM_END && rs->z.avail_out == 1;
}

/* docstore_get for a large record: the text up to max_text bytes. */
static sift_err get_large(const struct segment *s, const uint8_t *z, uint64_t zlen, uint32_t ulen,
                          size_t max_text, struct doc_record *out, sift_errmsg *err)
{
    struct record_stream rs;
    struct doc_record r;
    sift_err rc = stream_open(s, z, zlen, ulen, &rs, &r, err);
    if (rc) return rc;
    size_t text = r.text_len < max_text ? r.text_len : max_text;
    out->buf = malloc(r.id_len + r.title_len + r.path_len + r.fields_len + text + 5);
    if (!out->buf) rc = sift_fail(err, SIFT_ERR_NOMEM, "out of memory");
    char *o = rc ? NULL : place_fields(out->buf, &r, 4, out);
    if (!rc && stream_read(&rs, o, text) != (long long)text) rc = corrupt(s, err, "large record does not decompress");
    if (!rc) {
        o[text] = 0;
        out->text = o;
        out->text_len = text;
        out->text_cut = text < r.text_len;
    }
    stream_close(&rs);
    if (rc) doc_record_free(out);
    return rc;
}

/* ------------------------------------------------------------- reading */

void store_cache_free(struct store_cache *c)
{
    free(c->buf);
    memset(c, 0, sizeof *c);
}

/* Block b of s inflated in cache (already there when it was the last). */
static sift_err cached_block(const struct segment *s, uint32_t b, const uint8_t *z, uint64_t zlen,
                             uint32_t ulen, struct store_cache *cache, sift_errmsg *err)
{
    if (cache->seg == s && cache->block == b) return SIFT_OK;
    cache->seg = NULL;
    sift_err rc = inflate_block(s, z, zlen, ulen, &cache->buf, &cache->cap, err);
    if (rc) return rc;
    cache->seg = s;
    cache->block = b;
    return SIFT_OK;
}

/* Record doc of the small block first.. inflated in buf[0..ulen), copied
 * into out with every part NUL-terminated. */
static sift_err copy_record(const struct segment *s, const char *buf, uint32_t ulen, uint32_t first,
                            uint32_t doc, size_t max_text, struct doc_record *out, sift_errmsg *err)
{
    struct cursor c = cursor_make((const uint8_t *)buf, ulen);
    struct doc_record r;
    for (uint32_t d = first;; d++) {
        if (!next_record(&c, &r)) return corrupt(s, err, "record truncated");
        if (d == doc) break;
    }
    if (r.text_len > max_text) {
        r.text_len = max_text;
        out->text_cut = true;
    }
    out->buf = malloc(r.id_len + r.title_len + r.path_len + r.fields_len + r.text_len + 5);
    if (!out->buf) return sift_fail(err, SIFT_ERR_NOMEM, "out of memory");
    place_fields(out->buf, &r, 5, out);
    return SIFT_OK;
}

sift_err docstore_get(const struct segment *s, uint32_t doc, size_t max_text,
                      struct store_cache *cache, struct doc_record *out, sift_errmsg *err)
{
    memset(out, 0, sizeof *out);
    if (doc >= s->doc_count) return corrupt(s, err, "document number out of range");
    uint32_t b = 0, first, ulen;
    const uint8_t *z;
    uint64_t zlen;
    sift_err rc = find_block(s, doc, &b, err);
    if (!rc) rc = block_at(s, b, &first, &ulen, &z, &zlen, err);
    if (rc) return rc;
    if (ulen >= STORE_STREAM_MIN) {
        if (first != doc) return corrupt(s, err, "large block holds another document");
        return get_large(s, z, zlen, ulen, max_text, out, err);
    }
    struct store_cache one = { 0 };
    struct store_cache *c = cache ? cache : &one;
    rc = cached_block(s, b, z, zlen, ulen, c, err);
    if (!rc) rc = copy_record(s, c->buf, ulen, first, doc, max_text, out, err);
    store_cache_free(&one);
    if (rc) doc_record_free(out);
    return rc;
}

/* Hand large block b to fn with its text as a stream, then check that
 * the block held exactly that record. */
static sift_err scan_large(const struct segment *s, const uint8_t *z, uint64_t zlen, uint32_t ulen,
                           uint32_t doc, doc_scan_fn fn, void *ctx, bool *stop, sift_errmsg *err)
{
    struct record_stream rs;
    struct doc_record r;
    sift_err rc = stream_open(s, z, zlen, ulen, &rs, &r, err);
    if (rc) return rc;
    r.text = NULL;
    r.read = stream_read;
    r.read_ctx = &rs;
    *stop = fn(ctx, doc, &r) != 0;
    if (!stream_finish(&rs)) rc = corrupt(s, err, "large record does not decompress to its size");
    stream_close(&rs);
    return rc;
}

sift_err docstore_scan(const struct segment *s, doc_scan_fn fn, void *ctx, sift_errmsg *err)
{
    uint32_t doc = 0;
    char *buf = NULL;
    size_t cap = 0;
    sift_err rc = SIFT_OK;
    for (uint32_t b = 0; b < s->nstore_blocks && !rc; b++) {
        uint32_t first, ulen;
        const uint8_t *z;
        uint64_t zlen;
        rc = block_at(s, b, &first, &ulen, &z, &zlen, err);
        if (!rc && first != doc) rc = corrupt(s, err, "block index out of order");
        if (!rc && ulen >= STORE_STREAM_MIN) {
            bool stop = false;
            if (doc >= s->doc_count) rc = corrupt(s, err, "more records than documents");
            else rc = scan_large(s, z, zlen, ulen, doc, fn, ctx, &stop, err);
            doc++;
            if (stop && !rc) {
                free(buf);
                return SIFT_OK;
            }
            continue;
        }
        if (!rc) rc = inflate_block(s, z, zlen, ulen, &buf, &cap, err);
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
