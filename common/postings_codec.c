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

void codec_unpack(const uint8_t *in, unsigned bits, uint32_t *v)
{
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
