"""airspeed velocity suites, generated from the one registry (fastnn.bench.workloads).

One class per workload, parametrised by implementation (fastnn, the NumPy
twin, each peer). ``setup`` makes the inputs and warms the JIT, so no timing
includes compilation; ``track_error`` records fastnn's deviation from the
twin, so a change that is fast but wrong shows in the history too.
``timeraw_import`` times ``import fastnn`` in a fresh interpreter.
"""

from fastnn.bench.workloads import WORKLOADS


def _suite(workload):
    class Suite:
        params = tuple(workload.implementations)
        param_names = ("implementation",)
        timeout = 120

        def setup(self, implementation):
            if implementation not in workload.available():
                raise NotImplementedError(f"{implementation} is not installed")  # asv: skipped
            self.inputs = workload.inputs(quick=False)
            self.run = workload.implementations[implementation](self.inputs)
            self.result = self.run()  # compiles fastnn's kernels, warms the peers

        def time_call(self, implementation):
            self.run()

        def track_error(self, implementation):
            reference = workload.numpy(self.inputs)()
            return workload.error(self.result, reference)

        track_error.unit = "relative error"

    Suite.__name__ = Suite.__qualname__ = workload.name
    Suite.__doc__ = workload.description
    return Suite


for _workload in WORKLOADS:
    globals()[_workload.name] = _suite(_workload)


def timeraw_import():
    """``import fastnn, fastnn.image`` after numpy, numba and scipy, in a fresh interpreter."""
    return "import fastnn, fastnn.image", "import numpy, numba, scipy"
