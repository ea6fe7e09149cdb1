"""The scikit-learn contract: every check of ``parametrize_with_checks``, Pipeline,
GridSearchCV, clone and pickle, for each estimator of fastnn.linear."""

import pickle

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.estimator_checks import parametrize_with_checks

from fastnn.linear import LinearSVM, Perceptron, SigmoidNeuron, reference

from .conftest import blobs, noisy

# scikit-learn's checks train on data of their own, often not separable and
# not scaled; the estimators rightly warn there, which is no failure.
pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")

ESTIMATORS = [
    Perceptron(),
    Perceptron(pocket=True, selection="random", max_iter=20),
    Perceptron(average=True, shuffle=True),
    LinearSVM(),
    LinearSVM(loss="hinge", fit_intercept=False),
    SigmoidNeuron(),
    SigmoidNeuron(loss="log", batch_size=8),
]


def _applicable(decorator):
    """The checks of ``parametrize_with_checks`` less the array-API ones.

    scikit-learn yields those for every estimator and skips them unless
    SCIPY_ARRAY_API is set; fastnn's estimators compute with NumPy only (the
    ``array_api_support`` tag is False), so they do not apply here.
    """
    names, cases = decorator.args
    keep = [case for case in cases if "array_api" not in repr(case)]
    return pytest.mark.parametrize(names, keep, **decorator.kwargs)


@_applicable(parametrize_with_checks(ESTIMATORS))
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)


@pytest.mark.parametrize(
    "estimator", [Perceptron(pocket=True), LinearSVM(), SigmoidNeuron(eta=1.0)], ids=repr
)
def test_pipeline_gridsearch_and_pickle(estimator, rng):
    X, y = noisy(rng, 200, 4, flip=0.05)
    X = 10 * X + 3  # the scaler has work to do
    pipe = make_pipeline(StandardScaler(), clone(estimator)).fit(X, y)
    assert pipe.score(X, y) > 0.8
    name = pipe.steps[-1][0]
    grid = {
        Perceptron: {f"{name}__eta": [0.5, 1.0], f"{name}__pocket": [False, True]},
        LinearSVM: {f"{name}__C": [0.1, 1.0]},
        SigmoidNeuron: {f"{name}__loss": ["mse", "log"]},
    }[type(estimator)]
    search = GridSearchCV(pipe, grid, cv=3).fit(X, y)
    assert search.best_score_ > 0.8
    restored = pickle.loads(pickle.dumps(search.best_estimator_))
    np.testing.assert_array_equal(restored.predict(X), search.best_estimator_.predict(X))
    X = StandardScaler().fit_transform(X)
    model = clone(estimator).fit(X, y)
    again = pickle.loads(pickle.dumps(model))
    np.testing.assert_array_equal(again.decision_function(X), model.decision_function(X))
    assert again.get_params() == model.get_params()


@pytest.mark.parametrize("name", ["Perceptron", "LinearSVM", "SigmoidNeuron"])
def test_twins_share_parameters_and_attributes(name, rng):
    import fastnn.linear as linear

    X, y = blobs(rng, 60, 3, 2)
    public, twin = getattr(linear, name)(), getattr(reference, name)()
    assert public.get_params() == twin.get_params()
    fitted = [est.set_params(max_iter=2000).fit(X, y) for est in (public, twin)]
    names = [
        sorted(k for k in vars(f) if k.endswith("_") and not k.startswith("_")) for f in fitted
    ]
    assert names[0] == names[1]


def test_sparse_predictions_match_dense(rng):
    X, y = blobs(rng, 50, 6, 3)
    clf = Perceptron(max_iter=5, tol=None).fit(X, y)
    np.testing.assert_allclose(clf.decision_function(sp.csr_matrix(X)), clf.decision_function(X))


@pytest.mark.parametrize("estimator", [Perceptron(), LinearSVM(), SigmoidNeuron()], ids=repr)
@pytest.mark.parametrize("bad_index", [-1, 6])
def test_malformed_csr_column_index_is_refused(estimator, bad_index):
    # scipy builds a CSR matrix from raw arrays without checking the column
    # indices; the kernels would read the weights out of bounds.
    X = sp.csr_matrix(
        (np.ones(3), np.array([0, bad_index, 2]), np.array([0, 1, 2, 3])), shape=(3, 6)
    )
    before = X.indices.copy()
    with pytest.raises(ValueError, match=r"X is a malformed CSR matrix.*\[0, 6\)"):
        clone(estimator).fit(X, [0, 1, 0])
    np.testing.assert_array_equal(X.indices, before)
