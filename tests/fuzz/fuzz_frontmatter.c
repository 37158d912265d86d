/* fuzz_frontmatter.c -- libFuzzer target for the article metadata readers:
 * Markdown front matter (front_matter.c) and HTML <meta> tags (html.c). The
 * first byte picks which; every pair must be a name and a value of whole
 * strings, and the body offset must lie inside the input. */
#include <stdlib.h>
#include <string.h>

#include "front_matter.h"
#include "html.h"

static void check_pairs(const struct strlist *p)
{
    if (p->n % 2) abort();   /* names and values alternate */
    uint32_t k = 0;
    for (const char *s = strlist_first(p); s; s = strlist_next(p, s), k++)
        if (!(k % 2) && !*s) abort();   /* a name is never empty */
    if (k != p->n) abort();
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);
int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    if (size < 1) return 0;
    char *copy = malloc(size);
    memcpy(copy, data + 1, size - 1);
    struct strlist pairs = { 0 };
    if (data[0] & 1) {
        struct buf title = { 0 }, text = { 0 };
        if (size - 1 < (1u << 20)) html_extract((const unsigned char *)copy, size - 1, "fuzz.html", &title, &text, &pairs);
        buf_free(&title);
        buf_free(&text);
    } else if (front_matter_parse(copy, size - 1, &pairs) > size - 1) {
        abort();
    }
    check_pairs(&pairs);
    strlist_free(&pairs);
    free(copy);
    return 0;
}
