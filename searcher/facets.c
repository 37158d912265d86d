/* facets.c -- value counts of facets.h. Keywords are counted per ordinal
 * of the segment (an array add per value of a match), then summed by
 * folded value at the segment's end; dates and numbers by their bucket's
 * text. */
#include "facets.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "hash.h"
#include "index.h"
#include "values.h"

sift_err facet_init(struct facet *f, const char *spec, const struct schema *schema, sift_errmsg *err)
{
    memset(f, 0, sizeof *f);
    snprintf(f->label, sizeof f->label, "%s", spec);
    const char *colon = strchr(spec, ':');
    size_t n = colon ? (size_t)(colon - spec) : strlen(spec);
    char raw[FIELD_NAME_MAX + 1];
    if (n > FIELD_NAME_MAX) n = FIELD_NAME_MAX;
    memcpy(raw, spec, n);
    raw[n] = 0;
    int k = schema_name_ok(raw, f->field) ? schema_find(schema, f->field) : -1;
    if (k < 0) return sift_fail(err, SIFT_ERR_INVALID, "facet '%.60s': no such field in this index", spec);
    f->type = schema->f[k].type;
    if (f->type == SIFT_FIELD_TEXT)
        return sift_fail(err, SIFT_ERR_INVALID, "facet '%s': a text field has no values to count "
                         "(keyword, date and number fields have)", f->field);
    if (colon) {
        const char *b = colon + 1;
        if (f->type == SIFT_FIELD_DATE && !strcmp(b, "year")) f->bucket = FACET_YEAR;
        else if (f->type == SIFT_FIELD_DATE && !strcmp(b, "month")) f->bucket = FACET_MONTH;
        else if (f->type == SIFT_FIELD_DATE && !strcmp(b, "day")) f->bucket = FACET_DAY;
        else return sift_fail(err, SIFT_ERR_INVALID, "facet '%.60s': buckets are year, month and day, "
                              "of a date field", spec);
    } else if (f->type == SIFT_FIELD_DATE) {
        f->bucket = FACET_DAY;
    }
    if (!strmap_init(&f->map, 64)) return sift_fail(err, SIFT_ERR_NOMEM, "out of memory");
    return SIFT_OK;
}

static const void *entry_key(const void *ctx, uint32_t i, size_t *len)
{
    const struct facet *f = ctx;
    *len = strlen(f->e[i].key);
    return f->e[i].key;
}

/* Add count to the value `key` (shown as `shown` when new). */
static sift_err bump(struct facet *f, const char *key, const char *shown, uint64_t count, sift_errmsg *err)
{
    size_t len = strlen(key);
    uint32_t h = hash_fnv1a(key, len), slot = 0;
    uint32_t i = strmap_find(&f->map, key, len, h, entry_key, f, &slot);
    if (i != STRMAP_NONE) {
        f->e[i].count += count;
        return SIFT_OK;
    }
    if (f->n == f->cap) {
        size_t cap = f->cap ? f->cap * 2 : 64;
        struct facet_entry *e = realloc(f->e, cap * sizeof *e);
        if (!e) return sift_fail(err, SIFT_ERR_NOMEM, "out of memory");
        f->e = e;
        f->cap = cap;
    }
    char *k = strdup(key), *s = strdup(shown);
    if (!k || !s) {
        free(k);
        free(s);
        return sift_fail(err, SIFT_ERR_NOMEM, "out of memory");
    }
    f->e[f->n] = (struct facet_entry){ k, s, count };
    if (!strmap_put(&f->map, slot, h, (uint32_t)f->n++)) return sift_fail(err, SIFT_ERR_NOMEM, "out of memory");
    return SIFT_OK;
}

sift_err facet_begin_segment(struct facet *f, const struct segment *seg, sift_errmsg *err)
{
    const struct field_def *d = segment_field(seg, f->field);
    f->have = d && d->col_len;
    if (!f->have) return SIFT_OK;
    sift_err rc;
    if (f->type == SIFT_FIELD_KEYWORD) {
        rc = kw_column_open(&f->kw, seg, d, err);
        if (rc) return rc;
        f->nord = f->kw.nvalues;
        f->ord_count = calloc(f->nord ? f->nord : 1, sizeof *f->ord_count);
        if (!f->ord_count) return sift_fail(err, SIFT_ERR_NOMEM, "out of memory");
        return SIFT_OK;
    }
    return num_column_open(&f->num, seg, d, err);
}

/* The bucket of key as text. */
static void bucket_text(const struct facet *f, uint64_t key, char *out, size_t size)
{
    if (f->type == SIFT_FIELD_NUMBER) {
        snprintf(out, size, "%.15g", value_double_of(key));
        return;
    }
    char day[40];
    value_format_date(value_int_of(key) - value_int_of(key) % 86400 -
                          (value_int_of(key) % 86400 < 0 ? 86400 : 0), day, sizeof day);
    size_t keep = f->bucket == FACET_YEAR ? 4 : f->bucket == FACET_MONTH ? 7 : 10;
    snprintf(out, size, "%.*s", (int)keep, day);
}

sift_err facet_add(struct facet *f, uint32_t doc, sift_errmsg *err)
{
    if (!f->have) return SIFT_OK;
    if (f->type == SIFT_FIELD_KEYWORD) {
        uint32_t ords[64];
        size_t n;
        sift_err rc = kw_column_doc(&f->kw, doc, ords, 64, &n, err);
        for (size_t i = 0; !rc && i < n && i < 64; i++) f->ord_count[ords[i]]++;
        return rc;
    }
    uint64_t key;
    bool has;
    sift_err rc = num_column_get(&f->num, doc, &key, &has, err);
    if (rc || !has) return rc;
    char text[48];
    bucket_text(f, key, text, sizeof text);
    return bump(f, text, text, 1, err);
}

sift_err facet_end_segment(struct facet *f, sift_errmsg *err)
{
    sift_err rc = SIFT_OK;
    if (f->have && f->type == SIFT_FIELD_KEYWORD) {
        char folded[KEYWORD_MAX + 1], shown[KEYWORD_MAX + 1];
        for (uint32_t o = 0; !rc && o < f->nord; o++)
            if (f->ord_count[o] && !(rc = kw_column_value(&f->kw, o, folded, shown, err)))
                rc = bump(f, folded, shown, f->ord_count[o], err);
    }
    free(f->ord_count);
    f->ord_count = NULL;
    f->have = false;
    return rc;
}

static int by_count(const void *a, const void *b)
{
    const struct facet_entry *x = a, *y = b;
    if (x->count != y->count) return x->count > y->count ? -1 : 1;
    return strcmp(x->key, y->key);
}

void facet_sort(struct facet *f)
{
    if (f->n) qsort(f->e, f->n, sizeof *f->e, by_count);
}

void facet_free(struct facet *f)
{
    for (size_t i = 0; i < f->n; i++) {
        free(f->e[i].key);
        free(f->e[i].shown);
    }
    free(f->e);
    free(f->ord_count);
    strmap_free(&f->map);
    memset(f, 0, sizeof *f);
}
