/* manifest.h -- the file naming the live segments of an index.
 *
 * Layout of DIR/manifest (little-endian):
 *   0   8  magic "SIFTMAN\0"
 *   8   4  format version
 *   12  4  segment count S
 *   16  8  generation (incremented by every commit)
 *   24  S times 40 bytes: u64 segment number, u64 document count,
 *          u64 deleted documents, u64 tokens of the deleted documents,
 *          u64 deletions generation (0: none)
 *   ..  4  CRC32 of all preceding bytes
 * Segment n lives in DIR/seg-NNNNNN.sift (n in decimal, at least 6 digits);
 * its deletions, when the generation g is not 0, in DIR/del-NNNNNN-g.del:
 *   0   8  magic "SIFTDEL\0"
 *   8   4  format version
 *   12  4  document count of the segment
 *   16  4  number of deleted documents D
 *   20  4D the deleted document numbers, ascending
 *   ..  4  CRC32 of all preceding bytes
 * The manifest is replaced atomically (write, fsync, rename, fsync dir), so
 * a reader sees either the old or the new set of segments.
 */
#ifndef SIFT_MANIFEST_H
#define SIFT_MANIFEST_H

#include <stdint.h>

#include <sift/sift.h>

#define MANIFEST_NAME "manifest"
#define MANIFEST_MAX_SEGMENTS 4096

struct manifest_segment {
    uint64_t number;
    uint64_t doc_count;
    uint64_t deleted;         /* documents deleted since the segment was written */
    uint64_t deleted_tokens;  /* their total length, for collection statistics */
    uint64_t del_gen;         /* generation of its deletions file, 0 when none */
};

struct manifest {
    uint64_t generation;
    uint32_t count;
    struct manifest_segment *segs;  /* malloc'ed */
};

/* Read DIR/manifest. SIFT_ERR_NOTFOUND when there is none. */
sift_err manifest_read(const char *dir, struct manifest *m, sift_errmsg *err);
/* Write it atomically. */
sift_err manifest_write(const char *dir, const struct manifest *m, sift_errmsg *err);
void manifest_free(struct manifest *m);

/* The names of an index directory's files, printed and parsed here only. */
/* "seg-000001.sift" into buf (at least 32 bytes). */
void segment_file_name(uint64_t number, char *buf, size_t size);
/* "del-000001-3.del" into buf (at least 64 bytes). */
void deletes_file_name(uint64_t number, uint64_t gen, char *buf, size_t size);
/* "tmp-PID-": what a writer's temporary files start with (at least 32 bytes). */
void temp_file_prefix(long pid, char *buf, size_t size);

enum index_file {
    INDEX_FILE_OTHER,      /* not one of sift's (write.lock, a user's file) */
    INDEX_FILE_MANIFEST,
    INDEX_FILE_SEGMENT,    /* *number set */
    INDEX_FILE_DELETES,    /* *number and *gen set */
    INDEX_FILE_TEMP,       /* a writer's temporary file, or a half-written
                              manifest or deletions file (write_file_atomic) */
};
/* What the file `name` of an index directory is. */
enum index_file index_file_parse(const char *name, uint64_t *number, uint64_t *gen);

/* Read the deletions of a segment: *docs (malloc'ed, ascending, *n of
 * them). Checks the checksum, the order and the bounds. */
sift_err deletes_read(const char *dir, const struct manifest_segment *s, uint32_t **docs,
                      size_t *n, sift_errmsg *err);
/* Write them (fsynced; not yet named by any manifest). */
sift_err deletes_write(const char *dir, uint64_t number, uint64_t gen, uint32_t doc_count,
                       const uint32_t *docs, size_t n, sift_errmsg *err);

#endif
