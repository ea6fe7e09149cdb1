"""MLPClassifier and MLPRegressor: the scikit-learn contract, learning, persistence, errors."""

import pickle

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.estimator_checks import parametrize_with_checks

from fastnn.datasets import load_digits
from fastnn.nn import MLPClassifier, MLPRegressor, gradcheck, load
from fastnn.testing import assert_reordered_close

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")

XOR_X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]] * 8, dtype=float)
XOR_Y = np.array([0, 1, 1, 0] * 8)


@parametrize_with_checks([MLPClassifier(max_iter=100), MLPRegressor(max_iter=100)])
def test_scikit_learn_contract(estimator, check):
    check(estimator)


def test_xor_is_learned():
    clf = MLPClassifier((8,), "tanh", learning_rate_init=0.05, max_iter=500, random_state=0)
    clf.fit(XOR_X, XOR_Y)
    assert clf.score(XOR_X, XOR_Y) == 1.0
    assert clf.predict_proba(XOR_X).shape == (32, 2)
    assert gradcheck(clf, XOR_X[:6], XOR_Y[:6], loss="cross_entropy") < 1e-6


@pytest.mark.parametrize("target", [lambda x: np.abs(x - 1), lambda x: np.sin(2 * x)],
                         ids=["abs(x-1)", "sin(2x)"])  # fmt: skip
def test_regressor_fits_the_lectures_curves(target):
    X = np.linspace(-3, 3, 201)[:, None]
    y = target(X[:, 0])
    reg = MLPRegressor((32, 32), "tanh", learning_rate_init=0.003, max_iter=1500, tol=1e-6,
                       n_iter_no_change=50, batch_size=16, random_state=0)  # fmt: skip
    reg.fit(X, y)
    assert np.mean((reg.predict(X) - y) ** 2) < 2e-3


def test_digits_accuracy_on_a_held_out_30_percent():
    X, y = load_digits(return_X_y=True)
    order = np.random.default_rng(0).permutation(len(y))
    train, test = order[: int(0.7 * len(y))], order[int(0.7 * len(y)) :]
    clf = MLPClassifier((64,), batch_size=32, learning_rate_init=0.005, max_iter=60,
                        random_state=0)  # fmt: skip
    clf.fit(X[train] / 16, y[train])
    assert clf.score(X[test] / 16, y[test]) >= 0.96


def test_early_stopping_keeps_the_best_validation_score():
    X, y = load_digits(return_X_y=True)
    clf = MLPClassifier((32,), early_stopping=True, n_iter_no_change=3, max_iter=200,
                        random_state=0).fit(X[:600] / 16, y[:600])  # fmt: skip
    assert clf.n_iter_ < 200
    assert len(clf.validation_scores_) == clf.n_iter_
    assert clf.best_validation_score_ == max(clf.validation_scores_)
    assert clf.best_loss_ is None


def test_partial_fit_trains_one_epoch_per_call():
    clf = MLPClassifier((8,), "tanh", learning_rate_init=0.05, random_state=0)
    with pytest.raises(ValueError, match="classes"):
        clf.partial_fit(XOR_X, XOR_Y)
    for _ in range(300):
        clf.partial_fit(XOR_X, XOR_Y, classes=[0, 1])
    assert clf.n_iter_ == 1 and len(clf.loss_curve_) == 300  # n_iter_: this call's, as sklearn
    assert clf.loss_curve_[-1] < clf.loss_curve_[0]
    reg = MLPRegressor((8,), random_state=0).partial_fit(XOR_X, XOR_Y.astype(float))
    assert reg.n_iter_ == 1


def test_warm_start_continues():
    reg = MLPRegressor((8,), max_iter=5, warm_start=True, random_state=0, tol=0)
    reg.fit(XOR_X, XOR_Y.astype(float))
    first = reg.coefs_[0].copy()
    reg.fit(XOR_X, XOR_Y.astype(float))
    assert reg.n_iter_ == 5 and len(reg.loss_curve_) == 10  # n_iter_ is this fit's
    assert not np.array_equal(first, reg.coefs_[0])


def test_float32_end_to_end():
    X = XOR_X.astype(np.float32)
    reg = MLPRegressor((8,), max_iter=20, random_state=0).fit(X, XOR_Y.astype(np.float32))
    assert all(w.dtype == np.float32 for w in reg.coefs_ + reg.intercepts_)
    assert reg.predict(X).dtype == np.float32
    clf = MLPClassifier((8,), max_iter=20, random_state=0).fit(X, XOR_Y)
    assert clf.predict_proba(X).dtype == np.float32


@pytest.mark.parametrize("solver", ["sgd", "adam"])
def test_save_load_and_pickle_keep_the_parameters_bit_for_bit(solver, tmp_path, rng):
    X = rng.normal(size=(60, 4))
    clf = MLPClassifier((6,), solver=solver, max_iter=20, random_state=0)
    clf.fit(X, np.array(["cat", "dog", "emu"])[rng.integers(0, 3, 60)])
    reg = MLPRegressor((6, 5), "logistic", solver=solver, max_iter=20, random_state=0)
    reg.fit(X, rng.normal(size=(60, 2)))
    for model in (clf, reg):
        path = tmp_path / f"{type(model).__name__}.npz"
        model.save(path)
        loaded = load(path)
        assert type(loaded) is type(model) and loaded.get_params() == model.get_params()
        unpickled = pickle.loads(pickle.dumps(model))
        assert unpickled.coefs_[0].base is not None  # views of the network again
        for copy in (loaded, unpickled):
            np.testing.assert_array_equal(copy._net.params, model._net.params)
            # Predictions are BLAS products of those parameters, whose summation
            # order a BLAS may choose by the arrays' alignment (MKL does).
            if model is reg:
                assert_reordered_close(copy.predict(X), model.predict(X), length=4 + 6 + 5)
            else:
                np.testing.assert_array_equal(copy.predict(X), model.predict(X))
    assert_reordered_close(load(tmp_path / "MLPClassifier.npz").predict_proba(X),
                           clf.predict_proba(X), length=4 + 6)  # fmt: skip


def test_pipeline_and_grid_search():
    X, y = load_digits(return_X_y=True)
    pipe = make_pipeline(
        StandardScaler(), MLPClassifier(learning_rate_init=0.01, max_iter=60, random_state=0)
    )
    search = GridSearchCV(pipe, {"mlpclassifier__hidden_layer_sizes": [(8,), (16,)]}, cv=2)
    search.fit(X[:300], y[:300])
    assert search.best_score_ > 0.7


@pytest.mark.parametrize(("solver", "learning_rate"), [("sgd", "invscaling"), ("sgd", "adaptive")])
def test_learning_rate_schedules(solver, learning_rate):
    reg = MLPRegressor((4,), solver=solver, learning_rate=learning_rate, learning_rate_init=0.01,
                       max_iter=40, n_iter_no_change=2, tol=10.0, random_state=0)  # fmt: skip
    reg.fit(XOR_X, XOR_Y.astype(float))
    assert reg._optimizer.learning_rate < 0.01


def test_nesterov_and_plain_momentum_differ():
    kwargs = dict(solver="sgd", max_iter=5, random_state=0, learning_rate_init=0.1)
    a = MLPRegressor((4,), nesterovs_momentum=True, **kwargs).fit(XOR_X, XOR_Y.astype(float))
    b = MLPRegressor((4,), nesterovs_momentum=False, **kwargs).fit(XOR_X, XOR_Y.astype(float))
    assert not np.array_equal(a.coefs_[0], b.coefs_[0])


def test_divergence_names_learning_rate_init_and_leaves_finite_weights():
    reg = MLPRegressor((16,), solver="sgd", learning_rate_init=1e6, max_iter=50, random_state=0)
    with pytest.raises(ValueError, match="learning_rate_init"):
        reg.fit(XOR_X, XOR_Y * 1e3)
    assert all(np.isfinite(w).all() for w in reg.coefs_ + reg.intercepts_)


def test_verbose_shows_a_progress_bar(capsys):
    MLPRegressor((4,), max_iter=3, verbose=True, random_state=0).fit(XOR_X, XOR_Y.astype(float))
    err = capsys.readouterr().err
    assert "epochs" in err and "loss=" in err


def test_convergence_warning():
    with pytest.warns(ConvergenceWarning, match="maximum iterations"):
        MLPRegressor((4,), max_iter=2, random_state=0).fit(XOR_X, XOR_Y.astype(float))


@pytest.mark.parametrize(
    ("params", "error", "match"),
    [
        ({"hidden_layer_sizes": (10, 0)}, ValueError, "hidden_layer_sizes"),
        ({"hidden_layer_sizes": "ab"}, TypeError, "hidden_layer_sizes"),
        ({"activation": "swish"}, ValueError, "activation"),
        ({"solver": "newton"}, ValueError, "solver"),
        ({"learning_rate": "cyclic"}, ValueError, "learning_rate"),
        ({"learning_rate_init": 0}, ValueError, "learning_rate_init"),
        ({"alpha": -1}, ValueError, "alpha"),
        ({"batch_size": 0}, ValueError, "batch_size"),
        ({"max_iter": 0}, ValueError, "max_iter"),
        ({"beta_1": 1.0}, ValueError, "beta_1"),
        ({"validation_fraction": 1.5}, ValueError, "validation_fraction"),
        ({"momentum": "a"}, TypeError, "momentum"),
    ],
)
def test_bad_parameters_raise_at_fit(params, error, match):
    with pytest.raises(error, match=match):
        MLPClassifier(**params).fit(XOR_X, XOR_Y)


def test_bad_data_raise_clear_errors():
    X = XOR_X.copy()
    X[0, 0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        MLPRegressor().fit(X, XOR_Y)
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        MLPRegressor().fit(XOR_X, XOR_Y[:-1])
    clf = MLPClassifier((4,), max_iter=2).fit(XOR_X, XOR_Y)
    with pytest.raises(ValueError, match="features"):
        clf.predict(np.zeros((2, 3)))
    with pytest.raises(ValueError, match="not in classes"):
        clf.partial_fit(XOR_X, XOR_Y + 5)
