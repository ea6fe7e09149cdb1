"""Numba kernels of the linear models. Plain arrays in, state arrays updated; no validation.

``X`` is a C-contiguous 2-D array or the CSR tuple ``(indptr, indices, data)``
(canonical: sorted indices, no duplicates); :mod:`fastnn.linear._rows` picks
the row access at compile time. One-vs-rest problems are the rows of ``Y``
(labels ±1 as int8) and of the weight matrix ``W``; the two parallel kernels
run them in a ``prange``, each problem with its own state, so the parallel and
serial twins give identical results. Random numbers (shuffles, the random
selection of the PLA, the DCD's permutations) are drawn in Python with NumPy
and passed in; a kernel returns when it has used them up and Python draws
more, so long runs need no big buffers.

State lives in small per-problem arrays (``S`` integers, ``F`` floats) whose
columns are named below, so ``partial_fit`` and chunked runs resume exactly.
"""

import math

import numpy as np
from numba import prange

from fastnn._intrinsics import float64_bits, float64_from_bits, half_from_float
from fastnn._jit import jit
from fastnn.linear._rows import (
    decision_weights,
    norm_bound,
    refresh_decision_weights,
    row_axpy,
    row_decision,
    row_dot,
    row_sign,
    row_sign_pair,
    signs_are_canonical,
)
from fastnn.metrics._kernels import sum_of_squares


@jit(parallel=True)
def squared_row_norms(X, out):
    """``out[i] = ‖x_i‖²`` in float64, for a dense ``X``: the SVM's step sizes.

    Each row through :func:`fastnn.metrics._kernels.sum_of_squares` (squares in
    float64, eight SIMD lanes: a step size, not a decision, so its order of
    summation does not matter), rows in parallel.
    """
    for i in prange(X.shape[0]):
        out[i] = sum_of_squares(X[i])


@jit(parallel=True)
def row_norm_bounds(X, out):
    """``out[i] = norm_bound(x_i)`` (:func:`fastnn.linear._rows.norm_bound`), rows in parallel."""
    for i in prange(X.shape[0]):
        out[i] = norm_bound(X[i])


@jit(parallel=True)
def shadow_rows(X, halves, scales, out):
    """The PLA's shadowed rows (:mod:`fastnn.linear._rows`) and ``out[i] = norm_bound(x_i)``.

    ``halves[i d:(i + 1) d]`` gets ``fl16(fl32(x_i / s))`` as binary16 bit
    patterns (``halves`` has ``n d + 8`` entries, the last eight zero, set
    by the caller), with ``s = scales[i]`` the power of
    two that puts ``‖x_i‖`` in [2^14 s, 2^15 s): no entry overflows binary16's
    65504, and the largest keeps 11 bits (it is at least ``‖x_i‖ / √d``).
    ``s`` stays within [2^-999, 2^963], so ``x / s`` and ``1 / s`` are exact; a
    row past that decides canonically (its norm is not finite, or its pad
    outweighs it). Two loops a row that LLVM vectorises, the row in L1
    between them: the squares by :func:`fastnn.metrics._kernels.sum_of_squares`
    (a bound, not a decision: any order of summation does), the conversion.
    """
    d = X.shape[1]
    for i in prange(X.shape[0]):
        x, h = X[i], halves[i * d : (i + 1) * d]
        out[i] = norm_bound(x)
        # ‖x‖ in [2^(E-1023), 2^(E-1022)) for its biased exponent E; s = 2^(E-1037)
        biased = min(max((float64_bits(out[i]) >> 52) & 0x7FF, 38), 2000)
        scales[i] = float64_from_bits((biased - 14) << 52)
        inverse = float64_from_bits((2060 - biased) << 52)
        for j in range(d):
            h[j] = half_from_float(np.float32(x[j] * inverse))


@jit
def narrow_counts(data, out):
    """Copy ``data`` into the int8 array ``out`` and return True if every value is exact there.

    False if a value is not an integer in [-128, 127] (NaN included) or is
    −0.0 (whose sign int8 drops); ``out`` is then partly written. Where it
    returns True, each ``out[p]`` converts back to ``data[p]`` bit for bit,
    so every product and every update is the same. Blocks of 4,096 with no
    branch inside (LLVM vectorises them: 4 ms for 3.7 M values, against
    17 ms testing each value), a block's verdict before the next: real
    numbers stop at the first.
    """
    n = data.shape[0]
    for start in range(0, n, 4096):
        exact = True
        for p in range(start, min(start + 4096, n)):
            v = data[p]
            inside = (v >= -128.0) & (v <= 127.0)  # an int8 cast out of range is undefined
            q = np.int8(v if inside else 0.0)
            exact &= inside & (q == v) & ((q != 0) | (math.copysign(1.0, v) > 0.0))
            out[p] = q
        if not exact:
            return False
    return True


# --- the Perceptron Learning Algorithm -------------------------------------
# integer state S[k]
STEPS = 0  # samples visited (cyclic) or updates made (random): the averaging clock
UPDATES = 1
POCKET_ERRORS = 2  # training errors of the pocket weights; -1 before the first count
POCKET_RUN = 3  # the run of correct classifications the pocket weights had
RUN = 4  # the current weights' run of correct classifications
COUNTED = 5  # 1 once the current weights had their full count
DONE = 6  # 1 once an epoch met tol
EPOCHS = 7  # epochs run by the last call
PLA_INTS = 8
# float state F[k]
BIAS = 0  # w_0
AVG_BIAS = 1  # Σ step · Δw_0, for the averaged perceptron
POCKET_BIAS = 2
PLA_FLOATS = 3


@jit(parallel=True)
def pla_epochs(
    X, norms, Y, orders, uniforms, random_selection, eta, max_errors, fit_intercept, average,
    pocket, W, U, PW, F, S, errors, mis,
):  # fmt: skip
    """Run up to ``errors.shape[1]`` PLA epochs of every one-vs-rest problem ``k``.

    ``norms[i] = ‖x_i‖`` bounds the rounding of dense rows' SIMD sums (see
    :func:`fastnn.linear._rows.row_decision`); empty for CSR rows.

    ``orders[e]`` is epoch ``e``'s sweep order (one row: the same every
    epoch; no columns: the samples in order, with no index to load);
    ``uniforms[e]`` the draws of ``selection="random"``. A problem stops once
    an epoch's error count is ``<= max_errors`` (``-1``: never).
    ``errors[k, e]`` receives that count; ``S[k, EPOCHS]`` how many ran.
    ``U``, ``PW`` (averaging, pocket) and ``mis`` (random selection) may have
    zero columns when unused.
    """
    for k in prange(Y.shape[0]):
        _pla_problem(
            X, norms, Y[k], orders, uniforms, random_selection, eta, max_errors, fit_intercept,
            average, pocket, W[k], U[k], PW[k], F[k], S[k], errors[k], mis[k],
        )  # fmt: skip


@jit
def _pla_problem(
    X, norms, y, orders, uniforms, random_selection, eta, max_errors, fit_intercept, average,
    pocket, w, u, pw, f, s, errors, mis,
):  # fmt: skip
    s[EPOCHS] = 0
    if pocket and s[POCKET_ERRORS] < 0:  # a new fit: the initial weights go in the pocket
        _to_pocket(w, pw, f, s, _count_errors(X, norms, y, w, f[BIAS]), 0)
        s[COUNTED] = 1
    listed = -1  # how many samples mis[] lists as misclassified by w, or -1
    for e in range(errors.shape[0]):
        if s[DONE]:
            break
        if random_selection:
            listed = _random_epoch(
                X, norms, y, uniforms[e], eta, fit_intercept, average, pocket, w, u, pw, f, s,
                mis, listed,
            )  # fmt: skip
            count = listed
        else:
            order = orders[e] if orders.shape[0] > 1 else orders[0]
            count = _cyclic_epoch(
                X, norms, y, order, eta, fit_intercept, average, pocket, w, u, pw, f, s
            )
        if pocket:
            count = s[POCKET_ERRORS]
        errors[e] = count
        s[EPOCHS] += 1
        if count <= max_errors:
            s[DONE] = 1


@jit
def _cyclic_epoch(X, norms, y, order, eta, fit_intercept, average, pocket, w, u, pw, f, s):
    """One sweep in ``order``, updating on every mistake; returns the mistakes made.

    The sweep is a tight scan for the next mistake and an update outside
    it: LLVM keeps the scan loop small, twice as fast as one loop holding
    both (9 against 18 ns a row for 2,000 × 50 in cache). The scan takes two
    rows a step (:func:`fastnn.linear._rows.row_sign_pair`; on a mistake in
    the first the second's decision is thrown away, ~1 row in 10 on
    ``pla_sparse``) and also stops at a row the filter cannot settle, which
    is then summed canonically here. ``order`` with no entries means the
    samples in order (LLVM unswitches the loop on it; 10% faster than
    loading ``order[i] = i``).

    The scan is written out here: as an inlined function its seven array
    arguments cost an incref and a decref each at every call (the
    ``pla_dense`` kernel took 12.9 ms so, 11.7 ms written out). ``_update``
    is a call, for the same reason (11.7 against 10.9 ms).

    With ``pocket`` the scan also stops when the current weights' run of
    correct classifications outgrows the pocket's: Gallant's ratchet then
    counts their training errors once, and they replace the pocket's
    weights only if they make fewer.
    """
    n = y.shape[0]
    in_order = order.shape[0] == 0
    mistakes = 0
    wd, w_norm = decision_weights(X, w)
    i = 0
    while i < n:
        stop = n
        if pocket and s[COUNTED] == 0:
            stop = min(n, i + s[POCKET_RUN] + 1 - s[RUN])
        b = f[BIAS]
        j = i
        while j + 1 < stop:
            r, q = (j, j + 1) if in_order else (order[j], order[j + 1])
            sign_r, sign_q = row_sign_pair(X, r, q, wd, b, norms, w_norm)
            if sign_r != _label(y[r]):
                break
            if sign_q != _label(y[q]):
                j += 1
                break
            j += 2
        else:  # no mistake among the pairs: the odd row left, if any
            if j < stop:
                r = j if in_order else order[j]
                if row_sign(X, r, wd, b, norms, w_norm) == _label(y[r]):
                    j += 1
        mistake = False
        if j < stop:  # a mistake, or a row too close to call: which?
            r = j if in_order else order[j]
            # CSR scans sum canonically: their sign is the decision, not summed twice
            mistake = signs_are_canonical(X) or (
                row_decision(X, r, w, wd, f[BIAS], norms, w_norm) != (y[r] > 0)
            )
            if not mistake:
                j += 1  # right after all: the run goes on
        s[RUN] += j - i
        s[STEPS] += j - i
        i = j
        if pocket and s[COUNTED] == 0 and s[RUN] > s[POCKET_RUN]:
            s[COUNTED] = 1
            count = _count_errors(X, norms, y, w, f[BIAS])
            if count < s[POCKET_ERRORS]:
                _to_pocket(w, pw, f, s, count, s[RUN])
            continue
        if mistake:
            r = i if in_order else order[i]
            _update(X, r, y[r], eta, fit_intercept, average, w, u, f, s)
            w_norm = refresh_decision_weights(X, w, wd)
            mistakes += 1
            i += 1
    return mistakes


@jit
def _random_epoch(
    X, norms, y, uniforms, eta, fit_intercept, average, pocket, w, u, pw, f, s, mis, listed
):
    """The lecture's step 3 literally, ``n`` times: classify all, update on one mistake at random.

    Returns how many samples the final weights misclassify (listed in ``mis``).
    """
    n = y.shape[0]
    for t in range(n):
        if listed < 0:
            listed = _list_errors(X, norms, y, w, f[BIAS], mis)
            if pocket and listed < s[POCKET_ERRORS]:
                _to_pocket(w, pw, f, s, listed, 0)
        if listed == 0:
            return 0
        r = mis[min(int(uniforms[t] * listed), listed - 1)]
        _update(X, r, y[r], eta, fit_intercept, average, w, u, f, s)
        listed = -1
    listed = _list_errors(X, norms, y, w, f[BIAS], mis)
    if pocket and listed < s[POCKET_ERRORS]:
        _to_pocket(w, pw, f, s, listed, 0)
    return listed


@jit(parallel=True)
def pla_integral_epochs(X, Y, orders, c, max_errors, fit_intercept, W, B, S, errors):
    """The cyclic PLA of :func:`pla_epochs` (no pocket, no averaging) in integer arithmetic.

    For integral CSR ``data``, an integral step ``c = 2η`` and integral
    weights ``W`` and biases ``B`` whose every partial sum the caller has
    bounded by 2^53 (``fastnn.linear.perceptron._integral_step``): float64
    then computes every product, partial sum and update exactly, so these
    integer ones are the same numbers, and the decisions and weights are
    identical. Integer adds do not depend on their order either, though the
    loop keeps column order. ``W`` is int32 or int64 (as the bound allows),
    ``B`` int64, the decisions summed in int64. ``orders``, ``max_errors``,
    ``S`` and ``errors`` as in :func:`pla_epochs`.
    """
    for k in prange(Y.shape[0]):
        B[k] = _integral_problem(
            X, Y[k], orders, c, max_errors, fit_intercept, W[k], B[k], S[k], errors[k]
        )


@jit
def _integral_problem(X, y, orders, c, max_errors, fit_intercept, w, b, s, errors):
    """One problem's epochs; returns its bias. A loop of its own, with no pocket or
    averaging in it: on ``pla_bow`` (a mistake every ~7 rows) the shared epoch's
    bookkeeping per mistake cost more than the sums themselves."""
    indptr, indices, data = X
    n = y.shape[0]
    in_order = orders.shape[1] == 0
    s[EPOCHS] = 0
    for e in range(errors.shape[0]):
        if s[DONE]:
            break
        order = orders[e] if orders.shape[0] > 1 else orders[0]
        mistakes = 0
        run = s[RUN]
        for t in range(n):
            r = t if in_order else order[t]
            lo, hi = np.uint64(indptr[r]), np.uint64(indptr[r + 1])
            z = b
            for p in range(lo, hi):
                z += np.int64(data[p]) * w[np.uint64(indices[p])]
            if (z > 0) == (y[r] > 0):
                run += 1
                continue
            step = c * np.int64(y[r])  # η (y − ŷ) with ŷ = −y
            for p in range(lo, hi):
                w[np.uint64(indices[p])] += step * np.int64(data[p])
            if fit_intercept:
                b += step
            mistakes += 1
            run = 0
            s[COUNTED] = 0
        s[RUN] = run
        s[STEPS] += n
        s[UPDATES] += mistakes
        errors[e] = mistakes
        s[EPOCHS] += 1
        if mistakes <= max_errors:
            s[DONE] = 1
    return b


@jit  # a call, not inlined: see _cyclic_epoch
def _update(X, r, y_r, eta, fit_intercept, average, w, u, f, s):
    """w ← w + η (y − ŷ) x on a mistake (so ŷ = −y), with x_0 = 1 for the bias w_0.

    The averaged perceptron keeps ``u += t · Δw`` (``t`` the samples seen
    before this one), so the average of the weights after every sample is
    ``w − u / T`` with no O(d) work on correct samples (Daumé's trick).
    """
    c = eta * (y_r - (-y_r))
    if average:
        a = s[STEPS] * c
        row_axpy(X, r, u, a)
        if fit_intercept:
            f[AVG_BIAS] += a
    row_axpy(X, r, w, c)
    if fit_intercept:
        f[BIAS] += c
    s[STEPS] += 1
    s[UPDATES] += 1
    s[RUN] = 0
    s[COUNTED] = 0


@jit(inline=True)
def _label(y_r):
    """+1 or −1, as :func:`fastnn.linear._rows.row_sign` gives it."""
    return 2 * (y_r > 0) - 1


@jit
def _count_errors(X, norms, y, w, b):
    wd, w_norm = decision_weights(X, w)
    count = 0
    for r in range(y.shape[0]):
        if row_decision(X, r, w, wd, b, norms, w_norm) != (y[r] > 0):
            count += 1
    return count


@jit
def _list_errors(X, norms, y, w, b, mis):
    wd, w_norm = decision_weights(X, w)
    count = 0
    for r in range(y.shape[0]):
        if row_decision(X, r, w, wd, b, norms, w_norm) != (y[r] > 0):
            mis[count] = r
            count += 1
    return count


@jit
def _to_pocket(w, pw, f, s, count, run):
    pw[:] = w
    f[POCKET_BIAS] = f[BIAS]
    s[POCKET_ERRORS] = count
    s[POCKET_RUN] = run


# --- dual coordinate descent for the linear SVM (Hsieh et al., 2008) --------
# integer state
ITER = 0
ACTIVE = 1  # size of the active (unshrunk) set
CURSOR = 2  # next unused entry of the stream of uniforms
CONVERGED = 3
DCD_INTS = 4
# float state
DCD_BIAS = 0
PG_MAX_OLD = 1
PG_MIN_OLD = 2
GAP = 3  # PGmax − PGmin of the last iteration
DCD_FLOATS = 4


@jit(parallel=True)
def dcd_svm(X, Y, qd, diag, upper, eps, max_iter, fit_intercept, stream, W, alpha, index, F, S):
    """Dual coordinate descent with shrinking, liblinear's ``solve_l2r_l1l2_svc``, per problem.

    Each outer iteration shuffles the active set (Fisher-Yates, with
    ``active`` uniforms from the problem's row of ``stream``), then updates
    each dual variable in closed form. A problem returns when it converged
    (projected-gradient gap ``<= eps`` over the whole set), reached
    ``max_iter``, or needs more uniforms than its stream row has left.
    """
    for k in prange(Y.shape[0]):
        _dcd_problem(
            X, Y[k], qd, diag, upper, eps, max_iter, fit_intercept, stream[k], W[k],
            alpha[k], index[k], F[k], S[k],
        )  # fmt: skip


@jit
def _dcd_problem(
    X, y, qd, diag, upper, eps, max_iter, fit_intercept, stream, w, alpha, index, f, s
):
    n = y.shape[0]
    while s[ITER] < max_iter and not s[CONVERGED]:
        active = s[ACTIVE]
        c = s[CURSOR]
        if c + active > stream.shape[0]:
            return
        for i in range(active):
            j = i + min(int(stream[c + i] * (active - i)), active - i - 1)
            index[i], index[j] = index[j], index[i]
        s[CURSOR] = c + active
        pg_max_old = f[PG_MAX_OLD]
        pg_min_old = f[PG_MIN_OLD]
        pg_max = -math.inf
        pg_min = math.inf
        b = f[DCD_BIAS]
        t = 0
        while t < active:
            i = index[t]
            yi = 1.0 if y[i] > 0 else -1.0
            # without an intercept b stays 0: adding it changes no sum
            g = yi * (row_dot(X, i, w) + b) - 1.0 + alpha[i] * diag
            pg = 0.0
            if alpha[i] == 0.0:
                if g > pg_max_old:  # shrink: at its bound and likely to stay there
                    active -= 1
                    index[t], index[active] = index[active], index[t]
                    continue
                if g < 0.0:
                    pg = g
            elif alpha[i] == upper:
                if g < pg_min_old:
                    active -= 1
                    index[t], index[active] = index[active], index[t]
                    continue
                if g > 0.0:
                    pg = g
            else:
                pg = g
            pg_max = max(pg_max, pg)
            pg_min = min(pg_min, pg)
            if abs(pg) > 1.0e-12:
                old = alpha[i]
                alpha[i] = min(max(old - g / qd[i], 0.0), upper)
                step = (alpha[i] - old) * yi
                row_axpy(X, i, w, step)
                if fit_intercept:
                    b += step
            t += 1
        f[DCD_BIAS] = b
        s[ITER] += 1
        f[GAP] = pg_max - pg_min
        if pg_max - pg_min <= eps:
            if active == n:
                s[CONVERGED] = 1
                s[ACTIVE] = active
                return
            active = n  # converged on the active set: check everything once more
            pg_max = math.inf
            pg_min = -math.inf
        else:
            if pg_max <= 0.0:
                pg_max = math.inf
            if pg_min >= 0.0:
                pg_min = -math.inf
        f[PG_MAX_OLD] = pg_max
        f[PG_MIN_OLD] = pg_min
        s[ACTIVE] = active


# --- the sigmoid neuron, by gradient descent ---------------------------------
# integer state
NO_IMPROVEMENT = 0  # epochs in a row whose loss did not beat the best by tol
NEURON_EPOCHS = 1  # epochs run by the last call
STOPPED = 2
NEURON_INTS = 3
# float state
NEURON_BIAS = 0
BEST_LOSS = 1
NEURON_FLOATS = 2


@jit
def neuron_epochs(
    X, y, orders, batch, mse, eta, fit_intercept, tol, n_iter_no_change, w, f, s, losses, delta
):
    """Up to ``losses.shape[0]`` epochs of minibatch gradient descent on one sigmoid neuron.

    Per batch ``B`` (consecutive positions of the epoch's order), with
    ``ŷ = σ(w · x + w_0)`` from the weights at the start of the batch:
    ``δ = (ŷ − y) ŷ (1 − ŷ)`` (MSE) or ``δ = ŷ − y`` (log loss), then
    ``w ← w − η / |B| Σ_B δ x`` and ``w_0 ← w_0 − η / |B| Σ_B δ``. The
    epoch's loss (mean over samples, each at its batch's starting weights)
    goes to ``losses``; training stops after ``n_iter_no_change`` epochs in a
    row that did not beat the best loss by ``tol``.
    """
    n = y.shape[0]
    s[NEURON_EPOCHS] = 0
    for e in range(losses.shape[0]):
        order = orders[e] if orders.shape[0] > 1 else orders[0]
        total = 0.0
        for start in range(0, n, batch):
            stop = min(start + batch, n)
            bias_grad = 0.0
            for t in range(start, stop):
                i = order[t]
                z = row_dot(X, i, w) + f[NEURON_BIAS]
                p = _sigmoid(z)
                if mse:
                    r = p - y[i]
                    d = r * p * (1.0 - p)
                    total += 0.5 * r * r
                else:
                    d = p - y[i]
                    total += max(z, 0.0) + math.log1p(math.exp(-abs(z))) - y[i] * z
                delta[t - start] = d
                bias_grad += d
            step = eta / (stop - start)
            for t in range(start, stop):  # a second pass: O(nnz) for sparse rows
                row_axpy(X, order[t], w, -step * delta[t - start])
            if fit_intercept:
                f[NEURON_BIAS] -= step * bias_grad
        loss = total / n
        losses[e] = loss
        s[NEURON_EPOCHS] += 1
        if loss > f[BEST_LOSS] - tol:
            s[NO_IMPROVEMENT] += 1
        else:
            s[NO_IMPROVEMENT] = 0
        f[BEST_LOSS] = min(f[BEST_LOSS], loss)
        if s[NO_IMPROVEMENT] >= n_iter_no_change:
            s[STOPPED] = 1
            return


@jit(inline=True)
def _sigmoid(z):
    """σ(z) = 1 / (1 + e^(−z)), without overflow for large |z|."""
    if z >= 0.0:
        return 1.0 / (1.0 + math.exp(-z))
    ez = math.exp(z)
    return ez / (1.0 + ez)
