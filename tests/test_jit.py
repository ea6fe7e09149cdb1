"""The JIT layer: one home for Numba options, lazy compilation, caching, threads."""

import importlib
import os
import pathlib
import re
import shutil
import stat
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import numba
import numpy as np
import pytest

import fastnn
from fastnn import _jit
from fastnn.image import _kernels

PACKAGE = pathlib.Path(fastnn.__file__).parent
# Every module that holds kernels: each domain's _kernels.py (or the modules of
# its _kernels package), and the bench's floor.
KERNEL_MODULES = sorted(
    ".".join(("fastnn", *p.relative_to(PACKAGE).with_suffix("").parts))
    for p in PACKAGE.rglob("*.py")
    if p.name in ("_kernels.py", "_floor.py")
    or (p.parent.name == "_kernels" and p.name != "__init__.py")
)


def _kernel_dispatchers(module):
    for name in dir(module):
        obj = getattr(module, name)
        if isinstance(obj, _jit.ParallelKernel):
            yield f"{name}.serial", obj.serial
            yield f"{name}.parallel", obj.parallel
        elif isinstance(obj, numba.core.registry.CPUDispatcher):
            yield name, obj


def test_numba_options_live_in_jit_module_only():
    # Any decorator or call that sets Numba options outside _jit.py is a stray.
    stray = re.compile(
        r"(@\s*numba\.|\bnjit\b|\bnumba\.jit\b|\b(cache|fastmath|nogil|error_model)\s*=)"
    )
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if path.name == "_jit.py":
            continue
        for number, line in enumerate(path.read_text().splitlines(), 1):
            code = line.split("#", 1)[0]
            if stray.search(code):
                found.append(f"{path.relative_to(PACKAGE)}:{number}: {line.strip()}")
    assert not found, "Numba options outside fastnn/_jit.py:\n" + "\n".join(found)


@pytest.mark.parametrize("module", KERNEL_MODULES)
def test_jit_policy(module):
    dispatchers = dict(_kernel_dispatchers(importlib.import_module(module)))
    assert dispatchers
    for name, dispatcher in dispatchers.items():
        options = dispatcher.targetoptions
        assert options["nogil"] is True, name
        assert options.get("fastmath", False) is False, name
        cache = type(dispatcher._cache).__name__
        assert cache == ("FunctionCache" if _jit.CACHE else "NullCache"), (name, cache)


def test_parallel_kernel_has_serial_and_parallel_twins():
    kernel = _kernels.stencil_3x3
    assert kernel.parallel.targetoptions["parallel"]
    assert not kernel.serial.targetoptions.get("parallel", False)
    # distinct names, so their on-disk caches cannot collide
    assert kernel.serial.py_func.__qualname__ != kernel.parallel.py_func.__qualname__


def _fresh_python(code, env=None, cwd=None):
    return subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True, text=True, env={**os.environ, **(env or {})}, cwd=cwd,
    )  # fmt: skip


def test_import_compiles_nothing():
    code = f"""
import importlib, numba, fastnn
from fastnn import _jit
compiled = []
for name in {KERNEL_MODULES!r}:
    module = importlib.import_module(name)
    for attr in dir(module):
        obj = getattr(module, attr)
        parts = [obj.serial, obj.parallel] if isinstance(obj, _jit.ParallelKernel) else [obj]
        for d in parts:
            if isinstance(d, numba.core.registry.CPUDispatcher) and d.signatures:
                compiled.append(name + "." + attr)
print(compiled)
"""
    out = _fresh_python(code)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"


def test_cache_can_be_turned_off():
    code = "from fastnn import _jit; from fastnn.image import _kernels; " \
           "print(_jit.CACHE, _kernels.stencil_3x3.serial._cache.__class__.__name__)"  # fmt: skip
    out = _fresh_python(code, env={"FASTNN_CACHE": "0"})
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["False", "NullCache"]


def _copy_package(tmp_path):
    target = tmp_path / "site" / "fastnn"
    shutil.copytree(PACKAGE, target, ignore=shutil.ignore_patterns("__pycache__"))
    for path in [target, *target.rglob("*")]:
        mode = path.stat().st_mode
        path.chmod(mode & ~(stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))
    return target.parent


USE_KERNEL = """
import numpy as np, fastnn
from fastnn.image import gradient_magnitude
assert fastnn.__file__.startswith({site!r}), fastnn.__file__
print(gradient_magnitude(np.eye(4, dtype=np.float32)).sum())
"""


SOBEL_OF_INTEGERS = """
import numpy as np, fastnn
from fastnn.image import sobel
assert fastnn.__file__.startswith({site!r}), fastnn.__file__
print(int(np.abs(sobel(np.eye(4, dtype=np.uint8) * 10)).sum()))
"""


def test_a_changed_helper_module_invalidates_cached_kernels(tmp_path):
    # The Sobel kernel inlines _jit.as_exact; Numba's own stamp covers only
    # image/_kernels/filters.py, so without fastnn's stamp of the helper modules the
    # second run would load the kernel compiled from the old as_exact.
    site = tmp_path / "site"
    shutil.copytree(PACKAGE, site / "fastnn", ignore=shutil.ignore_patterns("__pycache__"))
    run = SOBEL_OF_INTEGERS.format(site=str(site))
    first = _fresh_python(run, env={"PYTHONPATH": str(site)}, cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    assert list((site / "fastnn" / "image" / "_kernels" / "__pycache__").glob("*.nbi"))  # cached
    helper = site / "fastnn" / "_jit.py"
    lifted = "return lambda x: np.int64(x)\n"
    assert helper.read_text().count(lifted) == 1
    helper.write_text(helper.read_text().replace(lifted, "return lambda x: 2 * np.int64(x)\n"))
    second = _fresh_python(run, env={"PYTHONPATH": str(site)}, cwd=tmp_path)
    assert second.returncode == 0, second.stderr
    assert int(second.stdout) == 2 * int(first.stdout) != 0


STAMPS = """
from fastnn import _jit
print(*(_jit.kernel_sources_stamp(d) for d in ("image", "temporal", "tabular", "text", None)))
"""


def test_a_domains_stamp_covers_the_domains_its_kernels_use_and_no_others(tmp_path):
    # tabular's kernels call temporal's rolling kernel, so a change there must
    # invalidate them; a change in text must leave image's and temporal's caches valid.
    site = tmp_path / "site"
    shutil.copytree(PACKAGE, site / "fastnn", ignore=shutil.ignore_patterns("__pycache__"))
    env = {"PYTHONPATH": str(site)}

    def stamps():
        out = _fresh_python(STAMPS, env=env, cwd=tmp_path)
        assert out.returncode == 0, out.stderr
        domains = ("image", "temporal", "tabular", "text", None)
        return dict(zip(domains, out.stdout.split(), strict=True))

    before = stamps()
    with open(site / "fastnn" / "text" / "_kernels" / "tokens.py", "a") as module:
        module.write("\n# edited\n")
    after_text = stamps()
    assert after_text["text"] != before["text"]
    assert {d: after_text[d] for d in ("image", "temporal", "tabular", None)} == {
        d: before[d] for d in ("image", "temporal", "tabular", None)
    }
    with open(site / "fastnn" / "temporal" / "_kernels" / "rolling.py", "a") as module:
        module.write("\n# edited\n")
    after_temporal = stamps()
    assert after_temporal["temporal"] != after_text["temporal"]
    assert after_temporal["tabular"] != after_text["tabular"]
    assert after_temporal["image"] == after_text["image"]
    with open(site / "fastnn" / "_intrinsics.py", "a") as module:
        module.write("\n# edited\n")
    after_shared = stamps()
    assert all(after_shared[d] != after_temporal[d] for d in after_shared)


def test_kernel_code_lives_in_modules_the_cache_stamp_covers():
    # kernel_sources_stamp hashes the private modules only; jitted code in a
    # public module would escape it.
    marker = re.compile(r"^\s*@(jit|overload|intrinsic|register_jitable)\b", re.M)
    with_kernels = {
        path.relative_to(PACKAGE).parts
        for path in PACKAGE.rglob("*.py")
        if marker.search(path.read_text())
    }
    assert ("linear", "_rows.py") in with_kernels and ("_intrinsics.py",) in with_kernels
    public = [
        parts for parts in with_kernels
        if not any(part.startswith("_") and part != "__init__.py" for part in parts)
    ]  # fmt: skip
    assert not public, public


def test_read_only_install_works(tmp_path):
    site = _copy_package(tmp_path)
    out = _fresh_python(
        USE_KERNEL.format(site=str(site)), env={"PYTHONPATH": str(site)}, cwd=tmp_path
    )
    assert out.returncode == 0, out.stderr


def test_nowhere_to_cache_falls_back_to_compiling(tmp_path):
    # As root, a read-only folder is still writable; this asks Numba for a
    # locator that never applies, which is what a read-only install with no
    # writable user cache folder looks like: "no locator available".
    site = _copy_package(tmp_path)
    env = {"PYTHONPATH": str(site), "NUMBA_CACHE_LOCATOR_CLASSES": "_ZipCacheLocator"}
    out = _fresh_python(USE_KERNEL.format(site=str(site)), env=env, cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert not list(site.rglob("*.nbi"))


@pytest.fixture
def threads():
    before = fastnn.get_num_threads()
    yield
    fastnn.set_num_threads(before)


def test_set_num_threads_round_trip(threads):
    fastnn.set_num_threads(1)
    assert fastnn.get_num_threads() == 1
    fastnn.set_num_threads(numba.config.NUMBA_NUM_THREADS)
    assert fastnn.get_num_threads() == numba.config.NUMBA_NUM_THREADS


@pytest.mark.parametrize("bad", [0, -1, 10_000])
def test_set_num_threads_rejects_out_of_range(bad, threads):
    with pytest.raises(ValueError, match="n must be between 1 and"):
        fastnn.set_num_threads(bad)


@pytest.mark.parametrize("bad", [1.5, "2", None, True])
def test_set_num_threads_rejects_non_integers(bad, threads):
    with pytest.raises(TypeError, match="n must be an integer"):
        fastnn.set_num_threads(bad)


THREAD_COUNT_PROBE = """
import numba, numpy as np, fastnn
from concurrent.futures import ThreadPoolExecutor
from numba import prange
from fastnn._jit import jit

@jit(parallel=True)
def probe(out):
    for i in prange(out.shape[0]):
        out[i] = numba.get_num_threads()

def call():
    out = np.zeros(4)
    probe(out, work=10**9)
    return out[0]

fastnn.set_num_threads(3)
with ThreadPoolExecutor(1) as pool:
    print(pool.submit(call).result(), call())
"""


def test_num_threads_hold_in_other_python_threads(tmp_path):
    # Numba's thread count is per calling thread; fastnn.set_num_threads in
    # the main thread must hold in a worker thread's kernel too.
    out = _fresh_python(
        THREAD_COUNT_PROBE, env={"NUMBA_NUM_THREADS": "4", "FASTNN_CACHE": "0"}, cwd=tmp_path
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["3.0", "3.0"]


def test_parallel_kernels_from_many_python_threads(threads, monkeypatch):
    # The workqueue threading layer aborts the process when two Python
    # threads enter a parallel region at once; fastnn runs the serial twin in
    # the threads that find the parallel one busy. Results must not depend on it.
    monkeypatch.setattr(_jit, "PARALLEL_MIN_WORK", 0)  # every call may take the parallel twin
    rng = np.random.default_rng(1)
    images = [rng.random((300, 300)).astype(np.float32) for _ in range(8)]
    kernel = rng.random((5, 5))
    fastnn.set_num_threads(1)
    serial = [
        (fastnn.image.gradient_magnitude(x), fastnn.image.correlate2d(x, kernel)) for x in images
    ]
    fastnn.set_num_threads(numba.config.NUMBA_NUM_THREADS)

    def work(x):
        return fastnn.image.gradient_magnitude(x), fastnn.image.correlate2d(x, kernel)

    with ThreadPoolExecutor(4) as pool:
        for _ in range(3):
            threaded = list(pool.map(work, images))
            for (m1, c1), (m2, c2) in zip(serial, threaded, strict=True):
                assert np.array_equal(m1, m2)
                assert np.array_equal(c1, c2)


def test_as_exact_lifts_integers():
    lift = _jit.jit(lambda a, b: _jit.as_exact(a[0]) - _jit.as_exact(b[0]))
    assert lift(np.array([1], np.uint8), np.array([3], np.uint8)) == -2  # no uint64 wraparound
    assert lift(np.array([1.5]), np.array([3.0])) == -1.5
    assert lift(np.array([1], np.int16), np.array([3], np.int16)) == -2
    big = np.array([2**62], np.int64)
    assert lift(big, -big) == 2.0**63  # float64: no int64 overflow
    assert lift(np.array([0], np.uint64), np.array([2**64 - 1], np.uint64)) == -(2.0**64)
