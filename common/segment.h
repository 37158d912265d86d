/* segment.h -- section ids and fixed sizes of a segment file, shared by
 * the indexer (indexer/segment_writer.c, which draws every layout next to
 * the code that writes it) and the searcher. docs/FORMAT.md gathers them. */
#ifndef SIFT_SEGMENT_H
#define SIFT_SEGMENT_H

enum segment_section {
    SEC_META = 1,        /* collection statistics, language */
    SEC_NORMS = 2,       /* per document: token count, title token count */
    SEC_DICT_INDEX = 3,  /* per dictionary block: offset, first key */
    SEC_DICT_KEYS = 4,   /* first key of every dictionary block */
    SEC_DICT = 5,        /* prefix-compressed term blocks */
    SEC_POSTINGS = 6,    /* doc-id gaps and frequencies, blocks of 128 */
    SEC_POSITIONS = 7,   /* position gaps, varints */
    SEC_STORE_INDEX = 8, /* per store block: first doc, size, offset */
    SEC_STORE = 9,       /* zlib-compressed document records */
    SEC_ID_INDEX = 10,   /* per group of ID_GROUP documents: u64 offset of its ids, plus the end */
    SEC_IDS = 11,        /* external ids, front-coded within each group */
    SEC_DOC_META = 12,   /* per document: source size, mtime, content hash, source */
    SEC_SOURCES = 13,    /* the sources (indexed roots) documents came from */
};

#define DOC_META_SIZE 32

#define META_SIZE 128
#define META_LANGUAGE_SIZE 32
#define NORM_SIZE 8           /* a document's lengths while a segment is built */
#define NORMS_HEADER 8        /* SEC_NORMS: u8 length bits, u8 title bits, 6 zero */
#define NORMS_PAD 8           /* zero bytes after the packed norms */
#define DICT_BLOCK_TERMS 32
#define DICT_INDEX_ENTRY 16
#define STORE_INDEX_ENTRY 16
#define STORE_BLOCK_TARGET (32 * 1024)
/* A record this large is deflated and inflated as a stream, never whole. */
#define STORE_STREAM_MIN (1u << 20)
#define ID_GROUP 16          /* ids front-coded in groups of this many */
#define ID_MAX 4096          /* bytes in an external id */
#define SKIP_FIELDS 5         /* as written: five widths, then the packed fields */
enum skip_field { SKIP_LAST, SKIP_END, SKIP_POS, SKIP_TF, SKIP_LEN };   /* in entry order */
#define SKIP_TF_MANY 0xFFFF   /* a skip entry's max tf: 65535 or more */

#endif
