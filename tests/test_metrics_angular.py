"""Accuracy of fastnn.metrics.angular_distance near 0 and π, against an exact oracle.

The oracle works on the exact values of the input floats: dot product and
squared norms as ``Fraction``, the cosine c to 80 digits with ``Decimal``,
then the half angle from whichever of (1 − c) / 2 or (1 + c) / 2 is the
smaller, where ``asin`` is well conditioned (mpmath is not installed here).
"""

import math
from decimal import Decimal, localcontext
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from fastnn.metrics import angular_distance, reference


def exact_angle(a, b):
    """The angle between float vectors ``a`` and ``b``, correct to about 1 ulp of π."""
    x = [Fraction(float(v)) for v in a]
    y = [Fraction(float(v)) for v in b]
    dot = sum(p * q for p, q in zip(x, y, strict=True))
    na, nb = sum(p * p for p in x), sum(q * q for q in y)
    if na == 0 or nb == 0:
        return math.pi / 2  # no direction: 90° from anything, as cosine_similarity's 0

    def dec(f):
        return Decimal(f.numerator) / Decimal(f.denominator)

    with localcontext() as ctx:
        ctx.prec = 80
        c = dec(dot) / (dec(na) * dec(nb)).sqrt()
        if c >= 0:
            return 2 * math.asin(float(((1 - c) / 2).sqrt()))
        return math.pi - 2 * math.asin(float(((1 + c) / 2).sqrt()))


def allowed(dtype, d):
    """Rounding of the unit vectors (~d/2 ulps each) and of a BLAS cosine (~d ulps) that
    arccos amplifies by at most 1 / sin θ < 7.1 where |cos θ| ≤ 0.99."""
    return 8 * (d + 2) * np.finfo(dtype).eps


def check_pairs(A, B, got, degrees=False):
    scale = 180 / math.pi if degrees else 1.0
    atol = allowed(got.dtype, A.shape[1]) * scale
    for i in range(A.shape[0]):
        for j in range(B.shape[0]):
            want = exact_angle(A[i], B[j]) * scale
            msg = f"a[{i}]={A[i].tolist()} b[{j}]={B[j].tolist()} {degrees=}"
            assert abs(float(got[i, j]) - want) <= atol, f"{msg}: got {got[i, j]}, want {want}"


# --- near 0 and π ---------------------------------------------------------------

EVERYDAY = [[1.0, 2.0, 3.0], [0.3, -0.7, 0.1, 0.9], [2.5, -1e-8, 7.0, 0.125, -3.0], [3e38, 3e38]]
VECTORS = [(v, np.float32) for v in [*EVERYDAY, [1e-38, -3e-39]]] + [
    (v, np.float64) for v in [*EVERYDAY, [1e300, 1e300], [1e-300, 3e-300, -2e-300]]
]


@pytest.mark.parametrize(("vector", "dtype"), VECTORS, ids=str)
def test_same_vector_is_exactly_zero_and_opposite_is_pi(vector, dtype):
    a = np.array(vector, dtype)
    msg = f"{vector} {np.dtype(dtype).name}"
    assert angular_distance(a, a) == 0, msg
    assert angular_distance(a, a.copy()) == 0, msg
    assert angular_distance(a, a / 2) == 0, msg  # halving is exact: the same unit vector
    ulp = np.finfo(dtype).eps  # π and 180° through libm's atan2 and np.degrees: 1 ulp
    assert abs(angular_distance(a, -a) - np.pi) <= ulp * np.pi, msg
    assert abs(angular_distance(a, -a, degrees=True) - 180) <= ulp * 180, msg
    assert angular_distance(a, a).dtype == dtype, msg
    np.testing.assert_array_equal(angular_distance(a[None], a[None]), [[0]], err_msg=msg)
    assert reference.angular_distance(a, a) == 0, msg
    assert abs(reference.angular_distance(a, -a) - np.pi) <= ulp * np.pi, msg


def test_float32_near_its_largest_value():
    """[3e38, 3e38]: arccos of a cosine of 1 + 1 ulp gave 3.45e-4 rad."""
    a = np.float32([3e38, 3e38])
    b = np.nextafter(a, np.float32(0))  # one ulp smaller, same direction
    c = np.float32([3e38, np.nextafter(np.float32(3e38), np.float32(0))])  # 1 ulp off the diagonal
    for x, y in [(a, a), (a, b), (a, c), (a, -c), (-a, c)]:
        got = angular_distance(x, y)
        assert got.dtype == np.float32
        want = exact_angle(x, y)
        assert abs(float(got) - want) <= allowed(np.float32, 2), f"{x} {y}: {got} vs {want}"


@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=lambda d: np.dtype(d).name)
def test_nearly_parallel_and_antiparallel_match_the_exact_angle(dtype, rng):
    """a against a + tiny and −a + tiny, every tiny from 1e-3 down to below one ulp."""
    for _ in range(20):
        a = rng.standard_normal(6).astype(dtype)
        for size in 10.0 ** -np.arange(3, 18):
            tiny = (size * rng.standard_normal(6)).astype(dtype)
            B = np.stack([a + tiny, -a + tiny, -(a + tiny)]).astype(dtype)
            got = angular_distance(a[None], B)
            check_pairs(a[None], B, got)
            check_pairs(a[None], B, angular_distance(a[None], B, degrees=True), degrees=True)
            np.testing.assert_allclose(
                got, reference.angular_distance(a[None], B), rtol=0, atol=allowed(dtype, 6)
            )


def test_degrees_is_the_radians_converted(rng):
    a = rng.standard_normal((4, 5))
    b = np.concatenate([a + 1e-9, -a, rng.standard_normal((3, 5))])
    radians = angular_distance(a, b)
    np.testing.assert_allclose(
        angular_distance(a, b, degrees=True), np.degrees(radians), rtol=1e-15
    )
    np.testing.assert_allclose(np.diagonal(radians), 1e-9 * 0, atol=1e-8)  # a + 1e-9 vs a
    np.testing.assert_allclose(np.diagonal(radians[:, 4:]), np.pi, rtol=0, atol=1e-15)


def test_matrix_against_itself_has_an_exact_zero_diagonal(rng):
    x = rng.standard_normal((30, 17))
    for dtype in (np.float32, np.float64):
        m = angular_distance(x.astype(dtype), x.astype(dtype))
        np.testing.assert_array_equal(np.diagonal(m), 0, err_msg=np.dtype(dtype).name)


# --- properties: random vectors and near-(anti)parallel pairs ---------------------------


def elements(dtype):
    width = 32 if dtype == np.float32 else 64
    return st.floats(width=width, allow_nan=False, allow_infinity=False)


def vectors(dtype):
    return hnp.arrays(dtype, st.integers(1, 6), elements=elements(dtype))


@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=lambda d: np.dtype(d).name)
@given(data=st.data())
def test_property_matches_exact_angle(dtype, data):
    a = data.draw(vectors(dtype), label="a")
    d = a.size
    kind = data.draw(st.sampled_from(["random", "a + tiny", "-a + tiny"]), label="kind")
    if kind == "random":
        b = data.draw(hnp.arrays(dtype, d, elements=elements(dtype)), label="b")
    else:
        rel = data.draw(st.floats(1e-17, 1e-2), label="relative size")
        noise = data.draw(hnp.arrays(np.float64, d, elements=st.floats(-1, 1)), label="noise")
        with np.errstate(over="ignore"):
            tiny = noise * rel * float(np.abs(a).max())
            b = ((a if kind == "a + tiny" else -a) + tiny).astype(dtype)
        if not np.isfinite(b).all():
            return
    A, B = np.stack([a, -a]), np.stack([b, a, -b])
    got = angular_distance(A, B)
    assert got.dtype == dtype
    check_pairs(A, B, got)
    np.testing.assert_allclose(
        got, reference.angular_distance(A, B), rtol=0, atol=allowed(dtype, d)
    )
