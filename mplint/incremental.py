"""What an edit needs the model to see again: the top-level definitions no finding can depend on are left
out of the model, and the facts this is decided from are kept per top-level statement from one lint to the
next.

A process that lints the same, slightly edited, text again and again (the language server's workers)
parses it piece by piece (``mplint.chunks``), so a top-level statement that was not edited is the same
node object in the next lint's tree. For each such statement this keeps the names it spells (every
``Name`` in it: variables, parameters, attributes, keywords, imported names) and whether it must always
be seen; an edit computes them only for the statements it changed.

A top-level ``def`` or ``class`` is *unrelated* to the rest of the module when no chain of shared names
links it to the module-level code: the statements that are not definitions (imports, assignments,
``if __name__ == "__main__"`` blocks, calls) always count, and so does every definition that shares a
name with something that counts. Findings come from the modelled libraries, which a definition can only
reach through a name: imported at module level (a name the module-level code spells), imported inside
the definition (such a definition always counts), or handed over by a caller, whose name it then shares.
So an unrelated definition holds no finding, and nothing the model derives for the other statements
goes through it: the model's pass records it as a node of the module (its parent and place, so that
positions, ``module.body`` and ordering stay what they are) without entering it (``build_model``'s
``opaque``). On a module where most of the code has nothing to do with multiprocessing, an edit then
costs the model and the rules only the part that does.

Two checks keep this exact where a rule asks about a name the rest of the module does not spell:

- a definition whose own name is a builtin's (``def list(...)``) always counts (rules look up
  ``list`` or ``zip`` to know whether the builtin is meant);
- a result whose fix inserts a name an unrelated definition spells (a fresh name a rule picked, such as
  ``started_1``, which it would have picked differently had it seen that definition), or that holds an
  internal error, is thrown away, and the module is linted again with nothing left out.

``tests/test_incremental.py`` compares the results with those of a fresh run on every fixture, golden
input, example and witness module and on random edits of generated modules.
"""

from __future__ import annotations

import builtins
import re
import threading
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Union

import libcst as cst

from mplint.diagnostics import INTERNAL_ERROR, Diagnostic
from mplint.model.syntax import child_fields

__all__ = ["Reduction", "Relevance", "statement_facts", "unrelated"]

_BUILTINS = frozenset(dir(builtins))
_CONSTANTS = frozenset({"None", "True", "False"})  # spelled as names in libcst, bound by nothing
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_DEFINITIONS = (cst.FunctionDef, cst.ClassDef)


@dataclass(frozen=True)
class Facts:
    """What the relevance of one top-level statement is decided from."""

    names: frozenset[str]  # every name the statement spells
    always: bool  # it counts whatever the rest of the module holds


@dataclass(frozen=True)
class Reduction:
    """The top-level statements the model may leave out (``opaque``) and the names they spell."""

    opaque: frozenset[cst.CSTNode]
    names: frozenset[str]

    def agrees(self, diagnostics: Iterable[Diagnostic]) -> bool:
        """The diagnostics found without the left-out statements are those a full model gives: no
        internal error, and no fix inserting a name the left-out statements spell."""
        for diagnostic in diagnostics:
            if diagnostic.code == INTERNAL_ERROR:
                return False
            if diagnostic.fix is not None:
                for edit in diagnostic.fix.edits:
                    if not self.names.isdisjoint(_IDENTIFIER.findall(edit.content)):
                        return False
        return True


NOTHING = Reduction(frozenset(), frozenset())


def statement_facts(statement: cst.CSTNode) -> Facts:
    """The names ``statement`` spells, and whether it always counts: it is not a definition, or it
    imports something, or it defines a builtin's name."""
    names: set[str] = set()
    always = not isinstance(statement, _DEFINITIONS) or statement.name.value in _BUILTINS
    stack: list[cst.CSTNode] = [statement]
    while stack:
        node = stack.pop()
        kind = type(node)
        if kind is cst.Name:
            if node.value not in _CONSTANTS:  # type: ignore[attr-defined]
                names.add(node.value)  # type: ignore[attr-defined]
            continue
        if kind is cst.Import or kind is cst.ImportFrom:
            always = True
        for field in child_fields(node):
            value = getattr(node, field)
            if value is None or value is cst.MaybeSentinel.DEFAULT:
                continue
            if type(value) is tuple or type(value) is list:
                stack.extend(value)
            elif isinstance(value, cst.CSTNode):
                stack.append(value)
    return Facts(frozenset(names), always)


class Relevance:
    """The facts of top-level statements by node (least recently used first out), and the reduction of a
    module built from them."""

    def __init__(self, max_entries: int = 20_000) -> None:
        self.max_entries = max_entries
        self._facts: OrderedDict[cst.CSTNode, Facts] = OrderedDict()
        self._lock = threading.Lock()

    def facts(self, statement: cst.CSTNode) -> Facts:
        with self._lock:
            found = self._facts.get(statement)
            if found is not None:
                self._facts.move_to_end(statement)
                return found
        found = statement_facts(statement)
        with self._lock:
            self._facts[statement] = found
            while len(self._facts) > self.max_entries:
                self._facts.popitem(last=False)
        return found

    def reduce(self, module: cst.Module) -> Reduction:
        """The definitions of ``module`` no chain of shared names links to its module-level code."""
        return unrelated(module.body, [self.facts(statement) for statement in module.body])


def unrelated(
    body: Sequence[Union[cst.SimpleStatementLine, cst.BaseCompoundStatement]],
    facts: Sequence[Facts],
) -> Reduction:
    """The statements of ``body`` (with their ``facts``) that neither always count nor share a name,
    directly or through other statements, with one that does."""
    candidates = {index for index, fact in enumerate(facts) if not fact.always}
    if not candidates:
        return NOTHING
    by_name: dict[str, list[int]] = {}
    for index in candidates:
        for name in facts[index].names:
            by_name.setdefault(name, []).append(index)
    pending: list[str] = []
    for fact in facts:
        if fact.always:
            pending.extend(fact.names)
    reached: set[str] = set()
    while pending and candidates:
        name = pending.pop()
        if name in reached:
            continue
        reached.add(name)
        for index in by_name.pop(name, ()):
            if index in candidates:
                candidates.discard(index)
                pending.extend(facts[index].names)
    if not candidates:
        return NOTHING
    names: set[str] = set()
    for index in candidates:
        names.update(facts[index].names)
    return Reduction(frozenset(body[index] for index in candidates), frozenset(names))
