/* sources.c -- directory walking, text files and JSON Lines. */
#include "sources.h"

#include <cjson/cJSON.h>
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
#include "front_matter.h"
#include "html.h"
#include "source_reader.h"

#define MAX_DEPTH 64

void source_skip(struct reader *r, const char *what, const char *why)
{
    r->st->skipped++;
    if (r->on_skip) r->on_skip(r->ctx, what, why);
}

void source_unreadable(struct reader *r, const char *id, bool subtree, const char *path,
                       const char *why)
{
    if (r->on_unreadable) r->on_unreadable(r->ctx, id, subtree, path, why);
}

void source_read_failed(struct reader *r, const char *path, const char *id, int e)
{
    if (e == ENOENT) source_skip(r, path, strerror(e));
    else source_unreadable(r, id, false, path, strerror(e ? e : EIO));
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
        source_read_failed(r, path, id, errno);
        return false;
    }
    return true;
}

static int read_html_file(struct reader *r, const char *path, const char *id, const struct stat *sb)
{
    if ((uint64_t)sb->st_size > SOURCES_PARSE_MAX) {   /* its tree would be several times that */
        source_skip(r, path, "HTML file over 16 MiB");
        return 0;
    }
    int64_t mtime;
    unsigned char *data;
    size_t len;
    if (!load_changed(r, path, id, sb, &mtime, &data, &len)) return 0;
    struct buf title = { 0 }, text = { 0 };
    struct strlist pairs = { 0 };
    int rc = 0;
    uint64_t hash = hash64(data, len);   /* of the file as it is */
    for (unsigned char *z = memchr(data, 0, len); z; z = memchr(z, 0, len - (size_t)(z - data)))
        *z = ' ';   /* a separator, as in text files */
    if (!len) source_skip(r, path, "empty file");
    else if (sources_is_binary(data, len)) source_skip(r, path, "binary file");
    else if (!html_extract(data, len, path, &title, &text, &pairs) || !buf_append(&title, "", 1) ||
             !buf_append(&text, "", 1))
        source_skip(r, path, "not parseable as HTML");
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
        d.fields = &pairs;
        rc = r->on_doc(r->ctx, &d);
        r->st->docs++;
        r->st->bytes += len;
    }
    buf_free(&title);
    buf_free(&text);
    strlist_free(&pairs);
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

/* The title t[0..n) as a string, its NUL bytes made spaces. */
static char *copy_title(const char *t, size_t n)
{
    char *c = malloc(n + 1);
    if (!c) return NULL;
    memcpy(c, t, n);
    c[n] = 0;
    nul_to_space(c, n);
    return c;
}

/* A text or Markdown file's front matter into pairs, then its title (the
 * front matter's, else the first heading or line) and where its body
 * starts. */
static void split_file(const char *path, const char *data, size_t len, struct strlist *pairs,
                       const char **title, size_t *tl, size_t *bs)
{
    size_t fm = front_matter_parse(data, len, pairs), ts, l, b;
    if (has_suffix(path, ".md")) sources_markdown_title(data + fm, len - fm, &ts, &l, &b);
    else sources_split_title(data + fm, len - fm, &ts, &l, &b);
    const char *given = front_matter_get(pairs, "title");
    if (given) {
        *title = given;
        *tl = strlen(given);
        *bs = fm;
    } else {
        *title = data + fm + ts;
        *tl = l;
        *bs = fm + b;
    }
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
    char *head = malloc(HEAD + 1), *piece = malloc(HEAD), *title = NULL;
    struct strlist pairs = { 0 };
    int rc = 0;
    const char *why = NULL;
    uint64_t len = 0, h = HASH64_INIT;
    size_t head_len = 0;
    if (f.fd < 0) {
        source_read_failed(r, path, id, errno);
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
        source_read_failed(r, path, id, f.err);
        goto out;
    }
    if (!len) why = "empty file";
    else if (sources_is_binary((const unsigned char *)head, head_len)) why = "binary file";
    if (why) goto out;
    size_t tl, bs;
    const char *t;
    split_file(path, head, head_len, &pairs, &t, &tl, &bs);
    if (!(title = copy_title(t, tl))) {
        why = "out of memory";
        goto out;
    }
    if (lseek(f.fd, (off_t)bs, SEEK_SET) < 0) {
        why = strerror(errno);
        goto out;
    }
    struct source_doc d = { id, title, path, NULL, len - bs, r->source, len, mtime,
                            hash64_final(h, len), 1, fd_read, &f };
    d.fields = &pairs;
    rc = r->on_doc(r->ctx, &d);
    r->st->docs++;
    r->st->bytes += len;
out:
    if (why) source_skip(r, path, why);
    if (f.fd >= 0) close(f.fd);
    free(head);
    free(piece);
    free(title);
    strlist_free(&pairs);
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
        source_skip(r, path, "empty file");
        free(data);
        return 0;
    }
    if (sources_is_binary(data, len)) {
        source_skip(r, path, "binary file");
        free(data);
        return 0;
    }
    size_t tl, bs;
    const char *t;
    struct strlist pairs = { 0 };
    split_file(path, (const char *)data, len, &pairs, &t, &tl, &bs);
    char *title = copy_title(t, tl);
    if (!title) {
        free(data);
        strlist_free(&pairs);
        source_skip(r, path, "out of memory");
        return 0;
    }
    struct source_doc d = { id, title, path, (const char *)data + bs, len - bs, r->source,
                            (uint64_t)len, mtime, hash64(data, len), 1 };
    d.fields = &pairs;
    int rc = r->on_doc(r->ctx, &d);
    strlist_free(&pairs);
    r->st->docs++;
    r->st->bytes += len;
    free(title);
    free(data);
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
        if (e == ENOENT) source_skip(r, path, "dangling symbolic link");
        else source_unreadable(r, rel, true, path, strerror(e));
        return false;
    }
    bool ok = r->follow_links || inside(r->root_real, target);
    if (!ok) source_skip(r, path, "symbolic link out of the folder given (--follow-links follows it)");
    free(target);
    return ok;
}

static int visit(struct reader *r, const char *root, const char *rel, int depth)
{
    char *path = path_join(root, rel);
    if (!path) {
        source_unreadable(r, rel, true, rel, "out of memory");
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
        if (e == ENOENT) source_skip(r, path, strerror(e));       /* gone since the listing */
        else source_unreadable(r, rel, true, path, strerror(e));  /* a file or a directory: keep both */
    } else if (S_ISDIR(st.st_mode)) {
        bool seen = false;
        for (size_t i = 0; i < r->nseen && !seen; i++)
            seen = r->seen[i].dev == st.st_dev && r->seen[i].ino == st.st_ino;
        if (r->have_exclude && st.st_dev == r->exclude.dev && st.st_ino == r->exclude.ino)
            source_skip(r, path, "the index itself");
        else if (seen) source_skip(r, path, "directory already indexed (symlink loop or second link)");
        else if (depth >= MAX_DEPTH) source_skip(r, path, "directory nesting too deep");
        else if (remember_dir(r, &st)) rc = walk(r, root, rel, depth + 1);
        else source_unreadable(r, rel, true, path, "out of memory");
    } else if (!S_ISREG(st.st_mode)) {
        source_skip(r, path, "not a regular file");
    } else if (has_suffix(rel, ".txt") || has_suffix(rel, ".md")) {
        rc = read_text_file(r, path, rel, &st);
    } else if (has_suffix(rel, ".html") || has_suffix(rel, ".htm")) {
        rc = read_html_file(r, path, rel, &st);
    } else {
        source_skip(r, path, "not a .txt, .md or .html file");
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
        if (e == ENOENT) source_skip(r, dirpath, strerror(e));
        else source_unreadable(r, rel, true, dirpath, strerror(e));
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
    if (why) source_unreadable(r, rel, true, dirpath, why);
    if (*n) qsort(names, *n, sizeof *names, cmp_names);
    return names;
}

static int walk(struct reader *r, const char *root, const char *rel, int depth)
{
    char *dirpath = *rel ? path_join(root, rel) : strdup(root);
    if (!dirpath) {
        source_unreadable(r, rel, true, rel, "out of memory");
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
        source_skip(&r, path, strerror(errno));
        return -1;
    }
    if (S_ISDIR(sb.st_mode)) {
        r.root_real = realpath(path, NULL);
        int rc = -1;
        if (!r.root_real) source_skip(&r, path, strerror(errno));
        else if (r.have_exclude && sb.st_dev == r.exclude.dev && sb.st_ino == r.exclude.ino)
            source_skip(&r, path, "the index itself");
        else if (remember_dir(&r, &sb)) rc = walk(&r, path, "", 0);
        free(r.seen);
        free(r.root_real);
        return rc;
    }
    if (has_suffix(path, ".jsonl") || has_suffix(path, ".jsonl.gz") || has_suffix(path, ".ndjson"))
        return source_read_jsonl(&r, path);
    const char *base = strrchr(path, '/');
    if (has_suffix(path, ".txt") || has_suffix(path, ".md"))
        return read_text_file(&r, path, base ? base + 1 : path, &sb);
    if (has_suffix(path, ".html") || has_suffix(path, ".htm"))
        return read_html_file(&r, path, base ? base + 1 : path, &sb);
    source_skip(&r, path, "not a directory, .txt, .md, .html or .jsonl[.gz] file");
    return -1;
}
