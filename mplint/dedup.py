"""One cause, one diagnostic: several rules that report the same node.

Some causes match more than one rule: a ``threading.Lock`` passed to a ``Process`` cannot be pickled
(MPL205), is a lock the processes do not share (MPL405) and is a threading primitive sent across
processes (MPL504). A rule declares the codes it describes more precisely in ``LintRule.SUPERSEDES``;
when it and a code it supersedes report the same node (the same range), only the superseding
diagnostic is shown, and the other becomes a related note on it (``Diagnostic.related``), so the formats
that show related locations still say it, and its message is not lost.

Only a diagnostic that is shown supersedes: when the superseding rule is not selected, is turned off
for the file (``per-file-ignores``) or is suppressed by ``# noqa`` on its line, the superseded
diagnostic is reported as before. The engine applies ``# noqa`` first and then this; a front door that
leaves ``# noqa`` to another tool (flake8) passes a predicate that says which diagnostics that tool will
show.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import Callable, Optional

from mplint.diagnostics import Diagnostic, Related

__all__ = ["merge_superseded", "superseded_note"]

_Span = tuple[str, int, int, int, int]


def merge_superseded(
    diagnostics: Sequence[Diagnostic],
    supersedes: Mapping[str, frozenset[str]],
    shown: Optional[Callable[[Diagnostic], bool]] = None,
) -> list[Diagnostic]:
    """``diagnostics`` without those a shown diagnostic of the same range supersedes; each one dropped
    is added to the related locations of the diagnostic that superseded it (or of the one that in
    turn superseded that). ``supersedes`` maps a code to the codes it supersedes; ``shown`` says
    whether a diagnostic will be shown (default: all are). The order is kept."""
    involved = {code for codes in supersedes.values() for code in codes}
    if not involved:
        return list(diagnostics)
    groups: dict[_Span, list[int]] = defaultdict(list)
    for index, diagnostic in enumerate(diagnostics):
        groups[_span(diagnostic)].append(index)
    superseder: dict[int, int] = {}  # dropped diagnostic -> the first shown one superseding it
    for members in groups.values():
        if len(members) < 2 or not any(diagnostics[i].code in involved for i in members):
            continue
        for index in members:
            code = diagnostics[index].code
            for other in members:
                winner = diagnostics[other]
                if (
                    other != index
                    and code in supersedes.get(winner.code, frozenset())
                    and (shown is None or shown(winner))
                ):
                    superseder[index] = other
                    break
    if not superseder:
        return list(diagnostics)
    notes: dict[int, list[Related]] = defaultdict(list)
    for index in sorted(superseder):
        host = superseder[index]
        seen = {index}
        while host in superseder and host not in seen:  # a chain: the note goes to the one shown
            seen.add(host)
            host = superseder[host]
        dropped = diagnostics[index]
        notes[host].append(superseded_note(dropped))
        notes[host].extend(dropped.related)
    out: list[Diagnostic] = []
    for index, diagnostic in enumerate(diagnostics):
        if index in superseder:
            continue
        extra = notes.get(index)
        out.append(
            dataclasses.replace(diagnostic, related=diagnostic.related + tuple(extra))
            if extra
            else diagnostic
        )
    return out


def superseded_note(diagnostic: Diagnostic) -> Related:
    """The related note a superseded diagnostic becomes: its place, code, name and message."""
    return Related(
        diagnostic.path,
        diagnostic.line,
        diagnostic.column,
        diagnostic.end_line,
        diagnostic.end_column,
        f"also {diagnostic.code} ({diagnostic.name}): {diagnostic.message}",
        diagnostic.code,
    )


def _span(diagnostic: Diagnostic) -> _Span:
    return (
        diagnostic.path,
        diagnostic.line,
        diagnostic.column,
        diagnostic.end_line,
        diagnostic.end_column,
    )
