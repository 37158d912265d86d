/* bind.h -- the binder's state and helpers, shared by query_bind.c (words,
 * phrases, groups, statistics), query_fields.c (typed fields: keyword
 * values, date and number ranges, text fields) and feedback.c (the terms
 * of pseudo-relevance feedback). Nothing else includes it. */
#ifndef SIFT_BIND_H
#define SIFT_BIND_H

#include <stdbool.h>
#include <stddef.h>

#include <sift/sift.h>

#include "query.h"
#include "query_syntax.h"
#include "schema.h"
#include "strmap.h"

struct analyzer;

struct binder {
    const struct query_syntax *qs;
    const sift_index *idx;
    struct analyzer *an;
    size_t leaves;
    sift_err rc;
    sift_errmsg *err;
    struct strmap ids;        /* distinct terms -> index in uniq */
    struct qterm *uniq;
    size_t nuniq, capuniq;
    sift_query *q;
    const char *const *stops; /* the stopwords as typed (stopwords.h); NULL: keep them */
    size_t nstops;
    const sift_stats *global; /* every shard's statistics, or NULL: the index's own */
    sift_stats *collect;      /* the index's, being collected, or NULL */
    size_t nexp;              /* expansions met so far (global_stats.h) */
    bool stats_match;         /* global's expansions are this reading's so far */
};

bool bind_failed(const struct binder *b);
/* Record the first error, at column `at` of the query. */
void bind_fail_at(struct binder *b, size_t at, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void bind_oom(struct binder *b);
struct qnode *bind_node_new(struct binder *b, enum qkind kind);
/* Append kid to group g (kid is freed on failure). */
bool bind_add_kid(struct binder *b, struct qnode *g, struct qnode *kid, enum occur o);
/* Append term t to n's terms, its id shared with equal terms. */
bool bind_term_add(struct binder *b, struct qnode *n, const char *t, size_t len, size_t at);

/* Syntax node s under typed field f (its value, range, or words of the
 * field's own term space); NULL with b->rc set on an error, or without
 * when it holds nothing searchable. */
struct qnode *bind_typed(struct binder *b, const struct syn *s, const struct field_def *f);

/* The expanded query (feedback.c): orig, bound, with fb's terms beside it;
 * NULL with b->rc set when memory is short (orig is freed). */
struct feedback;
struct qnode *bind_feedback(struct binder *b, struct qnode *orig, const struct feedback *fb);

#endif
