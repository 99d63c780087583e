"""Each document's configuration: the client's settings over the nearest ``[tool.mplint]``.

The nearest ``pyproject.toml`` with ``[tool.mplint]`` above the document, cached by the modification time
and size of every ``pyproject.toml`` on the way up (so an edited, new or deleted file is picked up on the
next lint without relying on file watchers; ``workspace/didChangeWatchedFiles`` and saving a
``pyproject.toml`` re-lint the open documents). Settings from the client (``initializationOptions``,
``workspace/configuration`` section ``mplint``, or the payload of ``workspace/didChangeConfiguration``), with
the keys of ``[tool.mplint]`` (``select``, ``ignore``, ``extend-select``, ``preview``, ``start-method`` …;
camelCase and snake_case spellings are accepted), override the file's. A broken ``pyproject.toml`` is shown
as a message and a diagnostic on that file, and the defaults are used.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Optional

from lsprotocol import types
from pygls.uris import from_fs_path

from mplint.config import CONFIG_NAMES, ConfigError, Overrides, Resolver
from mplint.server.lint import SOURCE
from mplint.settings import Config

if TYPE_CHECKING:
    from mplint.server import MplintLanguageServer
    from mplint.server.documents import Document

#: The client's settings section.
SECTION = "mplint"
#: How long a lint waits for the client's settings after ``initialized`` before using what it has (and
#: how long the server waits for the client's answer to any of its requests).
SETTINGS_TIMEOUT = 5.0
_TOML_POSITION = re.compile(r"at line (\d+), column (\d+)")


@dataclass
class ClientSettings:
    """The client's settings: from initializationOptions, then workspace/configuration (wins)."""

    initial: dict[str, Any] = field(default_factory=dict)
    workspace: dict[str, Any] = field(default_factory=dict)

    @property
    def effective(self) -> dict[str, Any]:
        return {**self.initial, **self.workspace}


@dataclass
class _ConfigEntry:
    stamp: tuple[tuple[str, int, int], ...]
    found: Optional[str] = None
    problem: Optional[str] = None


def settings_table(raw: object) -> dict[str, Any]:
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
            Overrides.from_table({key: value})
        except ConfigError as error:
            errors.append(str(error))
        else:
            good[key] = value
    return good, errors


def _stamp(directory: str) -> tuple[tuple[str, int, int], ...]:
    """(path, mtime, size) of every configuration file (``.mplint.toml``, ``mplint.toml``,
    ``pyproject.toml``) from ``directory`` upward: changes when one is edited, created or removed."""
    out: list[tuple[str, int, int]] = []
    current = Path(directory)
    for folder in (current, *current.parents):
        for name in CONFIG_NAMES:
            candidate = folder / name
            try:
                status = os.stat(candidate)
            except OSError:
                continue
            out.append((str(candidate), status.st_mtime_ns, status.st_size))
    return tuple(out)


class Configuration:
    """The client's settings and the cache of ``pyproject.toml`` configurations, with their problems.

    Settings are resolved by the same :class:`~mplint.config.Resolver` as the command line's and flake8's:
    the client's settings are one :class:`~mplint.config.Overrides` layer over the nearest
    ``[tool.mplint]``, layered as the command line's flags are (a ``select`` replaces the file's
    ``select``, ``extend-select`` and ``ignore``). This class adds what an editor needs on top: noticing
    edited configuration files, and showing a broken one.
    """

    def __init__(self, server: MplintLanguageServer) -> None:
        self._server = server
        self._resolver = Resolver()
        self.client = ClientSettings()
        self._errors: tuple[str, ...] = ()
        self._ready: Optional[asyncio.Event] = None
        self._files: dict[str, _ConfigEntry] = {}
        self._problems: dict[str, str] = {}  # pyproject.toml path -> the problem shown for it

    # --- the client's settings -----------------------------------------------------------------------

    def initialize(self, options: object) -> None:
        """Take the ``initializationOptions``; lints wait for ``initialized`` from now on."""
        self._ready = asyncio.Event()
        self.update(initial=settings_table(options))

    async def initialized(self) -> None:
        """Pull the workspace settings (when the client can tell them); then let lints run."""
        try:
            if self._server.capabilities.configuration:
                await self._pull()
        finally:
            if self._ready is not None:
                self._ready.set()

    async def ready(self) -> None:
        """Wait (a while at most) until the client's settings are known."""
        if self._ready is None or self._ready.is_set():
            return
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(self._ready.wait(), SETTINGS_TIMEOUT)

    async def _pull(self) -> None:
        try:
            answer = await asyncio.wait_for(
                self._server.workspace_configuration_async(
                    types.ConfigurationParams(items=[types.ConfigurationItem(section=SECTION)])
                ),
                SETTINGS_TIMEOUT,
            )
        except Exception as error:
            self._server.log_to_client(
                f"workspace/configuration failed: {error}", types.MessageType.Warning
            )
            return
        if answer:
            self.update(workspace=settings_table(answer[0]))

    def update(
        self,
        initial: Optional[dict[str, Any]] = None,
        workspace: Optional[dict[str, Any]] = None,
    ) -> bool:
        """Update the client settings; True when the effective settings changed."""
        before = self.client.effective
        errors: list[str] = []
        if initial is not None:
            self.client.initial, problems = _validated(initial)
            errors += problems
        if workspace is not None:
            self.client.workspace, problems = _validated(workspace)
            errors += problems
        if errors and tuple(errors) != self._errors:
            self._server.show(
                "mplint: ignoring invalid editor settings: " + "; ".join(errors),
                types.MessageType.Warning,
            )
        self._errors = tuple(errors)
        if self.client.effective != before:
            self._resolver = Resolver(Overrides.from_table(self.client.effective))
            return True
        return False

    async def changed(self, params: types.DidChangeConfigurationParams) -> None:
        """``workspace/didChangeConfiguration``: pull the settings, else take the pushed ones."""
        pushed = settings_table(params.settings)
        if self._server.capabilities.configuration:
            await self._pull()
            if pushed and not self.client.workspace:
                self.update(workspace=pushed)
        else:
            self.update(workspace=pushed)

    # --- pyproject.toml ------------------------------------------------------------------------------

    def forget_stamps(self) -> None:
        """Reload every configuration on its next use."""
        # The stamps already notice most edits; this also catches two writes within the file system's
        # timestamp resolution. Entries are kept (not dropped) so that a problem shown for a file that
        # is now gone or fixed is cleared.
        for entry in self._files.values():
            entry.stamp = ()

    def config_for(self, document: Document) -> Config:
        directory = document.directory
        if directory is None:
            return self._resolver.overrides.apply(Config())
        stamp = _stamp(directory)
        entry = self._files.get(directory)
        if entry is None or entry.stamp != stamp:
            self._resolver.clear()
            new = _ConfigEntry(stamp)
            try:
                found = self._resolver.file_for(directory)
                new.found = str(found) if found else None
                self._resolver.config_for(directory)
            except (ConfigError, OSError, ValueError) as error:
                new.problem = str(error)
            self._files[directory] = new
            self._note_problem(entry, new)
        try:
            return self._resolver.config_for(directory)
        except (ConfigError, OSError, ValueError):
            return self._resolver.overrides.apply(Config())  # shown already: the defaults apply

    def _note_problem(self, old: Optional[_ConfigEntry], new: _ConfigEntry) -> None:
        if old is not None and old.problem and old.found and old.found != new.found:
            self._clear_problem(old.found)
        if new.found is None:
            return
        if new.problem is None:
            self._clear_problem(new.found)
            return
        if self._problems.get(new.found) == new.problem:
            return
        self._problems[new.found] = new.problem
        self._server.show(
            f"mplint: {new.problem} (using the default settings)", types.MessageType.Error
        )
        match = _TOML_POSITION.search(new.problem)
        line, column = (int(match.group(1)) - 1, int(match.group(2)) - 1) if match else (0, 0)
        where = types.Position(line=max(line, 0), character=max(column, 0))
        self._server.text_document_publish_diagnostics(
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

    def _clear_problem(self, found: str) -> None:
        if self._problems.pop(found, None) is not None:
            self._server.text_document_publish_diagnostics(
                types.PublishDiagnosticsParams(uri=from_fs_path(found) or found, diagnostics=[])
            )
