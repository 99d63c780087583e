from __future__ import annotations

from typing import Optional

import libcst as cst

from mplint.diagnostics import Applicability, Related, Severity
from mplint.edits import FixSpec, Replace
from mplint.gates import FUTURES, PROCESSES, Gate, needs
from mplint.kinds import Kind
from mplint.model import positional_args
from mplint.rule import Invalid, LintRule, Valid
from mplint.rules._helpers import imported_definition, positional_arity

#: Pool methods that pass each item as one argument, and their unpacking twins.
_ONE_ARGUMENT = {
    "map": "starmap",
    "map_async": "starmap_async",
    "imap": None,
    "imap_unordered": None,
}
#: Pool methods whose third positional parameter is ``chunksize``.
_CHUNKSIZE_THIRD = frozenset({*_ONE_ARGUMENT, "starmap", "starmap_async"})
#: Expressions that are certainly iterables, never an int.
_ITERABLE_NODES = (
    cst.List,
    cst.Tuple,
    cst.Set,
    cst.Dict,
    cst.ListComp,
    cst.SetComp,
    cst.DictComp,
    cst.GeneratorExp,
    cst.SimpleString,
    cst.ConcatenatedString,
    cst.FormattedString,
)
_ITERABLE_BUILTINS = frozenset(
    f"builtins.{name}"
    for name in (
        "zip",
        "range",
        "list",
        "tuple",
        "set",
        "sorted",
        "reversed",
        "enumerate",
        "map",
        "filter",
        "dict",
        "frozenset",
        "iter",
    )
)


class MapArityMismatch(LintRule):
    """
    ## What it does
    Checks `map`, `map_async`, `imap` and `imap_unordered` of pools (of processes or threads) given a
    function of this module that needs two or more positional arguments, `executor.map` given a function
    that needs more arguments than it gets iterables, and a third positional argument of a pool's
    `map`-like method that is an iterable (it is `chunksize`). A helper that maps its parameter
    (`def fan_out(task, items): pool.map(task, items)`) is checked for every function its calls give.
    A function imported from another module of the linted project is counted by its definition there
    (a related location points at it).

    ## Why is this bad?
    `Pool.map(func, iterable, chunksize)` calls `func(item)` with each item as **one** argument:
    `pool.map(add, [(1, 2), (3, 4)])` fails in the worker and re-raises
    `TypeError: add() missing 1 required positional argument: 'b'`. Unlike the builtin `map`, it takes a
    single iterable: in `pool.map(add, xs, ys)` the list `ys` becomes the chunk size and
    `multiprocessing/pool.py` fails with
    `TypeError: '<=' not supported between instances of 'list' and 'int'`.

    Functions whose extra parameters have defaults, that take `*args`, that are decorated, or that
    come from outside the linted project are not reported; `functools.partial` objects are counted
    with the arguments they bind. `concurrent.futures` executors accept several iterables: `executor.map(add,
    xs, ys)` is fine.

    ## Example
    ```python
    def add(a, b):
        return a + b

    pool.map(add, [(1, 2), (3, 4)])
    pool.map(add, xs, ys)
    ```

    Use instead:
    ```python
    pool.starmap(add, [(1, 2), (3, 4)])
    pool.starmap(add, zip(xs, ys))
    ```

    ## Fix safety
    `map`/`map_async` become `starmap`/`starmap_async` when the items are a literal list or tuple of
    tuples of the right length or a `zip(...)` of as many iterables as the function needs, and
    `pool.map(f, xs, ys)` becomes `pool.starmap(f, zip(xs, ys))` (the same shortest-input semantics as
    the builtin `map`). The fix is safe: the original always raises `TypeError`.

    ## References
    - [`Pool.map`](https://docs.python.org/3/library/multiprocessing.html#multiprocessing.pool.Pool.map):
      "It supports only one iterable argument though, for multiple iterables see starmap()."
    - [multiprocess#179](https://github.com/uqfoundation/multiprocess/issues/179),
      [cpython#17436](https://github.com/python/cpython/pull/17436)
    """

    CODE = "MPL310"
    GATE = Gate.of(needs(PROCESSES | FUTURES))
    NAME = "map-arity-mismatch"
    MESSAGE = "`{call}` {problem}"
    FIX_TITLE = "Use `starmap` to unpack the arguments"
    SEVERITY = Severity.ERROR
    FIX = "safe"

    VALID = [
        Valid(
            """
            from concurrent.futures import ProcessPoolExecutor
            def add(a, b): return a + b
            def go(xs, ys):
                with ProcessPoolExecutor() as ex:
                    return list(ex.map(add, xs, ys))
            """
        ),
        Valid(
            """
            from multiprocessing import Pool
            def scale(x, factor=2): return x * factor
            def go(xs):
                with Pool(2) as pool:
                    return pool.map(scale, xs, 16)
            """
        ),
    ]
    INVALID = [
        Invalid(
            """
            from multiprocessing import Pool
            def add(a, b): return a + b
            def go():
                with Pool(2) as pool:
                    return pool.map(add, [(1, 2), (3, 4)])
            """,
            fixed="""
            from multiprocessing import Pool
            def add(a, b): return a + b
            def go():
                with Pool(2) as pool:
                    return pool.starmap(add, [(1, 2), (3, 4)])
            """,
        ),
        Invalid(
            """
            from multiprocessing import Pool
            def add(a, b): return a + b
            def go(xs, ys):
                with Pool(2) as pool:
                    return pool.map(add, xs, ys)
            """,
            fixed="""
            from multiprocessing import Pool
            def add(a, b): return a + b
            def go(xs, ys):
                with Pool(2) as pool:
                    return pool.starmap(add, zip(xs, ys))
            """,
        ),
    ]

    def check(self) -> None:
        model = self.model
        for method in sorted(_CHUNKSIZE_THIRD):
            for call in model.tree.method_calls.get(method, []):
                owner = model.values.handle_owner(call)
                if owner is None:
                    continue
                if owner[1].is_pool:
                    self._check_pool(call, method)
                elif owner[1].is_executor and method == "map":
                    self._check_executor(call, owner[1])

    # --- pools -----------------------------------------------------------------------------------------
    def _check_pool(self, call: cst.Call, method: str) -> None:
        model = self.model
        positional = positional_args(call)
        if not positional:
            return
        arity = positional_arity(model, positional[0].value)
        third = positional[2].value if len(positional) >= 3 else None
        if third is not None and self._is_iterable(third):
            problem = (
                f"passes `{self.snippet(third)}` as `chunksize`: `{method}()` takes one iterable "
                "(TypeError)"
            )
            self.report(
                call,
                fix=self._zip_fix(call, method, arity),
                call=self.snippet(call),
                problem=problem,
            )
            return
        if arity is None and third is None and method in _ONE_ARGUMENT and len(positional) == 2:
            self._check_reached(call, positional[0].value)
            return
        if method not in _ONE_ARGUMENT or arity is None or arity[0] < 2 or len(positional) < 2:
            return
        problem = (
            f"calls `{self.snippet(positional[0].value)}` with each item as one argument, but it "
            f"needs {arity[0]} (TypeError); use `starmap`"
        )
        fix = self._starmap_fix(call, method, arity)
        if third is not None and model.types.value_type(third) not in ("int", "bool"):
            # the call fails either way; a second iterable is what a third argument means here
            problem += f" (`{self.snippet(third)}` is taken as `chunksize`, not a second iterable)"
            fix = self._zip_fix(call, method, arity)
        self.report(
            call,
            fix=fix,
            call=self.snippet(call),
            problem=problem,
            elsewhere=self._defined(positional[0].value),
        )

    def _defined(self, function: cst.BaseExpression) -> tuple[Related, ...]:
        """Where an imported function is defined (its signature), as a related location."""
        return imported_definition(
            self.model, function, f"`{self.snippet(function)}` is defined here"
        )

    def _check_reached(self, call: cst.Call, written: cst.BaseExpression) -> None:
        """The functions a helper's parameter (or an attribute, a container) hands to ``map()``:
        each that needs two arguments or more fails on every item."""
        for submission in self.model.submissions():
            if submission.call is not call or submission.through is not written:
                continue
            arity = positional_arity(self.model, submission.callable)
            if arity is None or arity[0] < 2:
                continue
            problem = (
                f"calls `{self.snippet(submission.callable)}` (given as `{self.snippet(written)}`) "
                f"with each item as one argument, but it needs {arity[0]} (TypeError); use `starmap`"
            )
            self.report(
                call,
                call=self.snippet(call),
                problem=problem,
                elsewhere=self._defined(submission.callable),
            )

    def _is_iterable(self, node: cst.BaseExpression) -> bool:
        if isinstance(node, _ITERABLE_NODES):
            return True
        if isinstance(node, cst.Call):
            return self.model.qualname(node.func) in _ITERABLE_BUILTINS
        kind = self.model.types.value_type(node)
        return kind in ("list", "tuple", "dict", "set", "str", "bytes", "generator")

    def _starmap_fix(
        self, call: cst.Call, method: str, arity: tuple[int, Optional[int]]
    ) -> Optional[FixSpec]:
        """``map(f, [(a, b), ...])`` / ``map(f, zip(a, b))`` -> ``starmap``."""
        twin = _ONE_ARGUMENT.get(method)
        positional = positional_args(call)
        if twin is None or len(positional) != 2 or len(call.args) != 2:
            return None
        items = positional[1].value
        if not self._items_fit(items, arity):
            return None
        func = call.func
        assert isinstance(func, cst.Attribute)
        return self.fix(Applicability.SAFE, Replace(func.attr, twin))

    def _items_fit(self, items: cst.BaseExpression, arity: tuple[int, Optional[int]]) -> bool:
        required, maximum = arity

        def fits(count: int) -> bool:
            return count >= required and (maximum is None or count <= maximum)

        if isinstance(items, (cst.List, cst.Tuple)) and items.elements:
            return all(
                isinstance(e, cst.Element)
                and isinstance(e.value, cst.Tuple)
                and not any(isinstance(x, cst.StarredElement) for x in e.value.elements)
                and fits(len(e.value.elements))
                for e in items.elements
            )
        if isinstance(items, cst.Call) and self.model.qualname(items.func) == "builtins.zip":
            args = items.args
            return (
                bool(args)
                and all(a.keyword is None and not a.star for a in args)
                and fits(len(args))
            )
        return False

    def _zip_fix(
        self, call: cst.Call, method: str, arity: Optional[tuple[int, Optional[int]]]
    ) -> Optional[FixSpec]:
        """``map(f, xs, ys)`` -> ``starmap(f, zip(xs, ys))`` when ``f`` takes two arguments."""
        twin = _ONE_ARGUMENT.get(method)
        positional = positional_args(call)
        if twin is None or arity is None or len(positional) != 3 or len(call.args) != 3:
            return None
        required, maximum = arity
        if required > 2 or (maximum is not None and maximum < 2):
            return None
        if self.model.lookup("zip", call):
            return None  # ``zip`` is rebound here
        func = call.func
        assert isinstance(func, cst.Attribute)
        first, second = positional[1].value, positional[2].value
        text = (
            f"{self.code_for(func.value)}.{twin}({self.code_for(positional[0].value)}, "
            f"zip({self.code_for(first)}, {self.code_for(second)}))"
        )
        return self.fix(Applicability.SAFE, Replace(call, text))

    # --- executors -------------------------------------------------------------------------------------
    def _check_executor(self, call: cst.Call, owner: Kind) -> None:
        positional = positional_args(call)
        if not positional or any(a.star for a in call.args):
            return
        iterables = len(positional) - 1
        if iterables < 1:
            return
        arity = positional_arity(self.model, positional[0].value)
        if arity is None:
            return
        required, maximum = arity
        if required > iterables:
            problem = (
                f"calls `{self.snippet(positional[0].value)}` with {iterables} argument(s), "
                f"but it needs {required} (TypeError)"
            )
        elif maximum is not None and maximum < iterables:
            problem = (
                f"calls `{self.snippet(positional[0].value)}` with {iterables} arguments, "
                f"but it takes at most {maximum} (TypeError)"
            )
        else:
            return
        self.report(
            call,
            call=self.snippet(call),
            problem=problem,
            elsewhere=self._defined(positional[0].value),
        )
