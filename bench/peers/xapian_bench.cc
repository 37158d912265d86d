// xapian_bench.cc -- Xapian 1.4 for bench/compare.sh.
//
// Usage: xapian_bench index DOCS.jsonl[.gz] DIR
//        xapian_bench query DIR QUERIES.tsv top10|top100|count
// Documents: the title, a newline and the text, indexed with positions by
// a TermGenerator with the English Snowball stemmer (STEM_ALL, so phrases
// match stems as in sift and Lucene), no stopper; the body is the document
// data (stored text). The database is compacted to one file set at the end,
// as the other engines end with one segment. Queries: Xapian's QueryParser
// (Lucene-like + - and "phrases", default OR, STEM_ALL), ranked by
// BM25Weight(k1 0.9, k2 0, k3 1, b 0.4, min_normlen 0.5).
#include <xapian.h>

#include <cstdio>
#include <cstring>
#include <string>

#include "driver.h"
#include "jsonl.h"

struct ins {
    Xapian::WritableDatabase *db;
    Xapian::TermGenerator *tg;
};

static void add(void *c, const struct jsonl_doc *doc)
{
    ins *x = static_cast<ins *>(c);
    std::string body = std::string(doc->title) + "\n" + doc->text;
    Xapian::Document d;
    x->tg->set_document(d);
    x->tg->index_text(body);
    d.set_data(body);
    std::string idterm = std::string("Q") + doc->id;
    d.add_boolean_term(idterm);
    x->db->add_document(d);
}

static int build(const char *docs, const std::string &dir)
{
    std::string tmp = dir + ".build";
    {
        Xapian::WritableDatabase db(tmp, Xapian::DB_CREATE_OR_OVERWRITE);
        Xapian::TermGenerator tg;
        tg.set_stemmer(Xapian::Stem("english"));
        tg.set_stemming_strategy(Xapian::TermGenerator::STEM_ALL);
        ins x = { &db, &tg };
        long n = jsonl_each(docs, add, &x);
        db.commit();
        std::fprintf(stderr, "xapian_bench: %ld documents\n", n);
        db.compact(dir);
    }
    std::string rm = "rm -rf '" + tmp + "'";
    return std::system(rm.c_str()) ? 3 : 0;
}

struct qctx {
    Xapian::Database db;
    Xapian::QueryParser qp;
    Xapian::Enquire *enq;
};

static long run(void *c, const char *text, int k)
{
    qctx *x = static_cast<qctx *>(c);
    try {
        Xapian::Query q = x->qp.parse_query(text, Xapian::QueryParser::FLAG_DEFAULT);
        x->enq->set_query(q);
        if (k == 0) {
            Xapian::doccount all = x->db.get_doccount();
            Xapian::MSet m = x->enq->get_mset(0, 0, all);
            return (long)m.get_matches_estimated();
        }
        Xapian::MSet m = x->enq->get_mset(0, (Xapian::doccount)k);
        long n = 0;
        for (Xapian::MSetIterator i = m.begin(); i != m.end(); ++i) n++;
        return n;
    } catch (const Xapian::Error &) {
        return -1;
    }
}

static int query(const char *dir, const char *queries, const char *mode)
{
    int k = bench_mode(mode);
    if (k < 0) return 2;
    qctx x;
    x.db = Xapian::Database(dir);
    x.qp.set_database(x.db);
    x.qp.set_stemmer(Xapian::Stem("english"));
    x.qp.set_stemming_strategy(Xapian::QueryParser::STEM_ALL);
    x.qp.set_default_op(Xapian::Query::OP_OR);
    Xapian::Enquire enq(x.db);
    enq.set_weighting_scheme(Xapian::BM25Weight(0.9, 0, 1, 0.4, 0.5));
    x.enq = &enq;
    return bench_queries(queries, run, &x, k);
}

int main(int argc, char **argv)
{
    try {
        if (argc == 4 && !std::strcmp(argv[1], "index")) return build(argv[2], argv[3]);
        if (argc == 5 && !std::strcmp(argv[1], "query")) return query(argv[2], argv[3], argv[4]);
    } catch (const Xapian::Error &e) {
        std::fprintf(stderr, "xapian_bench: %s\n", e.get_description().c_str());
        return 3;
    }
    std::fprintf(stderr, "usage: xapian_bench index DOCS DIR | query DIR QUERIES top10|top100|count\n");
    return 2;
}
