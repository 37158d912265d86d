/* test_term_trie.c -- the term trie (term_trie.h) gives back exactly the
 * terms written, in order, with their document counts and each child's
 * two counts (scan verifies them), for sets that stress its shape: terms
 * that are prefixes of others, labels that end inside a code point, the
 * longest terms, one term, none; and a corrupt trie, including one whose
 * offsets share a node, is refused or read within its bytes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "helpers.h"
#include "term_trie.h"

/* Pieces terms are made of: ASCII, 2-, 3- and 4-byte UTF-8. */
static const char *pieces[] = { "a", "b", "z", "0", "é", "ж", "日", "本", "\xF0\x9F\x99\x82" };
#define NPIECES (sizeof pieces / sizeof *pieces)

struct term {
    char s[TERM_MAX + 1];
    size_t len;
    uint32_t df;
};

static int by_bytes(const void *a, const void *b)
{
    const struct term *x = a, *y = b;
    int c = memcmp(x->s, y->s, x->len < y->len ? x->len : y->len);
    return c ? c : (x->len > y->len) - (x->len < y->len);
}

static uint64_t rng = 11;

/* n random distinct terms in byte order: short ones from few pieces, so
 * that many are prefixes of others, and a few as long as a term may be. */
static size_t make_terms(struct term *t, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        size_t want = xorshift64(&rng) % 16 == 0 ? TERM_MAX : 1 + xorshift64(&rng) % 6;
        t[i].len = 0;
        while (t[i].len < want) {
            const char *p = pieces[xorshift64(&rng) % NPIECES];
            size_t pl = strlen(p);
            if (t[i].len + pl > want) {
                if (want < TERM_MAX) break;
                p = "a";   /* fill the longest ones to exactly TERM_MAX bytes */
                pl = 1;
            }
            memcpy(t[i].s + t[i].len, p, pl);
            t[i].len += pl;
        }
        if (!t[i].len) t[i].s[t[i].len++] = 'q';
        t[i].df = 1 + (uint32_t)(xorshift64(&rng) % 100000);
    }
    qsort(t, n, sizeof *t, by_bytes);
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (!m || by_bytes(&t[m - 1], &t[i])) t[m++] = t[i];
    return m;
}

struct seen {
    const struct term *want;
    size_t n, at;
    bool wrong;
};

static int on_term(void *ctx, const char *term, size_t len, uint32_t df)
{
    struct seen *s = ctx;
    if (s->at >= s->n || s->want[s->at].len != len || memcmp(s->want[s->at].s, term, len) ||
        s->want[s->at].df != df)
        s->wrong = true;
    s->at++;
    return 0;
}

static void write_trie(struct trie_writer *w, const struct term *t, size_t n)
{
    memset(w, 0, sizeof *w);
    for (size_t i = 0; i < n; i++) assert_true(trie_writer_add(w, t[i].s, t[i].len, t[i].df));
    assert_true(trie_writer_finish(w));
}

static void check_round_trip(const struct term *t, size_t n)
{
    struct trie_writer w;
    write_trie(&w, t, n);
    struct term_trie trie;
    assert_true(trie_open_bytes(w.out.data, w.out.len, &trie));
    struct seen s = { t, n, 0, false };
    assert_true(trie_scan(&trie, on_term, &s));
    assert_false(s.wrong);
    assert_int_equal(s.at, n);
    trie_writer_free(&w);
}

static void test_round_trip(void **state)
{
    (void)state;
    static struct term t[4000];
    for (int round = 0; round < 20; round++) {
        size_t n = make_terms(t, round < 5 ? (size_t)round : 1 + xorshift64(&rng) % 4000);
        check_round_trip(t, n);
    }
    /* every one-byte term, then a chain where each term extends the one before */
    size_t n = 0;
    for (int b = 1; b < 256; b++, n++) {
        t[n].s[0] = (char)b;
        t[n].len = 1;
        t[n].df = (uint32_t)b;
    }
    check_round_trip(t, n);
    for (n = 0; n < TERM_MAX; n++) {
        memset(t[n].s, 'x', n + 1);
        t[n].len = n + 1;
        t[n].df = 7;
    }
    check_round_trip(t, n);
}

/* A trie whose bytes were changed is read without going outside them:
 * scan either refuses it or lists some terms (ASan checks the reads). */
static void test_corrupt(void **state)
{
    (void)state;
    static struct term t[600];
    size_t n = make_terms(t, 600);
    struct trie_writer w;
    write_trie(&w, t, n);
    uint8_t *copy = malloc(w.out.len);
    size_t refused = 0;
    for (int i = 0; i < 3000; i++) {
        memcpy(copy, w.out.data, w.out.len);
        for (int k = 0; k < 1 + i % 4; k++) copy[xorshift64(&rng) % w.out.len] ^= (uint8_t)(1 + xorshift64(&rng) % 255);
        size_t len = i % 5 == 0 ? xorshift64(&rng) % w.out.len : w.out.len;   /* or cut short */
        uint8_t *exact = malloc(len ? len : 1);
        memcpy(exact, copy, len);
        struct term_trie trie;
        struct seen s = { t, n, 0, false };
        if (!trie_open_bytes(exact, len, &trie) || !trie_scan(&trie, on_term, &s)) refused++;
        free(exact);
    }
    assert_true(refused > 1000);
    free(copy);
    trie_writer_free(&w);
}

/* A root whose two children point at one node: every child offset is
 * below its parent's, so nothing loops, but a walk would see the shared
 * node's terms twice (and a deep chain of such nodes, 2^depth times): scan
 * refuses it. */
static void test_shared_node(void **state)
{
    (void)state;
    uint8_t b[64];
    size_t k = 0;
    b[k++] = 0;                 /* node at 0: no rest, a term ends here, no children */
    b[k++] = 1;
    b[k++] = 5;                 /* df 5 */
    size_t root = k;
    b[k++] = 0;                 /* root: no rest, */
    b[k++] = 2 << 1;            /* two children, no term */
    b[k++] = 1;                 /* offsets of 1 byte */
    b[k++] = 'a';
    b[k++] = 'b';               /* first bytes */
    b[k++] = 1;
    b[k++] = 1;                 /* longest */
    b[k++] = 1;
    b[k++] = 1;                 /* ASCII */
    b[k++] = 0;
    b[k++] = 0;                 /* both at node 0 */
    for (int i = 0; i < 8; i++) b[k++] = (uint8_t)(i ? 0 : root);
    struct term_trie trie;
    /* a root claiming more children than its bytes hold */
    uint8_t short_root[] = { 0, 0x90, 0x03, 1, 'a', 'b', 0, 0, 0, 0, 0, 0, 0, 0 };   /* head 400: 200 children */
    assert_true(trie_open_bytes(short_root, sizeof short_root, &trie));
    assert_false(trie_scan(&trie, on_term, &(struct seen){ NULL, 0, 0, false }));
    assert_true(trie_open_bytes(b, k, &trie));
    struct term want[2] = { { "a", 1, 5 }, { "b", 1, 5 } };
    struct seen s = { want, 2, 0, false };
    assert_true(trie_scan(&trie, on_term, &s));   /* two distinct terms: a tree read twice is still a tree */
    assert_false(s.wrong);
    /* a chain of 40 levels, each node's two children the node below:
     * 2^40 paths unless the walk's budget stops it */
    k = 0;
    size_t below = k;
    b[k++] = 0;
    b[k++] = 1;
    b[k++] = 1;
    uint8_t *big = malloc(4096);
    memcpy(big, b, k);
    for (int level = 0; level < 40; level++) {
        size_t at = k;
        big[k++] = 0;
        big[k++] = 2 << 1;
        big[k++] = 2;           /* 2-byte offsets */
        big[k++] = 'a';
        big[k++] = 'b';
        big[k++] = 40;
        big[k++] = 40;
        big[k++] = 40;
        big[k++] = 40;
        for (int c = 0; c < 2; c++) {
            big[k++] = (uint8_t)below;
            big[k++] = (uint8_t)(below >> 8);
        }
        below = at;
    }
    for (int i = 0; i < 8; i++) big[k++] = (uint8_t)(below >> (8 * i));
    assert_true(trie_open_bytes(big, k, &trie));
    struct seen any = { NULL, 0, 0, false };
    assert_false(trie_scan(&trie, on_term, &any));
    free(big);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_corrupt),
        cmocka_unit_test(test_shared_node),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
