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
import dataclasses
import enum
import functools
import keyword
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Callable, Optional, TypeVar, Union, cast

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
_NodeT = TypeVar("_NodeT", bound=cst.CSTNode)
_SCOPE_NODES = (cst.FunctionDef, cst.Lambda, cst.ClassDef)
# The same as exact types: a set lookup, not an ABC ``isinstance`` (these classes have no subclasses).
_SCOPE_TYPES = frozenset(_SCOPE_NODES)
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


# --- the traversal ---------------------------------------------------------------------------------
class _FieldRecorder(cst.CSTVisitor):
    """Learns, once per node type, the fields libcst visits and their order (source order)."""

    def __init__(self) -> None:
        super().__init__()
        self.fields: list[str] = []

    def on_visit(self, node: cst.CSTNode) -> bool:
        return False

    def on_visit_attribute(self, node: cst.CSTNode, attribute: str) -> None:
        self.fields.append(attribute)


_CHILD_FIELDS: dict[type[cst.CSTNode], tuple[str, ...]] = {}
# Per type, fields that were None when the order was learned and that libcst did not visit then: a few
# nodes visit a field only when it is set (an f-string expression's format_spec), so such a type is learned
# again from the first node that has one of them set.
_UNSEEN_FIELDS: dict[type[cst.CSTNode], tuple[str, ...]] = {}


def _child_fields(node: cst.CSTNode) -> tuple[str, ...]:
    kind = type(node)
    found = _CHILD_FIELDS.get(kind)
    if found is not None:
        unseen = _UNSEEN_FIELDS[kind]
        if not unseen or all(getattr(node, name) is None for name in unseen):
            return found
    recorder = _FieldRecorder()
    node._visit_and_replace_children(
        recorder
    )  # libcst calls on_visit_attribute for the fields it visits
    found = _CHILD_FIELDS[kind] = tuple(dict.fromkeys(recorder.fields))
    _UNSEEN_FIELDS[kind] = tuple(
        f.name
        for f in dataclasses.fields(node)
        if f.name not in found and getattr(node, f.name) is None
    )
    return found


#: Whitespace, comments and punctuation: no rule is about them, and they are most of a tree's nodes. The
#: model's pass does not enter them, so they have no parent, order or replay event (rules cannot visit
#: them: ``LintRule`` refuses such visitors); they are still in the tree and in generated code.
TRIVIA: frozenset[type[cst.CSTNode]] = frozenset(
    {
        cst.SimpleWhitespace,
        cst.ParenthesizedWhitespace,
        cst.Newline,
        cst.TrailingWhitespace,
        cst.EmptyLine,
        cst.Comment,
        cst.Comma,
        cst.Dot,
        cst.AssignEqual,
        cst.Colon,
        cst.Semicolon,
        cst.LeftParen,
        cst.RightParen,
        cst.LeftSquareBracket,
        cst.RightSquareBracket,
        cst.LeftCurlyBrace,
        cst.RightCurlyBrace,
    }
)
_NOTHING: frozenset[type[cst.CSTNode]] = frozenset()


def walk(
    node: cst.CSTNode,
    visitor: cst.CSTVisitor,
    skip: frozenset[type[cst.CSTNode]] = _NOTHING,
) -> None:
    """Visit ``node`` and its descendants in libcst's order, calling only ``on_visit`` (children are skipped
    when it returns False) and ``on_leave``: what ``node.visit(visitor)`` does for a read-only visitor,
    without rebuilding every node on the way back up (libcst's visit constructs a copy of each node).
    Descendants whose type is in ``skip`` are not entered, nor is anything below them."""
    if not visitor.on_visit(node):
        visitor.on_leave(node)
        return
    for name in _child_fields(node):
        value = getattr(node, name)
        if value is None or value is cst.MaybeSentinel.DEFAULT:
            continue
        if type(value) is tuple or type(value) is list:
            for child in value:
                if type(child) not in skip:
                    walk(child, visitor, skip)
        elif type(value) not in skip:
            walk(value, visitor, skip)
    visitor.on_leave(node)


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
        if type(original_node) in _SCOPE_TYPES:
            self.scopes.pop()
            if type(original_node) is cst.ClassDef:
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
        self._name_index: Optional[dict[str, list[cst.Name]]] = None
        self._type_index: Optional[dict[type[cst.CSTNode], list[cst.CSTNode]]] = None
        self._scope_memo: dict[cst.CSTNode, Scope] = {}
        # data flow and module state (see "data flow" below)
        self._calls_to: Optional[dict[FunctionNode, list[cst.Call]]] = None
        self._finding_submissions = False
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
        found = self._scope_memo.get(node)
        if found is not None:
            return found
        scope = self.module_scope
        for ancestor in self.ancestors(node):
            if type(ancestor) in _SCOPE_TYPES:
                inner = self.scopes.get(ancestor)
                if inner is not None:
                    scope = inner
                    break
        self._scope_memo[node] = scope
        return scope

    def is_module_level(self, node: cst.CSTNode) -> bool:
        """``node`` is not inside any def, lambda or class."""
        return not any(type(a) in _SCOPE_TYPES for a in self.ancestors(node))

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
            if parent is None or type(parent) in _SCOPE_TYPES:
                return False
            # climb to the statement that owns this block (skipping else/except/finally wrappers)
            owner: Optional[cst.CSTNode] = parent
            while owner is not None and not isinstance(
                owner, (cst.SimpleStatementLine, cst.BaseCompoundStatement)
            ):
                owner = self.parents.get(owner)
            if owner is None or type(owner) in _SCOPE_TYPES:
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
        if not self._kind_busy and self._submissions is None and not self._finding_submissions:
            # Parameters get their kinds from the submissions: find those first, at the top level,
            # so that no kind is remembered from a search cut short by a call already in progress.
            self.submissions()
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
            if value is not None and value in self._kind_busy:
                # A cycle (``w = Process(); workers.append(w)`` then ``for w in workers``): this
                # binding holds what the others bind; they decide.
                continue
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
            # Each end remembers the Pipe() call that made it; a one-way pipe's ends know their role.
            one_way = _is_false_literal(call_argument(call, 0, "duplex"))
            ends = tuple(
                Kind(
                    KindName.CONNECTION,
                    family=kind.family,
                    creator=call,
                    role=role if one_way else None,
                )
                for role in ("read", "write")
            )
            kind = Kind(KindName.TUPLE, family=kind.family, items=ends)
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
            if self._finding_submissions:
                return []  # asked again while searching (a parameter's kind): not known yet
            self._finding_submissions = True
            try:
                found = list(self._find_submissions())
            finally:
                self._finding_submissions = False
            self._submissions = found
            # Kinds found during the search saw no submissions: parameters may have missed theirs.
            self._kind_memo.clear()
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
            task = call_argument(call, 0, "func") if receiver.is_pool else None
            if receiver.is_pool and method in api_table.POOL_TASK_METHODS and task is not None:
                if method in ("apply", "apply_async"):
                    args = _tuple_elements(call_argument(call, 1, "args")) or ()
                yield Submission(call, "pool", receiver, task, args)
                for keyword in ("callback", "error_callback"):
                    callback = keyword_arg(call, keyword)
                    if callback is not None:
                        yield Submission(call, "callback", receiver, callback.value, None)
            elif receiver.is_executor and method in api_table.EXECUTOR_TASK_METHODS:
                # submit(fn, /, *args, **kwargs) takes its callable by position only; map(fn, *iterables).
                if method == "map":
                    task = call_argument(call, 0, "fn")
                else:
                    task = positional[0].value if positional else None
                if task is None:
                    continue
                if method == "submit" and all(a.keyword is None and not a.star for a in call.args):
                    args = tuple(a.value for a in positional[1:])
                yield Submission(call, "executor", receiver, task, args)
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

    # --- lifecycle: values, creation sites, loops, daemonic workers, base __init__ ------------------
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

    def name_uses(self, name: str) -> list[cst.Name]:
        """Every ``Name`` node spelled ``name`` in the module (reads and bindings), in source order."""
        if self._name_index is None:
            index: dict[str, list[cst.Name]] = {}
            for node in self.nodes_of(cst.Name):
                index.setdefault(node.value, []).append(node)
            self._name_index = index
        return self._name_index.get(name, [])

    def uses_between(
        self, key: tuple[object, ...], a: cst.CSTNode, b: cst.CSTNode
    ) -> list[cst.Name]:
        """Names of the local variable ``key`` after ``a`` ends and before ``b`` starts, in source order."""
        if len(key) != 2:
            return []
        low, high = self.end.get(a, -1), self.order.get(b, -1)
        return [
            name
            for name in self.name_uses(str(key[1]))
            if low <= self.order.get(name, -1) < high and self.binding_key(name) == key
        ]

    def creation_before(self, key: tuple[object, ...], node: cst.CSTNode) -> Optional[cst.Call]:
        """The call that created the object a local variable holds whenever ``node`` runs, if one did.

        The variable's last binding before ``node`` must be ``x = Constructor(...)`` in the same function,
        dominate ``node``, and not be replaced by a later binding in a loop around ``node`` (the next
        pass would see another object). None for parameters, loop targets, factory results, branches.
        """
        if len(key) != 2:
            return None
        bindings = self.assignments_of(key)
        before = [n for n in bindings if self.precedes(n, node)]
        if not before:
            return None
        last = max(before, key=lambda n: self.order.get(n, 0))
        statement = self.small_statement_of(last)
        value: Optional[cst.BaseExpression] = None
        if (
            isinstance(statement, cst.Assign) and any(t.target is last for t in statement.targets)
        ) or (isinstance(statement, cst.AnnAssign) and statement.target is last):
            value = statement.value
        if not isinstance(value, cst.Call):
            return None
        kind = self.kind_of(value)
        if kind is None or kind.creator is not value:
            return None
        if self.enclosing_function_node(last) is not self.enclosing_function_node(node):
            return None
        if not self.dominates(last, node):
            return None
        for loop in self.enclosing_loops(node):
            if not self.contains(loop, last) and any(self.contains(loop, n) for n in bindings):
                return None
        return value

    def enclosing_loops(self, node: cst.CSTNode) -> list[Union[cst.For, cst.While]]:
        """The loops whose body holds ``node``, innermost first, up to the enclosing def or class."""
        out: list[Union[cst.For, cst.While]] = []
        for ancestor in self.ancestors(node):
            if type(ancestor) in _SCOPE_TYPES:
                break
            if isinstance(ancestor, (cst.For, cst.While)) and self.contains(ancestor.body, node):
                out.append(ancestor)
        return out

    def runs_each_iteration(self, node: cst.CSTNode, loop: Union[cst.For, cst.While]) -> bool:
        """``node`` runs on every pass through ``loop``'s body: no branch, inner loop, ``except``/``else``
        clause or short-circuit between them may skip it."""
        if not self.contains(loop.body, node):
            return False
        child: cst.CSTNode = node
        for ancestor in self.ancestors(node):
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
            if isinstance(iterable, cst.Call) and self.qualname(iterable.func) == "builtins.range":
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

    def is_daemonic_process(self, kind: Kind) -> bool:
        """A Process created as a daemon: ``daemon=True`` given to its constructor, ``x.daemon = True`` on a
        variable holding it, or an instance of a subclass that sets ``self.daemon = True`` (or passes
        ``daemon=True`` to the base ``__init__``)."""
        creator = kind.creator
        if not kind.is_process or creator is None:
            return False
        daemon = keyword_arg(creator, "daemon")
        if daemon is not None and _is_true(daemon.value):
            return True
        for attribute in self.attribute_stores.get("daemon", []):
            statement = self.small_statement_of(attribute)
            if isinstance(statement, cst.Assign) and _is_true(statement.value):
                other = self.kind_of(attribute.value)
                if other is not None and other.creator is creator:
                    return True
        info = self.classes.get(kind.cls) if kind.cls is not None else None
        return info is not None and self._class_sets_daemon(info, 0)

    def _class_sets_daemon(self, info: ClassInfo, depth: int) -> bool:
        if any(_is_true(value) for value in info.attributes.get("daemon", [])):
            return True
        for method in info.methods.values():
            for call in self.function_calls(method):
                func = call.func
                if isinstance(func, cst.Attribute) and func.attr.value == "__init__":
                    daemon = keyword_arg(call, "daemon")
                    if daemon is not None and _is_true(daemon.value):
                        return True
        if depth > 5:
            return False
        for base in info.bases:
            parent = self.resolve_class(base)
            if (
                parent is not None
                and parent is not info
                and self._class_sets_daemon(parent, depth + 1)
            ):
                return True
        return False

    def runs_in_daemon(self, submission: Submission) -> bool:
        """The submitted callable runs in a daemonic process: a process Pool's task or initializer (Pool
        workers are daemons), or the target / ``run()`` of a daemonic Process. ProcessPoolExecutor workers
        are not daemonic (Python 3.9+); threads are not processes."""
        owner = submission.owner
        if owner.uses_threads:
            return False
        if submission.via in ("pool", "initializer"):
            return owner.is_process_pool
        if submission.via in ("process", "run"):
            return self.is_daemonic_process(owner)
        return False

    def daemon_roots(self) -> dict[FunctionNode, list[Submission]]:
        """The worker roots (B7) that run in a daemonic process, each with its daemonic submissions."""
        roots: dict[FunctionNode, list[Submission]] = {}
        for function, submissions in self.worker_roots().items():
            daemonic = [s for s in submissions if self.runs_in_daemon(s)]
            if daemonic:
                roots[function] = daemonic
        return roots

    def base_init_calls(
        self, function: cst.FunctionDef, depth: int = 0
    ) -> Optional[list[cst.Call]]:
        """The calls in a method's own body after which a base class ``__init__`` has run.

        ``super().__init__(...)``, ``super(C, self).__init__(...)``, ``Base.__init__(self, ...)`` (any
        ``X.__init__(...)``), and calls of ``self.helper(...)`` whose method does one of these (followed
        three deep). None when the method hands ``self`` to code this module cannot follow (a helper
        function, a method of a base defined elsewhere): it may call the base ``__init__`` there.
        """
        params = function.params.params
        if not params:
            return None
        me = params[0].name.value
        found: list[cst.Call] = []
        for call in self.function_calls(function):
            func = call.func
            if isinstance(func, cst.Attribute) and func.attr.value == "__init__":
                found.append(call)
                continue
            if (
                isinstance(func, cst.Attribute)
                and isinstance(func.value, cst.Name)
                and func.value.value == me
            ):
                target = self.resolve_function(func)
                if not isinstance(target, cst.FunctionDef) or depth >= 3:
                    return None
                inner = self.base_init_calls(target, depth + 1)
                if inner is None:
                    return None
                if inner:
                    found.append(call)
                continue
            qual = self.qualname(func)
            if qual is not None and qual.startswith("builtins."):
                continue  # super(C, self), isinstance(self, …), getattr(self, …)
            if any(isinstance(a.value, cst.Name) and a.value.value == me for a in call.args):
                return None
        return found

    def generates_init(self, info: ClassInfo) -> bool:
        """The class is a dataclass or an attrs class that writes an ``__init__`` of its own (one that
        never calls the base ``__init__``): decorated, not ``init=False``, and defining no ``__init__``."""
        if "__init__" in info.methods:
            return False
        for decorator in info.node.decorators:
            expr = decorator.decorator
            call = expr if isinstance(expr, cst.Call) else None
            qual = self.qualname(call.func if call is not None else expr)
            if qual not in _INIT_WRITING_DECORATORS:
                continue
            init = keyword_arg(call, "init") if call is not None else None
            return not (init is not None and _is_false(init.value))
        return False

    def self_calls(self, info: ClassInfo, method: str, depth: int = 0) -> bool:
        """Some method of the class (or of a module-level base) calls ``self.<method>(...)``."""
        for function in info.methods.values():
            params = function.params.params
            if not params:
                continue
            me = params[0].name.value
            for call in self.function_calls(function):
                func = call.func
                if (
                    isinstance(func, cst.Attribute)
                    and func.attr.value == method
                    and isinstance(func.value, cst.Name)
                    and func.value.value == me
                ):
                    return True
        if depth > 5:
            return False
        for base in info.bases:
            parent = self.resolve_class(base)
            if (
                parent is not None
                and parent is not info
                and self.self_calls(parent, method, depth + 1)
            ):
                return True
        return False

    def expects_exception(self, node: cst.CSTNode, error: str) -> bool:
        """``node`` runs where an exception of class ``error`` is expected, within its function: in the
        body of ``with pytest.raises(...)`` / ``self.assertRaises(...)``, or of a ``try`` with a handler
        for it (by name, ``Exception``, ``BaseException`` or a bare ``except``)."""
        child: cst.CSTNode = node
        for ancestor in self.ancestors(node):
            if type(ancestor) in _SCOPE_TYPES:
                return False
            if isinstance(ancestor, cst.With) and child is ancestor.body:
                for item in ancestor.items:
                    if isinstance(item.item, cst.Call):
                        callee = (_dotted(item.item.func) or "").rsplit(".", 1)[-1]
                        if callee in _RAISES_CONTEXTS:
                            return True
            if isinstance(ancestor, (cst.Try, cst.TryStar)) and child is ancestor.body:
                for handler in ancestor.handlers:
                    if handler.type is None:
                        return True
                    caught = handler.type
                    types = (
                        [e.value for e in caught.elements]
                        if isinstance(caught, cst.Tuple)
                        else [caught]
                    )
                    names = {(_dotted(t) or "").rsplit(".", 1)[-1] for t in types}
                    if names & {error, "Exception", "BaseException"}:
                        return True
            child = ancestor
        return False

    def value_type(self, expr: cst.BaseExpression, depth: int = 0) -> Optional[str]:
        """The built-in type a simple expression certainly evaluates to (``"int"``, ``"str"``, ``"dict"``,
        ``"tuple"``, ``"None"``, ``"generator"`` …), else None.

        Literals, f-strings, arithmetic on known numbers, string concatenation and formatting,
        comparisons, calls of built-in constructors (``str(x)``, ``len(x)`` …), variables all of whose
        bindings agree, and parameters annotated with a built-in type.
        """
        if depth > 6:
            return None
        found = _LITERAL_TYPES.get(type(expr))
        if found is not None:
            return found
        if isinstance(expr, cst.SimpleString):
            return "bytes" if "b" in expr.prefix.lower() else "str"
        if isinstance(expr, cst.ConcatenatedString):
            return self.value_type(expr.left, depth + 1)
        if isinstance(expr, cst.Name):
            return self._name_value_type(expr, depth)
        if isinstance(expr, cst.UnaryOperation):
            if isinstance(expr.operator, cst.Not):
                return "bool"
            inner = self.value_type(expr.expression, depth + 1)
            return inner if inner in ("int", "float", "complex") else None
        if isinstance(expr, cst.BinaryOperation):
            return self._binary_value_type(expr, depth)
        if isinstance(expr, cst.BooleanOperation):
            left = self.value_type(expr.left, depth + 1)
            return (
                left
                if left is not None and left == self.value_type(expr.right, depth + 1)
                else None
            )
        if isinstance(expr, cst.IfExp):
            body = self.value_type(expr.body, depth + 1)
            return (
                body
                if body is not None and body == self.value_type(expr.orelse, depth + 1)
                else None
            )
        if isinstance(expr, cst.Call):
            qual = self.qualname(expr.func)
            if qual is not None and qual.startswith("builtins."):
                return _BUILTIN_RESULT_TYPES.get(qual[len("builtins.") :])
            func = expr.func
            if (
                isinstance(func, cst.Attribute)
                and func.attr.value in _STR_METHODS
                and self.value_type(func.value, depth + 1) == "str"
            ):
                return "str"
        return None

    def _name_value_type(self, name: cst.Name, depth: int) -> Optional[str]:
        if name.value in ("True", "False"):
            return "bool"
        if name.value == "None":
            return "None"
        bindings = self.lookup(name.value, name)
        if not bindings:
            return None
        types: set[Optional[str]] = set()
        for binding in bindings:
            if binding.how == "assign" and not binding.path and binding.value is not None:
                if binding.node is name:
                    return None
                types.add(self.value_type(binding.value, depth + 1))
            elif binding.how == "annotation":
                types.add(self._annotation_value_type(binding.value))
            elif binding.how == "for" and binding.iterates and binding.value is not None:
                types.add(self._item_value_type(binding.value, binding.path, depth + 1))
            elif binding.how == "param" and isinstance(binding.node, cst.Param):
                annotation = binding.node.annotation
                if annotation is None or binding.node.star in ("*", "**"):
                    return None
                types.add(self._annotation_value_type(annotation.annotation))
            else:
                return None
        return types.pop() if len(types) == 1 else None

    def _item_value_type(
        self, iterable: cst.BaseExpression, path: tuple[int, ...], depth: int
    ) -> Optional[str]:
        """The type of what a loop over ``iterable`` binds (the part ``path`` of each item, for
        ``for a, b in ...``): literal collections, variables bound only to them (and never appended
        to), ``range()``, ``enumerate()``, ``sorted()``/``reversed()``/``list()``, ``str.split()``."""
        if depth > 6:
            return None
        if isinstance(iterable, (cst.List, cst.Tuple, cst.Set)):
            types: set[Optional[str]] = set()
            for element in iterable.elements:
                if isinstance(element, cst.StarredElement):
                    return None
                value: cst.BaseExpression = element.value
                for index in path:
                    if not isinstance(value, (cst.Tuple, cst.List)) or index >= len(value.elements):
                        return None
                    part = value.elements[index]
                    if isinstance(part, cst.StarredElement):
                        return None
                    value = part.value
                types.add(self.value_type(value, depth + 1))
            return types.pop() if len(types) == 1 else None
        if isinstance(iterable, cst.Name):
            key = self.binding_key(iterable)
            if key is None or self.calls_on(key, ("append", "extend", "insert", "add", "update")):
                return None
            bindings = self.lookup(iterable.value, iterable)
            found: set[Optional[str]] = set()
            for binding in bindings:
                if binding.how != "assign" or binding.path or binding.value is None:
                    return None
                found.add(self._item_value_type(binding.value, path, depth + 1))
            return found.pop() if len(found) == 1 else None
        if not isinstance(iterable, cst.Call):
            return "str" if not path and self.value_type(iterable, depth + 1) == "str" else None
        qual = self.qualname(iterable.func)
        args = positional_args(iterable)
        if qual == "builtins.range":
            return "int" if not path else None
        if qual == "builtins.enumerate" and args and path:
            if path == (0,):
                return "int"
            if path[0] == 1:
                return self._item_value_type(args[0].value, path[1:], depth + 1)
            return None
        if qual in _ORDER_PRESERVING and args:
            return self._item_value_type(args[0].value, path, depth + 1)
        func = iterable.func
        if (
            not path
            and isinstance(func, cst.Attribute)
            and func.attr.value in ("split", "rsplit", "splitlines")
            and self.value_type(func.value, depth + 1) == "str"
        ):
            return "str"
        return None

    def _annotation_value_type(self, annotation: Optional[cst.BaseExpression]) -> Optional[str]:
        if isinstance(annotation, cst.Subscript):
            annotation = annotation.value
        if annotation is None:
            return None
        qual = self.qualname(annotation)
        if qual is None:
            return None
        qual = _TYPING_ALIASES.get(qual, qual)
        if not qual.startswith("builtins."):
            return None
        found = qual[len("builtins.") :]
        return found if found in _ANNOTATION_TYPES else None

    def _binary_value_type(self, expr: cst.BinaryOperation, depth: int) -> Optional[str]:
        left = self.value_type(expr.left, depth + 1)
        if left is None:
            return None
        operator = expr.operator
        if left in ("str", "bytes") and isinstance(operator, cst.Modulo):
            return left  # "%s" % x
        right = self.value_type(expr.right, depth + 1)
        if right is None:
            return None
        numbers = ("bool", "int", "float", "complex")
        if left in numbers and right in numbers:
            if isinstance(operator, cst.Power):
                return None  # 2 ** -1 is a float
            if isinstance(operator, cst.Divide):
                return "complex" if "complex" in (left, right) else "float"
            rank = max(numbers.index(left), numbers.index(right), 1)
            return numbers[rank]
        if (
            isinstance(operator, cst.Add)
            and left == right
            and left in ("str", "bytes", "list", "tuple")
        ):
            return left
        if isinstance(operator, cst.Multiply) and {left, right} in (
            {"str", "int"},
            {"bytes", "int"},
        ):
            return left if left != "int" else right
        return None

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

    # --- start-method configuration (set_start_method, the default context) ---------------------------
    @functools.cached_property
    def start_method_calls(self) -> list[StartMethodCall]:
        """Every call of ``set_start_method`` of any family, in source order."""
        found: list[StartMethodCall] = []
        for call in self.calls:
            family = self.family_function(call, ("set_start_method", "context.set_start_method"))
            if family is None:
                continue
            force = call_argument(call, 1, "force")
            method = _string_value(call_argument(call, 0, "method"))
            found.append(
                StartMethodCall(
                    call=call,
                    family=context_family(family),
                    method=api_table.start_method_literal(method),
                    forced=force is not None and not _is_false(force) and not _is_none(force),
                    tolerated=self.failure_tolerated(call),
                )
            )
        return found

    def family_function(self, call: cst.Call, names: Iterable[str]) -> Optional[str]:
        """The family root when ``call`` calls one of ``names`` (``"get_start_method"`` …) of a
        multiprocessing-like library, else None."""
        qual = self.qualname(call.func)
        split = api_table.split_family(qual) if qual is not None else None
        if split is None or split[1] not in names:
            return None
        return split[0]

    def failure_tolerated(self, node: cst.CSTNode) -> bool:
        """``node`` runs where a ``RuntimeError`` from it is expected: in the body of a ``try`` whose
        handler catches it, under ``contextlib.suppress(RuntimeError)``, or under a test of
        ``get_start_method(allow_none=True)`` (which tells whether the context is still free)."""
        child: cst.CSTNode = node
        for ancestor in self.ancestors(node):
            if type(ancestor) in _SCOPE_TYPES:
                return False
            if isinstance(ancestor, cst.Try) and child is ancestor.body:
                if any(_catches_runtime_error(h.type) for h in ancestor.handlers):
                    return True
            elif isinstance(ancestor, cst.With) and child is ancestor.body:
                for item in ancestor.items:
                    value = item.item
                    if (
                        isinstance(value, cst.Call)
                        and self.qualname(value.func) == "contextlib.suppress"
                        and any(_catches_runtime_error(a.value) for a in value.args)
                    ):
                        return True
            elif isinstance(ancestor, (cst.If, cst.While)) and child is not ancestor.test:
                for call in _calls_in_expression(ancestor.test):
                    if self.family_function(
                        call, ("get_start_method", "context.get_start_method")
                    ) is not None and _is_true(call_argument(call, 0, "allow_none")):
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
        qual = self.qualname(call.func)
        split = api_table.split_family(qual) if qual is not None else None
        if split is not None:
            rest = split[1]
            if rest in ("get_start_method", "context.get_start_method"):
                if _is_true(call_argument(call, 0, "allow_none")):
                    return None
                return context_family(split[0]), "get_start_method()"
            if rest in ("get_context", "context.get_context"):
                method = call_argument(call, 0, "method")
                if method is None or (isinstance(method, cst.Name) and method.value == "None"):
                    return context_family(split[0]), "get_context()"
                return None
        kind = self.kind_of(call)
        if kind is not None and kind.creator is call and kind.method is None:
            if kind.name is KindName.EXECUTOR and kind.family == "concurrent.futures":
                if (
                    call_argument(call, 1, "mp_context") is None
                    and keyword_arg(call, "max_tasks_per_child") is None
                ):
                    return "multiprocessing", f"{self.module.code_for_node(call.func)}()"
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
                return context_family(split[0]), f"{self.module.code_for_node(call.func)}()"
        func = call.func
        if isinstance(func, cst.Attribute) and func.attr.value == "start":
            receiver = self.kind_of(func.value)
            if (
                receiver is not None
                and receiver.is_process
                and receiver.method is None
                and receiver.family in api_table.FAMILY_ROOTS
            ):
                return context_family(receiver.family), f"{self.module.code_for_node(func)}()"
        return None

    def runs_whenever_scope_runs(self, node: cst.CSTNode) -> bool:
        """``node`` runs whenever its function (or the module) runs: no branch, loop body, handler,
        ``else`` or conditional expression lies between them (``with`` and ``try`` bodies count as
        running)."""
        child: cst.CSTNode = node
        for ancestor in self.ancestors(node):
            if type(ancestor) in _SCOPE_TYPES:
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

    def surely_uses_default_context(
        self, function: FunctionNode, depth: int = _CALL_GRAPH_DEPTH
    ) -> Optional[tuple[str, str]]:
        """``(family, what)`` for a default-context use that runs whenever ``function`` runs, in its
        body or through calls of this module's functions that always run too."""
        for call in self.function_calls(function):
            if not self.runs_whenever_scope_runs(call):
                continue
            use = self.default_context_use(call)
            if use is not None:
                return use
            if depth > 0:
                callee = self.resolve_function(call.func)
                if callee is not None and callee is not function:
                    found = self.surely_uses_default_context(callee, depth - 1)
                    if found is not None:
                        via = self.module.code_for_node(call.func)
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
            if context is None or _is_none(context):
                return False
            context_kind = self.kind_of(context)
            if context_kind is None or context_kind.name is not KindName.CONTEXT:
                return True
            return self._context_method_unknown(context_kind)
        if kind.name is KindName.CONTEXT:
            return self._context_method_unknown(kind)
        func = creator.func
        if isinstance(func, cst.Attribute):
            receiver = self.kind_of(func.value)
            if receiver is not None and receiver.name is KindName.CONTEXT:
                return self._context_method_unknown(receiver)
        return False

    @functools.cached_property
    def run_in_executor_submissions(self) -> list[Submission]:
        """``loop.run_in_executor(executor, fn, *args)`` with a known executor, as executor
        submissions: ``fn`` and ``args`` travel like ``executor.submit(fn, *args)`` (pickled for a
        ``ProcessPoolExecutor``). Not part of :meth:`submissions`."""
        out: list[Submission] = []
        for call in self.method_calls.get("run_in_executor", []):
            positional = positional_args(call)
            if len(positional) < 2:
                continue
            owner = self.kind_of(positional[0].value)
            if owner is None or not owner.is_executor:
                continue
            args = None
            if len(positional) == len(call.args):
                args = tuple(a.value for a in positional[2:])
            out.append(Submission(call, "executor", owner, positional[1].value, args))
        return out

    def stored_constructor_arguments(self, call: cst.Call) -> list[cst.BaseExpression]:
        """Arguments of ``MyClass(...)`` that the class's ``__init__`` stores on the instance
        (``self.queue = queue``): they travel with the instance when it is pickled, as spawn does
        with a ``Process`` subclass at ``start()``."""
        info = self.resolve_class(call.func)
        init = self.class_method(info, "__init__") if info is not None else None
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
                    and self.enclosing_function_node(value) is init
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

    def never_started(self, creation: cst.Call) -> bool:
        """The Process that ``creation`` makes is bound to a variable of a function that never starts
        it and never lets it escape (no ``start()``; not returned, passed on, stored or rebound): what
        spawn would pickle at ``start()`` is never pickled."""
        statement = self.small_statement_of(creation)
        if not (
            isinstance(statement, cst.Assign)
            and statement.value is creation
            and len(statement.targets) == 1
            and isinstance(statement.targets[0].target, cst.Name)
        ):
            return False
        target = statement.targets[0].target
        function = self.enclosing_function_node(creation)
        key = self.binding_key(target)
        if function is None or key is None:
            return False
        for name in self.name_uses(target.value):
            if name is target or not self.contains(function, name):
                continue
            if self.binding_key(name) != key:
                continue
            parent = self.parents.get(name)
            if isinstance(parent, cst.Attribute) and parent.value is name:
                if parent.attr.value == "start":
                    return False
                continue  # p.join(), p.pid, p.daemon = True
            if _is_assertion_argument(self, name):
                continue  # self.assertTrue(p): test assertions do not start processes
            return False  # returned, passed, stored, rebound: it may be started elsewhere
        return True

    def _context_method_unknown(self, context: Kind) -> bool:
        if context.method is not None or context.creator is None:
            return False
        argument = call_argument(context.creator, 0, "method")
        return argument is not None and not _is_none(argument)

    # --- pickling ----------------------------------------------------------------------------------------
    def unpicklable_callable(self, expr: cst.BaseExpression) -> Optional[tuple[str, cst.CSTNode]]:
        """Why the standard pickle (by reference: module and qualified name) cannot send the callable
        ``expr``, with the node that defines it: a lambda (also one bound to a name, even at module
        level: its name is ``<lambda>``), a function or class defined inside a function, or a
        ``functools.partial`` of one of those. None when it pickles or this module cannot tell."""
        if isinstance(expr, cst.Lambda):
            return "a lambda", expr
        if isinstance(expr, cst.Call) and self.qualname(expr.func) == "functools.partial":
            inner = positional_args(expr)
            if inner:
                found = self.unpicklable_callable(inner[0].value)
                if found is not None:
                    return f"a partial of {found[0]}", found[1]
            return None
        if not isinstance(expr, cst.Name):
            return None
        bindings = self.lookup(expr.value, expr)
        if len(bindings) != 1:
            return None
        binding = bindings[0]
        if binding.how == "assign" and not binding.path and isinstance(binding.value, cst.Lambda):
            return "a lambda", binding.value
        if binding.how in ("def", "class") and self.enclosing_function_node(binding.node):
            return f"a local {'function' if binding.how == 'def' else 'class'}", binding.node
        return None

    def guard_definition(
        self, expr: cst.BaseExpression
    ) -> Optional[Union[cst.FunctionDef, cst.ClassDef]]:
        """The ``def``/``class`` under ``if __name__ == "__main__":`` that ``expr`` (a name, or a
        ``functools.partial`` of one) refers to. Children that re-import the module (spawn,
        forkserver) never run that block, so they cannot unpickle what it defines."""
        if isinstance(expr, cst.Call) and self.qualname(expr.func) == "functools.partial":
            inner = positional_args(expr)
            return self.guard_definition(inner[0].value) if inner else None
        if not isinstance(expr, cst.Name):
            return None
        bindings = self.lookup(expr.value, expr)
        if len(bindings) != 1 or bindings[0].how not in ("def", "class"):
            return None
        node = bindings[0].node
        if (
            isinstance(node, (cst.FunctionDef, cst.ClassDef))
            and self.is_module_level(node)
            and self.exec_context(node) is ExecContext.GUARDED
        ):
            return node
        return None

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
            if any(self.contains(part, name) for part in header):
                out.append((name, self.lookup(name.value, node)))
                continue
            scope, bindings = self.lookup_in_scope(name.value, name)
            if scope is not None and (scope.node is node or self.contains(node, scope.node)):
                continue
            out.append((name, bindings))
        return out

    def reads_only_import_time_names(self, node: cst.CSTNode) -> bool:
        """Every name ``node`` reads from outside is a builtin or bound at module level at import time:
        moved to module level, it runs the same in a child that re-imports the module."""
        for name, bindings in self.outside_names(node):
            if not bindings:
                if name.value not in _BUILTINS:
                    return False
                continue
            for binding in bindings:
                if self.scope_of(binding.node) is not self.module_scope:
                    return False
                if self.exec_context(binding.node) is not ExecContext.IMPORT:
                    return False
        return True

    def instance_class(self, expr: cst.BaseExpression) -> Optional[ClassInfo]:
        """The module class of the instance ``expr`` stands for: ``self`` in a method, or a name bound
        once to ``MyClass(...)``."""
        if not isinstance(expr, cst.Name):
            return None
        bindings = self.lookup(expr.value, expr)
        if len(bindings) != 1:
            return None
        binding = bindings[0]
        if binding.how == "param":
            function = self.enclosing_function_node(binding.node)
            info = self.enclosing_class(binding.node)
            if (
                info is not None
                and isinstance(function, cst.FunctionDef)
                and self._is_method(function)
                and binding.param_index == 0
                and not _has_decorator(function, "classmethod")
            ):
                return info
            return None
        if binding.how == "assign" and not binding.path and isinstance(binding.value, cst.Call):
            return self.resolve_class(binding.value.func)
        return None

    def bound_method_instance(self, expr: cst.BaseExpression) -> Optional[ClassInfo]:
        """``self.m`` / ``obj.m`` (or a ``functools.partial`` of it) naming a plain method of a module
        class: the class of the instance that pickling the bound method pickles too."""
        if isinstance(expr, cst.Call) and self.qualname(expr.func) == "functools.partial":
            inner = positional_args(expr)
            return self.bound_method_instance(inner[0].value) if inner else None
        if not isinstance(expr, cst.Attribute):
            return None
        info = self.instance_class(expr.value)
        if info is None:
            return None
        method = self.class_method(info, expr.attr.value)
        if method is None or _has_decorator(method, "staticmethod", "classmethod"):
            return None
        return info

    def unpicklable_state(self, info: ClassInfo) -> Optional[tuple[str, Kind, PickleError]]:
        """``(attribute, kind, error)`` for an attribute (set through ``self.x = ...``) that makes the
        class's instances fail to pickle. None when the class or a module base customises pickling
        (``__getstate__``/``__reduce__``/``__reduce_ex__``), or derives from a library class."""
        if self.class_base_kind(info) is not None:
            return None
        for special in ("__getstate__", "__reduce__", "__reduce_ex__"):
            if self.class_method(info, special) is not None:
                return None
        for attribute, values in sorted(info.attributes.items()):
            kinds = [
                self.kind_of(v)
                for v in values
                if not (isinstance(v, cst.Name) and v.value == "None")
            ]
            kind = _agree(kinds) if kinds else None
            error = pickling_error(kind) if kind is not None else None
            if kind is not None and error is not None:
                return attribute, kind, error
        return None

    # --- state the parent sets up after import ----------------------------------------------------------
    @functools.cached_property
    def guard_reachable(self) -> frozenset[FunctionNode]:
        """Functions of this module that code under ``if __name__ == "__main__":`` calls, followed
        through the call graph (B5)."""
        reached: set[FunctionNode] = set()
        frontier: list[FunctionNode] = []
        for call in self.calls:
            if self.exec_context(call) is not ExecContext.GUARDED:
                continue
            target = self.resolve_function(call.func)
            if target is None:
                info = self.resolve_class(call.func)
                target = self.class_method(info, "__init__") if info is not None else None
            if target is not None and target not in reached:
                reached.add(target)
                frontier.append(target)
        for _ in range(_CALL_GRAPH_DEPTH):
            next_frontier: list[FunctionNode] = []
            for function in frontier:
                for callee in self.callees(function):
                    if callee not in reached:
                        reached.add(callee)
                        next_frontier.append(callee)
            frontier = next_frontier
        return frozenset(reached)

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
        return [
            inner
            for inner in _subtree_nodes(node)
            if isinstance(inner, cst.Name) and self.variable_use(inner) in ("load", "augment")
        ]

    @functools.cached_property
    def module_variable_writes(self) -> list[StateWrite]:
        """Every place that (re)binds or mutates a module-level variable, in source order: assignments
        at module level or through ``global`` (also ``+=``), item and attribute stores
        (``CONFIG["k"] = v``, ``CONFIG.k = v``) and mutating method calls (``CONFIG.update(...)``).
        Names bound only by imports, ``def`` and ``class`` are not variables."""
        out: list[StateWrite] = []
        for name, bindings in self.module_scope.bindings.items():
            if all(b.how in ("import", "def", "class") for b in bindings):
                continue
            for node in self.name_uses(name):
                if self.binding_key(node) != (self.module, name):
                    continue
                use = self.variable_use(node)
                if use in ("store", "augment"):
                    out.append(StateWrite(name, node, "assign"))
                    continue
                if use != "load":
                    continue
                write = self._mutation_at(node)
                parent = self.parents.get(node)
                if write is None and isinstance(parent, cst.Attribute) and parent.value is node:
                    holder = self.parents.get(parent)
                    if isinstance(holder, (cst.AssignTarget, cst.AugAssign)) and (
                        holder.target is parent
                    ):
                        write = self.small_statement_of(parent) or parent
                if write is not None:
                    out.append(StateWrite(name, write, "mutate"))
        out.sort(key=lambda w: self.order.get(w.node, 0))
        return out

    # --- threads in the parent ------------------------------------------------------------------------
    def thread_work(self, call: cst.Call) -> Optional[tuple[str, Kind]]:
        """What ``call`` does that starts threads in this process, as (description, kind), else None.

        ``Thread.start()`` (also ``multiprocessing.dummy.Process`` and ``Thread`` subclasses), creating a
        ``ThreadPool`` (its workers start at once) or a process ``Pool`` (its three handler threads),
        and submitting to a ``ThreadPoolExecutor`` or a ``ProcessPoolExecutor`` (their threads start
        with the first task).
        """
        kind = self.kind_of(call)
        if kind is not None and kind.creator is call and not kind.proxy:
            if kind.name is KindName.THREAD_POOL or (
                kind.name is KindName.POOL and kind.family == "multiprocessing.dummy"
            ):
                return "creates a ThreadPool", kind
            if kind.is_process_pool:
                return "creates a Pool (it runs three handler threads)", kind
        func = call.func
        if not isinstance(func, cst.Attribute):
            return None
        receiver = self.kind_of(func.value)
        if receiver is None or receiver.proxy:
            return None
        method = func.attr.value
        if method == "start" and receiver.is_thread:
            return "starts a thread", receiver
        if method in api_table.EXECUTOR_TASK_METHODS and receiver.is_executor:
            return f"submits to a {receiver.name.value} (it starts threads)", receiver
        return None

    # --- data flow: arguments, origins, module state (locks, shared values, proxies) --------------------
    def calls_to(self, function: FunctionNode) -> list[cst.Call]:
        """Direct calls of a function of this module: ``f(x)``, ``self.f(x)``, ``Cls.f(x)``, and ``Cls(x)``
        for ``__init__``. Handing a function to a process, pool or executor is not a call of it (see
        :meth:`submissions_to`)."""
        if self._calls_to is None:
            index: dict[FunctionNode, list[cst.Call]] = {}
            for call in self.calls:
                if isinstance(call.func, (cst.Call, cst.Lambda)):
                    continue  # partial(f, a)(b), (lambda: ...)(): the arguments do not line up
                target = self.resolve_function(call.func)
                if target is None:
                    info = self.resolve_class(call.func)
                    target = self.class_method(info, "__init__") if info is not None else None
                if target is not None:
                    index.setdefault(target, []).append(call)
            self._calls_to = index
        return self._calls_to.get(function, [])

    def param_sources(self, binding: Binding) -> Optional[list[cst.BaseExpression]]:
        """The expressions a parameter may be bound to, from every site that runs the function.

        Sites are the direct calls (:meth:`calls_to`) and the submissions: ``Process(args=, kwargs=)``, a
        pool's ``initializer``/``initargs``, ``apply``/``apply_async`` ``args``/``kwds``, ``submit``'s
        arguments, and the arguments bound by ``functools.partial``. A site that leaves the parameter out
        gives its default. None when some site cannot be told (``*args``, the items of ``pool.map``, a
        callback) or when nothing in this module runs the function.
        """
        param = binding.node
        if not isinstance(param, cst.Param) or binding.how != "param":
            return None
        function = self.parents.get(self.parents.get(param) or param)
        if not isinstance(function, (cst.FunctionDef, cst.Lambda)):
            return None
        if param is function.params.star_arg or param is function.params.star_kwarg:
            return None
        method = isinstance(function, cst.FunctionDef) and self._is_method(function)
        if method and binding.param_index == 0:
            return None  # ``self`` / ``cls``
        sources: list[cst.BaseExpression] = []
        for submission in self.submissions_to(function):
            sites = self._submission_bindings(submission)
            if sites is None:
                return None
            position = binding.param_index - 1 if method else binding.param_index
            for arguments in sites:
                found = _bind_argument(param, position, *arguments)
                if found is None:
                    return None
                sources.append(found)
        for call in self.calls_to(function):
            if any(arg.star for arg in call.args):
                return None
            passes_self = (
                method
                and isinstance(function, cst.FunctionDef)
                and isinstance(call.func, cst.Attribute)
                and self.resolve_class(call.func.value) is not None
                and not _is_classmethod(function)
            )
            position = binding.param_index - (1 if method and not passes_self else 0)
            positional = [a.value for a in call.args if a.keyword is None]
            keywords = {a.keyword.value: a.value for a in call.args if a.keyword is not None}
            found = _bind_argument(param, position, positional, True, keywords)
            if found is None:
                return None
            sources.append(found)
        return sources or None

    def _submission_bindings(self, submission: Submission) -> Optional[list[_CallSite]]:
        """What a submission passes to its callable, per call of it: (positional arguments, whether they
        are all of them, keyword arguments or None when unknown). ``map``/``starmap`` over a list
        display or a comprehension give one site per item (or one for the comprehension's element).
        None for callbacks and ``run()``."""
        call = submission.call
        method = call.func.attr.value if isinstance(call.func, cst.Attribute) else ""
        sites: Optional[
            list[tuple[list[cst.BaseExpression], Optional[dict[str, cst.BaseExpression]]]]
        ]
        sites = None
        if submission.via in ("process", "thread"):
            positional = _literal_elements(call_argument(call, 3, "args"))
            keywords = _literal_keywords(call_argument(call, 4, "kwargs"))
            sites = [(positional, keywords)] if positional is not None else None
        elif submission.via == "initializer":
            position = 3 if submission.owner.is_executor else 2
            positional = _literal_elements(call_argument(call, position, "initargs"))
            sites = [(positional, {})] if positional is not None else None
        elif submission.via == "pool" and method in ("apply", "apply_async"):
            positional = _literal_elements(call_argument(call, 1, "args"))
            keywords = _literal_keywords(call_argument(call, 2, "kwds"))
            sites = [(positional, keywords)] if positional is not None else None
        elif submission.via == "executor" and method == "submit":
            if not any(a.star for a in call.args):
                positional = [a.value for a in positional_args(call)[1:]]
                keywords = {a.keyword.value: a.value for a in call.args if a.keyword is not None}
                sites = [(positional, keywords)]
        elif submission.via in ("pool", "executor"):
            arguments = positional_args(call)
            if len(arguments) == 2 or (len(arguments) > 2 and submission.via == "pool"):
                items = _literal_items(arguments[1].value)
                if items is not None and method in ("starmap", "starmap_async"):
                    unpacked = [
                        _literal_elements(item) if item is not None else None for item in items
                    ]
                    if all(u is not None for u in unpacked):
                        sites = [(u, {}) for u in unpacked if u is not None]
                elif items is not None:
                    sites = [([item], {}) for item in items if item is not None]
                    if len(sites) != len(items):
                        sites = None
        elif submission.via not in ("pool", "executor"):
            return None
        bound: list[cst.BaseExpression] = []
        bound_keywords: dict[str, cst.BaseExpression] = {}
        callable_ = submission.callable
        if isinstance(callable_, cst.Call) and self.qualname(callable_.func) == "functools.partial":
            if any(a.star for a in callable_.args):
                return None
            bound = [a.value for a in callable_.args[1:] if a.keyword is None]
            bound_keywords = {
                a.keyword.value: a.value for a in callable_.args if a.keyword is not None
            }
        if sites is None:
            return [(bound, False, bound_keywords or None)]
        return [
            (
                [*bound, *positional],
                True,
                {**keywords, **bound_keywords} if keywords is not None else None,
            )
            for positional, keywords in sites
        ]

    def handed_arguments(self, submission: Submission) -> list[cst.BaseExpression]:
        """The argument expressions a submission sends to the child, as far as they are spelled out:
        the items of ``args=``/``kwargs=``, of ``apply_async``'s ``args``/``kwds``, ``submit``'s
        arguments, ``functools.partial`` arguments, ``initargs``, the items of ``map()``/``starmap()``
        over a display or a comprehension, and the constructor arguments of a Process subclass.
        Nothing for callbacks (they run in the parent)."""
        if submission.via == "callback":
            return []
        if submission.via == "run":
            return [a.value for a in submission.call.args if not a.star]
        out: list[cst.BaseExpression] = []
        for positional, _, keywords in self._submission_bindings(submission) or []:
            for expr in (*positional, *(keywords or {}).values()):
                if not any(expr is seen for seen in out):
                    out.append(expr)
        return out

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
            bindings = self.lookup(expr.value, expr)
            if not bindings:
                return False
            return all(self._binding_origins(b, found, seen, depth) for b in bindings)
        if isinstance(expr, cst.Attribute):
            key = self.binding_key(expr)
            if key is None or len(key) != 3:
                return False
            info = self.class_of_node.get(key[0])  # type: ignore[call-overload]
            if info is None:
                return False
            values = info.attributes.get(str(key[2]), [])
            if not values or len(values) != len(info.attribute_targets.get(str(key[2]), [])):
                return False  # assigned by tuple unpacking or a loop somewhere
            for value in values:
                if isinstance(value, cst.Name) and value.value == "None":
                    continue
                if not self._origins_into(value, found, seen, depth + 1):
                    return False
            return True
        if isinstance(expr, cst.Call):
            function = self.resolve_function(expr.func)
            if isinstance(function, cst.FunctionDef):
                returns = [r.value for r in self._own_returns(function) if r.value is not None]
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
        if binding.how == "annotation":
            return True
        if binding.how == "param":
            sources = self.param_sources(binding)
            return sources is not None and all(
                self._origins_into(s, found, seen, depth + 1) for s in sources
            )
        value = binding.value
        if value is None or binding.iterates:
            return False
        if binding.how == "with":
            kind = self.kind_of(value)
            if binding.path or kind is None or not _enter_returns_self(kind):
                return False
            return self._origins_into(value, found, seen, depth + 1)
        if binding.how != "assign":
            return False
        for index in binding.path:
            if not isinstance(value, (cst.Tuple, cst.List)) or index >= len(value.elements):
                return False
            element = value.elements[index]
            if isinstance(element, cst.StarredElement):
                return False
            value = element.value
        if isinstance(value, cst.Name) and value.value == "None" and binding.node is not value:
            return True  # ``x = None`` placeholders do not change what x holds later
        return self._origins_into(value, found, seen, depth + 1)

    # --- how many children run a function ---------------------------------------------------------------
    def reachable_from(self, root: FunctionNode) -> set[FunctionNode]:
        """:meth:`reachable_functions` as a set, memoised."""
        reach = self._reach.get(root)
        if reach is None:
            reach = self._reach[root] = set(self.reachable_functions(root))
        return reach

    @functools.cached_property
    def child_functions(self) -> frozenset[FunctionNode]:
        """Every function of this module that may run in a child process: the worker set of processes
        (:meth:`worker_functions`), and what child code hands on without calling it (a thread target
        started in the child, a callback, a signal handler), with the functions those reach."""
        found: set[FunctionNode] = set(self.worker_functions(processes_only=True))
        frontier = list(found)
        while frontier:
            function = frontier.pop()
            for node in _walk(function):
                if isinstance(node, (cst.FunctionDef, cst.Lambda)) and node not in found:
                    found.add(node)  # a nested def or lambda: it runs where its maker runs
                    frontier.append(node)
                    continue
                if not isinstance(node, (cst.Name, cst.Attribute)):
                    continue
                parent = self.parents.get(node)
                if isinstance(parent, cst.Call) and parent.func is node:
                    continue  # a call: already followed by the call graph
                if isinstance(parent, cst.Attribute) and parent.value is node:
                    continue  # ``self`` in ``self.method``: the attribute is looked at itself
                if isinstance(node, cst.Name) and self.variable_use(node) != "load":
                    continue  # an attribute's name, a keyword, a binding …
                target = self.resolve_function(node)
                if target is None or target is function:
                    continue
                for reached in self.reachable_from(target):
                    if reached not in found:
                        found.add(reached)
                        frontier.append(reached)
        return frozenset(found)

    def worker_submissions(self, function: FunctionNode) -> list[Submission]:
        """The submissions (to processes, not threads) whose child runs ``function``, directly or through
        calls; empty for a function that only runs in the parent."""
        out: list[Submission] = []
        for root, submissions in self.worker_roots().items():
            if function in self.reachable_from(root):
                out.extend(s for s in submissions if not s.owner.uses_threads)
        return out

    def runs_concurrently(self, function: FunctionNode) -> bool:
        """Several child processes may run ``function`` at the same time.

        True when it is a pool's initializer, a task of ``map()``-like pool or executor methods, a task
        submitted (``apply_async``/``submit``) or a Process started in a loop or comprehension (or from a
        helper called in a loop or from several places), or when several submissions lead to it. A pool or
        executor created with a literal single worker runs one task at a time; ``Pool.apply`` blocks.
        """
        sites: set[cst.Call] = set()
        for submission in self.worker_submissions(function):
            if self._submission_repeats(submission):
                return True
            func = submission.call.func
            method = func.attr.value if isinstance(func, cst.Attribute) else ""
            if not (submission.via == "pool" and method in ("apply", "map", "starmap")):
                sites.add(submission.call)  # returns while the child works: may overlap the next
        return len(sites) > 1

    def _submission_repeats(self, submission: Submission) -> bool:
        via = submission.via
        if via in ("pool", "executor", "initializer") and _single_worker(submission.owner):
            return False
        if via == "initializer":
            return True
        if via in ("pool", "executor"):
            func = submission.call.func
            method = func.attr.value if isinstance(func, cst.Attribute) else ""
            if method == "apply":
                return False  # blocks until the task is done
            if method not in ("apply_async", "submit"):
                return True  # map, imap, starmap …: many tasks
        if via not in ("pool", "executor", "process", "run"):
            return False
        return self.repeats(submission.call)

    def repeats(self, node: cst.CSTNode) -> bool:
        """``node`` may run several times per call of its function: it sits in a loop body or a
        comprehension, or its function is called in a loop or from more than one place."""
        if self.in_loop(node):
            return True
        function = self.enclosing_function_node(node)
        if function is None:
            return False
        callers = self.calls_to(function)
        return len(callers) > 1 or any(self.in_loop(c) for c in callers)

    def in_loop(self, node: cst.CSTNode) -> bool:
        """``node`` is in the body of a ``for``/``while`` loop or in a comprehension, within its scope."""
        for ancestor in self.ancestors(node):
            if type(ancestor) in _SCOPE_TYPES:
                return False
            if isinstance(ancestor, (cst.For, cst.While)) and (
                self.contains(ancestor.body, node)
                or (isinstance(ancestor, cst.While) and self.contains(ancestor.test, node))
            ):
                return True
            if isinstance(
                ancestor, (cst.ListComp, cst.SetComp, cst.GeneratorExp, cst.DictComp)
            ) and not self.contains(ancestor.for_in.iter, node):
                return True
        return False

    # --- variables: how a name is used, module state a function changes ---------------------------------
    def variable_use(self, name: cst.Name) -> Optional[str]:
        """How a ``Name`` node uses a variable: ``"load"``, ``"store"``, ``"augment"`` (``x += 1``: both),
        ``"del"``, or None when it is not a variable reference (an attribute, a keyword, a parameter, a
        ``def``/``class``/import name, a ``global`` statement)."""
        top: cst.CSTNode = name
        while isinstance(self.parents.get(top), cst.Attribute):
            top = self.parents[top]  # type: ignore[assignment]
        if isinstance(self.parents.get(top), (cst.Import, cst.ImportAlias, cst.ImportFrom)):
            return None
        child: cst.CSTNode = name
        parent = self.parents.get(name)
        while isinstance(parent, (cst.Element, cst.StarredElement, cst.Tuple, cst.List)):
            child, parent = parent, self.parents.get(parent)
        target = child is not name  # part of a tuple or list
        if isinstance(parent, cst.Attribute):
            return None if parent.attr is name else "load"
        if isinstance(parent, (cst.AssignTarget, cst.AsName, cst.CompFor, cst.For, cst.NamedExpr)):
            if getattr(parent, "target", None) is child or isinstance(parent, cst.AsName):
                if isinstance(parent, cst.AsName):
                    owner = self.parents.get(parent)
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

    def module_state_writes(self, function: FunctionNode) -> list[tuple[cst.CSTNode, str, str]]:
        """Where the function's own body changes module-level variables, as (node, name, how).

        ``how`` is ``"rebind"`` for ``global X`` followed by an assignment, ``X += …`` or ``del X``, and
        ``"mutate"`` for a mutating method call (``X.append(…)``, ``X.update(…)`` …), an item store
        (``X[k] = …``, ``X[k] += …``, ``del X[k]``) on a module-level variable bound to a list, dict, set
        or another mutable container. ``node`` is the statement part that writes.
        """
        out: list[tuple[cst.CSTNode, str, str]] = []
        scope = self.scopes.get(function)
        if scope is None:
            return out
        module = self.module_scope
        for name in sorted(scope.global_names):
            for node in self.name_uses(name):
                if (
                    not self.contains(function, node)
                    or self.enclosing_function_node(node) is not function
                ):
                    continue
                if self.variable_use(node) in ("store", "augment", "del"):
                    out.append((self.small_statement_of(node) or node, name, "rebind"))
        for name, bindings in module.bindings.items():
            if name in scope.global_names or not any(
                b.how == "assign" and not b.path and self.is_mutable_container(b.value)
                for b in bindings
            ):
                continue
            for node in self.name_uses(name):
                if (
                    not self.contains(function, node)
                    or self.enclosing_function_node(node) is not function
                ):
                    continue
                if self.binding_key(node) != (self.module, name):
                    continue
                write = self._mutation_at(node)
                if write is not None:
                    out.append((write, name, "mutate"))
        out.sort(key=lambda item: self.order.get(item[0], 0))
        return out

    def mutation_at(self, name: cst.Name) -> Optional[cst.CSTNode]:
        """When this ``Name`` is changed in place, the node that does it: the ``x.append(…)`` call (any
        of :data:`MUTATING_METHODS`), or the small statement of ``x[k] = …``/``x[k] += …``, or the ``del``
        of ``del x[k]``; else None."""
        return self._mutation_at(name)

    def _mutation_at(self, name: cst.Name) -> Optional[cst.CSTNode]:
        """``name.append(…)`` / ``name[k] = …`` / ``name[k] += …`` / ``del name[k]``: the writing node."""
        parent = self.parents.get(name)
        if isinstance(parent, cst.Attribute) and parent.value is name:
            call = self.parents.get(parent)
            if (
                isinstance(call, cst.Call)
                and call.func is parent
                and parent.attr.value in MUTATING_METHODS
            ):
                return call
            return None
        if isinstance(parent, cst.Subscript) and parent.value is name:
            holder = self.parents.get(parent)
            if isinstance(holder, (cst.AssignTarget, cst.AugAssign)) and holder.target is parent:
                return self.small_statement_of(parent) or parent
            if isinstance(holder, cst.Del):
                return holder
        return None

    def is_mutable_container(self, expr: Optional[cst.BaseExpression]) -> bool:
        """A list, dict or set display or comprehension, or a call of a builtin or ``collections``
        container type."""
        if isinstance(expr, (cst.List, cst.Dict, cst.Set, cst.ListComp, cst.DictComp, cst.SetComp)):
            return True
        if isinstance(expr, cst.Call):
            return self.qualname(expr.func) in _MUTABLE_CONTAINER_TYPES
        return False

    def self_attribute_writes(self, function: FunctionNode) -> list[tuple[cst.CSTNode, str]]:
        """Where a method's own body changes its instance, as (node, attribute): ``self.x = …``,
        ``self.x += …``, ``self.x.append(…)``, ``self.x[k] = …``, ``del self.x[k]``."""
        if not (
            isinstance(function, cst.FunctionDef)
            and self._is_method(function)
            and not _is_classmethod(function)
            and function.params.params
        ):
            return []
        first = function.params.params[0].name.value
        out: list[tuple[cst.CSTNode, str]] = []
        for use in self.name_uses(first):
            if self.enclosing_function_node(use) is not function:
                continue
            parent = self.parents.get(use)
            if not isinstance(parent, cst.Attribute) or parent.value is not use:
                continue
            attr = parent.attr.value
            holder = self.parents.get(parent)
            write: Optional[cst.CSTNode] = None
            if isinstance(holder, (cst.AssignTarget, cst.AugAssign, cst.AnnAssign)):
                if holder.target is parent:
                    write = self.small_statement_of(parent) or parent
            elif isinstance(holder, cst.Attribute) and holder.value is parent:
                call = self.parents.get(holder)
                if (
                    isinstance(call, cst.Call)
                    and call.func is holder
                    and holder.attr.value in MUTATING_METHODS
                ):
                    write = call
            elif isinstance(holder, cst.Subscript) and holder.value is parent:
                store = self.parents.get(holder)
                if (
                    isinstance(store, (cst.AssignTarget, cst.AugAssign)) and store.target is holder
                ) or isinstance(store, cst.Del):
                    write = self.small_statement_of(holder) or holder
            if write is not None:
                out.append((write, attr))
        return out

    def instance_attribute_reads(self, info: ClassInfo, attr: str) -> list[cst.Attribute]:
        """Reads of ``attr`` on instances of the class: ``self.attr`` in its methods, ``obj.attr`` where
        ``obj`` is known to be one (:meth:`instance_class`, or the kind of a Process subclass)."""
        out: list[cst.Attribute] = []
        for name in self.name_uses(attr):
            parent = self.parents.get(name)
            if not isinstance(parent, cst.Attribute) or parent.attr is not name:
                continue
            holder = self.parents.get(parent)
            if isinstance(holder, (cst.AssignTarget, cst.AnnAssign)) and holder.target is parent:
                continue
            if isinstance(holder, cst.Del):
                continue
            owner = self.instance_class(parent.value)
            if owner is None:
                kind = self.kind_of(parent.value)
                if kind is not None and kind.cls is not None:
                    owner = self.classes.get(kind.cls)
            if owner is info:
                out.append(parent)
        return out

    def new_variable_is_safe(self, name: str, at: cst.CSTNode) -> bool:
        """Binding a new variable ``name`` in the scope of ``at`` changes the meaning of no other name:
        it is bound nowhere ``at`` can see, and no name in that scope (or nested in it) reads a global
        or builtin of that spelling."""
        if keyword.iskeyword(name) or not name.isidentifier() or not self.name_is_free(name, at):
            return False
        scope = self.scope_of(at).node
        for use in self.name_uses(name):
            if self.variable_use(use) is None:
                continue
            if scope is not self.module and not self.contains(scope, use):
                continue
            if self.lookup_in_scope(name, use)[0] is None:
                return False  # it would read the new variable instead
        return True

    # --- locks held around a statement ------------------------------------------------------------------
    def may_be_lock(self, expr: cst.BaseExpression) -> bool:
        """``expr`` is a lock-like object, or unknown (a custom lock): not a Pool, a Manager, a file …"""
        kind = self.kind_of(expr)
        if kind is not None:
            return kind.is_lock_like or kind.name is KindName.THREAD_LOCK
        if isinstance(expr, cst.Call):
            qual = self.qualname(expr.func)
            if qual is not None and qual.split(".", 1)[0] in _NOT_LOCK_MODULES:
                return False
        return True

    def held_locks_cover(self, node: cst.CSTNode, depth: int = 0) -> bool:
        """``node`` runs while a lock (or an unknown context manager) is held: it is in the body of a
        ``with`` on such an object, after ``X.acquire()`` and before ``X.release()`` in its function, or
        every call of its function is (one level)."""
        function = self.enclosing_function_node(node)
        for ancestor in self.ancestors(node):
            if ancestor is function:
                break
            if (
                isinstance(ancestor, cst.With)
                and self.contains(ancestor.body, node)
                and any(self.may_be_lock(item.item) for item in ancestor.items)
            ):
                return True
        position = self.order.get(node, 0)
        for acquire in self.method_calls.get("acquire", []):
            if self.enclosing_function_node(acquire) is not function:
                continue
            if self.order.get(acquire, 0) >= position or not isinstance(
                acquire.func, cst.Attribute
            ):
                continue
            receiver = acquire.func.value
            if not self.may_be_lock(receiver):
                continue
            key = self.receiver_key(receiver)
            for release in self.method_calls.get("release", []):
                if (
                    self.order.get(release, 0) > position
                    and self.enclosing_function_node(release) is function
                    and isinstance(release.func, cst.Attribute)
                    and self.receiver_key(release.func.value) == key
                ):
                    return True
        if depth == 0 and function is not None:
            callers = self.calls_to(function)
            if callers and all(self.held_locks_cover(c, depth + 1) for c in callers):
                return True
        return False

    def receiver_key(self, expr: cst.BaseExpression) -> tuple[object, ...]:
        """A key to compare the receivers of two method calls: the variable, or the code."""
        key = self.binding_key(expr)
        if key is not None:
            return key
        return ("code", self.enclosing_function_node(expr), self.module.code_for_node(expr))

    # --- managers and their proxies ---------------------------------------------------------------------
    def proxy_manager(self, expr: cst.BaseExpression) -> Optional[tuple[object, ...]]:
        """The variable holding the Manager that served the proxy ``expr`` (``d`` in ``d = m.dict()``
        gives the key of ``m``), when every origin of ``expr`` agrees; else None."""
        origins = self.origins(expr)
        if not origins:
            return None
        keys: set[tuple[object, ...]] = set()
        for origin in origins:
            if not isinstance(origin, cst.Call) or not isinstance(origin.func, cst.Attribute):
                return None
            kind = self.kind_of(origin)
            manager = self.kind_of(origin.func.value)
            if kind is None or not kind.proxy or manager is None:
                return None
            if manager.name is not KindName.MANAGER:
                return None
            key = self.binding_key(origin.func.value)
            if key is None:
                return None
            keys.add(key)
        return keys.pop() if len(keys) == 1 else None

    # --- queues and pipes: what the worker side does with an object, exceptions, loops, imports -----
    def submission_root(self, submission: Submission) -> Optional[FunctionNode]:
        """The function a submission runs first: the target or task function, or ``run()``."""
        if submission.via == "run":
            info = self.classes.get(submission.owner.cls or "")
            return self.class_method(info, "run") if info is not None else None
        return self.resolve_function(submission.callable)

    def reachable_functions(self, root: FunctionNode) -> list[FunctionNode]:
        """``root`` and the functions of this module it calls, transitively (B5, bounded depth)."""
        found = [root]
        frontier = [root]
        for _ in range(_CALL_GRAPH_DEPTH):
            next_frontier: list[FunctionNode] = []
            for function in frontier:
                for callee in self.callees(function):
                    if callee not in found:
                        found.append(callee)
                        next_frontier.append(callee)
            frontier = next_frontier
        return found

    def submitted_arguments(self, submission: Submission) -> tuple[cst.BaseExpression, ...]:
        """The leading positional arguments the worker receives, as far as they are known.

        Arguments bound by ``functools.partial(f, a)`` come first, then ``args=`` (of a Process target,
        ``apply_async``, ``submit`` …); for a Process subclass, the arguments of its constructor call
        (they map to ``__init__`` after ``self``).
        """
        if submission.via == "run":
            return tuple(a.value for a in positional_args(submission.call))
        bound: tuple[cst.BaseExpression, ...] = ()
        callable_expr = submission.callable
        if (
            isinstance(callable_expr, cst.Call)
            and self.qualname(callable_expr.func) == "functools.partial"
        ):
            bound = tuple(a.value for a in positional_args(callable_expr)[1:])
            if len(bound) != len(callable_expr.args) - 1:
                return bound  # keywords or *args in the partial: later positions are unknown
        return bound + (submission.args or ())

    def submitted_keywords(self, submission: Submission) -> dict[str, cst.BaseExpression]:
        """The keyword arguments the worker receives, when spelled out: ``kwargs={"q": q}`` of a
        Process, ``kwds=`` of ``apply_async``, keywords of ``submit()`` or of a Process subclass's
        constructor."""
        call = submission.call
        if submission.via == "run" or (
            submission.via == "executor" and all(not a.star for a in call.args)
        ):
            return {
                a.keyword.value: a.value
                for a in call.args[(0 if submission.via == "run" else 1) :]
                if a.keyword is not None
            }
        mapping: Optional[cst.BaseExpression] = None
        if submission.via == "process":
            mapping = call_argument(call, 4, "kwargs")
        elif submission.via == "pool":
            mapping = call_argument(call, 2, "kwds")
        out: dict[str, cst.BaseExpression] = {}
        if isinstance(mapping, cst.Dict):
            for element in mapping.elements:
                key = element.key if isinstance(element, cst.DictElement) else None
                name = _string_value(key)
                if name is not None and isinstance(element, cst.DictElement):
                    out[name] = element.value
        return out

    def worker_keys(
        self, submission: Submission, index: int, keyword: Optional[str] = None
    ) -> list[tuple[object, ...]]:
        """The variables under which the worker side sees the submitted argument at ``index`` (or the
        keyword argument ``keyword``).

        The target's parameter, the parameters of the module functions that it (transitively) hands the
        value to by position or keyword, and for Process subclasses the ``self`` attributes that
        ``__init__`` stores the constructor argument in.
        """
        root = self.submission_root(submission)
        if root is None:
            return []
        keys: list[tuple[object, ...]] = []
        if submission.via == "run":
            info = self.classes.get(submission.owner.cls or "")
            init = self.class_method(info, "__init__") if info is not None else None
            if init is None:
                return []
            name = _param_name(init.params, index + 1, keyword)
            owner = self.enclosing_class(init)
            if name is None or owner is None:
                return []
            start: list[tuple[FunctionNode, str]] = [(init, name)]
            for attr, values in owner.attributes.items():
                for value in values:
                    if (
                        isinstance(value, cst.Name)
                        and value.value == name
                        and self.binding_key(value) == (init, name)
                    ):
                        keys.append((owner.node, "self", attr))
        else:
            shift = 1 if isinstance(root, cst.FunctionDef) and self._is_method(root) else 0
            name = _param_name(root.params, index + shift, keyword)
            if name is None:
                return []
            start = [(root, name)]
        for function, param in self._follow_parameter(start):
            keys.append((function, param))
        return keys

    def _follow_parameter(
        self, start: list[tuple[FunctionNode, str]]
    ) -> list[tuple[FunctionNode, str]]:
        """A parameter and the parameters of the module functions it is passed on to."""
        found = list(start)
        frontier = list(start)
        for _ in range(_CALL_GRAPH_DEPTH):
            next_frontier: list[tuple[FunctionNode, str]] = []
            for function, param in frontier:
                for call in self.function_calls(function):
                    target = self.resolve_function(call.func)
                    if target is None:
                        continue
                    for received in self._parameters_receiving(call, target, (function, param)):
                        if received not in found:
                            found.append(received)
                            next_frontier.append(received)
            frontier = next_frontier
        return found

    def _parameters_receiving(
        self, call: cst.Call, target: FunctionNode, key: tuple[object, ...]
    ) -> list[tuple[FunctionNode, str]]:
        shift = 0
        if (
            isinstance(target, cst.FunctionDef)
            and isinstance(call.func, cst.Attribute)
            and self._is_method(target)
        ):
            shift = 1  # ``self.helper(q)``: q is the second parameter
        out: list[tuple[FunctionNode, str]] = []
        for position, arg in enumerate(call.args):
            if not isinstance(arg.value, cst.Name) or self.binding_key(arg.value) != key:
                continue
            if arg.star:
                continue
            if arg.keyword is not None:
                name: Optional[str] = arg.keyword.value
            else:
                name = _positional_param_name(target.params, position + shift)
            if name is not None:
                out.append((target, name))
        return out

    def worker_calls(
        self, submission: Submission, expr: cst.BaseExpression, methods: Iterable[str]
    ) -> list[cst.Call]:
        """Calls ``X.method()`` the worker side of ``submission`` makes on the object ``expr`` names in
        the parent: through the submitted arguments (B2 parameter propagation, helpers included), and
        directly when the worker reads the same global, closure variable or ``self`` attribute."""
        keys, functions = self._worker_view(submission, expr)
        methods = tuple(methods)
        out: list[cst.Call] = []
        for each in keys:
            for call in self.calls_on(each, methods):
                if self.enclosing_function_node(call) in functions and call not in out:
                    out.append(call)
        out.sort(key=lambda c: self.order.get(c, 0))
        return out

    def worker_enters(self, submission: Submission, expr: cst.BaseExpression) -> bool:
        """The worker side of ``submission`` enters the object ``expr`` names with ``with`` (as
        ``worker_calls`` finds its method calls)."""
        keys, functions = self._worker_view(submission, expr)
        for statement in self.nodes_of(cst.With):
            if self.enclosing_function_node(statement) not in functions:
                continue
            if any(self.binding_key(item.item) in keys for item in statement.items):
                return True
        return False

    def _worker_view(
        self, submission: Submission, expr: cst.BaseExpression
    ) -> tuple[list[tuple[object, ...]], set[FunctionNode]]:
        """The variables under which the worker side sees the object ``expr`` names, and the functions
        the worker runs; nothing when the worker or the object is not known."""
        root = self.submission_root(submission)
        key = self.binding_key(expr)
        if root is None or key is None:
            return [], set()
        keys: list[tuple[object, ...]] = [key]
        for index, arg in enumerate(self.submitted_arguments(submission)):
            if self.binding_key(arg) == key:
                keys.extend(self.worker_keys(submission, index))
        for name, arg in self.submitted_keywords(submission).items():
            if self.binding_key(arg) == key:
                keys.extend(self.worker_keys(submission, -1, name))
        return keys, set(self.reachable_functions(root))

    def passes_object(self, submission: Submission, expr: cst.BaseExpression) -> bool:
        """The object ``expr`` names is among the submitted arguments of ``submission``."""
        key = self.binding_key(expr)
        passed = (
            *self.submitted_arguments(submission),
            *self.submitted_keywords(submission).values(),
        )
        return key is not None and any(self.binding_key(arg) == key for arg in passed)

    def object_calls(self, creator: cst.Call, methods: Iterable[str]) -> list[cst.Call]:
        """Calls ``X.method()`` on any expression known to hold the object ``creator`` made (a Process
        in a variable, in a list iterated by ``for p in procs``, in ``self.proc`` …)."""
        out: list[cst.Call] = []
        for method in methods:
            for call in self.method_calls.get(method, []):
                func = call.func
                if not isinstance(func, cst.Attribute):
                    continue
                kind = self.kind_of(func.value)
                if kind is not None and kind.creator is creator:
                    out.append(call)
        out.sort(key=lambda c: self.order.get(c, 0))
        return out

    def queue_call_raises(self, call: cst.Call, *, assume_queue: bool = False) -> Optional[str]:
        """``"Empty"``/``"Full"`` when this ``get``/``put`` on a queue may raise ``queue.Empty``/
        ``queue.Full`` (``*_nowait``, ``block=False``, a timeout, or an unknown ``block`` flag); None when
        it blocks until it succeeds, or when the receiver is not known to be a queue (with
        ``assume_queue``, a receiver of unknown kind is taken to be one)."""
        func = call.func
        if not isinstance(func, cst.Attribute):
            return None
        method = func.attr.value
        if method not in api_table.QUEUE_GET_METHODS | api_table.QUEUE_PUT_METHODS:
            return None
        kind = self.kind_of(func.value)
        if kind is None and not assume_queue:
            return None
        if kind is not None and not api_table.is_queue_kind_name(kind.name):
            return None
        if kind is not None and kind.name is KindName.SIMPLE_QUEUE:
            return None  # multiprocessing.SimpleQueue: get()/put() always block, no *_nowait
        exception = "Empty" if method in api_table.QUEUE_GET_METHODS else "Full"
        if method.endswith("_nowait"):
            return exception
        if any(arg.star for arg in call.args):
            return exception
        first = 0 if exception == "Empty" else 1  # get(block, timeout) / put(obj, block, timeout)
        block = call_argument(call, first, "block")
        timeout = call_argument(call, first + 1, "timeout")
        if timeout is not None and not (isinstance(timeout, cst.Name) and timeout.value == "None"):
            return exception
        if block is None or (isinstance(block, cst.Name) and block.value == "True"):
            return None
        if isinstance(block, cst.Integer) and block.value != "0":
            return None
        return exception

    def queue_is_bounded(self, kind: Kind) -> Optional[bool]:
        """Whether a queue was created with a positive ``maxsize`` (only then can ``put`` raise
        ``queue.Full``); None when the creation is not visible or the size is not a literal."""
        creator = kind.creator
        if creator is None:
            return None
        if kind.name is KindName.SIMPLE_QUEUE:
            return False
        qual = self.qualname(creator.func)
        if qual is not None and qual.endswith("SimpleQueue"):
            return False
        size = call_argument(creator, 0, "maxsize")
        if size is None:
            return False
        value = size
        negative = False
        if isinstance(value, cst.UnaryOperation) and isinstance(value.operator, cst.Minus):
            value, negative = value.expression, True
        if isinstance(value, cst.Integer):
            return not negative and int(value.value, 0) > 0
        return None

    def exception_catches(self, expr: cst.BaseExpression, exception: str) -> Optional[bool]:
        """Whether the ``except`` expression ``expr`` catches ``exception`` (``"queue.Empty"``,
        ``"queue.Full"`` or a builtin such as ``"builtins.EOFError"``); None when it cannot be told
        (a variable, a name imported from another module that could be an alias or a tuple)."""
        if isinstance(expr, cst.Tuple):
            results = [self.exception_catches(e.value, exception) for e in expr.elements]
            if True in results:
                return True
            return None if None in results else False
        if self.resolve_class(expr) is not None:
            return False  # a class of this module is never a base of a library exception
        qual = self.qualname(expr)
        if qual is None:
            return None
        target_queue = api_table.queue_exception(exception)
        caught_queue = api_table.queue_exception(qual)
        if caught_queue is not None:
            return target_queue == caught_queue
        if qual.startswith("builtins."):
            caught = getattr(builtins, qual[len("builtins.") :], None)
            if not (isinstance(caught, type) and issubclass(caught, BaseException)):
                return None
            if target_queue is not None:
                return caught in (Exception, BaseException)
            target = getattr(builtins, exception[len("builtins.") :], None)
            if isinstance(target, type):
                return issubclass(target, caught)
            return None
        if qual.rsplit(".", 1)[-1] == exception.rsplit(".", 1)[-1]:
            return None  # e.g. a re-export of queue.Empty by another module
        return None

    def handlers_catch(self, try_node: cst.Try, exception: str) -> Optional[bool]:
        """Whether one of the ``except`` clauses of ``try_node`` catches ``exception`` (None: unknown)."""
        results: list[Optional[bool]] = []
        for handler in try_node.handlers:
            if handler.type is None:
                return True
            results.append(self.exception_catches(handler.type, exception))
        if True in results:
            return True
        return None if None in results else False

    def caught_around(self, node: cst.CSTNode, exception: str) -> Optional[bool]:
        """Whether ``exception`` raised at ``node`` is caught by a ``try`` around it in its function."""
        results: list[Optional[bool]] = []
        for ancestor in self.ancestors(node):
            if type(ancestor) in _SCOPE_TYPES:
                break
            if isinstance(ancestor, cst.Try) and self.contains(ancestor.body, node):
                results.append(self.handlers_catch(ancestor, exception))
        if True in results:
            return True
        return None if None in results else False

    def innermost_try_body(self, node: cst.CSTNode) -> Optional[cst.Try]:
        """The ``try`` whose body most closely encloses ``node`` (in the same function), if any."""
        for ancestor in self.ancestors(node):
            if type(ancestor) in _SCOPE_TYPES:
                return None
            if isinstance(ancestor, cst.Try) and self.contains(ancestor.body, node):
                return ancestor
        return None

    def calls_within(self, node: cst.CSTNode) -> list[cst.Call]:
        """The calls inside ``node`` that run with it (not those of nested defs, lambdas or classes)."""
        function = self.enclosing_function_node(node)
        pool = self.calls_by_function.get(function, []) if function is not None else self.calls
        return [
            call
            for call in pool
            if self.contains(node, call) and not self._inside_nested_scope(call, node)
        ]

    def _inside_nested_scope(self, node: cst.CSTNode, outer: cst.CSTNode) -> bool:
        for ancestor in self.ancestors(node):
            if ancestor is outer:
                return False
            if type(ancestor) in _SCOPE_TYPES:
                return True
        return False

    # --- loops ---
    def is_infinite_loop(self, node: cst.CSTNode) -> bool:
        """``while True:`` / ``while 1:``."""
        if not isinstance(node, cst.While):
            return False
        test = node.test
        if isinstance(test, cst.Name):
            return test.value == "True"
        return isinstance(test, cst.Integer) and test.value != "0"

    def loop_can_exit(self, loop: Union[cst.While, cst.For]) -> bool:
        """The loop body has a way out: a ``break`` of this loop, ``return``, ``raise``, ``yield``, or a
        call to ``sys.exit()``/``os._exit()``/``exit()``/``quit()`` (directly or in a module function it
        calls)."""
        for node in _walk(loop.body):
            if isinstance(node, (cst.Return, cst.Raise, cst.Yield)):
                return True
            if isinstance(node, cst.Break) and self._loop_of_break(node) is loop:
                return True
        for call in self.calls_within(loop.body):
            if self._is_exit_call(call):
                return True
            target = self.resolve_function(call.func)
            if target is not None and self.call_chain(target, self._raises_or_exits, 2):
                return True
        return False

    def _loop_of_break(self, node: cst.Break) -> Optional[cst.CSTNode]:
        for ancestor in self.ancestors(node):
            if isinstance(ancestor, (cst.For, cst.While)) and self.contains(ancestor.body, node):
                return ancestor
            if type(ancestor) in _SCOPE_TYPES:
                return None
        return None

    def _is_exit_call(self, call: cst.Call) -> bool:
        return self.qualname(call.func) in (
            "sys.exit",
            "os._exit",
            "builtins.exit",
            "builtins.quit",
        )

    def _raises_or_exits(self, function: FunctionNode) -> bool:
        body = function.body
        if any(isinstance(node, cst.Raise) for node in _walk(body)):
            return True
        return any(self._is_exit_call(call) for call in self.function_calls(function))

    def earlier_statements(self, node: cst.CSTNode) -> list[cst.CSTNode]:
        """Statements that have run before ``node`` in its function: the earlier siblings of the
        statement holding ``node`` and of each statement enclosing it, up to the function body."""
        out: list[cst.CSTNode] = []
        current = self.statement_of(node)
        while current is not None:
            block = self.block_of(current)
            if block is not None:
                out.extend(s for s in block if self.precedes(s, current))
            parent = self.parents.get(current)
            if parent is None or type(parent) in _SCOPE_TYPES:
                break
            owner: Optional[cst.CSTNode] = parent
            while owner is not None and not isinstance(
                owner, (cst.SimpleStatementLine, cst.BaseCompoundStatement)
            ):
                owner = self.parents.get(owner)
            if owner is None or type(owner) in _SCOPE_TYPES:
                break
            current = owner
        return out

    # --- names and imports, for fixes ---
    def name_is_free(self, name: str, at: cst.CSTNode) -> bool:
        """``name`` is bound nowhere ``at`` can see (and not at module level): a new module-level
        import of it would be visible there and shadow nothing."""
        return (
            not self.lookup(name, at)
            and name not in self.module_scope.bindings
            and not self.star_imports
            and name not in _BUILTINS
        )

    def visible_import(self, name: str, at: cst.CSTNode) -> Optional[str]:
        """The qualified name ``name`` stands for at ``at`` when it is bound only by imports of it."""
        bindings = self.lookup(name, at)
        quals = {b.qualname for b in bindings if b.how == "import"}
        if bindings and len(quals) == 1 and all(b.how == "import" for b in bindings):
            return quals.pop()
        return None

    def import_spelling(
        self, qualname: str, at: cst.CSTNode
    ) -> Optional[tuple[str, Optional[str]]]:
        """How to spell ``qualname`` (``"queue.Full"``) at ``at``: (text, import line to add or None).

        An import of the name or of its module that is visible there is reused; else ``import module``
        when the module name is free, else ``from module import name`` when the name is free.
        """
        module, _, attr = qualname.rpartition(".")
        candidates: list[str] = []
        scope: Optional[Scope] = self.scope_of(at)
        while scope is not None:
            for name, bindings in scope.bindings.items():
                if any(b.how == "import" for b in bindings) and name not in candidates:
                    candidates.append(name)
            scope = scope.parent
        for name in candidates:
            if self.visible_import(name, at) == qualname:
                return name, None
        for name in candidates:
            if module and self.visible_import(name, at) == module:
                return f"{name}.{attr}", None
        if module and "." not in module and self.name_is_free(module, at):
            return qualname, f"import {module}"
        if module and self.name_is_free(attr, at):
            return attr, f"from {module} import {attr}"
        return None

    def import_anchor(self) -> Optional[tuple[cst.CSTNode, bool]]:
        """Where a new module-level import goes: ``(statement, True)`` to insert it after the last
        import of the module's leading imports, ``(statement, False)`` to insert it before the first
        statement after the docstring and ``from __future__`` imports when there are no imports."""
        last_import: Optional[cst.CSTNode] = None
        for index, statement in enumerate(self.module.body):
            small = (
                statement.body[0]
                if isinstance(statement, cst.SimpleStatementLine) and statement.body
                else None
            )
            if (
                index == 0
                and isinstance(small, cst.Expr)
                and isinstance(small.value, (cst.SimpleString, cst.ConcatenatedString))
            ):
                continue
            if isinstance(small, (cst.Import, cst.ImportFrom)):
                last_import = statement
                continue
            if last_import is not None:
                return last_import, True
            return statement, False
        return (last_import, True) if last_import is not None else None

    def references(self, key: tuple[object, ...]) -> list[cst.Name]:
        """Every ``Name`` in the module that reads or binds the variable named by ``key``."""
        if len(key) != 2:
            return []
        return [n for n in self.name_uses(str(key[1])) if self.binding_key(n) == key]

    def import_used_elsewhere(self, name: cst.Name, excluding: Iterable[cst.CSTNode] = ()) -> bool:
        """Whether the import that ``name`` reads has readers other than ``name`` and ``excluding``
        (True when ``name`` does not read an import): rewriting ``name`` away leaves no unused import."""
        bindings = self.lookup(name.value, name)
        if not bindings or any(b.how != "import" for b in bindings):
            return True
        skip = set(excluding)
        for other in self.name_uses(name.value):
            if other is name or other in skip:
                continue
            if isinstance(self.small_statement_of(other), (cst.Import, cst.ImportFrom)):
                continue
            parent = self.parents.get(other)
            if isinstance(parent, cst.Attribute) and parent.attr is other:
                continue
            if self.lookup(other.value, other) is bindings:
                return True
        return False

    # --- pipes ---
    def pipe_unpacking(
        self, name: cst.Name
    ) -> Optional[tuple[cst.Call, int, Union[cst.Tuple, cst.List]]]:
        """For a name bound by ``a, b = Pipe(...)`` (its only binding in scope): the ``Pipe()`` call,
        the position of the name in the target, and the target."""
        bindings = self.lookup(name.value, name)
        if len(bindings) != 1:
            return None
        binding = bindings[0]
        if binding.how != "assign" or len(binding.path) != 1 or binding.value is None:
            return None
        value = binding.value
        kind = self.kind_of(value)
        if (
            not isinstance(value, cst.Call)
            or kind is None
            or kind.name is not KindName.TUPLE
            or len(kind.items) != 2
            or kind.items[0] is None
            or kind.items[0].creator is not value
        ):
            return None
        element = self.parents.get(binding.node)
        target = self.parents.get(element) if element is not None else None
        if not isinstance(target, (cst.Tuple, cst.List)) or len(target.elements) != 2:
            return None
        return value, binding.path[0], target

    @staticmethod
    def waits_forever(join: cst.Call) -> bool:
        """``x.join()`` without a timeout (or with ``timeout=None``)."""
        argument = call_argument(join, 0, "timeout")
        if argument is None:
            return not join.args
        return isinstance(argument, cst.Name) and argument.value == "None"

    # --- pools: result handles, `with Pool()` blocks, loops, callbacks, arity, abrupt exits ----------
    _handle_memo: Optional[list[tuple[cst.Call, Kind]]] = None

    def handle_calls(self) -> list[tuple[cst.Call, Kind]]:
        """Calls that hand back a handle on queued work, with the handle's kind, in source order.

        ``apply_async``/``map_async``/``starmap_async`` (an AsyncResult) and ``imap``/``imap_unordered``
        (a result iterator) on a pool of processes or threads; ``submit`` (a Future) and ``map`` (a lazy
        result iterator) on an executor.
        """
        if self._handle_memo is None:
            found: list[tuple[cst.Call, Kind]] = []
            for method in _HANDLE_METHODS:
                for call in self.method_calls.get(method, []):
                    kind = self.kind_of(call)
                    if kind is not None and kind.creator is call and kind.name in _HANDLE_KINDS:
                        found.append((call, kind))
            found.sort(key=lambda item: self.order.get(item[0], 0))
            self._handle_memo = found
        return self._handle_memo

    def handle_owner(self, call: cst.Call) -> Optional[tuple[cst.BaseExpression, Kind]]:
        """For ``X.method(...)`` on a pool or executor: the receiver ``X`` and its kind."""
        func = call.func
        if not isinstance(func, cst.Attribute):
            return None
        kind = self.kind_of(func.value)
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
            parent = self.parents.get(current)
            if isinstance(parent, cst.Expr):
                return ValueFlow("discarded", parent)
            if isinstance(parent, cst.Attribute) and parent.value is current:
                grand = self.parents.get(parent)
                if not contained and isinstance(grand, cst.Call) and grand.func is parent:
                    return ValueFlow("method", grand)
                return ValueFlow("other", parent)
            if isinstance(parent, (cst.Element, cst.StarredElement, cst.DictElement)):
                container = self.parents.get(parent)
                if isinstance(container, (cst.List, cst.Tuple, cst.Set, cst.Dict)):
                    contained, current = True, container
                    continue
                return ValueFlow("other", parent)
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
                    key = self.binding_key(target.value)
                    return ValueFlow("stored", parent, key) if key else ValueFlow("other", parent)
                key = self.binding_key(target) if target is not None else None
                if key is None:
                    return ValueFlow("other", parent)
                return ValueFlow("stored" if contained else "assigned", parent, key)
            if isinstance(parent, cst.Return):
                return ValueFlow("returned", parent)
            if isinstance(parent, cst.Yield):
                return ValueFlow("yielded", parent)
            if isinstance(parent, cst.Arg):
                call = self.parents.get(parent)
                if isinstance(call, cst.Call) and parent.keyword is None:
                    func = call.func
                    if isinstance(func, cst.Attribute) and func.attr.value in _STORE_METHODS:
                        key = self.binding_key(func.value)
                        if key is not None:
                            return ValueFlow("stored", call, key)
                    return ValueFlow("argument", call)
                return ValueFlow("other", parent)
            return ValueFlow("other", parent if parent is not None else current)

    def variable_loads(self, key: tuple[object, ...]) -> list[cst.Name]:
        """The names that read the local (or module) variable ``key``, in source order."""
        return [n for n in self.references(key) if self.variable_use(n) in ("load", "augment")]

    def container_reads(self, key: tuple[object, ...]) -> list[cst.Name]:
        """The reads of a container variable other than as the receiver of a storing method
        (``handles.append(h)``, ``futures.add(f)`` …): where its items may be used."""
        out: list[cst.Name] = []
        for name in self.variable_loads(key):
            parent = self.parents.get(name)
            if isinstance(parent, cst.Attribute) and parent.attr.value in _STORE_METHODS:
                call = self.parents.get(parent)
                if isinstance(call, cst.Call) and call.func is parent:
                    continue
            out.append(name)
        return out

    def pool_blocks(self) -> list[PoolBlock]:
        """``with`` statements over a pool (of processes or threads, any library): ``with Pool() as p:``,
        ``with ctx.Pool() as p:``, ``with pool:``. Their exit calls ``Pool.terminate()``. Executors are not
        included: their exit waits for the pending work (``shutdown(wait=True)``)."""
        out: list[PoolBlock] = []
        for item in self.with_items:
            with_node = self.parents.get(item)
            if not isinstance(with_node, cst.With) or with_node.asynchronous is not None:
                continue
            kind = self.kind_of(item.item)
            if kind is None or not kind.is_pool:
                continue
            key: Optional[tuple[object, ...]] = None
            if item.asname is not None:
                if isinstance(item.asname.name, cst.Name):
                    key = self.binding_key(item.asname.name)
            elif isinstance(item.item, (cst.Name, cst.Attribute)):
                key = self.binding_key(item.item)
            out.append(PoolBlock(with_node, item, kind, key))
        return out

    def block_handles(self, block: PoolBlock) -> list[tuple[cst.Call, Kind]]:
        """The handle calls (:meth:`handle_calls`) on the block's pool in the block's own body."""
        out: list[tuple[cst.Call, Kind]] = []
        function = self.enclosing_function_node(block.node)
        for call, kind in self.handle_calls():
            if not self.contains(block.node.body, call):
                continue
            if self.enclosing_function_node(call) is not function:
                continue
            func = call.func
            assert isinstance(func, cst.Attribute)
            receiver = func.value
            if receiver is block.item.item or (
                block.key is not None and self.binding_key(receiver) == block.key
            ):
                out.append((call, kind))
        return out

    def pool_drained(self, block: PoolBlock, after: cst.CSTNode) -> bool:
        """The block calls ``close()`` and then ``join()`` on its pool after ``after``: every task queued
        before is done when the block exits."""
        if block.key is None:
            return False
        body = block.node.body
        calls = [
            c
            for c in self.calls_on(block.key, ("close", "join"))
            if self.contains(body, c) and self.precedes(after, c)
        ]
        closes = [
            c for c in calls if isinstance(c.func, cst.Attribute) and c.func.attr.value == "close"
        ]
        return any(
            self.precedes(close, join)
            for join in calls
            if isinstance(join.func, cst.Attribute) and join.func.attr.value == "join"
            for close in closes
        )

    def innermost_loop(self, node: cst.CSTNode) -> Optional[cst.CSTNode]:
        """The innermost loop that runs ``node`` on each of its passes, within ``node``'s scope: a ``for``
        whose body holds it, a ``while`` whose body or test does, or a comprehension whose element,
        condition or inner ``for`` does (not the iterable of its first ``for``: that runs once)."""
        child: cst.CSTNode = node
        for ancestor in self.ancestors(node):
            if type(ancestor) in _SCOPE_TYPES:
                return None
            if isinstance(ancestor, cst.For) and child is ancestor.body:
                return ancestor
            if isinstance(ancestor, cst.While) and child in (ancestor.body, ancestor.test):
                return ancestor
            if isinstance(ancestor, _COMPREHENSIONS) and not self.contains(
                ancestor.for_in.iter, node
            ):
                return ancestor
            child = ancestor
        return None

    def loop_carries(self, loop: cst.CSTNode, value: cst.CSTNode, uses: cst.CSTNode) -> bool:
        """The value computed at ``value`` inside ``loop`` may be read by ``uses`` on a later pass: it
        is assigned (or appended) to a variable that ``uses`` (or, for a ``while``, the loop test) reads,
        directly or through other assignments in the loop (iteration *n + 1* needs the result of *n*)."""
        if isinstance(loop, _COMPREHENSIONS):
            return False
        tracked: set[tuple[object, ...]] = set(self._keys_receiving(value))
        if not tracked:
            return False
        sources: list[Optional[cst.CSTNode]] = []  # values written to variables in the loop
        for node in _walk(loop):
            if isinstance(node, (cst.Assign, cst.AugAssign, cst.AnnAssign)):
                sources.append(node.value)
            elif (
                isinstance(node, cst.Call)
                and isinstance(node.func, cst.Attribute)
                and node.func.attr.value in _STORE_METHODS
            ):
                sources.append(node)  # ``out.append(value)``
        changed = True
        while changed:
            changed = False
            for source in sources:
                if source is None or not self._reads_any(source, tracked):
                    continue
                for key in self._keys_receiving(source):
                    if key not in tracked:
                        tracked.add(key)
                        changed = True
        readers: list[cst.CSTNode] = [uses]
        if isinstance(loop, cst.While):
            readers.append(loop.test)
        return any(self._reads_any(r, tracked) for r in readers)

    def _keys_receiving(self, value: cst.CSTNode) -> list[tuple[object, ...]]:
        """The variables the statement holding ``value`` binds, or the container it appends to."""
        statement = self.small_statement_of(value)
        keys: list[tuple[object, ...]] = []
        targets: list[cst.BaseExpression] = []
        if isinstance(statement, cst.Assign):
            targets = [t.target for t in statement.targets]
        elif isinstance(statement, (cst.AugAssign, cst.AnnAssign)):
            targets = [statement.target]
        elif isinstance(statement, cst.Expr) and isinstance(statement.value, cst.Call):
            func = statement.value.func
            if isinstance(func, cst.Attribute) and func.attr.value in _STORE_METHODS:
                targets = [func.value]
        while targets:
            target = targets.pop()
            if isinstance(target, (cst.Tuple, cst.List)):
                targets.extend(e.value for e in target.elements)
            elif isinstance(target, (cst.Subscript, cst.StarredElement)):
                targets.append(target.value)  # ``out[k] = …`` stores into ``out``
            else:
                key = self.binding_key(target)
                if key is not None:
                    keys.append(key)
        return keys

    def _reads_any(self, node: cst.CSTNode, keys: set[tuple[object, ...]]) -> bool:
        for inner in (node, *_walk(node)):
            if (
                isinstance(inner, (cst.Name, cst.Attribute))
                and self.binding_key(inner) in keys
                and not (isinstance(inner, cst.Name) and self.variable_use(inner) == "store")
            ):
                return True
        return False

    def loop_exits_early(self, loop: cst.CSTNode) -> bool:
        """A ``break`` of this loop or a ``return`` in its body: the loop may stop on a result."""
        if not isinstance(loop, (cst.For, cst.While)):
            return False
        for node in _walk(loop.body):
            if isinstance(node, cst.Return):
                return True
            if isinstance(node, cst.Break) and self._loop_of_break(node) is loop:
                return True
        return False

    def positional_arity(self, expr: cst.BaseExpression) -> Optional[tuple[int, Optional[int]]]:
        """How many positional arguments calling ``expr`` needs and accepts: (required, maximum), the
        maximum None with ``*args``. For functions and lambdas of this module, ``self.method`` (bound),
        ``Class.method`` (unbound, or a static/class method) and ``functools.partial`` of them. None when
        unknown: other decorators, a partial binding a parameter by keyword, anything else."""
        bound = 0
        target = expr
        if isinstance(expr, cst.Call):
            if self.qualname(expr.func) != "functools.partial" or any(a.star for a in expr.args):
                return None
            positional = positional_args(expr)
            if not positional:
                return None
            target = positional[0].value
            bound = len(positional) - 1
            keywords = {a.keyword.value for a in expr.args if a.keyword is not None}
        else:
            keywords = set()
        function = self.resolve_function(target)
        if function is None or isinstance(target, cst.Call):
            return None
        skip = 0
        if isinstance(function, cst.FunctionDef):
            decorators: set[str] = set()
            for decorator in function.decorators:
                if not isinstance(decorator.decorator, cst.Name):
                    return None
                decorators.add(decorator.decorator.value)
            if decorators - {"staticmethod", "classmethod"}:
                return None
            if self._is_method(function):
                key = self.binding_key(target) if isinstance(target, cst.Attribute) else None
                if "classmethod" in decorators or (key is not None and len(key) == 3):
                    skip = 1  # cls / self is passed by the binding
                elif not (
                    isinstance(target, cst.Attribute)
                    and self.resolve_class(target.value) is not None
                ):
                    return None
        params = function.params
        positional_params = [*params.posonly_params, *params.params][skip:]
        cut = next(
            (i for i, p in enumerate(positional_params) if p.name.value in keywords),
            None,
        )
        if cut is not None:
            # a parameter bound by keyword can no longer be given by position: the ones before it can
            if any(
                p.default is None and p.name.value not in keywords for p in positional_params[cut:]
            ):
                return None
            positional_params = positional_params[:cut]
        required = sum(1 for p in positional_params if p.default is None)
        maximum: Optional[int] = None
        if cut is not None or not isinstance(params.star_arg, cst.Param):
            maximum = len(positional_params) - bound
            if maximum < 0:
                return None
        return max(required - bound, 0), maximum

    def blocking_call(self, call: cst.Call) -> Optional[str]:
        """What ``call`` waits for, when it may block its thread for long: a task's result, a future, a
        process, a pool, a queue item, an event, a timer, the console. None otherwise or unknown."""
        qual = self.qualname(call.func)
        if qual == "time.sleep":
            return "sleeps"
        if qual == "builtins.input":
            return "waits for console input"
        if qual == "concurrent.futures.wait":
            return "waits for futures"
        func = call.func
        if not isinstance(func, cst.Attribute):
            return None
        kind = self.kind_of(func.value)
        if kind is None:
            return None
        method = func.attr.value
        name = kind.name
        if name is KindName.ASYNC_RESULT and method in ("get", "wait"):
            return "waits for another task's result"
        if name is KindName.MAP_ITERATOR and method in ("next", "__next__"):
            return "waits for another task's result"
        if name is KindName.FUTURE and method in ("result", "exception"):
            return "waits for a future"
        if kind.is_pool and method in ("apply", "map", "starmap", "join"):
            return f"waits for the pool (`{method}()`)"
        if kind.is_pool and method == "terminate":
            return "terminates the pool from a callback, which deadlocks"
        if kind.is_executor and method == "shutdown":
            wait = call_argument(call, 0, "wait")
            if not _is_false_literal(wait):
                return "waits for the executor to shut down"
        if (kind.is_process or kind.is_thread) and method == "join":
            return f"waits for a {name.value} to end"
        if (
            api_table.is_queue_kind_name(name)
            and method == "get"
            and self.queue_call_raises(call) is None
        ):
            return "waits for a queue item"
        if name is KindName.JOINABLE_QUEUE and method == "join":
            return "waits for a queue to be drained"
        if name in (KindName.EVENT, KindName.BARRIER) and method == "wait":
            timeout = call_argument(call, 0, "timeout")
            if timeout is None:
                return "waits for an Event" if name is KindName.EVENT else "waits at a Barrier"
        return None

    def abrupt_exits(self, function: FunctionNode) -> list[tuple[cst.CSTNode, str]]:
        """Where the function's own body ends its process: ``sys.exit()``/``exit()``/``quit()`` and
        ``raise SystemExit``/``KeyboardInterrupt`` (``"SystemExit"``/``"KeyboardInterrupt"``, unless a
        ``try`` around them in the function catches that), ``os._exit()``, ``os.abort()`` and
        ``os.kill(os.getpid(), …)`` (``"kill"``). In source order."""
        out: list[tuple[cst.CSTNode, str]] = []
        for call in self.function_calls(function):
            qual = self.qualname(call.func)
            if qual in ("sys.exit", "builtins.exit", "builtins.quit"):
                if self.caught_around(call, "builtins.SystemExit") is False:
                    out.append((call, "SystemExit"))
            elif qual in ("os._exit", "os.abort"):
                out.append((call, "kill"))
            elif qual == "os.kill":
                first = call_argument(call, 0, "pid")
                if isinstance(first, cst.Call) and self.qualname(first.func) == "os.getpid":
                    out.append((call, "kill"))
        for node in _walk(function.body):
            if not isinstance(node, cst.Raise) or node.exc is None:
                continue
            exc = node.exc.func if isinstance(node.exc, cst.Call) else node.exc
            qual = self.qualname(exc)
            if (
                qual in ("builtins.SystemExit", "builtins.KeyboardInterrupt")
                and self.caught_around(node, qual) is False
            ):
                out.append((node, qual[len("builtins.") :]))
        out.sort(key=lambda item: self.order.get(item[0], 0))
        return out

    def timeout_raised(self, call: cst.Call) -> Optional[str]:
        """The exception class a call raises when its timeout expires, when it has one:
        ``<library>.TimeoutError`` for ``AsyncResult.get(timeout)`` and ``IMapIterator.next(timeout)`` of
        pools (``multiprocessing``, ``multiprocess``, ``billiard``, ``torch.multiprocessing``), and
        ``concurrent.futures.TimeoutError`` for ``Future.result(timeout)``/``exception(timeout)`` and
        ``concurrent.futures.as_completed(fs, timeout)``."""
        func = call.func
        if self.qualname(func) == "concurrent.futures.as_completed":
            return _FUTURES_TIMEOUT if _has_timeout(call_argument(call, 1, "timeout")) else None
        if not isinstance(func, cst.Attribute):
            return None
        kind = self.kind_of(func.value)
        if kind is None:
            return None
        method = func.attr.value
        timeout = call_argument(call, 0, "timeout")
        if not _has_timeout(timeout):
            return None
        if (kind.name is KindName.ASYNC_RESULT and method == "get") or (
            kind.name is KindName.MAP_ITERATOR
            and kind.family != "concurrent.futures"
            and method == "next"
        ):
            root = "multiprocessing" if kind.family == "multiprocessing.dummy" else kind.family
            return f"{root}.TimeoutError"
        if kind.name is KindName.FUTURE and method in ("result", "exception"):
            return _FUTURES_TIMEOUT
        return None

    def timeout_catch(
        self, expr: cst.BaseExpression, raised: str, *, futures_timeout_is_builtin: bool = True
    ) -> Optional[str]:
        """Whether the ``except`` expression ``expr`` catches the timeout ``raised`` (a result of
        :meth:`timeout_raised`): ``"catches"``; ``"wrong"`` when it names another library's
        ``TimeoutError`` (which does not); ``"misses"``; None when it cannot be told.

        ``multiprocessing.TimeoutError`` (``multiprocessing/context.py``: ``class TimeoutError(ProcessError)``)
        is not the builtin ``TimeoutError``; ``concurrent.futures.TimeoutError`` is the builtin from
        Python 3.11 on (``futures_timeout_is_builtin``), a class of its own before.
        """
        if isinstance(expr, cst.Tuple):
            results = [
                self.timeout_catch(
                    e.value, raised, futures_timeout_is_builtin=futures_timeout_is_builtin
                )
                for e in expr.elements
            ]
            if "catches" in results:
                return "catches"
            if None in results:
                return None
            return "wrong" if "wrong" in results else "misses"
        if self.resolve_class(expr) is not None:
            return "misses"
        qual = self.qualname(expr)
        if qual is None:
            return None
        if qual in ("builtins.Exception", "builtins.BaseException"):
            return "catches"
        mp_timeout = _mp_timeout_name(qual)
        if raised == _FUTURES_TIMEOUT:
            if qual in _FUTURES_TIMEOUT_NAMES:
                return "catches"
            if qual in _BUILTIN_TIMEOUT_NAMES or qual == "builtins.OSError":
                if futures_timeout_is_builtin:
                    return "catches"
                return "wrong" if qual != "builtins.OSError" else "misses"
            if mp_timeout:
                return "wrong"
        else:
            if mp_timeout:
                return "catches"
            if qual in _FUTURES_TIMEOUT_NAMES or qual in _BUILTIN_TIMEOUT_NAMES:
                return "wrong"
        if qual.startswith("builtins."):
            return "misses"
        return None

    def swallows_errors(self, function: FunctionNode) -> bool:
        """The function's body (after its docstring) is one ``try`` with a handler for every error (bare,
        ``Exception`` or ``BaseException``) that does not re-raise: no exception ever leaves it."""
        body = function.body
        if not isinstance(body, cst.IndentedBlock):
            return False
        statements = list(body.body)
        if statements and _is_docstring(statements[0]):
            statements = statements[1:]
        if len(statements) != 1 or not isinstance(statements[0], cst.Try):
            return False
        for handler in statements[0].handlers:
            caught = handler.type
            names = (
                [e.value for e in caught.elements] if isinstance(caught, cst.Tuple) else [caught]
            )
            if caught is not None and not any(
                n is not None
                and self.qualname(n) in ("builtins.Exception", "builtins.BaseException")
                for n in names
            ):
                continue
            return not any(isinstance(node, cst.Raise) for node in _walk(handler.body))
        return False

    def single_worker(self, kind: Kind) -> bool:
        """A pool or executor created with a literal single worker: ``Pool(1)``, ``max_workers=1``."""
        return _single_worker(kind)


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
        elif kind.role != first.role:
            first = replace(first, role=None)  # ends of different roles: the role is unknown
    return first


def _is_false_literal(node: Optional[cst.BaseExpression]) -> bool:
    return (isinstance(node, cst.Name) and node.value == "False") or (
        isinstance(node, cst.Integer) and node.value == "0"
    )


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


# --- data flow helpers (arguments, containers, locks) ------------------------------------------------------
#: Methods that change a list, dict, set, deque or bytearray in place.
MUTATING_METHODS = frozenset(
    {
        "append",
        "appendleft",
        "extend",
        "extendleft",
        "insert",
        "update",
        "add",
        "discard",
        "remove",
        "pop",
        "popitem",
        "popleft",
        "clear",
        "setdefault",
        "sort",
        "reverse",
        "rotate",
        "difference_update",
        "intersection_update",
        "symmetric_difference_update",
    }
)
_MUTABLE_CONTAINER_TYPES = frozenset(
    {
        "builtins.list",
        "builtins.dict",
        "builtins.set",
        "builtins.bytearray",
        "collections.defaultdict",
        "collections.OrderedDict",
        "collections.Counter",
        "collections.deque",
    }
)
#: Modules whose context managers are known not to be locks (files, temporary dirs, warnings …).
_NOT_LOCK_MODULES = frozenset(
    {"builtins", "contextlib", "tempfile", "warnings", "io", "os", "pathlib", "time", "unittest"}
)


def _literal_elements(
    node: Optional[cst.BaseExpression],
) -> Optional[list[cst.BaseExpression]]:
    """The items of an ``args``-like argument: [] when absent, the elements of a literal tuple or list,
    None when not spelled out."""
    if node is None:
        return []
    elements = _tuple_elements(node)
    return list(elements) if elements is not None else None


def _literal_keywords(
    node: Optional[cst.BaseExpression],
) -> Optional[dict[str, cst.BaseExpression]]:
    """The items of a ``kwargs``-like argument: {} when absent, a dict display with string keys or
    ``dict(k=v)``, None when not spelled out."""
    if node is None:
        return {}
    out: dict[str, cst.BaseExpression] = {}
    if isinstance(node, cst.Dict):
        for element in node.elements:
            if not isinstance(element, cst.DictElement):
                return None
            key = _string_value(element.key)
            if key is None:
                return None
            out[key] = element.value
        return out
    if isinstance(node, cst.Call) and isinstance(node.func, cst.Name) and node.func.value == "dict":
        for arg in node.args:
            if arg.keyword is None or arg.star:
                return None
            out[arg.keyword.value] = arg.value
        return out
    return None


#: One call of a function: positional arguments, whether they are all of them, keyword arguments.
_CallSite = tuple[list[cst.BaseExpression], bool, Optional[dict[str, cst.BaseExpression]]]


def _literal_items(
    node: cst.BaseExpression,
) -> Optional[list[Optional[cst.BaseExpression]]]:
    """The items an iterable argument yields when spelled out: the elements of a list or tuple display
    (None for a starred one), or the element expression of a comprehension; else None."""
    if isinstance(node, (cst.List, cst.Tuple)):
        return [None if isinstance(e, cst.StarredElement) else e.value for e in node.elements]
    if isinstance(node, (cst.ListComp, cst.GeneratorExp, cst.SetComp)):
        return [node.elt]
    return None


def _bind_argument(
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


def _is_classmethod(function: cst.FunctionDef) -> bool:
    return any(
        isinstance(d.decorator, cst.Name) and d.decorator.value == "classmethod"
        for d in function.decorators
    )


def _single_worker(owner: Kind) -> bool:
    """A pool or executor created with a literal single worker: ``Pool(1)``, ``max_workers=1``."""
    creator = owner.creator
    if creator is None:
        return False
    keyword = "max_workers" if owner.is_executor else "processes"
    count = call_argument(creator, 0, keyword)
    return isinstance(count, cst.Integer) and count.value == "1"


# --- pools: result handles, `with Pool()` blocks ---------------------------------------------------------
@dataclass(frozen=True)
class ValueFlow:
    """Where a value goes (:meth:`Model.value_flow`).

    ``how`` is ``"discarded"`` (an expression statement, possibly inside a display or comprehension),
    ``"method"`` (``node`` is a method call made on it at once: ``pool.apply_async(...).get()``),
    ``"assigned"`` (to the variable ``key``), ``"stored"`` (into the container the variable ``key``
    holds: a display or comprehension bound to it, ``key.append(...)``, ``key[k] = ...``),
    ``"returned"``/``"yielded"``, ``"argument"`` (``node`` is the call it is passed to) or ``"other"``.
    """

    how: str
    node: cst.CSTNode
    key: Optional[tuple[object, ...]] = None


@dataclass(frozen=True)
class PoolBlock:
    """A ``with`` statement over a pool; ``key`` names the pool inside the block (when it is named)."""

    node: cst.With
    item: cst.WithItem
    kind: Kind
    key: Optional[tuple[object, ...]]


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
#: Methods that put their argument into the container they are called on.
_STORE_METHODS = frozenset({"append", "appendleft", "add", "insert", "extend", "put", "put_nowait"})
_COMPREHENSIONS = (cst.ListComp, cst.SetComp, cst.GeneratorExp, cst.DictComp)
_FUTURES_TIMEOUT = "concurrent.futures.TimeoutError"
_FUTURES_TIMEOUT_NAMES = frozenset(
    {"concurrent.futures.TimeoutError", "concurrent.futures._base.TimeoutError"}
)
#: Names of the builtin ``TimeoutError`` (``asyncio``'s is an alias from 3.11, ``socket.timeout`` from 3.10).
_BUILTIN_TIMEOUT_NAMES = frozenset(
    {
        "builtins.TimeoutError",
        "asyncio.TimeoutError",
        "asyncio.exceptions.TimeoutError",
        "socket.timeout",
    }
)


def _mp_timeout_name(qualname: str) -> bool:
    """``multiprocessing.TimeoutError`` (or ``ProcessError``, its base) of any library of the family."""
    module, _, name = qualname.rpartition(".")
    if name not in ("TimeoutError", "ProcessError"):
        return False
    split = api_table.split_family(module)
    return split is not None and split[1] in ("", "context", "exceptions")


def _is_docstring(statement: cst.BaseStatement) -> bool:
    return (
        isinstance(statement, cst.SimpleStatementLine)
        and len(statement.body) == 1
        and isinstance(statement.body[0], cst.Expr)
        and isinstance(statement.body[0].value, (cst.SimpleString, cst.ConcatenatedString))
    )


def _has_timeout(argument: Optional[cst.BaseExpression]) -> bool:
    return argument is not None and not (
        isinstance(argument, cst.Name) and argument.value == "None"
    )


def build_model(
    module: cst.Module, path: str = "<stdin>", default_start_method: Optional[str] = None
) -> Model:
    """Run the one pass over ``module`` and return its model."""
    model = Model(module, path, default_start_method)
    walk(module, _Builder(model), TRIVIA)
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


# --- lifecycle helpers ------------------------------------------------------------------------------------
_LITERAL_TYPES: dict[type[cst.CSTNode], str] = {
    cst.Integer: "int",
    cst.Float: "float",
    cst.Imaginary: "complex",
    cst.FormattedString: "str",
    cst.Dict: "dict",
    cst.DictComp: "dict",
    cst.Set: "set",
    cst.SetComp: "set",
    cst.List: "list",
    cst.ListComp: "list",
    cst.Tuple: "tuple",
    cst.GeneratorExp: "generator",
    cst.Comparison: "bool",
    cst.Lambda: "function",
}
_BUILTIN_RESULT_TYPES: dict[str, str] = {
    "int": "int",
    "float": "float",
    "complex": "complex",
    "bool": "bool",
    "str": "str",
    "repr": "str",
    "ascii": "str",
    "chr": "str",
    "format": "str",
    "hex": "str",
    "oct": "str",
    "bin": "str",
    "bytes": "bytes",
    "dict": "dict",
    "set": "set",
    "frozenset": "frozenset",
    "list": "list",
    "sorted": "list",
    "tuple": "tuple",
    "len": "int",
    "ord": "int",
    "hash": "int",
    "id": "int",
    "isinstance": "bool",
    "callable": "bool",
}
_ANNOTATION_TYPES = frozenset(
    {"int", "float", "complex", "bool", "str", "bytes", "dict", "set", "frozenset", "list", "tuple"}
)
_TYPING_ALIASES: dict[str, str] = {
    "typing.Dict": "builtins.dict",
    "typing.List": "builtins.list",
    "typing.Tuple": "builtins.tuple",
    "typing.Set": "builtins.set",
    "typing.FrozenSet": "builtins.frozenset",
}
_STR_METHODS = frozenset(
    {"format", "join", "strip", "lstrip", "rstrip", "lower", "upper", "title", "replace"}
)
_ORDER_PRESERVING = frozenset(
    {"builtins.sorted", "builtins.reversed", "builtins.list", "builtins.tuple", "builtins.set"}
)
_RAISES_CONTEXTS = frozenset({"raises", "assertRaises", "assertRaisesRegex", "assertRaisesRegexp"})
_INIT_WRITING_DECORATORS = frozenset(
    {
        "dataclasses.dataclass",
        "attr.s",
        "attr.attrs",
        "attr.define",
        "attr.mutable",
        "attr.frozen",
        "attr.dataclass",
        "attrs.define",
        "attrs.mutable",
        "attrs.frozen",
    }
)


_NOT_EVERY_PASS = (*_SCOPE_NODES, cst.Match, cst.IfExp, cst.BooleanOperation, cst.CompFor)


def _is_true(expr: Optional[cst.BaseExpression]) -> bool:
    return (isinstance(expr, cst.Name) and expr.value == "True") or (
        isinstance(expr, cst.Integer) and expr.value == "1"
    )


def _is_false(expr: Optional[cst.BaseExpression]) -> bool:
    return (isinstance(expr, cst.Name) and expr.value == "False") or (
        isinstance(expr, cst.Integer) and expr.value == "0"
    )


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


# --- helpers for the queue and pipe model -----------------------------------------------------------------
def _positional_param_name(params: cst.Parameters, index: int) -> Optional[str]:
    positional = (*params.posonly_params, *params.params)
    if 0 <= index < len(positional):
        return positional[index].name.value
    return None


def _param_name(params: cst.Parameters, index: int, keyword: Optional[str]) -> Optional[str]:
    """The parameter receiving positional ``index``, or the keyword ``keyword`` when given."""
    if keyword is None:
        return _positional_param_name(params, index)
    for param in (*params.params, *params.kwonly_params):
        if param.name.value == keyword:
            return keyword
    return None


def _walk(node: cst.CSTNode) -> Iterator[cst.CSTNode]:
    """``node``'s descendants, not entering nested defs, lambdas or classes."""
    stack = list(node.children)
    while stack:
        current = stack.pop()
        yield current
        if type(current) not in _SCOPE_TYPES:
            stack.extend(current.children)


# --- start methods, pickling and module state: helpers ----------------------------------------------------
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


@dataclass(frozen=True)
class StateWrite:
    """A write to a module-level variable: ``how`` is "assign" (binding, also ``+=``) or "mutate"
    (item/attribute store, mutating method call); ``node`` the binding target, the ``AssignTarget``,
    the ``AugAssign`` or the ``Call``."""

    name: str
    node: cst.CSTNode
    how: str


@dataclass(frozen=True)
class PickleError:
    """What pickling an object of some kind raises. ``inherited`` is true for objects that may still
    reach a child while it is being spawned (``Process(args=...)``, ``initargs=``): locks, queues and
    shared ctypes check ``multiprocessing/context.py`` ``assert_spawning``."""

    error: str
    inherited: bool


#: Libraries that share one default context.
_CONTEXT_OWNER = {
    "torch.multiprocessing": "multiprocessing",
    "concurrent.futures": "multiprocessing",
}

# Factories of the default context that fix its start method (they pass ``ctx=self.get_context()``).
_CONTEXT_FACTORY_KINDS_BY_NAME = frozenset(
    {
        "Queue",
        "JoinableQueue",
        "SimpleQueue",
        "Lock",
        "RLock",
        "Semaphore",
        "BoundedSemaphore",
        "Condition",
        "Event",
        "Barrier",
        "Value",
        "Array",
        "Pool",
        "Manager",
    }
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

# Objects that only reach a child by inheritance: pickling them anywhere but while spawning raises
# ``RuntimeError: <Type> objects should only be shared between processes through inheritance``
# (multiprocessing/context.py assert_spawning). The type named is the one in the message.
_INHERITED_ONLY: dict[KindName, str] = {
    KindName.LOCK: "Lock",
    KindName.RLOCK: "RLock",
    KindName.SEMAPHORE: "Semaphore",
    KindName.BOUNDED_SEMAPHORE: "BoundedSemaphore",
    KindName.CONDITION: "Condition",
    KindName.EVENT: "Condition",
    KindName.BARRIER: "Condition",
    KindName.QUEUE: "Queue",
    KindName.JOINABLE_QUEUE: "JoinableQueue",
    KindName.SIMPLE_QUEUE: "SimpleQueue",
    KindName.VALUE: "Synchronized",
    KindName.ARRAY: "SynchronizedArray",
    KindName.RAW_VALUE: "c_int",
    KindName.RAW_ARRAY: "c_int_Array",
}
_THREAD_LOCK_ERROR = "TypeError: cannot pickle '_thread.lock' object"
_AUTHKEY_ERROR = (
    "TypeError: Pickling an AuthenticationString object is disallowed for security reasons"
)
_POOL_ERROR = "NotImplementedError: pool objects cannot be passed between processes or pickled"


def context_family(family: str) -> str:
    """The library whose default context ``family`` uses."""
    return _CONTEXT_OWNER.get(family, family)


def pickling_error(kind: Kind, *, dill: bool = False) -> Optional[PickleError]:
    """What pickling an object of ``kind`` raises, or None when it pickles (Manager proxies,
    connections, contexts) or this is unknown. ``dill``: the pickler is dill (``multiprocess``), which
    also serialises plain thread locks, so only the multiprocessing objects that refuse any pickler
    are reported."""
    if kind.proxy:
        return None
    if kind.name is KindName.SEQUENCE:
        return pickling_error(kind.item, dill=dill) if kind.item is not None else None
    if kind.name is KindName.TUPLE:
        for item in kind.items:
            found = pickling_error(item, dill=dill) if item is not None else None
            if found is not None:
                return found
        return None
    if kind.name in _INHERITED_ONLY and not kind.uses_threads:
        name = _INHERITED_ONLY[kind.name]
        return PickleError(
            f"RuntimeError: {name} objects should only be shared between processes through "
            "inheritance",
            inherited=True,
        )
    if kind.name in (KindName.POOL, KindName.THREAD_POOL):
        return PickleError(_POOL_ERROR, inherited=False)
    if (kind.is_process or kind.name is KindName.MANAGER) and kind.cls is None:
        return PickleError(_AUTHKEY_ERROR, inherited=False)
    if dill:
        return None
    if kind.name in (
        KindName.EXECUTOR,
        KindName.THREAD_EXECUTOR,
        KindName.THREAD_LOCK,
        KindName.THREAD_QUEUE,
        KindName.THREAD,
    ) or (kind.uses_threads and kind.name in _INHERITED_ONLY):
        return PickleError(_THREAD_LOCK_ERROR, inherited=False)
    return None


#: Process-global random number generators: the module, its seeding functions, and the functions that
#: do NOT draw from the global state (constructors of independent generators, state accessors).
_GLOBAL_RNGS: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    "numpy.random": (
        frozenset({"seed"}),
        frozenset(
            {
                "default_rng",
                "Generator",
                "RandomState",
                "SeedSequence",
                "BitGenerator",
                "PCG64",
                "PCG64DXSM",
                "MT19937",
                "Philox",
                "SFC64",
                "get_state",
                "set_state",
                "get_bit_generator",
                "set_bit_generator",
            }
        ),
    ),
    "random": (
        frozenset({"seed"}),
        frozenset({"Random", "SystemRandom", "getstate", "setstate"}),
    ),
    "torch": (
        frozenset({"manual_seed", "random.manual_seed", "seed"}),
        frozenset(),
    ),
}
_TORCH_DRAWS = frozenset(
    {
        "rand",
        "randn",
        "randint",
        "randperm",
        "rand_like",
        "randn_like",
        "randint_like",
        "normal",
        "bernoulli",
        "multinomial",
        "poisson",
    }
)


def global_rng_call(qualname: Optional[str]) -> Optional[tuple[str, str]]:
    """``(module, "seed")`` when ``qualname`` seeds a process-global random generator
    (``numpy.random.seed``, ``random.seed``, ``torch.manual_seed``), ``(module, "draw")`` when it draws
    from one (``numpy.random.rand``, ``random.choice``, ``torch.randn`` …), else None."""
    if qualname is None:
        return None
    for module in ("numpy.random", "random", "torch"):
        if not qualname.startswith(module + "."):
            continue
        name = qualname[len(module) + 1 :]
        seeds, others = _GLOBAL_RNGS[module]
        if name in seeds:
            return module, "seed"
        if module == "torch":
            return (module, "draw") if name in _TORCH_DRAWS else None
        if "." in name or name in others or not name[:1].islower():
            return None
        return module, "draw"
    return None


def _is_none(node: cst.BaseExpression) -> bool:
    return isinstance(node, cst.Name) and node.value == "None"


def _is_assertion_argument(model: Model, name: cst.Name) -> bool:
    """``name`` is an argument of ``self.assertTrue(...)`` (any ``assert*`` method of a test)."""
    arg = model.parents.get(name)
    call = model.parents.get(arg) if isinstance(arg, cst.Arg) else None
    return (
        isinstance(call, cst.Call)
        and isinstance(call.func, cst.Attribute)
        and call.func.attr.value.startswith("assert")
    )


def _has_decorator(function: cst.FunctionDef, *names: str) -> bool:
    return any(
        isinstance(d.decorator, cst.Name) and d.decorator.value in names
        for d in function.decorators
    )


def _catches_runtime_error(handler_type: Optional[cst.BaseExpression]) -> bool:
    """An ``except`` clause (or ``suppress`` argument) that catches ``RuntimeError``."""
    if handler_type is None:
        return True
    if isinstance(handler_type, cst.Tuple):
        return any(_catches_runtime_error(e.value) for e in handler_type.elements)
    dotted = _dotted(handler_type)
    return dotted is not None and dotted.rsplit(".", 1)[-1] in (
        "RuntimeError",
        "Exception",
        "BaseException",
    )


def _subtree_nodes(node: cst.CSTNode) -> Iterator[cst.CSTNode]:
    """Every node of the subtree, nested scopes included, ``node`` first (pre-order)."""
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(reversed(current.children))


def _calls_in_expression(node: cst.CSTNode) -> Iterator[cst.Call]:
    for inner in _subtree_nodes(node):
        if isinstance(inner, cst.Call):
            yield inner
