#!/usr/bin/env bash
# bench/relevance.sh -- relevance of sift against Lucene's BM25, side by side.
#
# For each test collection in ../shared/corpora (cranfield, cisi, scifact,
# medline -- converted here from its SMART files):
# index it with sift and with Lucene 8 (Debian's liblucene8-java,
# EnglishAnalyzer, BM25Similarity k1 0.9, b 0.4, title + text in one field),
# run every query as a bag of words (sift: --literal), and evaluate both
# runs with search-eval. Prints one table (collection x system x metric) and
# writes it to bench/results/relevance.md. Usage: bash bench/relevance.sh
set -eu
cd "$(dirname "$0")/.."
CORPORA=${SIFT_CORPORA:-../shared/corpora}
[ -d "$CORPORA" ] || { echo "relevance.sh: $CORPORA not found; nothing to measure"; exit 0; }
bash scripts/install-deps.sh
need=""
for p in liblucene8-java default-jdk-headless python3; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || need="$need $p"
done
if [ -n "$need" ]; then
    SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO=sudo
    $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $need >/dev/null
fi
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j "$(nproc)" --target search search-index search-eval >/dev/null
LUCENE_CP=$(ls /usr/share/java/lucene-core-8*.jar | head -1):$(ls /usr/share/java/lucene-analyzers-common-8*.jar | head -1)
# RELEVANCE_WORK=DIR keeps the indexes, queries and judgments there (bench/tune.py reads them)
if [ -n "${RELEVANCE_WORK:-}" ]; then W=$RELEVANCE_WORK; mkdir -p "$W"; else W=$(mktemp -d); trap 'rm -rf "$W"' EXIT; fi
javac -d "$W/classes" -cp "$LUCENE_CP" bench/lucene/JsonLine.java bench/lucene/LuceneRun.java

# collection name, docs, queries (tsv), qrels
prepare() {
    case $1 in
    cranfield|cisi)
        echo "$CORPORA/$1/docs.jsonl $CORPORA/$1/queries.tsv $CORPORA/$1/qrels.txt" ;;
    scifact)
        # the 300 test claims, as qid<TAB>text
        python3 - "$CORPORA/scifact" "$W/scifact.tsv" <<'PY'
import json, sys
d, out = sys.argv[1], sys.argv[2]
test = {l.split()[0] for l in open(d + "/qrels/test.tsv") if l[0].isdigit()}
with open(out, "w") as f:
    for l in open(d + "/queries.jsonl"):
        q = json.loads(l)
        if q["_id"] in test:
            f.write(q["_id"] + "\t" + " ".join(q["text"].split()) + "\n")
PY
        echo "$CORPORA/scifact/corpus.jsonl.gz $W/scifact.tsv $CORPORA/scifact/qrels/test.tsv" ;;
    medline)
        # SMART files (.I n / .W text, CRLF, padded): JSON Lines without
        # titles, qid<TAB>query, and the judgments in TREC's four columns
        python3 - "$CORPORA/medline" "$W" <<'PY'
import json, re, sys
d, w = sys.argv[1], sys.argv[2]
def records(path):
    text = open(path, encoding="latin-1").read().replace("\r", "")
    for m in re.finditer(r"^\.I (\d+)\n\.W\n(.*?)(?=^\.I |\Z)", text, re.S | re.M):
        yield m.group(1), " ".join(m.group(2).split())
with open(w + "/medline.jsonl", "w") as f:
    for i, t in records(d + "/MED.ALL"):
        f.write(json.dumps({"id": i, "title": "", "text": t}) + "\n")
with open(w + "/medline.tsv", "w") as f:
    for i, t in records(d + "/MED.QRY"):
        f.write(i + "\t" + t + "\n")
with open(w + "/medline.qrels", "w") as f:
    for l in open(d + "/MED.REL"):
        p = l.split()
        if len(p) >= 3: f.write(f"{p[0]} 0 {p[1]} {p[2]}\n")
PY
        echo "$W/medline.jsonl $W/medline.tsv $W/medline.qrels" ;;
    esac
}

metric() { awk -v m="$2" '$1 == m { print $2 }' "$1"; }
mkdir -p bench/results
table="bench/results/relevance.md"
{
    echo "| collection | system | nDCG@10 | MAP | R@100 | R@1000 | MRR@10 |"
    echo "|---|---|---|---|---|---|---|"
} >"$table"
for c in cranfield cisi scifact medline; do
    [ -d "$CORPORA/$c" ] || { echo "skipping $c: not in $CORPORA"; continue; }
    read -r docs queries qrels < <(prepare "$c")
    printf '%s\t%s\n' "$queries" "$qrels" >"$W/$c.files"
    ./build/search-index -q --rebuild --index "$W/$c" "$docs"
    run() { ./build/search --index "$W/$c" --literal --queries "$queries" --format trec -n 1000 "$@" || true; }
    run >"$W/$c.default.run"
    run --rank bm25 >"$W/$c.sift.run"
    run --rank bm25 --field-weights title=2,text=1 >"$W/$c.bm25f.run"
    run --rank bm25+prox >"$W/$c.prox.run"
    run --rank bm25 --expand >"$W/$c.rm3.run"
    run --expand >"$W/$c.defrm3.run"
    java -cp "$W/classes:$LUCENE_CP" LuceneRun "$docs" "$queries" 0.9 0.4 >"$W/$c.lucene.run"
    java -cp "$W/classes:$LUCENE_CP" LuceneRun "$docs" "$queries" 1.2 0.75 >"$W/$c.lucene12.run"
    for sys in default sift bm25f prox rm3 defrm3 lucene lucene12; do
        ./build/search-eval "$qrels" "$W/$c.$sys.run" >"$W/$c.$sys.eval"
        e="$W/$c.$sys.eval"
        case $sys in
        default) name="sift default (BM25F title=3, k1 1.2, b 0.75, Snowball stopwords)" ;;
        sift) name="sift --rank bm25 (Lucene's)" ;; bm25f) name="sift bm25 title=2" ;;
        prox) name="sift bm25+prox" ;; rm3) name="sift bm25 --expand (RM3)" ;;
        defrm3) name="sift default --expand (RM3)" ;; lucene) name="lucene bm25" ;;
        lucene12) name="lucene bm25 k1 1.2 b 0.75 (its defaults)" ;;
        esac
        printf "| %s | %s | %s | %s | %s | %s | %s |\n" "$c" "$name" "$(metric "$e" ndcg_cut_10)" \
            "$(metric "$e" map)" "$(metric "$e" recall_100)" "$(metric "$e" recall_1000)" \
            "$(metric "$e" recip_rank10)" >>"$table"
    done
done
# the cost of proximity: the same query file, timed in one process each
if [ -d "$W/cisi" ]; then
    t() { local s=$(date +%s%N); ./build/search --index "$W/cisi" --literal --queries "$CORPORA/cisi/queries.tsv" --format trec -n 10 "$@" >/dev/null || true; echo $(( ($(date +%s%N) - s) / 1000000 )); }
    t >/dev/null
    echo "CISI, 112 queries, top 10: default $(t) ms, bm25 $(t --rank bm25) ms, bm25+prox $(t --rank bm25+prox) ms, --expand $(t --expand) ms" >"$W/cost"
fi
echo
echo "Relevance, bag-of-words queries ($(date -u +%Y-%m-%d), $(uname -m)):"
cat "$table"
[ -f "$W/cost" ] && cat "$W/cost"
true
