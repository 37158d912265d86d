/* prune.c -- exact dynamic pruning for the top k (BM25 flat or BM25F,
 * with or without the proximity bonus).
 *
 * BM25 grows with tf and shrinks with document length, so the skip
 * table's (largest tf, smallest length) per block bound the score of every
 * document in the block; under BM25F a plain word's weighted frequency is
 * at most the text weight times its tf plus what a heavier title adds to
 * the block's largest title tf, and a weighted length at least the smaller
 * weight times the length. A proximity bonus adds at most the
 * query's slack, or where that is too loose the caps of the words that
 * may match in the run (score.h), so every bound below is compared with
 * the threshold after adding it. Two uses, both exact (the top k is the one an
 * exhaustive evaluation finds, ties included, because documents arrive in
 * increasing order and ties go to the lower number):
 *   - block-max: where the root's bound over a run of blocks cannot beat
 *     the k-th best score, jump past the run without decoding it
 *     (conjunctions, phrases, single terms);
 *   - MaxScore for a root of optional clauses, or of required ones that
 *     score beside optional ones (or for the optional clauses of the one
 *     scoring clause beside filters): the clauses whose summed maxima
 *     cannot beat the k-th score alone are only probed for documents the
 *     others bring, and a candidate is dropped as soon as what it has
 *     plus what is left to add cannot beat it; the clauses a document
 *     cannot do without (required, or the others' maxima summed cannot
 *     beat the k-th score) leapfrog to the documents they share. Before that,
 *     the candidate's block maxima summed over every clause bound the
 *     run of documents up to the first block end: when that cannot beat
 *     the k-th score the whole run is skipped (block-max MaxScore). Filters
 *     beside the group gate each candidate: where one has nothing, the
 *     group's clauses jump to where it has something next. */
#include "prune.h"

#include <stdlib.h>
#include <string.h>

#include "iter.h"
#include "score.h"
#include "topk.h"

/* Whether a document whose BM25 is at most bound cannot beat the
 * threshold, whatever its proximity bonus. */
static bool cannot(const struct pruning *pr, double bound)
{
    return prune_below(bound + pr->slack, pr->threshold);
}

/* The least bm25_norm of a document at least min_len long: under BM25F
 * its length weighs at least the smaller weight. */
static double least_norm(uint32_t min_len, const struct score_params *sp)
{
    double dl = min_len;
    if (sp->w_title > 0 || sp->w_text > 0) dl *= sp->w_title < sp->w_text ? sp->w_title : sp->w_text;
    return bm25_norm(sp->k1, sp->b, dl, sp->avgdl);
}

/* Whether the leaf's frequency is weighed by field (qit_score weighs only
 * plain words of title and text), and whether its title weighs more. */
static bool weighed(const struct qit *it, const struct score_params *sp)
{
    return qit_field_weighed(it, sp->w_title, sp->w_text);
}

static bool title_heavier(const struct qit *it, const struct score_params *sp)
{
    return weighed(it, sp) && sp->w_title > sp->w_text;
}

/* The most a weighed word's frequency f weighs with at most title of it
 * in the title: w_title * in_title + w_text * (f - in_title), largest with
 * as much in the title as can be when the title weighs more (title is
 * only read then). */
static inline double weighed_freq_bound(double f, uint32_t title, double w_title, double w_text)
{
    double in_title = w_title > w_text ? (title < f ? title : f) : 0;
    return w_title * in_title + w_text * (f - in_title);
}

/* The same for word k on its current document: its tf, and its block's
 * title tf as the most of it in the title. */
static inline double word_freq_bound(struct qit *k, double w_title, double w_text)
{
    struct postings *p = &k->post[0];
    double f = postings_tf(p);
    if (!qit_field_weighed(k, w_title, w_text)) return f;
    return weighed_freq_bound(f, w_title > w_text ? postings_title_tf(p) : 0, w_title, w_text);
}

/* The most the leaf scores with frequency at most tf, at most title_tf of
 * it in the title, and length at least min_len. */
static double bound_of(const struct qit *it, uint32_t tf, uint32_t title_tf, uint32_t min_len,
                       const struct score_params *sp)
{
    if (!tf) return 0;
    double f = tf;
    if (weighed(it, sp)) f = weighed_freq_bound(f, title_tf, sp->w_title, sp->w_text);
    return bm25_tf(it->idf_sum, f, least_norm(min_len, sp));
}

/* A PHRASE or NEAR match needs every slot in the document, so its freq is
 * at most the smallest slot tf, and the length at least the largest of
 * the slots' minimum lengths. */
static double leaf_block_max(struct qit *it, uint32_t target, const struct score_params *sp,
                             uint32_t *upto)
{
    if (it->bm_ok && target >= it->bm_lo && target <= it->bm_hi) {
        *upto = it->bm_hi;
        return it->bm_val;
    }
    uint32_t tf = UINT32_MAX, ttf = UINT32_MAX, len = 0, last = DOC_END - 1;
    bool titles = title_heavier(it, sp);
    for (size_t i = 0; i < it->nslots; i++) {
        const struct postings *p = &it->post[i];
        struct block_stat st;
        uint32_t b = postings_find_block(p, it->started ? p->block : 0, target);
        postings_block_stat(p, b, &st);
        if (st.max_tf < tf) tf = st.max_tf;
        if (titles) {
            uint32_t t = postings_block_title_tf(p, b);
            if (t < ttf) ttf = t;
        }
        if (st.min_len > len) len = st.min_len;
        if (st.last_doc < last) last = st.last_doc;
    }
    *upto = last;
    it->bm_ok = true;
    it->bm_lo = target;
    it->bm_hi = last;
    it->bm_val = bound_of(it, tf, ttf, len, sp);
    it->bm_tf = tf;
    it->bm_len = len;
    it->bm_norm = least_norm(len, sp);
    it->bm_prox = -1;   /* computed when asked (block_words) */
    return it->bm_val;
}

/* The bound of a single list is its best block's: bound_of grows with tf
 * and title tf and shrinks with length, so a block no better on all three
 * than the best one so far is passed without computing its bound (most
 * of a frequent word's thousands; two fields of each skip entry read). */
static double list_max(const struct qit *it, const struct score_params *sp, bool titles)
{
    const struct postings *p = &it->post[0];
    if (!p->skips) {   /* one block, no skip entry */
        struct block_stat st;
        postings_block_stat(p, 0, &st);
        return bound_of(it, st.max_tf, titles ? postings_block_title_tf(p, 0) : 0, st.min_len, sp);
    }
    double best = 0;
    uint32_t best_tf = 0, best_ttf = 0, best_len = UINT32_MAX;   /* the best block's, once there is one */
    for (uint32_t b = 0; b < p->nblocks; b++) {
        uint32_t tf = skip_get(p, b, SKIP_TF), len = skip_get(p, b, SKIP_LEN);
        uint32_t t = titles ? postings_block_title_tf(p, b) : 0;
        if (tf == SKIP_TF_MANY) tf = UINT32_MAX;
        if (tf <= best_tf && t <= best_ttf && len >= best_len) continue;
        double s = bound_of(it, tf, t, len, sp);
        if (s > best || best_len == UINT32_MAX) {
            if (s > best) best = s;
            best_tf = tf;
            best_ttf = t;
            best_len = len;
        }
    }
    return best;
}

/* A phrase's (a NEAR's) is bounded as a whole: the smallest of its slots'
 * largest tf, and the largest of their smallest lengths. */
static double leaf_max(const struct qit *it, const struct score_params *sp)
{
    bool titles = title_heavier(it, sp);
    if (it->nslots == 1) return list_max(it, sp, titles);
    uint32_t tf = UINT32_MAX, ttf = UINT32_MAX, len = 0;
    for (size_t i = 0; i < it->nslots; i++) {
        const struct postings *p = &it->post[i];
        uint32_t slot_tf = 0, slot_ttf = 0, slot_len = UINT32_MAX, nb = p->nblocks ? p->nblocks : 1;
        for (uint32_t b = 0; b < nb; b++) {
            struct block_stat st;
            postings_block_stat(p, b, &st);
            uint32_t t = titles ? postings_block_title_tf(p, b) : 0;
            if (st.max_tf > slot_tf) slot_tf = st.max_tf;
            if (t > slot_ttf) slot_ttf = t;
            if (st.min_len < slot_len) slot_len = st.min_len;
        }
        if (slot_tf < tf) tf = slot_tf;
        if (slot_ttf < ttf) ttf = slot_ttf;
        if (slot_len > len) len = slot_len;
    }
    return bound_of(it, tf, ttf, len, sp);
}

double qit_max_score(struct qit *it, const struct score_params *sp)
{
    if (!it->has_max) {
        double m = 0;
        if (it->node->kind != QK_BOOL)
            m = leaf_max(it, sp);
        else
            for (size_t i = 0; i < it->nkids; i++)
                if (it->occurs[i] != OCCUR_NOT) m += qit_max_score(it->kids[i], sp);
        it->max_score = m;
        it->has_max = true;
    }
    return it->max_score;
}

static double block_max(struct qit *it, uint32_t target, const struct score_params *sp, uint32_t *upto)
{
    if (it->started && it->doc > target) {
        /* its next candidate is further on: nothing of it matches before */
        *upto = it->doc - 1;
        return 0;
    }
    if (it->node->kind != QK_BOOL) return leaf_block_max(it, target, sp, upto);
    double m = 0;
    *upto = DOC_END - 1;
    for (size_t i = 0; i < it->nkids; i++) {
        if (it->occurs[i] == OCCUR_NOT) continue;
        struct qit *k = it->kids[i];
        uint32_t u;
        if (k->started && k->doc > target) {
            u = k->doc - 1;
        } else if (k->bm_ok && target >= k->bm_lo && target <= k->bm_hi) {
            m += k->bm_val;   /* the leaf's bound of this block, as leaf_block_max would return it */
            u = k->bm_hi;
        } else {
            m += block_max(k, target, sp, &u);
        }
        if (u < *upto) *upto = u;
    }
    return m;
}

/* block_max of the MaxScore group, over its clauses (pr->order: the
 * group's kids less the exclusions) without the tree walk: asked for
 * every candidate of a union. */
static double group_block_max(struct pruning *pr, uint32_t target, uint32_t *upto)
{
    double m = 0;
    uint32_t u = DOC_END - 1;
    for (size_t i = 0; i < pr->n; i++) {
        struct qit *k = pr->order[i];
        uint32_t ku;
        if (k->started && k->doc > target) {
            ku = k->doc - 1;   /* nothing of it before its next candidate */
        } else if (k->bm_ok && target >= k->bm_lo && target <= k->bm_hi) {
            m += k->bm_val;
            ku = k->bm_hi;
        } else {
            m += block_max(k, target, pr->sp, &ku);
        }
        if (ku < u) u = ku;
    }
    *upto = u;
    return m;
}

/* The most a proximity bonus adds to a document in [target, the run
 * block_max bounded]: the pairs need both words, so only the words that
 * may match there count, each by its block's (largest tf, smallest
 * length) (score.h). Call after block_max(it, target), whose leaf bounds
 * it reads. */
static void block_words(struct qit *it, uint32_t target, const struct score_params *sp, double *sum,
                        double *max)
{
    if (it->started && it->doc > target) return;   /* nothing of it before its next candidate */
    if (it->node->kind == QK_TERM) {
        if (it->node->field == FIELD_NAMED) return;
        uint32_t upto;
        leaf_block_max(it, target, sp, &upto);   /* (the bound block_max cached) */
        if (it->bm_prox < 0)
            it->bm_prox = it->bm_tf ? proximity_word_cap(it->idf_sum, it->bm_tf, least_norm(it->bm_len, sp), sp->k1)
                                    : 0;
        double cap = it->bm_prox;
        *sum += cap;
        if (cap > *max) *max = cap;
        return;
    }
    if (it->node->kind != QK_BOOL) return;
    for (size_t i = 0; i < it->nkids; i++)
        if (it->occurs[i] != OCCUR_NOT) block_words(it->kids[i], target, sp, sum, max);
}

/* What the proximity bonus may add to the documents block_max(node,
 * target) bounded: first the query's slack; where that keeps a document
 * the bonus of the words that may match there would drop, that bound. */
struct run_slack {
    struct qit *node;
    uint32_t target;
    double slack;
    bool tight;        /* slack is the words' bound */
};

/* The words' bound in place of the query's slack. */
static void tighten(const struct pruning *pr, struct run_slack *r)
{
    double sum = 0, max = 0;
    block_words(r->node, r->target, pr->sp, &sum, &max);
    double words = proximity_chain_cap(sum, max);
    if (words < r->slack) r->slack = words;
    r->tight = true;
}

/* Whether a document of the run scoring at most x without its bonus
 * cannot beat the threshold. */
static inline bool run_cannot(const struct pruning *pr, struct run_slack *r, double x)
{
    if (prune_below(x + r->slack, pr->threshold)) return true;
    if (r->tight || !prune_below(x, pr->threshold)) return false;
    tighten(pr, r);
    return prune_below(x + r->slack, pr->threshold);
}

static int by_max(const void *a, const void *b)
{
    double x = (*(struct qit *const *)a)->max_score, y = (*(struct qit *const *)b)->max_score;
    return x < y ? -1 : x > y;
}

/* The group MaxScore runs over: the root when it is a disjunction, or
 * when its required clauses score beside optional ones ("+climate
 * policy": the required ones lead, the optional ones are probed); or the
 * one scoring clause of a root whose other clauses are required filters
 * or exclusions, when that clause is a disjunction; NULL otherwise (a
 * conjunction, or optional clauses beside filters alone, whose documents
 * match with no optional clause). */
static struct qit *maxscore_group(struct qit *root)
{
    if (root->node->kind != QK_BOOL) return NULL;
    if (!root->nmust) return root;
    struct qit *g = NULL;
    size_t scoring = 0, optional = 0;
    for (size_t i = 0; i < root->nkids; i++) {
        struct qit *k = root->kids[i];
        if (root->occurs[i] == OCCUR_NOT || qnode_is_filter(k->node)) continue;
        if (root->occurs[i] == OCCUR_SHOULD) optional++;
        else scoring++, g = k;
    }
    if (optional) return scoring ? root : NULL;
    return scoring == 1 && g->node->kind == QK_BOOL && !g->nmust ? g : NULL;
}

static void partition(struct pruning *pr);

/* Whether kid k of the group is required by the query. */
static bool group_must(const struct qit *g, const struct qit *k)
{
    for (size_t i = 0; i < g->nmust; i++)
        if (g->kids[i] == k) return true;
    return false;
}

sift_err pruning_init(struct pruning *pr, struct qit *root, const struct score_params *sp,
                      const struct topk *top)
{
    memset(pr, 0, sizeof *pr);
    pr->sp = sp;
    pr->top = top;
    pr->threshold = -INFINITY;
    pr->partitioned_at = -INFINITY;
    pr->slack = sp->rank == SIFT_RANK_BM25_PROX ? qit_proximity_bound(root, sp) : 0;
    struct qit *g = maxscore_group(root);
    size_t n = 0;
    for (size_t i = 0; g && i < g->nkids; i++)
        n += g->occurs[i] != OCCUR_NOT && !(g->occurs[i] == OCCUR_MUST && qnode_is_filter(g->kids[i]->node));
    if (n < 2) return SIFT_OK;   /* no clause's maximum is asked: computing them reads every skip entry */
    pr->order = malloc(3 * n * sizeof *pr->order);
    pr->prefix = malloc(2 * n * sizeof *pr->prefix);
    pr->must = malloc(n * sizeof *pr->must);
    pr->gates = malloc((root->nmust ? root->nmust : 1) * sizeof *pr->gates);
    if (!pr->order || !pr->prefix || !pr->must || !pr->gates) {
        pruning_free(pr);
        return SIFT_ERR_NOMEM;
    }
    pr->lead = pr->order + n;
    pr->probe = pr->order + 2 * n;
    pr->probe_prefix = pr->prefix + n;
    pr->group = g;
    for (size_t i = 0; i < root->nmust; i++)
        if (root->kids[i] != g && qnode_is_filter(root->kids[i]->node)) pr->gates[pr->ngates++] = root->kids[i];
    for (size_t i = 0; i < g->nkids; i++)
        if (g->occurs[i] != OCCUR_NOT && !(g->occurs[i] == OCCUR_MUST && qnode_is_filter(g->kids[i]->node))) {
            qit_max_score(g->kids[i], sp);
            pr->order[pr->n++] = g->kids[i];
        }
    qsort(pr->order, n, sizeof *pr->order, by_max);
    for (size_t i = 0; i < n; i++) {
        pr->prefix[i] = (i ? pr->prefix[i - 1] : 0) + pr->order[i]->max_score;
        pr->must[i] = group_must(g, pr->order[i]);
    }
    partition(pr);
    return SIFT_OK;
}

void pruning_free(struct pruning *pr)
{
    free(pr->order);
    free(pr->prefix);
    free(pr->must);
    free(pr->gates);
    pr->order = NULL;
    pr->prefix = NULL;
    pr->must = NULL;
    pr->gates = NULL;
}

/* The most leaf it scores on its candidate, from its lists' frequencies
 * there and the document's length (sc): a plain word's score itself under
 * flat BM25, and under BM25F its frequency weighed as if as much of it as
 * its block allows were in a heavier title; a phrase's (a NEAR's, a
 * fielded word's) frequency is at most the smallest tf of the lists it
 * leapfrogs. No position is read. */
static double leaf_doc_bound(struct qit *it, const struct scoring *sc)
{
    if (it->word) {
        double f = word_freq_bound(it, sc->w_title, sc->w_text);
        return f > 0 ? bm25_tf(it->idf_sum, f, sc->norm) : 0;
    }
    uint32_t tf = UINT32_MAX;
    for (size_t k = 0; k < it->nleap; k++) {
        uint32_t t = postings_tf(it->leap[k]);
        if (t < tf) tf = t;
    }
    return bm25_tf(it->idf_sum, tf, sc->norm);
}

/* Whether the candidate of a leaf of lists, or of a conjunction of words
 * alone, cannot beat the threshold, known from its frequencies and its
 * length (leaf_doc_bound): far tighter than its blocks' bound, and read
 * before a phrase's positions or the collector's confirmation and
 * scoring ("the" alone finds 110,000 candidates in the runs its blocks
 * let through, of which a few dozen enter the top 10). */
static bool doc_cannot(struct qit *it, struct pruning *pr, struct run_slack *rs, struct doc_ctx *dc)
{
    dc->doc = it->doc;
    if (doc_ctx_load(dc)) return false;   /* (the error surfaces where it is read next) */
    struct scoring sc = scoring_for(pr->sp, dc->len, dc->title_len);
    double s = 0;
    if (it->node->kind != QK_BOOL)
        s = leaf_doc_bound(it, &sc);
    else
        for (size_t i = 0; i < it->nkids; i++) s += leaf_doc_bound(it->kids[i], &sc);
    return run_cannot(pr, rs, s);
}

/* A plain word alone, on a candidate of a run its block's bound lets
 * through (the run is the rest of that block): the first document of the
 * run whose own bound can beat the threshold, read straight from the
 * decoded block (true, the word moved there). False when there is none,
 * the word left on the run's last document. */
static bool word_run(struct qit *it, uint32_t upto, struct pruning *pr, struct doc_ctx *dc)
{
    struct postings *p = &it->post[0];
    const struct score_params *sp = pr->sp;
    if (!p->tfs_ready) postings_decode_tfs(p);
    if (!pr->slack && !(sp->w_title > 0 || sp->w_text > 0)) {   /* flat BM25: the score itself */
        uint32_t j = p->i;
        for (; j < p->n && p->docs[j] <= upto; j++) {
            dc->doc = p->docs[j];
            if (doc_ctx_load(dc)) return false;
            double x = bm25_tf(it->idf_sum, p->tfs[j], bm25_norm(sp->k1, sp->b, dc->len, sp->avgdl));
            if (!prune_below(x, pr->threshold)) break;
        }
        bool found = j < p->n && p->docs[j] <= upto;
        p->i = found ? j : j - 1;   /* (it starts on a document of the run) */
        it->doc = p->doc = p->docs[p->i];
        return found;
    }
    for (uint32_t j = p->i; j < p->n && p->docs[j] <= upto; j++) {
        p->i = j;
        it->doc = p->doc = dc->doc = p->docs[j];
        if (doc_ctx_load(dc)) return false;
        struct scoring sc = scoring_for(pr->sp, dc->len, dc->title_len);
        struct run_slack rs = { it, it->doc, pr->slack, !pr->slack };
        if (!run_cannot(pr, &rs, leaf_doc_bound(it, &sc))) return true;
    }
    return false;
}

/* Whether to bound the next run, for a root whose candidates are bounded
 * one by one (doc_cannot). Where its blocks' bounds have skipped little
 * lately (fewer than one run in eight: a phrase's are loose, its words'
 * blocks holding high frequencies apart), bounding each run costs more
 * than it saves: the spans of QUIET_SPAN documents then go unbounded,
 * but one in four is still bounded, to see the threshold rise. */
#define QUIET_SPAN (1u << 14)
static bool bound_runs(struct pruning *pr)
{
    if (pr->runs_bounded < 32 || pr->runs_skipped * 8 >= pr->runs_bounded) return true;
    return (++pr->quiet & 3) == 0;
}

static void count_run(struct pruning *pr, bool skipped)
{
    pr->runs_bounded++;
    pr->runs_skipped += skipped;
    if (pr->runs_bounded >= 256) {   /* the recent runs weigh */
        pr->runs_bounded /= 2;
        pr->runs_skipped /= 2;
    }
}

static uint32_t block_max_next(struct qit *root, uint32_t target, struct pruning *pr,
                               struct doc_ctx *dc)
{
    bool word = root->word;
    bool bounded = root->node->kind == QK_BOOL ? root->leap && root->nkids == root->nmust
                                               : root->nleap && root->node->kind != QK_KEYWORD;
    for (;;) {
        uint32_t upto = DOC_END - 1;
        struct run_slack rs = { root, target, pr->slack, !pr->slack };
        if (pr->threshold > -INFINITY) {
            if (!bounded || word || bound_runs(pr)) {
                bool skip = run_cannot(pr, &rs, block_max(root, target, pr->sp, &upto));
                if (bounded && !word) count_run(pr, skip);
                if (skip) {
                    if (upto >= DOC_END - 1) return root->doc = DOC_END;
                    target = upto + 1;
                    continue;
                }
            } else {
                upto = target < DOC_END - QUIET_SPAN ? target + QUIET_SPAN - 1 : DOC_END - 1;
            }
        }
        uint32_t doc = qit_advance(root, target);
        if (doc == DOC_END || pr->threshold == -INFINITY) return doc;
        if (doc > upto) {
            target = doc;   /* landed past the bounded run: bound it again */
            continue;
        }
        if (word) {
            if (word_run(root, upto, pr, dc)) return root->doc;
            if (dc->rc || upto >= DOC_END - 1) return root->doc = DOC_END;
            target = upto + 1;
            continue;
        }
        if (!bounded) return doc;
        /* the run's candidates in turn, while their own bounds drop them
         * (the run's bound holds till upto, and no score is pushed) */
        for (;;) {
            /* (the bonus's words bounded at doc: at target, the lists past
             * it would seem to add nothing, and they have moved there since) */
            struct run_slack at = { root, doc, pr->slack, !pr->slack };
            if (!doc_cannot(root, pr, &at, dc)) return doc;
            if (doc >= upto) break;
            doc = qit_advance(root, doc + 1);
            if (doc > upto) break;
        }
        if (doc == DOC_END || (doc <= upto && upto >= DOC_END - 1)) return root->doc = DOC_END;
        target = doc <= upto ? upto + 1 : doc;
    }
}

/* Whether every candidate holds order[i] (partition's comment below). */
static bool required(const struct pruning *pr, size_t i, double total)
{
    return pr->must[i] || cannot(pr, total - pr->order[i]->max_score);
}

/* Which clauses bring the candidates (lead) and which are only probed
 * for them (probe, by increasing maximum, probe_prefix their summed
 * maxima). A document without clause i scores at most the others'
 * maxima: where that cannot beat the threshold, every candidate holds
 * order[i], as it holds a clause the query requires. Where some clause
 * is required, the candidates are what the required ones share ("bowel
 * obstruction" once neither word alone can enter the top k), so they
 * leapfrog; otherwise they are the union of the essential clauses
 * order[essential, n), whose maxima summed with the smaller ones' can
 * beat it, and the non-essential are probed. */
static void partition(struct pruning *pr)
{
    size_t e = 0;
    while (e < pr->n && cannot(pr, pr->prefix[e])) e++;
    double total = pr->prefix[pr->n - 1];
    pr->nlead = pr->nprobe = 0;
    pr->leapfrog = false;
    pr->partitioned_at = pr->threshold;
    if (e == pr->n) return;   /* no document can beat it */
    bool any = false;
    for (size_t i = pr->n; !any && i-- > 0;) any = required(pr, i, total);
    if (!any) {
        for (size_t i = pr->n; i-- > e;) pr->lead[pr->nlead++] = pr->order[i];
        for (size_t i = 0; i < e; i++) pr->probe[pr->nprobe++] = pr->order[i];
        memcpy(pr->probe_prefix, pr->prefix, e * sizeof *pr->prefix);
        return;
    }
    pr->leapfrog = true;
    double sum = 0;
    for (size_t i = pr->n; i-- > 0;)
        if (required(pr, i, total)) pr->lead[pr->nlead++] = pr->order[i];
    for (size_t i = 0; i < pr->n; i++)
        if (!required(pr, i, total)) {
            sum += pr->order[i]->max_score;
            pr->probe_prefix[pr->nprobe] = sum;
            pr->probe[pr->nprobe++] = pr->order[i];
        }
}

/* The next candidate >= target: the least of the leading clauses' next
 * documents, or where they are required the next they all agree on (the
 * largest maximum, most often the rarest, leads). */
static uint32_t lead_next(struct pruning *pr, uint32_t target)
{
    if (!pr->leapfrog) {
        uint32_t doc = DOC_END;
        for (size_t i = 0; i < pr->nlead; i++) {
            uint32_t d = qit_kid_seek(pr->lead[i], target);
            if (d < doc) doc = d;
        }
        return doc;
    }
    return qit_leapfrog(pr->lead, pr->nlead, target);
}

/* Where the candidate doc stands with the gates: doc itself when every
 * gate matches there; the next document one of them may hold when one has
 * nothing before it (or doc + 1 when it is a candidate the gate's check
 * rejects); DOC_END when a gate has nothing left. */
static uint32_t gates_from(struct pruning *pr, uint32_t doc, struct doc_ctx *dc)
{
    for (size_t i = 0; i < pr->ngates; i++) {
        struct qit *f = pr->gates[i];
        uint32_t d = qit_kid_seek(f, doc);
        if (d != doc) return d;
    }
    dc->doc = doc;
    for (size_t i = 0; i < pr->ngates; i++)
        if (!qit_confirm(pr->gates[i], dc)) return doc + 1 == DOC_END ? DOC_END : doc + 1;
    return doc;
}

/* The group's bound m at doc with each plain word leading there bounded
 * by its own frequency instead of its block's largest (its block's
 * smallest length kept): a document holding a word once, in a block
 * where another holds it five times, is dropped before its length is
 * read. */
static double leads_tf_bound(const struct pruning *pr, uint32_t doc, double m, struct qit **alone)
{
    const struct score_params *sp = pr->sp;
    size_t on = 0;
    *alone = NULL;
    for (size_t i = 0; i < pr->nlead; i++) {
        struct qit *k = pr->lead[i];
        if (k->doc != doc) continue;
        on++;
        if (!k->word || !k->bm_ok || doc < k->bm_lo || doc > k->bm_hi) continue;
        m += bm25_tf(k->idf_sum, word_freq_bound(k, sp->w_title, sp->w_text), k->bm_norm) - k->bm_val;
        *alone = k;
    }
    if (on != 1) *alone = NULL;
    return m;
}

/* After leads_tf_bound dropped the candidate of word k, the only clause
 * on it: k's next documents up to upto -- the run group_block_max bounded
 * by m, where no other clause has a document -- are bounded the same way,
 * rest = m less k's block bound, straight from k's decoded block, and a
 * frequency no larger than one dropped is passed unread (the bound grows
 * with it; no score is pushed meanwhile). A document that passes is then
 * bounded with its own length, which scoring would read next (under
 * k1 1.2 b 0.75 "the preakness", keeping "the", scored 31,064 candidates
 * for 125 entries). True when a document's bound can beat the threshold,
 * k standing on it; false with k on the last document passed. */
static bool lead_run(struct pruning *pr, struct qit *k, uint32_t upto, double rest,
                     struct run_slack *rs, struct doc_ctx *dc)
{
    struct postings *p = &k->post[0];
    const struct score_params *sp = pr->sp;
    uint32_t dropped = postings_tf(p), j = p->i + 1;
    for (; j < p->n && p->docs[j] <= upto; j++) {
        if (p->tfs[j] <= dropped) continue;
        p->i = j;
        double f = word_freq_bound(k, sp->w_title, sp->w_text);
        if (run_cannot(pr, rs, rest + bm25_tf(k->idf_sum, f, k->bm_norm))) {
            dropped = p->tfs[j];
            continue;
        }
        dc->doc = p->docs[j];
        if (doc_ctx_load(dc)) break;   /* (scoring meets the error) */
        struct scoring sc = scoring_for(sp, dc->len, dc->title_len);
        if (!run_cannot(pr, rs, rest + bm25_tf(k->idf_sum, f, sc.norm))) break;
    }
    bool found = j < p->n && p->docs[j] <= upto;
    p->i = found ? j : j - 1;
    k->doc = p->doc = p->docs[p->i];
    return found;
}

/* The root and the group stand on doc, which is returned (only a
 * candidate returned needs them there: the clauses are what move). */
static inline uint32_t group_on(struct qit *root, struct qit *g, uint32_t doc)
{
    g->started = root->started = true;
    g->doc = root->doc = doc;
    return doc;
}

static uint32_t maxscore_next(struct qit *root, uint32_t target, struct pruning *pr,
                              struct doc_ctx *dc)
{
    struct qit *g = pr->group;
    if (pr->partitioned_at != pr->threshold) partition(pr);
    for (;;) {
        uint32_t doc = lead_next(pr, target);
        if (doc != DOC_END && pr->ngates) {
            uint32_t gate = gates_from(pr, doc, dc);
            if (gate != doc && gate != DOC_END) {
                target = gate;   /* the filters hold nothing before */
                continue;
            }
            doc = gate;
        }
        if (doc == DOC_END || pr->threshold == -INFINITY) return group_on(root, g, doc);
        uint32_t upto;
        struct run_slack rs = { g, doc, pr->slack, !pr->slack };   /* (the words are all in g: the gates filter) */
        double m = group_block_max(pr, doc, &upto);
        if (run_cannot(pr, &rs, m)) {
            if (upto >= DOC_END - 1) return root->doc = DOC_END;
            target = upto + 1;
            continue;
        }
        struct qit *alone;
        if (run_cannot(pr, &rs, leads_tf_bound(pr, doc, m, &alone))) {
            if (alone) {   /* (leapfrogging, only where it is the one required clause) */
                bool found = lead_run(pr, alone, upto, m - alone->bm_val, &rs, dc);
                doc = alone->doc;   /* the one found, or the last passed */
                if (found) {
                    target = doc;
                    continue;
                }
            }
            if (doc + 1 == DOC_END) return root->doc = DOC_END;
            target = doc + 1;
            continue;
        }
        dc->doc = doc;
        if (doc_ctx_load(dc)) return root->doc = DOC_END;
        struct scoring sc = scoring_for(pr->sp, dc->len, dc->title_len);
        double s = 0;
        bool keep = true;
        for (size_t i = 0; keep && i < pr->nlead; i++)
            if (pr->lead[i]->doc == doc && qit_confirm(pr->lead[i], dc))
                s += qit_score_clause(pr->lead[i], dc, &sc);
            else if (pr->leapfrog)
                keep = false;   /* a required clause does not match */
        for (size_t i = pr->nprobe; keep && i-- > 0;) {
            if (run_cannot(pr, &rs, s + pr->probe_prefix[i])) keep = false;
            else if (qit_kid_matches(pr->probe[i], doc, dc)) s += qit_score_clause(pr->probe[i], dc, &sc);
        }
        if (keep && !run_cannot(pr, &rs, s)) return group_on(root, g, doc);
        if (doc + 1 == DOC_END) return root->doc = DOC_END;
        target = doc + 1;
    }
}

uint32_t qit_next_competitive(struct qit *root, uint32_t target, struct pruning *pr,
                              struct doc_ctx *dc)
{
    pr->threshold = topk_threshold(pr->top);
    if (pr->n) return maxscore_next(root, target, pr, dc);
    uint32_t doc = block_max_next(root, target, pr, dc);
    root->started = true;
    return root->doc = doc;
}

