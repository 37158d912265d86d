/* publish.c -- the lock, the debris and the change of generation of
 * publish.h. */
#include "publish.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "error.h"
#include "fileio.h"

#define LOCK_NAME "write.lock"

sift_err publish_lock(const char *dir, int *fd, sift_errmsg *err)
{
    char *path = path_join(dir, LOCK_NAME);
    if (!path) return sift_fail(err, SIFT_ERR_NOMEM, "out of memory");
    *fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    sift_err rc = SIFT_OK;
    if (*fd < 0) {
        rc = sift_fail(err, SIFT_ERR_IO, "%s: %s", path, strerror(errno));
    } else if (flock(*fd, LOCK_EX | LOCK_NB) < 0) {
        rc = errno == EWOULDBLOCK
                 ? sift_fail(err, SIFT_ERR_LOCKED, "%s: another search-index is writing this index", dir)
                 : sift_fail(err, SIFT_ERR_IO, "%s: flock: %s", path, strerror(errno));
        close(*fd);
        *fd = -1;
    }
    free(path);
    return rc;
}

static bool named(const struct manifest *m, enum index_file kind, uint64_t number, uint64_t gen)
{
    for (uint32_t i = 0; m && i < m->count; i++)
        if (m->segs[i].number == number && (kind == INDEX_FILE_SEGMENT || m->segs[i].del_gen == gen))
            return true;
    return false;
}

void publish_remove_debris(const char *dir, const struct manifest *m)
{
    DIR *d = opendir(dir);
    if (!d) return;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        uint64_t number = 0, gen = 0;
        enum index_file kind = index_file_parse(e->d_name, &number, &gen);
        bool drop = kind == INDEX_FILE_TEMP ||
                    ((kind == INDEX_FILE_SEGMENT || kind == INDEX_FILE_DELETES) &&
                     !named(m, kind, number, gen));
        if (!drop) continue;
        char *p = path_join(dir, e->d_name);
        if (p) unlink(p);
        free(p);
    }
    closedir(d);
}

uint64_t publish_next_number(const char *dir, const struct manifest *m)
{
    uint64_t n = 1;
    for (uint32_t i = 0; m && i < m->count; i++)
        if (m->segs[i].number >= n) n = m->segs[i].number + 1;
    DIR *d = opendir(dir);
    struct dirent *e;
    while (d && (e = readdir(d)) != NULL) {
        uint64_t k, gen;
        if (index_file_parse(e->d_name, &k, &gen) == INDEX_FILE_SEGMENT && k >= n) n = k + 1;
    }
    if (d) closedir(d);
    return n;
}

sift_err publication_begin(struct publication *p, const char *dir, const struct manifest *current,
                           uint32_t extra, sift_errmsg *err)
{
    memset(p, 0, sizeof *p);
    p->dir = dir;
    p->next.generation = current->generation + 1;
    p->next.segs = calloc((size_t)current->count + extra + 1, sizeof *p->next.segs);
    return p->next.segs ? SIFT_OK : sift_fail(err, SIFT_ERR_NOMEM, "out of memory");
}

/* A name that could not be remembered (memory short) only leaves a file
 * behind, which the next writer removes as debris. */
void publication_wrote(struct publication *p, const char *name)
{
    strlist_add(&p->written, name, strlen(name));
}

void publication_drop(struct publication *p, const char *name)
{
    strlist_add(&p->obsolete, name, strlen(name));
}

void publication_drop_segment(struct publication *p, const struct manifest_segment *s)
{
    char name[64];
    segment_file_name(s->number, name, sizeof name);
    publication_drop(p, name);
    if (s->del_gen) {
        deletes_file_name(s->number, s->del_gen, name, sizeof name);
        publication_drop(p, name);
    }
}

sift_err publication_deletions(struct publication *p, struct manifest_segment *s,
                               uint32_t doc_count, const uint32_t *docs, size_t n, uint64_t tokens,
                               sift_errmsg *err)
{
    char name[64];
    if (s->del_gen) {
        deletes_file_name(s->number, s->del_gen, name, sizeof name);
        publication_drop(p, name);
    }
    s->del_gen++;
    s->deleted = n;
    s->deleted_tokens += tokens;
    deletes_file_name(s->number, s->del_gen, name, sizeof name);
    publication_wrote(p, name);
    return deletes_write(p->dir, s->number, s->del_gen, doc_count, docs, n, err);
}

static void remove_all(const char *dir, const struct strlist *l)
{
    for (const char *name = strlist_first(l); name; name = strlist_next(l, name)) {
        char *path = path_join(dir, name);
        if (path) unlink(path);
        free(path);
    }
}

sift_err publication_end(struct publication *p, sift_err rc, sift_errmsg *err)
{
    if (!rc) rc = manifest_write(p->dir, &p->next, err);
    remove_all(p->dir, rc ? &p->written : &p->obsolete);
    strlist_free(&p->written);
    strlist_free(&p->obsolete);
    manifest_free(&p->next);
    return rc;
}
