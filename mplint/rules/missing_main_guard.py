from __future__ import annotations

from typing import Optional

import libcst as cst

from mplint.diagnostics import Applicability, Severity
from mplint.kinds import Kind
from mplint.model import FunctionNode
from mplint.rule import FixSpec, Invalid, LintRule, ReplaceLines, Valid
from mplint.rules._helpers import wrapping_block_text

_GUARD = 'if __name__ == "__main__":'


class MissingMainGuard(LintRule):
    """
    ## What it does
    Checks for code that starts child processes when the module is imported: starting a `Process`,
    creating a process `Pool` or a `Manager()`, submitting to a `ProcessPoolExecutor` — directly at module
    level, or through a module-level call such as a trailing `main()` whose body (followed through this
    module's functions) does so.

    ## Why is this bad?
    Under the `spawn` and `forkserver` start methods — the default on macOS and Windows, and on Linux from
    Python 3.14 — every child re-imports the main module as `__mp_main__`
    (`multiprocessing/spawn.py`). Unguarded process creation then runs again in the child, which raises
    from `multiprocessing/spawn.py` `_check_not_importing_main`:

    ```
    RuntimeError:
            An attempt has been made to start a new process before the
            current process has finished its bootstrapping phase.
    ```

    An unguarded `Process.start()` kills the child (exit code 1) while the parent carries on; an unguarded
    `Pool` respawns dying workers forever, so the program **hangs**; a `ProcessPoolExecutor` fails with
    `BrokenProcessPool`. Under `fork` it "works", which is why the bug ships from Linux.

    `__main__.py` files are never re-run by spawn and are not reported; nor is code under
    `if __name__ == "__main__":` (any spelling), under `if TYPE_CHECKING:`, or in functions that nothing
    calls at import time; nor threads; nor processes made from an explicit `get_context("fork")` (or with
    `start-method = "fork"` configured).

    ## Example
    ```python
    from multiprocessing import Pool

    def square(x):
        return x * x

    def main():
        with Pool(2) as pool:
            print(pool.map(square, range(4)))

    main()
    ```

    Use instead:
    ```python
    if __name__ == "__main__":
        main()
    ```

    ## Fix safety
    When the only offender is one trailing statement (typically `main()`), wrapping it in
    `if __name__ == "__main__":` is safe. Otherwise the fix wraps every statement from the first offender
    to the end of the module, which changes what importers of the module see: unsafe. There is no fix when
    a `def`, `class` or `import` follows the offender (children need those at import). The wrapped lines
    keep the file's line endings, blank lines stay empty, and the lines inside a multi-line string are
    left as they are (so its value does not change).

    ## References
    - [Safe importing of main module](https://docs.python.org/3/library/multiprocessing.html#multiprocessing-safe-main-import)
    """

    CODE = "MPL201"
    NAME = "missing-main-guard"
    MESSAGE = "`{call}` {what} at import time; spawned children re-import this module and fail"
    FIX_TITLE = 'Wrap in `if __name__ == "__main__":`'
    SEVERITY = Severity.ERROR
    FIX = "safe/unsafe"

    VALID = [
        Valid(
            """
            from multiprocessing import Pool
            def sq(x): return x * x
            if __name__ == '__main__':
                with Pool(2) as p:
                    p.map(sq, [1])
            """
        ),
        Valid(
            """
            import threading
            def f(): pass
            threading.Thread(target=f).start()
            """
        ),
        Valid(
            """
            import multiprocessing as mp
            ctx = mp.get_context('fork')
            def f(): pass
            ctx.Process(target=f).start()
            """
        ),
    ]
    INVALID = [
        Invalid(
            """
            from multiprocessing import Pool
            def sq(x): return x * x
            def main():
                with Pool(2) as p:
                    p.map(sq, [1])
            main()
            """,
            fixed="""
            from multiprocessing import Pool
            def sq(x): return x * x
            def main():
                with Pool(2) as p:
                    p.map(sq, [1])
            if __name__ == "__main__":
                main()
            """,
        ),
        Invalid(
            """
            import multiprocessing as mp
            def f(): pass
            p = mp.Process(target=f)
            p.start()
            p.join()
            """,
            fixed="""
            import multiprocessing as mp
            def f(): pass
            p = mp.Process(target=f)
            if __name__ == "__main__":
                p.start()
                p.join()
            """,
            unsafe=True,
        ),
    ]

    def check(self) -> None:
        model = self.model
        if model.tree.is_main_file:
            return
        offenders: list[tuple[cst.Call, str]] = []
        for call in model.tree.calls:
            if not model.flow.runs_at_import(call):
                continue
            found = self._offence(call)
            if found is not None:
                offenders.append((call, found))
        # A call nested in another offending call (``print(main())``): report the outer statement once.
        for call, what in offenders:
            fix = self._fix(self.model.module, call, len(offenders))
            self.report(call, fix=fix, call=self.snippet(call), what=what)

    def _offence(self, call: cst.Call) -> Optional[str]:
        model = self.model
        direct = model.inference.process_work(call)
        if direct is not None:
            description, kind = direct
            return description if self._fails_here(kind) else None
        function: Optional[FunctionNode] = model.names.resolve_function(call.func)
        if function is None:
            info = model.names.resolve_class(call.func)
            if info is not None:
                function = model.names.class_method(info, "__init__")
        if function is None:
            return None
        found: dict[FunctionNode, tuple[str, Kind]] = {}

        def starts(candidate: FunctionNode) -> bool:
            hit = model.inference.starts_processes(candidate)
            if hit is None or not self._fails_here(hit[2]):
                return False
            found[candidate] = (hit[1], hit[2])
            return True

        chain = model.callgraph.call_chain(function, starts)
        if chain is None:
            return None
        description = found[chain[-1]][0]
        names = [_function_name(f) for f in chain]
        via = f" (via {' -> '.join(names)})" if len(names) > 1 else ""
        return f"{description}{via}"

    def _fails_here(self, kind: Kind) -> bool:
        """Under fork the re-import does not happen: stay silent for explicit (or configured) fork."""
        return self.model.start_method(kind) != "fork"

    def _fix(self, module: cst.Module, call: cst.Call, count: int) -> Optional[FixSpec]:
        model = self.model
        top: Optional[cst.CSTNode] = model.statement_of(call)
        while top is not None and model.parent(top) is not module:
            parent = model.parent(top)
            top = model.statement_of(parent) if parent is not None else None
        if top is None or top not in module.body:
            return None
        index = next(i for i, stmt in enumerate(module.body) if stmt is top)
        for earlier in module.body[:index]:
            for other in model.tree.calls:
                if (
                    model.contains(earlier, other)
                    and model.flow.runs_at_import(other)
                    and self._offence(other) is not None
                ):
                    return None  # the first offender's fix wraps this one too
        tail = list(module.body[index:])
        for stmt in tail:
            if isinstance(stmt, (cst.FunctionDef, cst.ClassDef)) or stmt in model.tree.main_guards:
                return None  # children need these at import; wrapping them breaks the workers
            if isinstance(stmt, cst.SimpleStatementLine) and any(
                isinstance(s, (cst.Import, cst.ImportFrom, cst.Global)) for s in stmt.body
            ):
                return None
        first = tail[0]
        body = [first.with_changes(leading_lines=()), *tail[1:]]
        guard = cst.If(
            test=cst.parse_expression('__name__ == "__main__"'),
            body=cst.IndentedBlock(body=body),
        )
        text = wrapping_block_text(module, guard, "")
        if text is None:
            return None
        lone_call = (
            count == 1
            and len(tail) == 1
            and isinstance(first, cst.SimpleStatementLine)
            and len(first.body) == 1
            and isinstance(first.body[0], cst.Expr)
        )
        applicability = Applicability.SAFE if lone_call else Applicability.UNSAFE
        return self.fix(applicability, ReplaceLines(first, tail[-1], text))


def _function_name(function: FunctionNode) -> str:
    if isinstance(function, cst.FunctionDef):
        return f"{function.name.value}()"
    return "<lambda>"
