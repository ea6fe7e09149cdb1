"""The soft-margin linear SVM, solved by dual coordinate descent (liblinear's algorithm)."""

import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning

from fastnn import _checks
from fastnn.linear import _kernels as K
from fastnn.linear._base import (
    LinearClassifier,
    as_rows,
    check_positive,
    check_tol,
    generator,
    row_norms,
)

__all__ = ["LinearSVM"]

# Each one-vs-rest problem draws its uniforms (for the shuffles of the active
# set) in blocks of at least this many; the kernel returns for a new block
# when one cannot cover the next iteration.
STREAM_BLOCK = 1 << 17


class LinearSVM(LinearClassifier):
    """The linear support vector machine: the perceptron of optimal stability, soft margin.

    Among the separating hyperplanes the SVM takes the one of largest margin,
    and with a soft margin lets samples violate it at a cost ``C``. With the
    intercept handled as liblinear handles it, a constant feature
    :math:`x_0 = 1` whose weight :math:`w_0` is regularised too, it minimises
    the primal objective

    .. math:: P(w) = \\tfrac{1}{2} \\lVert w \\rVert^2
        + C \\sum_{i=1}^{n} \\xi\\big(y_i\\, w \\cdot x_i\\big),
        \\qquad \\xi(m) = \\max(0, 1 - m) \\text{ (hinge) or } \\max(0, 1 - m)^2

    (``w`` and ``x`` including :math:`w_0` and :math:`x_0`), the same function
    as scikit-learn's ``LinearSVC(dual=True)``. It is solved in the dual,

    .. math:: \\min_{\\alpha} \\tfrac{1}{2} \\alpha^\\top \\bar{Q} \\alpha - e^\\top\\alpha,
        \\quad 0 \\le \\alpha_i \\le U, \\quad
        \\bar{Q}_{ij} = y_i y_j x_i \\cdot x_j + D_{ii}\\,[i = j]

    (hinge: :math:`U = C, D = 0`; squared hinge: :math:`U = \\infty,
    D_{ii} = 1/(2C)`), by coordinate descent: each :math:`\\alpha_i` in turn
    takes its optimal value in closed form, ``w = Σ α_i y_i x_i`` is updated
    with it, and variables stuck at a bound are shrunk away. Each epoch
    visits the active variables in a random order. Training stops when the
    projected gradient's spread ``max PG − min PG`` is at most ``tol``.

    Parameters
    ----------
    C : float, default=1.0
        The cost of a margin violation (> 0); smaller means a wider margin.
    loss : {"squared_hinge", "hinge"}, default="squared_hinge"
        ξ above. The default is ``LinearSVC``'s.
    tol : float, default=1e-4
        Stop when the projected-gradient spread is at most this (liblinear's
        ``eps``, ``LinearSVC``'s ``tol``).
    max_iter : int, default=1000
        The most outer iterations (passes over the active set).
    fit_intercept : bool, default=True
        Learn :math:`w_0` (as a regularised constant feature equal to 1).
    random_state : int, RandomState instance or None, default=None
        Seeds the visiting order, through ``check_random_state`` once per fit.

    Attributes
    ----------
    coef_ : ndarray of shape (1, n_features) or (n_classes, n_features)
    intercept_ : ndarray of shape (1,) or (n_classes,)
    classes_ : ndarray of shape (n_classes,)
    n_iter_ : int
        Outer iterations run (the most over the one-vs-rest problems).
    n_features_in_ : int

    Notes
    -----
    More than two classes are one-vs-rest problems, one weight vector per
    class, solved in one kernel call (in parallel over the classes). Dense
    rows are read with 8-lane SIMD sums, CSR rows entry by entry, so dense and
    CSR results agree to rounding (not bit for bit as the Perceptron's).

    References
    ----------
    C.-J. Hsieh, K.-W. Chang, C.-J. Lin, S. S. Keerthi and S. Sundararajan,
    "A dual coordinate descent method for large-scale linear SVM", ICML 2008
    (Algorithm 1, with shrinking, §3.2).

    R.-E. Fan, K.-W. Chang, C.-J. Hsieh, X.-R. Wang and C.-J. Lin,
    "LIBLINEAR: a library for large linear classification", JMLR 9,
    1871-1874, 2008.

    Examples
    --------
    >>> import numpy as np
    >>> from fastnn.linear import LinearSVM
    >>> X = np.array([[-2.0, 0.0], [-1.0, 1.0], [1.0, -1.0], [2.0, 0.0]])
    >>> y = np.array(["left", "left", "right", "right"])
    >>> svm = LinearSVM(C=10.0, random_state=0).fit(X, y)
    >>> svm.predict([[-3.0, 0.0], [3.0, 0.5]])
    array(['left', 'right'], dtype='<U5')
    >>> np.round(svm.coef_, 1), np.round(svm.intercept_, 1)
    (array([[ 0.5, -0.5]]), array([0.]))
    """

    def __init__(
        self,
        *,
        C=1.0,
        loss="squared_hinge",
        tol=1e-4,
        max_iter=1000,
        fit_intercept=True,
        random_state=None,
    ):
        self.C = C
        self.loss = loss
        self.tol = tol
        self.max_iter = max_iter
        self.fit_intercept = fit_intercept
        self.random_state = random_state

    # The engine: the Numba kernel here, the NumPy loop in the twin.
    _dcd_svm = staticmethod(K.dcd_svm)

    def fit(self, X, y):
        """Solve the SVM on ``X`` (dense or sparse) and labels ``y`` (two or more classes).

        Returns
        -------
        self
        """
        C = check_positive(self.C, "C")
        _checks.check_choice(self.loss, "loss", ("squared_hinge", "hinge"))
        tol = check_tol(self.tol)
        max_iter = _checks.check_int(self.max_iter, "max_iter", low=1)
        fit_intercept = _checks.check_bool(self.fit_intercept, "fit_intercept")
        X, y = self._validate_training_data(X, y, reset=True)
        self.classes_ = self._validate_classes(y)
        Y = self._signs(y, self.classes_)
        rng = generator(self.random_state)

        n_problems, n = Y.shape
        d = X.shape[1]
        hinge = self.loss == "hinge"
        diag = 0.0 if hinge else 0.5 / C
        upper = C if hinge else np.inf
        qd = row_norms(X, squared=True) + (1.0 if fit_intercept else 0.0) + diag
        if not np.isfinite(qd).all():
            raise ValueError(
                "X holds values too large for LinearSVM: the squared norm of a row overflows "
                "float64 (values beyond ~1e154). Scale X (StandardScaler) first."
            )
        W = np.zeros((n_problems, d))
        alpha = np.zeros((n_problems, n))
        index = np.tile(np.arange(n, dtype=np.int64), (n_problems, 1))
        F = np.zeros((n_problems, K.DCD_FLOATS))
        F[:, K.PG_MAX_OLD] = np.inf
        F[:, K.PG_MIN_OLD] = -np.inf
        S = np.zeros((n_problems, K.DCD_INTS), np.int64)
        S[:, K.ACTIVE] = n
        block = max(STREAM_BLOCK, n)
        stream = np.empty((n_problems, block))
        S[:, K.CURSOR] = block  # empty: the first pass draws
        rows = as_rows(X)
        while True:
            pending = (S[:, K.CONVERGED] == 0) & (S[:, K.ITER] < max_iter)
            if not pending.any():
                break
            for k in np.flatnonzero(pending & (S[:, K.CURSOR] + S[:, K.ACTIVE] > block)):
                stream[k] = rng.random(block)
                S[k, K.CURSOR] = 0
            self._dcd_svm(
                rows, Y, qd, diag, upper, tol, max_iter, fit_intercept, stream, W, alpha,
                index, F, S, work=0 if n_problems == 1 else n_problems * n * max(d, 1),
            )  # fmt: skip
        self.coef_ = W
        self.intercept_ = F[:, K.DCD_BIAS].copy() if fit_intercept else np.zeros(n_problems)
        self.n_iter_ = int(S[:, K.ITER].max())
        if not S[:, K.CONVERGED].all():
            gap = float(F[:, K.GAP].max())
            warnings.warn(
                f"LinearSVM did not converge within max_iter={max_iter} iterations "
                f"(projected-gradient spread {gap:.3g} > tol={tol}): raise max_iter, "
                "standardise the features (StandardScaler), or lower C.",
                ConvergenceWarning,
                stacklevel=2,
            )
        return self


def _primal_objective(coef, intercept, X, y, classes, C, loss):
    """Return ``P(w)`` of each one-vs-rest problem: ½‖w‖² + ½w_0² + C Σ ξ(y_i w·x_i)."""
    Y = LinearClassifier._signs(np.asarray(y), np.asarray(classes)).astype(np.float64)
    margins = Y * (np.asarray(X @ coef.T).T + intercept[:, None])
    slack = np.maximum(0.0, 1.0 - margins)
    if loss == "squared_hinge":
        slack = slack * slack
    return 0.5 * (np.einsum("kj,kj->k", coef, coef) + intercept**2) + C * slack.sum(axis=1)
