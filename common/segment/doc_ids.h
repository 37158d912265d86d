/* doc_ids.h -- the external ids of a segment's documents (SEC_ID_INDEX and
 * SEC_IDS, layout in doc_ids.c): front-coded while documents arrive, read
 * back by document number. */
#ifndef SIFT_DOC_IDS_H
#define SIFT_DOC_IDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <sift/sift.h>

#include "bytes.h"
#include "segment.h"

#define ID_GROUP 16   /* ids front-coded in groups of this many */

struct id_writer {
    struct buf index;   /* SEC_ID_INDEX */
    struct buf ids;     /* SEC_IDS */
    struct buf prev;    /* the last id, for front coding */
    uint32_t n;
};

/* Add the id of document w->n. false when memory is short. */
bool id_writer_add(struct id_writer *w, const char *id, size_t len);
/* Close the index with the end offset, before writing the sections. */
bool id_writer_finish(struct id_writer *w);
void id_writer_free(struct id_writer *w);

/* Whether SEC_ID_INDEX has the size the document count needs. */
bool doc_ids_fit(const struct segment *s);

/* External id of a document, copied NUL-terminated into id (its length
 * in *len). */
sift_err segment_doc_id(const struct segment *s, uint32_t doc, char id[ID_MAX + 1], size_t *len,
                        sift_errmsg *err);

/* Every document's id in order, decoded group by group (a sixteenth of
 * the work of segment_doc_id per document): fn gets the document, its
 * NUL-terminated id and length; non-zero stops the walk. */
typedef int (*segment_id_fn)(void *ctx, uint32_t doc, const char *id, size_t len);
sift_err segment_ids_each(const struct segment *s, segment_id_fn fn, void *ctx, sift_errmsg *err);

#endif
