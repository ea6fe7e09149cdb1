"""Group aggregates: partial statistics per group, their merge, and the features.

Every statistic but the median and the number of distinct values comes from
eight numbers per group and column, updated row by row in one pass:

    COUNT  non-NaN values n          SD   Σd, d = x - K
    SHIFT  K, the first finite value SDD  Σd²
    FIRST  the first non-NaN value   MIN  the smallest
    LAST   the last non-NaN value    MAX  the largest

The sums are *shifted* by a value of the group itself (Chan, Golub & LeVeque's
shifted data algorithm): ``var = (Σd² - (Σd)²/n) / (n - ddof)`` has the
rounding of a two-pass computation when ``K`` is near the mean, which a value
of the group is for any data of bounded spread (``1e9 + N(0, 1)`` keeps its unit
variance, where the naive ``Σx² - (Σx)²/n`` loses every digit), and
``mean = K + Σd/n``, ``sum = nK + Σd``. The eight numbers of a group fill one
64-byte cache line, so a row costs one random access.

Rows are cut into chunks whose number depends on the row and group counts only,
never on the thread count; each chunk fills its own partial table, and the
tables are merged in chunk order (:func:`merge_states`), so results are the same
bit for bit for any number of threads.

The hash aggregation (:func:`hash_accumulate`) finds each key's slot in a
chunk's own hash table and updates that slot's statistics in the same pass, so
the keys are read once and no codes array is written: factorizing first and
aggregating after reads and writes the rows twice.
"""

import math

import numpy as np

from fastnn._jit import jit
from fastnn.tabular._kernels.hash import EMPTY, _rehash, _slot, grown

COUNT, SHIFT, FIRST, LAST, SD, SDD, MIN, MAX = range(8)
N_STATE = 8


@jit
def new_state(n_groups, n_columns):
    """An empty partial table: no values seen."""
    state = np.zeros((n_groups, n_columns, N_STATE))
    for g in range(n_groups):
        for c in range(n_columns):
            state[g, c, SHIFT] = np.nan
            state[g, c, FIRST] = np.nan
            state[g, c, LAST] = np.nan
            state[g, c, MIN] = np.inf
            state[g, c, MAX] = -np.inf
    return state


@jit
def _grown_state(state, n, size):
    """A fresh table of ``size`` groups starting with the groups ``state[:n]`` (a loop:
    see :func:`~fastnn.tabular._kernels.hash.grown`)."""
    out = new_state(size, state.shape[1])
    for g in range(n):
        for c in range(state.shape[1]):
            for f in range(N_STATE):
                out[g, c, f] = state[g, c, f]
    return out


@jit
def _put_states(into, at, state, rows):
    """``into[at + u] = state[rows[u]]`` for each ``u``."""
    for u in range(rows.shape[0]):
        for c in range(state.shape[1]):
            for f in range(N_STATE):
                into[at + u, c, f] = state[rows[u], c, f]


@jit(inline=True)
def _update(state, g, c, v):
    """Add the value ``v`` (float64) to the partial statistics of group ``g``, column ``c``.

    Indexed in place: a view ``state[g, c]`` per row would cost a reference count
    update per row (247 ms instead of ~60 for 10^7 rows, one thread)."""
    if v != v:  # NaN is skipped (pandas's skipna); ±inf is a value
        return
    k = state[g, c, SHIFT]
    n = state[g, c, COUNT]
    if n == 0.0:
        state[g, c, FIRST] = v
    if k != k:
        if math.isfinite(v):
            state[g, c, SHIFT] = v
            k = v
        else:
            k = 0.0
    state[g, c, COUNT] = n + 1.0
    d = v - k
    state[g, c, SD] += d
    state[g, c, SDD] += d * d
    state[g, c, LAST] = v
    state[g, c, MIN] = min(state[g, c, MIN], v)
    state[g, c, MAX] = max(state[g, c, MAX], v)


# Partial statistics per bucket of groups: 2^14 group-columns × 64 bytes = 1 MB, a
# quarter of the 4 MB L2 of the benchmark machine. A table that outgrows it is
# served by partitioning the rows first (below). 10^7 rows over 10^5 groups, one
# thread, shared 2-core Xeon: 401 ms unpartitioned (a cache miss per row), ~115 ms
# partitioned, 72 ms for 10^3 groups.
BUCKET_CELLS = 1 << 14
PARTITION_MIN_ROWS = 1 << 16
N_KEY_BUCKETS = 64
BUCKET_HASH = np.uint64(0xC2B2AE3D27D4EB4F)  # a second multiplier: bucket bits unrelated
#                                            to the table's slot bits


@jit
def _accumulate_rows(codes, values, lo, hi, sizes, state):
    n_columns = values.shape[1]
    for i in range(lo, hi):
        g = codes[i]
        if g < 0:
            continue
        sizes[g] += 1
        for c in range(n_columns):
            _update(state, g, c, np.float64(values[i, c]))


@jit
def accumulate_codes(codes, values, lo, hi, sizes, state):
    """Add rows ``lo .. hi - 1`` of the ``(n, n_columns)`` ``values`` to their groups
    ``codes`` (``-1``: left out) in ``sizes`` and ``state``.

    A table larger than :data:`BUCKET_CELLS` is served bucket by bucket of
    consecutive groups: the rows are first copied out in bucket order (a stable
    counting sort, so each group still sees its rows in row order and the results
    are those of the direct pass, bit for bit), then each bucket's rows update a
    part of the table that stays in cache."""
    n_groups, n_columns = state.shape[0], state.shape[1]
    if n_groups * n_columns <= BUCKET_CELLS or hi - lo < PARTITION_MIN_ROWS:
        _accumulate_rows(codes, values, lo, hi, sizes, state)
        return
    bits = 0
    while (2 << bits) * n_columns <= BUCKET_CELLS:
        bits += 1
    n_buckets = (n_groups >> bits) + 1
    starts = np.zeros(n_buckets + 1, np.int64)
    for i in range(lo, hi):
        g = codes[i]
        if g >= 0:
            starts[(g >> bits) + 1] += 1
    for b in range(n_buckets):
        starts[b + 1] += starts[b]
    m = starts[n_buckets]
    bucket_codes = np.empty(m, np.int64)
    bucket_values = np.empty((m, n_columns), values.dtype)
    fill = starts[:n_buckets].copy()
    for i in range(lo, hi):
        g = codes[i]
        if g >= 0:
            t = fill[g >> bits]
            fill[g >> bits] = t + 1
            bucket_codes[t] = g
            for c in range(n_columns):
                bucket_values[t, c] = values[i, c]
    _accumulate_rows(bucket_codes, bucket_values, 0, m, sizes, state)


@jit
def hash_rows(keys, values, lo, hi):
    """Hash aggregation of rows ``lo .. hi - 1`` (none missing): ``(uniques, sizes, state,
    first)`` of the keys met in first-seen order, ``first[u]`` the row of key u's first
    occurrence. Each key's slot is found and its statistics updated in the same pass."""
    n_columns = values.shape[1]
    log_slots = 10
    table = np.full(1 << log_slots, EMPTY, np.int64)
    capacity = 1 << (log_slots - 1)
    uniques = np.empty(capacity, np.int64)
    first = np.empty(capacity, np.int64)
    sizes = np.zeros(capacity, np.int64)
    state = new_state(capacity, n_columns)
    n_unique = np.int64(0)  # not a literal 0: callees would compile a variant for it
    mask = (1 << log_slots) - 1
    shift = 64 - log_slots
    for i in range(lo, hi):
        key = keys[i]
        s = _slot(key, shift)
        while True:
            u = table[s]
            if u == EMPTY:
                if 2 * (n_unique + 1) > (1 << log_slots):
                    log_slots += 1
                    capacity = 1 << (log_slots - 1)
                    uniques = grown(uniques, n_unique, capacity)
                    first = grown(first, n_unique, capacity)
                    sizes = grown(sizes, n_unique, capacity)
                    state = _grown_state(state, n_unique, capacity)
                    table = _rehash(uniques, n_unique, log_slots)
                    mask = (1 << log_slots) - 1
                    shift = 64 - log_slots
                    s = _slot(key, shift)
                    continue
                table[s] = n_unique
                uniques[n_unique] = key
                first[n_unique] = i
                u = n_unique
                n_unique += 1
                break
            if uniques[u] == key:
                break
            s = (s + 1) & mask
        sizes[u] += 1
        for c in range(n_columns):
            _update(state, u, c, np.float64(values[i, c]))
    return uniques[:n_unique], sizes[:n_unique], state[:n_unique], first[:n_unique]


@jit
def hash_accumulate(keys, missing, values, lo, hi):
    """Hash aggregation of rows ``lo .. hi - 1``: ``(uniques, sizes, state)`` of the keys
    met, in first-seen order (``missing[i]``: row left out; ``missing`` may be empty).

    Past :data:`PARTITION_MIN_ROWS` rows, the rows are first copied out by a hash of
    their key into :data:`N_KEY_BUCKETS` buckets (stably), and each bucket is
    aggregated with a table of its own, small enough to stay in cache; the buckets'
    keys are then put back in first-seen order. Every key sees its rows in row order
    either way, so the statistics are the same bit for bit."""
    has_missing = missing.shape[0] == keys.shape[0]
    n_columns = values.shape[1]
    if hi - lo < PARTITION_MIN_ROWS and not has_missing:  # too few rows to partition
        uniques, sizes, state, _ = hash_rows(keys, values, lo, hi)
        return uniques.copy(), sizes.copy(), state.copy()
    starts = np.zeros(N_KEY_BUCKETS + 1, np.int64)
    for i in range(lo, hi):
        if not (has_missing and missing[i]):
            starts[((np.uint64(keys[i]) * BUCKET_HASH) >> np.uint64(58)) + 1] += 1
    for b in range(N_KEY_BUCKETS):
        starts[b + 1] += starts[b]
    m = starts[N_KEY_BUCKETS]
    bucket_keys = np.empty(m, np.int64)
    bucket_rows = np.empty(m, np.int64)
    bucket_values = np.empty((m, n_columns), values.dtype)
    fill = starts[:N_KEY_BUCKETS].copy()
    for i in range(lo, hi):
        if has_missing and missing[i]:
            continue
        b = (np.uint64(keys[i]) * BUCKET_HASH) >> np.uint64(58)
        t = fill[b]
        fill[b] = t + 1
        bucket_keys[t] = keys[i]
        bucket_rows[t] = i
        for c in range(n_columns):
            bucket_values[t, c] = values[i, c]
    capacity = np.int64(1024)
    uniques = np.empty(capacity, np.int64)
    first = np.empty(capacity, np.int64)
    sizes = np.empty(capacity, np.int64)
    state = new_state(capacity, n_columns)
    n_unique = np.int64(0)  # not a literal 0: callees would compile a variant for it
    for b in range(N_KEY_BUCKETS):
        u_b, s_b, st_b, f_b = hash_rows(bucket_keys, bucket_values, starts[b], starts[b + 1])
        k = u_b.shape[0]
        if n_unique + k > capacity:
            while n_unique + k > capacity:
                capacity *= 2
            uniques = grown(uniques, n_unique, capacity)
            first = grown(first, n_unique, capacity)
            sizes = grown(sizes, n_unique, capacity)
            state = _grown_state(state, n_unique, capacity)
        _put_states(state, n_unique, st_b, np.arange(k))
        for u in range(k):
            uniques[n_unique + u] = u_b[u]
            sizes[n_unique + u] = s_b[u]
            first[n_unique + u] = bucket_rows[f_b[u]]
        n_unique += k
    # back to first-seen order: the first rows are distinct rows of lo .. hi - 1, so a
    # table indexed by row sorts them in O(hi - lo) (Numba's argsort took ~8 s to compile)
    at_row = np.full(hi - lo, -1, np.int64)
    for u in range(n_unique):
        at_row[first[u] - lo] = u
    order = np.empty(n_unique, np.int64)
    k = 0
    for r in range(hi - lo):
        if at_row[r] >= 0:
            order[k] = at_row[r]
            k += 1
    out_uniques = np.empty(n_unique, np.int64)
    out_sizes = np.empty(n_unique, np.int64)
    out_state = np.empty((n_unique, n_columns, N_STATE))
    _put_states(out_state, 0, state, order)
    for u in range(n_unique):
        out_uniques[u] = uniques[order[u]]
        out_sizes[u] = sizes[order[u]]
    return out_uniques, out_sizes, out_state


@jit(inline=True)
def _merge(into, st):
    """Merge the partial statistics ``st`` (later rows) into ``into`` (earlier rows)."""
    n_b = st[COUNT]
    if n_b == 0.0:
        return
    n_a = into[COUNT]
    if n_a == 0.0:
        for f in range(N_STATE):
            into[f] = st[f]
        return
    k_a, k_b = into[SHIFT], st[SHIFT]
    if k_a != k_a and k_b == k_b:  # only infinities so far: their sums are non-finite
        into[SHIFT] = k_b  # anyway, and a finite K serves what follows
        k_a = k_b
    k_a = 0.0 if k_a != k_a else k_a
    k_b = 0.0 if k_b != k_b else k_b
    delta = k_b - k_a  # re-shift b's sums by K_a: Σ(d + δ) and Σ(d + δ)²
    into[SDD] += st[SDD] + 2.0 * delta * st[SD] + n_b * delta * delta
    into[SD] += st[SD] + n_b * delta
    into[COUNT] = n_a + n_b
    into[LAST] = st[LAST]
    into[MIN] = min(into[MIN], st[MIN])
    into[MAX] = max(into[MAX], st[MAX])


@jit
def merge_states(groups, sizes, state, n_groups):
    """Merge the partial tables ``state[i]`` (group ``groups[i]``), in order, into one
    ``(sizes, state)`` of ``n_groups`` groups."""
    total = np.zeros(n_groups, np.int64)
    out = new_state(n_groups, state.shape[1])
    for i in range(groups.shape[0]):
        g = groups[i]
        total[g] += sizes[i]
        for c in range(state.shape[1]):
            _merge(out[g, c], state[i, c])
    return total, out


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
def order_statistics(order, starts, values, want_median, want_nunique, j_median, j_nunique, out):
    """Median and number of distinct non-NaN values of each group and column, by a sort
    of each group's values: ``values[order[starts[g]:starts[g + 1]]]`` are group g's rows."""
    n_groups = starts.shape[0] - 1
    buf = np.empty(values.shape[0])
    for g in range(n_groups):
        b, e = starts[g], starts[g + 1]
        for c in range(values.shape[1]):
            m = 0
            for t in range(b, e):
                v = np.float64(values[order[t], c])
                if v == v:
                    buf[m] = v
                    m += 1
            seg = np.sort(buf[:m])
            if want_median:
                if m == 0:
                    out[g, c, j_median] = np.nan
                elif m % 2 == 1:
                    out[g, c, j_median] = seg[m // 2]
                else:
                    out[g, c, j_median] = 0.5 * (seg[m // 2 - 1] + seg[m // 2])
            if want_nunique:
                distinct = 0
                for t in range(m):
                    if t == 0 or seg[t] != seg[t - 1]:
                        distinct += 1
                out[g, c, j_nunique] = distinct
