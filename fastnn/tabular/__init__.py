"""Tabular features: group-by aggregates, transforms, sequences, rolling windows, count encoding.

:func:`group_by` factorizes keys once into a :class:`Groups`, whose methods
give every per-group feature of the lecture's tabular feature engineering
("features from counting, aggregation, difference, min, max"). Every
function takes NumPy arrays (and pandas, polars or pyarrow key columns); the
NumPy twins are in :mod:`fastnn.tabular.reference`.
"""

from fastnn.tabular.formulas import Formula, formula
from fastnn.tabular.frame import aggregate
from fastnn.tabular.groups import Groups, count_encode, group_by

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


def __getattr__(name):
    # The transformers import scikit-learn (seconds), which the functions never
    # need: they load when first asked for, as fastnn.image's do.
    if name in ("CountEncoder", "FormulaFeatures", "GroupFeatures"):
        from fastnn.tabular import transformers

        return getattr(transformers, name)
    raise AttributeError(f"module 'fastnn.tabular' has no attribute {name!r}")
