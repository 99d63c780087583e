"""Checking many files: the byte prefilter, the cache, and worker processes for large runs.

For each candidate file the parent reads its bytes once. Files that cannot hold a finding (the prefilter)
cost nothing more; files whose results are cached are answered from the cache; the rest are linted —
in this process for small runs, or in worker processes (``--jobs``, default: the number of cores) when
there is enough work to pay for starting them. None of this changes a result: tests compare runs with
and without each of them.

Worker processes are started with the ``spawn`` method from a guarded entry point (``mplint`` and
``python -m mplint`` both run ``main()`` under ``if __name__ == "__main__"``), so this works the same on
Linux, macOS and Windows.
"""

from __future__ import annotations

import contextlib
import difflib
import os
import re
import signal
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Callable, Optional

from mplint.cache import Cache, Stamp, StatIndex
from mplint.diagnostics import IO_ERROR, Diagnostic, Severity
from mplint.files import Candidate, could_have_findings_bytes
from mplint.notebook import is_notebook_path
from mplint.progress import Progress
from mplint.settings import Config
from mplint.source import SourceError, SourceFile, decode_source, write_source
from mplint.suppression import unknown_noqa_codes
from mplint.text import split_lines_keepends

if TYPE_CHECKING:
    from mplint.project import Dependency, Project

__all__ = [
    "FileResult",
    "Options",
    "OverBudget",
    "check_files",
    "check_notebook",
    "check_text",
    "io_diagnostic",
    "time_limit",
]

#: Start worker processes only when at least this much source is left to lint.
PARALLEL_MIN_BYTES = 400_000
PARALLEL_MIN_FILES = 4


@dataclass(frozen=True)
class Options:
    fix: bool = False
    unsafe_fixes: bool = False
    diff: bool = False

    @property
    def fixing(self) -> bool:
        return self.fix or self.diff


@dataclass
class FileResult:
    path: str
    diagnostics: list[Diagnostic]
    fixed: int = 0
    applied: list[Diagnostic] = field(default_factory=list)
    diff: str = ""
    fixed_text: Optional[str] = None
    source_text: Optional[str] = None
    #: with fix options: the diagnostics of the file as it was, before any fix
    found: int = 0
    #: (line, code): rule codes in the noqa comments that mplint does not know
    noqa_warnings: list[tuple[int, str]] = field(default_factory=list)
    #: a notebook's code cells, keyed ``path:cell N`` (the full format shows them)
    cell_sources: dict[str, str] = field(default_factory=dict)
    #: the modules of the project the results depend on (``mplint.project``)
    dependencies: tuple[Dependency, ...] = ()


def io_diagnostic(path: str, message: str) -> Diagnostic:
    return Diagnostic(
        path=path,
        code=IO_ERROR,
        name="io-error",
        message=message,
        severity=Severity.ERROR,
        line=1,
        column=1,
        end_line=1,
        end_column=1,
    )


def check_text(
    display: str,
    source: SourceFile,
    config: Config,
    options: Options,
    *,
    explicit: bool = True,
    project: Optional[Project] = None,
) -> FileResult:
    """Lint (and with fix options, fix) one decoded file; nothing is written here. A notebook
    (``.ipynb``) is checked cell by cell (``mplint.notebook_check``). A check that takes longer than
    ``config.file_time_limit`` is abandoned: the result is ``MPL005`` alone. ``project`` answers the
    names a Python file imports from its tree; the result lists the modules it consulted."""
    # Imports and the rule registry are loaded before the clock starts: never interrupted halfway.
    from mplint.engine import budget_diagnostic, rules_for

    rules_for(display, config)
    try:
        with time_limit(config.file_time_limit):
            return _check_text(display, source, config, options, explicit, project)
    except OverBudget:
        problem = f"its check was abandoned after {config.file_time_limit:g} s, the time limit"
        failure = budget_diagnostic(display, problem, "file-time-limit")
        return FileResult(display, [failure], source_text=source.text)


class OverBudget(BaseException):
    """Raised in the main thread when the time a file's check may take runs out.

    A ``BaseException``, so that no ``except Exception`` on the way (a rule's guard, the engine's
    internal-error report) takes it for a crash: it goes straight up to :func:`check_text`.
    """


@contextlib.contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Raise :class:`OverBudget` in the block once ``seconds`` have passed (0: no limit).

    A POSIX interval timer (``SIGALRM``) interrupts Python code wherever it is, a rule's loop or the
    model's inference, so a check that would run for minutes ends on time; a long call into native code
    (libcst's parser) ends first. The timer exists only in the main thread of a POSIX process (the
    command line and its worker processes); elsewhere (Windows, a thread) there is no time limit, nor
    when the process already has a timer running (a caller's own, such as a test runner's timeout).
    """
    usable = (
        seconds > 0
        and hasattr(signal, "setitimer")
        and threading.current_thread() is threading.main_thread()
        and signal.getitimer(signal.ITIMER_REAL)[0] == 0
    )
    if not usable:
        yield
        return

    def expire(signum: int, frame: object) -> None:
        raise OverBudget

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _check_text(
    display: str,
    source: SourceFile,
    config: Config,
    options: Options,
    explicit: bool,
    project: Optional[Project] = None,
) -> FileResult:
    from mplint.engine import lint_source
    from mplint.fixes import fix_source

    if is_notebook_path(display):
        return check_notebook(display, source.text, config, options, explicit=explicit)

    if project is not None:
        project.forget(display)
    diagnostics = lint_source(display, source.text, config, project=project)
    dependencies = project.dependencies(display) if project is not None else ()
    if not options.fixing or not any(
        d.fix is not None and d.fix.applies(options.unsafe_fixes) for d in diagnostics
    ):
        return FileResult(
            display,
            diagnostics,
            source_text=source.text,
            found=len(diagnostics),
            dependencies=dependencies,
        )
    found = len(diagnostics)
    result = fix_source(display, source.text, config, unsafe=options.unsafe_fixes, project=project)
    diagnostics = list(result.remaining)
    if result.error is not None:
        diagnostics.append(io_diagnostic(display, f"fix not applied: {result.error}"))
    out = FileResult(display, diagnostics, source_text=source.text, found=found)
    if not result.changed:
        return out
    out.fixed = len(result.applied)
    out.applied = list(result.applied)
    out.fixed_text = result.text
    if options.diff:
        out.diff = unified_diff(display, source.text, result.text)
    return out


def unified_diff(display: str, before: str, after: str) -> str:
    """A unified diff as git prints it (``a/``/``b/`` for relative paths, the no-newline marker)."""
    absolute = os.path.isabs(display)
    lines = difflib.unified_diff(
        split_lines_keepends(before),
        split_lines_keepends(after),
        fromfile=display if absolute else f"a/{display}",
        tofile=display if absolute else f"b/{display}",
    )
    out: list[str] = []
    for line in lines:
        if line.endswith(("\n", "\r")):
            out.append(line)
        else:
            out.append(line + "\n\\ No newline at end of file\n")
    return "".join(out)


def check_notebook(
    display: str, text: str, config: Config, options: Options, *, explicit: bool = True
) -> FileResult:
    """Lint (and with fix options, fix) one notebook's JSON text; nothing is written here.

    A file that is not a checkable notebook gets one diagnostic saying why; a notebook of another
    language found by a directory walk is skipped silently (it is not Python), named explicitly it is
    reported."""
    from mplint.engine import lint_source
    from mplint.fixes import fix_source
    from mplint.notebook import NotebookError, read_notebook
    from mplint.notebook_check import alters_ipython, cell_sources, notebook_error, to_cells

    try:
        notebook = read_notebook(text)
    except NotebookError as error:
        if not explicit and error.foreign:
            return FileResult(display, [])
        return FileResult(display, [notebook_error(display, error)])
    found = lint_source(display, notebook.python, config)
    diagnostics = [to_cells(notebook, d) for d in found]
    sources = cell_sources(display, notebook)
    # fixes that would write over IPython syntax are not offered (``to_cells`` drops them too)
    eligible = [
        d
        for d in found
        if (d.fix is not None and d.fix.applies(options.unsafe_fixes))
        and not alters_ipython(notebook, d.fix)
    ]
    if not options.fixing or not eligible:
        return FileResult(display, diagnostics, found=len(found), cell_sources=sources)
    result = fix_source(
        display, notebook.python, config, unsafe=options.unsafe_fixes, only=eligible
    )
    if not result.changed:
        remaining = [to_cells(notebook, d) for d in result.remaining]
        if result.error is not None:
            remaining.append(io_diagnostic(display, f"fix not applied: {result.error}"))
        return FileResult(display, remaining, found=len(found), cell_sources=sources)
    try:
        fixed_text, _ = notebook.rewrite(result.text)
        fixed = read_notebook(fixed_text)
    except NotebookError as error:
        refused = io_diagnostic(display, f"fix not applied: {error}")
        return FileResult(display, [*diagnostics, refused], found=len(found), cell_sources=sources)
    # the positions of what is left, in the notebook as written (cells, not the joined module)
    remaining = [to_cells(fixed, d) for d in lint_source(display, fixed.python, config)]
    out = FileResult(
        display, remaining, found=len(found), cell_sources=cell_sources(display, fixed)
    )
    out.fixed = len(result.applied)
    out.applied = [to_cells(notebook, d) for d in result.applied]
    out.fixed_text = fixed_text
    if options.diff:
        out.diff = notebook.cell_diff(display, fixed_text) or unified_diff(
            display, text, fixed_text
        )
    return out


@dataclass(frozen=True)
class _Job:
    path: str
    display: str
    config: Config
    options: Options
    data: bytes
    cache_key: Optional[str]
    explicit: bool = True
    #: the results cache's directory, where the project's summaries are kept too
    cache_dir: Optional[str] = None


def _read(path: str, display: str) -> tuple[Optional[bytes], Optional[FileResult]]:
    try:
        with open(path, "rb") as handle:
            return handle.read(), None
    except IsADirectoryError:
        return None, FileResult(display, [io_diagnostic(display, "is a directory, not a file")])
    except FileNotFoundError:
        return None, FileResult(
            display, [io_diagnostic(display, "vanished before it could be read")]
        )
    except PermissionError:
        return None, FileResult(display, [io_diagnostic(display, "permission denied")])
    except OSError as error:
        return None, FileResult(display, [io_diagnostic(display, f"cannot read: {error.strerror}")])


def _run_job(job: _Job) -> FileResult:
    """Decode, lint or fix, and write a fixed file (in a worker process or in the parent)."""
    try:
        return _run_job_unguarded(job)
    except Exception as error:  # one bad file never stops the others
        from mplint.diagnostics import INTERNAL_ERROR

        failure = io_diagnostic(job.display, f"internal error: {type(error).__name__}: {error}")
        return FileResult(
            job.display, [replace(failure, code=INTERNAL_ERROR, name="internal-error")]
        )


def _run_job_unguarded(job: _Job) -> FileResult:
    try:
        text, encoding = decode_source(job.data, job.path)
    except SourceError as error:
        return FileResult(job.display, [io_diagnostic(job.display, str(error))])
    import hashlib

    from mplint.project import project_for

    source = SourceFile(job.path, text, encoding, hashlib.sha256(job.data).hexdigest())
    project = project_for(job.path, job.cache_dir, job.config.default_start_method)
    result = check_text(
        job.display, source, job.config, job.options, explicit=job.explicit, project=project
    )
    if result.fixed_text is not None and job.options.fix and not job.options.diff:
        try:
            write_source(source, result.fixed_text)
        except (SourceError, OSError) as error:
            result.diagnostics.append(io_diagnostic(job.display, f"fix not written: {error}"))
            result.fixed = 0
    return result


def check_files(
    candidates: Sequence[Candidate],
    config_for: Callable[[str], Config],
    options: Options,
    *,
    jobs: Optional[int] = None,
    cache: Optional[Cache] = None,
    progress: Optional[Progress] = None,
) -> list[FileResult]:
    """Results for every candidate, in the candidates' order. ``progress`` is told how many files are
    left to lint (after the prefilter and the cache) and when each is done."""
    results: list[Optional[FileResult]] = [None] * len(candidates)
    pending: list[tuple[int, _Job]] = []
    noqa_by_index: dict[int, list[tuple[int, str]]] = {}
    use_cache = cache is not None and not options.fixing
    stat_cache = cache if use_cache else None
    index_of = stat_cache.stat_index() if stat_cache is not None else None
    stamps: dict[int, tuple[Optional[Stamp], str]] = {}
    for index, candidate in enumerate(candidates):
        display = os.path.normpath(candidate.path)
        config = config_for(candidate.path)
        if stat_cache is not None and index_of is not None:
            # the stamp before the read: a change after it shows as a new stamp next time
            stamp, settings = StatIndex.stamp(candidate.path), stat_cache.settings_digest(config)
            known = _from_stamp(stat_cache, index_of, display, candidate.path, stamp, settings)
            if known is not None:
                results[index] = known
                continue
            stamps[index] = (stamp, settings)
        data, failure = _read(candidate.path, display)
        if failure is not None or data is None:
            results[index] = failure
            continue
        notebook = is_notebook_path(display)
        # a notebook is always read: one that is not valid JSON is reported, whatever its words
        warnings = [] if notebook else _noqa_warnings(data, candidate.path)
        if not notebook and not could_have_findings_bytes(data):
            starter, depends = _imports_starter(candidate.path, display, data, config, cache)
            if not starter:
                results[index] = FileResult(display, [], noqa_warnings=warnings)
                if index_of is not None and cache is not None:
                    # the answer depends on modules of the project: kept with them, checked
                    # against them next time
                    empty = None
                    if depends:
                        empty = cache.key(display, data, config)
                        cache.put(empty, [], depends)
                    index_of.record(display, stamps[index][0], stamps[index][1], empty, warnings)
                continue
        key = None
        if use_cache and cache is not None:
            key = cache.key(display, data, config)
            hit = cache.get(key)
            if hit is not None:
                # the text too: the full format shows the code around each finding and its fix
                text = _text_of(data, candidate.path) if hit else None
                cached = FileResult(
                    display, hit, source_text=text, found=len(hit), noqa_warnings=warnings
                )
                if notebook and text is not None:
                    cached = _notebook_hit(cached, text)
                if index_of is not None:
                    index_of.record(display, stamps[index][0], stamps[index][1], key, warnings)
                results[index] = cached
                continue
        job = _Job(
            candidate.path,
            display,
            config,
            options,
            data,
            key,
            candidate.explicit,
            str(cache.directory) if cache is not None else None,
        )
        pending.append((index, job))
        noqa_by_index[index] = warnings
    by_index = dict(pending)
    if progress is not None:
        progress.start(len(pending))
    for index, result in _execute(pending, jobs):
        if progress is not None:
            progress.advance()
        result.noqa_warnings = noqa_by_index.get(index, [])
        results[index] = result
        job = by_index[index]
        if cache is not None and job.cache_key is not None and not _has_meta(result):
            cache.put(job.cache_key, result.diagnostics, result.dependencies)
            if index_of is not None:
                stamp, settings = stamps[index]
                index_of.record(job.display, stamp, settings, job.cache_key, result.noqa_warnings)
    if cache is not None:
        cache.save()
    return [r for r in results if r is not None]


def _imports_starter(
    path: str, display: str, data: bytes, config: Config, cache: Optional[Cache]
) -> tuple[bool, tuple[Dependency, ...]]:
    """A file the byte prefilter turns away may still call a function of another module of its
    project that starts processes, or use objects of a modelled kind made there
    (``Project.may_have_findings``): whether it may, and the modules of the project the answer
    depends on. Only a file with an import line is asked about."""
    if b"import" not in data:
        return False, ()
    from mplint.project import project_for

    text = _text_of(data, path)
    if text is None:
        return False, ()
    directory = str(cache.directory) if cache is not None else None
    project = project_for(path, directory, config.default_start_method)
    project.forget(display)
    starter = project.may_have_findings(display, text)
    return starter, project.dependencies(display)


def _notebook_hit(result: FileResult, text: str) -> FileResult:
    """A cached notebook's result: the cells' code for the full format instead of the JSON text."""
    from mplint.notebook import NotebookError, read_notebook
    from mplint.notebook_check import cell_sources

    try:
        notebook = read_notebook(text)
    except NotebookError:
        return result
    return replace(result, source_text=None, cell_sources=cell_sources(result.path, notebook))


def _from_stamp(
    cache: Cache,
    index_of: StatIndex,
    display: str,
    path: str,
    stamp: Optional[Stamp],
    settings: str,
) -> Optional[FileResult]:
    """The result of a file whose stamp is the one it was last read with, without reading it (the
    text only when there are findings to show); None when it must be read."""
    known = index_of.lookup(display, stamp, settings)
    if known is None:
        return None
    key, warnings = known
    if key is None:  # the byte prefilter turned it away
        return FileResult(display, [], noqa_warnings=warnings)
    hit = cache.get(key)
    if hit is None:
        return None
    text = None
    if hit:
        data, _ = _read(path, display)
        text = _text_of(data, path) if data is not None else None
    result = FileResult(display, hit, source_text=text, found=len(hit), noqa_warnings=warnings)
    if is_notebook_path(display) and text is not None:
        result = _notebook_hit(result, text)
    return result


_NOQA_MPL = re.compile(rb"noqa[^\n]*MPL", re.IGNORECASE)


def _noqa_warnings(data: bytes, path: str) -> list[tuple[int, str]]:
    """Unknown ``MPLnnn`` codes in the file's ``# noqa`` comments (only files that have such a
    comment are decoded and tokenized)."""
    lowered = data.lower()  # a quick test first: most files have no noqa for an MPL code
    if b"noqa" not in lowered or b"mpl" not in lowered or not _NOQA_MPL.search(data):
        return []
    text = _text_of(data, path)
    return unknown_noqa_codes(text) if text is not None else []


def _text_of(data: bytes, path: str) -> Optional[str]:
    try:
        return decode_source(data, path)[0]
    except SourceError:
        return None


def _has_meta(result: FileResult) -> bool:
    # I/O and internal errors are not cached: the next run should try again.
    return any(d.is_meta and d.code != "MPL001" for d in result.diagnostics)


def _execute(
    pending: list[tuple[int, _Job]], jobs: Optional[int]
) -> Iterator[tuple[int, FileResult]]:
    workers = jobs if jobs is not None else (os.cpu_count() or 1)
    total = sum(len(job.data) for _, job in pending)
    if workers <= 1 or len(pending) < PARALLEL_MIN_FILES or total < PARALLEL_MIN_BYTES:
        for index, job in pending:
            yield index, _run_job(job)
        return
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor, as_completed

    # Largest files first, so that the last file to finish is a small one; each result as it comes.
    ordered = sorted(pending, key=lambda item: -len(item[1].data))
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=min(workers, len(ordered)), mp_context=context) as pool:
        futures = {pool.submit(_run_job, job): index for index, job in ordered}
        for future in as_completed(futures):
            yield futures[future], future.result()
