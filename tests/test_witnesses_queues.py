"""Runtime witnesses of the queue and pipe rules (MPL501-MPL506).

Each bad script in tests/witnesses/ shows the one failure its rule promises: the exact error
text, or a hang (the script is killed after HANG_TIMEOUT seconds). Each good script is the same
program fixed and must run clean. The linter must report the rule on every bad script and stay
silent on every good one.

The scripts run in parallel, once per session, and only those of the selected tests' rules.
"""

from __future__ import annotations

import multiprocessing
import os
import re
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import pytest

if os.name != "posix":
    pytest.skip("the witnesses rely on POSIX process groups", allow_module_level=True)

from mplint.config import Config
from mplint.engine import lint_source

from .witness_support import TIMEOUT, WITNESS_DIR, Run, run_witness

WITNESSES: dict[str, list[tuple[str, str]]] = {
    "MPL501": [
        ("MPL501_bad.py", "MPL501_good.py"),
        ("MPL501_bad_consumer.py", "MPL501_good_consumer.py"),
    ],
    "MPL502": [
        ("MPL502_bad.py", "MPL502_good.py"),
        ("MPL502_bad_put.py", "MPL502_good_put.py"),
    ],
    "MPL503": [("MPL503_bad.py", "MPL503_good.py")],
    "MPL504": [
        ("MPL504_bad.py", "MPL504_good.py"),
        ("MPL504_bad_fork.py", "MPL504_good_fork.py"),
    ],
    "MPL505": [
        ("MPL505_bad.py", "MPL505_good.py"),
        ("MPL505_bad_finally.py", "MPL505_good_finally.py"),
    ],
    "MPL506": [
        ("MPL506_bad.py", "MPL506_good.py"),
        ("MPL506_bad_swapped.py", "MPL506_good_swapped.py"),
    ],
}

#: Scripts promised to hang: killed after HANG_TIMEOUT seconds.
HANGING = frozenset({"MPL501_bad.py", "MPL501_bad_consumer.py", "MPL505_bad.py", "MPL506_bad.py"})
HANG_TIMEOUT = 6.0
MAX_PARALLEL = 4

#: Lines each good script prints on stdout.
GOOD_OUTPUT: dict[str, list[str]] = {
    "MPL501_good.py": ["received: 1000000", "child exitcode: 0"],
    "MPL501_good_consumer.py": ["handled: 0", "handled: 1", "handled: 2", "joined"],
    "MPL502_good.py": ["received: [0, 1]"],
    "MPL502_good_put.py": ["dropped: 1", "first job: 0"],
    "MPL503_good.py": ["items drained: 3"],
    "MPL504_good.py": ["result: 42", "child exitcode: 0"],
    "MPL504_good_fork.py": ["result: 42", "child exitcode: 0"],
    "MPL505_good.py": ["handled: 0", "handled: 1", "handled: 2", "all jobs done"],
    "MPL505_good_finally.py": ["handled: [0, 1]"],
    "MPL506_good.py": ["received: 0", "received: 1", "received: 2", "done"],
    "MPL506_good_swapped.py": ["received: hello"],
}

#: Start method a script needs.
NEEDS_START_METHOD: dict[str, str] = {
    "MPL504_bad.py": "spawn",
    "MPL504_good.py": "spawn",
    "MPL504_bad_fork.py": "fork",
    "MPL504_good_fork.py": "fork",
}


def _files(code: str) -> list[str]:
    return sorted({name for pair in WITNESSES[code] for name in pair})


def _all_files() -> list[str]:
    return sorted(name for code in WITNESSES for name in _files(code))


def _runnable(name: str) -> bool:
    method = NEEDS_START_METHOD.get(name)
    return method is None or method in multiprocessing.get_all_start_methods()


def _run(name: str) -> Run:
    return run_witness(name, HANG_TIMEOUT if name in HANGING else TIMEOUT)


class Runs:
    """The witness runs, started in parallel; indexing waits for one."""

    def __init__(self, pool: ThreadPoolExecutor, names: list[str]) -> None:
        self._pool = pool
        self._futures: dict[str, Future[Run]] = {}
        for name in sorted(names, key=lambda n: n not in HANGING):  # hangs first: they overlap
            self._futures[name] = pool.submit(_run, name)

    def __getitem__(self, name: str) -> Run:
        if not _runnable(name):
            pytest.skip(f"{name} needs the {NEEDS_START_METHOD[name]!r} start method")
        if name not in self._futures:
            self._futures[name] = self._pool.submit(_run, name)
        return self._futures[name].result()


@pytest.fixture(scope="session")
def queue_runs(request: pytest.FixtureRequest) -> Iterator[Runs]:
    here = Path(__file__).resolve()
    codes = {
        match.group(1)
        for item in request.session.items
        if item.path.resolve() == here and (match := re.match(r"test_(MPL\d+)_", item.name))
    }
    names = [n for n in _all_files() if n.split("_", 1)[0] in codes and _runnable(n)]
    with ThreadPoolExecutor(max_workers=MAX_PARALLEL, thread_name_prefix="witness") as pool:
        yield Runs(pool, names)


def assert_clean(run: Run) -> None:
    assert not run.timed_out, str(run)
    assert run.returncode == 0, str(run)
    assert "Traceback" not in run.stderr and "Error" not in run.stderr, str(run)
    lines = run.stdout.splitlines()
    for expected in GOOD_OUTPUT[run.name]:
        assert expected in lines, f"missing {expected!r}\n{run}"


def assert_died_with(run: Run, error: str) -> None:
    """The script died (exit status 1) and ``error`` is the last line of its traceback."""
    assert not run.timed_out, str(run)
    assert run.returncode == 1, str(run)
    assert error in run.stderr.splitlines(), f"missing {error!r}\n{run}"


def assert_hangs(run: Run) -> None:
    assert run.timed_out, f"expected a hang\n{run}"
    assert "Traceback" not in run.stderr, str(run)


# --- the table and the linter -------------------------------------------------------------


def test_witness_table_matches_files() -> None:
    on_disk = sorted(p.name for code in WITNESSES for p in WITNESS_DIR.glob(f"{code}_*.py"))
    assert _all_files() == on_disk
    assert sorted(GOOD_OUTPUT) == sorted({g for pairs in WITNESSES.values() for _, g in pairs})
    for code, pairs in WITNESSES.items():
        for bad, good in pairs:
            assert bad.startswith(f"{code}_bad") and good.startswith(f"{code}_good")
            assert (WITNESS_DIR / bad).read_text().startswith(f'"""{code} ')
            assert (WITNESS_DIR / good).read_text().startswith(f'"""{code} ')


@pytest.mark.parametrize(
    ("code", "bad", "good"),
    [(code, bad, good) for code, pairs in WITNESSES.items() for bad, good in pairs],
)
def test_linter_flags_bad_and_not_good(code: str, bad: str, good: str) -> None:
    config = Config(select=(code,), preview=True)
    for name, expected in ((bad, True), (good, False)):
        path = WITNESS_DIR / name
        found = lint_source(str(path), path.read_text(), config, raise_errors=True)
        codes = [d.code for d in found]
        assert (code in codes) is expected, f"{name}: {codes}"


# --- MPL501 join-blocked-by-queue ---------------------------------------------------------


def test_MPL501_join_before_reading_hangs(queue_runs: Runs) -> None:
    run = queue_runs["MPL501_bad.py"]
    assert_hangs(run)
    assert run.stdout.splitlines() == ["started child"], str(run)


def test_MPL501_consumer_without_sentinel_hangs(queue_runs: Runs) -> None:
    run = queue_runs["MPL501_bad_consumer.py"]
    assert_hangs(run)
    assert run.values("handled") == ["0", "1", "2"], str(run)
    assert "joined" not in run.stdout, str(run)


@pytest.mark.parametrize("name", ["MPL501_good.py", "MPL501_good_consumer.py"])
def test_MPL501_fixed_runs_clean(queue_runs: Runs, name: str) -> None:
    assert_clean(queue_runs[name])


# --- MPL502 queue-exception-mismatch ------------------------------------------------------


def test_MPL502_queue_class_has_no_empty(queue_runs: Runs) -> None:
    run = queue_runs["MPL502_bad.py"]
    assert_died_with(run, "AttributeError: 'function' object has no attribute 'Empty'")
    assert "_queue.Empty" in run.stderr, str(run)
    assert "During handling of the above exception" in run.stderr, str(run)


def test_MPL502_put_raises_full_not_empty(queue_runs: Runs) -> None:
    run = queue_runs["MPL502_bad_put.py"]
    assert_died_with(run, "queue.Full")
    assert run.values("dropped") == [], str(run)


@pytest.mark.parametrize("name", ["MPL502_good.py", "MPL502_good_put.py"])
def test_MPL502_fixed_runs_clean(queue_runs: Runs, name: str) -> None:
    assert_clean(queue_runs[name])


# --- MPL503 unreliable-queue-introspection ------------------------------------------------


def test_MPL503_empty_drain_stops_early(queue_runs: Runs) -> None:
    run = queue_runs["MPL503_bad.py"]
    assert not run.timed_out and run.returncode == 0, str(run)
    assert run.value("items drained") == "0", str(run)
    assert run.value("left in the queue") == "[0, 1, 2]", str(run)


def test_MPL503_fixed_runs_clean(queue_runs: Runs) -> None:
    assert_clean(queue_runs["MPL503_good.py"])


# --- MPL504 thread-queue-across-processes -------------------------------------------------


def test_MPL504_spawn_cannot_pickle_thread_queue(queue_runs: Runs) -> None:
    run = queue_runs["MPL504_bad.py"]
    assert_died_with(run, "TypeError: cannot pickle '_thread.lock' object")
    assert run.values("result") == [], str(run)


def test_MPL504_fork_child_writes_its_own_copy(queue_runs: Runs) -> None:
    run = queue_runs["MPL504_bad_fork.py"]
    assert_died_with(run, "_queue.Empty")
    assert run.value("child exitcode") == "0", str(run)  # the child's put() "worked"
    assert run.values("result") == [], str(run)


@pytest.mark.parametrize("name", ["MPL504_good.py", "MPL504_good_fork.py"])
def test_MPL504_fixed_runs_clean(queue_runs: Runs, name: str) -> None:
    assert_clean(queue_runs[name])


# --- MPL505 joinablequeue-task-done-mismatch ----------------------------------------------


def test_MPL505_join_without_task_done_hangs(queue_runs: Runs) -> None:
    run = queue_runs["MPL505_bad.py"]
    assert_hangs(run)
    assert run.values("handled") == ["0", "1", "2"], str(run)
    assert "all jobs done" not in run.stdout, str(run)


def test_MPL505_task_done_in_finally_too_many(queue_runs: Runs) -> None:
    run = queue_runs["MPL505_bad_finally.py"]
    assert_died_with(run, "ValueError: task_done() called too many times")
    assert run.values("handled") == [], str(run)


@pytest.mark.parametrize("name", ["MPL505_good.py", "MPL505_good_finally.py"])
def test_MPL505_fixed_runs_clean(queue_runs: Runs, name: str) -> None:
    assert_clean(queue_runs[name])


# --- MPL506 pipe-end-misuse ---------------------------------------------------------------


def test_MPL506_open_writer_hangs_reader(queue_runs: Runs) -> None:
    run = queue_runs["MPL506_bad.py"]
    assert_hangs(run)
    assert run.values("received") == ["0", "1", "2"], str(run)
    assert "done" not in run.stdout.splitlines(), str(run)


def test_MPL506_swapped_ends_raise(queue_runs: Runs) -> None:
    run = queue_runs["MPL506_bad_swapped.py"]
    assert_died_with(run, "OSError: connection is read-only")
    assert run.values("received") == [], str(run)


@pytest.mark.parametrize("name", ["MPL506_good.py", "MPL506_good_swapped.py"])
def test_MPL506_fixed_runs_clean(queue_runs: Runs, name: str) -> None:
    assert_clean(queue_runs[name])
