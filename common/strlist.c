/* strlist.c -- the packed string lists of strlist.h. */
#include "strlist.h"

#include <string.h>

bool strlist_add(struct strlist *l, const char *s, size_t len)
{
    if (!buf_reserve(&l->b, len + 1)) return false;
    buf_append(&l->b, s, len);
    l->b.data[l->b.len++] = 0;
    l->n++;
    return true;
}

int64_t strlist_find(const struct strlist *l, const char *s, size_t len)
{
    int64_t i = 0;
    for (const char *t = strlist_first(l); t; t = strlist_next(l, t), i++)
        if (strlen(t) == len && !memcmp(t, s, len)) return i;
    return -1;
}

int64_t strlist_intern(struct strlist *l, const char *s)
{
    size_t len = strlen(s);
    int64_t i = strlist_find(l, s, len);
    if (i >= 0) return i;
    return strlist_add(l, s, len) ? (int64_t)l->n - 1 : -1;
}

const char *strlist_get(const struct strlist *l, uint32_t k)
{
    return k < l->n ? strlist_nth(l->b.data, l->b.len, k) : NULL;
}

const char *strlist_nth(const uint8_t *p, size_t len, uint32_t k)
{
    for (size_t off = 0, i = 0; off < len; i++) {
        const uint8_t *e = memchr(p + off, 0, len - off);
        if (!e) return NULL;
        if (i == k) return (const char *)p + off;
        off = (size_t)(e - p) + 1;
    }
    return NULL;
}

void strlist_clear(struct strlist *l)
{
    l->b.len = 0;
    l->n = 0;
}

void strlist_free(struct strlist *l)
{
    buf_free(&l->b);
    l->n = 0;
}
