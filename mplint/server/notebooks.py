"""Notebook documents (LSP 3.17 notebook synchronisation): a notebook's code cells checked together.

The client sends a notebook (``notebookDocument/didOpen``, ``didChange``, ``didSave``, ``didClose``)
with its cells as text documents; pygls keeps the notebook's structure and the cells' texts in its
workspace. On every change the code cells are joined as ``mplint check`` joins a ``.ipynb`` file's
(:mod:`mplint.notebook`: IPython syntax masked, cell magics left out), linted once as the notebook's
path in a worker, and each finding is published on its own cell's URI, at its row in that cell. Every
code cell gets its list (empty when clean), so findings that went away are cleared.

Diagnostics only: quick fixes and hover are offered for ``.py`` documents, not for notebook cells.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable
from dataclasses import replace
from typing import TYPE_CHECKING, Optional

from lsprotocol import types
from pygls.uris import to_fs_path

from mplint.diagnostics import Diagnostic
from mplint.engine import lint_source
from mplint.notebook import Cell, Notebook, opens_cell_magic
from mplint.notebook_check import to_cells
from mplint.server.documents import Document
from mplint.server.lint import Jobs, to_lsp
from mplint.server.text import Text

if TYPE_CHECKING:
    from mplint.server import MplintLanguageServer

__all__ = ["NOTEBOOK_SYNC", "Notebooks", "joined_cells"]

log = logging.getLogger(__name__)

#: What the server asks the client to send: Jupyter notebooks, with their Python cells.
NOTEBOOK_SYNC = types.NotebookDocumentSyncOptions(
    notebook_selector=[
        types.NotebookDocumentFilterWithCells(
            notebook="jupyter-notebook",
            cells=[types.NotebookCellLanguage(language="python")],
        )
    ],
    save=True,
)


def joined_cells(cells: Iterable[tuple[str, bool, str]]) -> tuple[Notebook, dict[int, str]]:
    """The notebook of cells given as ``(uri, is Python code, text)`` in order, and each code
    cell's URI by its number (1-based among all cells, as ``mplint check`` numbers them)."""
    found: list[Cell] = []
    uris: dict[int, str] = {}
    for number, (uri, code, text) in enumerate(cells, start=1):
        if not code:
            continue
        found.append(Cell(number, text, False, 0, 0, opens_cell_magic(text)))
        uris[number] = uri
    return Notebook("", found), uris


class Notebooks:
    """The open notebooks' lints: one at a time per notebook, the latest version's published."""

    def __init__(self, server: MplintLanguageServer) -> None:
        self._server = server
        self._jobs = Jobs()
        #: the cell URIs each notebook last published diagnostics on
        self._published: dict[str, set[str]] = {}

    def schedule(self, uri: str) -> None:
        """Lint the notebook, replacing a lint that has not started (one that has runs to its end;
        its result is not published if the notebook changed meanwhile)."""
        self._jobs.schedule(uri, self._job(uri))

    def relint_all(self) -> None:
        for uri in list(self._server.workspace.notebook_documents):
            self.schedule(uri)

    def close(self, params: types.DidCloseNotebookDocumentParams) -> None:
        uri = params.notebook_document.uri
        self._jobs.forget(uri)
        cells = self._published.pop(uri, set())
        cells.update(cell.uri for cell in params.cell_text_documents)
        for cell in sorted(cells):
            self._publish(cell, None, [])

    def stop(self) -> None:
        self._jobs.stop()

    def _document(self, uri: str) -> Document:
        """A stand-in document for the notebook: its path and where its configuration is."""
        path = to_fs_path(uri)
        if path is None:  # an unsaved notebook: the workspace's configuration
            return Document(uri, None, Text(""), "python", "untitled.ipynb", self._server.root)
        directory = os.path.dirname(os.path.abspath(path))
        engine_path = path if path.lower().endswith(".ipynb") else path + ".ipynb"
        return Document(uri, None, Text(""), "python", engine_path, directory)

    async def _job(self, uri: str) -> None:
        await self._server.configuration.ready()
        async with self._jobs.lock(uri):
            with self._jobs.started():
                await self._lint(uri)

    async def _lint(self, uri: str) -> None:
        server = self._server
        notebook = server.workspace.get_notebook_document(notebook_uri=uri)
        if notebook is None:
            return
        version = notebook.version
        cells: list[tuple[str, bool, str]] = []
        for cell in notebook.cells:
            document = server.workspace.get_text_document(cell.document)
            code = cell.kind == types.NotebookCellKind.Code and (
                document.language_id in (None, "python")
            )
            cells.append((cell.document, code, document.source))
        joined, uris = joined_cells(cells)
        stand_in = self._document(uri)
        config = server.configuration.config_for(stand_in)
        try:
            found = await server.workers.run(lint_source, stand_in.path, joined.python, config)
        except Exception as error:  # the engine isolates rules; this guards against the rest
            log.warning("lint failed for %s: %s", uri, error)
            return
        current = server.workspace.get_notebook_document(notebook_uri=uri)
        if current is None or current.version != version:
            return  # changed meanwhile: the newer job publishes
        by_cell: dict[str, list[Diagnostic]] = {cell_uri: [] for cell_uri in uris.values()}
        for diagnostic in found:
            placed = to_cells(joined, diagnostic)
            cell_uri = uris.get(placed.cell or 0)
            if cell_uri is not None:
                by_cell[cell_uri].append(replace(placed, cell=None))
        texts = {cell_uri: text for cell_uri, _, text in cells}
        stale = self._published.get(uri, set()) - set(by_cell)
        for cell_uri in sorted(stale):
            self._publish(cell_uri, None, [])
        for cell_uri, diagnostics in by_cell.items():
            self._publish(cell_uri, texts[cell_uri], diagnostics)
        self._published[uri] = set(by_cell)

    def _publish(self, uri: str, text: Optional[str], diagnostics: list[Diagnostic]) -> None:
        document = Document(uri, None, Text(text or ""), "python", "cell.py", None)
        encoding = self._server.encoding
        self._server.text_document_publish_diagnostics(
            types.PublishDiagnosticsParams(
                uri=uri, diagnostics=[to_lsp(document, d, encoding) for d in diagnostics]
            )
        )
