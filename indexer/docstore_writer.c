/* docstore_writer.c -- document records in zlib-format blocks (written
 * with libdeflate, which is faster than zlib at the same format).
 *
 * SEC_STORE: a sequence of zlib streams (RFC 1950), one per block. A block
 * holds consecutive documents' records, uncompressed about
 * STORE_BLOCK_TARGET bytes (a larger document gets a block of its own):
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

sift_err docstore_add(struct docstore_writer *w, const char *id, size_t id_len,
                      const char *title, size_t title_len, const char *path, size_t path_len,
                      const char *text, size_t text_len, sift_errmsg *err)
{
    if (w->block.len && w->block.len + text_len > STORE_BLOCK_TARGET) {
        sift_err rc = flush_block(w, err);
        if (rc) return rc;
    }
    struct buf *b = &w->block;
    if (!buf_varint(b, id_len) || !buf_append(b, id, id_len) || !buf_varint(b, title_len) ||
        !buf_append(b, title, title_len) || !buf_varint(b, path_len) ||
        !buf_append(b, path, path_len) || !buf_varint(b, text_len) ||
        !buf_append(b, text, text_len))
        return sift_fail(err, SIFT_ERR_NOMEM, "out of memory in the document store");
    w->ndocs++;
    if (b->len >= STORE_BLOCK_TARGET) return flush_block(w, err);
    return SIFT_OK;
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
    memset(w, 0, sizeof *w);
}
