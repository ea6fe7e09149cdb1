"""Tests of fastnn.linear.LinearSVM, the dual coordinate descent.

Oracles: scikit-learn's ``LinearSVC(dual=True)`` (liblinear), which solves
the same primal problem (the intercept a regularised constant feature), so
the objectives must agree within 0.1% and the predictions on >= 99.5% of
points; and the NumPy twin, the same algorithm with the same random stream
and BLAS dots, which must agree to rounding.
"""

import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.exceptions import ConvergenceWarning
from sklearn.svm import LinearSVC

from fastnn.linear import LinearSVM, reference
from fastnn.linear.svm import _primal_objective

from .conftest import blobs, csr_variants, noisy, separable

CASES = [  # (n, d, classes, spread)
    (300, 5, 2, 1.0),
    (500, 20, 2, 2.5),
    (400, 8, 3, 1.5),
    (250, 30, 4, 2.0),
]


def objective(model, X, y, C, loss):
    return _primal_objective(model.coef_, model.intercept_, X, y, model.classes_, C, loss)


def fit_quiet(model, X, y):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return model.fit(X, y)


@pytest.mark.parametrize("loss", ["squared_hinge", "hinge"])
@pytest.mark.parametrize("C", [0.1, 1.0, 10.0])
@pytest.mark.parametrize("case", CASES, ids=lambda c: "n{}-d{}-k{}".format(*c[:3]))
def test_objective_and_predictions_match_liblinear(loss, C, case, rng):
    n, d, k, spread = case
    X, y = blobs(rng, n, d, k, spread=spread)
    X /= 3.0
    ours = fit_quiet(LinearSVM(C=C, loss=loss, tol=1e-5, max_iter=20_000, random_state=0), X, y)
    theirs = fit_quiet(
        LinearSVC(C=C, loss=loss, dual=True, tol=1e-5, max_iter=20_000, random_state=0), X, y
    )
    mine, ref = objective(ours, X, y, C, loss), objective(theirs, X, y, C, loss)
    msg = f"loss={loss} C={C} case={case}"
    assert np.all(np.abs(mine - ref) <= 1e-3 * ref), (msg, mine, ref)
    assert np.mean(ours.predict(X) == theirs.predict(X)) >= 0.995, msg


def test_default_settings_match_liblinear_defaults(rng):
    X, y = blobs(rng, 2000, 10, 2, spread=2.0)
    ours = LinearSVM(random_state=0).fit(X / 3, y)
    theirs = LinearSVC(dual=True, random_state=0).fit(X / 3, y)
    mine, ref = (
        objective(ours, X / 3, y, 1.0, "squared_hinge"),
        objective(theirs, X / 3, y, 1.0, "squared_hinge"),
    )
    assert abs(mine[0] - ref[0]) <= 1e-3 * ref[0]
    assert ours.coef_.shape == theirs.coef_.shape and ours.intercept_.shape == (1,)


@pytest.mark.parametrize("loss", ["squared_hinge", "hinge"])
@pytest.mark.parametrize("fit_intercept", [True, False])
def test_agrees_with_the_numpy_twin(loss, fit_intercept, rng):
    for n, d, k in [(80, 3, 2), (150, 12, 3)]:
        X, y = blobs(rng, n, d, k, spread=2.0)
        kwargs = {"loss": loss, "fit_intercept": fit_intercept, "random_state": 1, "max_iter": 300}
        got = fit_quiet(LinearSVM(**kwargs), X, y)
        twin = fit_quiet(reference.LinearSVM(**kwargs), X, y)
        msg = f"loss={loss} intercept={fit_intercept} n={n} k={k}"
        np.testing.assert_allclose(got.coef_, twin.coef_, rtol=1e-7, atol=1e-9, err_msg=msg)
        np.testing.assert_allclose(got.intercept_, twin.intercept_, rtol=1e-7, atol=1e-9)
        assert got.n_iter_ == twin.n_iter_, msg


def test_sparse_agrees_with_dense(rng):
    X, y = blobs(rng, 120, 15, 3, spread=2.0)
    X[rng.random(X.shape) < 0.5] = 0.0
    X /= 3.0
    dense = LinearSVM(random_state=2, max_iter=2000).fit(X, y)
    for label, matrix in csr_variants(X, rng):
        before = matrix.copy()
        got = LinearSVM(random_state=2, max_iter=2000).fit(matrix, y)
        np.testing.assert_allclose(got.coef_, dense.coef_, rtol=1e-8, atol=1e-10, err_msg=label)
        np.testing.assert_array_equal(got.predict(matrix), dense.predict(X), err_msg=label)
        assert (matrix != before).nnz == 0, label
    twin = reference.LinearSVM(random_state=2, max_iter=2000).fit(sp.csr_matrix(X), y)
    np.testing.assert_allclose(twin.coef_, dense.coef_, rtol=1e-7, atol=1e-9)


def test_float32_input(rng):
    X, y = blobs(rng, 200, 6, 2, spread=2.0)
    X /= 3.0
    a = LinearSVM(random_state=0).fit(X.astype(np.float32), y)
    b = LinearSVM(random_state=0).fit(X.astype(np.float32).astype(np.float64), y)
    np.testing.assert_allclose(a.coef_, b.coef_, rtol=1e-12, atol=1e-14)
    assert a.coef_.dtype == np.float64


def test_separable_data_are_separated_with_margin(rng):
    X, y, _ = separable(rng, 200, 2, margin=0.2, labels=("no", "yes"))
    svm = LinearSVM(C=100.0, loss="hinge", random_state=0, max_iter=5000).fit(X, y)
    assert svm.score(X, y) == 1.0
    margins = np.where(y == "yes", 1, -1) * svm.decision_function(X)
    assert margins.min() >= 1 - 1e-2  # hard-margin limit: every point outside the margin


def test_random_state_reproducible(rng):
    X, y = noisy(rng, 200, 4, flip=0.1)
    a, b = (LinearSVM(random_state=5, loss="hinge", max_iter=5).fit for _ in range(2))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        np.testing.assert_array_equal(a(X, y).coef_, b(X, y).coef_)


def test_max_iter_warns(rng):
    X, y = noisy(rng, 300, 5, flip=0.2)
    with pytest.warns(ConvergenceWarning, match="max_iter=1 iterations"):
        svm = LinearSVM(max_iter=1, loss="hinge").fit(X, y)
    assert svm.n_iter_ == 1


@pytest.mark.parametrize(
    ("params", "error", "match"),
    [
        ({"C": 0}, ValueError, "C must be a finite number > 0"),
        ({"C": np.inf}, ValueError, "C must be a finite number > 0"),
        ({"loss": "log"}, ValueError, "loss must be one of 'squared_hinge', 'hinge'"),
        ({"tol": -1}, ValueError, "tol must be a number >= 0"),
        ({"max_iter": 0}, ValueError, "max_iter must be an integer >= 1"),
        ({"fit_intercept": "yes"}, TypeError, "fit_intercept must be True or False"),
    ],
)
def test_bad_parameters(params, error, match, rng):
    X, y = noisy(rng, 20, 2)
    with pytest.raises(error, match=match):
        LinearSVM(**params).fit(X, y)


def test_bad_data(rng):
    X, y = noisy(rng, 20, 3)
    with pytest.raises(ValueError, match="NaN"):
        LinearSVM().fit(np.where(X > 0.5, np.nan, X), y)
    with pytest.raises(ValueError, match="at least 2 classes"):
        LinearSVM().fit(X, np.ones(20))
    with pytest.raises(ValueError, match="X and y must have the same number of samples"):
        LinearSVM().fit(X, y[:5])
    svm = LinearSVM().fit(X, y)
    with pytest.raises(ValueError, match="X has 4 features, but LinearSVM is expecting 3"):
        svm.decision_function(np.ones((2, 4)))


def test_rows_whose_norm_overflows_raise(rng):
    X, y = noisy(rng, 20, 3)
    with pytest.raises(ValueError, match="too large for LinearSVM"):
        LinearSVM().fit(X * 1e200, y)
