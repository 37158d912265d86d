// LuceneBench -- Lucene 8 (Debian's liblucene8-java) for bench/compare.sh.
//
// Usage: java LuceneBench index DOCS.jsonl[.gz] DIR [THREADS]
//        java LuceneBench query DIR QUERIES.tsv top10|top100|count
// One thread by default: documents are added from the main thread and
// merges run in it too (SerialMergeScheduler), with a 256 MB buffer like
// sift's default; with THREADS > 1 that many threads add batches of 1,000
// documents the main thread reads (Lucene gives each its own in-memory
// segment) and merges still run in the thread that needs them;
// the index is force-merged to one segment at the end. The body (title, a
// newline, the text) is one stored TextField with positions, analyzed by
// EnglishAnalyzer without stopwords (sift keeps them too); the id is a
// stored StringField. Queries: the classic QueryParser (default OR) on
// MMapDirectory, BM25Similarity(0.9, 0.4); TOP_k is IndexSearcher.search
// (block-max WAND past 1,000 hits), COUNT is IndexSearcher.count. The loop
// and output are those of bench/peers/driver.h.
// Documents with a "date" (ISO day) and a "source" (the "fields" corpus)
// get the date as seconds in a LongPoint and a NumericDocValuesField, and
// the source as a SortedSetDocValuesFacetField, both also stored: the
// layout Lucene's documentation gives for range filters, sorting and
// facets. Field modes: sortdate sorts by date descending with the points
// optimization on (SortField.setCanUsePoints, Lucene 8.7's switch for
// skipping non-competitive documents), ties by score; range is the query
// as MUST and LongPoint.newRangeQuery as FILTER; facet runs a
// FacetsCollector and SortedSetDocValuesFacetCounts.getTopChildren(10)
// (the reader state built once, before the loop).
import java.io.*;
import java.nio.charset.StandardCharsets;
import java.nio.file.Paths;
import java.util.ArrayList;
import org.apache.lucene.analysis.CharArraySet;
import org.apache.lucene.analysis.en.EnglishAnalyzer;
import org.apache.lucene.document.*;
import org.apache.lucene.facet.FacetResult;
import org.apache.lucene.facet.FacetsCollector;
import org.apache.lucene.facet.FacetsConfig;
import org.apache.lucene.facet.LabelAndValue;
import org.apache.lucene.facet.sortedset.DefaultSortedSetDocValuesReaderState;
import org.apache.lucene.facet.sortedset.SortedSetDocValuesFacetCounts;
import org.apache.lucene.facet.sortedset.SortedSetDocValuesFacetField;
import org.apache.lucene.facet.sortedset.SortedSetDocValuesReaderState;
import org.apache.lucene.index.*;
import org.apache.lucene.queryparser.classic.QueryParser;
import org.apache.lucene.search.*;
import org.apache.lucene.search.similarities.BM25Similarity;
import org.apache.lucene.store.MMapDirectory;

public class LuceneBench {
    /* A member's value, "" when absent. */
    static String field(String line, String key) {
        String v = JsonLine.field(line, key);
        return v == null ? "" : v;
    }

    static final FacetsConfig FACETS = new FacetsConfig();

    /* An ISO day as seconds since 1970 (UTC). */
    static long seconds(String day) {
        return java.time.LocalDate.parse(day).toEpochDay() * 86400L;
    }

    static Document doc(String line) throws IOException {
        Document d = new Document();
        d.add(new StringField("id", field(line, "id"), Field.Store.YES));
        d.add(new TextField("body", field(line, "title") + "\n" + field(line, "text"), Field.Store.YES));
        String date = JsonLine.field(line, "date"), source = JsonLine.field(line, "source");
        if (date == null || source == null) return d;
        long t = seconds(date);
        d.add(new LongPoint("date", t));
        d.add(new NumericDocValuesField("date", t));
        d.add(new StoredField("date", t));
        d.add(new SortedSetDocValuesFacetField("source", source));
        d.add(new StoredField("source", source));
        return FACETS.build(d);
    }

    /* Batches of lines added by `threads` workers, at most 2 per worker queued. */
    static long addParallel(IndexWriter w, BufferedReader in, int threads) throws Exception {
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(threads);
        java.util.concurrent.Semaphore room = new java.util.concurrent.Semaphore(2 * threads);
        ArrayList<java.util.concurrent.Future<?>> done = new ArrayList<>();
        long n = 0;
        ArrayList<String> batch = new ArrayList<>();
        for (String line; ; ) {
            line = in.readLine();
            if (line != null && !line.isEmpty()) batch.add(line);
            if (batch.size() == 1000 || (line == null && !batch.isEmpty())) {
                final ArrayList<String> b = batch;
                room.acquire();
                done.add(pool.submit(() -> {
                    try {
                        for (String l : b) w.addDocument(doc(l));
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    } finally {
                        room.release();
                    }
                }));
                n += b.size();
                batch = new ArrayList<>();
            }
            if (line == null) break;
        }
        for (java.util.concurrent.Future<?> f : done) f.get();
        pool.shutdown();
        return n;
    }

    static void index(String docs, String dir, int threads) throws Exception {
        IndexWriterConfig cfg = new IndexWriterConfig(new EnglishAnalyzer(CharArraySet.EMPTY_SET));
        cfg.setSimilarity(new BM25Similarity(0.9f, 0.4f));
        cfg.setRAMBufferSizeMB(256);
        cfg.setMergeScheduler(new SerialMergeScheduler());
        cfg.setUseCompoundFile(false);
        cfg.setOpenMode(IndexWriterConfig.OpenMode.CREATE);
        long n = 0;
        try (IndexWriter w = new IndexWriter(new MMapDirectory(Paths.get(dir)), cfg);
             BufferedReader in = JsonLine.open(docs)) {
            if (threads > 1) {
                n = addParallel(w, in, threads);
            } else {
                for (String line; (line = in.readLine()) != null; ) {
                    if (line.isEmpty()) continue;
                    w.addDocument(doc(line));
                    n++;
                }
            }
            w.forceMerge(1);
        }
        System.err.println("LuceneBench: " + n + " documents");
    }

    /* The number the driver prints for one query of the mode: hits, the
     * count, or the sum of the top 10 sources' counts. */
    static long run(IndexSearcher s, Query q, String mode, int k, long[] range,
                    SortedSetDocValuesReaderState state) throws IOException {
        switch (mode) {
        case "count": return s.count(q);
        case "sortdate": {
            SortField byDate = new SortField("date", SortField.Type.LONG, true);
            byDate.setCanUsePoints();
            return s.search(q, k, new Sort(byDate, SortField.FIELD_SCORE)).scoreDocs.length;
        }
        case "range": {
            Query f = new BooleanQuery.Builder().add(q, BooleanClause.Occur.MUST)
                .add(LongPoint.newRangeQuery("date", range[0], range[1]), BooleanClause.Occur.FILTER).build();
            return s.search(f, k).scoreDocs.length;
        }
        case "facet": {
            FacetsCollector fc = new FacetsCollector();
            s.search(q, fc);
            FacetResult r = new SortedSetDocValuesFacetCounts(state, fc).getTopChildren(10, "source");
            long n = 0;
            if (r != null)
                for (LabelAndValue lv : r.labelValues) n += lv.value.longValue();
            return n;
        }
        default: return s.search(q, k).scoreDocs.length;
        }
    }

    static void query(String dir, String queries, String mode) throws Exception {
        boolean fieldMode = mode.equals("sortdate") || mode.equals("range") || mode.equals("facet");
        int k = mode.equals("count") ? 0 : fieldMode ? 10 : Integer.parseInt(mode.substring(3));
        long[] range = { 0, 0 };
        if (mode.equals("range")) {   // BENCH_RANGE="LO HI": days, inclusive
            String[] r = System.getenv().getOrDefault("BENCH_RANGE", "").trim().split(" ");
            range[0] = seconds(r[0]);
            range[1] = seconds(r[1]) + 86399;
        }
        ArrayList<String> tags = new ArrayList<>(), texts = new ArrayList<>();
        try (BufferedReader in = new BufferedReader(new InputStreamReader(new FileInputStream(queries), StandardCharsets.UTF_8))) {
            for (String line; (line = in.readLine()) != null; ) {
                int t = line.indexOf('\t');
                if (t < 0) continue;
                tags.add(line.substring(0, t));
                texts.add(line.substring(t + 1));
            }
        }
        int warm = Integer.parseInt(System.getenv().getOrDefault("BENCH_WARM", "1"));
        int runs = Integer.parseInt(System.getenv().getOrDefault("BENCH_RUNS", "2"));
        try (DirectoryReader r = DirectoryReader.open(new MMapDirectory(Paths.get(dir)))) {
            IndexSearcher s = new IndexSearcher(r);
            s.setSimilarity(new BM25Similarity(0.9f, 0.4f));
            s.setQueryCache(null);   // every engine answers each query afresh
            QueryParser qp = new QueryParser("body", new EnglishAnalyzer(CharArraySet.EMPTY_SET));
            SortedSetDocValuesReaderState state = mode.equals("facet")
                ? new DefaultSortedSetDocValuesReaderState(r) : null;
            int n = texts.size();
            double[] best = new double[n];
            long[] count = new long[n];
            for (int pass = 0; pass < warm + runs; pass++) {
                for (int i = 0; i < n; i++) {
                    long t = System.nanoTime();
                    long c;
                    try {
                        c = run(s, qp.parse(texts.get(i)), mode, k, range, state);
                    } catch (Exception e) {
                        c = -1;
                    }
                    double us = (System.nanoTime() - t) / 1e3;
                    if (pass == warm || us < best[i]) best[i] = us;
                    count[i] = c;
                }
            }
            StringBuilder out = new StringBuilder();
            for (int i = 0; i < n; i++)
                out.append(tags.get(i)).append('\t').append(String.format("%.1f", best[i])).append('\t').append(count[i]).append('\n');
            System.out.print(out);
        }
    }

    public static void main(String[] a) throws Exception {
        if ((a.length == 3 || a.length == 4) && a[0].equals("index"))
            index(a[1], a[2], a.length == 4 ? Integer.parseInt(a[3]) : 1);
        else if (a.length == 4 && a[0].equals("query")) query(a[1], a[2], a[3]);
        else { System.err.println("usage: LuceneBench index DOCS DIR [THREADS] | query DIR QUERIES top10|top100|count|sortdate|range|facet"); System.exit(2); }
    }
}
