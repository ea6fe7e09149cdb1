"""Time the registry's workloads: the engine behind ``python -m fastnn.bench``."""

from __future__ import annotations

import contextlib
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field

from fastnn.bench.workloads import BY_NAME, WORKLOADS

# Peers with an OpenMP runtime of their own are timed in a process of their
# own. PyTorch's threads share the libgomp that Numba loads, and libgomp
# reads OMP_WAIT_POLICY once, when it loads: after fastnn's first parallel
# kernel has set it to PASSIVE (fastnn._jit), PyTorch's threads sleep between
# its parallel regions too, which made its mlp_epoch 1.8x slower.
APART = frozenset({"torch"})
# The environment as the user started the process, before fastnn set anything.
_USER_ENV = dict(os.environ)


@dataclass
class Timing:
    first_call: float  # seconds: compile or cache load for fastnn, warm-up for the rest
    median: float  # seconds per call, median of the repeats
    repeats: int
    loops: int  # calls per repeat
    error: float | None = None  # deviation from the NumPy twin's result, relative


@dataclass
class Result:
    workload: str
    description: str
    timings: dict[str, Timing] = field(default_factory=dict)
    floor: Timing | None = None

    def speedup(self):
        """NumPy twin time / fastnn time."""
        return self.timings["numpy"].median / self.timings["fastnn"].median

    def best_peer(self):
        peers = {k: v for k, v in self.timings.items() if k not in ("fastnn", "numpy")}
        if not peers:
            return None, None
        name = min(peers, key=lambda k: peers[k].median)
        return name, peers[name]


def measure(fn, *, budget, repeats):
    """Time ``fn``: the first call apart, then the median of ``repeats`` repeats.

    Each repeat runs ``fn`` enough times to last about ``budget / repeats``
    seconds, so short calls are not lost in the clock's resolution. A call
    longer than the whole budget (a NumPy twin's Python loop of 30 s) is
    repeated only three times: its median is as steady, and the run stays
    minutes long.
    """
    start = time.perf_counter()
    result = fn()
    first = time.perf_counter() - start
    start = time.perf_counter()
    fn()
    once = max(time.perf_counter() - start, 1e-7)
    loops = max(1, int(budget / repeats / once))
    if once > budget:
        repeats = min(repeats, 3)
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        for _ in range(loops):
            fn()
        samples.append((time.perf_counter() - start) / loops)
    return Timing(first, statistics.median(samples), repeats, loops), result


def run(names=None, *, quick=False, progress=None):
    """Run the workloads ``names`` (all by default) and return a list of :class:`Result`."""
    budget, repeats = (0.2, 5) if quick else (1.0, 11)
    chosen = [w for w in WORKLOADS if names is None or w.name in names]
    results = []
    for index, workload in enumerate(chosen, 1):
        inputs = workload.inputs(quick=quick)
        result = Result(workload.name, workload.description)
        reference = None
        for name in workload.available():
            if progress:
                progress(f"[{index}/{len(chosen)}] {workload.name}: {name}")
            if name in APART:
                result.timings[name] = measure_apart(workload.name, name, quick, budget, repeats)
                continue
            fn = workload.implementations[name](inputs)
            timing, output = measure(fn, budget=budget, repeats=repeats)
            if name == "numpy":
                reference = output
            result.timings[name] = timing
            if name == "fastnn":
                fastnn_output = output
        result.timings["fastnn"].error = workload.error(fastnn_output, reference)
        if workload.floor is not None:
            result.floor, _ = measure(workload.floor(inputs), budget=budget, repeats=repeats)
        results.append(result)
    return results


def measure_apart(workload, implementation, quick, budget, repeats):
    """:func:`measure` ``implementation`` of ``workload`` in a fresh process (same inputs)."""
    args = [workload, implementation, str(int(quick)), str(budget), str(repeats)]
    out = subprocess.run(
        [sys.executable, "-m", "fastnn.bench.run", *args],
        capture_output=True, text=True, env=_USER_ENV, check=True,
    )  # fmt: skip
    return Timing(**json.loads(out.stdout.strip().splitlines()[-1]))


def _measure_here(workload, implementation, quick, budget, repeats):
    workload = BY_NAME[workload]
    fn = workload.implementations[implementation](workload.inputs(quick=bool(int(quick))))
    timing, _ = measure(fn, budget=float(budget), repeats=int(repeats))
    print(json.dumps(asdict(timing)))


def environment():
    """Machine and versions, for the footer of a table and the JSON."""
    import numba
    import numpy
    import scipy

    import fastnn

    versions = {"python": platform.python_version(), "fastnn": fastnn.__version__}
    versions.update(numpy=numpy.__version__, numba=numba.__version__, scipy=scipy.__version__)
    peers = (("opencv", "cv2"), ("scikit-image", "skimage"), ("scikit-learn", "sklearn"),
             ("pandas", "pandas"), ("bottleneck", "bottleneck"), ("numbagg", "numbagg"),
             ("torch", "torch"))  # fmt: skip
    for label, module in peers:
        with contextlib.suppress(ImportError):
            versions[label] = __import__(module).__version__
    return {
        "machine": f"{_cpu_name()}, {_cores()} cores, {platform.system()} {platform.machine()}",
        "threads": fastnn.get_num_threads(),
        "versions": versions,
        "command": "python -m fastnn.bench " + " ".join(sys.argv[1:]),
    }


def _cpu_name():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def _cores():
    import os

    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()


def as_json(results, startup):
    return {
        "environment": environment(),
        "results": [asdict(r) for r in results],
        "startup": startup,
    }


if __name__ == "__main__":  # the process of measure_apart
    _measure_here(*sys.argv[1:])
