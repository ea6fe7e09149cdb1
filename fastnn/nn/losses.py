"""Losses ε(ŷ, y) of a batch, with the exact conventions of the network.

- ``"mse"``: the mean over samples of ½ Σ_k (ŷ_k − y_k)², the lecture's
  ε = ½ (ŷ − y)² summed over outputs. (scikit-learn's ``squared_error`` is
  the same ½ but also averages over outputs.)
- ``"cross_entropy"``: the mean over samples of −log softmax(ŷ)[y] for
  integer class labels y, where ŷ are the logits f[L] (the output
  activation is the identity: the softmax is fused into the loss, and its
  δ[L] is softmax(ŷ) − onehot(y)). With one output column it is the binary
  log loss of σ(ŷ): softplus(ŷ) − y ŷ.
- ``"binary_cross_entropy"``: the mean over samples of Σ_k softplus(ŷ_k) −
  y_k ŷ_k, the log loss of independent sigmoid outputs σ(ŷ_k) for 0/1
  targets y of shape (n, n[L]) (multilabel classification, as
  scikit-learn's); δ[L] = σ(ŷ) − y, the sigmoid fused in as above.
"""

import numpy as np

from fastnn import _checks
from fastnn.nn import _kernels

__all__ = ["LOSSES", "cross_entropy", "mse"]

LOSSES = ("mse", "cross_entropy", "binary_cross_entropy")


def _as_2d(value, name, dtype):
    array = _checks.check_array(value, name, finite=True)
    array = np.ascontiguousarray(array, dtype=dtype)
    return array.reshape(-1, 1) if array.ndim == 1 else array


def mse(y_pred, y):
    """Return mean over samples of ½ Σ over outputs (ŷ − y)².

    Examples
    --------
    >>> mse([[1.0], [3.0]], [[0.0], [1.0]])
    1.25
    """
    y_pred = _as_2d(y_pred, "y_pred", np.float64)
    y = _as_2d(y, "y", np.float64)
    if y.shape != y_pred.shape:
        raise ValueError(f"y must have y_pred's shape {y_pred.shape}, got {y.shape}")
    delta = np.empty_like(y_pred)
    return float(_kernels.mse_delta(y_pred, y, _kernels.IDENTITY, 0.0, delta))


def cross_entropy(logits, y):
    """Return mean over samples of −log softmax(logits)[y] (one column: sigmoid log loss).

    Examples
    --------
    >>> round(cross_entropy([[0.0, 0.0]], [1]), 6)  # log 2
    0.693147
    """
    logits = _as_2d(logits, "logits", np.float64)
    y = check_labels(y, logits.shape[0], logits.shape[1])
    delta = np.empty_like(logits)
    return float(_kernels.cross_entropy_delta(logits, y, delta))


def check_labels(y, n_samples, n_outputs):
    """Return class labels ``y`` as int64 in [0, n_outputs) (0/1 for one output), or raise."""
    labels = _checks.check_array(y, "y", ndim=1, finite=True)
    if labels.shape[0] != n_samples:
        raise ValueError(
            f"y must have {n_samples} labels (one per row of X), got {labels.shape[0]}"
        )
    as_int = labels.astype(np.int64)
    high = 1 if n_outputs == 1 else n_outputs - 1
    if not np.array_equal(as_int, labels) or as_int.min() < 0 or as_int.max() > high:
        raise ValueError(
            f"y must hold integer class labels from 0 to {high} for cross_entropy "
            f"with {n_outputs} output(s)"
        )
    return as_int
