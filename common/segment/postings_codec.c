/* postings_codec.c -- portable bit packing of 128-value blocks. */
#include "postings_codec.h"

#include <string.h>

unsigned codec_bits(const uint32_t *v, size_t n)
{
    uint32_t all = 0;
    for (size_t i = 0; i < n; i++) all |= v[i];
    unsigned bits = 0;
    while (all) {
        bits++;
        all >>= 1;
    }
    return bits;
}

void codec_pack(const uint32_t *v, unsigned bits, uint8_t *out)
{
    size_t size = codec_packed_size(bits);
    if (!bits) return;
    memset(out, 0, size);
    uint64_t acc = 0;
    unsigned have = 0;
    size_t o = 0;
    for (size_t i = 0; i < POSTINGS_BLOCK; i++) {
        acc |= (uint64_t)v[i] << have;
        have += bits;
        while (have >= 8) {
            out[o++] = (uint8_t)acc;
            acc >>= 8;
            have -= 8;
        }
    }
    /* 128 * bits is a multiple of 8, so nothing is left over */
}

/* Value i sits at bit i*bits: one unaligned 64-bit load reaches all of it
 * (bits <= 32, shift <= 7). Near the end of the block a load could pass
 * the last byte, so those values are read from a zero-padded copy. With
 * bits a constant in each instantiation, the compiler turns the shifts and
 * the mask into immediates. */
static inline uint64_t load64(const uint8_t *p)
{
    uint64_t x;
    memcpy(&x, p, sizeof x);
    return x;   /* little-endian hosts; see the check below */
}

static inline void unpack_fixed(const uint8_t *in, uint32_t *v, const unsigned bits)
{
    const uint64_t mask = bits == 32 ? 0xffffffffu : ((uint64_t)1 << bits) - 1;
    const size_t size = (size_t)POSTINGS_BLOCK * bits / 8;
    size_t i = 0;
    for (; i < POSTINGS_BLOCK && (i * bits >> 3) + 8 <= size; i++)
        v[i] = (uint32_t)(load64(in + (i * bits >> 3)) >> (i * bits & 7) & mask);
    if (i < POSTINGS_BLOCK) {
        uint8_t tail[16 + 8] = { 0 };
        size_t from = (i * bits >> 3);
        memcpy(tail, in + from, size - from);
        for (; i < POSTINGS_BLOCK; i++)
            v[i] = (uint32_t)(load64(tail + (i * bits >> 3) - from) >> (i * bits & 7) & mask);
    }
}

#if defined(__x86_64__) && defined(__GNUC__) && \
    defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#include <immintrin.h>
#define HAVE_SIMD_UNPACK 1

/* SIMD unpacking, for widths up to 24: eight values span exactly `bits`
 * bytes, so every group of eight starts on a byte. Each half of a group
 * gathers its four values with one byte shuffle from a 16-byte window
 * (value j needs the 4 bytes from bit j*bits, shifted right by
 * (j*bits) & 7 <= 7, and 24 + 7 bits fit in 32), then shifts and masks
 * them. The input is copied to a padded buffer first, so no load passes
 * the packed bytes. The shuffles and shifts depend on the width alone: a
 * constant table of them, the same for AVX2 and SSE4.1. */
struct simd_shape {
    uint8_t shuf[32];    /* byte shuffle of values 0-3 (window at 0), then 4-7 (at hi) */
    uint32_t shift[8];   /* right shift of value j */
    unsigned hi;         /* the second half's window, in bytes */
};

#define SH_BYTE(b, j) ((((j) * (b)) >> 3) - ((j) < 4 ? 0 : (4 * (b)) >> 3))
#define SH_SHUF(b, j) SH_BYTE(b, j), SH_BYTE(b, j) + 1, SH_BYTE(b, j) + 2, SH_BYTE(b, j) + 3
#define SH_SHAPE(b)                                                                              \
    { { SH_SHUF(b, 0), SH_SHUF(b, 1), SH_SHUF(b, 2), SH_SHUF(b, 3),                              \
        SH_SHUF(b, 4), SH_SHUF(b, 5), SH_SHUF(b, 6), SH_SHUF(b, 7) },                            \
      { 0, (b) & 7, (2 * (b)) & 7, (3 * (b)) & 7, (4 * (b)) & 7, (5 * (b)) & 7, (6 * (b)) & 7,     \
        (7 * (b)) & 7 },                                                                         \
      (4 * (b)) >> 3 }
#define SH_SHAPES4(b) SH_SHAPE(b), SH_SHAPE(b + 1), SH_SHAPE(b + 2), SH_SHAPE(b + 3)
static const struct simd_shape shapes[25] = { SH_SHAPES4(0),  SH_SHAPES4(4),  SH_SHAPES4(8),
                                              SH_SHAPES4(12), SH_SHAPES4(16), SH_SHAPES4(20),
                                              SH_SHAPE(24) };

struct simd_plan {
    uint8_t buf[24 * POSTINGS_BLOCK / 8 + 32];
    const struct simd_shape *sh;
};

/* Only the 32 bytes after the packed ones are read beyond them (and
 * masked away): those are zeroed, not the whole buffer. */
static void simd_plan(struct simd_plan *p, const uint8_t *in, unsigned bits)
{
    size_t size = codec_packed_size(bits);
    memcpy(p->buf, in, size);
    memset(p->buf + size, 0, 32);
    p->sh = &shapes[bits];
}

__attribute__((target("avx2"))) static void unpack_avx2(const uint8_t *in, unsigned bits,
                                                        uint32_t *v)
{
    struct simd_plan p;
    simd_plan(&p, in, bits);
    const __m256i mask = _mm256_set1_epi32((int)((1u << bits) - 1));
    const __m256i sh = _mm256_loadu_si256((const __m256i *)p.sh->shift);
    const __m256i sm = _mm256_loadu_si256((const __m256i *)p.sh->shuf);
    for (unsigned g = 0; g < POSTINGS_BLOCK / 8; g++) {
        const uint8_t *b = p.buf + g * bits;
        __m256i x = _mm256_inserti128_si256(
            _mm256_castsi128_si256(_mm_loadu_si128((const __m128i *)b)),
            _mm_loadu_si128((const __m128i *)(b + p.sh->hi)), 1);
        x = _mm256_and_si256(_mm256_srlv_epi32(_mm256_shuffle_epi8(x, sm), sh), mask);
        _mm256_storeu_si256((__m256i *)(v + g * 8), x);
    }
}

/* Eight prefix sums at a time: within each 128-bit half by two shifted
 * adds, then the first half's total into the second, then the carry. */
__attribute__((target("avx2"))) static void gaps_to_docs_avx2(uint32_t *v, uint32_t prev)
{
    const __m256i one = _mm256_set1_epi32(1), last = _mm256_set1_epi32(7);
    const __m256i third = _mm256_set1_epi32(3);
    __m256i carry = _mm256_set1_epi32((int)prev);
    for (unsigned g = 0; g < POSTINGS_BLOCK / 8; g++) {
        __m256i x = _mm256_add_epi32(_mm256_loadu_si256((const __m256i *)(v + g * 8)), one);
        x = _mm256_add_epi32(x, _mm256_slli_si256(x, 4));
        x = _mm256_add_epi32(x, _mm256_slli_si256(x, 8));
        __m256i low_total = _mm256_permutevar8x32_epi32(x, third);
        x = _mm256_add_epi32(x, _mm256_blend_epi32(_mm256_setzero_si256(), low_total, 0xF0));
        x = _mm256_add_epi32(x, carry);
        _mm256_storeu_si256((__m256i *)(v + g * 8), x);
        carry = _mm256_permutevar8x32_epi32(x, last);
    }
}

/* A value that wraps to 0 is one that was UINT32_MAX. */
__attribute__((target("avx2"))) static bool plus_one_avx2(uint32_t *v)
{
    const __m256i one = _mm256_set1_epi32(1);
    __m256i wrapped = _mm256_setzero_si256();
    for (unsigned g = 0; g < POSTINGS_BLOCK / 8; g++) {
        __m256i x = _mm256_add_epi32(_mm256_loadu_si256((const __m256i *)(v + g * 8)), one);
        _mm256_storeu_si256((__m256i *)(v + g * 8), x);
        wrapped = _mm256_or_si256(wrapped, _mm256_cmpeq_epi32(x, _mm256_setzero_si256()));
    }
    return _mm256_testz_si256(wrapped, wrapped);
}

/* SSE4.1, for CPUs without AVX2: in place of AVX2's variable shift, a
 * multiply by 2^(7 - shift) (what overflows is bits above the value) and
 * a shift right by 7. */
__attribute__((target("sse4.1"))) static void unpack_sse41(const uint8_t *in, unsigned bits,
                                                          uint32_t *v)
{
    struct simd_plan p;
    simd_plan(&p, in, bits);
    uint32_t mul[8];
    for (unsigned j = 0; j < 8; j++) mul[j] = 1u << (7 - p.sh->shift[j]);
    const __m128i mask = _mm_set1_epi32((int)((1u << bits) - 1));
    const __m128i s0 = _mm_loadu_si128((const __m128i *)p.sh->shuf);
    const __m128i s1 = _mm_loadu_si128((const __m128i *)(p.sh->shuf + 16));
    const __m128i m0 = _mm_loadu_si128((const __m128i *)mul);
    const __m128i m1 = _mm_loadu_si128((const __m128i *)(mul + 4));
    for (unsigned g = 0; g < POSTINGS_BLOCK / 8; g++) {
        const uint8_t *b = p.buf + g * bits;
        __m128i x = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)b), s0);
        __m128i y = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(b + p.sh->hi)), s1);
        x = _mm_and_si128(_mm_srli_epi32(_mm_mullo_epi32(x, m0), 7), mask);
        y = _mm_and_si128(_mm_srli_epi32(_mm_mullo_epi32(y, m1), 7), mask);
        _mm_storeu_si128((__m128i *)(v + g * 8), x);
        _mm_storeu_si128((__m128i *)(v + g * 8 + 4), y);
    }
}

__attribute__((target("sse4.1"))) static void gaps_to_docs_sse41(uint32_t *v, uint32_t prev)
{
    const __m128i one = _mm_set1_epi32(1);
    __m128i carry = _mm_set1_epi32((int)prev);
    for (unsigned g = 0; g < POSTINGS_BLOCK / 4; g++) {
        __m128i x = _mm_add_epi32(_mm_loadu_si128((const __m128i *)(v + g * 4)), one);
        x = _mm_add_epi32(x, _mm_slli_si128(x, 4));
        x = _mm_add_epi32(x, _mm_slli_si128(x, 8));
        x = _mm_add_epi32(x, carry);
        _mm_storeu_si128((__m128i *)(v + g * 4), x);
        carry = _mm_shuffle_epi32(x, 0xFF);
    }
}

__attribute__((target("sse4.1"))) static bool plus_one_sse41(uint32_t *v)
{
    const __m128i one = _mm_set1_epi32(1);
    __m128i wrapped = _mm_setzero_si128();
    for (unsigned g = 0; g < POSTINGS_BLOCK / 4; g++) {
        __m128i x = _mm_add_epi32(_mm_loadu_si128((const __m128i *)(v + g * 4)), one);
        _mm_storeu_si128((__m128i *)(v + g * 4), x);
        wrapped = _mm_or_si128(wrapped, _mm_cmpeq_epi32(x, _mm_setzero_si128()));
    }
    return _mm_testz_si128(wrapped, wrapped);
}
#endif

static void unpack_portable(const uint8_t *in, unsigned bits, uint32_t *v);

static bool plus_one_portable(uint32_t *v)
{
    uint32_t wrapped = 0;   /* no branch in the loop */
    for (unsigned i = 0; i < POSTINGS_BLOCK; i++) wrapped |= ++v[i] == 0;
    return !wrapped;
}

static void gaps_to_docs_portable(uint32_t *v, uint32_t prev)
{
    for (unsigned i = 0; i < POSTINGS_BLOCK; i++) v[i] = prev += v[i] + 1;
}

int codec_isa_supported(enum codec_isa isa)
{
#ifdef HAVE_SIMD_UNPACK
    if (isa == CODEC_AVX2) return __builtin_cpu_supports("avx2");
    if (isa == CODEC_SSE41) return __builtin_cpu_supports("sse4.1");
#endif
    return isa == CODEC_PORTABLE;
}

/* The best the CPU has; libgcc reads the CPU model once, at start. */
static enum codec_isa best_isa(void)
{
    if (codec_isa_supported(CODEC_AVX2)) return CODEC_AVX2;
    if (codec_isa_supported(CODEC_SSE41)) return CODEC_SSE41;
    return CODEC_PORTABLE;
}

void codec_unpack_isa(enum codec_isa isa, const uint8_t *in, unsigned bits, uint32_t *v)
{
#ifdef HAVE_SIMD_UNPACK
    if (bits && bits <= 24 && isa == CODEC_AVX2) {
        unpack_avx2(in, bits, v);
        return;
    }
    if (bits && bits <= 24 && isa == CODEC_SSE41) {
        unpack_sse41(in, bits, v);
        return;
    }
#else
    (void)isa;
#endif
    unpack_portable(in, bits, v);
}

void codec_gaps_to_docs_isa(enum codec_isa isa, uint32_t *v, uint32_t prev)
{
#ifdef HAVE_SIMD_UNPACK
    if (isa == CODEC_AVX2) {
        gaps_to_docs_avx2(v, prev);
        return;
    }
    if (isa == CODEC_SSE41) {
        gaps_to_docs_sse41(v, prev);
        return;
    }
#else
    (void)isa;
#endif
    gaps_to_docs_portable(v, prev);
}

bool codec_plus_one_isa(enum codec_isa isa, uint32_t *v)
{
#ifdef HAVE_SIMD_UNPACK
    if (isa == CODEC_AVX2) return plus_one_avx2(v);
    if (isa == CODEC_SSE41) return plus_one_sse41(v);
#else
    (void)isa;
#endif
    return plus_one_portable(v);
}

bool codec_plus_one(uint32_t *v)
{
    return codec_plus_one_isa(best_isa(), v);
}

void codec_unpack(const uint8_t *in, unsigned bits, uint32_t *v)
{
    codec_unpack_isa(best_isa(), in, bits, v);
}

void codec_gaps_to_docs(uint32_t *v, uint32_t prev)
{
    codec_gaps_to_docs_isa(best_isa(), v, prev);
}

static void unpack_portable(const uint8_t *in, unsigned bits, uint32_t *v)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    switch (bits) {
#define W(n) case n: unpack_fixed(in, v, n); return;
    W(1) W(2) W(3) W(4) W(5) W(6) W(7) W(8) W(9) W(10) W(11) W(12) W(13) W(14) W(15) W(16)
    W(17) W(18) W(19) W(20) W(21) W(22) W(23) W(24) W(25) W(26) W(27) W(28) W(29) W(30)
    W(31) W(32)
#undef W
    default: break;
    }
#endif
    if (!bits) {
        memset(v, 0, POSTINGS_BLOCK * sizeof *v);
        return;
    }
    const uint64_t mask = bits == 32 ? 0xffffffffu : ((uint64_t)1 << bits) - 1;
    uint64_t acc = 0;
    unsigned have = 0;
    size_t o = 0;
    for (size_t i = 0; i < POSTINGS_BLOCK; i++) {
        while (have < bits) {
            acc |= (uint64_t)in[o++] << have;
            have += 8;
        }
        v[i] = (uint32_t)(acc & mask);
        acc >>= bits;
        have -= bits;
    }
}

size_t pfor_encode(const uint32_t *v, uint8_t *out)
{
    unsigned bits = codec_bits(v, POSTINGS_BLOCK);
    if (bits == 31) bits = 32;   /* width 31 has no code of its own */
    unsigned best = bits, best_exc = 0;
    size_t best_size = codec_packed_size(bits);
    for (unsigned w = bits; w-- > 0 && w + 8 >= bits;) {
        if (w == 31) continue;
        unsigned exc = 0;
        for (unsigned i = 0; i < POSTINGS_BLOCK; i++) exc += (v[i] >> w) != 0;
        if (exc > 7) break;   /* narrower widths only have more */
        size_t size = codec_packed_size(w) + 2 * exc;
        if (size < best_size) {
            best = w;
            best_exc = exc;
            best_size = size;
        }
    }
    out[0] = (uint8_t)((best == 32 ? 31 : best) | best_exc << 5);
    uint32_t low[POSTINGS_BLOCK];
    uint32_t mask = best == 32 ? UINT32_MAX : (1u << best) - 1;
    for (unsigned i = 0; i < POSTINGS_BLOCK; i++) low[i] = v[i] & mask;
    codec_pack(low, best, out + 1);
    uint8_t *e = out + 1 + codec_packed_size(best);
    for (unsigned i = 0; best < 32 && i < POSTINGS_BLOCK; i++)
        if (v[i] >> best) {
            *e++ = (uint8_t)i;
            *e++ = (uint8_t)(v[i] >> best);
        }
    return 1 + best_size;
}

bool pfor_decode(const uint8_t *in, uint32_t *v)
{
    unsigned w = pfor_width(in[0]), exc = in[0] >> 5;
    codec_unpack(in + 1, w, v);
    const uint8_t *e = in + 1 + codec_packed_size(w);
    for (unsigned k = 0; k < exc; k++, e += 2) {
        if (e[0] >= POSTINGS_BLOCK || w >= 32) return false;
        v[e[0]] |= (uint32_t)e[1] << w;
    }
    return true;
}

bool pfor_append(struct buf *b, const uint32_t *v)
{
    if (!buf_reserve(b, PFOR_MAX_SIZE)) return false;
    b->len += pfor_encode(v, b->data + b->len);
    return true;
}
