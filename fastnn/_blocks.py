"""How the rolling block kernel is planned: points per parallel task, work per point.

fastnn.temporal's rolling functions and fastnn.tabular's grouped rolling
windows run the same block kernel (``fastnn.temporal._kernels.rolling_features``),
so the numbers that plan its calls live here, where both domains may read them,
and not in one domain's private modules. Planning only: no kernel code.
"""

__all__ = ["ROLLING_WORK", "TASK_POINTS", "blocks_per_task"]

# Points per parallel task of the rolling kernels (whole blocks of `window`).
# Tasks of ~8k points keep the one-block warm-up of each task under 2% of its
# work and still give 100+ tasks for a 10^6-point series.
TASK_POINTS = 8192

# Work per point of each statistic, for the serial/parallel choice: in units where
# _jit.PARALLEL_MIN_WORK (4.2e6, set for image multiply-adds) is ~50 µs of serial
# kernel time, about 84 units per ns. Measured here (2-core Xeon shared with other
# workers, window 100 for one series, 50 for panels; serial vs parallel twin of
# `rolling_features`): serial ns per point mean 1.1, var 2.0, std 3.1, min 1.5,
# slope 2.5, the six of window_features 9.4; parallel speedup mean 0.9× at 10^4
# points, 1.1-1.2× from 3·10^4 to 3·10^5, 1.4-1.6× at 10^6-10^7 (100-1,000 series);
# std 0.95× at 10^4, 1.05-1.1× from 3·10^4; the six 1.1-1.3× from 10^4. So the
# switch falls near 3·10^4 points for one statistic, 10^4 for the six.
ROLLING_WORK = {
    "sum": 90,
    "mean": 90,
    "var": 170,
    "std": 260,
    "min": 125,
    "max": 125,
    "range": 125,
    "slope": 210,
}


def blocks_per_task(window):
    """Blocks of ``window`` points per parallel task (see :data:`TASK_POINTS`)."""
    return max(1, TASK_POINTS // window)
