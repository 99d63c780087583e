"""Is this checkout slower than another revision? Both are measured in the same run, turn about, so that
the machine's load falls on both alike.

    python benchmarks/compare.py --base 1452463            # 5 rounds
    python benchmarks/compare.py --base main --rounds 9 --edits 20

Measured for each side, with the same interpreter and each side's own code first on ``PYTHONPATH``:

* ``mplint check --no-cache --jobs 1`` on a copy of the standard library (what ``benchmarks/run.py
  --quick`` times as the cold run, on one core so that the two sides do not share the cores);
* ``mplint check`` with a warm cache on the same tree;
* the language server's answer to an edit (``benchmarks/lsp_latency.py``'s two documents).

It prints medians and the ratio this checkout / base (below 1.0 is faster). The other revision is checked
out into a temporary ``git worktree``, removed afterwards.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import sysconfig
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

from benchmarks.lsp_latency import Client, dense_document, typical_document  # noqa: E402
from benchmarks.lsp_latency import measure as lsp_measure  # noqa: E402
from benchmarks.run import copy_tree  # noqa: E402


def _seconds(code: Path, arguments: list[str], cwd: Path) -> float:
    env = {**os.environ, "PYTHONPATH": str(code), "PYTHONDONTWRITEBYTECODE": ""}
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "mplint", *arguments],
        cwd=cwd,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        check=False,
    )
    return time.perf_counter() - start


def _latency_ms(code: Path, text: str, edits: int) -> float:
    with tempfile.TemporaryDirectory(prefix="mplint-compare-lsp-") as directory:
        workspace = Path(directory)
        client = Client(workspace, code)
        client.request(
            "initialize",
            {"processId": os.getpid(), "rootUri": workspace.as_uri(), "capabilities": {}},
        )
        client.notify("initialized", {})
        path = workspace / "doc.py"
        path.write_text(text, encoding="utf-8")
        times = lsp_measure(client, path, text, edits)
        client.close()
    return statistics.median(times) * 1000


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base", required=True, help="the revision to compare with")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--edits", type=int, default=15, help="edits per document and round")
    parser.add_argument("--lines", type=int, default=2000)
    args = parser.parse_args()

    base = Path(tempfile.mkdtemp(prefix="mplint-compare-base-"))
    subprocess.run(
        ["git", "worktree", "add", "--detach", str(base), args.base],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    tree = copy_tree(
        Path(sysconfig.get_paths()["stdlib"]),
        Path(tempfile.mkdtemp(prefix="mplint-compare-")) / "stdlib",
    )
    caches = {
        side: tempfile.mkdtemp(prefix=f"mplint-compare-cache-{side}-") for side in ("new", "base")
    }
    sides = {"new": ROOT, "base": base}
    documents = {
        "typical module": typical_document(args.lines),
        "_test_multiprocessing.py (dense)": dense_document(args.lines),
    }
    results: dict[str, dict[str, list[float]]] = {}

    def add(label: str, side: str, value: float) -> None:
        results.setdefault(label, {"new": [], "base": []})[side].append(value)

    check = ["check", "--exit-zero", "--no-respect-gitignore", "-q", "."]
    try:
        for side, code in sides.items():  # prime both warm caches
            _seconds(code, [*check, "--cache-dir", caches[side]], tree)
        for number in range(args.rounds):
            order = ("new", "base") if number % 2 == 0 else ("base", "new")
            for side in order:
                code = sides[side]
                add(
                    "check --no-cache --jobs 1 (s)",
                    side,
                    _seconds(code, [*check, "--no-cache", "--jobs", "1"], tree),
                )
                add(
                    "check, warm cache (s)",
                    side,
                    _seconds(code, [*check, "--cache-dir", caches[side]], tree),
                )
                for label, text in documents.items():
                    add(f"server edit, {label} (ms)", side, _latency_ms(code, text, args.edits))
            print(f"round {number + 1} of {args.rounds} done", file=sys.stderr, flush=True)
    finally:
        subprocess.run(
            ["git", "worktree", "remove", "--force", str(base)],
            cwd=ROOT,
            capture_output=True,
            check=False,
        )
        shutil.rmtree(tree.parent, ignore_errors=True)
        for cache in caches.values():
            shutil.rmtree(cache, ignore_errors=True)

    print(f"this checkout vs {args.base}, medians of {args.rounds} rounds, measured turn about")
    print("| measure | base | this checkout | ratio |")
    print("| --- | --- | --- | --- |")
    for label, values in results.items():
        old, new = statistics.median(values["base"]), statistics.median(values["new"])
        print(f"| {label} | {old:.2f} | {new:.2f} | {new / old:.2f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
