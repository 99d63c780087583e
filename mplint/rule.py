"""The base class of every rule, and the intents a rule's fix is written in.

A rule is one module and one class holding its identity, message, documentation, inline cases and visitor
methods. Rules run together in one batched traversal; they ask the semantic model (``self.model``) what
expressions are and never resolve names themselves.

Fixes are written as intents on nodes (replace this node, insert a statement before that one …); the engine
turns them into text edits with exact positions only for files that have diagnostics.
"""

from __future__ import annotations

import functools
import inspect
import re
from collections.abc import Hashable, Mapping
from dataclasses import dataclass, field
from typing import Any, Callable, ClassVar, Optional

import libcst as cst
from libcst._batched_visitor import BatchableCSTVisitor

from mplint.diagnostics import Applicability, Related, Severity
from mplint.edits import (
    FixSpec,
    InsertAfter,
    InsertBefore,
    NodeEdit,
    RemoveStatement,
    Replace,
    ReplaceLines,
)
from mplint.gates import DEFAULT, Gate
from mplint.model import TRIVIA, Model
from mplint.project.summary import Span
from mplint.settings import Config

__all__ = [
    "FixSpec",
    "InsertAfter",
    "InsertBefore",
    "Invalid",
    "LintRule",
    "NodeEdit",
    "RemoveStatement",
    "Replace",
    "ReplaceLines",
    "Report",
    "RuleContext",
    "Valid",
]

# Attributes libcst's matcher decorators set on the functions they wrap (libcst/matchers/_decorators.py).
_MATCHER_MARKS = (
    "_call_if_inside_matcher",
    "_call_if_not_inside_matcher",
    "_visit_matcher",
    "_leave_matcher",
)
CODE_RE = re.compile(r"^MPL[1-9][0-9]{2}$")
NAME_RE = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")


@dataclass(frozen=True)
class Report:
    code: str
    node: cst.CSTNode
    message: str
    fix: Optional[FixSpec]
    #: Other places of the same cause: (node, what it is), shown as related locations.
    related: tuple[tuple[cst.CSTNode, str], ...] = ()
    #: Places of the cause in other files of the project, already resolved.
    elsewhere: tuple[Related, ...] = ()


@dataclass(frozen=True)
class Valid:
    """Code the rule must stay silent on.

    Code that starts with a line break is a triple-quoted block written at the rule's indentation: the
    first line break is dropped and the rest dedented (``textwrap.dedent``: the common leading whitespace
    goes, and lines of only whitespace, such as the one before the closing quotes, become empty). Other
    code is kept as it is.
    """

    code: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "code", Valid.block(self.code))

    @staticmethod
    def block(code: str) -> str:
        """``code`` as a case holds it: a block starting with a line break dedented, else unchanged."""
        if not code.startswith("\n"):
            return code
        import textwrap

        return textwrap.dedent(code[1:])


@dataclass(frozen=True)
class Invalid:
    """Code the rule must report (at least once); ``fixed`` is the code after its fixes, if any.

    ``code`` and ``fixed`` may be triple-quoted blocks, as in :class:`Valid`.
    """

    code: str
    fixed: Optional[str] = None
    unsafe: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "code", Valid.block(self.code))
        if self.fixed is not None:
            object.__setattr__(self, "fixed", Valid.block(self.fixed))


@dataclass
class RuleContext:
    path: str
    model: Model
    config: Config
    reports: list[Report] = field(default_factory=list)


def _visitor_names(cls: type) -> tuple[str, ...]:
    """The ``visit_*``/``leave_*`` functions of ``cls`` and its bases, sorted, without the no-op stub
    libcst's visitor base classes define for every node type (what ``inspect.getmembers`` would list,
    read from the classes' own namespaces instead of looking up every attribute of the class)."""
    names = {
        name
        for klass in cls.__mro__
        for name in vars(klass)
        if name.startswith(("visit_", "leave_"))
    }
    found = []
    for name in names:
        member = getattr(cls, name, None)
        if inspect.isfunction(member) and not getattr(member, "_is_no_op", False):
            found.append(name)
    return tuple(sorted(found))


class LintRule(BatchableCSTVisitor):
    """Base class: subclasses set the class attributes and write ``check()`` and/or ``visit_*``/``leave_*``
    methods.

    ``check()`` is the whole-module hook: most rules ask the model's indexes (``model.calls``,
    ``model.method_calls[name]``, ``model.submissions()`` …) once, after the traversal. ``visit_X`` and
    ``leave_X`` run on each node of type ``X`` during the one batched traversal, for the few rules that
    look at nodes one by one. A rule may define both: ``check()`` runs once, after every visitor method,
    ``leave_Module`` included (a rule that overrides ``leave_Module`` need not call ``super()`` for its
    ``check()`` to run). A rule that defines neither reports nothing. After a visitor method raises, the
    rule is switched off and its ``check()`` does not run.
    """

    CODE: ClassVar[str]
    NAME: ClassVar[str]
    MESSAGE: ClassVar[str]
    FIX_TITLE: ClassVar[Optional[str]] = None
    SEVERITY: ClassVar[Severity] = Severity.ERROR
    PREVIEW: ClassVar[bool] = False
    #: What the fix is: "safe", "unsafe", "safe/unsafe" (depends on the case) or None (no fix).
    FIX: ClassVar[Optional[str]] = None
    #: The rule reports only in notebooks: its cases and fixtures are checked as notebook code.
    NOTEBOOK: ClassVar[bool] = False
    VALID: ClassVar[list[Valid]] = []
    INVALID: ClassVar[list[Invalid]] = []
    #: Codes this rule supersedes: when it and one of them report the same node (the same range), only
    #: this rule's diagnostic is shown, the other as a related note on it (``mplint.dedup``). A code
    #: only supersedes what it describes more precisely; the relation is transitive and acyclic.
    SUPERSEDES: ClassVar[frozenset[str]] = frozenset()
    #: What a file must import and mention for the rule to report in it (``mplint.gates``); the
    #: default lets through every file that imports a modelled library.
    GATE: ClassVar[Gate] = DEFAULT
    #: The rule can report in a file that imports no library of processes, through a function of
    #: another module of the project that starts processes (the engine lets such a file through).
    PROJECT_GATE: ClassVar[bool] = False

    _visitor_names: ClassVar[tuple[str, ...]] = ()
    #: True when the class (or a base below LintRule) overrides ``check()``.
    _checks: ClassVar[bool] = False

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        for name, member in vars(cls).items():
            # libcst's matcher decorators (@m.visit, @m.leave, @m.call_if_inside …) are ignored by
            # batched traversal: refuse them instead of running a rule that does not do what it says.
            if callable(member) and any(hasattr(member, attr) for attr in _MATCHER_MARKS):
                raise TypeError(
                    f"{cls.__name__}.{name}: matcher decorators do not run in a batched traversal; "
                    "use self.inside(node, matcher) instead"
                )
        cls._visitor_names = _visitor_names(cls)
        trivia = {kind.__name__ for kind in TRIVIA}
        for name in cls._visitor_names:
            if name.partition("_")[2] in trivia:
                raise TypeError(
                    f"{cls.__name__}.{name}: the model's pass does not enter whitespace, comments and "
                    "punctuation (mplint.model.walk.TRIVIA); read them from the enclosing node"
                )
        cls._checks = cls.check is not LintRule.check

    def __init__(self, context: RuleContext) -> None:
        super().__init__()
        self.context = context
        self.model: Model = context.model
        self.crash: Optional[BaseException] = None
        # The keys reported under ``once=`` (see :meth:`report`). An instance lints one module, so the
        # keys start empty for each module, with the rest of the rule's per-run state.
        self._once: set[Hashable] = set()

    # Batched traversal: wrap every visitor method so that a crash disables this rule only.
    def get_visitors(self) -> Mapping[str, Callable[[cst.CSTNode], None]]:
        visitors: dict[str, Callable[[cst.CSTNode], None]] = {}
        for name in self._visitor_names:
            visitors[name] = self._guarded(getattr(self, name))
        if self._checks:
            # Leaving the module is the traversal's last event: ``check()`` runs after the rule's own
            # ``leave_Module``, if it has one.
            visitors["leave_Module"] = self._guarded(self._leave_module_then_check)
        return visitors

    def _leave_module_then_check(self, node: cst.CSTNode) -> None:
        if "leave_Module" in self._visitor_names and isinstance(node, cst.Module):
            self.leave_Module(node)
        self.check()

    def _guarded(self, method: Callable[[cst.CSTNode], Any]) -> Callable[[cst.CSTNode], None]:
        @functools.wraps(method)
        def run(node: cst.CSTNode) -> None:
            if self.crash is not None:
                return
            try:
                method(node)
            except Exception as error:
                self.crash = error

        return run

    # --- the whole-module hook ----------------------------------------------------------------------
    def check(self) -> None:
        """The rule's whole-module analysis, run once per file after the traversal (after every
        ``visit_*``/``leave_*`` method, ``leave_Module`` included); the module is ``self.model.module``.

        The base class does nothing: a rule overrides this, its visitor methods, or both.
        """

    # --- helpers for rules -------------------------------------------------------------------------
    @property
    def config(self) -> Config:
        return self.context.config

    def code_for(self, node: cst.CSTNode) -> str:
        return self.model.module.code_for_node(node)

    def snippet(self, node: cst.CSTNode, width: int = 40) -> str:
        """``node``'s code for a message: on one line (each run of whitespace, line breaks included,
        becomes one space) and, when longer than ``width`` characters, cut to ``width`` with ``...``."""
        text = " ".join(self.code_for(node).split())
        return text if len(text) <= width else text[: width - 3] + "..."

    def inside(self, node: cst.CSTNode, predicate: Callable[[cst.CSTNode], bool]) -> bool:
        """True when an ancestor of ``node`` satisfies ``predicate`` (use instead of matcher decorators)."""
        return any(predicate(ancestor) for ancestor in self.model.ancestors(node))

    def report(
        self,
        node: cst.CSTNode,
        fix: Optional[FixSpec] = None,
        message: Optional[str] = None,
        related: tuple[tuple[cst.CSTNode, str], ...] = (),
        elsewhere: tuple[Related, ...] = (),
        once: Optional[Hashable] = None,
        **fmt: object,
    ) -> bool:
        """Report ``node``; ``related`` names the other places of the same cause, each (node, what it
        is), for the formats that show related locations; ``elsewhere`` those in other files of the
        project (see :meth:`related_in`).

        ``once`` is a key (a node, a name, a tuple) under which the rule reports at most once per
        module: a report under a key already reported is dropped. True when the report was made.
        :meth:`reported` asks whether a key was, to skip work that would only be dropped."""
        if once is not None:
            if once in self._once:
                return False
            self._once.add(once)
        text = message if message is not None else self.MESSAGE.format(**fmt)
        self.context.reports.append(Report(self.CODE, node, text, fix, related, elsewhere))
        return True

    def reported(self, key: Hashable) -> bool:
        """True when this rule has reported under ``once=key`` in this module."""
        return key in self._once

    @staticmethod
    def related_in(path: str, span: Span, message: str) -> Related:
        """A related location in another module of the project: a span of its summary."""
        return Related(path, span.line, span.column, span.end_line, span.end_column, message)

    def fix(
        self, applicability: Applicability, *edits: NodeEdit, title: Optional[str] = None
    ) -> FixSpec:
        return FixSpec(applicability, tuple(edits), title)

    # --- catalogue -----------------------------------------------------------------------------------
    @classmethod
    def docs(cls) -> str:
        return inspect.cleandoc(cls.__doc__ or "")

    @classmethod
    def summary(cls) -> str:
        """The first paragraph of "What it does", on one line."""
        docs = cls.docs()
        marker = "## What it does"
        if marker in docs:
            docs = docs.split(marker, 1)[1].strip()
        return docs.split("\n\n", 1)[0].replace("\n", " ").strip()

    @classmethod
    def url(cls) -> str:
        return f"https://github.com/mplint/mplint/blob/main/rules/{cls.CODE}.md"
