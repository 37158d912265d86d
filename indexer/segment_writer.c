/* segment_writer.c -- dictionary, postings and positions of a segment, and
 * the assembly of all sections into the file (container: segfile.h).
 *
 * SEC_META, 128 bytes:
 *   0 u32 doc count          4 u32 analyzer version
 *   8 u64 token count        16 u64 term count
 *   24 u64 posting count     32 u64 title token count
 *   40 32 bytes language, NUL-padded
 *   72 u32 postings block size (128)   76 u32 dictionary block terms (32)
 *   80..127 zero
 *
 * SEC_NORMS: u8 L, u8 T (0-32 each), 6 zero bytes; then per document i,
 *   at bit i·(L+T) of a little-endian bit stream (least significant bit
 *   first), the token count of title and text (the BM25 document length)
 *   in L bits and the token count of the title in T bits; then 8 zero
 *   bytes, so that any document's lengths are one 8-byte load. L and T are
 *   the fewest bits that hold the segment's largest lengths: exact lengths
 *   in 14 bits a passage where two u16 took 32. Title positions are
 *   [0, title count), text positions follow.
 *
 * SEC_DICT: terms in byte order, in blocks of DICT_BLOCK_TERMS. A block:
 *   varint postings offset of its first term (in SEC_POSTINGS)
 *   varint positions offset of its first term (in SEC_POSITIONS)
 *   varint number of terms, then per term:
 *     varint shared prefix length with the previous term (0 for the first),
 *     varint suffix length, suffix bytes,
 *     varint df, varint cf - df,
 *     varint postings bytes, varint positions bytes
 *   A term's offsets are its block's offsets plus the sizes of the terms
 *   before it in the block.
 * SEC_DICT_INDEX: per block, 16 bytes: u64 offset in SEC_DICT,
 *   u32 offset of its first term in SEC_DICT_KEYS, u32 that term's length.
 * SEC_DICT_KEYS: the first term of every block, concatenated.
 *
 * SEC_POSTINGS, one term: nb = ceil(df / 128) blocks. When nb > 1 a skip
 *   table comes first: five u8 widths (bits, the first three at most 32,
 *   the last two at most 16), then nb entries of their sum in bits, entry
 *   b at bit b·sum of a little-endian bit stream, each holding in turn:
 *     the last doc of the block, the end of the block (bytes from the end
 *     of the skip table), the start of the block's positions (bytes from
 *     the term's first position byte), the largest tf in the block
 *     (SKIP_TF_MANY: 65535 or more), the smallest document length
 *     (SEC_NORMS) in the block, or 65535 when that is more.
 *   The widths are the fewest bits that hold the term's largest values:
 *   about 9 bytes an entry on the Wikipedia passages, where 16 fixed were
 *   5.2 MB.
 *   BM25 grows with tf and shrinks with length, so the last two bound the
 *   score of every document of the block for any k1 and b (a tf of
 *   SKIP_TF_MANY is taken as unbounded): the searcher skips blocks that
 *   cannot reach the top k (query_eval.c). A term's postings and its
 *   positions must each stay under 4 GiB in one segment.
 *   Blocks i < df / 128 are full (128 documents): two PFOR runs
 *     (postings_codec.h), the (doc - previous doc - 1) values, then the
 *     (tf - 1) values; the previous doc of the very first document is -1.
 *   The last block, when df is not a multiple of 128, holds the rest as
 *   varints: (doc - previous doc - 1) << 1 | (tf == 1), then tf if tf > 1.
 * SEC_ID_INDEX: ceil(doc count / ID_GROUP) + 1 u64 values: the offset in
 *   SEC_IDS of each group of ID_GROUP (16) consecutive documents' ids, then
 *   the end of the last group.
 * SEC_IDS: per group, per document: varint bytes shared with the previous
 *   id of the group (0 for the first), varint length of the rest, the rest.
 *   Ids of neighbouring documents share prefixes (paths, "12#0", "12#1"):
 *   on the Wikipedia passages this is 2.7 MB where plain ids and u64
 *   offsets took 10.1.
 *
 * SEC_DOC_META: what incremental runs compare, per document: the size of
 *   its source file (or of its JSON line), its modification time in
 *   nanoseconds (0 for JSON Lines and library adds), the FNV-1a hash of its
 *   content, the index of its source in SEC_SOURCES. Fixed-width records
 *   (random access) but only as wide as the segment needs: an 8-byte header
 *     u8 S size bytes (0-8), u8 M mtime bytes (0 or 8), u8 R source bytes
 *     (0-4), u8 B the smallest source index (at most 255), u32 record
 *     width W = S + M + 8 + R,
 *   then per document W bytes: size (S bytes, little-endian), mtime (M),
 *   hash (8), source index - B (R). JSON Lines passages, all of one
 *   source and with size 0 (their hash decides), take 8 bytes, not 32.
 * SEC_SOURCES: the sources (directories or files given to the indexer, ""
 *   for documents added through the library), NUL-terminated, in order.
 *
 * SEC_POSITIONS, one term: per postings block, in its document order,
 *   two value streams, each cut into runs of 128 values (PFOR, as in
 *   postings) with the last run, when shorter than 128, as varints:
 *     firsts: the first position of every document of the block;
 *     gaps:   for every document, (position - previous position - 1) for
 *             its positions after the first (tf - 1 values each).
 *   First positions are large and gaps small, so the two streams get
 *   their own widths. A document's positions are found from the block's
 *   tfs alone: its gaps start after the sum of (tf - 1) of those before.
 */
#include "segment_writer.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "analyzer.h"
#include "error.h"
#include "segfile.h"
#include "segment.h"

#define COPY_CHUNK (1u << 20)

static sift_err oom(struct segment_writer *w)
{
    return sift_fail(&w->errmsg, SIFT_ERR_NOMEM, "out of memory writing the segment");
}

static sift_err write_fail(struct segment_writer *w, const char *what)
{
    int e = errno;
    return sift_fail(&w->errmsg,
                     (e == ENOSPC || e == EDQUOT || e == EFBIG) ? SIFT_ERR_NOSPACE : SIFT_ERR_IO,
                     "%s%s: write: %s", w->tmp_prefix, what, strerror(e));
}

static FILE *tmp_open(struct segment_writer *w, const char *name)
{
    char path[4096];
    snprintf(path, sizeof path, "%s%s", w->tmp_prefix, name);
    FILE *f = fopen(path, "w+b");
    if (f) setvbuf(f, NULL, _IOFBF, 1 << 20);
    return f;
}

sift_err segment_writer_open(struct segment_writer *w, const char *tmp_prefix, sift_errmsg *err)
{
    memset(w, 0, sizeof *w);
    w->tmp_prefix = strdup(tmp_prefix);
    if (!w->tmp_prefix) return sift_fail(err, SIFT_ERR_NOMEM, "out of memory");
    w->postings = tmp_open(w, "postings");
    w->positions = tmp_open(w, "positions");
    w->dict = tmp_open(w, "dict");
    if (!w->postings || !w->positions || !w->dict) {
        sift_err rc = sift_fail(err, SIFT_ERR_IO, "%s*: cannot create temporary file: %s",
                                tmp_prefix, strerror(errno));
        segment_writer_discard(w);
        return rc;
    }
    return SIFT_OK;
}

/* ------------------------------------------------------------ postings */

/* The BM25 length of doc (0 when the norms were not given: tests that
 * write postings alone). */
static uint32_t doc_length(const struct segment_writer *w, uint32_t doc)
{
    if (!w->norms || (uint64_t)(doc + 1) * NORM_SIZE > w->norms->len) return 0;
    return rd_u32(w->norms->data + (size_t)doc * NORM_SIZE);
}

/* One full run of 128 values, as PFOR. */
static bool put_run(struct buf *b, const uint32_t *v)
{
    if (!buf_reserve(b, PFOR_MAX_SIZE)) return false;
    b->len += pfor_encode(v, b->data + b->len);
    return true;
}

/* A value stream of the positions: runs of 128 packed, the rest varints. */
static bool put_values(struct buf *b, const uint32_t *v, size_t n)
{
    size_t i = 0;
    for (; i + POSTINGS_BLOCK <= n; i += POSTINGS_BLOCK)
        if (!put_run(b, v + i)) return false;
    for (; i < n; i++)
        if (!buf_varint(b, v[i])) return false;
    return true;
}

/* Move the term's positions written so far to the positions file: a
 * term with huge documents need not hold them all. */
static sift_err write_positions(struct segment_writer *w, const void *p, size_t n)
{
    if (fwrite(p, 1, n, w->positions) != n) return write_fail(w, "positions");
    w->term_pos_written += n;
    return SIFT_OK;
}

static sift_err spill_positions(struct segment_writer *w)
{
    sift_err rc = write_positions(w, w->term_pos.data, w->term_pos.len);
    w->term_pos.len = 0;
    return rc;
}

static sift_err flush_postings_block(struct segment_writer *w)
{
    uint32_t n = w->nbuf;
    if (!n) return SIFT_OK;
    if (!put_values(&w->term_pos, w->firsts, n)) return oom(w);
    if (w->gap_runs.len >= COPY_CHUNK) {   /* a huge document: write, do not copy */
        sift_err rc = spill_positions(w);
        if (!rc) rc = write_positions(w, w->gap_runs.data, w->gap_runs.len);
        if (rc) return rc;
    } else if (!buf_append(&w->term_pos, w->gap_runs.data, w->gap_runs.len)) {
        return oom(w);
    }
    if (!put_values(&w->term_pos, w->gaps, w->ngaps)) return oom(w);
    w->ngaps = 0;
    w->gap_runs.len = 0;
    uint32_t gaps[POSTINGS_BLOCK], tfm1[POSTINGS_BLOCK];
    int64_t prev = w->prev_doc;
    for (uint32_t i = 0; i < n; i++) {
        gaps[i] = (uint32_t)((int64_t)w->docs[i] - prev - 1);
        tfm1[i] = w->tfs[i] - 1;
        prev = w->docs[i];
    }
    struct buf *b = &w->term_blocks;
    if (n == POSTINGS_BLOCK) {
        if (!put_run(b, gaps) || !put_run(b, tfm1)) return oom(w);
    } else {
        for (uint32_t i = 0; i < n; i++) {
            if (!buf_varint(b, (uint64_t)gaps[i] << 1 | (w->tfs[i] == 1))) return oom(w);
            if (w->tfs[i] > 1 && !buf_varint(b, w->tfs[i])) return oom(w);
        }
    }
    uint32_t max_tf = 0, min_len = UINT32_MAX;
    for (uint32_t i = 0; i < n; i++) {
        if (w->tfs[i] > max_tf) max_tf = w->tfs[i];
        uint32_t len = doc_length(w, w->docs[i]);
        if (len < min_len) min_len = len;
    }
    if (b->len > UINT32_MAX || w->block_pos_start > UINT32_MAX)
        return sift_fail(&w->errmsg, SIFT_ERR_INVALID,
                         "term '%.*s' has over 4 GiB of postings or positions in one segment",
                         (int)w->cur_len, w->cur_term);
    const uint32_t skip[SKIP_FIELDS] = {   /* in enum skip_field order */
        w->docs[n - 1], (uint32_t)b->len, (uint32_t)w->block_pos_start,
        max_tf < SKIP_TF_MANY ? max_tf : SKIP_TF_MANY, min_len < 0xFFFF ? min_len : 0xFFFF
    };
    if (!buf_append(&w->term_skips, skip, sizeof skip)) return oom(w);
    w->prev_doc = w->docs[n - 1];
    w->nbuf = 0;
    if (w->term_pos.len >= COPY_CHUNK) {
        sift_err rc = spill_positions(w);
        if (rc) return rc;
    }
    w->block_pos_start = w->term_pos_written + w->term_pos.len;
    return SIFT_OK;
}

static sift_err sink_begin(void *ctx, const char *term, size_t len)
{
    struct segment_writer *w = ctx;
    if (len >= sizeof w->cur_term)
        return sift_fail(&w->errmsg, SIFT_ERR_INVALID, "term longer than %zu bytes",
                         sizeof w->cur_term - 1);
    memcpy(w->cur_term, term, len);
    w->cur_len = len;
    w->nbuf = 0;
    w->ngaps = 0;
    w->gap_runs.len = 0;
    w->prev_doc = -1;
    w->term_blocks.len = w->term_skips.len = w->term_pos.len = 0;
    w->term_pos_written = 0;
    w->block_pos_start = 0;
    w->df = 0;
    w->cf = 0;
    return SIFT_OK;
}

static sift_err sink_begin_doc(void *ctx, uint32_t doc)
{
    struct segment_writer *w = ctx;
    w->doc = doc;
    w->tf = 0;
    return SIFT_OK;
}

static sift_err sink_positions(void *ctx, const uint32_t *positions, size_t n)
{
    struct segment_writer *w = ctx;
    if ((uint64_t)w->tf + n > UINT32_MAX)
        return sift_fail(&w->errmsg, SIFT_ERR_INVALID, "more than 2^32 positions in one document");
    size_t k = 0;
    if (n && w->tf == 0) w->firsts[w->nbuf] = w->last_pos = positions[k++];
    for (; k < n; k++) {
        w->gaps[w->ngaps++] = positions[k] - w->last_pos - 1;
        w->last_pos = positions[k];
        if (w->ngaps == POSTINGS_BLOCK) {
            if (!put_run(&w->gap_runs, w->gaps)) return oom(w);
            w->ngaps = 0;
        }
    }
    w->tf += (uint32_t)n;
    return SIFT_OK;
}

static sift_err sink_end_doc(void *ctx)
{
    struct segment_writer *w = ctx;
    if (!w->tf) return sift_fail(&w->errmsg, SIFT_ERR_INVALID, "a posting without positions");
    w->docs[w->nbuf] = w->doc;
    w->tfs[w->nbuf] = w->tf;
    w->df++;
    w->cf += w->tf;
    if (++w->nbuf == POSTINGS_BLOCK) return flush_postings_block(w);
    return SIFT_OK;
}

/* -------------------------------------------------------- dictionary */

static sift_err flush_dict_block(struct segment_writer *w)
{
    if (!w->block_terms) return SIFT_OK;
    uint8_t head[30];
    size_t n = varint_put(head, w->block_postings_base);
    n += varint_put(head + n, w->block_positions_base);
    n += varint_put(head + n, w->block_terms);
    if (fwrite(head, 1, n, w->dict) != n ||
        fwrite(w->dict_block.data, 1, w->dict_block.len, w->dict) != w->dict_block.len)
        return write_fail(w, "dict");
    w->dict_off += n + w->dict_block.len;
    w->dict_block.len = 0;
    w->block_terms = 0;
    return SIFT_OK;
}

static sift_err dict_add(struct segment_writer *w, uint64_t doc_bytes, uint64_t pos_bytes)
{
    if (w->block_terms == 0) {
        uint8_t e[DICT_INDEX_ENTRY];
        wr_u64(e, w->dict_off);
        wr_u32(e + 8, (uint32_t)w->dict_keys.len);
        wr_u32(e + 12, (uint32_t)w->cur_len);
        if (!buf_append(&w->dict_index, e, sizeof e) ||
            !buf_append(&w->dict_keys, w->cur_term, w->cur_len))
            return oom(w);
        w->block_postings_base = w->postings_off;
        w->block_positions_base = w->positions_off;
        w->prev_len = 0;
    }
    size_t prefix = 0;
    while (prefix < w->prev_len && prefix < w->cur_len &&
           w->prev_term[prefix] == w->cur_term[prefix])
        prefix++;
    struct buf *b = &w->dict_block;
    if (!buf_varint(b, prefix) || !buf_varint(b, w->cur_len - prefix) ||
        !buf_append(b, w->cur_term + prefix, w->cur_len - prefix) || !buf_varint(b, w->df) ||
        !buf_varint(b, w->cf - w->df) || !buf_varint(b, doc_bytes) || !buf_varint(b, pos_bytes))
        return oom(w);
    memcpy(w->prev_term, w->cur_term, w->cur_len);
    w->prev_len = w->cur_len;
    if (++w->block_terms == DICT_BLOCK_TERMS) return flush_dict_block(w);
    return SIFT_OK;
}

static unsigned bits_for(uint32_t v)
{
    return v ? 32u - (unsigned)__builtin_clz(v) : 0;
}

/* The term's skip entries (SKIP_FIELDS u32 each, as flush_postings_block
 * made them) packed into w->skip_packed: five widths, then the fields of
 * every entry in those widths. */
static sift_err pack_skips(struct segment_writer *w)
{
    const uint32_t *e = (const uint32_t *)w->term_skips.data;
    size_t nb = w->term_skips.len / sizeof(uint32_t[SKIP_FIELDS]);
    uint32_t any[SKIP_FIELDS] = { 0 };
    for (size_t b = 0; b < nb; b++)
        for (unsigned f = 0; f < SKIP_FIELDS; f++) any[f] |= e[b * SKIP_FIELDS + f];
    uint8_t width[SKIP_FIELDS];
    unsigned total = 0;
    for (unsigned f = 0; f < SKIP_FIELDS; f++) total += width[f] = (uint8_t)bits_for(any[f]);
    size_t bytes = SKIP_FIELDS + (size_t)(((uint64_t)nb * total + 7) / 8);
    w->skip_packed.len = 0;
    if (!buf_reserve(&w->skip_packed, bytes)) return oom(w);
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

static sift_err sink_end(void *ctx)
{
    struct segment_writer *w = ctx;
    sift_err rc = flush_postings_block(w);
    if (rc) return rc;
    uint32_t nb = (w->df + POSTINGS_BLOCK - 1) / POSTINGS_BLOCK;
    if (nb > 1 && (rc = pack_skips(w))) return rc;
    size_t skips = nb > 1 ? w->skip_packed.len : 0;
    uint64_t doc_bytes = skips + w->term_blocks.len;
    uint64_t pos_bytes = w->term_pos_written + w->term_pos.len;
    rc = dict_add(w, doc_bytes, pos_bytes);
    if (rc) return rc;
    if ((skips && fwrite(w->skip_packed.data, 1, skips, w->postings) != skips) ||
        fwrite(w->term_blocks.data, 1, w->term_blocks.len, w->postings) != w->term_blocks.len)
        return write_fail(w, "postings");
    rc = spill_positions(w);
    if (rc) return rc;
    w->postings_off += doc_bytes;
    w->positions_off += pos_bytes;
    w->stats.term_count++;
    w->stats.posting_count += w->df;
    return SIFT_OK;
}

struct term_sink segment_writer_sink(struct segment_writer *w)
{
    struct term_sink s = { w, sink_begin, sink_begin_doc, sink_positions, sink_end_doc, sink_end };
    return s;
}

/* ------------------------------------------------------------ assembly */

static sift_err copy_section(struct segwriter *sw, uint32_t id, FILE *f, const char *what,
                             struct segment_writer *w)
{
    segw_begin(sw, id);
    if (fflush(f) != 0) return write_fail(w, what);
    rewind(f);
    uint8_t *chunk = malloc(COPY_CHUNK);
    if (!chunk) return oom(w);
    size_t n;
    while ((n = fread(chunk, 1, COPY_CHUNK, f)) > 0) segw_write(sw, chunk, n);
    int bad = ferror(f);
    free(chunk);
    segw_end(sw);
    if (bad) return sift_fail(&w->errmsg, SIFT_ERR_IO, "%s%s: read error", w->tmp_prefix, what);
    return SIFT_OK;
}

static void write_meta(struct segwriter *sw, const struct segment_stats *st)
{
    uint8_t m[META_SIZE] = { 0 };
    wr_u32(m, st->doc_count);
    wr_u32(m + 4, ANALYZER_VERSION);
    wr_u64(m + 8, st->token_count);
    wr_u64(m + 16, st->term_count);
    wr_u64(m + 24, st->posting_count);
    wr_u64(m + 32, st->title_token_count);
    memcpy(m + 40, st->language, strnlen(st->language, META_LANGUAGE_SIZE - 1));
    wr_u32(m + 72, POSTINGS_BLOCK);
    wr_u32(m + 76, DICT_BLOCK_TERMS);
    segw_begin(sw, SEC_META);
    segw_write(sw, m, sizeof m);
    segw_end(sw);
}

static unsigned bytes_for(uint64_t max)
{
    unsigned n = 0;
    while (max) {
        n++;
        max >>= 8;
    }
    return n;
}

/* The 32-byte records segment_build gathers (u64 size, i64 mtime, u64
 * hash, u32 source, u32 zero), packed as SEC_DOC_META above. */
static bool pack_doc_meta(const struct buf *in, struct buf *out)
{
    size_t n = in->len / DOC_META_SIZE;
    uint64_t max_size = 0;
    uint32_t min_source = UINT8_MAX, max_source = 0;
    bool mtimes = false;
    for (size_t i = 0; i < n; i++) {
        const uint8_t *r = in->data + i * DOC_META_SIZE;
        if (rd_u64(r) > max_size) max_size = rd_u64(r);
        if (rd_u32(r + 24) > max_source) max_source = rd_u32(r + 24);
        if (rd_u32(r + 24) < min_source) min_source = rd_u32(r + 24);
        mtimes |= rd_u64(r + 8) != 0;
    }
    if (min_source > max_source) min_source = 0;   /* no documents */
    unsigned s = bytes_for(max_size), m = mtimes ? 8 : 0, src = bytes_for(max_source - min_source);
    unsigned w = s + m + 8 + src;
    if (!buf_reserve(out, 8 + n * w)) return false;
    uint8_t head[8] = { (uint8_t)s, (uint8_t)m, (uint8_t)src, (uint8_t)min_source };
    wr_u32(head + 4, w);
    buf_append(out, head, sizeof head);
    for (size_t i = 0; i < n; i++) {
        const uint8_t *r = in->data + i * DOC_META_SIZE;
        uint8_t rec[32];
        memcpy(rec, r, s);                        /* little-endian: the low bytes */
        memcpy(rec + s, r + 8, m);
        memcpy(rec + s + m, r + 16, 8);
        uint8_t off[4];
        wr_u32(off, rd_u32(r + 24) - min_source);
        memcpy(rec + s + m + 8, off, src);
        buf_append(out, rec, w);
    }
    return true;
}

/* The built 8-byte records (u32 length, u32 title length) as SEC_NORMS. */
static bool pack_norms(const struct buf *in, struct buf *out)
{
    size_t n = in->len / NORM_SIZE;
    uint32_t any_len = 0, any_title = 0;   /* OR of all: the same top bit as the largest */
    for (size_t i = 0; i < n; i++) {
        any_len |= rd_u32(in->data + i * NORM_SIZE);
        any_title |= rd_u32(in->data + i * NORM_SIZE + 4);
    }
    unsigned wl = bits_for(any_len), wt = bits_for(any_title), w = wl + wt;
    size_t bytes = NORMS_HEADER + (size_t)(((uint64_t)n * w + 7) / 8) + NORMS_PAD;
    if (!buf_reserve(out, bytes)) return false;
    memset(out->data, 0, bytes);
    out->len = bytes;
    out->data[0] = (uint8_t)wl;
    out->data[1] = (uint8_t)wt;
    uint8_t *bits = out->data + NORMS_HEADER;
    for (size_t i = 0; i < n; i++) {
        const uint8_t *r = in->data + i * NORM_SIZE;
        wr_bits(bits, (uint64_t)i * w, rd_u32(r) | (uint64_t)rd_u32(r + 4) << wl, w);
    }
    return true;
}

static void write_buffer(struct segwriter *sw, uint32_t id, const void *p, size_t n)
{
    segw_begin(sw, id);
    segw_write(sw, p, n);
    segw_end(sw);
}

sift_err segment_writer_finish(struct segment_writer *w, const char *path,
                               const struct segment_docs *docs, sift_errmsg *err)
{
    sift_err rc = flush_dict_block(w);
    if (rc) goto fail;
    w->stats.postings_bytes = w->postings_off;
    w->stats.positions_bytes = w->positions_off;
    struct segwriter sw;
    rc = segw_open(&sw, path, err);
    if (rc) return rc;
    write_meta(&sw, &w->stats);
    struct docstore_writer *store = docs->store;
    struct buf norms = { 0 };
    if (!pack_norms(docs->norms, &norms)) {
        segw_abort(&sw);
        return sift_fail(err, SIFT_ERR_NOMEM, "out of memory");
    }
    write_buffer(&sw, SEC_NORMS, norms.data, norms.len);
    buf_free(&norms);
    write_buffer(&sw, SEC_DICT_INDEX, w->dict_index.data, w->dict_index.len);
    write_buffer(&sw, SEC_DICT_KEYS, w->dict_keys.data, w->dict_keys.len);
    rc = copy_section(&sw, SEC_DICT, w->dict, "dict", w);
    if (!rc) rc = copy_section(&sw, SEC_POSTINGS, w->postings, "postings", w);
    if (!rc) rc = copy_section(&sw, SEC_POSITIONS, w->positions, "positions", w);
    if (!rc) write_buffer(&sw, SEC_STORE_INDEX, store->index.data, store->index.len);
    if (!rc) rc = copy_section(&sw, SEC_STORE, store->f, "store", w);
    if (!rc) write_buffer(&sw, SEC_ID_INDEX, docs->id_index->data, docs->id_index->len);
    if (!rc) write_buffer(&sw, SEC_IDS, docs->ids->data, docs->ids->len);
    struct buf meta = { 0 };
    if (!rc && !pack_doc_meta(docs->meta, &meta))
        rc = sift_fail(&w->errmsg, SIFT_ERR_NOMEM, "out of memory");
    if (!rc) write_buffer(&sw, SEC_DOC_META, meta.data, meta.len);
    buf_free(&meta);
    if (!rc) write_buffer(&sw, SEC_SOURCES, docs->sources->data, docs->sources->len);
    if (rc) {
        segw_abort(&sw);
        goto fail;
    }
    return segw_finish(&sw, err);
fail:
    if (err) *err = w->errmsg;
    return rc;
}

void segment_writer_discard(struct segment_writer *w)
{
    const char *names[] = { "postings", "positions", "dict" };
    FILE *files[] = { w->postings, w->positions, w->dict };
    for (int i = 0; i < 3; i++) {
        if (files[i]) fclose(files[i]);
        char path[4096];
        if (w->tmp_prefix) {
            snprintf(path, sizeof path, "%s%s", w->tmp_prefix, names[i]);
            remove(path);
        }
    }
    buf_free(&w->dict_block);
    buf_free(&w->dict_index);
    buf_free(&w->dict_keys);
    buf_free(&w->term_blocks);
    buf_free(&w->term_skips);
    buf_free(&w->skip_packed);
    buf_free(&w->term_pos);
    buf_free(&w->gap_runs);
    free(w->tmp_prefix);
    memset(w, 0, sizeof *w);
}
