/*
 * sift.h -- the public interface of libsift, a full-text search library.
 *
 * This header is the whole API and its manual. A program that includes it
 * and links -lsift can build an index and search it; nothing else is needed.
 *
 * Model
 *   An index is a directory. A sift_writer builds it from documents (id,
 *   title, text) and publishes it atomically on commit. A sift_index is a
 *   read-only, memory-mapped view of the index as it was when opened. A
 *   sift_query is parsed text bound to an index's analyzer and statistics;
 *   a sift_results holds the ranked hits of one search.
 *
 * Threads (per handle)
 *   sift_index    may be shared: any number of threads may parse queries
 *                 on it and search it at once (it is immutable once open;
 *                 page checksums are verified lazily with atomic flags).
 *   sift_query    may be shared between threads for searching once parsed
 *                 (searches only read it); free it from one thread, after
 *                 them all.
 *   sift_results  one thread at a time: sift_results_hit, _snippet and
 *                 _text load the hit's stored record into a cache inside
 *                 the results on first use, even through a const pointer.
 *                 Different results of one index may be used in parallel.
 *   sift_writer   one thread at a time, and one writer per index directory
 *                 in the whole system (a second gets SIFT_ERR_LOCKED).
 *                 Readers may open and search the index while it writes.
 *
 * Conventions
 *   - Every fallible call returns a sift_err; SIFT_OK is 0. Calls that can
 *     fail take a last argument `sift_errmsg *err`: when it is not NULL and
 *     the call fails, err->msg receives a one-line description naming the
 *     file or the input and the reason. The buffer belongs to the caller,
 *     so one per thread makes error reporting thread-safe. Each call below
 *     lists the codes it returns besides SIFT_OK; SIFT_ERR_NOMEM can come
 *     from any call that allocates.
 *   - Every struct passed by pointer, in or out, starts with `struct_size`,
 *     which the caller sets to sizeof the struct: the *_options_init calls
 *     do it, and `sift_hit h = { .struct_size = sizeof h };` does for the
 *     others. The library checks it and returns SIFT_ERR_INVALID ("built
 *     against another sift.h") rather than read or write past a struct of
 *     another version -- as zlib's deflateInit_ passes sizeof(z_stream).
 *   - Handles are created by *_open / *_parse / sift_search and released by
 *     the matching *_close / *_free, which accept NULL.
 *   - Strings passed in are copied when the library needs to keep them.
 *     Strings handed out are owned by the handle they come from and remain
 *     valid until that handle is freed, unless stated otherwise; memory
 *     the caller must free says so and is freed with sift_free().
 *   - The library keeps no global mutable state, never prints and never
 *     exits.
 *
 * Caveats
 *   - A sift_index sees the index as it was when opened; reopen it to see
 *     later commits (the old one stays valid and consistent meanwhile).
 *   - Document numbers (sift_hit.docno) change when segments merge: use
 *     them within one sift_index, and external ids across.
 *   - The total of a ranked search is a lower bound unless exact_total is
 *     set or sift_results_total_exact says so (pruning skips documents).
 *   - Query terms are analyzed with the index's stemmer: a prefix (micro*)
 *     is matched against stems, so computer* does not find "computers"
 *     (docs/QUERY.md).
 *   - An index is of one format version (little-endian on every machine);
 *     another version is refused with SIFT_ERR_VERSION (rebuild it).
 */
#ifndef SIFT_H
#define SIFT_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define SIFT_VERSION_MAJOR 0
#define SIFT_VERSION_MINOR 1
#define SIFT_VERSION_PATCH 0
#define SIFT_VERSION_STRING "0.1.0"

/* Version of the on-disk segment format this library reads and writes
 * (docs/FORMAT.md). It reads no other: an index of another version is
 * refused with SIFT_ERR_VERSION and must be rebuilt.
 *   8  the text terms as a radix trie: SEC_TERM_TRIE (fuzzy terms)
 *   7  skip entries carry each block's largest title tf (BM25F pruning)
 *   6  surface forms: SEC_SURFACE_INDEX, SEC_SURFACE_KEYS, SEC_SURFACE
 *   5  typed fields: SEC_FIELDS, SEC_COLUMNS, field values in store records
 *   4  document lengths and skip tables bit-packed at the widths needed
 *   3  patched frame-of-reference blocks; front-coded ids
 *   2  skip entries carry each block's score bounds (pruning)
 *   1  the first */
#define SIFT_FORMAT_VERSION 8

#if defined(__GNUC__)
#define SIFT_API __attribute__((visibility("default")))
#else
#define SIFT_API
#endif

/* The library's version string ("0.1.0"), to detect a header/library
 * mismatch at run time. Static storage. */
SIFT_API const char *sift_version(void);

typedef enum sift_err {
    SIFT_OK = 0,
    SIFT_ERR_NOMEM,      /* an allocation failed */
    SIFT_ERR_IO,         /* a read, write, fsync or rename failed (see msg) */
    SIFT_ERR_NOTFOUND,   /* no index at that location, or no such document */
    SIFT_ERR_CORRUPT,    /* a checksum or structural check of an index file failed */
    SIFT_ERR_VERSION,    /* the index was written by an unsupported format version */
    SIFT_ERR_QUERY,      /* the query text is malformed */
    SIFT_ERR_INVALID,    /* an argument is out of range or inconsistent, or a
                            struct's struct_size is not this library's */
    SIFT_ERR_INPUT,      /* a document was rejected (binary, invalid, too large) */
    SIFT_ERR_LOCKED,     /* another writer holds the index */
    SIFT_ERR_NOSPACE     /* the disk is full; the previous index is untouched */
} sift_err;

/* A static, human-readable name for an error code. Never NULL. */
SIFT_API const char *sift_strerror(sift_err code);

/* The size of an error message buffer: fixed for every version. */
#define SIFT_ERRMSG_SIZE 512
typedef struct sift_errmsg {
    char msg[SIFT_ERRMSG_SIZE];
} sift_errmsg;

/* ---------------------------------------------------------------- fields */

/* Typed fields beyond id, title and text (docs/QUERY.md, docs/FORMAT.md). */
typedef enum sift_field_type {
    SIFT_FIELD_TEXT = 1,     /* analyzed words, searched as name:word or name:"a phrase" */
    SIFT_FIELD_KEYWORD = 2,  /* exact values after case folding, several a document */
    SIFT_FIELD_DATE = 3,     /* ISO 8601: 2023, 2023-06, 2023-06-15, 2023-06-15T10:30:00+02:00 */
    SIFT_FIELD_NUMBER = 4    /* an integer or a decimal */
} sift_field_type;

/* ---------------------------------------------------------------- writer */

typedef struct sift_writer sift_writer;

typedef struct sift_writer_options {
    uint32_t struct_size;     /* sizeof(sift_writer_options): sift_writer_options_init sets it */
    /* Snowball stemmer name ("english", "french", ... or "none"), recorded
     * in the index so queries are analyzed the same way. NULL: the
     * existing index's language, or "english" for a new index. Changing
     * the language of an existing index needs `rebuild`. */
    const char *language;
    /* Memory budget for in-memory inversion, in MiB. When the postings
     * buffered in memory exceed it they are spilled to a sorted run on disk
     * and merged at commit: more memory, fewer runs, a little faster. 0: 256. */
    unsigned ram_mb;
    /* Start from an empty index: the first commit replaces everything the
     * directory held. 0: update the existing index in place. */
    int rebuild;
    /* Threads for adding documents: 0 or 1 does everything on the
     * caller's thread; 2 or more stems and inverts words on a second
     * thread while the caller's tokenizes and compresses (more than 2 are
     * not used yet). The index is the same byte for byte either way. Merges at
     * commit run on the caller's thread. */
    unsigned threads;
} sift_writer_options;

/* Defaults (every field 0) with struct_size set. */
SIFT_API void sift_writer_options_init(sift_writer_options *opts);

/* Open the index in directory `dir` (created if missing) for writing.
 * Takes the index's writer lock: a second writer gets SIFT_ERR_LOCKED
 * at once (the lock is released by the kernel if the process dies), then
 * removes what a writer that died left behind. Changes become visible to
 * readers only at sift_writer_commit(), which publishes them atomically.
 * `opts` may be NULL for defaults. On success *out owns the writer.
 * Errors: SIFT_ERR_LOCKED; SIFT_ERR_INVALID (unknown language, another
 * language than the index's without rebuild, struct_size); SIFT_ERR_IO;
 * SIFT_ERR_CORRUPT and SIFT_ERR_VERSION (the existing index). */
SIFT_API sift_err sift_writer_open(const char *dir, const sift_writer_options *opts,
                                   sift_writer **out, sift_errmsg *err);

/* Where the next added documents come from, for incremental reindexing:
 * `source` is the directory or file they were read from (NULL: none),
 * `path` the file shown in results (NULL: none); size, mtime_ns and hash
 * describe the content so that a later run can tell it is unchanged. */
typedef struct sift_doc_info {
    uint32_t struct_size;     /* sizeof(sift_doc_info), set by the caller */
    const char *source;
    const char *path;
    uint64_t size;
    int64_t mtime_ns;
    uint64_t hash;
} sift_doc_info;

/* Set the info of the next added documents (strings copied); info NULL
 * clears it. Errors: SIFT_ERR_INVALID (struct_size). */
SIFT_API sift_err sift_writer_set_info(sift_writer *w, const sift_doc_info *info,
                                       sift_errmsg *err);

/* Declare field `name` (a letter, then letters, digits or '_'; case does
 * not matter; not id, title, text or path) with its type, recorded in the
 * index. Declaring it again with the same type does nothing. Errors:
 * SIFT_ERR_INVALID (a bad name or type, or a field the index has with
 * another type: changing a type needs `rebuild`). */
SIFT_API sift_err sift_writer_declare_field(sift_writer *w, const char *name, sift_field_type type,
                                            sift_errmsg *err);

/* Give the next document added a value of field `name` (call once per
 * value: a keyword may have several; a date, number or text field keeps
 * the first). A field not declared gets a type by this rule, recorded in
 * the index: the names date, published, published_at, publish_date,
 * pubdate, updated, modified and created are dates; author, authors,
 * source, publisher, site, tags, tag, keywords, category, categories,
 * section, url, lang and language are keywords; any other takes its type
 * from its first value: a number if it is one, a date if it is a day in
 * ISO 8601 (2023-06-15, with or without a time), a keyword if it has at
 * most 100 bytes, else text. Values are copied. Errors: SIFT_ERR_INPUT when
 * the value does not parse as the field's type: only that value is
 * dropped, err->msg says why, and the document is added without it;
 * SIFT_ERR_INVALID (a bad name). */
SIFT_API sift_err sift_writer_field(sift_writer *w, const char *name, const char *value,
                                    sift_errmsg *err);

/* Add a document, or replace the live document with the same external id
 * (the old one is deleted at commit). `id` is NUL-terminated, non-empty
 * and at most 4096 bytes, `title` may be NULL, `text` is `text_len` bytes
 * of UTF-8 (invalid bytes act as separators). Everything is copied.
 * Errors: SIFT_ERR_INVALID (id, a text over 4 GiB); SIFT_ERR_IO and
 * SIFT_ERR_NOSPACE (temporary files). After an error other than
 * SIFT_ERR_INVALID, the pending documents cannot be committed: commit
 * fails and close discards them. */
SIFT_API sift_err sift_writer_add(sift_writer *w, const char *id, const char *title,
                                  const char *text, size_t text_len, sift_errmsg *err);

/* Reads up to `cap` bytes of a document's text into `buf`: returns how
 * many (0 only at the end), or -1 on an error. */
typedef long long (*sift_read_fn)(void *ctx, char *buf, size_t cap);

/* sift_writer_add for a text too large to hold in memory: exactly
 * `text_len` bytes are read through `read` in pieces of at most 1 MiB, so
 * memory stays within the writer's budget whatever the document's size.
 * Errors as sift_writer_add, and SIFT_ERR_INPUT when the reader fails or
 * ends early: then the index is as if the call had not happened (a live
 * document with this id stays) and the writer stays usable. */
SIFT_API sift_err sift_writer_add_stream(sift_writer *w, const char *id, const char *title,
                                         uint64_t text_len, sift_read_fn read, void *ctx,
                                         sift_errmsg *err);

/* Delete the live document with this id. Errors: SIFT_ERR_NOTFOUND when
 * there is none (nothing changes). */
SIFT_API sift_err sift_writer_delete(sift_writer *w, const char *id, sift_errmsg *err);

/* 1 when a live document has this id, 0 when none has; when it does and
 * `out` is not NULL, its recorded info (strings owned by the writer, valid
 * until the next call on it). -1 when out->struct_size is not this
 * library's. */
SIFT_API int sift_writer_lookup(sift_writer *w, const char *id, sift_doc_info *out);

/* Mark the document as still present in its source (see
 * sift_writer_delete_unseen). */
SIFT_API void sift_writer_keep(sift_writer *w, const char *id);

/* Mark every live document from `source` whose id starts with `prefix`
 * ("" for all of them) as still present: what a directory that could not
 * be read holds is kept, not taken for gone. Returns how many were
 * marked now. */
SIFT_API uint64_t sift_writer_keep_under(sift_writer *w, const char *source, const char *prefix);

/* Delete every live document that came from `source` and was neither
 * added, replaced nor kept since the writer was opened (or last
 * committed): the files that disappeared from a directory. With `dry_run`
 * nothing is deleted. *count (if not NULL) receives the number. Never
 * fails today; the code is for the future. */
SIFT_API sift_err sift_writer_delete_unseen(sift_writer *w, const char *source, int dry_run,
                                            uint64_t *count, sift_errmsg *err);

/* Live documents in the index as the writer sees it (committed ones plus
 * pending changes). */
SIFT_API uint64_t sift_writer_doc_count(const sift_writer *w);

/* Write the new segment and the deletions, fsync them, publish them with a
 * new manifest (atomic rename, directory fsync), remove files no reader
 * opening the index can need any more, then merge segments by the tiered
 * policy (each merge published the same way). An error means nothing was
 * published: the previous index is intact and pending changes are
 * dropped. SIFT_OK means the changes are published; when a tiered merge
 * after that failed (the index is valid, with more segments than the
 * policy wants, and the next commit tries again), sift_writer_warning
 * says so. The writer stays usable for more changes. Errors:
 * SIFT_ERR_NOSPACE, SIFT_ERR_IO, and the error of an earlier failed add
 * that left the pending documents unusable (see sift_writer_add). */
SIFT_API sift_err sift_writer_commit(sift_writer *w, sift_errmsg *err);

/* What the last commit did not do although it succeeded (a merge that
 * failed after the publication), or NULL. Owned by the writer. */
SIFT_API const char *sift_writer_warning(const sift_writer *w);

/* Merge the index's segments until at most `max_segments` remain (1: one
 * segment, with deleted documents expunged). Each merge is published like
 * a commit, so after an error the index is the last one published (merges
 * done before the failing one stay). Errors: SIFT_ERR_INVALID (uncommitted
 * changes: commit first), SIFT_ERR_NOSPACE, SIFT_ERR_IO, SIFT_ERR_CORRUPT
 * (a segment to merge). */
SIFT_API sift_err sift_writer_merge(sift_writer *w, unsigned max_segments, sift_errmsg *err);

/* Release the writer and its lock. Uncommitted changes are discarded and
 * temporary files removed. Accepts NULL. */
SIFT_API void sift_writer_close(sift_writer *w);

/* ----------------------------------------------------------------- index */

typedef struct sift_index sift_index;

/* Open the index in `dir` read-only by memory-mapping its files. Only the
 * headers and checksum tables are read at open; every other page is
 * checked against its CRC32 the first time a search touches it.
 * Errors: SIFT_ERR_NOTFOUND (no manifest), SIFT_ERR_CORRUPT (a checksum,
 * a size, a missing segment), SIFT_ERR_VERSION, SIFT_ERR_IO. */
SIFT_API sift_err sift_index_open(const char *dir, sift_index **out, sift_errmsg *err);

/* Open dirs[0..n) as one index: their segments in that order, scored with
 * statistics summed over all of them (document count, document
 * frequencies, mean lengths), so every query ranks, counts and explains
 * exactly as one index holding all their documents would. An id live in
 * several is live in the last directory that holds it; the earlier copies
 * are hidden as if that index had updated them (their ids are read at
 * open: list the largest index first, it is never hashed). Each
 * directory is opened as by sift_index_open; n == 1 is sift_index_open.
 * Errors: those of sift_index_open, and SIFT_ERR_INVALID for no
 * directory, one given twice, or indexes of different languages. The
 * handle owns nothing of dirs. */
SIFT_API sift_err sift_index_open_many(const char *const *dirs, size_t n, sift_index **out,
                                       sift_errmsg *err);

/* Unmap and free. No query or result of this index may be used after. */
SIFT_API void sift_index_close(sift_index *idx);

typedef struct sift_index_stats {
    uint32_t struct_size;    /* sizeof(sift_index_stats), set by the caller */
    uint64_t doc_count;      /* live documents */
    uint64_t deleted_count;  /* deleted documents still held by segments */
    uint64_t shadowed_count; /* copies of an id a later index holds (sift_index_open_many) */
    uint64_t term_count;     /* distinct terms, summed over segments (an upper bound) */
    uint64_t token_count;    /* tokens over all live documents */
    uint64_t posting_count;  /* (term, document) pairs */
    uint64_t bytes;          /* size of the index files */
    uint64_t postings_bytes; /* compressed doc ids and frequencies */
    uint64_t positions_bytes;/* compressed positions */
    uint64_t store_bytes;    /* compressed document store */
    uint32_t segment_count;
    char language[32];       /* stemmer the index was built with */
} sift_index_stats;

/* Errors: SIFT_ERR_INVALID (struct_size). */
SIFT_API sift_err sift_index_stats_get(const sift_index *idx, sift_index_stats *out,
                                       sift_errmsg *err);

/* Verify every checksum of every index file (reads the whole index).
 * Errors: SIFT_ERR_CORRUPT. */
SIFT_API sift_err sift_index_verify(sift_index *idx, sift_errmsg *err);

/* Check every checksum and every structural invariant of the index (as
 * Lucene's CheckIndex does): sorted dictionary, postings that decode to
 * increasing documents with the recorded df and cf, positions inside their
 * documents, lengths that add up, stored records matching the ids,
 * deletions that add up, no id live twice. Each problem found is passed
 * to `report` (may be NULL) as one line; *problems (may be NULL) receives
 * their number. Reads the whole index. Errors: SIFT_ERR_CORRUPT when any
 * problem was found. */
typedef void (*sift_check_fn)(void *ctx, const char *problem);
SIFT_API sift_err sift_index_check(sift_index *idx, sift_check_fn report, void *ctx,
                                   uint64_t *problems, sift_errmsg *err);

/* ----------------------------------------------------------------- query */

typedef struct sift_query sift_query;

/* Parse `text` with the analyzer the index was built with. The query
 * language (docs/QUERY.md, and `search --help`):
 *   cloud outage            any word may match, ranked by BM25
 *   +cloud +outage          required words; -alibaba or NOT alibaba excludes
 *   a AND b, a OR b, ( )    boolean operators; AND binds tighter than OR
 *   "export restrictions"   exact phrase; "cloud spin-off"~2 with slop 2
 *   NEAR/5(a b)             all words within 5 other words, any order;
 *   ONEAR/5(a b)            the same, in the given order
 *   title:azure             restrict a word, phrase or group to a field (title, text)
 *   micro*                  every indexed term starting with the prefix
 *   alibba~1                the index terms within 1 edit (alibba~: 2)
 * The query is bound to `idx` (its terms' statistics are read now) and
 * must be freed before it. A query that is malformed as written is read
 * leniently: a stray bracket or quote is dropped, a 'word:' that names no
 * field is the word, an operator with nothing to apply to is dropped, and
 * what was changed is said by sift_query_warning (docs/QUERY.md, "Lenient
 * reading"); SIFT_QUERY_STRICT makes it an error instead. Errors:
 * SIFT_ERR_QUERY (nothing searchable, too many terms, or with
 * SIFT_QUERY_STRICT malformed: err->msg says what is wrong and quotes the
 * query with a caret under the column), SIFT_ERR_INVALID (text NULL),
 * SIFT_ERR_CORRUPT (the dictionary). */
SIFT_API sift_err sift_query_parse(const sift_index *idx, const char *text,
                                   sift_query **out, sift_errmsg *err);

/* Flags for sift_query_parse_flags. */
#define SIFT_QUERY_ALL 1u      /* words without an operator are all required */
#define SIFT_QUERY_LITERAL 2u  /* no syntax: every character is text to search for */
#define SIFT_QUERY_KEEP_STOPWORDS 4u  /* keep optional stopwords in OR groups (docs/QUERY.md) */
#define SIFT_QUERY_STRICT 8u   /* a malformed query is SIFT_ERR_QUERY, not read leniently */
/* drop only Lucene's 33 English stopwords from OR groups, not Snowball's
 * longer list (the Lucene-comparable ranking, `search --rank bm25`) */
#define SIFT_QUERY_LUCENE_STOPWORDS 16u

SIFT_API sift_err sift_query_parse_flags(const sift_index *idx, const char *text, unsigned flags,
                                         sift_query **out, sift_errmsg *err);

/* A warning about the parsed query, one line, or NULL: what a lenient
 * reading changed ("query read as: cloud outage (column 7: unbalanced
 * '(': it is never closed)"), a prefix whose expansion was capped. Owned
 * by the query. */
SIFT_API const char *sift_query_warning(const sift_query *q);

SIFT_API void sift_query_free(sift_query *q);

/* Statistics across processes. A process that holds one shard of a
 * collection (one index of several) scores exactly as one index holding
 * every shard when it parses with the shards' summed statistics:
 *   1. each shard: sift_stats_collect(shard, text, flags) -- its document
 *      and token counts, the document frequency of every term the query
 *      reads, and the terms each prefix and fuzzy word expands to there;
 *      sift_stats_encode to send it;
 *   2. one place: sift_stats_decode each, sift_stats_merge them into one
 *      (counts and frequencies summed, expansions united), encode;
 *   3. each shard: sift_query_parse_global(shard, text, flags, sum), then
 *      sift_search / sift_count as usual. Every prefix and fuzzy word
 *      searches the union's terms, ranked with the summed frequencies.
 * Scores are then those of one index of all the shards (to rounding), so
 * merging the shards' top k by score, ties by shard order then rank, is
 * that index's top k, and counts add up. The shards must hold disjoint
 * ids (a process cannot see another's: an id in two counts twice, where
 * sift_index_open_many would keep one). Exact as long as no expansion
 * is capped in a shard (1024 terms for a prefix, 50 for a fuzzy word; the
 * query's warning says so). text and flags must be the same at every
 * step (SIFT_ERR_INVALID otherwise), and so must the shards' language.
 * A sift_stats is owned by its creator (sift_stats_free); encoded bytes
 * are malloc'ed (sift_free). Decoding checks a CRC-32 and every length:
 * anything malformed is SIFT_ERR_INVALID. The encoding is drawn in
 * searcher/global_stats.c. */
typedef struct sift_stats sift_stats;
SIFT_API sift_err sift_stats_collect(const sift_index *idx, const char *text, unsigned flags,
                                     sift_stats **out, sift_errmsg *err);
SIFT_API sift_err sift_stats_merge(sift_stats *into, const sift_stats *from, sift_errmsg *err);
SIFT_API sift_err sift_stats_encode(const sift_stats *st, void **out, size_t *len, sift_errmsg *err);
SIFT_API sift_err sift_stats_decode(const void *data, size_t len, sift_stats **out, sift_errmsg *err);
SIFT_API void sift_stats_free(sift_stats *st);
/* The query text st was collected for (owned by st), and its flags. */
SIFT_API const char *sift_stats_query(const sift_stats *st, unsigned *flags);
SIFT_API sift_err sift_query_parse_global(const sift_index *idx, const char *text, unsigned flags,
                                          const sift_stats *global, sift_query **out, sift_errmsg *err);

/* "Did you mean": the query text (read with these SIFT_QUERY_* flags)
 * with each misspelled word replaced by a close word of the index, as the
 * documents spell it (folded): a word no document holds, by the nearest
 * word within 1 edit (words under 6 letters) or 2, then the most frequent;
 * a word documents hold, only by a word 1 edit away that is 1000 times as
 * frequent (never a stopword). Candidates begin with the typed first
 * letter (or the first two swapped). Prefixes, fuzzy words, typed
 * fields and exclusions are left as typed. *out is a malloc'ed query that finds documents (free it
 * with sift_free), or NULL when there is nothing to suggest. Costs a walk
 * of the index's word list per word (docs/QUERY.md, "Suggestions").
 * Errors: SIFT_ERR_INVALID (NULL arguments), SIFT_ERR_CORRUPT. */
SIFT_API sift_err sift_suggest(const sift_index *idx, const char *text, unsigned flags, char **out,
                               sift_errmsg *err);

/* --------------------------------------------------------------- search */

/* Ranking functions. */
#define SIFT_RANK_BM25 0       /* BM25, or BM25F with field weights */
#define SIFT_RANK_BM25_PROX 1  /* BM25 plus a term-pair proximity bonus (BM25TP) */

/* The default ranking (sift_search_options_init): BM25F with the title
 * weighing 3 and the text 1, k1 1.2, b 0.75, queries parsed without
 * SIFT_QUERY_LUCENE_STOPWORDS; chosen leaving each shared test collection
 * out in turn (README, "Relevance"). Lucene's BM25 as the published
 * baselines run it (title and text as one field, EnglishAnalyzer's
 * stopwords): k1 SIFT_BM25_K1, b SIFT_BM25_B, both weights 0, and
 * SIFT_QUERY_LUCENE_STOPWORDS. */
#define SIFT_DEFAULT_K1 1.2
#define SIFT_DEFAULT_B 0.75
#define SIFT_DEFAULT_TITLE_WEIGHT 3.0
#define SIFT_DEFAULT_TEXT_WEIGHT 1.0
#define SIFT_BM25_K1 0.9
#define SIFT_BM25_B 0.4

typedef struct sift_search_options {
    uint32_t struct_size; /* sizeof(sift_search_options): sift_search_options_init sets it */
    uint32_t limit;   /* number of hits wanted; 0: 10 */
    uint32_t offset;  /* hits to skip (for paging) */
    double k1;        /* BM25 k1; a negative value means the default 1.2 */
    double b;         /* BM25 b; a negative value means the default 0.75 */
    unsigned rank;    /* SIFT_RANK_BM25 (default) or SIFT_RANK_BM25_PROX */
    /* Field weights for BM25F: a word's frequency is title_weight times
     * its title count plus text_weight times its text count, and lengths
     * are weighted alike. Default 3 and 1; both 0: one flat field. */
    double title_weight, text_weight;
    /* Nonzero: count every matching document for sift_results_total. Zero
     * (the default): a search skips documents that cannot enter the top
     * limit + offset (block-max and MaxScore pruning, under every ranking;
     * the hits are the same), so the total is exact only when
     * sift_results_total_exact says so, and otherwise a lower bound. */
    unsigned exact_total;
    /* Sort the hits by a date or number field instead of the score: "date"
     * ascending, "-date" descending; ties by score, then by id; documents
     * without the field last. NULL (the default): by score. A sorted top k
     * skips the column blocks and documents whose value cannot enter it,
     * so the total is then exact only as sift_results_total_exact says. */
    const char *sort;
    /* Count the values of these fields among every matching document
     * (sift_results_facet): keyword fields by value, dates by "FIELD:year",
     * ":month" or ":day" (a date field alone: by day), numbers by value.
     * facet_limit values per facet, most frequent first (0: 10). Faceting
     * counts every match, so the total is exact. */
    const char *const *facets;
    uint32_t nfacets;
    uint32_t facet_limit;
    /* Nonzero: collect no hits, only the total (then exact) and the facets:
     * what `search --facet` prints. Zero (the default): hits as asked. */
    unsigned no_hits;
} sift_search_options;

/* Initialize options to the defaults (limit 10, the default ranking:
 * BM25F title 3 and text 1, k1 1.2, b 0.75) with struct_size set. */
SIFT_API void sift_search_options_init(sift_search_options *opts);

typedef struct sift_results sift_results;

/* Rank the documents matching `q` with BM25 (Lucene's formula) and keep
 * the best `limit` after `offset` (opts NULL: the defaults). Safe to call
 * from many threads on the same index and query. On success *out owns the
 * results. Errors: SIFT_ERR_INVALID (options out of range, struct_size, a
 * query of another index), SIFT_ERR_CORRUPT. */
SIFT_API sift_err sift_search(const sift_index *idx, const sift_query *q,
                              const sift_search_options *opts, sift_results **out,
                              sift_errmsg *err);

/* How document `docno` (from sift_hit.docno) scores for `q` with these
 * options: one line per clause with its term frequency, document
 * frequency, idf, document length, field and BM25 contribution, and for
 * phrases and NEAR the number of matches. *out is malloc'ed text (free it
 * with sift_free); it says so when the document does not match. Errors:
 * SIFT_ERR_INVALID (no such document, options), SIFT_ERR_CORRUPT. */
SIFT_API sift_err sift_explain(const sift_index *idx, const sift_query *q,
                               const sift_search_options *opts, uint64_t docno, char **out,
                               sift_errmsg *err);

/* The typed fields of the index: their number, then field i's name
 * (owned by idx) and type. */
SIFT_API size_t sift_index_field_count(const sift_index *idx);
SIFT_API sift_err sift_index_field(const sift_index *idx, size_t i, const char **name,
                                   sift_field_type *type, sift_errmsg *err);

/* Count the documents matching `q` without ranking them. Errors:
 * SIFT_ERR_INVALID (a query of another index), SIFT_ERR_CORRUPT. */
SIFT_API sift_err sift_count(const sift_index *idx, const sift_query *q, uint64_t *out,
                             sift_errmsg *err);

/* Pseudo-relevance feedback (RM3, as Anserini runs it): search q (opts'
 * ranking), read the top 10 documents, and make *out: q's reading with
 * its words sharing half the weight and beside it, as optional words, the
 * 10 terms most likely in those documents (each the share of its document
 * times its document's share of the 10 scores), sharing the other half.
 * A term that q requires or excludes keeps doing so. Costs the first
 * search, reading and analyzing 10 stored texts, and a second search of
 * about 10 more words (docs/QUERY.md, "Feedback"). *out is freed with
 * sift_query_free. Errors: those of sift_search. */
SIFT_API sift_err sift_query_expand(const sift_index *idx, const sift_query *q,
                                    const sift_search_options *opts, sift_query **out, sift_errmsg *err);


typedef struct sift_hit {
    uint32_t struct_size; /* sizeof(sift_hit), set by the caller */
    double score;
    const char *id;     /* external id */
    const char *title;  /* may be "" */
    const char *path;   /* source file, may be "" */
    uint64_t docno;     /* internal document number, stable until reindexing */
    size_t nfields;     /* typed field values, read with sift_results_field */
} sift_hit;

/* Number of hits held (at most limit). */
SIFT_API size_t sift_results_size(const sift_results *r);
/* Number of documents that matched the query (all of them, not only the
 * hits held); a lower bound when the search pruned (see exact_total). */
SIFT_API uint64_t sift_results_total(const sift_results *r);
/* 1 when sift_results_total is the exact number of matches, else 0. */
SIFT_API int sift_results_total_exact(const sift_results *r);
/* The external id and score of hit i without loading its stored record
 * (cheap: for run files and id lists). NULL / 0 when i is out of range. */
SIFT_API const char *sift_results_id(const sift_results *r, size_t i);
SIFT_API double sift_results_score(const sift_results *r, size_t i);

/* Hit i (0-based, best first), loading its stored record (title, path)
 * into r's cache on first use. The strings belong to `r`. Errors:
 * SIFT_ERR_INVALID (i out of range, struct_size), SIFT_ERR_CORRUPT. */
SIFT_API sift_err sift_results_hit(const sift_results *r, size_t i, sift_hit *out,
                                   sift_errmsg *err);

/* Typed field value k (0 <= k < sift_hit.nfields) of hit i, as given when
 * the document was added: *name and *value belong to r (valid until it is
 * freed; the record is loaded on first use). A keyword field may have
 * several values: several k with one name. Errors: SIFT_ERR_INVALID (i or
 * k out of range), SIFT_ERR_CORRUPT. */
SIFT_API sift_err sift_results_field(const sift_results *r, size_t i, size_t k, const char **name,
                                     const char **value, sift_errmsg *err);

/* The facet counts the search was asked for (sift_search_options.facets):
 * their number over every facet, then each as (facet as asked, value,
 * count), facet by facet in the order asked, most frequent value first.
 * Strings belong to r. */
SIFT_API size_t sift_results_facet_count(const sift_results *r);
typedef struct sift_facet_value {
    uint32_t struct_size; /* sizeof(sift_facet_value), set by the caller */
    const char *facet;    /* "source", "date:year" */
    const char *value;    /* a keyword as first typed, "2023", "2023-06", a number */
    uint64_t count;
} sift_facet_value;
/* Errors: SIFT_ERR_INVALID (j out of range, struct_size). */
SIFT_API sift_err sift_results_facet(const sift_results *r, size_t j, sift_facet_value *out,
                                     sift_errmsg *err);

/* Snippet markers: the text placed around each highlighted query term. */
typedef struct sift_snippet_options {
    uint32_t struct_size;  /* sizeof(sift_snippet_options): sift_snippet_options_init sets it */
    size_t max_tokens;     /* length of the passage in words; 0: 32 */
    const char *open;      /* before a matched term; NULL: "" */
    const char *close;     /* after a matched term; NULL: "" */
} sift_snippet_options;

/* Defaults (32 words, no markers) with struct_size set. */
SIFT_API void sift_snippet_options_init(sift_snippet_options *opts);

/* The best-matching passage of hit i with the query's terms wrapped in
 * open/close markers, on one line (opts NULL: the defaults). On success
 * *out is a NUL-terminated string the caller frees with sift_free().
 * Errors: SIFT_ERR_INVALID (i out of range, struct_size), SIFT_ERR_CORRUPT. */
SIFT_API sift_err sift_results_snippet(const sift_results *r, size_t i,
                                       const sift_snippet_options *opts, char **out,
                                       sift_errmsg *err);

/* The stored text of hit i. *out is malloc'ed, NUL-terminated; free it
 * with sift_free(). *len (if not NULL) receives its length. Errors:
 * SIFT_ERR_INVALID (i out of range), SIFT_ERR_CORRUPT. */
SIFT_API sift_err sift_results_text(const sift_results *r, size_t i, char **out, size_t *len,
                                    sift_errmsg *err);

SIFT_API void sift_results_free(sift_results *r);

/* Free memory the library handed to the caller. Accepts NULL. */
SIFT_API void sift_free(void *p);

#ifdef __cplusplus
}
#endif
#endif /* SIFT_H */
