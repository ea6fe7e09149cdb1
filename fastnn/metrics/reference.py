"""The NumPy twins of :mod:`fastnn.metrics`: same names, same signatures, same results.

The best plain NumPy: each vector scaled by its largest magnitude, its norm
from a float64 ``einsum``, one matrix product; they validate nothing beyond
what NumPy rejects.
"""

import numpy as np

from fastnn._checks import float_result_dtype

__all__ = ["angular_distance", "cosine_similarity"]


def cosine_similarity(a, b):
    """NumPy twin of :func:`fastnn.metrics.cosine_similarity`."""
    a, b = np.asarray(a), np.asarray(b)
    dtype = np.promote_types(
        float_result_dtype(a.dtype, integer_to=np.float64),
        float_result_dtype(b.dtype, integer_to=np.float64),
    )
    unit_a = _normalized(np.atleast_2d(a), dtype)
    unit_b = _normalized(np.atleast_2d(b), dtype)
    similarity = unit_a @ unit_b.T
    if a.ndim == 1 and b.ndim == 1:
        return similarity[0, 0]
    if a.ndim == 1:
        return similarity[0]
    if b.ndim == 1:
        return similarity[:, 0]
    return similarity


def angular_distance(a, b, *, degrees=False):
    """NumPy twin of :func:`fastnn.metrics.angular_distance`."""
    angle = np.arccos(np.clip(cosine_similarity(a, b), -1, 1))
    return np.degrees(angle) if degrees else angle


def _normalized(matrix, dtype):
    x = matrix.astype(np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        scale = np.max(np.abs(x), axis=1, keepdims=True, initial=0.0)
        scaled = x / np.where(scale == 0, 1.0, scale)
        norm = np.sqrt(np.einsum("ij,ij->i", scaled, scaled))[:, None]
        unit = scaled / np.where(norm == 0, 1.0, norm)
    unit[~np.isfinite(scale[:, 0])] = np.nan
    return unit.astype(dtype)
