"""The one place that sets Numba options, and the serial/parallel dispatch.

Every kernel in fastnn is decorated with :func:`jit`; no other module writes
``cache=``, ``nogil=``, ``fastmath=`` or calls ``numba.njit`` itself (a test
greps for strays). The policy:

- ``cache=True``, so a kernel compiles once per machine, not once per
  process; ``FASTNN_CACHE=0`` in the environment turns it off. Where Numba
  finds nowhere to write its cache (a read-only install and no writable user
  cache directory), the kernel compiles without one instead of failing.
  A cached kernel is reused only while its own source and every module it
  can inline helpers from are unchanged (:func:`kernel_sources_stamp`).
- ``nogil=True``: kernels release the GIL, so Python threads overlap.
- No eager signatures: a kernel compiles at its first call, for the types it
  meets, so ``import fastnn`` compiles nothing.
- ``fastmath`` off: its ``nnan``/``ninf`` flags would break the documented NaN
  behaviour, and reassociation would make serial and parallel results differ.

``jit(parallel=True)`` gives a :class:`ParallelKernel`: the same source
compiled twice, once with ``parallel=True`` and once serial (``prange``
runs as ``range`` there). It runs the parallel twin only for work above
:data:`PARALLEL_MIN_WORK` and only when no other Python thread is inside a
parallel kernel, because Numba's ``workqueue`` threading layer aborts the
process when two threads enter it at once.
"""

from __future__ import annotations

import functools
import hashlib
import os
import re
import threading
import types

import numba
import numpy as np
from numba.extending import overload

__all__ = [
    "PARALLEL_MIN_WORK",
    "ParallelKernel",
    "as_exact",
    "get_num_threads",
    "jit",
    "set_num_threads",
]

CACHE = os.environ.get("FASTNN_CACHE", "1").strip().lower() not in {"0", "false", "no", "off"}

_OPTIONS = {"nogil": True, "fastmath": False, "error_model": "numpy"}

# Below this much work (output elements × taps, roughly multiply-adds) the
# parallel twin loses to the serial one. `python -m fastnn.bench.threshold`
# on the 2-core benchmark machine, idle, passive OpenMP wait (see below):
# gradient_magnitude (work = 9 per pixel) 256² 0.60×, 512² 1.00×, 1024² 1.44×,
# 2048² 2.18×; correlate2d 5×5 (25 per pixel) 256² 0.90×, 512² 1.04×. Waking
# the sleeping pool costs ~0.1 ms. With the spinning (active) policy the
# crossover was near 128² (1.22×), but a busy second core made every parallel
# call take 6-8 ms; robustness on shared machines won.
PARALLEL_MIN_WORK = 1 << 22

_num_threads: int | None = None
_parallel_lock = threading.Lock()


def _compile(func, parallel, inline=False):
    options = dict(_OPTIONS, parallel=parallel, inline="always" if inline else "never")
    if CACHE:
        try:
            return _stamped(numba.njit(cache=True, **options)(func), func)
        except RuntimeError:
            # Numba raises "cannot cache function ...: no locator available"
            # at decoration when neither the package folder nor the user cache
            # folder is writable; compiling per process is the only way left.
            pass
    return numba.njit(cache=False, **options)(func)


@functools.cache
def kernel_sources_stamp(domain=None):
    """Return a content hash of every fastnn module a kernel of ``domain`` is compiled from.

    Numba stamps a kernel's cache with its own source file only, but kernels
    inline helpers from other modules (:mod:`fastnn._intrinsics`, the linear
    ``_rows``, ``as_exact`` here) and link in the kernels they call. A change
    to one of those alone, an upgrade of fastnn say, would load machine code
    compiled from the old helper. Kernels and their helpers live in private
    modules (``_kernels``, ``_rows``, ``_intrinsics``, ...), so those are the
    ones hashed: the package's own ``_``-prefixed modules, and every
    ``_``-prefixed module of ``domain`` (``"text"``, ``"linear"``, ...) and
    of each domain its private modules name (``fastnn.temporal`` in a
    ``tabular`` kernel module, say), transitively. Editing one domain's
    kernels thus leaves the caches of the domains that do not use them valid.
    """
    package = os.path.dirname(os.path.abspath(__file__))
    paths = [
        os.path.join(package, name)
        for name in os.listdir(package)
        if name.startswith("_") and name.endswith(".py") and name != "__init__.py"
    ]
    pending, seen = [domain] if domain else [], set()
    while pending:
        name = pending.pop()
        if name in seen or not os.path.isdir(os.path.join(package, name)):
            continue
        seen.add(name)
        private = _private_modules(os.path.join(package, name))
        paths += private
        for path in private:
            with open(path, encoding="utf-8") as source:
                pending += _NAMED_DOMAIN.findall(source.read())
    digest = hashlib.sha256()
    for path in sorted(paths):
        with open(path, "rb") as source:
            digest.update(os.path.relpath(path, package).encode() + b"\0" + source.read())
    return digest.hexdigest()


_NAMED_DOMAIN = re.compile(r"\bfastnn\.(\w+)")


def _private_modules(folder):
    # Every module with a `_`-prefixed part in its path below `folder`.
    paths = []
    for inner, subfolders, files in os.walk(folder):
        subfolders[:] = [name for name in subfolders if name != "__pycache__"]  # Numba's cache
        inside = os.path.relpath(inner, folder).split(os.sep)
        private_folder = any(part.startswith("_") for part in inside)
        paths += [
            os.path.join(inner, name)
            for name in files
            if name.endswith(".py")
            and (private_folder or (name.startswith("_") and name != "__init__.py"))
        ]
    return paths


def _stamped(dispatcher, func):
    # Fold the helpers' hash into the stamp Numba checks before it loads a
    # cached kernel. The attributes are Numba's internals (0.68); where they
    # are missing the cache keeps Numba's own stamp.
    cache_file = getattr(getattr(dispatcher, "_cache", None), "_cache_file", None)
    if cache_file is not None and hasattr(cache_file, "_source_stamp"):
        parts = func.__module__.split(".")
        domain = parts[1] if len(parts) > 2 and parts[0] == "fastnn" else None
        cache_file._source_stamp = (cache_file._source_stamp, kernel_sources_stamp(domain))
    return dispatcher


def _renamed(func, suffix):
    # Numba's cache file is named after the function's qualified name and its
    # index key ignores `parallel=`, so the serial twin of a parallel kernel
    # must have a name of its own or the two would load each other's code.
    twin = types.FunctionType(
        func.__code__, func.__globals__, func.__name__ + suffix, func.__defaults__, func.__closure__
    )
    twin.__qualname__ = func.__qualname__ + suffix
    twin.__module__ = func.__module__
    twin.__doc__ = func.__doc__
    return twin


def _prepare_thread_pool():
    # Numba's OpenMP layer (GNU libgomp here) spins at the end of a parallel
    # region. On a shared 2-core machine with the other core busy, a
    # 512×512 gradient magnitude took 6.9 ms in parallel against 0.21 ms
    # serially; with OMP_WAIT_POLICY=PASSIVE it took 0.21 ms both ways
    # (`python -m fastnn.bench.threshold`). libgomp reads the variable when it
    # loads, at the first parallel call of the process, so it is set here and
    # not at import, and only where the user has not chosen a policy.
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")


class ParallelKernel:
    """A kernel compiled as a serial and a parallel twin, and the rule that picks one.

    Call it with the kernel's arguments and a keyword ``work`` (roughly the
    number of multiply-adds) that decides whether the parallel twin is worth
    waking the thread pool for. Both twins compute every output element with
    the same operations in the same order, so their results are identical.
    """

    def __init__(self, func):
        self.serial = _compile(_renamed(func, "_serial"), parallel=False)
        self.parallel = _compile(func, parallel=True)
        self.__name__ = func.__name__
        self.__doc__ = func.__doc__

    def __call__(self, *args, work):
        n_threads = get_num_threads()
        if n_threads == 1 or work < PARALLEL_MIN_WORK:
            return self.serial(*args)
        if not _parallel_lock.acquire(blocking=False):
            # Another Python thread is inside a parallel kernel: the cores are
            # busy anyway, and the workqueue layer cannot be entered twice.
            return self.serial(*args)
        try:
            _prepare_thread_pool()
            # Numba's thread count is per calling thread: set it here so that
            # fastnn.set_num_threads holds in whichever thread calls a kernel.
            numba.set_num_threads(n_threads)
            return self.parallel(*args)
        finally:
            _parallel_lock.release()

    def __repr__(self):
        return f"<fastnn ParallelKernel {self.__name__}>"


def jit(func=None, *, parallel=False, inline=False):
    """Compile ``func`` lazily with the house options.

    ``@jit`` gives a Numba dispatcher; ``@jit(parallel=True)`` gives a
    :class:`ParallelKernel` holding a serial and a parallel twin.
    ``inline=True`` inlines a helper into its callers at Numba's level, so
    that LLVM sees the constant arguments of each call site (an operator
    code, say) and folds the branches they decide before vectorising.
    """

    def decorate(f):
        return ParallelKernel(f) if parallel else _compile(f, parallel=False, inline=inline)

    return decorate if func is None else decorate(func)


def set_num_threads(n):
    """Set how many threads fastnn's parallel kernels use, in every calling thread.

    Parameters
    ----------
    n : int
        From 1 (always serial) to ``numba.config.NUMBA_NUM_THREADS``.
    """
    limit = numba.config.NUMBA_NUM_THREADS
    if isinstance(n, bool) or not isinstance(n, int | np.integer):
        raise TypeError(f"n must be an integer, got {type(n).__name__}")
    if not 1 <= n <= limit:
        raise ValueError(f"n must be between 1 and {limit} (NUMBA_NUM_THREADS), got {n}")
    global _num_threads
    _num_threads = int(n)


def get_num_threads():
    """Return how many threads fastnn's parallel kernels use."""
    return numba.config.NUMBA_NUM_THREADS if _num_threads is None else _num_threads


def as_exact(x):
    """Return ``x`` in a type where a stencil's integer arithmetic is exact (use inside kernels).

    Numba promotes unsigned integers to uint64, so ``a - b`` of two uint8
    pixels wraps to ~1.8e19 where NumPy's would not, and int64 sums of wide
    integers overflow. This lifts integers of up to 16 bits to int64 (exact
    for any 3×3 stencil with small integer weights, and fast) and wider ones
    to float64, at compile time; floats pass through at no cost.
    """
    return x


@overload(as_exact, inline="always")
def _as_exact(x):
    if isinstance(x, numba.types.Integer):
        if x.bitwidth <= 16:
            return lambda x: np.int64(x)
        return lambda x: np.float64(x)
    return lambda x: x
