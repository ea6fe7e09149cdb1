"""Gradient checking: backpropagation against central finite differences."""

import numpy as np

__all__ = ["gradcheck"]


def gradcheck(model, X, y, loss="mse", *, eps=1e-5, alpha=0.0):
    """Return the largest relative error between backprop's gradient and finite differences.

    For every parameter θ_i, the central difference
    (ε(θ + h e_i) − ε(θ − h e_i)) / 2h with h = ``eps`` is compared with
    backprop's ∂ε/∂θ_i, one parameter array (W[l] or b[l]) at a time:
    ‖g − ĝ‖ / max(‖g‖ + ‖ĝ‖, 1e-12), and the largest over the arrays is
    returned (a norm-wise error, as elementwise ratios of near-zero entries
    measure only rounding). Under ~1e-7 in float64 means the two agree; use
    small networks, as this costs two forward passes per parameter.

    Parameters
    ----------
    model : MLP or fitted MLPClassifier / MLPRegressor
    X, y : arrays
        A batch, and its targets in the form ``model``'s loss wants.
    loss : {"mse", "cross_entropy"}

    Examples
    --------
    >>> from fastnn.nn import MLP
    >>> net = MLP([3, 4, 2], "tanh", random_state=0)
    >>> gradcheck(net, np.ones((5, 3)), [0, 1, 1, 0, 1], loss="cross_entropy") < 1e-6
    True
    """
    net = getattr(model, "_net", model)
    _, dW, db = net.gradients(X, y, loss, alpha=alpha)
    analytic = np.concatenate([g.ravel() for g in dW + db])
    numeric = np.empty_like(analytic)
    saved = net.params.copy()
    try:
        for i in range(net.params.size):
            net.params[i] = saved[i] + eps
            plus = net.gradients(X, y, loss, alpha=alpha)[0]
            net.params[i] = saved[i] - eps
            minus = net.gradients(X, y, loss, alpha=alpha)[0]
            net.params[i] = saved[i]
            numeric[i] = (plus - minus) / (2 * eps)
    finally:
        net.params[...] = saved
    errors, start = [], 0
    for g in dW + db:
        a, b = analytic[start : start + g.size], numeric[start : start + g.size]
        start += g.size
        scale = max(np.linalg.norm(a) + np.linalg.norm(b), 1e-12)
        errors.append(np.linalg.norm(a - b) / scale)
    return float(max(errors))
