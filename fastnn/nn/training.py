"""The minibatch loop: one epoch of forward, backward and optimizer steps, buffers reused."""

import numpy as np

from fastnn import _checks
from fastnn.nn import _kernels
from fastnn.nn.activations import NEGATIVE_SLOPE
from fastnn.nn.network import MLP, Workspace, all_finite, backward
from fastnn.nn.optimizers import SGD

__all__ = ["run_epoch", "sgd"]


class DivergedError(FloatingPointError, ValueError):
    """Training produced an infinite or NaN loss."""


def run_epoch(net, X, y, loss, optimizer, work, batch_size, order=None, alpha=0.0):
    """Train ``net`` for one epoch over the rows of ``X`` in ``order``; return the mean loss.

    ``work`` is a :class:`~fastnn.nn.network.Workspace` for ``batch_size``
    rows, allocated once per fit. When a batch's loss, or the parameters at
    the end of the epoch, are not finite, the parameters are restored to
    their values at the start of the epoch and :class:`DivergedError` is
    raised.
    """
    n = X.shape[0]
    start_params = net.params.copy()
    if min(net._codes) >= 0 and hasattr(optimizer, "state"):
        return _epoch_in_one_call(net, X, y, loss, optimizer, work, batch_size, order, alpha,
                                  start_params)  # fmt: skip
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
    return total / n


def _diverged():
    return DivergedError("training diverged (the loss became inf or NaN); lower learning_rate_init")


def _epoch_in_one_call(net, X, y, loss, optimizer, work, batch_size, order, alpha, start_params):
    # Built-in activations and optimizers: the whole epoch is one kernel call
    # (see the note above train_epoch in _kernels). The Python loop above
    # stays for activations registered in Python.
    n = X.shape[0]
    if order is None:
        order = np.arange(n)
    xent = loss == "cross_entropy"
    y_float = np.empty((0, net.layer_sizes[-1]), net.dtype) if xent else y
    y_int = y if xent else np.empty(0, np.int64)
    code, lr, momentum, nesterov, state1, state2, t, beta_1, beta_2, epsilon = optimizer.state(
        net.params
    )
    sizes = np.asarray(net.layer_sizes, np.int64)
    codes = np.asarray(net._codes, np.int64)
    total, t, ok = _kernels.train_epoch(
        net.params, sizes, codes, NEGATIVE_SLOPE, X, y_float, y_int, xent, order,
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
    work = Workspace(net, min(batch_size, X.shape[0]))
    rng = np.random.default_rng(random_state)
    losses = [
        run_epoch(net, X, y, loss, optimizer, work, batch_size, rng.permutation(X.shape[0]), alpha)
        for _ in range(epochs)
    ]
    return [w.copy() for w in net.weights], [b.copy() for b in net.biases], losses
