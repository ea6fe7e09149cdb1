"""pytest-benchmark front-end of the registry.

``pytest bench`` runs every (workload, implementation) once as a test, with a
correctness check against the NumPy twin; ``pytest bench --benchmark-enable``
times them, grouped by workload. Only installed implementations are collected,
so nothing is skipped for ever.
"""

import pytest

from fastnn.bench.workloads import WORKLOADS

CASES = [(w, name) for w in WORKLOADS for name in w.available()]


@pytest.mark.parametrize(("workload", "implementation"), CASES,
                         ids=[f"{w.name}-{name}" for w, name in CASES])  # fmt: skip
def test_workload(benchmark, workload, implementation):
    inputs = workload.inputs(quick=True)
    run = workload.implementations[implementation](inputs)
    run()  # compile and warm outside the timing
    benchmark.group = workload.name
    result = benchmark(run)
    if implementation == "fastnn":
        reference = workload.numpy(inputs)()
        assert workload.error(result, reference) <= workload.rtol, workload.name
