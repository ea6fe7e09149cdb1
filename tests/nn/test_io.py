"""fastnn.nn.save and fastnn.nn.load: round trips, and every malformed or tampered file refused."""

import io
import json
import subprocess
import sys
import zipfile

import numpy as np
import pytest

import fastnn.nn
from fastnn.nn import MLP, MLPClassifier, MLPRegressor
from fastnn.testing import assert_reordered_close

X = np.random.default_rng(0).normal(size=(40, 3))
Y = np.where(X[:, 0] > 0, "yes", "no")


def _npy(array):
    buffer = io.BytesIO()
    np.save(buffer, array)
    return buffer.getvalue()


def _zip(members, compression=zipfile.ZIP_STORED):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _archive(meta, arrays, **kwargs):
    members = {"meta.npy": _npy(np.array(json.dumps(meta)))} if meta is not None else {}
    members.update({f"{k}.npy": v if isinstance(v, bytes) else _npy(v) for k, v in arrays.items()})
    return _zip(members, **kwargs)


def _huge_params_header(arrays):
    # A .npy header claiming 10**12 values over 16 bytes of data: np.load would
    # allocate numpy.ndarray(10**12) from the header before reading a byte.
    buffer = io.BytesIO()
    np.lib.format.write_array_header_1_0(
        buffer, {"descr": "<f8", "fortran_order": False, "shape": (10**12,)}
    )
    arrays["params"] = buffer.getvalue() + bytes(16)


def _set(path, value):
    def tamper(meta, arrays):
        *keys, last = path
        target = meta
        for key in keys:
            target = target[key]
        target[last] = value

    return tamper


# id → (a tamper(meta, arrays) in place, or a function of the good file's bytes; the reason).
# A tamper replaces the meta member itself by setting arrays["meta"] (None: no member).
CORRUPTIONS = {
    "empty file": (lambda raw: b"", "not an .npz archive"),
    "text file": (lambda raw: b"layer_sizes = [3, 4, 1]\n", "not an .npz archive"),
    "renamed .npy": (lambda raw: _npy(np.zeros(3)), "not an .npz archive"),
    "truncated": (lambda raw: raw[: len(raw) // 2], "not an .npz archive|damaged"),
    "compressed": (None, "compressed"),
    "no meta": (lambda meta, arrays: arrays.update(meta=None), "no 'meta'"),
    "meta a list": (
        lambda meta, arrays: arrays.update(meta=np.array(json.dumps([meta]))),
        "not of format 1",
    ),
    "meta not JSON": (lambda meta, arrays: arrays.update(meta=np.array("{not")), "not JSON"),
    "meta nested deep": (
        lambda meta, arrays: arrays.update(meta=np.array("[" * 10**5)),
        "not JSON",
    ),
    "meta not npy": (lambda meta, arrays: arrays.update(meta=b"garbage bytes"), "damaged"),
    "format 2": (_set(["format"], 2), "not of format 1"),
    "kind SGD": (_set(["kind"], "SGD"), "kind must be one of MLP, MLPClassifier, MLPRegressor"),
    "layer of 10**12": (_set(["net", "layer_sizes"], [3, 10**12, 1]), "params must be"),
    "params header of 10**12": (
        lambda meta, arrays: _huge_params_header(arrays),
        "do not hold",
    ),
    "float32 params": (
        lambda meta, arrays: arrays.update(params=arrays["params"].astype("f4")),
        "params must be",
    ),
    "NaN weights": (lambda meta, arrays: arrays["params"].fill(np.nan), "NaN or inf"),
    "bogus activation": (_set(["net", "activations", 0], "swish"), "activations must be"),
    "three classes, one output": (
        lambda meta, arrays: arrays.update(classes=np.array(["a", "b", "c"])),
        "3 classes need 3 outputs, got 1",
    ),
    "classes unsorted": (
        lambda meta, arrays: arrays.update(classes=np.array(["yes", "no"])),
        "sorted and unique",
    ),
    "no classes": (lambda meta, arrays: arrays.pop("classes"), "must hold its classes"),
    "extra member": (lambda meta, arrays: arrays.update(code=np.zeros(1)), "unexpected member"),
    "estimator activation": (
        _set(["params", "activation"], "swish"),
        "estimator parameters are invalid: activation",
    ),
    "hidden sizes mismatch": (_set(["params", "hidden_layer_sizes"], [5]), "do not match"),
    "unknown parameter": (_set(["params", "run_this"], "os.system"), "params must map"),
    "early_stopping a string": (_set(["params", "early_stopping"], "yes"), "true or false"),
    "random_state a string": (_set(["params", "random_state"], "abc"), "random_state"),
    "n_features_in_ mismatch": (_set(["fitted", "n_features_in_"], 7), "n_features_in_ 7"),
    "n_iter_ a string": (_set(["fitted", "n_iter_"], "three"), "fitted n_iter_"),
    "unknown fitted": (_set(["fitted", "__class__"], "SGD"), "fitted must map"),
    "feature names too few": (
        lambda meta, arrays: arrays.update(feature_names_in=np.array(["a"])),
        "feature_names_in must be 3 strings",
    ),
}


@pytest.fixture(scope="module")
def good(tmp_path_factory):
    """The bytes, metadata and arrays of a fitted classifier's file."""
    path = tmp_path_factory.mktemp("good") / "clf.npz"
    MLPClassifier((4,), max_iter=3, random_state=0).fit(X, Y).save(path)
    with np.load(path) as data:
        meta = json.loads(str(data["meta"]))
        arrays = {k: data[k] for k in data.files if k != "meta"}
    return path.read_bytes(), meta, arrays


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("name", list(CORRUPTIONS))
def test_every_malformed_or_tampered_file_is_one_clear_value_error(name, good, tmp_path,
                                                                   monkeypatch):  # fmt: skip
    raw, meta, arrays = good
    tamper, reason = CORRUPTIONS[name]
    meta, arrays = json.loads(json.dumps(meta)), {k: v.copy() for k, v in arrays.items()}
    if name == "compressed":
        data = _archive(meta, arrays, compression=zipfile.ZIP_DEFLATED)
    elif tamper.__code__.co_argcount == 1:
        data = tamper(raw)
    else:
        tamper(meta, arrays)
        if "meta" in arrays:
            member = arrays.pop("meta")
            data = _archive(None, arrays if member is None else {"meta": member, **arrays})
        else:
            data = _archive(meta, arrays)
    path = tmp_path / "model.npz"
    path.write_bytes(data)

    def no_network(*args):
        raise AssertionError("a network was allocated from a file that is not valid")

    monkeypatch.setattr(MLP, "_setup", no_network)
    with pytest.raises(ValueError, match=f"is not a valid fastnn model file: .*({reason})"):
        fastnn.nn.load(path)


def test_the_untampered_file_loads(good, tmp_path):
    path = tmp_path / "clf.npz"
    path.write_bytes(_archive(good[1], good[2]))  # the test's own writer makes valid files
    assert list(fastnn.nn.load(path).classes_) == ["no", "yes"]


def test_a_missing_file_and_a_non_path_are_not_value_errors(tmp_path):
    with pytest.raises(FileNotFoundError):
        fastnn.nn.load(tmp_path / "nothing.npz")
    with pytest.raises(TypeError, match=r"path must be a str or os\.PathLike"):
        fastnn.nn.load(3)  # open() would read file descriptor 3


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_save_and_load_are_exported_from_fastnn_nn(tmp_path):
    models = [MLP([3, 5, 2], "tanh", random_state=0),
              MLPRegressor((5,), max_iter=3, random_state=0).fit(X, X[:, 0]),
              MLPClassifier((5,), max_iter=3, random_state=0).fit(X, Y)]  # fmt: skip
    for k, model in enumerate(models):
        fastnn.nn.save(model, tmp_path / f"{k}.npz")
        loaded = fastnn.nn.load(tmp_path / f"{k}.npz")
        assert type(loaded) is type(model)
        # The file keeps the parameters bit for bit; predictions go through BLAS.
        net = getattr(model, "_net", model)
        np.testing.assert_array_equal(getattr(loaded, "_net", loaded).params, net.params)
        predict = getattr(model, "predict", getattr(model, "forward", None))
        got, expected = getattr(loaded, predict.__name__)(X), predict(X)
        if expected.dtype.kind == "f":
            assert_reordered_close(got, expected, length=3 + 5)
        else:
            np.testing.assert_array_equal(got, expected)
    assert {"save", "load"} <= set(fastnn.nn.__all__) <= set(dir(fastnn.nn))
    assert fastnn.nn.save.__doc__ and fastnn.nn.load.__doc__


def test_save_and_load_load_lazily():
    code = ("import sys, fastnn.nn; assert 'fastnn.nn.io' not in sys.modules; "
            "fastnn.nn.save; assert 'fastnn.nn.io' in sys.modules")  # fmt: skip
    subprocess.run([sys.executable, "-c", code], check=True)
