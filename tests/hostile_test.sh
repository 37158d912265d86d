#!/usr/bin/env bash
# hostile_test.sh SEARCH_INDEX SEARCH [SCALE] -- documents and queries meant
# to break an indexer: each must end with a warning or a clean result, never
# a crash, and memory must stay near the budget. SCALE (default 1) divides
# the sizes (sanitizer builds pass 10).
set -u
INDEXER=$1 SEARCH=$2 SCALE=${3:-1}
T=$(mktemp -d)
trap 'chmod -R u+rwx "$T" 2>/dev/null; rm -rf "$T"' EXIT
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
D=$T/docs
mkdir -p "$D/many"
# a document of 200 MB (of words), a 10 MB line with no spaces, a 100,000-character token
big=$((200 / SCALE))
awk -v mb="$big" 'BEGIN { w = "cloud azure chips export growth market "; s = ""; for (i = 0; i < 1000; i++) s = s w;
    print "Huge document"; n = mb * 1024 * 1024 / length(s); for (i = 0; i < n; i++) print s }' >"$D/huge.txt"
{ echo "Long line"; head -c $((10485760 / SCALE)) /dev/zero | tr '\0' 'x'; echo; } >"$D/longline.txt"
{ echo "Long token"; head -c 100000 /dev/zero | tr '\0' 'q'; echo " tail"; } >"$D/longtoken.txt"
printf 'Invalid UTF-8\n\xff\xfe caf\xc3 \xc3\xa9t\xe9 \xed\xa0\x80 ok\n' >"$D/badutf8.txt"
{ printf 'Binary\n'; head -c 4096 /dev/zero; } >"$D/binary.txt"   # mostly NUL bytes: binary
printf 'One NUL\nalphaword\x00betaword gammaword\n' >"$D/nul.txt"    # a text with a NUL: indexed
head -c 4096 /dev/urandom >"$D/random.md"
: >"$D/empty.txt"
echo "secret" >"$D/unreadable.txt"; chmod 000 "$D/unreadable.txt"
ln -s "$D" "$D/loop"                      # a symlink loop
ln -s "$D/nowhere" "$D/dangling.txt"      # a dangling link
n=$((100000 / SCALE))
( cd "$D/many" && seq 1 "$n" | awk '{ f = "f" $1 ".txt"; print "tiny " $1 > f; close(f) }' )

rss_file=$T/rss
if [ -x /usr/bin/time ]; then
    /usr/bin/time -f %M -o "$rss_file" "$INDEXER" --index "$T/idx" --ram-mb 64 -v "$D" 2>"$T/err"
else
    "$INDEXER" --index "$T/idx" --ram-mb 64 -v "$D" 2>"$T/err"
fi
st=$?
want=0; [ "$(id -u)" -ne 0 ] && want=4   # unreadable.txt can be read only by root
[ "$st" -eq "$want" ] || { fail "indexing hostile documents: exit $st, not $want"; tail -5 "$T/err"; }
grep -q "skipped .*binary.txt: binary file" "$T/err" || fail "binary .txt not reported"
grep -q "skipped .*empty.txt: empty file" "$T/err" || fail "empty file not reported"
if [ "$(id -u)" -ne 0 ]; then grep -q "unreadable.txt" "$T/err" || fail "unreadable file not reported"; fi
grep -q "loop" "$T/err" || fail "symlink loop not reported"
grep -q "dangling.txt" "$T/err" || fail "dangling link not reported"
grep -Eq "$((n + 6)) added|$((n + 7)) added" "$T/err" || { fail "document count"; tail -2 "$T/err"; }
# Peak memory stays near the budget whatever the size of a document: a large
# text file is streamed and its tokens spilled in pieces (docs/TESTING.md).
limit=$(( 64 * 3 / 2 * 1024 ))
check_rss() {
    [ -f "$rss_file" ] && ! ldd "$INDEXER" | grep -q asan || return 0
    rss=$(cat "$rss_file")
    echo "$1: peak RSS $rss KiB (limit $limit KiB, budget 64 MiB, largest document $big MB)"
    [ "$rss" -le "$limit" ] || fail "$1: peak RSS $rss KiB over $limit KiB"
}
check_rss "indexing"
"$INDEXER" -q --index "$T/idx" --check || fail "check after hostile documents"
[ "$("$SEARCH" --index "$T/idx" --count "tiny")" -eq "$n" ] || fail "tiny files not all searchable"
"$SEARCH" --index "$T/idx" --count "+cloud +azure" >/dev/null || fail "huge document not searchable"
"$SEARCH" --index "$T/idx" -n 1 '"export growth market"' >/dev/null || fail "phrase in the huge document"
"$SEARCH" --index "$T/idx" --count "tail" >/dev/null || fail "word after the long token"
[ "$("$SEARCH" --index "$T/idx" --count "+alphaword +betaword")" -eq 1 ] || fail "words around a NUL byte"
[ "$("$SEARCH" --index "$T/idx" --count '"alphaword betaword"')" -eq 1 ] || fail "a NUL byte separates words"
# a merge re-indexes the huge document from the store, streaming it out too
echo "one more" >"$D/more.txt"
if [ -x /usr/bin/time ]; then
    /usr/bin/time -f %M -o "$rss_file" "$INDEXER" -q --index "$T/idx" --ram-mb 64 --merge "$D" 2>"$T/err"
else
    "$INDEXER" -q --index "$T/idx" --ram-mb 64 --merge "$D" 2>"$T/err"
fi
st=$?
[ "$st" -eq "$want" ] || { fail "merge after hostile documents: exit $st"; tail -3 "$T/err"; }
check_rss "merging"
"$INDEXER" -q --index "$T/idx" --check || fail "check after the merge"
[ "$("$SEARCH" --index "$T/idx" --count '"export growth market"')" -eq 1 ] || fail "phrase after the merge"

# hostile queries: each ends with 0, 1 or 2, never a crash
q_long=$(head -c 100000 /dev/zero | tr '\0' 'a')   # a command line argument holds at most 128 KiB
q_words=$(yes cloud | head -n 5000 | tr '\n' ' ')
for q in "$q_long" "$q_words" $'cloud\x01\x1b[31m\x7f' $'caf\xc3 \xff\xfe azure' "((((((((((" '""""' '*' \
         'NEAR/1000(a b c d e f g h i j k l m n o p q r s t u v w x y z)' '"a a a a a a a a a a"~1000'; do
    "$SEARCH" --index "$T/idx" -n 3 -- "$q" >/dev/null 2>"$T/qerr"
    st=$?
    [ "$st" -le 2 ] || { fail "query exit $st: ${q:0:60}"; head -3 "$T/qerr"; }
done
"$SEARCH" --index "$T/idx" -n 0 cloud >/dev/null 2>&1; [ $? -eq 2 ] || fail "-n 0 is not a usage error"
"$SEARCH" --index "$T/idx" -n 1000000000 --count cloud >/dev/null || fail "-n 1000000000 --count"
"$SEARCH" --index "$T/idx" -n 1000000000 -l tiny | wc -l | grep -q "^$n$" || fail "-n 1000000000 lists every hit"
"$SEARCH" --index "$T/idx" -n 4294967295 --offset 4294967295 cloud >/dev/null 2>&1; [ $? -le 1 ] || fail "largest -n and --offset"

if [ "$fails" -eq 0 ]; then echo "1 passed, 0 failed"; else echo "0 passed, 1 failed"; fi
[ "$fails" -eq 0 ]
