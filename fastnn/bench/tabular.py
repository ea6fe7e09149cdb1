"""Benchmark workloads of :mod:`fastnn.tabular` (gathered in :mod:`fastnn.bench.workloads`).

The issue's benchmarks: six statistics (count, sum, mean, std, min, max) of
10^7 float64 values over 10^5 given integer group codes (against numbagg,
one call per statistic, and pandas); the same from 10^7 int64 keys spread
over the whole int64 range, factorized in the call (against pandas, DuckDB
and polars, every peer returning its groups in sorted key order); factorizing
10^6 strings of 10^4 distinct values (against ``pandas.factorize``); and a
grouped rolling mean and std, window 20, over 10^6 rows of 1,000 entities
(against pandas ``groupby().rolling()`` and polars ``rolling_*().over()``).
Quick sizes are a tenth or less.

The grouped rolling rows come round by round, each of the 1,000 entities once
per round in a shuffled order, so the first ``window - 1`` rounds (NaN for
every implementation, and ``Workload.error`` compares values, not NaNs) are a
leading slice that the fastnn and NumPy calls leave out, as a view.
"""

import numpy as np

from fastnn.bench.workload import Workload

SIX = ("count", "sum", "mean", "std", "min", "max")
PANDAS_SIX = ["count", "sum", "mean", "std", "min", "max"]
WINDOW = 20


def _codes(rng, quick):
    n, n_groups = (1_000_000, 10_000) if quick else (10_000_000, 100_000)
    return {
        "codes": rng.integers(0, n_groups, n),
        "n_groups": n_groups,
        "values": rng.standard_normal(n),
    }


def _wide_keys(rng, quick):
    n, n_groups = (1_000_000, 10_000) if quick else (10_000_000, 100_000)
    distinct = rng.integers(-(2**62), 2**62, n_groups)
    return {"keys": distinct[rng.integers(0, n_groups, n)], "values": rng.standard_normal(n)}


def _strings(rng, quick):
    n, n_distinct = (100_000, 1_000) if quick else (1_000_000, 10_000)
    words = np.array([f"customer-{i:06d}" for i in rng.permutation(n_distinct)])
    return {"keys": words[rng.integers(0, n_distinct, n)]}


def _entities(rng, quick):
    n_entities, rounds = (100, 1_000) if quick else (1_000, 1_000)
    entity = np.concatenate([rng.permutation(n_entities) for _ in range(rounds)])
    values = np.cumsum(rng.standard_normal((rounds, n_entities)), axis=0).ravel()
    return {"entity": entity, "values": values, "skip": (WINDOW - 1) * n_entities}


# --- group_aggregate: codes given ------------------------------------------------


def _aggregate_fastnn(inputs):
    from fastnn.tabular import Groups

    groups = Groups.from_codes(inputs["codes"], inputs["n_groups"])
    values = inputs["values"]
    return lambda: groups.aggregate(values, SIX)


def _aggregate_numpy(inputs):
    from fastnn.tabular import reference

    codes, n_groups, values = inputs["codes"], inputs["n_groups"], inputs["values"]
    return lambda: reference.group_aggregate(codes, n_groups, values, SIX)


def _aggregate_numbagg(inputs):
    import numbagg

    codes, n_groups, values = inputs["codes"], inputs["n_groups"], inputs["values"]
    calls = [
        numbagg.group_nancount,
        numbagg.group_nansum,
        numbagg.group_nanmean,
        lambda v, c, num_labels: numbagg.group_nanstd(v, c, num_labels=num_labels, ddof=1),
        numbagg.group_nanmin,
        numbagg.group_nanmax,
    ]
    return lambda: np.stack([f(values, codes, num_labels=n_groups) for f in calls], axis=-1)


def _aggregate_pandas(inputs):
    import pandas as pd

    series = pd.Series(inputs["values"])
    codes = inputs["codes"]
    return lambda: series.groupby(codes).agg(PANDAS_SIX).to_numpy()


# --- groupby: keys factorized in the call ------------------------------------------


def _groupby_fastnn(inputs):
    from fastnn.tabular import group_by

    keys, values = inputs["keys"], inputs["values"]
    return lambda: group_by(keys).aggregate(values, SIX)


def _groupby_numpy(inputs):
    from fastnn.tabular import reference

    keys, values = inputs["keys"], inputs["values"]

    def run():
        codes, uniques = reference.factorize(keys)
        return reference.group_aggregate(codes, len(uniques), values, SIX)

    return run


def _groupby_pandas(inputs):
    import pandas as pd

    frame = pd.DataFrame({"k": inputs["keys"], "v": inputs["values"]})
    return lambda: frame.groupby("k")["v"].agg(PANDAS_SIX).to_numpy()


def _groupby_duckdb(inputs):
    import duckdb

    connection = duckdb.connect()
    frame = {"k": inputs["keys"], "v": inputs["values"]}
    connection.register("frame", __import__("pandas").DataFrame(frame))
    query = (
        "SELECT count(v), sum(v), avg(v), stddev_samp(v), min(v), max(v) "
        "FROM frame GROUP BY k ORDER BY k"
    )
    return lambda: connection.execute(query).fetchnumpy()


def _groupby_polars(inputs):
    import polars as pl

    frame = pl.DataFrame({"k": inputs["keys"], "v": inputs["values"]})
    v = pl.col("v")
    stats = [getattr(v, name)().alias(name) for name in PANDAS_SIX]
    return lambda: frame.group_by("k").agg(stats).sort("k")


# --- groupby_strings ---------------------------------------------------------------


def _strings_fastnn(inputs):
    from fastnn.tabular import group_by

    keys = inputs["keys"]
    return lambda: group_by(keys, sort=False).codes


def _strings_numpy(inputs):
    from fastnn.tabular import reference

    keys = inputs["keys"]
    return lambda: reference.factorize(keys, sort=False)[0]


def _strings_pandas(inputs):
    import pandas as pd

    keys = inputs["keys"]
    return lambda: pd.factorize(keys)[0]


# --- grouped_rolling -----------------------------------------------------------------


def _rolling_fastnn(inputs):
    from fastnn.tabular import group_by

    entity, values, skip = inputs["entity"], inputs["values"], inputs["skip"]
    return lambda: group_by(entity).rolling(values, WINDOW, ("mean", "std"))[skip:]


def _rolling_numpy(inputs):
    from fastnn.tabular import reference

    entity, values, skip = inputs["entity"], inputs["values"], inputs["skip"]
    return lambda: reference.group_rolling(entity, values, WINDOW, ("mean", "std"))[skip:]


def _rolling_pandas(inputs):
    import pandas as pd

    frame = pd.DataFrame({"e": inputs["entity"], "v": inputs["values"]})

    def run():
        rolling = frame.groupby("e")["v"].rolling(WINDOW)
        return rolling.mean(), rolling.std()

    return run


def _rolling_polars(inputs):
    import polars as pl

    frame = pl.DataFrame({"e": inputs["entity"], "v": inputs["values"]})
    v = pl.col("v")
    stats = [v.rolling_mean(WINDOW).over("e"), v.rolling_std(WINDOW).over("e").alias("s")]
    return lambda: frame.select(stats)


FORMULA = "(a - b) / (c + 1) + sqrt(abs(d))"


def _formula_columns(rng, quick):
    n = 1_000_000 if quick else 10_000_000
    return {name: rng.standard_normal(n) for name in "abcd"}


def _formula_fastnn(inputs):
    from fastnn.tabular import formula

    f = formula(FORMULA)
    return lambda: f(inputs)


def _formula_numpy(inputs):
    from fastnn.tabular import reference

    f = reference.formula(FORMULA)
    return lambda: f(inputs)


def _formula_numexpr(inputs):
    import numexpr

    return lambda: numexpr.evaluate(FORMULA, local_dict=inputs)  # its own threads


def _formula_pandas(inputs):
    import pandas as pd

    frame = pd.DataFrame(inputs)
    return lambda: frame.eval(FORMULA)


def _formula_floor(inputs):
    # The formula moves five columns (reads four, writes one): a copy of
    # two and a half columns moves as many bytes, with every thread.
    from fastnn.bench._floor import parallel_copy

    n = len(inputs["a"])
    src = np.concatenate([inputs["a"], inputs["b"], inputs["c"][: n // 2]])
    dst = np.empty_like(src)
    return lambda: parallel_copy(src, dst)


WORKLOADS = [
    Workload(
        name="group_aggregate",
        description="count, sum, mean, std, min, max of 10^7 float64 values over 10^5 given "
        "integer group codes (quick: 10^6, 10^4)",
        make_inputs=_codes,
        fastnn=_aggregate_fastnn,
        numpy=_aggregate_numpy,
        peers={"numbagg": _aggregate_numbagg, "pandas": _aggregate_pandas},
        rtol=1e-9,
    ),
    Workload(
        name="groupby",
        description="factorize 10^7 int64 keys spread over the int64 range (10^5 distinct), "
        "then count, sum, mean, std, min, max of float64 values (quick: 10^6, 10^4)",
        make_inputs=_wide_keys,
        fastnn=_groupby_fastnn,
        numpy=_groupby_numpy,
        peers={"pandas": _groupby_pandas, "duckdb": _groupby_duckdb, "polars": _groupby_polars},
        rtol=1e-9,
    ),
    Workload(
        name="groupby_strings",
        description="factorize 10^6 NumPy strings of 10^4 distinct values, first-seen order "
        "(quick: 10^5, 10^3)",
        make_inputs=_strings,
        fastnn=_strings_fastnn,
        numpy=_strings_numpy,
        peers={"pandas": _strings_pandas},
        rtol=0.0,
    ),
    Workload(
        name="grouped_rolling",
        description="rolling mean and std, window 20, of 10^6 float64 rows of 1,000 interleaved "
        "entities, grouping included (quick: 10^5 rows, 100 entities)",
        make_inputs=_entities,
        fastnn=_rolling_fastnn,
        numpy=_rolling_numpy,
        peers={"pandas": _rolling_pandas, "polars": _rolling_polars},
        rtol=1e-9,
    ),
    Workload(
        name="formula",
        description=f"the row formula {FORMULA!r} on four columns of 10^7 float64 rows "
        "(quick: 10^6); floor: a copy of as many bytes",
        make_inputs=_formula_columns,
        fastnn=_formula_fastnn,
        numpy=_formula_numpy,
        peers={"numexpr": _formula_numexpr, "pandas": _formula_pandas},
        floor=_formula_floor,
        rtol=1e-15,
    ),
]
