from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Optional

import libcst as cst

from mplint.diagnostics import Applicability, Related, Severity
from mplint.edits import FixSpec, ReplaceLines
from mplint.gates import FUTURES, PROCESSES, Gate, needs
from mplint.kinds import Kind
from mplint.model import FunctionNode, LocalVar
from mplint.rule import Invalid, LintRule, Valid
from mplint.rules._helpers import wrapping_block_text

_GUARD = 'if __name__ == "__main__":'
_Qualname = Callable[[cst.BaseExpression], Optional[str]]
#: Calls that define something and have no other effect: children may (and often must) run them again.
_DEFINING_CALLS = frozenset(
    {
        "collections.namedtuple",
        "enum.Enum",
        "functools.partial",
        "logging.getLogger",
        "multiprocessing.get_context",
        "multiprocessing.get_logger",
        "os.getenv",
        "os.environ.get",
        "os.path.abspath",
        "os.path.basename",
        "os.path.dirname",
        "os.path.join",
        "pathlib.Path",
        "re.compile",
        "typing.NamedTuple",
        "typing.NewType",
        "typing.TypeVar",
    }
)
#: Literals, names and ``...``: evaluating one has no side effects.
_ATOMS = (
    cst.SimpleString,
    cst.ConcatenatedString,
    cst.Integer,
    cst.Float,
    cst.Imaginary,
    cst.Name,
    cst.Ellipsis,
)


class MissingMainGuard(LintRule):
    """
    ## What it does
    Checks for code that starts child processes when the module is imported: starting a `Process`,
    creating a process `Pool` or a `Manager()`, submitting to a `ProcessPoolExecutor` — directly at module
    level, or through a module-level call such as a trailing `main()` whose body (followed through this
    module's functions and the methods of its instances, as in `App().run()`) does so. A module-level
    call of a function imported from another module of the linted project is reported when that
    function (followed through its own module, and through the functions of other modules of the
    project it calls, four modules deep) starts processes, under a start method other than fork: the
    related location shows where.

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
    When the only offender is one trailing statement (typically `main()`) and nothing but definitions,
    imports, constants and docstrings comes before it, wrapping it in `if __name__ == "__main__":` is
    safe (a call that only defines something, such as `logging.getLogger(__name__)`,
    `Path(__file__).parent` or `re.compile(...)`, counts as a definition). Otherwise the fix wraps every statement from the first one that is not a definition, an import,
    a constant or a docstring (opening a file, parsing arguments, loading data, configuring logging: a
    spawned child would run it again) to the end of the module. That changes what importers of the module
    see, and the children no longer run those statements: unsafe. There is no fix when a `def`, `class`
    or `import` follows that first statement (children need those at import), or when a function or class
    reads a name the wrapped statements bind (a spawned child would not have it). The wrapped lines
    keep the file's line endings, blank lines stay empty, and the lines inside a multi-line string are
    left as they are (so its value does not change).

    ## References
    - [Safe importing of main module](https://docs.python.org/3/library/multiprocessing.html#multiprocessing-safe-main-import)
    """

    CODE = "MPL201"
    GATE = Gate.of(needs(PROCESSES | FUTURES))
    PROJECT_GATE = True
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
            if __name__ == "__main__":
                p = mp.Process(target=f)
                p.start()
                p.join()
            """,
            unsafe=True,
        ),
    ]

    def check(self) -> None:
        model = self.model
        if model.tree.is_main_file or model.tree.is_interactive_main:
            return  # children never re-run __main__.py nor a notebook's cells
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
            self.report(
                call,
                fix=fix,
                call=self.snippet(call),
                what=what,
                elsewhere=self._imported_start(call)[1],
            )

    def _offence(self, call: cst.Call) -> Optional[str]:
        model = self.model
        direct = model.workers.process_work(call)
        if direct is not None:
            description, kind = direct
            return description if self._fails_here(kind) else None
        # a function, or a method of an instance (``App().run()``)
        function: Optional[FunctionNode] = model.valueflow.call_target(call)
        if function is None:
            info = model.names.resolve_class(call.func)
            if info is not None:
                function = model.names.class_method(info, "__init__")
        if function is None:
            return self._imported_start(call)[0]
        found: dict[FunctionNode, tuple[str, Kind]] = {}

        def starts(candidate: FunctionNode) -> bool:
            hit = model.workers.starts_processes(candidate)
            if hit is None or not self._fails_here(hit[2]):
                return False
            found[candidate] = (hit[1], hit[2])
            return True

        chain = model.callgraph.call_chain(function, starts, callees=model.valueflow.callees)
        if chain is None:
            return None
        description = found[chain[-1]][0]
        names = [_function_name(f) for f in chain]
        via = f" (via {' -> '.join(names)})" if len(names) > 1 else ""
        return f"{description}{via}"

    def _imported_start(self, call: cst.Call) -> tuple[Optional[str], tuple[Related, ...]]:
        """A call of a function imported from another module of the project that starts processes
        (its summary says so, with the start method that module's model gives the object): what it
        does, and where, as a related location."""
        found = self.model.imported.function(call.func)
        start = found[0].starts if found is not None else None
        if found is None or start is None:
            return None, ()
        summary = found[1]
        # the other module's start method; when it sets none, this module's (set_start_method here)
        method = start.start_method or self.model.start_method(None)
        if method == "fork":
            return None, ()
        where = self.model.imported.display_path(summary, start.path)
        via = f" (via {summary.module}.{' -> '.join(start.chain)})"
        what = f"`{start.chain[-1]}` {start.description} here"
        return f"{start.description}{via}", (self.related_in(where, start.span, what),)

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
        # Import-time side effects above the offender (opening an output file, parsing arguments,
        # loading data) would still run again in every spawned child: the wrap starts at the first
        # statement that is not a definition, an import, a constant or a docstring.
        start = next(
            (i for i, stmt in enumerate(module.body[:index]) if not self._is_setup(stmt)), index
        )
        for earlier in module.body[:index]:
            for other in model.tree.calls:
                if (
                    model.contains(earlier, other)
                    and model.flow.runs_at_import(other)
                    and self._offence(other) is not None
                ):
                    return None  # the first offender's fix wraps this one too
        tail = list(module.body[start:])
        for stmt in tail:
            if isinstance(stmt, (cst.FunctionDef, cst.ClassDef)) or stmt in model.tree.main_guards:
                return None  # children need these at import; wrapping them breaks the workers
            if isinstance(stmt, cst.SimpleStatementLine) and any(
                isinstance(s, (cst.Import, cst.ImportFrom, cst.Global)) for s in stmt.body
            ):
                return None
        if self._needed_by_functions(tail):
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
            and start == index
            and len(tail) == 1
            and isinstance(first, cst.SimpleStatementLine)
            and len(first.body) == 1
            and isinstance(first.body[0], cst.Expr)
        )
        applicability = Applicability.SAFE if lone_call else Applicability.UNSAFE
        return self.fix(applicability, ReplaceLines(first, tail[-1], text))

    def _is_setup(self, statement: cst.CSTNode) -> bool:
        """A definition, an import, a constant, a docstring (or a ``__main__`` block, which children do
        not run): what may run again in every child, and what the wrap leaves where it is."""
        if isinstance(statement, (cst.FunctionDef, cst.ClassDef)):
            return True
        if statement in self.model.tree.main_guards:
            return True
        if isinstance(statement, cst.SimpleStatementLine):
            return all(_is_setup_small(small, self.model.qualname) for small in statement.body)
        if isinstance(statement, cst.If):  # ``if sys.version_info >= (3, 8): import ...``
            orelse = statement.orelse
            return (
                _is_constant(statement.test, self.model.qualname, tests=True)
                and self._all_setup(statement.body)
                and (orelse is None or self._is_setup(orelse))
            )
        if isinstance(statement, cst.Else):
            return self._all_setup(statement.body)
        if isinstance(statement, cst.Try):  # ``try: import x`` / ``except ImportError: x = None``
            blocks = [statement.body, *(h.body for h in statement.handlers)]
            blocks += [b.body for b in (statement.orelse, statement.finalbody) if b is not None]
            return all(self._all_setup(block) for block in blocks)
        return False

    def _all_setup(self, block: cst.BaseSuite) -> bool:
        if isinstance(block, cst.SimpleStatementSuite):
            return all(_is_setup_small(small, self.model.qualname) for small in block.body)
        return all(self._is_setup(statement) for statement in block.body)

    def _needed_by_functions(self, tail: Sequence[cst.CSTNode]) -> bool:
        """A module-level name the wrapped statements bind is read by a function or class defined
        outside them: a spawned child, which no longer runs those statements, would not have it."""
        model = self.model
        scope = model.names.module_scope
        for name, bindings in scope.bindings.items():
            if not any(model.contains(stmt, b.node) for stmt in tail for b in bindings):
                continue
            for load in model.names.variable_loads(LocalVar(model.module, name)):
                if model.tree.is_module_level(load):
                    continue
                if not any(model.contains(stmt, load) for stmt in tail):
                    return True
        return False


def _is_setup_small(small: cst.BaseSmallStatement, qualname: _Qualname) -> bool:
    if isinstance(small, (cst.Import, cst.ImportFrom, cst.Pass)):
        return True
    if isinstance(small, cst.Expr):
        return isinstance(small.value, (cst.SimpleString, cst.ConcatenatedString))
    if isinstance(small, cst.Assign):
        return _is_constant(small.value, qualname) and all(
            isinstance(t.target, (cst.Name, cst.Tuple)) for t in small.targets
        )
    if isinstance(small, cst.AnnAssign):
        return isinstance(small.target, cst.Name) and (
            small.value is None or _is_constant(small.value, qualname)
        )
    return False


def _is_constant(expr: cst.BaseExpression, qualname: _Qualname, *, tests: bool = False) -> bool:
    """A literal, a container of literals, arithmetic on them, or a name or attribute read: evaluating it
    has no side effects. With ``tests``, comparisons and ``and``/``or``/``not`` too."""
    if isinstance(expr, _ATOMS):
        return True
    if isinstance(expr, cst.Attribute):
        return _is_constant(expr.value, qualname)
    if isinstance(expr, cst.UnaryOperation):
        return _is_constant(expr.expression, qualname, tests=tests)
    if isinstance(expr, cst.BinaryOperation):
        return _is_constant(expr.left, qualname) and _is_constant(expr.right, qualname)
    if isinstance(expr, (cst.Tuple, cst.List, cst.Set)):
        return all(
            isinstance(e, cst.Element) and _is_constant(e.value, qualname) for e in expr.elements
        )
    if isinstance(expr, cst.Dict):
        return all(
            isinstance(e, cst.DictElement)
            and _is_constant(e.key, qualname)
            and _is_constant(e.value, qualname)
            for e in expr.elements
        )
    if tests and isinstance(expr, cst.Comparison):
        return _is_constant(expr.left, qualname) and all(
            _is_constant(c.comparator, qualname) for c in expr.comparisons
        )
    if tests and isinstance(expr, cst.BooleanOperation):
        return _is_constant(expr.left, qualname, tests=True) and _is_constant(
            expr.right, qualname, tests=True
        )
    if tests and isinstance(expr, cst.Subscript):  # ``sys.version_info[:2]``
        return _is_constant(expr.value, qualname)
    if isinstance(expr, cst.Call):  # ``logger = logging.getLogger(__name__)``: a definition too
        return qualname(expr.func) in _DEFINING_CALLS and all(
            _is_constant(a.value, qualname) for a in expr.args
        )
    return False


def _function_name(function: FunctionNode) -> str:
    if isinstance(function, cst.FunctionDef):
        return f"{function.name.value}()"
    return "<lambda>"
