"""Bag of words: documents → sparse counts over a learned vocabulary, as CountVectorizer."""

from __future__ import annotations

import numbers
import warnings

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from fastnn._checks import check_array, check_bool, check_int
from fastnn.text import _analysis, _corpus, _kernels

__all__ = ["BagOfWords"]


class BagOfWords(TransformerMixin, BaseEstimator):
    """Bag-of-words encoder: each document becomes the counts of the vocabulary's terms in it.

    The lecture's encoding: document :math:`s` is analyzed into words, and
    :math:`x_j` is how often the vocabulary's :math:`j`-th term occurs in
    them, so :math:`x \\in \\mathbb{N}^{|V|}` with :math:`|V|` the vocabulary
    size (the "high dimensions" problem: :math:`|V|` runs to tens of
    thousands, so ``x`` is stored sparse). With the parameters
    ``CountVectorizer`` has, ``vocabulary_`` and the matrix are identical to
    its own.

    Parameters
    ----------
    lowercase : bool, default True
        Lower-case each document before tokenizing.
    token_pattern : str, default r"(?u)\\b\\w\\w+\\b"
        What a token is. The default takes runs of two or more word
        characters (Unicode letters, digits and ``_``): **one-character
        words such as "a", "I" or "1" are dropped**, as in scikit-learn;
        ``r"\\w+"`` keeps them. These two patterns (and their ``\\b``
        variants) run in a compiled kernel; any other runs through Python's
        :mod:`re`, correct but several times slower.
    strip_accents : {None, "ascii", "unicode"}, default None
        Remove accents after lower-casing: "unicode" drops the combining marks
        of each character's NFKD form, "ascii" every non-ASCII character of it.
    stop_words : None, "english" or collection of str, default None
        Terms to remove. The list is analyzed like the documents
        (lower-cased, tokenized, stemmed), so "don't" removes "don".
    stemmer : None or str, default None
        A Snowball language ("english", ...): each token is replaced by its
        stem (:func:`fastnn.text.stem`), once per distinct token.
    lemmatizer : None or str, default None
        A simplemma language ("en", ...): each token is replaced by its lemma.
    ngram_range : (int, int), default (1, 1)
        The n-grams of the analyzed tokens to count, ``min_n <= n <= max_n``,
        joined by a space.
    min_df, max_df : int or float, defaults 1 and 1.0
        Keep the terms found in at least ``min_df`` and at most ``max_df``
        documents. An int is a count; a float must lie in [0, 1] and is a
        fraction of the documents (``max_df=3.0`` is refused, where
        scikit-learn reads it as a fraction of 300%).
    max_features : int or None, default None
        Keep only the ``max_features`` terms of largest total count (after
        ``min_df``/``max_df``), ties as ``CountVectorizer`` breaks them.
    vocabulary : mapping or iterable of str, default None
        A fixed vocabulary (term → column, or terms in column order); ``fit``
        then learns nothing and ``min_df``, ``max_df``, ``max_features`` are unused.
    binary : bool, default False
        Store 1 for every term present instead of its count.
    dtype : dtype, default numpy.int64
        The dtype of the matrix's values.
    encoding, decode_error : str, defaults "utf-8" and "strict"
        How ``bytes`` documents are decoded.

    Attributes
    ----------
    vocabulary_ : dict
        Term → column, the columns in sorted term order.
    fixed_vocabulary_ : bool
        Whether ``vocabulary`` was given.

    Notes
    -----
    The analyzer's order is scikit-learn's, with the stemmer where an
    analyzer that stems its tokens puts it: preprocess (lower-case, strip
    accents) → tokenize → stem or lemmatize → remove stop words → n-grams
    (so bigrams skip over removed stop words).

    The corpus is joined, lower-cased and encoded to UTF-8 once, and a kernel
    finds the tokens and gives them ids through an open-addressing hash table:
    Python strings are made only for distinct terms. Corpora of a megabyte or
    more are tokenized by :func:`fastnn.get_num_threads` threads whose
    vocabularies are merged; the output is identical for any thread count.
    The fitted state is the vocabulary alone (no ``stop_words_``), so pickles
    stay small.

    Examples
    --------
    >>> from fastnn.text import BagOfWords
    >>> bow = BagOfWords()
    >>> X = bow.fit_transform(["The chicken was good", "the wait was too long"])
    >>> bow.get_feature_names_out().tolist()
    ['chicken', 'good', 'long', 'the', 'too', 'wait', 'was']
    >>> X.toarray()
    array([[1, 1, 0, 1, 0, 0, 1],
           [0, 0, 1, 1, 1, 1, 1]])
    """

    def __init__(
        self,
        *,
        lowercase=True,
        token_pattern=_corpus.DEFAULT_TOKEN_PATTERN,
        strip_accents=None,
        stop_words=None,
        stemmer=None,
        lemmatizer=None,
        ngram_range=(1, 1),
        min_df=1,
        max_df=1.0,
        max_features=None,
        vocabulary=None,
        binary=False,
        dtype=np.int64,
        encoding="utf-8",
        decode_error="strict",
    ):
        self.lowercase = lowercase
        self.token_pattern = token_pattern
        self.strip_accents = strip_accents
        self.stop_words = stop_words
        self.stemmer = stemmer
        self.lemmatizer = lemmatizer
        self.ngram_range = ngram_range
        self.min_df = min_df
        self.max_df = max_df
        self.max_features = max_features
        self.vocabulary = vocabulary
        self.binary = binary
        self.dtype = dtype
        self.encoding = encoding
        self.decode_error = decode_error

    def fit(self, raw_documents, y=None):
        """Learn the vocabulary of ``raw_documents``; return ``self``."""
        self.fit_transform(raw_documents)
        return self

    def fit_transform(self, raw_documents, y=None):
        """Learn the vocabulary and return the document-term counts (CSR, sorted indices).

        Raises
        ------
        ValueError
            An empty corpus, or a vocabulary left empty (by the documents
            having no tokens, stop words, or ``min_df``/``max_df``: the
            message gives the counts they resolved to).
        """
        analyzer, dtype, binary = self._checked()
        fixed = self._fixed_vocabulary()
        bounds = None if fixed is not None else _document_bounds(self.min_df, self.max_df)
        max_features = self._checked_max_features()
        docs = self._documents(raw_documents)
        terms = self._analyzed(docs, analyzer)
        if fixed is None:
            if not terms.terms:
                raise ValueError(
                    "empty vocabulary: the documents hold no tokens"
                    + (" that are not stop words" if analyzer.stop_words else "")
                    + f" (token_pattern={self.token_pattern!r})"
                )
            # The terms are distinct: sorted as strings (faster than sorting
            # their indices by key), each one's column then looked up.
            columns = sorted(terms.terms)
            vocabulary = dict(zip(columns, range(len(columns)), strict=True))
            rank = np.fromiter(map(vocabulary.__getitem__, terms.terms), np.int64, len(columns))
        else:
            vocabulary, rank = fixed, None
        X = self._counts(terms, vocabulary, dtype, binary, rank)
        if fixed is None:
            kept = _kept_columns(X, len(docs), bounds, max_features, self.min_df, self.max_df)
            if kept is not None:
                X = self._columns(X, kept)
            if kept is not None:
                columns = [columns[j] for j in kept.tolist()]
                vocabulary = dict(zip(columns, range(len(columns)), strict=True))
        self.fixed_vocabulary_ = fixed is not None
        self.vocabulary_ = vocabulary
        return X

    def transform(self, raw_documents):
        """Return the document-term counts of ``raw_documents`` over the fitted vocabulary.

        Terms outside the vocabulary are ignored.
        """
        check_is_fitted(self, "vocabulary_")
        analyzer, dtype, binary = self._checked()
        docs = self._documents(raw_documents)
        return self._counts(self._analyzed(docs, analyzer), self.vocabulary_, dtype, binary)

    def inverse_transform(self, X):
        """Return, for each row of ``X``, the array of terms with a non-zero entry."""
        check_is_fitted(self, "vocabulary_")
        names = np.asarray(self._feature_names(), dtype=str)
        if sp.issparse(X):
            X = sp.csr_matrix(X)
        else:
            X = sp.csr_matrix(check_array(X, "X", ndim=2, allow_empty=True))
        if X.shape[1] != names.size:
            raise ValueError(
                f"X must have {names.size} columns (the vocabulary's size), got {X.shape[1]}"
            )
        X.sort_indices()
        return [
            names[
                X.indices[X.indptr[i] : X.indptr[i + 1]][X.data[X.indptr[i] : X.indptr[i + 1]] != 0]
            ]
            for i in range(X.shape[0])
        ]

    def get_feature_names_out(self, input_features=None):
        """Return the terms in column order (an object array of str)."""
        check_is_fitted(self, "vocabulary_")
        return np.asarray(self._feature_names(), dtype=object)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.string = True
        tags.input_tags.two_d_array = False
        return tags

    # -- the parts --------------------------------------------------------

    def _feature_names(self):
        names = [None] * len(self.vocabulary_)
        for term, j in self.vocabulary_.items():
            names[j] = term
        return names

    def _documents(self, raw_documents):
        return _corpus.documents(raw_documents, "raw_documents", self.encoding, self.decode_error)

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
        try:
            dtype = np.dtype(self.dtype)
        except TypeError:
            raise TypeError(f"dtype must be a NumPy dtype, got {self.dtype!r}") from None
        if dtype.kind not in "iuf":
            raise TypeError(f"dtype must be an integer or float dtype, got {dtype}")
        return analyzer, dtype, check_bool(self.binary, "binary")

    def _checked_max_features(self):
        if self.max_features is None:
            return None
        return check_int(self.max_features, "max_features", low=1)

    def _fixed_vocabulary(self):
        vocabulary = self.vocabulary
        if vocabulary is None:
            return None
        if isinstance(vocabulary, str):
            raise TypeError("vocabulary must be a mapping or a collection of terms, got a str")
        if isinstance(vocabulary, set | frozenset):
            vocabulary = sorted(vocabulary)
        if hasattr(vocabulary, "items"):
            fixed = dict(vocabulary.items())
            columns = sorted(fixed.values())
            if columns != list(range(len(fixed))):
                raise ValueError(
                    "vocabulary's columns must be 0, 1, ..., n - 1 once each; "
                    f"got {len(fixed)} terms with columns {columns[:10]}"
                )
        else:
            fixed = {}
            for j, term in enumerate(vocabulary):
                if fixed.setdefault(term, j) != j:
                    raise ValueError(f"vocabulary holds the term {term!r} twice")
        if not fixed:
            raise ValueError("vocabulary must hold at least one term, got an empty one")
        if check_bool(self.lowercase, "lowercase") and any(
            not isinstance(t, str) or t != t.lower() for t in fixed
        ):
            warnings.warn(
                "vocabulary holds terms with upper-case letters while lowercase=True: "
                "they will never be found",
                UserWarning,
                stacklevel=3,
            )
        return fixed

    # The three steps the NumPy twin (fastnn.text.reference) writes in Python.

    def _analyzed(self, docs, analyzer):
        return _analysis.analyzed(docs, analyzer)

    def _columns(self, X, kept):
        """Return the columns ``kept`` (increasing) of CSR ``X``."""
        new_column = np.full(X.shape[1], -1, np.int64)
        new_column[kept] = np.arange(kept.size)
        indptr, indices, data = _kernels.kept_columns(
            X.indptr.astype(np.int64), X.indices.astype(np.int32), X.data, new_column
        )
        out = sp.csr_matrix((X.shape[0], kept.size), dtype=X.dtype)
        index = _corpus.index_dtype(indices.size)
        out.data, out.indices, out.indptr = data, indices.astype(index), indptr.astype(index)
        out.has_sorted_indices = True
        return out

    def _counts(self, terms, vocabulary, dtype, binary, column=None):
        """Return the CSR counts of analyzed ``terms`` in the columns ``vocabulary`` gives.

        ``column``, when given, is each term's column already.
        """
        if column is None:
            column = np.fromiter(
                (vocabulary.get(t, -1) for t in terms.terms), np.int64, len(terms.terms)
            )
        mapping = column[terms.mapping] if column.size else terms.mapping
        mapping = np.where(terms.mapping >= 0, mapping, -1)
        ones = np.ones(mapping.size, np.int64)
        indptr, indices, data = _corpus.counts(terms.tokens, mapping, ones, len(vocabulary))
        return csr_counts(indptr, indices, data, len(vocabulary), dtype, binary)


def csr_counts(indptr, indices, data, n_columns, dtype, binary):
    """Return the kernel's CSR arrays as a ``csr_matrix`` of ``dtype``, indices sized to nnz."""
    index = _corpus.index_dtype(indices.size)
    values = np.ones(data.size, dtype) if binary else data.astype(dtype, copy=False)
    X = sp.csr_matrix((indptr.size - 1, n_columns), dtype=dtype)
    X.data, X.indices, X.indptr = values, indices.astype(index, copy=False), indptr.astype(index)
    X.has_sorted_indices = True
    return X


def _document_bounds(min_df, max_df):
    """Check ``min_df`` and ``max_df``: an int is a count, a float a fraction in [0, 1]."""
    for value, name in ((min_df, "min_df"), (max_df, "max_df")):
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            raise TypeError(f"{name} must be an int (a count) or a float in [0, 1], got {value!r}")
        if isinstance(value, numbers.Integral):
            if value < 0:
                raise ValueError(f"{name} must be a count >= 0, got {value}")
        elif not 0.0 <= value <= 1.0:
            raise ValueError(
                f"{name} must be an int (a count of documents) or a float in [0, 1] (a fraction "
                f"of them), got {value!r}; pass {int(value)} for a count"
                if value > 1 and float(value).is_integer()
                else f"{name} as a float is a fraction of the documents and must lie in [0, 1], "
                f"got {value!r}"
            )
    return min_df, max_df


def _resolved(value, n_docs):
    return value if isinstance(value, numbers.Integral) else value * n_docs


def _kept_columns(X, n_docs, bounds, max_features, min_df, max_df):
    """Return the columns min_df/max_df/max_features keep (None: all), as sklearn picks them."""
    low, high = (_resolved(b, n_docs) for b in bounds)
    if high < low:
        raise ValueError(
            f"max_df={max_df!r} resolves to {high} documents, fewer than the {low} that "
            f"min_df={min_df!r} resolves to (of {n_docs} documents)"
        )
    if low <= 1 and high >= n_docs and max_features is None:
        return None
    dfs = np.bincount(X.indices, minlength=X.shape[1])
    mask = (dfs <= high) & (dfs >= low)
    if not mask.any():
        raise ValueError(
            f"min_df={min_df!r} (at least {low} documents) and max_df={max_df!r} (at most "
            f"{high} of {n_docs}) leave no term: the terms' document frequencies run from "
            f"{dfs.min()} to {dfs.max()}"
        )
    if max_features is not None and mask.sum() > max_features:
        # The very expression scikit-learn uses, so ties fall the same way.
        tfs = np.asarray(X.sum(axis=0)).ravel()
        chosen = (-tfs[mask]).argsort()[:max_features]
        new_mask = np.zeros(len(dfs), dtype=bool)
        new_mask[np.where(mask)[0][chosen]] = True
        mask = new_mask
    return None if mask.all() else np.flatnonzero(mask)
