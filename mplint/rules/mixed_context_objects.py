from __future__ import annotations

from collections.abc import Iterator
from typing import Optional

import libcst as cst

from mplint import api_table
from mplint.diagnostics import Applicability, Severity
from mplint.edits import FixSpec, Replace
from mplint.gates import PROCESSES, Gate, needs
from mplint.kinds import SEMLOCK_KINDS, Kind, KindName
from mplint.model import BindingKind, ExecContext, call_argument, context_family
from mplint.model.syntax import root_name
from mplint.rule import Invalid, LintRule, Valid


class MixedContextObjects(LintRule):
    """
    ## What it does
    Checks for a lock, queue or synchronised shared value created by one start-method context and
    passed to a process of another — through `Process(args=...)`/`kwargs=`, or a pool's or executor's
    `initargs=` — when the object may come from a fork context and the process may be started by spawn
    or forkserver.

    Objects of the default context (`multiprocessing.Lock()`) count as fork under the default
    `start-method = "portable"` (Linux forks by default up to Python 3.13) and under
    `start-method = "fork"`; with `spawn` or `forkserver` configured, or a literal
    `set_start_method()` in the module, the default context is that method. Manager proxies carry no
    context and are not reported.

    ## Why is this bad?
    A lock made by the fork context has no name another process could open. Sending it to a spawned
    child raises, when the child starts, `RuntimeError: A SemLock created in a fork context is being
    shared with a process in a spawn context. This is not supported. Please use the same context to
    create multiprocessing objects and Process.` (`multiprocessing/synchronize.py`
    `SemLock.__getstate__`; queues and `Value`/`Array` hold such locks). The check exists since
    Python 3.11.5/3.12; older versions corrupt the lock or crash instead. The same program works on
    Linux with fork as the default and fails on macOS, Windows, and Linux from Python 3.14 — or
    as soon as the process side asks for `get_context("spawn")`.

    `RULES.md` asks to flag objects whose context differs "when one side is fork". Only the object side
    matters: an object created by a spawn context and passed to a fork child is inherited without
    pickling and works, so that direction is not reported.

    ## Example
    ```python
    lock = multiprocessing.Lock()
    ctx = multiprocessing.get_context("spawn")
    ctx.Process(target=work, args=(lock,)).start()
    ```

    Use instead:
    ```python
    ctx = multiprocessing.get_context("spawn")
    lock = ctx.Lock()
    ctx.Process(target=work, args=(lock,)).start()
    ```

    ## Fix safety
    When the process's context is a variable bound before the object is created and visible there,
    the object's factory becomes that context's (`multiprocessing.Lock()` → `ctx.Lock()`): safe, the
    object is the same kind of object, now usable by the processes it is given to. Otherwise there is
    no fix.

    ## References
    - [Contexts and start methods](https://docs.python.org/3/library/multiprocessing.html#contexts-and-start-methods):
      "objects related to one context may not be compatible with processes for a different context.
      In particular, locks created using the *fork* context cannot be passed to processes started
      using the *spawn* or *forkserver* start methods."
    """

    CODE = "MPL206"
    GATE = Gate.of(needs(PROCESSES))
    NAME = "mixed-context-objects"
    MESSAGE = (
        "`{arg}` comes from {origin} but goes to {target}; a fork-made lock cannot be sent there"
    )
    FIX_TITLE = "Create it with the process's context"
    SEVERITY = Severity.ERROR
    FIX = "safe"

    VALID = [
        Valid(
            """
            import multiprocessing as mp
            def work(lock): pass
            def main():
                lock = mp.Lock()
                mp.Process(target=work, args=(lock,)).start()
            """
        ),
        Valid(
            """
            import multiprocessing as mp
            def work(lock): pass
            def main():
                lock = mp.get_context('spawn').Lock()
                mp.get_context('fork').Process(target=work, args=(lock,)).start()
            """
        ),
    ]
    INVALID = [
        Invalid(
            """
            import multiprocessing as mp
            def work(lock): pass
            def main():
                ctx = mp.get_context('spawn')
                lock = mp.Lock()
                ctx.Process(target=work, args=(lock,)).start()
            """,
            fixed="""
            import multiprocessing as mp
            def work(lock): pass
            def main():
                ctx = mp.get_context('spawn')
                lock = ctx.Lock()
                ctx.Process(target=work, args=(lock,)).start()
            """,
        ),
        Invalid(
            """
            import multiprocessing as mp
            from concurrent.futures import ProcessPoolExecutor
            def init(q): pass
            def main():
                fork = mp.get_context('fork')
                ex = ProcessPoolExecutor(initializer=init, initargs=(fork.Queue(),))
            """
        ),
    ]

    def check(self) -> None:
        model = self.model
        for call in model.tree.calls:
            owner = model.kind_of(call)
            if owner is None or owner.creator is not call or owner.uses_threads:
                continue
            if owner.is_process and owner.cls is None:
                objects = [
                    *_elements(call_argument(call, 3, "args")),
                    *_dict_values(call_argument(call, 4, "kwargs")),
                ]
            elif owner.is_process:
                objects = model.values.stored_constructor_arguments(
                    call
                )  # pickled with the instance
            elif owner.is_process_pool:
                objects = list(_elements(call_argument(call, 2, "initargs")))
            elif owner.name is KindName.EXECUTOR:
                objects = list(_elements(call_argument(call, 3, "initargs")))
            else:
                continue
            for expr in objects:
                self._check(call, owner, expr)

    def _check(self, call: cst.Call, owner: Kind, expr: cst.BaseExpression) -> None:
        model = self.model
        kind = _semlock_kind(model.kind_of(expr))
        if kind is None or context_family(kind.family) != context_family(owner.family):
            return
        if model.startmethod.start_method_unknown(kind) or model.startmethod.start_method_unknown(
            owner
        ):
            return  # a context chosen at run time
        if kind.method is None and owner.method is None:
            return  # both from the default context: the same one
        if owner.is_process and model.workers.never_started(call):
            return
        if "fork" not in model.startmethod.possible_start_methods(kind):
            return
        if not model.startmethod.possible_start_methods(owner) - {"fork"}:
            return
        self.report(
            expr,
            fix=self._fix(call, owner, kind, expr),
            arg=self.snippet(expr),
            origin=self._describe(kind, "the fork context"),
            target=self._describe(owner, "a fork process", process=True),
        )

    def _describe(self, kind: Kind, fork: str, *, process: bool = False) -> str:
        if kind.method is not None:
            return f"a {kind.method} process" if process else f"the {kind.method} context"
        configured = self.model.start_method(kind)
        if configured is not None:
            what = f"the default context ({configured})"
        else:
            what = "the default context (fork on Linux before Python 3.14, spawn elsewhere)"
        return ("a process of " + what) if process else what

    # --- the fix: ctx.Lock() ---------------------------------------------------------------------------
    def _fix(
        self, call: cst.Call, owner: Kind, kind: Kind, expr: cst.BaseExpression
    ) -> Optional[FixSpec]:
        model = self.model
        creator = kind.creator
        context = self._context_expression(call, owner)
        if creator is None or context is None or not self._single_creation(expr, creator):
            return None
        func = creator.func
        factory = func.attr.value if isinstance(func, cst.Attribute) else None
        if isinstance(func, cst.Name):
            factory = func.value
        qual = model.qualname(func)
        split = api_table.split_family(qual) if qual is not None else None
        receiver = model.kind_of(func.value) if isinstance(func, cst.Attribute) else None
        from_context = receiver is not None and receiver.name is KindName.CONTEXT
        if factory is None or not ((split is not None and split[1] == factory) or from_context):
            return None
        if self._only_use_of_import(func):
            return None  # the import would become unused
        bindings = model.lookup(context.value, context)
        visible = model.lookup(context.value, creator)
        if len(bindings) != 1 or len(visible) != 1 or visible[0] is not bindings[0]:
            return None
        binding = bindings[0]
        if binding.how is not BindingKind.ASSIGN:
            return None
        before = model.dominates(binding.node, creator) or (
            model.exec_context(binding.node) is ExecContext.IMPORT
            and model.flow.runs_whenever_scope_runs(binding.node)
            and model.enclosing_function_node(creator) is not None
        )
        if not before:
            return None
        return self.fix(Applicability.SAFE, Replace(func, f"{context.value}.{factory}"))

    def _single_creation(self, expr: cst.BaseExpression, creator: cst.Call) -> bool:
        """``expr`` is the object made by ``creator`` alone (not a list of several objects)."""
        if expr is creator:
            return True
        if not isinstance(expr, cst.Name):
            return False
        bindings = self.model.lookup(expr.value, expr)
        return len(bindings) == 1 and bindings[0].value is creator and not bindings[0].path

    def _only_use_of_import(self, func: cst.BaseExpression) -> bool:
        model = self.model
        root = root_name(func)
        if root is None:
            return True
        bindings = model.lookup(root.value, root)
        if not any(b.how is BindingKind.IMPORT for b in bindings):
            return False
        reads = [
            n for n in model.tree.name_uses(root.value) if model.names.variable_use(n) == "load"
        ]
        return len(reads) <= 1

    def _context_expression(self, call: cst.Call, owner: Kind) -> Optional[cst.Name]:
        """The variable holding the context that creates the process, pool or executor."""
        model = self.model
        if owner.name is KindName.EXECUTOR:
            candidate: Optional[cst.BaseExpression] = call_argument(call, 1, "mp_context")
        elif isinstance(call.func, cst.Attribute):
            candidate = call.func.value
        else:
            candidate = None
        if not isinstance(candidate, cst.Name):
            return None
        context = model.kind_of(candidate)
        if context is None or context.name is not KindName.CONTEXT or context.method is None:
            return None
        return candidate


def _semlock_kind(kind: Optional[Kind]) -> Optional[Kind]:
    """The SemLock-based object ``kind`` is (or holds, for a list or tuple)."""
    if kind is None or kind.proxy or kind.uses_threads:
        return None
    if kind.name in (KindName.SEQUENCE, KindName.MAPPING):
        return _semlock_kind(kind.item)
    if kind.name is KindName.TUPLE:
        for item in kind.items:
            found = _semlock_kind(item)
            if found is not None:
                return found
        return None
    return kind if kind.name in SEMLOCK_KINDS else None


def _elements(node: Optional[cst.BaseExpression]) -> Iterator[cst.BaseExpression]:
    if isinstance(node, (cst.Tuple, cst.List)):
        for element in node.elements:
            if not isinstance(element, cst.StarredElement):
                yield element.value


def _dict_values(node: Optional[cst.BaseExpression]) -> Iterator[cst.BaseExpression]:
    if isinstance(node, cst.Dict):
        for element in node.elements:
            if isinstance(element, cst.DictElement):
                yield element.value
