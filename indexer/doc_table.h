/* doc_table.h -- the writer's table of live documents: where each external
 * id lives (a committed segment, or the pending one), what its source file
 * looked like, and the deletions not yet published. Loaded from the
 * committed index when the writer opens and after every publication; every
 * add, replace, keep and delete goes through it. */
#ifndef SIFT_DOC_TABLE_H
#define SIFT_DOC_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <sift/sift.h>

#include "bytes.h"
#include "doc_meta.h"
#include "strlist.h"
#include "strmap.h"

struct segment;

#define DOC_PENDING (-1)       /* doc_entry.seg of a document not yet committed */
#define MAX_SEGMENT_SOURCES 256   /* sources per segment kept apart when loading */

struct doc_entry {
    char *id;
    int32_t seg;              /* index of a committed segment, or DOC_PENDING */
    uint32_t doc;
    uint32_t len;             /* tokens, for the statistics of deletions */
    struct doc_meta meta;     /* meta.source indexes doc_table.sources */
    bool seen, live;
};

/* Documents deleted from one segment since the last publication. */
struct seg_dels {
    struct buf docs;          /* u32 document numbers, in the order deleted */
    uint64_t tokens;
};

struct doc_table {
    struct doc_entry *entries;
    size_t n, cap;
    struct strmap map;        /* id -> index in entries */
    struct strlist sources;   /* source 0 is "": library adds */
    struct seg_dels *dels;    /* per committed segment */
    uint32_t nsegs;
    struct seg_dels pending_dels;
    uint64_t live;
};

/* Empty the table for an index of nsegs committed segments. false when
 * memory is short. */
bool doc_table_reset(struct doc_table *t, uint32_t nsegs);
void doc_table_free(struct doc_table *t);

/* The entry of id (live or not), or NULL. */
struct doc_entry *doc_table_find(struct doc_table *t, const char *id);
/* A new entry for id, which has none; NULL when memory is short. */
struct doc_entry *doc_table_insert(struct doc_table *t, const char *id, size_t len);
/* Delete a live entry: its document joins its segment's deletions. */
void doc_table_delete(struct doc_table *t, struct doc_entry *e);

/* The index of source s, added when new; UINT32_MAX when memory is short. */
uint32_t doc_table_source(struct doc_table *t, const char *s);
/* Source k ("" when there is none). */
const char *doc_table_source_name(const struct doc_table *t, uint32_t k);
/* The table's index of each of segment seg's sources, into map (at most
 * MAX_SEGMENT_SOURCES; documents of later ones fall back to source 0). */
sift_err doc_table_map_sources(struct doc_table *t, const struct segment *seg, uint32_t *map,
                               uint32_t *n, sift_errmsg *err);

/* Enter the live documents of committed segment s. An id already live
 * (twice in the committed index, as after a crash between two steps of an
 * older version) keeps the later document and deletes the earlier one. */
sift_err doc_table_load_segment(struct doc_table *t, const struct segment *seg, uint32_t s,
                                sift_errmsg *err);

#endif
