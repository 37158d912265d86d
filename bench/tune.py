#!/usr/bin/env python3
"""bench/tune.py -- leave-one-collection-out choice of sift's ranking.

Runs every setting of a small grid (BM25 k1 and b, BM25F title weight, the
proximity bonus) over the test collections that bench/relevance.sh left in
RELEVANCE_WORK, scores each run's nDCG@10 with search-eval, then for each
collection picks the setting that does best on the *other* collections
(mean nDCG@10) and reports it on the held-out one beside flat BM25 and
Lucene: the figure a collection it was not tuned on would see.

Usage: RELEVANCE_WORK=DIR bash bench/relevance.sh
       python3 bench/tune.py DIR [BUILD_DIR]
"""
import concurrent.futures
import itertools
import os
import subprocess
import sys

work = sys.argv[1]
build = sys.argv[2] if len(sys.argv) > 2 else "build"
collections = [c for c in ("cranfield", "cisi", "scifact", "medline") if os.path.exists(f"{work}/{c}.files")]
if len(collections) < 2:
    print(f"tune.py: fewer than two collections in {work}: run RELEVANCE_WORK={work} bash bench/relevance.sh")
    sys.exit(0)

K1 = (0.6, 0.9, 1.2, 1.5)
B = (0.3, 0.4, 0.5, 0.6, 0.75)
TITLE = (0, 2, 3)            # 0: one flat field
RANK = ("bm25", "bm25+prox")
EXPAND = (False, True)       # RM3 feedback (--expand)
STOP = ("lucene", "snowball")  # the stopwords dropped from OR groups (--stopwords)
grid = list(itertools.product(K1, B, TITLE, RANK, EXPAND, STOP))
# the settings a default may take: flat BM25 and BM25F (title weights) cost
# 1.0 and 1.09 x flat BM25's TOP_10 instructions on the passages, the
# proximity bonus 1.39 x and with title weights 1.47 x (docs/QUERY.md)
FAMILIES = {
    "k1 and b only": lambda s: s[2] == 0 and s[3] == "bm25" and not s[4] and s[5] == "lucene",
    "k1, b, title weight (within 1.3 x flat)": lambda s: s[3] == "bm25" and not s[4] and s[5] == "lucene",
    "k1, b, title weight, stopword list (within 1.3 x flat; the default's family)":
        lambda s: s[3] == "bm25" and not s[4],
    "k1, b, title weight, stopword list, proximity": lambda s: not s[4],
    "all, with RM3 feedback": lambda s: True,
}


def ndcg(eval_text):
    for line in eval_text.splitlines():
        f = line.split()
        if len(f) >= 2 and f[0] == "ndcg_cut_10":
            return float(f[1])
    return float("nan")


def run(c, setting):
    k1, b, title, rank, expand, stop = setting
    queries, qrels = open(f"{work}/{c}.files").read().split()
    args = [f"{build}/search", "--index", f"{work}/{c}", "--literal", "--queries", queries,
            "--format", "trec", "-n", "10", "--k1", str(k1), "--b", str(b), "--rank", rank,
            "--stopwords", stop]
    if title:
        args += ["--field-weights", f"title={title},text=1"]
    if expand:
        args.append("--expand")
    out = subprocess.run(args, capture_output=True, text=True).stdout
    path = f"{work}/tune-{c}-{os.getpid()}-{k1}-{b}-{title}-{rank}-{expand}-{stop}.run"
    with open(path, "w") as f:
        f.write(out)
    ev = subprocess.run([f"{build}/search-eval", qrels, path], capture_output=True, text=True).stdout
    os.unlink(path)
    return c, setting, ndcg(ev)


scores = {}
with concurrent.futures.ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
    for c, s, v in pool.map(lambda cs: run(*cs), [(c, s) for c in collections for s in grid]):
        scores[c, s] = v


def lucene(c, run="lucene"):
    p = f"{work}/{c}.{run}.eval"
    return ndcg(open(p).read()) if os.path.exists(p) else float("nan")


def name(s):
    k1, b, title, rank, expand, stop = s
    return (f"k1 {k1}, b {b}, " + (f"title={title}" if title else "flat") + f", {rank}" +
            (", RM3" if expand else "") + f", {stop}")


flat = (0.9, 0.4, 0, "bm25", False, "lucene")          # --rank bm25
default = (1.2, 0.75, 3, "bm25", False, "snowball")     # sift's default ranking
print(f"{len(grid)} settings x {len(collections)} collections, nDCG@10")
for family, keep in FAMILIES.items():
    settings = [s for s in grid if keep(s)]
    print(f"\n{family} ({len(settings)} settings), leave one collection out:\n")
    print("| held out | setting chosen on the others | held-out nDCG@10 | flat BM25 | Lucene | chosen - Lucene | chosen - flat |")
    print("|---|---|---|---|---|---|---|")
    gains_l, gains_f = [], []
    for held in collections:
        others = [c for c in collections if c != held]
        best = max(settings, key=lambda s: (sum(scores[c, s] for c in others) / len(others), s == flat))
        v, f, l = scores[held, best], scores[held, flat], lucene(held)
        gains_l.append(v - l)
        gains_f.append(v - f)
        print(f"| {held} | {name(best)} | {v:.4f} | {f:.4f} | {l:.4f} | {v - l:+.4f} | {v - f:+.4f} |")
    gains_12 = [scores[held, max(settings, key=lambda s: (sum(scores[c, s] for c in collections if c != held), s == flat))]
                - lucene(held, "lucene12") for held in collections]
    print(f"\nmean gain over Lucene {sum(gains_l) / len(gains_l):+.4f} (over Lucene at its own defaults, k1 1.2 "
          f"b 0.75: {sum(gains_12) / len(gains_12):+.4f}), over flat BM25 {sum(gains_f) / len(gains_f):+.4f}")
    best_all = max(settings, key=lambda s: sum(scores[c, s] for c in collections))
    print(f"best on all {len(collections)} together (tuned, not a held-out figure): {name(best_all)}: " +
          ", ".join(f"{c} {scores[c, best_all]:.4f}" for c in collections))

print("\nThe default ranking (BM25F title=3, k1 1.2, b 0.75, Snowball's stopwords) on each collection "
      "(chosen on all of them: not a held-out figure):\n")
print("| collection | default | flat BM25 | Lucene | default - Lucene | default - flat |")
print("|---|---|---|---|---|---|")
for c in collections:
    v, f, l = scores[c, default], scores[c, flat], lucene(c)
    print(f"| {c} | {v:.4f} | {f:.4f} | {l:.4f} | {v - l:+.4f} | {v - f:+.4f} |")
