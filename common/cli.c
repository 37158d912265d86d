/* cli.c -- helpers shared by search and search-index. */
#include "cli.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "fileio.h"

char *cli_default_index(void)
{
    const char *env = getenv("SIFT_INDEX");
    if (env && *env) return strdup(env);
    const char *xdg = getenv("XDG_DATA_HOME");
    if (xdg && *xdg) return path_join(xdg, "sift/index");
    const char *home = getenv("HOME");
    if (!home || !*home) return NULL;
    return path_join(home, ".local/share/sift/index");
}

int cli_exit_for(sift_err rc)
{
    switch (rc) {
    case SIFT_ERR_NOTFOUND: case SIFT_ERR_CORRUPT: case SIFT_ERR_VERSION: case SIFT_ERR_IO:
    case SIFT_ERR_LOCKED: case SIFT_ERR_NOSPACE: case SIFT_ERR_NOMEM:
        return EXIT_INDEX;
    default:
        return EXIT_USAGE;
    }
}

bool cli_parse_uint(const char *s, unsigned long long max, unsigned long long *out)
{
    if (!s || !*s || *s == '-' || *s == '+') return false;
    errno = 0;
    char *end;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || *end || v > max) return false;
    *out = v;
    return true;
}
