"""MLPClassifier and MLPRegressor: the scikit-learn contract over :class:`fastnn.nn.MLP`.

Thin estimators over one engine: parameters are scikit-learn's
(``MLPClassifier(hidden_layer_sizes=(100,), activation="relu", solver="adam",
…)``) where the meaning is the same; the network, its fused kernels and the
minibatch loop are :mod:`fastnn.nn.network` and :mod:`fastnn.nn.training`.
The estimators inherit :mod:`sklearn.base`'s classes, so ``clone``,
``Pipeline``, ``GridSearchCV`` and ``check_estimator`` work as for
scikit-learn's own; scikit-learn is therefore a run-time dependency of
these two classes (and of nothing else in fastnn.nn).
"""

import math
import numbers
import warnings

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin, is_classifier
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import accuracy_score, r2_score
from sklearn.model_selection import train_test_split
from sklearn.utils import check_random_state, column_or_1d
from sklearn.utils.metaestimators import available_if
from sklearn.utils.multiclass import check_classification_targets, type_of_target
from sklearn.utils.validation import check_is_fitted, validate_data

from fastnn import _checks
from fastnn.nn import _kernels
from fastnn.nn.network import MLP, Workspace, forward_in_blocks
from fastnn.nn.optimizers import SGD, Adam
from fastnn.nn.training import blas_threads, divergence_limit, run_epoch

__all__ = ["MLPClassifier", "MLPRegressor"]

_ACTIVATIONS = ("identity", "logistic", "sigmoid", "tanh", "relu", "leaky_relu", "softplus")
_ALIASES = {"logistic": "sigmoid"}  # scikit-learn's name for the sigmoid


def _is_stochastic(estimator):
    # scikit-learn's rule and message: partial_fit exists for sgd and adam only.
    if estimator.solver not in ("sgd", "adam"):
        raise AttributeError(
            f"partial_fit is only available for stochastic optimizers. {estimator.solver} is "
            "not stochastic."
        )
    return True


class _BaseMLP(BaseEstimator):
    """The shared fit loop; subclasses say how targets are encoded and scored."""

    _loss = "mse"

    def __init__(self, hidden_layer_sizes=(100,), activation="relu", *, solver="adam",
                 alpha=0.0001, batch_size="auto", learning_rate="constant",
                 learning_rate_init=0.001, power_t=0.5, max_iter=200, shuffle=True,
                 random_state=None, tol=1e-4, verbose=False, warm_start=False, momentum=0.9,
                 nesterovs_momentum=True, early_stopping=False, validation_fraction=0.1,
                 beta_1=0.9, beta_2=0.999, epsilon=1e-8, n_iter_no_change=10,
                 max_fun=15000):  # fmt: skip
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.solver = solver
        self.alpha = alpha
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.learning_rate_init = learning_rate_init
        self.power_t = power_t
        self.max_iter = max_iter
        self.shuffle = shuffle
        self.random_state = random_state
        self.tol = tol
        self.verbose = verbose
        self.warm_start = warm_start
        self.momentum = momentum
        self.nesterovs_momentum = nesterovs_momentum
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.n_iter_no_change = n_iter_no_change
        self.max_fun = max_fun

    # -- validation ---------------------------------------------------------------

    def _check_params(self):
        sizes = self.hidden_layer_sizes
        if isinstance(sizes, numbers.Integral) and not isinstance(sizes, bool):
            sizes = (sizes,)
        try:
            sizes = [_checks.check_int(n, "hidden_layer_sizes", low=1) for n in sizes]
        except TypeError as error:
            raise TypeError(f"hidden_layer_sizes must be a sequence of integers: {error}") from None
        except ValueError:
            raise ValueError(
                f"hidden_layer_sizes must hold positive integers, got {self.hidden_layer_sizes}"
            ) from None
        activation = _checks.check_choice(self.activation, "activation", _ACTIVATIONS)
        _checks.check_choice(self.solver, "solver", ("lbfgs", "sgd", "adam"))
        _checks.check_choice(self.learning_rate, "learning_rate",
                             ("constant", "invscaling", "adaptive"))  # fmt: skip
        for name, low in (("alpha", 0.0), ("tol", 0.0), ("momentum", 0.0), ("power_t", 0.0)):
            if _checks.check_real(getattr(self, name), name, allow_nan=False) < low:
                raise ValueError(f"{name} must be >= {low}, got {getattr(self, name)}")
        for name in ("learning_rate_init", "epsilon"):
            if _checks.check_real(getattr(self, name), name, allow_nan=False) <= 0:
                raise ValueError(f"{name} must be > 0, got {getattr(self, name)}")
        for name in ("beta_1", "beta_2", "validation_fraction"):
            value = _checks.check_real(getattr(self, name), name, allow_nan=False)
            if not 0 <= value < 1:
                raise ValueError(f"{name} must be in [0, 1), got {value}")
        if self.momentum > 1:
            raise ValueError(f"momentum must be in [0, 1], got {self.momentum}")
        _checks.check_int(self.max_iter, "max_iter", low=1)
        _check_n_iter_no_change(self.n_iter_no_change)
        _checks.check_int(self.max_fun, "max_fun", low=1)
        if self.batch_size != "auto":
            _checks.check_int(self.batch_size, "batch_size", low=1)
        return sizes, _ALIASES.get(activation, activation)

    # -- fitting ------------------------------------------------------------------

    def fit(self, X, y):
        """Train for up to ``max_iter`` epochs (from scratch unless ``warm_start``); return self."""
        return self._fit(X, y, incremental=False)

    def _fit(self, X, y, incremental, classes=None):
        sizes, activation = self._check_params()
        if incremental and self.early_stopping:
            # scikit-learn's rule and message: one epoch on a batch has no validation set.
            raise ValueError("partial_fit does not support early_stopping=True")
        fitted = hasattr(self, "_net")
        reuse = fitted and (incremental or self.warm_start)
        X, y = self._validate(X, y, reset=not reuse, classes=classes)
        if reuse:
            X = np.ascontiguousarray(X, dtype=self._net.dtype)
        if not reuse:
            self._rng = np.random.default_rng(
                check_random_state(self.random_state).randint(np.iinfo(np.int32).max)
            )
            layer_sizes = [X.shape[1], *sizes, self._n_outputs]
            activations = [activation] * len(sizes) + ["identity"]
            self._net = MLP(layer_sizes, activations, random_state=self._rng, dtype=X.dtype)
            self.loss_curve_ = []
            self.validation_scores_ = [] if self.early_stopping else None
            self.best_loss_ = np.inf
            self.best_validation_score_ = -np.inf if self.early_stopping else None
            self.n_iter_ = 0
            self.t_ = 0
            self._no_improvement = 0
            self._optimizer = None
        elif self.early_stopping and self.validation_scores_ is None:
            # early_stopping switched on since the last fit (warm start)
            self.validation_scores_, self.best_validation_score_ = [], -np.inf
        elif not self.early_stopping and self.best_loss_ is None:
            # switched off: a fit with early stopping leaves best_loss_ None
            self.best_loss_ = np.inf
        self.coefs_, self.intercepts_ = self._net.weights, self._net.biases
        if self.solver == "lbfgs":
            return self._fit_lbfgs(X, y)
        if self._optimizer is None or not incremental:
            self._optimizer = self._make_optimizer()
        # n_iter_ counts this call's epochs, warm start or not, so a partial_fit
        # leaves 1 (scikit-learn since 1.3, its #24764); t_ and loss_curve_ go on
        # counting across calls, as there.
        self.n_iter_ = 0
        X_val = y_val = None
        if self.early_stopping and not incremental:
            X, y, X_val, y_val = self._split(X, y)
        target = self._net.check_target(y, self._loss, X.shape[0])
        n = X.shape[0]
        batch = min(200, n) if self.batch_size == "auto" else min(self.batch_size, n)
        work = Workspace(self._net, batch)
        epochs = 1 if incremental else self.max_iter
        with blas_threads(self._net, batch):
            self._epochs(X, target, X_val, y_val, work, batch, epochs, incremental)
        return self

    def _epochs(self, X, target, X_val, y_val, work, batch, epochs, incremental):
        n = X.shape[0]
        bar = _progress(epochs) if self.verbose else None
        best_params = None
        try:
            for _ in range(epochs):
                order = self._rng.permutation(n) if self.shuffle else None
                # Growth is measured from the model's first epoch, over warm starts and
                # partial_fit calls alike (loss_curve_ is cumulative).
                limit = divergence_limit(self.loss_curve_[0]) if self.loss_curve_ else np.inf
                loss = run_epoch(self._net, X, target, self._loss, self._optimizer, work,
                                 batch, order, self.alpha, max_loss=limit)  # fmt: skip
                self.n_iter_ += 1
                self.t_ += n
                self.loss_curve_.append(loss)
                self.loss_ = loss
                if self.solver == "sgd" and self.learning_rate == "invscaling":
                    self._optimizer.learning_rate = self.learning_rate_init / (
                        (self.t_ + 1) ** self.power_t
                    )
                if bar is not None:
                    bar.set_postfix(loss=f"{loss:.5g}")
                    bar.update()
                if incremental:
                    self.best_loss_ = min(self.best_loss_, loss)
                    continue
                if X_val is not None:
                    score = self._validation_score(X_val, y_val)
                    self.validation_scores_.append(score)
                    if score > self.best_validation_score_:
                        best_params = self._net.params.copy()
                    improved = score > self.best_validation_score_ + self.tol
                    self.best_validation_score_ = max(self.best_validation_score_, score)
                else:
                    improved = loss < self.best_loss_ - self.tol
                    self.best_loss_ = min(self.best_loss_, loss)
                self._no_improvement = 0 if improved else self._no_improvement + 1
                if self._no_improvement > self.n_iter_no_change:
                    if self.solver == "sgd" and self.learning_rate == "adaptive":
                        self._optimizer.learning_rate /= 5
                        self._no_improvement = 0
                        if self._optimizer.learning_rate > 1e-6:
                            continue
                    break
            else:
                if not incremental:
                    warnings.warn(
                        f"Stochastic optimizer: maximum iterations ({self.max_iter}) reached "
                        "and the optimization hasn't converged yet.",
                        ConvergenceWarning,
                        stacklevel=4,
                    )
        finally:
            if bar is not None:
                bar.close()
        if best_params is not None:
            self._net.params[...] = best_params
        if self.early_stopping and not incremental:
            self.best_loss_ = None

    def _fit_lbfgs(self, X, y):
        # Full batch: batch_size, shuffle, early_stopping and the learning
        # rates do not apply, as in scikit-learn.
        from fastnn.nn.lbfgs import fit_lbfgs

        target = self._net.check_target(y, self._loss, X.shape[0])
        bar = _progress(self.max_iter) if self.verbose else None
        self.loss_curve_ = []

        def callback(intermediate_result):
            self.loss_curve_.append(float(intermediate_result.fun))
            if bar is not None:
                bar.set_postfix(loss=f"{intermediate_result.fun:.5g}")
                bar.update()

        try:
            result = fit_lbfgs(self._net, X, target, self._loss, alpha=self.alpha,
                               max_iter=self.max_iter, max_fun=self.max_fun, tol=self.tol,
                               callback=callback)  # fmt: skip
        finally:
            if bar is not None:
                bar.close()
        self.n_iter_ = min(int(result.nit), self.max_iter)
        self.t_ = X.shape[0]
        self.loss_ = float(result.fun)
        self.best_loss_ = min(self.loss_curve_, default=self.loss_)
        if result.status != 0:
            # scikit-learn's message (sklearn.utils.optimize._check_optimize_result)
            warnings.warn(
                f"lbfgs failed to converge after {self.n_iter_} iteration(s) "
                f"(status={result.status}): {result.message}. Increase the number of "
                f"iterations (max_iter={self.max_iter}) or of evaluations "
                f"(max_fun={self.max_fun}), or scale the data.",
                ConvergenceWarning,
                stacklevel=4,
            )
        return self

    def _make_optimizer(self):
        if self.solver == "sgd":
            return SGD(self.learning_rate_init, self.momentum, self.nesterovs_momentum)
        return Adam(self.learning_rate_init, self.beta_1, self.beta_2, self.epsilon)

    def _split(self, X, y):
        n = X.shape[0]
        n_val = math.ceil(self.validation_fraction * n)  # train_test_split's size, as sklearn's
        if n - n_val < 1:
            raise ValueError(
                f"early_stopping needs at least 2 samples with validation_fraction="
                f"{self.validation_fraction}, got {n}"
            )
        # Stratified by class as scikit-learn's (not for multilabel targets), so
        # that a rare class is in the validation set in its proportion.
        stratify = y if is_classifier(self) and y.ndim == 1 else None
        try:
            # A split of no samples is refused below, as too small, not by train_test_split.
            X_train, X_val, y_train, y_val = train_test_split(
                X, y, test_size=max(n_val, 1), stratify=stratify,
                random_state=int(self._rng.integers(np.iinfo(np.int32).max)),
            )  # fmt: skip
        except ValueError as error:
            what = "a stratified validation set" if stratify is not None else "a validation set"
            raise ValueError(
                f"early_stopping cannot split off {what} of {n_val} samples "
                f"(validation_fraction={self.validation_fraction}): {error}"
            ) from None
        if n_val < 2:
            # scikit-learn's check and message, after its split as there: the score
            # of one sample is NaN (r2) or 0/1, and early stopping on it is noise.
            raise ValueError(
                "The validation set is too small. Increase 'validation_fraction' "
                "or the size of your dataset."
            )
        y_val = self._decode(y_val) if is_classifier(self) else y_val
        return X_train, y_train, X_val, y_val

    def _validation_score(self, X_val, y_val):
        # The split is already a validated array: through the public score it would
        # be checked again, and as an array against an estimator fitted on a
        # DataFrame it warned "X does not have valid feature names" every epoch.
        # NaN for non-finite outputs, as scikit-learn's _score_with_function.
        out = forward_in_blocks(self._net, np.ascontiguousarray(X_val, dtype=self._net.dtype))
        if not np.isfinite(out).all():
            return np.nan
        return float(self._score_function(y_val, self._predictions(out)))

    def _forward(self, X):
        check_is_fitted(self, "_net")
        X = _checks.check_features(X)
        X = validate_data(self, X, reset=False, dtype=(np.float64, np.float32))
        X = np.ascontiguousarray(X, dtype=self._net.dtype)
        return forward_in_blocks(self._net, X)

    def __setstate__(self, state):
        self.__dict__.update(state)
        if "_net" in state:  # the views did not survive pickling: point them at the net again
            self.coefs_, self.intercepts_ = self._net.weights, self._net.biases

    def save(self, path):
        """Write the fitted model to ``path`` as ``.npz`` (arrays + JSON, no pickle)."""
        from fastnn.nn.io import save

        save(self, path)


class MLPClassifier(ClassifierMixin, _BaseMLP):
    """A multi-layer perceptron classifier trained by backpropagation, as scikit-learn's.

    The output layer has one logit per class (one for two classes) and the
    loss is softmax cross-entropy, mean over samples of −log softmax(f[L])[y]
    (binary: the sigmoid's log loss), plus (α / 2n) Σ_l ‖W[l]‖² per batch.
    Hidden layers are f[l] = a[l−1] W[l] + b[l], a[l] = g(f[l]); see
    :class:`fastnn.nn.MLP` for the network and backpropagation.

    Parameters are scikit-learn's ``MLPClassifier``'s (``solver`` is
    ``"lbfgs"``, ``"sgd"`` or ``"adam"``; ``activation`` also takes
    ``"sigmoid"``, ``"leaky_relu"`` and ``"softplus"``). float32 ``X`` trains
    in float32, other ``X`` in float64.

    - ``y`` of 1-D labels: softmax outputs, as above. ``y`` a 2-D 0/1 matrix
      (multilabel): one sigmoid output per label and the loss mean over
      samples of Σ_k −log σ(±f[L]_k) (``"binary_cross_entropy"``);
      ``predict`` returns the 0/1 matrix, σ(f[L]) > ½.
    - ``solver="lbfgs"``: full-batch L-BFGS-B (:mod:`fastnn.nn.lbfgs`) with
      ``max_iter`` iterations, ``max_fun`` loss evaluations and ``tol`` on
      the projected gradient, as scikit-learn's; no ``partial_fit``.
    - ``early_stopping``: the validation set is stratified by class (not
      for multilabel targets), as scikit-learn's, and must hold 2 samples or
      more; ``partial_fit`` refuses it. ``n_iter_no_change=np.inf`` turns
      the no-improvement rule off.
    - ``n_iter_`` counts the epochs of the last call, as scikit-learn's: of
      the last ``fit`` (warm start too), and 1 after a ``partial_fit``.
      ``t_`` and ``loss_curve_`` run on across calls.
    - An epoch whose loss is inf, NaN or over 10⁴ × max(first epoch's, 1)
      raises ``ValueError`` naming ``learning_rate_init`` (divergence), the
      parameters left as they were before that epoch.

    Attributes
    ----------
    classes_, coefs_, intercepts_, n_features_in_, n_iter_, loss_, loss_curve_,
    best_loss_, validation_scores_, best_validation_score_, t_ :
        As scikit-learn's. ``coefs_[l]`` has shape (n[l−1], n[l]).

    References
    ----------
    D. E. Rumelhart, G. E. Hinton and R. J. Williams, "Learning
    representations by back-propagating errors", Nature 323, 1986.

    Examples
    --------
    >>> X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]] * 8)
    >>> y = np.array([0, 1, 1, 0] * 8)
    >>> clf = MLPClassifier((8,), "tanh", learning_rate_init=0.05, max_iter=300,
    ...                     random_state=0).fit(X, y)
    >>> clf.predict([[0, 1], [1, 1]])
    array([1, 0])
    """

    _multilabel = False  # set by fit; the class default serves models saved before multilabel
    _score_function = staticmethod(accuracy_score)  # as ClassifierMixin.score

    @property
    def _loss(self):
        # Multilabel targets: one sigmoid per label, each with its log loss.
        return "binary_cross_entropy" if self._multilabel else "cross_entropy"

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_label = True
        return tags

    def _validate(self, X, y, reset, classes=None):
        X = _checks.check_features(X)
        X, y = validate_data(self, X, y, reset=reset, dtype=(np.float64, np.float32),
                             multi_output=True)  # fmt: skip
        if y.ndim == 2 and y.shape[1] > 1:
            return X, self._validate_multilabel(y, reset)
        y = column_or_1d(y, warn=True)
        check_classification_targets(y)
        if not reset and self._multilabel:
            raise ValueError(
                f"y must be a 2-D multilabel indicator matrix with {self._n_outputs} columns, "
                f"as in the first fit, got shape {y.shape}"
            )
        if reset:
            self._multilabel = False
            self.classes_ = np.unique(y if classes is None else np.asarray(classes))
            self._n_outputs = 1 if len(self.classes_) <= 2 else len(self.classes_)
        elif classes is not None and not np.array_equal(np.unique(classes), self.classes_):
            raise ValueError(f"classes must be {self.classes_} as in the first call, got {classes}")
        unseen = np.setdiff1d(y, self.classes_)
        if unseen.size:
            raise ValueError(f"y holds labels {unseen} that are not in classes {self.classes_}")
        return X, np.searchsorted(self.classes_, y)

    def _validate_multilabel(self, y, reset):
        kind = type_of_target(y)
        # type_of_target calls any two values an indicator ({0, 2} too): insist on 0 and 1.
        if kind != "multilabel-indicator" or not np.isin(y, (0, 1)).all():
            raise ValueError(
                "y must be 1-D class labels or a 2-D multilabel indicator matrix of 0 and 1, "
                f"got {kind} targets of shape {y.shape}"
            )
        if reset:
            self._multilabel = True
            self.classes_ = np.arange(y.shape[1])
            self._n_outputs = y.shape[1]
        elif not self._multilabel or y.shape[1] != self._n_outputs:
            expected = f"{self._n_outputs} columns" if self._multilabel else "1-D class labels"
            raise ValueError(f"y must be {expected} as in the first fit, got shape {y.shape}")
        return y

    def _decode(self, encoded):
        if self._multilabel:
            return np.asarray(encoded).astype(np.int64)
        return self.classes_[encoded]

    @available_if(_is_stochastic)
    def partial_fit(self, X, y, classes=None):
        """Train one epoch on ``(X, y)``; ``classes`` (every label) is required the first time.

        Only for the stochastic solvers (``"sgd"``, ``"adam"``), as in scikit-learn.
        """
        if not hasattr(self, "_net") and classes is None:
            raise ValueError("classes must be given at the first call of partial_fit")
        return self._fit(X, y, incremental=True, classes=classes)

    def predict_proba(self, X):
        """Return the class probabilities softmax(f[L]) (binary: [1 − σ, σ]), (n, n_classes).

        Multilabel: σ(f[L]), the probability of each label, (n, n_labels).
        """
        z = self._forward(X)
        if self._multilabel:
            p = np.empty_like(z)
            _kernels.activate(z.ravel(), _kernels.SIGMOID, 0.0, p.ravel(), work=z.size * 8)
            return p
        if z.shape[1] == 1:
            p = np.empty_like(z)
            _kernels.activate(z.ravel(), _kernels.SIGMOID, 0.0, p.ravel(), work=0)
            return np.hstack([1 - p, p]) if len(self.classes_) == 2 else np.ones_like(p)
        p = np.empty_like(z)
        _kernels.softmax_rows(z, p, work=z.size * 16)
        return p

    def predict_log_proba(self, X):
        """Return the log of :meth:`predict_proba`."""
        with np.errstate(divide="ignore"):
            return np.log(self.predict_proba(X))

    def predict(self, X):
        """Return the most probable class of each row (multilabel: 1 where σ(f[L]) > ½)."""
        return self._predictions(self._forward(X))

    def _predictions(self, z):
        if self._multilabel:
            return (z > 0).astype(np.int64)
        if z.shape[1] == 1:
            index = (z[:, 0] > 0).astype(np.intp) if len(self.classes_) == 2 else 0 * z[:, 0]
            return self.classes_[index.astype(np.intp)]
        return self.classes_[np.argmax(z, axis=1)]


class MLPRegressor(RegressorMixin, _BaseMLP):
    """A multi-layer perceptron regressor trained by backpropagation, as scikit-learn's.

    The output layer is linear and the loss the lecture's, mean over samples
    of ½ Σ over outputs (ŷ − y)², plus (α / 2n) Σ_l ‖W[l]‖² per batch.
    Parameters and attributes as :class:`MLPClassifier` (without ``classes_``).

    Examples
    --------
    >>> X = np.linspace(-3, 3, 61)[:, None]
    >>> reg = MLPRegressor((16,), learning_rate_init=0.01, batch_size=8,
    ...                    random_state=0).fit(X, np.abs(X[:, 0] - 1))
    >>> float(np.mean((reg.predict(X) - np.abs(X[:, 0] - 1)) ** 2)) < 0.01
    True
    """

    _score_function = staticmethod(r2_score)  # as RegressorMixin.score

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        tags.target_tags.single_output = True
        return tags

    def _validate(self, X, y, reset, classes=None):
        X = _checks.check_features(X)
        X, y = validate_data(self, X, y, reset=reset, dtype=(np.float64, np.float32),
                             multi_output=True, y_numeric=True)  # fmt: skip
        if reset:
            self._y_1d = y.ndim == 1
            self._n_outputs = 1 if y.ndim == 1 else y.shape[1]
        return X, y

    @available_if(_is_stochastic)
    def partial_fit(self, X, y):
        """Train one epoch on ``(X, y)`` (solvers ``"sgd"`` and ``"adam"`` only)."""
        return self._fit(X, y, incremental=True)

    def predict(self, X):
        """Return ŷ = a[L], shape (n,) or (n, n_outputs) as ``y`` was."""
        return self._predictions(self._forward(X))

    def _predictions(self, out):
        # the network's outputs as predictions: (n,) where y was 1-D
        return out[:, 0] if self._y_1d else out


def _check_n_iter_no_change(value):
    # A positive int, or inf: scikit-learn's documented way to switch the rule off.
    is_real = isinstance(value, numbers.Real) and not isinstance(value, bool)
    if is_real and value == np.inf:
        return
    if not isinstance(value, numbers.Integral) or isinstance(value, bool):
        raise TypeError(f"n_iter_no_change must be a positive integer or np.inf, got {value!r}")
    if value < 1:
        raise ValueError(f"n_iter_no_change must be a positive integer or np.inf, got {value}")


def _progress(epochs):
    from tqdm.auto import tqdm

    return tqdm(total=epochs, desc="epochs", unit="epoch")
