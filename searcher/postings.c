/* postings.c -- iterating a term's documents, frequencies and positions
 * (layout in indexer/segment_writer.c). Every block is fetched through
 * segfile_get, so its checksum is verified before it is decoded, and every
 * decoded value is checked against the segment before it is used. */
#include <stddef.h>
#include <string.h>

#include "error.h"
#include "index.h"
#include "segment.h"

static uint32_t fail(struct postings *p, const char *why)
{
    if (!p->rc)
        p->rc = sift_fail(p->err, SIFT_ERR_CORRUPT, "%s: postings: %s", p->seg->file.path, why);
    p->doc = DOC_END;
    p->n = p->i = 0;
    return DOC_END;
}

sift_err postings_open(struct postings *p, const struct segment *s, const struct term_info *ti,
                       sift_errmsg *err)
{
    memset(p, 0, offsetof(struct postings, docs));
    p->seg = s;
    p->ti = *ti;
    p->err = err;
    p->doc = DOC_END;
    p->nblocks = (ti->df + POSTINGS_BLOCK - 1) / POSTINGS_BLOCK;
    uint64_t skip_bytes = 0;
    if (p->nblocks > 1) {
        sift_err rc = SIFT_OK;
        const uint8_t *w = ti->doc_len >= SKIP_FIELDS
                               ? segfile_get(&s->file, SEC_POSTINGS, ti->doc_off, SKIP_FIELDS, &rc, err)
                               : NULL;
        if (!w && rc) return rc;
        for (unsigned f = 0; w && f < SKIP_FIELDS; f++) {
            if (w[f] > (f < SKIP_TF ? 32 : 16)) w = NULL;
            else {
                p->skip_w[f] = w[f];
                p->skip_at[f] = (uint8_t)p->skip_bits;
                p->skip_bits += w[f];
            }
        }
        skip_bytes = SKIP_FIELDS + ((uint64_t)p->nblocks * p->skip_bits + 7) / 8;
        if (!w || ti->doc_len < skip_bytes)
            return sift_fail(err, SIFT_ERR_CORRUPT, "%s: postings: bad skip table", s->file.path);
        p->skip_len = (size_t)skip_bytes - SKIP_FIELDS;
        p->skips = segfile_get(&s->file, SEC_POSTINGS, ti->doc_off + SKIP_FIELDS, p->skip_len, &rc, err);
        if (!p->skips) return rc;
    }
    p->blocks_off = ti->doc_off + skip_bytes;
    p->blocks_len = ti->doc_len - skip_bytes;
    return SIFT_OK;
}

static uint64_t block_start(const struct postings *p, uint32_t b)
{
    return b == 0 ? 0 : skip_get(p, b - 1, SKIP_END);
}

static uint64_t block_end(const struct postings *p, uint32_t b)
{
    return p->skips ? skip_get(p, b, SKIP_END) : p->blocks_len;
}

static uint32_t decode_full(struct postings *p, const uint8_t *d, uint64_t len, int64_t prev)
{
    size_t gap_size = len ? pfor_size(d[0]) : 0;
    if (len < 2 || gap_size >= len || len != gap_size + pfor_size(d[gap_size]) ||
        !pfor_decode(d, p->docs))
        return fail(p, "bad block header");
    codec_gaps_to_docs(p->docs, (uint32_t)prev);
    p->tf_packed = d + gap_size;
    p->tfs_ready = false;
    p->n = POSTINGS_BLOCK;
    return 0;
}

static uint32_t decode_tail(struct postings *p, const uint8_t *d, uint64_t len, int64_t prev,
                            uint32_t count)
{
    struct cursor c = cursor_make(d, (size_t)len);
    for (uint32_t i = 0; i < count; i++) {
        uint64_t v = cur_varint(&c);
        uint64_t tf = (v & 1) ? 1 : cur_varint(&c);
        prev += (int64_t)(v >> 1) + 1;
        if (c.bad || tf < 1 || tf > UINT32_MAX || prev > UINT32_MAX)
            return fail(p, "bad tail block");
        p->docs[i] = (uint32_t)prev;
        p->tfs[i] = (uint32_t)tf;
    }
    p->tfs_ready = true;
    if (c.p != c.end) return fail(p, "tail block has trailing bytes");
    p->n = count;
    return 0;
}

/* Decode block b and point at its first document. */
static uint32_t load_block(struct postings *p, uint32_t b)
{
    if (b >= p->nblocks) {
        p->doc = DOC_END;
        p->block = p->nblocks;
        return DOC_END;
    }
    uint64_t start = block_start(p, b), end = block_end(p, b);
    if (end < start || end > p->blocks_len) return fail(p, "block offsets out of range");
    sift_err rc = SIFT_OK;
    const uint8_t *d = segfile_get(&p->seg->file, SEC_POSTINGS, p->blocks_off + start,
                                   end - start, &rc, p->err);
    if (!d) {
        p->rc = rc;
        p->doc = DOC_END;
        return DOC_END;
    }
    int64_t prev = b == 0 ? -1 : (int64_t)skip_get(p, b - 1, SKIP_LAST);
    uint32_t full = p->ti.df / POSTINGS_BLOCK;
    uint32_t count = b < full ? POSTINGS_BLOCK : p->ti.df - full * POSTINGS_BLOCK;
    if ((b < full ? decode_full(p, d, end - start, prev)
                  : decode_tail(p, d, end - start, prev, count)) == DOC_END)
        return DOC_END;
    if (p->docs[p->n - 1] >= p->seg->doc_count ||
        (p->skips && p->docs[p->n - 1] != skip_get(p, b, SKIP_LAST)))
        return fail(p, "document number out of range");
    p->block = b;
    p->i = 0;
    p->pos_ready = false;
    p->doc = p->docs[0];
    return p->doc;
}

void postings_decode_tfs(struct postings *p)
{
    p->tfs_ready = true;
    if (p->n != POSTINGS_BLOCK || !p->tf_packed) {   /* nothing to unpack: keep out of bounds reads away */
        memset(p->tfs, 0, sizeof p->tfs);
        return;
    }
    if (!pfor_decode(p->tf_packed, p->tfs)) {
        memset(p->tfs, 0, sizeof p->tfs);
        fail(p, "bad frequency exceptions");
        return;
    }
    for (uint32_t i = 0; i < POSTINGS_BLOCK; i++) {
        if (p->tfs[i] == UINT32_MAX) {
            memset(p->tfs, 0, sizeof p->tfs);
            fail(p, "frequency overflow");
            return;
        }
        p->tfs[i] += 1;
    }
}

uint32_t postings_first(struct postings *p)
{
    return load_block(p, 0);
}

uint32_t postings_next(struct postings *p)
{
    if (p->doc == DOC_END) return DOC_END;
    if (++p->i < p->n) return p->doc = p->docs[p->i];
    return load_block(p, p->block + 1);
}

uint32_t postings_next_block(struct postings *p)
{
    if (p->doc == DOC_END) return DOC_END;
    return load_block(p, p->block + 1);
}

uint32_t postings_advance(struct postings *p, uint32_t target)
{
    if (p->doc == DOC_END) return DOC_END;
    if (p->docs[p->n - 1] < target) {
        /* skip whole blocks by their last document (the next ones first) */
        uint32_t b = p->block + 1;
        if (p->skips) b = postings_find_block(p, b, target);
        if (load_block(p, b) == DOC_END) return DOC_END;
    }
    /* within the block: leapfrogging targets are mostly a few entries on,
     * so look at the next 8 in a row, then search the rest without
     * branches (a binary search's mispredictions were a quarter of phrase
     * time) */
    uint32_t lo = p->i, end = lo + 8 < p->n ? lo + 8 : p->n;
    while (lo < end && p->docs[lo] < target) lo++;
    if (lo == end && end < p->n) {
        const uint32_t *base = p->docs + end;
        uint32_t len = p->n - end;
        while (len > 1) {
            uint32_t half = len / 2;
            base = base[half - 1] < target ? base + half : base;
            len -= half;
        }
        lo = (uint32_t)(base - p->docs) + (*base < target);
    }
    if (lo == p->n) return load_block(p, p->block + 1);
    p->i = lo;
    return p->doc = p->docs[lo];
}

static int pos_fail(struct postings *p, const char *why)
{
    fail(p, why);
    return -1;
}

/* One run of a positions value stream at *off: 128 packed values, or the
 * `count` (< 128) varints that end it. Returns false on bad data. */
static bool read_run(struct postings *p, size_t *off, uint32_t count, uint32_t *out)
{
    if (count == POSTINGS_BLOCK) {
        if (*off >= p->pos_bytes) return false;
        size_t size = pfor_size(p->pos_data[*off]);
        if (p->pos_bytes - *off < size || !pfor_decode(p->pos_data + *off, out)) return false;
        *off += size;
        return true;
    }
    struct cursor c = cursor_make(p->pos_data + *off, p->pos_bytes - *off);
    for (uint32_t i = 0; i < count; i++) {
        uint64_t v = cur_varint(&c);
        if (v > UINT32_MAX) return false;
        out[i] = (uint32_t)v;
    }
    if (c.bad) return false;
    *off = (size_t)(c.p - p->pos_data);
    return true;
}

/* Fetch the current block's positions and decode its first positions. */
static int positions_open(struct postings *p)
{
    uint64_t start = p->block == 0 ? 0 : skip_get(p, p->block, SKIP_POS);
    uint64_t end = p->block + 1 < p->nblocks
                       ? skip_get(p, p->block + 1, SKIP_POS)
                       : p->ti.pos_len;
    if (start > end || end > p->ti.pos_len) return pos_fail(p, "position offsets out of range");
    sift_err rc = SIFT_OK;
    p->pos_data = segfile_get(&p->seg->file, SEC_POSITIONS, p->ti.pos_off + start, end - start,
                              &rc, p->err);
    if (!p->pos_data) {
        p->rc = rc;
        return -1;
    }
    p->pos_bytes = (size_t)(end - start);
    p->gap_off = 0;
    if (!p->tfs_ready) postings_decode_tfs(p);
    if (p->rc) return -1;
    if (!read_run(p, &p->gap_off, p->n, p->firsts)) return pos_fail(p, "bad first positions");
    p->gap_total = 0;
    for (uint32_t i = 0; i < p->n; i++) p->gap_total += p->tfs[i] - 1;
    p->gap_run = UINT64_MAX;
    p->gap_base = 0;
    p->pos_index = 0;
    p->pos_ready = true;
    return 0;
}

/* Make run r of the block's gap stream the one in p->gaps (runs are only
 * read forward: documents, and positions in them, come in order). */
static int gap_run_load(struct postings *p, uint64_t r)
{
    uint64_t full = p->gap_total / POSTINGS_BLOCK;
    for (uint64_t next = p->gap_run == UINT64_MAX ? 0 : p->gap_run + 1; next <= r; next++) {
        uint32_t count = next < full ? POSTINGS_BLOCK : (uint32_t)(p->gap_total - full * POSTINGS_BLOCK);
        if (next < r && count == POSTINGS_BLOCK) {   /* skip a packed run by its header */
            if (p->gap_off >= p->pos_bytes) return pos_fail(p, "bad gap run");
            size_t size = pfor_size(p->pos_data[p->gap_off]);
            if (p->pos_bytes - p->gap_off < size) return pos_fail(p, "gap run truncated");
            p->gap_off += size;
        } else if (!read_run(p, &p->gap_off, count, p->gaps)) {
            return pos_fail(p, "bad gap run");
        }
        p->gap_run = next;
    }
    return 0;
}

int postings_positions(struct postings *p, uint32_t *out)
{
    if (p->doc == DOC_END) return -1;
    if (!p->pos_ready && positions_open(p)) return -1;
    if (p->pos_index > p->i) return pos_fail(p, "positions read out of order");
    for (; p->pos_index < p->i; p->pos_index++) p->gap_base += p->tfs[p->pos_index] - 1;
    uint32_t tf = p->tfs[p->i], pos = p->firsts[p->i];
    out[0] = pos;
    for (uint32_t k = 1; k < tf;) {
        uint64_t g = p->gap_base + k - 1, r = g / POSTINGS_BLOCK;
        if (r != p->gap_run && gap_run_load(p, r)) return -1;
        uint32_t at = (uint32_t)(g % POSTINGS_BLOCK);
        for (; at < POSTINGS_BLOCK && k < tf; at++, k++) {
            if (p->gaps[at] >= UINT32_MAX - pos) return pos_fail(p, "bad position gap");
            pos += p->gaps[at] + 1;
            out[k] = pos;
        }
    }
    p->gap_base += tf - 1;
    p->pos_index = p->i + 1;
    return (int)tf;
}

/* ----------------------------------------------------- block score bounds */

uint32_t postings_find_block(const struct postings *p, uint32_t from, uint32_t target)
{
    if (!p->skips) return target < p->seg->doc_count ? 0 : 1;
    /* mostly the target is in the block the list is on, or the next */
    for (uint32_t b = from; b < p->nblocks && b < from + 2; b++)
        if (skip_get(p, b, SKIP_LAST) >= target) return b;
    uint32_t lo = from + 2, hi = p->nblocks;
    if (lo > hi) return p->nblocks;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (skip_get(p, mid, SKIP_LAST) < target) lo = mid + 1;
        else hi = mid;
    }
    return lo;
}

void postings_block_stat(const struct postings *p, uint32_t b, struct block_stat *out)
{
    if (b >= p->nblocks) {   /* past the end: nothing more can match */
        *out = (struct block_stat){ DOC_END - 1, 0, 0 };
    } else if (!p->skips) {
        /* one block, no skip entry: no document holds more than cf - df + 1 */
        uint64_t tf = p->ti.cf - p->ti.df + 1;
        *out = (struct block_stat){ DOC_END - 1, tf > UINT32_MAX ? UINT32_MAX : (uint32_t)tf, 0 };
    } else {
        uint32_t tf = skip_get(p, b, SKIP_TF);
        *out = (struct block_stat){ skip_get(p, b, SKIP_LAST), tf == SKIP_TF_MANY ? UINT32_MAX : tf,
                                    skip_get(p, b, SKIP_LEN) };
    }
}
