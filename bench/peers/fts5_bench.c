/* fts5_bench.c -- SQLite FTS5 for bench/compare.sh.
 *
 * Usage: fts5_bench index DOCS.jsonl[.gz] DB
 *        fts5_bench query DB QUERIES.tsv top10|top100|count
 *        fts5_bench size DB      (bytes of the index without stored text)
 * One FTS5 table of (id UNINDEXED, body) with the porter tokenizer over
 * unicode61 (diacritics removed) and full position detail; body is the
 * title, a newline and the text, as for every engine. Ranked with bm25()
 * (FTS5's k1 1.2 and b 0.75 are fixed). Queries come already translated to
 * FTS5 syntax by compare.sh.
 * When the documents have a date and a source (the "fields" corpus), they
 * are two more UNINDEXED columns, date as ISO text (which orders as the
 * dates do), and the field modes (driver.h) are SQL: ORDER BY date DESC,
 * rank; AND date BETWEEN; GROUP BY source ORDER BY count(*) DESC.
 */
#include <sqlite3.h>
#include <stdio.h>

#include "driver.h"
#include "jsonl.h"

struct ins {
    sqlite3_stmt *st;
    char *body;
    size_t cap;
    int fields;
};

static void add(void *c, const struct jsonl_doc *d)
{
    struct ins *x = (struct ins *)c;
    size_t tl = strlen(d->title), xl = strlen(d->text);
    if (tl + xl + 2 > x->cap) {
        x->cap = tl + xl + 2;
        x->body = (char *)realloc(x->body, x->cap);
    }
    memcpy(x->body, d->title, tl);
    x->body[tl] = '\n';
    memcpy(x->body + tl + 1, d->text, xl + 1);
    sqlite3_bind_text(x->st, 1, d->id, -1, SQLITE_STATIC);
    sqlite3_bind_text(x->st, 2, x->body, (int)(tl + 1 + xl), SQLITE_STATIC);
    if (x->fields) {
        sqlite3_bind_text(x->st, 3, d->date, -1, SQLITE_STATIC);
        sqlite3_bind_text(x->st, 4, d->source, -1, SQLITE_STATIC);
    }
    if (sqlite3_step(x->st) != SQLITE_DONE) fprintf(stderr, "fts5_bench: insert %s failed\n", d->id);
    sqlite3_reset(x->st);
}

/* Whether the first document of the file has a date. */
static int has_fields(const char *docs)
{
    gzFile f = gzopen(docs, "rb");
    char *buf = NULL;
    size_t cap = 0;
    int yes = f && jsonl_line(f, &buf, &cap) && strstr(buf, "\"date\"") != NULL;
    free(buf);
    if (f) gzclose(f);
    return yes;
}

static int exec(sqlite3 *db, const char *sql)
{
    char *msg = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &msg) == SQLITE_OK) return 0;
    fprintf(stderr, "fts5_bench: %s: %s\n", sql, msg);
    sqlite3_free(msg);
    return 1;
}

static int build(const char *docs, const char *path)
{
    sqlite3 *db;
    remove(path);
    if (sqlite3_open(path, &db) != SQLITE_OK) return 3;
    struct ins x = { NULL, NULL, 0, has_fields(docs) };
    if (exec(db, "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; PRAGMA page_size=4096;") ||
        exec(db, x.fields ? "CREATE VIRTUAL TABLE docs USING fts5(id UNINDEXED, body, date UNINDEXED, "
                            "source UNINDEXED, tokenize='porter unicode61 remove_diacritics 2');"
                          : "CREATE VIRTUAL TABLE docs USING fts5(id UNINDEXED, body, "
                            "tokenize='porter unicode61 remove_diacritics 2');") ||
        exec(db, "BEGIN"))
        return 3;
    sqlite3_prepare_v2(db, x.fields ? "INSERT INTO docs(id, body, date, source) VALUES (?, ?, ?, ?)"
                                    : "INSERT INTO docs(id, body) VALUES (?, ?)", -1, &x.st, NULL);
    long n = jsonl_each(docs, add, &x);
    sqlite3_finalize(x.st);
    free(x.body);
    /* one b-tree segment, as the other engines end with one segment */
    int rc = exec(db, "COMMIT; INSERT INTO docs(docs) VALUES('optimize');");
    sqlite3_close(db);
    fprintf(stderr, "fts5_bench: %ld documents\n", n);
    return n < 0 || rc ? 3 : 0;
}

struct qctx {
    sqlite3_stmt *st;
    enum bench_kind kind;
    char lo[11], hi[11];
};

static long run(void *c, const char *q, int k)
{
    struct qctx *x = (struct qctx *)c;
    sqlite3_stmt *st = x->st;
    sqlite3_bind_text(st, 1, q, -1, SQLITE_STATIC);
    if (k) sqlite3_bind_int(st, 2, k);
    if (x->kind == BENCH_RANGE) {
        sqlite3_bind_text(st, 3, x->lo, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 4, x->hi, -1, SQLITE_STATIC);
    }
    long n = 0;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        n += !k ? sqlite3_column_int64(st, 0) : x->kind == BENCH_FACET ? sqlite3_column_int64(st, 1) : 1;
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? n : -1;
}

static const char *sql_of(enum bench_kind kind, int k)
{
    if (!k) return "SELECT count(*) FROM docs WHERE docs MATCH ?1";
    switch (kind) {
    case BENCH_SORT_DATE: return "SELECT id FROM docs WHERE docs MATCH ?1 ORDER BY date DESC, rank LIMIT ?2";
    case BENCH_RANGE:
        return "SELECT id FROM docs WHERE docs MATCH ?1 AND date BETWEEN ?3 AND ?4 ORDER BY rank LIMIT ?2";
    case BENCH_FACET:
        return "SELECT source, count(*) AS n FROM docs WHERE docs MATCH ?1 GROUP BY source "
               "ORDER BY n DESC, source LIMIT ?2";
    case BENCH_PLAIN: break;
    }
    return "SELECT id FROM docs WHERE docs MATCH ?1 ORDER BY rank LIMIT ?2";
}

static int query(const char *path, const char *queries, const char *mode)
{
    int k = bench_mode(mode);
    sqlite3 *db;
    struct qctx x = { NULL, bench_kind(mode), "", "" };
    if (x.kind == BENCH_RANGE && !bench_range(x.lo, x.hi)) {
        fprintf(stderr, "fts5_bench: range needs BENCH_RANGE=\"LO HI\"\n");
        return 2;
    }
    if (k < 0 || sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) return 2;
    exec(db, "PRAGMA mmap_size=4294967296; PRAGMA cache_size=-262144;");
    if (sqlite3_prepare_v2(db, sql_of(x.kind, k), -1, &x.st, NULL) != SQLITE_OK) {
        fprintf(stderr, "fts5_bench: %s\n", sqlite3_errmsg(db));
        sqlite3_close(db);
        return 2;
    }
    int rc = bench_queries(queries, run, &x, k);
    sqlite3_finalize(x.st);
    sqlite3_close(db);
    return rc;
}

/* The inverted index is every table of the FTS5 table but its content. */
static int size(const char *path)
{
    sqlite3 *db;
    sqlite3_stmt *st;
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) return 3;
    if (sqlite3_prepare_v2(db, "SELECT sum(pgsize) FROM dbstat WHERE name NOT LIKE 'docs_content%'",
                           -1, &st, NULL) != SQLITE_OK) {
        printf("NA\n");
        sqlite3_close(db);
        return 0;
    }
    if (sqlite3_step(st) == SQLITE_ROW) printf("%lld\n", (long long)sqlite3_column_int64(st, 0));
    sqlite3_finalize(st);
    sqlite3_close(db);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc == 4 && !strcmp(argv[1], "index")) return build(argv[2], argv[3]);
    if (argc == 5 && !strcmp(argv[1], "query")) return query(argv[2], argv[3], argv[4]);
    if (argc == 3 && !strcmp(argv[1], "size")) return size(argv[2]);
    fprintf(stderr, "usage: fts5_bench index DOCS DB | query DB QUERIES top10|top100|count | size DB\n");
    return 2;
}
