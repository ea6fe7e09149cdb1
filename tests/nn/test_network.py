"""fastnn.nn.MLP: the lecture's network, backprop against finite differences and the twin."""

import pickle
import subprocess
import sys

import numpy as np
import pytest

from fastnn.nn import MLP, gradcheck, load, reference, sgd
from fastnn.testing import assert_reordered_close

ACTIVATIONS = ["identity", "sigmoid", "tanh", "relu", "leaky_relu", "softplus"]


def test_the_lectures_network_computes_abs_x_minus_1_exactly():
    net = MLP.from_weights(
        weights=[[[1, -1]], [[1], [1]]], biases=[[-1, 1], [0]], activations=["relu", "identity"]
    )
    x = np.linspace(-3, 3, 61)[:, None]
    np.testing.assert_array_equal(net.forward(x)[:, 0], np.abs(x[:, 0] - 1))


@pytest.mark.parametrize("hidden", ACTIVATIONS)
@pytest.mark.parametrize(
    ("loss", "n_out"),
    [("mse", 2), ("cross_entropy", 3), ("cross_entropy", 1), ("binary_cross_entropy", 3)],
)
def test_gradcheck_every_activation_and_loss(hidden, loss, n_out, rng):
    net = MLP([3, 5, 4, n_out], [hidden, hidden, "identity"], random_state=rng)
    X = rng.normal(size=(9, 3))
    y = _targets(rng, loss, 9, n_out)
    error = gradcheck(net, X, y, loss=loss, alpha=0.3)
    assert error < 1e-6, (hidden, loss, n_out, error)


def _targets(rng, loss, n, n_out):
    if loss == "mse":
        return rng.normal(size=(n, n_out))
    if loss == "binary_cross_entropy":
        return rng.integers(0, 2, (n, n_out))
    return rng.integers(0, max(n_out, 2), n)


@pytest.mark.parametrize("output", ACTIVATIONS)
def test_gradcheck_mse_through_every_output_activation(output, rng):
    net = MLP([2, 3, 2], ["tanh", output], random_state=rng)
    X = rng.normal(size=(5, 2))
    assert gradcheck(net, X, rng.normal(size=(5, 2))) < 1e-6


@pytest.mark.parametrize("loss", ["mse", "cross_entropy", "binary_cross_entropy"])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_gradients_match_the_twin(loss, dtype, rng):
    net = MLP([4, 6, 3], ["sigmoid", "identity"], random_state=rng, dtype=dtype)
    X = rng.normal(size=(8, 4)).astype(dtype)
    y = _targets(rng, loss, 8, 3)
    y = y.astype(dtype) if loss == "mse" else y
    value, dW, db = net.gradients(X, y, loss, alpha=0.1)
    twin = reference.gradients(net.weights, net.biases, net.activations, X, y, loss, alpha=0.1)
    rtol = 1e-12 if dtype == np.float64 else 2e-5
    np.testing.assert_allclose(value, twin[0], rtol=rtol)
    for got, expected in zip(dW + db, twin[1] + twin[2], strict=True):
        assert got.dtype == dtype
        np.testing.assert_allclose(got, expected, rtol=rtol, atol=rtol * 1e-2)


def test_binary_cross_entropy_convention_and_bad_targets():
    net = MLP.from_weights([[[1.0, 0.0], [0.0, 1.0]]], [[0.0, 0.0]], ["identity"])
    # mean over samples of Σ_k −log σ(±z_k)
    expected = (np.log1p(np.exp(-1.0)) + np.log1p(np.exp(2.0))) / 1
    assert net.gradients([[1.0, 2.0]], [[1, 0]], "binary_cross_entropy")[0] == pytest.approx(
        expected
    )
    with pytest.raises(ValueError, match=r"y must hold targets in \[0, 1\]"):
        net.gradients([[1.0, 2.0]], [[2, 0]], "binary_cross_entropy")
    with pytest.raises(ValueError, match="y must have shape"):
        net.gradients([[1.0, 2.0]], [1], "binary_cross_entropy")
    with pytest.raises(ValueError, match="last activation must be 'identity'"):
        MLP([2, 2], ["sigmoid"]).gradients([[1.0, 2.0]], [[1, 0]], "binary_cross_entropy")


def test_loss_conventions():
    net = MLP.from_weights([[[1.0, 0.0], [0.0, 1.0]]], [[0.0, 0.0]], ["identity"])
    X = np.array([[1.0, 2.0], [3.0, 5.0]])
    # mse: mean over samples of ½ Σ over outputs (ŷ − y)²
    assert net.gradients(X, np.zeros((2, 2)), "mse")[0] == pytest.approx((5 + 34) / 4)
    # cross_entropy: mean over samples of −log softmax(ŷ)[y]
    expected = np.mean([np.log1p(np.exp(1.0)), np.log1p(np.exp(-2.0))])
    assert net.gradients(X, [0, 1], "cross_entropy")[0] == pytest.approx(expected)
    # binary: the sigmoid's log loss of one logit
    binary = MLP.from_weights([[[1.0]]], [[0.0]], ["identity"])
    assert binary.gradients([[2.0]], [0], "cross_entropy")[0] == pytest.approx(np.log1p(np.e**2))


@pytest.mark.parametrize("momentum", [0.0, 0.9])
@pytest.mark.parametrize(
    ("loss", "n_out"), [("mse", 2), ("cross_entropy", 3), ("binary_cross_entropy", 3)]
)
def test_k_sgd_steps_equal_the_twins(momentum, loss, n_out, rng):
    net = MLP([5, 8, 6, n_out], ["tanh", "relu", "identity"], random_state=rng)
    X = rng.normal(size=(50, 5))
    y = _targets(rng, loss, 50, n_out)
    args = (net.weights, net.biases, net.activations, X, y)
    kwargs = dict(loss=loss, learning_rate=0.05, batch_size=8, epochs=3, momentum=momentum,
                  alpha=0.01, random_state=7)  # fmt: skip
    W, b, losses = sgd(*args, **kwargs)
    W_twin, b_twin, losses_twin = reference.sgd(*args, **kwargs)
    for got, expected in zip(W + b, W_twin + b_twin, strict=True):
        np.testing.assert_allclose(got, expected, rtol=1e-10, atol=1e-13)
    np.testing.assert_allclose(losses, losses_twin, rtol=1e-10)
    assert losses[-1] < losses[0]


def test_float32_network_stays_float32(rng):
    net = MLP([3, 4, 2], "tanh", random_state=0, dtype=np.float32)
    assert net.params.dtype == np.float32
    assert net.forward(rng.normal(size=(2, 3))).dtype == np.float32
    _, dW, _ = net.gradients(rng.normal(size=(2, 3)), rng.normal(size=(2, 2)))
    assert all(g.dtype == np.float32 for g in dW)
    assert MLP.from_weights([np.ones((2, 1), np.float32)], [np.zeros(1, np.float32)],
                            ["relu"]).dtype == np.float32  # fmt: skip


def test_initialisation_is_seeded_and_scaled():
    a, b = MLP([100, 50, 3], "relu", random_state=1), MLP([100, 50, 3], "relu", random_state=1)
    np.testing.assert_array_equal(a.params, b.params)
    assert np.abs(a.weights[0]).max() <= np.sqrt(6 / 100)  # He before a ReLU
    assert np.abs(a.weights[1]).max() <= np.sqrt(6 / 53)  # Glorot before the identity


def test_pickle_and_save_load_round_trip(rng, tmp_path):
    net = MLP([3, 4, 2], ["softplus", "sigmoid"], random_state=0)
    X = rng.normal(size=(5, 3))
    clone = pickle.loads(pickle.dumps(net))
    # the same parameters; forward is BLAS products of them (equal up to their order)
    np.testing.assert_array_equal(clone.params, net.params)
    assert_reordered_close(clone.forward(X), net.forward(X), length=3 + 4)
    clone.weights[0][0, 0] = 99.0  # the views point into the clone's own vector
    assert clone.params[0] == 99.0 and net.params[0] != 99.0
    net.save(tmp_path / "net.npz")
    loaded = load(tmp_path / "net.npz")
    assert loaded.activations == net.activations
    np.testing.assert_array_equal(loaded.params, net.params)
    assert_reordered_close(loaded.forward(X), net.forward(X), length=3 + 4)


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda: MLP([3, 0, 1], "relu"), ValueError, "layer_sizes"),
        (lambda: MLP([3], "relu"), ValueError, "layer_sizes"),
        (lambda: MLP("abc", "relu"), TypeError, "layer_sizes"),
        (lambda: MLP([3, 2, 1], "nope"), ValueError, "unknown activation 'nope'"),
        (lambda: MLP([3, 2, 1], ["relu"]), ValueError, "activations"),
        (lambda: MLP([3, 1], "relu", dtype=np.int32), ValueError, "dtype"),
        (lambda: MLP([3, 1], "relu").forward(np.zeros((2, 4))), ValueError, "X must have 3"),
        (lambda: MLP([3, 1], "relu").forward(np.zeros(3)), ValueError, "X must be 2-D"),
        (lambda: MLP([3, 1], "relu").forward([[np.nan, 0, 0]]), ValueError, "X must be finite"),
        (lambda: MLP([3, 1], "relu").gradients(np.zeros((2, 3)), np.zeros(3)), ValueError, "y"),
        (
            lambda: MLP([3, 2], ["relu"]).gradients(np.zeros((2, 3)), [0, 1], "cross_entropy"),
            ValueError,
            "identity",
        ),
        (
            lambda: MLP([3, 2], "tanh").gradients(np.zeros((2, 3)), [0, 2], "cross_entropy"),
            ValueError,
            "class labels",
        ),
        (
            lambda: MLP([3, 2], "tanh").gradients(np.zeros((2, 3)), [0, 1], "hinge"),
            ValueError,
            "loss",
        ),
        (
            lambda: MLP.from_weights([np.ones((2, 3))], [np.ones(2)], ["relu"]),
            ValueError,
            "biases",
        ),
    ],
)
def test_bad_inputs_raise_clear_errors(call, error, match):
    with pytest.raises(error, match=match):
        call()


def test_import_compiles_nothing():
    code = (
        "import fastnn, fastnn.nn, fastnn.nn.estimators\n"
        "from fastnn.nn import _kernels\n"
        "from fastnn._jit import ParallelKernel\n"
        "n = 0\n"
        "for name in dir(_kernels):\n"
        "    k = getattr(_kernels, name)\n"
        "    for d in ([k.serial, k.parallel] if isinstance(k, ParallelKernel) else [k]):\n"
        "        if hasattr(d, 'signatures'):\n"
        "            assert not d.signatures, name\n"
        "            n += 1\n"
        "assert n >= 10, n\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


@pytest.mark.parametrize("optimizer", ["sgd", "adam"])
def test_one_call_epoch_kernel_equals_the_python_loop(optimizer, rng):
    from fastnn.nn import SGD, Adam
    from fastnn.nn.network import Workspace
    from fastnn.nn.training import run_epoch

    class Stepper:  # no .state(): run_epoch takes its Python loop
        def __init__(self, inner):
            self.inner = inner

        def step(self, params, grads):
            self.inner.step(params, grads)

    make = {"sgd": lambda: SGD(0.05, momentum=0.9, nesterov=True), "adam": lambda: Adam(0.01)}
    X, y = rng.normal(size=(40, 4)), rng.integers(0, 3, 40)
    nets = [MLP([4, 6, 3], "tanh", random_state=3) for _ in range(2)]
    opts = [make[optimizer](), Stepper(make[optimizer]())]
    order = rng.permutation(40)
    for net, opt in zip(nets, opts, strict=True):
        for _ in range(3):
            loss = run_epoch(net, X, y, "cross_entropy", opt, Workspace(net, 16), 16, order, 0.01)
    np.testing.assert_allclose(nets[0].params, nets[1].params, rtol=1e-12, atol=1e-14)
    assert np.isfinite(loss)


@pytest.mark.parametrize("python_loop", [False, True])
def test_divergence_restores_the_epochs_starting_weights(python_loop, rng):
    from fastnn.nn import SGD
    from fastnn.nn.network import Workspace
    from fastnn.nn.training import DivergedError, run_epoch

    net = MLP([3, 8, 1], "relu", random_state=0)
    start = net.params.copy()
    optimizer = inner = SGD(1e8)
    if python_loop:  # an optimizer without .state(): run_epoch takes its Python loop
        optimizer = type("Stepper", (), {"step": lambda self, p, g: inner.step(p, g)})()
    X, y = rng.normal(size=(64, 3)) * 100, rng.normal(size=(64, 1)) * 1e6
    with pytest.raises(DivergedError, match="learning_rate_init"):
        for _ in range(5):
            run_epoch(net, X, y, "mse", optimizer, Workspace(net, 8), 8)
            start = net.params.copy()
    np.testing.assert_array_equal(net.params, start)


@pytest.mark.parametrize("hidden", ["tanh", "sigmoid", "relu", "leaky_relu", "softplus"])
def test_float32_training_follows_the_twin(hidden, rng):
    # float32 tanh runs through a rational approximation (~4e-7 relative).
    net = MLP([6, 16, 3], [hidden, "identity"], random_state=rng, dtype=np.float32)
    X = rng.normal(size=(64, 6)).astype(np.float32)
    y = rng.integers(0, 3, 64)
    args = (net.weights, net.biases, net.activations, X, y)
    kwargs = dict(loss="cross_entropy", learning_rate=0.05, batch_size=16, epochs=2,
                  random_state=1)  # fmt: skip
    W, b, _ = sgd(*args, **kwargs)
    W_twin, b_twin, _ = reference.sgd(*args, **kwargs)
    for got, expected in zip(W + b, W_twin + b_twin, strict=True):
        assert got.dtype == np.float32
        np.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("hidden", ["sigmoid", "tanh", "softplus"])
@pytest.mark.parametrize(
    ("loss", "n_out"), [("mse", 2), ("cross_entropy", 3), ("binary_cross_entropy", 2)]
)
def test_gradcheck_equals_its_twin(hidden, loss, n_out, rng):
    # With a coarse step the finite differences' truncation error (∝ h²) is
    # what gradcheck measures: the same number from kernels and from NumPy.
    net = MLP([3, 4, n_out], [hidden, "identity"], random_state=rng)
    X, y = rng.normal(size=(6, 3)), _targets(rng, loss, 6, n_out)
    coarse = gradcheck(net, X, y, loss=loss, eps=0.3, alpha=0.1)
    assert coarse > 1e-5  # really measures something
    twin = reference.gradcheck(net, X, y, loss=loss, eps=0.3, alpha=0.1)
    assert coarse == pytest.approx(twin, rel=1e-8), (hidden, loss)
    assert reference.gradcheck(net, X, y, loss=loss) < 1e-6
    params = net.params.copy()
    reference.gradcheck(net, X, y, loss=loss)
    np.testing.assert_array_equal(net.params, params)  # the twin copies, never changes


def test_blas_threads_one_for_small_batches_and_restored_after(monkeypatch):
    from threadpoolctl import threadpool_info

    from fastnn.nn import training

    def blas():
        return {lib["filepath"]: lib["num_threads"] for lib in threadpool_info()
                if lib["user_api"] == "blas"}  # fmt: skip

    before = blas()
    net = MLP([784, 256, 10], "relu", random_state=0)
    with training.blas_threads(net, 16):  # 3.2 M multiply-adds per product: one thread
        assert set(blas().values()) == {1}
    assert blas() == before
    with training.blas_threads(net, 128):  # 26 M: above the threshold, no more than BLAS had
        assert all(n <= before[path] for path, n in blas().items())
    assert blas() == before
    monkeypatch.setattr(training, "BLAS_MIN_WORK", 1 << 40)
    with training.blas_threads(net, 128):  # raised threshold: one thread
        assert set(blas().values()) == {1}
    monkeypatch.setattr(training, "BLAS_MIN_WORK", 0)
    with training.blas_threads(net, 16):  # no threshold: no more than BLAS had
        assert all(n <= before[path] for path, n in blas().items())
    assert blas() == before


@pytest.fixture
def small_blocks(monkeypatch):
    # Blocks of 2 or 3 rows, so that a few rows cross several block edges.
    from fastnn.nn import network

    monkeypatch.setattr(network, "BLOCK_VALUES", 12)


@pytest.mark.parametrize("n", [1, 2, 3, 7, 12, 13])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_forward_in_blocks_equals_the_twin(n, dtype, small_blocks, rng):
    net = MLP([3, 5, 4, 2], ["tanh", "relu", "identity"], random_state=rng, dtype=dtype)
    X = rng.normal(size=(n, 3)).astype(dtype)
    got = net.forward(X)
    assert got.shape == (n, 2) and got.dtype == dtype
    twin = reference.forward(net.weights, net.biases, net.activations, X)
    np.testing.assert_allclose(got, twin, rtol=1e-5 if dtype == np.float32 else 1e-12)


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
@pytest.mark.parametrize("row", [0, 5, 12])
@pytest.mark.parametrize("zeros", ["none", "some columns", "every column"])
def test_forward_finds_nan_and_inf_in_any_block(bad, row, zeros, small_blocks, rng):
    # The check reads one column of the first product that has no zero weight,
    # or X itself when every column has one; -inf under a ReLU must not hide.
    W = rng.normal(size=(3, 5))
    if zeros == "some columns":
        W[1, :3] = 0.0
    elif zeros == "every column":
        W[np.arange(5) % 3, np.arange(5)] = 0.0
    net = MLP.from_weights([W, rng.normal(size=(5, 1))], [np.zeros(5), [0.0]], ["relu", "identity"])
    X = rng.normal(size=(13, 3))
    for column in range(3):
        X_bad = X.copy()
        X_bad[row, column] = bad
        with pytest.raises(ValueError, match="X must be finite"):
            net.forward(X_bad)


def test_forward_of_finite_input_that_overflows_is_not_an_error(small_blocks):
    # A finite X whose first product overflows float32 fails the probe but
    # passes the full check: the result is what the products give, inf here.
    f = np.float32
    weights = [np.full((2, 2), 1e30, f), np.ones((2, 1), f)]
    net = MLP.from_weights(weights, [np.zeros(2, f), np.zeros(1, f)], ["relu", "identity"])
    X = np.array([[1e30, 1e30], [1.0, 2.0], [3.0, 4.0]], np.float32)
    with np.errstate(over="ignore"):
        out = net.forward(X)
    assert out[0, 0] == np.inf and np.isfinite(out[1:]).all()
