"""The temporal kernels are parallel kernels with serial twins.

The house JIT policy (lazy, cached, no fastmath, nothing compiled at import)
is checked for every kernel module, these included, in tests/test_jit.py.
"""

from fastnn import _jit
from fastnn.temporal import _kernels

PUBLIC_KERNELS = [
    "rolling_features",
    "aggregate",
    "spectral_summary",
    "zero_crossing_rate",
    "autocorrelation",
]


def test_public_kernels_are_parallel_kernels_with_twins():
    for name in PUBLIC_KERNELS:
        kernel = getattr(_kernels, name)
        assert isinstance(kernel, _jit.ParallelKernel), name
        assert kernel.parallel.targetoptions["parallel"], name
        assert kernel.serial.py_func.__qualname__ != kernel.parallel.py_func.__qualname__, name
