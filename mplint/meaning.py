"""What a fix must not change: the checks :func:`mplint.fixes.verify` makes beyond parsing and re-linting.

Line endings
    The fixed text uses no line ending the original does not use (a CRLF file gets no ``\\r\\r\\n``,
    no lone ``\\n``; an LF file no ``\\r\\n``).

Meaning outside the edits
    Each pass's edits are widened to the whole lines they touch; within those lines, a line of the new
    text whose content (ignoring indentation) equals a line of the old one is a *copy* of it (one to one,
    in order, as a line diff pairs them), any other non-blank line is *written*. Lines outside every
    edit are copies too. Composed over the passes, every line of the fixed text is a copy of a line of
    the original, blank, or written. Then, on CPython's ASTs (positions ignored):

    - every statement of the fixed module that lies on copied (or blank) lines, starting and ending on
      copies of the lines where a statement of the original starts and ends, is equal to that statement
      (for a compound statement, its header: ``def``/``class`` with decorators, the test of an ``if``,
      the items of a ``with`` …; its body is compared statement by statement);
    - every statement of the original whose lines were all copied is still a statement, equal to it, at
      the copies;
    - every constant (string, bytes, number) of the fixed module on copied lines equals the one at the
      same place in the original.

    So an untouched statement cannot change, and a fix that moves or wraps code (a block re-indented
    under a new ``if __name__ == "__main__":`` or ``with``) must move it unchanged; what a fix writes
    itself is judged by the other checks. Not checked: whether a moved statement still runs under the
    same enclosing block (wrapping changes that on purpose).

Python versions (:func:`newer_python_needed`)
    The lowest Python the project targets (``target-version``; without one, 3.9, the oldest mplint
    supports). The fixed text must still parse with ``ast.parse(feature_version=...)`` of that version
    when the original did (CPython's own gate for newer syntax: ``match`` needs 3.10, ``except*`` 3.11,
    parenthesized context managers 3.9); it must not use a builtin added after that version more often
    than the original (``aiter``, ``anext``, ``EncodingWarning``: 3.10; ``ExceptionGroup``,
    ``BaseExceptionGroup``: 3.11; ``PythonFinalizationError``: 3.13); and below 3.11 it must not add a
    bare ``TimeoutError`` to an ``except`` clause (before 3.11 ``concurrent.futures.TimeoutError`` and
    ``asyncio.TimeoutError`` are other classes, which it does not catch). Library APIs (new functions or
    parameters of the standard library) are not checked.
"""

from __future__ import annotations

import ast
import copy
import difflib
import warnings
from bisect import bisect_right
from collections import Counter
from collections.abc import Iterator, Sequence
from typing import Optional

from mplint.text import LINE_BREAK, splice, split_lines_keepends

__all__ = [
    "BLANK",
    "WRITTEN",
    "Pass",
    "changed_meaning",
    "line_origins",
    "new_line_endings",
    "newer_python_needed",
]

#: A line of the fixed text that is blank (whitespace only), or that a fix wrote.
BLANK = -1
WRITTEN = -2

#: One pass of fixes: the text it was applied to, and its edits as (start, end, new text) offsets.
Pass = tuple[str, Sequence[tuple[int, int, str]]]

_NAMES = {"\r\n": "\\r\\n", "\r": "\\r", "\n": "\\n"}


# --- line endings -------------------------------------------------------------------------------


def new_line_endings(original: str, fixed: str) -> Optional[str]:
    """Why the fixed text's line endings are not the original's, or None."""
    before = set(LINE_BREAK.findall(original)) or {"\n"}
    after = Counter(LINE_BREAK.findall(fixed))
    extra = sorted(ending for ending in after if ending not in before)
    if not extra:
        return None
    used = ", ".join(_NAMES[e] for e in sorted(before))
    added = ", ".join(f"{after[e]} {_NAMES[e]}" for e in extra)
    return f"the fixed code has line endings the file does not use ({added}; the file uses {used})"


# --- which lines of the fixed text are copies -----------------------------------------------------


def line_origins(original: str, passes: Sequence[Pass]) -> list[int]:
    """For each line of the text the passes produce (0-based): the line of ``original`` it is a copy of,
    ``BLANK`` or ``WRITTEN``."""
    origins: Optional[list[int]] = None
    for text, spans in passes:
        step = _step(text, spans)
        if origins is None:
            origins = step
        else:
            origins = [origins[o] if o >= 0 else o for o in step]
    return origins if origins is not None else list(range(len(split_lines_keepends(original))))


def _step(old: str, spans: Sequence[tuple[int, int, str]]) -> list[int]:
    """One pass: for each line of the new text, the line of ``old`` it copies, BLANK or WRITTEN."""
    lines = split_lines_keepends(old)
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line))
    count = len(lines)

    def line_of(offset: int) -> int:
        if offset >= len(old):
            return count if not lines or lines[-1][-1:] in ("\r", "\n") else count - 1
        return bisect_right(starts, offset) - 1

    # Each hunk: [first, last] lines of ``old`` (whole lines) and the spans starting in them; hunks
    # that touch or follow each other are one.
    hunks: list[tuple[list[int], list[tuple[int, int, str]]]] = []
    for start, end, content in sorted(spans):
        first, last = line_of(start), line_of(max(start, end - 1))
        if hunks and first <= hunks[-1][0][1] + 1:
            hunks[-1][0][1] = max(hunks[-1][0][1], last)
            hunks[-1][1].append((start, end, content))
        else:
            hunks.append(([first, last], [(start, end, content)]))
    result: list[int] = []
    cursor = 0
    index = 0
    while index < len(hunks):
        (first, last), inside = hunks[index]
        index += 1
        result.extend(range(cursor, first))
        while True:
            begin, stop = starts[min(first, count)], starts[min(last + 1, count)]
            new = splice(old[begin:stop], [(s - begin, e - begin, c) for s, e, c in inside])
            assert new is not None
            if not new or new[-1] in "\r\n" or last + 1 >= count:
                break
            last += 1  # the edits removed the line ending: the next line joins this one
            if index < len(hunks) and hunks[index][0][0] <= last:
                (_, next_last), more = hunks[index]
                index += 1
                last = max(last, next_last)
                inside = inside + more
        result.extend(_diff(lines[first : last + 1], split_lines_keepends(new), first))
        cursor = last + 1
    result.extend(range(cursor, count))
    return result


def _diff(old: Sequence[str], new: Sequence[str], base: int) -> list[int]:
    """Pair the non-blank lines of ``new`` with equal lines of ``old`` (indentation ignored)."""
    old_keys = [(i, line.strip()) for i, line in enumerate(old) if line.strip()]
    new_keys = [(i, line.strip()) for i, line in enumerate(new) if line.strip()]
    result = [BLANK if not line.strip() else WRITTEN for line in new]
    matcher = difflib.SequenceMatcher(
        None, [k for _, k in old_keys], [k for _, k in new_keys], autojunk=False
    )
    for a, b, size in matcher.get_matching_blocks():
        for offset in range(size):
            result[new_keys[b + offset][0]] = base + old_keys[a + offset][0]
    return result


# --- statements and constants on copied lines -----------------------------------------------------

_BODIES = ("body", "orelse", "finalbody", "handlers", "cases")
Unit = tuple[int, int, str, str]  # first line, last line (1-based), kind, dump


def _units(tree: ast.AST) -> Iterator[Unit]:
    """Each statement (for a compound statement, its header), except handler and case clause, with the
    lines it spans."""
    for node in ast.walk(tree):
        if not isinstance(node, (ast.stmt, ast.ExceptHandler)):
            continue
        start = min([node.lineno, *(d.lineno for d in getattr(node, "decorator_list", ()))])
        if any(hasattr(node, name) for name in _BODIES):
            shell = copy.copy(node)
            end = node.lineno
            for name, value in ast.iter_fields(node):
                if name in _BODIES:
                    setattr(shell, name, [])
                    continue
                for part in value if isinstance(value, list) else [value]:
                    if isinstance(part, ast.AST):
                        for inner in ast.walk(part):
                            end = max(end, getattr(inner, "end_lineno", None) or end)
            yield start, end, type(node).__name__, ast.dump(shell)
        else:
            yield start, node.end_lineno or node.lineno, type(node).__name__, ast.dump(node)


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" \t\f"))


def _constants(tree: ast.AST, lines: Sequence[str]) -> Iterator[tuple[int, int, int, str]]:
    """(first line, column after the indentation, last line, value) of each constant."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and node.end_lineno is not None:
            column = node.col_offset - _indent(lines[node.lineno - 1])
            value = f"{type(node.value).__name__}:{node.value!r}"
            yield node.lineno, column, node.end_lineno, value


def changed_meaning(
    original: str,
    fixed: str,
    origins: Sequence[int],
    original_tree: ast.Module,
    fixed_tree: ast.Module,
) -> Optional[str]:
    """Why the fixed module changes a statement or constant it only copies, or None."""
    old_lines = split_lines_keepends(original)
    new_lines = split_lines_keepends(fixed)
    if len(origins) != len(new_lines):
        return None  # not a map of this text (cannot happen for edits applied by fix_source)

    def copied(first: int, last: int) -> Optional[tuple[int, int]]:
        """The original lines (1-based) of a span of fixed lines copied as a whole, or None."""
        span = origins[first - 1 : last]
        if not span or span[0] < 0 or span[-1] < 0 or WRITTEN in span:
            return None
        return span[0] + 1, span[-1] + 1

    old_units: dict[tuple[int, int], set[str]] = {}
    for first, last, _, dump in _units(original_tree):
        old_units.setdefault((first, last), set()).add(dump)
    new_units: dict[tuple[int, int], set[str]] = {}
    for first, last, kind, dump in _units(fixed_tree):
        new_units.setdefault((first, last), set()).add(dump)
        where = copied(first, last)
        if where is not None and where in old_units and dump not in old_units[where]:
            return (
                f"the fix changes the {kind} statement at line {first}, a copy of line {where[0]} "
                "of the original"
            )
    forward = {o: n + 1 for n, o in enumerate(origins) if o >= 0}
    for (first, last), dumps in old_units.items():
        if first - 1 not in forward or last - 1 not in forward:
            continue
        moved = (forward[first - 1], forward[last - 1])
        if copied(*moved) != (first, last):
            continue
        if not dumps <= new_units.get(moved, set()):
            return (
                f"the statement at line {first} of the original is not the same statement at "
                f"line {moved[0]} of the fixed code, although its lines were only copied"
            )
    old_constants: dict[tuple[int, int, int], set[str]] = {}
    for first, column, last, value in _constants(original_tree, old_lines):
        old_constants.setdefault((first, column, last), set()).add(value)
    for first, column, last, value in _constants(fixed_tree, new_lines):
        where = copied(first, last)
        if where is None:
            continue
        known = old_constants.get((where[0], column, where[1]))
        if known is not None and value not in known:
            return f"the fix changes the constant at line {first} ({value.split(':', 1)[1][:40]})"
    return None


# --- Python versions --------------------------------------------------------------------------------

#: Builtins added after 3.9, with the version that added them.
NEW_BUILTINS = {
    "aiter": 10,
    "anext": 10,
    "EncodingWarning": 10,
    "BaseExceptionGroup": 11,
    "ExceptionGroup": 11,
    "PythonFinalizationError": 13,
}
LOWEST_TARGET = 9


def lowest_minor(target_version: Optional[str]) -> int:
    """The minor version of the lowest Python 3 the project targets (``py39`` -> 9)."""
    if target_version is None:
        return LOWEST_TARGET
    return int(target_version[len("py3") :])


def _parses_as(text: str, minor: int) -> bool:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ast.parse(text, feature_version=(3, minor))
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False
    return True


def _names(tree: ast.AST) -> Counter[str]:
    return Counter(
        node.id
        for node in ast.walk(tree)
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load)
    )


def _bare_timeout_handlers(tree: ast.AST) -> int:
    count = 0
    for node in ast.walk(tree):
        if isinstance(node, ast.ExceptHandler) and node.type is not None:
            caught = node.type.elts if isinstance(node.type, ast.Tuple) else [node.type]
            count += sum(isinstance(c, ast.Name) and c.id == "TimeoutError" for c in caught)
    return count


def newer_python_needed(
    original: str,
    fixed: str,
    original_tree: ast.Module,
    fixed_tree: ast.Module,
    target_version: Optional[str],
) -> Optional[str]:
    """Why the fixed code needs a newer Python than the lowest one the project targets, or None."""
    minor = lowest_minor(target_version)
    target = f"Python 3.{minor}" + ("" if target_version else " (no target-version set)")
    if not _parses_as(fixed, minor) and _parses_as(original, minor):
        return f"the fixed code uses syntax that {target} does not have"
    before, after = _names(original_tree), _names(fixed_tree)
    for name, added in sorted(NEW_BUILTINS.items()):
        if added > minor and after[name] > before[name]:
            return f"the fix uses the builtin {name!r}, new in Python 3.{added}; the target is {target}"
    if minor < 11 and _bare_timeout_handlers(fixed_tree) > _bare_timeout_handlers(original_tree):
        return (
            "the fix catches the builtin 'TimeoutError', which before Python 3.11 is not the timeout "
            f"of concurrent.futures or asyncio; the target is {target}"
        )
    return None
