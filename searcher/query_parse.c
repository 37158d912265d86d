/* query_parse.c -- the query language (docs/QUERY.md) to a qnode tree.
 *
 * Recursive descent over the bytes of the query:
 *   query   := or EOF
 *   or      := and ( [OR] and )*          juxtaposition is OR (AND with SIFT_QUERY_ALL)
 *   and     := unary ( AND unary )*
 *   unary   := ('+' | '-' | NOT) primary | primary
 *   primary := '(' or ')' | '"' words '"' ['~' N] | [O]NEAR/N '(' words ')'
 *            | FIELD ':' primary | word | word '*'
 * Words go through the index's analyzer; a word that yields several terms
 * (GPT-4o) becomes a phrase. Errors carry the column they were found at.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyzer.h"
#include "bm25.h"
#include "bytes.h"
#include "error.h"
#include "index.h"
#include "query.h"

/* Lucene's English stopwords (EnglishAnalyzer's default set). They stay
 * in the index, so phrases can contain them, but optional clauses that
 * are only a stopword are dropped from ranked queries that have other
 * words: on long natural-language queries they add noise (CISI nDCG@10
 * 0.324 with them, 0.357 without; Lucene 0.359). */
static const char *const english_stopwords[] = {
    "a", "an", "and", "are", "as", "at", "be", "but", "by", "for", "if", "in", "into", "is", "it",
    "no", "not", "of", "on", "or", "such", "that", "the", "their", "then", "there", "these",
    "they", "this", "to", "was", "will", "with" };

struct parser {
    const char *s;
    size_t len, pos;
    const sift_index *idx;
    struct analyzer *an;
    unsigned flags;
    int depth;
    size_t leaves;
    sift_err rc;
    sift_errmsg *err;
    /* distinct terms seen, for ids */
    struct qterm *uniq;
    size_t nuniq, capuniq;
    sift_query *q;
    struct buf stops;         /* analyzed stopwords, NUL-separated; empty: none */
};

enum mod { MOD_NONE, MOD_MUST, MOD_NOT };

static bool failed(const struct parser *p) { return p->rc != SIFT_OK; }

/* Record an error at column `at` (0-based byte offset), quoting the query
 * with a caret under it. Only the first error is kept. */
static void fail_at(struct parser *p, size_t at, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void fail_at(struct parser *p, size_t at, const char *fmt, ...)
{
    if (failed(p)) return;
    p->rc = SIFT_ERR_QUERY;
    if (!p->err) return;
    char why[200];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, sizeof why, fmt, ap);
    va_end(ap);
    /* show at most 60 bytes around the column, on one line */
    size_t start = at > 40 ? at - 40 : 0, end = start + 60 < p->len ? start + 60 : p->len;
    char shown[64];
    size_t n = 0;
    for (size_t i = start; i < end; i++) {
        unsigned char c = (unsigned char)p->s[i];
        shown[n++] = c < 0x20 || c == 0x7f ? ' ' : (char)c;
    }
    shown[n] = 0;
    int caret = (int)(at - start);
    snprintf(p->err->msg, sizeof p->err->msg, "query error at column %zu: %s\n  %s\n  %*s^",
             at + 1, why, shown, caret, "");
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

static struct qnode *node_new(struct parser *p, enum qkind kind)
{
    struct qnode *n = calloc(1, sizeof *n);
    if (!n) oom(p);
    else n->kind = kind;
    return n;
}

void qnode_free(struct qnode *n)
{
    if (!n) return;
    for (size_t i = 0; i < n->nterms; i++) free(n->terms[i].term);
    free(n->terms);
    for (size_t i = 0; i < n->nkids; i++) qnode_free(n->kids[i]);
    free(n->kids);
    free(n->occurs);
    free(n);
}

static bool add_kid(struct parser *p, struct qnode *b, struct qnode *kid, enum occur o)
{
    struct qnode **k = realloc(b->kids, (b->nkids + 1) * sizeof *k);
    if (k) b->kids = k;
    enum occur *oc = k ? realloc(b->occurs, (b->nkids + 1) * sizeof *oc) : NULL;
    if (!k || !oc) {
        oom(p);
        qnode_free(kid);
        return false;
    }
    b->occurs = oc;
    b->kids[b->nkids] = kid;
    b->occurs[b->nkids++] = o;
    return true;
}

/* Intern a term: its id is shared by equal terms of the query. */
static bool term_add(struct parser *p, struct qnode *n, const char *t, size_t len)
{
    if (++p->leaves > QUERY_MAX_LEAVES) {
        fail_at(p, p->pos, "too many terms (the limit is %d)", QUERY_MAX_LEAVES);
        return false;
    }
    uint32_t id = UINT32_MAX;
    for (size_t i = 0; i < p->nuniq && id == UINT32_MAX; i++)
        if (p->uniq[i].len == len && !memcmp(p->uniq[i].term, t, len)) id = (uint32_t)i;
    if (id == UINT32_MAX) {
        if (p->nuniq == p->capuniq) {
            size_t cap = p->capuniq ? p->capuniq * 2 : 16;
            struct qterm *u = realloc(p->uniq, cap * sizeof *u);
            if (!u) return oom(p), false;
            p->uniq = u;
            p->capuniq = cap;
        }
        char *copy = malloc(len + 1);
        if (!copy) return oom(p), false;
        memcpy(copy, t, len);
        copy[len] = 0;
        id = (uint32_t)p->nuniq;
        p->uniq[p->nuniq++] = (struct qterm){ copy, len, id, 0 };
    }
    struct qterm *ts = realloc(n->terms, (n->nterms + 1) * sizeof *ts);
    char *copy = malloc(len + 1);
    if (!ts || !copy) {
        if (ts) n->terms = ts;
        free(copy);
        return oom(p), false;
    }
    n->terms = ts;
    memcpy(copy, t, len);
    copy[len] = 0;
    n->terms[n->nterms++] = (struct qterm){ copy, len, id, 0 };
    return true;
}

struct collect {
    struct parser *p;
    struct qnode *n;
    bool ok;
};

static int collect_term(void *ctx, const struct token *t)
{
    struct collect *c = ctx;
    if (!term_add(c->p, c->n, t->term, t->len)) c->ok = false;
    return !c->ok;
}

/* Analyze text into the terms of node n. */
static bool analyze_into(struct parser *p, struct qnode *n, const char *text, size_t len)
{
    struct collect c = { p, n, true };
    analyzer_run(p->an, text, len, 0, collect_term, &c, NULL);
    return c.ok && !failed(p);
}

static void set_field(struct qnode *n, enum field f)
{
    if (!n || n->field != FIELD_ANY) return;
    n->field = f;
    for (size_t i = 0; i < n->nkids; i++) set_field(n->kids[i], f);
}

/* ----------------------------------------------------------- prefixes */

struct expansion {
    struct buf terms;     /* NUL-separated */
    size_t count;
    bool capped;
};

static int on_prefix_term(void *ctx, const char *term, size_t len, const struct term_info *ti)
{
    (void)ti;
    struct expansion *e = ctx;
    if (e->count >= QUERY_MAX_EXPANSION) {
        e->capped = true;
        return 1;
    }
    /* segments are scanned one after the other: skip terms already seen */
    for (size_t off = 0; off < e->terms.len;) {
        size_t l = strlen((const char *)e->terms.data + off);
        if (l == len && !memcmp(e->terms.data + off, term, len)) return 0;
        off += l + 1;
    }
    if (!buf_append(&e->terms, term, len) || !buf_append(&e->terms, "", 1)) return 1;
    e->count++;
    return 0;
}

static struct qnode *expand_prefix(struct parser *p, const char *word, size_t wlen, size_t at)
{
    struct qnode *tmp = node_new(p, QK_TERM);
    if (!tmp) return NULL;
    analyzer_set_stemming(p->an, 0);
    bool ok = analyze_into(p, tmp, word, wlen);
    analyzer_set_stemming(p->an, 1);
    p->leaves -= tmp->nterms;
    if (ok && tmp->nterms != 1) {
        if (tmp->nterms == 0) fail_at(p, at, "'*' needs letters or digits before it");
        else fail_at(p, at, "a prefix must be a single word");
    }
    if (failed(p)) {
        qnode_free(tmp);
        return NULL;
    }
    struct expansion e = { { 0 }, 0, false };
    for (uint32_t s = 0; s < p->idx->nsegs && !e.capped; s++) {
        sift_err rc = dict_scan_prefix(&p->idx->segs[s], tmp->terms[0].term, tmp->terms[0].len,
                                       on_prefix_term, &e, p->err);
        if (rc) {
            p->rc = rc;
            break;
        }
    }
    if (e.capped && !p->q->warning[0])
        snprintf(p->q->warning, sizeof p->q->warning,
                 "prefix '%.60s*' matches more than %d terms; only the first %d are searched",
                 tmp->terms[0].term, QUERY_MAX_EXPANSION, QUERY_MAX_EXPANSION);
    struct qnode *b = failed(p) ? NULL : node_new(p, QK_BOOL);
    for (size_t off = 0; b && off < e.terms.len;) {
        const char *t = (const char *)e.terms.data + off;
        size_t l = strlen(t);
        struct qnode *leaf = node_new(p, QK_TERM);
        if (!leaf || !term_add(p, leaf, t, l) || !add_kid(p, b, leaf, OCCUR_SHOULD)) {
            if (leaf && failed(p)) qnode_free(leaf);
            qnode_free(b);
            b = NULL;
        }
        off += l + 1;
    }
    /* remember the prefix for highlighting */
    struct highlight_term *hl = b ? realloc(p->q->hl, (p->q->nhl + 1) * sizeof *hl) : NULL;
    if (b && hl) {
        p->q->hl = hl;
        hl[p->q->nhl++] = (struct highlight_term){ tmp->terms[0].term, tmp->terms[0].len, true };
        tmp->terms[0].term = NULL;
    } else if (b) {
        oom(p);
        qnode_free(b);
        b = NULL;
    }
    buf_free(&e.terms);
    qnode_free(tmp);
    return b;
}

/* ------------------------------------------------------------ grammar */

static struct qnode *parse_or(struct parser *p);

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

static struct qnode *parse_phrase(struct parser *p)
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
    struct qnode *n = failed(p) ? NULL : node_new(p, QK_PHRASE);
    if (!n) return NULL;
    n->dist = slop;
    if (!analyze_into(p, n, p->s + start, end - start)) {
        qnode_free(n);
        return NULL;
    }
    if (n->nterms == 0) {
        fail_at(p, open, "empty phrase: nothing searchable between the quotes");
    } else if (n->nterms > QUERY_MAX_PHRASE) {
        fail_at(p, open, "phrase longer than %d words", QUERY_MAX_PHRASE);
    } else {
        if (n->nterms == 1) n->kind = QK_TERM;
        return n;
    }
    qnode_free(n);
    return NULL;
}

static struct qnode *parse_near(struct parser *p, bool ordered)
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
    struct qnode *n = node_new(p, QK_NEAR);
    if (!n) return NULL;
    n->dist = dist;
    n->ordered = ordered;
    if (!analyze_into(p, n, p->s + start, end - start)) {
        qnode_free(n);
        return NULL;
    }
    if (n->nterms < 2) fail_at(p, at, "%s needs at least two words", name);
    else if (n->nterms > QUERY_MAX_PHRASE) fail_at(p, at, "%s takes at most %d words", name, QUERY_MAX_PHRASE);
    if (failed(p)) {
        qnode_free(n);
        return NULL;
    }
    return n;
}

static struct qnode *parse_primary(struct parser *p, bool *empty);

static struct qnode *parse_word(struct parser *p, bool *empty)
{
    size_t start = p->pos;
    while (p->pos < p->len && word_char(p->s[p->pos])) p->pos++;
    const char *w = p->s + start;
    size_t len = p->pos - start;
    /* field:operand */
    const char *colon = memchr(w, ':', len);
    if (colon && colon > w) {
        size_t flen = (size_t)(colon - w);
        bool alpha = true;
        for (size_t i = 0; i < flen; i++)
            alpha &= (w[i] >= 'a' && w[i] <= 'z') || (w[i] >= 'A' && w[i] <= 'Z');
        if (alpha) {
            enum field f = FIELD_ANY;
            if (flen == 5 && !strncmp(w, "title", 5)) f = FIELD_TITLE;
            else if (flen == 4 && !strncmp(w, "text", 4)) f = FIELD_TEXT;
            else {
                fail_at(p, start, "unknown field '%.*s' (the fields are title and text)", (int)flen, w);
                return NULL;
            }
            p->pos = start + flen + 1;
            if (p->pos >= p->len || is_space(p->s[p->pos]) || p->s[p->pos] == ')') {
                fail_at(p, start, "'%.*s:' needs a word, phrase or group after it", (int)flen, w);
                return NULL;
            }
            struct qnode *n = parse_primary(p, empty);
            set_field(n, f);
            return n;
        }
    }
    const char *tilde = memchr(w, '~', len);
    if (tilde) {
        fail_at(p, start + (size_t)(tilde - w), "'~' applies to phrases, as in \"a b\"~2");
        return NULL;
    }
    if (len && w[len - 1] == '*') return expand_prefix(p, w, len - 1, start);
    struct qnode *n = node_new(p, QK_TERM);
    if (!n || !analyze_into(p, n, w, len)) {
        qnode_free(n);
        return NULL;
    }
    if (n->nterms == 0) {   /* punctuation only: nothing to search for */
        qnode_free(n);
        *empty = true;
        return NULL;
    }
    if (n->nterms > QUERY_MAX_PHRASE) {
        fail_at(p, start, "word splits into more than %d terms", QUERY_MAX_PHRASE);
        qnode_free(n);
        return NULL;
    }
    if (n->nterms > 1) n->kind = QK_PHRASE;   /* GPT-4o: gpt followed by 4o */
    return n;
}

static bool at_near(const struct parser *p, bool ordered)
{
    const char *kw = ordered ? "ONEAR" : "NEAR";
    size_t n = strlen(kw);
    return p->pos + n < p->len && !memcmp(p->s + p->pos, kw, n) &&
           (p->s[p->pos + n] == '/' || p->s[p->pos + n] == '(');
}

/* *empty is set when the primary held nothing searchable (punctuation). */
static struct qnode *parse_primary(struct parser *p, bool *empty)
{
    *empty = false;
    char c = p->s[p->pos];
    if (c == '(') {
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
        struct qnode *n = parse_or(p);
        p->depth--;
        if (failed(p)) {
            qnode_free(n);
            return NULL;
        }
        if (p->pos >= p->len || p->s[p->pos] != ')') {
            fail_at(p, open, "unbalanced '(': it is never closed");
            qnode_free(n);
            return NULL;
        }
        p->pos++;
        if (!n) *empty = true;
        return n;
    }
    if (c == ')') {
        fail_at(p, p->pos, "unbalanced ')': nothing opened it");
        return NULL;
    }
    if (c == '"') return parse_phrase(p);
    if (at_near(p, false)) return parse_near(p, false);
    if (at_near(p, true)) return parse_near(p, true);
    return parse_word(p, empty);
}

struct clause {
    struct qnode *node;
    enum mod mod;
    size_t at;
};

static struct clause parse_unary(struct parser *p)
{
    struct clause c = { NULL, MOD_NONE, p->pos };
    char ch = p->s[p->pos];
    if ((ch == '+' || ch == '-') && p->pos + 1 < p->len && !is_space(p->s[p->pos + 1])) {
        c.mod = ch == '+' ? MOD_MUST : MOD_NOT;
        p->pos++;
        if (p->s[p->pos] == '+' || p->s[p->pos] == '-') {
            fail_at(p, p->pos, "two operators in a row");
            return c;
        }
    } else if (at_keyword(p, "NOT")) {
        c.mod = MOD_NOT;
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
    bool empty;
    c.node = parse_primary(p, &empty);
    return c;
}

static enum occur occur_of(enum mod m, enum occur plain)
{
    return m == MOD_MUST ? OCCUR_MUST : m == MOD_NOT ? OCCUR_NOT : plain;
}

/* A BOOL needs something positive: only exclusions match nothing. */
static bool check_positive(struct parser *p, const struct qnode *b, size_t at)
{
    for (size_t i = 0; i < b->nkids; i++)
        if (b->occurs[i] != OCCUR_NOT) return true;
    fail_at(p, at, "only exclusions here: add a word to search for");
    return false;
}

static bool is_stopword_clause(const struct parser *p, const struct clause *c)
{
    const struct qnode *n = c->node;
    if (!n || c->mod != MOD_NONE || n->kind != QK_TERM || n->field != FIELD_ANY) return false;
    for (size_t off = 0; off < p->stops.len;) {
        const char *w = (const char *)p->stops.data + off;
        size_t l = strlen(w);
        if (l == n->terms[0].len && !memcmp(w, n->terms[0].term, l)) return true;
        off += l + 1;
    }
    return false;
}

/* In an OR group with other words, drop optional stopword clauses. */
static void drop_stopwords(struct parser *p, struct clause *cl, size_t n)
{
    bool other = false;
    for (size_t i = 0; i < n && !other; i++)
        other = cl[i].node && cl[i].mod != MOD_NOT && !is_stopword_clause(p, &cl[i]);
    if (!other) return;
    for (size_t i = 0; i < n; i++)
        if (is_stopword_clause(p, &cl[i])) {
            qnode_free(cl[i].node);
            cl[i].node = NULL;
        }
}

/* Build the node for clauses joined by one operator: MUST for AND groups
 * (plain clauses become required), SHOULD for OR groups. */
static struct qnode *join(struct parser *p, struct clause *cl, size_t n, enum occur plain)
{
    if (plain == OCCUR_SHOULD) drop_stopwords(p, cl, n);
    size_t real = 0, last = 0;
    for (size_t i = 0; i < n; i++)
        if (cl[i].node) real++, last = i;
    if (real == 1 && cl[last].mod == MOD_NONE) {
        struct qnode *only = cl[last].node;
        cl[last].node = NULL;
        return only;
    }
    if (real == 0) return NULL;
    struct qnode *b = node_new(p, QK_BOOL);
    for (size_t i = 0; b && i < n; i++) {
        if (!cl[i].node) continue;
        if (!add_kid(p, b, cl[i].node, occur_of(cl[i].mod, plain))) {
            cl[i].node = NULL;
            qnode_free(b);
            return NULL;
        }
        cl[i].node = NULL;
    }
    if (b && !check_positive(p, b, cl[0].at)) {
        qnode_free(b);
        return NULL;
    }
    return b;
}

static void free_clauses(struct clause *cl, size_t n)
{
    for (size_t i = 0; i < n; i++) qnode_free(cl[i].node);
    free(cl);
}

static bool push_clause(struct parser *p, struct clause **cl, size_t *n, size_t *cap, struct clause c)
{
    if (*n == *cap) {
        size_t nc = *cap ? *cap * 2 : 8;
        struct clause *x = realloc(*cl, nc * sizeof *x);
        if (!x) {
            qnode_free(c.node);
            oom(p);
            return false;
        }
        *cl = x;
        *cap = nc;
    }
    (*cl)[(*n)++] = c;
    return true;
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

/* and := unary ( AND unary )*; returns one clause: a single unary as it
 * is, or a BOOL of required clauses when AND (or, with SIFT_QUERY_ALL,
 * juxtaposition) joined several. */
static struct clause parse_and(struct parser *p)
{
    struct clause *cl = NULL, r = { NULL, MOD_NONE, p->pos };
    size_t n = 0, cap = 0;
    bool joined = false, all = p->flags & SIFT_QUERY_ALL;
    for (;;) {
        struct clause c = parse_unary(p);
        if (failed(p)) {
            qnode_free(c.node);
            break;
        }
        if (!push_clause(p, &cl, &n, &cap, c)) break;
        if (at_group_end(p)) break;
        if (at_keyword(p, "AND")) {
            if (!take_operator(p, "AND")) break;
            joined = true;
            continue;
        }
        if (at_keyword(p, "OR") || !all) break;
        joined = true;   /* juxtaposition under SIFT_QUERY_ALL */
    }
    if (!failed(p) && n) {
        if (joined) {
            r.node = join(p, cl, n, OCCUR_MUST);
        } else {
            r = cl[0];
            cl[0].node = NULL;
        }
    }
    free_clauses(cl, n);
    return r;
}

static struct qnode *parse_or(struct parser *p)
{
    struct clause *cl = NULL;
    size_t n = 0, cap = 0;
    skip_space(p);
    if (at_keyword(p, "OR") || at_keyword(p, "AND")) {
        fail_at(p, p->pos, "%s needs something on its left", at_keyword(p, "OR") ? "OR" : "AND");
        return NULL;
    }
    while (!failed(p) && !at_group_end(p)) {
        struct clause c = parse_and(p);
        if (failed(p)) {
            qnode_free(c.node);
            break;
        }
        if (!push_clause(p, &cl, &n, &cap, c)) break;
        if (at_group_end(p)) break;
        if (at_keyword(p, "OR") && !take_operator(p, "OR")) break;
    }
    struct qnode *r = failed(p) ? NULL : join(p, cl, n, OCCUR_SHOULD);
    free_clauses(cl, n);
    return r;
}

/* ------------------------------------------------------ after parsing */

static void compute_idf(struct parser *p)
{
    for (size_t i = 0; i < p->nuniq && !failed(p); i++) {
        uint64_t df = 0;
        for (uint32_t s = 0; s < p->idx->nsegs; s++) {
            struct term_info ti;
            bool found;
            sift_err rc = dict_lookup(&p->idx->segs[s], p->uniq[i].term, p->uniq[i].len, &ti,
                                      &found, p->err);
            if (rc) {
                p->rc = rc;
                return;
            }
            uint32_t live = 0;
            if (found && (rc = segment_live_df(&p->idx->segs[s], &ti, &live, p->err))) {
                p->rc = rc;
                return;
            }
            df += live;
        }
        p->uniq[i].idf = bm25_idf(p->idx->doc_count, df);
    }
}

static void fill_idf(struct parser *p, struct qnode *n)
{
    if (!n) return;
    for (size_t i = 0; i < n->nterms; i++) n->terms[i].idf = p->uniq[n->terms[i].id].idf;
    for (size_t i = 0; i < n->nkids; i++) fill_idf(p, n->kids[i]);
}

/* Terms to highlight: those of every clause that is not an exclusion. */
static void collect_highlights(struct parser *p, const struct qnode *n)
{
    if (!n || failed(p)) return;
    for (size_t i = 0; i < n->nterms; i++) {
        bool seen = false;
        for (size_t k = 0; k < p->q->nhl && !seen; k++)
            seen = !p->q->hl[k].prefix && p->q->hl[k].len == n->terms[i].len &&
                   !memcmp(p->q->hl[k].term, n->terms[i].term, n->terms[i].len);
        if (seen) continue;
        struct highlight_term *h = realloc(p->q->hl, (p->q->nhl + 1) * sizeof *h);
        char *t = h ? strdup(n->terms[i].term) : NULL;
        if (h) p->q->hl = h;
        if (!t) return oom(p);
        p->q->hl[p->q->nhl++] = (struct highlight_term){ t, n->terms[i].len, false };
    }
    for (size_t i = 0; i < n->nkids; i++)
        if (n->occurs[i] != OCCUR_NOT) collect_highlights(p, n->kids[i]);
}

/* Literal mode: every term of the text is a clause, no syntax. */
static struct qnode *parse_literal(struct parser *p)
{
    struct qnode *all = node_new(p, QK_BOOL);
    if (!all || !analyze_into(p, all, p->s, p->len)) {
        qnode_free(all);
        return NULL;
    }
    enum occur o = (p->flags & SIFT_QUERY_ALL) ? OCCUR_MUST : OCCUR_SHOULD;
    struct clause *cl = calloc(all->nterms ? all->nterms : 1, sizeof *cl);
    size_t n = 0;
    for (size_t i = 0; cl && i < all->nterms; i++) {
        struct qnode *leaf = node_new(p, QK_TERM);
        if (!leaf) break;
        leaf->terms = malloc(sizeof *leaf->terms);
        if (!leaf->terms) {
            free(leaf);
            oom(p);
            break;
        }
        leaf->terms[0] = all->terms[i];
        leaf->nterms = 1;
        all->terms[i].term = NULL;
        cl[n++] = (struct clause){ leaf, o == OCCUR_MUST ? MOD_MUST : MOD_NONE, 0 };
    }
    if (!cl) oom(p);
    qnode_free(all);
    struct qnode *b = NULL;
    if (!failed(p) && n) {
        /* always a group, so that a single word keeps its MUST */
        drop_stopwords(p, cl, n);
        b = node_new(p, QK_BOOL);
        for (size_t i = 0; b && i < n; i++) {
            if (!cl[i].node) continue;
            if (!add_kid(p, b, cl[i].node, o)) b = NULL;
            cl[i].node = NULL;
        }
    }
    if (cl) free_clauses(cl, n);
    if (failed(p) || (b && !b->nkids)) {
        qnode_free(b);
        return NULL;
    }
    return b;
}

/* The analyzed form of a stopword, NUL-terminated, into the buffer. */
static int collect_stop(void *ctx, const struct token *t)
{
    struct buf *b = ctx;
    return !(buf_append(b, t->term, t->len) && buf_append(b, "", 1));
}

sift_err sift_query_parse_flags(const sift_index *idx, const char *text, unsigned flags,
                                sift_query **out, sift_errmsg *err)
{
    *out = NULL;
    if (!text) return sift_fail(err, SIFT_ERR_INVALID, "query text is NULL");
    sift_query *q = calloc(1, sizeof *q);
    struct parser p = { text, strlen(text), 0, idx, analyzer_new(idx->language), flags, 0, 0,
                        SIFT_OK, err, NULL, 0, 0, q };
    if (!q || !p.an) {
        free(q);
        analyzer_free(p.an);
        return sift_fail(err, SIFT_ERR_NOMEM, "out of memory (or unknown language '%s')",
                         idx->language);
    }
    q->idx = idx;
    if (!strcmp(idx->language, "english") || !strcmp(idx->language, "porter"))
        for (size_t i = 0; i < sizeof english_stopwords / sizeof *english_stopwords; i++)
            analyzer_run(p.an, english_stopwords[i], strlen(english_stopwords[i]), 0, collect_stop,
                         &p.stops, NULL);
    q->root = (flags & SIFT_QUERY_LITERAL) ? parse_literal(&p) : parse_or(&p);
    if (!failed(&p) && p.pos < p.len && !(flags & SIFT_QUERY_LITERAL))
        fail_at(&p, p.pos, "unbalanced ')': nothing opened it");
    if (!failed(&p) && !q->root)
        p.rc = sift_fail(err, SIFT_ERR_QUERY, "query \"%.200s\" has no searchable words", text);
    compute_idf(&p);
    fill_idf(&p, q->root);
    collect_highlights(&p, q->root);
    analyzer_free(p.an);
    for (size_t i = 0; i < p.nuniq; i++) free(p.uniq[i].term);
    free(p.uniq);
    buf_free(&p.stops);
    if (failed(&p)) {
        sift_query_free(q);
        return p.rc;
    }
    *out = q;
    return SIFT_OK;
}

sift_err sift_query_parse(const sift_index *idx, const char *text, sift_query **out,
                          sift_errmsg *err)
{
    return sift_query_parse_flags(idx, text, 0, out, err);
}

const char *sift_query_warning(const sift_query *q)
{
    return q->warning[0] ? q->warning : NULL;
}

void sift_query_free(sift_query *q)
{
    if (!q) return;
    qnode_free(q->root);
    for (size_t i = 0; i < q->nhl; i++) free(q->hl[i].term);
    free(q->hl);
    free(q);
}
