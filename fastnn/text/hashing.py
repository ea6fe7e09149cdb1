"""Feature hashing: documents → sparse counts in hashed columns, as HashingVectorizer."""

from __future__ import annotations

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin

from fastnn._checks import check_bool, check_int
from fastnn.text import _analysis, _corpus, _kernels
from fastnn.text.bag import csr_counts

__all__ = ["HashingBagOfWords"]

_NORMS = {"l1": 1, "l2": 2}


class HashingBagOfWords(TransformerMixin, BaseEstimator):
    """Hashed bag of words: term counts in ``n_features`` columns chosen by a hash, no vocabulary.

    Term :math:`t` goes to column :math:`|h(t)| \\bmod n` with sign
    :math:`\\operatorname{sign} h(t)` (when ``alternate_sign``), where
    :math:`h` is the signed 32-bit MurmurHash3 (seed 0) of the term's UTF-8
    bytes; rows are then scaled to unit ``norm``. Identical to
    ``sklearn.feature_extraction.text.HashingVectorizer`` with the same
    parameters. Nothing is learned, so a stream can be transformed in
    chunks, or on many workers, with the same result as one call.

    Parameters
    ----------
    n_features : int, default 2**20
        The number of columns, from 1 to 2**31 - 1.
    alternate_sign : bool, default True
        Add :math:`\\operatorname{sign} h(t)` instead of 1, so that colliding
        terms cancel on average (and an entry can be 0 or negative).
    norm : {"l2", "l1", None}, default "l2"
        Scale each row to unit Euclidean or Manhattan norm.
    binary : bool, default False
        Store 1 for every entry (after the signs are summed, as scikit-learn
        does: a cancelled 0 or a -2 becomes 1), then apply the norm.
    lowercase, token_pattern, strip_accents, stop_words, stemmer, lemmatizer, ngram_range
        The analyzer, as in :class:`BagOfWords`.
    dtype : float dtype, default numpy.float64
    encoding, decode_error : str, defaults "utf-8" and "strict"

    Notes
    -----
    Colliding terms share a column (and with ``alternate_sign`` may cancel
    to a stored 0); there is no inverse transform, since the hash forgets the
    terms. Pick ``n_features`` well above the vocabulary size.

    Examples
    --------
    >>> from fastnn.text import HashingBagOfWords
    >>> X = HashingBagOfWords(n_features=16, norm=None).transform(["good good food"])
    >>> X.indices.tolist(), X.data.tolist()
    ([1, 6], [2.0, 1.0])
    """

    def __init__(
        self,
        n_features=2**20,
        *,
        alternate_sign=True,
        norm="l2",
        binary=False,
        lowercase=True,
        token_pattern=_corpus.DEFAULT_TOKEN_PATTERN,
        strip_accents=None,
        stop_words=None,
        stemmer=None,
        lemmatizer=None,
        ngram_range=(1, 1),
        dtype=np.float64,
        encoding="utf-8",
        decode_error="strict",
    ):
        self.n_features = n_features
        self.alternate_sign = alternate_sign
        self.norm = norm
        self.binary = binary
        self.lowercase = lowercase
        self.token_pattern = token_pattern
        self.strip_accents = strip_accents
        self.stop_words = stop_words
        self.stemmer = stemmer
        self.lemmatizer = lemmatizer
        self.ngram_range = ngram_range
        self.dtype = dtype
        self.encoding = encoding
        self.decode_error = decode_error

    def fit(self, X=None, y=None):
        """Check the parameters and return ``self`` (nothing is learned)."""
        self._checked()
        return self

    def partial_fit(self, X=None, y=None):
        """Check the parameters and return ``self`` (nothing is learned)."""
        return self.fit(X, y)

    def transform(self, raw_documents):
        """Return the hashed counts of ``raw_documents`` (CSR, sorted indices, ``dtype``)."""
        analyzer, n_features, alternate_sign, norm, binary, dtype = self._checked()
        docs = _corpus.documents(raw_documents, "raw_documents", self.encoding, self.decode_error)
        terms = _analysis.analyzed(docs, analyzer)
        column, sign = hashed_columns(terms.terms, n_features, alternate_sign)
        # Count in the columns that occur, numbered in column order, so the
        # kernel's per-column arrays are as long as the vocabulary, not n_features.
        used, compact = np.unique(column, return_inverse=True)
        kept = terms.mapping >= 0
        mapping = np.where(kept, compact[terms.mapping] if compact.size else -1, -1)
        signs = np.where(kept, sign[terms.mapping] if sign.size else 1, 1)
        indptr, indices, data = _corpus.counts(terms.tokens, mapping, signs, used.size)
        indices = used.astype(np.int32)[indices]
        if norm is not None and dtype == np.float64 and not binary:
            # Normalised straight from the int64 counts (float64(count) is
            # what astype gives): no float copy of the counts to normalise.
            out = np.empty(data.size, dtype)
            _kernels.normalize_rows(indptr, data, out, norm)
            return csr_counts(indptr, indices, out, n_features, dtype, binary)
        X = csr_counts(indptr, indices, data, n_features, dtype, binary)
        if norm is not None:
            _kernels.normalize_rows(indptr, X.data.copy(), X.data, norm)
        return X

    def fit_transform(self, X, y=None):
        """Return :meth:`transform` of ``X`` (nothing is learned)."""
        return self.transform(X)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.string = True
        tags.input_tags.two_d_array = False
        tags.requires_fit = False
        return tags

    def _checked(self):
        analyzer = _analysis.analyzer(
            self.token_pattern,
            self.lowercase,
            self.strip_accents,
            self.stop_words,
            self.stemmer,
            self.lemmatizer,
            self.ngram_range,
        )
        n_features = check_int(self.n_features, "n_features", low=1, high=2**31 - 1)
        if self.norm is not None and self.norm not in _NORMS:
            raise ValueError(f"norm must be 'l2', 'l1' or None, got {self.norm!r}")
        try:
            dtype = np.dtype(self.dtype)
        except TypeError:
            raise TypeError(f"dtype must be a NumPy dtype, got {self.dtype!r}") from None
        if dtype.kind != "f" or dtype.itemsize not in (4, 8):
            raise TypeError(f"dtype must be float32 or float64, got {dtype}")
        return (
            analyzer,
            n_features,
            check_bool(self.alternate_sign, "alternate_sign"),
            _NORMS.get(self.norm),
            check_bool(self.binary, "binary"),
            dtype,
        )


def hashed_columns(terms, n_features, alternate_sign):
    """Return each term's ``(column, sign)`` (int64): ``|h| mod n_features`` and ``sign h``."""
    encoded = [term.encode("utf-8") for term in terms]
    lengths = np.fromiter(map(len, encoded), np.int64, len(encoded))
    starts = np.zeros(len(encoded), np.int64)
    np.cumsum(lengths[:-1], out=starts[1:])
    buf = np.frombuffer(b"".join(encoded), np.uint8)
    h = _kernels.murmur3_32(buf, starts, lengths, 0).astype(np.int64)
    sign = np.where(h >= 0, 1, -1) if alternate_sign else np.ones(h.size, np.int64)
    return np.abs(h) % n_features, sign.astype(np.int64)
