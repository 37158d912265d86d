/* manifest.h -- the file naming the live segments of an index.
 *
 * Layout of DIR/manifest (little-endian):
 *   0   8  magic "SIFTMAN\0"
 *   8   4  format version
 *   12  4  segment count S
 *   16  8  generation (incremented by every commit)
 *   24  S times 16 bytes: u64 segment number, u64 document count
 *   ..  4  CRC32 of all preceding bytes
 * Segment n lives in DIR/seg-NNNNNN.sift (n in decimal, at least 6 digits).
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

/* "seg-000001.sift" into buf (at least 32 bytes). */
void segment_file_name(uint64_t number, char *buf, size_t size);

#endif
