"""Jupyter notebooks (``.ipynb``): the code cells as one Python module, and the way back.

A notebook is read as JSON (nbformat 4). Its code cells are joined into one module for the model, in
order, each after a marker comment line (:data:`CELL_MARKER`), with a map from the module's lines to
``(cell, row)``: cells are numbered from 1 among all the notebook's cells (markdown included), rows from
1 within the cell, as ruff and Jupyter count them.

IPython syntax that is not Python is masked line by line, keeping every other line and column where it
is: a line magic (``%time f()``), a shell escape (``!pip install x``), help (``obj?``, ``??obj``) and the
assignments ``files = !ls`` and ``t = %timeit -o f()`` become a placeholder (``pass`` or
``files = None``) ending in :data:`MAGIC_MARK`; their continuation lines a comment. A cell that opens
with a cell magic (``%%bash``, ``%%timeit``) is not Python and is left out. Placeholders are never a
syntax error nor a finding, and a fix that would alter one is refused.

Fixes run on the joined module; :meth:`Notebook.rewrite` splits the fixed module back at the markers,
restores the masked lines and replaces, in the JSON text, only the ``source`` values of the cells that
changed, in their own form (a list of lines or one string, the same indentation and escaping).
Everything else of the file (outputs, metadata, execution counts, key order, trailing newline) is kept
byte for byte.
"""

from __future__ import annotations

import bisect
import difflib
import io
import json
import re
import tokenize
from dataclasses import dataclass
from typing import Any, Optional

from mplint.text import split_lines_keepends

__all__ = [
    "CELL_MARKER",
    "MAGIC_MARK",
    "NOTEBOOK_SUFFIX",
    "Cell",
    "Notebook",
    "NotebookError",
    "is_notebook_path",
    "opens_cell_magic",
    "read_notebook",
]

NOTEBOOK_SUFFIX = ".ipynb"
#: The comment line before each cell in the joined module (followed by the cell's number).
CELL_MARKER = "#%%mplint-cell "
#: The end of every line that stands in for IPython syntax in the joined module.
MAGIC_MARK = "#%%mplint-ipython"

_CELL_MARKER_LINE = re.compile(r"[ \t]*#%%mplint-cell (\d+)[ \t]*")
# ``target = !cmd`` / ``target = %magic``: names, attributes, subscripts and tuples of them.
_MAGIC_ASSIGN = re.compile(r"([ \t]*)([\w.\[\]()\s,*]+?)[ \t]*=[ \t]*[!%]")
_HELP = re.compile(r"[ \t]*(?:\?{1,2}[\w.*%]+|[\w.*%]+\?{1,2})[ \t]*")


def is_notebook_path(path: str) -> bool:
    return path.lower().endswith(NOTEBOOK_SUFFIX)


class NotebookError(Exception):
    """The file is not a notebook mplint can check; ``line``/``column`` locate the problem."""

    def __init__(
        self, message: str, line: int = 1, column: int = 1, *, foreign: bool = False
    ) -> None:
        super().__init__(message)
        self.line = line
        self.column = column
        #: a notebook in another language than Python (not a broken file)
        self.foreign = foreign


@dataclass(frozen=True)
class Cell:
    """One code cell: its number (1-based, among all cells), its source, the source's JSON form
    (``as_list``: a list of lines, else one string) and where that value is in the file's text."""

    number: int
    source: str
    as_list: bool
    start: int
    end: int
    #: opens with a cell magic: not Python, left out of the joined module
    skipped: bool


@dataclass(frozen=True)
class _Masked:
    """A cell's text as the joined module holds it, and the lines it stands in for."""

    text: str
    #: (placeholder line, original line) for each masked line, in order
    lines: tuple[tuple[str, str], ...]


class Notebook:
    """A parsed notebook: its code cells, the joined module and the line map."""

    def __init__(self, text: str, cells: list[Cell]) -> None:
        self.text = text
        self.cells = tuple(cells)
        self._masked: dict[int, _Masked] = {}
        parts: list[str] = []
        #: the joined module's line of each cell's marker, in order, with its cell
        self._marker_lines: list[int] = []
        self._marker_cells: list[Cell] = []
        #: the joined module's lines that stand in for IPython syntax
        self.masked_lines: set[int] = set()
        line = 1
        for cell in self.cells:
            if cell.skipped:
                continue
            masked = _mask(cell.source)
            self._masked[cell.number] = masked
            body = (
                masked.text if masked.text.endswith("\n") or not masked.text else masked.text + "\n"
            )
            parts.append(f"{CELL_MARKER}{cell.number}\n{body}")
            self._marker_lines.append(line)
            self._marker_cells.append(cell)
            for number, joined_line in enumerate(split_lines_keepends(body), start=line + 1):
                if joined_line.rstrip("\r\n").endswith(MAGIC_MARK):
                    self.masked_lines.add(number)
            line += 1 + len(split_lines_keepends(body))
        self.python = "".join(parts)

    # --- positions ----------------------------------------------------------------------------------
    def cell_row(self, line: int) -> tuple[int, int]:
        """The ``(cell, row)`` of a line of the joined module (a marker line is its cell's row 1)."""
        if not self._marker_lines:
            return 1, line
        index = max(bisect.bisect_right(self._marker_lines, line) - 1, 0)
        return self._marker_cells[index].number, max(line - self._marker_lines[index], 1)

    def cell_text(self, number: int) -> Optional[str]:
        for cell in self.cells:
            if cell.number == number:
                return cell.source
        return None

    # --- the way back -------------------------------------------------------------------------------
    def rewrite(self, fixed: str) -> tuple[str, list[int]]:
        """The notebook's text with the cells of the fixed joined module ``fixed``, and the numbers
        of the cells that changed. NotebookError when the fix moved code across cells or altered a
        masked line: then nothing is written."""
        chunks = _split_cells(fixed)
        expected = [cell.number for cell in self._marker_cells]
        if chunks is None or [number for number, _ in chunks] != expected:
            raise NotebookError("a fix would move code across the notebook's cells")
        replacements: list[tuple[int, int, str]] = []
        changed: list[int] = []
        for (number, chunk), cell in zip(chunks, self._marker_cells):
            masked = self._masked[cell.number]
            if chunk == _joined_body(masked.text):
                continue
            source = _unmask(chunk, masked)
            if source is None:
                raise NotebookError(f"a fix would change IPython syntax in cell {number}")
            if not cell.source.endswith("\n") and source.endswith("\n"):
                source = source[:-1]
            if source == cell.source:
                continue
            changed.append(number)
            replacements.append((cell.start, cell.end, self._encode(cell, source)))
        out = self.text
        for start, end, value in sorted(replacements, reverse=True):
            out = out[:start] + value + out[end:]
        return out, changed

    def _encode(self, cell: Cell, source: str) -> str:
        """``source`` as the JSON value of the cell's ``source`` key, in the form the file uses."""
        ascii_only = self.text.isascii() and "\\u" in self.text
        if not cell.as_list:
            return json.dumps(source, ensure_ascii=ascii_only)
        items = [json.dumps(line, ensure_ascii=ascii_only) for line in _lines(source)]
        if not items:
            return "[]"
        old = self.text[cell.start : cell.end]
        opening, separator, closing = _list_layout(old, self._key_indent(cell.start))
        return "[" + opening + separator.join(items) + closing + "]"

    def _key_indent(self, offset: int) -> str:
        line_start = self.text.rfind("\n", 0, offset) + 1
        head = self.text[line_start:offset]
        return head[: len(head) - len(head.lstrip(" \t"))]

    def cell_diff(self, display: str, fixed_text: str) -> str:
        """Unified diffs of the changed cells' sources, each headed ``path:cell N`` (ruff's form)."""
        after = read_notebook(fixed_text)
        sources = {cell.number: cell.source for cell in after.cells}
        out: list[str] = []
        for cell in self.cells:
            new = sources.get(cell.number, cell.source)
            if new == cell.source:
                continue
            lines = difflib.unified_diff(
                _lines(cell.source),
                _lines(new),
                fromfile=f"{display}:cell {cell.number}",
                tofile=f"{display}:cell {cell.number}",
            )
            for line in lines:
                out.append(
                    line if line.endswith("\n") else line + "\n\\ No newline at end of cell\n"
                )
        return "".join(out)


def _joined_body(text: str) -> str:
    return text if text.endswith("\n") or not text else text + "\n"


def _lines(text: str) -> list[str]:
    """Lines as nbformat stores them: split after each ``\\n`` only."""
    parts = text.split("\n")
    out = [part + "\n" for part in parts[:-1]]
    if parts[-1]:
        out.append(parts[-1])
    return out


def _list_layout(old: str, key_indent: str) -> tuple[str, str, str]:
    """The whitespace after ``[``, between items and before ``]`` of a JSON list as written."""
    inner = old[1:-1]
    stripped = inner.strip()
    if not stripped:
        unit = "\n" + key_indent + " "
        return unit, "," + unit, "\n" + key_indent
    opening = inner[: len(inner) - len(inner.lstrip())]
    closing = inner[len(inner.rstrip()) :]
    decoder = json.JSONDecoder()
    _, end = decoder.raw_decode(inner, len(opening))
    rest = inner[end:]
    if rest.strip():
        separator = rest[: len(rest) - len(rest.lstrip(" \t\r\n,"))]
    else:
        separator = "," + opening
    return opening, separator, closing


def _split_cells(text: str) -> Optional[list[tuple[int, str]]]:
    """The fixed joined module cut at its marker lines: ``(cell, text)`` in order; text before the
    first marker (a fix that inserts at the very top) joins the first cell."""
    head: list[str] = []
    chunks: list[tuple[int, list[str]]] = []
    for line in split_lines_keepends(text):
        match = _CELL_MARKER_LINE.fullmatch(line.rstrip("\r\n"))
        if match:
            chunks.append((int(match[1]), []))
        elif chunks:
            chunks[-1][1].append(line)
        else:
            head.append(line)
    if not chunks:
        return None if head else []
    chunks[0][1][:0] = head
    return [(number, "".join(lines)) for number, lines in chunks]


def _unmask(chunk: str, masked: _Masked) -> Optional[str]:
    """The cell's source from its fixed chunk: each placeholder back to the line it stands for.
    None when the placeholders are not all there, unchanged and in order."""
    if not masked.lines:
        return None if MAGIC_MARK in chunk else chunk
    out: list[str] = []
    pending = list(masked.lines)
    for line in split_lines_keepends(chunk):
        body = line.rstrip("\r\n")
        if body.endswith(MAGIC_MARK):
            if not pending or pending[0][0] != body:
                return None
            out.append(pending.pop(0)[1] + line[len(body) :])
        else:
            out.append(line)
    return None if pending else "".join(out)


# --- masking -------------------------------------------------------------------------------------------


def opens_cell_magic(source: str) -> bool:
    for line in split_lines_keepends(source):
        if line.strip():
            return line.lstrip().startswith("%%")
    return False


def _mask(source: str) -> _Masked:
    lines = split_lines_keepends(source)
    out: list[str] = []
    masked: list[tuple[str, str]] = []
    continued = False
    for line in lines:
        body = line.rstrip("\r\n")
        ending = line[len(body) :]
        if continued:
            placeholder = MAGIC_MARK
            continued = body.endswith("\\")
        else:
            placeholder_or_none = _placeholder(body, out)
            if placeholder_or_none is None:
                out.append(line)
                continue
            placeholder = placeholder_or_none
            continued = body.endswith("\\")
        masked.append((placeholder, body))
        out.append(placeholder + ending)
    return _Masked("".join(out), tuple(masked))


def _placeholder(line: str, before: list[str]) -> Optional[str]:
    """The placeholder for ``line`` when it is IPython syntax at the start of a statement."""
    stripped = line.lstrip(" \t")
    indent = line[: len(line) - len(stripped)]
    replacement: Optional[str] = None
    if stripped.startswith(("%", "!")) or (_HELP.fullmatch(line) and not stripped.startswith("#")):
        replacement = f"{indent}pass  {MAGIC_MARK}"
    else:
        assign = _MAGIC_ASSIGN.match(line)
        if assign is not None and "==" not in line[: assign.end()]:
            target = assign[2].strip()
            replacement = f"{indent}{target} = None  {MAGIC_MARK}"
    if replacement is None or not _at_statement_start(before):
        return None
    return replacement


def _at_statement_start(before: list[str]) -> bool:
    """The lines so far leave no bracket, string or backslash continuation open."""
    text = "".join(before)
    if not text.strip():
        return True
    if text.rstrip("\r\n").endswith("\\"):
        return False
    try:
        for _ in tokenize.generate_tokens(io.StringIO(text).readline):
            pass
    except tokenize.TokenError:
        return False
    except (SyntaxError, ValueError):
        return True  # an indentation problem: the statement still starts here
    return True


# --- reading ---------------------------------------------------------------------------------------------


def read_notebook(text: str) -> Notebook:
    """Parse a notebook's JSON text; NotebookError when it is not an nbformat 4 Python notebook."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise NotebookError(
            f"not checked: not a valid notebook: invalid JSON ({error.msg})",
            error.lineno,
            error.colno,
        ) from None
    except RecursionError:
        raise NotebookError("not checked: not a valid notebook: JSON nested too deeply") from None
    if not isinstance(data, dict) or not isinstance(data.get("cells"), list):
        raise NotebookError("not checked: not a valid notebook: no list of cells")
    major = data.get("nbformat")
    if major != 4:
        raise NotebookError(
            f"not checked: nbformat {major} notebooks are not supported, only nbformat 4 "
            "(convert it with `jupyter nbconvert --to notebook`)"
        )
    language = _language(data.get("metadata"))
    if language is not None and language.lower() != "python":
        raise NotebookError(
            f"not checked: the notebook's kernel runs {language}, not Python", foreign=True
        )
    spans = _source_spans(text)
    cells: list[Cell] = []
    for index, raw in enumerate(data["cells"]):
        if not isinstance(raw, dict) or raw.get("cell_type") != "code":
            continue
        value = raw.get("source", "")
        if isinstance(value, list) and all(isinstance(part, str) for part in value):
            source, as_list = "".join(value), True
        elif isinstance(value, str):
            source, as_list = value, False
        else:
            raise NotebookError(
                f"not checked: not a valid notebook: cell {index + 1} has no source text"
            )
        span = spans.get(index)
        if span is None:
            raise NotebookError(
                f"not checked: not a valid notebook: cell {index + 1} has no source text"
            )
        cells.append(Cell(index + 1, source, as_list, span[0], span[1], opens_cell_magic(source)))
    return Notebook(text, cells)


def _language(metadata: Any) -> Optional[str]:
    """The kernel's language, from ``kernelspec.language`` or ``language_info.name``."""
    if not isinstance(metadata, dict):
        return None
    for key, field in (("kernelspec", "language"), ("language_info", "name")):
        section = metadata.get(key)
        if isinstance(section, dict) and isinstance(section.get(field), str):
            return str(section[field])
    return None


_WHITESPACE = " \t\n\r"


def _skip(text: str, index: int) -> int:
    while index < len(text) and text[index] in _WHITESPACE:
        index += 1
    return index


def _source_spans(text: str) -> dict[int, tuple[int, int]]:
    """Where each cell's ``source`` value is in the JSON text: cell index -> (start, end)."""
    decoder = json.JSONDecoder()
    spans: dict[int, tuple[int, int]] = {}
    for key, start, _ in _members(text, _skip(text, 0), decoder):
        if key != "cells" or text[start] != "[":
            continue
        spans.clear()
        index = _skip(text, start + 1)
        number = 0
        while index < len(text) and text[index] != "]":
            if text[index] == "{":
                for cell_key, value_start, value_end in _members(text, index, decoder):
                    if cell_key == "source":
                        spans[number] = (value_start, value_end)
            _, end = decoder.raw_decode(text, index)
            number += 1
            index = _skip(text, end)
            if index < len(text) and text[index] == ",":
                index = _skip(text, index + 1)
    return spans


def _members(text: str, index: int, decoder: json.JSONDecoder) -> list[tuple[str, int, int]]:
    """The members of the JSON object at ``index``: (key, value start, value end)."""
    out: list[tuple[str, int, int]] = []
    index = _skip(text, index + 1)
    while index < len(text) and text[index] == '"':
        key, index = json.decoder.scanstring(text, index + 1)  # type: ignore[attr-defined]
        index = _skip(text, index)
        index = _skip(text, index + 1)  # the colon
        _, end = decoder.raw_decode(text, index)
        out.append((str(key), index, end))
        index = _skip(text, end)
        if index < len(text) and text[index] == ",":
            index = _skip(text, index + 1)
    return out
