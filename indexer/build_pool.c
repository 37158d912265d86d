/* build_pool.c -- contexts, batches and workers (build_pool.h).
 *
 * A batch's documents, copied: u32 title length, title, u64 text length,
 * text, u32 fields length, field entries; a field entry: u8 kind, u16 name
 * length, name, u32 value length, value.
 *
 * The batches not yet taken back form one list in document order, from
 * `head`; `next_work` is the first that no context has taken. Workers and
 * the caller take from next_work; the caller takes back from head while
 * the batch there is done.
 */
#include "build_pool.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "analyzer.h"
#include "error.h"
#include "invert.h"
#include "norms.h"
#include "runs.h"
#include "schema.h"
#include "segment.h"
#include "surface_forms.h"

struct build_ctx {
    struct analyzer *an;
    struct inverter *inv;
    struct surface_forms surfaces;
    char term[TERM_MAX + 1];     /* a field term being made */
    char *piece;                 /* the read buffer of streamed documents */
};

struct batch {
    uint32_t doc0, ndocs;
    struct buf docs;             /* the copies */
    /* what analysis yields */
    struct buf norms;
    uint64_t tokens, title_tokens;
    struct run_list runs;
    sift_err rc;
    sift_errmsg err;
    bool taken, done;
    struct batch *next;
};

struct build_pool {
    unsigned nctx, nworkers;
    size_t batch_bytes;
    uint64_t inline_bytes;       /* text analyzed by the caller since its last spill (one thread) */
    struct build_ctx *ctx;       /* [0] the caller's, then one per worker */
    pthread_t *tid;
    unsigned started;
    pthread_mutex_t mu;
    pthread_cond_t work, done;
    struct batch *head, *tail, *next_work;
    unsigned untaken;
    bool stopping;
    struct batch *open;          /* being filled by the caller */
    /* taken back, in order */
    struct buf norms;
    uint64_t tokens, title_tokens;
    struct run_list runs;
    sift_err broken;
    sift_errmsg msg;
};

/* ------------------------------------------------------ one document */

struct add_ctx {
    struct build_ctx *c;
    uint32_t doc;
    uint64_t count;
    sift_err rc;
    sift_errmsg *err;
};

/* A title or text token: inverted, and a stemmed word is a surface form. */
static int on_token(void *ctx, const struct token *t)
{
    struct add_ctx *a = ctx;
    a->count++;
    a->rc = inverter_add_token(a->c->inv, t->term, t->len, t->pos, a->err);
    if (!a->rc && t->term != t->word &&
        !surface_forms_add(&a->c->surfaces, t->word, t->word_len, t->term, t->len, a->doc))
        a->rc = sift_fail(a->err, SIFT_ERR_NOMEM, "out of memory");
    return a->rc != SIFT_OK;
}

/* The term kind name FIELD_TERM_SEP value in c->term (schema.h), cut to
 * TERM_MAX bytes; returns its length. */
static size_t field_term(struct build_ctx *c, char kind, const char *name, size_t name_len, const char *value,
                         size_t len)
{
    c->term[0] = kind;
    memcpy(c->term + 1, name, name_len);
    c->term[name_len + 1] = FIELD_TERM_SEP;
    if (len > TERM_MAX - name_len - 2) len = TERM_MAX - name_len - 2;
    memcpy(c->term + name_len + 2, value, len);
    return name_len + 2 + len;
}

struct field_ctx {
    struct build_ctx *c;
    const char *name;
    size_t name_len;
    sift_err rc;
    sift_errmsg *err;
};

/* A word of a text field: in the field's own term space and positions. */
static int on_field_token(void *ctx, const struct token *t)
{
    struct field_ctx *f = ctx;
    size_t n = field_term(f->c, FIELD_TERM_TEXT, f->name, f->name_len, t->term, t->len);
    f->rc = inverter_add_token(f->c->inv, f->c->term, n, t->pos, f->err);
    return f->rc != SIFT_OK;
}

bool build_pool_field(struct buf *f, int kind, const char *name, const char *value, size_t len)
{
    size_t n = strlen(name);
    uint8_t k = (uint8_t)kind;
    return n <= UINT16_MAX && len <= UINT32_MAX && buf_append(f, &k, 1) && buf_append(f, (uint8_t[2]){ (uint8_t)n, (uint8_t)(n >> 8) }, 2) &&
           buf_append(f, name, n) && buf_u32(f, (uint32_t)len) && buf_append(f, value, len);
}

static sift_err add_fields(struct build_ctx *c, const uint8_t *p, size_t n, sift_errmsg *err)
{
    uint32_t text_pos = 0;
    struct cursor cur = cursor_make(p, n);
    while (cur.p < cur.end) {
        const uint8_t *kind = cur_take(&cur, 1), *nl = cur_take(&cur, 2);
        const char *name = nl ? (const char *)cur_take(&cur, rd_u16(nl)) : NULL;
        const uint8_t *vl = cur_take(&cur, 4);
        const char *value = vl ? (const char *)cur_take(&cur, rd_u32(vl)) : NULL;
        if (!kind || !name || !value) return sift_fail(err, SIFT_ERR_INVALID, "damaged field entries");
        size_t name_len = rd_u16(nl), len = rd_u32(vl);
        sift_err rc = SIFT_OK;
        if (*kind == FIELD_ENTRY_TERM) {
            rc = inverter_add_token(c->inv, c->term, field_term(c, FIELD_TERM_KEYWORD, name, name_len, value, len), 0,
                                    err);
        } else {
            struct field_ctx f = { c, name, name_len, SIFT_OK, err };
            if (analyzer_run(c->an, value, len, text_pos, on_field_token, &f, &text_pos)) rc = f.rc;
        }
        if (rc) return rc;
    }
    return SIFT_OK;
}

/* Streamed text is read in pieces of PIECE bytes and analyzed up to the
 * last byte that surely ends a word (ASCII, neither a letter, a digit nor
 * a joiner: analyzer.h), the rest carried to the next piece, so the terms
 * are those of the whole text. Only a "word" longer than CUT_WINDOW with
 * no such byte is cut, at a character boundary. */
#define PIECE (1u << 20)
#define CUT_WINDOW (64u << 10)

static size_t safe_cut(const char *p, size_t n)
{
    size_t low = n > CUT_WINDOW ? n - CUT_WINDOW : 0;
    for (size_t i = n; i > low; i--) {
        unsigned char c = (unsigned char)p[i - 1];
        bool alnum = (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z');
        if (c < 0x80 && !alnum && c != '-' && c != '.' && c != '\'' && c != ',') return i;
    }
    for (size_t i = n; i > 0 && n - i < 4; i--)
        if (((unsigned char)p[i - 1] & 0xC0) != 0x80) return (p[i - 1] & 0x80) ? i - 1 : i;
    return n;
}

/* Read, store and analyze a streamed text from *pos; *missing: the bytes
 * the reader did not give (it failed or ended early). */
static sift_err add_stream(struct build_ctx *c, const struct doc_view *d, struct add_ctx *a, uint32_t *pos,
                           uint64_t *missing, sift_errmsg *err)
{
    if (!c->piece && !(c->piece = malloc(PIECE))) return sift_fail(err, SIFT_ERR_NOMEM, "out of memory");
    uint64_t left = d->text_len;
    size_t carry = 0;
    sift_err rc = SIFT_OK;
    while (left && !rc) {
        size_t want = PIECE - carry < left ? PIECE - carry : (size_t)left;
        long long got = d->read(d->read_ctx, c->piece + carry, want);
        if (got <= 0 || (unsigned long long)got > want) break;
        left -= (uint64_t)got;
        size_t n = carry + (size_t)got;
        rc = d->store_text(d->store_ctx, c->piece + carry, (size_t)got, err);
        size_t cut = left ? safe_cut(c->piece, n) : n;
        if (!rc && analyzer_run(c->an, c->piece, cut, *pos, on_token, a, pos)) rc = a->rc;
        memmove(c->piece, c->piece + cut, n - cut);
        carry = n - cut;
    }
    if (!rc && carry && analyzer_run(c->an, c->piece, carry, *pos, on_token, a, pos)) rc = a->rc;
    *missing = left;
    return rc;
}

/* Analyze and invert document doc; its norms record into norms. */
static sift_err ctx_add(struct build_ctx *c, uint32_t doc, const struct doc_view *d, struct buf *norms,
                        uint64_t *tokens, uint64_t *title_tokens, uint64_t *missing, sift_errmsg *err)
{
    inverter_begin_doc(c->inv, doc);
    struct add_ctx a = { c, doc, 0, SIFT_OK, err };
    uint32_t title_end = 0, end = 0;
    sift_err rc = SIFT_OK;
    *missing = 0;
    if (analyzer_run(c->an, d->title, d->title_len, 0, on_token, &a, &title_end)) rc = a.rc;
    uint64_t in_title = a.count;
    end = title_end;
    if (!rc && d->read) rc = add_stream(c, d, &a, &end, missing, err);
    else if (!rc && analyzer_run(c->an, d->text, (size_t)d->text_len, title_end, on_token, &a, &end)) rc = a.rc;
    if (!rc) rc = add_fields(c, d->fields, d->fields_len, err);
    if (!rc) rc = inverter_end_doc(c->inv, err);
    if (!rc && !norms_add(norms, end, title_end)) rc = sift_fail(err, SIFT_ERR_NOMEM, "out of memory");
    if (rc) return rc;
    *tokens += a.count;
    *title_tokens += in_title;
    return SIFT_OK;
}

/* ------------------------------------------------------------ batches */

static bool batch_copy(struct batch *b, const struct doc_view *d)
{
    struct buf *o = &b->docs;
    return d->title_len <= UINT32_MAX && d->fields_len <= UINT32_MAX && buf_u32(o, (uint32_t)d->title_len) &&
           buf_append(o, d->title, d->title_len) && buf_u64(o, d->text_len) &&
           buf_append(o, d->text, (size_t)d->text_len) && buf_u32(o, (uint32_t)d->fields_len) &&
           buf_append(o, d->fields, d->fields_len);
}

static void batch_free(struct batch *b)
{
    if (!b) return;
    buf_free(&b->docs);
    buf_free(&b->norms);
    run_list_free(&b->runs);
    free(b);
}

/* Analyze every document of b in c; with `spill`, what c holds then goes
 * to runs that b keeps (else it stays in c's inverter: the last batch). */
static void run_batch(struct build_ctx *c, struct batch *b, bool spill)
{
    struct cursor cur = cursor_make(b->docs.data, b->docs.len);
    sift_err rc = SIFT_OK;
    for (uint32_t i = 0; !rc && i < b->ndocs; i++) {
        struct doc_view d = { 0 };
        const uint8_t *p = cur_take(&cur, 4);
        d.title_len = p ? rd_u32(p) : 0;
        d.title = (const char *)cur_take(&cur, d.title_len);
        p = cur_take(&cur, 8);
        d.text_len = p ? rd_u64(p) : 0;
        d.text = (const char *)cur_take(&cur, d.text_len);
        p = cur_take(&cur, 4);
        d.fields_len = p ? rd_u32(p) : 0;
        d.fields = cur_take(&cur, d.fields_len);
        uint64_t missing;
        if (cur.bad) rc = sift_fail(&b->err, SIFT_ERR_INVALID, "damaged batch");
        else rc = ctx_add(c, b->doc0 + i, &d, &b->norms, &b->tokens, &b->title_tokens, &missing, &b->err);
    }
    if (!rc && spill) rc = inverter_spill(c->inv, &b->err);
    if (!rc && spill && !inverter_take_runs(c->inv, &b->runs)) rc = sift_fail(&b->err, SIFT_ERR_NOMEM, "out of memory");
    b->rc = rc;
    buf_free(&b->docs);
}

/* The first batch no context has taken, marked taken; NULL when none
 * (called with the lock held). next_work never rests on a taken batch:
 * one taken back is freed. */
static struct batch *take_work(struct build_pool *p)
{
    struct batch *b = p->next_work;
    if (b) {
        b->taken = true;
        p->untaken--;
        for (p->next_work = b->next; p->next_work && p->next_work->taken;) p->next_work = p->next_work->next;
    }
    return b;
}

struct worker_arg {
    struct build_pool *p;
    unsigned k;
};

static void *worker(void *arg)
{
    struct build_pool *p = ((struct worker_arg *)arg)->p;
    struct build_ctx *c = &p->ctx[((struct worker_arg *)arg)->k];
    free(arg);
    pthread_mutex_lock(&p->mu);
    for (;;) {
        struct batch *b = take_work(p);
        if (!b && p->stopping) break;
        if (!b) {
            pthread_cond_wait(&p->work, &p->mu);
            continue;
        }
        pthread_mutex_unlock(&p->mu);
        run_batch(c, b, true);
        pthread_mutex_lock(&p->mu);
        b->done = true;
        pthread_cond_broadcast(&p->done);
    }
    pthread_mutex_unlock(&p->mu);
    return NULL;
}

/* Append b to the list (taken already when the caller ran it). */
static void enqueue(struct build_pool *p, struct batch *b)
{
    pthread_mutex_lock(&p->mu);
    if (p->tail) p->tail->next = b;
    else p->head = b;
    p->tail = b;
    if (!b->taken) {
        if (!p->next_work) p->next_work = b;
        p->untaken++;
        pthread_cond_signal(&p->work);
    }
    pthread_mutex_unlock(&p->mu);
}

/* Take back the done batches at the head, in order; with `wait`, all. */
static void take_back(struct build_pool *p, bool wait)
{
    for (;;) {
        pthread_mutex_lock(&p->mu);
        while (wait && p->head && !p->head->done) pthread_cond_wait(&p->done, &p->mu);
        struct batch *b = p->head && p->head->done ? p->head : NULL;
        if (b) {
            p->head = b->next;
            if (!p->head) p->tail = NULL;
        }
        pthread_mutex_unlock(&p->mu);
        if (!b) return;
        if (b->rc && !p->broken) {
            p->broken = b->rc;
            p->msg = b->err;
        }
        if (!b->rc && (!buf_append(&p->norms, b->norms.data, b->norms.len) || !run_list_move(&p->runs, &b->runs)) &&
            !p->broken) {
            p->broken = SIFT_ERR_NOMEM;
            sift_fail(&p->msg, SIFT_ERR_NOMEM, "out of memory");
        }
        p->tokens += b->tokens;
        p->title_tokens += b->title_tokens;
        batch_free(b);
    }
}

/* While more than `leave` batches wait, the caller runs the oldest. */
static void help(struct build_pool *p, unsigned leave)
{
    for (;;) {
        pthread_mutex_lock(&p->mu);
        struct batch *mine = p->untaken > leave ? take_work(p) : NULL;
        pthread_mutex_unlock(&p->mu);
        if (!mine) return;
        run_batch(&p->ctx[0], mine, true);
        pthread_mutex_lock(&p->mu);
        mine->done = true;
        pthread_cond_broadcast(&p->done);
        pthread_mutex_unlock(&p->mu);
    }
}

/* The open batch to the workers; while too many wait, the caller runs
 * the oldest itself. */
static void submit_open(struct build_pool *p)
{
    struct batch *b = p->open;
    p->open = NULL;
    if (b) enqueue(p, b);
    help(p, 2 * p->nworkers);
    take_back(p, false);
}

/* --------------------------------------------------------------- pool */

static void ctx_free(struct build_ctx *c)
{
    analyzer_free(c->an);
    inverter_free(c->inv);
    surface_forms_free(&c->surfaces);
    free(c->piece);
    memset(c, 0, sizeof *c);
}

static void stop_workers(struct build_pool *p)
{
    pthread_mutex_lock(&p->mu);
    p->stopping = true;
    pthread_cond_broadcast(&p->work);
    pthread_mutex_unlock(&p->mu);
    for (unsigned k = 0; k < p->started; k++) pthread_join(p->tid[k], NULL);
    p->started = 0;
}

sift_err build_pool_open(struct build_pool **out, unsigned threads, const char *language,
                         const char *tmp_prefix, size_t budget, sift_errmsg *err)
{
    *out = NULL;
    struct build_pool *p = calloc(1, sizeof *p);
    if (!p) return sift_fail(err, SIFT_ERR_NOMEM, "out of memory");
    if (!threads) threads = 1;
    p->nworkers = threads - 1;
    /* a context inverts within a share of the budget, and the copies of
     * the batches waiting take about another half */
    size_t share = budget / (2 * threads);
    if (share < (4u << 20)) share = 4u << 20;   /* a few of the inverter's 1 MiB slabs */
    p->batch_bytes = budget / (8 * threads);
    if (p->batch_bytes < (1u << 20)) p->batch_bytes = 1u << 20;
    p->ctx = calloc(threads, sizeof *p->ctx);
    p->tid = calloc(threads, sizeof *p->tid);
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->work, NULL);
    pthread_cond_init(&p->done, NULL);
    bool ok = p->ctx && p->tid;
    if (ok) p->nctx = threads;
    char *prefix = malloc(strlen(tmp_prefix) + 16);
    ok = ok && prefix;
    for (unsigned k = 0; ok && k < threads; k++) {
        sprintf(prefix, "%sc%u-", tmp_prefix, k);
        p->ctx[k].an = analyzer_new(language);
        p->ctx[k].inv = inverter_new(prefix, share);
        ok = p->ctx[k].an && p->ctx[k].inv;
        if (ok) analyzer_enable_cache(p->ctx[k].an, ANALYZER_CACHE_LARGE);
    }
    free(prefix);
    for (unsigned k = 1; ok && k < threads; k++) {
        struct worker_arg *a = malloc(sizeof *a);
        if (a) *a = (struct worker_arg){ p, k };
        if (!a || pthread_create(&p->tid[p->started], NULL, worker, a) != 0) {
            free(a);
            break;   /* fewer workers: the caller runs what they do not */
        }
        p->started++;
    }
    if (!ok) {
        build_pool_free(p);
        return sift_fail(err, SIFT_ERR_NOMEM, "out of memory");
    }
    p->nworkers = p->started;
    *out = p;
    return SIFT_OK;
}

sift_err build_pool_add(struct build_pool *p, uint32_t doc, const struct doc_view *d, bool *short_read,
                        sift_errmsg *err)
{
    *short_read = false;
    if (p->broken) return sift_fail(err, p->broken, "%s", p->msg.msg);
    uint64_t missing = 0;
    /* now, on this thread, between the batches around it: with no
     * workers, and a document streamed or as large as a batch (never
     * copied whole) */
    if (!p->nworkers || d->read || d->text_len >= p->batch_bytes) {
        if (p->nworkers) submit_open(p);
        struct batch *b = p->nworkers ? calloc(1, sizeof *b) : NULL;
        if (p->nworkers && !b) return sift_fail(err, SIFT_ERR_NOMEM, "out of memory");
        struct buf *norms = b ? &b->norms : &p->norms;
        uint64_t *tokens = b ? &b->tokens : &p->tokens, *title = b ? &b->title_tokens : &p->title_tokens;
        sift_err rc = ctx_add(&p->ctx[0], doc, d, norms, tokens, title, &missing, err);
        p->inline_bytes += d->text_len;
        if (!rc && !b && p->inline_bytes >= p->batch_bytes) {   /* as a worker would: a small inverter is faster */
            p->inline_bytes = 0;
            rc = inverter_spill(p->ctx[0].inv, err);
            if (!rc && !inverter_take_runs(p->ctx[0].inv, &p->runs)) rc = sift_fail(err, SIFT_ERR_NOMEM, "out of memory");
        }
        if (!rc && b) rc = inverter_spill(p->ctx[0].inv, err);
        if (!rc && b && !inverter_take_runs(p->ctx[0].inv, &b->runs)) rc = sift_fail(err, SIFT_ERR_NOMEM, "out of memory");
        if (rc) {
            batch_free(b);
            p->broken = rc;
            p->msg = *err;
            return rc;
        }
        if (b) {
            b->doc0 = doc;
            b->ndocs = 1;
            b->taken = b->done = true;
            enqueue(p, b);
            take_back(p, false);
        }
        *short_read = missing > 0;
        return SIFT_OK;
    }
    if (!p->open && !(p->open = calloc(1, sizeof *p->open))) return sift_fail(err, SIFT_ERR_NOMEM, "out of memory");
    if (!p->open->ndocs) p->open->doc0 = doc;
    if (!batch_copy(p->open, d)) return sift_fail(err, SIFT_ERR_NOMEM, "out of memory");
    p->open->ndocs++;
    if (p->open->docs.len >= p->batch_bytes) submit_open(p);
    return p->broken ? sift_fail(err, p->broken, "%s", p->msg.msg) : SIFT_OK;
}

/* The bytes of b's document i in its copies: where it starts and ends. */
static size_t doc_end(const struct batch *b, size_t at)
{
    const uint8_t *d = b->docs.data;
    at += 4 + rd_u32(d + at);
    at += 8 + (size_t)rd_u64(d + at);
    return at + 4 + rd_u32(d + at);
}

/* Cut b into up to n batches of about equal bytes, in order, into out[];
 * returns how many (b itself when it cannot be cut: then 1). */
static unsigned split_batch(struct batch *b, unsigned n, struct batch **out)
{
    out[0] = b;
    if (n < 2 || b->ndocs < 2) return 1;
    unsigned made = 0;
    size_t at = 0, start = 0;
    uint32_t first = 0;
    for (uint32_t i = 0; i < b->ndocs; i++) {
        at = doc_end(b, at);
        bool cut = i + 1 == b->ndocs || (made + 1 < n && at * n >= b->docs.len * (made + 1));
        if (!cut) continue;
        struct batch *part = calloc(1, sizeof *part);
        if (!part || !buf_append(&part->docs, b->docs.data + start, at - start)) {
            free(part);
            for (unsigned k = 0; k < made; k++) batch_free(out[k]);
            out[0] = b;
            return 1;
        }
        part->doc0 = b->doc0 + first;
        part->ndocs = i + 1 - first;
        out[made++] = part;
        start = at;
        first = i + 1;
    }
    batch_free(b);
    return made;
}

sift_err build_pool_drain(struct build_pool *p, sift_errmsg *err)
{
    if (p->nworkers) {
        /* help with what waits, then share the open batch between every
         * context: the caller's share, the last, stays in its inverter
         * (the merge reads it in place) */
        help(p, 0);
        struct batch *parts[64];
        unsigned n = p->open ? split_batch(p->open, p->nworkers + 1 < 64 ? p->nworkers + 1 : 64, parts) : 0;
        p->open = NULL;
        for (unsigned k = 0; k + 1 < n; k++) enqueue(p, parts[k]);
        if (n) {
            struct batch *last = parts[n - 1];
            last->taken = true;
            enqueue(p, last);   /* in order, after the parts before it */
            run_batch(&p->ctx[0], last, false);
            pthread_mutex_lock(&p->mu);
            last->done = true;
            pthread_mutex_unlock(&p->mu);
        }
        take_back(p, true);
        stop_workers(p);
        for (unsigned k = 1; k <= p->nworkers && !p->broken; k++)
            if (!surface_forms_merge(&p->ctx[0].surfaces, &p->ctx[k].surfaces)) {
                p->broken = SIFT_ERR_NOMEM;
                sift_fail(&p->msg, SIFT_ERR_NOMEM, "out of memory");
            }
    }
    return p->broken ? sift_fail(err, p->broken, "%s", p->msg.msg) : SIFT_OK;
}

const struct buf *build_pool_norms(const struct build_pool *p) { return &p->norms; }

void build_pool_tokens(const struct build_pool *p, uint64_t *tokens, uint64_t *title_tokens)
{
    *tokens = p->tokens;
    *title_tokens = p->title_tokens;
}

sift_err build_pool_merge(struct build_pool *p, const struct term_sink *sinks, unsigned nsinks, sift_errmsg *err)
{
    return inverter_merge_into(p->ctx[0].inv, &p->runs, sinks, nsinks, err);
}

sift_err build_pool_write_surfaces(struct build_pool *p, struct segment_writer *w, sift_errmsg *err)
{
    return surface_forms_write(&p->ctx[0].surfaces, w, err);
}

void build_pool_free(struct build_pool *p)
{
    if (!p) return;
    stop_workers(p);
    while (p->head) {
        struct batch *b = p->head;
        p->head = b->next;
        batch_free(b);
    }
    batch_free(p->open);
    for (unsigned k = 0; k < p->nctx; k++) ctx_free(&p->ctx[k]);
    free(p->ctx);
    free(p->tid);
    buf_free(&p->norms);
    run_list_free(&p->runs);
    pthread_mutex_destroy(&p->mu);
    pthread_cond_destroy(&p->work);
    pthread_cond_destroy(&p->done);
    free(p);
}
