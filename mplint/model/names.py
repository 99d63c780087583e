"""Scopes and bindings (what the builder found), and the queries over them: name lookup (Python's LEGB
rule), qualified names through imports and aliases, variable keys, rebinding, receivers of method calls,
classes, methods and functions of this module, and how a name is used."""

from __future__ import annotations

import enum
import keyword
from collections.abc import Hashable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, NamedTuple, Optional, Union

import libcst as cst

from mplint import api_table
from mplint.model.syntax import (
    BUILTINS,
    SCOPE_TYPES,
    FunctionNode,
    descendants,
    has_decorator,
    positional_args,
)

if TYPE_CHECKING:
    from mplint.model.tree import Tree


class BindingKind(enum.Enum):
    """What binds a name (the values the build pass produces)."""

    ASSIGN = "assign"  # ``x = …``, ``x: T = …``, ``(x := …)``, also a target of tuple unpacking
    ANNOTATION = "annotation"  # ``x: T`` without a value (``value`` is the annotation)
    IMPORT = "import"  # ``import m``, ``from m import x`` (``qualname`` is what it names)
    DEF = "def"
    CLASS = "class"
    PARAM = "param"  # a parameter of a def or lambda
    FOR = "for"  # the target of a for loop or comprehension (``iterates``)
    WITH = "with"  # ``with … as x`` (``enters``)
    EXCEPT = "except"  # ``except E as x``


@dataclass
class Binding:
    """One place that binds a name: an assignment, an import, a def, a parameter, a loop target …"""

    name: str
    how: BindingKind
    node: cst.CSTNode  # the binding target (or the def/class/import alias)
    value: Optional[cst.BaseExpression] = None
    path: tuple[int, ...] = ()  # tuple-unpacking position of the target within ``value``
    qualname: Optional[str] = None  # for imports
    iterates: bool = False  # the target receives the items of ``value`` (for loops, comprehensions)
    enters: bool = False  # the target receives ``value.__enter__()`` (with items)
    param_index: int = -1  # position of a parameter in its function's signature


class LocalVar(NamedTuple):
    """A variable of a scope: a module global (``scope`` is the module), a function's local, a name of a
    class body."""

    scope: cst.CSTNode
    name: str


class SelfAttr(NamedTuple):
    """An attribute of the instances of a module class, as its methods read and write it (``self.x``)."""

    cls: cst.ClassDef
    attr: str


#: What :meth:`Names.binding_key` names: one variable, wherever it is read or written.
VarKey = Union[LocalVar, SelfAttr]


@dataclass
class Scope:
    node: cst.CSTNode  # Module, FunctionDef, Lambda or ClassDef
    parent: Optional[Scope]
    bindings: dict[str, list[Binding]] = field(default_factory=dict)
    global_names: set[str] = field(default_factory=set)
    nonlocal_names: set[str] = field(default_factory=set)

    @property
    def is_class(self) -> bool:
        return type(self.node) is cst.ClassDef

    def add(self, binding: Binding) -> None:
        self.bindings.setdefault(binding.name, []).append(binding)


@dataclass
class ClassInfo:
    node: cst.ClassDef
    name: str
    bases: list[cst.BaseExpression]
    methods: dict[str, cst.FunctionDef] = field(default_factory=dict)
    attributes: dict[str, list[cst.BaseExpression]] = field(default_factory=dict)
    attribute_targets: dict[str, list[cst.Attribute]] = field(default_factory=dict)


#: Methods that put their argument into the container they are called on.
STORE_METHODS = frozenset({"append", "appendleft", "add", "insert", "extend", "put", "put_nowait"})


#: How many levels of module-level base classes the model follows.
MAX_BASE_DEPTH = 6


class Names:
    """Scopes, bindings and the queries over them (see the module docstring)."""

    def __init__(self, tree: Tree) -> None:
        self.tree = tree
        self.module_scope = Scope(tree.module, None)
        self.scopes: dict[cst.CSTNode, Scope] = {tree.module: self.module_scope}
        self.functions: dict[str, cst.FunctionDef] = {}
        self.classes: dict[str, ClassInfo] = {}
        self.class_of_node: dict[cst.ClassDef, ClassInfo] = {}
        self.imported_modules: set[str] = set()
        self.star_imports: list[str] = []
        self._scope_memo: dict[cst.CSTNode, Scope] = {}
        self._key_memo: dict[cst.CSTNode, Optional[VarKey]] = {}
        self._qualname_memo: dict[cst.CSTNode, Optional[str]] = {}
        self._function_memo: dict[cst.CSTNode, Optional[FunctionNode]] = {}
        self._lookup_memo: dict[cst.Name, tuple[Optional[Scope], Optional[list[Binding]]]] = {}
        # Indexes built on first use, once the build pass is done (see ``calls_on``, ``references``).
        self._calls_by_receiver: dict[str, dict[VarKey, list[cst.Call]]] = {}
        self._names_by_key: dict[str, dict[VarKey, list[cst.Name]]] = {}

    def enclosing_class(self, node: cst.CSTNode) -> Optional[ClassInfo]:
        for ancestor in self.tree.ancestors(node):
            if type(ancestor) is cst.ClassDef:  # exact type: isinstance() on libcst's ABCs is slow
                return self.class_of_node.get(ancestor)
        return None

    def scope_of(self, node: cst.CSTNode) -> Scope:
        """The scope a name at ``node`` is looked up in first (kept for ``node`` and for the ancestors
        climbed through to find it, which share it: the names of one statement climb once)."""
        memo = self._scope_memo
        found = memo.get(node)
        if found is not None:
            return found
        parents = self.tree.parents
        climbed = [node]
        scope = self.module_scope
        ancestor = parents.get(node)
        while ancestor is not None:
            if type(ancestor) in SCOPE_TYPES:
                inner = self.scopes.get(ancestor)
                if inner is not None:
                    scope = inner
                    break
            known = memo.get(ancestor)
            if known is not None:
                scope = known
                break
            climbed.append(ancestor)
            ancestor = parents.get(ancestor)
        for below in climbed:
            memo[below] = scope
        return scope

    def lookup(self, name: str, at: cst.CSTNode) -> list[Binding]:
        """The bindings a name at ``at`` may refer to (Python's LEGB rule; class bodies skipped)."""
        return self.lookup_in_scope(name, at)[1]

    def lookup_in_scope(self, name: str, at: cst.CSTNode) -> tuple[Optional[Scope], list[Binding]]:
        """Like :meth:`lookup`, with the scope that holds the bindings (kept per node for a name looked
        up where it is written, as nearly every lookup is)."""
        if type(at) is not cst.Name or at.value != name:
            return self._lookup_in_scope(name, at)
        kept = self._lookup_memo.get(at)
        if kept is None:
            scope, found = self._lookup_in_scope(name, at)
            kept = self._lookup_memo[at] = (scope, found or None)
        return kept[0], kept[1] if kept[1] is not None else []

    def _lookup_in_scope(self, name: str, at: cst.CSTNode) -> tuple[Optional[Scope], list[Binding]]:
        scope: Optional[Scope] = self.scope_of(at)
        first = True
        while scope is not None:
            if name in scope.global_names:
                return self.module_scope, self.module_scope.bindings.get(name, [])
            if not (scope.is_class and not first):
                found = scope.bindings.get(name)
                if found:
                    return scope, found
            first = False
            scope = scope.parent
        return None, []

    def qualname(self, expr: cst.BaseExpression) -> Optional[str]:
        """The dotted name ``expr`` stands for, through imports and aliases (``mp.Pool`` ->
        ``multiprocessing.Pool``); ``builtins.X`` for unbound builtins; None when unknown (kept per
        node: the bindings are complete after the build pass)."""
        try:
            return self._qualname_memo[expr]
        except KeyError:
            found = self._qualname_memo[expr] = self._qualname(expr, 0)
            return found

    def _qualname(self, expr: cst.BaseExpression, depth: int) -> Optional[str]:
        if depth > 8:
            return None
        # exact types: isinstance() on libcst's ABCs is slow
        if type(expr) is cst.Attribute:
            base = self._qualname(expr.value, depth + 1)
            return f"{base}.{expr.attr.value}" if base is not None else None
        if type(expr) is not cst.Name:
            return None
        bindings = self.lookup(expr.value, expr)
        if not bindings:
            for module in self.star_imports:
                if api_table.constructor_kind(f"{module}.{expr.value}") is not None:
                    return f"{module}.{expr.value}"
            return f"builtins.{expr.value}" if expr.value in BUILTINS else None
        names: set[Optional[str]] = set()
        for binding in bindings:
            if binding.how is BindingKind.IMPORT:
                names.add(binding.qualname)
            elif (
                binding.how is BindingKind.ASSIGN
                and not binding.path
                and isinstance(binding.value, (cst.Name, cst.Attribute))
                and binding.node is not expr
            ):
                names.add(self._qualname(binding.value, depth + 1))
            elif binding.how in (BindingKind.DEF, BindingKind.CLASS):
                names.add(None)
            else:
                return None
        if len(names) == 1:
            return names.pop()
        return None

    def binding_key(self, expr: cst.BaseExpression) -> Optional[VarKey]:
        """A key naming the variable ``expr`` reads: a :class:`LocalVar` or a :class:`SelfAttr`
        (asked after the build pass, when the scopes are complete; kept per node)."""
        try:
            return self._key_memo[expr]
        except KeyError:
            key = self._key_memo[expr] = self._binding_key(expr)
            return key

    def _binding_key(self, expr: cst.BaseExpression) -> Optional[VarKey]:
        if type(expr) is cst.Name:
            scope: Optional[Scope] = self.scope_of(expr)
            first = True
            while scope is not None:
                if expr.value in scope.global_names:
                    return LocalVar(self.tree.module, expr.value)
                if not (scope.is_class and not first) and expr.value in scope.bindings:
                    return LocalVar(scope.node, expr.value)
                first = False
                scope = scope.parent
            return LocalVar(self.tree.module, expr.value)
        if type(expr) is cst.Attribute and type(expr.value) is cst.Name:
            function = self.tree.enclosing_function_node(expr)
            if (
                isinstance(function, cst.FunctionDef)
                and function.params.params
                and function.params.params[0].name.value == expr.value.value
            ):
                info = self.enclosing_class(expr)  # the cheap test first: most attributes fail it
                if info is not None:
                    return SelfAttr(info.node, expr.attr.value)
        return None

    def assignments_of(self, key: VarKey) -> list[cst.CSTNode]:
        """Nodes that (re)bind the variable named by ``key``."""
        if isinstance(key, SelfAttr):
            info = self.class_of_node.get(key.cls)
            if info is None:
                return []
            return list(info.attribute_targets.get(key.attr, []))
        scope = self.scopes.get(key.scope)
        if scope is None:
            return []
        return [b.node for b in scope.bindings.get(key.name, []) if b.how is not BindingKind.PARAM]

    def rebound_between(self, key: VarKey, a: cst.CSTNode, b: cst.CSTNode) -> bool:
        """Some assignment to the variable lies strictly between ``a`` and ``b`` in the source."""
        low, high = self.tree.order.get(a, -1), self.tree.order.get(b, -1)
        return any(low < self.tree.order.get(node, -1) < high for node in self.assignments_of(key))

    def calls_on(self, key: VarKey, methods: Iterable[str]) -> list[cst.Call]:
        """Calls ``X.method(...)`` whose receiver is the variable named by ``key``, in source order."""
        found: list[cst.Call] = []
        for method in methods:
            found.extend(self._receivers_of(method).get(key, ()))
        found.sort(key=lambda c: self.tree.order.get(c, 0))
        return found

    def _receivers_of(self, method: str) -> dict[VarKey, list[cst.Call]]:
        """The calls ``X.method(...)`` by the variable their receiver names (built once per method)."""
        index = self._calls_by_receiver.get(method)
        if index is None:
            index = {}
            for call in self.tree.method_calls.get(method, []):
                func = call.func
                if isinstance(func, cst.Attribute):
                    key = self.binding_key(func.value)
                    if key is not None:
                        index.setdefault(key, []).append(call)
            self._calls_by_receiver[method] = index
        return index

    def is_method(self, function: cst.FunctionDef) -> bool:
        """A function defined in a class body, other than a ``staticmethod``."""
        parent = self.tree.parents.get(function)
        owner = self.tree.parents.get(parent) if parent is not None else None
        return isinstance(owner, cst.ClassDef) and not has_decorator(function, "staticmethod")

    def self_class(self, binding: Binding) -> Optional[ClassInfo]:
        """The class whose instance ``binding`` stands for when it is the first parameter (``self``) of
        one of the class's instance methods; None for any other binding."""
        if binding.how is not BindingKind.PARAM or binding.param_index != 0:
            return None
        function = self.tree.enclosing_function_node(binding.node)
        info = self.enclosing_class(binding.node)
        if (
            info is not None
            and isinstance(function, cst.FunctionDef)
            and self.is_method(function)
            and not has_decorator(function, "classmethod")
        ):
            return info
        return None

    def only_binding(self, expr: cst.BaseExpression) -> Optional[Binding]:
        """The one binding the name ``expr`` can refer to; None for anything else, or several bindings."""
        if not isinstance(expr, cst.Name):
            return None
        bindings = self.lookup(expr.value, expr)
        return bindings[0] if len(bindings) == 1 else None

    def resolve_class(self, expr: cst.BaseExpression) -> Optional[ClassInfo]:
        """The module-level class ``expr`` names, if any."""
        if type(expr) is cst.Name:
            bindings = self.lookup(expr.value, expr)
            if len(bindings) == 1 and bindings[0].how is BindingKind.CLASS:
                node = bindings[0].node
                if isinstance(node, cst.ClassDef):
                    return self.class_of_node.get(node)
        return None

    def lineage(self, info: ClassInfo, depth: int = MAX_BASE_DEPTH) -> Iterator[ClassInfo]:
        """The class, then its bases defined in this module, depth first in the order of the bases
        (as Python's method resolution order does for single inheritance), at most ``depth`` levels up;
        a base defined elsewhere ends its line."""
        yield info
        if depth <= 0:
            return
        for base in info.bases:
            parent = self.resolve_class(base)
            if parent is not None and parent is not info:
                yield from self.lineage(parent, depth - 1)

    def class_method(self, info: ClassInfo, name: str) -> Optional[cst.FunctionDef]:
        """A method defined by the class or by one of its module-level bases."""
        return next((c.methods[name] for c in self.lineage(info) if name in c.methods), None)

    def resolve_function(self, expr: cst.BaseExpression) -> Optional[FunctionNode]:
        """The def or lambda ``expr`` refers to in this module: a name, ``self.method``, ``partial(f, …)``
        (kept per node, like :meth:`binding_key`)."""
        try:
            return self._function_memo[expr]
        except KeyError:
            found = self._function_memo[expr] = self._resolve_function(expr)
            return found

    def _resolve_function(self, expr: cst.BaseExpression) -> Optional[FunctionNode]:
        # exact types: isinstance() on libcst's ABCs is slow
        if type(expr) is cst.Lambda:
            return expr
        if type(expr) is cst.Call and self.qualname(expr.func) == "functools.partial":
            inner = positional_args(expr)
            return self.resolve_function(inner[0].value) if inner else None
        if type(expr) is cst.Name:
            bindings = self.lookup(expr.value, expr)
            if len(bindings) == 1:
                binding = bindings[0]
                if binding.how is BindingKind.DEF and isinstance(binding.node, cst.FunctionDef):
                    return binding.node
                if binding.how is BindingKind.ASSIGN and isinstance(binding.value, cst.Lambda):
                    return binding.value
            return None
        if type(expr) is cst.Attribute and type(expr.value) is cst.Name:
            key = self.binding_key(expr)
            if key is not None and isinstance(key, SelfAttr):
                info = self.class_of_node.get(key.cls)
                if info is not None:
                    return self.class_method(info, expr.attr.value)
            cls = self.resolve_class(expr.value)
            if cls is not None:
                return self.class_method(cls, expr.attr.value)
        return None

    def uses_between(self, key: VarKey, a: cst.CSTNode, b: cst.CSTNode) -> list[cst.Name]:
        """Names of the local variable ``key`` after ``a`` ends and before ``b`` starts, in source order."""
        if not isinstance(key, LocalVar):
            return []
        low, high = self.tree.end.get(a, -1), self.tree.order.get(b, -1)
        return [
            name
            for name in self.tree.name_uses(key.name)
            if low <= self.tree.order.get(name, -1) < high and self.binding_key(name) == key
        ]

    def outside_names(self, node: cst.CSTNode) -> list[tuple[cst.Name, list[Binding]]]:
        """Names read inside ``node`` (a def, class or lambda) that it does not bind itself, with their
        bindings (none for builtins and unknown names)."""
        out: list[tuple[cst.Name, list[Binding]]] = []
        header: list[cst.CSTNode] = []  # evaluated where the def/lambda/class is: defaults, bases …
        if isinstance(node, (cst.FunctionDef, cst.Lambda)):
            header.append(node.params)
        if isinstance(node, (cst.FunctionDef, cst.ClassDef)):
            header.extend(node.decorators)
        if isinstance(node, cst.FunctionDef) and node.returns is not None:
            header.append(node.returns)
        if isinstance(node, cst.ClassDef):
            header.extend([*node.bases, *node.keywords])
        for name in self.names_read_in(node):
            if any(self.tree.contains(part, name) for part in header):
                out.append((name, self.lookup(name.value, node)))
                continue
            scope, bindings = self.lookup_in_scope(name.value, name)
            if scope is not None and (scope.node is node or self.tree.contains(node, scope.node)):
                continue
            out.append((name, bindings))
        return out

    def global_reads(self, function: FunctionNode) -> dict[str, list[cst.Name]]:
        """Module-level names the function's body (nested lambdas and comprehensions included) reads,
        by name. Names it binds itself are not included."""
        out: dict[str, list[cst.Name]] = {}
        for name in self.names_read_in(function):
            scope, bindings = self.lookup_in_scope(name.value, name)
            if scope is self.module_scope and bindings:
                out.setdefault(name.value, []).append(name)
        return out

    def names_read_in(self, node: cst.CSTNode) -> list[cst.Name]:
        """The ``Name`` nodes inside ``node`` (nested defs, lambdas and comprehensions included) that read
        a variable (``x += 1`` reads it too), in source order."""
        inner = (
            self.tree.names_within(node)
            if node in self.tree.order
            else [d for d in descendants(node) if isinstance(d, cst.Name)]
        )
        return [name for name in inner if self.variable_use(name) in ("load", "augment")]

    def variable_use(self, name: cst.Name) -> Optional[str]:
        """How a ``Name`` node uses a variable: ``"load"``, ``"store"``, ``"augment"`` (``x += 1``: both),
        ``"del"``, or None when it is not a variable reference (an attribute, a keyword, a parameter, a
        ``def``/``class``/import name, a ``global`` statement)."""
        top: cst.CSTNode = name
        while isinstance(self.tree.parents.get(top), cst.Attribute):
            top = self.tree.parents[top]  # type: ignore[assignment]
        if isinstance(self.tree.parents.get(top), (cst.Import, cst.ImportAlias, cst.ImportFrom)):
            return None
        child: cst.CSTNode = name
        parent = self.tree.parents.get(name)
        while isinstance(parent, (cst.Element, cst.StarredElement, cst.Tuple, cst.List)):
            child, parent = parent, self.tree.parents.get(parent)
        target = child is not name  # part of a tuple or list
        if isinstance(parent, cst.Attribute):
            return None if parent.attr is name else "load"
        if isinstance(parent, (cst.AssignTarget, cst.AsName, cst.CompFor, cst.For, cst.NamedExpr)):
            if getattr(parent, "target", None) is child or isinstance(parent, cst.AsName):
                if isinstance(parent, cst.AsName):
                    owner = self.tree.parents.get(parent)
                    if isinstance(owner, (cst.ImportAlias, cst.ImportFrom, cst.Import)):
                        return None
                return "store"
            return "load"
        if isinstance(parent, cst.AugAssign) and parent.target is child:
            return "augment" if not target else "store"
        if isinstance(parent, cst.AnnAssign) and parent.target is child:
            return "store"
        if isinstance(parent, cst.Del):
            return "del"
        if isinstance(parent, cst.Arg) and parent.keyword is name:
            return None
        if isinstance(parent, (cst.Param, cst.FunctionDef, cst.ClassDef, cst.NameItem)):
            return None if getattr(parent, "name", None) is name else "load"
        return "load"

    def new_variable_is_safe(self, name: str, at: cst.CSTNode) -> bool:
        """Binding a new variable ``name`` in the scope of ``at`` changes the meaning of no other name:
        it is bound nowhere ``at`` can see, and no name in that scope (or nested in it) reads a global
        or builtin of that spelling."""
        if keyword.iskeyword(name) or not name.isidentifier() or not self.name_is_free(name, at):
            return False
        scope = self.scope_of(at).node
        for use in self.tree.name_uses(name):
            if self.variable_use(use) is None:
                continue
            if scope is not self.tree.module and not self.tree.contains(scope, use):
                continue
            if self.lookup_in_scope(name, use)[0] is None:
                return False  # it would read the new variable instead
        return True

    def receiver_key(self, expr: cst.BaseExpression) -> Hashable:
        """A key to compare the receivers of two method calls: the variable, or the code."""
        key = self.binding_key(expr)
        if key is not None:
            return key
        return (
            "code",
            self.tree.enclosing_function_node(expr),
            self.tree.module.code_for_node(expr),
        )

    def name_is_free(self, name: str, at: cst.CSTNode) -> bool:
        """``name`` is bound nowhere ``at`` can see (and not at module level): a new module-level
        import of it would be visible there and shadow nothing."""
        return (
            not self.lookup(name, at)
            and name not in self.module_scope.bindings
            and not self.star_imports
            and name not in BUILTINS
        )

    def visible_import(self, name: str, at: cst.CSTNode) -> Optional[str]:
        """The qualified name ``name`` stands for at ``at`` when it is bound only by imports of it."""
        bindings = self.lookup(name, at)
        quals = {b.qualname for b in bindings if b.how is BindingKind.IMPORT}
        if bindings and len(quals) == 1 and all(b.how is BindingKind.IMPORT for b in bindings):
            return quals.pop()
        return None

    def references(self, key: VarKey) -> list[cst.Name]:
        """Every ``Name`` in the module that reads or binds the variable named by ``key``."""
        if not isinstance(key, LocalVar):
            return []
        index = self._names_by_key.get(key.name)
        if index is None:  # the names of that spelling by variable, built once per spelling
            index = {}
            for name in self.tree.name_uses(key.name):
                found = self.binding_key(name)
                if found is not None:
                    index.setdefault(found, []).append(name)
            self._names_by_key[key.name] = index
        return list(index.get(key, ()))

    def variable_loads(self, key: VarKey) -> list[cst.Name]:
        """The names that read the local (or module) variable ``key``, in source order."""
        return [n for n in self.references(key) if self.variable_use(n) in ("load", "augment")]

    def container_reads(self, key: VarKey) -> list[cst.Name]:
        """The reads of a container variable other than as the receiver of a storing method
        (``handles.append(h)``, ``futures.add(f)`` …): where its items may be used."""
        out: list[cst.Name] = []
        for name in self.variable_loads(key):
            parent = self.tree.parents.get(name)
            if isinstance(parent, cst.Attribute) and parent.attr.value in STORE_METHODS:
                call = self.tree.parents.get(parent)
                if isinstance(call, cst.Call) and call.func is parent:
                    continue
            out.append(name)
        return out
