"""Full-batch training by L-BFGS-B: scipy's minimizer over the network's flat parameters.

The network keeps every parameter in one flat vector θ = [W1, …, WL, b1,
…, bL] (see :mod:`fastnn.nn.network`), which is what
``scipy.optimize.minimize`` wants: each evaluation writes θ into the
network, runs the fused forward and backward kernels over the whole
training set (one workspace, allocated once) and returns (ε(θ), ∇ε(θ)).
The options are scikit-learn's: ``maxiter`` = ``max_iter`` iterations,
``maxfun`` = ``max_fun`` evaluations, ``gtol`` = ``tol``.
"""

import numpy as np

from fastnn.nn.network import Workspace, all_finite, backward
from fastnn.nn.training import DivergedError, blas_threads

__all__ = ["fit_lbfgs"]


def fit_lbfgs(net, X, y, loss, *, alpha, max_iter, max_fun, tol, callback=None):
    """Minimise ε(θ) + (α / 2n) Σ_l ‖W[l]‖² over all of ``X`` from ``net``'s parameters.

    Writes the minimiser into ``net`` and returns scipy's ``OptimizeResult``.
    ``y`` is already in the form ``loss`` wants (``net.check_target``).
    scipy works in float64: a float32 network evaluates in float32 and
    hands its gradient over in float64.

    References
    ----------
    R. H. Byrd, P. Lu, J. Nocedal and C. Zhu, "A limited memory algorithm
    for bound constrained optimization", SIAM J. Sci. Comput. 16(5), 1995.
    """
    from scipy.optimize import minimize

    work = Workspace(net, X.shape[0])
    start = net.params.copy()

    def loss_and_grad(theta):
        net.params[...] = theta
        with np.errstate(over="ignore", invalid="ignore"):  # an inf loss makes the search step back
            value = backward(net, X, y, loss, work, alpha)
        # A new float64 array every call: scipy keeps the gradient it is given.
        return value, work.grad.astype(np.float64)

    options = {"maxiter": max_iter, "maxfun": max_fun, "gtol": tol}
    with blas_threads(net, X.shape[0]):
        result = minimize(loss_and_grad, start.astype(np.float64), method="L-BFGS-B", jac=True,
                          options=options, callback=callback)  # fmt: skip
    net.params[...] = result.x
    if not np.isfinite(result.fun) or not all_finite(net.params):
        net.params[...] = start
        raise DivergedError("L-BFGS-B ended on an infinite or NaN loss; scale X or raise alpha")
    return result
