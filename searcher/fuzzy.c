/* fuzzy.c -- the terms within an edit distance of a word, by bounded walks.
 *
 * Terms: a walk of each segment's term trie (term_trie.h) with the edit
 * automaton made deterministic (lev_dfa.h), entering only the children
 * that keep it alive. A word of over EA_BITS code points, and the surface
 * forms (suggestions), walk the sorted dictionaries instead: the automaton
 * (edit_automaton.h) steps through each key's code points, keeping the
 * states of the prefix it shares with the key before, and when a prefix
 * can no longer come within the distance the walk seeks past every key
 * that starts with it (or to the next code point that could keep it
 * alive). Either way it reads the keys of the live prefixes, not all. */
#include "fuzzy.h"

#include <stdlib.h>
#include <string.h>

#include "dict.h"
#include "edit_automaton.h"
#include "error.h"
#include "index.h"
#include "lev_dfa.h"
#include "schema.h"
#include "term_trie.h"

#define MAX_CP (TERM_MAX + 1)

/* The code point at p[0..n) and its length in bytes (a stray byte is one). */
static uint32_t next_cp(const unsigned char *p, size_t n, size_t *used)
{
    unsigned len = p[0] < 0x80 ? 1 : p[0] >= 0xF0 ? 4 : p[0] >= 0xE0 ? 3 : p[0] >= 0xC0 ? 2 : 1;
    if (len > n) len = 1;
    uint32_t c = len == 1 ? p[0] : (uint32_t)(p[0] & (0x7F >> len));
    for (unsigned i = 1; i < len; i++) {
        if ((p[i] & 0xC0) != 0x80) {
            *used = 1;
            return p[0];
        }
        c = c << 6 | (p[i] & 0x3F);
    }
    *used = len;
    return c;
}

/* Code points of s[0..n) into cp (at most MAX_CP), with the byte where each ends. */
static size_t decode(const char *s, size_t n, uint32_t *cp, size_t *ends)
{
    size_t k = 0, at = 0;
    while (at < n && k < MAX_CP) {
        size_t used;
        cp[k] = next_cp((const unsigned char *)s + at, n - at, &used);
        at += used;
        ends[k++] = at;
    }
    return k;
}

struct walk {
    uint32_t q[MAX_CP];
    size_t qn;
    unsigned maxd;
    struct edit_automaton *ea;    /* for the sorted walks (on_term) */
    struct lev_dfa *dfa;          /* for the trie's, when the word fits it */
    uint32_t t[MAX_CP];           /* the code points the states are of */
    size_t depth;                 /* states 0..depth hold */
    bool surface;                 /* keys are surface forms: the word is before the 0 byte */
    char pfx[8];                  /* the walk ends at the first key without this prefix */
    size_t plen;
    fuzzy_fn fn;                  /* told of every key within maxd */
    void *ctx;
};

/* What fuzzy_expand gathers: the matches of every segment. */
struct gathered {
    struct strlist terms;         /* their bytes */
    struct fuzzy_match *found;
    size_t nfound, capfound;
    bool oom;
};

static int add_match(void *ctx, const char *term, size_t len, size_t word_len, unsigned dist,
                     double weight, const struct term_info *ti)
{
    (void)word_len;
    struct gathered *g = ctx;
    if (g->nfound == g->capfound) {
        size_t cap = g->capfound ? 2 * g->capfound : 32;
        struct fuzzy_match *f = realloc(g->found, cap * sizeof *f);
        if (!f) return g->oom = true, 1;
        g->found = f;
        g->capfound = cap;
    }
    g->found[g->nfound++] = (struct fuzzy_match){ g->terms.b.len, dist, ti->df, weight };
    if (!strlist_add(&g->terms, term, len)) return g->oom = true, 1;
    return 0;
}

static size_t put_utf8(char *out, uint32_t c)
{
    if (c < 0x80) return out[0] = (char)c, 1;
    if (c < 0x800) return out[0] = (char)(0xC0 | c >> 6), out[1] = (char)(0x80 | (c & 0x3F)), 2;
    if (c < 0x10000) {
        out[0] = (char)(0xE0 | c >> 12);
        out[1] = (char)(0x80 | (c >> 6 & 0x3F));
        out[2] = (char)(0x80 | (c & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | c >> 18);
    out[1] = (char)(0x80 | (c >> 12 & 0x3F));
    out[2] = (char)(0x80 | (c >> 6 & 0x3F));
    out[3] = (char)(0x80 | (c & 0x3F));
    return 4;
}

/* The term is dead from its code point d - 1 on (the prefix before it
 * lives). Where the walk goes next: when no code point outside the query
 * could keep that prefix alive, only the query's own code points can, so
 * to the prefix followed by the smallest of them above this one (the
 * Levenshtein automaton's transitions, found by trying them); else to the
 * next code point; past the prefix when none is left. */
static int seek_past(struct walk *w, size_t d, const char *term, const size_t *ends, char *seek,
                     size_t *seek_len)
{
    uint32_t c = w->t[d - 1];
    size_t n = d > 1 ? ends[d - 2] : 0;   /* the living prefix's bytes */
    memcpy(seek, term, ends[d - 1]);
    if (ea_step(w->ea, d, 0x110000)) {   /* any code point might do: the next one */
        n = ends[d - 1];
    } else {
        uint32_t best = UINT32_MAX;
        for (size_t j = 0; j < w->qn; j++)
            if (w->q[j] > c && w->q[j] < best && ea_step(w->ea, d, w->q[j])) best = w->q[j];
        if (best != UINT32_MAX) {
            *seek_len = n + put_utf8(seek + n, best);
            return DICT_SEEK;
        }
    }
    while (n && (unsigned char)seek[n - 1] == 0xFF) n--;   /* past everything starting with seek[0..n) */
    if (!n) return DICT_STOP;
    seek[n - 1] = (char)((unsigned char)seek[n - 1] + 1);
    *seek_len = n;
    return DICT_SEEK;
}

/* Lucene's similarity of a term of tn code points at dist from a query of qn. */
static double similarity(size_t tn, size_t qn, unsigned dist)
{
    size_t shorter = tn < qn ? tn : qn;
    return shorter > dist ? 1.0 - (double)dist / (double)shorter : 0.01;
}

static int on_term(void *ctx, const char *term, size_t len, const struct term_info *ti, char *seek,
                   size_t *seek_len)
{
    struct walk *w = ctx;
    size_t key_len = len;
    if (w->surface) {   /* the word, before its stem */
        const char *nul = memchr(term, 0, len);
        if (nul) len = (size_t)(nul - term);
    }
    if (w->plen && (len < w->plen || memcmp(term, w->pfx, w->plen))) return DICT_STOP;
    if (len && (unsigned char)term[0] < 0x20) {   /* the typed fields' term spaces (schema.h) sort first */
        seek[0] = 0x20;
        *seek_len = 1;
        w->depth = 0;
        return DICT_SEEK;
    }
    uint32_t t[MAX_CP];
    size_t ends[MAX_CP];
    size_t tn = decode(term, len, t, ends), k = 0;
    while (k < tn && k < w->depth && t[k] == w->t[k]) k++;   /* states 0..k are this term's too */
    memcpy(w->t + k, t + k, (tn - k) * sizeof *t);
    for (size_t d = k + 1; d <= tn; d++) {
        if (!ea_step(w->ea, d, t[d - 1])) {   /* nothing starting with t[0..d) can come within maxd */
            w->depth = d - 1;
            return seek_past(w, d, term, ends, seek, seek_len);
        }
    }
    w->depth = tn;
    unsigned dist = ea_distance(w->ea, tn);
    if (dist > w->maxd) return DICT_NEXT;
    return w->fn(w->ctx, term, key_len, len, dist, similarity(tn, w->qn, dist), ti) ? DICT_STOP : DICT_NEXT;
}

struct ranked {
    const char *term;
    size_t len;
    unsigned dist;
    uint64_t df;
    double weight;
};

static int by_bytes(const void *a, const void *b)
{
    const struct ranked *x = a, *y = b;
    int c = memcmp(x->term, y->term, x->len < y->len ? x->len : y->len);
    return c ? c : (x->len > y->len) - (x->len < y->len);
}

static int by_rank(const void *a, const void *b)
{
    const struct ranked *x = a, *y = b;
    if (x->dist != y->dist) return x->dist < y->dist ? -1 : 1;
    if (x->df != y->df) return x->df > y->df ? -1 : 1;
    return by_bytes(a, b);
}

/* The matches merged over segments, ranked, at most cap kept. */
static sift_err rank(struct gathered *g, size_t cap, struct strlist *terms, struct fuzzy_match **out,
                     size_t *n, bool *capped)
{
    struct ranked *r = malloc((g->nfound ? g->nfound : 1) * sizeof *r);
    if (!r) return SIFT_ERR_NOMEM;
    for (size_t i = 0; i < g->nfound; i++) {
        const char *t = (const char *)g->terms.b.data + g->found[i].term;
        r[i] = (struct ranked){ t, strlen(t), g->found[i].dist, g->found[i].df, g->found[i].weight };
    }
    qsort(r, g->nfound, sizeof *r, by_bytes);
    size_t m = 0;
    for (size_t i = 0; i < g->nfound; i++) {
        if (m && !by_bytes(&r[m - 1], &r[i])) r[m - 1].df += r[i].df;   /* the same term in another segment */
        else r[m++] = r[i];
    }
    qsort(r, m, sizeof *r, by_rank);
    *capped = m > cap;
    if (m > cap) m = cap;
    sift_err rc = SIFT_OK;
    *out = malloc((m ? m : 1) * sizeof **out);
    if (!*out) rc = SIFT_ERR_NOMEM;
    for (size_t i = 0; !rc && i < m; i++) {
        (*out)[i] = (struct fuzzy_match){ terms->b.len, r[i].dist, r[i].df, r[i].weight };
        if (!strlist_add(terms, r[i].term, r[i].len)) rc = SIFT_ERR_NOMEM;
    }
    *n = rc ? 0 : m;
    free(r);
    return rc;
}

/* The term trie's walk (term_trie.h) with the automaton made
 * deterministic (lev_dfa.h): each child whose label keeps it alive is
 * entered, so every live prefix is stepped once, by a table look-up. A
 * label may end inside a code point; its bytes wait for the child's.
 * Terms are taken to be valid UTF-8 (the analyzer's output): a byte that
 * starts a code point in no shortest form may hide a term from the walk,
 * never make it read out of bounds. */
struct trie_walk {
    struct walk *w;
    struct lev_dfa *a;
    const struct term_trie *t;
    size_t min_len;               /* bytes a term needs to come within maxd */
    size_t min_ascii;             /* and code points below 0x80 */
    uint64_t budget;              /* nodes left to visit: a tree has fewer than its bytes */
    char path[TERM_MAX + 1];
    bool stop;
};

/* A walk's place: the code points before path[at] stepped to state s,
 * d of them. */
struct place {
    size_t at, d;
    uint32_t s;
};

/* Step the code points of path[p->at..end); with `last` the bytes of a
 * code point cut short are stepped as decode() reads them (the term ends
 * there), else left for the next label. False when dead. */
static bool step_bytes(struct trie_walk *tw, struct place *p, size_t end, bool last)
{
    const unsigned char *b = (const unsigned char *)tw->path;
    while (p->at < end) {
        size_t used = 1;
        uint32_t c = b[p->at];
        if (c >= 0x80) {
            unsigned need = c < 0xC0 ? 1 : c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : 2;
            if (!last && p->at + need > end) return true;
            c = next_cp(b + p->at, end - p->at, &used);
        }
        p->s = dfa_step(tw->a, p->s, c);
        if (p->s == DFA_DEAD) return false;
        p->d++;
        p->at += used;
    }
    return true;
}

/* Whether path[from..from+n) agrees with the walk's required prefix. */
static bool fits_prefix(const struct walk *w, const char *bytes, size_t from, size_t n)
{
    if (from >= w->plen) return true;
    size_t k = w->plen - from < n ? w->plen - from : n;
    return !memcmp(bytes, w->pfx + from, k);
}

static const uint64_t every_byte[4] = { UINT64_MAX, UINT64_MAX, UINT64_MAX, UINT64_MAX };

/* The node at off, its first label byte at path[plen - 1] (the root: plen
 * 0). A child is ruled out before it is read when no code point starting
 * with its first byte keeps the state alive (dfa_live_bytes), or when
 * every term below it is too short, or has too few code points below
 * 0x80, to come within the distance (term_trie.c). False when the trie is
 * malformed. */

static bool visit(struct trie_walk *tw, uint64_t off, size_t plen, struct place p)
{
    struct walk *w = tw->w;
    struct trie_node n;
    if (!tw->budget-- || !trie_node_read(tw->t, off, &n) || plen + n.rest_len > TERM_MAX) return false;
    if (n.rest_len) {
        if (plen < w->plen && !fits_prefix(w, (const char *)n.rest, plen, n.rest_len)) return true;
        memcpy(tw->path + plen, n.rest, n.rest_len);
        plen += n.rest_len;
    }
    const unsigned char *b = (const unsigned char *)tw->path;
    for (; p.at < plen && b[p.at] < 0x80; p.at++, p.d++)   /* the usual code points of one byte */
        if ((p.s = dfa_step_ascii(tw->a, p.s, b[p.at])) == DFA_DEAD) return true;
    if (p.at < plen && !step_bytes(tw, &p, plen, false)) return true;
    if (n.terminal && plen >= w->plen) {
        struct place end = p;
        unsigned dist = p.at == plen || step_bytes(tw, &end, plen, true) ? dfa_distance(tw->a, end.s) : w->maxd + 1;
        struct term_info ti = { .df = n.df };
        if (dist <= w->maxd && w->fn(w->ctx, tw->path, plen, plen, dist, similarity(end.d, w->qn, dist), &ti))
            return tw->stop = true;
    }
    if (!n.nchildren) return true;
    if (plen == TERM_MAX) return false;
    const uint64_t *m = p.at < plen ? every_byte : dfa_live_bytes(tw->a, p.s);
    if (!m) return true;   /* out of memory: the caller sees a->oom */
    uint64_t live[4] = { m[0], m[1], m[2], m[3] };   /* a deeper step may move the table */
    for (uint32_t i = 0; i < n.nchildren; i++) {
        uint8_t k = n.first[i];
        if (!(live[k >> 6] >> (k & 63) & 1) || n.longest[i] < tw->min_len || n.ascii[i] < tw->min_ascii)
            continue;
        if (plen < w->plen && w->pfx[plen] != (char)k) continue;
        struct place c = p;
        tw->path[plen] = (char)k;
        if (k < 0x80 && p.at == plen) {   /* a code point of its own: step it before reading the child */
            c.s = dfa_step_ascii(tw->a, p.s, k);
            c.at = plen + 1;
            c.d = p.d + 1;
        }
        uint64_t child = trie_child(&n, i);
        if (child == UINT64_MAX || !visit(tw, child, plen + 1, c)) return false;
        if (tw->stop) return true;
    }
    return true;
}

static sift_err trie_walk_segment(const struct segment *seg, struct walk *w, sift_errmsg *err)
{
    struct term_trie t;
    sift_err rc = trie_open(seg, &t, err);
    if (rc) return rc;
    size_t ascii = 0;
    for (size_t i = 0; i < w->qn; i++) ascii += w->q[i] < 0x80;
    struct trie_walk tw = { w, w->dfa, &t, w->qn > w->maxd ? w->qn - w->maxd : 0,
                            ascii > w->maxd ? ascii - w->maxd : 0, t.len, { 0 }, false };
    if (!visit(&tw, t.root, 0, (struct place){ 0, 0, DFA_START }))
        return sift_fail(err, SIFT_ERR_CORRUPT, "%s: term trie: malformed node", seg->file.path);
    if (w->dfa->oom) return sift_fail(err, SIFT_ERR_NOMEM, "out of memory expanding a fuzzy word");
    return SIFT_OK;   /* a stop ends this segment's walk, as dict_walk's does */
}

/* One walk of every segment: from the prefix w->pfx on, to its end. */
static sift_err walk_segments(const sift_index *idx, struct walk *w, sift_errmsg *err)
{
    sift_err rc = SIFT_OK;
    for (uint32_t s = 0; !rc && s < idx->nsegs; s++) {
        w->depth = 0;   /* a new dictionary: no rows carried over */
        const struct segment *seg = &idx->segs[s];
        rc = w->surface ? surface_walk(seg, w->pfx, w->plen, on_term, w, err)
           : w->dfa     ? trie_walk_segment(seg, w, err)
                        : dict_walk(seg, w->pfx, w->plen, on_term, w, err);
    }
    return rc;
}

sift_err fuzzy_walk(const sift_index *idx, bool surface, const char *word, size_t len, unsigned maxd,
                    bool keep_first, fuzzy_fn fn, void *ctx, sift_errmsg *err)
{
    struct walk *w = calloc(1, sizeof *w);
    size_t ends[MAX_CP];
    if (w) {
        w->qn = decode(word, len, w->q, ends);
        w->maxd = maxd > FUZZY_MAX_DIST ? FUZZY_MAX_DIST : maxd;
        w->ea = ea_new(w->q, w->qn, w->maxd, MAX_CP, false);
        if (!surface && w->qn <= EA_BITS) w->dfa = dfa_new(w->q, w->qn, w->maxd);
        w->surface = surface;
        w->fn = fn;
        w->ctx = ctx;
    }
    sift_err rc = SIFT_OK;
    if (!w || !w->ea || (!surface && w->qn <= EA_BITS && !w->dfa)) rc = sift_fail(err, SIFT_ERR_NOMEM, "out of memory expanding a fuzzy word");
    if (!rc && keep_first && w->qn >= 1) {
        /* the words that start as typed, then those whose first two are swapped */
        size_t one = put_utf8(w->pfx, w->q[0]);
        w->plen = one;
        rc = walk_segments(idx, w, err);
        if (!rc && w->qn >= 2 && w->q[0] != w->q[1]) {
            w->plen = put_utf8(w->pfx, w->q[1]);
            w->plen += put_utf8(w->pfx + w->plen, w->q[0]);
            rc = walk_segments(idx, w, err);
        }
    } else if (!rc) {
        rc = walk_segments(idx, w, err);
    }
    if (w) ea_free(w->ea), dfa_free(w->dfa);
    free(w);
    return rc;
}

sift_err fuzzy_expand(const sift_index *idx, const char *term, size_t len, unsigned maxd, size_t cap,
                      struct strlist *terms, struct fuzzy_match **out, size_t *n, bool *capped,
                      sift_errmsg *err)
{
    *out = NULL;
    *n = 0;
    *capped = false;
    struct gathered g = { 0 };
    sift_err rc = fuzzy_walk(idx, false, term, len, maxd, false, add_match, &g, err);
    if (!rc && g.oom) rc = SIFT_ERR_NOMEM;
    if (!rc) rc = rank(&g, cap, terms, out, n, capped);
    if (rc == SIFT_ERR_NOMEM) sift_fail(err, rc, "out of memory expanding a fuzzy word");
    strlist_free(&g.terms);
    free(g.found);
    return rc;
}

sift_err fuzzy_rank_terms(const char *term, size_t len, unsigned maxd, const struct strlist *cands,
                          const uint64_t *dfs, size_t cap, struct strlist *terms, struct fuzzy_match **out,
                          size_t *n, bool *capped, sift_errmsg *err)
{
    *out = NULL;
    *n = 0;
    *capped = false;
    struct gathered g = { 0 };
    uint32_t cp[MAX_CP];
    size_t ends[MAX_CP], qn = decode(term, len, cp, ends), i = 0;
    for (const char *t = strlist_first(cands); t && i < cands->n && !g.oom; t = strlist_next(cands, t), i++) {
        size_t tl = strlen(t);
        unsigned dist = fuzzy_distance(t, tl, term, len, maxd);
        if (dist > maxd) continue;
        struct term_info ti = { .df = (uint32_t)dfs[i] };
        add_match(&g, t, tl, tl, dist, similarity(decode(t, tl, cp, ends), qn, dist), &ti);
    }
    sift_err rc = g.oom ? SIFT_ERR_NOMEM : rank(&g, cap, terms, out, n, capped);
    if (rc == SIFT_ERR_NOMEM) sift_fail(err, rc, "out of memory expanding a fuzzy word");
    strlist_free(&g.terms);
    free(g.found);
    return rc;
}

unsigned fuzzy_distance(const char *a, size_t an, const char *b, size_t bn, unsigned maxd)
{
    return fuzzy_distance_form(a, an, b, bn, maxd, false);
}

unsigned fuzzy_distance_form(const char *a, size_t an, const char *b, size_t bn, unsigned maxd,
                             bool rows)
{
    uint32_t q[MAX_CP], t[MAX_CP];
    size_t ends[MAX_CP], qn = decode(b, bn, q, ends), tn = decode(a, an, t, ends);
    struct edit_automaton *ea = ea_new(q, qn, maxd, tn, rows);
    if (!ea) return maxd + 1;
    for (size_t d = 1; d <= tn; d++) ea_step(ea, d, t[d - 1]);
    unsigned dist = ea_distance(ea, tn);
    ea_free(ea);
    return dist;
}
