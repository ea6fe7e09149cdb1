"""Tolerances for comparing results that are not computed in one fixed order.

fastnn promises bit-identical results only where it fixes the order of every
operation itself (a serial and a parallel kernel, two memory layouts, dense
and CSR rows of the perceptron). A matrix product through BLAS, NumPy's
float32 ``exp``/``log``/``tanh`` or a libm function is not such a result:
OpenBLAS picks its GEMM kernel, and so its summation order, by CPU; NumPy
dispatches its SIMD functions to AVX-512, AVX2 or baseline code whose last
bits differ; libm differs between C libraries. Two correct programs then
agree only to within the rounding of the operation, and a test that asserts
more passes on the machine that wrote it and fails on the next one (a
cosine similarity differed by 5.6e-17 between two GEMM calls on an AMD EPYC).

These helpers derive the tolerance from the operation, so a test states what
it computes instead of a number tuned to one CPU:

- :func:`sum_tolerance`: two evaluations of the same sum of ``length`` terms
  in different orders. Each is within ``γ_{n−1} Σ|t_i|`` of the exact sum
  (Higham, *Accuracy and Stability of Numerical Algorithms*, 2nd ed., §4.2,
  ``γ_k = k u / (1 − k u)``, ``u`` the unit roundoff), with or without FMA,
  so they are within ``2 γ_{n−1} Σ|t_i|`` of each other.
- :func:`assert_reordered_close`: that bound, asserted elementwise.
- :func:`assert_ulp_close`: elementwise functions (``exp``, ``tanh``, ...)
  whose implementations differ by a few units in the last place.
"""

from __future__ import annotations

import numpy as np

__all__ = ["assert_reordered_close", "assert_ulp_close", "sum_tolerance"]


def sum_tolerance(length, dtype, magnitude=1.0):
    """Return the largest difference between two orderings of a sum of ``length`` terms.

    ``2 γ_{n−1} · magnitude`` with ``γ_k = k u / (1 − k u)``, where
    ``magnitude`` bounds ``Σ|t_i|`` (for a dot product ``Σ|x_i y_i|``, at
    most ``‖x‖ ‖y‖``; for unit vectors 1) and ``u`` is the unit roundoff of
    ``dtype`` (2^-53 for float64, 2^-24 for float32).

    Examples
    --------
    >>> from fastnn.testing import sum_tolerance
    >>> float(sum_tolerance(3, "float64"))  # two roundings each way
    4.440892098500627e-16
    """
    u = float(np.finfo(dtype).eps) / 2
    k = max(int(length) - 1, 1)
    return 2 * (k * u / (1 - k * u)) * np.asarray(magnitude, dtype=np.float64)


def assert_reordered_close(actual, expected, *, length, magnitude=None, err_msg=""):
    """Assert ``actual`` equals ``expected`` up to the reordering of sums of ``length`` terms.

    ``magnitude`` bounds each entry's ``Σ|t_i|`` (a scalar or an array that
    broadcasts against ``expected``); by default ``max |expected|``, right
    when the terms do not cancel. The dtype whose roundoff counts is the
    less precise of the two arrays'. NaN must sit in the same places.
    """
    actual, expected = np.asarray(actual), np.asarray(expected)
    dtype = np.result_type(actual.dtype, np.float32)
    if np.result_type(expected.dtype, np.float32).itemsize < dtype.itemsize:
        dtype = np.result_type(expected.dtype, np.float32)
    if magnitude is None:
        finite = np.abs(expected[np.isfinite(expected)])
        magnitude = float(finite.max()) if finite.size else 0.0
    atol = sum_tolerance(length, dtype, magnitude)
    np.testing.assert_allclose(
        actual.astype(np.float64), expected.astype(np.float64), rtol=0, atol=atol,
        equal_nan=True, err_msg=err_msg,
    )  # fmt: skip


def assert_ulp_close(actual, expected, *, ulps, err_msg=""):
    """Assert each entry of ``actual`` is within ``ulps`` units in the last place of ``expected``.

    The unit is that of ``expected``'s dtype at each value (``np.spacing``),
    so the check is as strict for 1e-30 as for 1e30. NaN and ±inf must match.
    """
    actual, expected = np.asarray(actual), np.asarray(expected)
    np.testing.assert_array_equal(np.isnan(actual), np.isnan(expected), err_msg=err_msg)
    finite = np.isfinite(expected)
    infinite = np.isinf(expected)
    np.testing.assert_array_equal(actual[infinite], expected[infinite], err_msg=err_msg)
    unit = np.abs(np.spacing(expected[finite])).astype(np.float64)
    error = np.abs(actual[finite].astype(np.float64) - expected[finite].astype(np.float64))
    worst = float((error / unit).max()) if unit.size else 0.0
    assert worst <= ulps, f"{worst:.2f} ulps apart, allowed {ulps}. {err_msg}"
