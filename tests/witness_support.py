"""Runtime witnesses: the header each witness script carries, and running the scripts.

Every file in tests/witnesses/ is a standalone script named ``<CODE>_bad*.py`` (one instance of the
misuse that rule CODE reports, and the failure it causes at run time) or ``<CODE>_good*.py`` (the
same program, fixed). The script's first lines are its header: one ``# witness:`` comment per fact
that running it must show. The header is the only place a witness's expectations are written down;
tests/test_witnesses.py runs every script and checks it, and a missing or malformed header fails.

Grammar
-------
The header is the run of ``# witness: STATEMENT`` lines that opens the file; no other line of the
file may start with ``# witness``. The module docstring follows it and starts with the rule's code.
A string is written between double quotes and taken literally (no escapes; it cannot hold a double
quote). For example, tests/witnesses/MPL105_bad.py opens with::

    # witness: dies "AssertionError: process has already started"
    # witness: prints exactly "started child"

and its docstring follows: "MPL105 daemon-set-after-start: `daemon` is assigned after `start()`."

Statements:

Exactly one outcome:

- ``runs clean``: exits with status 0, and stderr holds none of "Traceback", "Error", "Warning".
- ``exits N``: ends by itself with exit status N.
- ``dies "LINE"`` (or ``dies "LINE" or "LINE" ...``): exits with status 1, and LINE (one of them)
  is a whole line of stderr.
- ``hangs`` (or ``hangs after "LINE"``, which also requires LINE as a line of stdout): still
  running after ``HANG_TIMEOUT`` seconds, when it is killed with every process it started. A
  timeout alone proves nothing (the machine may be slow, an import may deadlock), so a hang must be
  corroborated: by ``after``, or by a check below that requires some output to be present.

Checks on stdout, any number:

- ``prints "LINE"``: LINE is a whole line of stdout.
- ``prints exactly "LINE" "LINE" ...``: the lines of stdout are exactly these, in this order.
- ``prints nothing``: stdout is empty.
- ``never prints "TEXT"``: TEXT occurs nowhere in stdout.
- ``value "KEY" = "V"``: exactly one line of stdout starts with "KEY: ", and it is "KEY: V".
- ``values "KEY" = "V" "V" ...``: the lines that start with "KEY: " are exactly these, in order.
- ``no value "KEY"``: no line of stdout starts with "KEY: ".

Checks on stderr, any number:

- ``stderr has "LINE"`` (or ``stderr has "LINE" or "LINE" ...``): LINE (one of them) is a whole
  line of stderr.
- ``stderr contains "TEXT"``: TEXT occurs in stderr.
- ``stderr repeats "TEXT"``: TEXT occurs in stderr at least twice.
- ``stderr lacks "TEXT"``: TEXT occurs nowhere in stderr.
- ``stderr matches "REGEX"``: some line of stderr matches the regular expression as a whole.
- ``stderr empty``: stderr is empty.

Conditions:

- ``start-method METHOD ...``: the script needs these start methods; where the platform lacks one,
  the run is skipped (and says so).
- ``within N seconds`` (or ``second``): the run takes less than N seconds, the interpreter's start
  included.
- ``reported N times``: on a bad script, the linter reports its rule N times (without it, once).
- ``notebook``: the script is a notebook's code: it runs as a Jupyter kernel runs cells, compiled and
  executed in the interpreter's ``__main__`` module, which then has no ``__file__`` (``python -c``
  reading the script from standard input), and the linter checks it as a notebook.

A good script's outcome is ``runs clean`` or ``exits 0``. Checks that do not fit the grammar
(comparing two printed values, timings measured by the script) live in the family modules
tests/test_witnesses_*.py, which read the same runs.

Running
-------
``Runs`` runs each script at most once per test session, in a fresh interpreter in its own process
group (killed whole on timeout), several at a time: the scripts of every selected test are started
as soon as the first test asks for a run, the hanging ones first so that their timeouts overlap the
other runs. Under pytest-xdist every worker sees every selected test, so the workers share the runs
(``SharedRuns``): each script runs in whichever worker claims it first, and the others read its result.
"""

from __future__ import annotations

import contextlib
import enum
import functools
import json
import multiprocessing
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path

import pytest

from .conftest import xdist_shared_dir

WITNESS_DIR = Path(__file__).resolve().parent / "witnesses"
#: Upper bound for a script that is not promised to hang (they normally take well under 3 seconds).
TIMEOUT = 20.0
#: How long a promised hang is given before it is killed.
HANG_TIMEOUT = 6.0
#: Scripts run at the same time.
MAX_PARALLEL = 4

#: A witness's file name: the rule's code, bad or good, and an optional shape.
NAME = re.compile(r"(?P<code>MPL\d{3})_(?P<kind>bad|good)(?:_[a-z0-9_]+)?\.py")
HEADER_MARK = "# witness:"
_STRAY_MARK = re.compile(r"\s*#\s*witness\b", re.IGNORECASE)
_TOKEN = re.compile(r'"(?P<string>[^"]*)"|(?P<word>[^\s"]+)')


def witness_names() -> list[str]:
    """The file names of every witness script."""
    return sorted(path.name for path in WITNESS_DIR.glob("*.py"))


@dataclass(frozen=True)
class Run:
    """The outcome of running one witness script."""

    name: str
    returncode: int | None  # None when the script was killed on its timeout
    stdout: str
    stderr: str
    timed_out: bool
    seconds: float

    def values(self, key: str) -> list[str]:
        """The values of every `key: value` line printed on stdout, in order."""
        prefix = f"{key}: "
        return [line[len(prefix) :] for line in self.stdout.splitlines() if line.startswith(prefix)]

    def value(self, key: str) -> str:
        """The value of the one `key: value` line printed on stdout."""
        found = self.values(key)
        assert len(found) == 1, f"{self.name}: expected one {key!r} line, got {found}\n{self}"
        return found[0]

    def __str__(self) -> str:
        status = "timed out" if self.timed_out else f"returncode {self.returncode}"
        return (
            f"--- {self.name}: {status} after {self.seconds:.2f}s\n"
            f"--- stdout:\n{self.stdout}--- stderr:\n{self.stderr}"
        )


# --- the header --------------------------------------------------------------------------------


class HeaderError(ValueError):
    """A witness script's header is missing or does not follow the grammar."""


class Outcome(enum.Enum):
    CLEAN = "runs clean"
    EXITS = "exits"
    DIES = "dies"
    HANGS = "hangs"


Holds = Callable[[Run], bool]


@dataclass(frozen=True)
class Check:
    """One statement of a header, as written, and its test on a run."""

    text: str
    holds: Holds


@dataclass(frozen=True)
class Expectation:
    """What running one witness script must show, read from its header."""

    name: str
    outcome: Outcome
    checks: tuple[Check, ...]  # the outcome's own check first
    start_methods: tuple[str, ...]
    reports: int  # how many times the linter reports the rule on the script
    notebook: bool = False  # run and checked as a notebook's cells

    @property
    def code(self) -> str:
        return self.name.split("_", 1)[0]

    @property
    def bad(self) -> bool:
        return self.name.startswith(f"{self.code}_bad")

    @property
    def timeout(self) -> float:
        return HANG_TIMEOUT if self.outcome is Outcome.HANGS else TIMEOUT

    def missing_start_methods(self) -> list[str]:
        available = multiprocessing.get_all_start_methods()
        return [method for method in self.start_methods if method not in available]

    def failures(self, run: Run) -> list[str]:
        """The header statements that the run does not bear out."""
        return [check.text for check in self.checks if not check.holds(run)]


def _lines(text: str) -> list[str]:
    return text.splitlines()


def _ended(run: Run, status: int) -> bool:
    return not run.timed_out and run.returncode == status


def _clean(run: Run) -> bool:
    words = ("Traceback", "Error", "Warning")
    return _ended(run, 0) and not any(word in run.stderr for word in words)


def _one_line_of(text: str, choices: list[str]) -> bool:
    return any(line in choices for line in _lines(text))


def _matching(text: str) -> Holds:
    try:
        regex = re.compile(text)
    except re.error as error:
        raise HeaderError(f"not a regular expression: {text!r} ({error})") from None
    return lambda r: any(regex.fullmatch(line) for line in _lines(r.stderr))


_Test = Callable[["re.Match[str]", list[str]], Holds]

#: Each statement: its form (its words, each string written as a lone `"`), whether it needs some
#: output to be present (only those corroborate a hang), and its test on a run, made from the
#: form's match `m` and the statement's strings `s`.
STATEMENTS: list[tuple[re.Pattern[str], bool, _Test]] = [
    # outcomes
    (re.compile(r"runs clean"), False, lambda m, s: _clean),
    (re.compile(r"exits (?P<status>\d+)"), False, lambda m, s: lambda r: _ended(r, int(m[1]))),
    (
        re.compile(r'dies "(?: or ")*'),
        True,
        lambda m, s: lambda r: _ended(r, 1) and _one_line_of(r.stderr, s),
    ),
    (re.compile(r"hangs"), False, lambda m, s: lambda r: r.timed_out),
    (
        re.compile(r'hangs after "'),
        True,
        lambda m, s: lambda r: r.timed_out and _one_line_of(r.stdout, s),
    ),
    # stdout
    (re.compile(r'prints "'), True, lambda m, s: lambda r: _one_line_of(r.stdout, s)),
    (re.compile(r'prints exactly(?: ")+'), True, lambda m, s: lambda r: _lines(r.stdout) == s),
    (re.compile(r"prints nothing"), False, lambda m, s: lambda r: r.stdout == ""),
    (re.compile(r'never prints "'), False, lambda m, s: lambda r: s[0] not in r.stdout),
    (re.compile(r'value " = "'), True, lambda m, s: lambda r: r.values(s[0]) == s[1:]),
    (re.compile(r'values " =(?: ")+'), True, lambda m, s: lambda r: r.values(s[0]) == s[1:]),
    (re.compile(r'no value "'), False, lambda m, s: lambda r: r.values(s[0]) == []),
    # stderr
    (re.compile(r'stderr has "(?: or ")*'), True, lambda m, s: lambda r: _one_line_of(r.stderr, s)),
    (re.compile(r'stderr contains "'), True, lambda m, s: lambda r: s[0] in r.stderr),
    (re.compile(r'stderr repeats "'), True, lambda m, s: lambda r: r.stderr.count(s[0]) >= 2),
    (re.compile(r'stderr lacks "'), False, lambda m, s: lambda r: s[0] not in r.stderr),
    (re.compile(r'stderr matches "'), True, lambda m, s: _matching(s[0])),
    (re.compile(r"stderr empty"), False, lambda m, s: lambda r: r.stderr == ""),
    # conditions checked on the run
    (
        re.compile(r"within (?P<seconds>\d+(?:\.\d+)?) seconds?"),
        False,
        lambda m, s: lambda r: r.seconds < float(m[1]),
    ),
]
_OUTCOMES = {
    "runs": Outcome.CLEAN,
    "exits": Outcome.EXITS,
    "dies": Outcome.DIES,
    "hangs": Outcome.HANGS,
}
# conditions on where and how the script is used, not on its run
_START_METHOD = re.compile(r"start-method(?P<methods>(?: (?:fork|forkserver|spawn))+)")
_REPORTED = re.compile(r"reported (?P<count>\d+) times")


def _form(statement: str) -> tuple[str, list[str]]:
    """The statement's form (its words, each string written as a lone `"`) and its strings."""
    words: list[str] = []
    strings: list[str] = []
    end = 0
    for token in _TOKEN.finditer(statement):
        if statement[end : token.start()].strip():
            break
        end = token.end()
        if token["string"] is None:
            words.append(token["word"])
        else:
            words.append('"')
            strings.append(token["string"])
    if statement[end:].strip():
        raise HeaderError(f"unbalanced quotes in {statement!r}")
    return " ".join(words), strings


def _header(name: str, text: str) -> list[str]:
    """The statements of the header (the ``# witness:`` lines that open the file)."""
    lines = text.splitlines()
    header: list[str] = []
    for line in lines:
        if not line.startswith(HEADER_MARK):
            break
        header.append(line[len(HEADER_MARK) :].strip())
    if not header:
        raise HeaderError(f"{name}: no header (the file must open with `{HEADER_MARK}` lines)")
    for number, line in enumerate(lines[len(header) :], start=len(header) + 1):
        if _STRAY_MARK.match(line):
            raise HeaderError(f"{name}:{number}: a witness line outside the header: {line!r}")
    return header


@dataclass(frozen=True)
class Statement:
    """One header statement, parsed."""

    form: str  # its words, each string written as a lone `"`
    check: Check | None  # None for the conditions that are not checked on the run
    needs_output: bool = False  # it needs some output to be present: it corroborates a hang

    @property
    def is_outcome(self) -> bool:
        return self.form.split(" ", 1)[0] in _OUTCOMES


def parse_statement(statement: str) -> Statement:
    """One statement of a header (the text after ``# witness:``); HeaderError if malformed."""
    form, strings = _form(statement)
    if _START_METHOD.fullmatch(form) or _REPORTED.fullmatch(form) or form == "notebook":
        return Statement(form, None)
    for pattern, needs_output, test in STATEMENTS:
        if match := pattern.fullmatch(form):
            return Statement(form, Check(statement, test(match, strings)), needs_output)
    raise HeaderError(f"not a witness statement: {statement!r}")


def parse_header(name: str, text: str) -> Expectation:
    """What the header of witness ``name`` (its text) promises; HeaderError if none or malformed."""
    named = NAME.fullmatch(name)
    if named is None:
        raise HeaderError(f"{name}: not a witness name (CODE_bad*.py or CODE_good*.py)")
    statements: list[Statement] = []
    for number, line in enumerate(_header(name, text), start=1):
        try:
            statements.append(parse_statement(line))
        except HeaderError as error:
            raise HeaderError(f"{name}:{number}: {error}") from None
    outcomes = [statement for statement in statements if statement.is_outcome]
    checks = [s.check for s in statements if s.check is not None and not s.is_outcome]
    start_methods = [m["methods"] for s in statements if (m := _START_METHOD.fullmatch(s.form))]
    reports = [int(m["count"]) for s in statements if (m := _REPORTED.fullmatch(s.form))]
    if len(outcomes) != 1:
        raise HeaderError(
            f"{name}: {len(outcomes)} outcomes; the header needs exactly one "
            "(runs clean, exits N, dies, hangs)"
        )
    if len(start_methods) > 1 or len(reports) > 1:
        raise HeaderError(f"{name}: start-method and reported may each be given once")
    outcome = outcomes[0]
    assert outcome.check is not None
    if named["kind"] == "good":
        if outcome.form not in ("runs clean", "exits 0"):
            raise HeaderError(f"{name}: a good script runs clean or exits 0")
        if reports:
            raise HeaderError(f"{name}: `reported` is for bad scripts (the rule is never reported)")
    kind = _OUTCOMES[outcome.form.split(" ", 1)[0]]
    if kind is Outcome.HANGS and not any(statement.needs_output for statement in statements):
        raise HeaderError(
            f"{name}: a hang must be corroborated by output that is present "
            "(hangs after, prints, value, stderr has, ...), not by the timeout alone"
        )
    return Expectation(
        name=name,
        outcome=kind,
        checks=(outcome.check, *checks),
        start_methods=tuple(start_methods[0].split()) if start_methods else (),
        reports=reports[0] if reports else 1,
        notebook=any(statement.form == "notebook" for statement in statements),
    )


@functools.cache
def read_header(name: str) -> Expectation:
    """What the header of ``tests/witnesses/<name>`` promises."""
    return parse_header(name, (WITNESS_DIR / name).read_text(encoding="utf-8"))


# --- running -----------------------------------------------------------------------------------


def _kill_group(pgid: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, signal.SIGKILL)


def run_witness(name: str, timeout: float = TIMEOUT) -> Run:
    """Run one witness script in a fresh interpreter and its own process group.

    A script still running after ``timeout`` seconds is killed with everything it started
    (``Run.timed_out``): that is how a promised hang is observed.
    """
    path = WITNESS_DIR / name
    if read_header(name).notebook:
        return run_script(
            name,
            [sys.executable, "-c", NOTEBOOK_KERNEL],
            WITNESS_DIR,
            timeout,
            path.read_text("utf-8"),
        )
    return run_script(name, [sys.executable, str(path)], WITNESS_DIR, timeout)


#: How a ``notebook`` witness runs: its code executed in ``__main__``, which has no ``__file__``, as in
#: a Jupyter kernel (``python -`` would not do: it sets ``__file__`` to ``<stdin>``).
NOTEBOOK_KERNEL = "import sys; exec(compile(sys.stdin.read(), '<cell>', 'exec'))"


def run_script(
    name: str, argv: list[str], cwd: Path, timeout: float = TIMEOUT, stdin: str | None = None
) -> Run:
    """Run ``argv`` (a Python script, however started) as ``run_witness`` runs a witness."""
    env = dict(os.environ)
    env.pop("PYTHONOPTIMIZE", None)  # some promised failures are `assert`s in the stdlib
    # Keep stderr line-buffered: then each process writes whole lines, and the
    # tracebacks of concurrent processes interleave only line by line.
    env.pop("PYTHONUNBUFFERED", None)
    start = time.monotonic()
    with subprocess.Popen(
        argv,
        stdin=subprocess.DEVNULL if stdin is None else subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=cwd,
        env=env,
        start_new_session=True,
    ) as proc:
        try:
            try:
                stdout, stderr = proc.communicate(stdin, timeout=timeout)
                timed_out = False
            except subprocess.TimeoutExpired:
                _kill_group(proc.pid)
                stdout, stderr = proc.communicate()
                timed_out = True
        finally:
            _kill_group(proc.pid)  # reap anything the script left behind
    return Run(
        name=name,
        returncode=None if timed_out else proc.returncode,
        stdout=stdout,
        stderr=stderr,
        timed_out=timed_out,
        seconds=time.monotonic() - start,
    )


class SharedRuns:
    """Runs shared by the pytest-xdist workers of one session, through files in a directory they all
    see: a run is claimed (its claim file created, which only one worker can do), then published."""

    def __init__(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        self._directory = directory

    @staticmethod
    def for_session(config: pytest.Config, name: str) -> SharedRuns | None:
        """The shared runs called ``name`` of this session's xdist workers; None outside xdist."""
        shared = xdist_shared_dir(config)
        return None if shared is None else SharedRuns(shared / name)

    def _path(self, key: str, suffix: str) -> Path:
        return self._directory / f"{re.sub(r'[^A-Za-z0-9_.-]', '_', key)}{suffix}"

    def claim(self, key: str) -> bool:
        """Whether this worker is the one to run ``key`` (the first to ask)."""
        try:
            os.close(os.open(self._path(key, ".claim"), os.O_CREAT | os.O_EXCL | os.O_WRONLY))
        except FileExistsError:
            return False
        return True

    def publish(self, key: str, run: Run) -> None:
        partial = self._path(key, f".{os.getpid()}.partial")
        partial.write_text(json.dumps(asdict(run)), encoding="utf-8")
        partial.replace(self._path(key, ".json"))

    def wait(self, key: str, timeout: float) -> Run | None:
        """The run another worker claimed, once published; None if it is not within ``timeout``
        seconds past the run's own timeout (that worker died), so that the caller runs it."""
        path = self._path(key, ".json")
        deadline = time.monotonic() + timeout + TIMEOUT
        while not path.exists():
            if time.monotonic() > deadline:
                return None
            time.sleep(0.05)
        return Run(**json.loads(path.read_text(encoding="utf-8")))

    def run_once(self, key: str, timeout: float, run: Callable[[], Run]) -> Run | None:
        """``run()`` if this worker claims ``key``, its run published; None if another worker did."""
        if not self.claim(key):
            return None
        result = run()
        self.publish(key, result)
        return result


def settle(
    future: Future[Run | None],
    shared: SharedRuns | None,
    key: str,
    timeout: float,
    run: Callable[[], Run],
) -> Run:
    """The run of ``key``: this worker's (``future``), or the one another worker published."""
    found = future.result()
    if found is None and shared is not None:
        found = shared.wait(key, timeout)
    return found if found is not None else run()


class Runs:
    """Witness runs, each started at most once, several at a time; indexing waits for one."""

    def __init__(self, max_parallel: int = MAX_PARALLEL, shared: SharedRuns | None = None) -> None:
        self._pool = ThreadPoolExecutor(max_parallel, thread_name_prefix="witness")
        self._futures: dict[str, Future[Run | None]] = {}
        self._shared = shared

    def start(self, names: Iterable[str]) -> None:
        """Start the runs of ``names`` that can run here, the promised hangs first."""
        expectations: list[Expectation] = []
        for name in names:
            with contextlib.suppress(HeaderError, OSError):  # the test itself reports these
                expectations.append(read_header(name))
        expectations.sort(key=lambda expected: expected.outcome is not Outcome.HANGS)
        for expected in expectations:
            if not expected.missing_start_methods():
                self._submit(expected)

    def _submit(self, expected: Expectation) -> Future[Run | None]:
        if expected.name not in self._futures:
            task: Callable[[], Run | None] = self._task(expected)
            if self._shared is not None:
                task = functools.partial(
                    self._shared.run_once, expected.name, expected.timeout, task
                )
            self._futures[expected.name] = self._pool.submit(task)
        return self._futures[expected.name]

    @staticmethod
    def _task(expected: Expectation) -> Callable[[], Run]:
        return functools.partial(run_witness, expected.name, expected.timeout)

    def __getitem__(self, name: str) -> Run:
        expected = read_header(name)
        missing = expected.missing_start_methods()
        if missing:
            pytest.skip(f"{name} needs the start method(s) {', '.join(missing)}")
        future = self._submit(expected)
        return settle(future, self._shared, name, expected.timeout, self._task(expected))

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)


_session_runs: list[Runs] = []


def _selected_witnesses(session: pytest.Session) -> list[str]:
    """The witness of each selected test that asks for ``runs`` (its ``witness`` parameter)."""
    names: list[str] = []
    for item in session.items:
        params: dict[str, object] = getattr(getattr(item, "callspec", None), "params", {})
        name = params.get("witness")
        if isinstance(name, str) and "runs" in getattr(item, "fixturenames", ()):
            names.append(name)
    return names


def session_runs(session: pytest.Session) -> Iterator[Runs]:
    """The body of each witness module's session-scoped ``runs`` fixture.

    Every module gets the same ``Runs``; the first to ask starts the scripts of every selected
    test (those parametrized with a ``witness`` file name), so that all of them run side by side.
    """
    if not _session_runs:
        runs = Runs(shared=SharedRuns.for_session(session.config, "witness-runs"))
        runs.start(_selected_witnesses(session))
        _session_runs.append(runs)
    runs = _session_runs[0]
    yield runs
    if _session_runs and _session_runs[0] is runs:
        _session_runs.clear()
        runs.close()
