"""The multi-layer perceptron: batched forward propagation and backpropagation.

The lecture's convention, one sample per row of a batch ``X`` of shape
(n, n[0]): layer l has weights W[l] of shape (n[l−1], n[l]) and biases b[l]
of shape (n[l],), and

.. math::

    f^{[l]} = a^{[l-1]} W^{[l]} + b^{[l]}, \\qquad a^{[l]} = g^{[l]}(f^{[l]}),
    \\qquad a^{[0]} = X, \\qquad \\hat y = a^{[L]}.

Backpropagation (Rumelhart, Hinton & Williams, 1986) carries the error
δ[l] = ∂ε/∂f[l] from the output back:

.. math::

    \\delta^{[l]} = g'^{[l]}(f^{[l]}) \\odot
    \\left(\\delta^{[l+1]} {W^{[l+1]}}^{\\mathsf T}\\right),
    \\qquad \\frac{\\partial \\varepsilon}{\\partial W^{[l]}} =
    {a^{[l-1]}}^{\\mathsf T} \\delta^{[l]},
    \\qquad \\frac{\\partial \\varepsilon}{\\partial b^{[l]}} = \\textstyle\\sum_i \\delta^{[l]}_i.

Every parameter lives in one flat vector, weights first (``[W1, …, WL, b1,
…, bL]``), and ``weights``/``biases`` are views into it: an optimizer
updates the whole network in one kernel call, and the L2 penalty touches
one contiguous slice. The products run in BLAS (``np.dot`` with ``out=``
buffers), the elementwise work around them in fused kernels
(:mod:`fastnn.nn._kernels`).
"""

import itertools

import numpy as np

from fastnn import _checks
from fastnn.nn import _kernels
from fastnn.nn.activations import ACTIVATIONS, CODES, NEGATIVE_SLOPE
from fastnn.nn.losses import LOSSES, check_labels

__all__ = ["MLP"]

_HE = {"relu", "leaky_relu"}


class MLP:
    """A fully connected feed-forward network, f[l] = a[l−1] W[l] + b[l], a[l] = g[l](f[l]).

    Parameters
    ----------
    layer_sizes : sequence of int
        ``(n[0], n[1], …, n[L])``: inputs, hidden units, outputs; each ≥ 1.
    activations : str or sequence of str
        One name of :data:`fastnn.nn.activations.ACTIVATIONS` per layer
        (``L`` of them), or one name for every hidden layer with an
        ``"identity"`` output.
    random_state : None, int or numpy.random.Generator
        Seeds the initial weights.
    dtype : {numpy.float64, numpy.float32}
        Of every parameter and computation.

    Attributes
    ----------
    weights : list of ndarray, shapes (n[l−1], n[l])
    biases : list of ndarray, shapes (n[l],)
    params : ndarray
        The flat vector that ``weights`` and ``biases`` view.

    Notes
    -----
    Initial weights are uniform in ±√(6 / (n[l−1] + n[l])) (Glorot & Bengio,
    2010), or ±√(6 / n[l−1]) before a ReLU or leaky ReLU (He et al., 2015);
    biases start uniform in the Glorot range, as scikit-learn's.

    Examples
    --------
    The lecture's network for ŷ = |x − 1|:

    >>> net = MLP.from_weights(weights=[[[1, -1]], [[1], [1]]], biases=[[-1, 1], [0]],
    ...                        activations=["relu", "identity"])
    >>> net.forward([[-1.0], [1.0], [3.5]]).ravel()
    array([2. , 0. , 2.5])
    """

    def __init__(self, layer_sizes, activations, *, random_state=None, dtype=np.float64):
        sizes = _check_sizes(layer_sizes)
        self._setup(sizes, _check_activations(activations, len(sizes) - 1), dtype)
        rng = np.random.default_rng(random_state)
        for k, (w, b) in enumerate(zip(self.weights, self.biases, strict=True)):
            n_in, n_out = w.shape
            glorot = np.sqrt(6.0 / (n_in + n_out))
            bound = np.sqrt(6.0 / n_in) if self.activations[k] in _HE else glorot
            w[...] = rng.uniform(-bound, bound, w.shape)
            # Non-zero biases: with zeros, a sample whose ReLUs are all off sits
            # exactly on the next layer's kink (f = 0), where gradcheck fails.
            b[...] = rng.uniform(-glorot, glorot, b.shape)

    def _setup(self, sizes, activations, dtype):
        dtype = np.dtype(dtype)
        if dtype not in (np.float32, np.float64):
            raise ValueError(f"dtype must be float32 or float64, got {dtype}")
        self.layer_sizes = tuple(sizes)
        self.activations = tuple(activations)
        self.dtype = dtype
        shapes = list(itertools.pairwise(sizes))
        self.n_weights = sum(a * b for a, b in shapes)
        self.params = np.zeros(self.n_weights + sum(sizes[1:]), dtype)
        self.weights, self.biases = _views(self.params, shapes)
        self._codes = [CODES.get(name, -1) for name in self.activations]

    @classmethod
    def from_weights(cls, weights, biases, activations, *, dtype=None):
        """Return the network with these weights W[l], shape (n[l−1], n[l]), and biases b[l].

        ``dtype`` defaults to float32 when every weight is float32, else float64.
        """
        if len(weights) != len(biases) or not len(weights):
            raise ValueError(
                f"weights and biases must be non-empty lists of equal length, "
                f"got {len(weights)} and {len(biases)}"
            )
        ws = [_checks.check_array(w, f"weights[{k}]", ndim=2) for k, w in enumerate(weights)]
        bs = [_checks.check_array(b, f"biases[{k}]", ndim=1) for k, b in enumerate(biases)]
        sizes = [ws[0].shape[0]]
        for k, (w, b) in enumerate(zip(ws, bs, strict=True)):
            if w.shape[0] != sizes[-1] or b.shape[0] != w.shape[1]:
                raise ValueError(
                    f"weights[{k}] must have shape ({sizes[-1]}, n) and biases[{k}] shape (n,), "
                    f"got {w.shape} and {b.shape}"
                )
            sizes.append(w.shape[1])
        if dtype is None:
            dtype = np.float32 if all(w.dtype == np.float32 for w in ws) else np.float64
        net = cls.__new__(cls)
        net._setup(sizes, _check_activations(activations, len(ws)), dtype)
        for w, b, w0, b0 in zip(net.weights, net.biases, ws, bs, strict=True):
            w[...] = w0
            b[...] = b0
        return net

    def __getstate__(self):
        # Views do not survive pickling: store the flat vector, rebuild the views.
        return {
            "layer_sizes": self.layer_sizes,
            "activations": self.activations,
            "dtype": self.dtype.str,
            "params": self.params,
        }

    def __setstate__(self, state):
        self._setup(state["layer_sizes"], state["activations"], state["dtype"])
        self.params[...] = state["params"]

    def save(self, path):
        """Write the network to ``path`` as ``.npz`` (see :func:`fastnn.nn.io.save`)."""
        from fastnn.nn.io import save

        save(self, path)

    def __repr__(self):
        return f"MLP(layer_sizes={self.layer_sizes}, activations={list(self.activations)})"

    def check_input(self, X, *, finite=True):
        """Return ``X`` as a C-contiguous 2-D array of the network's dtype, or raise.

        ``finite=False`` leaves the NaN/inf check to the caller
        (:func:`forward_in_blocks` does it while it computes).
        """
        X = _checks.check_array(X, "X", ndim=2)
        if X.shape[1] != self.layer_sizes[0]:
            raise ValueError(
                f"X must have {self.layer_sizes[0]} columns (the network's inputs), "
                f"got shape {X.shape}"
            )
        X = np.ascontiguousarray(X, dtype=self.dtype)
        if finite:
            _check_finite(X)
        return X

    def forward(self, X):
        """Return the output ŷ = a[L] of the network for each row of ``X``, shape (n, n[L]).

        For a network trained with ``"cross_entropy"`` these are the logits.
        """
        return forward_in_blocks(self, self.check_input(X, finite=False), check_finite=True)

    def gradients(self, X, y, loss="mse", *, alpha=0.0):
        """Return ``(ε, [∂ε/∂W1, …], [∂ε/∂b1, …])`` on the batch ``(X, y)``.

        ``loss`` is ``"mse"`` (y: targets of shape (n, n[L]), or (n,) for one
        output), ``"cross_entropy"`` (y: integer labels) or
        ``"binary_cross_entropy"`` (y: 0/1 targets of shape (n, n[L])); the
        last two need the identity as output activation. See :mod:`fastnn.nn.losses`.
        ``alpha`` adds the L2 penalty (α / 2n) Σ_l ‖W[l]‖² to ε.

        Examples
        --------
        >>> net = MLP([2, 3, 1], "tanh", random_state=0)
        >>> value, dW, db = net.gradients([[0.0, 1.0]], [[1.0]])
        >>> [g.shape for g in dW], [g.shape for g in db]
        ([(2, 3), (3, 1)], [(3,), (1,)])
        """
        X = self.check_input(X)
        y = self.check_target(y, loss, X.shape[0])
        work = Workspace(self, X.shape[0])
        value = backward(self, X, y, loss, work, alpha)
        dW, db = _views(work.grad.copy(), list(itertools.pairwise(self.layer_sizes)))
        return value, dW, db

    def check_target(self, y, loss, n_samples):
        """Return ``y`` in the form the ``loss`` kernel wants, or raise."""
        _checks.check_choice(loss, "loss", LOSSES)
        n_out = self.layer_sizes[-1]
        if loss != "mse" and self.activations[-1] != "identity":
            raise ValueError(
                f"loss={loss!r} fuses the softmax or sigmoid into the loss: the last "
                f"activation must be 'identity', got {self.activations[-1]!r}"
            )
        if loss == "cross_entropy":
            return check_labels(y, n_samples, n_out)
        y = _checks.check_array(y, "y", finite=True)
        y = y.reshape(-1, 1) if y.ndim == 1 else y
        if y.shape != (n_samples, n_out):
            raise ValueError(f"y must have shape ({n_samples}, {n_out}), got {y.shape}")
        if loss == "binary_cross_entropy" and y.size and (y.min() < 0 or y.max() > 1):
            raise ValueError("y must hold targets in [0, 1] for binary_cross_entropy")
        return np.ascontiguousarray(y, dtype=self.dtype)


class Workspace:
    """Buffers for batches of up to ``batch`` rows: a[l], δ[l] and the flat gradient.

    Allocated once per fit and reused by every batch (a smaller last batch
    uses the first rows, which stay C-contiguous).
    """

    def __init__(self, net, batch, *, training=True):
        dtype, sizes = net.dtype, net.layer_sizes
        self.acts = [np.empty((batch, n), dtype) for n in sizes[1:]]
        self.pre = [np.empty((batch, n), dtype) if c < 0 else None
                    for n, c in zip(sizes[1:], net._codes, strict=True)]  # fmt: skip
        if not training:  # a forward pass needs a[l] only
            return
        self.deltas = [np.empty((batch, n), dtype) for n in sizes[1:]]
        self.grad = np.zeros_like(net.params)
        self.dW, self.db = _views(self.grad, list(itertools.pairwise(sizes)))
        if min(net._codes) < 0:
            return
        # Flat buffers for the one-call epoch kernel (built-in activations only).
        self.flat_acts = np.empty(batch * sum(sizes[1:]), dtype)
        self.flat_deltas = np.empty(batch * sum(sizes[1:]), dtype)
        self.xb = np.empty(batch * sizes[0], dtype)
        self.yfb = np.empty(batch * sizes[-1], dtype)
        self.yib = np.empty(batch, np.int64)


# Values of the widest a[l] in one block of an inference pass. A block's a[l]
# (4 MiB of float32) stays in cache from its product to the next layer's, and
# no buffer the size of the whole input is allocated: on mlp_predict
# (60,000 × 784 float32, 784-256-128-10) blocks of 4,096 rows took 108-109 ms
# against 128-144 ms for one pass over all rows, whose fresh 60 MB buffer
# alone cost ~15 ms of page faults.
BLOCK_VALUES = 1 << 20


def forward_in_blocks(net, X, *, check_finite=False):
    """Return a[L] for every row of ``X``, computed in blocks of rows.

    ``check_finite=True`` raises ValueError when ``X`` holds NaN or inf,
    found from one column of each block's first product (see :func:`forward`)
    instead of a pass over all of ``X`` (6-11 ms for 60,000 × 784 float32).
    """
    n = X.shape[0]
    rows = max(1, min(n, BLOCK_VALUES // max(net.layer_sizes[1:])))
    out = np.empty((n, net.layer_sizes[-1]), net.dtype)
    work = Workspace(net, rows, training=False)
    probe = _probe_column(net.weights[0]) if check_finite else None
    for start in range(0, n, rows):
        out[start : start + rows] = forward(net, X[start : start + rows], work, probe)
    return out


def _probe_column(W):
    # A column k of W[1] with no zero weight: if a row x holds ±inf or NaN,
    # the term x_j W_jk is ±inf or NaN whatever BLAS skips or reorders, so
    # (xW)_k is not finite. The converse can fail (a finite x can overflow),
    # so a non-finite probe sends the block to the full check. -1: no such column.
    nonzero = np.flatnonzero(np.all(W != 0, axis=0))
    return int(nonzero[0]) if nonzero.size else -1


def forward(net, X, work, probe=None):
    """Run the forward pass of ``X`` (rows ≤ the workspace's) and return a[L] (a view).

    ``probe`` (from :func:`_probe_column`) checks ``X`` for NaN and inf
    through column ``probe`` of its first product (``-1``: a full check);
    ``None`` checks nothing.

    The elementwise kernels between products run serially: after a BLAS call
    on two threads, OpenBLAS's idle worker spins on the other core for a
    while, and a parallel bias + activation there fought it (a forward pass
    of 60,000 rows, 784-256-128-10: 144 ms against 128 ms serially).
    """
    m = X.shape[0]
    a = X
    for k, (w, b) in enumerate(zip(net.weights, net.biases, strict=True)):
        out = work.acts[k][:m]
        if k == 0 and probe is not None:
            # NaN and inf in X are an error, not a warning (inf − inf warns "invalid").
            with np.errstate(invalid="ignore"):
                np.dot(a, w, out=out)
            if probe < 0 or not np.isfinite(out[:, probe]).all():
                _check_finite(X)
        else:
            np.dot(a, w, out=out)
        code = net._codes[k]
        if code >= 0:
            _kernels.bias_activate.serial(out, b, code, NEGATIVE_SLOPE)
        else:  # a registered Python activation: keep f for its derivative
            f = work.pre[k][:m]
            np.add(out, b, out=f)
            out[...] = ACTIVATIONS[net.activations[k]][0](f)
        a = out
    return a


def backward(net, X, y, loss, work, alpha=0.0):
    """Forward and backward pass on one batch; fill ``work.grad`` and return ε."""
    m = X.shape[0]
    out = forward(net, X, work)
    last = len(net.weights) - 1
    delta = work.deltas[last][:m]
    code = net._codes[last]
    if loss == "cross_entropy":
        value = _kernels.cross_entropy_delta(out, y, delta)
    elif loss == "binary_cross_entropy":
        value = _kernels.logistic_delta(out, y, delta)
    elif code >= 0:
        value = _kernels.mse_delta(out, y, code, NEGATIVE_SLOPE, delta)
    else:
        value = _kernels.mse_delta(out, y, _kernels.IDENTITY, 0.0, delta)
        delta *= ACTIVATIONS[net.activations[last]][1](work.pre[last][:m])
    for k in range(last, -1, -1):
        a_prev = X if k == 0 else work.acts[k - 1][:m]
        np.dot(a_prev.T, delta, out=work.dW[k])
        np.sum(delta, axis=0, out=work.db[k])
        if k == 0:
            break
        prev = work.deltas[k - 1][:m]
        np.dot(delta, net.weights[k].T, out=prev)
        code = net._codes[k - 1]
        if code >= 0:
            _kernels.grad_mul(work.acts[k - 1][:m], code, NEGATIVE_SLOPE, prev, work=prev.size * 4)
        else:
            prev *= ACTIVATIONS[net.activations[k - 1]][1](work.pre[k - 1][:m])
        delta = prev
    if alpha:
        w = net.params[: net.n_weights]
        value += 0.5 * alpha * float(np.dot(w, w)) / m
        work.grad[: net.n_weights] += (alpha / m) * w
    return float(value)


_EXPONENT = {
    np.dtype(np.float32): (np.uint32, np.uint32(0x7F800000)),
    np.dtype(np.float64): (np.uint64, np.uint64(0x7FF0000000000000)),
}


def _check_finite(X):
    if not all_finite(X):
        raise ValueError("X must be finite, got NaN or inf")


def all_finite(array):
    """Return True when the float32/float64 C-contiguous ``array`` holds no NaN or inf."""
    view, exponent = _EXPONENT[array.dtype]
    flat = array.reshape(-1).view(view)
    return bool(_kernels.all_finite(flat, exponent, work=flat.size))


def _views(flat, shapes):
    weights, biases, start = [], [], 0
    for n_in, n_out in shapes:
        weights.append(flat[start : start + n_in * n_out].reshape(n_in, n_out))
        start += n_in * n_out
    for _, n_out in shapes:
        biases.append(flat[start : start + n_out])
        start += n_out
    return weights, biases


def _check_sizes(layer_sizes):
    try:
        sizes = [_checks.check_int(n, "layer_sizes", low=1) for n in layer_sizes]
    except TypeError as error:
        if "layer_sizes" in str(error):
            raise
        raise TypeError(
            f"layer_sizes must be a sequence of integers, got {type(layer_sizes).__name__}"
        ) from None
    if len(sizes) < 2:
        raise ValueError(f"layer_sizes must have at least 2 entries (inputs, outputs), got {sizes}")
    return sizes


def _check_activations(activations, n_layers):
    if isinstance(activations, str):
        activations = [activations] * (n_layers - 1) + ["identity"]
    activations = list(activations)
    if len(activations) != n_layers:
        raise ValueError(
            f"activations must name one activation per layer ({n_layers}), got {len(activations)}"
        )
    for name in activations:
        if not isinstance(name, str) or name not in ACTIVATIONS:
            raise ValueError(
                f"activations: unknown activation {name!r}; known: {', '.join(ACTIVATIONS)}"
            )
    return activations
