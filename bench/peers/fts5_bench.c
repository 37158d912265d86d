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
 */
#include <sqlite3.h>
#include <stdio.h>

#include "driver.h"
#include "jsonl.h"

struct ins {
    sqlite3_stmt *st;
    char *body;
    size_t cap;
};

static void add(void *c, const char *id, const char *title, const char *text)
{
    struct ins *x = (struct ins *)c;
    size_t tl = strlen(title), xl = strlen(text);
    if (tl + xl + 2 > x->cap) {
        x->cap = tl + xl + 2;
        x->body = (char *)realloc(x->body, x->cap);
    }
    memcpy(x->body, title, tl);
    x->body[tl] = '\n';
    memcpy(x->body + tl + 1, text, xl + 1);
    sqlite3_bind_text(x->st, 1, id, -1, SQLITE_STATIC);
    sqlite3_bind_text(x->st, 2, x->body, (int)(tl + 1 + xl), SQLITE_STATIC);
    if (sqlite3_step(x->st) != SQLITE_DONE) fprintf(stderr, "fts5_bench: insert %s failed\n", id);
    sqlite3_reset(x->st);
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
    if (exec(db, "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; PRAGMA page_size=4096;"
                 "CREATE VIRTUAL TABLE docs USING fts5(id UNINDEXED, body, "
                 "tokenize='porter unicode61 remove_diacritics 2');"
                 "BEGIN"))
        return 3;
    struct ins x = { NULL, NULL, 0 };
    sqlite3_prepare_v2(db, "INSERT INTO docs(id, body) VALUES (?, ?)", -1, &x.st, NULL);
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
    sqlite3_stmt *top, *count;
};

static long run(void *c, const char *q, int k)
{
    struct qctx *x = (struct qctx *)c;
    sqlite3_stmt *st = k ? x->top : x->count;
    sqlite3_bind_text(st, 1, q, -1, SQLITE_STATIC);
    long n = 0;
    int rc;
    if (k) {
        sqlite3_bind_int(st, 2, k);
        while ((rc = sqlite3_step(st)) == SQLITE_ROW) n++;
    } else {
        while ((rc = sqlite3_step(st)) == SQLITE_ROW) n = sqlite3_column_int64(st, 0);
    }
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? n : -1;
}

static int query(const char *path, const char *queries, const char *mode)
{
    int k = bench_mode(mode);
    sqlite3 *db;
    if (k < 0 || sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) return 2;
    exec(db, "PRAGMA mmap_size=4294967296; PRAGMA cache_size=-262144;");
    struct qctx x;
    sqlite3_prepare_v2(db, "SELECT id FROM docs WHERE docs MATCH ?1 ORDER BY rank LIMIT ?2", -1,
                       &x.top, NULL);
    sqlite3_prepare_v2(db, "SELECT count(*) FROM docs WHERE docs MATCH ?1", -1, &x.count, NULL);
    int rc = bench_queries(queries, run, &x, k);
    sqlite3_finalize(x.top);
    sqlite3_finalize(x.count);
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
