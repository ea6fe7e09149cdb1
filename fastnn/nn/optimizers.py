"""Optimizers: one update step each over the network's flat parameter vector θ.

Ordered from simple to complex. Each keeps its state (velocity, moments)
in arrays allocated at its first step and updates θ in place in one kernel.
``learning_rate`` is a plain attribute, so a schedule can change it.
"""

import numpy as np

from fastnn import _checks
from fastnn.nn import _kernels

__all__ = ["SGD", "Adam"]


class SGD:
    """Stochastic gradient descent with optional (Nesterov) momentum.

    .. math:: v \\leftarrow \\mu v - \\eta \\nabla\\varepsilon, \\qquad
              \\theta \\leftarrow \\theta + v

    or, with Nesterov's momentum, θ ← θ + μ v − η ∇ε (the form of
    Sutskever et al., 2013, as scikit-learn writes it). ``momentum=0`` is
    the plain step θ ← θ − η ∇ε of Robbins & Monro (1951).

    References
    ----------
    I. Sutskever, J. Martens, G. Dahl and G. Hinton, "On the importance of
    initialization and momentum in deep learning", ICML 2013, §2.
    Y. Nesterov, "A method for solving the convex programming problem with
    convergence rate O(1/k²)", Soviet Mathematics Doklady 27, 1983.

    Examples
    --------
    >>> theta = np.array([1.0, 2.0])
    >>> SGD(learning_rate=0.5).step(theta, np.array([1.0, -1.0]))
    >>> theta
    array([0.5, 2.5])
    """

    code = _kernels.SGD_CODE

    def __init__(self, learning_rate=0.01, momentum=0.0, nesterov=False):
        self.learning_rate = learning_rate
        self.momentum = momentum
        self.nesterov = nesterov
        self.velocity = None

    def state(self, params):
        """Return the kernel's view of this optimizer: (code, lr, momentum, nesterov, state1,
        state2, t, β₁, β₂, ε), allocating the state at the first call."""
        if self.velocity is None:
            self.velocity = np.zeros_like(params)
        return (self.code, float(self.learning_rate), float(self.momentum), bool(self.nesterov),
                self.velocity, self.velocity, 0, 0.0, 0.0, 0.0)  # fmt: skip

    def step(self, params, grads):
        """Update ``params`` in place from ``grads``."""
        grads = _check_step(params, grads, self.velocity)
        if self.velocity is None:
            self.velocity = np.zeros_like(params)
        _kernels.sgd_step(params, grads, self.velocity, float(self.learning_rate),
                          float(self.momentum), bool(self.nesterov))  # fmt: skip


class Adam:
    """Adam: SGD scaled by running estimates of the gradient's first and second moments.

    .. math::

        m \\leftarrow \\beta_1 m + (1-\\beta_1) g, \\quad
        v \\leftarrow \\beta_2 v + (1-\\beta_2) g^2, \\quad
        \\theta \\leftarrow \\theta - \\eta_t \\frac{m}{\\sqrt{v} + \\epsilon},
        \\quad \\eta_t = \\eta \\frac{\\sqrt{1-\\beta_2^t}}{1-\\beta_1^t}

    (the bias correction folded into the step size, Kingma & Ba's §2 form).

    References
    ----------
    D. P. Kingma and J. Ba, "Adam: A method for stochastic optimization",
    ICLR 2015, Algorithm 1 and §2.

    Examples
    --------
    >>> theta = np.zeros(2)
    >>> Adam(learning_rate=0.1).step(theta, np.array([3.0, -0.5]))
    >>> theta.round(6)
    array([-0.1,  0.1])
    """

    code = _kernels.ADAM_CODE

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-8):
        self.learning_rate = learning_rate
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.t = 0
        self.m = self.v = None

    def state(self, params):
        """Return the kernel's view of this optimizer (see :meth:`SGD.state`)."""
        if self.m is None:
            self.m, self.v = np.zeros_like(params), np.zeros_like(params)
        return (self.code, float(self.learning_rate), 0.0, False, self.m, self.v, int(self.t),
                float(self.beta_1), float(self.beta_2), float(self.epsilon))  # fmt: skip

    def step(self, params, grads):
        """Update ``params`` in place from ``grads``."""
        grads = _check_step(params, grads, self.m)
        if self.m is None:
            self.m, self.v = np.zeros_like(params), np.zeros_like(params)
        self.t += 1
        lr_t = (self.learning_rate * np.sqrt(1 - self.beta_2**self.t)
                / (1 - self.beta_1**self.t))  # fmt: skip
        _kernels.adam_step(params, grads, self.m, self.v, float(lr_t), float(self.beta_1),
                           float(self.beta_2), float(self.epsilon))  # fmt: skip


def _check_step(params, grads, state):
    """Return ``grads`` as a contiguous array of ``params``' dtype, or raise.

    ``params`` is updated in place, so it must be a writable, C-contiguous,
    1-D float32 or float64 ndarray (a copy would leave the caller's array
    untouched); ``grads`` and the state of earlier steps must match its
    length (the kernel reads them index by index, unchecked).
    """
    if not isinstance(params, np.ndarray) or params.dtype not in (np.float32, np.float64):
        what = f"dtype {params.dtype}" if isinstance(params, np.ndarray) else type(params).__name__
        raise TypeError(
            f"params must be a float32 or float64 ndarray (updated in place), got {what}"
        )
    if params.ndim != 1 or not params.flags.c_contiguous or not params.flags.writeable:
        raise ValueError(
            f"params must be a writable, C-contiguous 1-D array (updated in place), got shape "
            f"{params.shape}, contiguous={params.flags.c_contiguous}, "
            f"writeable={params.flags.writeable}"
        )
    grads = _checks.check_array(grads, "grads", ndim=1, allow_empty=True)
    if grads.shape != params.shape:
        raise ValueError(f"grads must have the shape of params {params.shape}, got {grads.shape}")
    if state is not None and state.shape != params.shape:
        raise ValueError(
            f"params has {params.shape[0]} entries, but this optimizer's state was made for "
            f"{state.shape[0]}: use a new optimizer for a new parameter vector"
        )
    return np.ascontiguousarray(grads, dtype=params.dtype)
