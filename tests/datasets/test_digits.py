"""fastnn.datasets.load_digits: the shipped UCI digits, read with NumPy only."""

import pathlib
import subprocess
import sys

import numpy as np

import fastnn
from fastnn.datasets import load_digits


def test_shapes_values_and_classes():
    digits = load_digits()
    assert digits.data.shape == (1797, 64) and digits.data.dtype == np.float64
    assert digits.target.shape == (1797,) and digits.target.dtype == np.int64
    assert digits.data.min() == 0 and digits.data.max() == 16
    np.testing.assert_array_equal(np.bincount(digits.target).sum(), 1797)
    assert set(digits.target.tolist()) == set(range(10))
    np.testing.assert_array_equal(digits.images[5], digits.data[5].reshape(8, 8))
    assert "CC BY 4.0" in digits.descr


def test_return_X_y_and_the_same_data_as_scikit_learn():
    from sklearn.datasets import load_digits as sklearn_digits

    X, y = load_digits(return_X_y=True)
    X_sk, y_sk = sklearn_digits(return_X_y=True)
    np.testing.assert_array_equal(X, X_sk)
    np.testing.assert_array_equal(y, y_sk)


def test_as_images_gives_8x8_images_of_the_same_pixels():
    rows, y = load_digits(return_X_y=True)
    images, y_images = load_digits(return_X_y=True, as_images=True)
    assert images.shape == (1797, 8, 8) and images.dtype == np.float64
    np.testing.assert_array_equal(images.reshape(1797, 64), rows)
    np.testing.assert_array_equal(y_images, y)
    np.testing.assert_array_equal(images[7], rows[7].reshape(8, 8))  # row by row
    digits = load_digits(as_images=True)
    assert digits.data.shape == (1797, 8, 8)
    np.testing.assert_array_equal(digits.data, digits.images)


def test_attribution_is_shipped_beside_the_data():
    folder = pathlib.Path(fastnn.__file__).parent / "datasets" / "data"
    assert (folder / "digits.csv.gz").exists()
    text = (folder / "README.md").read_text()
    assert "CC BY 4.0" in text and "Alpaydin" in text


def test_loading_needs_no_scikit_learn():
    code = (
        "import sys; sys.modules['sklearn'] = None\n"
        "from fastnn.datasets import load_digits\n"
        "assert load_digits().data.shape == (1797, 64)\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
