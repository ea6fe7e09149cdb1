"""Numba kernels for temporal features. Plain arrays in, ``out`` written; no validation.

Series arrive as a C-contiguous ``(n_series, length)`` float32 or float64
array; every sum is accumulated in float64.

Rolling windows: the block (prefix/suffix) method
-------------------------------------------------
The series is cut into blocks of ``window`` points. The trailing window that
ends at point ``t`` of block ``j`` is a *suffix* of block ``j - 1`` (from
``t - window + 1``) followed by a *prefix* of block ``j`` (up to ``t``), so
every window statistic is a merge of two partial results: a backward scan of
block ``j - 1`` and a forward scan of block ``j``. That is van Herk's and
Gil & Werman's method for min and max, and here it serves the sums as well:
nothing ever leaves a running sum, so there is no subtraction of old values
and no drift. A window's sum has the rounding of a direct sum over that
window alone, whatever came before it (the series whose first half has scale
1e8 keeps full precision in its second half). NaN and ±inf are both missing
values (pandas's rule): skipped, and not counted towards ``min_periods``.
Each point is read twice, by the forward scan of its block and the backward
scan that serves the next one; both scans run in one loop, so the two
dependency chains overlap.

A block that holds no NaN or inf, after another such block, takes a *clean* path:
every window is full and no count is kept; the counts are written out only
when a block with a NaN follows. ``clean`` reaches the block routine as a
constant (``True``/``False`` at each call site), so Numba compiles the two
paths apart and LLVM drops the dead branches. A block after a clean one is
scanned as clean straight away, and run again as not clean if its Σx or Σd
ends non-finite: that spares the search of every block (0.3 ms below).

Every statistic, alone or several at once (``window_features``), is one
kernel, :func:`rolling_features`, compiled per set of statistics asked for
(see :mod:`fastnn.temporal._kernels.rolling`).

What was tried for the mean, on a 10^6-point random walk, window 100, one
thread, busy shared 2-core Xeon (bottleneck.move_mean 0.9-1.0 ms there):

- running sums with add/remove (bottleneck's recipe): 1.4 ms, but a value of
  1e8 that leaves the window takes ~1e-8 of absolute precision with it, and
  ~1 of a sum of squares: the scale-change case of the tests fails;
- block method, forward and backward scans in separate loops: 1.8 ms without
  NaN handling; interleaved in one loop: 1.3 ms (the chains overlap);
- several blocks advanced in lock-step (lanes): 3.5-4.5 ms, the 2-D indexing
  cost more than the extra instruction-level parallelism; pairing (the chain
  advancing two points per add): 1.4 ms, no better;
- one generic kernel for every statistic, the output codes looped over per
  point: 4.9-6.6 ms; the same with constant codes: 2.5 ms. Hence a kernel
  specialised at compile time on the statistics asked for (1.1 ms);
- ``x[b + i]`` indexing: 3.3 ms; slices of the block: 1.2 ms (a possibly
  negative index costs a wraparound check per access);
- NaN handling on every point: 2.4 ms; the clean path: 1.2 ms + 0.3 ms for
  the NaN check of each block (an integer count, which LLVM vectorises;
  ``bad |= v != v`` on a bool took twice as long).

Variance is a shifted sum of squares, ``Σd² - (Σd)²/n`` with ``d = x - K``,
``K`` the first finite value of the block that the window ends in. Every
window of block ``j`` contains point ``j * window``, so ``K`` is (almost
always) a value inside the window and ``|mean - K|² ≤ n·var``: the relative
rounding error stays near ``n·eps``, as in a two-pass computation. A window
whose valid values are all equal (a run of equal finite values at least as
long as its count, pandas's rule) gives exactly 0, and the variance is
clipped at 0, so it is never negative.

Range: the sums of var, std and slope are of ``x·S``, ``S`` the power of two
that brings the largest finite ``|x|`` of the block and the one before it
(the points of the windows ending in the block) near 1. The scaling is exact,
so results are bit for bit those of unscaled sums wherever these neither
overflow nor underflow, and ``rolling_std([1e200, 1, 2, 3], 2)`` is 7.07e199,
not ``inf - inf``. Scaled, every nonzero value of such a pair of blocks lies
in [2^-398, 2^24] unless the pair spans more magnitudes than that; the rare
blocks that do (``_group_scale``'s "mixed") have their windows computed again
by a scaled two-pass over each window, O(window) apiece.

The slope regresses ``d`` on the time index ``u`` measured from the start of
the block that the window ends in (``-window .. window - 1``): integer sums
of ``u`` and ``u²`` are exact, and

    slope = (n·Σud - Σu·Σd) / (n·Σu² - (Σu)²).

Work is split into tasks of whole blocks of one series; a task first scans
the block before its first one backwards, so every output element is
computed by the same operations in the same order whatever the split, and
the serial and parallel twins agree bit for bit.
"""

from fastnn.temporal._kernels.rolling import rolling_features
from fastnn.temporal._kernels.series import (
    aggregate,
    autocorrelation,
    spectral_summary,
    zero_crossing_rate,
)

__all__ = [
    "aggregate",
    "autocorrelation",
    "rolling_features",
    "spectral_summary",
    "zero_crossing_rate",
]
