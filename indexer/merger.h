/* merger.h -- one segment from the live documents of several: each
 * document re-analyzed from its stored record (docstore.h), in segment
 * order, into a new segment build. Simpler than merging postings and
 * obviously correct, at the cost of analysis time; the tiered policy
 * (merge_policy.h) keeps that work proportional to what changed, amortized. */
#ifndef SIFT_MERGER_H
#define SIFT_MERGER_H

#include <stddef.h>
#include <stdint.h>

#include <sift/sift.h>

struct schema;
struct doc_table;
struct sift_index;

struct merge_job {
    const struct sift_index *idx;   /* the committed index */
    const uint32_t *picked;         /* its segments to merge */
    size_t npicked;
    struct doc_table *table;        /* sources are mapped into its list */
    const char *tmp_prefix;         /* for the build's temporary files */
    size_t budget;                  /* inversion memory, bytes */
    unsigned threads;
    const char *language;
    struct schema *schema;          /* the writer's: the stored values are typed by it */
};

/* Write the merged segment to `path` (fsynced); *ndocs receives its
 * document count (0: every document was deleted, and no file is left). */
sift_err merger_run(const struct merge_job *job, const char *path, uint32_t *ndocs,
                    sift_errmsg *err);

#endif
