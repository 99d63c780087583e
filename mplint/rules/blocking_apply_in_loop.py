from __future__ import annotations

from typing import Optional

import libcst as cst

from mplint.diagnostics import Applicability, Severity
from mplint.edits import FixSpec, Replace, ReplaceLines
from mplint.gates import FUTURES, PROCESSES, Gate, needs
from mplint.kinds import Kind, KindName
from mplint.model import FlowKind, LocalVar, Model, VarKey, keyword_arg, positional_args
from mplint.model.flow import COMPREHENSIONS
from mplint.model.names import STORE_METHODS
from mplint.model.syntax import scope_descendants
from mplint.model.workers import has_single_worker
from mplint.rule import Invalid, LintRule, Valid
from mplint.rules._helpers import descendants

_WAITS = frozenset({"get", "wait", "result", "exception"})


class BlockingApplyInLoop(LintRule):
    """
    ## What it does
    Checks for loops (and comprehensions) that wait for each pool task before submitting the next:
    `pool.apply(...)` in a loop body, `pool.apply_async(...).get()` and `executor.submit(...).result()`
    in the same pass, or a handle submitted and then waited for later in the same pass. Pools of
    processes and of threads and both kinds of executors are checked.

    ## Why is this bad?
    `multiprocessing/pool.py` `Pool.apply` is literally `self.apply_async(func, args, kwds).get()`: it
    blocks until the task is done. In a loop the pool runs one task at a time and the other workers sit
    idle: 4 tasks of 0.5 s on a pool of 4 take 2 s instead of 0.5 s.

    Not reported: loops where a result feeds a later submission (iteration *n + 1* needs the result of
    *n*) or the loop's condition, loops that may stop early on a result (`break`, `return`), pools and
    executors created with a single worker (`Pool(1)`: one task at a time anyway), and `while True:`
    loops that serve requests as they come.

    ## Example
    ```python
    results = [pool.apply(work, (x,)) for x in items]
    for x in items:
        results.append(executor.submit(work, x).result())
    ```

    Use instead:
    ```python
    results = pool.map(work, items)
    results.extend(executor.map(work, items))
    ```

    ## Fix safety
    `[pool.apply(f, (x,)) for x in xs]` (also with `apply_async(...).get()`) becomes `pool.map(f, xs)`,
    `pool.starmap(f, xs)` when the loop unpacks a tuple into the arguments, and
    `[ex.submit(f, x).result() for x in xs]` becomes `list(ex.map(f, xs))`; a loop whose only statement
    is `out.append(pool.apply(f, (x,)))` becomes `out.extend(pool.map(f, xs))`. The results keep their
    order, but the fix is unsafe: all tasks now run at the same time, their side effects interleave, and
    when several fail a different exception may surface first.

    ## References
    - [`Pool.apply`](https://docs.python.org/3/library/multiprocessing.html#multiprocessing.pool.Pool.apply):
      "It blocks until the result is ready. Given this blocks, apply_async() is better suited for
      performing work in parallel."
    """

    CODE = "MPL304"
    GATE = Gate.of(needs(PROCESSES | FUTURES))
    NAME = "blocking-apply-in-loop"
    MESSAGE = (
        "`{call}` waits for each task before the loop submits the next: the tasks run one at a time"
    )
    FIX_TITLE = "Submit every task before waiting (`map`)"
    SEVERITY = Severity.WARNING
    FIX = "unsafe"

    VALID = [
        Valid(
            """
            from multiprocessing import Pool
            def f(x): return x
            def go(xs):
                with Pool(4) as pool:
                    handles = [pool.apply_async(f, (x,)) for x in xs]
                    return [h.get() for h in handles]
            """
        ),
        Valid(
            """
            from multiprocessing import Pool
            def step(x): return x + 1
            def go(x, n):
                with Pool(2) as pool:
                    for _ in range(n):
                        x = pool.apply(step, (x,))
                return x
            """
        ),
    ]
    INVALID = [
        Invalid(
            """
            from multiprocessing import Pool
            def f(x): return x
            def go(xs):
                with Pool(4) as pool:
                    return [pool.apply(f, (x,)) for x in xs]
            """,
            fixed="""
            from multiprocessing import Pool
            def f(x): return x
            def go(xs):
                with Pool(4) as pool:
                    return pool.map(f, xs)
            """,
            unsafe=True,
        ),
        Invalid(
            """
            from concurrent.futures import ProcessPoolExecutor
            def f(x): return x
            def go(xs):
                out = []
                with ProcessPoolExecutor() as ex:
                    for x in xs:
                        fut = ex.submit(f, x)
                        out.append(fut.result())
                return out
            """
        ),
    ]

    def check(self) -> None:
        model = self.model
        for call in model.tree.method_calls.get("apply", []):
            owner = model.values.handle_owner(call)
            if owner is not None and owner[1].is_pool:
                self._check(call, call, owner[1])
        for call, kind in model.values.handle_calls():
            if kind.name not in (KindName.ASYNC_RESULT, KindName.FUTURE):
                continue
            owner = model.values.handle_owner(call)
            if owner is None:
                continue
            flow = model.values.value_flow(call)
            if flow.how is FlowKind.METHOD and isinstance(flow.node, cst.Call):
                func = flow.node.func
                if isinstance(func, cst.Attribute) and func.attr.value in _WAITS:
                    self._check(call, flow.node, owner[1])
            elif (
                flow.how is FlowKind.ASSIGNED
                and flow.key is not None
                and isinstance(flow.key, LocalVar)
            ):
                loop = model.flow.innermost_loop(call)
                if loop is None:
                    continue
                polls = model.calls_on(flow.key, ("ready", "done"))
                for wait in model.calls_on(flow.key, _WAITS):
                    if (
                        not model.precedes(call, wait)
                        or model.flow.innermost_loop(wait) is not loop
                    ):
                        continue
                    if model.names.rebound_between(flow.key, call, wait) or any(
                        model.precedes(call, poll) and model.precedes(poll, wait) for poll in polls
                    ):
                        break  # polled first: the wait does not block
                    self._check(call, wait, owner[1])
                    break

    def _check(self, submission: cst.Call, wait: cst.Call, owner: Kind) -> None:
        model = self.model
        loop = model.flow.innermost_loop(wait)
        if loop is None or self.reported(wait) or model.flow.innermost_loop(submission) is not loop:
            return
        if has_single_worker(owner) or model.flow.loop_exits_early(loop):
            return
        if isinstance(loop, cst.While) and model.flow.is_infinite_loop(loop):
            return  # a service loop: each request is handled as it comes
        if loop_carries(model, loop, wait, submission):
            return
        self.report(
            wait, fix=self._fix(loop, submission, wait, owner), once=wait, call=self.snippet(wait)
        )

    # --- fixes ---------------------------------------------------------------------------------------
    def _fix(
        self, loop: cst.CSTNode, submission: cst.Call, wait: cst.Call, owner: Kind
    ) -> Optional[FixSpec]:
        if isinstance(loop, cst.ListComp) and loop.elt is wait:
            mapped = self._mapped(loop.for_in, submission, wait, owner)
            if mapped is None:
                return None
            return self.fix(Applicability.UNSAFE, Replace(loop, mapped))
        if isinstance(loop, cst.For):
            return self._loop_fix(loop, submission, wait, owner)
        return None

    def _loop_fix(
        self, loop: cst.For, submission: cst.Call, wait: cst.Call, owner: Kind
    ) -> Optional[FixSpec]:
        """``for x in xs: out.append(pool.apply(f, (x,)))`` -> ``out.extend(pool.map(f, xs))``."""
        body = loop.body
        if loop.orelse is not None or loop.asynchronous is not None:
            return None
        if not isinstance(body, cst.IndentedBlock) or len(body.body) != 1:
            return None
        line = body.body[0]
        if not isinstance(line, cst.SimpleStatementLine) or len(line.body) != 1:
            return None
        statement = line.body[0]
        if not isinstance(statement, cst.Expr) or not isinstance(statement.value, cst.Call):
            return None
        append = statement.value
        func = append.func
        if not (
            isinstance(func, cst.Attribute)
            and func.attr.value == "append"
            and isinstance(func.value, cst.Name)
            and len(append.args) == 1
            and append.args[0].value is wait
            and append.args[0].keyword is None
        ):
            return None
        fake = cst.CompFor(target=loop.target, iter=loop.iter)
        mapped = self._mapped(fake, submission, wait, owner, loop_iter=loop.iter)
        if mapped is None or line.leading_lines or body.header.comment is not None:
            return None  # a comment would be lost
        if self._mentions(loop.iter, func.value.value):
            return None
        text = f"{func.value.value}.extend({mapped})"
        comment = line.trailing_whitespace.comment
        if comment is not None:
            text += "  " + comment.value
        return self.fix(Applicability.UNSAFE, ReplaceLines(loop, loop, text))

    def _mapped(
        self,
        for_in: cst.CompFor,
        submission: cst.Call,
        wait: cst.Call,
        owner: Kind,
        loop_iter: Optional[cst.BaseExpression] = None,
    ) -> Optional[str]:
        """``pool.map(f, xs)`` (or ``starmap``/``list(ex.map(...))``) equivalent to the loop, if any."""
        if for_in.ifs or for_in.inner_for_in is not None or for_in.asynchronous is not None:
            return None
        if wait is not submission and (wait.args or not isinstance(wait.func, cst.Attribute)):
            return None  # get(timeout) / result(timeout): keep the timeout semantics
        func = submission.func
        assert isinstance(func, cst.Attribute)
        method = func.attr.value
        targets = _target_names(for_in.target)
        if targets is None:
            return None
        positional = positional_args(submission)
        if len(positional) != len(submission.args) or not positional:
            return None
        task = positional[0].value
        if method in ("apply", "apply_async"):
            if len(positional) != 2 or keyword_arg(submission, "kwds") is not None:
                return None
            args = positional[1].value
            if not isinstance(args, cst.Tuple) or any(
                isinstance(e, cst.StarredElement) for e in args.elements
            ):
                return None
            passed = [e.value for e in args.elements]
        else:  # submit(f, x, ...)
            passed = [a.value for a in positional[1:]]
        if len(passed) != len(targets) or not all(
            isinstance(p, cst.Name) and p.value == t for p, t in zip(passed, targets)
        ):
            return None
        if any(self._mentions(task, t) for t in targets):
            return None
        receiver = self.code_for(func.value)
        iterable = self.code_for(loop_iter if loop_iter is not None else for_in.iter)
        task_code = self.code_for(task)
        tuple_target = isinstance(for_in.target, cst.Tuple)
        if owner.is_pool:
            name = "starmap" if tuple_target else "map"
            return f"{receiver}.{name}({task_code}, {iterable})"
        if tuple_target or self.model.lookup("list", submission):
            return None
        return f"list({receiver}.map({task_code}, {iterable}))"

    def _mentions(self, node: cst.CSTNode, name: str) -> bool:
        return any(isinstance(n, cst.Name) and n.value == name for n in descendants(node))


def _target_names(target: cst.BaseExpression) -> Optional[list[str]]:
    if isinstance(target, cst.Name):
        return [target.value]
    if isinstance(target, cst.Tuple) and all(
        isinstance(e, cst.Element) and isinstance(e.value, cst.Name) for e in target.elements
    ):
        return [e.value.value for e in target.elements if isinstance(e.value, cst.Name)]
    return None


# --- helpers of this rule ---
def loop_carries(model: Model, loop: cst.CSTNode, value: cst.CSTNode, uses: cst.CSTNode) -> bool:
    """The value computed at ``value`` inside ``loop`` may be read by ``uses`` on a later pass: it
    is assigned (or appended) to a variable that ``uses`` (or, for a ``while``, the loop test) reads,
    directly or through other assignments in the loop (iteration *n + 1* needs the result of *n*)."""
    if isinstance(loop, COMPREHENSIONS):
        return False
    tracked: set[VarKey] = set(_keys_receiving(model, value))
    if not tracked:
        return False
    sources: list[Optional[cst.CSTNode]] = []  # values written to variables in the loop
    for node in scope_descendants(loop):
        if isinstance(node, (cst.Assign, cst.AugAssign, cst.AnnAssign)):
            sources.append(node.value)
        elif (
            isinstance(node, cst.Call)
            and isinstance(node.func, cst.Attribute)
            and node.func.attr.value in STORE_METHODS
        ):
            sources.append(node)  # ``out.append(value)``
    changed = True
    while changed:
        changed = False
        for source in sources:
            if source is None or not _reads_any(model, source, tracked):
                continue
            for key in _keys_receiving(model, source):
                if key not in tracked:
                    tracked.add(key)
                    changed = True
    readers: list[cst.CSTNode] = [uses]
    if isinstance(loop, cst.While):
        readers.append(loop.test)
    return any(_reads_any(model, r, tracked) for r in readers)


def _keys_receiving(model: Model, value: cst.CSTNode) -> list[VarKey]:
    """The variables the statement holding ``value`` binds, or the container it appends to."""
    statement = model.small_statement_of(value)
    keys: list[VarKey] = []
    targets: list[cst.BaseExpression] = []
    if isinstance(statement, cst.Assign):
        targets = [t.target for t in statement.targets]
    elif isinstance(statement, (cst.AugAssign, cst.AnnAssign)):
        targets = [statement.target]
    elif isinstance(statement, cst.Expr) and isinstance(statement.value, cst.Call):
        func = statement.value.func
        if isinstance(func, cst.Attribute) and func.attr.value in STORE_METHODS:
            targets = [func.value]
    while targets:
        target = targets.pop()
        if isinstance(target, (cst.Tuple, cst.List)):
            targets.extend(e.value for e in target.elements)
        elif isinstance(target, (cst.Subscript, cst.StarredElement)):
            targets.append(target.value)  # ``out[k] = …`` stores into ``out``
        else:
            key = model.binding_key(target)
            if key is not None:
                keys.append(key)
    return keys


def _reads_any(model: Model, node: cst.CSTNode, keys: set[VarKey]) -> bool:
    for inner in (node, *scope_descendants(node)):
        if (
            isinstance(inner, (cst.Name, cst.Attribute))
            and model.binding_key(inner) in keys
            and not (isinstance(inner, cst.Name) and model.names.variable_use(inner) == "store")
        ):
            return True
    return False
