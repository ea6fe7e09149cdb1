"""Compile-time building blocks of the linear kernels: one row of X at a time.

Every kernel of :mod:`fastnn.linear` reads its samples through the
helpers here, so one kernel source serves dense and CSR matrices: ``X`` is
either a C-contiguous 2-D array or the CSR tuple ``(indptr, indices, data)``,
and Numba picks the implementation from the type at compile time (no
run-time branch, no second copy of each kernel).

- :func:`row_dot` ``= x_i · w``, the fastest way each layout allows: for dense
  rows an 8-lane SIMD sum (:func:`fastnn._intrinsics.lane_dot`), for CSR
  rows a walk over the stored entries. The SVM and the sigmoid neuron use it.
- :func:`row_decision` ``= [w_0 + Σ_r w_r x_r > 0]``, the perceptron's
  ``ŷ = sgn(w · x)``, *exactly* as the sequential sum in column order gives
  it, for dense and CSR alike. That is what makes dense and CSR training give
  identical weights (and the NumPy twin too): the updates are elementwise,
  so the weights can only differ through a decision, and every decision is
  that of one canonical sum. The dense path still runs at SIMD speed: it
  takes the 8-lane sum and decides by it when its distance from 0 exceeds
  the rounding error any order of summation can make (bounded through
  ``‖x‖ ‖w‖``, :func:`decision_bound`), and falls back to the sequential sum
  only when it does not (a floating-point filter, as in Shewchuk's exact
  geometric predicates; in practice only for exact zeros such as ``w = 0``).
  CSR rows are summed sequentially: the gathers ``w[indices[p]]``, not the
  additions, bound their speed (four accumulators were tried: slower; the
  50 million gathers of ``pla_sparse``'s ten epochs alone take 30 ms, in two
  chains or in four).
- :func:`row_axpy` ``w += c · x_i``.
- :func:`row_sign` and :func:`row_sign_pair`: the decision where the filter
  settles it, 0 where it does not, for the scans that look for the next
  mistake (they stop at a 0 too, and the caller sums that row canonically,
  outside the scan's loop). CSR rows interleave their two sequential sums,
  so the gathers of one row overlap those of the other (the chains
  themselves stay in column order, so the decisions are still exact):
  56 against 72 ms for the ``pla_sparse`` sums, ten epochs.
- :func:`decision_weights` and :func:`refresh_decision_weights`: what the
  decisions read of ``w``, made once and refreshed after each update: the
  weights (``w`` itself but for shadowed rows) and ``‖w‖`` for the filter.

A third layout is the *shadowed* dense matrix ``(X, H, scales)``: ``H`` holds
the rows of ``X`` end to end in IEEE binary16 (``uint16`` bit patterns), each
scaled by a power of two ``scales[i]`` so that ``‖x_i‖`` lies in
[2^14, 2^15), and eight zeros after the last: a quarter of the bytes of a
float64 row to stream (rows padded to whole blocks of eight took 3% longer
to scan on ``pla_dense``, whose rows have 50 entries). Its decisions take the
float32 lane sum of the half row with ``fl32(w)``
(:func:`fastnn._intrinsics.half_lane_dot`) and fall back to the canonical
float64 sum of ``X`` when that sum is too close to 0 to carry the sign of
the exact one (the filter widened by the half rounding of ``x``; see
:func:`shadow_tolerance`): 225 of 100,000 rows of ``pla_dense`` at its final
weights. Updates read ``X`` itself. The dense scan is memory-bound, so this
shortens it: ten passes of 100,000 × 50 took 6.1 ms from half rows, 9.4 ms
from float32 rows and 14.7 ms from float64 ones; the ``pla_dense`` kernel
10.5–11.1 ms against 13.6–14.5 ms with float32 rows. Only on CPUs that
convert binary16 in hardware (:func:`fastnn._intrinsics.native_half`).

Why an LLVM intrinsic for the dense dot (:func:`fastnn._intrinsics.lane_dot`):
without ``fastmath`` a plain Numba loop adds a row's products one after the
other, and eight scalar accumulators stay scalar (tried: slower than the
single chain, with register spills); the intrinsic's eight lanes are one
SIMD vector with the same, defined, rounding.
Measured on the ``pla_dense`` workload (100,000 × 50, 10 epochs, one thread):
the sequential dot 21.7 ms, the lane dot 16.3 ms, about as fast as
``X.sum()`` ten times (18.8 ms): the epoch is memory-bound.
"""

import math

import numpy as np
from numba import types
from numba.extending import overload, register_jitable

from fastnn._intrinsics import LANES, half_lane_dot, lane_dot
from fastnn.metrics._kernels import TINY_SUM, sum_of_squares

__all__ = [
    "SHADOW_MAX_WIDTH",
    "SHADOW_PAD",
    "decision_bound",
    "decision_weights",
    "norm_bound",
    "refresh_decision_weights",
    "row_axpy",
    "row_decision",
    "row_dot",
    "row_sign",
    "row_sign_pair",
    "row_tolerance",
    "shadow_tolerance",
    "shadow_width",
    "signs_are_canonical",
]

UNIT_ROUNDOFF = 2.0**-53
SMALLEST_SUBNORMAL = 2.0**-1074
# Shadowed rows (see shadow_tolerance): at most SHADOW_MAX_WIDTH entries a row;
# the stored bound for row i is ‖x_i‖ + SHADOW_PAD · scales[i] · √width, for
# the entries binary16 keeps only as subnormals; the half rows decide only
# while W_LOW <= ‖w‖ <= W_HIGH.
SHADOW_MAX_WIDTH = 8192
SHADOW_PAD = 2.0**-13
W_LOW = 2.0**-100
W_HIGH = 2.0**60


@register_jitable(inline="always")
def decision_bound(n_terms, abs_sum):
    """Return how far any two float64 summation orders of ``n_terms`` terms can disagree.

    For terms :math:`p_j = x_j w_j` (and the bias), every order of summation
    is within :math:`\\gamma_{n} \\sum_j |x_j w_j|` of the exact sum, with
    :math:`\\gamma_n = n u / (1 - n u)` and :math:`u = 2^{-53}` (Higham,
    *Accuracy and Stability of Numerical Algorithms*, 2nd ed., §3.1), plus
    half an ulp of the smallest subnormal per product that underflows. Two
    orders are then within twice that; this returns four times it, which
    also covers the rounding of ``abs_sum`` (any upper bound of
    :math:`\\sum_j |x_j w_j| + |w_0|`, such as ``‖x‖ ‖w‖ + |w_0|``) and of this
    product, so a sum whose magnitude exceeds it has the sign of every
    order's sum. Used by the kernels and the NumPy twin alike.
    """
    return (4.0 * UNIT_ROUNDOFF) * (n_terms + 2) * abs_sum + (n_terms + 2) * SMALLEST_SUBNORMAL


@register_jitable(inline="always")
def shadow_tolerance(n_terms, width, bound, b):
    """Return how far a decision from a half row can be from the canonical one.

    The half row decides by :math:`\\tilde z = s \\sum_j h_j \\tilde w_j + w_0`
    (float32 lane sums, :func:`fastnn._intrinsics.half_lane_dot`), with
    :math:`s` a power of two, :math:`h_j = fl_{16}(fl_{32}(x_j / s))` and
    :math:`\\tilde w_j = fl_{32}(w_j)`, ``width`` entries a row. Its distance
    from the exact sum :math:`w_0 + \\sum_j x_j w_j` adds up from:

    - the entries: :math:`|x_j - s h_j| \\le \\alpha |x_j| + \\beta s` with
      :math:`\\alpha = 2^{-11} + 2^{-24} + 2^{-35}` (two roundings to nearest)
      and :math:`\\beta = 2^{-25} + 2^{-150} + 2^{-161}` (binary16's and
      float32's subnormal steps);
    - the weights: :math:`|w_j - \\tilde w_j| \\le 2^{-24} |w_j| + 2^{-150}`;
    - the float32 arithmetic: a product is rounded at most
      :math:`m = \\lceil width / 16 \\rceil + 5` times (its own rounding, its
      accumulator's adds, the even + odd add, three halvings), so it is off
      by at most :math:`\\gamma_m < (m + 2)\\, 2^{-23}` of
      :math:`s \\sum_j |h_j \\tilde w_j|` (Higham §3.1), plus :math:`2^{-150} s`
      for each product that underflows.

    With :math:`\\sum_j |x_j w_j| \\le \\lVert x \\rVert \\lVert w \\rVert` and
    :math:`\\sum_j |w_j| \\le \\sqrt{width}\\, \\lVert w \\rVert`, all of it is below
    :math:`c\\, (\\lVert x \\rVert + 2^{-13} s \\sqrt{width}) \\lVert w \\rVert` with
    :math:`c = 2^{-11} + 2^{-22} + (m + 2)\\, 2^{-23}` while
    :math:`2^{-100} \\le \\lVert w \\rVert \\le 2^{60}`: the :math:`2^{-22}`
    holds :math:`\\alpha - 2^{-11}`, the weights' rounding and the underflow
    terms, below :math:`2^{-60}` of the rest in that range (outside it a
    float32 overflow is possible too: the caller then decides
    canonically). The caller passes ``bound`` = that bracket times ``‖w‖``
    (the pad is :data:`SHADOW_PAD`); this adds :func:`decision_bound`, how far
    the canonical float64 sum (and the float64 ``s · sum + w_0``) is from the
    exact one. Past it, :math:`\\tilde z` has the canonical sum's sign.
    """
    m = width // 16 + 6  # >= ⌈width / 16⌉ + 5, the roundings of a product
    rounding = 2.0**-11 + 2.0**-22 + (m + 2) * 2.0**-23
    return decision_bound(n_terms, bound + abs(b)) + rounding * bound


@register_jitable(inline="always")
def shadow_width(n_features):
    """How many binary16 entries a shadowed row's dot reads: ``n_features`` rounded up to
    whole blocks of eight (the entries past the row, the next row's, meet zero weights)."""
    return (n_features + LANES - 1) // LANES * LANES


@register_jitable(inline="always")
def norm_bound(x):
    """Return ``‖x‖`` for the filters' bound of a dense row: at least ``‖x‖``, to rounding.

    ``√(Σ x_j²)``, but where the squares underflow (their float64 sum below
    ``TINY_SUM``, entries below ~1e-154) that sum falls short of ``‖x‖²``, so
    those rows take ``√d · max |x_j|`` instead. NaN or ±inf in ``x`` give NaN or inf.
    """
    total = sum_of_squares(x)
    if not total < TINY_SUM:  # NaN and inf too
        return math.sqrt(total)
    peak = 0.0
    for j in range(x.shape[0]):
        peak = max(peak, abs(np.float64(x[j])))
    return math.sqrt(x.shape[0]) * peak


def row_dot(X, i, w):
    """Return ``x_i · w`` (no bias), for a dense ``X`` or a CSR tuple (use inside kernels)."""


def row_sign(X, i, wd, b, norms, w_norm):
    """Return +1 or −1 for the sign the canonical sum ``b + Σ_r w_r x_ir`` surely has, or 0.

    (use inside kernels) +1 means ``> 0``, −1 means ``<= 0``; 0, too close to
    call, for dense rows only: :func:`row_decision` then sums canonically.
    Dense rows: ``norms[i] = ‖x_i‖`` (plus the pad of shadowed rows) and
    ``w_norm = ‖w‖`` bound ``Σ_r |x_ir w_r|`` (Cauchy-Schwarz) for
    :func:`row_tolerance`; CSR rows need neither. ``(wd, w_norm)`` is
    :func:`decision_weights` of ``w``, kept fresh. The scans for the next
    mistake call this alone, so the canonical sum's loop stays out of theirs.
    """


def row_sign_pair(X, i, j, wd, b, norms, w_norm):
    """Return ``(row_sign(X, i, ...), row_sign(X, j, ...))`` (use inside kernels)."""


def signs_are_canonical(X):
    """Return True where :func:`row_sign` is always the canonical decision (CSR rows).

    A compile-time constant (use inside kernels): a scan that stopped at a
    row then needs no :func:`row_decision` to confirm it.
    """


@overload(signs_are_canonical, inline="always")
def _signs_are_canonical(X):
    canonical = _is_csr(X)
    return lambda X: canonical


def row_decision(X, i, w, wd, b, norms, w_norm):
    """Return ``b + Σ_r w_r x_ir > 0``, summed in column order, exactly (use inside kernels).

    :func:`row_sign` where it is sure, else the canonical sum.
    """


def decision_weights(X, w):
    """Return ``(wd, w_norm)``, what decisions on ``X`` read of ``w`` (use inside kernels).

    ``wd`` is ``w`` itself, or for shadowed rows ``fl32(w)`` zero-padded to
    the rows' width; ``w_norm`` is ``‖w‖`` for the dense filters (eight
    lanes: a bound, any order of summation does), 0 for CSR rows. For
    shadowed rows it is NaN while ``‖w‖`` is outside [W_LOW, W_HIGH]: every
    tolerance is then NaN, no ``|z| > tolerance`` holds, and each row is
    decided canonically, with no test of the range in the row loop (such a
    test there made LLVM compile the scan 2.5 to 6× slower). After each
    change of ``w``, :func:`refresh_decision_weights`.
    """


def refresh_decision_weights(X, w, wd):
    """Bring ``wd`` up to date with ``w`` and return the new ``w_norm`` (use inside kernels)."""


def row_tolerance(X, norm, w_norm, b):
    """How far from 0 a fast sum of a dense row with ``‖x‖ <= norm`` settles its sign.

    (use inside kernels; CSR rows are summed in the canonical order and need none)
    """


def row_axpy(X, i, w, c):
    """``w += c · x_i`` (use inside kernels)."""


def _is_csr(X):
    return isinstance(X, types.BaseTuple) and len(X) == 3 and X[0].ndim == 1


def _is_shadowed(X):
    return isinstance(X, types.BaseTuple) and len(X) == 3 and X[0].ndim == 2


@overload(row_dot, inline="always")
def _row_dot(X, i, w):
    if isinstance(X, types.Array):

        def dense(X, i, w):
            x = X[i]
            d = x.shape[0]
            s = lane_dot(x, w, d >> 3)
            for j in range((d >> 3) << 3, d):
                s += x[j] * w[j]
            return s

        return dense
    if _is_csr(X):

        def csr(X, i, w):
            indptr, indices, data = X
            s = 0.0
            for p in range(_at(indptr[i]), _at(indptr[i + 1])):
                s += data[p] * w[_at(indices[p])]
            return s

        return csr
    return None  # shadowed rows are the perceptron's alone, and it decides by row_sign


@register_jitable(inline="always")
def _at(p):
    """``p`` as an unsigned index: Numba then skips the wrap-around of negative indices.

    A CSR row's entries and columns are never negative, and the fix-up (a
    shift, an and and an add for every load) was most of the sparse scan's
    work: ``pla_bow``'s ten epochs (the float kernel alone) ran ~66 ms with
    signed indices, ~46 with these (measured under load, one thread).
    """
    return np.uint64(p)


@register_jitable
def _canonical_sum(x, w, b):
    """``b + Σ_j x_j w_j``, ``w_0`` first, then column order, one add after the other.

    A function of its own, not inlined: this loop inside the hot scan made
    LLVM compile the scan 2.3× slower (4.3 against 1.9 ms for a pass over
    100,000 × 50) although it runs only on exact zeros.
    """
    z = b
    for j in range(x.shape[0]):
        z += x[j] * w[j]
    return z


@overload(row_tolerance, inline="always")
def _row_tolerance(X, norm, w_norm, b):
    if isinstance(X, types.Array):
        return lambda X, norm, w_norm, b: decision_bound(X.shape[1], norm * w_norm + abs(b))
    if _is_shadowed(X):
        return lambda X, norm, w_norm, b: shadow_tolerance(
            X[0].shape[1], shadow_width(X[0].shape[1]), norm * w_norm, b
        )
    return None


@overload(row_sign, inline="always")
def _row_sign(X, i, wd, b, norms, w_norm):
    if isinstance(X, types.Array):

        def dense(X, i, wd, b, norms, w_norm):
            z = row_dot(X, i, wd) + b
            return _sign_past(z, row_tolerance(X, norms[i], w_norm, b))

        return dense
    if _is_shadowed(X):

        def shadowed(X, i, wd, b, norms, w_norm):
            exact, halves, scales = X
            d = exact.shape[1]
            z = scales[i] * half_lane_dot(halves, i * d, wd, shadow_width(d) >> 3) + b
            return _sign_past(z, row_tolerance(X, norms[i], w_norm, b))  # 0 if w_norm is NaN

        return shadowed
    if _is_csr(X):
        return lambda X, i, wd, b, norms, w_norm: 2 * (_csr_sum(X, i, wd, b) > 0.0) - 1
    return None


@register_jitable
def _csr_sum(X, i, w, b):
    """``b + Σ_p data[p] w[indices[p]]`` over row ``i``'s stored entries, in order.

    Skipping the zeros of a row changes no partial sum but the sign of a
    zero, so this is the dense canonical sum, decision for decision. (Not
    inlined at Numba's level, where it broke an SSA check; LLVM inlines it.)
    """
    indptr, indices, data = X
    z = b
    for p in range(_at(indptr[i]), _at(indptr[i + 1])):
        z += data[p] * w[_at(indices[p])]
    return z


@register_jitable(inline="always")
def _sign_past(z, tolerance):
    """+1 or −1 for the sign of ``z`` when ``|z|`` exceeds ``tolerance``, else 0 (NaN: 0).

    Arithmetic, not branches: inlined returns inside a branch made LLVM
    compile the scans 2 to 12× slower.
    """
    return ((z > 0.0) - (z <= 0.0)) * (abs(z) > tolerance)


@overload(row_sign_pair, inline="always")
def _row_sign_pair(X, i, j, wd, b, norms, w_norm):
    if _is_csr(X):

        def csr(X, i, j, wd, b, norms, w_norm):
            # Both canonical chains at once: the gathers of one row overlap
            # those of the other.
            indptr, indices, data = X
            p, q = _at(indptr[i]), _at(indptr[j])
            n = min(_at(indptr[i + 1]) - p, _at(indptr[j + 1]) - q)
            zi = b
            zj = b
            for t in range(n):
                zi += data[p + t] * wd[_at(indices[p + t])]
                zj += data[q + t] * wd[_at(indices[q + t])]
            for t in range(p + n, _at(indptr[i + 1])):
                zi += data[t] * wd[_at(indices[t])]
            for t in range(q + n, _at(indptr[j + 1])):
                zj += data[t] * wd[_at(indices[t])]
            return 2 * (zi > 0.0) - 1, 2 * (zj > 0.0) - 1

        return csr

    def one_by_one(X, i, j, wd, b, norms, w_norm):
        # Dense rows are streamed from memory: pairing them gained nothing.
        return row_sign(X, i, wd, b, norms, w_norm), row_sign(X, j, wd, b, norms, w_norm)

    return one_by_one


@overload(row_decision, inline="always")
def _row_decision(X, i, w, wd, b, norms, w_norm):
    if _is_csr(X):
        return lambda X, i, w, wd, b, norms, w_norm: _csr_sum(X, i, w, b) > 0.0

    def dense(X, i, w, wd, b, norms, w_norm):
        sign = row_sign(X, i, wd, b, norms, w_norm)
        if sign != 0:
            return sign > 0
        return _canonical_sum(_exact(X)[i], w, b) > 0.0  # too close to call

    return dense


def _exact(X):
    """The float rows of a dense layout: ``X`` itself, or the first of a shadowed one."""


@overload(_exact, inline="always")
def _exact_rows(X):
    if _is_shadowed(X):
        return lambda X: X[0]
    return lambda X: X


@overload(decision_weights, inline="always")
def _decision_weights(X, w):
    if _is_shadowed(X):

        def shadowed(X, w):
            wd = np.zeros(shadow_width(X[0].shape[1]), np.float32)
            return wd, refresh_decision_weights(X, w, wd)

        return shadowed
    return lambda X, w: (w, refresh_decision_weights(X, w, w))


@overload(refresh_decision_weights, inline="always")
def _refresh_decision_weights(X, w, wd):
    if _is_shadowed(X):

        def shadowed(X, w, wd):
            for j in range(w.shape[0]):
                wd[j] = w[j]  # to float32, rounded to nearest (±inf past 2^128: see W_HIGH)
            w_norm = math.sqrt(sum_of_squares(w))
            return w_norm if W_LOW <= w_norm <= W_HIGH else math.nan

        return shadowed
    if _is_csr(X):
        return lambda X, w, wd: 0.0
    return lambda X, w, wd: math.sqrt(sum_of_squares(w))


@overload(row_axpy, inline="always")
def _row_axpy(X, i, w, c):
    if isinstance(X, types.Array):

        def dense(X, i, w, c):
            x = X[i]
            for j in range(x.shape[0]):
                w[j] += c * x[j]

        return dense
    if _is_csr(X):

        def csr(X, i, w, c):
            indptr, indices, data = X
            for p in range(_at(indptr[i]), _at(indptr[i + 1])):
                w[_at(indices[p])] += c * data[p]

        return csr
    if _is_shadowed(X):
        return lambda X, i, w, c: row_axpy(X[0], i, w, c)
    return None
