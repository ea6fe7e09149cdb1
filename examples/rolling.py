"""Sliding-window features of a synthetic price series: the lecture's four, and a table.

Moving average, moving standard deviation, moving range (min, max) and moving
trend (slope of a linear fit) over a 20-day window, plus previous values and
whole-series aggregates. Run it after the README's first command (it needs
matplotlib, from the bench extra): ``python examples/rolling.py`` writes
``rolling.png`` and ``rolling_features.csv`` beside you.
"""

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

from fastnn.temporal import aggregate, diff, lags, spectral_features, window_features

WINDOW = 20
FEATURES = ("mean", "std", "min", "max", "slope")


def prices(days=500):
    """A random walk with a weekly wave and a few missing days (NaN)."""
    rng = np.random.default_rng(0)
    t = np.arange(days)
    price = 100 + np.cumsum(rng.standard_normal(days)) + 2 * np.sin(2 * np.pi * t / 7)
    price[rng.choice(days, 10, replace=False)] = np.nan
    return price


def main(path="rolling.png", table="rolling_features.csv"):
    price = prices()
    rolled = window_features(price, WINDOW, FEATURES, min_periods=WINDOW // 2)
    mean, std, low, high, slope = np.moveaxis(rolled, -1, 0)
    previous = lags(price, [1, 2, 7])
    change = diff(price)

    fig, (top, bottom) = plt.subplots(2, 1, figsize=(10, 6), sharex=True)
    top.plot(price, lw=0.8, color="0.4", label="price")
    top.plot(mean, label=f"moving average ({WINDOW} days)")
    top.fill_between(
        np.arange(price.size), mean - 2 * std, mean + 2 * std, alpha=0.2, label="± 2 moving std"
    )
    top.plot(low, lw=0.6, ls="--", label="moving min")
    top.plot(high, lw=0.6, ls="--", label="moving max")
    top.legend(fontsize=8)
    bottom.plot(slope, color="C3", label="moving trend (slope per day)")
    bottom.axhline(0, color="0.7", lw=0.5)
    bottom.legend(fontsize=8)
    bottom.set_xlabel("day")
    fig.tight_layout()
    fig.savefig(path, dpi=80)

    columns = [price, *np.moveaxis(rolled, -1, 0), *np.moveaxis(previous, -1, 0), change]
    header = "price," + ",".join(FEATURES) + ",lag1,lag2,lag7,diff1"
    np.savetxt(table, np.column_stack(columns), delimiter=",", header=header, fmt="%.4f")

    summary = aggregate(price, ("mean", "std", "skew", "kurtosis", "slope"))
    # A NaN makes a spectrum NaN: take the daily changes, a missing one counted as none.
    wave = spectral_features(np.nan_to_num(change), features=("dominant_frequency",))
    print(f"wrote {path} and {table}")
    print("mean {:.2f}  std {:.2f}  skew {:.2f}  kurtosis {:.2f}  slope {:.4f}".format(*summary))
    print(f"dominant period of the daily changes: {1 / wave[0]:.1f} days")


if __name__ == "__main__":
    main()
