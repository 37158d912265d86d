#!/usr/bin/env bash
# large_corpus_test.sh SEARCH_INDEX SEARCH CORPORA -- index the shared
# Reuters-21578 corpus twice, once with a budget small enough to spill many
# runs and once in memory: the segments must be byte-identical. Then answer
# the Cranfield query file in TREC format. Skips (77) when ../shared is absent.
set -u
INDEXER=$1 SEARCH=$2 CORPORA=$3
REUTERS=$CORPORA/reuters21578/docs.jsonl.gz
CRAN=$CORPORA/cranfield
if [ ! -f "$REUTERS" ] || [ ! -f "$CRAN/docs.jsonl" ]; then
    echo "skipped: shared corpora not found at $CORPORA"
    exit 77
fi
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

measure=""
if [ -x /usr/bin/time ] && ! ldd "$INDEXER" | grep -q asan; then measure=1; fi

run_index() {  # run_index DIR RAM_MB
    if [ -n "$measure" ]; then
        /usr/bin/time -f '%M' -o "$T/rss" "$INDEXER" -q --index "$1" --ram-mb "$2" "$REUTERS"
    else
        "$INDEXER" -q --index "$1" --ram-mb "$2" "$REUTERS"
    fi
}

run_index "$T/small" 16 || fail "indexing with 16 MiB"
if [ -n "$measure" ]; then
    rss=$(cat "$T/rss")
    echo "peak RSS with --ram-mb 16: $rss KiB"
    # 1.5 times the budget, plus what any process holds (code, libraries, stdio)
    [ "$rss" -le $((16 * 1024 * 3 / 2 + 8 * 1024)) ] || fail "peak RSS $rss KiB over 1.5 x 16 MiB (+8 MiB)"
fi
run_index "$T/big" 1024 || fail "indexing with 1024 MiB"
cmp -s "$T"/small/seg-*.sift "$T"/big/seg-*.sift || fail "spilled and in-memory segments differ"

n=$("$SEARCH" --index "$T/small" --count "oil")
[ "$n" -gt 1000 ] || fail "expected over 1000 documents about oil, got $n"
"$SEARCH" --index "$T/small" -n 3 "crude oil prices" >/dev/null || fail "search reuters"

"$INDEXER" -q --index "$T/cran" "$CRAN/docs.jsonl" || fail "indexing cranfield"
"$SEARCH" --index "$T/cran" --queries "$CRAN/queries.tsv" --format trec -n 100 >"$T/run" \
    || fail "cranfield queries"
q=$(cut -d' ' -f1 "$T/run" | sort -u | wc -l)
[ "$q" -eq 225 ] || fail "expected 225 cranfield queries answered, got $q"
awk 'NF != 6 || $2 != "Q0" || $6 != "sift" { bad = 1 } END { exit bad }' "$T/run" || fail "bad TREC lines"

if [ "$fails" -eq 0 ]; then echo "1 passed, 0 failed"; else echo "0 passed, 1 failed"; fi
[ "$fails" -eq 0 ]
