/* surface_forms.h -- the words of a segment as written (folded, not
 * stemmed) with their stems, counted while documents arrive and handed to
 * the segment writer in byte order at the end (SEC_SURFACE, dict.c).
 *
 * One hash look-up per token with a letter, on the analyzing thread; the
 * map holds each distinct word once (its bytes, its stem's, two counts),
 * so it grows with the vocabulary, not with the text. */
#ifndef SIFT_SURFACE_FORMS_H
#define SIFT_SURFACE_FORMS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <sift/sift.h>

#include "bytes.h"
#include "strmap.h"

struct segment_writer;

struct surface_form {
    uint64_t off;        /* in bytes: the word, then its stem */
    uint8_t word_len, stem_len;
    uint32_t df, last_doc;
    uint64_t cf;
};

struct surface_forms {
    struct strmap map;   /* word -> index in v */
    struct buf bytes;
    struct surface_form *v;
    size_t n, cap;
};

/* Count word (its stem: stem) once more in document doc; documents come in
 * increasing order. false when memory is short. */
bool surface_forms_add(struct surface_forms *sf, const char *word, size_t word_len, const char *stem,
                       size_t stem_len, uint32_t doc);
/* Add from's counts to to's (forms counted over other documents). false
 * when memory is short. */
bool surface_forms_merge(struct surface_forms *to, const struct surface_forms *from);
/* Every form, in byte order of the words, into w. */
sift_err surface_forms_write(struct surface_forms *sf, struct segment_writer *w, sift_errmsg *err);
size_t surface_forms_memory(const struct surface_forms *sf);
void surface_forms_free(struct surface_forms *sf);

#endif
