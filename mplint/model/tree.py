"""The tree of one module as the build pass indexed it: parents, pre-order numbers and ends, and the
per-type indexes (calls, method calls by name, attribute stores, ``with`` items, returns …), with the
structural queries over them (ancestors, containment, order, enclosing statement and function)."""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterator, Sequence
from typing import Optional, TypeVar, cast

import libcst as cst

from mplint.model.syntax import SCOPE_TYPES, FunctionNode

_NodeT = TypeVar("_NodeT", bound=cst.CSTNode)


class Tree:
    """The indexed tree of one module (see the module docstring)."""

    def __init__(self, module: cst.Module, path: str, default_start_method: Optional[str]) -> None:
        self.module = module
        self.path = path
        #: ``None`` means "portable": code must work under spawn and forkserver.
        self.default_start_method = default_start_method
        self.parents: dict[cst.CSTNode, Optional[cst.CSTNode]] = {}
        self.order: dict[cst.CSTNode, int] = {}
        #: Every node entered (False) and left (True), in traversal order: the engine replays this to run
        #: the rules' visitors without walking the tree again.
        self.events: list[tuple[cst.CSTNode, bool]] = []
        self.end: dict[cst.CSTNode, int] = {}
        self.calls: list[cst.Call] = []
        self.calls_by_function: dict[FunctionNode, list[cst.Call]] = {}
        self.returns: dict[FunctionNode, list[cst.Return]] = {}
        self.yields: list[cst.Yield] = []
        self.with_items: list[cst.WithItem] = []
        self.method_calls: dict[str, list[cst.Call]] = {}
        self.attribute_stores: dict[str, list[cst.Attribute]] = {}
        self.main_guards: list[cst.If] = []
        self._name_index: Optional[dict[str, list[cst.Name]]] = None
        self._type_index: Optional[dict[type[cst.CSTNode], list[cst.CSTNode]]] = None
        self._attribute_index: Optional[dict[str, list[cst.Attribute]]] = None
        self._name_orders: Optional[dict[str, list[int]]] = None
        self._all_name_orders: Optional[list[int]] = None

    @property
    def is_main_file(self) -> bool:
        """``__main__.py``: spawned children never re-run it (multiprocessing/spawn.py)."""
        return self.path.replace("\\", "/").rsplit("/", 1)[-1] == "__main__.py"

    @property
    def is_interactive_main(self) -> bool:
        """A Jupyter notebook (``.ipynb``): its cells run in an interactive ``__main__`` that has no
        file. A spawned or forkserver child never re-runs it (no ``__main__`` guard is needed) and
        cannot import it either: the child's ``__main__`` is a module of its own, without what the
        notebook defined."""
        return self.path.lower().endswith(".ipynb")

    def parent(self, node: cst.CSTNode) -> Optional[cst.CSTNode]:
        return self.parents.get(node)

    def ancestors(self, node: cst.CSTNode) -> Iterator[cst.CSTNode]:
        current = self.parents.get(node)
        while current is not None:
            yield current
            current = self.parents.get(current)

    def contains(self, outer: cst.CSTNode, inner: cst.CSTNode) -> bool:
        start, end = self.order.get(outer), self.end.get(outer)
        position = self.order.get(inner)
        if start is None or end is None or position is None:
            return False
        return start <= position < end

    def precedes(self, a: cst.CSTNode, b: cst.CSTNode) -> bool:
        """``a`` starts before ``b`` in the source."""
        return self.order.get(a, -1) < self.order.get(b, -1)

    def enclosing_function_node(self, node: cst.CSTNode) -> Optional[FunctionNode]:
        parents = self.parents
        ancestor = parents.get(node)
        while ancestor is not None:
            # exact types: libcst's node classes are ABCs, and isinstance() on them is slow
            if type(ancestor) is cst.FunctionDef or type(ancestor) is cst.Lambda:
                return ancestor
            ancestor = parents.get(ancestor)
        return None

    def is_module_level(self, node: cst.CSTNode) -> bool:
        """``node`` is not inside any def, lambda or class."""
        return not any(type(a) in SCOPE_TYPES for a in self.ancestors(node))

    def statement_of(self, node: cst.CSTNode) -> Optional[cst.CSTNode]:
        """The innermost statement (simple line or compound) containing ``node``."""
        current: Optional[cst.CSTNode] = node
        while current is not None:
            if isinstance(current, (cst.SimpleStatementLine, cst.BaseCompoundStatement)):
                return current
            current = self.parents.get(current)
        return None

    def small_statement_of(self, node: cst.CSTNode) -> Optional[cst.BaseSmallStatement]:
        current: Optional[cst.CSTNode] = node
        while current is not None:
            if isinstance(current, cst.BaseSmallStatement):
                return current
            if isinstance(current, (cst.BaseCompoundStatement, cst.SimpleStatementLine)):
                return None
            current = self.parents.get(current)
        return None

    def assigned_name(self, value: cst.BaseExpression) -> Optional[cst.Name]:
        """The name ``value`` is bound to by ``name = value`` (one target, a plain name); else None."""
        statement = self.small_statement_of(value)
        if not (
            isinstance(statement, cst.Assign)
            and statement.value is value
            and len(statement.targets) == 1
            and isinstance(statement.targets[0].target, cst.Name)
        ):
            return None
        return statement.targets[0].target

    def block_of(self, statement: cst.CSTNode) -> Optional[Sequence[cst.CSTNode]]:
        parent = self.parents.get(statement)
        if isinstance(parent, (cst.IndentedBlock, cst.Module)):
            return parent.body
        if isinstance(parent, cst.SimpleStatementSuite):
            return parent.body
        return None

    @property
    def is_test_file(self) -> bool:
        """A test module, by its file name (``test_*.py``, ``*_test.py``, ``conftest.py``): tests call
        lifecycle methods out of order on purpose (``run()`` in-process, for instance)."""
        name = self.path.replace("\\", "/").rsplit("/", 1)[-1]
        return name.startswith("test_") or name.endswith("_test.py") or name == "conftest.py"

    def nodes_of(self, kind: type[_NodeT]) -> list[_NodeT]:
        """Every node of exactly this type (libcst's node classes are final), in source order."""
        if self._type_index is None:
            index: dict[type[cst.CSTNode], list[cst.CSTNode]] = {}
            for node in self.order:  # insertion order is the traversal order
                index.setdefault(type(node), []).append(node)
            self._type_index = index
        return cast("list[_NodeT]", self._type_index.get(kind, []))

    def attributes_named(self, name: str) -> list[cst.Attribute]:
        """Every ``x.name`` attribute node in the module (reads and stores), in source order."""
        if self._attribute_index is None:
            index: dict[str, list[cst.Attribute]] = {}
            for node in self.nodes_of(cst.Attribute):
                index.setdefault(node.attr.value, []).append(node)
            self._attribute_index = index
        return self._attribute_index.get(name, [])

    def name_uses(self, name: str) -> list[cst.Name]:
        """Every ``Name`` node spelled ``name`` in the module (reads and bindings), in source order."""
        if self._name_index is None:
            index: dict[str, list[cst.Name]] = {}
            for node in self.nodes_of(cst.Name):
                index.setdefault(node.value, []).append(node)
            self._name_index = index
        return self._name_index.get(name, [])

    def name_uses_in(self, name: str, outer: cst.CSTNode) -> Sequence[cst.Name]:
        """The ``Name`` nodes spelled ``name`` inside ``outer`` (itself included), in source order: a slice
        of :meth:`name_uses` found by bisection on the pre-order numbers, not a scan of the module."""
        uses = self.name_uses(name)
        start, end = self.order.get(outer), self.end.get(outer)
        if start is None or end is None or not uses:
            return []
        if self._name_orders is None:
            self._name_orders = {}
        orders = self._name_orders.get(name)
        if orders is None:
            orders = [self.order[use] for use in uses]
            self._name_orders[name] = orders
        return uses[bisect_left(orders, start) : bisect_left(orders, end)]

    def names_within(self, node: cst.CSTNode) -> list[cst.Name]:
        """Every ``Name`` node of ``node``'s subtree (``node`` itself included), in source order: a slice
        of the module's names by pre-order number, found by bisection."""
        names = self.nodes_of(cst.Name)
        if self._all_name_orders is None:
            self._all_name_orders = [self.order[name] for name in names]
        start, end = self.order.get(node), self.end.get(node)
        if start is None or end is None:
            return []
        orders = self._all_name_orders
        return names[bisect_left(orders, start) : bisect_left(orders, end)]

    def inside_nested_scope(self, node: cst.CSTNode, outer: cst.CSTNode) -> bool:
        for ancestor in self.ancestors(node):
            if ancestor is outer:
                return False
            if type(ancestor) in SCOPE_TYPES:
                return True
        return False
