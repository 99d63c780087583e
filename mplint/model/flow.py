"""When and whether code runs: the execution context (import time, ``__main__`` guard, function, typing
only), dominance within a function, and the loops around a node."""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Optional, Union

import libcst as cst

from mplint.model.syntax import (
    SCOPE_NODES,
    SCOPE_TYPES,
    is_main_guard_test,
    is_type_checking_test,
    scope_descendants,
)

if TYPE_CHECKING:
    from mplint.model.names import Names
    from mplint.model.tree import Tree


class ExecContext(enum.Enum):
    IMPORT = "import"  # runs whenever the module is imported (and re-imported by spawned children)
    GUARDED = "guarded"  # under ``if __name__ == "__main__":``
    FUNCTION = "function"  # inside a def or lambda: runs when called
    TYPING = "typing"  # under ``if TYPE_CHECKING:``: never runs


COMPREHENSIONS = (cst.ListComp, cst.SetComp, cst.GeneratorExp, cst.DictComp)


_NOT_EVERY_PASS = (*SCOPE_NODES, cst.Match, cst.IfExp, cst.BooleanOperation, cst.CompFor)


def _ends_every_pass(body: cst.BaseSuite) -> bool:
    """Every pass through ``body`` leaves the loop (``break``, ``return`` or an uncaught ``raise``)."""
    if isinstance(body, cst.SimpleStatementSuite):
        return any(isinstance(s, (cst.Break, cst.Return, cst.Raise)) for s in body.body)
    return isinstance(body, cst.IndentedBlock) and _statements_end(body.body, in_try=False)


def _statements_end(statements: Sequence[cst.BaseStatement], *, in_try: bool) -> bool:
    exits: tuple[type[cst.CSTNode], ...] = (
        (cst.Break, cst.Return) if in_try else (cst.Break, cst.Return, cst.Raise)
    )
    for statement in statements:
        if isinstance(statement, cst.SimpleStatementLine):
            if any(isinstance(s, exits) for s in statement.body):
                return True
        elif isinstance(statement, cst.With) and isinstance(statement.body, cst.IndentedBlock):
            if _statements_end(statement.body.body, in_try=in_try):
                return True
        elif isinstance(statement, cst.Try) and isinstance(statement.body, cst.IndentedBlock):
            if _statements_end(statement.body.body, in_try=True):
                return True
        elif (
            isinstance(statement, cst.If)
            and isinstance(statement.body, cst.IndentedBlock)
            and isinstance(statement.orelse, cst.Else)
            and isinstance(statement.orelse.body, cst.IndentedBlock)
            and _statements_end(statement.body.body, in_try=in_try)
            and _statements_end(statement.orelse.body.body, in_try=in_try)
        ):
            return True
    return False


@dataclass(eq=False)
class Flow:
    """When and whether code runs, and the loops around it (see the module docstring)."""

    tree: Tree
    names: Names

    def dominates(self, a: cst.CSTNode, b: cst.CSTNode) -> bool:
        """Whenever ``b`` runs, ``a`` has run before it in the same function (B3).

        ``a`` must sit in a block that encloses ``b``, before the statement holding ``b``, and not under a
        branch, loop body or ``try`` that ``b`` is outside of. Loop bodies repeat: a later statement of the
        same iteration does not dominate an earlier one.
        """
        if a is b or not self.tree.precedes(a, b):
            return False
        sa = self.tree.statement_of(a)
        if sa is None or self._maybe_skipped(a, sa):
            return False
        block_a = self.tree.block_of(sa)
        current = self.tree.statement_of(b)
        while current is not None:
            if current is sa:
                return True  # ``a`` in the header of the compound holding ``b``, or earlier on the line
            if block_a is not None and self.tree.block_of(current) is block_a:
                return self.tree.precedes(sa, current)
            parent = self.tree.parents.get(current)
            if parent is None or type(parent) in SCOPE_TYPES:
                return False
            # climb to the statement that owns this block (skipping else/except/finally wrappers)
            owner: Optional[cst.CSTNode] = parent
            while owner is not None and not isinstance(
                owner, (cst.SimpleStatementLine, cst.BaseCompoundStatement)
            ):
                owner = self.tree.parents.get(owner)
            if owner is None or type(owner) in SCOPE_TYPES:
                return False
            current = owner
        return False

    def _maybe_skipped(self, node: cst.CSTNode, statement: cst.CSTNode) -> bool:
        """Running ``statement`` may not run ``node``, or may run it only later: ``node`` is in a branch of
        a conditional expression, the right operand of ``and``/``or``, a lambda's body, or a
        comprehension's element, condition or inner ``for`` (only the first ``for``'s iterable runs
        at once, and once)."""
        child = node
        for ancestor in self.tree.ancestors(node):
            if ancestor is statement:
                return False
            if isinstance(ancestor, cst.IfExp) and child is not ancestor.test:
                return True
            if isinstance(ancestor, cst.BooleanOperation) and child is ancestor.right:
                return True
            if isinstance(ancestor, cst.Lambda) and child is ancestor.body:
                return True
            if isinstance(
                ancestor, (cst.CompIf, cst.ListComp, cst.SetComp, cst.GeneratorExp, cst.DictComp)
            ) and not isinstance(child, cst.CompFor):
                return True  # the element (or key and value), or a condition
            if isinstance(ancestor, cst.CompFor) and not (
                child is ancestor.iter
                and not isinstance(self.tree.parents.get(ancestor), cst.CompFor)
            ):
                return True
            child = ancestor
        return False

    def exec_context(self, node: cst.CSTNode) -> ExecContext:
        """When ``node`` runs: at import, under the ``__main__`` guard, when a function is called, never."""
        child: cst.CSTNode = node
        for ancestor in self.tree.ancestors(node):
            # exact types: libcst's node classes are ABCs, and isinstance() on them is slow
            if (
                type(ancestor) is cst.FunctionDef or type(ancestor) is cst.Lambda
            ) and child is ancestor.body:
                return ExecContext.FUNCTION  # decorators, defaults and annotations run with the def
            if type(ancestor) is cst.If and child is not ancestor.test:
                guard = is_main_guard_test(ancestor.test)
                in_body = child is ancestor.body
                if guard is True and in_body:
                    return ExecContext.GUARDED
                if guard is False and not in_body:
                    return ExecContext.GUARDED
                if is_type_checking_test(ancestor.test) and in_body:
                    return ExecContext.TYPING
            child = ancestor
        return ExecContext.IMPORT

    def runs_at_import(self, node: cst.CSTNode) -> bool:
        """Runs when a spawned child re-imports this module (never for ``__main__.py``)."""
        return not self.tree.is_main_file and self.exec_context(node) is ExecContext.IMPORT

    def enclosing_loops(self, node: cst.CSTNode) -> list[Union[cst.For, cst.While]]:
        """The loops whose body holds ``node``, innermost first, up to the enclosing def or class."""
        out: list[Union[cst.For, cst.While]] = []
        for ancestor in self.tree.ancestors(node):
            if type(ancestor) in SCOPE_TYPES:
                break
            if isinstance(ancestor, (cst.For, cst.While)) and self.tree.contains(
                ancestor.body, node
            ):
                out.append(ancestor)
        return out

    def runs_each_iteration(self, node: cst.CSTNode, loop: Union[cst.For, cst.While]) -> bool:
        """``node`` runs on every pass through ``loop``'s body: no branch, inner loop, ``except``/``else``
        clause or short-circuit between them may skip it."""
        if not self.tree.contains(loop.body, node):
            return False
        child: cst.CSTNode = node
        for ancestor in self.tree.ancestors(node):
            if ancestor is loop:
                return True
            if isinstance(ancestor, _NOT_EVERY_PASS):
                return False
            if isinstance(ancestor, (cst.If, cst.While)) and child is not ancestor.test:
                return False
            if isinstance(ancestor, cst.For) and child is not ancestor.iter:
                return False
            if isinstance(ancestor, (cst.Try, cst.TryStar)) and child not in (
                ancestor.body,
                ancestor.finalbody,
            ):
                return False
            child = ancestor
        return False

    def loop_may_repeat(self, loop: Union[cst.For, cst.While]) -> bool:
        """``loop``'s body may run more than once: it does not iterate over a literal of at most one item
        (or ``range(1)``), and no ``break``/``return``/``raise`` ends every pass."""
        if isinstance(loop, cst.For):
            iterable = loop.iter
            if isinstance(iterable, (cst.List, cst.Tuple, cst.Set)) and len(iterable.elements) <= 1:
                return False
            if (
                isinstance(iterable, cst.Call)
                and self.names.qualname(iterable.func) == "builtins.range"
            ):
                args = iterable.args
                if (
                    len(args) == 1
                    and isinstance(args[0].value, cst.Integer)
                    and int(args[0].value.value, 0) <= 1
                ):
                    return False
        elif isinstance(loop.test, cst.Name) and loop.test.value in ("False", "None"):
            return False
        return not _ends_every_pass(loop.body)

    def runs_whenever_scope_runs(self, node: cst.CSTNode) -> bool:
        """``node`` runs whenever its function (or the module) runs: no branch, loop body, handler,
        ``else`` or conditional expression lies between them (``with`` and ``try`` bodies count as
        running)."""
        child: cst.CSTNode = node
        for ancestor in self.tree.ancestors(node):
            if type(ancestor) in SCOPE_TYPES:
                return True
            if isinstance(ancestor, (cst.If, cst.While)):
                if child is not ancestor.test:
                    return False
            elif isinstance(ancestor, cst.For):
                if child is not ancestor.iter:
                    return False
            elif isinstance(ancestor, cst.BooleanOperation):
                if child is not ancestor.left:
                    return False
            elif isinstance(ancestor, cst.IfExp):
                if child is not ancestor.test:
                    return False
            elif isinstance(
                ancestor,
                (
                    cst.ExceptHandler,
                    cst.Else,
                    cst.Match,
                    cst.ListComp,
                    cst.SetComp,
                    cst.DictComp,
                    cst.GeneratorExp,
                ),
            ):
                return False
            child = ancestor
        return True

    def in_loop(self, node: cst.CSTNode) -> bool:
        """``node`` is in the body of a ``for``/``while`` loop or in a comprehension, within its scope."""
        for ancestor in self.tree.ancestors(node):
            if type(ancestor) in SCOPE_TYPES:
                return False
            if isinstance(ancestor, (cst.For, cst.While)) and (
                self.tree.contains(ancestor.body, node)
                or (isinstance(ancestor, cst.While) and self.tree.contains(ancestor.test, node))
            ):
                return True
            if isinstance(
                ancestor, (cst.ListComp, cst.SetComp, cst.GeneratorExp, cst.DictComp)
            ) and not self.tree.contains(ancestor.for_in.iter, node):
                return True
        return False

    def calls_within(self, node: cst.CSTNode) -> list[cst.Call]:
        """The calls inside ``node`` that run with it (not those of nested defs, lambdas or classes)."""
        function = self.tree.enclosing_function_node(node)
        pool = (
            self.tree.calls_by_function.get(function, [])
            if function is not None
            else self.tree.calls
        )
        return [
            call
            for call in pool
            if self.tree.contains(node, call) and not self.tree.inside_nested_scope(call, node)
        ]

    def is_infinite_loop(self, node: cst.CSTNode) -> bool:
        """``while True:`` / ``while 1:``."""
        if not isinstance(node, cst.While):
            return False
        test = node.test
        if isinstance(test, cst.Name):
            return test.value == "True"
        return isinstance(test, cst.Integer) and test.value != "0"

    def loop_of_break(self, node: cst.Break) -> Optional[cst.CSTNode]:
        for ancestor in self.tree.ancestors(node):
            if isinstance(ancestor, (cst.For, cst.While)) and self.tree.contains(
                ancestor.body, node
            ):
                return ancestor
            if type(ancestor) in SCOPE_TYPES:
                return None
        return None

    def earlier_statements(self, node: cst.CSTNode) -> list[cst.CSTNode]:
        """Statements that have run before ``node`` in its function: the earlier siblings of the
        statement holding ``node`` and of each statement enclosing it, up to the function body."""
        out: list[cst.CSTNode] = []
        current = self.tree.statement_of(node)
        while current is not None:
            block = self.tree.block_of(current)
            if block is not None:
                out.extend(s for s in block if self.tree.precedes(s, current))
            parent = self.tree.parents.get(current)
            if parent is None or type(parent) in SCOPE_TYPES:
                break
            owner: Optional[cst.CSTNode] = parent
            while owner is not None and not isinstance(
                owner, (cst.SimpleStatementLine, cst.BaseCompoundStatement)
            ):
                owner = self.tree.parents.get(owner)
            if owner is None or type(owner) in SCOPE_TYPES:
                break
            current = owner
        return out

    def innermost_loop(self, node: cst.CSTNode) -> Optional[cst.CSTNode]:
        """The innermost loop that runs ``node`` on each of its passes, within ``node``'s scope: a ``for``
        whose body holds it, a ``while`` whose body or test does, or a comprehension whose element,
        condition or inner ``for`` does (not the iterable of its first ``for``: that runs once)."""
        child: cst.CSTNode = node
        for ancestor in self.tree.ancestors(node):
            if type(ancestor) in SCOPE_TYPES:
                return None
            if isinstance(ancestor, cst.For) and child is ancestor.body:
                return ancestor
            if isinstance(ancestor, cst.While) and child in (ancestor.body, ancestor.test):
                return ancestor
            if isinstance(ancestor, COMPREHENSIONS) and not self.tree.contains(
                ancestor.for_in.iter, node
            ):
                return ancestor
            child = ancestor
        return None

    def loop_exits_early(self, loop: cst.CSTNode) -> bool:
        """A ``break`` of this loop or a ``return`` in its body: the loop may stop on a result."""
        if not isinstance(loop, (cst.For, cst.While)):
            return False
        for node in scope_descendants(loop.body):
            if isinstance(node, cst.Return):
                return True
            if isinstance(node, cst.Break) and self.loop_of_break(node) is loop:
                return True
        return False
