/* manifest.c -- reading and writing the manifest of manifest.h. */
#include "manifest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "bytes.h"
#include "error.h"
#include "fileio.h"

#define MAGIC "SIFTMAN"

void segment_file_name(uint64_t number, char *buf, size_t size)
{
    snprintf(buf, size, "seg-%06llu.sift", (unsigned long long)number);
}

sift_err manifest_read(const char *dir, struct manifest *m, sift_errmsg *err)
{
    memset(m, 0, sizeof *m);
    char *path = path_join(dir, MANIFEST_NAME);
    if (!path) return sift_fail(err, SIFT_ERR_NOMEM, "out of memory");
    unsigned char *d;
    size_t n;
    sift_err rc = read_file(path, &d, &n, err);
    if (rc == SIFT_ERR_NOTFOUND) {
        sift_fail(err, rc, "%s: no index here (no manifest)", dir);
    } else if (!rc) {
        if (n < 28 || memcmp(d, MAGIC, 8) != 0) {
            rc = sift_fail(err, SIFT_ERR_CORRUPT, "%s: not a sift manifest", path);
        } else if ((uint32_t)crc32(0L, d, (uInt)(n - 4)) != rd_u32(d + n - 4)) {
            rc = sift_fail(err, SIFT_ERR_CORRUPT, "%s: checksum mismatch", path);
        } else if (rd_u32(d + 8) != SIFT_FORMAT_VERSION) {
            rc = sift_fail(err, SIFT_ERR_VERSION, "%s: format version %u, this build reads %u",
                           path, rd_u32(d + 8), SIFT_FORMAT_VERSION);
        } else {
            uint32_t count = rd_u32(d + 12);
            if (count > MANIFEST_MAX_SEGMENTS || n != 28 + (size_t)count * 16) {
                rc = sift_fail(err, SIFT_ERR_CORRUPT, "%s: size does not match segment count",
                               path);
            } else {
                m->generation = rd_u64(d + 16);
                m->count = count;
                m->segs = calloc(count ? count : 1, sizeof *m->segs);
                if (!m->segs) rc = sift_fail(err, SIFT_ERR_NOMEM, "out of memory");
                for (uint32_t i = 0; !rc && i < count; i++) {
                    m->segs[i].number = rd_u64(d + 24 + (size_t)i * 16);
                    m->segs[i].doc_count = rd_u64(d + 32 + (size_t)i * 16);
                }
            }
        }
        free(d);
    }
    free(path);
    if (rc) manifest_free(m);
    return rc;
}

sift_err manifest_write(const char *dir, const struct manifest *m, sift_errmsg *err)
{
    size_t n = 28 + (size_t)m->count * 16;
    uint8_t *d = calloc(1, n);
    if (!d) return sift_fail(err, SIFT_ERR_NOMEM, "out of memory");
    memcpy(d, MAGIC, 8);
    wr_u32(d + 8, SIFT_FORMAT_VERSION);
    wr_u32(d + 12, m->count);
    wr_u64(d + 16, m->generation);
    for (uint32_t i = 0; i < m->count; i++) {
        wr_u64(d + 24 + (size_t)i * 16, m->segs[i].number);
        wr_u64(d + 32 + (size_t)i * 16, m->segs[i].doc_count);
    }
    wr_u32(d + n - 4, (uint32_t)crc32(0L, d, (uInt)(n - 4)));
    sift_err rc = write_file_atomic(dir, MANIFEST_NAME, d, n, err);
    free(d);
    return rc;
}

void manifest_free(struct manifest *m)
{
    free(m->segs);
    memset(m, 0, sizeof *m);
}
