#!/usr/bin/env bash
# bench/typed.sh -- queries as people type them, on the Wikipedia passages:
# "did you mean" (sift_suggest) for one misspelt word and for the 962
# benchmark queries, fuzzy expansion (word~1, word~2: parsing, which is
# where the expansion happens), and prefixes (short ones, and whole words
# followed by '*'), each as per-class medians and 90th percentiles in
# microseconds, sift alone (the peers have no suggestion of this kind).
# Usage: bash bench/typed.sh  (after bench/compare.sh passages, whose data
# and index it reuses; BENCH_DIR as there).
set -eu
cd "$(dirname "$0")/.."
ROOT=$PWD
OUT=$ROOT/bench/results
WORK=${BENCH_DIR:-$OUT/work}
IDX=$WORK/index/passages/sift
[ -d "$IDX" ] || { echo "typed.sh: no passages index at $IDX (run bench/compare.sh passages first)"; exit 0; }
cmake -S . -B build-bench -DCMAKE_BUILD_TYPE=Release -DSIFT_TESTS=OFF >/dev/null
cmake --build build-bench -j "$(nproc)" --target sift_bench >/dev/null
python3 bench/prepare.py typos "$WORK/queries.tsv" "$WORK/typos.tsv"
python3 bench/prepare.py prefixes "$WORK/queries.tsv" "$WORK/prefixes.tsv"
B=$ROOT/build-bench/bench/sift_bench
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
"$B" "$IDX" "$WORK/typos.tsv" suggest >"$T/suggest-typo.tsv"
"$B" "$IDX" "$WORK/queries.tsv" suggest >"$T/suggest-queries.tsv"
"$B" "$IDX" "$WORK/typos.tsv" parse >"$T/fuzzy.tsv"
"$B" "$IDX" "$WORK/prefixes.tsv" parse >"$T/prefix-parse.tsv"
"$B" "$IDX" "$WORK/prefixes.tsv" top10 >"$T/prefix-top10.tsv"
python3 - "$T" <<'PY'
import collections, statistics, sys, os
d = sys.argv[1]
print("| run | class | queries | median us | p90 us | with a result |")
print("|---|---|---|---|---|---|")
for name in ["suggest-typo", "suggest-queries", "fuzzy", "prefix-parse", "prefix-top10"]:
    times, hits = collections.defaultdict(list), collections.Counter()
    for line in open(os.path.join(d, name + ".tsv")):
        p = line.rstrip("\n").split("\t")
        if len(p) < 3: continue
        times[p[0]].append(float(p[1])); hits[p[0]] += int(p[2]) > 0
    for k in sorted(times):
        v = sorted(times[k])
        if name.startswith("suggest") and k.startswith("fuzzy"): continue
        if name == "fuzzy" and k == "typo": continue
        print(f"| {name} | {k} | {len(v)} | {statistics.median(v):.1f} | {v[int(len(v) * 0.9)]:.1f} | {hits[k]} |")
PY
