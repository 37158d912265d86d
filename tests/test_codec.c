/* test_codec.c -- bit packing and varints round-trip on random and edge
 * values; the bounded cursor stops at its end. */
#include <stdlib.h>
#include <string.h>

#include "bytes.h"
#include "helpers.h"
#include "postings_codec.h"

static uint64_t rng = 88172645463325252ull;
static uint32_t rnd(void)
{
    return (uint32_t)xorshift64(&rng);
}

static void roundtrip(const uint32_t *v)
{
    unsigned bits = codec_bits(v, POSTINGS_BLOCK);
    uint8_t packed[POSTINGS_BLOCK * 4 + 8];
    memset(packed, 0xAA, sizeof packed);
    codec_pack(v, bits, packed);
    /* nothing written past the packed size */
    for (size_t i = codec_packed_size(bits); i < sizeof packed; i++) assert_int_equal(packed[i], 0xAA);
    uint32_t out[POSTINGS_BLOCK];
    codec_unpack(packed, bits, out);
    assert_memory_equal(v, out, sizeof out);
    for (int isa = CODEC_PORTABLE; isa <= CODEC_AVX2; isa++) {   /* every variant this CPU has */
        if (!codec_isa_supported((enum codec_isa)isa)) continue;
        memset(out, 0x55, sizeof out);
        codec_unpack_isa((enum codec_isa)isa, packed, bits, out);
        assert_memory_equal(v, out, sizeof out);
    }
}

static void test_gaps_to_docs(void **state)
{
    (void)state;
    uint32_t v[POSTINGS_BLOCK], a[POSTINGS_BLOCK], b[POSTINGS_BLOCK];
    for (int trial = 0; trial < 200; trial++) {
        unsigned bits = (unsigned)trial % 33;
        for (size_t i = 0; i < POSTINGS_BLOCK; i++)
            v[i] = bits == 0 ? 0 : bits == 32 ? rnd() : rnd() & ((1u << bits) - 1);
        uint32_t prev = trial % 3 == 0 ? UINT32_MAX : rnd();
        memcpy(b, v, sizeof v);
        codec_gaps_to_docs(b, prev);
        uint32_t expect = prev;
        for (size_t i = 0; i < POSTINGS_BLOCK; i++) assert_int_equal(b[i], expect += v[i] + 1);
        for (int isa = CODEC_PORTABLE; isa <= CODEC_AVX2; isa++) {
            if (!codec_isa_supported((enum codec_isa)isa)) continue;
            memcpy(a, v, sizeof v);
            codec_gaps_to_docs_isa((enum codec_isa)isa, a, prev);
            assert_memory_equal(a, b, sizeof a);
        }
    }
}

/* Every variant adds one to each value and reports a UINT32_MAX wherever
 * it stands (the one that wraps), and only then. */
static void test_plus_one(void **state)
{
    (void)state;
    uint32_t v[POSTINGS_BLOCK], a[POSTINGS_BLOCK];
    for (int trial = 0; trial < 2 * POSTINGS_BLOCK + 40; trial++) {
        for (size_t i = 0; i < POSTINGS_BLOCK; i++) v[i] = trial % 2 ? rnd() % 1000 : rnd() % UINT32_MAX;
        int at = trial < 2 * POSTINGS_BLOCK ? trial / 2 : -1;   /* where UINT32_MAX stands, if anywhere */
        if (at >= 0) v[at] = UINT32_MAX;
        for (int isa = CODEC_PORTABLE; isa <= CODEC_AVX2; isa++) {
            if (!codec_isa_supported((enum codec_isa)isa)) continue;
            memcpy(a, v, sizeof v);
            assert_int_equal(codec_plus_one_isa((enum codec_isa)isa, a), at < 0);
            for (size_t i = 0; i < POSTINGS_BLOCK; i++) assert_int_equal(a[i], v[i] + 1);
        }
        memcpy(a, v, sizeof v);
        assert_int_equal(codec_plus_one(a), at < 0);
    }
}

static void test_pack_every_width(void **state)
{
    (void)state;
    uint32_t v[POSTINGS_BLOCK];
    for (unsigned bits = 0; bits <= 32; bits++) {
        for (int trial = 0; trial < 50; trial++) {
            for (size_t i = 0; i < POSTINGS_BLOCK; i++)
                v[i] = bits == 0 ? 0 : bits == 32 ? rnd() : rnd() & ((1u << bits) - 1);
            v[rnd() % POSTINGS_BLOCK] = bits == 0 ? 0 : bits == 32 ? UINT32_MAX : (1u << bits) - 1;
            assert_int_equal(codec_bits(v, POSTINGS_BLOCK), bits);
            roundtrip(v);
        }
    }
}

static void test_pack_edges(void **state)
{
    (void)state;
    uint32_t v[POSTINGS_BLOCK] = { 0 };
    roundtrip(v);                                   /* all zero: width 0 */
    v[127] = UINT32_MAX;                            /* one largest gap */
    roundtrip(v);
    for (size_t i = 0; i < POSTINGS_BLOCK; i++) v[i] = UINT32_MAX;
    roundtrip(v);
    for (size_t i = 0; i < POSTINGS_BLOCK; i++) v[i] = (uint32_t)i;
    roundtrip(v);
    assert_int_equal(codec_bits(v, 0), 0);
}

/* PFOR round-trips, never exceeds FOR's size (+ its header byte), and
 * takes outliers as exceptions. */
static size_t pfor_roundtrip(const uint32_t *v)
{
    uint8_t enc[PFOR_MAX_SIZE + 8];
    memset(enc, 0xAA, sizeof enc);
    size_t n = pfor_encode(v, enc);
    assert_int_equal(n, pfor_size(enc[0]));
    for (size_t i = n; i < sizeof enc; i++) assert_int_equal(enc[i], 0xAA);
    assert_true(n <= 1 + codec_packed_size(codec_bits(v, POSTINGS_BLOCK) == 31 ? 32 : codec_bits(v, POSTINGS_BLOCK)));
    uint32_t out[POSTINGS_BLOCK];
    assert_true(pfor_decode(enc, out));
    assert_memory_equal(v, out, sizeof out);
    return n;
}

static void test_pfor(void **state)
{
    (void)state;
    uint32_t v[POSTINGS_BLOCK];
    for (unsigned bits = 0; bits <= 32; bits++)
        for (int trial = 0; trial < 50; trial++) {
            for (size_t i = 0; i < POSTINGS_BLOCK; i++)
                v[i] = bits == 0 ? 0 : bits == 32 ? rnd() : rnd() & ((1u << bits) - 1);
            /* a few outliers, up to 8 bits wider */
            for (unsigned k = rnd() % 10; k > 0; k--) v[rnd() % POSTINGS_BLOCK] <<= rnd() % 9;
            pfor_roundtrip(v);
        }
    /* small values and 3 outliers: width 2 plus 3 exceptions */
    for (size_t i = 0; i < POSTINGS_BLOCK; i++) v[i] = i % 4;
    v[5] = 700;
    v[90] = 1000;
    v[127] = 1023;
    size_t n = pfor_roundtrip(v);
    assert_int_equal(n, 1 + codec_packed_size(2) + 2 * 3);
    uint8_t enc[PFOR_MAX_SIZE];
    pfor_encode(v, enc);
    assert_int_equal(pfor_width(enc[0]), 2);
    assert_int_equal(enc[0] >> 5, 3);
    /* an exception index past the run is refused */
    enc[1 + codec_packed_size(2)] = 200;
    uint32_t out[POSTINGS_BLOCK];
    assert_false(pfor_decode(enc, out));
    /* all 32-bit values: width code 31 */
    for (size_t i = 0; i < POSTINGS_BLOCK; i++) v[i] = UINT32_MAX - (uint32_t)i;
    pfor_roundtrip(v);
}

static void test_varint(void **state)
{
    (void)state;
    uint64_t vals[] = { 0, 1, 127, 128, 16383, 16384, UINT32_MAX, (uint64_t)UINT32_MAX + 1,
                        UINT64_MAX - 1, UINT64_MAX };
    uint8_t buf[16];
    for (size_t i = 0; i < sizeof vals / sizeof *vals; i++) {
        size_t n = varint_put(buf, vals[i]);
        assert_int_equal(n, varint_size(vals[i]));
        struct cursor c = cursor_make(buf, n);
        assert_true(cur_varint(&c) == vals[i]);
        assert_false(c.bad);
        assert_ptr_equal(c.p, c.end);
        /* every truncation is detected */
        for (size_t k = 0; k < n; k++) {
            struct cursor t = cursor_make(buf, k);
            cur_varint(&t);
            assert_true(t.bad);
        }
    }
    for (int i = 0; i < 10000; i++) {
        uint64_t v = (uint64_t)rnd() << (rnd() % 33) ^ rnd();
        struct cursor c = cursor_make(buf, varint_put(buf, v));
        assert_true(cur_varint(&c) == v);
    }
}

static void test_cursor_bounds(void **state)
{
    (void)state;
    uint8_t overlong[11];
    memset(overlong, 0xff, sizeof overlong);
    struct cursor c = cursor_make(overlong, sizeof overlong);
    cur_varint(&c);
    assert_true(c.bad);                            /* more than 10 bytes */
    uint8_t d[4] = { 1, 2, 3, 4 };
    c = cursor_make(d, 4);
    assert_non_null(cur_take(&c, 3));
    assert_null(cur_take(&c, 2));
    assert_true(c.bad);
    c = cursor_make(d, 4);
    assert_null(cur_take(&c, UINT64_MAX));
}

static void test_buf(void **state)
{
    (void)state;
    struct buf b = { 0 };
    for (uint32_t i = 0; i < 100000; i++) assert_true(buf_u32(&b, i));
    assert_int_equal(b.len, 400000);
    for (uint32_t i = 0; i < 100000; i += 999) assert_int_equal(rd_u32(b.data + i * 4), i);
    assert_true(buf_u64(&b, UINT64_MAX));
    assert_true(rd_u64(b.data + 400000) == UINT64_MAX);
    buf_free(&b);
    assert_null(b.data);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pack_every_width), cmocka_unit_test(test_pack_edges),
        cmocka_unit_test(test_pfor), cmocka_unit_test(test_gaps_to_docs),
        cmocka_unit_test(test_plus_one),
        cmocka_unit_test(test_varint), cmocka_unit_test(test_cursor_bounds),
        cmocka_unit_test(test_buf),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
