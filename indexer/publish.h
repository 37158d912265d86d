/* publish.h -- how a writer changes an index on disk: one writer at a time
 * (write.lock), the debris of dead writers removed, new files written and
 * fsynced, then a new manifest renamed into place, and only then the files
 * the old generation alone named unlinked.
 *
 * Files in an index directory (their names: common/segment/manifest.h):
 *   manifest            the live segments and their deletions
 *   seg-NNNNNN.sift     immutable segment files
 *   del-NNNNNN-G.del    deletions of segment NNNNNN, generation G
 *   write.lock          flock()ed by the one writer; the kernel drops the
 *                       lock when its process dies, so a stale file never
 *                       blocks a later writer
 *   tmp-PID-*           a writer's temporary files; removed on close, and
 *                       by the next writer if its process died
 *
 * Readers see the old or the new generation, never a mix. A reader that
 * opened the old generation has its segments mapped and its deletions in
 * memory, so it keeps a consistent view (an unlinked file lives on while
 * mapped); a reader caught between reading the manifest and opening a file
 * that was just removed retries with the new manifest (index.c).
 */
#ifndef SIFT_PUBLISH_H
#define SIFT_PUBLISH_H

#include <stddef.h>
#include <stdint.h>

#include <sift/sift.h>

#include "manifest.h"
#include "strlist.h"

/* Take DIR/write.lock; SIFT_ERR_LOCKED when another writer holds it. */
sift_err publish_lock(const char *dir, int *fd, sift_errmsg *err);

/* Remove temporary files of dead writers and files no manifest names (left
 * by a crash between writing and publishing); m may be NULL (no index). */
void publish_remove_debris(const char *dir, const struct manifest *m);

/* A segment number no file uses: a reader may still map a segment that no
 * manifest names any more, so numbers are never reused. */
uint64_t publish_next_number(const char *dir, const struct manifest *m);

/* One change of generation: the files written for it and the files only
 * the old generation used. */
struct publication {
    const char *dir;
    struct manifest next;     /* the new generation (segs malloc'ed) */
    struct strlist written;   /* removed when publishing fails */
    struct strlist obsolete;  /* removed once the new manifest is in place */
};

/* A publication of generation current->generation + 1 with room for
 * `extra` segments beyond the current ones. */
sift_err publication_begin(struct publication *p, const char *dir, const struct manifest *current,
                           uint32_t extra, sift_errmsg *err);
/* Name a file written for the new generation / one it no longer needs. */
void publication_wrote(struct publication *p, const char *name);
void publication_drop(struct publication *p, const char *name);
/* Segment s of the current generation (with its deletions file) is not
 * in the new one. */
void publication_drop_segment(struct publication *p, const struct manifest_segment *s);
/* Write deletions generation s->del_gen + 1 of segment s (docs ascending,
 * n of them, tokens their total length) and record it in *s. */
sift_err publication_deletions(struct publication *p, struct manifest_segment *s,
                               uint32_t doc_count, const uint32_t *docs, size_t n, uint64_t tokens,
                               sift_errmsg *err);
/* When rc is SIFT_OK, write the manifest; then remove the obsolete files on
 * success, the written ones on failure. Frees p. Returns the outcome. */
sift_err publication_end(struct publication *p, sift_err rc, sift_errmsg *err);

#endif
