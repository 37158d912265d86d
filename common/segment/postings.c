/* postings.c -- SEC_POSTINGS both ways: a term's documents, frequencies
 * and skip table (its positions: positions.c).
 *
 * SEC_POSTINGS, one term: nb = ceil(df / 128) blocks. When nb > 1 a skip
 *   table comes first: six u8 widths (bits, the first three at most 32,
 *   the last three at most 16), then nb entries of their sum in bits, entry
 *   b at bit b·sum of a little-endian bit stream, each holding in turn:
 *     the last doc of the block, the end of the block (bytes from the end
 *     of the skip table), the start of the block's positions (bytes from
 *     the term's first position byte), the largest tf in the block
 *     (SKIP_TF_MANY: 65535 or more), the smallest document length
 *     (SEC_NORMS) in the block, or SKIP_LEN_MANY when that is more, and
 *     the largest number of its positions below its document's title
 *     length (SKIP_TF_MANY: 65535 or more).
 *   The widths are the fewest bits that hold the term's largest values:
 *   about 9 bytes an entry on the Wikipedia passages, where 16 fixed were
 *   5.2 MB.
 *   BM25 grows with tf and shrinks with length, so tf and length bound the
 *   score of every document of the block for any k1 and b (a tf of
 *   SKIP_TF_MANY is taken as unbounded): the searcher skips blocks that
 *   cannot reach the top k (searcher/prune.c). The title tf bounds BM25F
 *   the same way for any weights: a block none of whose titles hold the
 *   word gains nothing from a title weight. A term's postings and its
 *   positions must each stay under 4 GiB in one segment.
 *   Blocks i < df / 128 are full (128 documents): two PFOR runs
 *     (postings_codec.h), the (doc - previous doc - 1) values, then the
 *     (tf - 1) values; the previous doc of the very first document is -1.
 *   The last block, when df is not a multiple of 128, holds the rest as
 *     varints: (doc - previous doc - 1) << 1 | (tf == 1), then tf if tf > 1.
 *
 * Reading: every block is fetched through segfile_get, so its checksum is
 * verified before it is decoded, and every decoded value is checked
 * against the segment before it is used.
 */
#include "postings.h"

#include <errno.h>
#include <stddef.h>
#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "error.h"
#include "norms.h"

/* ------------------------------------------------------------- writing */

static sift_err oom(sift_errmsg *err)
{
    return sift_fail(err, SIFT_ERR_NOMEM, "out of memory writing the segment");
}

void postings_writer_begin_term(struct postings_writer *w, const char *term, size_t len)
{
    w->term = term;
    w->term_len = len;
    w->nbuf = 0;
    w->prev_doc = -1;
    w->blocks.len = w->skips.len = 0;
    w->df = 0;
    w->cf = 0;
    positions_writer_begin_term(&w->pos);
}

void postings_writer_begin_doc(struct postings_writer *w, uint32_t doc)
{
    w->doc = doc;
    w->tf = 0;
    w->title_len = norms_built_title_len(w->norms, doc);
    w->title_tf = 0;
}

sift_err postings_writer_positions(struct postings_writer *w, const uint32_t *p, size_t n,
                                   sift_errmsg *err)
{
    if ((uint64_t)w->tf + n > UINT32_MAX)
        return sift_fail(err, SIFT_ERR_INVALID, "more than 2^32 positions in one document");
    sift_err rc = positions_writer_add(&w->pos, w->nbuf, w->tf == 0, p, n, err);
    w->tf += (uint32_t)n;
    w->title_tf += positions_in_title(p, n, w->title_len);   /* the calls' positions ascend */
    return rc;
}

/* The open block's documents and frequencies, and its skip entry. */
static sift_err flush_block(struct postings_writer *w, sift_errmsg *err)
{
    uint32_t n = w->nbuf;
    if (!n) return SIFT_OK;
    uint64_t pos_start;
    sift_err rc = positions_writer_end_block(&w->pos, n, &pos_start, err);
    if (rc) return rc;
    uint32_t gaps[POSTINGS_BLOCK], tfm1[POSTINGS_BLOCK];
    int64_t prev = w->prev_doc;
    for (uint32_t i = 0; i < n; i++) {
        gaps[i] = (uint32_t)((int64_t)w->docs[i] - prev - 1);
        tfm1[i] = w->tfs[i] - 1;
        prev = w->docs[i];
    }
    struct buf *b = &w->blocks;
    if (n == POSTINGS_BLOCK) {
        if (!pfor_append(b, gaps) || !pfor_append(b, tfm1)) return oom(err);
    } else {
        for (uint32_t i = 0; i < n; i++) {
            if (!buf_varint(b, (uint64_t)gaps[i] << 1 | (w->tfs[i] == 1))) return oom(err);
            if (w->tfs[i] > 1 && !buf_varint(b, w->tfs[i])) return oom(err);
        }
    }
    uint32_t max_tf = 0, min_len = UINT32_MAX, max_title_tf = 0;
    for (uint32_t i = 0; i < n; i++) {
        if (w->tfs[i] > max_tf) max_tf = w->tfs[i];
        if (w->title_tfs[i] > max_title_tf) max_title_tf = w->title_tfs[i];
        uint32_t len = norms_built_len(w->norms, w->docs[i]);
        if (len < min_len) min_len = len;
    }
    if (b->len > UINT32_MAX || pos_start > UINT32_MAX)
        return sift_fail(err, SIFT_ERR_INVALID,
                         "term '%.*s' has over 4 GiB of postings or positions in one segment",
                         (int)w->term_len, w->term);
    const uint32_t skip[SKIP_FIELDS] = {   /* in enum skip_field order */
        w->docs[n - 1], (uint32_t)b->len, (uint32_t)pos_start,
        max_tf < SKIP_TF_MANY ? max_tf : SKIP_TF_MANY, min_len < SKIP_LEN_MANY ? min_len : SKIP_LEN_MANY,
        max_title_tf < SKIP_TF_MANY ? max_title_tf : SKIP_TF_MANY
    };
    if (!buf_append(&w->skips, skip, sizeof skip)) return oom(err);
    w->prev_doc = w->docs[n - 1];
    w->nbuf = 0;
    return SIFT_OK;
}

sift_err postings_writer_end_doc(struct postings_writer *w, sift_errmsg *err)
{
    if (!w->tf) return sift_fail(err, SIFT_ERR_INVALID, "a posting without positions");
    w->docs[w->nbuf] = w->doc;
    w->tfs[w->nbuf] = w->tf;
    w->title_tfs[w->nbuf] = w->title_tf;
    w->df++;
    w->cf += w->tf;
    if (++w->nbuf == POSTINGS_BLOCK) return flush_block(w, err);
    return SIFT_OK;
}

/* The term's skip entries (SKIP_FIELDS u32 each, as flush_block made
 * them) packed into w->skip_packed: six widths, then the fields of every
 * entry in those widths. */
static sift_err pack_skips(struct postings_writer *w, sift_errmsg *err)
{
    const uint32_t *e = (const uint32_t *)w->skips.data;
    size_t nb = w->skips.len / sizeof(uint32_t[SKIP_FIELDS]);
    uint32_t any[SKIP_FIELDS] = { 0 };
    for (size_t b = 0; b < nb; b++)
        for (unsigned f = 0; f < SKIP_FIELDS; f++) any[f] |= e[b * SKIP_FIELDS + f];
    uint8_t width[SKIP_FIELDS];
    unsigned total = 0;
    for (unsigned f = 0; f < SKIP_FIELDS; f++) total += width[f] = (uint8_t)bits_needed(any[f]);
    size_t bytes = SKIP_FIELDS + (size_t)(((uint64_t)nb * total + 7) / 8);
    w->skip_packed.len = 0;
    if (!buf_reserve(&w->skip_packed, bytes)) return oom(err);
    memset(w->skip_packed.data, 0, bytes);
    w->skip_packed.len = bytes;
    memcpy(w->skip_packed.data, width, SKIP_FIELDS);
    uint64_t at = 0;
    for (size_t b = 0; b < nb; b++)
        for (unsigned f = 0; f < SKIP_FIELDS; f++) {
            wr_bits(w->skip_packed.data + SKIP_FIELDS, at, e[b * SKIP_FIELDS + f], width[f]);
            at += width[f];
        }
    return SIFT_OK;
}

sift_err postings_writer_end_term(struct postings_writer *w, struct term_info *ti,
                                  sift_errmsg *err)
{
    sift_err rc = flush_block(w, err);
    if (rc) return rc;
    uint32_t nb = (w->df + POSTINGS_BLOCK - 1) / POSTINGS_BLOCK;
    if (nb > 1 && (rc = pack_skips(w, err))) return rc;
    size_t skips = nb > 1 ? w->skip_packed.len : 0;
    *ti = (struct term_info){ w->df, w->cf, w->off, skips + w->blocks.len, w->pos.off, 0 };
    if ((skips && fwrite(w->skip_packed.data, 1, skips, w->f) != skips) ||
        fwrite(w->blocks.data, 1, w->blocks.len, w->f) != w->blocks.len)
        return sift_fail_errno(err, errno, "%s: write", w->path);
    rc = positions_writer_end_term(&w->pos, &ti->pos_len, err);
    if (rc) return rc;
    w->off += ti->doc_len;
    return SIFT_OK;
}

void postings_writer_free(struct postings_writer *w)
{
    buf_free(&w->blocks);
    buf_free(&w->skips);
    buf_free(&w->skip_packed);
    positions_writer_free(&w->pos);
}

/* ------------------------------------------------------------- reading */

static uint32_t postings_fail(struct postings *p, const char *why)
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
    for (size_t i = POSTINGS_BLOCK; i < sizeof p->docs / sizeof *p->docs; i++)
        p->docs[i] = DOC_END;   /* the slack find_in_block reads: defined */
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
        return postings_fail(p, "bad block header");
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
            return postings_fail(p, "bad tail block");
        p->docs[i] = (uint32_t)prev;
        p->tfs[i] = (uint32_t)tf;
    }
    p->tfs_ready = true;
    if (c.p != c.end) return postings_fail(p, "tail block has trailing bytes");
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
    if (end < start || end > p->blocks_len) return postings_fail(p, "block offsets out of range");
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
        return postings_fail(p, "document number out of range");
    p->block = b;
    p->i = 0;
    p->pos.ready = false;
    p->title_tf_ready = false;
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
        postings_fail(p, "bad frequency exceptions");
        return;
    }
    if (!codec_plus_one(p->tfs)) {
        memset(p->tfs, 0, sizeof p->tfs);
        postings_fail(p, "frequency overflow");
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

/* The first index from i on whose document is >= target, given that the
 * block's last one is. Windows of 16 are passed by their last entry; the
 * one holding the answer is compared whole, four at a time (SSE2: every
 * x86-64 has it), without a branch per entry: a binary search's
 * mispredictions were a quarter of phrase time, and a linear scan cost
 * 13 instructions a call. The loads may read 15 entries past the block:
 * docs[] has that slack. */
static uint32_t find_in_block(const struct postings *p, uint32_t i, uint32_t target)
{
    while (i + 16 <= p->n && p->docs[i + 15] < target) i += 16;
#if defined(__SSE2__)
    const __m128i bias = _mm_set1_epi32(INT32_MIN);   /* unsigned order as signed */
    const __m128i t = _mm_xor_si128(_mm_set1_epi32((int)target), bias);
    unsigned less = 0;
    for (unsigned k = 0; k < 4; k++) {
        __m128i v = _mm_xor_si128(_mm_loadu_si128((const __m128i *)(p->docs + i + 4 * k)), bias);
        less |= (unsigned)_mm_movemask_ps(_mm_castsi128_ps(_mm_cmpgt_epi32(t, v))) << (4 * k);
    }
    return i + (uint32_t)__builtin_ctz(~less);
#else
    while (p->docs[i] < target) i++;
    return i;
#endif
}

uint32_t postings_advance_from(struct postings *p, uint32_t i, uint32_t target)
{
    if (p->doc == DOC_END) return DOC_END;
    if (p->docs[p->n - 1] < target) {
        /* skip whole blocks by their last document (the next ones first) */
        uint32_t b = p->block + 1;
        if (p->skips) b = postings_find_block(p, b, target);
        if (load_block(p, b) == DOC_END || p->doc >= target) return p->doc;
        i = 1;
    }
    p->i = find_in_block(p, i, target);
    return p->doc = p->docs[p->i];
}

uint32_t postings_advance(struct postings *p, uint32_t target)
{
    return postings_advance_from(p, p->i, target);
}

/* Fetch the current block's positions and decode its first positions. */
static int positions_open(struct postings *p)
{
    uint64_t start = p->block == 0 ? 0 : skip_get(p, p->block, SKIP_POS);
    uint64_t end = p->block + 1 < p->nblocks ? skip_get(p, p->block + 1, SKIP_POS) : p->ti.pos_len;
    if (start > end || end > p->ti.pos_len) return postings_fail(p, "position offsets out of range"), -1;
    sift_err rc = SIFT_OK;
    const uint8_t *data = segfile_get(&p->seg->file, SEC_POSITIONS, p->ti.pos_off + start,
                                      end - start, &rc, p->err);
    if (!data) {
        p->rc = rc;
        return -1;
    }
    if (!p->tfs_ready) postings_decode_tfs(p);
    if (p->rc) return -1;
    const char *why = positions_block_open(&p->pos, data, (size_t)(end - start), p->n, p->firsts);
    return why ? postings_fail(p, why), -1 : 0;
}

uint32_t postings_first_position(struct postings *p)
{
    if (p->doc == DOC_END || (!p->pos.ready && positions_open(p))) return UINT32_MAX;
    return p->firsts[p->i];
}

int postings_positions(struct postings *p, uint32_t *out)
{
    if (p->doc == DOC_END) return -1;
    if (!p->pos.ready && positions_open(p)) return -1;
    const char *why = positions_block_read(&p->pos, p->tfs, p->firsts, p->gaps, p->i, out);
    return why ? postings_fail(p, why), -1 : (int)p->tfs[p->i];
}

/* ----------------------------------------------------- block score bounds */

uint32_t postings_find_block(const struct postings *p, uint32_t from, uint32_t target)
{
    if (!p->skips) return target < p->seg->doc_count ? 0 : 1;
    /* mostly the target is in the block the list is on, or the next */
    for (uint32_t b = from; b < p->nblocks && b < from + 2; b++)
        if (skip_get(p, b, SKIP_LAST) >= target) return b;
    /* else a few blocks on more often than far: galloping (probes 1, 2,
     * 4... blocks on), then a binary search of the last step */
    uint32_t lo = from + 2, hi, step = 1;
    if (lo >= p->nblocks) return p->nblocks;
    for (;;) {   /* the blocks before lo end below target */
        hi = lo + step - 1;
        if (hi >= p->nblocks) {
            hi = p->nblocks;
            break;
        }
        if (skip_get(p, hi, SKIP_LAST) >= target) break;
        lo = hi + 1;
        step *= 2;
    }
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (skip_get(p, mid, SKIP_LAST) < target) lo = mid + 1;
        else hi = mid;
    }
    return lo;
}

/* One block, no skip entry: no document holds more than cf - df + 1. */
static uint32_t one_block_tf(const struct postings *p)
{
    uint64_t tf = p->ti.cf - p->ti.df + 1;
    return tf > UINT32_MAX ? UINT32_MAX : (uint32_t)tf;
}

void postings_block_stat(const struct postings *p, uint32_t b, struct block_stat *out)
{
    if (b >= p->nblocks) {   /* past the end: nothing more can match */
        *out = (struct block_stat){ DOC_END - 1, 0, 0 };
    } else if (!p->skips) {
        *out = (struct block_stat){ DOC_END - 1, one_block_tf(p), 0 };
    } else {
        uint32_t tf = skip_get(p, b, SKIP_TF);
        *out = (struct block_stat){ skip_get(p, b, SKIP_LAST), tf == SKIP_TF_MANY ? UINT32_MAX : tf,
                                    skip_get(p, b, SKIP_LEN) };
    }
}

uint32_t postings_block_title_tf(const struct postings *p, uint32_t b)
{
    if (b >= p->nblocks) return 0;
    if (!p->skips) return one_block_tf(p);
    uint32_t ttf = skip_get(p, b, SKIP_TITLE_TF);
    return ttf == SKIP_TF_MANY ? UINT32_MAX : ttf;
}

sift_err segment_live_df(const struct segment *s, const struct term_info *ti, uint32_t *live,
                         sift_errmsg *err)
{
    *live = ti->df;
    if (!s->ndeleted) return SIFT_OK;
    struct postings p;
    sift_err rc = postings_open(&p, s, ti, err);
    if (rc) return rc;
    uint32_t dead = 0;
    postings_first(&p);
    if ((uint64_t)s->ndeleted * 8 < ti->df) {
        /* few deletions: skip to each of them */
        for (size_t i = 0; i < s->ndeleted && p.doc != DOC_END; i++) {
            uint32_t d = s->deleted[i];
            if (p.doc < d) postings_advance(&p, d);
            dead += p.doc == d;
        }
    } else {
        for (; p.doc != DOC_END; postings_next(&p)) dead += segment_is_deleted(s, p.doc);
    }
    if (p.rc) return p.rc;
    *live = ti->df - dead;
    return SIFT_OK;
}
