"""The temporal kernels follow the JIT policy: lazy, cached, nothing compiled at import."""

import os
import subprocess
import sys

import numba

from fastnn import _jit
from fastnn.temporal import _kernels

PUBLIC_KERNELS = [
    "rolling_sums",
    "rolling_moments",
    "rolling_extrema",
    "rolling_trend",
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


def test_importing_temporal_compiles_nothing():
    code = """
import numba, fastnn, fastnn.temporal
from fastnn import _jit
from fastnn.temporal import _kernels
compiled = []
for attr in dir(_kernels):
    obj = getattr(_kernels, attr)
    parts = [obj.serial, obj.parallel] if isinstance(obj, _jit.ParallelKernel) else [obj]
    for d in parts:
        if isinstance(d, numba.core.registry.CPUDispatcher) and d.signatures:
            compiled.append(attr)
print(compiled, len([a for a in dir(_kernels) if isinstance(getattr(_kernels, a),
      (numba.core.registry.CPUDispatcher, _jit.ParallelKernel))]))
"""
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=dict(os.environ)
    )
    assert out.returncode == 0, out.stderr
    compiled, count = out.stdout.rsplit(" ", 1)
    assert compiled == "[]"
    assert int(count) > 20


def test_every_kernel_is_cached_without_fastmath():
    for name in dir(_kernels):
        obj = getattr(_kernels, name)
        parts = [obj.serial, obj.parallel] if isinstance(obj, _jit.ParallelKernel) else [obj]
        for d in parts:
            if isinstance(d, numba.core.registry.CPUDispatcher):
                assert d.targetoptions["nogil"] is True, name
                assert d.targetoptions.get("fastmath", False) is False, name
                assert (d._cache.__class__.__name__ != "NullCache") == _jit.CACHE, name
