"""Bad inputs to every public function of fastnn.image: clear errors, never a Numba one.

The house rule (DESIGN.md): a ``ValueError`` or ``TypeError`` whose message
names the argument. ``pytest.raises(..., match=...)`` checks the name; the
Hypothesis test at the end checks that nothing else (a Numba ``TypingError``,
an ``IndexError`` from a kernel) ever reaches the caller.
"""

import inspect

import numba.core.errors
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import fastnn.image
from fastnn.image import (
    convolve2d,
    correlate2d,
    gradient_magnitude,
    gradient_orientation,
    laplace,
    prewitt,
    reference,
    rgb_to_gray,
    sobel,
)

KERNEL = np.array([[1.0, 2.0, 0.0], [-1.0, 0.5, 3.0], [0.0, 1.0, 1.0]])

# name -> call with a good image and every other argument good
CALLS = {
    "correlate2d": lambda image, **kw: correlate2d(image, KERNEL, **kw),
    "convolve2d": lambda image, **kw: convolve2d(image, KERNEL, **kw),
    "sobel": lambda image, **kw: sobel(image, **kw),
    "prewitt": lambda image, **kw: prewitt(image, **kw),
    "laplace": lambda image, **kw: laplace(image, **kw),
    "gradient_magnitude": lambda image, **kw: gradient_magnitude(image, **kw),
    "gradient_orientation": lambda image, **kw: gradient_orientation(image, **kw),
    "rgb_to_gray": lambda image, **kw: rgb_to_gray(image, **kw),
}
WITH_MODE = [name for name in CALLS if name != "rgb_to_gray"]
WITH_KERNEL = {"correlate2d": correlate2d, "convolve2d": convolve2d}
WITH_AXIS = {"sobel": sobel, "prewitt": prewitt}
WITH_OPERATOR = {
    "gradient_magnitude": gradient_magnitude,
    "gradient_orientation": gradient_orientation,
}
MIN_NDIM = {name: 3 if name == "rgb_to_gray" else 2 for name in CALLS}

REAL_DTYPES = [
    np.bool_, np.int8, np.uint8, np.int16, np.uint16, np.int32, np.uint32, np.int64, np.uint64,
    np.float16, np.float32, np.float64,
]  # fmt: skip


def good_image(name, dtype=np.float64):
    shape = (4, 5, 3) if name == "rgb_to_gray" else (4, 5)
    return np.arange(np.prod(shape)).reshape(shape).astype(dtype)


# The feature functions have bad-input tests of their own (test_histogram.py,
# test_hog.py); the transformers are shells over them (test_transformers.py).
FEATURES = {"color_histogram", "hog"}
TRANSFORMERS = {"ColorHistogram", "HOG"}


def test_every_public_function_is_tested_and_has_a_twin():
    assert set(fastnn.image.__all__) == set(CALLS) | FEATURES | TRANSFORMERS
    for name in sorted(set(CALLS) | FEATURES):
        public, twin = getattr(fastnn.image, name), getattr(reference, name)
        assert inspect.signature(public) == inspect.signature(twin), name


# --- the image ------------------------------------------------------------------


@pytest.mark.parametrize("name", list(CALLS))
def test_image_with_too_few_dimensions(name):
    bad = [np.float64(1.0), np.ones(5), [1.0, 2.0, 3.0]]
    if MIN_NDIM[name] == 3:
        bad.append(np.ones((4, 5)))  # rgb_to_gray: no channel axis
    for image in bad:
        with pytest.raises(ValueError, match=r"image.*got shape \("):
            CALLS[name](image)


@pytest.mark.parametrize("name", list(CALLS))
def test_empty_image(name):
    shapes = [(0, 5), (5, 0), (2, 0, 4), (0, 3, 4)]
    if name == "rgb_to_gray":
        shapes += [(0, 5, 3), (5, 0, 3), (2, 0, 4, 3)]
    for shape in shapes:
        with pytest.raises(ValueError, match="image"):
            CALLS[name](np.zeros(shape))


WRONG_KINDS = {
    "complex": lambda image: image + 1j,
    "object": lambda image: image.astype(object),
    "str": lambda image: image.astype(str),
    "bytes": lambda image: image.astype("S3"),
    "datetime64": lambda image: image.astype("datetime64[s]"),
    "None": lambda image: None,
    "a string": lambda image: "image",
    "a ragged list": lambda image: [[1.0, 2.0, 3.0], [4.0, 5.0]],
}


@pytest.mark.parametrize("kind", list(WRONG_KINDS))
@pytest.mark.parametrize("name", list(CALLS))
def test_image_of_the_wrong_kind(name, kind):
    with pytest.raises(TypeError, match="image"):
        CALLS[name](WRONG_KINDS[kind](good_image(name)))


@pytest.mark.parametrize("name", list(CALLS))
def test_rejected_image_message_names_what_came(name):
    with pytest.raises(TypeError, match="complex"):
        CALLS[name](good_image(name) + 1j)
    with pytest.raises(ValueError, match=r"\(0, 5"):
        CALLS[name](np.zeros((0, 5, 3)))


@pytest.mark.parametrize("channels", [1, 2, 4])
def test_rgb_to_gray_needs_three_channels(channels):
    with pytest.raises(ValueError, match=rf"image.*3.*got shape \(4, 5, {channels}\)"):
        rgb_to_gray(np.ones((4, 5, channels)))


# --- the kernel -----------------------------------------------------------------


@pytest.mark.parametrize("name", list(WITH_KERNEL))
def test_kernel_not_2d(name):
    for kernel in (np.float64(1.0), np.ones(3), [1.0, 2.0], np.ones((3, 3, 1)), np.ones((1, 3, 3))):
        with pytest.raises(ValueError, match="kernel"):
            WITH_KERNEL[name](np.ones((5, 5)), kernel)


@pytest.mark.parametrize("name", list(WITH_KERNEL))
def test_empty_kernel(name):
    for shape in ((0, 3), (3, 0), (0, 0)):
        with pytest.raises(ValueError, match="kernel"):
            WITH_KERNEL[name](np.ones((5, 5)), np.zeros(shape))


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
@pytest.mark.parametrize("name", list(WITH_KERNEL))
def test_nonfinite_kernel(name, dtype):
    for value in (np.nan, np.inf, -np.inf):
        kernel = KERNEL.astype(dtype)
        kernel[1, 2] = value
        with pytest.raises(ValueError, match="kernel"):
            WITH_KERNEL[name](np.ones((5, 5)), kernel)
        for mode in ("constant", "valid"):
            with pytest.raises(ValueError, match="kernel"):
                WITH_KERNEL[name](np.ones((5, 5)), kernel, mode=mode)


@pytest.mark.parametrize("name", list(WITH_KERNEL))
def test_kernel_of_the_wrong_kind(name):
    for kernel in (KERNEL + 0j, KERNEL.astype(object), KERNEL.astype(str), None, "sobel"):
        with pytest.raises(TypeError, match="kernel"):
            WITH_KERNEL[name](np.ones((5, 5)), kernel)


@pytest.mark.parametrize("name", list(WITH_KERNEL))
def test_kernel_larger_than_image_in_valid_mode(name):
    for shape in ((6, 1), (1, 6), (6, 6)):
        with pytest.raises(ValueError, match="kernel"):
            WITH_KERNEL[name](np.ones((5, 5)), np.ones(shape), mode="valid")


# --- mode, cval, axis, operator ------------------------------------------------


@pytest.mark.parametrize("name", WITH_MODE)
def test_unknown_mode(name):
    for mode in ("same", "full", "Reflect", "reflect ", "grid-wrap", ""):
        with pytest.raises(ValueError, match="mode"):
            CALLS[name](good_image(name), mode=mode)


@pytest.mark.parametrize("name", WITH_MODE)
def test_mode_not_a_string(name):
    for mode in (None, 0, b"reflect", ["reflect"]):
        with pytest.raises(TypeError, match="mode"):
            CALLS[name](good_image(name), mode=mode)


@pytest.mark.parametrize("name", list(WITH_KERNEL))
def test_cval_not_a_number(name):
    for cval in ("0", None, [0.0], np.zeros(1), 1j, True):
        with pytest.raises(TypeError, match="cval"):
            WITH_KERNEL[name](np.ones((5, 5)), KERNEL, mode="constant", cval=cval)


@pytest.mark.parametrize("name", list(WITH_KERNEL))
def test_cval_any_real_number(name):
    for cval in (0, -3, np.int16(2), np.float32(0.5), 1e300, np.inf, np.nan):
        out = WITH_KERNEL[name](np.ones((5, 5)), KERNEL, mode="constant", cval=cval)
        assert out.shape == (5, 5)


@pytest.mark.parametrize("name", list(WITH_AXIS))
def test_axis_not_an_image_axis(name):
    batch = np.ones((2, 5, 6))
    for axis in (0, -3, 3, 7, -4):
        with pytest.raises(ValueError, match="axis"):
            WITH_AXIS[name](batch, axis)
    for axis in (2, 3):  # a 2-D image has axes -2, -1, 0, 1 only
        with pytest.raises(ValueError, match="axis"):
            WITH_AXIS[name](np.ones((5, 6)), axis)


@pytest.mark.parametrize("name", list(WITH_AXIS))
def test_axis_not_an_integer(name):
    for axis in ("x", 1.0, None, True, [1]):
        with pytest.raises(TypeError, match="axis"):
            WITH_AXIS[name](np.ones((5, 6)), axis)


@pytest.mark.parametrize("name", list(WITH_OPERATOR))
def test_unknown_operator(name):
    for operator in ("canny", "Sobel", "scharr", ""):
        with pytest.raises(ValueError, match="operator"):
            WITH_OPERATOR[name](np.ones((5, 5)), operator=operator)
    for operator in (None, 1, sobel):
        with pytest.raises(TypeError, match="operator"):
            WITH_OPERATOR[name](np.ones((5, 5)), operator=operator)


# --- no Numba error ever escapes ---------------------------------------------------


def call_or_clean_error(call, *args, **kwargs):
    """Return ``call``'s array, or None if it raised ValueError/TypeError; fail on anything else."""
    try:
        out = call(*args, **kwargs)
    except numba.core.errors.NumbaError as error:
        pytest.fail(f"a Numba error escaped: {type(error).__name__}: {str(error)[:300]}")
    except (ValueError, TypeError):
        return None
    assert isinstance(out, np.ndarray)
    assert out.dtype in (np.float32, np.float64)
    return out


@pytest.mark.parametrize("dtype", [*REAL_DTYPES, np.longdouble], ids=lambda d: np.dtype(d).name)
@pytest.mark.parametrize("name", list(CALLS))
def test_every_real_dtype_works(name, dtype):
    """Every real dtype NumPy has gives a float array (float64 for float64 and wider)."""
    image = good_image(name, dtype)
    out = call_or_clean_error(CALLS[name], image)
    assert out is not None, f"{name} rejected dtype {np.dtype(dtype).name}"
    want = (
        np.float64 if np.dtype(dtype).itemsize >= 8 and np.dtype(dtype).kind == "f" else np.float32
    )
    assert out.dtype == want, f"{name} dtype={np.dtype(dtype).name}"


@st.composite
def any_call(draw):
    name = draw(st.sampled_from(list(CALLS)))
    dtype = draw(st.sampled_from(REAL_DTYPES))
    shape = draw(hnp.array_shapes(min_dims=2, max_dims=4, min_side=0, max_side=4))
    if name == "rgb_to_gray" and draw(st.booleans()):
        shape = (*shape[:-1], 3)
    image = draw(hnp.arrays(dtype, shape))
    if draw(st.booleans()):
        image = image.astype(image.dtype.newbyteorder("S"))
    kwargs = {}
    if name != "rgb_to_gray":
        kwargs["mode"] = draw(
            st.sampled_from(["reflect", "mirror", "nearest", "wrap", "constant", "valid"])
        )
    args = (image,)
    if name in WITH_KERNEL:
        kernel_dtype = draw(st.sampled_from(REAL_DTYPES))
        kernel_shape = draw(hnp.array_shapes(min_dims=1, max_dims=3, min_side=0, max_side=5))
        args += (draw(hnp.arrays(kernel_dtype, kernel_shape)),)
        kwargs["cval"] = draw(st.floats() | st.integers(-1000, 1000))
    if name in WITH_AXIS:
        args += (draw(st.integers(-5, 5)),)
    if name in WITH_OPERATOR:
        kwargs["operator"] = draw(st.sampled_from(["sobel", "prewitt"]))
    return name, args, kwargs


@given(any_call())
def test_no_numba_error_escapes(case):
    name, args, kwargs = case
    call_or_clean_error(getattr(fastnn.image, name), *args, **kwargs)
