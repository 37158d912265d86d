/* query_fields.c -- binding clauses on typed fields (docs/QUERY.md):
 *   keyword   source:reuters, source:"new york times": the value folded as
 *             the writer folds it (values.h), looked up as the term
 *             FIELD_TERM_KEYWORD name FIELD_TERM_SEP value; source:reu* the values
 *             starting so. Filters: they score 0.
 *   date,     date:[2023-01-01 TO 2023-12-31], date:>=2023-06, date:<2024,
 *   number    date:2023-05 (the whole month), price:[10 TO 20}: a range of
 *             keys (values.h) the column store answers. Filters too.
 *   text      author:"jane doe", author:jan*: words analyzed as title and
 *             text are, in the field's own term space (FIELD_TERM_TEXT).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyzer.h"
#include "bind.h"
#include "error.h"
#include "expand.h"
#include "segment.h"
#include "values.h"

/* kind name FIELD_TERM_SEP value into out (TERM_MAX + 1 bytes), cut to TERM_MAX. */
static size_t field_term(char *out, char kind, const char *name, const char *value, size_t len)
{
    size_t n = strlen(name);
    out[0] = kind;
    memcpy(out + 1, name, n);
    out[n + 1] = FIELD_TERM_SEP;
    if (len > TERM_MAX - n - 2) len = TERM_MAX - n - 2;
    memcpy(out + n + 2, value, len);
    return n + 2 + len;
}

static void shown(struct qnode *n, const struct field_def *f, const struct syn *s)
{
    snprintf(n->fname, sizeof n->fname, "%s", f->name);
    if (s->kind == SYN_RANGE)
        snprintf(n->shown, sizeof n->shown, "%s:%c%.*s TO %.*s%c", f->name, s->lo_incl ? '[' : '{',
                 s->text ? (int)s->len : 1, s->text ? s->text : "*", s->hi ? (int)s->hi_len : 1,
                 s->hi ? s->hi : "*", s->hi_incl ? ']' : '}');
    else
        snprintf(n->shown, sizeof n->shown, "%s:%.*s", f->name, (int)(s->len > 100 ? 100 : s->len), s->text);
}

/* ------------------------------------------------------------ keyword */

static struct qnode *keyword_leaf(struct binder *b, const struct syn *s, const struct field_def *f,
                                  const char *term, size_t len)
{
    struct qnode *n = bind_node_new(b, QK_KEYWORD);
    if (!n) return NULL;
    n->field = FIELD_NAMED;
    shown(n, f, s);
    if (!bind_term_add(b, n, term, len, s->at)) {
        qnode_free(n);
        return NULL;
    }
    return n;
}

static struct qnode *bind_keyword(struct binder *b, const struct syn *s, const struct field_def *f)
{
    if (s->kind == SYN_NEAR || s->kind == SYN_RANGE) {
        bind_fail_at(b, s->at, "'%s' is a keyword field: give it a value, as %s:reuters or %s:\"new york\"",
                     f->name, f->name, f->name);
        return NULL;
    }
    char *folded = value_fold_keyword(s->text, s->len);
    if (!folded) return bind_oom(b), NULL;
    char term[TERM_MAX + 1];
    size_t len = field_term(term, FIELD_TERM_KEYWORD, f->name, folded, strlen(folded));
    struct qnode *n = NULL;
    if (!*folded) {
        bind_fail_at(b, s->at, "'%s:' needs a value", f->name);
    } else if (s->kind != SYN_PREFIX) {
        n = keyword_leaf(b, s, f, term, len);
    } else {   /* every value starting so: an OR of filters */
        struct strlist values = { 0 };
        bool capped;
        sift_err rc = expand_prefix(b->idx, term, len, QUERY_MAX_EXPANSION, &values, &capped, b->err);
        if (rc) b->rc = rc;
        n = bind_failed(b) ? NULL : bind_node_new(b, QK_BOOL);
        for (const char *t = strlist_first(&values); n && t; t = strlist_next(&values, t)) {
            size_t tl = strlen(t);
            struct qnode *leaf = keyword_leaf(b, s, f, t, tl);
            if (!leaf || !bind_add_kid(b, n, leaf, OCCUR_SHOULD)) {
                qnode_free(n);
                n = NULL;
            }
        }
        strlist_free(&values);
    }
    free(folded);
    return n;
}

/* -------------------------------------------------------------- range */

/* One bound as a key: `low` picks the period's first second (or the
 * value), else its last; excl moves past it. *open for "*" or none. */
static bool bound_key(const struct field_def *f, const char *s, size_t len, bool low, bool incl,
                      uint64_t *key)
{
    if (!s || (len == 1 && *s == '*')) {
        *key = low ? 0 : UINT64_MAX;
        return true;
    }
    if (f->type == SIFT_FIELD_DATE) {
        int64_t start, end;
        if (!value_parse_date(s, len, &start, &end)) return false;
        /* [2023 TO ...: from 2023's first second; {2023 TO ...: after its last */
        int64_t v = low ? (incl ? start : end + 1) : (incl ? end : start - 1);
        *key = value_key_int(v);
        return true;
    }
    double d;
    if (!value_parse_number(s, len, &d)) return false;
    uint64_t k = value_key_double(d);
    if (!incl) {   /* the next representable value either way */
        if (low ? k == UINT64_MAX : k == 0) return false;
        k = low ? k + 1 : k - 1;
    }
    *key = k;
    return true;
}

static struct qnode *bind_range(struct binder *b, const struct syn *s, const struct field_def *f)
{
    const char *what = f->type == SIFT_FIELD_DATE ? "a date (ISO 8601: 2023, 2023-06, 2023-06-15, "
                                                    "2023-06-15T10:30:00Z)"
                                                  : "a number";
    if (s->kind != SYN_RANGE && s->kind != SYN_WORD && s->kind != SYN_PHRASE) {
        bind_fail_at(b, s->at, "'%s' is a %s field: give it a value or a range, as %s:[A TO B]", f->name,
                     schema_type_name(f->type), f->name);
        return NULL;
    }
    uint64_t lo, hi;
    if (s->kind == SYN_RANGE) {
        if (!bound_key(f, s->text, s->len, true, s->lo_incl, &lo)) {
            bind_fail_at(b, s->at, "'%.*s' is not %s", (int)s->len, s->text, what);
            return NULL;
        }
        if (!bound_key(f, s->hi, s->hi_len, false, s->hi_incl, &hi)) {
            bind_fail_at(b, s->at, "'%.*s' is not %s", (int)s->hi_len, s->hi, what);
            return NULL;
        }
        uint64_t wlo, whi;   /* the bounds as written, both included */
        if (bound_key(f, s->text, s->len, true, true, &wlo) && bound_key(f, s->hi, s->hi_len, false, true, &whi) &&
            wlo > whi) {
            bind_fail_at(b, s->at, "the range's start is after its end");
            return NULL;
        }   /* {5 TO 5] is empty, not an error: lo > hi matches nothing */
    } else if (!bound_key(f, s->text, s->len, true, true, &lo) ||
               !bound_key(f, s->text, s->len, false, true, &hi) || (s->len == 1 && *s->text == '*')) {
        bind_fail_at(b, s->at, "'%.*s' is not %s", (int)s->len, s->text, what);
        return NULL;
    }
    struct qnode *n = bind_node_new(b, QK_RANGE);
    if (!n) return NULL;
    n->field = FIELD_NAMED;
    n->lo = lo;
    n->hi = hi;
    shown(n, f, s);
    if (++b->leaves > QUERY_MAX_LEAVES) {
        bind_fail_at(b, s->at, "too many terms (the limit is %d)", QUERY_MAX_LEAVES);
        qnode_free(n);
        return NULL;
    }
    return n;
}

/* --------------------------------------------------------------- text */

struct named {
    struct binder *b;
    struct qnode *n;
    const struct field_def *f;
    size_t at;
    bool ok;
};

static int named_term(void *ctx, const struct token *t)
{
    struct named *c = ctx;
    char term[TERM_MAX + 1];
    size_t len = field_term(term, FIELD_TERM_TEXT, c->f->name, t->term, t->len);
    if (!bind_term_add(c->b, c->n, term, len, c->at)) c->ok = false;
    return !c->ok;
}

static struct qnode *bind_text_field(struct binder *b, const struct syn *s, const struct field_def *f)
{
    const char *name = s->kind == SYN_NEAR ? (s->ordered ? "ONEAR" : "NEAR") : "";
    if (s->kind == SYN_RANGE) {
        bind_fail_at(b, s->at, "'%s' is a text field: ranges apply to date and number fields", f->name);
        return NULL;
    }
    if (s->kind == SYN_PREFIX) {
        struct strlist one = { 0 };
        analyzer_set_stemming(b->an, 0);
        struct qnode *tmp = bind_node_new(b, QK_TERM);
        struct named c = { b, tmp, f, s->at, true };
        if (tmp) analyzer_run(b->an, s->text, s->len, 0, named_term, &c, NULL);
        analyzer_set_stemming(b->an, 1);
        if (tmp && tmp->nterms != 1 && !bind_failed(b))
            bind_fail_at(b, s->at, tmp->nterms ? "a prefix must be a single word" : "'*' needs letters or digits before it");
        struct qnode *g = bind_failed(b) ? NULL : bind_node_new(b, QK_BOOL);
        if (g) {
            bool capped;
            sift_err rc = expand_prefix(b->idx, tmp->terms[0].term, tmp->terms[0].len, QUERY_MAX_EXPANSION,
                                        &one, &capped, b->err);
            if (rc) b->rc = rc;
            for (const char *t = strlist_first(&one); !rc && t; t = strlist_next(&one, t)) {
                size_t tl = strlen(t);
                struct qnode *leaf = bind_node_new(b, QK_TERM);
                if (!leaf || !bind_term_add(b, leaf, t, tl, s->at) || !bind_add_kid(b, g, leaf, OCCUR_SHOULD)) {
                    if (leaf && bind_failed(b)) qnode_free(leaf);
                    break;
                }
                leaf->field = FIELD_NAMED;
            }
        }
        b->leaves -= tmp ? tmp->nterms : 0;
        qnode_free(tmp);
        strlist_free(&one);
        if (bind_failed(b)) {
            qnode_free(g);
            return NULL;
        }
        if (g) g->field = FIELD_NAMED;
        return g;
    }
    enum qkind kind = s->kind == SYN_NEAR ? QK_NEAR : s->kind == SYN_PHRASE ? QK_PHRASE : QK_TERM;
    struct qnode *n = bind_node_new(b, kind);
    if (!n) return NULL;
    n->field = FIELD_NAMED;
    struct named c = { b, n, f, s->at, true };
    analyzer_run(b->an, s->text, s->len, 0, named_term, &c, NULL);
    if (bind_failed(b) || !c.ok) {
        qnode_free(n);
        return NULL;
    }
    if (kind == QK_NEAR && n->nterms < 2) bind_fail_at(b, s->at, "%s needs at least two words", name);
    else if (n->nterms > QUERY_MAX_PHRASE) bind_fail_at(b, s->at, "more than %d words", QUERY_MAX_PHRASE);
    else if (!n->nterms && s->kind == SYN_PHRASE) bind_fail_at(b, s->at, "empty phrase: nothing searchable between the quotes");
    if (bind_failed(b) || !n->nterms) {
        qnode_free(n);
        return NULL;
    }
    n->dist = s->dist;
    n->ordered = s->ordered;
    if (kind == QK_TERM && n->nterms > 1) n->kind = QK_PHRASE;   /* a word that splits */
    if (kind == QK_PHRASE && n->nterms == 1) n->kind = QK_TERM;
    return n;
}

struct qnode *bind_typed(struct binder *b, const struct syn *s, const struct field_def *f)
{
    if (s->kind == SYN_FUZZY) {
        bind_fail_at(b, s->at, "fuzzy words (word~N) are searched in title and text, not in '%s'", f->name);
        return NULL;
    }
    switch (f->type) {
    case SIFT_FIELD_KEYWORD: return bind_keyword(b, s, f);
    case SIFT_FIELD_DATE:
    case SIFT_FIELD_NUMBER: return bind_range(b, s, f);
    case SIFT_FIELD_TEXT: return bind_text_field(b, s, f);
    }
    return NULL;
}
