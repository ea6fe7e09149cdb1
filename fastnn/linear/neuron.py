"""The single sigmoid neuron, trained by (minibatch, stochastic) gradient descent."""

import warnings

import numpy as np
from scipy.special import expit
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils.multiclass import type_of_target

from fastnn import _checks
from fastnn.linear import _kernels as K
from fastnn.linear._base import LinearClassifier, as_rows, check_positive, check_tol, generator

__all__ = ["SigmoidNeuron"]

CHUNK_ENTRIES = 1 << 21  # as the Perceptron: shuffles are drawn per chunk of epochs


class SigmoidNeuron(LinearClassifier):
    """One neuron with the sigmoid activation, trained by gradient descent: the lecture's model.

    .. math:: \\hat{y} = \\sigma(w \\cdot x) = \\frac{1}{1 + e^{-w \\cdot x}}

    with the bias :math:`w_0` and :math:`x_0 = 1`, for two classes
    (``classes_[1]`` is :math:`y = 1`). Gradient descent follows the error
    downhill, :math:`w \\leftarrow w - \\eta\\, \\partial\\varepsilon / \\partial w`,
    which by the chain rule and :math:`\\sigma' = \\sigma (1 - \\sigma)` is

    - ``loss="mse"``, :math:`\\varepsilon = \\frac{1}{2}(\\hat{y} - y)^2`:
      :math:`w \\leftarrow w - \\eta\\, (\\hat{y} - y)\\, \\hat{y} (1 - \\hat{y})\\, x`;
    - ``loss="log"``, :math:`\\varepsilon = -y \\log\\hat{y} - (1 - y)\\log(1 - \\hat{y})`:
      :math:`w \\leftarrow w - \\eta\\, (\\hat{y} - y)\\, x` (logistic regression).

    A batch's step uses the mean of its samples' gradients, all taken at the
    weights the batch started from, so ``eta`` means the same at every
    ``batch_size``: full batch (the default) is plain gradient descent, 1 is
    stochastic gradient descent, k is minibatch.

    Parameters
    ----------
    loss : {"mse", "log"}, default="mse"
    eta : float, default=0.1
        The learning rate η > 0.
    max_iter : int, default=1000
        The most epochs.
    batch_size : int or None, default=None
        Samples per step; None: all of them.
    tol : float, default=1e-4
        Training stops when the epoch loss has not dropped below the best so
        far by at least ``tol`` for ``n_iter_no_change`` epochs in a row.
    n_iter_no_change : int, default=5
        See ``tol`` (scikit-learn's ``MLPClassifier`` rule).
    shuffle : bool, default=True
        Visit the samples in a new random order each epoch (no effect with
        full batches, whose step does not depend on the order).
    fit_intercept : bool, default=True
        Learn the bias :math:`w_0` (else it stays 0).
    random_state : int, RandomState instance or None, default=None
        Seeds ``shuffle``, through ``check_random_state`` once per fit.

    Attributes
    ----------
    coef_ : ndarray of shape (1, n_features)
    intercept_ : ndarray of shape (1,)
    classes_ : ndarray of shape (2,)
    loss_curve_ : list of float
        Mean loss of each epoch, each sample's taken at the weights its batch
        started from (for full batches: the loss before the epoch's step).
    n_iter_ : int
        Epochs run.
    n_features_in_ : int

    References
    ----------
    D. E. Rumelhart, G. E. Hinton and R. J. Williams, "Learning
    representations by back-propagating errors", Nature 323, 533-536, 1986.

    Examples
    --------
    >>> import numpy as np
    >>> from fastnn.linear import SigmoidNeuron
    >>> X = np.array([[0.0], [1.0], [2.0], [3.0]])
    >>> y = np.array([0, 0, 1, 1])
    >>> neuron = SigmoidNeuron(eta=1.0).fit(X, y)
    >>> neuron.predict([[0.5], [2.5]])
    array([0, 1])
    >>> neuron.predict_proba([[0.0], [3.0]]).round(2)
    array([[0.93, 0.07],
           [0.05, 0.95]])
    >>> round(neuron.loss_curve_[0], 3)  # ½ (0.5 − y)² at w = 0
    0.125
    """

    def __init__(
        self,
        *,
        loss="mse",
        eta=0.1,
        max_iter=1000,
        batch_size=None,
        tol=1e-4,
        n_iter_no_change=5,
        shuffle=True,
        fit_intercept=True,
        random_state=None,
    ):
        self.loss = loss
        self.eta = eta
        self.max_iter = max_iter
        self.batch_size = batch_size
        self.tol = tol
        self.n_iter_no_change = n_iter_no_change
        self.shuffle = shuffle
        self.fit_intercept = fit_intercept
        self.random_state = random_state

    # The engine: the Numba kernel here, the NumPy loop in the twin.
    _neuron_epochs = staticmethod(K.neuron_epochs)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_class = False
        return tags

    def fit(self, X, y):
        """Train on ``X`` (dense or sparse) and labels ``y`` of exactly two classes.

        Returns
        -------
        self
        """
        _checks.check_choice(self.loss, "loss", ("mse", "log"))
        eta = check_positive(self.eta, "eta")
        max_iter = _checks.check_int(self.max_iter, "max_iter", low=1)
        if self.batch_size is not None:
            _checks.check_int(self.batch_size, "batch_size", low=1)
        tol = check_tol(self.tol)
        patience = _checks.check_int(self.n_iter_no_change, "n_iter_no_change", low=1)
        shuffle = _checks.check_bool(self.shuffle, "shuffle")
        fit_intercept = _checks.check_bool(self.fit_intercept, "fit_intercept")
        X, y = self._validate_training_data(X, y, reset=True)
        kind = type_of_target(y, input_name="y")
        if kind != "binary":
            raise ValueError(
                f"Only binary classification is supported. The type of the target is {kind}: "
                f"y holds {np.unique(y).size} classes, and SigmoidNeuron is one neuron for "
                "two. Use Perceptron or LinearSVM (one-vs-rest) for more."
            )
        self.classes_ = self._validate_classes(y)
        target = (y == self.classes_[1]).astype(np.float64)
        rng = generator(self.random_state)

        n, d = X.shape
        batch = n if self.batch_size is None else min(self.batch_size, n)
        rows = as_rows(X)
        w = np.zeros(d)
        F = np.zeros(K.NEURON_FLOATS)
        F[K.BEST_LOSS] = np.inf
        S = np.zeros(K.NEURON_INTS, np.int64)
        delta = np.empty(batch)
        in_order = np.arange(n, dtype=np.int64)[None, :]
        chunk = max(1, CHUNK_ENTRIES // n)
        curve = []
        while len(curve) < max_iter and not S[K.STOPPED]:
            m = min(chunk, max_iter - len(curve))
            if shuffle and batch < n:
                orders = np.stack([rng.permutation(n) for _ in range(m)])
            else:
                orders = in_order
            losses = np.empty(m)
            self._neuron_epochs(
                rows, target, orders, batch, self.loss == "mse", eta, fit_intercept, tol,
                patience, w, F, S, losses, delta,
            )  # fmt: skip
            curve.extend(losses[: S[K.NEURON_EPOCHS]].tolist())
        if not (np.isfinite(w).all() and np.isfinite(F[K.NEURON_BIAS])):
            raise ValueError(
                f"SigmoidNeuron's weights overflowed to inf/NaN during training: the features "
                f"are too large for eta={eta} (largest |x| = {_largest(X):.3g}). Standardise X "
                "(StandardScaler) or lower eta."
            )
        self.coef_ = w[None, :]
        self.intercept_ = np.array([F[K.NEURON_BIAS]])
        self.loss_curve_ = curve
        self.n_iter_ = len(curve)
        if not S[K.STOPPED]:
            warnings.warn(
                f"SigmoidNeuron did not converge within max_iter={max_iter} epochs (the loss "
                f"still fell by more than tol={tol} within the last {patience} epochs): "
                "raise max_iter or eta, or standardise the features.",
                ConvergenceWarning,
                stacklevel=2,
            )
        return self

    def predict_proba(self, X):
        """Return ``[1 − ŷ, ŷ]`` per sample, ŷ = σ(w · x + w_0) the probability of ``classes_[1]``.

        Returns
        -------
        ndarray, shape (n_samples, 2)
            float64; columns in the order of ``classes_``.
        """
        p = expit(self.decision_function(X))
        return np.column_stack([1.0 - p, p])


def _largest(X):
    values = X.data if hasattr(X, "data") and not isinstance(X, np.ndarray) else X
    return float(np.max(np.abs(values))) if values.size else 0.0
