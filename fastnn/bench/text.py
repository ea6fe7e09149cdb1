"""Benchmark workloads of :mod:`fastnn.text` (registered in :mod:`fastnn.bench.workloads`)."""

WORKLOADS = []
