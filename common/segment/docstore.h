/* docstore.h -- the compressed document store (SEC_STORE_INDEX, SEC_STORE;
 * layout in docstore.c): records written while documents arrive, read back
 * one at a time for hits and snippets, or all in order for merges and
 * checks. */
#ifndef SIFT_DOCSTORE_H
#define SIFT_DOCSTORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <sift/sift.h>

#include "bytes.h"
#include "segment.h"

#define STORE_INDEX_ENTRY 16
#define STORE_BLOCK_TARGET (32 * 1024)
/* A record this large is deflated and inflated as a stream, never whole. */
#define STORE_STREAM_MIN (1u << 20)

/* ------------------------------------------------------------- writing */

struct docstore_writer {
    FILE *f;             /* compressed blocks, a temporary file */
    char *path;
    uint64_t offset;     /* bytes written to f */
    struct buf block;    /* uncompressed records of the open block */
    uint32_t block_first;
    uint32_t ndocs;
    struct buf index;    /* SEC_STORE_INDEX entries */
    struct buf zbuf;
    struct libdeflate_compressor *zc;   /* made on first use */
    /* the open record */
    uint64_t text_left;
    struct z_stream_s *zs;               /* a large record, deflated as it comes */
    uint64_t record_size, record_offset;
};

sift_err docstore_writer_open(struct docstore_writer *w, const char *tmp_path, sift_errmsg *err);
/* A record in pieces: begin with the text's length, then docstore_writer_text
 * calls with exactly that many bytes, then docstore_writer_end. A record
 * of STORE_STREAM_MIN bytes or more is compressed as its text arrives, so
 * it never sits whole in memory. SIFT_ERR_INVALID from begin (a record
 * over 4 GiB) leaves the writer usable; other errors do not. */
sift_err docstore_writer_begin(struct docstore_writer *w, const char *id, size_t id_len,
                               const char *title, size_t title_len, const char *path,
                               size_t path_len, const char *fields, size_t fields_len,
                               uint64_t text_len, sift_errmsg *err);
sift_err docstore_writer_text(struct docstore_writer *w, const char *text, size_t n,
                              sift_errmsg *err);
sift_err docstore_writer_end(struct docstore_writer *w, sift_errmsg *err);
/* Flush the last block; the file stays for the segment's assembly. */
sift_err docstore_writer_finish(struct docstore_writer *w, sift_errmsg *err);
/* Close and remove the file. */
void docstore_writer_discard(struct docstore_writer *w);

/* ------------------------------------------------------------- reading */

struct doc_record {
    char *buf;                   /* owns the strings below */
    const char *id, *title, *path, *text;
    size_t id_len, title_len, path_len, text_len;
    const char *fields;          /* the typed values as given (docstore.c), fields_len bytes */
    size_t fields_len;
    bool text_cut;               /* docstore_get: text is the first max_text bytes */
    /* docstore_scan only, for a record of STORE_STREAM_MIN bytes or more:
     * text is NULL and `read` gives it in pieces */
    long long (*read)(void *ctx, char *buf, size_t cap);
    void *read_ctx;
};

/* A record's typed field values: the bytes docstore_writer_begin takes are
 * a varint count of values (written by the caller first), then
 * doc_fields_add for each. */
bool doc_fields_add(struct buf *b, const char *name, const char *value, size_t value_len);
struct doc_fields {
    struct cursor c;
    uint64_t left;
};
struct doc_fields doc_fields_of(const struct doc_record *r);
/* The next (name, value) of the record; false at the end, or on damaged
 * bytes (then f->c.bad). */
bool doc_fields_next(struct doc_fields *f, const char **name, size_t *name_len, const char **value,
                     size_t *value_len);

/* The last small block docstore_get inflated, kept for the next record
 * asked of it: hits of one result set are sometimes neighbours (the
 * passages of one article; a few of the benchmark's top tens), and
 * inflating the block is most of what a hit's record costs. Zeroed to
 * start, used by one thread at a time; it owns buf. */
struct store_cache {
    const struct segment *seg;   /* NULL: holds nothing */
    uint32_t block;
    char *buf;                   /* the block inflated, as stored */
    size_t cap;
};
void store_cache_free(struct store_cache *c);

/* The record of doc with at most max_text bytes of its text (SIZE_MAX:
 * all); only that much of a large record is decompressed. cache may be
 * NULL (the block is inflated for this record alone). out owns a copy of
 * the record: it outlives the cache. */
sift_err docstore_get(const struct segment *s, uint32_t doc, size_t max_text,
                      struct store_cache *cache, struct doc_record *out, sift_errmsg *err);
void doc_record_free(struct doc_record *r);

/* Call fn for every document of the segment in order (deleted ones
 * included), decompressing each block once. The record's strings are
 * valid during the call; a large record's text is read in pieces (see
 * doc_record), so a scan's memory does not grow with it. A non-zero
 * return stops the scan. */
typedef int (*doc_scan_fn)(void *ctx, uint32_t doc, const struct doc_record *r);
sift_err docstore_scan(const struct segment *s, doc_scan_fn fn, void *ctx, sift_errmsg *err);

#endif
