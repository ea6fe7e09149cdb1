"""Tests of fastnn.image.hog against skimage.feature.hog and the NumPy twin.

skimage is the oracle of record (its features and its picture, image by
image); the twin (float64 cell sums where skimage sums in float32) is checked
to the issue's tolerance. Adversarial gradients (on and one ulp either side
of every bin boundary, along the axes and diagonals, near 180°, zero, -0.0)
come from 3×3 and 5×W images whose gradient is set pixel by pixel.
"""

import numpy as np
import pytest
from hostile import layouts
from hypothesis import given, settings
from hypothesis import strategies as st
from skimage.feature import hog as sk_hog

from fastnn.image import hog, reference

BLOCK_NORMS = ("L1", "L1-sqrt", "L2", "L2-Hys")
DTYPES = (np.uint8, np.uint16, np.int32, np.int64, np.bool_, np.float32, np.float64)
# (image shape, orientations, pixels_per_cell, cells_per_block): sizes off the cell
# grid, one-block images, non-square cells and blocks, 1-pixel cells.
CONFIGS = [
    ((37, 45), 9, (8, 8), (2, 2)),
    ((24, 24), 9, (8, 8), (3, 3)),  # the smallest image for the defaults
    ((23, 31), 7, (5, 6), (2, 3)),
    ((9, 14), 4, (3, 2), (1, 2)),
    ((6, 5), 1, (1, 1), (1, 1)),
]


def tolerance(dtype):
    return 1e-4 if np.dtype(dtype) == np.float32 else 1e-6


def make_image(shape, dtype, rng):
    dtype = np.dtype(dtype)
    if dtype.kind == "b":
        return rng.random(shape) < 0.5
    if dtype.kind in "iu":
        high = 256 if dtype.itemsize == 1 else 5000
        return rng.integers(0, high, size=shape).astype(dtype)
    return (rng.random(shape) * 100).astype(dtype)


def skimage_per_image(image, spatial=2, **kwargs):
    """skimage's hog of every image of a batch, stacked: features (and pictures)."""
    image = np.asarray(image)
    lead = image.shape[: image.ndim - spatial]
    flat = image.reshape((-1, *image.shape[image.ndim - spatial :]))
    results = [sk_hog(x, **kwargs) for x in flat]
    if kwargs.get("visualize"):
        features = np.stack([f for f, _ in results])
        pictures = np.stack([p for _, p in results])
        return features.reshape(lead + features.shape[1:]), pictures.reshape(
            lead + pictures.shape[1:]
        )
    features = np.stack(results)
    return features.reshape(lead + features.shape[1:])


def assert_close(actual, expected, dtype, what):
    assert actual.shape == expected.shape, what
    assert actual.dtype == expected.dtype, what
    np.testing.assert_allclose(actual, expected, rtol=0, atol=tolerance(dtype), err_msg=what)


# --- against skimage and the twin ----------------------------------------------------


@pytest.mark.parametrize("block_norm", BLOCK_NORMS)
@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: np.dtype(d).name)
def test_matches_skimage(dtype, block_norm, rng):
    for shape, n, cell, block in CONFIGS:
        for transform_sqrt in (False, True):
            image = make_image(shape, dtype, rng)
            kwargs = dict(orientations=n, pixels_per_cell=cell, cells_per_block=block,
                          block_norm=block_norm, transform_sqrt=transform_sqrt)  # fmt: skip
            what = f"{shape} {kwargs}"
            expected = sk_hog(image, **kwargs)
            got = hog(image, **kwargs)
            assert_close(got, expected, dtype, what)
            assert_close(reference.hog(image, **kwargs), expected, dtype, what)
            if np.dtype(dtype) != np.float32:
                # The same float32 cell sums as skimage: equal but for the block sums' order.
                np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-15, err_msg=what)


@pytest.mark.parametrize("dtype", (np.uint8, np.float32, np.float64), ids=lambda d: d.__name__)
def test_block_array_and_batches(dtype, rng):
    """feature_vector=False gives skimage's block array per image; leading axes batch."""
    for shape in [(2, 23, 31), (2, 3, 17, 16), (1, 16, 16)]:
        image = make_image(shape, dtype, rng)
        kwargs = dict(orientations=6, pixels_per_cell=(4, 5), cells_per_block=(2, 2))
        for feature_vector in (True, False):
            expected = skimage_per_image(image, feature_vector=feature_vector, **kwargs)
            got = hog(image, feature_vector=feature_vector, **kwargs)
            assert_close(got, expected, dtype, f"{shape} {feature_vector}")
            twin = reference.hog(image, feature_vector=feature_vector, **kwargs)
            assert_close(twin, expected, dtype, f"twin {shape} {feature_vector}")
    empty = hog(np.zeros((0, 16, 16)), 9, (8, 8), (2, 2))
    assert empty.shape == (0, 36)


@pytest.mark.parametrize("dtype", (np.uint8, np.int16, np.float32, np.float64),
                         ids=lambda d: d.__name__)  # fmt: skip
def test_multichannel(dtype, rng):
    """Per pixel the channel of largest gradient magnitude, as skimage."""
    for shape, axis in [((20, 27, 3), -1), ((2, 19, 16, 2), -1), ((17, 18, 4), 2),
                        ((3, 17, 18), 0), ((16, 16, 1), -1)]:  # fmt: skip
        image = make_image(shape, dtype, rng)
        if np.dtype(dtype).kind in "iu":
            image[..., ::3, :] = image[..., ::3, :1]  # equal channels: magnitude ties
        kwargs = dict(orientations=8, pixels_per_cell=(4, 4), cells_per_block=(2, 2),
                      block_norm="L1", channel_axis=axis)  # fmt: skip
        if len(shape) == 4:
            expected = skimage_per_image(image, spatial=3, **kwargs)
        else:
            expected = sk_hog(image, **kwargs)
        assert_close(hog(image, **kwargs), expected, dtype, f"{shape} axis {axis}")
        assert_close(reference.hog(image, **kwargs), expected, dtype, f"twin {shape}")


@pytest.mark.parametrize("dtype", (np.uint8, np.float32, np.float64), ids=lambda d: d.__name__)
def test_picture_matches_skimage(dtype, rng):
    for shape, n, cell in [((40, 44), 9, (8, 8)), ((2, 30, 33), 4, (5, 6)),
                           ((21, 20), 3, (2, 3)), ((33, 40), 8, (16, 10)),
                           ((1, 2, 18, 26), 7, (9, 13))]:  # fmt: skip
        image = make_image(shape, dtype, rng)
        kwargs = dict(orientations=n, pixels_per_cell=cell, cells_per_block=(1, 1))
        expected, expected_picture = skimage_per_image(image, visualize=True, **kwargs)
        features, picture = hog(image, visualize=True, **kwargs)
        assert_close(features, expected, dtype, f"{shape}")
        # The same values, added in the same order: equal (float32 pictures too).
        assert picture.dtype == expected_picture.dtype
        np.testing.assert_allclose(picture, expected_picture, rtol=1e-12, err_msg=f"{shape}")
        _, twin_picture = reference.hog(image, visualize=True, **kwargs)
        np.testing.assert_allclose(twin_picture, expected_picture, rtol=tolerance(dtype))
    color = make_image((20, 24, 3), dtype, rng)
    expected = sk_hog(color, 9, (4, 4), (2, 2), channel_axis=-1, visualize=True)[1]
    got = hog(color, 9, (4, 4), (2, 2), channel_axis=-1, visualize=True)[1]
    np.testing.assert_allclose(got, expected, rtol=1e-12)


# --- adversarial gradients -----------------------------------------------------------


def gradient_images(gx, gy):
    """3×3 images whose only non-zero gradient is ``(gx[k], gy[k])`` at the centre pixel."""
    images = np.zeros((len(gx), 3, 3))
    images[:, 1, 2] = gx
    images[:, 2, 1] = gy
    return images


def boundary_gradients(n):
    """Gradients on, and 1-3 ulps either side of, every bin boundary and of 180°, in every
    quadrant, plus the axes, diagonals, tiny components, zero and -0.0."""
    angles = np.pi * np.arange(n + 1) / n
    gx, gy = [], []
    for scale in (1.0, 3e5, 1e-3):
        for angle in angles:
            for sign in (1.0, -1.0):
                x0, y0 = sign * scale * np.cos(angle), sign * scale * np.sin(angle)
                for ulps in range(-3, 4):
                    gx.append(x0)
                    gy.append(y0 + ulps * np.spacing(y0))
                    gx.append(x0 + ulps * np.spacing(x0))
                    gy.append(y0)
    for x, y in [(1, 0), (-1, 0), (0, 1), (0, -1), (1, 1), (-1, 1), (1, -1), (-1, -1),
                 (5, 5), (-7, 7), (2, 1e-300), (2, -1e-300), (-2, 1e-300), (-2, -1e-300),
                 (1e-300, 2), (-1e-300, -2), (0, 0), (0.0, -0.0), (-1, -0.0), (3, -0.0)]:  # fmt: skip  # noqa: E501
        gx.append(x)
        gy.append(y)
    return np.array(gx, float), np.array(gy, float)


@pytest.mark.parametrize("n", [1, 2, 3, 4, 6, 7, 8, 9, 12, 14, 18, 36])
def test_ties_at_bin_boundaries_land_where_skimage_puts_them(n):
    gx, gy = boundary_gradients(n)
    images = gradient_images(gx, gy)
    kwargs = dict(orientations=n, pixels_per_cell=(3, 3), cells_per_block=(1, 1),
                  block_norm="L1")  # fmt: skip
    expected = skimage_per_image(images, **kwargs)
    got = hog(images, **kwargs)
    bad = np.flatnonzero(np.abs(got - expected).max(axis=1) > 1e-12)
    assert bad.size == 0, f"gradients {list(zip(gx[bad], gy[bad], strict=True))[:5]}"
    np.testing.assert_allclose(reference.hog(images, **kwargs), expected, atol=1e-12)
    for dtype in (np.float32,):  # float32 images: the same ties, float32 gradients
        images32 = images.astype(dtype)
        expected32 = skimage_per_image(images32, **kwargs)
        np.testing.assert_allclose(hog(images32, **kwargs), expected32, atol=1e-6)


def test_many_near_boundary_pixels_in_one_image():
    """More near-boundary pixels in one image than the kernel reports per round (32)."""
    width = 2 * 300 + 1
    image = np.zeros((5, width))
    image[2, 0::2] = np.arange((width + 1) // 2)  # gx = 1 at odd columns of row 2, 0 at even
    tan = np.tan(np.pi * np.array([1, 2, 3, 4]) / 9)  # 20°, 40°, 60°, 80°
    near = np.repeat(tan, width // 4 + 1)[: (width + 1) // 2]
    ulps = np.resize(np.arange(-2, 3), near.size) * np.spacing(near)
    image[3, 1::2] = (near + ulps)[: image[3, 1::2].size]
    image[1, 1::2] = -(image[3, 1::2] * 0)  # gy = x[3] - x[1]
    kwargs = dict(orientations=9, pixels_per_cell=(5, 5), cells_per_block=(1, 1), block_norm="L1")
    np.testing.assert_allclose(hog(image, **kwargs), sk_hog(image, **kwargs), atol=1e-12)
    flipped = -image  # the same gradients reversed: the other side of 180°
    np.testing.assert_allclose(hog(flipped, **kwargs), sk_hog(flipped, **kwargs), atol=1e-12)


def test_flat_and_constant_images():
    for image in (np.zeros((16, 16)), np.full((16, 16), 7, np.uint8), np.ones((16, 16), bool)):
        got = hog(image, 9, (8, 8), (2, 2))
        np.testing.assert_array_equal(got, sk_hog(image, 9, (8, 8), (2, 2)))
        assert not got.any()


# --- the parallel twin, layouts --------------------------------------------------------


# The parallel twin compiles apart for each pixel type and layout: two of them here
# (the uint8 table path in gray, the float path in colour) keep the file quick.
@pytest.mark.parametrize(
    ("dtype", "shape", "axis"),
    [(np.uint8, (9, 24, 17), None), (np.float64, (2, 3, 16, 20, 3), -1)],
    ids=["uint8 gray", "float64 colour"],
)
def test_parallel_equals_serial(dtype, shape, axis, rng, parallel_and_serial):
    image = make_image(shape, dtype, rng)

    def run():
        return hog(image, 9, (4, 4), (2, 2), channel_axis=axis, visualize=True)

    (parallel, p_picture), (serial, s_picture) = parallel_and_serial(run)
    np.testing.assert_array_equal(parallel, serial)
    np.testing.assert_array_equal(p_picture, s_picture)


@pytest.mark.parametrize("dtype", (np.uint8, np.int16, np.float32, np.float64, np.bool_),
                         ids=lambda d: np.dtype(d).name)  # fmt: skip
def test_hostile_layouts_and_inputs_unchanged(dtype, rng):
    base = make_image((2, 18, 21), dtype, rng)
    expected = hog(base, 9, (4, 4), (2, 2), "L2")
    for label, image in layouts(base):
        before = image.copy()
        np.testing.assert_array_equal(hog(image, 9, (4, 4), (2, 2), "L2"), expected, label)
        np.testing.assert_array_equal(image, before, label)


# --- bad input -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        (dict(image=np.zeros((20, 30))), ValueError, r"20×30 pixels.*2×3 whole cells.*3×3 cells"),
        (dict(image=np.zeros((8, 16)), pixels_per_cell=(9, 9), cells_per_block=(1, 1)),
         ValueError, r"8×16 pixels.*pixels_per_cell=\(9, 9\).* 0×1 whole cells"),
        (dict(image=np.zeros((24, 24)), block_norm="L3"), ValueError, "block_norm"),
        (dict(image=np.zeros((24, 24)), block_norm=2), TypeError, "block_norm"),
        (dict(image=np.zeros((24, 24)), orientations=0), ValueError, "orientations"),
        (dict(image=np.zeros((24, 24)), orientations=2.5), TypeError, "orientations"),
        (dict(image=np.zeros((24, 24)), pixels_per_cell=8), TypeError, "pixels_per_cell"),
        (dict(image=np.zeros((24, 24)), pixels_per_cell=(8, 0)), ValueError, "pixels_per_cell"),
        (dict(image=np.zeros((24, 24)), cells_per_block=(1, 2, 3)), TypeError, "cells_per_block"),
        (dict(image=np.full((24, 24), np.nan)), ValueError, "image must be finite"),
        (dict(image=np.full((24, 24), np.inf, np.float32)), ValueError, "image must be finite"),
        (dict(image=-np.ones((24, 24)), transform_sqrt=True), ValueError, "non-negative"),
        (dict(image=np.zeros(24)), ValueError, r"image must be \(\.\.\., H, W\)"),
        (dict(image=np.zeros((24, 24)), channel_axis=-1), ValueError, r"\(\.\.\., H, W, C\)"),
        (dict(image=np.zeros((24, 24, 3)), channel_axis=3), ValueError, "channel_axis"),
        (dict(image=np.zeros((24, 24), complex)), TypeError, "image"),
        (dict(image=np.array([["a"]])), TypeError, "image"),
        (dict(image=np.zeros((24, 24)), visualize="yes"), TypeError, "visualize"),
        (dict(image=np.zeros((24, 24)), pixels_per_cell=(1, 4), cells_per_block=(1, 1),
              visualize=True), ValueError, "at least 2×2"),
    ],
)  # fmt: skip
def test_bad_input(kwargs, error, match):
    with pytest.raises(error, match=match):
        hog(**kwargs)


# --- properties --------------------------------------------------------------------------


@settings(max_examples=25, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    dtype=st.sampled_from([np.uint8, np.float32, np.float64]),
    n=st.integers(1, 12),
    cell=st.tuples(st.integers(1, 5), st.integers(1, 5)),
    block=st.tuples(st.integers(1, 3), st.integers(1, 3)),
    extra=st.tuples(st.integers(0, 6), st.integers(0, 6)),
    block_norm=st.sampled_from(BLOCK_NORMS),
    levels=st.sampled_from([2, 5, 256]),
)
def test_property_equals_skimage(seed, dtype, n, cell, block, extra, block_norm, levels):
    """Any valid size and parameters; few grey levels make ties (axes, diagonals) common."""
    rng = np.random.default_rng(seed)
    shape = (cell[0] * block[0] + extra[0], cell[1] * block[1] + extra[1])
    image = rng.integers(0, levels, shape).astype(dtype)
    kwargs = dict(orientations=n, pixels_per_cell=cell, cells_per_block=block,
                  block_norm=block_norm)  # fmt: skip
    expected = sk_hog(image, **kwargs)
    assert_close(hog(image, **kwargs), expected, dtype, str(kwargs))
    assert_close(reference.hog(image, **kwargs), expected, dtype, str(kwargs))
