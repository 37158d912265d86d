"""Tests of the Python binding against the C library (run by ctest)."""
import os
import tempfile
import threading
import unittest

import sift


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

    def test_phrase_near_and_count(self):
        with sift.Index(self.dir) as idx:
            self.assertEqual([h.id for h in idx.search('"export restrictions"')], ["c"])
            self.assertEqual([h.id for h in idx.search("NEAR/2(outage offline)")], [])
            self.assertEqual([h.id for h in idx.search("NEAR/8(outage offline)")], ["a"])
            self.assertEqual(idx.count("cloud"), 2)
            self.assertEqual(idx.count("cloud -chips"), 1)
            self.assertEqual(idx.count("cloud (outage", literal=True), 2)

    def test_errors(self):
        with sift.Index(self.dir) as idx:
            with self.assertRaises(sift.Error) as cm:
                idx.search("cloud (outage")
            self.assertIn("column 7", cm.exception.message)
        with self.assertRaises(sift.Error):
            sift.Index(os.path.join(self.tmp.name, "nothing"))

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

    def test_version(self):
        self.assertRegex(sift.version(), r"^\d+\.\d+\.\d+$")


if __name__ == "__main__":
    unittest.main()
