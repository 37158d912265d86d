/* iter.c -- the iterators of iter.h.
 *
 *   TERM     one postings list; with a field, confirmed by counting the
 *            positions inside the field
 *   PHRASE,  a conjunction of the slots' postings as approximation; the
 *   NEAR     positions decide (proximity.c), per field: a match never
 *            spans the title/text boundary
 *   BOOL     MUST clauses leapfrog; without them, the union of SHOULD
 *            clauses; NOT clauses are checked at confirmation. SHOULD
 *            clauses next to MUST ones only add to the score.
 */
#include "iter.h"

#include <stdlib.h>
#include <string.h>

#include "columns.h"
#include "dict.h"
#include "index.h"
#include "error.h"
#include "norms.h"
#include "proximity.h"
#include "schema.h"

/* ------------------------------------------------------------- ranges */

/* A QK_RANGE leaf: the documents whose key lies in [lo, hi], found block
 * by block in the field's column, skipping blocks whose range misses.
 * Two-phase, like the phrases: where the query jumps into a block not
 * seen yet, the target is only a candidate, its own key read when
 * confirmed (a filter beside rare words reads one key of a block, not all
 * of them); where it comes back to the block (the range leads, or the
 * words are dense there), the block's matches are read once as bits and
 * the next one is a bit scan. */
struct range_scan {
    struct num_column col;
    uint32_t touched;          /* the last block a candidate was taken from unread */
    uint32_t matched;          /* the block whose matches are in mask */
    uint64_t mask[2];
    uint32_t judged;           /* the last block whose summary was read ... */
    bool judged_may;           /* ... and whether it may hold a match */
    sift_err rc;
    sift_errmsg *err;
};

static bool range_block_may(struct range_scan *r, uint32_t b, uint64_t lo, uint64_t hi)
{
    if (r->judged != b) {
        struct col_block cb;
        if ((r->rc = num_column_block(&r->col, b, &cb, r->err))) return false;
        r->judged = b;
        r->judged_may = cb.any && cb.max >= lo && cb.min <= hi;
    }
    return r->judged_may;
}

uint32_t qit_range_advance(struct qit *it, uint32_t target)
{
    struct range_scan *r = it->range;
    uint64_t lo = it->node->lo, hi = it->node->hi;
    for (uint32_t b = target / COLUMN_BLOCK; !r->rc && b < r->col.nblocks; b++) {
        uint32_t first = b * COLUMN_BLOCK, from = target > first ? target - first : 0;
        if (!range_block_may(r, b, lo, hi)) continue;   /* nothing here can match */
        if (r->touched != b) {
            r->touched = b;
            return first + from;   /* a candidate: range_confirm reads its key */
        }
        if (r->matched != b) {
            if ((r->rc = num_column_match(&r->col, b, lo, hi, r->mask, r->err))) break;
            r->matched = b;
        }
        for (uint32_t w = from >> 6; w < 2; w++) {
            uint64_t m = r->mask[w] & (w == from >> 6 ? UINT64_MAX << (from & 63) : UINT64_MAX);
            if (m) return first + 64 * w + (uint32_t)__builtin_ctzll(m);
        }
    }
    return DOC_END;
}

/* Whether the candidate's own key lies in the range. */
static bool range_confirm(struct qit *it)
{
    struct range_scan *r = it->range;
    uint32_t i = it->doc % COLUMN_BLOCK;
    if (r->matched == it->doc / COLUMN_BLOCK) return r->mask[i >> 6] >> (i & 63) & 1;
    uint64_t key;
    bool has;
    if ((r->rc = num_column_get(&r->col, it->doc, &key, &has, r->err))) return false;
    return has && key >= it->node->lo && key <= it->node->hi;
}

static sift_err build_range(const struct qnode *n, const struct segment *s, sift_errmsg *err,
                            struct qit **out)
{
    *out = NULL;
    const struct field_def *f = segment_field(s, n->fname);
    if (!f || !f->col_len || n->lo > n->hi) return SIFT_OK;   /* nothing of the segment can match */
    struct qit *it = calloc(1, sizeof *it);
    struct range_scan *r = it ? malloc(sizeof *r) : NULL;
    if (!r) {
        free(it);
        return sift_fail(err, SIFT_ERR_NOMEM, "out of memory");
    }
    it->node = n;
    it->range = r;
    it->confirmed_doc = DOC_END;
    r->touched = r->judged = r->matched = UINT32_MAX;
    r->rc = SIFT_OK;
    r->err = err;
    sift_err rc = num_column_open(&r->col, s, f, err);
    if (!rc && (n->hi < r->col.min || n->lo > r->col.max)) rc = SIFT_ERR_NOTFOUND;   /* none can match */
    if (rc) {
        qit_free(it);
        return rc == SIFT_ERR_NOTFOUND ? SIFT_OK : rc;
    }
    *out = it;
    return SIFT_OK;
}

/* A QK_ALL leaf: every document of the segment (deleted ones are skipped
 * by the loops that read the root, like everyone's). */
static sift_err build_all(const struct qnode *n, const struct segment *s, sift_errmsg *err,
                          struct qit **out)
{
    *out = NULL;
    if (!s->doc_count) return SIFT_OK;
    struct qit *it = calloc(1, sizeof *it);
    if (!it) return sift_fail(err, SIFT_ERR_NOMEM, "out of memory");
    it->node = n;
    it->confirmed_doc = DOC_END;
    it->all_docs = s->doc_count;
    it->trivial = true;
    *out = it;
    return SIFT_OK;
}

void qit_free(struct qit *it)
{
    if (!it) return;
    free(it->range);
    for (size_t i = 0; i < it->nkids; i++) qit_free(it->kids[i]);
    free(it->kids);
    free(it->occurs);
    free(it->leap);
    for (size_t i = 0; it->pos && i < it->nslots; i++) free(it->pos[i]);
    free(it->pos);
    free(it->pos_cap);
    free(it->pos_doc);
    free(it->scratch);
    free(it->post);
    free(it);
}

/* Lists to leapfrog, rarest first (the first one proposes the candidates). */
static void sort_rarest_first(struct postings **l, size_t n)
{
    for (size_t i = 1; i < n; i++) {
        struct postings *p = l[i];
        size_t k = i;
        for (; k > 0 && l[k - 1]->ti.df > p->ti.df; k--) l[k] = l[k - 1];
        l[k] = p;
    }
}

/* The two rarest words of an exact phrase lead it; the others follow
 * from their first candidate on (phrase_follow). */
static void pick_leads(struct qit *it)
{
    const struct qterm *t = it->node->terms;
    size_t a = 0, b = 1;
    if (t[b].df < t[a].df) a = 1, b = 0;
    for (size_t i = 2; i < it->nslots; i++) {
        if (t[i].df < t[a].df) b = a, a = i;
        else if (t[i].df < t[b].df) b = i;
    }
    it->two_phase = true;
    it->lead[0] = a < b ? a : b;
    it->lead[1] = a < b ? b : a;
    it->leap[0] = &it->post[a];   /* the rarest proposes (lists_leapfrog) */
    it->leap[1] = &it->post[b];
    it->nleap = 2;
}

struct term_hint term_hint_for(const sift_query *q, uint32_t s)
{
    if (!q->seg_ti || s >= q->idx->nsegs) return (struct term_hint){ NULL, 0, 0 };
    return (struct term_hint){ q->seg_ti + s, q->nseg_terms, q->idx->nsegs };
}

/* A term's entry in the segment: from the hint, or looked up. */
static sift_err term_entry(const struct segment *s, const struct term_hint *h, const struct qterm *t,
                           struct term_info *ti, bool *found, sift_errmsg *err)
{
    if (h && h->ti && t->id < h->nterms) {
        *ti = h->ti[(size_t)t->id * h->stride];
        *found = ti->df != 0;
        return SIFT_OK;
    }
    return dict_lookup(s, t->term, t->len, ti, found, err);
}

static sift_err build_leaf(const struct qnode *n, const struct segment *s, const struct term_hint *h,
                           sift_errmsg *err, struct qit **out)
{
    *out = NULL;
    struct qit *it = calloc(1, sizeof *it);
    if (!it) return sift_fail(err, SIFT_ERR_NOMEM, "out of memory");
    it->node = n;
    it->nslots = n->nterms;
    it->post = malloc(n->nterms * sizeof *it->post);   /* postings_open sets what it reads: 2 KiB a slot not zeroed */
    it->pos = calloc(n->nterms, sizeof *it->pos);
    it->pos_cap = calloc(n->nterms, sizeof *it->pos_cap);
    it->pos_doc = malloc(n->nterms * sizeof *it->pos_doc);
    it->scratch = malloc(4 * n->nterms * sizeof *it->scratch);
    it->leap = malloc(n->nterms * sizeof *it->leap);
    it->confirmed_doc = DOC_END;
    if (!it->post || !it->pos || !it->pos_cap || !it->pos_doc || !it->scratch || !it->leap) {
        qit_free(it);
        return sift_fail(err, SIFT_ERR_NOMEM, "out of memory");
    }
    for (size_t i = 0; i < n->nterms; i++) {
        it->pos_doc[i] = DOC_END;
        it->leap[i] = &it->post[i];
        struct term_info ti;
        bool found;
        sift_err rc = term_entry(s, h, &n->terms[i], &ti, &found, err);
        if (!rc && found) rc = postings_open(&it->post[i], s, &ti, err);
        if (rc || !found) {
            qit_free(it);
            return rc;
        }
        it->idf_sum += n->terms[i].idf;
    }
    it->nleap = n->nterms;
    sort_rarest_first(it->leap, it->nleap);
    if (n->kind == QK_PHRASE && n->dist == 0 && n->nterms >= 3) pick_leads(it);
    it->word = qit_plain_word(it);
    it->trivial = it->word || n->kind == QK_KEYWORD;   /* as leaf_confirm finds */
    *out = it;
    return SIFT_OK;
}

/* A conjunction whose required clauses are all one list each (words):
 * their postings, rarest first, for words_advance (which starts them).
 * Nonzero when memory is short. */
static int words_leapfrog(struct qit *it)
{
    if (it->nmust < 2) return 0;
    for (size_t i = 0; i < it->nmust; i++)
        if (it->kids[i]->nslots != 1 || it->kids[i]->two_phase) return 0;
    it->leap = malloc(it->nmust * sizeof *it->leap);
    if (!it->leap) return -1;
    it->nleap = it->nmust;
    /* nothing but such words: where the leapfrog stops, it matches */
    it->trivial = it->nkids == it->nmust;
    for (size_t i = 0; i < it->nkids; i++) it->trivial &= it->kids[i]->trivial;
    for (size_t i = 0; i < it->nmust; i++) it->leap[i] = &it->kids[i]->post[0];
    sort_rarest_first(it->leap, it->nleap);
    return 0;
}

sift_err qit_build(const struct qnode *n, const struct segment *s, const struct term_hint *h,
                   sift_errmsg *err, struct qit **out)
{
    *out = NULL;
    if (n->kind == QK_RANGE) return build_range(n, s, err, out);
    if (n->kind == QK_ALL) return build_all(n, s, err, out);
    if (n->kind != QK_BOOL) return build_leaf(n, s, h, err, out);
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
            sift_err rc = qit_build(n->kids[i], s, h, err, &kid);
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
    if (words_leapfrog(it)) {
        qit_free(it);
        return sift_fail(err, SIFT_ERR_NOMEM, "out of memory");
    }
    *out = it;
    return SIFT_OK;
}

/* ---------------------------------------------------------- advancing */


/* The first document >= target every list holds (the lists started):
 * the first list (the rarest, where known) proposes a candidate, the
 * others are asked in turn, and the first one past it sends the first
 * list on. Asking the next list instead would have a frequent word
 * ("the" in "+the +english +restoration") decode a block at every
 * document the second list proposes, where the first one rejects most. */
static uint32_t lists_leapfrog(struct postings *const *lists, size_t n, uint32_t target)
{
    uint32_t doc = postings_seek(lists[0], target);
    for (size_t k = 1; k < n && doc != DOC_END;) {
        uint32_t d = postings_seek(lists[k], doc);
        if (d == doc) {
            k++;
        } else {
            doc = d == DOC_END ? DOC_END : postings_seek(lists[0], d);
            k = 1;
        }
    }
    return doc;
}

/* Leapfrog of the slots' postings: a document holding every term. */
static uint32_t leaf_advance(struct qit *it, uint32_t target)
{
    if (!it->started)
        for (size_t k = 0; k < it->nleap; k++) postings_first(it->leap[k]);
    it->started = true;
    return lists_leapfrog(it->leap, it->nleap, target);
}

/* The leapfrog of a conjunction of words, on their lists: the layers of
 * qit_kid_advance per step cost as much as the step. */
static uint32_t words_advance(struct qit *it, uint32_t target)
{
    if (!it->kids[0]->started)
        for (size_t i = 0; i < it->nleap; i++) postings_first(it->leap[i]);
    uint32_t doc = lists_leapfrog(it->leap, it->nleap, target);
    for (size_t i = 0; i < it->nmust; i++) {
        it->kids[i]->doc = doc;
        it->kids[i]->started = true;
    }
    return doc;
}

static uint32_t bool_advance(struct qit *it, uint32_t target)
{
    if (it->leap) return words_advance(it, target);   /* a BOOL has lists only then */
    if (it->nmust) return qit_leapfrog(it->kids, it->nmust, target);
    uint32_t best = DOC_END;
    for (size_t i = 0; i < it->nkids; i++) {
        struct qit *k = it->kids[i];
        if (it->occurs[i] != OCCUR_SHOULD) continue;
        uint32_t d = qit_kid_seek(k, target);
        if (d < best) best = d;
    }
    return best;
}

uint32_t qit_advance(struct qit *it, uint32_t target)
{
    enum qkind k = it->node->kind;
    it->doc = k == QK_BOOL    ? bool_advance(it, target)
              : k == QK_RANGE ? qit_range_advance(it, target)
              : k == QK_ALL   ? (target < it->all_docs ? target : DOC_END)
                              : leaf_advance(it, target);
    it->started = true;
    return it->doc;
}

/* ------------------------------------------------------- confirmation */

sift_err doc_ctx_load_now(struct doc_ctx *dc)
{
    dc->loaded = true;
    dc->loaded_doc = dc->doc;
    dc->rc = segment_norm_at(dc->seg, &dc->norms, dc->doc, &dc->len, &dc->title_len, dc->err);
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
    case FIELD_NAMED: r[0] = 0; r[1] = UINT32_MAX; return 1;   /* a field's own positions */
    default: r[0] = 0; r[1] = t; r[2] = t; r[3] = UINT32_MAX; return 2;
    }
}

/* Positions of slot i on the current document dc->doc. */
bool qit_load_positions(struct qit *it, size_t i, struct doc_ctx *dc)
{
    if (it->pos_doc[i] == it->post[i].doc) return true;
    struct postings *p = &it->post[i];
    uint32_t tf = postings_tf(p);
    sift_err rc = p->rc ? p->rc : doc_ctx_load(dc);   /* the length the scoring loads anyway */
    if (rc) p->rc = rc;
    uint32_t dl = dc->len;
    const struct qterm *t = &it->node->terms[i];
    if (term_is_field(t->term, t->len)) dl = UINT32_MAX;   /* a field's own positions */
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

/* Whether some x of a[0..na) and y of b[0..nb) (both ascending) have
 * y == x + delta. */
static bool pair_at(const uint32_t *a, uint32_t na, const uint32_t *b, uint32_t nb, uint32_t delta)
{
    for (uint32_t i = 0, j = 0; i < na && j < nb;) {
        uint64_t want = (uint64_t)a[i] + delta;
        if (b[j] < want) j++;
        else if (b[j] > want) i++;
        else return true;
    }
    return false;
}

/* A two-phase phrase on a candidate of its leads: whether the two stand
 * at the phrase's distance, and then whether every other word holds the
 * document (moved there now). Most documents holding every word of a
 * phrase do not hold it (four in five of the benchmark's candidates), and
 * the other words are mostly the frequent ones. */
static bool phrase_follow(struct qit *it, struct doc_ctx *dc)
{
    size_t a = it->lead[0], b = it->lead[1];
    if (!qit_load_positions(it, a, dc) || !qit_load_positions(it, b, dc) ||
        !pair_at(it->pos[a], postings_tf(&it->post[a]), it->pos[b], postings_tf(&it->post[b]),
                 (uint32_t)(b - a)))
        return false;
    for (size_t i = 0; !it->followers_started && i < it->nslots; i++)   /* not before: a phrase may get no candidate */
        if (i != a && i != b) postings_first(&it->post[i]);
    it->followers_started = true;
    for (size_t i = 0; i < it->nslots; i++)
        if (i != a && i != b && postings_seek(&it->post[i], it->doc) != it->doc) return false;
    return true;
}

/* Whether the other word of a pair stands at `want`: its first position
 * decides when it is at or past want (most documents), else its
 * positions are read. */
static bool pair_other_at(struct qit *it, size_t i, uint64_t want, struct doc_ctx *dc)
{
    struct postings *p = &it->post[i];
    uint32_t first = postings_first_position(p);
    if (p->rc || first >= want) return !p->rc && first == want;
    if (postings_tf(p) == 1 || !qit_load_positions(it, i, dc)) return false;
    uint32_t tf = postings_tf(p);
    for (uint32_t k = 1; k < tf && it->pos[i][k] <= want; k++)
        if (it->pos[i][k] == want) return true;
    return false;
}

/* An exact phrase of two different words, one of them once in the
 * document: there is at most one match, the other word's position right
 * after (or before) that one's, inside one of the field's ranges (what
 * exact_phrase_ranges finds); the word once is read by its first position
 * alone, the other by its first where that decides. Such documents are
 * most of a two-word phrase's candidates on short passages. Sets
 * it->freq; false when the fast case does not apply. */
static bool pair_once(struct qit *it, struct doc_ctx *dc, bool *match)
{
    const struct qnode *n = it->node;
    if (n->kind != QK_PHRASE || n->dist || it->nslots != 2 || n->terms[0].id == n->terms[1].id)
        return false;
    size_t once = postings_tf(&it->post[0]) == 1 ? 0 : postings_tf(&it->post[1]) == 1 ? 1 : 2;
    if (once == 2) return false;
    uint32_t x = postings_first_position(&it->post[once]);
    uint64_t start = once == 0 ? x : (uint64_t)x - 1;   /* the phrase's first position */
    it->freq = 0;
    if (!it->post[once].rc && x < UINT32_MAX - 1 && (once == 0 || x > 0) &&
        pair_other_at(it, 1 - once, once == 0 ? start + 1 : start, dc)) {
        uint32_t r[4];
        int nr = field_ranges(n, dc, r);
        for (int k = 0; k < nr; k++) it->freq |= start >= r[2 * k] && start + 2 <= r[2 * k + 1];
    }
    *match = it->freq > 0;
    return true;
}

static bool leaf_confirm(struct qit *it, struct doc_ctx *dc)
{
    const struct qnode *n = it->node;
    if (n->kind == QK_RANGE) return range_confirm(it);
    if (it->word || qkind_filters(n->kind))
        return true;   /* its frequency is read when scored (qit_leaf_freq): counting never unpacks it */
    if (it->two_phase && !phrase_follow(it, dc)) return false;
    bool match;
    if (pair_once(it, dc, &match)) return match;
    struct prox_slot slots[QUERY_MAX_PHRASE];
    for (size_t i = 0; i < it->nslots; i++) {
        if (!qit_load_positions(it, i, dc)) return false;
        slots[i] = (struct prox_slot){ it->pos[i], postings_tf(&it->post[i]), n->terms[i].id };
    }
    uint32_t r[4];
    int nr = field_ranges(n, dc, r);
    enum prox_kind kind = n->kind == QK_PHRASE ? PROX_PHRASE : n->ordered ? PROX_ONEAR : PROX_NEAR;
    uint32_t dist = n->kind == QK_TERM ? 0 : n->dist;
    it->freq = prox_count_ranges(kind, dist, slots, it->nslots, r, nr, it->scratch);
    return it->freq > 0;
}


static bool bool_confirm(struct qit *it, struct doc_ctx *dc)
{
    uint32_t doc = it->doc;
    bool any = it->nmust > 0;
    for (size_t i = 0; i < it->nkids; i++) {
        switch (it->occurs[i]) {
        case OCCUR_MUST:
            if (!qit_kid_matches(it->kids[i], doc, dc)) return false;
            break;
        case OCCUR_NOT:
            if (qit_kid_matches(it->kids[i], doc, dc)) return false;
            break;
        case OCCUR_SHOULD:
            if (!any && qit_kid_matches(it->kids[i], doc, dc)) any = true;
            break;
        }
    }
    return any;
}

bool qit_confirm_now(struct qit *it, struct doc_ctx *dc)
{
    bool ok = it->node->kind == QK_BOOL ? bool_confirm(it, dc) : leaf_confirm(it, dc);
    it->confirmed_doc = it->doc;
    it->confirmed = ok;
    return ok;
}

sift_err qit_error(const struct qit *it)
{
    if (it->range && it->range->rc) return it->range->rc;
    for (size_t i = 0; i < it->nslots; i++)
        if (it->post[i].rc) return it->post[i].rc;
    for (size_t i = 0; i < it->nkids; i++) {
        sift_err rc = qit_error(it->kids[i]);
        if (rc) return rc;
    }
    return SIFT_OK;
}

