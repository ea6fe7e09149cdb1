"""What a scikit-learn user expects of MLPClassifier/MLPRegressor beyond the basics.

The stratified early-stopping split, multilabel targets and the L-BFGS
solver, each against scikit-learn's own estimator, and their bad inputs.
"""

import math
import warnings

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from sklearn import neural_network as sk
from sklearn.datasets import make_multilabel_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils.estimator_checks import parametrize_with_checks

from fastnn.datasets import load_digits
from fastnn.nn import MLPClassifier, MLPRegressor, gradcheck, load, reference
from fastnn.testing import assert_reordered_close

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


def _digits(n=600):
    X, y = load_digits(return_X_y=True)
    return X[:n] / 16, y[:n]


# -- early stopping: a validation set stratified by class -----------------------


class _Recorder(MLPClassifier):
    """Keeps the validation labels that fit split off (for the test only)."""

    def _split(self, X, y):
        parts = super()._split(X, y)
        self.split_ = parts
        return parts


@given(st.integers(0, 2**31 - 1), st.floats(0.1, 0.4))
def test_the_validation_split_keeps_every_class_in_proportion(seed, fraction):
    rng = np.random.default_rng(seed)
    # An unbalanced problem: class 2 is rare, as where stratification matters.
    y = np.repeat(np.array(["a", "b", "rare"]), [60, 30, 10])
    X = rng.normal(size=(len(y), 3))
    clf = _Recorder((4,), early_stopping=True, validation_fraction=fraction, max_iter=2,
                    random_state=seed).fit(X, y)  # fmt: skip
    y_val = clf.split_[3]
    n_val = math.ceil(fraction * len(y))  # train_test_split's size for test_size=fraction
    assert len(y_val) == n_val
    for label, count in zip(*np.unique(y, return_counts=True), strict=True):
        # train_test_split's stratified counts: within one of the proportion
        assert abs(np.sum(y_val == label) - count * n_val / len(y)) <= 1, (label, seed, fraction)


def test_early_stopping_split_matches_scikit_learns_class_counts():
    X, y = _digits(500)
    ours = _Recorder((8,), early_stopping=True, max_iter=2, random_state=0).fit(X, y)
    from sklearn.model_selection import train_test_split

    _, _, _, y_val = train_test_split(X, y, test_size=0.1, stratify=y, random_state=0)
    counts = np.bincount(ours.split_[3], minlength=10)
    np.testing.assert_allclose(counts, np.bincount(y_val, minlength=10), atol=1)


def test_early_stopping_with_a_class_too_rare_to_split_names_validation_fraction():
    X = np.arange(20, dtype=float)[:, None]
    y = np.array([0] * 19 + [1])
    with pytest.raises(ValueError, match=r"validation_fraction=0\.1.*least populated class"):
        MLPClassifier((3,), early_stopping=True, max_iter=2).fit(X, y)


def test_early_stopping_with_multilabel_targets_is_not_stratified():
    X, Y = make_multilabel_classification(n_samples=120, n_classes=4, random_state=0)
    clf = MLPClassifier((8,), early_stopping=True, max_iter=5, random_state=0).fit(X, Y)
    assert len(clf.validation_scores_) == clf.n_iter_


# -- multilabel targets ---------------------------------------------------------


def test_multilabel_fit_predict_and_proba_as_scikit_learns():
    X, Y = make_multilabel_classification(n_samples=300, n_features=10, n_classes=5,
                                          random_state=0)  # fmt: skip
    X = X / X.max()
    kwargs = dict(hidden_layer_sizes=(32,), max_iter=300, learning_rate_init=0.01, random_state=0)
    ours, theirs = MLPClassifier(**kwargs).fit(X, Y), sk.MLPClassifier(**kwargs).fit(X, Y)
    assert ours.predict(X).shape == Y.shape and set(np.unique(ours.predict(X))) <= {0, 1}
    np.testing.assert_array_equal(ours.classes_, theirs.classes_)
    proba = ours.predict_proba(X)
    assert proba.shape == Y.shape and np.all((proba > 0) & (proba < 1))
    np.testing.assert_array_equal(ours.predict(X), (proba > 0.5).astype(int))
    # The same loss (Σ over labels of the log loss, mean over samples), so
    # about the same fit and subset accuracy (here 1.78 and 0.47 against 1.82, 0.48).
    assert ours.loss_ == pytest.approx(theirs.loss_, rel=0.1)
    assert ours.score(X, Y) >= theirs.score(X, Y) - 0.05


def test_multilabel_loss_is_the_sum_of_sigmoid_log_losses(rng):
    X = rng.normal(size=(7, 3))
    Y = rng.integers(0, 2, (7, 4))
    Y[0] = [0, 1, 0, 1]  # every column holds both labels
    Y[1] = [1, 0, 1, 0]
    clf = MLPClassifier((5,), "tanh", max_iter=3, alpha=0.0, random_state=0).fit(X, Y)
    net = clf._net
    z = reference.forward(net.weights, net.biases, net.activations, X)
    p = 1 / (1 + np.exp(-z))
    expected = -np.mean(np.sum(Y * np.log(p) + (1 - Y) * np.log(1 - p), axis=1))
    value = net.gradients(X, Y, "binary_cross_entropy")[0]
    assert value == pytest.approx(expected, rel=1e-12)
    np.testing.assert_allclose(clf.predict_proba(X), p, rtol=1e-12)
    assert gradcheck(clf, X, Y, loss="binary_cross_entropy") < 1e-6


def test_multilabel_save_load_partial_fit_and_bad_targets(rng, tmp_path):
    X = rng.normal(size=(40, 3))
    Y = rng.integers(0, 2, (40, 3))
    clf = MLPClassifier((4,), max_iter=5, random_state=0).fit(X, Y)
    clf.save(tmp_path / "m.npz")
    np.testing.assert_array_equal(load(tmp_path / "m.npz")._net.params, clf._net.params)
    assert_reordered_close(load(tmp_path / "m.npz").predict_proba(X), clf.predict_proba(X),
                           length=3 + 4)  # BLAS products of the same parameters  # fmt: skip
    clf.partial_fit(X, Y)
    with pytest.raises(ValueError, match="y must be 3 columns"):
        clf.partial_fit(X, Y[:, :2])
    with pytest.raises(ValueError, match="y must be a 2-D multilabel indicator matrix"):
        clf.partial_fit(X, Y[:, 0])
    with pytest.raises(ValueError, match=r"multilabel indicator matrix of 0 and 1.*multiclass"):
        MLPClassifier().fit(X, Y + Y[:, ::-1])
    with pytest.raises(ValueError, match="multilabel indicator matrix of 0 and 1"):
        MLPClassifier().fit(X, Y * 2)
    single = MLPClassifier((4,), max_iter=5, random_state=0).fit(X, Y[:, 0])
    with pytest.raises(ValueError, match="y must be 1-D class labels"):
        single.partial_fit(X, Y)


# -- solver="lbfgs" ---------------------------------------------------------------


@parametrize_with_checks([MLPClassifier(solver="lbfgs", max_iter=50),
                          MLPRegressor(solver="lbfgs", max_iter=50)])  # fmt: skip
def test_lbfgs_keeps_the_scikit_learn_contract(estimator, check):
    check(estimator)


@pytest.mark.parametrize("model", ["classifier", "regressor"])
def test_lbfgs_from_the_same_weights_follows_scikit_learns_path(model):
    # Same start, same loss (one output, so the same ½ mean squared error; the
    # digits' softmax log loss), same minimiser: the same iterates, to rounding.
    X, y = _digits(300)
    if model == "regressor":
        y = np.sin(y / 3.0)
    kwargs = dict(hidden_layer_sizes=(16,), activation="tanh", solver="lbfgs", alpha=1e-3,
                  max_iter=1, warm_start=True, random_state=0)  # fmt: skip
    Theirs, Ours = ((sk.MLPClassifier, MLPClassifier) if model == "classifier"
                    else (sk.MLPRegressor, MLPRegressor))  # fmt: skip
    theirs, ours = Theirs(**kwargs).fit(X, y), Ours(**kwargs).fit(X, y)  # build both
    start = [w.copy() for w in ours.coefs_ + ours.intercepts_]
    theirs.coefs_, theirs.intercepts_ = start[:2], start[2:]
    theirs.set_params(max_iter=20).fit(X, y)
    ours._net.params[...] = np.concatenate([w.ravel() for w in start])
    ours.set_params(max_iter=20).fit(X, y)
    assert ours.n_iter_ == theirs.n_iter_ == 20
    assert ours.loss_ == pytest.approx(theirs.loss_, rel=1e-6)
    for got, expected in zip(ours.coefs_, theirs.coefs_, strict=True):
        np.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-6)


def test_lbfgs_reaches_scikit_learns_fit_on_the_digits():
    X, y = _digits(600)
    kwargs = dict(hidden_layer_sizes=(32,), solver="lbfgs", max_iter=200, random_state=0)
    ours = MLPClassifier(**kwargs).fit(X, y)
    theirs = sk.MLPClassifier(**kwargs).fit(X, y)
    assert ours.score(X, y) >= theirs.score(X, y) - 0.01
    assert ours.loss_ < 0.05 and len(ours.loss_curve_) == ours.n_iter_
    assert not hasattr(ours, "partial_fit")


def test_lbfgs_max_iter_max_fun_and_tol_stop_it_as_scikit_learns():
    X, y = _digits(300)
    kwargs = dict(hidden_layer_sizes=(16,), solver="lbfgs", random_state=0)
    with pytest.warns(ConvergenceWarning, match="lbfgs failed to converge after 5 iteration"):
        short = MLPClassifier(max_iter=5, **kwargs).fit(X, y)
    assert short.n_iter_ == 5
    with pytest.warns(ConvergenceWarning, match="max_fun=3"):
        MLPClassifier(max_iter=100, max_fun=3, **kwargs).fit(X, y)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        loose = MLPClassifier(max_iter=500, tol=1e-1, **kwargs).fit(X, y)
    assert loose.n_iter_ < 500


def test_lbfgs_float32_trains_in_float32(rng):
    X = rng.normal(size=(80, 4)).astype(np.float32)
    y = (X[:, 0] * X[:, 1] > 0).astype(int)
    clf = MLPClassifier((8,), "tanh", solver="lbfgs", max_iter=100, random_state=0).fit(X, y)
    assert clf.coefs_[0].dtype == np.float32 and clf.score(X, y) > 0.9


@pytest.mark.parametrize(
    ("params", "error", "match"),
    [
        ({"max_fun": 0}, ValueError, "max_fun"),
        ({"max_fun": 2.5}, TypeError, "max_fun"),
        ({"solver": "LBFGS"}, ValueError, "solver"),
    ],
)
def test_lbfgs_bad_parameters(params, error, match):
    with pytest.raises(error, match=match):
        MLPRegressor(**{"solver": "lbfgs", **params}).fit(np.ones((4, 2)), np.ones(4))


def test_lbfgs_has_no_partial_fit_and_refuses_non_finite_data():
    reg = MLPRegressor(solver="lbfgs")
    with pytest.raises(AttributeError, match="has no attribute 'partial_fit'"):
        reg.partial_fit(np.ones((4, 2)), np.ones(4))
    with pytest.raises(ValueError, match="NaN"):
        reg.fit(np.array([[1.0, np.nan], [1.0, 2.0]]), np.ones(2))
