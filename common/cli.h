/* cli.h -- what the two command-line programs share: the default index
 * location, exit codes and terminal checks. Not part of libsift. */
#ifndef SIFT_CLI_H
#define SIFT_CLI_H

#include <stdbool.h>
#include <stdio.h>

#include <sift/sift.h>

enum exit_code { EXIT_OK = 0, EXIT_NO_RESULTS = 1, EXIT_USAGE = 2, EXIT_INDEX = 3 };

/* $SIFT_INDEX, else ${XDG_DATA_HOME:-$HOME/.local/share}/sift/index.
 * Malloc'ed; NULL when neither HOME nor XDG_DATA_HOME is set. */
char *cli_default_index(void);

/* The exit code for a library error: index problems 3, the rest 2. */
int cli_exit_for(sift_err rc);

/* Parse a non-negative integer argument; false when it is not one. */
bool cli_parse_uint(const char *s, unsigned long long max, unsigned long long *out);

#endif
