"""Compile-time building blocks of the linear kernels: one row of X at a time.

Every kernel of :mod:`fastnn.linear` reads its samples through the three
helpers here, so one kernel source serves dense and CSR matrices: ``X`` is
either a C-contiguous 2-D array or the CSR tuple ``(indptr, indices, data)``,
and Numba picks the implementation from the type at compile time (no
run-time branch, no second copy of each kernel).

- :func:`row_dot` ``= x_i · w``, the fastest way each layout allows: for dense
  rows an 8-lane SIMD sum (:func:`lane_dot`), for CSR rows a walk over the
  stored entries. The SVM and the sigmoid neuron use it.
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

Why an LLVM intrinsic for the dense dot: without ``fastmath`` LLVM may not
reassociate a floating-point sum, so a plain Numba loop adds the 50 products
of a row one after the other (4 cycles each), and Numba turns LLVM's SLP
vectoriser off, so eight scalar accumulators stay scalar too (tried: slower
than the single chain, with register spills). :func:`lane_dot` writes the
eight accumulators as one ``<8 x double>`` vector, whose adds are exactly the
eight scalar adds, so the result is defined (lane ``k`` sums columns
``k, k + 8, k + 16, ...`` in order) and reproducible, at vector speed.
Measured on the ``pla_dense`` workload (100,000 × 50, 10 epochs, one thread):
the sequential dot 21.7 ms, the lane dot 16.3 ms, about as fast as
``X.sum()`` ten times (18.8 ms): the epoch is memory-bound.
"""

from llvmlite import ir
from numba import types
from numba.core import cgutils
from numba.extending import intrinsic, overload, register_jitable

__all__ = [
    "LANES",
    "decision_bound",
    "lane_dot",
    "row_axpy",
    "row_bound",
    "row_decision",
    "row_dot",
]

LANES = 8
UNIT_ROUNDOFF = 2.0**-53
SMALLEST_SUBNORMAL = 2.0**-1074


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


def _lane_codegen(context, builder, signature, args):
    xty, wty, nty = signature.args
    x = context.make_array(xty)(context, builder, args[0])
    w = context.make_array(wty)(context, builder, args[1])
    nblocks = context.cast(builder, args[2], nty, types.intp)
    double = ir.DoubleType()
    vec = ir.VectorType(double, LANES)
    xvec = ir.VectorType(context.get_data_type(xty.dtype), LANES)
    acc = cgutils.alloca_once_value(builder, ir.Constant(vec, [0.0] * LANES))
    with cgutils.for_range(builder, nblocks) as loop:
        offset = builder.mul(loop.index, ir.Constant(loop.index.type, LANES))
        px = builder.bitcast(builder.gep(x.data, [offset]), xvec.as_pointer())
        pw = builder.bitcast(builder.gep(w.data, [offset]), vec.as_pointer())
        vx = builder.load(px, align=xty.dtype.bitwidth // 8)
        if xvec.element != double:
            vx = builder.fpext(vx, vec)  # float32 rows: widen, then as float64
        # fmul then fadd, no fast-math flags: no FMA contraction, each lane
        # rounds exactly as the scalar `acc[k] += x[j] * w[j]` would.
        product = builder.fmul(vx, builder.load(pw, align=8))
        builder.store(builder.fadd(builder.load(acc), product), acc)
    total = builder.load(acc)
    lane = [builder.extract_element(total, ir.Constant(ir.IntType(32), k)) for k in range(LANES)]
    low = builder.fadd(builder.fadd(lane[0], lane[1]), builder.fadd(lane[2], lane[3]))
    high = builder.fadd(builder.fadd(lane[4], lane[5]), builder.fadd(lane[6], lane[7]))
    return builder.fadd(low, high)


def _lane_typing(x, w, nblocks):
    ok = (
        isinstance(x, types.Array)
        and isinstance(w, types.Array)
        and x.ndim == w.ndim == 1
        and x.layout == w.layout == "C"
        and x.dtype in (types.float32, types.float64)
        and w.dtype == types.float64
        and isinstance(nblocks, types.Integer)
    )
    return ok


@intrinsic
def lane_dot(typingctx, x, w, nblocks):
    """Σ_k lane_k with lane_k = Σ_b x[8b + k] · w[8b + k] over the first ``8 · nblocks`` entries.

    The lanes are summed as ``((l0 + l1) + (l2 + l3)) + ((l4 + l5) + (l6 + l7))``.
    ``x``: C-contiguous float32 or float64, ``w``: C-contiguous float64.
    """
    if not _lane_typing(x, w, nblocks):
        return None
    return types.float64(x, w, nblocks), _lane_codegen


def row_dot(X, i, w):
    """Return ``x_i · w`` (no bias), for a dense ``X`` or a CSR tuple (use inside kernels)."""


def row_decision(X, i, w, b, bound):
    """Return ``b + Σ_r w_r x_ir > 0``, summed in column order, exactly (use inside kernels).

    ``bound`` >= Σ_r |x_ir w_r| (the kernels pass ``‖x_i‖ ‖w‖``, Cauchy-Schwarz);
    CSR rows do not need it.
    """


def row_axpy(X, i, w, c):
    """``w += c · x_i`` (use inside kernels)."""


def row_bound(X, norms, i, w_norm):
    """Return ``‖x_i‖ ‖w‖ = norms[i] · w_norm`` for dense rows, 0 for CSR rows (which need none)."""


def _is_csr(X):
    return isinstance(X, types.BaseTuple) and len(X) == 3


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


@overload(row_decision, inline="always")
def _row_decision(X, i, w, b, bound):
    if isinstance(X, types.Array):

        def dense(X, i, w, b, bound):
            z = row_dot(X, i, w) + b
            if abs(z) > decision_bound(X.shape[1], bound + abs(b)):
                return z > 0.0
            return _canonical_sum(X[i], w, b) > 0.0  # too close to call

        return dense
    if _is_csr(X):

        def csr(X, i, w, b, bound):
            # Skipping the zeros of a row changes no partial sum but the sign
            # of a zero, so this is the dense canonical sum, decision for decision.
            indptr, indices, data = X
            z = b
            for p in range(indptr[i], indptr[i + 1]):
                z += data[p] * w[indices[p]]
            return z > 0.0

        return csr
    return None


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
    return None


@overload(row_bound, inline="always")
def _row_bound(X, norms, i, w_norm):
    if isinstance(X, types.Array):
        return lambda X, norms, i, w_norm: norms[i] * w_norm
    if _is_csr(X):
        return lambda X, norms, i, w_norm: 0.0
    return None
