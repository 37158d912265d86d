#!/usr/bin/env bash
# bench/many.sh -- several indexes as one, on the Wikipedia passages:
# the passages indexed whole and as two halves (first and second half of
# the file), then the 962 benchmark queries as TOP_10 and COUNT on the
# whole index and on the two halves opened as one (sift_index_open_many),
# per-class medians and the halves/whole ratio in one run; and indexing
# the whole with 1, 2, 3 and 4 threads, two rounds taken in turn (the
# faster of each, the speed-up over one thread, and whether the segments
# are the same byte for byte).
# Each query runs 1 time unmeasured and 2 measured, the faster kept (the
# harness of bench/compare.sh). BENCH_CALLGRIND=1 adds the instruction
# counts of the TOP_10 pass (one pass, no warm-up), the proxy that does
# not drift with the machine's load.
# Usage: bash bench/many.sh   (BENCH_DIR: data and indexes, default
# bench/results/work; the passages are prepared there when absent).
set -eu
cd "$(dirname "$0")/.."
ROOT=$PWD
CORPORA=${SIFT_CORPORA:-$ROOT/../shared/corpora}
QUERIES=${SIFT_QUERIES:-$ROOT/../shared/queries/search-benchmark-game.jsonl}
WORK=${BENCH_DIR:-$ROOT/bench/results/work}
[ -f "$CORPORA/enwiki/docs.jsonl.gz" ] || { echo "many.sh: no $CORPORA/enwiki/docs.jsonl.gz: skipped"; exit 0; }
mkdir -p "$WORK/data" "$WORK/many"
cmake -S . -B build-bench -DCMAKE_BUILD_TYPE=Release -DSIFT_TESTS=OFF >/dev/null
cmake --build build-bench -j "$(nproc)" --target search-index sift_bench >/dev/null
DATA=$WORK/data/passages.jsonl
[ -f "$DATA" ] || python3 bench/prepare.py passages "$CORPORA/enwiki/docs.jsonl.gz" "$DATA" 100
[ -f "$WORK/queries.tsv" ] || python3 bench/prepare.py queries "$QUERIES" "$WORK"
M=$WORK/many
n=$(wc -l <"$DATA")
head -n $((n / 2)) "$DATA" >"$M/half1.jsonl"
tail -n +$((n / 2 + 1)) "$DATA" >"$M/half2.jsonl"
SI=$ROOT/build-bench/search-index
B=$ROOT/build-bench/bench/sift_bench
index() {   # index DIR THREADS FILE -> seconds
    local t0 t1
    rm -rf "$1"   # a fresh index each time: seg-000001.sift is the whole
    sync
    t0=$(date +%s.%N)
    "$SI" -q --threads "$2" --index "$1" "$3" >/dev/null 2>&1
    t1=$(date +%s.%N)
    python3 -c "print(f'{$t1 - $t0:.1f}')"
}
: >"$M/threads.txt"
for round in 1 2; do
    for t in 1 2 3 4; do echo "$t $(index "$M/whole-t$t" $t "$DATA")" >>"$M/threads.txt"; done
done
same=yes
for t in 2 3 4; do cmp -s "$M/whole-t1/seg-000001.sift" "$M/whole-t$t/seg-000001.sift" || same=no; done
rm -rf "$M/whole" && mv "$M/whole-t1" "$M/whole" && rm -rf "$M"/whole-t[234]
index "$M/half1" 1 "$M/half1.jsonl" >/dev/null
index "$M/half2" 1 "$M/half2.jsonl" >/dev/null
for mode in top10 count; do
    "$B" "$M/whole" "$WORK/queries.tsv" $mode >"$M/whole.$mode.tsv"
    "$B" "$M/half1:$M/half2" "$WORK/queries.tsv" $mode >"$M/halves.$mode.tsv"
done
if [ "${BENCH_CALLGRIND:-0}" = 1 ] && command -v valgrind >/dev/null; then
    for w in whole halves; do
        dirs=$M/whole; [ $w = halves ] && dirs=$M/half1:$M/half2
        BENCH_WARM=0 BENCH_RUNS=1 valgrind --tool=callgrind --callgrind-out-file="$M/cg.$w" \
            "$B" "$dirs" "$WORK/queries.tsv" top10 >/dev/null 2>"$M/cg.$w.log"
        grep -o "Collected : [0-9]*" "$M/cg.$w.log" | awk -v w=$w '{print w, $3}' >>"$M/callgrind.txt"
    done
fi
python3 - "$M" "$same" <<'PY'
import collections, os, statistics, sys
m, same = sys.argv[1], sys.argv[2]
def load(path):
    per = collections.defaultdict(list); hits = {}
    for line in open(path):
        f = line.rstrip("\n").split("\t")
        if len(f) < 3: continue
        per[f[0]].append(float(f[1])); per["all"].append(float(f[1]))
    return per
best = {}
for line in open(f"{m}/threads.txt"):
    t, secs = line.split()
    best[int(t)] = min(best.get(int(t), 1e9), float(secs))
print("indexing the passages (the faster of 2 rounds): " +
      ", ".join(f"{t} thread{'s' if t > 1 else ''} {best[t]:.1f} s (x{best[1] / best[t]:.2f})" for t in sorted(best)) +
      f"; segments the same byte for byte: {same}")
for mode in ("top10", "count"):
    w, h = load(f"{m}/whole.{mode}.tsv"), load(f"{m}/halves.{mode}.tsv")
    print(f"\n{mode.upper()} median us | whole | two halves as one | halves/whole")
    for c in sorted(w, key=lambda c: (c == "all", c)):
        a, b = statistics.median(w[c]), statistics.median(h[c])
        print(f"{c:20s} {len(w[c]):4d} | {a:8.1f} | {b:8.1f} | {b / a:.2f}")
cg = f"{m}/callgrind.txt"
if os.path.exists(cg):
    v = dict(l.split() for l in open(cg))
    print(f"\ncallgrind TOP_10 instructions: whole {int(v['whole'])/1e9:.2f} G, halves {int(v['halves'])/1e9:.2f} G: "
          f"x{int(v['halves'])/int(v['whole']):.2f}")
PY
