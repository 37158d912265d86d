/* fileio.h -- whole writes, fsync of directories and atomic replacement. */
#ifndef SIFT_FILEIO_H
#define SIFT_FILEIO_H

#include <stddef.h>
#include <sys/types.h>

#include <sift/sift.h>

/* write()/pwrite() until done; -1 with errno on failure. */
int write_all(int fd, const void *p, size_t n);
int pwrite_all(int fd, const void *p, size_t n, off_t off);

/* Make directory `dir` and its parents (mode 0755). */
sift_err mkdir_p(const char *dir, sift_errmsg *err);

/* fsync a directory so that renames and creations in it are durable. */
sift_err fsync_dir(const char *dir, sift_errmsg *err);

/* Write `data` to dir/name atomically: a temporary file in dir, fsync,
 * rename over dir/name, fsync dir. */
sift_err write_file_atomic(const char *dir, const char *name, const void *data, size_t n,
                           sift_errmsg *err);

/* Read a whole (small) file; *out is malloc'ed. */
sift_err read_file(const char *path, unsigned char **out, size_t *n, sift_errmsg *err);

/* A malloc'ed "a/b". NULL when memory is short. */
char *path_join(const char *a, const char *b);

#endif
