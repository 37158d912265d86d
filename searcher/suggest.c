/* suggest.c -- "did you mean": the query with its misspelled words
 * replaced by close words of the index (docs/QUERY.md, "Suggestions").
 *
 * The words are those a person typed: the words, phrases and NEAR groups
 * of the query outside typed fields (a prefix or a fuzzy word is left as
 * asked). A word is replaced when no document holds its stem -- by the
 * nearest word within the edit distance, then the most frequent -- or
 * when a word one edit away is far more frequent (SUGGEST_RATIO times the
 * documents of the typed word's stem). A real word that is rarer than a
 * neighbour ("booth", "both") is the risk of the second rule; the ratio
 * is set so that it corrects only what looks like noise. Candidates are
 * the surface forms (dict.c): words as the documents spell them, folded,
 * so the suggestion is something to type, never a stem; a word shorter
 * than SUGGEST_MIN_CP never is, nor a stopword in place of a found word
 * ("ford" is no typing error for "for"). The words the documents
 * hold are compared from their first letter, as typed or swapped with
 * the second (fuzzy.h). A suggestion is given only when it finds
 * documents. */
#include <stdlib.h>
#include <string.h>

#include "analyzer.h"
#include "bytes.h"
#include "dict.h"
#include "error.h"
#include "fuzzy.h"
#include "index.h"
#include "query_syntax.h"
#include "stopwords.h"

#define SUGGEST_RATIO 1000     /* how much more frequent a close word must be than a found one */
#define SUGGEST_MIN_CP 3       /* shorter words are never corrected */
#define SUGGEST_FAR_CP 6       /* from this length on, two edits; below, one */
#define SUGGEST_MAX_WORDS 32   /* words looked at in one query */

/* A replacement: bytes [start, end) of the query become word. */
struct fix {
    size_t start, end;
    char word[TERM_MAX + 1];
};

struct suggester {
    const sift_index *idx;
    struct analyzer *an;
    const char *const *stops;   /* never a candidate */
    size_t nstops;
    bool surface;          /* the index has surface forms (not for language "none") */
    const char *text;
    size_t words;
    struct fix *fixes;
    size_t nfixes;
    sift_err rc;
    sift_errmsg *err;
};

/* The best candidate of one walk. */
struct best {
    const struct suggester *s;
    bool found;             /* documents hold the typed word: no stopword replaces it */
    const char *stem;       /* the typed word's stem: candidates of the same stem are no fix */
    size_t stem_len;
    char word[TERM_MAX + 1];
    size_t len;
    unsigned dist;
    uint64_t df;
    /* every candidate met, merged over segments by word (df summed) */
    struct cand { char *word; size_t len; unsigned dist; uint64_t df; } *c;
    size_t n, cap;
    bool oom;
};

static size_t code_points(const char *s, size_t n)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++) k += ((unsigned char)s[i] & 0xC0) != 0x80;
    return k;
}

static int on_candidate(void *ctx, const char *key, size_t len, size_t word_len, unsigned dist,
                        double weight, const struct term_info *ti)
{
    (void)weight;
    struct best *b = ctx;
    char stem[TERM_MAX + 1];
    size_t stem_len = len, wl = len;
    if (word_len < len) {   /* a surface form: "word\0" k tail */
        if (!surface_stem(key, len, stem, &stem_len, &wl)) return 0;
    } else {
        memcpy(stem, key, len);
    }
    if (dist == 0 || (stem_len == b->stem_len && !memcmp(stem, b->stem, stem_len)) ||
        code_points(key, wl) < SUGGEST_MIN_CP || (b->found && stopword_is(b->s->stops, b->s->nstops, key, wl)))
        return 0;
    for (size_t i = 0; i < b->n; i++)
        if (b->c[i].len == wl && !memcmp(b->c[i].word, key, wl)) {
            b->c[i].df += ti->df;
            return 0;
        }
    if (b->n == b->cap) {
        size_t cap = b->cap ? 2 * b->cap : 16;
        struct cand *c = realloc(b->c, cap * sizeof *c);
        if (!c) return b->oom = true, 1;
        b->c = c;
        b->cap = cap;
    }
    char *w = malloc(wl + 1);
    if (!w) return b->oom = true, 1;
    memcpy(w, key, wl);
    w[wl] = 0;
    b->c[b->n++] = (struct cand){ w, wl, dist, ti->df };
    return 0;
}

/* The nearest, then most frequent, then first in byte order. */
static void pick(struct best *b)
{
    for (size_t i = 0; i < b->n; i++) {
        const struct cand *c = &b->c[i];
        bool better = !b->len || c->dist < b->dist || (c->dist == b->dist && c->df > b->df) ||
                      (c->dist == b->dist && c->df == b->df && strcmp(c->word, b->word) < 0);
        if (!better) continue;
        memcpy(b->word, c->word, c->len + 1);
        b->len = c->len;
        b->dist = c->dist;
        b->df = c->df;
    }
}

/* One analyzed word of the query: a fix when a better word exists. */
static int on_token(void *ctx, const struct token *t)
{
    struct suggester *s = ctx;
    if (t->term == t->word && s->surface) return 0;   /* no letter: nothing to correct */
    if (++s->words > SUGGEST_MAX_WORDS) return 1;
    size_t cps = code_points(t->word, t->word_len);
    if (cps < SUGGEST_MIN_CP) return 0;
    uint64_t df;
    if ((s->rc = index_live_df(s->idx, t->term, t->len, &df, s->err))) return 1;
    if (df && SUGGEST_RATIO * df > s->idx->doc_count) return 0;   /* no word can be that much more frequent */
    struct best b = { .s = s, .found = df > 0, .stem = t->term, .stem_len = t->len };
    unsigned maxd = df ? 1 : cps >= SUGGEST_FAR_CP ? 2 : 1;
    s->rc = fuzzy_walk(s->idx, s->surface, t->word, t->word_len, maxd, true, on_candidate, &b, s->err);
    if (!s->rc && b.oom) s->rc = sift_fail(s->err, SIFT_ERR_NOMEM, "out of memory suggesting");
    if (!s->rc) pick(&b);
    for (size_t i = 0; i < b.n; i++) free(b.c[i].word);
    free(b.c);
    if (s->rc) return 1;
    if (!b.len || (df && b.df < SUGGEST_RATIO * df)) return 0;
    struct fix *f = realloc(s->fixes, (s->nfixes + 1) * sizeof *f);
    if (!f) {
        s->rc = sift_fail(s->err, SIFT_ERR_NOMEM, "out of memory suggesting");
        return 1;
    }
    s->fixes = f;
    f = &s->fixes[s->nfixes++];
    f->start = t->start;
    f->end = t->end;
    memcpy(f->word, b.word, b.len + 1);
    return 0;
}

static bool main_field(const struct syn *n)
{
    return !n->field || (n->field_len == 5 && !memcmp(n->field, "title", 5)) ||
           (n->field_len == 4 && !memcmp(n->field, "text", 4));
}

/* The query's typed words under syntax node n: outside typed fields and
 * exclusions, in the order typed. */
static void visit(struct suggester *s, const struct syn *n)
{
    if (!n || s->rc || s->words > SUGGEST_MAX_WORDS || !main_field(n)) return;
    if (n->kind == SYN_GROUP) {
        for (size_t i = 0; i < n->nkids; i++)
            if (n->kids[i].mod != SYN_NOT) visit(s, n->kids[i].node);
        return;
    }
    if (n->kind != SYN_WORD && n->kind != SYN_PHRASE && n->kind != SYN_NEAR && n->kind != SYN_LITERAL) return;
    size_t base = (size_t)(n->text - s->text), first = s->nfixes;
    uint32_t next;
    analyzer_run(s->an, n->text, n->len, 0, on_token, s, &next);
    for (size_t i = first; i < s->nfixes; i++) {   /* to columns of the whole query */
        s->fixes[i].start += base;
        s->fixes[i].end += base;
    }
}

/* text with the fixes made, malloc'd. */
static char *apply(const char *text, size_t len, const struct fix *fixes, size_t n)
{
    struct buf out = { 0 };
    size_t at = 0;
    bool ok = true;
    for (size_t i = 0; i < n && ok; i++) {
        ok = buf_append(&out, text + at, fixes[i].start - at) &&
             buf_append(&out, fixes[i].word, strlen(fixes[i].word));
        at = fixes[i].end;
    }
    ok = ok && buf_append(&out, text + at, len - at) && buf_append(&out, "", 1);
    if (!ok) buf_free(&out);
    return (char *)out.data;
}

/* Whether the query text finds at least one document. */
static sift_err finds(const sift_index *idx, const char *text, unsigned flags, bool *yes, sift_errmsg *err)
{
    sift_query *q = NULL;
    uint64_t n = 0;
    sift_errmsg ignored;
    *yes = false;
    sift_err rc = sift_query_parse_flags(idx, text, flags & ~SIFT_QUERY_STRICT, &q, &ignored);
    if (rc == SIFT_ERR_QUERY) return SIFT_OK;   /* the fixed words read as nothing: no suggestion */
    if (rc) return sift_fail(err, rc, "%s", ignored.msg);
    rc = sift_count(idx, q, &n, err);
    sift_query_free(q);
    *yes = n > 0;
    return rc;
}

static bool has_surface_forms(const sift_index *idx)
{
    for (uint32_t s = 0; s < idx->nsegs; s++)
        if (idx->segs[s].surface.nblocks) return true;
    return false;
}

sift_err sift_suggest(const sift_index *idx, const char *text, unsigned flags, char **out, sift_errmsg *err)
{
    if (!out) return sift_fail(err, SIFT_ERR_INVALID, "sift_suggest: out is NULL");
    *out = NULL;
    if (!idx || !text) return sift_fail(err, SIFT_ERR_INVALID, "sift_suggest: index or text is NULL");
    struct query_syntax qs;
    sift_errmsg perr;
    if (query_syntax_parse(text, flags & ~SIFT_QUERY_STRICT, &qs, &perr) &&
        query_syntax_parse(text, (flags & ~SIFT_QUERY_STRICT) | SIFT_QUERY_LITERAL, &qs, &perr))
        return SIFT_OK;   /* what cannot be read at all has no words to correct */
    struct suggester s = { idx, analyzer_new(idx->language), NULL, 0, has_surface_forms(idx), qs.text, 0,
                           NULL, 0, SIFT_OK, err };
    s.stops = stopwords_for(idx->language, (flags & SIFT_QUERY_LUCENE_STOPWORDS) != 0, &s.nstops);
    if (!s.an) s.rc = sift_fail(err, SIFT_ERR_NOMEM, "out of memory");
    if (!s.rc && qs.root) visit(&s, qs.root);
    if (!s.rc && s.nfixes) {
        char *fixed = apply(qs.text, qs.len, s.fixes, s.nfixes);
        bool yes = false;
        if (!fixed) s.rc = sift_fail(err, SIFT_ERR_NOMEM, "out of memory");
        else s.rc = finds(idx, fixed, flags, &yes, err);
        if (!s.rc && yes) *out = fixed;
        else free(fixed);
    }
    analyzer_free(s.an);
    free(s.fixes);
    query_syntax_free(&qs);
    return s.rc;
}
