#!/usr/bin/env bash
# reliability_test.sh SEARCH_INDEX SEARCH -- nightly reindexing never drops
# what it merely could not read, and says what it did:
#   1. an unreadable directory, and a changed file that became unreadable,
#      keep their documents; the run exits 4 and says "N kept, unreadable"
#      (run as an unprivileged user: root reads everything);
#   2. --merge failing on a full disk after the update was published says
#      the update was published (ulimit -f stands for the full disk);
#   3. a symbolic link to .. never takes the walk out of the folder, and the
#      index directory inside the tree is never read;
#   4. a .txt file with a NUL byte is indexed, the NUL separating words;
#   5. JSON Lines: \u0000, surrogate pairs and lone surrogates accepted, text
#      after the object refused, every message with file:line.
set -u
INDEXER=$(realpath "$1") SEARCH=$(realpath "$2")
T=$(mktemp -d)
chmod 755 "$T"
trap 'chmod -R u+rwx "$T" 2>/dev/null; rm -rf "$T"' EXIT
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
section_fails=0
ok() { [ "$fails" -eq "$section_fails" ] && echo "reliability: $*"; section_fails=$fails; }
count() { "$SEARCH" --index "$1" --count -- "$2" 2>/dev/null; }

# ---- 1. unreadable sources keep their documents
# As root, run the indexer as nobody (permissions do not stop root).
AS=()
if [ "$(id -u)" -eq 0 ]; then
    if command -v setpriv >/dev/null && id nobody >/dev/null 2>&1; then
        AS=(setpriv --reuid=nobody --regid="$(id -g nobody)" --clear-groups)
    else
        echo "reliability: 1 skipped: running as root without setpriv and a 'nobody' user"
    fi
fi
if [ "$(id -u)" -ne 0 ] || [ ${#AS[@]} -gt 0 ]; then
    U=$T/u
    mkdir -p "$U/docs/sub"
    printf 'Alpha\nthe alphaold article\n' >"$U/docs/a.txt"
    printf 'Beta\nthe betaword article\n' >"$U/docs/sub/b.txt"
    printf 'Gamma\nthe gammaword article\n' >"$U/docs/sub/c.txt"
    [ ${#AS[@]} -gt 0 ] && chown -R nobody "$U"
    run() { "${AS[@]}" "$INDEXER" --index "$U/idx" "$U/docs" 2>"$T/u.err"; }
    run || fail "unreadable: first run exit $?"
    chmod 000 "$U/docs/sub"
    run
    st=$?
    [ "$st" -eq 4 ] || { fail "unreadable directory: exit $st, not 4"; cat "$T/u.err"; }
    grep -q "cannot read $U/docs/sub: Permission denied; 2 documents from it kept" "$T/u.err" ||
        { fail "unreadable directory not reported with its path and reason"; cat "$T/u.err"; }
    grep -q "0 deleted.*2 kept, unreadable" "$T/u.err" || { fail "summary of the kept"; cat "$T/u.err"; }
    [ "$(count "$U/idx" "betaword OR gammaword")" = 2 ] || fail "the unreadable directory's documents are gone"
    # a file that changed, then became unreadable: its old version stays
    printf 'Alpha\nthe alphanew article, longer\n' >"$U/docs/a.txt"
    chmod 000 "$U/docs/a.txt"
    run
    st=$?
    [ "$st" -eq 4 ] || fail "changed unreadable file: exit $st, not 4"
    [ "$(count "$U/idx" alphaold)" = 1 ] || fail "a changed file that became unreadable lost its old version"
    chmod 755 "$U/docs/sub"
    chmod 644 "$U/docs/a.txt"
    run
    st=$?
    [ "$st" -eq 0 ] || fail "readable again: exit $st"
    [ "$(count "$U/idx" alphanew)" = 1 ] && [ "$(count "$U/idx" alphaold)" = 0 ] ||
        fail "readable again: the new version is not the one indexed"
    # a file really gone is deleted, and the run exits 0
    rm "$U/docs/sub/c.txt"
    run || fail "a deletion: exit $?"
    [ "$(count "$U/idx" gammaword)" = 0 ] || fail "a file that is gone kept its document"
    ok "1 ok (unreadable kept, exit 4; gone deleted)"
fi

# ---- 2. --merge on a full disk, after the update was published
M=$T/m
mkdir -p "$M/docs"
for i in $(seq 1 40); do printf 'Article %s\n%s\n' "$i" "$(seq -s ' ' "$i" $((i + 400)))" >"$M/docs/a$i.txt"; done
"$INDEXER" -q --index "$M/idx" "$M/docs" || fail "merge: first run"
echo "Late article with the word latecomer" >"$M/docs/late.txt"
# the small new segment fits in 16 KiB, the merged one does not
( trap '' XFSZ; ulimit -f 16; exec "$INDEXER" --index "$M/idx" --merge "$M/docs" ) 2>"$T/m.err"
st=$?
if [ "$st" -eq 0 ]; then
    echo "reliability: 2 skipped: the merged segment fit under the file size limit"
else
    [ "$st" -eq 3 ] || fail "merge on a full disk: exit $st, not 3"
    grep -q "the update was published, but merging into one segment failed" "$T/m.err" ||
        { fail "merge on a full disk: no word that the update was published"; cat "$T/m.err"; }
    grep -q "previous index is unchanged" "$T/m.err" && fail "merge on a full disk: says the index is unchanged"
    [ "$(count "$M/idx" latecomer)" = 1 ] || fail "merge on a full disk: the published update is missing"
    "$INDEXER" -q --index "$M/idx" --check || fail "merge on a full disk: check"
    ok "2 ok ($(grep -o 'the update was published[^:]*' "$T/m.err"))"
fi

# ---- 3. the walk stays in the folder and out of the index
S=$T/s
mkdir -p "$S/tree/inner" "$S/outside"
echo "Inner article about insideword" >"$S/tree/inner/x.txt"
echo "Secret article about outsideword" >"$S/outside/secret.txt"
ln -s .. "$S/tree/up"                 # the parent, holding outside/
ln -s inner "$S/tree/again"           # inside: followed, and indexed once
ln -s / "$S/tree/root"
"$INDEXER" -v --index "$S/tree/idx" "$S/tree" 2>"$T/s.err" || fail "symlinks: exit $?"
[ "$(count "$S/tree/idx" outsideword)" = 0 ] || fail "a link to .. took the walk out of the folder"
[ "$(count "$S/tree/idx" insideword)" = 1 ] || fail "the inner article (once)"
grep -q "up: symbolic link out of the folder given" "$T/s.err" || { fail "link out not reported"; cat "$T/s.err"; }
grep -qE "idx/(seg|manifest|tmp)" "$T/s.err" && fail "the indexer read its own index files"
"$INDEXER" -q --index "$S/tree/idx" --follow-links --rebuild "$S/tree" 2>/dev/null
[ "$(count "$S/tree/idx" outsideword)" -ge 1 ] || fail "--follow-links does not follow"
ok "3 ok"

# ---- 4. a text file with a NUL byte
N=$T/n
mkdir -p "$N"
printf 'NUL article\nbeforenul\000afternul and more\n' >"$N/nul.txt"
"$INDEXER" -q --index "$N/idx" "$N" || fail "NUL: exit $?"
[ "$(count "$N/idx" '"beforenul afternul"')" = 1 ] || fail "a .txt with one NUL byte is not indexed"
ok "4 ok"

# ---- 5. JSON Lines
J=$T/j
mkdir -p "$J"
{
    echo '{"id": "nul", "text": "alpha\u0000omega"}'
    echo '{"id": "pair", "text": "smile \ud83d\ude00 here"}'
    echo '{"id": "lone", "text": "broken \ud800 surrogate"}'
    echo '{"id": "junk", "text": "trailing"} {"id": "x"}'
    echo '{"id": "escaped", "text": "a \\u0000 literal"}'
    printf '{"id": "%s", "text": "long id"}\n' "$(head -c 5000 /dev/zero | tr '\0' i)"
} >"$J/docs.jsonl"
"$INDEXER" -v --index "$J/idx" "$J/docs.jsonl" 2>"$T/j.err" || fail "JSON Lines: exit $?"
[ "$(count "$J/idx" '"alpha omega"')" = 1 ] || fail 'JSON: \u0000 is not a separator'
[ "$(count "$J/idx" '"smile here"~1')" = 1 ] || fail "JSON: a surrogate pair"
[ "$(count "$J/idx" '"broken surrogate"~1')" = 1 ] || fail "JSON: a lone surrogate"
[ "$(count "$J/idx" '"u0000 literal"')" = 1 ] || fail 'JSON: an escaped backslash before u0000'
[ "$(count "$J/idx" trailing)" = 0 ] || fail "JSON: text after the object accepted"
grep -q "docs.jsonl:4: text after the JSON object" "$T/j.err" || { fail "JSON: junk not reported with its line"; cat "$T/j.err"; }
grep -q "docs.jsonl:6: document id longer than 4096 bytes" "$T/j.err" || { fail "JSON: long id without its line"; cat "$T/j.err"; }
"$SEARCH" --index "$J/idx" --json -n 1 smile | grep -q '😀' || fail "JSON: the pair is not one character"
ok "5 ok"

if [ "$fails" -eq 0 ]; then echo "1 passed, 0 failed"; else echo "0 passed, 1 failed"; fi
[ "$fails" -eq 0 ]
