/* helpers.c -- test scaffolding. */
#include "helpers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bytes.h"
#include "fileio.h"
#include "sources.h"

char *tmpdir_make(void)
{
    const char *base = getenv("TMPDIR");
    char tmpl[4096];
    snprintf(tmpl, sizeof tmpl, "%s/sift-test-XXXXXX", base && *base ? base : "/tmp");
    char *d = mkdtemp(tmpl);
    assert_non_null(d);
    return strdup(d);
}

void tmpdir_remove(char *path)
{
    char cmd[8192];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", path);
    assert_int_equal(system(cmd), 0);
    free(path);
}

void build_index(const char *dir, const struct test_doc *docs, size_t n)
{
    sift_errmsg err;
    sift_writer *w;
    sift_writer_options o = { sizeof(sift_writer_options), "english", 16 };
    sift_err rc = sift_writer_open(dir, &o, &w, &err);
    if (rc) fail_msg("writer_open: %s", err.msg);
    for (size_t i = 0; i < n; i++) {
        rc = sift_writer_add(w, docs[i].id, docs[i].title, docs[i].text, strlen(docs[i].text), &err);
        if (rc) fail_msg("add %s: %s", docs[i].id, err.msg);
    }
    rc = sift_writer_commit(w, &err);
    if (rc) fail_msg("commit: %s", err.msg);
    sift_writer_close(w);
}

char *search_ids(const char *dir, const char *query, uint32_t limit)
{
    sift_errmsg err;
    sift_index *idx;
    if (sift_index_open(dir, &idx, &err)) fail_msg("open: %s", err.msg);
    sift_query *q;
    if (sift_query_parse(idx, query, &q, &err)) fail_msg("parse: %s", err.msg);
    sift_search_options so;
    sift_search_options_init(&so);
    so.limit = limit;
    sift_results *r;
    if (sift_search(idx, q, &so, &r, &err)) fail_msg("search: %s", err.msg);
    struct buf b = { 0 };
    for (size_t i = 0; i < sift_results_size(r); i++) {
        if (i) buf_append(&b, " ", 1);
        const char *id = sift_results_id(r, i);
        buf_append(&b, id, strlen(id));
    }
    buf_append(&b, "", 1);
    sift_results_free(r);
    sift_query_free(q);
    sift_index_close(idx);
    return (char *)b.data;
}

static int add_source_doc(void *ctx, const struct source_doc *d)
{
    sift_errmsg err;
    const struct strlist *p = d->fields;   /* the front matter's date, source, author, tags */
    for (const char *k = p ? strlist_first(p) : NULL; k; k = strlist_next(p, strlist_next(p, k)))
        if (strcmp(k, "title") && sift_writer_field(ctx, k, strlist_next(p, k), &err))
            fail_msg("%s: field %s: %s", d->id, k, err.msg);
    if (sift_writer_add(ctx, d->id, d->title, d->text, d->text_len, &err)) fail_msg("%s", err.msg);
    return 0;
}

size_t build_corpus_index(const char *dir, unsigned ram_mb)
{
    return build_corpus_index_threads(dir, ram_mb, 1);
}

size_t build_corpus_index_threads(const char *dir, unsigned ram_mb, unsigned threads)
{
    sift_errmsg err;
    sift_writer *w;
    sift_writer_options o = { sizeof(sift_writer_options), "english", ram_mb, 1, threads };
    if (sift_writer_open(dir, &o, &w, &err)) fail_msg("writer_open: %s", err.msg);
    struct source_stats st = { 0 };
    assert_int_equal(sources_read(SIFT_SOURCE_DIR "/corpus", add_source_doc, NULL, w, &st), 0);
    assert_int_equal(st.skipped, 0);
    if (sift_writer_commit(w, &err)) fail_msg("commit: %s", err.msg);
    sift_writer_close(w);
    return (size_t)st.docs;
}

unsigned char *file_contents(const char *dir, const char *name, size_t *n)
{
    char path[4096];
    snprintf(path, sizeof path, name ? "%s/%s" : "%s", dir, name ? name : "");
    unsigned char *data;
    sift_errmsg err;
    if (read_file(path, &data, n, &err)) fail_msg("%s", err.msg);
    return data;
}

uint64_t count_matches(const char *dir, const char *query)
{
    sift_errmsg err;
    sift_index *ix;
    if (sift_index_open(dir, &ix, &err)) fail_msg("open: %s", err.msg);
    uint64_t n = index_count(ix, query, 0);
    sift_index_close(ix);
    return n;
}

uint64_t index_count(sift_index *idx, const char *query, unsigned flags)
{
    sift_errmsg err;
    sift_query *q;
    uint64_t n = 0;
    if (sift_query_parse_flags(idx, query, flags, &q, &err)) fail_msg("%s: %s", query, err.msg);
    if (sift_count(idx, q, &n, &err)) fail_msg("count: %s", err.msg);
    sift_query_free(q);
    return n;
}
