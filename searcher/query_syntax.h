/* query_syntax.h -- the first stage of a query: its text as a tree of what
 * was typed, before any analysis, with the column of every part. Parsing
 * needs no index (query_parse.c), so it is unit-tested and fuzzed on its
 * own; binding (query_bind.c) then turns the tree into terms of an index.
 * Grammar and meaning: docs/QUERY.md. */
#ifndef SIFT_QUERY_SYNTAX_H
#define SIFT_QUERY_SYNTAX_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <sift/sift.h>

enum syn_kind {
    SYN_WORD,      /* text: one word as typed (may analyze to several terms, or none) */
    SYN_PREFIX,    /* text: the word before its '*' */
    SYN_FUZZY,     /* text: the word before its '~'; dist: the edit distance (0 to 2) */
    SYN_PHRASE,    /* text: what lies between the quotes; dist: the slop */
    SYN_NEAR,      /* text: the words in NEAR/dist( ... ); ordered for ONEAR */
    SYN_GROUP,     /* kids joined by one operator (join) */
    SYN_LITERAL,   /* text: the whole query, as words (SIFT_QUERY_LITERAL) */
    SYN_RANGE,     /* FIELD:[lo TO hi], FIELD:>=lo ...: text the low bound, hi the high
                      one (NULL or "*": an open end), lo_incl and hi_incl */
    SYN_ALL,       /* '*' (or '*:*') alone: every document */
};

enum syn_mod { SYN_PLAIN, SYN_MUST, SYN_NOT };   /* what stands before a clause */

struct syn_clause {
    struct syn *node;
    enum syn_mod mod;
    size_t at;             /* column of the clause, its operator included */
};

struct syn {
    enum syn_kind kind;
    size_t at;             /* column (byte offset in the query) where it starts */
    const char *text;      /* into the query text */
    size_t len;
    uint32_t dist;
    bool ordered;
    /* FIELD ':' before this node: the name as typed (NULL: none) */
    const char *field;
    size_t field_len;
    /* SYN_RANGE: the high bound, and which ends belong to the range */
    const char *hi;
    size_t hi_len;
    bool lo_incl, hi_incl;
    /* SYN_GROUP: AND groups make plain clauses required, OR groups optional;
     * explicit_or: the group was written with OR (not only juxtaposed) */
    bool and_group, explicit_or;
    struct syn_clause *kids;
    size_t nkids, capkids;
};

struct query_syntax {
    char *text;            /* a copy of the query: every syn points into it */
    size_t len;
    unsigned flags;        /* SIFT_QUERY_* */
    struct syn *root;      /* NULL when the query is empty (or only spaces) */
};

/* Parentheses nest at most this deep. Each level is an OR group whose
 * clauses may be AND groups, so a tree is at most 2 * (QUERY_MAX_DEPTH + 1)
 * groups deep above its leaves (QUERY_MAX_TREE_DEPTH nodes). */
#define QUERY_MAX_DEPTH 64
#define QUERY_MAX_TREE_DEPTH (2 * (QUERY_MAX_DEPTH + 1) + 1)
#define QUERY_MAX_DIST 1000

/* Parse text (flags SIFT_QUERY_ALL, SIFT_QUERY_LITERAL) into *out. Errors
 * are SIFT_ERR_QUERY with the column and a caret in err->msg. */
sift_err query_syntax_parse(const char *text, unsigned flags, struct query_syntax *out,
                            sift_errmsg *err);
void query_syntax_free(struct query_syntax *q);

/* The query error at column `at` of text[0..len): the reason (fmt, ap), then the
 * query around the column with a caret under it. Returns SIFT_ERR_QUERY. */
sift_err query_error_vat(sift_errmsg *err, const char *text, size_t len, size_t at,
                         const char *fmt, va_list ap) __attribute__((format(printf, 5, 0)));
/* The column and the reason of a message query_error_vat wrote (why: n
 * bytes); false for any other message. */
bool query_error_where(const char *msg, size_t *at, char *why, size_t n);

#endif
