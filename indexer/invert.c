/* invert.c -- term table, postings chunks, spilling them as sorted runs.
 *
 * In memory, each term owns a chain of chunks holding its postings as
 * varints, per document: doc gap (doc - previous doc - 1, the first
 * relative to -1), tf, then tf position gaps (the first from 0): the run
 * format's payload (runs.h), so a spill writes the chains as they are and
 * a merge reads what is still in memory in place, as the last run. A
 * document too large for the budget is spilled in pieces: then a run's
 * last document may be the next run's first, and the merge joins them.
 */
#include "invert.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bytes.h"
#include "error.h"
#include "hash.h"
#include "runs.h"
#include "strmap.h"

#define SLAB_SIZE (1u << 20)
#define CHUNK_FIRST 24
#define CHUNK_MAX 4096

struct chunk {
    struct chunk *next;
    uint32_t cap, used;
    uint8_t data[];
};

struct term {
    uint64_t str_off;      /* in the term arena */
    uint32_t len;
    struct chunk *head, *tail;
    uint32_t df;
    int64_t last_doc;      /* -1 before the first document */
};

struct slab {
    struct slab *next;
    size_t used;
    uint8_t data[];
};

struct inverter {
    char *tmp_prefix;
    size_t budget;
    struct term *terms;
    uint32_t nterms, cap_terms;
    struct strmap map;     /* term bytes -> index in terms */
    struct buf arena;      /* term bytes */
    struct slab *slabs;
    size_t slab_bytes;
    uint64_t *doc_tokens;  /* (term index << 32 | position) of the current doc */
    uint64_t *sort_tmp;    /* radix sort space, for documents of <= SORT_TMP_MAX tokens */
    size_t cap_sort_tmp;
    size_t ndoc_tokens, cap_doc_tokens;
    size_t fold_tokens;    /* a document this long is folded and spilled in pieces */
    uint32_t doc;          /* the open document */
    struct run_list runs;  /* spilled, in document order */
    unsigned next_run;     /* file numbers used so far */
};

struct inverter *inverter_new(const char *tmp_prefix, size_t budget_bytes)
{
    struct inverter *inv = calloc(1, sizeof *inv);
    if (!inv) return NULL;
    inv->tmp_prefix = strdup(tmp_prefix);
    inv->budget = budget_bytes;
    /* the tokens and their sort space take at most a quarter of the budget */
    inv->fold_tokens = budget_bytes / 8 / sizeof(uint64_t);
    if (inv->fold_tokens < 4096) inv->fold_tokens = 4096;
    if (!inv->tmp_prefix || !strmap_init(&inv->map, 1u << 14)) {
        inverter_free(inv);
        return NULL;
    }
    return inv;
}

static void run_path(const struct inverter *inv, unsigned k, char *buf, size_t size)
{
    snprintf(buf, size, "%srun-%u", inv->tmp_prefix, k);
}

static void reset_memory(struct inverter *inv)
{
    for (struct slab *s = inv->slabs, *n; s; s = n) {
        n = s->next;
        free(s);
    }
    inv->slabs = NULL;
    inv->slab_bytes = 0;
    inv->nterms = 0;
    inv->arena.len = 0;
    strmap_clear(&inv->map);
}

void inverter_free(struct inverter *inv)
{
    if (!inv) return;
    run_list_free(&inv->runs);
    reset_memory(inv);
    free(inv->terms);
    strmap_free(&inv->map);
    buf_free(&inv->arena);
    free(inv->doc_tokens);
    free(inv->sort_tmp);
    free(inv->tmp_prefix);
    free(inv);
}

size_t inverter_memory(const struct inverter *inv)
{
    return inv->slab_bytes + (size_t)inv->cap_terms * sizeof(struct term) +
           strmap_bytes(&inv->map) + inv->arena.cap +
           (inv->cap_doc_tokens + inv->cap_sort_tmp) * sizeof(uint64_t);
}

unsigned inverter_runs(const struct inverter *inv) { return inv->runs.n; }

/* ---------------------------------------------------------- term table */

static const void *term_key(const void *ctx, uint32_t i, size_t *len)
{
    const struct inverter *inv = ctx;
    *len = inv->terms[i].len;
    return inv->arena.data + inv->terms[i].str_off;
}

/* Index of the term, added when new; UINT32_MAX when memory is short. */
static uint32_t term_id(struct inverter *inv, const char *s, size_t n)
{
    uint32_t h = hash_fnv1a(s, n), slot = 0;
    uint32_t id = strmap_find(&inv->map, s, n, h, term_key, inv, &slot);
    if (id != STRMAP_NONE) return id;
    if (inv->nterms == inv->cap_terms) {
        uint32_t cap = inv->cap_terms ? inv->cap_terms * 2 : 1024;
        struct term *t = realloc(inv->terms, cap * sizeof *t);
        if (!t) return UINT32_MAX;
        inv->terms = t;
        inv->cap_terms = cap;
    }
    uint64_t off = inv->arena.len;
    if (!buf_append(&inv->arena, s, n)) return UINT32_MAX;
    id = inv->nterms++;
    inv->terms[id] = (struct term){ off, (uint32_t)n, NULL, NULL, 0, -1 };
    return strmap_put(&inv->map, slot, h, id) ? id : UINT32_MAX;
}

/* -------------------------------------------------------- chunk chains */

static struct chunk *chunk_new(struct inverter *inv, uint32_t cap)
{
    size_t need = sizeof(struct chunk) + cap;
    need = (need + 15) & ~(size_t)15;
    if (!inv->slabs || inv->slabs->used + need > SLAB_SIZE) {
        struct slab *s = malloc(sizeof *s + SLAB_SIZE);
        if (!s) return NULL;
        s->next = inv->slabs;
        s->used = 0;
        inv->slabs = s;
        inv->slab_bytes += sizeof *s + SLAB_SIZE;
    }
    struct chunk *c = (struct chunk *)(inv->slabs->data + inv->slabs->used);
    inv->slabs->used += need;
    c->next = NULL;
    c->cap = cap;
    c->used = 0;
    return c;
}

static bool chain_append(struct inverter *inv, struct term *t, const uint8_t *p, size_t n)
{
    while (n) {
        if (!t->tail || t->tail->used == t->tail->cap) {
            uint32_t cap = t->tail ? t->tail->cap * 2 : CHUNK_FIRST;
            if (cap > CHUNK_MAX) cap = CHUNK_MAX;
            struct chunk *c = chunk_new(inv, cap);
            if (!c) return false;
            if (t->tail) t->tail->next = c;
            else t->head = c;
            t->tail = c;
        }
        struct chunk *c = t->tail;
        size_t k = c->cap - c->used;
        if (k > n) k = n;
        memcpy(c->data + c->used, p, k);
        c->used += (uint32_t)k;
        p += k;
        n -= k;
    }
    return true;
}

/* In-place quicksort of whole keys (id, then position), for documents too
 * large to sort with a copy beside them: no extra memory but the stack. */
static void sort_in_place(uint64_t *a, size_t n)
{
    while (n > 16) {
        uint64_t x = a[0], y = a[n / 2], z = a[n - 1];
        uint64_t pivot = x < y ? (y < z ? y : (x < z ? z : x)) : (x < z ? x : (y < z ? z : y));
        size_t i = 0, j = n - 1;
        for (;;) {
            while (a[i] < pivot) i++;
            while (a[j] > pivot) j--;
            if (i >= j) break;
            uint64_t t = a[i];
            a[i++] = a[j];
            a[j--] = t;
        }
        /* recurse into the smaller side, loop on the larger: depth O(log n) */
        if (j + 1 < n - j - 1) {
            sort_in_place(a, j + 1);
            a += j + 1;
            n -= j + 1;
        } else {
            sort_in_place(a + j + 1, n - j - 1);
            n = j + 1;
        }
    }
    for (size_t i = 1; i < n; i++) {
        uint64_t v = a[i];
        size_t k = i;
        for (; k > 0 && a[k - 1] > v; k--) a[k] = a[k - 1];
        a[k] = v;
    }
}

#define SORT_TMP_MAX ((size_t)1 << 20)

/* Sort a document's (term id << 32 | position) tokens by term id. They
 * arrive in position order, so a stable sort on the id alone leaves each
 * term's positions ascending: an LSD radix sort over the id's bytes (only
 * as many passes as the largest id needs; tmp holds n), or insertion for
 * short documents. qsort's comparator calls were 9% of indexing. */
static void sort_tokens(uint64_t *a, uint64_t *tmp, size_t n)
{
    if (n <= 48) {
        for (size_t i = 1; i < n; i++) {
            uint64_t v = a[i];
            size_t j = i;
            for (; j > 0 && (a[j - 1] >> 32) > (v >> 32); j--) a[j] = a[j - 1];
            a[j] = v;
        }
        return;
    }
    uint32_t max = 0;
    for (size_t i = 0; i < n; i++)
        if ((uint32_t)(a[i] >> 32) > max) max = (uint32_t)(a[i] >> 32);
    for (unsigned shift = 32; shift < 64 && (max >> (shift - 32)); shift += 8) {
        size_t count[256] = { 0 };
        for (size_t i = 0; i < n; i++) count[(a[i] >> shift) & 255]++;
        size_t sum = 0;
        for (unsigned b = 0; b < 256; b++) {
            size_t c = count[b];
            count[b] = sum;
            sum += c;
        }
        for (size_t i = 0; i < n; i++) tmp[count[(a[i] >> shift) & 255]++] = a[i];
        memcpy(a, tmp, n * sizeof *a);
    }
}

/* Append a varint to the term's chain, in place when the chunk has room. */
static bool chain_varint(struct inverter *inv, struct term *t, uint64_t v)
{
    struct chunk *c = t->tail;
    if (c && c->cap - c->used >= 10) {
        c->used += (uint32_t)varint_put(c->data + c->used, v);
        return true;
    }
    uint8_t tmp[10];
    return chain_append(inv, t, tmp, varint_put(tmp, v));
}

static sift_err spill(struct inverter *inv, sift_errmsg *err);

/* Fold the open document's tokens so far into its terms' chains. */
static sift_err fold(struct inverter *inv, sift_errmsg *err)
{
    size_t n = inv->ndoc_tokens;
    if (n > SORT_TMP_MAX) {
        sort_in_place(inv->doc_tokens, n);
    } else {
        if (n > 48 && n > inv->cap_sort_tmp) {
            size_t cap = inv->cap_sort_tmp ? inv->cap_sort_tmp : 4096;
            while (cap < n) cap *= 2;
            uint64_t *t = realloc(inv->sort_tmp, cap * sizeof *t);
            if (!t) return sift_fail(err, SIFT_ERR_NOMEM, "out of memory while inverting");
            inv->sort_tmp = t;
            inv->cap_sort_tmp = cap;
        }
        sort_tokens(inv->doc_tokens, inv->sort_tmp, n);
    }
    uint32_t doc = inv->doc;
    for (size_t i = 0; i < n;) {
        uint32_t id = (uint32_t)(inv->doc_tokens[i] >> 32);
        size_t j = i;
        while (j < n && (uint32_t)(inv->doc_tokens[j] >> 32) == id) j++;
        struct term *t = &inv->terms[id];
        bool ok = chain_varint(inv, t, (uint64_t)((int64_t)doc - t->last_doc - 1));
        ok = ok && chain_varint(inv, t, j - i);
        uint32_t prev = 0;
        for (size_t k = i; ok && k < j; k++) {
            uint32_t pos = (uint32_t)inv->doc_tokens[k];
            ok = chain_varint(inv, t, pos - prev);
            prev = pos;
        }
        if (!ok) return sift_fail(err, SIFT_ERR_NOMEM, "out of memory while inverting");
        t->df++;
        t->last_doc = doc;
        i = j;
    }
    inv->ndoc_tokens = 0;
    return SIFT_OK;
}

void inverter_begin_doc(struct inverter *inv, uint32_t doc)
{
    inv->doc = doc;
    inv->ndoc_tokens = 0;
}

sift_err inverter_add_token(struct inverter *inv, const char *term, size_t len, uint32_t pos,
                            sift_errmsg *err)
{
    if (inv->ndoc_tokens == inv->fold_tokens) {
        /* a huge document: its piece so far goes to a run of its own, and
         * the document goes on in the next (a chain holds one entry per
         * document, so a piece is never followed by another in memory) */
        sift_err rc = fold(inv, err);
        if (!rc) rc = spill(inv, err);
        if (rc) return rc;
    }
    uint32_t id = term_id(inv, term, len);
    if (id == UINT32_MAX) return sift_fail(err, SIFT_ERR_NOMEM, "out of memory while inverting");
    if (inv->ndoc_tokens == inv->cap_doc_tokens) {
        size_t cap = inv->cap_doc_tokens ? inv->cap_doc_tokens * 2 : 4096;
        if (cap > inv->fold_tokens) cap = inv->fold_tokens;
        uint64_t *d = realloc(inv->doc_tokens, cap * sizeof *d);
        if (!d) return sift_fail(err, SIFT_ERR_NOMEM, "out of memory while inverting");
        inv->doc_tokens = d;
        inv->cap_doc_tokens = cap;
    }
    inv->doc_tokens[inv->ndoc_tokens++] = (uint64_t)id << 32 | pos;
    return SIFT_OK;
}

sift_err inverter_end_doc(struct inverter *inv, sift_errmsg *err)
{
    sift_err rc = fold(inv, err);
    if (rc) return rc;
    if (inverter_memory(inv) > inv->budget) return spill(inv, err);
    return SIFT_OK;
}

/* ---------------------------------------------------------------- runs */

static int cmp_terms(const void *a, const void *b, void *ctx)
{
    const struct inverter *inv = ctx;
    const struct term *x = &inv->terms[*(const uint32_t *)a];
    const struct term *y = &inv->terms[*(const uint32_t *)b];
    size_t n = x->len < y->len ? x->len : y->len;
    int c = memcmp(inv->arena.data + x->str_off, inv->arena.data + y->str_off, n);
    if (c) return c;
    return x->len < y->len ? -1 : x->len > y->len;
}

/* The terms in memory in byte order (the order runs are written in). */
static uint32_t *sorted_terms(struct inverter *inv)
{
    uint32_t *order = malloc((inv->nterms ? inv->nterms : 1) * sizeof *order);
    if (!order) return NULL;
    for (uint32_t i = 0; i < inv->nterms; i++) order[i] = i;
    qsort_r(order, inv->nterms, sizeof *order, cmp_terms, inv);
    return order;
}

static sift_err spill(struct inverter *inv, sift_errmsg *err)
{
    uint32_t *order = sorted_terms(inv);
    if (!order) return sift_fail(err, SIFT_ERR_NOMEM, "out of memory while spilling a run");
    char path[4096];
    run_path(inv, inv->next_run++, path, sizeof path);
    struct run_writer w;
    sift_err rc = run_writer_open(&w, path, err);
    for (uint32_t i = 0; !rc && i < inv->nterms; i++) {
        const struct term *t = &inv->terms[order[i]];
        uint64_t bytes = 0;
        for (const struct chunk *c = t->head; c; c = c->next) bytes += c->used;
        run_writer_term(&w, (const char *)inv->arena.data + t->str_off, t->len, t->df, bytes);
        for (const struct chunk *c = t->head; c; c = c->next) run_writer_payload(&w, c->data, c->used);
    }
    free(order);
    if (!rc) rc = run_writer_close(&w, &inv->runs, err);
    reset_memory(inv);
    return rc;
}

sift_err inverter_spill(struct inverter *inv, sift_errmsg *err)
{
    return inv->nterms ? spill(inv, err) : SIFT_OK;
}

bool inverter_take_runs(struct inverter *inv, struct run_list *to)
{
    return run_list_move(to, &inv->runs);
}

/* --------------------------------------------------------------- merge */

/* The terms in memory, for runs_merge: sorted once (mem_order). */
struct mem_view {
    const struct inverter *inv;
    const uint32_t *order;
};

static void mem_term(const void *ctx, uint32_t i, const char **bytes, size_t *len, uint32_t *df,
                     const void **chunk)
{
    const struct mem_view *v = ctx;
    const struct term *t = &v->inv->terms[v->order[i]];
    *bytes = (const char *)v->inv->arena.data + t->str_off;
    *len = t->len;
    *df = t->df;
    *chunk = t->head;
}

static const void *mem_chunk(const void *chunk, const uint8_t **data, size_t *len)
{
    const struct chunk *c = chunk;
    *data = c->data;
    *len = c->used;
    return c->next;
}

static uint64_t mem_payload(const void *ctx, uint32_t i)
{
    const struct mem_view *v = ctx;
    uint64_t bytes = 0;
    for (const struct chunk *c = v->inv->terms[v->order[i]].head; c; c = c->next) bytes += c->used;
    return bytes;
}

sift_err inverter_merge_into(struct inverter *inv, struct run_list *earlier, const struct term_sink *sinks,
                             unsigned nsinks, sift_errmsg *err)
{
    /* what is still in memory joins the merge as it is: spilling it to be
     * read back cost a fifth of indexing the passages */
    uint32_t *order = inv->nterms ? sorted_terms(inv) : NULL;
    if (inv->nterms && !order) return sift_fail(err, SIFT_ERR_NOMEM, "out of memory while merging");
    struct run_list all = { 0 };
    sift_err rc = SIFT_OK;
    if ((earlier && !run_list_move(&all, earlier)) || !run_list_move(&all, &inv->runs))
        rc = sift_fail(err, SIFT_ERR_NOMEM, "out of memory while merging");
    struct mem_view view = { inv, order };
    struct mem_terms mem = { &view, inv->nterms, mem_term, mem_chunk, mem_payload };
    if (!rc) rc = runs_merge(&all, inv->nterms ? &mem : NULL, inv->tmp_prefix, sinks, nsinks, err);
    run_list_free(&all);
    free(order);
    return rc;
}

sift_err inverter_merge(struct inverter *inv, const struct term_sink *sinks, unsigned nsinks, sift_errmsg *err)
{
    return inverter_merge_into(inv, NULL, sinks, nsinks, err);
}
