"""Record what mplint reports over a fixed set of trees, and compare two recordings.

    python scripts/behaviour.py record OUT [--trees fixtures,examples] [--jobs N]
    python scripts/behaviour.py compare A B
    python scripts/behaviour.py check --base REV [--trees small] [--jobs N] [--keep DIR]

A refactoring must not change behaviour; this is how that is checked. ``check --base REV`` makes a temporary
``git worktree`` of REV, records REV's code and then this checkout's code (uncommitted changes included)
over the same inputs, prints the differences and the time each tree took, and removes the worktree. It
exits 0 when the recordings are identical, 1 when they differ, 2 when a run failed. A change of output made
on purpose shows up here as a difference to review: say in the commit what changed and why.

The trees (``--trees``, comma-separated; default ``all``):

- ``fixtures`` tests/fixtures (the ``*.fixed.py`` goldens are inputs too), ``golden`` tests/golden/input,
  ``examples`` examples/, ``witnesses`` tests/witnesses; together ``small``;
- ``stdlib``: the running interpreter's standard library without site-packages, as tests/test_corpus.py
  finds it; ``joblib``, ``loky``, ``billiard``, ``multiprocess``, ``pebble``, ``mpire``: the top-level
  modules of those installed distributions (``packages``); ``sdists``: the packages' full sources
  (test suites included) that ``python benchmarks/corpus.py`` downloads into benchmarks/corpus/src, when
  they are there; together ``corpus``.

Every tree is checked with the same settings, whatever configuration it holds: every rule, preview on,
nothing excluded but ``__pycache__``, .gitignore not respected, no cache. For each file with diagnostics
a recording keeps each diagnostic as the JSON output format gives it (code, name, message, severity,
positions, ``noqa_row``, url, and the fix with its applicability, message and edits). For each file with
a fix it also keeps the outcome of ``--fix --unsafe-fixes`` (fixes applied to a fixed point, so not
always the edits one by one): the fixed text and the diagnostics left in it. The fixes are applied to
copies of those files below a temporary directory, at the same paths relative to the tree's root; the
inputs are never written. mplint runs with ``--jobs N`` when given, else with its own default.

Paths are relative to each tree's root and everything is sorted, so recordings made from two checkouts
(or two machines with the same Python and packages) compare equal. ``record`` writes one
``<tree>.json`` per tree into OUT. The code run is that of ``--code`` (default: this checkout), placed
first on ``sys.path`` of the same interpreter that runs this script; the inputs are those of
``--inputs`` (default: this checkout). ``check`` runs both sides over this checkout's inputs, so that a
fixture added or edited on the branch is read by the old code too.
"""

from __future__ import annotations

import argparse
import difflib
import json
import os
import shutil
import subprocess
import sys
import sysconfig
import tempfile
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any, Optional

ROOT = Path(__file__).resolve().parent.parent
FORMAT = 1
SMALL = ("fixtures", "golden", "examples", "witnesses")
PACKAGES = ("joblib", "loky", "billiard", "multiprocess", "pebble", "mpire")
TREES = (*SMALL, "stdlib", *PACKAGES, "sdists")
GROUPS: dict[str, tuple[str, ...]] = {
    "small": SMALL,
    "packages": PACKAGES,
    "corpus": ("stdlib", *PACKAGES, "sdists"),
    "all": TREES,
}
#: directory trees inside a checkout
CHECKOUT_TREES = {
    "fixtures": "tests/fixtures",
    "golden": "tests/golden/input",
    "examples": "examples",
    "witnesses": "tests/witnesses",
}
#: where benchmarks/corpus.py unpacks the packages' sdists
SDISTS = "benchmarks/corpus/src"
SETTINGS = 'exclude = ["__pycache__"]\n'
#: Runs ``mplint`` from the directory given as the first argument, whatever the working directory holds.
BOOT = (
    "import runpy, sys; sys.path.insert(0, sys.argv.pop(1)); sys.argv[0] = 'mplint'; "
    "runpy.run_module('mplint', run_name='__main__', alter_sys=True)"
)
#: the exit codes of ``mplint check --exit-zero`` that still come with a report (2: an internal error)
ACCEPTED_EXIT = (0, 2)
#: lines of a fixed-text diff shown by ``compare``
DIFF_LINES = 60

Diagnostic = dict[str, Any]
Record = dict[str, Any]


class BehaviourError(Exception):
    """A run failed or an argument is wrong (exit status 2)."""


@dataclass(frozen=True)
class Tree:
    """Files to check: ``paths`` relative to ``root`` (the directory mplint runs in)."""

    name: str
    root: Path
    paths: tuple[str, ...]


@dataclass
class Timing:
    """Seconds spent by one recording of one tree."""

    tree: str
    lint: float = 0.0
    fix: float = 0.0
    files: int = 0
    diagnostics: int = 0

    @property
    def total(self) -> float:
        return self.lint + self.fix


@dataclass
class Recorded:
    """The recordings of one run of ``record``, by tree name, and their timings."""

    records: dict[str, Record] = field(default_factory=dict)
    timings: list[Timing] = field(default_factory=list)


# --- which trees -------------------------------------------------------------------------------------


def tree_names(spec: str) -> list[str]:
    """``fixtures,packages`` -> the tree names in their canonical order."""
    wanted: set[str] = set()
    for part in (p.strip() for p in spec.split(",")):
        if not part:
            continue
        if part in GROUPS:
            wanted.update(GROUPS[part])
        elif part in TREES:
            wanted.add(part)
        else:
            choices = ", ".join((*TREES, *GROUPS))
            raise BehaviourError(f"unknown tree {part!r} (choose from {choices})")
    return [name for name in TREES if name in wanted]


def _stdlib_tree() -> Tree:
    # As tests/test_corpus.py: the standard library only, not the third-party installs below it.
    stdlib = Path(sysconfig.get_paths()["stdlib"])
    skipped = ("site-packages", "dist-packages", "__pycache__")
    entries = sorted(entry.name for entry in stdlib.iterdir() if entry.name not in skipped)
    return Tree("stdlib", stdlib, tuple(entries))


def _package_tree(name: str) -> Optional[Tree]:
    # As tests/test_corpus.py: the distribution's top-level modules (directories or single files).
    try:
        distribution = metadata.distribution(name)
    except metadata.PackageNotFoundError:
        return None
    root = Path(str(distribution.locate_file(""))).resolve()
    paths: list[str] = []
    for module in (distribution.read_text("top_level.txt") or name).split():
        located = root / module
        if located.is_dir():
            paths.append(module)
        elif located.with_suffix(".py").is_file():
            paths.append(module + ".py")
    return Tree(name, root, tuple(paths)) if paths else None


def resolve_trees(names: Iterable[str], inputs: Path) -> list[Tree]:
    """The trees to record; an installed package that is missing is left out with a warning."""
    trees: list[Tree] = []
    for name in names:
        if name in CHECKOUT_TREES:
            root = inputs / CHECKOUT_TREES[name]
            if not root.is_dir():
                raise BehaviourError(f"{name}: no directory {root}")
            trees.append(Tree(name, root, (".",)))
        elif name == "stdlib":
            trees.append(_stdlib_tree())
        elif name == "sdists":
            root = inputs / SDISTS
            found = sorted(p.name for p in root.iterdir() if p.is_dir()) if root.is_dir() else []
            if found:
                trees.append(Tree(name, root, tuple(found)))
            else:
                print(
                    f"warning: no sources in {root} (python benchmarks/corpus.py downloads them); "
                    "sdists left out",
                    file=sys.stderr,
                )
        else:
            tree = _package_tree(name)
            if tree is None:
                print(f"warning: {name} is not installed; left out", file=sys.stderr)
            else:
                trees.append(tree)
    return trees


# --- running mplint ----------------------------------------------------------------------------------


def _relative(name: str, root: Path) -> str:
    path = Path(name)
    if path.is_absolute():
        try:
            path = path.resolve().relative_to(root.resolve())
        except ValueError:
            return path.as_posix()
    return Path(os.path.normpath(path)).as_posix()


def _diagnostic_key(diagnostic: Diagnostic) -> tuple[Any, ...]:
    location = diagnostic["location"]
    end = diagnostic["end_location"]
    return (
        location["row"],
        location["column"],
        end["row"],
        end["column"],
        diagnostic["code"],
        diagnostic["message"],
        json.dumps(diagnostic, sort_keys=True),
    )


def _by_file(findings: list[Diagnostic], root: Path) -> dict[str, list[Diagnostic]]:
    """JSON findings -> relative path -> diagnostics without their file name, sorted."""
    files: dict[str, list[Diagnostic]] = {}
    for finding in findings:
        entry = {key: value for key, value in finding.items() if key != "filename"}
        files.setdefault(_relative(str(finding["filename"]), root), []).append(entry)
    return {name: sorted(found, key=_diagnostic_key) for name, found in sorted(files.items())}


def _mplint(
    code: Path, cwd: Path, settings: Path, jobs: Optional[int], args: Sequence[str]
) -> tuple[list[Diagnostic], int]:
    """``mplint check`` (JSON report) with the code in ``code``; (findings, exit code)."""
    command = [
        sys.executable,
        "-c",
        BOOT,
        str(code),
        "check",
        "--no-cache",
        "--preview",
        "--exit-zero",
        "--no-respect-gitignore",
        "--config",
        str(settings),
        "--output-format",
        "json",
        *(["--jobs", str(jobs)] if jobs is not None else []),
        *args,
    ]
    # PYTHONPATH too, for worker processes that do not inherit sys.path.
    env = {**os.environ, "PYTHONPATH": str(code), "NO_COLOR": "1"}
    result = subprocess.run(
        command,
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        encoding="utf-8",
        errors="replace",
        check=False,
    )
    failed = result.returncode not in ACCEPTED_EXIT or "Traceback" in result.stderr
    try:
        findings: list[Diagnostic] = json.loads(result.stdout)
    except json.JSONDecodeError:
        failed = True
        findings = []
    if failed:
        raise BehaviourError(
            f"mplint check {' '.join(args[:3])}... in {cwd} exited with {result.returncode}:\n"
            + result.stderr[-3000:]
        )
    return findings, result.returncode


def _ensure_code(code: Path) -> None:
    """The interpreter imports mplint from ``code`` (and not an installed copy)."""
    probe = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; sys.path.insert(0, sys.argv[1]); import mplint; print(mplint.__file__)",
            str(code),
        ],
        capture_output=True,
        text=True,
        check=False,
        cwd=tempfile.gettempdir(),
    )
    found = Path(probe.stdout.strip()).resolve()
    if probe.returncode != 0 or code.resolve() not in found.parents:
        raise BehaviourError(f"cannot import mplint from {code}: {probe.stderr or found}")


def _read_text(path: Path) -> str:
    return path.read_bytes().decode("utf-8", errors="surrogateescape")


def record_tree(tree: Tree, code: Path, work: Path, jobs: Optional[int]) -> tuple[Record, Timing]:
    """Lint the tree, then fix copies of its fixable files; the recording and its timing."""
    settings = work / "mplint.toml"
    settings.write_text(SETTINGS, encoding="utf-8")
    timing = Timing(tree.name)
    started = time.perf_counter()
    findings, exit_code = _mplint(code, tree.root, settings, jobs, tree.paths)
    timing.lint = time.perf_counter() - started
    files: dict[str, dict[str, Any]] = {
        name: {"diagnostics": found} for name, found in _by_file(findings, tree.root).items()
    }
    fixable = [name for name, entry in files.items() if any(d["fix"] for d in entry["diagnostics"])]
    fix_exit_code = None
    if fixable:
        copies = work / "fix" / tree.name
        for name in fixable:
            target = copies / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(tree.root / name, target)
        started = time.perf_counter()
        left, fix_exit_code = _mplint(
            code, copies, settings, jobs, ["--fix", "--unsafe-fixes", *fixable]
        )
        timing.fix = time.perf_counter() - started
        remaining = _by_file(left, copies)
        for name in fixable:
            files[name]["fixed_text"] = _read_text(copies / name)
            files[name]["after_fix"] = remaining.get(name, [])
    timing.files = len(files)
    timing.diagnostics = sum(len(entry["diagnostics"]) for entry in files.values())
    record: Record = {
        "format": FORMAT,
        "tree": tree.name,
        "python": sys.version.split()[0],
        "exit_code": exit_code,
        "fix_exit_code": fix_exit_code,
        "files": files,
    }
    return record, timing


def record(
    out: Path,
    names: Sequence[str],
    *,
    code: Path,
    inputs: Path,
    jobs: Optional[int],
    label: str = "",
) -> Recorded:
    """Record each tree into ``out/<tree>.json``, printing each tree's time as it is done."""
    _ensure_code(code)
    trees = resolve_trees(names, inputs)
    out.mkdir(parents=True, exist_ok=True)
    recorded = Recorded()
    with tempfile.TemporaryDirectory(prefix="mplint-behaviour-") as scratch:
        for tree in trees:
            work = Path(scratch) / tree.name
            work.mkdir()
            data, timing = record_tree(tree, code, work, jobs)
            text = json.dumps(data, indent=1, sort_keys=True) + "\n"
            (out / f"{tree.name}.json").write_text(text, encoding="utf-8")
            recorded.records[tree.name] = data
            recorded.timings.append(timing)
            print(f"{label}{_timing_line(timing)}", file=sys.stderr, flush=True)
    return recorded


def _seconds(timing: Timing) -> str:
    return f"{timing.total:7.1f} ({timing.lint:.1f} + {timing.fix:.1f})"


def _timing_line(timing: Timing) -> str:
    return (
        f"{timing.tree:<12} {timing.total:7.1f}s (lint {timing.lint:.1f}s, fix {timing.fix:.1f}s); "
        f"{timing.diagnostics} diagnostics in {timing.files} files"
    )


# --- comparing ---------------------------------------------------------------------------------------


def _position(diagnostic: Diagnostic) -> str:
    start, end = diagnostic["location"], diagnostic["end_location"]
    return f"{start['row']}:{start['column']}-{end['row']}:{end['column']}"


def _describe(diagnostic: Diagnostic) -> str:
    return f"{_position(diagnostic)} {diagnostic['code']} {diagnostic['message']}"


def _describe_fix(fix: Optional[dict[str, Any]]) -> str:
    if fix is None:
        return "no fix"
    edits = "; ".join(
        f"{e['location']['row']}:{e['location']['column']}-"
        f"{e['end_location']['row']}:{e['end_location']['column']} -> {e['content']!r}"
        for e in fix["edits"]
    )
    return f"{fix['applicability']} {fix['message']!r}: {edits or 'no edits'}"


def _changes(old: Diagnostic, new: Diagnostic) -> Iterator[str]:
    for key in sorted(set(old) | set(new)):
        before, after = old.get(key), new.get(key)
        if before == after:
            continue
        if key == "fix":
            yield f"    fix was: {_describe_fix(before)}"
            yield f"    fix now: {_describe_fix(after)}"
        elif key in ("location", "end_location") and before and after:
            yield f"    {key}: {before['row']}:{before['column']} -> {after['row']}:{after['column']}"
        else:
            yield f"    {key}: {before!r} -> {after!r}"


def _compare_diagnostics(
    old: list[Diagnostic], new: list[Diagnostic], label: str = ""
) -> Iterator[str]:
    """Pair diagnostics by (code, start); the rest were removed or added."""

    def grouped(found: list[Diagnostic]) -> dict[tuple[str, int, int], list[Diagnostic]]:
        groups: dict[tuple[str, int, int], list[Diagnostic]] = {}
        for d in found:
            key = (d["code"], d["location"]["row"], d["location"]["column"])
            groups.setdefault(key, []).append(d)
        return groups

    before, after = grouped(old), grouped(new)
    for key in sorted(set(before) | set(after), key=lambda k: (k[1], k[2], k[0])):
        olds, news = before.get(key, []), after.get(key, [])
        for a, b in zip(olds, news):
            if a != b:
                yield f"  ~ {label}{_describe(a)}"
                yield from _changes(a, b)
        for a in olds[len(news) :]:
            yield f"  - {label}{_describe(a)}"
        for b in news[len(olds) :]:
            yield f"  + {label}{_describe(b)}"


def _compare_file(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    lines = list(_compare_diagnostics(old.get("diagnostics", []), new.get("diagnostics", [])))
    lines.extend(
        _compare_diagnostics(old.get("after_fix", []), new.get("after_fix", []), "after --fix: ")
    )
    old_text, new_text = old.get("fixed_text"), new.get("fixed_text")
    if old_text != new_text:
        if old_text is None or new_text is None:
            lines.append(f"  fixed text only {'now' if old_text is None else 'before'}")
        else:
            lines.append("  fixed text differs (--- before, +++ now):")
            diff = list(
                difflib.unified_diff(
                    old_text.splitlines(), new_text.splitlines(), "before", "now", lineterm=""
                )
            )
            lines.extend(f"    {line}" for line in diff[2 : 2 + DIFF_LINES])
            if len(diff) > 2 + DIFF_LINES:
                lines.append(f"    ... {len(diff) - 2 - DIFF_LINES} more lines")
    return lines


def compare_records(old: Record, new: Record) -> list[str]:
    """The differences between two recordings of one tree, readable; empty when identical."""
    lines: list[str] = []
    if old.get("python") != new.get("python"):
        lines.append(f"  python {old.get('python')} -> {new.get('python')}: expect stdlib changes")
    for key in ("exit_code", "fix_exit_code"):
        if old.get(key) != new.get(key):
            lines.append(f"  {key}: {old.get(key)} -> {new.get(key)}")
    old_files, new_files = old["files"], new["files"]
    for name in sorted(set(old_files) | set(new_files)):
        changed = _compare_file(old_files.get(name, {}), new_files.get(name, {}))
        if changed:
            lines.append(f" {name}")
            lines.extend(changed)
    return lines


def _load(path: Path) -> Record:
    data: Record = json.loads(path.read_text(encoding="utf-8"))
    if data.get("format") != FORMAT:
        raise BehaviourError(f"{path}: not a recording of format {FORMAT}")
    return data


def _recordings(path: Path) -> dict[str, Record]:
    if path.is_dir():
        found = {p.stem: _load(p) for p in sorted(path.glob("*.json"))}
    elif path.is_file():
        data = _load(path)
        found = {str(data["tree"]): data}
    else:
        raise BehaviourError(f"{path}: no such file or directory")
    return {str(data["tree"]): data for data in found.values()}


def compare(old: dict[str, Record], new: dict[str, Record]) -> tuple[bool, list[str]]:
    """(identical, report lines) over every tree of either side."""
    lines: list[str] = []
    same = True
    for tree in [t for t in TREES if t in old or t in new] + sorted(
        (set(old) | set(new)) - set(TREES)
    ):
        if tree not in new or tree not in old:
            same = False
            lines.append(f"{tree}: recorded only {'before' if tree in old else 'now'}")
            continue
        differences = compare_records(old[tree], new[tree])
        files = len(new[tree]["files"])
        count = sum(len(entry["diagnostics"]) for entry in new[tree]["files"].values())
        if differences:
            same = False
            lines.append(f"{tree}: DIFFERENT")
            lines.extend(differences)
        else:
            lines.append(f"{tree}: identical ({count} diagnostics in {files} files)")
    return same, lines


# --- check against a revision ------------------------------------------------------------------------


def _git(*args: str, cwd: Path) -> str:
    result = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise BehaviourError(f"git {' '.join(args)}: {result.stderr.strip()}")
    return result.stdout.strip()


def check(base: str, names: Sequence[str], *, jobs: Optional[int], keep: Optional[Path]) -> int:
    """Record ``base`` and this checkout over this checkout's inputs; compare; 0 when identical."""
    repo = Path(_git("rev-parse", "--show-toplevel", cwd=ROOT))
    revision = _git("rev-parse", "--verify", f"{base}^{{commit}}", cwd=repo)
    with tempfile.TemporaryDirectory(prefix="mplint-behaviour-") as scratch:
        work = Path(scratch)
        checkout = work / "base"
        _git("worktree", "add", "--detach", "--quiet", str(checkout), revision, cwd=repo)
        try:
            print(f"base {revision[:10]}:", file=sys.stderr)
            old = record(work / "before", names, code=checkout, inputs=repo, jobs=jobs, label="  ")
        finally:
            _git("worktree", "remove", "--force", str(checkout), cwd=repo)
        print("this checkout (with uncommitted changes):", file=sys.stderr)
        new = record(work / "now", names, code=repo, inputs=repo, jobs=jobs, label="  ")
        if keep is not None:
            for side in ("before", "now"):
                shutil.copytree(work / side, keep / side, dirs_exist_ok=True)
    same, lines = compare(old.records, new.records)
    print("\n".join(lines))
    print(f"\nseconds per tree (lint + fix): {revision[:10]} | this checkout")
    base_times = {t.tree: t for t in old.timings}
    for timing in new.timings:
        before = base_times.get(timing.tree, Timing(timing.tree))
        print(f"  {timing.tree:<12} {_seconds(before)} | {_seconds(timing)}")
    return 0 if same else 1


# --- command line ------------------------------------------------------------------------------------


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    jobs_help = "mplint's --jobs (default: mplint's own default, one worker per core)"
    trees_help = f"comma-separated trees or groups: {', '.join((*TREES, *GROUPS))} (default: all)"

    rec = sub.add_parser("record", help="record every tree into OUT/<tree>.json")
    rec.add_argument("out", type=Path)
    rec.add_argument("--trees", default="all", help=trees_help)
    rec.add_argument("--jobs", type=int, help=jobs_help)
    rec.add_argument("--code", type=Path, default=ROOT, help="the checkout whose mplint runs")
    rec.add_argument("--inputs", type=Path, default=ROOT, help="the checkout whose trees are read")

    cmp = sub.add_parser("compare", help="compare two recordings (directories or single files)")
    cmp.add_argument("before", type=Path)
    cmp.add_argument("now", type=Path)

    chk = sub.add_parser("check", help="record REV and this checkout, and compare")
    chk.add_argument("--base", required=True, help="the revision to compare with")
    chk.add_argument("--trees", default="all", help=trees_help)
    chk.add_argument("--jobs", type=int, help=jobs_help)
    chk.add_argument("--keep", type=Path, help="copy both recordings to KEEP/before and KEEP/now")
    return parser


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.command == "record":
            names = tree_names(args.trees)
            record(
                args.out,
                names,
                code=args.code.resolve(),
                inputs=args.inputs.resolve(),
                jobs=args.jobs,
            )
            return 0
        if args.command == "compare":
            same, lines = compare(_recordings(args.before), _recordings(args.now))
            print("\n".join(lines))
            return 0 if same else 1
        return check(args.base, tree_names(args.trees), jobs=args.jobs, keep=args.keep)
    except BehaviourError as error:
        print(f"behaviour: error: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
