/* html.h -- what an HTML page holds for the indexer. */
#ifndef SIFT_HTML_H
#define SIFT_HTML_H

#include <stdbool.h>
#include <stddef.h>

#include "bytes.h"
#include "strlist.h"

/* Parse data[0..len) (recovering from errors, never reaching the network):
 * the <title> (else the first <h1>) into title, the visible text of the
 * body into text (script, style and the like left out), and the <meta>
 * tags' author, date, source, tags and url into pairs (may be NULL; see
 * front_matter.h). false when libxml2 cannot read it at all. */
bool html_extract(const unsigned char *data, size_t len, const char *path, struct buf *title,
                  struct buf *text, struct strlist *pairs);

#endif
