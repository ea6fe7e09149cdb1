"""Shared fixtures: a seeded ``rng`` per test, thread-count switching, Hypothesis profiles.

Nothing is seeded globally: each test that wants random numbers asks for
``rng``, a ``numpy.random.Generator`` seeded from the test's own id, so a
failure reproduces alone (``pytest path::test[params]``) and tests do not
share a stream whose order would depend on which of them ran.
"""

import os
import zlib

import numpy as np
import pytest
from hypothesis import settings

import fastnn
from fastnn import _jit

# deadline=None: the first call of a fastnn function JIT-compiles (seconds),
# which Hypothesis would otherwise report as a flaky timeout.
settings.register_profile("ci", max_examples=60, deadline=None)
settings.register_profile("quick", max_examples=15, deadline=None)
settings.register_profile("thorough", max_examples=1000, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


@pytest.fixture
def rng(request):
    """A ``numpy.random.Generator`` seeded from the test's node id (stable across runs)."""
    return np.random.default_rng(zlib.crc32(request.node.nodeid.encode()))


@pytest.fixture
def parallel_and_serial(monkeypatch):
    """Return ``both(f)``: ``f()`` through the parallel twins, then through the serial ones.

    The parallel twins run whatever the size (the work threshold is lowered
    to 0 for the test), so small inputs exercise them; the thread count is
    restored even when ``f`` raises, so no later test runs serial by accident.
    """
    monkeypatch.setattr(_jit, "PARALLEL_MIN_WORK", 0)

    def both(f):
        n_threads = fastnn.get_num_threads()
        parallel = f()
        fastnn.set_num_threads(1)
        try:
            serial = f()
        finally:
            fastnn.set_num_threads(n_threads)
        return parallel, serial

    return both
