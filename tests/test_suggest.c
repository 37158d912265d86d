/* test_suggest.c -- the words as written (surface forms, dict.c) and what
 * they serve: their section holds exactly each distinct stemmed word with
 * its stem and counts (against a brute force over the documents, over
 * several segments and deletions); prefixes of words find what their
 * stems hold (computer* finds "computers"); "did you mean" replaces what
 * is misspelt, leaves what was asked as it was asked, and only suggests
 * what finds documents. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "analyzer.h"
#include "dict.h"
#include "fuzzy.h"
#include "helpers.h"
#include "index.h"

static uint64_t seed = 11;
static unsigned rnd(unsigned n)
{
    seed = seed * 6364136223846793005ull + 1442695040888963407ull;
    return (unsigned)(seed >> 33) % n;
}

/* Words with shared stems, an accent to fold, a capital, a number (no letter: no form). */
static const char *vocab[] = { "computers", "computer", "computerized", "computing", "compute",
                               "Computes", "café", "cafés", "happy", "happily", "clouds", "cloud",
                               "clouded", "2023", "outage", "outages" };
#define NVOCAB (sizeof vocab / sizeof *vocab)

struct form {
    char word[64], stem[64];
    uint32_t df;
    uint64_t cf;
};

struct forms {
    struct form f[64];
    size_t n;
};

struct analysis {
    struct forms *all;
    char seen[NVOCAB * 4][64];   /* words of the document being counted */
    size_t nseen;
};

static int count_form(void *ctx, const struct token *t)
{
    struct analysis *a = ctx;
    if (t->term == t->word) return 0;
    char w[64];
    snprintf(w, sizeof w, "%.*s", (int)t->word_len, t->word);
    size_t i = 0;
    while (i < a->all->n && strcmp(a->all->f[i].word, w)) i++;
    if (i == a->all->n) {
        snprintf(a->all->f[i].word, 64, "%s", w);
        snprintf(a->all->f[i].stem, 64, "%.*s", (int)t->len, t->term);
        a->all->n++;
    }
    a->all->f[i].cf++;
    size_t k = 0;
    while (k < a->nseen && strcmp(a->seen[k], w)) k++;
    if (k == a->nseen) {
        snprintf(a->seen[a->nseen++], 64, "%s", w);
        a->all->f[i].df++;
    }
    return 0;
}

static int collect(void *ctx, const char *key, size_t len, const struct term_info *ti)
{
    struct forms *g = ctx;
    char stem[TERM_MAX + 1];
    size_t sl, wl;
    assert_true(surface_stem(key, len, stem, &sl, &wl));
    char w[64];
    snprintf(w, sizeof w, "%.*s", (int)wl, key);
    size_t i = 0;
    while (i < g->n && strcmp(g->f[i].word, w)) i++;
    if (i == g->n) {
        assert_true(g->n < 64);
        snprintf(g->f[i].word, 64, "%s", w);
        snprintf(g->f[i].stem, 64, "%.*s", (int)sl, stem);
        g->n++;
    }
    assert_string_equal(g->f[i].stem, (snprintf(w, sizeof w, "%.*s", (int)sl, stem), w));
    g->f[i].df += ti->df;
    g->f[i].cf += ti->cf;
    return 0;
}

static void test_forms_against_brute_force(void **state)
{
    (void)state;
    char *dir = tmpdir_make();
    sift_writer *w;
    sift_errmsg err;
    assert_int_equal(sift_writer_open(dir, NULL, &w, &err), SIFT_OK);
    struct forms want = { 0 };
    struct analyzer *an = analyzer_new("english");
    assert_non_null(an);
    for (int d = 0; d < 90; d++) {   /* three segments */
        char title[128] = "", text[512] = "", id[16];
        for (int k = 0; k < 2; k++) strcat(strcat(title, vocab[rnd(NVOCAB)]), " ");
        for (int k = 0; k < 8; k++) strcat(strcat(text, vocab[rnd(NVOCAB)]), " ");
        snprintf(id, sizeof id, "d%d", d);
        assert_int_equal(sift_writer_add(w, id, title, text, strlen(text), &err), SIFT_OK);
        struct analysis a = { &want, { { 0 } }, 0 };
        uint32_t next;
        analyzer_run(an, title, strlen(title), 0, count_form, &a, &next);
        analyzer_run(an, text, strlen(text), next, count_form, &a, &next);
        if (d % 30 == 29) assert_int_equal(sift_writer_commit(w, &err), SIFT_OK);
    }
    sift_writer_close(w);
    analyzer_free(an);
    sift_index *idx;
    assert_int_equal(sift_index_open(dir, &idx, &err), SIFT_OK);
    assert_int_equal(idx->nsegs, 3);
    struct forms got = { 0 };
    for (uint32_t s = 0; s < idx->nsegs; s++)
        assert_int_equal(surface_scan_prefix(&idx->segs[s], "", 0, collect, &got, &err), SIFT_OK);
    assert_int_equal(got.n, want.n);
    for (size_t i = 0; i < want.n; i++) {
        size_t j = 0;
        while (j < got.n && strcmp(got.f[j].word, want.f[i].word)) j++;
        if (j == got.n) fail_msg("the form '%s' is missing", want.f[i].word);
        assert_string_equal(got.f[j].stem, want.f[i].stem);
        assert_int_equal(got.f[j].df, want.f[i].df);
        assert_int_equal(got.f[j].cf, want.f[i].cf);
    }
    uint64_t problems = 1;
    assert_int_equal(sift_index_check(idx, NULL, NULL, &problems, &err), SIFT_OK);
    assert_int_equal(problems, 0);
    sift_index_close(idx);
    tmpdir_remove(dir);
}

static uint64_t count(sift_index *idx, const char *q) { return index_count(idx, q, SIFT_QUERY_STRICT); }

static sift_index *small_index(char *dir)
{
    static const char *docs[][2] = {
        { "a", "Computers are everywhere" },       { "b", "A computerized archive" },
        { "c", "Computing power for rent" },       { "d", "They compute the totals" },
        { "e", "The computer room" },              { "f", "Clouds over the harbour" },
        { "g", "Cloud outage in Singapore" },      { "h", "Zebrafish genome" },
    };
    sift_writer *w;
    sift_errmsg err;
    assert_int_equal(sift_writer_open(dir, NULL, &w, &err), SIFT_OK);
    for (size_t i = 0; i < sizeof docs / sizeof *docs; i++)
        assert_int_equal(sift_writer_add(w, docs[i][0], "", docs[i][1], strlen(docs[i][1]), &err), SIFT_OK);
    assert_int_equal(sift_writer_commit(w, &err), SIFT_OK);
    assert_int_equal(sift_writer_delete(w, "h", &err), SIFT_OK);   /* its words stay in the forms */
    assert_int_equal(sift_writer_commit(w, &err), SIFT_OK);
    sift_writer_close(w);
    sift_index *idx;
    assert_int_equal(sift_index_open(dir, &idx, &err), SIFT_OK);
    return idx;
}

static void test_word_prefixes(void **state)
{
    (void)state;
    char *dir = tmpdir_make();
    sift_index *idx = small_index(dir);
    /* computer* is the words computer, computers, computerized: stems comput and computer */
    assert_int_equal(count(idx, "computer*"), count(idx, "computers OR computerized"));
    assert_int_equal(count(idx, "computers*"), count(idx, "computers"));
    assert_int_equal(count(idx, "computerized*"), 1);
    /* a prefix of the stems finds all it found before */
    assert_int_equal(count(idx, "comput*"), 5);
    assert_int_equal(count(idx, "cloud*"), 2);
    assert_int_equal(count(idx, "clouds*"), count(idx, "clouds"));
    assert_int_equal(count(idx, "zebrafish*"), 0);   /* deleted */
    sift_index_close(idx);
    tmpdir_remove(dir);
}

/* The suggestion for q, or "" for none. */
static const char *suggest(sift_index *idx, const char *q, unsigned flags)
{
    static char out[512];
    char *s = NULL;
    sift_errmsg err;
    assert_int_equal(sift_suggest(idx, q, flags, &s, &err), SIFT_OK);
    snprintf(out, sizeof out, "%s", s ? s : "");
    if (s) assert_true(index_count(idx, s, flags) > 0);   /* it finds documents */
    sift_free(s);
    return out;
}

static void test_suggestions(void **state)
{
    (void)state;
    char *dir = tmpdir_make();
    build_corpus_index(dir, 64);
    sift_index *idx;
    sift_errmsg err;
    assert_int_equal(sift_index_open(dir, &idx, &err), SIFT_OK);
    assert_string_equal(suggest(idx, "alibba clod", 0), "alibaba cloud");
    assert_string_equal(suggest(idx, "Bytedanse azure", 0), "bytedance azure");   /* folded as the index spells it */
    assert_string_equal(suggest(idx, "\"alibba cloud\"", 0), "\"alibaba cloud\"");
    assert_string_equal(suggest(idx, "+alibba +outage", 0), "+alibaba +outage");
    assert_string_equal(suggest(idx, "title:alibba", 0), "title:alibaba");
    assert_string_equal(suggest(idx, "NEAR/3(alibba outage)", 0), "NEAR/3(alibaba outage)");
    assert_string_equal(suggest(idx, "lbaiaba", 0), "");                 /* the first letter is kept */
    assert_string_equal(suggest(idx, "laibaba", 0), "alibaba");          /* or swapped with the second */
    assert_string_equal(suggest(idx, "alibaba cloud", 0), "");           /* nothing misspelt */
    assert_string_equal(suggest(idx, "cloud -alibba", 0), "");           /* an exclusion as typed */
    assert_string_equal(suggest(idx, "alibb* cloud", 0), "");            /* a prefix as typed */
    assert_string_equal(suggest(idx, "alibba~1", 0), "");                /* a fuzzy word as typed */
    assert_string_equal(suggest(idx, "source:reuterz", 0), "");          /* typed fields as typed */
    assert_string_equal(suggest(idx, "zzzzqqq", 0), "");                 /* nothing near */
    assert_string_equal(suggest(idx, "(alibba", 0), "(alibaba");          /* malformed: leniently */
    assert_string_equal(suggest(idx, "alibba (", SIFT_QUERY_LITERAL), "alibaba (");
    assert_string_equal(suggest(idx, "@c=r*\t\f\t\xfb*\t-\f", SIFT_QUERY_ALL), "");   /* a clause without a node (fuzzing) */
    char *s = (char *)1;
    assert_int_equal(sift_suggest(idx, NULL, 0, &s, &err), SIFT_ERR_INVALID);
    assert_null(s);
    sift_index_close(idx);
    /* a word only deleted documents hold is not suggested: the suggestion must find something */
    char *dir2 = tmpdir_make();
    idx = small_index(dir2);
    assert_string_equal(suggest(idx, "zebrafsh", 0), "");
    assert_string_equal(suggest(idx, "computrs", 0), "computers");
    sift_index_close(idx);
    tmpdir_remove(dir2);
    tmpdir_remove(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_forms_against_brute_force),
        cmocka_unit_test(test_word_prefixes),
        cmocka_unit_test(test_suggestions),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
