"""The language server, end to end: a real LSP client (pytest-lsp) talks to ``python -m mplint server`` over
stdio. Nothing of the protocol is mocked; expected positions and texts come from the engine itself.
"""

from __future__ import annotations

import asyncio
import copy
import os
import signal
import statistics
import sys
import time
from collections.abc import AsyncIterator, Sequence
from pathlib import Path
from typing import Any, Callable, Optional

import pytest

pytest_lsp = pytest.importorskip("pytest_lsp")  # Python >= 3.10, with the test extra

from lsprotocol import types  # noqa: E402
from pygls.protocol import default_converter  # noqa: E402
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities  # noqa: E402

from mplint.config import Config  # noqa: E402
from mplint.diagnostics import Applicability, Diagnostic, Edit  # noqa: E402
from mplint.engine import lint_source  # noqa: E402
from mplint.fixes import apply_edits, fix_source  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
TIMEOUT = 240.0

BUGGY = """\
import time
from multiprocessing import Process


def download(url):
    return url


def heartbeat():
    while True:
        time.sleep(5)


def main(urls):
    workers = [Process(target=download(url)) for url in urls]
    for worker in workers:
        worker.start()
    beat = Process(target=heartbeat)
    beat.start()
    beat.daemon = True
    for worker in workers:
        worker.join()


if __name__ == "__main__":
    main(["a", "b"])
"""

# Characters outside ASCII before and inside the reported call: an astral emoji (2 UTF-16 units, 4 UTF-8
# bytes), an accented letter (1 unit, 2 bytes), and a form feed line (a line break for str.splitlines,
# not for Python or LSP).
UNICODE = """\
from multiprocessing import Process
\x0c
def work(name):
    return name


def main():
    p = Process(name="😀 naïve", target=work("😀"))
    p.start()
    p.join()
"""


class Client(LanguageClient):
    """pytest-lsp's client, recording every notification the server sends (with arrival times)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.published: list[tuple[float, types.PublishDiagnosticsParams]] = []
        self.registrations: list[types.Registration] = []


def make_client() -> Client:
    client = Client(converter_factory=default_converter)

    @client.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    def publish(params: types.PublishDiagnosticsParams) -> None:
        client.published.append((time.perf_counter(), params))
        client.diagnostics[params.uri] = params.diagnostics

    @client.feature(types.WORKSPACE_CONFIGURATION)
    def configuration(params: types.ConfigurationParams) -> list[Any]:
        return [
            client.get_configuration(section=item.section, scope_uri=item.scope_uri)
            for item in params.items
        ]

    @client.feature(types.CLIENT_REGISTER_CAPABILITY)
    def register(params: types.RegistrationParams) -> None:
        client.registrations.extend(params.registrations)

    @client.feature(types.WINDOW_SHOW_MESSAGE)
    def show_message(params: types.ShowMessageParams) -> None:
        client.messages.append(params)

    @client.feature(types.WINDOW_LOG_MESSAGE)
    def log_message(params: types.LogMessageParams) -> None:
        client.log_messages.append(params)

    return client


SERVER = ClientServerConfig(
    server_command=[sys.executable, "-m", "mplint", "server"],
    client_factory=make_client,
    # `python -m mplint` must import this working tree, wherever pytest was started from.
    server_env={
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
    },
)


@pytest_lsp.fixture(config=SERVER)
async def client(lsp_client: Client) -> AsyncIterator[None]:
    yield
    if lsp_client.capabilities is None:  # a test that failed early: a server only exits when told
        await initialize(lsp_client)
    await lsp_client.shutdown_session()


pytestmark = pytest.mark.asyncio


# --- helpers ----------------------------------------------------------------------------------------------


def vscode(
    *, encodings: Optional[list[str]] = None, resolve: bool = True
) -> types.ClientCapabilities:
    capabilities = copy.deepcopy(client_capabilities("visual-studio-code"))
    if encodings is not None:
        general = capabilities.general or types.GeneralClientCapabilities()
        general.position_encodings = encodings
        capabilities.general = general
    if not resolve:
        assert capabilities.text_document and capabilities.text_document.code_action
        capabilities.text_document.code_action.resolve_support = None
    return capabilities


async def initialize(
    client: Client,
    *,
    options: Any = None,
    capabilities: Optional[types.ClientCapabilities] = None,
    root: Optional[Path] = None,
) -> types.InitializeResult:
    return await client.initialize_session(
        types.InitializeParams(
            capabilities=capabilities or vscode(),
            initialization_options=options,
            root_uri=root.as_uri() if root else None,
        )
    )


def units(text: str, encoding: str) -> int:
    if encoding == "utf-16":
        return len(text.encode("utf-16-le")) // 2
    if encoding == "utf-8":
        return len(text.encode("utf-8"))
    return len(text)


def lines_of(text: str) -> list[str]:
    """Lines as LSP counts them (\\r\\n, \\r, \\n; not str.splitlines)."""
    return text.replace("\r\n", "\n").replace("\r", "\n").split("\n")


def lsp_position(text: str, line: int, column: int, encoding: str = "utf-16") -> types.Position:
    """The LSP position of the engine's 1-based line and code-point column: the offset is found the
    way ``--fix`` finds it (an insertion there), the line and column the way an editor counts them."""
    marked = apply_edits(text, [Edit(line, column, line, column, "\0")])
    before = lines_of(marked[: marked.index("\0")])
    return types.Position(line=len(before) - 1, character=units(before[-1], encoding))


def lsp_range(text: str, d: Diagnostic, encoding: str = "utf-16") -> types.Range:
    return types.Range(
        start=lsp_position(text, d.line, d.column, encoding),
        end=lsp_position(text, d.end_line, d.end_column, encoding),
    )


def offset(text: str, position: types.Position, encoding: str = "utf-16") -> int:
    starts = [0]
    index = 0
    while index < len(text):
        char = text[index]
        if char == "\r" and text.startswith("\r\n", index):
            index += 1
        if char in "\r\n":
            starts.append(index + 1)
        index += 1
    line_start = starts[position.line] if position.line < len(starts) else len(text)
    line = lines_of(text)[position.line] if position.line < len(starts) else ""
    count = 0
    for chars, char in enumerate(line):
        if count >= position.character:
            return line_start + chars
        count += units(char, encoding)
    return line_start + len(line)


def text_edits(edit: Optional[types.WorkspaceEdit], uri: str) -> list[types.TextEdit]:
    assert edit is not None
    found: list[types.TextEdit] = []
    for change in edit.document_changes or ():
        assert isinstance(change, types.TextDocumentEdit)
        if change.text_document.uri == uri:
            found.extend(e for e in change.edits if isinstance(e, types.TextEdit))
    if edit.changes:
        found.extend(edit.changes.get(uri, ()))
    return found


def key(position: types.Position) -> tuple[int, int]:
    return position.line, position.character


class Doc:
    """A document open in the client. It sends the whole text on every change, as the server asks
    (``TextDocumentSyncKind.Full``), or with ``ranges`` the changed ranges only, as some clients do
    regardless."""

    def __init__(
        self,
        client: Client,
        path: Path,
        text: str,
        encoding: str = "utf-16",
        *,
        ranges: bool = False,
    ) -> None:
        self.client = client
        self.ranges = ranges
        self.uri = path.as_uri()
        self.path = path
        self.text = text
        self.version = 1
        self.encoding = encoding
        client.text_document_did_open(
            types.DidOpenTextDocumentParams(
                text_document=types.TextDocumentItem(
                    uri=self.uri, language_id="python", version=1, text=text
                )
            )
        )

    def apply(self, edits: Sequence[types.TextEdit]) -> None:
        """Apply a workspace edit's text edits (last first, so each position is still valid)."""
        ordered = sorted(edits, key=lambda e: key(e.range.start), reverse=True)
        changes: list[types.TextDocumentContentChangeEvent] = []
        for edit in ordered:
            start = offset(self.text, edit.range.start, self.encoding)
            end = offset(self.text, edit.range.end, self.encoding)
            self.text = self.text[:start] + edit.new_text + self.text[end:]
            changes.append(
                types.TextDocumentContentChangePartial(range=edit.range, text=edit.new_text)
            )
        if not self.ranges:
            changes = [types.TextDocumentContentChangeWholeDocument(text=self.text)]
        self.version += 1
        self.client.text_document_did_change(
            types.DidChangeTextDocumentParams(
                text_document=types.VersionedTextDocumentIdentifier(
                    uri=self.uri, version=self.version
                ),
                content_changes=changes,
            )
        )

    def replace_all(self, text: str) -> None:
        self.text = text
        self.version += 1
        self.client.text_document_did_change(
            types.DidChangeTextDocumentParams(
                text_document=types.VersionedTextDocumentIdentifier(
                    uri=self.uri, version=self.version
                ),
                content_changes=[types.TextDocumentContentChangeWholeDocument(text=text)],
            )
        )

    def append_line(self, line: str) -> None:
        end = lines_of(self.text)
        position = types.Position(line=len(end) - 1, character=units(end[-1], self.encoding))
        self.apply([types.TextEdit(range=types.Range(start=position, end=position), new_text=line)])

    def mark(self) -> int:
        return len(self.client.published)

    async def diagnostics(
        self,
        since: int = 0,
        where: Optional[Callable[[types.PublishDiagnosticsParams], bool]] = None,
        *,
        current: bool = True,
    ) -> types.PublishDiagnosticsParams:
        """The first diagnostics for this document published after ``since`` matching ``where``
        (and, with ``current``, computed for the version the client has now)."""
        deadline = time.monotonic() + TIMEOUT
        while time.monotonic() < deadline:
            for _, params in self.client.published[since:]:
                if params.uri != self.uri:
                    continue
                if current and params.version != self.version:
                    continue
                if where is None or where(params):
                    return params
            await asyncio.sleep(0.01)
        raise AssertionError(f"no matching diagnostics for {self.uri} (version {self.version})")

    async def actions(
        self,
        range_: types.Range,
        diagnostics: Sequence[types.Diagnostic] = (),
        only: Optional[list[str]] = None,
    ) -> list[types.CodeAction]:
        result = await self.client.text_document_code_action_async(
            types.CodeActionParams(
                text_document=types.TextDocumentIdentifier(uri=self.uri),
                range=range_,
                context=types.CodeActionContext(
                    diagnostics=list(diagnostics),
                    only=only,
                    trigger_kind=types.CodeActionTriggerKind.Invoked,
                ),
            )
        )
        return [a for a in result or () if isinstance(a, types.CodeAction)]

    async def hover(self, line: int, character: int) -> Optional[types.Hover]:
        return await self.client.text_document_hover_async(
            types.HoverParams(
                text_document=types.TextDocumentIdentifier(uri=self.uri),
                position=types.Position(line=line, character=character),
            )
        )

    def close(self) -> None:
        self.client.text_document_did_close(
            types.DidCloseTextDocumentParams(
                text_document=types.TextDocumentIdentifier(uri=self.uri)
            )
        )


def codes(params: types.PublishDiagnosticsParams) -> list[str]:
    return sorted(str(d.code) for d in params.diagnostics)


def only_code(code: str) -> Callable[[types.PublishDiagnosticsParams], bool]:
    return lambda params: code in codes(params)


def engine(text: str, path: Path, config: Optional[Config] = None) -> list[Diagnostic]:
    return lint_source(str(path), text, config or Config())


def by_code(diagnostics: Sequence[Diagnostic], code: str) -> Diagnostic:
    return next(d for d in diagnostics if d.code == code)


def lsp_diagnostic(params: types.PublishDiagnosticsParams, code: str) -> types.Diagnostic:
    return next(d for d in params.diagnostics if d.code == code)


# --- diagnostics ------------------------------------------------------------------------------------------


async def test_diagnostics_on_open(client: Client, tmp_path: Path) -> None:
    result = await initialize(client)
    assert result.capabilities.position_encoding in (None, types.PositionEncodingKind.Utf16)
    doc = Doc(client, tmp_path / "downloader.py", BUGGY)
    published = await doc.diagnostics()
    expected = engine(BUGGY, doc.path)
    assert codes(published) == sorted(d.code for d in expected) == ["MPL101", "MPL105"]
    for d in expected:
        got = lsp_diagnostic(published, d.code)
        assert got.range == lsp_range(BUGGY, d)
        assert got.message == d.message
        assert got.source == "mplint"
        assert got.severity == types.DiagnosticSeverity.Error
        assert got.code_description is not None
        assert (
            got.code_description.href
            == d.url
            == f"https://github.com/mplint/mplint/blob/main/rules/{d.code}.md"
        )
    # the call `download(url)` on line 15, as a reader counts it
    mpl101 = lsp_diagnostic(published, "MPL101")
    line = BUGGY.splitlines()[14]
    assert mpl101.range.start == types.Position(line=14, character=line.index("download(url)"))
    assert mpl101.range.end == types.Position(
        line=14, character=line.index("download(url)") + len("download(url)")
    )


async def test_warning_severity(client: Client, tmp_path: Path) -> None:
    await initialize(client)
    text = (
        "from multiprocessing import Process\n\n\ndef f():\n    pass\n\n\n"
        "def main():\n    p = Process(target=f)\n    p.start()\n    p.terminate()\n"
    )
    doc = Doc(client, tmp_path / "term.py", text)
    published = await doc.diagnostics(where=only_code("MPL108"))
    assert lsp_diagnostic(published, "MPL108").severity == types.DiagnosticSeverity.Warning


# A threading.Lock sent to a process: MPL504, with MPL205 and MPL405 (which it supersedes) as related notes.
THREAD_LOCK = """\
import threading
from multiprocessing import Process

guard = threading.Lock()


def count(path, lock):
    with lock:
        print(path)


def main(path):
    child = Process(target=count, args=(path, guard))
    child.start()
"""


@pytest.mark.parametrize("supported", [True, False])
async def test_related_information_when_the_client_supports_it(
    client: Client, tmp_path: Path, supported: bool
) -> None:
    capabilities = vscode()
    assert capabilities.text_document and capabilities.text_document.publish_diagnostics
    capabilities.text_document.publish_diagnostics.related_information = supported
    await initialize(client, capabilities=capabilities)
    doc = Doc(client, tmp_path / "lock.py", THREAD_LOCK)
    published = await doc.diagnostics(where=only_code("MPL504"))
    assert codes(published) == ["MPL504"]
    got = lsp_diagnostic(published, "MPL504")
    expected = by_code(engine(THREAD_LOCK, doc.path), "MPL504")
    assert [r.code for r in expected.related] == ["MPL205", "MPL405"]
    if not supported:
        assert got.related_information is None
        return
    assert list(got.related_information) == [
        types.DiagnosticRelatedInformation(
            location=types.Location(uri=doc.uri, range=lsp_range(THREAD_LOCK, expected)),
            message=related.message,
        )
        for related in expected.related
    ]


async def test_unsaved_text_is_linted_not_the_file(client: Client, tmp_path: Path) -> None:
    await initialize(client)
    path = tmp_path / "on_disk.py"
    path.write_text("print('clean')\n", encoding="utf-8")
    doc = Doc(client, path, BUGGY)
    assert codes(await doc.diagnostics()) == ["MPL101", "MPL105"]


async def test_untitled_buffer(client: Client) -> None:
    await initialize(client)
    uri = "untitled:Untitled-1"
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(
                uri=uri, language_id="python", version=1, text=BUGGY
            )
        )
    )
    deadline = time.monotonic() + TIMEOUT
    while not any(p.uri == uri for _, p in client.published) and time.monotonic() < deadline:
        await asyncio.sleep(0.01)
    (published,) = [p for _, p in client.published if p.uri == uri]
    assert codes(published) == ["MPL101", "MPL105"]


async def test_syntax_error_is_a_diagnostic_and_the_server_lives(
    client: Client, tmp_path: Path
) -> None:
    await initialize(client)
    broken = "import multiprocessing\n\ndef f(:\n    pass\n"
    doc = Doc(client, tmp_path / "broken.py", broken)
    published = await doc.diagnostics()
    assert codes(published) == ["MPL001"]
    (expected,) = engine(broken, doc.path)
    assert lsp_diagnostic(published, "MPL001").range == lsp_range(broken, expected)
    # still answering, and the fixed text is linted again
    hover_doc = Doc(client, tmp_path / "other.py", "x = 1  # noqa: MPL105\n")
    assert await hover_doc.hover(0, 17) is not None
    doc.replace_all(BUGGY)
    assert codes(await doc.diagnostics()) == ["MPL101", "MPL105"]


async def test_close_clears_and_fixing_clears(client: Client, tmp_path: Path) -> None:
    await initialize(client)
    doc = Doc(client, tmp_path / "a.py", BUGGY)
    await doc.diagnostics(where=only_code("MPL105"))
    doc.replace_all(BUGGY.replace("    beat.daemon = True\n", ""))
    cleared = await doc.diagnostics()
    assert codes(cleared) == ["MPL101"]
    since = doc.mark()
    doc.close()
    final = await doc.diagnostics(since, current=False)
    assert list(final.diagnostics) == []


async def test_latest_version_wins(client: Client, tmp_path: Path) -> None:
    await initialize(client)
    doc = Doc(client, tmp_path / "typing.py", BUGGY)
    await doc.diagnostics()
    since = doc.mark()
    for number in range(5):  # typing fast: only the last version is linted
        doc.append_line(f"# keystroke {number}\n")
    final = await doc.diagnostics(since)
    assert codes(final) == ["MPL101", "MPL105"]
    await asyncio.sleep(0.5)
    stale = [p.version for _, p in client.published[since:] if p.uri == doc.uri]
    print(f"\npublished versions after 5 quick changes: {stale}")
    assert stale[-1] == doc.version


def children(pid: int) -> list[int]:
    """Ids of the processes whose parent is ``pid`` (Linux /proc)."""
    found: list[int] = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # pid (comm) state ppid ...: comm may hold spaces and parentheses
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            found.append(int(entry.name))
    return found


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="finds processes through /proc")
async def test_a_dead_worker_costs_a_worker_not_the_server(client: Client, tmp_path: Path) -> None:
    await initialize(client)
    doc = Doc(client, tmp_path / "a.py", BUGGY)
    assert codes(await doc.diagnostics()) == ["MPL101", "MPL105"]
    (server,) = [
        pid
        for pid in children(os.getpid())
        if b"mplint\0server" in Path(f"/proc/{pid}/cmdline").read_bytes()
    ]
    workers = [
        pid
        for pid in children(server)
        if b"spawn_main" in Path(f"/proc/{pid}/cmdline").read_bytes()
    ]
    assert workers  # the lint ran in worker processes
    for pid in workers:  # as a native crash in the parser would
        os.kill(pid, signal.SIGKILL)
    doc.replace_all(BUGGY.replace("    beat.daemon = True\n", ""))
    assert codes(await doc.diagnostics()) == ["MPL101"]
    assert any("worker process died" in m.message for m in client.log_messages)
    assert set(children(server)) - set(workers)  # a new pool


# --- positions --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["utf-16", "utf-8", "utf-32"])
async def test_non_ascii_ranges_and_fix(client: Client, tmp_path: Path, encoding: str) -> None:
    result = await initialize(client, capabilities=vscode(encodings=[encoding]))
    assert result.capabilities.position_encoding == encoding
    doc = Doc(client, tmp_path / "unicode.py", UNICODE, encoding=encoding)
    published = await doc.diagnostics()
    (expected,) = engine(UNICODE, doc.path)
    got = lsp_diagnostic(published, "MPL101")
    assert got.range == lsp_range(UNICODE, expected, encoding)
    line = lines_of(UNICODE)[got.range.start.line]
    assert line.startswith("    p = Process(")
    start = line.index('work("😀")')
    assert got.range.start.character == units(line[:start], encoding)
    assert got.range.end.character == units(line[: start + len('work("😀")')], encoding)
    # the unsafe quick fix edits the right characters in this encoding
    (action,) = [a for a in await doc.actions(got.range, [got]) if a.title.endswith("(unsafe)")]
    doc.apply(text_edits(action.edit, doc.uri))
    assert expected.fix is not None
    assert doc.text == apply_edits(UNICODE, expected.fix.edits)
    assert codes(await doc.diagnostics()) == []


async def test_range_changes_after_a_form_feed(client: Client, tmp_path: Path) -> None:
    result = await initialize(client)
    sync = result.capabilities.text_document_sync
    assert isinstance(sync, types.TextDocumentSyncOptions)
    assert sync.change == types.TextDocumentSyncKind.Full
    # a client that sends ranges although the server asked for the full text
    doc = Doc(client, tmp_path / "ff.py", UNICODE, ranges=True)
    await doc.diagnostics()
    # an edit on the line after the form feed: the server must count lines as the client does
    doc.apply(
        [
            types.TextEdit(
                range=types.Range(
                    start=types.Position(line=2, character=0),
                    end=types.Position(line=2, character=len("def work")),
                ),
                new_text="def task",
            )
        ]
    )
    assert "def task(name):" in doc.text
    doc.apply(
        [
            types.TextEdit(
                range=types.Range(
                    start=types.Position(
                        line=7,
                        character=units('    p = Process(name="😀 naïve", target=', "utf-16"),
                    ),
                    end=types.Position(
                        line=7,
                        character=units('    p = Process(name="😀 naïve", target=work', "utf-16"),
                    ),
                ),
                new_text="task",
            )
        ]
    )
    published = await doc.diagnostics()
    (expected,) = engine(doc.text, doc.path)
    assert lsp_diagnostic(published, "MPL101").range == lsp_range(doc.text, expected)
    assert "target=task(" in lines_of(doc.text)[7]


# --- code actions -----------------------------------------------------------------------------------------


async def test_quick_fix_applies_and_the_diagnostic_goes(client: Client, tmp_path: Path) -> None:
    await initialize(client)
    doc = Doc(client, tmp_path / "downloader.py", BUGGY)
    published = await doc.diagnostics()
    expected = by_code(engine(BUGGY, doc.path), "MPL105")
    assert expected.fix is not None and expected.fix.applicability is Applicability.SAFE
    target = lsp_diagnostic(published, "MPL105")
    actions = await doc.actions(target.range, [target])
    titles = [a.title for a in actions]
    assert titles == [
        "Set `daemon` before `start()`",
        "Disable MPL105 for this line",
        "mplint: Fix all auto-fixable problems",  # offered without `only`, resolved on demand
    ]
    assert actions[2].kind == "source.fixAll.mplint" and actions[2].edit is None
    fix = actions[0]
    assert fix.kind == types.CodeActionKind.QuickFix
    assert fix.is_preferred
    assert list(fix.diagnostics or ()) == [target]
    doc.apply(text_edits(fix.edit, doc.uri))
    assert doc.text == apply_edits(BUGGY, expected.fix.edits)
    after = await doc.diagnostics()
    assert codes(after) == ["MPL101"]


async def test_unsafe_fix_is_a_separate_clearly_titled_action(
    client: Client, tmp_path: Path
) -> None:
    await initialize(client)
    doc = Doc(client, tmp_path / "downloader.py", BUGGY)
    published = await doc.diagnostics()
    target = lsp_diagnostic(published, "MPL101")
    actions = await doc.actions(target.range, [target], only=[types.CodeActionKind.QuickFix])
    expected = by_code(engine(BUGGY, doc.path), "MPL101")
    assert expected.fix is not None and expected.fix.applicability is Applicability.UNSAFE
    assert [a.title for a in actions] == [
        f"{expected.fix.message} (unsafe)",
        "Disable MPL101 for this line",
    ]
    assert not actions[0].is_preferred
    doc.apply(text_edits(actions[0].edit, doc.uri))
    assert "Process(target=download, args=(url,))" in doc.text
    assert codes(await doc.diagnostics()) == ["MPL105"]


async def test_code_actions_without_context_use_the_range(client: Client, tmp_path: Path) -> None:
    await initialize(client)
    doc = Doc(client, tmp_path / "downloader.py", BUGGY)
    published = await doc.diagnostics()
    target = lsp_diagnostic(published, "MPL105")
    actions = await doc.actions(target.range, [], only=[types.CodeActionKind.QuickFix])
    assert "Set `daemon` before `start()`" in [a.title for a in actions]


async def test_noqa_action_merges_into_an_existing_list(client: Client, tmp_path: Path) -> None:
    await initialize(client)
    text = BUGGY.replace("for url in urls]\n", "for url in urls]  # noqa: MPL105 (kept)\n")
    doc = Doc(client, tmp_path / "noqa.py", text)
    published = await doc.diagnostics()
    target = lsp_diagnostic(published, "MPL101")
    (action,) = [
        a for a in await doc.actions(target.range, [target]) if a.title.startswith("Disable")
    ]
    assert action.title == "Disable MPL101 for this line"
    doc.apply(text_edits(action.edit, doc.uri))
    line = lines_of(doc.text)[target.range.start.line]
    assert line.endswith("for url in urls]  # noqa: MPL105, MPL101 (kept)")
    assert codes(await doc.diagnostics()) == ["MPL105"]
    # without an existing comment, one is added
    target = lsp_diagnostic(await doc.diagnostics(), "MPL105")
    (action,) = [
        a for a in await doc.actions(target.range, [target]) if a.title.startswith("Disable")
    ]
    doc.apply(text_edits(action.edit, doc.uri))
    assert "    beat.daemon = True  # noqa: MPL105\n" in doc.text
    assert codes(await doc.diagnostics()) == []


@pytest.mark.parametrize("resolve", [True, False], ids=["resolve", "eager"])
async def test_fix_all(client: Client, tmp_path: Path, resolve: bool) -> None:
    await initialize(client, capabilities=vscode(resolve=resolve))
    text = BUGGY + (  # MPL108, another safe fix
        "\n\ndef stop():\n    p = Process(target=heartbeat)\n    p.start()\n    p.terminate()\n"
    )
    doc = Doc(client, tmp_path / "fixall.py", text)
    published = await doc.diagnostics()
    assert codes(published) == ["MPL101", "MPL105", "MPL108"]
    whole = types.Range(
        start=types.Position(line=0, character=0), end=types.Position(line=0, character=0)
    )
    (action,) = await doc.actions(whole, only=[types.CodeActionKind.SourceFixAll])
    assert action.kind == "source.fixAll.mplint"
    if resolve:
        assert action.edit is None  # computed on demand
        action = await client.code_action_resolve_async(action)
    expected = fix_source(str(doc.path), text, Config())
    assert expected.error is None and expected.changed
    doc.apply(text_edits(action.edit, doc.uri))
    assert doc.text == expected.text
    assert codes(await doc.diagnostics()) == ["MPL101"]  # the unsafe fix is left for the user
    # nothing left to fix: no action
    assert await doc.actions(whole, only=["source.fixAll.mplint"]) == []


async def test_hover_on_noqa_codes(client: Client, tmp_path: Path) -> None:
    await initialize(client)
    text = "import multiprocessing  # noqa: MPL105, MPL1\n"
    doc = Doc(client, tmp_path / "hover.py", text)
    column = text.index("MPL105") + 2
    hover = await doc.hover(0, column)
    assert hover is not None and isinstance(hover.contents, types.MarkupContent)
    assert "daemon-set-after-start" in hover.contents.value
    assert "https://github.com/mplint/mplint/blob/main/rules/MPL105.md" in hover.contents.value
    assert hover.range == types.Range(
        start=types.Position(line=0, character=text.index("MPL105")),
        end=types.Position(line=0, character=text.index("MPL105") + 6),
    )
    prefix = await doc.hover(0, text.index("MPL1\n") + 1)
    assert prefix is not None and isinstance(prefix.contents, types.MarkupContent)
    assert "MPL101" in prefix.contents.value and "MPL108" in prefix.contents.value
    assert await doc.hover(0, 3) is None


# --- configuration ----------------------------------------------------------------------------------------


async def test_initialization_options(client: Client, tmp_path: Path) -> None:
    await initialize(client, options={"mplint": {"ignore": ["MPL101"]}})
    doc = Doc(client, tmp_path / "a.py", BUGGY)
    assert codes(await doc.diagnostics()) == ["MPL105"]


async def test_workspace_configuration_change(client: Client, tmp_path: Path) -> None:
    await initialize(client)
    doc = Doc(client, tmp_path / "a.py", BUGGY)
    assert codes(await doc.diagnostics()) == ["MPL101", "MPL105"]
    client.set_configuration({"ignore": ["MPL101"], "extendSelect": []}, section="mplint")
    since = doc.mark()
    client.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings=None))
    assert codes(await doc.diagnostics(since)) == ["MPL105"]
    registered = {r.method for r in client.registrations}
    assert types.WORKSPACE_DID_CHANGE_WATCHED_FILES in registered


async def test_invalid_editor_settings_are_reported_and_skipped(
    client: Client, tmp_path: Path
) -> None:
    await initialize(client, options={"ignore": ["MPL101"], "select": ["NOPE9"], "colour": "red"})
    doc = Doc(client, tmp_path / "a.py", BUGGY)
    assert codes(await doc.diagnostics()) == ["MPL105"]
    (message,) = client.messages
    assert message.type == types.MessageType.Warning
    assert "NOPE9" in message.message and "colour" in message.message


async def test_pyproject_settings_reload_and_client_override(
    client: Client, tmp_path: Path
) -> None:
    project = tmp_path / "project"
    (project / "src").mkdir(parents=True)
    pyproject = project / "pyproject.toml"
    pyproject.write_text('[tool.mplint]\nignore = ["MPL105"]\n', encoding="utf-8")
    await initialize(client, root=project)
    doc = Doc(client, project / "src" / "job.py", BUGGY)
    assert codes(await doc.diagnostics()) == ["MPL101"]

    def changed() -> None:
        client.workspace_did_change_watched_files(
            types.DidChangeWatchedFilesParams(
                changes=[types.FileEvent(uri=pyproject.as_uri(), type=types.FileChangeType.Changed)]
            )
        )

    since = doc.mark()
    pyproject.write_text('[tool.mplint]\nignore = ["MPL101"]\n', encoding="utf-8")
    changed()
    assert codes(await doc.diagnostics(since, only_code("MPL105"))) == ["MPL105"]

    # broken: a message, a diagnostic on pyproject.toml, and the defaults
    since = doc.mark()
    pyproject.write_text("[tool.mplint]\nignore = [\n", encoding="utf-8")
    changed()
    assert codes(await doc.diagnostics(since, only_code("MPL101"))) == ["MPL101", "MPL105"]
    assert any(
        m.type == types.MessageType.Error and "pyproject.toml" in m.message for m in client.messages
    )
    broken = [p for _, p in client.published[since:] if p.uri == pyproject.as_uri()]
    assert broken and broken[-1].diagnostics and broken[-1].diagnostics[0].source == "mplint"

    # repaired: the pyproject diagnostic is cleared; the client's settings are layered over the file's
    # as the command line's are (a select replaces the file's select, extend-select and ignore)
    since = doc.mark()
    pyproject.write_text('[tool.mplint]\nignore = ["MPL101", "MPL105"]\n', encoding="utf-8")
    client.set_configuration({"select": ["MPL101"]}, section="mplint")
    client.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings=None))
    changed()
    assert codes(await doc.diagnostics(since, only_code("MPL101"))) == ["MPL101"]
    cleared = [p for _, p in client.published[since:] if p.uri == pyproject.as_uri()]
    assert cleared and list(cleared[-1].diagnostics) == []


async def test_pyproject_edit_is_seen_on_the_next_lint_without_watchers(
    client: Client, tmp_path: Path
) -> None:
    caps = vscode()
    assert caps.workspace is not None
    caps.workspace.did_change_watched_files = None
    await initialize(client, capabilities=caps)
    doc = Doc(client, tmp_path / "job.py", BUGGY)
    assert codes(await doc.diagnostics()) == ["MPL101", "MPL105"]
    (tmp_path / "pyproject.toml").write_text(
        '[tool.mplint]\nignore = ["MPL101"]\n', encoding="utf-8"
    )
    doc.append_line("# touched\n")
    assert codes(await doc.diagnostics()) == ["MPL105"]


# --- responsiveness ---------------------------------------------------------------------------------------


def big_document(lines: int) -> str:
    parts = [BUGGY]
    number = 0
    while sum(p.count("\n") for p in parts) < lines:
        parts.append(
            f"\n\ndef helper_{number}(values):\n"
            f"    total = 0\n"
            f"    for value in values:\n"
            f"        total += value * {number}\n"
            f"    return total\n"
        )
        number += 1
    return "".join(parts)


async def test_hover_answers_while_a_10000_line_document_is_linted(
    client: Client, tmp_path: Path
) -> None:
    await initialize(client)
    small = Doc(client, tmp_path / "small.py", "import multiprocessing  # noqa: MPL101\n")
    await small.diagnostics()
    text = big_document(10_000)
    since = len(client.published)
    opened = time.perf_counter()
    big = Doc(client, tmp_path / "huge.py", text)
    hovers: list[float] = []
    answered_during_lint = 0
    for _ in range(10):
        sent = time.perf_counter()
        hover = await small.hover(0, 33)
        hovers.append(time.perf_counter() - sent)
        assert hover is not None
        if not any(p.uri == big.uri for _, p in client.published[since:]):
            answered_during_lint += 1
        await asyncio.sleep(0.05)
    published = await big.diagnostics(since)
    arrived = next(t for t, p in client.published[since:] if p.uri == big.uri)
    assert codes(published) == ["MPL101", "MPL105"]
    # the name's claim: hovers were answered before the big document's diagnostics arrived
    assert answered_during_lint >= 1
    print(
        f"\n10,000-line document ({text.count(chr(10))} lines) linted in "
        f"{(arrived - opened) * 1000:.0f} ms; {answered_during_lint} of {len(hovers)} hovers answered "
        f"during the lint, median hover {statistics.median(hovers) * 1000:.1f} ms "
        f"(max {max(hovers) * 1000:.1f} ms)"
    )
