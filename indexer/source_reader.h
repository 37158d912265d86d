/* source_reader.h -- the state of one sources_walk, shared by sources.c
 * (directories, text, Markdown, HTML) and jsonl.c (JSON Lines). */
#ifndef SIFT_SOURCE_READER_H
#define SIFT_SOURCE_READER_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "sources.h"

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

/* A file or line skipped on purpose, with the reason. */
void source_skip(struct reader *r, const char *what, const char *why);
/* What exists but could not be read: its documents stay as they are. */
void source_unreadable(struct reader *r, const char *id, bool subtree, const char *path,
                       const char *why);
/* A failure to read the file of document id: ENOENT means it is gone (and
 * may be deleted), anything else that it is there but unreadable. */
void source_read_failed(struct reader *r, const char *path, const char *id, int e);

/* A JSON Lines file (plain or gzip) of the walk (jsonl.c). */
int source_read_jsonl(struct reader *r, const char *path);

#endif
