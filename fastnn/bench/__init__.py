"""fastnn's benchmarks: one registry of workloads (:mod:`fastnn.bench.workloads`), timed by
``python -m fastnn.bench``, the asv suites and the pytest-benchmark tests in ``bench/``."""

from fastnn.bench.workloads import BY_NAME, WORKLOADS, Workload

__all__ = ["BY_NAME", "WORKLOADS", "Workload"]
