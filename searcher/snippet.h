/* snippet.h -- the best-matching passage of a text, highlighted. */
#ifndef SIFT_SNIPPET_H
#define SIFT_SNIPPET_H

#include <stddef.h>

#include <sift/sift.h>

struct analyzer;
struct highlight_term;

/* The window of opts->max_tokens words of text with the most distinct
 * query terms (then the most matches, then the earliest), with each
 * matching word wrapped in opts->open / opts->close, on one line: control
 * characters and runs of white space become one space, invalid UTF-8
 * becomes U+FFFD. "..." marks text cut at either end. *out is malloc'ed. */
sift_err snippet_make(struct analyzer *an, const char *text, size_t len,
                      const struct highlight_term *terms, size_t nterms,
                      const sift_snippet_options *opts, char **out, sift_errmsg *err);

/* Append text[0..len) to a malloc'ed, NUL-terminated string made safe for
 * a terminal as snippet_make does. NULL when memory is short. */
char *text_sanitize(const char *text, size_t len);

#endif
