/* check.c -- sift_index_check: every checksum, then every structural
 * invariant the decoders of this module rely on, segment by segment. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "columns.h"
#include "dict.h"
#include "doc_ids.h"
#include "doc_meta.h"
#include "docstore.h"
#include "error.h"
#include "index.h"
#include "norms.h"
#include "postings.h"
#include "term_trie.h"
#include "values.h"

struct checker {
    sift_check_fn report;
    void *ctx;
    uint64_t problems;
    const struct segment *seg;
    /* per-segment walk state */
    char prev[TERM_MAX + 1];
    size_t prev_len;
    bool first;
    uint64_t terms, postings;
    int64_t text_terms;           /* the dictionary's, less the trie's */
    uint32_t *positions;
    size_t cap;
};

static void problem(struct checker *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void problem(struct checker *c, const char *fmt, ...)
{
    char msg[600];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    c->problems++;
    if (c->report && c->problems <= 1000) c->report(c->ctx, msg);
}

/* Each key of a dictionary after the one before it. */
static void check_order(struct checker *c, const char *what, const char *term, size_t len)
{
    if (!c->first) {
        size_t n = len < c->prev_len ? len : c->prev_len;
        int cmp = memcmp(c->prev, term, n);
        if (cmp > 0 || (cmp == 0 && len <= c->prev_len))
            problem(c, "%s: %s: '%.*s' is not after '%.*s'", c->seg->file.path, what, (int)len, term,
                    (int)c->prev_len, c->prev);
    }
    c->first = false;
    memcpy(c->prev, term, len < sizeof c->prev ? len : sizeof c->prev);
    c->prev_len = len < sizeof c->prev ? len : sizeof c->prev;
}

/* A surface form: a word and its stem, in order, counted sensibly, its
 * stem a term in at least the word's documents. */
static int check_surface(void *ctx, const char *key, size_t len, const struct term_info *ti)
{
    struct checker *c = ctx;
    const struct segment *s = c->seg;
    check_order(c, "surface forms", key, len);
    char stem[TERM_MAX + 1];
    size_t stem_len, word_len;
    if (!surface_stem(key, len, stem, &stem_len, &word_len) || ti->cf < ti->df) {
        problem(c, "%s: surface forms: bad entry '%.*s'", s->file.path, (int)len, key);
        return 0;
    }
    struct term_info t;
    bool found = false;
    sift_errmsg err;
    if (dict_lookup(s, stem, stem_len, &t, &found, &err)) problem(c, "%s", err.msg);
    else if (!found || t.df < ti->df)
        problem(c, "%s: surface form '%.*s': its stem '%.*s' %s", s->file.path, (int)word_len, key,
                (int)stem_len, stem, found ? "is in fewer documents" : "is not a term");
    return 0;
}

/* A term of the trie: in order, a text term of the dictionary with its df. */
static int check_trie_term(void *ctx, const char *term, size_t len, uint32_t df)
{
    struct checker *c = ctx;
    const struct segment *s = c->seg;
    check_order(c, "term trie", term, len);
    c->text_terms--;
    struct term_info t;
    bool found = false;
    sift_errmsg err;
    if (dict_lookup(s, term, len, &t, &found, &err)) problem(c, "%s", err.msg);
    else if (!found || term_is_field(term, len) || t.df != df)
        problem(c, "%s: term trie: '%.*s' (df %u) %s", s->file.path, (int)len, term, df,
                found && !term_is_field(term, len) ? "has another df in the dictionary" : "is not a text term");
    return 0;
}

static int check_term(void *ctx, const char *term, size_t len, const struct term_info *ti)
{
    struct checker *c = ctx;
    const struct segment *s = c->seg;
    const char *path = s->file.path;
    check_order(c, "dictionary", term, len);
    c->terms++;
    bool field = term_is_field(term, len);
    c->text_terms += !field;
    struct postings p;
    sift_errmsg err;
    if (postings_open(&p, s, ti, &err)) {
        problem(c, "%s", err.msg);
        return 0;
    }
    uint64_t df = 0, cf = 0;
    int64_t last = -1;
    for (uint32_t d = postings_first(&p); d != DOC_END; d = postings_next(&p)) {
        if ((int64_t)d <= last) problem(c, "%s: term '%.*s': documents out of order", path, (int)len, term);
        last = d;
        uint32_t tf = postings_tf(&p), dl = 0;
        df++;
        cf += tf;
        if (segment_norm(s, d, &dl, NULL, &err) != SIFT_OK) {
            problem(c, "%s", err.msg);
            break;
        }
        if (field) dl = UINT32_MAX;   /* a field's own positions: not in the document's length */
        if (tf > dl) {
            problem(c, "%s: term '%.*s': frequency %u exceeds document %u's length %u", path,
                    (int)len, term, tf, d, dl);
            break;
        }
        struct block_stat st;
        postings_block_stat(&p, p.block, &st);
        uint32_t real_dl = 0, title_len = 0;
        segment_norm(s, d, &real_dl, &title_len, &err);
        if (tf > st.max_tf || real_dl < st.min_len || d > st.last_doc)
            problem(c, "%s: term '%.*s': document %u (tf %u, length %u) breaks its block's skip "
                    "entry (last %u, tf at most %u, length at least %u)", path, (int)len, term, d,
                    tf, dl, st.last_doc, st.max_tf, st.min_len);
        if (tf > c->cap) {
            uint32_t *np = realloc(c->positions, tf * sizeof *np);
            if (!np) {
                problem(c, "%s: out of memory checking positions", path);
                return 1;
            }
            c->positions = np;
            c->cap = tf;
        }
        if (postings_positions(&p, c->positions) != (int)tf) break;
        if (c->positions[tf - 1] >= dl)
            problem(c, "%s: term '%.*s': position %u beyond document %u's length %u", path,
                    (int)len, term, c->positions[tf - 1], d, dl);
        uint32_t title_tf = positions_in_title(c->positions, tf, title_len);
        uint32_t most = postings_block_title_tf(&p, p.block);
        if (title_tf > most)
            problem(c, "%s: term '%.*s': document %u holds it %u times in its title, its block's "
                    "skip entry at most %u", path, (int)len, term, d, title_tf, most);
    }
    if (p.rc) problem(c, "%s", err.msg);
    else if (df != ti->df || cf != ti->cf)
        problem(c, "%s: term '%.*s': postings hold df %llu cf %llu, dictionary says %u and %llu",
                path, (int)len, term, (unsigned long long)df, (unsigned long long)cf, ti->df,
                (unsigned long long)ti->cf);
    c->postings += df;
    return 0;
}

struct store_check {
    struct checker *c;
    uint32_t n;
};

static int check_record(void *ctx, uint32_t doc, const struct doc_record *r)
{
    struct store_check *sc = ctx;
    char id[ID_MAX + 1];
    size_t len;
    sift_errmsg err;
    if (segment_doc_id(sc->c->seg, doc, id, &len, &err)) problem(sc->c, "%s", err.msg);
    else if (len != r->id_len || memcmp(id, r->id, len))
        problem(sc->c, "%s: document %u: stored id differs from the id index", sc->c->seg->file.path, doc);
    sc->n++;
    return 0;
}

/* Every column decodes: keys within their block's range, keyword ordinals
 * ascending and known, values in byte order. */
static void check_columns(struct checker *c, const struct segment *s)
{
    sift_errmsg err;
    for (uint32_t f = 0; f < s->schema.n; f++) {
        const struct field_def *fd = &s->schema.f[f];
        if (!fd->col_len) continue;
        if (fd->type == SIFT_FIELD_KEYWORD) {
            struct kw_column kc;
            if (kw_column_open(&kc, s, fd, &err)) {
                problem(c, "%s", err.msg);
                continue;
            }
            char prev[KEYWORD_MAX + 1] = "", cur[KEYWORD_MAX + 1];
            for (uint32_t v = 0; v < kc.nvalues; v++) {
                if (kw_column_value(&kc, v, cur, NULL, &err)) {
                    problem(c, "%s", err.msg);
                    break;
                }
                if (v && strcmp(prev, cur) >= 0)
                    problem(c, "%s: field %s: values out of order at %u", s->file.path, fd->name, v);
                memcpy(prev, cur, sizeof prev);
            }
            uint32_t ords[64];
            uint64_t total = 0;
            for (uint32_t d = 0; d < s->doc_count; d++) {
                size_t n;
                if (kw_column_doc(&kc, d, ords, 64, &n, &err)) {
                    problem(c, "%s", err.msg);
                    total = kc.nords;
                    break;
                }
                total += n;
                for (size_t i = 1; i < n && i < 64; i++)
                    if (ords[i] <= ords[i - 1])
                        problem(c, "%s: field %s: document %u: values repeat or are out of order",
                                s->file.path, fd->name, d);
            }
            if (total != kc.nords)
                problem(c, "%s: field %s: %llu values in the documents, the header says %u", s->file.path,
                        fd->name, (unsigned long long)total, kc.nords);
            continue;
        }
        struct num_column nc;
        if (num_column_open(&nc, s, fd, &err)) {
            problem(c, "%s", err.msg);
            continue;
        }
        for (uint32_t b = 0; b < nc.nblocks; b++) {
            struct col_block cb;
            uint64_t keys[COLUMN_BLOCK], has[2];
            if (num_column_block(&nc, b, &cb, &err) || num_column_decode(&nc, b, keys, has, &err)) {
                problem(c, "%s", err.msg);
                break;
            }
            for (uint32_t i = 0; i < COLUMN_BLOCK && b * COLUMN_BLOCK + i < nc.ndocs; i++)
                if ((has[i >> 6] >> (i & 63) & 1) && (keys[i] < cb.min || keys[i] > cb.max))
                    problem(c, "%s: field %s: document %u outside its block's range", s->file.path,
                            fd->name, b * COLUMN_BLOCK + i);
        }
    }
}

static void check_segment(struct checker *c, const struct segment *s)
{
    sift_errmsg err;
    const char *path = s->file.path;
    if (segfile_verify_all(&s->file, &err)) {
        problem(c, "%s", err.msg);
        return;   /* the structures below would only repeat it */
    }
    uint64_t tokens = 0, titles = 0, deleted_tokens = 0;
    for (uint32_t d = 0; d < s->doc_count; d++) {
        uint32_t len, tl;
        if (segment_norm(s, d, &len, &tl, &err)) {
            problem(c, "%s", err.msg);
            return;
        }
        if (tl > len) problem(c, "%s: document %u: title longer than the document", path, d);
        tokens += len;
        titles += tl;
        if (segment_is_deleted(s, d)) deleted_tokens += len;
        struct doc_meta m;
        if (segment_doc_meta(s, d, &m, &err)) problem(c, "%s", err.msg);
        else if (!segment_source(s, m.source, &err)) problem(c, "%s", err.msg);
    }
    if (tokens != s->token_count || titles != s->title_token_count)
        problem(c, "%s: document lengths add up to %llu tokens, metadata says %llu", path,
                (unsigned long long)tokens, (unsigned long long)s->token_count);
    if (deleted_tokens != s->deleted_tokens)
        problem(c, "%s: deleted documents hold %llu tokens, manifest says %llu", path,
                (unsigned long long)deleted_tokens, (unsigned long long)s->deleted_tokens);
    c->seg = s;
    c->first = true;
    c->terms = c->postings = c->text_terms = 0;
    if (dict_scan_prefix(s, "", 0, check_term, c, &err)) problem(c, "%s", err.msg);
    c->first = true;
    struct term_trie trie;
    if (trie_open(s, &trie, &err)) problem(c, "%s", err.msg);
    else if (!trie_scan(&trie, check_trie_term, c)) problem(c, "%s: term trie: malformed node", path);
    else if (c->text_terms > 0)
        problem(c, "%s: term trie: %lld text terms of the dictionary are not in it", path,
                (long long)c->text_terms);
    if (c->terms != s->term_count || c->postings != s->posting_count)
        problem(c, "%s: %llu terms and %llu postings found, metadata says %llu and %llu", path,
                (unsigned long long)c->terms, (unsigned long long)c->postings,
                (unsigned long long)s->term_count, (unsigned long long)s->posting_count);
    c->first = true;
    if (surface_scan_prefix(s, "", 0, check_surface, c, &err)) problem(c, "%s", err.msg);
    struct store_check sc = { c, 0 };
    if (docstore_scan(s, check_record, &sc, &err)) problem(c, "%s", err.msg);
    check_columns(c, s);
}

/* No id may be live in two segments. */
static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void check_unique_ids(struct checker *c, const sift_index *idx)
{
    char **ids = malloc((idx->doc_count ? idx->doc_count : 1) * sizeof *ids);
    if (!ids) return;
    size_t n = 0;
    for (uint32_t s = 0; s < idx->nsegs; s++) {
        for (uint32_t d = 0; d < idx->segs[s].doc_count && n < idx->doc_count; d++) {
            char id[ID_MAX + 1];
            size_t len;
            sift_errmsg err;
            if (segment_is_deleted(&idx->segs[s], d)) continue;
            if (segment_doc_id(&idx->segs[s], d, id, &len, &err)) continue;
            ids[n] = strdup(id);
            if (ids[n]) n++;
        }
    }
    qsort(ids, n, sizeof *ids, cmp_str);
    for (size_t i = 1; i < n; i++)
        if (!strcmp(ids[i], ids[i - 1])) problem(c, "%s: id '%.200s' is live twice", idx->dir, ids[i]);
    for (size_t i = 0; i < n; i++) free(ids[i]);
    free(ids);
}

sift_err sift_index_check(sift_index *idx, sift_check_fn report, void *ctx, uint64_t *problems,
                          sift_errmsg *err)
{
    struct checker c = { report, ctx, 0, NULL, { 0 }, 0, true, 0, 0, 0, NULL, 0 };
    for (uint32_t s = 0; s < idx->nsegs; s++) check_segment(&c, &idx->segs[s]);
    check_unique_ids(&c, idx);
    free(c.positions);
    if (problems) *problems = c.problems;
    if (c.problems)
        return sift_fail(err, SIFT_ERR_CORRUPT, "%s: %llu problem%s found", idx->dir,
                         (unsigned long long)c.problems, c.problems == 1 ? "" : "s");
    return SIFT_OK;
}
