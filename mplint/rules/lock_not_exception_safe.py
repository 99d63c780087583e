from __future__ import annotations

from collections.abc import Hashable, Sequence
from typing import Optional

import libcst as cst

from mplint.diagnostics import Applicability, Severity
from mplint.edits import FixSpec, ReplaceLines
from mplint.gates import PROCESSES, Gate, needs
from mplint.kinds import Kind, KindName
from mplint.model import call_argument, keyword_arg, positional_args
from mplint.rule import Invalid, LintRule, Valid
from mplint.rules._helpers import descendants, indentation, wrapping_block_text

_EXITS = (cst.Return, cst.Break, cst.Continue)
_LOOPS = (cst.For, cst.While)


class LockNotExceptionSafe(LintRule):
    """
    ## What it does
    Checks for a multiprocessing lock taken with `lock.acquire()` and given back with a later
    `lock.release()` in the same block, when a statement in between can raise and no `try`/`finally`
    releases the lock. Also checks for `acquire(block=False)` or `acquire(timeout=...)` whose result is
    thrown away although a `release()` follows, and for a negative timeout.

    Locks are those of `multiprocessing` and its forks (`Lock`, `RLock`, `Semaphore`,
    `BoundedSemaphore`, `Condition`), `multiprocessing.dummy`, Manager locks and `Value.get_lock()`.

    ## Why is this bad?
    If the code between `acquire()` and `release()` raises, `release()` never runs: the lock stays taken
    and every other process that asks for it blocks forever. A worker process that dies of the exception
    does not give it back either (a semaphore has no owner to clean up after). The survivors hang in
    `acquire()` with no error message.

    `acquire(timeout=1)` returns `False` when the lock could not be taken, that is, while another
    process holds it. Ignoring the result and calling `release()` anyway then silently frees the other
    process's `Lock` (or raises a `Semaphore`'s count): a third process enters the critical section
    while the holder is still in it. (A `Lock` that nobody holds raises `ValueError: semaphore or lock
    released too many times` from `multiprocessing/synchronize.py`, `SemLock.release`; an `RLock` held by
    another process raises `AssertionError: attempt to release recursive lock not owned by thread`.)

    multiprocessing treats a negative timeout as 0: `lock.acquire(timeout=-1)` returns `False` at once
    when the lock is taken, while `threading` (and a Manager's lock) reads `-1` as "wait forever".

    The seed tutorial's `lock.acquire()` ... `lock.release()` is this pattern. Code that hands the lock
    over to another function to release (a release in another function or only in some branches) is not
    reported.

    ## Example
    ```python
    def work(lock, path, line):
        lock.acquire()
        append_line(path, line)  # raises -> the lock is never released
        lock.release()
    ```

    Use instead:
    ```python
    def work(lock, path, line):
        with lock:
            append_line(path, line)

    # a bounded wait:
    if lock.acquire(timeout=1):
        try:
            append_line(path, line)
        finally:
            lock.release()
    ```

    ## Fix safety
    A plain blocking `acquire()` whose `release()` ends the same block is rewritten to a `with` block
    over the statements in between. The fix is safe: the lock is held over the same statements, and is
    now also released when one of them raises. It is not offered when the block returns, breaks or
    continues early (the original kept the lock then), when it acquires or releases the lock again, or
    when it holds a multi-line string (re-indenting would change it). A comment on the `acquire()` line
    goes to the `with` line; one on the `release()` line stays on a line of its own where the lock was
    released.

    ## References
    - [Synchronization between processes](https://docs.python.org/3/library/multiprocessing.html#synchronization-between-processes)
    - [`multiprocessing.Lock.acquire`](https://docs.python.org/3/library/multiprocessing.html#multiprocessing.Lock.acquire):
      "a negative timeout is treated as zero" (unlike `threading.Lock.acquire`).
    """

    CODE = "MPL401"
    GATE = Gate.of(needs(PROCESSES, "acquire"))
    NAME = "lock-not-exception-safe"
    MESSAGE = "`{call}` {problem}"
    FIX_TITLE = "Hold the lock with a `with` block"
    SEVERITY = Severity.WARNING
    FIX = "safe"

    VALID = [
        Valid(
            """
            import multiprocessing as mp
            def work(lock: mp.Lock, n):
                lock.acquire()
                try:
                    print(n)
                finally:
                    lock.release()
            """
        ),
        Valid(
            """
            import multiprocessing as mp
            def work(lock: mp.Lock, n):
                if lock.acquire(timeout=1):
                    try:
                        print(n)
                    finally:
                        lock.release()
            """
        ),
        Valid(
            """
            import threading
            def work(n):
                lock = threading.Lock()
                lock.acquire()
                print(n)
                lock.release()
            """
        ),
    ]
    INVALID = [
        Invalid(
            """
            import multiprocessing as mp
            def work(lock: mp.Lock, n):
                lock.acquire()
                print(n)
                lock.release()
            """,
            fixed="""
            import multiprocessing as mp
            def work(lock: mp.Lock, n):
                with lock:
                    print(n)
            """,
        ),
        Invalid(
            """
            import multiprocessing as mp
            def work(lock: mp.Lock, n):
                lock.acquire(timeout=1)
                print(n)
                lock.release()
            """
        ),
        Invalid(
            """
            import multiprocessing as mp
            def work(lock: mp.Lock, n):
                if lock.acquire(timeout=-1):
                    with open(n) as f:
                        f.write('x')
            """
        ),
    ]

    def check(self) -> None:
        for call in self.model.tree.method_calls.get("acquire", []):
            func = call.func
            if not isinstance(func, cst.Attribute):
                continue
            kind = self.model.kind_of(func.value)
            if kind is None or not _is_mp_lock(kind):
                continue
            self._check(call, func.value, kind)

    def _check(self, call: cst.Call, receiver: cst.BaseExpression, kind: Kind) -> None:
        model = self.model
        name = self.code_for(receiver)
        timeout = call_argument(call, 1, "timeout")
        if timeout is not None and _negative(timeout) and not kind.proxy and not kind.uses_threads:
            self.report(
                call,
                call=self.snippet(call),
                problem="does not wait: multiprocessing treats a negative timeout as 0",
            )
            return
        small = model.small_statement_of(call)
        discarded = isinstance(small, cst.Expr) and small.value is call
        if not _blocking(call):
            if discarded and self._released_later(call, receiver):
                self.report(
                    call,
                    call=self.snippet(call),
                    problem=f"may fail, and its result is ignored: the later `{name}.release()` "
                    "then releases a lock this process does not hold",
                )
            return
        line = model.statement_of(call)
        if discarded and isinstance(line, cst.SimpleStatementLine) and len(line.body) == 1:
            self._check_block(call, receiver, line)
        elif isinstance(line, cst.If) and line.test is call:
            # ``if lock.acquire(): ...; lock.release()``: the body is the critical section.
            body = line.body
            if isinstance(body, cst.IndentedBlock):
                self._check_statements(call, receiver, list(body.body), None)

    def _check_block(
        self, call: cst.Call, receiver: cst.BaseExpression, line: cst.SimpleStatementLine
    ) -> None:
        model = self.model
        if self._inside_releasing_try(line, receiver):
            return
        block = model.tree.block_of(line)
        if block is None:
            return
        index = next((i for i, s in enumerate(block) if s is line), None)
        if index is None:
            return
        rest = [s for s in block[index + 1 :] if isinstance(s, cst.BaseStatement)]
        self._check_statements(call, receiver, rest, line)

    def _check_statements(
        self,
        call: cst.Call,
        receiver: cst.BaseExpression,
        statements: Sequence[cst.BaseStatement],
        acquire_line: Optional[cst.SimpleStatementLine],
    ) -> None:
        """``statements`` follow the acquire: find the release that ends the critical section."""
        key = self.model.names.receiver_key(receiver)
        body: list[cst.BaseStatement] = []
        for statement in statements:
            if self._is_release_line(statement, key):
                break
            if isinstance(statement, cst.Try) and self._releases(statement.finalbody, key):
                # acquire(); ...; try: ... finally: release(): only what comes before the try matters
                if any(_may_raise(s) for s in body):
                    self.report(
                        call,
                        call=self.snippet(call),
                        problem="is not released if a statement before its `try`/`finally` raises",
                    )
                return
            body.append(statement)
        else:
            return  # no release in this block: handed over, or released elsewhere
        if not any(_may_raise(s) and not self._notifies(s, key) for s in body):
            return
        if any(self._protects(s, key) for s in body):
            return
        release_line = statement
        assert isinstance(release_line, cst.SimpleStatementLine)
        fix = None
        if acquire_line is not None:
            fix = self._with_fix(receiver, acquire_line, body, release_line, key)
        self.report(
            call,
            fix=fix,
            call=self.snippet(call),
            problem=f"is not released if the code before `{self.code_for(receiver)}.release()` "
            "raises; use `with`",
        )

    # --- what the statements do ------------------------------------------------------------------------
    def _is_release_line(self, statement: cst.CSTNode, key: Hashable) -> bool:
        if not isinstance(statement, cst.SimpleStatementLine) or len(statement.body) != 1:
            return False
        small = statement.body[0]
        return isinstance(small, cst.Expr) and self._is_call_on(small.value, key, "release")

    def _notifies(self, statement: cst.BaseStatement, key: Hashable) -> bool:
        """``cond.notify()`` / ``cond.notify_all()`` on the held condition: it cannot fail there."""
        return (
            isinstance(statement, cst.SimpleStatementLine)
            and bool(statement.body)
            and all(
                isinstance(small, cst.Expr)
                and (
                    self._is_call_on(small.value, key, "notify")
                    or self._is_call_on(small.value, key, "notify_all")
                )
                for small in statement.body
            )
        )

    def _is_call_on(self, node: cst.CSTNode, key: Hashable, method: str) -> bool:
        return (
            isinstance(node, cst.Call)
            and isinstance(node.func, cst.Attribute)
            and node.func.attr.value == method
            and self.model.names.receiver_key(node.func.value) == key
        )

    def _releases(self, finally_: Optional[cst.Finally], key: Hashable) -> bool:
        if finally_ is None:
            return False
        return any(
            self._is_call_on(c, key, "release") for c in self.model.flow.calls_within(finally_.body)
        )

    def _protects(self, statement: cst.BaseStatement, key: Hashable) -> bool:
        """A ``try`` in the critical section whose handlers catch everything, or that releases."""
        if not isinstance(statement, cst.Try):
            return False
        if self._releases(statement.finalbody, key):
            return True
        for handler in statement.handlers:
            if handler.type is None or self.model.qualname(handler.type) in (
                "builtins.BaseException",
                "builtins.Exception",
            ):
                return True
        return False

    def _inside_releasing_try(self, node: cst.CSTNode, receiver: cst.BaseExpression) -> bool:
        """``try: lock.acquire(); ... finally: lock.release()`` (or a handler that releases)."""
        model = self.model
        key = model.names.receiver_key(receiver)
        function = model.enclosing_function_node(node)
        for ancestor in model.ancestors(node):
            if ancestor is function:
                break
            if isinstance(ancestor, cst.Try) and model.contains(ancestor.body, node):
                if self._releases(ancestor.finalbody, key):
                    return True
                if any(
                    self._is_call_on(c, key, "release")
                    for handler in ancestor.handlers
                    for c in model.flow.calls_within(handler.body)
                ):
                    return True
        return False

    def _released_later(self, call: cst.Call, receiver: cst.BaseExpression) -> bool:
        model = self.model
        key = model.names.receiver_key(receiver)
        function = model.enclosing_function_node(call)
        return any(
            model.enclosing_function_node(release) is function
            and model.precedes(call, release)
            and self._is_call_on(release, key, "release")
            for release in model.tree.method_calls.get("release", [])
        )

    # --- the fix ----------------------------------------------------------------------------------------
    def _with_fix(
        self,
        receiver: cst.BaseExpression,
        acquire_line: cst.SimpleStatementLine,
        body: list[cst.BaseStatement],
        release_line: cst.SimpleStatementLine,
        key: Hashable,
    ) -> Optional[FixSpec]:
        model = self.model
        if any(line.comment is not None for line in release_line.leading_lines):
            return None
        for statement in body:
            for node in descendants(statement, enter_scopes=False):
                if isinstance(node, (cst.SimpleString, cst.FormattedString)) and "\n" in (
                    self.code_for(node)
                ):
                    return None
                if isinstance(node, (cst.Yield, cst.Await)):
                    return None
                if isinstance(node, (cst.Global, cst.Nonlocal)):
                    return None
                if isinstance(node, cst.Call) and (
                    self._is_call_on(node, key, "release") or self._is_call_on(node, key, "acquire")
                ):
                    return None
                if isinstance(node, _EXITS) and self._leaves(node, statement):
                    return None
        header = cst.TrailingWhitespace()
        taken = acquire_line.trailing_whitespace.comment
        if taken is not None:  # the comment stays on the line that takes the lock
            header = cst.TrailingWhitespace(whitespace=cst.SimpleWhitespace("  "), comment=taken)
        block = cst.With(
            items=[cst.WithItem(item=receiver)],
            body=cst.IndentedBlock(body=body, header=header),
        )
        text = wrapping_block_text(
            model.module, block, indentation(model.module, model.ancestors(acquire_line))
        )
        if text is None:
            return None
        released = release_line.trailing_whitespace.comment
        if released is not None:  # the comment stays where the lock was released
            text += "\n" + released.value
        return self.fix(Applicability.SAFE, ReplaceLines(acquire_line, release_line, text))

    def _leaves(self, node: cst.CSTNode, top: cst.BaseStatement) -> bool:
        """A ``return``/``break``/``continue`` that leaves the critical section ``top`` belongs to."""
        if isinstance(node, cst.Return):
            return True
        for ancestor in self.model.ancestors(node):
            if isinstance(ancestor, _LOOPS):
                return not self.model.contains(top, ancestor) and ancestor is not top
            if ancestor is top:
                return not isinstance(top, _LOOPS)
        return True


def _is_mp_lock(kind: Kind) -> bool:
    """A lock of multiprocessing, its forks, a Manager or ``multiprocessing.dummy`` (not ``threading``)."""
    if kind.name is KindName.THREAD_LOCK:
        return kind.family == "multiprocessing.dummy"
    return kind.is_lock_like and kind.family != "threading"


def _blocking(call: cst.Call) -> bool:
    """A plain blocking ``acquire()`` / ``acquire(True)`` / ``acquire(block=True)``."""
    if keyword_arg(call, "timeout") is not None or any(a.star for a in call.args):
        return False
    positional = positional_args(call)
    if len(positional) > 1:
        return False
    block = call_argument(call, 0, "block")
    if block is None:
        block = call_argument(call, 0, "blocking")
    return block is None or (isinstance(block, cst.Name) and block.value == "True")


def _negative(expr: cst.BaseExpression) -> bool:
    return (
        isinstance(expr, cst.UnaryOperation)
        and isinstance(expr.operator, cst.Minus)
        and isinstance(expr.expression, (cst.Integer, cst.Float))
        and float(expr.expression.value) > 0
    )


def _may_raise(statement: cst.BaseStatement) -> bool:
    """Everything may raise but ``pass``, docstrings and plain ``name = name-or-constant``."""
    if not isinstance(statement, cst.SimpleStatementLine):
        return True
    for small in statement.body:
        if isinstance(small, cst.Pass):
            continue
        if isinstance(small, cst.Expr) and isinstance(
            small.value, (cst.SimpleString, cst.ConcatenatedString, cst.Ellipsis)
        ):
            continue
        if (
            isinstance(small, cst.Assign)
            and all(isinstance(t.target, cst.Name) for t in small.targets)
            and isinstance(small.value, (cst.Name, cst.Integer, cst.Float, cst.SimpleString))
        ):
            continue
        return True
    return False
