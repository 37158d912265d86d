/* runs.h -- sorted runs of postings on disk, and their merge into term
 * sinks, on several threads when asked.
 *
 * A run file holds terms in byte order, each as
 *   varint term length, term bytes, varint df, varint payload length,
 *   payload: per document, varint doc gap (doc - previous doc - 1, the
 *   first relative to -1), varint tf, then tf varint position gaps (the
 *   first from 0).
 * The runs of a list cover increasing document ranges, so merging a term
 * is concatenating its payloads in list order -- except that a document
 * spilled in pieces (invert.h) may be a run's last and the next one's
 * first; the merge joins the two entries. Every RUN_INDEX_EVERY-th term's
 * offset is kept in memory beside the file, so that a merge of a range of
 * terms starts reading each run near the range's first term.
 */
#ifndef SIFT_RUNS_H
#define SIFT_RUNS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <sift/sift.h>

#include "bytes.h"

struct term_sink;   /* segment_writer.h */

#define RUN_INDEX_EVERY 128

struct run_file {
    char *path;
    uint64_t bytes;
    struct buf index;     /* every RUN_INDEX_EVERY-th term: u64 offset, u16 length, its bytes */
    uint32_t *at;         /* where each entry starts in index */
    uint32_t nat, cap_at;
};

/* Runs in document order; a list owns its files and removes them. */
struct run_list {
    struct run_file *f;
    unsigned n, cap;
};

void run_list_free(struct run_list *l);
/* Append from's runs to to's, in order; from is left empty. */
bool run_list_move(struct run_list *to, struct run_list *from);

/* Writing one run: open, then per term in byte order run_writer_term and
 * exactly payload_len bytes of payload, then close, which appends the run
 * to a list (or removes the file on failure). */
struct run_writer {
    FILE *f;
    struct run_file rf;
    uint64_t nterms;
};

sift_err run_writer_open(struct run_writer *w, const char *path, sift_errmsg *err);
void run_writer_term(struct run_writer *w, const char *term, size_t len, uint32_t df, uint64_t payload_len);
void run_writer_payload(struct run_writer *w, const void *p, size_t n);
sift_err run_writer_close(struct run_writer *w, struct run_list *to, sift_errmsg *err);

/* Terms still in memory (invert.c), the last source of a merge, read in
 * place: term i of their byte order, and its payload in chunks. */
struct mem_terms {
    const void *ctx;
    uint32_t n;
    void (*term)(const void *ctx, uint32_t i, const char **bytes, size_t *len, uint32_t *df,
                 const void **chunk);
    /* a chunk's bytes; returns the next chunk or NULL */
    const void *(*chunk)(const void *chunk, const uint8_t **data, size_t *len);
    /* the payload bytes of term i (to split the work) */
    uint64_t (*payload)(const void *ctx, uint32_t i);
};

/* Merge the runs of l, then mem's terms (mem may be NULL), into sinks:
 * with nsinks > 1 the terms are cut into nsinks consecutive ranges of
 * about equal payload, each merged on a thread of its own into its sink
 * (sinks[0] on the caller's). More than MERGE_FAN_IN runs are first
 * merged into fewer, into files named tmp_prefix + "merge-N" that join l.
 * Errors of a sink are in the sink's own message; err may be left empty. */
sift_err runs_merge(struct run_list *l, const struct mem_terms *mem, const char *tmp_prefix,
                    const struct term_sink *sinks, unsigned nsinks, sift_errmsg *err);

#endif
