/* dict.c -- the term dictionary both ways.
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
 * A look-up binary-searches the first keys (two small sections, so the
 * search touches few pages), then scans one block.
 *
 * SEC_SURFACE_INDEX, SEC_SURFACE_KEYS, SEC_SURFACE: the surface forms in
 * the same layout. A form is every distinct folded but unstemmed word
 * with a letter that the segment's title and text hold ("computers"),
 * its key the word, a 0 byte, a byte k, then the stem's bytes after its
 * first k, which are the word's ("computers" 0 6 "" for comput; "happy"
 * 0 4 "i" for happi); df and cf count the documents and occurrences of
 * the word itself, and both offsets and sizes are 0. They map what a person types to the
 * terms: prefixes of words (computer* finds "computers", whose term is
 * comput) and suggestions ("did you mean") spelled as words.
 */
#include "dict.h"

#include <errno.h>
#include <string.h>

#include "error.h"

/* ------------------------------------------------------------- writing */

sift_err dict_writer_flush(struct dict_writer *w, sift_errmsg *err)
{
    if (!w->block_terms) return SIFT_OK;
    uint8_t head[30];
    size_t n = varint_put(head, w->block_doc_off);
    n += varint_put(head + n, w->block_pos_off);
    n += varint_put(head + n, w->block_terms);
    if (fwrite(head, 1, n, w->f) != n || fwrite(w->block.data, 1, w->block.len, w->f) != w->block.len)
        return sift_fail_errno(err, errno, "%s: write", w->path);
    w->off += n + w->block.len;
    w->block.len = 0;
    w->block_terms = 0;
    return SIFT_OK;
}

sift_err dict_writer_add(struct dict_writer *w, const char *term, size_t len,
                         const struct term_info *ti, sift_errmsg *err)
{
    if (w->block_terms == 0) {
        uint8_t e[DICT_INDEX_ENTRY];
        wr_u64(e, w->off);
        wr_u32(e + 8, (uint32_t)w->keys.len);
        wr_u32(e + 12, (uint32_t)len);
        if (!buf_append(&w->index, e, sizeof e) || !buf_append(&w->keys, term, len))
            return sift_fail(err, SIFT_ERR_NOMEM, "out of memory writing the dictionary");
        w->block_doc_off = ti->doc_off;
        w->block_pos_off = ti->pos_off;
        w->prev_len = 0;
    }
    size_t prefix = 0;
    while (prefix < w->prev_len && prefix < len && w->prev[prefix] == term[prefix]) prefix++;
    struct buf *b = &w->block;
    if (!buf_varint(b, prefix) || !buf_varint(b, len - prefix) ||
        !buf_append(b, term + prefix, len - prefix) || !buf_varint(b, ti->df) ||
        !buf_varint(b, ti->cf - ti->df) || !buf_varint(b, ti->doc_len) || !buf_varint(b, ti->pos_len))
        return sift_fail(err, SIFT_ERR_NOMEM, "out of memory writing the dictionary");
    memcpy(w->prev, term, len);
    w->prev_len = len;
    if (++w->block_terms == DICT_BLOCK_TERMS) return dict_writer_flush(w, err);
    return SIFT_OK;
}

void dict_writer_free(struct dict_writer *w)
{
    buf_free(&w->block);
    buf_free(&w->index);
    buf_free(&w->keys);
}

/* ------------------------------------------------------------- reading */

static int keycmp(const char *a, size_t an, const char *b, size_t bn)
{
    int c = memcmp(a, b, an < bn ? an : bn);
    if (c) return c;
    return an < bn ? -1 : an > bn;
}

static sift_err corrupt(const struct segment *s, const struct dict_space *d, sift_errmsg *err,
                       const char *why)
{
    return sift_fail(err, SIFT_ERR_CORRUPT, "%s: %s: %s", s->file.path,
                     d->data == SEC_SURFACE ? "surface forms" : "dictionary", why);
}

/* First key of block b. */
static sift_err block_key(const struct segment *s, const struct dict_space *d, uint32_t b, const char **key, size_t *len,
                          uint64_t *dict_off, sift_errmsg *err)
{
    sift_err rc = SIFT_OK;
    const uint8_t *e = segfile_get(&s->file, d->index, (uint64_t)b * DICT_INDEX_ENTRY,
                                   DICT_INDEX_ENTRY, &rc, err);
    if (!e) return rc;
    *dict_off = rd_u64(e);
    *len = rd_u32(e + 12);
    const uint8_t *k = segfile_get(&s->file, d->keys, rd_u32(e + 8), *len, &rc, err);
    if (!k) return rc;
    *key = (const char *)k;
    return SIFT_OK;
}

/* Whether block b's first key is <= term. */
static sift_err key_at_most(const struct segment *s, const struct dict_space *d, uint32_t b, const char *term, size_t len, bool *yes,
                            sift_errmsg *err)
{
    const char *key = NULL;
    size_t klen = 0;
    uint64_t off;
    sift_err rc = block_key(s, d, b, &key, &klen, &off, err);
    *yes = !rc && keycmp(key, klen, term, len) <= 0;
    return rc;
}

/* The last block from `from` on (whose first key is <= term) whose first
 * key is <= term, or -1: galloping from `from`, then a binary search in
 * the last step, so a walk that seeks a little further reads a few keys,
 * not log2 of the dictionary's blocks. */
static sift_err find_block_from(const struct segment *s, const struct dict_space *d, uint32_t from, const char *term, size_t len,
                                int64_t *out, sift_errmsg *err)
{
    uint64_t lo = from, step = 1;
    bool yes = true;
    sift_err rc = SIFT_OK;
    while (!rc && lo + step < d->nblocks && (rc = key_at_most(s, d, (uint32_t)(lo + step), term, len, &yes, err)) == SIFT_OK && yes) {
        lo += step;   /* block lo's key is <= term */
        step *= 2;
    }
    if (rc) return rc;
    uint64_t hi = lo + step < d->nblocks ? lo + step - 1 : d->nblocks - 1;
    while (lo < hi) {   /* lo's key <= term; the answer lies in [lo, hi] */
        uint64_t mid = lo + (hi - lo + 1) / 2;
        if ((rc = key_at_most(s, d, (uint32_t)mid, term, len, &yes, err))) return rc;
        if (yes) lo = mid;
        else hi = mid - 1;
    }
    *out = (int64_t)lo;
    return SIFT_OK;
}

/* The last block whose first key is <= term, or -1. */
static sift_err find_block(const struct segment *s, const struct dict_space *d, const char *term, size_t len, int64_t *out,
                           sift_errmsg *err)
{
    int64_t lo = 0, hi = (int64_t)d->nblocks - 1, best = -1;
    while (lo <= hi) {
        int64_t mid = lo + (hi - lo) / 2;
        const char *key = NULL;
        size_t klen = 0;
        uint64_t off;
        sift_err rc = block_key(s, d, (uint32_t)mid, &key, &klen, &off, err);
        if (rc) return rc;
        if (keycmp(key, klen, term, len) <= 0) {
            best = mid;
            lo = mid + 1;
        } else {
            hi = mid - 1;
        }
    }
    *out = best;
    return SIFT_OK;
}

struct block_iter {
    struct cursor c;
    const char *next_key;        /* the next block's first key (NULL in the last block) */
    size_t next_len;
    uint32_t left;
    char term[TERM_MAX + 1];
    size_t len;
    size_t shared;               /* bytes the entry shares with the one before (0 for the first) */
    bool counts_only;            /* ti's df and cf only, the sizes skipped (a walk) */
    struct term_info ti;
    uint64_t doc_next, pos_next;
};

static sift_err block_open(const struct segment *s, const struct dict_space *d, uint32_t b, struct block_iter *it,
                           sift_errmsg *err)
{
    const char *key;
    size_t klen;
    uint64_t off;
    sift_err rc = block_key(s, d, b, &key, &klen, &off, err);
    if (rc) return rc;
    uint64_t end = segfile_section_len(&s->file, d->data);
    it->next_key = NULL;
    it->next_len = 0;
    if (b + 1 < d->nblocks && (rc = block_key(s, d, b + 1, &it->next_key, &it->next_len, &end, err)))
        return rc;
    if (end < off) return corrupt(s, d, err, "block offsets out of order");
    const uint8_t *p = segfile_get(&s->file, d->data, off, end - off, &rc, err);
    if (!p) return rc;
    it->c = cursor_make(p, (size_t)(end - off));
    it->doc_next = cur_varint(&it->c);
    it->pos_next = cur_varint(&it->c);
    uint64_t n = cur_varint(&it->c);
    if (it->c.bad || n == 0 || n > DICT_BLOCK_TERMS) return corrupt(s, d, err, "bad block header");
    it->left = (uint32_t)n;
    it->len = 0;
    it->counts_only = false;
    it->ti = (struct term_info){ 0 };
    return SIFT_OK;
}

/* Decode the next entry; returns 0 at the end of the block. */
static int block_next(const struct segment *s, const struct dict_space *d, struct block_iter *it,
                      sift_err *rc, sift_errmsg *err)
{
    if (!it->left) return 0;
    it->left--;
    uint64_t prefix = cur_varint(&it->c), suffix = cur_varint(&it->c);
    if (it->c.bad || prefix > it->len || prefix + suffix >= sizeof it->term) {
        *rc = corrupt(s, d, err, "bad term entry");
        return 0;
    }
    const uint8_t *sfx = cur_take(&it->c, suffix);
    uint64_t df = cur_varint(&it->c), cfx = cur_varint(&it->c), doc_len = 0, pos_len = 0;
    if (it->counts_only) {
        cur_skip_varint(&it->c);
        cur_skip_varint(&it->c);
    } else {
        doc_len = cur_varint(&it->c);
        pos_len = cur_varint(&it->c);
    }
    if (it->c.bad || !sfx || df == 0 || df > s->doc_count || cfx > UINT64_MAX - df) {
        *rc = corrupt(s, d, err, "bad term entry");
        return 0;
    }
    if (suffix <= 16 && prefix + 16 <= sizeof it->term && sfx + 16 <= it->c.end)
        memcpy(it->term + prefix, sfx, 16);   /* one fixed-size copy for the usual short suffix */
    else
        memcpy(it->term + prefix, sfx, suffix);
    it->len = (size_t)(prefix + suffix);
    it->shared = (size_t)prefix;
    it->ti.df = (uint32_t)df;
    it->ti.cf = df + cfx;
    if (it->counts_only) return 1;
    it->ti = (struct term_info){ (uint32_t)df, df + cfx, it->doc_next, doc_len, it->pos_next,
                                 pos_len };
    it->doc_next += doc_len;
    it->pos_next += pos_len;
    return 1;
}

sift_err dict_lookup(const struct segment *s, const char *term, size_t len,
                     struct term_info *out, bool *found, sift_errmsg *err)
{
    const struct dict_space *d = &s->dict;
    *found = false;
    int64_t b;
    sift_err rc = find_block(s, d, term, len, &b, err);
    if (rc || b < 0) return rc;
    struct block_iter it;
    rc = block_open(s, d, (uint32_t)b, &it, err);
    if (rc) return rc;
    /* The entries before the one sought are below it; m is how many of
     * its bytes the last of them matched. An entry sharing fewer bytes
     * than m with that one is above the term, one sharing more is below
     * it, so only the entries sharing exactly m are compared. */
    size_t m = 0;
    const unsigned char *want = (const unsigned char *)term;
    while (block_next(s, d, &it, &rc, err)) {
        if (it.shared < m) break;
        if (it.shared > m) continue;
        const unsigned char *have = (const unsigned char *)it.term;
        size_t l = m;
        while (l < it.len && l < len && have[l] == want[l]) l++;
        if (l == len) {
            if (l < it.len) break;   /* the term is a prefix of this entry: above */
            *out = it.ti;
            *found = true;
            return SIFT_OK;
        }
        if (l < it.len && have[l] > want[l]) break;
        m = l;
    }
    return rc;
}

static sift_err scan_prefix(const struct segment *s, const struct dict_space *d, const char *prefix,
                           size_t len, dict_fn fn, void *ctx, sift_errmsg *err)
{
    int64_t b;
    sift_err rc = find_block(s, d, prefix, len, &b, err);
    if (rc) return rc;
    if (b < 0) b = 0;
    for (uint32_t blk = (uint32_t)b; blk < d->nblocks; blk++) {
        struct block_iter it;
        rc = block_open(s, d, blk, &it, err);
        if (rc) return rc;
        while (block_next(s, d, &it, &rc, err)) {
            int c = memcmp(it.term, prefix, it.len < len ? it.len : len);
            if (c < 0 || (c == 0 && it.len < len)) continue;
            if (c > 0) return SIFT_OK;
            if (fn(ctx, it.term, it.len, &it.ti)) return SIFT_OK;
        }
        if (rc) return rc;
    }
    return SIFT_OK;
}

/* Whether term lies below seek; *lcp receives the bytes they share. */
static bool below_seek(const char *term, size_t len, const char *seek, size_t seek_len, size_t from,
                       size_t *lcp)
{
    size_t n = len < seek_len ? len : seek_len, i = from;
    while (i < n && term[i] == seek[i]) i++;
    *lcp = i;
    return i < n ? (unsigned char)term[i] < (unsigned char)seek[i] : len < seek_len;
}

/* A walk decodes every entry between a term and the key it seeks when both
 * lie in one block; the entries' shared prefixes (front coding) say most of
 * them are still below the key without a comparison: an entry sharing more
 * with the one before than that one shared with the key is below it too, one
 * sharing less is above it. */
static sift_err walk(const struct segment *s, const struct dict_space *d, const char *from, size_t len,
                     dict_walk_fn fn, void *ctx, sift_errmsg *err)
{
    char seek[TERM_MAX + 1];
    size_t seek_len = len < TERM_MAX ? len : TERM_MAX;
    memcpy(seek, from, seek_len);
    int64_t b;
    sift_err rc = find_block(s, d, seek, seek_len, &b, err);
    bool below = true;     /* the entries met are below seek: skip them */
    for (uint32_t blk = b < 0 ? 0 : (uint32_t)b; !rc && blk < d->nblocks; blk++) {
        struct block_iter it;
        if ((rc = block_open(s, d, blk, &it, err))) break;
        it.counts_only = true;
        bool known = false;   /* lcp holds for the entry before: not across blocks */
        size_t lcp = 0;
        while (block_next(s, d, &it, &rc, err)) {
            if (below) {
                if (known && it.shared > lcp) continue;
                if (!known || it.shared == lcp) {
                    below = below_seek(it.term, it.len, seek, seek_len, known ? lcp : 0, &lcp);
                    known = true;
                    if (below) continue;
                }
                below = false;
            }
            int act = fn(ctx, it.term, it.len, &it.ti, seek, &seek_len);
            if (act == DICT_STOP) return SIFT_OK;
            if (act != DICT_SEEK) continue;
            below = below_seek(it.term, it.len, seek, seek_len, 0, &lcp);   /* true: seek is past it */
            known = true;
            if (!it.next_key || keycmp(it.next_key, it.next_len, seek, seek_len) > 0) continue;   /* in this block */
            int64_t to;   /* from the block that holds it */
            if ((rc = find_block_from(s, d, blk + 1, seek, seek_len, &to, err))) return rc;
            if (to > (int64_t)blk) {
                blk = (uint32_t)to - 1;
                break;
            }
        }
    }
    return rc;
}

sift_err dict_scan_prefix(const struct segment *s, const char *prefix, size_t len, dict_fn fn,
                          void *ctx, sift_errmsg *err)
{
    return scan_prefix(s, &s->dict, prefix, len, fn, ctx, err);
}

sift_err dict_walk(const struct segment *s, const char *from, size_t len, dict_walk_fn fn, void *ctx,
                   sift_errmsg *err)
{
    return walk(s, &s->dict, from, len, fn, ctx, err);
}

sift_err surface_scan_prefix(const struct segment *s, const char *prefix, size_t len, dict_fn fn,
                             void *ctx, sift_errmsg *err)
{
    return scan_prefix(s, &s->surface, prefix, len, fn, ctx, err);
}

sift_err surface_walk(const struct segment *s, const char *from, size_t len, dict_walk_fn fn, void *ctx,
                      sift_errmsg *err)
{
    return walk(s, &s->surface, from, len, fn, ctx, err);
}

bool surface_stem(const char *key, size_t len, char *stem, size_t *stem_len, size_t *word_len)
{
    const char *nul = memchr(key, 0, len);
    if (!nul || nul == key || (size_t)(key + len - nul) < 2) return false;
    size_t wl = (size_t)(nul - key), keep = (unsigned char)nul[1], tail = len - wl - 2;
    if (keep > wl || keep + tail == 0 || keep + tail > TERM_MAX || memchr(nul + 2, 0, tail)) return false;
    memcpy(stem, key, keep);
    memcpy(stem + keep, nul + 2, tail);
    *stem_len = keep + tail;
    *word_len = wl;
    return true;
}
