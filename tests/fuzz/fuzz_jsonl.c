/* fuzz_jsonl.c -- libFuzzer target: the JSON Lines reader (sources.c, its
 * escape rewriting, and cJSON) on arbitrary bytes, read from memory as
 * search-index reads a file's lines. */
#include <stdlib.h>
#include <string.h>

#include "sources.h"

static int on_doc(void *ctx, const struct source_doc *d)
{
    (void)ctx;
    if (!d->id || !*d->id || !d->title || !d->text || !d->line) abort();
    if (strlen(d->text) != d->text_len) abort();
    return 0;
}

static int want(void *ctx, const struct source_doc *d)
{
    (void)ctx;
    return (int)(d->hash & 1);   /* skip about half the quickly-read lines */
}

static void on_skip(void *ctx, const char *what, const char *why)
{
    (void)ctx;
    if (!what || !why || !strstr(what, "mem.jsonl:")) abort();   /* every message has file:line */
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);
int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    char *copy = malloc(size ? size : 1);
    memcpy(copy, data, size);
    struct source_walk w = { want, on_doc, on_skip, NULL, NULL, NULL, 0 };
    struct source_stats st = { 0, 0, 0, 0, 0 };
    sources_jsonl_memory("mem.jsonl", copy, size, &w, &st);
    free(copy);
    return 0;
}
