/* runs.c -- run files written, read and merged (layout in runs.h). */
#include "runs.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "error.h"
#include "segment_writer.h"

/* Merge at most this many runs at once: the rest wait for intermediate
 * merges, so that open files stay few whatever the number of runs. */
#define MERGE_FAN_IN 64
#define TERM_CAP 1024   /* the longest term a run holds (the analyzer cuts at 100 bytes) */

static sift_err io_error(sift_errmsg *err, const char *path, const char *what)
{
    return sift_fail_errno(err, errno, "%s: %s", path, what);
}

/* ---------------------------------------------------------- run lists */

static void run_file_free(struct run_file *f)
{
    if (f->path) unlink(f->path);
    free(f->path);
    buf_free(&f->index);
    free(f->at);
    memset(f, 0, sizeof *f);
}

void run_list_free(struct run_list *l)
{
    for (unsigned k = 0; k < l->n; k++) run_file_free(&l->f[k]);
    free(l->f);
    memset(l, 0, sizeof *l);
}

static bool run_list_push(struct run_list *l, struct run_file *f)
{
    if (l->n == l->cap) {
        unsigned cap = l->cap ? 2 * l->cap : 8;
        struct run_file *g = realloc(l->f, cap * sizeof *g);
        if (!g) return false;
        l->f = g;
        l->cap = cap;
    }
    l->f[l->n++] = *f;
    memset(f, 0, sizeof *f);
    return true;
}

bool run_list_move(struct run_list *to, struct run_list *from)
{
    while (from->n) {
        if (!run_list_push(to, &from->f[0])) return false;
        memmove(from->f, from->f + 1, --from->n * sizeof *from->f);
    }
    return true;
}

/* ------------------------------------------------------------- writing */

static void put_varint(struct run_writer *w, uint64_t v)
{
    uint8_t tmp[10];
    run_writer_payload(w, tmp, varint_put(tmp, v));
}

sift_err run_writer_open(struct run_writer *w, const char *path, sift_errmsg *err)
{
    memset(w, 0, sizeof *w);
    w->rf.path = strdup(path);
    if (!w->rf.path) return sift_fail(err, SIFT_ERR_NOMEM, "out of memory");
    w->f = fopen(path, "wb");
    if (!w->f) {
        sift_err rc = io_error(err, path, "cannot create run file");
        free(w->rf.path);
        w->rf.path = NULL;
        return rc;
    }
    setvbuf(w->f, NULL, _IOFBF, 1 << 20);
    return SIFT_OK;
}

/* Index the term about to be written (its offset is rf.bytes). A failed
 * allocation only makes the index sparser. */
static void index_term(struct run_writer *w, const char *term, size_t len)
{
    if (w->nterms++ % RUN_INDEX_EVERY) return;
    struct run_file *f = &w->rf;
    if (f->nat == f->cap_at) {
        uint32_t cap = f->cap_at ? 2 * f->cap_at : 64;
        uint32_t *at = realloc(f->at, cap * sizeof *at);
        if (!at) return;
        f->at = at;
        f->cap_at = cap;
    }
    uint8_t head[10];
    wr_u64(head, f->bytes);
    wr_u16(head + 8, (uint16_t)len);
    size_t start = f->index.len;
    if (f->index.len > UINT32_MAX - 16 - len || !buf_append(&f->index, head, sizeof head) ||
        !buf_append(&f->index, term, len)) {
        f->index.len = start;
        return;
    }
    f->at[f->nat++] = (uint32_t)start;
}

void run_writer_term(struct run_writer *w, const char *term, size_t len, uint32_t df, uint64_t payload_len)
{
    index_term(w, term, len);
    put_varint(w, len);
    run_writer_payload(w, term, len);
    put_varint(w, df);
    put_varint(w, payload_len);
}

void run_writer_payload(struct run_writer *w, const void *p, size_t n)
{
    fwrite(p, 1, n, w->f);
    w->rf.bytes += n;
}

sift_err run_writer_close(struct run_writer *w, struct run_list *to, sift_errmsg *err)
{
    bool bad = ferror(w->f) != 0;
    if (fflush(w->f) != 0) bad = true;
    sift_err rc = bad ? io_error(err, w->rf.path, "write") : SIFT_OK;
    if (fclose(w->f) != 0 && !rc) rc = io_error(err, w->rf.path, "close");
    w->f = NULL;
    if (!rc && !run_list_push(to, &w->rf)) rc = sift_fail(err, SIFT_ERR_NOMEM, "out of memory");
    if (rc) run_file_free(&w->rf);
    return rc;
}

/* ------------------------------------------------------------- reading */

/* A source of terms in order: a run file, or the terms in memory. */
struct run_reader {
    FILE *f;
    const struct run_file *rf;
    uint8_t *buf;                /* a run file's read buffer */
    const uint8_t *data;         /* bytes being read: buf, or a chunk */
    size_t pos, len;
    const struct mem_terms *mem;
    uint32_t next;               /* in memory: the next term */
    const void *chunk;           /* and the chunk after the one being read */
    const char *hi;              /* the range's end (NULL: none) */
    size_t hi_len;
    bool eof, bad;
    char term[TERM_CAP];
    size_t term_len;
    uint32_t df;
    uint64_t payload_len;
    bool has_term;
};

#define RBUF (1u << 16)

static int rr_byte(struct run_reader *r)
{
    while (r->pos == r->len) {
        if (r->mem) {
            r->data = NULL;
            r->len = 0;
            if (r->chunk) r->chunk = r->mem->chunk(r->chunk, &r->data, &r->len);
            else r->eof = true;
        } else {
            r->len = fread(r->buf, 1, RBUF, r->f);
            r->data = r->buf;
            if (!r->len) r->eof = true;
        }
        r->pos = 0;
        if (r->eof) return -1;
    }
    return r->data[r->pos++];
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

static int bytes_cmp(const char *a, size_t an, const char *b, size_t bn)
{
    int c = memcmp(a, b, an < bn ? an : bn);
    return c ? c : (an > bn) - (an < bn);
}

static void mem_load(struct run_reader *r, uint32_t i)
{
    const char *bytes;
    size_t len;
    const void *first;
    r->mem->term(r->mem->ctx, i, &bytes, &len, &r->df, &first);
    if (len > sizeof r->term) {
        r->bad = true;
        return;
    }
    memcpy(r->term, bytes, len);
    r->term_len = len;
    r->data = NULL;
    r->len = r->pos = 0;
    r->chunk = first;
    r->eof = false;
    r->has_term = true;
}

/* Read the next term header; has_term false at the end (of the source,
 * or of the range). */
static void rr_next_term(struct run_reader *r)
{
    r->has_term = false;
    if (r->mem) {
        if (r->next == r->mem->n) return;
        mem_load(r, r->next++);
    } else {
        if (rr_byte(r) < 0) return;
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
        r->payload_len = rr_varint(r);
        r->has_term = !r->bad;
    }
    if (r->has_term && r->hi && bytes_cmp(r->term, r->term_len, r->hi, r->hi_len) >= 0) r->has_term = false;
}

/* Pass over the current term's payload unread. */
static void rr_skip_payload(struct run_reader *r)
{
    if (r->mem) return;   /* the next term starts from its own chunks */
    uint64_t left = r->payload_len;
    size_t here = r->len - r->pos;
    if (left <= here) {
        r->pos += (size_t)left;
        return;
    }
    left -= here;
    r->pos = r->len = 0;
    if (left > INT64_MAX || fseeko(r->f, (off_t)left, SEEK_CUR) != 0) r->bad = true;
}

static const uint8_t *index_entry(const struct run_file *f, uint32_t k, size_t *len, uint64_t *off)
{
    const uint8_t *e = f->index.data + f->at[k];
    *off = rd_u64(e);
    *len = rd_u16(e + 8);
    return e + 10;
}

/* Position r at the first term >= lo (the whole source when lo is NULL). */
static void rr_seek(struct run_reader *r, const char *lo, size_t lo_len)
{
    if (r->mem) {
        uint32_t a = 0, b = r->mem->n;
        while (lo && a < b) {   /* the first term not below lo */
            uint32_t m = a + (b - a) / 2;
            const char *bytes;
            size_t len;
            uint32_t df;
            const void *first;
            r->mem->term(r->mem->ctx, m, &bytes, &len, &df, &first);
            if (bytes_cmp(bytes, len, lo, lo_len) < 0) a = m + 1;
            else b = m;
        }
        r->next = a;
        rr_next_term(r);
        return;
    }
    uint64_t start = 0;
    uint32_t a = 0, b = r->rf->nat;
    while (lo && a < b) {   /* the last entry not above lo */
        uint32_t m = a + (b - a) / 2;
        size_t len;
        uint64_t off;
        const uint8_t *key = index_entry(r->rf, m, &len, &off);
        if (bytes_cmp((const char *)key, len, lo, lo_len) <= 0) a = m + 1;
        else b = m;
    }
    if (a) index_entry(r->rf, a - 1, &(size_t){ 0 }, &start);
    if (start && fseeko(r->f, (off_t)start, SEEK_SET) != 0) r->bad = true;
    const char *hi = r->hi;
    r->hi = NULL;   /* the terms before lo are read whole, whatever the range */
    for (rr_next_term(r); lo && r->has_term && !r->bad && bytes_cmp(r->term, r->term_len, lo, lo_len) < 0;
         rr_next_term(r))
        rr_skip_payload(r);
    r->hi = hi;
    if (r->has_term && hi && bytes_cmp(r->term, r->term_len, hi, r->hi_len) >= 0) r->has_term = false;
}

static int term_cmp(const struct run_reader *a, const struct run_reader *b)
{
    return bytes_cmp(a->term, a->term_len, b->term, b->term_len);
}

/* ---------------------------------------------------------------- merge */

#define POS_PIECE 1024

struct merge_state {
    uint32_t positions[POS_PIECE];
    int64_t open_doc;   /* begun in the sink and not yet ended; -1 none */
};

/* Stream one source's payload for the current term into the sink. A
 * first document equal to the open one is the rest of a document spilled
 * in pieces: its positions continue the open entry. */
static sift_err feed_payload(struct run_reader *r, struct merge_state *ms, const struct term_sink *sink,
                             sift_errmsg *err)
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

/* One merge: runs[0..nfiles), then mem, the terms in [lo, hi) (NULL: no
 * bound), into sink. */
struct range {
    const struct run_file *runs;
    unsigned nfiles;
    const struct mem_terms *mem;
    const char *lo, *hi;
    size_t lo_len, hi_len;
    const struct term_sink *sink;
    sift_errmsg err;
    sift_err rc;
};

static sift_err open_sources(struct range *g, struct run_reader *rr)
{
    for (unsigned k = 0; k < g->nfiles; k++) {
        rr[k].rf = &g->runs[k];
        rr[k].hi = g->hi;
        rr[k].hi_len = g->hi_len;
        rr[k].f = fopen(g->runs[k].path, "rb");
        rr[k].buf = malloc(RBUF);
        if (!rr[k].f || !rr[k].buf) return io_error(&g->err, g->runs[k].path, "cannot read run file");
        rr_seek(&rr[k], g->lo, g->lo_len);
    }
    if (g->mem) {
        struct run_reader *m = &rr[g->nfiles];
        m->mem = g->mem;
        m->hi = g->hi;
        m->hi_len = g->hi_len;
        rr_seek(m, g->lo, g->lo_len);
    }
    return SIFT_OK;
}

static sift_err merge_range(struct range *g)
{
    sift_errmsg *err = &g->err;
    const struct term_sink *sink = g->sink;
    unsigned n = g->nfiles + (g->mem != NULL);
    struct run_reader *rr = calloc(n ? n : 1, sizeof *rr);
    struct merge_state *ms = malloc(sizeof *ms);
    sift_err rc = rr && ms ? open_sources(g, rr) : sift_fail(err, SIFT_ERR_NOMEM, "out of memory while merging");
    while (!rc) {
        int best = -1;
        for (unsigned k = 0; k < n; k++) {
            if (rr[k].bad) {
                rc = rr[k].mem ? sift_fail(err, SIFT_ERR_INVALID, "a term in memory is too long")
                               : sift_fail(err, SIFT_ERR_IO, "temporary run file %s is damaged", rr[k].rf->path);
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
    for (unsigned k = 0; rr && k < n; k++) {
        if (rr[k].f) fclose(rr[k].f);
        free(rr[k].buf);
    }
    free(rr);
    free(ms);
    return g->rc = rc;
}

/* ------------------------------------------------- intermediate merges */

/* A sink writing the run format. A term's payload is held until its end
 * (its length comes first), and the open document's positions until the
 * document's end (its tf comes first). */
struct run_sink {
    struct run_writer w;
    char term[TERM_CAP];
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
    if (!buf_varint(&s->payload, (uint64_t)((int64_t)s->doc - s->last - 1)) || !buf_varint(&s->payload, s->tf) ||
        !buf_append(&s->payload, s->doc_positions.data, s->doc_positions.len))
        return sift_fail(s->err, SIFT_ERR_NOMEM, "out of memory while merging runs");
    s->df++;
    s->last = s->doc;
    return SIFT_OK;
}

static sift_err rs_end(void *ctx)
{
    struct run_sink *s = ctx;
    run_writer_term(&s->w, s->term, s->term_len, s->df, s->payload.len);
    run_writer_payload(&s->w, s->payload.data, s->payload.len);
    return ferror(s->w.f) ? io_error(s->err, s->w.rf.path, "write") : SIFT_OK;
}

/* Merge the first MERGE_FAN_IN runs of l into one new run, in their place. */
static sift_err merge_level(struct run_list *l, const char *tmp_prefix, unsigned number, sift_errmsg *err)
{
    char path[4096];
    snprintf(path, sizeof path, "%smerge-%u", tmp_prefix, number);
    struct run_sink rs = { .last = -1, .err = err };
    sift_err rc = run_writer_open(&rs.w, path, err);
    if (rc) return rc;
    struct term_sink sink = { &rs, rs_begin, rs_begin_doc, rs_positions, rs_end_doc, rs_end };
    struct range g = { l->f, MERGE_FAN_IN, NULL, NULL, NULL, 0, 0, &sink, { { 0 } }, SIFT_OK };
    rc = merge_range(&g);
    if (rc) *err = g.err;
    struct run_list merged = { 0 };
    sift_err crc = run_writer_close(&rs.w, &merged, err);
    if (!rc) rc = crc;
    buf_free(&rs.payload);
    buf_free(&rs.doc_positions);
    if (rc) {
        run_list_free(&merged);
        return rc;
    }
    for (unsigned k = 0; k < MERGE_FAN_IN; k++) run_file_free(&l->f[k]);
    l->f[0] = merged.f[0];
    memmove(l->f + 1, l->f + MERGE_FAN_IN, (l->n - MERGE_FAN_IN) * sizeof *l->f);
    l->n -= MERGE_FAN_IN - 1;
    free(merged.f);
    return SIFT_OK;
}

/* ------------------------------------------------------------- splitting */

/* A place in the terms: a term and the payload bytes before it (summed
 * over the sources, as far as their indexes tell). */
struct mark {
    const char *term;
    size_t len;
    uint64_t before;
};

static int by_term(const void *a, const void *b)
{
    const struct mark *x = a, *y = b;
    return bytes_cmp(x->term, x->len, y->term, y->len);
}

/* Up to nsinks - 1 terms cutting the merge into ranges of about equal
 * payload, into cut[] (pointing into the indexes or the memory's terms);
 * *ncut of them, distinct and ascending. Each source's marks say how much
 * of it lies before them; a mark of one source counts every other source
 * up to its last mark below, which is within RUN_INDEX_EVERY terms. */
static bool split_terms(const struct run_list *l, const struct mem_terms *mem, unsigned nsinks,
                        struct mark *cut, unsigned *ncut)
{
    size_t total_marks = mem ? mem->n / RUN_INDEX_EVERY + 1 : 0;
    for (unsigned k = 0; k < l->n; k++) total_marks += l->f[k].nat;
    struct mark *m = malloc((total_marks ? total_marks : 1) * sizeof *m);
    uint64_t *src_of = malloc((total_marks ? total_marks : 1) * sizeof *src_of);
    uint64_t *last = calloc(l->n + 1, sizeof *last);
    if (!m || !src_of || !last) {
        free(m);
        free(src_of);
        free(last);
        return false;
    }
    size_t nm = 0;
    uint64_t total = 0;
    for (unsigned k = 0; k < l->n; k++) {
        for (uint32_t e = 0; e < l->f[k].nat; e++) {
            uint64_t off;
            const uint8_t *key = index_entry(&l->f[k], e, &m[nm].len, &off);
            m[nm].term = (const char *)key;
            m[nm].before = off;
            src_of[nm++] = k;
        }
        total += l->f[k].bytes;
    }
    if (mem) {
        uint64_t sum = 0;
        for (uint32_t i = 0; i < mem->n; i++) {
            if (i % RUN_INDEX_EVERY == 0) {
                uint32_t df;
                const void *first;
                mem->term(mem->ctx, i, &m[nm].term, &m[nm].len, &df, &first);
                m[nm].before = sum;
                src_of[nm++] = l->n;
            }
            sum += mem->payload(mem->ctx, i) + 16;   /* a term's header, about */
        }
        total += sum;
    }
    /* sort the marks by term, keeping each one's source beside it */
    struct mark *sorted = malloc((nm ? nm : 1) * sizeof *sorted);
    bool ok = sorted != NULL;
    if (ok) {
        for (size_t i = 0; i < nm; i++) {
            sorted[i] = m[i];
            sorted[i].before = i;   /* the original index, for the source */
        }
        qsort(sorted, nm, sizeof *sorted, by_term);
        uint64_t sum = 0;
        unsigned next = 1;
        *ncut = 0;
        for (size_t i = 0; i < nm && next < nsinks; i++) {
            size_t at = (size_t)sorted[i].before;
            unsigned src = (unsigned)src_of[at];
            sum += m[at].before - last[src];
            last[src] = m[at].before;
            if (sum * nsinks >= total * next) {
                if (!*ncut || by_term(&cut[*ncut - 1], &sorted[i]) < 0) cut[(*ncut)++] = sorted[i];
                next++;
            }
        }
    }
    free(sorted);
    free(m);
    free(src_of);
    free(last);
    return ok;
}

/* ---------------------------------------------------------------- entry */

static void *merge_thread(void *arg)
{
    merge_range(arg);
    return NULL;
}

sift_err runs_merge(struct run_list *l, const struct mem_terms *mem, const char *tmp_prefix,
                    const struct term_sink *sinks, unsigned nsinks, sift_errmsg *err)
{
    if (err) err->msg[0] = 0;
    sift_err rc = SIFT_OK;
    for (unsigned number = 0; !rc && l->n > MERGE_FAN_IN; number++) rc = merge_level(l, tmp_prefix, number, err);
    if (rc) return rc;
    struct mark *cut = calloc(nsinks, sizeof *cut);
    struct range *g = calloc(nsinks, sizeof *g);
    pthread_t *tid = calloc(nsinks, sizeof *tid);
    bool *started = calloc(nsinks, sizeof *started);
    unsigned ncut = 0;
    if (!cut || !g || !tid || !started || (nsinks > 1 && !split_terms(l, mem, nsinks, cut, &ncut)))
        rc = sift_fail(err, SIFT_ERR_NOMEM, "out of memory while merging");
    unsigned nr = ncut + 1;   /* ranges: at most nsinks, fewer when the terms are few */
    for (unsigned k = 0; !rc && k < nr; k++) {
        g[k] = (struct range){ l->f, l->n, mem, k ? cut[k - 1].term : NULL, k < ncut ? cut[k].term : NULL,
                               k ? cut[k - 1].len : 0, k < ncut ? cut[k].len : 0, &sinks[k], { { 0 } }, SIFT_OK };
        if (k) started[k] = pthread_create(&tid[k], NULL, merge_thread, &g[k]) == 0;
        if (k && !started[k]) merge_range(&g[k]);   /* no thread to be had: here, in turn */
    }
    if (!rc) merge_range(&g[0]);
    for (unsigned k = 1; k < nr; k++)
        if (started[k]) pthread_join(tid[k], NULL);
    for (unsigned k = 0; !rc && k < nr; k++)
        if (g[k].rc) {
            rc = g[k].rc;
            if (err) *err = g[k].err;
        }
    free(cut);
    free(g);
    free(tid);
    free(started);
    return rc;
}
