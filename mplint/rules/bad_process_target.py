from __future__ import annotations

import enum
import re
from collections.abc import Iterable
from typing import Optional

import libcst as cst

from mplint.api_table import EXECUTOR_TASK_METHODS, POOL_TASK_METHODS
from mplint.diagnostics import Applicability, Severity
from mplint.edits import FixSpec, Replace
from mplint.gate_shapes import THREAD_TARGET
from mplint.gates import FUTURES, PROCESSES, THREADS, Gate, needs
from mplint.kinds import Kind, KindName
from mplint.model import BindingKind, Model, keyword_arg, positional_args
from mplint.model.syntax import last_name
from mplint.rule import Invalid, LintRule, RuleContext, Valid
from mplint.rules._helpers import positional_arity

_FACTORY_NAME = re.compile(
    r"^(make|get|create|build|new|gen|wrap|bind|with|as|to|load|lookup|resolve|select|choose)_"
    r"|(factory|_fn|_func|_function|_handler|_callback|_target|_callable|_wrapper|_task)$",
    re.IGNORECASE,
)
_THREAD_ORDER = ("target", "name", "args", "kwargs")


class BadProcessTarget(LintRule):
    """
    ## What it does
    Checks for a call where a callable is expected: `Process(target=work())`, `Thread(target=work())`,
    `pool.apply_async(work(x))`, `executor.submit(work(x))`, and for a target passed positionally as
    `Process(work)`. A helper that starts the process with its parameter (`def launch(target):
    Process(target=target)`) is checked at each call of the helper: `launch(serve())` is reported; so
    is a call whose result is kept in an attribute or a dict slot that is then the target
    (`self.target = serve(port)` read as `Process(target=self.target)`).

    ## Why is this bad?
    `target=work()` calls `work` right away, in the parent, one call after another, and passes its
    *result* as the target. The child then fails in `multiprocessing/process.py` `BaseProcess.run` with
    `TypeError: 'int' object is not callable` (printed by the child, exit code 1, the parent is not told),
    or silently does nothing when `work` returned `None`. With pools and executors the task fails with
    `TypeError: 'NoneType' object is not callable` after `work` already ran in the parent.

    The first positional parameter of `Process` (and of `threading.Thread`) is `group`, not `target`:
    `Process(work)` raises `AssertionError: group argument must be None for now`. Under `python -O` the
    assertion is stripped and the process silently runs nothing.

    Calls that return a callable are fine and not reported: `functools.partial(...)`,
    `operator.methodcaller(...)`, a class (its instances may define `__call__`), and functions of this
    module that return a nested `def`, a `lambda` or a partial, or are annotated `-> Callable`.

    ## Example
    ```python
    p = Process(target=download(url))
    q = Process(download, args=(url,))
    pool.apply_async(compute(x))
    ```

    Use instead:
    ```python
    p = Process(target=download, args=(url,))
    q = Process(target=download, args=(url,))
    pool.apply_async(compute, (x,))
    ```

    ## Fix safety
    `target=f(a, b)` becomes `target=f, args=(a, b)` (and `pool.apply_async(f(a))` becomes
    `pool.apply_async(f, (a,))`): unsafe, because `f` no longer runs in the parent. A lone positional
    target `Process(f)` becomes `Process(target=f)`: safe, the original always raises, when `f` is known
    to accept the arguments it is given (none, or those of `args=`). When that cannot be told, or more
    positional arguments follow (they are moved to keywords too), the fix is unsafe. When `f` needs
    arguments it is not given there is no fix: the child would fail with a `TypeError` that the parent no
    longer notices, where the original failed at once in the parent.

    ## References
    - [`multiprocessing.Process`](https://docs.python.org/3/library/multiprocessing.html#multiprocessing.Process):
      "The constructor should always be called with keyword arguments. *group* should always be `None`".
    """

    CODE = "MPL101"
    GATE = Gate.of(needs(PROCESSES | FUTURES), needs(THREADS, "Thread", shapes=(THREAD_TARGET,)))
    NAME = "bad-process-target"
    MESSAGE = "`{call}` is called here, in the parent; pass the function itself as the {what}"
    FIX_TITLE = "Pass the function and its arguments separately"
    SEVERITY = Severity.ERROR
    FIX = "safe/unsafe"

    VALID = [
        Valid(
            """
            from multiprocessing import Process
            def work(n): return n
            p = Process(target=work, args=(1,))
            """
        ),
        Valid(
            """
            import functools, multiprocessing as mp
            def work(n): return n
            p = mp.Process(target=functools.partial(work, 1))
            """
        ),
        Valid(
            """
            import multiprocessing as mp
            def make_worker(n):
                def run():
                    print(n)
                return run
            p = mp.Process(target=make_worker(3))
            """
        ),
        Valid(
            """
            from multiprocessing import Process
            p = Process(None, print)
            """
        ),
    ]
    INVALID = [
        Invalid(
            """
            from multiprocessing import Process
            def work(n): return n * 2
            p = Process(target=work(1))
            """,
            fixed="""
            from multiprocessing import Process
            def work(n): return n * 2
            p = Process(target=work, args=(1,))
            """,
            unsafe=True,
        ),
        Invalid(
            """
            import multiprocessing as mp
            def work(): pass
            p = mp.Process(work)
            """,
            fixed="""
            import multiprocessing as mp
            def work(): pass
            p = mp.Process(target=work)
            """,
        ),
        Invalid(
            """
            from concurrent.futures import ProcessPoolExecutor
            def work(n): return n
            with ProcessPoolExecutor() as ex:
                ex.submit(work(2))
            """,
            fixed="""
            from concurrent.futures import ProcessPoolExecutor
            def work(n): return n
            with ProcessPoolExecutor() as ex:
                ex.submit(work, 2)
            """,
            unsafe=True,
        ),
    ]

    def __init__(self, context: RuleContext) -> None:
        super().__init__(context)
        #: The calls reached through a parameter, a slot or an attribute and reported already (one
        #: stored call may be read by several constructors).
        self._reported_through: set[cst.Call] = set()

    def visit_Call(self, node: cst.Call) -> None:
        kind = self.model.kind_of(node)
        if (
            kind is not None
            and kind.creator is node
            and kind.name
            in (
                KindName.PROCESS,
                KindName.THREAD,
            )
        ):
            self._check_constructor(node, kind)
            return
        func = node.func
        if not isinstance(func, cst.Attribute):
            return
        receiver = self.model.kind_of(func.value)
        if receiver is None:
            return
        method = func.attr.value
        if (receiver.is_pool and method in POOL_TASK_METHODS) or (
            receiver.is_executor and method in EXECUTOR_TASK_METHODS
        ):
            self._check_task(node, method, "task")

    # --- Process(...) / Thread(...) --------------------------------------------------------------------
    def _check_constructor(self, node: cst.Call, kind: Kind) -> None:
        if kind.cls is not None:
            info = self.model.names.classes.get(kind.cls)
            if info is None or self.model.names.class_method(info, "__init__") is not None:
                return  # the subclass defines its own parameters
        positional = positional_args(node)
        target_kw = keyword_arg(node, "target")
        if positional and not _is_none(positional[0].value) and target_kw is None:
            self._report_positional(node, positional)
            return
        target = target_kw.value if target_kw is not None else None
        if target is None and len(positional) >= 2:
            target = positional[1].value
        if isinstance(target, cst.Call) and self._is_bad_call(target):
            fix = None
            if target_kw is not None:
                fix = self._target_fix(node, target_kw, target)
            self.report(target, fix=fix, call=self.snippet(target), what="target")
        elif target is not None:
            for call in self._calls_through_parameter(target):
                self.report(call, call=self.snippet(call), what="target")

    def _calls_through_parameter(self, expr: cst.BaseExpression) -> list[cst.Call]:
        """The calls whose result ``expr`` holds and is the work, not a callable: given for the
        parameter ``expr`` by the direct calls of its function (``def run(target):
        Process(target=target)`` called as ``run(serve())``), or stored in the slot or attribute
        ``expr`` reads (``self.target = serve(port)``, ``jobs = {"web": serve(80)}`` read as
        ``jobs["web"]``) when every value stored there is known."""
        found: list[cst.BaseExpression]
        if isinstance(expr, (cst.Attribute, cst.Subscript)):
            found = self.model.valueflow.sources(expr, returns=False) or []
        else:
            binding = self.model.names.only_binding(expr)
            if binding is None or binding.how is not BindingKind.PARAM:
                return []
            found = list(self.model.valueflow.argument_sources(binding) or [])
        calls = [
            c
            for c in found
            if isinstance(c, cst.Call) and c not in self._reported_through and self._is_bad_call(c)
        ]
        self._reported_through.update(calls)
        return calls

    def _report_positional(self, node: cst.Call, positional: list[cst.Arg]) -> None:
        if len(positional) > len(_THREAD_ORDER):
            self.report(
                positional[0],
                message="the first positional argument is `group`, not the target; "
                "pass `target=` as a keyword",
            )
            return
        taken = {a.keyword.value for a in node.args if a.keyword is not None}
        names = _THREAD_ORDER[: len(positional)]
        fix = None
        if not taken.intersection(names) and not any(a.star for a in node.args):
            edits = tuple(
                Replace(arg, f"{name}={self.code_for(arg.value)}")
                for arg, name in zip(positional, names)
            )
            fits = self._target_takes(node, positional)
            if fits is not False:
                applicability = (
                    Applicability.SAFE if len(positional) == 1 and fits else Applicability.UNSAFE
                )
                fix = self.fix(applicability, *edits, title="Pass the target as `target=`")
        self.report(
            positional[0],
            fix=fix,
            message="the first positional argument is `group`, not the target; "
            "pass `target=` as a keyword",
        )

    def _target_takes(self, node: cst.Call, positional: list[cst.Arg]) -> Optional[bool]:
        """Whether the target accepts the arguments the call gives it (``args=``, or the third
        positional argument; none when absent): None when that cannot be told. A target that needs
        arguments it is not given would fail in the child, where the parent no longer notices."""
        if any(a.keyword is not None and a.keyword.value == "kwargs" for a in node.args):
            return None
        if len(positional) > 3:
            return None  # ``kwargs`` given by position
        args_kw = keyword_arg(node, "args")
        given: Optional[cst.BaseExpression] = (
            positional[2].value
            if len(positional) > 2
            else (args_kw.value if args_kw is not None else None)
        )
        if given is None:
            count = 0
        elif isinstance(given, cst.Tuple) and not any(
            isinstance(e, cst.StarredElement) for e in given.elements
        ):
            count = len(given.elements)
        else:
            return None
        arity = positional_arity(self.model, positional[0].value)
        if arity is None:
            return None
        required, maximum = arity
        return required <= count and (maximum is None or count <= maximum)

    def _target_fix(
        self, node: cst.Call, target_kw: cst.Arg, target: cst.Call
    ) -> Optional[FixSpec]:
        if any(a.keyword is not None and a.keyword.value in ("args", "kwargs") for a in node.args):
            return None
        if len(positional_args(node)) > 0:
            return None
        parts = self._split_call(target)
        if parts is None:
            return None
        func, args, kwargs = parts
        text = f"target={func}"
        if args:
            text += f", args={args}"
        if kwargs:
            text += f", kwargs={kwargs}"
        return self.fix(Applicability.UNSAFE, Replace(target_kw, text))

    # --- pool.apply_async(f()) / executor.submit(f()) -------------------------------------------------
    def _check_task(self, node: cst.Call, method: str, what: str) -> None:
        positional = positional_args(node)
        if not positional:
            return
        first = positional[0].value
        if not isinstance(first, cst.Call):
            for call in self._calls_through_parameter(first):
                self.report(call, call=self.snippet(call), what=what)
            return
        if not self._is_bad_call(first):
            return
        fix = None
        parts = self._split_call(first)
        if parts is not None:
            func, args, kwargs = parts
            rest = node.args[1:]
            if not kwargs:
                if not args:
                    fix = self.fix(Applicability.UNSAFE, Replace(first, func))
                elif method in ("apply", "apply_async") and not rest:
                    fix = self.fix(Applicability.UNSAFE, Replace(positional[0], f"{func}, {args}"))
                elif method == "submit":
                    inner = ", ".join(self.code_for(a.value) for a in positional_args(first))
                    fix = self.fix(
                        Applicability.UNSAFE,
                        Replace(positional[0], f"{func}, {inner}"),
                    )
        self.report(first, fix=fix, call=self.snippet(first), what=what)

    # --- helpers ---------------------------------------------------------------------------------------
    def _is_bad_call(self, call: cst.Call) -> bool:
        """The call's result is not callable (or, for unknown callees, the name is not factory-like)."""
        verdict = call_result_callability(self.model, call)
        if verdict is Callability.NOT_CALLABLE:
            return True
        if verdict is Callability.CALLABLE:
            return False
        name = last_name(call.func)
        if name is None or name[:1].isupper() or _FACTORY_NAME.search(name):
            return False
        if self.model.names.resolve_class(call.func) is not None:
            return False
        qual = self.model.qualname(call.func)
        if qual is not None and qual.startswith("builtins."):
            return False
        # A function whose name does not say it builds a callable, and which is not seen to return one:
        # it is the work itself.
        return _is_plain_reference(call.func)

    def _split_call(self, call: cst.Call) -> Optional[tuple[str, str, str]]:
        """``f(a, b, k=v)`` -> ("f", "(a, b)", "{'k': v}"), or None when it has ``*``/``**``."""
        if any(a.star for a in call.args):
            return None
        func = self.code_for(call.func)
        positional = [self.code_for(a.value) for a in call.args if a.keyword is None]
        keywords = [
            (a.keyword.value, self.code_for(a.value)) for a in call.args if a.keyword is not None
        ]
        if len(positional) != len([a for a in call.args if a.keyword is None]):
            return None
        args = ""
        if positional:
            args = "(" + ", ".join(positional) + ("," if len(positional) == 1 else "") + ")"
        kwargs = ""
        if keywords:
            kwargs = "{" + ", ".join(f'"{k}": {v}' for k, v in keywords) + "}"
        return func, args, kwargs


def _is_plain_reference(func: cst.BaseExpression) -> bool:
    """``f`` or ``a.b.f``: not ``f()()`` or ``table[k]()``."""
    if isinstance(func, cst.Name):
        return True
    if isinstance(func, cst.Attribute):
        return _is_plain_reference(func.value)
    return False


def _is_none(expr: cst.BaseExpression) -> bool:
    return isinstance(expr, cst.Name) and expr.value == "None"


# --- helpers of this rule ---
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
            if binding.how in (BindingKind.DEF, BindingKind.CLASS):
                results.append(Callability.CALLABLE)
            elif (
                binding.how is BindingKind.ASSIGN and binding.value is not None and not binding.path
            ):
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
    if model.names.resolve_class(call.func) is not None:
        return Callability.UNKNOWN  # an instance: callable when its class has __call__
    function = model.names.resolve_function(call.func)
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
        for r in model.tree.returns.get(function, [])
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
        for node in model.tree.yields
    )
