"""Tests of fastnn.image.edges: sobel, prewitt, laplace, gradient_magnitude, gradient_orientation.

Oracles: scipy.ndimage (``sobel``, ``prewitt``, ``laplace``) per 2-D image on
the float64 cast of the image (scipy returns an integer image's derivative in
the image's own dtype, wrapping negative values around), ``np.hypot`` and
``np.arctan2`` of scipy's derivatives, and the NumPy twins in
:mod:`fastnn.image.reference`. ``mode="valid"`` is compared with the twin and
with the interior of scipy's result, which no boundary mode reaches.
"""

from contextlib import nullcontext

import numpy as np
import pytest
import scipy.ndimage as ndi
from hostile import HUGE, layouts, small_shapes, value_patterns

import fastnn.image
from fastnn.image import (
    gradient_magnitude,
    gradient_orientation,
    laplace,
    prewitt,
    reference,
    sobel,
)

MODES = ("reflect", "mirror", "nearest", "wrap", "constant")
DTYPES = (np.uint8, np.int16, np.float32, np.float64)
IMAGE_SHAPES = [*small_shapes(2, 9), (2, 2), (3, 3), (7, 13), (2, 9, 11), (2, 3, 8, 5)]
INTEGER_DTYPES = (np.int8, np.uint8, np.int16, np.uint16, np.int32, np.uint32, np.int64, np.uint64)
FAMILIES = ("sobel", "prewitt", "laplace", "magnitude", "orientation")


def dtype_name(dtype):
    return np.dtype(dtype).name


def result_dtype(dtype):
    return np.dtype(np.float64) if np.dtype(dtype) == np.float64 else np.dtype(np.float32)


def make_image(shape, dtype, rng):
    dtype = np.dtype(dtype)
    if dtype.kind == "b":
        return rng.random(shape) < 0.5
    if dtype.kind in "iu":
        info = np.iinfo(dtype)
        low, high = max(info.min, -5000), min(info.max, 5000)
        return rng.integers(low, high, size=shape, dtype=dtype, endpoint=True)
    return (50 * rng.standard_normal(shape)).astype(dtype)


# --- oracles ---------------------------------------------------------------------


def per_image(oracle, image):
    """Apply a 2-D ``oracle`` to every image of a (..., H, W) batch, in float64."""
    images = np.asarray(image, dtype=np.float64)
    flat = images.reshape(-1, *images.shape[-2:])
    out = np.stack([oracle(x) for x in flat])
    return out.reshape(images.shape[:-2] + out.shape[-2:])


def scipy_results(image, mode):
    """name -> scipy's answer for the whole (..., H, W) image, float64.

    Names: "sobel x", "sobel y", "prewitt x", "prewitt y", "laplace",
    "magnitude sobel", …, "orientation prewitt". For ``mode="valid"``, the
    interior of the "reflect" result.
    """
    m = "reflect" if mode == "valid" else mode
    with np.errstate(invalid="ignore", over="ignore"):  # inf − inf is meant to give NaN here
        out = {"laplace": per_image(lambda x: ndi.laplace(x, mode=m), image)}
        for operator in ("sobel", "prewitt"):
            derivative = getattr(ndi, operator)
            gx = per_image(lambda x: derivative(x, axis=-1, mode=m), image)  # noqa: B023
            gy = per_image(lambda x: derivative(x, axis=-2, mode=m), image)  # noqa: B023
            out[f"{operator} x"], out[f"{operator} y"] = gx, gy
            out[f"magnitude {operator}"] = np.hypot(gx, gy)
            out[f"orientation {operator}"] = np.arctan2(gy, gx)
    if mode == "valid":
        out = {name: value[..., 1:-1, 1:-1] for name, value in out.items()}
    return out


def bind(func, args, kwargs, *, quiet=False):
    """``func`` as a call ``(image, mode)``; ``quiet`` silences NumPy's inf − inf warnings."""

    def call(image, mode):
        silence = np.errstate(invalid="ignore", over="ignore") if quiet else nullcontext()
        with silence:
            return func(image, *args, mode=mode, **kwargs)

    return call


def calls(family, ndim):
    """[(label, scipy name, fastnn call, twin call)] of one family, every axis spelling included.

    Each call takes ``(image, mode)``; the scipy name is a key of :func:`scipy_results`.
    """
    if family in ("sobel", "prewitt"):
        name = family
        variants = [
            (
                f"{name}(axis={axis})",
                f"{name} {'x' if axis in (-1, ndim - 1) else 'y'}",
                (axis,),
                {},
            )
            for axis in (-1, ndim - 1, -2, ndim - 2)
        ]
    elif family == "laplace":
        name = family
        variants = [("laplace", "laplace", (), {})]
    else:
        name = f"gradient_{family}"
        variants = [
            (f"{name}(operator={op!r})", f"{family} {op}", (), {"operator": op})
            for op in ("sobel", "prewitt")
        ]
    func, twin = getattr(fastnn.image, name), getattr(reference, name)
    return [
        (label, oracle, bind(func, args, kwargs), bind(twin, args, kwargs, quiet=True))
        for label, oracle, args, kwargs in variants
    ]


# --- comparisons -----------------------------------------------------------------


def gradient_atol(image, dtype):
    """Absolute error allowed on a derivative: ~1e-12 (float64) or ~2e-6 (float32) of 8·max|x|."""
    values = np.asarray(image, dtype=np.float64)
    values = values[np.isfinite(values)]
    biggest = max(np.abs(values).max(initial=0.0), 1.0)
    return (1e-12 if result_dtype(dtype) == np.float64 else 2e-6) * 8 * biggest


def assert_same_nonfinite(got, want, msg):
    got = np.asarray(got, np.float64)
    for what in (np.isnan, np.isposinf, np.isneginf):
        np.testing.assert_array_equal(what(got), what(want), err_msg=f"{what.__name__}: {msg}")


def assert_close(got, want, atol, msg):
    assert_same_nonfinite(got, want, msg)
    finite = np.isfinite(want)
    got = np.asarray(got, np.float64)
    np.testing.assert_allclose(got[finite], want[finite], rtol=0, atol=atol, err_msg=msg)


def assert_angles_close(got, want, magnitude, atol, msg):
    """Angles equal modulo 2π, within what a gradient error ``atol`` allows at ``magnitude``.

    Where the gradient is about as small as its rounding error its angle is
    noise, so the allowance is atol / |gradient| (plus a few ulps).
    """
    assert_same_nonfinite(got, want, msg)
    ok = np.isfinite(want)
    got = np.asarray(got, np.float64)[ok]
    diff = np.abs(np.angle(np.exp(1j * (got - want[ok]))))
    with np.errstate(over="ignore"):
        allowed = 1e-6 + 4 * atol / np.maximum(np.asarray(magnitude)[ok], 1e-300)
    bad = diff > allowed
    assert not bad.any(), f"{msg}: {bad.sum()} angles off, worst by {diff[bad].max()} rad"


def check(name, got, want, oracles, image, dtype, msg):
    """Compare ``got`` with ``want`` (twin's or scipy's answer for scipy name ``name``)."""
    atol = gradient_atol(image, dtype)
    if name.startswith("orientation"):
        magnitude = oracles["magnitude " + name.split()[-1]]
        assert_angles_close(got, want, magnitude, atol, msg)
    else:
        assert_close(got, want, atol, msg)


# --- every mode × dtype × shape ----------------------------------------------------


@pytest.mark.parametrize("family", FAMILIES)
@pytest.mark.parametrize("dtype", DTYPES, ids=dtype_name)
@pytest.mark.parametrize("mode", (*MODES, "valid"))
def test_matches_scipy_and_twin(mode, dtype, family, rng):
    for shape in IMAGE_SHAPES:
        image = make_image(shape, dtype, rng)
        before = image.copy()
        small = shape[-1] < 3 or shape[-2] < 3
        oracles = None if mode == "valid" and small else scipy_results(image, mode)
        for label, name, func, twin in calls(family, image.ndim):
            msg = f"{label} mode={mode!r} dtype={dtype_name(dtype)} image shape={shape}"
            if oracles is None:
                with pytest.raises(ValueError, match="valid"):
                    func(image, mode)
                continue
            got = func(image, mode)
            assert got.dtype == result_dtype(dtype), msg
            assert got.shape == oracles[name].shape, msg
            want_twin = twin(image, mode)
            assert want_twin.dtype == got.dtype, msg
            check(name, got, want_twin, oracles, image, dtype, f"vs twin: {msg}")
            check(name, got, oracles[name], oracles, image, dtype, f"vs scipy: {msg}")
            np.testing.assert_array_equal(image, before, err_msg=f"image modified: {msg}")


@pytest.mark.parametrize("family", FAMILIES)
@pytest.mark.parametrize("dtype", (np.int32, np.int64, np.float32, np.float64), ids=dtype_name)
def test_value_patterns_match_scipy(dtype, family, rng):
    """Ties, constants, extremes (dtype min/max, ±1e30, ±1e200), NaN and ±inf mixes.

    Integer images must come out as scipy's answer on their float64 cast: the
    design promises nothing overflows silently, whatever the integer width.
    """
    for pattern, image in value_patterns((2, 7, 9), dtype, rng):
        oracles = scipy_results(image, "reflect")
        for label, name, func, twin in calls(family, image.ndim):
            msg = f"{label} dtype={dtype_name(dtype)} values={pattern}"
            got = func(image, "reflect")
            check(name, got, oracles[name], oracles, image, dtype, f"vs scipy: {msg}")
            check(name, got, twin(image, "reflect"), oracles, image, dtype, f"vs twin: {msg}")


def test_constant_image_has_zero_gradient_and_zero_angle():
    for dtype in (np.uint8, np.float32, np.float64):
        image = np.full((2, 5, 6), 7, dtype)
        for mode in (*MODES, "valid"):
            msg = f"dtype={dtype_name(dtype)} {mode=}"
            if mode == "constant":
                continue  # the zero border makes real edges
            for func in (sobel, prewitt, laplace, gradient_magnitude, gradient_orientation):
                got = func(image, mode=mode)
                np.testing.assert_array_equal(got, 0, err_msg=f"{func.__name__} {msg}")
                # +0.0 everywhere: a -0.0 gx would turn arctan2(0, gx) into π
                assert not np.signbit(got).any(), f"{func.__name__} {msg}"


# --- integers: no wraparound -------------------------------------------------------


def test_uint8_sobel_is_signed_where_scipy_wraps():
    image = np.zeros((5, 8), np.uint8)
    image[:, :4] = 200  # a falling edge: the x derivative is -800
    got = sobel(image)
    assert got.dtype == np.float32
    assert got.min() == -800.0
    np.testing.assert_array_equal(got, ndi.sobel(image.astype(np.float64)))
    wrapped = ndi.sobel(image)  # scipy keeps uint8: -800 comes back as 224
    assert wrapped.dtype == np.uint8
    assert not np.array_equal(wrapped.astype(np.float32), got)
    np.testing.assert_array_equal(wrapped, got.astype(np.int64) % 256)


@pytest.mark.parametrize("family", FAMILIES)
@pytest.mark.parametrize("dtype", INTEGER_DTYPES, ids=dtype_name)
def test_large_integer_steps_do_not_wrap(dtype, family):
    """Steps up to the dtype's whole range: the largest derivatives the dtype can have.

    The heights differ because a wrapped-around square can land negative
    (NaN, which the magnitude kernel notices and redoes) or positive (a
    wrong finite value, which nothing notices): 0 → 1.2e9 in int32 is one.
    """
    info = np.iinfo(dtype)
    heights = [(info.min, info.max), (0, info.max), (0, int(0.56 * info.max)), (0, info.max // 3)]
    for low, high in heights:
        image = np.full((6, 7), low, dtype)
        image[:, 3:] = high
        image[3:, :] = high
        image[4, 5] = low
        oracles = scipy_results(image, "reflect")
        for label, name, func, _ in calls(family, 2):
            msg = f"{label} dtype={dtype_name(dtype)} steps between {low} and {high}"
            check(name, func(image, "reflect"), oracles[name], oracles, image, dtype, msg)


def test_int32_edge_magnitude():
    """The plainest case of the above: a 1.2e9 step in an int32 image."""
    image = np.zeros((5, 6), np.int32)
    image[:, 3:] = 1_200_000_000
    got = gradient_magnitude(image)
    np.testing.assert_allclose(got[2], [0, 0, 4.8e9, 4.8e9, 0, 0], rtol=1e-6)


# --- NaN and inf ------------------------------------------------------------------------


@pytest.mark.parametrize("mode", (*MODES, "valid"))
@pytest.mark.parametrize("dtype", (np.float32, np.float64), ids=dtype_name)
def test_nan_footprints(dtype, mode):
    """Sobel, Prewitt, magnitude and orientation spread a NaN over 3×3; laplace over a plus."""
    image = np.ones((7, 9), dtype)
    image[3, 4] = np.nan
    square = np.zeros((7, 9), bool)
    square[2:5, 3:6] = True
    plus = np.zeros((7, 9), bool)
    plus[3, 3:6] = plus[2:5, 4] = True
    if mode == "valid":
        square, plus = square[1:-1, 1:-1], plus[1:-1, 1:-1]
    for func in (
        lambda x: sobel(x, -1, mode=mode),
        lambda x: sobel(x, -2, mode=mode),
        lambda x: prewitt(x, -1, mode=mode),
        lambda x: gradient_magnitude(x, mode=mode),
        lambda x: gradient_orientation(x, operator="prewitt", mode=mode),
    ):
        np.testing.assert_array_equal(np.isnan(func(image)), square, err_msg=f"{mode=}")
    np.testing.assert_array_equal(np.isnan(laplace(image, mode=mode)), plus, err_msg=f"{mode=}")


@pytest.mark.parametrize("family", FAMILIES)
@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("dtype", (np.float32, np.float64), ids=dtype_name)
def test_nonfinite_match_scipy_and_twin(dtype, mode, family, rng):
    """NaN, +inf and -inf land where scipy (and np.hypot, np.arctan2 of its derivatives) put them.

    np.hypot(nan, inf) is inf: a pixel whose gx is NaN (inf − inf) and gy
    infinite has an infinite magnitude, and so must fastnn's.
    """
    for values in [(np.nan,), (np.inf,), (np.inf, -np.inf), (np.nan, np.inf, -np.inf)]:
        image = (20 * rng.standard_normal((9, 11))).astype(dtype)
        flat = image.reshape(-1)
        where = rng.choice(flat.size, size=6, replace=False)
        flat[where] = rng.choice(values, size=6)
        oracles = scipy_results(image, mode)
        for label, name, func, twin in calls(family, 2):
            msg = f"{label} mode={mode!r} dtype={dtype_name(dtype)} {values=} at {sorted(where)}"
            got = func(image, mode)
            check(name, got, oracles[name], oracles, image, dtype, f"vs scipy: {msg}")
            check(name, got, twin(image, mode), oracles, image, dtype, f"vs twin: {msg}")


def test_magnitude_of_nan_and_inf_is_inf():
    image = np.zeros((5, 5))
    image[1, 1] = image[1, 3] = np.inf
    with np.errstate(invalid="ignore"):
        gx, gy = reference.sobel(image, -1), reference.sobel(image, -2)
    # At (2, 2): gx reads row 1 as inf − inf = NaN; gy reads (0 − inf) twice = -inf.
    assert np.isnan(gx[2, 2]) and np.isneginf(gy[2, 2])
    got = gradient_magnitude(image)
    assert got[2, 2] == np.inf
    assert_same_nonfinite(got, np.hypot(gx, gy), "gradient_magnitude with two inf pixels")
    with np.errstate(invalid="ignore"):
        want = np.hypot(ndi.sobel(image, -1), ndi.sobel(image, -2))
    assert_same_nonfinite(got, want, "vs scipy, two inf pixels")


def test_orientation_is_nan_where_a_derivative_is_nan():
    """arctan2(gy, gx) with gx = sobel(x, -1): an inf above a pixel makes its gx 0·inf = NaN
    (scipy keeps the zero column of the kernel, and so does fastnn.image.sobel), so the
    orientation there is NaN, as in the twin, not arctan2(-inf, 0) = -π/2."""
    image = np.zeros((5, 5))
    image[1, 2] = np.inf
    assert np.isnan(sobel(image, -1)[2, 2]) and sobel(image, -2)[2, 2] == -np.inf
    with np.errstate(invalid="ignore"):
        want = reference.gradient_orientation(image)
    assert np.isnan(want[2, 2])
    got = gradient_orientation(image)
    assert np.isnan(got[2, 2]), f"got {got[2, 2]}"
    assert_same_nonfinite(got, want, "gradient_orientation with one inf pixel")


# --- overflow and underflow of the magnitude's squares --------------------------------------


@pytest.mark.parametrize("operator", ("sobel", "prewitt"))
@pytest.mark.parametrize("dtype", (np.float32, np.float64), ids=dtype_name)
@pytest.mark.parametrize("size", ("huge", "tiny"))
def test_magnitude_is_hypot_at_any_scale(size, dtype, operator, rng):
    """gx² + gy² overflows past |g| ~ 1e19 (float32) or 1e154 (float64) and
    underflows below ~1e-19 / 1e-154; the magnitude must be hypot's all the same.

    The expected value is np.hypot of scipy's float64 derivatives, cast to
    the result dtype; float32 is compared to ~1e-6 relative.
    """
    dtype = np.dtype(dtype)
    unit = HUGE[dtype] if size == "huge" else 1.0 / HUGE[dtype]
    image = (unit * rng.uniform(-1, 1, (2, 8, 9))).astype(dtype)
    image[:, :, 4:] += dtype.type(unit)  # a strong vertical edge
    for mode in ("reflect", "constant", "valid"):
        oracles = scipy_results(image, mode)
        want = oracles[f"magnitude {operator}"].astype(dtype)
        got = gradient_magnitude(image, operator=operator, mode=mode)
        msg = f"{size} {dtype.name} {operator=} {mode=}"
        assert np.isfinite(got).all(), msg
        rtol = 1e-12 if dtype == np.float64 else 2e-6
        atol = rtol * np.abs(want).max()
        np.testing.assert_allclose(got, want, rtol=0, atol=atol, err_msg=msg)
        if size == "tiny":  # relative accuracy pixel by pixel, as hypot gives
            np.testing.assert_allclose(got, want, rtol=8 * rtol, atol=0, err_msg=msg)


# --- parallel twin, hostile layouts ---------------------------------------------------


@pytest.mark.parametrize("shape", [(150, 170), (6, 40, 50)])
@pytest.mark.parametrize("dtype", (np.uint8, np.float32, np.float64), ids=dtype_name)
def test_parallel_equals_serial(dtype, shape, rng, parallel_and_serial):
    image = make_image(shape, dtype, rng)
    if image.dtype.kind == "f":
        image.reshape(-1)[rng.choice(image.size, 50)] = np.nan
    for family in FAMILIES:
        for label, _, func, _ in calls(family, image.ndim):
            for mode in ("reflect", "wrap", "constant", "valid"):
                parallel, serial = parallel_and_serial(lambda: func(image, mode))  # noqa: B023
                msg = f"{label} {mode=} dtype={dtype_name(dtype)} {shape=}"
                np.testing.assert_array_equal(parallel, serial, err_msg=msg)


@pytest.mark.parametrize(
    "dtype", (np.bool_, np.uint8, np.int16, np.float32, np.float64), ids=dtype_name
)
def test_hostile_layouts_give_equal_results(dtype, rng):
    base = make_image((2, 9, 11), dtype, rng)
    for family in FAMILIES:
        for label, _, func, _ in calls(family, base.ndim):
            want = func(base, "reflect")
            for layout, image in layouts(base):
                before = image.copy()
                msg = f"{label} image {layout} dtype={dtype_name(dtype)}"
                np.testing.assert_array_equal(func(image, "reflect"), want, err_msg=msg)
                np.testing.assert_array_equal(image, before, err_msg=f"modified: {msg}")
