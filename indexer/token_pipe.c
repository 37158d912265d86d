/* token_pipe.c -- records of tokens from the caller's thread to the
 * inverter's, through a ring of PIPE_BUFFERS buffers.
 *
 * A record: u16 L, u32 P (native byte order: it never leaves the process),
 * then L bytes of term at position P. L = REC_STEM | n: n bytes of a
 * folded word at position P, stemmed here (and a surface form when its
 * stem differs). L = REC_BEGIN opens document P, L = REC_END ends the open
 * document. Terms are at most ANALYZER_MAX_TERM bytes, far below both.
 *
 * The ring: `count` filled buffers wait from index `take`; the producer
 * fills buffer `put` = take + count (mod N), which is not counted. The
 * consumer keeps a buffer counted while it inverts it, so the producer
 * never refills a buffer that is being read.
 */
#include "token_pipe.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "analyzer.h"
#include "error.h"

#define PIPE_BUFFERS 4
#define PIPE_BYTES (256u << 10)
#define REC_HEAD 6
#define REC_BEGIN 0xFFFFu
#define REC_END 0xFFFEu
#define REC_STEM 0x8000u

struct token_pipe {
    struct inverter *inv;
    struct surface_forms *sf;
    struct analyzer *an;      /* the thread's, for stemming */
    uint32_t doc;             /* the open document */
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    uint8_t *buf[PIPE_BUFFERS];
    size_t len[PIPE_BUFFERS];
    unsigned take, count, put;
    bool closing;
    atomic_int failed;    /* set (release) once rc and msg hold the first error */
    sift_err rc;
    sift_errmsg msg;
};

/* A folded word at pos of the open document: stemmed, inverted, and
 * counted as a surface form of its stem. */
static sift_err stem_word(struct token_pipe *p, const char *word, size_t len, uint32_t pos)
{
    const char *term;
    size_t tl;
    bool stemmed = analyzer_stem_word(p->an, word, len, &term, &tl);
    sift_err rc = inverter_add_token(p->inv, term, tl, pos, &p->msg);
    if (!rc && stemmed && !surface_forms_add(p->sf, word, len, term, tl, p->doc))
        rc = sift_fail(&p->msg, SIFT_ERR_NOMEM, "out of memory");
    return rc;
}

/* Invert one buffer of records; the first error stops the rest. */
static void consume(struct token_pipe *p, const uint8_t *d, size_t n)
{
    sift_err rc = SIFT_OK;
    for (size_t off = 0; off < n && !rc;) {
        uint16_t len;
        uint32_t pos;
        memcpy(&len, d + off, 2);
        memcpy(&pos, d + off + 2, 4);
        off += REC_HEAD;
        if (len == REC_BEGIN) {
            inverter_begin_doc(p->inv, pos);
            p->doc = pos;
        } else if (len == REC_END) {
            rc = inverter_end_doc(p->inv, &p->msg);
        } else if (len & REC_STEM) {
            len &= (uint16_t)~REC_STEM;
            rc = stem_word(p, (const char *)d + off, len, pos);
            off += len;
        } else {
            rc = inverter_add_token(p->inv, (const char *)d + off, len, pos, &p->msg);
            off += len;
        }
    }
    if (rc) {
        p->rc = rc;
        atomic_store_explicit(&p->failed, 1, memory_order_release);
    }
}

static void *run(void *arg)
{
    struct token_pipe *p = arg;
    pthread_mutex_lock(&p->mu);
    for (;;) {
        while (!p->count && !p->closing) pthread_cond_wait(&p->cv, &p->mu);
        if (!p->count) break;
        unsigned k = p->take;
        pthread_mutex_unlock(&p->mu);
        if (!atomic_load_explicit(&p->failed, memory_order_relaxed)) consume(p, p->buf[k], p->len[k]);
        pthread_mutex_lock(&p->mu);
        p->take = (p->take + 1) % PIPE_BUFFERS;
        p->count--;
        pthread_cond_broadcast(&p->cv);
    }
    pthread_mutex_unlock(&p->mu);
    return NULL;
}

static void free_pipe(struct token_pipe *p)
{
    for (unsigned i = 0; i < PIPE_BUFFERS; i++) free(p->buf[i]);
    analyzer_free(p->an);
    free(p);
}

sift_err token_pipe_open(struct token_pipe **out, struct inverter *inv, struct surface_forms *sf,
                         const char *language, sift_errmsg *err)
{
    *out = NULL;
    struct token_pipe *p = calloc(1, sizeof *p);
    bool ok = p && (p->an = analyzer_new(language)) && !analyzer_enable_cache(p->an, ANALYZER_CACHE_LARGE);
    for (unsigned i = 0; ok && i < PIPE_BUFFERS; i++) ok = (p->buf[i] = malloc(PIPE_BYTES)) != NULL;
    if (!ok) {
        if (p) free_pipe(p);
        return sift_fail(err, SIFT_ERR_NOMEM, "out of memory");
    }
    p->inv = inv;
    p->sf = sf;
    atomic_init(&p->failed, 0);
    if (pthread_mutex_init(&p->mu, NULL)) {
        free_pipe(p);
        return sift_fail(err, SIFT_ERR_NOMEM, "cannot create a mutex");
    }
    if (pthread_cond_init(&p->cv, NULL)) {
        pthread_mutex_destroy(&p->mu);
        free_pipe(p);
        return sift_fail(err, SIFT_ERR_NOMEM, "cannot create a condition variable");
    }
    if (pthread_create(&p->thread, NULL, run, p)) {
        pthread_cond_destroy(&p->cv);
        pthread_mutex_destroy(&p->mu);
        free_pipe(p);
        return sift_fail(err, SIFT_ERR_NOMEM, "cannot start the inverter thread");
    }
    *out = p;
    return SIFT_OK;
}

/* The thread's first error, copied to err; SIFT_OK while there is none. */
static sift_err pipe_error(struct token_pipe *p, sift_errmsg *err)
{
    if (!atomic_load_explicit(&p->failed, memory_order_acquire)) return SIFT_OK;
    if (err) *err = p->msg;
    return p->rc;
}

/* Queue the buffer being filled and wait for a free one. */
static void push(struct token_pipe *p)
{
    pthread_mutex_lock(&p->mu);
    p->count++;
    p->put = (p->put + 1) % PIPE_BUFFERS;
    pthread_cond_broadcast(&p->cv);
    while (p->count == PIPE_BUFFERS) pthread_cond_wait(&p->cv, &p->mu);
    pthread_mutex_unlock(&p->mu);
    p->len[p->put] = 0;
}

/* Room for a record of `body` bytes after its head; where it goes. */
static uint8_t *record(struct token_pipe *p, uint16_t len, uint32_t pos, size_t body)
{
    if (p->len[p->put] + REC_HEAD + body > PIPE_BYTES) push(p);
    uint8_t *d = p->buf[p->put] + p->len[p->put];
    memcpy(d, &len, 2);
    memcpy(d + 2, &pos, 4);
    p->len[p->put] += REC_HEAD + body;
    return d + REC_HEAD;
}

sift_err token_pipe_begin_doc(struct token_pipe *p, uint32_t doc, sift_errmsg *err)
{
    sift_err rc = pipe_error(p, err);
    if (!rc) record(p, REC_BEGIN, doc, 0);
    return rc;
}

sift_err token_pipe_token(struct token_pipe *p, const char *term, size_t len, uint32_t pos,
                          sift_errmsg *err)
{
    if (len > ANALYZER_MAX_TERM) return sift_fail(err, SIFT_ERR_INVALID, "term longer than %d bytes", ANALYZER_MAX_TERM);
    memcpy(record(p, (uint16_t)len, pos, len), term, len);
    return SIFT_OK;
}

sift_err token_pipe_stem(struct token_pipe *p, const char *word, size_t len, uint32_t pos, sift_errmsg *err)
{
    if (len > ANALYZER_MAX_TERM) return sift_fail(err, SIFT_ERR_INVALID, "word longer than %d bytes", ANALYZER_MAX_TERM);
    memcpy(record(p, (uint16_t)(REC_STEM | len), pos, len), word, len);
    return SIFT_OK;
}

sift_err token_pipe_end_doc(struct token_pipe *p, sift_errmsg *err)
{
    record(p, REC_END, 0, 0);
    return pipe_error(p, err);
}

sift_err token_pipe_close(struct token_pipe *p, sift_errmsg *err)
{
    pthread_mutex_lock(&p->mu);
    if (p->len[p->put]) {
        p->count++;   /* the last buffer: no need for a free one after it */
        p->put = (p->put + 1) % PIPE_BUFFERS;
    }
    p->closing = true;
    pthread_cond_broadcast(&p->cv);
    pthread_mutex_unlock(&p->mu);
    pthread_join(p->thread, NULL);
    sift_err rc = pipe_error(p, err);
    pthread_cond_destroy(&p->cv);
    pthread_mutex_destroy(&p->mu);
    free_pipe(p);
    return rc;
}
