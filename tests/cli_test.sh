#!/usr/bin/env bash
# cli_test.sh SEARCH_INDEX SEARCH CORPUS -- the two programs from the shell:
# output formats, exit codes (0 hits, 1 none, 2 usage, 3 index) and
# messages for damaged indexes and a second writer.
set -u
INDEXER=$1 SEARCH=$2 CORPUS=$3
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fails=0 passes=0
check() {  # check NAME EXPECTED_STATUS COMMAND...
    local name=$1 want=$2
    shift 2
    "$@" >"$T/out" 2>"$T/err"
    local got=$?
    if [ "$got" -ne "$want" ]; then
        echo "FAIL $name: exit $got, expected $want"; sed 's/^/  | /' "$T/out" "$T/err" | head -20
        fails=$((fails + 1))
    else
        passes=$((passes + 1))
    fi
}
expect_grep() {  # expect_grep NAME FILE PATTERN
    if grep -q -- "$3" "$T/$2"; then passes=$((passes + 1)); else
        echo "FAIL $1: '$3' not in $2"; sed 's/^/  | /' "$T/$2" | head -20; fails=$((fails + 1)); fi
}

IDX=$T/index
check index 0 "$INDEXER" --index "$IDX" "$CORPUS"
expect_grep summary err "32 added, 0 updated, 0 deleted, 0 unchanged, 0 skipped"
check hits 0 "$SEARCH" --index "$IDX" "ByteDance Azure"
expect_grep first-hit out "^1\. Why ByteDance buys OpenAI models through Azure"
expect_grep snippet out "Azure"
if grep -q $'\033' "$T/out"; then echo "FAIL piped output has escape codes"; fails=$((fails+1)); fi
check color 0 "$SEARCH" --index "$IDX" --color always "ByteDance Azure"
expect_grep bold out $'\033\\[1mAzure\033\\[0m'
NO_COLOR=1 check no-color 0 "$SEARCH" --index "$IDX" --color auto "Azure"
check json 0 "$SEARCH" --index "$IDX" --json -n 2 "ByteDance Azure"
expect_grep json-line out '^{"rank":1,"score":[0-9.]*,"id":"bytedance-azure-openai-models.md","title":"Why ByteDance'
[ "$(wc -l <"$T/out")" -eq 2 ] || { echo "FAIL json: not 2 lines"; fails=$((fails+1)); }
check count 0 "$SEARCH" --index "$IDX" --count "+TikTok +Oracle"
expect_grep count-value out '^3$'
check none 1 "$SEARCH" --index "$IDX" "xyzzyplugh"
check none-count 1 "$SEARCH" --index "$IDX" --count "xyzzyplugh"
printf '7\tcloud outage\n8\tByteDance Azure\n' >"$T/q.tsv"
check trec 0 "$SEARCH" --index "$IDX" --queries "$T/q.tsv" --format trec -n 3
expect_grep trec-line out '^8 Q0 bytedance-azure-openai-models.md 1 [0-9.]* sift$'
[ "$(wc -l <"$T/out")" -eq 6 ] || { echo "FAIL trec: not 6 lines"; fails=$((fails+1)); }
SIFT_INDEX=$IDX check env-index 0 "$SEARCH" "Doubao"
XDG_DATA_HOME=$T/xdg check xdg-index 0 "$INDEXER" -q "$CORPUS"
[ -f "$T/xdg/sift/index/manifest" ] || { echo "FAIL xdg location"; fails=$((fails+1)); }

# the query language from the shell
check phrase 0 "$SEARCH" --index "$IDX" --count '"export restrictions"'
expect_grep phrase-count out '^1$'
check near 0 "$SEARCH" --index "$IDX" -n 1 'NEAR/5(bytedance azure)'
check onear-none 1 "$SEARCH" --index "$IDX" 'ONEAR/0(azure bytedance)'
check field 0 "$SEARCH" --index "$IDX" --count 'title:azure'
expect_grep field-count out '^2$'
check prefix 0 "$SEARCH" --index "$IDX" --count 'micro*'
check boolean 0 "$SEARCH" --index "$IDX" --count '(alibaba OR amazon) AND outage'
expect_grep boolean-count out '^2$'
check all 0 "$SEARCH" --index "$IDX" --all --count 'cloud outage'
check literal 0 "$SEARCH" --index "$IDX" --literal --count 'cloud (outage'
check keep-stopwords 0 "$SEARCH" --index "$IDX" --keep-stopwords --count 'the alibaba'
expect_grep keep-stopwords-count out '^32$'
check bad-paren 2 "$SEARCH" --index "$IDX" --strict 'cloud (outage'
expect_grep bad-paren-msg err "column 7: unbalanced '('"
expect_grep bad-paren-quote err '^  cloud (outage$'
expect_grep bad-paren-caret err '^        \^$'
check bad-field 2 "$SEARCH" --index "$IDX" --strict 'colour:smith'
expect_grep bad-field-msg err "unknown field 'colour'"
check bad-near 2 "$SEARCH" --index "$IDX" --strict 'NEAR(a b)'
check star 2 "$SEARCH" --index "$IDX" --strict '**'
# leniently (the default): the repaired query, said in one warning line
check lenient-paren 0 "$SEARCH" --index "$IDX" --count 'cloud (outage'
expect_grep lenient-paren-warning err "^search: warning: query read as: cloud outage (column 7: unbalanced '('"
expect_grep lenient-paren-count out '^30$'
check lenient-field 0 "$SEARCH" --index "$IDX" -l 'Examples: cloud outage'
expect_grep lenient-field-warning err "query read as: Examples cloud outage"
check lenient-negative 0 "$SEARCH" --index "$IDX" --count -- '-cloud'
expect_grep lenient-negative-warning err "query read as: \* -cloud"
check match-all 0 "$SEARCH" --index "$IDX" --count '*'
expect_grep match-all-count out '^32$'
check match-all-newest 0 "$SEARCH" --index "$IDX" --sort -date -l -n 1 '*'
check match-all-facet 0 "$SEARCH" --index "$IDX" --facet source '* -cloud'
printf '1\tcloud (\n2\tazure\n' >"$T/bad.tsv"
# a range written backwards is the range, its ends keeping their bounds' inclusion
check range-forward 0 "$SEARCH" --index "$IDX" --count 'date:[2021 TO 2024}'
cp "$T/out" "$T/forward"
check range-backward 0 "$SEARCH" --index "$IDX" --count 'date:{2024 TO 2021]'
cmp -s "$T/out" "$T/forward" || { echo "FAIL range-backward: count differs"; fails=$((fails+1)); }
expect_grep range-backward-warning err "query read as: date:\[2021 TO 2024} (column 6: the range's start is after its end)"
check range-backward-strict 2 "$SEARCH" --index "$IDX" --strict --count 'date:[2024 TO 2021]'
# "did you mean": said on stderr; when nothing matches, the suggestion is searched and said
check suggest-found 0 "$SEARCH" --index "$IDX" -n 1 'bytedanse azure'
expect_grep suggest-line err "^Did you mean: bytedance azure$"
check suggest-corrected 0 "$SEARCH" --index "$IDX" -n 1 'alibba clod'
expect_grep suggest-corrected-line err "^Showing results for: alibaba cloud$"
expect_grep suggest-corrected-hit out "^1\. .*Alibaba"
check suggest-no-correct 1 "$SEARCH" --index "$IDX" --no-correct 'alibba clod'
expect_grep suggest-no-correct-line err "^Did you mean: alibaba cloud$"
[ -s "$T/out" ] && { echo "FAIL suggest-no-correct: printed hits"; fails=$((fails+1)); }
check suggest-json 0 "$SEARCH" --index "$IDX" --json -n 1 'alibba'
expect_grep suggest-json-field out '"suggestion":"alibaba","corrected":true}$'
check suggest-json-none 1 "$SEARCH" --index "$IDX" --json --no-correct 'alibba'
expect_grep suggest-json-only out '^{"suggestion":"alibaba"}$'
check suggest-none 0 "$SEARCH" --index "$IDX" -n 1 'alibaba cloud'
grep -q "Did you mean" "$T/err" && { echo "FAIL suggest-none: suggested"; fails=$((fails+1)); }
check batch-bad-query 2 "$SEARCH" --index "$IDX" --strict --queries "$T/bad.tsv" --format trec
expect_grep batch-continues out '^2 Q0 '

# output for scripts, ranking options, statistics
check ids 0 "$SEARCH" --index "$IDX" -l -n 2 "ByteDance Azure"
expect_grep ids-line out '^bytedance-azure-billion.md$'
check fields 0 "$SEARCH" --index "$IDX" --fields id,score -n 1 "ByteDance Azure"
expect_grep fields-line out $'^bytedance-azure-openai-models.md\t[0-9.]*$'
check bad-fields 2 "$SEARCH" --index "$IDX" --fields id,no-such "azure"
check prox 0 "$SEARCH" --index "$IDX" --rank bm25+prox -n 1 "ByteDance Azure"
check bm25f 0 "$SEARCH" --index "$IDX" --field-weights title=2,text=1 -n 1 "ByteDance Azure"
check bad-weights 2 "$SEARCH" --index "$IDX" --field-weights title=0,text=0 "azure"
check explain 0 "$SEARCH" --index "$IDX" --explain -n 1 '"export restrictions" cloud'
expect_grep explain-phrase out "phrase 'export restrict' (distance 0) in title+text: 1 match"
expect_grep explain-word out "word 'cloud' in title+text: tf"
check stats 0 "$SEARCH" --index "$IDX" --stats
expect_grep stats-fields out '^fields .*date (date), source (keyword)'
expect_grep stats-docs out '^documents    32 '
check check-ok 0 "$INDEXER" --index "$IDX" --check
expect_grep check-msg out 'every checksum and invariant holds'

# progress: a live line on a terminal (under script's pseudo-terminal), none when piped
if command -v script >/dev/null; then
    script -qec "'$INDEXER' --index '$T/pty' '$CORPUS'" /dev/null >"$T/pty.out" 2>&1
    if grep -q $'\r[0-9]* documents  [0-9.]* MB  [0-9.]* MB/s  0:00 elapsed' "$T/pty.out"; then passes=$((passes + 1));
    else echo "FAIL progress line on a terminal"; cat -v "$T/pty.out" | head -5; fails=$((fails + 1)); fi
    "$INDEXER" --index "$T/pipe" "$CORPUS" 2>"$T/pipe.err"
    if grep -q $'\r' "$T/pipe.err"; then echo "FAIL progress when piped"; fails=$((fails + 1)); else passes=$((passes + 1)); fi
fi

# usage errors: 2
check no-query 2 "$SEARCH" --index "$IDX"
check bad-limit 2 "$SEARCH" --index "$IDX" -n abc "cloud"
check bad-b 2 "$SEARCH" --index "$IDX" --b 2 "cloud"
check empty-query 2 "$SEARCH" --index "$IDX" "  ...  "
expect_grep empty-query-msg err "no searchable words"
check negative-only 2 "$SEARCH" --index "$IDX" --strict -- "-cloud"
check no-path 2 "$INDEXER" --index "$T/x"
check missing-path 2 "$INDEXER" --index "$T/x" "$T/does-not-exist"
check bad-language 2 "$INDEXER" --index "$T/x" --language klingon "$CORPUS"
check help 0 "$SEARCH" --help
check version 0 "$SEARCH" --version
# the version the header declares (a bump must not leave --version behind)
FORMAT=$(sed -n 's/^#define SIFT_FORMAT_VERSION \([0-9]*\)$/\1/p' "$(dirname "$0")/../include/sift/sift.h")
expect_grep version-text out "index format ${FORMAT:-unknown}$"
# an index of an older format: exit 3 with the way out, which works
cp -r "$IDX" "$T/old"
python3 - "$T/old/manifest" <<'PY'
import struct, sys, zlib
p = sys.argv[1]
d = bytearray(open(p, 'rb').read())
d[8:12] = struct.pack('<I', 3)
d[-4:] = struct.pack('<I', zlib.crc32(bytes(d[:-4])))
open(p, 'wb').write(d)
PY
check old-format 3 "$SEARCH" --index "$T/old" azure
expect_grep old-format-hint err "rebuild it with: search-index --rebuild"
check old-format-update 3 "$INDEXER" --index "$T/old" "$CORPUS"
check old-format-rebuild 0 "$INDEXER" --rebuild --index "$T/old" "$CORPUS"
check old-format-rebuilt 0 "$SEARCH" --index "$T/old" azure

# index errors: 3, with the file named
check no-index 3 "$SEARCH" --index "$T/nothing-here" "cloud"
expect_grep no-index-msg err "no index"
cp -r "$IDX" "$T/flip"
SEG=$(ls "$T"/flip/seg-*.sift)
SIZE=$(stat -c %s "$SEG")
# a byte of the checksum directory at the end of the file: caught at open
# (bytes elsewhere are caught when a search first reads their page; the
# library test flips every position)
printf '\xff' | dd of="$SEG" bs=1 seek=$((SIZE - 30)) conv=notrunc status=none
check flipped 3 "$SEARCH" --index "$T/flip" "the cloud"
expect_grep flipped-msg err "seg-.*\.sift: .*checksum mismatch"
cp -r "$IDX" "$T/trunc"
SEG=$(ls "$T"/trunc/seg-*.sift)
truncate -s $((SIZE - 10)) "$SEG"
check truncated 3 "$SEARCH" --index "$T/trunc" "cloud"
expect_grep truncated-msg err "truncated"

# a second writer fails at once; the first one's index stays intact
exec 9>"$IDX/write.lock"
flock 9
check locked 3 "$INDEXER" --index "$IDX" "$CORPUS"
expect_grep locked-msg err "another search-index is writing"
exec 9>&-
check after-lock 0 "$SEARCH" --index "$IDX" "ByteDance Azure"

# several indexes as one: the corpus in two halves ranks, counts and
# snippets as the whole; an id in both is found once, in the later one
mkdir -p "$T/h1" "$T/h2"
n=0
for f in "$CORPUS"/*; do
    n=$((n + 1))
    if [ $((n % 2)) -eq 0 ]; then cp "$f" "$T/h1/"; else cp "$f" "$T/h2/"; fi
done
cp "$CORPUS"/bytedance-azure-billion.md "$T/h1/"   # in both halves: one id, two copies
cp "$CORPUS"/bytedance-azure-billion.md "$T/h2/"
check half1 0 "$INDEXER" -q --index "$T/i1" "$T/h1"
check half2 0 "$INDEXER" -q --index "$T/i2" "$T/h2"
check whole-json 0 "$SEARCH" --index "$IDX" --json -n 32 "cloud OR azure OR chips"
cp "$T/out" "$T/whole.json"
check halves-json 0 "$SEARCH" --index "$T/i1" --index "$T/i2" --json -n 32 "cloud OR azure OR chips"
if cmp -s "$T/out" "$T/whole.json"; then passes=$((passes + 1)); else
    echo "FAIL halves: the two halves rank otherwise than the whole"; diff "$T/whole.json" "$T/out" | head; fails=$((fails + 1)); fi
SIFT_INDEX="$T/i1:$T/i2" check env-list 0 "$SEARCH" --count "cloud"
cp "$T/out" "$T/halves.count"
check whole-count 0 "$SEARCH" --index "$IDX" --count "cloud"
cmp -s "$T/out" "$T/halves.count" && passes=$((passes + 1)) || { echo "FAIL env-list count"; fails=$((fails + 1)); }
check halves-stats 0 "$SEARCH" --index "$T/i1" --index "$T/i2" --stats
expect_grep halves-docs out "^documents    32 (0 deleted, not yet merged away; 1 older copies"
check env-writer 2 env SIFT_INDEX="$T/i1:$T/i2" "$INDEXER" "$T/h1"
expect_grep env-writer-msg err "SIFT_INDEX names several indexes"
check fr-index 0 "$INDEXER" -q --language french --index "$T/fr" "$T/h1"
check mixed-languages 2 "$SEARCH" --index "$T/i1" --index "$T/fr" cloud
expect_grep mixed-msg err "must share their language"
check twice 2 "$SEARCH" --index "$T/i1" --index "$T/i1" cloud
check one-missing 3 "$SEARCH" --index "$T/i1" --index "$T/nothing" cloud

echo "$passes passed, $fails failed"
[ "$fails" -eq 0 ]
