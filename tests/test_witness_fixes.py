"""Every fix that mplint offers on a runtime witness, run.

For each bad witness (tests/witnesses/<CODE>_bad*.py) that mplint can fix, the text that
``mplint check --fix --unsafe-fixes --preview --select CODE`` makes of it is run like the witness
itself, and it must behave like the good twin: it does not hang, it ends with the twin's exit status, and
its stderr shows no traceback and no exception that the twin's own run does not show. So "the diagnostic
is gone" is never taken for "the bug is gone".

Start methods: a witness whose header names start methods forces them itself, and so does one that
calls ``set_start_method()``: its fixed text runs once, as it is. Any other runs twice, with the default
start method set to spawn and to fork (where the platform has them) before the script runs.

The twin of ``<CODE>_bad<shape>.py`` is ``<CODE>_good<shape>.py``, or ``<CODE>_good.py`` when there is
none; it runs under the same start method. What is compared is how a run ends, not what it prints:
the bad and good scripts are different programs beyond the bug (a twin's `work` may return a value the
bad one's does not). So a witness whose failure is a wrong or slow result rather than a crash or a hang
(MPL107 and MPL304: serialized work; MPL402 and MPL403: lost updates; MPL401 and MPL301_bad_dropped:
the twin shows the same exception) passes here even unfixed, and this test does not judge its fix; the
rule's golden fixture does. A fix that is known not to remove its bug is listed in
``KNOWN_BROKEN`` with the reason, and expected to fail (strictly: an entry that starts to pass must be
removed).
"""

from __future__ import annotations

import functools
import multiprocessing
import os
import re
import sys
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import pytest

from mplint.config import Config
from mplint.fixes import fix_source
from mplint.registry import rule_by_code

from .witness_support import (
    MAX_PARALLEL,
    TIMEOUT,
    WITNESS_DIR,
    Run,
    SharedRuns,
    read_header,
    run_script,
    settle,
    witness_names,
)

if os.name != "posix":
    pytest.skip("the witnesses rely on POSIX signals and process groups", allow_module_level=True)

#: Sets the default start method, then runs the script as ``__main__`` (a spawned child finds it
#: through the main module's ``__file__``, as it would for ``python script.py``).
WRAPPER = (
    "import multiprocessing, runpy, sys; multiprocessing.set_start_method(sys.argv[1]); "
    "sys.argv = sys.argv[2:]; runpy.run_path(sys.argv[0], run_name='__main__')"
)
AS_IS = "as-is"
#: The last line of a traceback: an exception's name, maybe dotted, and its message.
EXCEPTION = re.compile(
    r"(?:[A-Za-z_]\w*\.)*[A-Za-z_]\w*(?:Error|Exception|Exit|Interrupt|Warning)(?:: .*)?"
)

#: Fixed witnesses that do not behave like their good twin, and why. Empty: every fix that applies to
#: a witness today removes the failure the witness shows.
KNOWN_BROKEN: dict[str, str] = {}


def _methods(name: str) -> list[str]:
    text = (WITNESS_DIR / name).read_text(encoding="utf-8")
    if read_header(name).start_methods or "set_start_method" in text:
        return [AS_IS]
    available = multiprocessing.get_all_start_methods()
    return [method for method in ("spawn", "fork") if method in available]


def _cases() -> list[tuple[str, str]]:
    """(bad witness, start method) for the bad witnesses of rules that have a fix."""
    cases: list[tuple[str, str]] = []
    for name in witness_names():
        expected = read_header(name)
        rule = rule_by_code(expected.code)
        if expected.bad and rule is not None and rule.FIX:
            cases.extend((name, method) for method in _methods(name))
    return cases


CASES = _cases()


def twin(name: str) -> str:
    code, _, shape = name.partition("_bad")
    exact = f"{code}_good{shape}"
    return exact if (WITNESS_DIR / exact).exists() else f"{code}_good.py"


def fixed_text(name: str) -> str | None:
    """The fixed text of a bad witness (its rule's fixes, unsafe ones included), or None."""
    path = WITNESS_DIR / name
    config = Config(select=(read_header(name).code,), preview=True)
    result = fix_source(str(path), path.read_text(encoding="utf-8"), config, unsafe=True)
    assert result.error is None, f"{name}: {result.error}"
    return result.text if result.applied else None


def _argv(path: Path, method: str) -> list[str]:
    if method == AS_IS:
        return [sys.executable, str(path)]
    return [sys.executable, "-c", WRAPPER, method, str(path)]


class FixedRuns:
    """The runs of the fixed witnesses and of their twins, started together on first use."""

    def __init__(self, directory: Path, shared: SharedRuns | None = None) -> None:
        self._directory = directory
        self._pool = ThreadPoolExecutor(MAX_PARALLEL, thread_name_prefix="witness-fix")
        self._fixed: dict[str, str | None] = {}
        self._futures: dict[tuple[str, str], Future[Run | None]] = {}
        self._shared = shared  # the pytest-xdist workers run each script once between them

    def start(self, cases: list[tuple[str, str]]) -> None:
        cases = [(n, m) for n, m in cases if not read_header(n).missing_start_methods()]
        for name, _ in cases:
            self.fixed(name)
        for name, method in cases:
            if self._fixed[name] is not None:
                self._submit(name, method, fixed=True)
                self._submit(twin(name), method, fixed=False)

    def fixed(self, name: str) -> str | None:
        if name not in self._fixed:
            text = fixed_text(name)
            self._fixed[name] = text
            if text is not None:
                (self._directory / name).write_text(text, encoding="utf-8")
        return self._fixed[name]

    def _task(self, name: str, method: str, *, fixed: bool) -> Callable[[], Run]:
        if fixed:
            path, cwd = self._directory / name, self._directory
        else:
            path, cwd = WITNESS_DIR / name, WITNESS_DIR
        return functools.partial(run_script, name, _argv(path, method), cwd, TIMEOUT)

    @staticmethod
    def _shared_key(name: str, method: str, *, fixed: bool) -> str:
        return f"{'fixed' if fixed else 'twin'}-{method}-{name}"

    def _submit(self, name: str, method: str, *, fixed: bool) -> Future[Run | None]:
        key = (name, method)
        if key not in self._futures:
            task: Callable[[], Run | None] = self._task(name, method, fixed=fixed)
            if self._shared is not None:
                shared_key = self._shared_key(name, method, fixed=fixed)
                task = functools.partial(self._shared.run_once, shared_key, TIMEOUT, task)
            self._futures[key] = self._pool.submit(task)
        return self._futures[key]

    def run(self, name: str, method: str, *, fixed: bool) -> Run:
        future = self._submit(name, method, fixed=fixed)
        key = self._shared_key(name, method, fixed=fixed)
        return settle(future, self._shared, key, TIMEOUT, self._task(name, method, fixed=fixed))

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)


@pytest.fixture(scope="module")
def fixed_runs(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[FixedRuns]:
    shared = SharedRuns.for_session(request.config, "witness-fix-runs")
    runs = FixedRuns(tmp_path_factory.mktemp("fixed-witnesses"), shared)
    selected = [
        (params["witness"], params["method"])
        for item in request.session.items
        if isinstance(params := getattr(getattr(item, "callspec", None), "params", {}), dict)
        and "witness" in params
        and "method" in params
        and "fixed_runs" in getattr(item, "fixturenames", ())
    ]
    runs.start(selected)
    yield runs
    runs.close()


def exceptions(stderr: str) -> set[str]:
    return {line for line in stderr.splitlines() if EXCEPTION.fullmatch(line)}


def differences(fixed: Run, good: Run) -> list[str]:
    """How the fixed witness's run differs from its good twin's, in what the test compares."""
    found: list[str] = []
    if fixed.timed_out:
        found.append(f"hangs (killed after {TIMEOUT:.0f}s)")
    elif fixed.returncode != good.returncode:
        found.append(f"exit status {fixed.returncode}, the twin's is {good.returncode}")
    if "Traceback" in fixed.stderr and "Traceback" not in good.stderr:
        found.append("a traceback on stderr")
    extra = sorted(exceptions(fixed.stderr) - exceptions(good.stderr))
    if extra:
        found.append(f"exceptions the twin does not show: {extra}")
    return found


def _params() -> list[object]:
    params: list[object] = []
    for name, method in CASES:
        marks = []
        if name in KNOWN_BROKEN:
            marks.append(pytest.mark.xfail(reason=KNOWN_BROKEN[name], strict=True))
        params.append(pytest.param(name, method, marks=marks, id=f"{name}-{method}"))
    return params


@pytest.mark.parametrize(("witness", "method"), _params())
def test_fixed_witness_behaves_like_its_good_twin(
    fixed_runs: FixedRuns, witness: str, method: str
) -> None:
    missing = read_header(witness).missing_start_methods()
    if missing:
        pytest.skip(f"{witness} needs the start method(s) {', '.join(missing)}")
    if fixed_runs.fixed(witness) is None:
        pytest.skip(f"no fix applies to {witness}")
    fixed = fixed_runs.run(witness, method, fixed=True)
    good = fixed_runs.run(twin(witness), method, fixed=False)
    assert not good.timed_out and good.returncode == 0, f"the twin itself failed:\n{good}"
    found = differences(fixed, good)
    assert found == [], f"{witness} fixed, under {method}: {found}\n{fixed}\n{good}"


def test_every_known_broken_entry_is_a_case() -> None:
    assert set(KNOWN_BROKEN) <= {name for name, _ in CASES}


@pytest.mark.parametrize(
    ("fixed", "message"),
    [
        (Run("x", None, "", "", True, 20.0), "hangs"),
        (Run("x", 1, "", "", False, 1.0), "exit status 1"),
        (
            Run("x", 0, "", "Traceback (most recent call last):\nValueError: x\n", False, 1.0),
            "ValueError",
        ),
        (Run("x", 0, "", "OSError: [Errno 9] Bad file descriptor\n", False, 1.0), "OSError"),
    ],
)
def test_differences_that_fail_the_comparison(fixed: Run, message: str) -> None:
    good = Run(
        "y", 0, "", "Process 1:\nTraceback (most recent call last):\nKeyError: 1\n", False, 1
    )
    found = differences(fixed, good)
    assert found and message in " ".join(found)
    same = Run("x", 0, "other output\n", good.stderr, False, 1.0)
    assert differences(same, good) == []
