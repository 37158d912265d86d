/* segment_build.h -- one new segment being filled with documents: the
 * inverter, the document store and the per-document sections, turned into
 * a segment file by seg_build_finish. The writer uses one for its pending
 * documents and one per merge. */
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
#include "invert.h"
#include "strlist.h"
#include "surface_forms.h"
#include "token_pipe.h"

struct analyzer;

struct seg_build {
    char *tmp_prefix;
    struct inverter *inv;
    struct token_pipe *pipe;   /* the inverter on its own thread, or NULL */
    struct docstore_writer store;
    struct buf norms;    /* norms.h records */
    struct id_writer ids;
    struct buf meta;     /* doc_meta.h records */
    const struct schema *schema;     /* the writer's: the fields' names and types */
    struct columns_builder columns;
    struct surface_forms surfaces;   /* the words as written, with their stems */
    struct buf fields;   /* the open document's stored values */
    char *term;          /* a field term being made (TERM_MAX + 1 bytes) */
    unsigned threads;    /* for the final merge */
    uint32_t ndocs;
    uint64_t tokens, title_tokens;
    sift_err broken;     /* an error left the inverter mid-document: no more adds */
    char *piece;         /* the read buffer of streamed documents */
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

/* tmp_prefix names the temporary files ("DIR/tmp-PID-x-"). With threads
 * > 1 the inverter runs on a thread of its own (token_pipe.h), stemming
 * in `language` (the analyzer seg_build_add is given must be of it). */
sift_err seg_build_open(struct seg_build *b, const char *tmp_prefix, size_t budget,
                        unsigned threads, const char *language, const struct schema *schema,
                        sift_errmsg *err);
/* Analyze and add; *len receives the document's token count. When the
 * text's reader fails, the document is still added (its tokens may be in
 * spilled runs already) and SIFT_ERR_INPUT returned with *added true: the
 * caller deletes doc ndocs - 1. Other errors leave the build unusable. */
sift_err seg_build_add(struct seg_build *b, struct analyzer *an, const struct build_doc *d,
                       uint32_t *len, bool *added, sift_errmsg *err);
/* Write the segment file (fsynced). `sources` holds the source strings. */
sift_err seg_build_finish(struct seg_build *b, const char *path, const char *language,
                          const struct strlist *sources, sift_errmsg *err);
void seg_build_discard(struct seg_build *b);

#endif
