"""scripts/behaviour.py, on a tiny tree of its own (never the corpus): two recordings of the same code
compare equal, and a changed, removed or added diagnostic or fixed text is reported with exit status 1."""

from __future__ import annotations

import copy
import importlib.util
import json
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from .conftest import ROOT

SCRIPT = ROOT / "scripts" / "behaviour.py"

#: MPL302 with a safe fix (close() before join()), and MPL201 (a process started at import time)
BUGGY = """\
from multiprocessing import Pool, Process


def work(x):
    return x


def run():
    pool = Pool(2)
    pool.map_async(work, [1])
    pool.join()


Process(target=work, args=(1,)).start()
"""


def _script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("behaviour", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("behaviour", module)
    spec.loader.exec_module(module)
    return module


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(SCRIPT), *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture(scope="module")
def recordings(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The same code over a one-file fixtures tree, recorded twice."""
    inputs = tmp_path_factory.mktemp("checkout")
    (inputs / "tests" / "fixtures").mkdir(parents=True)
    (inputs / "tests" / "fixtures" / "job.py").write_text(BUGGY, encoding="utf-8")
    (inputs / "tests" / "fixtures" / "clean.py").write_text("x = 1\n", encoding="utf-8")
    outs = []
    for name in ("first", "second"):
        out = tmp_path_factory.mktemp(name)
        result = _run(
            "record", str(out), "--trees", "fixtures", "--inputs", str(inputs), "--jobs", "1"
        )
        assert result.returncode == 0, result.stderr
        assert "fixtures" in result.stderr  # the tree's timing
        outs.append(out)
    # The inputs were not fixed in place.
    assert (inputs / "tests" / "fixtures" / "job.py").read_text(encoding="utf-8") == BUGGY
    return outs[0], outs[1]


def _load(directory: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((directory / "fixtures.json").read_text(encoding="utf-8"))
    return data


def test_recording_holds_diagnostics_and_fixed_text(recordings: tuple[Path, Path]) -> None:
    data = _load(recordings[0])
    assert set(data["files"]) == {"job.py"}  # relative to the tree's root; clean.py has nothing
    entry = data["files"]["job.py"]
    codes = [(d["code"], d["location"]["row"]) for d in entry["diagnostics"]]
    assert ("MPL302", 11) in codes
    assert ("MPL201", 14) in codes
    assert "filename" not in entry["diagnostics"][0]
    assert "    pool.close()\n    pool.join()\n" in entry["fixed_text"]
    # MPL302 is fixed; what is left is reported at its place in the fixed text.
    assert "MPL302" not in [d["code"] for d in entry["after_fix"]]


def test_two_recordings_of_the_same_code_are_identical(recordings: tuple[Path, Path]) -> None:
    first, second = recordings
    assert (first / "fixtures.json").read_bytes() == (second / "fixtures.json").read_bytes()
    result = _run("compare", str(first), str(second))
    assert result.returncode == 0, result.stdout
    assert "fixtures: identical" in result.stdout


def test_changes_are_reported(recordings: tuple[Path, Path], tmp_path: Path) -> None:
    data = _load(recordings[0])
    changed = copy.deepcopy(data)
    entry = changed["files"]["job.py"]
    target = next(d for d in entry["diagnostics"] if d["code"] == "MPL302")
    target["message"] = "something else"
    target["end_location"]["column"] += 1
    target["fix"]["applicability"] = "unsafe"
    removed = next(d for d in entry["diagnostics"] if d["code"] == "MPL201")
    entry["diagnostics"].remove(removed)
    entry["fixed_text"] = entry["fixed_text"].replace("pool.close()", "pool.terminate()")
    (tmp_path / "fixtures.json").write_text(json.dumps(changed), encoding="utf-8")

    result = _run("compare", str(recordings[0]), str(tmp_path / "fixtures.json"))
    assert result.returncode == 1
    out = result.stdout
    assert "fixtures: DIFFERENT" in out
    assert " job.py" in out
    assert "  ~ 11:5-11:16 MPL302 " in out
    assert "    message: " in out and "-> 'something else'" in out
    assert "    end_location: 11:16 -> 11:17" in out
    assert "    fix was: safe " in out and "    fix now: unsafe " in out
    assert "  - 14:1-" in out and "MPL201" in out
    assert "fixed text differs" in out
    assert "-    pool.close()" in out and "+    pool.terminate()" in out


def test_a_diagnostic_added_and_a_tree_missing() -> None:
    behaviour = _script()
    diagnostic = {
        "code": "MPL101",
        "location": {"row": 3, "column": 1},
        "end_location": {"row": 3, "column": 9},
        "message": "m",
        "fix": None,
    }
    before = {"format": 1, "tree": "examples", "files": {}}
    now = {"format": 1, "tree": "examples", "files": {"a.py": {"diagnostics": [diagnostic]}}}
    same, lines = behaviour.compare({"examples": before}, {"examples": now})
    assert not same
    assert lines == ["examples: DIFFERENT", " a.py", "  + 3:1-3:9 MPL101 m"]
    same, lines = behaviour.compare({"examples": before}, {})
    assert not same
    assert lines == ["examples: recorded only before"]
    same, lines = behaviour.compare({"examples": now}, {"examples": now})
    assert same
    assert lines == ["examples: identical (1 diagnostics in 1 files)"]


def test_tree_names() -> None:
    behaviour = _script()
    assert behaviour.tree_names("examples,fixtures") == ["fixtures", "examples"]
    assert behaviour.tree_names("small") == ["fixtures", "golden", "examples", "witnesses"]
    with pytest.raises(behaviour.BehaviourError):
        behaviour.tree_names("nothing")


def test_trees_are_found_below_the_inputs(tmp_path: Path) -> None:
    behaviour = _script()
    (tmp_path / "examples").mkdir()
    (tmp_path / "benchmarks" / "corpus" / "src" / "pkg-1.0").mkdir(parents=True)
    trees = behaviour.resolve_trees(["examples", "sdists"], tmp_path)
    assert [(t.name, t.root, t.paths) for t in trees] == [
        ("examples", tmp_path / "examples", (".",)),
        ("sdists", tmp_path / "benchmarks" / "corpus" / "src", ("pkg-1.0",)),
    ]
    with pytest.raises(behaviour.BehaviourError):
        behaviour.resolve_trees(["fixtures"], tmp_path)  # a checkout's tree must be there
