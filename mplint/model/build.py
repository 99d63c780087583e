"""The one pass that writes the tree's indexes and the scopes and bindings; the only writer of the model."""

from __future__ import annotations

from typing import Any, Callable, Optional

import libcst as cst

from mplint.model.names import Binding, BindingKind, ClassInfo, Names, Scope
from mplint.model.syntax import (
    FIXED_CHILD_FIELDS,
    SCOPE_TYPES,
    FunctionNode,
    child_fields,
    dotted_name,
    is_main_guard_test,
)
from mplint.model.tree import Tree
from mplint.model.walk import TRIVIA


class Builder(cst.CSTVisitor):
    """The one pass: parents, order, scopes, bindings, functions, classes, calls."""

    def __init__(
        self, tree: Tree, names: Names, opaque: frozenset[cst.CSTNode] = frozenset()
    ) -> None:
        super().__init__()
        self.tree = tree
        self.names = names
        self.opaque = opaque
        self.stack: list[cst.CSTNode] = []
        self.scopes: list[Scope] = [names.module_scope]
        self.counter = 0
        self.class_stack: list[ClassInfo] = []

    # Generic hooks: every node gets a parent and an order; a few types get more.
    def on_visit(self, node: cst.CSTNode) -> bool:
        tree = self.tree
        tree.parents[node] = self.stack[-1] if self.stack else None
        tree.order[node] = self.counter
        self.counter += 1
        if self.opaque and len(self.stack) == 1 and node in self.opaque:
            # a top-level statement left out (``build_model``): a node of the module, not entered
            self.stack.append(node)
            return False
        tree.events.append((node, False))
        self.stack.append(node)
        handler = _VISIT.get(type(node))
        if handler is not None:
            handler(self, node)
        return True

    def on_leave(self, original_node: cst.CSTNode) -> None:
        self.tree.end[original_node] = self.counter
        self.stack.pop()
        if self.opaque and len(self.stack) == 1 and original_node in self.opaque:
            return
        self.tree.events.append((original_node, True))
        if type(original_node) in SCOPE_TYPES:
            self.scopes.pop()
            if type(original_node) is cst.ClassDef:
                self.class_stack.pop()

    def run(self, root: cst.CSTNode) -> None:
        """The pass over ``root``: ``walk(root, self, TRIVIA)`` with the generic hooks inlined. It runs
        once per node of the module (trivia aside), so what it costs per node is the model's floor."""
        tree = self.tree
        parents = tree.parents
        order = tree.order
        end = tree.end
        event = tree.events.append
        handlers = _VISIT
        scope_types = SCOPE_TYPES
        trivia = TRIVIA
        default = cst.MaybeSentinel.DEFAULT
        fixed_fields = FIXED_CHILD_FIELDS
        # The function below reaches itself through this list, which is emptied at the end: a closure
        # naming itself would be a reference cycle keeping the whole tree alive until the collector ran.
        recurse: list[Callable[[cst.CSTNode, Optional[cst.CSTNode]], None]] = []
        counter = self.counter
        opaque = self.opaque

        def visit(node: cst.CSTNode, parent: Optional[cst.CSTNode]) -> None:
            nonlocal counter
            parents[node] = parent
            order[node] = counter
            counter += 1
            if opaque and parent is root and node in opaque:
                # a top-level statement left out (``build_model``): a node of the module, not entered
                end[node] = counter
                return
            event((node, False))
            kind = type(node)
            handler = handlers.get(kind)
            if handler is not None:
                handler(self, node)
            descend = recurse[0]
            fields = fixed_fields.get(kind)
            if fields is None:
                fields = child_fields(node)
            for name in fields:
                value = getattr(node, name)
                if value is None or value is default:
                    continue
                value_type = type(value)
                if value_type is tuple or value_type is list:
                    for child in value:
                        if type(child) not in trivia:
                            descend(child, node)
                elif value_type not in trivia:
                    descend(value, node)
            end[node] = counter
            event((node, True))
            if kind in scope_types:
                self.scopes.pop()
                if kind is cst.ClassDef:
                    self.class_stack.pop()

        recurse.append(visit)
        try:
            visit(root, self.stack[-1] if self.stack else None)
        finally:
            recurse.clear()
            self.counter = counter

    @property
    def scope(self) -> Scope:
        return self.scopes[-1]

    def _binding_scope(self, name: str) -> Scope:
        scope = self.scope
        if name in scope.global_names:
            return self.names.module_scope
        if name in scope.nonlocal_names:
            # ``nonlocal n``: the nearest enclosing function that binds n (class bodies are skipped)
            outer = scope.parent
            while outer is not None:
                if not outer.is_class and name in outer.bindings:
                    return outer
                outer = outer.parent
        return scope

    def _bind_target(
        self,
        target: cst.BaseExpression,
        value: Optional[cst.BaseExpression],
        how: BindingKind,
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
            dotted = dotted_name(alias.name)
            if dotted is None:
                continue
            if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                local = alias.asname.name.value
                qual = dotted
            else:
                local = dotted.split(".")[0]
                qual = local
            self._binding_scope(local).add(Binding(local, BindingKind.IMPORT, alias, qualname=qual))
            if self.scope is self.names.module_scope:
                self.names.imported_modules.add(dotted)

    def visit_import_from(self, node: cst.ImportFrom) -> None:
        if node.relative or node.module is None:
            module = None
        else:
            module = dotted_name(node.module)
        if isinstance(node.names, cst.ImportStar):
            if module is not None:
                self.names.star_imports.append(module)
            return
        for alias in node.names:
            if not isinstance(alias.name, cst.Name):
                continue
            name = alias.name.value
            local = name
            if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                local = alias.asname.name.value
            qual = f"{module}.{name}" if module is not None else None
            self._binding_scope(local).add(Binding(local, BindingKind.IMPORT, alias, qualname=qual))

    def visit_function(self, node: cst.FunctionDef) -> None:
        self.scope.add(Binding(node.name.value, BindingKind.DEF, node))
        if self.tree.is_module_level(node):
            self.names.functions.setdefault(node.name.value, node)
        if self.scope.is_class and self.class_stack:
            self.class_stack[-1].methods.setdefault(node.name.value, node)
        new = Scope(node, self.scope)
        self.names.scopes[node] = new
        self.scopes.append(new)
        self._bind_params(node.params, new)

    def _bind_params(self, params: cst.Parameters, scope: Scope) -> None:
        for index, param in enumerate((*params.posonly_params, *params.params)):
            scope.add(Binding(param.name.value, BindingKind.PARAM, param, param_index=index))
        for param in params.kwonly_params:
            scope.add(Binding(param.name.value, BindingKind.PARAM, param))
        for star in (params.star_arg, params.star_kwarg):
            if isinstance(star, cst.Param):
                scope.add(Binding(star.name.value, BindingKind.PARAM, star))

    def visit_lambda(self, node: cst.Lambda) -> None:
        new = Scope(node, self.scope)
        self.names.scopes[node] = new
        self.scopes.append(new)
        self._bind_params(node.params, new)

    def visit_class(self, node: cst.ClassDef) -> None:
        self.scope.add(Binding(node.name.value, BindingKind.CLASS, node))
        info = ClassInfo(node, node.name.value, [arg.value for arg in node.bases])
        self.names.classes.setdefault(node.name.value, info)
        self.names.class_of_node[node] = info
        self.class_stack.append(info)
        new = Scope(node, self.scope)
        self.names.scopes[node] = new
        self.scopes.append(new)

    def visit_global(self, node: cst.Global) -> None:
        for item in node.names:
            self.scope.global_names.add(item.name.value)

    def visit_nonlocal(self, node: cst.Nonlocal) -> None:
        for item in node.names:
            self.scope.nonlocal_names.add(item.name.value)

    def visit_assign(self, node: cst.Assign) -> None:
        for target in node.targets:
            self._bind_target(target.target, node.value, BindingKind.ASSIGN)

    def visit_ann_assign(self, node: cst.AnnAssign) -> None:
        if node.value is not None:
            self._bind_target(node.target, node.value, BindingKind.ASSIGN)
        elif isinstance(node.target, cst.Name):
            self._binding_scope(node.target.value).add(
                Binding(
                    node.target.value,
                    BindingKind.ANNOTATION,
                    node.target,
                    node.annotation.annotation,
                )
            )

    def visit_named_expr(self, node: cst.NamedExpr) -> None:
        self._bind_target(node.target, node.value, BindingKind.ASSIGN)

    def visit_for(self, node: cst.For) -> None:
        self._bind_target(node.target, node.iter, BindingKind.FOR, iterates=True)

    def visit_comp_for(self, node: cst.CompFor) -> None:
        self._bind_target(node.target, node.iter, BindingKind.FOR, iterates=True)

    def visit_with_item(self, node: cst.WithItem) -> None:
        self.tree.with_items.append(node)
        if node.asname is not None:
            self._bind_target(node.asname.name, node.item, BindingKind.WITH, enters=True)

    def visit_except_handler(self, node: cst.ExceptHandler) -> None:
        if node.name is not None and isinstance(node.name.name, cst.Name):
            self._bind_target(node.name.name, None, BindingKind.EXCEPT)

    def visit_call(self, node: cst.Call) -> None:
        self.tree.calls.append(node)
        owner = self._function_scope_node()
        if owner is not None:
            self.tree.calls_by_function.setdefault(owner, []).append(node)
        func = node.func
        if isinstance(func, cst.Attribute):
            self.tree.method_calls.setdefault(func.attr.value, []).append(node)

    def visit_attribute(self, node: cst.Attribute) -> None:
        parent = self.tree.parents.get(node)
        if isinstance(parent, cst.AssignTarget) and parent.target is node:
            self.tree.attribute_stores.setdefault(node.attr.value, []).append(node)

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
            self.tree.returns.setdefault(owner, []).append(node)

    def visit_yield(self, node: cst.Yield) -> None:
        self.tree.yields.append(node)

    def visit_if(self, node: cst.If) -> None:
        if is_main_guard_test(node.test) is not None:
            self.tree.main_guards.append(node)


_VISIT: dict[type[cst.CSTNode], Callable[[Builder, Any], None]] = {
    cst.Import: Builder.visit_import,
    cst.ImportFrom: Builder.visit_import_from,
    cst.FunctionDef: Builder.visit_function,
    cst.Lambda: Builder.visit_lambda,
    cst.ClassDef: Builder.visit_class,
    cst.Global: Builder.visit_global,
    cst.Nonlocal: Builder.visit_nonlocal,
    cst.Assign: Builder.visit_assign,
    cst.AnnAssign: Builder.visit_ann_assign,
    cst.NamedExpr: Builder.visit_named_expr,
    cst.For: Builder.visit_for,
    cst.CompFor: Builder.visit_comp_for,
    cst.WithItem: Builder.visit_with_item,
    cst.ExceptHandler: Builder.visit_except_handler,
    cst.Call: Builder.visit_call,
    cst.Attribute: Builder.visit_attribute,
    cst.If: Builder.visit_if,
    cst.Return: Builder.visit_return,
    cst.Yield: Builder.visit_yield,
}
