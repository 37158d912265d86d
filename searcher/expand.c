/* expand.c -- prefix expansion over the dictionaries of every segment: the
 * terms that start with the prefix, and the stems of the words as written
 * that do (computer* finds "computers", whose term is comput). */
#include "expand.h"

#include <stdlib.h>
#include <string.h>

#include "dict.h"
#include "error.h"
#include "hash.h"
#include "index.h"
#include "strmap.h"

struct expansion {
    const char *prefix;
    size_t plen;
    struct strlist *out;
    size_t cap;
    bool capped, oom;
    struct strmap seen;       /* term -> index in offs */
    size_t *offs;             /* where each term starts in out */
    size_t noffs, capoffs;
};

static const void *term_at(const void *ctx, uint32_t i, size_t *len)
{
    const struct expansion *e = ctx;
    const char *t = (const char *)e->out->b.data + e->offs[i];
    *len = strlen(t);
    return t;
}

/* A term once: the first time it is met. */
static int add_term(struct expansion *e, const char *term, size_t len)
{
    if (e->out->n >= e->cap) {
        e->capped = true;
        return 1;
    }
    uint32_t h = hash_fnv1a(term, len), slot = 0;
    if (strmap_find(&e->seen, term, len, h, term_at, e, &slot) != STRMAP_NONE) return 0;
    if (e->noffs == e->capoffs) {
        size_t cap = e->capoffs ? e->capoffs * 2 : 64;
        size_t *o = realloc(e->offs, cap * sizeof *o);
        if (!o) return e->oom = true, 1;
        e->offs = o;
        e->capoffs = cap;
    }
    e->offs[e->noffs] = e->out->b.len;
    if (!strlist_add(e->out, term, len) || !strmap_put(&e->seen, slot, h, (uint32_t)e->noffs++))
        return e->oom = true, 1;
    return 0;
}

static int on_term(void *ctx, const char *term, size_t len, const struct term_info *ti)
{
    (void)ti;
    return add_term(ctx, term, len);
}

/* A word starting with the prefix stands for its stem ("computers": comput). */
static int on_surface(void *ctx, const char *key, size_t len, const struct term_info *ti)
{
    (void)ti;
    char stem[TERM_MAX + 1];
    size_t stem_len, word_len;
    const struct expansion *e = ctx;
    if (!surface_stem(key, len, stem, &stem_len, &word_len)) return 0;
    if (stem_len >= e->plen && !memcmp(stem, e->prefix, e->plen)) return 0;   /* the terms' own walk had it */
    return add_term(ctx, stem, stem_len);
}

sift_err expand_prefix(const sift_index *idx, const char *prefix, size_t len, size_t cap,
                       struct strlist *out, bool *capped, sift_errmsg *err)
{
    struct expansion e = { prefix, len, out, cap, false, false, { 0 }, NULL, 0, 0 };
    sift_err rc = strmap_init(&e.seen, 64) ? SIFT_OK : SIFT_ERR_NOMEM;
    for (uint32_t s = 0; !rc && s < idx->nsegs && !e.capped && !e.oom; s++) {
        rc = dict_scan_prefix(&idx->segs[s], prefix, len, on_term, &e, err);
        if (!rc && !e.capped && !e.oom) rc = surface_scan_prefix(&idx->segs[s], prefix, len, on_surface, &e, err);
    }
    if (!rc && e.oom) rc = SIFT_ERR_NOMEM;
    if (rc == SIFT_ERR_NOMEM) sift_fail(err, rc, "out of memory expanding a prefix");
    strmap_free(&e.seen);
    free(e.offs);
    *capped = e.capped;
    return rc;
}
