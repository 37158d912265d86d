/* test_pieces.c -- a document larger than the memory budget: streamed
 * through sift_writer_add_stream in pieces of odd sizes, its tokens folded
 * and spilled in pieces across many runs (and intermediate merges), it
 * must give the very same segment file as the same text added whole
 * under a budget that holds it; a reader that fails half way must leave
 * the index as it was. SIFT_TEST_MB sets the text's size (default 12). */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bytes.h"
#include "helpers.h"

/* Words that exercise the places where a piece may be cut: joiners
 * (hyphens, dots, apostrophes, commas between digits), multi-byte
 * characters, a possessive, an acronym. */
static const char *words[] = { "cloud", "azure", "bytedance", "e-commerce", "U.S.", "2.61",
                               "1,000", "O'Reilly", "Alibaba's", "café", "naïve", "日本語",
                               "Zürich", "GPT-4o", "export", "chips", "the", "of", "a", "..." };
static const char *seps[] = { " ", " ", " ", ", ", ". ", "\n", " - ", "/", "\t", "; " };

struct gen {
    uint64_t rng, left;
    char word[64];
    size_t wpos, wlen;
    uint64_t calls;
    uint64_t fail_after;   /* return -1 once this many bytes were given (0: never) */
    uint64_t given;
};

static uint32_t rnd(struct gen *g, uint32_t n)
{
    g->rng = g->rng * 6364136223846793005ull + 1442695040888963407ull;
    return (uint32_t)(g->rng >> 33) % n;
}

static void next_word(struct gen *g)
{
    const char *w = words[rnd(g, sizeof words / sizeof *words)];
    const char *s = seps[rnd(g, sizeof seps / sizeof *seps)];
    g->wlen = (size_t)snprintf(g->word, sizeof g->word, "%s%s", w, s);
    g->wpos = 0;
}

/* The generated text, in pieces of pseudo-random sizes. */
static long long gen_read(void *ctx, char *buf, size_t cap)
{
    struct gen *g = ctx;
    if (g->fail_after && g->given >= g->fail_after) return -1;
    size_t want = 1 + rnd(g, 300000);
    if (want > cap) want = cap;
    if (want > g->left) want = (size_t)g->left;
    for (size_t i = 0; i < want; i++) {
        if (g->wpos == g->wlen) next_word(g);
        buf[i] = g->word[g->wpos++];
    }
    g->left -= want;
    g->given += want;
    g->calls++;
    return (long long)want;
}

static uint64_t text_size(void)
{
    const char *e = getenv("SIFT_TEST_MB");
    return (uint64_t)(e ? atof(e) : 12.0) * (1 << 20);
}

static void add_small(sift_writer *w, const char *id, const char *text)
{
    sift_errmsg err;
    if (sift_writer_add(w, id, "small", text, strlen(text), &err)) fail_msg("%s", err.msg);
}

/* Build an index of three documents, the middle one `size` bytes of
 * generated text: streamed (ram_mb 1) or whole (ram_mb 1024). With
 * `later` 1, a fourth document first in the same commit; with 2, that
 * document in a second commit, then both merged (which streams the huge
 * one back out of the store). */
static void build(const char *dir, uint64_t size, bool streamed, int later)
{
    sift_errmsg err;
    sift_writer *w;
    sift_writer_options o = { sizeof(sift_writer_options), NULL, streamed ? 1 : 1024, 1 };
    if (sift_writer_open(dir, &o, &w, &err)) fail_msg("%s", err.msg);
    if (later == 1) add_small(w, "later", "azure later");   /* a merge puts the smaller segment first */
    add_small(w, "before", "cloud azure e-commerce before");
    struct gen g = { .rng = 7, .left = size };
    if (streamed) {
        if (sift_writer_add_stream(w, "huge", "A huge document", size, gen_read, &g, &err))
            fail_msg("%s", err.msg);
        assert_true(g.calls >= size / 300000);   /* pieces of at most 300,000 bytes */
    } else {
        char *text = malloc(size);
        assert_non_null(text);
        for (uint64_t got = 0; got < size;) got += (uint64_t)gen_read(&g, text + got, size - got);
        if (sift_writer_add(w, "huge", "A huge document", text, size, &err)) fail_msg("%s", err.msg);
        free(text);
    }
    add_small(w, "after", "chips export after the cloud");
    if (later == 2 && sift_writer_commit(w, &err)) fail_msg("%s", err.msg);
    if (later == 2) add_small(w, "later", "azure later");
    if (sift_writer_commit(w, &err)) fail_msg("%s", err.msg);
    if (later == 2 && sift_writer_merge(w, 1, &err)) fail_msg("%s", err.msg);
    sift_writer_close(w);
}

static char *only_segment(const char *dir)
{
    DIR *d = opendir(dir);
    assert_non_null(d);
    char *name = NULL;
    for (struct dirent *e; (e = readdir(d));) {
        if (strncmp(e->d_name, "seg-", 4)) continue;
        assert_null(name);
        name = strdup(e->d_name);
    }
    closedir(d);
    assert_non_null(name);
    return name;
}

static void test_streamed_equals_whole(void **state)
{
    (void)state;
    uint64_t size = text_size();
    char *a = tmpdir_make(), *b = tmpdir_make();
    build(a, size, true, 0);
    build(b, size, false, 0);
    size_t na, nb;
    unsigned char *pa = file_contents(a, "seg-000001.sift", &na), *pb = file_contents(b, "seg-000001.sift", &nb);
    assert_int_equal(na, nb);
    assert_memory_equal(pa, pb, na);
    free(pa);
    free(pb);
    sift_errmsg err;
    sift_index *ix;
    assert_int_equal(sift_index_open(a, &ix, &err), SIFT_OK);
    assert_int_equal(sift_index_verify(ix, &err), SIFT_OK);
    sift_index_close(ix);
    assert_int_equal(count_matches(a, "+cloud +azure"), 2);
    assert_int_equal(count_matches(a, "\"naive cafe\""), 1);   /* pairs occur all through the text */
    assert_int_equal(count_matches(a, "\"e commerce\""), 2);
    tmpdir_remove(a);
    tmpdir_remove(b);
}

static void test_merge_streams_the_store(void **state)
{
    (void)state;
    uint64_t size = text_size() / 2;
    char *a = tmpdir_make(), *b = tmpdir_make();
    build(a, size, true, 2);    /* two commits, merged with a 1 MiB budget */
    build(b, size, false, 1);   /* one commit */
    char *sa = only_segment(a), *sb = only_segment(b);
    size_t na, nb;
    unsigned char *pa = file_contents(a, sa, &na), *pb = file_contents(b, sb, &nb);
    assert_int_equal(na, nb);
    assert_memory_equal(pa, pb, na);
    free(pa);
    free(pb);
    free(sa);
    free(sb);
    assert_int_equal(count_matches(a, "\"naive cafe\""), 1);
    tmpdir_remove(a);
    tmpdir_remove(b);
}

static void test_failed_reader_changes_nothing(void **state)
{
    (void)state;
    char *dir = tmpdir_make();
    sift_errmsg err;
    sift_writer *w;
    sift_writer_options o = { sizeof(sift_writer_options), NULL, 1, 1 };
    assert_int_equal(sift_writer_open(dir, &o, &w, &err), SIFT_OK);
    add_small(w, "huge", "the old version mentions tiktok");
    add_small(w, "other", "cloud");
    assert_int_equal(sift_writer_commit(w, &err), SIFT_OK);
    /* half of the text arrives (spilled in pieces), then the reader fails */
    uint64_t size = text_size() / 2;
    struct gen g = { .rng = 9, .left = size, .fail_after = size / 2 };
    assert_int_equal(sift_writer_add_stream(w, "huge", "new", size, gen_read, &g, &err),
                     SIFT_ERR_INPUT);
    assert_non_null(strstr(err.msg, "huge"));
    /* a reader that ends early is the same */
    struct gen g2 = { .rng = 3, .left = 1000 };
    assert_int_equal(sift_writer_add_stream(w, "new", NULL, 5000, gen_read, &g2, &err),
                     SIFT_ERR_INPUT);
    assert_int_equal(sift_writer_doc_count(w), 2);
    add_small(w, "later", "azure later");
    assert_int_equal(sift_writer_commit(w, &err), SIFT_OK);
    sift_writer_close(w);
    char *ids = search_ids(dir, "tiktok", 10);
    assert_string_equal(ids, "huge");
    free(ids);
    assert_int_equal(count_matches(dir, "cloud azure"), 2);   /* "other" and "later" */
    assert_int_equal(count_matches(dir, "cafe"), 0);
    sift_index *ix;
    assert_int_equal(sift_index_open(dir, &ix, &err), SIFT_OK);
    assert_int_equal(sift_index_verify(ix, &err), SIFT_OK);
    sift_index_stats st = { .struct_size = sizeof st };
    assert_int_equal(sift_index_stats_get(ix, &st, &err), SIFT_OK);
    assert_int_equal(st.doc_count, 3);
    sift_index_close(ix);
    tmpdir_remove(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_streamed_equals_whole),
        cmocka_unit_test(test_merge_streams_the_store),
        cmocka_unit_test(test_failed_reader_changes_nothing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
