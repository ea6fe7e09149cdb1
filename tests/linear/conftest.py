"""Data makers for the tests of fastnn.linear, all seeded by the caller's ``rng``."""

import numpy as np
import pytest
import scipy.sparse as sp


def separable(rng, n, d, *, margin=0.0, labels=(0, 1), through_origin=False):
    """Points labelled by a random hyperplane with bias; ``margin`` > 0 drops the points nearer.

    Returns ``X, y, u`` with ``u`` the unit normal of the true hyperplane in the
    augmented space (bias first), so ``y_i (u · (1, x_i)) >= margin``.
    """
    u = rng.standard_normal(d + 1)
    if through_origin:
        u[0] = 0.0
    u /= np.linalg.norm(u)
    X = np.empty((0, d))
    while X.shape[0] < n:
        cand = rng.uniform(-1.0, 1.0, size=(4 * n, d))
        score = u[0] + cand @ u[1:]
        X = np.vstack([X, cand[np.abs(score) >= margin]])
    X = X[:n]
    score = u[0] + X @ u[1:]
    if n > 1 and (np.all(score > 0) or np.all(score <= 0)):  # one class: draw another plane
        return separable(rng, n, d, margin=margin, labels=labels, through_origin=through_origin)
    y = np.where(score > 0, labels[1], labels[0])
    return X, y, u


def noisy(rng, n, d, flip=0.1):
    """Separable points with a fraction ``flip`` of the labels flipped: not separable."""
    X, y, _ = separable(rng, n, d)
    flipped = rng.random(n) < flip
    return X, np.where(flipped, 1 - y, y)


def blobs(rng, n, d, k, spread=1.0):
    """``k`` Gaussian classes around random centres (labels 0..k-1)."""
    y = rng.integers(0, k, n)
    centres = 3.0 * rng.standard_normal((k, d))
    return centres[y] + spread * rng.standard_normal((n, d)), y


def csr_variants(X, rng):
    """Yield ``(label, matrix)``: X as CSR in the layouts a user may hand in."""
    csr = sp.csr_matrix(X)
    yield "csr_matrix", csr
    yield "csr_array", sp.csr_array(X)
    wide = csr.copy()
    wide.indices = wide.indices.astype(np.int64)
    wide.indptr = wide.indptr.astype(np.int64)
    yield "int64 indices", wide
    # duplicate entries (each value split in two) in a shuffled order: the
    # same matrix, not in canonical form
    coo = csr.tocoo()
    half = coo.data / 2
    rows = np.concatenate([coo.row, coo.row])
    cols = np.concatenate([coo.col, coo.col])
    data = np.concatenate([half, coo.data - half])
    order = np.lexsort((rng.random(rows.size), rows))
    indptr = np.concatenate([[0], np.cumsum(np.bincount(rows, minlength=X.shape[0]))])
    messy = sp.csr_matrix((data[order], cols[order], indptr), shape=X.shape)
    assert not messy.has_canonical_format
    yield "unsorted with duplicates", messy
    yield "csc (converted)", sp.csc_matrix(X)


@pytest.fixture
def make_separable():
    return separable
