/* docstore_writer.c -- document records in zlib-format blocks (written
 * with libdeflate, which is faster than zlib at the same format).
 *
 * SEC_STORE: a sequence of zlib streams (RFC 1950), one per block. A block
 * holds consecutive documents' records, uncompressed about
 * STORE_BLOCK_TARGET bytes (a larger document gets a block of its own;
 * from STORE_STREAM_MIN bytes on, zlib deflates it as it is read, which
 * writes the same format):
 *   varint id length, id bytes, varint title length, title bytes,
 *   varint path length, path bytes, varint text length, text bytes
 * SEC_STORE_INDEX: per block, 16 bytes:
 *   u32 first doc, u32 uncompressed size, u64 offset of the block in
 *   SEC_STORE (its compressed size is the distance to the next offset or
 *   to the end of the section).
 */
#include "docstore_writer.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <libdeflate.h>
#include <zlib.h>

#include "error.h"
#include "segment.h"

#define STORE_LEVEL 1   /* deflate's fastest: the store is read only for snippets */

static sift_err io_fail(struct docstore_writer *w, sift_errmsg *err)
{
    int e = errno;
    return sift_fail(err, (e == ENOSPC || e == EDQUOT || e == EFBIG) ? SIFT_ERR_NOSPACE : SIFT_ERR_IO,
                     "%s: write: %s", w->path, strerror(e));
}

sift_err docstore_open(struct docstore_writer *w, const char *tmp_path, sift_errmsg *err)
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

sift_err docstore_begin(struct docstore_writer *w, const char *id, size_t id_len,
                        const char *title, size_t title_len, const char *path, size_t path_len,
                        uint64_t text_len, sift_errmsg *err)
{
    uint64_t record = varint_size(id_len) + id_len + varint_size(title_len) + title_len +
                      varint_size(path_len) + path_len + varint_size(text_len) + text_len;
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
        !buf_append(b, path, path_len) || !buf_varint(b, text_len))
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

sift_err docstore_text(struct docstore_writer *w, const char *text, size_t n, sift_errmsg *err)
{
    if (n > w->text_left) return sift_fail(err, SIFT_ERR_INVALID, "more text than announced");
    w->text_left -= n;
    if (w->zs) return stream_bytes(w, text, n, err);
    if (!buf_append(&w->block, text, n))
        return sift_fail(err, SIFT_ERR_NOMEM, "out of memory in the document store");
    return SIFT_OK;
}

sift_err docstore_end(struct docstore_writer *w, sift_errmsg *err)
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

sift_err docstore_add(struct docstore_writer *w, const char *id, size_t id_len,
                      const char *title, size_t title_len, const char *path, size_t path_len,
                      const char *text, size_t text_len, sift_errmsg *err)
{
    sift_err rc = docstore_begin(w, id, id_len, title, title_len, path, path_len, text_len, err);
    if (!rc) rc = docstore_text(w, text, text_len, err);
    if (!rc) rc = docstore_end(w, err);
    return rc;
}

sift_err docstore_finish(struct docstore_writer *w, sift_errmsg *err)
{
    sift_err rc = flush_block(w, err);
    if (!rc && fflush(w->f) != 0) rc = io_fail(w, err);
    buf_free(&w->block);
    buf_free(&w->zbuf);
    libdeflate_free_compressor(w->zc);
    w->zc = NULL;
    return rc;
}

void docstore_discard(struct docstore_writer *w)
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
