"""Fit ŷ = |x − 1| and sin(2x) on [−3, 3] with an MLP; plot the fits and the loss curves.

The lecture's network for |x − 1| needs two ReLUs and is exact by hand
(``MLP.from_weights``); trained networks find their own. Run it after the
README's first command (it needs matplotlib, from the bench extra):
``python examples/mlp_abs.py`` writes ``mlp_abs.png`` beside you.
"""

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

from fastnn.nn import MLP, MLPRegressor


def main(path="mlp_abs.png"):
    x = np.linspace(-3, 3, 201)[:, None]
    by_hand = MLP.from_weights(weights=[[[1, -1]], [[1], [1]]], biases=[[-1, 1], [0]],
                               activations=["relu", "identity"])  # fmt: skip
    targets = {"|x − 1|": np.abs(x[:, 0] - 1), "sin(2x)": np.sin(2 * x[:, 0])}
    fig, axes = plt.subplots(1, 3, figsize=(13, 3.8))
    for (label, y), ax in zip(targets.items(), axes[:2], strict=True):
        model = MLPRegressor((32, 32), "tanh", learning_rate_init=0.003, max_iter=1500,
                             tol=1e-6, n_iter_no_change=50, batch_size=16,
                             random_state=0)  # fmt: skip
        model.fit(x, y)
        mse = np.mean((model.predict(x) - y) ** 2)
        ax.plot(x, y, "k", lw=3, alpha=0.3, label=label)
        ax.plot(x, model.predict(x), "C1", label=f"MLP 1-32-32-1 tanh (MSE {mse:.1e})")
        if label.startswith("|"):
            ax.plot(x, by_hand.forward(x), "C0--", label="the lecture's 2 ReLUs, by hand")
        ax.legend(fontsize=8)
        ax.set_title(f"ŷ = {label}")
        axes[2].semilogy(model.loss_curve_, label=label)
        print(f"{label}: {model.n_iter_} epochs, training MSE {mse:.2e}")
    axes[2].set_xlabel("epoch")
    axes[2].set_title("loss: mean ½ (ŷ − y)²")
    axes[2].legend()
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
