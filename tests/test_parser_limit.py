"""A file CPython compiles but libcst's parser refuses: a warning (MPL004) naming the file and the parser's
message, counted like a finding for the exit code, never an internal error (MPL003)."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import libcst as cst
import pytest

from mplint.codes import META
from mplint.config import Config
from mplint.diagnostics import PARSER_LIMIT, Severity
from mplint.engine import lint_source

from .test_cli import BUGGY, mplint

# Shapes libcst 1.x refuses although CPython compiles them: a keyword or operator written right
# against a parenthesized conditional expression or lambda.
REFUSED = [
    "assert(a if c else b)\n",
    "assert(a if c else b), 'message'\n",
    "def f():\n    return(lambda: x)\n",
    "x = not(a if c else b)\n",
    "x = (a if c else b)if d else e\n",
    "while(a if c else b):\n    break\n",
]
# Near misses that libcst reads: a space after the keyword, or a plain name in the parentheses.
READ = ["assert (a if c else b)\n", "assert(a)if(b)else(c)\n", "x = (a)if(b)else(c)\n"]


@pytest.mark.parametrize("shape", REFUSED)
def test_libcst_refuses_what_cpython_compiles(shape: str) -> None:
    compile(shape, "x.py", "exec", ast.PyCF_ONLY_AST)
    with pytest.raises(Exception):  # noqa: B017 - CSTValidationError or TypeError, depending on the shape
        cst.parse_module(shape)
    [found] = lint_source("x.py", "import multiprocessing\n" + shape, Config())
    assert found.code == PARSER_LIMIT
    assert found.severity is Severity.WARNING
    assert found.message.startswith("not checked: Python compiles this file but libcst")


@pytest.mark.parametrize("shape", READ)
def test_near_misses_are_checked(shape: str) -> None:
    assert lint_source("x.py", "import multiprocessing\n" + shape, Config()) == []


def test_parser_limit_is_a_meta_code() -> None:
    assert (PARSER_LIMIT, "parser-limit") in {(m.code, m.name) for m in META}


def test_cli_warns_names_the_file_and_keeps_the_exit_code_for_findings(tmp_path: Path) -> None:
    (tmp_path / "odd.py").write_text(
        "import multiprocessing\nassert(multiprocessing if 1 else 2)\n"
    )
    result = mplint("check", "--no-cache", "odd.py", cwd=tmp_path)
    assert "Traceback" not in result.stderr
    assert "odd.py:1:1: MPL004 not checked" in result.stdout
    assert "Must have at least one space after 'assert'" in result.stdout
    assert "MPL003" not in result.stdout
    assert result.returncode == 1
    assert mplint("check", "--no-cache", "--exit-zero", "odd.py", cwd=tmp_path).returncode == 0
    found = json.loads(
        mplint("check", "--no-cache", "--output-format", "json", "odd.py", cwd=tmp_path).stdout
    )
    assert [(d["code"], Path(d["filename"]).name) for d in found] == [("MPL004", "odd.py")]


def test_the_other_files_are_still_checked(tmp_path: Path) -> None:
    (tmp_path / "odd.py").write_text(
        "import multiprocessing\nassert(multiprocessing if 1 else 2)\n"
    )
    (tmp_path / "bug.py").write_text(BUGGY)
    result = mplint("check", "--no-cache", "--output-format", "json", ".", cwd=tmp_path)
    found = {(Path(d["filename"]).name, d["code"]) for d in json.loads(result.stdout)}
    assert found == {("odd.py", "MPL004"), ("bug.py", "MPL105")}
    assert result.returncode == 1
