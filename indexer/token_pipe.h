/* token_pipe.h -- the inverter on a thread of its own.
 *
 * With --threads 2 the caller's thread reads, parses, analyzes and
 * compresses documents while a second thread inverts their tokens, spills
 * runs and gathers the surface forms (perf of the Wikipedia passages with
 * the forms on the caller's thread: 73% of the samples there, 27% on the
 * inverter's, so they moved). Tokens cross in batches of records in a few fixed buffers, so the
 * caller blocks only when the inverter is that far behind.
 *
 * Errors of the inverter (memory, a run that cannot be written) arrive one
 * call late: the next pipe call, or token_pipe_close, returns the first. */
#ifndef SIFT_TOKEN_PIPE_H
#define SIFT_TOKEN_PIPE_H

#include <stddef.h>
#include <stdint.h>

#include <sift/sift.h>

#include "invert.h"
#include "surface_forms.h"

struct token_pipe;

/* Start the thread; it owns inv and sf until token_pipe_close. */
sift_err token_pipe_open(struct token_pipe **out, struct inverter *inv, struct surface_forms *sf,
                         sift_errmsg *err);
sift_err token_pipe_begin_doc(struct token_pipe *p, uint32_t doc, sift_errmsg *err);
sift_err token_pipe_token(struct token_pipe *p, const char *term, size_t len, uint32_t pos,
                          sift_errmsg *err);
/* A surface form of document doc (surface_forms_add on the thread). */
sift_err token_pipe_word(struct token_pipe *p, uint32_t doc, const char *word, size_t word_len,
                         const char *stem, size_t stem_len, sift_errmsg *err);
sift_err token_pipe_end_doc(struct token_pipe *p, sift_errmsg *err);
/* Hand over what is buffered, wait for the thread to invert it and stop
 * it; returns the first error met (with its message in err). Frees p. */
sift_err token_pipe_close(struct token_pipe *p, sift_errmsg *err);

#endif
