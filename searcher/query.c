/* query.c -- parsing query text: whitespace-separated words, each
 * optionally prefixed by + (required) or - (excluded), analyzed with the
 * index's analyzer. A word that analyzes to several terms (GPT-4o) gives
 * each of them the word's prefix. */
#include <stdlib.h>
#include <string.h>

#include "analyzer.h"
#include "error.h"
#include "index.h"
#include "query.h"

struct parse_ctx {
    sift_query *q;
    size_t cap;
    enum occur occur;
    int oom;
};

static int add_term(void *ctx, const struct token *t)
{
    struct parse_ctx *pc = ctx;
    sift_query *q = pc->q;
    for (size_t i = 0; i < q->n; i++) {
        struct qterm *e = &q->terms[i];
        if (e->len == t->len && !memcmp(e->term, t->term, t->len)) {
            /* exclusion wins over the other uses; requirement over optional */
            if (pc->occur == OCCUR_NOT || (pc->occur == OCCUR_MUST && e->occur == OCCUR_SHOULD))
                e->occur = pc->occur;
            e->weight++;
            return 0;
        }
    }
    if (q->n == pc->cap) {
        size_t cap = pc->cap ? pc->cap * 2 : 8;
        struct qterm *n = realloc(q->terms, cap * sizeof *n);
        if (!n) return pc->oom = 1;
        q->terms = n;
        pc->cap = cap;
    }
    char *s = malloc(t->len + 1);
    if (!s) return pc->oom = 1;
    memcpy(s, t->term, t->len);
    s[t->len] = 0;
    q->terms[q->n++] = (struct qterm){ s, t->len, pc->occur, 1 };
    return 0;
}

static int is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

sift_err sift_query_parse(const sift_index *idx, const char *text, sift_query **out,
                          sift_errmsg *err)
{
    *out = NULL;
    if (!text) return sift_fail(err, SIFT_ERR_INVALID, "query text is NULL");
    sift_query *q = calloc(1, sizeof *q);
    struct analyzer *an = analyzer_new(idx->language);
    if (!q || !an) {
        free(q);
        analyzer_free(an);
        return sift_fail(err, SIFT_ERR_NOMEM, "out of memory (or unknown language '%s')",
                         idx->language);
    }
    q->idx = idx;
    struct parse_ctx pc = { q, 0, OCCUR_SHOULD, 0 };
    size_t len = strlen(text);
    for (size_t i = 0; i < len && !pc.oom;) {
        while (i < len && is_space(text[i])) i++;
        size_t start = i;
        while (i < len && !is_space(text[i])) i++;
        if (start == i) break;
        pc.occur = OCCUR_SHOULD;
        if (i - start > 1 && (text[start] == '+' || text[start] == '-')) {
            pc.occur = text[start] == '+' ? OCCUR_MUST : OCCUR_NOT;
            start++;
        }
        analyzer_run(an, text + start, i - start, 0, add_term, &pc, NULL);
    }
    analyzer_free(an);
    sift_err rc = SIFT_OK;
    if (pc.oom) {
        rc = sift_fail(err, SIFT_ERR_NOMEM, "out of memory parsing the query");
    } else if (q->n == 0) {
        rc = sift_fail(err, SIFT_ERR_QUERY, "query \"%.200s\" has no searchable words", text);
    } else {
        size_t positive = 0;
        for (size_t i = 0; i < q->n; i++) positive += q->terms[i].occur != OCCUR_NOT;
        if (!positive)
            rc = sift_fail(err, SIFT_ERR_QUERY,
                           "query \"%.200s\" only excludes words; add a word to search for", text);
    }
    if (rc) {
        sift_query_free(q);
        return rc;
    }
    *out = q;
    return SIFT_OK;
}

void sift_query_free(sift_query *q)
{
    if (!q) return;
    for (size_t i = 0; i < q->n; i++) free(q->terms[i].term);
    free(q->terms);
    free(q);
}
