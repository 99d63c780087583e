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
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Optional, Union

import libcst as cst

from mplint.diagnostics import INTERNAL_ERROR, Diagnostic
from mplint.lru import BoundedCache
from mplint.model.syntax import child_nodes
from mplint.model.walk import TRIVIA

__all__ = ["Reduction", "Relevance", "statement_facts", "unrelated"]

_BUILTINS = frozenset(dir(builtins))
_CONSTANTS = frozenset({"None", "True", "False"})  # spelled as names in libcst, bound by nothing
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_DEFINITIONS = (cst.FunctionDef, cst.ClassDef)
#: The nodes that bind names (or declare them global) other than functions, which ``collect`` reads.
_BINDERS: frozenset[type[cst.CSTNode]] = frozenset(
    {
        cst.ClassDef,
        cst.Assign,
        cst.AugAssign,
        cst.AnnAssign,
        cst.NamedExpr,
        cst.For,
        cst.CompFor,
        cst.WithItem,
        cst.ExceptHandler,
        cst.Import,
        cst.ImportFrom,
        cst.Global,
    }
)


@dataclass(frozen=True)
class Facts:
    """What the relevance of one top-level statement is decided from."""

    names: frozenset[str]  # the names it may share with the rest of the module
    always: bool  # it counts whatever the rest of the module holds
    spelled: frozenset[str] = frozenset()  # every name it spells, its functions' own included


@dataclass(frozen=True)
class Reduction:
    """The top-level statements the model may leave out (``opaque``) and every name they spell."""

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
    """The names ``statement`` may share with the rest of the module, and whether it always counts: it
    is not a definition, or it imports something, or it defines a builtin's name.

    A name shared is any attribute or keyword name, any name used at module level or in a class body,
    and any name a function uses without binding it itself or in a function around it (Python's rule:
    a name bound anywhere in a function is that function's own, unless it is declared ``global``). The
    names a function binds for itself (parameters, local variables) are its own: two functions that
    both call their parameter ``self`` share nothing through it."""
    always = not isinstance(statement, _DEFINITIONS) or statement.name.value in _BUILTINS
    scopes = _Bindings()
    shared, spelled = scopes.read(statement)
    return Facts(frozenset(shared), always or scopes.imports, frozenset(spelled))


#: The innermost function (def or lambda) whose own scope a node is in; None at module level and in a
#: class body.
_Context = Optional[cst.CSTNode]
#: A node to read, the functions around it (innermost last), and whether it is directly in a class body.
_Place = tuple[cst.CSTNode, tuple[cst.CSTNode, ...], bool]


class _Bindings:
    """For each function in a statement, the names it binds and those it declares global, and the names
    of the statement that are not a function's own."""

    def __init__(self) -> None:
        self.bound: dict[cst.CSTNode, set[str]] = {}
        self.declared_global: dict[cst.CSTNode, set[str]] = {}
        self.imports = False

    def _bind(self, context: _Context, target: Optional[cst.CSTNode]) -> None:
        if context is None or target is None:
            return
        if isinstance(target, cst.Name):
            self.bound.setdefault(context, set()).add(target.value)
        elif isinstance(target, (cst.Tuple, cst.List)):
            for element in target.elements:
                self._bind(context, element.value)
        elif isinstance(target, cst.StarredElement):
            self._bind(context, target.value)

    def _binds(self, node: cst.CSTNode, context: _Context) -> None:
        """What a statement or clause of ``_BINDERS`` binds in ``context``, or declares global."""
        if isinstance(node, cst.ClassDef):
            self._bind(context, node.name)
        elif isinstance(node, cst.Assign):
            for target in node.targets:
                self._bind(context, target.target)
        elif isinstance(node, (cst.AugAssign, cst.AnnAssign, cst.NamedExpr, cst.For, cst.CompFor)):
            self._bind(context, node.target)
        elif isinstance(node, cst.WithItem):
            if node.asname is not None:
                self._bind(context, node.asname.name)
        elif isinstance(node, cst.ExceptHandler):
            if node.name is not None:
                self._bind(context, node.name.name)
        elif isinstance(node, (cst.Import, cst.ImportFrom)):
            self.imports = True
        elif isinstance(node, cst.Global) and context is not None:
            globals_ = self.declared_global.setdefault(context, set())
            globals_.update(item.name.value for item in node.names)

    def _own(self, name: str, chain: tuple[cst.CSTNode, ...]) -> bool:
        for function in reversed(chain):
            if name in self.declared_global.get(function, ()):
                return False
            if name in self.bound.get(function, ()):
                return True
        return False

    def read(self, statement: cst.CSTNode) -> tuple[set[str], set[str]]:
        """One walk: the bindings and ``global`` declarations of every function, and each name with
        where it is; then the names that are not a function's own, and every name."""
        shared: set[str] = set()
        spelled: set[str] = set()
        uses: list[tuple[str, tuple[cst.CSTNode, ...], bool]] = []
        stack: list[_Place] = [(statement, (), False)]
        while stack:
            node, chain, in_class = stack.pop()
            kind = type(node)
            if kind is cst.Name:
                uses.append((node.value, chain, in_class))  # type: ignore[attr-defined]
                continue
            if kind is cst.Attribute:
                shared.add(node.attr.value)  # type: ignore[attr-defined]
                spelled.add(node.attr.value)  # type: ignore[attr-defined]
                stack.append((node.value, chain, in_class))  # type: ignore[attr-defined]
                continue
            if kind is cst.Arg and node.keyword is not None:  # type: ignore[attr-defined]
                shared.add(node.keyword.value)  # type: ignore[attr-defined]
            context = chain[-1] if chain and not in_class else None
            if kind is cst.FunctionDef or kind is cst.Lambda:
                assert isinstance(node, (cst.FunctionDef, cst.Lambda))
                if isinstance(node, cst.FunctionDef):
                    self._bind(context, node.name)
                self.bound.setdefault(node, set())
                inner = (*chain, node)
                for part, inside in _function_parts(node):
                    if inside and type(part) is cst.Name:
                        self._bind(node, part)  # a parameter
                    stack.append((part, inner, False) if inside else (part, chain, in_class))
                continue
            if kind in _BINDERS:
                self._binds(node, context)
                if kind is cst.ClassDef:
                    assert isinstance(node, cst.ClassDef)
                    stack.extend(
                        (child, chain, in_class)
                        for child in _children(node)
                        if child is not node.body
                    )
                    stack.append((node.body, chain, True))  # it binds class attributes: shared
                    continue
            stack.extend((child, chain, in_class) for child in _children(node))
        for name, chain, in_class in uses:
            if name not in _CONSTANTS:
                spelled.add(name)
                if in_class or not self._own(name, chain):
                    shared.add(name)
        return shared, spelled


def _function_parts(
    node: Union[cst.FunctionDef, cst.Lambda],
) -> list[tuple[cst.CSTNode, bool]]:
    """A function's parts, each with whether it is inside the function: its parameters' names and its
    body are; its name, decorators, defaults, annotations (and whatever else it holds) are evaluated
    around it."""
    parts: list[tuple[cst.CSTNode, bool]] = []
    for child in _children(node):
        if child is node.body:
            parts.append((child, True))
        elif child is node.params:
            for param in _children(child):
                if isinstance(param, cst.Param):
                    parts.append((param.name, True))
                    parts.extend(
                        (part, False) for part in _children(param) if part is not param.name
                    )
                else:
                    parts.append((param, False))
        else:
            parts.append((child, False))
    return parts


def _children(node: cst.CSTNode) -> list[cst.CSTNode]:
    """The node's children, without whitespace, comments and punctuation (``TRIVIA``: no names there)."""
    return [child for child in child_nodes(node) if type(child) not in TRIVIA]


class Relevance:
    """The facts of top-level statements by node (least recently used first out), and the reduction of a
    module built from them."""

    def __init__(self, max_entries: int = 20_000) -> None:
        self.max_entries = max_entries
        self._facts: BoundedCache[cst.CSTNode, Facts] = BoundedCache(max_entries)

    def facts(self, statement: cst.CSTNode) -> Facts:
        return self._facts.get(statement, statement_facts)

    def reduce(self, module: cst.Module) -> Reduction:
        """The definitions of ``module`` no chain of shared names links to its module-level code."""
        return unrelated(module.body, [self.facts(statement) for statement in module.body])


def unrelated(
    body: Sequence[Union[cst.SimpleStatementLine, cst.BaseCompoundStatement]],
    facts: Sequence[Facts],
) -> Reduction:
    """The statements of ``body`` (with their ``facts``) that neither always count nor share a name,
    directly or through other statements, with one that does."""
    pending = [index for index, fact in enumerate(facts) if not fact.always]
    if not pending:
        return NOTHING
    reached: set[str] = set().union(*(fact.names for fact in facts if fact.always))
    # Pass after pass, the statements that share a name with what counts join it; a long chain of
    # statements each linked to the next only by the one after it is finished name by name.
    for _ in range(16):
        joined = {index for index in pending if not facts[index].names.isdisjoint(reached)}
        if not joined:
            break
        for index in joined:
            reached.update(facts[index].names)
        pending = [index for index in pending if index not in joined]
    else:
        pending = _linked_name_by_name(pending, facts, reached)
    if not pending:
        return NOTHING
    candidates = set(pending)
    spelled: set[str] = set()
    for index in candidates:
        spelled.update(facts[index].spelled)
    return Reduction(frozenset(body[index] for index in candidates), frozenset(spelled))


def _linked_name_by_name(
    pending: list[int], facts: Sequence[Facts], reached: set[str]
) -> list[int]:
    """The statements of ``pending`` that no chain of shared names links to ``reached`` (which grows)."""
    candidates = set(pending)
    by_name: dict[str, list[int]] = {}
    for index in pending:
        for name in facts[index].names:
            by_name.setdefault(name, []).append(index)
    queue = [name for name in by_name if name in reached]
    while queue and candidates:
        for index in by_name.pop(queue.pop(), ()):
            if index in candidates:
                candidates.discard(index)
                for name in facts[index].names:
                    if name not in reached:
                        reached.add(name)
                        if name in by_name:
                            queue.append(name)
    return [index for index in pending if index in candidates]
