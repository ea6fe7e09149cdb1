"""Save and load networks and fitted estimators as ``.npz``: arrays plus JSON, never pickle."""

import json

import numpy as np

from fastnn.nn.network import MLP

__all__ = ["load", "save"]

_FORMAT = 1
_FITTED = ("n_features_in_", "n_iter_", "t_", "loss_", "loss_curve_", "best_loss_",
           "validation_scores_", "best_validation_score_", "_y_1d", "_n_outputs",
           "_no_improvement", "_multilabel")  # fmt: skip


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

    Its predictions are bit-identical to the saved model's.

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
    with np.load(path, allow_pickle=False) as data:
        meta = json.loads(str(data["meta"]))
        arrays = {k: data[k] for k in data.files if k != "meta"}
    if meta.get("format") != _FORMAT:
        raise ValueError(f"path {path!r} is not a fastnn.nn model file of format {_FORMAT}")
    net = MLP.__new__(MLP)
    n = meta["net"]
    net.__setstate__({"layer_sizes": n["layer_sizes"], "activations": n["activations"],
                      "dtype": n["dtype"], "params": arrays["params"]})  # fmt: skip
    if meta["kind"] == "MLP":
        return net
    from fastnn.nn import estimators

    params = meta["params"]
    if isinstance(params.get("hidden_layer_sizes"), list):
        params["hidden_layer_sizes"] = tuple(params["hidden_layer_sizes"])
    model = getattr(estimators, meta["kind"])(**params)
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
