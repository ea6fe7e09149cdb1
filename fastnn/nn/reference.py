"""The NumPy twin of :mod:`fastnn.nn`: the same network, losses and SGD loop in plain NumPy.

The oracle of the tests and the baseline of the benchmarks: vectorised
NumPy for each layer, a Python loop only over layers and minibatches.
Networks are plain lists, ``weights[l]`` of shape (n[l−1], n[l]).

:func:`gradcheck` has a twin here (central differences over this module's
network, in plain NumPy); :func:`fastnn.nn.load` has none: it reads a file
that :func:`fastnn.nn.io.save` wrote, and NumPy has no other way to say
that than ``np.load`` itself, so a twin would test ``np.load`` against
itself. Its test is the round trip (bit-identical parameters).
"""

import numpy as np

__all__ = ["activation", "activation_grad", "forward", "gradcheck", "gradients", "sgd"]


def activation(name, f):
    """Return g(f) for a built-in activation ``name``."""
    if name == "identity":
        return f.copy()
    if name == "step":
        return np.where(f > 0, 1.0, 0.0).astype(f.dtype)
    if name == "sigmoid":
        e = np.exp(-np.abs(f))
        return np.where(f >= 0, 1 / (1 + e), e / (1 + e)).astype(f.dtype)
    if name == "tanh":
        return np.tanh(f)
    if name == "relu":
        return np.maximum(f, 0)
    if name == "leaky_relu":
        return np.where(f > 0, f, 0.01 * f).astype(f.dtype)
    if name == "softplus":
        return np.maximum(f, 0) + np.log1p(np.exp(-np.abs(f)))
    if name == "softmax":
        e = np.exp(f - f.max(axis=-1, keepdims=True))
        return e / e.sum(axis=-1, keepdims=True)
    raise ValueError(f"unknown activation {name!r}")


def activation_grad(name, a):
    """Return g'(f) from the output a = g(f) (softmax: the Jacobian's diagonal)."""
    if name == "identity":
        return np.ones_like(a)
    if name == "step":
        return np.zeros_like(a)
    if name in ("sigmoid", "softmax"):
        return a * (1 - a)
    if name == "tanh":
        return 1 - a * a
    if name == "relu":
        return (a > 0).astype(a.dtype)
    if name == "leaky_relu":
        return np.where(a > 0, 1.0, 0.01).astype(a.dtype)
    if name == "softplus":
        return -np.expm1(-a)
    raise ValueError(f"unknown activation {name!r}")


def _forward_all(weights, biases, activations, X):
    acts = [X]
    for w, b, name in zip(weights, biases, activations, strict=True):
        acts.append(activation(name, acts[-1] @ w + b))
    return acts


def forward(weights, biases, activations, X):
    """Return ŷ = a[L], with f[l] = a[l−1] W[l] + b[l], a[l] = g[l](f[l])."""
    return _forward_all(weights, biases, activations, np.asarray(X))[-1]


def gradients(weights, biases, activations, X, y, loss="mse", alpha=0.0):
    """Return ``(ε, dW, db)`` by backpropagation, δ[l] = g'(f[l]) ⊙ (δ[l+1] W[l+1]ᵀ)."""
    X = np.asarray(X)
    acts = _forward_all(weights, biases, activations, X)
    out, n = acts[-1], X.shape[0]
    if loss == "mse":
        y = np.asarray(y, out.dtype).reshape(out.shape)
        d = out - y
        value = 0.5 * np.sum(d * d) / n
        delta = d * activation_grad(activations[-1], out) / n
    elif loss == "binary_cross_entropy":  # Σ_k softplus(z_k) − y_k z_k, mean over samples
        t = np.asarray(y, out.dtype).reshape(out.shape)
        value = np.sum(np.maximum(out, 0) + np.log1p(np.exp(-np.abs(out))) - t * out) / n
        delta = (activation("sigmoid", out) - t) / n
    elif out.shape[1] == 1:  # binary log loss of σ(z): softplus(z) − y z
        z, t = out[:, 0], np.asarray(y)
        value = np.mean(np.maximum(z, 0) + np.log1p(np.exp(-np.abs(z))) - t * z)
        delta = ((activation("sigmoid", z) - t) / n)[:, None].astype(out.dtype)
    else:
        y = np.asarray(y)
        shifted = out - out.max(axis=1, keepdims=True)
        log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
        value = -np.mean(log_p[np.arange(n), y])
        delta = np.exp(log_p) / n
        delta[np.arange(n), y] -= 1.0 / n
    dW, db = [None] * len(weights), [None] * len(weights)
    for k in range(len(weights) - 1, -1, -1):
        dW[k] = acts[k].T @ delta
        db[k] = delta.sum(axis=0)
        if k:
            delta = (delta @ weights[k].T) * activation_grad(activations[k - 1], acts[k])
    if alpha:
        value += 0.5 * alpha * sum(np.sum(w * w) for w in weights) / n
        dW = [g + (alpha / n) * w for g, w in zip(dW, weights, strict=True)]
    return float(value), dW, db


def gradcheck(model, X, y, loss="mse", *, eps=1e-5, alpha=0.0):
    """The NumPy twin of :func:`fastnn.nn.gradcheck`: backprop against central differences.

    ``model`` is anything with ``weights``, ``biases`` and ``activations``
    (an :class:`~fastnn.nn.MLP`, or a fitted estimator through its
    ``_net``); its arrays are copied, never changed. Each parameter θ_i is
    moved by ±h and (ε(θ + h e_i) − ε(θ − h e_i)) / 2h compared with
    :func:`gradients`' ∂ε/∂θ_i, norm-wise per parameter array.
    """
    net = getattr(model, "_net", model)
    weights = [np.array(w, dtype=np.float64) for w in net.weights]
    biases = [np.array(b, dtype=np.float64) for b in net.biases]
    activations = list(net.activations)
    X = np.asarray(X, np.float64)
    _, dW, db = gradients(weights, biases, activations, X, y, loss, alpha)
    errors = []
    for param, analytic in zip(weights + biases, dW + db, strict=True):
        numeric = np.empty_like(param)
        for i in np.ndindex(param.shape):
            saved = param[i]
            param[i] = saved + eps
            plus = gradients(weights, biases, activations, X, y, loss, alpha)[0]
            param[i] = saved - eps
            minus = gradients(weights, biases, activations, X, y, loss, alpha)[0]
            param[i] = saved
            numeric[i] = (plus - minus) / (2 * eps)
        scale = max(np.linalg.norm(analytic) + np.linalg.norm(numeric), 1e-12)
        errors.append(np.linalg.norm(analytic - numeric) / scale)
    return float(max(errors))


def sgd(weights, biases, activations, X, y, *, loss="mse", learning_rate=0.01, batch_size=32,
        epochs=1, momentum=0.0, alpha=0.0, random_state=None):  # fmt: skip
    """Train by minibatch SGD; return ``(weights, biases, epoch_losses)`` (new lists).

    Each epoch visits the rows in ``np.random.default_rng(random_state)``'s
    ``permutation`` order, batch after batch, and steps v ← μ v − η ∇ε, θ ← θ + v.
    The epoch loss is the batch losses' mean weighted by batch size.
    """
    weights = [np.array(w) for w in weights]
    biases = [np.array(b) for b in biases]
    velocity = [np.zeros_like(p) for p in weights + biases]
    X, y = np.asarray(X), np.asarray(y)
    rng = np.random.default_rng(random_state)
    losses = []
    for _ in range(epochs):
        order = rng.permutation(X.shape[0])
        total = 0.0
        for start in range(0, X.shape[0], batch_size):
            rows = order[start : start + batch_size]
            value, dW, db = gradients(weights, biases, activations, X[rows], y[rows], loss, alpha)
            total += value * rows.size
            for p, g, v in zip(weights + biases, dW + db, velocity, strict=True):
                v *= momentum
                v -= learning_rate * g
                p += v
        losses.append(total / X.shape[0])
    return weights, biases, losses


# Twins of fastnn.nn.activations and fastnn.nn.losses, same names and signatures.


def _twin(name, grad):
    def function(x, out=None):
        x = np.asarray(x)
        x = x.astype(np.float32 if x.dtype == np.float32 else np.float64)
        result = activation(name, x)
        if grad:
            result = activation_grad(name, result)
        if out is None:
            return result
        out[...] = result
        return out

    function.__name__ = function.__qualname__ = name + ("_grad" if grad else "")
    function.__doc__ = f"The NumPy twin of :func:`fastnn.nn.activations.{function.__name__}`."
    return function


for _name in ("identity", "step", "sigmoid", "tanh", "relu", "leaky_relu", "softplus", "softmax"):
    globals()[_name] = _twin(_name, False)
    globals()[_name + "_grad"] = _twin(_name, True)
    __all__ += [_name, _name + "_grad"]


def mse(y_pred, y):
    """Return mean over samples of ½ Σ over outputs (ŷ − y)²."""
    y_pred = np.asarray(y_pred, np.float64).reshape(len(y_pred), -1)
    d = y_pred - np.asarray(y, np.float64).reshape(y_pred.shape)
    return float(0.5 * np.sum(d * d) / y_pred.shape[0])


def cross_entropy(logits, y):
    """Return mean over samples of −log softmax(logits)[y] (one column: sigmoid log loss)."""
    logits = np.asarray(logits, np.float64).reshape(len(logits), -1)
    return gradients([np.eye(logits.shape[1])], [np.zeros(logits.shape[1])], ["identity"],
                     logits, np.asarray(y), "cross_entropy")[0]  # fmt: skip
