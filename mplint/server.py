"""The language server: ``mplint server`` speaks the Language Server Protocol on stdio (pygls 2).

It is a thin front door over :func:`mplint.engine.lint_source` and :func:`mplint.fixes.fix_source`; nothing
rule-specific lives here. Only ``mplint server`` imports this module, so the CLI never needs pygls.

What it offers:

- diagnostics on open, on change and on save, for the editor's unsaved text; cleared when the problems are
  fixed or the document is closed. A change is linted at once when the document is idle; changes that
  arrive while it is being linted coalesce into one lint of the latest version, and only the latest
  version's diagnostics are published;
- code actions: one ``quickfix`` per fixable diagnostic (unsafe fixes as separate actions titled
  "… (unsafe)"), "Disable MPLxxx for this line" (merged into an existing ``# noqa`` list), and
  ``source.fixAll.mplint`` (every safe fix, verified by ``fix_source``; computed on ``codeAction/resolve``
  when the client supports it, so the cheap cursor-move requests never run the fixer);
- hover on a code in a ``# noqa: MPLxxx`` comment: the rule's name, summary and documentation link.

Positions: the engine counts 1-based lines and code points. The server keeps its own copy of every open
document (full-text sync), split into lines the way LSP and the Python tokenizer do (``\\r\\n``, ``\\r``,
``\\n``; not ``str.splitlines``, which also breaks at form feeds and U+2028), maps the engine's positions to
offsets exactly as ``apply_edits`` does, and converts columns to the negotiated position encoding (UTF-16
unless the client offers UTF-8 or UTF-32).

Configuration: the nearest ``pyproject.toml`` with ``[tool.mplint]`` above the document, cached by the
modification time and size of every ``pyproject.toml`` on the way up (so an edited, new or deleted file is
picked up on the next lint without relying on file watchers; ``workspace/didChangeWatchedFiles`` and saving a
``pyproject.toml`` re-lint the open documents). Settings from the client (``initializationOptions``,
``workspace/configuration`` section ``mplint``, or the payload of ``workspace/didChangeConfiguration``), with
the keys of ``[tool.mplint]`` (``select``, ``ignore``, ``extend-select``, ``preview``, ``start-method`` …;
camelCase and snake_case spellings are accepted), override the file's. A broken ``pyproject.toml`` is shown
as a message and a diagnostic on that file, and the defaults are used.

Concurrency: lints and fix-alls run in a small pool of worker processes (``spawn``), so the event loop keeps
answering hover and code actions while a large file is linted (libcst's native parser holds the GIL for a
whole parse, so a thread would stall it), and a crash in native code costs a worker, not the server: the
pool is replaced and the job retried once. Where processes cannot be started, threads are used instead. At
most one lint per document runs at a time; a result that is stale when it arrives is not published.
"""

from __future__ import annotations

import asyncio
import bisect
import contextlib
import difflib
import enum
import logging
import multiprocessing
import os
import re
import sys
import threading
from collections.abc import Iterable, Sequence
from concurrent.futures import (
    BrokenExecutor,
    Executor,
    Future,
    ProcessPoolExecutor,
    ThreadPoolExecutor,
)
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Optional, TypeVar

from lsprotocol import types
from pygls.lsp.server import LanguageServer
from pygls.uris import from_fs_path, to_fs_path

from mplint import __version__
from mplint.config import Config, ConfigError, apply_settings, find_config_file, load_config
from mplint.diagnostics import (
    INTERNAL_ERROR,
    META_CODES,
    Applicability,
    Diagnostic,
    Edit,
    Severity,
)
from mplint.engine import META_URL, lint_source, start_worker, use_chunk_cache
from mplint.fixes import fix_source
from mplint.fixes import line_starts as _engine_line_starts
from mplint.fixes import offset_of as _engine_offset
from mplint.registry import all_rules, rule_by_code
from mplint.suppression import FILE_NOQA_RE, NOQA_RE, add_noqa_codes

__all__ = ["DEBOUNCE_SECONDS", "FIX_ALL_KIND", "MplintLanguageServer", "create_server", "serve"]

log = logging.getLogger(__name__)
_T = TypeVar("_T")

#: Quiet time after a change before the document is linted again. Zero: a lint starts at once, and changes
#: made while a lint runs wait behind it, replacing each other (see ``schedule``), so no fixed delay is
#: added to every answer.
DEBOUNCE_SECONDS = 0.0
#: The code action kind of "apply every safe fix" (``editor.codeActionsOnSave`` in VS Code).
FIX_ALL_KIND = "source.fixAll.mplint"
SOURCE = "mplint"
SECTION = "mplint"
#: How long a lint waits for the client's settings after ``initialized`` before using what it has.
_SETTINGS_TIMEOUT = 5.0
#: Lints and fixes run in this many worker processes (``spawn``). Not threads: libcst's native parser holds
#: the GIL for a whole parse (about a second for 10,000 lines), which would stall hover and code actions,
#: and a native crash would take the server down with it. Threads are the fallback where processes cannot
#: be started.
WORKERS = 2
# The engine raises the recursion limit around each parse and restores it afterwards; with several lint
# threads (the fallback) one thread's restore would cut another's parse short. The server raises it once.
_RECURSION_LIMIT = 6000
# Deep recursion in worker threads needs more than the platform's default thread stack (512 KiB on macOS).
_THREAD_STACK = 64 * 1024 * 1024
_WARM_UP = "import multiprocessing\n"
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_CODE = re.compile(r"[A-Z]+[0-9]+", re.IGNORECASE)
_TOML_POSITION = re.compile(r"at line (\d+), column (\d+)")
_PYTHON_SUFFIXES = (".py", ".pyi", ".pyw")
_ENCODINGS = ("utf-8", "utf-16", "utf-32")


# --- text and positions ---------------------------------------------------------------------------------


def _units(text: str, encoding: str) -> int:
    """Length of ``text`` in the code units of ``encoding``."""
    if encoding == "utf-32" or text.isascii():
        return len(text)
    if encoding == "utf-16":
        return len(text.encode("utf-16-le", "surrogatepass")) // 2
    return len(text.encode("utf-8", "surrogatepass"))


def _chars(line: str, units: int, encoding: str) -> int:
    """How many code points of ``line`` fit in ``units`` code units (never splits a character)."""
    if encoding == "utf-32" or line.isascii():
        return max(0, min(units, len(line)))
    count = 0
    for index, char in enumerate(line):
        count += _units(char, encoding)
        if count > units:
            return index
    return len(line)


class _Text:
    """A document's text with its line starts (LSP line breaks: ``\\r\\n``, ``\\r`` and ``\\n``)."""

    __slots__ = ("_engine_starts", "_starts", "text")

    def __init__(self, text: str) -> None:
        self.text = text
        self._starts: Optional[list[int]] = None
        self._engine_starts: Optional[list[int]] = None

    @property
    def starts(self) -> list[int]:
        if self._starts is None:
            self._starts = [0, *(m.end() for m in _LINE_BREAK.finditer(self.text))]
        return self._starts

    def line_bounds(self, index: int) -> tuple[int, int]:
        """Offsets of the start and of the end (before the line break) of line ``index`` (0-based)."""
        starts = self.starts
        if index >= len(starts):
            return len(self.text), len(self.text)
        start = starts[max(index, 0)]
        if index + 1 < len(starts):
            end = starts[index + 1]
            end -= 2 if self.text.startswith("\r\n", end - 2) else 1
        else:
            end = len(self.text)
        return start, end

    def line(self, index: int) -> str:
        start, end = self.line_bounds(index)
        return self.text[start:end]

    def segments(self) -> list[str]:
        """The lines with their line breaks."""
        starts = self.starts
        out = [self.text[a:b] for a, b in zip(starts, starts[1:])]
        if starts[-1] < len(self.text):
            out.append(self.text[starts[-1] :])
        return out

    def offset(self, position: types.Position, encoding: str) -> int:
        if position.line >= len(self.starts):
            return len(self.text)
        start, end = self.line_bounds(position.line)
        return start + _chars(self.text[start:end], position.character, encoding)

    def position_at(self, offset: int, encoding: str) -> types.Position:
        offset = max(0, min(offset, len(self.text)))
        line = bisect.bisect_right(self.starts, offset) - 1
        start, end = self.line_bounds(line)
        return types.Position(
            line=line, character=_units(self.text[start : min(offset, end)], encoding)
        )

    def engine_offset(self, line: int, column: int) -> int:
        """Offset of the engine's 1-based line and 1-based code-point column.

        Counted exactly as ``apply_edits`` counts them, so that a quick fix changes what ``--fix`` would
        (the engine's line numbers can differ from the editor's: see ``fixes.line_starts``).
        """
        if self._engine_starts is None:
            self._engine_starts = _engine_line_starts(self.text)
        return _engine_offset(self._engine_starts, self.text, max(line, 1), max(column, 1))

    def engine_range(
        self, line: int, column: int, end_line: int, end_column: int, encoding: str
    ) -> types.Range:
        return types.Range(
            start=self.position_at(self.engine_offset(line, column), encoding),
            end=self.position_at(self.engine_offset(end_line, end_column), encoding),
        )

    def apply(self, change: types.TextDocumentContentChangeEvent, encoding: str) -> _Text:
        if isinstance(change, types.TextDocumentContentChangePartial):
            start = self.offset(change.range.start, encoding)
            end = max(start, self.offset(change.range.end, encoding))
            return _Text(self.text[:start] + change.text + self.text[end:])
        return _Text(change.text)


@dataclass(frozen=True)
class _Document:
    uri: str
    version: Optional[int]
    text: _Text
    language_id: str
    path: str  # what the engine is told (per-file-ignores, ``__main__.py``)
    directory: Optional[str]  # where the configuration search starts

    @property
    def is_python(self) -> bool:
        return self.language_id == "python" or self.path.endswith(_PYTHON_SUFFIXES)


@dataclass(frozen=True)
class _Result:
    source: str
    config: Config
    diagnostics: tuple[Diagnostic, ...]


@dataclass
class _ConfigEntry:
    stamp: tuple[tuple[str, int, int], ...]
    config: Config
    found: Optional[str] = None
    problem: Optional[str] = None


@dataclass
class _Settings:
    """The client's settings: from initializationOptions, then workspace/configuration (wins)."""

    initial: dict[str, Any] = field(default_factory=dict)
    workspace: dict[str, Any] = field(default_factory=dict)

    @property
    def effective(self) -> dict[str, Any]:
        return {**self.initial, **self.workspace}


# --- the worker pool ------------------------------------------------------------------------------------


class _WorkerDied(Exception):
    """The worker process died twice running one job (a native crash): the job is given up."""


def _threads() -> Executor:
    use_chunk_cache()  # the lints run in this process now
    return ThreadPoolExecutor(max_workers=WORKERS, thread_name_prefix="mplint-lint")


def _make_executor() -> Executor:
    """Worker processes running the engine's own functions (they never import pygls)."""
    try:
        return ProcessPoolExecutor(
            max_workers=WORKERS,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=start_worker,
        )
    except (ImportError, OSError, NotImplementedError, ValueError) as error:
        log.warning("cannot start worker processes (%s); linting in threads", error)
        return _threads()


def _internal_error(path: str, message: str) -> Diagnostic:
    return Diagnostic(
        path=path,
        code=INTERNAL_ERROR,
        name="internal-error",
        message=f"{message} (please report it)",
        severity=Severity.ERROR,
        line=1,
        column=1,
        end_line=1,
        end_column=1,
        url=META_URL,
    )


def _diff_edits(old: _Text, new: str, encoding: str) -> list[types.TextEdit]:
    """Line-wise minimal edits turning ``old`` into ``new``."""
    before = old.segments()
    after = _Text(new).segments()
    starts = [*old.starts[: len(before)], len(old.text)]
    edits: list[types.TextEdit] = []
    matcher = difflib.SequenceMatcher(None, before, after, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        edits.append(
            types.TextEdit(
                range=types.Range(
                    start=old.position_at(starts[i1], encoding),
                    end=old.position_at(starts[i2], encoding),
                ),
                new_text="".join(after[j1:j2]),
            )
        )
    return edits


def _settings_table(raw: object) -> dict[str, Any]:
    """The ``mplint`` settings in what a client sent, keys spelt as in ``[tool.mplint]``."""
    if not isinstance(raw, dict):
        return {}
    nested = raw.get(SECTION)
    if isinstance(nested, dict):
        raw = nested
    out: dict[str, Any] = {}
    for key, value in raw.items():
        if value is None:  # an editor's "unset"
            continue
        name = re.sub(r"(?<=[a-z0-9])([A-Z])", r"-\1", str(key)).lower().replace("_", "-")
        out[name] = value
    return out


def _validated(table: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """The valid settings, and an error message for each invalid one (the rest still apply)."""
    good: dict[str, Any] = {}
    errors: list[str] = []
    for key, value in table.items():
        try:
            apply_settings(Config(), {key: value}, "editor settings")
        except ConfigError as error:
            errors.append(str(error))
        else:
            good[key] = value
    return good, errors


def _stamp(directory: str) -> tuple[tuple[str, int, int], ...]:
    """(path, mtime, size) of every pyproject.toml from ``directory`` upward: changes when one does."""
    out: list[tuple[str, int, int]] = []
    current = Path(directory)
    for folder in (current, *current.parents):
        candidate = folder / "pyproject.toml"
        try:
            status = os.stat(candidate)
        except OSError:
            continue
        out.append((str(candidate), status.st_mtime_ns, status.st_size))
    return tuple(out)


def _kind(kind: object) -> str:
    return str(kind.value) if isinstance(kind, enum.Enum) else str(kind)


def _wanted(only: Optional[Sequence[object]], kind: str) -> bool:
    if not only:
        return True
    return any(kind == k or kind.startswith(k + ".") for k in map(_kind, only))


def _encoding(value: object) -> str:
    name = _kind(value).lower() if value is not None else "utf-16"
    return name if name in _ENCODINGS else "utf-16"


# --- the server ------------------------------------------------------------------------------------------


class MplintLanguageServer(LanguageServer):
    """The mplint language server's state: open documents, results, settings, configuration cache."""

    def __init__(self) -> None:
        super().__init__(
            "mplint",
            __version__,
            # Full, not Incremental: pygls applies incremental changes to its own copy first, counting
            # lines with str.splitlines, and clamps the change's positions *in place* while doing so; the
            # server's own copy would then receive corrupted ranges on lines after a form feed. A client
            # that sends ranges anyway is still handled correctly by ``_Text.apply``.
            text_document_sync_kind=types.TextDocumentSyncKind.Full,
        )
        self.encoding = "utf-16"
        self.documents: dict[str, _Document] = {}
        self.results: dict[str, _Result] = {}
        self.settings = _Settings()
        self._capabilities = types.ClientCapabilities()
        self._jobs: dict[str, asyncio.Task[None]] = {}
        self._running: set[asyncio.Task[None]] = set()
        self._locks: dict[str, asyncio.Lock] = {}
        self._configs: dict[str, _ConfigEntry] = {}
        self._config_problems: dict[str, str] = {}
        self._settings_errors: tuple[str, ...] = ()
        self._settings_ready: Optional[asyncio.Event] = None
        self._root: Optional[str] = None
        self._fix_all_cache: dict[str, tuple[str, Config, Optional[str], Optional[str]]] = {}
        self._executor = _make_executor()
        self._workers_ran = False

    # --- lifecycle ---------------------------------------------------------------------------------------

    def initialize(self, params: types.InitializeParams) -> None:
        self._capabilities = params.capabilities
        self.encoding = _encoding(self.workspace.position_encoding)
        self._settings_ready = asyncio.Event()
        root = params.root_uri or (from_fs_path(params.root_path) if params.root_path else None)
        if params.workspace_folders:
            root = params.workspace_folders[0].uri
        self._root = to_fs_path(root) if root else None
        self._set_settings(initial=_settings_table(params.initialization_options))
        with contextlib.suppress(Exception):  # a pool that cannot start shows up in ``_run``
            for _ in range(WORKERS):  # start the workers and load the engine before the first lint
                warm_up = self._executor.submit(lint_source, "warm-up.py", _WARM_UP, Config())
                warm_up.add_done_callback(self._warmed_up)

    async def initialized(self) -> None:
        try:
            if self._supports_configuration:
                await self._pull_settings()
        finally:
            if self._settings_ready is not None:
                self._settings_ready.set()
        await self._register_dynamic_capabilities()

    def _warmed_up(self, future: Future[list[Diagnostic]]) -> None:
        if not future.cancelled() and future.exception() is None:
            self._workers_ran = True  # a later crash is the document's, not the platform's

    def stop(self) -> None:
        for task in self._jobs.values():
            task.cancel()
        self._executor.shutdown(wait=False, cancel_futures=True)

    async def _run(self, function: Callable[..., _T], *args: Any) -> _T:
        """``function(*args)`` in a worker; a dead worker pool is replaced and the job tried once more.

        Where worker processes never manage to run a job (a platform without working ``spawn``), the
        server switches to threads for good.
        """
        loop = asyncio.get_running_loop()
        for _ in range(2):
            executor = self._executor
            try:
                result = await loop.run_in_executor(executor, function, *args)
            except (BrokenExecutor, OSError) as error:
                if executor is self._executor:  # the first job to notice replaces the pool
                    executor.shutdown(wait=False, cancel_futures=True)
                    if self._workers_ran:
                        self._executor = _make_executor()
                        self._log(
                            "a worker process died; started a new one", types.MessageType.Warning
                        )
                    else:
                        self._executor = _threads()
                        self._log(
                            f"worker processes do not start here ({error!r}); linting in threads",
                            types.MessageType.Warning,
                        )
                continue
            self._workers_ran = True
            return result
        raise _WorkerDied

    # --- capabilities ------------------------------------------------------------------------------------

    @property
    def _supports_configuration(self) -> bool:
        workspace = self._capabilities.workspace
        return bool(workspace and workspace.configuration)

    @property
    def _supports_document_changes(self) -> bool:
        workspace = self._capabilities.workspace
        edit = workspace.workspace_edit if workspace else None
        return bool(edit and edit.document_changes)

    @property
    def _supports_resolve_edit(self) -> bool:
        document = self._capabilities.text_document
        action = document.code_action if document else None
        support = action.resolve_support if action else None
        # The resolve request finds the document through the action's ``data``.
        return bool(support and "edit" in support.properties and action and action.data_support)

    @property
    def _hover_markdown(self) -> bool:
        document = self._capabilities.text_document
        hover = document.hover if document else None
        formats = hover.content_format if hover else None
        return formats is None or types.MarkupKind.Markdown in formats

    async def _register_dynamic_capabilities(self) -> None:
        workspace = self._capabilities.workspace
        registrations: list[types.Registration] = []
        watched = workspace.did_change_watched_files if workspace else None
        if watched and watched.dynamic_registration:
            registrations.append(
                types.Registration(
                    id="mplint-pyproject-watcher",
                    method=types.WORKSPACE_DID_CHANGE_WATCHED_FILES,
                    register_options=types.DidChangeWatchedFilesRegistrationOptions(
                        watchers=[types.FileSystemWatcher(glob_pattern="**/pyproject.toml")]
                    ),
                )
            )
        configuration = workspace.did_change_configuration if workspace else None
        if configuration and configuration.dynamic_registration:
            registrations.append(
                types.Registration(
                    id="mplint-configuration",
                    method=types.WORKSPACE_DID_CHANGE_CONFIGURATION,
                    register_options=types.DidChangeConfigurationRegistrationOptions(
                        section=SECTION
                    ),
                )
            )
        if not registrations:
            return
        try:
            await asyncio.wait_for(
                self.client_register_capability_async(
                    types.RegistrationParams(registrations=registrations)
                ),
                _SETTINGS_TIMEOUT,
            )
        except Exception as error:  # a client that refuses only loses the automatic reloads
            self._log(f"client/registerCapability failed: {error}", types.MessageType.Warning)

    # --- settings and configuration ----------------------------------------------------------------------

    async def _pull_settings(self) -> None:
        try:
            answer = await asyncio.wait_for(
                self.workspace_configuration_async(
                    types.ConfigurationParams(items=[types.ConfigurationItem(section=SECTION)])
                ),
                _SETTINGS_TIMEOUT,
            )
        except Exception as error:
            self._log(f"workspace/configuration failed: {error}", types.MessageType.Warning)
            return
        if answer:
            self._set_settings(workspace=_settings_table(answer[0]))

    def _set_settings(
        self,
        initial: Optional[dict[str, Any]] = None,
        workspace: Optional[dict[str, Any]] = None,
    ) -> bool:
        """Update the client settings; True when the effective settings changed."""
        before = self.settings.effective
        errors: list[str] = []
        if initial is not None:
            self.settings.initial, problems = _validated(initial)
            errors += problems
        if workspace is not None:
            self.settings.workspace, problems = _validated(workspace)
            errors += problems
        if errors and tuple(errors) != self._settings_errors:
            self._show(
                "mplint: ignoring invalid editor settings: " + "; ".join(errors),
                types.MessageType.Warning,
            )
        self._settings_errors = tuple(errors)
        return self.settings.effective != before

    async def did_change_configuration(self, params: types.DidChangeConfigurationParams) -> None:
        pushed = _settings_table(params.settings)
        if self._supports_configuration:
            await self._pull_settings()
            if pushed and not self.settings.workspace:
                self._set_settings(workspace=pushed)
        else:
            self._set_settings(workspace=pushed)
        self.relint_all()

    def pyproject_changed(self) -> None:
        # The stamps already notice most edits; this also catches two writes within the file system's
        # timestamp resolution. Entries are kept (not dropped) so that a problem shown for a file that
        # is now gone or fixed is cleared.
        for entry in self._configs.values():
            entry.stamp = ()
        self._fix_all_cache.clear()
        self.relint_all()

    def config_for(self, document: _Document) -> Config:
        config = self._file_config(document.directory)
        settings = self.settings.effective
        if not settings:
            return config
        try:
            return apply_settings(config, settings, "editor settings")
        except ConfigError as error:  # validated already; kept for safety
            self._log(str(error), types.MessageType.Warning)
            return config

    def _file_config(self, directory: Optional[str]) -> Config:
        if directory is None:
            return Config()
        stamp = _stamp(directory)
        entry = self._configs.get(directory)
        if entry is not None and entry.stamp == stamp:
            return entry.config
        found: Optional[Path] = None
        try:
            found = find_config_file(directory)
            new = _ConfigEntry(stamp, load_config(found), str(found) if found else None)
        except (ConfigError, OSError, ValueError) as error:
            new = _ConfigEntry(stamp, Config(), str(found) if found else None, str(error))
        self._configs[directory] = new
        self._note_config_problem(entry, new)
        return new.config

    def _note_config_problem(self, old: Optional[_ConfigEntry], new: _ConfigEntry) -> None:
        if old is not None and old.problem and old.found and old.found != new.found:
            self._clear_config_problem(old.found)
        if new.found is None:
            return
        if new.problem is None:
            self._clear_config_problem(new.found)
            return
        if self._config_problems.get(new.found) == new.problem:
            return
        self._config_problems[new.found] = new.problem
        self._show(f"mplint: {new.problem} (using the default settings)", types.MessageType.Error)
        match = _TOML_POSITION.search(new.problem)
        line, column = (int(match.group(1)) - 1, int(match.group(2)) - 1) if match else (0, 0)
        where = types.Position(line=max(line, 0), character=max(column, 0))
        self.text_document_publish_diagnostics(
            types.PublishDiagnosticsParams(
                uri=from_fs_path(new.found) or new.found,
                diagnostics=[
                    types.Diagnostic(
                        range=types.Range(start=where, end=where),
                        message=f"{new.problem}; mplint uses its default settings",
                        severity=types.DiagnosticSeverity.Error,
                        source=SOURCE,
                    )
                ],
            )
        )

    def _clear_config_problem(self, found: str) -> None:
        if self._config_problems.pop(found, None) is not None:
            self.text_document_publish_diagnostics(
                types.PublishDiagnosticsParams(uri=from_fs_path(found) or found, diagnostics=[])
            )

    # --- documents ---------------------------------------------------------------------------------------

    def open(self, item: types.TextDocumentItem) -> None:
        path = to_fs_path(item.uri)
        if path is not None:
            directory: Optional[str] = os.path.dirname(os.path.abspath(path))
            engine_path = path
        else:  # untitled: buffers have no path; use the workspace's configuration
            directory = self._root
            engine_path = item.uri.rsplit("/", 1)[-1].rsplit(":", 1)[-1] or "untitled.py"
        self.documents[item.uri] = _Document(
            item.uri, item.version, _Text(item.text), item.language_id, engine_path, directory
        )
        self.schedule(item.uri, 0.0)

    def change(self, params: types.DidChangeTextDocumentParams) -> None:
        uri = params.text_document.uri
        document = self.documents.get(uri)
        if document is None:
            return
        text = document.text
        for change in params.content_changes:
            text = text.apply(change, self.encoding)
        self.documents[uri] = _Document(
            uri,
            params.text_document.version,
            text,
            document.language_id,
            document.path,
            document.directory,
        )
        self.schedule(uri, DEBOUNCE_SECONDS)

    def save(self, uri: str) -> None:
        path = to_fs_path(uri) or uri
        if os.path.basename(path) == "pyproject.toml":
            self.pyproject_changed()
        elif uri in self.documents:
            self.schedule(uri, 0.0)

    def close(self, uri: str) -> None:
        job = self._jobs.pop(uri, None)
        if job is not None:
            job.cancel()
        document = self.documents.pop(uri, None)
        self.results.pop(uri, None)
        self._locks.pop(uri, None)
        self._fix_all_cache.pop(uri, None)
        if document is not None:
            self.text_document_publish_diagnostics(
                types.PublishDiagnosticsParams(uri=uri, diagnostics=[])
            )

    def relint_all(self) -> None:
        for uri in list(self.documents):
            self.schedule(uri, 0.0)

    # --- linting -----------------------------------------------------------------------------------------

    def schedule(self, uri: str, delay: float) -> asyncio.Task[None]:
        """Lint ``uri`` after ``delay`` seconds, replacing a lint that has not started yet."""
        previous = self._jobs.get(uri)
        if previous is not None and not previous.done() and previous not in self._running:
            previous.cancel()
        task = asyncio.ensure_future(self._lint_job(uri, delay))
        self._jobs[uri] = task
        return task

    async def _wait_for_settings(self) -> None:
        if self._settings_ready is None or self._settings_ready.is_set():
            return
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(self._settings_ready.wait(), _SETTINGS_TIMEOUT)

    async def _lint_job(self, uri: str, delay: float) -> None:
        if delay > 0:
            await asyncio.sleep(delay)
        await self._wait_for_settings()
        lock = self._locks.setdefault(uri, asyncio.Lock())
        async with lock:
            document = self.documents.get(uri)
            if document is None:
                return
            if not document.is_python:
                self._publish(document, ())
                return
            result = await self._result(document)
        if self.documents.get(uri) is document:  # the latest version wins
            self._publish(document, result.diagnostics)

    async def _result(self, document: _Document) -> _Result:
        """The diagnostics of this exact text and configuration (cached, else linted in a worker)."""
        config = self.config_for(document)
        cached = self.results.get(document.uri)
        if cached is not None and cached.source == document.text.text and cached.config == config:
            return cached
        task = asyncio.current_task()
        if task is not None:
            self._running.add(task)
        path = document.path
        try:
            if config.force_exclude and config.is_excluded(path):
                diagnostics: tuple[Diagnostic, ...] = ()
            else:
                diagnostics = tuple(await self._run(lint_source, path, document.text.text, config))
        except _WorkerDied:
            message = "the process checking this file crashed twice; it was not checked"
            diagnostics = (_internal_error(path, message),)
        except Exception as error:  # the engine isolates rules; this guards against the rest
            log.exception("lint failed for %s", path)
            message = f"internal error while checking this file: {type(error).__name__}: {error}"
            diagnostics = (_internal_error(path, message),)
        finally:
            if task is not None:
                self._running.discard(task)
        result = _Result(document.text.text, config, diagnostics)
        if document.uri in self.documents:
            self.results[document.uri] = result
        return result

    async def fresh_result(self, uri: str) -> tuple[Optional[_Document], Optional[_Result]]:
        """The current document and its diagnostics, linting now if the last result is stale."""
        for _ in range(3):
            document = self.documents.get(uri)
            if document is None:
                return None, None
            cached = self.results.get(uri)
            if (
                cached is not None
                and cached.source == document.text.text
                and cached.config == self.config_for(document)
            ):
                return document, cached
            if not document.is_python:
                return document, None
            await asyncio.shield(self.schedule(uri, 0.0))
        return self.documents.get(uri), None

    def _publish(self, document: _Document, diagnostics: Iterable[Diagnostic]) -> None:
        self.text_document_publish_diagnostics(
            types.PublishDiagnosticsParams(
                uri=document.uri,
                version=document.version,
                diagnostics=[self.to_lsp(document, d) for d in diagnostics],
            )
        )

    def to_lsp(self, document: _Document, diagnostic: Diagnostic) -> types.Diagnostic:
        severity = (
            types.DiagnosticSeverity.Warning
            if diagnostic.severity is Severity.WARNING
            else types.DiagnosticSeverity.Error
        )
        return types.Diagnostic(
            range=self._range(document, diagnostic),
            message=diagnostic.message,
            severity=severity,
            code=diagnostic.code,
            code_description=types.CodeDescription(href=diagnostic.url) if diagnostic.url else None,
            source=SOURCE,
        )

    def _range(self, document: _Document, d: Diagnostic) -> types.Range:
        return document.text.engine_range(d.line, d.column, d.end_line, d.end_column, self.encoding)

    def _edit(self, document: _Document, edit: Edit) -> types.TextEdit:
        return types.TextEdit(
            range=document.text.engine_range(
                edit.line, edit.column, edit.end_line, edit.end_column, self.encoding
            ),
            new_text=edit.content,
        )

    # --- code actions ------------------------------------------------------------------------------------

    def _workspace_edit(
        self, document: _Document, edits: Sequence[types.TextEdit]
    ) -> types.WorkspaceEdit:
        if self._supports_document_changes:
            return types.WorkspaceEdit(
                document_changes=[
                    types.TextDocumentEdit(
                        text_document=types.OptionalVersionedTextDocumentIdentifier(
                            uri=document.uri, version=document.version
                        ),
                        edits=list(edits),
                    )
                ]
            )
        return types.WorkspaceEdit(changes={document.uri: list(edits)})

    def _targets(
        self, params: types.CodeActionParams, document: _Document, result: _Result
    ) -> list[tuple[Diagnostic, types.Diagnostic]]:
        """The engine diagnostics the request is about, paired with their LSP form."""
        ours = [(d, self.to_lsp(document, d)) for d in result.diagnostics]
        wanted = [d for d in params.context.diagnostics if d.source == SOURCE]
        if not wanted:  # no context: the diagnostics under the requested range
            return [(d, lsp) for d, lsp in ours if _overlaps(lsp.range, params.range)]
        out: list[tuple[Diagnostic, types.Diagnostic]] = []
        for given in wanted:
            exact = [
                (d, lsp) for d, lsp in ours if lsp.code == given.code and lsp.range == given.range
            ]
            near = exact or [
                (d, lsp)
                for d, lsp in ours
                if lsp.code == given.code and _overlaps(lsp.range, given.range)
            ]
            for pair in near[:1]:
                if pair not in out:
                    out.append(pair)
        return out

    async def code_actions(
        self, params: types.CodeActionParams
    ) -> Optional[list[types.CodeAction]]:
        document, result = await self.fresh_result(params.text_document.uri)
        if document is None or result is None:
            return None
        only = params.context.only
        actions: list[types.CodeAction] = []
        if _wanted(only, types.CodeActionKind.QuickFix.value):
            targets = self._targets(params, document, result)
            for diagnostic, lsp in targets:
                action = self._quick_fix(document, diagnostic, lsp)
                if action is not None:
                    actions.append(action)
            silenced: set[tuple[str, int]] = set()
            for diagnostic, lsp in targets:
                key = (diagnostic.code, diagnostic.noqa_line or diagnostic.line)
                action = None if key in silenced else self._noqa_action(document, diagnostic, lsp)
                if action is not None:
                    silenced.add(key)
                    actions.append(action)
        if _wanted(only, FIX_ALL_KIND) and any(
            d.fix is not None and d.fix.edits and d.fix.applicability is Applicability.SAFE
            for d in result.diagnostics
        ):
            action = types.CodeAction(
                title="mplint: Fix all auto-fixable problems",
                kind=FIX_ALL_KIND,
                data={"uri": document.uri, "version": document.version},
            )
            if self._supports_resolve_edit:
                actions.append(action)
            elif only or params.context.trigger_kind == types.CodeActionTriggerKind.Invoked:
                resolved = await self.resolve_fix_all(action)
                if resolved.edit is not None:
                    actions.append(resolved)
        return actions or None

    def _quick_fix(
        self, document: _Document, diagnostic: Diagnostic, lsp: types.Diagnostic
    ) -> Optional[types.CodeAction]:
        fix = diagnostic.fix
        if fix is None or not fix.edits or fix.applicability is Applicability.DISPLAY:
            return None
        unsafe = fix.applicability is Applicability.UNSAFE
        return types.CodeAction(
            title=f"{fix.message} (unsafe)" if unsafe else fix.message,
            kind=types.CodeActionKind.QuickFix,
            diagnostics=[lsp],
            is_preferred=not unsafe,
            edit=self._workspace_edit(document, [self._edit(document, e) for e in fix.edits]),
        )

    def _noqa_action(
        self, document: _Document, diagnostic: Diagnostic, lsp: types.Diagnostic
    ) -> Optional[types.CodeAction]:
        if diagnostic.code in META_CODES:
            return None  # files that could not be checked cannot be silenced
        text = document.text
        index = text.position_at(
            text.engine_offset(diagnostic.noqa_line or diagnostic.line, 1), self.encoding
        ).line
        line = text.line(index)
        updated = add_noqa_codes(line, [diagnostic.code])
        if updated == line:
            return None
        prefix = 0
        while prefix < min(len(line), len(updated)) and line[prefix] == updated[prefix]:
            prefix += 1
        suffix = 0
        while (
            suffix < min(len(line), len(updated)) - prefix
            and line[len(line) - 1 - suffix] == updated[len(updated) - 1 - suffix]
        ):
            suffix += 1
        start, _ = document.text.line_bounds(index)
        edit = types.TextEdit(
            range=types.Range(
                start=document.text.position_at(start + prefix, self.encoding),
                end=document.text.position_at(start + len(line) - suffix, self.encoding),
            ),
            new_text=updated[prefix : len(updated) - suffix],
        )
        return types.CodeAction(
            title=f"Disable {diagnostic.code} for this line",
            kind=types.CodeActionKind.QuickFix,
            diagnostics=[lsp],
            edit=self._workspace_edit(document, [edit]),
        )

    async def resolve_fix_all(self, action: types.CodeAction) -> types.CodeAction:
        data = action.data if isinstance(action.data, dict) else {}
        uri = data.get("uri")
        document = self.documents.get(uri) if isinstance(uri, str) else None
        if document is None or action.kind != FIX_ALL_KIND:
            return action
        config = self.config_for(document)
        source = document.text.text
        cached = self._fix_all_cache.get(document.uri)
        if cached is not None and cached[0] == source and cached[1] == config:
            fixed, problem = cached[2], cached[3]
        else:
            fixed, problem = await self._fix_all(document.path, source, config)
            if document.uri in self.documents:
                self._fix_all_cache[document.uri] = (source, config, fixed, problem)
        if problem is not None:
            self._show(f"mplint: fixes not applied: {problem}", types.MessageType.Warning)
        if fixed is None or self.documents.get(document.uri) is not document:
            return action
        action.edit = self._workspace_edit(
            document, _diff_edits(document.text, fixed, self.encoding)
        )
        return action

    async def _fix_all(
        self, path: str, source: str, config: Config
    ) -> tuple[Optional[str], Optional[str]]:
        """(fixed text, or None when nothing changes; why the fixes were refused, or None)."""
        try:
            result = await self._run(fix_source, path, source, config)
        except _WorkerDied:
            return None, "the process fixing this file crashed"
        except Exception as error:
            log.exception("fix-all failed for %s", path)
            return None, f"{type(error).__name__}: {error}"
        if result.error is not None:
            return None, result.error
        if not result.changed or result.text == source:
            return None, None
        return result.text, None

    # --- hover -------------------------------------------------------------------------------------------

    def hover(self, params: types.HoverParams) -> Optional[types.Hover]:
        document = self.documents.get(params.text_document.uri)
        if document is None:
            return None
        index = params.position.line
        line = document.text.line(index)
        column = _chars(line, params.position.character, self.encoding)
        for pattern in (NOQA_RE, FILE_NOQA_RE):
            for match in pattern.finditer(line):
                if match.group("codes") is None:
                    continue
                begin = match.start("codes")
                for code in _CODE.finditer(match.group("codes")):
                    start, end = begin + code.start(), begin + code.end()
                    if start <= column <= end:
                        return self._hover_for(document, index, start, end, code.group(0))
        return None

    def _hover_for(
        self, document: _Document, index: int, start: int, end: int, code: str
    ) -> types.Hover:
        text = _describe(code.upper())
        if not self._hover_markdown:
            text = text.replace("**", "").replace("`", "")
        offset, _ = document.text.line_bounds(index)
        return types.Hover(
            contents=types.MarkupContent(
                kind=types.MarkupKind.Markdown
                if self._hover_markdown
                else types.MarkupKind.PlainText,
                value=text,
            ),
            range=types.Range(
                start=document.text.position_at(offset + start, self.encoding),
                end=document.text.position_at(offset + end, self.encoding),
            ),
        )

    # --- messages ----------------------------------------------------------------------------------------

    def _show(self, message: str, kind: types.MessageType) -> None:
        log.warning("%s", message)
        self.window_show_message(types.ShowMessageParams(type=kind, message=message))

    def _log(self, message: str, kind: types.MessageType = types.MessageType.Log) -> None:
        self.window_log_message(types.LogMessageParams(type=kind, message=message))


def _overlaps(a: types.Range, b: types.Range) -> bool:
    def key(p: types.Position) -> tuple[int, int]:
        return p.line, p.character

    return key(a.start) <= key(b.end) and key(b.start) <= key(a.end)


def _describe(code: str) -> str:
    """Hover text for a code (or prefix) in a ``# noqa`` comment."""
    rule = rule_by_code(code)
    if rule is not None:
        flags = [rule.SEVERITY.value, f"fix: {rule.FIX}" if rule.FIX else "no fix"]
        if rule.PREVIEW:
            flags.append("preview")
        return (
            f"**{rule.CODE}** `{rule.NAME}` ({', '.join(flags)})\n\n{rule.summary()}\n\n"
            f"[Documentation]({rule.url()})"
        )
    if code in META_CODES:
        return (
            f"**{code}** says a file could not be (fully) checked; it is not a rule and "
            f"`# noqa` does not silence it.\n\n[Documentation]({META_URL})"
        )
    covered = [r for r in all_rules() if r.CODE.startswith(code)]
    if covered and code.startswith("MPL"):
        names = ", ".join(f"{r.CODE} `{r.NAME}`" for r in covered)
        return f"**{code}** (a prefix) covers {names}"
    return f"**{code}** is not an mplint rule code (see `mplint rules`)"


def create_server() -> MplintLanguageServer:
    """A server with every feature registered (not started)."""
    server = MplintLanguageServer()

    @server.feature(types.INITIALIZE)
    def initialize(ls: MplintLanguageServer, params: types.InitializeParams) -> None:
        ls.initialize(params)

    @server.feature(types.INITIALIZED)
    async def initialized(ls: MplintLanguageServer, params: types.InitializedParams) -> None:
        await ls.initialized()

    @server.feature(types.SHUTDOWN)
    def shutdown(ls: MplintLanguageServer, params: None) -> None:
        ls.stop()

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: MplintLanguageServer, params: types.DidOpenTextDocumentParams) -> None:
        ls.open(params.text_document)

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls: MplintLanguageServer, params: types.DidChangeTextDocumentParams) -> None:
        ls.change(params)

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE, types.SaveOptions(include_text=False))
    def did_save(ls: MplintLanguageServer, params: types.DidSaveTextDocumentParams) -> None:
        ls.save(params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: MplintLanguageServer, params: types.DidCloseTextDocumentParams) -> None:
        ls.close(params.text_document.uri)

    @server.feature(types.WORKSPACE_DID_CHANGE_CONFIGURATION)
    async def did_change_configuration(
        ls: MplintLanguageServer, params: types.DidChangeConfigurationParams
    ) -> None:
        await ls.did_change_configuration(params)

    @server.feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)
    def did_change_watched_files(
        ls: MplintLanguageServer, params: types.DidChangeWatchedFilesParams
    ) -> None:
        if any(change.uri.endswith("pyproject.toml") for change in params.changes):
            ls.pyproject_changed()

    @server.feature(
        types.TEXT_DOCUMENT_CODE_ACTION,
        types.CodeActionOptions(
            code_action_kinds=[types.CodeActionKind.QuickFix, FIX_ALL_KIND],
            resolve_provider=True,
        ),
    )
    async def code_action(
        ls: MplintLanguageServer, params: types.CodeActionParams
    ) -> Optional[list[types.CodeAction]]:
        return await ls.code_actions(params)

    @server.feature(types.CODE_ACTION_RESOLVE)
    async def code_action_resolve(
        ls: MplintLanguageServer, params: types.CodeAction
    ) -> types.CodeAction:
        return await ls.resolve_fix_all(params)

    @server.feature(types.TEXT_DOCUMENT_HOVER)
    def hover(ls: MplintLanguageServer, params: types.HoverParams) -> Optional[types.Hover]:
        return ls.hover(params)

    return server


def serve() -> None:
    """Run the language server on stdin/stdout until the client says exit."""
    if sys.getrecursionlimit() < _RECURSION_LIMIT:
        sys.setrecursionlimit(_RECURSION_LIMIT)
    with contextlib.suppress(ValueError, RuntimeError):  # platforms without a settable stack size
        threading.stack_size(_THREAD_STACK)
    all_rules()  # discover the rules once (hover needs them; so do lint threads, in the fallback)
    # The server handles range changes itself (see MplintLanguageServer.__init__); pygls's complaint
    # about clients that send them under full sync is noise.
    logging.getLogger("pygls.workspace.text_document").setLevel(logging.CRITICAL)
    # The protocol owns stdout: anything else printed (a library's stray print) goes to stderr instead.
    stdin, stdout = sys.stdin.buffer, sys.stdout.buffer
    sys.stdout = sys.stderr
    create_server().start_io(stdin, stdout)
