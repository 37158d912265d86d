/* segment.c -- opening a segment file, and its SEC_META both ways.
 *
 * SEC_META, 128 bytes:
 *   0 u32 doc count          4 u32 analyzer version
 *   8 u64 token count        16 u64 term count
 *   24 u64 posting count     32 u64 title token count
 *   40 32 bytes language, NUL-padded
 *   72 u32 postings block size (128)   76 u32 dictionary block terms (32)
 *   80..127 zero
 */
#include "segment.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyzer.h"
#include "dict.h"
#include "doc_ids.h"
#include "doc_meta.h"
#include "docstore.h"
#include "error.h"
#include "fileio.h"
#include "manifest.h"
#include "norms.h"
#include "postings_codec.h"

#define META_SIZE 128
#define META_LANGUAGE 40
#define META_LANGUAGE_SIZE 32

void segment_meta_write(struct segwriter *w, const struct segment_stats *st)
{
    uint8_t m[META_SIZE] = { 0 };
    wr_u32(m, st->doc_count);
    wr_u32(m + 4, ANALYZER_VERSION);
    wr_u64(m + 8, st->token_count);
    wr_u64(m + 16, st->term_count);
    wr_u64(m + 24, st->posting_count);
    wr_u64(m + 32, st->title_token_count);
    memcpy(m + META_LANGUAGE, st->language, strnlen(st->language, META_LANGUAGE_SIZE - 1));
    wr_u32(m + 72, POSTINGS_BLOCK);
    wr_u32(m + 76, DICT_BLOCK_TERMS);
    segw_begin(w, SEC_META);
    segw_write(w, m, sizeof m);
    segw_end(w);
}

sift_err segment_language(const struct segment *s, char out[32], sift_errmsg *err)
{
    sift_err rc = SIFT_OK;
    const uint8_t *m = segfile_get(&s->file, SEC_META, 0, META_SIZE, &rc, err);
    if (!m) return rc;
    snprintf(out, META_LANGUAGE_SIZE, "%.31s", (const char *)m + META_LANGUAGE);
    return SIFT_OK;
}

/* What the small sections say, once the file is open. */
static sift_err read_meta(struct segment *s, sift_errmsg *err)
{
    sift_err rc = SIFT_OK;
    const uint8_t *m = segfile_get(&s->file, SEC_META, 0, META_SIZE, &rc, err);
    if (!m) return rc;
    s->doc_count = rd_u32(m);
    s->token_count = rd_u64(m + 8);
    s->term_count = rd_u64(m + 16);
    s->posting_count = rd_u64(m + 24);
    s->title_token_count = rd_u64(m + 32);
    const struct segfile *f = &s->file;
    if (rd_u32(m + 72) != POSTINGS_BLOCK || rd_u32(m + 76) != DICT_BLOCK_TERMS ||
        segfile_section_len(f, SEC_DICT_INDEX) % DICT_INDEX_ENTRY ||
        segfile_section_len(f, SEC_SURFACE_INDEX) % DICT_INDEX_ENTRY ||
        segfile_section_len(f, SEC_TERM_TRIE) < 9 ||
        segfile_section_len(f, SEC_STORE_INDEX) % STORE_INDEX_ENTRY || !doc_ids_fit(s))
        return sift_fail(err, SIFT_ERR_CORRUPT, "%s: section sizes contradict the metadata",
                         f->path);
    if ((rc = doc_meta_open(s, err)) || (rc = norms_open(s, err)) || (rc = schema_read(s, &s->schema, err)))
        return rc;
    s->dict = (struct dict_space){ SEC_DICT_INDEX, SEC_DICT_KEYS, SEC_DICT,
                                   (uint32_t)(segfile_section_len(f, SEC_DICT_INDEX) / DICT_INDEX_ENTRY) };
    s->surface = (struct dict_space){ SEC_SURFACE_INDEX, SEC_SURFACE_KEYS, SEC_SURFACE,
                                      (uint32_t)(segfile_section_len(f, SEC_SURFACE_INDEX) / DICT_INDEX_ENTRY) };
    s->nstore_blocks = (uint32_t)(segfile_section_len(f, SEC_STORE_INDEX) / STORE_INDEX_ENTRY);
    return SIFT_OK;
}

sift_err segment_open(struct segment *s, const char *dir, uint64_t number, sift_errmsg *err)
{
    char name[64];
    segment_file_name(number, name, sizeof name);
    char *path = path_join(dir, name);
    if (!path) return sift_fail(err, SIFT_ERR_NOMEM, "out of memory");
    sift_err rc = segfile_open(&s->file, path, err);
    free(path);
    if (rc) return rc;
    s->number = number;
    return read_meta(s, err);
}

sift_err segment_open_memory(struct segment *s, const uint8_t *data, size_t len, sift_errmsg *err)
{
    sift_err rc = segfile_open_memory(&s->file, data, len, "(segment in memory)", err);
    return rc ? rc : read_meta(s, err);
}

void segment_close(struct segment *s)
{
    segfile_close(&s->file);
    free(s->deleted);
    free(s->delbits);
    schema_free(&s->schema);
    s->deleted = NULL;
    s->delbits = NULL;
}
