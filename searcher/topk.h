/* topk.h -- the k best (score, document) pairs, with a min-heap. Ties go
 * to the lower document number, so results are deterministic. */
#ifndef SIFT_TOPK_H
#define SIFT_TOPK_H

#include <math.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct scored {
    double score;
    uint64_t docno;   /* global document number */
    uint32_t seg, doc;
    uint64_t key;     /* the sort field's key (sortk.h), when has_key */
    bool has_key;
};

struct topk {
    struct scored *heap;
    size_t n, k;
};

/* k may be 0 (nothing is kept). Returns -1 when memory is short. */
int topk_init(struct topk *t, size_t k);
/* Whether a document with this score would enter now. */
static inline int topk_would_enter(const struct topk *t, double score, uint64_t docno)
{
    if (t->n < t->k) return 1;
    if (!t->k) return 0;   /* nothing is kept: the heap holds no worst entry */
    const struct scored *w = &t->heap[0];
    return score > w->score || (score == w->score && docno < w->docno);
}
/* The score a document must beat to enter: the k-th best once the heap
 * is full, -INFINITY before (and never for k = 0, which keeps nothing). */
static inline double topk_threshold(const struct topk *t)
{
    return t->k && t->n == t->k ? t->heap[0].score : -INFINITY;
}
void topk_push(struct topk *t, const struct scored *s);
/* Sort best first; the heap is consumed. */
void topk_sort(struct topk *t);
void topk_free(struct topk *t);

#endif
