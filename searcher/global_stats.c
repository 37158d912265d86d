/* global_stats.c -- sift_stats: a query's statistics per shard, their sum,
 * and their encoding for another process.
 *
 * Encoding (sift_stats_encode; little-endian, v = varint):
 *   "SIFTST1\0"                       8 bytes
 *   v flags, v text length, text      the query as parsed
 *   v language length, language
 *   v documents, v tokens, v title tokens     live, summed over shards
 *   v term count, then per term: v length, bytes, v live df, v df with deletions
 *   v expansion count, then per expansion: u8 kind (1 prefix, 2 fuzzy),
 *     v term count, then each term's number in the table above
 *   u32 CRC-32 (zlib) of every byte before it
 * Terms are distinct, 1 to TERM_MAX bytes, none holding a NUL. A decoder refuses anything
 * else with SIFT_ERR_INVALID: the bytes come from another process.
 */
#include "global_stats.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "bytes.h"
#include "error.h"
#include "hash.h"
#include "index.h"
#include "query.h"
#include "segment.h"
#include "strmap.h"

#define GS_MAGIC "SIFTST1"

struct gs_term {
    size_t off;               /* in bytes */
    uint32_t len;
    uint64_t live, raw;
    uint32_t mark;            /* == stamp: in the expansion being filled */
};

struct gs_exp {
    enum gs_kind kind;
    uint32_t *ids, n;         /* terms, in the order first met */
    size_t cap;
};

struct sift_stats {
    char *text;
    unsigned flags;
    char language[32];
    uint64_t docs, tokens, title_tokens;
    struct buf bytes;
    struct gs_term *terms;
    uint32_t nterms;
    size_t capterms;
    struct strmap map;        /* term -> its number */
    struct gs_exp *exps;
    uint32_t nexps;
    size_t capexps;
    uint32_t stamp;           /* which expansion is being filled (terms' mark) */
};

static const void *term_key(const void *ctx, uint32_t i, size_t *len)
{
    const sift_stats *st = ctx;
    *len = st->terms[i].len;
    return st->bytes.data ? st->bytes.data + st->terms[i].off : (const uint8_t *)"";
}

static sift_stats *stats_alloc(const char *text, size_t len, unsigned flags)
{
    sift_stats *st = calloc(1, sizeof *st);
    if (st) st->text = malloc(len + 1);
    if (!st || !st->text || !strmap_init(&st->map, 64)) {
        sift_stats_free(st);
        return NULL;
    }
    memcpy(st->text, text, len);
    st->text[len] = 0;
    st->flags = flags;
    return st;
}

sift_stats *gs_new(const char *text, unsigned flags, const sift_index *idx)
{
    sift_stats *st = stats_alloc(text, strlen(text), flags);
    if (!st) return NULL;
    snprintf(st->language, sizeof st->language, "%s", idx->language);
    st->docs = idx->doc_count;
    st->tokens = idx->token_count;
    st->title_tokens = idx->title_token_count;
    return st;
}

void sift_stats_free(sift_stats *st)
{
    if (!st) return;
    for (uint32_t i = 0; i < st->nexps; i++) free(st->exps[i].ids);
    free(st->exps);
    free(st->terms);
    buf_free(&st->bytes);
    strmap_free(&st->map);
    free(st->text);
    free(st);
}

/* The number of term, added with no frequencies when new; UINT32_MAX when
 * memory is short. */
static uint32_t term_id(sift_stats *st, const char *term, size_t len)
{
    uint32_t h = hash_fnv1a(term, len), slot = 0;
    uint32_t id = strmap_find(&st->map, term, len, h, term_key, st, &slot);
    if (id != STRMAP_NONE) return id;
    if (st->nterms == UINT32_MAX - 1 ||
        !array_reserve((void **)&st->terms, &st->capterms, st->nterms, sizeof *st->terms))
        return UINT32_MAX;
    st->terms[st->nterms] = (struct gs_term){ st->bytes.len, (uint32_t)len, 0, 0, 0 };
    if (!buf_append(&st->bytes, term, len)) return UINT32_MAX;
    if (!strmap_put(&st->map, slot, h, st->nterms)) return UINT32_MAX;
    return st->nterms++;
}

static uint32_t find_term(const sift_stats *st, const char *term, size_t len)
{
    uint32_t slot;
    return strmap_find(&st->map, term, len, hash_fnv1a(term, len), term_key, st, &slot);
}

/* Set one of term's two frequencies (live or with deletions). */
static bool set_df(sift_stats *st, const char *term, size_t len, uint64_t df, bool raw)
{
    uint32_t id = term_id(st, term, len);
    if (id == UINT32_MAX) return false;
    *(raw ? &st->terms[id].raw : &st->terms[id].live) = df;
    return true;
}

bool gs_set_live(sift_stats *st, const char *term, size_t len, uint64_t df)
{
    return set_df(st, term, len, df, false);
}

bool gs_set_raw(sift_stats *st, const char *term, size_t len, uint64_t df)
{
    return set_df(st, term, len, df, true);
}

bool gs_expansion_begin(sift_stats *st, enum gs_kind kind)
{
    if (st->nexps == UINT32_MAX || !array_reserve((void **)&st->exps, &st->capexps, st->nexps, sizeof *st->exps))
        return false;
    st->exps[st->nexps++] = (struct gs_exp){ kind, NULL, 0, 0 };
    st->stamp++;
    return true;
}

/* Append term number id to expansion e, the one being filled, unless it
 * holds it (the terms' marks say, so a decoded expansion of a million
 * terms costs a million steps, not their square). */
static bool exp_add_id(sift_stats *st, struct gs_exp *e, uint32_t id)
{
    if (st->terms[id].mark == st->stamp) return true;
    if (!array_reserve((void **)&e->ids, &e->cap, e->n, sizeof *e->ids)) return false;
    st->terms[id].mark = st->stamp;
    e->ids[e->n++] = id;
    return true;
}

bool gs_expansion_add(sift_stats *st, const char *term, size_t len)
{
    uint32_t id = term_id(st, term, len);
    return id != UINT32_MAX && st->nexps && exp_add_id(st, &st->exps[st->nexps - 1], id);
}

void gs_counts(const sift_stats *st, uint64_t *docs, uint64_t *tokens, uint64_t *title_tokens)
{
    *docs = st->docs;
    *tokens = st->tokens;
    *title_tokens = st->title_tokens;
}

uint64_t gs_live_df(const sift_stats *st, const char *term, size_t len)
{
    uint32_t id = find_term(st, term, len);
    return id == STRMAP_NONE ? 0 : st->terms[id].live;
}

bool gs_expansion(const sift_stats *st, size_t i, enum gs_kind kind, struct strlist *out, uint64_t **dfs,
                  bool *matched)
{
    const struct gs_exp *e = i < st->nexps && st->exps[i].kind == kind ? &st->exps[i] : NULL;
    if (!e) *matched = false;
    uint32_t n = e ? e->n : 0;
    if (!(*dfs = malloc((n ? n : 1) * sizeof **dfs))) return false;
    for (uint32_t k = 0; k < n; k++) {
        const struct gs_term *t = &st->terms[e->ids[k]];
        (*dfs)[k] = t->raw;
        if (!strlist_add(out, (const char *)st->bytes.data + t->off, t->len)) return false;
    }
    return true;
}

size_t gs_expansion_count(const sift_stats *st) { return st->nexps; }

const char *sift_stats_query(const sift_stats *st, unsigned *flags)
{
    if (flags) *flags = st->flags;
    return st->text;
}

bool gs_matches(const sift_stats *st, const char *text, unsigned flags)
{
    return st->flags == flags && !strcmp(st->text, text);
}

/* ------------------------------------------------------------ the sum */

sift_err sift_stats_merge(sift_stats *into, const sift_stats *from, sift_errmsg *err)
{
    if (!gs_matches(into, from->text, from->flags))
        return sift_fail(err, SIFT_ERR_INVALID, "statistics of two different queries cannot be summed");
    if (strcmp(into->language, from->language))
        return sift_fail(err, SIFT_ERR_INVALID, "statistics of a %s and a %s index cannot be summed",
                         into->language, from->language);
    if (into->nexps != from->nexps)
        return sift_fail(err, SIFT_ERR_INVALID, "the indexes read the query differently (%u and %u "
                         "expansions: a field typed in one and not in another?)", into->nexps, from->nexps);
    for (uint32_t i = 0; i < from->nexps; i++)
        if (into->exps[i].kind != from->exps[i].kind)
            return sift_fail(err, SIFT_ERR_INVALID, "the indexes read the query differently");
    into->docs += from->docs;
    into->tokens += from->tokens;
    into->title_tokens += from->title_tokens;
    uint32_t *ids = malloc((from->nterms ? from->nterms : 1) * sizeof *ids);
    if (!ids) return sift_fail(err, SIFT_ERR_NOMEM, "out of memory");
    bool ok = true;
    for (uint32_t i = 0; ok && i < from->nterms; i++) {
        const struct gs_term *t = &from->terms[i];
        ids[i] = term_id(into, (const char *)from->bytes.data + t->off, t->len);
        if ((ok = ids[i] != UINT32_MAX)) {
            into->terms[ids[i]].live += t->live;
            into->terms[ids[i]].raw += t->raw;
        }
    }
    for (uint32_t i = 0; ok && i < from->nexps; i++) {
        struct gs_exp *e = &into->exps[i];
        into->stamp++;   /* expansion i is the one being filled: mark what it holds */
        for (uint32_t k = 0; k < e->n; k++) into->terms[e->ids[k]].mark = into->stamp;
        for (uint32_t k = 0; ok && k < from->exps[i].n; k++) ok = exp_add_id(into, e, ids[from->exps[i].ids[k]]);
    }
    free(ids);
    return ok ? SIFT_OK : sift_fail(err, SIFT_ERR_NOMEM, "out of memory summing statistics");
}

/* -------------------------------------------------------- the encoding */

static bool put_bytes(struct buf *b, const void *p, size_t n)
{
    return buf_varint(b, n) && buf_append(b, p, n);
}

sift_err sift_stats_encode(const sift_stats *st, void **out, size_t *len, sift_errmsg *err)
{
    *out = NULL;
    *len = 0;
    struct buf b = { 0 };
    bool ok = buf_append(&b, GS_MAGIC, 8) && buf_varint(&b, st->flags) &&
              put_bytes(&b, st->text, strlen(st->text)) && put_bytes(&b, st->language, strlen(st->language)) &&
              buf_varint(&b, st->docs) && buf_varint(&b, st->tokens) && buf_varint(&b, st->title_tokens) &&
              buf_varint(&b, st->nterms);
    for (uint32_t i = 0; ok && i < st->nterms; i++) {
        const struct gs_term *t = &st->terms[i];
        ok = put_bytes(&b, st->bytes.data + t->off, t->len) && buf_varint(&b, t->live) && buf_varint(&b, t->raw);
    }
    ok = ok && buf_varint(&b, st->nexps);
    for (uint32_t i = 0; ok && i < st->nexps; i++) {
        uint8_t kind = (uint8_t)st->exps[i].kind;
        ok = buf_append(&b, &kind, 1) && buf_varint(&b, st->exps[i].n);
        for (uint32_t k = 0; ok && k < st->exps[i].n; k++) ok = buf_varint(&b, st->exps[i].ids[k]);
    }
    ok = ok && buf_u32(&b, (uint32_t)crc32(0, b.data, (uInt)b.len));
    if (!ok) {
        buf_free(&b);
        return sift_fail(err, SIFT_ERR_NOMEM, "out of memory encoding statistics");
    }
    *out = b.data;
    *len = b.len;
    return SIFT_OK;
}

static const char *take_string(struct cursor *c, size_t max, size_t *len)
{
    uint64_t n = cur_varint(c);
    if (c->bad || n > max) return c->bad = true, NULL;
    *len = (size_t)n;
    return (const char *)cur_take(c, n);
}

static sift_err decode_body(sift_stats **st, struct cursor *c)
{
    unsigned flags = (unsigned)cur_varint(c);
    size_t n;
    const char *text = take_string(c, (size_t)(c->end - c->p), &n);
    if (c->bad || !(*st = stats_alloc(text, n, flags))) return c->bad ? SIFT_ERR_INVALID : SIFT_ERR_NOMEM;
    const char *lang = take_string(c, sizeof (*st)->language - 1, &n);
    if (c->bad) return SIFT_ERR_INVALID;
    memcpy((*st)->language, lang, n);
    (*st)->docs = cur_varint(c);
    (*st)->tokens = cur_varint(c);
    (*st)->title_tokens = cur_varint(c);
    uint64_t nterms = cur_varint(c);
    if (c->bad || nterms > (uint64_t)(c->end - c->p)) return SIFT_ERR_INVALID;   /* a byte each at least */
    for (uint64_t i = 0; i < nterms; i++) {
        const char *t = take_string(c, TERM_MAX, &n);
        uint64_t live = cur_varint(c), raw = cur_varint(c);
        /* no index term is empty or holds a NUL (the analyzer splits at it) */
        if (c->bad || !n || memchr(t, 0, n) || find_term(*st, t, n) != STRMAP_NONE) return SIFT_ERR_INVALID;
        if (!gs_set_live(*st, t, n, live) || !gs_set_raw(*st, t, n, raw)) return SIFT_ERR_NOMEM;
    }
    uint64_t nexps = cur_varint(c);
    if (c->bad || nexps > (uint64_t)(c->end - c->p)) return SIFT_ERR_INVALID;
    for (uint64_t i = 0; i < nexps; i++) {
        const uint8_t *kind = cur_take(c, 1);
        uint64_t m = cur_varint(c);
        if (c->bad || (*kind != GS_PREFIX && *kind != GS_FUZZY) || m > (*st)->nterms) return SIFT_ERR_INVALID;
        if (!gs_expansion_begin(*st, (enum gs_kind)*kind)) return SIFT_ERR_NOMEM;
        for (uint64_t k = 0; k < m; k++) {
            uint64_t id = cur_varint(c);
            if (c->bad || id >= (*st)->nterms) return SIFT_ERR_INVALID;
            if (!exp_add_id(*st, &(*st)->exps[i], (uint32_t)id)) return SIFT_ERR_NOMEM;
        }
    }
    return c->p == c->end ? SIFT_OK : SIFT_ERR_INVALID;
}

sift_err sift_stats_decode(const void *data, size_t len, sift_stats **out, sift_errmsg *err)
{
    *out = NULL;
    const uint8_t *d = data;
    if (len < 12 || memcmp(d, GS_MAGIC, 8))
        return sift_fail(err, SIFT_ERR_INVALID, "not sift statistics (%zu bytes)", len);
    if (rd_u32(d + len - 4) != (uint32_t)crc32(0, d, (uInt)(len - 4)))
        return sift_fail(err, SIFT_ERR_INVALID, "sift statistics damaged: checksum mismatch");
    struct cursor c = cursor_make(d + 8, len - 12);
    sift_stats *st = NULL;
    sift_err rc = decode_body(&st, &c);
    if (rc) {
        sift_stats_free(st);
        return rc == SIFT_ERR_NOMEM ? sift_fail(err, rc, "out of memory decoding statistics")
                                    : sift_fail(err, rc, "sift statistics malformed");
    }
    *out = st;
    return SIFT_OK;
}

/* ---------------------------------------------------- the two readings */

sift_err sift_stats_collect(const sift_index *idx, const char *text, unsigned flags, sift_stats **out,
                            sift_errmsg *err)
{
    *out = NULL;
    struct stats_link link = { NULL, NULL, text, flags, NULL, true };
    sift_query *q;
    sift_err rc = query_parse_linked(idx, text, flags, &link, &q, err);
    sift_query_free(q);
    if (rc) {
        sift_stats_free(link.collect);
        return rc;
    }
    *out = link.collect;
    return SIFT_OK;
}

sift_err sift_query_parse_global(const sift_index *idx, const char *text, unsigned flags,
                                 const sift_stats *global, sift_query **out, sift_errmsg *err)
{
    *out = NULL;
    if (!gs_matches(global, text, flags))
        return sift_fail(err, SIFT_ERR_INVALID, "the statistics were collected for another query "
                         "(\"%.100s\")", global->text);
    if (strcmp(global->language, idx->language))
        return sift_fail(err, SIFT_ERR_INVALID, "statistics of a %s index for a %s one", global->language,
                         idx->language);
    struct stats_link link = { global, NULL, text, flags, NULL, false };
    return query_parse_linked(idx, text, flags, &link, out, err);
}
