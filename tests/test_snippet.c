/* test_snippet.c -- passage choice, highlighting and sanitizing. */
#include <stdlib.h>
#include <string.h>

#include "analyzer.h"
#include "helpers.h"
#include "query.h"
#include "snippet.h"

static char *snip(const char *text, const char **terms, size_t n, size_t width)
{
    struct highlight_term q[8];
    for (size_t i = 0; i < n; i++)
        q[i] = (struct highlight_term){ (char *)terms[i], strlen(terms[i]), false };
    struct analyzer *an = analyzer_new("english");
    sift_snippet_options o = { sizeof(sift_snippet_options), width, "[", "]" };
    char *out;
    sift_errmsg err;
    assert_int_equal(snippet_make(an, text, strlen(text), q, n, &o, &out, &err), SIFT_OK);
    analyzer_free(an);
    return out;
}

static void test_best_window(void **state)
{
    (void)state;
    /* the English stems of "Azure" and "ByteDance" */
    const char *terms[] = { "azur", "byted" };
    char *s = snip("one two three four five six Azure seven eight nine ten eleven twelve "
                   "thirteen ByteDance's Azure bill fourteen fifteen sixteen",
                   terms, 2, 6);
    /* both terms inside a six-word window, centred on them */
    assert_string_equal(s, "... eleven twelve thirteen [ByteDance's] [Azure] bill ...");
    free(s);
}

static void test_short_text_and_no_match(void **state)
{
    (void)state;
    const char *terms[] = { "cloud" };
    char *s = snip("A cloud.", terms, 1, 32);
    assert_string_equal(s, "A [cloud].");
    free(s);
    s = snip("nothing here at all", terms, 1, 2);
    assert_string_equal(s, "nothing here ...");
    free(s);
    s = snip("", terms, 1, 2);
    assert_string_equal(s, "");
    free(s);
}

static void test_sanitized(void **state)
{
    (void)state;
    const char *terms[] = { "cloud" };
    char *s = snip("evil\x1b[31m  cloud\n\n\ttext \xff end", terms, 1, 32);
    assert_string_equal(s, "evil [31m [cloud] text \xef\xbf\xbd end");
    free(s);
    char *t = text_sanitize("a\x07" "b\r\nc", 6);
    assert_string_equal(t, "a b c");
    free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_best_window),
        cmocka_unit_test(test_short_text_and_no_match),
        cmocka_unit_test(test_sanitized),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
