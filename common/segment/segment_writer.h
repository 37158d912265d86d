/* segment_writer.h -- one segment file from merged postings and what was
 * gathered per document: the term sink the inverter's merge feeds
 * (dictionary, postings, positions into temporary files), then the
 * assembly of every section into the checksummed file. */
#ifndef SIFT_SEGMENT_WRITER_H
#define SIFT_SEGMENT_WRITER_H

#include <stdint.h>
#include <stdio.h>

#include <sift/sift.h>

#include "bytes.h"
#include "columns.h"
#include "dict.h"
#include "docstore.h"
#include "postings.h"
#include "segment.h"
#include "strlist.h"
#include "term_trie.h"

/* Receives the merged postings: for each term in byte order, begin_term,
 * then every document in doc-id order -- begin_doc, its positions in
 * increasing order over one or more `positions` calls, end_doc -- then
 * end_term. Positions come in pieces so that a document with millions of
 * them never needs them all in memory. On an error the callee's message
 * is in the sink's own errmsg (segment_writer_error). */
struct term_sink {
    void *ctx;
    sift_err (*begin_term)(void *ctx, const char *term, size_t len);
    sift_err (*begin_doc)(void *ctx, uint32_t doc);
    sift_err (*positions)(void *ctx, const uint32_t *positions, size_t n);
    sift_err (*end_doc)(void *ctx);
    sift_err (*end_term)(void *ctx);
};

/* One range of the terms, written on its own thread when the merge is
 * parallel (indexer/runs.h): postings and positions into temporary files
 * of its own at offsets from 0, and each term with its term_info into a
 * term list that segment_writer_finish replays, in piece order and at the
 * offsets of the whole, into the dictionary and the trie. A term's bytes
 * do not depend on where they sit, and the pieces cover consecutive
 * ranges, so the segment is the same whatever their number. */
struct segment_piece {
    struct postings_writer post;     /* with its positions writer */
    FILE *terms;                     /* varint length, bytes, then df, cf, doc_off,
                                        doc_len, pos_off, pos_len as varints */
    char *paths[3];                  /* postings, positions, terms */
    char term[TERM_MAX + 1];         /* the term being written */
    size_t term_len;
    uint64_t term_count, posting_count;
    sift_errmsg errmsg;              /* what a sink call failed with */
};

struct segment_writer {
    char *tmp_prefix;
    struct segment_piece *pieces;
    unsigned npieces;
    char *surface_path;
    struct dict_writer dict;         /* filled at finish, from the pieces' terms */
    char *dict_path;
    struct dict_writer surface;      /* the surface forms (dict.c) */
    struct trie_writer trie;         /* the text terms again (term_trie.c) */
    struct segment_stats stats;
    sift_errmsg errmsg;
};

/* norms: the documents' lengths (norms.h records) for the skip tables'
 * length bounds, gathered before the merge; may be NULL. npieces (>= 1):
 * the sinks the merge will feed. */
sift_err segment_writer_open(struct segment_writer *w, const char *tmp_prefix,
                             const struct buf *norms, unsigned npieces, sift_errmsg *err);
/* The sink of piece k, to pass to the inverter's merge. */
struct term_sink segment_writer_sink(struct segment_writer *w, unsigned k);
/* The first message a sink failed with ("" when none did). */
const sift_errmsg *segment_writer_error(const struct segment_writer *w);

/* Add the next surface form (after the previous one in byte order):
 * word, its stem, and the documents and occurrences of the word. */
sift_err segment_writer_surface(struct segment_writer *w, const char *word, size_t word_len,
                                const char *stem, size_t stem_len, uint32_t df, uint64_t cf,
                                sift_errmsg *err);

/* The per-document sections, gathered while documents arrived. */
struct segment_docs {
    const struct buf *norms;         /* norms.h records */
    const struct buf *id_index;      /* doc_ids.h: finished */
    const struct buf *ids;
    const struct buf *meta;          /* doc_meta.h records */
    const struct strlist *sources;
    struct docstore_writer *store;   /* finished */
    const struct schema *schema;     /* the typed fields (may have none) */
    struct columns_builder *columns; /* their values */
    uint32_t ndocs;
};

/* Write the segment file at `path` (stats.doc_count, token counts and
 * language set by the caller), fsync it. */
sift_err segment_writer_finish(struct segment_writer *w, const char *path,
                               const struct segment_docs *docs, sift_errmsg *err);
void segment_writer_discard(struct segment_writer *w);

#endif
