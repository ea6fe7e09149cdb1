"""Numba kernels of :mod:`fastnn.tabular`. Plain arrays in, results out; no validation.

Modules by family: :mod:`~fastnn.tabular._kernels.hash` (factorizing keys),
:mod:`~fastnn.tabular._kernels.aggregate` (group statistics, the fused hash
aggregation), :mod:`~fastnn.tabular._kernels.sequence` (the counting sort and
within-group sequences), :mod:`~fastnn.tabular._kernels.rolling` (grouped
rolling windows through fastnn.temporal's kernel), and the package
:mod:`~fastnn.tabular._kernels.formula` (the row-formula interpreter, imported
by :mod:`fastnn.tabular.formulas` on its own). Codes are int64 (``-1``: a
row of no group); values are float32 or float64, accumulated in float64.
"""

from fastnn.tabular._kernels.aggregate import (
    accumulate_codes,
    finish,
    hash_aggregate,
    merge_into,
    new_state,
    order_statistics,
)
from fastnn.tabular._kernels.hash import (
    factorize_dense,
    factorize_int64,
    factorize_text,
    renumber,
)
from fastnn.tabular._kernels.rolling import collect, count_rows, deal, roll_groups
from fastnn.tabular._kernels.sequence import (
    counting_sort,
    group_cumcount,
    group_cumsum,
    group_lag,
)

__all__ = [
    "accumulate_codes",
    "collect",
    "count_rows",
    "counting_sort",
    "deal",
    "factorize_dense",
    "factorize_int64",
    "factorize_text",
    "finish",
    "group_cumcount",
    "group_cumsum",
    "group_lag",
    "hash_aggregate",
    "merge_into",
    "new_state",
    "order_statistics",
    "renumber",
    "roll_groups",
]
