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
    _, _, similarity = _unit_vectors_and_cosines(a, b)
    return _shaped(similarity, a, b)


def angular_distance(a, b, *, degrees=False):
    """NumPy twin of :func:`fastnn.metrics.angular_distance`: ``arccos`` of the cosine,
    and ``2·atan2(‖â − b̂‖, ‖â + b̂‖)`` of the unit vectors where ``|cos θ| > 0.99``."""
    a, b = np.asarray(a), np.asarray(b)
    unit_a, unit_b, similarity = _unit_vectors_and_cosines(a, b)
    with np.errstate(invalid="ignore"):
        angle = np.arccos(np.clip(similarity, -1, 1))
        rows, cols = np.nonzero(np.abs(similarity) > 0.99)
    x = unit_a[rows].astype(np.float64)
    y = unit_b[cols].astype(np.float64)
    minus = np.sqrt(np.einsum("ij,ij->i", x - y, x - y))
    plus = np.sqrt(np.einsum("ij,ij->i", x + y, x + y))
    angle[rows, cols] = 2 * np.arctan2(minus, plus)
    return _shaped(np.degrees(angle) if degrees else angle, a, b)


def _unit_vectors_and_cosines(a, b):
    dtype = np.promote_types(
        float_result_dtype(a.dtype, integer_to=np.float64),
        float_result_dtype(b.dtype, integer_to=np.float64),
    )
    unit_a = _normalized(np.atleast_2d(a), dtype)
    unit_b = _normalized(np.atleast_2d(b), dtype)
    return unit_a, unit_b, unit_a @ unit_b.T


def _shaped(pairwise, a, b):
    # two vectors give a scalar, a vector and a matrix one value per row of the matrix
    if a.ndim == 1 and b.ndim == 1:
        return pairwise[0, 0]
    if a.ndim == 1:
        return pairwise[0]
    if b.ndim == 1:
        return pairwise[:, 0]
    return pairwise


def _normalized(matrix, dtype):
    x = matrix.astype(np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        scale = np.max(np.abs(x), axis=1, keepdims=True, initial=0.0)
        scaled = x / np.where(scale == 0, 1.0, scale)
        norm = np.sqrt(np.einsum("ij,ij->i", scaled, scaled))[:, None]
        unit = scaled / np.where(norm == 0, 1.0, norm)
    unit[~np.isfinite(scale[:, 0])] = np.nan
    return unit.astype(dtype)
