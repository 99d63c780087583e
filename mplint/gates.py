"""Rule-level gates: what a file must contain for a rule to be able to report in it.

Each rule declares a :class:`Gate` (its ``GATE`` class attribute): one or more :class:`Needs`, each a
family of modules the file must import and words it must mention. The engine reads the facts of a file
once (:func:`file_facts`, on the CPython tree the syntax check builds anyway), keeps the enabled rules
whose gate passes, and lets libcst parse the file only when one is left.

A gate must be conservative: it may let through a file where the rule finds nothing, never turn away one
where it would report. The model knows an object of the libraries only through an absolute import of
them (a relative import resolves to nothing), so the modules a rule's kinds come from are a sound
condition; and every such object is created by a call or class spelled with one of the library's names,
so a rule may also ask for the words its reports cannot do without. Words are looked up in the whole text
(comments and strings too): a superset of the file's identifiers, which only lets more through. The
rules that also judge threads ask a file that imports only ``threading`` for the shape of code they
report (``mplint.gate_shapes``), read in one walk of the tree when a rule first asks.
``tests/test_corpus.py`` checks on every corpus that a file a gate turns away has no finding of its rule.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Optional

from mplint.gate_shapes import SHAPES, shapes_of

__all__ = [
    "FUTURES",
    "MODELLED",
    "PROCESSES",
    "THREADS",
    "FileFacts",
    "Gate",
    "Needs",
    "file_facts",
    "imported_modules",
    "needs",
]

#: The libraries of processes: ``multiprocessing`` and those that mirror it (``torch.multiprocessing``
#: is imported as ``torch``), as the top-level names of their imports.
PROCESSES = frozenset({"multiprocessing", "multiprocess", "billiard", "torch"})
#: ``concurrent.futures`` (executors of processes and threads, futures).
FUTURES = frozenset({"concurrent"})
#: ``threading`` (the thread-only kinds; ``queue`` objects are modelled only next to it).
THREADS = frozenset({"threading"})
#: Every modelled library: the import gate, and the gate of a rule that declares none.
MODELLED = PROCESSES | FUTURES | THREADS


@dataclass(frozen=True)
class Needs:
    """One way a file can hold a rule's finding: it imports one of ``modules`` (top-level names of
    absolute imports) and, for each entry of ``words``, mentions at least one of its alternatives."""

    modules: frozenset[str]
    words: tuple[tuple[str, ...], ...] = ()
    #: when not empty: the file holds one of these shapes of code (``mplint.gate_shapes``)
    shapes: frozenset[str] = frozenset()

    def met_by(self, facts: FileFacts) -> bool:
        if self.modules.isdisjoint(facts.modules):
            return False
        if not all(any(facts.mentions(word) for word in either) for either in self.words):
            return False
        return not self.shapes or not self.shapes.isdisjoint(facts.shapes())


def needs(modules: frozenset[str], *words: str, shapes: Iterable[str] = ()) -> Needs:
    """``needs(PROCESSES, "start", "join|terminate")``: a file importing a library of processes that
    mentions ``start``, and ``join`` or ``terminate``; ``shapes=`` adds shapes of code, one of which
    the file must hold (read from its tree only when the modules and words are there)."""
    unknown = set(shapes) - SHAPES
    if unknown:
        raise ValueError(f"unknown shapes: {sorted(unknown)}")
    return Needs(modules, tuple(tuple(either.split("|")) for either in words), frozenset(shapes))


@dataclass(frozen=True)
class Gate:
    """A rule can report in a file only if one of its :class:`Needs` is met."""

    ways: tuple[Needs, ...]

    def passes(self, facts: FileFacts) -> bool:
        return any(way.met_by(facts) for way in self.ways)

    @classmethod
    def of(cls, *ways: Needs) -> Gate:
        return cls(ways)


#: The gate of a rule that declares none: the import gate (any modelled library).
DEFAULT = Gate.of(needs(MODELLED))


@dataclass
class FileFacts:
    """What the gates ask of one file: the modules it imports, and whether it mentions a word (each
    word is looked up at most once, the tree walked at most once)."""

    modules: frozenset[str]
    text: str
    tree: ast.Module
    _words: dict[str, bool] = field(default_factory=dict)
    _shapes: Optional[frozenset[str]] = None

    def including(self, modules: Iterable[str], words: Iterable[str]) -> FileFacts:
        """These facts, with ``modules`` imported and ``words`` mentioned besides (what objects
        imported from other modules of the project bring)."""
        facts = FileFacts(self.modules | frozenset(modules), self.text, self.tree)
        facts._words.update(self._words)
        facts._words.update(dict.fromkeys(words, True))
        return facts

    def shapes(self) -> frozenset[str]:
        """The shapes of code the file holds (one walk of its tree, the first time it is asked)."""
        if self._shapes is None:
            self._shapes = shapes_of(self.tree)
        return self._shapes

    def mentions(self, word: str) -> bool:
        known = self._words.get(word)
        if known is None:
            known = word in self.text and _word_pattern(word).search(self.text) is not None
            self._words[word] = known
        return known


_PATTERNS: dict[str, re.Pattern[str]] = {}


def _word_pattern(word: str) -> re.Pattern[str]:
    pattern = _PATTERNS.get(word)
    if pattern is None:
        pattern = _PATTERNS[word] = re.compile(rf"(?<!\w){re.escape(word)}(?!\w)")
    return pattern


def file_facts(text: str, tree: ast.Module) -> FileFacts:
    return FileFacts(imported_modules(tree), text, tree)


#: Statement fields that hold statements (``handlers`` and ``cases`` hold nodes with a ``body``).
_BLOCKS = ("body", "orelse", "finalbody", "handlers", "cases")


def imported_modules(tree: ast.Module) -> frozenset[str]:
    """The top-level names of the modules a file imports absolutely, anywhere (in functions, classes,
    ``try`` and ``if`` blocks too). Imports are statements, so only statements are visited, not the
    expressions that make up most of a tree."""
    found: set[str] = set()
    stack: list[ast.AST] = list(tree.body)
    while stack:
        node = stack.pop()
        if isinstance(node, ast.Import):
            found.update(alias.name.partition(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level == 0 and node.module:
                found.add(node.module.partition(".")[0])
        elif not isinstance(node, ast.expr):
            for name in _BLOCKS:
                block = getattr(node, name, None)
                if block:
                    stack.extend(block)
    return frozenset(found)
