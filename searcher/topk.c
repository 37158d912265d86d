/* topk.c -- bounded min-heap of the best hits. */
#include "topk.h"

#include <stdlib.h>

/* a is worse than b */
static int worse(const struct scored *a, const struct scored *b)
{
    return a->score < b->score || (a->score == b->score && a->docno > b->docno);
}

int topk_init(struct topk *t, size_t k)
{
    t->n = 0;
    t->k = k;
    t->heap = malloc((k ? k : 1) * sizeof *t->heap);
    return t->heap ? 0 : -1;
}

static void sift_down(struct scored *h, size_t n, size_t i)
{
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, m = i;
        if (l < n && worse(&h[l], &h[m])) m = l;
        if (r < n && worse(&h[r], &h[m])) m = r;
        if (m == i) return;
        struct scored tmp = h[i];
        h[i] = h[m];
        h[m] = tmp;
        i = m;
    }
}

void topk_push(struct topk *t, const struct scored *s)
{
    if (!topk_would_enter(t, s->score, s->docno)) return;
    if (t->n < t->k) {
        size_t i = t->n++;
        t->heap[i] = *s;
        while (i && worse(&t->heap[i], &t->heap[(i - 1) / 2])) {
            struct scored tmp = t->heap[i];
            t->heap[i] = t->heap[(i - 1) / 2];
            t->heap[(i - 1) / 2] = tmp;
            i = (i - 1) / 2;
        }
    } else {
        t->heap[0] = *s;
        sift_down(t->heap, t->n, 0);
    }
}

void topk_sort(struct topk *t)
{
    /* heap sort: repeatedly move the worst to the end */
    for (size_t n = t->n; n > 1; n--) {
        struct scored tmp = t->heap[0];
        t->heap[0] = t->heap[n - 1];
        t->heap[n - 1] = tmp;
        sift_down(t->heap, n - 1, 0);
    }
}

void topk_free(struct topk *t)
{
    free(t->heap);
    t->heap = NULL;
    t->n = t->k = 0;
}
