"""Input validation shared by every domain.

Each helper takes the value and the name the user knows it by, and raises a
``TypeError`` (wrong kind of thing) or ``ValueError`` (right kind, wrong
value) whose message names the argument, what was expected and what came.
What passes is in the form kernels want: a native-byte-order, C-contiguous
array of a dtype Numba compiles for, so no Numba ``TypingError`` can reach a
user. Inputs are never modified: a helper copies when it must change
anything, and otherwise returns the caller's array (kernels only read it).
"""

from __future__ import annotations

import datetime
import operator

import numpy as np

__all__ = [
    "check_array",
    "check_axis",
    "check_bool",
    "check_choice",
    "check_features",
    "check_int",
    "check_real",
    "float_result_dtype",
]


def _describe(value):
    return f"dtype {value.dtype}" if isinstance(value, np.ndarray) else type(value).__name__


def check_array(value, name, *, min_ndim=0, ndim=None, allow_empty=False, finite=False):
    """Return ``value`` as a C-contiguous, native-order real array, or raise.

    Booleans become uint8 (a free view), float16 float32 and longdouble
    float64, since Numba compiles none of them for arithmetic; every other
    integer and float dtype is kept, so the caller applies its own dtype policy.
    """
    _reject_masked(value, name)
    try:
        array = np.asarray(value)
    except Exception as error:  # ragged lists and other non-arrays
        raise TypeError(
            f"{name} must be an array of real numbers, got {_describe(value)}"
        ) from error
    kind = array.dtype.kind
    if kind not in "biuf":
        what = "complex" if kind == "c" else str(array.dtype)
        raise TypeError(f"{name} must hold real numbers (bool, int or float), got {what} dtype")
    if ndim is not None and array.ndim != ndim:
        raise ValueError(f"{name} must be {ndim}-D, got shape {array.shape}")
    if array.ndim < min_ndim:
        raise ValueError(f"{name} must be {min_ndim}-D or more, got shape {array.shape}")
    if array.size == 0 and not allow_empty:
        raise ValueError(f"{name} must not be empty, got shape {array.shape}")
    if finite and kind == "f" and not np.isfinite(array).all():
        raise ValueError(f"{name} must be finite, got NaN or inf")
    if kind == "b":
        array = np.ascontiguousarray(array).view(np.uint8)
    elif kind == "f" and array.dtype.itemsize not in (4, 8):
        array = array.astype(float_result_dtype(array.dtype))  # float16, longdouble
    elif not array.dtype.isnative:
        array = array.astype(array.dtype.newbyteorder("="))
    return np.ascontiguousarray(array)


def _reject_masked(value, name):
    # np.asarray drops a mask without a word, so the masked values would be
    # computed with as if they were data. fastnn has one missing-value channel,
    # NaN; a mask is refused everywhere rather than honoured by some functions.
    if isinstance(value, np.ma.MaskedArray):
        raise TypeError(
            f"{name} must not be a numpy.ma.MaskedArray: fastnn marks missing values "
            f"with NaN, so pass {name}.filled(np.nan) (floats) or {name}.data"
        )


def check_features(value, name="X"):
    """Return ``value`` unchanged if it holds real numbers, or raise ``TypeError``.

    The estimators' gate before scikit-learn's ``validate_data``, which would
    cast datetimes, timedeltas and numeric strings to floats: the array
    functions refuse those (:func:`check_array`), and an estimator refuses
    them alike, so one policy holds across fastnn. Masked arrays are refused
    too. Sparse matrices and DataFrames are checked by their dtypes, without
    a conversion; anything else is converted once to find its dtype.
    """
    _reject_masked(value, name)
    dtypes = getattr(value, "dtypes", None)  # pandas DataFrame
    if dtypes is not None and hasattr(dtypes, "__iter__") and not isinstance(dtypes, str):
        kinds = {getattr(dtype, "kind", None) for dtype in dtypes}
    elif hasattr(value, "dtype") and hasattr(value, "shape"):  # arrays, sparse matrices
        kinds = {getattr(value.dtype, "kind", None)}
    else:
        try:
            kinds = {np.asarray(value).dtype.kind}
        except Exception:  # ragged lists: validate_data words that error
            return value
    kinds.discard(None)  # polars and other frames: validate_data converts them
    if "O" in kinds:
        # Object arrays of numbers are numbers (scikit-learn's estimator checks
        # fit them); an object array is refused only for what it holds.
        kinds.discard("O")
        kinds.update(_kind_of(v) for v in np.asarray(value, dtype=object).flat)
    # Complex numbers go on to validate_data, whose ValueError("Complex data
    # not supported") scikit-learn's estimator checks expect.
    bad = kinds - set("biufc") - {"O"}
    if bad:
        names = {"M": "datetime64", "m": "timedelta64", "U": "string", "S": "bytes"}
        what = names.get(min(bad), min(bad))
        raise TypeError(
            f"{name} must hold real numbers (bool, int or float), got {what} values; "
            f"convert them to numbers first"
        )
    return value


def _kind_of(item):
    """The dtype kind of one element of an object array ("O" for what is not text or time)."""
    if isinstance(item, str):
        return "U"
    if isinstance(item, bytes):
        return "S"
    if isinstance(item, np.datetime64 | datetime.date):
        return "M"
    if isinstance(item, np.timedelta64 | datetime.timedelta):
        return "m"
    return "O"


def float_result_dtype(dtype, *, integer_to=np.float32):
    """Return the float dtype a computation on ``dtype`` produces.

    float32 stays float32 and float64 stays float64; integers and booleans
    become ``integer_to`` (float32 for images, where it holds every sum of
    uint8 pixels exactly; float64 elsewhere).
    """
    dtype = np.dtype(dtype)
    if dtype == np.float64 or dtype == np.float32:
        return dtype
    if dtype.kind == "f":  # float16, longdouble
        return np.dtype(np.float64) if dtype.itemsize > 8 else np.dtype(np.float32)
    return np.dtype(integer_to)


def check_choice(value, name, choices):
    """Return ``value`` if it is one of the strings ``choices``, or raise."""
    if not isinstance(value, str):
        raise TypeError(
            f"{name} must be a string, one of {_quoted(choices)}; got {_describe(value)}"
        )
    if value not in choices:
        raise ValueError(f"{name} must be one of {_quoted(choices)}, got {value!r}")
    return value


def _quoted(choices):
    return ", ".join(repr(c) for c in choices)


def check_real(value, name, *, allow_nan=True):
    """Return ``value`` as a Python float, or raise."""
    if isinstance(value, bool) or not isinstance(value, int | float | np.integer | np.floating):
        raise TypeError(f"{name} must be a real number, got {_describe(value)}")
    value = float(value)
    if not allow_nan and np.isnan(value):
        raise ValueError(f"{name} must not be NaN")
    return value


def check_axis(axis, ndim, name="axis"):
    """Return ``axis`` as an index in ``[0, ndim)`` (negative counts from the end), or raise."""
    if isinstance(axis, bool) or not isinstance(axis, int | np.integer):
        raise TypeError(f"{name} must be an integer, got {_describe(axis)}")
    if not -ndim <= axis < ndim:
        raise ValueError(
            f"{name} must be in [{-ndim}, {ndim}) for an array of {ndim} dimension(s), got {axis}"
        )
    return int(axis) % ndim


def check_int(value, name, *, low=None, high=None):
    """Return ``value`` as a Python int within ``[low, high]``, or raise."""
    if isinstance(value, bool):
        raise TypeError(f"{name} must be an integer, got bool")
    try:
        value = operator.index(value)
    except TypeError:
        raise TypeError(f"{name} must be an integer, got {_describe(value)}") from None
    if (low is not None and value < low) or (high is not None and value > high):
        span = f"from {low} to {high}" if high is not None else f">= {low}"
        raise ValueError(f"{name} must be an integer {span}, got {value}")
    return value


def check_bool(value, name):
    """Return ``value`` as a Python bool if it is one (``bool`` or ``numpy.bool_``), or raise."""
    if not isinstance(value, bool | np.bool_):
        raise TypeError(f"{name} must be True or False, got {_describe(value)}")
    return bool(value)
