"""NumPy/Python twins of fastnn.text: the same names and signatures, written plainly.

``re.findall`` for tokens, a dict for the vocabulary, a ``Counter`` per
document and NumPy for the CSR arrays; MurmurHash3 in Python. They are the
oracle the tests hold the kernels to, and the baseline of the benchmarks.
"""

from __future__ import annotations

import re
from collections import Counter

import numpy as np
import scipy.sparse as sp
import simplemma
import Stemmer

from fastnn.text import _corpus, bag, hashing, tfidf, words
from fastnn.text._corpus import DEFAULT_TOKEN_PATTERN

__all__ = [
    "BagOfWords",
    "HashingBagOfWords",
    "TfIdf",
    "lemmatize",
    "murmurhash3_32",
    "remove_stop_words",
    "stem",
    "tokenize",
]


def _analyze(doc, pattern, lowercase, strip_accents):
    if lowercase:
        doc = doc.lower()
    if strip_accents is not None:
        doc = _corpus.ACCENT_STRIPPERS[strip_accents](doc)
    return re.findall(pattern, doc)


def tokenize(docs, *, token_pattern=DEFAULT_TOKEN_PATTERN, lowercase=True, strip_accents=None):
    """Twin of :func:`fastnn.text.tokenize`: ``re.findall`` on each preprocessed document."""
    single = isinstance(docs, str)
    corpus = _corpus.documents([docs] if single else docs, "docs")
    _corpus.check_token_pattern(token_pattern)
    out = [_analyze(doc, token_pattern, lowercase, strip_accents) for doc in corpus]
    return out[0] if single else out


class _Features:
    """An analyzed corpus in Python: a list of features per document, and the distinct ones."""

    def __init__(self, features):
        self.features = features
        self.terms = list(dict.fromkeys(f for doc in features for f in doc))


def _normal_form(analyzer):
    if analyzer.stemmer is not None:
        import Stemmer

        return Stemmer.Stemmer(analyzer.stemmer).stemWord
    if analyzer.lemmatizer is not None:
        import simplemma

        return lambda word: simplemma.lemmatize(word, analyzer.lemmatizer)
    return None


def _features(docs, analyzer):
    form = _normal_form(analyzer)
    stop = analyzer.stop_words or frozenset()
    min_n, max_n = analyzer.ngram_range
    out = []
    for doc in docs:
        tokens = _analyze(doc, analyzer.token_pattern, analyzer.lowercase, analyzer.strip_accents)
        if form is not None:
            tokens = [form(t) for t in tokens]
        tokens = [t for t in tokens if t not in stop]
        out.append(
            [
                " ".join(tokens[i : i + n])
                for n in range(min_n, max_n + 1)
                for i in range(len(tokens) - n + 1)
            ]
        )
    return _Features(out)


def _csr(features, column, sign, n_columns, dtype, binary):
    # Counter per document, columns sorted, then the three CSR arrays.
    indptr, indices, data = [0], [], []
    for doc in features:
        counts = Counter()
        for f in doc:
            j = column.get(f)
            if j is not None:
                counts[j] += sign(f)
        for j in sorted(counts):
            indices.append(j)
            data.append(counts[j])
        indptr.append(len(indices))
    index = _corpus.index_dtype(len(indices))
    values = np.ones(len(data), dtype) if binary else np.array(data, np.int64).astype(dtype)
    return sp.csr_matrix(
        (values, np.array(indices, index), np.array(indptr, index)),
        shape=(len(features), n_columns),
    )


class BagOfWords(bag.BagOfWords):
    """Twin of :class:`fastnn.text.BagOfWords`: the same parameters, counted by a Python loop."""

    def _analyzed(self, docs, analyzer):
        return _features(docs, analyzer)

    def _columns(self, X, kept):
        return X[:, kept]

    def _counts(self, terms, vocabulary, dtype, binary, column=None):
        return _csr(terms.features, vocabulary, lambda f: 1, len(vocabulary), dtype, binary)


def murmurhash3_32(data, seed=0):
    """Return the signed 32-bit MurmurHash3 (x86) of the bytes ``data``."""
    mask = 0xFFFFFFFF

    def mix(k):
        k = (k * 0xCC9E2D51) & mask
        k = ((k << 15) | (k >> 17)) & mask
        return (k * 0x1B873593) & mask

    h = seed & mask
    n_blocks = len(data) // 4
    for b in range(n_blocks):
        h ^= mix(int.from_bytes(data[4 * b : 4 * b + 4], "little"))
        h = ((h << 13) | (h >> 19)) & mask
        h = (h * 5 + 0xE6546B64) & mask
    tail = data[4 * n_blocks :]
    if tail:
        h ^= mix(int.from_bytes(tail, "little"))
    h ^= len(data)
    h ^= h >> 16
    h = (h * 0x85EBCA6B) & mask
    h ^= h >> 13
    h = (h * 0xC2B2AE35) & mask
    h ^= h >> 16
    return h - (1 << 32) if h >= 1 << 31 else h


class HashingBagOfWords(hashing.HashingBagOfWords):
    """Twin of :class:`fastnn.text.HashingBagOfWords`: Python hashing, counting and norms."""

    def transform(self, raw_documents):
        """Return the hashed counts of ``raw_documents`` (as the fastnn class does)."""
        analyzer, n_features, alternate_sign, norm, binary, dtype = self._checked()
        docs = _corpus.documents(raw_documents, "raw_documents", self.encoding, self.decode_error)
        features = _features(docs, analyzer)
        hashes = {t: murmurhash3_32(t.encode("utf-8")) for t in features.terms}
        column = {t: abs(h) % n_features for t, h in hashes.items()}
        sign = (lambda f: 1 if hashes[f] >= 0 else -1) if alternate_sign else (lambda f: 1)
        X = _csr(features.features, column, sign, n_features, dtype, binary)
        if norm is not None:
            for i in range(X.shape[0]):
                row = slice(X.indptr[i], X.indptr[i + 1])
                values = X.data[row].astype(np.float64)
                total = 0.0
                for x in values:
                    total += abs(x) if norm == 1 else x * x
                if total != 0.0:
                    X.data[row] = values / (np.sqrt(total) if norm == 2 else total)
        return X


# Words and TF-IDF (fastnn.text.words, fastnn.text.tfidf): the same work token by
# token, with no distinct-word look-up table and no kernel.


def remove_stop_words(tokens, stop_words="english"):
    """Twin of :func:`fastnn.text.remove_stop_words`: one membership test per token."""
    stop = words._check_stop_words(stop_words)
    docs, nested = words._check_tokens(tokens)
    words._distinct(docs, nested, "tokens")
    out = [[token for token in doc if token not in stop] for doc in docs]
    return out if nested else out[0]


def stem(tokens, *, language="english"):
    """Twin of :func:`fastnn.text.stem`: PyStemmer's ``stemWord`` on every token."""
    words._check_language(language, words.STEMMER_LANGUAGES, "Snowball (PyStemmer)")
    stemmer = Stemmer.Stemmer(language)
    return _each_token(tokens, stemmer.stemWord)


def lemmatize(tokens, *, language="en"):
    """Twin of :func:`fastnn.text.lemmatize`: ``simplemma.lemmatize`` on every token."""
    words._check_language(language, words.LEMMATIZER_LANGUAGES, "simplemma")
    return _each_token(tokens, lambda token: simplemma.lemmatize(token, language) if token else "")


def _each_token(tokens, form):
    docs, nested = words._check_tokens(tokens)
    words._distinct(docs, nested, "tokens")
    out = [[form(token) for token in doc] for doc in docs]
    return out if nested else out[0]


class TfIdf(tfidf.TfIdf):
    """Twin of :class:`fastnn.text.TfIdf`: ``np.bincount`` and NumPy arithmetic, no kernel."""

    def _document_frequency(self, counts):
        return np.bincount(counts.indices, minlength=counts.shape[1])

    def _weights(self, counts):
        counts = tfidf.canonical(counts)
        dtype = tfidf.output_dtype(counts.dtype)
        data = tfidf.sublinear(counts.data, dtype) if self.sublinear_tf else counts.data
        data = data.astype(dtype)
        if hasattr(self, "idf_"):
            data *= self.idf_[counts.indices]
        if self.norm is not None:
            row = np.repeat(np.arange(counts.shape[0]), np.diff(counts.indptr))
            size = np.abs(data) if self.norm == "l1" else data * data
            # bincount sums each row's weights in float64, in stored order.
            total = np.bincount(row, weights=size, minlength=counts.shape[0])
            if self.norm == "l2":
                total = np.sqrt(total)
            scale = total[row]
            nonzero = scale != 0.0
            data[nonzero] = data[nonzero] / scale[nonzero]
        return sp.csr_matrix((data, counts.indices.copy(), counts.indptr.copy()), counts.shape)
