/* snippet.c -- passage selection by a sliding window over the analyzed
 * text, then highlighting of the chosen passage from the same tokens: the
 * text is analyzed once (stemming is most of a snippet's cost). */
#include "snippet.h"

#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "analyzer.h"
#include "bytes.h"
#include "error.h"
#include "query.h"

/* A token of the text: where it is and what it matches. */
struct text_token {
    size_t start, end;
    int term;          /* index of the query term it matches, or -1 */
};

/* The window is the last w of the tokens kept so far. */
struct window {
    const struct highlight_term *terms;
    size_t nterms;
    size_t w;          /* window width in tokens */
    struct text_token *toks;   /* every token seen, count of them */
    size_t count, cap;
    uint32_t *in;      /* per query term: occurrences in the window */
    size_t distinct, matches;
    long best_score;
    size_t best_lo, best_hi;  /* first and last matching token of the best window */
    bool oom;
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
    if (w->count >= w->w) {   /* the token leaving the window */
        int old = w->toks[w->count - w->w].term;
        if (old >= 0) {
            w->matches--;
            if (--w->in[old] == 0) w->distinct--;
        }
    }
    if (w->count == w->cap) {
        size_t cap = w->cap ? 2 * w->cap : 256;
        struct text_token *nt = realloc(w->toks, cap * sizeof *nt);
        if (!nt) return w->oom = true;
        w->toks = nt;
        w->cap = cap;
    }
    int m = match(w->terms, w->nterms, t);
    w->toks[w->count++] = (struct text_token){ t->start, t->end, m };
    if (m < 0) return 0;
    w->matches++;
    if (w->in[m]++ == 0) w->distinct++;
    long score = (long)w->distinct * 1000 + (long)w->matches;
    if (score > w->best_score) {
        w->best_score = score;
        w->best_hi = w->count - 1;
        w->best_lo = w->count > w->w ? w->count - w->w : 0;
        while (w->toks[w->best_lo].term < 0) w->best_lo++;   /* stops at best_hi at the latest */
    }
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

/* The passage of tokens [lo, hi], text[start, end), with the matching
 * tokens wrapped in open / close. */
static bool put_passage(struct buf *o, const char *text, const struct text_token *toks, size_t lo,
                        size_t hi, size_t start, size_t end, const char *open, const char *close)
{
    bool space = false;
    size_t done = start;
    for (size_t k = lo; k <= hi; k++) {
        const struct text_token *t = &toks[k];
        if (t->term < 0) continue;
        if (!put_sanitized(o, text + done, t->start - done, &space)) return false;
        if (space && o->len && !buf_append(o, " ", 1)) return false;
        space = false;
        if (!buf_append(o, open, strlen(open)) ||
            !put_sanitized(o, text + t->start, t->end - t->start, &space) ||
            !buf_append(o, close, strlen(close)))
            return false;
        done = t->end;
    }
    return put_sanitized(o, text + done, end - done, &space);
}

sift_err snippet_make(struct analyzer *an, const char *text, size_t len,
                      const struct highlight_term *terms, size_t nterms,
                      const sift_snippet_options *opts, char **out, sift_errmsg *err)
{
    *out = NULL;
    size_t width = opts && opts->max_tokens ? opts->max_tokens : 32;
    struct window w = { .terms = terms, .nterms = nterms, .w = width, .best_score = -1 };
    w.in = calloc(nterms ? nterms : 1, sizeof *w.in);
    struct buf o = { 0 };
    if (!w.in) goto oom;
    /* a word can only match a stem that starts as it does: the others
     * need not be stemmed (when the stemmer keeps first bytes) */
    bool firsts[256] = { false };
    bool filter = true;
    for (size_t i = 0; i < nterms && filter; i++) {
        if (terms[i].len) firsts[(unsigned char)terms[i].term[0]] = true;
        else filter = false;   /* an empty prefix matches every word */
    }
    analyzer_set_stem_filter(an, filter ? firsts : NULL);
    analyzer_run(an, text, len, 0, on_token, &w, NULL);
    analyzer_set_stem_filter(an, NULL);
    if (w.oom) goto oom;
    if (w.count) {
        /* centre the window on the matches it holds */
        size_t lo = 0;
        if (w.best_score >= 0) {
            size_t centre = (w.best_lo + w.best_hi) / 2;
            lo = centre > width / 2 ? centre - width / 2 : 0;
        }
        if (lo + width > w.count) lo = w.count > width ? w.count - width : 0;
        size_t hi = lo + width - 1 < w.count ? lo + width - 1 : w.count - 1;
        /* the last token keeps the closing punctuation */
        size_t end = hi + 1 == w.count ? len : w.toks[hi].end;
        const char *open = opts && opts->open ? opts->open : "";
        const char *close = opts && opts->close ? opts->close : "";
        if (lo > 0 && !buf_append(&o, "... ", 4)) goto oom;
        if (!put_passage(&o, text, w.toks, lo, hi, w.toks[lo].start, end, open, close)) goto oom;
        if (hi + 1 < w.count && !buf_append(&o, " ...", 4)) goto oom;
    }
    if (!buf_append(&o, "", 1)) goto oom;
    free(w.in);
    free(w.toks);
    *out = (char *)o.data;
    return SIFT_OK;
oom:
    free(w.in);
    free(w.toks);
    buf_free(&o);
    return sift_fail(err, SIFT_ERR_NOMEM, "out of memory making a snippet");
}
