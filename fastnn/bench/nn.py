"""Benchmark workloads of :mod:`fastnn.nn` (gathered in :mod:`fastnn.bench.workloads`).

Training workloads start every call from the same initial weights and
shuffle seed, so fastnn's trained weights can be compared with the NumPy
twin's (:func:`fastnn.nn.reference.sgd`) and each repeat does the same work.

BLAS threads: fastnn's training hands a per-batch product to BLAS's threads
only when it is big enough to gain from them on an idle machine
(:func:`fastnn.nn.training.blas_threads`); the NumPy twin and scikit-learn
keep BLAS's default. On a busy machine all of them swing with the load: on
the shared 2-core machine (load average ~3), a 2,048-row mlp_epoch took
1.15 s for fastnn *and* for the NumPy twin on two BLAS threads, against
26 ms and 24 ms with ``OPENBLAS_NUM_THREADS=1``.

PyTorch is timed in a fresh process of its own (``APART`` in
:mod:`fastnn.bench.run`), so its OpenMP threads spin between parallel
regions as they do by default, and the ``OMP_WAIT_POLICY=PASSIVE`` that
fastnn sets for Numba's pool does not reach it (sharing that libgomp had
made its mlp_epoch ~1.8× slower).
"""

import warnings

import numpy as np

from fastnn.bench.workload import Workload

_LR = 0.01


def _mlp_inputs(sizes, rows, dtype, activation="relu"):
    def make(rng, quick):
        from fastnn.nn import MLP

        n = rows[1] if quick else rows[0]
        net = MLP(sizes, [activation] * (len(sizes) - 2) + ["identity"], random_state=0,
                  dtype=dtype)  # fmt: skip
        return {
            "X": rng.random((n, sizes[0]), dtype=np.float64).astype(dtype),
            "y": rng.integers(0, sizes[-1], n),
            "weights": [w.copy() for w in net.weights],
            "biases": [b.copy() for b in net.biases],
            "activations": list(net.activations),
        }

    return make


def _digits_inputs(rng, quick):
    from fastnn.datasets import load_digits
    from fastnn.nn import MLP

    X, y = load_digits(return_X_y=True)
    if quick:
        X, y = X[:300], y[:300]
    net = MLP([64, 32, 10], ["relu", "identity"], random_state=0)
    weights, biases = [w.copy() for w in net.weights], [b.copy() for b in net.biases]
    return {"X": X / 16, "y": y, "weights": weights, "biases": biases,
            "activations": list(net.activations)}  # fmt: skip


def _flat(weights, biases):
    return np.concatenate([p.ravel() for p in list(weights) + list(biases)])


def _train(module_name, batch_size, epochs):
    def setup(inputs):
        import importlib

        sgd = importlib.import_module(module_name).sgd
        args = (inputs["weights"], inputs["biases"], inputs["activations"], inputs["X"],
                inputs["y"])  # fmt: skip

        def run():
            W, b, _ = sgd(*args, loss="cross_entropy", learning_rate=_LR, batch_size=batch_size,
                          epochs=epochs, random_state=0)  # fmt: skip
            return _flat(W, b)

        return run

    return setup


def _train_sklearn(batch_size, epochs):
    def setup(inputs):
        from sklearn.neural_network import MLPClassifier

        hidden = tuple(w.shape[1] for w in inputs["weights"][:-1])
        clf = MLPClassifier(hidden_layer_sizes=hidden, solver="sgd", batch_size=batch_size,
                            learning_rate_init=_LR, momentum=0.0, alpha=0.0, max_iter=epochs,
                            tol=0.0, n_iter_no_change=10**6, random_state=0)  # fmt: skip
        X, y = inputs["X"], inputs["y"]

        def run():
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                clf.fit(X, y)
            return _flat(clf.coefs_, clf.intercepts_)

        return run

    return setup


def _train_torch(batch_size, epochs):
    def setup(inputs):
        import torch

        torch.set_num_threads(2)
        X = torch.from_numpy(inputs["X"])
        y = torch.from_numpy(inputs["y"])
        dtype = X.dtype

        def run():
            layers = []
            for w, b in zip(inputs["weights"], inputs["biases"], strict=True):
                linear = torch.nn.Linear(*w.shape).to(dtype)
                with torch.no_grad():
                    linear.weight.copy_(torch.from_numpy(w.T.copy()))
                    linear.bias.copy_(torch.from_numpy(b))
                layers += [linear, torch.nn.ReLU()]
            model = torch.nn.Sequential(*layers[:-1])
            optimizer = torch.optim.SGD(model.parameters(), lr=_LR)
            loss_fn = torch.nn.CrossEntropyLoss()
            generator = torch.Generator().manual_seed(0)
            for _ in range(epochs):
                order = torch.randperm(X.shape[0], generator=generator)
                for start in range(0, X.shape[0], batch_size):
                    rows = order[start : start + batch_size]
                    optimizer.zero_grad()
                    loss_fn(model(X[rows]), y[rows]).backward()
                    optimizer.step()
            return model

        return run

    return setup


def _predict_fastnn(inputs):
    from fastnn.nn import MLP

    net = MLP.from_weights(inputs["weights"], inputs["biases"], inputs["activations"])
    X = inputs["X"]
    return lambda: net.forward(X)


def _predict_numpy(inputs):
    from fastnn.nn import reference

    args = (inputs["weights"], inputs["biases"], inputs["activations"], inputs["X"])
    return lambda: reference.forward(*args)


def _predict_sklearn(inputs):
    from sklearn.neural_network import MLPClassifier

    clf = MLPClassifier(hidden_layer_sizes=(256, 128), max_iter=1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        clf.fit(inputs["X"][:200], np.arange(200) % 10)
    clf.coefs_ = [w.copy() for w in inputs["weights"]]
    clf.intercepts_ = [b.copy() for b in inputs["biases"]]
    X = inputs["X"]
    return lambda: clf.predict_proba(X)


def _predict_torch(inputs):
    import torch

    torch.set_num_threads(2)
    X = torch.from_numpy(inputs["X"])
    ws = [torch.from_numpy(w) for w in inputs["weights"]]
    bs = [torch.from_numpy(b) for b in inputs["biases"]]

    def run():
        with torch.no_grad():
            a = X
            for k, (w, b) in enumerate(zip(ws, bs, strict=True)):
                a = torch.addmm(b, a, w)
                if k < len(ws) - 1:
                    a = torch.relu_(a)
            return a.numpy()

    return run


def _vector(rng, quick):
    n = 10**5 if quick else 10**7
    x = (rng.standard_normal(n, dtype=np.float32) * 4).astype(np.float32)
    return {"x": x, "out": np.empty_like(x)}


def _act_fastnn(name):
    def setup(inputs):
        from fastnn.nn import activations

        function, x, out = getattr(activations, name), inputs["x"], inputs["out"]
        return lambda: function(x, out=out)

    return setup


def _act_numpy(name):
    def setup(inputs):
        from fastnn.nn import reference

        x = inputs["x"]
        return lambda: reference.activation(name, x)

    return setup


def _act_torch(name):
    def setup(inputs):
        import torch

        torch.set_num_threads(2)
        x, out = torch.from_numpy(inputs["x"]), torch.from_numpy(inputs["out"])
        function = {"sigmoid": torch.sigmoid, "tanh": torch.tanh, "relu": torch.relu}[name]
        return lambda: function(x, out=out) if name != "relu" else torch.clamp(x, min=0, out=out)

    return setup


_BIG = (784, 256, 128, 10)

WORKLOADS = [
    Workload(
        name="mlp_epoch",
        description="one SGD epoch, 784-256-128-10 ReLU, softmax cross-entropy, batch 128, "
        "60,000×784 float32 (quick: 2,048 rows)",
        make_inputs=_mlp_inputs(_BIG, (60_000, 2_048), np.float32),
        fastnn=_train("fastnn.nn.training", 128, 1),
        numpy=_train("fastnn.nn.reference", 128, 1),
        peers={"sklearn": _train_sklearn(128, 1), "torch": _train_torch(128, 1)},
        # float32 roundings of two BLAS builds (NumPy's and SciPy's OpenBLAS) drift apart
        # over 469 steps: 9e-3 at full size, 7e-8 at --quick size (16 steps); the same epoch
        # in float64 agrees with the twin to 4e-16 (measured).
        rtol=2e-2,
    ),
    Workload(
        name="mlp_small",
        description="20 SGD epochs of 64-32-10 ReLU on the 1,797 digits, batch 32 "
        "(quick: 300 rows)",
        make_inputs=_digits_inputs,
        fastnn=_train("fastnn.nn.training", 32, 20),
        numpy=_train("fastnn.nn.reference", 32, 20),
        peers={"sklearn": _train_sklearn(32, 20), "torch": _train_torch(32, 20)},
        rtol=1e-9,
    ),
    Workload(
        name="mlp_predict",
        description="forward pass of 784-256-128-10 ReLU on 60,000×784 float32 (quick: 2,048)",
        make_inputs=_mlp_inputs(_BIG, (60_000, 2_048), np.float32),
        fastnn=_predict_fastnn,
        numpy=_predict_numpy,
        peers={"sklearn": _predict_sklearn, "torch": _predict_torch},
        rtol=1e-5,
    ),
    *[
        Workload(
            name=f"activation_{name}",
            description=f"{name} of 10^7 float32 into a preallocated out (quick: 10^5)",
            make_inputs=_vector,
            fastnn=_act_fastnn(name),
            numpy=_act_numpy(name),
            peers={"torch": _act_torch(name)},
            rtol=1e-6,
        )
        for name in ("sigmoid", "tanh", "relu")
    ],
]
