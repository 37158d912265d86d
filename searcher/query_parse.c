/* query_parse.c -- the query language's grammar (docs/QUERY.md): text to
 * the syntax tree of query_syntax.h. Nothing here knows an index or an
 * analyzer; what the words mean is decided by binding (query_bind.c).
 *
 * Recursive descent over the bytes of the query:
 *   query   := or EOF
 *   or      := and ( [OR] and )*          juxtaposition is OR (AND with SIFT_QUERY_ALL)
 *   and     := unary ( AND unary )*
 *   unary   := ('+' | '-' | NOT) primary | primary
 *   primary := '(' or ')' | '"' words '"' ['~' N] | [O]NEAR/N '(' words ')'
 *            | FIELD ':' primary | FIELD ':' range | word | word '*' | word '~' [N] | '*' | '*:*'
 *   range   := ('[' | '{') bound TO bound (']' | '}') | ('>=' | '>' | '<=' | '<') word
 * Errors carry the column they were found at; only the first is kept.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "query_syntax.h"

struct parser {
    const char *s;
    size_t len, pos;
    unsigned flags;
    int depth;
    sift_err rc;
    sift_errmsg *err;
};

static bool failed(const struct parser *p) { return p->rc != SIFT_OK; }

sift_err query_error_vat(sift_errmsg *err, const char *text, size_t len, size_t at,
                         const char *fmt, va_list ap)
{
    if (!err) return SIFT_ERR_QUERY;
    char why[200];
    vsnprintf(why, sizeof why, fmt, ap);
    /* show at most 60 bytes around the column, on one line */
    size_t start = at > 40 ? at - 40 : 0, end = start + 60 < len ? start + 60 : len;
    char shown[64];
    size_t n = 0;
    for (size_t i = start; i < end; i++) {
        unsigned char c = (unsigned char)text[i];
        shown[n++] = c < 0x20 || c == 0x7f ? ' ' : (char)c;
    }
    shown[n] = 0;
    int caret = (int)(at - start);
    snprintf(err->msg, sizeof err->msg, "query error at column %zu: %s\n  %s\n  %*s^", at + 1, why,
             shown, caret, "");
    return SIFT_ERR_QUERY;
}

bool query_error_where(const char *msg, size_t *at, char *why, size_t n)
{
    static const char head[] = "query error at column ";
    if (strncmp(msg, head, sizeof head - 1)) return false;
    char *end;
    unsigned long col = strtoul(msg + sizeof head - 1, &end, 10);
    if (col == 0 || strncmp(end, ": ", 2)) return false;
    const char *r = end + 2, *nl = strchr(r, '\n');
    size_t len = nl ? (size_t)(nl - r) : strlen(r);
    snprintf(why, n, "%.*s", (int)len, r);
    *at = col - 1;
    return true;
}

static void fail_at(struct parser *p, size_t at, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void fail_at(struct parser *p, size_t at, const char *fmt, ...)
{
    if (failed(p)) return;
    va_list ap;
    va_start(ap, fmt);
    p->rc = query_error_vat(p->err, p->s, p->len, at, fmt, ap);
    va_end(ap);
}

static void oom(struct parser *p)
{
    if (failed(p)) return;
    p->rc = sift_fail(p->err, SIFT_ERR_NOMEM, "out of memory parsing the query");
}

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

static void skip_space(struct parser *p)
{
    while (p->pos < p->len && is_space(p->s[p->pos])) p->pos++;
}

/* Whether a bare keyword (AND, OR, NOT) starts at pos. */
static bool at_keyword(const struct parser *p, const char *kw)
{
    size_t n = strlen(kw);
    if (p->pos + n > p->len || memcmp(p->s + p->pos, kw, n) != 0) return false;
    return p->pos + n == p->len || is_space(p->s[p->pos + n]) || p->s[p->pos + n] == '(' ||
           p->s[p->pos + n] == '"';
}

static bool word_char(char c) { return !is_space(c) && c != '(' && c != ')' && c != '"'; }

/* ------------------------------------------------------------- nodes */

static void syn_free(struct syn *n)
{
    if (!n) return;
    for (size_t i = 0; i < n->nkids; i++) syn_free(n->kids[i].node);
    free(n->kids);
    free(n);
}

static struct syn *node_new(struct parser *p, enum syn_kind kind, size_t at, size_t start,
                            size_t end)
{
    struct syn *n = calloc(1, sizeof *n);
    if (!n) {
        oom(p);
        return NULL;
    }
    n->kind = kind;
    n->at = at;
    n->text = p->s + start;
    n->len = end - start;
    return n;
}

static bool push_clause(struct parser *p, struct syn *g, struct syn_clause c)
{
    if (g->nkids == g->capkids) {
        size_t cap = g->capkids ? g->capkids * 2 : 4;
        struct syn_clause *k = realloc(g->kids, cap * sizeof *k);
        if (!k) {
            syn_free(c.node);
            oom(p);
            return false;
        }
        g->kids = k;
        g->capkids = cap;
    }
    g->kids[g->nkids++] = c;
    return true;
}

/* ------------------------------------------------------------ grammar */

static struct syn *parse_or(struct parser *p);

static uint32_t parse_number(struct parser *p, const char *what)
{
    size_t start = p->pos;
    uint64_t v = 0;
    while (p->pos < p->len && p->s[p->pos] >= '0' && p->s[p->pos] <= '9') {
        v = v * 10 + (uint64_t)(p->s[p->pos] - '0');
        if (v > QUERY_MAX_DIST) {
            fail_at(p, start, "%s is larger than %d", what, QUERY_MAX_DIST);
            return 0;
        }
        p->pos++;
    }
    if (p->pos == start) fail_at(p, start, "%s needs a number here", what);
    return (uint32_t)v;
}

static struct syn *parse_phrase(struct parser *p)
{
    size_t open = p->pos++;
    const char *close = memchr(p->s + p->pos, '"', p->len - p->pos);
    if (!close) {
        fail_at(p, open, "unbalanced quote: this '\"' is never closed");
        return NULL;
    }
    size_t start = p->pos, end = (size_t)(close - p->s);
    p->pos = end + 1;
    uint32_t slop = 0;
    if (p->pos < p->len && p->s[p->pos] == '~') {
        p->pos++;
        slop = parse_number(p, "'~' (the slop)");
    }
    struct syn *n = failed(p) ? NULL : node_new(p, SYN_PHRASE, open, start, end);
    if (n) n->dist = slop;
    return n;
}

static struct syn *parse_near(struct parser *p, bool ordered)
{
    size_t at = p->pos;
    p->pos += ordered ? 5 : 4;
    const char *name = ordered ? "ONEAR" : "NEAR";
    if (p->pos >= p->len || p->s[p->pos] != '/') {
        fail_at(p, at, "%s needs a distance, like %s/5(a b)", name, name);
        return NULL;
    }
    p->pos++;
    uint32_t dist = parse_number(p, name);
    if (failed(p)) return NULL;
    if (p->pos >= p->len || p->s[p->pos] != '(') {
        fail_at(p, p->pos, "%s/%u must be followed by '(' and its words", name, dist);
        return NULL;
    }
    size_t open = p->pos++;
    size_t start = p->pos;
    while (p->pos < p->len && p->s[p->pos] != ')') {
        if (p->s[p->pos] == '(' || p->s[p->pos] == '"') {
            fail_at(p, p->pos, "%s takes plain words, not groups or phrases", name);
            return NULL;
        }
        p->pos++;
    }
    if (p->pos >= p->len) {
        fail_at(p, open, "unbalanced '(': %s( is never closed", name);
        return NULL;
    }
    size_t end = p->pos++;
    struct syn *n = node_new(p, SYN_NEAR, at, start, end);
    if (n) {
        n->dist = dist;
        n->ordered = ordered;
    }
    return n;
}

static struct syn *parse_primary(struct parser *p);

/* FIELD:[lo TO hi] (brackets include the bound, braces leave it out; *
 * for an open end). */
static struct syn *parse_range(struct parser *p)
{
    size_t open = p->pos++;
    size_t end = p->pos;
    while (end < p->len && p->s[end] != ']' && p->s[end] != '}') end++;
    if (end >= p->len) {
        fail_at(p, open, "unbalanced '%c': a range is [FROM TO TO]", p->s[open]);
        return NULL;
    }
    const char *in = p->s + p->pos;
    size_t inlen = end - p->pos, to = 0;
    while (to + 4 <= inlen && !(is_space(in[to]) && !memcmp(in + to + 1, "TO", 2) && is_space(in[to + 3]))) to++;
    if (to + 4 > inlen) {
        fail_at(p, open, "a range needs TO between its bounds, as in [2023-01-01 TO 2023-06-30]");
        return NULL;
    }
    size_t lo = 0, lo_end = to, hi = to + 4, hi_end = inlen;
    while (lo < lo_end && is_space(in[lo])) lo++;
    while (lo_end > lo && is_space(in[lo_end - 1])) lo_end--;
    while (hi < hi_end && is_space(in[hi])) hi++;
    while (hi_end > hi && is_space(in[hi_end - 1])) hi_end--;
    if (lo == lo_end || hi == hi_end) {
        fail_at(p, open, "a range bound is missing (use * for an open end)");
        return NULL;
    }
    struct syn *n = node_new(p, SYN_RANGE, open, (size_t)(in - p->s) + lo, (size_t)(in - p->s) + lo_end);
    if (!n) return NULL;
    n->hi = in + hi;
    n->hi_len = hi_end - hi;
    n->lo_incl = p->s[open] == '[';
    n->hi_incl = p->s[end] == ']';
    p->pos = end + 1;
    return n;
}

/* FIELD:>=v, >v, <=v, <v */
static struct syn *parse_compare(struct parser *p)
{
    size_t at = p->pos;
    bool greater = p->s[p->pos] == '>';
    p->pos++;
    bool eq = p->pos < p->len && p->s[p->pos] == '=';
    if (eq) p->pos++;
    size_t start = p->pos;
    while (p->pos < p->len && word_char(p->s[p->pos])) p->pos++;
    if (p->pos == start) {
        fail_at(p, at, "'%s' needs a value after it", greater ? (eq ? ">=" : ">") : (eq ? "<=" : "<"));
        return NULL;
    }
    struct syn *n = node_new(p, SYN_RANGE, at, start, p->pos);
    if (!n) return NULL;
    if (!greater) {   /* the bound written is the high one */
        n->hi = n->text;
        n->hi_len = n->len;
        n->text = NULL;
        n->len = 0;
        n->hi_incl = eq;
        n->lo_incl = true;
    } else {
        n->hi = NULL;
        n->hi_len = 0;
        n->lo_incl = eq;
        n->hi_incl = true;
    }
    return n;
}

/* FIELD ':' primary or range: binding decides whether the index has such
 * a field and what its values are. */
static struct syn *parse_fielded(struct parser *p, size_t start, size_t flen)
{
    const char *w = p->s + start;
    p->pos = start + flen + 1;
    if (p->pos >= p->len || is_space(p->s[p->pos]) || p->s[p->pos] == ')') {
        fail_at(p, start, "'%.*s:' needs a word, phrase or group after it", (int)flen, w);
        return NULL;
    }
    char c = p->s[p->pos];
    struct syn *n = c == '[' || c == '{' ? parse_range(p) : c == '>' || c == '<' ? parse_compare(p)
                                                                              : parse_primary(p);
    if (n && !n->field) {   /* an inner field wins: title:text:x is text:x */
        n->field = w;
        n->field_len = flen;
    }
    return n;
}

/* word~ or word~N (N 0 to 2; ~ alone is 2): the terms within N edits. */
static struct syn *parse_fuzzy(struct parser *p, size_t start, size_t wlen)
{
    size_t tilde = start + wlen, end = p->pos, i = tilde + 1;
    unsigned dist = 2;
    if (i < end) {
        dist = 0;
        for (; i < end && p->s[i] >= '0' && p->s[i] <= '9' && dist <= 9; i++) dist = dist * 10 + (unsigned)(p->s[i] - '0');
    }
    if (!wlen || (wlen == 1 && p->s[start] == '*')) {
        fail_at(p, tilde, "'~' applies to a word (cloud~1) or a phrase (\"a b\"~2)");
        return NULL;
    }
    if (i < end) {
        fail_at(p, i, "a fuzzy word ends with '~' and a distance, as cloud~1");
        return NULL;
    }
    if (dist > 2) {
        fail_at(p, tilde, "a fuzzy word's distance is 0, 1 or 2 (Lucene's limit)");
        return NULL;
    }
    struct syn *n = node_new(p, SYN_FUZZY, start, start, tilde);
    if (n) n->dist = dist;
    return n;
}

static struct syn *parse_word(struct parser *p)
{
    size_t start = p->pos;
    while (p->pos < p->len && word_char(p->s[p->pos])) p->pos++;
    const char *w = p->s + start;
    size_t len = p->pos - start;
    if ((len == 1 && *w == '*') || (len == 3 && !memcmp(w, "*:*", 3)))
        return node_new(p, SYN_ALL, start, start, p->pos);
    const char *colon = memchr(w, ':', len);
    if (colon && colon > w) {
        size_t flen = (size_t)(colon - w);
        bool name = true;   /* a letter, then letters, digits or '_' */
        for (size_t i = 0; i < flen; i++) {
            char c = w[i];
            name &= (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                    (i && ((c >= '0' && c <= '9') || c == '_'));
        }
        if (name) return parse_fielded(p, start, flen);
    }
    const char *tilde = memchr(w, '~', len);
    if (tilde) return parse_fuzzy(p, start, (size_t)(tilde - w));
    if (len && w[len - 1] == '*') return node_new(p, SYN_PREFIX, start, start, p->pos - 1);
    return node_new(p, SYN_WORD, start, start, p->pos);
}

static bool at_near(const struct parser *p, bool ordered)
{
    const char *kw = ordered ? "ONEAR" : "NEAR";
    size_t n = strlen(kw);
    return p->pos + n < p->len && !memcmp(p->s + p->pos, kw, n) &&
           (p->s[p->pos + n] == '/' || p->s[p->pos + n] == '(');
}

static struct syn *parse_group(struct parser *p)
{
    size_t open = p->pos++;
    if (++p->depth > QUERY_MAX_DEPTH) {
        fail_at(p, open, "parentheses nested deeper than %d", QUERY_MAX_DEPTH);
        return NULL;
    }
    skip_space(p);
    if (p->pos < p->len && p->s[p->pos] == ')') {
        fail_at(p, open, "empty parentheses");
        return NULL;
    }
    struct syn *n = parse_or(p);
    p->depth--;
    if (!failed(p) && (p->pos >= p->len || p->s[p->pos] != ')'))
        fail_at(p, open, "unbalanced '(': it is never closed");
    if (failed(p)) {
        syn_free(n);
        return NULL;
    }
    p->pos++;
    n->at = open;
    return n;
}

static struct syn *parse_primary(struct parser *p)
{
    char c = p->s[p->pos];
    if (c == '(') return parse_group(p);
    if (c == ')') {
        fail_at(p, p->pos, "unbalanced ')': nothing opened it");
        return NULL;
    }
    if (c == '"') return parse_phrase(p);
    if (at_near(p, false)) return parse_near(p, false);
    if (at_near(p, true)) return parse_near(p, true);
    return parse_word(p);
}

static struct syn_clause parse_unary(struct parser *p)
{
    struct syn_clause c = { NULL, SYN_PLAIN, p->pos };
    char ch = p->s[p->pos];
    if ((ch == '+' || ch == '-') && p->pos + 1 < p->len && !is_space(p->s[p->pos + 1])) {
        c.mod = ch == '+' ? SYN_MUST : SYN_NOT;
        p->pos++;
        if (p->s[p->pos] == '+' || p->s[p->pos] == '-') {
            fail_at(p, p->pos, "two operators in a row");
            return c;
        }
    } else if (at_keyword(p, "NOT")) {
        c.mod = SYN_NOT;
        p->pos += 3;
        skip_space(p);
        if (p->pos >= p->len || p->s[p->pos] == ')' || at_keyword(p, "AND") || at_keyword(p, "OR")) {
            fail_at(p, c.at, "NOT needs something to exclude after it");
            return c;
        }
    } else if (ch == '+' || ch == '-') {
        /* a lone + or - separated by space is punctuation */
        p->pos++;
        return c;
    }
    c.node = parse_primary(p);
    return c;
}

static bool at_group_end(struct parser *p)
{
    skip_space(p);
    return p->pos >= p->len || p->s[p->pos] == ')';
}

/* Step over the binary operator kw at pos; false (with the error) when
 * nothing follows it. */
static bool take_operator(struct parser *p, const char *kw)
{
    size_t at = p->pos;
    p->pos += strlen(kw);
    if (at_group_end(p) || at_keyword(p, "AND") || at_keyword(p, "OR")) {
        fail_at(p, at, "%s needs something on its right", kw);
        return false;
    }
    return true;
}

/* and := unary ( AND unary )*: one clause, a single unary as it is, or
 * an AND group when AND (or, with SIFT_QUERY_ALL, juxtaposition) joined
 * several. */
static struct syn_clause parse_and(struct parser *p)
{
    struct syn_clause r = { NULL, SYN_PLAIN, p->pos };
    struct syn *g = node_new(p, SYN_GROUP, p->pos, p->pos, p->pos);
    if (!g) return r;
    g->and_group = true;
    bool all = p->flags & SIFT_QUERY_ALL;
    for (;;) {
        struct syn_clause c = parse_unary(p);
        if (failed(p)) {
            syn_free(c.node);
            break;
        }
        if (!push_clause(p, g, c)) break;
        if (at_group_end(p)) break;
        if (at_keyword(p, "AND")) {
            if (!take_operator(p, "AND")) break;
            continue;
        }
        if (at_keyword(p, "OR") || !all) break;
    }
    if (failed(p)) {
        syn_free(g);
    } else if (g->nkids == 1) {
        r = g->kids[0];
        g->nkids = 0;
        syn_free(g);
    } else {
        r.node = g;
    }
    return r;
}

static struct syn *parse_or(struct parser *p)
{
    skip_space(p);
    if (at_keyword(p, "OR") || at_keyword(p, "AND")) {
        fail_at(p, p->pos, "%s needs something on its left", at_keyword(p, "OR") ? "OR" : "AND");
        return NULL;
    }
    struct syn *g = node_new(p, SYN_GROUP, p->pos, p->pos, p->pos);
    while (g && !failed(p) && !at_group_end(p)) {
        struct syn_clause c = parse_and(p);
        if (failed(p)) {
            syn_free(c.node);
            break;
        }
        if (!push_clause(p, g, c)) break;
        if (at_group_end(p)) break;
        if (at_keyword(p, "OR")) {
            if (!take_operator(p, "OR")) break;
            g->explicit_or = true;
        }
    }
    if (failed(p)) {
        syn_free(g);
        return NULL;
    }
    return g;
}

sift_err query_syntax_parse(const char *text, unsigned flags, struct query_syntax *out,
                            sift_errmsg *err)
{
    memset(out, 0, sizeof *out);
    if (!text) return sift_fail(err, SIFT_ERR_INVALID, "query text is NULL");
    out->len = strlen(text);
    out->text = malloc(out->len + 1);
    if (!out->text) return sift_fail(err, SIFT_ERR_NOMEM, "out of memory parsing the query");
    memcpy(out->text, text, out->len + 1);
    out->flags = flags;
    struct parser p = { out->text, out->len, 0, flags, 0, SIFT_OK, err };
    if (flags & SIFT_QUERY_LITERAL) {
        out->root = node_new(&p, SYN_LITERAL, 0, 0, p.len);
    } else {
        out->root = parse_or(&p);
        if (!failed(&p) && p.pos < p.len) fail_at(&p, p.pos, "unbalanced ')': nothing opened it");
    }
    if (failed(&p)) {
        query_syntax_free(out);
        return p.rc;
    }
    return SIFT_OK;
}

void query_syntax_free(struct query_syntax *q)
{
    syn_free(q->root);
    free(q->text);
    memset(q, 0, sizeof *q);
}
