"""The Perceptron and its cousins on 2-D points: decision boundaries and training curves.

Run it after the README's first command (it needs matplotlib, from the bench
extra): ``python examples/perceptron.py`` writes ``perceptron.png`` beside you.

Top row: separable points, where the PLA converges (its mistakes per epoch
fall to 0) and the SVM takes the boundary of widest margin. Bottom row:
points with 10% of the labels flipped, where the plain PLA never settles,
Gallant's pocket keeps the best weights seen, and the sigmoid neuron trained
by gradient descent gives a probability.
"""

import warnings

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
from sklearn.exceptions import ConvergenceWarning

from fastnn.linear import LinearSVM, Perceptron, SigmoidNeuron


def points(n=200, flip=0.0, seed=0):
    """``n`` points in the unit square labelled by the line x2 = 0.8 x1 + 0.1, some flipped."""
    rng = np.random.default_rng(seed)
    X = rng.uniform(0, 1, size=(n, 2))
    X = X[np.abs(X[:, 1] - 0.8 * X[:, 0] - 0.1) > 0.03]  # a margin, so the PLA converges
    y = (X[:, 1] > 0.8 * X[:, 0] + 0.1).astype(int)
    flipped = rng.random(len(y)) < flip
    return X, np.where(flipped, 1 - y, y)


def draw_line(ax, model, style, label):
    """The boundary w0 + w1 x1 + w2 x2 = 0 across the unit square."""
    (w1, w2), w0 = model.coef_[0], model.intercept_[0]
    x1 = np.array([0.0, 1.0])
    ax.plot(x1, -(w0 + w1 * x1) / w2, style, label=label)


def scatter(ax, X, y, title):
    ax.scatter(X[:, 0], X[:, 1], c=y, cmap="coolwarm", s=12, edgecolors="none")
    ax.set(xlim=(0, 1), ylim=(0, 1), title=title, aspect="equal")


def main(path="perceptron.png"):
    fig, axes = plt.subplots(2, 3, figsize=(14, 9))
    X, y = points()
    pla = Perceptron().fit(X, y)
    svm = LinearSVM(C=30.0, loss="hinge", random_state=0, max_iter=10_000).fit(X, y)
    scatter(axes[0, 0], X, y, "separable: PLA and SVM")
    draw_line(axes[0, 0], pla, "k-", f"PLA ({pla.n_updates_} updates)")
    draw_line(axes[0, 1], svm, "g-", "SVM (widest margin)")
    scatter(axes[0, 1], X, y, "the SVM's margin: w·x + w0 = ±1")
    (w1, w2), w0 = svm.coef_[0], svm.intercept_[0]
    for side in (-1, 1):
        axes[0, 1].plot([0, 1], [(side - w0) / w2, (side - w0 - w1) / w2], "g:")
    axes[0, 0].legend(loc="lower right")
    axes[0, 2].plot(np.arange(1, pla.n_iter_ + 1), pla.errors_, "o-")
    axes[0, 2].set(title="PLA: mistakes per epoch", xlabel="epoch", ylabel="mistakes")

    X, y = points(flip=0.1, seed=1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # not separable, by design
        plain = Perceptron(max_iter=50).fit(X, y)
        pocket = Perceptron(max_iter=50, pocket=True).fit(X, y)
        averaged = Perceptron(max_iter=50, average=True).fit(X, y)
    neuron = SigmoidNeuron(loss="log", eta=2.0, max_iter=5000).fit(X, y)
    scatter(axes[1, 0], X, y, "10% of the labels flipped")
    for model, style, name in [(plain, "k--", "last PLA weights"), (pocket, "k-", "pocket"),
                               (averaged, "b-", "averaged")]:  # fmt: skip
        draw_line(axes[1, 0], model, style, f"{name}: {model.score(X, y):.0%} right")
    axes[1, 0].legend(loc="lower right", fontsize=8)
    grid = np.stack(np.meshgrid(np.linspace(0, 1, 101), np.linspace(0, 1, 101)), axis=-1)
    proba = neuron.predict_proba(grid.reshape(-1, 2))[:, 1].reshape(101, 101)
    image = axes[1, 1].contourf(grid[..., 0], grid[..., 1], proba, levels=10, cmap="coolwarm")
    scatter(axes[1, 1], X, y, "sigmoid neuron: P(y = 1)")
    fig.colorbar(image, ax=axes[1, 1], fraction=0.046)
    axes[1, 2].plot(plain.errors_, label="plain PLA: mistakes in the epoch")
    axes[1, 2].plot(pocket.errors_, label="pocket: its training errors")
    axes[1, 2].set(title="not separable", xlabel="epoch", ylabel="errors")
    axes[1, 2].legend()
    fig.tight_layout()
    fig.savefig(path, dpi=80)
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
