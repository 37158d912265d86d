/* front_matter.h -- the metadata of an article file: a Markdown or text
 * file's front matter (a block of `key: value` lines between --- lines at
 * its very start, values plain, quoted, or lists as [a, b] or "- a" lines)
 * and an HTML page's <meta> tags (author, article:published_time or date,
 * og:site_name as source, keywords and article:tag as tags, the canonical
 * link as url). Both give (name, value) pairs: a list gives one pair per
 * item; names are lowercased, '-' and '.' becoming '_'. */
#ifndef SIFT_FRONT_MATTER_H
#define SIFT_FRONT_MATTER_H

#include <stddef.h>

#include "strlist.h"

/* Parse the front matter at the start of data[0..len): its pairs are
 * appended to *pairs (name, value, name, value ...); returns the offset
 * where the body starts (0 when there is no front matter, or it is not
 * closed within its first 64 KiB). A "title" pair is left to the caller. */
size_t front_matter_parse(const char *data, size_t len, struct strlist *pairs);

/* The value of the first pair named `name`, or NULL. */
const char *front_matter_get(const struct strlist *pairs, const char *name);

#endif
