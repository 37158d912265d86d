/* strmap.h -- an open-addressing hash map from byte strings to indices.
 *
 * The map holds only slots of (32-bit hash, index); the keys stay in the
 * caller's own array (the inverter's terms, the writer's document table),
 * read back through a function the caller passes to each look-up. So one
 * map serves every table of sift without copying a key, and a grown map
 * rehashes from the stored hashes without touching the keys. Linear
 * probing over a power-of-two table kept at most half full.
 *
 * A look-up is inline: a caller passing a static key function gets it
 * inlined, which matters for the inverter (one look-up per token).
 */
#ifndef SIFT_STRMAP_H
#define SIFT_STRMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define STRMAP_NONE UINT32_MAX

struct strmap {
    uint64_t *slots;      /* hash << 32 | (index + 1); 0 is empty */
    uint32_t mask;        /* slot count - 1 */
    uint32_t count;       /* indices held */
};

/* Key `index` of the caller's table: its bytes and *len. */
typedef const void *(*strmap_key_fn)(const void *ctx, uint32_t index, size_t *len);

/* An empty map of at least min_slots slots (rounded up to a power of
 * two). false when memory is short. */
bool strmap_init(struct strmap *m, uint32_t min_slots);
void strmap_free(struct strmap *m);
/* Forget every index, keeping the slots' memory. */
void strmap_clear(struct strmap *m);
/* Bytes of memory the slots take. */
static inline size_t strmap_bytes(const struct strmap *m)
{
    return m->slots ? ((size_t)m->mask + 1) * sizeof *m->slots : 0;
}

/* The index stored for the key (len bytes, whose hash_fnv1a is `hash`),
 * or STRMAP_NONE; then *slot receives where it would go, for strmap_put. */
static inline uint32_t strmap_find(const struct strmap *m, const void *key, size_t len,
                                   uint32_t hash, strmap_key_fn key_at, const void *ctx,
                                   uint32_t *slot)
{
    for (uint32_t k = hash & m->mask;; k = (k + 1) & m->mask) {
        uint64_t s = m->slots[k];
        if (!s) {
            *slot = k;
            return STRMAP_NONE;
        }
        if ((uint32_t)(s >> 32) == hash) {
            size_t n;
            const void *p = key_at(ctx, (uint32_t)s - 1, &n);
            if (n == len && !memcmp(p, key, len)) return (uint32_t)s - 1;
        }
    }
}

/* Store index at the slot the failed strmap_find gave (with the same hash),
 * then grow when the map is more than half full. false when memory is short
 * for growing: the index is stored and the map is consistent, but the
 * caller should stop adding. */
bool strmap_put(struct strmap *m, uint32_t slot, uint32_t hash, uint32_t index);

#endif
