from __future__ import annotations

import libcst as cst

from mplint.diagnostics import Severity
from mplint.gates import PROCESSES, Gate, needs
from mplint.kinds import Kind
from mplint.model import FunctionNode, Submission, Via
from mplint.rule import Invalid, LintRule, Valid


class DaemonProcessSpawnsChildren(LintRule):
    """
    ## What it does
    Checks for code that starts child processes while running in a daemonic process: a `Pool` task or
    initializer (Pool workers are daemons) or the target / `run()` of a `Process` created with
    `daemon=True` (or given `p.daemon = True`) that — directly or through functions of this module,
    methods of its instances included (`job = Job(); job.run()`) — starts a `Process`, creates a process `Pool` or a `Manager()`, starts a manager, or submits to a
    `ProcessPoolExecutor`. A function imported from another module of the linted project, used as a
    pool task or called by one, is followed in its own module and into the functions of other modules
    of the project it calls (four modules deep), unless it reads a `daemon` flag on the way or expects
    the `AssertionError`.

    ## Why is this bad?
    A daemonic process may not have children: `multiprocessing/process.py` `BaseProcess.start` raises
    `AssertionError: daemonic processes are not allowed to have children`. For a Pool inside a Pool task
    the error is raised again by the outer `pool.map()` in the parent; for a daemon `Process` it is only
    printed by the child, which exits with code 1 while the parent is not told. A `ProcessPoolExecutor`
    inside a Pool task fails the same way when its workers start. Under `python -O` the assertion is
    stripped: the grandchildren start, and are orphaned when the daemon is terminated.

    Not reported: inner pools of threads (`ThreadPool`, `multiprocessing.dummy`, `ThreadPoolExecutor`);
    code run by a `ProcessPoolExecutor` (its workers are not daemonic, since Python 3.9); `billiard`,
    whose daemons may have children; a process library other than the outer one (its own bookkeeping
    does not know about the daemon); calls after or under a test of `current_process().daemon` (any
    `if`/`while`/`assert` test mentioning `daemon` earlier in the same function), or inside a `try`
    whose handler catches `AssertionError` (or `Exception`). Functions also called from non-daemonic
    code are reported on the daemonic path, which is named in the message.

    ## Example
    ```python
    def outer(chunk):
        with Pool(2) as inner:
            return inner.map(leaf, chunk)

    with Pool(4) as pool:
        pool.map(outer, chunks)
    ```

    Use instead:
    ```python
    with concurrent.futures.ProcessPoolExecutor(4) as ex:  # its workers may have children
        list(ex.map(outer, chunks))
    ```

    ## Fix safety
    There is no automatic fix: replace the outer pool by a `ProcessPoolExecutor`, make the outer process
    non-daemonic and join it, or flatten the work into one pool.

    ## References
    - [`Process.daemon`](https://docs.python.org/3/library/multiprocessing.html#multiprocessing.Process.daemon):
      "a daemonic process is not allowed to create child processes."
    """

    CODE = "MPL106"
    GATE = Gate.of(needs(PROCESSES))
    NAME = "daemon-process-spawns-children"
    MESSAGE = (
        "`{call}` {what} in a daemonic process ({path}): "
        "daemonic processes are not allowed to have children"
    )
    SEVERITY = Severity.ERROR

    VALID = [
        Valid(
            """
            from concurrent.futures import ProcessPoolExecutor
            from multiprocessing import Pool
            def leaf(x): return x
            def outer(chunk):
                with Pool(2) as inner:
                    return inner.map(leaf, chunk)
            if __name__ == '__main__':
                with ProcessPoolExecutor(2) as ex:
                    list(ex.map(outer, [[1], [2]]))
            """
        ),
        Valid(
            """
            from multiprocessing import Pool
            from multiprocessing.pool import ThreadPool
            def leaf(x): return x
            def outer(chunk):
                with ThreadPool(2) as inner:
                    return inner.map(leaf, chunk)
            if __name__ == '__main__':
                with Pool(2) as pool:
                    pool.map(outer, [[1], [2]])
            """
        ),
    ]
    INVALID = [
        Invalid(
            """
            from multiprocessing import Pool
            def leaf(x): return x
            def outer(chunk):
                with Pool(2) as inner:
                    return inner.map(leaf, chunk)
            if __name__ == '__main__':
                with Pool(2) as pool:
                    pool.map(outer, [[1], [2]])
            """
        ),
        Invalid(
            """
            import multiprocessing as mp
            def leaf(): pass
            def supervisor():
                child = mp.Process(target=leaf)
                child.start()
                child.join()
            if __name__ == '__main__':
                mp.Process(target=supervisor, daemon=True).start()
            """
        ),
    ]

    def check(self) -> None:
        model = self.model
        for root, submissions in model.workers.daemon_roots().items():
            submission = submissions[0]
            library = submission.owner.process_library
            if library is None or library == "billiard":
                continue  # billiard lets daemons have children
            for chain in model.callgraph.call_chains(root, callees=model.valueflow.callees):
                function = chain[-1]
                for call in model.callgraph.function_calls(function):
                    if self.reported(call):
                        continue
                    found = model.workers.process_work(call)
                    if found is None:
                        continue
                    what, inner = found
                    if inner.process_library != library or self._handled(call, chain):
                        continue
                    self.report(
                        call,
                        once=call,
                        call=self.snippet(call),
                        what=what,
                        path=self._describe(submission, chain),
                    )
                for call in model.callgraph.function_calls(function):
                    if not self.reported(call):
                        self._report_imported(call, call.func, library, submission, chain)
        self._check_imported_tasks()

    def _check_imported_tasks(self) -> None:
        """Pool tasks and initializers imported from another module of the project that start
        processes there."""
        model = self.model
        for submission in model.submissions():
            if submission.via not in (Via.POOL, Via.INITIALIZER) or self.reported(
                submission.callable
            ):
                continue
            library = submission.owner.process_library
            if (
                library is None
                or library == "billiard"
                or not model.workers.runs_in_daemon(submission)
            ):
                continue
            self._report_imported(submission.callable, submission.callable, library, submission, [])

    def _report_imported(
        self,
        node: cst.CSTNode,
        function: cst.BaseExpression,
        library: str,
        submission: Submission,
        chain: list[FunctionNode],
    ) -> bool:
        """Report ``node`` when ``function`` names a function of another module of the project that
        starts processes of ``library`` (and reads no ``daemon`` flag on the way, nor does this
        module before the call); True when reported."""
        model = self.model
        found = model.imported.function(function)
        if found is None or found[0].starts is None:
            return False
        facts, summary = found
        start = facts.starts
        assert start is not None
        if start.library != library or start.daemon_checked:
            return False
        if isinstance(node, cst.Call) and self._handled(node, chain):
            return False
        names = " -> ".join([*(_function_name(f) for f in chain), *(f"{n}()" for n in start.chain)])
        where = model.imported.display_path(summary, start.path)
        self.report(
            node,
            once=node,
            call=self.snippet(node),
            what=start.description,
            path=f"{names}, run by {_owner(submission)}",
            elsewhere=(
                self.related_in(where, start.span, f"`{start.chain[-1]}` {start.description} here"),
            ),
        )
        return True

    def _handled(self, call: cst.Call, chain: list[FunctionNode]) -> bool:
        """The call (or a call along the chain) is guarded by a daemon test, or its error is caught."""
        model = self.model
        sites: list[cst.CSTNode] = [call]
        for caller, callee in zip(chain, chain[1:]):
            sites.extend(
                c
                for c in model.callgraph.function_calls(caller)
                if model.valueflow.call_target(c) is callee
            )
        for site in sites:
            if model.exceptions.expects_exception(site, "AssertionError"):
                return True
            function = model.enclosing_function_node(site)
            for name in model.tree.name_uses("daemon"):
                if (
                    model.precedes(name, site)
                    and model.enclosing_function_node(name) is function
                    and self._in_a_test(name)
                ):
                    return True  # `if current_process().daemon: return ...` before, or around, it
        return False

    def _in_a_test(self, node: cst.CSTNode) -> bool:
        child = node
        for ancestor in self.model.ancestors(node):
            if isinstance(ancestor, (cst.If, cst.While, cst.IfExp, cst.Assert)):
                return child is ancestor.test
            if isinstance(ancestor, (cst.BaseStatement, cst.BaseSmallStatement)):
                return False
            child = ancestor
        return False

    def _describe(self, submission: Submission, chain: list[FunctionNode]) -> str:
        names = " -> ".join(_function_name(f) for f in chain)
        return f"{names}, run by {_owner(submission)}"


def _owner(submission: Submission) -> str:
    owner: Kind = submission.owner
    if submission.via is Via.INITIALIZER:
        return "a Pool initializer"
    if submission.via is Via.POOL:
        return "a Pool worker"
    return f"a daemonic {owner.cls or 'Process'}"


def _function_name(function: FunctionNode) -> str:
    if isinstance(function, cst.FunctionDef):
        return f"{function.name.value}()"
    return "<lambda>"
