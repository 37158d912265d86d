/* proximity.c -- the matchers of proximity.h.
 *
 * For each position p0 of slot 0, every window [L, L + span] that could
 * hold a match with slot 0 at p0 is tried; in a window, slots of distinct
 * terms only need one candidate each, and slots sharing a term need
 * distinct positions, found by bipartite matching (augmenting paths), so
 * the test is exact and polynomial even for phrases like "a a a"~3.
 */
#include "proximity.h"

#include <string.h>

/* first index in p[0..n) with p[i] >= v */
static size_t lower_bound(const uint32_t *p, size_t n, uint64_t v)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (p[mid] < v) lo = mid + 1;
        else hi = mid;
    }
    return lo;
}

/* The candidate range of slot i inside a window: positions in
 * [a_i, b_i], clipped to [lo, hi). */
struct range {
    size_t first, last;   /* indexes into the slot's positions, last exclusive */
};

static bool slot_range(const struct prox_slot *s, int64_t a, int64_t b, uint32_t lo, uint32_t hi,
                       struct range *r)
{
    if (a < lo) a = lo;
    if (b > (int64_t)hi - 1) b = (int64_t)hi - 1;
    if (a > b) return false;
    r->first = lower_bound(s->pos, s->n, (uint64_t)a);
    r->last = lower_bound(s->pos, s->n, (uint64_t)b + 1);
    return r->first < r->last;
}

struct matching {
    const struct prox_slot *slots;
    const struct range *ranges;
    size_t nslots;
    uint32_t *owner_pos;   /* per slot: the position it holds, or UINT32_MAX */
    uint32_t *seen;        /* per slot: visit mark for the current augmentation */
    uint32_t mark;
};

/* Kuhn's augmenting path for slot i among slots of the same term. */
static bool augment(struct matching *m, size_t i, uint32_t term)
{
    const struct prox_slot *s = &m->slots[i];
    for (size_t k = m->ranges[i].first; k < m->ranges[i].last; k++) {
        uint32_t p = s->pos[k];
        size_t holder = m->nslots;
        for (size_t j = 0; j < m->nslots; j++)
            if (m->slots[j].term_id == term && m->owner_pos[j] == p) holder = j;
        if (holder == m->nslots) {
            m->owner_pos[i] = p;
            return true;
        }
        if (m->seen[holder] == m->mark) continue;
        m->seen[holder] = m->mark;
        if (augment(m, holder, term)) {
            m->owner_pos[i] = p;
            return true;
        }
    }
    return false;
}

/* Whether every slot gets a candidate, distinct within each term. */
static bool window_ok(const struct prox_slot *slots, const struct range *ranges, size_t n,
                      uint32_t *scratch)
{
    struct matching m = { slots, ranges, n, scratch, scratch + n, 0 };
    for (size_t i = 0; i < n; i++) {
        m.owner_pos[i] = UINT32_MAX;
        m.seen[i] = 0;
    }
    for (size_t i = 0; i < n; i++) {
        bool shared = false;
        for (size_t j = 0; j < n && !shared; j++) shared = j != i && slots[j].term_id == slots[i].term_id;
        if (!shared) continue;              /* a lone term needs only a non-empty range */
        m.mark++;
        m.seen[i] = m.mark;
        if (!augment(&m, i, slots[i].term_id)) return false;
    }
    return true;
}

/* Fix slot r (the anchor) at position pa and try every window that could
 * hold a match containing it. `off(i)` is the offset slot i's position
 * must have from the window start: i for phrases (q_i = p_i - i), 0 for
 * NEAR; `span` is the window width. */
static bool anchored(uint32_t pa, size_t r, bool phrase, uint32_t span,
                     const struct prox_slot *slots, size_t n, uint32_t lo, uint32_t hi,
                     uint32_t *scratch, struct range *ranges)
{
    int64_t qa = (int64_t)pa - (phrase ? (int64_t)r : 0);
    int64_t L = qa - span;
    if (!phrase && L < lo) L = lo;
    for (; L <= qa; L++) {
        bool ok = true;
        for (size_t i = 0; i < n && ok; i++) {
            if (i == r) {
                ranges[i].first = lower_bound(slots[i].pos, slots[i].n, pa);
                ranges[i].last = ranges[i].first + 1;
                continue;
            }
            int64_t o = phrase ? (int64_t)i : 0;
            ok = slot_range(&slots[i], L + o, L + (int64_t)span + o, lo, hi, &ranges[i]);
        }
        if (ok && window_ok(slots, ranges, n, scratch)) return true;
        /* the next window start worth trying: the smallest q above L */
        int64_t next = qa;
        for (size_t i = 0; i < n; i++) {
            if (i == r) continue;
            int64_t o = phrase ? (int64_t)i : 0;
            int64_t from = L + 1 + o;
            size_t k = lower_bound(slots[i].pos, slots[i].n, (uint64_t)(from > 0 ? from : 0));
            if (k < slots[i].n && (int64_t)slots[i].pos[k] - o < next) next = (int64_t)slots[i].pos[k] - o;
        }
        if (next > L + 1) L = next - 1;
    }
    return false;
}

/* Ordered: from the anchor, the nearest later position for each later
 * slot and the nearest earlier one for each earlier slot; this greedy
 * choice gives the narrowest span, so it decides existence exactly. */
static bool onear_anchored(uint32_t pa, size_t r, uint32_t span, const struct prox_slot *slots,
                           size_t n, uint32_t lo, uint32_t hi)
{
    uint64_t last = pa, first = pa;
    for (size_t i = r + 1; i < n; i++) {
        size_t k = lower_bound(slots[i].pos, slots[i].n, last + 1);
        if (k == slots[i].n || slots[i].pos[k] >= hi) return false;
        last = slots[i].pos[k];
    }
    for (size_t i = r; i-- > 0;) {
        size_t k = lower_bound(slots[i].pos, slots[i].n, first);
        if (k == 0 || slots[i].pos[k - 1] < lo) return false;
        first = slots[i].pos[k - 1];
    }
    return last - first <= span;
}

/* First index in p[from..n) with p[i] >= v, galloping from `from`: the
 * cursors of an exact phrase only move forward. */
static size_t gallop(const uint32_t *p, size_t n, size_t from, uint32_t v)
{
    size_t lo = from, hi = from, step = 1;
    while (hi < n && p[hi] < v) {
        lo = hi + 1;
        hi += step;
        step <<= 1;
    }
    if (hi > n) hi = n;
    return lo + lower_bound(p + lo, hi - lo, v);
}

/* The common case, an exact phrase of distinct terms: anchor position p
 * matches when every slot i holds p - r + i. One pass over the
 * positions, where the general matcher binary-searches every slot for
 * every anchor (a phrase in a 200 MB document went from 1.7 s to ms). */
static uint32_t exact_phrase_count(const struct prox_slot *slots, size_t n, size_t r, uint32_t lo,
                                   uint32_t hi)
{
    size_t cur[64];
    for (size_t i = 0; i < n; i++) cur[i] = lower_bound(slots[i].pos, slots[i].n, lo);
    uint32_t count = 0;
    const struct prox_slot *an = &slots[r];
    for (size_t k = cur[r]; k < an->n && an->pos[k] < hi; k++) {
        int64_t base = (int64_t)an->pos[k] - (int64_t)r;
        if (base < lo || base + (int64_t)n > hi) continue;
        bool ok = true;
        for (size_t i = 0; i < n && ok; i++) {
            if (i == r) continue;
            uint32_t want = (uint32_t)(base + (int64_t)i);
            cur[i] = gallop(slots[i].pos, slots[i].n, cur[i], want);
            ok = cur[i] < slots[i].n && slots[i].pos[cur[i]] == want;
        }
        count += ok;
    }
    return count;
}

static bool distinct_terms(const struct prox_slot *slots, size_t n)
{
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < i; j++)
            if (slots[i].term_id == slots[j].term_id) return false;
    return true;
}

/* An exact phrase of distinct terms over the ranges at once: anchored on
 * the slot with the fewest positions, an occurrence at base counts when
 * every slot i holds base + i and the phrase lies inside one range. The
 * anchor is the same slot for every range, so the count may differ from
 * prox_count's only in which slot counts, and for an exact phrase every
 * slot counts each occurrence once: the same sum. */
static uint32_t exact_phrase_ranges(const struct prox_slot *slots, size_t n, const uint32_t *r, int nr)
{
    size_t a = 0, cur[64];
    for (size_t i = 0; i < n; i++) cur[i] = 0;   /* n of the 64, not all: a call per candidate */
    for (size_t i = 1; i < n; i++)
        if (slots[i].n < slots[a].n) a = i;
    uint32_t count = 0;
    int k = 0;
    for (size_t j = 0; j < slots[a].n; j++) {
        int64_t base = (int64_t)slots[a].pos[j] - (int64_t)a;
        while (k < nr && base >= r[2 * k + 1]) k++;
        if (k == nr) break;
        if (base < r[2 * k] || base + (int64_t)n > r[2 * k + 1]) continue;
        bool ok = true;
        for (size_t i = 0; i < n && ok; i++) {
            if (i == a) continue;
            uint32_t want = (uint32_t)(base + (int64_t)i);
            cur[i] = gallop(slots[i].pos, slots[i].n, cur[i], want);
            ok = cur[i] < slots[i].n && slots[i].pos[cur[i]] == want;
        }
        count += ok;
    }
    return count;
}

uint32_t prox_count_ranges(enum prox_kind kind, uint32_t dist, const struct prox_slot *slots, size_t nslots,
                           const uint32_t *r, int nr, uint32_t *scratch)
{
    if (kind == PROX_PHRASE && dist == 0 && nslots > 1 && nslots <= 64 && distinct_terms(slots, nslots))
        return exact_phrase_ranges(slots, nslots, r, nr);
    uint32_t count = 0;
    for (int k = 0; k < nr; k++) count += prox_count(kind, dist, slots, nslots, r[2 * k], r[2 * k + 1], scratch);
    return count;
}

uint32_t prox_count(enum prox_kind kind, uint32_t dist, const struct prox_slot *slots,
                    size_t nslots, uint32_t lo, uint32_t hi, uint32_t *scratch)
{
    if (nslots == 0 || nslots > 64) return 0;   /* the parser never builds longer ones */
    struct range ranges[64];
    uint32_t span = kind == PROX_PHRASE ? dist : dist + (uint32_t)nslots - 1;
    /* anchor on the slot with the fewest positions in [lo, hi) */
    size_t r = 0, best = SIZE_MAX;
    for (size_t i = 0; i < nslots; i++) {
        size_t a = lower_bound(slots[i].pos, slots[i].n, lo), b = lower_bound(slots[i].pos, slots[i].n, hi);
        if (b - a < best) {
            best = b - a;
            r = i;
        }
    }
    if (kind == PROX_PHRASE && dist == 0 && nslots > 1 && distinct_terms(slots, nslots))
        return exact_phrase_count(slots, nslots, r, lo, hi);
    uint32_t count = 0;
    const struct prox_slot *an = &slots[r];
    for (size_t k = lower_bound(an->pos, an->n, lo); k < an->n && an->pos[k] < hi; k++) {
        uint32_t pa = an->pos[k];
        bool ok;
        if (nslots == 1) ok = true;
        else if (kind == PROX_ONEAR) ok = onear_anchored(pa, r, span, slots, nslots, lo, hi);
        else ok = anchored(pa, r, kind == PROX_PHRASE, span, slots, nslots, lo, hi, scratch, ranges);
        count += ok;
    }
    return count;
}
