"""Contexts and start methods: the start method an object's family uses, ``set_start_method()`` calls,
the default context, and families of context objects."""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Optional

import libcst as cst

from mplint import api_table
from mplint.kinds import Kind, KindName
from mplint.model.callgraph import CALL_GRAPH_DEPTH
from mplint.model.syntax import (
    SCOPE_TYPES,
    FunctionNode,
    call_argument,
    calls_in_expression,
    dotted_name,
    is_false_literal,
    is_none_literal,
    is_true_literal,
    keyword_arg,
    string_value,
)

if TYPE_CHECKING:
    from mplint.model.callgraph import CallGraph
    from mplint.model.flow import Flow
    from mplint.model.inference import Inference
    from mplint.model.names import Names
    from mplint.model.tree import Tree


@dataclass(frozen=True)
class StartMethodCall:
    """A call of ``set_start_method``: ``family`` is the library whose default context it sets
    (``torch.multiprocessing`` and ``concurrent.futures`` share multiprocessing's), ``method`` the
    literal start method when it is one, ``forced`` whether ``force=`` is given (and not literally
    False), ``tolerated`` whether a RuntimeError from it is caught or ruled out by a test of
    ``get_start_method(allow_none=True)``."""

    call: cst.Call
    family: str
    method: Optional[str]
    forced: bool
    tolerated: bool


#: Libraries that share one default context.
_CONTEXT_OWNER = {
    "torch.multiprocessing": "multiprocessing",
    "concurrent.futures": "multiprocessing",
}


# Factories of the default context that fix its start method (they pass ``ctx=self.get_context()``).
_CONTEXT_FACTORY_KINDS_BY_NAME = frozenset(
    (
        "Queue",
        "JoinableQueue",
        "SimpleQueue",
        *api_table.SYNC_PRIMITIVES,
        "Value",
        "Array",
        "Pool",
        "Manager",
    )
)


_CONTEXT_FACTORY_KINDS = frozenset(
    {
        KindName.QUEUE,
        KindName.JOINABLE_QUEUE,
        KindName.SIMPLE_QUEUE,
        KindName.LOCK,
        KindName.RLOCK,
        KindName.SEMAPHORE,
        KindName.BOUNDED_SEMAPHORE,
        KindName.CONDITION,
        KindName.EVENT,
        KindName.BARRIER,
        KindName.VALUE,
        KindName.ARRAY,
        KindName.POOL,
        KindName.MANAGER,
    }
)


def context_family(family: str) -> str:
    """The library whose default context ``family`` uses."""
    return _CONTEXT_OWNER.get(family, family)


def _catches_runtime_error(handler_type: Optional[cst.BaseExpression]) -> bool:
    """An ``except`` clause (or ``suppress`` argument) that catches ``RuntimeError``."""
    if handler_type is None:
        return True
    if isinstance(handler_type, cst.Tuple):
        return any(_catches_runtime_error(e.value) for e in handler_type.elements)
    dotted = dotted_name(handler_type)
    return dotted is not None and dotted.rsplit(".", 1)[-1] in (
        "RuntimeError",
        "Exception",
        "BaseException",
    )


@dataclass(eq=False)
class StartMethods:
    """Start methods and contexts of the module (see the module docstring)."""

    tree: Tree
    names: Names
    flow: Flow
    callgraph: CallGraph
    inference: Inference
    _module_start_method: Optional[tuple[Optional[str]]] = field(
        default=None, init=False, repr=False
    )

    def module_start_method(self) -> Optional[str]:
        """A literal ``set_start_method("x")`` anywhere in the module fixes the default context."""
        if self._module_start_method is None:
            methods: set[Optional[str]] = set()
            for call in self.tree.calls:
                qual = self.names.qualname(call.func)
                if qual is None:
                    continue
                split = api_table.split_family(qual)
                if split is not None and split[1] in (
                    "set_start_method",
                    "context.set_start_method",
                ):
                    methods.add(
                        api_table.start_method_literal(
                            string_value(call_argument(call, 0, "method"))
                        )
                    )
            self._module_start_method = (methods.pop() if len(methods) == 1 else None,)
        return self._module_start_method[0]

    def start_method(self, kind: Optional[Kind]) -> Optional[str]:
        """The start method an object's context uses: explicit, module-wide, or the configured default.

        None means "portable": the code must work under spawn and forkserver.
        """
        if kind is not None and kind.method is not None:
            return kind.method
        return self.module_start_method() or self.tree.default_start_method

    @functools.cached_property
    def start_method_calls(self) -> list[StartMethodCall]:
        """Every call of ``set_start_method`` of any family, in source order."""
        found: list[StartMethodCall] = []
        for call in self.tree.calls:
            family = self.family_function(call, ("set_start_method", "context.set_start_method"))
            if family is None:
                continue
            force = call_argument(call, 1, "force")
            method = string_value(call_argument(call, 0, "method"))
            found.append(
                StartMethodCall(
                    call=call,
                    family=context_family(family),
                    method=api_table.start_method_literal(method),
                    forced=force is not None
                    and not is_false_literal(force)
                    and not is_none_literal(force),
                    tolerated=self.failure_tolerated(call),
                )
            )
        return found

    def family_function(self, call: cst.Call, names: Iterable[str]) -> Optional[str]:
        """The family root when ``call`` calls one of ``names`` (``"get_start_method"`` …) of a
        multiprocessing-like library, else None."""
        qual = self.names.qualname(call.func)
        split = api_table.split_family(qual) if qual is not None else None
        if split is None or split[1] not in names:
            return None
        return split[0]

    def failure_tolerated(self, node: cst.CSTNode) -> bool:
        """``node`` runs where a ``RuntimeError`` from it is expected: in the body of a ``try`` whose
        handler catches it, under ``contextlib.suppress(RuntimeError)``, or under a test of
        ``get_start_method(allow_none=True)`` (which tells whether the context is still free)."""
        child: cst.CSTNode = node
        for ancestor in self.tree.ancestors(node):
            if type(ancestor) in SCOPE_TYPES:
                return False
            if isinstance(ancestor, cst.Try) and child is ancestor.body:
                if any(_catches_runtime_error(h.type) for h in ancestor.handlers):
                    return True
            elif isinstance(ancestor, cst.With) and child is ancestor.body:
                for item in ancestor.items:
                    value = item.item
                    if (
                        isinstance(value, cst.Call)
                        and self.names.qualname(value.func) == "contextlib.suppress"
                        and any(_catches_runtime_error(a.value) for a in value.args)
                    ):
                        return True
            elif isinstance(ancestor, (cst.If, cst.While)) and child is not ancestor.test:
                for call in calls_in_expression(ancestor.test):
                    if self.family_function(
                        call, ("get_start_method", "context.get_start_method")
                    ) is not None and is_true_literal(call_argument(call, 0, "allow_none")):
                        return True
            child = ancestor
        return False

    def default_context_use(self, call: cst.Call) -> Optional[tuple[str, str]]:
        """``(family, what)`` when ``call`` makes the library's default context choose its start method;
        ``set_start_method()`` afterwards raises ``RuntimeError: context has already been set``.

        These are the default context's factories that take a context (``Queue``, ``Lock`` and the
        other synchronisation primitives, ``Value``, ``Array``, ``Pool``, ``Manager``), ``start()`` of
        a default-context ``Process``, ``get_start_method()`` without ``allow_none=True``,
        ``get_context()`` without a method, and a ``ProcessPoolExecutor`` without ``mp_context``. Not
        ``Pipe``, ``RawValue``/``RawArray``, nor creating a ``Process`` (only starting it).
        """
        qual = self.names.qualname(call.func)
        split = api_table.split_family(qual) if qual is not None else None
        if split is not None:
            rest = split[1]
            if rest in ("get_start_method", "context.get_start_method"):
                if is_true_literal(call_argument(call, 0, "allow_none")):
                    return None
                return context_family(split[0]), "get_start_method()"
            if rest in ("get_context", "context.get_context"):
                method = call_argument(call, 0, "method")
                if method is None or (isinstance(method, cst.Name) and method.value == "None"):
                    return context_family(split[0]), "get_context()"
                return None
        kind = self.inference.kind_of(call)
        if kind is not None and kind.creator is call and kind.method is None:
            if kind.name is KindName.EXECUTOR and kind.family == "concurrent.futures":
                if (
                    call_argument(call, 1, "mp_context") is None
                    and keyword_arg(call, "max_tasks_per_child") is None
                ):
                    return "multiprocessing", f"{self.tree.module.code_for_node(call.func)}()"
                return None
            if (
                split is not None
                and kind.name in _CONTEXT_FACTORY_KINDS
                and not kind.uses_threads
                and not kind.proxy
                and kind.cls is None
                and (
                    split[1] in _CONTEXT_FACTORY_KINDS_BY_NAME
                    or split[1] in ("pool.Pool", "managers.SyncManager")
                )
            ):
                return context_family(split[0]), f"{self.tree.module.code_for_node(call.func)}()"
        func = call.func
        if isinstance(func, cst.Attribute) and func.attr.value == "start":
            receiver = self.inference.kind_of(func.value)
            if (
                receiver is not None
                and receiver.is_process
                and receiver.method is None
                and receiver.family in api_table.FAMILY_ROOTS
            ):
                return context_family(receiver.family), f"{self.tree.module.code_for_node(func)}()"
        return None

    def surely_uses_default_context(
        self, function: FunctionNode, depth: int = CALL_GRAPH_DEPTH
    ) -> Optional[tuple[str, str]]:
        """``(family, what)`` for a default-context use that runs whenever ``function`` runs, in its
        body or through calls of this module's functions that always run too."""
        for call in self.callgraph.function_calls(function):
            if not self.flow.runs_whenever_scope_runs(call):
                continue
            use = self.default_context_use(call)
            if use is not None:
                return use
            if depth > 0:
                callee = self.names.resolve_function(call.func)
                if callee is not None and callee is not function:
                    found = self.surely_uses_default_context(callee, depth - 1)
                    if found is not None:
                        via = self.tree.module.code_for_node(call.func)
                        return found[0], f"{found[1]} (in {via}())"
        return None

    def possible_start_methods(self, kind: Optional[Kind]) -> frozenset[str]:
        """The start methods an object's context may use: the explicit one; else the module's
        ``set_start_method`` or the configured default; under "portable", any of the three (Linux
        forks by default up to 3.13, macOS and Windows spawn, Linux 3.14 uses forkserver)."""
        method = self.start_method(kind)
        if method is not None:
            return frozenset({method})
        return frozenset({"fork", "spawn", "forkserver"})

    def start_method_unknown(self, kind: Optional[Kind]) -> bool:
        """The object comes from a context whose start method is chosen at run time:
        ``get_context(method)`` with a variable, or an executor whose ``mp_context`` this module cannot
        resolve. ``Kind.method`` is None there as for the default context, but it is not the default
        context: rules that compare start methods stay silent."""
        if kind is None or kind.method is not None or kind.creator is None:
            return False
        creator = kind.creator
        if kind.name is KindName.EXECUTOR:
            context = call_argument(creator, 1, "mp_context")
            if context is None or is_none_literal(context):
                return False
            context_kind = self.inference.kind_of(context)
            if context_kind is None or context_kind.name is not KindName.CONTEXT:
                return True
            return self._context_method_unknown(context_kind)
        if kind.name is KindName.CONTEXT:
            return self._context_method_unknown(kind)
        func = creator.func
        if isinstance(func, cst.Attribute):
            receiver = self.inference.kind_of(func.value)
            if receiver is not None and receiver.name is KindName.CONTEXT:
                return self._context_method_unknown(receiver)
        return False

    def _context_method_unknown(self, context: Kind) -> bool:
        if context.method is not None or context.creator is None:
            return False
        argument = call_argument(context.creator, 0, "method")
        return argument is not None and not is_none_literal(argument)
