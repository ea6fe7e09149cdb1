"""Anything thrown at fastnn.nn's public functions: a result or a clear error, never Numba's."""

import numpy as np
import pytest
from hostile import layouts
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from fastnn.nn import MLP, SGD, Adam, activations
from fastnn.testing import assert_reordered_close

DTYPES = st.sampled_from(
    [np.float64, np.float32, np.float16, np.int8, np.uint8, np.int64, np.bool_, np.complex64]
)


@settings(max_examples=40)
@given(
    x=hnp.arrays(DTYPES, hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=4)),
    name=st.sampled_from(["sigmoid", "tanh", "relu", "softplus", "softmax", "leaky_relu_grad"]),
)
def test_activations_return_or_raise_clearly(x, name):
    try:
        y = getattr(activations, name)(x)
    except (TypeError, ValueError) as error:
        assert "x must" in str(error)
        return
    assert y.shape == x.shape and y.dtype in (np.float32, np.float64)


@settings(max_examples=40)
@given(
    X=hnp.arrays(DTYPES, hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=4)),
)
def test_forward_returns_or_raises_clearly(X):
    net = MLP([3, 2, 1], "tanh", random_state=0)
    try:
        out = net.forward(X)
    except (TypeError, ValueError) as error:
        assert "X must" in str(error)
        return
    assert out.shape == (X.shape[0], 1)


def test_forward_is_the_same_for_every_memory_layout(rng):
    net = MLP([5, 4, 2], "relu", random_state=0)
    base = rng.normal(size=(6, 5))
    expected = net.forward(base)
    for label, X in layouts(base):
        # X is made contiguous at the edge, but a BLAS may still pick its
        # summation order by the copy's alignment (MKL does): equal up to order.
        assert_reordered_close(net.forward(X), expected, length=5 + 4, err_msg=label)
    read_only = base.copy()
    read_only.flags.writeable = False
    net.forward(read_only)
    np.testing.assert_array_equal(read_only, base)  # inputs are never modified


def test_integer_and_bool_inputs_become_the_networks_dtype():
    net = MLP([2, 1], "identity", random_state=0, dtype=np.float32)
    assert net.forward(np.array([[1, 2]], np.int64)).dtype == np.float32
    assert net.forward(np.array([[True, False]])).dtype == np.float32


@pytest.mark.parametrize("y", [np.array([[np.nan]]), np.array([[np.inf]])])
def test_non_finite_targets_are_refused(y):
    with pytest.raises(ValueError, match="y must be finite"):
        MLP([1, 1], "identity").gradients([[1.0]], y)


@pytest.mark.parametrize(
    "optimizer", [SGD, lambda: SGD(momentum=0.9), Adam], ids=["sgd", "momentum", "adam"]
)
def test_optimizer_steps_check_their_arrays(optimizer):
    """The step kernels index params, grads and state unchecked: a short grads read past its end."""
    cases = [
        (lambda: [1.0, 2.0], np.ones(2), TypeError, "params must be a float32 or float64 ndarray"),
        (lambda: np.ones(2, np.int64), np.ones(2), TypeError, "params must be a float32"),
        (lambda: np.ones((2, 2)), np.ones((2, 2)), ValueError, "params must be a writable"),
        (lambda: np.ones((2, 3))[:, 0], np.ones(2), ValueError, "C-contiguous"),
        (lambda: np.ones(3), np.ones(4), ValueError, "grads must have the shape of params"),
        (lambda: np.ones(3), ["a", "b", "c"], TypeError, "grads must hold real numbers"),
    ]
    for make_params, grads, error, match in cases:
        params = make_params()
        before = np.array(params, copy=True)
        with pytest.raises(error, match=match):
            optimizer().step(params, grads)
        np.testing.assert_array_equal(params, before)
    read_only = np.ones(2)
    read_only.flags.writeable = False
    with pytest.raises(ValueError, match="writable"):
        optimizer().step(read_only, np.ones(2))
    stepped = optimizer()
    stepped.step(np.ones(3), np.ones(3))
    with pytest.raises(ValueError, match="this optimizer's state was made for 3"):
        stepped.step(np.ones(4), np.ones(4))
    params = np.ones(3, np.float32)
    optimizer().step(params, np.ones(3))  # float64 grads for float32 params: cast
    assert params.dtype == np.float32 and np.all(params < 1)
