"""Benchmark workloads of :mod:`fastnn.linear` and :mod:`fastnn.metrics` (registered in
:mod:`fastnn.bench.workloads`).

Each estimator workload times one ``fit`` and returns the weights
``[coef_, intercept_]`` flattened, so the registry's check compares them with
the NumPy twin's. The Perceptron's must be equal bit for bit (``rtol=0``) on
any CPU: kernel and twin make every decision as the same canonical sum (the
twin's BLAS dot settles a decision only when it is farther from 0 than any
summation order's rounding, a bound that holds whatever kernel BLAS picks),
and the updates are elementwise. The SVM's
twin runs the same dual coordinate descent with the same random stream but
BLAS dots, so its weights agree to rounding.
"""

import warnings

import numpy as np

from fastnn.bench.workload import Workload
from fastnn.testing import sum_tolerance


def _weights(model):
    return np.concatenate([model.coef_.ravel(), model.intercept_])


def _fitting(make_model, X_key="X"):
    """A setup that times ``make_model().fit(X, y)`` and returns its weights."""

    def setup(inputs):
        model, X, y = make_model(), inputs[X_key], inputs["y"]

        def run():
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # peers warn about max_iter by design here
                return _weights(model.fit(X, y))

        return run

    return setup


# --- pla_dense / pla_sparse: 10 epochs of the cyclic PLA -----------------------
PLA = {"max_iter": 10, "tol": None, "shuffle": False}


def _separable(rng, n, d):
    X = rng.standard_normal((n, d))
    w = rng.standard_normal(d)
    return {"X": X, "y": np.where(X @ w > 0, 1, -1)}


def _pla_dense_inputs(rng, quick):
    return _separable(rng, 10_000 if quick else 100_000, 50)


def _pla_sparse_inputs(rng, quick):
    import scipy.sparse as sp

    n, d, per_row = (10_000, 5_000, 50) if quick else (100_000, 50_000, 50)
    rows = np.repeat(np.arange(n), per_row)
    cols = rng.integers(0, d, n * per_row)
    X = sp.csr_matrix((rng.standard_normal(n * per_row), (rows, cols)), shape=(n, d))
    X.sum_duplicates()  # canonical, as a vectoriser makes it
    w = rng.standard_normal(d)
    return {"X": X, "y": np.where(X @ w > 0, 1, -1)}


def _pla_fastnn(inputs):
    from fastnn.linear import Perceptron

    return _fitting(lambda: Perceptron(**PLA))(inputs)


def _pla_numpy(inputs):
    from fastnn.linear import reference

    return _fitting(lambda: reference.Perceptron(**PLA))(inputs)


def _pla_sklearn(inputs):
    from sklearn.linear_model import Perceptron

    return _fitting(lambda: Perceptron(shuffle=False, tol=None, max_iter=10))(inputs)


# --- svm: the soft-margin SVM by dual coordinate descent -------------------------
SVM = {"C": 0.1, "loss": "squared_hinge", "tol": 1e-4}


def _svm_inputs(rng, quick):
    # Two unit-variance Gaussian classes whose means are 4 apart: 2.3% of the
    # points fall on the wrong side of the best plane. LinearSVC converges on
    # it at tol=1e-4 in ~200 iterations; with C=1 or the hinge loss it stops
    # at max_iter=1000, and with means 2 apart it takes 15× longer (and the
    # NumPy twin minutes).
    n, d = (10_000, 50) if quick else (100_000, 50)
    y = rng.integers(0, 2, n)
    mean = rng.standard_normal(d)
    mean *= 2.0 / np.linalg.norm(mean)
    X = rng.standard_normal((n, d)) + np.where(y[:, None] == 1, mean, -mean)
    return {"X": X, "y": y}


def _svm_fastnn(inputs):
    from fastnn.linear import LinearSVM

    return _fitting(lambda: LinearSVM(**SVM, random_state=0))(inputs)


def _svm_numpy(inputs):
    from fastnn.linear import reference

    return _fitting(lambda: reference.LinearSVM(**SVM, random_state=0))(inputs)


def _svm_sklearn(inputs):
    from sklearn.svm import LinearSVC

    return _fitting(lambda: LinearSVC(**SVM, dual=True, random_state=0))(inputs)


# --- cosine: 2,000 × 512 against 2,000 × 512 float32 -----------------------------
def _cosine_inputs(rng, quick):
    n, d = (500, 512) if quick else (2_000, 512)
    return {
        "a": rng.standard_normal((n, d), dtype=np.float32),
        "b": rng.standard_normal((n, d), dtype=np.float32),
    }


def _cosine_fastnn(inputs):
    from fastnn.metrics import cosine_similarity

    a, b = inputs["a"], inputs["b"]
    return lambda: cosine_similarity(a, b)


def _cosine_numpy(inputs):
    from fastnn.metrics import reference

    a, b = inputs["a"], inputs["b"]
    return lambda: reference.cosine_similarity(a, b)


def _cosine_sklearn(inputs):
    from sklearn.metrics.pairwise import cosine_similarity

    a, b = inputs["a"], inputs["b"]
    return lambda: cosine_similarity(a, b)


def _cosine_torch(inputs):
    import torch
    import torch.nn.functional as F

    a, b = torch.from_numpy(inputs["a"]), torch.from_numpy(inputs["b"])

    def run():
        with torch.no_grad():
            return F.normalize(a, dim=1) @ F.normalize(b, dim=1).T

    return run


WORKLOADS = [
    Workload(
        name="pla_dense",
        description="10 epochs of the cyclic PLA, 100,000 × 50 float64 separable (quick: 10,000)",
        make_inputs=_pla_dense_inputs,
        fastnn=_pla_fastnn,
        numpy=_pla_numpy,
        peers={"sklearn": _pla_sklearn},
        rtol=0.0,  # the same decisions, so the same weights, bit for bit
    ),
    Workload(
        name="pla_sparse",
        description="10 epochs of the cyclic PLA, CSR 100,000 × 50,000, 50 non-zeros a row "
        "(quick: 10,000 × 5,000)",
        make_inputs=_pla_sparse_inputs,
        fastnn=_pla_fastnn,
        numpy=_pla_numpy,
        peers={"sklearn": _pla_sklearn},
        rtol=0.0,
    ),
    Workload(
        name="svm",
        description="LinearSVM (squared hinge, C=0.1, tol=1e-4) to convergence, 100,000 × 50 "
        "(quick: 10,000)",
        make_inputs=_svm_inputs,
        fastnn=_svm_fastnn,
        numpy=_svm_numpy,
        peers={"sklearn": _svm_sklearn},
        rtol=1e-6,  # the twin's BLAS dots round differently
    ),
    Workload(
        name="cosine",
        description="cosine similarity, 2,000 × 512 against 2,000 × 512 float32 (quick: 500)",
        make_inputs=_cosine_inputs,
        fastnn=_cosine_fastnn,
        numpy=_cosine_numpy,
        peers={"sklearn": _cosine_sklearn, "torch": _cosine_torch},
        # float32 unit vectors normalised and multiplied in different orders
        # (BLAS picks its GEMM kernel by CPU): at most the reordering of
        # 2d + 4 terms of magnitude 1 (see fastnn.testing).
        rtol=float(sum_tolerance(2 * 512 + 4, np.float32)),
    ),
]
