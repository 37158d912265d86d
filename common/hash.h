/* hash.h -- the two hash functions of sift, one for memory and one for disk.
 *
 *   hash_fnv1a   32-bit FNV-1a of a byte string: the in-memory hash tables
 *                (strmap.h users: the inverter's terms, the writer's ids)
 *                and the analyzer's stem cache. Never stored: free to change.
 *   hash64       the content hash of a document's source (a file, a JSON
 *                line), stored in SEC_DOC_META and compared by later runs to
 *                tell an unchanged file: fixed forever. FNV-1a's offset basis
 *                and prime applied to little-endian 64-bit words, each step
 *                followed by h ^= h >> 29, then the remaining bytes one at a
 *                time the same way, and finally the length mixed in. A word
 *                at a time runs about eight times faster than byte-wise FNV-1a.
 */
#ifndef SIFT_HASH_H
#define SIFT_HASH_H

#include <stddef.h>
#include <stdint.h>

#include "bytes.h"

static inline uint32_t hash_fnv1a(const void *p, size_t n)
{
    const uint8_t *b = p;
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++) h = (h ^ b[i]) * 16777619u;
    return h;
}

#define HASH64_INIT 14695981039346656037ull
#define HASH64_PRIME 1099511628211ull

/* hash64 in pieces: h = HASH64_INIT, then hash64_update over the pieces
 * in order (every piece but the last a multiple of 8 bytes long), then
 * hash64_final with the total length. */
static inline uint64_t hash64_update(uint64_t h, const void *p, size_t n)
{
    const uint8_t *b = p;
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        h = (h ^ rd_u64(b + i)) * HASH64_PRIME;
        h ^= h >> 29;
    }
    for (; i < n; i++) {
        h = (h ^ b[i]) * HASH64_PRIME;
        h ^= h >> 29;
    }
    return h;
}

static inline uint64_t hash64_final(uint64_t h, uint64_t n)
{
    return (h ^ n) * HASH64_PRIME;
}

static inline uint64_t hash64(const void *p, size_t n)
{
    return hash64_final(hash64_update(HASH64_INIT, p, n), n);
}

#endif
