/* count.c -- the matches of a query without iterating them one by one,
 * where the query's shape allows.
 *
 * A root of optional plain words (and excluded plain words), or one plain
 * word, has for matches exactly the documents of its postings: they are
 * OR-ed into a bitmap of the segment whole block by block, instead of
 * merging the lists document by document (what Lucene's BooleanScorer does
 * for disjunctions). Exclusions and deleted documents are cleared, then the
 * bits are counted, or walked by the facets. A conjunction of plain
 * words is counted by leapfrogging its lists directly. */
#include "count.h"

#include <stdlib.h>
#include <string.h>

#include "iter.h"

/* The documents of a decoded block into the bitmap, or out of it: the
 * loop that decides a union's COUNT. The bitmap is never the block
 * (restrict), so docs and n stay in registers; four documents a turn. */
#define MARK_LOOP(op)                                                                     \
    const uint32_t *d = docs, *end = docs + n;                                            \
    for (; end - d >= 4; d += 4)                                                          \
        for (unsigned j = 0; j < 4; j++) op(bits[d[j] >> 6], d[j]);                       \
    for (; d < end; d++) op(bits[*d >> 6], *d)
#define SET_ONE(w, d) ((w) |= (uint64_t)1 << ((d) & 63))
#define CLEAR_ONE(w, d) ((w) &= ~((uint64_t)1 << ((d) & 63)))

static void set_bits(uint64_t *restrict bits, const uint32_t *restrict docs, uint32_t n)
{
    MARK_LOOP(SET_ONE);
}

static void clear_bits(uint64_t *restrict bits, const uint32_t *restrict docs, uint32_t n)
{
    MARK_LOOP(CLEAR_ONE);
}

#if defined(__x86_64__) && defined(__GNUC__)
/* With BMI2, a variable shift is one instruction (shlx) instead of a
 * constant's move and a shift by cl: 5 instructions a document, not 9. */
__attribute__((target("bmi2"))) static void set_bits_bmi2(uint64_t *restrict bits,
                                                          const uint32_t *restrict docs, uint32_t n)
{
    MARK_LOOP(SET_ONE);
}
#endif

static void mark_block(uint64_t *bits, const uint32_t *docs, uint32_t n, bool set)
{
    if (!set) {
        clear_bits(bits, docs, n);
        return;
    }
#if defined(__x86_64__) && defined(__GNUC__)
    if (__builtin_cpu_supports("bmi2")) {
        set_bits_bmi2(bits, docs, n);
        return;
    }
#endif
    set_bits(bits, docs, n);
}

static sift_err mark(struct qit *k, uint64_t *bits, bool set)
{
    struct postings *p = &k->post[0];
    for (uint32_t d = postings_first(p); d != DOC_END; d = postings_next_block(p))
        mark_block(bits, p->docs, p->n, set);
    return p->rc;
}

/* The plain word whose documents are exactly the root's matches, or NULL:
 * the root itself, or a group's only required clause when nothing is
 * excluded (optional clauses next to it only score). */
static struct qit *single_word(struct qit *root)
{
    if (qit_plain_word(root)) return root;
    if (root->node->kind != QK_BOOL || root->nmust != 1) return NULL;
    for (size_t i = 0; i < root->nkids; i++)
        if (root->occurs[i] == OCCUR_NOT) return NULL;
    return qit_plain_word(root->kids[0]) ? root->kids[0] : NULL;   /* MUST kids come first */
}

/* A root of plain optional words and plain exclusions. */
static bool words_only(const struct qit *root)
{
    if (root->node->kind != QK_BOOL || root->nmust || root->nkids < 2) return false;
    for (size_t i = 0; i < root->nkids; i++)
        if (!qit_plain_word(root->kids[i])) return false;
    return true;
}

sift_err qit_match_bits(struct qit *root, const struct segment *seg, uint64_t **out)
{
    *out = NULL;
    struct qit *word = single_word(root);
    if (!word && !words_only(root)) return SIFT_OK;
    size_t words = ((size_t)seg->doc_count + 63) / 64;
    uint64_t *bits = calloc(words ? words : 1, sizeof *bits);
    if (!bits) return SIFT_OK;   /* fall back to merging */
    sift_err rc = SIFT_OK;
    if (word) {
        rc = mark(word, bits, true);
    } else {
        for (int pass = 0; pass < 2 && !rc; pass++)   /* optional words, then exclusions */
            for (size_t i = 0; i < root->nkids && !rc; i++)
                if ((root->occurs[i] == OCCUR_NOT) == (pass == 1))
                    rc = mark(root->kids[i], bits, pass == 0);
    }
    for (size_t w = 0; seg->delbits && w < words; w++)
        for (unsigned b = 0; b < 8 && w * 8 + b < ((size_t)seg->doc_count + 7) / 8; b++)
            bits[w] &= ~((uint64_t)seg->delbits[w * 8 + b] << (8 * b));
    if (rc) {
        free(bits);
        return rc;
    }
    *out = bits;
    return SIFT_OK;
}

static inline uint64_t ones_loop(const uint64_t *w, size_t n)
{
    uint64_t c = 0;
    for (size_t i = 0; i < n; i++) c += (uint64_t)__builtin_popcountll(w[i]);
    return c;
}

/* The bits set in w[0..n): a union's COUNT reads the whole bitmap, a
 * word per 64 documents of the segment. With the CPU's popcnt where it
 * has one (the portable builtin is a libgcc call per word), and with
 * AVX2 32 bytes at a time: each byte's nibbles counted by table lookup
 * (pshufb), the bytes summed by psadbw (2.6 instructions a word, where
 * popcnt's loop takes 6). */
#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>

__attribute__((target("popcnt"))) static uint64_t ones_popcnt(const uint64_t *w, size_t n)
{
    return ones_loop(w, n);
}

__attribute__((target("avx2"))) static __m256i ones_bytes(__m256i v)
{
    const __m256i table = _mm256_setr_epi8(0, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4,
                                           0, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4);
    const __m256i low = _mm256_set1_epi8(0x0F);
    __m256i lo = _mm256_shuffle_epi8(table, _mm256_and_si256(v, low));
    __m256i hi = _mm256_shuffle_epi8(table, _mm256_and_si256(_mm256_srli_epi16(v, 4), low));
    return _mm256_add_epi8(lo, hi);
}

__attribute__((target("avx2"))) static uint64_t ones_avx2(const uint64_t *w, size_t n)
{
    __m256i acc = _mm256_setzero_si256();
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {   /* two vectors' byte counts (at most 16 each) summed as bytes */
        __m256i a = ones_bytes(_mm256_loadu_si256((const __m256i *)(w + i)));
        __m256i b = ones_bytes(_mm256_loadu_si256((const __m256i *)(w + i + 4)));
        acc = _mm256_add_epi64(acc, _mm256_sad_epu8(_mm256_add_epi8(a, b), _mm256_setzero_si256()));
    }
    uint64_t lanes[4];
    _mm256_storeu_si256((__m256i *)lanes, acc);
    return lanes[0] + lanes[1] + lanes[2] + lanes[3] + ones_loop(w + i, n - i);
}
#endif

static uint64_t ones(const uint64_t *w, size_t n)
{
#if defined(__x86_64__) && defined(__GNUC__)
    if (__builtin_cpu_supports("avx2")) return ones_avx2(w, n);
    if (__builtin_cpu_supports("popcnt")) return ones_popcnt(w, n);
#endif
    return ones_loop(w, n);
}

/* A root whose required clauses are plain words, two or more or one
 * with exclusions, beside plain exclusions and optional clauses of any
 * kind (which only score). */
static bool conjunction(const struct qit *root)
{
    if (root->node->kind != QK_BOOL || root->nmust < 1 || root->nmust > 64) return false;
    size_t excluded = 0;
    for (size_t i = 0; i < root->nkids; i++) {
        if (root->occurs[i] != OCCUR_SHOULD && !qit_plain_word(root->kids[i])) return false;
        excluded += root->occurs[i] == OCCUR_NOT;
    }
    return (root->nmust >= 2 || excluded) && excluded <= 64 && (root->nmust == 1 || root->leap);
}

/* Keep the candidates c[0..m) list p holds (keep == true) or does not;
 * the count kept. *end is set when p has nothing at or after the last
 * candidate it was asked for. */
static size_t filter(struct postings *p, uint32_t *c, size_t m, bool keep, bool *end)
{
    size_t k = 0;
    for (size_t j = 0; j < m; j++) {
        uint32_t d = postings_seek(p, c[j]);
        c[k] = c[j];
        k += (d == c[j]) == keep;
    }
    *end = p->doc == DOC_END;
    return k;
}

/* The documents every required list holds and no excluded one does, a
 * block of the rarest list at a time: its documents are the candidates,
 * each other list in turn keeps those it holds (stepping inline within
 * its decoded block), and the rarest list then jumps to where the others
 * are. The iterators' layers, the per-match collection and a call per
 * candidate cost more than the lists here. */
static sift_err count_conjunction(struct qit *root, const struct segment *seg, uint64_t *out)
{
    /* the required words rarest first, as the iterator leapfrogs them
     * (iter.c), or the one required word (MUST kids come first) */
    struct postings *one = &root->kids[0]->post[0], *not[64];
    struct postings *const *must = root->leap ? root->leap : &one;
    size_t nm = root->nmust, nn = 0;
    for (size_t i = 0; i < root->nkids; i++) {
        if (root->occurs[i] == OCCUR_SHOULD) continue;   /* scores only; may be no word */
        struct postings *p = &root->kids[i]->post[0];
        postings_first(p);
        if (root->occurs[i] == OCCUR_NOT) not[nn++] = p;
    }
    uint64_t n = 0;
    struct postings *lead = must[0];
    uint32_t cand[POSTINGS_BLOCK];
    while (lead->doc != DOC_END) {
        size_t m = lead->n - lead->i;
        memcpy(cand, lead->docs + lead->i, m * sizeof *cand);
        uint32_t next = cand[m - 1] + 1;   /* past the block, or where a list is beyond it */
        bool last = false, end;
        for (size_t i = 1; i < nm && m; i++) {
            m = filter(must[i], cand, m, true, &end);
            last |= end;
            if (must[i]->doc > next) next = must[i]->doc;
        }
        for (size_t k = 0; k < nn && m; k++) m = filter(not[k], cand, m, false, &end);
        for (size_t j = 0; seg->delbits && j < m; j++) n -= segment_is_deleted(seg, cand[j]);
        n += m;
        if (last) break;
        postings_seek(lead, next);
    }
    for (size_t i = 0; i < root->nkids; i++)
        if (root->occurs[i] != OCCUR_SHOULD && root->kids[i]->post[0].rc) return root->kids[i]->post[0].rc;
    *out = n;
    return SIFT_OK;
}

sift_err qit_count_fast(struct qit *root, const struct segment *seg, uint64_t *out, bool *done)
{
    *done = false;
    if (conjunction(root)) {
        *done = true;
        return count_conjunction(root, seg, out);
    }
    struct qit *word = single_word(root);
    if (word && !seg->delbits) {   /* Lucene's count shortcut: the document frequency */
        *out = word->post[0].ti.df;
        *done = true;
        return SIFT_OK;
    }
    if (word) return SIFT_OK;   /* merging skips the deleted ones as fast */
    uint64_t *bits;
    sift_err rc = qit_match_bits(root, seg, &bits);
    if (rc || !bits) return rc;
    uint64_t n = ones(bits, ((size_t)seg->doc_count + 63) / 64);
    free(bits);
    *out = n;
    *done = true;
    return SIFT_OK;
}
