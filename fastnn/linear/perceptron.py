"""The Perceptron and its learning algorithm (PLA), with Gallant's pocket and averaging."""

import warnings

import numpy as np
import scipy.sparse as sp
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils.multiclass import _check_partial_fit_first_call
from sklearn.utils.validation import check_array

from fastnn import _checks
from fastnn._intrinsics import LANES, native_half
from fastnn.linear import _kernels as K
from fastnn.linear import _rows
from fastnn.linear._base import (
    LinearClassifier,
    as_rows,
    check_positive,
    check_tol,
    generator,
)

__all__ = ["Perceptron"]

# Draws for shuffles and random selection are made per chunk of epochs, at
# most this many entries (16 MiB of int64), so a kernel call covers many
# epochs of a small problem and memory stays bounded for a big one.
CHUNK_ENTRIES = 1 << 21

# Dense X of at least this size, trained for at least SHADOW_MIN_EPOCHS, is
# also streamed as a binary16 copy (see fastnn.linear._rows). On pla_dense's
# 100,000 × 50: the copy and the norms 2.1 ms against 0.9 ms for the norms
# alone; then three epochs 3.5 against 5.4 ms, ten 10.7 against 17.0 ms. Below
# the size of a core's L2 cache the epoch is not memory-bound and the copy
# buys nothing.
SHADOW_MIN_BYTES = 1 << 21
SHADOW_MIN_EPOCHS = 3
# CSR rows are narrowed (_narrow_csr) for runs this long: the pass costs about an epoch's
# saving (~2 of ~8 ms an epoch on pla_bow), which a shorter run would not repay.
NARROW_MIN_EPOCHS = 3


def _exact_counts(data):
    """Return integer (or bool) ``data`` as int8 where every value fits, else as float64.

    The kernels read either exactly as the float64 the validation would
    have made (a value past 2^53 rounds there as it would have). NumPy's
    min, max and cast (3.5 ms for 3.7 M int64 counts, under load) replace
    the float64 copy (4 ms), and compile nothing.
    """
    if data.dtype == np.bool_:
        return data.view(np.int8)
    if data.size and np.iinfo(np.int8).min <= data.min() and data.max() <= np.iinfo(np.int8).max:
        return data.astype(np.int8)
    return data.astype(np.float64)


def _narrow_csr(indptr, indices, data):
    """Return the CSR tuple with int8 ``data`` and uint16 ``indices`` where both are exact.

    The sparse scan reads each stored entry and its column once a row an
    epoch, so its time follows the bytes a stored entry takes; counts (a bag
    of words, one-hot features) fit in int8 and columns below 65,536 in
    uint16, 3 bytes an entry instead of 12. Each narrowed value converts back
    exactly, so the products, sums and updates are the same to the bit.
    Integer counts arrive here as int8 already (:func:`_exact_counts`);
    float ones are narrowed by a pass that tests each value. Measured under
    load on ``pla_bow`` (100,000 × 49,940, 3.7 M counts, 10 epochs): the
    uint16 columns cost ~1.5 ms (a max and a cast) and save as much.
    """
    if data.dtype != np.int8:
        counts = np.empty(data.shape[0], np.int8)
        if K.narrow_counts(data, counts):
            data = counts
    if indices.shape[0] and int(indices.max()) <= np.iinfo(np.uint16).max:
        indices = indices.astype(np.uint16)
    return indptr, indices, data


# Float64 adds integers exactly up to 2^53: the integer PLA runs only where it bounds
# every partial sum of a decision, and every weight, by this.
EXACT_INTEGERS = 2**53


def _integral_step(rows, eta, W, bias, updates):
    """Return ``(c, dtype)``, the integer step ``2η`` and the weights' integer type, or None.

    None where the PLA may not run in integers; ``dtype`` is int32 where the
    bound on the weights below keeps them in its range (the scan then reads
    half the bytes of weights: ~41 against ~44 ms on ``pla_bow``, under
    load), else int64. The decisions are summed in int64 either way.

    The PLA may run in integers when the CSR ``data`` are integers (int8, as
    :func:`_narrow_csr` and :func:`_exact_counts` leave them where exact),
    ``2η`` is an integer and
    the weights ``W`` and biases are integers (zeros to start with), and no
    value the float64 PLA computes in ``updates`` more updates can pass
    2^53: then float64 computes each one exactly, and int64 the same
    numbers. Each update moves a weight by at most ``|c| · A`` (``A`` the
    largest ``|x|``) and the bias by ``|c|``, so with ``w_max``, ``b_max``
    the largest magnitudes now, every weight stays within ``w_max +
    updates · |c| · A`` and a row's partial sums within ``b_max + updates ·
    |c| + L · A · (that)``, for rows of at most ``L`` stored entries.
    """
    indptr, _, data = rows
    if data.dtype != np.int8 or not W.size or not data.size:
        return None
    c = 2.0 * eta
    if not (c == np.floor(c) and c < EXACT_INTEGERS):
        return None
    weights = np.concatenate([W.ravel(), bias])
    if not (np.isfinite(weights).all() and (np.floor(weights) == weights).all()):
        return None
    if np.signbit(weights[weights == 0]).any():  # −0.0 would come back +0.0
        return None
    c = int(c)
    peak = max(int(data.max()), -int(data.min()))
    w_max = int(np.abs(W).max()) + updates * c * peak
    b_max = int(np.abs(bias).max()) + updates * c
    longest = int(np.diff(indptr).max())
    if b_max + longest * peak * w_max > EXACT_INTEGERS:
        return None
    return c, np.int32 if w_max <= np.iinfo(np.int32).max else np.int64


def _pla_rows(X, epochs):
    """Return ``(rows, norms)`` for :func:`fastnn.linear._kernels.pla_epochs`, checking X is finite.

    CSR rows (checked by the validation) are summed in column order and need
    no norms. Dense rows get ``‖x_i‖``, which bounds the rounding of their
    SIMD sums; NaN or inf in ``X`` shows in them, so the validation's own
    pass over ``X`` is skipped. Big ones are shadowed by a binary16 copy
    ``(X, H, scales)``, made in the same pass, on CPUs that convert binary16
    in hardware (computing the norms in the kernel as each row is first met
    was tried: the extra branch in the scan loop cost more than the pass it
    saved).
    """
    if sp.issparse(X):
        indptr, indices, data = as_rows(X)
        if data.dtype.kind in "biu":  # kept by the validation (sparse_integers=True)
            data = _exact_counts(data)
        rows = indptr, indices, data
        return (_narrow_csr(*rows) if epochs >= NARROW_MIN_EPOCHS else rows), np.zeros(0)
    norms = np.empty(X.shape[0])
    width = _rows.shadow_width(X.shape[1])
    shadow = (
        X.nbytes >= SHADOW_MIN_BYTES
        and epochs >= SHADOW_MIN_EPOCHS
        and width <= _rows.SHADOW_MAX_WIDTH
        and native_half()
    )
    if shadow:
        halves = np.empty(X.size + LANES, np.uint16)
        halves[X.size :] = 0
        scales = np.empty(X.shape[0])
        K.shadow_rows(X, halves, scales, norms, work=X.size)
    else:
        K.row_norm_bounds(X, norms, work=X.size)
    if not np.isfinite(norms).all():
        # NaN or inf somewhere (raised here with scikit-learn's message), or
        # finite values whose squares overflow: their sums then take the
        # canonical route every time, which needs no bound.
        check_array(X, input_name="X", dtype=None, ensure_2d=False, ensure_min_samples=0)
        shadow = False
    if shadow:
        norms += (_rows.SHADOW_PAD * np.sqrt(width)) * scales
        return (X, halves, scales), norms
    return X, norms


class Perceptron(LinearClassifier):
    """The Perceptron, trained by the Perceptron Learning Algorithm (PLA).

    The classifier of the lecture: with the bias :math:`w_0` and
    :math:`x_0 = 1`,

    .. math:: \\hat{y} = \\operatorname{sgn}\\Big(\\sum_{r=0}^{n} w_r x_r\\Big),
        \\qquad \\operatorname{sgn}(z) = +1 \\text{ if } z > 0, \\; -1 \\text{ if } z \\le 0,

    trained by the PLA: initialise ``w`` (zeros or small random values),
    classify the samples, and on a misclassified sample update

    .. math:: w \\leftarrow w + \\eta\\,(y - \\hat{y})\\,x

    (so ``w`` moves by :math:`\\pm 2\\eta x`, towards ``x`` when ``y = +1``),
    until an epoch's training error rate is at most ``tol`` or after
    ``max_iter`` epochs. Two classes give one weight vector; more give one
    per class (one-vs-rest), all trained in one kernel call.

    Parameters
    ----------
    eta : float, default=1.0
        The learning rate η > 0.
    max_iter : int, default=1000
        The most epochs (passes over the data) ``fit`` runs.
    tol : float or None, default=0.0
        Stop after the first epoch whose training error rate is ``<= tol``
        (see ``errors_`` for what is counted). ``None``: run all ``max_iter``
        epochs, never warn.
    selection : {"cyclic", "random"}, default="cyclic"
        ``"cyclic"``: sweep the samples in order (a fresh permutation each
        epoch when ``shuffle=True``), updating on every mistake.
        ``"random"``: the lecture's step 3 literally: classify all samples,
        pick one misclassified sample uniformly at random, update; an epoch
        is ``n_samples`` such updates (each costs a full pass, so this is
        for teaching and small data).
    init : {"zeros", "random"}, default="zeros"
        Initial weights: zeros, or normal with standard deviation 0.01
        drawn from ``random_state``.
    fit_intercept : bool, default=True
        Learn the bias :math:`w_0` (else it stays 0).
    shuffle : bool, default=False
        With ``selection="cyclic"``: sweep each epoch in a new random order.
        Ignored by ``selection="random"``.
    pocket : bool, default=False
        Gallant's pocket algorithm with ratchet, for data that are not
        linearly separable: keep in the "pocket" the weights with the fewest
        training errors seen, return those. Candidates are considered after
        every sample, not once an epoch: when the current weights' run of
        correct classifications becomes longer than the pocket weights' run,
        their training errors are counted (once per weight vector) and they
        replace the pocket's only if they make fewer (the ratchet). With
        ``selection="random"``, where every step classifies all samples, the
        pocket compares the exact count after every update.
    average : bool, default=False
        Return the average of the weights after every sample (the averaged
        perceptron) instead of the last weights. Not with ``pocket``.
    random_state : int, RandomState instance or None, default=None
        Seeds ``init="random"``, ``shuffle`` and ``selection="random"``,
        through :func:`sklearn.utils.check_random_state` once per fit.
    verbose : int, default=0
        Print one line per epoch when > 0.

    Attributes
    ----------
    coef_ : ndarray of shape (1, n_features) or (n_classes, n_features)
        The weights :math:`w_1 … w_n` (float64): the last ones, the pocket's,
        or the average.
    intercept_ : ndarray of shape (1,) or (n_classes,)
        The bias :math:`w_0`.
    classes_ : ndarray of shape (n_classes,)
        The labels, sorted; ``classes_[1]`` is the positive class of two.
    n_iter_ : int
        Epochs run (the most over the one-vs-rest problems).
    n_updates_ : int
        Weight updates made, over all problems.
    converged_ : bool
        Whether every problem reached ``tol`` (False when ``tol=None``).
    errors_ : ndarray of shape (n_iter_,)
        Per epoch, the count that ``tol`` is checked against, summed over the
        one-vs-rest problems that ran that epoch: the mistakes (updates) made
        during the epoch for ``selection="cyclic"`` (the online error; an
        epoch with none leaves the weights classifying every sample right);
        the samples misclassified by the weights after the epoch for
        ``selection="random"``; the pocket weights' training errors with
        ``pocket=True`` (so it never increases).
    n_features_in_ : int
        Features seen in ``fit``.

    Notes
    -----
    Every decision :math:`\\hat{y}` is the sign of the sum in column order,
    :math:`w_0 + w_1 x_1 + \\dots + w_n x_n` as float64 evaluates it, exactly:
    SIMD sums are used where their error bound settles the sign (see
    :mod:`fastnn.linear._rows`). Since the updates are elementwise, dense and
    CSR inputs (and the NumPy twin :class:`fastnn.linear.reference.Perceptron`)
    give identical weights. Integer counts in CSR form (a bag of words) with
    an integral :math:`2\\eta` (the default η = 1) and zero initial weights
    keep every weight and every sum an integer: the cyclic PLA then runs in
    integer arithmetic wherever a bound proves float64 would compute each of
    them exactly (below :math:`2^{53}`), with the same weights to the bit.
    On linearly separable data with margin γ and
    :math:`R = \\max \\lVert (1, x) \\rVert`, zero initial weights make at most
    :math:`(R/\\gamma)^2` updates (Novikoff, 1962).

    ``sgn(0) = −1`` as in the lecture, so zero weights classify every sample
    as the negative class; scikit-learn's ``Perceptron`` updates on
    ``y · w·x <= 0`` instead (also at 0 for negative samples) and by ``η y x``,
    so its weights differ.

    References
    ----------
    F. Rosenblatt, "The perceptron: a probabilistic model for information
    storage and organization in the brain", Psychological Review 65(6),
    386-408, 1958.

    S. I. Gallant, "Perceptron-based learning algorithms", IEEE Transactions
    on Neural Networks 1(2), 179-191, 1990 (the pocket algorithm with
    ratchet, §III).

    Y. Freund and R. E. Schapire, "Large margin classification using the
    perceptron algorithm", Machine Learning 37(3), 277-296, 1999 (the voted
    and averaged perceptron, §2).

    Examples
    --------
    >>> import numpy as np
    >>> from fastnn.linear import Perceptron
    >>> X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]])
    >>> y = np.array([0, 0, 0, 1])  # logical AND: linearly separable
    >>> clf = Perceptron().fit(X, y)
    >>> clf.predict(X)
    array([0, 0, 0, 1])
    >>> clf.converged_, clf.errors_  # mistakes in each epoch
    (True, array([1, 3, 3, 2, 1, 0]))
    >>> clf.coef_, clf.intercept_  # w_1, w_2 and w_0: 4 x_1 + 2 x_2 - 4 > 0 only at (1, 1)
    (array([[4., 2.]]), array([-4.]))
    """

    def __init__(
        self,
        *,
        eta=1.0,
        max_iter=1000,
        tol=0.0,
        selection="cyclic",
        init="zeros",
        fit_intercept=True,
        shuffle=False,
        pocket=False,
        average=False,
        random_state=None,
        verbose=0,
    ):
        self.eta = eta
        self.max_iter = max_iter
        self.tol = tol
        self.selection = selection
        self.init = init
        self.fit_intercept = fit_intercept
        self.shuffle = shuffle
        self.pocket = pocket
        self.average = average
        self.random_state = random_state
        self.verbose = verbose

    # The engine: the Numba kernel here, the NumPy loop in the twin.
    _pla_epochs = staticmethod(K.pla_epochs)
    # Where the sums are integers it provably computes exactly, the same PLA in int64
    # (see _integral_step); the twin has none.
    _pla_integral_epochs = staticmethod(K.pla_integral_epochs)

    def fit(self, X, y):
        """Train from zero (or random) weights for up to ``max_iter`` epochs.

        Parameters
        ----------
        X : array_like or scipy.sparse matrix, shape (n_samples, n_features)
            float64 or float32 are used as they are (others become float64);
            sparse matrices as CSR.
        y : array_like, shape (n_samples,)
            Labels of any type, at least two classes.

        Returns
        -------
        self
        """
        self._check_params()
        X, y = self._validate_training_data(
            X, y, reset=True, dense_finite=False, sparse_integers=True
        )
        rows, norms = _pla_rows(X, self.max_iter)
        self.classes_ = self._validate_classes(y)
        rng = generator(self.random_state)
        self._init_state(len(self.classes_), X.shape[1], rng)
        self._train(rows, norms, self._signs(y, self.classes_), rng, self.max_iter)
        if not self.converged_ and self.tol is not None:
            warnings.warn(self._convergence_message(X.shape[0]), ConvergenceWarning, stacklevel=2)
        return self

    def _convergence_message(self, n_samples):
        """What a fit that missed ``tol`` tells the user: what was counted, and what helps.

        With ``pocket=True`` the count is the returned pocket weights' and the
        pocket is already on, so it is not suggested again.
        """
        last = int(self.errors_[-1]) if self.n_iter_ else 0
        counted = (
            "the pocket weights returned make"
            if self.pocket
            else "the last epoch made"
            if self.selection == "cyclic"
            else "the last weights make"
        )
        remedy = (
            "the pocket already returns the best weights seen; raise tol to accept them, or "
            "raise max_iter to search longer"
            if self.pocket
            else "use pocket=True to keep the best weights seen, raise tol, or raise max_iter"
        )
        return (
            f"Perceptron did not reach tol={self.tol} within max_iter={self.max_iter} epochs "
            f"({counted} {last} training errors, {last / n_samples:.2%} of the samples). The "
            f"data may not be linearly separable: {remedy}."
        )

    def partial_fit(self, X, y, classes=None):
        """Run one more epoch of the PLA, from the weights so far.

        Parameters
        ----------
        X : array_like or scipy.sparse matrix, shape (n_samples, n_features)
        y : array_like, shape (n_samples,)
        classes : array_like, shape (n_classes,), optional
            Every label, required on the first call (when ``y`` alone may not
            show all of them), ignored after.

        Returns
        -------
        self
        """
        self._check_params()
        first = _check_partial_fit_first_call(self, classes)
        X, y = self._validate_training_data(
            X, y, reset=first, dense_finite=False, sparse_integers=True
        )
        rows, norms = _pla_rows(X, 1)
        if first:
            self._validate_classes(self.classes_)
        unknown = np.setdiff1d(np.unique(y), self.classes_)
        if unknown.size:
            raise ValueError(
                f"y holds labels not in classes {self.classes_.tolist()}: {unknown.tolist()}"
            )
        rng = generator(self.random_state)
        if first or not hasattr(self, "_W"):
            self._init_state(len(self.classes_), X.shape[1], rng)
        self._train(rows, norms, self._signs(y, self.classes_), rng, 1)
        return self

    # -- internals ------------------------------------------------------
    def _check_params(self):
        check_positive(self.eta, "eta")
        _checks.check_int(self.max_iter, "max_iter", low=1)
        check_tol(self.tol, high=1.0, allow_none=True)
        _checks.check_choice(self.selection, "selection", ("cyclic", "random"))
        _checks.check_choice(self.init, "init", ("zeros", "random"))
        for name in ("fit_intercept", "shuffle", "pocket", "average"):
            _checks.check_bool(getattr(self, name), name)
        _checks.check_int(self.verbose, "verbose", low=0)
        if self.pocket and self.average:
            raise ValueError(
                "pocket and average cannot both be True: the pocket returns the best "
                "weights seen, the average returns the mean of all of them"
            )

    def _init_state(self, n_classes, n_features, rng):
        n_problems = 1 if n_classes == 2 else n_classes
        if self.init == "random":
            start = rng.normal(0.0, 0.01, size=(n_problems, n_features + 1))
        else:
            start = np.zeros((n_problems, n_features + 1))
        self._W = np.ascontiguousarray(start[:, :n_features])
        self._F = np.zeros((n_problems, K.PLA_FLOATS))
        if self.fit_intercept:
            self._F[:, K.BIAS] = start[:, n_features]
        self._S = np.zeros((n_problems, K.PLA_INTS), np.int64)
        self._S[:, K.POCKET_ERRORS] = -1
        self._U = np.zeros((n_problems, n_features if self.average else 0))
        self._PW = np.zeros((n_problems, n_features if self.pocket else 0))
        self.errors_ = np.zeros(0, np.int64)
        self.n_iter_ = 0

    def _train(self, rows, norms, Y, rng, epochs):
        n_problems, n = Y.shape
        d = self._W.shape[1]
        # The averaging and pocket buffers exist only while those options are
        # on; partial_fit may switch one on between calls.
        if self.average and self._U.shape[1] != d:
            self._U = np.zeros((n_problems, d))
        if self.pocket and self._PW.shape[1] != d:
            self._PW = np.zeros((n_problems, d))
            self._S[:, K.POCKET_ERRORS] = -1
        U = self._U if self.average else np.zeros((n_problems, 0))
        PW = self._PW if self.pocket else np.zeros((n_problems, 0))
        random_selection = self.selection == "random"
        max_errors = -1.0 if self.tol is None else self.tol * n
        chunk = max(1, CHUNK_ENTRIES // n)
        mis = np.empty((n_problems, n if random_selection else 0), np.int64)
        no_orders = np.zeros((1, 0), np.int64)  # cyclic: the samples in order
        no_uniforms = np.zeros((1, 0))
        self._S[:, K.DONE] = 0
        errors_run = [self.errors_]
        remaining = epochs
        while remaining > 0 and not self._S[:, K.DONE].all():
            m = min(chunk, remaining)
            remaining -= m
            if random_selection:
                orders, uniforms = no_orders, rng.random((m, n))
            elif self.shuffle:
                orders, uniforms = np.stack([rng.permutation(n) for _ in range(m)]), no_uniforms
            else:
                orders, uniforms = no_orders, no_uniforms
            errors = np.full((n_problems, m), -1, np.int64)
            work = 0 if n_problems == 1 else n_problems * m * n * max(d, 1)
            step = None
            if self._pla_integral_epochs is not None and not (
                random_selection or self.average or self.pocket or norms.size
            ):
                step = _integral_step(rows, self.eta, self._W, self._F[:, K.BIAS], m * n)
            if step is not None:
                step, dtype = step
                W, B = self._W.astype(dtype), self._F[:, K.BIAS].astype(np.int64)
                self._pla_integral_epochs(
                    rows, Y, orders, step, max_errors, bool(self.fit_intercept), W, B,
                    self._S, errors, work=work,
                )  # fmt: skip
                self._W[:], self._F[:, K.BIAS] = W, B  # exact: both within 2^53
            else:
                self._pla_epochs(
                    rows, norms, Y, orders, uniforms, random_selection, float(self.eta),
                    max_errors, bool(self.fit_intercept), bool(self.average), bool(self.pocket),
                    self._W, U, PW, self._F, self._S, errors, mis, work=work,
                )  # fmt: skip
            ran = int(self._S[:, K.EPOCHS].max())
            per_epoch = np.where(errors[:, :ran] >= 0, errors[:, :ran], 0).sum(axis=0)
            for e, count in enumerate(per_epoch, self.n_iter_ + 1):
                if self.verbose:
                    print(f"-- Epoch {e}: {count} training errors")
            errors_run.append(per_epoch)
            self.n_iter_ += ran
        self.errors_ = np.concatenate(errors_run).astype(np.int64)
        self.n_updates_ = int(self._S[:, K.UPDATES].sum())
        self.converged_ = bool(self._S[:, K.DONE].all())
        self._set_coef()

    def _set_coef(self):
        F = self._F
        if self.pocket:
            coef, intercept = self._PW.copy(), F[:, K.POCKET_BIAS].copy()
        elif self.average:
            steps = np.maximum(self._S[:, K.STEPS], 1).astype(np.float64)
            coef = self._W - self._U / steps[:, None]
            intercept = F[:, K.BIAS] - F[:, K.AVG_BIAS] / steps
        else:
            coef, intercept = self._W.copy(), F[:, K.BIAS].copy()
        if not (np.isfinite(coef).all() and np.isfinite(intercept).all()):
            raise ValueError(
                "The Perceptron's weights overflowed to inf/NaN: X holds values too large for "
                f"eta={self.eta} (sums of rows of X must stay below ~1e308). Scale X first."
            )
        self.coef_ = coef
        self.intercept_ = intercept if self.fit_intercept else np.zeros_like(intercept)
