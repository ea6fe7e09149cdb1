"""Weighting kernels: term counts of a CSR matrix to TF-IDF, normalised per row, in one pass.

Every operation is the one scikit-learn's ``TfidfTransformer.transform`` does, in
its order and its types, so the results are equal bit for bit: the count is
first converted to the output type (``X.astype``), multiplied by its column's
idf in the promoted type of the two and rounded back to the output type
(NumPy's in-place ``X.data *= idf_[X.indices]``), and the row norm sums, in
float64 and in column order, products or absolute values
taken in the output type (``inplace_csr_row_normalize_l1``/``_l2``).
"""

import numpy as np
from numba import prange

from fastnn._jit import jit

NORM_NONE = 0
NORM_L1 = 1
NORM_L2 = 2


@jit(inline=True)
def _sort_row(indices, values, start, stop):
    """Sort ``indices[start:stop]`` (with ``values``) by insertion; return True on a repeated index.

    Insertion sort: rows of a bag of words hold tens of entries, often in
    nearly sorted order, where it beats scipy's ``csr_sort_indices`` (a
    ``std::sort`` of (index, value) pairs per row) 2-3× on the ``bow`` counts.
    """
    repeated = False
    for k in range(start + 1, stop):
        index = indices[k]
        value = values[k]
        j = k - 1
        while j >= start and indices[j] > index:
            indices[j + 1] = indices[j]
            values[j + 1] = values[j]
            j -= 1
        indices[j + 1] = index
        values[j + 1] = value
        if j >= start and indices[j] == index:
            repeated = True
    return repeated


@jit(parallel=True)
def tfidf_rows(indptr, indices, counts, idf, use_idf, norm, out, out_indices):
    """Write the TF-IDF weights of the CSR rows ``(indptr, indices, counts)`` to ``out``.

    ``out`` (the output float type) and ``out_indices`` have ``counts``'
    length; ``out_indices`` receives the column indices, each row sorted
    first (scikit-learn's validation sorts them too, so its row norms sum in
    column order). ``idf`` is read only when ``use_idf``; ``norm`` is
    ``NORM_NONE``, ``NORM_L1`` or ``NORM_L2``. Returns the number of rows
    holding a column twice (their results are then not scikit-learn's: the
    caller sums duplicates first and calls again). Rows are independent, so
    the parallel twin gives the serial twin's bits.
    """
    repeated = 0
    for r in prange(indptr.size - 1):
        start = indptr[r]
        stop = indptr[r + 1]
        # One pass: cast, weight and sum; a row found out of column order is
        # sorted, then summed again in column order.
        ordered = True
        total = 0.0  # float64, whatever the output type, as scikit-learn's
        for k in range(start, stop):
            column = indices[k]
            out_indices[k] = column
            out[k] = counts[k]  # the cast to the output type comes first
            if use_idf:
                out[k] = out[k] * idf[column]
            if norm == NORM_L1:
                total += abs(out[k])
            elif norm == NORM_L2:
                total += out[k] * out[k]
            if k > start and column <= indices[k - 1]:
                ordered = False
        if not ordered:
            if _sort_row(out_indices, out, start, stop):
                repeated += 1
            total = 0.0
            for k in range(start, stop):
                if norm == NORM_L1:
                    total += abs(out[k])
                elif norm == NORM_L2:
                    total += out[k] * out[k]
        if norm != NORM_NONE and total != 0.0:  # an empty (or all-zero) row stays as it is
            if norm == NORM_L2:
                total = np.sqrt(total)
            for k in range(start, stop):
                out[k] = out[k] / total
    return repeated


@jit
def document_frequency(indices, n_features):
    """Return how many stored entries each column has (``np.bincount(indices)``, int64).

    For a CSR matrix with no repeated columns in a row and no stored zeros,
    that is the number of documents holding each term. ``np.bincount`` first
    copies int32 indices to intp, which cost as much as the counting here.
    """
    df = np.zeros(n_features, np.int64)
    for column in indices:
        df[column] += 1
    return df
