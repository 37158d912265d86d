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

#include <stddef.h>
#include <stdint.h>

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
 * which the caller has bounds-checked). bits must be <= 32. */
void codec_unpack(const uint8_t *in, unsigned bits, uint32_t *v);

#endif
