"""Benchmark workloads of :mod:`fastnn.tabular` (registered in :mod:`fastnn.bench.workloads`)."""

WORKLOADS = []
