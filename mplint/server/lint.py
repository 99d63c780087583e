"""Linting open documents and publishing their diagnostics.

Diagnostics come on open, on change and on save, for the editor's unsaved text; they are cleared when the
problems are fixed or the document is closed. A change is linted at once when the document is idle; changes
that arrive while it is being linted coalesce into one lint of the latest version, and only the latest
version's diagnostics are published. At most one lint per document runs at a time (in a worker: see
``workers``); a result that is stale when it arrives is not published.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Coroutine, Iterable, Iterator
from typing import TYPE_CHECKING, Any, Optional

from lsprotocol import types

from mplint.diagnostics import INTERNAL_ERROR, Diagnostic, Severity
from mplint.engine import META_URL
from mplint.server.documents import Document, Result
from mplint.server.project import related_elsewhere
from mplint.server.workers import WorkerDied

if TYPE_CHECKING:
    from mplint.server import MplintLanguageServer

log = logging.getLogger(__name__)

#: Quiet time after a change before the document is linted again. Zero: a lint starts at once, and changes
#: made while a lint runs wait behind it, replacing each other (see ``schedule``), so no fixed delay is
#: added to every answer.
DEBOUNCE_SECONDS = 0.0
#: The ``source`` of every diagnostic the server publishes.
SOURCE = "mplint"


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


def to_lsp(
    document: Document, diagnostic: Diagnostic, encoding: str, related: bool = False
) -> types.Diagnostic:
    """The LSP form of an engine diagnostic on ``document``; with ``related`` (the client declared
    ``relatedInformation`` support), its related locations, in the same document or in another module
    of its project, as ``relatedInformation``."""
    severity = (
        types.DiagnosticSeverity.Warning
        if diagnostic.severity is Severity.WARNING
        else types.DiagnosticSeverity.Error
    )
    return types.Diagnostic(
        range=document.text.engine_range(
            diagnostic.line, diagnostic.column, diagnostic.end_line, diagnostic.end_column, encoding
        ),
        message=diagnostic.message,
        severity=severity,
        code=diagnostic.code,
        code_description=types.CodeDescription(href=diagnostic.url) if diagnostic.url else None,
        source=SOURCE,
        related_information=_related_information(document, diagnostic, encoding)
        if related and diagnostic.related
        else None,
    )


def _related_information(
    document: Document, diagnostic: Diagnostic, encoding: str
) -> Optional[list[types.DiagnosticRelatedInformation]]:
    out: list[types.DiagnosticRelatedInformation] = []
    for r in diagnostic.related:
        if r.path == diagnostic.path:
            out.append(
                types.DiagnosticRelatedInformation(
                    location=types.Location(
                        uri=document.uri,
                        range=document.text.engine_range(
                            r.line, r.column, r.end_line, r.end_column, encoding
                        ),
                    ),
                    message=r.message,
                )
            )
        else:  # in another module of the project
            elsewhere = related_elsewhere(r, encoding)
            if elsewhere is not None:
                out.append(elsewhere)
    return out or None


class Jobs:
    """The lint jobs of open documents or notebooks, by URI: a job scheduled while the URI's previous one
    has not started its lint replaces it (one that has started runs to its end), and a URI's jobs run one
    at a time (under :meth:`lock`)."""

    def __init__(self) -> None:
        self._tasks: dict[str, asyncio.Task[None]] = {}
        self._started: set[asyncio.Task[None]] = set()  # jobs whose lint has started
        self._locks: dict[str, asyncio.Lock] = {}

    def schedule(self, uri: str, job: Coroutine[Any, Any, None]) -> asyncio.Task[None]:
        previous = self._tasks.get(uri)
        if previous is not None and not previous.done() and previous not in self._started:
            previous.cancel()
        task = asyncio.ensure_future(job)
        self._tasks[uri] = task
        return task

    def lock(self, uri: str) -> asyncio.Lock:
        return self._locks.setdefault(uri, asyncio.Lock())

    @contextlib.contextmanager
    def started(self) -> Iterator[None]:
        """Around the lint of the current job: while it runs, a newer job does not cancel it."""
        task = asyncio.current_task()
        if task is not None:
            self._started.add(task)
        try:
            yield
        finally:
            if task is not None:
                self._started.discard(task)

    def forget(self, uri: str) -> None:
        """The document or notebook is closed: its pending job is cancelled."""
        job = self._tasks.pop(uri, None)
        if job is not None:
            job.cancel()
        self._locks.pop(uri, None)

    def stop(self) -> None:
        for task in self._tasks.values():
            task.cancel()


class Linter:
    """The lint jobs of the open documents: one at a time per document, the latest version wins."""

    def __init__(self, server: MplintLanguageServer) -> None:
        self._server = server
        self._jobs = Jobs()

    def schedule(self, uri: str, delay: float) -> asyncio.Task[None]:
        """Lint ``uri`` after ``delay`` seconds, replacing a lint that has not started yet."""
        return self._jobs.schedule(uri, self._job(uri, delay))

    def relint_all(self) -> None:
        for uri in list(self._server.documents):
            self.schedule(uri, 0.0)

    def forget(self, uri: str) -> None:
        """The document is closed: its pending lint is cancelled."""
        self._jobs.forget(uri)
        self._server.workers.forget(uri)

    def stop(self) -> None:
        self._jobs.stop()

    async def _job(self, uri: str, delay: float) -> None:
        if delay > 0:
            await asyncio.sleep(delay)
        await self._server.configuration.ready()
        async with self._jobs.lock(uri):
            document = self._server.documents.get(uri)
            if document is None:
                return
            if not document.is_python:
                self.publish(document, ())
                return
            result = await self._result(document)
        if self._server.documents.get(uri) is document:  # the latest version wins
            self.publish(document, result.diagnostics)

    async def _result(self, document: Document) -> Result:
        """The diagnostics of this exact text and configuration (cached, else linted in a worker)."""
        server = self._server
        config = server.configuration.config_for(document)
        cached = server.results.get(document.uri)
        if cached is not None and cached.source == document.text.text and cached.config == config:
            return cached
        path = document.path
        with self._jobs.started():
            try:
                if config.force_exclude and config.is_excluded(path):
                    diagnostics: tuple[Diagnostic, ...] = ()
                else:
                    diagnostics = tuple(await server.projects.lint(document, config))
            except WorkerDied:
                message = "the process checking this file crashed twice; it was not checked"
                diagnostics = (_internal_error(path, message),)
            except Exception as error:  # the engine isolates rules; this guards against the rest
                log.exception("lint failed for %s", path)
                message = (
                    f"internal error while checking this file: {type(error).__name__}: {error}"
                )
                diagnostics = (_internal_error(path, message),)
        result = Result(document.text.text, config, diagnostics)
        if document.uri in server.documents:
            server.results[document.uri] = result
        return result

    async def fresh_result(self, uri: str) -> tuple[Optional[Document], Optional[Result]]:
        """The current document and its diagnostics, linting now if the last result is stale."""
        server = self._server
        for _ in range(3):
            document = server.documents.get(uri)
            if document is None:
                return None, None
            cached = server.results.get(uri)
            if (
                cached is not None
                and cached.source == document.text.text
                and cached.config == server.configuration.config_for(document)
            ):
                return document, cached
            if not document.is_python:
                return document, None
            await asyncio.shield(self.schedule(uri, 0.0))
        return server.documents.get(uri), None

    def publish(self, document: Document, diagnostics: Iterable[Diagnostic]) -> None:
        encoding = self._server.encoding
        related = self._server.capabilities.related_information
        self._server.text_document_publish_diagnostics(
            types.PublishDiagnosticsParams(
                uri=document.uri,
                version=document.version,
                diagnostics=[to_lsp(document, d, encoding, related) for d in diagnostics],
            )
        )
