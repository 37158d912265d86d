/* main.c -- search-index: build an index from directories, text files and
 * JSON Lines files. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sift/sift.h>

#include "cli.h"
#include "sources.h"

static const char usage[] =
    "Usage: search-index [OPTIONS] PATH...\n"
    "Build a sift index from PATHs: directories (read recursively: .txt and .md\n"
    "files, first line the title), single .txt/.md files, and JSON Lines files\n"
    "(.jsonl or .jsonl.gz) of {\"id\": ..., \"title\": ..., \"text\": ...} objects.\n"
    "The new index replaces the old one atomically when indexing succeeds.\n"
    "\n"
    "Options:\n"
    "  --index DIR       index directory (default: $SIFT_INDEX, else\n"
    "                    ${XDG_DATA_HOME:-~/.local/share}/sift/index)\n"
    "  --language NAME   Snowball stemmer (default english; 'none' to disable)\n"
    "  --ram-mb N        memory budget for inversion in MiB (default 256)\n"
    "  -q, --quiet       no summary, no warnings\n"
    "  -h, --help        this help\n"
    "  --version         library and format versions\n"
    "\n"
    "Exit status: 0 ok, 2 usage or input error, 3 index error.\n";

struct run {
    sift_writer *w;
    bool quiet;
    sift_errmsg err;
    sift_err rc;
    const char *failed_doc;
};

static int on_doc(void *ctx, const struct source_doc *d)
{
    struct run *r = ctx;
    sift_err rc = sift_writer_set_source(r->w, d->path, &r->err);
    if (!rc) rc = sift_writer_add(r->w, d->id, d->title, d->text, d->text_len, &r->err);
    if (rc == SIFT_ERR_INVALID || rc == SIFT_ERR_INPUT) {
        if (!r->quiet) fprintf(stderr, "search-index: warning: %s: %s\n", d->path, r->err.msg);
        return 0;
    }
    r->rc = rc;
    return rc != SIFT_OK;
}

static void on_skip(void *ctx, const char *what, const char *why)
{
    struct run *r = ctx;
    if (!r->quiet) fprintf(stderr, "search-index: skipped %s: %s\n", what, why);
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    enum { OPT_INDEX = 256, OPT_LANG, OPT_RAM, OPT_VERSION };
    static const struct option opts[] = {
        { "index", required_argument, NULL, OPT_INDEX },
        { "language", required_argument, NULL, OPT_LANG },
        { "ram-mb", required_argument, NULL, OPT_RAM },
        { "quiet", no_argument, NULL, 'q' },
        { "help", no_argument, NULL, 'h' },
        { "version", no_argument, NULL, OPT_VERSION },
        { NULL, 0, NULL, 0 },
    };
    char *index = NULL;
    sift_writer_options wo = { NULL, 0 };
    bool quiet = false;
    int c;
    unsigned long long v;
    while ((c = getopt_long(argc, argv, "qh", opts, NULL)) != -1) {
        switch (c) {
        case OPT_INDEX: free(index); index = strdup(optarg); break;
        case OPT_LANG: wo.language = optarg; break;
        case OPT_RAM:
            if (!cli_parse_uint(optarg, 1u << 20, &v) || v < 16) {
                fprintf(stderr, "search-index: --ram-mb wants a number of MiB >= 16, not '%s'\n",
                        optarg);
                free(index);
                return EXIT_USAGE;
            }
            wo.ram_mb = (unsigned)v;
            break;
        case 'q': quiet = true; break;
        case 'h': fputs(usage, stdout); free(index); return EXIT_OK;
        case OPT_VERSION:
            printf("search-index (sift) %s, index format %d\n", sift_version(), SIFT_FORMAT_VERSION);
            free(index);
            return EXIT_OK;
        default: fputs(usage, stderr); free(index); return EXIT_USAGE;
        }
    }
    if (optind >= argc) {
        fprintf(stderr, "search-index: no PATH given\n%s", usage);
        free(index);
        return EXIT_USAGE;
    }
    if (!index) index = cli_default_index();
    if (!index) {
        fprintf(stderr, "search-index: no index location: set --index, SIFT_INDEX or HOME\n");
        return EXIT_USAGE;
    }
    struct run r = { NULL, quiet, { { 0 } }, SIFT_OK, NULL };
    sift_err rc = sift_writer_open(index, &wo, &r.w, &r.err);
    if (rc) {
        fprintf(stderr, "search-index: %s\n", r.err.msg);
        free(index);
        return rc == SIFT_ERR_INVALID ? EXIT_USAGE : EXIT_INDEX;
    }
    double t0 = now();
    struct source_stats st = { 0, 0, 0 };
    int status = EXIT_OK;
    for (int i = optind; i < argc && status == EXIT_OK; i++) {
        int k = sources_read(argv[i], on_doc, on_skip, &r, &st);
        if (r.rc) {
            fprintf(stderr, "search-index: %s\n", r.err.msg);
            status = cli_exit_for(r.rc);
        } else if (k < 0) {
            if (quiet) fprintf(stderr, "search-index: cannot read %s\n", argv[i]);
            status = EXIT_USAGE;
        }
    }
    if (status == EXIT_OK) {
        rc = sift_writer_commit(r.w, &r.err);
        if (rc) {
            fprintf(stderr, "search-index: %s (the previous index is unchanged)\n", r.err.msg);
            status = cli_exit_for(rc);
        }
    } else {
        fprintf(stderr, "search-index: nothing written; the previous index is unchanged\n");
    }
    double secs = now() - t0;
    if (status == EXIT_OK && !quiet)
        fprintf(stderr,
                "search-index: indexed %llu documents (%.1f MB) in %.2f s (%.1f MB/s), "
                "skipped %llu, into %s\n",
                (unsigned long long)st.docs, st.bytes / 1e6, secs,
                secs > 0 ? st.bytes / 1e6 / secs : 0.0, (unsigned long long)st.skipped, index);
    sift_writer_close(r.w);
    free(index);
    return status;
}
