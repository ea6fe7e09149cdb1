"""Save and load networks and fitted estimators as ``.npz``: arrays plus JSON, never pickle."""

import json
import os

import numpy as np

from fastnn.nn import _modelfile
from fastnn.nn.network import MLP

__all__ = ["load", "save"]

_FORMAT = _modelfile.FORMAT
_FITTED = tuple(_modelfile.FITTED)


def save(model, path):
    """Write an :class:`~fastnn.nn.MLP` or a fitted MLPClassifier/MLPRegressor to ``path`` (.npz).

    The parameters are stored as one array, bit for bit; the layer sizes,
    activations, estimator parameters and fitted scalars as JSON. Nothing is
    pickled, so loading runs no code from the file. An optimizer's state
    (momentum, Adam's moments) is not saved: ``warm_start`` after
    :func:`load` starts a fresh optimizer.
    """
    net = getattr(model, "_net", model)
    if not isinstance(net, MLP):
        raise TypeError(
            f"model must be an MLP or a fitted MLP estimator, got {type(model).__name__}"
        )
    meta = {"format": _FORMAT, "kind": type(model).__name__, "net": _net_meta(net)}
    arrays = {"params": net.params}
    if model is not net:
        params = model.get_params()
        try:
            json.dumps(params)
        except TypeError:
            raise TypeError(
                "model parameters must be JSON values to be saved (random_state as an int "
                "or None, hidden_layer_sizes as a tuple of ints)"
            ) from None
        meta["params"] = params
        meta["fitted"] = {k: _plain(getattr(model, k)) for k in _FITTED if hasattr(model, k)}
        if hasattr(model, "classes_"):
            classes = np.asarray(model.classes_)
            if classes.dtype == object:
                classes = classes.astype(str)
            arrays["classes"] = classes
        if hasattr(model, "feature_names_in_"):
            arrays["feature_names_in"] = np.asarray(model.feature_names_in_).astype(str)
    with open(path, "wb") as file:
        np.savez(file, meta=np.array(json.dumps(meta)), **arrays)


def load(path):
    """Return the model saved by :func:`save` (or ``model.save``) at ``path``.

    Its parameters are bit-identical to the saved model's (its predictions, BLAS
    products of them, equal up to the order BLAS sums in). The file is
    trusted for nothing: only the kinds ``MLP``, ``MLPClassifier`` and
    ``MLPRegressor`` are built, every array's shape is checked against the
    metadata before anything is allocated from it, parameters must be finite,
    classes must fit the network's outputs, and estimator parameters pass
    the estimator's own validation.

    Raises
    ------
    FileNotFoundError
        When there is no file at ``path``.
    ValueError
        ``"path … is not a valid fastnn model file: <reason>"`` for anything
        else wrong with the file (not a zip, a missing or extra array, a
        shape, a kind, a NaN, a parameter).

    Examples
    --------
    >>> import os, tempfile
    >>> from fastnn.nn import MLP
    >>> net = MLP([2, 3, 1], "relu", random_state=0)
    >>> path = os.path.join(tempfile.mkdtemp(), "net.npz")
    >>> save(net, path)
    >>> bool(np.array_equal(load(path).forward([[1, 2]]), net.forward([[1, 2]])))
    True
    """
    if not isinstance(path, str | os.PathLike):
        # open() would take an int as a file descriptor.
        raise TypeError(f"path must be a str or os.PathLike, got {type(path).__name__}")
    with open(path, "rb") as file:
        try:
            return _build(*_modelfile.read(file))
        except _modelfile.InvalidModelFile as error:
            raise ValueError(f"path {os.fspath(path)!r} is not a valid fastnn model file: "
                             f"{error}") from None  # fmt: skip


def _build(meta, arrays):
    model = None
    if meta["kind"] != "MLP":
        from fastnn.nn import estimators

        cls = {"MLPClassifier": estimators.MLPClassifier,
               "MLPRegressor": estimators.MLPRegressor}[meta["kind"]]  # fmt: skip
        params, known = meta["params"], cls().get_params()
        if not isinstance(params, dict) or not set(params) <= set(known):
            raise _modelfile.InvalidModelFile(f"params must map some of {sorted(known)} to values")
        if isinstance(params.get("hidden_layer_sizes"), list):
            params["hidden_layer_sizes"] = tuple(params["hidden_layer_sizes"])
        model = cls(**params)
        _modelfile.check_estimator(model, meta["net"])
    # Every check is done: the network's size is the params array's, read from the file.
    net = MLP.__new__(MLP)
    n = meta["net"]
    net.__setstate__({"layer_sizes": n["layer_sizes"], "activations": n["activations"],
                      "dtype": n["dtype"], "params": arrays["params"]})  # fmt: skip
    if model is None:
        return net
    for key, value in meta["fitted"].items():
        setattr(model, key, value)
    if "classes" in arrays:
        model.classes_ = arrays["classes"]
    if "feature_names_in" in arrays:
        model.feature_names_in_ = arrays["feature_names_in"].astype(object)
    model._net = net
    model.coefs_, model.intercepts_ = net.weights, net.biases
    model._optimizer = None
    model._rng = np.random.default_rng(model.n_iter_)
    return model


def _net_meta(net):
    return {"layer_sizes": list(net.layer_sizes), "activations": list(net.activations),
            "dtype": net.dtype.str}  # fmt: skip


def _plain(value):
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value
