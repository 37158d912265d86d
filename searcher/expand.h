/* expand.h -- a query term that stands for many: the index terms a prefix
 * names, found by a walk of each segment's sorted dictionary from the
 * prefix on (dict.h), never a scan of every term. */
#ifndef SIFT_EXPAND_H
#define SIFT_EXPAND_H

#include <stdbool.h>
#include <stddef.h>

#include <sift/sift.h>

#include "strlist.h"

/* Every distinct term of idx that starts with prefix[0..len), and the stem
 * of every word as written (surface forms, dict.c) that does, into *out:
 * the first segment's terms in byte order, then the stems its words add,
 * then what the next segments add.
 * At most `cap`; *capped says whether there were more. */
sift_err expand_prefix(const sift_index *idx, const char *prefix, size_t len, size_t cap,
                       struct strlist *out, bool *capped, sift_errmsg *err);

#endif
