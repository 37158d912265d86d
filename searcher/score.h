/* score.h -- the last stage of a query: how a matching document is scored.
 *
 * Lucene's BM25 (BM25Similarity since Lucene 8):
 *   idf(t)      = ln(1 + (N - df + 0.5) / (df + 0.5))
 *   score(t, d) = idf(t) * tf / (tf + k1 * (1 - b + b * dl / avgdl))
 * N and df count live documents over all segments, dl is the document's
 * token count (title and text), avgdl the mean of dl. Lucene 8 dropped the
 * constant (k1 + 1) factor of the textbook formula; ranking is the same.
 * Unlike Lucene, dl is exact (Lucene rounds it to one byte).
 * BM25F weighs title and text occurrences and lengths (score_params); the
 * BM25TP proximity bonus is in score.c. The pruning bounds (prune.c) use
 * the same functions, so a bound and the score it bounds agree. */
#ifndef SIFT_SCORE_H
#define SIFT_SCORE_H

#include <math.h>
#include <stdint.h>

#include <sift/sift.h>

#include "iter.h"

#define BM25_K1 SIFT_DEFAULT_K1
#define BM25_B SIFT_DEFAULT_B

static inline double bm25_idf(uint64_t n, uint64_t df)
{
    return log(1.0 + ((double)n - (double)df + 0.5) / ((double)df + 0.5));
}

/* The length normalization k1 * (1 - b + b * dl / avgdl), shared by every
 * term of a document: the only place it is computed. */
static inline double bm25_norm(double k1, double b, double dl, double avgdl)
{
    return k1 * (1.0 - b + b * dl / avgdl);
}

static inline double bm25_tf(double idf, double tf, double norm)
{
    return idf * tf / (tf + norm);
}

/* What a search scores with: the options resolved against the index. */
struct score_params {
    double k1, b;
    unsigned rank;               /* SIFT_RANK_* */
    double w_title, w_text;      /* BM25F field weights; 0 and 0: one flat field */
    double avgdl;                /* mean document length (weighted under BM25F) */
};

/* Parameters for options o (resolved: no negative defaults) on idx. */
void score_params_init(struct score_params *sp, const sift_query *q, const sift_search_options *o);

/* Whether pruning's bounds hold (prune.h): BM25 (flat or BM25F, whose
 * frequencies weigh at most the larger weight and lengths at least the
 * smaller), with or without the proximity bonus, whose most is
 * qit_proximity_bound. */
static inline int score_is_bounded(const struct score_params *sp)
{
    return sp->rank == SIFT_RANK_BM25 || sp->rank == SIFT_RANK_BM25_PROX;
}

/* How one document is scored: its normalization and the weights. */
struct scoring {
    double norm;              /* bm25_norm of the document's (weighted) length */
    double w_title, w_text;
    double k1;
};

static inline struct scoring scoring_for(const struct score_params *sp, uint32_t len,
                                         uint32_t title_len)
{
    double dl = len;
    if (sp->w_title > 0 || sp->w_text > 0)
        dl = sp->w_title * title_len + sp->w_text * (len - title_len);
    struct scoring s = { bm25_norm(sp->k1, sp->b, dl, sp->avgdl), sp->w_title, sp->w_text, sp->k1 };
    return s;
}

struct qit;
struct doc_ctx;
struct buf;

/* BM25 (or BM25F) score of the iterator's confirmed current document. */
double qit_score(struct qit *it, struct doc_ctx *dc, const struct scoring *sc);
/* The same, inline for the usual clause (a plain word under flat BM25,
 * by the same expression): a boolean query scores each clause of each
 * candidate. */
static inline double qit_score_clause(struct qit *k, struct doc_ctx *dc, const struct scoring *sc)
{
    if (k->word && !(sc->w_title > 0 || sc->w_text > 0)) {
        double f = postings_tf(&k->post[0]);
        return f > 0 ? bm25_tf(k->idf_sum, f, sc->norm) : 0;
    }
    return qit_score(k, dc, sc);
}
/* BM25TP proximity bonus of the current document: for each pair of word
 * leaves next to each other among those the document matches (in query
 * order), every pair of their occurrences at most 5 positions apart adds
 * 1 / distance^2 to acc, scored as 0.25 * min(idf) * acc * (k1 + 1) /
 * (acc + norm). */
double qit_proximity(struct qit *it, struct doc_ctx *dc, const struct scoring *sc);

/* The most qit_proximity can give the current document, from its words'
 * frequencies alone: pruning reads no positions of a document that
 * cannot enter the top k even with it. */
double qit_proximity_ceiling(struct qit *it, struct doc_ctx *dc, const struct scoring *sc);

/* The most qit_proximity can give any document under root (built, with
 * its idfs): each pair's bonus is below PROX_WEIGHT * (k1 + 1) times the
 * smaller idf, and the pairs of a document chain its matching words, so
 * their smaller idfs sum to at most the span times (the sum of the words'
 * idfs - the largest). */
double qit_proximity_bound(const struct qit *root, const struct score_params *sp);

/* The parts of such bounds: the most a word of idf, frequency at most tf
 * and bm25_norm at least norm brings to any pair it is in (each pair's
 * bonus is at most the smaller cap of its two words); and the most the
 * pairs of a document can sum to when its words' caps sum to sum, the
 * largest max. */
double proximity_word_cap(double idf, uint32_t tf, double norm, double k1);
double proximity_chain_cap(double sum, double max);
/* Describe the score of the confirmed current document, one indented
 * line per clause, appended to out. Returns the score. */
double qit_explain(struct qit *it, struct doc_ctx *dc, const struct scoring *sc, struct buf *out,
                   int depth);

#endif
