"""Turning keys of every kind into int64 group codes (factorizing).

A key column is first *encoded*: into int64 ``ids`` that equal exactly where
the keys are equal, a mask of missing keys, and the means to go back from ids
to key values and to sort them. Then the ids are *factorized* into codes
``0 .. k - 1`` (first-seen order, or sorted order with ``sort=True``).

- integers, bools, datetimes and timedeltas: their int64 value (NaT missing);
- floats: their bits, with ``-0.0`` made ``0.0`` (NaN missing);
- NumPy ``str``: hashed in a kernel over their UCS-4 code points
  (``np.unique`` on strings sorts them, O(n log n) string comparisons);
- object arrays of ``str`` (``None``/NaN/``pd.NA`` missing): as NumPy ``str``;
- pandas ``category``: its codes, taken directly (observed categories only);
- pyarrow and polars strings, pandas ``string[pyarrow]``: Arrow's dictionary
  encoding, which those libraries compute natively.

Several keys are combined pair by pair: the codes ``(a, b)`` of two keys become
``a · n_b + b``, refactorized at once, so the key space never exceeds
``n_rows²`` (never the product of every key's cardinality).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from fastnn import _checks
from fastnn.tabular import _kernels

__all__ = ["Factorized", "encode", "factorize", "factorize_many", "missing_fill"]


@dataclass
class Encoded:
    """A key column as int64 ``ids`` (``dense``: already in ``0 .. n_ids - 1``)."""

    ids: np.ndarray
    missing: np.ndarray | None  # bool per row, None: no key is missing
    values: object  # callable: ids of the distinct keys -> their key values (an array)
    sort_keys: object  # callable: ids -> an array whose argsort orders the keys
    n_ids: int = -1  # > 0: the ids are dense
    hashable_bits: bool = False  # the ids are the keys' own values: the fused path applies


@dataclass
class Factorized:
    codes: np.ndarray  # int64 per row, -1: a missing key with dropna=True
    n_groups: int
    keys: object  # an array, or a tuple of arrays for several keys


def missing_fill(values):
    """The missing value of the kind of ``values``: NaN, NaT or None."""
    kind = values.dtype.kind
    if kind == "f":
        return np.nan
    if kind in "mM":
        return np.array("NaT", values.dtype)
    return None


def _describe(key):
    dtype = getattr(key, "dtype", None)
    return f"dtype {dtype}" if dtype is not None else type(key).__name__


def _from_arrow(array):
    """Encode a pyarrow (Chunked)Array of strings or a dictionary array."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if isinstance(array, pa.ChunkedArray):
        array = array.combine_chunks()
    if not pa.types.is_dictionary(array.type):
        array = pc.dictionary_encode(array)
    indices = array.indices.to_numpy(zero_copy_only=False)
    valid = array.indices.is_valid().to_numpy(zero_copy_only=False)
    dictionary = np.asarray(array.dictionary.to_numpy(zero_copy_only=False))
    ids = np.where(valid, indices, -1).astype(np.int64)
    missing = None if valid.all() else ~valid
    return Encoded(ids, missing, dictionary.take, _text_order(dictionary), len(dictionary))


def _text_order(strings):
    def order(ids):
        return np.asarray(strings[ids], dtype=object if strings.dtype == object else None)

    return order


def _is_missing_object(item):
    return item is None or (isinstance(item, float) and item != item) or repr(item) == "<NA>"


def _from_text(array, missing=None):
    chars = np.ascontiguousarray(array).view(np.uint32).reshape(len(array), -1)
    if chars.shape[1] == 0:  # every string empty
        chars = np.zeros((len(array), 1), np.uint32)
    mask = np.empty(0, np.bool_) if missing is None else missing
    ids, first_rows = _kernels.factorize_text(chars, mask)
    strings = array[first_rows]

    def values(u):
        return strings[u]

    return Encoded(np.where(ids < 0, -1, ids), missing, values, values, len(first_rows))


def _from_object(array, name):
    missing = np.fromiter((_is_missing_object(v) for v in array), bool, len(array))
    present = array[~missing]
    if not all(isinstance(v, str) for v in present):
        kinds = sorted({type(v).__name__ for v in present if not isinstance(v, str)})
        raise TypeError(
            f"{name} of dtype object must hold strings (None or NaN for a missing key), "
            f"got {', '.join(kinds)} values"
        )
    text = np.where(missing, "", array).astype(str)
    encoded = _from_text(text, missing if missing.any() else None)
    to_text = encoded.values

    def values(u):
        return to_text(u).astype(object)

    encoded.values = values
    return encoded


def _from_pandas(key):
    import pandas as pd

    dtype = key.dtype
    if isinstance(dtype, pd.CategoricalDtype):
        cat = key.array if isinstance(key, pd.Series | pd.Index) else key
        codes = np.asarray(cat.codes, np.int64)
        categories = np.asarray(cat.categories)
        missing = codes < 0
        return Encoded(
            codes, missing if missing.any() else None, categories.take, lambda u: u,
            max(len(categories), 1),
        )  # fmt: skip
    if isinstance(dtype, pd.StringDtype) or dtype == np.dtype(object):
        storage = getattr(dtype, "storage", None)
        if storage == "pyarrow":
            try:
                import pyarrow as pa

                return _from_arrow(pa.array(key))
            except ImportError:  # pragma: no cover - pandas' pyarrow storage needs pyarrow
                pass
        return _from_object(np.asarray(key, dtype=object), "keys")
    if hasattr(key, "array") and hasattr(key.array, "_pa_array"):  # ArrowExtensionArray
        return _from_arrow(key.array._pa_array)
    if isinstance(dtype, pd.api.extensions.ExtensionDtype):  # nullable Int64, boolean, ...
        mask = np.asarray(key.isna())
        kind = getattr(dtype, "kind", "O")
        if kind in "biuf":
            fill = 0 if kind in "biu" else np.nan
            data = np.asarray(key.to_numpy(dtype=dtype.numpy_dtype, na_value=fill))
            encoded = _from_numpy(data, "keys")
            if mask.any():
                encoded.missing = mask if encoded.missing is None else encoded.missing | mask
            return encoded
        return _from_object(np.asarray(key, dtype=object), "keys")
    return _from_numpy(np.asarray(key), "keys")


def _from_numpy(array, name):
    _checks._reject_masked(array, name)
    kind = array.dtype.kind
    if array.ndim != 1:
        raise ValueError(f"{name} must be 1-D, got shape {array.shape}")
    if kind == "U":
        return _from_text(array)
    if kind == "S":
        return _from_text(array.astype(str))
    if kind == "O":
        return _from_object(array, name)
    if kind in "biu" or kind in "mM":
        if kind == "u" and array.dtype.itemsize == 8 and array.size and array.max() > 2**63 - 1:
            ids = array.view(np.int64)  # the bits: equal exactly where the keys are
        else:
            ids = array.astype(np.int64, copy=False) if kind in "biu" else array.view(np.int64)
        ids = np.ascontiguousarray(ids)
        missing = np.isnat(array) if kind in "mM" else None
        if missing is not None and not missing.any():
            missing = None

        def values(u):
            return u.astype(array.dtype) if kind not in "mM" else u.view(array.dtype)

        sort_keys = values if kind == "u" else (lambda u: u)
        return Encoded(ids, missing, values, sort_keys, hashable_bits=True)
    if kind == "f":
        if array.dtype.itemsize not in (4, 8):
            array = array.astype(np.float64)
        wide = array.astype(np.float64) + 0.0  # -0.0 + 0.0 is 0.0: one key for both zeros
        missing = np.isnan(wide)
        wide[missing] = np.nan  # one NaN pattern
        float_dtype = array.dtype

        def values(u):
            return u.view(np.float64).astype(float_dtype)

        return Encoded(
            wide.view(np.int64), missing if missing.any() else None, values,
            lambda u: u.view(np.float64), hashable_bits=True,
        )  # fmt: skip
    raise TypeError(
        f"{name} must hold integers, floats, bools, strings or datetimes, got {_describe(array)}"
    )


def encode(key, name="keys"):
    """Return the :class:`Encoded` form of one key column (any supported kind)."""
    module = type(key).__module__.split(".")[0]
    if module == "pandas":
        return _from_pandas(key)
    if module == "polars":
        import polars as pl

        if key.dtype in (pl.String, pl.Categorical, pl.Enum) or isinstance(
            key.dtype, pl.Categorical | pl.Enum
        ):
            return _from_arrow(key.to_arrow())
        if key.null_count():
            mask = key.is_null().to_numpy()
            encoded = _from_numpy(key.fill_null(0).to_numpy(), name)
            encoded.missing = mask if encoded.missing is None else encoded.missing | mask
            return encoded
        return _from_numpy(key.to_numpy(), name)
    if module == "pyarrow":
        import pyarrow as pa

        if (
            pa.types.is_string(key.type)
            or pa.types.is_large_string(key.type)
            or (pa.types.is_dictionary(key.type))
        ):
            return _from_arrow(key)
        return encode(np.asarray(key.to_numpy(zero_copy_only=False)), name)
    if isinstance(key, np.ndarray):
        return _from_numpy(key, name)
    try:
        array = np.asarray(key)
    except Exception as error:
        raise TypeError(f"{name} must be a 1-D array of keys, got {_describe(key)}") from error
    return _from_numpy(array, name)


def factorize(encoded, sort, dropna):
    """Return the :class:`Factorized` codes of one :class:`Encoded` key column."""
    ids = encoded.ids
    if encoded.missing is not None:
        ids = np.where(encoded.missing, -1, ids) if encoded.n_ids > 0 else ids
    if encoded.n_ids <= 0 and encoded.hashable_bits and len(ids):
        low, high = int(ids.min()), int(ids.max())
        if high - low < 2 * len(ids) + 1024:  # a narrow range: a lookup table, no hashing
            dense = ids - low
            if encoded.missing is not None:
                dense[encoded.missing] = -1
            codes, offsets = _kernels.factorize_dense(dense, high - low + 1)
            return _finish(codes, offsets + low, encoded, sort, dropna)
    if encoded.n_ids > 0:
        codes, uniques = _kernels.factorize_dense(ids, encoded.n_ids)
    else:
        mask = encoded.missing if encoded.missing is not None else np.empty(0, np.bool_)
        codes, uniques = _kernels.factorize_int64(ids, mask)
    return _finish(codes, uniques, encoded, sort, dropna)


def _finish(codes, uniques, encoded, sort, dropna):
    """Sort the first-seen ``codes`` if asked, and give missing keys their group."""
    if sort and len(uniques) > 1:
        order = np.argsort(encoded.sort_keys(uniques), kind="stable")
        rank = np.empty_like(order)
        rank[order] = np.arange(len(order))
        codes = _kernels.renumber(codes, rank)
        uniques = uniques[order]
    keys = encoded.values(uniques)
    n_groups = len(uniques)
    missing = encoded.missing
    if not dropna and missing is not None and missing.any():
        # the missing key is a group of its own: last when sorted (pandas puts NaN
        # last), else where its first row comes among the groups' first rows
        if sort:
            at = n_groups
        else:
            first = int(np.argmax(missing))
            at = int(codes[:first].max()) + 1 if first > 0 else 0
        codes = np.where(codes >= at, codes + 1, codes)
        codes[missing] = at
        fill = missing_fill(keys)
        keys = np.insert(keys.astype(object) if fill is None else keys, at, fill)
        n_groups += 1
    return Factorized(np.ascontiguousarray(codes, np.int64), n_groups, keys)


def factorize_many(columns, sort, dropna):
    """Factorize several key columns into the codes of their combinations.

    The keys of the result are a tuple of arrays, one per column (the levels of
    pandas's MultiIndex, row by row); with ``dropna=True`` a row with any key
    missing belongs to no group.
    """
    parts = [factorize(column, sort, dropna) for column in columns]
    codes = parts[0].codes
    n_groups = parts[0].n_groups
    levels = [np.arange(n_groups)]  # for each group, its code in every column so far
    for part in parts[1:]:
        combined = np.where((codes < 0) | (part.codes < 0), -1, codes * part.n_groups + part.codes)
        missing = combined < 0
        mask = missing if missing.any() else np.empty(0, np.bool_)
        first_seen, uniques = _kernels.factorize_int64(combined, mask)
        if sort and len(uniques) > 1:
            order = np.argsort(uniques, kind="stable")
            rank = np.empty_like(order)
            rank[order] = np.arange(len(order))
            first_seen = _kernels.renumber(first_seen, rank)
            uniques = uniques[order]
        levels = [level[uniques // part.n_groups] for level in levels]
        levels.append(uniques % part.n_groups)
        codes, n_groups = first_seen, len(uniques)
    keys = tuple(
        np.asarray(part.keys)[level] if len(level) else np.asarray(part.keys)[:0]
        for part, level in zip(parts, levels, strict=True)
    )
    return Factorized(np.ascontiguousarray(codes, np.int64), n_groups, keys)
