"""The Perceptron's integer PLA: where it runs, and that it changes no bit.

Integral CSR counts, an integral step ``2η`` and integral weights run the
cyclic PLA in int64 (``fastnn.linear._kernels.pla_integral_epochs``) where
``fastnn.linear.perceptron._integral_step`` bounds every value the float64
PLA computes by 2^53. Oracles: the NumPy twin (always the float64 PLA), the
dense path, and the float kernel itself (the integer path switched off).
Each test says which path ran, by a spy on the integer kernel.
"""

import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.exceptions import ConvergenceWarning

from fastnn.linear import Perceptron, perceptron, reference
from fastnn.linear import _kernels as K


def fit_quiet(model, X, y):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return model.fit(X, y)


def assert_same_training(a, b, msg):
    np.testing.assert_array_equal(a.coef_, b.coef_, err_msg=msg)
    np.testing.assert_array_equal(a.intercept_, b.intercept_, err_msg=msg)
    assert np.signbit(a.coef_).tolist() == np.signbit(b.coef_).tolist(), msg  # ±0 too
    np.testing.assert_array_equal(a.errors_, b.errors_, err_msg=msg)
    assert (a.n_iter_, a.n_updates_, a.converged_) == (b.n_iter_, b.n_updates_, b.converged_), msg
    np.testing.assert_array_equal(a._S, b._S, err_msg=f"{msg}: kernel state")


@pytest.fixture
def integral_calls(monkeypatch):
    """Count the integer kernel's calls (it still runs)."""
    calls = []

    def spy(*args, work):
        calls.append(work)
        return K.pla_integral_epochs(*args, work=work)

    monkeypatch.setattr(Perceptron, "_pla_integral_epochs", staticmethod(spy))
    return calls


class FloatOnly(Perceptron):
    """The Numba float64 PLA with the integer path switched off."""

    _pla_integral_epochs = None


def counts(rng, n, d, per_row=8, high=4, empty_rows=True):
    """Zipf-column counts as CSR int64 (some rows empty), and labels of both classes."""
    cols = np.minimum(rng.zipf(1.4, size=(n, per_row)) - 1, d - 1)
    rows = np.repeat(np.arange(n), per_row)
    X = sp.csr_matrix((rng.integers(1, high + 1, n * per_row), (rows, cols.ravel())), shape=(n, d))
    X.sum_duplicates()
    if empty_rows:
        X = X.multiply((rng.random(n) > 0.1)[:, None]).tocsr()  # empty documents
    score = X @ rng.standard_normal(d)
    y = np.where(score > np.median(score), 1, 0)
    y[:2] = [0, 1]
    return X, y


INTEGRAL = {
    "cyclic": {},
    "shuffle": {"shuffle": True, "random_state": 3},
    "eta 0.5": {"eta": 0.5},
    "eta 3 no intercept": {"eta": 3.0, "fit_intercept": False},
    "tol": {"tol": 0.05, "max_iter": 50},
}
FLOAT = {
    "eta 0.1": {"eta": 0.1},
    "init random": {"init": "random", "random_state": 7},
    "pocket": {"pocket": True},
    "average": {"average": True},
    "random": {"selection": "random", "random_state": 4},
}


@pytest.mark.parametrize("mode", list(INTEGRAL) + list(FLOAT))
@pytest.mark.parametrize("dtype", [np.int64, np.float64, np.uint8, np.int8])
def test_integral_counts_identical_on_either_path(mode, dtype, integral_calls, rng):
    X, y = counts(rng, 120, 40)
    X = X.astype(dtype)
    kwargs = {"max_iter": 6, **INTEGRAL.get(mode, FLOAT.get(mode))}
    got = fit_quiet(Perceptron(**kwargs), X, y)
    assert bool(integral_calls) == (mode in INTEGRAL), mode
    twin = fit_quiet(reference.Perceptron(**kwargs), X, y)
    assert_same_training(got, twin, f"{mode} {dtype.__name__} twin")
    assert_same_training(got, fit_quiet(FloatOnly(**kwargs), X, y), "float kernel")
    assert_same_training(got, fit_quiet(Perceptron(**kwargs), X.toarray(), y), "dense")


def test_bool_counts_run_in_integers(integral_calls, rng):
    X, y = counts(rng, 80, 30)
    X = X.astype(bool)
    got = fit_quiet(Perceptron(max_iter=4), X, y)
    assert integral_calls
    assert_same_training(got, fit_quiet(reference.Perceptron(max_iter=4), X, y), "bool")


@pytest.mark.parametrize(
    ("peak", "integral"), [(127, True), (-128, True), (128, False), (2.5, False)]
)
def test_values_past_int8_or_not_integers_take_the_float_path(peak, integral, integral_calls, rng):
    X, y = counts(rng, 100, 30)
    X = X.astype(np.int64 if float(peak).is_integer() else np.float64)
    X.data[7] = peak
    got = fit_quiet(Perceptron(max_iter=5), X, y)
    assert bool(integral_calls) == integral
    assert_same_training(got, fit_quiet(reference.Perceptron(max_iter=5), X, y), str(peak))


@pytest.mark.parametrize(
    ("dtype", "peak", "kept"),
    [(np.int64, 127, np.int8), (np.int64, -129, np.float64), (np.uint64, 2**64 - 1, np.float64),
     (np.int32, -128, np.int8), (np.bool_, True, np.int8)],
)  # fmt: skip
def test_integer_counts_are_read_exactly_without_a_float_copy(dtype, peak, kept):
    data = np.array([1, 0, peak], dtype=dtype)
    got = perceptron._exact_counts(data)
    assert got.dtype == kept
    np.testing.assert_array_equal(got.astype(np.float64), data.astype(np.float64))


def test_multiclass_serial_and_parallel_integers(integral_calls, rng, monkeypatch):
    X, y = counts(rng, 150, 25)
    y = rng.integers(0, 4, X.shape[0])
    serial = fit_quiet(Perceptron(max_iter=5), X, y)
    monkeypatch.setattr("fastnn._jit.PARALLEL_MIN_WORK", 0)
    parallel = fit_quiet(Perceptron(max_iter=5), X, y)
    assert len(integral_calls) == 2 and integral_calls[0] > 0  # one-vs-rest: work counted
    assert_same_training(serial, parallel, "threads")
    assert_same_training(serial, fit_quiet(reference.Perceptron(max_iter=5), X, y), "twin")


def test_partial_fit_carries_the_integer_state(integral_calls, rng):
    """Integer epochs leave the state the float kernel reads, e.g. when the pocket goes on."""
    X, y = counts(rng, 90, 20)
    got, twin = Perceptron(), reference.Perceptron()
    for model in (got, twin):
        for _ in range(3):
            model.partial_fit(X, y, classes=[0, 1])
        model.set_params(pocket=True)
        model.partial_fit(X, y)
        model.set_params(pocket=False, shuffle=True, random_state=2)
        model.partial_fit(X, y)
    assert len(integral_calls) == 4  # the pocket's epoch is the float kernel's
    np.testing.assert_array_equal(got.coef_, twin.coef_)
    np.testing.assert_array_equal(got._S, twin._S)
    np.testing.assert_array_equal(got._PW, twin._PW)


def _bound(X, c, updates):
    """The partial-sum bound of _integral_step, from zero weights."""
    peak = int(np.abs(X.data).max())
    longest = int(np.diff(X.indptr).max())
    return updates * c + longest * peak * updates * c * peak


def test_the_bound_decides_at_2_to_the_53(integral_calls, rng):
    X, y = counts(rng, 60, 20, high=9)
    X8 = X.astype(np.int8)
    rows = (X8.indptr, X8.indices, X8.data)
    epochs = 4
    updates = epochs * X.shape[0]
    per_c = _bound(X, 1, updates)
    c = perceptron.EXACT_INTEGERS // per_c  # the largest step the bound admits
    assert _bound(X, c, updates) <= perceptron.EXACT_INTEGERS < _bound(X, c + 1, updates)
    zeros, bias = np.zeros((1, X.shape[1])), np.zeros(1)
    assert perceptron._integral_step(rows, c / 2, zeros, bias, updates) == (c, np.int64)
    assert perceptron._integral_step(rows, (c + 1) / 2, zeros, bias, updates) is None
    # weights already there count: one more unit of them tips the same step over
    slack = (perceptron.EXACT_INTEGERS - _bound(X, c, updates)) // (
        int(np.abs(X.data).max()) * int(np.diff(X.indptr).max())
    )
    start = np.full((1, X.shape[1]), float(slack))
    assert perceptron._integral_step(rows, c / 2, start, bias, updates) == (c, np.int64)
    assert perceptron._integral_step(rows, c / 2, start + 1, bias, updates) is None
    for step, integral in ((c, True), (c + 1, False)):
        integral_calls.clear()
        model = Perceptron(eta=step / 2, max_iter=epochs, tol=None)
        got = model.fit(X, y)
        assert bool(integral_calls) == integral, step
        twin = reference.Perceptron(eta=step / 2, max_iter=epochs, tol=None).fit(X, y)
        assert_same_training(got, twin, f"step {step}")


def test_weights_in_int32_while_their_bound_fits(integral_calls, rng):
    X, y = counts(rng, 60, 20, high=9)
    X8 = X.astype(np.int8)
    rows = (X8.indptr, X8.indices, X8.data)
    epochs, peak = 3, int(np.abs(X.data).max())
    updates = epochs * X.shape[0]
    c = np.iinfo(np.int32).max // (updates * peak)  # the largest step int32 weights hold
    zeros, bias = np.zeros((1, X.shape[1])), np.zeros(1)
    assert perceptron._integral_step(rows, c / 2, zeros, bias, updates) == (c, np.int32)
    assert perceptron._integral_step(rows, (c + 1) / 2, zeros, bias, updates) == (c + 1, np.int64)
    for step in (c, c + 1):
        got = Perceptron(eta=step / 2, max_iter=epochs, tol=None).fit(X, y)
        twin = reference.Perceptron(eta=step / 2, max_iter=epochs, tol=None).fit(X, y)
        assert_same_training(got, twin, f"step {step}")
    assert len(integral_calls) == 2


def test_past_the_bound_float_rounding_is_kept(integral_calls, rng, monkeypatch):
    """A step of 53 bits makes float64 round (3 c needs 55): the float path must run, and
    an integer run there would differ from the twin, which is why the bound is checked."""
    X, y = counts(rng, 60, 12, high=3)
    eta = (2.0**53 - 1) / 2  # 2η an integer, every weight a multiple of it
    kwargs = {"eta": eta, "max_iter": 4, "tol": None}
    got = Perceptron(**kwargs).fit(X, y)
    assert not integral_calls
    twin = reference.Perceptron(**kwargs).fit(X, y)
    assert_same_training(got, twin, "float path")
    monkeypatch.setattr(perceptron, "EXACT_INTEGERS", 2**90)  # a wrong bound, on purpose
    forced = Perceptron(**kwargs).fit(X, y)
    assert integral_calls
    assert not np.array_equal(forced.coef_, twin.coef_)


@settings(max_examples=40, deadline=None)
@given(
    n=st.integers(2, 40),
    d=st.integers(1, 15),
    seed=st.integers(0, 2**32 - 1),
    step=st.sampled_from([1, 2, 3, 7]),
    shuffle=st.booleans(),
    low=st.sampled_from([0, -3]),
)
def test_property_integers_equal_the_twin(n, d, seed, step, shuffle, low):
    rng = np.random.default_rng(seed)
    dense = rng.integers(low, 4, (n, d)) * (rng.random((n, d)) < 0.4)
    y = rng.integers(0, 2, n)
    y[0], y[-1] = 0, 1
    X = sp.csr_matrix(dense)
    kwargs = {"eta": step / 2, "max_iter": 4, "shuffle": shuffle, "random_state": seed % 7}
    got = fit_quiet(Perceptron(**kwargs), X, y)
    assert_same_training(got, fit_quiet(reference.Perceptron(**kwargs), X, y), "twin")
    assert_same_training(got, fit_quiet(Perceptron(**kwargs), dense, y), "dense")
