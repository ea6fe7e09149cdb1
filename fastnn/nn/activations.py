"""Activation functions g and their derivatives g', elementwise (softmax: row-wise).

Each activation ``name(x, out=None)`` has a derivative ``name_grad(x, out=None)``
that returns g'(x). Both keep float32 as float32 (float64 otherwise), run in
parallel on big arrays, and write into ``out`` when it is given (an array of
the result's shape and dtype, so a loop allocates nothing).

:data:`ACTIVATIONS` is the table the network uses: name → (function,
derivative). :func:`register_activation` adds one of your own; the built-in
ones run inside fused kernels, yours in NumPy between the matrix products.
"""

import numpy as np

from fastnn import _checks
from fastnn.nn import _kernels

__all__ = [
    "ACTIVATIONS",
    "identity",
    "identity_grad",
    "leaky_relu",
    "leaky_relu_grad",
    "register_activation",
    "relu",
    "relu_grad",
    "sigmoid",
    "sigmoid_grad",
    "softmax",
    "softmax_grad",
    "softplus",
    "softplus_grad",
    "step",
    "step_grad",
    "tanh",
    "tanh_grad",
]

# The codes the fused kernels dispatch on.
CODES = {
    "identity": _kernels.IDENTITY,
    "step": _kernels.STEP,
    "sigmoid": _kernels.SIGMOID,
    "tanh": _kernels.TANH,
    "relu": _kernels.RELU,
    "leaky_relu": _kernels.LEAKY_RELU,
    "softplus": _kernels.SOFTPLUS,
}

NEGATIVE_SLOPE = 0.01  # leaky_relu's slope for x < 0 (PyTorch's default)


def _prepare(x, out):
    checked = _checks.check_array(x, "x", allow_empty=True)
    shape = np.shape(x)  # check_array makes a 0-d array 1-d
    x = checked
    dtype = _checks.float_result_dtype(x.dtype, integer_to=np.float64)
    flat = np.ascontiguousarray(x, dtype=dtype).reshape(-1)
    if out is None:
        out = np.empty(shape, dtype)
    elif not isinstance(out, np.ndarray):
        raise TypeError(f"out must be a numpy array, got {type(out).__name__}")
    elif out.shape != shape or out.dtype != dtype or not out.flags.c_contiguous:
        raise ValueError(
            f"out must be a C-contiguous {dtype} array of shape {shape}, "
            f"got {out.dtype} of shape {out.shape}"
        )
    elif not out.flags.writeable:
        raise ValueError("out must be writeable")
    return flat, out


# Vectorised kernels for the hot cases (see the note in _kernels): float32
# sigmoid and tanh by polynomials, relu of any float dtype by one compare.
_FAST = {
    ("sigmoid", np.dtype(np.float32)): _kernels.sigmoid_f32,
    ("tanh", np.dtype(np.float32)): _kernels.tanh_f32,
    ("relu", np.dtype(np.float32)): _kernels.relu_flat,
    ("relu", np.dtype(np.float64)): _kernels.relu_flat,
}


def _elementwise(kernel, name, x, out):
    flat, out = _prepare(x, out)
    fast = _FAST.get((name, flat.dtype)) if kernel is _kernels.activate else None
    if fast is not None:
        fast(flat, out.reshape(-1), work=flat.size * 4)
    else:
        kernel(flat, CODES[name], NEGATIVE_SLOPE, out.reshape(-1), work=flat.size * 8)
    return out


def identity(x, out=None):
    """Return g(x) = x (as a float array).

    Examples
    --------
    >>> identity([1, -2])
    array([ 1., -2.])
    """
    return _elementwise(_kernels.activate, "identity", x, out)


def identity_grad(x, out=None):
    """Return g'(x) = 1."""
    return _elementwise(_kernels.activate_grad, "identity", x, out)


def step(x, out=None):
    """Return the Heaviside step, 1 where x > 0 and 0 elsewhere (the perceptron's g).

    Its derivative is 0 everywhere it exists, so a network of steps cannot
    learn by backpropagation; it is here for the perceptron of the lecture.

    Examples
    --------
    >>> step([-1.0, 0.0, 2.0])
    array([0., 0., 1.])
    """
    return _elementwise(_kernels.activate, "step", x, out)


def step_grad(x, out=None):
    """Return g'(x) = 0 (taken as 0 at x = 0 too)."""
    return _elementwise(_kernels.activate_grad, "step", x, out)


def sigmoid(x, out=None):
    """Return the logistic sigmoid σ(x) = 1 / (1 + e^{−x}).

    Computed as e^{x} / (1 + e^{x}) for x < 0, so no input overflows or warns;
    float32 arrays go through a vectorised e^{−x} whose exponent is clamped to
    ±87.33 (σ below −87.33 is subnormal in float32 and returned as 0).

    Examples
    --------
    >>> sigmoid(np.array([-1000.0, 0.0, 1000.0]))
    array([0. , 0.5, 1. ])
    """
    return _elementwise(_kernels.activate, "sigmoid", x, out)


def sigmoid_grad(x, out=None):
    """Return σ'(x) = σ(x) (1 − σ(x)).

    Examples
    --------
    >>> sigmoid_grad([0.0])
    array([0.25])
    """
    return _elementwise(_kernels.activate_grad, "sigmoid", x, out)


def tanh(x, out=None):
    """Return the hyperbolic tangent tanh(x) = (e^{x} − e^{−x}) / (e^{x} + e^{−x}).

    Examples
    --------
    >>> tanh([0.0])
    array([0.])
    """
    return _elementwise(_kernels.activate, "tanh", x, out)


def tanh_grad(x, out=None):
    """Return tanh'(x) = 1 − tanh²(x)."""
    return _elementwise(_kernels.activate_grad, "tanh", x, out)


def relu(x, out=None):
    """Return the rectified linear unit max(x, 0) (NaN stays NaN).

    Examples
    --------
    >>> relu([-1.0, 2.0])
    array([0., 2.])
    """
    return _elementwise(_kernels.activate, "relu", x, out)


def relu_grad(x, out=None):
    """Return relu'(x) = 1 where x > 0, else 0 (0 at x = 0)."""
    return _elementwise(_kernels.activate_grad, "relu", x, out)


def leaky_relu(x, out=None):
    """Return x where x > 0 and 0.01·x elsewhere (Maas et al., 2013).

    Examples
    --------
    >>> leaky_relu([-1.0, 2.0])
    array([-0.01,  2.  ])
    """
    return _elementwise(_kernels.activate, "leaky_relu", x, out)


def leaky_relu_grad(x, out=None):
    """Return 1 where x > 0, else 0.01."""
    return _elementwise(_kernels.activate_grad, "leaky_relu", x, out)


def softplus(x, out=None):
    """Return softplus(x) = log(1 + e^{x}), as max(x, 0) + log1p(e^{−|x|}) (no overflow).

    Examples
    --------
    >>> softplus([0.0])
    array([0.69314718])
    """
    return _elementwise(_kernels.activate, "softplus", x, out)


def softplus_grad(x, out=None):
    """Return softplus'(x) = σ(x)."""
    return _elementwise(_kernels.activate_grad, "softplus", x, out)


def softmax(x, out=None):
    """Return softmax over the last axis: e^{x_j − m} / Σ_k e^{x_k − m}, m = max_k x_k.

    Examples
    --------
    >>> softmax([[0.0, 0.0], [1000.0, 0.0]])
    array([[0.5, 0.5],
           [1. , 0. ]])
    """
    flat, out = _prepare(x, out)
    if flat.size:
        width = out.shape[-1] if out.ndim else 1
        rows = flat.reshape(-1, width)
        _kernels.softmax_rows(rows, out.reshape(-1, width), work=flat.size * 16)
    return out


def softmax_grad(x, out=None):
    """Return the diagonal of softmax's Jacobian, s ⊙ (1 − s), s = softmax(x).

    The full Jacobian is diag(s) − s sᵀ; a network never needs it, because the
    softmax is fused into the cross-entropy loss, whose δ is s − onehot(y).
    """
    s = softmax(x, out)
    s *= 1 - s
    return s


# name → (function, derivative); the network runs the built-in ones in fused
# kernels through CODES and calls only the entries of register_activation.
ACTIVATIONS = {
    "identity": (identity, identity_grad),
    "step": (step, step_grad),
    "sigmoid": (sigmoid, sigmoid_grad),
    "tanh": (tanh, tanh_grad),
    "relu": (relu, relu_grad),
    "leaky_relu": (leaky_relu, leaky_relu_grad),
    "softplus": (softplus, softplus_grad),
}


def register_activation(name, function, derivative):
    """Add an activation ``name`` to :data:`ACTIVATIONS`, for networks built after this.

    Parameters
    ----------
    name : str
        A new name (the built-in ones cannot be replaced).
    function, derivative : callable
        ``function(f)`` → g(f) and ``derivative(f)`` → g'(f), elementwise on
        a float array ``f`` (the pre-activation), each returning a new array
        of the same shape and dtype.

    Examples
    --------
    >>> register_activation("cube", lambda f: f**3, lambda f: 3 * f**2)
    >>> "cube" in ACTIVATIONS
    True
    """
    if not isinstance(name, str):
        raise TypeError(f"name must be a string, got {type(name).__name__}")
    if name in CODES or name == "softmax":
        raise ValueError(f"name {name!r} is a built-in activation and cannot be replaced")
    if not callable(function) or not callable(derivative):
        raise TypeError("function and derivative must both be callables")
    ACTIVATIONS[name] = (function, derivative)
