"""Group aggregates: partial statistics per group, their merge, and the features.

Every statistic but the median and the number of distinct values comes from
eight numbers per group and column, updated row by row in one pass:

    COUNT  non-NaN values n          SD   Σd, d = x - K
    SHIFT  K, the first finite value SDD  Σd²
    MIN    the smallest              FIRST  the first non-NaN value
    MAX    the largest               LAST   the last non-NaN value

The sums are *shifted* by a value of the group itself (Chan, Golub & LeVeque's
shifted data algorithm): ``var = (Σd² - (Σd)²/n) / (n - ddof)`` has the
rounding of a two-pass computation when ``K`` is near the mean, which a value
of the group is for any data of bounded spread (``1e9 + N(0, 1)`` keeps its unit
variance, where the naive ``Σx² - (Σx)²/n`` loses every digit), and
``mean = K + Σd/n``, ``sum = nK + Σd``. The eight numbers of a group and column
fill one 64-byte cache line (tables start on a line boundary), so a row costs
one random access.

Rows are cut into chunks whose number depends on the row and group counts only,
never on the thread count; each chunk fills its own partial table, and the
tables are merged in chunk order (:func:`merge_states`), so results are the same
bit for bit for any number of threads.

The hash aggregation (:func:`hash_aggregate`) finds each key's slot in a
chunk's own hash table and updates the statistics stored in that same slot
(:mod:`~fastnn.tabular._kernels.hash`'s records), so the keys and values are
read once, no codes array is written, and a row costs one random access.
"""

import math

import numpy as np

from fastnn._jit import jit
from fastnn.tabular._kernels.hash import (
    FIRST_LOG_SLOTS,
    PREFETCH_AHEAD,
    _slot,
    aligned_zeros,
    find_or_insert,
    prefetch,
)

COUNT, SHIFT, SD, SDD, MIN, MAX, FIRST, LAST = range(8)
N_STATE = 8
N_WITHOUT_ENDS = 6  # a hash record's columns skip FIRST and LAST unless asked


@jit(inline=True)
def _open(stats, o, ends):
    """Make ``stats[o + COUNT ...]`` the statistics of no value (``FIRST`` and ``LAST``,
    the last two cells, only where ``ends``: else they are not there)."""
    stats[o + COUNT] = 0.0
    stats[o + SHIFT] = np.nan
    stats[o + SD] = 0.0
    stats[o + SDD] = 0.0
    stats[o + MIN] = np.inf
    stats[o + MAX] = -np.inf
    if ends:
        stats[o + FIRST] = np.nan
        stats[o + LAST] = np.nan


@jit(inline=True)
def _add(stats, o, v, ends):
    """Add the value ``v`` (float64) to the statistics ``stats[o + COUNT ...]``
    (``FIRST`` and ``LAST`` too where ``ends``).

    Indexed in place in a flat table: a view per row would cost a reference count
    update per row (247 ms instead of ~60 for 10^7 rows, one thread)."""
    if v != v:  # NaN is skipped (pandas's skipna); ±inf is a value
        return
    k = stats[o + SHIFT]
    n = stats[o + COUNT]
    if ends:
        if n == 0.0:
            stats[o + FIRST] = v
        stats[o + LAST] = v
    if k != k:
        if math.isfinite(v):
            stats[o + SHIFT] = v
            k = v
        else:
            k = 0.0
    stats[o + COUNT] = n + 1.0
    d = v - k
    stats[o + SD] += d
    stats[o + SDD] += d * d
    stats[o + MIN] = min(stats[o + MIN], v)
    stats[o + MAX] = max(stats[o + MAX], v)


@jit
def new_state(n_groups, n_columns):
    """An empty partial table ``(n_groups, n_columns, N_STATE)``: no values seen."""
    flat = aligned_zeros(n_groups * n_columns * N_STATE).view(np.float64)
    for g in range(n_groups * n_columns):
        _open(flat, g * N_STATE, True)
    return flat.reshape((n_groups, n_columns, N_STATE))


@jit
def accumulate_codes(codes, values, lo, hi, sizes, state, ends):
    """Add rows ``lo .. hi - 1`` of the ``(n, n_columns)`` ``values`` to their groups
    ``codes`` (``-1``: left out) in ``sizes`` (rows per group; empty: not counted) and
    ``state`` (from :func:`new_state`; ``FIRST`` and ``LAST`` only where ``ends``).

    One direct pass in row order: each group-column's statistics are one cache
    line, and the line of the row :data:`~fastnn.tabular._kernels.hash.PREFETCH_AHEAD`
    rows on is prefetched, so the misses of consecutive rows overlap (5·10^6 rows
    over 10^5 groups, one thread, under load: 40 ms, 81 ms without the prefetch,
    101 ms when the rows were first copied out bucket by bucket of groups to stay
    in cache)."""
    n_columns = values.shape[1]
    count_sizes = sizes.shape[0] > 0
    flat = state.reshape(state.size)
    for i in range(lo, hi):
        if i + PREFETCH_AHEAD < hi:
            ahead = codes[i + PREFETCH_AHEAD]
            if ahead >= 0:
                prefetch(flat, ahead * (n_columns * N_STATE))
        g = codes[i]
        if g < 0:
            continue
        if count_sizes:
            sizes[g] += 1
        for c in range(n_columns):
            _add(flat, (g * n_columns + c) * N_STATE, np.float64(values[i, c]), ends)


@jit
def hash_aggregate(keys, missing, values, lo, hi, ends):
    """Hash aggregation of rows ``lo .. hi - 1``: ``(uniques, sizes, state)`` of the keys
    met, in first-seen order (``missing[i]``: row left out; ``missing`` may be empty);
    ``FIRST`` and ``LAST`` are tracked only where ``ends`` (else NaN).

    A key's record in the hash table holds the key, its row count and, column by
    column, its statistics (:data:`N_WITHOUT_ENDS` or :data:`N_STATE` cells),
    padded to whole cache lines: one line for one column without the ends. The
    slot of the row :data:`~fastnn.tabular._kernels.hash.PREFETCH_AHEAD` rows on
    is prefetched, so the misses of consecutive rows overlap. Each key sees its
    rows in row order, so its statistics are those of :func:`accumulate_codes`,
    bit for bit."""
    n_columns = values.shape[1]
    has_missing = missing.shape[0] == keys.shape[0]
    block = N_STATE if ends else N_WITHOUT_ENDS
    stride = ((2 + n_columns * block + 7) // 8) * 8
    log_slots = np.int64(FIRST_LOG_SLOTS)  # not literals: callees would compile variants
    n_unique = np.int64(0)
    cells = aligned_zeros(stride << log_slots)
    stats = cells.view(np.float64)
    order = np.empty(1 << (log_slots - 1), np.int64)
    for i in range(lo, hi):
        if i + PREFETCH_AHEAD < hi:
            ahead = stride * _slot(keys[i + PREFETCH_AHEAD], 64 - log_slots)
            prefetch(cells, ahead)
            if stride > 8:
                prefetch(cells, ahead + 8)
        if has_missing and missing[i]:
            continue
        cells, order, n_unique, log_slots, s, inserted = find_or_insert(
            cells, stride, order, n_unique, log_slots, keys[i], np.int64(1)
        )
        o = s * stride
        if inserted:
            stats = cells.view(np.float64)  # the table may have grown
            for c in range(n_columns):
                _open(stats, o + 2 + c * block, ends)
        else:
            cells[o + 1] += 1
        for c in range(n_columns):
            _add(stats, o + 2 + c * block, np.float64(values[i, c]), ends)
    uniques = np.empty(n_unique, np.int64)
    sizes = np.empty(n_unique, np.int64)
    state = np.empty((n_unique, n_columns, N_STATE))
    for u in range(n_unique):
        o = order[u] * stride
        uniques[u] = cells[o]
        sizes[u] = cells[o + 1]
        for c in range(n_columns):
            for f in range(block):
                state[u, c, f] = stats[o + 2 + c * block + f]
            if not ends:
                state[u, c, FIRST] = np.nan
                state[u, c, LAST] = np.nan
    return uniques, sizes, state


@jit(inline=True)
def _merge(into, a, st, b):
    """Merge the partial statistics ``st[b + COUNT ...]`` (later rows) into
    ``into[a + COUNT ...]`` (earlier rows); flat tables, indexed in place."""
    n_b = st[b + COUNT]
    if n_b == 0.0:
        return
    n_a = into[a + COUNT]
    if n_a == 0.0:
        for f in range(N_STATE):
            into[a + f] = st[b + f]
        return
    k_a, k_b = into[a + SHIFT], st[b + SHIFT]
    if k_a != k_a and k_b == k_b:  # only infinities so far: their sums are non-finite
        into[a + SHIFT] = k_b  # anyway, and a finite K serves what follows
        k_a = k_b
    k_a = 0.0 if k_a != k_a else k_a
    k_b = 0.0 if k_b != k_b else k_b
    delta = k_b - k_a  # re-shift b's sums by K_a: Σ(d + δ) and Σ(d + δ)²
    into[a + SDD] += st[b + SDD] + 2.0 * delta * st[b + SD] + n_b * delta * delta
    into[a + SD] += st[b + SD] + n_b * delta
    into[a + COUNT] = n_a + n_b
    into[a + LAST] = st[b + LAST]
    into[a + MIN] = min(into[a + MIN], st[b + MIN])
    into[a + MAX] = max(into[a + MAX], st[b + MAX])


@jit
def merge_into(total, out, groups, sizes, state):
    """Merge the partial table ``(sizes, state)`` of later rows into ``(total, out)``, in
    place: its entry ``i`` into group ``groups[i]`` (``groups`` empty: into group ``i``;
    ``sizes`` empty: rows per group not counted)."""
    n_columns = state.shape[1]
    identity = groups.shape[0] == 0
    flat_out = out.reshape(out.size)
    flat = state.reshape(state.size)
    for i in range(state.shape[0]):
        g = i if identity else groups[i]
        if sizes.shape[0] > 0:  # else rows per group are not counted
            total[g] += sizes[i]
        for c in range(n_columns):
            _merge(flat_out, (g * n_columns + c) * N_STATE, flat, (i * n_columns + c) * N_STATE)


# feature codes, in the order of fastnn.tabular._plan.FEATURES
SIZE, F_COUNT, SUM, MEAN, VAR, STD, F_MIN, F_MAX, RANGE, F_FIRST, F_LAST, MEDIAN, NUNIQUE = range(
    13
)


@jit
def finish(sizes, state, feature_codes, ddof, min_count, out):
    """Write the features ``feature_codes`` of every group and column into
    ``out[g, c, j]`` from the merged statistics (median and nunique are not here)."""
    for g in range(state.shape[0]):
        for c in range(state.shape[1]):
            st = state[g, c]
            n = st[COUNT]
            k = 0.0 if st[SHIFT] != st[SHIFT] else st[SHIFT]
            for j in range(feature_codes.shape[0]):
                f = feature_codes[j]
                r = np.nan
                if f == SIZE:
                    r = sizes[g]
                elif f == F_COUNT:
                    r = n
                elif f == SUM:
                    r = n * k + st[SD] if n > 0 else 0.0
                    if n < min_count:
                        r = np.nan
                elif n == 0.0:
                    r = np.nan
                elif f == MEAN:
                    r = k + st[SD] / n
                elif f in (VAR, STD):
                    if n > ddof:
                        m2 = st[SDD] - st[SD] * st[SD] / n
                        r = max(m2, 0.0) / (n - ddof) if m2 == m2 else np.nan
                        if f == STD:
                            r = math.sqrt(r)
                elif f == F_MIN:
                    r = st[MIN]
                elif f == F_MAX:
                    r = st[MAX]
                elif f == RANGE:
                    r = st[MAX] - st[MIN]
                elif f == F_FIRST:
                    r = st[FIRST]
                elif f == F_LAST:
                    r = st[LAST]
                if f != MEDIAN and f != NUNIQUE:
                    out[g, c, j] = r


@jit
def order_statistics(order, starts, values, c, want_median, want_nunique, j_median, j_nunique,
                     out):  # fmt: skip
    """Median and number of distinct non-NaN values of each group in column ``c``, from
    ``values[order[starts[g]:starts[g + 1]], c]``: group g's values in ascending order,
    NaN last (NumPy's argsort, then a stable counting sort by group). No sort here:
    Numba's ``np.sort`` took ~2 s to compile on a first call."""
    for g in range(starts.shape[0] - 1):
        b = starts[g]
        m = starts[g + 1] - b
        while m > 0 and values[order[b + m - 1], c] != values[order[b + m - 1], c]:
            m -= 1  # the NaNs, at the end
        if want_median:
            if m == 0:
                out[g, c, j_median] = np.nan
            elif m % 2 == 1:
                out[g, c, j_median] = values[order[b + m // 2], c]
            else:
                low = np.float64(values[order[b + m // 2 - 1], c])
                out[g, c, j_median] = 0.5 * (low + np.float64(values[order[b + m // 2], c]))
        if want_nunique:
            distinct = 0
            for t in range(b, b + m):
                if t == b or values[order[t], c] != values[order[t - 1], c]:
                    distinct += 1
            out[g, c, j_nunique] = distinct
