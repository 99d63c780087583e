"""Benchmark mplint side by side with ruff, flake8 and Fixit on the same trees, in the same run.

    python benchmarks/run.py                 # standard library + package corpus, 5 runs each
    python benchmarks/run.py --runs 3 --quick
    python benchmarks/run.py --targets --runs 3   # the speed targets, commands taking turns

It prints median wall times and the ratios the project tracks (see benchmarks/README.md):
cold mplint vs ruff, warm (cached) mplint vs ruff, Fixit vs mplint, flake8 with vs without the mplint
plugin, and mplint's peak memory. Fixit is slow: it is measured on a subset (the files mplint's
prefilter keeps, capped) and scaled by bytes, as the table says.

Tools come from the environment when present; missing ones are installed with pip into
benchmarks/.work/venv (ruff, flake8, fixit), never into the project's environment.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import sysconfig
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
WORK = HERE / ".work"
# The trees are copied outside this repository: Fixit (like git-aware tools) skips files that the
# repository's .gitignore ignores, and benchmarks/.work is ignored.
TREES = Path(tempfile.gettempdir()) / "mplint-benchmark"
sys.path.insert(0, str(ROOT))

from benchmarks.corpus import fetch  # noqa: E402
from benchmarks.flake8_overhead import _WRAPPER as FLAKE8_WRAPPER  # noqa: E402
from benchmarks.flake8_overhead import VARIANTS as FLAKE8_VARIANTS  # noqa: E402
from mplint.files import could_have_findings_bytes  # noqa: E402


@dataclass
class Timing:
    median: float
    runs: list[float]
    peak_rss_mb: float


def _run(command: Sequence[str], cwd: Path, env: dict[str, str]) -> tuple[float, float]:
    """Wall seconds and peak resident memory (MB) of one run of ``command``."""
    start = time.perf_counter()
    proc = subprocess.Popen(
        list(command), cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    _, _, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    proc.returncode = 0
    return elapsed, usage.ru_maxrss / 1024


def measure(
    command: Sequence[str],
    cwd: Path,
    runs: int,
    env: dict[str, str] | None = None,
    before: Sequence[str] | None = None,
) -> Timing:
    environment = {**os.environ, **(env or {})}
    times: list[float] = []
    peak = 0.0
    for _ in range(runs):
        if before is not None:
            subprocess.run(list(before), cwd=cwd, env=environment, capture_output=True, check=False)
        elapsed, rss = _run(command, cwd, environment)
        times.append(elapsed)
        peak = max(peak, rss)
    return Timing(statistics.median(times), times, peak)


def tool(name: str, package: str) -> list[str]:
    """The command for a tool: from this environment, else from benchmarks/.work/venv."""
    probe = subprocess.run(
        [sys.executable, "-m", name, "--version"], capture_output=True, check=False
    )
    if probe.returncode == 0:
        return [sys.executable, "-m", name]
    venv = WORK / "venv"
    python = venv / "bin" / "python"
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    probe = subprocess.run([str(python), "-m", name, "--version"], capture_output=True, check=False)
    if probe.returncode != 0:
        subprocess.run([str(python), "-m", "pip", "install", "--quiet", package], check=True)
    return [str(python), "-m", name]


def copy_tree(source: Path, target: Path) -> Path:
    """A private copy (caches and Fixit's config lookups must not touch the originals); third-party
    installs below the standard library are left out."""
    if target.exists():
        shutil.rmtree(target)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "site-packages", "dist-packages")
    shutil.copytree(source, target, ignore=ignore)
    return target


def tree_stats(root: Path) -> tuple[int, int, list[Path]]:
    files = [p for p in root.rglob("*.py") if p.is_file()]
    size = sum(p.stat().st_size for p in files)
    kept = [p for p in files if could_have_findings_bytes(p.read_bytes())]
    return len(files), size, kept


def family_files(kept: Sequence[Path]) -> list[Path]:
    """The files that import a library of processes or ``concurrent`` (what the rules are about)."""
    import ast
    import warnings

    from mplint.gates import FUTURES, PROCESSES, imported_modules

    found = []
    for path in kept:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                tree = ast.parse(path.read_bytes())
        except (SyntaxError, ValueError):
            continue
        if not imported_modules(tree).isdisjoint(PROCESSES | FUTURES):
            found.append(path)
    return found


#: Parses each file named on the command line with libcst, nothing else (interpreter start and the
#: libcst import included, as in an mplint run).
_LIBCST_PARSE = """
import sys
import libcst

for name in sys.argv[1:]:
    with open(name, encoding="utf-8") as handle:
        libcst.parse_module(handle.read())
"""


def targets(runs: int, flake8_runs: int) -> int:
    """The speed targets of benchmarks/README.md on the standard library, every command of a
    comparison run in turn (A B A B ...), so that the ratios compare runs under the same load."""
    env = {"PYTHONPATH": str(ROOT), "PYTHONDONTWRITEBYTECODE": ""}
    ruff = tool("ruff", "ruff")
    tool("flake8", "flake8")
    tree = copy_tree(Path(sysconfig.get_paths()["stdlib"]), TREES / "stdlib")
    count, size, kept = tree_stats(tree)
    family = family_files(kept)
    family_size = sum(p.stat().st_size for p in family)
    mplint = [sys.executable, "-m", "mplint"]
    check = [*mplint, "check", "--exit-zero", "--no-respect-gitignore", "-q"]
    cache_dir = tempfile.mkdtemp(prefix="mplint-bench-cache-")
    names = [str(p.relative_to(tree)) for p in family]
    commands: dict[str, tuple[list[str], dict[str, str]]] = {
        "ruff": (
            [*ruff, "check", "--no-cache", "--isolated", "--select", "PLW1510", "--exit-zero", "."],
            {},
        ),
        "cold": ([*check, "--no-cache", "."], env),
        "warm": ([*check, "--cache-dir", cache_dir, "."], env),
        "family jobs 1": ([*check, "--no-cache", "--jobs", "1", *names], env),
        "libcst parse": ([sys.executable, "-c", _LIBCST_PARSE, *names], env),
    }
    for variant in FLAKE8_VARIANTS:
        plugins, select = FLAKE8_VARIANTS[variant]
        commands[f"flake8 {variant}"] = (
            [
                sys.executable,
                "-c",
                FLAKE8_WRAPPER,
                plugins,
                "--isolated",
                f"--select={select}",
                "--exit-zero",
                ".",
            ],
            env,
        )
    print(
        f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}; standard library: "
        f"{count} files, {size / 1e6:.1f} MB; prefilter keeps {len(kept)} files, "
        f"{sum(p.stat().st_size for p in kept) / 1e6:.2f} MB; {len(family)} files import the "
        f"multiprocessing family ({family_size / 1e6:.2f} MB)",
        flush=True,
    )
    _run(commands["warm"][0], tree, {**os.environ, **env})  # prime the cache
    times: dict[str, list[float]] = {name: [] for name in commands}
    peaks: dict[str, float] = dict.fromkeys(commands, 0.0)
    for turn in range(runs):
        for name, (command, extra) in commands.items():
            if name.startswith("flake8") and turn >= flake8_runs:
                continue
            elapsed, rss = _run(command, tree, {**os.environ, **extra})
            times[name].append(elapsed)
            peaks[name] = max(peaks[name], rss)
            print(f"  turn {turn + 1} {name:<18} {elapsed:8.2f} s  {rss:5.0f} MB", flush=True)
    shutil.rmtree(cache_dir, ignore_errors=True)
    median = {name: statistics.median(t) for name, t in times.items() if t}

    def ratio(a: str, b: str) -> float | None:
        return median[a] / median[b] if a in median and b in median else None

    print("\n| command | median s | runs | peak RSS MB |\n| --- | --- | --- | --- |")
    for name, samples in times.items():
        if not samples:
            continue
        runs_text = ", ".join(f"{t:.2f}" for t in samples)
        print(f"| {name} | {median[name]:.2f} | {runs_text} | {peaks[name]:.0f} |")
    ratios = [
        ("cold standard library / ruff", ratio("cold", "ruff"), "<= 6x"),
        ("warm / ruff", ratio("warm", "ruff"), "<= 0.5x"),
        (
            "--jobs 1 on the family's files / libcst's bare parse",
            ratio("family jobs 1", "libcst parse"),
            "<= 1.25x",
        ),
        (
            "flake8 --select E,F,W,MPL / without the plugin",
            ratio("flake8 with", "flake8 without"),
            "<= 1.05x",
        ),
        (
            "flake8 --select E,F,W with the plugin installed / without",
            ratio("flake8 unselected", "flake8 without"),
            "1.00x",
        ),
    ]
    print("\n| ratio | measured | target |\n| --- | --- | --- |")
    for label, value, target in ratios:
        if value is not None:
            print(f"| {label} | {value:.2f}x | {target} |")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument(
        "--targets",
        action="store_true",
        help="measure the speed targets on the standard library, commands taking turns",
    )
    parser.add_argument("--quick", action="store_true", help="standard library only, no Fixit")
    parser.add_argument(
        "--fixit-bytes", type=int, default=300_000, help="size of Fixit's subset of files"
    )
    parser.add_argument(
        "--flake8-runs",
        type=int,
        default=1,
        help="runs of each flake8 command (0: none; flake8_overhead.py measures a smaller tree)",
    )
    args = parser.parse_args()

    WORK.mkdir(exist_ok=True)
    if args.targets:
        return targets(args.runs, args.flake8_runs)
    # Bytecode caches as a user has them (an installed package has its .pyc files).
    env = {"PYTHONPATH": str(ROOT), "PYTHONDONTWRITEBYTECODE": ""}
    mplint = [sys.executable, "-m", "mplint"]
    ruff = tool("ruff", "ruff")
    tool("flake8", "flake8")
    trees = {"stdlib": copy_tree(Path(sysconfig.get_paths()["stdlib"]), TREES / "stdlib")}
    if not args.quick:
        corpus = TREES / "packages"
        corpus.mkdir(parents=True, exist_ok=True)
        for name, path in fetch().items():
            copy_tree(path, corpus / name)
        trees["packages"] = corpus

    print(
        f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}, {args.runs} runs each"
    )
    for name, tree in trees.items():
        count, size, kept = tree_stats(tree)
        kept_size = sum(p.stat().st_size for p in kept)
        print(
            f"\n## {name}: {count} files, {size / 1e6:.1f} MB; "
            f"prefilter keeps {len(kept)} files, {kept_size / 1e6:.2f} MB"
        )
        print("| command | median s | runs | peak RSS MB |")
        print("| --- | --- | --- | --- |")

        def row(label: str, timing: Timing) -> Timing:
            runs = ", ".join(f"{t:.2f}" for t in timing.runs)
            print(
                f"| {label} | {timing.median:.2f} | {runs} | {timing.peak_rss_mb:.0f} |", flush=True
            )
            return timing

        cache_dir = tempfile.mkdtemp(prefix="mplint-bench-cache-")
        ruff_check = [*ruff, "check", "--no-cache", "--isolated", "--select", "PLW1510"]
        ruff_t = row(
            "ruff check --select PLW1510 (no cache)",
            measure([*ruff_check, "--exit-zero", "."], tree, args.runs),
        )
        check = [*mplint, "check", "--exit-zero", "--no-respect-gitignore", "-q", "."]
        cold = row(
            "mplint check --no-cache (cold, all cores)",
            measure([*check, "--no-cache"], tree, args.runs, env),
        )
        row(
            "mplint check --no-cache --jobs 1",
            measure([*check, "--no-cache", "--jobs", "1"], tree, max(1, args.runs // 2), env),
        )
        measure([*check, "--cache-dir", cache_dir], tree, 1, env)  # prime the cache
        warm = row(
            "mplint check (warm cache)",
            measure([*check, "--cache-dir", cache_dir], tree, args.runs, env),
        )
        shutil.rmtree(cache_dir, ignore_errors=True)
        # flake8 (all cores) with the plugin taken out of its plugin list, as if mplint were not
        # installed, then with it; flake8 is slow on a large tree, so it has its own run count.
        wrapper = [sys.executable, "-c", FLAKE8_WRAPPER]
        flake_plain = row(
            "flake8 --select E,F,W without the mplint plugin",
            measure(
                [*wrapper, "without", "--select", "E,F,W", "--exit-zero", "."],
                tree,
                args.flake8_runs,
                env,
            ),
        )
        flake_plugin = row(
            "flake8 --select E,F,W,MPL with the mplint plugin",
            measure(
                [*wrapper, "with", "--select", "E,F,W,MPL", "--exit-zero", "."],
                tree,
                args.flake8_runs,
                env,
            ),
        )
        print()
        print(f"- cold mplint / ruff: {cold.median / ruff_t.median:.1f}x (target <= 3x)")
        print(f"- warm mplint / ruff: {warm.median / ruff_t.median:.2f}x (target <= 0.5x)")
        overhead = flake_plugin.median / flake_plain.median - 1
        print(f"- flake8 overhead of the plugin: {overhead * 100:+.1f}% (target <= 5%)")
        print(f"- mplint peak RSS: {cold.peak_rss_mb:.0f} MB per process (target <= 300 MB)")
        if not args.quick and kept:
            # Fixit on a subset of middle-sized files (the smallest would measure its start-up only),
            # and mplint on one core on the very same files.
            fixit = tool("fixit", "fixit")
            by_size = sorted(kept, key=lambda p: p.stat().st_size)
            middle = by_size[len(by_size) // 4 :]
            subset: list[Path] = []
            for path in middle:
                if sum(p.stat().st_size for p in subset) >= args.fixit_bytes:
                    break
                subset.append(path)
            subset_size = sum(p.stat().st_size for p in subset)
            names = [str(p.relative_to(tree)) for p in subset]
            fixit_t = measure([*fixit, "lint", *names], tree, 1)
            mplint_subset = measure(
                [*mplint, "check", "--exit-zero", "--no-cache", "--jobs", "1", "-q", *names],
                tree,
                args.runs,
                env,
            )
            scaled = fixit_t.median * kept_size / max(subset_size, 1)
            print(
                f"- Fixit on {len(subset)} files ({subset_size / 1e3:.0f} kB), one core: "
                f"{fixit_t.median:.2f} s vs mplint {mplint_subset.median:.2f} s on the same files "
                f"({fixit_t.median / mplint_subset.median:.1f}x); Fixit scaled by bytes to the "
                f"{kept_size / 1e6:.2f} MB that pass the prefilter: ~{scaled:.0f} s, "
                f"{scaled / cold.median:.0f}x mplint's cold run (target >= 100x)",
                flush=True,
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
