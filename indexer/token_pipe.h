/* token_pipe.h -- the inverter on a thread of its own.
 *
 * With --threads 2 the caller's thread reads, parses, tokenizes, folds and
 * compresses documents while a second thread stems their words, inverts
 * them, spills runs and gathers the surface forms. (perf of the Wikipedia
 * passages with stemming and the forms on the caller's thread: 73% of the
 * samples there, 27% on the inverter's, so they moved.) Tokens cross in batches of records in a few fixed buffers, so the
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

/* Start the thread, with an analyzer of `language` for stemming; it owns
 * inv and sf until token_pipe_close. */
sift_err token_pipe_open(struct token_pipe **out, struct inverter *inv, struct surface_forms *sf,
                         const char *language, sift_errmsg *err);
sift_err token_pipe_begin_doc(struct token_pipe *p, uint32_t doc, sift_errmsg *err);
sift_err token_pipe_token(struct token_pipe *p, const char *term, size_t len, uint32_t pos,
                          sift_errmsg *err);
/* A folded word (a token's word, analyzed without stemming) at pos: the
 * thread stems it as analyzer_stem_word does, inverts the term, and
 * counts the word as a surface form when it was stemmed. */
sift_err token_pipe_stem(struct token_pipe *p, const char *word, size_t len, uint32_t pos, sift_errmsg *err);
sift_err token_pipe_end_doc(struct token_pipe *p, sift_errmsg *err);
/* Hand over what is buffered, wait for the thread to invert it and stop
 * it; returns the first error met (with its message in err). Frees p. */
sift_err token_pipe_close(struct token_pipe *p, sift_errmsg *err);

#endif
