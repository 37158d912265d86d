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

/* Phrase with slop: q_i = p_i - i must all lie in [L, L + slop]. */
static bool phrase_at(uint32_t p0, uint32_t slop, const struct prox_slot *slots, size_t n,
                      uint32_t lo, uint32_t hi, uint32_t *scratch, struct range *ranges)
{
    int64_t q0 = p0;
    for (int64_t L = q0 - slop; L <= q0; L++) {
        bool ok = true;
        ranges[0].first = lower_bound(slots[0].pos, slots[0].n, p0);
        ranges[0].last = ranges[0].first + 1;
        for (size_t i = 1; i < n && ok; i++)
            ok = slot_range(&slots[i], L + (int64_t)i, L + (int64_t)slop + (int64_t)i, lo, hi,
                            &ranges[i]);
        if (ok && window_ok(slots, ranges, n, scratch)) return true;
        if (!slop) break;
        /* skip windows that gain nothing: the next L worth trying is the
         * smallest q of any slot above L */
        int64_t next = q0;
        for (size_t i = 1; i < n; i++) {
            size_t k = lower_bound(slots[i].pos, slots[i].n, (uint64_t)(L + 1 + (int64_t)i > 0 ? L + 1 + (int64_t)i : 0));
            if (k < slots[i].n) {
                int64_t q = (int64_t)slots[i].pos[k] - (int64_t)i;
                if (q < next) next = q;
            }
        }
        if (next > L + 1) L = next - 1;
    }
    return false;
}

static bool near_at(uint32_t p0, uint32_t span, const struct prox_slot *slots, size_t n,
                    uint32_t lo, uint32_t hi, uint32_t *scratch, struct range *ranges)
{
    int64_t start = (int64_t)p0 - span;
    for (int64_t L = start < 0 ? 0 : start; L <= p0; L++) {
        bool ok = true;
        ranges[0].first = lower_bound(slots[0].pos, slots[0].n, p0);
        ranges[0].last = ranges[0].first + 1;
        for (size_t i = 1; i < n && ok; i++)
            ok = slot_range(&slots[i], L, L + (int64_t)span, lo, hi, &ranges[i]);
        if (ok && window_ok(slots, ranges, n, scratch)) return true;
        /* next window start worth trying: the smallest candidate above L */
        int64_t next = p0;
        for (size_t i = 1; i < n; i++) {
            size_t k = lower_bound(slots[i].pos, slots[i].n, (uint64_t)L + 1);
            if (k < slots[i].n && slots[i].pos[k] < next) next = slots[i].pos[k];
        }
        if (next > L + 1) L = next - 1;
    }
    return false;
}

/* Ordered: the greedy choice of the first position after the previous one
 * is optimal. */
static bool onear_at(uint32_t p0, uint32_t span, const struct prox_slot *slots, size_t n,
                     uint32_t hi)
{
    uint64_t prev = p0;
    for (size_t i = 1; i < n; i++) {
        size_t k = lower_bound(slots[i].pos, slots[i].n, prev + 1);
        if (k == slots[i].n || slots[i].pos[k] >= hi) return false;
        prev = slots[i].pos[k];
        if (prev - p0 > span) return false;
    }
    return true;
}

uint32_t prox_count(enum prox_kind kind, uint32_t dist, const struct prox_slot *slots,
                    size_t nslots, uint32_t lo, uint32_t hi, uint32_t *scratch)
{
    if (nslots == 0) return 0;
    struct range ranges[64];
    if (nslots > 64) return 0;   /* the parser never builds longer ones */
    uint32_t span = kind == PROX_PHRASE ? dist : dist + (uint32_t)nslots - 1;
    uint32_t count = 0;
    size_t first = lower_bound(slots[0].pos, slots[0].n, lo);
    for (size_t k = first; k < slots[0].n && slots[0].pos[k] < hi; k++) {
        uint32_t p0 = slots[0].pos[k];
        bool ok;
        if (nslots == 1) ok = true;
        else if (kind == PROX_PHRASE) ok = phrase_at(p0, dist, slots, nslots, lo, hi, scratch, ranges);
        else if (kind == PROX_NEAR) ok = near_at(p0, span, slots, nslots, lo, hi, scratch, ranges);
        else ok = onear_at(p0, span, slots, nslots, hi);
        count += ok;
    }
    return count;
}
