"""``--plot``: the speedups of one run as a bar chart (matplotlib, from the bench extra)."""


def speedup_chart(results, path):
    """Draw fastnn's speedup over NumPy and its ratio to the best peer, per workload."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    names = [r.workload for r in results]
    over_numpy = [r.speedup() for r in results]
    over_peer = []
    for r in results:
        _, timing = r.best_peer()
        over_peer.append(timing.median / r.timings["fastnn"].median if timing else np.nan)
    x = np.arange(len(names))
    fig, ax = plt.subplots(figsize=(1.8 * len(names) + 3, 4))
    ax.bar(x - 0.2, over_numpy, 0.4, label="fastnn vs NumPy twin")
    ax.bar(x + 0.2, over_peer, 0.4, label="fastnn vs best peer")
    ax.axhline(1, color="black", linewidth=0.8)
    ax.set_yscale("log")
    ax.set_xticks(x, names)
    ax.set_ylabel("speedup (×, log scale)")
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
