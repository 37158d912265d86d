/* jsonl.c -- JSON Lines files: one object a line, {"id", "title", "text",
 * and any other key a typed field}, plain or gzip-compressed, read as a
 * stream; a line whose id shows it unchanged is not parsed at all. */
#include <cjson/cJSON.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <zlib.h>

#include "bytes.h"
#include "hash.h"
#include "source_reader.h"


static const char *json_string(const cJSON *obj, const char *key, char *numbuf, size_t n)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (cJSON_IsString(v)) return v->valuestring;
    if (cJSON_IsNumber(v)) {
        snprintf(numbuf, n, "%.17g", v->valuedouble);
        return numbuf;
    }
    return NULL;
}

static int hexval(char c)
{
    return c >= '0' && c <= '9' ? c - '0' : (c | 0x20) >= 'a' && (c | 0x20) <= 'f' ? (c | 0x20) - 'a' + 10 : -1;
}

/* The code unit of the \uXXXX escape at p (6 bytes available), or -1. */
static long escape_unit(const char *p)
{
    if (p[0] != '\\' || p[1] != 'u') return -1;
    long v = 0;
    for (int i = 2; i < 6; i++) {
        int h = hexval(p[i]);
        if (h < 0) return -1;
        v = v * 16 + h;
    }
    return v;
}

/* cJSON refuses two kinds of valid JSON strings: \u0000, and a surrogate
 * escape without its pair. Rewrite those escapes in a copy of the line:
 * \u0000 becomes a space (NUL separates words, as in text files) and a
 * lone surrogate U+FFFD, as a decoder of invalid UTF-16 would. Pairs are
 * left to cJSON, which joins them. Returns the line to parse: `line`
 * itself when nothing needed rewriting, else out's bytes. */
static const char *json_escapes(const char *line, size_t len, struct buf *out)
{
    if (!memmem(line, len, "\\u", 2)) return line;
    out->len = 0;
    if (!buf_reserve(out, len + 1)) return line;   /* cJSON then reports what it cannot read */
    bool in_string = false;
    for (size_t i = 0; i < len; i++) {
        char c = line[i];
        if (!in_string) {
            in_string = c == '"';
            buf_append(out, &c, 1);
            continue;
        }
        if (c == '"') in_string = false;
        if (c != '\\' || i + 1 >= len) {
            buf_append(out, &c, 1);
            continue;
        }
        long u = i + 6 <= len ? escape_unit(line + i) : -1;
        if (u < 0) {   /* another escape: copy it whole, so that \\u is not read as \u */
            buf_append(out, line + i, 2);
            i++;
            continue;
        }
        long next = i + 12 <= len ? escape_unit(line + i + 6) : -1;
        if (u >= 0xD800 && u <= 0xDBFF && next >= 0xDC00 && next <= 0xDFFF) {
            buf_append(out, line + i, 12);   /* a pair: cJSON joins it */
            i += 11;
        } else {
            const char *with = u == 0 ? "\\u0020" : (u >= 0xD800 && u <= 0xDFFF) ? "\\ufffd" : NULL;
            buf_append(out, with ? with : line + i, 6);
            i += 5;
        }
    }
    return (const char *)out->data;
}

/* A JSON value as field values: a string or a number one, an array one
 * per item; objects, booleans and nulls none. */
static void json_value(const char *name, const cJSON *v, struct strlist *pairs)
{
    char num[64];
    const char *s = NULL;
    if (cJSON_IsString(v)) s = v->valuestring;
    else if (cJSON_IsNumber(v)) snprintf(num, sizeof num, "%.17g", v->valuedouble), s = num;
    if (s && *s) {
        strlist_add(pairs, name, strlen(name));
        strlist_add(pairs, s, strlen(s));
    }
}

/* Every key but id, _id, title and text: the document's field values. */
static void json_fields(const cJSON *obj, struct strlist *pairs)
{
    for (const cJSON *k = obj->child; k; k = k->next) {
        const char *name = k->string;
        if (!name || !strcmp(name, "id") || !strcmp(name, "_id") || !strcmp(name, "title") ||
            !strcmp(name, "text"))
            continue;
        if (cJSON_IsArray(k))
            for (const cJSON *e = k->child; e; e = e->next) json_value(name, e, pairs);
        else
            json_value(name, k, pairs);
    }
}

static int json_line(struct reader *r, const char *path, unsigned long lineno, const char *line,
                     size_t len)
{
    char where[4200];
    snprintf(where, sizeof where, "%s:%lu", path, lineno);
    struct buf fixed = { 0 };
    const char *src = json_escapes(line, len, &fixed);
    size_t srclen = src == line ? len : fixed.len;
    const char *end = NULL;
    cJSON *obj = cJSON_ParseWithLengthOpts(src, srclen, &end, 0);
    size_t rest = obj && end ? srclen - (size_t)(end - src) : 0;
    while (rest && (end[0] == ' ' || end[0] == '\t' || end[0] == '\r')) end++, rest--;
    int rc = 0;
    if (!obj || !cJSON_IsObject(obj)) {
        source_skip(r, where, "not a JSON object");
    } else if (rest) {
        source_skip(r, where, "text after the JSON object");
    } else {
        char num[64];
        const char *id = json_string(obj, "id", num, sizeof num);
        if (!id) id = json_string(obj, "_id", num, sizeof num);
        const cJSON *text = cJSON_GetObjectItemCaseSensitive(obj, "text");
        const cJSON *title = cJSON_GetObjectItemCaseSensitive(obj, "title");
        if (!id || !*id) {
            source_skip(r, where, "no \"id\"");
        } else if (!cJSON_IsString(text) && !(title && cJSON_IsString(title))) {
            source_skip(r, where, "no \"text\" string");
        } else {
            /* a line is known by its hash, which covers its length too: a size
             * beside it would cost DOC_META 3 bytes a passage and decide nothing */
            const char *t = cJSON_IsString(text) ? text->valuestring : "";
            struct strlist pairs = { 0 };
            json_fields(obj, &pairs);
            struct source_doc d = { id, cJSON_IsString(title) ? title->valuestring : "", path, t,
                                    strlen(t), r->source, 0, 0, hash64(line, len), 1 };
            d.line = lineno;
            d.fields = &pairs;
            rc = r->on_doc(r->ctx, &d);
            strlist_free(&pairs);
            r->st->docs++;
            r->st->bytes += len;
        }
    }
    cJSON_Delete(obj);
    buf_free(&fixed);
    return rc;
}

/* The id of a line that starts {"id": "..." (or "_id"), without escapes,
 * read without parsing the line; 0 when the line is not that simple. */
static size_t quick_id(const char *line, size_t len, char *out, size_t cap)
{
    size_t i = 0;
    while (i < len && (line[i] == ' ' || line[i] == '\t')) i++;
    if (i >= len || line[i++] != '{') return 0;
    while (i < len && line[i] == ' ') i++;
    if (len - i >= 5 && !memcmp(line + i, "\"id\"", 4)) i += 4;
    else if (len - i >= 6 && !memcmp(line + i, "\"_id\"", 5)) i += 5;
    else return 0;
    while (i < len && line[i] == ' ') i++;
    if (i >= len || line[i++] != ':') return 0;
    while (i < len && line[i] == ' ') i++;
    if (i >= len || line[i++] != '"') return 0;
    size_t n = 0;
    for (; i < len && line[i] != '"'; i++) {
        if (line[i] == '\\' || (unsigned char)line[i] < 0x20 || n + 1 >= cap) return 0;
        out[n++] = line[i];
    }
    if (i >= len || !n) return 0;
    out[n] = 0;
    return n;
}

/* A JSON line: skipped unparsed when `want` says it is unchanged. */
static int jsonl_entry(struct reader *r, const char *path, unsigned long lineno, const char *line,
                       size_t len)
{
    char id[512];
    if (r->want && quick_id(line, len, id, sizeof id)) {
        struct source_doc probe = { id, NULL, path, NULL, 0, r->source, len, 0, hash64(line, len), 1 };
        if (!r->want(r->ctx, &probe)) return 0;
    }
    return json_line(r, path, lineno, line, len);
}

static void long_line(struct reader *r, const char *path, unsigned long lineno)
{
    char where[4200];
    snprintf(where, sizeof where, "%s:%lu", path, lineno);
    source_skip(r, where, "JSON line over 16 MiB");
}

/* One line of a JSON Lines text: its '\r's trimmed, its length checked. */
static int jsonl_line(struct reader *r, const char *path, unsigned long lineno, const char *line,
                      size_t l)
{
    while (l && line[l - 1] == '\r') l--;
    if (l > SOURCES_PARSE_MAX) {
        long_line(r, path, lineno);
        return 0;
    }
    return l ? jsonl_entry(r, path, lineno, line, l) : 0;
}

int source_read_jsonl(struct reader *r, const char *path)
{
    errno = 0;
    gzFile g = gzopen(path, "rb");
    if (!g) {
        source_read_failed(r, path, NULL, errno);
        return 0;
    }
    gzbuffer(g, 1 << 17);
    struct stat sb;
    if (stat(path, &sb) == 0) r->st->input_total = (uint64_t)sb.st_size;
    struct buf line = { 0 };
    char chunk[1 << 16];
    unsigned long lineno = 0;
    int rc = 0, n;
    size_t scan = 0;
    bool discarding = false;   /* the rest of a line too long to parse */
    while (!rc && (n = gzread(g, chunk, sizeof chunk)) > 0) {
        const char *c = chunk;
        if (discarding) {
            const char *nl = memchr(c, '\n', (size_t)n);
            if (!nl) continue;
            discarding = false;
            n -= (int)(nl + 1 - c);
            c = nl + 1;
        }
        if (!buf_append(&line, c, (size_t)n)) {
            source_unreadable(r, NULL, false, path, "out of memory");
            break;
        }
        size_t start = 0;
        for (size_t i = scan; i < line.len && !rc; i++) {
            const uint8_t *nl = memchr(line.data + i, '\n', line.len - i);
            if (!nl) break;
            i = (size_t)(nl - line.data);
            rc = jsonl_line(r, path, ++lineno, (const char *)line.data + start, i - start);
            start = i + 1;
        }
        r->st->input_done = (uint64_t)gzoffset(g);
        memmove(line.data, line.data + start, line.len - start);
        line.len -= start;
        scan = line.len;
        if (line.len > SOURCES_PARSE_MAX) {
            long_line(r, path, ++lineno);
            line.len = scan = 0;
            discarding = true;
        }
    }
    int errnum = 0;
    const char *gerr = gzerror(g, &errnum);
    if (!rc && errnum != Z_OK && errnum != Z_STREAM_END) source_unreadable(r, NULL, false, path, gerr);
    else if (!rc && line.len) rc = jsonl_entry(r, path, ++lineno, (const char *)line.data, line.len);
    buf_free(&line);
    gzclose(g);
    return rc;
}

int sources_jsonl_memory(const char *name, const char *data, size_t len,
                         const struct source_walk *w, struct source_stats *st)
{
    struct reader r = { .source = name, .want = w->want, .on_doc = w->on_doc, .on_skip = w->on_skip,
                        .on_unreadable = w->on_unreadable, .ctx = w->ctx, .st = st };
    unsigned long lineno = 0;
    int rc = 0;
    for (size_t start = 0; start < len && !rc;) {
        const char *nl = memchr(data + start, '\n', len - start);
        size_t end = nl ? (size_t)(nl - data) : len;
        rc = jsonl_line(&r, name, ++lineno, data + start, end - start);
        start = end + 1;
    }
    return rc;
}

