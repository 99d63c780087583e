"""The semantic model of one module: what each expression is, where it runs, and in which order.

Built in ONE pass of our own over the libcst tree (no libcst metadata providers: they cost several times
the parse). The pass records, for every node, its parent and its pre-order index, and collects scopes,
bindings, imports, functions, classes and calls. Everything else is derived lazily and memoised:

* ``qualname(expr)``: the dotted name an expression refers to, through every import form and alias;
* ``kind_of(expr)``: what an expression is (a Process, a Pool, a Queue, a list of Processes …), through
  constructors, ``get_context()``, subclasses, variables, ``with … as``, tuple unpacking, lists,
  ``for p in procs``, ``procs.append(p)``, ``self.attr``, annotations, factory functions and the arguments a
  worker receives through ``args=``;
* ``exec_context(node)``: whether a node runs at import time, under the ``__main__`` guard or in a function;
* ``dominates(a, b)``: whether ``a`` has certainly run whenever ``b`` runs (same function, no branch skips it);
* the module call graph and the worker set (functions that run in a child process).

Rules ask the model; they never resolve names themselves. Cross-module facts are unknown (None): rules
stay silent on unknowns.
"""

from __future__ import annotations

import builtins
import enum
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Callable, Optional, Union

import libcst as cst

from mplint import api_table
from mplint.kinds import Kind, KindName

__all__ = [
    "Binding",
    "Callability",
    "ExecContext",
    "FunctionNode",
    "Model",
    "Scope",
    "Submission",
    "build_model",
    "call_result_callability",
]

FunctionNode = Union[cst.FunctionDef, cst.Lambda]
_SCOPE_NODES = (cst.FunctionDef, cst.Lambda, cst.ClassDef)
_BUILTINS = frozenset(dir(builtins))
_CALL_GRAPH_DEPTH = 3

# Receivers of ``Process(...)`` keyword arguments, in the order of Process.__init__.
PROCESS_PARAMETERS = ("group", "target", "name", "args", "kwargs")


class ExecContext(enum.Enum):
    IMPORT = "import"  # runs whenever the module is imported (and re-imported by spawned children)
    GUARDED = "guarded"  # under ``if __name__ == "__main__":``
    FUNCTION = "function"  # inside a def or lambda: runs when called
    TYPING = "typing"  # under ``if TYPE_CHECKING:``: never runs


@dataclass
class Binding:
    """One place that binds a name: an assignment, an import, a def, a parameter, a loop target …"""

    name: str
    how: str  # "assign" | "import" | "def" | "class" | "param" | "for" | "with" | "global" | "del"
    node: cst.CSTNode  # the binding target (or the def/class/import alias)
    value: Optional[cst.BaseExpression] = None
    path: tuple[int, ...] = ()  # tuple-unpacking position of the target within ``value``
    qualname: Optional[str] = None  # for imports
    iterates: bool = False  # the target receives the items of ``value`` (for loops, comprehensions)
    enters: bool = False  # the target receives ``value.__enter__()`` (with items)
    param_index: int = -1  # position of a parameter in its function's signature


@dataclass
class Scope:
    node: cst.CSTNode  # Module, FunctionDef, Lambda or ClassDef
    parent: Optional[Scope]
    bindings: dict[str, list[Binding]] = field(default_factory=dict)
    global_names: set[str] = field(default_factory=set)
    nonlocal_names: set[str] = field(default_factory=set)
    appends: dict[str, list[cst.BaseExpression]] = field(default_factory=dict)

    @property
    def is_class(self) -> bool:
        return isinstance(self.node, cst.ClassDef)

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


@dataclass(frozen=True)
class Submission:
    """A call that hands a callable to another thread or process.

    ``via`` is ``"process"``/``"thread"`` (``target=``), ``"pool"``/``"executor"`` (task methods),
    ``"initializer"`` or ``"callback"``; ``owner`` is the kind of the Process/Pool/executor;
    ``callable`` the expression given; ``args`` the positional arguments the callable will receive when
    they are known element by element (``args=(a, b)``), else None.
    """

    call: cst.Call
    via: str
    owner: Kind
    callable: cst.BaseExpression
    args: Optional[tuple[cst.BaseExpression, ...]]


def _dotted(node: cst.BaseExpression) -> Optional[str]:
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        base = _dotted(node.value)
        return f"{base}.{node.attr.value}" if base is not None else None
    return None


def _string_value(node: Optional[cst.BaseExpression]) -> Optional[str]:
    if isinstance(node, cst.SimpleString):
        value = node.evaluated_value
        return value if isinstance(value, str) else None
    return None


def keyword_arg(call: cst.Call, name: str) -> Optional[cst.Arg]:
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value == name:
            return arg
    return None


def positional_args(call: cst.Call) -> list[cst.Arg]:
    """The plain positional arguments, up to the first ``*args``/keyword."""
    out: list[cst.Arg] = []
    for arg in call.args:
        if arg.keyword is not None or arg.star:
            break
        out.append(arg)
    return out


def call_argument(call: cst.Call, position: int, keyword: str) -> Optional[cst.BaseExpression]:
    """The argument bound to a parameter given by position and keyword, if it is spelled out."""
    kw = keyword_arg(call, keyword)
    if kw is not None:
        return kw.value
    positional = positional_args(call)
    if position < len(positional):
        return positional[position].value
    return None


def is_main_guard_test(test: cst.BaseExpression) -> Optional[bool]:
    """True for ``__name__ == "__main__"`` (either order, inside ``and``), False for ``!=``, else None."""
    if isinstance(test, cst.BooleanOperation) and isinstance(test.operator, cst.And):
        left = is_main_guard_test(test.left)
        return left if left is not None else is_main_guard_test(test.right)
    if not isinstance(test, cst.Comparison) or len(test.comparisons) != 1:
        return None
    target = test.comparisons[0]
    pair = (test.left, target.comparator)
    names = [n for n in pair if isinstance(n, cst.Name) and n.value == "__name__"]
    strings = [_string_value(n) for n in pair]
    if not names or "__main__" not in strings:
        return None
    if isinstance(target.operator, cst.Equal):
        return True
    if isinstance(target.operator, cst.NotEqual):
        return False
    return None


def _is_type_checking_test(test: cst.BaseExpression) -> bool:
    dotted = _dotted(test)
    return dotted in ("TYPE_CHECKING", "typing.TYPE_CHECKING", "t.TYPE_CHECKING")


class _Builder(cst.CSTVisitor):
    """The one pass: parents, order, scopes, bindings, functions, classes, calls."""

    def __init__(self, model: Model) -> None:
        super().__init__()
        self.m = model
        self.stack: list[cst.CSTNode] = []
        self.scopes: list[Scope] = [model.module_scope]
        self.counter = 0
        self.class_stack: list[ClassInfo] = []

    # Generic hooks: every node gets a parent and an order; a few types get more.
    def on_visit(self, node: cst.CSTNode) -> bool:
        m = self.m
        m.parents[node] = self.stack[-1] if self.stack else None
        m.order[node] = self.counter
        m.events.append((node, False))
        self.counter += 1
        self.stack.append(node)
        handler = _VISIT.get(type(node))
        if handler is not None:
            handler(self, node)
        return True

    def on_leave(self, original_node: cst.CSTNode) -> None:
        self.m.end[original_node] = self.counter
        self.m.events.append((original_node, True))
        self.stack.pop()
        if isinstance(original_node, _SCOPE_NODES):
            self.scopes.pop()
            if isinstance(original_node, cst.ClassDef):
                self.class_stack.pop()

    @property
    def scope(self) -> Scope:
        return self.scopes[-1]

    def _binding_scope(self, name: str) -> Scope:
        scope = self.scope
        if name in scope.global_names:
            return self.m.module_scope
        return scope

    def _bind_target(
        self,
        target: cst.BaseExpression,
        value: Optional[cst.BaseExpression],
        how: str,
        path: tuple[int, ...] = (),
        *,
        iterates: bool = False,
        enters: bool = False,
    ) -> None:
        if isinstance(target, cst.Name):
            self._binding_scope(target.value).add(
                Binding(
                    target.value,
                    how,
                    target,
                    value,
                    path,
                    iterates=iterates,
                    enters=enters,
                )
            )
        elif isinstance(target, (cst.Tuple, cst.List)):
            for index, element in enumerate(target.elements):
                inner = element.value
                if isinstance(element, cst.StarredElement):
                    self._bind_target(inner, None, how)
                else:
                    self._bind_target(
                        inner, value, how, (*path, index), iterates=iterates, enters=enters
                    )
        elif isinstance(target, cst.StarredElement):
            self._bind_target(target.value, None, how)
        elif isinstance(target, cst.Attribute) and self.class_stack:
            self._bind_self_attribute(target, value if not path and not iterates else None)

    def _bind_self_attribute(
        self, target: cst.Attribute, value: Optional[cst.BaseExpression]
    ) -> None:
        scope = self.scope
        function = scope.node
        if not (
            isinstance(function, cst.FunctionDef)
            and function.params.params
            and scope.parent is not None
            and scope.parent.is_class
        ):
            return
        first = function.params.params[0].name.value
        if not (isinstance(target.value, cst.Name) and target.value.value == first):
            return
        info = self.class_stack[-1]
        attr = target.attr.value
        info.attribute_targets.setdefault(attr, []).append(target)
        if value is not None:
            info.attributes.setdefault(attr, []).append(value)

    # --- handlers -------------------------------------------------------------------------------
    def visit_import(self, node: cst.Import) -> None:
        if isinstance(node.names, cst.ImportStar):
            return
        for alias in node.names:
            dotted = _dotted(alias.name)
            if dotted is None:
                continue
            if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                local = alias.asname.name.value
                qual = dotted
            else:
                local = dotted.split(".")[0]
                qual = local
            self._binding_scope(local).add(Binding(local, "import", alias, qualname=qual))
            if self.scope is self.m.module_scope:
                self.m.imported_modules.add(dotted)

    def visit_import_from(self, node: cst.ImportFrom) -> None:
        if node.relative or node.module is None:
            module = None
        else:
            module = _dotted(node.module)
        if isinstance(node.names, cst.ImportStar):
            if module is not None:
                self.m.star_imports.append(module)
            return
        for alias in node.names:
            if not isinstance(alias.name, cst.Name):
                continue
            name = alias.name.value
            local = name
            if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                local = alias.asname.name.value
            qual = f"{module}.{name}" if module is not None else None
            self._binding_scope(local).add(Binding(local, "import", alias, qualname=qual))

    def visit_function(self, node: cst.FunctionDef) -> None:
        self.scope.add(Binding(node.name.value, "def", node))
        if self.m.is_module_level(node):
            self.m.functions.setdefault(node.name.value, node)
        if self.scope.is_class and self.class_stack:
            self.class_stack[-1].methods.setdefault(node.name.value, node)
        new = Scope(node, self.scope)
        self.m.scopes[node] = new
        self.scopes.append(new)
        self._bind_params(node.params, new)

    def _bind_params(self, params: cst.Parameters, scope: Scope) -> None:
        for index, param in enumerate((*params.posonly_params, *params.params)):
            scope.add(Binding(param.name.value, "param", param, param_index=index))
        for param in params.kwonly_params:
            scope.add(Binding(param.name.value, "param", param))
        for star in (params.star_arg, params.star_kwarg):
            if isinstance(star, cst.Param):
                scope.add(Binding(star.name.value, "param", star))

    def visit_lambda(self, node: cst.Lambda) -> None:
        new = Scope(node, self.scope)
        self.m.scopes[node] = new
        self.scopes.append(new)
        self._bind_params(node.params, new)

    def visit_class(self, node: cst.ClassDef) -> None:
        self.scope.add(Binding(node.name.value, "class", node))
        info = ClassInfo(node, node.name.value, [arg.value for arg in node.bases])
        self.m.classes.setdefault(node.name.value, info)
        self.m.class_of_node[node] = info
        self.class_stack.append(info)
        new = Scope(node, self.scope)
        self.m.scopes[node] = new
        self.scopes.append(new)

    def visit_global(self, node: cst.Global) -> None:
        for item in node.names:
            self.scope.global_names.add(item.name.value)

    def visit_nonlocal(self, node: cst.Nonlocal) -> None:
        for item in node.names:
            self.scope.nonlocal_names.add(item.name.value)

    def visit_assign(self, node: cst.Assign) -> None:
        for target in node.targets:
            self._bind_target(target.target, node.value, "assign")

    def visit_ann_assign(self, node: cst.AnnAssign) -> None:
        if node.value is not None:
            self._bind_target(node.target, node.value, "assign")
        elif isinstance(node.target, cst.Name):
            self._binding_scope(node.target.value).add(
                Binding(node.target.value, "annotation", node.target, node.annotation.annotation)
            )

    def visit_aug_assign(self, node: cst.AugAssign) -> None:
        target = node.target
        if isinstance(target, cst.Name) and isinstance(node.operator, cst.AddAssign):
            # procs += [p]  /  procs += (p,)
            value = node.value
            if isinstance(value, (cst.List, cst.Tuple)):
                for element in value.elements:
                    self.scope.appends.setdefault(target.value, []).append(element.value)

    def visit_named_expr(self, node: cst.NamedExpr) -> None:
        self._bind_target(node.target, node.value, "assign")

    def visit_for(self, node: cst.For) -> None:
        self._bind_target(node.target, node.iter, "for", iterates=True)

    def visit_comp_for(self, node: cst.CompFor) -> None:
        self._bind_target(node.target, node.iter, "for", iterates=True)

    def visit_with_item(self, node: cst.WithItem) -> None:
        self.m.with_items.append(node)
        if node.asname is not None:
            self._bind_target(node.asname.name, node.item, "with", enters=True)

    def visit_except_handler(self, node: cst.ExceptHandler) -> None:
        if node.name is not None and isinstance(node.name.name, cst.Name):
            self._bind_target(node.name.name, None, "except")

    def visit_call(self, node: cst.Call) -> None:
        self.m.calls.append(node)
        owner = self._function_scope_node()
        if owner is not None:
            self.m.calls_by_function.setdefault(owner, []).append(node)
        func = node.func
        if isinstance(func, cst.Attribute):
            self.m.method_calls.setdefault(func.attr.value, []).append(node)
            if (
                func.attr.value == "append"
                and isinstance(func.value, cst.Name)
                and len(node.args) == 1
                and node.args[0].keyword is None
                and not node.args[0].star
            ):
                self.scope.appends.setdefault(func.value.value, []).append(node.args[0].value)

    def visit_attribute(self, node: cst.Attribute) -> None:
        parent = self.stack[-2] if len(self.stack) > 1 else None
        if isinstance(parent, cst.AssignTarget) and parent.target is node:
            self.m.attribute_stores.setdefault(node.attr.value, []).append(node)

    def _function_scope_node(self) -> Optional[FunctionNode]:
        for scope in reversed(self.scopes):
            if isinstance(scope.node, (cst.FunctionDef, cst.Lambda)):
                return scope.node
            if not scope.is_class:
                return None
        return None

    def visit_return(self, node: cst.Return) -> None:
        owner = self._function_scope_node()
        if owner is not None:
            self.m.returns.setdefault(owner, []).append(node)

    def visit_yield(self, node: cst.Yield) -> None:
        self.m.yields.append(node)

    def visit_if(self, node: cst.If) -> None:
        if is_main_guard_test(node.test) is not None:
            self.m.main_guards.append(node)


_VISIT: dict[type[cst.CSTNode], Callable[[_Builder, Any], None]] = {
    cst.Import: _Builder.visit_import,
    cst.ImportFrom: _Builder.visit_import_from,
    cst.FunctionDef: _Builder.visit_function,
    cst.Lambda: _Builder.visit_lambda,
    cst.ClassDef: _Builder.visit_class,
    cst.Global: _Builder.visit_global,
    cst.Nonlocal: _Builder.visit_nonlocal,
    cst.Assign: _Builder.visit_assign,
    cst.AnnAssign: _Builder.visit_ann_assign,
    cst.AugAssign: _Builder.visit_aug_assign,
    cst.NamedExpr: _Builder.visit_named_expr,
    cst.For: _Builder.visit_for,
    cst.CompFor: _Builder.visit_comp_for,
    cst.WithItem: _Builder.visit_with_item,
    cst.ExceptHandler: _Builder.visit_except_handler,
    cst.Call: _Builder.visit_call,
    cst.Attribute: _Builder.visit_attribute,
    cst.If: _Builder.visit_if,
    cst.Return: _Builder.visit_return,
    cst.Yield: _Builder.visit_yield,
}


class Model:
    """The semantic model of one module. Build it with :func:`build_model`."""

    def __init__(
        self,
        module: cst.Module,
        path: str = "<stdin>",
        default_start_method: Optional[str] = None,
    ) -> None:
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
        self.module_scope = Scope(module, None)
        self.scopes: dict[cst.CSTNode, Scope] = {module: self.module_scope}
        self.functions: dict[str, cst.FunctionDef] = {}
        self.classes: dict[str, ClassInfo] = {}
        self.class_of_node: dict[cst.ClassDef, ClassInfo] = {}
        self.calls: list[cst.Call] = []
        self.calls_by_function: dict[FunctionNode, list[cst.Call]] = {}
        self.returns: dict[FunctionNode, list[cst.Return]] = {}
        self.yields: list[cst.Yield] = []
        self.with_items: list[cst.WithItem] = []
        self.method_calls: dict[str, list[cst.Call]] = {}
        self.attribute_stores: dict[str, list[cst.Attribute]] = {}
        self.main_guards: list[cst.If] = []
        self.imported_modules: set[str] = set()
        self.star_imports: list[str] = []
        self._kind_memo: dict[cst.CSTNode, Optional[Kind]] = {}
        self._kind_busy: set[cst.CSTNode] = set()
        self._submissions: Optional[list[Submission]] = None
        self._worker_roots: Optional[dict[FunctionNode, list[Submission]]] = None
        self._module_start_method: Optional[tuple[Optional[str]]] = None
        # data flow and module state (see "data flow" below)
        self._calls_to: Optional[dict[FunctionNode, list[cst.Call]]] = None
        self._names: Optional[dict[str, list[cst.Name]]] = None
        self._reach: dict[FunctionNode, set[FunctionNode]] = {}

    # --- structure ---------------------------------------------------------------------------------
    @property
    def is_main_file(self) -> bool:
        """``__main__.py``: spawned children never re-run it (multiprocessing/spawn.py)."""
        return self.path.replace("\\", "/").rsplit("/", 1)[-1] == "__main__.py"

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
        for ancestor in self.ancestors(node):
            if isinstance(ancestor, (cst.FunctionDef, cst.Lambda)):
                return ancestor
        return None

    def enclosing_class(self, node: cst.CSTNode) -> Optional[ClassInfo]:
        for ancestor in self.ancestors(node):
            if isinstance(ancestor, cst.ClassDef):
                return self.class_of_node.get(ancestor)
        return None

    def scope_of(self, node: cst.CSTNode) -> Scope:
        """The scope a name at ``node`` is looked up in first."""
        for ancestor in self.ancestors(node):
            if isinstance(ancestor, _SCOPE_NODES):
                scope = self.scopes.get(ancestor)
                if scope is not None:
                    return scope
        return self.module_scope

    def is_module_level(self, node: cst.CSTNode) -> bool:
        """``node`` is not inside any def, lambda or class."""
        return not any(isinstance(a, _SCOPE_NODES) for a in self.ancestors(node))

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

    def block_of(self, statement: cst.CSTNode) -> Optional[Sequence[cst.CSTNode]]:
        parent = self.parents.get(statement)
        if isinstance(parent, (cst.IndentedBlock, cst.Module)):
            return parent.body
        if isinstance(parent, cst.SimpleStatementSuite):
            return parent.body
        return None

    def dominates(self, a: cst.CSTNode, b: cst.CSTNode) -> bool:
        """Whenever ``b`` runs, ``a`` has run before it in the same function (B3).

        ``a`` must sit in a block that encloses ``b``, before the statement holding ``b``, and not under a
        branch, loop body or ``try`` that ``b`` is outside of. Loop bodies repeat: a later statement of the
        same iteration does not dominate an earlier one.
        """
        if a is b or not self.precedes(a, b):
            return False
        sa = self.statement_of(a)
        if sa is None:
            return False
        block_a = self.block_of(sa)
        current = self.statement_of(b)
        while current is not None:
            if current is sa:
                return True  # ``a`` in the header of the compound holding ``b``, or earlier on the line
            if block_a is not None and self.block_of(current) is block_a:
                return self.precedes(sa, current)
            parent = self.parents.get(current)
            if parent is None or isinstance(parent, _SCOPE_NODES):
                return False
            # climb to the statement that owns this block (skipping else/except/finally wrappers)
            owner: Optional[cst.CSTNode] = parent
            while owner is not None and not isinstance(
                owner, (cst.SimpleStatementLine, cst.BaseCompoundStatement)
            ):
                owner = self.parents.get(owner)
            if owner is None or isinstance(owner, _SCOPE_NODES):
                return False
            current = owner
        return False

    def exec_context(self, node: cst.CSTNode) -> ExecContext:
        """When ``node`` runs: at import, under the ``__main__`` guard, when a function is called, never."""
        child: cst.CSTNode = node
        for ancestor in self.ancestors(node):
            if isinstance(ancestor, (cst.FunctionDef, cst.Lambda)):
                return ExecContext.FUNCTION
            if isinstance(ancestor, cst.If) and child is not ancestor.test:
                guard = is_main_guard_test(ancestor.test)
                in_body = child is ancestor.body
                if guard is True and in_body:
                    return ExecContext.GUARDED
                if guard is False and not in_body:
                    return ExecContext.GUARDED
                if _is_type_checking_test(ancestor.test) and in_body:
                    return ExecContext.TYPING
            child = ancestor
        return ExecContext.IMPORT

    def runs_at_import(self, node: cst.CSTNode) -> bool:
        """Runs when a spawned child re-imports this module (never for ``__main__.py``)."""
        return not self.is_main_file and self.exec_context(node) is ExecContext.IMPORT

    # --- names ---------------------------------------------------------------------------------------
    def lookup(self, name: str, at: cst.CSTNode) -> list[Binding]:
        """The bindings a name at ``at`` may refer to (Python's LEGB rule; class bodies skipped)."""
        return self.lookup_in_scope(name, at)[1]

    def lookup_in_scope(self, name: str, at: cst.CSTNode) -> tuple[Optional[Scope], list[Binding]]:
        """Like :meth:`lookup`, with the scope that holds the bindings."""
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
        ``multiprocessing.Pool``); ``builtins.X`` for unbound builtins; None when unknown."""
        return self._qualname(expr, 0)

    def _qualname(self, expr: cst.BaseExpression, depth: int) -> Optional[str]:
        if depth > 8:
            return None
        if isinstance(expr, cst.Attribute):
            base = self._qualname(expr.value, depth + 1)
            return f"{base}.{expr.attr.value}" if base is not None else None
        if not isinstance(expr, cst.Name):
            return None
        bindings = self.lookup(expr.value, expr)
        if not bindings:
            for module in self.star_imports:
                if api_table.constructor_kind(f"{module}.{expr.value}") is not None:
                    return f"{module}.{expr.value}"
            return f"builtins.{expr.value}" if expr.value in _BUILTINS else None
        names: set[Optional[str]] = set()
        for binding in bindings:
            if binding.how == "import":
                names.add(binding.qualname)
            elif (
                binding.how == "assign"
                and not binding.path
                and isinstance(binding.value, (cst.Name, cst.Attribute))
                and binding.node is not expr
            ):
                names.add(self._qualname(binding.value, depth + 1))
            elif binding.how in ("def", "class"):
                names.add(None)
            else:
                return None
        if len(names) == 1:
            return names.pop()
        return None

    def binding_key(self, expr: cst.BaseExpression) -> Optional[tuple[object, ...]]:
        """A key naming the variable ``expr`` reads: ``(scope node, name)`` or ``(class, "self", attr)``."""
        if isinstance(expr, cst.Name):
            scope: Optional[Scope] = self.scope_of(expr)
            first = True
            while scope is not None:
                if expr.value in scope.global_names:
                    return (self.module, expr.value)
                if not (scope.is_class and not first) and expr.value in scope.bindings:
                    return (scope.node, expr.value)
                first = False
                scope = scope.parent
            return (self.module, expr.value)
        if isinstance(expr, cst.Attribute) and isinstance(expr.value, cst.Name):
            info = self.enclosing_class(expr)
            function = self.enclosing_function_node(expr)
            if (
                info is not None
                and isinstance(function, cst.FunctionDef)
                and function.params.params
                and function.params.params[0].name.value == expr.value.value
            ):
                return (info.node, "self", expr.attr.value)
        return None

    def assignments_of(self, key: tuple[object, ...]) -> list[cst.CSTNode]:
        """Nodes that (re)bind the variable named by ``key``."""
        if len(key) == 3:
            info = self.class_of_node.get(key[0])  # type: ignore[call-overload]
            if info is None:
                return []
            return list(info.attribute_targets.get(str(key[2]), []))
        scope = self.scopes.get(key[0])  # type: ignore[call-overload]
        if scope is None:
            return []
        return [b.node for b in scope.bindings.get(str(key[1]), []) if b.how != "param"]

    def rebound_between(self, key: tuple[object, ...], a: cst.CSTNode, b: cst.CSTNode) -> bool:
        """Some assignment to the variable lies strictly between ``a`` and ``b`` in the source."""
        low, high = self.order.get(a, -1), self.order.get(b, -1)
        return any(low < self.order.get(node, -1) < high for node in self.assignments_of(key))

    def calls_on(self, key: tuple[object, ...], methods: Iterable[str]) -> list[cst.Call]:
        """Calls ``X.method(...)`` whose receiver is the variable named by ``key``, in source order."""
        found: list[cst.Call] = []
        for method in methods:
            for call in self.method_calls.get(method, []):
                func = call.func
                if isinstance(func, cst.Attribute) and self.binding_key(func.value) == key:
                    found.append(call)
        found.sort(key=lambda c: self.order.get(c, 0))
        return found

    # --- kinds ---------------------------------------------------------------------------------------
    def kind_of(self, expr: cst.CSTNode) -> Optional[Kind]:
        """What ``expr`` is known to be, or None."""
        if expr in self._kind_memo:
            return self._kind_memo[expr]
        if expr in self._kind_busy or len(self._kind_busy) > 40:
            return None
        self._kind_busy.add(expr)
        try:
            result = self._kind(expr)
        finally:
            self._kind_busy.discard(expr)
        self._kind_memo[expr] = result
        return result

    def _kind(self, expr: cst.CSTNode) -> Optional[Kind]:
        if isinstance(expr, cst.Call):
            return self._call_kind(expr)
        if isinstance(expr, cst.Name):
            return self._name_kind(expr)
        if isinstance(expr, cst.Attribute):
            key = self.binding_key(expr)
            if key is not None and len(key) == 3:
                info = self.class_of_node.get(key[0])  # type: ignore[call-overload]
                if info is not None:
                    return _agree(self.kind_of(v) for v in info.attributes.get(str(key[2]), []))
            return None
        if isinstance(expr, cst.Subscript):
            container = self.kind_of(expr.value)
            if container is None:
                return None
            if container.name is KindName.SEQUENCE:
                return container.item
            if container.name is KindName.TUPLE and len(expr.slice) == 1:
                index = expr.slice[0].slice
                if isinstance(index, cst.Index) and isinstance(index.value, cst.Integer):
                    position = int(index.value.value)
                    if 0 <= position < len(container.items):
                        return container.items[position]
            return None
        if isinstance(expr, (cst.List, cst.Tuple, cst.Set)):
            kinds = [self.kind_of(e.value) for e in expr.elements]
            if isinstance(expr, cst.Tuple):
                return Kind(KindName.TUPLE, items=tuple(kinds))
            item = _agree(kinds)
            return Kind(KindName.SEQUENCE, item=item) if item is not None else None
        if isinstance(expr, (cst.ListComp, cst.GeneratorExp, cst.SetComp)):
            item = self.kind_of(expr.elt)
            return Kind(KindName.SEQUENCE, item=item) if item is not None else None
        if isinstance(expr, cst.IfExp):
            return _agree([self.kind_of(expr.body), self.kind_of(expr.orelse)])
        if isinstance(expr, cst.Await):
            return None
        return None

    def _name_kind(self, name: cst.Name) -> Optional[Kind]:
        scope, bindings = self.lookup_in_scope(name.value, name)
        if not bindings or scope is None:
            return None
        kinds: list[Optional[Kind]] = []
        for binding in bindings:
            value = binding.value
            if binding.how == "assign" and not binding.path:
                if isinstance(value, cst.Name) and value.value == "None":
                    continue  # ``x = None`` placeholders do not change what x holds later
                if isinstance(value, cst.List) and not value.elements:
                    appended = scope.appends.get(binding.name, [])
                    item = _agree(self.kind_of(v) for v in appended) if appended else None
                    kinds.append(Kind(KindName.SEQUENCE, item=item) if item else None)
                    continue
            kinds.append(self._binding_kind(binding))
        return _agree(kinds)

    def _binding_kind(self, binding: Binding) -> Optional[Kind]:
        if binding.how == "param":
            return self._param_kind(binding)
        if binding.how == "annotation":
            return self._annotation_kind(binding.value)
        if binding.how not in ("assign", "for", "with") or binding.value is None:
            return None
        kind = self.kind_of(binding.value)
        if binding.iterates:
            kind = self._iteration_item(binding.value, kind)
        for index in binding.path:
            kind = _item_at(kind, index)
        if binding.enters and kind is not None and not _enter_returns_self(kind):
            return None
        return kind

    def _iteration_item(self, iterable: cst.BaseExpression, kind: Optional[Kind]) -> Optional[Kind]:
        if kind is not None and kind.name is KindName.SEQUENCE:
            return kind.item
        if kind is not None and kind.name is KindName.TUPLE:
            return _agree(kind.items)
        if isinstance(iterable, cst.Call) and self.qualname(iterable.func) in (
            "builtins.enumerate",
            "builtins.reversed",
            "builtins.list",
            "builtins.tuple",
            "builtins.sorted",
        ):
            inner = positional_args(iterable)
            if inner:
                item = self._iteration_item(inner[0].value, self.kind_of(inner[0].value))
                if self.qualname(iterable.func) == "builtins.enumerate":
                    return Kind(KindName.TUPLE, items=(None, item)) if item else None
                return item
        return None

    def _annotation_kind(self, annotation: Optional[cst.BaseExpression]) -> Optional[Kind]:
        if annotation is None:
            return None
        qual = self.qualname(annotation)
        if qual is None:
            return None
        kind = api_table.constructor_kind(qual)
        if kind is not None and kind.name not in (KindName.PIPE, KindName.CONTEXT):
            return kind
        if qual.endswith("connection.Connection"):
            return Kind(KindName.CONNECTION)
        return None

    def _param_kind(self, binding: Binding) -> Optional[Kind]:
        param = binding.node
        if isinstance(param, cst.Param) and param.annotation is not None:
            annotated = self._annotation_kind(param.annotation.annotation)
            if annotated is not None:
                return annotated
        # What every call and submission of the function binds to the parameter (see param_sources).
        sources = self.param_sources(binding)
        return _agree(self.kind_of(source) for source in sources) if sources else None

    def _is_method(self, function: cst.FunctionDef) -> bool:
        parent = self.parents.get(function)
        owner = self.parents.get(parent) if parent is not None else None
        return isinstance(owner, cst.ClassDef) and not any(
            isinstance(d.decorator, cst.Name) and d.decorator.value == "staticmethod"
            for d in function.decorators
        )

    def _call_kind(self, call: cst.Call) -> Optional[Kind]:
        func = call.func
        qual = self.qualname(func)
        if qual is not None:
            kind = api_table.constructor_kind(qual)
            if kind is not None:
                return self._finish_constructor(kind, call)
        cls = self.resolve_class(func)
        if cls is not None:
            base = self.class_base_kind(cls)
            if base is not None:
                return Kind(
                    base.name, family=base.family, method=base.method, cls=cls.name
                ).with_creator(call)
            return None
        if isinstance(func, cst.Attribute):
            receiver = self.kind_of(func.value)
            if receiver is not None:
                if receiver.name is KindName.CONTEXT and func.attr.value == "get_context":
                    return self._finish_constructor(
                        Kind(KindName.CONTEXT, family=receiver.family), call
                    )
                result = api_table.method_result_kind(receiver, func.attr.value)
                if result is not None:
                    return self._finish_constructor(result, call)
            return None
        function = self.resolve_function(func)
        if isinstance(function, cst.FunctionDef):
            return self._returned_kind(function)
        return None

    def _finish_constructor(self, kind: Kind, call: cst.Call) -> Kind:
        if kind.name is KindName.CONTEXT:
            method = api_table.start_method_literal(_string_value(call_argument(call, 0, "method")))
            kind = Kind(KindName.CONTEXT, family=kind.family, method=method)
        elif kind.name is KindName.PIPE:
            conn = Kind(KindName.CONNECTION, family=kind.family)
            kind = Kind(KindName.TUPLE, family=kind.family, items=(conn, conn))
        elif kind.name is KindName.EXECUTOR:
            context = call_argument(call, 1, "mp_context")
            context_kind = self.kind_of(context) if context is not None else None
            if context_kind is not None and context_kind.name is KindName.CONTEXT:
                kind = Kind(kind.name, family=kind.family, method=context_kind.method)
        return kind.with_creator(call)

    # --- what starts processes ---------------------------------------------------------------------------
    def process_work(self, call: cst.Call) -> Optional[tuple[str, Kind]]:
        """What ``call`` does that starts child processes, as (description, kind), else None.

        Starting a Process, creating a process Pool or ``Manager()``, starting a manager, and submitting
        to a ProcessPoolExecutor (its workers start lazily). Threads do not count.
        """
        func = call.func
        kind = self.kind_of(call)
        if kind is not None and kind.creator is call and not kind.uses_threads:
            if kind.is_process_pool:
                return f"creates a {kind.name.value}", kind
            if kind.name is KindName.MANAGER and kind.cls is None:
                # Manager() starts its server process at once; SyncManager() waits for .start()
                qual = self.qualname(func)
                if qual is None and isinstance(func, cst.Attribute):
                    qual = func.attr.value
                if qual is not None and qual.rsplit(".", 1)[-1] == "Manager":
                    return "starts a Manager", kind
        if not isinstance(func, cst.Attribute):
            return None
        receiver = self.kind_of(func.value)
        if receiver is None or receiver.uses_threads:
            return None
        method = func.attr.value
        if method == "start" and receiver.is_process:
            return f"starts a {receiver.cls or 'Process'}", receiver
        if method == "start" and receiver.name is KindName.MANAGER:
            return "starts a Manager", receiver
        if method in api_table.EXECUTOR_TASK_METHODS and receiver.name is KindName.EXECUTOR:
            return "submits to a ProcessPoolExecutor", receiver
        return None

    def starts_processes(self, function: FunctionNode) -> Optional[tuple[cst.Call, str, Kind]]:
        """The first call in the function's own body that starts child processes."""
        for call in self.function_calls(function):
            found = self.process_work(call)
            if found is not None:
                return call, found[0], found[1]
        return None

    def _returned_kind(self, function: cst.FunctionDef) -> Optional[Kind]:
        kinds: list[Optional[Kind]] = []
        for node in self._own_returns(function):
            kinds.append(self.kind_of(node.value) if node.value is not None else None)
        return _agree(kinds) if kinds else None

    def _own_returns(self, function: FunctionNode) -> list[cst.Return]:
        return self.returns.get(function, [])

    # --- classes and functions -----------------------------------------------------------------------
    def resolve_class(self, expr: cst.BaseExpression) -> Optional[ClassInfo]:
        """The module-level class ``expr`` names, if any."""
        if isinstance(expr, cst.Name):
            bindings = self.lookup(expr.value, expr)
            if len(bindings) == 1 and bindings[0].how == "class":
                node = bindings[0].node
                if isinstance(node, cst.ClassDef):
                    return self.class_of_node.get(node)
        return None

    def class_base_kind(self, info: ClassInfo, depth: int = 0) -> Optional[Kind]:
        """The library class a user class derives from (Process, Thread, a Manager, a Pool …)."""
        if depth > 5:
            return None
        for base in info.bases:
            qual = self.qualname(base)
            if qual is not None:
                kind = api_table.constructor_kind(qual)
                if kind is not None and kind.name in (
                    KindName.PROCESS,
                    KindName.THREAD,
                    KindName.POOL,
                    KindName.THREAD_POOL,
                    KindName.MANAGER,
                    KindName.EXECUTOR,
                    KindName.THREAD_EXECUTOR,
                ):
                    return kind
            if isinstance(base, cst.Attribute):
                # class W(ctx.Process) where ctx is a context object
                receiver = self.kind_of(base.value)
                if receiver is not None and receiver.name is KindName.CONTEXT:
                    kind = api_table.context_attribute_kind(receiver, base.attr.value)
                    if kind is not None and kind.name is KindName.PROCESS:
                        return kind
            parent = self.resolve_class(base)
            if parent is not None and parent is not info:
                found = self.class_base_kind(parent, depth + 1)
                if found is not None:
                    return found
        return None

    def class_method(self, info: ClassInfo, name: str, depth: int = 0) -> Optional[cst.FunctionDef]:
        """A method defined by the class or by one of its module-level bases."""
        if name in info.methods:
            return info.methods[name]
        if depth > 5:
            return None
        for base in info.bases:
            parent = self.resolve_class(base)
            if parent is not None and parent is not info:
                found = self.class_method(parent, name, depth + 1)
                if found is not None:
                    return found
        return None

    def resolve_function(self, expr: cst.BaseExpression) -> Optional[FunctionNode]:
        """The def or lambda ``expr`` refers to in this module: a name, ``self.method``, ``partial(f, …)``."""
        if isinstance(expr, cst.Lambda):
            return expr
        if isinstance(expr, cst.Call) and self.qualname(expr.func) == "functools.partial":
            inner = positional_args(expr)
            return self.resolve_function(inner[0].value) if inner else None
        if isinstance(expr, cst.Name):
            bindings = self.lookup(expr.value, expr)
            if len(bindings) == 1:
                binding = bindings[0]
                if binding.how == "def" and isinstance(binding.node, cst.FunctionDef):
                    return binding.node
                if binding.how == "assign" and isinstance(binding.value, cst.Lambda):
                    return binding.value
            return None
        if isinstance(expr, cst.Attribute) and isinstance(expr.value, cst.Name):
            key = self.binding_key(expr)
            if key is not None and len(key) == 3:
                info = self.class_of_node.get(key[0])  # type: ignore[call-overload]
                if info is not None:
                    return self.class_method(info, expr.attr.value)
            cls = self.resolve_class(expr.value)
            if cls is not None:
                return self.class_method(cls, expr.attr.value)
        return None

    def function_calls(self, function: FunctionNode) -> list[cst.Call]:
        """Calls made by the function's own body (not by nested defs or lambdas)."""
        return self.calls_by_function.get(function, [])

    def callees(self, function: FunctionNode) -> list[FunctionNode]:
        """Functions of this module the body calls directly (B5)."""
        out: list[FunctionNode] = []
        for call in self.function_calls(function):
            target = self.resolve_function(call.func)
            if target is not None and target is not function and target not in out:
                out.append(target)
        return out

    def call_chain(
        self,
        start: FunctionNode,
        predicate: object,
        depth: int = _CALL_GRAPH_DEPTH,
    ) -> Optional[list[FunctionNode]]:
        """The shortest chain of calls from ``start`` to a function satisfying ``predicate``."""
        assert callable(predicate)
        frontier: list[list[FunctionNode]] = [[start]]
        seen: set[FunctionNode] = {start}
        for _ in range(depth + 1):
            next_frontier: list[list[FunctionNode]] = []
            for chain in frontier:
                if predicate(chain[-1]):
                    return chain
                for callee in self.callees(chain[-1]):
                    if callee not in seen:
                        seen.add(callee)
                        next_frontier.append([*chain, callee])
            frontier = next_frontier
        return None

    # --- submissions and workers ---------------------------------------------------------------------
    def submissions(self) -> list[Submission]:
        """Every call that hands a callable to a process, thread, pool or executor (B7 roots)."""
        if self._submissions is None:
            self._submissions = list(self._find_submissions())
        return self._submissions

    def _find_submissions(self) -> Iterator[Submission]:
        for call in self.calls:
            func = call.func
            owner = self.kind_of(call)
            if owner is not None and owner.creator is not call:
                owner = None
            if owner is not None and owner.name in (KindName.PROCESS, KindName.THREAD):
                if owner.cls is not None:
                    info = self.classes.get(owner.cls)
                    run = self.class_method(info, "run") if info is not None else None
                    if run is not None:
                        yield Submission(call, "run", owner, call.func, None)
                        continue
                target = call_argument(call, 1, "target")
                if target is not None:
                    yield Submission(
                        call,
                        "process" if owner.is_process else "thread",
                        owner,
                        target,
                        _tuple_elements(call_argument(call, 3, "args")),
                    )
                continue
            if owner is not None and (owner.is_pool or owner.is_executor):
                position = 2 if owner.is_executor else 1  # Executor(max_workers, mp_context, ...)
                initializer = call_argument(call, position, "initializer")
                if initializer is not None:
                    initargs = _tuple_elements(call_argument(call, position + 1, "initargs"))
                    yield Submission(call, "initializer", owner, initializer, initargs)
                continue
            if not isinstance(func, cst.Attribute):
                continue
            receiver = self.kind_of(func.value)
            if receiver is None:
                continue
            method = func.attr.value
            positional = positional_args(call)
            args: Optional[tuple[cst.BaseExpression, ...]] = None
            if receiver.is_pool and method in api_table.POOL_TASK_METHODS and positional:
                if method in ("apply", "apply_async"):
                    args = _tuple_elements(call_argument(call, 1, "args")) or ()
                yield Submission(call, "pool", receiver, positional[0].value, args)
                for keyword in ("callback", "error_callback"):
                    callback = keyword_arg(call, keyword)
                    if callback is not None:
                        yield Submission(call, "callback", receiver, callback.value, None)
            elif receiver.is_executor and method in api_table.EXECUTOR_TASK_METHODS and positional:
                if method == "submit" and all(a.keyword is None and not a.star for a in call.args):
                    args = tuple(a.value for a in positional[1:])
                yield Submission(call, "executor", receiver, positional[0].value, args)
            elif receiver.name is KindName.FUTURE and method == "add_done_callback" and positional:
                yield Submission(call, "callback", receiver, positional[0].value, None)

    def submissions_to(self, function: FunctionNode) -> list[Submission]:
        return [s for s in self.submissions() if self.resolve_function(s.callable) is function]

    def worker_roots(self) -> dict[FunctionNode, list[Submission]]:
        """Functions that run in a child process (or thread) directly: targets, ``run()``, pool tasks."""
        if self._worker_roots is None:
            roots: dict[FunctionNode, list[Submission]] = {}
            for submission in self.submissions():
                if submission.via == "callback":
                    continue
                function: Optional[FunctionNode]
                if submission.via == "run":
                    info = self.classes.get(submission.owner.cls or "")
                    function = self.class_method(info, "run") if info is not None else None
                else:
                    function = self.resolve_function(submission.callable)
                if function is not None:
                    roots.setdefault(function, []).append(submission)
            self._worker_roots = roots
        return self._worker_roots

    def worker_functions(self, *, processes_only: bool = True) -> dict[FunctionNode, Submission]:
        """The worker set (B7): roots and the module functions they reach, with a submission for each."""
        found: dict[FunctionNode, Submission] = {}
        for root, submissions in self.worker_roots().items():
            relevant = [s for s in submissions if not (processes_only and s.owner.uses_threads)]
            if not relevant:
                continue
            frontier = [root]
            for _ in range(_CALL_GRAPH_DEPTH + 1):
                next_frontier: list[FunctionNode] = []
                for function in frontier:
                    if function in found:
                        continue
                    found[function] = relevant[0]
                    next_frontier.extend(self.callees(function))
                frontier = next_frontier
        return found

    # --- start methods -------------------------------------------------------------------------------
    def module_start_method(self) -> Optional[str]:
        """A literal ``set_start_method("x")`` anywhere in the module fixes the default context."""
        if self._module_start_method is None:
            methods: set[Optional[str]] = set()
            for call in self.calls:
                qual = self.qualname(call.func)
                if qual is None:
                    continue
                split = api_table.split_family(qual)
                if split is not None and split[1] in (
                    "set_start_method",
                    "context.set_start_method",
                ):
                    methods.add(
                        api_table.start_method_literal(
                            _string_value(call_argument(call, 0, "method"))
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
        return self.module_start_method() or self.default_start_method


def _agree(kinds: Iterable[Optional[Kind]]) -> Optional[Kind]:
    """The kind when every source agrees on its name, else None."""
    first: Optional[Kind] = None
    for kind in kinds:
        if kind is None:
            return None
        if first is None:
            first = kind
        elif kind.name is not first.name or kind.proxy != first.proxy:
            return None
    return first


def _item_at(kind: Optional[Kind], index: int) -> Optional[Kind]:
    if kind is None:
        return None
    if kind.name is KindName.TUPLE and index < len(kind.items):
        return kind.items[index]
    if kind.name is KindName.SEQUENCE:
        return kind.item
    return None


def _enter_returns_self(kind: Kind) -> bool:
    return kind.is_pool or kind.is_executor or kind.name is KindName.MANAGER


def _tuple_elements(
    node: Optional[cst.BaseExpression],
) -> Optional[tuple[cst.BaseExpression, ...]]:
    if isinstance(node, (cst.Tuple, cst.List)) and not any(
        isinstance(e, cst.StarredElement) for e in node.elements
    ):
        return tuple(e.value for e in node.elements)
    return None


def build_model(
    module: cst.Module, path: str = "<stdin>", default_start_method: Optional[str] = None
) -> Model:
    """Run the one pass over ``module`` and return its model."""
    model = Model(module, path, default_start_method)
    module.visit(_Builder(model))
    return model


# --- is it callable? ------------------------------------------------------------------------------------
class Callability(enum.Enum):
    CALLABLE = "callable"
    NOT_CALLABLE = "not callable"
    UNKNOWN = "unknown"


_CALLABLE_FACTORIES = ("functools.", "operator.")
_NON_CALLABLE_BUILTINS = frozenset(
    f"builtins.{name}"
    for name in (
        "print",
        "len",
        "int",
        "float",
        "str",
        "bytes",
        "bool",
        "list",
        "dict",
        "tuple",
        "set",
        "frozenset",
        "sum",
        "max",
        "min",
        "sorted",
        "range",
        "input",
        "open",
        "abs",
        "round",
        "repr",
        "format",
        "enumerate",
        "zip",
        "iter",
        "next",
        "any",
        "all",
        "hash",
        "id",
    )
)
_LITERALS = (
    cst.BaseNumber,
    cst.BaseString,
    cst.List,
    cst.Tuple,
    cst.Dict,
    cst.Set,
    cst.ListComp,
    cst.DictComp,
    cst.SetComp,
    cst.GeneratorExp,
    cst.Comparison,
    cst.BinaryOperation,
    cst.UnaryOperation,
    cst.BooleanOperation,
)


def _combine(results: Iterable[Callability]) -> Callability:
    found = set(results)
    if Callability.CALLABLE in found:
        return Callability.CALLABLE
    if Callability.UNKNOWN in found or not found:
        return Callability.UNKNOWN
    return Callability.NOT_CALLABLE


def callability(model: Model, expr: cst.BaseExpression, depth: int = 0) -> Callability:
    """Whether evaluating ``expr`` gives something callable (a function, a class, a partial …).

    UNKNOWN where this module cannot tell (imported functions, attributes, subscripts, instances).
    """
    if depth > 4:
        return Callability.UNKNOWN
    if isinstance(expr, cst.Lambda):
        return Callability.CALLABLE
    if isinstance(expr, _LITERALS):
        return Callability.NOT_CALLABLE
    if isinstance(expr, cst.Name):
        if expr.value in ("None", "True", "False"):
            return Callability.NOT_CALLABLE
        bindings = model.lookup(expr.value, expr)
        if not bindings:
            return Callability.UNKNOWN
        results = []
        for binding in bindings:
            if binding.how in ("def", "class"):
                results.append(Callability.CALLABLE)
            elif binding.how == "assign" and binding.value is not None and not binding.path:
                results.append(callability(model, binding.value, depth + 1))
            else:
                results.append(Callability.UNKNOWN)
        return _combine(results)
    if isinstance(expr, cst.IfExp):
        return _combine(
            [callability(model, expr.body, depth + 1), callability(model, expr.orelse, depth + 1)]
        )
    if isinstance(expr, cst.Call):
        return call_result_callability(model, expr, depth)
    return Callability.UNKNOWN


def call_result_callability(model: Model, call: cst.Call, depth: int = 0) -> Callability:
    """Whether the value ``call`` returns is callable."""
    qual = model.qualname(call.func)
    if qual is not None:
        if qual.startswith(_CALLABLE_FACTORIES):
            return Callability.CALLABLE
        if qual in _NON_CALLABLE_BUILTINS:
            return Callability.NOT_CALLABLE
        if qual.startswith("builtins."):
            return Callability.UNKNOWN
    if model.resolve_class(call.func) is not None:
        return Callability.UNKNOWN  # an instance: callable when its class has __call__
    function = model.resolve_function(call.func)
    if isinstance(function, cst.Lambda):
        return callability(model, function.body, depth + 1)
    if isinstance(function, cst.FunctionDef):
        return function_result_callability(model, function, depth + 1)
    return Callability.UNKNOWN


def function_result_callability(
    model: Model, function: cst.FunctionDef, depth: int = 0
) -> Callability:
    """Whether a module function returns something callable (a factory) or not."""
    for decorator in function.decorators:
        if not (
            isinstance(decorator.decorator, cst.Name)
            and decorator.decorator.value in ("staticmethod", "classmethod")
        ):
            return Callability.UNKNOWN
    if function.returns is not None:
        annotation = model.module.code_for_node(function.returns.annotation)
        if "Callable" in annotation or "Type" in annotation or "type[" in annotation:
            return Callability.CALLABLE
        if annotation.strip() in ("None", "int", "str", "float", "bool", "bytes", "list", "dict"):
            return Callability.NOT_CALLABLE
    if _is_generator(model, function):
        return Callability.NOT_CALLABLE  # a generator object
    results = [
        callability(model, r.value, depth + 1) if r.value is not None else Callability.NOT_CALLABLE
        for r in model.returns.get(function, [])
    ]
    if not results or not _ends_with_return(function):
        results.append(Callability.NOT_CALLABLE)  # falls off the end: returns None
    return _combine(results)


def _ends_with_return(function: cst.FunctionDef) -> bool:
    body = function.body
    if not isinstance(body, cst.IndentedBlock) or not body.body:
        return False
    last = body.body[-1]
    if isinstance(last, cst.SimpleStatementLine):
        return any(isinstance(s, (cst.Return, cst.Raise)) for s in last.body)
    return False


def _is_generator(model: Model, function: cst.FunctionDef) -> bool:
    return any(
        model.contains(function, node) and model.enclosing_function_node(node) is function
        for node in model.yields
    )
