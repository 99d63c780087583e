"""The module's call graph: calls a function makes, the functions it calls, direct calls of a function,
and bounded reachability."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Optional

import libcst as cst

from mplint.model.flow import ExecContext
from mplint.model.syntax import FunctionNode, scope_descendants

if TYPE_CHECKING:
    from mplint.model.flow import Flow
    from mplint.model.names import Names
    from mplint.model.tree import Tree


CALL_GRAPH_DEPTH = 3


@dataclass(eq=False)
class CallGraph:
    """The call graph of one module (see the module docstring)."""

    tree: Tree
    names: Names
    flow: Flow
    # data flow and module state (see "data flow" below)
    _calls_to: Optional[dict[FunctionNode, list[cst.Call]]] = field(
        default=None, init=False, repr=False
    )
    _reach: dict[FunctionNode, set[FunctionNode]] = field(
        default_factory=dict, init=False, repr=False
    )

    def function_calls(self, function: FunctionNode) -> list[cst.Call]:
        """Calls made by the function's own body (not by nested defs or lambdas)."""
        return self.tree.calls_by_function.get(function, [])

    def callees(self, function: FunctionNode) -> list[FunctionNode]:
        """Functions of this module the body calls directly (B5)."""
        out: list[FunctionNode] = []
        for call in self.function_calls(function):
            target = self.names.resolve_function(call.func)
            if target is not None and target is not function and target not in out:
                out.append(target)
        return out

    def call_chains(
        self,
        root: FunctionNode,
        depth: int = CALL_GRAPH_DEPTH,
        callees: Optional[Callable[[FunctionNode], list[FunctionNode]]] = None,
    ) -> Iterator[list[FunctionNode]]:
        """The functions ``root`` reaches through at most ``depth`` calls, ``root`` first, each as the
        shortest chain of calls from ``root`` to it, in breadth-first order (``callees``: a wider
        reading of what a function calls than :meth:`callees`, from a higher part)."""
        return self._breadth_first([root], depth, callees or self.callees)

    def call_chain(
        self,
        start: FunctionNode,
        predicate: Callable[[FunctionNode], object],
        depth: int = CALL_GRAPH_DEPTH,
        callees: Optional[Callable[[FunctionNode], list[FunctionNode]]] = None,
    ) -> Optional[list[FunctionNode]]:
        """The shortest chain of calls from ``start`` to a function satisfying ``predicate`` (see
        :meth:`call_chains` for ``callees``)."""
        return next(
            (chain for chain in self.call_chains(start, depth, callees) if predicate(chain[-1])),
            None,
        )

    def _breadth_first(
        self,
        roots: list[FunctionNode],
        depth: int,
        callees: Optional[Callable[[FunctionNode], list[FunctionNode]]] = None,
    ) -> Iterator[list[FunctionNode]]:
        """The roots and the functions they reach through at most ``depth`` calls, each once, as the
        shortest chain of calls from a root (roots in their order, then level by level)."""
        seen = set(roots)
        frontier = [[root] for root in roots]
        yield from frontier
        for _ in range(depth):
            next_frontier: list[list[FunctionNode]] = []
            for chain in frontier:
                for callee in (callees or self.callees)(chain[-1]):
                    if callee not in seen:
                        seen.add(callee)
                        next_frontier.append([*chain, callee])
            yield from next_frontier
            frontier = next_frontier

    @functools.cached_property
    def guard_reachable(self) -> frozenset[FunctionNode]:
        """Functions of this module that code under ``if __name__ == "__main__":`` calls, followed
        through the call graph (B5)."""
        called: dict[FunctionNode, None] = {}  # in order, each once
        for call in self.tree.calls:
            if self.flow.exec_context(call) is not ExecContext.GUARDED:
                continue
            target = self.names.resolve_function(call.func)
            if target is None:
                info = self.names.resolve_class(call.func)
                target = self.names.class_method(info, "__init__") if info is not None else None
            if target is not None:
                called[target] = None
        return frozenset(chain[-1] for chain in self._breadth_first(list(called), CALL_GRAPH_DEPTH))

    @functools.cached_property
    def runs_once_per_program(self) -> frozenset[cst.FunctionDef]:
        """Module-level functions that run at most once per program, like module-level code: the entry
        point of a script and what it calls once.

        - a function whose one reference in this module is a direct call made by module-level code
          (import time or the ``__main__`` guard: ``main()``, ``sys.exit(main())``) outside any loop;
        - a function named ``main`` that this module never references: a console script's entry point;
        - a module-level function whose one reference in this module is a call, outside any loop,
          made by such a function (followed through the call graph, bounded): a script's
          ``main()`` calling ``run()``.

        Another module importing and calling one of these (a test calling ``main()``, a tool calling a
        public ``run()`` in a loop) is not seen: the model knows one module, and a module that calls its
        own function once from its entry point is taken at its word."""
        candidates = [
            node for node in self.tree.nodes_of(cst.FunctionDef) if self.tree.is_module_level(node)
        ]
        once: set[cst.FunctionDef] = set()
        only_call: dict[cst.FunctionDef, cst.Call] = {}
        for function in candidates:
            references = [
                use
                for use in self.tree.name_uses(function.name.value)
                if use is not function.name and self.names.resolve_function(use) is function
            ]
            if not references:
                if function.name.value == "main":
                    once.add(function)
                continue
            call = self.tree.parent(references[0])
            if (
                len(references) == 1
                and isinstance(call, cst.Call)
                and call.func is references[0]
                and not self.flow.in_loop(call)
            ):
                only_call[function] = call
        for function, call in only_call.items():
            if self.flow.exec_context(call) in (ExecContext.IMPORT, ExecContext.GUARDED):
                once.add(function)
        for _ in range(CALL_GRAPH_DEPTH):
            found = {
                function
                for function, call in only_call.items()
                if function not in once and self.tree.enclosing_function_node(call) in once
            }
            if not found:
                break
            once |= found
        return frozenset(once)

    def calls_to(self, function: FunctionNode) -> list[cst.Call]:
        """Direct calls of a function of this module: ``f(x)``, ``self.f(x)``, ``Cls.f(x)``, and ``Cls(x)``
        for ``__init__``. Handing a function to a process, pool or executor is not a call of it (see
        :meth:`submissions_to`)."""
        if self._calls_to is None:
            index: dict[FunctionNode, list[cst.Call]] = {}
            for call in self.tree.calls:
                if isinstance(call.func, (cst.Call, cst.Lambda)):
                    continue  # partial(f, a)(b), (lambda: ...)(): the arguments do not line up
                target = self.names.resolve_function(call.func)
                if target is None:
                    info = self.names.resolve_class(call.func)
                    target = self.names.class_method(info, "__init__") if info is not None else None
                if target is not None:
                    index.setdefault(target, []).append(call)
            self._calls_to = index
        return self._calls_to.get(function, [])

    def reachable_from(self, root: FunctionNode) -> set[FunctionNode]:
        """:meth:`reachable_functions` as a set, memoised."""
        reach = self._reach.get(root)
        if reach is None:
            reach = self._reach[root] = set(self.reachable_functions(root))
        return reach

    def repeats(self, node: cst.CSTNode) -> bool:
        """``node`` may run several times per call of its function: it sits in a loop body or a
        comprehension, or its function is called in a loop or from more than one place."""
        if self.flow.in_loop(node):
            return True
        function = self.tree.enclosing_function_node(node)
        if function is None:
            return False
        callers = self.calls_to(function)
        return len(callers) > 1 or any(self.flow.in_loop(c) for c in callers)

    def reachable_functions(self, root: FunctionNode) -> list[FunctionNode]:
        """``root`` and the functions of this module it calls, transitively (B5, bounded depth)."""
        return [chain[-1] for chain in self.call_chains(root)]

    def is_exit_call(self, call: cst.Call) -> bool:
        return self.names.qualname(call.func) in (
            "sys.exit",
            "os._exit",
            "builtins.exit",
            "builtins.quit",
        )

    def raises_or_exits(self, function: FunctionNode) -> bool:
        body = function.body
        if any(isinstance(node, cst.Raise) for node in scope_descendants(body)):
            return True
        return any(self.is_exit_call(call) for call in self.function_calls(function))
