// LuceneRun -- the reference BM25 run for bench/relevance.sh: Lucene 8 with
// EnglishAnalyzer and BM25Similarity(k1, b), title and text in one field
// ("flat"), each query a bag of words (a BooleanQuery of SHOULD terms).
//
// Usage: java LuceneRun DOCS.jsonl[.gz] QUERIES.tsv K1 B > RUN
// Prints TREC run lines "qid Q0 docid rank score lucene", 1000 per query.
import java.io.*;
import java.nio.charset.StandardCharsets;
import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.en.EnglishAnalyzer;
import org.apache.lucene.analysis.tokenattributes.CharTermAttribute;
import org.apache.lucene.document.*;
import org.apache.lucene.index.*;
import org.apache.lucene.search.*;
import org.apache.lucene.search.similarities.BM25Similarity;
import org.apache.lucene.store.ByteBuffersDirectory;

public class LuceneRun {
    public static void main(String[] args) throws Exception {
        float k1 = Float.parseFloat(args[2]), b = Float.parseFloat(args[3]);
        Analyzer analyzer = new EnglishAnalyzer();
        ByteBuffersDirectory dir = new ByteBuffersDirectory();
        IndexWriterConfig cfg = new IndexWriterConfig(analyzer);
        cfg.setSimilarity(new BM25Similarity(k1, b));
        try (IndexWriter w = new IndexWriter(dir, cfg); BufferedReader in = JsonLine.open(args[0])) {
            for (String line; (line = in.readLine()) != null; ) {
                if (line.isEmpty()) continue;
                String id = JsonLine.field(line, "id");
                if (id == null) id = JsonLine.field(line, "_id");
                String title = JsonLine.field(line, "title"), text = JsonLine.field(line, "text");
                Document d = new Document();
                d.add(new StringField("id", id, Field.Store.YES));
                d.add(new TextField("body", (title == null ? "" : title) + "\n" + (text == null ? "" : text), Field.Store.NO));
                w.addDocument(d);
            }
        }
        IndexSearcher searcher = new IndexSearcher(DirectoryReader.open(dir));
        searcher.setSimilarity(new BM25Similarity(k1, b));
        BooleanQuery.setMaxClauseCount(65536);
        PrintWriter out = new PrintWriter(new BufferedWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8)));
        try (BufferedReader q = JsonLine.open(args[1])) {
            for (String line; (line = q.readLine()) != null; ) {
                int tab = line.indexOf('\t');
                if (tab < 0) continue;
                String qid = line.substring(0, tab);
                BooleanQuery.Builder bq = new BooleanQuery.Builder();
                try (TokenStream ts = analyzer.tokenStream("body", line.substring(tab + 1))) {
                    CharTermAttribute t = ts.addAttribute(CharTermAttribute.class);
                    ts.reset();
                    while (ts.incrementToken()) bq.add(new TermQuery(new Term("body", t.toString())), BooleanClause.Occur.SHOULD);
                    ts.end();
                }
                TopDocs top = searcher.search(bq.build(), 1000);
                int rank = 1;
                for (ScoreDoc sd : top.scoreDocs)
                    out.printf("%s Q0 %s %d %.6f lucene%n", qid, searcher.doc(sd.doc).get("id"), rank++, sd.score);
            }
        }
        out.flush();
    }
}
