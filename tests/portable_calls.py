"""One representative call of every public function and estimator of fastnn.

:data:`CALLS` maps each public name to a function of a seeded generator that
calls it and returns its results as arrays. ``tests/test_portability.py``
runs them twice: in the test process, and in a fresh process that compiles
every kernel for a CPU without AVX or F16C (``NUMBA_CPU_NAME=generic``, an
empty ``NUMBA_CACHE_DIR``), where it is run as a script::

    python tests/portable_calls.py OUT.npz

which saves every result, then checks that no compiled kernel holds an
instruction the generic target lacks, and prints the names it checked.
"""

from __future__ import annotations

import os
import sys
import tempfile

import numpy as np

PUBLIC_MODULES = [
    "fastnn.image",
    "fastnn.temporal",
    "fastnn.linear",
    "fastnn.metrics",
    "fastnn.nn",
    "fastnn.nn.activations",
    "fastnn.nn.losses",
    "fastnn.datasets",
    "fastnn.text",
    "fastnn.tabular",
]
# Public names that are not computations: constants and registries.
NOT_CALLS = {
    "fastnn.nn.activations.ACTIVATIONS",
    "fastnn.nn.activations.register_activation",
    "fastnn.nn.losses.LOSSES",
    "fastnn.text.ENGLISH_STOP_WORDS",
}


def _image(rng, dtype=np.float64, shape=(24, 31)):
    return (rng.random(shape) * 255).astype(dtype)


def _series(rng, dtype=np.float64, n=200):
    return np.cumsum(rng.standard_normal((3, n)), axis=-1).astype(dtype)


def _classes(rng, n=300, d=6):
    X = rng.standard_normal((n, d))
    y = (X @ rng.standard_normal(d) + 0.3 * rng.standard_normal(n) > 0).astype(int)
    return X, y


def _fitted(estimator, X, y):
    estimator.fit(X, y)
    outputs = [estimator.predict(X)]
    for method in ("decision_function", "predict_proba"):
        if hasattr(estimator, method):
            outputs.append(getattr(estimator, method)(X))
    return outputs


def _perceptron(rng):
    from fastnn.linear import Perceptron, perceptron

    # Big enough (bytes and epochs) for the binary16 shadow on a CPU that has it.
    n, d = 2 * perceptron.SHADOW_MIN_BYTES // (8 * 40) + 1, 40
    X = rng.standard_normal((n, d))
    y = X @ rng.standard_normal(d) > 0
    y[rng.random(n) < 0.05] ^= True  # not separable: every epoch runs
    model = Perceptron(max_iter=perceptron.SHADOW_MIN_EPOCHS + 1)
    return [*_fitted(model, X, y), model.coef_]


def _mlp_classifier(rng):
    from fastnn.nn import MLPClassifier

    X, y = _classes(rng)
    model = MLPClassifier((8,), max_iter=20, random_state=0)
    return _fitted(model, X.astype(np.float32), y)


def _mlp_regressor(rng):
    from fastnn.nn import MLPRegressor

    X, _ = _classes(rng)
    model = MLPRegressor((8,), solver="sgd", learning_rate_init=0.01, max_iter=20, random_state=0)
    return _fitted(model, X, np.sin(X[:, 0]) + X[:, 1])


def _network(rng):
    from fastnn.nn import MLP

    net = MLP([6, 8, 3], ["tanh", "identity"], random_state=0)
    X, y = rng.standard_normal((40, 6)), rng.integers(0, 3, 40)
    _, dW, db = net.gradients(X, y, "cross_entropy", alpha=0.1)
    return [net.forward(X), *dW, *db]


def _optimizer(name):
    def call(rng):
        from fastnn import nn

        theta, target = rng.standard_normal(50), rng.standard_normal(50)
        optimizer = getattr(nn, name)(learning_rate=0.01)
        for _ in range(3):
            optimizer.step(theta, 2 * (theta - target))  # the gradient of ‖θ − target‖²
        return [theta]

    return call


def _sgd(rng):
    from fastnn.nn import MLP, sgd

    net = MLP([6, 5, 1], ["relu", "identity"], random_state=0)
    X, y = rng.standard_normal((64, 6)), rng.standard_normal((64, 1))
    weights, biases, curve = sgd(
        net.weights, net.biases, net.activations, X, y, epochs=3, random_state=0
    )
    return [np.asarray(curve), *weights, *biases]


def _gradcheck(rng):
    from fastnn.nn import MLP, gradcheck

    net = MLP([3, 4, 2], "tanh", random_state=0)
    return [np.asarray(gradcheck(net, rng.standard_normal((5, 3)), rng.standard_normal((5, 2))))]


def _save_and_load(rng):
    from fastnn.nn import MLP, load, save

    net = MLP([3, 4, 2], "relu", random_state=0)
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "net.npz")
        save(net, path)
        return [load(path).forward(rng.standard_normal((5, 3)))]


def _activation(name):
    def call(rng):
        from fastnn.nn import activations

        x = rng.standard_normal((17, 9)) * 4
        if name.endswith("_grad"):
            forward = getattr(activations, name.removesuffix("_grad"))(x)
            return [getattr(activations, name)(x, forward)]
        return [getattr(activations, name)(x), getattr(activations, name)(x.astype(np.float32))]

    return call


_WORDS = ["the", "chicken", "was", "good", "Café", "crème", "running", "runs", "wait", "too"]
_WORDS += ["long", "and", "expensive", "data", "数据"]


def _text(r, n_docs=6):
    return [" ".join(r.choice(_WORDS, r.integers(3, 12))) for _ in range(n_docs)]


def _bag_of_words(r):
    from fastnn.text import BagOfWords

    bow = BagOfWords(ngram_range=(1, 2), stemmer="english")
    return [bow.fit_transform(_text(r)).toarray(), bow.get_feature_names_out().astype(str)]


def _formula(r):
    from fastnn.tabular import formula

    a, b = r.standard_normal(50), r.standard_normal(50).astype(np.float32)
    floats = formula("(a - b) / (abs(a) + 1) + where(b > 0, sqrt(b), -1.0) + exp(-a * a)")
    integers = formula("x // 3 + x % 4 - minimum(x, 2) ** 2")
    return [floats(a=a, b=b), integers(x=r.integers(-9, 9, 30))]


def _groups(r):
    from fastnn.tabular import Groups, group_by

    keys = [r.integers(-3, 3, 60), r.choice(["x", "y"], 60)]
    values = r.standard_normal((60, 2))
    values[r.random((60, 2)) < 0.1] = np.nan
    groups = group_by(keys)
    by_codes = Groups.from_codes(groups.codes, groups.n_groups)
    return [
        groups.aggregate(values, ("size", "sum", "mean", "std", "min", "max", "first", "median")),
        group_by(keys[0] * 2**40).aggregate(values[:, 0].astype(np.float32)),
        by_codes.transform(values, "mean"),
        groups.diff(values, 2),
        groups.lag(values[:, 0]),
        groups.cumsum(values),
        groups.cumcount().astype(np.float64),
        groups.rolling(values, 4, ("mean", "std", "slope"), min_periods=2, closed="left"),
    ]


def _count_encode(r):
    from fastnn.tabular import count_encode

    return [count_encode(r.choice(["a", "b", "c"], 30), normalize=True)]


def _sales(r, n=40):
    import pandas as pd

    return pd.DataFrame(
        {"store": r.choice(["a", "b", "c"], n), "price": r.random(n), "qty": r.integers(0, 5, n)}
    )


def _tabular_frame(r):
    from fastnn.tabular import aggregate

    out = aggregate(_sales(r), by="store", features={"price": ["mean", "std"], "qty": ["sum"]})
    return [out[c].to_numpy(np.float64) for c in out.columns[1:]]


def _tabular_transformer(name):
    def call(r):
        from fastnn import tabular

        sales = _sales(r)
        make = {
            "FormulaFeatures": lambda: tabular.FormulaFeatures({"v": "price * qty + 1"}),
            "GroupFeatures": lambda: tabular.GroupFeatures("store", {"price": ["mean", "max"]}),
            "CountEncoder": lambda: tabular.CountEncoder("store"),
        }[name]
        return [make().fit_transform(sales)]

    return call


def _build_calls():
    from fastnn import image, linear, metrics, temporal, text
    from fastnn.nn import losses

    kernel = np.outer([1, 2, 1], [-1, 0, 1.0])
    calls = {
        "fastnn.image.convolve2d": lambda r: [image.convolve2d(_image(r), kernel, mode="wrap")],
        "fastnn.image.correlate2d": lambda r: [
            image.correlate2d(_image(r, np.float32), r.random((5, 4)))
        ],
        "fastnn.image.gradient_magnitude": lambda r: [image.gradient_magnitude(_image(r))],
        "fastnn.image.gradient_orientation": lambda r: [
            image.gradient_orientation(_image(r, np.float32), operator="prewitt")
        ],
        "fastnn.image.laplace": lambda r: [image.laplace(_image(r, np.uint8))],
        "fastnn.image.prewitt": lambda r: [image.prewitt(_image(r), axis=0)],
        "fastnn.image.rgb_to_gray": lambda r: [image.rgb_to_gray(_image(r, np.uint8, (9, 8, 3)))],
        "fastnn.image.sobel": lambda r: [image.sobel(_image(r, np.float32), mode="nearest")],
        "fastnn.image.hog": lambda r: [
            image.hog(_image(r, np.uint8, (2, 24, 31)), 9, (4, 4), (2, 2)),
            *image.hog(
                _image(r, np.float32, (17, 20, 3)),
                6,
                (4, 5),
                (2, 2),
                "L1-sqrt",
                transform_sqrt=True,
                channel_axis=-1,
                visualize=True,
            ),
        ],
        "fastnn.image.color_histogram": lambda r: [
            image.color_histogram(_image(r, np.uint8, (2, 9, 8, 3)), 16),
            image.color_histogram(_image(r, np.float32, (9, 8, 3)) / 255, 4, joint=True),
        ],
        "fastnn.image.ColorHistogram": lambda r: [
            image.ColorHistogram(bins=4, joint=True).fit_transform(
                _image(r, np.uint8, (3, 9, 8, 3))
            )
        ],
        "fastnn.image.HOG": lambda r: [
            image.HOG(pixels_per_cell=(4, 4), cells_per_block=(2, 2)).fit_transform(
                _image(r, np.float32, (3, 16, 12))
            )
        ],
        "fastnn.temporal.aggregate": lambda r: [temporal.aggregate(_series(r))],
        "fastnn.temporal.autocorrelation": lambda r: [temporal.autocorrelation(_series(r), 5)],
        "fastnn.temporal.diff": lambda r: [temporal.diff(_series(r), 2)],
        "fastnn.temporal.lag": lambda r: [temporal.lag(_series(r, np.float32), 3)],
        "fastnn.temporal.lags": lambda r: [temporal.lags(_series(r), [1, 4])],
        "fastnn.temporal.rolling_max": lambda r: [temporal.rolling_max(_series(r), 7)],
        "fastnn.temporal.rolling_mean": lambda r: [temporal.rolling_mean(_series(r), 7)],
        "fastnn.temporal.rolling_min": lambda r: [temporal.rolling_min(_series(r), 7)],
        "fastnn.temporal.rolling_range": lambda r: [temporal.rolling_range(_series(r), 7)],
        "fastnn.temporal.rolling_slope": lambda r: [temporal.rolling_slope(_series(r), 7)],
        "fastnn.temporal.rolling_spectral_features": lambda r: [
            temporal.rolling_spectral_features(_series(r), 32, step=8)
        ],
        "fastnn.temporal.rolling_std": lambda r: [
            temporal.rolling_std(_series(r, np.float32), 7, min_periods=3)
        ],
        "fastnn.temporal.rolling_sum": lambda r: [temporal.rolling_sum(_series(r), 7)],
        "fastnn.temporal.rolling_var": lambda r: [temporal.rolling_var(_series(r), 7)],
        "fastnn.temporal.spectral_features": lambda r: [temporal.spectral_features(_series(r))],
        "fastnn.temporal.window_features": lambda r: [temporal.window_features(_series(r), 9)],
        "fastnn.temporal.WindowFeatures": lambda r: [
            temporal.WindowFeatures(5, ("mean", "std", "slope")).fit_transform(
                r.standard_normal((40, 3))
            )
        ],
        "fastnn.temporal.Lags": lambda r: [
            temporal.Lags((1, 3)).fit_transform(r.standard_normal((20, 2), np.float32))
        ],
        "fastnn.tabular.formula": _formula,
        "fastnn.tabular.Formula": _formula,
        "fastnn.tabular.aggregate": _tabular_frame,
        "fastnn.tabular.FormulaFeatures": _tabular_transformer("FormulaFeatures"),
        "fastnn.tabular.GroupFeatures": _tabular_transformer("GroupFeatures"),
        "fastnn.tabular.CountEncoder": _tabular_transformer("CountEncoder"),
        "fastnn.tabular.group_by": _groups,
        "fastnn.tabular.Groups": _groups,
        "fastnn.tabular.count_encode": _count_encode,
        "fastnn.temporal.zero_crossing_rate": lambda r: [
            temporal.zero_crossing_rate(np.diff(_series(r)))
        ],
        "fastnn.linear.Perceptron": _perceptron,
        "fastnn.linear.LinearSVM": lambda r: _fitted(
            linear.LinearSVM(C=0.5, random_state=0), *_classes(r)
        ),
        "fastnn.linear.SigmoidNeuron": lambda r: _fitted(
            linear.SigmoidNeuron(loss="log", max_iter=30, random_state=0), *_classes(r)
        ),
        "fastnn.metrics.angular_distance": lambda r: [
            metrics.angular_distance(r.standard_normal((7, 16)), r.standard_normal((5, 16)))
        ],
        "fastnn.metrics.cosine_similarity": lambda r: [
            metrics.cosine_similarity(
                r.standard_normal((7, 16), np.float32), r.standard_normal((5, 16), np.float32)
            )
        ],
        "fastnn.nn.MLP": _network,
        "fastnn.nn.SGD": _optimizer("SGD"),
        "fastnn.nn.Adam": _optimizer("Adam"),
        "fastnn.nn.MLPClassifier": _mlp_classifier,
        "fastnn.nn.MLPRegressor": _mlp_regressor,
        "fastnn.nn.gradcheck": _gradcheck,
        "fastnn.nn.load": _save_and_load,
        "fastnn.nn.save": _save_and_load,
        "fastnn.nn.sgd": _sgd,
        "fastnn.nn.losses.mse": lambda r: [
            np.asarray(losses.mse(r.standard_normal((9, 2)), r.standard_normal((9, 2))))
        ],
        "fastnn.nn.losses.cross_entropy": lambda r: [
            np.asarray(losses.cross_entropy(r.standard_normal((9, 3)), r.integers(0, 3, 9)))
        ],
        "fastnn.datasets.load_digits": lambda r: list(_digits()),
        "fastnn.text.tokenize": lambda r: [np.array(text.tokenize(" ".join(_text(r))))],
        "fastnn.text.BagOfWords": _bag_of_words,
        "fastnn.text.HashingBagOfWords": lambda r: [
            text.HashingBagOfWords(n_features=64).transform(_text(r)).toarray()
        ],
        "fastnn.text.remove_stop_words": lambda r: [
            np.array(text.remove_stop_words(text.tokenize(" ".join(_text(r)))))
        ],
        "fastnn.text.TfIdf": lambda r: [
            text.TfIdf(sublinear_tf=True).fit_transform(_bag_of_words(r)[0]).toarray()
        ],
        "fastnn.text.stem": lambda r: [np.array(text.stem(text.tokenize(" ".join(_text(r)))))],
        "fastnn.text.lemmatize": lambda r: [
            np.array(text.lemmatize(text.tokenize(" ".join(_text(r)))))
        ],
    }
    from fastnn.nn import activations

    for name in activations.__all__:
        qualified = f"fastnn.nn.activations.{name}"
        if qualified not in NOT_CALLS:
            calls[qualified] = _activation(name)
    return calls


def _digits():
    from fastnn.datasets import load_digits

    return load_digits(return_X_y=True)


def public_names():
    """Every public function and class of the modules in :data:`PUBLIC_MODULES`."""
    import importlib

    names = []
    for module_name in PUBLIC_MODULES:
        module = importlib.import_module(module_name)
        for name in module.__all__:
            qualified = f"{module_name}.{name}"
            if qualified not in NOT_CALLS and not isinstance(getattr(module, name), type(sys)):
                names.append(qualified)
    return names


def run_all(seed=0):
    """Return ``{name: [arrays]}``: each call's results, each call with its own generator."""
    results = {}
    for index, (name, call) in enumerate(sorted(_build_calls().items())):
        results[name] = [np.asarray(a) for a in call(np.random.default_rng([seed, index]))]
    return results


def kernels():
    """Every Numba dispatcher fastnn has compiled in this process, by qualified name."""
    from numba.core.registry import CPUDispatcher

    from fastnn._jit import ParallelKernel

    found = {}
    for module_name, module in list(sys.modules.items()):
        if not module_name.startswith("fastnn"):
            continue
        for attr, value in vars(module).items():
            twins = [value.serial, value.parallel] if isinstance(value, ParallelKernel) else [value]
            for twin in twins:
                if isinstance(twin, CPUDispatcher) and twin.signatures:
                    found[f"{module_name}.{attr}:{twin.py_func.__name__}"] = twin
    return found


# What a generic x86-64 CPU lacks: AVX's ymm and AVX-512's zmm registers,
# F16C's binary16 conversions, FMA3.
MISSING_INSTRUCTIONS = ("%ymm", "%zmm", "vcvtph2ps", "vcvtps2ph", "vfmadd")


def foreign_instructions():
    """``{kernel: [instruction, ...]}`` for compiled kernels using what the target lacks."""
    found = {}
    for name, dispatcher in kernels().items():
        for signature in dispatcher.signatures:
            asm = dispatcher.inspect_asm(signature)
            used = [op for op in MISSING_INSTRUCTIONS if op in asm]
            if used:
                found[f"{name}{signature}"] = used
    return found


def main(path):
    import warnings

    from fastnn import _intrinsics

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # convergence warnings of the short fits
        results = run_all()
    np.savez(
        path, **{f"{name}#{k}": a for name, arrays in results.items() for k, a in enumerate(arrays)}
    )
    print("native_half", _intrinsics.native_half())
    print("kernels", len(kernels()))
    print("foreign", foreign_instructions())


if __name__ == "__main__":
    main(sys.argv[1])
