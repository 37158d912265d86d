/* query.h -- the parsed form of a query: a tree of nodes bound to an
 * index (terms are already analyzed with its analyzer, prefixes expanded
 * against its dictionary). Grammar and meaning: docs/QUERY.md. */
#ifndef SIFT_QUERY_H
#define SIFT_QUERY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <sift/sift.h>

enum occur { OCCUR_SHOULD, OCCUR_MUST, OCCUR_NOT };
enum field { FIELD_ANY, FIELD_TITLE, FIELD_TEXT };

enum qkind {
    QK_TERM,     /* one term */
    QK_PHRASE,   /* terms at consecutive positions (slop: moves allowed) */
    QK_NEAR,     /* terms within a window, any order (ordered: in order) */
    QK_BOOL,     /* clauses with MUST / SHOULD / NOT */
};

struct qterm {
    char *term;
    size_t len;
    uint32_t id;        /* equal terms of one query share an id */
    double idf;         /* collection-wide, set at parse time */
};

struct qnode {
    enum qkind kind;
    enum field field;
    struct qterm *terms;      /* TERM: 1; PHRASE, NEAR: nterms */
    size_t nterms;
    uint32_t dist;            /* PHRASE: slop; NEAR: allowed words between */
    bool ordered;             /* NEAR: ONEAR */
    struct qnode **kids;      /* BOOL */
    enum occur *occurs;
    size_t nkids;
};

/* A term to highlight in snippets: a query term, or a prefix. */
struct highlight_term {
    char *term;
    size_t len;
    bool prefix;
};

struct sift_query {
    const sift_index *idx;
    struct qnode *root;
    struct highlight_term *hl;
    size_t nhl;
    char warning[256];        /* e.g. a capped prefix expansion; "" when none */
};

#define QUERY_MAX_DEPTH 64
#define QUERY_MAX_LEAVES 4096
#define QUERY_MAX_PHRASE 32
#define QUERY_MAX_EXPANSION 1024
#define QUERY_MAX_DIST 1000

void qnode_free(struct qnode *n);

#endif
