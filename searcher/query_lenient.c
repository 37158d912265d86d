/* query_lenient.c -- anything typed is a query (docs/QUERY.md, "Lenient
 * reading").
 *
 * A query is first read exactly. When that fails on its syntax, the byte
 * or the word the error points at is repaired in a copy and the copy is
 * read again: a stray bracket or quote is dropped, a 'word:' that names no
 * field becomes the word, an operator with nothing to apply to is dropped,
 * a query of only exclusions excludes from every document, a range written
 * backwards has its bounds swapped. Each repair
 * blanks at least one byte, so this ends; after a bounded number of them
 * the query is read as plain words (SIFT_QUERY_LITERAL). What was done is
 * said in the query's warning, with the first error the exact reading
 * gave. Errors that are not about syntax (no searchable words, too many
 * terms, a corrupt dictionary, memory) stay errors. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "query.h"
#include "query_syntax.h"

#define MAX_REPAIRS 32

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

static bool is_bracket(char c) { return c && strchr("()[]{}\"", c) != NULL; }

/* Unmatched '(' before column at: 0 at the top level. */
static int depth_at(const char *s, size_t at)
{
    int d = 0;
    bool quoted = false;
    for (size_t i = 0; i < at; i++) {
        if (s[i] == '"') quoted = !quoted;
        else if (!quoted && s[i] == '(') d++;
        else if (!quoted && s[i] == ')' && d > 0) d--;
    }
    return d;
}

/* FIELD:[lo TO hi] from column at on, its bounds swapped in place: a range
 * written backwards means the range. */
static bool swap_bounds(char *s, size_t n, size_t at)
{
    size_t open = at;
    while (open < n && s[open] != '[' && s[open] != '{') open++;
    size_t lo = open + 1;
    while (lo < n && is_space(s[lo])) lo++;
    size_t lo_end = lo;
    while (lo_end < n && !is_space(s[lo_end])) lo_end++;
    size_t to = lo_end;
    while (to < n && is_space(s[to])) to++;
    if (open >= n || lo == lo_end || to + 2 > n || strncmp(s + to, "TO", 2)) return false;
    size_t hi = to + 2;
    while (hi < n && is_space(s[hi])) hi++;
    size_t hi_end = hi;
    while (hi_end < n && !is_space(s[hi_end]) && s[hi_end] != ']' && s[hi_end] != '}') hi_end++;
    if (hi == hi_end) return false;
    size_t span = hi_end - lo;
    char *t = malloc(span);
    if (!t) return false;
    size_t k = 0;
    memcpy(t + k, s + hi, hi_end - hi), k += hi_end - hi;
    memcpy(t + k, s + lo_end, hi - lo_end), k += hi - lo_end;
    memcpy(t + k, s + lo, lo_end - lo);
    memcpy(s + lo, t, span);
    free(t);
    size_t close = hi_end;   /* each end keeps its bound's inclusion: {5 TO 1] is [1 TO 5} */
    while (close < n && is_space(s[close])) close++;
    if (close < n && (s[close] == ']' || s[close] == '}')) {
        bool open_excl = s[open] == '{', close_excl = s[close] == '}';
        s[open] = close_excl ? '{' : '[';
        s[close] = open_excl ? '}' : ']';
    }
    return true;
}

/* Repair *s (length *n, room for 2 more bytes) where the exact reading
 * failed at column at for the reason why; false when nothing is left to
 * repair there. */
static bool repair(char *s, size_t *n, size_t at, const char *why)
{
    if (!strncmp(why, "the range's start is after its end", 35)) return swap_bounds(s, *n, at);
    while (at > 0 && (at >= *n || is_space(s[at]))) at--;   /* an error at the end: the last word */
    if (at >= *n || is_space(s[at])) return false;
    if (!strncmp(why, "only exclusions", 15) && depth_at(s, at) == 0) {
        memmove(s + 2, s, *n + 1);   /* "-a -b": every document but those */
        s[0] = '*';
        s[1] = ' ';
        *n += 2;
        return true;
    }
    if (is_bracket(s[at])) {
        s[at] = ' ';
        return true;
    }
    size_t a = at, b = at;   /* the word around the column */
    while (a > 0 && !is_space(s[a - 1]) && !is_bracket(s[a - 1])) a--;
    while (b < *n && !is_space(s[b]) && !is_bracket(s[b])) b++;
    char *colon = memchr(s + a, ':', b - a);
    if (colon) {   /* FIELD:value that cannot be read as one: two words */
        *colon = ' ';
        return true;
    }
    if (strchr("+-~*^<>=/!", s[at])) {   /* an operator with nothing to apply to */
        s[at] = ' ';
        return true;
    }
    memset(s + a, ' ', b - a);   /* an operator word (AND, OR, NOT, NEAR/x) out of place */
    return true;
}

/* text with runs of spaces made one, trimmed, into out (n > 5 bytes),
 * "..." at its end when cut. */
static void shown(const char *text, char *out, size_t n)
{
    size_t o = 0;
    bool gap = false;
    const char *c = text;
    for (; *c && o + 5 < n; c++) {   /* room for a space, a byte, "..." and the NUL */
        if (is_space(*c)) {
            gap = o > 0;
            continue;
        }
        if (gap) out[o++] = ' ';
        gap = false;
        out[o++] = *c;
    }
    while (is_space(*c)) c++;
    if (*c) memcpy(out + o, "...", 3), o += 3;
    out[o] = 0;
}

static void set_warning(sift_query *q, const char *how, const char *fixed, size_t at, const char *why,
                        unsigned repairs)
{
    char text[160], more[32] = "", all[640];
    shown(fixed, text, sizeof text);
    if (repairs > 1) snprintf(more, sizeof more, "; %u changes in all", repairs);
    /* the reading's own warning (a capped prefix) goes last */
    int len = snprintf(all, sizeof all, "%s: %s (column %zu: %s%s)%s%s", how, text, at + 1, why, more,
                       q->warning[0] ? "; " : "", q->warning);
    size_t keep = len < 0 ? 0 : (size_t)len < sizeof q->warning ? (size_t)len : sizeof q->warning - 1;
    memcpy(q->warning, all, keep);
    q->warning[keep] = 0;
}

static sift_err read_leniently(const sift_index *idx, const char *text, unsigned flags,
                               struct stats_link *link, sift_query **out, sift_errmsg *err,
                               const sift_errmsg *first)
{
    size_t at0;
    char why0[200];
    if (!query_error_where(first->msg, &at0, why0, sizeof why0)) {
        if (err) *err = *first;
        return SIFT_ERR_QUERY;   /* not about the syntax: no repair helps */
    }
    size_t n = strlen(text);
    char *s = malloc(n + 2 * MAX_REPAIRS + 1);
    if (!s) return sift_fail(err, SIFT_ERR_NOMEM, "out of memory parsing the query");
    memcpy(s, text, n + 1);
    size_t at = at0;
    char why[200];
    snprintf(why, sizeof why, "%s", why0);
    sift_errmsg e;
    sift_err rc = SIFT_ERR_QUERY;
    unsigned repairs = 0;
    while (repairs < MAX_REPAIRS && repair(s, &n, at, why)) {
        repairs++;
        rc = query_parse_exact(idx, s, flags, link, out, &e);
        if (rc != SIFT_ERR_QUERY || !query_error_where(e.msg, &at, why, sizeof why)) break;
    }
    if (rc == SIFT_OK) {
        set_warning(*out, "query read as", s, at0, why0, repairs);
    } else if (rc == SIFT_ERR_QUERY) {   /* beyond repair: the words as they are */
        rc = query_parse_exact(idx, text, flags | SIFT_QUERY_LITERAL, link, out, &e);
        if (!rc) set_warning(*out, "query read as plain words", text, at0, why0, 1);
        else if (err) *err = rc == SIFT_ERR_QUERY ? *first : e;
    } else if (err) {
        *err = e;
    }
    free(s);
    return rc;
}

static sift_err read_any(const sift_index *idx, const char *text, unsigned flags, struct stats_link *link,
                         sift_query **out, sift_errmsg *err)
{
    if (flags & (SIFT_QUERY_STRICT | SIFT_QUERY_LITERAL))
        return query_parse_exact(idx, text, flags, link, out, err);
    sift_errmsg first;
    sift_err rc = query_parse_exact(idx, text, flags, link, out, &first);
    if (rc == SIFT_ERR_QUERY) return read_leniently(idx, text, flags, link, out, err, &first);
    if (rc && err) *err = first;
    return rc;
}

sift_err query_parse_linked(const sift_index *idx, const char *text, unsigned flags, struct stats_link *link,
                            sift_query **out, sift_errmsg *err)
{
    *out = NULL;
    sift_err rc = read_any(idx, text, flags, link, out, err);
    if (rc) return rc;
    (*out)->flags = flags;   /* the query as given, for a second reading (feedback.c) */
    if (!((*out)->text = strdup(text))) {
        sift_query_free(*out);
        *out = NULL;
        return sift_fail(err, SIFT_ERR_NOMEM, "out of memory");
    }
    return SIFT_OK;
}

sift_err sift_query_parse_flags(const sift_index *idx, const char *text, unsigned flags,
                                sift_query **out, sift_errmsg *err)
{
    return query_parse_linked(idx, text, flags, NULL, out, err);
}

sift_err sift_query_parse(const sift_index *idx, const char *text, sift_query **out,
                          sift_errmsg *err)
{
    return sift_query_parse_flags(idx, text, 0, out, err);
}
