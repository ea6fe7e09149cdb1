"""The MLP estimators' training loop at its edges: divergence, iteration counts, early stopping."""

import warnings

import numpy as np
import pytest
from sklearn.datasets import make_classification
from sklearn.exceptions import ConvergenceWarning

import fastnn.nn as fastnn_nn
from fastnn.nn import MLP, MLPClassifier, MLPRegressor, training
from fastnn.nn.network import Workspace
from fastnn.nn.optimizers import SGD

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")

X_BLOBS, Y_BLOBS = make_classification(200, 10, random_state=0)


def _train(estimator, X, y, mode):
    if mode == "fit":
        return estimator.fit(X, y)
    kwargs = {"classes": np.unique(y)} if isinstance(estimator, MLPClassifier) else {}
    for _ in range(estimator.max_iter):
        estimator.partial_fit(X, y, **kwargs)
    return estimator


# -- divergence that stays finite -------------------------------------------------------


@pytest.mark.parametrize("mode", ["fit", "partial_fit"])
@pytest.mark.parametrize("solver", ["sgd", "adam"])
@pytest.mark.parametrize("estimator", [MLPClassifier, MLPRegressor])
def test_a_loss_grown_by_orders_of_magnitude_is_divergence(estimator, solver, mode):
    # The review's reproducer: the loss went 34, 4e25, …, 8e262 with finite weights and
    # only the max_iter warning. Now the second epoch's loss is over 1e4 × the first's.
    model = estimator((8,), solver=solver, learning_rate_init=1e10, max_iter=30, random_state=0)
    with pytest.raises(ValueError, match="learning_rate_init") as info:
        _train(model, X_BLOBS * 100, Y_BLOBS, mode)
    assert "inf or NaN" not in str(info.value)  # the growth rule fired, not the finite one
    assert len(model.loss_curve_) == 1  # the diverged epoch is not recorded
    assert all(np.isfinite(w).all() for w in model.coefs_ + model.intercepts_)


def test_noisy_but_working_training_is_not_divergence():
    # adam at η = 0.1, batches of 8: a loss that jumps about, never by 1e4×.
    model = MLPClassifier((32,), learning_rate_init=0.1, batch_size=8, max_iter=40,
                          random_state=0).fit(X_BLOBS, Y_BLOBS)  # fmt: skip
    assert model.n_iter_ == 40 and model.score(X_BLOBS, Y_BLOBS) > 0.9


def test_run_epoch_restores_the_parameters_when_the_loss_exceeds_max_loss(rng):
    net = MLP([3, 4, 1], "tanh", random_state=0)
    X, y = rng.normal(size=(20, 3)), rng.normal(size=(20, 1))
    before = net.params.copy()
    with pytest.raises(training.DivergedError, match="learning_rate_init"):
        training.run_epoch(net, X, y, "mse", SGD(0.01), Workspace(net, 5), 5, max_loss=1e-12)
    np.testing.assert_array_equal(net.params, before)  # bit for bit: a copy put back
    assert training.divergence_limit(1e-8) == training.DIVERGENCE_GROWTH  # the floor of 1
    assert training.divergence_limit(50.0) == 50.0 * training.DIVERGENCE_GROWTH


# -- iteration counts ------------------------------------------------------------------


@pytest.mark.parametrize("solver", ["sgd", "adam", "lbfgs"])
@pytest.mark.parametrize("name", ["MLPClassifier", "MLPRegressor"])
def test_n_iter_after_a_warm_start_counts_that_fit_only_as_scikit_learns(name, solver):
    from sklearn import neural_network

    y = Y_BLOBS if name == "MLPClassifier" else Y_BLOBS.astype(float)
    counts = []
    for module in (neural_network, fastnn_nn):
        model = getattr(module, name)(hidden_layer_sizes=(4,), solver=solver, max_iter=3, tol=0,
                                      warm_start=True, random_state=0)  # fmt: skip
        first = model.fit(X_BLOBS, y).n_iter_
        model.fit(X_BLOBS, y)
        counts.append((first, model.n_iter_, model.t_, len(getattr(model, "loss_curve_", []))))
    assert counts[0][:2] == counts[1][:2] == (3, 3), counts
    if solver != "lbfgs":  # t_ and loss_curve_ go on across warm starts
        assert counts[0] == counts[1] == (3, 3, 2 * 3 * len(y), 6), counts


def test_partial_fit_counts_its_epoch_in_n_iter_and_its_rows_in_t_as_scikit_learn():
    # scikit-learn leaves n_iter_ at 1 after any partial_fit (its epoch loop sets
    # n_iter_ = 0 first) while t_ counts every sample seen.
    from sklearn.neural_network import MLPClassifier as SkMLPClassifier

    for cls in (MLPClassifier, SkMLPClassifier):
        model = cls((4,), solver="sgd", max_iter=3, random_state=0)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            model.fit(X_BLOBS, Y_BLOBS)
        for k in range(1, 4):
            model.partial_fit(X_BLOBS, Y_BLOBS)
            assert model.n_iter_ == 1 and model.t_ == (3 + k) * len(Y_BLOBS), cls


# -- early stopping ----------------------------------------------------------------------


def _pair(name, **params):
    """The same estimator from scikit-learn and from fastnn."""
    from sklearn import neural_network

    return [getattr(m, name)(hidden_layer_sizes=(4,), random_state=0, **params)
            for m in (neural_network, fastnn_nn)]  # fmt: skip


@pytest.mark.parametrize("name", ["MLPClassifier", "MLPRegressor"])
def test_partial_fit_refuses_early_stopping_as_scikit_learn(name):
    y = Y_BLOBS if name == "MLPClassifier" else Y_BLOBS.astype(float)
    kwargs = {"classes": [0, 1]} if name == "MLPClassifier" else {}
    match = "partial_fit does not support early_stopping=True"
    for first_call in _pair(name, early_stopping=True, max_iter=3):
        with pytest.raises(ValueError, match=match):
            first_call.partial_fit(X_BLOBS, y, **kwargs)
    for after_fit in _pair(name, early_stopping=True, max_iter=3):
        after_fit.fit(X_BLOBS, y)
        with pytest.raises(ValueError, match=match):  # was a TypeError comparing with None
            after_fit.partial_fit(X_BLOBS, y)


def test_early_stopping_switched_between_fits_keeps_training():
    y = Y_BLOBS.astype(float)
    model = MLPRegressor((4,), max_iter=3, warm_start=True, random_state=0).fit(X_BLOBS, y)
    assert model.validation_scores_ is None
    model.set_params(early_stopping=True).fit(X_BLOBS, y)  # was: None.append
    assert len(model.validation_scores_) == model.n_iter_ == 3 and model.best_loss_ is None
    model.set_params(early_stopping=False).partial_fit(X_BLOBS, y)  # was: min(None, loss)
    assert model.best_loss_ == model.loss_curve_[-1]


@pytest.mark.parametrize("name", ["MLPClassifier", "MLPRegressor"])
def test_a_dataframe_with_early_stopping_warns_nothing_as_scikit_learn(name):
    import warnings

    import pandas as pd
    from sklearn.exceptions import ConvergenceWarning

    X = pd.DataFrame(X_BLOBS, columns=[f"f{k}" for k in range(X_BLOBS.shape[1])])
    y = Y_BLOBS if name == "MLPClassifier" else Y_BLOBS.astype(float)
    for model in _pair(name, early_stopping=True, max_iter=8):
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # the feature-names warning came once per epoch
            warnings.simplefilter("ignore", ConvergenceWarning)
            model.fit(X, y)
            model.predict(X)
        assert model.best_validation_score_ == max(model.validation_scores_)
        assert list(model.feature_names_in_) == list(X.columns)


def test_the_validation_score_is_the_public_score_of_the_split(rng):
    model = MLPClassifier((4,), early_stopping=True, max_iter=3, random_state=0)
    model.fit(X_BLOBS, Y_BLOBS)
    X_val, y_val = X_BLOBS[:50], Y_BLOBS[:50]
    assert model._validation_score(X_val, y_val) == model.score(X_val, y_val)
    reg = MLPRegressor((4,), max_iter=3, random_state=0).fit(X_BLOBS, rng.normal(size=(200, 2)))
    y2 = rng.normal(size=(50, 2))
    assert reg._validation_score(X_val, y2) == pytest.approx(reg.score(X_val, y2), rel=1e-12)


@pytest.mark.parametrize("value", [np.inf, float("inf")])
@pytest.mark.parametrize("name", ["MLPClassifier", "MLPRegressor"])
def test_n_iter_no_change_inf_switches_the_rule_off_as_scikit_learn(name, value):
    y = Y_BLOBS if name == "MLPClassifier" else Y_BLOBS.astype(float)
    # tol=10: no epoch ever improves, so any finite n_iter_no_change would stop the fit.
    for model in _pair(name, n_iter_no_change=value, tol=10.0, max_iter=15):
        assert model.fit(X_BLOBS, y).n_iter_ == 15


@pytest.mark.parametrize("value", [0, -1, 2.5, -np.inf, np.nan, "10", True, None])
def test_n_iter_no_change_is_a_positive_int_or_inf_as_scikit_learn(value):
    for model in _pair("MLPRegressor", n_iter_no_change=value, max_iter=2):
        if value is True and model.__module__.startswith("sklearn"):
            continue  # scikit-learn takes True as the integer 1; fastnn refuses bools
        with pytest.raises((TypeError, ValueError), match="n_iter_no_change"):
            model.fit(X_BLOBS, Y_BLOBS.astype(float))


@pytest.mark.parametrize(("name", "n", "fraction"), [("MLPRegressor", 10, 0.1),
                                                     ("MLPRegressor", 30, 0.03),
                                                     ("MLPRegressor", 30, 0.0),
                                                     ("MLPClassifier", 10, 0.1)])  # fmt: skip
def test_a_validation_set_under_two_samples_is_refused_as_scikit_learn(name, n, fraction):
    # The classifier's targets are multilabel, which neither library stratifies.
    y = (X_BLOBS[:n, :2] > 0).astype(int) if name == "MLPClassifier" else X_BLOBS[:n, 0]
    for model in _pair(name, early_stopping=True, validation_fraction=fraction, max_iter=3):
        if fraction == 0 and model.__module__.startswith("sklearn"):
            continue  # scikit-learn's train_test_split refuses test_size=0.0 in its own words
        with pytest.raises(ValueError, match="The validation set is too small"):
            model.fit(X_BLOBS[:n], y)
    # 2 samples (ceil(0.1 × 11), as train_test_split counts) are enough for both
    for model in _pair(name, early_stopping=True, max_iter=2):
        model.fit(X_BLOBS[:11], (X_BLOBS[:11, :2] > 0).astype(int) if name == "MLPClassifier"
                  else X_BLOBS[:11, 0])  # fmt: skip
        assert len(model.validation_scores_) == 2
