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
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Callable, ClassVar, Optional

import libcst as cst
from libcst._batched_visitor import BatchableCSTVisitor

from mplint.diagnostics import Applicability, Severity
from mplint.edits import (
    FixSpec,
    InsertAfter,
    InsertBefore,
    NodeEdit,
    RemoveStatement,
    Replace,
    ReplaceLines,
)
from mplint.semantics import TRIVIA, Model
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


@dataclass(frozen=True)
class Valid:
    """Code the rule must stay silent on."""

    code: str


@dataclass(frozen=True)
class Invalid:
    """Code the rule must report (at least once); ``fixed`` is the code after its fixes, if any."""

    code: str
    fixed: Optional[str] = None
    unsafe: bool = False


@dataclass
class RuleContext:
    path: str
    model: Model
    config: Config
    reports: list[Report] = field(default_factory=list)


class LintRule(BatchableCSTVisitor):
    """Base class: subclasses set the class attributes and write ``visit_*``/``leave_*`` methods."""

    CODE: ClassVar[str]
    NAME: ClassVar[str]
    MESSAGE: ClassVar[str]
    FIX_TITLE: ClassVar[Optional[str]] = None
    SEVERITY: ClassVar[Severity] = Severity.ERROR
    PREVIEW: ClassVar[bool] = False
    #: What the fix is: "safe", "unsafe", "safe/unsafe" (depends on the case) or None (no fix).
    FIX: ClassVar[Optional[str]] = None
    VALID: ClassVar[list[Valid]] = []
    INVALID: ClassVar[list[Invalid]] = []

    _visitor_names: ClassVar[tuple[str, ...]] = ()

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        for name, member in vars(cls).items():
            # libcst's matcher decorators (@m.visit, @m.call_if_inside …) are silently ignored by batched
            # traversal: refuse them instead of running a rule that does not do what it says.
            if callable(member) and any(
                hasattr(member, attr)
                for attr in (
                    "_call_if_inside_matcher",
                    "_call_if_not_inside_matcher",
                    "_visit_matcher",
                )
            ):
                raise TypeError(
                    f"{cls.__name__}.{name}: matcher decorators do not run in a batched traversal; "
                    "use self.inside(node, matcher) instead"
                )
        cls._visitor_names = tuple(
            sorted(
                name
                for name, member in inspect.getmembers(cls, inspect.isfunction)
                if name.startswith(("visit_", "leave_"))
                # libcst's visitor base classes define a no-op stub for every node type
                and not getattr(member, "_is_no_op", False)
            )
        )
        trivia = {kind.__name__ for kind in TRIVIA}
        for name in cls._visitor_names:
            if name.partition("_")[2] in trivia:
                raise TypeError(
                    f"{cls.__name__}.{name}: the model's pass does not enter whitespace, comments and "
                    "punctuation (semantics.TRIVIA); read them from the enclosing node"
                )

    def __init__(self, context: RuleContext) -> None:
        super().__init__()
        self.context = context
        self.model: Model = context.model
        self.crash: Optional[BaseException] = None

    # Batched traversal: wrap every visitor method so that a crash disables this rule only.
    def get_visitors(self) -> Mapping[str, Callable[[cst.CSTNode], None]]:
        visitors: dict[str, Callable[[cst.CSTNode], None]] = {}
        for name in self._visitor_names:
            visitors[name] = self._guarded(getattr(self, name))
        return visitors

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

    # --- helpers for rules -------------------------------------------------------------------------
    @property
    def config(self) -> Config:
        return self.context.config

    def code_for(self, node: cst.CSTNode) -> str:
        return self.model.module.code_for_node(node)

    def inside(self, node: cst.CSTNode, predicate: Callable[[cst.CSTNode], bool]) -> bool:
        """True when an ancestor of ``node`` satisfies ``predicate`` (use instead of matcher decorators)."""
        return any(predicate(ancestor) for ancestor in self.model.ancestors(node))

    def report(
        self,
        node: cst.CSTNode,
        fix: Optional[FixSpec] = None,
        message: Optional[str] = None,
        **fmt: object,
    ) -> None:
        text = message if message is not None else self.MESSAGE.format(**fmt)
        self.context.reports.append(Report(self.CODE, node, text, fix))

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
