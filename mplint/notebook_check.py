"""Checking and fixing one notebook: lint the joined module, report by cell, write fixes back to cells.

The runner (files on disk) and the CLI (standard input with ``--stdin-filename x.ipynb``) both come here
through :func:`mplint.runner.check_text`. Diagnostics leave with ``cell`` set and their rows, ends, noqa
rows and fix edits counted within that cell.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Optional

from mplint.diagnostics import IO_ERROR, Applicability, Diagnostic, Edit, Fix, Severity
from mplint.notebook import Notebook, NotebookError, read_notebook
from mplint.settings import Config

if TYPE_CHECKING:
    from mplint.runner import FileResult, Options

__all__ = ["cell_sources", "check_notebook", "to_cells"]


def to_cells(notebook: Notebook, d: Diagnostic) -> Diagnostic:
    """``d`` (positions in the joined module) with its cell and rows within the cell."""
    cell, row = notebook.cell_row(d.line)
    end_cell, end_row = notebook.cell_row(max(d.end_line, d.line))
    end_column = d.end_column
    if end_cell != cell:  # a range never spans cells; keep it inside the start's cell
        end_row, end_column = row, d.column
    noqa = notebook.cell_row(d.noqa_line)[1] if d.noqa_line is not None else None
    fix = d.fix
    if fix is not None:
        fix = Fix(
            fix.applicability, fix.message, tuple(_edit_to_cell(notebook, e) for e in fix.edits)
        )
    return replace(
        d, cell=cell, line=row, end_line=end_row, end_column=end_column, noqa_line=noqa, fix=fix
    )


def _edit_to_cell(notebook: Notebook, edit: Edit) -> Edit:
    cell, row = notebook.cell_row(edit.line)
    end_cell, end_row = notebook.cell_row(edit.end_line)
    if end_cell != cell:
        end_row = row
    return replace(edit, line=row, end_line=end_row)


def cell_sources(display: str, notebook: Notebook) -> dict[str, str]:
    """The code the full format shows: each code cell's source, keyed ``path:cell N``."""
    return {f"{display}:cell {cell.number}": cell.source for cell in notebook.cells}


def _meta(display: str, error: NotebookError) -> Diagnostic:
    from mplint.engine import META_URL

    return Diagnostic(
        path=display,
        code=IO_ERROR,
        name="io-error",
        message=str(error),
        severity=Severity.ERROR,
        line=error.line,
        column=error.column,
        end_line=error.line,
        end_column=error.column,
        url=META_URL,
    )


def _applies(fix: Optional[Fix], unsafe: bool) -> bool:
    if fix is None or not fix.edits:
        return False
    return fix.applicability is Applicability.SAFE or (
        unsafe and fix.applicability is Applicability.UNSAFE
    )


def check_notebook(
    display: str, text: str, config: Config, options: Options, *, explicit: bool = True
) -> FileResult:
    """Lint (and with fix options, fix) one notebook's JSON text; nothing is written here.

    A file that is not a checkable notebook gets one diagnostic saying why; a notebook of another
    language found by a directory walk is skipped silently (it is not Python), named explicitly it is
    reported."""
    from mplint.engine import lint_source
    from mplint.fixes import fix_source
    from mplint.runner import FileResult, io_diagnostic, unified_diff

    try:
        notebook = read_notebook(text)
    except NotebookError as error:
        if not explicit and error.foreign:
            return FileResult(display, [])
        return FileResult(display, [_meta(display, error)])
    found = lint_source(display, notebook.python, config)
    diagnostics = [to_cells(notebook, d) for d in found]
    sources = cell_sources(display, notebook)
    if not options.fixing or not any(_applies(d.fix, options.unsafe_fixes) for d in found):
        return FileResult(display, diagnostics, found=len(found), cell_sources=sources)
    result = fix_source(display, notebook.python, config, unsafe=options.unsafe_fixes)
    if not result.changed:
        remaining = [to_cells(notebook, d) for d in result.remaining]
        if result.error is not None:
            remaining.append(io_diagnostic(display, f"fix not applied: {result.error}"))
        return FileResult(display, remaining, found=len(found), cell_sources=sources)
    try:
        fixed_text, _ = notebook.rewrite(result.text)
        fixed = read_notebook(fixed_text)
    except NotebookError as error:
        refused = io_diagnostic(display, f"fix not applied: {error}")
        return FileResult(display, [*diagnostics, refused], found=len(found), cell_sources=sources)
    # the positions of what is left, in the notebook as written (cells, not the joined module)
    remaining = [to_cells(fixed, d) for d in lint_source(display, fixed.python, config)]
    out = FileResult(
        display, remaining, found=len(found), cell_sources=cell_sources(display, fixed)
    )
    out.fixed = len(result.applied)
    out.applied = [to_cells(notebook, d) for d in result.applied]
    out.fixed_text = fixed_text
    if options.diff:
        out.diff = notebook.cell_diff(display, fixed_text) or unified_diff(
            display, text, fixed_text
        )
    return out
