"""Tests of fastnn.linear.Perceptron, the PLA.

Oracles: the NumPy twin :class:`fastnn.linear.reference.Perceptron` (a
Python loop with a BLAS dot per sample) must give *identical* weights, error
counts and update counts, for dense and CSR input, in every mode; the
averaged perceptron is also checked against its definition (the mean of the
weights after every sample) by a naive loop; the convergence theorem
(Novikoff's bound) on data built with a known margin.
"""

import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from hostile import layouts
from hypothesis import given
from hypothesis import strategies as st
from sklearn.datasets import load_iris
from sklearn.exceptions import ConvergenceWarning, NotFittedError

from fastnn._intrinsics import native_half
from fastnn.linear import Perceptron, perceptron, reference
from fastnn.linear._base import unique_labels

from .conftest import blobs, csr_variants, noisy, separable

MODES = {
    "cyclic": {},
    "shuffle": {"shuffle": True, "random_state": 3},
    "random": {"selection": "random", "random_state": 4},
    "pocket": {"pocket": True},
    "pocket random": {"pocket": True, "selection": "random", "random_state": 5},
    "average": {"average": True},
    "average shuffle": {"average": True, "shuffle": True, "random_state": 6},
    "init random": {"init": "random", "random_state": 7},
    "eta 0.1 no intercept": {"eta": 0.1, "fit_intercept": False},
}


@pytest.fixture(params=[False, True], ids=["float rows", "binary16 shadow"])
def shadow(request, monkeypatch):
    """Run a test twice: big-X rules as they are, and every dense X shadowed by binary16.

    The shadow needs binary16 conversions in the CPU Numba compiles for; without
    them the second run would repeat the first, so it is skipped, visibly.
    """
    if request.param:
        if not native_half():
            pytest.skip("no binary16 conversions in Numba's target CPU: no shadow to test")
        monkeypatch.setattr(perceptron, "SHADOW_MIN_BYTES", 0)
    return request.param


def fit_quiet(model, X, y):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return model.fit(X, y)


def assert_same_training(a, b, msg):
    np.testing.assert_array_equal(a.coef_, b.coef_, err_msg=msg)
    np.testing.assert_array_equal(a.intercept_, b.intercept_, err_msg=msg)
    np.testing.assert_array_equal(a.errors_, b.errors_, err_msg=msg)
    assert (a.n_iter_, a.n_updates_, a.converged_) == (b.n_iter_, b.n_updates_, b.converged_), msg


def test_logical_and_as_in_the_docstring():
    X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]])
    clf = Perceptron().fit(X, [0, 0, 0, 1])
    # by hand: w = 0 classifies all as -1; the first mistake is (1, 1), w += 2·(1, 1, 1) ...
    np.testing.assert_array_equal(clf.predict(X), [0, 0, 0, 1])
    assert clf.converged_ and clf.errors_[-1] == 0
    assert clf.n_updates_ == clf.errors_.sum()


def test_update_rule_by_hand():
    """One epoch, w ← w + η (y − ŷ) x on each mistake, sgn(0) = −1."""
    X = np.array([[1.0, 2.0], [-1.0, 0.5], [3.0, -1.0]])
    y = np.array([1, -1, 1])
    w, b = np.zeros(2), 0.0
    for x, t in zip(X, y, strict=True):
        y_hat = 1 if b + x @ w > 0 else -1
        w, b = w + 0.5 * (t - y_hat) * x, b + 0.5 * (t - y_hat)
    clf = Perceptron(eta=0.5, max_iter=1, tol=None).fit(X, y)
    np.testing.assert_array_equal(clf.coef_[0], w)
    np.testing.assert_array_equal(clf.intercept_, [b])


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("shape", [(2, 3), (40, 1), (60, 7), (150, 9), (200, 24)])
def test_separable_converges_to_zero_error(mode, shape, rng):
    n, d = shape
    origin = MODES[mode].get("fit_intercept") is False
    X, y, _ = separable(rng, n, d, margin=0.05, through_origin=origin)
    while len(np.unique(y)) < 2:
        X, y, _ = separable(rng, n, d, margin=0.05, through_origin=origin)
    clf = fit_quiet(Perceptron(**MODES[mode]), X, y)
    if MODES[mode].get("average"):
        return  # the average of the weights need not separate; covered below
    msg = f"mode={mode} shape={shape}"
    assert clf.converged_, msg
    assert clf.errors_[-1] == 0, msg
    assert clf.score(X, y) == 1.0, msg


@pytest.mark.parametrize("mode", ["cyclic", "shuffle", "random"])
def test_updates_respect_the_convergence_bound(mode, rng):
    """Novikoff: from w = 0 the PLA makes at most (R/γ)² updates, whatever the order."""
    for trial in range(5):
        d = int(rng.integers(2, 8))
        X, y, u = separable(rng, 120, d, margin=0.1)
        Xa = np.hstack([np.ones((len(X), 1)), X])  # x_0 = 1 for the bias
        gamma = np.min(np.where(y == 1, 1, -1) * (Xa @ u))  # u is a unit vector
        radius = np.max(np.linalg.norm(Xa, axis=1))
        kwargs = {**MODES[mode], "random_state": trial} if mode != "cyclic" else {}
        clf = Perceptron(eta=float(rng.uniform(0.1, 3)), **kwargs).fit(X, y)
        assert clf.converged_
        assert clf.n_updates_ <= (radius / gamma) ** 2, (mode, trial, clf.n_updates_)


def test_noise_warns_and_the_pocket_does_better(rng):
    X, y = noisy(rng, 300, 5, flip=0.1)
    with pytest.warns(ConvergenceWarning, match="use pocket=True") as caught:
        plain = Perceptron(max_iter=30).fit(X, y)
    assert f"the last epoch made {plain.errors_[-1]} training errors" in str(caught[0].message)
    with pytest.warns(ConvergenceWarning, match="the last weights make .* use pocket=True"):
        Perceptron(max_iter=2, selection="random", random_state=0).fit(X, y)
    with pytest.warns(ConvergenceWarning, match="pocket already returns") as caught:
        pocket = Perceptron(max_iter=30, pocket=True).fit(X, y)
    assert "pocket=True" not in str(caught[0].message)  # it is on: never suggested again
    assert f"make {pocket.errors_[-1]} training errors" in str(caught[0].message)
    assert pocket.score(X, y) >= plain.score(X, y)
    assert pocket.score(X, y) >= 0.85
    # the ratchet: the pocket only ever gets better, and errors_ counts its weights
    assert np.all(np.diff(pocket.errors_) <= 0)
    assert pocket.errors_[-1] == np.count_nonzero(pocket.predict(X) != y)


def test_pocket_random_selection_also_ratchets(rng):
    X, y = noisy(rng, 120, 4, flip=0.15)
    clf = fit_quiet(Perceptron(max_iter=5, pocket=True, selection="random", random_state=0), X, y)
    assert np.all(np.diff(clf.errors_) <= 0)
    assert clf.errors_[-1] == np.count_nonzero(clf.predict(X) != y)


def test_tol_stops_at_the_error_rate(rng):
    X, y = noisy(rng, 200, 4, flip=0.05)
    clf = fit_quiet(Perceptron(tol=0.2, pocket=True), X, y)
    assert clf.converged_ and clf.errors_[-1] <= 0.2 * 200
    assert np.all(clf.errors_[:-1] > 0.2 * 200)


def test_tol_none_runs_every_epoch_without_warning(rng):
    X, y, _ = separable(rng, 50, 3, margin=0.1)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        clf = Perceptron(tol=None, max_iter=17).fit(X, y)
    assert clf.n_iter_ == 17 and len(clf.errors_) == 17 and not clf.converged_


def test_averaged_perceptron_is_the_mean_of_the_weights(rng):
    X, y = noisy(rng, 40, 3, flip=0.2)
    t = np.where(y == 1, 1, -1)
    w, total, steps = np.zeros(4), np.zeros(4), 0
    Xa = np.hstack([np.ones((40, 1)), X])
    for _ in range(3):
        for x, label in zip(Xa, t, strict=True):
            if (1 if x @ w > 0 else -1) != label:
                w = w + 2 * label * x
            total += w
            steps += 1
    clf = Perceptron(average=True, max_iter=3, tol=None).fit(X, y)
    np.testing.assert_allclose(clf.intercept_[0], total[0] / steps, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(clf.coef_[0], total[1:] / steps, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("mode", MODES)
def test_identical_to_the_numpy_twin(mode, rng, shadow):
    for n, d, k in [(30, 2, 2), (120, 11, 2), (90, 6, 3)]:
        X, y = blobs(rng, n, d, k, spread=2.0)  # overlapping: updates in every epoch
        kwargs = {**MODES[mode], "max_iter": 6}
        got = fit_quiet(Perceptron(**kwargs), X, y)
        twin = fit_quiet(reference.Perceptron(**kwargs), X, y)
        assert_same_training(got, twin, f"mode={mode} n={n} d={d} classes={k}")


@pytest.mark.parametrize("mode", MODES)
def test_sparse_gives_identical_weights(mode, rng, shadow):
    X, y = blobs(rng, 80, 13, 3, spread=2.0)
    X[rng.random(X.shape) < 0.6] = 0.0
    kwargs = {**MODES[mode], "max_iter": 5}
    dense = fit_quiet(Perceptron(**kwargs), X, y)
    for label, matrix in csr_variants(X, rng):
        msg = f"mode={mode} {label}"
        before = matrix.copy()
        got = fit_quiet(Perceptron(**kwargs), matrix, y)
        assert_same_training(got, dense, msg)
        np.testing.assert_array_equal(got.predict(matrix), dense.predict(X), err_msg=msg)
        assert (matrix != before).nnz == 0 and matrix.format == before.format, msg
    twin = fit_quiet(reference.Perceptron(**kwargs), sp.csr_matrix(X), y)
    assert_same_training(twin, dense, f"mode={mode} sparse twin")


def test_float32_is_exact_on_its_values(rng):
    X, y = blobs(rng, 100, 9, 2, spread=2.0)
    X32 = X.astype(np.float32)
    a = fit_quiet(Perceptron(max_iter=8), X32, y)
    b = fit_quiet(Perceptron(max_iter=8), X32.astype(np.float64), y)
    assert_same_training(a, b, "float32")
    assert a.coef_.dtype == np.float64
    c = fit_quiet(Perceptron(max_iter=8), sp.csr_matrix(X32), y)
    assert_same_training(c, b, "float32 csr")


def test_hostile_layouts_give_the_same_weights(rng):
    X, y = blobs(rng, 60, 10, 2, spread=2.0)
    expected = fit_quiet(Perceptron(max_iter=5), X, y)
    for label, variant in layouts(X):
        before = variant.copy()
        got = fit_quiet(Perceptron(max_iter=5), variant, y)
        assert_same_training(got, expected, label)
        np.testing.assert_array_equal(variant, before, err_msg=label)
    for dtype in (np.int16, np.int64, np.bool_):
        Xi = (X > 0).astype(dtype)
        np.testing.assert_array_equal(
            fit_quiet(Perceptron(max_iter=5), Xi, y).coef_,
            fit_quiet(Perceptron(max_iter=5), Xi.astype(np.float64), y).coef_,
        )


def test_random_selection_is_reproducible(rng):
    X, y = noisy(rng, 60, 3, flip=0.1)
    fits = [
        fit_quiet(Perceptron(selection="random", random_state=s, max_iter=4), X, y)
        for s in (1, 1, 2)
    ]
    assert_same_training(fits[0], fits[1], "same seed")
    assert not np.array_equal(fits[0].coef_, fits[2].coef_)
    state = np.random.RandomState(9)
    a = fit_quiet(Perceptron(selection="random", random_state=state, max_iter=2), X, y)
    b = fit_quiet(Perceptron(selection="random", random_state=state, max_iter=2), X, y)
    assert not np.array_equal(a.coef_, b.coef_)  # a RandomState instance advances


def test_string_labels_and_their_order(rng):
    X, y, _ = separable(rng, 80, 3, margin=0.1, labels=("spam", "ham"))
    clf = Perceptron().fit(X, y)
    assert clf.classes_.tolist() == ["ham", "spam"]
    assert clf.coef_.shape == (1, 3)
    np.testing.assert_array_equal(clf.predict(X), y)
    # positive scores mean classes_[1]
    assert set(clf.predict(X)[clf.decision_function(X) > 0]) <= {"spam"}


def test_multiclass_iris():
    iris = load_iris()
    X = (iris.data - iris.data.mean(0)) / iris.data.std(0)
    clf = Perceptron(pocket=True, max_iter=50, tol=None).fit(X, iris.target_names[iris.target])
    assert clf.coef_.shape == (3, 4) and clf.intercept_.shape == (3,)
    assert clf.decision_function(X).shape == (150, 3)
    assert clf.score(X, iris.target_names[iris.target]) >= 0.9
    twin = reference.Perceptron(pocket=True, max_iter=50, tol=None).fit(X, iris.target)
    np.testing.assert_array_equal(clf.coef_, twin.coef_)


def test_partial_fit_is_fit_one_epoch_at_a_time(rng):
    X, y = blobs(rng, 90, 5, 3, spread=2.0)
    whole = Perceptron(max_iter=4, tol=None, average=True).fit(X, y)
    steps = Perceptron(average=True)
    for _ in range(4):
        steps.partial_fit(X, y, classes=[0, 1, 2])
    assert_same_training(steps, whole, "partial_fit")
    with pytest.raises(ValueError, match="classes must be passed"):
        Perceptron().partial_fit(X, y)
    with pytest.raises(ValueError, match="labels not in classes"):
        Perceptron().partial_fit(X, y, classes=[0, 1])
    with pytest.raises(ValueError, match="features"):
        steps.partial_fit(X[:, :3], y)


def test_verbose_prints_each_epoch(rng, capsys):
    X, y, _ = separable(rng, 30, 2, margin=0.2)
    clf = Perceptron(verbose=1).fit(X, y)
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == clf.n_iter_ and lines[-1].endswith("0 training errors")


@pytest.mark.parametrize(
    ("make", "match"),
    [
        (lambda X, y: (np.where(X > 0, np.nan, X), y), "NaN"),
        (lambda X, y: (np.where(X > 0, np.inf, X), y), "infinity"),
        (lambda X, y: (X, np.zeros_like(y)), "at least 2 classes"),
        (lambda X, y: (X, y[:-1]), "X and y must have the same number of samples"),
        (lambda X, y: (X[:, :0], y), "0 feature"),
        (lambda X, y: (X[:0], y[:0]), "0 sample"),
        (lambda X, y: (X + 1j, y), "Complex data not supported"),
        (lambda X, y: (X, y + 0.5), "Unknown label type"),
        (lambda X, y: (X[:, 0], y), "Expected 2D array"),
        (lambda X, y: (X, None), "requires y to be passed"),
    ],
)
def test_bad_training_data_raise_clear_errors(make, match, rng, shadow):
    X, y, _ = separable(rng, 20, 3)
    X, y = make(X, y)
    with pytest.raises(ValueError, match=match):
        Perceptron().fit(X, y)


def test_bad_prediction_data(rng):
    X, y, _ = separable(rng, 20, 3, margin=0.1)
    with pytest.raises(NotFittedError):
        Perceptron().predict(X)
    clf = Perceptron().fit(X, y)
    with pytest.raises(ValueError, match="X has 2 features, but Perceptron is expecting 3"):
        clf.predict(X[:, :2])
    with pytest.raises(ValueError, match="NaN"):
        clf.predict(np.full((2, 3), np.nan))


@pytest.mark.parametrize(
    ("params", "error", "match"),
    [
        ({"eta": 0.0}, ValueError, "eta must be a finite number > 0"),
        ({"eta": "1"}, TypeError, "eta must be a real number"),
        ({"max_iter": 0}, ValueError, "max_iter must be an integer >= 1"),
        ({"max_iter": 2.5}, TypeError, "max_iter must be an integer"),
        ({"tol": 1.5}, ValueError, "tol must be a number between 0 and 1"),
        ({"selection": "any"}, ValueError, "selection must be one of 'cyclic', 'random'"),
        ({"init": None}, TypeError, "init must be a string"),
        ({"shuffle": 1}, TypeError, "shuffle must be True or False"),
        ({"pocket": True, "average": True}, ValueError, "pocket and average"),
        ({"verbose": -1}, ValueError, "verbose must be an integer >= 0"),
    ],
)
def test_bad_parameters_raise_at_fit(params, error, match, rng):
    X, y, _ = separable(rng, 10, 2)
    clf = Perceptron(**params)  # stored untouched
    assert clf.get_params()[next(iter(params))] is next(iter(params.values()))
    with pytest.raises(error, match=match):
        clf.fit(X, y)


@given(
    n=st.integers(2, 40),
    d=st.integers(1, 12),
    seed=st.integers(0, 2**32 - 1),
    mode=st.sampled_from(sorted(MODES)),
    shadowed=st.booleans() if native_half() else st.just(False),  # as the fixture `shadow`
)
def test_property_kernel_equals_twin_and_csr(n, d, seed, mode, shadowed):
    rng = np.random.default_rng(seed)
    X = np.round(rng.standard_normal((n, d)), 1)  # ties and exact zeros on purpose
    y = rng.integers(0, 2, n)
    y[0], y[-1] = 0, 1
    kwargs = {**MODES[mode], "max_iter": 3}
    with pytest.MonkeyPatch.context() as patch:
        if shadowed:
            patch.setattr(perceptron, "SHADOW_MIN_BYTES", 0)
        got = fit_quiet(Perceptron(**kwargs), X, y)
    assert_same_training(got, fit_quiet(reference.Perceptron(**kwargs), X, y), "twin")
    assert_same_training(got, fit_quiet(Perceptron(**kwargs), sp.csr_matrix(X), y), "csr")


@pytest.mark.parametrize(
    ("native", "n_features", "epochs", "shadowed"),
    [(True, 6, 5, True), (False, 6, 5, False), (True, 6, 2, False), (True, 8193, 5, False)],
)
def test_shadow_only_where_it_applies(native, n_features, epochs, shadowed, monkeypatch):
    """binary16 rows need the CPU's conversions, enough epochs to repay the copy, and
    rows short enough for the float32 rounding bound; else the float rows are used."""
    monkeypatch.setattr(perceptron, "SHADOW_MIN_BYTES", 0)
    monkeypatch.setattr(perceptron, "native_half", lambda: native)
    X = np.ones((3, n_features))
    rows, norms = perceptron._pla_rows(X, epochs)
    assert isinstance(rows, tuple) == shadowed
    np.testing.assert_allclose(norms, np.sqrt(n_features), rtol=1e-3 if shadowed else 1e-15)


@pytest.mark.parametrize(
    "peak", [65504.0, 65520.0, 3.5e38, 1e39, 6e-8, 1e-40, 1e-46, 1e-160, 1e-300]
)
def test_shadow_out_of_range_stays_exact(peak, rng, monkeypatch):
    """Single values past binary16's or float32's range, or in their subnormal ones, or
    whose squares underflow, in a row or filling it: the shadow still decides exactly."""
    monkeypatch.setattr(perceptron, "SHADOW_MIN_BYTES", 0)
    X, y = blobs(rng, 50, 6, 2, spread=2.0)
    X[7, 2] = peak
    X[11] *= peak
    got = fit_quiet(Perceptron(max_iter=5), X, y)
    assert_same_training(got, fit_quiet(reference.Perceptron(max_iter=5), X, y), f"{peak}")
    assert_same_training(got, fit_quiet(Perceptron(max_iter=5), sp.csr_matrix(X), y), "csr")


@pytest.mark.parametrize("scale", [1e300, 1e-300, 1e154, 5e-324])
def test_extreme_magnitudes_stay_exact(scale, rng, shadow):
    X, y = blobs(rng, 40, 5, 2, spread=2.0)
    X = X * scale
    got = fit_quiet(Perceptron(max_iter=4), X, y)
    assert np.isfinite(got.coef_).all()
    assert_same_training(got, fit_quiet(reference.Perceptron(max_iter=4), X, y), f"{scale}")
    assert_same_training(got, fit_quiet(Perceptron(max_iter=4), sp.csr_matrix(X), y), "csr")


@given(
    values=st.lists(st.integers(-(2**63), 2**64 - 1), max_size=60),
    dtype=st.sampled_from([np.int8, np.int16, np.int32, np.int64, np.uint8, np.uint64]),
)
def test_class_labels_by_counting_equal_np_unique(values, dtype):
    info = np.iinfo(dtype)
    y = np.array([min(max(v, info.min), info.max) for v in values], dtype=dtype)
    got = unique_labels(y)
    assert got.dtype == y.dtype
    np.testing.assert_array_equal(got, np.unique(y))


def zipf_counts(rng, n, d, per_row=12, peak=None):
    """A bag of words' counts: ``per_row`` draws a row from Zipf-distributed columns, as CSR."""
    cols = np.minimum(rng.zipf(1.3, size=(n, per_row)) - 1, d - 1)
    rows = np.repeat(np.arange(n), per_row)
    X = sp.csr_matrix((np.ones(n * per_row), (rows, cols.ravel())), shape=(n, d))
    X.sum_duplicates()
    if peak is not None:
        X.data[rng.integers(0, X.nnz)] = peak
    score = X @ rng.standard_normal(d)
    return X, np.where(score > np.median(score), 1, 0)  # both classes, not separable by much


@pytest.mark.parametrize("mode", MODES)
def test_zipf_counts_narrowed_stay_identical(mode, rng):
    # The CSR scan reads counts as int8 and columns as uint16 (exactly): the
    # weights must equal the dense path's and the twin's to the bit.
    X, y = zipf_counts(rng, 300, 500)
    kwargs = {**MODES[mode], "max_iter": 4}
    got = fit_quiet(Perceptron(**kwargs), X, y)
    assert_same_training(got, fit_quiet(Perceptron(**kwargs), X.toarray(), y), mode)
    assert_same_training(got, fit_quiet(reference.Perceptron(**kwargs), X, y), f"{mode} twin")
    for dtype in (np.float32, np.int64, np.int8):
        assert_same_training(got, fit_quiet(Perceptron(**kwargs), X.astype(dtype), y), str(dtype))


@pytest.mark.parametrize(
    ("peak", "narrowed"),
    [(127.0, True), (-128.0, True), (128.0, False), (-129.0, False), (2.5, False), (-0.0, False)],
)
def test_counts_narrow_only_where_exact(peak, narrowed, rng):
    X, y = zipf_counts(rng, 40, 30, peak=peak)
    _, indices, data = perceptron._narrow_csr(X.indptr, X.indices, X.data)
    assert (data.dtype == np.int8) == narrowed and indices.dtype == np.uint16
    np.testing.assert_array_equal(indices, X.indices)
    if narrowed:
        np.testing.assert_array_equal(data, X.data)
    else:
        assert data is X.data
    got = fit_quiet(Perceptron(max_iter=5), X, y)
    assert_same_training(got, fit_quiet(Perceptron(max_iter=5), X.toarray(), y), str(peak))


def test_wide_columns_keep_their_index_type(rng):
    X, y = zipf_counts(rng, 30, 70_000, per_row=5)
    X = X.tolil()
    X[0, 69_999] = 2.0  # a column past uint16's range
    X = X.tocsr()
    indices = perceptron._narrow_csr(X.indptr, X.indices, X.data)[1]
    assert indices is X.indices
    got = fit_quiet(Perceptron(max_iter=5), X, y)
    assert_same_training(got, fit_quiet(reference.Perceptron(max_iter=5), X, y), "wide")


def test_partial_fit_runs_the_wide_rows(rng, monkeypatch):
    # one epoch does not repay the narrowing pass: partial_fit keeps the rows as they are
    X, y = zipf_counts(rng, 50, 40)
    seen = []
    monkeypatch.setattr(perceptron, "_narrow_csr", lambda *rows: seen.append(1) or rows)
    fit_quiet(Perceptron(max_iter=perceptron.NARROW_MIN_EPOCHS - 1), X, y)
    Perceptron().partial_fit(X, y, classes=[0, 1])
    assert not seen
    fit_quiet(Perceptron(max_iter=perceptron.NARROW_MIN_EPOCHS), X, y)
    assert seen


def test_narrowing_leaves_nan_to_the_validation():
    data = np.array([1.0, np.nan, 3.0])
    assert perceptron._narrow_csr(np.array([0, 3]), np.array([0, 1, 2], np.int32), data)[2] is data
