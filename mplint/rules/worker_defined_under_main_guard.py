from __future__ import annotations

from collections.abc import Sequence
from typing import Optional

import libcst as cst

from mplint.diagnostics import Applicability, Severity
from mplint.edits import FixSpec, ReplaceLines
from mplint.gates import FUTURES, PROCESSES, Gate, needs
from mplint.model import BindingKind, ExecContext, Submission, Via, is_main_guard_test
from mplint.rule import Invalid, LintRule, Valid
from mplint.rules._helpers import (
    Definition,
    calls_and_names,
    handed_definitions,
    wrapping_block_text,
)

_WHERE = {
    Via.POOL: "the pool's workers",
    Via.EXECUTOR: "the executor's workers",
    Via.PROCESS: "the child",
    Via.INITIALIZER: "the workers",
}


class WorkerDefinedUnderMainGuard(LintRule):
    """
    ## What it does
    Checks for functions and classes defined inside `if __name__ == "__main__":` that are handed to
    another process: a `Process` target, a pool or executor task or initializer (also through
    `functools.partial`), or a class whose instances are passed as arguments.

    ## Why is this bad?
    Pickle sends a function or class by reference: `__main__.work`. Under spawn and forkserver — the
    default on macOS and Windows, and on Linux from Python 3.14 — the child re-imports the main script
    as `__mp_main__` without running the guarded block, so the name does not exist there. Unpickling
    fails with `AttributeError: Can't get attribute 'work' on <module '__mp_main__' from 'script.py'>`:

    - a `Process` child dies with exit code 1 and the parent carries on;
    - a `Pool` worker dies while reading the task (`multiprocessing/pool.py` `worker` only catches
      `EOFError` and `OSError` there), is replaced, and `pool.map()` **hangs** forever;
    - a `ProcessPoolExecutor` raises `BrokenProcessPool`.

    Under fork the child inherits the function and it works, which is why the bug ships from Linux.
    Threads, the `multiprocess` library (dill sends `__main__` functions by value), explicit fork
    contexts and `start-method = "fork"` are not reported, nor definitions used only in the parent.

    ## Example
    ```python
    if __name__ == "__main__":
        def work(x):
            return x * 2

        with Pool(2) as pool:
            print(pool.map(work, [1, 2]))
    ```

    Use instead:
    ```python
    def work(x):
        return x * 2


    if __name__ == "__main__":
        with Pool(2) as pool:
            print(pool.map(work, [1, 2]))
    ```

    ## Fix safety
    The fix moves the definition above the guard. It is unsafe: the name becomes part of the module
    that importers see, and the code in the definition runs (for a class body) at import time. It is
    offered only when the definition reads nothing but builtins and module-level names bound at import
    time; a definition that uses variables of the guarded block needs them as parameters instead.

    ## References
    - [Safe importing of main module](https://docs.python.org/3/library/multiprocessing.html#multiprocessing-safe-main-import):
      "functionality in this package requires that the `__main__` module be importable by the
      children."
    """

    CODE = "MPL204"
    GATE = Gate.of(needs(PROCESSES | FUTURES, "__main__"))
    NAME = "worker-defined-under-main-guard"
    MESSAGE = '`{name}` is defined under `if __name__ == "__main__":`; {where} cannot unpickle it'
    FIX_TITLE = "Move the definition above the `__main__` guard"
    SEVERITY = Severity.ERROR
    FIX = "unsafe"

    VALID = [
        Valid(
            """
            from multiprocessing import Pool
            def work(x): return x
            if __name__ == '__main__':
                with Pool(2) as pool:
                    pool.map(work, [1])
            """
        ),
        Valid(
            """
            from multiprocessing.pool import ThreadPool
            if __name__ == '__main__':
                def work(x): return x
                with ThreadPool(2) as pool:
                    pool.map(work, [1])
            """
        ),
        Valid(
            """
            import multiprocessing as mp
            if __name__ == '__main__':
                def work(): pass
                mp.get_context('fork').Process(target=work).start()
            """
        ),
    ]
    INVALID = [
        Invalid(
            """
            from multiprocessing import Pool

            if __name__ == '__main__':
                def work(x):
                    return x * 2

                with Pool(2) as pool:
                    print(pool.map(work, [1, 2]))
            """,
            fixed="""
            from multiprocessing import Pool

            def work(x):
                return x * 2


            if __name__ == '__main__':
                with Pool(2) as pool:
                    print(pool.map(work, [1, 2]))
            """,
            unsafe=True,
        ),
        Invalid(
            """
            from multiprocessing import Pool
            def work(job): return job.n
            if __name__ == '__main__':
                class Job:
                    def __init__(self, n): self.n = n
                with Pool(2) as pool:
                    pool.map(work, [Job(1), Job(2)])
            """
        ),
    ]

    def check(self) -> None:
        model = self.model
        if model.tree.is_interactive_main:
            return  # a notebook runs its guarded block: MPL209 reports what it defines there
        for submission in model.pickling.reimported_submissions():
            for expr, definition in self._guarded_uses(submission):
                self.report(
                    expr,
                    fix=self._fix(self.model.module, definition),
                    once=expr,
                    name=definition.name.value,
                    where=_WHERE[submission.via],
                )

    def _guarded_uses(self, submission: Submission) -> list[tuple[cst.CSTNode, Definition]]:
        """The callable, and the instances of guarded classes among the arguments."""
        model = self.model
        return handed_definitions(
            model, submission, model.pickling.guard_definition, self._guarded_instance
        )

    def _guarded_instance(self, name: cst.Name) -> Optional[Definition]:
        """The guarded class ``name`` holds an instance of, or instances of (in a list it is bound to)."""
        model = self.model
        info = model.values.instance_class(name)
        if (
            info is not None
            and model.tree.is_module_level(info.node)
            and model.exec_context(info.node) is ExecContext.GUARDED
        ):
            return info.node
        return self._guarded_class_in_value(name)

    def _guarded_class_in_value(self, name: cst.Name) -> Optional[Definition]:
        """``tasks`` bound once to ``[Task(n) for n in ...]``: the guarded class it instantiates."""
        model = self.model
        bindings = model.lookup(name.value, name)
        if len(bindings) != 1 or bindings[0].how is not BindingKind.ASSIGN or bindings[0].path:
            return None
        value = bindings[0].value
        if value is None or isinstance(value, cst.Call):
            return None  # a direct call is handled as an instance (``job = Job()``)
        for node in calls_and_names(value):
            if isinstance(node, cst.Call):
                found = model.pickling.guard_definition(node.func)
                if isinstance(found, cst.ClassDef):
                    return found
        return None

    def _fix(self, module: cst.Module, definition: Definition) -> Optional[FixSpec]:
        model = self.model
        block = model.parent(definition)
        guard = model.parent(block) if block is not None else None
        if not (
            isinstance(block, cst.IndentedBlock)
            and isinstance(guard, cst.If)
            and guard.body is block
            and model.parent(guard) is module
            and is_main_guard_test(guard.test) is True
        ):
            return None
        rest = [s for s in block.body if s is not definition]
        if not rest or not model.pickling.reads_only_import_time_names(definition):
            return None
        comments = _without_leading_blank_lines(definition.leading_lines)
        moved = wrapping_block_text(
            module, definition.with_changes(leading_lines=comments), "", levels=-1
        )
        remaining = wrapping_block_text(
            module,
            guard.with_changes(
                leading_lines=(), body=block.with_changes(body=_first_without_blank_lines(rest))
            ),
            "",
            levels=0,
        )
        if moved is None or remaining is None:
            return None
        text = moved + "\n\n\n" + remaining
        return self.fix(Applicability.UNSAFE, ReplaceLines(guard, guard, text))


def _without_leading_blank_lines(lines: Sequence[cst.EmptyLine]) -> list[cst.EmptyLine]:
    """Comment lines above a statement, without the blank lines before the first comment."""
    kept = list(lines)
    while kept and kept[0].comment is None:
        kept.pop(0)
    return kept


def _first_without_blank_lines(statements: list[cst.BaseStatement]) -> list[cst.BaseStatement]:
    """The guard's statements, the first one without the blank lines that separated it from the def."""
    first = statements[0]
    if not isinstance(first, (cst.SimpleStatementLine, cst.BaseCompoundStatement)):
        return statements
    lines = _without_leading_blank_lines(first.leading_lines)
    return [first.with_changes(leading_lines=lines), *statements[1:]]
