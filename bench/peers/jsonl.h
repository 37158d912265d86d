/* jsonl.h -- read {"id", "title", "text"} JSON Lines (plain or gzip) for
 * the peer drivers, with "date" and "source" when present; C and C++. */
#ifndef SIFT_BENCH_JSONL_H
#define SIFT_BENCH_JSONL_H

#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

/* One whole line into *buf (grown as needed); 0 at the end of the file. */
static size_t jsonl_line(gzFile f, char **buf, size_t *cap)
{
    size_t n = 0;
    for (;;) {
        if (*cap - n < 2) {
            *cap = *cap ? 2 * *cap : 1 << 16;
            *buf = (char *)realloc(*buf, *cap);
        }
        if (!gzgets(f, *buf + n, (int)(*cap - n))) return n;
        n += strlen(*buf + n);
        if (n && (*buf)[n - 1] == '\n') return n;
    }
}

/* The string (or number, as text) member `key` of object o, or "". */
static const char *jsonl_field(const cJSON *o, const char *key, char *num, size_t numlen)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    if (cJSON_IsString(v)) return v->valuestring;
    if (cJSON_IsNumber(v)) {
        snprintf(num, numlen, "%.0f", v->valuedouble);
        return num;
    }
    return "";
}

/* What each(ctx, &doc) receives for every object of the file; absent
 * members are "". */
struct jsonl_doc {
    const char *id, *title, *text, *date, *source;
};
typedef void (*jsonl_doc_fn)(void *ctx, const struct jsonl_doc *d);

/* Calls each for every object of the file; returns the number of
 * documents, or -1 when the file cannot be opened. */

static long jsonl_each(const char *path, jsonl_doc_fn each, void *ctx)
{
    gzFile f = gzopen(path, "rb");
    if (!f) return -1;
    gzbuffer(f, 1 << 17);
    char *buf = NULL, num[32];
    size_t cap = 0;
    long n = 0;
    while (jsonl_line(f, &buf, &cap)) {
        cJSON *o = cJSON_Parse(buf);
        if (!o) continue;
        struct jsonl_doc d = { jsonl_field(o, "id", num, sizeof num), jsonl_field(o, "title", num, 0),
                               jsonl_field(o, "text", num, 0), jsonl_field(o, "date", num, 0),
                               jsonl_field(o, "source", num, 0) };
        each(ctx, &d);
        cJSON_Delete(o);
        n++;
    }
    free(buf);
    gzclose(f);
    return n;
}

#endif
