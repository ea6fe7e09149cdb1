"""fastnn: the classic machine-learning building blocks as Numba kernels.

Feature extraction (image, temporal, tabular, text) and models (perceptron,
linear SVM, multi-layer perceptron) whose hot loops are Numba kernels behind
a small, scikit-learn-style API, each with a pure-NumPy twin beside it.

Importing fastnn compiles nothing: each kernel compiles at its first call and
is cached on disk (``FASTNN_CACHE=0`` turns the cache off). The domains are
imported on first use: ``fastnn.image``.
"""

import importlib

from fastnn._jit import get_num_threads, set_num_threads

__version__ = "0.1.0"
__all__ = [
    "__version__",
    "datasets",
    "get_num_threads",
    "image",
    "linear",
    "metrics",
    "nn",
    "set_num_threads",
    "tabular",
    "temporal",
    "text",
]

_DOMAINS = {
    "image",
    "bench",
    "nn",
    "datasets",
    "temporal",
    "linear",
    "metrics",
    "tabular",
    "text",
}


def __getattr__(name):
    # Domains load on first use, so `import fastnn` stays cheap.
    if name in _DOMAINS:
        return importlib.import_module(f"fastnn.{name}")
    raise AttributeError(f"module 'fastnn' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | _DOMAINS)
