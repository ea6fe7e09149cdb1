"""Small real data sets shipped inside the package (nothing is downloaded)."""

import gzip
from importlib import resources
from types import SimpleNamespace

import numpy as np

__all__ = ["load_digits"]


def load_digits(*, return_X_y=False, as_images=False):
    """Return the 8×8 handwritten digits: 1,797 images of the digits 0–9.

    The test set of the UCI Optical Recognition of Handwritten Digits data
    (Alpaydin & Kaynak, 1998; CC BY 4.0, see ``fastnn/datasets/data/README.md``),
    read with NumPy from the copy in the package.

    Parameters
    ----------
    return_X_y : bool
        Return ``(data, target)`` instead of the namespace.
    as_images : bool
        Give ``data`` as the images ``(1797, 8, 8)`` instead of rows
        ``(1797, 64)``: the input of the image features
        (:class:`fastnn.image.HOG`, :func:`fastnn.image.hog`).

    Returns
    -------
    types.SimpleNamespace
        ``data``: float64 (1797, 64), pixel counts 0–16, row by row
        (``(1797, 8, 8)`` with ``as_images=True``);
        ``target``: int64 (1797,), the digit; ``images``: float64
        (1797, 8, 8), the same pixels as images; ``descr``: the citation.

    Examples
    --------
    >>> digits = load_digits()
    >>> digits.data.shape, digits.images.shape, sorted(set(digits.target.tolist()))[:3]
    ((1797, 64), (1797, 8, 8), [0, 1, 2])
    >>> X, y = load_digits(return_X_y=True, as_images=True)
    >>> X.shape, y.shape
    ((1797, 8, 8), (1797,))
    """
    source = resources.files("fastnn.datasets").joinpath("data", "digits.csv.gz")
    with source.open("rb") as raw, gzip.open(raw, "rt") as text:
        table = np.loadtxt(text, delimiter=",", dtype=np.float64)
    data, target = table[:, :-1], table[:, -1].astype(np.int64)
    images = data.reshape(-1, 8, 8)
    if as_images:
        data = images
    if return_X_y:
        return data, target
    return SimpleNamespace(
        data=data,
        target=target,
        images=images,
        descr=(
            "Optical Recognition of Handwritten Digits (test set), E. Alpaydin and "
            "C. Kaynak, 1998, UCI Machine Learning Repository, doi:10.24432/C50P49, CC BY 4.0."
        ),
    )
