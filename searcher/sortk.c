/* sortk.c -- the heap of sortk.h. */
#include "sortk.h"

#include <stdlib.h>
#include <string.h>

#include "doc_ids.h"
#include "index.h"

/* -1, 0, 1: a's key before, level with, after b's in the sort order. */
static int key_order(const struct sortk *t, bool ha, uint64_t a, bool hb, uint64_t b)
{
    if (ha != hb) return ha ? -1 : 1;   /* the documents without the field last */
    if (!ha || a == b) return 0;
    return (a < b) == !t->desc ? -1 : 1;
}

static int id_order(struct sortk *t, const struct scored *a, const struct scored *b)
{
    char ia[ID_MAX + 1], ib[ID_MAX + 1];
    size_t la, lb;
    sift_errmsg err;
    if (segment_doc_id(&t->idx->segs[a->seg], a->doc, ia, &la, &err) ||
        segment_doc_id(&t->idx->segs[b->seg], b->doc, ib, &lb, &err)) {
        t->rc = SIFT_ERR_CORRUPT;
        return a->docno < b->docno ? -1 : a->docno > b->docno;
    }
    int c = strcmp(ia, ib);
    return c ? c : (a->docno < b->docno ? -1 : a->docno > b->docno);
}

/* a goes after b */
static bool worse(struct sortk *t, const struct scored *a, const struct scored *b)
{
    int k = key_order(t, a->has_key, a->key, b->has_key, b->key);
    if (k) return k > 0;
    if (a->score != b->score) return a->score < b->score;
    return id_order(t, a, b) > 0;
}

int sortk_init(struct sortk *t, size_t k, bool desc, const sift_index *idx)
{
    memset(t, 0, sizeof *t);
    t->k = k;
    t->desc = desc;
    t->idx = idx;
    t->heap = malloc((k ? k : 1) * sizeof *t->heap);
    return t->heap ? 0 : -1;
}

bool sortk_could_enter(const struct sortk *t, bool has, uint64_t key)
{
    if (t->n < t->k) return true;
    if (!t->k) return false;
    const struct scored *w = &t->heap[0];
    return key_order(t, has, key, w->has_key, w->key) <= 0;
}

static void sift_down(struct sortk *t, size_t n, size_t i)
{
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, m = i;
        if (l < n && worse(t, &t->heap[l], &t->heap[m])) m = l;
        if (r < n && worse(t, &t->heap[r], &t->heap[m])) m = r;
        if (m == i) return;
        struct scored tmp = t->heap[i];
        t->heap[i] = t->heap[m];
        t->heap[m] = tmp;
        i = m;
    }
}

void sortk_push(struct sortk *t, const struct scored *s)
{
    if (!t->k) return;
    if (t->n < t->k) {
        size_t i = t->n++;
        t->heap[i] = *s;
        while (i && worse(t, &t->heap[i], &t->heap[(i - 1) / 2])) {
            struct scored tmp = t->heap[i];
            t->heap[i] = t->heap[(i - 1) / 2];
            t->heap[(i - 1) / 2] = tmp;
            i = (i - 1) / 2;
        }
        return;
    }
    if (!worse(t, &t->heap[0], s)) return;   /* no better than the worst kept */
    t->heap[0] = *s;
    sift_down(t, t->n, 0);
}

void sortk_sort(struct sortk *t)
{
    for (size_t n = t->n; n > 1; n--) {
        struct scored tmp = t->heap[0];
        t->heap[0] = t->heap[n - 1];
        t->heap[n - 1] = tmp;
        sift_down(t, n - 1, 0);
    }
}

void sortk_free(struct sortk *t)
{
    free(t->heap);
    t->heap = NULL;
    t->n = t->k = 0;
}
