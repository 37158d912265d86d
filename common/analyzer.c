/* analyzer.c -- tokenizer, Unicode folding and Snowball stemming.
 * The rules are stated in analyzer.h. */
#include "analyzer.h"

#include "hash.h"

#include <libstemmer.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#define CACHE_TERM 24

struct stem_slot {
    uint32_t hash;
    uint8_t key_len, val_len;    /* key_len 0: empty */
    char key[CACHE_TERM], val[CACHE_TERM];
};

struct analyzer {
    struct sb_stemmer *stemmer;  /* NULL for "none" */
    struct stem_slot *cache;     /* NULL unless enabled */
    uint32_t cache_mask;         /* its slot count - 1 */
    int no_stem;                 /* stemming turned off for now */
    bool keeps_first;            /* the stemmer never changes a term's first byte */
    const bool *stem_firsts;     /* analyzer_set_stem_filter's set, or NULL */
    char term[ANALYZER_MAX_TERM * 2 + 16];
    size_t term_len;
    bool term_full;              /* term reached ANALYZER_MAX_TERM */
};

static bool is_none(const char *language)
{
    return !strcmp(language, "none");
}

int analyzer_language_ok(const char *language)
{
    if (!language || !*language) return 0;
    if (is_none(language)) return 1;
    struct sb_stemmer *s = sb_stemmer_new(language, "UTF_8");
    if (!s) return 0;
    sb_stemmer_delete(s);
    return 1;
}

struct analyzer *analyzer_new(const char *language)
{
    struct analyzer *a = calloc(1, sizeof *a);
    if (!a) return NULL;
    if (!is_none(language)) {
        a->stemmer = sb_stemmer_new(language, "UTF_8");
        if (!a->stemmer) {
            free(a);
            return NULL;
        }
        /* Snowball's English and Porter stemmers rewrite a word's end only
         * (R1 and R2 start after its first vowel-consonant pair; the
         * prelude's y -> Y is undone at the end, and every exceptional
         * form keeps its first letter), so a stem begins with the byte
         * its word begins with. Stemmers that strip prefixes (Indonesian,
         * Irish, Arabic) or that we have not read stay unfiltered. */
        a->keeps_first = !strcmp(language, "english") || !strcmp(language, "en") ||
                         !strcmp(language, "eng") || !strcmp(language, "porter");
    }
    return a;
}

int analyzer_set_stemming(struct analyzer *a, int on)
{
    int was = !a->no_stem;
    a->no_stem = !on;
    return was;
}

int analyzer_set_stem_filter(struct analyzer *a, const bool *firsts)
{
    a->stem_firsts = a->keeps_first ? firsts : NULL;
    return a->stem_firsts != NULL;
}

int analyzer_enable_cache(struct analyzer *a, unsigned slots)
{
    if (!a->stemmer || a->cache) return 0;
    uint32_t n = 16;
    while (n < slots && n < (1u << 20)) n *= 2;
    a->cache = calloc(n, sizeof *a->cache);
    a->cache_mask = n - 1;
    return a->cache ? 0 : -1;
}

void analyzer_free(struct analyzer *a)
{
    if (!a) return;
    free(a->cache);
    if (a->stemmer) sb_stemmer_delete(a->stemmer);
    free(a);
}

/* ------------------------------------------------------------ decoding */

/* Decode the code point at text[i]; invalid bytes decode as U+FFFD with
 * length 1, so the caller always advances. */
static size_t decode(const char *text, size_t len, size_t i, int32_t *cp)
{
    unsigned char c = (unsigned char)text[i];
    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    utf8proc_int32_t v;
    utf8proc_ssize_t n = utf8proc_iterate((const utf8proc_uint8_t *)text + i,
                                          (utf8proc_ssize_t)(len - i), &v);
    if (n <= 0 || v < 0) {
        *cp = 0xFFFD;
        return 1;
    }
    *cp = v;
    return (size_t)n;
}

static bool is_term_char(int32_t cp)
{
    if (cp < 0x80)
        return (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z') || (cp >= '0' && cp <= '9');
    if (cp == 0xFFFD) return false;
    switch (utf8proc_category(cp)) {
    case UTF8PROC_CATEGORY_LU: case UTF8PROC_CATEGORY_LL: case UTF8PROC_CATEGORY_LT:
    case UTF8PROC_CATEGORY_LM: case UTF8PROC_CATEGORY_LO:
    case UTF8PROC_CATEGORY_MN: case UTF8PROC_CATEGORY_MC: case UTF8PROC_CATEGORY_ME:
    case UTF8PROC_CATEGORY_ND: case UTF8PROC_CATEGORY_NL: case UTF8PROC_CATEGORY_NO:
        return true;
    default:
        return false;
    }
}

static bool is_digit(int32_t cp)
{
    if (cp < 0x80) return cp >= '0' && cp <= '9';
    return utf8proc_category(cp) == UTF8PROC_CATEGORY_ND;
}

static bool is_letter(int32_t cp)
{
    return is_term_char(cp) && !is_digit(cp);
}

static bool is_hyphen(int32_t cp) { return cp == '-' || cp == 0x2010 || cp == 0x2011; }
static bool is_apostrophe(int32_t cp) { return cp == '\'' || cp == 0x2019; }

static bool is_joiner(int32_t cp)
{
    return is_hyphen(cp) || cp == '.' || is_apostrophe(cp) || cp == ',';
}

/* ------------------------------------------------------------- folding */

static void term_put(struct analyzer *a, int32_t cp)
{
    if (a->term_full) return;
    if (cp < 0x80) {   /* most of the text: no encoder call */
        if (a->term_len + 1 > ANALYZER_MAX_TERM) {
            a->term_full = true;
            return;
        }
        a->term[a->term_len++] = (char)cp;
        return;
    }
    char tmp[4];
    utf8proc_ssize_t n = utf8proc_encode_char(cp, (utf8proc_uint8_t *)tmp);
    if (n <= 0) return;
    if (a->term_len + (size_t)n > ANALYZER_MAX_TERM) {
        a->term_full = true;
        return;
    }
    memcpy(a->term + a->term_len, tmp, (size_t)n);
    a->term_len += (size_t)n;
}

/* Append the folded form of cp: ASCII directly, the rest through
 * utf8proc's compatibility decomposition with case folding and mark
 * stripping; pieces that are not letters or digits are dropped. */
static void fold_put(struct analyzer *a, int32_t cp)
{
    if (cp < 0x80) {
        if (cp >= 'A' && cp <= 'Z') cp += 'a' - 'A';
        term_put(a, cp);
        return;
    }
    utf8proc_int32_t out[32];
    int last_boundclass = 0;
    utf8proc_ssize_t n = utf8proc_decompose_char(
        cp, out, 32,
        UTF8PROC_DECOMPOSE | UTF8PROC_COMPAT | UTF8PROC_CASEFOLD | UTF8PROC_STRIPMARK,
        &last_boundclass);
    if (n < 0 || n > 32) return;
    for (utf8proc_ssize_t k = 0; k < n; k++)
        if (is_term_char(out[k])) term_put(a, out[k]);
}

/* ---------------------------------------------------------- tokenizing */

struct run_state {
    struct analyzer *a;
    const char *text;
    size_t len;
    uint32_t pos;
    token_fn fn;
    void *ctx;
};

static bool has_letter(const char *s, size_t n)
{
    /* a folded term is letters and digits: an ASCII one decides at once */
    for (size_t i = 0; i < n && (unsigned char)s[i] < 0x80; i++)
        if (s[i] > '9') return true;
    for (size_t i = 0; i < n;) {
        int32_t cp;
        i += decode(s, n, i, &cp);
        if (is_letter(cp)) return true;
    }
    return false;
}

/* Stem term[0..len) into *out / *out_len (pointing into stemmer or cache
 * memory valid until the next call). */
static void stem(struct analyzer *a, const char **out, size_t *out_len)
{
    struct stem_slot *slot = NULL;
    uint32_t h = 0;
    if (a->cache && a->term_len <= CACHE_TERM) {
        h = hash_fnv1a(a->term, a->term_len);
        slot = &a->cache[h & a->cache_mask];
        if (slot->key_len == a->term_len && slot->hash == h &&
            !memcmp(slot->key, a->term, a->term_len)) {
            *out = slot->val;
            *out_len = slot->val_len;
            return;
        }
    }
    const sb_symbol *s = sb_stemmer_stem(a->stemmer, (const sb_symbol *)a->term, (int)a->term_len);
    int n = sb_stemmer_length(a->stemmer);
    if (!s || n <= 0 || (size_t)n > sizeof a->term) return;
    *out = (const char *)s;
    *out_len = (size_t)n;
    if (slot && (size_t)n <= CACHE_TERM) {
        slot->hash = h;
        slot->key_len = (uint8_t)a->term_len;
        slot->val_len = (uint8_t)n;
        memcpy(slot->key, a->term, a->term_len);
        memcpy(slot->val, s, (size_t)n);
    }
}

static int emit(struct run_state *st, size_t start, size_t end)
{
    struct analyzer *a = st->a;
    if (!a->term_len) return 0;
    struct token t = { a->term, a->term_len, a->term, a->term_len, st->pos, start, end };
    if (a->stemmer && !a->no_stem && (!a->stem_firsts || a->stem_firsts[(unsigned char)a->term[0]]) &&
        has_letter(a->term, a->term_len))
        stem(a, &t.term, &t.len);
    st->pos++;
    return st->fn(st->ctx, &t);
}

/* Whether [s, e) is single letters joined by dots, at least two of them. */
static bool is_acronym(const char *text, size_t s, size_t e)
{
    size_t letters = 0;
    bool want_letter = true;
    for (size_t i = s; i < e;) {
        int32_t cp;
        i += decode(text, e, i, &cp);
        if (want_letter) {
            if (!is_letter(cp)) return false;
            letters++;
        } else if (cp != '.') {
            return false;
        }
        want_letter = !want_letter;
    }
    return letters >= 2;
}

/* One hyphen-free part of a word: fold it, splitting at dots that are not
 * between digits, dropping apostrophes, commas and a possessive 's. */
static int emit_part(struct run_state *st, size_t s, size_t e)
{
    struct analyzer *a = st->a;
    const char *text = st->text;
    bool acronym = is_acronym(text, s, e);
    size_t piece_start = s;
    int32_t prev = 0;
    a->term_len = 0;
    a->term_full = false;
    for (size_t i = s; i < e;) {
        int32_t cp;
        size_t n = decode(text, e, i, &cp);
        if (cp == '.' && !acronym) {
            int32_t next = 0;
            decode(text, e, i + n, &next);
            if (!(is_digit(prev) && is_digit(next))) {
                int rc = emit(st, piece_start, i);
                if (rc) return rc;
                a->term_len = 0;
                a->term_full = false;
                piece_start = i + n;
            } else {
                term_put(a, '.');
            }
        } else if (is_apostrophe(cp)) {
            /* possessive: apostrophe, s, end of part */
            if (i + n < e && (text[i + n] == 's' || text[i + n] == 'S') && i + n + 1 == e) break;
        } else if (cp != ',' && cp != '.') {
            fold_put(a, cp);
        }
        prev = cp;
        i += n;
    }
    return emit(st, piece_start, e);
}

/* A word: split at hyphens into parts. */
static int emit_word(struct run_state *st, size_t s, size_t e)
{
    size_t part = s;
    for (size_t i = s; i < e;) {
        int32_t cp;
        size_t n = decode(st->text, e, i, &cp);
        if (is_hyphen(cp)) {
            int rc = emit_part(st, part, i);
            if (rc) return rc;
            part = i + n;
        }
        i += n;
    }
    return emit_part(st, part, e);
}

int analyzer_run(struct analyzer *a, const char *text, size_t len, uint32_t first_pos,
                 token_fn fn, void *ctx, uint32_t *next_pos)
{
    struct run_state st = { a, text, len, first_pos, fn, ctx };
    size_t i = 0;
    int rc = 0;
    while (i < len) {
        int32_t cp;
        size_t n = decode(text, len, i, &cp);
        if (!is_term_char(cp)) {
            i += n;
            continue;
        }
        size_t start = i, end = i + n;
        int32_t prev = cp;
        i += n;
        while (i < len) {
            n = decode(text, len, i, &cp);
            if (is_term_char(cp)) {
                end = i + n;
                prev = cp;
                i += n;
                continue;
            }
            if (!is_joiner(cp) || i + n >= len) break;
            int32_t next;
            size_t m = decode(text, len, i + n, &next);
            (void)m;
            if (!is_term_char(next)) break;
            if (cp == ',' && !(is_digit(prev) && is_digit(next))) break;
            prev = cp;
            i += n;
        }
        rc = emit_word(&st, start, end);
        if (rc) break;
        i = end > i ? end : i;
    }
    if (next_pos) *next_pos = st.pos;
    return rc;
}
