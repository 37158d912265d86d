/* sources.h -- reading documents from the paths given to search-index:
 * directories of .txt/.md files, single files, and JSON Lines files
 * (optionally gzip-compressed). */
#ifndef SIFT_SOURCES_H
#define SIFT_SOURCES_H

#include <stddef.h>
#include <stdint.h>

#include <sift/sift.h>

#include "strlist.h"

struct source_doc {
    const char *id, *title, *path;
    const char *text;
    size_t text_len;
    const char *source;    /* the PATH given to sources_read */
    uint64_t size;         /* of the file; 0 for JSON Lines (the hash decides) */
    int64_t mtime_ns;      /* of the file; 0 for JSON Lines */
    uint64_t hash;         /* hash64 of the file or of the JSON line */
    int has_hash;          /* in want_fn probes: hash is set (JSON Lines) */
    /* A text file over SOURCES_STREAM_ABOVE bytes is not read whole: text
     * is NULL, text_len its length, and `read` gives it in pieces. */
    sift_read_fn read;
    void *read_ctx;
    unsigned long line;    /* a JSON line's number in its file (0 for files) */
    /* typed field values: (name, value) pairs from front matter, <meta>
     * tags or JSON keys (front_matter.h); NULL when none */
    const struct strlist *fields;
};

#define SOURCES_STREAM_ABOVE (8u << 20)
/* Parsed whole, so bounded: longer JSON lines and larger HTML files are
 * skipped with a warning (a text file of any size streams). */
#define SOURCES_PARSE_MAX (16u << 20)

/* Called per document; a non-zero return stops reading and is returned. */
typedef int (*doc_fn)(void *ctx, const struct source_doc *d);
/* Called before a file is read (id, path, source, size and mtime_ns set),
 * and before a JSON line is parsed when its id could be read cheaply (id,
 * source, size and hash set, has_hash 1): return 0 to skip it (it is
 * unchanged). May be NULL. */
typedef int (*want_fn)(void *ctx, const struct source_doc *d);
/* Called per skipped file or line, with the reason. */
typedef void (*skip_fn)(void *ctx, const char *what, const char *why);
/* Called for what exists but could not be read, so that its documents are
 * kept as they are rather than taken for gone: `id` is the id of the file
 * (NULL: every document of the source, as for a JSON Lines file), and with
 * `subtree` also every id under "id/" (a directory, or an entry whose type
 * could not be told; id "" for the whole PATH). `path` and `why` say what
 * and why for the report. */
typedef void (*unreadable_fn)(void *ctx, const char *id, int subtree, const char *path,
                              const char *why);

struct source_stats {
    uint64_t docs, bytes, skipped;
    uint64_t input_done, input_total;   /* progress through a JSON Lines file (its bytes on disk) */
};

/* How to read a PATH. The walker never leaves it: a symbolic link is
 * followed only when its target lies inside PATH, unless follow_links;
 * `exclude` (the index directory) is never read. A document is reported
 * gone only by its absence from a directory listing read to the end, or by
 * ENOENT for its own entry: everything else that fails is unreadable. */
struct source_walk {
    want_fn want;                /* may be NULL: every file is read */
    doc_fn on_doc;
    skip_fn on_skip;             /* may be NULL */
    unreadable_fn on_unreadable; /* may be NULL */
    void *ctx;
    const char *exclude;         /* a directory never read; NULL: none */
    int follow_links;            /* follow links that lead outside PATH */
};

/* Read every document under `path`. Returns 0, the callback's non-zero
 * value, or -1 when `path` itself cannot be read (reported via skip). */
int sources_walk(const char *path, const struct source_walk *w, struct source_stats *st);

/* The JSON Lines text data[0..len) as if read from a file named `name`
 * (the fuzz target reads lines this way, with no file per input). */
int sources_jsonl_memory(const char *name, const char *data, size_t len,
                         const struct source_walk *w, struct source_stats *st);

/* sources_walk with only these callbacks. */
int sources_read(const char *path, doc_fn on_doc, skip_fn on_skip, void *ctx,
                 struct source_stats *st);
int sources_read_changed(const char *path, want_fn want, doc_fn on_doc, skip_fn on_skip,
                         void *ctx, struct source_stats *st);

/* Split a text file into title (its first non-empty line, without a
 * leading Markdown '#') and body (the rest). A first line longer than
 * SOURCES_TITLE_MAX bytes is no title: the whole file is the body.
 * Exposed for tests. */
#define SOURCES_TITLE_MAX 1024
void sources_split_title(const char *data, size_t len, size_t *title_start, size_t *title_len,
                         size_t *body_start);

/* Markdown: the first heading ("# Title") as title; without one, as
 * sources_split_title. Exposed for tests. */
void sources_markdown_title(const char *data, size_t len, size_t *title_start, size_t *title_len,
                            size_t *body_start);

/* Whether data looks binary: more than 30% of its first 8 KiB invalid
 * UTF-8 or control characters other than white space (NUL included). A
 * text with some invalid or NUL bytes is indexed, those bytes acting as
 * separators; an executable, an image, an archive or UTF-16 text is not. */
int sources_is_binary(const unsigned char *data, size_t len);

#endif
