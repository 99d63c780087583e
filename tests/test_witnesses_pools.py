"""Runtime witnesses of the pool rules: the checks their headers cannot say.

Each script's header (tests/witness_support.py) already pins its outcome and output; these tests
compare the durations the MPL304 scripts measure, on the same runs as tests/test_witnesses.py, and
pin two facts behind MPL308 without running a script.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Iterator

import pytest

from mplint.config import Config
from mplint.engine import lint_source

from .witness_support import Runs, session_runs

if os.name != "posix":
    pytest.skip("the witnesses rely on POSIX signals and process groups", allow_module_level=True)


@pytest.fixture(scope="session")
def runs(request: pytest.FixtureRequest) -> Iterator[Runs]:
    yield from session_runs(request.session)


# --- MPL304 blocking-apply-in-loop -----------------------------------------------------------------


@pytest.mark.parametrize("witness", ["MPL304_bad.py", "MPL304_bad_submit.py"])
def test_MPL304_loop_runs_tasks_one_at_a_time(runs: Runs, witness: str) -> None:
    run = runs[witness]
    assert float(run.value("elapsed")) >= 1.55, str(run)  # 4 x 0.4 s, one after the other


@pytest.mark.parametrize("witness", ["MPL304_good.py", "MPL304_good_submit.py"])
def test_MPL304_fixed_runs_tasks_side_by_side(runs: Runs, witness: str) -> None:
    run = runs[witness]
    assert float(run.value("elapsed")) < 1.2, str(run)  # the same 4 tasks side by side


# --- MPL308 wrong-timeout-exception ----------------------------------------------------------------


def test_MPL308_builtin_and_multiprocessing_classes_differ() -> None:
    # not even the same class: a class is a subclass of itself
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
