/* segment_writer.c -- the term sink and the assembly of a segment file.
 * Each section's layout is drawn in the file that encodes it (segment.h
 * lists them); this file only orders them in the container (segfile.h). */
#include "segment_writer.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "doc_meta.h"
#include "error.h"
#include "norms.h"
#include "segfile.h"

#define COPY_CHUNK (1u << 20)

static FILE *tmp_open(const char *prefix, const char *name, unsigned k, char **path)
{
    *path = malloc(strlen(prefix) + strlen(name) + 16);
    if (!*path) return NULL;
    sprintf(*path, "%s%s-%u", prefix, name, k);
    FILE *f = fopen(*path, "w+b");
    if (f) setvbuf(f, NULL, _IOFBF, 1 << 20);
    return f;
}

sift_err segment_writer_open(struct segment_writer *w, const char *tmp_prefix,
                             const struct buf *norms, unsigned npieces, sift_errmsg *err)
{
    memset(w, 0, sizeof *w);
    w->tmp_prefix = strdup(tmp_prefix);
    w->pieces = calloc(npieces ? npieces : 1, sizeof *w->pieces);
    if (!w->tmp_prefix || !w->pieces) {
        segment_writer_discard(w);
        return sift_fail(err, SIFT_ERR_NOMEM, "out of memory");
    }
    w->npieces = npieces ? npieces : 1;
    bool ok = true;
    for (unsigned k = 0; k < w->npieces; k++) {
        struct segment_piece *p = &w->pieces[k];
        p->post.f = tmp_open(tmp_prefix, "postings", k, &p->paths[0]);
        p->post.pos.f = tmp_open(tmp_prefix, "positions", k, &p->paths[1]);
        p->terms = tmp_open(tmp_prefix, "terms", k, &p->paths[2]);
        p->post.path = p->paths[0];
        p->post.pos.path = p->paths[1];
        p->post.norms = norms;
        ok = ok && p->post.f && p->post.pos.f && p->terms;
    }
    w->dict.f = tmp_open(tmp_prefix, "dict", 0, &w->dict_path);
    w->surface.f = tmp_open(tmp_prefix, "surface", 0, &w->surface_path);
    w->dict.path = w->dict_path;
    w->surface.path = w->surface_path;
    if (!ok || !w->dict.f || !w->surface.f) {
        sift_err rc = sift_fail(err, SIFT_ERR_IO, "%s*: cannot create temporary file: %s",
                                tmp_prefix, strerror(errno));
        segment_writer_discard(w);
        return rc;
    }
    return SIFT_OK;
}

/* ---------------------------------------------------------- the sinks */

static sift_err sink_begin(void *ctx, const char *term, size_t len)
{
    struct segment_piece *p = ctx;
    if (len > TERM_MAX)
        return sift_fail(&p->errmsg, SIFT_ERR_INVALID, "term longer than %d bytes", TERM_MAX);
    memcpy(p->term, term, len);
    p->term_len = len;
    postings_writer_begin_term(&p->post, p->term, len);
    return SIFT_OK;
}

static sift_err sink_begin_doc(void *ctx, uint32_t doc)
{
    struct segment_piece *p = ctx;
    postings_writer_begin_doc(&p->post, doc);
    return SIFT_OK;
}

static sift_err sink_positions(void *ctx, const uint32_t *positions, size_t n)
{
    struct segment_piece *p = ctx;
    return postings_writer_positions(&p->post, positions, n, &p->errmsg);
}

static sift_err sink_end_doc(void *ctx)
{
    struct segment_piece *p = ctx;
    return postings_writer_end_doc(&p->post, &p->errmsg);
}

static void put_varint(FILE *f, uint64_t v)
{
    uint8_t tmp[10];
    fwrite(tmp, 1, varint_put(tmp, v), f);
}

static bool read_varint(FILE *f, uint64_t *v)
{
    *v = 0;
    for (unsigned shift = 0; shift < 64; shift += 7) {
        int b = getc(f);
        if (b == EOF) return false;
        *v |= (uint64_t)(b & 0x7f) << shift;
        if (!(b & 0x80)) return true;
    }
    return false;
}

static sift_err sink_end(void *ctx)
{
    struct segment_piece *p = ctx;
    struct term_info ti;
    sift_err rc = postings_writer_end_term(&p->post, &ti, &p->errmsg);
    if (rc) return rc;
    put_varint(p->terms, p->term_len);
    fwrite(p->term, 1, p->term_len, p->terms);
    uint64_t v[6] = { ti.df, ti.cf, ti.doc_off, ti.doc_len, ti.pos_off, ti.pos_len };
    for (int i = 0; i < 6; i++) put_varint(p->terms, v[i]);
    if (ferror(p->terms)) return sift_fail_errno(&p->errmsg, errno, "%s: write", p->paths[2]);
    p->term_count++;
    p->posting_count += ti.df;
    return SIFT_OK;
}

struct term_sink segment_writer_sink(struct segment_writer *w, unsigned k)
{
    struct term_sink s = { &w->pieces[k], sink_begin, sink_begin_doc, sink_positions, sink_end_doc, sink_end };
    return s;
}

const sift_errmsg *segment_writer_error(const struct segment_writer *w)
{
    for (unsigned k = 0; k < w->npieces; k++)
        if (w->pieces[k].errmsg.msg[0]) return &w->pieces[k].errmsg;
    return &w->errmsg;
}

/* The pieces' terms into the dictionary and the trie, in order, each at
 * its place in the concatenated postings and positions. */
static sift_err replay_terms(struct segment_writer *w, sift_errmsg *err)
{
    uint64_t doc_base = 0, pos_base = 0;
    char term[TERM_MAX + 1];
    for (unsigned k = 0; k < w->npieces; k++) {
        struct segment_piece *p = &w->pieces[k];
        if (fflush(p->terms) != 0) return sift_fail_errno(err, errno, "%s: write", p->paths[2]);
        rewind(p->terms);
        for (uint64_t i = 0; i < p->term_count; i++) {
            uint64_t len = 0, v[6] = { 0 };
            bool ok = read_varint(p->terms, &len) && len <= TERM_MAX && fread(term, 1, len, p->terms) == len;
            for (int j = 0; ok && j < 6; j++) ok = read_varint(p->terms, &v[j]);
            if (!ok) return sift_fail(err, SIFT_ERR_IO, "%s: temporary file damaged", p->paths[2]);
            struct term_info ti = { (uint32_t)v[0], v[1], doc_base + v[2], v[3], pos_base + v[4], v[5] };
            sift_err rc = dict_writer_add(&w->dict, term, len, &ti, err);
            if (rc) return rc;
            if (!term_is_field(term, len) && !trie_writer_add(&w->trie, term, len, ti.df))
                return sift_fail(err, SIFT_ERR_NOMEM, "out of memory writing the term trie");
        }
        w->stats.term_count += p->term_count;
        w->stats.posting_count += p->posting_count;
        doc_base += p->post.off;
        pos_base += p->post.pos.off;
    }
    w->stats.postings_bytes = doc_base;
    w->stats.positions_bytes = pos_base;
    return SIFT_OK;
}

sift_err segment_writer_surface(struct segment_writer *w, const char *word, size_t word_len,
                                const char *stem, size_t stem_len, uint32_t df, uint64_t cf,
                                sift_errmsg *err)
{
    char key[TERM_MAX + 1];
    size_t keep = 0;   /* the stem's first bytes are the word's, mostly */
    while (keep < word_len && keep < stem_len && word[keep] == stem[keep]) keep++;
    size_t n = word_len + 2 + stem_len - keep;
    if (n > TERM_MAX || keep > UINT8_MAX) return SIFT_OK;   /* the analyzer cuts far below */
    memcpy(key, word, word_len);
    key[word_len] = 0;
    key[word_len + 1] = (char)keep;
    memcpy(key + word_len + 2, stem + keep, stem_len - keep);
    struct term_info ti = { df, cf, 0, 0, 0, 0 };
    return dict_writer_add(&w->surface, key, n, &ti, err);
}

/* ------------------------------------------------------------ assembly */

/* Section id: the bytes of files[0..n), one after the other. */
static sift_err copy_files(struct segwriter *sw, uint32_t id, FILE *const *files, char *const *paths,
                           unsigned n, sift_errmsg *err)
{
    segw_begin(sw, id);
    uint8_t *chunk = malloc(COPY_CHUNK);
    sift_err rc = chunk ? SIFT_OK : sift_fail(err, SIFT_ERR_NOMEM, "out of memory writing the segment");
    for (unsigned k = 0; !rc && k < n; k++) {
        FILE *f = files[k];
        if (fflush(f) != 0) {
            rc = sift_fail_errno(err, errno, "%s: write", paths[k]);
            break;
        }
        rewind(f);
        size_t got;
        while ((got = fread(chunk, 1, COPY_CHUNK, f)) > 0) segw_write(sw, chunk, got);
        if (ferror(f)) rc = sift_fail(err, SIFT_ERR_IO, "%s: read error", paths[k]);
    }
    free(chunk);
    segw_end(sw);
    return rc;
}

static sift_err copy_section(struct segwriter *sw, uint32_t id, FILE *f, const char *path, sift_errmsg *err)
{
    char *p = (char *)path;
    return copy_files(sw, id, &f, &p, 1, err);
}

/* The pieces' postings (which = 0) or positions (1), in order. */
static sift_err copy_pieces(struct segment_writer *w, struct segwriter *sw, uint32_t id, int which,
                            sift_errmsg *err)
{
    FILE **files = malloc(w->npieces * sizeof *files);
    char **paths = malloc(w->npieces * sizeof *paths);
    sift_err rc = files && paths ? SIFT_OK : sift_fail(err, SIFT_ERR_NOMEM, "out of memory writing the segment");
    for (unsigned k = 0; !rc && k < w->npieces; k++) {
        files[k] = which ? w->pieces[k].post.pos.f : w->pieces[k].post.f;
        paths[k] = w->pieces[k].paths[which];
    }
    if (!rc) rc = copy_files(sw, id, files, paths, w->npieces, err);
    free(files);
    free(paths);
    return rc;
}

static void write_buffer(struct segwriter *sw, uint32_t id, const void *p, size_t n)
{
    segw_begin(sw, id);
    segw_write(sw, p, n);
    segw_end(sw);
}

/* The sections in file order (after SEC_META). */
static sift_err write_sections(struct segment_writer *w, struct segwriter *sw,
                               const struct segment_docs *docs, sift_errmsg *err)
{
    struct buf packed = { 0 };
    if (!norms_pack(docs->norms, &packed)) return sift_fail(err, SIFT_ERR_NOMEM, "out of memory");
    write_buffer(sw, SEC_NORMS, packed.data, packed.len);
    write_buffer(sw, SEC_DICT_INDEX, w->dict.index.data, w->dict.index.len);
    write_buffer(sw, SEC_DICT_KEYS, w->dict.keys.data, w->dict.keys.len);
    sift_err rc = copy_section(sw, SEC_DICT, w->dict.f, w->dict.path, err);
    if (!rc) write_buffer(sw, SEC_TERM_TRIE, w->trie.out.data, w->trie.out.len);
    if (!rc) rc = copy_pieces(w, sw, SEC_POSTINGS, 0, err);
    if (!rc) rc = copy_pieces(w, sw, SEC_POSITIONS, 1, err);
    if (!rc) write_buffer(sw, SEC_SURFACE_INDEX, w->surface.index.data, w->surface.index.len);
    if (!rc) write_buffer(sw, SEC_SURFACE_KEYS, w->surface.keys.data, w->surface.keys.len);
    if (!rc) rc = copy_section(sw, SEC_SURFACE, w->surface.f, w->surface.path, err);
    struct docstore_writer *store = docs->store;
    if (!rc) write_buffer(sw, SEC_STORE_INDEX, store->index.data, store->index.len);
    if (!rc) rc = copy_section(sw, SEC_STORE, store->f, store->path, err);
    if (!rc) write_buffer(sw, SEC_ID_INDEX, docs->id_index->data, docs->id_index->len);
    if (!rc) write_buffer(sw, SEC_IDS, docs->ids->data, docs->ids->len);
    packed.len = 0;
    if (!rc && !doc_meta_pack(docs->meta, &packed))
        rc = sift_fail(err, SIFT_ERR_NOMEM, "out of memory");
    if (!rc) write_buffer(sw, SEC_DOC_META, packed.data, packed.len);
    if (!rc) write_buffer(sw, SEC_SOURCES, docs->sources->b.data, docs->sources->b.len);
    if (!rc && docs->schema && docs->schema->n) {
        struct schema placed = { 0 };
        packed.len = 0;
        struct buf fields = { 0 };
        if (!schema_copy(&placed, docs->schema) ||
            !columns_encode(docs->columns, docs->ndocs, &placed, &packed) || !schema_encode(&placed, &fields))
            rc = sift_fail(err, SIFT_ERR_NOMEM, "out of memory");
        if (!rc) write_buffer(sw, SEC_FIELDS, fields.data, fields.len);
        if (!rc) write_buffer(sw, SEC_COLUMNS, packed.data, packed.len);
        schema_free(&placed);
        buf_free(&fields);
    }
    buf_free(&packed);
    return rc;
}

sift_err segment_writer_finish(struct segment_writer *w, const char *path,
                               const struct segment_docs *docs, sift_errmsg *err)
{
    sift_err rc = replay_terms(w, err);
    if (!rc) rc = dict_writer_flush(&w->dict, err);
    if (!rc) rc = dict_writer_flush(&w->surface, err);
    if (!rc && !trie_writer_finish(&w->trie))
        rc = sift_fail(err, SIFT_ERR_NOMEM, "out of memory writing the term trie");
    if (rc) return rc;
    struct segwriter sw;
    rc = segw_open(&sw, path, err);
    if (rc) return rc;
    segment_meta_write(&sw, &w->stats);
    rc = write_sections(w, &sw, docs, err);
    if (rc) {
        segw_abort(&sw);
        return rc;
    }
    return segw_finish(&sw, err);
}

static void close_tmp(FILE *f, char *path)
{
    if (f) fclose(f);
    if (path) remove(path);
    free(path);
}

void segment_writer_discard(struct segment_writer *w)
{
    for (unsigned k = 0; w->pieces && k < w->npieces; k++) {
        struct segment_piece *p = &w->pieces[k];
        FILE *files[3] = { p->post.f, p->post.pos.f, p->terms };
        for (int i = 0; i < 3; i++) close_tmp(files[i], p->paths[i]);
        postings_writer_free(&p->post);
    }
    free(w->pieces);
    close_tmp(w->dict.f, w->dict_path);
    close_tmp(w->surface.f, w->surface_path);
    dict_writer_free(&w->dict);
    dict_writer_free(&w->surface);
    trie_writer_free(&w->trie);
    free(w->tmp_prefix);
    memset(w, 0, sizeof *w);
}
