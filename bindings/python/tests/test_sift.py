"""Tests of the Python binding against the C library (run by ctest)."""
import ctypes
import json
import os
import subprocess
import tempfile
import threading
import unittest

import sift


def layout_mismatches(cls, c):
    """How ctypes structure cls differs from the C layout c (abi_layout's JSON)."""
    problems = []
    if ctypes.sizeof(cls) != c["size"]:
        problems.append(f"size {ctypes.sizeof(cls)}, C says {c['size']}")
    names = [f[0] for f in cls._fields_]
    for name, (off, size) in c["fields"].items():
        if name not in names:
            problems.append(f"no field {name}")
            continue
        f = getattr(cls, name)
        if (f.offset, f.size) != (off, size):
            problems.append(f"{name} at {f.offset} ({f.size} bytes), C: {off} ({size})")
    problems += [f"extra field {n}" for n in names if n not in c["fields"]]
    return problems


class AbiTest(unittest.TestCase):
    """Every ctypes structure matches sift.h byte for byte."""

    @classmethod
    def setUpClass(cls):
        tool = os.environ.get("SIFT_ABI_LAYOUT")
        if not tool:
            raise unittest.SkipTest("SIFT_ABI_LAYOUT (the abi_layout program) not set")
        cls.layout = json.loads(subprocess.run([tool], check=True, capture_output=True).stdout)

    def test_every_struct_matches_the_header(self):
        self.assertEqual(sorted(sift._STRUCTS), sorted(self.layout))
        for cname, cls in sift._STRUCTS.items():
            self.assertEqual(layout_mismatches(cls, self.layout[cname]), [], cname)

    def test_the_old_writer_options_would_fail(self):
        class OldWriterOptions(ctypes.Structure):   # before threads and struct_size
            _fields_ = [("language", ctypes.c_char_p), ("ram_mb", ctypes.c_uint),
                        ("rebuild", ctypes.c_int)]
        self.assertNotEqual(layout_mismatches(OldWriterOptions, self.layout["sift_writer_options"]), [])

    def test_a_struct_of_another_size_is_refused(self):
        opts = sift._WriterOptions()
        opts.struct_size = ctypes.sizeof(opts) - 8
        h, err = ctypes.c_void_p(), sift._ErrMsg()
        with tempfile.TemporaryDirectory() as d:
            rc = sift._writer_open(os.fsencode(d), ctypes.byref(opts), ctypes.byref(h), ctypes.byref(err))
        self.assertEqual(rc, 7)   # SIFT_ERR_INVALID
        self.assertIn(b"built against another sift.h", err.msg)


class BindingTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.dir = os.path.join(self.tmp.name, "idx")
        with sift.Writer(self.dir) as w:
            w.add("a", "Cloud outage", "A three-hour outage took the cloud provider offline.")
            w.add("b", "Azure deal", "ByteDance spends about $1B a year on Microsoft Azure.")
            w.add("c", "Chips", "Export restrictions on advanced chips hit cloud providers.")
            w.commit()

    def tearDown(self):
        self.tmp.cleanup()

    def test_search_and_snippets(self):
        with sift.Index(self.dir) as idx:
            hits = idx.search("ByteDance Azure")
            self.assertEqual([h.id for h in hits], ["b"])
            self.assertEqual(hits[0].title, "Azure deal")
            self.assertIn("[ByteDance]", hits[0].snippet)
            self.assertIn("[Azure]", hits[0].snippet)
            self.assertGreater(hits[0].score, 0)

    def test_rankings(self):
        with sift.Index(self.dir) as idx:
            # "cloud": a has it in its title, c in its text; the title weighs 3 by default
            default = {h.id: h.score for h in idx.search("cloud")}
            flat = {h.id: h.score for h in idx.search("cloud", rank="bm25")}
            self.assertEqual(sorted(default), ["a", "c"])
            self.assertEqual(sorted(flat), ["a", "c"])
            self.assertGreater(default["a"] / default["c"], flat["a"] / flat["c"])
            same = {h.id: h.score for h in idx.search("cloud", rank="bm25", k1=1.2, b=0.75,
                                                       field_weights=(3, 1))}
            self.assertEqual(same, default)   # the default is bm25 with those parameters
            with self.assertRaises(ValueError):
                idx.search("cloud", rank="tfidf")

    def test_phrase_near_and_count(self):
        with sift.Index(self.dir) as idx:
            self.assertEqual([h.id for h in idx.search('"export restrictions"')], ["c"])
            self.assertEqual([h.id for h in idx.search("NEAR/2(outage offline)")], [])
            self.assertEqual([h.id for h in idx.search("NEAR/8(outage offline)")], ["a"])
            self.assertEqual(idx.count("cloud"), 2)
            self.assertEqual(idx.count("cloud -chips"), 1)
            self.assertEqual(idx.count("cloud (outage", literal=True), 2)

    def test_suggest_and_word_prefixes(self):
        with sift.Index(self.dir) as idx:
            self.assertEqual(idx.suggest("bytedanse azure"), "bytedance azure")
            self.assertIsNone(idx.suggest("azur"))             # its stem is azure's: found
            self.assertEqual(idx.suggest('"expotr restrictions"'), '"export restrictions"')
            self.assertIsNone(idx.suggest("cloud outage"))     # every word is found
            self.assertIsNone(idx.suggest("zzzzqqq"))          # nothing close
            self.assertEqual(idx.count("provider*"), 2)        # "providers", whose term is provid
            self.assertEqual(idx.count("restriction*"), 1)

    def test_errors(self):
        with sift.Index(self.dir) as idx:
            with self.assertRaises(sift.Error) as cm:
                idx.search("cloud (outage", strict=True)
            self.assertIn("column 7", cm.exception.message)
            r = idx.search("cloud (outage")   # leniently: the bracket dropped, and said
            self.assertIn("query read as: cloud outage (column 7", r.warning)
            self.assertEqual(len(r), idx.count("cloud outage"))
            self.assertIsNone(idx.search("cloud outage").warning)
        with self.assertRaises(sift.Error):
            sift.Index(os.path.join(self.tmp.name, "nothing"))

    def test_several_indexes_as_one(self):
        other = os.path.join(self.tmp.name, "other")
        with sift.Writer(other) as w:
            w.add("d", "Cloud growth", "Cloud growth slowed after the outage.")
            w.add("a", "Cloud outage", "The outage report, updated.")   # a newer copy of a
            w.commit()
        with sift.Index([self.dir, other]) as idx:
            st = idx.stats()
            self.assertEqual(st["doc_count"], 4)
            self.assertEqual(st["shadowed_count"], 1)
            self.assertEqual(idx.count("outage"), 2)          # a once, d
            self.assertEqual(idx.count("three-hour"), 0)      # the older a is hidden
            self.assertEqual(sorted(h.id for h in idx.search("cloud")), ["a", "c", "d"])
        with self.assertRaises(sift.Error):
            sift.Index([self.dir, self.dir])

    def test_feedback(self):
        with sift.Index(self.dir) as idx:
            plain = [h.id for h in idx.search("outage")]
            fed = [h.id for h in idx.search("outage", expand=True)]
            self.assertEqual(plain, ["a"])
            self.assertEqual(fed[0], "a")                 # the original's best stays first
            self.assertIn("c", fed)                       # "cloud providers", through feedback

    def test_update_and_delete(self):
        with sift.Writer(self.dir) as w:
            w.add("a", "Cloud outage", "Replaced text about chips.")
            w.delete("b")
            with self.assertRaises(sift.Error):
                w.delete("zzz")
            w.commit()
        with sift.Index(self.dir) as idx:
            self.assertEqual(idx.count("azure"), 0)
            self.assertEqual(idx.count("chips"), 2)

    def test_threads_share_an_index(self):
        with sift.Index(self.dir) as idx:
            want = [h.id for h in idx.search("cloud", limit=5)]
            bad = []

            def work():
                for _ in range(50):
                    if [h.id for h in idx.search("cloud", limit=5)] != want:
                        bad.append(1)

            threads = [threading.Thread(target=work) for _ in range(4)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            self.assertEqual(bad, [])

    def test_fields_sort_and_facets(self):
        d = os.path.join(self.tmp.name, "f")
        with sift.Writer(d) as w:
            w.declare("price", "number")
            w.add("1", "Old", "cloud news", {"date": "2021-05-24", "source": "Reuters", "tags": ["a", "b"], "price": 3})
            w.add("2", "New", "cloud news", {"date": "2023-11-16", "source": "BBC", "price": "x"})
            w.add("3", "Mid", "cloud news", {"date": "2022-01", "source": "reuters"})
            w.commit()
            self.assertEqual(len(w.warnings), 1)   # price "x" is not a number
        with sift.Index(d) as idx:
            self.assertEqual(idx.fields()["date"], "date")
            self.assertEqual([h.id for h in idx.search("cloud", sort="-date")], ["2", "3", "1"])
            self.assertEqual([h.id for h in idx.search("cloud", sort="date")], ["1", "3", "2"])
            hits = idx.search("cloud source:reuters", facets=["source", "date:year"])
            self.assertEqual(sorted(h.id for h in hits), ["1", "3"])
            self.assertEqual(hits.facets["source"], [("Reuters", 2)])
            self.assertEqual(hits.facets["date:year"], [("2021", 1), ("2022", 1)])
            one = [h for h in hits if h.id == "1"][0]
            self.assertEqual(one.fields["tags"], ["a", "b"])
            self.assertEqual(one.fields["date"], "2021-05-24")
            self.assertEqual(idx.count("date:[2022 TO 2023]"), 2)
            only = idx.search("cloud", facets=["source"], hits=False)
            self.assertEqual(list(only), [])
            self.assertEqual(only.facets["source"], [("Reuters", 2), ("BBC", 1)])

    def test_version(self):
        self.assertRegex(sift.version(), r"^\d+\.\d+\.\d+$")


if __name__ == "__main__":
    unittest.main()
