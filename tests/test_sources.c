/* test_sources.c -- titles, binary detection, directory walking and JSON
 * Lines (plain and gzip). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zlib.h>

#include "bytes.h"
#include "hash.h"
#include "helpers.h"
#include "sources.h"

static void test_split_title(void **state)
{
    (void)state;
    size_t ts, tl, bs;
    const char *t = "\n\n# Title here  \r\nBody text\n";
    sources_split_title(t, strlen(t), &ts, &tl, &bs);
    assert_int_equal(tl, 10);
    assert_memory_equal(t + ts, "Title here", 10);
    assert_string_equal(t + bs, "Body text\n");
    t = "only a title";
    sources_split_title(t, strlen(t), &ts, &tl, &bs);
    assert_int_equal(tl, strlen(t));
    assert_int_equal(bs, strlen(t));
    t = "#\n##   \nreal";
    sources_split_title(t, strlen(t), &ts, &tl, &bs);
    assert_memory_equal(t + ts, "real", 4);
}

static void test_binary(void **state)
{
    (void)state;
    assert_false(sources_is_binary((const unsigned char *)"plain text\n", 11));
    assert_false(sources_is_binary((const unsigned char *)"caf\xc3\xa9", 5));
    assert_true(sources_is_binary((const unsigned char *)"a\0b", 3));
    unsigned char junk[1000];
    for (int i = 0; i < 1000; i++) junk[i] = (unsigned char)(0x80 + i % 50);
    assert_true(sources_is_binary(junk, sizeof junk));
    /* a text with a NUL byte is a text (the NUL separates words); mostly
     * NUL bytes, or UTF-16 (every other byte NUL), is not */
    const char *one_nul = "A title\nsome words\0more words and a sentence that goes on\n";
    assert_false(sources_is_binary((const unsigned char *)one_nul, 58));
    unsigned char zeros[4096] = { 0 };
    assert_true(sources_is_binary(zeros, sizeof zeros));
    unsigned char utf16[200];
    for (int i = 0; i < 200; i++) utf16[i] = i % 2 ? 0 : (unsigned char)('a' + i % 26);
    assert_true(sources_is_binary(utf16, sizeof utf16));
}

struct seen {
    char ids[16][64];
    char titles[16][64];
    int n, skipped;
};

static int on_doc(void *ctx, const struct source_doc *d)
{
    struct seen *s = ctx;
    snprintf(s->ids[s->n], 64, "%s", d->id);
    snprintf(s->titles[s->n], 64, "%s", d->title);
    s->n++;
    return 0;
}

static void on_skip(void *ctx, const char *what, const char *why)
{
    (void)what;
    (void)why;
    ((struct seen *)ctx)->skipped++;
}

static void put(const char *dir, const char *name, const char *data, size_t len)
{
    char p[4096];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    FILE *f = fopen(p, "wb");
    assert_non_null(f);
    fwrite(data, 1, len, f);
    fclose(f);
}

static void test_directory(void **state)
{
    (void)state;
    char *dir = tmpdir_make();
    char sub[4096];
    snprintf(sub, sizeof sub, "%s/sub", dir);
    mkdir(sub, 0755);
    put(dir, "b.txt", "Second\nbody", 11);
    put(dir, "a.md", "# First\n\nbody", 13);
    put(dir, "sub/c.txt", "Third\nx", 7);
    put(dir, "bin.txt", "x\0y", 3);
    put(dir, "empty.txt", "", 0);
    put(dir, "image.png", "PNG", 3);
    put(dir, ".hidden.txt", "Hidden\n", 7);
    struct seen s = { 0 };
    struct source_stats st = { 0 };
    assert_int_equal(sources_read(dir, on_doc, on_skip, &s, &st), 0);
    assert_int_equal(s.n, 3);
    assert_string_equal(s.ids[0], "a.md");
    assert_string_equal(s.titles[0], "First");
    assert_string_equal(s.ids[1], "b.txt");
    assert_string_equal(s.ids[2], "sub/c.txt");
    assert_int_equal(s.skipped, 3);   /* binary, empty, png */
    assert_int_equal(st.docs, 3);
    tmpdir_remove(dir);
}

static void test_jsonl(void **state)
{
    (void)state;
    char *dir = tmpdir_make();
    const char *lines = "{\"id\": \"x1\", \"title\": \"T\", \"text\": \"hello\"}\n"
                        "not json\n"
                        "{\"_id\": 42, \"text\": \"num id\"}\r\n"
                        "\n"
                        "{\"title\": \"no id\", \"text\": \"t\"}\n"
                        "{\"id\": \"x3\", \"text\": \"caf\\u00e9 last line without newline\"}";
    put(dir, "d.jsonl", lines, strlen(lines));
    char p[4096];
    snprintf(p, sizeof p, "%s/d.jsonl", dir);
    struct seen s = { 0 };
    struct source_stats st = { 0 };
    assert_int_equal(sources_read(p, on_doc, on_skip, &s, &st), 0);
    assert_int_equal(s.n, 3);
    assert_string_equal(s.ids[0], "x1");
    assert_string_equal(s.ids[1], "42");
    assert_string_equal(s.ids[2], "x3");
    assert_int_equal(s.skipped, 2);
    /* the same through gzip */
    snprintf(p, sizeof p, "%s/d.jsonl.gz", dir);
    gzFile g = gzopen(p, "wb");
    gzwrite(g, lines, (unsigned)strlen(lines));
    gzclose(g);
    struct seen z = { 0 };
    assert_int_equal(sources_read(p, on_doc, on_skip, &z, &st), 0);
    assert_int_equal(z.n, 3);
    assert_string_equal(z.ids[2], "x3");
    tmpdir_remove(dir);
}

struct texts {
    char text[8][128];
    unsigned long line[8];
    char why[8][160];
    int n, nskip;
};

static int keep_text(void *ctx, const struct source_doc *d)
{
    struct texts *t = ctx;
    snprintf(t->text[t->n], sizeof t->text[0], "%.*s", (int)d->text_len, d->text);
    t->line[t->n++] = d->line;
    return 0;
}

static void keep_why(void *ctx, const char *what, const char *why)
{
    struct texts *t = ctx;
    const char *colon = strrchr(what, '/');
    snprintf(t->why[t->nskip++], sizeof t->why[0], "%s %s", colon ? colon + 1 : what, why);
}

/* Every valid JSON object is read: \u0000 as a separator, surrogate pairs
 * joined, lone surrogates replaced; text after the object is refused with
 * the line number. */
static void test_jsonl_escapes(void **state)
{
    (void)state;
    char *dir = tmpdir_make();
    const char *lines = "{\"id\": \"a\", \"text\": \"x\\u0000y\"}\n"
                        "{\"id\": \"b\", \"text\": \"\\ud83d\\ude00\"}\n"
                        "{\"id\": \"c\", \"text\": \"p\\ud800q\\udc00r\"}\n"
                        "{\"id\": \"d\", \"text\": \"keep \\\\u0000 as typed\"}\n"
                        "{\"id\": \"e\", \"text\": \"t\"} junk\n"
                        "{\"id\": \"f\", \"text\": \"spaces after\"}  \t\n";
    put(dir, "e.jsonl", lines, strlen(lines));
    char p[4096];
    snprintf(p, sizeof p, "%s/e.jsonl", dir);
    struct texts t = { 0 };
    struct source_stats st = { 0 };
    assert_int_equal(sources_read(p, keep_text, keep_why, &t, &st), 0);
    assert_int_equal(t.n, 5);
    assert_string_equal(t.text[0], "x y");
    assert_string_equal(t.text[1], "\xf0\x9f\x98\x80");           /* U+1F600 */
    assert_string_equal(t.text[2], "p\xef\xbf\xbdq\xef\xbf\xbdr");  /* U+FFFD twice */
    assert_string_equal(t.text[3], "keep \\u0000 as typed");
    assert_string_equal(t.text[4], "spaces after");
    assert_int_equal(t.line[4], 6);
    assert_int_equal(t.nskip, 1);
    assert_string_equal(t.why[0], "e.jsonl:5 text after the JSON object");
    tmpdir_remove(dir);
}

static void test_html_and_markdown(void **state)
{
    (void)state;
    char *dir = tmpdir_make();
    const char *html = "<html><head><title> Cloud\n report </title><script>var secret = 1;</script>"
                       "<style>p { color: red }</style></head><body><p>Visible <b>text</b></p>"
                       "<noscript>hidden</noscript></body></html>";
    put(dir, "a.html", html, strlen(html));
    const char *nohead = "<p>no title here</p><h1>Heading one</h1>";
    put(dir, "b.htm", nohead, strlen(nohead));
    const char *md = "intro\n\n## Real title ##\ntext";
    put(dir, "c.md", md, strlen(md));
    struct seen s = { 0 };
    struct source_stats st = { 0 };
    assert_int_equal(sources_read(dir, on_doc, on_skip, &s, &st), 0);
    assert_int_equal(s.n, 3);
    assert_string_equal(s.titles[0], "Cloud report");
    assert_string_equal(s.titles[1], "Heading one");
    assert_string_equal(s.titles[2], "Real title");
    tmpdir_remove(dir);
}

static int text_has(void *ctx, const struct source_doc *d)
{
    int *flags = ctx;
    if (strstr(d->text, "Visible")) flags[0] = 1;
    if (strstr(d->text, "secret") || strstr(d->text, "color") || strstr(d->text, "hidden")) flags[1] = 1;
    return 0;
}

static void test_html_visible_text_only(void **state)
{
    (void)state;
    char *dir = tmpdir_make();
    const char *html = "<html><head><title>T</title><script>var secret = 1;</script>"
                       "<style>p { color: red }</style></head><body><p>Visible <b>text</b></p>"
                       "<noscript>hidden</noscript></body></html>";
    put(dir, "a.html", html, strlen(html));
    int flags[2] = { 0, 0 };
    struct source_stats st = { 0 };
    assert_int_equal(sources_read(dir, text_has, NULL, flags, &st), 0);
    assert_int_equal(flags[0], 1);
    assert_int_equal(flags[1], 0);
    tmpdir_remove(dir);
}

struct big_seen {
    int n, skipped, streamed;
    char why[64];
    uint64_t hash, text_len, read_len;
    char title[64];
    const char *expect;   /* the expected text of a streamed document */
};

static int on_big_doc(void *ctx, const struct source_doc *d)
{
    struct big_seen *s = ctx;
    s->n++;
    if (!d->read) return 0;
    s->streamed++;
    s->hash = d->hash;
    s->text_len = d->text_len;
    snprintf(s->title, sizeof s->title, "%s", d->title);
    char *buf = malloc(1 << 20);
    assert_non_null(buf);
    for (long long k; (k = d->read(d->read_ctx, buf, 1 << 20)) > 0; s->read_len += (uint64_t)k)
        assert_memory_equal(buf, s->expect + s->read_len, (size_t)k);
    free(buf);
    return 0;
}

static void on_big_skip(void *ctx, const char *what, const char *why)
{
    (void)what;
    struct big_seen *s = ctx;
    s->skipped++;
    snprintf(s->why, sizeof s->why, "%s", why);
}

static void test_large_inputs(void **state)
{
    (void)state;
    size_t ts, tl, bs;
    char *t = malloc(SOURCES_TITLE_MAX + 20);
    memset(t, 'x', SOURCES_TITLE_MAX + 1);
    strcpy(t + SOURCES_TITLE_MAX + 1, "\nbody");
    sources_split_title(t, strlen(t), &ts, &tl, &bs);
    assert_int_equal(tl, 0);   /* too long for a title: all of it is text */
    assert_int_equal(bs, 0);
    free(t);

    char *dir = tmpdir_make();
    /* a text file over SOURCES_STREAM_ABOVE comes as a stream */
    size_t n = SOURCES_STREAM_ABOVE + 12345;
    char *big = malloc(n);
    assert_non_null(big);
    memcpy(big, "Big title\n", 10);
    for (size_t i = 10; i < n; i++) big[i] = "cloud azure \n"[i % 13];
    put(dir, "big.txt", big, n);
    char p[4096];
    snprintf(p, sizeof p, "%s/big.txt", dir);
    struct big_seen s = { .expect = big + 10 };
    struct source_stats st = { 0 };
    assert_int_equal(sources_read(p, on_big_doc, on_big_skip, &s, &st), 0);
    assert_int_equal(s.streamed, 1);
    assert_string_equal(s.title, "Big title");
    assert_int_equal(s.text_len, n - 10);
    assert_int_equal(s.read_len, n - 10);
    assert_true(s.hash == hash64(big, n));   /* the same hash as a file read whole */
    free(big);

    /* a JSON line over SOURCES_PARSE_MAX is skipped, the lines around it are not */
    snprintf(p, sizeof p, "%s/long.jsonl", dir);
    FILE *f = fopen(p, "wb");
    assert_non_null(f);
    fputs("{\"id\": \"a\", \"text\": \"first\"}\n{\"id\": \"b\", \"text\": \"", f);
    for (size_t i = 0; i < SOURCES_PARSE_MAX; i += 8) fputs("padding ", f);
    fputs("\"}\n{\"id\": \"c\", \"text\": \"last\"}\n", f);
    fclose(f);
    struct big_seen j = { 0 };
    assert_int_equal(sources_read(p, on_big_doc, on_big_skip, &j, &st), 0);
    assert_int_equal(j.n, 2);
    assert_int_equal(j.skipped, 1);
    assert_string_equal(j.why, "JSON line over 16 MiB");
    tmpdir_remove(dir);
}

static void test_missing_path(void **state)
{
    (void)state;
    struct seen s = { 0 };
    struct source_stats st = { 0 };
    assert_int_equal(sources_read("/nonexistent/sift/path", on_doc, on_skip, &s, &st), -1);
    assert_int_equal(s.skipped, 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_split_title), cmocka_unit_test(test_binary),
        cmocka_unit_test(test_directory), cmocka_unit_test(test_jsonl),
        cmocka_unit_test(test_jsonl_escapes),
        cmocka_unit_test(test_large_inputs),
        cmocka_unit_test(test_missing_path), cmocka_unit_test(test_html_and_markdown),
        cmocka_unit_test(test_html_visible_text_only),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
