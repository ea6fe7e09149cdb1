"""Classify the 8×8 handwritten digits from raw pixels and from HOG shape features.

The digits ship with fastnn (UCI, CC BY 4.0): nothing is downloaded. Each
digit is given to the Perceptron and to the MLP twice: as its 64 raw pixels,
and as its histogram of oriented gradients (:func:`fastnn.image.hog`, 2×2-pixel
cells, blocks of 2×2 cells), which describes the strokes' directions rather
than where the ink is. Both held-out accuracies are printed for each.

Run it after the README's first command (it needs matplotlib, from the bench
extra): ``python examples/digits.py`` writes ``digits.png`` beside you.
"""

import warnings

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
from sklearn.exceptions import ConvergenceWarning

from fastnn.datasets import load_digits
from fastnn.image import hog
from fastnn.linear import Perceptron
from fastnn.nn import MLPClassifier


def features(images):
    """Raw pixels (scaled to [0, 1]) and HOG features of the ``(n, 8, 8)`` images."""
    raw = images.reshape(len(images), -1) / 16
    shape = hog(images, orientations=9, pixels_per_cell=(2, 2), cells_per_block=(2, 2))
    return {f"raw pixels ({raw.shape[1]})": raw, f"HOG ({shape.shape[1]})": shape}


def classifiers():
    return {
        "Perceptron": Perceptron(max_iter=30, shuffle=True, pocket=True, random_state=0),
        "MLP": MLPClassifier((64,), batch_size=32, learning_rate_init=0.005, max_iter=60,
                             early_stopping=True, n_iter_no_change=10, random_state=0),
    }  # fmt: skip


def main(path="digits.png"):
    images, y = load_digits(return_X_y=True, as_images=True)
    order = np.random.default_rng(0).permutation(len(y))
    n_train = int(0.7 * len(y))
    train, test = order[:n_train], order[n_train:]
    accuracy, fitted = {}, {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # the PLA on data it cannot split
        for feature_name, X in features(images).items():
            for model_name, model in classifiers().items():
                model.fit(X[train], y[train])
                accuracy[feature_name, model_name] = model.score(X[test], y[test])
                fitted[feature_name, model_name] = model, X
    names = list(dict.fromkeys(f for f, _ in accuracy))
    print(f"held-out accuracy on {len(test)} digits")
    print(f"{'features':<18}{'Perceptron':>12}{'MLP':>8}")
    for name in names:
        print(f"{name:<18}{accuracy[name, 'Perceptron']:>12.3f}{accuracy[name, 'MLP']:>8.3f}")

    best = max(accuracy, key=accuracy.get)
    model, X = fitted[best]
    confusion = np.zeros((10, 10), np.int64)
    np.add.at(confusion, (y[test], model.predict(X[test])), 1)
    print(f"confusion matrix of the best, {best[1]} on {best[0]} (rows: true digit):")
    print(confusion)

    fig, (ax_m, ax_a) = plt.subplots(1, 2, figsize=(10, 4.3))
    ax_m.imshow(confusion, cmap="Blues")
    for (i, j), count in np.ndenumerate(confusion):
        if count:
            ax_m.text(j, i, count, ha="center", va="center", fontsize=7,
                      color="white" if count > confusion.max() / 2 else "black")  # fmt: skip
    ax_m.set(xticks=range(10), yticks=range(10), xlabel="predicted", ylabel="true",
             title=f"{best[1]} on {best[0]}: {accuracy[best]:.3f}")  # fmt: skip
    width = 0.38
    for offset, model_name in ((-width / 2, "Perceptron"), (width / 2, "MLP")):
        ax_a.bar(np.arange(len(names)) + offset, [accuracy[n, model_name] for n in names],
                 width, label=model_name)  # fmt: skip
    ax_a.set(xticks=range(len(names)), xticklabels=names, ylim=(0.5, 1.0),
             ylabel="held-out accuracy", title="raw pixels against HOG features")  # fmt: skip
    ax_a.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
