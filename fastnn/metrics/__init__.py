"""Metrics: cosine similarity and angular distance (accuracy-style helpers to come).

Every function here has its NumPy twin, with the same name and signature, in
:mod:`fastnn.metrics.reference`. Importing this package imports neither
:mod:`fastnn.linear` nor scikit-learn.
"""

from fastnn.metrics.similarity import angular_distance, cosine_similarity

__all__ = ["angular_distance", "cosine_similarity"]
