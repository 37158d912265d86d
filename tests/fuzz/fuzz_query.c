/* fuzz_query.c -- libFuzzer target for the query grammar alone
 * (query_parse.c): no index, no analyzer, so it runs at the parser's own
 * speed. The first byte picks the flags; the rest is the query. Every
 * query either parses into a tree whose every part lies inside the text,
 * or fails with a message naming its column (as query_error_where reads
 * it back for the lenient reading). fuzz_search binds and runs what
 * parses, strictly and leniently. */
#include <stdlib.h>
#include <string.h>

#include "query_syntax.h"

static void check(const struct query_syntax *q, const struct syn *n, int depth)
{
    if (!n) return;
    const char *end = q->text + q->len;
    if (depth >= QUERY_MAX_TREE_DEPTH || n->at > q->len ||
        (n->text && (n->text < q->text || n->text + n->len > end)) || (!n->text && n->kind != SYN_RANGE) ||
        (n->hi && (n->hi < q->text || n->hi + n->hi_len > end)) ||
        (n->field && (n->field < q->text || n->field + n->field_len > end)))
        abort();
    if (n->kind != SYN_GROUP && n->nkids) abort();
    for (size_t i = 0; i < n->nkids; i++) {
        if (n->kids[i].at > q->len) abort();
        check(q, n->kids[i].node, depth + 1);
    }
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);
int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    if (size < 1 || size > 4096) return 0;
    char *text = malloc(size);
    memcpy(text, data + 1, size - 1);
    text[size - 1] = 0;
    struct query_syntax q;
    sift_errmsg err;
    sift_err rc = query_syntax_parse(text, data[0] & 3, &q, &err);
    if (rc == SIFT_OK) {
        check(&q, q.root, 0);
        query_syntax_free(&q);
    } else {
        /* a malformed query says where, in the form the lenient reading reads back */
        size_t at;
        char why[200];
        if (rc != SIFT_ERR_QUERY || !query_error_where(err.msg, &at, why, sizeof why) || at > size - 1 || !why[0])
            abort();
    }
    free(text);
    return 0;
}
