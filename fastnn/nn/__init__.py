"""Neural networks: activations, the multi-layer perceptron, losses, optimizers, estimators.

- :mod:`~fastnn.nn.activations`: ``sigmoid``, ``tanh``, ``relu``, … and
  their derivatives ``sigmoid_grad``, …, elementwise, with ``out=``.
- :class:`MLP`: the network, W[l] of shape (n[l−1], n[l]),
  f[l] = a[l−1] W[l] + b[l], a[l] = g[l](f[l]); ``forward`` and ``gradients``
  (backpropagation, δ[l] = g'(f[l]) ⊙ (δ[l+1] W[l+1]ᵀ)).
- :mod:`~fastnn.nn.losses` (``"mse"``, ``"cross_entropy"``),
  :class:`SGD` and :class:`Adam`, :func:`sgd` (the minibatch loop),
  :func:`gradcheck`, :func:`save` and :func:`load` (also ``model.save``):
  a network or fitted estimator as ``.npz``, arrays plus JSON, never pickle.
- :class:`MLPClassifier`, :class:`MLPRegressor`: scikit-learn estimators
  over the network. They need scikit-learn and load on first use.

The network, the activations, the losses, the minibatch loop and
:func:`gradcheck` have NumPy twins in :mod:`fastnn.nn.reference`;
:func:`load` has none (file I/O: see the reference module's note).

Examples
--------
>>> import numpy as np
>>> from fastnn.nn import MLP
>>> net = MLP([2, 8, 3], "tanh", random_state=0)
>>> net.forward(np.zeros((4, 2))).shape
(4, 3)
"""

import importlib

# The submodules are part of the API (fastnn.nn.activations.sigmoid, …), not functions with twins.
from fastnn.nn import activations as activations
from fastnn.nn import losses as losses
from fastnn.nn import optimizers as optimizers
from fastnn.nn.gradcheck import gradcheck
from fastnn.nn.network import MLP
from fastnn.nn.optimizers import SGD, Adam
from fastnn.nn.training import sgd

__all__ = [
    "MLP",
    "SGD",
    "Adam",
    "MLPClassifier",
    "MLPRegressor",
    "gradcheck",
    "load",
    "save",
    "sgd",
]

# Loaded on first use: the estimators need scikit-learn; save and load (fastnn.nn.io) need
# only NumPy, but a session that never touches a file need not import them.
_LAZY = {"MLPClassifier": "fastnn.nn.estimators", "MLPRegressor": "fastnn.nn.estimators",
         "save": "fastnn.nn.io", "load": "fastnn.nn.io"}  # fmt: skip


def __getattr__(name):
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'fastnn.nn' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(_LAZY))
