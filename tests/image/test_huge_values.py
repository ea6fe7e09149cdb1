"""Images with magnitudes near the top of float32 and float64: no overflow the exact result lacks.

The oracle is scipy.ndimage in float64 on the image scaled by 2**-SHIFT
(exact: powers of two, and no subnormals are drawn), so none of its own
sums can overflow; its answer, still in scaled units, is the exact result
up to rounding, beyond the float range too. A float32 image needs no
scaling: scipy sums it in float64. Where the scaled answer lies clearly
inside the result dtype's range fastnn must be finite and close; clearly
beyond it, ±inf of the same sign; within rounding of the limit either.
"""

import numpy as np
import pytest
import scipy.ndimage as ndi
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from fastnn.image import (
    convolve2d,
    correlate2d,
    gradient_magnitude,
    gradient_orientation,
    laplace,
    prewitt,
    reference,
    sobel,
)
from fastnn.image.filters import rank1_factors

MODES = ("reflect", "mirror", "nearest", "wrap", "constant", "valid")
SHIFT = 16
KERNELS = {  # name -> (kernel, the fastnn path it takes)
    "sobel x, separable": (np.outer([1.0, 2, 1], [-1.0, 0, 1]), "separable"),
    "box 3x3, separable": (np.ones((3, 3)), "separable"),
    "1x3 second difference": (np.array([[1.0, -2, 1]]), "separable"),
    "5x5 rank 1": (np.outer([1.0, -3, 0.5, 2, 1], [2.0, 1, -1, 0.25, -4]), "separable"),
    "3x3 dense": (np.array([[1.0, -2, 3], [-1.5, 4, -1], [2, 1, -3.5]]), "stencil"),
    "3x3 with zeros": (np.array([[0.0, 1, -1], [2, 0, -2], [1, -1, 0]]), "taps"),
    "5x5": (np.random.default_rng(5).uniform(-3, 3, (5, 5)), "taps"),
    "2x2": (np.array([[1.0, -1], [2, 1]]), "taps"),
}
TOP = {np.float32: float(np.finfo(np.float32).max), np.float64: float(np.finfo(np.float64).max)}
RTOL = {np.float32: 1e-5, np.float64: 1e-12}  # of Σ|w|·max|x|: float32 sums in float32


def path_of(kernel):
    if rank1_factors(kernel) is not None:
        return "separable"
    return "stencil" if kernel.shape == (3, 3) and kernel.all() else "taps"


def test_kernels_reach_their_paths():
    for name, (kernel, path) in KERNELS.items():
        assert path_of(kernel) == path, name


@st.composite
def huge_images(draw, dtype):
    """(…, H, W) images of ``dtype`` whose values are ``unit · top``, top near the float limit."""
    shape = draw(hnp.array_shapes(min_dims=2, max_dims=3, min_side=1, max_side=7), label="shape")
    unit = draw(
        hnp.arrays(np.float64, shape, elements=st.floats(-1, 1, allow_subnormal=False)), "unit"
    )
    top = draw(st.floats(TOP[dtype] / 64, TOP[dtype]), label="top")
    with np.errstate(over="ignore"):
        image = (unit * top).astype(dtype)
    return np.where(np.isfinite(image), image, dtype(TOP[dtype])).astype(dtype)


def scaled_oracle(func, image, dtype, mode, crop):
    """scipy's ``func(plane, mode)`` per image, in units of 2**SHIFT for float64 images."""
    x = np.asarray(image, np.float64)
    if dtype == np.float64:
        x = np.ldexp(x, -SHIFT)
    flat = x.reshape(-1, *x.shape[-2:])
    scipy_mode = "constant" if mode == "valid" else mode
    out = np.stack([func(plane, scipy_mode) for plane in flat])
    if mode == "valid":
        (top, bottom), (left, right) = crop
        out = out[:, top : out.shape[1] - bottom, left : out.shape[2] - right]
    return out.reshape(x.shape[:-2] + out.shape[-2:])


def in_units(got, dtype):
    got = np.asarray(got, np.float64)
    return np.ldexp(got, -SHIFT) if dtype == np.float64 else got


def underflow_floor(dtype, n_terms):
    """The absolute error, in the oracle's units, of ``n_terms`` products rounded below
    ``dtype``'s normal range (each within its smallest normal number)."""
    return float(in_units(np.finfo(dtype).tiny, dtype)) * n_terms


def assert_matches(got, want, dtype, atol, msg):
    """``got`` (result dtype) against ``want`` (scaled units, may exceed the dtype's range)."""
    assert got.shape == want.shape and got.dtype == dtype, msg
    limit = TOP[dtype] if dtype == np.float32 else np.ldexp(TOP[dtype], -SHIFT)
    g = in_units(got, dtype)
    inside = np.abs(want) < limit - atol
    outside = np.abs(want) > limit + atol
    assert np.isfinite(g[inside]).all(), f"{msg}: not finite where the exact result is"
    np.testing.assert_allclose(g[inside], want[inside], rtol=0, atol=atol, err_msg=msg)
    np.testing.assert_array_equal(g[outside], np.sign(want[outside]) * np.inf, err_msg=msg)


DTYPES = st.sampled_from([np.float32, np.float64])


@settings(deadline=None)
@given(
    data=st.data(),
    dtype=DTYPES,
    mode=st.sampled_from(MODES),
    name=st.sampled_from(list(KERNELS)),
    flip=st.booleans(),
)
def test_correlate_and_convolve_near_the_float_limit(data, dtype, mode, name, flip):
    image = data.draw(huge_images(dtype), label="image")
    kernel = KERNELS[name][0]
    kh, kw = kernel.shape
    if mode == "valid" and (kh > image.shape[-2] or kw > image.shape[-1]):
        return
    cval = data.draw(st.floats(-1, 1), label="cval / top") * TOP[dtype] * 0.999
    func, oracle = (convolve2d, ndi.convolve) if flip else (correlate2d, ndi.correlate)
    msg = f"{func.__name__} {name} mode={mode} {np.dtype(dtype).name} image {image.shape}"
    before = image.copy()
    got = func(image, kernel, mode=mode, cval=cval)
    np.testing.assert_array_equal(image, before, err_msg=f"image modified: {msg}")
    scaled_cval = cval if dtype == np.float32 else np.ldexp(cval, -SHIFT)
    # valid output (i, j) is the full output at the kernel's centre, k // 2 (k - 1 - k // 2 flipped)
    centre = [k - 1 - k // 2 if flip else k // 2 for k in kernel.shape]
    crop = [(c, k - 1 - c) for c, k in zip(centre, kernel.shape, strict=True)]
    want = scaled_oracle(
        lambda x, m: oracle(x, kernel, mode=m, cval=scaled_cval), image, dtype, mode, crop
    )
    biggest = max(np.abs(in_units(image, dtype)).max(), abs(scaled_cval))
    # plus the rounding floor of each tap's product below the dtype's range: a float32
    # cval of 6e-285 is 0 there, and so is every sum it makes (Hypothesis found it)
    atol = RTOL[dtype] * np.abs(kernel).sum() * biggest + underflow_floor(dtype, kernel.size)
    assert_matches(got, want, dtype, atol, msg)


EDGES = {
    "sobel x": (lambda x, m: sobel(x, -1, mode=m), lambda x, m: ndi.sobel(x, -1, mode=m)),
    "sobel y": (lambda x, m: sobel(x, -2, mode=m), lambda x, m: ndi.sobel(x, -2, mode=m)),
    "prewitt x": (lambda x, m: prewitt(x, -1, mode=m), lambda x, m: ndi.prewitt(x, -1, mode=m)),
    "laplace": (lambda x, m: laplace(x, mode=m), lambda x, m: ndi.laplace(x, mode=m)),
    "magnitude": (
        lambda x, m: gradient_magnitude(x, mode=m),
        lambda x, m: np.hypot(ndi.sobel(x, -1, mode=m), ndi.sobel(x, -2, mode=m)),
    ),
    "magnitude prewitt": (
        lambda x, m: gradient_magnitude(x, operator="prewitt", mode=m),
        lambda x, m: np.hypot(ndi.prewitt(x, -1, mode=m), ndi.prewitt(x, -2, mode=m)),
    ),
}


@settings(deadline=None)
@given(data=st.data(), dtype=DTYPES, mode=st.sampled_from(MODES), name=st.sampled_from(list(EDGES)))
def test_edges_near_the_float_limit(data, dtype, mode, name):
    image = data.draw(huge_images(dtype), label="image")
    if mode == "valid" and min(image.shape[-2:]) < 3:
        return
    func, oracle = EDGES[name]
    msg = f"{name} mode={mode} {np.dtype(dtype).name} image {image.shape}"
    got = func(image, mode)
    want = scaled_oracle(oracle, image, dtype, mode, [(1, 1), (1, 1)])
    atol = RTOL[dtype] * 16 * np.abs(in_units(image, dtype)).max() + underflow_floor(dtype, 9)
    assert_matches(got, want, dtype, atol, msg)


@settings(deadline=None)
@given(data=st.data(), dtype=DTYPES, mode=st.sampled_from(MODES))
def test_orientation_near_the_float_limit(data, dtype, mode):
    """atan2 of an overflowed gx or gy is finite and wrong (atan2(inf, x) = π/2)."""
    image = data.draw(huge_images(dtype), label="image")
    if mode == "valid" and min(image.shape[-2:]) < 3:
        return
    msg = f"orientation mode={mode} {np.dtype(dtype).name} image {image.shape}"
    got = gradient_orientation(image, mode=mode)
    crop = [(1, 1), (1, 1)]
    gx = scaled_oracle(lambda x, m: ndi.sobel(x, -1, mode=m), image, dtype, mode, crop)
    gy = scaled_oracle(lambda x, m: ndi.sobel(x, -2, mode=m), image, dtype, mode, crop)
    atol = RTOL[dtype] * 16 * np.abs(in_units(image, dtype)).max() + underflow_floor(dtype, 9)
    assert got.shape == gx.shape and got.dtype == dtype, msg
    assert np.isfinite(got).all(), msg
    magnitude = np.hypot(gx, gy)
    diff = np.abs(np.angle(np.exp(1j * (np.asarray(got, np.float64) - np.arctan2(gy, gx)))))
    with np.errstate(over="ignore"):  # a zero gradient: any angle
        bad = diff > 1e-6 + 4 * atol / np.maximum(magnitude, 1e-300)
    assert not bad.any(), f"{msg}: {bad.sum()} angles off, worst by {diff[bad].max()} rad"


@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=lambda d: np.dtype(d).name)
def test_reported_cases(dtype):
    """The review's reproducers: each true answer is 0; fastnn gave NaN. (scipy gets 0 for
    the first kernel and -inf for its transpose, whose partial sums overflow.)"""
    top = {np.float32: 1e38, np.float64: 5e307}[dtype]
    image = np.full((3, 3), top, dtype)
    for kernel in (np.outer([1, 2, 1], [-1, 0, 1.0]), np.outer([-1, 0, 1.0], [1, 2, 1])):
        np.testing.assert_array_equal(correlate2d(image, kernel), 0)
        np.testing.assert_array_equal(convolve2d(image, kernel), 0)
    edge = np.full((3, 3), TOP[dtype] * 0.99, dtype)
    for func in (sobel, prewitt, laplace, gradient_magnitude, gradient_orientation):
        np.testing.assert_array_equal(func(edge), 0, err_msg=func.__name__)


@pytest.mark.parametrize(
    ("kernel", "scale"),
    [
        # a 3×3 stencil, weights past 3.4e38
        ([[1e39, -1e39, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]], 1e-3),
        ([[1e-50, 1e-50]], 1e30),  # separable, weights below float32's smallest
        ([[1e-39, 2.0, 1.0], [0.0, 1.0, 5.0]], 1e30),  # taps, one a float32 subnormal
    ],
    ids=["stencil huge", "separable tiny", "taps subnormal"],
)
@pytest.mark.filterwarnings("error::RuntimeWarning")
def test_float32_image_with_weights_float32_cannot_hold(kernel, scale, rng):
    """Cast to float32, such weights would become inf or 0 and change the sum, not round it:
    the kernel is applied in float64 and the result rounded to float32 once. The oracle is
    the float64 twin: scipy.ndimage leaves weights with |w| <= 2.2e-16 out of its footprint
    (its C loop's DBL_EPSILON test), where fastnn leaves out exact zeros only."""
    image = (rng.random((6, 7)) * scale).astype(np.float32)
    kernel = np.array(kernel)
    for mode in ("reflect", "constant"):
        got = correlate2d(image, kernel, mode=mode)
        expected = reference.correlate2d(image.astype(np.float64), kernel, mode=mode)
        assert got.dtype == np.float32
        np.testing.assert_allclose(
            got, expected.astype(np.float32), rtol=1e-6, atol=0, err_msg=mode
        )
    # a cval past float32's range: the exact result is past it too, ±inf without a warning
    got = correlate2d(np.ones((3, 3), np.float32), np.ones((2, 2)), mode="constant", cval=1e39)
    assert np.isinf(got[0]).all() and np.isfinite(got[1:, 1:]).all()
