"""Tests of fastnn.metrics: cosine_similarity and angular_distance.

Oracles: ``sklearn.metrics.pairwise.cosine_similarity`` (matrices of finite
values) and the NumPy twins in :mod:`fastnn.metrics.reference` (everything,
NaN and huge values included).
"""

import numpy as np
import pytest
from hostile import HUGE, layouts, with_nonfinite
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from sklearn.metrics.pairwise import cosine_similarity as sk_cosine

from fastnn.metrics import angular_distance, cosine_similarity, reference
from fastnn.testing import assert_reordered_close

SHAPES = [((1, 1), (1, 1)), ((3, 5), (4, 5)), ((17, 64), (9, 64)), ((0, 4), (3, 4)),
          ((40, 129), (33, 129)), ((600, 512), (5, 512))]  # fmt: skip


def assert_cosines_close(got, expected, n_features, err_msg=""):
    """Two correct cosine similarities of ``n_features``-vectors, each computed in its own order.

    Each side normalises (a sum of n squares, a square root, a division:
    relative error within ``γ_{n/2+2}`` an entry) and sums n products of
    unit vectors (``Σ|â_i b̂_i| ≤ 1``) in an order its BLAS chooses, so
    they differ by at most the reordering of about ``2n + 4`` terms.
    """
    assert_reordered_close(got, expected, length=2 * n_features + 4, magnitude=1.0,
                           err_msg=err_msg)  # fmt: skip


@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=lambda d: np.dtype(d).name)
@pytest.mark.parametrize(("shape_a", "shape_b"), SHAPES, ids=str)
def test_matrices_match_sklearn_and_the_twin(dtype, shape_a, shape_b, rng):
    a = rng.standard_normal(shape_a).astype(dtype)
    b = rng.standard_normal(shape_b).astype(dtype)
    a_before, b_before = a.copy(), b.copy()
    got = cosine_similarity(a, b)
    msg = f"dtype={np.dtype(dtype).name} a={shape_a} b={shape_b}"
    assert got.dtype == dtype and got.shape == (shape_a[0], shape_b[0]), msg
    if a.size:  # scikit-learn refuses empty matrices
        assert_cosines_close(got, sk_cosine(a, b), shape_a[1], err_msg=msg)
    twin = reference.cosine_similarity(a, b)
    assert twin.dtype == got.dtype, msg
    assert_cosines_close(got, twin, shape_a[1], err_msg=msg)
    np.testing.assert_array_equal(a, a_before)
    np.testing.assert_array_equal(b, b_before)


def test_vectors_give_scalars_and_rows(rng):
    a, b = rng.standard_normal(7), rng.standard_normal(7)
    s = cosine_similarity(a, b)
    assert np.ndim(s) == 0 and isinstance(s, np.float64)
    assert s == pytest.approx(a @ b / np.linalg.norm(a) / np.linalg.norm(b), rel=1e-14)
    s32 = cosine_similarity(a.astype(np.float32), b.astype(np.float32))
    assert isinstance(s32, np.float32)
    M = rng.standard_normal((5, 7))
    np.testing.assert_allclose(cosine_similarity(a, M), sk_cosine(a[None], M)[0], rtol=1e-13)
    np.testing.assert_allclose(cosine_similarity(M, a), sk_cosine(M, a[None])[:, 0], rtol=1e-13)
    assert cosine_similarity(a, M).shape == (5,) and cosine_similarity(M, a).shape == (5,)


@pytest.mark.parametrize(
    ("dtype_a", "dtype_b", "expected"),
    [
        (np.float32, np.float32, np.float32),
        (np.float32, np.float64, np.float64),
        (np.int16, np.float32, np.float64),
        (np.uint8, np.int64, np.float64),
        (np.bool_, np.bool_, np.float64),
        (np.float16, np.float16, np.float32),
    ],
)
def test_dtypes(dtype_a, dtype_b, expected, rng):
    a = (rng.random((4, 6)) * 10).astype(dtype_a)
    b = (rng.random((3, 6)) * 10).astype(dtype_b)
    got = cosine_similarity(a, b)
    assert got.dtype == expected
    np.testing.assert_allclose(got, sk_cosine(a.astype(float), b.astype(float)), atol=1e-6)


def test_zero_vectors_have_similarity_zero(rng):
    a = rng.standard_normal((3, 4))
    a[1] = 0.0
    got = cosine_similarity(a, a)
    np.testing.assert_array_equal(got[1], 0.0)
    np.testing.assert_array_equal(got[:, 1], 0.0)
    np.testing.assert_allclose(got, sk_cosine(a, a), atol=1e-15)
    assert cosine_similarity(np.zeros(3), np.zeros(3)) == 0.0
    assert angular_distance(np.zeros(3), [1.0, 0, 0], degrees=True) == 90.0


def test_nan_and_inf_rows_give_nan(rng):
    a = with_nonfinite(rng.standard_normal((6, 5)), rng, fraction=0.1)
    b = rng.standard_normal((4, 5))
    got = cosine_similarity(a, b)
    bad = ~np.isfinite(a).all(axis=1)
    assert bad.any()
    assert np.isnan(got[bad]).all() and np.isfinite(got[~bad]).all()
    np.testing.assert_allclose(got, reference.cosine_similarity(a, b), atol=1e-13)
    assert np.isnan(angular_distance(a, b)[bad]).all()


@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=lambda d: np.dtype(d).name)
def test_huge_and_tiny_values_do_not_overflow(dtype, rng):
    base = rng.standard_normal((5, 8))
    expected = sk_cosine(base, base)
    for scale in (HUGE[np.dtype(dtype)], np.finfo(dtype).tiny, np.finfo(dtype).tiny / 2**10):
        scaled = (base * scale).astype(dtype)
        if not np.all(np.isfinite(scaled)) or not np.any(scaled):
            continue
        exact = sk_cosine(scaled.astype(np.float64) / scale, scaled.astype(np.float64) / scale)
        got = cosine_similarity(scaled, scaled)
        assert_cosines_close(got, exact, base.shape[1], err_msg=str(scale))
        np.testing.assert_allclose(got, expected, atol=1e-2)  # subnormals lose digits, not sense


def test_hostile_layouts(rng):
    a, b = rng.standard_normal((9, 12)), rng.standard_normal((4, 12))
    expected = cosine_similarity(a, b)
    for label, variant in layouts(a):
        # The layout is undone at the edge, so the same GEMM runs: equal bit for bit.
        np.testing.assert_array_equal(cosine_similarity(variant, b), expected, err_msg=label)
        # b @ a.T is another GEMM call, whose kernel (and summation order)
        # OpenBLAS picks by shape and CPU: equal up to reordering 12 products
        # of unit vectors.
        assert_reordered_close(
            cosine_similarity(b, variant), expected.T, length=12, magnitude=1.0, err_msg=label
        )


def test_parallel_and_serial_agree(rng, parallel_and_serial):
    a = rng.standard_normal((150, 64)).astype(np.float32)
    parallel, serial = parallel_and_serial(lambda: cosine_similarity(a, a))
    np.testing.assert_array_equal(parallel, serial)


def test_angular_distance(rng):
    a, b = rng.standard_normal((4, 3)), rng.standard_normal((5, 3))
    radians = angular_distance(a, b)
    np.testing.assert_allclose(radians, np.arccos(np.clip(sk_cosine(a, b), -1, 1)), atol=1e-12)
    np.testing.assert_allclose(angular_distance(a, b, degrees=True), np.degrees(radians))
    np.testing.assert_allclose(radians, reference.angular_distance(a, b), atol=1e-12)
    # rounding can put the cosine of parallel vectors just above 1: clipped, never NaN
    v = np.array([0.1, 0.2, 0.3], dtype=np.float32)
    assert angular_distance(v, 3 * v) == pytest.approx(0.0, abs=1e-3)
    assert angular_distance(v, -v, degrees=True) == pytest.approx(180.0)
    assert angular_distance(v, v).dtype == np.float32


@pytest.mark.parametrize(
    ("a", "b", "error", "match"),
    [
        (
            np.ones((2, 3)),
            np.ones((2, 4)),
            ValueError,
            "a and b must have the same number of features",
        ),
        (np.ones((2, 3, 4)), np.ones((2, 4)), ValueError, "a must be 1-D .* or 2-D"),
        (np.ones(3), np.ones(()), ValueError, "b must be 1-D"),
        (np.ones(3) + 1j, np.ones(3), TypeError, "a must hold real numbers"),
        (["x", "y"], np.ones(2), TypeError, "a must hold real numbers"),
        ([[1, 2], [3]], np.ones(2), TypeError, "a must be an array of real numbers"),
    ],
)
def test_bad_input(a, b, error, match):
    with pytest.raises(error, match=match):
        cosine_similarity(a, b)


def test_bad_degrees():
    with pytest.raises(TypeError, match="degrees must be True or False"):
        angular_distance([1.0], [1.0], degrees="yes")


# zero or far from underflow, so that scaling by 1e-3 keeps every digit
finite = st.one_of(st.just(0.0), st.floats(1e-100, 1e6), st.floats(-1e6, -1e-100))


@given(
    a=hnp.arrays(np.float64, st.tuples(st.integers(1, 6), st.integers(1, 9)), elements=finite),
    k=st.integers(1, 5),
    scale=st.floats(1e-3, 1e3),
)
def test_property_bounds_symmetry_scale_invariance(a, k, scale):
    b = np.roll(a, 1, axis=0)[: min(k, len(a))] * 2.0 - 1.0
    s = cosine_similarity(a, b)
    assert np.all(np.abs(s) <= 1 + 1e-12)
    np.testing.assert_allclose(cosine_similarity(b, a), s.T, atol=1e-12)
    np.testing.assert_allclose(cosine_similarity(a * scale, b), s, atol=1e-9)
    np.testing.assert_allclose(s, reference.cosine_similarity(a, b), atol=1e-12)
    theta = angular_distance(a, b)
    assert np.all((theta >= 0) & (theta <= np.pi))
