/* embed.c -- index three strings and search them through <sift/sift.h>.
 * Usage: embed [DIR]   (DIR defaults to a fresh directory under /tmp) */
#define _POSIX_C_SOURCE 200809L  /* mkdtemp */

#include <sift/sift.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int fail(const char *what, sift_err rc, const sift_errmsg *err)
{
    fprintf(stderr, "embed: %s: %s: %s\n", what, sift_strerror(rc), err->msg);
    return 1;
}

int main(int argc, char **argv)
{
    char tmpl[] = "/tmp/sift-embed-XXXXXX";
    const char *dir = argc > 1 ? argv[1] : mkdtemp(tmpl);
    if (!dir) return 1;
    static const char *docs[][3] = {
        { "a", "Cloud outage", "A three-hour outage took the cloud provider offline." },
        { "b", "Chip exports", "New export rules restrict advanced chips." },
        { "c", "AI spending", "The company spends about $1B a year on cloud AI models." },
    };
    sift_errmsg err;
    sift_writer *w;
    sift_err rc = sift_writer_open(dir, NULL, &w, &err);
    if (rc) return fail("open writer", rc, &err);
    for (size_t i = 0; i < 3; i++) {
        rc = sift_writer_add(w, docs[i][0], docs[i][1], docs[i][2], strlen(docs[i][2]), &err);
        if (rc) return fail("add", rc, &err);
    }
    rc = sift_writer_commit(w, &err);
    sift_writer_close(w);
    if (rc) return fail("commit", rc, &err);

    sift_index *idx;
    if ((rc = sift_index_open(dir, &idx, &err))) return fail("open index", rc, &err);
    sift_query *q;
    if ((rc = sift_query_parse(idx, "cloud spending", &q, &err))) return fail("parse", rc, &err);
    sift_results *res;
    if ((rc = sift_search(idx, q, NULL, &res, &err))) return fail("search", rc, &err);
    for (size_t i = 0; i < sift_results_size(res); i++) {
        sift_hit h = { .struct_size = sizeof h };
        char *snippet;
        sift_snippet_options so = { .struct_size = sizeof so, .max_tokens = 16, .open = "[", .close = "]" };
        if ((rc = sift_results_hit(res, i, &h, &err))) return fail("hit", rc, &err);
        if ((rc = sift_results_snippet(res, i, &so, &snippet, &err))) return fail("snippet", rc, &err);
        printf("%zu %s %.4f %s | %s\n", i + 1, h.id, h.score, h.title, snippet);
        sift_free(snippet);
    }
    sift_results_free(res);
    sift_query_free(q);
    sift_index_close(idx);
    return 0;
}
