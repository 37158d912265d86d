/* bm25.h -- Lucene's BM25 (BM25Similarity since Lucene 8):
 *   idf(t)      = ln(1 + (N - df + 0.5) / (df + 0.5))
 *   score(t, d) = idf(t) * tf / (tf + k1 * (1 - b + b * dl / avgdl))
 * N and df count documents over all segments, dl is the document's token
 * count (title and text), avgdl the mean of dl. Lucene 8 dropped the
 * constant (k1 + 1) factor of the textbook formula; ranking is the same.
 * Unlike Lucene, dl is exact (Lucene rounds it to one byte). */
#ifndef SIFT_BM25_H
#define SIFT_BM25_H

#include <math.h>
#include <stdint.h>

#define BM25_K1 0.9
#define BM25_B 0.4

static inline double bm25_idf(uint64_t n, uint64_t df)
{
    return log(1.0 + ((double)n - (double)df + 0.5) / ((double)df + 0.5));
}

/* The length normalization k1 * (1 - b + b * dl / avgdl), shared by every
 * term of a document. */
static inline double bm25_norm(double k1, double b, uint32_t dl, double avgdl)
{
    return k1 * (1.0 - b + b * (double)dl / avgdl);
}

static inline double bm25_tf(double idf, uint32_t tf, double norm)
{
    return idf * (double)tf / ((double)tf + norm);
}

#endif
