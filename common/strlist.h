/* strlist.h -- strings packed one after the other, each NUL-terminated, in
 * one buffer: a segment's sources (SEC_SOURCES holds exactly these bytes),
 * the writer's interned sources, file names to remove after a commit.
 * Look-ups are linear: for lists of tens or hundreds of short strings. */
#ifndef SIFT_STRLIST_H
#define SIFT_STRLIST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bytes.h"

struct strlist {
    struct buf b;       /* the strings, NUL after each */
    uint32_t n;
};

/* Append s[0..len) (which holds no NUL). false when memory is short. */
bool strlist_add(struct strlist *l, const char *s, size_t len);
/* The index of the first string equal to s[0..len), or -1. */
int64_t strlist_find(const struct strlist *l, const char *s, size_t len);
/* The index of s, appended when absent; -1 when memory is short. */
int64_t strlist_intern(struct strlist *l, const char *s);
/* String k, or NULL when there is none. */
const char *strlist_get(const struct strlist *l, uint32_t k);
void strlist_clear(struct strlist *l);
void strlist_free(struct strlist *l);

/* The same over bytes read from a file, which may lack the final NUL:
 * string k of p[0..len), or NULL when the list has fewer whole strings. */
const char *strlist_nth(const uint8_t *p, size_t len, uint32_t k);

/* Walk: for (const char *s = strlist_first(l); s; s = strlist_next(l, s)). */
static inline const char *strlist_first(const struct strlist *l)
{
    return l->n ? (const char *)l->b.data : NULL;
}
static inline const char *strlist_next(const struct strlist *l, const char *s)
{
    const char *n = s + strlen(s) + 1;
    return n < (const char *)l->b.data + l->b.len ? n : NULL;
}

#endif
