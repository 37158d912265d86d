/* main.c -- search-index: build and update an index from directories,
 * text files and JSON Lines files; merge and check it. */
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sift/sift.h>

#include "cli.h"
#include "sources.h"

#define PROG "search-index"

static const char usage[] =
    "Usage: search-index [OPTIONS] PATH...\n"
    "       search-index [OPTIONS] --merge | --check\n"
    "Index PATHs into a sift index, or update the index with what changed:\n"
    "directories (read recursively), .txt files (first line the title), .md\n"
    "(first heading), .html/.htm (<title>, visible text), and JSON Lines files\n"
    "(.jsonl, .jsonl.gz) of\n"
    "{\"id\": ..., \"title\": ..., \"text\": ...} objects.\n"
    "On an existing index, new files are added, changed ones replaced, files gone\n"
    "from a directory deleted, and unchanged ones (same size and time, or same\n"
    "content) not read again; JSON Lines update by id. Changes are published\n"
    "atomically; a crash leaves the previous index.\n"
    "\n"
    "Options:\n"
    "  --index DIR       index directory (default: $SIFT_INDEX, else\n"
    "                    ${XDG_DATA_HOME:-~/.local/share}/sift/index)\n"
    "  --rebuild         start from an empty index instead of updating\n"
    "  --dry-run         print what would change, write nothing\n"
    "  --merge           merge all segments into one (after indexing PATHs)\n"
    "  --check           verify every checksum and invariant; exit 0 only if all hold\n"
    "  --follow-links    also follow symbolic links that lead out of PATH\n"
    "  --field NAME:TYPE declare a typed field: date, keyword, number or text\n"
    "                    (repeatable; undeclared keys are typed by a rule)\n"
    "  --language NAME   Snowball stemmer for a new index (default english; 'none')\n"
    "  --ram-mb N        memory budget for inversion in MiB (default 256)\n"
    "  --threads N       threads that analyze, invert and merge (default: one\n"
    "                    per core, at most 16); the index is the same for any N\n"
    "  -q, --quiet       no summary, no warnings\n"
    "  -v, --verbose     list skipped files with the reason\n"
    "  -h, --help        this help\n"
    "  --version         library and format versions\n"
    "\n"
    "Exit status: 0 ok, 2 usage or input error, 3 index error, 4 done but some\n"
    "sources could not be read (their documents were kept as they were).\n";

#define MAX_REASONS 16
#define MAX_FIELD_DECLS 64

struct field_decl {
    char name[64];
    sift_field_type type;
};

/* NAME:TYPE of --field. */
static bool parse_field_decl(const char *arg, struct field_decl *out)
{
    static const char *const types[] = { "text", "keyword", "date", "number" };
    const char *colon = strrchr(arg, ':');
    if (!colon || colon == arg || (size_t)(colon - arg) >= sizeof out->name) return false;
    for (int t = 0; t < 4; t++)
        if (!strcmp(colon + 1, types[t])) {
            memcpy(out->name, arg, (size_t)(colon - arg));
            out->name[colon - arg] = 0;
            out->type = (sift_field_type)(t + 1);
            return true;
        }
    return false;
}

struct run {
    sift_writer *w;
    bool quiet, verbose, dry_run;
    int follow_links;
    const char *index;             /* never read as a source */
    const char *source;            /* the PATH being read */
    uint64_t kept, unreadable;     /* documents kept because their source could not be read */
    uint64_t bad_values;           /* field values that did not parse as their field's type */
    bool progress;                 /* a live line on a terminal */
    double start, last_shown;
    const struct source_stats *st; /* of the PATH being read */
    uint64_t docs_before, bytes_before;
    sift_errmsg err;
    sift_err rc;
    uint64_t added, updated, unchanged, deleted, skipped;
    struct { char why[64]; uint64_t n; } reasons[MAX_REASONS];
    unsigned nreasons;
};

static void count_reason(struct run *r, const char *why)
{
    r->skipped++;
    for (unsigned i = 0; i < r->nreasons; i++)
        if (!strcmp(r->reasons[i].why, why)) {
            r->reasons[i].n++;
            return;
        }
    if (r->nreasons < MAX_REASONS) {
        snprintf(r->reasons[r->nreasons].why, sizeof r->reasons[0].why, "%s", why);
        r->reasons[r->nreasons++].n = 1;
    }
}

/* Before reading a file: skip it when size and mtime are unchanged. */
static double now(void);

static void show_progress(struct run *r, bool force)
{
    if (!r->progress) return;
    double t = now();
    if (!force && t - r->last_shown < 0.1) return;
    r->last_shown = t;
    double secs = t - r->start;
    uint64_t docs = r->docs_before + (r->st ? r->st->docs : 0) + r->unchanged;
    double mb = (double)(r->bytes_before + (r->st ? r->st->bytes : 0)) / 1e6;
    char eta[32] = "";
    if (r->st && r->st->input_total && r->st->input_done > 0 && secs > 0.5) {
        double left = secs * ((double)r->st->input_total / (double)r->st->input_done - 1);
        snprintf(eta, sizeof eta, "  ETA %d:%02d", (int)left / 60, (int)left % 60);
    }
    fprintf(stderr, "\r%llu documents  %.1f MB  %.1f MB/s  %d:%02d elapsed%s\033[K",
            (unsigned long long)docs, mb, secs > 0 ? mb / secs : 0.0, (int)secs / 60, (int)secs % 60, eta);
    fflush(stderr);
}

static int want_file(void *ctx, const struct source_doc *d)
{
    struct run *r = ctx;
    sift_doc_info old = { .struct_size = sizeof old };
    if (!sift_writer_lookup(r->w, d->id, &old)) return 1;
    if (strcmp(old.source, d->source)) return 1;
    if (d->has_hash ? old.hash != d->hash : (old.size != d->size || old.mtime_ns != d->mtime_ns)) return 1;
    sift_writer_keep(r->w, d->id);
    r->unchanged++;
    show_progress(r, false);
    return 0;
}

/* The document's typed values: one that does not parse as its field's
 * type is skipped with FILE[:LINE] and the reason, and counted. */
static void give_fields(struct run *r, const struct source_doc *d)
{
    const struct strlist *p = d->fields;
    for (const char *k = p ? strlist_first(p) : NULL; k; k = strlist_next(p, k)) {
        const char *v = strlist_next(p, k);
        if (!v) break;
        bool builtin = !strcmp(k, "title") || !strcmp(k, "text") || !strcmp(k, "id") || !strcmp(k, "path");
        sift_errmsg ferr;
        if (!builtin && sift_writer_field(r->w, k, v, &ferr) != SIFT_OK) {
            r->bad_values++;
            if (!r->quiet) {
                if (d->line) fprintf(stderr, "search-index: %s:%lu: %s\n", d->path, d->line, ferr.msg);
                else fprintf(stderr, "search-index: %s: %s\n", d->path, ferr.msg);
            }
        }
        k = v;
    }
}

/* What could not be read keeps its documents: reported always (it is not a
 * file skipped on purpose), and the run's status says so. */
static void on_unreadable(void *ctx, const char *id, int subtree, const char *path, const char *why)
{
    struct run *r = ctx;
    uint64_t kept = 0;
    if (!id) {
        kept = sift_writer_keep_under(r->w, r->source, "");
    } else {
        if (sift_writer_lookup(r->w, id, NULL) == 1) {
            sift_writer_keep(r->w, id);
            kept = 1;
        }
        if (subtree) {
            size_t n = strlen(id);
            char *prefix = malloc(n + 2);
            if (prefix) {
                memcpy(prefix, id, n);
                memcpy(prefix + n, n ? "/" : "", n ? 2 : 1);
                kept += sift_writer_keep_under(r->w, r->source, prefix);
                free(prefix);
            }
        }
    }
    r->unreadable++;
    r->kept += kept;
    if (!r->quiet)
        fprintf(stderr, "search-index: cannot read %s: %s; %llu document%s from it kept as they were\n",
                path, why, (unsigned long long)kept, kept == 1 ? "" : "s");
}

static int on_doc(void *ctx, const struct source_doc *d)
{
    struct run *r = ctx;
    show_progress(r, false);
    sift_doc_info old = { .struct_size = sizeof old };
    bool exists = sift_writer_lookup(r->w, d->id, &old);
    if (exists && old.hash == d->hash && !strcmp(old.source, d->source)) {
        sift_writer_keep(r->w, d->id);   /* touched, same content */
        r->unchanged++;
        return 0;
    }
    if (r->dry_run) {
        sift_writer_keep(r->w, d->id);
        exists ? r->updated++ : r->added++;
        return 0;
    }
    sift_doc_info info = { sizeof(sift_doc_info), d->source, d->path, d->size, d->mtime_ns, d->hash };
    sift_err rc = sift_writer_set_info(r->w, &info, &r->err);
    if (!rc) give_fields(r, d);
    if (!rc && d->read)
        rc = sift_writer_add_stream(r->w, d->id, d->title, d->text_len, d->read, d->read_ctx, &r->err);
    else if (!rc)
        rc = sift_writer_add(r->w, d->id, d->title, d->text, d->text_len, &r->err);
    if (rc == SIFT_ERR_INPUT && d->read) {   /* its file failed while being read */
        on_unreadable(r, d->id, 0, d->path, r->err.msg);
        return 0;
    }
    if (rc == SIFT_ERR_INVALID || rc == SIFT_ERR_INPUT) {
        if (!r->quiet) {
            if (d->line) fprintf(stderr, "search-index: skipped %s:%lu: %s\n", d->path, d->line, r->err.msg);
            else fprintf(stderr, "search-index: skipped %s: %s\n", d->path, r->err.msg);
        }
        count_reason(r, "rejected");
        return 0;
    }
    if (!rc) exists ? r->updated++ : r->added++;
    r->rc = rc;
    return rc != SIFT_OK;
}

static void on_skip(void *ctx, const char *what, const char *why)
{
    struct run *r = ctx;
    count_reason(r, why);
    if (r->verbose && !r->quiet) fprintf(stderr, "search-index: skipped %s: %s\n", what, why);
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void report_problem(void *ctx, const char *problem)
{
    (void)ctx;
    fprintf(stderr, "search-index: check: %s\n", problem);
}

static int run_check(const char *index, bool quiet)
{
    sift_index *idx;
    sift_errmsg err;
    sift_err rc = sift_index_open(index, &idx, &err);
    if (rc) {
        fprintf(stderr, "search-index: check: %s\n", err.msg);
        return EXIT_INDEX;
    }
    uint64_t problems = 0;
    rc = sift_index_check(idx, report_problem, NULL, &problems, &err);
    sift_index_stats st = { .struct_size = sizeof st };
    sift_index_stats_get(idx, &st, &err);
    sift_index_close(idx);
    if (rc) {
        fprintf(stderr, "search-index: check: %s: %llu problem%s\n", index,
                (unsigned long long)problems, problems == 1 ? "" : "s");
        return EXIT_INDEX;
    }
    if (!quiet)
        printf("%s: ok: %llu documents, %u segment%s, %llu deleted, every checksum and invariant holds\n",
               index, (unsigned long long)st.doc_count, st.segment_count,
               st.segment_count == 1 ? "" : "s", (unsigned long long)st.deleted_count);
    return EXIT_OK;
}

/* Index one PATH; directories also lose the documents whose files are gone. */
static int index_path(struct run *r, const char *arg)
{
    char real[PATH_MAX];
    if (!realpath(arg, real)) {
        fprintf(stderr, "search-index: cannot read %s: no such file or directory\n", arg);
        return EXIT_USAGE;
    }
    struct source_stats st = { 0, 0, 0 };
    struct stat sb;
    bool dir = stat(real, &sb) == 0 && S_ISDIR(sb.st_mode);
    r->st = &st;
    r->source = real;
    struct source_walk w = { want_file, on_doc, on_skip, on_unreadable, r, r->index, r->follow_links };
    int k = sources_walk(real, &w, &st);
    r->st = NULL;
    r->docs_before += st.docs;
    r->bytes_before += st.bytes;
    if (r->rc) {
        fprintf(stderr, "search-index: %s\n", r->err.msg);
        return cli_exit_for(r->rc);
    }
    if (k < 0) {
        fprintf(stderr, "search-index: cannot index %s\n", arg);
        return EXIT_USAGE;
    }
    if (dir) {
        uint64_t gone = 0;
        sift_writer_delete_unseen(r->w, real, r->dry_run, &gone, &r->err);
        r->deleted += gone;
    }
    return EXIT_OK;
}

static void summary(const struct run *r, double secs, const char *index)
{
    fprintf(stderr,
            "search-index: %s%llu added, %llu updated, %llu deleted, %llu unchanged, %llu skipped",
            r->dry_run ? "dry run, nothing written: " : "", (unsigned long long)r->added,
            (unsigned long long)r->updated, (unsigned long long)r->deleted,
            (unsigned long long)r->unchanged, (unsigned long long)r->skipped);
    for (unsigned i = 0; i < r->nreasons; i++)
        fprintf(stderr, "%s%s %llu", i ? ", " : " (", r->reasons[i].why,
                (unsigned long long)r->reasons[i].n);
    if (r->nreasons) fputc(')', stderr);
    if (r->bad_values)
        fprintf(stderr, ", %llu field value%s skipped", (unsigned long long)r->bad_values,
                r->bad_values == 1 ? "" : "s");
    if (r->unreadable)
        fprintf(stderr, ", %llu kept, unreadable (%llu path%s could not be read)",
                (unsigned long long)r->kept, (unsigned long long)r->unreadable,
                r->unreadable == 1 ? "" : "s");
    fprintf(stderr, " in %.2f s; %llu documents in %s\n", secs,
            (unsigned long long)sift_writer_doc_count(r->w), index);
}

int main(int argc, char **argv)
{
    enum { OPT_INDEX = 256, OPT_LANG, OPT_RAM, OPT_THREADS, OPT_VERSION, OPT_REBUILD, OPT_DRY, OPT_MERGE,
           OPT_CHECK, OPT_FOLLOW, OPT_FIELD };
    static const struct option opts[] = {
        { "index", required_argument, NULL, OPT_INDEX },
        { "language", required_argument, NULL, OPT_LANG },
        { "ram-mb", required_argument, NULL, OPT_RAM },
        { "threads", required_argument, NULL, OPT_THREADS },
        { "rebuild", no_argument, NULL, OPT_REBUILD },
        { "dry-run", no_argument, NULL, OPT_DRY },
        { "merge", no_argument, NULL, OPT_MERGE },
        { "check", no_argument, NULL, OPT_CHECK },
        { "follow-links", no_argument, NULL, OPT_FOLLOW },
        { "field", required_argument, NULL, OPT_FIELD },
        { "quiet", no_argument, NULL, 'q' },
        { "verbose", no_argument, NULL, 'v' },
        { "help", no_argument, NULL, 'h' },
        { "version", no_argument, NULL, OPT_VERSION },
        { NULL, 0, NULL, 0 },
    };
    const char *index_opt = NULL;
    sift_writer_options wo;
    sift_writer_options_init(&wo);
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    wo.threads = cores < 1 ? 1 : cores > 16 ? 16 : (unsigned)cores;
    struct run r;
    memset(&r, 0, sizeof r);
    bool merge = false, check = false;
    struct field_decl fields[MAX_FIELD_DECLS];
    size_t nfields = 0;
    int c;
    unsigned long long v;
    while ((c = getopt_long(argc, argv, "qvh", opts, NULL)) != -1) {
        switch (c) {
        case OPT_INDEX: index_opt = optarg; break;
        case OPT_LANG: wo.language = optarg; break;
        case OPT_RAM:
            if (!cli_arg_uint(PROG, "ram-mb", optarg, 16, 1u << 20, "a number of MiB >= 16", &v))
                return EXIT_USAGE;
            wo.ram_mb = (unsigned)v;
            break;
        case OPT_THREADS:
            if (!cli_arg_uint(PROG, "threads", optarg, 1, 256, "a number from 1 to 256", &v))
                return EXIT_USAGE;
            wo.threads = (unsigned)v;
            break;
        case OPT_REBUILD: wo.rebuild = 1; break;
        case OPT_DRY: r.dry_run = true; break;
        case OPT_MERGE: merge = true; break;
        case OPT_CHECK: check = true; break;
        case OPT_FOLLOW: r.follow_links = 1; break;
        case OPT_FIELD:
            if (nfields == MAX_FIELD_DECLS || !parse_field_decl(optarg, &fields[nfields])) {
                fprintf(stderr, "search-index: --field wants NAME:TYPE, TYPE one of date, keyword, "
                                "number, text, not '%s'\n", optarg);
                return EXIT_USAGE;
            }
            nfields++;
            break;
        case 'q': r.quiet = true; break;
        case 'v': r.verbose = true; break;
        case 'h': fputs(usage, stdout); return EXIT_OK;
        case OPT_VERSION: cli_print_version(PROG); return EXIT_OK;
        default: fputs(usage, stderr); return EXIT_USAGE;
        }
    }
    char *index = cli_index_dir(PROG, index_opt);
    if (!index) return EXIT_USAGE;
    r.index = index;
    if (check) {
        int s = optind < argc ? (fprintf(stderr, "search-index: --check takes no PATH\n"), EXIT_USAGE)
                              : run_check(index, r.quiet);
        free(index);
        return s;
    }
    if (optind >= argc && !merge) {
        fprintf(stderr, "search-index: no PATH given\n%s", usage);
        free(index);
        return EXIT_USAGE;
    }
    sift_err rc = sift_writer_open(index, &wo, &r.w, &r.err);
    if (rc) {
        cli_report(PROG, rc, &r.err, index);
        free(index);
        return rc == SIFT_ERR_INVALID ? EXIT_USAGE : EXIT_INDEX;
    }
    for (size_t i = 0; i < nfields; i++)
        if ((rc = sift_writer_declare_field(r.w, fields[i].name, fields[i].type, &r.err))) {
            fprintf(stderr, "search-index: --field %s: %s\n", fields[i].name, r.err.msg);
            sift_writer_close(r.w);
            free(index);
            return EXIT_USAGE;
        }
    double t0 = now();
    r.start = t0;
    r.progress = !r.quiet && isatty(STDERR_FILENO);
    int status = EXIT_OK;
    for (int i = optind; i < argc && status == EXIT_OK; i++) status = index_path(&r, argv[i]);
    if (r.progress) {
        show_progress(&r, true);
        fprintf(stderr, "\r\033[Kcommitting...");
        fflush(stderr);
    }
    if (status == EXIT_OK && !r.dry_run) {
        rc = sift_writer_commit(r.w, &r.err);
        if (rc) {
            fprintf(stderr, "search-index: %s (nothing was published: the previous index is unchanged)\n",
                    r.err.msg);
            status = cli_exit_for(rc);
        } else if (sift_writer_warning(r.w) && !r.quiet) {
            fprintf(stderr, "search-index: warning: %s\n", sift_writer_warning(r.w));
        }
        if (!rc && merge && (rc = sift_writer_merge(r.w, 1, &r.err))) {
            fprintf(stderr, "search-index: the update was published, but merging into one segment "
                            "failed: %s (the index is valid, with its segments as they were)\n", r.err.msg);
            status = cli_exit_for(rc);
        }
    } else if (status != EXIT_OK) {
        fprintf(stderr, "search-index: nothing written; the previous index is unchanged\n");
    }
    if (r.progress) fprintf(stderr, "\r\033[K");
    if (status == EXIT_OK && !r.quiet) summary(&r, now() - t0, index);
    if (status == EXIT_OK && r.unreadable) status = EXIT_UNREADABLE;
    sift_writer_close(r.w);
    free(index);
    return status;
}
