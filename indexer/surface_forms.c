/* surface_forms.c -- counting the words of a segment as written. */
#include "surface_forms.h"

#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "hash.h"
#include "segment_writer.h"

static const void *word_at(const void *ctx, uint32_t i, size_t *len)
{
    const struct surface_forms *sf = ctx;
    *len = sf->v[i].word_len;
    return sf->bytes.data + sf->v[i].off;
}

/* The form of word, made (with no counts) when new; NULL when memory is
 * short or the word too long to keep. *fresh: it was made. */
static struct surface_form *form_of(struct surface_forms *sf, const char *word, size_t word_len, const char *stem,
                                    size_t stem_len, bool *fresh)
{
    *fresh = false;
    if (!sf->map.slots && !strmap_init(&sf->map, 1024)) return NULL;
    uint32_t h = hash_fnv1a(word, word_len), slot = 0;
    uint32_t i = strmap_find(&sf->map, word, word_len, h, word_at, sf, &slot);
    if (i != STRMAP_NONE) return &sf->v[i];
    if (sf->n == sf->cap) {
        size_t cap = sf->cap ? 2 * sf->cap : 1024;
        struct surface_form *v = realloc(sf->v, cap * sizeof *v);
        if (!v) return NULL;
        sf->v = v;
        sf->cap = cap;
    }
    sf->v[sf->n] = (struct surface_form){ sf->bytes.len, (uint8_t)word_len, (uint8_t)stem_len, 0, UINT32_MAX, 0 };
    if (!buf_append(&sf->bytes, word, word_len) || !buf_append(&sf->bytes, stem, stem_len) ||
        !strmap_put(&sf->map, slot, h, (uint32_t)sf->n))
        return NULL;
    *fresh = true;
    return &sf->v[sf->n++];
}

bool surface_forms_add(struct surface_forms *sf, const char *word, size_t word_len, const char *stem,
                       size_t stem_len, uint32_t doc)
{
    if (word_len > UINT8_MAX || stem_len > UINT8_MAX) return true;   /* the analyzer cuts at 100 */
    bool fresh;
    struct surface_form *f = form_of(sf, word, word_len, stem, stem_len, &fresh);
    if (!f) return false;
    f->cf++;
    if (fresh || f->last_doc != doc) f->df++, f->last_doc = doc;
    return true;
}

bool surface_forms_merge(struct surface_forms *to, const struct surface_forms *from)
{
    for (size_t i = 0; i < from->n; i++) {
        const struct surface_form *g = &from->v[i];
        const char *word = (const char *)from->bytes.data + g->off;
        bool fresh;
        struct surface_form *f = form_of(to, word, g->word_len, word + g->word_len, g->stem_len, &fresh);
        if (!f) return false;
        f->df += g->df;
        f->cf += g->cf;
    }
    return true;
}

static int by_word(const void *a, const void *b, void *ctx)
{
    const struct surface_forms *sf = ctx;
    const struct surface_form *x = a, *y = b;
    size_t n = x->word_len < y->word_len ? x->word_len : y->word_len;
    int c = memcmp(sf->bytes.data + x->off, sf->bytes.data + y->off, n);
    return c ? c : (x->word_len > y->word_len) - (x->word_len < y->word_len);
}

sift_err surface_forms_write(struct surface_forms *sf, struct segment_writer *w, sift_errmsg *err)
{
    if (sf->n) qsort_r(sf->v, sf->n, sizeof *sf->v, by_word, sf);   /* (language "none": no forms) */
    for (size_t i = 0; i < sf->n; i++) {
        const struct surface_form *f = &sf->v[i];
        const char *word = (const char *)sf->bytes.data + f->off;
        sift_err rc = segment_writer_surface(w, word, f->word_len, word + f->word_len, f->stem_len, f->df,
                                             f->cf, err);
        if (rc) return rc;
    }
    return SIFT_OK;
}

size_t surface_forms_memory(const struct surface_forms *sf)
{
    return strmap_bytes(&sf->map) + sf->bytes.cap + sf->cap * sizeof *sf->v;
}

void surface_forms_free(struct surface_forms *sf)
{
    strmap_free(&sf->map);
    buf_free(&sf->bytes);
    free(sf->v);
    memset(sf, 0, sizeof *sf);
}
