/* score.c -- scoring a confirmed document: BM25 and BM25F per clause,
 * the BM25TP proximity bonus, and the explanation of a score.
 * Scores: TERM idf * f / (f + norm) with f its (field) frequency; PHRASE
 * and NEAR the same with the summed idf of their terms and the number of
 * matches as f (Lucene's PhraseQuery); BOOL the sum of its matching clauses.
 */
#include "score.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "bytes.h"
#include "index.h"
#include "iter.h"

void score_params_init(struct score_params *sp, const sift_query *q, const sift_search_options *o)
{
    const struct coll_stats *c = &q->coll;
    *sp = (struct score_params){ o->k1, o->b, o->rank, o->title_weight, o->text_weight, c->avgdl };
    if (o->title_weight > 0 || o->text_weight > 0) {
        double n = c->docs ? (double)c->docs : 1;
        double avg = (o->title_weight * (double)c->title_tokens +
                      o->text_weight * (double)(c->tokens - c->title_tokens)) / n;
        sp->avgdl = avg > 0 ? avg : 1;
    }
}

/* BM25F frequency of a word: title and text occurrences weighted. Where
 * the skip entry says no title of the block holds the word, its positions
 * are not read; where its first position is past the document's title,
 * only that one is. */
static double weighted_freq(struct qit *it, struct doc_ctx *dc, const struct scoring *sc)
{
    struct postings *p = &it->post[0];
    uint32_t tf = postings_tf(p), in_title = 0;
    if (postings_title_tf(p)) {
        if (doc_ctx_load(dc)) return qit_leaf_freq(it);
        uint32_t first = it->pos_doc[0] == p->doc && p->doc != DOC_END ? it->pos[0][0]   /* read already */
                                                                      : postings_first_position(p);
        if (p->rc) return qit_leaf_freq(it);
        if (first < dc->title_len) {
            if (!qit_load_positions(it, 0, dc)) return qit_leaf_freq(it);
            in_title = positions_in_title(it->pos[0], tf, dc->title_len);
        }
    }
    return sc->w_title * in_title + sc->w_text * (tf - in_title);
}

double qit_score(struct qit *it, struct doc_ctx *dc, const struct scoring *sc)
{
    if (it->node->kind != QK_BOOL) {
        double f = qit_leaf_freq(it);
        if (qkind_filters(it->node->kind)) return 0;   /* filters */
        if (qit_field_weighed(it, sc->w_title, sc->w_text)) f = weighted_freq(it, dc, sc);
        return f > 0 ? bm25_tf(it->idf_sum, f, sc->norm) : 0;
    }
    double s = 0;
    for (size_t i = 0; i < it->nkids; i++)
        if (it->occurs[i] != OCCUR_NOT && qit_kid_matches(it->kids[i], it->doc, dc))
            s += qit_score_clause(it->kids[i], dc, sc);
    return s;
}

#define PROX_WINDOW 5
#ifndef PROX_WEIGHT
#define PROX_WEIGHT 0.25   /* one constant for every collection (see docs/QUERY.md) */
#endif
#ifndef PROX_PAIR_SPAN
#define PROX_PAIR_SPAN 1   /* pairs of words next to each other in the query */
#endif
#define PROX_MAX_TERMS 32

/* Word leaves of the tree that match the current document. */
static void collect_words(struct qit *it, struct doc_ctx *dc, struct qit **out, size_t *n)
{
    if (it->node->kind == QK_TERM) {   /* of title and text: a field's words have their own positions */
        if (it->node->field != FIELD_NAMED && *n < PROX_MAX_TERMS) out[(*n)++] = it;
        return;
    }
    if (it->node->kind != QK_BOOL) return;
    for (size_t i = 0; i < it->nkids; i++)
        if (it->occurs[i] != OCCUR_NOT && qit_kid_matches(it->kids[i], it->doc, dc))
            collect_words(it->kids[i], dc, out, n);
}

/* Every x meets at most two y at each distance d <= PROX_WINDOW (before
 * and after it), and every y two x: a pair's acc is at most this much
 * times the smaller tf (2 * the sum of 1/d^2 for d = 1..5, rounded up). */
#define PROX_ACC_PER_TF 2.9273

/* The bonus of the document, or with ceiling its most from the words'
 * counts alone (no positions read). */
static double proximity(struct qit *it, struct doc_ctx *dc, const struct scoring *sc, bool ceiling)
{
    struct qit *w[PROX_MAX_TERMS];
    size_t n = 0;
    collect_words(it, dc, w, &n);
    if (n < 2) return 0;
    for (size_t i = 0; !ceiling && i < n; i++)
        if (!qit_load_positions(w[i], 0, dc)) return 0;
    double bonus = 0;
    for (size_t i = 0; i < n; i++) {
        for (size_t j = i + 1; j < n && j <= i + PROX_PAIR_SPAN; j++) {
            if (w[i]->node->terms[0].id == w[j]->node->terms[0].id) continue;
            uint32_t na = postings_tf(&w[i]->post[0]), nb = postings_tf(&w[j]->post[0]);
            double acc = 0;
            if (ceiling) {
                acc = PROX_ACC_PER_TF * (na < nb ? na : nb);
            } else {
                const uint32_t *a = w[i]->pos[0], *b = w[j]->pos[0];
                size_t lo = 0;
                for (uint32_t x = 0; x < na; x++) {
                    while (lo < nb && b[lo] + PROX_WINDOW < a[x]) lo++;
                    for (size_t y = lo; y < nb && b[y] <= a[x] + PROX_WINDOW; y++) {
                        uint32_t d = a[x] > b[y] ? a[x] - b[y] : b[y] - a[x];
                        if (d) acc += 1.0 / ((double)d * d);
                    }
                }
            }
            if (acc > 0) {
                double idf = w[i]->idf_sum < w[j]->idf_sum ? w[i]->idf_sum : w[j]->idf_sum;
                bonus += PROX_WEIGHT * idf * acc * (sc->k1 + 1) / (acc + sc->norm);
            }
        }
    }
    return bonus;
}

double qit_proximity(struct qit *it, struct doc_ctx *dc, const struct scoring *sc)
{
    return proximity(it, dc, sc, false);
}

double qit_proximity_ceiling(struct qit *it, struct doc_ctx *dc, const struct scoring *sc)
{
    return proximity(it, dc, sc, true);
}

static void bound_words(const struct qit *it, double *sum, double *max, size_t *n)
{
    if (it->node->kind == QK_TERM) {   /* the words collect_words may take (all: any 32 may match) */
        if (it->node->field == FIELD_NAMED) return;
        double idf = it->idf_sum > 0 ? it->idf_sum : 0;
        *sum += idf;
        if (idf > *max) *max = idf;
        ++*n;
        return;
    }
    if (it->node->kind != QK_BOOL) return;
    for (size_t i = 0; i < it->nkids; i++)
        if (it->occurs[i] != OCCUR_NOT) bound_words(it->kids[i], sum, max, n);
}

double qit_proximity_bound(const struct qit *root, const struct score_params *sp)
{
    double sum = 0, max = 0;
    size_t n = 0;
    bound_words(root, &sum, &max, &n);
    if (n < 2) return 0;
    /* a pair's bonus: PROX_WEIGHT * idf * acc * (k1 + 1) / (acc + norm) < PROX_WEIGHT * idf * (k1 + 1) */
    return proximity_chain_cap(PROX_WEIGHT * (sp->k1 + 1) * sum, PROX_WEIGHT * (sp->k1 + 1) * max);
}

double proximity_word_cap(double idf, uint32_t tf, double norm, double k1)
{
    double acc = PROX_ACC_PER_TF * tf;
    return acc > 0 && idf > 0 ? PROX_WEIGHT * idf * acc * (k1 + 1) / (acc + norm) : 0;
}

double proximity_chain_cap(double sum, double max)
{
    return PROX_PAIR_SPAN * (sum - max);
}

static void line(struct buf *out, int depth, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void line(struct buf *out, int depth, const char *fmt, ...)
{
    char tmp[512];
    int n = snprintf(tmp, sizeof tmp, "%*s", depth * 2, "");
    va_list ap;
    va_start(ap, fmt);
    n += vsnprintf(tmp + n, sizeof tmp - (size_t)n, fmt, ap);
    va_end(ap);
    if (n > (int)sizeof tmp - 2) n = (int)sizeof tmp - 2;
    tmp[n++] = '\n';
    buf_append(out, tmp, (size_t)n);
}

static const char *field_name(enum field f)
{
    return f == FIELD_TITLE ? "title" : f == FIELD_TEXT ? "text" : f == FIELD_NAMED ? "its field" : "title+text";
}

double qit_explain(struct qit *it, struct doc_ctx *dc, const struct scoring *sc, struct buf *out,
                   int depth)
{
    const struct qnode *n = it->node;
    double score = qit_score(it, dc, sc);
    if (qkind_filters(n->kind)) {
        line(out, depth, "0.0000  filter %s (matches; does not score)", n->shown);
    } else if (n->kind == QK_TERM) {
        uint32_t tf = postings_tf(&it->post[0]);
        char where[160] = "";
        if (qit_load_positions(it, 0, dc)) {
            size_t o = 0;
            for (uint32_t k = 0; k < tf && k < 8 && o < sizeof where - 16; k++)
                o += (size_t)snprintf(where + o, sizeof where - o, "%s%u", k ? "," : "", it->pos[0][k]);
            if (tf > 8) snprintf(where + o, sizeof where - o, ",...");
        }
        char freq[96];
        if (qit_field_weighed(it, sc->w_title, sc->w_text) && qit_load_positions(it, 0, dc) &&
            !doc_ctx_load(dc)) {   /* BM25F: each field weighed */
            uint32_t in_title = positions_in_title(it->pos[0], tf, dc->title_len);
            snprintf(freq, sizeof freq, "title %u x %g + text %u x %g = %g", in_title, sc->w_title,
                     tf - in_title, sc->w_text, sc->w_title * in_title + sc->w_text * (tf - in_title));
        } else {
            snprintf(freq, sizeof freq, "in field %u", qit_leaf_freq(it));
        }
        line(out, depth, "%.4f  word '%s' in %s: tf %u (%s) at positions %s; df %llu, idf %.4f",
             score, n->terms[0].term, field_name(n->field), tf, freq, where,
             (unsigned long long)n->terms[0].df, it->idf_sum);
    } else if (n->kind == QK_PHRASE || n->kind == QK_NEAR) {
        char words[200];
        size_t o = 0;
        for (size_t i = 0; i < n->nterms && o < sizeof words - 40; i++)
            o += (size_t)snprintf(words + o, sizeof words - o, "%s%s", i ? " " : "", n->terms[i].term);
        const char *kind = n->kind == QK_PHRASE ? "phrase" : n->ordered ? "ONEAR" : "NEAR";
        line(out, depth, "%.4f  %s '%s' (distance %u) in %s: %u match%s, idf %.4f (sum of its words)",
             score, kind, words, n->dist, field_name(n->field), it->freq, it->freq == 1 ? "" : "es",
             it->idf_sum);
    } else {
        line(out, depth, "%.4f  sum of the matching clauses:", score);
        for (size_t i = 0; i < it->nkids; i++) {
            struct qit *k = it->kids[i];
            const char *occ = it->occurs[i] == OCCUR_MUST ? "required" : it->occurs[i] == OCCUR_NOT ? "excluded" : "optional";
            if (!qit_kid_matches(k, it->doc, dc)) {
                line(out, depth + 1, "-       (%s clause: no match)", occ);
                continue;
            }
            if (it->occurs[i] == OCCUR_NOT) continue;
            qit_explain(k, dc, sc, out, depth + 1);
        }
    }
    return score;
}

