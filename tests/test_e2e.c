/* test_e2e.c -- index the bundled corpus/ and check exact results; then
 * damage the index in every way a disk or a copy can and check that each
 * is reported as corruption, never a crash or a wrong answer. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "bytes.h"
#include "helpers.h"
#include "sources.h"

static char *dir;

static int setup(void **state)
{
    (void)state;
    dir = tmpdir_make();
    assert_true(build_corpus_index(dir, 256) >= 30);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    tmpdir_remove(dir);
    return 0;
}

static void expect_top(const char *query, uint32_t n, const char *want)
{
    char *got = search_ids(dir, query, n);
    if (strcmp(got, want)) fail_msg("%s:\n  got  %s\n  want %s", query, got, want);
    free(got);
}

static uint64_t count(const char *query)
{
    sift_errmsg err;
    sift_index *idx;
    assert_int_equal(sift_index_open(dir, &idx, &err), SIFT_OK);
    sift_query *q;
    assert_int_equal(sift_query_parse(idx, query, &q, &err), SIFT_OK);
    uint64_t n;
    assert_int_equal(sift_count(idx, q, &n, &err), SIFT_OK);
    sift_query_free(q);
    sift_index_close(idx);
    return n;
}

static void test_top_results(void **state)
{
    (void)state;
    expect_top("ByteDance Azure", 2, "bytedance-azure-openai-models.md bytedance-azure-billion.md");
    expect_top("Alibaba Cloud outage", 2,
               "alibaba-cloud-outage-november-2023.txt aws-us-east-1-outage.txt");
    expect_top("export restrictions chips", 2,
               "export-controls-advanced-chips.md alibaba-cancels-cloud-spinoff.md");
    expect_top("spin-off", 1, "alibaba-cancels-cloud-spinoff.md");
    expect_top("Maggie Wu", 1, "alibaba-cloud-slowest-growth-2021.txt");
    expect_top("$2.61 billion", 1, "alibaba-cloud-slowest-growth-2021.txt");
    expect_top("GPT-4o", 1, "bytedance-azure-billion.md");
    expect_top("+TikTok +Oracle", 3,
               "oracle-tiktok-us-data.md tiktok-ban-attempt-2020.txt bytedance-leaves-alibaba-cloud.md");
    expect_top("Doubao", 5, "doubao-chatbot.txt bytedance-azure-openai-models.md");
    /* accents and case fold: the corpus says "reorganisation" and "Qwen" */
    expect_top("QWEN", 1, "qwen-open-models.txt");
    expect_top("xyzzy", 5, "");
}

static void test_counts(void **state)
{
    (void)state;
    assert_int_equal(count("Chindata"), 3);
    assert_int_equal(count("+TikTok +Oracle"), 3);
    assert_int_equal(count("Doubao"), 2);
    assert_int_equal(count("ByteDance -Azure"), count("ByteDance") - count("+ByteDance +Azure"));
    assert_int_equal(count("xyzzy"), 0);
}

static void test_hits_and_snippets(void **state)
{
    (void)state;
    sift_errmsg err;
    sift_index *idx;
    assert_int_equal(sift_index_open(dir, &idx, &err), SIFT_OK);
    sift_query *q;
    assert_int_equal(sift_query_parse(idx, "ByteDance Azure", &q, &err), SIFT_OK);
    sift_results *r;
    sift_search_options so;
    sift_search_options_init(&so);
    so.limit = 3;
    so.offset = 1;
    assert_int_equal(sift_search(idx, q, &so, &r, &err), SIFT_OK);
    assert_int_equal(sift_results_size(r), 3);
    sift_hit h = { .struct_size = sizeof h };
    assert_int_equal(sift_results_hit(r, 0, &h, &err), SIFT_OK);
    assert_string_equal(h.id, "bytedance-azure-billion.md");   /* offset 1 */
    assert_string_equal(h.title, "ByteDance is on track to spend $1B a year on Microsoft Azure AI");
    char *snip;
    sift_snippet_options o = { sizeof(sift_snippet_options), 20, "<", ">" };
    assert_int_equal(sift_results_snippet(r, 0, &o, &snip, &err), SIFT_OK);
    assert_non_null(strstr(snip, "<Azure>"));
    assert_non_null(strstr(snip, "<ByteDance"));
    sift_free(snip);
    char *text;
    size_t len;
    assert_int_equal(sift_results_text(r, 0, &text, &len, &err), SIFT_OK);
    assert_non_null(strstr(text, "Bloomberg"));
    sift_free(text);
    assert_int_equal(sift_results_hit(r, 3, &h, &err), SIFT_ERR_INVALID);
    sift_results_free(r);
    sift_query_free(q);
    /* malformed queries */
    assert_int_equal(sift_query_parse(idx, "   ", &q, &err), SIFT_ERR_QUERY);
    assert_int_equal(sift_query_parse_flags(idx, "-cloud", SIFT_QUERY_STRICT, &q, &err), SIFT_ERR_QUERY);
    assert_non_null(strstr(err.msg, "only exclusions"));
    sift_index_stats st = { .struct_size = sizeof st };
    assert_int_equal(sift_index_stats_get(idx, &st, &err), SIFT_OK);
    assert_int_equal(st.doc_count, 32);
    assert_int_equal(st.segment_count, 1);
    assert_string_equal(st.language, "english");
    assert_int_equal(sift_index_verify(idx, &err), SIFT_OK);
    sift_index_close(idx);
}

/* ------------------------------------------------------------ damage */

static char *segment_path(void)
{
    static char p[4096];
    snprintf(p, sizeof p, "%s/seg-000001.sift", dir);
    return p;
}

static void spit(const char *p, const unsigned char *d, size_t n)
{
    FILE *f = fopen(p, "wb");
    assert_int_equal(fwrite(d, 1, n, f), n);
    fclose(f);
}

/* Open, search, fetch hits and snippets, verify: the first failure's code. */
static sift_err exercise_dir(const char *d)
{
    sift_errmsg err;
    sift_index *idx;
    sift_err rc = sift_index_open(d, &idx, &err);
    if (rc) return rc;
    const char *queries[] = { "ByteDance Azure", "+cloud +outage -aws", "the", "zzz" };
    for (size_t i = 0; !rc && i < 4; i++) {
        sift_query *q;
        rc = sift_query_parse(idx, queries[i], &q, &err);
        if (rc) break;
        sift_results *r;
        rc = sift_search(idx, q, NULL, &r, &err);
        for (size_t k = 0; !rc && k < sift_results_size(r); k++) {
            sift_hit h = { .struct_size = sizeof h };
            char *s = NULL;
            rc = sift_results_hit(r, k, &h, &err);
            if (!rc) rc = sift_results_snippet(r, k, NULL, &s, &err);
            sift_free(s);
        }
        if (r) sift_results_free(r);
        sift_query_free(q);
    }
    if (!rc) rc = sift_index_verify(idx, &err);
    if (rc) assert_non_null(strstr(err.msg, d));   /* the message names the file */
    sift_index_close(idx);
    return rc;
}

static sift_err exercise(void) { return exercise_dir(dir); }

/* Every byte of a small index, segment and manifest, flipped one at a
 * time: each is reported as damage (the manifest's version field as a
 * version mismatch), and no run crashes, hangs or reads out of bounds (the
 * suite runs under ASan and valgrind too). */
static void test_every_byte_of_a_small_index(void **state)
{
    (void)state;
    char *small = tmpdir_make();
    sift_errmsg err;
    sift_writer *w;
    assert_int_equal(sift_writer_open(small, NULL, &w, &err), SIFT_OK);
    const char *texts[] = { "ByteDance rents Azure capacity for its models",
                            "Cloud outage: the Azure region went dark for hours",
                            "Oracle and ByteDance sign a cloud deal; export rules loom" };
    for (int i = 0; i < 3; i++) {
        char id[8];
        snprintf(id, sizeof id, "d%d", i);
        assert_int_equal(sift_writer_add(w, id, "title", texts[i], strlen(texts[i]), &err), SIFT_OK);
    }
    assert_int_equal(sift_writer_commit(w, &err), SIFT_OK);
    sift_writer_close(w);
    assert_int_equal(exercise_dir(small), SIFT_OK);
    const char *files[] = { "seg-000001.sift", "manifest" };
    unsigned tried = 0;
    for (size_t f = 0; f < 2; f++) {
        char p[4096];
        snprintf(p, sizeof p, "%s/%s", small, files[f]);
        size_t n;
        unsigned char *orig = file_contents(p, NULL, &n);
        unsigned char *copy = malloc(n);
        for (size_t pos = 0; pos < n; pos++) {
            memcpy(copy, orig, n);
            copy[pos] ^= (unsigned char)(1u << (pos % 8));
            spit(p, copy, n);
            sift_err rc = exercise_dir(small);
            if (rc != SIFT_ERR_CORRUPT && !(f == 1 && rc == SIFT_ERR_VERSION))
                fail_msg("%s: flip at %zu of %zu: rc %d, not reported as damage", files[f], pos, n, rc);
            tried++;
        }
        spit(p, orig, n);
        assert_int_equal(exercise_dir(small), SIFT_OK);
        free(copy);
        free(orig);
    }
    printf("flipped every one of %u byte positions of a small index\n", tried);
    tmpdir_remove(small);
}

static void test_flipped_bytes(void **state)
{
    (void)state;
    size_t n;
    unsigned char *orig = file_contents(segment_path(), NULL, &n);
    unsigned char *copy = malloc(n);
    unsigned tried = 0;
    /* every byte of the corpus index, one at a time */
    for (size_t pos = 0; pos < n; pos++) {
        memcpy(copy, orig, n);
        copy[pos] ^= (unsigned char)(1u << (pos % 8));
        spit(segment_path(), copy, n);
        sift_err rc = exercise();
        if (rc != SIFT_ERR_CORRUPT) fail_msg("flip at %zu of %zu: rc %d, not corrupt", pos, n, rc);
        tried++;
    }
    spit(segment_path(), orig, n);
    assert_int_equal(exercise(), SIFT_OK);
    printf("flipped %u byte positions of %zu\n", tried, n);
    free(copy);
    free(orig);
}

static void test_truncated_and_missing(void **state)
{
    (void)state;
    size_t n;
    unsigned char *orig = file_contents(segment_path(), NULL, &n);
    size_t cuts[] = { 0, 1, 63, 64, 100, n / 2, n - 100, n - 1 };
    for (size_t i = 0; i < sizeof cuts / sizeof *cuts; i++) {
        spit(segment_path(), orig, cuts[i]);
        assert_int_equal(exercise(), SIFT_ERR_CORRUPT);
    }
    remove(segment_path());
    assert_int_equal(exercise(), SIFT_ERR_CORRUPT);   /* manifest names a missing file */
    spit(segment_path(), orig, n);
    /* the manifest itself */
    char mp[4096];
    snprintf(mp, sizeof mp, "%s/manifest", dir);
    size_t mn;
    unsigned char *m = file_contents(mp, NULL, &mn);
    for (size_t pos = 0; pos < mn; pos++) {
        m[pos] ^= 0x10;
        spit(mp, m, mn);
        sift_err rc = exercise();
        assert_true(rc == SIFT_ERR_CORRUPT || rc == SIFT_ERR_VERSION);
        m[pos] ^= 0x10;
    }
    spit(mp, m, mn - 1);
    assert_int_equal(exercise(), SIFT_ERR_CORRUPT);
    spit(mp, m, mn);
    assert_int_equal(exercise(), SIFT_OK);
    free(m);
    free(orig);
}

/* A budget so small that every document spills a run: the merged index
 * must answer exactly like the one built in memory. */
static void test_spilled_runs_identical(void **state)
{
    (void)state;
    char *small = tmpdir_make();
    build_corpus_index(small, 1);
    const char *queries[] = { "ByteDance Azure", "cloud", "the of and", "+alibaba -cloud", "chips" };
    for (size_t i = 0; i < 5; i++) {
        char *a = search_ids(dir, queries[i], 50), *b = search_ids(small, queries[i], 50);
        assert_string_equal(a, b);
        free(a);
        free(b);
    }
    size_t na, nb;
    char pa[4096], pb[4096];
    snprintf(pa, sizeof pa, "%s/seg-000001.sift", dir);
    snprintf(pb, sizeof pb, "%s/seg-000001.sift", small);
    unsigned char *da = file_contents(pa, NULL, &na), *db = file_contents(pb, NULL, &nb);
    assert_int_equal(na, nb);
    assert_memory_equal(da, db, na);   /* byte-identical segments */
    free(da);
    free(db);
    tmpdir_remove(small);
}

/* A phrase of three or more words leapfrogs its two rarest words and
 * brings the others to a candidate afterwards (iter.c): a document where
 * the two stand as in the phrase but a frequent word is missing must not
 * match, even when that word's next document has it at the right place;
 * nor one where every word is there out of order. */
static void test_long_phrase_words_follow(void **state)
{
    (void)state;
    static const struct test_doc docs[] = {
        { "a", "", "alpha beta delta" },              /* the leads stand, gamma missing */
        { "b", "", "zulu yankee gamma" },             /* gamma where the phrase wants it */
        { "c", "", "alpha gamma beta" },              /* every word, not the phrase */
        { "d", "", "one two alpha beta gamma" },      /* the phrase */
        { "e", "", "gamma gamma" }, { "f", "", "gamma" }, { "g", "", "gamma kilo" },
        { "h", "", "alpha beta" },                    /* the leads again, gamma after */
        { "i", "", "x y gamma" },
    };
    char *pdir = tmpdir_make();
    build_index(pdir, docs, sizeof docs / sizeof *docs);
    assert_int_equal(count_matches(pdir, "\"alpha beta gamma\""), 1);
    char *ids = search_ids(pdir, "\"alpha beta gamma\"", 10);
    assert_string_equal(ids, "d");
    free(ids);
    assert_int_equal(count_matches(pdir, "\"beta gamma\""), 1);
    assert_int_equal(count_matches(pdir, "\"zulu yankee gamma\""), 1);
    assert_int_equal(count_matches(pdir, "\"two alpha beta gamma\""), 1);
    assert_int_equal(count_matches(pdir, "\"alpha beta delta\""), 1);
    tmpdir_remove(pdir);
}

/* An exact two-word phrase whose words are each once in the document is
 * decided from their first positions alone (iter.c's pair_once): the
 * second right after the first, both in the title or both in the text. */
static void test_two_word_phrase_once(void **state)
{
    (void)state;
    static const struct test_doc docs[] = {
        { "a", "Cloud outage", "hits Azure" },       /* "outage hits" spans title and text */
        { "b", "", "outage hits again" },            /* the phrase, once each */
        { "c", "", "hits outage" },                  /* out of order */
        { "d", "", "outage then hits" },             /* apart */
        { "e", "", "outage hits, outage hits" },     /* twice each: the positions read */
        { "f", "Outage", "hits" },                   /* spans again, title of one word */
    };
    char *pdir = tmpdir_make();
    build_index(pdir, docs, sizeof docs / sizeof *docs);
    char *ids = search_ids(pdir, "\"outage hits\"", 10);
    assert_int_equal(count_matches(pdir, "\"outage hits\""), 2);
    assert_true(!strcmp(ids, "b e") || !strcmp(ids, "e b"));
    free(ids);
    assert_int_equal(count_matches(pdir, "\"cloud outage\""), 1);
    assert_int_equal(count_matches(pdir, "title:\"cloud outage\""), 1);
    assert_int_equal(count_matches(pdir, "text:\"cloud outage\""), 0);
    assert_int_equal(count_matches(pdir, "\"hits azure\""), 1);
    assert_int_equal(count_matches(pdir, "title:\"hits azure\""), 0);
    assert_int_equal(count_matches(pdir, "\"hits outage\""), 2);   /* c, and e across the comma */
    tmpdir_remove(pdir);
}

static void test_no_index(void **state)
{
    (void)state;
    sift_errmsg err;
    sift_index *idx;
    assert_int_equal(sift_index_open("/nonexistent/sift", &idx, &err), SIFT_ERR_NOTFOUND);
    assert_null(idx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_top_results), cmocka_unit_test(test_counts),
        cmocka_unit_test(test_hits_and_snippets), cmocka_unit_test(test_flipped_bytes),
        cmocka_unit_test(test_every_byte_of_a_small_index),
        cmocka_unit_test(test_truncated_and_missing), cmocka_unit_test(test_spilled_runs_identical),
        cmocka_unit_test(test_long_phrase_words_follow),
        cmocka_unit_test(test_two_word_phrase_once), cmocka_unit_test(test_no_index),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
