"""Benchmark workloads of :mod:`fastnn.temporal` (gathered in :mod:`fastnn.bench.workloads`).

The issue's benchmarks: a 10^6-point float64 random walk with window 100
(mean, std, min, max, slope each, against the NumPy twin, bottleneck's
``move_*``, pandas ``rolling`` and numbagg), the six window features at once
against the best separate peer calls, 1,000 series × 10,000 points with
window 50 (mean and std along the last axis), and rolling spectral features
(window 256, step 64) on 10^6 points. Quick sizes are a tenth or less.

The fastnn and NumPy calls return their results without the first
``window - 1`` points (a view, no copy): those are NaN in every
implementation, and ``Workload.error`` compares values, not NaNs.
"""

import numpy as np

from fastnn.bench.workload import Workload

WINDOW = 100
SIX = ("mean", "std", "min", "max", "range", "slope")


def _walk(rng, quick):
    n = 100_000 if quick else 1_000_000
    return {"x": np.cumsum(rng.standard_normal(n)), "window": WINDOW}


def _panel(rng, quick):
    shape = (100, 2_000) if quick else (1_000, 10_000)
    return {"x": np.cumsum(rng.standard_normal(shape), axis=-1), "window": 50}


def _signal(rng, quick):
    n = 100_000 if quick else 1_000_000
    t = np.arange(n)
    x = np.sin(2 * np.pi * t / 37.0) + 0.5 * np.sin(2 * np.pi * t / 5.3) + rng.standard_normal(n)
    return {"x": x, "window": 256, "step": 64}


def _fastnn(name):
    def setup(inputs):
        import fastnn.temporal as temporal

        f, x, w = getattr(temporal, name), inputs["x"], inputs["window"]
        return lambda: f(x, w)[..., w - 1 :]

    return setup


def _numpy(name):
    def setup(inputs):
        from fastnn.temporal import reference

        f, x, w = getattr(reference, name), inputs["x"], inputs["window"]
        return lambda: f(x, w)[..., w - 1 :]

    return setup


def _bottleneck(name, **kwargs):
    def setup(inputs):
        import bottleneck as bn

        f, x, w = getattr(bn, name), inputs["x"], inputs["window"]
        return lambda: f(x, w, axis=-1, **kwargs)

    return setup


def _pandas(method, **kwargs):
    def setup(inputs):
        import pandas as pd

        frame = pd.DataFrame(np.atleast_2d(inputs["x"]).T)  # pandas rolls down columns
        w = inputs["window"]
        return lambda: getattr(frame.rolling(w), method)(**kwargs)

    return setup


def _numbagg(name, **kwargs):
    def setup(inputs):
        import numbagg

        f, x, w = getattr(numbagg, name), inputs["x"], inputs["window"]
        return lambda: f(x, window=w, **kwargs)

    return setup


def _slope_numbagg(inputs):
    # slope = cov(t, x) / var(t) per window: numbagg's move_cov route.
    import numbagg

    x, w = inputs["x"], inputs["window"]
    t = np.arange(x.shape[-1], dtype=np.float64)
    return lambda: numbagg.move_cov(t, x, window=w) / numbagg.move_var(t, window=w)


def _slope_kernel(v):
    n = v.shape[0]
    u = np.arange(n) - (n - 1) / 2
    return (u * (v - v.mean())).sum() / (u * u).sum()


def _slope_pandas(inputs):
    # pandas' own route to a rolling slope: rolling.apply of a jitted function.
    import pandas as pd

    series, w = pd.Series(inputs["x"]), inputs["window"]
    return lambda: series.rolling(w).apply(_slope_kernel, raw=True, engine="numba")


def _cumsum_slope(x, w):
    """Rolling slope from global cumulative sums: the NumPy shortcut (imprecise on walks)."""
    t = np.arange(x.shape[-1], dtype=np.float64)
    sx = np.cumsum(np.concatenate([[0.0], x]))
    stx = np.cumsum(np.concatenate([[0.0], t * x]))
    sum_x, sum_tx = sx[w:] - sx[:-w], stx[w:] - stx[:-w]
    t0 = t[: x.shape[-1] - w + 1]
    sum_t = w * t0 + w * (w - 1) / 2
    sum_tt = w * t0**2 + t0 * w * (w - 1) + (w - 1) * w * (2 * w - 1) / 6
    return (w * sum_tx - sum_t * sum_x) / (w * sum_tt - sum_t**2)


def _six_fastnn(inputs):
    from fastnn.temporal import window_features

    x, w = inputs["x"], inputs["window"]
    return lambda: window_features(x, w, SIX)[w - 1 :]


def _six_numpy(inputs):
    from fastnn.temporal import reference

    x, w = inputs["x"], inputs["window"]
    return lambda: reference.window_features(x, w, SIX)[w - 1 :]


def _six_bottleneck(inputs):
    # The best separate calls: bottleneck's four move_*, a subtraction, a cumsum slope.
    import bottleneck as bn

    x, w = inputs["x"], inputs["window"]

    def run():
        high, low = bn.move_max(x, w), bn.move_min(x, w)
        return (
            bn.move_mean(x, w),
            bn.move_std(x, w, ddof=1),
            low,
            high,
            high - low,
            _cumsum_slope(x, w),
        )

    return run


def _six_bottleneck_numbagg(inputs):
    # bottleneck's four move_* and a subtraction, with numbagg's move_cov route to the slope.
    import bottleneck as bn

    x, w = inputs["x"], inputs["window"]
    slope = _slope_numbagg(inputs)

    def run():
        high, low = bn.move_max(x, w), bn.move_min(x, w)
        return bn.move_mean(x, w), bn.move_std(x, w, ddof=1), low, high, high - low, slope()

    return run


def _six_pandas(inputs):
    import pandas as pd

    series, w = pd.Series(inputs["x"]), inputs["window"]
    t = pd.Series(np.arange(series.size, dtype=np.float64))

    def run():
        r = series.rolling(w)
        high, low = r.max(), r.min()
        return r.mean(), r.std(), low, high, high - low, r.cov(t) / t.rolling(w).var()

    return run


def _two_fastnn(inputs):
    from fastnn.temporal import window_features

    x, w = inputs["x"], inputs["window"]
    return lambda: window_features(x, w, ("mean", "std"))[:, w - 1 :]


def _two_numpy(inputs):
    from fastnn.temporal import reference

    x, w = inputs["x"], inputs["window"]
    return lambda: reference.window_features(x, w, ("mean", "std"))[:, w - 1 :]


def _two_bottleneck(inputs):
    import bottleneck as bn

    x, w = inputs["x"], inputs["window"]
    return lambda: (bn.move_mean(x, w, axis=-1), bn.move_std(x, w, axis=-1, ddof=1))


def _two_pandas(inputs):
    import pandas as pd

    frame, w = pd.DataFrame(inputs["x"].T), inputs["window"]
    return lambda: (frame.rolling(w).mean(), frame.rolling(w).std())


def _spectral_fastnn(inputs):
    from fastnn.temporal import rolling_spectral_features

    x, w, step = inputs["x"], inputs["window"], inputs["step"]
    return lambda: rolling_spectral_features(x, w, step=step)


def _spectral_numpy(inputs):
    from fastnn.temporal import reference

    x, w, step = inputs["x"], inputs["window"], inputs["step"]
    return lambda: reference.rolling_spectral_features(x, w, step=step)


def _rolling(name, peers):
    return Workload(
        name=f"rolling_{name}",
        description=f"rolling_{name}, window 100, 10^6-point float64 random walk (quick: 10^5)",
        make_inputs=_walk,
        fastnn=_fastnn(f"rolling_{name}"),
        numpy=_numpy(f"rolling_{name}"),
        peers=peers,
        rtol=1e-9,
    )


WORKLOADS = [
    _rolling(
        "mean",
        {
            "bottleneck": _bottleneck("move_mean"),
            "pandas": _pandas("mean"),
            "numbagg": _numbagg("move_mean"),
        },
    ),
    # numbagg's move_std has ddof=1 built in, as pandas and fastnn's default.
    _rolling(
        "std",
        {
            "bottleneck": _bottleneck("move_std", ddof=1),
            "pandas": _pandas("std"),
            "numbagg": _numbagg("move_std"),
        },
    ),
    _rolling("min", {"bottleneck": _bottleneck("move_min"), "pandas": _pandas("min")}),
    _rolling("max", {"bottleneck": _bottleneck("move_max"), "pandas": _pandas("max")}),
    _rolling("slope", {"numbagg": _slope_numbagg, "pandas": _slope_pandas}),
    Workload(
        name="window_features",
        description="mean, std, min, max, range, slope at once, window 100, 10^6-point walk",
        make_inputs=_walk,
        fastnn=_six_fastnn,
        numpy=_six_numpy,
        peers={
            "bottleneck": _six_bottleneck,
            "bottleneck+numbagg": _six_bottleneck_numbagg,
            "pandas": _six_pandas,
        },
        rtol=1e-9,
    ),
    Workload(
        name="rolling_2d",
        description="rolling mean and std, window 50, 1,000 × 10,000 float64 (quick: 100 × 2,000)",
        make_inputs=_panel,
        fastnn=_two_fastnn,
        numpy=_two_numpy,
        peers={"bottleneck": _two_bottleneck, "pandas": _two_pandas},
        rtol=1e-9,
    ),
    Workload(
        name="spectral",
        description="rolling spectral features, window 256, step 64, 10^6 points (quick: 10^5)",
        make_inputs=_signal,
        fastnn=_spectral_fastnn,
        numpy=_spectral_numpy,
        rtol=1e-9,
    ),
]
