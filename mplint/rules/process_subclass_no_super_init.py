from __future__ import annotations

from collections.abc import Sequence
from typing import Optional

import libcst as cst

from mplint.diagnostics import Applicability, Severity
from mplint.edits import FixSpec, InsertAfter, InsertBefore
from mplint.gate_shapes import THREAD_SUBCLASS
from mplint.gates import PROCESSES, THREADS, Gate, needs
from mplint.kinds import Kind, KindName
from mplint.model import ClassInfo, Model, keyword_arg
from mplint.model.syntax import is_false_literal, last_name
from mplint.rule import Invalid, LintRule, Valid
from mplint.rules._helpers import is_docstring

# What an attribute assigned before the base __init__ does, for a Process and for a Thread.
_EARLY_PROCESS = {
    "daemon": "raises AttributeError: '{cls}' object has no attribute '_popen'",
    "authkey": "raises AttributeError: '{cls}' object has no attribute '_config'",
    "name": "is silently overwritten by `Process.__init__()`",
}
_EARLY_THREAD = {
    "daemon": "raises RuntimeError: Thread.__init__() not called",
    "name": "raises AssertionError: Thread.__init__() not called",
}


class ProcessSubclassNoSuperInit(LintRule):
    """
    ## What it does
    Checks subclasses of `Process` (and of `Thread`) whose `__init__` never calls the base class
    `__init__` — also dataclass and attrs subclasses whose generated `__init__` does not — and
    `__init__` methods that set `self.daemon`, `self.name` or `self.authkey` before calling it; and
    subclasses without a `run()` that redefine `start()` without calling the base `start()`.

    ## Why is this bad?
    `Process.__init__()` sets up the state every other method needs. Without it, `start()` fails in
    `multiprocessing/process.py` `BaseProcess.start` (`_check_closed`) with
    `AttributeError: 'Worker' object has no attribute '_closed'` (older versions: `'_popen'`); a
    `Thread` subclass fails with `RuntimeError: thread.__init__() not called`. The documentation says a
    subclass overriding the constructor "must make sure it invokes the base class constructor
    (`Process.__init__()`) before doing anything else to the process".

    Before the base `__init__` has run, `self.daemon = True` raises
    `AttributeError: 'Worker' object has no attribute '_popen'` (the setter checks `_popen`),
    `self.authkey = ...` raises `AttributeError: ... no attribute '_config'`, and `self.name = "custom"`
    is silently overwritten by the base `__init__` (the process is named `Worker-1`). For a `Thread`,
    `self.name = ...` raises `AssertionError: Thread.__init__() not called` and `self.daemon = ...`
    raises `RuntimeError: Thread.__init__() not called`. (An early `self.authkey` is an error, not a
    lost value as is sometimes said: the setter writes into `_config`, which does not exist yet.)

    A `start()` that never calls the base `start()` starts no process at all: the work of a subclass
    without its own `run()` (the `target`) then never runs in a child, and at best runs **silently**
    in the parent.

    Not reported: an `__init__` that calls the base `__init__` through a method of its own class, or
    hands `self` to code this module cannot see (it may call it there); a dataclass whose
    `__post_init__` calls it; `__init__` methods that only raise, or whose body is `...` (a
    declaration); stub files (`.pyi`).

    ## Example
    ```python
    class Worker(Process):
        def __init__(self, n):
            self.n = n

        def run(self):
            print(self.n)
    ```

    Use instead:
    ```python
    class Worker(Process):
        def __init__(self, n):
            super().__init__()
            self.n = n

        def run(self):
            print(self.n)
    ```

    ## Fix safety
    Inserting `super().__init__()` as the first statement of `__init__` is unsafe: the base constructor
    may need arguments the subclass meant to pass (`name=`, `daemon=`, `target=`), and it resets
    attributes such as `name`. There is no fix for an assignment made too early, or for a dataclass.

    ## References
    - [`multiprocessing.Process`](https://docs.python.org/3/library/multiprocessing.html#multiprocessing.Process):
      "If a subclass overrides the constructor, it must make sure it invokes the base class
      constructor (Process.__init__()) before doing anything else to the process."
    """

    CODE = "MPL109"
    GATE = Gate.of(needs(PROCESSES), needs(THREADS, "Thread", shapes=(THREAD_SUBCLASS,)))
    NAME = "process-subclass-no-super-init"
    MESSAGE = "`{where}` {problem}"
    FIX_TITLE = "Call `super().__init__()` first"
    SEVERITY = Severity.ERROR
    FIX = "unsafe"

    VALID = [
        Valid(
            """
            from multiprocessing import Process
            class Worker(Process):
                def __init__(self, n):
                    super().__init__()
                    self.n = n
            """
        ),
        Valid(
            """
            import multiprocessing as mp
            class Worker(mp.Process):
                def __init__(self, n):
                    mp.Process.__init__(self, name=f'w{n}')
                    self.n = n
            """
        ),
    ]
    INVALID = [
        Invalid(
            """
            from multiprocessing import Process
            class Worker(Process):
                def __init__(self, n):
                    self.n = n
                def run(self):
                    print(self.n)
            """,
            fixed="""
            from multiprocessing import Process
            class Worker(Process):
                def __init__(self, n):
                    super().__init__()
                    self.n = n
                def run(self):
                    print(self.n)
            """,
            unsafe=True,
        ),
        Invalid(
            """
            from multiprocessing import Process
            class Worker(Process):
                def __init__(self):
                    self.daemon = True
                    super().__init__()
            """
        ),
    ]

    def check(self) -> None:
        model = self.model
        if model.path.endswith(".pyi"):
            return  # a stub declares signatures; its bodies are `...`
        for info in model.names.class_of_node.values():
            base = model.inference.class_base_kind(info)
            if base is None or not (base.is_process or base.name is KindName.THREAD):
                continue
            init = info.methods.get("__init__")
            if init is not None:
                self._check_init(info, init, base)
            elif generates_init(model, info):
                self._check_generated(info, base)
            start = info.methods.get("start")
            if start is not None and model.names.class_method(info, "run") is None:
                self._check_start(info, start, base)

    def _check_init(self, info: ClassInfo, init: cst.FunctionDef, base: Kind) -> None:
        model = self.model
        if (
            _only_raises(init)
            or _is_declaration(init)
            or any(last_name(d.decorator) == "overload" for d in init.decorators)
        ):
            return
        calls = base_init_calls(model, init)
        if calls is None:
            return
        base_name = _base_name(base)
        if not calls:
            self.report(
                init.name,
                fix=self._super_fix(init),
                where=f"{info.name}.__init__",
                problem=f"never calls `{base_name}.__init__()`: {self._start_error(info, base)}",
            )
            return
        first = min(calls, key=lambda c: model.tree.order.get(c, 0))
        early = _EARLY_THREAD if base.name is KindName.THREAD else _EARLY_PROCESS
        for attribute, targets in info.attribute_targets.items():
            consequence = early.get(attribute)
            if consequence is None:
                continue
            for target in targets:
                if model.enclosing_function_node(target) is init and model.precedes(target, first):
                    self.report(
                        target,
                        where=self.code_for(target),
                        problem=f"is set before `{base_name}.__init__()` and "
                        + consequence.format(cls=info.name),
                    )

    def _check_generated(self, info: ClassInfo, base: Kind) -> None:
        model = self.model
        post_init = info.methods.get("__post_init__") or info.methods.get("__attrs_post_init__")
        if post_init is not None:
            calls = base_init_calls(model, post_init)
            if calls is None or calls:
                return
        self.report(
            info.node.name,
            where=info.name,
            problem=f"gets a generated `__init__` that never calls `{_base_name(base)}.__init__()`: "
            f"{self._start_error(info, base)}",
        )

    def _check_start(self, info: ClassInfo, start: cst.FunctionDef, base: Kind) -> None:
        """``start()`` redefined without the base ``start()``, in a class with no ``run()``: the target
        is never run in a child (at best ``start()`` runs it here)."""
        if start.decorators or _only_raises(start) or not start.params.params:
            return
        me = start.params.params[0].name.value
        for call in self.model.callgraph.function_calls(start):
            func = call.func
            if not (isinstance(func, cst.Attribute) and func.attr.value == "start"):
                continue
            receiver = func.value
            if isinstance(receiver, cst.Call) or any(
                isinstance(a.value, cst.Name) and a.value.value == me for a in call.args
            ):
                return  # super().start(), Process.start(self)
        for call in self.model.callgraph.function_calls(start):
            if any(isinstance(a.value, cst.Name) and a.value.value == me for a in call.args):
                return  # handed to a helper that may start it
        base_name = _base_name(base)
        self.report(
            start.name,
            where=f"{info.name}.start",
            problem=f"replaces `{base_name}.start()` without calling it, and the class has no "
            f"`run()`: no child {base_name.lower()} is ever started",
        )

    def _start_error(self, info: ClassInfo, base: Kind) -> str:
        if base.name is KindName.THREAD:
            return "start() raises RuntimeError: thread.__init__() not called"
        return f"start() raises AttributeError: '{info.name}' object has no attribute '_closed'"

    def _super_fix(self, init: cst.FunctionDef) -> Optional[FixSpec]:
        body = init.body
        if not isinstance(body, cst.IndentedBlock) or not body.body:
            return None
        statements = list(body.body)
        first = statements[0]
        if is_docstring(first):
            if len(statements) == 1:
                return self.fix(Applicability.UNSAFE, InsertAfter(first, "super().__init__()"))
            first = statements[1]
        return self.fix(Applicability.UNSAFE, InsertBefore(first, "super().__init__()"))


def _base_name(base: Kind) -> str:
    return "Thread" if base.name is KindName.THREAD else "Process"


def _is_declaration(function: cst.FunctionDef) -> bool:
    """A body of ``...`` alone (after an optional docstring): a declaration, as in a stub or a protocol."""
    body = function.body
    smalls: Sequence[cst.BaseSmallStatement]
    if isinstance(body, cst.SimpleStatementSuite):
        smalls = body.body
    elif isinstance(body, cst.IndentedBlock):
        lines = [s for s in body.body if not is_docstring(s)]
        if len(lines) != 1 or not isinstance(lines[0], cst.SimpleStatementLine):
            return False
        smalls = lines[0].body
    else:
        return False
    return (
        len(smalls) == 1
        and isinstance(smalls[0], cst.Expr)
        and isinstance(smalls[0].value, cst.Ellipsis)
    )


def _only_raises(function: cst.FunctionDef) -> bool:
    body = function.body
    if not isinstance(body, cst.IndentedBlock):
        return False
    statements = [s for s in body.body if not is_docstring(s)]
    return bool(statements) and all(
        isinstance(s, cst.SimpleStatementLine) and all(isinstance(x, cst.Raise) for x in s.body)
        for s in statements
    )


# --- helpers of this rule ---
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


def base_init_calls(
    model: Model, function: cst.FunctionDef, depth: int = 0
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
    for call in model.callgraph.function_calls(function):
        func = call.func
        if isinstance(func, cst.Attribute) and func.attr.value == "__init__":
            found.append(call)
            continue
        if (
            isinstance(func, cst.Attribute)
            and isinstance(func.value, cst.Name)
            and func.value.value == me
        ):
            target = model.names.resolve_function(func)
            if not isinstance(target, cst.FunctionDef) or depth >= 3:
                return None
            inner = base_init_calls(model, target, depth + 1)
            if inner is None:
                return None
            if inner:
                found.append(call)
            continue
        qual = model.qualname(func)
        if qual is not None and qual.startswith("builtins."):
            continue  # super(C, self), isinstance(self, …), getattr(self, …)
        if any(isinstance(a.value, cst.Name) and a.value.value == me for a in call.args):
            return None
    return found


def generates_init(model: Model, info: ClassInfo) -> bool:
    """The class is a dataclass or an attrs class that writes an ``__init__`` of its own (one that
    never calls the base ``__init__``): decorated, not ``init=False``, and defining no ``__init__``."""
    if "__init__" in info.methods:
        return False
    for decorator in info.node.decorators:
        expr = decorator.decorator
        call = expr if isinstance(expr, cst.Call) else None
        qual = model.qualname(call.func if call is not None else expr)
        if qual not in _INIT_WRITING_DECORATORS:
            continue
        init = keyword_arg(call, "init") if call is not None else None
        return not (init is not None and is_false_literal(init.value))
    return False
