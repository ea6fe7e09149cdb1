"""The one registry of benchmark workloads: every domain's, in the order of the report.

Each domain keeps its workloads in its own module of :mod:`fastnn.bench`, written
with :class:`~fastnn.bench.workload.Workload`; this module only gathers them.
"""

from __future__ import annotations

from fastnn.bench import image, linear, nn, tabular, temporal, text
from fastnn.bench.workload import Workload

__all__ = ["BY_NAME", "WORKLOADS", "Workload"]

WORKLOADS = [
    *image.WORKLOADS,
    *temporal.WORKLOADS,
    *tabular.WORKLOADS,
    *text.WORKLOADS,
    *nn.WORKLOADS,
    *linear.WORKLOADS,
]
BY_NAME = {w.name: w for w in WORKLOADS}
