/* sources.c -- directory walking, text files and JSON Lines. */
#include "sources.h"

#include <cjson/cJSON.h>
#include <libxml/HTMLparser.h>
#include <libxml/tree.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <utf8proc.h>
#include <zlib.h>

#include "bytes.h"
#include "hash.h"
#include "fileio.h"

#define MAX_DEPTH 64

struct dir_id {
    dev_t dev;
    ino_t ino;
};

struct reader {
    struct dir_id *seen;      /* directories already walked: no loop, no double indexing */
    size_t nseen, capseen;
    const char *source;
    char *root_real;          /* the PATH, resolved: links must stay inside it */
    bool have_exclude;
    struct dir_id exclude;    /* the index directory */
    want_fn want;
    doc_fn on_doc;
    skip_fn on_skip;
    unreadable_fn on_unreadable;
    void *ctx;
    int follow_links;
    struct source_stats *st;
};

static void skip(struct reader *r, const char *what, const char *why)
{
    r->st->skipped++;
    if (r->on_skip) r->on_skip(r->ctx, what, why);
}

/* What exists but could not be read: its documents stay as they are. */
static void unreadable(struct reader *r, const char *id, bool subtree, const char *path,
                       const char *why)
{
    if (r->on_unreadable) r->on_unreadable(r->ctx, id, subtree, path, why);
}

/* A failure to read the file of document id: ENOENT means it is gone (and
 * may be deleted), anything else that it is there but unreadable. */
static void read_failed(struct reader *r, const char *path, const char *id, int e)
{
    if (e == ENOENT) skip(r, path, strerror(e));
    else unreadable(r, id, false, path, strerror(e ? e : EIO));
}

static int has_suffix(const char *s, const char *suffix)
{
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && !strcmp(s + a - b, suffix);
}

int sources_is_binary(const unsigned char *data, size_t len)
{
    size_t n = len < 8192 ? len : 8192, bad = 0;
    for (size_t i = 0; i < n;) {
        unsigned char c = data[i];
        if (c < 0x80) {
            if (c < 0x20 && c != '\n' && c != '\r' && c != '\t' && c != '\f') bad++;
            i++;
            continue;
        }
        utf8proc_int32_t cp;
        utf8proc_ssize_t k = utf8proc_iterate(data + i, (utf8proc_ssize_t)(len - i), &cp);
        if (k <= 0) {
            /* a character cut by the 8 KiB sample is not evidence */
            if (len - i >= 4) bad++;
            k = 1;
        }
        i += (size_t)k;
    }
    return bad * 10 > n * 3;   /* a few invalid bytes are text with typos; many are binary */
}

void sources_split_title(const char *data, size_t len, size_t *title_start, size_t *title_len,
                         size_t *body_start)
{
    size_t i = 0;
    for (;;) {
        while (i < len && (data[i] == ' ' || data[i] == '\t' || data[i] == '\r' || data[i] == '\n'))
            i++;
        size_t e = i;
        while (e < len && data[e] != '\n') e++;
        size_t s = i;
        while (s < e && data[s] == '#') s++;
        while (s < e && (data[s] == ' ' || data[s] == '\t')) s++;
        size_t t = e;
        while (t > s && (data[t - 1] == ' ' || data[t - 1] == '\t' || data[t - 1] == '\r')) t--;
        if (t - s > SOURCES_TITLE_MAX) {   /* a long first line is text, not a title */
            *title_start = *title_len = *body_start = 0;
            return;
        }
        if (t > s || e >= len) {
            *title_start = s;
            *title_len = t - s;
            *body_start = e < len ? e + 1 : len;
            return;
        }
        i = e;
    }
}

/* Ask `want` whether the file changed (*mtime set either way). */
static bool wanted(struct reader *r, const char *path, const char *id, const struct stat *sb,
                   int64_t *mtime)
{
    *mtime = (int64_t)sb->st_mtim.tv_sec * 1000000000 + sb->st_mtim.tv_nsec;
    if (!r->want) return true;
    struct source_doc probe = { id, NULL, path, NULL, 0, r->source, (uint64_t)sb->st_size, *mtime, 0, 0 };
    return r->want(r->ctx, &probe) != 0;
}

/* Ask `want` whether the file changed, then read it whole. False when it
 * is unchanged or unreadable (reported), true with *data malloc'ed. */
static bool load_changed(struct reader *r, const char *path, const char *id, const struct stat *sb,
                         int64_t *mtime, unsigned char **data, size_t *len)
{
    if (!wanted(r, path, id, sb, mtime)) return false;
    sift_errmsg em;
    errno = 0;
    if (read_file(path, data, len, &em) != SIFT_OK) {
        read_failed(r, path, id, errno);
        return false;
    }
    return true;
}

/* --------------------------------------------------------------- HTML */

static bool invisible(const xmlNode *n)
{
    static const char *skip[] = { "script", "style", "noscript", "template", "head", "svg" };
    for (size_t i = 0; i < sizeof skip / sizeof *skip; i++)
        if (!xmlStrcasecmp(n->name, (const xmlChar *)skip[i])) return true;
    return false;
}

/* The visible text under n, elements separated by spaces. */
static void html_text(const xmlNode *n, struct buf *out)
{
    for (; n; n = n->next) {
        if (n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE) {
            if (n->content) buf_append(out, n->content, strlen((const char *)n->content));
        } else if (n->type == XML_ELEMENT_NODE && !invisible(n)) {
            html_text(n->children, out);
            buf_append(out, " ", 1);
        }
    }
}

static const xmlNode *find_element(const xmlNode *n, const char *name)
{
    for (; n; n = n->next) {
        if (n->type != XML_ELEMENT_NODE) continue;
        if (!xmlStrcasecmp(n->name, (const xmlChar *)name)) return n;
        const xmlNode *f = find_element(n->children, name);
        if (f) return f;
    }
    return NULL;
}

/* Parse HTML with libxml2's HTML parser: the <title> (else the first
 * <h1>) as title, the visible body text as text. */
static bool html_extract(const unsigned char *data, size_t len, const char *path, struct buf *title,
                         struct buf *text)
{
    if (len > INT32_MAX) return false;
    htmlDocPtr doc = htmlReadMemory((const char *)data, (int)len, path, NULL,
                                   HTML_PARSE_RECOVER | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING |
                                       HTML_PARSE_NONET | HTML_PARSE_NOBLANKS);
    if (!doc) return false;
    const xmlNode *root = xmlDocGetRootElement(doc);
    const xmlNode *t = find_element(root, "title");
    if (!t || !t->children) t = find_element(root, "h1");
    if (t) html_text(t->children, title);
    const xmlNode *body = find_element(root, "body");
    html_text(body ? body->children : root, text);
    xmlFreeDoc(doc);
    return true;
}

static int read_html_file(struct reader *r, const char *path, const char *id, const struct stat *sb)
{
    if ((uint64_t)sb->st_size > SOURCES_PARSE_MAX) {   /* its tree would be several times that */
        skip(r, path, "HTML file over 16 MiB");
        return 0;
    }
    int64_t mtime;
    unsigned char *data;
    size_t len;
    if (!load_changed(r, path, id, sb, &mtime, &data, &len)) return 0;
    struct buf title = { 0 }, text = { 0 };
    int rc = 0;
    uint64_t hash = hash64(data, len);   /* of the file as it is */
    for (unsigned char *z = memchr(data, 0, len); z; z = memchr(z, 0, len - (size_t)(z - data)))
        *z = ' ';   /* a separator, as in text files */
    if (!len) skip(r, path, "empty file");
    else if (sources_is_binary(data, len)) skip(r, path, "binary file");
    else if (!html_extract(data, len, path, &title, &text) || !buf_append(&title, "", 1) ||
             !buf_append(&text, "", 1))
        skip(r, path, "not parseable as HTML");
    else {
        /* collapse the title's white space */
        char *t = (char *)title.data;
        size_t o = 0;
        for (size_t i = 0; t[i]; i++) {
            bool sp = t[i] == ' ' || t[i] == '\n' || t[i] == '\t' || t[i] == '\r';
            if (sp && (!o || t[o - 1] == ' ')) continue;
            t[o++] = sp ? ' ' : t[i];
        }
        while (o && t[o - 1] == ' ') o--;
        t[o] = 0;
        struct source_doc d = { id, t, path, (const char *)text.data, text.len - 1, r->source,
                                (uint64_t)len, mtime, hash, 1 };
        rc = r->on_doc(r->ctx, &d);
        r->st->docs++;
        r->st->bytes += len;
    }
    buf_free(&title);
    buf_free(&text);
    free(data);
    return rc;
}

/* ------------------------------------------------------------- files */

void sources_markdown_title(const char *data, size_t len, size_t *title_start, size_t *title_len,
                            size_t *body_start)
{
    /* the first ATX heading line ("# ..."), else the first non-empty line */
    for (size_t i = 0; i < len;) {
        size_t e = i;
        while (e < len && data[e] != '\n') e++;
        if (data[i] == '#') {
            size_t s = i;
            while (s < e && data[s] == '#') s++;
            if (s < e && (data[s] == ' ' || data[s] == '\t')) {
                while (s < e && (data[s] == ' ' || data[s] == '\t')) s++;
                size_t t = e;
                while (t > s && (data[t - 1] == ' ' || data[t - 1] == '\t' || data[t - 1] == '\r' || data[t - 1] == '#')) t--;
                if (t - s > SOURCES_TITLE_MAX) t = s;   /* too long for a title */
                if (t > s && i == 0) {
                    *title_start = s;
                    *title_len = t - s;
                    *body_start = e < len ? e + 1 : len;
                    return;
                }
                if (t > s) {   /* a heading further down: the whole file is the body */
                    *title_start = s;
                    *title_len = t - s;
                    *body_start = 0;
                    return;
                }
            }
        }
        i = e + 1;
    }
    sources_split_title(data, len, title_start, title_len, body_start);
}

/* NUL bytes of a title become spaces: they separate words in the text,
 * and would cut a title short. */
static void nul_to_space(char *s, size_t n)
{
    for (char *z = memchr(s, 0, n); z; z = memchr(z, 0, n - (size_t)(z - s))) *z = ' ';
}

/* ------------------------------------------------- large text files */

#define HEAD (1u << 20)

struct fd_reader {
    int fd;
    int err;
};

/* Fill buf as far as the file goes (short only at its end). */
static long long read_full(int fd, char *buf, size_t cap, int *err)
{
    size_t got = 0;
    while (got < cap) {
        ssize_t k = read(fd, buf + got, cap - got);
        if (k < 0 && errno == EINTR) continue;
        if (k < 0) {
            *err = errno;
            return -1;
        }
        if (k == 0) break;
        got += (size_t)k;
    }
    return (long long)got;
}

static long long fd_read(void *ctx, char *buf, size_t cap)
{
    struct fd_reader *f = ctx;
    return read_full(f->fd, buf, cap, &f->err);
}

/* A text file too large to read whole: a first pass hashes it (the hash
 * decides whether it changed) and looks for NUL bytes; the title is looked
 * for in its first MiB; the indexer then reads the body in pieces. */
static int read_large_text_file(struct reader *r, const char *path, const char *id,
                                const struct stat *sb)
{
    int64_t mtime;
    if (!wanted(r, path, id, sb, &mtime)) return 0;
    struct fd_reader f = { open(path, O_RDONLY | O_CLOEXEC), 0 };
    char *head = malloc(HEAD + 1), *piece = malloc(HEAD);
    int rc = 0;
    const char *why = NULL;
    uint64_t len = 0, h = HASH64_INIT;
    size_t head_len = 0;
    if (f.fd < 0) {
        read_failed(r, path, id, errno);
        goto out;
    }
    if (!head || !piece) {
        why = "out of memory";
        goto out;
    }
    long long k;
    while ((k = read_full(f.fd, len ? piece : head, HEAD, &f.err)) > 0) {
        const char *p = len ? piece : head;
        if (!len) head_len = (size_t)k;
        h = hash64_update(h, p, (size_t)k);   /* pieces of 1 MiB: multiples of 8 */
        len += (uint64_t)k;
    }
    if (k < 0) {
        read_failed(r, path, id, f.err);
        goto out;
    }
    if (!len) why = "empty file";
    else if (sources_is_binary((const unsigned char *)head, head_len)) why = "binary file";
    if (why) goto out;
    size_t ts, tl, bs;
    if (has_suffix(path, ".md")) sources_markdown_title(head, head_len, &ts, &tl, &bs);
    else sources_split_title(head, head_len, &ts, &tl, &bs);
    head[ts + tl] = 0;   /* ts + tl <= head_len <= HEAD */
    nul_to_space(head + ts, tl);
    if (lseek(f.fd, (off_t)bs, SEEK_SET) < 0) {
        why = strerror(errno);
        goto out;
    }
    struct source_doc d = { id, head + ts, path, NULL, len - bs, r->source, len, mtime,
                            hash64_final(h, len), 1, fd_read, &f };
    rc = r->on_doc(r->ctx, &d);
    r->st->docs++;
    r->st->bytes += len;
out:
    if (why) skip(r, path, why);
    if (f.fd >= 0) close(f.fd);
    free(head);
    free(piece);
    return rc;
}

/* ------------------------------------------------------- text files */

static int read_text_file(struct reader *r, const char *path, const char *id, const struct stat *sb)
{
    if ((uint64_t)sb->st_size > SOURCES_STREAM_ABOVE) return read_large_text_file(r, path, id, sb);
    int64_t mtime;
    unsigned char *data;
    size_t len;
    if (!load_changed(r, path, id, sb, &mtime, &data, &len)) return 0;
    if (len == 0) {
        skip(r, path, "empty file");
        free(data);
        return 0;
    }
    if (sources_is_binary(data, len)) {
        skip(r, path, "binary file");
        free(data);
        return 0;
    }
    size_t ts, tl, bs;
    if (has_suffix(path, ".md")) sources_markdown_title((const char *)data, len, &ts, &tl, &bs);
    else sources_split_title((const char *)data, len, &ts, &tl, &bs);
    char *title = malloc(tl + 1);
    if (!title) {
        free(data);
        skip(r, path, "out of memory");
        return 0;
    }
    memcpy(title, data + ts, tl);
    title[tl] = 0;
    nul_to_space(title, tl);
    struct source_doc d = { id, title, path, (const char *)data + bs, len - bs, r->source,
                            (uint64_t)len, mtime, hash64(data, len), 1 };
    int rc = r->on_doc(r->ctx, &d);
    r->st->docs++;
    r->st->bytes += len;
    free(title);
    free(data);
    return rc;
}

/* ------------------------------------------------------- JSON Lines */

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
        skip(r, where, "not a JSON object");
    } else if (rest) {
        skip(r, where, "text after the JSON object");
    } else {
        char num[64];
        const char *id = json_string(obj, "id", num, sizeof num);
        if (!id) id = json_string(obj, "_id", num, sizeof num);
        const cJSON *text = cJSON_GetObjectItemCaseSensitive(obj, "text");
        const cJSON *title = cJSON_GetObjectItemCaseSensitive(obj, "title");
        if (!id || !*id) {
            skip(r, where, "no \"id\"");
        } else if (!cJSON_IsString(text) && !(title && cJSON_IsString(title))) {
            skip(r, where, "no \"text\" string");
        } else {
            /* a line is known by its hash, which covers its length too: a size
             * beside it would cost DOC_META 3 bytes a passage and decide nothing */
            const char *t = cJSON_IsString(text) ? text->valuestring : "";
            struct source_doc d = { id, cJSON_IsString(title) ? title->valuestring : "", path, t,
                                    strlen(t), r->source, 0, 0, hash64(line, len), 1 };
            d.line = lineno;
            rc = r->on_doc(r->ctx, &d);
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
    skip(r, where, "JSON line over 16 MiB");
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

static int read_jsonl(struct reader *r, const char *path)
{
    errno = 0;
    gzFile g = gzopen(path, "rb");
    if (!g) {
        read_failed(r, path, NULL, errno);
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
            unreadable(r, NULL, false, path, "out of memory");
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
    if (!rc && errnum != Z_OK && errnum != Z_STREAM_END) unreadable(r, NULL, false, path, gerr);
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

/* -------------------------------------------------------- directories */

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int walk(struct reader *r, const char *root, const char *rel, int depth);

static bool remember_dir(struct reader *r, const struct stat *st)
{
    if (r->nseen == r->capseen) {
        size_t cap = r->capseen ? r->capseen * 2 : 64;
        struct dir_id *n = realloc(r->seen, cap * sizeof *n);
        if (!n) return false;
        r->seen = n;
        r->capseen = cap;
    }
    r->seen[r->nseen++] = (struct dir_id){ st->st_dev, st->st_ino };
    return true;
}

/* Whether resolved path p lies inside the resolved root. */
static bool inside(const char *root, const char *p)
{
    size_t n = strlen(root);
    return !strncmp(p, root, n) && (p[n] == '/' || p[n] == 0 || (n == 1 && root[0] == '/'));
}

/* A symbolic link at path: whether to follow it (reported when not). */
static bool follow(struct reader *r, const char *path, const char *rel)
{
    char *target = realpath(path, NULL);
    if (!target) {
        int e = errno;
        if (e == ENOENT) skip(r, path, "dangling symbolic link");
        else unreadable(r, rel, true, path, strerror(e));
        return false;
    }
    bool ok = r->follow_links || inside(r->root_real, target);
    if (!ok) skip(r, path, "symbolic link out of the folder given (--follow-links follows it)");
    free(target);
    return ok;
}

static int visit(struct reader *r, const char *root, const char *rel, int depth)
{
    char *path = path_join(root, rel);
    if (!path) {
        unreadable(r, rel, true, rel, "out of memory");
        return 0;
    }
    struct stat st;
    int rc = 0;
    if (lstat(path, &st) == 0 && S_ISLNK(st.st_mode) && !follow(r, path, rel)) {
        free(path);
        return 0;
    }
    if (stat(path, &st) < 0) {
        int e = errno;
        if (e == ENOENT) skip(r, path, strerror(e));       /* gone since the listing */
        else unreadable(r, rel, true, path, strerror(e));  /* a file or a directory: keep both */
    } else if (S_ISDIR(st.st_mode)) {
        bool seen = false;
        for (size_t i = 0; i < r->nseen && !seen; i++)
            seen = r->seen[i].dev == st.st_dev && r->seen[i].ino == st.st_ino;
        if (r->have_exclude && st.st_dev == r->exclude.dev && st.st_ino == r->exclude.ino)
            skip(r, path, "the index itself");
        else if (seen) skip(r, path, "directory already indexed (symlink loop or second link)");
        else if (depth >= MAX_DEPTH) skip(r, path, "directory nesting too deep");
        else if (remember_dir(r, &st)) rc = walk(r, root, rel, depth + 1);
        else unreadable(r, rel, true, path, "out of memory");
    } else if (!S_ISREG(st.st_mode)) {
        skip(r, path, "not a regular file");
    } else if (has_suffix(rel, ".txt") || has_suffix(rel, ".md")) {
        rc = read_text_file(r, path, rel, &st);
    } else if (has_suffix(rel, ".html") || has_suffix(rel, ".htm")) {
        rc = read_html_file(r, path, rel, &st);
    } else {
        skip(r, path, "not a .txt, .md or .html file");
    }
    free(path);
    return rc;
}

/* The names in directory rel, sorted (*n of them). A listing that could
 * not be read to its end is reported unreadable: what it holds is kept,
 * and the names read are still visited. */
static char **list_dir(struct reader *r, const char *dirpath, const char *rel, size_t *n)
{
    *n = 0;
    DIR *d = opendir(dirpath);
    if (!d) {
        int e = errno;
        if (e == ENOENT) skip(r, dirpath, strerror(e));
        else unreadable(r, rel, true, dirpath, strerror(e));
        return NULL;
    }
    char **names = NULL;
    size_t cap = 0;
    const char *why = NULL;
    for (;;) {
        errno = 0;
        struct dirent *e = readdir(d);
        if (!e) {
            if (errno) why = strerror(errno);
            break;
        }
        if (e->d_name[0] == '.') continue;   /* hidden files and . .. */
        if (*n == cap) {
            cap = cap ? cap * 2 : 64;
            char **nn = realloc(names, cap * sizeof *nn);
            if (!nn) {
                why = "out of memory";
                break;
            }
            names = nn;
        }
        names[*n] = *rel ? path_join(rel, e->d_name) : strdup(e->d_name);
        if (!names[*n]) {
            why = "out of memory";
            break;
        }
        (*n)++;
    }
    closedir(d);
    if (why) unreadable(r, rel, true, dirpath, why);
    if (*n) qsort(names, *n, sizeof *names, cmp_names);
    return names;
}

static int walk(struct reader *r, const char *root, const char *rel, int depth)
{
    char *dirpath = *rel ? path_join(root, rel) : strdup(root);
    if (!dirpath) {
        unreadable(r, rel, true, rel, "out of memory");
        return 0;
    }
    size_t n;
    char **names = list_dir(r, dirpath, rel, &n);
    int rc = 0;
    for (size_t i = 0; i < n; i++) {
        if (!rc) rc = visit(r, root, names[i], depth);
        free(names[i]);
    }
    free(names);
    free(dirpath);
    return rc;
}

int sources_read(const char *path, doc_fn on_doc, skip_fn on_skip, void *ctx,
                 struct source_stats *st)
{
    return sources_read_changed(path, NULL, on_doc, on_skip, ctx, st);
}

int sources_read_changed(const char *path, want_fn want, doc_fn on_doc, skip_fn on_skip,
                         void *ctx, struct source_stats *st)
{
    struct source_walk w = { want, on_doc, on_skip, NULL, ctx, NULL, 0 };
    return sources_walk(path, &w, st);
}

int sources_walk(const char *path, const struct source_walk *w, struct source_stats *st)
{
    struct reader r = { .source = path, .want = w->want, .on_doc = w->on_doc, .on_skip = w->on_skip,
                        .on_unreadable = w->on_unreadable, .ctx = w->ctx,
                        .follow_links = w->follow_links, .st = st };
    struct stat sb;
    if (w->exclude && stat(w->exclude, &sb) == 0) {
        r.have_exclude = true;
        r.exclude = (struct dir_id){ sb.st_dev, sb.st_ino };
    }
    if (stat(path, &sb) < 0) {
        skip(&r, path, strerror(errno));
        return -1;
    }
    if (S_ISDIR(sb.st_mode)) {
        r.root_real = realpath(path, NULL);
        int rc = -1;
        if (!r.root_real) skip(&r, path, strerror(errno));
        else if (r.have_exclude && sb.st_dev == r.exclude.dev && sb.st_ino == r.exclude.ino)
            skip(&r, path, "the index itself");
        else if (remember_dir(&r, &sb)) rc = walk(&r, path, "", 0);
        free(r.seen);
        free(r.root_real);
        return rc;
    }
    if (has_suffix(path, ".jsonl") || has_suffix(path, ".jsonl.gz") || has_suffix(path, ".ndjson"))
        return read_jsonl(&r, path);
    const char *base = strrchr(path, '/');
    if (has_suffix(path, ".txt") || has_suffix(path, ".md"))
        return read_text_file(&r, path, base ? base + 1 : path, &sb);
    if (has_suffix(path, ".html") || has_suffix(path, ".htm"))
        return read_html_file(&r, path, base ? base + 1 : path, &sb);
    skip(&r, path, "not a directory, .txt, .md, .html or .jsonl[.gz] file");
    return -1;
}
