"""Linear models: the Perceptron (PLA), the soft-margin linear SVM, the sigmoid neuron.

Three scikit-learn estimators whose training loops are Numba kernels; each has
a NumPy twin with the same name in :mod:`fastnn.linear.reference`. They take
dense arrays (float64, float32) and scipy.sparse matrices (as CSR), labels of
any type, and work in ``Pipeline``, ``GridSearchCV`` and pickle. scikit-learn
is a run-time dependency of this domain (only).
"""

from fastnn.linear.neuron import SigmoidNeuron
from fastnn.linear.perceptron import Perceptron
from fastnn.linear.svm import LinearSVM

__all__ = ["LinearSVM", "Perceptron", "SigmoidNeuron"]
