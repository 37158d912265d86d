/* main.c -- search: rank the documents of an index for a query. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <sift/sift.h>

#include "cli.h"
#include "snippet.h"

#define PROG "search"

static const char usage[] =
    "Usage: search [OPTIONS] QUERY\n"
    "       search [OPTIONS] --queries FILE\n"
    "Rank the documents of a sift index for QUERY with BM25.\n"
    "\n"
    "Query syntax (docs/QUERY.md):\n"
    "  cloud outage              any of the words, best matches first\n"
    "  +cloud +outage            required words (or: --all cloud outage)\n"
    "  cloud -alibaba            exclude a word (also: NOT alibaba)\n"
    "  a AND b, a OR b, (a b)    boolean operators; AND binds tighter than OR\n"
    "  \"export restrictions\"     exact phrase; \"cloud spin-off\"~2 allows 2 moves\n"
    "  NEAR/5(bytedance azure)   all words with at most 5 others between, any order\n"
    "  ONEAR/5(bytedance azure)  the same, in this order\n"
    "  title:azure               a word, phrase or group in one field: title, text\n"
    "  source:reuters            a keyword field's value (a filter: scores 0)\n"
    "  date:[2023-01 TO 2023-06] a date or number range; date:>=2023, date:<2024-06\n"
    "  micro*                    every word starting with micro (at most 1024)\n"
    "  alibba~1                  terms within 1 edit (~: 2) of the word\n"
    "  *                         every document (newest: --sort -date '*')\n"
    "\n"
    "Options:\n"
    "  --index DIR        index directory; repeated, searched as one (default:\n"
    "                     $SIFT_INDEX, a:b:c, else ~/.local/share/sift/index)\n"
    "  -n, --limit N      number of hits (default 10)\n"
    "  --offset N         skip the first N hits\n"
    "  --json             one JSON object per hit: rank, score, id, title, snippet\n"
    "  -l, --ids          print the ids of the hits only, one per line\n"
    "  --fields LIST      tab-separated columns: rank,score,id,title,path,snippet\n"
    "  --stats            print index statistics (documents, terms, segments, bytes)\n"
    "  --explain          show how each hit's score was made\n"
    "  --sort [-]FIELD    order by a date or number field (-: descending)\n"
    "  --facet FIELD      count FIELD's values (date:year, :month, :day) of hits\n"
    "  --facet-limit N    values per facet (default 10)\n"
    "  --count            print the number of matching documents only\n"
    "  --all              words without an operator are all required\n"
    "  --literal          no query syntax: search for the words as typed\n"
    "  --stopwords S      dropped from OR groups: snowball, lucene (bm25's) or none\n"
    "  --strict           a malformed query is an error (default: read leniently)\n"
    "  --no-correct       when nothing matches, do not search 'Did you mean'\n"
    "  --queries FILE     run every line 'qid<TAB>query' of FILE\n"
    "  --format FMT       text (default), json, or trec ('qid Q0 id rank score sift')\n"
    "  --k1 X, --b X      BM25 parameters (default 1.2 and 0.75; bm25's 0.9 and 0.4)\n"
    "  --rank R           default (BM25F), bm25 (Lucene's) or bm25+prox (proximity)\n"
    "  --field-weights W  BM25F weights (default title=3,text=1; bm25's: one field)\n"
    "  --expand           add 10 words of the top 10 hits to the query (RM3 feedback)\n"
    "  --color WHEN       highlight matches: auto (default), always, never\n"
    "  -h, --help, --version  this help; the library and format versions\n"
    "\n"
    "Highlighting is bold on a terminal, off when piped or when NO_COLOR is set.\n"
    "A query that starts with '-' follows '--': search -- '-a b'.\n"
    "Exit status: 0 hits, 1 no hits, 2 usage or query error, 3 index error.\n";

enum format { FMT_TEXT, FMT_JSON, FMT_TREC, FMT_IDS, FMT_FIELDS };

#define MAX_FIELDS 8
enum field_col { COL_RANK, COL_SCORE, COL_ID, COL_TITLE, COL_PATH, COL_SNIPPET, COL_FIELD };
#define MAX_FACETS 16

#define MAX_INDEXES 64

struct cli {
    const char *indexes[MAX_INDEXES];
    size_t nindexes;
    sift_search_options so;
    enum format fmt;
    bool count, color, stats, explain, no_correct, expand;
    unsigned qflags;
    enum field_col cols[MAX_FIELDS];
    char colname[MAX_FIELDS][64];   /* COL_FIELD: the typed field */
    size_t ncols;
    const char *facets[MAX_FACETS];
    const char *queries;
};

static void json_string(FILE *f, const char *s)
{
    fputc('"', f);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        switch (*p) {
        case '"': fputs("\\\"", f); break;
        case '\\': fputs("\\\\", f); break;
        case '\n': fputs("\\n", f); break;
        case '\t': fputs("\\t", f); break;
        case '\r': fputs("\\r", f); break;
        default:
            if (*p < 0x20) fprintf(f, "\\u%04x", *p);
            else fputc(*p, f);
        }
    }
    fputc('"', f);
}

/* The values of field `name` of hit i joined by ", " (malloc'ed, "" when it
 * has none). */
static char *field_text(sift_results *res, size_t i, size_t nfields, const char *name)
{
    size_t cap = 256, len = 0;
    char *out = malloc(cap);
    if (!out) return NULL;
    out[0] = 0;
    sift_errmsg err;
    for (size_t k = 0; k < nfields; k++) {
        const char *n, *v;
        if (sift_results_field(res, i, k, &n, &v, &err) || strcasecmp(n, name)) continue;
        size_t vl = strlen(v);
        if (len + vl + 3 > cap) {
            cap = 2 * (len + vl + 3);
            char *o = realloc(out, cap);
            if (!o) break;
            out = o;
        }
        if (len) memcpy(out + len, ", ", 2), len += 2;
        memcpy(out + len, v, vl);
        len += vl;
        out[len] = 0;
    }
    char *safe = text_sanitize(out, len);
    free(out);
    return safe;
}

/* "date · source · author" under a hit's title, when it has any. */
static void print_byline(sift_results *res, size_t i, size_t nfields)
{
    static const char *const shown[] = { "date", "source", "author", "authors" };
    char line[600] = "";
    for (int k = 0; k < 4; k++) {
        char *v = field_text(res, i, nfields, shown[k]);
        if (v && *v && strlen(line) + strlen(v) < sizeof line - 8)
            snprintf(line + strlen(line), sizeof line - strlen(line), "%s%s", *line ? " \u00b7 " : "", v);
        free(v);
    }
    if (*line) printf("   %s\n", line);
}

/* "fields": {...} of a JSON hit: keyword fields as arrays, numbers as
 * numbers, the rest as strings. */
static void json_fields(const sift_index *idx, sift_results *res, size_t i, size_t nfields)
{
    printf(",\"fields\":{");
    bool first = true;
    for (size_t f = 0; f < sift_index_field_count(idx); f++) {
        const char *name;
        sift_field_type type;
        sift_errmsg err;
        if (sift_index_field(idx, f, &name, &type, &err)) continue;
        size_t nv = 0;
        for (size_t k = 0; k < nfields; k++) {
            const char *n, *v;
            if (sift_results_field(res, i, k, &n, &v, &err) || strcasecmp(n, name)) continue;
            if (!nv++) {
                printf("%s", first ? "" : ",");
                first = false;
                json_string(stdout, name);
                printf(type == SIFT_FIELD_KEYWORD ? ":[" : ":");
            } else if (type != SIFT_FIELD_KEYWORD) {
                break;   /* one value */
            } else {
                putchar(',');
            }
            if (type == SIFT_FIELD_NUMBER) {
                char *end;
                double d = strtod(v, &end);
                if (*v && !*end) printf("%.17g", d);
                else json_string(stdout, v);
            } else {
                json_string(stdout, v);
            }
        }
        if (nv && type == SIFT_FIELD_KEYWORD) putchar(']');
    }
    printf("}");
}

/* What a single query's search printed besides its hits. */
struct said {
    const char *suggestion;   /* "Did you mean", or NULL */
    bool corrected;           /* the hits are the suggestion's */
};

/* Print one query's hits; returns the exit status for it. */
static int print_hits(const struct cli *cl, const char *qid, sift_results *res,
                      const sift_index *idx, const sift_query *q, const struct said *said)
{
    size_t n = sift_results_size(res);
    sift_errmsg err;
    for (size_t i = 0; i < n; i++) {
        unsigned long long rank = (unsigned long long)cl->so.offset + i + 1;
        if (cl->fmt == FMT_TREC) {
            printf("%s Q0 %s %llu %.6f sift\n", qid ? qid : "1", sift_results_id(res, i), rank,
                   sift_results_score(res, i));
            continue;
        }
        if (cl->fmt == FMT_IDS) {
            char *id = text_sanitize(sift_results_id(res, i), strlen(sift_results_id(res, i)));
            printf("%s%s%s\n", qid ? qid : "", qid ? "\t" : "", id ? id : "");
            free(id);
            continue;
        }
        sift_hit h = { .struct_size = sizeof h };
        if (sift_results_hit(res, i, &h, &err)) {
            fprintf(stderr, "search: %s\n", err.msg);
            return EXIT_INDEX;
        }
        sift_snippet_options so = { sizeof(sift_snippet_options), 32, NULL, NULL };
        if (cl->fmt == FMT_TEXT && cl->color) {
            so.open = "\033[1m";
            so.close = "\033[0m";
        }
        char *snip = NULL;
        sift_err rc = sift_results_snippet(res, i, &so, &snip, &err);
        if (rc) {
            fprintf(stderr, "search: %s\n", err.msg);
            return cli_exit_for(rc);
        }
        char *title = text_sanitize(h.title, strlen(h.title));
        char *id = text_sanitize(h.id, strlen(h.id));
        if (cl->fmt == FMT_FIELDS) {
            /* tab-separated, for scripts: no tabs or newlines inside fields */
            char *path = text_sanitize(h.path, strlen(h.path));
            if (qid) printf("%s\t", qid);
            for (size_t c = 0; c < cl->ncols; c++) {
                if (c) putchar('\t');
                switch (cl->cols[c]) {
                case COL_RANK: printf("%llu", rank); break;
                case COL_SCORE: printf("%.6f", h.score); break;
                case COL_ID: fputs(id ? id : "", stdout); break;
                case COL_TITLE: fputs(title ? title : "", stdout); break;
                case COL_PATH: fputs(path ? path : "", stdout); break;
                case COL_SNIPPET: fputs(snip, stdout); break;
                case COL_FIELD: {
                    char *v = field_text(res, i, h.nfields, cl->colname[c]);
                    fputs(v ? v : "", stdout);
                    free(v);
                    break;
                }
                }
            }
            putchar('\n');
            free(path);
        } else if (cl->fmt == FMT_JSON) {
            printf("{");
            if (qid) {
                printf("\"qid\":");
                json_string(stdout, qid);
                printf(",");
            }
            printf("\"rank\":%llu,\"score\":%.6f,\"id\":", rank, h.score);
            json_string(stdout, h.id);
            printf(",\"title\":");
            json_string(stdout, title ? title : "");
            printf(",\"snippet\":");
            json_string(stdout, snip);
            json_fields(idx, res, i, h.nfields);
            if (said->suggestion) {
                printf(",\"suggestion\":");
                json_string(stdout, said->suggestion);
                if (said->corrected) printf(",\"corrected\":true");
            }
            printf("}\n");
        } else {
            const char *b = cl->color ? "\033[1m" : "", *e = cl->color ? "\033[0m" : "";
            printf("%llu. %s%s%s  [%.4f]\n   %s\n", rank, b, title && *title ? title : "(untitled)",
                   e, h.score, id ? id : "");
            print_byline(res, i, h.nfields);
            if (*snip) printf("   %s\n", snip);
            if (cl->explain) {
                char *ex = NULL;
                if (sift_explain(idx, q, &cl->so, h.docno, &ex, &err) == SIFT_OK) {
                    for (char *save = NULL, *l = strtok_r(ex, "\n", &save); l; l = strtok_r(NULL, "\n", &save))
                        printf("   | %s\n", l);
                }
                sift_free(ex);
            }
            printf("\n");
        }
        free(title);
        free(id);
        sift_free(snip);
    }
    return n ? EXIT_OK : EXIT_NO_RESULTS;
}

/* --facet: FIELD<TAB>VALUE<TAB>COUNT lines (JSON: one object a value). */
static int print_facets(const struct cli *cl, const char *qid, sift_results *res)
{
    size_t n = sift_results_facet_count(res);
    for (size_t j = 0; j < n; j++) {
        sift_facet_value fv = { .struct_size = sizeof fv };
        sift_errmsg err;
        if (sift_results_facet(res, j, &fv, &err)) continue;
        char *v = text_sanitize(fv.value, strlen(fv.value));
        if (cl->fmt == FMT_JSON) {
            printf("{");
            if (qid) {
                printf("\"qid\":");
                json_string(stdout, qid);
                printf(",");
            }
            printf("\"facet\":");
            json_string(stdout, fv.facet);
            printf(",\"value\":");
            json_string(stdout, fv.value);
            printf(",\"count\":%llu}\n", (unsigned long long)fv.count);
        } else {
            if (qid) printf("%s\t", qid);
            printf("%s\t%s\t%llu\n", fv.facet, v ? v : "", (unsigned long long)fv.count);
        }
        free(v);
    }
    return n ? EXIT_OK : EXIT_NO_RESULTS;
}

/* A JSON line for a query that printed no hits but has a suggestion. */
static void json_suggestion(const char *qid, const struct said *said)
{
    printf("{");
    if (qid) {
        printf("\"qid\":");
        json_string(stdout, qid);
        printf(",");
    }
    printf("\"suggestion\":");
    json_string(stdout, said->suggestion);
    printf("}\n");
}

/* Parse and run one query: count, facets or hits. */
static int search_text(const struct cli *cl, sift_index *idx, const char *qid, const char *text,
                       const struct said *said, uint64_t *found)
{
    sift_errmsg err;
    sift_query *q;
    sift_err rc = sift_query_parse_flags(idx, text, cl->qflags, &q, &err);
    *found = 0;
    if (rc) {
        if (qid) fprintf(stderr, "search: query %s: %s\n", qid, err.msg);
        else fprintf(stderr, "search: %s\n", err.msg);
        return cli_exit_for(rc);
    }
    if (sift_query_warning(q))
        fprintf(stderr, "search: %s%s%swarning: %s\n", qid ? "query " : "", qid ? qid : "",
                qid ? ": " : "", sift_query_warning(q));
    sift_query *expanded;
    if (cl->expand && (rc = sift_query_expand(idx, q, &cl->so, &expanded, &err)) == SIFT_OK) {
        sift_query_free(q);
        q = expanded;
    } else if (cl->expand) {
        fprintf(stderr, "search: %s\n", err.msg);
        sift_query_free(q);
        return cli_exit_for(rc);
    }
    int status;
    if (cl->count) {
        rc = sift_count(idx, q, found, &err);
        if (!rc) {
            if (qid) printf("%s\t", qid);
            printf("%llu\n", (unsigned long long)*found);
        }
        status = rc ? cli_exit_for(rc) : *found ? EXIT_OK : EXIT_NO_RESULTS;
    } else {
        sift_results *res;
        rc = sift_search(idx, q, &cl->so, &res, &err);
        if (!rc) *found = sift_results_total(res);
        if (rc) status = cli_exit_for(rc);
        else if (cl->so.nfacets) status = print_facets(cl, qid, res);
        else if (!*found && said->suggestion && !said->corrected && !cl->no_correct) status = EXIT_NO_RESULTS;
        else status = print_hits(cl, qid, res, idx, q, said);
        if (!rc) sift_results_free(res);
    }
    if (rc) fprintf(stderr, "search: %s\n", err.msg);
    sift_query_free(q);
    return status;
}

/* One query. A single query (no qid) in text or JSON also gets "Did you
 * mean", and when it finds nothing, the suggestion's hits (unless
 * --no-correct); a batch of queries runs them as asked. */
static int run_query(const struct cli *cl, sift_index *idx, const char *qid, const char *text)
{
    struct said said = { NULL, false };
    char *suggestion = NULL;
    sift_errmsg err;
    if (!qid && (cl->fmt == FMT_TEXT || cl->fmt == FMT_JSON) && !cl->so.nfacets &&
        sift_suggest(idx, text, cl->qflags, &suggestion, &err) == SIFT_OK && suggestion) {
        said.suggestion = suggestion;
        if (cl->fmt == FMT_TEXT) fprintf(stderr, "Did you mean: %s\n", suggestion);
    }
    uint64_t found;
    int status = search_text(cl, idx, qid, text, &said, &found);
    if (status == EXIT_NO_RESULTS && said.suggestion && !cl->no_correct && !cl->count) {
        said.corrected = true;
        if (cl->fmt == FMT_TEXT) fprintf(stderr, "Showing results for: %s\n", suggestion);
        status = search_text(cl, idx, qid, suggestion, &said, &found);
    } else if (status == EXIT_NO_RESULTS && said.suggestion && cl->fmt == FMT_JSON) {
        json_suggestion(qid, &said);
    }
    sift_free(suggestion);
    return status;
}

/* Every 'qid<TAB>query' line of a file; the status is the worst of them
 * (index error > usage error), or 0 when any query had hits. */
static int run_file(const struct cli *cl, sift_index *idx)
{
    FILE *f = strcmp(cl->queries, "-") ? fopen(cl->queries, "r") : stdin;
    if (!f) {
        perror(cl->queries);
        return EXIT_USAGE;
    }
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    int worst = EXIT_NO_RESULTS;
    unsigned long lineno = 0;
    while ((n = getline(&line, &cap, f)) >= 0) {
        lineno++;
        while (n && (line[n - 1] == '\n' || line[n - 1] == '\r')) line[--n] = 0;
        if (!n) continue;
        char *tab = strchr(line, '\t');
        if (!tab) {
            fprintf(stderr, "search: %s:%lu: expected 'qid<TAB>query'\n", cl->queries, lineno);
            if (worst < EXIT_USAGE) worst = EXIT_USAGE;
            continue;
        }
        *tab = 0;
        int s = run_query(cl, idx, line, tab + 1);
        if (s == EXIT_INDEX) {
            worst = EXIT_INDEX;
            break;
        }
        if (s == EXIT_USAGE && worst != EXIT_INDEX) worst = EXIT_USAGE;
        if (s == EXIT_OK && worst == EXIT_NO_RESULTS) worst = EXIT_OK;
    }
    free(line);
    if (f != stdin) fclose(f);
    return worst;
}

static bool field_name_ok(const char *f)
{
    if (!*f || strlen(f) >= 64 || !((*f >= 'a' && *f <= 'z') || (*f >= 'A' && *f <= 'Z'))) return false;
    for (; *f; f++)
        if (!((*f >= 'a' && *f <= 'z') || (*f >= 'A' && *f <= 'Z') || (*f >= '0' && *f <= '9') || *f == '_'))
            return false;
    return true;
}

static bool parse_fields(const char *s, struct cli *cl)
{
    static const char *names[] = { "rank", "score", "id", "title", "path", "snippet" };
    char buf[256];
    snprintf(buf, sizeof buf, "%s", s);
    cl->ncols = 0;
    char *save = NULL;
    for (char *f = strtok_r(buf, ",", &save); f; f = strtok_r(NULL, ",", &save)) {
        size_t k = 0;
        while (k < 6 && strcmp(f, names[k])) k++;
        if (cl->ncols == MAX_FIELDS || (k == 6 && !field_name_ok(f))) return false;
        if (k == 6) snprintf(cl->colname[cl->ncols], sizeof cl->colname[0], "%s", f);
        cl->cols[cl->ncols++] = (enum field_col)k;
    }
    return cl->ncols > 0;
}

/* "title=2,text=1" (either may be left out: it weighs 1). */
static bool parse_weights(const char *s, double *title, double *text)
{
    double t = 1, x = 1;
    char buf[128];
    snprintf(buf, sizeof buf, "%s", s);
    char *save = NULL;
    for (char *part = strtok_r(buf, ",", &save); part; part = strtok_r(NULL, ",", &save)) {
        char *eq = strchr(part, '=');
        if (!eq) return false;
        *eq = 0;
        char *end;
        double v = strtod(eq + 1, &end);
        if (!eq[1] || *end || !(v >= 0 && v <= 1000)) return false;
        if (!strcmp(part, "title")) t = v;
        else if (!strcmp(part, "text")) x = v;
        else return false;
    }
    if (t == 0 && x == 0) return false;
    *title = t;
    *text = x;
    return true;
}

static int parse_args(int argc, char **argv, struct cli *cl, int *done)
{
    enum { OPT_INDEX = 256, OPT_JSON, OPT_COUNT, OPT_QUERIES, OPT_FORMAT, OPT_K1, OPT_B,
           OPT_COLOR, OPT_OFFSET, OPT_VERSION, OPT_ALL, OPT_LITERAL, OPT_RANK, OPT_FIELDW,
           OPT_FIELDS, OPT_STATS, OPT_EXPLAIN, OPT_SORT, OPT_FACET, OPT_FACET_LIMIT, OPT_KEEP_STOP, OPT_STOPWORDS, OPT_STRICT,
           OPT_NO_CORRECT, OPT_EXPAND };
    static const struct option opts[] = {
        { "index", required_argument, NULL, OPT_INDEX },
        { "limit", required_argument, NULL, 'n' },
        { "offset", required_argument, NULL, OPT_OFFSET },
        { "json", no_argument, NULL, OPT_JSON },
        { "count", no_argument, NULL, OPT_COUNT },
        { "all", no_argument, NULL, OPT_ALL },
        { "literal", no_argument, NULL, OPT_LITERAL },
        { "keep-stopwords", no_argument, NULL, OPT_KEEP_STOP },   /* the old --stopwords none */
        { "stopwords", required_argument, NULL, OPT_STOPWORDS },
        { "strict", no_argument, NULL, OPT_STRICT },
        { "no-correct", no_argument, NULL, OPT_NO_CORRECT },
        { "expand", no_argument, NULL, OPT_EXPAND },
        { "rank", required_argument, NULL, OPT_RANK },
        { "ids", no_argument, NULL, 'l' },
        { "fields", required_argument, NULL, OPT_FIELDS },
        { "stats", no_argument, NULL, OPT_STATS },
        { "explain", no_argument, NULL, OPT_EXPLAIN },
        { "sort", required_argument, NULL, OPT_SORT },
        { "facet", required_argument, NULL, OPT_FACET },
        { "facet-limit", required_argument, NULL, OPT_FACET_LIMIT },
        { "field-weights", required_argument, NULL, OPT_FIELDW },
        { "queries", required_argument, NULL, OPT_QUERIES },
        { "format", required_argument, NULL, OPT_FORMAT },
        { "k1", required_argument, NULL, OPT_K1 },
        { "b", required_argument, NULL, OPT_B },
        { "color", required_argument, NULL, OPT_COLOR },
        { "help", no_argument, NULL, 'h' },
        { "version", no_argument, NULL, OPT_VERSION },
        { NULL, 0, NULL, 0 },
    };
    static const char *const ranks[] = { "default", "bm25", "bm25+prox", NULL };
    static const char *const stoplists[] = { "snowball", "lucene", "none", NULL };
    int rank = 0;   /* what --k1, --b, --field-weights and --stopwords do not set comes from it */
    int stops = -1;
    bool set_k1 = false, set_b = false, set_weights = false;
    static const char *const formats[] = { "text", "json", "trec", NULL };
    static const char *const colors[] = { "auto", "always", "never", NULL };
    int color = 0, k;
    unsigned long long v;
    int c;
    while ((c = getopt_long(argc, argv, "n:hl", opts, NULL)) != -1) {
        switch (c) {
        case OPT_INDEX:
            if (cl->nindexes == MAX_INDEXES) {
                fprintf(stderr, "search: at most %d --index options\n", MAX_INDEXES);
                return EXIT_USAGE;
            }
            cl->indexes[cl->nindexes++] = optarg;
            break;
        case 'n':
            /* any 32-bit limit: the heap is sized by the documents, not by -n */
            if (!cli_arg_uint(PROG, "limit", optarg, 1, UINT32_MAX, "a number from 1 to 4294967295", &v))
                return EXIT_USAGE;
            cl->so.limit = (uint32_t)v;
            break;
        case OPT_OFFSET:
            if (!cli_arg_uint(PROG, "offset", optarg, 0, UINT32_MAX, "a number", &v)) return EXIT_USAGE;
            cl->so.offset = (uint32_t)v;
            break;
        case OPT_JSON: cl->fmt = FMT_JSON; break;
        case OPT_COUNT: cl->count = true; break;
        case OPT_ALL: cl->qflags |= SIFT_QUERY_ALL; break;
        case 'l': cl->fmt = FMT_IDS; break;
        case OPT_STATS: cl->stats = true; break;
        case OPT_EXPLAIN: cl->explain = true; break;
        case OPT_SORT: cl->so.sort = optarg; break;
        case OPT_FACET:
            if (cl->so.nfacets == MAX_FACETS) {
                fprintf(stderr, "search: at most %d --facet\n", MAX_FACETS);
                return EXIT_USAGE;
            }
            cl->facets[cl->so.nfacets++] = optarg;
            cl->so.facets = cl->facets;
            cl->so.no_hits = 1;   /* facets are printed instead of hits */
            break;
        case OPT_FACET_LIMIT:
            if (!cli_arg_uint(PROG, "facet-limit", optarg, 1, 1000000, "a number from 1 to 1000000", &v))
                return EXIT_USAGE;
            cl->so.facet_limit = (uint32_t)v;
            break;
        case OPT_FIELDS:
            if (!parse_fields(optarg, cl)) {
                fprintf(stderr, "search: --fields takes a comma list of rank, score, id, title, path, snippet and field names, not '%s'\n", optarg);
                return EXIT_USAGE;
            }
            cl->fmt = FMT_FIELDS;
            break;
        case OPT_LITERAL: cl->qflags |= SIFT_QUERY_LITERAL; break;
        case OPT_KEEP_STOP: stops = 2; break;
        case OPT_STOPWORDS:
            if (!cli_arg_choice(PROG, "stopwords", optarg, stoplists, &stops)) return EXIT_USAGE;
            break;
        case OPT_STRICT: cl->qflags |= SIFT_QUERY_STRICT; break;
        case OPT_NO_CORRECT: cl->no_correct = true; break;
        case OPT_EXPAND: cl->expand = true; break;
        case OPT_RANK:
            if (!cli_arg_choice(PROG, "rank", optarg, ranks, &rank)) return EXIT_USAGE;
            break;
        case OPT_FIELDW:
            if (!parse_weights(optarg, &cl->so.title_weight, &cl->so.text_weight)) {
                fprintf(stderr, "search: --field-weights wants title=X,text=Y (X, Y >= 0, not both 0), not '%s'\n", optarg);
                return EXIT_USAGE;
            }
            set_weights = true;
            break;
        case OPT_QUERIES: cl->queries = optarg; break;
        case OPT_FORMAT:
            if (!cli_arg_choice(PROG, "format", optarg, formats, &k)) return EXIT_USAGE;
            cl->fmt = k == 0 ? FMT_TEXT : k == 1 ? FMT_JSON : FMT_TREC;
            break;
        case OPT_K1:
            if (!cli_arg_double(PROG, "k1", optarg, 0, 1000, "a number from 0 to 1000", &cl->so.k1))
                return EXIT_USAGE;
            set_k1 = true;
            break;
        case OPT_B:
            if (!cli_arg_double(PROG, "b", optarg, 0, 1, "a number from 0 to 1", &cl->so.b))
                return EXIT_USAGE;
            set_b = true;
            break;
        case OPT_COLOR:
            if (!cli_arg_choice(PROG, "color", optarg, colors, &color)) return EXIT_USAGE;
            break;
        case 'h': fputs(usage, stdout); *done = 1; return EXIT_OK;
        case OPT_VERSION: cli_print_version(PROG); *done = 1; return EXIT_OK;
        default: fputs(usage, stderr); return EXIT_USAGE;
        }
    }
    if (rank) {   /* Lucene's BM25, with or without the bonus */
        cl->so.rank = rank == 2 ? SIFT_RANK_BM25_PROX : SIFT_RANK_BM25;
        if (!set_k1) cl->so.k1 = SIFT_BM25_K1;
        if (!set_b) cl->so.b = SIFT_BM25_B;
        if (!set_weights) cl->so.title_weight = cl->so.text_weight = 0;
    }
    if (stops < 0) stops = rank ? 1 : 0;
    if (stops == 1) cl->qflags |= SIFT_QUERY_LUCENE_STOPWORDS;
    if (stops == 2) cl->qflags |= SIFT_QUERY_KEEP_STOPWORDS;
    if (color == 0) {
        const char *nc = getenv("NO_COLOR");
        cl->color = isatty(STDOUT_FILENO) && !(nc && *nc);
    } else {
        cl->color = color == 1;
    }
    if (cl->stats) return optind == argc ? EXIT_OK : (fprintf(stderr, "search: --stats takes no QUERY\n"), EXIT_USAGE);
    if (!cl->queries && optind + 1 != argc) {
        fprintf(stderr, optind >= argc ? "search: no QUERY given\n"
                                       : "search: give the query as one argument (quote it)\n");
        fputs(usage, stderr);
        return EXIT_USAGE;
    }
    if (cl->queries && optind != argc) {
        fprintf(stderr, "search: --queries and a QUERY argument cannot be combined\n");
        return EXIT_USAGE;
    }
    return EXIT_OK;
}

static int print_stats(sift_index *idx, char *const *dirs, size_t ndirs)
{
    sift_index_stats st = { .struct_size = sizeof st };
    sift_errmsg err;
    if (sift_index_stats_get(idx, &st, &err)) {
        fprintf(stderr, "search: %s\n", err.msg);
        return EXIT_INDEX;
    }
    for (size_t i = 0; i < ndirs; i++) printf("index        %s\n", dirs[i]);
    printf("documents    %llu (%llu deleted, not yet merged away", (unsigned long long)st.doc_count,
           (unsigned long long)st.deleted_count);
    if (st.shadowed_count)
        printf("; %llu older copies of ids a later index holds", (unsigned long long)st.shadowed_count);
    printf(")\n");
    printf("segments     %u\n", st.segment_count);
    printf("terms        %llu (summed over segments)\n", (unsigned long long)st.term_count);
    printf("tokens       %llu\n", (unsigned long long)st.token_count);
    printf("postings     %llu\n", (unsigned long long)st.posting_count);
    printf("language     %s\n", st.language);
    static const char *const types[] = { "?", "text", "keyword", "date", "number" };
    printf("fields       title (text), text (text)");
    for (size_t i = 0; i < sift_index_field_count(idx); i++) {
        const char *name;
        sift_field_type t;
        if (!sift_index_field(idx, i, &name, &t, &err))
            printf(", %s (%s)", name, (unsigned)t < 5 ? types[t] : "?");
    }
    printf("\n");
    printf("bytes        %llu (postings %llu, positions %llu, stored text %llu)\n",
           (unsigned long long)st.bytes, (unsigned long long)st.postings_bytes,
           (unsigned long long)st.positions_bytes, (unsigned long long)st.store_bytes);
    return EXIT_OK;
}

int main(int argc, char **argv)
{
    struct cli cl = { 0 };
    sift_search_options_init(&cl.so);
    int done = 0;
    int status = parse_args(argc, argv, &cl, &done);
    if (status || done) return status;
    size_t ndirs;
    char **dirs = cli_index_dirs(PROG, cl.indexes, cl.nindexes, &ndirs);
    if (!dirs) return EXIT_USAGE;
    sift_index *idx;
    sift_errmsg err;
    sift_err rc = sift_index_open_many((const char *const *)dirs, ndirs, &idx, &err);
    if (rc) {
        cli_report(PROG, rc, &err, ndirs == 1 ? dirs[0] : NULL);
        cli_index_dirs_free(dirs, ndirs);
        return cli_exit_for(rc) == EXIT_INDEX ? EXIT_INDEX : EXIT_USAGE;
    }
    if (cl.stats) status = print_stats(idx, dirs, ndirs);
    else status = cl.queries ? run_file(&cl, idx) : run_query(&cl, idx, NULL, argv[optind]);
    if (fflush(stdout) != 0 && status != EXIT_INDEX) status = EXIT_USAGE;
    sift_index_close(idx);
    cli_index_dirs_free(dirs, ndirs);
    return status;
}
