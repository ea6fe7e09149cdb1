"""What a benchmark workload is: its inputs, its implementations, and which peers are installed.

Each :class:`Workload` is written once, in the module of its domain
(``fastnn.bench.image``, ...), gathered in :mod:`fastnn.bench.workloads`, and read by
the three front-ends:
``python -m fastnn.bench`` (the speedup table), the asv suites in
``bench/benchmarks.py`` and the pytest-benchmark tests in ``bench/``. An
implementation is a *setup*: a function of the inputs that returns a
zero-argument callable, so no timing includes input making, conversion or
imports. Peers are imported inside their setup and raise ImportError when
missing, which every front-end treats as "not installed here".
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

Setup = Callable[[dict], Callable[[], Any]]

# The module each peer needs; a peer whose module is missing is "not installed".
# A peer made of several ("bottleneck+numbagg") needs each part's.
PEER_MODULES = {
    "scipy": "scipy",
    "opencv": "cv2",
    "skimage": "skimage",
    "torch": "torch",
    "bottleneck": "bottleneck",
    "pandas": "pandas",
    "numbagg": "numbagg",
    "sklearn": "sklearn",
    "polars": "polars",
    "duckdb": "duckdb",
    "numexpr": "numexpr",
    "pystemmer": "Stemmer",
}


@dataclass(frozen=True)
class Workload:
    """A named job, its inputs, and every implementation of it that we compare."""

    name: str
    description: str
    make_inputs: Callable[[np.random.Generator, bool], dict]  # (rng, quick) -> inputs
    fastnn: Setup
    numpy: Setup
    peers: dict[str, Setup] = field(default_factory=dict)
    floor: Setup | None = None  # a memory-bound lower bound, reported beside the table
    rtol: float = 1e-5  # how close fastnn must come to the NumPy twin (relative to max |twin|)

    def inputs(self, quick=False, seed=0):
        return self.make_inputs(np.random.default_rng(seed), quick)

    @property
    def implementations(self):
        return {"fastnn": self.fastnn, "numpy": self.numpy, **self.peers}

    def available(self):
        """Names of the implementations whose libraries are installed here."""
        return [name for name in self.implementations if _installed(name)]

    def error(self, result, reference):
        """Largest deviation of ``result`` from the twin's, relative to the twin's scale."""
        result, reference = np.asarray(result, np.float64), np.asarray(reference, np.float64)
        scale = max(float(np.abs(reference).max()), np.finfo(np.float64).tiny)
        return float(np.abs(result - reference).max() / scale)


def _installed(name):
    modules = [PEER_MODULES[part] for part in name.split("+") if part in PEER_MODULES]
    return all(importlib.util.find_spec(module) is not None for module in modules)
