"""Tests of fastnn.linear.SigmoidNeuron, gradient descent on one sigmoid neuron.

Oracles: the lecture's update formulas written out in NumPy for one epoch
(full batch, stochastic, minibatch), the NumPy twin (a Python loop over
minibatches) for many settings, and scikit-learn's unpenalised
``LogisticRegression`` for where ``loss="log"`` converges to.
"""

import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from scipy.special import expit
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression

from fastnn.linear import SigmoidNeuron, reference

from .conftest import blobs, csr_variants, noisy


def one_epoch_by_hand(X, y, loss, eta, batch):
    """The lecture's updates, batch by batch, each step the mean of the batch's gradients."""
    w, b = np.zeros(X.shape[1]), 0.0
    for start in range(0, len(y), batch):
        xb, yb = X[start : start + batch], y[start : start + batch]
        y_hat = expit(xb @ w + b)
        # mse: w ← w − η (ŷ − y) ŷ (1 − ŷ) x;  log: w ← w − η (ŷ − y) x
        delta = (y_hat - yb) * y_hat * (1 - y_hat) if loss == "mse" else y_hat - yb
        w = w - eta * (delta[:, None] * xb).mean(axis=0)
        b = b - eta * delta.mean()
    return w, b


@pytest.mark.parametrize("loss", ["mse", "log"])
@pytest.mark.parametrize("batch_size", [None, 1, 7, 1000])
def test_one_epoch_follows_the_update_formulas(loss, batch_size, rng):
    X, y = noisy(rng, 50, 4, flip=0.2)
    neuron = SigmoidNeuron(loss=loss, eta=0.7, batch_size=batch_size, max_iter=1, shuffle=False)
    with pytest.warns(ConvergenceWarning):
        neuron.fit(X, y)
    w, b = one_epoch_by_hand(X, y.astype(float), loss, 0.7, batch_size or 50)
    np.testing.assert_allclose(neuron.coef_[0], w, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(neuron.intercept_[0], b, rtol=1e-12, atol=1e-14)
    # the epoch's loss: mean over samples, each at its batch's starting weights
    if batch_size is None:
        p0 = 0.5  # w = 0
        expected = 0.5 * (p0 - y) ** 2 if loss == "mse" else np.full(50, np.log(2))
        assert neuron.loss_curve_[0] == pytest.approx(np.mean(expected), rel=1e-12)


@pytest.mark.parametrize("loss", ["mse", "log"])
@pytest.mark.parametrize("batch_size", [None, 1, 16])
@pytest.mark.parametrize("shuffle", [False, True])
def test_agrees_with_the_numpy_twin(loss, batch_size, shuffle, rng):
    X, y = noisy(rng, 120, 6, flip=0.1)
    kwargs = {"loss": loss, "batch_size": batch_size, "shuffle": shuffle, "random_state": 3,
              "max_iter": 40, "eta": 0.5}  # fmt: skip
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        got = SigmoidNeuron(**kwargs).fit(X, y)
        twin = reference.SigmoidNeuron(**kwargs).fit(X, y)
        sparse = SigmoidNeuron(**kwargs).fit(sp.csr_matrix(X), y)
    msg = f"loss={loss} batch={batch_size} shuffle={shuffle}"
    np.testing.assert_allclose(got.coef_, twin.coef_, rtol=1e-10, atol=1e-12, err_msg=msg)
    np.testing.assert_allclose(got.loss_curve_, twin.loss_curve_, rtol=1e-10, err_msg=msg)
    np.testing.assert_allclose(sparse.coef_, got.coef_, rtol=1e-10, atol=1e-12, err_msg=msg)
    assert got.n_iter_ == twin.n_iter_ == len(got.loss_curve_), msg


def test_full_batch_loss_decreases_and_stops(rng):
    X, y = blobs(rng, 300, 3, 2, spread=3.0)
    X = (X - X.mean(0)) / X.std(0)
    neuron = SigmoidNeuron(loss="mse", eta=0.5, tol=1e-6, max_iter=5000).fit(X, y)
    assert np.all(np.diff(neuron.loss_curve_) <= 1e-15)
    assert neuron.n_iter_ < 5000
    assert neuron.score(X, y) >= LogisticRegression().fit(X, y).score(X, y) - 0.03


def test_log_loss_reaches_logistic_regression(rng):
    X, y = noisy(rng, 400, 3, flip=0.15)
    X = (X - X.mean(0)) / X.std(0)
    neuron = SigmoidNeuron(loss="log", eta=2.0, tol=1e-10, n_iter_no_change=20, max_iter=20_000)
    neuron.fit(X, y)
    logistic = LogisticRegression(C=np.inf, tol=1e-10, max_iter=10_000).fit(X, y)
    np.testing.assert_allclose(neuron.coef_, logistic.coef_, rtol=1e-3, atol=1e-3)
    np.testing.assert_allclose(neuron.intercept_, logistic.intercept_, rtol=1e-3, atol=1e-3)


def test_predict_proba_and_labels(rng):
    X, y = noisy(rng, 100, 2, flip=0.05)
    labels = np.where(y == 1, "pos", "neg")
    neuron = SigmoidNeuron(loss="log", eta=1.0).fit(X, labels)
    proba = neuron.predict_proba(X)
    assert proba.shape == (100, 2) and neuron.classes_.tolist() == ["neg", "pos"]
    np.testing.assert_allclose(proba.sum(1), 1.0)
    np.testing.assert_array_equal(neuron.classes_[proba.argmax(1)], neuron.predict(X))
    np.testing.assert_allclose(proba[:, 1], expit(neuron.decision_function(X)))


def test_sparse_layouts(rng):
    X, y = noisy(rng, 60, 8, flip=0.1)
    X[rng.random(X.shape) < 0.5] = 0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        dense = SigmoidNeuron(eta=1.0, max_iter=20, batch_size=8, random_state=0).fit(X, y)
        for label, matrix in csr_variants(X, rng):
            got = SigmoidNeuron(eta=1.0, max_iter=20, batch_size=8, random_state=0).fit(matrix, y)
            np.testing.assert_allclose(
                got.coef_, dense.coef_, rtol=1e-10, atol=1e-12, err_msg=label
            )


def test_float32_input(rng):
    X, y = noisy(rng, 80, 3)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        a = SigmoidNeuron(max_iter=30).fit(X.astype(np.float32), y)
        b = SigmoidNeuron(max_iter=30).fit(X.astype(np.float32).astype(np.float64), y)
    np.testing.assert_allclose(a.coef_, b.coef_, rtol=1e-12)


def test_more_than_two_classes_is_refused(rng):
    X, y = blobs(rng, 60, 3, 3)
    with pytest.raises(ValueError, match="Only binary classification is supported"):
        SigmoidNeuron().fit(X, y)


@pytest.mark.parametrize(
    ("params", "error", "match"),
    [
        ({"loss": "hinge"}, ValueError, "loss must be one of 'mse', 'log'"),
        ({"eta": -1.0}, ValueError, "eta must be a finite number > 0"),
        ({"batch_size": 0}, ValueError, "batch_size must be an integer >= 1"),
        ({"batch_size": 2.0}, TypeError, "batch_size must be an integer"),
        ({"tol": np.nan}, ValueError, "tol must not be NaN"),
        ({"n_iter_no_change": 0}, ValueError, "n_iter_no_change must be an integer >= 1"),
        ({"shuffle": None}, TypeError, "shuffle must be True or False"),
    ],
)
def test_bad_parameters(params, error, match, rng):
    X, y = noisy(rng, 20, 2)
    with pytest.raises(error, match=match):
        SigmoidNeuron(**params).fit(X, y)


def test_bad_data(rng):
    X, y = noisy(rng, 20, 3)
    with pytest.raises(ValueError, match="infinity"):
        SigmoidNeuron().fit(np.where(X > 0.5, np.inf, X), y)
    with pytest.raises(ValueError, match="at least 2 classes"):
        SigmoidNeuron().fit(X, np.zeros(20))
    with pytest.raises(ValueError, match="X and y must have the same number of samples"):
        SigmoidNeuron().fit(X[:3], y)
    neuron = SigmoidNeuron(max_iter=5000).fit(X, y)
    with pytest.raises(ValueError, match="X has 2 features, but SigmoidNeuron is expecting 3"):
        neuron.predict_proba(np.ones((1, 2)))


def test_overflowing_weights_raise(rng):
    X, y = noisy(rng, 30, 3)
    with pytest.raises(ValueError, match="overflowed to inf/NaN"):
        SigmoidNeuron(max_iter=5).fit(X * 1e300, y)
