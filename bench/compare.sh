#!/usr/bin/env bash
# bench/compare.sh -- sift side by side with Lucene 8, Xapian 1.4 and SQLite
# FTS5 on the same machine, corpora and queries. One command:
#
#   bash bench/compare.sh [--quick] [reuters] [enwiki] [passages] [fields]
#
# (default: the first three corpora). It installs what it needs from Debian,
# builds sift (Release) and the three peer drivers (bench/peers/), prepares
# the data (enwiki uncompressed, and cut into ~100-word passages), then for
# each corpus and engine: indexes it (one thread; seconds, MB/s and peak RSS
# from /usr/bin/time; sift and Lucene once more with two threads), measures
# the index, and runs the 962 queries of
# ../shared/queries as TOP_10, TOP_100 and COUNT, one process per engine and
# mode, each query 1 time unmeasured (Lucene 3, for its JIT) and 2 times
# measured, the faster kept (BENCH_WARM, BENCH_RUNS). bench/report.py then prints the tables with
# sift/peer ratios and writes bench/results/report.{md,json} and the chart
# bench/results/latency.png. --quick: Reuters only, 200 queries, results in
# bench/results/quick/ (the smoke run CI makes).
# fields: the passages with a date and a source per article (prepare.py
# fields), run by sift, Lucene and FTS5 (Xapian is not driven there) as
# TOP_10, TOP_10 newest first (sortdate), TOP_10 within a date range that
# holds 10% of the passages (range) and the top 10 sources of all matches
# (facet); its index sizes less the passages' are what the fields add.
# Environment: SIFT_CORPORA (../shared/corpora), BENCH_DIR (data and
# indexes; bench/results/work), ENGINES ("sift lucene xapian fts5").
set -eu
cd "$(dirname "$0")/.."
ROOT=$PWD
CORPORA=${SIFT_CORPORA:-$ROOT/../shared/corpora}
QUERIES=${SIFT_QUERIES:-$ROOT/../shared/queries/search-benchmark-game.jsonl}
ENGINES=${ENGINES:-sift lucene xapian fts5}
OUT=$ROOT/bench/results
WORK=${BENCH_DIR:-$OUT/work}
quick=0 corpora=""
for a in "$@"; do
    case $a in
    --quick) quick=1 ;;
    reuters|enwiki|passages|fields) corpora="$corpora $a" ;;
    *) echo "usage: bench/compare.sh [--quick] [reuters] [enwiki] [passages] [fields]" >&2; exit 2 ;;
    esac
done
if [ $quick = 1 ]; then   # a smoke run (CI): its own results directory
    corpora=${corpora:-reuters}
    OUT=$ROOT/bench/results/quick
    WORK=${BENCH_DIR:-$OUT/work}
fi
corpora=${corpora:-reuters enwiki passages}
if [ ! -d "$CORPORA" ] || [ ! -f "$QUERIES" ]; then
    echo "compare.sh: $CORPORA or $QUERIES not found; nothing to measure"; exit 0
fi

# --- dependencies (Debian packages only) and builds
bash scripts/install-deps.sh
need=""
for p in liblucene8-java default-jdk-headless libxapian-dev g++ libsqlite3-dev gnuplot-nox time python3; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || need="$need $p"
done
if [ -n "$need" ]; then
    SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO=sudo
    $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $need >/dev/null
fi
cmake -S . -B build-bench -DCMAKE_BUILD_TYPE=Release -DSIFT_TESTS=OFF >/dev/null
cmake --build build-bench -j "$(nproc)" --target search search-index sift_bench >/dev/null
BIN=$WORK/bin
mkdir -p "$BIN" "$WORK/data" "$OUT"
cc -O2 -o "$BIN/fts5_bench" bench/peers/fts5_bench.c -lsqlite3 -lcjson -lz
c++ -O2 -o "$BIN/xapian_bench" bench/peers/xapian_bench.cc -lxapian -lcjson -lz
jar() { ls /usr/share/java/lucene-$1-8*.jar | head -1; }
LUCENE_CP=$(jar core):$(jar analyzers-common):$(jar queryparser):$(jar facet)
javac -d "$BIN" -cp "$LUCENE_CP" bench/lucene/JsonLine.java bench/peers/LuceneBench.java
JAVA="java -Xms1g -Xmx4g -cp $BIN:$LUCENE_CP LuceneBench"

# --- queries and data
python3 bench/prepare.py queries "$QUERIES" "$WORK"
if [ $quick = 1 ]; then
    awk 'NR % 5 == 1' "$WORK/queries.tsv" >"$WORK/q.tsv" && mv "$WORK/q.tsv" "$WORK/queries.tsv"
    awk 'NR % 5 == 1' "$WORK/queries.fts5.tsv" >"$WORK/q.tsv" && mv "$WORK/q.tsv" "$WORK/queries.fts5.tsv"
fi
data() {   # the JSON Lines file of corpus $1, made once
    local f=$WORK/data/$1.jsonl
    if [ ! -s "$f" ]; then
        case $1 in
        reuters) python3 bench/prepare.py plain "$CORPORA/reuters21578/docs.jsonl.gz" "$f.tmp" ;;
        enwiki) python3 bench/prepare.py plain "$CORPORA/enwiki/docs.jsonl.gz" "$f.tmp" ;;
        passages) python3 bench/prepare.py passages "$CORPORA/enwiki/docs.jsonl.gz" "$f.tmp" 100 ;;
        fields) python3 bench/prepare.py fields "$(data passages)" "$f.tmp" "$WORK/data/fields.range" ;;
        esac
        mv "$f.tmp" "$f"
    fi
    echo "$f"
}

# --- per engine: index, measure, query
index_cmd() {   # engine, docs, index path
    case $1 in
    sift) echo "$ROOT/build-bench/search-index -q --rebuild --threads ${4:-1} --index $3 $2" ;;
    lucene) echo "$JAVA index $2 $3 ${4:-1}" ;;
    xapian) echo "$BIN/xapian_bench index $2 $3" ;;
    fts5) echo "$BIN/fts5_bench index $2 $3" ;;
    esac
}
query_cmd() {   # engine, index path, mode
    case $1 in
    sift) echo "$ROOT/build-bench/bench/sift_bench $2 $WORK/queries.tsv $3" ;;
    lucene) echo "$JAVA query $2 $WORK/queries.tsv $3" ;;
    xapian) echo "$BIN/xapian_bench query $2 $WORK/queries.tsv $3" ;;
    fts5) echo "$BIN/fts5_bench query $2 $WORK/queries.fts5.tsv $3" ;;
    esac
}
index_bytes() {   # engine, index path -> "total without-stored-text"
    local total
    total=$(du -sb "$2" | cut -f1)
    case $1 in
    sift) echo "$total $((total - $("$ROOT/build-bench/search" --index "$2" --stats |
                 sed -n 's/.*stored text \([0-9]*\).*/\1/p')))" ;;
    lucene) echo "$total $((total - $(cat "$2"/*.fd[tmx] | wc -c)))" ;;
    xapian) echo "$total $((total - $(wc -c <"$2/docdata.glass")))" ;;
    fts5) echo "$total $("$BIN/fts5_bench" size "$2")" ;;
    esac
}

for corpus in $corpora; do
    docs=$(data "$corpus")
    R=$OUT/$corpus
    mkdir -p "$R"
    echo "== $corpus: $(wc -l <"$docs") documents, $(($(wc -c <"$docs") / 1000000)) MB"
    engines=$ENGINES modes="top10 top100 count"
    if [ $corpus = fields ]; then
        engines=$(echo " $ENGINES " | sed 's/ xapian / /')
        modes="top10 sortdate range facet"
        export BENCH_RANGE
        BENCH_RANGE=$(cat "$WORK/data/fields.range")
    fi
    for e in $engines; do
        idx=$WORK/index/$corpus/$e
        rm -rf "$idx" "$idx.build"
        mkdir -p "$(dirname "$idx")"
        [ $e = lucene ] && mkdir -p "$idx"
        sync
        /usr/bin/time -f "%e %M" -o "$R/$e.time" $(index_cmd $e "$docs" "$idx") 2>"$R/$e.index.log" >/dev/null
        # let the kernel write the new index back now, not during the queries
        sync
        sleep 2
        read -r secs kb <"$R/$e.time"
        if { [ $e = sift ] || [ $e = lucene ]; } && [ $corpus != fields ]; then   # and with two threads each
            rm -rf "$idx.t2" && mkdir -p "$idx.t2" && sync
            /usr/bin/time -f "%e %M" -o "$R/$e.time2" $(index_cmd $e "$docs" "$idx.t2" 2) 2>>"$R/$e.index.log" >/dev/null
            read -r secs2 kb2 <"$R/$e.time2"
            echo "{\"seconds\": $secs2, \"peak_kb\": $kb2}" >"$R/$e.index2.json"
            rm -rf "$idx.t2" && sync
        fi
        read -r bytes nostore < <(index_bytes $e "$idx")
        echo "{\"seconds\": $secs, \"peak_kb\": $kb, \"input_bytes\": $(wc -c <"$docs"), \"index_bytes\": $bytes, \"index_bytes_no_store\": ${nostore:-null}}" >"$R/$e.index.json"
        printf '   %-7s indexed in %7.1f s, peak %5d MB, index %6d MB\n' $e "$secs" $((kb / 1024)) $((bytes / 1000000))
        for mode in $modes; do
            # the JVM compiles hot code as it runs: Lucene gets 3 warm-up rounds
            w=${BENCH_WARM:-1}; [ $e = lucene ] && w=${BENCH_WARM:-3}
            BENCH_WARM=$w $(query_cmd $e "$idx" $mode) >"$R/$e.$mode.tsv" 2>"$R/$e.$mode.log"
            # sift drops optional stopwords from OR groups, the peers do not:
            # "sift-keep" is sift doing the peers' work
            [ $e = sift ] && BENCH_KEEP_STOPWORDS=1 BENCH_WARM=$w $(query_cmd $e "$idx" $mode) \
                >"$R/sift-keep.$mode.tsv" 2>"$R/sift-keep.$mode.log"
        done
    done
done

# --- cold start: a whole `search` process on the largest sift index, warm cache
largest=$(du -s "$WORK"/index/*/sift 2>/dev/null | sort -n | tail -1 | cut -f2)
[ -n "$largest" ] && python3 bench/report.py coldstart "$ROOT/build-bench/search" "$largest" "$WORK/queries.tsv" >"$OUT/coldstart.json"
python3 bench/report.py report "$OUT" $corpora
