/* test_analyzer.c -- tokenization, Unicode folding, invalid UTF-8 and
 * stemming. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyzer.h"
#include "bytes.h"
#include "helpers.h"

struct collect {
    struct buf out;       /* terms joined by '|' */
    uint32_t positions[64];
    size_t starts[64], ends[64];
    size_t n;
};

static int on_token(void *ctx, const struct token *t)
{
    struct collect *c = ctx;
    if (c->out.len) buf_append(&c->out, "|", 1);
    buf_append(&c->out, t->term, t->len);
    if (c->n < 64) {
        c->positions[c->n] = t->pos;
        c->starts[c->n] = t->start;
        c->ends[c->n] = t->end;
    }
    c->n++;
    return 0;
}

/* Analyze `text` (len bytes) with `lang`; the terms joined by '|'. */
static char *analyze_n(const char *lang, const char *text, size_t len, struct collect *c)
{
    struct analyzer *a = analyzer_new(lang);
    assert_non_null(a);
    memset(c, 0, sizeof *c);
    uint32_t next;
    assert_int_equal(analyzer_run(a, text, len, 0, on_token, c, &next), 0);
    assert_int_equal(next, c->n);
    analyzer_free(a);
    buf_append(&c->out, "", 1);
    return (char *)c->out.data;
}

static void expect(const char *lang, const char *text, const char *want)
{
    struct collect c;
    char *got = analyze_n(lang, text, strlen(text), &c);
    if (strcmp(got, want)) fail_msg("'%s' analyzed to '%s', expected '%s'", text, got, want);
    free(got);
}

static void test_special_tokens(void **state)
{
    (void)state;
    expect("none", "GPT-4o", "gpt|4o");
    expect("none", "the U.S. market", "the|us|market");
    expect("none", "$1B a year", "1b|a|year");
    expect("none", "revenue of $2.61 billion.", "revenue|of|2.61|billion");
    expect("none", "O'Reilly", "oreilly");
    expect("none", "e-commerce", "e|commerce");
    expect("none", "ByteDance's cloud", "bytedance|cloud");
    expect("none", "ByteDance\xe2\x80\x99s cloud", "bytedance|cloud");
    expect("none", "1,000 servers", "1000|servers");
    expect("none", "end. Next", "end|next");
    expect("none", "example.com", "example|com");
    expect("none", "version 1.2.3", "version|1.2.3");
    expect("none", "--- ... ,,, '''", "");
    expect("none", "", "");
}

static void test_unicode_folding(void **state)
{
    (void)state;
    expect("none", "Caf\xc3\xa9 CAF\xc3\x89 cafe\xcc\x81", "cafe|cafe|cafe");   /* é, É, e + U+0301 */
    expect("none", "Stra\xc3\x9f" "e", "strasse");                             /* ß folds to ss */
    expect("none", "\xef\xac\x81nance", "finance");                           /* ﬁ ligature */
    expect("none", "\xce\xa3\xce\x99\xce\xa3\xce\xa5\xce\xa6\xce\x9f\xce\xa3", /* ΣΙΣΥΦΟΣ */
           "\xcf\x83\xce\xb9\xcf\x83\xcf\x85\xcf\x86\xce\xbf\xcf\x83");
    expect("none", "\xef\xbc\xa1\xef\xbc\xa9", "ai");                          /* full-width ＡＩ */
    expect("none", "\xe4\xba\x91\xe8\xae\xa1\xe7\xae\x97", "\xe4\xba\x91\xe8\xae\xa1\xe7\xae\x97"); /* 云计算 */
    expect("none", "\xd9\xa3\xd9\xa4", "\xd9\xa3\xd9\xa4");                   /* Arabic-Indic digits */
}

static void test_invalid_utf8(void **state)
{
    (void)state;
    /* stray continuation byte, truncated sequence, overlong NUL, surrogate */
    expect("none", "ab\x80" "cd", "ab|cd");
    expect("none", "ab\xe2\x82", "ab");
    expect("none", "x\xc0\x80y", "x|y");
    expect("none", "p\xed\xa0\x80q", "p|q");
    expect("none", "\xff\xfe\xfd", "");
    /* a NUL byte inside the text is a separator, not the end */
    struct collect c;
    char *got = analyze_n("none", "one\0two", 7, &c);
    assert_string_equal(got, "one|two");
    free(got);
}

static void test_stemming(void **state)
{
    (void)state;
    expect("english", "running connections clouds", "run|connect|cloud");
    expect("english", "Spending SPENDS spent", "spend|spend|spent");
    expect("english", "1990s", "1990s");
    expect("french", "nationalit\xc3\xa9s", "nationalit");
    expect("german", "H\xc3\xa4user", "haus");
    assert_null(analyzer_new("klingon"));
    assert_true(analyzer_language_ok("russian"));
    assert_false(analyzer_language_ok("klingon"));
}

static void test_positions_and_offsets(void **state)
{
    (void)state;
    const char *text = "Cloud  e-commerce, U.S.";
    struct collect c;
    char *got = analyze_n("none", text, strlen(text), &c);
    assert_string_equal(got, "cloud|e|commerce|us");
    free(got);
    for (uint32_t i = 0; i < 4; i++) assert_int_equal(c.positions[i], i);
    assert_int_equal(c.starts[0], 0);
    assert_int_equal(c.ends[0], 5);
    assert_memory_equal(text + c.starts[2], "commerce", 8);
    assert_int_equal(c.ends[2] - c.starts[2], 8);
    assert_memory_equal(text + c.starts[3], "U.S", 3);
}

static void test_long_token_cut(void **state)
{
    (void)state;
    size_t n = 100000;
    char *text = malloc(n);
    for (size_t i = 0; i < n; i += 2) memcpy(text + i, "\xc3\xa9", 2);   /* é repeated */
    struct collect c;
    char *got = analyze_n("none", text, n, &c);
    assert_int_equal(c.n, 1);
    assert_true(strlen(got) <= ANALYZER_MAX_TERM);
    assert_int_equal(strspn(got, "e"), strlen(got));
    free(got);
    free(text);
}

/* The terms of text through a, joined by '|'; the caller frees it. */
static char *terms_of(struct analyzer *a, const char *text)
{
    struct collect c;
    memset(&c, 0, sizeof c);
    assert_int_equal(analyzer_run(a, text, strlen(text), 0, on_token, &c, NULL), 0);
    buf_append(&c.out, "", 1);
    return (char *)c.out.data;
}

static void expect_terms(struct analyzer *a, const char *text, const char *want)
{
    char *got = terms_of(a, text);
    if (strcmp(got, want)) fail_msg("'%s' analyzed to '%s', expected '%s'", text, got, want);
    free(got);
}

static int first_bytes_kept(void *ctx, const struct token *t)
{
    int *bad = ctx;
    if (t->len && t->word_len && t->term[0] != t->word[0]) (*bad)++;
    return 0;
}

/* The filter's premise: English and Porter stems start as their words do,
 * for the exceptional forms and for 200,000 random words over letters
 * that reach every suffix rule; other languages are never filtered. */
static void test_stem_filter(void **state)
{
    (void)state;
    const char *langs[] = { "english", "porter" };
    for (size_t l = 0; l < 2; l++) {
        struct analyzer *a = analyzer_new(langs[l]);
        assert_non_null(a);
        const char *special = "skies skis dying lying tying idly gently ugly early only singly news "
                              "howe atlas cosmos bias andes yelling youth yes ying generalizations";
        int bad = 0;
        assert_int_equal(analyzer_run(a, special, strlen(special), 0, first_bytes_kept, &bad, NULL), 0);
        uint64_t x = 88172645463325252ull;
        char word[16];
        for (int i = 0; i < 200000; i++) {
            x ^= x << 13, x ^= x >> 7, x ^= x << 17;
            size_t n = 1 + x % 14;
            for (size_t k = 0; k < n; k++) word[k] = "aeiouybcdgilnstz"[(x >> (4 * k + 8)) & 15];
            assert_int_equal(analyzer_run(a, word, n, 0, first_bytes_kept, &bad, NULL), 0);
        }
        assert_int_equal(bad, 0);
        analyzer_free(a);
    }
    bool firsts[256] = { false };
    firsts['r'] = true;
    struct analyzer *a = analyzer_new("english");
    assert_int_equal(analyzer_set_stem_filter(a, firsts), 1);
    expect_terms(a, "running quickly rivers", "run|quickly|river");
    analyzer_set_stem_filter(a, NULL);
    expect_terms(a, "running quickly rivers", "run|quick|river");
    analyzer_free(a);
    /* a stemmer that strips prefixes is not filtered: every term stemmed */
    a = analyzer_new("indonesian");
    assert_non_null(a);
    assert_int_equal(analyzer_set_stem_filter(a, firsts), 0);
    char *t = terms_of(a, "menulis");   /* its prefix men- is stripped */
    assert_true(t[0] != 'm' && strlen(t) < 7);
    free(t);
    analyzer_free(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_special_tokens),
        cmocka_unit_test(test_unicode_folding),
        cmocka_unit_test(test_invalid_utf8),
        cmocka_unit_test(test_stemming),
        cmocka_unit_test(test_positions_and_offsets),
        cmocka_unit_test(test_long_token_cut),
        cmocka_unit_test(test_stem_filter),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
