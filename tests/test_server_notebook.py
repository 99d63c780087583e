"""The language server on Jupyter notebooks (LSP 3.17 notebook synchronisation), end to end: a real
client opens, edits and closes a notebook; each finding arrives on its own cell, at its row there."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

pytest_lsp = pytest.importorskip("pytest_lsp")  # Python >= 3.10, with the test extra

from lsprotocol import types  # noqa: E402

from .test_server import SERVER, Client, initialize, vscode  # noqa: E402


@pytest_lsp.fixture(config=SERVER)
async def editor(lsp_client: Client) -> AsyncIterator[None]:
    yield
    if lsp_client.capabilities is None:  # a test that failed early: a server only exits when told
        await initialize(lsp_client)
    await lsp_client.shutdown_session()


pytestmark = pytest.mark.asyncio

IMPORTS = "import multiprocessing as mp\n%matplotlib inline\n"
WORKER = "def square(x):\n    return x * x\n"
POOL = "with mp.Pool(2) as pool:\n    print(pool.map(square, range(4)))"


async def _settled(client: Client, uris: list[str], until: float = 60.0) -> None:
    """Wait until every cell in ``uris`` has had diagnostics published."""
    deadline = asyncio.get_running_loop().time() + until
    while not all(uri in client.diagnostics for uri in uris):
        assert asyncio.get_running_loop().time() < deadline, client.diagnostics
        await asyncio.sleep(0.05)


async def test_notebook_cells_are_checked_together(editor: Client, tmp_path: Path) -> None:
    client = editor
    capabilities = vscode()
    capabilities.notebook_document = types.NotebookDocumentClientCapabilities(
        synchronization=types.NotebookDocumentSyncClientCapabilities()
    )
    result = await initialize(client, capabilities=capabilities)
    sync = result.capabilities.notebook_document_sync
    assert isinstance(sync, types.NotebookDocumentSyncOptions)
    notebook = (tmp_path / "squares.ipynb").as_uri()
    texts = ["# Squares", IMPORTS, WORKER, POOL]
    uris = [f"vscode-notebook-cell:{tmp_path}/squares.ipynb#cell{i}" for i in range(len(texts))]
    kinds = [types.NotebookCellKind.Markup] + [types.NotebookCellKind.Code] * 3
    client.notebook_document_did_open(
        types.DidOpenNotebookDocumentParams(
            notebook_document=types.NotebookDocument(
                uri=notebook,
                notebook_type="jupyter-notebook",
                version=1,
                cells=[
                    types.NotebookCell(kind=kind, document=uri) for kind, uri in zip(kinds, uris)
                ],
            ),
            cell_text_documents=[
                types.TextDocumentItem(
                    uri=uri,
                    language_id="markdown" if kind == types.NotebookCellKind.Markup else "python",
                    version=1,
                    text=text,
                )
                for kind, uri, text in zip(kinds, uris, texts)
            ],
        )
    )
    await _settled(client, uris[1:])
    assert uris[0] not in client.diagnostics  # markdown: nothing published
    assert list(client.diagnostics[uris[1]]) == []
    assert list(client.diagnostics[uris[2]]) == []
    [found] = client.diagnostics[uris[3]]
    assert (found.code, found.source) == ("MPL209", "mplint")
    assert found.range == types.Range(
        start=types.Position(line=1, character=19), end=types.Position(line=1, character=25)
    )
    assert found.message.startswith("`square` is defined in the notebook;")

    # the worker moves to a module: the finding goes away
    client.diagnostics.clear()
    client.notebook_document_did_change(
        types.DidChangeNotebookDocumentParams(
            notebook_document=types.VersionedNotebookDocumentIdentifier(version=2, uri=notebook),
            change=types.NotebookDocumentChangeEvent(
                cells=types.NotebookDocumentCellChanges(
                    text_content=[
                        types.NotebookDocumentCellContentChanges(
                            document=types.VersionedTextDocumentIdentifier(uri=uris[2], version=2),
                            changes=[
                                types.TextDocumentContentChangeWholeDocument(
                                    text="from work import square\n"
                                )
                            ],
                        )
                    ]
                )
            ),
        )
    )
    await _settled(client, uris[1:])
    assert all(list(client.diagnostics[uri]) == [] for uri in uris[1:])

    # closed: every cell's diagnostics are cleared
    client.diagnostics[uris[3]] = [found]
    client.notebook_document_did_close(
        types.DidCloseNotebookDocumentParams(
            notebook_document=types.NotebookDocumentIdentifier(uri=notebook),
            cell_text_documents=[types.TextDocumentIdentifier(uri=uri) for uri in uris],
        )
    )
    deadline = asyncio.get_running_loop().time() + 60
    while list(client.diagnostics[uris[3]]):
        assert asyncio.get_running_loop().time() < deadline
        await asyncio.sleep(0.05)
