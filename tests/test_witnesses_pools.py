"""Runtime witnesses of the pool rules (MPL301, MPL303-MPL310).

Each bad script in tests/witnesses/ holds exactly one instance of the misuse its rule reports, and the
good script next to it is the same program done right. The tests run every script in a fresh
interpreter (in parallel, once per session), check the exact failure of the bad one (the error text,
a hang, a lost task, a measured slowdown or leak) and that the good one runs clean, and check that
the linter reports the rule on each bad script and not on the good one.
"""

from __future__ import annotations

import ast
import os
import re
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor

import pytest

from mplint.config import Config
from mplint.engine import lint_source

if os.name != "posix":
    pytest.skip(
        "the witnesses rely on POSIX signals and process groups",
        allow_module_level=True,
    )

from .witness_support import TIMEOUT, WITNESS_DIR, Run, run_witness

#: Each rule's (bad, good) witness pairs.
WITNESSES: dict[str, list[tuple[str, str]]] = {
    "MPL301": [
        ("MPL301_bad.py", "MPL301_good.py"),
        ("MPL301_bad_imap.py", "MPL301_good_imap.py"),
        ("MPL301_bad_dropped.py", "MPL301_good_dropped.py"),
    ],
    "MPL303": [
        ("MPL303_bad.py", "MPL303_good.py"),
        ("MPL303_bad_submit.py", "MPL303_good_submit.py"),
    ],
    "MPL304": [
        ("MPL304_bad.py", "MPL304_good.py"),
        ("MPL304_bad_submit.py", "MPL304_good_submit.py"),
    ],
    "MPL305": [("MPL305_bad.py", "MPL305_good.py")],
    "MPL306": [
        ("MPL306_bad.py", "MPL306_good.py"),
        ("MPL306_bad_terminate.py", "MPL306_good.py"),
    ],
    "MPL307": [("MPL307_bad.py", "MPL307_good.py")],
    "MPL308": [("MPL308_bad.py", "MPL308_good.py")],
    "MPL309": [
        ("MPL309_bad.py", "MPL309_good.py"),
        ("MPL309_bad_executor.py", "MPL309_good_executor.py"),
    ],
    "MPL310": [
        ("MPL310_bad.py", "MPL310_good.py"),
        ("MPL310_bad_chunksize.py", "MPL310_good.py"),
    ],
}

#: Scripts promised to hang: killed after HANG_TIMEOUT seconds.
HANGING = frozenset({"MPL301_bad_imap.py", "MPL305_bad.py", "MPL309_bad.py"})
HANG_TIMEOUT = 6.0

#: Lines each good script prints on stdout.
GOOD_OUTPUT: dict[str, list[str]] = {
    "MPL301_good.py": ["submitted", "result: [0, 1, 4, 9]"],
    "MPL301_good_imap.py": ["submitted", "results: [0, 1, 4, 9]"],
    "MPL301_good_dropped.py": ["jobs done: 4"],
    "MPL303_good.py": ["all jobs submitted", "job 3 failed: ValueError('bad job 3')", "finished"],
    "MPL303_good_submit.py": ["job 3 failed: ValueError('bad job 3')", "finished"],
    "MPL304_good.py": ["results: [0, 1, 4, 9]"],
    "MPL304_good_submit.py": ["results: [0, 1, 4, 9]"],
    "MPL305_good.py": ["callback: 2", "result: 10"],
    "MPL306_good.py": ["successful: True", "result: 42"],
    "MPL307_good.py": ["worker processes alive: 0"],
    "MPL308_good.py": ["gave up waiting", "value: None"],
    "MPL309_good.py": ["failed: ValueError('not a text file: b.csv')"],
    "MPL309_good_executor.py": ["failed: ValueError('not a text file: b.csv')"],
    "MPL310_good.py": ["sums: [3, 7]", "zipped sums: [3, 7]"],
}

MP_TIMEOUT = "multiprocessing.context.TimeoutError"
BROKEN_POOL = (
    "concurrent.futures.process.BrokenProcessPool: A process in the process pool was "
    "terminated abruptly while the future was running or pending."
)
UNCLOSED_POOL = (
    "ResourceWarning: unclosed running multiprocessing pool "
    "<multiprocessing.pool.Pool state=RUN pool_size=2>"
)


def all_witness_files() -> list[str]:
    return sorted({name for pairs in WITNESSES.values() for pair in pairs for name in pair})


def pairs() -> list[tuple[str, str, str]]:
    return [(code, bad, good) for code, found in WITNESSES.items() for bad, good in found]


class Runs:
    """The witness runs, started in parallel; indexing waits for one of them."""

    def __init__(self, pool: ThreadPoolExecutor) -> None:
        self._futures: dict[str, Future[Run]] = {}
        # The hanging scripts first: their timeouts then overlap the other runs.
        for name in sorted(all_witness_files(), key=lambda n: n not in HANGING):
            timeout = HANG_TIMEOUT if name in HANGING else TIMEOUT
            self._futures[name] = pool.submit(run_witness, name, timeout)

    def __getitem__(self, name: str) -> Run:
        return self._futures[name].result()


@pytest.fixture(scope="module")
def runs() -> Iterator[Runs]:
    with ThreadPoolExecutor(max_workers=4, thread_name_prefix="witness") as pool:
        yield Runs(pool)


def assert_clean(run: Run) -> None:
    """Exit status 0, no traceback, no warning, and the expected lines on stdout."""
    assert not run.timed_out, str(run)
    assert run.returncode == 0, str(run)
    assert "Traceback" not in run.stderr and "Warning" not in run.stderr, str(run)
    lines = run.stdout.splitlines()
    for expected in GOOD_OUTPUT[run.name]:
        assert expected in lines, f"missing {expected!r}\n{run}"


def assert_died_with(run: Run, error: str) -> None:
    """The script died (exit status 1) with ``error`` as a line of its stderr."""
    assert not run.timed_out, str(run)
    assert run.returncode == 1, str(run)
    assert error in run.stderr.splitlines(), f"missing {error!r}\n{run}"


def assert_hung(run: Run) -> None:
    assert run.timed_out, f"expected a hang\n{run}"


# --- the table and the scripts themselves ---------------------------------------------------------


def test_witness_table_matches_files() -> None:
    on_disk = sorted(p.name for code in WITNESSES for p in WITNESS_DIR.glob(f"{code}_*.py"))
    assert all_witness_files() == on_disk
    goods = sorted({good for _, _, good in pairs()})
    assert sorted(GOOD_OUTPUT) == goods
    for code, bad, good in pairs():
        assert bad.startswith(f"{code}_bad") and good.startswith(f"{code}_good")


@pytest.mark.parametrize("name", all_witness_files())
def test_witness_files_start_with_a_docstring(name: str) -> None:
    tree = ast.parse((WITNESS_DIR / name).read_text(), filename=name)
    docstring = ast.get_docstring(tree)
    assert docstring, f"{name} must start with a docstring"
    assert docstring.startswith(name.split("_", 1)[0]), f"{name}: the docstring names its rule"


@pytest.mark.parametrize(("code", "bad", "good"), pairs())
def test_linter_reports_bad_and_not_good(code: str, bad: str, good: str) -> None:
    config = Config(select=(code,), preview=True)
    for name, expected in ((bad, True), (good, False)):
        text = (WITNESS_DIR / name).read_text(encoding="utf-8")
        found = [d for d in lint_source(name, text, config, raise_errors=True) if d.code == code]
        assert bool(found) is expected, f"{name}: {found}"


@pytest.mark.parametrize("name", sorted(GOOD_OUTPUT))
def test_good_scripts_run_clean_and_fast(runs: Runs, name: str) -> None:
    run = runs[name]
    assert_clean(run)
    assert run.seconds < 3 + (1 if "MPL304" in name else 0), str(run)


# --- MPL301 pool-results-after-with ---------------------------------------------------------------


def test_MPL301_get_after_with_times_out(runs: Runs) -> None:
    run = runs["MPL301_bad.py"]
    assert_died_with(run, MP_TIMEOUT)
    assert run.stdout.splitlines() == ["submitted"], str(run)


def test_MPL301_imap_after_with_hangs(runs: Runs) -> None:
    run = runs["MPL301_bad_imap.py"]
    assert_hung(run)
    assert run.stdout.splitlines() == ["submitted"], str(run)


def test_MPL301_dropped_tasks_never_run(runs: Runs) -> None:
    run = runs["MPL301_bad_dropped.py"]
    assert not run.timed_out and run.returncode == 0, str(run)
    assert run.value("jobs done") == "0", str(run)
    assert run.stderr == "", str(run)


# --- MPL303 unchecked-async-result ----------------------------------------------------------------


@pytest.mark.parametrize("name", ["MPL303_bad.py", "MPL303_bad_submit.py"])
def test_MPL303_dropped_handle_hides_the_error(runs: Runs, name: str) -> None:
    run = runs[name]
    assert not run.timed_out and run.returncode == 0, str(run)
    assert run.stdout.splitlines()[-1] == "finished", str(run)
    assert run.stderr == "", str(run)  # the ValueError of job 3 is never seen
    assert "failed" not in run.stdout, str(run)


# --- MPL304 blocking-apply-in-loop ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("bad", "good"),
    [("MPL304_bad.py", "MPL304_good.py"), ("MPL304_bad_submit.py", "MPL304_good_submit.py")],
)
def test_MPL304_loop_runs_tasks_one_at_a_time(runs: Runs, bad: str, good: str) -> None:
    slow, fast = runs[bad], runs[good]
    assert not slow.timed_out and slow.returncode == 0, str(slow)
    assert slow.value("results") == "[0, 1, 4, 9]", str(slow)
    assert float(slow.value("elapsed")) >= 1.55, str(slow)  # 4 x 0.4 s, one after the other
    assert float(fast.value("elapsed")) < 1.2, str(fast)  # the same 4 tasks side by side


# --- MPL305 blocking-callback ---------------------------------------------------------------------


def test_MPL305_callback_waiting_on_result_hangs(runs: Runs) -> None:
    run = runs["MPL305_bad.py"]
    assert_hung(run)
    assert run.stdout.splitlines() == ["callback started"], str(run)


# --- MPL306 asyncresult-api-misuse ----------------------------------------------------------------


def test_MPL306_successful_before_ready(runs: Runs) -> None:
    run = runs["MPL306_bad.py"]
    assert not run.timed_out and run.returncode == 1, str(run)
    pattern = r"^ValueError: <multiprocessing\.pool\.ApplyResult object at 0x[0-9a-f]+> not ready$"
    assert re.search(pattern, run.stderr, re.MULTILINE), str(run)
    assert run.values("successful") == [], str(run)


def test_MPL306_terminate_on_async_result(runs: Runs) -> None:
    run = runs["MPL306_bad_terminate.py"]
    assert_died_with(run, "AttributeError: 'ApplyResult' object has no attribute 'terminate'")
    assert "stopped" not in run.stdout, str(run)


# --- MPL307 pool-not-closed -----------------------------------------------------------------------


def test_MPL307_unclosed_pools_leak_workers(runs: Runs) -> None:
    run = runs["MPL307_bad.py"]
    assert not run.timed_out and run.returncode == 0, str(run)
    assert run.value("worker processes alive") == "6", str(run)
    assert UNCLOSED_POOL in run.stderr, str(run)


# --- MPL308 wrong-timeout-exception ---------------------------------------------------------------


def test_MPL308_builtin_handler_misses_pool_timeout(runs: Runs) -> None:
    run = runs["MPL308_bad.py"]
    assert_died_with(run, MP_TIMEOUT)
    assert "gave up waiting" not in run.stdout, str(run)


def test_MPL308_builtin_and_multiprocessing_classes_differ() -> None:
    import multiprocessing

    assert multiprocessing.TimeoutError is not TimeoutError
    assert not issubclass(multiprocessing.TimeoutError, TimeoutError)
    assert issubclass(multiprocessing.TimeoutError, multiprocessing.ProcessError)


def test_MPL308_target_version_before_311_reports_builtin_for_futures() -> None:
    text = (
        "from concurrent.futures import ProcessPoolExecutor\n"
        "def f(x): return x\n"
        "def go():\n"
        "    with ProcessPoolExecutor() as ex:\n"
        "        fut = ex.submit(f, 1)\n"
        "        try:\n"
        "            return fut.result(timeout=5)\n"
        "        except TimeoutError:\n"
        "            return None\n"
    )
    old = Config(select=("MPL308",), preview=True, target_version="py310")
    new = Config(select=("MPL308",), preview=True, target_version="py311")
    assert [d.line for d in lint_source("f.py", text, old, raise_errors=True)] == [8]
    assert lint_source("f.py", text, new, raise_errors=True) == []


# --- MPL309 worker-abrupt-exit --------------------------------------------------------------------


def test_MPL309_sys_exit_in_pool_task_hangs(runs: Runs) -> None:
    run = runs["MPL309_bad.py"]
    assert_hung(run)
    assert run.values("results") == [], str(run)


def test_MPL309_os_exit_breaks_executor(runs: Runs) -> None:
    run = runs["MPL309_bad_executor.py"]
    assert_died_with(run, BROKEN_POOL)
    assert run.values("results") == [], str(run)


# --- MPL310 map-arity-mismatch --------------------------------------------------------------------


def test_MPL310_pairs_to_map(runs: Runs) -> None:
    run = runs["MPL310_bad.py"]
    assert_died_with(run, "TypeError: add() missing 1 required positional argument: 'b'")
    assert run.values("sums") == [], str(run)


def test_MPL310_second_iterable_is_chunksize(runs: Runs) -> None:
    run = runs["MPL310_bad_chunksize.py"]
    assert_died_with(run, "TypeError: '<=' not supported between instances of 'list' and 'int'")
    assert run.values("sums") == [], str(run)
