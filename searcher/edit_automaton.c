/* edit_automaton.c -- the edit-distance automaton of edit_automaton.h.
 *
 * Bit-parallel form (after Wu and Manber's agrep, with Hyyrö's
 * transposition term): for each distance e, bit j of R[e] says that the
 * word's first j code points are within e edits of the term's prefix. A
 * code point c of the term steps them as
 *   R'[0] = (R[0] << 1) & M(c)
 *   R'[e] = (R[e] << 1) & M(c)         c matches the next code point
 *         | R[e-1]                     c is inserted
 *         | R[e-1] << 1                c replaces one
 *         | R'[e-1] << 1               one of the word's is deleted
 *         | (R2[e-1] << 2) & (M(c) << 1) & M(prev)   c and the one before
 *                                      are two of the word's swapped
 * where M(c) has bit j set when the word's code point j - 1 is c, R2 is the
 * state before R and prev the term's code point before c. Each line is one
 * case of the table's recurrence read as "within e", so both forms give
 * the same distances (the tests compare them). */
#include "edit_automaton.h"

#include <stdlib.h>
#include <string.h>

struct edit_automaton {
    size_t qn, max_len;
    unsigned maxd;
    bool rows;                 /* the table form */
    uint32_t *q;
    /* bit-parallel form */
    uint64_t full;             /* bits 0..qn */
    uint64_t ascii[128];       /* M(c) of c < 128 */
    uint32_t *other;           /* the word's other code points, with their masks */
    uint64_t *other_mask;
    size_t nother;
    uint64_t *st;              /* (max_len + 1) states of EA_MAX_DIST + 1 words */
    uint64_t *mask_at;         /* M of the term's code point d - 1, per state d */
    /* table form */
    uint32_t *t;               /* the term's code points */
    unsigned *cell;            /* (max_len + 1) rows of qn + 1 */
    unsigned *row_min;
};

static uint64_t mask_of(const struct edit_automaton *a, uint32_t c)
{
    if (c < 128) return a->ascii[c];
    for (size_t i = 0; i < a->nother; i++)
        if (a->other[i] == c) return a->other_mask[i];
    return 0;
}

static bool init_bits(struct edit_automaton *a)
{
    a->full = (UINT64_C(2) << a->qn) - 1;
    a->other = malloc((a->qn + 1) * sizeof *a->other);
    a->other_mask = malloc((a->qn + 1) * sizeof *a->other_mask);
    a->st = malloc((a->max_len + 1) * (EA_MAX_DIST + 1) * sizeof *a->st);
    a->mask_at = malloc((a->max_len + 1) * sizeof *a->mask_at);
    if (!a->other || !a->other_mask || !a->st || !a->mask_at) return false;
    for (size_t j = 0; j < a->qn; j++) {
        uint32_t c = a->q[j];
        uint64_t bit = UINT64_C(1) << (j + 1);
        if (c < 128) {
            a->ascii[c] |= bit;
            continue;
        }
        size_t i = 0;
        while (i < a->nother && a->other[i] != c) i++;
        if (i == a->nother) a->other[a->nother] = c, a->other_mask[a->nother++] = 0;
        a->other_mask[i] |= bit;
    }
    for (unsigned e = 0; e <= EA_MAX_DIST; e++) a->st[e] = ((UINT64_C(2) << e) - 1) & a->full;
    a->mask_at[0] = 0;
    return true;
}

static bool init_rows(struct edit_automaton *a)
{
    a->t = malloc((a->max_len + 1) * sizeof *a->t);
    a->cell = malloc((a->max_len + 1) * (a->qn + 1) * sizeof *a->cell);
    a->row_min = malloc((a->max_len + 1) * sizeof *a->row_min);
    if (!a->t || !a->cell || !a->row_min) return false;
    for (size_t j = 0; j <= a->qn; j++) a->cell[j] = j <= a->maxd ? (unsigned)j : a->maxd + 1;
    a->row_min[0] = 0;
    return true;
}

struct edit_automaton *ea_new(const uint32_t *q, size_t qn, unsigned maxd, size_t max_len, bool force_rows)
{
    struct edit_automaton *a = calloc(1, sizeof *a);
    if (!a) return NULL;
    a->qn = qn;
    a->max_len = max_len;
    a->maxd = maxd > EA_MAX_DIST ? EA_MAX_DIST : maxd;
    a->rows = force_rows || qn > EA_BITS;
    a->q = malloc((qn + 1) * sizeof *a->q);
    if (a->q) memcpy(a->q, q, qn * sizeof *q);
    if (!a->q || !(a->rows ? init_rows(a) : init_bits(a))) {
        ea_free(a);
        return NULL;
    }
    return a;
}

void ea_free(struct edit_automaton *a)
{
    if (!a) return;
    free(a->q);
    free(a->other);
    free(a->other_mask);
    free(a->st);
    free(a->mask_at);
    free(a->t);
    free(a->cell);
    free(a->row_min);
    free(a);
}

static unsigned min3(unsigned a, unsigned b, unsigned c)
{
    unsigned m = a < b ? a : b;
    return m < c ? m : c;
}

static unsigned *row(const struct edit_automaton *a, size_t d) { return a->cell + d * (a->qn + 1); }

/* Row d from the rows before it. Only the band |d - j| <= maxd can be
 * within maxd; the cells beside it are set to the cap, which is what the
 * next row reads of them. */
static bool step_rows(struct edit_automaton *a, size_t d, uint32_t c)
{
    a->t[d - 1] = c;
    unsigned *r = row(a, d), *up = row(a, d - 1), cap = a->maxd + 1;
    r[0] = d < cap ? (unsigned)d : cap;
    unsigned m = r[0];
    size_t lo = d > a->maxd + 1 ? d - a->maxd : 1, hi = d + a->maxd < a->qn ? d + a->maxd : a->qn;
    if (lo > 1 && lo - 1 <= a->qn) r[lo - 1] = cap;   /* (a term far longer than the word: no band) */
    if (hi < a->qn) r[hi + 1] = cap;
    for (size_t j = lo; j <= hi; j++) {
        unsigned v = min3(up[j] + 1, r[j - 1] + 1, up[j - 1] + (c != a->q[j - 1]));
        if (d > 1 && j > 1 && c == a->q[j - 2] && a->t[d - 2] == a->q[j - 1]) {
            unsigned tr = row(a, d - 2)[j - 2] + 1;
            if (tr < v) v = tr;
        }
        r[j] = v < cap ? v : cap;
        if (r[j] < m) m = r[j];
    }
    a->row_min[d] = m;
    /* alive unless this row is too far and so is the one before plus the
     * one edit a swap would add */
    return !(m > a->maxd && a->row_min[d - 1] + 1 > a->maxd);
}

/* Every distance up to EA_MAX_DIST is stepped, whatever maxd is: a fixed
 * count the compiler unrolls, and the states above maxd are never read. */
static bool step_bits(struct edit_automaton *a, size_t d, uint32_t c)
{
    const uint64_t *r = a->st + (d - 1) * (EA_MAX_DIST + 1);
    uint64_t *n = a->st + d * (EA_MAX_DIST + 1);
    uint64_t m = mask_of(a, c), swap = d >= 2 ? (m << 1) & a->mask_at[d - 1] : 0;
    const uint64_t *r2 = swap ? r - (EA_MAX_DIST + 1) : r;   /* read only when swap */
    a->mask_at[d] = m;
    n[0] = (r[0] << 1) & m;
    for (unsigned e = 1; e <= EA_MAX_DIST; e++) {
        uint64_t v = ((r[e] << 1) & m) | r[e - 1] | (r[e - 1] << 1) | (n[e - 1] << 1) | ((r2[e - 1] << 2) & swap);
        n[e] = v & a->full;
    }
    return n[a->maxd] || (a->maxd && r[a->maxd - 1]);
}

bool ea_step(struct edit_automaton *a, size_t d, uint32_t c)
{
    return a->rows ? step_rows(a, d, c) : step_bits(a, d, c);
}

unsigned ea_distance(const struct edit_automaton *a, size_t tn)
{
    if (a->rows)
        return tn > a->qn + a->maxd || tn + a->maxd < a->qn ? a->maxd + 1 : row(a, tn)[a->qn];
    const uint64_t *r = a->st + tn * (EA_MAX_DIST + 1), top = UINT64_C(1) << a->qn;
    for (unsigned e = 0; e <= a->maxd; e++)
        if (r[e] & top) return e;
    return a->maxd + 1;
}
