/* feedback.h -- pseudo-relevance feedback (RM3, as Anserini runs it): the
 * words of the best documents of a first search, weighted by how much of
 * each document they are and how well it ranked, added to the query.
 * sift_query_expand (sift.h) computes them; the binder (query_bind.c)
 * reads the query again with them. */
#ifndef SIFT_FEEDBACK_H
#define SIFT_FEEDBACK_H

#include <stddef.h>

#define FEEDBACK_DOCS 10        /* documents read */
#define FEEDBACK_TERMS 10       /* terms added */
#define FEEDBACK_ORIGINAL 0.5   /* the original query's share */

/* The terms to add and their weights (summing to 1 - original); the
 * original query's words share `original` equally. */
struct feedback {
    char **terms;
    size_t *lens;
    double *weights;
    size_t n;
    double original;
};

#endif
