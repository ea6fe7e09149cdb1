"""Classify the 8×8 handwritten digits with an MLP; print and draw the confusion matrix.

The digits ship with fastnn (UCI, CC BY 4.0): nothing is downloaded. Run it
after the README's first command (it needs matplotlib, from the bench
extra): ``python examples/digits.py`` writes ``digits.png`` beside you.
"""

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

from fastnn.datasets import load_digits
from fastnn.nn import MLPClassifier


def main(path="digits.png"):
    X, y = load_digits(return_X_y=True)
    order = np.random.default_rng(0).permutation(len(y))
    n_train = int(0.7 * len(y))
    train, test = order[:n_train], order[n_train:]
    clf = MLPClassifier((64,), batch_size=32, learning_rate_init=0.005, max_iter=60,
                        early_stopping=True, n_iter_no_change=10, random_state=0)  # fmt: skip
    clf.fit(X[train] / 16, y[train])
    predicted = clf.predict(X[test] / 16)
    confusion = np.zeros((10, 10), np.int64)
    np.add.at(confusion, (y[test], predicted), 1)
    accuracy = np.trace(confusion) / confusion.sum()
    print(f"{clf.n_iter_} epochs; held-out accuracy {accuracy:.3f} on {len(test)} digits")
    print("confusion matrix (rows: true digit, columns: predicted):")
    print(confusion)

    fig, (ax_m, ax_l) = plt.subplots(1, 2, figsize=(10, 4.3))
    ax_m.imshow(confusion, cmap="Blues")
    for (i, j), count in np.ndenumerate(confusion):
        if count:
            ax_m.text(j, i, count, ha="center", va="center", fontsize=7,
                      color="white" if count > confusion.max() / 2 else "black")  # fmt: skip
    ax_m.set(xticks=range(10), yticks=range(10), xlabel="predicted", ylabel="true",
             title=f"digits, held-out accuracy {accuracy:.3f}")  # fmt: skip
    ax_l.plot(clf.loss_curve_, label="training loss (cross-entropy)")
    ax_l.plot(clf.validation_scores_, label="validation accuracy")
    ax_l.set_xlabel("epoch")
    ax_l.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
