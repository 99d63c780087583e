from __future__ import annotations

from collections.abc import Sequence
from typing import Optional

import libcst as cst

from mplint.diagnostics import Applicability, Severity
from mplint.edits import FixSpec, InsertAfter, InsertBefore, NodeEdit, Replace, ReplaceLines
from mplint.gates import FUTURES, PROCESSES, Gate, needs
from mplint.model import ExecContext, Submission, Via, positional_args
from mplint.rule import Invalid, LintRule, RuleContext, Valid
from mplint.rules._helpers import name_assignment

_WHERE = {
    Via.POOL: "the pool's workers",
    Via.EXECUTOR: "the executor's workers",
    Via.PROCESS: "a spawned child",
    Via.INITIALIZER: "spawned workers",
}
_ROLE = {
    Via.POOL: "task",
    Via.EXECUTOR: "task",
    Via.PROCESS: "target",
    Via.INITIALIZER: "initializer",
}


class UnpicklableCallable(LintRule):
    """
    ## What it does
    Checks for callables that the standard pickle cannot send to another process, handed to a process
    pool (`map`, `apply_async` and the other task methods), to a `ProcessPoolExecutor` (`submit`,
    `map`), or — under spawn and forkserver — as a `Process` target or a pool's or executor's
    `initializer`: a `lambda` (also one bound to a name, even at module level), a function or class
    defined inside a function, or a `functools.partial` of one of those. A name imported from another
    module of the linted project that is bound to a lambda there is reported too.

    ## Why is this bad?
    Pickle sends a function by reference (its module and qualified name), and looks it up again on
    the other side. A lambda is called `<lambda>` and a nested function `main.<locals>.add`: neither
    can be looked up, so pickling fails.

    - Pool tasks and executor tasks are always pickled, whatever the start method. `pool.map()` and
      `AsyncResult.get()` raise `AttributeError: Can't pickle local object 'main.<locals>.<lambda>'`
      (raised in `multiprocessing/pool.py` `Pool._handle_tasks`, 3.13 wording: `Can't get local
      object`); with `apply_async()` and no `get()` the task is **silently** lost.
      `executor.submit(...).result()` raises the same error.
    - A `Process` target (and a pool's `initializer`) is pickled only by spawn and forkserver — the
      default on macOS and Windows, and on Linux from Python 3.14: `p.start()` raises
      `_pickle.PicklingError: Can't pickle <function <lambda> at 0x...>: attribute lookup <lambda> on
      __main__ failed` (`multiprocessing/popen_spawn_posix.py` → `multiprocessing/reduction.py` `dump`).
      Under fork it works, so the bug ships from Linux.

    Threads (`multiprocessing.dummy`, `ThreadPool`, `ThreadPoolExecutor`) and the `multiprocess`
    library (it pickles with dill) are not reported; nor `Process` targets and initializers of an
    explicit fork context (or with `start-method = "fork"` configured). `billiard` pickles with the
    standard pickle and is reported.

    ## Example
    ```python
    def main(data):
        offset = 10

        def shift(x):
            return x + offset

        with Pool() as pool:
            doubled = pool.map(lambda x: x * 2, data)
            shifted = pool.map(shift, data)
    ```

    Use instead:
    ```python
    def double(x):
        return x * 2

    def shift(x, offset):
        return x + offset

    def main(data):
        with Pool() as pool:
            doubled = pool.map(double, data)
            shifted = pool.map(functools.partial(shift, offset=10), data)
    ```

    ## Fix safety
    A lambda that reads nothing but its parameters, builtins and module-level names bound at import
    time becomes a module-level `def` (`name = lambda ...` at module level becomes `def name(...)`;
    an inline lambda gets a new private name). The fix is unsafe: it adds a name to the module, and
    the function's `__name__` changes. Local functions and lambdas that read local variables
    (closures) need those values passed as arguments: no automatic fix.

    ## References
    - [Programming guidelines: picklability](https://docs.python.org/3/library/multiprocessing.html#programming-guidelines)
    - [What can be pickled and unpickled?](https://docs.python.org/3/library/pickle.html#what-can-be-pickled-and-unpickled)
    """

    CODE = "MPL203"
    GATE = Gate.of(needs(PROCESSES | FUTURES))
    NAME = "unpicklable-callable"
    MESSAGE = "`{expr}` is {what}: pickle cannot send it to {where}"
    FIX_TITLE = "Define it as a module-level function"
    SEVERITY = Severity.ERROR
    FIX = "unsafe"

    VALID = [
        Valid(
            """
            from multiprocessing import Pool
            def double(x): return x * 2
            def main(data):
                with Pool() as pool:
                    return pool.map(double, data)
            """
        ),
        Valid(
            """
            from multiprocessing.pool import ThreadPool
            def main(data):
                with ThreadPool() as pool:
                    return pool.map(lambda x: x * 2, data)
            """
        ),
        Valid(
            """
            import multiprocess as mp
            def main(data):
                with mp.Pool() as pool:
                    return pool.map(lambda x: x * 2, data)
            """
        ),
        Valid(
            """
            import multiprocessing as mp
            def main():
                ctx = mp.get_context('fork')
                ctx.Process(target=lambda: print('hi')).start()
            """
        ),
    ]
    INVALID = [
        Invalid(
            """
            from multiprocessing import Pool
            def main(data):
                with Pool() as pool:
                    return pool.map(lambda x: x * 2, data)
            """,
            fixed="""
            from multiprocessing import Pool
            def main(data):
                with Pool() as pool:
                    return pool.map(_main_task, data)


            def _main_task(x):
                return x * 2
            """,
            unsafe=True,
        ),
        Invalid(
            """
            from concurrent.futures import ProcessPoolExecutor
            def main(offset):
                def add(x):
                    return x + offset
                with ProcessPoolExecutor() as ex:
                    return ex.submit(add, 1).result()
            """
        ),
        Invalid(
            """
            import multiprocessing as mp
            square = lambda x: x * x
            if __name__ == '__main__':
                mp.Process(target=square, args=(3,)).start()
            """,
            fixed="""
            import multiprocessing as mp


            def square(x):
                return x * x


            if __name__ == '__main__':
                mp.Process(target=square, args=(3,)).start()
            """,
            unsafe=True,
        ),
    ]

    def __init__(self, context: RuleContext) -> None:
        super().__init__(context)
        self._taken: set[str] = set()  # names given to lifted lambdas in this file

    def check(self) -> None:
        model = self.model
        for submission in model.pickling.pickled_submissions():
            found = model.pickling.unpicklable_callable(submission.callable)
            if found is None:
                self._check_imported(submission)
                continue
            what, definition = found
            self.report(
                submission.callable,
                fix=self._fix(self.model.module, submission, definition),
                expr=self.snippet(submission.callable),
                what=what,
                where=_WHERE[submission.via],
            )

    def _check_imported(self, submission: Submission) -> None:
        """A name imported from another module of the project that is bound to a lambda there (its
        summary says so), or a ``functools.partial`` of one."""
        model = self.model
        given = submission.callable
        target, what = given, "a lambda"
        if isinstance(given, cst.Call) and model.qualname(given.func) == "functools.partial":
            inner = positional_args(given)
            if not inner:
                return
            target, what = inner[0].value, "a partial of a lambda"
        found = model.imported.function(target)
        if found is None or not found[0].is_lambda:
            return
        facts, summary = found
        where = model.imported.display_path(summary)
        self.report(
            given,
            expr=self.snippet(given),
            what=what,
            where=_WHERE[submission.via],
            elsewhere=(self.related_in(where, facts.span, f"`{facts.name}` is bound to a lambda"),),
        )

    # --- the fix: a module-level def ---------------------------------------------------------------------
    def _fix(
        self, module: cst.Module, submission: Submission, definition: cst.CSTNode
    ) -> Optional[FixSpec]:
        model = self.model
        if not isinstance(definition, cst.Lambda):
            return None
        if not model.pickling.reads_only_import_time_names(definition):
            return None
        params = self.code_for(definition.params)
        body = self.code_for(definition.body)
        if "\n" in params or "\n" in body:
            return None
        if model.contains(submission.callable, definition):
            return self._lift_inline(module, submission, definition, params, body)
        return self._convert_assignment(module, definition, params, body)

    def _lift_inline(
        self,
        module: cst.Module,
        submission: Submission,
        definition: cst.Lambda,
        params: str,
        body: str,
    ) -> Optional[FixSpec]:
        model = self.model
        top: Optional[cst.CSTNode] = definition
        while top is not None and model.parent(top) is not module:
            top = model.parent(top)
        if top is None:
            return None
        function = model.enclosing_function_node(definition)
        prefix = f"_{function.name.value}" if isinstance(function, cst.FunctionDef) else ""
        name = self._free_name(f"{prefix}_{_ROLE[submission.via]}")
        text = f"def {name}({params}):\n    return {body}"
        if model.exec_context(definition) is ExecContext.FUNCTION and isinstance(
            top, (cst.FunctionDef, cst.ClassDef)
        ):
            # after the def or class that holds the call (its leading comment stays with it), and after
            # the helpers lifted from it before, so that they read in the order of their lambdas
            statements = list(module.body)
            anchor = top
            for following in statements[statements.index(top) + 1 :]:
                if not (
                    isinstance(following, cst.FunctionDef)
                    and following.name.value.startswith(f"{prefix}_{_ROLE[submission.via]}")
                ):
                    break
                anchor = following
            insert: NodeEdit = InsertAfter(anchor, "\n\n" + text)
        else:
            insert = InsertBefore(top, text + "\n\n")  # code that runs now: define it first
        return self.fix(Applicability.UNSAFE, Replace(definition, name), insert)

    def _convert_assignment(
        self, module: cst.Module, definition: cst.Lambda, params: str, body: str
    ) -> Optional[FixSpec]:
        model = self.model
        statement = model.statement_of(definition)
        found = name_assignment(statement)
        if not (
            found is not None
            and isinstance(statement, cst.SimpleStatementLine)
            and found[0].value is definition
            and model.parent(statement) is module
            and model.exec_context(statement) is ExecContext.IMPORT
        ):
            return None
        target = found[1]
        text = f"def {target.value}({params}):\n    return {body}"
        # Two blank lines around a module-level def, counting those already there.
        body_list = list(module.body)
        position = body_list.index(statement)
        leading = statement.leading_lines
        if position > 0 and not (leading and leading[-1].comment is not None):
            text = "\n" * max(0, 2 - _blank_lines_at_end(leading)) + text
        if position + 1 < len(body_list) and not _binds_lambda(body_list[position + 1]):
            # (a lambda assignment that follows is converted too, and adds the lines above itself)
            below = _blank_lines_at_start(body_list[position + 1].leading_lines)
            text += "\n" * max(0, 2 - below)
        return self.fix(Applicability.UNSAFE, ReplaceLines(statement, statement, text))

    def _free_name(self, base: str) -> str:
        candidate = base
        number = 2
        while self.model.tree.name_uses(candidate) or candidate in self._taken:
            candidate = f"{base}_{number}"
            number += 1
        self._taken.add(candidate)
        return candidate


def _blank_lines_at_end(lines: Sequence[cst.EmptyLine]) -> int:
    count = 0
    for line in reversed(lines):
        if line.comment is not None:
            break
        count += 1
    return count


def _blank_lines_at_start(lines: Sequence[cst.EmptyLine]) -> int:
    count = 0
    for line in lines:
        if line.comment is not None:
            break
        count += 1
    return count


def _binds_lambda(statement: cst.CSTNode) -> bool:
    """``name = lambda ...: ...`` alone on its line."""
    return (
        isinstance(statement, cst.SimpleStatementLine)
        and len(statement.body) == 1
        and isinstance(statement.body[0], cst.Assign)
        and isinstance(statement.body[0].value, cst.Lambda)
    )
