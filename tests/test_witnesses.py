"""Runtime witnesses: each rule's promised failure, shown by running a real program.

Every file in tests/witnesses/ is a standalone script. For each rule there are "bad"
scripts that contain exactly one instance of the misuse the rule reports, and "good"
scripts that are the same program fixed. The tests below run each script in a fresh
interpreter and check the exact runtime failure of the bad one (the error text, or a
measurable behaviour such as a hang or a lock that stays held) and that the good one
runs clean.

The scripts are run in parallel, at most once per session, by the `runs` fixture;
only the scripts of the rules whose tests are selected are run. Each script runs in
its own process group (session), so that on a timeout (a promised hang) the script
and every process it started are killed together.

`WITNESSES` maps each rule code to its (bad_file, good_file) pairs, so that another
test can check that the linter flags each bad file and not the good one.
"""

from __future__ import annotations

import ast
import multiprocessing
import os
import re
import signal
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import pytest

if os.name != "posix":
    pytest.skip(
        "the witnesses rely on POSIX signals and process groups",
        allow_module_level=True,
    )

from .witness_support import TIMEOUT, WITNESS_DIR, Run, run_witness

WITNESSES: dict[str, list[tuple[str, str]]] = {
    "MPL101": [
        ("MPL101_bad.py", "MPL101_good.py"),
        ("MPL101_bad_none.py", "MPL101_good.py"),
        ("MPL101_bad_positional.py", "MPL101_good.py"),
        ("MPL101_bad_apply_async.py", "MPL101_good_apply_async.py"),
        ("MPL101_bad_submit.py", "MPL101_good_submit.py"),
    ],
    "MPL105": [
        ("MPL105_bad.py", "MPL105_good.py"),
        ("MPL105_bad.py", "MPL105_good_before_start.py"),
    ],
    "MPL108": [
        ("MPL108_bad.py", "MPL108_good.py"),
    ],
    "MPL201": [
        ("MPL201_bad.py", "MPL201_good.py"),
        ("MPL201_bad_forkserver.py", "MPL201_good_forkserver.py"),
        ("MPL201_bad_pool.py", "MPL201_good_pool.py"),
        ("MPL201_bad_executor.py", "MPL201_good_executor.py"),
        ("MPL201_bad_main.py", "MPL201_good_main.py"),
    ],
    "MPL302": [
        ("MPL302_bad.py", "MPL302_good.py"),
        ("MPL302_bad_apply_after_close.py", "MPL302_good_apply_before_close.py"),
        ("MPL302_bad_submit_after_shutdown.py", "MPL302_good_submit_before_shutdown.py"),
        ("MPL302_bad_submit_after_with.py", "MPL302_good_submit_in_with.py"),
    ],
}

# Scripts that are promised to hang: they are killed after HANG_TIMEOUT seconds.
HANGING = frozenset({"MPL201_bad_pool.py", "MPL201_bad_main.py"})
HANG_TIMEOUT = 6.0
MAX_PARALLEL = 4

# Lines that each good script must print on stdout.
GOOD_OUTPUT: dict[str, list[str]] = {
    "MPL101_good.py": ["result: 42", "child exitcode: 0"],
    "MPL101_good_apply_async.py": ["result: 9"],
    "MPL101_good_submit.py": ["result: 4"],
    "MPL105_good.py": ["daemon: True", "child exitcode: 0"],
    "MPL105_good_before_start.py": ["daemon: True", "child exitcode: 0"],
    "MPL108_good.py": [
        "cooperative worker terminated: False",
        "cooperative exitcode: 0",
        "lock acquired after shutdown: True",
        "stuck worker terminated: True",
        f"stuck exitcode after terminate+join: {-signal.SIGTERM}",
    ],
    "MPL201_good.py": ["module body run as: __main__", "child exitcode: 0"],
    "MPL201_good_forkserver.py": ["module body run as: __main__", "child exitcode: 0"],
    "MPL201_good_pool.py": ["result: [0, 1, 4, 9]"],
    "MPL201_good_executor.py": ["result: [0, 1, 4, 9]"],
    "MPL201_good_main.py": ["result: [0, 1, 4, 9]"],
    "MPL302_good.py": ["result: [0, 1, 4, 9]", "joined"],
    "MPL302_good_apply_before_close.py": ["first: 4", "second: 9", "joined"],
    "MPL302_good_submit_before_shutdown.py": ["first: 4", "second: 9"],
    "MPL302_good_submit_in_with.py": ["first: 4", "second: 9"],
}

# Start method that a script needs, when it is not the platform's default.
NEEDS_START_METHOD: dict[str, str] = {
    "MPL201_bad.py": "spawn",
    "MPL201_good.py": "spawn",
    "MPL201_bad_pool.py": "spawn",
    "MPL201_good_pool.py": "spawn",
    "MPL201_bad_executor.py": "spawn",
    "MPL201_good_executor.py": "spawn",
    "MPL201_bad_main.py": "spawn",
    "MPL201_good_main.py": "spawn",
    "MPL201_bad_forkserver.py": "forkserver",
    "MPL201_good_forkserver.py": "forkserver",
}

BOOTSTRAP_ERROR = "An attempt has been made to start a new process before the"
BOOTSTRAP_PHASE = "current process has finished its bootstrapping phase."


def _run(name: str) -> Run:
    return run_witness(name, HANG_TIMEOUT if name in HANGING else TIMEOUT)


def all_witness_files() -> list[str]:
    names = {name for pairs in WITNESSES.values() for pair in pairs for name in pair}
    return sorted(names)


def runnable(name: str) -> bool:
    method = NEEDS_START_METHOD.get(name)
    return method is None or method in multiprocessing.get_all_start_methods()


class Runs:
    """Witness runs started in parallel; `get` waits for one of them."""

    def __init__(self, pool: ThreadPoolExecutor, names: list[str]) -> None:
        self._pool = pool
        self._futures: dict[str, Future[Run]] = {}
        # The hanging scripts first: their timeouts then overlap the other runs.
        for name in sorted(names, key=lambda n: n not in HANGING):
            self._futures[name] = pool.submit(_run, name)

    def get(self, name: str) -> Run:
        method = NEEDS_START_METHOD.get(name)
        if not runnable(name):
            pytest.skip(f"{name} needs the {method!r} start method")
        if name not in self._futures:
            self._futures[name] = self._pool.submit(_run, name)
        return self._futures[name].result()

    def __getitem__(self, name: str) -> Run:
        return self.get(name)


@pytest.fixture(scope="session")
def runs(request: pytest.FixtureRequest) -> Iterator[Runs]:
    """Start the witness scripts of the selected tests' rules, all in parallel."""
    here = Path(__file__).resolve()
    codes = {
        match.group(1)
        for item in request.session.items
        if item.path.resolve() == here and (match := re.match(r"test_(MPL\d+)_", item.name))
    }
    names = [n for n in all_witness_files() if n.split("_", 1)[0] in codes and runnable(n)]
    with ThreadPoolExecutor(max_workers=MAX_PARALLEL, thread_name_prefix="witness") as pool:
        yield Runs(pool, names)


def assert_clean(run: Run) -> None:
    """The script exited 0 with no traceback, and printed its expected lines."""
    assert not run.timed_out, str(run)
    assert run.returncode == 0, str(run)
    assert "Traceback" not in run.stderr, str(run)
    assert "Error" not in run.stderr, str(run)
    lines = run.stdout.splitlines()
    for expected in GOOD_OUTPUT[run.name]:
        assert expected in lines, f"missing {expected!r}\n{run}"


def assert_died_with(run: Run, error: str) -> None:
    """The script itself died (exit status 1), and `error` is a line of its stderr.

    Not necessarily the last line: a pool's resource tracker may still warn about
    leaked semaphores after the parent's traceback.
    """
    assert not run.timed_out, str(run)
    assert run.returncode == 1, str(run)
    assert error in run.stderr.splitlines(), f"missing {error!r}\n{run}"


def good_files(code: str) -> list[str]:
    return sorted({good for _, good in WITNESSES[code]})


# --- the table itself ---------------------------------------------------------------


def test_witness_table_matches_files() -> None:
    on_disk = sorted(
        p.name for code in WITNESSES for p in WITNESS_DIR.glob(f"{code}_*.py")
    )  # other rules' witnesses are checked by their own modules
    assert all_witness_files() == on_disk
    assert sorted(GOOD_OUTPUT) == sorted({g for pairs in WITNESSES.values() for _, g in pairs})
    for code, pairs in WITNESSES.items():
        for bad, good in pairs:
            assert bad.startswith(f"{code}_bad") and good.startswith(f"{code}_good")


@pytest.mark.parametrize("name", all_witness_files())
def test_witness_files_start_with_a_docstring(name: str) -> None:
    tree = ast.parse((WITNESS_DIR / name).read_text(), filename=name)
    docstring = ast.get_docstring(tree)
    assert docstring, f"{name} must start with a docstring"
    code = name.split("_", maxsplit=1)[0]
    assert docstring.startswith(code), f"{name}: the docstring must start with {code}"


# --- MPL101 bad-process-target ----------------------------------------------------


def test_MPL101_called_target_fails_in_child(runs: Runs) -> None:
    run = runs["MPL101_bad.py"]
    # The parent is not told: it exits 0.
    assert not run.timed_out and run.returncode == 0, str(run)
    # work() ran in the parent, and only there.
    assert run.values("work ran in pid") == [run.value("parent pid")], str(run)
    assert run.value("child exitcode") == "1", str(run)
    assert "TypeError: 'int' object is not callable" in run.stderr, str(run)
    assert "in run\n" in run.stderr, str(run)  # raised in BaseProcess.run, in the child


def test_MPL101_called_target_returning_none_does_nothing(runs: Runs) -> None:
    run = runs["MPL101_bad_none.py"]
    assert not run.timed_out and run.returncode == 0, str(run)
    assert len(run.values("work ran in pid")) == 1, str(run)
    assert run.value("work ran in pid").startswith(run.value("parent pid") + " "), str(run)
    assert run.value("child exitcode") == "0", str(run)
    assert run.stderr == "", str(run)


def test_MPL101_positional_target_is_group(runs: Runs) -> None:
    run = runs["MPL101_bad_positional.py"]
    assert_died_with(run, "AssertionError: group argument must be None for now")
    assert run.values("work ran in pid") == [], str(run)


def test_MPL101_called_function_to_apply_async(runs: Runs) -> None:
    run = runs["MPL101_bad_apply_async.py"]
    assert_died_with(run, "TypeError: 'NoneType' object is not callable")
    assert run.value("work ran in pid").startswith(run.value("parent pid") + " "), str(run)
    assert run.values("result") == [], str(run)


def test_MPL101_called_function_to_submit(runs: Runs) -> None:
    run = runs["MPL101_bad_submit.py"]
    assert_died_with(run, "TypeError: 'NoneType' object is not callable")
    assert run.value("work ran in pid").startswith(run.value("parent pid") + " "), str(run)
    assert run.values("result") == [], str(run)


@pytest.mark.parametrize("name", good_files("MPL101"))
def test_MPL101_fixed_runs_target_in_child(runs: Runs, name: str) -> None:
    run = runs[name]
    assert_clean(run)
    assert run.value("work ran in pid") != run.value("parent pid"), str(run)


# --- MPL105 daemon-set-after-start ------------------------------------------------


def test_MPL105_daemon_after_start_asserts(runs: Runs) -> None:
    run = runs["MPL105_bad.py"]
    assert_died_with(run, "AssertionError: process has already started")
    assert run.stdout.splitlines() == ["started child"], str(run)


@pytest.mark.parametrize("name", good_files("MPL105"))
def test_MPL105_daemon_before_start_runs_clean(runs: Runs, name: str) -> None:
    assert_clean(runs[name])


# --- MPL108 unsafe-terminate ------------------------------------------------------


def test_MPL108_terminated_lock_holder_keeps_lock(runs: Runs) -> None:
    run = runs["MPL108_bad.py"]
    assert not run.timed_out and run.returncode == 0, str(run)
    assert run.value("lock acquired after terminate") == "False", str(run)
    assert run.value("exitcode after join") == str(-signal.SIGTERM), str(run)


def test_MPL108_unjoined_terminated_child_is_zombie(runs: Runs) -> None:
    if not Path("/proc/self/stat").exists():
        pytest.skip("needs /proc to read a process state")
    run = runs["MPL108_bad.py"]
    if run.value("start method") == "forkserver":
        pytest.skip("under forkserver the child's parent is the fork server, which reaps it")
    assert run.value("child state before join") == "Z", str(run)


@pytest.mark.parametrize("name", good_files("MPL108"))
def test_MPL108_cooperative_shutdown_runs_clean(runs: Runs, name: str) -> None:
    assert_clean(runs[name])


# --- MPL201 missing-main-guard ----------------------------------------------------


@pytest.mark.parametrize("name", ["MPL201_bad.py", "MPL201_bad_forkserver.py"])
def test_MPL201_unguarded_process_dies_bootstrapping(runs: Runs, name: str) -> None:
    run = runs[name]
    # The parent goes on; its child died while re-importing the main module.
    assert not run.timed_out and run.returncode == 0, str(run)
    assert run.values("module body run as") == ["__main__", "__mp_main__"], str(run)
    assert run.values("work ran in pid") == [], str(run)
    assert run.value("child exitcode") == "1", str(run)
    assert BOOTSTRAP_ERROR in run.stderr and BOOTSTRAP_PHASE in run.stderr, str(run)
    assert "RuntimeError" in run.stderr, str(run)


@pytest.mark.parametrize("name", ["MPL201_bad_pool.py", "MPL201_bad_main.py"])
def test_MPL201_unguarded_pool_hangs(runs: Runs, name: str) -> None:
    run = runs[name]
    assert run.timed_out, f"expected a hang\n{run}"
    assert run.values("result") == [], str(run)
    assert BOOTSTRAP_ERROR in run.stderr and BOOTSTRAP_PHASE in run.stderr, str(run)
    # The workers keep dying and being replaced.
    assert run.stderr.count(BOOTSTRAP_PHASE) >= 2, str(run)


def test_MPL201_unguarded_executor_breaks(runs: Runs) -> None:
    run = runs["MPL201_bad_executor.py"]
    assert_died_with(
        run,
        "concurrent.futures.process.BrokenProcessPool: A process in the process pool "
        "was terminated abruptly while the future was running or pending.",
    )
    assert BOOTSTRAP_ERROR in run.stderr and BOOTSTRAP_PHASE in run.stderr, str(run)
    assert run.values("result") == [], str(run)


@pytest.mark.parametrize("name", good_files("MPL201"))
def test_MPL201_guarded_runs_clean(runs: Runs, name: str) -> None:
    run = runs[name]
    assert_clean(run)
    if "module body run as" in run.stdout:
        assert run.values("module body run as") == ["__main__"], str(run)
        assert len(run.values("work ran in pid")) == 1, str(run)


# --- MPL302 pool-lifecycle-order --------------------------------------------------


def test_MPL302_join_without_close(runs: Runs) -> None:
    run = runs["MPL302_bad.py"]
    assert_died_with(run, "ValueError: Pool is still running")
    assert run.value("result") == "[0, 1, 4, 9]", str(run)


def test_MPL302_apply_async_after_close(runs: Runs) -> None:
    run = runs["MPL302_bad_apply_after_close.py"]
    assert_died_with(run, "ValueError: Pool not running")
    assert run.value("first") == "4" and run.values("second") == [], str(run)


@pytest.mark.parametrize(
    "name", ["MPL302_bad_submit_after_shutdown.py", "MPL302_bad_submit_after_with.py"]
)
def test_MPL302_submit_after_shutdown(runs: Runs, name: str) -> None:
    run = runs[name]
    assert_died_with(run, "RuntimeError: cannot schedule new futures after shutdown")
    assert run.value("first") == "4" and run.values("second") == [], str(run)


@pytest.mark.parametrize("name", good_files("MPL302"))
def test_MPL302_ordered_lifecycle_runs_clean(runs: Runs, name: str) -> None:
    assert_clean(runs[name])
