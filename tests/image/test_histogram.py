"""Tests of fastnn.image.color_histogram.

Oracles: ``np.histogram`` per image and channel, ``np.histogramdd`` over the
pixels of each image (joint), and the NumPy twin
:func:`fastnn.image.reference.color_histogram` (``np.bincount`` on codes).
Counts are integers, so every comparison is exact, densities included
(fastnn divides in NumPy's order).
"""

import numpy as np
import pytest
from hostile import layouts
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import fastnn
from fastnn.image import color_histogram, reference
from fastnn.image._kernels import histogram as counting
from fastnn.image.histogram import _tasks, default_range

DTYPES = [
    np.uint8, np.uint16, np.uint32, np.uint64, np.int8, np.int16, np.int32, np.int64,
    np.float32, np.float64, bool,
]  # fmt: skip
SHAPES = [(1, 1, 3), (5, 7, 3), (3, 4, 6, 3), (2, 2, 3, 5, 2), (4, 4, 1), (6, 9, 4)]


def dtype_name(dtype):
    return np.dtype(dtype).name


def make_image(shape, dtype, rng):
    dtype = np.dtype(dtype)
    if dtype.kind == "b":
        return rng.random(shape) < 0.5
    if dtype.kind in "iu":
        info = np.iinfo(dtype)
        return rng.integers(info.min, info.max, size=shape, dtype=dtype, endpoint=True)
    return (rng.random(shape) * 1.2 - 0.1).astype(dtype)  # some pixels outside (0, 1)


def numpy_per_channel(image, bins, range_, density=False):
    """np.histogram of every image and channel, stacked as (..., C, n_bins)."""
    image = np.asarray(image)
    if image.dtype == bool:
        image = image.view(np.uint8)  # what np.histogram does, with a warning
    pixels = image.reshape(-1, *image.shape[-3:])
    rows = [
        [
            np.histogram(im[..., c], bins, range=range_, density=density)[0]
            for c in range(image.shape[-1])
        ]
        for im in pixels
    ]
    return np.array(rows).reshape(*image.shape[:-3], image.shape[-1], -1)


def numpy_joint(image, bins, range_, density=False):
    """np.histogramdd of the pixels of every image, as (..., n_bins, …, n_bins)."""
    image = np.asarray(image)
    c = image.shape[-1]
    pixels = image.reshape(-1, image.shape[-3] * image.shape[-2], c)
    if isinstance(bins, np.ndarray) or (isinstance(bins, list) and np.isscalar(bins[0])):
        bins = [bins] * c  # one edge sequence for every channel
    ranges = None if range_ is None else [range_] * c
    rows = [np.histogramdd(p, bins, range=ranges, density=density)[0] for p in pixels]
    return np.array(rows).reshape(*image.shape[:-3], *rows[0].shape)


def effective_range(dtype, range_):
    return default_range(dtype) if range_ is None else range_


def bins_cases(dtype):
    low, high = default_range(dtype)
    width = high - low
    return [
        1,
        5,
        8,
        np.linspace(low, high, 4),  # edges equal to 3 bins, given as edges
        [low + width * f for f in (0.05, 0.3, 0.31, 0.9)],  # unequal edges, partial range
    ]


def range_cases(dtype):
    low, high = default_range(dtype)
    width = high - low
    return [None, (low + 0.1 * width, low + 0.6 * width)]


@pytest.mark.parametrize("dtype", DTYPES, ids=dtype_name)
def test_per_channel_matches_np_histogram_and_twin(dtype, rng):
    for shape in SHAPES:
        image = make_image(shape, dtype, rng)
        before = image.copy()
        for bins in bins_cases(dtype):
            for range_ in range_cases(dtype):
                msg = f"dtype={dtype_name(dtype)} shape={shape} bins={bins} range={range_}"
                got = color_histogram(image, bins, range=range_)
                expected = numpy_per_channel(image, bins, effective_range(dtype, range_))
                assert got.dtype == np.int64, msg
                np.testing.assert_array_equal(got, expected, err_msg=msg)
                twin = reference.color_histogram(image, bins, range=range_)
                assert twin.dtype == np.int64, msg
                np.testing.assert_array_equal(got, twin, err_msg=f"vs twin: {msg}")
        np.testing.assert_array_equal(image, before)


@pytest.mark.parametrize("dtype", DTYPES, ids=dtype_name)
def test_joint_matches_np_histogramdd_and_twin(dtype, rng):
    for shape in SHAPES:
        image = make_image(shape, dtype, rng)
        for bins in bins_cases(dtype)[1:]:
            for range_ in range_cases(dtype):
                msg = f"dtype={dtype_name(dtype)} shape={shape} bins={bins} range={range_}"
                got = color_histogram(image, bins, range=range_, joint=True)
                expected = numpy_joint(image, bins, effective_range(dtype, range_))
                assert got.dtype == np.int64 and got.shape == expected.shape, msg
                np.testing.assert_array_equal(got, expected, err_msg=msg)
                twin = reference.color_histogram(image, bins, range=range_, joint=True)
                np.testing.assert_array_equal(got, twin, err_msg=f"vs twin: {msg}")


@pytest.mark.parametrize("dtype", [np.uint8, np.int16, np.float32, np.float64], ids=dtype_name)
def test_grayscale(dtype, rng):
    for shape in [(1, 1), (5, 7), (3, 4, 6), (2, 2, 3, 5)]:
        image = make_image(shape, dtype, rng)
        for bins in [1, 6, 16]:
            got = color_histogram(image, bins, channel_axis=None)
            expected = numpy_per_channel(image[..., None], bins, default_range(dtype))[..., 0, :]
            assert got.shape == (*shape[:-2], bins)
            np.testing.assert_array_equal(got, expected, err_msg=f"shape={shape} bins={bins}")
            twin = reference.color_histogram(image, bins, channel_axis=None)
            np.testing.assert_array_equal(got, twin)


@pytest.mark.parametrize("bins", [1, 2, 4, 8, 32, 64, 128, 256, 3, 10, 255])
def test_uint8_shift_and_table_agree_with_numpy(bins, rng):
    """Powers of two over 0–256 take the shift, others the table: both are NumPy's bins."""
    image = make_image((3, 17, 19, 3), np.uint8, rng)
    image[0, 0, :4] = [[0, 0, 0], [255, 255, 255], [128, 127, 1], [254, 64, 63]]
    expected = numpy_per_channel(image, bins, (0, 256))
    np.testing.assert_array_equal(color_histogram(image, bins), expected)
    joint_bins = min(bins, 16)
    np.testing.assert_array_equal(
        color_histogram(image, joint_bins, joint=True), numpy_joint(image, joint_bins, (0, 256))
    )


def test_uint16_and_bool_default_ranges(rng):
    image = make_image((2, 9, 9, 3), np.uint16, rng)
    np.testing.assert_array_equal(
        color_histogram(image, 16), numpy_per_channel(image, 16, (0, 65536))
    )
    mask = make_image((4, 5, 2), bool, rng)
    got = color_histogram(mask, 2)
    np.testing.assert_array_equal(got[..., 1], mask.sum(axis=(0, 1)))  # True in the upper bin
    np.testing.assert_array_equal(got.sum(axis=-1), [20, 20])
    assert default_range(np.int8) == (-128.0, 128.0) and default_range(np.float32) == (0.0, 1.0)


def values_at_edges(edges, dtype):
    """Every edge, its two neighbours in ``dtype``, and NaN/±inf."""
    e = np.asarray(edges).astype(dtype)
    up = np.nextafter(e, dtype(np.inf))
    down = np.nextafter(e, dtype(-np.inf))
    return np.concatenate([e, up, down, np.array([np.nan, np.inf, -np.inf], dtype)])


@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=dtype_name)
@pytest.mark.parametrize("bins", [3, 7, 10, 49, 100])
@pytest.mark.parametrize("range_", [(0.0, 1.0), (0.1, 0.7), (-3.3, 1e-3), (1e-7, 2e-7)])
def test_float_values_on_and_next_to_edges(dtype, bins, range_):
    """NumPy's formula guesses a bin and the edges correct it: fastnn's bins are the same."""
    per_channel_edges = np.histogram_bin_edges(np.empty(0, dtype), bins, range=range_)
    joint_edges = np.linspace(*range_, bins + 1)
    values = np.concatenate(
        [values_at_edges(per_channel_edges, dtype), values_at_edges(joint_edges, dtype)]
    )
    image = np.stack([values, values[::-1], np.roll(values, 5)], axis=-1)[None]  # 1 × n × 3
    np.testing.assert_array_equal(
        color_histogram(image, bins, range=range_), numpy_per_channel(image, bins, range_)
    )
    np.testing.assert_array_equal(
        color_histogram(image, bins, range=range_, joint=True), numpy_joint(image, bins, range_)
    )
    edges = per_channel_edges[::2] if bins > 3 else per_channel_edges
    np.testing.assert_array_equal(
        color_histogram(image, edges), numpy_per_channel(image, edges, None)
    )
    np.testing.assert_array_equal(
        color_histogram(image, edges, joint=True), numpy_joint(image, edges, None)
    )


def test_float16_is_binned_against_numpys_float16_edges():
    edges = np.histogram_bin_edges(np.empty(0, np.float16), 7, range=(0, 1))
    values = values_at_edges(edges, np.float16)
    image = np.stack([values, values[::-1]], axis=-1)[None]
    np.testing.assert_array_equal(color_histogram(image, 7), numpy_per_channel(image, 7, (0, 1)))
    np.testing.assert_array_equal(
        color_histogram(image, 7, joint=True), numpy_joint(image, 7, (0, 1))
    )
    np.testing.assert_array_equal(
        color_histogram(image, 7, density=True), numpy_per_channel(image, 7, (0, 1), True)
    )
    swapped = image.astype(">f2")
    np.testing.assert_array_equal(color_histogram(swapped, 7), color_histogram(image, 7))


def test_nan_and_out_of_range_are_not_counted():
    image = np.array([[[np.nan, 0.5], [1.0, np.inf], [0.0, -0.0], [-1e-300, 1.0000001]]])
    got = color_histogram(image, 2)
    np.testing.assert_array_equal(got, [[1, 1], [1, 1]])  # 0.0 and 1.0; -0.0 and 0.5
    np.testing.assert_array_equal(got, numpy_per_channel(image, 2, (0, 1)))
    np.testing.assert_array_equal(color_histogram(image, 2, joint=True), [[1, 0], [0, 0]])


@pytest.mark.parametrize("dtype", [np.uint8, np.int32, np.float32, np.float64], ids=dtype_name)
def test_density_is_numpys(dtype, rng):
    image = make_image((3, 6, 7, 3), dtype, rng)
    for bins in [4, bins_cases(dtype)[-1]]:
        got = color_histogram(image, bins, density=True)
        expected = numpy_per_channel(image, bins, default_range(dtype), density=True)
        assert got.dtype == np.float64
        np.testing.assert_array_equal(got, expected)
        np.testing.assert_array_equal(got, reference.color_histogram(image, bins, density=True))
        got = color_histogram(image, bins, density=True, joint=True)
        np.testing.assert_array_equal(
            got, numpy_joint(image, bins, default_range(dtype), density=True)
        )
        np.testing.assert_array_equal(
            got, reference.color_histogram(image, bins, density=True, joint=True)
        )


def test_density_of_an_image_with_nothing_in_range_is_nan():
    got = color_histogram(np.full((2, 2, 3), 7.0), 4, density=True)
    assert np.isnan(got).all()


def test_per_channel_edges_and_ranges(rng):
    image = make_image((2, 8, 8, 3), np.float64, rng)
    edges = [np.linspace(0, 1, 5), [0.0, 0.1, 0.5, 0.6, 1.0], np.linspace(0.2, 0.4, 5)]
    got = color_histogram(image, edges)
    for c in range(3):
        np.testing.assert_array_equal(
            got[..., c, :], numpy_per_channel(image, edges[c], None)[..., c, :]
        )
    joint_edges = [np.linspace(0, 1, 3), np.linspace(0, 1, 4), np.linspace(0, 1, 6)]
    got = color_histogram(image, joint_edges, joint=True)
    assert got.shape == (2, 2, 3, 5)
    np.testing.assert_array_equal(got, numpy_joint(image, joint_edges, None))
    ranges = [(0, 0.5), (0.25, 1), (0.1, 0.2)]
    got = color_histogram(image, 4, range=ranges)
    for c in range(3):
        np.testing.assert_array_equal(
            got[..., c, :], numpy_per_channel(image, 4, ranges[c])[..., c, :]
        )


def test_channel_axis_and_layouts(rng):
    base = make_image((2, 5, 6, 3), np.uint16, rng)
    expected = color_histogram(base, 8)
    for label, image in layouts(base):
        before = image.copy()
        np.testing.assert_array_equal(color_histogram(image, 8), expected, err_msg=label)
        np.testing.assert_array_equal(image, before, err_msg=f"modified: {label}")
    channels_first = np.moveaxis(base, -1, 1)  # (n, C, H, W)
    np.testing.assert_array_equal(color_histogram(channels_first, 8, channel_axis=1), expected)
    floats = make_image((5, 6, 3), np.float32, rng)
    expected = color_histogram(floats, 8, joint=True)
    for label, image in layouts(floats):
        np.testing.assert_array_equal(color_histogram(image, 8, joint=True), expected, label)


@pytest.mark.parametrize("dtype", [np.uint8, np.int16, np.float32, np.int64], ids=dtype_name)
@pytest.mark.parametrize("joint", [False, True])
def test_parallel_equals_serial(dtype, joint, parallel_and_serial, rng):
    """Images split into runs of pixels, counted by tasks on threads, then summed."""
    image = make_image((2, 300, 120, 3), dtype, rng)  # few images: each is split into runs
    if fastnn.get_num_threads() > 1:
        assert _tasks(2, 300 * 120, 3, 8 * 3)[1] > 1
    for bins in [8, bins_cases(dtype)[-1]]:
        parallel, serial = parallel_and_serial(
            lambda b=bins: color_histogram(image, b, joint=joint)
        )
        np.testing.assert_array_equal(parallel, serial)
        np.testing.assert_array_equal(parallel, reference.color_histogram(image, bins, joint=joint))


def test_kernels_serial_and_parallel_twins_agree(rng):
    """Each counting kernel against np.bincount, on uneven tasks (runs of 12 bytes and tails)."""
    pixels = make_image((5000, 3), np.uint8, rng)
    pixels[100:900] = 7  # a flat run: every copy of the same bin
    starts = np.array([0, 7, 1000, 1001, 4999, 5000], np.int64)  # uneven tasks, one pixel
    chunks = [pixels[starts[t] : starts[t + 1]] for t in range(5)]
    lut = np.zeros((1, 1), np.int32)
    for shift in (0, 3):
        n = 256 >> shift
        expected = [
            np.concatenate([np.bincount(c[:, k] >> shift, minlength=n) for k in range(3)])
            for c in chunks
        ]
        strides = np.arange(3, dtype=np.int64) * n
        for name in ("count_rgb", "count_small"):
            for twin in ("serial", "parallel"):
                kernel = getattr(getattr(counting, name), twin)
                partial = np.full((5, 3 * n), -1, np.int64)
                if name == "count_rgb":
                    kernel(pixels.reshape(-1), starts, shift, partial)
                else:
                    kernel(pixels, starts, shift, lut, 0, strides, 4, partial)
                np.testing.assert_array_equal(partial, expected, f"{name} {twin} shift={shift}")
    codes = np.stack([(np.arange(256) >> 5) * s for s in (64, 8, 1)])
    for twin in ("serial", "parallel"):
        partial = np.full((5, 512), -1, np.int64)
        kernel = getattr(counting.count_rgb_joint, twin)
        kernel(pixels.reshape(-1), starts, codes, partial)
        for t, c in enumerate(chunks):
            cells = codes[0, c[:, 0]] + codes[1, c[:, 1]] + codes[2, c[:, 2]]
            np.testing.assert_array_equal(partial[t], np.bincount(cells, minlength=512), twin)


images = hnp.arrays(
    dtype=st.sampled_from([np.uint8, np.int16, np.float32, np.float64]),
    shape=hnp.array_shapes(min_dims=3, max_dims=4, min_side=1, max_side=6),
    elements={"allow_subnormal": False},
)


@settings(max_examples=60, deadline=None)
@given(image=images, bins=st.integers(1, 20), low=st.floats(-2, 2), width=st.floats(0.01, 300))
def test_counts_sum_to_in_range_pixels(image, bins, low, width):
    range_ = (low, low + width)
    counts = color_histogram(image, bins, range=range_)
    values = image.astype(np.float64)
    edges = np.histogram_bin_edges(np.empty(0, image.dtype), bins, range=range_)
    inside = (values >= edges[0]) & (values <= edges[-1])  # NaN is outside
    np.testing.assert_array_equal(counts.sum(axis=-1), inside.sum(axis=(-3, -2)))
    joint = color_histogram(image, bins, range=range_, joint=True)
    joint_edges = np.linspace(*range_, bins + 1)
    all_inside = ((values >= joint_edges[0]) & (values <= joint_edges[-1])).all(axis=-1)
    per_image = joint.reshape(*image.shape[:-3], -1).sum(axis=-1)
    np.testing.assert_array_equal(per_image, all_inside.sum(axis=(-2, -1)))
    np.testing.assert_array_equal(counts, numpy_per_channel(image, bins, range_))


def test_bad_image():
    with pytest.raises(ValueError, match=r"image must be \(\.\.\., H, W, C\).*axis -1.*\(5, 5\)"):
        color_histogram(np.zeros((5, 5)))
    with pytest.raises(ValueError, match="channel_axis"):
        color_histogram(np.zeros((2, 5, 5)), channel_axis=3)
    with pytest.raises(TypeError, match="channel_axis"):
        color_histogram(np.zeros((2, 5, 5)), channel_axis=1.0)
    with pytest.raises(ValueError, match="image must be 2-D"):
        color_histogram(np.zeros(5), channel_axis=None)
    with pytest.raises(ValueError, match="image must not be empty"):
        color_histogram(np.zeros((0, 5, 3)))
    with pytest.raises(TypeError, match="image must hold real numbers"):
        color_histogram(np.zeros((2, 2, 3), complex))
    with pytest.raises(TypeError, match="image"):
        color_histogram(np.ma.masked_array(np.zeros((2, 2, 3))))


def test_bad_bins_and_range():
    image = np.zeros((4, 4, 3), np.uint8)
    with pytest.raises(ValueError, match="bins must be an integer >= 1, got 0"):
        color_histogram(image, 0)
    with pytest.raises(TypeError, match="bins must be an integer"):
        color_histogram(image, 2.5)
    with pytest.raises(TypeError, match="bins must be an integer"):
        color_histogram(image, True)
    with pytest.raises(ValueError, match="bins edges must increase strictly"):
        color_histogram(image, [0, 10, 10, 20])
    with pytest.raises(ValueError, match="bins edges must increase strictly"):
        color_histogram(image, [0, 20, 10])
    with pytest.raises(ValueError, match=r"bins .*at least 2 edges"):
        color_histogram(image, [5])
    with pytest.raises(ValueError, match="bins edges must not be NaN"):
        color_histogram(image, [0, np.nan, 3])
    with pytest.raises(TypeError, match="bins must be an int or a sequence of bin edges"):
        color_histogram(image, ["a", "b"])
    with pytest.raises(ValueError, match="one edge sequence per channel"):
        color_histogram(image, [[0, 1], [0, 1]])
    with pytest.raises(ValueError, match="same number of bins"):
        color_histogram(image, [[0, 1], [0, 1, 2], [0, 1]])
    with pytest.raises(ValueError, match=r"range must have low < high, got \(5.0, 5.0\)"):
        color_histogram(image, range=(5, 5))
    with pytest.raises(ValueError, match="range must have low < high"):
        color_histogram(image, range=(6, 5))
    with pytest.raises(ValueError, match="range must be finite"):
        color_histogram(image, range=(0, np.inf))
    with pytest.raises(ValueError, match=r"range must be a \(low, high\) pair"):
        color_histogram(image, range=(0, 1, 2))
    with pytest.raises(TypeError, match=r"range must be a \(low, high\) pair of numbers"):
        color_histogram(image, range=("a", "b"))
    with pytest.raises(TypeError, match="joint must be True or False"):
        color_histogram(image, joint=1)
    with pytest.raises(TypeError, match="density must be True or False"):
        color_histogram(image, density="yes")
