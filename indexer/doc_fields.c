/* doc_fields.c -- a document's typed values, parsed (doc_fields.h). */
#include "doc_fields.h"

#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "values.h"

static bool named(const char *name, const char *const *names)
{
    for (; *names; names++)
        if (!strcmp(name, *names)) return true;
    return false;
}

sift_field_type field_infer_type(const char *name, const char *value, size_t len)
{
    static const char *const dates[] = { "date", "published", "published_at", "publish_date", "pubdate",
                                         "updated", "modified", "created", NULL };
    static const char *const keywords[] = { "author", "authors", "source", "publisher", "site", "tags",
                                            "tag", "keywords", "category", "categories", "section",
                                            "url", "lang", "language", NULL };
    if (named(name, dates)) return SIFT_FIELD_DATE;
    if (named(name, keywords)) return SIFT_FIELD_KEYWORD;
    double d;
    if (value_parse_number(value, len, &d)) return SIFT_FIELD_NUMBER;
    if (len >= 10 && value_parse_date(value, len, NULL, NULL)) return SIFT_FIELD_DATE;
    return len <= 100 ? SIFT_FIELD_KEYWORD : SIFT_FIELD_TEXT;
}

/* Parse the value by type into f (raw already set). */
static sift_err parse(struct doc_field *f, const char *name, sift_errmsg *err)
{
    int64_t start;
    double d;
    switch (f->type) {
    case SIFT_FIELD_DATE:
        if (!value_parse_date(f->raw, f->raw_len, &start, NULL))
            return sift_fail(err, SIFT_ERR_INPUT, "field '%s': '%.60s' is not a date (ISO 8601: "
                             "2023, 2023-06, 2023-06-15, 2023-06-15T10:30:00Z)", name, f->raw);
        f->key = value_key_int(start);
        return SIFT_OK;
    case SIFT_FIELD_NUMBER:
        if (!value_parse_number(f->raw, f->raw_len, &d))
            return sift_fail(err, SIFT_ERR_INPUT, "field '%s': '%.60s' is not a number", name, f->raw);
        f->key = value_key_double(d);
        return SIFT_OK;
    case SIFT_FIELD_KEYWORD:
        f->folded = value_fold_keyword(f->raw, f->raw_len);
        if (!f->folded) return sift_fail(err, SIFT_ERR_NOMEM, "out of memory");
        if (!*f->folded)
            return sift_fail(err, SIFT_ERR_INPUT, "field '%s': an empty value", name);
        return SIFT_OK;
    case SIFT_FIELD_TEXT:
        return SIFT_OK;
    }
    return sift_fail(err, SIFT_ERR_INVALID, "field '%s' has an unknown type", name);
}

sift_err field_values_add(struct field_values *fv, struct schema *schema, const char *name,
                          const char *value, size_t len, sift_errmsg *err)
{
    int k = schema_find(schema, name);
    if (k < 0) {
        if (!schema_add(schema, name, field_infer_type(name, value, len)))
            return sift_fail(err, SIFT_ERR_INVALID, "too many fields (at most %d)", SCHEMA_MAX_FIELDS);
        k = (int)schema->n - 1;
    }
    sift_field_type type = schema->f[k].type;
    for (size_t i = 0; type != SIFT_FIELD_KEYWORD && i < fv->n; i++)
        if (fv->v[i].field == (uint32_t)k)
            return sift_fail(err, SIFT_ERR_INPUT, "field '%s' takes one value (a %s); '%.60s' is dropped",
                             name, schema_type_name(type), value);
    if (fv->n == fv->cap) {
        size_t cap = fv->cap ? fv->cap * 2 : 8;
        struct doc_field *v = realloc(fv->v, cap * sizeof *v);
        if (!v) return sift_fail(err, SIFT_ERR_NOMEM, "out of memory");
        fv->v = v;
        fv->cap = cap;
    }
    struct doc_field f = { (uint32_t)k, type, strndup(value, len), 0, 0, NULL };
    if (f.raw) f.raw_len = strlen(f.raw);   /* a value ends at a NUL byte */
    sift_err rc = f.raw ? parse(&f, name, err) : sift_fail(err, SIFT_ERR_NOMEM, "out of memory");
    if (rc) {
        free(f.raw);
        free(f.folded);
        return rc;
    }
    fv->v[fv->n++] = f;
    return SIFT_OK;
}

void field_values_clear(struct field_values *fv)
{
    for (size_t i = 0; i < fv->n; i++) {
        free(fv->v[i].raw);
        free(fv->v[i].folded);
    }
    fv->n = 0;
}

void field_values_free(struct field_values *fv)
{
    field_values_clear(fv);
    free(fv->v);
    fv->v = NULL;
    fv->cap = 0;
}
