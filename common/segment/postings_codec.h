/* postings_codec.h -- the block codec for doc-id gaps and frequencies.
 *
 * A full block holds POSTINGS_BLOCK values packed with one bit width
 * (frame of reference against 0, the width of the largest value). Values
 * are packed little-endian, value i at bit i*width. A packed block is
 * exactly POSTINGS_BLOCK * width / 8 bytes (width 0 takes no bytes).
 *
 * Why bit packing: measured on the Wikipedia corpus (docs/FORMAT.md has the
 * figures), packed blocks cost fewer bits per posting than varint bytes
 * and decode without a branch per value; Stream VByte decodes faster but
 * rounds every value up to whole bytes.
 */
#ifndef SIFT_POSTINGS_CODEC_H
#define SIFT_POSTINGS_CODEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bytes.h"

#define POSTINGS_BLOCK 128

/* Bits needed for the largest of n values (0 when all are 0). */
unsigned codec_bits(const uint32_t *v, size_t n);

/* Bytes a packed block of width `bits` takes. */
static inline size_t codec_packed_size(unsigned bits)
{
    return (size_t)POSTINGS_BLOCK * bits / 8;
}

/* Pack POSTINGS_BLOCK values of at most `bits` bits into out
 * (codec_packed_size(bits) bytes). */
void codec_pack(const uint32_t *v, unsigned bits, uint8_t *out);

/* Unpack POSTINGS_BLOCK values from in (codec_packed_size(bits) bytes,
 * which the caller has bounds-checked). bits must be <= 32. AVX2 makes
 * intersections and phrases about 12% faster on the Wikipedia passages. */
void codec_unpack(const uint8_t *in, unsigned bits, uint32_t *v);

/* Turn POSTINGS_BLOCK gaps into document numbers in place:
 * v[i] = prev + (v[0] + 1) + ... + (v[i] + 1), modulo 2^32 (prev is the
 * document before the block, UINT32_MAX for none). */
void codec_gaps_to_docs(uint32_t *v, uint32_t prev);

/* Add 1 to each of POSTINGS_BLOCK values in place (frequencies are
 * stored less one); false when one of them was UINT32_MAX. */
bool codec_plus_one(uint32_t *v);

/* codec_unpack and codec_gaps_to_docs pick their code at run time: AVX2,
 * else SSE4.1 (widths up to 24 for unpacking), else portable C. These run
 * a given one, so that tests compare them all on any CPU that has them. */
enum codec_isa { CODEC_PORTABLE, CODEC_SSE41, CODEC_AVX2 };
int codec_isa_supported(enum codec_isa isa);
void codec_unpack_isa(enum codec_isa isa, const uint8_t *in, unsigned bits, uint32_t *v);
void codec_gaps_to_docs_isa(enum codec_isa isa, uint32_t *v, uint32_t prev);
bool codec_plus_one_isa(enum codec_isa isa, uint32_t *v);

/* A run of POSTINGS_BLOCK values as patched frame of reference (PFOR), so
 * that a few large values do not widen the whole run: a header byte (bits
 * 0-4 the width w, 31 meaning 32; bits 5-7 the number of exceptions E),
 * the values' low w bits packed as above, then E pairs (u8 index, u8
 * high bits): value[index] |= high << w. The writer picks the width that
 * makes the run smallest; an exception may exceed w by at most 8 bits.
 * On the Wikipedia passages this saves 4.2 MB of document gaps and 3.3 MB
 * of frequencies against plain FOR (bench/index_report). */
#define PFOR_MAX_SIZE (1 + 4 * POSTINGS_BLOCK + 2 * 7)

static inline unsigned pfor_width(uint8_t header)
{
    return (header & 31) == 31 ? 32 : header & 31;
}

/* Bytes of the run whose header byte this is. */
static inline size_t pfor_size(uint8_t header)
{
    return 1 + codec_packed_size(pfor_width(header)) + 2 * (size_t)(header >> 5);
}

/* Encode v into out (at most PFOR_MAX_SIZE bytes); returns the size. */
size_t pfor_encode(const uint32_t *v, uint8_t *out);
/* Append the run of v to b; false when memory is short. */
bool pfor_append(struct buf *b, const uint32_t *v);

/* Decode the run at in (pfor_size(in[0]) bytes, bounds-checked by the
 * caller) into v; false when an exception's index is out of range. */
bool pfor_decode(const uint8_t *in, uint32_t *v);

#endif
