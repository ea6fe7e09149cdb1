"""Planning for fastnn.text: documents checked, preprocessed, encoded once, and tokenized.

The public modules call :func:`documents` (what a user passed → a list of
``str``) and :func:`tokens` (documents → a :class:`Tokens`: every token as an
integer id, and a Python string for each distinct term only). The default
token pattern runs in the kernel over one UTF-8 buffer; any other runs
through Python's :mod:`re` (correct, and the slow path).
"""

from __future__ import annotations

import ctypes
import functools
import itertools
import re
import sys
import unicodedata
from concurrent.futures import ThreadPoolExecutor
from typing import NamedTuple

import numpy as np

from fastnn._jit import get_num_threads
from fastnn.text import _kernels

DEFAULT_TOKEN_PATTERN = r"(?u)\b\w\w+\b"

# Patterns whose matches are exactly the maximal runs of word characters of at
# least so many code points: the kernel finds those without `re`.
_RUN_PATTERNS = {
    r"(?u)\b\w\w+\b": 2,
    r"\b\w\w+\b": 2,
    r"(?u)\w\w+": 2,
    r"\w\w+": 2,
    r"(?u)\b\w+\b": 1,
    r"\b\w+\b": 1,
    r"(?u)\w+": 1,
    r"\w+": 1,
}

# Below this many bytes a corpus is tokenized by one thread: a second one costs
# more to start and merge than it saves. Tests lower it to check 1 == 2 threads.
PARALLEL_MIN_BYTES = 1 << 20

_INT32_MAX = np.iinfo(np.int32).max


class Tokens(NamedTuple):
    """A tokenized corpus: document ``d`` is ``ids[starts[d]:starts[d + 1]]``, ids into ``terms``.

    ``terms`` holds each distinct term once, as a Python string.
    """

    ids: np.ndarray  # int32
    starts: np.ndarray  # int64, n_docs + 1
    terms: list


def documents(raw, name="raw_documents", encoding="utf-8", decode_error="strict"):
    """Return the corpus ``raw`` as a list of ``str``, or raise naming the bad document.

    A list, tuple, 1-D array, pandas Series or any iterable (consumed once) of
    ``str`` or ``bytes`` (decoded with ``encoding`` and ``decode_error``).
    """
    if isinstance(raw, str | bytes | bytearray):
        raise TypeError(
            f"{name} must be an iterable of documents (str), got a single {type(raw).__name__}; "
            f"pass [text] for one document"
        )
    if isinstance(raw, np.ndarray):
        if raw.ndim != 1:
            raise ValueError(f"{name} must be 1-D (one document per entry), got shape {raw.shape}")
        docs = raw.tolist()
    else:
        try:
            docs = list(raw)
        except TypeError:
            raise TypeError(
                f"{name} must be an iterable of documents (str), got {type(raw).__name__}"
            ) from None
    if not docs:
        raise ValueError(f"{name} must hold at least one document, got an empty corpus")
    if set(map(type, docs)) == {str}:  # at C speed, not a generator's
        return docs
    return [_document(doc, i, name, encoding, decode_error) for i, doc in enumerate(docs)]


def _document(doc, i, name, encoding, decode_error):
    if isinstance(doc, str):
        return str(doc)
    if isinstance(doc, bytes | bytearray | np.bytes_):
        return bytes(doc).decode(encoding, decode_error)
    if doc is None:
        raise TypeError(f"{name}[{i}] is None; every document must be a str (use '' for none)")
    if isinstance(doc, float | np.floating) and np.isnan(doc):
        raise ValueError(f"{name}[{i}] is NaN (a missing value); every document must be a str")
    raise TypeError(f"{name}[{i}] must be a str or bytes, got {type(doc).__name__}")


def check_token_pattern(token_pattern):
    """Return ``token_pattern`` compiled, or raise (more than one group is ambiguous)."""
    if not isinstance(token_pattern, str):
        raise TypeError(f"token_pattern must be a str, got {type(token_pattern).__name__}")
    try:
        compiled = re.compile(token_pattern)
    except re.error as error:
        raise ValueError(
            f"token_pattern {token_pattern!r} is not a regular expression: {error}"
        ) from None
    if compiled.groups > 1:
        raise ValueError(
            f"token_pattern must capture at most one group, got {compiled.groups} in "
            f"{token_pattern!r}"
        )
    return compiled


def strip_accents_unicode(text):
    """Return ``text`` decomposed (NFKD) without its combining marks (scikit-learn's rule)."""
    if text.isascii():
        return text
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def strip_accents_ascii(text):
    """Return ``text`` decomposed (NFKD) with every non-ASCII character dropped."""
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")


ACCENT_STRIPPERS = {"unicode": strip_accents_unicode, "ascii": strip_accents_ascii}


def preprocessed(docs, lowercase, strip_accents):
    """Return ``docs`` lower-cased, then stripped of accents (scikit-learn's preprocessing)."""
    if strip_accents is None:
        return [doc.lower() for doc in docs] if lowercase else docs
    strip = ACCENT_STRIPPERS[strip_accents]
    return [strip(doc.lower() if lowercase else doc) for doc in docs]


@functools.cache
def unicode_word_table():
    """Return a uint8 table over all code points: 1 where Python's ``re`` says ``\\w``."""
    table = np.zeros(0x110000, np.uint8)
    everything = "".join(map(chr, range(0x110000)))
    for run in re.finditer(r"\w+", everything):
        table[run.start() : run.end()] = 1
    table.flags.writeable = False
    return table


def tokens(docs, token_pattern, lowercase, strip_accents):
    """Return the :class:`Tokens` of ``docs`` (a list of str) under scikit-learn's analyzer."""
    pattern = check_token_pattern(token_pattern)
    min_chars = _RUN_PATTERNS.get(token_pattern) if pattern.flags == re.UNICODE else None
    if strip_accents is not None:
        docs = preprocessed(docs, lowercase, strip_accents)
        lowercase = False
    if min_chars is None:
        return _tokens_by_re(preprocessed(docs, lowercase, None), pattern)
    buf, doc_starts, ascii = encoded(docs, lowercase)
    return _tokens_by_kernel(buf, doc_starts, ascii, lowercase, min_chars)


def encoded(docs, lowercase):
    """Return ``(buf, doc_starts, ascii)``: the documents as one UTF-8 buffer and byte offsets.

    The documents are joined with NUL and encoded by one call each; NUL is no
    word character, so document ``d`` may own the separator after it: it
    spans ``buf[doc_starts[d]:doc_starts[d + 1]]``. A non-ASCII corpus is
    lower-cased here by one ``str.lower``; an ASCII one (``ascii`` True) is
    left for the kernel to fold.
    """
    text = "\0".join(docs)
    ascii = text.isascii()  # O(1): CPython keeps the flag
    if ascii:
        buf = _ascii_bytes(text)
    else:
        if lowercase:
            # Lower-casing the joined text equals lower-casing each document: NUL is
            # neither cased nor case-ignorable, so it ends a final sigma's context.
            text = text.lower()
        buf = np.frombuffer(text.encode("utf-8", "surrogatepass"), np.uint8)
    del text
    if ascii:  # one byte per character: the offsets follow from the lengths
        lengths = np.fromiter(map(len, docs), np.int64, len(docs))
    else:
        lengths = _utf8_lengths(buf, len(docs), docs, lowercase)
    doc_starts = np.zeros(len(docs) + 1, np.int64)
    np.cumsum(lengths[:-1] + 1, out=doc_starts[1:-1])
    doc_starts[-1] = buf.size
    return buf, doc_starts, ascii


def _ascii_bytes(text):
    # The bytes of the ASCII str `text` as a read-only uint8 array, which
    # keeps `text` alive. In CPython an ASCII str stores its characters as
    # its UTF-8, and PyUnicode_AsUTF8AndSize (public C API) hands out that
    # storage: no copy of the corpus (20 ms of bow's fit); elsewhere, encode.
    if _utf8_and_size is None:
        return np.frombuffer(text.encode("ascii"), np.uint8)
    size = ctypes.c_ssize_t()
    address = _utf8_and_size(text, ctypes.byref(size))
    return np.asarray(_Borrowed(text, address, size.value))


class _Borrowed:
    # Memory owned by `owner`, seen as a read-only uint8 array (NumPy keeps this as the base).
    def __init__(self, owner, address, size):
        self.owner = owner
        self.__array_interface__ = {
            "data": (address, True),
            "shape": (size,),
            "typestr": "|u1",
            "version": 3,
        }


def _c_utf8_and_size():
    if sys.implementation.name != "cpython":
        return None
    function = ctypes.pythonapi.PyUnicode_AsUTF8AndSize
    function.restype = ctypes.c_void_p
    function.argtypes = [ctypes.py_object, ctypes.POINTER(ctypes.c_ssize_t)]
    return function


_utf8_and_size = _c_utf8_and_size()


def _utf8_lengths(buf, n_docs, docs, lowercase):
    # Each document's byte length, from where the NUL separators landed.
    separators = np.flatnonzero(buf == 0)
    if separators.size == n_docs - 1:
        return np.diff(separators, prepend=-1, append=buf.size) - 1
    # Some document holds NUL itself: measure each one.
    lower = str.lower if lowercase else str
    return np.array([len(lower(doc).encode("utf-8", "surrogatepass")) for doc in docs], np.int64)


def _tokens_by_kernel(buf, doc_starts, ascii, lowercase, min_chars):
    word = _NO_CODE_POINTS if ascii else unicode_word_table()
    ascii_map = ascii_token_bytes(lowercase and ascii)
    chunks = _chunks(doc_starts, get_num_threads() if buf.size >= PARALLEL_MIN_BYTES else 1)

    def scan(bounds):
        first, last = bounds
        return _kernels.scan_terms(buf, doc_starts[first : last + 1], ascii_map, word, min_chars)

    if len(chunks) == 1:
        ids, starts, term_bytes, term_starts = scan(chunks[0])
        return Tokens(ids, starts, _names(term_bytes, term_starts))
    with ThreadPoolExecutor(len(chunks)) as pool:  # the kernel releases the GIL
        parts = list(pool.map(scan, chunks))
    # Per-chunk tables merged in chunk order by a kernel, each chunk's ids
    # mapped into one array: a term's id is where it is first seen in the
    # whole corpus, as one thread gives it, and only new terms are decoded.
    ids = np.empty(sum(part[0].size for part in parts), np.int32)
    first_ids, first_starts, term_bytes, term_starts = parts[0]
    ids[: first_ids.size] = first_ids
    names = _names(term_bytes, term_starts)
    starts, offset = [first_starts], first_ids.size
    for k, (part_ids, part_starts, part_bytes, part_term_starts) in enumerate(parts[1:], 2):
        local = _kernels.merged_ids(term_bytes, term_starts, part_bytes, part_term_starts)
        new = np.flatnonzero(local >= len(names))
        names += _names(part_bytes, part_term_starts, new)
        np.take(local, part_ids, out=ids[offset : offset + part_ids.size], mode="clip")
        starts.append(part_starts[1:] + offset)
        offset += part_ids.size
        if k < len(parts):  # a later chunk is merged with these terms too
            term_bytes, term_starts = _appended(
                term_bytes, term_starts, part_bytes, part_term_starts, new
            )
    return Tokens(ids, np.concatenate(starts), names)


def _appended(term_bytes, term_starts, other_bytes, other_starts, which):
    # The term table with `other`'s terms `which` appended.
    pieces = [other_bytes[other_starts[t] : other_starts[t + 1]] for t in which.tolist()]
    lengths = np.diff(other_starts)[which]
    starts = np.concatenate([term_starts, term_starts[-1] + np.cumsum(lengths)])
    return np.concatenate([term_bytes, *pieces]), starts


@functools.cache
def ascii_token_bytes(lowercase):
    """Return the 128-entry map of an ASCII byte to the byte a token holds: 0 if no ``\\w``."""
    ascii_map = np.arange(128, dtype=np.uint8)
    if lowercase:
        ascii_map[65:91] += 32
    word = np.array([re.match(r"\w", chr(b)) is not None for b in range(128)])
    ascii_map[~word] = 0  # not from unicode_word_table: an ASCII corpus never needs that
    ascii_map.flags.writeable = False
    return ascii_map


_NO_CODE_POINTS = np.zeros(1, np.uint8)  # the word table of a corpus never decoded


def _names(term_bytes, term_starts, which=None):
    # The one place Python strings are made: once per distinct term (of
    # those `which` picks, when given).
    data = term_bytes.tobytes()
    bounds = term_starts.tolist()
    if which is None:
        return [data[a:b].decode("utf-8", "surrogatepass") for a, b in itertools.pairwise(bounds)]
    return [
        data[bounds[t] : bounds[t + 1]].decode("utf-8", "surrogatepass") for t in which.tolist()
    ]


def _chunks(doc_starts, n_threads):
    # Contiguous runs of documents of about equal bytes, one per thread.
    n_docs = doc_starts.size - 1
    if n_threads <= 1 or n_docs < 2:
        return [(0, n_docs)]
    targets = doc_starts[-1] * np.arange(1, n_threads) / n_threads
    cuts = np.unique(np.concatenate([[0], np.searchsorted(doc_starts, targets), [n_docs]]))
    cuts = np.clip(cuts, 0, n_docs)
    return [(int(a), int(b)) for a, b in itertools.pairwise(cuts) if b > a]


def _tokens_by_re(docs, pattern):
    index = {}
    ids, lengths = [], np.zeros(len(docs) + 1, np.int64)
    for d, doc in enumerate(docs):
        found = pattern.findall(doc)
        lengths[d + 1] = len(found)
        ids.extend(index.setdefault(term, len(index)) for term in found)
    return Tokens(np.array(ids, np.int32), np.cumsum(lengths), list(index))


def counts(tokens, mapping, sign, n_columns):
    """Return ``(indptr, indices, data)``: the CSR counts of ``tokens`` (see ``count_rows``).

    A big corpus is counted in row blocks by :func:`fastnn.get_num_threads`
    threads (the kernels release the GIL): each block's row sizes first, then
    each block writes its rows into its own stretch of the one output, so
    any thread count gives the same arrays and nothing is concatenated.
    """
    big = tokens.ids.size * 8 >= PARALLEL_MIN_BYTES
    chunks = _chunks(tokens.starts, get_num_threads() if big else 1)
    ids = tokens.ids

    def sizes(bounds):
        first, last = bounds
        return _kernels.row_sizes(ids, tokens.starts[first : last + 1], mapping, n_columns)

    def fill(bounds):
        first, last = bounds
        a, b = indptr[first], indptr[last]
        starts = tokens.starts[first : last + 1]
        _kernels.count_rows(ids, starts, mapping, sign, n_columns, indices[a:b], data[a:b])

    parts = _each(sizes, chunks)
    indptr = parts[0]
    if len(parts) > 1:
        offsets = np.cumsum([part[-1] for part in parts[:-1]])
        rest = [part[1:] + o for part, o in zip(parts[1:], offsets, strict=True)]
        indptr = np.concatenate([indptr, *rest])
    indices = np.empty(indptr[-1], np.int32)
    data = np.empty(indptr[-1], np.int64)
    _each(fill, chunks)
    return indptr, indices, data


def _each(func, chunks):
    # [func(chunk) for chunk in chunks], one thread per chunk where there are several.
    if len(chunks) == 1:
        return [func(chunks[0])]
    with ThreadPoolExecutor(len(chunks)) as pool:
        return list(pool.map(func, chunks))


def index_dtype(nnz):
    """Return the CSR index dtype for ``nnz`` stored entries: int32, or int64 past 2**31 - 1."""
    return np.dtype(np.int64) if nnz > _INT32_MAX else np.dtype(np.int32)
