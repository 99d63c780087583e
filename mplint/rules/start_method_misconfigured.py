from __future__ import annotations

from typing import Optional

import libcst as cst

from mplint import api_table
from mplint.diagnostics import Applicability, Severity
from mplint.edits import FixSpec, InsertBefore, NodeEdit, RemoveStatement, Replace
from mplint.gates import FUTURES, PROCESSES, Gate, needs
from mplint.kinds import KindName
from mplint.model import (
    ExecContext,
    StartMethodCall,
    call_argument,
    is_main_guard_test,
    keyword_arg,
)
from mplint.rule import Invalid, LintRule, Valid
from mplint.rules._helpers import expression_line

_ALREADY_SET = "raises RuntimeError: context has already been set"


class StartMethodMisconfigured(LintRule):
    """
    ## What it does
    Checks for `set_start_method()` calls that fail, and for an executor configuration that the start
    method forbids:

    - `set_start_method("spawn")` (or `"forkserver"`) that runs when the module is imported;
    - `set_start_method()` that runs more than once: in a loop, in a class's `__init__` (once for every
      instance), or in a function this module calls in a loop;
    - `set_start_method()` after an earlier `set_start_method()`, or after something already made the
      default context choose its start method: creating a `Queue`, a `Lock` (or another synchronisation
      primitive), a `Value`/`Array`, a `Pool` or a `Manager()`, starting a `Process`, calling
      `get_start_method()` or `get_context()` without arguments, creating a `ProcessPoolExecutor`
      without `mp_context` — in the same function before it, at import time, or in a function of this
      module that is called before it;
    - `ProcessPoolExecutor(max_tasks_per_child=..., mp_context=<a fork context>)`.

    Calls with `force=True`, calls in a `try` whose handler catches `RuntimeError` (or under
    `contextlib.suppress(RuntimeError)`), and calls under a test of `get_start_method(allow_none=True)`
    are not reported.

    ## Why is this bad?
    `multiprocessing/context.py` `DefaultContext.set_start_method` raises
    `RuntimeError: context has already been set` once the default context has chosen a method:

    - at import time, the parent is fine, but every child started with spawn or forkserver first sets
      the parent's method (`multiprocessing/spawn.py` `prepare` calls `set_start_method(..., force=True)`)
      and then re-imports the main module, which calls `set_start_method()` again: the child dies with
      that `RuntimeError` (exit code 1), a `Pool` keeps replacing its dying workers and **hangs**, a
      `ProcessPoolExecutor` raises `BrokenProcessPool`;
    - a second call, or a call after the default context was used, raises it in the parent. Even
      `get_start_method()` fixes the context: it is not a way to ask whether it is still free
      (`get_start_method(allow_none=True)` is).

    `ProcessPoolExecutor` raises `ValueError: max_tasks_per_child is incompatible with the 'fork'
    multiprocessing start method; supply a different mp_context.`
    (`concurrent/futures/process.py` `ProcessPoolExecutor.__init__`).

    `RULES.md` also asks to warn about `set_start_method()` in library code; that is not done: a
    function that calls it cannot be told from an entry point (a console script's `main()`), and
    library code that calls it also trips the checks above as soon as it runs twice or late.

    ## Example
    ```python
    import multiprocessing as mp

    mp.set_start_method("spawn")

    def main():
        queue = mp.Queue()
        mp.set_start_method("spawn")

    if __name__ == "__main__":
        main()
    ```

    Use instead:
    ```python
    import multiprocessing as mp

    def main():
        queue = mp.Queue()

    if __name__ == "__main__":
        mp.set_start_method("spawn")
        main()
    ```

    Library code should not set the global method at all: `ctx = mp.get_context("spawn")`, then
    `ctx.Queue()`, `ctx.Process(...)`, `ProcessPoolExecutor(mp_context=ctx)`.

    ## Fix safety
    An import-time `set_start_method()` standing alone on its line is moved to the top of the module's
    `if __name__ == "__main__":` block when nothing at import time between them calls into
    multiprocessing or into this module's functions: safe, the program's processes start with the same
    method, and children no longer re-run the call. An importer of the module no longer has its start
    method set by the import (it could not rely on that: its own spawned children failed).

    `mp_context=get_context("fork")` combined with `max_tasks_per_child` becomes
    `get_context("spawn")`: unsafe, the workers then need picklable tasks and re-import the main
    module.

    ## References
    - [Contexts and start methods](https://docs.python.org/3/library/multiprocessing.html#contexts-and-start-methods):
      "`set_start_method()` should not be used more than once in the program."
    - [`ProcessPoolExecutor`](https://docs.python.org/3/library/concurrent.futures.html#processpoolexecutor)
    """

    CODE = "MPL202"
    GATE = Gate.of(needs(PROCESSES | FUTURES))
    NAME = "start-method-misconfigured"
    MESSAGE = "`{call}` {problem}"
    FIX_TITLE = 'Move it to the top of `if __name__ == "__main__":`'
    SEVERITY = Severity.ERROR
    FIX = "safe/unsafe"

    VALID = [
        Valid(
            """
            import multiprocessing as mp
            mp.set_start_method('spawn', force=True)
            """
        ),
        Valid(
            """
            import multiprocessing as mp
            try:
                mp.set_start_method('spawn')
            except RuntimeError:
                pass
            """
        ),
        Valid(
            """
            import multiprocessing as mp
            def main():
                if mp.get_start_method(allow_none=True) is None:
                    mp.set_start_method('spawn')
                q = mp.Queue()
            """
        ),
    ]
    INVALID = [
        Invalid(
            """
            import multiprocessing as mp
            mp.set_start_method('spawn')
            def main(): pass
            if __name__ == '__main__':
                main()
            """,
            fixed="""
            import multiprocessing as mp
            def main(): pass
            if __name__ == '__main__':
                mp.set_start_method('spawn')
                main()
            """,
        ),
        Invalid(
            """
            import multiprocessing as mp
            def main():
                q = mp.Queue()
                mp.set_start_method('spawn')
            """
        ),
        Invalid(
            """
            import multiprocessing as mp
            def main():
                if mp.get_start_method() != 'spawn':
                    mp.set_start_method('spawn')
            """
        ),
        Invalid(
            """
            import multiprocessing as mp
            from concurrent.futures import ProcessPoolExecutor
            ex = ProcessPoolExecutor(max_tasks_per_child=5, mp_context=mp.get_context('fork'))
            """,
            fixed="""
            import multiprocessing as mp
            from concurrent.futures import ProcessPoolExecutor
            ex = ProcessPoolExecutor(max_tasks_per_child=5, mp_context=mp.get_context('spawn'))
            """,
            unsafe=True,
        ),
    ]

    def check(self) -> None:
        model = self.model
        calls = model.startmethod.start_method_calls
        for current in calls:
            if current.forced or current.tolerated:
                continue
            problem = self._after_earlier_call(current, calls) or self._after_context_use(current)
            if problem is None:
                problem = self._runs_repeatedly(current)
            if problem is not None:
                self.report(current.call, call=self.snippet(current.call), problem=problem)
                continue
            if model.flow.runs_at_import(current.call) and current.method in (
                "spawn",
                "forkserver",
            ):
                self.report(
                    current.call,
                    fix=self._move_into_guard(self.model.module, current),
                    call=self.snippet(current.call),
                    problem="runs at import time: every child re-imports the module and dies "
                    "with RuntimeError: context has already been set",
                )
        self._check_executors()

    # --- set_start_method() too late -------------------------------------------------------------------
    def _after_earlier_call(
        self, current: StartMethodCall, calls: list[StartMethodCall]
    ) -> Optional[str]:
        for earlier in calls:
            if earlier is current or earlier.family != current.family:
                continue
            if self._ran_before(earlier.call, current.call):
                return f"after an earlier `{self.snippet(earlier.call)}` {_ALREADY_SET}"
        return None

    def _runs_repeatedly(self, current: StartMethodCall) -> Optional[str]:
        """The call runs more than once in one process: on each pass of a loop, in ``__init__`` (for
        every instance), or in a function this module calls in a loop."""
        model = self.model
        call = current.call
        loops = model.flow.enclosing_loops(call)
        function = model.enclosing_function_node(call)
        if any(
            model.flow.loop_may_repeat(loop)
            and (function is None or model.contains(function, loop))
            for loop in loops
        ):
            return f"runs on every pass of the loop: the second pass {_ALREADY_SET}"
        if not isinstance(function, cst.FunctionDef):
            return None
        info = model.names.enclosing_class(function)
        body = model.parent(function)
        if (
            function.name.value == "__init__"
            and info is not None
            and body is not None
            and model.parent(body) is info.node
        ):
            return f"runs for every instance of `{info.name}`: the second one {_ALREADY_SET}"
        for site in model.tree.calls:
            if model.names.resolve_function(site.func) is not function:
                continue
            if any(model.flow.loop_may_repeat(loop) for loop in model.flow.enclosing_loops(site)):
                return (
                    f"runs on every call of `{function.name.value}()`, which is called in a loop: "
                    f"the second call {_ALREADY_SET}"
                )
        return None

    def _after_context_use(self, current: StartMethodCall) -> Optional[str]:
        model = self.model
        for call in model.tree.calls:
            if call is current.call:
                continue
            use = model.startmethod.default_context_use(call)
            if (
                use is not None
                and use[0] == current.family
                and self._ran_before(call, current.call)
            ):
                return f"after `{use[1]}` fixed the default context {_ALREADY_SET}"
            if model.dominates(call, current.call):
                function = model.names.resolve_function(call.func)
                if function is None:
                    info = model.names.resolve_class(call.func)
                    function = (
                        model.names.class_method(info, "__init__") if info is not None else None
                    )
                if function is None or model.contains(function, current.call):
                    continue
                found = model.startmethod.surely_uses_default_context(function)
                if found is not None and found[0] == current.family:
                    via = model.module.code_for_node(call.func)
                    return f"after `{via}()` (which calls `{found[1]}`) {_ALREADY_SET}"
        return None

    def _ran_before(self, earlier: cst.Call, later: cst.Call) -> bool:
        """``earlier`` has run before ``later`` on the path that reaches it: it dominates it, it runs
        unconditionally at import time and ``later`` is in a function (called after the import), or it
        dominates a call that leads to the function holding ``later``."""
        model = self.model
        if model.dominates(earlier, later):
            return True
        target = model.enclosing_function_node(later)
        if target is None:
            return False
        if model.exec_context(
            earlier
        ) is ExecContext.IMPORT and model.flow.runs_whenever_scope_runs(earlier):
            return True
        # ``earlier`` runs before a call that leads (through this module's functions) to ``later``
        for call in model.tree.calls:
            if call is earlier or not model.dominates(earlier, call):
                continue
            function = model.names.resolve_function(call.func)
            if function is None or model.contains(function, earlier):
                continue
            if model.callgraph.call_chain(function, lambda f: f is target) is not None:
                return True
        return False

    # --- the fix: into the guard -----------------------------------------------------------------------
    def _move_into_guard(self, module: cst.Module, current: StartMethodCall) -> Optional[FixSpec]:
        model = self.model
        statement = expression_line(model.statement_of(current.call), current.call)
        if statement is None or model.parent(statement) is not module:
            return None
        index = next(i for i, s in enumerate(module.body) if s is statement)
        guard: Optional[cst.If] = None
        between: list[cst.CSTNode] = []
        for later in module.body[index + 1 :]:
            if isinstance(later, cst.If) and is_main_guard_test(later.test) is True:
                guard = later
                break
            between.append(later)
        if guard is None or not isinstance(guard.body, cst.IndentedBlock) or not guard.body.body:
            return None
        for call in model.tree.calls:
            if any(model.contains(s, call) for s in between) and self._may_use_multiprocessing(
                call
            ):
                return None
        text = self.code_for(current.call)
        comment = statement.trailing_whitespace.comment
        if comment is not None:
            text += "  " + comment.value
        # The blank lines above the statement go with it when blank lines follow it too (no run of
        # three or more blank lines is left behind).
        removed: list[NodeEdit] = [RemoveStatement(statement)]
        following = module.body[index + 1]
        if following.leading_lines and following.leading_lines[0].comment is None:
            removed += [
                Replace(line, "") for line in statement.leading_lines if line.comment is None
            ]
        return self.fix(
            Applicability.SAFE,
            *removed,
            InsertBefore(guard.body.body[0], text),
        )

    def _may_use_multiprocessing(self, call: cst.Call) -> bool:
        model = self.model
        if model.exec_context(call) is not ExecContext.IMPORT:
            return False  # in a def or class body that is not called here
        if model.enclosing_function_node(call) is not None:
            return False
        qual = model.qualname(call.func)
        if qual is not None and (
            api_table.split_family(qual) is not None or qual.startswith("concurrent.")
        ):
            return True
        if model.kind_of(call) is not None:
            return True
        return model.names.resolve_function(call.func) is not None or (
            model.names.resolve_class(call.func) is not None
        )

    # --- ProcessPoolExecutor(max_tasks_per_child=..., mp_context=fork) ----------------------------------
    def _check_executors(self) -> None:
        model = self.model
        for call in model.tree.calls:
            kind = model.kind_of(call)
            if kind is None or kind.creator is not call or kind.name is not KindName.EXECUTOR:
                continue
            limit = keyword_arg(call, "max_tasks_per_child")
            context = call_argument(call, 1, "mp_context")
            if limit is None or context is None:
                continue
            if isinstance(limit.value, cst.Name) and limit.value.value == "None":
                continue
            context_kind = model.kind_of(context)
            if context_kind is None or context_kind.name is not KindName.CONTEXT:
                continue
            if model.start_method(context_kind) != "fork":
                continue
            self.report(
                limit,
                fix=self._spawn_context_fix(context),
                call=f"max_tasks_per_child={self.code_for(limit.value)}",
                problem="with a fork `mp_context` raises ValueError: max_tasks_per_child is "
                "incompatible with the 'fork' multiprocessing start method",
            )

    def _spawn_context_fix(self, context: cst.BaseExpression) -> Optional[FixSpec]:
        if not isinstance(context, cst.Call):
            return None
        method = call_argument(context, 0, "method")
        if not isinstance(method, cst.SimpleString) or method.evaluated_value != "fork":
            return None
        quote = method.quote
        return self.fix(
            Applicability.UNSAFE,
            Replace(method, f"{method.prefix}{quote}spawn{quote}"),
            title='Use `get_context("spawn")`',
        )
