"""The minibatch loop: one epoch of forward, backward and optimizer steps, buffers reused.

BLAS threads. A minibatch's products are small (128 × 784 by 784 × 256 is
26 M multiply-adds, ~0.5 ms on one core), and OpenBLAS hands each to its
worker threads and waits for them. One epoch of 16,384 rows of
784-256-128-10 on the 2-core machine, one BLAS thread against two:

===============  =======  =======  =======  =======  =======  =======
batch            16       32       64       128      256      512
work             3.2 M    6.4 M    12.8 M   25.7 M   51.4 M   103 M
idle             0.91×    1.01×    1.13×    1.25×    1.45×    1.40×
one core busy    0.29×    0.36×    0.35×    0.37×    0.67×    0.38×
===============  =======  =======  =======  =======  =======  =======

(speed of two threads relative to one). :func:`blas_threads` runs the
products of a fit on one BLAS thread when the largest per-batch product is
under :data:`BLAS_MIN_WORK` (2^23, where two threads start to gain on an
idle machine) and on at most ``fastnn.get_num_threads()`` threads above it,
as scikit-learn and PyTorch use every core by default. On a machine whose
other cores are busy, ``fastnn.set_num_threads(1)`` keeps every product on
one thread: there two threads made fits ~3× slower, and 44× in the worst
case seen (a 2,048-row epoch, 1.15 s against 26 ms). Results can differ in
the last bits between one thread and two (OpenBLAS splits some products
differently); with one setting they were identical run after run.
"""

import itertools

import numpy as np

from fastnn import _checks
from fastnn._jit import get_num_threads
from fastnn.nn import _kernels
from fastnn.nn.activations import NEGATIVE_SLOPE
from fastnn.nn.network import MLP, Workspace, all_finite, backward
from fastnn.nn.optimizers import SGD

__all__ = [
    "BLAS_MIN_WORK",
    "DIVERGENCE_GROWTH",
    "blas_threads",
    "divergence_limit",
    "run_epoch",
    "sgd",
]

# Multiply-adds of the largest per-batch product below which a fit uses one
# BLAS thread (see the table above). Set it to 0 to let BLAS use its threads
# for every product, or very high for one thread always.
BLAS_MIN_WORK = 1 << 23

_controller = None


def blas_threads(net, batch_size):
    """Return a context manager that sets BLAS's threads for products of ``batch_size`` rows.

    One thread when batch_size × max_l n[l−1] n[l] < :data:`BLAS_MIN_WORK`,
    else at most ``fastnn.get_num_threads()`` (never more than BLAS had).
    The previous setting comes back on exit. Both BLAS libraries are set:
    NumPy's (products called from Python) and SciPy's (``np.dot`` inside
    Numba kernels).
    """
    global _controller
    if _controller is None:
        # Load SciPy's BLAS first, so that the controller sees it.
        import scipy.linalg.cython_blas  # noqa: F401
        from threadpoolctl import ThreadpoolController

        _controller = ThreadpoolController().select(user_api="blas")
    sizes = net.layer_sizes
    work = batch_size * max(a * b for a, b in itertools.pairwise(sizes))
    if work < BLAS_MIN_WORK:
        threads = 1
    else:
        had = max((lib.num_threads for lib in _controller.lib_controllers), default=1)
        threads = min(get_num_threads(), had)
    return _controller.limit(limits=threads)


class DivergedError(FloatingPointError, ValueError):
    """Training produced an infinite or NaN loss, or one grown past :func:`divergence_limit`."""


# A loss can diverge and stay finite: sgd at learning_rate_init=1e10 on
# X * 100 went 34, 4e25, 8e49, … 3e268 in 30 epochs with finite weights
# (~3e142), and only the max_iter warning. An epoch's mean loss above
# DIVERGENCE_GROWTH × max(first epoch's loss, 1) counts as divergence. The
# first epoch's mean already includes its own early, high-loss batches, so
# later epochs of a working fit sit below it: over 72 fits that converged or
# wandered (sgd η 0.1-2 and adam η 0.01-1, batch 16, digits and sin(2x) at
# two scales, three seeds) the largest later epoch was 1.22× the first.
# 10^4 leaves four orders of magnitude of room for noisy training; the floor
# of 1 keeps a tiny first loss (a near-perfect first epoch, 1e-8) from
# turning an ordinary rise to 1e-3 into an error, since a mean loss of 10^4
# (logits 10^4 off, or predictions ~141 off) is no longer training.
DIVERGENCE_GROWTH = 1e4


def divergence_limit(first_loss):
    """Return the epoch loss above which training counts as diverged, given the first epoch's."""
    return DIVERGENCE_GROWTH * max(float(first_loss), 1.0)


def run_epoch(net, X, y, loss, optimizer, work, batch_size, order=None, alpha=0.0,
              max_loss=np.inf):  # fmt: skip
    """Train ``net`` for one epoch over the rows of ``X`` in ``order``; return the mean loss.

    ``work`` is a :class:`~fastnn.nn.network.Workspace` for ``batch_size``
    rows, allocated once per fit. When a batch's loss, or the parameters at
    the end of the epoch, are not finite, the parameters are restored to
    their values at the start of the epoch and :class:`DivergedError` is
    raised; so too when the epoch's mean loss exceeds ``max_loss`` (see
    :func:`divergence_limit`).
    """
    n = X.shape[0]
    start_params = net.params.copy()
    if min(net._codes) >= 0 and hasattr(optimizer, "state"):
        mean = _epoch_in_one_call(net, X, y, loss, optimizer, work, batch_size, order, alpha,
                                  start_params)  # fmt: skip
        return _check_growth(net, mean, max_loss, start_params)
    total = 0.0
    for start in range(0, n, batch_size):
        if order is None:
            xb, yb = X[start : start + batch_size], y[start : start + batch_size]
        else:
            rows = order[start : start + batch_size]
            xb, yb = X[rows], y[rows]  # fancy indexing copies into C order
        with np.errstate(over="ignore", invalid="ignore"):  # divergence is reported below
            value = backward(net, xb, yb, loss, work, alpha)
        if not np.isfinite(value):
            net.params[...] = start_params
            raise _diverged()
        optimizer.step(net.params, work.grad)
        total += value * xb.shape[0]
    if not all_finite(net.params):
        net.params[...] = start_params
        raise _diverged()
    return _check_growth(net, total / n, max_loss, start_params)


def _check_growth(net, mean, max_loss, start_params):
    if mean > max_loss:
        net.params[...] = start_params
        raise DivergedError(
            f"training diverged (the epoch's loss {mean:.3g} is over {max_loss:.3g}, "
            f"{DIVERGENCE_GROWTH:.0e} times the first epoch's); lower learning_rate_init"
        )
    return mean


def _diverged():
    return DivergedError("training diverged (the loss became inf or NaN); lower learning_rate_init")


_LOSS_CODES = {"mse": _kernels.MSE_CODE, "cross_entropy": _kernels.CROSS_ENTROPY_CODE,
               "binary_cross_entropy": _kernels.LOGISTIC_CODE}  # fmt: skip


def _epoch_in_one_call(net, X, y, loss, optimizer, work, batch_size, order, alpha, start_params):
    # Built-in activations and optimizers: the whole epoch is one kernel call
    # (see the note above train_epoch in _kernels). The Python loop above
    # stays for activations registered in Python.
    n = X.shape[0]
    if order is None:
        order = np.arange(n)
    loss_code = _LOSS_CODES[loss]
    xent = loss_code == _kernels.CROSS_ENTROPY_CODE
    y_float = np.empty((0, net.layer_sizes[-1]), net.dtype) if xent else y
    y_int = y if xent else np.empty(0, np.int64)
    code, lr, momentum, nesterov, state1, state2, t, beta_1, beta_2, epsilon = optimizer.state(
        net.params
    )
    sizes = np.asarray(net.layer_sizes, np.int64)
    codes = np.asarray(net._codes, np.int64)
    total, t, ok = _kernels.train_epoch(
        net.params, sizes, codes, NEGATIVE_SLOPE, X, y_float, y_int, loss_code, order,
        batch_size, code, lr, momentum, nesterov, beta_1, beta_2, epsilon, t, float(alpha),
        state1, state2, work.flat_acts, work.flat_deltas, work.xb, work.yfb, work.yib, work.grad,
    )  # fmt: skip
    if code == _kernels.ADAM_CODE:
        optimizer.t = t
    if not ok or not all_finite(net.params):
        net.params[...] = start_params
        raise _diverged()
    return total / n


def sgd(weights, biases, activations, X, y, *, loss="mse", learning_rate=0.01, batch_size=32,
        epochs=1, momentum=0.0, alpha=0.0, random_state=None):  # fmt: skip
    """Train by minibatch SGD; return ``(weights, biases, epoch_losses)``.

    The same loop as :func:`fastnn.nn.reference.sgd` (its twin): each epoch
    visits the rows in ``np.random.default_rng(random_state).permutation``
    order, and steps v ← μ v − η ∇ε, θ ← θ + v per batch.

    Examples
    --------
    >>> W, b, losses = sgd([[[1.0]]], [[0.0]], ["identity"], [[1.0], [2.0]], [[2.0], [4.0]],
    ...                    learning_rate=0.1, epochs=20, random_state=0)
    >>> W[0].round(3), b[0].round(3), losses[-1] < losses[0]
    (array([[1.761]]), array([0.386]), True)
    """
    net = MLP.from_weights(weights, biases, activations)
    X = net.check_input(X)
    y = net.check_target(y, loss, X.shape[0])
    batch_size = _checks.check_int(batch_size, "batch_size", low=1)
    epochs = _checks.check_int(epochs, "epochs", low=0)
    optimizer = SGD(learning_rate, momentum)
    batch = min(batch_size, X.shape[0])
    work = Workspace(net, batch)
    rng = np.random.default_rng(random_state)
    with blas_threads(net, batch):
        losses = [
            run_epoch(net, X, y, loss, optimizer, work, batch_size, rng.permutation(len(X)), alpha)
            for _ in range(epochs)
        ]
    return [w.copy() for w in net.weights], [b.copy() for b in net.biases], losses
