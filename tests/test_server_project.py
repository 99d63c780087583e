"""The language server on multi-module projects, through its real protocol (as ``tests/test_server.py``):
each open document gets what ``mplint check`` of the tree gives, the editor's unsaved text of an imported
module wins over its file, and the documents that import a changed module are linted again (only they).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

pytest_lsp = pytest.importorskip("pytest_lsp")  # Python >= 3.10, with the test extra

from lsprotocol import types  # noqa: E402

from .test_frontdoors import NAMES, Finding, copy_project, mplint_check, python_files  # noqa: E402
from .test_server import SERVER, Client, Doc, initialize  # noqa: E402


@pytest_lsp.fixture(config=SERVER)
async def editor(lsp_client: Client) -> AsyncIterator[None]:
    yield
    if lsp_client.capabilities is None:  # a test that failed early: a server only exits when told
        await initialize(lsp_client)
    await lsp_client.shutdown_session()


pytestmark = pytest.mark.asyncio


def published(doc: Doc, params: types.PublishDiagnosticsParams, name: str) -> set[Finding]:
    """The findings of a publication, as ``mplint check`` shows them (the texts are ASCII: a UTF-16
    character is a column)."""
    return {
        (
            name,
            d.range.start.line + 1,
            d.range.start.character + 1,
            d.range.end.line + 1,
            d.range.end.character + 1,
            str(d.code),
            d.message,
        )
        for d in params.diagnostics
    }


def save(client: Client, doc: Doc) -> None:
    """Write the document's text to its file and tell the server it was saved."""
    doc.path.write_text(doc.text, encoding="utf-8")
    client.text_document_did_save(
        types.DidSaveTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=doc.uri))
    )


def codes(params: types.PublishDiagnosticsParams) -> list[str]:
    return sorted(str(d.code) for d in params.diagnostics)


@pytest.mark.parametrize("name", NAMES)
async def test_each_open_document_gets_what_the_command_line_gives(
    editor: Client, name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = editor
    root = copy_project(name, tmp_path)
    monkeypatch.chdir(root)
    whole = mplint_check("--no-cache", ".")
    assert whole
    await initialize(client, root=root)
    found: set[Finding] = set()
    for file in python_files(root):
        doc = Doc(client, root / file, (root / file).read_text(encoding="utf-8"))
        found |= published(doc, await doc.diagnostics(), file)
    assert found == whole


THREE_MAIN_EXIT = (12, "MPL309")


async def test_an_imported_modules_unsaved_text_wins_and_its_importers_follow(
    editor: Client, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = editor
    root = copy_project("three", tmp_path)
    monkeypatch.chdir(root)
    await initialize(client, root=root)
    main = Doc(client, root / "main.py", (root / "main.py").read_text(encoding="utf-8"))
    first = await main.diagnostics()
    assert codes(first) == ["MPL201", "MPL309", "MPL310"]
    # the cause, in tasks.py, is the related location (`sys.exit(1)`, line 6, columns 9 to 20)
    (exits,) = [d for d in first.diagnostics if d.code == "MPL309"]
    assert list(exits.related_information or ()) == [
        types.DiagnosticRelatedInformation(
            location=types.Location(
                uri=(root / "tasks.py").as_uri(),
                range=types.Range(
                    start=types.Position(line=5, character=8),
                    end=types.Position(line=5, character=19),
                ),
            ),
            message="`sys.exit(1)` in `check`",
        )
    ]
    original = (root / "tasks.py").read_text(encoding="utf-8")
    tasks = Doc(client, root / "tasks.py", original)
    await tasks.diagnostics()

    # an edit in the editor, not saved: main.py is linted again with the editor's text of tasks.py
    since = main.mark()
    tasks.replace_all(original.replace("sys.exit(1)", "return None"))
    assert codes(await main.diagnostics(since)) == ["MPL201", "MPL310"]
    assert "sys.exit(1)" in (root / "tasks.py").read_text(encoding="utf-8")

    # saved: the file says the same
    since = main.mark()
    save(client, tasks)
    assert codes(await main.diagnostics(since)) == ["MPL201", "MPL310"]

    # edited back without saving, then closed: the file's text is what counts again
    since = main.mark()
    tasks.replace_all(original)
    assert codes(await main.diagnostics(since)) == ["MPL201", "MPL309", "MPL310"]
    since = main.mark()
    tasks.close()
    assert codes(await main.diagnostics(since)) == ["MPL201", "MPL310"]

    # a file opened with a text that is not its file's (a restored buffer) wins from the start
    since = main.mark()
    Doc(client, root / "tasks.py", original)
    assert codes(await main.diagnostics(since)) == ["MPL201", "MPL309", "MPL310"]


async def test_an_edit_of_a_module_nobody_imports_lints_only_that_module(
    editor: Client, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = editor
    root = copy_project("three", tmp_path)
    monkeypatch.chdir(root)
    await initialize(client, root=root)
    tasks = Doc(client, root / "tasks.py", (root / "tasks.py").read_text(encoding="utf-8"))
    await tasks.diagnostics()
    main = Doc(client, root / "main.py", (root / "main.py").read_text(encoding="utf-8"))
    await main.diagnostics()
    since = main.mark()
    main.append_line("# nobody imports main\n")
    await main.diagnostics(since)
    await asyncio.sleep(1.0)
    others = [p.uri for _, p in client.published[since:] if p.uri != main.uri]
    assert others == []
    # while an edit of tasks.py, which main.py imports, lints main.py again
    since = main.mark()
    tasks.append_line("# still the same facts\n")
    again = await main.diagnostics(since)
    assert codes(again) == ["MPL201", "MPL309", "MPL310"]


async def test_a_module_created_later_is_found_at_the_importers_next_lint(
    editor: Client, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = editor
    root = copy_project("three", tmp_path)
    monkeypatch.chdir(root)
    tasks = (root / "tasks.py").read_text(encoding="utf-8")
    (root / "tasks.py").unlink()
    await initialize(client, root=root)
    main = Doc(client, root / "main.py", (root / "main.py").read_text(encoding="utf-8"))
    assert codes(await main.diagnostics()) == ["MPL201"]
    (root / "tasks.py").write_text(tasks, encoding="utf-8")
    Doc(client, root / "tasks.py", tasks)
    since = main.mark()
    main.append_line("# tasks.py is there now\n")
    assert codes(await main.diagnostics(since)) == ["MPL201", "MPL309", "MPL310"]
