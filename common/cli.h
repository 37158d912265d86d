/* cli.h -- what the two command-line programs share: the default index
 * location, exit codes, option arguments checked with one kind of
 * message, and library errors reported with the command that mends them.
 * Not part of libsift. */
#ifndef SIFT_CLI_H
#define SIFT_CLI_H

#include <stdbool.h>
#include <stdio.h>

#include <sift/sift.h>

/* EXIT_UNREADABLE: search-index did its work, but some sources could not
 * be read and their documents were kept as they were (search-index(1)). */
enum exit_code { EXIT_OK = 0, EXIT_NO_RESULTS = 1, EXIT_USAGE = 2, EXIT_INDEX = 3, EXIT_UNREADABLE = 4 };

/* $SIFT_INDEX, else ${XDG_DATA_HOME:-$HOME/.local/share}/sift/index.
 * Malloc'ed; NULL when neither HOME nor XDG_DATA_HOME is set. */
char *cli_default_index(void);

/* The index directory: `given` (--index) if not NULL, else the default;
 * malloc'ed. NULL after printing why to stderr. */
char *cli_index_dir(const char *prog, const char *given);

/* The index directories a search reads: each --index given, else
 * $SIFT_INDEX split at ':', else the default; *n of them, malloc'ed (free
 * with cli_index_dirs_free). NULL after printing why to stderr. */
char **cli_index_dirs(const char *prog, const char *const *given, size_t ngiven, size_t *n);
void cli_index_dirs_free(char **dirs, size_t n);

/* The exit code for a library error: index problems 3, the rest 2. */
int cli_exit_for(sift_err rc);

/* Print "PROG: MESSAGE" for a library error at index dir, and for an
 * index that is missing or of another format the command that mends it;
 * returns cli_exit_for(rc). */
int cli_report(const char *prog, sift_err rc, const sift_errmsg *err, const char *dir);

/* Parse a non-negative integer argument; false when it is not one. */
bool cli_parse_uint(const char *s, unsigned long long max, unsigned long long *out);

/* Option arguments: each returns false after printing
 * "PROG: --OPT wants WHAT, not 'ARG'" (or for a choice "is a, b or c"). */
bool cli_arg_uint(const char *prog, const char *opt, const char *arg, unsigned long long min,
                  unsigned long long max, const char *what, unsigned long long *out);
bool cli_arg_double(const char *prog, const char *opt, const char *arg, double lo, double hi,
                    const char *what, double *out);
/* *out receives the index of arg among the NULL-terminated words. */
bool cli_arg_choice(const char *prog, const char *opt, const char *arg, const char *const *words,
                    int *out);

/* "PROG (sift) VERSION, index format N" on stdout, for --version. */
void cli_print_version(const char *prog);

#endif
