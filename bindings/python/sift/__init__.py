"""Python binding for libsift over ctypes.

    import sift
    with sift.Writer("/tmp/idx") as w:
        w.add("a", "Cloud outage", "A three-hour outage took the provider offline.")
        w.commit()
    with sift.Index("/tmp/idx") as idx:
        for hit in idx.search('"cloud outage" OR NEAR/3(provider offline)', limit=5):
            print(hit.rank, hit.score, hit.id, hit.title, hit.snippet)

The library is found through $SIFT_LIBRARY, else ctypes.util.find_library("sift").
Errors raise sift.Error with the library's code and message.
"""
import ctypes
import ctypes.util
import os
from dataclasses import dataclass

__all__ = ["Index", "Writer", "Hit", "Error", "version"]


def _load():
    path = os.environ.get("SIFT_LIBRARY") or ctypes.util.find_library("sift")
    if not path:
        raise OSError("libsift not found: install sift or set SIFT_LIBRARY to libsift.so")
    return ctypes.CDLL(path)


_lib = _load()


class _ErrMsg(ctypes.Structure):
    _fields_ = [("msg", ctypes.c_char * 512)]


class _Sized(ctypes.Structure):
    """A struct that crosses the API by pointer: its first field is its size
    (sift.h), which the library checks, so a binding that drifts from the
    header gets SIFT_ERR_INVALID instead of a read past the struct."""

    def __init__(self, *args, **kw):
        super().__init__(ctypes.sizeof(type(self)), *args, **kw)


class _WriterOptions(_Sized):
    _fields_ = [("struct_size", ctypes.c_uint32), ("language", ctypes.c_char_p),
                ("ram_mb", ctypes.c_uint), ("rebuild", ctypes.c_int), ("threads", ctypes.c_uint)]


class _DocInfo(_Sized):
    _fields_ = [("struct_size", ctypes.c_uint32), ("source", ctypes.c_char_p),
                ("path", ctypes.c_char_p), ("size", ctypes.c_uint64), ("mtime_ns", ctypes.c_int64),
                ("hash", ctypes.c_uint64)]


class _IndexStats(_Sized):
    _fields_ = [("struct_size", ctypes.c_uint32), ("doc_count", ctypes.c_uint64),
                ("deleted_count", ctypes.c_uint64), ("shadowed_count", ctypes.c_uint64),
                ("term_count", ctypes.c_uint64),
                ("token_count", ctypes.c_uint64), ("posting_count", ctypes.c_uint64),
                ("bytes", ctypes.c_uint64), ("postings_bytes", ctypes.c_uint64),
                ("positions_bytes", ctypes.c_uint64), ("store_bytes", ctypes.c_uint64),
                ("segment_count", ctypes.c_uint32), ("language", ctypes.c_char * 32)]


class _SearchOptions(_Sized):
    _fields_ = [("struct_size", ctypes.c_uint32), ("limit", ctypes.c_uint32),
                ("offset", ctypes.c_uint32), ("k1", ctypes.c_double), ("b", ctypes.c_double),
                ("rank", ctypes.c_uint), ("title_weight", ctypes.c_double),
                ("text_weight", ctypes.c_double), ("exact_total", ctypes.c_uint),
                ("sort", ctypes.c_char_p), ("facets", ctypes.POINTER(ctypes.c_char_p)),
                ("nfacets", ctypes.c_uint32), ("facet_limit", ctypes.c_uint32),
                ("no_hits", ctypes.c_uint)]


class _Hit(_Sized):
    _fields_ = [("struct_size", ctypes.c_uint32), ("score", ctypes.c_double),
                ("id", ctypes.c_char_p), ("title", ctypes.c_char_p), ("path", ctypes.c_char_p),
                ("docno", ctypes.c_uint64), ("nfields", ctypes.c_size_t)]


class _FacetValue(_Sized):
    _fields_ = [("struct_size", ctypes.c_uint32), ("facet", ctypes.c_char_p),
                ("value", ctypes.c_char_p), ("count", ctypes.c_uint64)]


class _SnippetOptions(_Sized):
    _fields_ = [("struct_size", ctypes.c_uint32), ("max_tokens", ctypes.c_size_t),
                ("open", ctypes.c_char_p), ("close", ctypes.c_char_p)]


# Each ctypes structure and the C struct it mirrors (tests compare layouts).
_STRUCTS = {"sift_errmsg": _ErrMsg, "sift_writer_options": _WriterOptions,
            "sift_doc_info": _DocInfo, "sift_index_stats": _IndexStats,
            "sift_search_options": _SearchOptions, "sift_hit": _Hit, "sift_facet_value": _FacetValue,
            "sift_snippet_options": _SnippetOptions}


_p = ctypes.c_void_p
_pp = ctypes.POINTER(ctypes.c_void_p)
_E = ctypes.POINTER(_ErrMsg)


def _sig(name, restype, *args):
    f = getattr(_lib, name)
    f.restype = restype
    f.argtypes = list(args)
    return f


_version = _sig("sift_version", ctypes.c_char_p)
_strerror = _sig("sift_strerror", ctypes.c_char_p, ctypes.c_int)
_index_open = _sig("sift_index_open", ctypes.c_int, ctypes.c_char_p, _pp, _E)
_index_open_many = _sig("sift_index_open_many", ctypes.c_int, ctypes.POINTER(ctypes.c_char_p),
                        ctypes.c_size_t, _pp, _E)
_index_close = _sig("sift_index_close", None, _p)
_query_parse = _sig("sift_query_parse_flags", ctypes.c_int, _p, ctypes.c_char_p, ctypes.c_uint, _pp, _E)
_query_free = _sig("sift_query_free", None, _p)
_query_warning = _sig("sift_query_warning", ctypes.c_char_p, _p)
_search = _sig("sift_search", ctypes.c_int, _p, _p, ctypes.POINTER(_SearchOptions), _pp, _E)
_count = _sig("sift_count", ctypes.c_int, _p, _p, ctypes.POINTER(ctypes.c_uint64), _E)
_query_expand = _sig("sift_query_expand", ctypes.c_int, _p, _p, ctypes.POINTER(_SearchOptions), _pp, _E)
_results_size = _sig("sift_results_size", ctypes.c_size_t, _p)
_results_total = _sig("sift_results_total", ctypes.c_uint64, _p)
_results_hit = _sig("sift_results_hit", ctypes.c_int, _p, ctypes.c_size_t, ctypes.POINTER(_Hit), _E)
_results_snippet = _sig("sift_results_snippet", ctypes.c_int, _p, ctypes.c_size_t,
                        ctypes.POINTER(_SnippetOptions), ctypes.POINTER(ctypes.c_void_p), _E)
_results_free = _sig("sift_results_free", None, _p)
_results_field = _sig("sift_results_field", ctypes.c_int, _p, ctypes.c_size_t, ctypes.c_size_t,
                      ctypes.POINTER(ctypes.c_char_p), ctypes.POINTER(ctypes.c_char_p), _E)
_facet_count = _sig("sift_results_facet_count", ctypes.c_size_t, _p)
_facet = _sig("sift_results_facet", ctypes.c_int, _p, ctypes.c_size_t, ctypes.POINTER(_FacetValue), _E)
_index_field_count = _sig("sift_index_field_count", ctypes.c_size_t, _p)
_index_field = _sig("sift_index_field", ctypes.c_int, _p, ctypes.c_size_t, ctypes.POINTER(ctypes.c_char_p),
                    ctypes.POINTER(ctypes.c_int), _E)
_writer_declare = _sig("sift_writer_declare_field", ctypes.c_int, _p, ctypes.c_char_p, ctypes.c_int, _E)
_writer_field = _sig("sift_writer_field", ctypes.c_int, _p, ctypes.c_char_p, ctypes.c_char_p, _E)
_free = _sig("sift_free", None, _p)
_writer_open = _sig("sift_writer_open", ctypes.c_int, ctypes.c_char_p, ctypes.POINTER(_WriterOptions), _pp, _E)
_writer_add = _sig("sift_writer_add", ctypes.c_int, _p, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_char_p,
                   ctypes.c_size_t, _E)
_writer_delete = _sig("sift_writer_delete", ctypes.c_int, _p, ctypes.c_char_p, _E)
_writer_commit = _sig("sift_writer_commit", ctypes.c_int, _p, _E)
_writer_close = _sig("sift_writer_close", None, _p)
_stats_get = _sig("sift_index_stats_get", ctypes.c_int, _p, ctypes.POINTER(_IndexStats), _E)
_suggest = _sig("sift_suggest", ctypes.c_int, _p, ctypes.c_char_p, ctypes.c_uint, ctypes.POINTER(ctypes.c_void_p), _E)

QUERY_ALL = 1
QUERY_LITERAL = 2
QUERY_STRICT = 8
QUERY_LUCENE_STOPWORDS = 16
# the rankings of search(rank=...): k1, b, (title, text) weights, proximity, Lucene's stopwords
RANKINGS = {"default": (1.2, 0.75, (3.0, 1.0), False, False),
            "bm25": (0.9, 0.4, (0.0, 0.0), False, True),
            "bm25+prox": (0.9, 0.4, (0.0, 0.0), True, True)}


class Error(Exception):
    """A libsift error: .code is the sift_err value, .message the library's message."""

    def __init__(self, code, message):
        self.code = code
        self.message = message
        super().__init__(f"{_strerror(code).decode()}: {message}")


def _check(rc, err):
    if rc:
        raise Error(rc, err.msg.decode("utf-8", "replace"))


def version():
    return _version().decode()


@dataclass
class Hit:
    rank: int
    score: float
    id: str
    title: str
    path: str
    snippet: str
    fields: dict   # name -> value, or a list of values for a keyword field


class Results(list):
    """The hits of a search; .facets maps each facet asked for to its
    [(value, count), ...], most frequent first; .warning is what reading the
    query changed ("query read as: ..."), or None."""

    def __init__(self, hits, facets, warning=None):
        super().__init__(hits)
        self.facets = facets
        self.warning = warning


FIELD_TYPES = {1: "text", 2: "keyword", 3: "date", 4: "number"}


def _s(b):
    return b.decode("utf-8", "replace") if b else ""


class _Handle:
    """A library handle released by close(), by `with`, or when collected."""

    _release = None

    def close(self):
        if getattr(self, "_h", None):
            type(self)._release(self._h)
            self._h = ctypes.c_void_p()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __del__(self):
        self.close()


class Index(_Handle):
    """An open, read-only index; safe to share between threads."""

    _release = staticmethod(_index_close)

    def __init__(self, path):
        """path: an index directory, or a list of them searched as one
        (sift_index_open_many: the last that holds an id wins)."""
        self._h = ctypes.c_void_p()
        err = _ErrMsg()
        if isinstance(path, (list, tuple)):
            dirs = (ctypes.c_char_p * max(len(path), 1))(*[os.fsencode(p) for p in path])
            _check(_index_open_many(dirs, len(path), ctypes.byref(self._h), ctypes.byref(err)), err)
        else:
            _check(_index_open(os.fsencode(path), ctypes.byref(self._h), ctypes.byref(err)), err)

    def _parse(self, query, all_words, literal, strict=False, lucene_stopwords=False):
        q = ctypes.c_void_p()
        err = _ErrMsg()
        flags = ((QUERY_ALL if all_words else 0) | (QUERY_LITERAL if literal else 0)
                 | (QUERY_STRICT if strict else 0) | (QUERY_LUCENE_STOPWORDS if lucene_stopwords else 0))
        _check(_query_parse(self._h, query.encode(), flags, ctypes.byref(q), ctypes.byref(err)), err)
        return q

    def stats(self):
        """The index's statistics as a dict (documents, terms, segments, bytes...)."""
        st = _IndexStats()
        err = _ErrMsg()
        _check(_stats_get(self._h, ctypes.byref(st), ctypes.byref(err)), err)
        return {name: (_s(getattr(st, name)) if name == "language" else getattr(st, name))
                for name, _ in _IndexStats._fields_ if name != "struct_size"}

    def count(self, query, all_words=False, literal=False, strict=False):
        q = self._parse(query, all_words, literal, strict)
        try:
            n = ctypes.c_uint64()
            err = _ErrMsg()
            _check(_count(self._h, q, ctypes.byref(n), ctypes.byref(err)), err)
            return n.value
        finally:
            _query_free(q)

    def suggest(self, query, all_words=False, literal=False):
        """"Did you mean": the query with its misspelled words replaced by close
        words of the index (a query that finds documents), or None."""
        out = ctypes.c_void_p()
        err = _ErrMsg()
        flags = (QUERY_ALL if all_words else 0) | (QUERY_LITERAL if literal else 0)
        _check(_suggest(self._h, query.encode(), flags, ctypes.byref(out), ctypes.byref(err)), err)
        if not out.value:
            return None
        try:
            return _s(ctypes.cast(out, ctypes.c_char_p).value)
        finally:
            _free(out)

    def fields(self):
        """The index's typed fields: {name: "date" | "keyword" | "number" | "text"}."""
        out = {}
        for i in range(_index_field_count(self._h)):
            name, kind, err = ctypes.c_char_p(), ctypes.c_int(), _ErrMsg()
            _check(_index_field(self._h, i, ctypes.byref(name), ctypes.byref(kind), ctypes.byref(err)), err)
            out[_s(name.value)] = FIELD_TYPES.get(kind.value, "unknown")
        return out

    def search(self, query, limit=10, offset=0, k1=None, b=None, proximity=False,
               all_words=False, literal=False, highlight=("[", "]"), snippet_words=32,
               sort=None, facets=(), facet_limit=10, hits=True, strict=False, expand=False,
               rank="default", field_weights=None):
        """Hits best first (or by sort="-date"), each with a snippet whose matches are
        wrapped in highlight and its fields; facets=["source", "date:year"] counts values
        among every match into the result's .facets (hits=False: the facets alone).
        A malformed query is read leniently (said in .warning) unless strict=True,
        which raises Error instead. expand=True adds pseudo-relevance feedback
        (RM3: sift_query_expand). rank is "default" (BM25F, title 3 and text 1, k1 1.2,
        b 0.75), "bm25" (Lucene's: one field, k1 0.9, b 0.4, its stopwords) or "bm25+prox";
        k1, b and field_weights=(title, text) override the ranking's; proximity=True
        adds the bonus to any."""
        if rank not in RANKINGS:
            raise ValueError(f"rank must be one of {', '.join(RANKINGS)}, not {rank!r}")
        rk1, rb, rweights, rprox, lucene = RANKINGS[rank]
        tw, xw = field_weights if field_weights is not None else rweights
        q = self._parse(query, all_words, literal, strict, lucene)
        r = ctypes.c_void_p()
        try:
            opts = _SearchOptions(limit, offset, rk1 if k1 is None else k1, rb if b is None else b,
                                  1 if proximity or rprox else 0, float(tw), float(xw))
            if sort:
                opts.sort = sort.encode()
            opts.no_hits = 0 if hits else 1
            names = (ctypes.c_char_p * max(1, len(facets)))(*[f.encode() for f in facets])
            if facets:
                opts.facets = ctypes.cast(names, ctypes.POINTER(ctypes.c_char_p))
                opts.nfacets = len(facets)
                opts.facet_limit = facet_limit
            err = _ErrMsg()
            if expand:
                e = ctypes.c_void_p()
                _check(_query_expand(self._h, q, ctypes.byref(opts), ctypes.byref(e), ctypes.byref(err)), err)
                _query_free(q)
                q = e
            _check(_search(self._h, q, ctypes.byref(opts), ctypes.byref(r), ctypes.byref(err)), err)
            hits = []
            so = _SnippetOptions(snippet_words, highlight[0].encode(), highlight[1].encode())
            for i in range(_results_size(r)):
                h = _Hit()
                _check(_results_hit(r, i, ctypes.byref(h), ctypes.byref(err)), err)
                sp = ctypes.c_void_p()
                _check(_results_snippet(r, i, ctypes.byref(so), ctypes.byref(sp), ctypes.byref(err)), err)
                snippet = _s(ctypes.cast(sp, ctypes.c_char_p).value)
                _free(sp)
                hits.append(Hit(offset + i + 1, h.score, _s(h.id), _s(h.title), _s(h.path), snippet,
                                self._hit_fields(r, i, h.nfields)))
            found = {f: [] for f in facets}
            for j in range(_facet_count(r)):
                fv = _FacetValue()
                _check(_facet(r, j, ctypes.byref(fv), ctypes.byref(err)), err)
                found.setdefault(_s(fv.facet), []).append((_s(fv.value), fv.count))
            warning = _query_warning(q)
            return Results(hits, found, _s(warning) if warning else None)
        finally:
            if r:
                _results_free(r)
            _query_free(q)


def _hit_fields_of(r, i, n):
    out, err = {}, _ErrMsg()
    for k in range(n):
        name, value = ctypes.c_char_p(), ctypes.c_char_p()
        _check(_results_field(r, i, k, ctypes.byref(name), ctypes.byref(value), ctypes.byref(err)), err)
        key, v = _s(name.value), _s(value.value)
        if key in out:
            out[key] = (out[key] if isinstance(out[key], list) else [out[key]]) + [v]
        else:
            out[key] = v
    return out


Index._hit_fields = staticmethod(_hit_fields_of)


class Writer(_Handle):
    """Adds, replaces and deletes documents; changes are published by commit()."""

    _release = staticmethod(_writer_close)

    def __init__(self, path, language=None, ram_mb=0, rebuild=False, threads=1):
        self._h = ctypes.c_void_p()
        err = _ErrMsg()
        opts = _WriterOptions(language.encode() if language else None, ram_mb, 1 if rebuild else 0,
                              threads)
        self.warnings = []
        _check(_writer_open(os.fsencode(path), ctypes.byref(opts), ctypes.byref(self._h), ctypes.byref(err)), err)

    def declare(self, name, kind):
        """Declare field name as "date", "keyword", "number" or "text"."""
        types = {v: k for k, v in FIELD_TYPES.items()}
        err = _ErrMsg()
        _check(_writer_declare(self._h, name.encode(), types[kind], ctypes.byref(err)), err)

    def add(self, id, title, text, fields=None):
        """Add a document, or replace the one with the same id. fields maps names to a
        value or a list of values; a value that does not parse as its field's type is
        dropped (the rest of the document is added) and reported in .warnings."""
        err = _ErrMsg()
        for name, values in (fields or {}).items():
            for v in values if isinstance(values, (list, tuple)) else [values]:
                rc = _writer_field(self._h, name.encode(), str(v).encode(), ctypes.byref(err))
                if rc == 8:   # SIFT_ERR_INPUT: that value only
                    self.warnings.append(err.msg.decode("utf-8", "replace"))
                else:
                    _check(rc, err)
        data = text.encode()
        _check(_writer_add(self._h, id.encode(), title.encode() if title else None, data, len(data),
                           ctypes.byref(err)), err)

    def delete(self, id):
        err = _ErrMsg()
        _check(_writer_delete(self._h, id.encode(), ctypes.byref(err)), err)

    def commit(self):
        err = _ErrMsg()
        _check(_writer_commit(self._h, ctypes.byref(err)), err)
