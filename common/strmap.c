/* strmap.c -- growing the map of strmap.h. */
#include "strmap.h"

#include <stdlib.h>

bool strmap_init(struct strmap *m, uint32_t min_slots)
{
    uint32_t n = 16;
    while (n < min_slots && n < (1u << 31)) n *= 2;
    m->slots = calloc(n, sizeof *m->slots);
    m->mask = m->slots ? n - 1 : 0;
    m->count = 0;
    return m->slots != NULL;
}

void strmap_free(struct strmap *m)
{
    free(m->slots);
    m->slots = NULL;
    m->mask = m->count = 0;
}

void strmap_clear(struct strmap *m)
{
    if (m->slots) memset(m->slots, 0, ((size_t)m->mask + 1) * sizeof *m->slots);
    m->count = 0;
}

static bool grow(struct strmap *m)
{
    if (m->mask >= (1u << 31) - 1) return false;
    uint32_t n = (m->mask + 1) * 2;
    uint64_t *s = calloc(n, sizeof *s);
    if (!s) return false;
    for (uint32_t i = 0; i <= m->mask; i++) {
        uint64_t v = m->slots[i];
        if (!v) continue;
        uint32_t k = (uint32_t)(v >> 32) & (n - 1);
        while (s[k]) k = (k + 1) & (n - 1);
        s[k] = v;
    }
    free(m->slots);
    m->slots = s;
    m->mask = n - 1;
    return true;
}

bool strmap_put(struct strmap *m, uint32_t slot, uint32_t hash, uint32_t index)
{
    m->slots[slot] = (uint64_t)hash << 32 | ((uint64_t)index + 1);
    m->count++;
    return (uint64_t)m->count * 2 <= (uint64_t)m->mask + 1 || grow(m);
}
