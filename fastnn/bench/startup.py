"""Start-up costs, each measured in fresh interpreters: import time and the first kernel call."""

import statistics
import subprocess
import sys

_IMPORT = """
import time, numpy, numba, scipy
start = time.perf_counter()
import fastnn, fastnn.image
print(time.perf_counter() - start)
"""

# Numba initialises its CPU target at the first call of any kernel in a
# process (~0.3 s here: it imports its own registries, and scipy.linalg for
# BLAS), cached or not. A trivial cached kernel pays that first; what the
# fastnn kernel's first call costs after it is the load of its cached code.
_FIRST_CALL = """
import time, numpy as np, fastnn.image
from fastnn.bench._floor import numba_baseline
start = time.perf_counter()
numba_baseline(1.0)
numba_start = time.perf_counter() - start
image = np.ones((64, 64), np.float32)
start = time.perf_counter()
fastnn.image.gradient_magnitude(image)
print(numba_start, time.perf_counter() - start)
"""


def _fresh(code):
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    values = [float(v) for v in out.stdout.strip().splitlines()[-1].split()]
    return values if len(values) > 1 else values[0]


def measure(repeats=5):
    """Return medians in seconds: ``import`` beyond numpy + numba + scipy, and first calls.

    The first-call probe runs once unmeasured, so that the kernel is in
    Numba's on-disk cache; the measured runs load it. Numba's own start-up is
    measured apart. (Compile time is the "first call" column of the table.)
    """
    imports = [_fresh(_IMPORT) for _ in range(repeats)]
    _fresh(_FIRST_CALL)
    numba_starts, first_calls = zip(*(_fresh(_FIRST_CALL) for _ in range(repeats)), strict=True)
    return {
        "import_seconds": statistics.median(imports),
        "numba_startup_seconds": statistics.median(numba_starts),
        "first_call_cached_seconds": statistics.median(first_calls),
    }
