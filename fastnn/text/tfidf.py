"""TF-IDF: a count matrix reweighted by inverse document frequency and normalised per row."""

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, OneToOneFeatureMixin, TransformerMixin
from sklearn.utils.validation import check_is_fitted, validate_data

from fastnn import _checks
from fastnn.text._kernels import weighting

__all__ = ["TfIdf"]

_NORMS = {None: weighting.NORM_NONE, "l1": weighting.NORM_L1, "l2": weighting.NORM_L2}
_FLOATS = (np.dtype(np.float64), np.dtype(np.float32))


class TfIdf(OneToOneFeatureMixin, TransformerMixin, BaseEstimator):
    """Transform a count matrix to TF-IDF weights, as scikit-learn's ``TfidfTransformer``.

    Term frequency ``tf(t, d)`` (the count of term ``t`` in document ``d``,
    a row of a bag of words) is weighted by the inverse document frequency
    of its column, then each row is scaled to unit norm:

    .. math::

        \\operatorname{idf}(t) = \\ln\\frac{1 + n}{1 + \\operatorname{df}(t)} + 1
        \\qquad
        x_{d,t} = \\frac{\\operatorname{tf}(t, d)\\,\\operatorname{idf}(t)}
                       {\\lVert \\operatorname{tf}(\\cdot, d)\\,\\operatorname{idf} \\rVert}

    with ``n`` documents of which ``df(t)`` contain ``t``. ``smooth_idf``
    adds the ``1 +`` (as if one more document held every term once, so no
    idf divides by zero); without it ``idf(t) = ln(n / df(t)) + 1``. The
    ``+ 1`` keeps a term found in every document from being zeroed out. These
    are scikit-learn's formulas and defaults, not the textbook
    ``ln(n / df)``, so results equal ``TfidfTransformer``'s bit for bit.

    Parameters
    ----------
    norm : {"l2", "l1"} or None, default "l2"
        Each output row is divided by its Euclidean norm (``"l2"``), by the
        sum of its absolute values (``"l1"``), or left as it is (``None``).
        All-zero rows stay all zero.
    use_idf : bool, default True
        Multiply by ``idf(t)``; ``False`` gives (normalised) term frequencies.
    smooth_idf : bool, default True
        Add one to ``n`` and to every ``df(t)``.
    sublinear_tf : bool, default False
        Replace ``tf`` by ``1 + ln(tf)``, so a word said ten times weighs
        ``3.3`` times one said once, not ten times.

    Attributes
    ----------
    idf_ : ndarray of shape (n_features,)
        ``idf(t)`` per column (only when ``use_idf``): float32 when fitted on
        float32 counts, float64 otherwise. Without ``smooth_idf`` a column
        no document holds has ``idf = inf``, as scikit-learn's.
    n_features_in_ : int
        Columns seen in ``fit``.
    feature_names_in_ : ndarray of str
        The column names, when ``fit`` was given a DataFrame with string names.

    Notes
    -----
    The input is a count matrix (a bag of words): a scipy.sparse matrix
    (CSR, CSC or COO) or a dense array of shape ``(n_documents,
    n_features)``; any integer, bool or float dtype. The output is a
    ``scipy.sparse.csr_matrix`` with sorted indices, float32 for float32
    input and float64 otherwise (scikit-learn's dtype rule).

    Duplicate entries are summed and explicitly stored zeros dropped (on a
    copy) before anything else, so ``df(t)`` counts the documents where
    ``t``'s count is non-zero; scikit-learn counts stored zeros as
    occurrences and keeps them in its output, where fastnn does not. Negative
    values (a ``HashingBagOfWords`` with ``alternate_sign=True``) are
    weighted like any other, except under ``sublinear_tf``, whose logarithm
    would make them NaN: a ``ValueError`` there.

    One pass of a Numba kernel over the stored entries does the conversion,
    the idf product and the normalisation, with scikit-learn's operations
    in its order; rows run in parallel on big matrices, with the same bits.

    Examples
    --------
    >>> import numpy as np
    >>> from fastnn.text import TfIdf
    >>> counts = np.array([[3, 0, 1], [2, 0, 0], [3, 0, 0], [4, 0, 0], [3, 2, 0], [3, 0, 2]])
    >>> tfidf = TfIdf().fit(counts)
    >>> tfidf.idf_.round(4)
    array([1.    , 2.2528, 1.8473])
    >>> tfidf.transform(counts).toarray().round(4)[[0, 4]]
    array([[0.8515, 0.    , 0.5243],
           [0.5542, 0.8324, 0.    ]])
    """

    def __init__(self, *, norm="l2", use_idf=True, smooth_idf=True, sublinear_tf=False):
        self.norm = norm
        self.use_idf = use_idf
        self.smooth_idf = smooth_idf
        self.sublinear_tf = sublinear_tf

    def fit(self, X, y=None):
        """Learn ``idf_`` from the count matrix ``X``; return ``self``.

        Parameters
        ----------
        X : sparse matrix or array_like, shape (n_documents, n_features)
            Term counts.
        y : None
            Ignored.

        Returns
        -------
        self : TfIdf
        """
        self._fit(canonical(self._counts(X, reset=True)))
        return self

    def transform(self, X):
        """Return the TF-IDF weights of the count matrix ``X``, a CSR matrix.

        Parameters
        ----------
        X : sparse matrix or array_like, shape (n_documents, n_features)
            Term counts, with the columns ``fit`` saw.

        Returns
        -------
        scipy.sparse.csr_matrix, shape (n_documents, n_features)
            float32 for float32 counts, float64 otherwise; sorted indices.
        """
        check_is_fitted(self, "n_features_in_")
        counts = self._counts(X, reset=False)
        weights = self._weights(counts)
        return self._weights(canonical(counts)) if weights is None else weights

    def fit_transform(self, X, y=None):
        """Learn ``idf_`` from ``X`` and return its TF-IDF weights (``fit(X).transform(X)``).

        Parameters
        ----------
        X : sparse matrix or array_like, shape (n_documents, n_features)
            Term counts.
        y : None
            Ignored.

        Returns
        -------
        scipy.sparse.csr_matrix, shape (n_documents, n_features)
        """
        counts = self._counts(X, reset=True)
        self._fit(counts)  # df counts stored entries: right unless a row holds a column twice
        weights = self._weights(counts)
        if weights is None:  # it did: sum the duplicates (on a copy) and start again
            counts = canonical(counts)
            self._fit(counts)
            weights = self._weights(counts)
        return weights

    def _fit(self, counts):
        norm = self.norm
        if norm is not None and not isinstance(norm, str):
            raise TypeError(f"norm must be 'l1', 'l2' or None, got {type(norm).__name__}")
        if norm not in _NORMS:
            raise ValueError(f"norm must be 'l1', 'l2' or None, got {norm!r}")
        use_idf = _checks.check_bool(self.use_idf, "use_idf")
        smooth = _checks.check_bool(self.smooth_idf, "smooth_idf")
        _checks.check_bool(self.sublinear_tf, "sublinear_tf")
        if hasattr(self, "idf_"):
            del self.idf_  # a refit with use_idf=False must not keep the old weights
        if not use_idf:
            return
        dtype = output_dtype(counts.dtype)
        # scikit-learn's steps and types, so that idf_ is equal bit for bit.
        df = self._document_frequency(counts).astype(dtype)
        df += float(smooth)
        idf = np.full_like(df, counts.shape[0] + int(smooth), dtype=dtype)
        with np.errstate(divide="ignore"):  # df = 0 without smoothing: inf, as sklearn's
            idf /= df
        np.log(idf, out=idf)
        idf += 1.0
        self.idf_ = idf

    def _document_frequency(self, counts):
        return weighting.document_frequency(counts.indices, counts.shape[1])

    def _counts(self, X, *, reset):
        """Validate ``X`` into a CSR matrix of real counts without stored zeros."""
        _checks.check_features(X, "X")  # masked arrays, datetimes and strings: refused
        X = validate_data(
            self, X, accept_sparse=("csr", "csc", "coo"), dtype="numeric", reset=reset
        )
        if X.dtype.kind not in "biuf":
            raise TypeError(f"X must hold counts (bool, int or float), got {X.dtype} dtype")
        if X.dtype.kind == "f" and X.dtype not in _FLOATS:
            X = X.astype(np.float64)  # float16 and longdouble, as scikit-learn converts them
        X = sp.csr_matrix(X)  # a view of a CSR matrix; a dense array keeps its non-zeros only
        if X.dtype.kind == "b":
            X = sp.csr_matrix((X.data.view(np.uint8), X.indices, X.indptr), shape=X.shape)
        if np.count_nonzero(X.data) < X.nnz:
            X = X.copy()
            X.eliminate_zeros()
        return X

    def _weights(self, counts):
        """Return the weights of ``counts`` in CSR with sorted indices, or None if a row repeats a
        column (scikit-learn's results would then depend on the stored order of duplicates)."""
        dtype = output_dtype(counts.dtype)
        norm = _NORMS[self.norm]
        use_idf = hasattr(self, "idf_")
        idf = self.idf_ if use_idf else np.empty(0, dtype)
        if use_idf and np.isinf(idf).any():
            unseen = np.flatnonzero(np.isinf(idf))
            held = np.intersect1d(unseen, counts.indices)
            if held.size:
                raise ValueError(
                    f"X has counts in column {held[0]}, which no document held at fit time: "
                    f"with smooth_idf=False its idf is ln(n / 0) + 1 = inf "
                    f"(columns {unseen[:10].tolist()}{'...' if unseen.size > 10 else ''}); "
                    "use smooth_idf=True or fit on counts that hold every column"
                )
        data = sublinear(counts.data, dtype) if self.sublinear_tf else counts.data
        out = np.empty(data.size, dtype)
        indices = np.empty_like(counts.indices)
        repeated = weighting.tfidf_rows(
            counts.indptr,
            counts.indices,
            data,
            idf,
            use_idf,
            norm,
            out,
            indices,
            work=4 * data.size,
        )
        if repeated:
            return None
        weights = sp.csr_matrix((out, indices, counts.indptr.copy()), shape=counts.shape)
        weights.has_sorted_indices = True
        return weights

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        return tags


def canonical(counts):
    """Return ``counts`` with each row's columns sorted and repeated ones summed (a copy if not)."""
    if counts.has_canonical_format:
        return counts
    counts = counts.copy()
    counts.sum_duplicates()
    return counts


def sublinear(counts, dtype):
    """Return ``1 + ln(counts)`` in ``dtype``, computed by NumPy as scikit-learn does; or raise."""
    if counts.size and counts.min() < 0:
        raise ValueError(
            "sublinear_tf=True replaces each count c by 1 + ln(c), but X holds "
            f"negative values (down to {counts.min()}): their logarithm is NaN"
        )
    data = counts.astype(dtype)
    np.log(data, out=data)
    data += 1.0
    return data


def output_dtype(dtype):
    """float32 stays float32, anything else gives float64 (scikit-learn's rule)."""
    return dtype if dtype in _FLOATS else np.dtype(np.float64)
