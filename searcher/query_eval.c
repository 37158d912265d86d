/* query_eval.c -- the iterators of query_eval.h.
 *
 *   TERM     one postings list; with a field, confirmed by counting the
 *            positions inside the field
 *   PHRASE,  a conjunction of the slots' postings as approximation; the
 *   NEAR     positions decide (proximity.c), per field: a match never
 *            spans the title/text boundary
 *   BOOL     MUST clauses leapfrog; without them, the union of SHOULD
 *            clauses; NOT clauses are checked at confirmation. SHOULD
 *            clauses next to MUST ones only add to the score.
 * Scores: TERM idf * f / (f + norm) with f its (field) frequency; PHRASE
 * and NEAR the same with the summed idf of their terms and the number of
 * matches as f (Lucene's PhraseQuery); BOOL the sum of its matching clauses.
 */
#include "query_eval.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bm25.h"
#include "bytes.h"
#include "error.h"
#include "proximity.h"

struct qit {
    const struct qnode *node;
    uint32_t doc;              /* current candidate */
    bool started;
    /* TERM, PHRASE, NEAR: one postings list per slot */
    struct postings *post;
    size_t nslots;
    uint32_t **pos;            /* per slot: positions buffer */
    uint32_t *pos_cap;
    uint32_t *pos_doc;         /* per slot: the document pos holds, or DOC_END */
    uint32_t *scratch;
    double idf_sum;
    /* BOOL */
    struct qit **kids;
    enum occur *occurs;
    size_t nkids, nmust;
    /* the largest score any document can get (pruning), once computed */
    double max_score;
    bool has_max;
    /* the leaf's block bound holds for targets in [bm_lo, bm_hi]: queries
     * move forward, so one bound serves every candidate of a block */
    bool bm_ok;
    uint32_t bm_lo, bm_hi;
    double bm_val;
    /* confirmation cache */
    uint32_t confirmed_doc;
    bool confirmed;
    uint32_t freq;
};

void qit_free(struct qit *it)
{
    if (!it) return;
    for (size_t i = 0; i < it->nkids; i++) qit_free(it->kids[i]);
    free(it->kids);
    free(it->occurs);
    for (size_t i = 0; it->pos && i < it->nslots; i++) free(it->pos[i]);
    free(it->pos);
    free(it->pos_cap);
    free(it->pos_doc);
    free(it->scratch);
    free(it->post);
    free(it);
}

static sift_err build_leaf(const struct qnode *n, const struct segment *s, sift_errmsg *err,
                           struct qit **out)
{
    *out = NULL;
    struct qit *it = calloc(1, sizeof *it);
    if (!it) return sift_fail(err, SIFT_ERR_NOMEM, "out of memory");
    it->node = n;
    it->nslots = n->nterms;
    it->post = calloc(n->nterms, sizeof *it->post);
    it->pos = calloc(n->nterms, sizeof *it->pos);
    it->pos_cap = calloc(n->nterms, sizeof *it->pos_cap);
    it->pos_doc = malloc(n->nterms * sizeof *it->pos_doc);
    it->scratch = malloc(4 * n->nterms * sizeof *it->scratch);
    it->confirmed_doc = DOC_END;
    if (!it->post || !it->pos || !it->pos_cap || !it->pos_doc || !it->scratch) {
        qit_free(it);
        return sift_fail(err, SIFT_ERR_NOMEM, "out of memory");
    }
    for (size_t i = 0; i < n->nterms; i++) {
        it->pos_doc[i] = DOC_END;
        struct term_info ti;
        bool found;
        sift_err rc = dict_lookup(s, n->terms[i].term, n->terms[i].len, &ti, &found, err);
        if (!rc && found) rc = postings_open(&it->post[i], s, &ti, err);
        if (rc || !found) {
            qit_free(it);
            return rc;
        }
        it->idf_sum += n->terms[i].idf;
    }
    *out = it;
    return SIFT_OK;
}

sift_err qit_build(const struct qnode *n, const struct segment *s, sift_errmsg *err,
                   struct qit **out)
{
    *out = NULL;
    if (n->kind != QK_BOOL) return build_leaf(n, s, err, out);
    struct qit *it = calloc(1, sizeof *it);
    if (!it) return sift_fail(err, SIFT_ERR_NOMEM, "out of memory");
    it->node = n;
    it->confirmed_doc = DOC_END;
    it->kids = calloc(n->nkids ? n->nkids : 1, sizeof *it->kids);
    it->occurs = calloc(n->nkids ? n->nkids : 1, sizeof *it->occurs);
    if (!it->kids || !it->occurs) {
        qit_free(it);
        return sift_fail(err, SIFT_ERR_NOMEM, "out of memory");
    }
    size_t positive = 0;
    /* MUST clauses first: they drive the leapfrog */
    for (int pass = 0; pass < 2; pass++) {
        for (size_t i = 0; i < n->nkids; i++) {
            if ((n->occurs[i] == OCCUR_MUST) != (pass == 0)) continue;
            struct qit *kid;
            sift_err rc = qit_build(n->kids[i], s, err, &kid);
            if (rc) {
                qit_free(it);
                return rc;
            }
            if (!kid) {
                if (n->occurs[i] == OCCUR_MUST) {   /* a required clause cannot match here */
                    qit_free(it);
                    return SIFT_OK;
                }
                continue;
            }
            it->kids[it->nkids] = kid;
            it->occurs[it->nkids++] = n->occurs[i];
            if (n->occurs[i] == OCCUR_MUST) it->nmust++;
            if (n->occurs[i] != OCCUR_NOT) positive++;
        }
    }
    if (!positive) {
        qit_free(it);
        return SIFT_OK;
    }
    *out = it;
    return SIFT_OK;
}

/* ---------------------------------------------------------- advancing */

static uint32_t post_advance(struct postings *p, bool started, uint32_t target)
{
    uint32_t d = started ? p->doc : postings_first(p);
    if (d < target) d = postings_advance(p, target);
    return d;
}

/* Leapfrog of the slots' postings: a document holding every term. */
static uint32_t leaf_advance(struct qit *it, uint32_t target)
{
    uint32_t doc = target;
    for (;;) {
        bool agreed = true;
        for (size_t i = 0; i < it->nslots; i++) {
            uint32_t d = post_advance(&it->post[i], it->started, doc);
            if (d == DOC_END) return DOC_END;
            if (d > doc) {
                doc = d;
                agreed = false;
            }
        }
        it->started = true;
        if (agreed) return doc;
    }
}

/* Move kid k, unstarted or behind, to its first match at or after doc. A
 * leaf of one list (a word) needs no leapfrog, nor the calls through
 * qit_advance: its postings go straight there (a quarter of intersection
 * time in callgrind when they did not). */
static uint32_t kid_advance(struct qit *k, uint32_t doc)
{
    if (k->nslots != 1) return qit_advance(k, doc);   /* a BOOL has none */
    k->doc = post_advance(&k->post[0], k->started, doc);
    k->started = true;
    return k->doc;
}

static uint32_t bool_advance(struct qit *it, uint32_t target)
{
    if (it->nmust) {
        uint32_t doc = target;
        for (;;) {
            bool agreed = true;
            for (size_t i = 0; i < it->nmust; i++) {
                struct qit *k = it->kids[i];
                uint32_t d = (!k->started || k->doc < doc) ? kid_advance(k, doc) : k->doc;
                if (d == DOC_END) return DOC_END;
                if (d > doc) {
                    doc = d;
                    agreed = false;
                }
            }
            if (agreed) return doc;
        }
    }
    uint32_t best = DOC_END;
    for (size_t i = 0; i < it->nkids; i++) {
        struct qit *k = it->kids[i];
        if (it->occurs[i] != OCCUR_SHOULD) continue;
        uint32_t d = (!k->started || k->doc < target) ? kid_advance(k, target) : k->doc;
        if (d < best) best = d;
    }
    return best;
}

uint32_t qit_advance(struct qit *it, uint32_t target)
{
    it->doc = it->node->kind == QK_BOOL ? bool_advance(it, target) : leaf_advance(it, target);
    it->started = true;
    return it->doc;
}

/* ------------------------------------------------------- confirmation */

sift_err doc_ctx_load(struct doc_ctx *dc)
{
    if (dc->loaded && dc->loaded_doc == dc->doc) return dc->rc;
    dc->loaded = true;
    dc->loaded_doc = dc->doc;
    dc->rc = segment_norm(dc->seg, dc->doc, &dc->len, &dc->title_len, dc->err);
    return dc->rc;
}

/* Position ranges of the node's field: [lo, hi) pairs. */
static int field_ranges(const struct qnode *n, struct doc_ctx *dc, uint32_t r[4])
{
    if (doc_ctx_load(dc)) return 0;
    uint32_t t = dc->title_len;
    switch (n->field) {
    case FIELD_TITLE: r[0] = 0; r[1] = t; return 1;
    case FIELD_TEXT: r[0] = t; r[1] = UINT32_MAX; return 1;
    default: r[0] = 0; r[1] = t; r[2] = t; r[3] = UINT32_MAX; return 2;
    }
}

/* Positions of slot i on the current document dc->doc. */
static bool load_positions(struct qit *it, size_t i, struct doc_ctx *dc)
{
    if (it->pos_doc[i] == it->post[i].doc) return true;
    struct postings *p = &it->post[i];
    uint32_t tf = postings_tf(p);
    sift_err rc = p->rc ? p->rc : doc_ctx_load(dc);   /* the length the scoring loads anyway */
    if (rc) p->rc = rc;
    uint32_t dl = dc->len;
    if (!p->rc && tf > dl)   /* a document holds at most dl positions */
        p->rc = sift_fail(p->err, SIFT_ERR_CORRUPT, "%s: postings: frequency %u exceeds the document length %u",
                          p->seg->file.path, tf, dl);
    if (p->rc) return false;
    if (tf > it->pos_cap[i]) {
        uint32_t *b = realloc(it->pos[i], (size_t)tf * sizeof *b);
        if (!b) {
            it->post[i].rc = sift_fail(it->post[i].err, SIFT_ERR_NOMEM, "out of memory");
            return false;
        }
        it->pos[i] = b;
        it->pos_cap[i] = tf;
    }
    if (postings_positions(&it->post[i], it->pos[i]) != (int)tf) return false;
    it->pos_doc[i] = it->post[i].doc;
    return true;
}

static bool leaf_confirm(struct qit *it, struct doc_ctx *dc)
{
    const struct qnode *n = it->node;
    if (n->kind == QK_TERM && n->field == FIELD_ANY)
        return true;   /* its frequency is read when scored (leaf_freq): counting never unpacks it */
    struct prox_slot slots[QUERY_MAX_PHRASE];
    for (size_t i = 0; i < it->nslots; i++) {
        if (!load_positions(it, i, dc)) return false;
        slots[i] = (struct prox_slot){ it->pos[i], postings_tf(&it->post[i]), n->terms[i].id };
    }
    uint32_t r[4];
    int nr = field_ranges(n, dc, r);
    enum prox_kind kind = n->kind == QK_PHRASE ? PROX_PHRASE : n->ordered ? PROX_ONEAR : PROX_NEAR;
    uint32_t dist = n->kind == QK_TERM ? 0 : n->dist;
    it->freq = 0;
    for (int k = 0; k < nr; k++)
        it->freq += prox_count(kind, dist, slots, it->nslots, r[2 * k], r[2 * k + 1], it->scratch);
    return it->freq > 0;
}

/* Whether kid k is on doc and matches there (moving it if behind). */
static bool kid_matches(struct qit *k, uint32_t doc, struct doc_ctx *dc)
{
    if (!k->started || k->doc < doc) kid_advance(k, doc);
    return k->doc == doc && qit_confirm(k, dc);
}

static bool bool_confirm(struct qit *it, struct doc_ctx *dc)
{
    uint32_t doc = it->doc;
    bool any = it->nmust > 0;
    for (size_t i = 0; i < it->nkids; i++) {
        switch (it->occurs[i]) {
        case OCCUR_MUST:
            if (!kid_matches(it->kids[i], doc, dc)) return false;
            break;
        case OCCUR_NOT:
            if (kid_matches(it->kids[i], doc, dc)) return false;
            break;
        case OCCUR_SHOULD:
            if (!any && kid_matches(it->kids[i], doc, dc)) any = true;
            break;
        }
    }
    return any;
}

bool qit_confirm(struct qit *it, struct doc_ctx *dc)
{
    if (it->confirmed_doc == it->doc) return it->confirmed;
    bool ok = it->node->kind == QK_BOOL ? bool_confirm(it, dc) : leaf_confirm(it, dc);
    it->confirmed_doc = it->doc;
    it->confirmed = ok;
    return ok;
}

/* A confirmed leaf's frequency on its document. */
static uint32_t leaf_freq(struct qit *it)
{
    const struct qnode *n = it->node;
    return n->kind == QK_TERM && n->field == FIELD_ANY ? postings_tf(&it->post[0]) : it->freq;
}

/* BM25F frequency of a word: title and text occurrences weighted. */
static double weighted_freq(struct qit *it, struct doc_ctx *dc, const struct scoring *sc)
{
    if (!load_positions(it, 0, dc) || doc_ctx_load(dc)) return leaf_freq(it);
    uint32_t tf = postings_tf(&it->post[0]), in_title = 0;
    while (in_title < tf && it->pos[0][in_title] < dc->title_len) in_title++;
    return sc->w_title * in_title + sc->w_text * (tf - in_title);
}

double qit_score(struct qit *it, struct doc_ctx *dc, const struct scoring *sc)
{
    if (it->node->kind != QK_BOOL) {
        double f = leaf_freq(it);
        if ((sc->w_title > 0 || sc->w_text > 0) && it->node->kind == QK_TERM &&
            it->node->field == FIELD_ANY)
            f = weighted_freq(it, dc, sc);
        return f > 0 ? it->idf_sum * f / (f + sc->norm) : 0;
    }
    double s = 0;
    for (size_t i = 0; i < it->nkids; i++)
        if (it->occurs[i] != OCCUR_NOT && kid_matches(it->kids[i], it->doc, dc))
            s += qit_score(it->kids[i], dc, sc);
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
    if (it->node->kind == QK_TERM) {
        if (*n < PROX_MAX_TERMS) out[(*n)++] = it;
        return;
    }
    if (it->node->kind != QK_BOOL) return;
    for (size_t i = 0; i < it->nkids; i++)
        if (it->occurs[i] != OCCUR_NOT && kid_matches(it->kids[i], it->doc, dc))
            collect_words(it->kids[i], dc, out, n);
}

double qit_proximity(struct qit *it, struct doc_ctx *dc, const struct scoring *sc)
{
    struct qit *w[PROX_MAX_TERMS];
    size_t n = 0;
    collect_words(it, dc, w, &n);
    if (n < 2) return 0;
    for (size_t i = 0; i < n; i++)
        if (!load_positions(w[i], 0, dc)) return 0;
    double bonus = 0;
    for (size_t i = 0; i < n; i++) {
        for (size_t j = i + 1; j < n && j <= i + PROX_PAIR_SPAN; j++) {
            if (w[i]->node->terms[0].id == w[j]->node->terms[0].id) continue;
            const uint32_t *a = w[i]->pos[0], *b = w[j]->pos[0];
            uint32_t na = postings_tf(&w[i]->post[0]), nb = postings_tf(&w[j]->post[0]);
            double acc = 0;
            size_t lo = 0;
            for (uint32_t x = 0; x < na; x++) {
                while (lo < nb && b[lo] + PROX_WINDOW < a[x]) lo++;
                for (size_t y = lo; y < nb && b[y] <= a[x] + PROX_WINDOW; y++) {
                    uint32_t d = a[x] > b[y] ? a[x] - b[y] : b[y] - a[x];
                    if (d) acc += 1.0 / ((double)d * d);
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

sift_err qit_error(const struct qit *it)
{
    for (size_t i = 0; i < it->nslots; i++)
        if (it->post[i].rc) return it->post[i].rc;
    for (size_t i = 0; i < it->nkids; i++) {
        sift_err rc = qit_error(it->kids[i]);
        if (rc) return rc;
    }
    return SIFT_OK;
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
    return f == FIELD_TITLE ? "title" : f == FIELD_TEXT ? "text" : "title+text";
}

double qit_explain(struct qit *it, struct doc_ctx *dc, const struct scoring *sc, struct buf *out,
                   int depth)
{
    const struct qnode *n = it->node;
    double score = qit_score(it, dc, sc);
    if (n->kind == QK_TERM) {
        uint32_t tf = postings_tf(&it->post[0]);
        char where[160] = "";
        if (load_positions(it, 0, dc)) {
            size_t o = 0;
            for (uint32_t k = 0; k < tf && k < 8 && o < sizeof where - 16; k++)
                o += (size_t)snprintf(where + o, sizeof where - o, "%s%u", k ? "," : "", it->pos[0][k]);
            if (tf > 8) snprintf(where + o, sizeof where - o, ",...");
        }
        line(out, depth, "%.4f  word '%s' in %s: tf %u (in field %u) at positions %s; df %u here, idf %.4f",
             score, n->terms[0].term, field_name(n->field), tf, leaf_freq(it), where, it->post[0].ti.df,
             it->idf_sum);
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
            if (!kid_matches(k, it->doc, dc)) {
                line(out, depth + 1, "-       (%s clause: no match)", occ);
                continue;
            }
            if (it->occurs[i] == OCCUR_NOT) continue;
            qit_explain(k, dc, sc, out, depth + 1);
        }
    }
    return score;
}

/* ---------------------------------------------------- dynamic pruning
 *
 * Flat BM25 grows with tf and shrinks with document length, so the skip
 * table's (largest tf, smallest length) per block bound the score of every
 * document in the block. Two uses, both exact (the top k is the one an
 * exhaustive evaluation finds, ties included, because documents arrive in
 * increasing order and ties go to the lower number):
 *   - block-max: where the root's bound over a run of blocks cannot beat
 *     the k-th best score, jump past the run without decoding it
 *     (conjunctions, phrases, single terms);
 *   - MaxScore for a root of optional clauses: the clauses whose summed
 *     maxima cannot beat the k-th score alone are only probed for
 *     documents the others bring, and a candidate is dropped as soon as
 *     what it has plus what is left to add cannot beat it. Before that,
 *     the candidate's block maxima summed over every clause bound the
 *     run of documents up to the first block end: when that cannot beat
 *     the k-th score the whole run is skipped (block-max MaxScore). */

/* Rounding may put a computed bound a hair under the score it bounds. */
static bool below(double bound, double threshold)
{
    return bound + 1e-9 * (1.0 + bound) < threshold;
}

static double bound_of(double idf, uint32_t tf, uint32_t min_len, const struct bounds *bd)
{
    return tf ? bm25_tf(idf, tf, bm25_norm(bd->k1, bd->b, min_len, bd->avgdl)) : 0;
}

/* A PHRASE or NEAR match needs every slot in the document, so its freq is
 * at most the smallest slot tf, and the length at least the largest of
 * the slots' minimum lengths. */
static double leaf_block_max(struct qit *it, uint32_t target, const struct bounds *bd,
                             uint32_t *upto)
{
    if (it->bm_ok && target >= it->bm_lo && target <= it->bm_hi) {
        *upto = it->bm_hi;
        return it->bm_val;
    }
    uint32_t tf = UINT32_MAX, len = 0, last = DOC_END - 1;
    for (size_t i = 0; i < it->nslots; i++) {
        const struct postings *p = &it->post[i];
        struct block_stat st;
        postings_block_stat(p, postings_find_block(p, it->started ? p->block : 0, target), &st);
        if (st.max_tf < tf) tf = st.max_tf;
        if (st.min_len > len) len = st.min_len;
        if (st.last_doc < last) last = st.last_doc;
    }
    *upto = last;
    it->bm_ok = true;
    it->bm_lo = target;
    it->bm_hi = last;
    it->bm_val = bound_of(it->idf_sum, tf, len, bd);
    return it->bm_val;
}

static double leaf_max(const struct qit *it, const struct bounds *bd)
{
    uint32_t tf = UINT32_MAX, len = 0;
    double best = 0;
    for (size_t i = 0; i < it->nslots; i++) {
        const struct postings *p = &it->post[i];
        uint32_t slot_tf = 0, slot_len = UINT32_MAX, nb = p->nblocks ? p->nblocks : 1;
        for (uint32_t b = 0; b < nb; b++) {
            struct block_stat st;
            postings_block_stat(p, b, &st);
            if (st.max_tf > slot_tf) slot_tf = st.max_tf;
            if (st.min_len < slot_len) slot_len = st.min_len;
            double s = bound_of(it->idf_sum, st.max_tf, st.min_len, bd);
            if (s > best) best = s;
        }
        if (slot_tf < tf) tf = slot_tf;
        if (slot_len > len) len = slot_len;
    }
    return it->nslots == 1 ? best : bound_of(it->idf_sum, tf, len, bd);
}

double qit_max_score(struct qit *it, const struct bounds *bd)
{
    if (!it->has_max) {
        double m = 0;
        if (it->node->kind != QK_BOOL)
            m = leaf_max(it, bd);
        else
            for (size_t i = 0; i < it->nkids; i++)
                if (it->occurs[i] != OCCUR_NOT) m += qit_max_score(it->kids[i], bd);
        it->max_score = m;
        it->has_max = true;
    }
    return it->max_score;
}

static double block_max(struct qit *it, uint32_t target, const struct bounds *bd, uint32_t *upto)
{
    if (it->started && it->doc > target) {
        /* its next candidate is further on: nothing of it matches before */
        *upto = it->doc - 1;
        return 0;
    }
    if (it->node->kind != QK_BOOL) return leaf_block_max(it, target, bd, upto);
    double m = 0;
    *upto = DOC_END - 1;
    for (size_t i = 0; i < it->nkids; i++) {
        if (it->occurs[i] == OCCUR_NOT) continue;
        uint32_t u;
        m += block_max(it->kids[i], target, bd, &u);
        if (u < *upto) *upto = u;
    }
    return m;
}

static int by_max(const void *a, const void *b)
{
    double x = (*(struct qit *const *)a)->max_score, y = (*(struct qit *const *)b)->max_score;
    return x < y ? -1 : x > y;
}

sift_err pruning_init(struct pruning *pr, struct qit *root, const struct bounds *bd)
{
    memset(pr, 0, sizeof *pr);
    pr->bd = *bd;
    pr->threshold = -INFINITY;
    pr->partitioned_at = -INFINITY;
    qit_max_score(root, bd);
    if (root->node->kind != QK_BOOL || root->nmust) return SIFT_OK;
    size_t n = 0;
    for (size_t i = 0; i < root->nkids; i++) n += root->occurs[i] == OCCUR_SHOULD;
    if (n < 2) return SIFT_OK;
    pr->order = malloc(n * sizeof *pr->order);
    pr->prefix = malloc(n * sizeof *pr->prefix);
    if (!pr->order || !pr->prefix) {
        pruning_free(pr);
        return SIFT_ERR_NOMEM;
    }
    for (size_t i = 0; i < root->nkids; i++)
        if (root->occurs[i] == OCCUR_SHOULD) pr->order[pr->n++] = root->kids[i];
    qsort(pr->order, n, sizeof *pr->order, by_max);
    for (size_t i = 0; i < n; i++)
        pr->prefix[i] = (i ? pr->prefix[i - 1] : 0) + pr->order[i]->max_score;
    return SIFT_OK;
}

void pruning_free(struct pruning *pr)
{
    free(pr->order);
    free(pr->prefix);
    pr->order = NULL;
    pr->prefix = NULL;
}

static uint32_t block_max_next(struct qit *root, uint32_t target, struct pruning *pr)
{
    for (;;) {
        uint32_t upto = DOC_END - 1;
        if (pr->threshold > -INFINITY &&
            below(block_max(root, target, &pr->bd, &upto), pr->threshold)) {
            if (upto >= DOC_END - 1) return root->doc = DOC_END;
            target = upto + 1;
            continue;
        }
        uint32_t doc = qit_advance(root, target);
        if (doc == DOC_END || pr->threshold == -INFINITY || doc <= upto) return doc;
        target = doc;   /* landed past the bounded run: bound it again */
    }
}

/* The clauses order[0, essential) are the non-essential ones. */
static void partition(struct pruning *pr)
{
    pr->essential = 0;
    while (pr->essential < pr->n && below(pr->prefix[pr->essential], pr->threshold))
        pr->essential++;
    pr->partitioned_at = pr->threshold;
}

static uint32_t maxscore_next(struct qit *root, uint32_t target, struct pruning *pr,
                              struct doc_ctx *dc)
{
    if (pr->partitioned_at != pr->threshold) partition(pr);
    for (;;) {
        uint32_t doc = DOC_END;
        for (size_t i = pr->essential; i < pr->n; i++) {
            struct qit *k = pr->order[i];
            uint32_t d = (!k->started || k->doc < target) ? kid_advance(k, target) : k->doc;
            if (d < doc) doc = d;
        }
        root->started = true;
        root->doc = doc;
        if (doc == DOC_END || pr->threshold == -INFINITY) return doc;
        uint32_t upto;
        if (below(block_max(root, doc, &pr->bd, &upto), pr->threshold)) {
            if (upto >= DOC_END - 1) return root->doc = DOC_END;
            target = upto + 1;
            continue;
        }
        dc->doc = doc;
        if (doc_ctx_load(dc)) return root->doc = DOC_END;
        struct scoring sc = { bm25_norm(pr->bd.k1, pr->bd.b, dc->len, pr->bd.avgdl), 0, 0,
                              pr->bd.k1 };
        double s = 0;
        for (size_t i = pr->essential; i < pr->n; i++)
            if (pr->order[i]->doc == doc && qit_confirm(pr->order[i], dc))
                s += qit_score(pr->order[i], dc, &sc);
        bool keep = true;
        for (size_t i = pr->essential; keep && i-- > 0;) {
            if (below(s + pr->prefix[i], pr->threshold)) keep = false;
            else if (kid_matches(pr->order[i], doc, dc)) s += qit_score(pr->order[i], dc, &sc);
        }
        if (keep && !below(s, pr->threshold)) return doc;
        if (doc + 1 == DOC_END) return root->doc = DOC_END;
        target = doc + 1;
    }
}

uint32_t qit_next_competitive(struct qit *root, uint32_t target, struct pruning *pr,
                              struct doc_ctx *dc)
{
    if (pr->n) return maxscore_next(root, target, pr, dc);
    uint32_t doc = block_max_next(root, target, pr);
    root->started = true;
    return root->doc = doc;
}

/* ---------------------------------------------------- counting unions */

/* A root of optional plain words (and excluded plain words) is counted by
 * OR-ing whole postings blocks into a bitmap of the segment, instead of
 * merging the lists document by document: what Lucene's BooleanScorer does
 * for disjunctions. Deleted documents and exclusions are cleared, then the
 * bits are counted. */
static bool plain_term(const struct qit *k)
{
    return k->node->kind == QK_TERM && k->node->field == FIELD_ANY;
}

static sift_err mark(struct qit *k, uint64_t *bits, bool set)
{
    struct postings *p = &k->post[0];
    for (uint32_t d = postings_first(p); d != DOC_END; d = postings_next_block(p))
        for (uint32_t i = 0; i < p->n; i++) {
            uint64_t m = (uint64_t)1 << (p->docs[i] & 63);
            if (set) bits[p->docs[i] >> 6] |= m;
            else bits[p->docs[i] >> 6] &= ~m;
        }
    return p->rc;
}

/* The plain word whose documents are exactly the root's matches, or NULL:
 * the root itself, or a group's only required clause when nothing is
 * excluded (optional clauses next to it only score). */
static struct qit *single_word(struct qit *root)
{
    if (plain_term(root)) return root;
    if (root->node->kind != QK_BOOL || root->nmust != 1) return NULL;
    for (size_t i = 0; i < root->nkids; i++)
        if (root->occurs[i] == OCCUR_NOT) return NULL;
    return plain_term(root->kids[0]) ? root->kids[0] : NULL;   /* MUST kids come first */
}

sift_err qit_count_fast(struct qit *root, const struct segment *seg, uint64_t *out, bool *done)
{
    *done = false;
    struct qit *word = single_word(root);
    if (word && !seg->delbits) {   /* Lucene's count shortcut: the document frequency */
        *out = word->post[0].ti.df;
        *done = true;
        return SIFT_OK;
    }
    if (root->node->kind != QK_BOOL || root->nmust || root->nkids < 2) return SIFT_OK;
    for (size_t i = 0; i < root->nkids; i++)
        if (!plain_term(root->kids[i])) return SIFT_OK;
    size_t words = ((size_t)seg->doc_count + 63) / 64;
    uint64_t *bits = calloc(words ? words : 1, sizeof *bits);
    if (!bits) return SIFT_OK;   /* fall back to merging */
    sift_err rc = SIFT_OK;
    for (int pass = 0; pass < 2 && !rc; pass++)   /* optional words, then exclusions */
        for (size_t i = 0; i < root->nkids && !rc; i++)
            if ((root->occurs[i] == OCCUR_NOT) == (pass == 1))
                rc = mark(root->kids[i], bits, pass == 0);
    uint64_t n = 0;
    for (size_t w = 0; w < words; w++) {
        uint64_t v = bits[w];
        if (seg->delbits)
            for (unsigned b = 0; b < 8 && w * 8 + b < ((size_t)seg->doc_count + 7) / 8; b++)
                v &= ~((uint64_t)seg->delbits[w * 8 + b] << (8 * b));
        n += (uint64_t)__builtin_popcountll(v);
    }
    free(bits);
    if (!rc) {
        *out = n;
        *done = true;
    }
    return rc;
}
