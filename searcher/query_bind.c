/* query_bind.c -- the second stage of a query: its syntax tree bound to an
 * index (query.h). Words go through the index's analyzer (a word that
 * yields several terms, as GPT-4o, becomes a phrase; one that yields none
 * is dropped), fields are resolved, prefixes expanded (expand.h), optional
 * stopwords dropped from OR groups (stopwords.h), then every distinct term
 * gets its idf from the index's live statistics and the terms to highlight
 * are gathered. sift_query_parse is parse + bind. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyzer.h"
#include "error.h"
#include "expand.h"
#include "fuzzy.h"
#include "global_stats.h"
#include "hash.h"
#include "index.h"
#include "query.h"
#include "query_syntax.h"
#include "bind.h"
#include "score.h"
#include "stopwords.h"
#include "strlist.h"
#include "strmap.h"

/* A bound clause of a group. */
struct clause {
    struct qnode *node;
    enum syn_mod mod;
    size_t at;
    bool stop;   /* typed as a stopword, bare (stopword_clause) */
};

bool bind_failed(const struct binder *b) { return b->rc != SIFT_OK; }

void bind_fail_at(struct binder *b, size_t at, const char *fmt, ...)
{
    if (bind_failed(b)) return;
    va_list ap;
    va_start(ap, fmt);
    b->rc = query_error_vat(b->err, b->qs->text, b->qs->len, at, fmt, ap);
    va_end(ap);
}

void bind_oom(struct binder *b)
{
    if (bind_failed(b)) return;
    b->rc = sift_fail(b->err, SIFT_ERR_NOMEM, "out of memory parsing the query");
}

/* ------------------------------------------------------------- nodes */

struct qnode *bind_node_new(struct binder *b, enum qkind kind)
{
    struct qnode *n = calloc(1, sizeof *n);
    if (!n) bind_oom(b);
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

bool bind_add_kid(struct binder *b, struct qnode *g, struct qnode *kid, enum occur o)
{
    if (g->nkids == g->capkids) {
        size_t cap = g->capkids ? g->capkids * 2 : 4;
        struct qnode **k = realloc(g->kids, cap * sizeof *k);
        if (k) g->kids = k;
        enum occur *oc = k ? realloc(g->occurs, cap * sizeof *oc) : NULL;
        if (oc) g->occurs = oc;
        if (!k || !oc) {
            bind_oom(b);
            qnode_free(kid);
            return false;
        }
        g->capkids = cap;
    }
    g->kids[g->nkids] = kid;
    g->occurs[g->nkids++] = o;
    return true;
}

static const void *uniq_key(const void *ctx, uint32_t i, size_t *len)
{
    const struct binder *b = ctx;
    *len = b->uniq[i].len;
    return b->uniq[i].term;
}

/* The id of term t, shared by equal terms of the query; UINT32_MAX when
 * memory is short. */
static uint32_t intern(struct binder *b, const char *t, size_t len)
{
    uint32_t h = hash_fnv1a(t, len), slot = 0;
    uint32_t id = strmap_find(&b->ids, t, len, h, uniq_key, b, &slot);
    if (id != STRMAP_NONE) return id;
    if (b->nuniq == b->capuniq) {
        size_t cap = b->capuniq ? b->capuniq * 2 : 16;
        struct qterm *u = realloc(b->uniq, cap * sizeof *u);
        if (!u) return UINT32_MAX;
        b->uniq = u;
        b->capuniq = cap;
    }
    char *copy = strndup(t, len);
    if (!copy) return UINT32_MAX;
    id = (uint32_t)b->nuniq;
    b->uniq[b->nuniq++] = (struct qterm){ copy, len, id, 0 };
    return strmap_put(&b->ids, slot, h, id) ? id : UINT32_MAX;
}

/* Append term t to node n's terms. */
bool bind_term_add(struct binder *b, struct qnode *n, const char *t, size_t len, size_t at)
{
    if (++b->leaves > QUERY_MAX_LEAVES) {
        bind_fail_at(b, at, "too many terms (the limit is %d)", QUERY_MAX_LEAVES);
        return false;
    }
    uint32_t id = intern(b, t, len);
    if (id != UINT32_MAX && n->nterms == n->capterms) {
        size_t cap = n->capterms ? n->capterms * 2 : 2;
        struct qterm *ts = realloc(n->terms, cap * sizeof *ts);
        if (ts) n->terms = ts, n->capterms = cap;
    }
    char *copy = id != UINT32_MAX && n->nterms < n->capterms ? strndup(t, len) : NULL;
    if (!copy) return bind_oom(b), false;
    n->terms[n->nterms++] = (struct qterm){ copy, len, id, 0 };
    return true;
}

struct collect {
    struct binder *b;
    struct qnode *n;
    size_t at;
    bool ok;
};

static int collect_term(void *ctx, const struct token *t)
{
    struct collect *c = ctx;
    if (!bind_term_add(c->b, c->n, t->term, t->len, c->at)) c->ok = false;
    return !c->ok;
}

/* Analyze text into the terms of node n. */
static bool analyze_into(struct binder *b, struct qnode *n, const char *text, size_t len, size_t at)
{
    struct collect c = { b, n, at, true };
    analyzer_run(b->an, text, len, 0, collect_term, &c, NULL);
    return c.ok && !bind_failed(b);
}

static void set_field(struct qnode *n, enum field f)
{
    if (!n || n->field != FIELD_ANY) return;
    n->field = f;
    for (size_t i = 0; i < n->nkids; i++) set_field(n->kids[i], f);
}

/* ------------------------------------------------------------ leaves */

/* A syntax node's text analyzed into a node of `kind`; NULL (and no error)
 * when it holds no term. */
static struct qnode *analyzed(struct binder *b, const struct syn *s, enum qkind kind)
{
    struct qnode *n = bind_node_new(b, kind);
    if (n && analyze_into(b, n, s->text, s->len, s->at) && n->nterms) return n;
    qnode_free(n);
    return NULL;
}

static struct qnode *bind_word(struct binder *b, const struct syn *s)
{
    struct qnode *n = analyzed(b, s, QK_TERM);   /* NULL for punctuation: nothing to search */
    if (n && n->nterms > QUERY_MAX_PHRASE) {
        bind_fail_at(b, s->at, "word splits into more than %d terms", QUERY_MAX_PHRASE);
        qnode_free(n);
        return NULL;
    }
    if (n && n->nterms > 1) n->kind = QK_PHRASE;   /* GPT-4o: gpt followed by 4o */
    return n;
}

static struct qnode *bind_phrase(struct binder *b, const struct syn *s)
{
    struct qnode *n = analyzed(b, s, QK_PHRASE);
    if (bind_failed(b)) return NULL;
    if (!n) bind_fail_at(b, s->at, "empty phrase: nothing searchable between the quotes");
    else if (n->nterms > QUERY_MAX_PHRASE) bind_fail_at(b, s->at, "phrase longer than %d words", QUERY_MAX_PHRASE);
    if (bind_failed(b)) {
        qnode_free(n);
        return NULL;
    }
    n->dist = s->dist;
    if (n->nterms == 1) n->kind = QK_TERM;
    return n;
}

static struct qnode *bind_near(struct binder *b, const struct syn *s)
{
    const char *name = s->ordered ? "ONEAR" : "NEAR";
    struct qnode *n = analyzed(b, s, QK_NEAR);
    if (bind_failed(b)) return NULL;
    if (!n || n->nterms < 2) bind_fail_at(b, s->at, "%s needs at least two words", name);
    else if (n->nterms > QUERY_MAX_PHRASE) bind_fail_at(b, s->at, "%s takes at most %d words", name, QUERY_MAX_PHRASE);
    if (bind_failed(b)) {
        qnode_free(n);
        return NULL;
    }
    n->dist = s->dist;
    n->ordered = s->ordered;
    return n;
}

static int collect_one(void *ctx, const struct token *t)
{
    struct strlist *l = ctx;
    return !strlist_add(l, t->term, t->len);
}

#define FUZZY_MAX_EXPANSION 50   /* Lucene's maxExpansions */

/* The terms a fuzzy word stands for: from the index's dictionary, or from
 * the shards' (global_stats.h), recorded when collecting. */
static sift_err fuzzy_terms(struct binder *b, const char *term, size_t len, unsigned dist, struct strlist *terms,
                            struct fuzzy_match **m, size_t *n, bool *capped)
{
    sift_err rc;
    if (b->global) {
        struct strlist cands = { 0 };
        uint64_t *dfs = NULL;
        rc = gs_expansion(b->global, b->nexp++, GS_FUZZY, &cands, &dfs, &b->stats_match) ? SIFT_OK
             : sift_fail(b->err, SIFT_ERR_NOMEM, "out of memory");
        if (!rc) rc = fuzzy_rank_terms(term, len, dist, &cands, dfs, FUZZY_MAX_EXPANSION, terms, m, n, capped, b->err);
        strlist_free(&cands);
        free(dfs);
        return rc;
    }
    rc = fuzzy_expand(b->idx, term, len, dist, FUZZY_MAX_EXPANSION, terms, m, n, capped, b->err);
    if (rc || !b->collect) return rc;
    bool ok = gs_expansion_begin(b->collect, GS_FUZZY);
    for (size_t i = 0; ok && i < *n; i++) {
        const char *t = (const char *)terms->b.data + (*m)[i].term;
        ok = gs_expansion_add(b->collect, t, strlen(t)) && gs_set_raw(b->collect, t, strlen(t), (*m)[i].df);
    }
    return ok ? SIFT_OK : sift_fail(b->err, SIFT_ERR_NOMEM, "out of memory collecting statistics");
}

/* The terms a prefix stands for, the same way. */
static sift_err prefix_terms(struct binder *b, const char *prefix, struct strlist *terms, bool *capped)
{
    sift_err rc;
    if (b->global) {
        uint64_t *dfs = NULL;
        struct strlist all = { 0 };
        rc = gs_expansion(b->global, b->nexp++, GS_PREFIX, &all, &dfs, &b->stats_match) ? SIFT_OK
             : sift_fail(b->err, SIFT_ERR_NOMEM, "out of memory");
        free(dfs);
        *capped = all.n > QUERY_MAX_EXPANSION;
        uint32_t k = 0;
        for (const char *t = strlist_first(&all); !rc && t && k++ < QUERY_MAX_EXPANSION; t = strlist_next(&all, t))
            if (!strlist_add(terms, t, strlen(t))) rc = sift_fail(b->err, SIFT_ERR_NOMEM, "out of memory");
        strlist_free(&all);
        return rc;
    }
    rc = expand_prefix(b->idx, prefix, strlen(prefix), QUERY_MAX_EXPANSION, terms, capped, b->err);
    if (rc || !b->collect) return rc;
    bool ok = gs_expansion_begin(b->collect, GS_PREFIX);
    for (const char *t = strlist_first(terms); ok && t; t = strlist_next(terms, t))
        ok = gs_expansion_add(b->collect, t, strlen(t));
    return ok ? SIFT_OK : sift_fail(b->err, SIFT_ERR_NOMEM, "out of memory collecting statistics");
}

/* word~N : the OR of the index terms within N edits of the word's term. */
static struct qnode *bind_fuzzy(struct binder *b, const struct syn *s)
{
    struct qnode *one = analyzed(b, s, QK_TERM);
    if (bind_failed(b)) return NULL;
    if (!one || one->nterms != 1) {
        bind_fail_at(b, s->at, one ? "a fuzzy word must be a single word" : "'~' needs letters or digits before it");
        qnode_free(one);
        return NULL;
    }
    struct strlist terms = { 0 };
    struct fuzzy_match *m;
    size_t n;
    bool capped;
    const struct qterm *w = &one->terms[0];
    sift_err rc = fuzzy_terms(b, w->term, w->len, s->dist, &terms, &m, &n, &capped);
    if (rc) b->rc = rc;
    if (!rc && capped && !b->q->warning[0])
        snprintf(b->q->warning, sizeof b->q->warning,
                 "'%.60s~%u' is near more than %d terms; the %d nearest (then most frequent) are searched",
                 w->term, s->dist, FUZZY_MAX_EXPANSION, FUZZY_MAX_EXPANSION);
    struct qnode *g = bind_failed(b) ? NULL : bind_node_new(b, QK_BOOL);
    if (g) g->blend = true;
    for (size_t i = 0; g && i < n; i++) {
        const char *t = (const char *)terms.b.data + m[i].term;
        size_t tl = strlen(t);
        struct qnode *leaf = bind_node_new(b, QK_TERM);
        if (!leaf || !bind_term_add(b, leaf, t, tl, s->at) || !bind_add_kid(b, g, leaf, OCCUR_SHOULD)) {
            if (leaf && bind_failed(b)) qnode_free(leaf);
            qnode_free(g);
            g = NULL;
            break;
        }
        leaf->boost = m[i].weight;
    }
    qnode_free(one);
    strlist_free(&terms);
    free(m);
    return g;
}

/* word* : the OR of every index term starting with the folded, unstemmed
 * word. */
static struct qnode *bind_prefix(struct binder *b, const struct syn *s)
{
    struct strlist folded = { 0 }, terms = { 0 };
    analyzer_set_stemming(b->an, 0);
    analyzer_run(b->an, s->text, s->len, 0, collect_one, &folded, NULL);
    analyzer_set_stemming(b->an, 1);
    if (folded.n != 1) {
        bind_fail_at(b, s->at, folded.n ? "a prefix must be a single word"
                                   : "'*' needs letters or digits before it");
        strlist_free(&folded);
        return NULL;
    }
    const char *prefix = strlist_get(&folded, 0);
    bool capped;
    sift_err rc = prefix_terms(b, prefix, &terms, &capped);
    if (rc) b->rc = rc;
    if (!rc && capped && !b->q->warning[0])
        snprintf(b->q->warning, sizeof b->q->warning,
                 "prefix '%.60s*' matches more than %d terms; only the first %d are searched",
                 prefix, QUERY_MAX_EXPANSION, QUERY_MAX_EXPANSION);
    struct qnode *g = bind_failed(b) ? NULL : bind_node_new(b, QK_BOOL);
    for (const char *t = strlist_first(&terms); g && t; t = strlist_next(&terms, t)) {
        struct qnode *leaf = bind_node_new(b, QK_TERM);
        if (!leaf || !bind_term_add(b, leaf, t, strlen(t), s->at) || !bind_add_kid(b, g, leaf, OCCUR_SHOULD)) {
            if (leaf && bind_failed(b)) qnode_free(leaf);
            qnode_free(g);
            g = NULL;
        }
    }
    /* remember the prefix for highlighting */
    struct highlight_term *hl = g ? realloc(b->q->hl, (b->q->nhl + 1) * sizeof *hl) : NULL;
    char *copy = hl ? strdup(prefix) : NULL;
    if (hl) b->q->hl = hl;
    if (copy) {
        hl[b->q->nhl++] = (struct highlight_term){ copy, strlen(copy), true };
    } else if (g) {
        bind_oom(b);
        qnode_free(g);
        g = NULL;
    }
    strlist_free(&folded);
    strlist_free(&terms);
    return g;
}

/* ------------------------------------------------------------ groups */

static struct qnode *bind_node(struct binder *b, const struct syn *s, const struct field_def *typed);

static enum occur occur_of(enum syn_mod m, enum occur plain)
{
    return m == SYN_MUST ? OCCUR_MUST : m == SYN_NOT ? OCCUR_NOT : plain;
}

static bool is_stopword_clause(const struct binder *b, const struct clause *c)
{
    (void)b;
    const struct qnode *n = c->node;
    return n && c->stop && c->mod == SYN_PLAIN && n->kind == QK_TERM && n->field == FIELD_ANY;
}

struct typed_stop {
    const struct binder *b;
    const char *text;     /* what the analyzer reads */
    size_t tokens;
    bool first;           /* the first token was typed as a stopword */
};

static int on_typed(void *ctx, const struct token *t)
{
    struct typed_stop *ts = ctx;
    if (!ts->tokens++) ts->first = stopword_is(ts->b->stops, ts->b->nstops, ts->text + t->start, t->end - t->start);
    return 0;
}

/* Whether s was typed as a stopword: a bare word (no quotes, brackets or
 * field) of one term whose letters, ignoring case, are a stopword's. */
static bool typed_stopword(struct binder *b, const struct syn *s)
{
    if (!b->stops || !s || s->kind != SYN_WORD || s->field || s->at != (size_t)(s->text - b->qs->text))
        return false;
    struct typed_stop ts = { b, s->text, 0, false };
    int was = analyzer_set_stemming(b->an, 0);   /* only the typed letters are looked at */
    analyzer_run(b->an, s->text, s->len, 0, on_typed, &ts, NULL);
    analyzer_set_stemming(b->an, was);
    return ts.tokens == 1 && ts.first;
}

/* In an OR group with other words, drop optional stopword clauses. */
static void drop_stopwords(struct binder *b, struct clause *cl, size_t n)
{
    bool other = false;
    for (size_t i = 0; i < n && !other; i++)
        other = cl[i].node && cl[i].mod != SYN_NOT && !is_stopword_clause(b, &cl[i]);
    if (!other) return;
    for (size_t i = 0; i < n; i++)
        if (is_stopword_clause(b, &cl[i])) {
            qnode_free(cl[i].node);
            cl[i].node = NULL;
        }
}

/* Bound clauses joined by one operator: MUST for AND groups (plain
 * clauses become required), SHOULD for OR groups. A single plain clause
 * stands for the group; a group of exclusions alone is an error. */
static struct qnode *join(struct binder *b, struct clause *cl, size_t n, enum occur plain,
                          bool always_group)
{
    if (plain == OCCUR_SHOULD) drop_stopwords(b, cl, n);
    size_t real = 0, last = 0;
    for (size_t i = 0; i < n; i++)
        if (cl[i].node) real++, last = i;
    if (real == 1 && cl[last].mod == SYN_PLAIN && !always_group) {
        struct qnode *only = cl[last].node;
        cl[last].node = NULL;
        return only;
    }
    if (real == 0) return NULL;
    struct qnode *g = bind_node_new(b, QK_BOOL);
    bool positive = false;
    for (size_t i = 0; g && i < n; i++) {
        if (!cl[i].node) continue;
        positive |= cl[i].mod != SYN_NOT;
        bool ok = bind_add_kid(b, g, cl[i].node, occur_of(cl[i].mod, plain));
        cl[i].node = NULL;
        if (!ok) {
            qnode_free(g);
            return NULL;
        }
    }
    if (g && !positive) {
        bind_fail_at(b, cl[0].at, "only exclusions here: add a word to search for (or '*' for every document)");
        qnode_free(g);
        return NULL;
    }
    return g;
}

static void free_clauses(struct clause *cl, size_t n)
{
    for (size_t i = 0; i < n; i++) qnode_free(cl[i].node);
    free(cl);
}

bool qnode_is_filter(const struct qnode *n)
{
    if (qkind_filters(n->kind)) return true;
    if (n->kind != QK_BOOL) return false;
    bool any = false;
    for (size_t i = 0; i < n->nkids; i++) {
        if (n->occurs[i] == OCCUR_NOT) continue;
        if (!qnode_is_filter(n->kids[i])) return false;
        any = true;
    }
    return any;
}

/* Words side by side without OR, some of them filters: the filters must
 * hold, and so must one of the plain words unless a word is required
 * already -- cloud outage source:reuters means reuters' documents about
 * cloud or outage, not every reuters document. */
static void filters_hold(struct binder *b, struct clause *cl, size_t n)
{
    size_t filters = 0, plain = 0, required = 0;
    for (size_t i = 0; i < n; i++) {
        if (!cl[i].node) continue;
        bool f = qnode_is_filter(cl[i].node);
        if (f && cl[i].mod == SYN_PLAIN) filters++, cl[i].mod = SYN_MUST;
        else if (!f && cl[i].mod == SYN_PLAIN) plain++;
        else if (!f && cl[i].mod == SYN_MUST) required++;
    }
    if (!filters || !plain || required) return;
    struct clause *words = calloc(plain, sizeof *words);
    if (!words) return bind_oom(b);
    size_t k = 0, first = n;
    for (size_t i = 0; i < n; i++)
        if (cl[i].node && cl[i].mod == SYN_PLAIN) {
            if (first == n) first = i;
            words[k++] = cl[i];
            cl[i].node = NULL;
        }
    cl[first] = (struct clause){ join(b, words, k, OCCUR_SHOULD, false), SYN_MUST, words[0].at };
    free_clauses(words, k);
}

/* typed: the typed field the group is under (its words are its values), or NULL. */
static struct qnode *bind_group(struct binder *b, const struct syn *s, const struct field_def *typed)
{
    struct clause *cl = calloc(s->nkids ? s->nkids : 1, sizeof *cl);
    if (!cl) return bind_oom(b), NULL;
    for (size_t i = 0; i < s->nkids && !bind_failed(b); i++) {
        const struct syn_clause *k = &s->kids[i];
        cl[i] = (struct clause){ k->node ? bind_node(b, k->node, typed) : NULL, k->mod, k->at,
                                 !typed && typed_stopword(b, k->node) };
    }
    if (!bind_failed(b) && !s->and_group && !s->explicit_or) filters_hold(b, cl, s->nkids);
    struct qnode *g = bind_failed(b) ? NULL : join(b, cl, s->nkids, s->and_group ? OCCUR_MUST : OCCUR_SHOULD, false);
    free_clauses(cl, s->nkids);
    return g;
}

/* Literal mode: no syntax, but the words are the parser's -- runs of text
 * between spaces, brackets and quotes -- each a clause read by the word
 * rule (a word that splits into terms is their phrase: spin-off is "spin
 * off"). Always a group, so that a single word keeps its MUST under
 * SIFT_QUERY_ALL. */
static bool literal_break(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v' || c == '(' ||
           c == ')' || c == '"';
}

static struct qnode *bind_literal(struct binder *b, const struct syn *s)
{
    size_t cap = 0;
    for (size_t i = 0; i < s->len; i++) cap += !literal_break(s->text[i]) && (i == 0 || literal_break(s->text[i - 1]));
    struct clause *cl = calloc(cap ? cap : 1, sizeof *cl);
    if (!cl) return bind_oom(b), NULL;
    enum syn_mod mod = b->qs->flags & SIFT_QUERY_ALL ? SYN_MUST : SYN_PLAIN;
    size_t n = 0;
    for (size_t i = 0; i < s->len && !bind_failed(b);) {
        if (literal_break(s->text[i])) {
            i++;
            continue;
        }
        size_t end = i;
        while (end < s->len && !literal_break(s->text[end])) end++;
        struct syn w = { .kind = SYN_WORD, .at = s->at + i, .text = s->text + i, .len = end - i };
        struct qnode *leaf = bind_word(b, &w);
        if (leaf) cl[n++] = (struct clause){ leaf, mod, w.at, typed_stopword(b, &w) };
        i = end;
    }
    struct qnode *g = bind_failed(b) ? NULL : join(b, cl, n, mod == SYN_MUST ? OCCUR_MUST : OCCUR_SHOULD, true);
    free_clauses(cl, n);
    return g;
}

/* FIELD: the name as typed, to one of the index's fields. */
/* The field written before s: title or text into *f, a typed field into
 * *typed (none written: both left as they are). */
static void resolve_field(struct binder *b, const struct syn *s, enum field *f,
                          const struct field_def **typed)
{
    if (!s->field) return;
    char name[FIELD_NAME_MAX + 1];
    size_t n = s->field_len < FIELD_NAME_MAX ? s->field_len : FIELD_NAME_MAX;
    for (size_t i = 0; i < n; i++) name[i] = (char)(s->field[i] >= 'A' && s->field[i] <= 'Z' ? s->field[i] + 32 : s->field[i]);
    name[n] = 0;
    int k = s->field_len <= FIELD_NAME_MAX ? schema_find(&b->idx->schema, name) : -1;
    if (!strcmp(name, "title") || !strcmp(name, "text")) {
        *f = name[1] == 'i' ? FIELD_TITLE : FIELD_TEXT;
        *typed = NULL;
    } else if (k >= 0) {
        *typed = &b->idx->schema.f[k];
    } else {
        char known[400] = "title, text";
        for (uint32_t i = 0; i < b->idx->schema.n && strlen(known) < sizeof known - 80; i++)
            snprintf(known + strlen(known), sizeof known - strlen(known), ", %s", b->idx->schema.f[i].name);
        bind_fail_at(b, (size_t)(s->field - b->qs->text), "unknown field '%.*s' (the fields are %s)",
                     (int)s->field_len, s->field, known);
    }
}

static struct qnode *bind_node(struct binder *b, const struct syn *s, const struct field_def *typed)
{
    enum field f = FIELD_ANY;
    resolve_field(b, s, &f, &typed);
    if (bind_failed(b)) return NULL;
    struct qnode *n = NULL;
    if (s->kind == SYN_RANGE && !typed) {
        bind_fail_at(b, s->at, "ranges apply to date and number fields");
        return NULL;
    }
    if (s->kind == SYN_ALL && s->field) {
        bind_fail_at(b, s->at, "'*' alone matches every document; FIELD:* is not supported (FIELD:[* TO *] "
                               "finds the documents with a date or number)");
        return NULL;
    }
    if (typed && s->kind != SYN_GROUP && s->kind != SYN_LITERAL) n = bind_typed(b, s, typed);
    else switch (s->kind) {
    case SYN_WORD: n = bind_word(b, s); break;
    case SYN_PREFIX: n = bind_prefix(b, s); break;
    case SYN_FUZZY: n = bind_fuzzy(b, s); break;
    case SYN_PHRASE: n = bind_phrase(b, s); break;
    case SYN_NEAR: n = bind_near(b, s); break;
    case SYN_GROUP: n = bind_group(b, s, typed); break;
    case SYN_LITERAL: n = bind_literal(b, s); break;
    case SYN_RANGE: break;
    case SYN_ALL:
        if ((n = bind_node_new(b, QK_ALL))) snprintf(n->shown, sizeof n->shown, "* (every document)");
        break;
    }
    if (bind_failed(b)) {
        qnode_free(n);
        return NULL;
    }
    set_field(n, f);   /* after the subtree: an inner field wins */
    return n;
}

/* ------------------------------------------------------ after binding */

/* The counts the query scores with: the index's or every shard's. */
static void set_counts(struct binder *b)
{
    struct coll_stats *c = &b->q->coll;
    if (b->global) {
        gs_counts(b->global, &c->docs, &c->tokens, &c->title_tokens);
    } else {
        c->docs = b->idx->doc_count;
        c->tokens = b->idx->token_count;
        c->title_tokens = b->idx->title_token_count;
    }
    c->avgdl = c->docs ? (double)c->tokens / (double)c->docs : 1.0;   /* as index.c's finish_stats */
    if (c->avgdl <= 0) c->avgdl = 1.0;
}

static void compute_idf(struct binder *b)
{
    set_counts(b);
    sift_query *q = b->q;   /* new: bound once (query_parse_exact) */
    size_t nsegs = b->idx->nsegs;
    if (!b->global && nsegs && b->nuniq && !bind_failed(b)) {
        q->seg_ti = malloc(b->nuniq * nsegs * sizeof *q->seg_ti);
        if (q->seg_ti) q->nseg_terms = b->nuniq;   /* else the iterators look up again */
    }
    for (size_t i = 0; i < b->nuniq && !bind_failed(b); i++) {
        uint64_t df;
        const struct qterm *t = &b->uniq[i];
        sift_err rc = SIFT_OK;
        if (b->global) df = gs_live_df(b->global, t->term, t->len);
        else rc = index_term_lookup(b->idx, t->term, t->len, &df, q->seg_ti ? q->seg_ti + i * nsegs : NULL, b->err);
        if (!rc && b->collect && !gs_set_live(b->collect, t->term, t->len, df))
            rc = sift_fail(b->err, SIFT_ERR_NOMEM, "out of memory collecting statistics");
        if (rc) b->rc = rc;
        else b->uniq[i].idf = bm25_idf(b->q->coll.docs, df), b->uniq[i].df = df;
    }
}

/* Every term's idf (times the scales above it: feedback.h), and the
 * blending of fuzzy groups. */
static void fill_idf(struct binder *b, struct qnode *n, double scale)
{
    if (!n) return;
    if (n->scale > 0) scale *= n->scale;
    for (size_t i = 0; i < n->nterms; i++) {
        n->terms[i].idf = b->uniq[n->terms[i].id].idf * scale;
        n->terms[i].df = b->uniq[n->terms[i].id].df;
    }
    for (size_t i = 0; i < n->nkids; i++) fill_idf(b, n->kids[i], scale);
    if (!n->blend) return;
    double least = 0;   /* of the most frequent term */
    for (size_t i = 0; i < n->nkids; i++)
        if (!i || n->kids[i]->terms[0].idf < least) least = n->kids[i]->terms[0].idf;
    for (size_t i = 0; i < n->nkids; i++) n->kids[i]->terms[0].idf = least * n->kids[i]->boost;
}

/* Terms to highlight: those of every clause that is not an exclusion. */
static void collect_highlights(struct binder *b, const struct qnode *n)
{
    if (!n || bind_failed(b)) return;
    sift_query *q = b->q;
    for (size_t i = 0; i < n->nterms; i++) {
        if (term_is_field(n->terms[i].term, n->terms[i].len)) continue;   /* not in the text */
        bool seen = false;
        for (size_t k = 0; k < q->nhl && !seen; k++)
            seen = !q->hl[k].prefix && q->hl[k].len == n->terms[i].len &&
                   !memcmp(q->hl[k].term, n->terms[i].term, n->terms[i].len);
        if (seen) continue;
        struct highlight_term *h = realloc(q->hl, (q->nhl + 1) * sizeof *h);
        char *t = h ? strdup(n->terms[i].term) : NULL;
        if (h) q->hl = h;
        if (!t) return bind_oom(b);
        q->hl[q->nhl++] = (struct highlight_term){ t, n->terms[i].len, false };
    }
    for (size_t i = 0; i < n->nkids; i++)
        if (n->occurs[i] != OCCUR_NOT) collect_highlights(b, n->kids[i]);
}

static sift_err bind(const struct query_syntax *qs, const sift_index *idx, struct stats_link *link,
                     sift_query *q, sift_errmsg *err)
{
    struct binder b = { .qs = qs, .idx = idx, .an = analyzer_new(idx->language), .err = err, .q = q };
    b.stats_match = true;
    if (link && link->global) b.global = link->global;
    else if (link && link->collecting) b.collect = gs_new(link->text, link->flags, idx);
    if (!b.an || !strmap_init(&b.ids, 64) || (link && link->collecting && !b.collect)) {
        analyzer_free(b.an);
        strmap_free(&b.ids);
        sift_stats_free(b.collect);
        return sift_fail(err, SIFT_ERR_NOMEM, "out of memory (or unknown language '%s')",
                         idx->language);
    }
    if (!(qs->flags & SIFT_QUERY_KEEP_STOPWORDS))
        b.stops = stopwords_for(idx->language, (qs->flags & SIFT_QUERY_LUCENE_STOPWORDS) != 0, &b.nstops);
    q->root = qs->root ? bind_node(&b, qs->root, NULL) : NULL;
    if (q->root && !bind_failed(&b) && link && link->expand) q->root = bind_feedback(&b, q->root, link->expand);
    if (!bind_failed(&b) && !q->root)
        b.rc = sift_fail(err, SIFT_ERR_QUERY, "query \"%.200s\" has no searchable words", qs->text);
    if (!bind_failed(&b) && b.global && (!b.stats_match || b.nexp != gs_expansion_count(b.global)))
        b.rc = sift_fail(err, SIFT_ERR_INVALID, "the statistics were collected for a query read otherwise "
                         "(%zu prefixes and fuzzy words, here %zu: a field typed in one index and not in "
                         "another?)", gs_expansion_count(b.global), b.nexp);
    compute_idf(&b);
    fill_idf(&b, q->root, 1.0);
    collect_highlights(&b, q->root);
    if (b.collect && !b.rc) {   /* this reading's statistics, not an earlier failed one's */
        sift_stats_free(link->collect);
        link->collect = b.collect;
    } else {
        sift_stats_free(b.collect);
    }
    analyzer_free(b.an);
    for (size_t i = 0; i < b.nuniq; i++) free(b.uniq[i].term);
    free(b.uniq);
    strmap_free(&b.ids);
    return b.rc;
}

sift_err query_parse_exact(const sift_index *idx, const char *text, unsigned flags, struct stats_link *link,
                           sift_query **out, sift_errmsg *err)
{
    *out = NULL;
    struct query_syntax qs;
    sift_err rc = query_syntax_parse(text, flags, &qs, err);
    if (rc) return rc;
    sift_query *q = calloc(1, sizeof *q);
    if (!q) rc = sift_fail(err, SIFT_ERR_NOMEM, "out of memory parsing the query");
    else q->idx = idx;
    if (!rc) rc = bind(&qs, idx, link, q, err);
    query_syntax_free(&qs);
    if (rc) {
        sift_query_free(q);
        return rc;
    }
    *out = q;
    return SIFT_OK;
}

const char *sift_query_warning(const sift_query *q)
{
    return q->warning[0] ? q->warning : NULL;
}

void sift_query_free(sift_query *q)
{
    if (!q) return;
    free(q->text);
    qnode_free(q->root);
    for (size_t i = 0; i < q->nhl; i++) free(q->hl[i].term);
    free(q->hl);
    free(q->seg_ti);
    free(q);
}
