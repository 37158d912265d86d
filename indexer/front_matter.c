/* front_matter.c -- the front matter of front_matter.h: a small subset of
 * YAML, what article front matter uses. Anything it does not understand
 * (nested maps, multi-line strings) is skipped, never an error: the body
 * is indexed either way. */
#include "front_matter.h"

#include <stdbool.h>
#include <string.h>

#define SCAN_MAX (64u << 10)

static bool blank(char c) { return c == ' ' || c == '\t' || c == '\r'; }

/* [s, e) without blanks around it. */
static void trim(const char **s, const char **e)
{
    while (*s < *e && blank(**s)) (*s)++;
    while (*e > *s && blank((*e)[-1])) (*e)--;
}

/* A key as a field name: lowercase, '-' and '.' as '_'; false when it has
 * other characters or is too long (it is then skipped). */
static bool key_name(const char *s, const char *e, char out[64])
{
    size_t n = (size_t)(e - s);
    if (!n || n >= 64) return false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c >= 'A' && c <= 'Z') c = (char)(c + 32);
        if (c == '-' || c == '.') c = '_';
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) return false;
        out[i] = c;
    }
    out[n] = 0;
    return true;
}

static void add_pair(struct strlist *pairs, const char *name, const char *s, const char *e)
{
    trim(&s, &e);
    if (e > s + 1 && ((*s == '"' && e[-1] == '"') || (*s == '\'' && e[-1] == '\''))) s++, e--;
    if (e <= s) return;
    if (memchr(s, 0, (size_t)(e - s))) return;
    strlist_add(pairs, name, strlen(name));
    strlist_add(pairs, s, (size_t)(e - s));
}

/* [a, "b c", d]: each item a pair. */
static void add_list(struct strlist *pairs, const char *name, const char *s, const char *e)
{
    s++;   /* past '[' */
    if (e > s && e[-1] == ']') e--;
    while (s < e) {
        const char *item = s;
        char quote = 0;
        while (s < e && blank(*s)) s++;
        if (s < e && (*s == '"' || *s == '\'')) quote = *s;
        const char *p = quote ? s + 1 : s;
        while (p < e && (quote ? *p != quote : *p != ',')) p++;
        if (quote && p < e) p++;   /* past the closing quote */
        while (p < e && *p != ',') p++;
        add_pair(pairs, name, item, p);
        s = p < e ? p + 1 : e;
    }
}

/* The line [s, e) of the block; *list_name is the key of a "- item" list
 * being read ("" when none). */
static void parse_line(const char *s, const char *e, struct strlist *pairs, char list_name[64])
{
    const char *t = s, *te = e;
    trim(&t, &te);
    if (t == te || *t == '#') return;
    if (*t == '-' && (t + 1 == te || blank(t[1]))) {   /* an item of the list above */
        if (list_name[0]) add_pair(pairs, list_name, t + 1, te);
        return;
    }
    list_name[0] = 0;
    if (blank(*s)) return;   /* indented: a nested map, skipped */
    const char *colon = memchr(s, ':', (size_t)(e - s));
    if (!colon) return;
    char name[64];
    const char *ke = colon;
    trim(&s, &ke);
    if (!key_name(s, ke, name)) return;
    const char *v = colon + 1, *ve = e;
    trim(&v, &ve);
    if (v == ve) {
        memcpy(list_name, name, sizeof name);   /* items may follow */
    } else if (*v == '[') {
        add_list(pairs, name, v, ve);
    } else if (*v != '{' && *v != '|' && *v != '>') {   /* maps and block scalars: skipped */
        add_pair(pairs, name, v, ve);
    }
}

size_t front_matter_parse(const char *data, size_t len, struct strlist *pairs)
{
    size_t i = 0;
    if (len >= 3 && !memcmp(data, "\xef\xbb\xbf", 3)) i = 3;   /* a byte order mark */
    if (len - i < 4 || memcmp(data + i, "---", 3) || (data[i + 3] != '\n' && data[i + 3] != '\r'))
        return 0;
    i += 3;
    while (i < len && data[i] != '\n') i++;
    i++;
    size_t limit = len < SCAN_MAX ? len : SCAN_MAX, mark = pairs->b.len;
    uint32_t mark_n = pairs->n;
    char list_name[64] = "";
    while (i < limit) {
        const char *s = data + i, *nl = memchr(s, '\n', limit - i);
        const char *e = nl ? nl : data + limit;
        const char *t = s, *te = e;
        trim(&t, &te);
        if ((te - t == 3 && (!memcmp(t, "---", 3) || !memcmp(t, "...", 3))) && !blank(*s))
            return nl ? (size_t)(nl - data) + 1 : len;   /* the block's end: the body follows */
        parse_line(s, e, pairs, list_name);
        if (!nl) break;
        i = (size_t)(nl - data) + 1;
    }
    pairs->b.len = mark;   /* never closed: not front matter */
    pairs->n = mark_n;
    return 0;
}

const char *front_matter_get(const struct strlist *pairs, const char *name)
{
    for (const char *k = strlist_first(pairs); k; k = strlist_next(pairs, k)) {
        const char *v = strlist_next(pairs, k);
        if (!v) break;
        if (!strcmp(k, name)) return v;
        k = v;
    }
    return NULL;
}
