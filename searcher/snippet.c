/* snippet.c -- passage selection by a sliding window over the analyzed
 * text, then highlighting by analyzing the chosen passage again. */
#include "snippet.h"

#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "analyzer.h"
#include "bytes.h"
#include "error.h"
#include "query.h"

struct win_token {
    size_t idx;        /* token number in the text */
    int term;          /* index of the query term it matches, or -1 */
};

struct window {
    const struct highlight_term *terms;
    size_t nterms;
    struct win_token *ring;
    size_t w, count;   /* ring size, tokens seen */
    uint32_t *in;      /* per query term: occurrences in the window */
    size_t distinct, matches;
    long best_score;
    size_t best_lo, best_hi;  /* first and last matching token of the best window */
};

static int match(const struct highlight_term *terms, size_t n, const struct token *t)
{
    for (size_t i = 0; i < n; i++) {
        bool hit = terms[i].prefix ? terms[i].len <= t->len && !memcmp(terms[i].term, t->term, terms[i].len)
                                   : terms[i].len == t->len && !memcmp(terms[i].term, t->term, t->len);
        if (hit) return (int)i;
    }
    return -1;
}

static int on_token(void *ctx, const struct token *t)
{
    struct window *w = ctx;
    size_t slot = w->count % w->w;
    if (w->count >= w->w) {
        int old = w->ring[slot].term;
        if (old >= 0) {
            w->matches--;
            if (--w->in[old] == 0) w->distinct--;
        }
    }
    int m = match(w->terms, w->nterms, t);
    w->ring[slot] = (struct win_token){ w->count, m };
    w->count++;
    if (m < 0) return 0;
    w->matches++;
    if (w->in[m]++ == 0) w->distinct++;
    long score = (long)w->distinct * 1000 + (long)w->matches;
    if (score > w->best_score) {
        size_t n = w->count < w->w ? w->count : w->w;
        w->best_score = score;
        w->best_hi = w->count - 1;
        w->best_lo = w->best_hi;
        for (size_t k = 0; k < n; k++) {
            const struct win_token *e = &w->ring[(w->count - n + k) % w->w];
            if (e->term >= 0) {
                w->best_lo = e->idx;
                break;
            }
        }
    }
    return 0;
}

/* Second pass: the byte range of tokens [lo, hi]. */
struct span {
    size_t lo, hi, idx;
    size_t start, end;
};

static int on_span(void *ctx, const struct token *t)
{
    struct span *s = ctx;
    if (s->idx == s->lo) s->start = t->start;
    if (s->idx == s->hi) {
        s->end = t->end;
        return 1;
    }
    s->idx++;
    return 0;
}

/* ------------------------------------------------------------- output */

static bool put_sanitized(struct buf *o, const char *text, size_t len, bool *space)
{
    for (size_t i = 0; i < len;) {
        unsigned char c = (unsigned char)text[i];
        if (c < 0x80) {
            i++;
            if (c < 0x20 || c == 0x7f || c == ' ') {
                *space = true;
                continue;
            }
            if (*space && o->len && !buf_append(o, " ", 1)) return false;
            *space = false;
            if (!buf_append(o, &c, 1)) return false;
            continue;
        }
        utf8proc_int32_t cp;
        utf8proc_ssize_t n = utf8proc_iterate((const utf8proc_uint8_t *)text + i,
                                              (utf8proc_ssize_t)(len - i), &cp);
        if (n <= 0) {
            cp = 0xFFFD;
            n = 1;
        }
        utf8proc_category_t cat = utf8proc_category(cp);
        if (cat == UTF8PROC_CATEGORY_CC || cat == UTF8PROC_CATEGORY_ZS ||
            cat == UTF8PROC_CATEGORY_ZL || cat == UTF8PROC_CATEGORY_ZP) {
            *space = true;
            i += (size_t)n;
            continue;
        }
        if (*space && o->len && !buf_append(o, " ", 1)) return false;
        *space = false;
        uint8_t enc[4];
        utf8proc_ssize_t k = utf8proc_encode_char(cp, enc);
        if (!buf_append(o, enc, (size_t)k)) return false;
        i += (size_t)n;
    }
    return true;
}

char *text_sanitize(const char *text, size_t len)
{
    struct buf o = { 0 };
    bool space = false;
    if (!put_sanitized(&o, text, len, &space) || !buf_append(&o, "", 1)) {
        buf_free(&o);
        return NULL;
    }
    return (char *)o.data;
}

struct highlight {
    const char *text;
    size_t base, done;   /* passage start; bytes of the passage copied */
    const struct highlight_term *terms;
    size_t nterms;
    const char *open, *close;
    struct buf *o;
    bool space, oom;
};

static int on_highlight(void *ctx, const struct token *t)
{
    struct highlight *h = ctx;
    if (match(h->terms, h->nterms, t) < 0) return 0;
    if (!put_sanitized(h->o, h->text + h->base + h->done, t->start - h->done, &h->space))
        return h->oom = true;
    if (h->space && h->o->len && !buf_append(h->o, " ", 1)) return h->oom = true;
    h->space = false;
    if (!buf_append(h->o, h->open, strlen(h->open)) ||
        !put_sanitized(h->o, h->text + h->base + t->start, t->end - t->start, &h->space) ||
        !buf_append(h->o, h->close, strlen(h->close)))
        return h->oom = true;
    h->done = t->end;
    return 0;
}

sift_err snippet_make(struct analyzer *an, const char *text, size_t len,
                      const struct highlight_term *terms, size_t nterms,
                      const sift_snippet_options *opts, char **out, sift_errmsg *err)
{
    *out = NULL;
    size_t width = opts && opts->max_tokens ? opts->max_tokens : 32;
    struct window w = { terms, nterms, NULL, width, 0, NULL, 0, 0, -1, 0, 0 };
    w.ring = malloc(width * sizeof *w.ring);
    w.in = calloc(nterms ? nterms : 1, sizeof *w.in);
    struct buf o = { 0 };
    if (!w.ring || !w.in) goto oom;
    analyzer_run(an, text, len, 0, on_token, &w, NULL);
    if (w.count) {
        /* centre the window on the matches it holds */
        size_t lo = 0;
        if (w.best_score >= 0) {
            size_t centre = (w.best_lo + w.best_hi) / 2;
            lo = centre > width / 2 ? centre - width / 2 : 0;
        }
        if (lo + width > w.count) lo = w.count > width ? w.count - width : 0;
        size_t hi = lo + width - 1 < w.count ? lo + width - 1 : w.count - 1;
        struct span sp = { lo, hi, 0, 0, len };
        analyzer_run(an, text, len, 0, on_span, &sp, NULL);
        if (hi + 1 == w.count) sp.end = len;   /* keep the closing punctuation */
        const char *open = opts && opts->open ? opts->open : "";
        const char *close = opts && opts->close ? opts->close : "";
        struct highlight h = { text, sp.start, 0, terms, nterms, open, close, &o, false, false };
        if (lo > 0 && !buf_append(&o, "... ", 4)) goto oom;
        analyzer_run(an, text + sp.start, sp.end - sp.start, 0, on_highlight, &h, NULL);
        if (h.oom) goto oom;
        bool space = false;
        if (!put_sanitized(&o, text + sp.start + h.done, sp.end - sp.start - h.done, &space))
            goto oom;
        if (hi + 1 < w.count && !buf_append(&o, " ...", 4)) goto oom;
    }
    if (!buf_append(&o, "", 1)) goto oom;
    free(w.ring);
    free(w.in);
    *out = (char *)o.data;
    return SIFT_OK;
oom:
    free(w.ring);
    free(w.in);
    buf_free(&o);
    return sift_fail(err, SIFT_ERR_NOMEM, "out of memory making a snippet");
}
