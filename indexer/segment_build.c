/* segment_build.c -- documents in, one segment file out. */
#include "segment_build.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyzer.h"
#include "error.h"
#include "norms.h"
#include "segment_writer.h"

sift_err seg_build_open(struct seg_build *b, const char *tmp_prefix, size_t budget,
                        unsigned threads, const char *language, const struct schema *schema,
                        sift_errmsg *err)
{
    memset(b, 0, sizeof *b);
    b->schema = schema;
    b->threads = threads ? threads : 1;
    b->term = malloc(TERM_MAX + 1);
    b->tmp_prefix = b->term ? strdup(tmp_prefix) : NULL;
    char *store_path = b->tmp_prefix ? malloc(strlen(tmp_prefix) + 8) : NULL;
    if (store_path) sprintf(store_path, "%sstore", tmp_prefix);
    b->inv = b->tmp_prefix ? inverter_new(tmp_prefix, budget) : NULL;
    if (!b->inv || !store_path) {
        free(store_path);
        seg_build_discard(b);
        return sift_fail(err, SIFT_ERR_NOMEM, "out of memory");
    }
    sift_err rc = docstore_writer_open(&b->store, store_path, err);
    free(store_path);
    if (!rc && threads > 1) rc = token_pipe_open(&b->pipe, b->inv, &b->surfaces, language, err);
    if (rc) seg_build_discard(b);
    return rc;
}

struct add_ctx {
    struct seg_build *b;
    uint64_t count;
    sift_errmsg *err;
    sift_err rc;
};

static sift_err add_token(struct seg_build *b, const char *term, size_t len, uint32_t pos,
                          sift_errmsg *err)
{
    return b->pipe ? token_pipe_token(b->pipe, term, len, pos, err)
                   : inverter_add_token(b->inv, term, len, pos, err);
}

/* A title or text token. With a pipe, the analyzer does not stem (the
 * pipe's thread does, token_pipe.h). */
static int on_token(void *ctx, const struct token *t)
{
    struct add_ctx *a = ctx;
    a->count++;
    if (a->b->pipe) {
        a->rc = token_pipe_stem(a->b->pipe, t->word, t->word_len, t->pos, a->err);
        return a->rc != SIFT_OK;
    }
    a->rc = inverter_add_token(a->b->inv, t->term, t->len, t->pos, a->err);
    /* a stemmed word (it has a letter) is a surface form */
    if (!a->rc && t->term != t->word &&
        !surface_forms_add(&a->b->surfaces, t->word, t->word_len, t->term, t->len, a->b->ndocs))
        a->rc = sift_fail(a->err, SIFT_ERR_NOMEM, "out of memory");
    return a->rc != SIFT_OK;
}

/* analyzer_run for title and text tokens: unstemmed with a pipe. */
static int run_text(struct seg_build *b, struct analyzer *an, const char *text, size_t len, uint32_t pos,
                    struct add_ctx *a, uint32_t *end)
{
    if (b->pipe) analyzer_set_stemming(an, 0);
    int rc = analyzer_run(an, text, len, pos, on_token, a, end);
    if (b->pipe) analyzer_set_stemming(an, 1);
    return rc;
}

/* ------------------------------------------------------------- fields */

/* The term FIELD_TERM_x name FIELD_TERM_SEP value in b->term (schema.h), cut to
 * TERM_MAX bytes; returns its length. */
static size_t field_term(struct seg_build *b, char kind, const char *name, const char *value,
                         size_t len)
{
    size_t n = strlen(name);
    b->term[0] = kind;
    memcpy(b->term + 1, name, n);
    b->term[n + 1] = FIELD_TERM_SEP;
    if (len > TERM_MAX - n - 2) len = TERM_MAX - n - 2;
    memcpy(b->term + n + 2, value, len);
    return n + 2 + len;
}

struct field_ctx {
    struct seg_build *b;
    const char *name;
    sift_err rc;
    sift_errmsg *err;
};

/* A word of a text field: in the field's own term space and positions. */
static int on_field_token(void *ctx, const struct token *t)
{
    struct field_ctx *f = ctx;
    size_t n = field_term(f->b, FIELD_TERM_TEXT, f->name, t->term, t->len);
    f->rc = add_token(f->b, f->b->term, n, t->pos, f->err);
    return f->rc != SIFT_OK;
}

/* The stored bytes of the document's values (docstore.h). */
static bool store_fields(struct seg_build *b, const struct field_values *fv)
{
    b->fields.len = 0;
    if (!fv || !fv->n) return true;
    if (!buf_varint(&b->fields, fv->n)) return false;
    for (size_t i = 0; i < fv->n; i++)
        if (!doc_fields_add(&b->fields, b->schema->f[fv->v[i].field].name, fv->v[i].raw, fv->v[i].raw_len))
            return false;
    return true;
}

/* The document's values into the inverter (keyword values and the words
 * of text fields, each in its field's term space) and the columns. */
static sift_err index_fields(struct seg_build *b, struct analyzer *an, const struct field_values *fv,
                             sift_errmsg *err)
{
    uint32_t text_pos = 0;
    for (size_t i = 0; fv && i < fv->n; i++) {
        const struct doc_field *f = &fv->v[i];
        const char *name = b->schema->f[f->field].name;
        sift_err rc = SIFT_OK;
        bool ok = true;
        if (f->type == SIFT_FIELD_KEYWORD) {
            size_t n = field_term(b, FIELD_TERM_KEYWORD, name, f->folded, strlen(f->folded));
            bool again = false;   /* a document holds each value once */
            for (size_t k = 0; k < i && !again; k++)
                again = fv->v[k].field == f->field && !strcmp(fv->v[k].folded, f->folded);
            if (!again) rc = add_token(b, b->term, n, 0, err);
            ok = columns_add_keyword(&b->columns, f->field, b->ndocs, f->folded, f->raw);
        } else if (f->type == SIFT_FIELD_TEXT) {
            struct field_ctx c = { b, name, SIFT_OK, err };
            if (analyzer_run(an, f->raw, f->raw_len, text_pos, on_field_token, &c, &text_pos)) rc = c.rc;
        } else {
            ok = columns_add_key(&b->columns, f->field, f->type, b->ndocs, f->key);
        }
        if (!rc && !ok) rc = sift_fail(err, SIFT_ERR_NOMEM, "out of memory");
        if (rc) return rc;
    }
    return SIFT_OK;
}

/* Streamed text is read in pieces of PIECE bytes and analyzed up to the
 * last byte that surely ends a word (ASCII, neither a letter, a digit nor
 * a joiner: analyzer.h), the rest carried to the next piece, so the terms
 * are those of the whole text. Only a "word" longer than CUT_WINDOW with
 * no such byte is cut, at a character boundary. */
#define PIECE (1u << 20)
#define CUT_WINDOW (64u << 10)

static size_t safe_cut(const char *p, size_t n)
{
    size_t low = n > CUT_WINDOW ? n - CUT_WINDOW : 0;
    for (size_t i = n; i > low; i--) {
        unsigned char c = (unsigned char)p[i - 1];
        bool alnum = (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z');
        if (c < 0x80 && !alnum && c != '-' && c != '.' && c != '\'' && c != ',') return i;
    }
    for (size_t i = n; i > 0 && n - i < 4; i--)
        if (((unsigned char)p[i - 1] & 0xC0) != 0x80) return (p[i - 1] & 0x80) ? i - 1 : i;
    return n;
}

static sift_err store_padding(struct seg_build *b, uint64_t n, sift_errmsg *err)
{
    char spaces[4096];
    memset(spaces, ' ', sizeof spaces);
    while (n) {
        size_t k = n < sizeof spaces ? (size_t)n : sizeof spaces;
        sift_err rc = docstore_writer_text(&b->store, spaces, k, err);
        if (rc) return rc;
        n -= k;
    }
    return SIFT_OK;
}

/* Read, store and analyze a streamed text. *short_read: the reader failed
 * or ended early (the store is padded so the record stays whole). */
static sift_err add_stream(struct seg_build *b, struct analyzer *an, const struct build_doc *d,
                           struct add_ctx *a, uint32_t *pos, bool *short_read, sift_errmsg *err)
{
    if (!b->piece && !(b->piece = malloc(PIECE))) return sift_fail(err, SIFT_ERR_NOMEM, "out of memory");
    uint64_t left = d->text_len;
    size_t carry = 0;
    sift_err rc = SIFT_OK;
    while (left && !rc) {
        size_t want = PIECE - carry < left ? PIECE - carry : (size_t)left;
        long long got = d->read(d->read_ctx, b->piece + carry, want);
        if (got <= 0 || (unsigned long long)got > want) {
            *short_read = true;
            break;
        }
        left -= (uint64_t)got;
        size_t n = carry + (size_t)got;
        rc = docstore_writer_text(&b->store, b->piece + carry, (size_t)got, err);
        size_t cut = left ? safe_cut(b->piece, n) : n;
        if (!rc && run_text(b, an, b->piece, cut, *pos, a, pos)) rc = a->rc;
        memmove(b->piece, b->piece + cut, n - cut);
        carry = n - cut;
    }
    if (!rc && carry && run_text(b, an, b->piece, carry, *pos, a, pos)) rc = a->rc;
    if (!rc && left) rc = store_padding(b, left, err);
    return rc;
}

sift_err seg_build_add(struct seg_build *b, struct analyzer *an, const struct build_doc *d,
                       uint32_t *len, bool *added, sift_errmsg *err)
{
    *added = false;
    if (b->broken)
        return sift_fail(err, b->broken, "an earlier error left this batch of documents unusable");
    if (b->ndocs == UINT32_MAX)
        return sift_fail(err, SIFT_ERR_INVALID, "too many documents for one segment");
    size_t title_len = strlen(d->title), id_len = strlen(d->id);
    const char *path = d->path ? d->path : "";
    /* checks first: once the inverter has a token of the document, it
     * must be finished (a piece of it may be in a run already) */
    if (!store_fields(b, d->fields)) return sift_fail(err, SIFT_ERR_NOMEM, "out of memory");
    sift_err rc = docstore_writer_begin(&b->store, d->id, id_len, d->title, title_len, path,
                                        strlen(path), (const char *)b->fields.data, b->fields.len,
                                        d->text_len, err);
    if (rc) {
        if (rc != SIFT_ERR_INVALID) b->broken = rc;   /* the store may hold half a header */
        return rc;
    }
    if (b->pipe)
        rc = token_pipe_begin_doc(b->pipe, b->ndocs, err);
    else
        inverter_begin_doc(b->inv, b->ndocs);
    struct add_ctx a = { b, 0, err, SIFT_OK };
    uint32_t title_end = 0, end = 0;
    bool short_read = false;
    if (!rc && run_text(b, an, d->title, title_len, 0, &a, &title_end)) rc = a.rc;
    uint64_t title_tokens = a.count;
    end = title_end;
    if (!rc && d->read) {
        rc = add_stream(b, an, d, &a, &end, &short_read, err);
    } else if (!rc) {
        if (run_text(b, an, d->text, (size_t)d->text_len, title_end, &a, &end)) rc = a.rc;
        if (!rc) rc = docstore_writer_text(&b->store, d->text, (size_t)d->text_len, err);
    }
    if (!rc) rc = index_fields(b, an, d->fields, err);
    if (!rc) rc = b->pipe ? token_pipe_end_doc(b->pipe, err) : inverter_end_doc(b->inv, err);
    if (!rc) rc = docstore_writer_end(&b->store, err);
    if (!rc && (!norms_add(&b->norms, end, title_end) || !doc_meta_add(&b->meta, &d->meta) ||
                !id_writer_add(&b->ids, d->id, id_len)))
        rc = sift_fail(err, SIFT_ERR_NOMEM, "out of memory");
    if (rc) {
        b->broken = rc;
        return rc;
    }
    b->ndocs++;
    b->tokens += a.count;
    b->title_tokens += title_tokens;
    *len = end;
    *added = true;
    if (short_read)
        return sift_fail(err, SIFT_ERR_INPUT, "'%s': its text ended or failed before %llu bytes",
                         d->id, (unsigned long long)d->text_len);
    return SIFT_OK;
}

sift_err seg_build_finish(struct seg_build *b, const char *path, const char *language,
                          const struct strlist *sources, sift_errmsg *err)
{
    if (b->pipe) {   /* every token inverted before the runs are merged */
        sift_err prc = token_pipe_close(b->pipe, err);
        b->pipe = NULL;
        if (prc && !b->broken) return b->broken = prc;
    }
    if (b->broken)
        return sift_fail(err, b->broken, "an earlier error left this batch of documents unusable");
    struct segment_writer sw;
    unsigned pieces = b->threads;
    sift_err rc = segment_writer_open(&sw, b->tmp_prefix, &b->norms, pieces, err);
    if (rc) return rc;
    struct term_sink *sinks = malloc(pieces * sizeof *sinks);
    if (!sinks) rc = sift_fail(err, SIFT_ERR_NOMEM, "out of memory");
    for (unsigned k = 0; !rc && k < pieces; k++) sinks[k] = segment_writer_sink(&sw, k);
    if (err) err->msg[0] = 0;
    if (!rc) rc = inverter_merge(b->inv, sinks, pieces, err);
    free(sinks);
    if (rc && err && !err->msg[0]) *err = *segment_writer_error(&sw);
    if (!rc) rc = surface_forms_write(&b->surfaces, &sw, err);
    if (!rc) rc = docstore_writer_finish(&b->store, err);
    if (!rc && !id_writer_finish(&b->ids)) rc = sift_fail(err, SIFT_ERR_NOMEM, "out of memory");
    if (!rc) {
        sw.stats.doc_count = b->ndocs;
        sw.stats.token_count = b->tokens;
        sw.stats.title_token_count = b->title_tokens;
        snprintf(sw.stats.language, sizeof sw.stats.language, "%s", language);
        struct segment_docs docs = { &b->norms, &b->ids.index, &b->ids.ids, &b->meta, sources,
                                     &b->store, b->schema, &b->columns, b->ndocs };
        rc = segment_writer_finish(&sw, path, &docs, err);
    }
    segment_writer_discard(&sw);
    return rc;
}

void seg_build_discard(struct seg_build *b)
{
    if (b->pipe) token_pipe_close(b->pipe, NULL);
    inverter_free(b->inv);
    docstore_writer_discard(&b->store);
    buf_free(&b->norms);
    id_writer_free(&b->ids);
    buf_free(&b->meta);
    columns_builder_free(&b->columns);
    surface_forms_free(&b->surfaces);
    buf_free(&b->fields);
    free(b->term);
    free(b->tmp_prefix);
    free(b->piece);
    memset(b, 0, sizeof *b);
}
