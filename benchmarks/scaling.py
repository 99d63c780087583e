"""Does the time grow with the file, and no faster? mplint on generated modules of growing length.

    python benchmarks/scaling.py                       # 1,000 to 20,000 lines, 3 rounds
    python benchmarks/scaling.py --sizes 1000,2000,4000 --rounds 5

The modules come from ``benchmarks/synthetic.py`` (an ETL job of pools, executors, processes, queues,
locks, managers and classes holding them). For each size it times, side by side in one run:

* ``engine``: ``lint_source`` on the text, in this process (every rule, preview included; what the
  language server and the flake8 plugin call);
* ``cli``: ``mplint check --no-cache --jobs 1 --preview`` on the file, a new process each time
  (start-up included);
* ``libcst``: libcst's bare ``parse_module`` of the same text (the floor of a libcst engine);
* ``ast``: CPython's ``ast.parse`` of it.

Times are CPU seconds (user and system time of this process, or of the ``mplint`` child), which other work
on a shared machine disturbs far less than wall-clock time; ``--wall`` measures the wall clock instead.
Each round measures every size once, in turn, so the machine's load falls on all sizes alike; the table
shows medians. Targets (issue #18): doubling the length costs at most 2.2 times the time, quadrupling at
most 4.5 times. The ratios printed are time(2n)/time(n) and time(4n)/time(n) for the engine and the CLI. The
process exits 1 when a target is missed (``--no-check`` to only print).
"""

from __future__ import annotations

import argparse
import ast
import gc
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

import libcst as cst  # noqa: E402

from benchmarks.synthetic import module_of  # noqa: E402
from mplint.engine import lint_source  # noqa: E402
from mplint.settings import Config  # noqa: E402

DEFAULT_SIZES = (1000, 2000, 4000, 8000, 16000, 20000)
DOUBLING_TARGET = 2.2
QUADRUPLING_TARGET = 4.5
COLUMNS = ("engine", "cli", "libcst", "ast")


WALL = False


def _timed(work: Callable[[], object]) -> float:
    gc.collect()
    clock = time.perf_counter if WALL else time.process_time
    start = clock()
    work()
    return clock() - start


def _children_cpu() -> float:
    import resource

    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _cli_seconds(path: Path) -> float:
    """One ``mplint check`` of the file in a new process (the temporary directory has no settings)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    command = [sys.executable, "-m", "mplint", "check", "--no-cache", "--jobs", "1", "--preview"]
    clock = time.perf_counter if WALL or os.name != "posix" else _children_cpu
    start = clock()
    subprocess.run(
        [*command, str(path)],
        cwd=path.parent,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        check=False,
    )
    return clock() - start


def measure(sizes: list[int], rounds: int) -> dict[int, dict[str, float]]:
    """Median seconds per size and column."""
    config = Config(preview=True)
    texts = {size: module_of(size) for size in sizes}
    lint_source("warm.py", module_of(300), config)  # imports and first-use costs out of the way
    samples: dict[int, dict[str, list[float]]] = {s: {c: [] for c in COLUMNS} for s in sizes}
    with tempfile.TemporaryDirectory(prefix="mplint-scaling-") as directory:
        paths = {}
        for size, text in texts.items():
            paths[size] = Path(directory) / f"etl_{size}.py"
            paths[size].write_text(text, encoding="utf-8")
        for number in range(rounds):
            for size in sizes:
                text = texts[size]
                row = samples[size]
                row["engine"].append(_timed(lambda t=text: lint_source("etl.py", t, config)))
                row["cli"].append(_cli_seconds(paths[size]))
                row["libcst"].append(_timed(lambda t=text: cst.parse_module(t)))
                row["ast"].append(_timed(lambda t=text: ast.parse(t)))
            print(f"round {number + 1}/{rounds} done", file=sys.stderr, flush=True)
    return {s: {c: statistics.median(v) for c, v in row.items()} for s, row in samples.items()}


def report(sizes: list[int], medians: dict[int, dict[str, float]]) -> list[str]:
    """Print the table and the ratios; return the targets missed."""
    lines = {size: module_of(size).count("\n") for size in sizes}
    unit = "s" if WALL else "CPU s"
    print(
        f"| lines | engine {unit} | cli {unit} | libcst {unit} | ast {unit} | engine ms/100 lines "
        "| engine / libcst |"
    )
    print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for size in sizes:
        m = medians[size]
        print(
            f"| {lines[size]:,} | {m['engine']:.2f} | {m['cli']:.2f} | {m['libcst']:.2f} | "
            f"{m['ast']:.3f} | {m['engine'] / lines[size] * 100_000:.1f} | "
            f"{m['engine'] / m['libcst']:.2f} |"
        )
    print()
    print("| from | to | factor | engine | cli | libcst | ast | target |")
    print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    missed: list[str] = []
    for size in sizes:
        for factor, target in ((2, DOUBLING_TARGET), (4, QUADRUPLING_TARGET)):
            other = size * factor
            if other not in medians:
                continue
            ratios = {c: medians[other][c] / medians[size][c] for c in COLUMNS}
            print(
                f"| {lines[size]:,} | {lines[other]:,} | x{factor} | {ratios['engine']:.2f} | "
                f"{ratios['cli']:.2f} | {ratios['libcst']:.2f} | {ratios['ast']:.2f} | ≤ {target} |"
            )
            for column in ("engine", "cli"):
                if ratios[column] > target:
                    missed.append(f"{column} {size}->{other}: {ratios[column]:.2f} > {target}")
    return missed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default=",".join(map(str, DEFAULT_SIZES)))
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--no-check", action="store_true", help="print only; never exit 1")
    parser.add_argument("--wall", action="store_true", help="wall-clock time instead of CPU time")
    args = parser.parse_args()
    global WALL
    WALL = args.wall
    sizes = sorted(int(s) for s in args.sizes.split(",") if s)
    medians = measure(sizes, args.rounds)
    missed = report(sizes, medians)
    for line in missed:
        print(f"target missed: {line}")
    return 1 if missed and not args.no_check else 0


if __name__ == "__main__":
    raise SystemExit(main())
