/* fuzz_jsonl.c -- libFuzzer target: the JSON Lines reader (sources.c and
 * cJSON) on arbitrary bytes, through a file as search-index reads it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sources.h"

static int on_doc(void *ctx, const struct source_doc *d)
{
    (void)ctx;
    if (!d->id || !*d->id || !d->title || !d->text) abort();
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
    if (!what || !why) abort();
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);
int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    static char path[64];
    if (!path[0]) snprintf(path, sizeof path, "/tmp/sift-fuzz-jsonl-%ld.jsonl", (long)getpid());
    FILE *f = fopen(path, "wb");
    if (!f) return 0;
    fwrite(data, 1, size, f);
    fclose(f);
    struct source_stats st = { 0, 0, 0 };
    sources_read_changed(path, want, on_doc, on_skip, NULL, &st);
    return 0;
}
