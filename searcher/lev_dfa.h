/* lev_dfa.h -- the edit automaton (edit_automaton.h) made deterministic
 * as a walk needs it: each state is the bit-parallel form's state vector,
 * numbered the first time a step reaches it, and each transition is
 * computed once per state and class of code point (the word's distinct
 * code points, and all the others), so that a step in a walk of a trie is
 * a table look-up. The same distances and the same live prefixes as
 * ea_step, which the tests hold it to; words of up to EA_BITS code points.
 * A word of 63 code points within 2 has 1,050 states in all (600 KB of
 * tables when every one is stepped); a walk makes the few it reaches.
 */
#ifndef SIFT_LEV_DFA_H
#define SIFT_LEV_DFA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "edit_automaton.h"

#define DFA_DEAD 0u          /* no term with this prefix comes within the distance */
#define DFA_START 1u
#define DFA_UNKNOWN UINT32_MAX
#define DFA_MAX_STATES (1u << 20)

struct lev_dfa {
    size_t qn;
    unsigned maxd;
    uint64_t full, top;
    uint8_t ascii_class[128];    /* class of each code point below 128 (0: not in the word) */
    uint32_t *other;             /* the word's code points from 128 up, class 1 + nascii + i */
    size_t nother;
    uint64_t *class_mask;        /* M(c) of each class (edit_automaton.c) */
    uint32_t nclass;
    /* states 1..nstates-1: key words (R0, R1, R2, Y1, Y2, grace), distance */
    uint64_t *keys;
    uint8_t *dist;
    uint32_t *next;              /* nclass per state, DFA_UNKNOWN until stepped */
    uint64_t *live;              /* 4 per state: dfa_live_bytes, once live_known */
    bool *live_known;
    uint32_t nstates, cap;
    uint32_t *slots;             /* open-addressing hash of the keys: state numbers */
    uint32_t nslots;
    bool oom;                    /* a step could not grow the tables */
};

/* The automaton for q[0..qn) within maxd (<= EA_MAX_DIST); NULL when qn >
 * EA_BITS or out of memory. Free with dfa_free. */
struct lev_dfa *dfa_new(const uint32_t *q, size_t qn, unsigned maxd);
void dfa_free(struct lev_dfa *a);

/* The transition not yet computed (a->oom set and DFA_DEAD when the
 * tables cannot grow). */
uint32_t dfa_add(struct lev_dfa *a, uint32_t s, uint32_t cls);

/* The bytes a code point may start with and keep state s alive, as 256
 * bits (bit b of word b / 64): exactly the live ones below 0x80; from
 * 0x80 up, every byte when a code point outside the word keeps s alive,
 * else the UTF-8 lead bytes of the word's live code points and the stray
 * bytes of that value (decode reads a stray byte as itself). Computed
 * once per state; NULL when out of memory (a->oom). */
const uint64_t *dfa_live_bytes_slow(struct lev_dfa *a, uint32_t s);

static inline const uint64_t *dfa_live_bytes(struct lev_dfa *a, uint32_t s)
{
    return a->live_known[s] ? a->live + (size_t)s * 4 : dfa_live_bytes_slow(a, s);
}

static inline uint32_t dfa_class(const struct lev_dfa *a, uint32_t c)
{
    if (c < 128) return a->ascii_class[c];
    for (size_t i = 0; i < a->nother; i++)
        if (a->other[i] == c) return a->nclass - (uint32_t)a->nother + (uint32_t)i;
    return 0;
}

/* The state after s (not DFA_DEAD) reads code point c. */
static inline uint32_t dfa_step(struct lev_dfa *a, uint32_t s, uint32_t c)
{
    uint32_t cls = dfa_class(a, c), n = a->next[(size_t)s * a->nclass + cls];
    return n != DFA_UNKNOWN ? n : dfa_add(a, s, cls);
}

/* The same for c < 128. */
static inline uint32_t dfa_step_ascii(struct lev_dfa *a, uint32_t s, uint8_t c)
{
    uint32_t cls = a->ascii_class[c], n = a->next[(size_t)s * a->nclass + cls];
    return n != DFA_UNKNOWN ? n : dfa_add(a, s, cls);
}

/* The state after s reads a code point the word does not hold. */
static inline uint32_t dfa_step_other(struct lev_dfa *a, uint32_t s)
{
    uint32_t n = a->next[(size_t)s * a->nclass];
    return n != DFA_UNKNOWN ? n : dfa_add(a, s, 0);
}

/* The distance of the term that ends in state s, or maxd + 1. */
static inline unsigned dfa_distance(const struct lev_dfa *a, uint32_t s)
{
    return s == DFA_DEAD ? a->maxd + 1 : a->dist[s];
}

#endif
