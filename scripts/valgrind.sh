#!/usr/bin/env bash
# Run the unit tests and both programs under valgrind memcheck: zero errors
# and no definite or indirect leaks, or exit 1. The long tests (the
# differential test, the corruption sweep, the hostile and reindexing
# scripts) run under AddressSanitizer instead; valgrind would take hours.
# Usage: scripts/valgrind.sh BUILD_DIR
set -u
B=${1:-build}
VG="valgrind -q --leak-check=full --errors-for-leak-kinds=definite,indirect --error-exitcode=9"
fails=0 n=0
for t in analyzer codec segfile dict term_trie postings bm25 topk snippet sources query_parse proximity update threads treceval pieces merge_policy format_pin; do
    n=$((n + 1))
    if ! SIFT_TEST_MB=1 $VG "$B/tests/test_$t" >/dev/null 2>"$B/valgrind-$t.log"; then
        echo "valgrind: test_$t failed:"; head -30 "$B/valgrind-$t.log"; fails=$((fails + 1))
    fi
done
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
run() {  # run NAME COMMAND...: exit status 0 or 1 is fine, valgrind's 9 is not
    n=$((n + 1))
    "$@" >/dev/null 2>"$T/log"
    st=$?
    if [ "$st" -gt 1 ]; then echo "valgrind: $* (exit $st):"; head -30 "$T/log"; fails=$((fails + 1)); fi
}
run $VG "$B/search-index" -q --index "$T/idx" corpus
run $VG "$B/search" --index "$T/idx" --explain -n 3 '"export restrictions" OR NEAR/5(bytedance azure) micro* -tiktok'
run $VG "$B/search" --index "$T/idx" --rank bm25+prox --field-weights title=2 --json "ByteDance Azure"
echo "valgrind memcheck: $((n - fails)) of $n runs clean"
[ "$fails" -eq 0 ]
