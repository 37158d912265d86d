/* invert.c -- term table, postings chunks, sorted runs and their merge.
 *
 * In memory, each term owns a chain of chunks holding its postings as
 * varints, per document: doc gap (doc - previous doc - 1, the first
 * relative to -1), tf, then tf position gaps (the first from 0).
 * A run file repeats that encoding per term, in term byte order:
 *   varint term length, term bytes, varint df, varint payload length,
 *   payload (the chunk bytes, with gaps restarting at -1 in every run).
 * Runs cover increasing doc ranges, so merging a term is concatenating its
 * runs' payloads in run order (what is still in memory at the end is read
 * in place as the last run, never spilled) -- except that a document too large for the
 * budget is spilled in pieces: then a run's last document may be the next
 * run's first, and the merge joins the two entries (positions keep rising
 * from piece to piece).
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
#include "segment_writer.h"
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
    unsigned nruns;        /* live runs, in document order ... */
    unsigned *runs;        /* ... by file number */
    unsigned next_run;     /* file numbers used so far */
};

/* Merge at most this many runs at once: the rest wait for intermediate
 * merges, so that open files stay few whatever the number of runs. */
#define MERGE_FAN_IN 64

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
    char path[4096];
    for (unsigned k = 0; k < inv->next_run; k++) {
        run_path(inv, k, path, sizeof path);
        unlink(path);
    }
    free(inv->runs);
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

unsigned inverter_runs(const struct inverter *inv) { return inv->nruns; }

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

static sift_err io_error(sift_errmsg *err, const char *path, const char *what)
{
    return sift_fail_errno(err, errno, "%s: %s", path, what);
}

static void put_varint(FILE *f, uint64_t v)
{
    uint8_t tmp[10];
    fwrite(tmp, 1, varint_put(tmp, v), f);
}

static sift_err spill(struct inverter *inv, sift_errmsg *err)
{
    uint32_t *order = sorted_terms(inv);
    if (!order) return sift_fail(err, SIFT_ERR_NOMEM, "out of memory while spilling a run");
    char path[4096];
    unsigned *runs = realloc(inv->runs, (inv->nruns + 1) * sizeof *runs);
    if (!runs) {
        free(order);
        return sift_fail(err, SIFT_ERR_NOMEM, "out of memory while spilling a run");
    }
    inv->runs = runs;
    run_path(inv, inv->next_run, path, sizeof path);
    FILE *f = fopen(path, "wb");
    if (!f) {
        free(order);
        return io_error(err, path, "cannot create run file");
    }
    inv->runs[inv->nruns++] = inv->next_run++;
    setvbuf(f, NULL, _IOFBF, 1 << 20);
    for (uint32_t i = 0; i < inv->nterms; i++) {
        const struct term *t = &inv->terms[order[i]];
        uint64_t bytes = 0;
        for (const struct chunk *c = t->head; c; c = c->next) bytes += c->used;
        put_varint(f, t->len);
        fwrite(inv->arena.data + t->str_off, 1, t->len, f);
        put_varint(f, t->df);
        put_varint(f, bytes);
        for (const struct chunk *c = t->head; c; c = c->next) fwrite(c->data, 1, c->used, f);
    }
    free(order);
    bool bad = ferror(f) != 0;
    if (fflush(f) != 0) bad = true;
    sift_err rc = bad ? io_error(err, path, "write") : SIFT_OK;
    if (fclose(f) != 0 && !rc) rc = io_error(err, path, "close");
    reset_memory(inv);
    return rc;
}

/* --------------------------------------------------------------- merge */

/* A source of terms in order for merge_runs: a run file, or the terms
 * still in memory (the last source in document order), read in place
 * rather than spilled and read back. */
struct run_reader {
    FILE *f;
    uint8_t *buf;                /* a run file's read buffer */
    const uint8_t *data;         /* bytes being read: buf, or a chunk */
    size_t pos, len;
    const struct inverter *mem;  /* in memory: the inverter ... */
    const uint32_t *order;       /* ... its terms in byte order ... */
    uint32_t next;               /* ... the next of them ... */
    const struct chunk *chunk;   /* ... and the chunk being read */
    bool eof, bad;
    char term[1024];
    size_t term_len;
    uint32_t df;
    bool has_term;
};

#define RBUF (1u << 16)

static int rr_byte(struct run_reader *r)
{
    while (r->pos == r->len) {
        if (r->mem) {
            r->chunk = r->chunk ? r->chunk->next : NULL;
            r->data = r->chunk ? r->chunk->data : NULL;
            r->len = r->chunk ? r->chunk->used : 0;
        } else {
            r->len = fread(r->buf, 1, RBUF, r->f);
            r->data = r->buf;
        }
        r->pos = 0;
        if (!r->len && (!r->mem || !r->chunk)) {
            r->eof = true;
            return -1;
        }
    }
    return r->data[r->pos++];
}

/* The next term in memory: its header from the term table, its payload
 * from its chunk chain. */
static void rr_next_memory_term(struct run_reader *r)
{
    r->has_term = false;
    if (r->next == r->mem->nterms) return;
    const struct term *t = &r->mem->terms[r->order[r->next++]];
    if (t->len > sizeof r->term) {
        r->bad = true;
        return;
    }
    memcpy(r->term, r->mem->arena.data + t->str_off, t->len);
    r->term_len = t->len;
    r->df = t->df;
    r->chunk = t->head;
    r->data = t->head ? t->head->data : NULL;
    r->len = t->head ? t->head->used : 0;
    r->pos = 0;
    r->has_term = true;
}

static uint64_t rr_varint(struct run_reader *r)
{
    uint64_t v = 0;
    for (unsigned shift = 0; shift < 64; shift += 7) {
        int b = rr_byte(r);
        if (b < 0) {
            r->bad = true;
            return 0;
        }
        v |= (uint64_t)(b & 0x7f) << shift;
        if (!(b & 0x80)) return v;
    }
    r->bad = true;
    return 0;
}

/* Read the next term header; has_term false at a clean end of file. */
static void rr_next_term(struct run_reader *r)
{
    if (r->mem) {
        rr_next_memory_term(r);
        return;
    }
    r->has_term = false;
    int b = rr_byte(r);
    if (b < 0) return;
    r->pos--;   /* the byte is still in the buffer: rr_byte just refilled or advanced */
    uint64_t len = rr_varint(r);
    if (r->bad || len > sizeof r->term) {
        r->bad = true;
        return;
    }
    for (uint64_t i = 0; i < len; i++) {
        int c = rr_byte(r);
        if (c < 0) {
            r->bad = true;
            return;
        }
        r->term[i] = (char)c;
    }
    r->term_len = (size_t)len;
    r->df = (uint32_t)rr_varint(r);
    rr_varint(r);   /* the payload's length: read by documents instead */
    r->has_term = !r->bad;
}

static int term_cmp(const struct run_reader *a, const struct run_reader *b)
{
    size_t n = a->term_len < b->term_len ? a->term_len : b->term_len;
    int c = memcmp(a->term, b->term, n);
    if (c) return c;
    return a->term_len < b->term_len ? -1 : a->term_len > b->term_len;
}

#define POS_PIECE 1024

struct merge_state {
    uint32_t positions[POS_PIECE];
    int64_t open_doc;   /* begun in the sink and not yet ended; -1 none */
};

/* Stream one run's payload for the current term into the sink. A first
 * document equal to the open one is the rest of a document spilled in
 * pieces: its positions continue the open entry. */
static sift_err feed_payload(struct run_reader *r, struct merge_state *ms,
                             const struct term_sink *sink, sift_errmsg *err)
{
    int64_t last = -1;
    sift_err rc = SIFT_OK;
    for (uint32_t d = 0; d < r->df && !rc; d++) {
        uint64_t gap = rr_varint(r), tf = rr_varint(r);
        last = last + 1 + (int64_t)gap;
        if (r->bad || tf == 0 || tf > UINT32_MAX || gap > UINT32_MAX || last > UINT32_MAX) {
            r->bad = true;
            break;
        }
        if (last != ms->open_doc) {
            if (ms->open_doc >= 0) rc = sink->end_doc(sink->ctx);
            if (!rc) rc = sink->begin_doc(sink->ctx, (uint32_t)last);
            ms->open_doc = last;
        }
        uint32_t pos = 0;
        size_t n = 0;
        for (uint64_t k = 0; k < tf && !rc; k++) {
            pos += (uint32_t)rr_varint(r);
            ms->positions[n++] = pos;
            if (n == POS_PIECE || k + 1 == tf) {
                rc = sink->positions(sink->ctx, ms->positions, n);
                n = 0;
            }
        }
    }
    if (!rc && r->bad) rc = sift_fail(err, SIFT_ERR_IO, "temporary run file is damaged");
    return rc;
}

/* Merge runs runs[0..files) (consecutive in document order), then the
 * terms in memory when `memory`, into sink. */
static sift_err merge_runs(struct inverter *inv, const unsigned *runs, unsigned files, bool memory,
                           const struct term_sink *sink, sift_errmsg *err)
{
    sift_err rc = SIFT_OK;
    unsigned n = files + memory;
    struct run_reader *rr = calloc(n ? n : 1, sizeof *rr);
    struct merge_state *ms = malloc(sizeof *ms);
    uint32_t *order = memory ? sorted_terms(inv) : NULL;
    if (!rr || !ms || (memory && !order)) {
        free(rr);
        free(ms);
        free(order);
        return sift_fail(err, SIFT_ERR_NOMEM, "out of memory while merging");
    }
    char path[4096];
    for (unsigned k = 0; k < files && !rc; k++) {
        run_path(inv, runs[k], path, sizeof path);
        rr[k].f = fopen(path, "rb");
        rr[k].buf = malloc(RBUF);
        if (!rr[k].f || !rr[k].buf) rc = io_error(err, path, "cannot read run file");
        else rr_next_term(&rr[k]);
    }
    if (memory && !rc) {
        rr[files].mem = inv;
        rr[files].order = order;
        rr_next_term(&rr[files]);
    }
    while (!rc) {
        int best = -1;
        for (unsigned k = 0; k < n; k++) {
            if (rr[k].bad) {
                rc = rr[k].mem ? sift_fail(err, SIFT_ERR_INVALID, "a term in memory is too long")
                               : sift_fail(err, SIFT_ERR_IO, "temporary run file %u is damaged", runs[k]);
                break;
            }
            if (rr[k].has_term && (best < 0 || term_cmp(&rr[k], &rr[best]) < 0)) best = (int)k;
        }
        if (rc || best < 0) break;
        struct run_reader *b = &rr[best];
        rc = sink->begin_term(sink->ctx, b->term, b->term_len);
        ms->open_doc = -1;
        for (unsigned k = (unsigned)best; !rc && k < n; k++) {
            if (!rr[k].has_term || term_cmp(&rr[k], b) != 0) continue;
            rc = feed_payload(&rr[k], ms, sink, err);
            if (!rc && k != (unsigned)best) rr_next_term(&rr[k]);
        }
        if (!rc && ms->open_doc >= 0) rc = sink->end_doc(sink->ctx);
        if (!rc) rc = sink->end_term(sink->ctx);
        if (!rc) rr_next_term(b);
    }
    for (unsigned k = 0; k < n; k++) {
        if (rr[k].f) fclose(rr[k].f);
        free(rr[k].buf);
    }
    free(rr);
    free(ms);
    free(order);
    return rc;
}

/* A sink writing the run format, for intermediate merges. A term's
 * payload is held until its end (its length comes first), and the open
 * document's positions until the document's end (its tf comes first). */
struct run_sink {
    FILE *f;
    const char *path;
    char term[1024];
    size_t term_len;
    uint32_t df;
    int64_t last;
    uint32_t doc, tf, prev_pos;
    struct buf payload, doc_positions;
    sift_errmsg *err;
};

static sift_err rs_begin(void *ctx, const char *term, size_t len)
{
    struct run_sink *s = ctx;
    if (len > sizeof s->term) return sift_fail(s->err, SIFT_ERR_INVALID, "term too long");
    memcpy(s->term, term, len);
    s->term_len = len;
    s->df = 0;
    s->last = -1;
    s->payload.len = 0;
    return SIFT_OK;
}

static sift_err rs_begin_doc(void *ctx, uint32_t doc)
{
    struct run_sink *s = ctx;
    s->doc = doc;
    s->tf = 0;
    s->prev_pos = 0;
    s->doc_positions.len = 0;
    return SIFT_OK;
}

static sift_err rs_positions(void *ctx, const uint32_t *positions, size_t n)
{
    struct run_sink *s = ctx;
    for (size_t k = 0; k < n; k++) {
        if (!buf_varint(&s->doc_positions, positions[k] - s->prev_pos))
            return sift_fail(s->err, SIFT_ERR_NOMEM, "out of memory while merging runs");
        s->prev_pos = positions[k];
    }
    s->tf += (uint32_t)n;
    return SIFT_OK;
}

static sift_err rs_end_doc(void *ctx)
{
    struct run_sink *s = ctx;
    if (!buf_varint(&s->payload, (uint64_t)((int64_t)s->doc - s->last - 1)) ||
        !buf_varint(&s->payload, s->tf) ||
        !buf_append(&s->payload, s->doc_positions.data, s->doc_positions.len))
        return sift_fail(s->err, SIFT_ERR_NOMEM, "out of memory while merging runs");
    s->df++;
    s->last = s->doc;
    return SIFT_OK;
}

static sift_err rs_end(void *ctx)
{
    struct run_sink *s = ctx;
    put_varint(s->f, s->term_len);
    fwrite(s->term, 1, s->term_len, s->f);
    put_varint(s->f, s->df);
    put_varint(s->f, s->payload.len);
    fwrite(s->payload.data, 1, s->payload.len, s->f);
    return ferror(s->f) ? io_error(s->err, s->path, "write") : SIFT_OK;
}

/* Merge the first MERGE_FAN_IN runs into one new run, in their place. */
static sift_err merge_level(struct inverter *inv, sift_errmsg *err)
{
    char path[4096];
    unsigned number = inv->next_run++;
    run_path(inv, number, path, sizeof path);
    struct run_sink rs = { .f = fopen(path, "wb"), .path = path, .last = -1, .err = err };
    if (!rs.f) return io_error(err, path, "cannot create run file");
    setvbuf(rs.f, NULL, _IOFBF, 1 << 20);
    struct term_sink sink = { &rs, rs_begin, rs_begin_doc, rs_positions, rs_end_doc, rs_end };
    sift_err rc = merge_runs(inv, inv->runs, MERGE_FAN_IN, false, &sink, err);
    if (fflush(rs.f) != 0 && !rc) rc = io_error(err, path, "write");
    if (fclose(rs.f) != 0 && !rc) rc = io_error(err, path, "close");
    buf_free(&rs.payload);
    buf_free(&rs.doc_positions);
    if (rc) return rc;
    for (unsigned k = 0; k < MERGE_FAN_IN; k++) {
        run_path(inv, inv->runs[k], path, sizeof path);
        unlink(path);
    }
    inv->runs[0] = number;
    memmove(inv->runs + 1, inv->runs + MERGE_FAN_IN, (inv->nruns - MERGE_FAN_IN) * sizeof *inv->runs);
    inv->nruns -= MERGE_FAN_IN - 1;
    return SIFT_OK;
}

sift_err inverter_merge(struct inverter *inv, const struct term_sink *sink, sift_errmsg *err)
{
    /* what is still in memory joins the last merge as it is: spilling it
     * to be read back cost a fifth of indexing the passages */
    sift_err rc = SIFT_OK;
    while (!rc && inv->nruns > MERGE_FAN_IN) rc = merge_level(inv, err);
    if (rc) return rc;
    return merge_runs(inv, inv->runs, inv->nruns, inv->nterms > 0, sink, err);
}
