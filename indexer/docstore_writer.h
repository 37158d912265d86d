/* docstore_writer.h -- the compressed document store, written while
 * documents arrive. */
#ifndef SIFT_DOCSTORE_WRITER_H
#define SIFT_DOCSTORE_WRITER_H

#include <stdint.h>
#include <stdio.h>

#include <sift/sift.h>

#include "bytes.h"

struct docstore_writer {
    FILE *f;             /* compressed blocks, a temporary file */
    char *path;
    uint64_t offset;     /* bytes written to f */
    struct buf block;    /* uncompressed records of the open block */
    uint32_t block_first;
    uint32_t ndocs;
    struct buf index;    /* STORE_INDEX entries */
    struct buf zbuf;
    struct libdeflate_compressor *zc;   /* made on first use */
    /* the open record */
    uint64_t text_left;
    struct z_stream_s *zs;               /* a large record, deflated as it comes */
    uint64_t record_size, record_offset;
};

sift_err docstore_open(struct docstore_writer *w, const char *tmp_path, sift_errmsg *err);
sift_err docstore_add(struct docstore_writer *w, const char *id, size_t id_len,
                      const char *title, size_t title_len, const char *path, size_t path_len,
                      const char *text, size_t text_len, sift_errmsg *err);
/* The same in pieces: begin with the text's length, then docstore_text
 * calls with exactly that many bytes, then docstore_end. A record of
 * STORE_STREAM_MIN bytes or more is compressed as its text arrives, so it
 * never sits whole in memory. */
sift_err docstore_begin(struct docstore_writer *w, const char *id, size_t id_len,
                        const char *title, size_t title_len, const char *path, size_t path_len,
                        uint64_t text_len, sift_errmsg *err);
sift_err docstore_text(struct docstore_writer *w, const char *text, size_t n, sift_errmsg *err);
sift_err docstore_end(struct docstore_writer *w, sift_errmsg *err);
/* Flush the last block and close the file (which stays for assembly). */
sift_err docstore_finish(struct docstore_writer *w, sift_errmsg *err);
void docstore_discard(struct docstore_writer *w);

#endif
