"""``python -m fastnn.bench.threshold``: where the parallel twin starts to beat the serial one.

For square float32 images of growing size, times fastnn's kernels with the
serial twin forced (``fastnn.set_num_threads(1)``) and with the parallel twin
forced (the threshold set to 0), and prints the work (the ``work=`` the public
function passes: output elements × taps) and the ratio. The smallest work
where the parallel twin wins is what ``fastnn._jit.PARALLEL_MIN_WORK`` holds.
"""

from functools import partial

import numpy as np

import fastnn
from fastnn import _jit
from fastnn.bench.run import measure
from fastnn.image import correlate2d, gradient_magnitude

CASES = {
    "gradient_magnitude": (lambda x: gradient_magnitude(x), 9),
    "correlate2d 5×5": (lambda x: correlate2d(x, np.arange(1.0, 26.0).reshape(5, 5)), 25),
}


def main():
    rng = np.random.default_rng(0)
    saved_threads, saved_threshold = fastnn.get_num_threads(), _jit.PARALLEL_MIN_WORK
    print(f"{'kernel':<20} {'image':>9} {'work':>10} {'serial':>10} {'parallel':>10} {'ratio':>6}")
    try:
        for name, (call, taps) in CASES.items():
            for side in (16, 32, 48, 64, 96, 128, 192, 256, 512):
                image = rng.random((side, side), dtype=np.float32)
                fastnn.set_num_threads(1)
                serial, _ = measure(partial(call, image), budget=0.3, repeats=7)
                fastnn.set_num_threads(saved_threads)
                _jit.PARALLEL_MIN_WORK = 0
                parallel, _ = measure(partial(call, image), budget=0.3, repeats=7)
                _jit.PARALLEL_MIN_WORK = saved_threshold
                print(f"{name:<20} {side:>4}×{side:<4} {side * side * taps:>10} "
                      f"{serial.median * 1e6:>8.1f}µs {parallel.median * 1e6:>8.1f}µs "
                      f"{serial.median / parallel.median:>5.2f}×")  # fmt: skip
    finally:
        fastnn.set_num_threads(saved_threads)
        _jit.PARALLEL_MIN_WORK = saved_threshold


if __name__ == "__main__":
    main()
