/* schema.c -- SEC_FIELDS both ways.
 *
 * SEC_FIELDS: u32 field count F, then per field:
 *   u8 name length L (1-63), L bytes of name, u8 type (sift_field_type),
 *   u64 offset and u64 length of its column in SEC_COLUMNS (0 and 0 for a
 *   text field, or a field no document of the segment has).
 * A segment without typed fields has no SEC_FIELDS.
 */
#include "schema.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "segment.h"

bool schema_name_ok(const char *name, char out[FIELD_NAME_MAX + 1])
{
    size_t n = name ? strlen(name) : 0;
    if (!n || n > FIELD_NAME_MAX) return false;
    for (size_t i = 0; i < n; i++) {
        char c = name[i];
        if (c >= 'A' && c <= 'Z') c = (char)(c + 32);
        bool ok = (c >= 'a' && c <= 'z') || (i && ((c >= '0' && c <= '9') || c == '_'));
        if (!ok) return false;
        out[i] = c;
    }
    out[n] = 0;
    return strcmp(out, "id") && strcmp(out, "title") && strcmp(out, "text") && strcmp(out, "path");
}

const char *schema_type_name(sift_field_type t)
{
    switch (t) {
    case SIFT_FIELD_TEXT: return "text";
    case SIFT_FIELD_KEYWORD: return "keyword";
    case SIFT_FIELD_DATE: return "date";
    case SIFT_FIELD_NUMBER: return "number";
    }
    return "unknown";
}

int schema_find(const struct schema *s, const char *name)
{
    for (uint32_t i = 0; i < s->n; i++)
        if (!strcmp(s->f[i].name, name)) return (int)i;
    return -1;
}

bool schema_add(struct schema *s, const char *name, sift_field_type type)
{
    if (s->n >= SCHEMA_MAX_FIELDS) return false;
    struct field_def *f = realloc(s->f, (s->n + 1) * sizeof *f);
    if (!f) return false;
    s->f = f;
    memset(&f[s->n], 0, sizeof *f);
    snprintf(f[s->n].name, sizeof f[s->n].name, "%s", name);
    f[s->n++].type = type;
    return true;
}

bool schema_copy(struct schema *dst, const struct schema *src)
{
    schema_free(dst);
    if (!src->n) return true;
    dst->f = malloc(src->n * sizeof *dst->f);
    if (!dst->f) return false;
    memcpy(dst->f, src->f, src->n * sizeof *dst->f);
    dst->n = src->n;
    return true;
}

void schema_free(struct schema *s)
{
    free(s->f);
    s->f = NULL;
    s->n = 0;
}

bool schema_encode(const struct schema *s, struct buf *out)
{
    if (!buf_u32(out, s->n)) return false;
    for (uint32_t i = 0; i < s->n; i++) {
        const struct field_def *f = &s->f[i];
        uint8_t len = (uint8_t)strlen(f->name), type = (uint8_t)f->type;
        if (!buf_append(out, &len, 1) || !buf_append(out, f->name, len) || !buf_append(out, &type, 1) ||
            !buf_u64(out, f->col_off) || !buf_u64(out, f->col_len))
            return false;
    }
    return true;
}

sift_err schema_read(const struct segment *seg, struct schema *out, sift_errmsg *err)
{
    memset(out, 0, sizeof *out);
    uint64_t len = segfile_section_len(&seg->file, SEC_FIELDS);
    if (!len) return SIFT_OK;
    sift_err rc = SIFT_OK;
    const uint8_t *p = segfile_get(&seg->file, SEC_FIELDS, 0, len, &rc, err);
    if (!p) return rc;
    uint64_t cols = segfile_section_len(&seg->file, SEC_COLUMNS);
    struct cursor c = cursor_make(p, (size_t)len);
    const uint8_t *nb = cur_take(&c, 4);
    uint32_t n = nb ? rd_u32(nb) : 0;
    for (uint32_t i = 0; !c.bad && i < n && n <= SCHEMA_MAX_FIELDS; i++) {
        const uint8_t *l = cur_take(&c, 1);
        const uint8_t *name = l ? cur_take(&c, *l) : NULL;
        const uint8_t *rest = name ? cur_take(&c, 17) : NULL;
        if (!rest) break;
        char raw[FIELD_NAME_MAX + 1], norm[FIELD_NAME_MAX + 1];
        memcpy(raw, name, *l);
        raw[*l] = 0;
        uint64_t off = rd_u64(rest + 1), clen = rd_u64(rest + 9);
        if (!schema_name_ok(raw, norm) || strcmp(raw, norm) || rest[0] < SIFT_FIELD_TEXT ||
            rest[0] > SIFT_FIELD_NUMBER || schema_find(out, norm) >= 0 || off > cols || clen > cols - off) {
            c.bad = true;
            break;
        }
        if (!schema_add(out, norm, (sift_field_type)rest[0])) {
            schema_free(out);
            return sift_fail(err, SIFT_ERR_NOMEM, "out of memory");
        }
        out->f[out->n - 1].col_off = off;
        out->f[out->n - 1].col_len = clen;
    }
    if (c.bad || n > SCHEMA_MAX_FIELDS || c.p != c.end) {
        schema_free(out);
        return sift_fail(err, SIFT_ERR_CORRUPT, "%s: bad field table", seg->file.path);
    }
    return SIFT_OK;
}
