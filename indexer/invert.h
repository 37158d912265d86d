/* invert.h -- in-memory inversion under a memory budget.
 *
 * Documents arrive in increasing doc-id order as (term, position) tokens.
 * Postings accumulate in memory per term; when memory use passes the
 * budget they are written as a sorted run to a temporary file (runs.h)
 * and memory is reset. At the end the runs are merged term by term, in
 * term order, into term sinks (common/segment/segment_writer.h), so peak
 * memory stays near the budget whatever the corpus size.
 */
#ifndef SIFT_INVERT_H
#define SIFT_INVERT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <sift/sift.h>

struct inverter;

struct term_sink;   /* segment_writer.h: where the merge delivers */
struct run_list;    /* runs.h */

/* Temporary runs are files named tmp_prefix + "run-N". */
struct inverter *inverter_new(const char *tmp_prefix, size_t budget_bytes);
void inverter_free(struct inverter *inv);   /* also removes its run files */

/* Documents come one at a time, doc ids strictly increasing: begin, its
 * tokens in position order, end. A document whose tokens outgrow a part
 * of the budget is folded into postings so far and spilled as a run, so
 * one document may span runs (the merge joins its pieces): memory stays
 * near the budget whatever the size of a document. */
void inverter_begin_doc(struct inverter *inv, uint32_t doc);
sift_err inverter_add_token(struct inverter *inv, const char *term, size_t len, uint32_t pos,
                            sift_errmsg *err);
/* Fold the document's remaining tokens into postings; may spill a run. */
sift_err inverter_end_doc(struct inverter *inv, sift_errmsg *err);
/* Spill what is in memory as a run (nothing when it is empty). */
sift_err inverter_spill(struct inverter *inv, sift_errmsg *err);
/* Move the runs spilled so far, in order, to the end of `to`; false when
 * memory is short (they stay). */
bool inverter_take_runs(struct inverter *inv, struct run_list *to);
/* Merge everything into sinks (runs.h: more than one merges ranges of
 * terms on threads): the runs on disk and, as the last of them, the
 * postings still in memory, read in place. Call once, after the last
 * document. With _into, the runs of `earlier` (documents before inv's,
 * taken from other inverters) come first. */
sift_err inverter_merge(struct inverter *inv, const struct term_sink *sinks, unsigned nsinks, sift_errmsg *err);
sift_err inverter_merge_into(struct inverter *inv, struct run_list *earlier, const struct term_sink *sinks,
                             unsigned nsinks, sift_errmsg *err);

/* Bytes of memory held now, and the number of runs spilled so far. */
size_t inverter_memory(const struct inverter *inv);
unsigned inverter_runs(const struct inverter *inv);

#endif
