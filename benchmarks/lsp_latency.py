"""How fast the language server answers an edit: time from a ``didChange`` to the diagnostics of that
version, on 2,000-line documents, as an editor sees it (the server runs as ``mplint server`` over stdio),
side by side with CPython's ``ast.parse`` of the same text, timed just before each edit is sent (the target
is a ratio to it).

    python benchmarks/lsp_latency.py               # 15 edits per document
    python benchmarks/lsp_latency.py --edits 30
    python benchmarks/lsp_latency.py --phases      # in this process: where an edit's time goes
    python benchmarks/lsp_latency.py --code ../other-checkout   # that checkout's server, same documents

Three documents: a typical module (a few multiprocessing calls among 2,000 lines of ordinary code); an ETL
module written by :func:`etl_document`, dense like real code (dozens of functions with pools and
executors, callbacks, queues, locks, ``Process`` subclasses, classes holding ``self.pool``); and the first
2,100 lines of the standard library's ``test/_test_multiprocessing.py``, where nearly every line goes
through the multiprocessing model. Each edit inserts one more line at the start of the body of a function in
the middle of the document and waits for its diagnostics before the next, so every number is one full
answer, not a coalesced one.

``--phases`` lints the same edits in this process, parsing piece by piece as the server's workers do, and
prints the median without instrumentation, then what each phase took in a second, timed pass: the syntax
check, the parse, the model's pass, each rule (a rule's time includes the parts of the model it is the first
to ask for, and the timers add to every visitor call) and placing the reports.
"""

from __future__ import annotations

import argparse
import ast
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
from collections import defaultdict
from pathlib import Path
from typing import IO, Any, Callable

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


ETL_HEAD = '''\
"""Nightly extract-transform-load jobs for the warehouse."""

from __future__ import annotations

import csv
import json
import logging
import multiprocessing as mp
import os
import queue
import threading
import time
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor, as_completed
from multiprocessing import Lock, Manager, Pool, Process, Queue, Value

log = logging.getLogger(__name__)

SETTINGS = {"batch": 500, "retries": 3}
CACHE = {}
SEEN = set()
TOTALS = []
counter = 0
write_lock = threading.Lock()
file_lock = Lock()
progress = Value("i", 0)


def init_worker(path):
    global SETTINGS
    with open(path) as handle:
        SETTINGS = json.load(handle)


def parse_row(row):
    return {key.strip(): value.strip() for key, value in row.items()}


def load_rows(path):
    with open(path, newline="") as handle:
        return [parse_row(row) for row in csv.DictReader(handle)]
'''

# One "job" block per number; each uses a pool or executor in a different way.
ETL_JOBS = [
    """

def transform_{n}(row):
    value = float(row.get("amount_{n}", 0))
    CACHE[row.get("id")] = value
    return value * {n}


def run_transform_{n}(paths):
    rows = []
    for path in paths:
        rows.extend(load_rows(path))
    with Pool(processes=4, initializer=init_worker, initargs=("settings.json",)) as pool:
        values = pool.map(transform_{n}, rows, chunksize=SETTINGS["batch"])
    log.info("job {n}: %d rows, cache %d", len(values), len(CACHE))
    return sum(values)
""",
    """

def score_{n}(item):
    time.sleep(0.001)
    return item["id"], len(item) * {n}


def collect_{n}(result, sink):
    sink.append(result)


def run_scores_{n}(items):
    sink = []
    pool = mp.Pool(2)
    for item in items:
        pool.apply_async(score_{n}, (item,), callback=lambda r: collect_{n}(r, sink))
    pool.close()
    pool.join()
    return dict(sink)
""",
    """

def fetch_{n}(url, retries=3):
    for attempt in range(retries):
        try:
            return url.upper() + str(attempt)
        except OSError:
            log.warning("retry %s", url)
    os._exit(1)


def run_fetch_{n}(urls):
    results = {{}}
    with ProcessPoolExecutor(max_workers=4) as executor:
        futures = {{executor.submit(fetch_{n}, url): url for url in urls}}
        for future in as_completed(futures):
            results[futures[future]] = future.result()
    return results
""",
    """

class Loader{n}:
    def __init__(self, table, workers=4):
        self.table = table
        self.pool = Pool(workers)
        self.loaded = 0
        self.lock = threading.Lock()

    def load_one(self, batch):
        self.loaded += len(batch)
        return len(batch)

    def load(self, batches):
        counts = self.pool.map(self.load_one, batches)
        with self.lock:
            log.info("table %s: %d batches", self.table, self.loaded)
        return sum(counts)

    def close(self):
        self.pool.close()
        self.pool.join()
""",
    """

def consume_{n}(tasks, done):
    while True:
        item = tasks.get()
        if item is None:
            break
        with write_lock:
            TOTALS.append(item * {n})
        done.put(item)


def run_queue_{n}(items):
    tasks = Queue()
    done = Queue()
    workers = [Process(target=consume_{n}, args=(tasks, done)) for _ in range(4)]
    for worker in workers:
        worker.start()
    for item in items:
        tasks.put(item)
    for _ in workers:
        tasks.put(None)
    for worker in workers:
        worker.join()
    print(len(TOTALS))
    return [done.get() for _ in items]
""",
    """

class Exporter{n}(Process):
    def __init__(self, rows, target):
        super().__init__()
        self.rows = rows
        self.target = target
        self.written = 0

    def run(self):
        with file_lock:
            with open(self.target, "a") as handle:
                for row in self.rows:
                    handle.write(json.dumps(row) + "\\n")
                    self.written += 1


def run_export_{n}(rows):
    exporter = Exporter{n}(rows, "out_{n}.jsonl")
    exporter.start()
    exporter.join()
    return exporter.written
""",
    """

def tally_{n}(values):
    global counter
    counter += len(values)
    with progress.get_lock():
        progress.value += 1
    return sum(values)


def run_tally_{n}(chunks):
    ctx = mp.get_context("spawn")
    with ctx.Pool(3) as pool:
        sums = pool.imap_unordered(tally_{n}, chunks)
        total = sum(sums)
    log.info("tally {n}: %d (%d calls)", total, counter)
    return total
""",
    """

def summarise_{n}(shared, key, rows):
    shared[key] = len(rows)


def run_summary_{n}(groups):
    with Manager() as manager:
        shared = manager.dict()
        jobs = [Process(target=summarise_{n}, args=(shared, key, rows)) for key, rows in groups.items()]
        for job in jobs:
            job.start()
        for job in jobs:
            job.join()
        return dict(shared)
""",
    """

def guarded_{n}(lock, path, line):
    with lock:
        with open(path, "a") as handle:
            handle.write(line)


def run_guarded_{n}(lines):
    lock = threading.Lock()
    with ProcessPoolExecutor() as executor:
        for line in lines:
            executor.submit(guarded_{n}, lock, "log_{n}.txt", line)
""",
    """

def mark_{n}(item):
    SEEN.add(item)
    return item


def run_threads_{n}(items):
    with ThreadPoolExecutor(max_workers=8) as executor:
        list(executor.map(mark_{n}, items))
    return len(SEEN)
""",
]


def etl_document(lines: int = 2000) -> str:
    """A dense, realistic ETL module of about ``lines`` lines: many functions with pools and executors,
    callbacks, queues, locks, ``Process`` subclasses and classes holding ``self.pool``."""
    parts = [ETL_HEAD]
    total = ETL_HEAD.count("\n")
    number = 0
    while total < lines:
        block = ETL_JOBS[number % len(ETL_JOBS)].format(n=number)
        parts.append(block)
        total += block.count("\n")
        number += 1
    parts.append('\n\nif __name__ == "__main__":\n    run_transform_0(["a.csv"])\n')
    return "".join(parts)


def middle_edits(text: str, edits: int) -> list[str]:
    """``edits`` successive versions of ``text``: each inserts one more line at the start of the body of
    the first function defined after the middle of the document (so every version is valid Python)."""
    lines = text.splitlines(keepends=True)
    at = len(lines) // 2
    while at < len(lines) and not lines[at].lstrip().startswith("def "):
        at += 1
    if at == len(lines):  # no function after the middle: append at the end instead
        return [text + "".join(f"x_{n} = {n}\n" for n in range(k + 1)) for k in range(edits)]
    while not lines[at].rstrip().endswith(":"):  # a signature written over several lines
        at += 1
    indent = " " * (len(lines[at]) - len(lines[at].lstrip()) + 4)
    inserted: list[str] = []
    versions: list[str] = []
    for number in range(edits):
        inserted.append(f"{indent}x_{number} = {number}\n")
        versions.append("".join([*lines[: at + 1], *inserted, *lines[at + 1 :]]))
    return versions


def parse_times(versions: list[str]) -> list[float]:
    """CPython's ``ast.parse`` of each version, in seconds."""
    times: list[float] = []
    for version in versions:
        started = time.perf_counter()
        ast.parse(version)
        times.append(time.perf_counter() - started)
    return times


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


def measure(
    client: Client, path: Path, text: str, versions: list[str]
) -> tuple[list[float], list[float]]:
    """The latency of each edit, and CPython's ``ast.parse`` of each version, timed here just before the
    edit is sent (so both see the same load)."""
    uri = path.as_uri()
    client.notify(
        "textDocument/didOpen",
        {"textDocument": {"uri": uri, "languageId": "python", "version": 1, "text": text}},
    )
    client.wait(published(uri, 1))
    latencies: list[float] = []
    parses: list[float] = []
    for number, new_text in enumerate(versions):
        version = number + 2
        parses.extend(parse_times([new_text]))
        sent = time.perf_counter()
        client.notify(
            "textDocument/didChange",
            {
                "textDocument": {"uri": uri, "version": version},
                "contentChanges": [{"text": new_text}],
            },
        )
        arrived, _ = client.wait(published(uri, version))
        latencies.append(arrived - sent)
    client.notify("textDocument/didClose", {"textDocument": {"uri": uri}})
    return latencies, parses


def phases(label: str, text: str, versions: list[str]) -> None:
    """Lint the versions in this process, as a server worker does, and print where the time went."""
    sys.path.insert(0, str(ROOT))
    from mplint import engine
    from mplint.rule import LintRule
    from mplint.settings import Config

    spent: dict[str, float] = defaultdict(float)

    def timed(name: str, function: Callable[..., Any]) -> Callable[..., Any]:
        def run(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                spent[name] += time.perf_counter() - started

        return run

    visitors = LintRule.get_visitors

    def timed_visitors(rule: LintRule) -> dict[str, Callable[..., Any]]:
        return {name: timed(f"rule {rule.CODE}", m) for name, m in visitors(rule).items()}

    phase_names = {
        "_check_syntax": "syntax check (compile)",
        "_parse": "parse (changed pieces)",
        "build_model": "model pass",
        "resolve": "placing the reports",
    }
    config = Config()

    def run_edits() -> list[float]:
        """Open the document, then lint each version, with fresh caches; the times of the edits."""
        engine.use_chunk_cache()
        engine.lint_source("doc.py", text, config)
        spent.clear()
        times: list[float] = []
        for version in versions:
            parses.extend(parse_times([version]))
            started = time.perf_counter()
            engine.lint_source("doc.py", version, config)
            times.append(time.perf_counter() - started)
        return times

    parses: list[float] = []  # ``ast.parse`` of each version, just before it is linted
    totals = run_edits()  # the latency, without the timers' own cost
    saved = {name: getattr(engine, name) for name in phase_names}
    for name, phase in phase_names.items():
        setattr(engine, name, timed(phase, saved[name]))
    LintRule.get_visitors = timed_visitors  # type: ignore[method-assign,assignment]
    try:
        timed_totals = run_edits()  # the shares
    finally:
        for name, function in saved.items():
            setattr(engine, name, function)
        LintRule.get_visitors = visitors  # type: ignore[method-assign]
        engine.use_chunk_cache(False)
    parse = statistics.median(parses)
    total = statistics.median(totals)
    print(
        f"\n{label}: median {total * 1000:.0f} ms, {total / parse:.1f}x ast.parse ({parse * 1000:.1f} ms)"
    )
    print("| phase (timed separately, with the timers' cost) | ms per edit (mean) | share |")
    print("| --- | --- | --- |")
    rules = sorted(((k, v) for k, v in spent.items() if k.startswith("rule ")), key=lambda r: -r[1])
    rows = [(k, v) for k, v in spent.items() if not k.startswith("rule ")]
    rows += [("all rules", sum(v for _, v in rules)), *rules[:8]]
    whole = sum(timed_totals)
    for name, seconds in rows:
        print(f"| {name} | {seconds / len(versions) * 1000:.1f} | {seconds / whole:.0%} |")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--edits", type=int, default=15)
    parser.add_argument("--lines", type=int, default=2000)
    parser.add_argument(
        "--phases", action="store_true", help="where an edit's time goes (in process)"
    )
    parser.add_argument(
        "--code",
        type=Path,
        default=ROOT,
        help="run the server of this checkout (default: this one), to compare revisions turn about",
    )
    parser.add_argument(
        "--documents",
        default="typical,etl,dense",
        help="which documents, comma-separated: typical, etl, dense (default: all three)",
    )
    args = parser.parse_args()
    makers = {
        "typical": ("typical module", typical_document),
        "etl": ("ETL module (generated, dense)", etl_document),
        "dense": ("_test_multiprocessing.py (dense)", dense_document),
    }
    wanted = [name.strip() for name in args.documents.split(",") if name.strip()]
    unknown = [name for name in wanted if name not in makers]
    if unknown:
        parser.error(f"unknown documents: {', '.join(unknown)} (known: {', '.join(makers)})")
    documents = tuple((makers[name][0], makers[name][1](args.lines)) for name in wanted)
    if args.phases:
        for label, text in documents:
            phases(label, text, middle_edits(text, args.edits))
        return 0
    with tempfile.TemporaryDirectory(prefix="mplint-lsp-bench-") as directory:
        workspace = Path(directory)
        client = Client(workspace, args.code.resolve())
        client.request(
            "initialize",
            {"processId": os.getpid(), "rootUri": workspace.as_uri(), "capabilities": {}},
        )
        client.notify("initialized", {})
        print(
            "| document | lines | size kB | median ms | min ms | max ms | ast.parse ms "
            "| median / ast.parse |"
        )
        print("| --- | --- | --- | --- | --- | --- | --- | --- |")
        for label, text in documents:
            path = workspace / f"doc_{len(text)}.py"
            path.write_text(text, encoding="utf-8")
            versions = middle_edits(text, args.edits)
            latencies, parses = measure(client, path, text, versions)
            times = [t * 1000 for t in latencies]
            parse = statistics.median(parses) * 1000
            median = statistics.median(times)
            print(
                f"| {label} | {text.count(chr(10))} | {len(text.encode()) / 1000:.0f} | "
                f"{median:.0f} | {min(times):.0f} | {max(times):.0f} | {parse:.1f} | "
                f"{median / parse:.1f}x |"
            )
        client.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
