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

enum { TMP_POSTINGS, TMP_POSITIONS, TMP_DICT, TMP_SURFACE, NTMP };
static const char *const tmp_names[NTMP] = { "postings", "positions", "dict", "surface" };

static FILE *tmp_open(struct segment_writer *w, int k)
{
    w->paths[k] = malloc(strlen(w->tmp_prefix) + strlen(tmp_names[k]) + 1);
    if (!w->paths[k]) return NULL;
    sprintf(w->paths[k], "%s%s", w->tmp_prefix, tmp_names[k]);
    FILE *f = fopen(w->paths[k], "w+b");
    if (f) setvbuf(f, NULL, _IOFBF, 1 << 20);
    return f;
}

sift_err segment_writer_open(struct segment_writer *w, const char *tmp_prefix,
                             const struct buf *norms, sift_errmsg *err)
{
    memset(w, 0, sizeof *w);
    w->tmp_prefix = strdup(tmp_prefix);
    if (!w->tmp_prefix) return sift_fail(err, SIFT_ERR_NOMEM, "out of memory");
    w->post.f = tmp_open(w, TMP_POSTINGS);
    w->post.pos.f = tmp_open(w, TMP_POSITIONS);
    w->dict.f = tmp_open(w, TMP_DICT);
    w->surface.f = tmp_open(w, TMP_SURFACE);
    if (!w->post.f || !w->post.pos.f || !w->dict.f || !w->surface.f) {
        sift_err rc = sift_fail(err, SIFT_ERR_IO, "%s*: cannot create temporary file: %s",
                                tmp_prefix, strerror(errno));
        segment_writer_discard(w);
        return rc;
    }
    w->post.path = w->paths[TMP_POSTINGS];
    w->post.pos.path = w->paths[TMP_POSITIONS];
    w->dict.path = w->paths[TMP_DICT];
    w->surface.path = w->paths[TMP_SURFACE];
    w->post.norms = norms;
    return SIFT_OK;
}

/* ---------------------------------------------------------- the sink */

static sift_err sink_begin(void *ctx, const char *term, size_t len)
{
    struct segment_writer *w = ctx;
    if (len > TERM_MAX)
        return sift_fail(&w->errmsg, SIFT_ERR_INVALID, "term longer than %d bytes", TERM_MAX);
    memcpy(w->term, term, len);
    w->term_len = len;
    postings_writer_begin_term(&w->post, w->term, len);
    return SIFT_OK;
}

static sift_err sink_begin_doc(void *ctx, uint32_t doc)
{
    struct segment_writer *w = ctx;
    postings_writer_begin_doc(&w->post, doc);
    return SIFT_OK;
}

static sift_err sink_positions(void *ctx, const uint32_t *positions, size_t n)
{
    struct segment_writer *w = ctx;
    return postings_writer_positions(&w->post, positions, n, &w->errmsg);
}

static sift_err sink_end_doc(void *ctx)
{
    struct segment_writer *w = ctx;
    return postings_writer_end_doc(&w->post, &w->errmsg);
}

static sift_err sink_end(void *ctx)
{
    struct segment_writer *w = ctx;
    struct term_info ti;
    sift_err rc = postings_writer_end_term(&w->post, &ti, &w->errmsg);
    if (!rc) rc = dict_writer_add(&w->dict, w->term, w->term_len, &ti, &w->errmsg);
    if (!rc && !term_is_field(w->term, w->term_len) && !trie_writer_add(&w->trie, w->term, w->term_len, ti.df))
        rc = sift_fail(&w->errmsg, SIFT_ERR_NOMEM, "out of memory writing the term trie");
    if (rc) return rc;
    w->stats.term_count++;
    w->stats.posting_count += ti.df;
    return SIFT_OK;
}

struct term_sink segment_writer_sink(struct segment_writer *w)
{
    struct term_sink s = { w, sink_begin, sink_begin_doc, sink_positions, sink_end_doc, sink_end };
    return s;
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

static sift_err copy_section(struct segwriter *sw, uint32_t id, FILE *f, const char *path,
                             sift_errmsg *err)
{
    segw_begin(sw, id);
    if (fflush(f) != 0) return sift_fail_errno(err, errno, "%s: write", path);
    rewind(f);
    uint8_t *chunk = malloc(COPY_CHUNK);
    if (!chunk) return sift_fail(err, SIFT_ERR_NOMEM, "out of memory writing the segment");
    size_t n;
    while ((n = fread(chunk, 1, COPY_CHUNK, f)) > 0) segw_write(sw, chunk, n);
    int bad = ferror(f);
    free(chunk);
    segw_end(sw);
    if (bad) return sift_fail(err, SIFT_ERR_IO, "%s: read error", path);
    return SIFT_OK;
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
    if (!rc) rc = copy_section(sw, SEC_POSTINGS, w->post.f, w->post.path, err);
    if (!rc) rc = copy_section(sw, SEC_POSITIONS, w->post.pos.f, w->post.pos.path, err);
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
    sift_err rc = dict_writer_flush(&w->dict, err);
    if (!rc) rc = dict_writer_flush(&w->surface, err);
    if (!rc && !trie_writer_finish(&w->trie))
        rc = sift_fail(err, SIFT_ERR_NOMEM, "out of memory writing the term trie");
    if (rc) return rc;
    w->stats.postings_bytes = w->post.off;
    w->stats.positions_bytes = w->post.pos.off;
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

void segment_writer_discard(struct segment_writer *w)
{
    FILE *files[NTMP] = { w->post.f, w->post.pos.f, w->dict.f, w->surface.f };
    for (int i = 0; i < NTMP; i++) {
        if (files[i]) fclose(files[i]);
        if (w->paths[i]) remove(w->paths[i]);
        free(w->paths[i]);
    }
    postings_writer_free(&w->post);
    dict_writer_free(&w->dict);
    dict_writer_free(&w->surface);
    trie_writer_free(&w->trie);
    free(w->tmp_prefix);
    memset(w, 0, sizeof *w);
}
