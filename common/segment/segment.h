/* segment.h -- one segment file as the rest of sift sees it: its sections,
 * the constants their layouts share, and the open segment a reader holds.
 *
 * The segment module (common/segment/) owns every on-disk structure, both
 * the encoder and the decoder, and draws each byte layout once, in the file
 * that writes and reads it:
 *   SEC_META                      segment.c     collection statistics, language
 *   SEC_NORMS                     norms.c       document lengths
 *   SEC_DICT_INDEX, _KEYS, SEC_DICT  dict.c     the terms
 *   SEC_POSTINGS                  postings.c    documents, frequencies, skip tables
 *   SEC_POSITIONS                 positions.c   positions
 *   SEC_STORE_INDEX, SEC_STORE    docstore.c    compressed document records
 *   SEC_ID_INDEX, SEC_IDS         doc_ids.c     external ids
 *   SEC_DOC_META, SEC_SOURCES     doc_meta.c    what incremental runs compare
 *   SEC_FIELDS                    schema.c      the typed fields and their columns
 *   SEC_COLUMNS                   columns.c     date, number and keyword values per document
 *   SEC_SURFACE_INDEX, _KEYS, SEC_SURFACE  dict.c  the words as written (folded) and their stems
 *   SEC_TERM_TRIE                 term_trie.c   the text terms as a trie (fuzzy terms)
 * the container all of them sit in (header, directory, page checksums) in
 * segfile.h, the 128-value block codec in postings_codec.h, and the files
 * beside the segments (manifest, deletions) in manifest.h. The writer
 * (indexer/) and the query engine (searcher/) both sit on this module and
 * on nothing of each other. docs/FORMAT.md is the overview.
 */
#ifndef SIFT_SEGMENT_H
#define SIFT_SEGMENT_H

#include <stdbool.h>
#include <stdint.h>

#include <sift/sift.h>

#include "schema.h"
#include "segfile.h"

enum segment_section {
    SEC_META = 1,
    SEC_NORMS = 2,
    SEC_DICT_INDEX = 3,
    SEC_DICT_KEYS = 4,
    SEC_DICT = 5,
    SEC_POSTINGS = 6,
    SEC_POSITIONS = 7,
    SEC_STORE_INDEX = 8,
    SEC_STORE = 9,
    SEC_ID_INDEX = 10,
    SEC_IDS = 11,
    SEC_DOC_META = 12,
    SEC_SOURCES = 13,
    SEC_FIELDS = 14,
    SEC_COLUMNS = 15,
    SEC_SURFACE_INDEX = 16,
    SEC_SURFACE_KEYS = 17,
    SEC_SURFACE = 18,
    SEC_TERM_TRIE = 19,
};

/* One dictionary's sections (dict.c) and its number of blocks. */
struct dict_space {
    uint32_t index, keys, data;
    uint32_t nblocks;
};

#define DOC_END UINT32_MAX     /* past the last document of a list */
#define ID_MAX 4096            /* bytes in an external id */
#define TERM_MAX 255           /* bytes in a term (the analyzer cuts at 100) */

/* An open segment: the mapped file and what its small sections say, read
 * at open so that per-document look-ups are arithmetic. */
struct segment {
    struct segfile file;
    uint64_t number;
    uint64_t doc_base;        /* global number of its first document */
    uint32_t doc_count;
    uint64_t token_count, title_token_count, term_count, posting_count;
    struct dict_space dict;   /* the terms */
    struct dict_space surface;   /* the surface forms (dict.c) */
    uint32_t nstore_blocks;
    uint8_t norm_bits, title_bits;   /* SEC_NORMS widths (norms.c) */
    /* SEC_DOC_META record layout (doc_meta.c) */
    uint8_t meta_size_bytes, meta_mtime_bytes, meta_source_bytes, meta_source_base;
    uint32_t meta_width;
    /* deletions (from the manifest and its deletions file, index.c) */
    uint64_t del_gen;
    uint32_t *deleted;        /* ascending local document numbers */
    size_t ndeleted;
    uint64_t deleted_tokens;
    uint64_t deleted_title_tokens;
    uint8_t *delbits;         /* bit per document; NULL when none are deleted */
    size_t shadowed;          /* of them, live copies hidden by a later index (index.c) */
    struct schema schema;     /* its typed fields and their columns (schema.h) */
};

/* Map DIR/seg-<number>.sift and check every section's size against its
 * metadata. Deletions are not loaded (index.c does). */
sift_err segment_open(struct segment *s, const char *dir, uint64_t number, sift_errmsg *err);
void segment_close(struct segment *s);
/* The same over a segment file's bytes in memory (segfile_open_memory). */
sift_err segment_open_memory(struct segment *s, const uint8_t *data, size_t len, sift_errmsg *err);

/* The segment's language (SEC_META), NUL-terminated into out[32]. */
sift_err segment_language(const struct segment *s, char out[32], sift_errmsg *err);

static inline bool segment_is_deleted(const struct segment *s, uint32_t doc)
{
    return s->delbits && (s->delbits[doc >> 3] >> (doc & 7) & 1);
}

/* What SEC_META records, as the segment writer gathers it. */
struct segment_stats {
    uint32_t doc_count;
    uint64_t token_count;
    uint64_t title_token_count;
    uint64_t term_count;
    uint64_t posting_count;
    uint64_t postings_bytes;
    uint64_t positions_bytes;
    char language[32];
};

/* Write SEC_META for st into w. */
void segment_meta_write(struct segwriter *w, const struct segment_stats *st);

#endif
