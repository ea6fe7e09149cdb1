"""One shared generator of hostile arrays, for the tests of every domain.

In the spirit of bottleneck's ``tests/util.py``: a test takes a plain base
array and checks that a function gives the same answer for every variant
yielded here. Two families:

- :func:`layouts` keeps the values and changes the memory: C and Fortran
  order, a transposed view, strided and reversed views, read-only, and the
  non-native byte order. A function must give *equal* results for all of
  them (it makes its input contiguous once, at the edge).
- :func:`value_patterns` keeps the shape and changes the values: NaN and
  ±inf sprinkled in (float only), ties and a constant, huge magnitudes.
  Results are compared with an oracle (a NumPy twin, SciPy) there.

:func:`small_shapes` lists the degenerate shapes (length 1, 1×1, one row,
one column) that break loop bounds and border handling.

Every generator takes an explicit ``numpy.random.Generator``; nothing here
seeds anything globally.
"""

from __future__ import annotations

import sys

import numpy as np

__all__ = ["HUGE", "layouts", "small_shapes", "value_patterns", "with_nonfinite"]

# Magnitudes that overflow a naive sum of squares but not the values
# themselves: float32's largest is 3.4e38 (its square root 1.8e19), float64's
# 1.8e308 (square root 1.3e154).
HUGE = {np.dtype(np.float32): 1e30, np.dtype(np.float64): 1e200}

_SWAPPED = ">" if sys.byteorder == "little" else "<"


def layouts(base):
    """Yield ``(label, array)``: the values of ``base`` in every hostile memory layout.

    Each array equals ``base`` (``np.array_equal``) and is a fresh object, so a
    test may also check that the call left it unchanged. Views (transposed,
    strided, reversed) are views of private buffers, never of ``base``.
    """
    base = np.asarray(base)
    yield "C-contiguous", np.ascontiguousarray(base).copy()
    yield "Fortran-ordered", np.asfortranarray(base).copy()
    if base.ndim >= 2:
        # The last two axes swapped in memory and swapped back as a view:
        # the same values, strides of a transposed array.
        yield "transposed view", np.swapaxes(np.swapaxes(base, -1, -2).copy(), -1, -2)
    if base.ndim >= 1:
        # Every other column of an array twice as wide.
        wider = np.zeros((*base.shape[:-1], 2 * base.shape[-1]), base.dtype)
        wider[..., ::2] = base
        yield "strided view (every other column)", wider[..., ::2]
        flipped = base[..., ::-1].copy()
        yield "reversed view (negative strides)", flipped[..., ::-1]
    read_only = base.copy()
    read_only.flags.writeable = False
    yield "read-only", read_only
    if base.dtype.itemsize > 1 and base.dtype.kind in "iufc":
        swapped = base.astype(base.dtype.newbyteorder(_SWAPPED))
        yield f"byte-swapped ({swapped.dtype.str})", swapped


def with_nonfinite(base, rng, *, values=(np.nan, np.inf, -np.inf), fraction=0.1):
    """Return a float copy of ``base`` with ``values`` sprinkled over ``fraction`` of it.

    At least one element is replaced, so a small array still gets one.
    """
    out = np.array(base, dtype=np.result_type(base, np.float32), copy=True)
    flat = out.reshape(-1)
    count = max(1, round(fraction * flat.size))
    where = rng.choice(flat.size, size=min(count, flat.size), replace=False)
    flat[where] = rng.choice(np.asarray(values, dtype=out.dtype), size=where.size)
    return out


def value_patterns(shape, dtype, rng):
    """Yield ``(label, array)`` of ``shape`` and ``dtype``: values that break naive code.

    ``random`` (the whole range of a small integer type; normal floats),
    ``constant`` (all ties), ``two values`` (many ties), ``extremes`` (the
    dtype's min and max, or ±:data:`HUGE` for floats), and for floats
    ``nan``, ``inf`` and ``nan and inf`` sprinkled in.
    """
    dtype = np.dtype(dtype)
    if dtype.kind == "b":
        yield "random", rng.random(shape) < 0.5
        yield "constant", np.ones(shape, dtype)
        return
    if dtype.kind in "iu":
        info = np.iinfo(dtype)
        low, high = max(info.min, -1000), min(info.max, 1000)
        yield "random", rng.integers(low, high, size=shape, endpoint=True).astype(dtype)
        yield "constant", np.full(shape, high, dtype)
        yield "two values", rng.choice(np.array([low, high], dtype), size=shape)
        yield "extremes", rng.choice(np.array([info.min, info.max], dtype), size=shape)
        return
    base = (10 * rng.standard_normal(shape)).astype(dtype)
    yield "random", base
    yield "constant", np.full(shape, 0.5, dtype)
    yield "two values", rng.choice(np.array([-0.25, 3.0], dtype), size=shape)
    huge = HUGE.get(dtype, 1e4)
    yield "extremes", (huge * rng.uniform(-1, 1, size=shape)).astype(dtype)
    yield "nan", with_nonfinite(base, rng, values=(np.nan,))
    yield "inf", with_nonfinite(base, rng, values=(np.inf, -np.inf))
    yield "nan and inf", with_nonfinite(base, rng)


def small_shapes(ndim=2, n=5):
    """Return the degenerate shapes of ``ndim`` dimensions: all ones, one row, one column.

    For ``ndim=1``: ``[(1,), (n,)]``; for more, leading (batch) axes are 1.
    """
    if ndim == 1:
        return [(1,), (n,)]
    lead = (1,) * (ndim - 2)
    return [(*lead, 1, 1), (*lead, 1, n), (*lead, n, 1)]
