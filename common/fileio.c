/* fileio.c -- durable file operations. */
#include "fileio.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bytes.h"
#include "error.h"

int write_all(int fd, const void *p, size_t n)
{
    const char *c = p;
    while (n) {
        ssize_t k = write(fd, c, n);
        if (k < 0) {
            if (errno == EINTR) continue;
            return -1;
        }
        c += k;
        n -= (size_t)k;
    }
    return 0;
}

int pwrite_all(int fd, const void *p, size_t n, off_t off)
{
    const char *c = p;
    while (n) {
        ssize_t k = pwrite(fd, c, n, off);
        if (k < 0) {
            if (errno == EINTR) continue;
            return -1;
        }
        c += k;
        n -= (size_t)k;
        off += k;
    }
    return 0;
}

char *path_join(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    char *p = malloc(la + lb + 2);
    if (!p) return NULL;
    memcpy(p, a, la);
    size_t o = la;
    if (la && a[la - 1] != '/') p[o++] = '/';
    memcpy(p + o, b, lb + 1);
    return p;
}

sift_err mkdir_p(const char *dir, sift_errmsg *err)
{
    char *p = strdup(dir);
    if (!p) return sift_fail(err, SIFT_ERR_NOMEM, "out of memory");
    for (char *s = p + 1;; s++) {
        char c = *s;
        if (c == '/' || c == 0) {
            *s = 0;
            if (mkdir(p, 0755) < 0 && errno != EEXIST) {
                sift_err rc = sift_fail(err, SIFT_ERR_IO, "%s: cannot create directory: %s", p,
                                        strerror(errno));
                free(p);
                return rc;
            }
            *s = c;
            if (!c) break;
        }
    }
    free(p);
    struct stat st;
    if (stat(dir, &st) < 0 || !S_ISDIR(st.st_mode))
        return sift_fail(err, SIFT_ERR_IO, "%s: not a directory", dir);
    return SIFT_OK;
}

sift_err fsync_dir(const char *dir, sift_errmsg *err)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return sift_fail(err, SIFT_ERR_IO, "%s: %s", dir, strerror(errno));
    int rc = fsync(fd);
    int e = errno;
    close(fd);
    if (rc < 0) return sift_fail(err, SIFT_ERR_IO, "%s: fsync: %s", dir, strerror(e));
    return SIFT_OK;
}

sift_err write_file_atomic(const char *dir, const char *name, const void *data, size_t n,
                           sift_errmsg *err)
{
    char tmpname[256];
    snprintf(tmpname, sizeof tmpname, ".%s.tmp.%ld", name, (long)getpid());
    char *tmp = path_join(dir, tmpname), *dst = path_join(dir, name);
    sift_err rc = SIFT_OK;
    if (!tmp || !dst) {
        rc = sift_fail(err, SIFT_ERR_NOMEM, "out of memory");
        goto out;
    }
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
        rc = sift_fail(err, SIFT_ERR_IO, "%s: %s", tmp, strerror(errno));
        goto out;
    }
    if (write_all(fd, data, n) < 0 || fsync(fd) < 0) {
        rc = sift_fail_errno(err, errno, "%s", tmp);
        close(fd);
        unlink(tmp);
        goto out;
    }
    if (close(fd) < 0 || rename(tmp, dst) < 0) {
        rc = sift_fail(err, SIFT_ERR_IO, "%s: %s", dst, strerror(errno));
        unlink(tmp);
        goto out;
    }
    rc = fsync_dir(dir, err);
out:
    free(tmp);
    free(dst);
    return rc;
}

sift_err read_file(const char *path, unsigned char **out, size_t *n, sift_errmsg *err)
{
    *out = NULL;
    *n = 0;
    FILE *f = fopen(path, "rb");
    if (!f)
        return sift_fail(err, errno == ENOENT ? SIFT_ERR_NOTFOUND : SIFT_ERR_IO, "%s: %s", path,
                         strerror(errno));
    struct buf b = { 0 };
    unsigned char chunk[8192];
    size_t k;
    while ((k = fread(chunk, 1, sizeof chunk, f)) > 0) {
        if (!buf_append((struct buf *)&b, chunk, k)) {
            fclose(f);
            buf_free(&b);
            return sift_fail(err, SIFT_ERR_NOMEM, "%s: out of memory", path);
        }
    }
    int bad = ferror(f);
    fclose(f);
    if (bad) {
        buf_free(&b);
        return sift_fail(err, SIFT_ERR_IO, "%s: read error", path);
    }
    *out = b.data;
    *n = b.len;
    return SIFT_OK;
}
