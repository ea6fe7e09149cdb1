"""fastnn.nn.activations against the NumPy twin: values, dtypes, layouts, out=, parallel."""

import warnings

import numpy as np
import pytest
from hostile import layouts
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from fastnn.nn import MLP, activations, gradcheck, reference

ELEMENTWISE = ["identity", "step", "sigmoid", "tanh", "relu", "leaky_relu", "softplus"]


def _pair(name):
    return getattr(activations, name), getattr(activations, name + "_grad")


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("name", [*ELEMENTWISE, "softmax"])
def test_matches_the_twin_and_keeps_the_dtype(name, dtype, rng):
    x = (rng.normal(size=(7, 5)) * 4).astype(dtype)
    function, derivative = _pair(name)
    expected = reference.activation(name, x.astype(np.float64))
    rtol = 1e-12 if dtype == np.float64 else 1e-6
    got = function(x)
    assert got.dtype == dtype, (name, dtype)
    np.testing.assert_allclose(got, expected, rtol=rtol, atol=rtol, err_msg=f"{name} {dtype}")
    grad = derivative(x)
    assert grad.dtype == dtype
    np.testing.assert_allclose(
        grad, reference.activation_grad(name, expected), rtol=10 * rtol, atol=10 * rtol
    )


@pytest.mark.parametrize("name", ["sigmoid", "tanh", "softplus", "leaky_relu"])
def test_derivative_is_the_slope(name, rng):
    x = rng.normal(size=50) * 3
    x = x[np.abs(x) > 1e-3]  # away from leaky_relu's kink
    function, derivative = _pair(name)
    h = 1e-6
    numeric = (function(x + h) - function(x - h)) / (2 * h)
    np.testing.assert_allclose(derivative(x), numeric, rtol=1e-6, atol=1e-9)


def test_integers_become_float64_and_input_is_untouched():
    x = np.array([-2, 0, 3])
    assert activations.relu(x).dtype == np.float64
    np.testing.assert_array_equal(x, [-2, 0, 3])


@pytest.mark.parametrize("name", ["sigmoid", "tanh", "softplus", "softmax"])
def test_no_overflow_warning_for_any_input(name):
    x = np.array([-1e308, -1000.0, -80.0, 0.0, 80.0, 1000.0, 1e308])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        y = getattr(activations, name)(x)
    assert np.isfinite(y).all()


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_nan_propagates_and_infinities_saturate(dtype):
    x = np.array([np.nan, -np.inf, np.inf, -100.0, 100.0], dtype)
    for name in ["sigmoid", "tanh", "relu", "leaky_relu", "softplus", "step"]:
        assert np.isnan(getattr(activations, name)(x)[0]), (name, dtype)
    np.testing.assert_array_equal(activations.sigmoid(x)[1:3], [0, 1])
    np.testing.assert_array_equal(activations.tanh(x)[1:], [-1, 1, -1, 1])
    np.testing.assert_array_equal(activations.relu(x)[1:], [0, np.inf, 0, 100])


def test_float32_sigmoid_tail_is_flushed_below_the_normal_range():
    x = np.linspace(-120, -80, 2001).astype(np.float32)
    got = activations.sigmoid(x).astype(np.float64)
    truth = reference.activation("sigmoid", x.astype(np.float64))
    assert np.abs(got - truth).max() <= 1.2e-38  # float32's smallest normal
    normal = truth > 1.2e-38
    np.testing.assert_allclose(got[normal], truth[normal], rtol=1e-6)


@pytest.mark.parametrize("name", ["sigmoid", "relu"])
def test_layouts_give_equal_results(name, rng):
    function = getattr(activations, name)
    base = rng.normal(size=(6, 5))
    expected = function(base)
    for label, x in layouts(base):
        np.testing.assert_array_equal(function(x), expected, err_msg=label)


@pytest.mark.parametrize("name", ["sigmoid", "tanh", "relu"])
def test_out_is_written_and_returned(name, rng):
    x = rng.normal(size=(3, 4)).astype(np.float32)
    out = np.empty_like(x)
    assert getattr(activations, name)(x, out=out) is out
    np.testing.assert_array_equal(out, getattr(activations, name)(x))


def test_bad_out_and_bad_x():
    x = np.zeros(3)
    with pytest.raises(ValueError, match="out must be"):
        activations.sigmoid(x, out=np.zeros(4))
    with pytest.raises(ValueError, match="out must be"):
        activations.sigmoid(x, out=np.zeros(3, np.float32))
    with pytest.raises(TypeError, match="out must be"):
        activations.sigmoid(x, out=[0, 0, 0])
    with pytest.raises(TypeError, match="x must"):
        activations.tanh(["a"])
    with pytest.raises(TypeError, match="x must"):
        activations.relu(np.zeros(2, complex))


@pytest.mark.parametrize("name", ["sigmoid", "tanh", "relu", "softplus"])
def test_parallel_equals_serial(name, parallel_and_serial, rng):
    x = rng.normal(size=100_003).astype(np.float32)
    parallel, serial = parallel_and_serial(lambda: getattr(activations, name + "_grad")(x))
    np.testing.assert_array_equal(parallel, serial)


@given(
    hnp.arrays(
        np.float32, st.integers(1, 50), elements=st.floats(-80, 80, width=32, allow_nan=False)
    )
)
def test_float32_accuracy(x):
    # float32 accuracy: within ~1e-6 relative of the float64 truth (a few ulp).
    for name in ["sigmoid", "tanh"]:
        got = getattr(activations, name)(x).astype(np.float64)
        truth = reference.activation(name, x.astype(np.float64))
        np.testing.assert_allclose(got, truth, rtol=1e-6, atol=1e-30)


def test_softmax_rows_sum_to_one(rng):
    s = activations.softmax(rng.normal(size=(4, 3)) * 50)
    np.testing.assert_allclose(s.sum(axis=1), 1.0)


def test_registered_activation_trains_with_exact_gradients(rng):
    activations.register_activation("square_test", lambda f: f * f, lambda f: 2 * f)
    try:
        net = MLP([3, 4, 2], ["square_test", "identity"], random_state=0)
        X = rng.normal(size=(6, 3))
        assert gradcheck(net, X, rng.normal(size=(6, 2))) < 1e-6
        hidden = (X @ net.weights[0] + net.biases[0]) ** 2
        np.testing.assert_allclose(net.forward(X), hidden @ net.weights[1] + net.biases[1])
    finally:
        del activations.ACTIVATIONS["square_test"]


def test_register_activation_refuses_builtins_and_non_callables():
    with pytest.raises(ValueError, match="name 'relu'"):
        activations.register_activation("relu", abs, abs)
    with pytest.raises(TypeError, match="callables"):
        activations.register_activation("mine", 1, abs)


@pytest.mark.parametrize("name", ["sigmoid", "tanh"])
def test_float32_accuracy_on_a_dense_grid(name):
    # The vectorised float32 kernels (polynomials) against float64 truth.
    x = np.linspace(-30, 30, 600_001).astype(np.float32)
    got = getattr(activations, name)(x).astype(np.float64)
    truth = reference.activation(name, x.astype(np.float64))
    np.testing.assert_allclose(got, truth, rtol=1e-6, atol=1e-38)


def test_float32_accuracy_at_the_edges():
    # Where the float32 kernels clamp or saturate: sigmoid's exponent range
    # (flushed to 0 below −87.33, where σ is subnormal), tanh's clamp at ±7.9053.
    f = np.float32
    edges = [-87.33, 87.33, -88.7, 88.7, -7.9053111, 7.9053111, 17.0, -17.0, 0.0]
    beside = [np.nextafter(f(e), f(d)) for e in edges for d in (-np.inf, np.inf)]
    x = np.concatenate([np.linspace(-87.33, 90, 400_001, dtype=f), beside])
    truth = reference.activation("sigmoid", x.astype(np.float64))
    got = activations.sigmoid(x).astype(np.float64)
    np.testing.assert_allclose(got, truth, rtol=1e-6, atol=1.2e-38)
    x = np.linspace(-12, 12, 400_001, dtype=f)
    np.testing.assert_allclose(activations.tanh(x), np.tanh(x.astype(np.float64)), rtol=1e-6)
    assert np.all(np.abs(activations.tanh(x)) <= 1)
    below = np.linspace(-200, -87.34, 1001, dtype=f)
    np.testing.assert_array_equal(activations.sigmoid(below), 0)


def test_every_public_function_has_a_twin_with_its_signature():
    import inspect

    from fastnn.nn import losses

    for module in (activations, losses):
        for name in module.__all__:
            function = getattr(module, name)
            if not inspect.isfunction(function) or name == "register_activation":
                continue
            twin = getattr(reference, name)
            assert inspect.signature(twin) == inspect.signature(function), name


def test_loss_functions_match_their_twins(rng):
    from fastnn.nn import losses

    y_pred, y = rng.normal(size=(6, 3)), rng.normal(size=(6, 3))
    assert losses.mse(y_pred, y) == pytest.approx(reference.mse(y_pred, y), rel=1e-13)
    labels = rng.integers(0, 3, 6)
    expected = reference.cross_entropy(y_pred, labels)
    assert losses.cross_entropy(y_pred, labels) == pytest.approx(expected, rel=1e-13)
    binary = rng.integers(0, 2, 6)
    assert losses.cross_entropy(y_pred[:, :1], binary) == pytest.approx(
        reference.cross_entropy(y_pred[:, :1], binary), rel=1e-13
    )
