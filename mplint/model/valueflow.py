"""Value flow: where a value of this module travels, as far as the module spells it out.

It knows, without asking what any value is:

- what a **container variable** receives (:meth:`Dataflow.stores`): ``append``/``appendleft``/``add``/
  ``insert``/``extend``/``setdefault``, ``c[k] = v``, ``c += [v]``, for a local, a module global, an
  attribute of ``self`` or of an instance of one of the module's classes;
- the **attributes of the module's instances** (:meth:`Dataflow.attribute_key`,
  :meth:`Dataflow.attribute_sources`): ``self.x`` in every method of the class and of its module bases,
  and ``obj.x`` where ``obj`` holds an instance made by ``Cls(...)`` (also stores made from outside,
  ``obj.x = v``), tuple unpacking and loop targets included;
- what a **parameter** receives from the direct calls of its function (:meth:`Dataflow.argument_sources`,
  context-insensitive: every call site counts; submissions to processes and pools are the inference's
  business);
- the **sources** of an expression (:meth:`Dataflow.sources`): followed through variables, tuple
  unpacking, parameters, attributes, subscripts (``d["k"]`` reads the slot of that constant key) and
  iteration of containers, and the return values of the module's functions, at most
  :data:`MAX_FLOW_DEPTH` steps deep. A source is an expression that none of those steps can see
  through (a call of a library, a lambda, the name of a def …);
- the **functions a call runs** (:meth:`Dataflow.call_target`, :meth:`Dataflow.callees`), methods of
  the module's instances included.

Unknown stays unknown: None answers where some path cannot be followed."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Optional

import libcst as cst

from mplint.model.names import Binding, BindingKind, ClassInfo, SelfAttr, VarKey
from mplint.model.syntax import FunctionNode, element_at, is_classmethod, string_value

if TYPE_CHECKING:
    from mplint.model.callgraph import CallGraph
    from mplint.model.names import Names
    from mplint.model.tree import Tree


#: How many steps :meth:`Dataflow.sources` follows (a variable, a parameter, an attribute …).
MAX_FLOW_DEPTH = 8

#: Methods that put one argument into the container they are called on, by its position.
_ITEM_STORES = {"append": 0, "appendleft": 0, "add": 0, "insert": 1, "setdefault": 1}
#: Methods that put every item of their argument into the container.
_SPREAD_STORES = frozenset({"extend", "extendleft"})
#: Calls that make an empty container (its items come from the stores).
_EMPTY_CONTAINERS = frozenset(
    {
        "builtins.list",
        "builtins.dict",
        "builtins.set",
        "collections.deque",
        "collections.OrderedDict",
    }
)


@dataclass(frozen=True)
class Source:
    """A value reached through the flow: the value at ``path`` (tuple unpacking positions) within
    ``expr`` or, when ``items`` is true, within one item of ``expr`` (a loop target, ``extend``)."""

    expr: cst.BaseExpression
    path: tuple[int, ...] = ()
    items: bool = False
    #: Stored by key (``c[k] = v``, ``setdefault``): the container is a mapping.
    keyed: bool = False
    #: The constant string key it is stored under (``{"a": v}``, ``c["a"] = v``), when there is one.
    slot: Optional[str] = None


def constant_key(subscript: cst.Subscript) -> Optional[str]:
    """``"a"`` for ``c["a"]``: the one constant string key a subscript reads or writes."""
    if len(subscript.slice) != 1 or not isinstance(subscript.slice[0].slice, cst.Index):
        return None
    return string_value(subscript.slice[0].slice.value)


#: What a parameter may be bound to, from every site that runs its function (the inference's reading).
ParamSources = Callable[[Binding], Optional[list[cst.BaseExpression]]]


class _Marks(set[tuple[cst.CSTNode, tuple[int, ...], bool]]):
    """The values one :meth:`Dataflow.sources` walk has reached, whether it looks through the calls
    of the module's functions to what they return, and what else binds a parameter."""

    def __init__(self, returns: bool, params: Optional[ParamSources]) -> None:
        super().__init__()
        self.returns = returns
        self.params = params


#: One call of a function: positional arguments, whether they are all of them, keyword arguments.
CallSite = tuple[list[cst.BaseExpression], bool, Optional[dict[str, cst.BaseExpression]]]


def bind_argument(
    param: cst.Param,
    position: int,
    positional: Sequence[cst.BaseExpression],
    complete: bool,
    keywords: Optional[dict[str, cst.BaseExpression]],
) -> Optional[cst.BaseExpression]:
    """What one call site binds to ``param`` (``position`` is -1 for keyword-only parameters)."""
    if 0 <= position < len(positional):
        return positional[position]
    name = param.name.value
    if keywords is not None and name in keywords:
        return keywords[name]
    if not complete or keywords is None:
        return None
    return param.default


def is_none(expr: cst.CSTNode) -> bool:
    return isinstance(expr, cst.Name) and expr.value == "None"


@dataclass(eq=False)
class Dataflow:
    """Where values travel in one module (see the module docstring)."""

    tree: Tree
    names: Names
    callgraph: CallGraph
    _stores: Optional[dict[VarKey, list[Source]]] = field(default=None, init=False, repr=False)
    _outside_attributes: Optional[dict[SelfAttr, list[Source]]] = field(
        default=None, init=False, repr=False
    )
    _loads_by_name: dict[str, dict[SelfAttr, list[cst.Attribute]]] = field(
        default_factory=dict, init=False, repr=False
    )
    _attribute_keys: dict[cst.Attribute, Optional[SelfAttr]] = field(
        default_factory=dict, init=False, repr=False
    )

    # --- keys ------------------------------------------------------------------------------------------
    def key_of(self, expr: cst.BaseExpression) -> Optional[VarKey]:
        """The variable ``expr`` reads: a local or global (``LocalVar``) or an instance attribute
        (``SelfAttr``, also ``obj.x`` for an instance of a module class)."""
        if isinstance(expr, cst.Name):
            return self.names.binding_key(expr)
        if isinstance(expr, cst.Attribute):
            return self.attribute_key(expr)
        return None

    def attribute_key(self, expr: cst.Attribute) -> Optional[SelfAttr]:
        """``self.x`` in a method, or ``obj.x`` where ``obj`` holds an instance of a module class (kept
        per node: it is asked of every attribute that is called or read, many times over)."""
        try:
            return self._attribute_keys[expr]
        except KeyError:
            pass
        key = self.names.binding_key(expr)
        if not isinstance(key, SelfAttr):
            info = self.instance_class(expr.value)
            key = SelfAttr(info.node, expr.attr.value) if info is not None else None
        self._attribute_keys[expr] = key
        return key

    def attribute_loads(self, key: SelfAttr) -> list[cst.Attribute]:
        """The uses of the attribute ``key`` other than assignments to it (``self.pool.map``,
        ``w.pool`` for an instance ``w`` of the class), in source order."""
        by_key = self._loads_by_name.get(key.attr)
        if by_key is None:  # every use of the name is keyed once
            by_key = {}
            for node in self.tree.attributes_named(key.attr):
                if isinstance(self.tree.parent(node), cst.AssignTarget):
                    continue
                found = self.attribute_key(node)
                if found is not None:
                    by_key.setdefault(found, []).append(node)
            self._loads_by_name[key.attr] = by_key
        return list(by_key.get(key, ()))

    def instance_class(self, expr: cst.BaseExpression, depth: int = 0) -> Optional[ClassInfo]:
        """The module class whose instance ``expr`` holds: ``self`` in a method, a variable or an
        attribute whose every value is ``Cls(...)`` of one module class."""
        if depth > 3:
            return None
        if isinstance(expr, cst.Call):
            return self.names.resolve_class(expr.func)
        if isinstance(expr, cst.Attribute):
            key = self.names.binding_key(expr)
            if not isinstance(key, SelfAttr):
                return None
            values = [s for s in self.attribute_sources(key, outside=False) if not is_none(s.expr)]
            return self._one_class(values, depth)
        if not isinstance(expr, cst.Name):
            return None
        bindings = self.names.lookup(expr.value, expr)
        if len(bindings) == 1 and bindings[0].how is BindingKind.PARAM:
            own = self.names.self_class(bindings[0])
            if own is not None:
                return own
            arguments = self.argument_sources(bindings[0])  # None for ``self`` and ``cls``
            return self._one_class([Source(a) for a in arguments or []], depth)
        if not bindings or any(b.how is not BindingKind.ASSIGN for b in bindings):
            return None
        values = [
            Source(b.value, b.path)
            for b in bindings
            if b.value is not None and not is_none(b.value)
        ]
        return self._one_class(values, depth)

    def _one_class(self, values: list[Source], depth: int) -> Optional[ClassInfo]:
        found: Optional[ClassInfo] = None
        for source in values:
            value = element_at(source.expr, source.path) if not source.items else None
            info = self.instance_class(value, depth + 1) if value is not None else None
            if info is None or (found is not None and info is not found):
                return None
            found = info
        return found

    def method_calls_to(self, method: cst.FunctionDef) -> list[cst.Call]:
        """Calls ``x.method(...)`` of a method of a module class where ``x`` holds an instance of
        that class or of a subclass (``self`` in its methods, a variable, a parameter or an attribute
        given ``Cls(...)``), in source order."""
        info = self.names.enclosing_class(method)
        if info is None or not self.names.is_method(method):
            return []
        out: list[cst.Call] = []
        for call in self.tree.method_calls.get(method.name.value, []):
            func = call.func
            assert isinstance(func, cst.Attribute)
            owner = self.instance_class(func.value)
            if (
                owner is not None
                and any(c is info for c in self.names.lineage(owner))
                and self.names.class_method(owner, method.name.value) is method
            ):
                out.append(call)
        return out

    def call_target(self, call: cst.Call) -> Optional[FunctionNode]:
        """The function of this module ``call`` runs: what the call graph resolves, or a method of a
        module class called on a variable, parameter or attribute holding one of its instances
        (``job = Job(); job.run()``)."""
        found = self.names.resolve_function(call.func)
        if found is not None or not isinstance(call.func, cst.Attribute):
            return found
        info = self.instance_class(call.func.value)
        method = self.names.class_method(info, call.func.attr.value) if info is not None else None
        if method is None or is_classmethod(method) or not self.names.is_method(method):
            return None
        return method

    def callees(self, function: FunctionNode) -> list[FunctionNode]:
        """The functions of this module ``function``'s body calls, the methods of instances included
        (see :meth:`call_target`); for :meth:`CallGraph.call_chains`."""
        out: list[FunctionNode] = []
        for call in self.callgraph.function_calls(function):
            target = self.call_target(call)
            if target is not None and target is not function and target not in out:
                out.append(target)
        return out

    # --- attributes ------------------------------------------------------------------------------------
    def attribute_sources(self, key: SelfAttr, *, outside: bool = True) -> list[Source]:
        """Every value assigned to the instance attribute ``key``: by the methods of its class and of
        the class's module bases (``self.x = v``, ``self.a, self.b = v``, ``for self.x in v``) and, with
        ``outside``, through instances elsewhere (``obj.x = v``)."""
        info = self.names.class_of_node.get(key.cls)
        if info is None:
            return []
        out: list[Source] = []
        for cls in self.names.lineage(info):
            for target in cls.attribute_targets.get(key.attr, []):
                source = self.target_source(target)
                if source is not None:
                    out.append(source)
        if outside:
            out.extend(self._outside_attribute_sources().get(key, []))
        return out

    def attribute_assigned_elsewhere(self, key: SelfAttr) -> bool:
        """Some target assigning the attribute has no value this module can read (``del``, ``with``,
        augmented assignment …)."""
        info = self.names.class_of_node.get(key.cls)
        if info is None:
            return True
        return any(
            self.target_source(target) is None
            for cls in self.names.lineage(info)
            for target in cls.attribute_targets.get(key.attr, [])
        )

    def _outside_attribute_sources(self) -> dict[SelfAttr, list[Source]]:
        if self._outside_attributes is None:
            found: dict[SelfAttr, list[Source]] = {}
            for stores in self.tree.attribute_stores.values():
                for target in stores:
                    if isinstance(self.names.binding_key(target), SelfAttr):
                        continue  # the class's own methods: in attribute_targets already
                    info = self.instance_class(target.value)
                    source = self.target_source(target)
                    if info is not None and source is not None:
                        found.setdefault(SelfAttr(info.node, target.attr.value), []).append(source)
            self._outside_attributes = found
        return self._outside_attributes

    def target_source(self, target: cst.CSTNode) -> Optional[Source]:
        """What an assignment target receives: ``x = v``, ``a, x = v`` (a path), ``for x in v`` (the
        items), ``x: T = v``. None for other targets."""
        path: list[int] = []
        child: cst.CSTNode = target
        parent = self.tree.parents.get(target)
        while isinstance(parent, (cst.Element, cst.Tuple, cst.List)):
            if isinstance(parent, (cst.Tuple, cst.List)):
                index = next(
                    (i for i, e in enumerate(parent.elements) if e is child),
                    None,
                )
                if index is None:
                    return None
                path.insert(0, index)
            child, parent = parent, self.tree.parents.get(parent)
        if isinstance(parent, cst.AssignTarget) and parent.target is child:
            assign = self.tree.parents.get(parent)
            if isinstance(assign, cst.Assign):
                return Source(assign.value, tuple(path))
        if (
            isinstance(parent, cst.AnnAssign)
            and parent.target is child
            and parent.value is not None
        ):
            return Source(parent.value, tuple(path))
        if isinstance(parent, (cst.For, cst.CompFor)) and parent.target is child:
            return Source(parent.iter, tuple(path), items=True)
        return None

    # --- containers ------------------------------------------------------------------------------------
    def stores(self, key: VarKey) -> list[Source]:
        """What the container variable ``key`` receives after it is made (see the module docstring),
        each as a :class:`Source` (``items`` for ``extend``, ``keyed`` for ``c[k] = v``)."""
        if self._stores is None:
            self._stores = self._index_stores()
        return self._stores.get(key, [])

    def _index_stores(self) -> dict[VarKey, list[Source]]:
        index: dict[VarKey, list[Source]] = {}

        def add(receiver: cst.BaseExpression, source: Source) -> None:
            key = self.key_of(receiver)
            if key is not None:
                index.setdefault(key, []).append(source)

        for method, position in _ITEM_STORES.items():
            for call in self.tree.method_calls.get(method, []):
                func = call.func
                assert isinstance(func, cst.Attribute)
                args = call.args
                if len(args) != position + 1 or any(a.keyword or a.star for a in args):
                    continue
                keyed = method == "setdefault"
                slot = string_value(args[0].value) if keyed else None
                add(func.value, Source(args[position].value, keyed=keyed, slot=slot))
        for method in _SPREAD_STORES:
            for call in self.tree.method_calls.get(method, []):
                func = call.func
                assert isinstance(func, cst.Attribute)
                if len(call.args) == 1 and not call.args[0].keyword and not call.args[0].star:
                    value = call.args[0].value
                    add(func.value, Source(value, items=True))
        for subscript in self.tree.nodes_of(cst.Subscript):
            source = self.target_source(subscript)
            if source is not None and not source.items:
                slot = constant_key(subscript)
                add(subscript.value, Source(source.expr, source.path, keyed=True, slot=slot))
        for augment in self.tree.nodes_of(cst.AugAssign):
            if isinstance(augment.operator, cst.AddAssign):
                add(augment.target, Source(augment.value, items=True))
        for stored in index.values():
            stored.sort(key=lambda s: self.tree.order.get(s.expr, 0))
        return index

    def stored_into(self, expr: cst.BaseExpression) -> Optional[VarKey]:
        """The container variable ``expr`` is put into, when it is the item argument of a storing
        method (``procs.append(expr)``)."""
        arg = self.tree.parents.get(expr)
        call = self.tree.parents.get(arg) if isinstance(arg, cst.Arg) else None
        if not isinstance(call, cst.Call) or not isinstance(call.func, cst.Attribute):
            return None
        position = _ITEM_STORES.get(call.func.attr.value)
        if position is None or len(call.args) != position + 1 or call.args[position] is not arg:
            return None
        return self.key_of(call.func.value)

    def is_empty_container(self, expr: cst.BaseExpression) -> bool:
        """``[]``, ``{}``, ``set()``, ``list()``, ``dict()``, ``deque()``: a container made empty, to be
        filled through :meth:`stores`."""
        if isinstance(expr, (cst.List, cst.Dict)):
            return not expr.elements
        if isinstance(expr, cst.Call) and not expr.args:
            return self.names.qualname(expr.func) in _EMPTY_CONTAINERS
        return False

    def is_mapping_display(self, expr: cst.BaseExpression) -> bool:
        if isinstance(expr, (cst.Dict, cst.DictComp)):
            return True
        return isinstance(expr, cst.Call) and self.names.qualname(expr.func) in (
            "builtins.dict",
            "collections.OrderedDict",
        )

    # --- parameters ------------------------------------------------------------------------------------
    def function_of_param(self, param: cst.Param) -> Optional[FunctionNode]:
        function = self.tree.parents.get(self.tree.parents.get(param) or param)
        return function if isinstance(function, (cst.FunctionDef, cst.Lambda)) else None

    def argument_sources(self, binding: Binding) -> Optional[list[cst.BaseExpression]]:
        """What the direct calls of a function bind to its parameter (a call site that leaves it out
        gives the default). None for ``self``/``cls``, ``*args``/``**kwargs``, a call that spreads
        ``*args``, or a function this module never calls directly."""
        param = binding.node
        if not isinstance(param, cst.Param) or binding.how is not BindingKind.PARAM:
            return None
        function = self.function_of_param(param)
        if function is None:
            return None
        if param is function.params.star_arg or param is function.params.star_kwarg:
            return None
        method = isinstance(function, cst.FunctionDef) and self.names.is_method(function)
        if method and binding.param_index == 0:
            return None
        sources: list[cst.BaseExpression] = []
        for call in self.callgraph.calls_to(function):
            found = self.call_binds(function, binding, call)
            if found is None:
                return None
            sources.append(found)
        return sources or None

    def call_binds(
        self, function: FunctionNode, binding: Binding, call: cst.Call
    ) -> Optional[cst.BaseExpression]:
        """What the direct call ``call`` of ``function`` binds to the parameter of ``binding``."""
        param = binding.node
        if not isinstance(param, cst.Param) or any(arg.star for arg in call.args):
            return None
        method = isinstance(function, cst.FunctionDef) and self.names.is_method(function)
        passes_self = (
            method
            and isinstance(function, cst.FunctionDef)
            and isinstance(call.func, cst.Attribute)
            and self.names.resolve_class(call.func.value) is not None
            and not is_classmethod(function)
        )
        position = binding.param_index - (1 if method and not passes_self else 0)
        positional = [a.value for a in call.args if a.keyword is None]
        keywords = {a.keyword.value: a.value for a in call.args if a.keyword is not None}
        return bind_argument(param, position, positional, True, keywords)

    # --- callables ---------------------------------------------------------------------------------
    def reached_functions(
        self, expr: cst.BaseExpression
    ) -> tuple[list[tuple[cst.BaseExpression, Optional[cst.Call]]], bool]:
        """The expressions naming a function of this module that the callable ``expr`` may hold (one
        per function and call site), through parameters, variables, attributes, containers and
        factories, each with the call that gave it when ``expr`` is a parameter; and whether that is
        all it may hold."""
        if not isinstance(expr, (cst.Name, cst.Attribute, cst.Subscript, cst.Call)):
            return [], False
        if isinstance(expr, cst.Call) and self.names.qualname(expr.func) == "functools.partial":
            return [], False
        sites: list[tuple[Optional[cst.Call], Optional[list[cst.BaseExpression]]]]
        binding = self.names.only_binding(expr)
        param = binding.node if binding is not None else None
        function = self.function_of_param(param) if isinstance(param, cst.Param) else None
        if binding is not None and binding.how is BindingKind.PARAM and function is not None:
            sites = []
            for call in self.callgraph.calls_to(function):
                argument = self.call_binds(function, binding, call)
                sites.append((call, self.sources(argument) if argument else None))
        else:
            sites = [(None, self.sources(expr))]
        out: list[tuple[cst.BaseExpression, Optional[cst.Call]]] = []
        seen: set[tuple[FunctionNode, Optional[cst.Call]]] = set()
        complete = bool(sites)
        for site, sources in sites:
            if sources is None:
                complete = False
                continue
            for source in sources:
                reached = self.names.resolve_function(source)
                if reached is None:
                    complete = False
                elif (reached, site) not in seen:
                    seen.add((reached, site))
                    out.append((source, site))
        return out, complete

    def bound_at(
        self, expr: Optional[cst.BaseExpression], site: Optional[cst.Call]
    ) -> Optional[cst.BaseExpression]:
        """``expr`` as the call ``site`` binds it: a parameter of the function ``site`` calls is what
        that call passes (``args`` in ``def run(target, args)`` called as ``run(f, args=(1,))``);
        anything else is itself."""
        binding = self.names.only_binding(expr) if site is not None and expr is not None else None
        if site is None or binding is None or binding.how is not BindingKind.PARAM:
            return expr
        param = binding.node
        function = self.function_of_param(param) if isinstance(param, cst.Param) else None
        if function is None or site not in self.callgraph.calls_to(function):
            return expr
        bound = self.call_binds(function, binding, site)
        return bound if bound is not None else expr

    # --- sources ---------------------------------------------------------------------------------------
    def sources(
        self,
        expr: cst.BaseExpression,
        *,
        returns: bool = True,
        params: Optional[ParamSources] = None,
    ) -> Optional[list[cst.BaseExpression]]:
        """The expressions whose value ``expr`` may hold, followed through variables, tuple unpacking,
        parameters (direct calls), instance attributes, container items (by its constant key for
        ``d["k"]``) and, with ``returns``, the returns of the module's functions (without it, a call
        of one is a source itself). ``x = None`` placeholders are skipped. None when some path is
        unknown or deeper than :data:`MAX_FLOW_DEPTH`. ``params`` answers for a parameter the direct
        calls leave unknown (a worker's, bound by its submissions)."""
        found: list[cst.BaseExpression] = []
        if not self._sources_into(Source(expr), found, _Marks(returns, params), 0) or not found:
            return None
        return found

    def _sources_into(
        self,
        source: Source,
        found: list[cst.BaseExpression],
        seen: _Marks,
        depth: int,
    ) -> bool:
        if depth > MAX_FLOW_DEPTH:
            return False
        mark = (source.expr, source.path, source.items)
        if mark in seen:
            return True  # a cycle adds nothing new
        seen.add(mark)
        expr = source.expr
        if source.items:
            return self._items_into(expr, source.path, found, seen, depth)
        if source.path:
            inner = element_at(expr, source.path)
            if inner is not None:
                return self._sources_into(Source(inner), found, seen, depth + 1)
            if isinstance(expr, (cst.Name, cst.Attribute, cst.Call)):
                # ``a, b = pair`` where ``pair`` holds a display somewhere
                outer: list[cst.BaseExpression] = []
                if not self._sources_into(Source(expr), outer, seen, depth + 1):
                    return False
                return all(
                    self._sources_into(Source(o, source.path), found, seen, depth + 1)
                    for o in outer
                    if o is not expr
                ) and all(o is not expr for o in outer)
            return False
        if isinstance(expr, cst.Name):
            if is_none(expr):
                return True
            bindings = self.names.lookup(expr.value, expr)
            if not bindings or all(
                b.how in (BindingKind.DEF, BindingKind.CLASS, BindingKind.IMPORT) for b in bindings
            ):
                found.append(expr)
                return True
            return all(self._binding_into(b, found, seen, depth) for b in bindings)
        if isinstance(expr, cst.Attribute):
            key = self.attribute_key(expr)
            if key is None or self.names.resolve_function(expr) is not None:
                found.append(expr)  # a method, or an attribute of something else: itself
                return True
            if self.attribute_assigned_elsewhere(key):
                return False
            values = self.attribute_sources(key)
            if not values:
                return False
            return all(
                is_none(v.expr) or self._sources_into(v, found, seen, depth + 1) for v in values
            )
        if isinstance(expr, cst.Subscript):
            return self._items_into(expr.value, (), found, seen, depth, constant_key(expr))
        if isinstance(expr, cst.Call):
            function = self.names.resolve_function(expr.func) if seen.returns else None
            if isinstance(function, cst.FunctionDef) and not self.names.is_method(function):
                returns = [r.value for r in self.tree.returns.get(function, [])]
                if not returns or any(r is None for r in returns):
                    return False
                return all(
                    self._sources_into(Source(r), found, seen, depth + 1)
                    for r in returns
                    if r is not None
                )
        found.append(expr)
        return True

    def _binding_into(
        self,
        binding: Binding,
        found: list[cst.BaseExpression],
        seen: _Marks,
        depth: int,
    ) -> bool:
        if binding.how is BindingKind.PARAM:
            arguments = self.argument_sources(binding)
            if arguments is None and seen.params is not None:
                arguments = seen.params(binding)
            return arguments is not None and all(
                self._sources_into(Source(a), found, seen, depth + 1) for a in arguments
            )
        if binding.how in (BindingKind.ASSIGN, BindingKind.FOR) and binding.value is not None:
            if is_none(binding.value) and not binding.path and not binding.iterates:
                return True
            return self._sources_into(
                Source(binding.value, binding.path, binding.iterates), found, seen, depth + 1
            )
        return False

    def _items_into(
        self,
        container: cst.BaseExpression,
        path: tuple[int, ...],
        found: list[cst.BaseExpression],
        seen: _Marks,
        depth: int,
        slot: Optional[str] = None,
    ) -> bool:
        """The items of ``container`` (at ``path`` within each), into ``found``; with ``slot``, only
        those that may be stored under that key (a constant key of another slot is left out)."""
        items = self.container_items(container, depth)
        if items is None:
            return False
        return all(
            self._sources_into(Source(i.expr, (*i.path, *path), i.items), found, seen, depth + 1)
            for i in items
            if slot is None or i.slot is None or i.slot == slot
        )

    def container_items(
        self, container: cst.BaseExpression, depth: int = 0
    ) -> Optional[list[Source]]:
        """What the items of the container ``container`` may be: the elements of a display, the
        element of a comprehension, the values of a dict display, and what is stored into a container
        variable made empty. ``d.values()`` gives the values; ``d.items()`` (key, value) pairs. None when
        unknown."""
        if depth > MAX_FLOW_DEPTH:
            return None
        if isinstance(container, (cst.List, cst.Tuple, cst.Set)):
            out: list[Source] = []
            for element in container.elements:
                if isinstance(element, cst.StarredElement):
                    out.append(Source(element.value, items=True))
                else:
                    out.append(Source(element.value))
            return out
        if isinstance(container, cst.Dict):
            values: list[Source] = []
            for entry in container.elements:
                if not isinstance(entry, cst.DictElement):
                    return None
                values.append(Source(entry.value, slot=string_value(entry.key)))
            return values
        if isinstance(container, (cst.ListComp, cst.SetComp, cst.GeneratorExp)):
            return [Source(container.elt)]
        if isinstance(container, cst.DictComp):
            return [Source(container.value)]
        if isinstance(container, cst.Call) and isinstance(container.func, cst.Attribute):
            method = container.func.attr.value
            if method == "values" and not container.args:
                return self.container_items(container.func.value, depth + 1)
            return None
        origins = self._container_origins(container, depth)
        if origins is None:
            return None
        collected: list[Source] = []
        for origin, key in origins:
            if self.is_empty_container(origin):
                if key is None:
                    return None
                mapping = self.is_mapping_display(origin)
                collected.extend(
                    Source(s.expr, s.path, s.items, slot=s.slot)
                    for s in self.stores(key)
                    if s.keyed is mapping or not mapping
                )
                continue
            items = self.container_items(origin, depth + 1)
            if items is None:
                return None
            collected.extend(items)
            if key is not None:
                collected.extend(
                    Source(s.expr, s.path, s.items, slot=s.slot) for s in self.stores(key)
                )
        return collected

    def _container_origins(
        self, container: cst.BaseExpression, depth: int
    ) -> Optional[list[tuple[cst.BaseExpression, Optional[VarKey]]]]:
        """The displays a container variable is made from, each with the variable's key."""
        key = self.key_of(container)
        if key is None:
            return None
        values: Iterable[Source]
        if isinstance(container, cst.Name):
            bindings = self.names.lookup(container.value, container)
            if not bindings or any(b.how is not BindingKind.ASSIGN for b in bindings):
                return None
            values = [Source(b.value, b.path) for b in bindings if b.value is not None]
        else:
            assert isinstance(key, SelfAttr)
            if self.attribute_assigned_elsewhere(key):
                return None
            values = self.attribute_sources(key)
        out: list[tuple[cst.BaseExpression, Optional[VarKey]]] = []
        for value in values:
            if value.items:
                return None
            inner = element_at(value.expr, value.path)
            if inner is None or is_none(inner):
                if inner is None:
                    return None
                continue
            if isinstance(inner, (cst.Name, cst.Attribute)) and depth < MAX_FLOW_DEPTH:
                deeper = self._container_origins(inner, depth + 1)
                if deeper is None:
                    return None
                out.extend(deeper)
                continue
            out.append((inner, key))
        return out
