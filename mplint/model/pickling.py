"""What cannot travel to a child by pickling: lambdas and local functions, definitions under the
``__main__`` guard, instances whose attributes do not pickle."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Optional, Union

import libcst as cst

from mplint.kinds import Kind, KindName, agree
from mplint.model.flow import ExecContext
from mplint.model.inference import Submission, Via
from mplint.model.names import BindingKind, ClassInfo
from mplint.model.syntax import BUILTINS, positional_args

if TYPE_CHECKING:
    from mplint.model.callgraph import CallGraph
    from mplint.model.flow import Flow
    from mplint.model.inference import Inference
    from mplint.model.names import Names
    from mplint.model.startmethod import StartMethods
    from mplint.model.tree import Tree
    from mplint.model.workers import Workers


@dataclass(frozen=True)
class PickleError:
    """What pickling an object of some kind raises. ``inherited`` is true for objects that may still
    reach a child while it is being spawned (``Process(args=...)``, ``initargs=``): locks, queues and
    shared ctypes check ``multiprocessing/context.py`` ``assert_spawning``."""

    error: str
    inherited: bool


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


def pickling_error(kind: Kind, *, dill: bool = False) -> Optional[PickleError]:
    """What pickling an object of ``kind`` raises, or None when it pickles (Manager proxies,
    connections, contexts) or this is unknown. ``dill``: the pickler is dill (``multiprocess``), which
    also serialises plain thread locks, so only the multiprocessing objects that refuse any pickler
    are reported."""
    if kind.proxy:
        return None
    if kind.name in (KindName.SEQUENCE, KindName.MAPPING):
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


# How a submission reaches a child process with its callable pickled, at least under some start method.
_PICKLED = frozenset((Via.POOL, Via.EXECUTOR, Via.PROCESS, Via.INITIALIZER))


@dataclass(eq=False)
class Pickling:
    """What cannot be pickled to a child (see the module docstring)."""

    tree: Tree
    names: Names
    flow: Flow
    callgraph: CallGraph
    inference: Inference
    workers: Workers
    startmethod: StartMethods

    def pickled_submissions(self) -> list[Submission]:
        """The submissions whose callable is pickled on its way to a child process: pool and executor
        tasks (``loop.run_in_executor`` included) always; process targets and pool or executor
        initializers only when the child is spawned (spawn, forkserver), since a forked child inherits
        them. Left out: thread pools and threads (nothing is pickled), dill (``multiprocess`` pickles
        functions by value), a start method chosen at run time, and a Process that is never started."""
        found: list[Submission] = []
        for submission in [
            *self.inference.submissions(),
            *self.workers.run_in_executor_submissions,
        ]:
            via = submission.via
            owner = submission.owner
            if via not in _PICKLED or owner.uses_threads or owner.pickles_with_dill:
                continue
            if via in (Via.PROCESS, Via.INITIALIZER) and not self._fresh_interpreter(owner):
                continue
            if via is Via.PROCESS and self.workers.never_started(submission.call):
                continue
            found.append(submission)
        return found

    def reimported_submissions(self) -> list[Submission]:
        """Of :meth:`pickled_submissions`, those unpickled in a child that starts a fresh interpreter
        (spawn, forkserver): it finds the callable by name in its own import of the main module, where
        what the parent defined only under the ``__main__`` guard (or interactively) does not exist."""
        return [s for s in self.pickled_submissions() if self._fresh_interpreter(s.owner)]

    def _fresh_interpreter(self, owner: Kind) -> bool:
        """Children of ``owner`` start a fresh interpreter, as far as this module can tell."""
        return self.startmethod.start_method(owner) != "fork" and not (
            self.startmethod.start_method_unknown(owner)
        )

    def unpicklable_callable(self, expr: cst.BaseExpression) -> Optional[tuple[str, cst.CSTNode]]:
        """Why the standard pickle (by reference: module and qualified name) cannot send the callable
        ``expr``, with the node that defines it: a lambda (also one bound to a name, even at module
        level: its name is ``<lambda>``), a function or class defined inside a function, or a
        ``functools.partial`` of one of those. None when it pickles or this module cannot tell."""
        if isinstance(expr, cst.Lambda):
            return "a lambda", expr
        if isinstance(expr, cst.Call) and self.names.qualname(expr.func) == "functools.partial":
            inner = positional_args(expr)
            if inner:
                found = self.unpicklable_callable(inner[0].value)
                if found is not None:
                    return f"a partial of {found[0]}", found[1]
            return None
        binding = self.names.only_binding(expr)
        if binding is None:
            return None
        if (
            binding.how is BindingKind.ASSIGN
            and not binding.path
            and isinstance(binding.value, cst.Lambda)
        ):
            return "a lambda", binding.value
        if binding.how in (
            BindingKind.DEF,
            BindingKind.CLASS,
        ) and self.tree.enclosing_function_node(binding.node):
            return (
                f"a local {'function' if binding.how is BindingKind.DEF else 'class'}",
                binding.node,
            )
        return None

    def guard_definition(
        self, expr: cst.BaseExpression
    ) -> Optional[Union[cst.FunctionDef, cst.ClassDef]]:
        """The ``def``/``class`` under ``if __name__ == "__main__":`` that ``expr`` (a name, or a
        ``functools.partial`` of one) refers to. Children that re-import the module (spawn,
        forkserver) never run that block, so they cannot unpickle what it defines."""
        name = self._named_callable(expr)
        if name is None:
            return None
        bindings = self.names.lookup(name.value, name)
        if len(bindings) != 1 or bindings[0].how not in (BindingKind.DEF, BindingKind.CLASS):
            return None
        node = bindings[0].node
        if (
            isinstance(node, (cst.FunctionDef, cst.ClassDef))
            and self.tree.is_module_level(node)
            and self.flow.exec_context(node) is ExecContext.GUARDED
        ):
            return node
        return None

    def interactive_definition(
        self, expr: cst.BaseExpression
    ) -> Optional[Union[cst.FunctionDef, cst.ClassDef]]:
        """In an interactive ``__main__`` (a notebook): the ``def``/``class`` outside any function
        that ``expr`` (a name, or a ``functools.partial`` of one) refers to. Pickle sends it by
        reference, ``__main__.<name>``; a spawned or forkserver child's ``__main__`` has no such name
        and no file to run to define it. None in a file, for imported names, for local definitions
        (pickle cannot send those anywhere) and when the name may be bound otherwise."""
        if not self.tree.is_interactive_main:
            return None
        name = self._named_callable(expr)
        if name is None:
            return None
        bindings = self.names.lookup(name.value, name)
        if not bindings:
            return None
        found: Optional[Union[cst.FunctionDef, cst.ClassDef]] = None
        for binding in bindings:
            node = binding.node
            if binding.how not in (BindingKind.DEF, BindingKind.CLASS) or not isinstance(
                node, (cst.FunctionDef, cst.ClassDef)
            ):
                return None
            if self.tree.enclosing_function_node(node) is not None:
                return None
            found = found or node
        return found

    def _named_callable(self, expr: cst.BaseExpression) -> Optional[cst.Name]:
        """``expr`` when it is a name, or the name a ``functools.partial`` of one wraps (partials of
        partials too); else None."""
        while isinstance(expr, cst.Call) and self.names.qualname(expr.func) == "functools.partial":
            inner = positional_args(expr)
            if not inner:
                return None
            expr = inner[0].value
        return expr if isinstance(expr, cst.Name) else None

    def reads_only_import_time_names(self, node: cst.CSTNode) -> bool:
        """Every name ``node`` reads from outside is a builtin or bound at module level at import time:
        moved to module level, it runs the same in a child that re-imports the module."""
        for name, bindings in self.names.outside_names(node):
            if not bindings:
                if name.value not in BUILTINS:
                    return False
                continue
            for binding in bindings:
                if self.names.scope_of(binding.node) is not self.names.module_scope:
                    return False
                if self.flow.exec_context(binding.node) is not ExecContext.IMPORT:
                    return False
        return True

    def unpicklable_state(
        self, info: ClassInfo, pickled_at: Sequence[cst.CSTNode] = ()
    ) -> Optional[tuple[str, Kind, PickleError]]:
        """``(attribute, kind, error)`` for an attribute (set through ``self.x = ...``) that makes the
        class's instances fail to pickle. None when the class or a module base customises pickling
        (``__getstate__``/``__reduce__``/``__reduce_ex__``), or derives from a library class.

        ``pickled_at``: where an instance is pickled (a ``start()``, a pool's task call); an attribute
        set only after all of them (:meth:`set_after`), or only by code that runs in a child
        (:meth:`set_in_child_only`), is not there yet."""
        if self.inference.class_base_kind(info) is not None:
            return None
        for special in ("__getstate__", "__reduce__", "__reduce_ex__"):
            if self.names.class_method(info, special) is not None:
                return None
        for attribute, values in sorted(info.attributes.items()):
            kinds = [
                self.inference.kind_of(v)
                for v in values
                if not (isinstance(v, cst.Name) and v.value == "None")
                and not (
                    pickled_at and (self.set_after(v, pickled_at) or self.set_in_child_only(v))
                )
            ]
            kind = agree(kinds) if kinds else None
            error = pickling_error(kind) if kind is not None else None
            if kind is not None and error is not None:
                return attribute, kind, error
        return None

    def set_after(self, value: cst.CSTNode, points: Sequence[cst.CSTNode]) -> bool:
        """The assignment of ``value`` runs only after every one of ``points``: each is earlier in the
        same function, with no loop around both, and the function does not run again (it is not called
        in a loop or from several places)."""
        function = self.tree.enclosing_function_node(value)
        if function is None or self.callgraph.repeats(value):
            return False
        loops = set(self.flow.enclosing_loops(value))
        return all(
            self.tree.enclosing_function_node(point) is function
            and self.tree.precedes(point, value)
            and not loops.intersection(self.flow.enclosing_loops(point))
            for point in points
        )

    def set_in_child_only(self, value: cst.CSTNode) -> bool:
        """The assignment of ``value`` runs only in child processes: its function is child code
        (:attr:`Workers.child_functions`) that nothing outside child code calls."""
        function = self.tree.enclosing_function_node(value)
        children = self.workers.child_functions
        if function is None or function not in children:
            return False
        return all(
            self.tree.enclosing_function_node(call) in children
            for call in self.callgraph.calls_to(function)
        )
