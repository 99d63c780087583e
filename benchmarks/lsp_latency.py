"""How fast the language server answers an edit: time from a ``didChange`` to the diagnostics of that
version, on a 2,000-line document, as an editor sees it (the server runs as ``mplint server`` over stdio).

    python benchmarks/lsp_latency.py               # 15 edits per document
    python benchmarks/lsp_latency.py --edits 30

Two documents: a typical module (a few multiprocessing calls among 2,000 lines of ordinary code) and the
first 2,100 lines of the standard library's ``test/_test_multiprocessing.py``, where nearly every line goes
through the multiprocessing model. Each edit appends a line and waits for its diagnostics before the next,
so every number is one full answer, not a coalesced one.
"""

from __future__ import annotations

import argparse
import json
import os
import queue
import statistics
import subprocess
import sys
import sysconfig
import tempfile
import threading
import time
from pathlib import Path
from typing import IO, Any

ROOT = Path(__file__).resolve().parent.parent

TYPICAL_HEAD = """\
import multiprocessing as mp


def work(x):
    return x * 2


def run_all(items):
    p = mp.Process(target=work(1))
    p.start()
    p.daemon = True
    with mp.Pool() as pool:
        return pool.map(work, items)
"""


def typical_document(lines: int) -> str:
    parts = [TYPICAL_HEAD]
    number = 0
    while sum(part.count("\n") for part in parts) < lines:
        parts.append(
            f"\n\nclass Record{number}:\n"
            f"    def __init__(self, values):\n"
            f"        self.values = list(values)\n\n"
            f"    def total(self):\n"
            f"        result = 0\n"
            f"        for value in self.values:\n"
            f"            result += value * {number}\n"
            f"        return result\n"
        )
        number += 1
    return "".join(parts)


def dense_document(lines: int) -> str:
    source = Path(sysconfig.get_paths()["stdlib"]) / "test" / "_test_multiprocessing.py"
    text = source.read_text(encoding="utf-8").splitlines(keepends=True)
    # cut at a top-level statement so the document parses
    end = lines
    while end < len(text) and not text[end].startswith(("def ", "class ")):
        end += 1
    return "".join(text[:end])


class Client:
    """A minimal LSP client over the server's stdio."""

    def __init__(self, workspace: Path, code: Path = ROOT) -> None:
        """Start ``mplint server`` from the checkout ``code`` (this one by default)."""
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "mplint", "server"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            cwd=workspace,
            env={**os.environ, "PYTHONPATH": str(code)},
        )
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.stdin: IO[bytes] = self.proc.stdin
        self.messages: queue.Queue[tuple[float, dict[str, Any]]] = queue.Queue()
        self.next_id = 0
        threading.Thread(target=self._read, args=(self.proc.stdout,), daemon=True).start()

    def _read(self, stream: IO[bytes]) -> None:
        while True:
            length = 0
            while True:
                line = stream.readline()
                if not line:
                    return
                if line in (b"\r\n", b"\n"):
                    break
                name, _, value = line.decode("ascii").partition(":")
                if name.lower() == "content-length":
                    length = int(value.strip())
            body = json.loads(stream.read(length))
            self.messages.put((time.perf_counter(), body))

    def send(self, message: dict[str, Any]) -> None:
        data = json.dumps({"jsonrpc": "2.0", **message}).encode("utf-8")
        self.stdin.write(b"Content-Length: %d\r\n\r\n" % len(data) + data)
        self.stdin.flush()

    def request(self, method: str, params: Any) -> dict[str, Any]:
        self.next_id += 1
        wanted = self.next_id
        self.send({"id": wanted, "method": method, "params": params})
        return self.wait(lambda m: m.get("id") == wanted and "method" not in m)[1]

    def notify(self, method: str, params: Any) -> None:
        self.send({"method": method, "params": params})

    def wait(self, match: Any, timeout: float = 120.0) -> tuple[float, dict[str, Any]]:
        deadline = time.perf_counter() + timeout
        while True:
            arrived, message = self.messages.get(timeout=max(0.0, deadline - time.perf_counter()))
            if "method" in message and "id" in message:  # a request from the server: answer it
                self.send({"id": message["id"], "result": None})
                continue
            if match(message):
                return arrived, message

    def close(self) -> None:
        self.request("shutdown", None)
        self.notify("exit", None)
        self.proc.wait(timeout=30)


def published(uri: str, version: int) -> Any:
    def match(message: dict[str, Any]) -> bool:
        if message.get("method") != "textDocument/publishDiagnostics":
            return False
        params = message["params"]
        return bool(params["uri"] == uri and params.get("version") == version)

    return match


def measure(client: Client, path: Path, text: str, edits: int) -> list[float]:
    uri = path.as_uri()
    client.notify(
        "textDocument/didOpen",
        {"textDocument": {"uri": uri, "languageId": "python", "version": 1, "text": text}},
    )
    client.wait(published(uri, 1))
    latencies: list[float] = []
    for number in range(edits):
        version = number + 2
        text += f"x_{number} = {number}\n"
        sent = time.perf_counter()
        client.notify(
            "textDocument/didChange",
            {
                "textDocument": {"uri": uri, "version": version},
                "contentChanges": [{"text": text}],
            },
        )
        arrived, _ = client.wait(published(uri, version))
        latencies.append(arrived - sent)
    client.notify("textDocument/didClose", {"textDocument": {"uri": uri}})
    return latencies


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--edits", type=int, default=15)
    parser.add_argument("--lines", type=int, default=2000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="mplint-lsp-bench-") as directory:
        workspace = Path(directory)
        client = Client(workspace)
        client.request(
            "initialize",
            {"processId": os.getpid(), "rootUri": workspace.as_uri(), "capabilities": {}},
        )
        client.notify("initialized", {})
        print("| document | lines | size kB | median ms | min ms | max ms |")
        print("| --- | --- | --- | --- | --- | --- |")
        for label, text in (
            ("typical module", typical_document(args.lines)),
            ("_test_multiprocessing.py (dense)", dense_document(args.lines)),
        ):
            path = workspace / f"doc_{len(text)}.py"
            path.write_text(text, encoding="utf-8")
            times = [t * 1000 for t in measure(client, path, text, args.edits)]
            print(
                f"| {label} | {text.count(chr(10))} | {len(text.encode()) / 1000:.0f} | "
                f"{statistics.median(times):.0f} | {min(times):.0f} | {max(times):.0f} |"
            )
        client.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
