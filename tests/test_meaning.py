"""mplint.meaning: which lines of a fixed text are copies, and what copies may not change."""

from __future__ import annotations

import ast

import pytest

from mplint.meaning import (
    BLANK,
    WRITTEN,
    changed_meaning,
    line_origins,
    new_line_endings,
    newer_python_needed,
)
from mplint.text import splice, split_lines_keepends

C = WRITTEN


def _origins(text: str, *passes: list[tuple[int, int, str]]) -> tuple[str, list[int]]:
    steps = []
    current = text
    for spans in passes:
        steps.append((current, spans))
        updated = splice(current, spans)
        assert updated is not None
        current = updated
    origins = line_origins(text, steps)
    assert len(origins) == len(split_lines_keepends(current))
    return current, origins


def test_untouched_lines_are_copies_of_themselves() -> None:
    text = "a = 1\nb = 2\nc = 3\n"
    fixed, origins = _origins(text, [(6, 11, "b = 20")])
    assert fixed == "a = 1\nb = 20\nc = 3\n"
    assert origins == [0, C, 2]


def test_a_wrap_copies_the_reindented_lines() -> None:
    text = "x = 1\nf(x)\n\ng(x)\n"
    wrapped = 'if __name__ == "__main__":\n    f(x)\n\n    g(x)\n'
    _, origins = _origins(text, [(6, len(text), wrapped)])
    assert origins == [0, C, 1, BLANK, 3]


def test_a_swap_copies_one_line_and_writes_the_other() -> None:
    text = "p.start()\np.daemon = True\n"
    _, origins = _origins(text, [(0, len(text), "p.daemon = True\np.start()\n")])
    assert sorted(origins) == [C, 0] or sorted(origins) == [C, 1]


def test_insertions_at_the_end_and_removal_of_the_last_line() -> None:
    text = "a\nb"
    appended, origins = _origins(text, [(3, 3, "\nc")])
    assert appended == "a\nb\nc" and origins == [0, 1, C]
    removed, origins = _origins(text, [(1, 3, "")])  # the last line and the line ending before it
    assert removed == "a" and origins == [0]


def test_an_edit_that_removes_a_line_ending_joins_the_next_line() -> None:
    text = "a = 1\nb = 2\nc = 3\n"
    fixed, origins = _origins(text, [(5, 6, " + \\\n    0 + ")])
    assert fixed == "a = 1 + \\\n    0 + b = 2\nc = 3\n"
    assert origins == [C, C, 2]


def test_passes_compose() -> None:
    text = "a\nb\nc\n"
    fixed, origins = _origins(text, [(0, 0, "x\n")], [(4, 5, "B")])
    assert fixed == "x\na\nB\nc\n"
    assert origins == [C, 0, C, 2]


def test_copies_must_keep_their_ast() -> None:
    original = 'def f():\n    s = """a\n    b"""\n'
    moved = 'def f():\n    if x:\n        s = """a\n    b"""\n'
    origins = [0, C, 1, 2]
    assert changed_meaning(original, moved, origins, ast.parse(original), ast.parse(moved)) is None
    bent = 'def f():\n    if x:\n        s = """a\n        b"""\n'
    problem = changed_meaning(original, bent, origins, ast.parse(original), ast.parse(bent))
    assert problem is not None and "a copy of line 2" in problem


@pytest.mark.parametrize(
    ("original", "fixed", "message"),
    [
        ("a\r\nb\r\n", "a\r\r\nb\r\n", "1 \\r; the file uses \\r\\n"),
        ("a\nb\n", "a\r\nb\n", "1 \\r\\n; the file uses \\n"),
        ("a", "a\r\nb", "1 \\r\\n; the file uses \\n"),
    ],
)
def test_new_line_endings(original: str, fixed: str, message: str) -> None:
    problem = new_line_endings(original, fixed)
    assert problem is not None and message in problem
    assert new_line_endings(original, original) is None
    assert new_line_endings("a\r\nb\n", "a\nb\r\nc\r\n") is None  # already mixed


@pytest.mark.parametrize(
    ("fixed", "target", "refused"),
    [
        ("match x:\n    case _:\n        pass\n", None, True),
        ("match x:\n    case _:\n        pass\n", "py310", False),
        ("x = anext\n", "py39", True),
        ("x = anext\n", "py310", False),
        ("x = ExceptionGroup\n", "py310", True),
        ("try:\n    f()\nexcept (E, TimeoutError):\n    pass\n", "py310", True),
        ("try:\n    f()\nexcept (E, TimeoutError):\n    pass\n", "py311", False),
        ("try:\n    f()\nexcept E:\n    raise TimeoutError\n", "py39", False),
    ],
)
def test_newer_python_needed(fixed: str, target: str | None, refused: bool) -> None:
    original = "try:\n    f()\nexcept E:\n    pass\n"
    problem = newer_python_needed(original, fixed, ast.parse(original), ast.parse(fixed), target)
    assert (problem is not None) is refused, problem
