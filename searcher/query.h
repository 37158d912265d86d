/* query.h -- a bound query: the syntax tree (query_syntax.h) turned into
 * terms of one index by query_bind.c -- words analyzed with the index's
 * analyzer, prefixes expanded against its dictionary, optional stopwords
 * dropped, every term's idf computed from the index's live statistics.
 * The iterators (iter.c) run this tree over each segment. */
#ifndef SIFT_QUERY_H
#define SIFT_QUERY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <sift/sift.h>

enum occur { OCCUR_SHOULD, OCCUR_MUST, OCCUR_NOT };
/* FIELD_NAMED: a term of a typed field's own term space (schema.h), whose
 * positions are its own: never restricted to title or text. */
enum field { FIELD_ANY, FIELD_TITLE, FIELD_TEXT, FIELD_NAMED };

enum qkind {
    QK_TERM,     /* one term */
    QK_PHRASE,   /* terms at consecutive positions (slop: moves allowed) */
    QK_NEAR,     /* terms within a window, any order (ordered: in order) */
    QK_BOOL,     /* clauses with MUST / SHOULD / NOT */
    QK_KEYWORD,  /* a keyword field has a value (terms[0]: its term): filters, scores 0 */
    QK_RANGE,    /* a date or number field's value lies in [lo, hi] (keys): filters, scores 0 */
    QK_ALL,      /* every document ('*'): filters, scores 0 */
};

/* Whether a leaf of this kind only filters: it matches or not, scoring 0. */
static inline bool qkind_filters(enum qkind k) { return k == QK_KEYWORD || k == QK_RANGE || k == QK_ALL; }

struct qterm {
    char *term;
    size_t len;
    uint32_t id;        /* equal terms of one query share an id */
    double idf;         /* collection-wide, set when bound */
    uint64_t df;        /* the live documents holding it, which idf comes from */
};

struct qnode {
    enum qkind kind;
    enum field field;
    struct qterm *terms;      /* TERM: 1; PHRASE, NEAR: nterms */
    size_t nterms, capterms;
    uint32_t dist;            /* PHRASE: slop; NEAR: allowed words between */
    bool ordered;             /* NEAR: ONEAR */
    struct qnode **kids;      /* BOOL */
    enum occur *occurs;
    size_t nkids, capkids;
    /* KEYWORD, RANGE: the field, and as typed for explain */
    char fname[64];
    char shown[128];
    uint64_t lo, hi;          /* RANGE: keys (values.h), inclusive */
    /* a fuzzy word (word~N): its group blends (every term gets the idf of
     * the most frequent one, as Lucene's FuzzyQuery does, so a rare
     * misspelling does not outrank the word meant) and each term weighs
     * 1 - distance / (the shorter length) */
    bool blend;               /* BOOL */
    double boost;             /* TERM: that weight; 0 outside fuzzy groups */
    /* pseudo-relevance feedback (feedback.c): every idf of the subtree is
     * multiplied by scale (0: 1), the original query's and each feedback
     * term's share of the expanded query */
    double scale;
};

/* Whether a node only filters: keyword and range clauses, and groups of
 * nothing else. */
bool qnode_is_filter(const struct qnode *n);

/* A term to highlight in snippets: a query term, or a prefix. */
struct highlight_term {
    char *term;
    size_t len;
    bool prefix;
};

/* The collection's counts a query scores with: its index's, or those of
 * every shard (sift_query_parse_global). */
struct coll_stats {
    uint64_t docs, tokens, title_tokens;
    double avgdl;
};

struct sift_query {
    const sift_index *idx;
    char *text;               /* as the caller gave it, and its flags: feedback reads it again */
    unsigned flags;
    struct coll_stats coll;
    struct qnode *root;
    struct highlight_term *hl;
    size_t nhl;
    /* what binding found in the dictionaries: term id t's entry in
     * segment s at seg_ti[t * idx->nsegs + s] (df 0: absent), for t <
     * nseg_terms; NULL when the statistics came from elsewhere (many
     * indexes as one). The iterators take them instead of a second
     * look-up per term and segment. */
    struct term_info *seg_ti;
    size_t nseg_terms;
    char warning[256];        /* e.g. a capped prefix expansion; "" when none */
};

#define QUERY_MAX_LEAVES 4096
#define QUERY_MAX_PHRASE 32
#define QUERY_MAX_EXPANSION 1024

void qnode_free(struct qnode *n);

/* Statistics across indexes (global_stats.h): with global, a query binds
 * to the sum of every shard's; collecting, a successful bind leaves the
 * shard's own in *collect (replacing what an earlier reading left). text
 * and flags are the query as the caller gave it, before any repair. */
struct feedback;

struct stats_link {
    const sift_stats *global;
    sift_stats *collect;
    const char *text;
    unsigned flags;
    const struct feedback *expand;   /* or NULL: terms to add to the query (feedback.h) */
    bool collecting;                 /* collect into *collect */
};

/* The query exactly as written (query_bind.c): a malformed one is
 * SIFT_ERR_QUERY with the column. query_lenient.c reads it leniently.
 * link: NULL, or statistics to read or to collect. */
sift_err query_parse_exact(const sift_index *idx, const char *text, unsigned flags, struct stats_link *link,
                           sift_query **out, sift_errmsg *err);
/* sift_query_parse_flags with statistics to read or collect. */
sift_err query_parse_linked(const sift_index *idx, const char *text, unsigned flags, struct stats_link *link,
                            sift_query **out, sift_errmsg *err);

#endif
