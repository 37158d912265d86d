#!/usr/bin/env python3
"""Data preparation for bench/compare.sh.

  prepare.py queries SRC.jsonl OUTDIR   -> OUTDIR/queries.tsv (Lucene syntax:
      sift, Lucene and Xapian read it as is) and OUTDIR/queries.fts5.tsv
  prepare.py passages SRC.jsonl[.gz] OUT.jsonl [WORDS]
      -> every article cut into passages of about WORDS (100) words, ids id#n
  prepare.py plain SRC.jsonl.gz OUT.jsonl -> the same objects, uncompressed
  prepare.py fields PASSAGES.jsonl OUT.jsonl RANGE -> each passage with a
      "date" and a "source" of its article (fields_of), and in RANGE "LO HI":
      the days of a date range that holds 10% of the passages
  prepare.py typos QUERIES.tsv OUT.tsv -> the distinct words of the benchmark
      queries, each with two letters swapped where crc32 says (a typing error),
      as "fuzzy1<TAB>word~1" and "fuzzy2<TAB>word~2" lines, and the misspelt
      word alone as "typo<TAB>word" (for sift_bench's suggest mode)
  prepare.py prefixes QUERIES.tsv OUT.tsv -> for the distinct words of five
      letters or more, "prefix<TAB>p*" (p: the first 3 or more letters, where
      crc32 says) and "wordprefix<TAB>word*"
"""
import datetime
import gzip
import json
import sys
import zlib


def opener(path):
    return gzip.open(path, "rt", encoding="utf-8") if path.endswith(".gz") else open(path, encoding="utf-8")


def fts5(query):
    """The FTS5 query with the same matching set: words quoted (so no word
    is read as an operator), +a +b -> a AND b, a b -> a OR b, -c -> NOT c.
    FTS5 has no optional clause beside a required one, so +a b matches
    (and ranks) as a alone."""
    q = query.strip()
    if q.startswith('"'):
        return '"' + q.strip('"').replace('"', '""') + '"'
    must, should, mustnot = [], [], []
    for w in q.split():
        quoted = '"' + w.lstrip("+-").replace('"', '""') + '"'
        (must if w[0] == "+" else mustnot if w[0] == "-" else should).append(quoted)
    expr = " AND ".join(must) if must else " OR ".join(should)
    for n in mustnot:
        expr += " NOT " + n
    return expr


def queries(src, outdir):
    with open(outdir + "/queries.tsv", "w") as a, open(outdir + "/queries.fts5.tsv", "w") as b:
        for line in open(src, encoding="utf-8"):
            d = json.loads(line)
            tag = d["tags"][0]
            a.write(f"{tag}\t{d['query']}\n")
            b.write(f"{tag}\t{fts5(d['query'])}\n")


def passages(src, out, words=100):
    n = 0
    with opener(src) as f, open(out, "w", encoding="utf-8") as o:
        for line in f:
            d = json.loads(line)
            w = d.get("text", "").split()
            # the last passage takes a short remainder rather than standing alone
            cuts = list(range(0, max(len(w) - words // 2, 1), words))
            for i, start in enumerate(cuts):
                end = cuts[i + 1] if i + 1 < len(cuts) else len(w)
                o.write(json.dumps({"id": f"{d['id']}#{i}", "title": d.get("title", ""),
                                    "text": " ".join(w[start:end])}, ensure_ascii=False) + "\n")
                n += 1
    print(f"prepare.py: {n} passages", file=sys.stderr)


SOURCES = [f"source-{i + 1:02d}" for i in range(24)]
# Zipf weights: source-01 has 24 times the articles of source-24, as a few
# outlets dominate a real news archive
CUMULATIVE = [sum(1 / (j + 1) for j in range(i + 1)) / sum(1 / (j + 1) for j in range(24)) for i in range(24)]


def fields_of(article):
    """The article's date and source, a function of its id alone (CRC-32, so
    any language can recompute it): a day of 2000-01-01 .. 2024-12-31, and
    one of 24 sources drawn with Zipf weights. Every passage of an article
    gets the same two."""
    h = zlib.crc32(article.encode("utf-8"))
    day = datetime.date(2000, 1, 1) + datetime.timedelta(days=h % 9132)
    u = zlib.crc32(b"source:" + article.encode("utf-8")) / 2 ** 32
    src = next(i for i, c in enumerate(CUMULATIVE) if u < c or i == 23)
    return day.isoformat(), SOURCES[src]


def fields(src, out, range_out):
    days = []
    with opener(src) as f, open(out, "w", encoding="utf-8") as o:
        for line in f:
            d = json.loads(line)
            date, source = fields_of(d["id"].rsplit("#", 1)[0])
            days.append(date)
            o.write(json.dumps({"id": d["id"], "date": date, "source": source, "title": d.get("title", ""),
                                "text": d.get("text", "")}, ensure_ascii=False) + "\n")
    days.sort()
    lo, hi = days[int(len(days) * 0.45)], days[int(len(days) * 0.55)]
    inside = sum(1 for x in days if lo <= x <= hi)
    open(range_out, "w").write(f"{lo} {hi}\n")
    print(f"prepare.py: {len(days)} passages with fields; {lo} .. {hi} holds {inside} "
          f"({100 * inside / len(days):.1f}%)", file=sys.stderr)


def plain(src, out):
    with opener(src) as f, open(out, "w", encoding="utf-8") as o:
        for line in f:
            o.write(line)


def prefixes(src, out):
    seen = []
    with open(src, encoding="utf-8") as f:
        for line in f:
            for w in line.rstrip("\n").split("\t", 1)[1].replace('"', " ").split():
                w = w.lstrip("+-").lower()
                if w.isalpha() and len(w) >= 5 and w not in seen:
                    seen.append(w)
    with open(out, "w", encoding="utf-8") as o:
        for w in seen:
            n = 3 + zlib.crc32(w.encode()) % (len(w) - 3)
            o.write("prefix\t%s*\nwordprefix\t%s*\n" % (w[:n], w))


def typos(src, out):
    seen = []
    with open(src, encoding="utf-8") as f:
        for line in f:
            for w in line.rstrip("\n").split("\t", 1)[1].replace('"', " ").split():
                w = w.lstrip("+-")
                if w.isalpha() and len(w) > 2 and w not in seen:
                    seen.append(w)
    with open(out, "w", encoding="utf-8") as o:
        for w in seen:
            i = zlib.crc32(w.encode()) % (len(w) - 1)
            t = w[:i] + w[i + 1] + w[i] + w[i + 2:]
            o.write("fuzzy1\t%s~1\nfuzzy2\t%s~2\ntypo\t%s\n" % (t, t, t))


if __name__ == "__main__":
    cmd, args = sys.argv[1], sys.argv[2:]
    if cmd == "queries":
        queries(*args)
    elif cmd == "passages":
        passages(args[0], args[1], *(int(a) for a in args[2:]))
    elif cmd == "plain":
        plain(*args)
    elif cmd == "fields":
        fields(*args)
    elif cmd == "typos":
        typos(*args)
    elif cmd == "prefixes":
        prefixes(*args)
    else:
        sys.exit(__doc__)
