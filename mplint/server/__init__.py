"""The language server: ``mplint server`` speaks the Language Server Protocol on stdio (pygls 2).

It is a thin front door over :func:`mplint.engine.lint_source` and :func:`mplint.fixes.fix_source`; nothing
rule-specific lives here. Only ``mplint server`` imports this package, so the CLI never needs pygls.

What it offers (each module's docstring has the details):

- diagnostics on open, on change and on save, for the editor's unsaved text (``lint``), computed in worker
  processes so that the server keeps answering meanwhile (``workers``);
- code actions: quick fixes, "Disable MPLxxx for this line" and ``source.fixAll.mplint`` (``actions``);
- hover on a code in a ``# noqa: MPLxxx`` comment (``hover``);
- Jupyter notebooks (LSP 3.17 notebook synchronisation): the code cells checked together, each
  finding published on its cell (``notebooks``);
- configuration from the nearest ``pyproject.toml`` and the client's settings (``settings``);
- the other modules of a document's project, the editor's unsaved texts winning over the files, and the
  documents that import a changed one linted again (``project``).

The rest: ``text`` (a document's lines and positions, in the negotiated encoding), ``documents`` (the open
documents), ``capabilities`` (what the client can do). This module holds the server's state and lifecycle,
the table of the features it registers, and ``serve``.
"""

from __future__ import annotations

import asyncio
import logging
import os
import sys
from typing import Optional, Union

from lsprotocol import types
from pygls.lsp.server import LanguageServer
from pygls.uris import from_fs_path, to_fs_path

from mplint import __version__
from mplint.registry import all_rules
from mplint.server.actions import FIX_ALL_KIND, CodeActions
from mplint.server.capabilities import ClientCapabilities, negotiated_encoding
from mplint.server.documents import Document, Result
from mplint.server.hover import noqa_hover
from mplint.server.lint import DEBOUNCE_SECONDS, Linter
from mplint.server.notebooks import NOTEBOOK_SYNC, Notebooks
from mplint.server.project import Projects
from mplint.server.settings import SETTINGS_TIMEOUT, Configuration
from mplint.server.workers import Workers, prepare_threads

__all__ = ["DEBOUNCE_SECONDS", "FIX_ALL_KIND", "MplintLanguageServer", "create_server", "serve"]

log = logging.getLogger(__name__)


class MplintLanguageServer(LanguageServer):
    """The mplint language server's state: open documents and their results, and the parts serving them."""

    def __init__(self) -> None:
        super().__init__(
            "mplint",
            __version__,
            # Full, not Incremental: pygls applies incremental changes to its own copy first, counting
            # lines with str.splitlines, and clamps the change's positions *in place* while doing so; the
            # server's own copy would then receive corrupted ranges on lines after a form feed. A client
            # that sends ranges anyway is still handled correctly by ``Text.apply``.
            text_document_sync_kind=types.TextDocumentSyncKind.Full,
            notebook_document_sync=NOTEBOOK_SYNC,
        )
        self.encoding = "utf-16"
        self.capabilities = ClientCapabilities()
        self.documents: dict[str, Document] = {}
        self.results: dict[str, Result] = {}
        self.root: Optional[str] = None  # where an untitled buffer's configuration is looked for
        self.configuration = Configuration(self)
        self.workers = Workers(
            lambda message: self.log_to_client(message, types.MessageType.Warning)
        )
        self.linter = Linter(self)
        self.actions = CodeActions(self)
        self.notebooks = Notebooks(self)
        self.projects = Projects(self)

    # --- lifecycle ---------------------------------------------------------------------------------------

    def initialize(self, params: types.InitializeParams) -> None:
        self.capabilities = ClientCapabilities.from_params(params.capabilities)
        self.encoding = negotiated_encoding(self.workspace.position_encoding)
        root = params.root_uri or (from_fs_path(params.root_path) if params.root_path else None)
        if params.workspace_folders:
            root = params.workspace_folders[0].uri
        self.root = to_fs_path(root) if root else None
        self.configuration.initialize(params.initialization_options)
        self.workers.warm_up()

    async def initialized(self) -> None:
        await self.configuration.initialized()
        registrations = self.capabilities.registrations()
        if not registrations:
            return
        try:
            await asyncio.wait_for(
                self.client_register_capability_async(
                    types.RegistrationParams(registrations=registrations)
                ),
                SETTINGS_TIMEOUT,
            )
        except Exception as error:  # a client that refuses only loses the automatic reloads
            self.log_to_client(
                f"client/registerCapability failed: {error}", types.MessageType.Warning
            )

    def stop(self) -> None:
        self.linter.stop()
        self.notebooks.stop()
        self.workers.stop()

    # --- documents and configuration changes -------------------------------------------------------------

    def open(self, item: types.TextDocumentItem) -> None:
        document = self.documents[item.uri] = Document.opened(item, self.root)
        self.linter.schedule(item.uri, 0.0)
        self.projects.opened(document)

    def change(self, params: types.DidChangeTextDocumentParams) -> None:
        uri = params.text_document.uri
        document = self.documents.get(uri)
        if document is None:
            return
        document = self.documents[uri] = document.changed(params, self.encoding)
        self.linter.schedule(uri, DEBOUNCE_SECONDS)
        self.projects.changed(document)

    def save(self, uri: str) -> None:
        path = to_fs_path(uri) or uri
        if os.path.basename(path) == "pyproject.toml":
            self.pyproject_changed()
        elif uri in self.documents:
            self.linter.schedule(uri, 0.0)
            self.projects.saved(self.documents[uri])

    def close(self, uri: str) -> None:
        self.projects.closed(uri)
        self.linter.forget(uri)
        document = self.documents.pop(uri, None)
        self.results.pop(uri, None)
        self.actions.forget(uri)
        if document is not None:
            self.text_document_publish_diagnostics(
                types.PublishDiagnosticsParams(uri=uri, diagnostics=[])
            )

    async def did_change_configuration(self, params: types.DidChangeConfigurationParams) -> None:
        await self.configuration.changed(params)
        self.linter.relint_all()
        self.notebooks.relint_all()

    def pyproject_changed(self) -> None:
        self.configuration.forget_stamps()
        self.actions.forget()
        self.linter.relint_all()
        self.notebooks.relint_all()

    # --- messages ----------------------------------------------------------------------------------------

    def show(self, message: str, kind: types.MessageType) -> None:
        """A message for the user (``window/showMessage``), also logged here."""
        log.warning("%s", message)
        self.window_show_message(types.ShowMessageParams(type=kind, message=message))

    def log_to_client(self, message: str, kind: types.MessageType = types.MessageType.Log) -> None:
        """A line in the client's log for this server (``window/logMessage``)."""
        self.window_log_message(types.LogMessageParams(type=kind, message=message))


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

    # Notebooks (LSP 3.17): pygls keeps the cells in its workspace; see ``notebooks``.
    def notebook_touched(
        ls: MplintLanguageServer,
        params: Union[
            types.DidOpenNotebookDocumentParams,
            types.DidChangeNotebookDocumentParams,
            types.DidSaveNotebookDocumentParams,
        ],
    ) -> None:
        ls.notebooks.schedule(params.notebook_document.uri)

    for touched in (
        types.NOTEBOOK_DOCUMENT_DID_OPEN,
        types.NOTEBOOK_DOCUMENT_DID_CHANGE,
        types.NOTEBOOK_DOCUMENT_DID_SAVE,
    ):
        server.feature(touched)(notebook_touched)

    @server.feature(types.NOTEBOOK_DOCUMENT_DID_CLOSE)
    def notebook_did_close(
        ls: MplintLanguageServer, params: types.DidCloseNotebookDocumentParams
    ) -> None:
        ls.notebooks.close(params)

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
        return await ls.actions.code_actions(params)

    @server.feature(types.CODE_ACTION_RESOLVE)
    async def code_action_resolve(
        ls: MplintLanguageServer, params: types.CodeAction
    ) -> types.CodeAction:
        return await ls.actions.resolve_fix_all(params)

    @server.feature(types.TEXT_DOCUMENT_HOVER)
    def hover(ls: MplintLanguageServer, params: types.HoverParams) -> Optional[types.Hover]:
        return noqa_hover(ls, params)

    return server


def serve() -> None:
    """Run the language server on stdin/stdout until the client says exit."""
    prepare_threads()
    all_rules()  # discover the rules once (hover needs them; so do lint threads, in the fallback)
    # The server handles range changes itself (see MplintLanguageServer.__init__); pygls's complaint
    # about clients that send them under full sync is noise.
    logging.getLogger("pygls.workspace.text_document").setLevel(logging.CRITICAL)
    # The protocol owns stdout: anything else printed (a library's stray print) goes to stderr instead.
    stdin, stdout = sys.stdin.buffer, sys.stdout.buffer
    sys.stdout = sys.stderr
    create_server().start_io(stdin, stdout)
