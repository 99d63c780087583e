"""``full``: each diagnostic with the code around it, the range underlined, and its fix as a diff.

Laid out as ruff's ``full`` format::

    MPL105 [*] `beat.daemon` is set after `beat.start()`; it must be set before
      --> examples/downloader.py:25:5
       |
    23 |     beat = Process(target=heartbeat)
    24 |     beat.start()
    25 |     beat.daemon = True
       |     ^^^^^^^^^^^^^^^^^^ daemon-set-after-start
    26 |     for worker in workers:
       |
    help: Set `daemon` before `start()`
       |
    23 |     beat = Process(target=heartbeat)
       +     beat.daemon = True
    24 |     beat.start()
       -     beat.daemon = True
    25 |     for worker in workers:
       |

Two lines of context around the range; the label after the carets is the rule's name. The diff shows the
fixed file with one line of context: ``-`` lines are removed (no number), ``+`` lines added and context
lines numbered as in the fixed file. An unsafe fix is followed by a note; so is a fix that is only
displayed. Tabs are expanded, wide characters counted as two columns and control characters shown as
symbols, so the carets stay under the code. The diagnostic's related locations (the other places of the
same cause) follow as notes, each with its first line, the range underlined with ``-``.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Optional, Union

from mplint.diagnostics import Applicability, Diagnostic, Edit, Related, Severity
from mplint.output._text import (
    TAB_WIDTH,
    display_width,
    file_and_cell,
    one_line,
    printable,
    split_lines,
)
from mplint.output.color import Palette
from mplint.output.concise import fixed_listing, summary
from mplint.output.context import OutputContext, fix_applies
from mplint.text import LineIndex, splice

__all__ = ["apply_edits", "render"]

CONTEXT = 2  # lines shown before and after the range
DIFF_CONTEXT = 1  # unchanged lines shown around a change in the diff
MAX_RANGE_LINES = 8  # a longer range shows its first and last lines only


def _show(text: str) -> str:
    """Source text as printed: controls as symbols, tabs expanded."""
    return printable(text).expandtabs(TAB_WIDTH)


def _column(line: str, column: int) -> int:
    """The display column (0-based) of the 1-based character column ``column`` in ``line``."""
    return display_width(_show(line[: max(column - 1, 0)]))


def apply_edits(text: str, edits: Iterable[Edit]) -> Optional[str]:
    """``text`` with non-overlapping ``edits`` applied; None when they overlap or point past the end."""
    index = LineIndex(text)
    spans = [
        (index.offset(e.line, e.column), index.offset(e.end_line, e.end_column), e.content)
        for e in edits
    ]
    if any(end < start for start, end, _ in spans):
        return None
    return splice(text, spans)


class _Writer:
    def __init__(self, palette: Palette, width: int) -> None:
        self.palette = palette
        self.width = width
        self.lines: list[str] = []

    def gutter(self, number: Union[int, str] = "", mark: str = "|") -> str:
        return self.palette.paint(f"{number!s:>{self.width}} {mark}", "bold", "blue")

    def empty(self) -> None:
        self.lines.append(self.gutter())

    def source(self, number: Union[int, str], text: str, mark: str = "|", style: str = "") -> str:
        shown = _show(text).rstrip()
        gutter = self.gutter(number, mark)
        if style:
            gutter = self.palette.paint(f"{number!s:>{self.width}} {mark}", "bold", style)
            shown = self.palette.paint(shown, style)
        return f"{gutter} {shown}" if shown else gutter


def _underline(line_text: str, first: int, last: Optional[int]) -> tuple[int, int]:
    """Display columns (start, length) to underline from character ``first`` to ``last`` (exclusive;
    None: to the end of the line). At least one caret."""
    start = _column(line_text, first)
    end = display_width(_show(line_text)) if last is None else _column(line_text, last)
    return start, max(end - start, 1)


def _first_column(text: str) -> int:
    """The 1-based column of the first character after the indentation."""
    return len(text) - len(text.lstrip(" \t")) + 1


def _range_rows(d: Diagnostic, count: int) -> list[Optional[int]]:
    """Line numbers to show (None marks an elision)."""
    first = max(d.line - CONTEXT, 1)
    last = min(max(d.end_line, d.line) + CONTEXT, count)
    rows: list[Optional[int]] = list(range(first, last + 1))
    if d.end_line - d.line + 1 > MAX_RANGE_LINES:
        keep_head = set(range(first, d.line + 3))
        keep_tail = set(range(d.end_line - 1, last + 1))
        rows = [n for n in rows if n in keep_head or n in keep_tail]
        cut = rows.index(d.end_line - 1)
        rows.insert(cut, None)
    return rows


def _snippet(
    writer: _Writer, d: Diagnostic, lines: list[str], palette: Palette, style: str
) -> None:
    last_line = max(d.end_line, d.line)
    if last_line > d.line and d.end_column <= _first_column(lines[last_line - 1]):
        last_line -= 1  # the range ends at the start of its last line: nothing to underline there
    writer.empty()
    for number in _range_rows(d, len(lines)):
        if number is None:
            writer.lines.append(writer.palette.paint("...", "bold", "blue"))
            continue
        text = lines[number - 1]
        writer.lines.append(writer.source(number, text))
        if not d.line <= number <= last_line:
            continue
        first = d.column if number == d.line else _first_column(text)
        last: Optional[int] = d.end_column if number == d.end_line else None
        start, length = _underline(text, first, last)
        carets = palette.paint("^" * length, "bold", style)
        label = ""
        if number == last_line:
            label = " " + palette.paint(d.name, "bold", style)
        writer.lines.append(f"{writer.gutter()} {' ' * start}{carets}{label}")
    writer.empty()


@dataclass
class _Diff:
    """The changed region of a fix: opcodes over a window of the old and new lines."""

    old: list[str]
    new: list[str]
    base: int  # 0-based index of the window's first line in both texts
    groups: list[list[tuple[str, int, int, int, int]]]

    def last_number(self) -> int:
        return max((self.base + j2 for group in self.groups for _, _, _, _, j2 in group), default=0)


def _fix_diff(source: str, edits: Sequence[Edit]) -> Optional[_Diff]:
    fixed = apply_edits(source, edits)
    if fixed is None or fixed == source:
        return None
    old = split_lines(source)
    new = split_lines(fixed)
    # Edits change only the lines they span: diff a window around them, not the whole file.
    base = max(min(e.line for e in edits) - 1 - DIFF_CONTEXT, 0)
    end = min(max(e.end_line for e in edits) + DIFF_CONTEXT, len(old))
    delta = len(new) - len(old)
    old_window = old[base:end]
    new_window = new[base : max(end + delta, base)]
    matcher = difflib.SequenceMatcher(None, old_window, new_window, autojunk=False)
    groups = list(matcher.get_grouped_opcodes(DIFF_CONTEXT))
    if not groups:
        return None
    return _Diff(old_window, new_window, base, groups)


def _write_diff(writer: _Writer, diff: _Diff) -> None:
    writer.empty()
    for position, group in enumerate(diff.groups):
        if position:
            writer.lines.append(writer.palette.paint("...", "bold", "blue"))
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                for offset in range(i2 - i1):
                    number = diff.base + j1 + offset + 1
                    writer.lines.append(writer.source(number, diff.new[j1 + offset]))
                continue
            if tag in ("replace", "delete"):
                for index in range(i1, i2):
                    writer.lines.append(writer.source("", diff.old[index], "-", "red"))
            if tag in ("replace", "insert"):
                for index in range(j1, j2):
                    number = diff.base + index + 1
                    writer.lines.append(writer.source(number, diff.new[index], "+", "green"))
    writer.empty()


def _fix_lines(
    d: Diagnostic, diff: Optional[_Diff], context: OutputContext, palette: Palette, width: int
) -> list[str]:
    fix = d.fix
    if fix is None:
        return []
    out = [f"{palette.paint('help', 'bold', 'cyan')}: {one_line(fix.message)}"]
    if diff is not None:
        writer = _Writer(palette, width)
        _write_diff(writer, diff)
        out += writer.lines
    if fix.applicability is Applicability.UNSAFE:
        out.append(
            f"{palette.paint('note', 'bold')}: This is an unsafe fix and may change runtime behavior"
            + ("" if context.unsafe_fixes else " (apply it with `--fix --unsafe-fixes`)")
        )
    elif fix.applicability is Applicability.DISPLAY or not fix.edits:
        out.append(
            f"{palette.paint('note', 'bold')}: This fix is shown for reference; it is never applied"
        )
    return out


def _diagnostic(
    d: Diagnostic, context: OutputContext, palette: Palette, cache: dict[str, list[str]]
) -> list[str]:
    style = "yellow" if d.severity is Severity.WARNING else "red"
    shown = file_and_cell(d.path, d.cell)
    source = context.sources.get(shown)
    lines: Optional[list[str]] = None
    if source is not None:
        if shown not in cache:
            cache[shown] = split_lines(source)
        lines = cache[shown]
    has_snippet = lines is not None and 1 <= d.line <= len(lines)
    diff = None
    if source is not None and d.fix is not None and d.fix.edits:
        diff = _fix_diff(source, d.fix.edits)
    biggest = d.line
    if lines is not None and has_snippet:
        biggest = min(max(d.end_line, d.line) + CONTEXT, len(lines))
    if diff is not None:
        biggest = max(biggest, diff.last_number())
    width = len(str(max(biggest, 1)))
    marker = palette.paint("[*]", "cyan") + " " if fix_applies(d.fix, context) else ""
    out = [
        f"{palette.paint(d.code, 'bold', style)} {marker}"
        f"{palette.paint(one_line(d.message), 'bold')}"
    ]
    arrow = palette.paint("-->", "bold", "blue")
    out.append(f"{' ' * width}{arrow} {one_line(shown)}:{d.line}:{d.column}")
    if lines is not None and has_snippet:
        writer = _Writer(palette, width)
        _snippet(writer, d, lines, palette, style)
        out += writer.lines
    else:
        out.append(f"{' ' * width} = {d.name}")
    out += _fix_lines(d, diff, context, palette, width)
    for related in d.related:
        out += _note(related, context, palette, cache)
    return out


def _note(
    related: Related, context: OutputContext, palette: Palette, cache: dict[str, list[str]]
) -> list[str]:
    """A related location: ``note:`` with its message, where it is, and its first line underlined."""
    lines: Optional[list[str]] = None
    shown = file_and_cell(related.path, related.cell)
    source = context.sources.get(shown)
    if source is not None:
        if shown not in cache:
            cache[shown] = split_lines(source)
        lines = cache[shown]
    width = len(str(max(related.line, 1)))
    out = [
        f"{palette.paint('note', 'bold')}: {one_line(related.message)}",
        f"{' ' * width}{palette.paint('-->', 'bold', 'blue')} "
        f"{one_line(shown)}:{related.line}:{related.column}",
    ]
    if lines is None or not 1 <= related.line <= len(lines):
        return out
    writer = _Writer(palette, width)
    text = lines[related.line - 1]
    last = related.end_column if related.end_line == related.line else None
    start, length = _underline(text, related.column, last)
    writer.empty()
    writer.lines.append(writer.source(related.line, text))
    writer.lines.append(
        f"{writer.gutter()} {' ' * start}{palette.paint('-' * length, 'bold', 'blue')}"
    )
    writer.empty()
    return out + writer.lines


def render(diagnostics: list[Diagnostic], context: OutputContext) -> str:
    palette = Palette(context.color)
    cache: dict[str, list[str]] = {}
    text = "".join("\n".join(_diagnostic(d, context, palette, cache)) + "\n\n" for d in diagnostics)
    if context.quiet:
        return text
    if context.show_fixes and context.applied:
        text += fixed_listing(context.applied) + "\n"
    return text + summary(diagnostics, context, palette)
