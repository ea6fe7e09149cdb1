"""Tests of fastnn.text.TfIdf against scikit-learn's TfidfTransformer and the NumPy twin."""

import itertools
import pickle
import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.feature_extraction.text import TfidfTransformer
from sklearn.linear_model import Perceptron
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.utils.estimator_checks import parametrize_with_checks

from fastnn.text import TfIdf, reference

PARAMETERS = [
    dict(norm=norm, use_idf=use_idf, smooth_idf=smooth, sublinear_tf=sublinear)
    for norm, use_idf, smooth, sublinear in itertools.product(
        ["l2", "l1", None], [True, False], [True, False], [False, True]
    )
]
DTYPES = [np.int64, np.int32, np.uint8, np.int8, np.uint64, np.float32, np.float64, np.bool_]


def sklearn_tfidf(params, fit, transform=None):
    """TfidfTransformer's result as a CSR matrix with sorted indices, and its idf_ (or None)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # df = 0 without smoothing: idf inf
        model = TfidfTransformer(**params).fit(fit)
        X = model.transform(fit if transform is None else transform)
    X = sp.csr_matrix(X)
    X.sort_indices()
    return X, getattr(model, "idf_", None)


def assert_same_csr(got, expected, where=""):
    assert isinstance(got, sp.csr_matrix), where
    assert got.has_sorted_indices, where
    assert got.shape == expected.shape, where
    assert got.dtype == expected.dtype, f"{where}: dtype {got.dtype} != {expected.dtype}"
    np.testing.assert_array_equal(got.indptr, expected.indptr, err_msg=where)
    np.testing.assert_array_equal(got.indices, expected.indices, err_msg=where)
    np.testing.assert_array_equal(got.data, expected.data, err_msg=where)  # bit for bit


def assert_same_idf(model, idf, where=""):
    if idf is None:
        assert not hasattr(model, "idf_"), where
    else:
        assert model.idf_.dtype == idf.dtype, where
        np.testing.assert_array_equal(model.idf_, idf, err_msg=where)


@st.composite
def count_matrices(draw, max_rows=8, max_cols=8):
    """Dense counts 0-6 with many zeros (empty rows and columns), shape up to 8 × 8."""
    shape = draw(st.tuples(st.integers(1, max_rows), st.integers(1, max_cols)))
    values = draw(hnp.arrays(np.int64, shape, elements=st.integers(0, 6)))
    keep = draw(hnp.arrays(np.bool_, shape))
    return values * keep


@given(
    counts=count_matrices(),
    params=st.sampled_from(PARAMETERS),
    dtype=st.sampled_from(DTYPES),
    form=st.sampled_from(["csr", "csc", "coo", "dense", "csr_array"]),
)
def test_equals_tfidftransformer(counts, params, dtype, form):
    counts = counts.astype(dtype)
    X = {
        "csr": sp.csr_matrix,
        "csc": sp.csc_matrix,
        "coo": sp.coo_matrix,
        "dense": np.asarray,
        "csr_array": sp.csr_array,
    }[form](counts)
    where = f"{params}, {np.dtype(dtype)}, {form}, shape {counts.shape}"
    expected, idf = sklearn_tfidf(params, X)
    model = TfIdf(**params)
    assert_same_csr(model.fit_transform(X), expected, where)
    assert_same_idf(model, idf, where)
    assert_same_csr(TfIdf(**params).fit(X).transform(X), expected, where)


@given(counts=count_matrices(), params=st.sampled_from(PARAMETERS))
def test_equals_twin(counts, params):
    X = sp.csr_matrix(counts)
    got = TfIdf(**params).fit_transform(X)
    twin = reference.TfIdf(**params)
    expected = twin.fit_transform(X)
    assert_same_idf(TfIdf(**params).fit(X), getattr(twin, "idf_", None), str(params))
    # The twin sums each row's norm with np.bincount in the same order: equal bits.
    assert_same_csr(got, expected, str(params))


@pytest.mark.parametrize("params", PARAMETERS, ids=str)
def test_unsorted_rows_and_transform_of_new_counts(params, rng):
    # CountVectorizer's own output has unsorted rows; rows here hold up to 60 entries.
    counts = rng.integers(0, 4, (40, 90)) * (rng.random((40, 90)) < 0.4)
    counts[3] = 0  # an empty row
    counts[:, 7] = 0  # an empty column
    X = sp.csr_matrix(counts)
    for i in range(X.shape[0]):  # shuffle each row's stored order
        row = slice(X.indptr[i], X.indptr[i + 1])
        order = rng.permutation(row.stop - row.start)
        X.indices[row] = X.indices[row][order]
        X.data[row] = X.data[row][order]
    X.has_sorted_indices = False
    assert_same_csr(TfIdf(**params).fit_transform(X), sklearn_tfidf(params, X)[0], str(params))
    new = rng.integers(0, 3, (5, 90)) * (rng.random((5, 90)) < 0.5)
    new[:, 7] = 0  # without smoothing column 7's idf is inf (a test of its own below)
    new = sp.csr_matrix(new)
    expected, _ = sklearn_tfidf(params, X, new)
    assert_same_csr(TfIdf(**params).fit(X).transform(new), expected, str(params))


@pytest.mark.parametrize(
    ("fit_dtype", "transform_dtype"),
    [(np.float32, np.float64), (np.float64, np.float32), (np.int64, np.float32), (np.float32, int)],
)
@pytest.mark.parametrize("params", PARAMETERS[:8], ids=str)
def test_fit_and_transform_dtypes_differ(fit_dtype, transform_dtype, params, rng):
    counts = sp.random(30, 20, density=0.3, random_state=rng, format="csr")
    counts.data = np.ceil(counts.data * 5)
    fit, new = counts.astype(fit_dtype), counts[:12].astype(transform_dtype)
    expected, _ = sklearn_tfidf(params, fit, new)
    assert_same_csr(TfIdf(**params).fit(fit).transform(new), expected, str(params))


def test_float16_and_longdouble_become_float64():
    counts = np.array([[1, 0, 2], [0, 3, 0], [1, 1, 0]])
    expected, idf = sklearn_tfidf({}, counts.astype(np.float64))
    for dtype in (np.float16, np.longdouble):
        model = TfIdf()
        assert_same_csr(model.fit_transform(counts.astype(dtype)), expected, str(dtype))
        assert_same_idf(model, idf)


def test_one_row_and_one_column():
    for counts in ([[0, 2, 1]], [[3], [0], [1]], [[0]], [[5]]):
        for params in PARAMETERS:
            expected, idf = sklearn_tfidf(params, np.array(counts))
            model = TfIdf(**params)
            assert_same_csr(model.fit_transform(np.array(counts)), expected, f"{counts} {params}")
            assert_same_idf(model, idf)


def test_without_smoothing_an_empty_column_has_infinite_idf():
    model = TfIdf(smooth_idf=False).fit(np.array([[1, 0, 0], [2, 0, 1]]))
    assert model.idf_[1] == np.inf
    assert_same_idf(
        model, sklearn_tfidf({"smooth_idf": False}, np.array([[1, 0, 0], [2, 0, 1]]))[1]
    )
    model.transform(np.array([[1, 0, 3]]))  # column 1 holds nothing: fine
    # scikit-learn's normalize raises "Input contains infinity"; fastnn says why.
    with pytest.raises(ValueError, match="column 1, which no document held at fit time"):
        model.transform(np.array([[1, 2, 0]]))


def test_duplicates_and_stored_zeros_are_canonicalised_first():
    # Row 0 stores column 1 twice (1 + 2) and column 2 as an explicit zero.
    X = sp.csr_matrix(
        (np.array([1, 2, 0, 4, 1]), np.array([1, 1, 2, 0, 2]), np.array([0, 3, 5])), shape=(2, 3)
    )
    canonical = X.copy()
    canonical.sum_duplicates()
    canonical.eliminate_zeros()
    for params in PARAMETERS:
        expected, idf = sklearn_tfidf(params, canonical)
        model = TfIdf(**params)
        assert_same_csr(model.fit_transform(X), expected, str(params))
        assert_same_idf(model, idf, str(params))
        assert_same_csr(TfIdf(**params).fit(X).transform(X), expected, str(params))
        assert_same_csr(TfIdf(**params).fit(canonical).transform(X), expected, str(params))
    assert X.nnz == 5 and X.data[2] == 0  # the input is unchanged


def test_negative_values_weighted_like_others():
    X = sp.csr_matrix(np.array([[1, -2, 0], [0, 1, -1]], dtype=np.float64))
    for params in PARAMETERS:
        if params["sublinear_tf"]:
            with pytest.raises(ValueError, match="negative values"):
                TfIdf(**params).fit_transform(X)
        else:
            assert_same_csr(TfIdf(**params).fit_transform(X), sklearn_tfidf(params, X)[0])


def test_input_is_not_modified(rng):
    X = sp.csr_matrix(rng.integers(0, 3, (20, 15)) * (rng.random((20, 15)) < 0.5))
    before = (X.data.copy(), X.indices.copy(), X.indptr.copy())
    out = TfIdf(sublinear_tf=True).fit_transform(X)
    for a, b in zip(before, (X.data, X.indices, X.indptr), strict=True):
        np.testing.assert_array_equal(a, b)
    assert not np.shares_memory(out.indices, X.indices)
    assert not np.shares_memory(out.indptr, X.indptr)


@pytest.mark.parametrize("dtype", [np.int64, np.float32])
def test_parallel_equals_serial(dtype, rng, parallel_and_serial):
    X = sp.random(300, 200, density=0.1, random_state=rng, format="csr")
    X.data = np.ceil(X.data * 4)
    X = X.astype(dtype)
    parallel, serial = parallel_and_serial(lambda: TfIdf(sublinear_tf=True).fit_transform(X))
    assert_same_csr(parallel, serial)


def _applicable(decorator):
    """The checks of ``parametrize_with_checks`` less the array-API ones (NumPy only here)."""
    names, cases = decorator.args
    keep = [case for case in cases if "array_api" not in repr(case)]
    return pytest.mark.parametrize(names, keep, **decorator.kwargs)


# (Not sublinear_tf: scikit-learn's checks feed negative values, which it refuses.)
@_applicable(parametrize_with_checks([TfIdf(), TfIdf(norm="l1", use_idf=False, smooth_idf=False)]))
def test_sklearn_compatible(estimator, check):
    check(estimator)


def test_pipeline_gridsearch_clone_pickle(rng):
    counts = sp.csr_matrix(rng.integers(0, 3, (80, 30)) * (rng.random((80, 30)) < 0.3))
    y = (counts[:, :5].sum(axis=1).A.ravel() > counts[:, 5:10].sum(axis=1).A.ravel()).astype(int)
    pipe = make_pipeline(TfIdf(), Perceptron(random_state=0)).fit(counts, y)
    assert pipe.score(counts, y) > 0.7
    grid = GridSearchCV(pipe, {"tfidf__sublinear_tf": [False, True], "tfidf__norm": ["l1", "l2"]})
    grid.fit(counts, y)
    assert set(grid.best_params_) == {"tfidf__sublinear_tf", "tfidf__norm"}
    model = TfIdf(norm="l1").fit(counts)
    copy = pickle.loads(pickle.dumps(model))
    assert_same_csr(copy.transform(counts), model.transform(counts))
    assert clone(model).get_params() == model.get_params()
    assert not hasattr(clone(model), "idf_")


def test_refit_without_idf_drops_the_old_one():
    model = TfIdf().fit(np.array([[1, 0], [1, 1]]))
    model.set_params(use_idf=False).fit(np.array([[1, 0], [1, 1]]))
    assert not hasattr(model, "idf_")


def test_feature_names():
    model = TfIdf().fit(np.array([[1, 0, 2]]))
    assert list(model.get_feature_names_out()) == ["x0", "x1", "x2"]
    assert list(model.get_feature_names_out(["a", "b", "c"])) == ["a", "b", "c"]


@pytest.mark.parametrize(
    ("params", "error", "message"),
    [
        (dict(norm="l3"), ValueError, "norm must be 'l1', 'l2' or None, got 'l3'"),
        (dict(norm=2), TypeError, "norm must be 'l1', 'l2' or None, got int"),
        (dict(use_idf=1), TypeError, "use_idf must be True or False"),
        (dict(smooth_idf="yes"), TypeError, "smooth_idf must be True or False"),
        (dict(sublinear_tf=None), TypeError, "sublinear_tf must be True or False"),
    ],
)
def test_bad_parameters(params, error, message):
    with pytest.raises(error, match=message):
        TfIdf(**params).fit(np.array([[1, 0]]))


@pytest.mark.parametrize(
    ("X", "error", "message"),
    [
        (np.array([["a", "b"]]), TypeError, "X must hold real numbers"),
        (np.array([["1", "2"]]), TypeError, "X must hold real numbers"),
        (np.array([[1, 2]], dtype="datetime64[s]"), TypeError, "X must hold real numbers"),
        (np.ma.masked_array([[1, 2]], mask=[[0, 1]]), TypeError, "MaskedArray"),
        (np.array([[1, None]], dtype=object), ValueError, "NaN"),
        (np.array([[1.0, np.nan]]), ValueError, "NaN"),
        (np.array([[1.0, np.inf]]), ValueError, "infinity"),
        (sp.csr_matrix(np.array([[1.0, np.nan]])), ValueError, "NaN"),
        (np.array([1, 2, 3]), ValueError, "2D array"),
        (np.zeros((0, 3)), ValueError, "0 sample"),
        (np.array([[1 + 1j, 0]]), ValueError, "Complex"),
    ],
)
def test_bad_counts(X, error, message):
    with pytest.raises(error, match=message):
        TfIdf().fit(X)


def test_transform_checks():
    with pytest.raises(NotFittedError):
        TfIdf().transform(np.array([[1, 0]]))
    model = TfIdf().fit(np.array([[1, 0, 1]]))
    with pytest.raises(ValueError, match="3 features"):
        model.transform(np.array([[1, 0]]))
