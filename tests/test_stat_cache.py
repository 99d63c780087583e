"""The stat index of the results cache: a warm run answers a file whose size and modification time are
the ones it was read with without opening it, and reads (then looks up by content) any other."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

import mplint.runner
from mplint.cache import Cache, Stamp, StatIndex
from mplint.config import Config
from mplint.files import discover
from mplint.runner import FileResult, Options, check_files

BUGGY = """\
import multiprocessing as mp

def work():
    pass

if __name__ == "__main__":
    p = mp.Process(target=work)
    p.start()
    p.daemon = True
    p.join()
"""
PLAIN = "import os\nprint(os.getcwd())\n"
HOUR_NS = 3600 * 10**9


def _age(path: Path, ns: int) -> None:
    """Set the file's modification time ``ns`` nanoseconds in the past."""
    then = time.time_ns() - ns
    os.utime(path, ns=(then, then))


class Run:
    """check_files over a directory, counting the files it opened and the files it linted."""

    def __init__(self, root: Path, cache: Cache, monkeypatch: pytest.MonkeyPatch) -> None:
        self.root = root
        self.cache = cache
        self.opened: list[str] = []
        self.linted: list[str] = []
        read, run_job = mplint.runner._read, mplint.runner._run_job

        def counting_read(path: str, display: str) -> object:
            self.opened.append(os.path.basename(path))
            return read(path, display)

        def counting_job(job: mplint.runner._Job) -> FileResult:
            self.linted.append(os.path.basename(job.path))
            return run_job(job)

        monkeypatch.setattr(mplint.runner, "_read", counting_read)
        monkeypatch.setattr(mplint.runner, "_run_job", counting_job)

    def __call__(self, config: Config) -> list[tuple[str, int, str]]:
        self.opened.clear()
        self.linted.clear()
        candidates = list(discover([str(self.root)], lambda path: config))
        results = check_files(candidates, lambda path: config, Options(), jobs=1, cache=self.cache)
        return sorted(
            (os.path.basename(d.path), d.line, d.code) for r in results for d in r.diagnostics
        )


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    root = tmp_path / "tree"
    root.mkdir()
    (root / "buggy.py").write_text(BUGGY)
    (root / "plain.py").write_text(PLAIN)
    for path in root.iterdir():
        _age(path, HOUR_NS)
    return root


def test_a_warm_run_opens_no_file(
    tree: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    run = Run(tree, Cache(str(tmp_path / "cache")), monkeypatch)
    cold = run(Config())
    assert cold == [("buggy.py", 9, "MPL105")]
    assert sorted(run.opened) == ["buggy.py", "plain.py"] and run.linted == ["buggy.py"]
    assert list((tmp_path / "cache").glob("stat-*.json"))
    warm = run(Config())
    assert warm == cold
    # the file with a finding is opened for its text (the full format shows the code), only that one
    assert run.opened == ["buggy.py"] and run.linted == []
    clean = (tree / "buggy.py").read_text().replace("    p.daemon = True\n", "    p.join()\n")
    (tree / "buggy.py").write_text(clean)
    _age(tree / "buggy.py", HOUR_NS // 2)
    assert run(Config()) == []
    assert run.linted == ["buggy.py"]
    assert run(Config()) == [] and run.opened == [] and run.linted == []


def test_a_touched_unchanged_file_is_read_but_not_linted(
    tree: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    run = Run(tree, Cache(str(tmp_path / "cache")), monkeypatch)
    cold = run(Config())
    _age(tree / "buggy.py", HOUR_NS // 2)  # touched: a new stamp, the same content
    _age(tree / "plain.py", HOUR_NS // 2)
    assert run(Config()) == cold
    assert sorted(run.opened) == ["buggy.py", "plain.py"] and run.linted == []
    run(Config())
    assert run.opened == ["buggy.py"]  # the new stamps were remembered: plain.py is not opened


def test_a_changed_file_of_the_same_size_is_linted_again(
    tree: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    run = Run(tree, Cache(str(tmp_path / "cache")), monkeypatch)
    assert run(Config()) == [("buggy.py", 9, "MPL105")]
    # the same number of bytes, the bug fixed: daemon set before start()
    fixed = BUGGY.replace(
        "    p.start()\n    p.daemon = True\n", "    p.daemon = True\n    p.start()\n"
    )
    assert len(fixed) == len(BUGGY) and fixed != BUGGY
    (tree / "buggy.py").write_text(fixed)
    _age(tree / "buggy.py", HOUR_NS // 2)
    assert run(Config()) == []
    assert run.linted == ["buggy.py"]


def test_a_settings_change_reads_every_file_again(
    tree: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    run = Run(tree, Cache(str(tmp_path / "cache")), monkeypatch)
    run(Config())
    assert run(Config(ignore=("MPL105",))) == []
    assert sorted(run.opened) == ["buggy.py", "plain.py"] and run.linted == ["buggy.py"]
    # the stat index remembers the last settings; the results of both are still found by content
    assert run(Config()) == [("buggy.py", 9, "MPL105")]
    assert sorted(run.opened) == ["buggy.py", "plain.py"] and run.linted == []
    assert run(Config()) == [("buggy.py", 9, "MPL105")] and run.opened == ["buggy.py"]


def test_a_file_changed_just_before_the_run_is_not_remembered_by_stamp(
    tree: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Within the clock's granularity a second change could keep the stamp: such a file is always read
    # (and found by its content).
    (tree / "plain.py").write_text(PLAIN)
    run = Run(tree, Cache(str(tmp_path / "cache")), monkeypatch)
    run(Config())
    run(Config())
    assert sorted(run.opened) == ["buggy.py", "plain.py"] and run.linted == []


def test_the_index_ignores_what_it_cannot_use(tmp_path: Path) -> None:
    path = tmp_path / "stat.json"
    path.write_text("[not json")
    index = StatIndex(path)
    old = Stamp(10, time.time_ns() - HOUR_NS)
    assert index.lookup("a.py", old, "s") is None
    index.record("a.py", old, "s", "key", [(3, "MPL999")])
    assert index.lookup("a.py", old, "s") == ("key", [(3, "MPL999")])
    assert index.lookup("a.py", old, "other settings") is None
    assert index.lookup("a.py", Stamp(11, old.mtime_ns), "s") is None
    assert index.lookup("a.py", Stamp(10, old.mtime_ns + 1), "s") is None
    assert index.lookup("a.py", None, "s") is None
    index.save()
    assert StatIndex(path).lookup("a.py", old, "s") == ("key", [(3, "MPL999")])
    assert StatIndex.stamp(str(tmp_path / "missing.py")) is None
