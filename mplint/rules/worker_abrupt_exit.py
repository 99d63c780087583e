from __future__ import annotations

from collections.abc import Sequence
from typing import Optional

import libcst as cst

from mplint.diagnostics import Severity
from mplint.gates import FUTURES, PROCESSES, Gate, needs
from mplint.model import FunctionNode, Model, Submission, Via, call_argument
from mplint.model.syntax import SCOPE_TYPES
from mplint.project.summary import Exit, ModuleSummary
from mplint.rule import Invalid, LintRule, Valid


class WorkerAbruptExit(LintRule):
    """
    ## What it does
    Checks the tasks and initializers of process pools and `ProcessPoolExecutor`s, and the functions of
    this module they call (three calls deep), for code that ends the worker process instead of failing
    the task: `sys.exit()`, `exit()`, `quit()`, `raise SystemExit`, `raise KeyboardInterrupt`,
    `os._exit()`, `os.abort()` and `os.kill(os.getpid(), ...)`. A task imported from another module
    of the linted project, and a function of another module that the worker's code calls, are checked
    the same way in their own module, and through the functions of further modules of the project they
    call (four modules deep; an exit a `try` around such a call may catch does not count): the
    diagnostic is where the task is handed to the pool (or the function called), with the exit as a
    related location in the module that holds it.

    ## Why is this bad?
    - Pool: `multiprocessing/pool.py` `worker` catches `Exception`, not `SystemExit`. The worker process
      exits, its task is lost, the pool starts a replacement worker, and `pool.map()` **hangs forever**
      (`map_async(...).get(timeout)` raises `multiprocessing.context.TimeoutError`). `os._exit()` does
      the same. An initializer that exits makes every new worker die, forever.
    - `ProcessPoolExecutor`: `sys.exit(3)` in a task is re-raised in the parent as `SystemExit: 3`
      when the result is read, which silently ends the parent unless caught; `os._exit()` breaks the
      pool: `BrokenProcessPool: A process in the process pool was terminated abruptly while the future
      was running or pending.`

    Process targets are not checked (ending a `Process` with an exit code is normal), nor thread pools,
    nor `billiard` pools: they re-raise a task's `SystemExit` in the parent and fail the task of a
    worker that died with `WorkerLostError` instead of waiting for it.
    Exits inside a `try` of the same function that catches `SystemExit` (or `BaseException`) are not
    reported, nor an exit raised again inside `except KeyboardInterrupt:` or `except SystemExit:`
    (`raise KeyboardInterrupt` after a cleanup, like a bare `raise`): the worker is already ending.

    ## Example
    ```python
    def parse(path):
        if not path.endswith(".txt"):
            sys.exit(1)
        return load(path)

    with Pool(4) as pool:
        pool.map(parse, paths)
    ```

    Use instead:
    ```python
    def parse(path):
        if not path.endswith(".txt"):
            raise ValueError(f"not a text file: {path}")
        return load(path)
    ```

    ## Fix safety
    There is no automatic fix: which exception to raise is a design decision.

    ## References
    - [bonsai-team/matam#92](https://github.com/bonsai-team/matam/issues/92): "When a process calls
      sys.exit ... the pool process is hanging forever"
    - [cpython#96062](https://github.com/python/cpython/issues/96062),
      [cpython#101081](https://github.com/python/cpython/pull/101081)
    """

    CODE = "MPL309"
    GATE = Gate.of(needs(PROCESSES | FUTURES))
    NAME = "worker-abrupt-exit"
    MESSAGE = "`{exit}` ends the worker process running `{task}` ({via}): {effect}"
    SEVERITY = Severity.ERROR

    VALID = [
        Valid(
            """
            import sys
            from multiprocessing import Pool
            def work(x):
                if x < 0:
                    raise ValueError(x)
                return x
            def main():
                with Pool(2) as pool:
                    print(pool.map(work, [1]))
                sys.exit(0)
            """
        ),
        Valid(
            """
            import sys
            from multiprocessing import Process
            def child():
                sys.exit(3)
            def main():
                p = Process(target=child)
                p.start()
                p.join()
            """
        ),
    ]
    INVALID = [
        Invalid(
            """
            import sys
            from multiprocessing import Pool
            def work(x):
                if x < 0:
                    sys.exit(1)
                return x
            def main():
                with Pool(2) as pool:
                    print(pool.map(work, [1]))
            """
        ),
        Invalid(
            """
            import os
            from concurrent.futures import ProcessPoolExecutor
            def work(x):
                os._exit(1)
            def main():
                with ProcessPoolExecutor() as ex:
                    ex.submit(work, 1).result()
            """
        ),
    ]

    def check(self) -> None:
        model = self.model
        raises: Optional[dict[cst.CSTNode, list[cst.Raise]]] = None
        exits: dict[FunctionNode, list[tuple[cst.CSTNode, str]]] = {}
        for root, submissions in model.workers.worker_roots().items():
            relevant = [s for s in submissions if self._applies(s)]
            if not relevant:
                continue
            submission = relevant[0]
            if raises is None:
                raises = raises_by_scope(model)
            for function in model.callgraph.reachable_functions(root):
                if function not in exits:
                    exits[function] = abrupt_exits(model, function, raises.get(function, []))
                for node, how in exits[function]:
                    self.report(
                        node,
                        once=node,
                        exit=self.snippet(node),
                        task=_name(root),
                        via=_via(submission),
                        effect=_effect(submission, how),
                    )
                if model.project is not None:
                    self._check_imported_calls(function, root, submission)
        self._check_imported()

    def _check_imported_calls(
        self,
        function: FunctionNode,
        root: FunctionNode,
        submission: Submission,
    ) -> None:
        """Calls in the worker's code of functions imported from another module of the project that
        end the process there (unless a ``try`` around the call catches what they raise)."""
        model = self.model
        for call in model.callgraph.function_calls(function):
            if self.reported(call):
                continue
            found = model.imported.function(call.func)
            if found is None:
                continue
            exits = [
                e
                for e in found[0].exits
                if e.how == "kill"
                or model.exceptions.caught_around(call, f"builtins.{e.how}") is False
            ]
            if exits:
                self._report_imported(call, exits, found[1], _name(root), submission)

    def _check_imported(self) -> None:
        """Tasks and initializers imported from another module of the project: the exits its summary
        holds, reported where the task is handed to the pool, the exit as a related location."""
        model = self.model
        if model.project is None:
            return
        for submission in model.submissions():
            task = submission.callable
            if self.reported(task) or not self._applies(submission):
                continue
            found = model.imported.function(task)
            if found is None or not found[0].exits:
                continue
            facts, summary = found
            self._report_imported(task, facts.exits, summary, facts.name, submission)

    def _report_imported(
        self,
        node: cst.CSTNode,
        exits: Sequence[Exit],
        summary: ModuleSummary,
        task: str,
        submission: Submission,
    ) -> None:
        """Report ``node`` in this file for ``exits`` of another module, each a related location."""
        display = self.model.imported.display_path
        self.report(
            node,
            once=node,
            exit=exits[0].code,
            task=task,
            via=_via(submission),
            effect=_effect(submission, exits[0].how),
            elsewhere=tuple(
                self.related_in(display(summary, e.path), e.span, f"`{e.code}` in `{e.function}`")
                for e in exits
            ),
        )

    def _applies(self, submission: Submission) -> bool:
        owner = submission.owner
        if owner.uses_threads or submission.via not in (Via.POOL, Via.EXECUTOR, Via.INITIALIZER):
            return False
        if owner.family == "billiard":
            return (
                False  # billiard's pool reports a lost worker (WorkerLostError), it does not hang
            )
        return owner.is_process_pool or owner.is_executor


def _name(function: FunctionNode) -> str:
    return function.name.value if isinstance(function, cst.FunctionDef) else "a lambda"


def _via(submission: Submission) -> str:
    owner = "a ProcessPoolExecutor" if submission.owner.is_executor else "a Pool"
    if submission.via is Via.INITIALIZER:
        return f"the initializer of {owner}"
    return f"a task of {owner}"


def _effect(submission: Submission, how: str) -> str:
    if submission.owner.is_executor:
        if how == "kill":
            return "the executor breaks (BrokenProcessPool)"
        return f"the parent gets {how} when it reads the result"
    if submission.via is Via.INITIALIZER:
        return "every new worker dies and the pool never runs a task"
    return "the task is lost and the pool waits for it forever"


# --- helpers of this rule ---
def raises_by_scope(model: Model) -> dict[cst.CSTNode, list[cst.Raise]]:
    """The module's ``raise`` statements by the def, lambda or class whose own body holds them (the
    module's own under the ``Module``), in source order: built once, from the tree's index."""
    out: dict[cst.CSTNode, list[cst.Raise]] = {}
    for node in model.tree.nodes_of(cst.Raise):
        scope: cst.CSTNode = model.module
        for ancestor in model.ancestors(node):
            if type(ancestor) in SCOPE_TYPES:
                scope = ancestor
                break
        out.setdefault(scope, []).append(node)
    return out


def abrupt_exits(
    model: Model, function: FunctionNode, raises: Optional[Sequence[cst.Raise]] = None
) -> list[tuple[cst.CSTNode, str]]:
    """Where the function's own body ends its process: ``sys.exit()``/``exit()``/``quit()`` and
    ``raise SystemExit``/``KeyboardInterrupt`` (``"SystemExit"``/``"KeyboardInterrupt"``, unless a
    ``try`` around them in the function catches that), ``os._exit()``, ``os.abort()`` and
    ``os.kill(os.getpid(), …)`` (``"kill"``). In source order. ``raises``: the ``raise`` statements
    of the function's own body, when the caller has them (:func:`raises_by_scope`)."""
    out: list[tuple[cst.CSTNode, str]] = []
    for call in model.callgraph.function_calls(function):
        qual = model.qualname(call.func)
        if qual in ("sys.exit", "builtins.exit", "builtins.quit"):
            if model.exceptions.caught_around(
                call, "builtins.SystemExit"
            ) is False and not _already_exiting(model, call):
                out.append((call, "SystemExit"))
        elif qual in ("os._exit", "os.abort"):
            out.append((call, "kill"))
        elif qual == "os.kill":
            first = call_argument(call, 0, "pid")
            if isinstance(first, cst.Call) and model.qualname(first.func) == "os.getpid":
                out.append((call, "kill"))
    if raises is None:
        raises = raises_by_scope(model).get(function, [])
    for node in raises:
        if node.exc is None:
            continue
        exc = node.exc.func if isinstance(node.exc, cst.Call) else node.exc
        qual = model.qualname(exc)
        if (
            qual in _EXITS
            and model.exceptions.caught_around(node, qual) is False
            and not _already_exiting(model, node)
        ):
            out.append((node, qual[len("builtins.") :]))
    out.sort(key=lambda item: model.tree.order.get(item[0], 0))
    return out


_EXITS = ("builtins.SystemExit", "builtins.KeyboardInterrupt")


def _already_exiting(model: Model, node: cst.CSTNode) -> bool:
    """``node`` runs in an ``except SystemExit:``/``except KeyboardInterrupt:`` clause: the process is
    already ending, and raising the exit again (as a bare ``raise`` would) adds nothing."""
    handled = model.exceptions.handled_types(node)
    return bool(handled) and all(name in _EXITS for name in handled or ())
