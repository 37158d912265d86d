/* lev_dfa.c -- the lazily determinized edit automaton of lev_dfa.h.
 *
 * A state is what the bit-parallel step of edit_automaton.c reads of the
 * past: R[e] for each distance (bit j: the word's first j code points are
 * within e edits of the term's prefix), and for the transposition term
 * Y[e] = (R[e-1] of the state before << 2) & M(code point before), since
 * that step's swap term is (R2[e-1] << 2) & (M(c) << 1) & M(prev). With
 * them a step is a function of the state and M(c) alone, and M(c) is one
 * per class. The flag `grace` keeps ea_step's liveness, which also asks
 * the state before (R[maxd-1]: a swap may still bring the term within).
 * Distances above maxd are dropped from the key: nothing reads them.
 */
#include "lev_dfa.h"

#include <stdlib.h>
#include <string.h>

#define KEY_WORDS 6   /* R0, R1, R2, Y1, Y2, grace */

static uint64_t hash_key(const uint64_t *k)
{
    uint64_t h = 0x9E3779B97F4A7C15u;
    for (int i = 0; i < KEY_WORDS; i++) {
        h ^= k[i];
        h *= 0xFF51AFD7ED558CCDu;
        h ^= h >> 32;
    }
    return h;
}

static bool grow_states(struct lev_dfa *a)
{
    if (a->nstates < a->cap) return true;
    if (a->cap >= DFA_MAX_STATES) return false;
    uint32_t cap = a->cap * 2;
    uint64_t *keys = realloc(a->keys, (size_t)cap * KEY_WORDS * sizeof *keys);
    if (keys) a->keys = keys;
    uint8_t *dist = realloc(a->dist, cap);
    if (dist) a->dist = dist;
    uint32_t *next = realloc(a->next, (size_t)cap * a->nclass * sizeof *next);
    if (next) a->next = next;
    uint64_t *live = realloc(a->live, (size_t)cap * 4 * sizeof *live);
    if (live) a->live = live;
    bool *known = realloc(a->live_known, cap * sizeof *known);
    if (known) a->live_known = known;
    if (!keys || !dist || !next || !live || !known) return false;
    a->cap = cap;
    return true;
}

static bool rehash(struct lev_dfa *a, uint32_t nslots)
{
    uint32_t *slots = calloc(nslots, sizeof *slots);
    if (!slots) return false;
    for (uint32_t s = 1; s < a->nstates; s++) {
        uint32_t i = (uint32_t)hash_key(a->keys + (size_t)s * KEY_WORDS) & (nslots - 1);
        while (slots[i]) i = (i + 1) & (nslots - 1);
        slots[i] = s;
    }
    free(a->slots);
    a->slots = slots;
    a->nslots = nslots;
    return true;
}

/* The number of the state with key k, made when new; DFA_DEAD when out of memory. */
static uint32_t intern(struct lev_dfa *a, const uint64_t *k)
{
    uint32_t i = (uint32_t)hash_key(k) & (a->nslots - 1);
    for (; a->slots[i]; i = (i + 1) & (a->nslots - 1))
        if (!memcmp(a->keys + (size_t)a->slots[i] * KEY_WORDS, k, KEY_WORDS * sizeof *k)) return a->slots[i];
    if (!grow_states(a)) return a->oom = true, DFA_DEAD;
    uint32_t s = a->nstates++;
    memcpy(a->keys + (size_t)s * KEY_WORDS, k, KEY_WORDS * sizeof *k);
    unsigned d = a->maxd + 1;
    for (unsigned e = a->maxd + 1; e-- > 0;)
        if (k[e] & a->top) d = e;
    a->dist[s] = (uint8_t)d;
    a->live_known[s] = false;
    for (uint32_t c = 0; c < a->nclass; c++) a->next[(size_t)s * a->nclass + c] = DFA_UNKNOWN;
    a->slots[i] = s;
    if ((uint64_t)a->nstates * 2 > a->nslots && !rehash(a, a->nslots * 2)) return a->oom = true, DFA_DEAD;
    return s;
}

uint32_t dfa_add(struct lev_dfa *a, uint32_t s, uint32_t cls)
{
    const uint64_t *r = a->keys + (size_t)s * KEY_WORDS, *y = r + 2;   /* y[e] for e = 1, 2 */
    uint64_t m = a->class_mask[cls], k[KEY_WORDS] = { 0 };
    k[0] = (r[0] << 1) & m;
    for (unsigned e = 1; e <= a->maxd; e++) {
        uint64_t v = ((r[e] << 1) & m) | r[e - 1] | (r[e - 1] << 1) | (k[e - 1] << 1) | (y[e] & (m << 1));
        k[e] = v & a->full;
        k[2 + e] = (r[e - 1] << 2) & m & a->full;
    }
    k[5] = a->maxd && r[a->maxd - 1];
    uint32_t n = k[a->maxd] || k[5] ? intern(a, k) : DFA_DEAD;
    if (!a->oom) a->next[(size_t)s * a->nclass + cls] = n;
    return n;
}

const uint64_t *dfa_live_bytes_slow(struct lev_dfa *a, uint32_t s)
{
    bool alive[EA_BITS + 2];
    for (uint32_t c = 0; c < a->nclass; c++) {
        uint32_t n = a->next[(size_t)s * a->nclass + c];
        alive[c] = (n != DFA_UNKNOWN ? n : dfa_add(a, s, c)) != DFA_DEAD;
        if (a->oom) return NULL;
    }
    uint64_t *m = a->live + (size_t)s * 4;
    memset(m, 0, 4 * sizeof *m);
    for (unsigned b = 0; b < 128; b++)
        if (alive[a->ascii_class[b]]) m[b >> 6] |= UINT64_C(1) << (b & 63);
    if (alive[0]) {
        m[2] = m[3] = UINT64_MAX;
    } else {
        for (size_t i = 0; i < a->nother; i++) {
            uint32_t c = a->other[i];
            if (!alive[a->nclass - a->nother + i]) continue;
            unsigned lead = c < 0x800 ? 0xC0 | c >> 6 : c < 0x10000 ? 0xE0 | c >> 12 : 0xF0 | c >> 18;
            m[lead >> 6] |= UINT64_C(1) << (lead & 63);
            if (c < 0x100) m[c >> 6] |= UINT64_C(1) << (c & 63);
        }
    }
    a->live_known[s] = true;
    return m;
}

struct lev_dfa *dfa_new(const uint32_t *q, size_t qn, unsigned maxd)
{
    if (qn > EA_BITS) return NULL;
    struct lev_dfa *a = calloc(1, sizeof *a);
    if (!a) return NULL;
    a->qn = qn;
    a->maxd = maxd > EA_MAX_DIST ? EA_MAX_DIST : maxd;
    a->full = (UINT64_C(2) << qn) - 1;
    a->top = UINT64_C(1) << qn;
    a->other = malloc((qn + 1) * sizeof *a->other);
    a->class_mask = calloc(qn + 1, sizeof *a->class_mask);
    uint32_t nascii = 0;
    for (size_t j = 0; a->other && a->class_mask && j < qn; j++) {   /* classes: 0, ASCII, the rest */
        if (q[j] < 128 && !a->ascii_class[q[j]]) a->ascii_class[q[j]] = (uint8_t)++nascii;
        size_t i = 0;
        while (q[j] >= 128 && i < a->nother && a->other[i] != q[j]) i++;
        if (q[j] >= 128 && i == a->nother) a->other[a->nother++] = q[j];
    }
    a->nclass = 1 + nascii + (uint32_t)a->nother;
    for (size_t j = 0; a->class_mask && j < qn; j++)
        a->class_mask[dfa_class(a, q[j])] |= UINT64_C(1) << (j + 1);
    a->cap = 64;
    a->keys = malloc((size_t)a->cap * KEY_WORDS * sizeof *a->keys);
    a->dist = malloc(a->cap);
    a->next = malloc((size_t)a->cap * a->nclass * sizeof *a->next);
    a->live = malloc((size_t)a->cap * 4 * sizeof *a->live);
    a->live_known = malloc(a->cap * sizeof *a->live_known);
    a->nstates = 1;   /* 0 is DFA_DEAD */
    if (!a->other || !a->class_mask || !a->keys || !a->dist || !a->next || !a->live || !a->live_known ||
        !rehash(a, 256)) {
        dfa_free(a);
        return NULL;
    }
    uint64_t k[KEY_WORDS] = { 0 };
    for (unsigned e = 0; e <= a->maxd; e++) k[e] = ((UINT64_C(2) << e) - 1) & a->full;
    if (intern(a, k) != DFA_START) {
        dfa_free(a);
        return NULL;
    }
    return a;
}

void dfa_free(struct lev_dfa *a)
{
    if (!a) return;
    free(a->other);
    free(a->class_mask);
    free(a->keys);
    free(a->dist);
    free(a->next);
    free(a->live);
    free(a->live_known);
    free(a->slots);
    free(a);
}
