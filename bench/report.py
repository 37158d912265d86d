#!/usr/bin/env python3
"""Tables, JSON and chart of bench/compare.sh.

  report.py report RESULTS_DIR CORPUS...  -> prints the tables; writes
      RESULTS_DIR/report.md, report.json and latency.png (gnuplot)
  report.py coldstart SEARCH INDEX QUERIES.tsv -> JSON: wall time of whole
      `search` processes (open, one query, print 10 hits) on a warm cache
"""
import json
import os
import platform
import subprocess
import sys
import time

ENGINES = ["sift", "sift-keep", "lucene", "xapian", "fts5"]   # sift-keep: sift keeping optional stopwords
CLASSES = ["union", "intersection", "phrase", "negated", "intersection_union", "all"]
MODES = ["top10", "top100", "count"]
FIELD_MODES = ["top10", "sortdate", "range", "facet"]   # the "fields" corpus


def modes_of(corpus):
    return FIELD_MODES if corpus == "fields" else MODES


def pct(v, p):
    v = sorted(v)
    return v[min(len(v) - 1, int(len(v) * p))] if v else float("nan")


def load(path):
    rows = []
    if os.path.exists(path):
        for line in open(path):
            tag, us, n = line.rstrip("\n").split("\t")
            rows.append((tag, float(us), int(n)))
    return rows


def latency(rows):
    out = {}
    for c in CLASSES:
        v = [us for tag, us, n in rows if c == "all" or tag == c]
        if v:
            out[c] = {"n": len(v), "median_us": pct(v, 0.5), "p90_us": pct(v, 0.9), "p99_us": pct(v, 0.99)}
    return out


def agreement(base, other):
    """COUNT agreement of two engines: queries with equal counts, and within 1%."""
    pairs = [(a[2], b[2]) for a, b in zip(base, other)]
    if not pairs:
        return None
    eq = sum(1 for a, b in pairs if a == b)
    near = sum(1 for a, b in pairs if abs(a - b) <= 0.01 * max(a, b))
    return {"queries": len(pairs), "equal": eq, "within_1pct": near,
            "rejected": sum(1 for a, b in pairs if b < 0)}


def corpus_result(d, corpus):
    res = {"engines": {}}
    for e in ENGINES:
        f = f"{d}/{corpus}/{'sift' if e == 'sift-keep' else e}.index.json"
        if not os.path.exists(f) or not os.path.exists(f"{d}/{corpus}/{e}.top10.tsv"):
            continue
        r = {"index": json.load(open(f)), "latency": {}}
        ix = r["index"]
        ix["mb_per_s"] = ix["input_bytes"] / 1e6 / ix["seconds"] if ix["seconds"] else None
        f2 = f"{d}/{corpus}/{e}.index2.json"
        if os.path.exists(f2):
            t2 = json.load(open(f2))
            t2["mb_per_s"] = ix["input_bytes"] / 1e6 / t2["seconds"] if t2["seconds"] else None
            ix["two_threads"] = t2
        for m in modes_of(corpus):
            r["latency"][m] = latency(load(f"{d}/{corpus}/{e}.{m}.tsv"))
        res["engines"][e] = r
    # COUNT, or for the fields the facet sums: the same matches give the same numbers
    agree = "facet" if corpus == "fields" else "count"
    base = load(f"{d}/{corpus}/sift.{agree}.tsv")
    res["count_agreement"] = {e: agreement(base, load(f"{d}/{corpus}/{e}.{agree}.tsv"))
                              for e in res["engines"] if e != "sift"}
    keep = load(f"{d}/{corpus}/sift-keep.{agree}.tsv")
    if keep:   # sift doing the peers' work: agreement of that with them
        res["count_agreement_keep"] = {e: agreement(keep, load(f"{d}/{corpus}/{e}.{agree}.tsv"))
                                       for e in res["engines"] if not e.startswith("sift")}
    if corpus == "fields":   # what the fields add to each index: against the same passages without them
        res["fields_add"] = {}
        for e in res["engines"]:
            f = f"{d}/passages/{e}.index.json"
            if e == "sift-keep":
                continue
            if os.path.exists(f):
                p, q = json.load(open(f)), res["engines"][e]["index"]
                res["fields_add"][e] = {k: q[k] - p[k] for k in ("index_bytes", "index_bytes_no_store")
                                        if q.get(k) is not None and p.get(k) is not None}
    return res


def ratio(a, b):
    return f"{a / b:.2f}" if a and b else "-"


def tables(corpus, res):
    eng = res["engines"]
    peers = [e for e in eng if not e.startswith("sift")]
    s = eng.get("sift")
    lines = [f"### {corpus}", "",
             "| engine | index s | MB/s | peak MB | index MB | without stored text MB |"
             + "".join(f" sift/{p} |" for p in []) , "|---|---|---|---|---|---|"]
    for e, r in eng.items():
        if e == "sift-keep":
            continue   # the same index as sift's
        ix = r["index"]
        ns = ix["index_bytes_no_store"]
        lines.append(f"| {e} | {ix['seconds']:.1f} | {ix['mb_per_s']:.2f} | {ix['peak_kb'] / 1024:.0f} | "
                     f"{ix['index_bytes'] / 1e6:.1f} | {ns / 1e6 if ns else float('nan'):.1f} |")
    if s:
        lines += ["", "sift/peer: indexing speed (MB/s, higher is better) and index size without stored text "
                  "(lower is better): " + ", ".join(
                      f"{p} {ratio(s['index']['mb_per_s'], eng[p]['index']['mb_per_s'])}x speed, "
                      f"{ratio(s['index']['index_bytes_no_store'], eng[p]['index']['index_bytes_no_store'])}x size"
                      for p in peers)]
    two = {e: r["index"]["two_threads"] for e, r in eng.items() if "two_threads" in r["index"] and e != "sift-keep"}
    if two:
        lines += ["", "Indexing with two threads: " + ", ".join(
            f"{e} {t['seconds']:.1f} s, {t['mb_per_s']:.2f} MB/s, peak {t['peak_kb'] / 1024:.0f} MB"
            for e, t in two.items())
            + (f"; sift/lucene {ratio(two['sift']['mb_per_s'], two['lucene']['mb_per_s'])}x speed"
               if "sift" in two and "lucene" in two else "")]
    sifts = [e for e in ("sift", "sift-keep") if e in eng]
    for m in modes_of(corpus):
        lines += ["", f"{m.upper()} latency, microseconds (median / p90 / p99), and sift/peer median ratio "
                  "(lower is better):", "",
                  "| class | " + " | ".join(eng) + " | " + " | ".join(f"{a}/{p}" for a in sifts for p in peers) + " |",
                  "|---|" + "---|" * (len(eng) + len(sifts) * len(peers))]
        for c in CLASSES:
            cells, meds = [], {}
            for e, r in eng.items():
                l = r["latency"][m].get(c)
                meds[e] = l["median_us"] if l else None
                cells.append(f"{l['median_us']:.0f} / {l['p90_us']:.0f} / {l['p99_us']:.0f}" if l else "-")
            rs = [ratio(meds.get(a), meds.get(p)) for a in sifts for p in peers]
            if any(meds.values()):
                lines.append(f"| {c} | " + " | ".join(cells) + " | " + " | ".join(rs) + " |")
    ag = res["count_agreement"]
    what = "Facet sum" if corpus == "fields" else "COUNT"
    if ag:
        lines += ["", f"{what} agreement with sift (equal / within 1% / queries): " + ", ".join(
            f"{p} {a['equal']}/{a['within_1pct']}/{a['queries']}" for p, a in ag.items() if a)]
    agk = res.get("count_agreement_keep")
    if agk:
        lines += [f"{what} agreement with sift keeping stopwords (sift-keep): " + ", ".join(
            f"{p} {a['equal']}/{a['within_1pct']}/{a['queries']}" for p, a in agk.items() if a)]
    fa = res.get("fields_add")
    if fa:
        lines += ["", "What the date and source fields add to the index of the same passages, MB "
                  "(total / without stored text): " + ", ".join(
                      f"{e} {v.get('index_bytes', 0) / 1e6:.1f} / {v.get('index_bytes_no_store', 0) / 1e6:.1f}"
                      for e, v in fa.items())]
    return lines


def chart(d, corpora, report):
    """One panel per corpus: median TOP_10 latency per query class and engine
    (log scale), engines that ran only."""
    panels = []
    for corpus in corpora:
        eng = report["corpora"][corpus]["engines"]
        present = [e for e in ENGINES if e in eng]
        if not present:
            continue
        dat = f"{d}/latency-{corpus}.dat"
        with open(dat, "w") as f:
            for c in CLASSES:
                vals = []
                for e in present:
                    l = eng[e]["latency"]["top10"].get(c)
                    vals.append(f"{l['median_us']:.1f}" if l else "NaN")
                f.write(c.replace("_", "-") + " " + " ".join(vals) + "\n")
        plots = [f'"{dat}" using {i + 2}:xtic(1) title "{e}"' if i == 0 else f'"" using {i + 2} title "{e}"'
                 for i, e in enumerate(present)]
        panels.append((corpus, "plot " + ", ".join(plots)))
    if not panels:
        return
    m = report["machine"]
    gp = [f'set terminal pngcairo size {max(640, 460 * len(panels) + 80)},520 font ",10"',
          f'set output "{d}/latency.png"',
          f'set multiplot layout 1,{len(panels)} title "median TOP-10 latency, microseconds (log scale)\\n'
          f'{m["cpu"]}, {m["cores"]} cores, {m["date"]}"',
          "set style data histograms", "set style histogram clustered gap 1",
          "set style fill solid 0.85 border -1", "set logscale y", "set yrange [1:*]",
          "set xtics rotate by -35 scale 0", "set key top left", "set grid ytics", "set datafile missing 'NaN'"]
    for corpus, plot in panels:
        gp += [f'set title "{corpus}"', plot]
    gp.append("unset multiplot")
    try:
        subprocess.run(["gnuplot"], input="\n".join(gp), text=True, check=True)
    except (OSError, subprocess.CalledProcessError) as e:
        print(f"report.py: no chart ({e})", file=sys.stderr)


def machine():
    cpu = "unknown"
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2 ** 30
    return {"host": platform.node(), "cpu": cpu, "cores": os.cpu_count(), "memory_gib": round(mem, 1),
            "kernel": platform.release(), "date": time.strftime("%Y-%m-%d")}


def report(d, corpora):
    rep = {"machine": machine(), "corpora": {c: corpus_result(d, c) for c in corpora}}
    cs = f"{d}/coldstart.json"
    if os.path.exists(cs):
        rep["coldstart"] = json.load(open(cs))
    m = rep["machine"]
    lines = [f"Machine: {m['cpu']}, {m['cores']} cores, {m['memory_gib']} GiB, Linux {m['kernel']}, {m['date']}."]
    for c in corpora:
        lines += [""] + tables(c, rep["corpora"][c])
    if "coldstart" in rep:
        c = rep["coldstart"]
        lines += ["", f"Cold start (a whole `search -n 10` process, warm page cache, {c['runs']} runs on "
                  f"{c['index']}): median {c['median_ms']:.2f} ms, p90 {c['p90_ms']:.2f} ms."]
    text = "\n".join(lines) + "\n"
    print(text)
    open(f"{d}/report.md", "w").write(text)
    json.dump(rep, open(f"{d}/report.json", "w"), indent=1)
    chart(d, corpora, rep)


def coldstart(search, index, queries):
    qs = [l.split("\t", 1)[1].rstrip("\n") for l in open(queries)][:50]
    devnull = os.open(os.devnull, os.O_WRONLY)
    times = []
    for rep in range(3):
        for q in qs:
            t = time.perf_counter()
            pid = os.posix_spawn(search, [search, "--index", index, "-n", "10", "--", q], os.environ,
                                 file_actions=[(os.POSIX_SPAWN_DUP2, devnull, 1)])
            os.waitpid(pid, 0)
            if rep:  # the first round warms the cache
                times.append((time.perf_counter() - t) * 1e3)
    print(json.dumps({"index": os.path.basename(os.path.dirname(index)), "runs": len(times),
                      "median_ms": pct(times, 0.5), "p90_ms": pct(times, 0.9)}))


if __name__ == "__main__":
    if len(sys.argv) >= 3 and sys.argv[1] == "report":
        report(sys.argv[2], sys.argv[3:])
    elif len(sys.argv) == 5 and sys.argv[1] == "coldstart":
        coldstart(*sys.argv[2:])
    else:
        sys.exit(__doc__)
