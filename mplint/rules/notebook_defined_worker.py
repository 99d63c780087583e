from __future__ import annotations

from typing import Optional

import libcst as cst

from mplint.diagnostics import Severity
from mplint.gates import FUTURES, PROCESSES, Gate, needs
from mplint.model import Submission, Via
from mplint.rule import Invalid, LintRule, Valid
from mplint.rules._helpers import Definition, handed_definitions

_WHERE = {
    Via.POOL: "the pool's workers",
    Via.EXECUTOR: "the executor's workers",
    Via.PROCESS: "the child",
    Via.RUN: "the child",
    Via.INITIALIZER: "the workers",
}


class NotebookDefinedWorker(LintRule):
    """
    ## What it does
    Checks, in Jupyter notebooks, for functions and classes defined in the notebook that are handed to
    another process started with spawn or forkserver: a `Process` target, a pool or executor task or
    initializer (also through `functools.partial`), a `Process` subclass, or a class whose instances
    are passed as arguments.

    ## Why is this bad?
    A notebook's cells run in an interactive `__main__` that has no file. Pickle sends a function or
    class by reference, `__main__.work`; a spawned or forkserver child has a `__main__` of its own and
    nothing to run to define `work` in it (multiprocessing re-runs the parent's main *file*, and there
    is none). `pickle`'s lookup in the child (`Unpickler.find_class`) fails with
    `AttributeError: Can't get attribute 'work' on <module '__main__' (built-in)>`:

    - a `Process` child dies with exit code 1 and the parent carries on;
    - a `Pool` worker dies while reading the task, is replaced, and `pool.map()` **hangs** forever;
    - a `ProcessPoolExecutor` raises `BrokenProcessPool`.

    Spawn is the default on macOS and Windows, and forkserver on Linux from Python 3.14; under fork the
    child inherits the notebook's `__main__` and it works. The `if __name__ == "__main__":` guard does
    not help: the name is `__main__` in a notebook, and the child never runs its cells. Not reported:
    workers imported from a module, threads, the `multiprocess` library (dill sends `__main__`
    functions by value), an explicit fork context, `set_start_method("fork")` in a cell and
    `start-method = "fork"`. In a `.py` file this rule never applies (the child re-imports the script).

    ## Example
    ```python
    # cell 1
    from concurrent.futures import ProcessPoolExecutor

    def square(x):
        return x * x

    # cell 2
    with ProcessPoolExecutor() as pool:
        print(list(pool.map(square, range(4))))
    ```

    Use instead:
    ```python
    # cell 1 (square is defined in work.py, next to the notebook)
    from concurrent.futures import ProcessPoolExecutor
    from work import square

    # cell 2
    with ProcessPoolExecutor() as pool:
        print(list(pool.map(square, range(4))))
    ```

    ## Fix safety
    There is no fix: the definition has to move to a module the children can import, a file mplint does
    not create.

    ## References
    - [Using a pool of workers](https://docs.python.org/3/library/multiprocessing.html#using-a-pool-of-workers):
      "Functionality within this package requires that the `__main__` module be importable by the
      children. [...] some examples, such as the `multiprocessing.pool.Pool` examples will not work in
      the interactive interpreter."
    - [Contexts and start methods](https://docs.python.org/3/library/multiprocessing.html#contexts-and-start-methods)
    """

    CODE = "MPL209"
    NAME = "notebook-defined-worker"
    MESSAGE = (
        "`{name}` is defined in the notebook; {where} cannot unpickle it under {methods} "
        "(the notebook's `__main__` has no file to import)"
    )
    SEVERITY = Severity.ERROR
    GATE = Gate.of(needs(PROCESSES | FUTURES))
    NOTEBOOK = True

    VALID = [
        Valid(
            """
            from multiprocessing import Pool
            from work import square
            with Pool(2) as pool:
                pool.map(square, [1, 2])
            """
        ),
        Valid(
            """
            import multiprocessing as mp
            def square(x): return x * x
            with mp.get_context('fork').Pool(2) as pool:
                pool.map(square, [1, 2])
            """
        ),
        Valid(
            """
            import multiprocessing as mp
            mp.set_start_method('fork')
            def work(): pass
            mp.Process(target=work).start()
            """
        ),
        Valid(
            """
            from multiprocessing.pool import ThreadPool
            def square(x): return x * x
            with ThreadPool(2) as pool:
                pool.map(square, [1, 2])
            """
        ),
    ]
    INVALID = [
        Invalid(
            """
            from concurrent.futures import ProcessPoolExecutor

            def square(x):
                return x * x

            with ProcessPoolExecutor() as pool:
                print(list(pool.map(square, range(4))))
            """
        ),
        Invalid(
            """
            import multiprocessing as mp
            mp.set_start_method('spawn')

            def work():
                print('child')

            p = mp.Process(target=work)
            p.start()
            p.join()
            """
        ),
    ]

    def check(self) -> None:
        model = self.model
        if not model.tree.is_interactive_main:
            return
        for submission in [*model.submissions(), *model.workers.run_in_executor_submissions]:
            owner = submission.owner
            if submission.via not in _WHERE or owner.uses_threads or owner.pickles_with_dill:
                continue
            if submission.via is Via.RUN and not owner.is_process:
                continue
            if model.start_method(owner) == "fork" or model.startmethod.start_method_unknown(owner):
                continue
            if submission.via in (Via.PROCESS, Via.RUN) and model.workers.never_started(
                submission.call
            ):
                continue
            for expr, definition in self._uses(submission):
                self.report(
                    expr,
                    once=expr,
                    name=definition.name.value,
                    where=_WHERE[submission.via],
                    methods=_methods(model.start_method(owner)),
                )

    def _uses(self, submission: Submission) -> list[tuple[cst.CSTNode, Definition]]:
        """The callable (or the subclass), and the instances of notebook classes among the
        arguments."""
        model = self.model
        if submission.via is Via.RUN:
            definition = model.pickling.interactive_definition(submission.callable)
            return [] if definition is None else [(submission.callable, definition)]
        return handed_definitions(
            model, submission, model.pickling.interactive_definition, self._notebook_instance
        )

    def _notebook_instance(self, name: cst.Name) -> Optional[Definition]:
        """The notebook class (defined outside any function) ``name`` holds an instance of."""
        info = self.model.values.instance_class(name)
        if info is not None and self.model.enclosing_function_node(info.node) is None:
            return info.node
        return None


def _methods(method: Optional[str]) -> str:
    """The start methods the failure happens under: the chosen one, or both portable ones."""
    return method if method in ("spawn", "forkserver") else "spawn and forkserver"
