/* columns.c -- SEC_COLUMNS both ways: the values of typed fields.
 *
 * SEC_COLUMNS is the columns of the segment's fields one after the other,
 * each at the offset and length SEC_FIELDS gives (schema.c). A column:
 *
 * date or number (keys of values.h: ordered as the values):
 *   header, 32 bytes: u32 document count N, u32 block count B = ceil(N/128),
 *     u32 documents with a value, u32 G (0 or 1: none), u64 smallest key,
 *     u64 largest key. G divides every key's distance to the smallest: the
 *     column stores distances divided by G (dates of whole days: 86400)
 *   B block entries of 24 bytes: u64 smallest key, u64 largest key (of the
 *     block's values), u32 offset of the block's data (from the data's
 *     start), u8 width W (0-64), u8 flags (1: some document of the block
 *     has no value, 2: none has), 2 zero bytes
 *   data: per block, when flag 1, 16 bytes of presence bits (document i of
 *     the block at bit i); unless flag 2, a bit stream of (key - smallest) / G
 *     in W bits for every document of the block (0 for those without);
 *     each block's data starts on a byte; then 8 zero bytes.
 *   A filter or a sort by the field reads the block entries first and
 *   skips every block whose range cannot match or compete.
 *
 * keyword (several values a document, each once):
 *   header, 24 bytes: u32 N, u32 distinct values V, u32 ordinals O, u8 width
 *     of an ordinal, u8 width of a start, u8 flags (1: single-valued), 1
 *     zero, u32 bytes of the folded values, u32 bytes of the values as typed
 *   (V + 1) u32 offsets of the folded values, (V + 1) u32 offsets of the
 *     typed ones; the folded values (values.h), in byte order; the typed
 *     ones (the first form met of each)
 *   (N + 1) starts in a bit stream: document d's ordinals are [start(d),
 *     start(d + 1)); 8 zero bytes; then the O ordinals in a bit stream,
 *     ascending within a document; 8 zero bytes.
 *   single-valued (flag 1: no document has two values, as a source): no
 *     starts; N entries of ordinal + 1 (0: no value) in a bit stream of the
 *     ordinal width; 8 zero bytes. A source costs 5 bits a document, not
 *     the 25 of starts and ordinals.
 *   The folded value is also in the dictionary as the term
 *   FIELD_TERM_KEYWORD name FIELD_TERM_SEP value (schema.h), so a filter reads its
 *   postings; the column serves facets.
 */
#include "columns.h"

#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "hash.h"
#include "postings_codec.h"
#include "segment.h"
#include "values.h"

#define NUM_HEADER 32
#define NUM_ENTRY 24
#define KW_HEADER 24
#define PAD 8
#define FLAG_SOME_MISSING 1
#define FLAG_NONE 2
#define KW_SINGLE 1

/* ------------------------------------------------------------- writing */

static struct column_builder *column(struct columns_builder *b, uint32_t field, sift_field_type type)
{
    if (field >= b->ncols) {
        struct column_builder *c = realloc(b->cols, (field + 1) * sizeof *c);
        if (!c) return NULL;
        memset(c + b->ncols, 0, (field + 1 - b->ncols) * sizeof *c);
        b->cols = c;
        b->ncols = field + 1;
    }
    struct column_builder *c = &b->cols[field];
    if (!c->type) c->type = type;
    return c;
}

bool columns_add_key(struct columns_builder *b, uint32_t field, sift_field_type type, uint32_t doc,
                     uint64_t key)
{
    struct column_builder *c = column(b, field, type);
    if (!c) return false;
    if (doc >= c->cap) {
        size_t cap = c->cap ? c->cap : 1024;
        while (cap <= doc) cap *= 2;
        uint64_t *k = realloc(c->keys, cap * sizeof *k);
        if (k) c->keys = k;
        uint8_t *p = k ? realloc(c->present, cap) : NULL;
        if (!p) return false;
        memset(p + c->cap, 0, cap - c->cap);
        c->present = p;
        c->cap = cap;
    }
    c->keys[doc] = key;
    c->present[doc] = 1;
    return true;
}

static const void *value_key(const void *ctx, uint32_t i, size_t *len)
{
    const struct column_builder *c = ctx;
    *len = strlen(c->folded[i]);
    return c->folded[i];
}

bool columns_add_keyword(struct columns_builder *b, uint32_t field, uint32_t doc, const char *folded,
                         const char *display)
{
    struct column_builder *c = column(b, field, SIFT_FIELD_KEYWORD);
    if (!c || (!c->map.slots && !strmap_init(&c->map, 64))) return false;
    size_t len = strlen(folded);
    uint32_t h = hash_fnv1a(folded, len), slot = 0;
    uint32_t v = strmap_find(&c->map, folded, len, h, value_key, c, &slot);
    if (v == STRMAP_NONE) {
        if (c->nvalues == c->capvalues) {
            uint32_t cap = c->capvalues ? c->capvalues * 2 : 16;
            char **f = realloc(c->folded, cap * sizeof *f);
            if (f) c->folded = f;
            char **d = f ? realloc(c->display, cap * sizeof *d) : NULL;
            if (!d) return false;
            c->display = d;
            c->capvalues = cap;
        }
        size_t dl = strlen(display);
        if (dl > KEYWORD_MAX) {   /* cut on a character boundary */
            dl = KEYWORD_MAX;
            while (dl && ((unsigned char)display[dl] & 0xC0) == 0x80) dl--;
        }
        char *fc = strdup(folded), *dc = strndup(display, dl);
        if (!fc || !dc) {
            free(fc);
            free(dc);
            return false;
        }
        c->folded[c->nvalues] = fc;
        c->display[c->nvalues] = dc;
        v = c->nvalues++;
        if (!strmap_put(&c->map, slot, h, v)) return false;
    }
    for (size_t i = c->npairs; i >= 2 && c->pairs[i - 2] == doc; i -= 2)
        if (c->pairs[i - 1] == v) return true;   /* the document has it already */
    if (c->npairs + 2 > c->cappairs) {
        size_t cap = c->cappairs ? c->cappairs * 2 : 256;
        uint32_t *p = realloc(c->pairs, cap * sizeof *p);
        if (!p) return false;
        c->pairs = p;
        c->cappairs = cap;
    }
    c->pairs[c->npairs++] = doc;
    c->pairs[c->npairs++] = v;
    return true;
}

static unsigned bits64(uint64_t v)
{
    return v ? 64u - (unsigned)__builtin_clzll(v) : 0;
}

/* A zeroed bit stream of `bits` bits (and the padding) appended to out;
 * returns its start in out. */
static bool stream_reserve(struct buf *out, uint64_t bits, size_t *at)
{
    size_t bytes = (size_t)((bits + 7) / 8);
    if (!buf_reserve(out, bytes + PAD)) return false;
    *at = out->len;
    memset(out->data + out->len, 0, bytes);
    out->len += bytes;
    return true;
}

static uint64_t gcd64(uint64_t a, uint64_t b)
{
    while (b) {
        uint64_t t = a % b;
        a = b;
        b = t;
    }
    return a;
}

/* The largest G (at most UINT32_MAX) dividing every key's distance to the
 * smallest; 1 when there is none larger. */
static uint64_t common_divisor(const struct column_builder *c, uint32_t ndocs)
{
    uint64_t lo = UINT64_MAX, g = 0;
    for (uint32_t d = 0; d < ndocs && d < c->cap; d++)
        if (c->present[d] && c->keys[d] < lo) lo = c->keys[d];
    for (uint32_t d = 0; d < ndocs && d < c->cap && g != 1; d++)
        if (c->present[d]) g = gcd64(g, c->keys[d] - lo);
    return g == 0 || g > UINT32_MAX ? 1 : g;
}

static bool encode_numeric(const struct column_builder *c, uint32_t ndocs, struct buf *out)
{
    uint32_t nblocks = (ndocs + COLUMN_BLOCK - 1) / COLUMN_BLOCK, npresent = 0;
    uint64_t gmin = UINT64_MAX, gmax = 0, g = common_divisor(c, ndocs);
    struct buf data = { 0 };
    size_t head = out->len;
    if (!buf_reserve(out, NUM_HEADER + (size_t)nblocks * NUM_ENTRY)) return false;
    memset(out->data + head, 0, NUM_HEADER + (size_t)nblocks * NUM_ENTRY);
    out->len += NUM_HEADER + (size_t)nblocks * NUM_ENTRY;
    bool ok = true;
    for (uint32_t b = 0; ok && b < nblocks; b++) {
        uint32_t first = b * COLUMN_BLOCK, n = ndocs - first < COLUMN_BLOCK ? ndocs - first : COLUMN_BLOCK;
        uint64_t lo = UINT64_MAX, hi = 0, has[2] = { 0, 0 };
        uint32_t count = 0;
        for (uint32_t i = 0; i < n; i++) {
            uint32_t d = first + i;
            if (d >= c->cap || !c->present[d]) continue;
            has[i >> 6] |= (uint64_t)1 << (i & 63);
            count++;
            if (c->keys[d] < lo) lo = c->keys[d];
            if (c->keys[d] > hi) hi = c->keys[d];
        }
        uint8_t flags = count == 0 ? FLAG_NONE : count < n ? FLAG_SOME_MISSING : 0;
        unsigned w = count ? bits64((hi - lo) / g) : 0;
        uint8_t *e = out->data + head + NUM_HEADER + (size_t)b * NUM_ENTRY;
        if (data.len > UINT32_MAX) ok = false;
        wr_u64(e, count ? lo : 0);
        wr_u64(e + 8, count ? hi : 0);
        wr_u32(e + 16, (uint32_t)data.len);
        e[20] = (uint8_t)w;
        e[21] = flags;
        if (flags & FLAG_SOME_MISSING) {
            uint8_t bits[16];
            wr_u64(bits, has[0]);
            wr_u64(bits + 8, has[1]);
            ok = ok && buf_append(&data, bits, sizeof bits);
        }
        if (count) {
            size_t at = 0;
            ok = ok && stream_reserve(&data, (uint64_t)n * w, &at);
            for (uint32_t i = 0; ok && i < n; i++) {
                uint32_t d = first + i;
                if (d < c->cap && c->present[d])
                    wr_bits(data.data + at, (uint64_t)i * w, (c->keys[d] - lo) / g, w);
            }
            if (lo < gmin) gmin = lo;
            if (hi > gmax) gmax = hi;
            npresent += count;
        }
    }
    uint8_t pad[PAD] = { 0 };
    ok = ok && buf_append(&data, pad, sizeof pad);
    uint8_t *h = out->data + head;
    wr_u32(h, ndocs);
    wr_u32(h + 4, nblocks);
    wr_u32(h + 8, npresent);
    wr_u32(h + 12, g > 1 ? (uint32_t)g : 0);
    wr_u64(h + 16, npresent ? gmin : 0);
    wr_u64(h + 24, npresent ? gmax : 0);
    ok = ok && buf_append(out, data.data, data.len);
    buf_free(&data);
    return ok;
}

static int by_folded(const void *a, const void *b, void *ctx)
{
    const struct column_builder *c = ctx;
    return strcmp(c->folded[*(const uint32_t *)a], c->folded[*(const uint32_t *)b]);
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

static bool append_offsets(struct buf *out, char *const *strs, const uint32_t *order, uint32_t n)
{
    uint32_t off = 0;
    for (uint32_t i = 0; i < n; i++) {
        if (!buf_u32(out, off)) return false;
        off += (uint32_t)strlen(strs[order[i]]);
    }
    return buf_u32(out, off);
}

/* The single-valued stream: per document its ordinal + 1, or 0. */
static bool encode_single(const struct column_builder *c, uint32_t ndocs, const uint32_t *rank, unsigned w,
                          struct buf *out)
{
    size_t at = 0;
    if (!stream_reserve(out, (uint64_t)ndocs * w, &at)) return false;
    memset(out->data + out->len, 0, PAD);
    out->len += PAD;
    for (size_t k = 0; k < c->npairs / 2; k++)
        wr_bits(out->data + at, (uint64_t)c->pairs[2 * k] * w, rank[c->pairs[2 * k + 1]] + 1, w);
    return true;
}

static bool encode_keyword(struct column_builder *c, uint32_t ndocs, struct buf *out)
{
    uint32_t v = c->nvalues, *order = malloc((v ? v : 1) * sizeof *order);
    uint32_t *rank = malloc((v ? v : 1) * sizeof *rank);
    size_t nords = c->npairs / 2;
    uint32_t *docords = malloc((nords ? nords : 1) * sizeof *docords);
    bool ok = order && rank && docords;
    for (uint32_t i = 0; ok && i < v; i++) order[i] = i;
    if (ok) {
        qsort_r(order, v, sizeof *order, by_folded, c);
        for (uint32_t i = 0; i < v; i++) rank[order[i]] = i;
    }
    uint32_t folded_len = 0, display_len = 0;
    for (uint32_t i = 0; ok && i < v; i++) {
        folded_len += (uint32_t)strlen(c->folded[i]);
        display_len += (uint32_t)strlen(c->display[i]);
    }
    bool single = true;   /* pairs are in document order: a repeat is a neighbour */
    for (size_t i = 1; i < nords; i++) single &= c->pairs[2 * i] != c->pairs[2 * i - 2];
    unsigned ow = single ? bits_needed(v) : bits_needed(v ? v - 1 : 0), sw = single ? 0 : bits_needed((uint32_t)nords);
    uint8_t h[KW_HEADER] = { 0 };
    wr_u32(h, ndocs);
    wr_u32(h + 4, v);
    wr_u32(h + 8, (uint32_t)nords);
    h[12] = (uint8_t)ow;
    h[13] = (uint8_t)sw;
    h[14] = single ? KW_SINGLE : 0;
    wr_u32(h + 16, folded_len);
    wr_u32(h + 20, display_len);
    ok = ok && buf_append(out, h, sizeof h) && append_offsets(out, c->folded, order, v) &&
         append_offsets(out, c->display, order, v);
    for (uint32_t i = 0; ok && i < v; i++) ok = buf_append(out, c->folded[order[i]], strlen(c->folded[order[i]]));
    for (uint32_t i = 0; ok && i < v; i++) ok = buf_append(out, c->display[order[i]], strlen(c->display[order[i]]));
    if (single) {
        ok = ok && encode_single(c, ndocs, rank, ow, out);
        free(order);
        free(rank);
        free(docords);
        return ok;
    }
    size_t starts = 0, ords = 0;
    ok = ok && stream_reserve(out, (uint64_t)(ndocs + 1) * sw, &starts);
    if (ok) {
        memset(out->data + out->len, 0, PAD);
        out->len += PAD;
    }
    ok = ok && stream_reserve(out, (uint64_t)nords * ow, &ords);
    if (ok) {
        memset(out->data + out->len, 0, PAD);
        out->len += PAD;
    }
    /* pairs come in document order; sort each document's ordinals */
    size_t k = 0;
    for (uint32_t d = 0; ok && d <= ndocs; d++) {
        wr_bits(out->data + starts, (uint64_t)d * sw, k, sw);
        size_t from = k;
        while (d < ndocs && k < nords && c->pairs[2 * k] == d) {
            docords[k] = rank[c->pairs[2 * k + 1]];
            k++;
        }
        qsort(docords + from, k - from, sizeof *docords, cmp_u32);
        for (size_t i = from; i < k; i++) wr_bits(out->data + ords, (uint64_t)i * ow, docords[i], ow);
    }
    free(order);
    free(rank);
    free(docords);
    return ok;
}

bool columns_encode(struct columns_builder *b, uint32_t ndocs, struct schema *schema, struct buf *out)
{
    for (uint32_t f = 0; f < schema->n; f++) {
        schema->f[f].col_off = schema->f[f].col_len = 0;
        struct column_builder *c = f < b->ncols ? &b->cols[f] : NULL;
        sift_field_type t = schema->f[f].type;
        if (!c || !c->type || t == SIFT_FIELD_TEXT) continue;
        size_t start = out->len;
        bool ok = t == SIFT_FIELD_KEYWORD ? encode_keyword(c, ndocs, out) : encode_numeric(c, ndocs, out);
        if (!ok) return false;
        schema->f[f].col_off = start;
        schema->f[f].col_len = out->len - start;
    }
    return true;
}

void columns_builder_free(struct columns_builder *b)
{
    for (uint32_t f = 0; f < b->ncols; f++) {
        struct column_builder *c = &b->cols[f];
        free(c->keys);
        free(c->present);
        strmap_free(&c->map);
        for (uint32_t i = 0; i < c->nvalues; i++) {
            free(c->folded[i]);
            free(c->display[i]);
        }
        free(c->folded);
        free(c->display);
        free(c->pairs);
    }
    free(b->cols);
    memset(b, 0, sizeof *b);
}

/* ------------------------------------------------------------- reading */

static sift_err corrupt(const struct segment *s, sift_errmsg *err, const char *why)
{
    return sift_fail(err, SIFT_ERR_CORRUPT, "%s: column store: %s", s->file.path, why);
}

static const uint8_t *get(const struct segment *s, uint64_t off, uint64_t len, sift_errmsg *err,
                          sift_err *rc)
{
    return segfile_get(&s->file, SEC_COLUMNS, off, len, rc, err);
}

/* A w-bit (w <= 64) value at bit `at` of the n-byte stream p. */
static uint64_t rd_bits64(const uint8_t *p, size_t n, uint64_t at, unsigned w)
{
    if (w <= 32) return rd_bits(p, n, at, w);
    return rd_bits(p, n, at, 32) | (uint64_t)rd_bits(p, n, at + 32, w - 32) << 32;
}

sift_err num_column_open(struct num_column *c, const struct segment *s, const struct field_def *f,
                         sift_errmsg *err)
{
    memset(c, 0, sizeof *c);
    c->seg = s;
    if (!f || !f->col_len) return SIFT_OK;
    sift_err rc = SIFT_OK;
    const uint8_t *h = f->col_len >= NUM_HEADER ? get(s, f->col_off, NUM_HEADER, err, &rc) : NULL;
    if (!h) return rc ? rc : corrupt(s, err, "column too short");
    c->ndocs = rd_u32(h);
    c->nblocks = rd_u32(h + 4);
    c->gcd = rd_u32(h + 12) ? rd_u32(h + 12) : 1;
    c->min = rd_u64(h + 16);
    c->max = rd_u64(h + 24);
    uint64_t table = (uint64_t)c->nblocks * NUM_ENTRY;
    if (c->ndocs != s->doc_count || c->nblocks != (c->ndocs + COLUMN_BLOCK - 1) / COLUMN_BLOCK ||
        f->col_len < NUM_HEADER + table + PAD)
        return corrupt(s, err, "column sizes contradict the segment");
    c->table_off = f->col_off + NUM_HEADER;
    c->data_off = c->table_off + table;
    c->data_len = f->col_len - NUM_HEADER - table;
    return SIFT_OK;
}

sift_err num_column_block(const struct num_column *c, uint32_t b, struct col_block *out,
                          sift_errmsg *err)
{
    sift_err rc = SIFT_OK;
    const uint8_t *e = get(c->seg, c->table_off + (uint64_t)b * NUM_ENTRY, NUM_ENTRY, err, &rc);
    if (!e) return rc;
    out->min = rd_u64(e);
    out->max = rd_u64(e + 8);
    out->any = !(e[21] & FLAG_NONE);
    out->last_doc = b + 1 < c->nblocks ? (b + 1) * COLUMN_BLOCK - 1 : c->ndocs - 1;
    if (out->any && out->min > out->max) return corrupt(c->seg, err, "block range reversed");
    return SIFT_OK;
}

/* Where a block's data is: presence bits (NULL: all present) and values. */
struct block_view {
    const uint8_t *has, *vals;
    size_t vlen;
    unsigned w;
    uint64_t lo, gcd;
    uint32_t n;   /* documents in the block */
    bool none;    /* no document of the block has a value */
};

static sift_err block_data(const struct num_column *c, uint32_t b, struct block_view *v, sift_errmsg *err)
{
    memset(v, 0, sizeof *v);
    v->none = true;
    sift_err rc = SIFT_OK;
    const uint8_t *e = get(c->seg, c->table_off + (uint64_t)b * NUM_ENTRY, NUM_ENTRY, err, &rc);
    if (!e) return rc ? rc : corrupt(c->seg, err, "block entry out of range");
    v->lo = rd_u64(e);
    v->gcd = c->gcd;
    v->w = e[20];
    v->n = b + 1 < c->nblocks ? COLUMN_BLOCK : c->ndocs - b * COLUMN_BLOCK;
    bool none = e[21] & FLAG_NONE, some_missing = e[21] & FLAG_SOME_MISSING;
    uint64_t off = rd_u32(e + 16), need = (some_missing ? 16 : 0) + (none ? 0 : ((uint64_t)v->n * v->w + 7) / 8);
    if (v->w > 64 || off + need + PAD > c->data_len) return corrupt(c->seg, err, "block data out of range");
    const uint8_t *d = get(c->seg, c->data_off + off, need + PAD, err, &rc);
    if (!d) return rc ? rc : corrupt(c->seg, err, "block data out of range");
    v->none = none;
    v->has = some_missing ? d : NULL;
    v->vals = d + (some_missing ? 16 : 0);
    v->vlen = (size_t)(need + PAD - (some_missing ? 16 : 0));
    return SIFT_OK;
}

sift_err num_column_decode(const struct num_column *c, uint32_t b, uint64_t keys[COLUMN_BLOCK],
                           uint64_t has[2], sift_errmsg *err)
{
    struct block_view v;
    sift_err rc = block_data(c, b, &v, err);
    if (rc) return rc;
    has[0] = has[1] = 0;
    if (v.none) return SIFT_OK;
    uint32_t n = v.n;
    if (v.has) {
        has[0] = rd_u64(v.has);
        has[1] = rd_u64(v.has + 8);
    } else {
        has[0] = n >= 64 ? UINT64_MAX : ((uint64_t)1 << n) - 1;
        has[1] = n <= 64 ? 0 : n >= 128 ? UINT64_MAX : ((uint64_t)1 << (n - 64)) - 1;
    }
    for (uint32_t i = 0; i < n; i++) keys[i] = v.lo + v.gcd * rd_bits64(v.vals, v.vlen, (uint64_t)i * v.w, v.w);
    return SIFT_OK;
}

sift_err num_column_match(const struct num_column *c, uint32_t b, uint64_t lo, uint64_t hi, uint64_t mask[2],
                          sift_errmsg *err)
{
    mask[0] = mask[1] = 0;
    struct block_view v;
    sift_err rc = block_data(c, b, &v, err);
    if (rc || v.none || hi < v.lo || hi < lo) return rc;
    /* the bounds in the block's units: lo <= v.lo + gcd * x <= hi */
    uint64_t below = lo > v.lo ? lo - v.lo : 0;
    uint64_t xlo = below / v.gcd + (below % v.gcd != 0), xhi = (hi - v.lo) / v.gcd;
    if (xlo > xhi) return SIFT_OK;   /* no multiple of the step lies in the range */
    if (v.n == COLUMN_BLOCK && v.w <= 32 && v.vlen >= codec_packed_size(v.w)) {
        if (xlo > UINT32_MAX) return SIFT_OK;   /* above every value of w <= 32 bits */
        uint32_t x[COLUMN_BLOCK];   /* a full block unpacks like a postings block */
        codec_unpack(v.vals, v.w, x);
        uint32_t from = (uint32_t)xlo, span = (uint32_t)((xhi < UINT32_MAX ? xhi : UINT32_MAX) - xlo);
        uint8_t in[COLUMN_BLOCK];   /* one compare a value: vectorized */
        for (uint32_t i = 0; i < COLUMN_BLOCK; i++) in[i] = x[i] - from <= span;
        for (uint32_t i = 0; i < COLUMN_BLOCK; i += 8)   /* eight 0/1 bytes to eight bits */
            mask[i >> 6] |= ((rd_u64(in + i) * 0x0102040810204080ull) >> 56) << (i & 63);
    } else {
        for (uint32_t i = 0; i < v.n; i++) {
            uint64_t x = rd_bits64(v.vals, v.vlen, (uint64_t)i * v.w, v.w);
            mask[i >> 6] |= (uint64_t)(x >= xlo && x <= xhi) << (i & 63);
        }
    }
    if (v.has) {
        mask[0] &= rd_u64(v.has);
        mask[1] &= rd_u64(v.has + 8);
    }
    return SIFT_OK;
}

sift_err num_column_get(const struct num_column *c, uint32_t doc, uint64_t *key, bool *present,
                        sift_errmsg *err)
{
    *present = false;
    if (doc >= c->ndocs) return SIFT_OK;   /* an empty column: nobody has a value */
    struct block_view v;
    uint32_t i = doc % COLUMN_BLOCK;
    sift_err rc = block_data(c, doc / COLUMN_BLOCK, &v, err);
    if (rc || v.none) return rc;
    if (v.has && !(v.has[i >> 3] >> (i & 7) & 1)) return SIFT_OK;
    *key = v.lo + v.gcd * rd_bits64(v.vals, v.vlen, (uint64_t)i * v.w, v.w);
    *present = true;
    return SIFT_OK;
}

sift_err kw_column_open(struct kw_column *c, const struct segment *s, const struct field_def *f,
                        sift_errmsg *err)
{
    memset(c, 0, sizeof *c);
    c->seg = s;
    if (!f || !f->col_len) return SIFT_OK;
    sift_err rc = SIFT_OK;
    const uint8_t *h = f->col_len >= KW_HEADER ? get(s, f->col_off, KW_HEADER, err, &rc) : NULL;
    if (!h) return rc ? rc : corrupt(s, err, "column too short");
    c->ndocs = rd_u32(h);
    c->nvalues = rd_u32(h + 4);
    c->nords = rd_u32(h + 8);
    c->ord_width = h[12];
    c->start_width = h[13];
    c->single = h[14] & KW_SINGLE;
    c->folded_len = rd_u32(h + 16);
    c->display_len = rd_u32(h + 20);
    c->base = f->col_off;
    c->folded_offs = KW_HEADER;
    c->display_offs = c->folded_offs + ((uint64_t)c->nvalues + 1) * 4;
    c->folded = c->display_offs + ((uint64_t)c->nvalues + 1) * 4;
    c->display = c->folded + c->folded_len;
    c->starts = c->display + c->display_len;
    c->ords = c->single ? c->starts : c->starts + ((uint64_t)(c->ndocs + 1) * c->start_width + 7) / 8 + PAD;
    uint64_t end = c->ords + ((uint64_t)(c->single ? c->ndocs : c->nords) * c->ord_width + 7) / 8 + PAD;
    if (c->ndocs != s->doc_count || c->ord_width > 32 || c->start_width > 32 || end != f->col_len ||
        (c->nords && !c->nvalues) || (c->single && c->nords > c->ndocs))
        return corrupt(s, err, "keyword column sizes contradict the segment");
    /* the per-document streams mapped whole (their pages verified now), so
     * that a facet reads a document's ordinals with arithmetic alone */
    c->ords_len = end - c->ords;
    c->ords_p = get(s, c->base + c->ords, c->ords_len, err, &rc);
    if (!c->ords_p) return rc ? rc : corrupt(s, err, "column too short");
    if (!c->single) {
        c->starts_len = c->ords - c->starts;
        c->starts_p = get(s, c->base + c->starts, c->starts_len, err, &rc);
        if (!c->starts_p) return rc ? rc : corrupt(s, err, "column too short");
    }
    return SIFT_OK;
}

sift_err kw_column_doc(const struct kw_column *c, uint32_t doc, uint32_t *ords, size_t cap,
                       size_t *n, sift_errmsg *err)
{
    *n = 0;
    if (doc >= c->ndocs) return SIFT_OK;
    if (c->single) {
        uint32_t x = rd_bits(c->ords_p, c->ords_len, (uint64_t)doc * c->ord_width, c->ord_width);
        if (x > c->nvalues) return corrupt(c->seg, err, "keyword ordinal out of range");
        if (x && cap) ords[0] = x - 1;
        *n = x != 0;
        return SIFT_OK;
    }
    uint64_t at = (uint64_t)doc * c->start_width;
    uint32_t a = rd_bits(c->starts_p, c->starts_len, at, c->start_width);
    uint32_t b = rd_bits(c->starts_p, c->starts_len, at + c->start_width, c->start_width);
    if (b < a || b > c->nords) return corrupt(c->seg, err, "keyword starts out of order");
    *n = b - a;
    for (uint32_t i = 0; i < *n && i < cap; i++) {
        ords[i] = rd_bits(c->ords_p, c->ords_len, (uint64_t)(a + i) * c->ord_width, c->ord_width);
        if (ords[i] >= c->nvalues) return corrupt(c->seg, err, "keyword ordinal out of range");
    }
    return SIFT_OK;
}

static sift_err value_at(const struct kw_column *c, uint64_t offs, uint64_t strs, uint32_t total,
                         uint32_t ord, char *out, sift_errmsg *err)
{
    sift_err rc = SIFT_OK;
    const uint8_t *o = get(c->seg, c->base + offs + (uint64_t)ord * 4, 8, err, &rc);
    if (!o) return rc;
    uint32_t a = rd_u32(o), b = rd_u32(o + 4);
    if (b < a || b > total || b - a > KEYWORD_MAX) return corrupt(c->seg, err, "keyword value out of range");
    const uint8_t *s = b > a ? get(c->seg, c->base + strs + a, b - a, err, &rc) : (const uint8_t *)"";
    if (!s) return rc;
    memcpy(out, s, b - a);
    out[b - a] = 0;
    return SIFT_OK;
}

sift_err kw_column_value(const struct kw_column *c, uint32_t ord, char *folded, char *display,
                         sift_errmsg *err)
{
    if (ord >= c->nvalues) return corrupt(c->seg, err, "keyword ordinal out of range");
    sift_err rc = folded ? value_at(c, c->folded_offs, c->folded, c->folded_len, ord, folded, err) : SIFT_OK;
    if (!rc && display) rc = value_at(c, c->display_offs, c->display, c->display_len, ord, display, err);
    return rc;
}
