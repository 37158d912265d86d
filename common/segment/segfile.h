/* segfile.h -- the checksummed section container every segment file uses.
 *
 * Layout (all integers little-endian):
 *
 *   header, 64 bytes at offset 0
 *     0   8  magic "SIFTSEG\0"
 *     8   4  format version (SIFT_FORMAT_VERSION)
 *     12  4  page shift: sections are checksummed in pages of 1 << shift bytes
 *     16  8  file size in bytes
 *     24  8  directory offset
 *     32  4  directory length in bytes
 *     36  4  CRC32 of the directory
 *     40  20 zero
 *     60  4  CRC32 of header bytes 0..59
 *   sections, each starting at a multiple of 64, zero padding between
 *   directory
 *     4  section count S
 *     4  page CRC count P
 *     S times 24 bytes: u32 section id, u32 index of its first page CRC,
 *                       u64 offset, u64 length
 *     P times u32: CRC32 of each page of each section, in order; page k of
 *                  a section covers its bytes [k << shift, (k + 1) << shift)
 *
 * The header and directory are verified at open: they are small (4 bytes
 * per 4 KiB page, 0.1% of the data: 310 KiB for the 324 MB passages
 * segment). A section's pages are verified the first time a reader asks
 * for bytes on them, so opening reads little of the index and every byte
 * is still checked before it is trusted.
 */
#ifndef SIFT_SEGFILE_H
#define SIFT_SEGFILE_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include <sift/sift.h>

#include "bytes.h"

#define SEGFILE_MAGIC "SIFTSEG"
#define SEGFILE_HEADER_SIZE 64
/* The page a writer checksums: 4 KiB, so that a query's first read of a
 * postings block or a document's positions verifies 4 KiB around it, not
 * 32 KiB (a whole `search` process: 0.91x the time with 32 KiB pages).
 * Readers take the shift from the header: 12 to 24 (format 8 was written
 * with 15 before). */
#define SEGFILE_PAGE_SHIFT 12
#define SEGFILE_MAX_SECTIONS 32

struct segfile_section {
    uint32_t id;
    uint64_t off, len;
    const uint8_t *crcs;          /* page CRCs inside the map */
    uint32_t npages;
    atomic_uchar *verified;       /* one flag per page, set once checked */
};

struct segfile {
    char *path;
    const uint8_t *map;
    size_t size;
    unsigned page_shift;
    unsigned nsections;
    struct segfile_section sec[SEGFILE_MAX_SECTIONS];
    /* 1 + the index in sec of the section with id i < SEGFILE_MAX_SECTIONS
     * (0: none): every read names its section, so finding it is O(1) */
    uint8_t slot[SEGFILE_MAX_SECTIONS];
    atomic_uchar *flags;          /* storage of every section's flags */
    bool borrowed;                /* map is the caller's memory (segfile_open_memory) */
};

/* Map `path` and verify its header and directory. */
sift_err segfile_open(struct segfile *f, const char *path, sift_errmsg *err);
/* The same over a segment already in memory (the caller's, kept until
 * segfile_close; `name` stands for the path in messages): for fuzzing and
 * tests, which then need no file. */
sift_err segfile_open_memory(struct segfile *f, const uint8_t *data, size_t len, const char *name,
                             sift_errmsg *err);
void segfile_close(struct segfile *f);

/* Length of section `id`, or 0 when absent. */
uint64_t segfile_section_len(const struct segfile *f, uint32_t id);

/* Bytes [off, off+len) of section `id` after verifying the pages they lie
 * on; NULL with SIFT_ERR_CORRUPT in *rc (and a message) when out of bounds
 * or a checksum fails. Thread-safe. */
const uint8_t *segfile_get_checked(const struct segfile *f, uint32_t id, uint64_t off,
                                   uint64_t len, sift_err *rc, sift_errmsg *err);
/* segfile_get_checked, inline for the usual read: within one page
 * already verified (every postings block, dictionary probe and length a
 * query reads: a call each cost 3% of the benchmark's instructions). */
static inline const uint8_t *segfile_get(const struct segfile *f, uint32_t id, uint64_t off,
                                         uint64_t len, sift_err *rc, sift_errmsg *err)
{
    if (id < SEGFILE_MAX_SECTIONS && f->slot[id] && len) {
        const struct segfile_section *s = &f->sec[f->slot[id] - 1];
        if (off <= s->len && len <= s->len - off && off >> f->page_shift == (off + len - 1) >> f->page_shift &&
            atomic_load_explicit(&s->verified[off >> f->page_shift], memory_order_acquire))
            return f->map + s->off + off;
    }
    return segfile_get_checked(f, id, off, len, rc, err);
}

/* Verify every page of every section. */
sift_err segfile_verify_all(const struct segfile *f, sift_errmsg *err);

/* ------------------------------------------------------------ writing */

struct segwriter {
    int fd;
    char *path;
    uint64_t pos;                 /* bytes written so far */
    struct buf out;               /* write buffer */
    struct buf dir;               /* section entries */
    struct buf crcs;              /* page CRCs */
    unsigned nsections;
    bool in_section;
    uint32_t sec_id;
    uint64_t sec_start;
    uint64_t page_fill;           /* bytes in the current page */
    uint32_t page_crc;
    uint32_t sec_first_crc;
    unsigned page_shift;          /* SEGFILE_PAGE_SHIFT; a test may set another before segw_begin */
    sift_err failed;              /* first error, sticky */
    sift_errmsg errmsg;
};

sift_err segw_open(struct segwriter *w, const char *path, sift_errmsg *err);
void segw_begin(struct segwriter *w, uint32_t id);
void segw_write(struct segwriter *w, const void *data, size_t len);
void segw_end(struct segwriter *w);
/* Write the directory and header and fsync. The file stays on success. */
sift_err segw_finish(struct segwriter *w, sift_errmsg *err);
/* Close and remove the file (after a failure). */
void segw_abort(struct segwriter *w);

#endif
