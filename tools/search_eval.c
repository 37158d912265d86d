/* search_eval.c -- search-eval: evaluate a TREC run against TREC qrels.
 * Usage: search-eval [-q] QRELS RUN   (definitions in tools/treceval.h) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "treceval.h"

static const char usage[] =
    "Usage: search-eval [-q] QRELS RUN\n"
    "Evaluate a TREC run ('qid Q0 docno rank score tag' lines) against TREC qrels\n"
    "('qid 0 docno grade' lines; a header line 'query-id corpus-id score' is skipped)\n"
    "with trec_eval's definitions: nDCG@10, MAP, Recall@100, Recall@1000, MRR@10,\n"
    "averaged over the queries that have at least one relevant document.\n"
    "  -q   also print every query's measures\n"
    "Exit status: 0 ok, 2 usage or input error.\n";

struct lines {
    char **f;       /* fields: n lines x k fields */
    size_t n, cap;
};

/* Split a whitespace-separated file into lines of at least `want` fields. */
static int read_table(const char *path, size_t want, struct lines *t, size_t *bad)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        perror(path);
        return -1;
    }
    char *line = NULL;
    size_t cap = 0;
    *bad = 0;
    while (getline(&line, &cap, f) > 0) {
        char *save = NULL, *fields[8];
        size_t k = 0;
        for (char *tok = strtok_r(line, " \t\r\n", &save); tok && k < 8; tok = strtok_r(NULL, " \t\r\n", &save))
            fields[k++] = tok;
        if (k == 0) continue;
        if (k < want) {
            (*bad)++;
            continue;
        }
        if (t->n == t->cap) {
            t->cap = t->cap ? t->cap * 2 : 1024;
            t->f = realloc(t->f, t->cap * want * sizeof *t->f);
        }
        for (size_t i = 0; i < want; i++) t->f[t->n * want + i] = strdup(fields[i]);
        t->n++;
    }
    free(line);
    fclose(f);
    return 0;
}

static int cmp_qrel(const void *a, const void *b)
{
    return strcmp(((const struct qrel *)a)->qid, ((const struct qrel *)b)->qid);
}

static int cmp_runq(const void *a, const void *b)
{
    return strcmp(((const struct run_line *)a)->qid, ((const struct run_line *)b)->qid);
}

int main(int argc, char **argv)
{
    int per_query = 0, a = 1;
    if (a < argc && !strcmp(argv[a], "-q")) per_query = 1, a++;
    if (a < argc && (!strcmp(argv[a], "-h") || !strcmp(argv[a], "--help"))) {
        fputs(usage, stdout);
        return 0;
    }
    if (argc - a != 2) {
        fputs(usage, stderr);
        return 2;
    }
    struct lines q = { 0 }, r = { 0 };
    size_t badq, badr;
    if (read_table(argv[a], 3, &q, &badq) || read_table(argv[a + 1], 5, &r, &badr)) return 2;
    /* qrels: "qid 0 docno rel" (4 fields) or BEIR "qid docno rel" (3) */
    struct qrel *qr = calloc(q.n ? q.n : 1, sizeof *qr);
    size_t nq = 0;
    FILE *fq = fopen(argv[a], "r");
    char *line = NULL;
    size_t cap = 0;
    while (fq && getline(&line, &cap, fq) > 0) {
        char qid[256], x[256], doc[256], rel[64];
        int k = sscanf(line, "%255s %255s %255s %63s", qid, x, doc, rel);
        char *end;
        if (k == 4 && (strtol(rel, &end, 10), *end == 0)) {
            qr[nq++] = (struct qrel){ strdup(qid), strdup(doc), atoi(rel) };
        } else if (k == 3 && (strtol(doc, &end, 10), *end == 0)) {
            qr[nq++] = (struct qrel){ strdup(qid), strdup(x), atoi(doc) };
        }
    }
    free(line);
    if (fq) fclose(fq);
    if (!nq) {
        fprintf(stderr, "search-eval: %s: no qrels lines\n", argv[a]);
        return 2;
    }
    struct run_line *run = calloc(r.n ? r.n : 1, sizeof *run);
    for (size_t i = 0; i < r.n; i++) {
        char **f = r.f + i * 5, *end;
        double s = strtod(f[4], &end);
        if (*end) {
            fprintf(stderr, "search-eval: %s: bad score '%s'\n", argv[a + 1], f[4]);
            return 2;
        }
        run[i] = (struct run_line){ f[0], f[2], s };
    }
    if (badr) fprintf(stderr, "search-eval: %s: %zu malformed lines ignored\n", argv[a + 1], badr);
    qsort(qr, nq, sizeof *qr, cmp_qrel);
    qsort(run, r.n, sizeof *run, cmp_runq);
    struct metrics sum = { 0 };
    size_t queries = 0, ri = 0;
    for (size_t i = 0; i < nq;) {
        size_t j = i;
        while (j < nq && !strcmp(qr[j].qid, qr[i].qid)) j++;
        while (ri < r.n && strcmp(run[ri].qid, qr[i].qid) < 0) ri++;
        size_t rj = ri;
        while (rj < r.n && !strcmp(run[rj].qid, qr[i].qid)) rj++;
        struct metrics m;
        if (treceval_query(run + ri, rj - ri, qr + i, j - i, &m)) {
            queries++;
            sum.ndcg10 += m.ndcg10;
            sum.ap += m.ap;
            sum.recall100 += m.recall100;
            sum.recall1000 += m.recall1000;
            sum.rr10 += m.rr10;
            if (per_query)
                printf("%-10s ndcg_cut_10 %.4f map %.4f recall_100 %.4f recall_1000 %.4f recip_rank_10 %.4f\n",
                       qr[i].qid, m.ndcg10, m.ap, m.recall100, m.recall1000, m.rr10);
        }
        i = j;
    }
    if (!queries) {
        fprintf(stderr, "search-eval: no query has a relevant document\n");
        return 2;
    }
    double n = (double)queries;
    printf("queries      %zu\nndcg_cut_10  %.4f\nmap          %.4f\nrecall_100   %.4f\n"
           "recall_1000  %.4f\nrecip_rank10 %.4f\n",
           queries, sum.ndcg10 / n, sum.ap / n, sum.recall100 / n, sum.recall1000 / n, sum.rr10 / n);
    return 0;
}
