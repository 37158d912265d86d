/* sortk.h -- the k best documents by a field (--sort), for sorted top-k:
 * a heap ordered by the field's key (ascending or descending; documents
 * without the field after every other), then the score (higher first),
 * then the external id. The searcher asks could_enter before it confirms
 * or scores a candidate, per column block and per document, so a sort
 * never scores what cannot enter (search.c). */
#ifndef SIFT_SORTK_H
#define SIFT_SORTK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <sift/sift.h>

#include "topk.h"

struct sortk {
    struct scored *heap;       /* heap[0] the worst kept */
    size_t n, k;
    bool desc;
    const sift_index *idx;     /* for the ids that break ties */
    sift_err rc;               /* an id could not be read */
};

int sortk_init(struct sortk *t, size_t k, bool desc, const sift_index *idx);
/* Whether a document whose key is `key` (has: it has one) could enter. */
bool sortk_could_enter(const struct sortk *t, bool has, uint64_t key);
void sortk_push(struct sortk *t, const struct scored *s);
/* Best first into the heap's array; the heap is consumed. */
void sortk_sort(struct sortk *t);
void sortk_free(struct sortk *t);

#endif
