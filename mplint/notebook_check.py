"""A notebook's diagnostics by cell: positions in the joined module turned into rows of a cell.

``mplint.runner.check_notebook`` lints the joined module and maps what it finds here: diagnostics leave
with ``cell`` set and their rows, ends, noqa rows and fix edits counted within that cell.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Optional

from mplint.diagnostics import IO_ERROR, Diagnostic, Edit, Fix, Related, Severity
from mplint.notebook import MAGIC_MARK, Notebook, NotebookError

__all__ = ["alters_ipython", "cell_sources", "notebook_error", "to_cells"]


def alters_ipython(notebook: Notebook, fix: Optional[Fix]) -> bool:
    """The fix would write over a line of IPython syntax (or write a placeholder): it is not offered."""
    if fix is None:
        return False
    for edit in fix.edits:
        if MAGIC_MARK in edit.content:
            return True
        last = (
            edit.end_line
            if edit.end_column > 1 or edit.end_line == edit.line
            else edit.end_line - 1
        )
        if any(edit.line <= line <= last for line in notebook.masked_lines):
            return True
    return False


def to_cells(notebook: Notebook, d: Diagnostic) -> Diagnostic:
    """``d`` (positions in the joined module) with its cell and rows within the cell; a fix that
    would alter IPython syntax is dropped."""
    cell, row = notebook.cell_row(d.line)
    end_cell, end_row = notebook.cell_row(max(d.end_line, d.line))
    end_column = d.end_column
    if end_cell != cell:  # a range never spans cells; keep it inside the start's cell
        end_row, end_column = row, d.column
    noqa = notebook.cell_row(d.noqa_line)[1] if d.noqa_line is not None else None
    fix = None if alters_ipython(notebook, d.fix) else d.fix
    if fix is not None:
        fix = Fix(
            fix.applicability, fix.message, tuple(_edit_to_cell(notebook, e) for e in fix.edits)
        )
    related = tuple(_related_to_cell(notebook, r) for r in d.related)
    return replace(
        d,
        cell=cell,
        line=row,
        end_line=end_row,
        end_column=end_column,
        noqa_line=noqa,
        fix=fix,
        related=related,
    )


def _related_to_cell(notebook: Notebook, related: Related) -> Related:
    cell, row = notebook.cell_row(related.line)
    end_cell, end_row = notebook.cell_row(max(related.end_line, related.line))
    end_column = related.end_column
    if end_cell != cell:
        end_row, end_column = row, related.column
    return replace(related, cell=cell, line=row, end_line=end_row, end_column=end_column)


def _edit_to_cell(notebook: Notebook, edit: Edit) -> Edit:
    cell, row = notebook.cell_row(edit.line)
    end_cell, end_row = notebook.cell_row(edit.end_line)
    if end_cell != cell:
        end_row = row
    return replace(edit, line=row, end_line=end_row)


def cell_sources(display: str, notebook: Notebook) -> dict[str, str]:
    """The code the full format shows: each code cell's source, keyed ``path:cell N``."""
    return {f"{display}:cell {cell.number}": cell.source for cell in notebook.cells}


def notebook_error(display: str, error: NotebookError) -> Diagnostic:
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
