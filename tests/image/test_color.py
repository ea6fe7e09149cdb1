"""Tests of fastnn.image.color.rgb_to_gray.

Oracles: ``skimage.color.rgb2gray`` (the same BT.709 weights; it rescales
integer images to [0, 1] first, so a uint8 result is compared after dividing
by 255) and the NumPy twin :func:`fastnn.image.reference.rgb_to_gray`.
"""

import numpy as np
import pytest
from hostile import layouts, with_nonfinite
from skimage.color import rgb2gray

from fastnn.image import reference, rgb_to_gray

SHAPES = [(1, 1, 3), (1, 7, 3), (6, 1, 3), (5, 9, 3), (4, 5, 9, 3), (2, 3, 4, 6, 3)]
ALL_REAL_DTYPES = [
    np.bool_, np.int8, np.uint8, np.int16, np.uint16, np.int32, np.uint32, np.int64, np.uint64,
    np.float16, np.float32, np.float64,
]  # fmt: skip


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
        return rng.integers(info.min, info.max, size=shape, dtype=dtype, endpoint=True)
    return rng.random(shape).astype(dtype)


@pytest.mark.parametrize("dtype", (np.float32, np.float64), ids=dtype_name)
def test_float_matches_skimage_and_twin(dtype, rng):
    for shape in SHAPES:
        image = make_image(shape, dtype, rng)
        before = image.copy()
        msg = f"dtype={dtype_name(dtype)} shape={shape}"
        got = rgb_to_gray(image)
        assert got.dtype == dtype, msg
        assert got.shape == shape[:-1], msg
        rtol = 1e-13 if dtype == np.float64 else 1e-6
        np.testing.assert_allclose(got, rgb2gray(image), rtol=rtol, atol=rtol, err_msg=msg)
        twin = reference.rgb_to_gray(image)
        assert twin.dtype == got.dtype, msg
        np.testing.assert_allclose(got, twin, rtol=rtol, atol=rtol, err_msg=f"vs twin: {msg}")
        np.testing.assert_array_equal(image, before, err_msg=f"image modified: {msg}")


def test_uint8_is_in_pixel_units(rng):
    """fastnn keeps uint8 units ([0, 255], float32); skimage rescales to [0, 1] first."""
    for shape in SHAPES:
        image = make_image(shape, np.uint8, rng)
        got = rgb_to_gray(image)
        msg = f"uint8 shape={shape}"
        assert got.dtype == np.float32, msg
        assert got.shape == shape[:-1], msg
        np.testing.assert_allclose(got / 255, rgb2gray(image), rtol=1e-6, atol=1e-7, err_msg=msg)
        np.testing.assert_allclose(got, reference.rgb_to_gray(image), rtol=1e-6, err_msg=msg)
    white_and_red = np.array([[[255, 255, 255], [255, 0, 0]]], np.uint8)
    np.testing.assert_allclose(rgb_to_gray(white_and_red), [[255.0, 0.2125 * 255]], rtol=1e-6)


@pytest.mark.parametrize("dtype", ALL_REAL_DTYPES, ids=dtype_name)
def test_dtype_policy(dtype, rng):
    """float64 → float64; every other real dtype → float32, in the input's units."""
    image = make_image((3, 4, 3), dtype, rng)
    got = rgb_to_gray(image)
    msg = f"dtype={dtype_name(dtype)}"
    assert got.dtype == result_dtype(dtype), msg
    twin = reference.rgb_to_gray(image)
    assert twin.dtype == got.dtype, msg
    atol = 1e-6 * np.abs(image.astype(np.float64)).max()  # the sum may cancel
    np.testing.assert_allclose(got, twin, rtol=1e-6, atol=atol, err_msg=msg)


def test_weights_are_bt709():
    eye = np.eye(3).reshape(1, 3, 3)
    np.testing.assert_array_equal(rgb_to_gray(eye), [[0.2125, 0.7154, 0.0721]])
    np.testing.assert_allclose(rgb_to_gray(np.ones((2, 2, 3))), 1.0, rtol=1e-15)


@pytest.mark.parametrize("dtype", (np.float32, np.float64), ids=dtype_name)
def test_nan_and_inf_stay_in_their_pixel(dtype, rng):
    image = with_nonfinite(make_image((2, 6, 7, 3), dtype, rng), rng).astype(dtype)
    got = rgb_to_gray(image)
    with np.errstate(invalid="ignore"):
        want = reference.rgb_to_gray(image)
    for what in (np.isnan, np.isposinf, np.isneginf):
        np.testing.assert_array_equal(what(got), what(want), err_msg=what.__name__)
    bad_pixels = ~np.isfinite(image).all(axis=-1)
    np.testing.assert_array_equal(~np.isfinite(got), bad_pixels)


@pytest.mark.parametrize(
    "dtype", (np.bool_, np.uint8, np.uint16, np.float32, np.float64), ids=dtype_name
)
def test_hostile_layouts_give_equal_results(dtype, rng):
    base = make_image((2, 5, 7, 3), dtype, rng)
    want = rgb_to_gray(base)
    for label, image in layouts(base):
        before = image.copy()
        msg = f"image {label} dtype={dtype_name(dtype)}"
        np.testing.assert_array_equal(rgb_to_gray(image), want, err_msg=msg)
        np.testing.assert_array_equal(image, before, err_msg=f"modified: {msg}")
    # Channels-first data moved to channels-last is a strided view, and works.
    planar = np.ascontiguousarray(np.moveaxis(base, -1, 0))
    np.testing.assert_array_equal(rgb_to_gray(np.moveaxis(planar, 0, -1)), want)
    np.testing.assert_array_equal(rgb_to_gray(base.tolist()), rgb_to_gray(np.array(base.tolist())))


@pytest.mark.parametrize("dtype", (np.uint8, np.float32, np.float64), ids=dtype_name)
def test_parallel_equals_serial(dtype, rng, parallel_and_serial):
    image = make_image((150, 170, 3), dtype, rng)
    parallel, serial = parallel_and_serial(lambda: rgb_to_gray(image))
    np.testing.assert_array_equal(parallel, serial, err_msg=dtype_name(dtype))
