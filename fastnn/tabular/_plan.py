"""How a grouped computation is planned: values, features, chunks and threads.

Rows are cut into chunks by a rule of the row and group counts alone (never
the thread count), each chunk is reduced into a partial table of its own, and
the partial tables are merged in chunk order: the results are the same bit
for bit whatever :func:`fastnn.set_num_threads` says. Chunks run on Python
threads (every kernel releases the GIL), because a hash-aggregation chunk
returns tables whose size only it knows, which a Numba ``prange`` loop cannot
hand back.
"""

from concurrent.futures import ThreadPoolExecutor

import numpy as np

from fastnn import _checks
from fastnn._jit import get_num_threads

__all__ = [
    "FEATURES",
    "ORDER_FEATURES",
    "as_values",
    "check_aggregates",
    "chunk_bounds",
    "run_chunks",
]

FEATURES = (
    "size", "count", "sum", "mean", "var", "std", "min", "max", "range", "first", "last",
    "median", "nunique",
)  # fmt: skip
ORDER_FEATURES = ("median", "nunique")  # computed by sorting each group's values

# Rows per chunk at least, and the most chunks. A chunk's partial table costs
# ~64 bytes per group and column to fill and to merge (serially, after the
# chunks), so chunks are also kept 16 times longer than the table; 10^7 rows
# make 2 chunks (the 2 cores of the benchmark machine: 4 chunks of 10^7 rows over
# 10^5 groups spent ~10 ms more allocating and merging tables), 4·10^6 rows one.
CHUNK_ROWS = 1 << 22
MAX_CHUNKS = 16


def chunk_bounds(n_rows, n_groups=0):
    """Row bounds of the chunks: a function of the row and group counts only."""
    n_chunks = min(MAX_CHUNKS, max(1, n_rows // max(CHUNK_ROWS, 16 * n_groups)))
    return np.linspace(0, n_rows, n_chunks + 1).astype(np.int64)


def run_chunks(func, bounds):
    """``[func(lo, hi) for each chunk]``, in chunk order, on up to ``get_num_threads()``
    threads."""
    spans = list(zip(bounds[:-1].tolist(), bounds[1:].tolist(), strict=True))
    threads = min(get_num_threads(), len(spans))
    if threads <= 1:
        return [func(lo, hi) for lo, hi in spans]
    with ThreadPoolExecutor(threads) as pool:
        return list(pool.map(lambda span: func(*span), spans))


def as_values(values, n_rows, name="values"):
    """Return ``(matrix, one_d)``: ``values`` as a C-contiguous ``(n_rows, n_columns)``
    float32 (kept) or float64 array, and whether it was 1-D; or raise."""
    array = _checks.check_array(values, name, allow_empty=True)
    if array.ndim not in (1, 2):
        raise ValueError(f"{name} must be 1-D or 2-D (rows × columns), got shape {array.shape}")
    if array.shape[0] != n_rows:
        raise ValueError(
            f"{name} must have one row per key: {n_rows} rows expected, got {array.shape[0]}"
        )
    dtype = np.float32 if array.dtype == np.float32 else np.float64
    matrix = np.ascontiguousarray(
        array.reshape(n_rows, 1) if array.ndim == 1 else array, dtype=dtype
    )
    return matrix, array.ndim == 1


def check_aggregates(features, known=FEATURES, name="features"):
    """Return ``features`` as a tuple of names from ``known``, or raise."""
    if isinstance(features, str):
        features = (features,)
    if not hasattr(features, "__iter__"):
        raise TypeError(
            f"{name} must be a feature name or a sequence of them such as ('mean', 'std'), "
            f"got {type(features).__name__}"
        )
    features = tuple(features)
    if not features:
        raise ValueError(f"{name} must name at least one feature, got an empty sequence")
    for feature in features:
        _checks.check_choice(feature, name, known)
    return features
