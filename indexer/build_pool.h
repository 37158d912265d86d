/* build_pool.h -- the analysis and inversion of a segment's documents, on
 * as many threads as asked.
 *
 * Documents come in order (segment_build.c writes their stored records,
 * ids and columns itself, on the caller's thread). With one thread each is
 * analyzed and inverted at once, as it comes. With more, documents are
 * copied into batches of about batch_bytes of text; a batch is analyzed,
 * inverted and spilled as runs (runs.h) by whichever context takes it
 * first: one of threads - 1 workers, or the caller's own when enough
 * batches wait (so that no thread idles while another reads ahead). What
 * a batch yields -- its documents' lengths and its runs -- is taken back in
 * batch order, and runs of consecutive document ranges merge by
 * concatenation, so the segment is byte for byte the same whatever the
 * number of threads or the size of the batches.
 *
 * Each context has its own analyzer (with the stem cache), inverter and
 * surface forms; the forms are summed at the end (each document is one
 * context's). A streamed document (its text read in pieces) is analyzed
 * on the caller's thread, between the batches before and after it.
 *
 * Errors of a worker arrive one call late: the next build_pool_add, or
 * build_pool_drain, returns the first. */
#ifndef SIFT_BUILD_POOL_H
#define SIFT_BUILD_POOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <sift/sift.h>

#include "bytes.h"

struct term_sink;
struct segment_writer;

/* Field entries of a document (build_pool_field): a term in a typed
 * field's own space, at position 0, or a text field's raw text. */
enum { FIELD_ENTRY_TERM = 1, FIELD_ENTRY_TEXT = 2 };

/* What analysis needs of a document. text is NULL when `read` streams it;
 * each piece read is handed to store_text before it is analyzed. */
struct doc_view {
    const char *title;
    size_t title_len;
    const char *text;
    uint64_t text_len;
    sift_read_fn read;
    void *read_ctx;
    sift_err (*store_text)(void *ctx, const char *p, size_t n, sift_errmsg *err);
    void *store_ctx;
    const uint8_t *fields;   /* build_pool_field entries */
    size_t fields_len;
};

/* Append a field entry to f: a ready term (kind FIELD_ENTRY_TERM) or a
 * text field's name and text (FIELD_ENTRY_TEXT). */
bool build_pool_field(struct buf *f, int kind, const char *name, const char *value, size_t len);

struct build_pool;

/* tmp_prefix names the contexts' run files; budget is shared by them. */
sift_err build_pool_open(struct build_pool **out, unsigned threads, const char *language,
                         const char *tmp_prefix, size_t budget, sift_errmsg *err);
/* Document number doc, the next in order. *short_read: a streamed text
 * ended or failed early (the document is still added, its text padded by
 * the caller's store). */
sift_err build_pool_add(struct build_pool *p, uint32_t doc, const struct doc_view *d, bool *short_read,
                        sift_errmsg *err);
/* Analyze what is left and wait for the workers: then the norms records
 * (norms.h) of every document, in order, and the token counts are known.
 * Stops the workers. */
sift_err build_pool_drain(struct build_pool *p, sift_errmsg *err);
const struct buf *build_pool_norms(const struct build_pool *p);
void build_pool_tokens(const struct build_pool *p, uint64_t *tokens, uint64_t *title_tokens);
/* After drain: the postings into sinks (inverter_merge), then the surface
 * forms into w. */
sift_err build_pool_merge(struct build_pool *p, const struct term_sink *sinks, unsigned nsinks, sift_errmsg *err);
sift_err build_pool_write_surfaces(struct build_pool *p, struct segment_writer *w, sift_errmsg *err);
void build_pool_free(struct build_pool *p);

#endif
