/* test_query_parse.c -- the shape of parsed queries, error messages with
 * columns, and pathological queries that must fail cleanly or finish. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bytes.h"
#include "helpers.h"
#include "query.h"

static char *dir;
static sift_index *idx;

static int setup(void **state)
{
    (void)state;
    dir = tmpdir_make();
    const struct test_doc docs[] = {
        { "1", "Cloud growth slows", "Alibaba cloud growth slowed after ByteDance left." },
        { "2", "Azure deal", "ByteDance spends $1B on Microsoft Azure and GPT-4o models." },
        { "3", "", "micro microchip microsoft micron microwave" },
    };
    build_index(dir, docs, 3);
    sift_errmsg err;
    assert_int_equal(sift_index_open(dir, &idx, &err), SIFT_OK);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    sift_index_close(idx);
    tmpdir_remove(dir);
    return 0;
}

/* A compact rendering of a tree: T(term) P(a b~slop) N/k(a b) O/k(..)
 * B(+x ?y -z), fields as t: / x: */
static void render(const struct qnode *n, struct buf *b)
{
    char tmp[64];
    if (n->field == FIELD_TITLE) buf_append(b, "t:", 2);
    if (n->field == FIELD_TEXT) buf_append(b, "x:", 2);
    if (n->kind == QK_BOOL) {
        buf_append(b, "B(", 2);
        for (size_t i = 0; i < n->nkids; i++) {
            if (i) buf_append(b, " ", 1);
            buf_append(b, n->occurs[i] == OCCUR_MUST ? "+" : n->occurs[i] == OCCUR_NOT ? "-" : "?", 1);
            render(n->kids[i], b);
        }
        buf_append(b, ")", 1);
        return;
    }
    if (n->kind == QK_ALL) {
        buf_append(b, "*", 1);
        return;
    }
    const char *k = n->kind == QK_TERM ? "T(" : n->kind == QK_PHRASE ? "P(" : n->ordered ? "O(" : "N(";
    buf_append(b, k, 2);
    for (size_t i = 0; i < n->nterms; i++) {
        if (i) buf_append(b, " ", 1);
        buf_append(b, n->terms[i].term, n->terms[i].len);
    }
    if (n->kind == QK_PHRASE || n->kind == QK_NEAR) {
        int l = snprintf(tmp, sizeof tmp, "~%u", n->dist);
        buf_append(b, tmp, (size_t)l);
    }
    buf_append(b, ")", 1);
}

static void shape(const char *query, unsigned flags, const char *want)
{
    sift_errmsg err;
    sift_query *q;
    sift_err rc = sift_query_parse_flags(idx, query, flags, &q, &err);
    if (rc) fail_msg("%s: %s", query, err.msg);
    struct buf b = { 0 };
    render(q->root, &b);
    buf_append(&b, "", 1);
    if (strcmp((char *)b.data, want)) fail_msg("%s\n  got  %s\n  want %s", query, (char *)b.data, want);
    buf_free(&b);
    sift_query_free(q);
}

static void test_shapes(void **state)
{
    (void)state;
    shape("cloud", 0, "T(cloud)");
    shape("cloud outage", 0, "B(?T(cloud) ?T(outag))");
    shape("cloud outage", SIFT_QUERY_ALL, "B(+T(cloud) +T(outag))");
    shape("+cloud -alibaba growth", 0, "B(+T(cloud) -T(alibaba) ?T(growth))");
    shape("a AND b OR c", 0, "B(?B(+T(a) +T(b)) ?T(c))");
    shape("x OR b AND c", 0, "B(?T(x) ?B(+T(b) +T(c)))");
    shape("(x OR b) AND NOT c", 0, "B(+B(?T(x) ?T(b)) -T(c))");
    shape("(a OR b) AND NOT c", 0, "B(+T(b) -T(c))");   /* a: stopword */
    shape("\"export restrictions\"", 0, "P(export restrict~0)");
    shape("\"cloud spin-off\"~2", 0, "P(cloud spin off~2)");
    shape("NEAR/5(bytedance azure)", 0, "N(byted azur~5)");
    shape("ONEAR/0(a b c)", 0, "O(a b c~0)");
    shape("title:azure", 0, "t:T(azur)");
    shape("title:\"cloud growth\" text:(a b)", 0, "B(?t:P(cloud growth~0) ?x:T(b))");
    shape("GPT-4o", 0, "P(gpt 4o~0)");
    shape("\"Azure\"", 0, "T(azur)");
    shape("micro*", 0, "B(?T(micro) ?T(microchip) ?T(micron) ?T(microsoft) ?T(microwav))");
    shape("title:micro*", 0, "t:B(?t:T(micro) ?t:T(microchip) ?t:T(micron) ?t:T(microsoft) ?t:T(microwav))");
    shape("zzz*", 0, "B()");
    shape("cloud~0", 0, "B(?T(cloud))");      /* fuzzy: the terms within the distance */
    shape("zzzqqq~2", 0, "B()");
    shape("*", 0, "B(+*)");
    shape("*:*", 0, "B(+*)");
    shape("* -cloud", 0, "B(+* -T(cloud))");
    shape("cloud *", 0, "B(+T(cloud) +*)");   /* '*' filters, so the word is required */
    shape("cloud (outage", SIFT_QUERY_LITERAL, "B(?T(cloud) ?T(outag))");
    shape("the cloud", SIFT_QUERY_LITERAL, "B(?T(cloud))");
    shape("cloud spin-off", SIFT_QUERY_LITERAL, "B(?T(cloud) ?P(spin off~0))");   /* the word rule holds */
    shape("\"the\" (cloud", SIFT_QUERY_LITERAL, "B(?T(cloud))");   /* no syntax: a quoted "the" is a word */
    shape("text:(title:cloud)", 0, "t:T(cloud)");                  /* nested fields: the inner one */
    shape("cloud", SIFT_QUERY_LITERAL | SIFT_QUERY_ALL, "B(+T(cloud))");
    shape("x - y", 0, "B(?T(x) ?T(y))");
    shape("near the sea", 0, "B(?T(near) ?T(sea))");
    shape("the of", 0, "B(?T(the) ?T(of))");            /* only stopwords: kept */
    shape("the cloud", SIFT_QUERY_KEEP_STOPWORDS, "B(?T(the) ?T(cloud))");
    shape("+the cloud", 0, "B(+T(the) ?T(cloud))");    /* required: kept */
    shape("\"the cloud\"", 0, "P(the cloud~0)");          /* in phrases: kept */
    /* the stopword rule is on what was typed: a bare word, case aside */
    shape("The cloud", 0, "T(cloud)");
    shape("the, cloud", 0, "T(cloud)");
    shape("\"the\" cloud", 0, "B(?T(the) ?T(cloud))");      /* quoted: kept */
    shape("(the) cloud", 0, "B(?T(the) ?T(cloud))");        /* bracketed: kept */
    shape("text:the cloud", 0, "B(?x:T(the) ?T(cloud))");  /* in a field: kept */
    shape("th\xc3\xa9 cloud", 0, "B(?T(the) ?T(cloud))");  /* "thé" folds to the, but was not typed so */
    /* Snowball's list by default, Lucene's 33 words with the flag */
    shape("what is cloud", 0, "T(cloud)");
    shape("what is cloud", SIFT_QUERY_LUCENE_STOPWORDS, "B(?T(what) ?T(cloud))");
    shape("which of them cloud", SIFT_QUERY_LUCENE_STOPWORDS, "B(?T(which) ?T(them) ?T(cloud))");
}

static void error_at(const char *query, const char *why, size_t column)
{
    sift_errmsg err;
    sift_query *q = NULL;
    sift_err rc = sift_query_parse_flags(idx, query, SIFT_QUERY_STRICT, &q, &err);
    if (rc != SIFT_ERR_QUERY) fail_msg("%s: expected a query error, got %d", query, rc);
    assert_null(q);
    if (!strstr(err.msg, why)) fail_msg("%s: message '%s' lacks '%s'", query, err.msg, why);
    char col[32];
    snprintf(col, sizeof col, "column %zu:", column);
    if (!strstr(err.msg, col)) fail_msg("%s: message '%s' lacks '%s'", query, err.msg, col);
    /* the caret line points at the column */
    const char *caret = strrchr(err.msg, '\n');
    assert_non_null(caret);
    assert_int_equal(strchr(caret, '^') - caret - 3, (long)column - 1);
}

static void test_errors(void **state)
{
    (void)state;
    error_at("cloud (outage", "unbalanced '('", 7);
    error_at("cloud outage)", "unbalanced ')'", 13);
    error_at("a \"b c", "unbalanced quote", 3);
    error_at("a AND", "AND needs something on its right", 3);
    error_at("OR b", "OR needs something on its left", 1);
    error_at("a OR OR b", "OR needs something on its right", 3);
    error_at("NOT", "NOT needs something", 1);
    error_at("-a", "only exclusions", 1);
    error_at("a (-b)", "only exclusions", 4);
    error_at("author:x", "unknown field 'author'", 1);
    error_at("title:", "needs a word", 1);
    error_at("\"\"", "empty phrase", 1);
    error_at("\" ... \"", "empty phrase", 1);
    error_at("NEAR(a b)", "NEAR needs a distance", 1);
    error_at("x NEAR/(a b)", "NEAR needs a number", 8);
    error_at("NEAR/3 (a b)", "must be followed by '('", 7);
    error_at("NEAR/3(a)", "at least two words", 1);
    error_at("NEAR/3(a (b))", "plain words", 10);
    error_at("\"a b\"~", "needs a number", 7);
    error_at("\"a b\"~99999", "larger than", 7);
    error_at("a~3", "0, 1 or 2", 2);
    error_at("a~x", "ends with '~' and a distance", 3);
    error_at("*~1", "applies to a word", 2);
    error_at("**", "needs letters or digits", 1);
    error_at("title:*", "FIELD:* is not supported", 7);
    error_at("-*", "only exclusions", 1);
    error_at("++a", "two operators", 2);
    error_at("()", "empty parentheses", 1);
    sift_errmsg err;
    sift_query *q;
    assert_int_equal(sift_query_parse(idx, "...", &q, &err), SIFT_ERR_QUERY);
    assert_non_null(strstr(err.msg, "no searchable words"));
}

/* Read leniently (the default): the tree of the repaired query, and a
 * warning that shows it with the exact reading's first error. */
static void lenient(const char *query, const char *want, const char *warned)
{
    shape(query, 0, want);
    sift_errmsg err;
    sift_query *q;
    assert_int_equal(sift_query_parse(idx, query, &q, &err), SIFT_OK);
    const char *w = sift_query_warning(q);
    if (!w || !strstr(w, warned)) fail_msg("%s: warning '%s' lacks '%s'", query, w ? w : "(none)", warned);
    assert_null(strchr(w, '\n'));   /* one line */
    sift_query_free(q);
}

static void test_lenient(void **state)
{
    (void)state;
    lenient("cloud (outage", "B(?T(cloud) ?T(outag))", "query read as: cloud outage (column 7: unbalanced '('");
    lenient("cloud outage)", "B(?T(cloud) ?T(outag))", "column 13: unbalanced ')'");
    lenient("a \"cloud outage", "B(?T(cloud) ?T(outag))", "unbalanced quote");
    lenient("Examples: cloud outage", "B(?T(exampl) ?T(cloud) ?T(outag))", "read as: Examples cloud outage");
    lenient("author:smith cloud", "B(?T(author) ?T(smith) ?T(cloud))", "unknown field 'author'");   /* 'author' is no field here */
    lenient("cloud AND", "T(cloud)", "AND needs something on its right");
    lenient("OR cloud", "T(cloud)", "OR needs something on its left");
    lenient("cloud AND OR outage", "B(?T(cloud) ?T(outag))", "read as: cloud OR outage");
    lenient("cloud NOT", "T(cloud)", "NOT needs something");
    lenient("++cloud", "T(cloud)", "two operators");
    lenient("-cloud", "B(+* -T(cloud))", "read as: * -cloud");
    lenient("a (-cloud) outage", "B(?T(cloud) ?T(outag))", "only exclusions");
    lenient("NEAR(cloud outage)", "B(?T(cloud) ?T(outag))", "NEAR needs a distance");
    lenient("((((cloud", "T(cloud)", "4 changes in all");
    lenient("cloud~9", "B(?T(cloud) ?T(9))", "distance is 0, 1 or 2");
    lenient("**", "B(+*)", "needs letters or digits");
    /* what is not malformed gets no warning; what has nothing to search stays an error */
    sift_errmsg err;
    sift_query *q;
    const char *fine[] = { "cloud outage", "cloud + outage", "cloud - outage" };   /* a bare + or - is punctuation */
    for (size_t i = 0; i < sizeof fine / sizeof *fine; i++) {
        assert_int_equal(sift_query_parse(idx, fine[i], &q, &err), SIFT_OK);
        assert_null(sift_query_warning(q));
        sift_query_free(q);
    }
    assert_int_equal(sift_query_parse(idx, "()", &q, &err), SIFT_ERR_QUERY);
    assert_null(q);
    assert_int_equal(sift_query_parse(idx, "+", &q, &err), SIFT_ERR_QUERY);
    assert_non_null(strstr(err.msg, "no searchable words"));
}

static void test_pathological(void **state)
{
    (void)state;
    sift_errmsg err;
    sift_query *q;
    /* 10,000 terms: more than the limit, a clean error */
    struct buf b = { 0 };
    for (int i = 0; i < 10000; i++) buf_append(&b, "cloud ", 6);
    buf_append(&b, "", 1);
    assert_int_equal(sift_query_parse(idx, (char *)b.data, &q, &err), SIFT_ERR_QUERY);
    assert_non_null(strstr(err.msg, "too many terms"));
    buf_free(&b);
    /* 10,000 nested parentheses: an error, not a stack overflow */
    for (int i = 0; i < 10000; i++) buf_append(&b, "(", 1);
    buf_append(&b, "a", 1);
    for (int i = 0; i < 10000; i++) buf_append(&b, ")", 1);
    buf_append(&b, "", 1);
    assert_int_equal(sift_query_parse_flags(idx, (char *)b.data, SIFT_QUERY_STRICT, &q, &err), SIFT_ERR_QUERY);
    assert_non_null(strstr(err.msg, "nested deeper"));
    assert_int_equal(sift_query_parse(idx, (char *)b.data, &q, &err), SIFT_OK);   /* leniently: the word */
    assert_non_null(strstr(sift_query_warning(q), "read as plain words"));
    sift_query_free(q);
    buf_free(&b);
    /* 60 nested parentheses are fine */
    for (int i = 0; i < 60; i++) buf_append(&b, "(", 1);
    buf_append(&b, "azure", 5);
    for (int i = 0; i < 60; i++) buf_append(&b, ")", 1);
    buf_append(&b, "", 1);
    assert_int_equal(sift_query_parse(idx, (char *)b.data, &q, &err), SIFT_OK);
    uint64_t n;
    assert_int_equal(sift_count(idx, q, &n, &err), SIFT_OK);
    assert_int_equal(n, 1);
    sift_query_free(q);
    buf_free(&b);
    /* a long phrase of one repeated word with a large slop */
    assert_int_equal(sift_query_parse(idx, "\"micro micro micro micro micro micro micro micro\"~1000",
                                      &q, &err), SIFT_OK);
    assert_int_equal(sift_count(idx, q, &n, &err), SIFT_OK);
    assert_int_equal(n, 0);
    sift_query_free(q);
    /* control characters and invalid UTF-8 are separators */
    assert_int_equal(sift_query_parse(idx, "azure\x01\x1b[31m\xff\xfe", &q, &err), SIFT_OK);
    sift_query_free(q);
}

static void test_prefix_cap(void **state)
{
    (void)state;
    /* an index with 2,000 terms starting with "w" */
    char *d2 = tmpdir_make();
    struct buf b = { 0 };
    for (int i = 0; i < 2000; i++) {
        char w[16];
        int l = snprintf(w, sizeof w, "w%dq ", i);
        buf_append(&b, w, (size_t)l);
    }
    buf_append(&b, "", 1);
    const struct test_doc docs[] = { { "1", "", (char *)b.data } };
    build_index(d2, docs, 1);
    sift_errmsg err;
    sift_index *i2;
    assert_int_equal(sift_index_open(d2, &i2, &err), SIFT_OK);
    sift_query *q;
    assert_int_equal(sift_query_parse(i2, "w*", &q, &err), SIFT_OK);
    if (!sift_query_warning(q)) fail_msg("no warning; %zu terms", q->root->nkids);
    assert_non_null(strstr(sift_query_warning(q), "more than 1024"));
    assert_int_equal(q->root->nkids, QUERY_MAX_EXPANSION);
    sift_query_free(q);
    assert_int_equal(sift_query_parse(i2, "w19*", &q, &err), SIFT_OK);   /* 111 terms */
    assert_null(sift_query_warning(q));
    sift_query_free(q);
    sift_index_close(i2);
    buf_free(&b);
    tmpdir_remove(d2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_shapes), cmocka_unit_test(test_errors), cmocka_unit_test(test_lenient),
        cmocka_unit_test(test_pathological), cmocka_unit_test(test_prefix_cap),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
