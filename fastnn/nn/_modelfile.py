"""Reading a model file that :func:`fastnn.nn.io.save` wrote, trusting nothing in it.

A model file is a stored (uncompressed) zip of ``.npy`` members, as
``np.savez`` writes it: ``meta`` (JSON text), ``params`` and, for a
classifier, ``classes`` (and ``feature_names_in`` where ``fit`` saw names).
Every failure is an :class:`InvalidModelFile` with the reason, which
:func:`fastnn.nn.io.load` turns into one ``ValueError``. Nothing is allocated
from a size the file states until that size is checked against bytes the
file holds: each member's ``.npy`` header is read first, and its shape must
account exactly for the member's stored bytes, which must fit in the file
(``np.load`` would allocate ``numpy.ndarray(count)`` from the header alone).
"""

import itertools
import json
import math
import os
import zipfile

import numpy as np

from fastnn.nn.activations import ACTIVATIONS

__all__ = ["FITTED", "KINDS", "InvalidModelFile", "check_estimator", "check_meta", "read"]

FORMAT = 1
KINDS = ("MLP", "MLPClassifier", "MLPRegressor")  # the allow-list of what a file may build
_MEMBERS = ("meta", "params", "classes", "feature_names_in")
# Fitted attributes save writes, with what each must be.
FITTED = {"n_features_in_": "count", "n_iter_": "count0", "t_": "count0", "loss_": "real",
          "loss_curve_": "reals", "best_loss_": "real?", "validation_scores_": "reals?",
          "best_validation_score_": "real?", "_y_1d": "bool", "_n_outputs": "count",
          "_no_improvement": "count0", "_multilabel": "bool"}  # fmt: skip
_ARRAYS = {"MLP": {"meta", "params"}, "MLPRegressor": {"meta", "params", "feature_names_in"},
           "MLPClassifier": {"meta", "params", "feature_names_in", "classes"}}  # fmt: skip
_REQUIRED = {"MLPClassifier": ("n_features_in_", "n_iter_", "_n_outputs"),
             "MLPRegressor": ("n_features_in_", "n_iter_", "_n_outputs", "_y_1d")}  # fmt: skip


class InvalidModelFile(Exception):
    """The reason a file is not a valid model file."""


# Everything a malformed zip or .npy header makes zipfile or numpy raise.
_READ_ERRORS = (ValueError, EOFError, OSError, zipfile.BadZipFile, KeyError, RuntimeError,
                NotImplementedError, SyntaxError, OverflowError)  # fmt: skip


def read(file):
    """Return ``(meta, arrays)`` from the open binary ``file``, checked as described above."""
    size = file.seek(0, os.SEEK_END)
    file.seek(0)
    try:
        archive = zipfile.ZipFile(file)
    except _READ_ERRORS:
        raise InvalidModelFile("it is not an .npz archive (a zip of .npy arrays)") from None
    with archive:
        try:
            headers = {name: _header(archive, info, size) for name, info in _members(archive)}
            if "meta" not in headers or "params" not in headers:
                raise InvalidModelFile("it has no 'meta' or no 'params' array")
            if headers["meta"] != ((), "U"):
                raise InvalidModelFile("its 'meta' is not one string")
            text = str(_read_array(archive, "meta"))
            try:
                meta = json.loads(text)
            except (ValueError, RecursionError):  # RecursionError: "[[[[…" nested deep
                raise InvalidModelFile("its 'meta' is not JSON") from None
            check_meta(meta, headers)
            arrays = {name: _read_array(archive, name) for name in headers if name != "meta"}
        except _READ_ERRORS as error:
            raise InvalidModelFile(f"it is damaged ({type(error).__name__}: {error})") from None
    if not np.isfinite(arrays["params"]).all():
        raise InvalidModelFile("its parameters hold NaN or inf")
    if "classes" in arrays:
        _check_classes(arrays["classes"], meta["fitted"])
    return meta, arrays


def _check_classes(classes, fitted):
    # predict indexes classes_ by output and searchsorted encodes labels: sorted, unique.
    if classes.dtype.kind == "f" and not np.isfinite(classes).all():
        raise InvalidModelFile("its classes hold NaN or inf")
    if not np.array_equal(np.unique(classes), classes):
        raise InvalidModelFile("its classes are not sorted and unique")
    if fitted.get("_multilabel") and not np.array_equal(classes, np.arange(len(classes))):
        raise InvalidModelFile("a multilabel classifier's classes must be 0, 1, …, n_labels − 1")


def _members(archive):
    seen = []
    for info in archive.infolist():
        name = info.filename.removesuffix(".npy")
        if name not in _MEMBERS or info.filename != name + ".npy" or name in seen:
            raise InvalidModelFile(f"it has an unexpected member {info.filename!r}")
        seen.append(name)
        yield name, info


def _header(archive, info, size):
    if info.compress_type != zipfile.ZIP_STORED:
        raise InvalidModelFile(f"its member {info.filename!r} is compressed (save stores them)")
    if info.file_size > size or info.compress_size != info.file_size:
        raise InvalidModelFile(f"its member {info.filename!r} claims more bytes than the file has")
    with archive.open(info) as member:
        version = np.lib.format.read_magic(member)
        if version == (1, 0):
            shape, _, dtype = np.lib.format.read_array_header_1_0(member)
        elif version == (2, 0):
            shape, _, dtype = np.lib.format.read_array_header_2_0(member)
        else:
            raise InvalidModelFile(f"its member {info.filename!r} is .npy version {version}")
        start = member.tell()
    if dtype.hasobject or dtype.kind not in "biufU" or dtype.fields is not None:
        raise InvalidModelFile(f"its member {info.filename!r} holds {dtype} values")
    if start + math.prod(shape) * dtype.itemsize != info.file_size:
        raise InvalidModelFile(f"its member {info.filename!r} has a shape {shape} that its "
                               f"{info.file_size} bytes do not hold")  # fmt: skip
    return tuple(shape), dtype.str if dtype.kind == "f" else dtype.kind


def _read_array(archive, name):
    with archive.open(name + ".npy") as member:
        return np.lib.format.read_array(member, allow_pickle=False)


def check_meta(meta, headers):
    """Raise :class:`InvalidModelFile` unless ``meta`` describes the arrays of ``headers``.

    ``headers`` maps a member's name to ``(shape, dtype)`` (``dtype.str``
    for floats, the kind letter otherwise), as read from its ``.npy`` header.
    """
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        raise InvalidModelFile(f"it is not of format {FORMAT}")
    kind = meta.get("kind")
    if kind not in KINDS:
        raise InvalidModelFile(f"kind must be one of {', '.join(KINDS)}, got {kind!r}")
    keys = {"format", "kind", "net"} | (set() if kind == "MLP" else {"params", "fitted"})
    if set(meta) != keys:
        raise InvalidModelFile(
            f"its metadata must have the keys {sorted(keys)}, got {sorted(meta)}"
        )
    net = meta["net"]
    if not isinstance(net, dict) or set(net) != {"layer_sizes", "activations", "dtype"}:
        raise InvalidModelFile("net must hold layer_sizes, activations and dtype")
    sizes, activations = net["layer_sizes"], net["activations"]
    if not (isinstance(sizes, list) and len(sizes) >= 2 and all(_is(n, "count") for n in sizes)):
        raise InvalidModelFile(f"layer_sizes must be 2 or more positive integers, got {sizes}")
    if not (isinstance(activations, list) and len(activations) == len(sizes) - 1
            and all(isinstance(a, str) and a in ACTIVATIONS for a in activations)):  # fmt: skip
        raise InvalidModelFile(
            f"activations must be {len(sizes) - 1} names of {', '.join(ACTIVATIONS)}, "
            f"got {activations}"
        )
    if net["dtype"] not in ("<f8", "<f4"):
        raise InvalidModelFile(f"dtype must be '<f8' or '<f4', got {net['dtype']!r}")
    # Python integers: a layer of 10**12 units is a count to compare, never an allocation.
    n_params = sum(a * b + b for a, b in itertools.pairwise(sizes))
    if headers["params"] != ((n_params,), net["dtype"]):
        raise InvalidModelFile(
            f"params must be {n_params} values of {net['dtype']} for layer_sizes {sizes}, got "
            f"shape {headers['params'][0]} of {headers['params'][1]}"
        )
    extra = set(headers) - _ARRAYS[kind]
    if extra:
        raise InvalidModelFile(f"a {kind} file has no {sorted(extra)} arrays")
    if kind != "MLP":
        _check_fitted(kind, meta["fitted"], sizes, headers)


def _check_fitted(kind, fitted, sizes, headers):
    if not isinstance(fitted, dict) or not set(fitted) <= set(FITTED):
        raise InvalidModelFile(f"fitted must map some of {sorted(FITTED)} to values")
    missing = [key for key in _REQUIRED[kind] if key not in fitted]
    if missing:
        raise InvalidModelFile(f"fitted lacks {missing}")
    for key, value in fitted.items():
        if not _is(value, FITTED[key]):
            raise InvalidModelFile(f"fitted {key} must be a {FITTED[key]} value, got {value!r}")
    if fitted["n_features_in_"] != sizes[0] or fitted["_n_outputs"] != sizes[-1]:
        raise InvalidModelFile(
            f"n_features_in_ {fitted['n_features_in_']} and _n_outputs {fitted['_n_outputs']} "
            f"must be the network's {sizes[0]} inputs and {sizes[-1]} outputs"
        )
    if fitted.get("_y_1d") and sizes[-1] != 1:
        raise InvalidModelFile(f"_y_1d is true for a network of {sizes[-1]} outputs")
    if "feature_names_in" in headers and headers["feature_names_in"] != ((sizes[0],), "U"):
        raise InvalidModelFile(f"feature_names_in must be {sizes[0]} strings")
    if kind == "MLPClassifier":
        shape = headers.get("classes", ((), None))[0]
        if len(shape) != 1 or shape[0] < 1:
            raise InvalidModelFile("a classifier's file must hold its classes, one or more")
        n_classes, n_out = shape[0], sizes[-1]
        expected = n_classes if fitted.get("_multilabel") else 1 if n_classes <= 2 else n_classes
        if n_out != expected:
            raise InvalidModelFile(f"{n_classes} classes need {expected} outputs, got {n_out}")


def _is(value, kind):
    if kind.endswith("?"):
        return value is None or _is(value, kind[:-1])
    if kind == "reals":
        return isinstance(value, list) and all(_is(v, "real") for v in value)
    if kind == "bool":
        return isinstance(value, bool)
    if isinstance(value, bool):
        return False
    if kind == "real":
        return isinstance(value, int | float)
    return isinstance(value, int) and value >= (1 if kind == "count" else 0)


def check_estimator(model, net):
    """Raise :class:`InvalidModelFile` unless ``model``'s parameters are valid and fit ``net``.

    ``net`` is the file's (checked) network metadata: layer_sizes and activations.
    """
    try:
        hidden, activation = model._check_params()  # the estimator's own validation, as in fit
    except (TypeError, ValueError) as error:
        raise InvalidModelFile(f"its estimator parameters are invalid: {error}") from None
    for name in ("shuffle", "verbose", "warm_start", "nesterovs_momentum", "early_stopping"):
        if not isinstance(getattr(model, name), bool):
            raise InvalidModelFile(f"{name} must be true or false, got {getattr(model, name)!r}")
    if not (model.random_state is None or _is(model.random_state, "count0")):
        raise InvalidModelFile(
            f"random_state must be an integer or null, got {model.random_state!r}"
        )
    expected = [activation] * len(hidden) + ["identity"]
    sizes, activations = net["layer_sizes"], net["activations"]
    if sizes[1:-1] != hidden or activations != expected:
        raise InvalidModelFile(
            f"hidden_layer_sizes {hidden} and activation {model.activation!r} do not match the "
            f"network's layers {sizes} and activations {activations}"
        )
