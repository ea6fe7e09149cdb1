"""fastnn on a CPU without AVX or F16C: the same results, no instruction it lacks.

A fresh process compiles every kernel with ``NUMBA_CPU_NAME=generic`` (what
Numba emits for a cache shared between machines, and the nearest this
machine comes to an older CPU) into an empty ``NUMBA_CACHE_DIR``, makes one
call of every public function and estimator (``tests/portable_calls.py``)
and saves the results. This test compares them with the same calls here.

Tolerance: both processes use this machine's NumPy, BLAS and libm, and
fastnn compiles without ``fastmath``, so LLVM reorders no floating-point
operation for either target; what differs is instruction selection (vector
widths, ``llvm.fma`` as an instruction or a correctly rounded libm call).
Results of fixed-order kernels should then agree to the last bit; the
comparison leaves room for a few rounding steps amplified by a short fit
(relative to each result's largest magnitude: 1e-9 in float64, 1e-4 in
float32), far below any real difference, such as a path taken on one
target and not the other.
"""

import os
import subprocess
import sys
import warnings

import numpy as np
import pytest
from portable_calls import PUBLIC_MODULES, _build_calls, public_names, run_all

HERE = os.path.dirname(os.path.abspath(__file__))
RTOL = {np.dtype(np.float64): 1e-9, np.dtype(np.float32): 1e-4}


def test_every_public_name_has_a_call():
    """A new public function or estimator must join the portability run."""
    missing = sorted(set(public_names()) - set(_build_calls()))
    assert not missing, f"add a call to tests/portable_calls.py for: {missing}"
    assert {name.rsplit(".", 1)[0] for name in public_names()} == set(PUBLIC_MODULES)


@pytest.fixture(scope="module")
def generic_run(tmp_path_factory):
    folder = tmp_path_factory.mktemp("generic")
    env = dict(os.environ, NUMBA_CPU_NAME="generic", NUMBA_CACHE_DIR=str(folder / "cache"))
    env.pop("NUMBA_CPU_FEATURES", None)
    out = subprocess.run(
        [sys.executable, os.path.join(HERE, "portable_calls.py"), str(folder / "results.npz")],
        env=env, capture_output=True, text=True, timeout=1800, check=False,
    )  # fmt: skip
    assert out.returncode == 0, out.stderr[-5000:]
    report = dict(line.split(" ", 1) for line in out.stdout.splitlines() if " " in line)
    with np.load(folder / "results.npz") as saved:
        results = {key: saved[key] for key in saved.files}
    return report, results


def test_generic_target_takes_no_path_it_lacks(generic_run):
    report, _ = generic_run
    # native_half asks Numba's target, so the binary16 shadow is not built ...
    assert report["native_half"] == "False"
    assert int(report["kernels"]) > 20  # the kernels were found and inspected
    # ... and no compiled kernel holds an AVX, AVX-512, F16C or FMA instruction.
    assert report["foreign"] == "{}", report["foreign"]


def test_generic_target_gives_the_same_results(generic_run):
    _, generic = generic_run
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # convergence warnings of the short fits
        here = run_all()
    assert {key.split("#")[0] for key in generic} == set(here)
    for name, arrays in here.items():
        for k, expected in enumerate(arrays):
            got = generic[f"{name}#{k}"]
            msg = f"{name} result {k}"
            assert got.dtype == expected.dtype and got.shape == expected.shape, msg
            if expected.dtype.kind != "f":
                np.testing.assert_array_equal(got, expected, err_msg=msg)
                continue
            finite = np.abs(expected[np.isfinite(expected)])
            scale = float(finite.max()) if finite.size else 0.0
            np.testing.assert_allclose(
                got, expected, rtol=0, atol=RTOL[expected.dtype] * scale, equal_nan=True,
                err_msg=msg,
            )  # fmt: skip
