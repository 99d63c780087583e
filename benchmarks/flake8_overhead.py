"""What the mplint flake8 plugin adds to a flake8 run, measured on the standard library.

Three flake8 runs, repeated and interleaved (A B C A B C ...), medians of wall time and of CPU time
(flake8 and its worker processes; steadier than wall time on a busy machine):

* ``without``: ``flake8 --select E,F,W`` with the mplint plugin taken out of flake8's plugin list (a
  small wrapper filters flake8's plugin finder, so flake8 never imports it: the same as mplint not
  being installed);
* ``with``: ``flake8 --select E,F,W,MPL`` with the plugin;
* ``unselected``: ``flake8 --select E,F,W`` with the plugin installed but not selected (flake8 runs every
  plugin and filters the codes afterwards; the plugin asks flake8's decision engine first and returns
  at once, so this should cost what ``without`` costs).

Then, in this process, the time the plugin itself spends on every file (``MplintChecker.run``), split
into files the prefilter rules out and files it parses: the precise cost, free of the noise of
whole-process timings.

Usage::

    python benchmarks/flake8_overhead.py [PATH] [--runs 3] [--jobs 2] [--json out.json]

``PATH`` defaults to the running interpreter's standard library (without site-packages). The wrapper
relies on flake8's workers inheriting the patched finder (``fork``, the default on Linux); elsewhere
use ``--jobs 1``.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import sysconfig
import time
from pathlib import Path
from typing import Any

# Runs flake8's own main(), optionally without the mplint plugin.
_WRAPPER = """
import sys
from flake8.plugins import finder

if sys.argv[1] == "without":
    _find = finder.find_plugins

    def find_plugins(cfg, opts):
        return [p for p in _find(cfg, opts) if p.package != "mplint"]

    finder.find_plugins = find_plugins

from flake8.main.cli import main

sys.exit(main(sys.argv[2:]))
"""

VARIANTS: dict[str, tuple[str, str]] = {
    "without": ("without", "E,F,W"),
    "with": ("with", "E,F,W,MPL"),
    "unselected": ("with", "E,F,W"),
}


def flake8_command(variant: str, path: str, jobs: int) -> list[str]:
    plugins, select = VARIANTS[variant]
    return [
        sys.executable,
        "-c",
        _WRAPPER,
        plugins,
        "--isolated",
        f"--jobs={jobs}",
        f"--select={select}",
        "--extend-exclude=site-packages",
        "--exit-zero",
        path,
    ]


def check_wrapper() -> None:
    """The ``without`` wrapper really hides the plugin; the ``with`` one shows it."""
    for plugins, expected in (("without", False), ("with", True)):
        result = subprocess.run(
            [sys.executable, "-c", _WRAPPER, plugins, "--version"],
            capture_output=True,
            text=True,
            check=True,
        )
        if ("mplint" in result.stdout) != expected:
            raise SystemExit(f"wrapper {plugins!r}: unexpected plugin list: {result.stdout}")


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def time_flake8(variant: str, path: str, jobs: int) -> tuple[float, float, int]:
    """Wall seconds, CPU seconds (flake8 and its workers) and the number of MPL lines printed."""
    cpu = _children_cpu()
    start = time.perf_counter()
    result = subprocess.run(
        flake8_command(variant, path, jobs), capture_output=True, text=True, check=False
    )
    elapsed = time.perf_counter() - start
    cpu = _children_cpu() - cpu
    if result.returncode != 0:
        raise SystemExit(f"flake8 ({variant}) failed: {result.stderr[-2000:]}")
    mpl = sum(1 for line in result.stdout.splitlines() if ": MPL" in line)
    return elapsed, cpu, mpl


def python_files(path: str) -> list[Path]:
    root = Path(path)
    if root.is_file():
        return [root]
    return sorted(
        p
        for p in root.rglob("*.py")
        if "site-packages" not in p.parts and "__pycache__" not in p.parts
    )


def plugin_cost(path: str) -> dict[str, Any]:
    """Seconds the plugin spends per kind of file, run in this process like flake8 does."""
    import ast

    from mplint.flake8_plugin import MplintChecker, could_have_findings

    skipped = checked = 0
    skipped_seconds = checked_seconds = 0.0
    skipped_bytes = checked_bytes = 0
    findings = 0
    for file in python_files(path):
        try:
            text = file.read_text(encoding="utf-8")
            tree = ast.parse(text)  # flake8 only runs tree plugins on files that parse
        except (SyntaxError, UnicodeDecodeError, ValueError, OSError):
            continue
        lines = text.splitlines(keepends=True)
        start = time.perf_counter()
        results = list(MplintChecker(tree, lines, str(file)).run())
        elapsed = time.perf_counter() - start
        size = len(text.encode("utf-8"))
        if could_have_findings(text):
            checked += 1
            checked_seconds += elapsed
            checked_bytes += size
            findings += len(results)
        else:
            skipped += 1
            skipped_seconds += elapsed
            skipped_bytes += size
    return {
        "files_ruled_out": skipped,
        "bytes_ruled_out": skipped_bytes,
        "seconds_on_ruled_out": round(skipped_seconds, 4),
        "microseconds_per_ruled_out_file": round(1e6 * skipped_seconds / max(skipped, 1), 2),
        "files_parsed": checked,
        "bytes_parsed": checked_bytes,
        "seconds_on_parsed": round(checked_seconds, 3),
        "findings": findings,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("path", nargs="?", default=sysconfig.get_paths()["stdlib"])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--jobs", type=int, default=min(2, os.cpu_count() or 1))
    parser.add_argument(
        "--variants", default="without,with,unselected", help="comma-separated subset"
    )
    parser.add_argument("--no-plugin-cost", action="store_true")
    parser.add_argument("--json", help="also write the results here")
    args = parser.parse_args()
    variants = [v for v in args.variants.split(",") if v]
    check_wrapper()

    import mplint

    print(f"mplint {mplint.__version__} from {Path(mplint.__file__).parent}")
    print(f"flake8 on {args.path}: {args.runs} runs per variant, --jobs={args.jobs}", flush=True)
    wall: dict[str, list[float]] = {v: [] for v in variants}
    cpu: dict[str, list[float]] = {v: [] for v in variants}
    mpl: dict[str, int] = {}
    for run in range(1, args.runs + 1):
        for variant in variants:
            elapsed, seconds, count = time_flake8(variant, args.path, args.jobs)
            wall[variant].append(round(elapsed, 3))
            cpu[variant].append(round(seconds, 3))
            mpl[variant] = count
            print(
                f"  run {run} {variant:<11} wall {elapsed:8.2f} s  cpu {seconds:8.2f} s"
                f"  ({count} MPL lines)",
                flush=True,
            )
    report: dict[str, Any] = {
        "path": args.path,
        "jobs": args.jobs,
        "runs": args.runs,
        "wall_seconds": wall,
        "cpu_seconds": cpu,
        "mpl_lines": mpl,
    }
    # CPU time is the figure to trust on a busy machine; wall time is what a user waits.
    for name, samples in (("wall", wall), ("cpu", cpu)):
        medians = {v: statistics.median(t) for v, t in samples.items()}
        report[f"median_{name}_seconds"] = {v: round(m, 3) for v, m in medians.items()}
        line = ", ".join(f"{v} {m:.2f} s" for v, m in medians.items())
        if "without" in medians:
            ratios = {
                v: round(m / medians["without"], 4) for v, m in medians.items() if v != "without"
            }
            report[f"{name}_ratio_to_without"] = ratios
            line += "; ratio to without: " + ", ".join(f"{v} {r:.3f}" for v, r in ratios.items())
        print(f"median {name}: {line}")

    if not args.no_plugin_cost:
        cost = plugin_cost(args.path)
        report["plugin_cost"] = cost
        print("plugin cost in-process: " + json.dumps(cost))
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
