"""Tabular features: group-by aggregates, transforms, sequences, rolling windows, count encoding.

:func:`group_by` factorizes keys once into a :class:`Groups`, whose methods
give every per-group feature of the lecture's tabular feature engineering
("features from counting, aggregation, difference, min, max"). Every
function takes NumPy arrays (and pandas, polars or pyarrow key columns); the
NumPy twins are in :mod:`fastnn.tabular.reference`.
"""

from fastnn.tabular.formula import Formula, formula
from fastnn.tabular.frame import aggregate
from fastnn.tabular.groups import Groups, count_encode, group_by
from fastnn.tabular.transformers import CountEncoder, FormulaFeatures, GroupFeatures

__all__ = [
    "CountEncoder",
    "Formula",
    "FormulaFeatures",
    "GroupFeatures",
    "Groups",
    "aggregate",
    "count_encode",
    "formula",
    "group_by",
]
