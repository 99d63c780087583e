"""Other modules of the project: the open documents' lints see what their imports stand for.

Each document is linted with the project of its root (:func:`mplint.project.project_for`, the root
``mplint check`` finds for the file), in the worker that lints it, so the editor shows what
``mplint check`` shows for the file. Each worker keeps its projects and their summaries for its life;
the summaries come from the cache ``mplint check`` keeps in the project, when there is one, or are
computed on demand.

The editor's text wins over the disk's: every lint hands the worker the texts of the open documents that
differ from their files (edited and not saved yet), and the project summarises those texts instead of the
files. A lint returns, with its diagnostics, the modules it consulted; when a document that some open
documents consulted changes (an edit, a save), those documents are linted again. An edit of a document no
open document consulted costs nothing more than its own lint.
"""

from __future__ import annotations

import functools
import os
from typing import TYPE_CHECKING, Optional

from lsprotocol import types
from pygls.uris import from_fs_path

from mplint.config import Config
from mplint.diagnostics import Diagnostic, Related
from mplint.engine import lint_source
from mplint.server.documents import Document
from mplint.server.text import Text

if TYPE_CHECKING:
    from mplint.server import MplintLanguageServer

__all__ = ["Projects", "lint_in_project", "related_elsewhere"]


#: In a worker: the generation of the files (see ``Projects``) each project last looked files up in.
_SEEN: dict[str, int] = {}


def lint_in_project(
    path: str,
    text: str,
    config: Config,
    texts: tuple[tuple[str, str], ...],
    generation: int = 0,
) -> tuple[list[Diagnostic], tuple[str, ...]]:
    """The diagnostics of ``text`` (the document at ``path``) linted with the project of its root, where
    ``texts`` (path, text) win over the files of those paths; and the modules the lint consulted. Runs in
    a worker. ``generation`` counts the server's news of files saved, opened and closed: when it moved,
    the project looks its imports up again (a module may have been created or removed)."""
    from mplint.project import project_for, shared_cache_dir

    project = project_for(path, shared_cache_dir(path), config.default_start_method)
    if _SEEN.get(project.root) != generation:
        project.invalidate(path)
        _SEEN[project.root] = generation
    project.use_texts(dict(texts))
    project.forget(path)
    diagnostics = lint_source(path, text, config, project=project)
    return diagnostics, tuple(dependency.path for dependency in project.dependencies(path))


def _key(path: str) -> str:
    return os.path.normcase(os.path.normpath(os.path.abspath(path)))


class Projects:
    """Which open documents consulted which modules, and which open documents the editor holds unsaved."""

    def __init__(self, server: MplintLanguageServer) -> None:
        self._server = server
        #: a document's uri -> the modules (keys of their paths) its last lint consulted
        self._consulted: dict[str, frozenset[str]] = {}
        #: the uris of open documents whose text differs from their file's
        self._unsaved: set[str] = set()
        #: how many times a file may have been created, written or removed (opens, saves, closes)
        self._generation = 0

    async def lint(self, document: Document, config: Config) -> list[Diagnostic]:
        """Lint ``document`` in a worker, with its project and the editor's unsaved texts."""
        server = self._server
        # every lint is given the same texts (the document's own too), so that lints running side by
        # side in threads (the workers' fallback) never take a text away from each other
        texts = tuple(
            (other.path, other.text.text)
            for uri in sorted(self._unsaved)
            if (other := server.documents.get(uri)) is not None
        )
        diagnostics, consulted = await server.workers.run(
            lint_in_project,
            document.path,
            document.text.text,
            config,
            texts,
            self._generation,
            key=document.uri,
        )
        if document.uri in server.documents:
            self._consulted[document.uri] = frozenset(_key(path) for path in consulted)
        return diagnostics

    def opened(self, document: Document) -> None:
        """A document was opened: it is unsaved when its text is not its file's."""
        self._generation += 1
        if _differs_from_file(document):
            self._unsaved.add(document.uri)
            self._relint_dependents(document)

    def changed(self, document: Document) -> None:
        """The editor changed ``document``: the documents that consulted it are linted again."""
        self._unsaved.add(document.uri)
        self._relint_dependents(document)

    def saved(self, document: Document) -> None:
        """``document`` was saved: its file holds its text now."""
        self._generation += 1
        self._unsaved.discard(document.uri)
        self._relint_dependents(document)

    def closed(self, uri: str) -> None:
        """A document was closed: its file is what the other documents see of it again."""
        self._generation += 1
        self._consulted.pop(uri, None)
        document = self._server.documents.get(uri)
        if uri in self._unsaved:
            self._unsaved.discard(uri)
            if document is not None:
                self._relint_dependents(document)

    def dependents(self, document: Document) -> list[str]:
        """The open documents (uris) whose last lint consulted ``document``'s module."""
        key = _key(document.path)
        return [
            uri
            for uri, consulted in self._consulted.items()
            if uri != document.uri and key in consulted
        ]

    def _relint_dependents(self, document: Document) -> None:
        server = self._server
        for uri in self.dependents(document):
            server.results.pop(uri, None)  # the same text, but a module it imports changed
            server.linter.schedule(uri, 0.0)


def related_elsewhere(
    related: Related, encoding: str
) -> Optional[types.DiagnosticRelatedInformation]:
    """A related location in another file (the module of the project where the cause lies), its range
    counted in that file's text; None when the file cannot be read."""
    uri = from_fs_path(related.path)
    text = _file_text(related.path)
    if uri is None or text is None:
        return None
    return types.DiagnosticRelatedInformation(
        location=types.Location(
            uri=uri,
            range=text.engine_range(
                related.line, related.column, related.end_line, related.end_column, encoding
            ),
        ),
        message=related.message,
    )


def _file_text(path: str) -> Optional[Text]:
    try:
        info = os.stat(path)
    except OSError:
        return None
    return _read_text(path, info.st_size, info.st_mtime_ns)


@functools.lru_cache(maxsize=64)
def _read_text(path: str, size: int, mtime_ns: int) -> Optional[Text]:
    """The text of the file ``path`` as of this stamp."""
    from mplint.source import SourceError, decode_source

    try:
        with open(path, "rb") as handle:
            return Text(decode_source(handle.read(), path)[0])
    except (OSError, SourceError):
        return None


def _differs_from_file(document: Document) -> bool:
    """Whether ``document``'s text is not its file's (an untitled buffer has none)."""
    try:
        with open(document.path, "rb") as handle:
            data = handle.read()
    except OSError:
        return False
    from mplint.source import SourceError, decode_source

    try:
        return decode_source(data, document.path)[0] != document.text.text
    except SourceError:
        return True
