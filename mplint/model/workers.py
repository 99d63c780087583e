"""What runs in a child: worker roots (targets, ``run()``, pool and executor tasks), the functions they
reach, daemonic workers, how many children run a function, processes that are never started, and what a
call does that starts child processes or threads (``process_work``, ``thread_work``)."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Optional

import libcst as cst

from mplint import api_table
from mplint.kinds import Kind, KindName
from mplint.model.callgraph import CALL_GRAPH_DEPTH
from mplint.model.names import ClassInfo
from mplint.model.submission import Submission, Via
from mplint.model.syntax import (
    FunctionNode,
    call_argument,
    is_true_literal,
    keyword_arg,
    positional_args,
    scope_descendants,
)

if TYPE_CHECKING:
    from mplint.model.callgraph import CallGraph
    from mplint.model.inference import Inference
    from mplint.model.names import Names
    from mplint.model.tree import Tree


def has_single_worker(owner: Kind) -> bool:
    """A pool or executor created with a literal single worker: ``Pool(1)``, ``max_workers=1``."""
    creator = owner.creator
    if creator is None:
        return False
    keyword = "max_workers" if owner.is_executor else "processes"
    count = call_argument(creator, 0, keyword)
    return isinstance(count, cst.Integer) and count.value == "1"


def _is_assertion_argument(tree: Tree, name: cst.Name) -> bool:
    """``name`` is an argument of ``self.assertTrue(...)`` (any ``assert*`` method of a test)."""
    arg = tree.parents.get(name)
    call = tree.parents.get(arg) if isinstance(arg, cst.Arg) else None
    return (
        isinstance(call, cst.Call)
        and isinstance(call.func, cst.Attribute)
        and call.func.attr.value.startswith("assert")
    )


@dataclass(eq=False)
class Workers:
    """What runs in a child process (see the module docstring)."""

    tree: Tree
    names: Names
    callgraph: CallGraph
    inference: Inference
    _worker_roots: Optional[dict[FunctionNode, list[Submission]]] = field(
        default=None, init=False, repr=False
    )
    _roots_reaching: Optional[dict[FunctionNode, list[FunctionNode]]] = field(
        default=None, init=False, repr=False
    )

    def worker_roots(self) -> dict[FunctionNode, list[Submission]]:
        """Functions that run in a child process (or thread) directly: targets, ``run()``, pool tasks."""
        if self._worker_roots is None:
            roots: dict[FunctionNode, list[Submission]] = {}
            for submission in self.inference.submissions():
                if submission.via is Via.CALLBACK:
                    continue
                function: Optional[FunctionNode]
                if submission.via is Via.RUN:
                    info = self.names.classes.get(submission.owner.cls or "")
                    function = self.names.class_method(info, "run") if info is not None else None
                else:
                    function = self.names.resolve_function(submission.callable)
                if function is not None:
                    roots.setdefault(function, []).append(submission)
            self._worker_roots = roots
        return self._worker_roots

    def worker_functions(self, *, processes_only: bool = True) -> dict[FunctionNode, Submission]:
        """The worker set (B7): roots and the module functions they reach, with a submission for each."""
        found: dict[FunctionNode, Submission] = {}
        for root, submissions in self.worker_roots().items():
            relevant = [s for s in submissions if not (processes_only and s.owner.uses_threads)]
            if not relevant:
                continue
            frontier = [root]
            for _ in range(CALL_GRAPH_DEPTH + 1):
                next_frontier: list[FunctionNode] = []
                for function in frontier:
                    if function in found:
                        continue
                    found[function] = relevant[0]
                    next_frontier.extend(self.callgraph.callees(function))
                frontier = next_frontier
        return found

    def is_daemonic_process(self, kind: Kind) -> bool:
        """A Process created as a daemon: ``daemon=True`` given to its constructor, ``x.daemon = True`` on a
        variable holding it, or an instance of a subclass that sets ``self.daemon = True`` (or passes
        ``daemon=True`` to the base ``__init__``)."""
        creator = kind.creator
        if not kind.is_process or creator is None:
            return False
        daemon = keyword_arg(creator, "daemon")
        if daemon is not None and is_true_literal(daemon.value):
            return True
        for attribute in self.tree.attribute_stores.get("daemon", []):
            statement = self.tree.small_statement_of(attribute)
            if isinstance(statement, cst.Assign) and is_true_literal(statement.value):
                other = self.inference.kind_of(attribute.value)
                if other is not None and other.creator is creator:
                    return True
        info = self.names.classes.get(kind.cls) if kind.cls is not None else None
        return info is not None and any(
            self._class_sets_daemon(cls) for cls in self.names.lineage(info)
        )

    def _class_sets_daemon(self, info: ClassInfo) -> bool:
        """The class itself (not its bases) sets ``self.daemon = True`` or passes ``daemon=True`` to a
        base ``__init__``."""
        if any(is_true_literal(value) for value in info.attributes.get("daemon", [])):
            return True
        for method in info.methods.values():
            for call in self.callgraph.function_calls(method):
                func = call.func
                if isinstance(func, cst.Attribute) and func.attr.value == "__init__":
                    daemon = keyword_arg(call, "daemon")
                    if daemon is not None and is_true_literal(daemon.value):
                        return True
        return False

    def runs_in_daemon(self, submission: Submission) -> bool:
        """The submitted callable runs in a daemonic process: a process Pool's task or initializer (Pool
        workers are daemons), or the target / ``run()`` of a daemonic Process. ProcessPoolExecutor workers
        are not daemonic (Python 3.9+); threads are not processes."""
        owner = submission.owner
        if owner.uses_threads:
            return False
        if submission.via in (Via.POOL, Via.INITIALIZER):
            return owner.is_process_pool
        if submission.via in (Via.PROCESS, Via.RUN):
            return self.is_daemonic_process(owner)
        return False

    def daemon_roots(self) -> dict[FunctionNode, list[Submission]]:
        """The worker roots (B7) that run in a daemonic process, each with its daemonic submissions."""
        roots: dict[FunctionNode, list[Submission]] = {}
        for function, submissions in self.worker_roots().items():
            daemonic = [s for s in submissions if self.runs_in_daemon(s)]
            if daemonic:
                roots[function] = daemonic
        return roots

    @functools.cached_property
    def run_in_executor_submissions(self) -> list[Submission]:
        """``loop.run_in_executor(executor, fn, *args)`` with a known executor, as executor
        submissions: ``fn`` and ``args`` travel like ``executor.submit(fn, *args)`` (pickled for a
        ``ProcessPoolExecutor``). Not part of :meth:`submissions`."""
        out: list[Submission] = []
        for call in self.tree.method_calls.get("run_in_executor", []):
            positional = positional_args(call)
            if len(positional) < 2:
                continue
            owner = self.inference.kind_of(positional[0].value)
            if owner is None or not owner.is_executor:
                continue
            args = None
            if len(positional) == len(call.args):
                args = tuple(a.value for a in positional[2:])
            out.append(Submission(call, Via.EXECUTOR, owner, positional[1].value, args))
        return out

    def never_started(self, creation: cst.Call) -> bool:
        """The Process that ``creation`` makes is bound to a variable of a function that never starts
        it and never lets it escape (no ``start()``; not returned, passed on, stored or rebound): what
        spawn would pickle at ``start()`` is never pickled."""
        target = self.tree.assigned_name(creation)
        if target is None:
            return False
        function = self.tree.enclosing_function_node(creation)
        key = self.names.binding_key(target)
        if function is None or key is None:
            return False
        for name in self.tree.name_uses_in(target.value, function):
            if name is target or not self.tree.contains(function, name):
                continue
            if self.names.binding_key(name) != key:
                continue
            parent = self.tree.parents.get(name)
            if isinstance(parent, cst.Attribute) and parent.value is name:
                if parent.attr.value == "start":
                    return False
                continue  # p.join(), p.pid, p.daemon = True
            if _is_assertion_argument(self.tree, name):
                continue  # self.assertTrue(p): test assertions do not start processes
            return False  # returned, passed, stored, rebound: it may be started elsewhere
        return True

    @functools.cached_property
    def child_functions(self) -> frozenset[FunctionNode]:
        """Every function of this module that may run in a child process: the worker set of processes
        (:meth:`worker_functions`), and what child code hands on without calling it (a thread target
        started in the child, a callback, a signal handler), with the functions those reach."""
        found: set[FunctionNode] = set(self.worker_functions(processes_only=True))
        frontier = list(found)
        while frontier:
            function = frontier.pop()
            for node in scope_descendants(function):
                if isinstance(node, (cst.FunctionDef, cst.Lambda)) and node not in found:
                    found.add(node)  # a nested def or lambda: it runs where its maker runs
                    frontier.append(node)
                    continue
                if not isinstance(node, (cst.Name, cst.Attribute)):
                    continue
                parent = self.tree.parents.get(node)
                if isinstance(parent, cst.Call) and parent.func is node:
                    continue  # a call: already followed by the call graph
                if isinstance(parent, cst.Attribute) and parent.value is node:
                    continue  # ``self`` in ``self.method``: the attribute is looked at itself
                if isinstance(node, cst.Name) and self.names.variable_use(node) != "load":
                    continue  # an attribute's name, a keyword, a binding …
                target = self.names.resolve_function(node)
                if target is None or target is function:
                    continue
                for reached in self.callgraph.reachable_from(target):
                    if reached not in found:
                        found.add(reached)
                        frontier.append(reached)
        return frozenset(found)

    def worker_submissions(self, function: FunctionNode) -> list[Submission]:
        """The submissions (to processes, not threads) whose child runs ``function``, directly or through
        calls; empty for a function that only runs in the parent."""
        if self._roots_reaching is None:  # function -> the roots that reach it, in the roots' order
            index: dict[FunctionNode, list[FunctionNode]] = {}
            for root in self.worker_roots():
                for reached in self.callgraph.reachable_from(root):
                    index.setdefault(reached, []).append(root)
            self._roots_reaching = index
        roots = self.worker_roots()
        out: list[Submission] = []
        for root in self._roots_reaching.get(function, ()):
            out.extend(s for s in roots[root] if not s.owner.uses_threads)
        return out

    def runs_concurrently(self, function: FunctionNode) -> bool:
        """Several child processes may run ``function`` at the same time.

        True when it is a pool's initializer, a task of ``map()``-like pool or executor methods, a task
        submitted (``apply_async``/``submit``) or a Process started in a loop or comprehension (or from a
        helper called in a loop or from several places), or when several submissions lead to it. A pool or
        executor created with a literal single worker runs one task at a time; ``Pool.apply`` blocks.
        """
        sites: set[cst.Call] = set()
        for submission in self.worker_submissions(function):
            if self._submission_repeats(submission):
                return True
            func = submission.call.func
            method = func.attr.value if isinstance(func, cst.Attribute) else ""
            if not (submission.via is Via.POOL and method in ("apply", "map", "starmap")):
                sites.add(submission.call)  # returns while the child works: may overlap the next
        return len(sites) > 1

    def _submission_repeats(self, submission: Submission) -> bool:
        via = submission.via
        if via in (Via.POOL, Via.EXECUTOR, Via.INITIALIZER) and has_single_worker(submission.owner):
            return False
        if via is Via.INITIALIZER:
            return True
        if via in (Via.POOL, Via.EXECUTOR):
            func = submission.call.func
            method = func.attr.value if isinstance(func, cst.Attribute) else ""
            if method == "apply":
                return False  # blocks until the task is done
            if method not in ("apply_async", "submit"):
                return True  # map, imap, starmap …: many tasks
        if via not in (Via.POOL, Via.EXECUTOR, Via.PROCESS, Via.RUN):
            return False
        return self.callgraph.repeats(submission.call)

    def submission_root(self, submission: Submission) -> Optional[FunctionNode]:
        """The function a submission runs first: the target or task function, or ``run()``."""
        if submission.via is Via.RUN:
            info = self.names.classes.get(submission.owner.cls or "")
            return self.names.class_method(info, "run") if info is not None else None
        return self.names.resolve_function(submission.callable)

    def process_work(self, call: cst.Call) -> Optional[tuple[str, Kind]]:
        """What ``call`` does that starts child processes, as (description, kind), else None.

        Starting a Process, creating a process Pool or ``Manager()``, starting a manager, and submitting
        to a ProcessPoolExecutor (its workers start lazily). Threads do not count.
        """
        func = call.func
        kind = self.inference.kind_of(call)
        if kind is not None and kind.creator is call and not kind.uses_threads:
            if kind.is_process_pool:
                return f"creates a {kind.name.value}", kind
            if kind.name is KindName.MANAGER and kind.cls is None:
                # Manager() starts its server process at once; SyncManager() waits for .start()
                qual = self.names.qualname(func)
                if qual is None and isinstance(func, cst.Attribute):
                    qual = func.attr.value
                if qual is not None and qual.rsplit(".", 1)[-1] == "Manager":
                    return "starts a Manager", kind
        if not isinstance(func, cst.Attribute):
            return None
        receiver = self.inference.kind_of(func.value)
        if receiver is None or receiver.uses_threads:
            return None
        method = func.attr.value
        if method == "start" and receiver.is_process:
            return f"starts a {receiver.cls or 'Process'}", receiver
        if method == "start" and receiver.name is KindName.MANAGER:
            return "starts a Manager", receiver
        if method in api_table.EXECUTOR_TASK_METHODS and receiver.name is KindName.EXECUTOR:
            return "submits to a ProcessPoolExecutor", receiver
        return None

    def starts_processes(self, function: FunctionNode) -> Optional[tuple[cst.Call, str, Kind]]:
        """The first call in the function's own body that starts child processes."""
        for call in self.callgraph.function_calls(function):
            found = self.process_work(call)
            if found is not None:
                return call, found[0], found[1]
        return None

    def thread_work(self, call: cst.Call) -> Optional[tuple[str, Kind]]:
        """What ``call`` does that starts threads in this process, as (description, kind), else None.

        ``Thread.start()`` (also ``multiprocessing.dummy.Process`` and ``Thread`` subclasses), creating a
        ``ThreadPool`` (its workers start at once) or a process ``Pool`` (its three handler threads),
        and submitting to a ``ThreadPoolExecutor`` or a ``ProcessPoolExecutor`` (their threads start
        with the first task).
        """
        kind = self.inference.kind_of(call)
        if kind is not None and kind.creator is call and not kind.proxy:
            if kind.name is KindName.THREAD_POOL or (
                kind.name is KindName.POOL and kind.family == "multiprocessing.dummy"
            ):
                return "creates a ThreadPool", kind
            if kind.is_process_pool:
                return "creates a Pool (it runs three handler threads)", kind
        func = call.func
        if not isinstance(func, cst.Attribute):
            return None
        receiver = self.inference.kind_of(func.value)
        if receiver is None or receiver.proxy:
            return None
        method = func.attr.value
        if method == "start" and receiver.is_thread:
            return "starts a thread", receiver
        if method in api_table.EXECUTOR_TASK_METHODS and receiver.is_executor:
            return f"submits to a {receiver.name.value} (it starts threads)", receiver
        return None
