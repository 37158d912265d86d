/* segfile.c -- reading and writing the section container of segfile.h. */
#include "segfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <libdeflate.h>

#include "error.h"
#include "fileio.h"

/* Fuzz builds of the index reader (tests/fuzz/fuzz_index.c) skip the
 * checksums so that mutated bytes reach the decoders behind them, which
 * must stay in bounds on their own. Never defined in a normal build. */
#ifdef SIFT_FUZZ_SKIP_CRC
#define CRC_OK(computed, stored) ((void)(computed), (void)(stored), 1)
#else
#define CRC_OK(computed, stored) ((computed) == (stored))
#endif

/* CRC-32 (zlib's polynomial and values) by libdeflate, which folds with
 * carry-less multiplication where the CPU has it: several times zlib's
 * speed, and pages are checked on a search's first touch. */
static uint32_t crc(const uint8_t *p, size_t n)
{
    return libdeflate_crc32(0, p, n);
}

/* ---------------------------------------------------------------- read */

static sift_err corrupt(sift_errmsg *err, const char *path, const char *why)
{
    return sift_fail(err, SIFT_ERR_CORRUPT, "%s: %s", path, why);
}

static sift_err parse_directory(struct segfile *f, const uint8_t *d, uint32_t dlen,
                                uint64_t doff, sift_errmsg *err)
{
    if (dlen < 8) return corrupt(err, f->path, "directory too short");
    uint32_t s = rd_u32(d), p = rd_u32(d + 4);
    if (s > SEGFILE_MAX_SECTIONS || (uint64_t)8 + (uint64_t)s * 24 + (uint64_t)p * 4 != dlen)
        return corrupt(err, f->path, "directory size does not match its counts");
    f->flags = calloc(p ? p : 1, sizeof *f->flags);
    if (!f->flags) return sift_fail(err, SIFT_ERR_NOMEM, "%s: out of memory", f->path);
    const uint8_t *crcs = d + 8 + (size_t)s * 24;
    uint64_t pages_seen = 0;
    for (uint32_t i = 0; i < s; i++) {
        const uint8_t *e = d + 8 + (size_t)i * 24;
        struct segfile_section *sec = &f->sec[i];
        sec->id = rd_u32(e);
        uint32_t first = rd_u32(e + 4);
        sec->off = rd_u64(e + 8);
        sec->len = rd_u64(e + 16);
        uint64_t npages = (sec->len + ((uint64_t)1 << f->page_shift) - 1) >> f->page_shift;
        if (sec->off < SEGFILE_HEADER_SIZE || sec->off > f->size || sec->len > f->size - sec->off)
            return corrupt(err, f->path, "section lies outside the file");
        if (first != pages_seen || npages > p - first)
            return corrupt(err, f->path, "section checksum table out of order");
        sec->npages = (uint32_t)npages;
        sec->crcs = crcs + (size_t)first * 4;
        sec->verified = f->flags + first;
        if (sec->id < SEGFILE_MAX_SECTIONS && !f->slot[sec->id]) f->slot[sec->id] = (uint8_t)(i + 1);
        pages_seen += npages;
    }
    if (pages_seen != p) return corrupt(err, f->path, "unused section checksums");
    /* The zero padding after each section (under 64 bytes) is not covered
     * by a page checksum: check it here so that no byte goes unchecked. */
    if ((s ? f->sec[0].off : doff) != SEGFILE_HEADER_SIZE || doff + dlen != f->size)
        return corrupt(err, f->path, "unaccounted bytes in the file");
    for (uint32_t i = 0; i < s; i++) {
        uint64_t end = f->sec[i].off + f->sec[i].len;
        uint64_t next = i + 1 < s ? f->sec[i + 1].off : doff;
        if (next < end || next - end >= 64) return corrupt(err, f->path, "sections out of order");
        for (uint64_t k = end; k < next; k++)
            if (f->map[k]) return corrupt(err, f->path, "non-zero padding");
    }
    f->nsections = s;
    return SIFT_OK;
}

/* Check the header and the directory of the file at f->map. */
static sift_err attach(struct segfile *f, sift_errmsg *err)
{
    const char *path = f->path;
    const uint8_t *h = f->map;
    sift_err rc = SIFT_OK;
    if (f->size < SEGFILE_HEADER_SIZE) rc = corrupt(err, path, "file is truncated (shorter than its header)");
    else if (memcmp(h, SEGFILE_MAGIC, 8) != 0) rc = corrupt(err, path, "not a sift segment (bad magic)");
    else if (!CRC_OK(crc(h, 60), rd_u32(h + 60))) rc = corrupt(err, path, "header checksum mismatch");
    else if (rd_u32(h + 8) != SIFT_FORMAT_VERSION)
        rc = sift_fail(err, SIFT_ERR_VERSION, "%s: format version %u, this build reads %u", path,
                       rd_u32(h + 8), SIFT_FORMAT_VERSION);
    else if (rd_u64(h + 16) != f->size)
        rc = corrupt(err, path, "file size differs from the header (truncated or extended)");
    else if (rd_u32(h + 12) < 12 || rd_u32(h + 12) > 24)
        rc = corrupt(err, path, "bad page size");
    if (!rc) {
        f->page_shift = rd_u32(h + 12);
        uint64_t doff = rd_u64(h + 24);
        uint32_t dlen = rd_u32(h + 32);
        if (doff < SEGFILE_HEADER_SIZE || doff > f->size || dlen > f->size - doff)
            rc = corrupt(err, path, "directory lies outside the file");
        else if (!CRC_OK(crc(f->map + doff, dlen), rd_u32(h + 36)))
            rc = corrupt(err, path, "directory checksum mismatch");
        else
            rc = parse_directory(f, f->map + doff, dlen, doff, err);
    }
    if (rc) segfile_close(f);
    return rc;
}

sift_err segfile_open(struct segfile *f, const char *path, sift_errmsg *err)
{
    memset(f, 0, sizeof *f);
    f->path = strdup(path);
    if (!f->path) return sift_fail(err, SIFT_ERR_NOMEM, "out of memory");
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        sift_err rc = errno == ENOENT ? SIFT_ERR_NOTFOUND : SIFT_ERR_IO;
        sift_fail(err, rc, "%s: %s", path, strerror(errno));
        segfile_close(f);
        return rc;
    }
    struct stat st;
    sift_err rc = SIFT_OK;
    if (fstat(fd, &st) < 0) {
        rc = sift_fail(err, SIFT_ERR_IO, "%s: %s", path, strerror(errno));
    } else if ((uint64_t)st.st_size < SEGFILE_HEADER_SIZE) {
        rc = corrupt(err, path, "file is truncated (shorter than its header)");
    } else {
        f->size = (size_t)st.st_size;
        void *m = mmap(NULL, f->size, PROT_READ, MAP_SHARED, fd, 0);
        if (m == MAP_FAILED)
            rc = sift_fail(err, SIFT_ERR_IO, "%s: mmap: %s", path, strerror(errno));
        else
            f->map = m;
    }
    close(fd);
    if (rc) {
        segfile_close(f);
        return rc;
    }
    return attach(f, err);
}

sift_err segfile_open_memory(struct segfile *f, const uint8_t *data, size_t len, const char *name,
                             sift_errmsg *err)
{
    memset(f, 0, sizeof *f);
    f->path = strdup(name);
    if (!f->path) return sift_fail(err, SIFT_ERR_NOMEM, "out of memory");
    f->map = data;
    f->size = len;
    f->borrowed = true;
    return attach(f, err);
}

void segfile_close(struct segfile *f)
{
    if (f->map && !f->borrowed) munmap((void *)f->map, f->size);
    free(f->flags);
    free(f->path);
    memset(f, 0, sizeof *f);
}

static const struct segfile_section *find(const struct segfile *f, uint32_t id)
{
    if (id < SEGFILE_MAX_SECTIONS) return f->slot[id] ? &f->sec[f->slot[id] - 1] : NULL;
    for (unsigned i = 0; i < f->nsections; i++)
        if (f->sec[i].id == id) return &f->sec[i];
    return NULL;
}

uint64_t segfile_section_len(const struct segfile *f, uint32_t id)
{
    const struct segfile_section *s = find(f, id);
    return s ? s->len : 0;
}

static bool verify_page(const struct segfile *f, const struct segfile_section *s, uint32_t k)
{
    if (atomic_load_explicit(&s->verified[k], memory_order_acquire)) return true;
    uint64_t start = (uint64_t)k << f->page_shift;
    uint64_t n = s->len - start;
    if (n > ((uint64_t)1 << f->page_shift)) n = (uint64_t)1 << f->page_shift;
    if (!CRC_OK(crc(f->map + s->off + start, (size_t)n), rd_u32(s->crcs + (size_t)k * 4))) return false;
    atomic_store_explicit(&s->verified[k], 1, memory_order_release);
    return true;
}

const uint8_t *segfile_get_checked(const struct segfile *f, uint32_t id, uint64_t off,
                                   uint64_t len, sift_err *rc, sift_errmsg *err)
{
    const struct segfile_section *s = find(f, id);
    if (!s || off > s->len || len > s->len - off) {
        *rc = sift_fail(err, SIFT_ERR_CORRUPT, "%s: section %u: reference out of bounds",
                        f->path, id);
        return NULL;
    }
    if (len) {
        uint32_t first = (uint32_t)(off >> f->page_shift);
        uint32_t last = (uint32_t)((off + len - 1) >> f->page_shift);
        for (uint32_t k = first; k <= last; k++) {
            if (!verify_page(f, s, k)) {
                *rc = sift_fail(err, SIFT_ERR_CORRUPT,
                                "%s: section %u: checksum mismatch in bytes %llu..%llu", f->path,
                                id, (unsigned long long)((uint64_t)k << f->page_shift),
                                (unsigned long long)(((uint64_t)k + 1) << f->page_shift));
                return NULL;
            }
        }
    }
    return f->map + s->off + off;
}

sift_err segfile_verify_all(const struct segfile *f, sift_errmsg *err)
{
    for (unsigned i = 0; i < f->nsections; i++) {
        sift_err rc = SIFT_OK;
        if (!segfile_get(f, f->sec[i].id, 0, f->sec[i].len, &rc, err)) return rc;
    }
    return SIFT_OK;
}

/* --------------------------------------------------------------- write */

#define SEGW_BUFFER (1u << 20)

static void w_fail_errno(struct segwriter *w, const char *what)
{
    if (w->failed) return;
    w->failed = sift_fail_errno(&w->errmsg, errno, "%s: %s", w->path, what);
}

static void w_flush(struct segwriter *w)
{
    if (!w->failed && w->out.len && write_all(w->fd, w->out.data, w->out.len) < 0)
        w_fail_errno(w, "write");
    w->out.len = 0;
}

static void w_raw(struct segwriter *w, const void *data, size_t len)
{
    if (w->failed) return;
    if (w->out.len + len > SEGW_BUFFER) w_flush(w);
    if (len > SEGW_BUFFER) {
        if (!w->failed && write_all(w->fd, data, len) < 0) w_fail_errno(w, "write");
    } else if (!buf_append(&w->out, data, len)) {
        w->failed = sift_fail(&w->errmsg, SIFT_ERR_NOMEM, "%s: out of memory", w->path);
    }
    w->pos += len;
}

sift_err segw_open(struct segwriter *w, const char *path, sift_errmsg *err)
{
    memset(w, 0, sizeof *w);
    w->path = strdup(path);
    if (!w->path) return sift_fail(err, SIFT_ERR_NOMEM, "out of memory");
    w->fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);   /* never over a mapped file */
    if (w->fd < 0) {
        sift_err rc = sift_fail(err, SIFT_ERR_IO, "%s: %s", path, strerror(errno));
        free(w->path);
        w->path = NULL;
        return rc;
    }
    w->page_shift = SEGFILE_PAGE_SHIFT;
    uint8_t zero[SEGFILE_HEADER_SIZE] = { 0 };
    w_raw(w, zero, sizeof zero);
    return SIFT_OK;
}

static void w_pad64(struct segwriter *w)
{
    static const uint8_t zero[64];
    if (w->pos % 64) w_raw(w, zero, 64 - w->pos % 64);
}

void segw_begin(struct segwriter *w, uint32_t id)
{
    w_pad64(w);
    w->in_section = true;
    w->sec_id = id;
    w->sec_start = w->pos;
    w->page_fill = 0;
    w->page_crc = 0;
    w->sec_first_crc = (uint32_t)(w->crcs.len / 4);
}

static void w_page_done(struct segwriter *w)
{
    if (!buf_u32(&w->crcs, w->page_crc) && !w->failed)
        w->failed = sift_fail(&w->errmsg, SIFT_ERR_NOMEM, "%s: out of memory", w->path);
    w->page_crc = 0;
    w->page_fill = 0;
}

void segw_write(struct segwriter *w, const void *data, size_t len)
{
    const uint8_t *p = data;
    const uint64_t page = (uint64_t)1 << w->page_shift;
    while (len) {
        size_t n = len;
        if (n > page - w->page_fill) n = (size_t)(page - w->page_fill);
        w->page_crc = libdeflate_crc32(w->page_crc, p, n);
        w_raw(w, p, n);
        w->page_fill += n;
        if (w->page_fill == page) w_page_done(w);
        p += n;
        len -= n;
    }
}

void segw_end(struct segwriter *w)
{
    if (w->page_fill) w_page_done(w);
    uint8_t e[24];
    wr_u32(e, w->sec_id);
    wr_u32(e + 4, w->sec_first_crc);
    wr_u64(e + 8, w->sec_start);
    wr_u64(e + 16, w->pos - w->sec_start);
    if (!buf_append(&w->dir, e, sizeof e) && !w->failed)
        w->failed = sift_fail(&w->errmsg, SIFT_ERR_NOMEM, "%s: out of memory", w->path);
    w->nsections++;
    w->in_section = false;
}

sift_err segw_finish(struct segwriter *w, sift_errmsg *err)
{
    w_pad64(w);
    uint64_t doff = w->pos;
    struct buf d = { 0 };
    if (!buf_u32(&d, w->nsections) || !buf_u32(&d, (uint32_t)(w->crcs.len / 4)) ||
        !buf_append(&d, w->dir.data, w->dir.len) || !buf_append(&d, w->crcs.data, w->crcs.len)) {
        if (!w->failed)
            w->failed = sift_fail(&w->errmsg, SIFT_ERR_NOMEM, "%s: out of memory", w->path);
    }
    w_raw(w, d.data, d.len);
    w_flush(w);
    uint8_t h[SEGFILE_HEADER_SIZE] = { 0 };
    memcpy(h, SEGFILE_MAGIC, 8);
    wr_u32(h + 8, SIFT_FORMAT_VERSION);
    wr_u32(h + 12, w->page_shift);
    wr_u64(h + 16, w->pos);
    wr_u64(h + 24, doff);
    wr_u32(h + 32, (uint32_t)d.len);
    wr_u32(h + 36, crc(d.data, d.len));
    wr_u32(h + 60, crc(h, 60));
    buf_free(&d);
    if (!w->failed && pwrite_all(w->fd, h, sizeof h, 0) < 0) w_fail_errno(w, "write header");
    if (!w->failed && fsync(w->fd) < 0) w_fail_errno(w, "fsync");
    if (close(w->fd) < 0) w_fail_errno(w, "close");
    w->fd = -1;
    sift_err rc = w->failed;
    if (rc) {
        if (err) *err = w->errmsg;
        unlink(w->path);
    }
    buf_free(&w->out);
    buf_free(&w->dir);
    buf_free(&w->crcs);
    free(w->path);
    w->path = NULL;
    return rc;
}

void segw_abort(struct segwriter *w)
{
    if (w->fd >= 0) close(w->fd);
    if (w->path) unlink(w->path);
    buf_free(&w->out);
    buf_free(&w->dir);
    buf_free(&w->crcs);
    free(w->path);
    memset(w, 0, sizeof *w);
    w->fd = -1;
}
