/* test_values.c -- the value parsers of typed fields (common/values.h) and
 * the front matter reader (indexer/front_matter.h). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "front_matter.h"
#include "helpers.h"
#include "values.h"

static int64_t start_of(const char *s)
{
    int64_t a = 0, b = 0;
    assert_true(value_parse_date(s, strlen(s), &a, &b));
    return a;
}

static int64_t end_of(const char *s)
{
    int64_t a = 0, b = 0;
    assert_true(value_parse_date(s, strlen(s), &a, &b));
    return b;
}

static void test_dates(void **state)
{
    (void)state;
    assert_int_equal(start_of("1970"), 0);
    assert_int_equal(end_of("1970"), 365 * 86400 - 1);
    assert_int_equal(start_of("2021-05-24"), 1621814400);
    assert_int_equal(end_of("2021-05-24"), 1621814400 + 86399);
    assert_int_equal(start_of("2024-02"), 1706745600);
    assert_int_equal(end_of("2024-02"), 1706745600 + 29 * 86400 - 1);   /* a leap year */
    assert_int_equal(end_of("2023-02"), 1675209600 + 28 * 86400 - 1);
    assert_int_equal(start_of("2021-05-24T10:30:00Z"), 1621814400 + 37800);
    assert_int_equal(end_of("2021-05-24T10:30:00Z"), 1621814400 + 37800);   /* one second */
    assert_int_equal(end_of("2021-05-24T10:30"), 1621814400 + 37800 + 59);  /* one minute */
    assert_int_equal(start_of("2021-05-24T12:30:00+02:00"), 1621814400 + 37800);
    assert_int_equal(start_of("2021-05-24 05:30:00-0500"), 1621814400 + 37800);
    assert_int_equal(start_of("2021-05-24T10:30:00.250Z"), 1621814400 + 37800);
    assert_int_equal(start_of("  2021-05-24 "), 1621814400);
    assert_true(start_of("1900-03-01") < 0);
    assert_int_equal(start_of("0001-01-01"), -62135596800LL);
    const char *bad[] = { "", "21", "2021-13", "2021-00", "2021-02-30", "2021-5-24", "2021/05/24",
                          "2021-05-24T25:00", "2021-05-24T10", "2021-05-24T10:30:00+25:00", "0000",
                          "May 24, 2021", "2021-05-24x", "20210524" };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        assert_false(value_parse_date(bad[i], strlen(bad[i]), NULL, NULL));
    char out[40];
    value_format_date(1621814400, out, sizeof out);
    assert_string_equal(out, "2021-05-24");
    value_format_date(1621814400 + 37800, out, sizeof out);
    assert_string_equal(out, "2021-05-24T10:30:00Z");
    value_format_date(-86400, out, sizeof out);
    assert_string_equal(out, "1969-12-31");
}

static void test_numbers_and_keys(void **state)
{
    (void)state;
    double d;
    assert_true(value_parse_number("12", 2, &d) && d == 12);
    assert_true(value_parse_number("-3.25", 5, &d) && d == -3.25);
    assert_true(value_parse_number("+1e3", 4, &d) && d == 1000);
    assert_true(value_parse_number(".5", 2, &d) && d == 0.5);
    assert_true(value_parse_number("-0", 2, &d) && d == 0 && !signbit(d));
    const char *bad[] = { "", "-", "1.2.3", "1e", "abc", "12abc", "1e999", "nan", "inf", "0x10" };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        assert_false(value_parse_number(bad[i], strlen(bad[i]), &d));
    /* keys keep the order of the values */
    double vals[] = { -1e300, -5, -0.5, 0, 1e-300, 0.5, 3, 1e300 };
    for (size_t i = 1; i < sizeof vals / sizeof *vals; i++) {
        assert_true(value_key_double(vals[i - 1]) < value_key_double(vals[i]));
        assert_true(value_double_of(value_key_double(vals[i])) == vals[i]);
    }
    assert_true(value_key_int(-1) < value_key_int(0) && value_key_int(0) < value_key_int(1));
    assert_int_equal(value_int_of(value_key_int(-12345)), -12345);
}

static void test_keywords(void **state)
{
    (void)state;
    const char *in[][2] = { { "Reuters", "reuters" }, { "  New   York\tTimes ", "new york times" },
                            { "STRASSE", "strasse" }, { "Café", "café" }, { "   ", "" } };
    for (size_t i = 0; i < sizeof in / sizeof *in; i++) {
        char *f = value_fold_keyword(in[i][0], strlen(in[i][0]));
        assert_string_equal(f, in[i][1]);
        free(f);
    }
    char big[400];
    memset(big, 'a', sizeof big);
    char *f = value_fold_keyword(big, sizeof big);
    assert_int_equal(strlen(f), KEYWORD_MAX);
    free(f);
}

static void test_front_matter(void **state)
{
    (void)state;
    const char *doc = "---\ntitle: \"A title\"\ndate: 2021-05-24\nTags: [cloud, \"alibaba, cloud\", x]\n"
                      "authors:\n  - Jane Doe\n  - 'John Roe'\nnested:\n  key: skipped\n"
                      "bad key!: no\nempty:\n---\n# Heading\nbody";
    struct strlist p = { 0 };
    size_t body = front_matter_parse(doc, strlen(doc), &p);
    assert_string_equal(doc + body, "# Heading\nbody");
    assert_string_equal(front_matter_get(&p, "title"), "A title");
    assert_string_equal(front_matter_get(&p, "date"), "2021-05-24");
    const char *want[] = { "title", "A title", "date", "2021-05-24", "tags", "cloud", "tags",
                           "alibaba, cloud", "tags", "x", "authors", "Jane Doe", "authors", "John Roe" };
    uint32_t k = 0;
    for (const char *s = strlist_first(&p); s; s = strlist_next(&p, s), k++) assert_string_equal(s, want[k]);
    assert_int_equal(k, 14);
    strlist_free(&p);
    /* not front matter: no closing line, or not at the start */
    assert_int_equal(front_matter_parse("---\ndate: 2021\nno end", 22, &p), 0);
    assert_int_equal(p.n, 0);
    assert_int_equal(front_matter_parse("text\n---\ndate: 1\n---\n", 21, &p), 0);
    assert_int_equal(front_matter_parse("---x\n---\n", 9, &p), 0);
    strlist_free(&p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dates),
        cmocka_unit_test(test_numbers_and_keys),
        cmocka_unit_test(test_keywords),
        cmocka_unit_test(test_front_matter),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
