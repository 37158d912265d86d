#!/usr/bin/env bash
# reindex_test.sh SEARCH_INDEX SEARCH [TRIALS] -- nightly reindexing from
# the shell, each part bounded in time:
#   1. update semantics: an incremental run after adding, changing and
#      deleting files answers exactly like a fresh build of the new files;
#   2. crashes: an incremental run killed with SIGKILL at random moments
#      (TRIALS times, default 50) leaves an index that passes --check and
#      answers exactly as the old state or the new one, never a mix;
#   3. concurrency: searches in a loop during reindexing and merging never
#      fail and never see anything but one of the two states;
#   4. full disk: a run that cannot write (ulimit -f) fails with a clear
#      message and leaves the previous index intact and searchable.
set -u
INDEXER=$1 SEARCH=$2 TRIALS=${3:-50}
T=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null; [ -n "${KEEP:-}" ] || rm -rf "$T"' EXIT
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

# ---- two versions of a synthetic article collection
gen() {  # gen DIR SEED FIRST LAST
    mkdir -p "$1"
    awk -v dir="$1" -v seed="$2" -v first="$3" -v last="$4" 'BEGIN {
        split("cloud outage azure bytedance alibaba chips export growth model spend data center " \
              "tiktok oracle region power the of and a to in market revenue quarter customer " \
              "training inference gpu network storage latency price contract deal report", w, " ")
        n = length(w)
        for (f = first; f <= last; f++) {
            srand(seed * 100003 + f)
            file = sprintf("%s/art%05d.txt", dir, f)
            printf "%s %s report %d\n", w[int(rand() * n) + 1], w[int(rand() * n) + 1], f > file
            words = 80 + int(rand() * 200)
            line = ""
            for (k = 0; k < words; k++) line = line w[int(rand() * n) + 1] " "
            print line > file
            close(file)
        }
    }'
}
gen "$T/v1" 1 1 1500
cp -a "$T/v1" "$T/v2"
gen "$T/v2" 2 1201 1400        # 200 changed
rm -f "$T"/v2/art000{0,1}*.txt # 19 deleted (1..19)
gen "$T/v2" 3 1501 1600        # 100 added
touch -d '2020-01-01' "$T"/v2/art0050*.txt 2>/dev/null   # gone anyway
touch "$T"/v2/art0100*.txt                                 # touched, same content

QUERIES=("cloud outage" '"data center"' "+azure +bytedance -oracle" "NEAR/3(export chips)" "title:report" "gpu*")
one() {  # one INDEX QUERY: its hits sorted (ties may reorder), then the exit status
    "$SEARCH" --index "$1" --format trec -n 5000 -- "$2" | awk -v q="$2" '{print q, $3, $5}' | sort
    echo "status ${PIPESTATUS[0]}"
}
answers() {  # answers INDEX > file: every query's hits
    for q in "${QUERIES[@]}"; do one "$1" "$q"; done
}

swap_in() { rm -rf "$T/src"; cp -a "$T/$1" "$T/src"; }
swap_in v1
"$INDEXER" -q --index "$T/base" "$T/src" || fail "indexing v1"
answers "$T/base" >"$T/old.txt"
swap_in v2
"$INDEXER" -q --index "$T/fresh" --rebuild "$T/src" || fail "fresh build of v2"
answers "$T/fresh" >"$T/new.txt"
cmp -s "$T/old.txt" "$T/new.txt" && fail "the two states answer alike; the test would prove nothing"
for i in "${!QUERIES[@]}"; do
    one "$T/base" "${QUERIES[$i]}" >"$T/old$i.txt"
    one "$T/fresh" "${QUERIES[$i]}" >"$T/new$i.txt"
done

# ---- 1. update semantics
cp -a "$T/base" "$T/inc"
start=$(date +%s.%N)
"$INDEXER" --index "$T/inc" --ram-mb 16 "$T/src" 2>"$T/summary" || fail "incremental run"
dur=$(echo "$(date +%s.%N) - $start" | bc)
grep -q "100 added, 200 updated, 19 deleted, 1281 unchanged" "$T/summary" || { fail "summary"; cat "$T/summary"; }
answers "$T/inc" >"$T/inc.txt"
cmp -s "$T/inc.txt" "$T/new.txt" || fail "incremental run differs from a fresh build"
"$INDEXER" -q --index "$T/inc" --check || fail "check after the incremental run"
"$INDEXER" --index "$T/inc" "$T/src" 2>"$T/summary2"
grep -q "0 added, 0 updated, 0 deleted, 1581 unchanged" "$T/summary2" || { fail "second run"; cat "$T/summary2"; }
echo "update semantics: incremental run of $dur s matches a fresh build"

# ---- 2. crashes
old=0 new=0
for i in $(seq "$TRIALS"); do
    rm -rf "$T/crash"
    cp -a "$T/base" "$T/crash"
    "$INDEXER" -q --index "$T/crash" --ram-mb 16 "$T/src" 2>/dev/null &
    pid=$!
    sleep "$(awk -v d="$dur" -v s="$i" 'BEGIN { srand(s); printf "%.3f", rand() * d * 1.2 }')"
    kill -9 "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    "$INDEXER" -q --index "$T/crash" --check >"$T/check" 2>&1 || { fail "trial $i: check"; cat "$T/check"; }
    answers "$T/crash" >"$T/crash.txt"
    if cmp -s "$T/crash.txt" "$T/old.txt"; then old=$((old + 1));
    elif cmp -s "$T/crash.txt" "$T/new.txt"; then new=$((new + 1));
    else fail "trial $i: answers match neither state"; fi
done
# the next run after a crash completes and cleans up
"$INDEXER" -q --index "$T/crash" "$T/src" || fail "run after the last crash"
ls "$T"/crash/tmp-* >/dev/null 2>&1 && fail "temporary files left after a completed run"
echo "crashes: $TRIALS SIGKILLs, $old left the old state, $new the new one, none a mix"

# ---- 3. concurrent searches during reindexing and merging
rm -rf "$T/live"
cp -a "$T/base" "$T/live"
reader() {  # reader N: search until the stop file exists; each answer is one state's
    local n=0
    while [ ! -f "$T/stop" ]; do
        for i in "${!QUERIES[@]}"; do
            one "$T/live" "${QUERIES[$i]}" >"$T/r$1.txt" 2>"$T/r$1.err"
            if ! cmp -s "$T/r$1.txt" "$T/old$i.txt" && ! cmp -s "$T/r$1.txt" "$T/new$i.txt"; then
                cp "$T/r$1.txt" "$T/torn$1.txt"; cat "$T/r$1.err" >>"$T/torn$1.txt"
            fi
            n=$((n + 1))
        done
    done
    echo "$n" >"$T/count$1"
}
for r in 1 2 3; do reader "$r" & done
for round in 1 2 3 4 5 6; do
    if [ $((round % 2)) -eq 1 ]; then swap_in v2; else swap_in v1; fi
    "$INDEXER" -q --index "$T/live" --ram-mb 16 "$T/src" || fail "round $round: reindex"
    [ $((round % 3)) -eq 0 ] && { "$INDEXER" -q --index "$T/live" --merge || fail "round $round: merge"; }
done
touch "$T/stop"
wait
searches=$(cat "$T"/count* | paste -sd+ | bc)
ls "$T"/torn* >/dev/null 2>&1 && { fail "a search saw a torn state"; head -5 "$T"/torn*; }
echo "concurrency: $searches searches by 3 readers during 6 reindexes and 2 merges, none torn"
swap_in v2

# ---- 4. full disk
rm -rf "$T/full"
cp -a "$T/base" "$T/full"
( trap '' XFSZ; ulimit -f 64; exec "$INDEXER" -q --index "$T/full" "$T/src" ) 2>"$T/full.err"
st=$?
[ "$st" -eq 3 ] || fail "full disk: exit $st, expected 3"
grep -qiE "no space|too large" "$T/full.err" || { fail "full disk message"; cat "$T/full.err"; }
grep -q "previous index is unchanged" "$T/full.err" || fail "full disk: no reassurance"
answers "$T/full" >"$T/full.txt"
cmp -s "$T/full.txt" "$T/old.txt" || fail "full disk: the previous index changed"
"$INDEXER" -q --index "$T/full" --check || fail "full disk: check"
echo "full disk: $(head -c 200 "$T/full.err" | head -1)"

if [ "$fails" -eq 0 ]; then echo "1 passed, 0 failed"; else echo "0 passed, 1 failed"; fi
[ "$fails" -eq 0 ]
