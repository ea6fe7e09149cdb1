"""The benchmark runner's own mechanics (not speed): timings, and peers timed apart."""

import os
import subprocess
import sys

import pytest

from fastnn.bench import run as runner
from fastnn.bench.workloads import BY_NAME


def test_measure_counts_calls_and_returns_the_result():
    calls = []
    timing, result = runner.measure(lambda: calls.append(1) or len(calls), budget=0.01, repeats=3)
    assert result == 1  # the first call's result
    assert timing.repeats == 3 and timing.loops >= 1
    assert len(calls) == 2 + timing.repeats * timing.loops
    assert timing.median > 0 and timing.first_call >= 0


def test_a_call_longer_than_the_budget_is_repeated_three_times():
    import time

    calls = []
    timing, _ = runner.measure(lambda: calls.append(time.sleep(0.002)), budget=0.001, repeats=11)
    assert (timing.repeats, timing.loops, len(calls)) == (3, 1, 5)


CHECK_ENV = """
import os
import numpy as np
from fastnn import _jit
from fastnn.bench import run
from fastnn.image import sobel
_jit.PARALLEL_MIN_WORK = 0
sobel(np.ones((64, 64)))  # the first parallel kernel sets the wait policy
assert os.environ["OMP_WAIT_POLICY"] == "PASSIVE"
assert "OMP_WAIT_POLICY" not in run._USER_ENV, run._USER_ENV.get("OMP_WAIT_POLICY")
print(run.measure_apart("pla_dense", "numpy", True, 0.01, 1))
"""


def test_a_peer_timed_apart_starts_from_the_users_environment():
    env = {k: v for k, v in os.environ.items() if k != "OMP_WAIT_POLICY"}
    out = subprocess.run(
        [sys.executable, "-c", CHECK_ENV], capture_output=True, text=True, env=env, timeout=300
    )
    assert out.returncode == 0, out.stderr
    assert "Timing(" in out.stdout


def test_measure_apart_reports_a_failing_peer():
    with pytest.raises(Exception, match="returned non-zero exit status"):
        runner.measure_apart("no such workload", "numpy", True, 0.01, 1)


def test_every_torch_peer_is_timed_apart():
    assert "torch" in runner.APART
    assert any("torch" in w.peers for w in BY_NAME.values())


def test_a_peer_of_several_libraries_needs_each_of_them(monkeypatch):
    from fastnn.bench import workload

    real = workload.importlib.util.find_spec
    monkeypatch.setattr(
        workload.importlib.util, "find_spec", lambda m: None if m == "numbagg" else real(m)
    )
    available = BY_NAME["window_features"].available()
    assert "bottleneck+numbagg" not in available
    assert {"fastnn", "numpy"} <= set(available)
