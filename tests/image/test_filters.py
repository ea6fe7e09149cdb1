"""Tests of fastnn.image.filters: correlate2d and convolve2d.

Two oracles for every case: the NumPy twin (:mod:`fastnn.image.reference`)
and SciPy, per 2-D image (``scipy.ndimage.correlate``/``convolve`` with
origin 0 for the boundary modes, ``scipy.signal.correlate2d``/``convolve2d``
for ``mode="valid"``). The kernels are chosen to reach each of fastnn's
three code paths (the unrolled dense 3×3 stencil, the separable rank-1
passes, the general tap list); :func:`_path` checks that they do.
"""

import numpy as np
import pytest
import scipy.ndimage as ndi
import scipy.signal as sps
from hostile import layouts, with_nonfinite
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from fastnn.image import convolve2d, correlate2d, reference
from fastnn.image.filters import rank1_factors

MODES = ("reflect", "mirror", "nearest", "wrap", "constant")
DTYPES = (np.bool_, np.uint8, np.int16, np.float32, np.float64)
CVAL = -2.5  # non-zero, exact in float32; passed in every mode (only "constant" may read it)
IMAGE_SHAPES = [(1, 1), (1, 12), (10, 1), (7, 13), (2, 9, 11), (2, 3, 8, 5)]
OPS = {
    "correlate": (correlate2d, reference.correlate2d),
    "convolve": (convolve2d, reference.convolve2d),
}

# name -> (maker, the fastnn path it must take)
KERNELS = {
    "1x1": (lambda rng: np.array([[1.75]]), "separable"),
    "3x3 dense": (
        lambda rng: rng.uniform(0.5, 1.5, (3, 3)) * rng.choice([-1.0, 1.0], (3, 3)),
        "stencil",
    ),
    "3x3 with zeros": (
        lambda rng: rng.uniform(0.5, 1.5, (3, 3)) * np.array([[0, 1, 1], [1, 1, 0], [-1, 0, 1]]),
        "taps",
    ),
    "3x3 rank-1 sobel": (lambda rng: np.outer([1.0, 2.0, 1.0], [-1.0, 0.0, 1.0]), "separable"),
    "5x5 rank-1 dense": (
        lambda rng: np.outer(rng.uniform(0.5, 2, 5), rng.uniform(0.5, 2, 5) * [1, -1, 1, -1, 1]),
        "separable",
    ),
    "5x5 random": (lambda rng: rng.standard_normal((5, 5)), "taps"),
    "2x2": (lambda rng: rng.standard_normal((2, 2)), "taps"),
    "4x3": (lambda rng: rng.standard_normal((4, 3)), "taps"),
    "1x6": (lambda rng: rng.standard_normal((1, 6)), "separable"),
    "4x1": (lambda rng: rng.standard_normal((4, 1)), "separable"),
    "15x17 larger than the images": (lambda rng: rng.standard_normal((15, 17)), "taps"),
}


def make_kernel(name, rng):
    maker, path = KERNELS[name]
    kernel = maker(rng)
    assert _path(kernel) == path, f"test kernel {name!r} does not reach the {path} path"
    return kernel


def _path(kernel):
    """Which of fastnn's code paths a correlation kernel takes (mirrors filters._correlate)."""
    if rank1_factors(kernel) is not None:
        return "separable"
    return "stencil" if kernel.shape == (3, 3) and kernel.all() else "taps"


def make_image(shape, dtype, rng):
    dtype = np.dtype(dtype)
    if dtype.kind == "b":
        return rng.random(shape) < 0.5
    if dtype.kind in "iu":
        info = np.iinfo(dtype)
        return rng.integers(info.min, info.max, size=shape, dtype=dtype, endpoint=True)
    return (50 * rng.standard_normal(shape)).astype(dtype)


def result_dtype(dtype):
    return np.dtype(np.float64) if np.dtype(dtype) == np.float64 else np.dtype(np.float32)


def tolerance(image, kernel, dtype, cval=0.0):
    """Absolute tolerance: a relative error ~1e-10 (float64) or ~1e-5 (float32) of sum|k|·max|x|."""
    values = np.asarray(image, dtype=np.float64)
    values = values[np.isfinite(values)]
    biggest = max(np.abs(values).max(initial=0.0), abs(cval), 1.0)
    rtol = 1e-10 if result_dtype(dtype) == np.float64 else 1e-5
    return rtol * np.abs(kernel).sum() * biggest


def assert_close(got, want, atol, msg):
    np.testing.assert_allclose(np.asarray(got, np.float64), want, rtol=0, atol=atol, err_msg=msg)


# --- scipy oracles -----------------------------------------------------------


def scipy_reflect_is_broken(shape, kernel_shape):
    """Whether scipy.ndimage.correlate/convolve get mode="reflect" wrong for this case.

    scipy's n-D filters (NI_InitFilterOffsets) map an offset that is an exact
    multiple of 2n beyond an axis of length n to -1, "the constant", so they
    read cval instead of the image once the kernel reaches 4n past the edge
    (seen with n = 2, kh = 16). We treat a reach of 2n or more as suspect.
    scipy.ndimage.correlate1d extends lines by another route and is right.
    """
    return any(
        max(k // 2, k - 1 - k // 2) >= 2 * n for n, k in zip(shape, kernel_shape, strict=True)
    )


def rank1(kernel):
    """(col, row) with outer(col, row) == kernel, from an SVD, or None."""
    u, s, vt = np.linalg.svd(kernel)
    if s.size > 1 and s[1] > 1e-12 * s[0]:
        return None
    return u[:, 0] * s[0], vt[0]


def scipy_filter(image, kernel, mode, cval, op):
    """scipy.ndimage.correlate or .convolve of one 2-D float64 image, origin 0."""
    if mode == "reflect" and scipy_reflect_is_broken(image.shape, kernel.shape):
        # See scipy_reflect_is_broken: the n-D filter reads cval here. A rank-1
        # kernel runs as two scipy 1-D filters, which extend correctly; any
        # other kernel on the image padded with np.pad("symmetric"), which is
        # mode="reflect" by definition, and cropped.
        factors = rank1(kernel)
        if factors is not None:
            filter1d = ndi.correlate1d if op == "correlate" else ndi.convolve1d
            col, row = factors
            return filter1d(filter1d(image, col, axis=0, mode=mode), row, axis=1, mode=mode)
        kh, kw = kernel.shape
        padded = np.pad(image, ((kh, kh), (kw, kw)), mode="symmetric")
        return getattr(ndi, op)(padded, kernel, mode="constant")[kh:-kh, kw:-kw]
    return getattr(ndi, op)(image, kernel, mode=mode, cval=cval)


def per_image(oracle, image, out_shape=None):
    """Apply a 2-D ``oracle`` to every image of a (..., H, W) batch, in float64."""
    images = np.asarray(image, dtype=np.float64)
    flat = images.reshape(-1, *images.shape[-2:])
    out = np.stack([oracle(x) for x in flat])
    return out.reshape(images.shape[:-2] + out.shape[-2:])


# --- the boundary modes: every dtype × kernel × image shape ------------------


@pytest.mark.parametrize("kernel_name", list(KERNELS))
@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: np.dtype(d).name)
@pytest.mark.parametrize("mode", MODES)
def test_matches_scipy_and_twin(mode, dtype, kernel_name, rng):
    kernel = make_kernel(kernel_name, rng)
    kernel_before = kernel.copy()
    for shape in IMAGE_SHAPES:
        image = make_image(shape, dtype, rng)
        image_before = image.copy()
        atol = tolerance(image, kernel, dtype, CVAL)
        for op, (func, twin) in OPS.items():
            msg = (
                f"{op}2d mode={mode!r} cval={CVAL} dtype={np.dtype(dtype).name} "
                f"kernel={kernel_name} {kernel.shape} image shape={shape}"
            )
            got = func(image, kernel, mode=mode, cval=CVAL)
            assert got.dtype == result_dtype(dtype), msg
            assert got.shape == shape, msg
            want_twin = twin(image, kernel, mode=mode, cval=CVAL)
            assert want_twin.dtype == got.dtype, msg
            assert_close(got, want_twin, atol, f"vs twin: {msg}")
            want = per_image(lambda x: scipy_filter(x, kernel, mode, CVAL, op), image)  # noqa: B023
            assert_close(got, want, atol, f"vs scipy.ndimage.{op}: {msg}")
            np.testing.assert_array_equal(image, image_before, err_msg=f"image modified: {msg}")
            np.testing.assert_array_equal(kernel, kernel_before, err_msg=f"kernel modified: {msg}")


def test_scipy_reflect_oracle_is_needed():
    """The reason for scipy_reflect_is_broken: scipy reads cval where the image is."""
    image = np.array([[1.0], [2.0]])
    kernel = np.ones((17, 1))
    by_padding = reference.correlate2d(image, kernel, mode="reflect")
    assert not np.allclose(ndi.correlate(image, kernel, mode="reflect", cval=100.0), by_padding)
    by_lines = ndi.correlate1d(image, kernel[:, 0], axis=0, mode="reflect")
    np.testing.assert_allclose(by_lines, by_padding)
    np.testing.assert_allclose(correlate2d(image, kernel, mode="reflect", cval=100.0), by_padding)


@pytest.mark.parametrize("kernel_name", list(KERNELS))
@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: np.dtype(d).name)
def test_valid_mode(dtype, kernel_name, rng):
    kernel = make_kernel(kernel_name, rng)
    kh, kw = kernel.shape
    signal = {"correlate": sps.correlate2d, "convolve": sps.convolve2d}
    for shape in IMAGE_SHAPES:
        image = make_image(shape, dtype, rng)
        h, w = shape[-2:]
        for op, (func, twin) in OPS.items():
            msg = (
                f"{op}2d mode='valid' dtype={np.dtype(dtype).name} "
                f"kernel={kernel_name} {kernel.shape} image shape={shape}"
            )
            if kh > h or kw > w:
                with pytest.raises(ValueError, match="kernel"):
                    func(image, kernel, mode="valid")
                continue
            got = func(image, kernel, mode="valid")
            assert got.dtype == result_dtype(dtype), msg
            assert got.shape == (*shape[:-2], h - kh + 1, w - kw + 1), msg
            atol = tolerance(image, kernel, dtype)
            assert_close(got, twin(image, kernel, mode="valid"), atol, f"vs twin: {msg}")
            want = per_image(lambda x: signal[op](x, kernel, mode="valid"), image)  # noqa: B023
            assert_close(got, want, atol, f"vs scipy.signal.{op}2d: {msg}")


# --- NaN and inf ---------------------------------------------------------------


@pytest.mark.parametrize("kernel_name", list(KERNELS))
@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=lambda d: np.dtype(d).name)
def test_nonfinite_pixels_spread_as_in_scipy(dtype, mode, kernel_name, rng):
    """NaN and ±inf land exactly where scipy puts them: zero weights are out of the footprint."""
    kernel = make_kernel(kernel_name, rng)
    for values in [(np.nan,), (np.inf, -np.inf), (np.nan, np.inf, -np.inf)]:
        image = with_nonfinite(rng.standard_normal((2, 9, 11)), rng, values=values, fraction=0.03)
        image = image.astype(dtype)
        for op, (func, _) in OPS.items():
            msg = (
                f"{op}2d mode={mode!r} dtype={np.dtype(dtype).name} kernel={kernel_name} {values=}"
            )
            got = func(image, kernel, mode=mode, cval=CVAL)
            want = per_image(lambda x: scipy_filter(x, kernel, mode, CVAL, op), image)  # noqa: B023
            for what in (np.isnan, np.isposinf, np.isneginf):
                np.testing.assert_array_equal(
                    what(got), what(want), err_msg=f"{what.__name__}: {msg}"
                )
            finite = np.isfinite(want)
            assert_close(got[finite], want[finite], tolerance(image, kernel, dtype), msg)


@pytest.mark.parametrize("op", list(OPS))
def test_nan_does_not_spread_under_zero_weights(op):
    image = np.zeros((7, 7))
    image[3, 3] = np.nan
    kernel = np.array([[1.0, 0, 0], [0, 0, 0], [0, 0, 2.0]])  # rank 2: the tap path
    got = OPS[op][0](image, kernel, mode="constant")
    want = np.zeros((7, 7), bool)
    want[2, 2] = want[4, 4] = True  # out[i, j] reads x[i - 1, j - 1] and x[i + 1, j + 1]
    np.testing.assert_array_equal(np.isnan(got), want, err_msg=op)
    np.testing.assert_array_equal(np.isnan(got), np.isnan(getattr(ndi, op)(image, kernel)))


@pytest.mark.parametrize("kernel_name", ["3x3 dense", "3x3 rank-1 sobel", "5x5 random"])
@pytest.mark.parametrize("op", list(OPS))
def test_nan_cval_matches_scipy(op, kernel_name, rng):
    kernel = make_kernel(kernel_name, rng)
    image = rng.standard_normal((6, 8))
    got = OPS[op][0](image, kernel, mode="constant", cval=np.nan)
    want = getattr(ndi, op)(image, kernel, mode="constant", cval=np.nan)
    msg = f"{op}2d cval=nan kernel={kernel_name}"
    np.testing.assert_array_equal(np.isnan(got), np.isnan(want), err_msg=msg)
    assert np.isnan(got).any() and not np.isnan(got).all(), msg


# --- dtype policy and hostile layouts -------------------------------------------

ALL_REAL_DTYPES = [
    np.bool_, np.int8, np.uint8, np.int16, np.uint16, np.int32, np.uint32, np.int64, np.uint64,
    np.float16, np.float32, np.float64,
]  # fmt: skip


@pytest.mark.parametrize("dtype", ALL_REAL_DTYPES, ids=lambda d: np.dtype(d).name)
@pytest.mark.parametrize("kernel_name", ["3x3 dense", "3x3 rank-1 sobel", "5x5 random"])
def test_dtype_policy(kernel_name, dtype, rng):
    """float64 → float64; float32, float16, every integer and bool → float32."""
    kernel = make_kernel(kernel_name, rng)
    image = make_image((5, 6), dtype, rng)
    for op, (func, twin) in OPS.items():
        msg = f"{op}2d dtype={np.dtype(dtype).name} kernel={kernel_name}"
        got = func(image, kernel)
        assert got.dtype == result_dtype(dtype), msg
        assert_close(got, twin(image, kernel), tolerance(image, kernel, dtype), msg)


@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: np.dtype(d).name)
@pytest.mark.parametrize("kernel_name", ["3x3 dense", "5x5 rank-1 dense", "4x3"])
def test_hostile_layouts_give_equal_results(kernel_name, dtype, rng):
    kernel = make_kernel(kernel_name, rng)
    base = make_image((2, 9, 11), dtype, rng)
    for op, (func, _) in OPS.items():
        for mode in ("reflect", "constant"):
            want = func(base, kernel, mode=mode, cval=CVAL)
            for label, image in layouts(base):
                before = image.copy()
                msg = f"{op}2d image {label} mode={mode} dtype={np.dtype(dtype).name} {kernel_name}"
                np.testing.assert_array_equal(
                    func(image, kernel, mode=mode, cval=CVAL), want, err_msg=msg
                )
                np.testing.assert_array_equal(image, before, err_msg=f"modified: {msg}")
                assert image.dtype == before.dtype, msg
            for label, hostile_kernel in layouts(kernel):
                msg = f"{op}2d kernel {label} mode={mode} {kernel_name}"
                np.testing.assert_array_equal(
                    func(base, hostile_kernel, mode=mode, cval=CVAL), want, err_msg=msg
                )
        # Nested lists (of Python ints, floats or bools) work as their arrays do.
        np.testing.assert_array_equal(
            func(base.tolist(), kernel.tolist()),
            func(np.array(base.tolist()), kernel),
            err_msg=f"{op}2d nested lists dtype={np.dtype(dtype).name} {kernel_name}",
        )


# --- the parallel twin -----------------------------------------------------------


@pytest.mark.parametrize("shape", [(150, 170), (6, 40, 50)])
@pytest.mark.parametrize("kernel_name", ["3x3 dense", "5x5 rank-1 dense", "5x5 random"])
@pytest.mark.parametrize("dtype", [np.uint8, np.float32, np.float64], ids=lambda d: d.__name__)
def test_parallel_equals_serial(dtype, kernel_name, shape, rng, parallel_and_serial):
    kernel = make_kernel(kernel_name, rng)
    image = make_image(shape, dtype, rng)
    for op, (func, _) in OPS.items():
        for mode in ("reflect", "constant", "valid"):
            parallel, serial = parallel_and_serial(
                lambda: func(image, kernel, mode=mode, cval=CVAL)  # noqa: B023
            )
            msg = f"{op}2d {mode=} dtype={dtype.__name__} {kernel_name} {shape=}"
            np.testing.assert_array_equal(parallel, serial, err_msg=msg)


# --- properties ---------------------------------------------------------------------

finite_images = hnp.arrays(
    np.float64,
    hnp.array_shapes(min_dims=2, max_dims=3, min_side=1, max_side=8),
    elements=st.floats(-100, 100, allow_subnormal=False),
)
finite_kernels = hnp.arrays(
    np.float64,
    hnp.array_shapes(min_dims=2, max_dims=2, min_side=1, max_side=5),
    elements=st.floats(-4, 4, allow_subnormal=False),
)
odd_kernels = hnp.arrays(
    np.float64,
    st.tuples(st.sampled_from([1, 3, 5]), st.sampled_from([1, 3, 5])),
    elements=st.floats(-4, 4, allow_subnormal=False),
)


def _fits(image, kernel):
    return kernel.shape[0] <= image.shape[-2] and kernel.shape[1] <= image.shape[-1]


@given(
    image=finite_images,
    kernel=finite_kernels,
    mode=st.sampled_from((*MODES, "valid")),
    cval=st.floats(-10, 10),
    op=st.sampled_from(list(OPS)),
)
def test_property_equals_twin(image, kernel, mode, cval, op):
    func, twin = OPS[op]
    msg = f"{op}2d {mode=} {cval=} image {image.shape} kernel {kernel.shape}"
    if mode == "valid" and not _fits(image, kernel):
        with pytest.raises(ValueError, match="kernel"):
            func(image, kernel, mode=mode)
        return
    got = func(image, kernel, mode=mode, cval=cval)
    want = twin(image, kernel, mode=mode, cval=cval)
    assert got.shape == want.shape, msg
    assert_close(got, want, tolerance(image, kernel, np.float64, cval), msg)


@given(
    image=finite_images,
    kernel=finite_kernels,
    a=st.floats(-5, 5),
    mode=st.sampled_from(MODES),
    data=st.data(),
)
def test_property_linear(image, kernel, a, mode, data):
    other = data.draw(
        hnp.arrays(np.float64, image.shape, elements=st.floats(-100, 100)), label="other"
    )
    got = correlate2d(a * image + other, kernel, mode=mode)
    want = a * correlate2d(image, kernel, mode=mode) + correlate2d(other, kernel, mode=mode)
    atol = 1e-9 * np.abs(kernel).sum() * (abs(a) * 100 + 100 + 1)
    assert_close(got, want, atol, f"linearity {a=} {mode=} kernel {kernel.shape}")


@given(
    image=finite_images,
    kernel=odd_kernels,
    mode=st.sampled_from((*MODES, "valid")),
    cval=st.floats(-10, 10),
)
def test_property_convolve_is_correlate_with_flipped_odd_kernel(image, kernel, mode, cval):
    if mode == "valid" and not _fits(image, kernel):
        return
    got = convolve2d(image, kernel, mode=mode, cval=cval)
    want = correlate2d(image, kernel[::-1, ::-1], mode=mode, cval=cval)
    atol = 1e-12 * np.abs(kernel).sum() * max(100, abs(cval))
    assert_close(got, want, atol, f"{mode=} {cval=} kernel {kernel.shape} image {image.shape}")


@given(image=finite_images, kernel=finite_kernels, data=st.data())
def test_property_wrap_commutes_with_circular_shift(image, kernel, data):
    h, w = image.shape[-2:]
    shift = (data.draw(st.integers(0, h - 1), "rows"), data.draw(st.integers(0, w - 1), "cols"))
    shifted = correlate2d(np.roll(image, shift, axis=(-2, -1)), kernel, mode="wrap")
    want = np.roll(correlate2d(image, kernel, mode="wrap"), shift, axis=(-2, -1))
    atol = 1e-12 * np.abs(kernel).sum() * 100
    assert_close(shifted, want, atol, f"{shift=} kernel {kernel.shape} image {image.shape}")
