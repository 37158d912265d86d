/* treceval.c -- the measures of treceval.h. */
#include "treceval.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static int cmp_run(const void *a, const void *b)
{
    const struct run_line *x = a, *y = b;
    float sx = (float)x->score, sy = (float)y->score;
    if (sx > sy) return -1;
    if (sx < sy) return 1;
    return strcmp(y->docno, x->docno);
}

static int cmp_grade_desc(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return (y > x) - (y < x);
}

static int grade_of(const struct qrel *q, size_t n, const char *docno)
{
    for (size_t i = 0; i < n; i++)
        if (!strcmp(q[i].docno, docno)) return q[i].rel;
    return 0;
}

size_t treceval_query(struct run_line *run, size_t nrun, const struct qrel *qrels, size_t nqrels,
                      struct metrics *out)
{
    memset(out, 0, sizeof *out);
    size_t nrel = 0;
    int *grades = malloc((nqrels ? nqrels : 1) * sizeof *grades);
    if (!grades) return 0;
    for (size_t i = 0; i < nqrels; i++) {
        grades[i] = qrels[i].rel > 0 ? qrels[i].rel : 0;
        nrel += qrels[i].rel >= 1;
    }
    qsort(grades, nqrels, sizeof *grades, cmp_grade_desc);
    double idcg = 0;
    for (size_t i = 0; i < nqrels && i < 10; i++) idcg += grades[i] / log2((double)i + 2);
    free(grades);
    if (!nrel) return 0;
    if (nrun) qsort(run, nrun, sizeof *run, cmp_run);
    double dcg = 0, ap = 0;
    size_t found = 0;
    for (size_t i = 0; i < nrun; i++) {
        int g = grade_of(qrels, nqrels, run[i].docno);
        if (i < 10 && g > 0) dcg += g / log2((double)i + 2);
        if (g >= 1) {
            found++;
            ap += (double)found / (double)(i + 1);
            if (i < 10 && out->rr10 == 0) out->rr10 = 1.0 / (double)(i + 1);
            if (i < 100) out->recall100 += 1;
            if (i < 1000) out->recall1000 += 1;
        }
    }
    out->ndcg10 = idcg > 0 ? dcg / idcg : 0;
    out->ap = ap / (double)nrel;
    out->recall100 /= (double)nrel;
    out->recall1000 /= (double)nrel;
    return nrel;
}
