"""What the child side sees of an object the parent hands over: the arguments a worker receives, the
variables that hold the object inside the worker, and the calls it makes on them."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Optional

import libcst as cst

from mplint.model.callgraph import CALL_GRAPH_DEPTH
from mplint.model.names import LocalVar, SelfAttr, VarKey
from mplint.model.submission import Submission, Via
from mplint.model.syntax import FunctionNode, call_argument, positional_args, string_value

if TYPE_CHECKING:
    from mplint.model.callgraph import CallGraph
    from mplint.model.names import Names
    from mplint.model.tree import Tree
    from mplint.model.workers import Workers


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


@dataclass(eq=False)
class Handoff:
    """What a worker receives of the objects its parent hands it (see the module docstring)."""

    tree: Tree
    names: Names
    callgraph: CallGraph
    workers: Workers

    def submitted_arguments(self, submission: Submission) -> tuple[cst.BaseExpression, ...]:
        """The leading positional arguments the worker receives, as far as they are known.

        Arguments bound by ``functools.partial(f, a)`` come first, then ``args=`` (of a Process target,
        ``apply_async``, ``submit`` …); for a Process subclass, the arguments of its constructor call
        (they map to ``__init__`` after ``self``).
        """
        if submission.via is Via.RUN:
            return tuple(a.value for a in positional_args(submission.call))
        bound: tuple[cst.BaseExpression, ...] = ()
        callable_expr = submission.callable
        if (
            isinstance(callable_expr, cst.Call)
            and self.names.qualname(callable_expr.func) == "functools.partial"
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
        if submission.via is Via.RUN or (
            submission.via is Via.EXECUTOR and all(not a.star for a in call.args)
        ):
            return {
                a.keyword.value: a.value
                for a in call.args[(0 if submission.via is Via.RUN else 1) :]
                if a.keyword is not None
            }
        mapping: Optional[cst.BaseExpression] = None
        if submission.via is Via.PROCESS:
            mapping = call_argument(call, 4, "kwargs")
        elif submission.via is Via.POOL:
            mapping = call_argument(call, 2, "kwds")
        out: dict[str, cst.BaseExpression] = {}
        if isinstance(mapping, cst.Dict):
            for element in mapping.elements:
                key = element.key if isinstance(element, cst.DictElement) else None
                name = string_value(key)
                if name is not None and isinstance(element, cst.DictElement):
                    out[name] = element.value
        return out

    def worker_keys(
        self, submission: Submission, index: int, keyword: Optional[str] = None
    ) -> list[VarKey]:
        """The variables under which the worker side sees the submitted argument at ``index`` (or the
        keyword argument ``keyword``).

        The target's parameter, the parameters of the module functions that it (transitively) hands the
        value to by position or keyword, and for Process subclasses the ``self`` attributes that
        ``__init__`` stores the constructor argument in.
        """
        root = self.workers.submission_root(submission)
        if root is None:
            return []
        keys: list[VarKey] = []
        if submission.via is Via.RUN:
            info = self.names.classes.get(submission.owner.cls or "")
            init = self.names.class_method(info, "__init__") if info is not None else None
            if init is None:
                return []
            name = _param_name(init.params, index + 1, keyword)
            owner = self.names.enclosing_class(init)
            if name is None or owner is None:
                return []
            start: list[tuple[FunctionNode, str]] = [(init, name)]
            for attr, values in owner.attributes.items():
                for value in values:
                    if (
                        isinstance(value, cst.Name)
                        and value.value == name
                        and self.names.binding_key(value) == LocalVar(init, name)
                    ):
                        keys.append(SelfAttr(owner.node, attr))
        else:
            shift = 1 if isinstance(root, cst.FunctionDef) and self.names.is_method(root) else 0
            name = _param_name(root.params, index + shift, keyword)
            if name is None:
                return []
            start = [(root, name)]
        for function, param in self._follow_parameter(start):
            keys.append(LocalVar(function, param))
        return keys

    def _follow_parameter(
        self, start: list[tuple[FunctionNode, str]]
    ) -> list[tuple[FunctionNode, str]]:
        """A parameter and the parameters of the module functions it is passed on to."""
        found = list(start)
        frontier = list(start)
        for _ in range(CALL_GRAPH_DEPTH):
            next_frontier: list[tuple[FunctionNode, str]] = []
            for function, param in frontier:
                for call in self.callgraph.function_calls(function):
                    target = self.names.resolve_function(call.func)
                    if target is None:
                        continue
                    for received in self._parameters_receiving(
                        call, target, LocalVar(function, param)
                    ):
                        if received not in found:
                            found.append(received)
                            next_frontier.append(received)
            frontier = next_frontier
        return found

    def _parameters_receiving(
        self, call: cst.Call, target: FunctionNode, key: VarKey
    ) -> list[tuple[FunctionNode, str]]:
        shift = 0
        if (
            isinstance(target, cst.FunctionDef)
            and isinstance(call.func, cst.Attribute)
            and self.names.is_method(target)
        ):
            shift = 1  # ``self.helper(q)``: q is the second parameter
        out: list[tuple[FunctionNode, str]] = []
        for position, arg in enumerate(call.args):
            if not isinstance(arg.value, cst.Name) or self.names.binding_key(arg.value) != key:
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
            for call in self.names.calls_on(each, methods):
                if self.tree.enclosing_function_node(call) in functions and call not in out:
                    out.append(call)
        out.sort(key=lambda c: self.tree.order.get(c, 0))
        return out

    def worker_enters(self, submission: Submission, expr: cst.BaseExpression) -> bool:
        """The worker side of ``submission`` enters the object ``expr`` names with ``with`` (as
        ``worker_calls`` finds its method calls)."""
        keys, functions = self._worker_view(submission, expr)
        for statement in self.tree.nodes_of(cst.With):
            if self.tree.enclosing_function_node(statement) not in functions:
                continue
            if any(self.names.binding_key(item.item) in keys for item in statement.items):
                return True
        return False

    def _worker_view(
        self, submission: Submission, expr: cst.BaseExpression
    ) -> tuple[list[VarKey], set[FunctionNode]]:
        """The variables under which the worker side sees the object ``expr`` names, and the functions
        the worker runs; nothing when the worker or the object is not known."""
        root = self.workers.submission_root(submission)
        key = self.names.binding_key(expr)
        if root is None:
            return [], set()
        keys: list[VarKey] = [key] if key is not None else []
        for index, arg in enumerate(self.submitted_arguments(submission)):
            if arg is expr or (key is not None and self.names.binding_key(arg) == key):
                keys.extend(self.worker_keys(submission, index))
        for name, arg in self.submitted_keywords(submission).items():
            if arg is expr or (key is not None and self.names.binding_key(arg) == key):
                keys.extend(self.worker_keys(submission, -1, name))
        if not keys:
            return [], set()
        return keys, set(self.callgraph.reachable_functions(root))

    def passes_object(self, submission: Submission, expr: cst.BaseExpression) -> bool:
        """The object ``expr`` names is among the submitted arguments of ``submission``."""
        key = self.names.binding_key(expr)
        passed = (
            *self.submitted_arguments(submission),
            *self.submitted_keywords(submission).values(),
        )
        return key is not None and any(self.names.binding_key(arg) == key for arg in passed)
