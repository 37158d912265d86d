/* segment_build.h -- one new segment being filled with documents: their
 * analysis and inversion (build_pool.h, on as many threads as asked), the
 * document store and the per-document sections, turned into a segment
 * file by seg_build_finish. The writer uses one for its pending documents
 * and one per merge. */
#ifndef SIFT_SEGMENT_BUILD_H
#define SIFT_SEGMENT_BUILD_H

#include <stdbool.h>
#include <stdint.h>

#include <sift/sift.h>

#include "bytes.h"
#include "doc_ids.h"
#include "doc_meta.h"
#include "columns.h"
#include "doc_fields.h"
#include "docstore.h"
#include "build_pool.h"
#include "strlist.h"

struct seg_build {
    char *tmp_prefix;
    struct build_pool *pool;
    struct docstore_writer store;
    struct id_writer ids;
    struct buf meta;     /* doc_meta.h records */
    const struct schema *schema;     /* the writer's: the fields' names and types */
    struct columns_builder columns;
    struct buf fields;   /* the open document's stored values */
    struct buf entries;  /* and its field entries for analysis (build_pool_field) */
    unsigned threads;
    uint32_t ndocs;
    sift_err broken;     /* an error left a document half added: no more adds */
};

struct build_doc {
    const char *id, *title, *path;
    const char *text;        /* NULL when `read` streams it */
    uint64_t text_len;
    sift_read_fn read;
    void *read_ctx;
    struct doc_meta meta;    /* source is an index into the writer's sources */
    const struct field_values *fields;   /* may be NULL */
};

/* tmp_prefix names the temporary files ("DIR/tmp-PID-x-"); documents are
 * analyzed in `language` on `threads` threads (build_pool.h), and the
 * final merge uses as many. */
sift_err seg_build_open(struct seg_build *b, const char *tmp_prefix, size_t budget,
                        unsigned threads, const char *language, const struct schema *schema,
                        sift_errmsg *err);
/* Add (its analysis may happen later, on another thread). When the text's
 * reader fails, the document is still added (its tokens may be in spilled
 * runs already) and SIFT_ERR_INPUT returned with *added true: the caller
 * deletes doc ndocs - 1. Other errors leave the build unusable; a
 * worker's may be returned by a later call. */
sift_err seg_build_add(struct seg_build *b, const struct build_doc *d, bool *added, sift_errmsg *err);
/* After seg_build_finish: the tokens of documents docs[0..n). */
uint64_t seg_build_tokens_of(const struct seg_build *b, const uint32_t *docs, size_t n);
/* Write the segment file (fsynced). `sources` holds the source strings. */
sift_err seg_build_finish(struct seg_build *b, const char *path, const char *language,
                          const struct strlist *sources, sift_errmsg *err);
void seg_build_discard(struct seg_build *b);

#endif
