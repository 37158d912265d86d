/* positions.c -- SEC_POSITIONS both ways.
 *
 * SEC_POSITIONS, one term: per postings block (postings.c), in its
 *   document order, two value streams, each cut into runs of 128 values
 *   (PFOR, postings_codec.h) with the last run, when shorter than 128, as
 *   varints:
 *     firsts: the first position of every document of the block;
 *     gaps:   for every document, (position - previous position - 1) for
 *             its positions after the first (tf - 1 values each).
 *   First positions are large and gaps small, so the two streams get
 *   their own widths. A document's positions are found from the block's
 *   tfs alone: its gaps start after the sum of (tf - 1) of those before.
 *   The skip entry of a block (postings.c) holds where its positions start.
 */
#include "positions.h"

#include <errno.h>
#include <string.h>

#include "error.h"

/* A term's positions are written to the file once they pass this, so a
 * term of huge documents is never held whole. */
#define SPILL_AT (1u << 20)

/* ------------------------------------------------------------- writing */

static sift_err oom(sift_errmsg *err)
{
    return sift_fail(err, SIFT_ERR_NOMEM, "out of memory writing the segment");
}

/* A value stream: runs of 128 packed, the rest varints. */
static bool put_values(struct buf *b, const uint32_t *v, size_t n)
{
    size_t i = 0;
    for (; i + POSTINGS_BLOCK <= n; i += POSTINGS_BLOCK)
        if (!pfor_append(b, v + i)) return false;
    for (; i < n; i++)
        if (!buf_varint(b, v[i])) return false;
    return true;
}

static sift_err write_bytes(struct positions_writer *w, const void *p, size_t n, sift_errmsg *err)
{
    if (fwrite(p, 1, n, w->f) != n) return sift_fail_errno(err, errno, "%s: write", w->path);
    w->written += n;
    return SIFT_OK;
}

static sift_err spill(struct positions_writer *w, sift_errmsg *err)
{
    sift_err rc = write_bytes(w, w->term.data, w->term.len, err);
    w->term.len = 0;
    return rc;
}

void positions_writer_begin_term(struct positions_writer *w)
{
    w->ngaps = 0;
    w->gap_runs.len = 0;
    w->term.len = 0;
    w->written = 0;
    w->block_start = 0;
}

sift_err positions_writer_add(struct positions_writer *w, uint32_t slot, bool first,
                              const uint32_t *p, size_t n, sift_errmsg *err)
{
    size_t k = 0;
    if (n && first) w->firsts[slot] = w->last_pos = p[k++];
    for (; k < n; k++) {
        w->gaps[w->ngaps++] = p[k] - w->last_pos - 1;
        w->last_pos = p[k];
        if (w->ngaps == POSTINGS_BLOCK) {
            if (!pfor_append(&w->gap_runs, w->gaps)) return oom(err);
            w->ngaps = 0;
        }
    }
    return SIFT_OK;
}

sift_err positions_writer_end_block(struct positions_writer *w, uint32_t n, uint64_t *start,
                                    sift_errmsg *err)
{
    if (!put_values(&w->term, w->firsts, n)) return oom(err);
    if (w->gap_runs.len >= SPILL_AT) {   /* a huge document: write, do not copy */
        sift_err rc = spill(w, err);
        if (!rc) rc = write_bytes(w, w->gap_runs.data, w->gap_runs.len, err);
        if (rc) return rc;
    } else if (!buf_append(&w->term, w->gap_runs.data, w->gap_runs.len)) {
        return oom(err);
    }
    if (!put_values(&w->term, w->gaps, w->ngaps)) return oom(err);
    w->ngaps = 0;
    w->gap_runs.len = 0;
    *start = w->block_start;
    if (w->term.len >= SPILL_AT) {
        sift_err rc = spill(w, err);
        if (rc) return rc;
    }
    w->block_start = w->written + w->term.len;
    return SIFT_OK;
}

sift_err positions_writer_end_term(struct positions_writer *w, uint64_t *bytes, sift_errmsg *err)
{
    *bytes = w->written + w->term.len;
    sift_err rc = spill(w, err);
    if (!rc) w->off += *bytes;
    return rc;
}

void positions_writer_free(struct positions_writer *w)
{
    buf_free(&w->gap_runs);
    buf_free(&w->term);
}

/* ------------------------------------------------------------- reading */

/* One run of a value stream at *off: 128 packed values, or the `count`
 * (< 128) varints that end it. Returns false on bad data. */
static bool read_run(const struct positions_cursor *c, size_t *off, uint32_t count, uint32_t *out)
{
    if (count == POSTINGS_BLOCK) {
        if (*off >= c->bytes) return false;
        size_t size = pfor_size(c->data[*off]);
        if (c->bytes - *off < size || !pfor_decode(c->data + *off, out)) return false;
        *off += size;
        return true;
    }
    struct cursor cur = cursor_make(c->data + *off, c->bytes - *off);
    for (uint32_t i = 0; i < count; i++) {
        uint64_t v = cur_varint(&cur);
        if (v > UINT32_MAX) return false;
        out[i] = (uint32_t)v;
    }
    if (cur.bad) return false;
    *off = (size_t)(cur.p - c->data);
    return true;
}

const char *positions_block_open(struct positions_cursor *c, const uint8_t *data, size_t bytes,
                                 uint32_t n, uint32_t *firsts)
{
    c->data = data;
    c->bytes = bytes;
    c->n = n;
    c->gap_off = 0;
    if (!read_run(c, &c->gap_off, n, firsts)) return "bad first positions";
    c->totaled = false;
    c->gap_run = UINT64_MAX;
    c->gap_base = 0;
    c->index = 0;
    c->ready = true;
    return NULL;
}

/* The block's gap count, on the first read past a first position (most
 * phrase candidates are settled by first positions alone): the sum in
 * 32-bit lanes, which vectorize, when no frequency has 24 bits (128 of
 * them then sum below 2^31); else in 64. */
static void gaps_total(struct positions_cursor *c, const uint32_t *tfs)
{
    uint32_t any = 0, sum = 0, n = c->n;
    for (uint32_t i = 0; i < n; i++) {
        any |= tfs[i];
        sum += tfs[i];
    }
    c->small = any < (1u << 24);
    c->gap_total = sum - n;
    if (!c->small) {
        c->gap_total = 0;
        for (uint32_t i = 0; i < n; i++) c->gap_total += tfs[i] - 1;
    }
    c->totaled = true;
}

/* Make run r of the block's gap stream the one in gaps (runs are only
 * read forward: documents, and positions in them, come in order). */
static const char *gap_run_load(struct positions_cursor *c, uint64_t r, uint32_t *gaps)
{
    uint64_t full = c->gap_total / POSTINGS_BLOCK;
    for (uint64_t next = c->gap_run == UINT64_MAX ? 0 : c->gap_run + 1; next <= r; next++) {
        uint32_t count = next < full ? POSTINGS_BLOCK : (uint32_t)(c->gap_total - full * POSTINGS_BLOCK);
        if (next < r && count == POSTINGS_BLOCK) {   /* skip a packed run by its header */
            if (c->gap_off >= c->bytes) return "bad gap run";
            size_t size = pfor_size(c->data[c->gap_off]);
            if (c->bytes - c->gap_off < size) return "gap run truncated";
            c->gap_off += size;
        } else if (!read_run(c, &c->gap_off, count, gaps)) {
            return "bad gap run";
        }
        c->gap_run = next;
    }
    return NULL;
}

const char *positions_block_read(struct positions_cursor *c, const uint32_t *tfs,
                                 const uint32_t *firsts, uint32_t *gaps, uint32_t i, uint32_t *out)
{
    if (c->index > i) return "positions read out of order";
    if (!c->totaled) gaps_total(c, tfs);
    uint64_t skipped = 0;   /* the gaps of the documents passed over: a sum the compiler vectorizes */
    if (c->small) {
        uint32_t s32 = 0;
        for (uint32_t j = c->index; j < i; j++) s32 += tfs[j];
        skipped = s32;
    } else {
        for (uint32_t j = c->index; j < i; j++) skipped += tfs[j];
    }
    c->gap_base += skipped - (i - c->index);
    uint32_t tf = tfs[i], pos = firsts[i];
    out[0] = pos;
    for (uint32_t k = 1; k < tf;) {
        uint64_t g = c->gap_base + k - 1, r = g / POSTINGS_BLOCK;
        const char *why = r != c->gap_run ? gap_run_load(c, r, gaps) : NULL;
        if (why) return why;
        uint32_t at = (uint32_t)(g % POSTINGS_BLOCK);
        for (; at < POSTINGS_BLOCK && k < tf; at++, k++) {
            if (gaps[at] >= UINT32_MAX - pos) return "bad position gap";
            pos += gaps[at] + 1;
            out[k] = pos;
        }
    }
    c->gap_base += tf - 1;
    c->index = i + 1;
    return NULL;
}
