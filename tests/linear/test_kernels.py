"""The kernels of fastnn.linear and fastnn.metrics: lazy compilation, the exact lane dot,
the exact decision filter, and serial and parallel twins that agree."""

import os
import subprocess
import sys

import numpy as np
import pytest
import scipy.sparse as sp

from fastnn._intrinsics import LANES, lane_dot, native_half
from fastnn._jit import jit
from fastnn.linear import LinearSVM, Perceptron, perceptron
from fastnn.linear._rows import decision_weights, row_decision, row_dot, row_sign
from fastnn.metrics import _kernels as metric_kernels

from .conftest import blobs

CHECK_IMPORTS = """
import sys, numba, fastnn
from fastnn import _jit
assert "sklearn" not in sys.modules, "import fastnn imported scikit-learn"
import fastnn.metrics
assert "sklearn" not in sys.modules and "fastnn.linear" not in sys.modules, sorted(sys.modules)
import fastnn.linear
from fastnn.linear import _kernels as lk
from fastnn.metrics import _kernels as mk
compiled = []
for module in (lk, mk):
    for name in dir(module):
        obj = getattr(module, name)
        parts = [obj.serial, obj.parallel] if isinstance(obj, _jit.ParallelKernel) else [obj]
        for d in parts:
            if isinstance(d, numba.core.registry.CPUDispatcher) and d.signatures:
                compiled.append(module.__name__ + "." + name)
print(compiled)
"""


def test_import_compiles_nothing_and_loads_sklearn_only_for_linear():
    out = subprocess.run(
        [sys.executable, "-c", CHECK_IMPORTS], capture_output=True, text=True, env=os.environ.copy()
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"


@jit
def _lane_dot(x, w):
    return lane_dot(x, w, x.shape[0] // LANES)


@jit
def _decide(X, i, w, b, norms):
    wd, w_norm = decision_weights(X, w)
    return row_decision(X, i, w, wd, b, norms, w_norm)


@jit
def _sign(X, i, w, b, norms):
    wd, w_norm = decision_weights(X, w)
    return row_sign(X, i, wd, b, norms, w_norm)


@jit
def _dot(X, i, w):
    return row_dot(X, i, w)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_lane_dot_is_exactly_eight_sequential_lanes(dtype, rng):
    for d in [0, 1, 7, 8, 9, 16, 50, 63, 64, 65, 200]:
        x = (rng.standard_normal(d) * 10.0 ** rng.integers(-5, 5, d)).astype(dtype)
        w = rng.standard_normal(d) * 10.0 ** rng.integers(-5, 5, d)
        lanes = [0.0] * LANES
        head = d - d % LANES
        for j in range(head):
            lanes[j % LANES] += float(x[j]) * float(w[j])
        expected = ((lanes[0] + lanes[1]) + (lanes[2] + lanes[3])) + (
            (lanes[4] + lanes[5]) + (lanes[6] + lanes[7])
        )
        assert _lane_dot(x, w) == expected, d
        tail = expected
        for j in range(head, d):
            tail += float(x[j]) * float(w[j])
        assert _dot(x[None, :], 0, w) == tail, d


def _canonical(x, w, b):
    z = b
    for xj, wj in zip(x.tolist(), w.tolist(), strict=True):
        z += xj * wj
    return z > 0.0


def test_decisions_are_the_column_order_sum_even_at_near_ties(rng):
    """Cancelling terms make the SIMD sum and the column-order sum differ; the decision
    must always be the latter's, dense or CSR."""
    disagreements = 0
    for trial in range(3000):
        d = int(rng.integers(2, 40))
        big = 10.0 ** rng.integers(0, 17)
        x = rng.choice([-1.0, 1.0, 0.5, 3.0, 0.0], d)
        w = rng.choice([-big, big, 1.0, -1.0, 1e-3, 0.0], d)
        b = float(rng.choice([0.0, 1.0, -1.0, 1e-17, -1e-17]))
        norms = np.array([np.linalg.norm(x)])
        want = _canonical(x, w, b)
        got = _decide(x[None, :], 0, w, b, norms)
        X = sp.csr_matrix(x[None, :])
        got_csr = _decide((X.indptr, X.indices, X.data), 0, w, b, np.zeros(0))
        assert got == want == got_csr, (trial, x, w, b)
        disagreements += (float(_dot(x[None, :], 0, w)) + b > 0.0) != want
    assert disagreements > 0  # the test did reach cases the SIMD sum alone gets wrong


def _pla_rows(X, monkeypatch, shadowed):
    monkeypatch.setattr(perceptron, "SHADOW_MIN_BYTES", 0 if shadowed else 1 << 62)
    rows, norms = perceptron._pla_rows(X, 10)
    # rows whose squares overflow are never shadowed: they are summed canonically
    assert isinstance(rows, tuple) == (shadowed and bool(np.isfinite(norms).all()))
    return rows, norms


@pytest.mark.skipif(not native_half(), reason="no binary16 conversions on this CPU")
def test_shadowed_decisions_are_the_float64_column_order_sum(rng, monkeypatch):
    """Decisions from binary16 rows must still be the float64 canonical sum's, also
    where the rounding moves the sum across 0 (near ties), for rows of tiny and huge
    magnitudes (binary16 subnormals, scales far from 1, squares that underflow), and
    weights outside the range where the half rows may decide. The float64 rows' own
    filter too."""
    disagreements = undecided = 0
    for trial in range(3000):
        d = int(rng.integers(1, 40)) if trial % 10 else int(rng.integers(500, 3000))
        x = rng.standard_normal(d) * 10.0 ** float(rng.choice([0, 0, -40, -300, 30, 200]))
        x[rng.random(d) < 0.2] *= 10.0 ** float(rng.choice([-3, -9, -20]))  # binary16 subnormals
        w = rng.standard_normal(d) * 10.0 ** float(rng.choice([-3, 0, 3, -35, 25]))
        z = 0.0
        for xj, wj in zip(x.tolist(), w.tolist(), strict=True):
            z += xj * wj
        # a bias that cancels the sum up to a few ulps of it: a near tie; or not
        b = -z + float(rng.choice([0.0, 1.0, -1.0, 4.0, 1e6])) * np.spacing(abs(z) + 1e-300)
        if trial % 2:
            b = -z * float(rng.uniform(0.0, 2.0))
        rows, norms = _pla_rows(x[None, :], monkeypatch, shadowed=True)
        want = _canonical(x, w, b)
        assert _decide(rows, 0, w, b, norms) == want, (trial, x, w, b)
        plain, plain_norms = _pla_rows(x[None, :], monkeypatch, shadowed=False)
        assert _decide(plain, 0, w, b, plain_norms) == want, trial
        sign = _sign(rows, 0, w, b, norms)
        assert sign in (0, 2 * want - 1), (trial, sign, want)  # sure means right
        undecided += sign == 0
        if isinstance(rows, tuple):
            _, halves, scales = rows
            half = halves[:d].view(np.float16).astype(np.float64) * scales[0]
            disagreements += (float(half @ w) + b > 0.0) != want
    assert disagreements > 0  # the half rows alone get some of them wrong
    assert undecided < 3000  # and the filter settles others


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_parallel_and_serial_twins_agree(rng, parallel_and_serial):
    X, y = blobs(rng, 3000, 30, 4, spread=3.0)
    X /= 3.0

    def fit_all():
        pla = Perceptron(max_iter=5, tol=None, shuffle=True, random_state=0).fit(X, y)
        svm = LinearSVM(random_state=0, max_iter=50, tol=1e-3).fit(X, y)
        return pla.coef_, pla.errors_, svm.coef_, svm.intercept_

    parallel, serial = parallel_and_serial(fit_all)
    for a, b in zip(parallel, serial, strict=True):
        np.testing.assert_array_equal(a, b)


def test_normalize_rows_twins_agree(rng):
    a = rng.standard_normal((700, 600))
    out_serial, out_parallel = np.empty_like(a), np.empty_like(a)
    metric_kernels.normalize_rows.serial(a, out_serial)
    metric_kernels.normalize_rows.parallel(a, out_parallel)
    np.testing.assert_array_equal(out_serial, out_parallel)


def test_float32_rows_are_squared_in_float64(rng):
    """float32 in, float64 arithmetic: results are the float64 ones, rounded once."""
    from fastnn.linear._base import row_norms

    a = rng.standard_normal((300, 37)).astype(np.float32)
    np.testing.assert_array_equal(row_norms(a), row_norms(a.astype(np.float64)))
    unit32, unit64 = np.empty_like(a), np.empty(a.shape)
    metric_kernels.normalize_rows.serial(a, unit32)
    metric_kernels.normalize_rows.serial(a.astype(np.float64), unit64)
    np.testing.assert_array_equal(unit32, unit64.astype(np.float32))
