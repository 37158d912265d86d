/* global_stats.h -- sift_stats: what one query needs of an index's
 * statistics to score as if every shard were one index, collected per
 * shard, summed, and handed to the binder of each (sift.h documents the
 * calls; the encoding is drawn in global_stats.c).
 *
 * The binder (query_bind.c) reads it in two ways. Collecting, it records
 * every term it bound with the shard's document frequencies, and every
 * expansion (a prefix, a fuzzy word) with the terms it found, in the order
 * it met them. Reading the sum, it takes document frequencies and the
 * collection's counts from it, and expands the i-th prefix or fuzzy word
 * over the i-th expansion's terms, the union over the shards, instead of
 * its own dictionary: every shard then searches the same terms with the
 * same weights. */
#ifndef SIFT_GLOBAL_STATS_H
#define SIFT_GLOBAL_STATS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <sift/sift.h>

#include "strlist.h"

enum gs_kind { GS_PREFIX = 1, GS_FUZZY = 2 };

/* A query's statistics in the making: text and flags as parsed, the
 * shard's counts and language. NULL when memory is short. */
sift_stats *gs_new(const char *text, unsigned flags, const sift_index *idx);

/* Record term's live document frequency (for idf) or its frequency with
 * deletions (what fuzzy expansion ranks by). false when memory is short. */
bool gs_set_live(sift_stats *st, const char *term, size_t len, uint64_t df);
bool gs_set_raw(sift_stats *st, const char *term, size_t len, uint64_t df);
/* Open the next expansion, then add its terms. */
bool gs_expansion_begin(sift_stats *st, enum gs_kind kind);
bool gs_expansion_add(sift_stats *st, const char *term, size_t len);

/* Reading a sum: the counts, a term's frequencies (0 when no shard has
 * it), and the i-th expansion's terms (into out, with their frequencies
 * with deletions into *dfs, malloc'd): none when st has no i-th expansion
 * of this kind, *matched false (a reading the lenient parser will discard,
 * or statistics of another reading: the binder refuses it at the end). false when
 * memory is short. */
void gs_counts(const sift_stats *st, uint64_t *docs, uint64_t *tokens, uint64_t *title_tokens);
uint64_t gs_live_df(const sift_stats *st, const char *term, size_t len);
bool gs_expansion(const sift_stats *st, size_t i, enum gs_kind kind, struct strlist *out, uint64_t **dfs,
                  bool *matched);
size_t gs_expansion_count(const sift_stats *st);
/* Whether st was collected for this text and these flags. */
bool gs_matches(const sift_stats *st, const char *text, unsigned flags);

#endif
