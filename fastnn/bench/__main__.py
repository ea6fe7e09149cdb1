"""``python -m fastnn.bench``: the speedup report on the built-in workloads.

Every workload of the registry is run by fastnn, by its NumPy twin and by each
installed peer: warm-up first (fastnn's first call, which compiles or loads
the cached kernel, is reported apart), then the median of repeats. One table:
fastnn's time, NumPy's, the speedup, the fastest installed peer and fastnn's
ratio to it (> 1: fastnn is faster). No thresholds: it reports, never fails
on speed.
"""

import argparse
import json
import sys

from fastnn.bench import run as runner
from fastnn.bench import startup
from fastnn.bench.workloads import BY_NAME


def _ms(seconds):
    ms = seconds * 1e3
    return f"{ms:.3g} ms" if ms < 1000 else f"{seconds:.3g} s"


def _rows(results):
    for r in results:
        fast, twin = r.timings["fastnn"], r.timings["numpy"]
        peer, timing = r.best_peer()
        yield [
            r.workload,
            _ms(fast.median),
            _ms(fast.first_call),
            _ms(twin.median),
            f"{r.speedup():.1f}×",
            f"{peer} {_ms(timing.median)}" if peer else "none installed",
            f"{timing.median / fast.median:.2f}×" if peer else "",
            _ms(r.floor.median) if r.floor else "",
        ]


HEADER = ["workload", "fastnn", "first call", "NumPy", "speedup", "best peer", "vs peer", "floor"]


def table(results):
    rows = [HEADER, *_rows(results)]
    widths = [max(len(row[i]) for row in rows) for i in range(len(HEADER))]
    lines = [
        "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
        for row in rows
    ]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def markdown(results, startup_times, env):
    lines = ["| " + " | ".join(HEADER) + " |", "|" + "---|" * len(HEADER)]
    lines += ["| " + " | ".join(row) + " |" for row in _rows(results)]
    lines.append("")
    lines += _startup_lines(startup_times)
    versions = ", ".join(f"{k} {v}" for k, v in env["versions"].items())
    lines += ["", f"Machine: {env['machine']}, {env['threads']} threads. Versions: {versions}.",
              f"Command: `{env['command']}`."]  # fmt: skip
    return "\n".join(lines)


def _startup_lines(times):
    if not times:
        return []
    imports, first, numba = (
        _ms(times[k])
        for k in ("import_seconds", "first_call_cached_seconds", "numba_startup_seconds")
    )
    return [
        f"- `import fastnn, fastnn.image` beyond numpy + numba + scipy: {imports}",
        f"- first call of a cached kernel in a fresh process: {first},"
        f" after Numba's own start-up at the first call of any kernel: {numba}",
    ]


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="python -m fastnn.bench", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument(
        "--quick", action="store_true", help="small inputs and few repeats (a smoke run)"
    )
    parser.add_argument("--only", action="append", metavar="NAME", choices=sorted(BY_NAME),
                        help="run only this workload (repeatable)")  # fmt: skip
    parser.add_argument(
        "--json", metavar="FILE", help="write every timing and the environment as JSON"
    )
    parser.add_argument("--plot", metavar="FILE.png", help="draw the speedups as a bar chart")
    parser.add_argument(
        "--markdown",
        action="store_true",
        help="print the table as Markdown, with machine and versions",
    )
    parser.add_argument(
        "--no-startup", action="store_true", help="skip the import and first-call probes"
    )
    args = parser.parse_args(argv)

    def progress(message):
        print(f"\r\033[K{message}", end="", file=sys.stderr, flush=True)

    results = runner.run(
        args.only, quick=args.quick, progress=progress if sys.stderr.isatty() else None
    )
    if sys.stderr.isatty():
        progress("")
    startup_times = None if args.no_startup else startup.measure(repeats=3 if args.quick else 7)
    env = runner.environment()
    if args.markdown:
        print(markdown(results, startup_times, env))
    else:
        print(table(results))
        print("\n".join(["", *_startup_lines(startup_times)]) if startup_times else "")
        print(
            f"{env['machine']}; {env['threads']} threads; "
            + ", ".join(f"{k} {v}" for k, v in env["versions"].items())
        )
    if args.json:
        with open(args.json, "w") as f:
            json.dump(runner.as_json(results, startup_times), f, indent=2)
    if args.plot:
        from fastnn.bench.plot import speedup_chart

        speedup_chart(results, args.plot)
    return 0


if __name__ == "__main__":
    sys.exit(main())
