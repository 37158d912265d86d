/* query.h -- a parsed query: analyzed terms with how each must occur. */
#ifndef SIFT_QUERY_H
#define SIFT_QUERY_H

#include <stddef.h>
#include <stdint.h>

#include <sift/sift.h>

enum occur { OCCUR_SHOULD, OCCUR_MUST, OCCUR_NOT };

struct qterm {
    char *term;
    size_t len;
    enum occur occur;
    uint32_t weight;   /* how many times the query names it (BM25 sums them) */
};

struct sift_query {
    const sift_index *idx;
    struct qterm *terms;
    size_t n;
};

#endif
