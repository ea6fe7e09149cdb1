"""The NumPy twins of :mod:`fastnn.linear`: the same estimators, trained by Python loops.

Each public estimator has a twin here with the same name, parameters and
fitted attributes; it is the estimator itself with its engine (the Numba
kernel) swapped for a NumPy function of the same signature, so validation,
labels and the scikit-learn contract are shared and only the algorithm is
twinned. The engines are the honest baseline of sequential algorithms: a
Python loop over samples with a NumPy (BLAS) dot per sample for the PLA and
the dual coordinate descent, a Python loop over minibatches with
matrix-vector products for the sigmoid neuron.

The PLA's decisions are made exactly as the kernels make them (the sign of
the column-order sum, see :mod:`fastnn.linear._rows`), with a cheaper filter
here: a BLAS dot, settled by the Cauchy-Schwarz bound ``‖x‖ ‖w‖`` (``‖x‖``
of every row computed once per call, ``‖w‖`` after each update) and the
column-order sum in Python when it cannot settle. The bound covers the
rounding of any summation order, with or without FMA, so whichever kernel
BLAS picks on a CPU, the twin's Perceptron weights equal the kernel's bit for
bit; the SVM's and the neuron's agree to rounding.
"""

import math

import numpy as np
import scipy.sparse as sp

from fastnn.linear import _kernels as K
from fastnn.linear import neuron, perceptron, svm
from fastnn.linear._rows import decision_bound

__all__ = ["LinearSVM", "Perceptron", "SigmoidNeuron", "dcd_svm", "neuron_epochs", "pla_epochs"]


class _Rows:
    """Row ``i`` of a dense array or a CSR tuple as ``(values, columns or None)``, in float64."""

    def __init__(self, X, n_features):
        if isinstance(X, tuple) and X[0].ndim == 2:
            X = X[0]  # shadowed dense rows: the binary16 copy only speeds the kernel up
        if isinstance(X, tuple):
            indptr, indices, data = X
            self.indptr, self.indices = indptr, indices
            self.data = data.astype(np.float64, copy=False)
            self.matrix = sp.csr_matrix(
                (self.data, indices, indptr), shape=(len(indptr) - 1, n_features)
            )
            self.dense = None
            self.n_terms = np.diff(indptr)
        else:
            self.dense = X.astype(np.float64, copy=False)
            self.matrix = self.dense
            self.n_terms = np.full(X.shape[0], X.shape[1])
        # ‖x_i‖ scaled by each row's largest magnitude, so that squares of
        # entries below 1e-154 cannot underflow into a norm that is too small
        # for the bound: whatever order BLAS sums a row's products in, the
        # bound then covers its rounding, and the decisions (so the weights)
        # are the column-order sum's on every CPU.
        if self.dense is None:
            rows_of = np.repeat(np.arange(self.n_terms.size), self.n_terms)
            peak = np.zeros(self.n_terms.size)
            np.maximum.at(peak, rows_of, np.abs(self.data))
            scaled = self.data / np.where(peak > 0, peak, 1.0)[rows_of]
            squares = np.bincount(rows_of, scaled * scaled, minlength=peak.size)
        else:
            peak = np.abs(self.dense).max(axis=1, initial=0.0)
            scaled = self.dense / np.where(peak > 0, peak, 1.0)[:, None]
            squares = np.einsum("ij,ij->i", scaled, scaled)
        self.norms = peak * np.sqrt(squares)

    def __call__(self, i):
        if self.dense is not None:
            return self.dense[i], None
        lo, hi = self.indptr[i], self.indptr[i + 1]
        return self.data[lo:hi], self.indices[lo:hi]


def _canonical(x, w_cols, b):
    """``b + Σ_j x_j w_j`` in column order, as float64 evaluates it (Python floats are float64)."""
    z = float(b)
    for xj, wj in zip(x.tolist(), w_cols.tolist(), strict=True):
        z += xj * wj
    return z > 0.0


def _norm(w):
    """‖w‖ without underflow (see ``_Rows``): the largest magnitude times the norm of w / it."""
    peak = float(np.abs(w).max(initial=0.0))
    return peak * math.sqrt(float(np.sum((w / peak) ** 2))) if peak > 0 else 0.0


def _decide(rows, i, w, w_norm, b):
    x, cols = rows(i)
    w_cols = w if cols is None else w[cols]
    z = float(x @ w_cols) + b
    if abs(z) > decision_bound(int(rows.n_terms[i]), rows.norms[i] * w_norm + abs(b)):
        return z > 0.0
    return _canonical(x, w_cols, b)


def _decide_all(rows, w, b):
    """Every sample's decision at once: one matrix-vector product, then the unsettled ones."""
    z = np.asarray(rows.matrix @ w).ravel() + b
    w_norm = _norm(w)
    bounds = (4.0 * 2.0**-53) * (rows.n_terms + 2) * (rows.norms * w_norm + abs(b)) + (
        rows.n_terms + 2
    ) * 2.0**-1074
    decided = z > 0.0
    for i in np.flatnonzero(~(np.abs(z) > bounds)):
        x, cols = rows(i)
        decided[i] = _canonical(x, w if cols is None else w[cols], b)
    return decided


def _axpy(rows, i, w, c):
    x, cols = rows(i)
    if cols is None:
        w += c * x
    else:
        w[cols] += c * x


def pla_epochs(
    X, norms, Y, orders, uniforms, random_selection, eta, max_errors, fit_intercept, average,
    pocket, W, U, PW, F, S, errors, mis, *, work=None,
):  # fmt: skip
    """NumPy twin of :func:`fastnn.linear._kernels.pla_epochs` (``work`` is ignored)."""
    rows = _Rows(X, W.shape[1])
    # Overflowing sums (rows near 1e308) go to inf in the kernel without a word.
    with np.errstate(over="ignore", invalid="ignore"):
        for k in range(Y.shape[0]):
            _pla_problem(
                rows, Y[k], orders, uniforms, random_selection, eta, max_errors, fit_intercept,
                average, pocket, W[k], U[k], PW[k], F[k], S[k], errors[k],
            )  # fmt: skip


def _pla_problem(
    rows, y, orders, uniforms, random_selection, eta, max_errors, fit_intercept, average,
    pocket, w, u, pw, f, s, errors,
):  # fmt: skip
    positive = y > 0
    n = y.shape[0]

    def count_errors():
        return int(np.count_nonzero(_decide_all(rows, w, f[K.BIAS]) != positive))

    def to_pocket(count, run):
        pw[:] = w
        f[K.POCKET_BIAS] = f[K.BIAS]
        s[K.POCKET_ERRORS] = count
        s[K.POCKET_RUN] = run

    def update(r):
        y_r = int(y[r])
        c = eta * (y_r - (-y_r))  # w ← w + η (y − ŷ) x, ŷ = −y on a mistake
        if average:
            a = s[K.STEPS] * c
            _axpy(rows, r, u, a)
            if fit_intercept:
                f[K.AVG_BIAS] += a
        _axpy(rows, r, w, c)
        if fit_intercept:
            f[K.BIAS] += c
        s[K.STEPS] += 1
        s[K.UPDATES] += 1
        s[K.RUN] = 0
        s[K.COUNTED] = 0

    s[K.EPOCHS] = 0
    if pocket and s[K.POCKET_ERRORS] < 0:
        to_pocket(count_errors(), 0)
        s[K.COUNTED] = 1
    for e in range(errors.shape[0]):
        if s[K.DONE]:
            break
        if random_selection:
            count = -1
            for t in range(n):
                wrong = np.flatnonzero(_decide_all(rows, w, f[K.BIAS]) != positive)
                if pocket and wrong.size < s[K.POCKET_ERRORS]:
                    to_pocket(wrong.size, 0)
                if wrong.size == 0:
                    count = 0
                    break
                update(wrong[min(int(uniforms[e][t] * wrong.size), wrong.size - 1)])
            if count < 0:
                count = count_errors()
                if pocket and count < s[K.POCKET_ERRORS]:
                    to_pocket(count, 0)
        else:
            order = orders[e] if orders.shape[0] > 1 else orders[0]
            if order.shape[0] == 0:  # the samples in order
                order = range(y.shape[0])
            count = 0
            w_norm = _norm(w)
            for r in order:
                if _decide(rows, r, w, w_norm, f[K.BIAS]) == positive[r]:
                    s[K.RUN] += 1
                    s[K.STEPS] += 1
                    if pocket and s[K.COUNTED] == 0 and s[K.RUN] > s[K.POCKET_RUN]:
                        # the ratchet: a run longer than the pocket's earns a full count
                        s[K.COUNTED] = 1
                        errors_now = count_errors()
                        if errors_now < s[K.POCKET_ERRORS]:
                            to_pocket(errors_now, s[K.RUN])
                else:
                    update(r)
                    w_norm = _norm(w)
                    count += 1
        if pocket:
            count = s[K.POCKET_ERRORS]
        errors[e] = count
        s[K.EPOCHS] += 1
        if count <= max_errors:
            s[K.DONE] = 1


def dcd_svm(
    X, Y, qd, diag, upper, eps, max_iter, fit_intercept, stream, W, alpha, index, F, S, *, work=None
):
    """NumPy twin of :func:`fastnn.linear._kernels.dcd_svm` (``work`` is ignored)."""
    rows = _Rows(X, W.shape[1])
    for k in range(Y.shape[0]):
        _dcd_problem(
            rows, Y[k], qd, diag, upper, eps, max_iter, fit_intercept, stream[k], W[k],
            alpha[k], index[k], F[k], S[k],
        )  # fmt: skip


def _dcd_problem(
    rows, y, qd, diag, upper, eps, max_iter, fit_intercept, stream, w, alpha, index, f, s
):
    n = y.shape[0]
    signs = np.where(y > 0, 1.0, -1.0)
    while s[K.ITER] < max_iter and not s[K.CONVERGED]:
        active = int(s[K.ACTIVE])
        c = int(s[K.CURSOR])
        if c + active > stream.shape[0]:
            return
        for i in range(active):
            j = i + min(int(stream[c + i] * (active - i)), active - i - 1)
            index[i], index[j] = index[j], index[i]
        s[K.CURSOR] = c + active
        pg_max_old, pg_min_old = f[K.PG_MAX_OLD], f[K.PG_MIN_OLD]
        pg_max, pg_min = -math.inf, math.inf
        b = f[K.DCD_BIAS]
        t = 0
        while t < active:
            i = index[t]
            x, cols = rows(i)
            yi = signs[i]
            g = yi * (float(x @ (w if cols is None else w[cols])) + b) - 1.0 + alpha[i] * diag
            pg = 0.0
            if alpha[i] == 0.0:
                if g > pg_max_old:
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
            pg_max, pg_min = max(pg_max, pg), min(pg_min, pg)
            if abs(pg) > 1.0e-12:
                old = alpha[i]
                alpha[i] = min(max(old - g / qd[i], 0.0), upper)
                step = (alpha[i] - old) * yi
                _axpy(rows, i, w, step)
                if fit_intercept:
                    b += step
            t += 1
        f[K.DCD_BIAS] = b
        s[K.ITER] += 1
        f[K.GAP] = pg_max - pg_min
        if pg_max - pg_min <= eps:
            if active == n:
                s[K.CONVERGED] = 1
                s[K.ACTIVE] = active
                return
            active, pg_max, pg_min = n, math.inf, -math.inf
        else:
            pg_max = math.inf if pg_max <= 0.0 else pg_max
            pg_min = -math.inf if pg_min >= 0.0 else pg_min
        f[K.PG_MAX_OLD], f[K.PG_MIN_OLD] = pg_max, pg_min
        s[K.ACTIVE] = active


def neuron_epochs(
    X, y, orders, batch, mse, eta, fit_intercept, tol, n_iter_no_change, w, f, s, losses, delta
):
    """NumPy twin of :func:`fastnn.linear._kernels.neuron_epochs`: a Python loop over batches."""
    matrix = _Rows(X, w.shape[0]).matrix
    n = y.shape[0]
    s[K.NEURON_EPOCHS] = 0
    for e in range(losses.shape[0]):
        order = orders[e] if orders.shape[0] > 1 else orders[0]
        total = 0.0
        for start in range(0, n, batch):
            members = order[start : start + batch]
            xb = matrix[members]
            z = np.asarray(xb @ w).ravel() + f[K.NEURON_BIAS]
            p = _sigmoid(z)
            target = y[members]
            if mse:
                d = (p - target) * p * (1.0 - p)
                total += float(np.sum(0.5 * (p - target) ** 2))
            else:
                d = p - target
                total += float(
                    np.sum(np.maximum(z, 0.0) + np.log1p(np.exp(-np.abs(z))) - target * z)
                )
            step = eta / members.shape[0]
            w -= step * np.asarray(xb.T @ d).ravel()
            if fit_intercept:
                f[K.NEURON_BIAS] -= step * float(d.sum())
        loss = total / n
        losses[e] = loss
        s[K.NEURON_EPOCHS] += 1
        s[K.NO_IMPROVEMENT] = s[K.NO_IMPROVEMENT] + 1 if loss > f[K.BEST_LOSS] - tol else 0
        f[K.BEST_LOSS] = min(f[K.BEST_LOSS], loss)
        if s[K.NO_IMPROVEMENT] >= n_iter_no_change:
            s[K.STOPPED] = 1
            return


def _sigmoid(z):
    out = np.empty_like(z)
    positive = z >= 0
    out[positive] = 1.0 / (1.0 + np.exp(-z[positive]))
    ez = np.exp(z[~positive])
    out[~positive] = ez / (1.0 + ez)
    return out


class Perceptron(perceptron.Perceptron):
    """NumPy twin of :class:`fastnn.linear.Perceptron`: identical weights, by a Python loop."""

    _pla_epochs = staticmethod(pla_epochs)
    _pla_integral_epochs = None  # the twin is the plain float64 PLA, always


class LinearSVM(svm.LinearSVM):
    """NumPy twin of :class:`fastnn.linear.LinearSVM`: the same DCD as a Python loop."""

    _dcd_svm = staticmethod(dcd_svm)


class SigmoidNeuron(neuron.SigmoidNeuron):
    """NumPy twin of :class:`fastnn.linear.SigmoidNeuron`: a Python loop over minibatches."""

    _neuron_epochs = staticmethod(neuron_epochs)
