/* facets.h -- counting the values of fields among the matches of a query
 * (--facet): keyword values, date buckets (date:year, date:month,
 * date:day; date alone is by day) and numbers, read from the column store
 * per segment and summed over the segments by value. */
#ifndef SIFT_FACETS_H
#define SIFT_FACETS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <sift/sift.h>

#include "columns.h"
#include "schema.h"
#include "strmap.h"

enum facet_bucket { FACET_VALUE, FACET_YEAR, FACET_MONTH, FACET_DAY };

struct facet_entry {
    char *key;                 /* what values are summed by (a keyword folded) */
    char *shown;               /* as printed (a keyword as first typed) */
    uint64_t count;
};

struct facet {
    char label[80];            /* as asked: "source", "date:year" */
    char field[FIELD_NAME_MAX + 1];
    sift_field_type type;
    enum facet_bucket bucket;
    struct strmap map;         /* key -> index in e */
    struct facet_entry *e;
    size_t n, cap;
    /* the open segment */
    bool have;                 /* it has the field's column */
    struct kw_column kw;
    struct num_column num;
    uint64_t *ord_count;       /* keyword: per ordinal */
    uint32_t nord;
};

/* A facet for `spec` ("FIELD" or "FIELD:year|month|day") of the schema.
 * SIFT_ERR_INVALID with the reason for an unknown field or bucket. */
sift_err facet_init(struct facet *f, const char *spec, const struct schema *schema, sift_errmsg *err);
sift_err facet_begin_segment(struct facet *f, const struct segment *seg, sift_errmsg *err);
/* Count matching document doc of the open segment. */
sift_err facet_add(struct facet *f, uint32_t doc, sift_errmsg *err);
sift_err facet_end_segment(struct facet *f, sift_errmsg *err);
/* Order the values: most frequent first, then by value. */
void facet_sort(struct facet *f);
void facet_free(struct facet *f);

#endif
