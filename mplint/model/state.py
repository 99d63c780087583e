"""Module and instance state: writes to module variables, mutations, attributes a child writes, and
locks held around a statement."""

from __future__ import annotations

import enum
import functools
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Optional

import libcst as cst

from mplint.kinds import KindName
from mplint.model.names import BindingKind, ClassInfo, LocalVar
from mplint.model.syntax import MUTATING_METHODS, FunctionNode, is_classmethod

if TYPE_CHECKING:
    from mplint.model.callgraph import CallGraph
    from mplint.model.inference import Inference
    from mplint.model.names import Names
    from mplint.model.tree import Tree
    from mplint.model.values import Values


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


class WriteKind(enum.Enum):
    ASSIGN = "assign"  # a binding, also ``+=``
    MUTATE = "mutate"  # an item or attribute store, a mutating method call


@dataclass(frozen=True)
class StateWrite:
    """A write to a module-level variable: ``how`` (:class:`WriteKind`) and ``node``: for an assignment the
    ``Name`` bound; for a mutation the statement that stores an item or attribute (``CONFIG["k"] = v``,
    ``CONFIG.k = v``, ``del CONFIG["k"]``) or the mutating method ``Call``."""

    name: str
    node: cst.CSTNode
    how: WriteKind


@dataclass(eq=False)
class State:
    """Module and instance state, and locks held around a statement (see the module docstring)."""

    tree: Tree
    names: Names
    callgraph: CallGraph
    inference: Inference
    values: Values
    #: Reads of each attribute name with the class of their object (:meth:`instance_attribute_reads`).
    _attribute_reads: dict[str, list[tuple[cst.Attribute, Optional[ClassInfo]]]] = field(
        default_factory=dict, init=False, repr=False
    )

    @functools.cached_property
    def module_variable_writes(self) -> list[StateWrite]:
        """Every place that (re)binds or mutates a module-level variable, in source order: assignments
        at module level or through ``global`` (also ``+=``), item and attribute stores
        (``CONFIG["k"] = v``, ``CONFIG.k = v``) and mutating method calls (``CONFIG.update(...)``).
        Names bound only by imports, ``def`` and ``class`` are not variables."""
        out: list[StateWrite] = []
        for name, bindings in self.names.module_scope.bindings.items():
            if all(
                b.how in (BindingKind.IMPORT, BindingKind.DEF, BindingKind.CLASS) for b in bindings
            ):
                continue
            for node in self.tree.name_uses(name):
                if self.names.binding_key(node) != LocalVar(self.tree.module, name):
                    continue
                use = self.names.variable_use(node)
                if use in ("store", "augment"):
                    out.append(StateWrite(name, node, WriteKind.ASSIGN))
                    continue
                if use != "load":
                    continue
                write = self._mutation_at(node)
                parent = self.tree.parents.get(node)
                if write is None and isinstance(parent, cst.Attribute) and parent.value is node:
                    holder = self.tree.parents.get(parent)
                    if isinstance(holder, (cst.AssignTarget, cst.AugAssign)) and (
                        holder.target is parent
                    ):
                        write = self.tree.small_statement_of(parent) or parent
                if write is not None:
                    out.append(StateWrite(name, write, WriteKind.MUTATE))
        out.sort(key=lambda w: self.tree.order.get(w.node, 0))
        return out

    def module_state_writes(self, function: FunctionNode) -> list[tuple[cst.CSTNode, str, str]]:
        """Where the function's own body changes module-level variables, as (node, name, how).

        ``how`` is ``"rebind"`` for ``global X`` followed by an assignment, ``X += …`` or ``del X``, and
        ``"mutate"`` for a mutating method call (``X.append(…)``, ``X.update(…)`` …), an item store
        (``X[k] = …``, ``X[k] += …``, ``del X[k]``) on a module-level variable bound to a list, dict, set
        or another mutable container. ``node`` is the statement part that writes.
        """
        out: list[tuple[cst.CSTNode, str, str]] = []
        scope = self.names.scopes.get(function)
        if scope is None:
            return out
        for name in sorted(scope.global_names):
            for node in self.tree.name_uses_in(name, function):
                if (
                    not self.tree.contains(function, node)
                    or self.tree.enclosing_function_node(node) is not function
                ):
                    continue
                if self.names.variable_use(node) in ("store", "augment", "del"):
                    out.append((self.tree.small_statement_of(node) or node, name, "rebind"))
        for name in self._module_containers:
            if name in scope.global_names:
                continue
            for node in self.tree.name_uses_in(name, function):
                if (
                    not self.tree.contains(function, node)
                    or self.tree.enclosing_function_node(node) is not function
                ):
                    continue
                if self.names.binding_key(node) != LocalVar(self.tree.module, name):
                    continue
                write = self._mutation_at(node)
                if write is not None:
                    out.append((write, name, "mutate"))
        out.sort(key=lambda item: self.tree.order.get(item[0], 0))
        return out

    @functools.cached_property
    def _module_containers(self) -> list[str]:
        """The module-level names some plain assignment binds to a mutable container."""
        return [
            name
            for name, bindings in self.names.module_scope.bindings.items()
            if any(
                b.how is BindingKind.ASSIGN and not b.path and self.is_mutable_container(b.value)
                for b in bindings
            )
        ]

    def mutation_at(self, name: cst.Name) -> Optional[cst.CSTNode]:
        """When this ``Name`` is changed in place, the node that does it: the ``x.append(…)`` call (any
        of :data:`MUTATING_METHODS`), or the small statement of ``x[k] = …``/``x[k] += …``, or the ``del``
        of ``del x[k]``; else None."""
        return self._mutation_at(name)

    def _mutating_call(self, method: cst.Attribute) -> Optional[cst.Call]:
        """``x.append(...)``, ``x.update(...)`` …: the call when ``method`` names a mutating method that
        is called at once."""
        call = self.tree.parents.get(method)
        if (
            isinstance(call, cst.Call)
            and call.func is method
            and method.attr.value in MUTATING_METHODS
        ):
            return call
        return None

    def _mutation_at(self, name: cst.Name) -> Optional[cst.CSTNode]:
        """``name.append(…)`` / ``name[k] = …`` / ``name[k] += …`` / ``del name[k]``: the writing node."""
        parent = self.tree.parents.get(name)
        if isinstance(parent, cst.Attribute) and parent.value is name:
            return self._mutating_call(parent)
        if isinstance(parent, cst.Subscript) and parent.value is name:
            holder = self.tree.parents.get(parent)
            if isinstance(holder, (cst.AssignTarget, cst.AugAssign)) and holder.target is parent:
                return self.tree.small_statement_of(parent) or parent
            if isinstance(holder, cst.Del):
                return holder
        return None

    def is_mutable_container(self, expr: Optional[cst.BaseExpression]) -> bool:
        """A list, dict or set display or comprehension, or a call of a builtin or ``collections``
        container type."""
        if isinstance(expr, (cst.List, cst.Dict, cst.Set, cst.ListComp, cst.DictComp, cst.SetComp)):
            return True
        if isinstance(expr, cst.Call):
            return self.names.qualname(expr.func) in _MUTABLE_CONTAINER_TYPES
        return False

    def self_attribute_writes(self, function: FunctionNode) -> list[tuple[cst.CSTNode, str]]:
        """Where a method's own body changes its instance, as (node, attribute): ``self.x = …``,
        ``self.x += …``, ``self.x.append(…)``, ``self.x[k] = …``, ``del self.x[k]``."""
        if not (
            isinstance(function, cst.FunctionDef)
            and self.names.is_method(function)
            and not is_classmethod(function)
            and function.params.params
        ):
            return []
        first = function.params.params[0].name.value
        out: list[tuple[cst.CSTNode, str]] = []
        for use in self.tree.name_uses_in(first, function):
            if self.tree.enclosing_function_node(use) is not function:
                continue
            parent = self.tree.parents.get(use)
            if not isinstance(parent, cst.Attribute) or parent.value is not use:
                continue
            attr = parent.attr.value
            holder = self.tree.parents.get(parent)
            write: Optional[cst.CSTNode] = None
            if isinstance(holder, (cst.AssignTarget, cst.AugAssign, cst.AnnAssign)):
                if holder.target is parent:
                    write = self.tree.small_statement_of(parent) or parent
            elif isinstance(holder, cst.Attribute) and holder.value is parent:
                write = self._mutating_call(holder)
            elif isinstance(holder, cst.Subscript) and holder.value is parent:
                store = self.tree.parents.get(holder)
                if (
                    isinstance(store, (cst.AssignTarget, cst.AugAssign)) and store.target is holder
                ) or isinstance(store, cst.Del):
                    write = self.tree.small_statement_of(holder) or holder
            if write is not None:
                out.append((write, attr))
        return out

    def instance_attribute_reads(self, info: ClassInfo, attr: str) -> list[cst.Attribute]:
        """Reads of ``attr`` on instances of the class: ``self.attr`` in its methods, ``obj.attr`` where
        ``obj`` is known to be one (:meth:`instance_class`, or the kind of a Process subclass)."""
        reads = self._attribute_reads.get(attr)
        if reads is None:
            reads = self._attribute_reads[attr] = self._owned_reads(attr)
        return [read for read, owner in reads if owner is info]

    def _owned_reads(self, attr: str) -> list[tuple[cst.Attribute, Optional[ClassInfo]]]:
        """Every read ``x.attr`` in the module with the class ``x`` is an instance of, if known."""
        out: list[tuple[cst.Attribute, Optional[ClassInfo]]] = []
        for name in self.tree.name_uses(attr):
            parent = self.tree.parents.get(name)
            if not isinstance(parent, cst.Attribute) or parent.attr is not name:
                continue
            holder = self.tree.parents.get(parent)
            if isinstance(holder, (cst.AssignTarget, cst.AnnAssign)) and holder.target is parent:
                continue
            if isinstance(holder, cst.Del):
                continue
            owner = self.values.instance_class(parent.value)
            if owner is None:
                kind = self.inference.kind_of(parent.value)
                if kind is not None and kind.cls is not None:
                    owner = self.names.classes.get(kind.cls)
            out.append((parent, owner))
        return out

    def may_be_lock(self, expr: cst.BaseExpression) -> bool:
        """``expr`` is a lock-like object, or unknown (a custom lock): not a Pool, a Manager, a file …"""
        kind = self.inference.kind_of(expr)
        if kind is not None:
            return kind.is_lock_like or kind.name is KindName.THREAD_LOCK
        if isinstance(expr, cst.Call):
            qual = self.names.qualname(expr.func)
            if qual is not None and qual.split(".", 1)[0] in _NOT_LOCK_MODULES:
                return False
        return True

    def held_locks_cover(self, node: cst.CSTNode, depth: int = 0) -> bool:
        """``node`` runs while a lock (or an unknown context manager) is held: it is in the body of a
        ``with`` on such an object, after ``X.acquire()`` and before ``X.release()`` in its function, or
        every call of its function is (one level)."""
        function = self.tree.enclosing_function_node(node)
        for ancestor in self.tree.ancestors(node):
            if ancestor is function:
                break
            if (
                isinstance(ancestor, cst.With)
                and self.tree.contains(ancestor.body, node)
                and any(self.may_be_lock(item.item) for item in ancestor.items)
            ):
                return True
        position = self.tree.order.get(node, 0)
        for acquire in self.tree.method_calls.get("acquire", []):
            if self.tree.enclosing_function_node(acquire) is not function:
                continue
            if self.tree.order.get(acquire, 0) >= position or not isinstance(
                acquire.func, cst.Attribute
            ):
                continue
            receiver = acquire.func.value
            if not self.may_be_lock(receiver):
                continue
            key = self.names.receiver_key(receiver)
            for release in self.tree.method_calls.get("release", []):
                if (
                    self.tree.order.get(release, 0) > position
                    and self.tree.enclosing_function_node(release) is function
                    and isinstance(release.func, cst.Attribute)
                    and self.names.receiver_key(release.func.value) == key
                ):
                    return True
        if depth == 0 and function is not None:
            callers = self.callgraph.calls_to(function)
            if callers and all(self.held_locks_cover(c, depth + 1) for c in callers):
                return True
        return False
