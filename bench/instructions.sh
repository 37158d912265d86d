#!/bin/bash
# instructions.sh -- the instruction counts the speed work is steered by
# (issue #20's proxy for latency): callgrind over peers/sift_bench, one pass
# over the benchmark queries, no warm-up, opening the index and parsing
# included. Counts are the same from run to run, where medians on this VM
# move by a fifth, so one figure compares two commits.
#
# Usage: bench/instructions.sh [INDEX [QUERIES.tsv]]
# Defaults: the passages index and queries bench/compare.sh leaves in
# BENCH_DIR (bench/results/work). CLASSES=1 also splits TOP_10 and COUNT by
# query class. About a minute per line on the passages.
set -eu
cd "$(dirname "$0")/.."
WORK=${BENCH_DIR:-bench/results/work}
INDEX=${1:-$WORK/index/passages/sift}
QUERIES=${2:-$WORK/queries.tsv}
if [ ! -d "$INDEX" ] || [ ! -f "$QUERIES" ]; then
    echo "instructions.sh: $INDEX or $QUERIES not found (bench/compare.sh passages makes them)"
    exit 0
fi
command -v valgrind >/dev/null || bash scripts/install-deps.sh
cmake -S . -B build-bench -DCMAKE_BUILD_TYPE=Release -DSIFT_TESTS=OFF >/dev/null
cmake --build build-bench -j "$(nproc)" --target sift_bench >/dev/null

count() {   # queries file, mode, env...: instructions
    local q=$1 mode=$2
    shift 2
    env "$@" BENCH_WARM=0 BENCH_RUNS=1 valgrind --tool=callgrind --callgrind-out-file=/dev/null \
        build-bench/bench/sift_bench "$INDEX" "$q" "$mode" 2>&1 >/dev/null |
        awk '/refs:/ { gsub(",", "", $NF); printf "%.1f M", $NF / 1e6 }'
}

row() {   # label, queries file, mode, env...
    local label=$1
    shift
    printf '| %s | %s |\n' "$label" "$(count "$@")"
}

echo "$(git rev-parse --short HEAD), $(wc -l <"$QUERIES") queries, $INDEX"
echo
echo "| what | instructions |"
echo "|---|---|"
row "TOP_10, Lucene's BM25 (k1 0.9, b 0.4)" "$QUERIES" top10 X=1
row "TOP_10, k1 1.2, b 0.75" "$QUERIES" top10 BENCH_K1=1.2 BENCH_B=0.75
row "TOP_10, sift's default (BM25F)" "$QUERIES" top10 BENCH_RANK=default
row "COUNT" "$QUERIES" count X=1
row "TOP_10 keeping optional stopwords, as the peers do" "$QUERIES" top10 BENCH_KEEP_STOPWORDS=1
row "TOP_10 keeping them, k1 1.2, b 0.75" "$QUERIES" top10 BENCH_KEEP_STOPWORDS=1 BENCH_K1=1.2 BENCH_B=0.75
if [ "${CLASSES:-0}" = 1 ]; then
    tmp=$(mktemp -d)
    trap 'rm -rf "$tmp"' EXIT
    for c in $(cut -f1 "$QUERIES" | sort -u); do
        awk -F'\t' -v c="$c" '$1 == c' "$QUERIES" >"$tmp/$c.tsv"
        row "$c: TOP_10" "$tmp/$c.tsv" top10 X=1
        row "$c: TOP_10, k1 1.2, b 0.75" "$tmp/$c.tsv" top10 BENCH_K1=1.2 BENCH_B=0.75
        row "$c: COUNT" "$tmp/$c.tsv" count X=1
    done
fi
