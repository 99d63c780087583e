from __future__ import annotations

import keyword
from typing import Optional, Union

import libcst as cst

from mplint.diagnostics import Applicability, Severity
from mplint.edits import FixSpec, ReplaceLines
from mplint.gates import PROCESSES, Gate, needs
from mplint.kinds import KindName
from mplint.model import MUTATING_METHODS, BindingKind, VarKey
from mplint.rule import Invalid, LintRule, Valid
from mplint.rules._helpers import lone_statement_line

#: Dict proxy methods that return a copy of a stored value.
_COPYING_GETTERS = frozenset({"get", "setdefault"})


class ManagerNestedMutation(LintRule):
    """
    ## What it does
    Checks for in-place changes to a value read out of a Manager `dict`, `list` or `Namespace` proxy:
    `shared["items"].append(x)`, `shared["cfg"]["k"] = v`, `shared.get(k, []).append(x)`,
    `ns.data.append(x)`, `ns.data[k] = v`, and `items = shared["items"]` followed by `items.append(x)` with
    no write back.

    ## Why is this bad?
    Reading `shared["items"]` sends the stored list to this process as a copy (pickled by the manager
    server). Changing the copy changes nothing in the manager: other processes, and the parent, never see
    the change. There is no error; the update is silently lost. After a child ran
    `shared["items"].append(1)`, the parent still saw `{'items': []}`. The docs: "modifications to those
    mutable values will not be propagated through the manager because the proxy has no way of knowing
    when the values contained within are modified".

    Values that are themselves proxies (`shared["items"] = manager.list()`) do propagate: in a module that
    stores proxies inside proxies, the rule stays silent. `shared["n"] += 1` on a scalar does propagate
    (it is a `__setitem__`), but it is not atomic: see MPL402.

    ## Example
    ```python
    def work(shared, i):
        shared["items"].append(i)
    ```

    Use instead:
    ```python
    def work(shared, lock, i):
        with lock:
            items = shared["items"]
            items.append(i)
            shared["items"] = items  # __setitem__ goes to the manager

    # or store a nested proxy once: shared["items"] = manager.list()
    ```

    ## Fix safety
    The fix reads the value into a local variable, changes it, and writes it back with `__setitem__`
    (or the attribute store of a `Namespace`). It is offered only inside `with lock:` on a process lock
    (a `multiprocessing` or Manager lock): without one held around the three statements, another process
    can write in between and one of the two updates is lost (MPL402). It is unsafe: a value that was
    itself a proxy would be replaced by a copy.

    ## References
    - [Proxy objects](https://docs.python.org/3/library/multiprocessing.html#proxy-objects)
    - [cpython#91192](https://github.com/python/cpython/issues/91192): a nested list in a Manager dict
    """

    CODE = "MPL403"
    GATE = Gate.of(needs(PROCESSES, "Manager|SyncManager|BaseManager"))
    NAME = "manager-nested-mutation"
    MESSAGE = "`{code}` changes a copy of the value stored in the Manager; the change is lost"
    FIX_TITLE = "Read the value, change it, and write it back"
    SEVERITY = Severity.WARNING
    FIX = "unsafe"

    VALID = [
        Valid(
            """
            from multiprocessing import Manager
            def main():
                with Manager() as m:
                    shared = m.dict()
                    items = shared.get('items', [])
                    items.append(1)
                    shared['items'] = items
            """
        ),
        Valid(
            """
            from multiprocessing import Manager
            def main():
                with Manager() as m:
                    shared = m.dict()
                    shared['items'] = m.list()
                    shared['items'].append(1)
            """
        ),
    ]
    INVALID = [
        Invalid(
            """
            from multiprocessing import Manager
            def main():
                with Manager() as m:
                    shared, lock = m.dict({'items': []}), m.Lock()
                    with lock:
                        shared['items'].append(1)
            """,
            fixed="""
            from multiprocessing import Manager
            def main():
                with Manager() as m:
                    shared, lock = m.dict({'items': []}), m.Lock()
                    with lock:
                        items = shared['items']
                        items.append(1)
                        shared['items'] = items
            """,
            unsafe=True,
        ),
        Invalid(
            """
            from multiprocessing import Manager
            def main():
                with Manager() as m:
                    ns = m.Namespace()
                    ns.data = {}
                    ns.data['k'] = 1
            """
        ),
    ]

    def check(self) -> None:
        model = self.model
        if self._nests_proxies():
            return
        for method in sorted(MUTATING_METHODS):
            for call in model.tree.method_calls.get(method, []):
                func = call.func
                assert isinstance(func, cst.Attribute)
                copy = self._stored_copy(func.value)
                if copy is not None:
                    self._report(call, copy)
        targets: list[Union[cst.Subscript, cst.Attribute]] = [
            *model.tree.nodes_of(cst.Subscript),
            *model.tree.nodes_of(cst.Attribute),
        ]
        targets.sort(key=model.tree.order.__getitem__)
        for node in targets:
            if self._is_store_target(node):
                copy = self._stored_copy(node.value)
                if copy is not None:
                    self._report(node, copy)
        self._check_local_copies()

    # --- which expressions are copies of a stored value ---------------------------------------------
    def _stored_copy(self, expr: cst.BaseExpression) -> Optional[cst.BaseExpression]:
        """When ``expr`` is (part of) a copy of a value stored in a proxy, the expression that read it
        (``p[k]`` for ``p[k]``, ``p[k][j]`` and ``p[k].x``), else None."""
        current: cst.BaseExpression = expr
        while True:
            if self._proxy_read(current):
                return current
            if not isinstance(current, (cst.Subscript, cst.Attribute)):
                return None
            current = current.value

    def _proxy_read(self, expr: cst.BaseExpression) -> bool:
        """``p[k]``, ``p.get(k)``, ``p.setdefault(k, v)`` of a dict/list proxy, ``ns.attr`` of a
        Namespace proxy."""
        model = self.model
        if isinstance(expr, cst.Subscript):
            kind = model.kind_of(expr.value)
            return kind is not None and kind.proxy and kind.name in (KindName.DICT, KindName.LIST)
        if isinstance(expr, cst.Call) and isinstance(expr.func, cst.Attribute):
            if expr.func.attr.value not in _COPYING_GETTERS:
                return False
            kind = model.kind_of(expr.func.value)
            return kind is not None and kind.proxy and kind.name is KindName.DICT
        if isinstance(expr, cst.Attribute):
            kind = model.kind_of(expr.value)
            return kind is not None and kind.proxy and kind.name is KindName.NAMESPACE
        return False

    def _is_store_target(self, node: Union[cst.Subscript, cst.Attribute]) -> bool:
        parent = self.model.parent(node)
        if isinstance(parent, (cst.AssignTarget, cst.AugAssign, cst.AnnAssign)):
            return parent.target is node
        if isinstance(parent, cst.Del):
            return parent.target is node
        return False

    def _nests_proxies(self) -> bool:
        """The module puts proxies inside proxies (``shared[k] = manager.list()``, ``m.dict({k: m.list()})``,
        ``shared.append(m.dict())``): nested values may be proxies, and their changes do propagate."""
        model = self.model
        for call in model.tree.calls:
            kind = model.kind_of(call)
            if kind is None or not kind.proxy or kind.creator is not call:
                continue
            statement = model.small_statement_of(call)
            for ancestor in model.ancestors(call):
                if ancestor is statement:
                    break
                if isinstance(ancestor, cst.Call) and isinstance(ancestor.func, cst.Attribute):
                    receiver = model.kind_of(ancestor.func.value)
                    if receiver is not None and (
                        receiver.proxy or receiver.name is KindName.MANAGER
                    ):
                        return True
            if isinstance(statement, (cst.Assign, cst.AugAssign, cst.AnnAssign)):
                targets = (
                    [t.target for t in statement.targets]
                    if isinstance(statement, cst.Assign)
                    else [statement.target]
                )
                for target in targets:
                    if isinstance(target, (cst.Subscript, cst.Attribute)):
                        holder = model.kind_of(target.value)
                        if holder is not None and holder.proxy:
                            return True
        return False

    # --- tmp = p[k]; tmp.append(x) --------------------------------------------------------------------
    def _check_local_copies(self) -> None:
        model = self.model
        for scope in model.names.scopes.values():
            if not isinstance(scope.node, (cst.FunctionDef, cst.Module)):
                continue
            for name, bindings in scope.bindings.items():
                if (
                    len(bindings) != 1
                    or bindings[0].how is not BindingKind.ASSIGN
                    or bindings[0].path
                ):
                    continue
                binding = bindings[0]
                value = binding.value
                if value is None or not self._proxy_read(value):
                    continue
                if not isinstance(binding.node, cst.Name):
                    continue
                key = model.binding_key(binding.node)
                if key is None:
                    continue
                self._check_copy(name, key, binding.node)

    def _check_copy(self, name: str, key: VarKey, bound: cst.CSTNode) -> None:
        model = self.model
        first: Optional[cst.CSTNode] = None
        for use in model.tree.name_uses(name):
            if use is bound or model.binding_key(use) != key or not model.precedes(bound, use):
                continue
            write = model.state.mutation_at(use)
            if write is None:
                parent = model.parent(use)
                if (
                    isinstance(parent, cst.Attribute)
                    and parent.value is use
                    and isinstance(model.parent(parent), (cst.AssignTarget, cst.AugAssign))
                ):
                    write = model.small_statement_of(parent)
            if write is not None:
                if first is None:
                    first = write
                continue
            if model.names.variable_use(use) in ("load", "augment"):
                return  # read after the change (written back, passed on, returned …)
        if first is not None:
            self.report(first, once=first, code=self.snippet(first))

    # --- reporting and the fix ---------------------------------------------------------------------------
    def _report(self, node: cst.CSTNode, copy: cst.BaseExpression) -> None:
        if self.reported(node):
            return  # the fix is worked out once
        fix = self._fix(node, copy) if self._under_lock(node) else None
        self.report(node, fix=fix, once=node, code=self.snippet(node))

    def _under_lock(self, node: cst.CSTNode) -> bool:
        """``node`` runs inside ``with lock:`` on a process lock (its own function's): the read, the
        change and the write back of the fix cannot interleave with another process's."""
        model = self.model
        for ancestor in model.ancestors(node):
            if isinstance(ancestor, (cst.FunctionDef, cst.Lambda, cst.ClassDef)):
                return False
            if isinstance(ancestor, cst.With):
                for item in ancestor.items:
                    kind = model.kind_of(item.item)
                    if kind is not None and kind.is_lock_like and not kind.uses_threads:
                        return True
        return False

    def _fix(self, node: cst.CSTNode, copy: cst.BaseExpression) -> Optional[FixSpec]:
        """``p[k].append(x)`` -> ``tmp = p[k]`` / ``tmp.append(x)`` / ``p[k] = tmp``."""
        model = self.model
        line = lone_statement_line(model, node)
        if line is None:
            return None
        small = line.body[0]
        if isinstance(small, cst.Expr):
            if small.value is not node:
                return None
        elif not isinstance(small, (cst.Assign, cst.AugAssign, cst.Del)):
            return None
        if not isinstance(copy, (cst.Subscript, cst.Attribute)) or not _pure(copy):
            return None
        name = self._fresh_name(copy, line)
        if name is None:
            return None
        replaced = small.deep_replace(copy, cst.Name(name))
        if not isinstance(replaced, cst.BaseSmallStatement):
            return None
        changed = model.module.code_for_node(replaced).strip()
        copy_code = self.code_for(copy)
        text = f"{name} = {copy_code}\n{changed}\n{copy_code} = {name}"
        comment = line.trailing_whitespace.comment
        if comment is not None:
            text = f"{name} = {copy_code}\n{changed}  {comment.value}\n{copy_code} = {name}"
        return self.fix(Applicability.UNSAFE, ReplaceLines(line, line, text))

    def _fresh_name(self, copy: cst.BaseExpression, at: cst.CSTNode) -> Optional[str]:
        base = "value"
        if isinstance(copy, cst.Attribute):
            base = copy.attr.value
        elif isinstance(copy, cst.Subscript) and len(copy.slice) == 1:
            index = copy.slice[0].slice
            if isinstance(index, cst.Index) and isinstance(index.value, cst.SimpleString):
                literal = index.value.evaluated_value
                if isinstance(literal, str) and literal.isidentifier():
                    base = literal
        if keyword.iskeyword(base) or not base.isidentifier():
            base = "value"
        for candidate in (base, f"{base}_copy", f"{base}_value"):
            if self.model.names.new_variable_is_safe(candidate, at):
                return candidate
        return None


def _pure(expr: cst.BaseExpression) -> bool:
    """Evaluating ``expr`` twice gives the same object and has no side effect: names, attributes,
    constant or name subscripts."""
    if isinstance(expr, cst.Name):
        return True
    if isinstance(expr, cst.Attribute):
        return _pure(expr.value)
    if isinstance(expr, cst.Subscript):
        if len(expr.slice) != 1:
            return False
        index = expr.slice[0].slice
        if not isinstance(index, cst.Index):
            return False
        value = index.value
        simple = isinstance(value, (cst.SimpleString, cst.Integer, cst.Name)) or (
            isinstance(value, cst.Attribute) and _pure(value)
        )
        return simple and _pure(expr.value)
    return False
