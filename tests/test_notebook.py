"""Jupyter notebooks: reading, masking IPython syntax, positions by cell, fixes written back to cells,
bad notebooks, and the command line's formats, cache and standard input on notebooks."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path
from typing import Any

import nbformat
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mplint.cli import main
from mplint.config import Config
from mplint.diagnostics import Applicability, Diagnostic, Edit, Fix, Severity
from mplint.notebook import MAGIC_MARK, NotebookError, read_notebook
from mplint.notebook_check import alters_ipython, to_cells
from mplint.runner import Options, check_notebook
from mplint.text import split_lines_keepends

KERNEL = {
    "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
    "language_info": {"name": "python"},
}


def _cell(source: Any, kind: str = "code", **extra: Any) -> dict[str, Any]:
    cell: dict[str, Any] = {"cell_type": kind, "id": f"c{abs(hash(str(source))) % 10**8}"}
    cell["metadata"] = {}
    if kind == "code":
        cell["execution_count"] = extra.pop("execution_count", None)
        cell["outputs"] = extra.pop("outputs", [])
    cell["source"] = source
    return cell


def _notebook(*cells: dict[str, Any], indent: int = 1, **metadata: Any) -> str:
    data = {
        "cells": list(cells),
        "metadata": metadata or KERNEL,
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    return json.dumps(data, indent=indent, sort_keys=True, ensure_ascii=False) + "\n"


# A pool bug in cell 4 (MPL209: the worker of cell 3) and a tuple bug in cell 5 (MPL102, safe fix).
DEMO = _notebook(
    _cell(["# A demo\n", "Squares in parallel."], "markdown"),
    _cell(
        ["import multiprocessing as mp\n", "%matplotlib inline\n", "files = !ls\n"],
        execution_count=1,
        outputs=[{"name": "stdout", "output_type": "stream", "text": ["ok\n"]}],
    ),
    _cell(["def square(x):\n", "    return x * x"], execution_count=2),
    _cell(
        ["with mp.Pool(2) as pool:\n", "    print(pool.map(square, range(4)))"],
        execution_count=3,
    ),
    _cell(["from people import greet\n", "p = mp.Process(target=greet, args=('egon'))"]),
    _cell(["%%bash\n", "echo $HOME"]),
)


def _run(
    args: list[str], capsys: pytest.CaptureFixture[str], stdin: str | None = None
) -> tuple[int, str, str]:
    if stdin is not None:
        sys.stdin = io.TextIOWrapper(io.BytesIO(stdin.encode("utf-8")), encoding="utf-8")
    try:
        code = main(args)
    finally:
        sys.stdin = sys.__stdin__
    out, err = capsys.readouterr()
    return code, out, err


# --- reading and masking -------------------------------------------------------------------------------


def test_cells_joined_with_a_row_map() -> None:
    notebook = read_notebook(DEMO)
    assert [cell.number for cell in notebook.cells] == [2, 3, 4, 5, 6]
    assert notebook.cells[-1].skipped  # %%bash: not Python
    lines = notebook.python.splitlines()
    assert lines[:4] == [
        "#%%mplint-cell 2",
        "import multiprocessing as mp",
        f"pass  {MAGIC_MARK}",
        f"files = None  {MAGIC_MARK}",
    ]
    assert "echo $HOME" not in notebook.python
    index = lines.index("    print(pool.map(square, range(4)))") + 1
    assert notebook.cell_row(index) == (4, 2)
    assert notebook.cell_row(2) == (2, 1)


@pytest.mark.parametrize(
    ("line", "masked"),
    [
        ("%time square(3)", True),
        ("!pip install numpy", True),
        ("!!ls", True),
        ("square?", True),
        ("??square", True),
        ("mp.Pool??", True),
        ("out = !ls -l", True),
        ("timing = %timeit -o square(3)", True),
        ("a, b = %who_ls", True),
        ("x = 5 % 3", False),
        ("y = x != 3", False),
        ("z = x == !y", False),  # not an assignment: a syntax error stays one
        ("# is this a question?", False),
        ("print('done?')", False),
    ],
)
def test_ipython_lines_are_masked(line: str, masked: bool) -> None:
    python = read_notebook(_notebook(_cell(line))).python
    assert (MAGIC_MARK in python) is masked, python


def test_ipython_prefixes_inside_brackets_strings_and_continuations_are_kept() -> None:
    source = 'text = """\n%not a magic\n!nor a shell\n"""\nvalues = (1,\n%2)\nx = 1 + \\\n!3\n'
    python = read_notebook(_notebook(_cell(source))).python
    assert MAGIC_MARK not in python
    assert python.endswith(source)


def test_masked_block_keeps_indentation_and_continuation_lines() -> None:
    source = "for i in range(2):\n    !echo $i \\\n        more\nprint(i)"
    python = read_notebook(_notebook(_cell(source))).python
    assert python.splitlines()[1:] == [
        "for i in range(2):",
        f"    pass  {MAGIC_MARK}",
        MAGIC_MARK,
        "print(i)",
    ]
    compile(python, "<joined>", "exec")


# --- the command line ------------------------------------------------------------------------------------


def test_discovered_and_reported_by_cell(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "demo.ipynb").write_text(DEMO, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    code, out, err = _run(["check", "--no-cache", "."], capsys)
    assert code == 1, err
    assert out.splitlines()[:2] == [
        "demo.ipynb:cell 4:2:20: MPL209 `square` is defined in the notebook; the pool's workers "
        "cannot unpickle it under spawn and forkserver (the notebook's `__main__` has no file to "
        "import)",
        "demo.ipynb:cell 5:2:36: MPL102 [*] `args=('egon')` is a str, not a tuple: each "
        "character becomes a separate argument",
    ]
    assert "MPL201" not in out
    code, out, _ = _run(["check", "--no-cache", "--show-files", "."], capsys)
    assert out == "demo.ipynb\n"


def test_json_gives_the_cell_and_rows(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "demo.ipynb").write_text(DEMO, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    _, out, _ = _run(
        ["check", "--no-cache", "--select", "MPL209", "--output-format", "json", "demo.ipynb"],
        capsys,
    )
    [found] = json.loads(out)
    assert found == {
        "cell": 4,
        "code": "MPL209",
        "end_location": {"column": 26, "row": 2},
        "filename": "demo.ipynb",
        "fix": None,
        "location": {"column": 20, "row": 2},
        "message": "`square` is defined in the notebook; the pool's workers cannot unpickle it "
        "under spawn and forkserver (the notebook's `__main__` has no file to import)",
        "name": "notebook-defined-worker",
        "noqa_row": 2,
        "severity": "error",
        "url": "https://github.com/mplint/mplint/blob/main/rules/MPL209.md",
    }


def test_full_sarif_github_and_stdin(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "demo.ipynb").write_text(DEMO, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    base = ["check", "--no-cache", "--select", "MPL209"]
    _, out, _ = _run([*base, "--output-format", "full", "demo.ipynb"], capsys)
    assert " --> demo.ipynb:cell 4:2:20\n" in out
    assert "2 |     print(pool.map(square, range(4)))\n" in out
    _, out, _ = _run([*base, "--output-format", "github", "demo.ipynb"], capsys)
    assert out.startswith(
        "::error file=demo.ipynb,title=MPL209::cell 4, line 2: `square` is defined in the notebook"
    )
    _, out, _ = _run([*base, "--output-format", "pylint", "demo.ipynb"], capsys)
    assert out.startswith("demo.ipynb:cell 4:2: [MPL209] `square` is defined in the notebook;")
    _, out, _ = _run([*base, "--output-format", "junit", "demo.ipynb"], capsys)
    assert ">demo.ipynb:cell 4:2:20: MPL209 `square` is defined in the notebook;" in out
    _, out, _ = _run([*base, "--output-format", "sarif", "demo.ipynb"], capsys)
    [result] = json.loads(out)["runs"][0]["results"]
    assert result["locations"] == [
        {"physicalLocation": {"artifactLocation": {"uri": "demo.ipynb", "uriBaseId": "%SRCROOT%"}}}
    ]
    assert result["properties"] == {"cell": 4, "row": 2, "column": 20}
    assert result["message"]["text"].startswith("cell 4, line 2: `square` is defined")
    code, out, _ = _run(
        [*base, "--stdin-filename", "piped.ipynb", "-", "--output-format", "concise"],
        capsys,
        stdin=DEMO,
    )
    assert code == 1
    assert out.startswith("piped.ipynb:cell 4:2:20: MPL209 ")


def test_fork_config_and_fork_cell_silence_the_rule(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "demo.ipynb").write_text(DEMO, encoding="utf-8")
    forked = DEMO.replace(
        '"import multiprocessing as mp\\n",',
        '"import multiprocessing as mp\\n", "mp.set_start_method(\'fork\')\\n",',
    )
    assert forked != DEMO
    (tmp_path / "forked.ipynb").write_text(forked, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    code, out, _ = _run(
        ["check", "--no-cache", "--select", "MPL209", "--start-method", "fork", "demo.ipynb"],
        capsys,
    )
    assert (code, out) == (0, "All checks passed!\n")
    code, out, _ = _run(["check", "--no-cache", "--select", "MPL209", "forked.ipynb"], capsys)
    assert (code, out) == (0, "All checks passed!\n")


def test_noqa_in_a_cell_and_the_cache(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    quiet = DEMO.replace("range(4)))", "range(4)))  # noqa: MPL209")
    (tmp_path / "demo.ipynb").write_text(quiet, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    args = ["check", "--cache-dir", str(tmp_path / "cache"), "--output-format", "full", "."]
    first = _run(args, capsys)
    assert "MPL209" not in first[1]
    assert "demo.ipynb:cell 5:2:36" in first[1]
    assert any((tmp_path / "cache").rglob("*"))
    assert _run(args, capsys) == first  # from the cache: the same report, code shown by cell


# --- fixes -----------------------------------------------------------------------------------------------


def test_fix_changes_only_the_fixed_cell(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "demo.ipynb"
    path.write_text(DEMO, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    code, out, _ = _run(["check", "--no-cache", "--select", "MPL102", "--diff", "."], capsys)
    assert out.startswith(
        "--- demo.ipynb:cell 5\n+++ demo.ipynb:cell 5\n@@ -1,2 +1,2 @@\n from people import greet\n"
        "-p = mp.Process(target=greet, args=('egon'))\n\\ No newline at end of cell\n"
        "+p = mp.Process(target=greet, args=('egon',))\n\\ No newline at end of cell\n"
    )
    assert path.read_text(encoding="utf-8") == DEMO  # --diff writes nothing
    code, out, _ = _run(["check", "--no-cache", "--select", "MPL102", "--fix", "."], capsys)
    assert code == 0, out
    fixed = path.read_text(encoding="utf-8")
    expected = DEMO.replace("args=('egon'))", "args=('egon',))")
    assert fixed == expected  # the same bytes but the fixed cell: layout, outputs, ids, counts
    nbformat.validate(nbformat.reads(fixed, as_version=4))


@pytest.mark.parametrize("indent", [1, 2, 4])
def test_fix_keeps_string_sources_and_the_indentation(indent: int) -> None:
    source = (
        "import multiprocessing as mp\n"
        "def greet(name): print(name)\n"
        "p = mp.Process(target=greet, args=('egon'))\n"
    )
    text = _notebook(_cell("!ls\n"), _cell(source), indent=indent).rstrip("\n")  # no final newline
    result = check_notebook("n.ipynb", text, Config(select=("MPL102",)), Options(fix=True))
    assert result.fixed == 1
    assert result.fixed_text == text.replace("('egon')", "('egon',)")


def test_fix_of_a_list_source_that_grows() -> None:
    source = ["import multiprocessing as mp\n", "def greet(name): print(name)\n"]
    text = _notebook(_cell(source), _cell(["p = mp.Process(target=greet, args=('egon'))"]))
    result = check_notebook("n.ipynb", text, Config(select=("MPL102",)), Options(fix=True))
    assert result.fixed_text is not None
    after = json.loads(result.fixed_text)
    assert after["cells"][1]["source"] == ["p = mp.Process(target=greet, args=('egon',))"]
    assert after["cells"][0] == json.loads(text)["cells"][0]


def test_magics_survive_a_fix_in_their_cell() -> None:
    source = [
        "import multiprocessing as mp\n",
        "%load_ext autoreload\n",
        "def greet(name): print(name)\n",
        "p = mp.Process(target=greet, args=('egon'))\n",
        "!echo started\n",
    ]
    text = _notebook(_cell(source))
    result = check_notebook("n.ipynb", text, Config(select=("MPL102",)), Options(fix=True))
    assert result.fixed_text is not None
    assert json.loads(result.fixed_text)["cells"][0]["source"] == [
        "import multiprocessing as mp\n",
        "%load_ext autoreload\n",
        "def greet(name): print(name)\n",
        "p = mp.Process(target=greet, args=('egon',))\n",
        "!echo started\n",
    ]


# --- bad notebooks ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('{"cells": [', "not checked: not a valid notebook: invalid JSON (Expecting value)"),
        ("[1, 2]", "not checked: not a valid notebook: no list of cells"),
        (
            json.dumps({"cells": [], "metadata": {}, "nbformat": 3}),
            "not checked: nbformat 3 notebooks are not supported, only nbformat 4 (convert it "
            "with `jupyter nbconvert --to notebook`)",
        ),
        (
            _notebook(_cell("x <- 1"), kernelspec={"language": "R", "name": "ir"}),
            "not checked: the notebook's kernel runs R, not Python",
        ),
        (
            _notebook({"cell_type": "code", "metadata": {}, "source": 7}),
            "not checked: not a valid notebook: cell 1 has no source text",
        ),
    ],
)
def test_bad_notebooks_are_reported(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    text: str,
    message: str,
) -> None:
    (tmp_path / "bad.ipynb").write_text(text, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    code, out, err = _run(["check", "--no-cache", "--output-format", "json", "bad.ipynb"], capsys)
    assert code == 1
    assert "Traceback" not in err
    [found] = json.loads(out)
    assert (found["code"], found["message"], found["cell"]) == ("MPL002", message, None)


def test_invalid_json_is_located() -> None:
    with pytest.raises(NotebookError) as error:
        read_notebook('{\n "cells": [\n  oops\n ]\n}')
    assert (error.value.line, error.value.column) == (3, 3)


def test_a_discovered_notebook_of_another_language_is_skipped(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "r.ipynb").write_text(
        _notebook(_cell("x <- 1"), kernelspec={"language": "R", "name": "ir"}), encoding="utf-8"
    )
    monkeypatch.chdir(tmp_path)
    assert _run(["check", "--no-cache", "."], capsys)[:2] == (0, "All checks passed!\n")


def test_add_noqa_leaves_notebooks_alone(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "demo.ipynb").write_text(DEMO, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    code, _, err = _run(["check", "--add-noqa", "."], capsys)
    assert code == 0
    assert err == (
        "demo.ipynb: no `# noqa` added: --add-noqa does not edit notebooks\nAdded 0 noqa directives.\n"
    )
    assert (tmp_path / "demo.ipynb").read_text(encoding="utf-8") == DEMO


def test_fixes_that_would_alter_ipython_lines_are_not_offered() -> None:
    notebook = read_notebook(_notebook(_cell("import os\n%time os.getpid()\nx = 1\n")))
    # line 1 is the marker, 2 the import, 3 the masked magic, 4 `x = 1`
    assert notebook.masked_lines == {3}

    def fix(*edits: Edit) -> Fix:
        return Fix(Applicability.SAFE, "a fix", edits)

    assert alters_ipython(notebook, fix(Edit(3, 1, 3, 5, "")))
    assert alters_ipython(notebook, fix(Edit(2, 1, 4, 1, "")))  # over the whole magic line
    assert alters_ipython(notebook, fix(Edit(4, 1, 4, 1, f"pass  {MAGIC_MARK}\n")))
    assert not alters_ipython(notebook, fix(Edit(2, 1, 3, 1, "import sys\n")))  # ends before it
    assert not alters_ipython(notebook, fix(Edit(4, 1, 4, 6, "x = 2")))
    found = Diagnostic(
        "n.ipynb", "MPL102", "x", "m", Severity.ERROR, 3, 1, 3, 5, fix(Edit(3, 1, 3, 5, ""))
    )
    assert to_cells(notebook, found).fix is None
    assert (to_cells(notebook, found).cell, to_cells(notebook, found).line) == (1, 2)


@pytest.mark.parametrize(
    "source",
    [
        "x = 1",
        "x = 1\n",
        "x = 1\r\ny = 2\r\n",
        "s = 'a\\x0cb'\x0c\nt = '\u2028'\n",
        "caf\u00e9 = '\U0001f600'\n!ls\n",
        "",
        "%%timeit\nx = 1\n",
    ],
)
@pytest.mark.parametrize("as_list", [True, False])
def test_unchanged_cells_round_trip(source: str, as_list: bool) -> None:
    value: Any = source.splitlines(keepends=True) if as_list else source
    for ascii_only in (False, True):
        data = json.loads(_notebook(_cell(value), _cell("y = 2")))
        text = json.dumps(data, indent=1, ensure_ascii=ascii_only)
        notebook = read_notebook(text)
        assert notebook.rewrite(notebook.python) == (text, [])
        assert notebook.cells[0].source == source
        assert (notebook.cell_row(len(split_lines_keepends(notebook.python))))[0] == 2


@settings(max_examples=60, deadline=None)
@given(st.lists(st.text(max_size=40), max_size=4), st.booleans())
def test_any_cells_are_read_and_checked_without_a_traceback(
    sources: list[str], as_list: bool
) -> None:
    cells = [_cell(s.splitlines(keepends=True) if as_list else s) for s in sources]
    text = _notebook(*cells)
    notebook = read_notebook(text)
    assert [cell.source for cell in notebook.cells] == sources
    assert notebook.rewrite(notebook.python) == (text, [])
    result = check_notebook("n.ipynb", text, Config(), Options(fix=True, unsafe_fixes=True))
    assert all(d.cell is not None or d.is_meta for d in result.diagnostics)
