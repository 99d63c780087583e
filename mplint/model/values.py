"""Where a value comes from and where it goes: origins of an expression, the flow of a result handle,
the creation site of a local object, proxies and their managers, pipe ends, instances of module classes."""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Optional, Union

import libcst as cst

from mplint.kinds import Kind, KindName
from mplint.model.inference import enter_returns_self
from mplint.model.names import (
    STORE_METHODS,
    Binding,
    BindingKind,
    ClassInfo,
    LocalVar,
    SelfAttr,
    VarKey,
)
from mplint.model.syntax import element_at, has_decorator, positional_args

if TYPE_CHECKING:
    from mplint.model.flow import Flow
    from mplint.model.inference import Inference
    from mplint.model.names import Names
    from mplint.model.tree import Tree


class FlowKind(enum.Enum):
    """Where a value goes (:meth:`Values.value_flow`)."""

    DISCARDED = "discarded"  # an expression statement, possibly inside a display or comprehension
    METHOD = (
        "method"  # ``node`` is a method call made on it at once: ``pool.apply_async(...).get()``
    )
    ASSIGNED = "assigned"  # to the variable ``key``
    STORED = "stored"  # into the container the variable ``key`` holds
    RETURNED = "returned"
    YIELDED = "yielded"
    ARGUMENT = "argument"  # ``node`` is the call it is passed to
    OTHER = "other"


@dataclass(frozen=True)
class ValueFlow:
    """Where a value goes (:meth:`Values.value_flow`): ``how`` (:class:`FlowKind`), the node that takes
    it, and the variable it is assigned to or stored in."""

    how: FlowKind
    node: cst.CSTNode
    key: Optional[VarKey] = None


#: Pool and executor methods that hand back a handle on queued work.
_HANDLE_METHODS = (
    "apply_async",
    "map_async",
    "starmap_async",
    "imap",
    "imap_unordered",
    "submit",
    "map",
)


_HANDLE_KINDS = frozenset({KindName.ASYNC_RESULT, KindName.MAP_ITERATOR, KindName.FUTURE})


@dataclass(eq=False)
class Values:
    """Where values come from and where they go (see the module docstring)."""

    tree: Tree
    names: Names
    flow: Flow
    inference: Inference
    _handle_memo: Optional[list[tuple[cst.Call, Kind]]] = field(
        default=None, init=False, repr=False
    )
    _creator_memo: dict[str, dict[cst.Call, list[cst.Call]]] = field(
        default_factory=dict, init=False, repr=False
    )

    def creation_before(self, key: VarKey, node: cst.CSTNode) -> Optional[cst.Call]:
        """The call that created the object a local variable holds whenever ``node`` runs, if one did.

        The variable's last binding before ``node`` must be ``x = Constructor(...)`` in the same function,
        dominate ``node``, and not be replaced by a later binding in a loop around ``node`` (the next
        pass would see another object). None for parameters, loop targets, factory results, branches.
        """
        if not isinstance(key, LocalVar):
            return None
        bindings = self.names.assignments_of(key)
        before = [n for n in bindings if self.tree.precedes(n, node)]
        if not before:
            return None
        last = max(before, key=lambda n: self.tree.order.get(n, 0))
        statement = self.tree.small_statement_of(last)
        value: Optional[cst.BaseExpression] = None
        if (
            isinstance(statement, cst.Assign) and any(t.target is last for t in statement.targets)
        ) or (isinstance(statement, cst.AnnAssign) and statement.target is last):
            value = statement.value
        if not isinstance(value, cst.Call):
            return None
        kind = self.inference.kind_of(value)
        if kind is None or kind.creator is not value:
            return None
        if self.tree.enclosing_function_node(last) is not self.tree.enclosing_function_node(node):
            return None
        if not self.flow.dominates(last, node):
            return None
        for loop in self.flow.enclosing_loops(node):
            if not self.tree.contains(loop, last) and any(
                self.tree.contains(loop, n) for n in bindings
            ):
                return None
        return value

    def stored_constructor_arguments(self, call: cst.Call) -> list[cst.BaseExpression]:
        """Arguments of ``MyClass(...)`` that the class's ``__init__`` stores on the instance
        (``self.queue = queue``): they travel with the instance when it is pickled, as spawn does
        with a ``Process`` subclass at ``start()``."""
        info = self.names.resolve_class(call.func)
        init = self.names.class_method(info, "__init__") if info is not None else None
        if info is None or init is None:
            return []
        params = [p.name.value for p in (*init.params.posonly_params, *init.params.params)][1:]
        params += [p.name.value for p in init.params.kwonly_params]
        stored: set[str] = set()
        for values in info.attributes.values():
            for value in values:
                if (
                    isinstance(value, cst.Name)
                    and value.value in params
                    and self.tree.enclosing_function_node(value) is init
                ):
                    stored.add(value.value)
        out: list[cst.BaseExpression] = []
        positional_count = len(init.params.posonly_params) + len(init.params.params) - 1
        for index, arg in enumerate(positional_args(call)):
            if index < positional_count and params[index] in stored:
                out.append(arg.value)
        for arg in call.args:
            if arg.keyword is not None and arg.keyword.value in stored:
                out.append(arg.value)
        return out

    def instance_class(self, expr: cst.BaseExpression) -> Optional[ClassInfo]:
        """The module class of the instance ``expr`` stands for: ``self`` in a method, or a name bound
        once to ``MyClass(...)``."""
        binding = self.names.only_binding(expr)
        if binding is None:
            return None
        if binding.how is BindingKind.PARAM:
            return self.names.self_class(binding)
        if (
            binding.how is BindingKind.ASSIGN
            and not binding.path
            and isinstance(binding.value, cst.Call)
        ):
            return self.names.resolve_class(binding.value.func)
        return None

    def bound_method_instance(self, expr: cst.BaseExpression) -> Optional[ClassInfo]:
        """``self.m`` / ``obj.m`` (or a ``functools.partial`` of it) naming a plain method of a module
        class: the class of the instance that pickling the bound method pickles too."""
        if isinstance(expr, cst.Call) and self.names.qualname(expr.func) == "functools.partial":
            inner = positional_args(expr)
            return self.bound_method_instance(inner[0].value) if inner else None
        if not isinstance(expr, cst.Attribute):
            return None
        info = self.instance_class(expr.value)
        if info is None:
            return None
        method = self.names.class_method(info, expr.attr.value)
        if method is None or has_decorator(method, "staticmethod", "classmethod"):
            return None
        return info

    def origins(self, expr: cst.BaseExpression) -> Optional[list[cst.BaseExpression]]:
        """Where the object ``expr`` refers to was made: the constructor calls (or other expressions) that
        may have produced it, following variables, parameters (through every call and submission, see
        :meth:`param_sources`), ``self`` attributes, globals set by a pool initializer, and functions of
        this module that return it. ``x = None`` placeholders are skipped. None when some path is unknown.
        """
        found: list[cst.BaseExpression] = []
        if not self._origins_into(expr, found, set(), 0) or not found:
            return None
        return found

    def _origins_into(
        self,
        expr: cst.BaseExpression,
        found: list[cst.BaseExpression],
        seen: set[cst.CSTNode],
        depth: int,
    ) -> bool:
        if depth > 12:
            return False
        if expr in seen:
            return True  # a cycle adds nothing new
        seen.add(expr)
        if isinstance(expr, cst.Name):
            if expr.value == "None":
                found.append(expr)
                return True
            bindings = self.names.lookup(expr.value, expr)
            if not bindings:
                return False
            return all(self._binding_origins(b, found, seen, depth) for b in bindings)
        if isinstance(expr, cst.Attribute):
            key = self.names.binding_key(expr)
            if key is None or not isinstance(key, SelfAttr):
                return False
            info = self.names.class_of_node.get(key.cls)
            if info is None:
                return False
            values = info.attributes.get(key.attr, [])
            if not values or len(values) != len(info.attribute_targets.get(key.attr, [])):
                return False  # assigned by tuple unpacking or a loop somewhere
            for value in values:
                if isinstance(value, cst.Name) and value.value == "None":
                    continue
                if not self._origins_into(value, found, seen, depth + 1):
                    return False
            return True
        if isinstance(expr, cst.Call):
            function = self.names.resolve_function(expr.func)
            if isinstance(function, cst.FunctionDef):
                returns = [
                    r.value for r in self.inference.own_returns(function) if r.value is not None
                ]
                if not returns:
                    return False
                return all(self._origins_into(r, found, seen, depth + 1) for r in returns)
            found.append(expr)
            return True
        if isinstance(expr, (cst.Subscript, cst.Await, cst.Yield)):
            return False
        found.append(expr)
        return True

    def _binding_origins(
        self,
        binding: Binding,
        found: list[cst.BaseExpression],
        seen: set[cst.CSTNode],
        depth: int,
    ) -> bool:
        if binding.how is BindingKind.ANNOTATION:
            return True
        if binding.how is BindingKind.PARAM:
            sources = self.inference.param_sources(binding)
            return sources is not None and all(
                self._origins_into(s, found, seen, depth + 1) for s in sources
            )
        value = binding.value
        if value is None or binding.iterates:
            return False
        if binding.how is BindingKind.WITH:
            kind = self.inference.kind_of(value)
            if binding.path or kind is None or not enter_returns_self(kind):
                return False
            return self._origins_into(value, found, seen, depth + 1)
        if binding.how is not BindingKind.ASSIGN:
            return False
        value = element_at(value, binding.path)
        if value is None:
            return False
        if isinstance(value, cst.Name) and value.value == "None" and binding.node is not value:
            return True  # ``x = None`` placeholders do not change what x holds later
        return self._origins_into(value, found, seen, depth + 1)

    def proxy_manager(self, expr: cst.BaseExpression) -> Optional[VarKey]:
        """The variable holding the Manager that served the proxy ``expr`` (``d`` in ``d = m.dict()``
        gives the key of ``m``), when every origin of ``expr`` agrees; else None."""
        origins = self.origins(expr)
        if not origins:
            return None
        keys: set[VarKey] = set()
        for origin in origins:
            if not isinstance(origin, cst.Call) or not isinstance(origin.func, cst.Attribute):
                return None
            kind = self.inference.kind_of(origin)
            manager = self.inference.kind_of(origin.func.value)
            if kind is None or not kind.proxy or manager is None:
                return None
            if manager.name is not KindName.MANAGER:
                return None
            key = self._holder_key(origin.func.value)
            if key is None:
                return None
            keys.add(key)
        return keys.pop() if len(keys) == 1 else None

    def _holder_key(self, expr: cst.BaseExpression) -> Optional[VarKey]:
        """The variable holding the object ``expr`` names: its own, or, for a parameter of a factory
        (``def make(manager): return manager.dict()``), the one variable every call passes."""
        binding = self.names.only_binding(expr)
        if binding is None or binding.how is not BindingKind.PARAM:
            return self.names.binding_key(expr)
        sources = self.inference.param_sources(binding)
        keys = {
            self.names.binding_key(s) if isinstance(s, cst.Name) else None for s in sources or ()
        }
        if len(keys) != 1:
            return None
        return keys.pop()

    def object_calls(self, creator: cst.Call, methods: Iterable[str]) -> list[cst.Call]:
        """Calls ``X.method()`` on any expression known to hold the object ``creator`` made (a Process
        in a variable, in a list iterated by ``for p in procs``, in ``self.proc`` …)."""
        out: list[cst.Call] = []
        for method in methods:
            out.extend(self._calls_by_creator(method).get(creator, ()))
        out.sort(key=lambda c: self.tree.order.get(c, 0))
        return out

    def _calls_by_creator(self, method: str) -> dict[cst.Call, list[cst.Call]]:
        """The calls ``X.method()`` by the call that made ``X``'s object (once per method, when the
        kinds are final)."""
        index = self._creator_memo.get(method)
        if index is not None:
            return index
        index = {}
        for call in self.tree.method_calls.get(method, []):
            func = call.func
            if not isinstance(func, cst.Attribute):
                continue
            kind = self.inference.kind_of(func.value)
            if kind is not None and kind.creator is not None:
                index.setdefault(kind.creator, []).append(call)
        if self.inference.settled:
            self._creator_memo[method] = index
        return index

    def pipe_unpacking(
        self, name: cst.Name
    ) -> Optional[tuple[cst.Call, int, Union[cst.Tuple, cst.List]]]:
        """For a name bound by ``a, b = Pipe(...)`` (its only binding in scope): the ``Pipe()`` call,
        the position of the name in the target, and the target."""
        bindings = self.names.lookup(name.value, name)
        if len(bindings) != 1:
            return None
        binding = bindings[0]
        if binding.how is not BindingKind.ASSIGN or len(binding.path) != 1 or binding.value is None:
            return None
        value = binding.value
        kind = self.inference.kind_of(value)
        if (
            not isinstance(value, cst.Call)
            or kind is None
            or kind.name is not KindName.TUPLE
            or len(kind.items) != 2
            or kind.items[0] is None
            or kind.items[0].creator is not value
        ):
            return None
        element = self.tree.parents.get(binding.node)
        target = self.tree.parents.get(element) if element is not None else None
        if not isinstance(target, (cst.Tuple, cst.List)) or len(target.elements) != 2:
            return None
        return value, binding.path[0], target

    def handle_calls(self) -> list[tuple[cst.Call, Kind]]:
        """Calls that hand back a handle on queued work, with the handle's kind, in source order.

        ``apply_async``/``map_async``/``starmap_async`` (an AsyncResult) and ``imap``/``imap_unordered``
        (a result iterator) on a pool of processes or threads; ``submit`` (a Future) and ``map`` (a lazy
        result iterator) on an executor.
        """
        if self._handle_memo is None:
            found: list[tuple[cst.Call, Kind]] = []
            for method in _HANDLE_METHODS:
                for call in self.tree.method_calls.get(method, []):
                    kind = self.inference.kind_of(call)
                    if kind is not None and kind.creator is call and kind.name in _HANDLE_KINDS:
                        found.append((call, kind))
            found.sort(key=lambda item: self.tree.order.get(item[0], 0))
            self._handle_memo = found
        return self._handle_memo

    def handle_owner(self, call: cst.Call) -> Optional[tuple[cst.BaseExpression, Kind]]:
        """For ``X.method(...)`` on a pool or executor: the receiver ``X`` and its kind."""
        func = call.func
        if not isinstance(func, cst.Attribute):
            return None
        kind = self.inference.kind_of(func.value)
        if kind is None or not (kind.is_pool or kind.is_executor):
            return None
        return func.value, kind

    def value_flow(self, expr: cst.BaseExpression) -> ValueFlow:
        """Where the value of ``expr`` goes when it is computed (see :class:`ValueFlow`).

        Followed through list, tuple, set and dict displays, comprehensions and conditional expressions
        (the value is then ``"stored"`` in the container, or ``"discarded"`` with it); an assignment to
        ``x[k]`` stores into ``x``.
        """
        current: cst.CSTNode = expr
        contained = False
        while True:
            parent = self.tree.parents.get(current)
            if isinstance(parent, cst.Expr):
                return ValueFlow(FlowKind.DISCARDED, parent)
            if isinstance(parent, cst.Attribute) and parent.value is current:
                grand = self.tree.parents.get(parent)
                if not contained and isinstance(grand, cst.Call) and grand.func is parent:
                    return ValueFlow(FlowKind.METHOD, grand)
                return ValueFlow(FlowKind.OTHER, parent)
            if isinstance(parent, (cst.Element, cst.StarredElement, cst.DictElement)):
                container = self.tree.parents.get(parent)
                if isinstance(container, (cst.List, cst.Tuple, cst.Set, cst.Dict)):
                    contained, current = True, container
                    continue
                return ValueFlow(FlowKind.OTHER, parent)
            if (
                isinstance(parent, (cst.ListComp, cst.SetComp, cst.GeneratorExp))
                and parent.elt is current
            ) or (isinstance(parent, cst.DictComp) and current in (parent.key, parent.value)):
                contained, current = True, parent
                continue
            if isinstance(parent, cst.IfExp) and current in (parent.body, parent.orelse):
                current = parent
                continue
            target: Optional[cst.BaseExpression] = None
            if isinstance(parent, cst.Assign) and parent.value is current:
                if len(parent.targets) == 1:
                    target = parent.targets[0].target
            elif isinstance(parent, (cst.AnnAssign, cst.NamedExpr)) and parent.value is current:
                target = parent.target
            if target is not None or isinstance(parent, (cst.Assign, cst.AnnAssign, cst.NamedExpr)):
                assert parent is not None
                if isinstance(target, cst.Subscript):
                    key = self.names.binding_key(target.value)
                    return (
                        ValueFlow(FlowKind.STORED, parent, key)
                        if key
                        else ValueFlow(FlowKind.OTHER, parent)
                    )
                key = self.names.binding_key(target) if target is not None else None
                if key is None:
                    return ValueFlow(FlowKind.OTHER, parent)
                return ValueFlow(FlowKind.STORED if contained else FlowKind.ASSIGNED, parent, key)
            if isinstance(parent, cst.Return):
                return ValueFlow(FlowKind.RETURNED, parent)
            if isinstance(parent, cst.Yield):
                return ValueFlow(FlowKind.YIELDED, parent)
            if isinstance(parent, cst.Arg):
                call = self.tree.parents.get(parent)
                if isinstance(call, cst.Call) and parent.keyword is None:
                    func = call.func
                    if isinstance(func, cst.Attribute) and func.attr.value in STORE_METHODS:
                        key = self.names.binding_key(func.value)
                        if key is not None:
                            return ValueFlow(FlowKind.STORED, call, key)
                    return ValueFlow(FlowKind.ARGUMENT, call)
                return ValueFlow(FlowKind.OTHER, parent)
            return ValueFlow(FlowKind.OTHER, parent if parent is not None else current)
