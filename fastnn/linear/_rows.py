"""Compile-time building blocks of the linear kernels: one row of X at a time.

Every kernel of :mod:`fastnn.linear` reads its samples through the three
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
  additions, bound their speed (four accumulators were tried: slower).
- :func:`row_axpy` ``w += c · x_i``.
- :func:`row_decision_pair`: two rows' decisions at once, for the scan that
  looks for the next mistake. CSR rows interleave their two sequential
  sums, so the gathers of one row overlap those of the other (the chains
  themselves stay in column order, so the decisions are still exact):
  56 against 72 ms for the ``pla_sparse`` sums, ten epochs.

A third layout is the *shadowed* dense matrix ``(X, X32)``: ``X32`` is ``X``
rounded to float32, half the bytes to stream. Its decisions take the lane
sum of the float32 row and fall back to the canonical float64 sum of ``X``
when that sum is too close to 0 to carry the sign of the exact one (the
filter widened by the float32 rounding of ``x``; see
:func:`shadow_tolerance`); updates read ``X`` itself. The dense epoch is
memory-bound, so this halves it: ten passes of 100,000 × 50 took 8.9 ms
from float32 rows against 14.7 ms from float64 ones.

Why an LLVM intrinsic for the dense dot (:func:`fastnn._intrinsics.lane_dot`):
without ``fastmath`` a plain Numba loop adds a row's products one after the
other, and eight scalar accumulators stay scalar (tried: slower than the
single chain, with register spills); the intrinsic's eight lanes are one
SIMD vector with the same, defined, rounding.
Measured on the ``pla_dense`` workload (100,000 × 50, 10 epochs, one thread):
the sequential dot 21.7 ms, the lane dot 16.3 ms, about as fast as
``X.sum()`` ten times (18.8 ms): the epoch is memory-bound.
"""

from numba import types
from numba.extending import overload, register_jitable

from fastnn._intrinsics import lane_dot

__all__ = [
    "SHADOW_NORM_PAD",
    "decision_bound",
    "row_axpy",
    "row_decision",
    "row_decision_pair",
    "row_dot",
    "row_tolerance",
    "shadow_tolerance",
]

UNIT_ROUNDOFF = 2.0**-53
SMALLEST_SUBNORMAL = 2.0**-1074
# Added to ‖x‖ for shadowed rows: per term, float32 rounding errs by
# 2^-24 |x_j| + 2^-150, and 2^-24 · 2^-126 √d ‖w‖ bounds the second part summed.
SHADOW_NORM_PAD = 2.0**-126


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
def shadow_tolerance(n_terms, bound, b):
    """Return how far a decision from float32-rounded rows can be from the canonical one.

    With ``x̃_j = fl32(x_j)``, :math:`|x_j - x̃_j| \\le 2^{-24} |x_j| + 2^{-150}`
    (round to nearest; the second term for the float32 subnormal range), so
    the exact sums over ``x`` and ``x̃`` differ by at most
    :math:`2^{-24} (\\sum_j |x_j w_j| + 2^{-126} \\sqrt{d}\\, \\lVert w \\rVert)`.
    The caller passes ``bound = (‖x‖ + 2^-126 √d) ‖w‖``, which covers both
    terms; this adds the two float64 summation errors
    (:func:`decision_bound`, on a row scaled up by at most ``1 + 2^-24``)
    and returns four times the rounding term, for the rounding of ``bound``.
    """
    return decision_bound(n_terms, 1.0000001 * bound + abs(b)) + 2.0**-22 * bound


def row_dot(X, i, w):
    """Return ``x_i · w`` (no bias), for a dense ``X`` or a CSR tuple (use inside kernels)."""


def row_decision(X, i, w, b, norms, w_norm):
    """Return ``b + Σ_r w_r x_ir > 0``, summed in column order, exactly (use inside kernels).

    Dense rows: ``norms[i] = ‖x_i‖`` and ``w_norm = ‖w‖`` bound ``Σ_r |x_ir w_r|``
    (Cauchy-Schwarz) for :func:`row_tolerance`; CSR rows need neither.
    """


def row_decision_pair(X, i, j, w, b, norms, w_norm):
    """Return ``(row_decision(X, i, ...), row_decision(X, j, ...))`` (use inside kernels)."""


def row_tolerance(X, norm, w_norm, b):
    """How far from 0 a fast sum of a dense row with ``‖x‖ <= norm`` settles its sign.

    (use inside kernels; CSR rows are summed in the canonical order and need none)
    """


def row_axpy(X, i, w, c):
    """``w += c · x_i`` (use inside kernels)."""


def _is_csr(X):
    return isinstance(X, types.BaseTuple) and len(X) == 3


def _is_shadowed(X):
    return (
        isinstance(X, types.BaseTuple)
        and len(X) == 2
        and all(isinstance(a, types.Array) and a.ndim == 2 for a in X)
    )


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
            for p in range(indptr[i], indptr[i + 1]):
                s += data[p] * w[indices[p]]
            return s

        return csr
    if _is_shadowed(X):
        return lambda X, i, w: row_dot(X[0], i, w)
    return None


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
        return lambda X, norm, w_norm, b: shadow_tolerance(X[0].shape[1], norm * w_norm, b)
    return None


@overload(row_decision, inline="always")
def _row_decision(X, i, w, b, norms, w_norm):
    if isinstance(X, types.Array):

        def dense(X, i, w, b, norms, w_norm):
            z = row_dot(X, i, w) + b
            if abs(z) > row_tolerance(X, norms[i], w_norm, b):
                return z > 0.0
            return _canonical_sum(X[i], w, b) > 0.0  # too close to call

        return dense
    if _is_shadowed(X):

        def shadowed(X, i, w, b, norms, w_norm):
            exact, rounded = X
            z = row_dot(rounded, i, w) + b
            if abs(z) > row_tolerance(X, norms[i], w_norm, b):
                return z > 0.0
            return _canonical_sum(exact[i], w, b) > 0.0

        return shadowed
    if _is_csr(X):

        def csr(X, i, w, b, norms, w_norm):
            # Skipping the zeros of a row changes no partial sum but the sign
            # of a zero, so this is the dense canonical sum, decision for decision.
            indptr, indices, data = X
            z = b
            for p in range(indptr[i], indptr[i + 1]):
                z += data[p] * w[indices[p]]
            return z > 0.0

        return csr
    return None


@overload(row_decision_pair, inline="always")
def _row_decision_pair(X, i, j, w, b, norms, w_norm):
    if _is_csr(X):

        def csr(X, i, j, w, b, norms, w_norm):
            # Both canonical chains at once: the gathers of one row overlap
            # those of the other.
            indptr, indices, data = X
            p, q = indptr[i], indptr[j]
            n = min(indptr[i + 1] - p, indptr[j + 1] - q)
            zi = b
            zj = b
            for t in range(n):
                zi += data[p + t] * w[indices[p + t]]
                zj += data[q + t] * w[indices[q + t]]
            for t in range(p + n, indptr[i + 1]):
                zi += data[t] * w[indices[t]]
            for t in range(q + n, indptr[j + 1]):
                zj += data[t] * w[indices[t]]
            return zi > 0.0, zj > 0.0

        return csr

    def one_by_one(X, i, j, w, b, norms, w_norm):
        # Dense rows are streamed from memory: pairing them gained nothing.
        return (
            row_decision(X, i, w, b, norms, w_norm),
            row_decision(X, j, w, b, norms, w_norm),
        )

    return one_by_one


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
            for p in range(indptr[i], indptr[i + 1]):
                w[indices[p]] += c * data[p]

        return csr
    if _is_shadowed(X):
        return lambda X, i, w, c: row_axpy(X[0], i, w, c)
    return None
