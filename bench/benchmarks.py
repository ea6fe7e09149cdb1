"""airspeed velocity suites, generated from the one registry (fastnn.bench.workloads).

Per workload, two classes:

- ``<workload>``: ``time_call`` parametrised by implementation (fastnn, the
  NumPy twin, each installed peer). ``setup`` makes the inputs and calls the
  implementation once, so no timing includes compilation or warm-up.
- ``<workload>_accuracy``: ``track_error``, fastnn's deviation from the NumPy
  twin (relative to the twin's scale), so a change that is fast but wrong
  shows in the history too. Peers are not tracked: their outputs differ in
  form (tuples, DataFrames, other scalings).

``timeraw_import`` times ``import fastnn`` in a fresh interpreter.
"""

from fastnn.bench.workloads import WORKLOADS


def _timing_suite(workload):
    class Suite:
        params = tuple(workload.implementations)
        param_names = ("implementation",)
        timeout = 300

        def setup(self, implementation):
            if implementation not in workload.available():
                raise NotImplementedError(f"{implementation} is not installed")  # asv: skipped
            self.run = workload.implementations[implementation](workload.inputs(quick=False))
            self.run()  # compiles fastnn's kernels, warms the peers

        def time_call(self, implementation):
            self.run()

    Suite.__name__ = Suite.__qualname__ = workload.name
    Suite.__doc__ = workload.description
    return Suite


def _accuracy_suite(workload):
    class Accuracy:
        timeout = 300

        def track_error(self):
            inputs = workload.inputs(quick=False)
            result = workload.fastnn(inputs)()
            return workload.error(result, workload.numpy(inputs)())

        track_error.unit = "relative error"

    Accuracy.__name__ = Accuracy.__qualname__ = f"{workload.name}_accuracy"
    Accuracy.__doc__ = f"fastnn against its NumPy twin: {workload.description}"
    return Accuracy


for _workload in WORKLOADS:
    globals()[_workload.name] = _timing_suite(_workload)
    globals()[f"{_workload.name}_accuracy"] = _accuracy_suite(_workload)


def timeraw_import():
    """``import fastnn, fastnn.image`` after numpy, numba and scipy, in a fresh interpreter."""
    return "import fastnn, fastnn.image", "import numpy, numba, scipy"
