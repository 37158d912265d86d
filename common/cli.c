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

char *cli_index_dir(const char *prog, const char *given)
{
    char *dir = given ? strdup(given) : cli_default_index();
    if (!dir) fprintf(stderr, "%s: no index location: set --index, SIFT_INDEX or HOME\n", prog);
    if (dir && !given && strchr(dir, ':')) {
        fprintf(stderr, "%s: SIFT_INDEX names several indexes (%s); this command writes one: give --index\n",
                prog, dir);
        free(dir);
        dir = NULL;
    }
    return dir;
}

char **cli_index_dirs(const char *prog, const char *const *given, size_t ngiven, size_t *n)
{
    char *list = ngiven ? NULL : cli_default_index();
    if (!ngiven && !list) {
        fprintf(stderr, "%s: no index location: set --index, SIFT_INDEX or HOME\n", prog);
        return NULL;
    }
    size_t cap = ngiven + 1;
    for (const char *p = list; p && *p; p++) cap += *p == ':';
    char **dirs = calloc(cap, sizeof *dirs);
    *n = 0;
    bool ok = dirs != NULL;
    for (size_t i = 0; ok && i < ngiven; i++) ok = (dirs[(*n)++] = strdup(given[i])) != NULL;
    for (char *p = list, *next; ok && p; p = next) {   /* $SIFT_INDEX: a:b:c, empty parts skipped */
        next = strchr(p, ':');
        if (next) *next++ = 0;
        if (*p) ok = (dirs[(*n)++] = strdup(p)) != NULL;
    }
    free(list);
    if (ok && *n) return dirs;
    fprintf(stderr, ok ? "%s: SIFT_INDEX names no directory\n" : "%s: out of memory\n", prog);
    cli_index_dirs_free(dirs, *n);
    return NULL;
}

void cli_index_dirs_free(char **dirs, size_t n)
{
    for (size_t i = 0; dirs && i < n; i++) free(dirs[i]);
    free(dirs);
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

int cli_report(const char *prog, sift_err rc, const sift_errmsg *err, const char *dir)
{
    fprintf(stderr, "%s: %s\n", prog, err->msg);
    if (rc == SIFT_ERR_NOTFOUND && dir)
        fprintf(stderr, "%s: build one with: search-index --index %s PATH...\n", prog, dir);
    if (rc == SIFT_ERR_VERSION && dir)
        fprintf(stderr, "%s: rebuild it with: search-index --rebuild --index %s PATH...\n", prog, dir);
    return cli_exit_for(rc);
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

bool cli_arg_uint(const char *prog, const char *opt, const char *arg, unsigned long long min,
                  unsigned long long max, const char *what, unsigned long long *out)
{
    unsigned long long v;
    if (cli_parse_uint(arg, max, &v) && v >= min) {
        *out = v;
        return true;
    }
    fprintf(stderr, "%s: --%s wants %s, not '%s'\n", prog, opt, what, arg);
    return false;
}

bool cli_arg_double(const char *prog, const char *opt, const char *arg, double lo, double hi,
                    const char *what, double *out)
{
    char *end;
    double v = strtod(arg, &end);
    if (*arg && !*end && v >= lo && v <= hi) {
        *out = v;
        return true;
    }
    fprintf(stderr, "%s: --%s wants %s, not '%s'\n", prog, opt, what, arg);
    return false;
}

bool cli_arg_choice(const char *prog, const char *opt, const char *arg, const char *const *words,
                    int *out)
{
    int n = 0;
    while (words[n]) {
        if (!strcmp(arg, words[n])) {
            *out = n;
            return true;
        }
        n++;
    }
    fprintf(stderr, "%s: --%s is ", prog, opt);
    for (int i = 0; i < n; i++) fprintf(stderr, "%s%s", i ? (i == n - 1 ? " or " : ", ") : "", words[i]);
    fprintf(stderr, ", not '%s'\n", arg);
    return false;
}

void cli_print_version(const char *prog)
{
    printf("%s (sift) %s, index format %d\n", prog, sift_version(), SIFT_FORMAT_VERSION);
}
