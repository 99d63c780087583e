from __future__ import annotations

from typing import Optional

import libcst as cst

from mplint.diagnostics import Applicability, Severity
from mplint.edits import FixSpec, Replace
from mplint.gate_shapes import THREAD_ARGS
from mplint.gates import FUTURES, PROCESSES, THREADS, Gate, needs
from mplint.kinds import Kind, KindName
from mplint.model import call_argument
from mplint.rule import Invalid, LintRule, Valid

# What goes wrong when a value of each type is unpacked as the arguments of the callable.
_ARGS_PROBLEMS: dict[str, str] = {
    "str": "each character becomes a separate argument",
    "bytes": "each byte becomes a separate argument",
    "dict": "only its keys become arguments",
    "set": "its items become arguments in an arbitrary order",
    "frozenset": "its items become arguments in an arbitrary order",
    "int": "TypeError: 'int' object is not iterable",
    "float": "TypeError: 'float' object is not iterable",
    "complex": "TypeError: 'complex' object is not iterable",
    "bool": "TypeError: 'bool' object is not iterable",
    "None": "TypeError: 'NoneType' object is not iterable",
    "function": "TypeError: 'function' object is not iterable",
}
# Types that are iterable: wrapping them without parentheses changes what a correct program passes.
_ITERABLE = frozenset({"str", "bytes", "dict", "set", "frozenset"})
# Keyword arguments: Process(kwargs=...) goes through dict(kwargs); pools and threads use **kwds.
_NOT_A_MAPPING_DICT: dict[str, str] = {
    "str": "dict() rejects it: ValueError",
    "bytes": "dict() rejects it: ValueError",
    "int": "dict() rejects it: TypeError",
    "float": "dict() rejects it: TypeError",
    "complex": "dict() rejects it: TypeError",
    "bool": "dict() rejects it: TypeError",
    "None": "dict() rejects it: TypeError",
    "set": "dict() rejects it: ValueError",
    "frozenset": "dict() rejects it: ValueError",
    "function": "dict() rejects it: TypeError",
}
_NOT_A_MAPPING_STARS = "`**` needs a mapping: TypeError"
#: Objects of the library that are not iterable, by the name of their class at run time: one of them
#: alone in ``args=(q)`` reaches ``tuple(args)`` in ``BaseProcess.__init__``.
_NOT_ITERABLE_KINDS: dict[KindName, str] = {
    KindName.QUEUE: "Queue",
    KindName.JOINABLE_QUEUE: "JoinableQueue",
    KindName.SIMPLE_QUEUE: "SimpleQueue",
    KindName.CONNECTION: "Connection",
    KindName.POOL: "Pool",
    KindName.THREAD_POOL: "ThreadPool",
    KindName.EXECUTOR: "ProcessPoolExecutor",
    KindName.LOCK: "Lock",
    KindName.RLOCK: "RLock",
    KindName.SEMAPHORE: "Semaphore",
    KindName.BOUNDED_SEMAPHORE: "BoundedSemaphore",
    KindName.CONDITION: "Condition",
    KindName.EVENT: "Event",
    KindName.BARRIER: "Barrier",
    KindName.VALUE: "Synchronized",
}
_ARTICLES = {"int": "an int", "None": "None", "function": "a lambda"}


class ArgsNotATuple(LintRule):
    """
    ## What it does
    Checks the argument tuples and keyword mappings handed to a process, thread, pool or executor:
    `args=`/`kwargs=` of `Process` and `Thread`, `args`/`kwds` of `pool.apply()`/`apply_async()`,
    `initargs` of `Pool`, `ThreadPool`, `ProcessPoolExecutor`, `ThreadPoolExecutor` and of a manager's
    `start()` — by keyword or in their positional slots — for values that are certainly not a sequence
    of arguments (or not a mapping): a string, a number, `None`, a dict or a set, most often written
    `args=(x)` where `(x,)` was meant.

    ## Why is this bad?
    Parentheses alone do not make a tuple: `("egon")` is the string `"egon"`, and `(5)` is the int `5`.
    - A string is unpacked character by character: `Process(target=greet, args=("egon"))` calls
      `greet("e", "g", "o", "n")`, and the child dies with
      `TypeError: greet() takes 1 positional argument but 4 were given` (the parent is not told).
      A dict passes only its keys; a set passes its items in an arbitrary order.
    - A number fails in the parent, in `multiprocessing/process.py` `BaseProcess.__init__`
      (`tuple(args)`): `TypeError: 'int' object is not iterable`.
    - A queue, a pipe's `Connection`, a pool, a lock or another object of the library alone in
      `Process(args=(conn))` is not iterable either: `BaseProcess.__init__` raises
      `TypeError: 'Connection' object is not iterable` (or `'Queue'`, `'Pool'` …) in the parent.
    - `pool.apply_async(add, args=(5))` fails in the worker, in `multiprocessing/pool.py` `worker`:
      `TypeError: add() argument after * must be an iterable, not int`, raised again by `get()`.
    - `Pool(initializer=init, initargs=(5))`: every worker dies in `initializer(*initargs)` and is
      replaced, forever; the tasks never run and `get()` **hangs**.
      `ProcessPoolExecutor(initializer=init, initargs=(5))` fails every task with
      `concurrent.futures.process.BrokenProcessPool: A process in the process pool was terminated
      abruptly while the future was running or pending.`
    - `Process(kwargs=("name", "x"))` fails in `BaseProcess.__init__` (`dict(kwargs)`) with
      `ValueError: dictionary update sequence element #0 has length 4; 2 is required`; a non-mapping
      `kwds` of a pool task fails with `TypeError: ... argument after ** must be a mapping`.

    Only values whose type is certain are reported: literals, f-strings, arithmetic, calls such as
    `str(x)`, variables every assignment of which agrees, objects the model knows (a `Queue`, a `Connection` …), and parameters annotated with a built-in
    type. A variable, parameter or attribute is also followed through the value flow to every value it
    may hold (what the callers of a helper pass for its `args` parameter, what `__init__` stores in
    `self.args`, the values of a dict of jobs): reported, without a fix, when they all are of one such
    type. `args=(params)` around a variable of unknown type, `args=[a, b]` (a list is fine) and a
    generator expression are not reported. A `Process` subclass with its own `__init__` is skipped: its
    parameters are its own.

    ## Example
    ```python
    p = Process(target=greet, args=("egon"))
    pool.apply_async(add, (5))
    pool = Pool(4, initializer=init, initargs=(config))  # config = {"level": 2}
    ```

    Use instead:
    ```python
    p = Process(target=greet, args=("egon",))
    pool.apply_async(add, (5,))
    pool = Pool(4, initializer=init, initargs=(config,))
    ```

    ## Fix safety
    Adding the missing comma, `(x)` → `(x,)`, is safe: the parentheses show that a 1-tuple was meant,
    and the original passes the wrong arguments or raises. Wrapping a bare number, `args=5` →
    `args=(5,)`, is safe too (the original always raises); a bare `args=None` gets no fix (no
    arguments, `()`, may be what was meant). Wrapping a bare string, bytes or set, `args="egon"` →
    `args=("egon",)`, is unsafe: a program could unpack it on purpose. A bare dict,
    `apply_async(f, {"a": 1})`, gets no fix: keyword arguments (`kwds=`, `kwargs=`) were almost
    certainly meant, not one positional dict.
    A keyword mapping that is not a mapping has no automatic fix.

    ## References
    - [`multiprocessing.Process`](https://docs.python.org/3/library/multiprocessing.html#multiprocessing.Process):
      "*args* is the argument tuple for the target invocation."
    - [Tuples](https://docs.python.org/3/library/stdtypes.html#tuple): "it is the comma, not the
      parentheses, that makes the tuple."
    """

    CODE = "MPL102"
    GATE = Gate.of(needs(PROCESSES | FUTURES), needs(THREADS, "Thread", shapes=(THREAD_ARGS,)))
    NAME = "args-not-a-tuple"
    MESSAGE = "`{slot}` is {what}, not {expected}: {problem}"
    FIX_TITLE = "Make it a 1-tuple"
    SEVERITY = Severity.ERROR
    FIX = "safe/unsafe"

    VALID = [
        Valid(
            """
            from multiprocessing import Process
            def greet(name): print(name)
            p = Process(target=greet, args=('egon',), kwargs={})
            """
        ),
        Valid(
            """
            from multiprocessing import Process
            def greet(*names): print(names)
            def go(params):
                p = Process(target=greet, args=(params))
            """
        ),
        Valid(
            """
            from multiprocessing import Pool
            def add(a, b): return a + b
            with Pool(2) as pool:
                pool.apply_async(add, [1, 2])
            """
        ),
    ]
    INVALID = [
        Invalid(
            """
            from multiprocessing import Process
            def greet(name): print(name)
            p = Process(target=greet, args=('egon'))
            """,
            fixed="""
            from multiprocessing import Process
            def greet(name): print(name)
            p = Process(target=greet, args=('egon',))
            """,
        ),
        Invalid(
            """
            import multiprocessing as mp
            def add(n): return n + 1
            with mp.Pool(2) as pool:
                pool.apply_async(add, args=5)
            """,
            fixed="""
            import multiprocessing as mp
            def add(n): return n + 1
            with mp.Pool(2) as pool:
                pool.apply_async(add, args=(5,))
            """,
        ),
        Invalid(
            """
            from multiprocessing import Process
            def greet(name): print(name)
            p = Process(target=greet, args='egon')
            """,
            fixed="""
            from multiprocessing import Process
            def greet(name): print(name)
            p = Process(target=greet, args=('egon',))
            """,
            unsafe=True,
        ),
        Invalid(
            """
            from multiprocessing import Process
            def greet(name): print(name)
            p = Process(target=greet, kwargs=('name', 'egon'))
            """
        ),
    ]

    def visit_Call(self, node: cst.Call) -> None:
        model = self.model
        kind = model.kind_of(node)
        if (
            kind is not None
            and kind.creator is node
            and (
                kind.name in (KindName.PROCESS, KindName.THREAD) or kind.is_pool or kind.is_executor
            )
        ):
            self._check_constructor(node, kind)
            return
        func = node.func
        if not isinstance(func, cst.Attribute):
            return
        receiver = model.kind_of(func.value)
        if receiver is None:
            return
        method = func.attr.value
        if receiver.is_pool and method in ("apply", "apply_async"):
            self._check_args(call_argument(node, 1, "args"), "args", receiver)
            self._check_kwargs(call_argument(node, 2, "kwds"), "kwds", dict_call=False)
        elif receiver.name is KindName.MANAGER and not receiver.proxy and method == "start":
            self._check_args(call_argument(node, 1, "initargs"), "initargs", receiver)

    def _check_constructor(self, node: cst.Call, kind: Kind) -> None:
        if kind.cls is not None:
            info = self.model.names.classes.get(kind.cls)
            if info is None or self.model.names.class_method(info, "__init__") is not None:
                return  # the subclass defines its own parameters
        if kind.name in (KindName.PROCESS, KindName.THREAD):
            # Process/Thread(group, target, name, args, kwargs)
            self._check_args(call_argument(node, 3, "args"), "args", kind)
            dict_call = kind.name is KindName.PROCESS and not kind.uses_threads
            self._check_kwargs(
                call_argument(node, 4, "kwargs"),
                "kwargs",
                dict_call=dict_call,
                thread=not dict_call,
            )
        elif kind.is_pool:
            # Pool(processes, initializer, initargs)
            self._check_args(call_argument(node, 2, "initargs"), "initargs", kind)
        elif kind.is_executor:
            # ProcessPoolExecutor(max_workers, mp_context, initializer, initargs),
            # ThreadPoolExecutor(max_workers, thread_name_prefix, initializer, initargs)
            self._check_args(call_argument(node, 3, "initargs"), "initargs", kind)

    # --- argument tuples --------------------------------------------------------------------------------
    def _check_args(self, value: Optional[cst.BaseExpression], slot: str, owner: Kind) -> None:
        if value is None:
            return
        found = self.model.types.value_type(value)
        if found is None and self._check_flowed_args(value, slot, owner):
            return
        if found is None and owner.name is KindName.PROCESS and not owner.uses_threads:
            self._check_object_args(value, slot)
            return
        if found is None or found not in _ARGS_PROBLEMS:
            return
        if found == "None" and owner.uses_threads:
            return  # a thread with args=None fails only if its target runs; leave it to the type checker
        if found in ("set", "frozenset") and isinstance(value, cst.Set) and len(value.elements) < 2:
            return  # a one-item set unpacks to that item, in order
        self.report(
            value,
            fix=self._tuple_fix(value, found),
            slot=f"{slot}={self.snippet(value, width=30)}",
            what=_article(found),
            expected="a tuple",
            problem=_ARGS_PROBLEMS[found],
        )

    def _check_flowed_args(self, value: cst.BaseExpression, slot: str, owner: Kind) -> bool:
        """``args=args`` where the variable, parameter or attribute only ever holds values of one type
        that is not a tuple (``run(greet, ("egon"))`` with ``def run(target, args)``). Reported at the
        use, naming a value it holds; no fix (the value may serve elsewhere)."""
        model = self.model
        if not isinstance(value, (cst.Name, cst.Attribute, cst.Subscript)):
            return False
        sources = model.valueflow.sources(value)
        if not sources or any(s is value for s in sources):
            return False
        types = {model.types.value_type(s) for s in sources}
        if len(types) != 1:
            return False
        found = types.pop()
        if found is None or found not in _ARGS_PROBLEMS:
            return False
        if found == "None" and owner.uses_threads:
            return False
        if found in ("set", "frozenset"):
            return False  # a one-item set unpacks to that item, in order
        self.report(
            value,
            slot=f"{slot}={self.snippet(value, width=30)}",
            what=f"{_article(found)} (`{self.snippet(sources[0], width=30)}`)",
            expected="a tuple",
            problem=_ARGS_PROBLEMS[found],
        )
        return True

    def _check_object_args(self, value: cst.BaseExpression, slot: str) -> None:
        """``Process(args=(conn))``: a queue, connection, pool, lock … alone, not in a tuple."""
        kind = self.model.kind_of(value)
        if kind is None or kind.proxy or kind.uses_threads or kind.family != "multiprocessing":
            return
        name = _NOT_ITERABLE_KINDS.get(kind.name)
        if name is None:
            return
        bare = self.model.module.code_for_node(value.with_changes(lpar=(), rpar=()))
        fix = self.fix(
            Applicability.SAFE, Replace(value, f"{bare}," if value.lpar else f"({bare},)")
        )
        self.report(
            value,
            fix=fix,
            slot=f"{slot}={self.snippet(value, width=30)}",
            what=f"{'an' if name[0] in 'AEIOU' else 'a'} `{name}`",
            expected="a tuple",
            problem=f"TypeError: '{name}' object is not iterable",
        )

    def _tuple_fix(self, value: cst.BaseExpression, found: str) -> Optional[FixSpec]:
        if isinstance(value, cst.Lambda):
            return None
        if found == "None" and not value.lpar:
            return None  # no arguments, `()`, or one `None`, `(None,)`? The intent is unclear.
        if found == "dict" and not value.lpar:
            return None  # keyword arguments (`kwds=`, `kwargs=`) were almost certainly meant
        bare = self.model.module.code_for_node(value.with_changes(lpar=(), rpar=()))
        if value.lpar:
            # the node's range stops inside its parentheses: adding the comma makes the tuple
            return self.fix(Applicability.SAFE, Replace(value, f"{bare},"))
        text = f"({bare},)"
        applicability = Applicability.UNSAFE if found in _ITERABLE else Applicability.SAFE
        return self.fix(applicability, Replace(value, text))

    # --- keyword mappings -------------------------------------------------------------------------------
    def _check_kwargs(
        self,
        value: Optional[cst.BaseExpression],
        slot: str,
        *,
        dict_call: bool,
        thread: bool = False,
    ) -> None:
        if value is None:
            return
        found = self.model.types.value_type(value)
        if found is None or found in ("dict", "generator"):
            return
        problem: Optional[str]
        if dict_call:
            # Process: dict(kwargs) accepts a sequence of pairs
            problem = _NOT_A_MAPPING_DICT.get(found)
            if found in ("tuple", "list") and _not_pairs(value):
                problem = "dict() needs key-value pairs: ValueError"
        elif found == "None" and thread:
            problem = None  # threading.Thread(kwargs=None) means no keyword arguments
        else:
            problem = _NOT_A_MAPPING_STARS
        if problem is None:
            return
        self.report(
            value,
            slot=f"{slot}={self.snippet(value, width=30)}",
            what=_article(found),
            expected="a mapping",
            problem=problem,
        )


def _article(found: str) -> str:
    if found in _ARTICLES:
        return _ARTICLES[found]
    return f"a {found}"


def _not_pairs(value: cst.BaseExpression) -> bool:
    """A tuple or list literal with an item that is not a 2-item tuple or list literal (``dict()``
    needs pairs). Variables are not judged: their items are unknown."""
    if not isinstance(value, (cst.Tuple, cst.List)):
        return False
    return any(
        not (isinstance(e.value, (cst.Tuple, cst.List)) and len(e.value.elements) == 2)
        for e in value.elements
    )
