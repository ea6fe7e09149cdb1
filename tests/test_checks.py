"""The validation layer: clear errors that name the argument; inputs never modified."""

import numpy as np
import pytest

from fastnn import _checks


def test_check_array_passes_c_contiguous_native_arrays_through():
    x = np.arange(6.0).reshape(2, 3)
    assert _checks.check_array(x, "x") is x


@pytest.mark.parametrize(
    "make",
    [
        lambda x: np.asfortranarray(x),
        lambda x: x.T,
        lambda x: x[:, ::2],
        lambda x: x.astype(x.dtype.newbyteorder(">")),
    ],
    ids=["fortran", "transposed", "strided", "big-endian"],
)
def test_check_array_makes_native_contiguous_copies(make):
    base = np.arange(24.0).reshape(4, 6)
    x = make(base)
    before = x.copy()
    y = _checks.check_array(x, "x")
    assert y.flags.c_contiguous and y.dtype.isnative
    np.testing.assert_array_equal(y, x)
    np.testing.assert_array_equal(x, before)


def test_check_array_dtypes():
    assert _checks.check_array(np.ones(3, bool), "x").dtype == np.uint8
    assert _checks.check_array(np.ones(3, np.float16), "x").dtype == np.float32
    assert _checks.check_array([1, 2], "x").dtype.kind == "i"


@pytest.mark.parametrize(
    ("value", "error", "match"),
    [
        (np.ones(3, complex), TypeError, "x must hold real numbers .* got complex"),
        (np.array(["a"]), TypeError, "x must hold real numbers"),
        (np.array([object()]), TypeError, "x must hold real numbers"),
        ([[1, 2], [3]], TypeError, "x must be an array of real numbers"),
    ],
)
def test_check_array_rejects_non_real(value, error, match):
    with pytest.raises(error, match=match):
        _checks.check_array(value, "x")


def test_check_array_shapes_and_values():
    with pytest.raises(ValueError, match=r"x must be 2-D or more, got shape \(5,\)"):
        _checks.check_array(np.ones(5), "x", min_ndim=2)
    with pytest.raises(ValueError, match=r"x must be 2-D, got shape \(1, 1, 1\)"):
        _checks.check_array(np.ones((1, 1, 1)), "x", ndim=2)
    with pytest.raises(ValueError, match=r"x must not be empty, got shape \(0, 5\)"):
        _checks.check_array(np.ones((0, 5)), "x")
    with pytest.raises(ValueError, match="x must be finite"):
        _checks.check_array([1.0, np.nan], "x", finite=True)
    assert _checks.check_array(np.ones((0, 5)), "x", allow_empty=True).shape == (0, 5)


@pytest.mark.parametrize(
    ("dtype", "expected"),
    [(np.float64, np.float64), (np.float32, np.float32), (np.float16, np.float32),
     (np.uint8, np.float32), (np.int64, np.float32), (bool, np.float32)],
)  # fmt: skip
def test_float_result_dtype(dtype, expected):
    assert _checks.float_result_dtype(dtype) == expected
    assert _checks.float_result_dtype(np.int16, integer_to=np.float64) == np.float64


def test_check_choice():
    assert _checks.check_choice("a", "mode", ("a", "b")) == "a"
    with pytest.raises(ValueError, match="mode must be one of 'a', 'b', got 'c'"):
        _checks.check_choice("c", "mode", ("a", "b"))
    with pytest.raises(TypeError, match="mode must be a string"):
        _checks.check_choice(1, "mode", ("a", "b"))


def test_check_real_and_int():
    assert _checks.check_real(np.float32(2), "cval") == 2.0
    assert np.isnan(_checks.check_real(float("nan"), "cval"))
    with pytest.raises(ValueError, match="cval must not be NaN"):
        _checks.check_real(float("nan"), "cval", allow_nan=False)
    for bad in ("1", None, True, 1j):
        with pytest.raises(TypeError, match="cval must be a real number"):
            _checks.check_real(bad, "cval")
    assert _checks.check_int(np.int8(3), "k", low=0) == 3
    with pytest.raises(ValueError, match="k must be an integer >= 1, got 0"):
        _checks.check_int(0, "k", low=1)
    with pytest.raises(ValueError, match="k must be an integer from 1 to 3, got 4"):
        _checks.check_int(4, "k", low=1, high=3)
    for bad in (1.0, "1", True):
        with pytest.raises(TypeError, match="k must be an integer"):
            _checks.check_int(bad, "k")
