/* manifest.c -- reading and writing the manifest of manifest.h. */
#include "manifest.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "bytes.h"
#include "error.h"
#include "fileio.h"

#define MAGIC "SIFTMAN"

#define ENTRY 40
#define DEL_MAGIC "SIFTDEL"

void segment_file_name(uint64_t number, char *buf, size_t size)
{
    snprintf(buf, size, "seg-%06llu.sift", (unsigned long long)number);
}

void deletes_file_name(uint64_t number, uint64_t gen, char *buf, size_t size)
{
    snprintf(buf, size, "del-%06llu-%llu.del", (unsigned long long)number, (unsigned long long)gen);
}

void temp_file_prefix(long pid, char *buf, size_t size)
{
    snprintf(buf, size, "tmp-%ld-", pid);
}

/* The decimal number at *p (at most 19 digits), moving p past it. */
static bool parse_number(const char **p, uint64_t *out)
{
    const char *s = *p;
    uint64_t v = 0;
    while (*s >= '0' && *s <= '9' && s - *p < 19) v = v * 10 + (uint64_t)(*s++ - '0');
    if (s == *p || (*s >= '0' && *s <= '9')) return false;
    *p = s;
    *out = v;
    return true;
}

enum index_file index_file_parse(const char *name, uint64_t *number, uint64_t *gen)
{
    if (!strcmp(name, MANIFEST_NAME)) return INDEX_FILE_MANIFEST;
    /* write_file_atomic writes ".NAME.tmp.PID" before renaming it to NAME */
    if (!strncmp(name, "tmp-", 4) || !strncmp(name, "." MANIFEST_NAME ".tmp", 13) ||
        !strncmp(name, ".del-", 5))
        return INDEX_FILE_TEMP;
    const char *p = name + 4;
    if (!strncmp(name, "seg-", 4) && parse_number(&p, number) && !strcmp(p, ".sift"))
        return INDEX_FILE_SEGMENT;
    p = name + 4;
    if (!strncmp(name, "del-", 4) && parse_number(&p, number) && *p++ == '-' &&
        parse_number(&p, gen) && !strcmp(p, ".del"))
        return INDEX_FILE_DELETES;
    return INDEX_FILE_OTHER;
}

sift_err deletes_read(const char *dir, const struct manifest_segment *s, uint32_t **docs,
                      size_t *n, sift_errmsg *err)
{
    *docs = NULL;
    *n = 0;
    if (!s->del_gen) return SIFT_OK;
    char name[64];
    deletes_file_name(s->number, s->del_gen, name, sizeof name);
    char *path = path_join(dir, name);
    if (!path) return sift_fail(err, SIFT_ERR_NOMEM, "out of memory");
    unsigned char *d;
    size_t len;
    sift_err rc = read_file(path, &d, &len, err);
    if (rc) {
        free(path);
        return rc;
    }
    uint32_t count = len >= 24 ? rd_u32(d + 16) : 0;
    if (len < 24 || memcmp(d, DEL_MAGIC, 8) != 0 || len != 24 + (size_t)count * 4)
        rc = sift_fail(err, SIFT_ERR_CORRUPT, "%s: not a sift deletions file, or truncated", path);
    else if ((uint32_t)crc32(0L, d, (uInt)(len - 4)) != rd_u32(d + len - 4))
        rc = sift_fail(err, SIFT_ERR_CORRUPT, "%s: checksum mismatch", path);
    else if (rd_u32(d + 8) != SIFT_FORMAT_VERSION)
        rc = sift_fail(err, SIFT_ERR_VERSION, "%s: unsupported version", path);
    else if (rd_u32(d + 12) != s->doc_count || count != s->deleted)
        rc = sift_fail(err, SIFT_ERR_CORRUPT, "%s: counts differ from the manifest", path);
    if (!rc) {
        *docs = malloc((count ? count : 1) * sizeof **docs);
        if (!*docs) rc = sift_fail(err, SIFT_ERR_NOMEM, "out of memory");
        for (uint32_t i = 0; !rc && i < count; i++) {
            (*docs)[i] = rd_u32(d + 20 + (size_t)i * 4);
            if ((*docs)[i] >= s->doc_count || (i && (*docs)[i] <= (*docs)[i - 1]))
                rc = sift_fail(err, SIFT_ERR_CORRUPT, "%s: document numbers out of order", path);
        }
        if (rc) {
            free(*docs);
            *docs = NULL;
        } else {
            *n = count;
        }
    }
    free(d);
    free(path);
    return rc;
}

sift_err deletes_write(const char *dir, uint64_t number, uint64_t gen, uint32_t doc_count,
                       const uint32_t *docs, size_t n, sift_errmsg *err)
{
    size_t len = 24 + n * 4;
    uint8_t *d = malloc(len);
    if (!d) return sift_fail(err, SIFT_ERR_NOMEM, "out of memory");
    memcpy(d, DEL_MAGIC, 8);
    wr_u32(d + 8, SIFT_FORMAT_VERSION);
    wr_u32(d + 12, doc_count);
    wr_u32(d + 16, (uint32_t)n);
    for (size_t i = 0; i < n; i++) wr_u32(d + 20 + i * 4, docs[i]);
    wr_u32(d + len - 4, (uint32_t)crc32(0L, d, (uInt)(len - 4)));
    char name[64];
    deletes_file_name(number, gen, name, sizeof name);
    sift_err rc = write_file_atomic(dir, name, d, len, err);
    free(d);
    return rc;
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
            if (count > MANIFEST_MAX_SEGMENTS || n != 28 + (size_t)count * ENTRY) {
                rc = sift_fail(err, SIFT_ERR_CORRUPT, "%s: size does not match segment count",
                               path);
            } else {
                m->generation = rd_u64(d + 16);
                m->count = count;
                m->segs = calloc(count ? count : 1, sizeof *m->segs);
                if (!m->segs) rc = sift_fail(err, SIFT_ERR_NOMEM, "out of memory");
                for (uint32_t i = 0; !rc && i < count; i++) {
                    const uint8_t *e = d + 24 + (size_t)i * ENTRY;
                    m->segs[i] = (struct manifest_segment){ rd_u64(e), rd_u64(e + 8), rd_u64(e + 16),
                                                            rd_u64(e + 24), rd_u64(e + 32) };
                    if (m->segs[i].deleted > m->segs[i].doc_count || (m->segs[i].deleted && !m->segs[i].del_gen))
                        rc = sift_fail(err, SIFT_ERR_CORRUPT, "%s: deletion counts out of range", path);
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
    size_t n = 28 + (size_t)m->count * ENTRY;
    uint8_t *d = calloc(1, n);
    if (!d) return sift_fail(err, SIFT_ERR_NOMEM, "out of memory");
    memcpy(d, MAGIC, 8);
    wr_u32(d + 8, SIFT_FORMAT_VERSION);
    wr_u32(d + 12, m->count);
    wr_u64(d + 16, m->generation);
    for (uint32_t i = 0; i < m->count; i++) {
        uint8_t *e = d + 24 + (size_t)i * ENTRY;
        wr_u64(e, m->segs[i].number);
        wr_u64(e + 8, m->segs[i].doc_count);
        wr_u64(e + 16, m->segs[i].deleted);
        wr_u64(e + 24, m->segs[i].deleted_tokens);
        wr_u64(e + 32, m->segs[i].del_gen);
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
