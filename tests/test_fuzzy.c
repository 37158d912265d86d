/* test_fuzzy.c -- fuzzy terms (word~N): the bounded dictionary walk finds
 * exactly the terms a brute force over every term of the index finds, on
 * a dense dictionary of short words over a small alphabet (with accented
 * letters, so distances are in code points) in several segments; and
 * word~N queries bind, blend and count as documented. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "dict.h"
#include "edit_automaton.h"
#include "fuzzy.h"
#include "helpers.h"
#include "index.h"
#include "lev_dfa.h"
#include "query.h"

static uint64_t seed = 7;
static unsigned rnd(unsigned n)
{
    seed = seed * 6364136223846793005ull + 1442695040888963407ull;
    return (unsigned)(seed >> 33) % n;
}

/* Letters of the words: digits keep the stemmer away, é and ß are two
 * bytes, 日 three (so the trie's labels end inside code points). */
static const char *letters[] = { "1", "2", "3", "4", "é", "ß", "日" };

static void random_word(char *out, size_t cap)
{
    size_t n = 1 + rnd(6);
    out[0] = 0;
    for (size_t i = 0; i < n && strlen(out) + 4 < cap; i++) strcat(out, letters[rnd(7)]);
}

/* The brute force: optimal string alignment over code points, plainly. */
static size_t cps(const char *s, uint32_t *out)
{
    size_t n = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p;) {
        unsigned len = *p < 0x80 ? 1 : *p >= 0xE0 ? 3 : 2;   /* the test's letters have no 4-byte ones */
        uint32_t c = len == 1 ? *p : len == 2 ? (uint32_t)(*p & 0x1F) : (uint32_t)(*p & 0x0F);
        for (unsigned i = 1; i < len; i++) c = c << 6 | (p[i] & 0x3F);
        out[n++] = c;
        p += len;
    }
    return n;
}

static unsigned osa(const char *a, const char *b)
{
    uint32_t x[128], y[128];
    size_t n = cps(a, x), m = cps(b, y);
    unsigned d[130][130];
    for (size_t i = 0; i <= n; i++) d[i][0] = (unsigned)i;
    for (size_t j = 0; j <= m; j++) d[0][j] = (unsigned)j;
    for (size_t i = 1; i <= n; i++)
        for (size_t j = 1; j <= m; j++) {
            unsigned v = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < v) v = d[i][j - 1] + 1;
            if (d[i - 1][j - 1] + (x[i - 1] != y[j - 1]) < v) v = d[i - 1][j - 1] + (x[i - 1] != y[j - 1]);
            if (i > 1 && j > 1 && x[i - 1] == y[j - 2] && x[i - 2] == y[j - 1] && d[i - 2][j - 2] + 1 < v)
                v = d[i - 2][j - 2] + 1;
            d[i][j] = v;
        }
    return d[n][m];
}

struct all_terms {
    char (*t)[128];
    size_t n, cap;
};

static int collect(void *ctx, const char *term, size_t len, const struct term_info *ti)
{
    (void)ti;
    struct all_terms *a = ctx;
    if ((unsigned char)term[0] < 0x20 || len >= 128) return 0;   /* the typed fields' spaces */
    for (size_t i = 0; i < a->n; i++)
        if (strlen(a->t[i]) == len && !memcmp(a->t[i], term, len)) return 0;
    if (a->n == a->cap) {
        a->cap = a->cap ? 2 * a->cap : 256;
        a->t = realloc(a->t, a->cap * sizeof *a->t);
        assert_non_null(a->t);
    }
    memcpy(a->t[a->n], term, len);
    a->t[a->n++][len] = 0;
    return 0;
}

static void test_walk_against_brute_force(void **state)
{
    (void)state;
    char *dir = tmpdir_make();
    sift_writer *w;
    sift_errmsg err;
    assert_int_equal(sift_writer_open(dir, NULL, &w, &err), SIFT_OK);
    for (int d = 0; d < 600; d++) {   /* three commits: three segments sharing terms */
        char text[400] = "", word[32], id[16];
        for (int k = 0; k < 6; k++) {
            random_word(word, sizeof word);
            strcat(text, word);
            strcat(text, " ");
        }
        snprintf(id, sizeof id, "d%d", d);
        assert_int_equal(sift_writer_add(w, id, "", text, strlen(text), &err), SIFT_OK);
        if (d % 200 == 199) assert_int_equal(sift_writer_commit(w, &err), SIFT_OK);
    }
    sift_writer_close(w);
    sift_index *idx;
    assert_int_equal(sift_index_open(dir, &idx, &err), SIFT_OK);
    struct all_terms all = { 0 };
    for (uint32_t s = 0; s < idx->nsegs; s++)
        assert_int_equal(dict_scan_prefix(&idx->segs[s], "", 0, collect, &all, &err), SIFT_OK);
    assert_true(all.n > 500);
    size_t compared = 0;
    for (int q = 0; q < 300; q++) {
        char word[32];
        random_word(word, sizeof word);
        unsigned maxd = rnd(3);
        struct strlist terms = { 0 };
        struct fuzzy_match *m;
        size_t n;
        bool capped;
        assert_int_equal(fuzzy_expand(idx, word, strlen(word), maxd, 100000, &terms, &m, &n, &capped, &err), SIFT_OK);
        assert_false(capped);
        size_t want = 0;
        for (size_t i = 0; i < all.n; i++) want += osa(all.t[i], word) <= maxd;
        if (n != want) fail_msg("'%s'~%u: the walk found %zu terms, the brute force %zu", word, maxd, n, want);
        for (size_t i = 0; i < n; i++) {
            const char *t = (const char *)terms.b.data + m[i].term;
            unsigned d = osa(t, word);
            if (d != m[i].dist || d > maxd) fail_msg("'%s'~%u: '%s' at %u, the brute force says %u", word, maxd, t, m[i].dist, d);
            assert_int_equal(fuzzy_distance(t, strlen(t), word, strlen(word), 2), d <= 2 ? d : 3);
            if (i) assert_true(m[i - 1].dist < m[i].dist || (m[i - 1].dist == m[i].dist && m[i - 1].df >= m[i].df));
        }
        compared += n;
        strlist_free(&terms);
        free(m);
    }
    assert_true(compared > 300);   /* the queries did find things */
    /* lengths far apart leave a row's band empty (ASan checks the row's bounds) */
    const char *longw = "abcdefghijklmnopqrstuvwxyz";
    assert_int_equal(fuzzy_distance(longw, 26, "ab", 2, 2), 3);
    assert_int_equal(fuzzy_distance("ab", 2, longw, 26, 2), 3);
    assert_int_equal(fuzzy_distance("abcd", 4, "ab", 2, 2), 2);
    assert_int_equal(fuzzy_distance("", 0, "ab", 2, 2), 2);
    /* a cap keeps the nearest */
    struct strlist terms = { 0 };
    struct fuzzy_match *m;
    size_t n;
    bool capped;
    assert_int_equal(fuzzy_expand(idx, "12", 2, 2, 5, &terms, &m, &n, &capped, &err), SIFT_OK);
    assert_true(capped && n == 5 && m[0].dist <= m[4].dist);
    strlist_free(&terms);
    free(m);
    free(all.t);
    sift_index_close(idx);
    tmpdir_remove(dir);
}

static uint64_t count(sift_index *idx, const char *q) { return index_count(idx, q, SIFT_QUERY_STRICT); }

#define NO_DFA 99u

static void put_cp(char *out, uint32_t c)
{
    if (c < 0x80) out[0] = (char)c, out[1] = 0;
    else if (c < 0x800) out[0] = (char)(0xC0 | c >> 6), out[1] = (char)(0x80 | (c & 0x3F)), out[2] = 0;
    else out[0] = (char)(0xE0 | c >> 12), out[1] = (char)(0x80 | (c >> 6 & 0x3F)), out[2] = (char)(0x80 | (c & 0x3F)), out[3] = 0;
}

/* The deterministic automaton (lev_dfa.h) reading term a for word b:
 * its distance (NO_DFA for words it does not take), checked on the way
 * against the bit-parallel form's liveness at every prefix, and each
 * state's live bytes against its steps: exact below 0x80, and from 0x80
 * up holding the first byte of every code point that keeps it alive. */
static unsigned dfa_check(const char *a, const char *b, unsigned maxd)
{
    uint32_t q[128], t[128];
    size_t qn = cps(b, q), tn = cps(a, t);
    struct lev_dfa *d = dfa_new(q, qn, maxd);
    if (!d) {
        assert_true(qn > EA_BITS);
        return NO_DFA;
    }
    struct edit_automaton *ea = ea_new(q, qn, maxd, tn, false);
    assert_non_null(ea);
    uint32_t s = DFA_START, probe[] = { '1', '2', 'z', 0xE9, 0xDF, 0x65E5, 0x0416 };   /* 1 2 z é ß 日 ж */
    for (size_t i = 0; i < tn && s != DFA_DEAD; i++) {
        const uint64_t *live = dfa_live_bytes(d, s);
        assert_non_null(live);
        uint64_t m[4] = { live[0], live[1], live[2], live[3] };
        for (unsigned c = 0; c < 128; c++)
            assert_int_equal(m[c >> 6] >> (c & 63) & 1, dfa_step(d, s, c) != DFA_DEAD);
        for (size_t k = 0; k < sizeof probe / sizeof *probe; k++) {
            char u[4];
            put_cp(u, probe[k]);
            uint8_t lead = (uint8_t)u[0];
            if (dfa_step(d, s, probe[k]) != DFA_DEAD) assert_true(m[lead >> 6] >> (lead & 63) & 1);
        }
        s = dfa_step(d, s, t[i]);
        assert_int_equal(s != DFA_DEAD, ea_step(ea, i + 1, t[i]));
    }
    unsigned dist = s == DFA_DEAD ? maxd + 1 : dfa_distance(d, s);
    assert_false(d->oom);
    ea_free(ea);
    dfa_free(d);
    return dist;
}

/* Both forms of the automaton against the plain table, on random pairs:
 * short words (the bit-parallel form), words of 63 and 64 code points
 * either side of its limit, and terms far longer or shorter than the word. */
static void test_automaton_forms(void **state)
{
    (void)state;
    char a[512], b[512];
    for (int i = 0; i < 20000; i++) {
        size_t an = rnd(4) ? rnd(9) : 55 + rnd(12), bn = rnd(4) ? rnd(9) : 55 + rnd(12);
        a[0] = b[0] = 0;
        for (size_t k = 0; k < an; k++) strcat(a, letters[rnd(4) ? rnd(3) : rnd(6)]);
        for (size_t k = 0; k < bn; k++) strcat(b, letters[rnd(4) ? rnd(3) : rnd(6)]);
        if (rnd(3) == 0 && an > 1) {   /* a near copy: a swap, a change */
            strcpy(a, b);
            size_t at = rnd((unsigned)strlen(a) + 1);
            if (a[at] && (unsigned char)a[at] < 0x80 && (unsigned char)a[at + 1] < 0x80 && a[at + 1]) {
                char c = a[at];
                a[at] = a[at + 1];
                a[at + 1] = c;
            }
        }
        unsigned want = osa(a, b), maxd = rnd(3);
        unsigned bits = fuzzy_distance_form(a, strlen(a), b, strlen(b), maxd, false);
        unsigned rows = fuzzy_distance_form(a, strlen(a), b, strlen(b), maxd, true);
        unsigned dfa = dfa_check(a, b, maxd);
        unsigned cap = want <= maxd ? want : maxd + 1;
        if (bits != cap || rows != cap || (dfa != cap && dfa != NO_DFA))
            fail_msg("'%s' '%s' within %u: bits %u, rows %u, dfa %u, the brute force %u", a, b, maxd, bits, rows,
                     dfa, want);
    }
}

static void test_fuzzy_queries(void **state)
{
    (void)state;
    char *dir = tmpdir_make();
    build_corpus_index(dir, 64);
    sift_index *idx;
    sift_errmsg err;
    assert_int_equal(sift_index_open(dir, &idx, &err), SIFT_OK);
    /* a misspelling finds what the word finds; ~0 is the word itself */
    assert_int_equal(count(idx, "alibba~1"), count(idx, "alibaba"));
    assert_int_equal(count(idx, "alibaba~0"), count(idx, "alibaba"));
    assert_int_equal(count(idx, "azrue~"), count(idx, "azrue~2"));
    assert_true(count(idx, "azrue~1") >= count(idx, "azure"));   /* a transposition is one edit */
    assert_int_equal(count(idx, "zzzzqqq~2"), 0);
    /* blended: the misspelled and the right word's terms score alike, the right one higher */
    sift_query *q;
    assert_int_equal(sift_query_parse(idx, "alibaba~1", &q, &err), SIFT_OK);
    assert_true(q->root->kind == QK_BOOL && q->root->blend && q->root->nkids >= 1);
    assert_string_equal(q->root->kids[0]->terms[0].term, "alibaba");   /* the nearest first */
    for (size_t i = 1; i < q->root->nkids; i++)
        assert_true(q->root->kids[i]->terms[0].idf <= q->root->kids[0]->terms[0].idf);
    sift_query_free(q);
    /* typed fields take none; a distance over 2 is refused strictly */
    assert_int_equal(sift_query_parse_flags(idx, "source:reuters~1", SIFT_QUERY_STRICT, &q, &err), SIFT_ERR_QUERY);
    assert_non_null(strstr(err.msg, "fuzzy words"));
    assert_int_equal(sift_query_parse_flags(idx, "cloud~3", SIFT_QUERY_STRICT, &q, &err), SIFT_ERR_QUERY);
    assert_non_null(strstr(err.msg, "0, 1 or 2"));
    sift_index_close(idx);
    tmpdir_remove(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_walk_against_brute_force),
        cmocka_unit_test(test_automaton_forms),
        cmocka_unit_test(test_fuzzy_queries),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
