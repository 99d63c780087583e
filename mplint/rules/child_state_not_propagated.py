from __future__ import annotations

from typing import Optional

import libcst as cst

from mplint.diagnostics import Severity
from mplint.gates import FUTURES, PROCESSES, Gate, needs
from mplint.model import BindingKind, ClassInfo, ExecContext, FunctionNode, LocalVar, Model, Via
from mplint.rule import Invalid, LintRule, Valid

_WHAT = {"rebind": "rebinds", "mutate": "changes"}

#: The copying submissions of ``run()`` by class name, and of bound methods by class, with their places.
_CopyIndex = tuple[
    dict[str, list[tuple[int, cst.Call]]], dict[cst.ClassDef, list[tuple[int, cst.Call]]]
]


class ChildStateNotPropagated(LintRule):
    """
    ## What it does
    Checks for code that runs in a child process (a `Process` target, a `run()` method, a pool or
    executor task, and the functions they call) and changes state that the parent later reads:
    - a module-level variable (`global counter; counter += 1`, `results.append(x)`, `cache[k] = v`);
    - an attribute of `self` in a `Process` subclass's `run()` or in a bound method used as a target
      (`self.result = ...`), read by the parent through the object;
    - a plain `list`/`dict`/`set` passed in `args=` and filled by the child (`out.append(x)`).

    It is reported only when the parent reads the same variable or attribute outside the child's code.
    A function imported from another module of the linted project that changes a variable of its
    module is reported where it is handed to the child, when this module reads that variable in the
    parent.

    ## Why is this bad?
    A child process has its own copy of the parent's memory (a copy-on-write copy under `fork`, a fresh
    import under `spawn` and `forkserver`). Whatever it changes stays in that copy and is lost when it
    exits: the parent silently keeps its old value. After four `Process` workers each ran
    `counter += 1; results.append(i * i)`, the parent printed `counter = 0 results = []`, under every
    start method. A `Process` target's return value is dropped too (`BaseProcess.run` ignores it).

    Not reported: globals that a pool `initializer` sets (a per-process cache or handle, on purpose),
    a global or `self` attribute that the child sets to one of its own parameters (`self.conn = conn`:
    it keeps what it was given, for its own use) or clears (`self.conn = None`: it drops its reference), globals that the parent never reads, `self`
    attributes that the parent reads only before any child gets the object (in the same function
    before the `Process(...)` call, or in a method only called there), objects that are shared on purpose (`Value`, `Array`, Manager
    proxies, queues: see MPL402 and MPL403), and threads (`threading`, `multiprocessing.dummy`,
    `ThreadPoolExecutor`), which do share memory.

    ## Example
    ```python
    results = []

    def work(i):
        results.append(i * i)

    if __name__ == "__main__":
        procs = [Process(target=work, args=(i,)) for i in range(4)]
        ...
        print(results)  # []
    ```

    Use instead:
    ```python
    def work(i):
        return i * i

    if __name__ == "__main__":
        with Pool(4) as pool:
            results = pool.map(work, range(4))
    # or pass a Queue, a Value or a Manager().list() and write to it explicitly
    ```

    ## Fix safety
    There is no automatic fix: the data has to travel back by a return value, a queue, shared memory or
    a manager, which is a design change.

    ## References
    - [Programming guidelines: "Explicitly pass resources to child processes"; "Better to inherit than
      pickle/unpickle"](https://docs.python.org/3/library/multiprocessing.html#programming-guidelines)
    - [Sharing state between processes](https://docs.python.org/3/library/multiprocessing.html#sharing-state-between-processes)
    - [cpython#84112](https://github.com/python/cpython/issues/84112): globals are not visible in pool
      children
    """

    CODE = "MPL404"
    GATE = Gate.of(needs(PROCESSES | FUTURES))
    NAME = "child-state-not-propagated"
    MESSAGE = "{what} in a child process (`{function}()`); the parent never sees it"
    SEVERITY = Severity.WARNING

    VALID = [
        Valid(
            """
            from multiprocessing import Pool
            MODEL = None
            def init(path):
                global MODEL
                MODEL = open(path).read()
            def work(x):
                return len(MODEL) + x
            if __name__ == '__main__':
                with Pool(2, initializer=init, initargs=('m.bin',)) as pool:
                    print(pool.map(work, range(3)), MODEL)
            """
        ),
        Valid(
            """
            from multiprocessing import Process
            seen = set()
            def work(x):
                seen.add(x)  # a per-process cache the parent never reads
            if __name__ == '__main__':
                Process(target=work, args=(1,)).start()
            """
        ),
    ]
    INVALID = [
        Invalid(
            """
            from multiprocessing import Process
            results = []
            def work(i):
                results.append(i * i)
            if __name__ == '__main__':
                p = Process(target=work, args=(3,))
                p.start()
                p.join()
                print(results)
            """
        ),
        Invalid(
            """
            import multiprocessing as mp
            class Job(mp.Process):
                def run(self):
                    self.result = 42
            if __name__ == '__main__':
                job = Job()
                job.start()
                job.join()
                print(job.result)
            """
        ),
    ]

    def check(self) -> None:
        model = self.model
        self._writes: dict[FunctionNode, list[tuple[cst.CSTNode, str, str]]] = {}
        self._copies: Optional[_CopyIndex] = None
        workers = model.workers.worker_functions(processes_only=True)
        if model.project is not None:
            self._check_imported(set(model.workers.child_functions))
        if not workers:
            return
        child_code = set(model.workers.child_functions)
        per_process = self._initializer_state(child_code)
        for function in workers:
            submissions = model.workers.worker_submissions(function)
            if not submissions or all(s.via is Via.INITIALIZER for s in submissions):
                continue
            for node, name, how in self._module_state_writes(function):
                if self.reported((function, name)) or name in per_process:
                    continue
                if how == "rebind" and hands_over_arguments(model, function, node):
                    continue
                if shared_on_purpose(model, name) or not self._parent_reads_global(
                    name, child_code
                ):
                    continue
                self._report_write(function, name, node, f"{_WHAT[how]} the module's `{name}`")
            self._check_self_state(function, child_code)
            self._check_arguments(function, child_code)

    # --- the state of another module of the project ---------------------------------------------------
    def _check_imported(self, child_code: set[FunctionNode]) -> None:
        """A function imported from another module of the project, run in a child process, that
        changes a variable of its module (its summary says so) which this module reads in the parent:
        reported where the function is handed to the child, the write as a related location."""
        model = self.model
        for submission in model.submissions():
            if submission.owner.uses_threads or submission.via is Via.INITIALIZER:
                continue
            found = model.imported.function(submission.callable)
            if found is None:
                continue
            facts, summary = found
            for write in facts.writes_globals:
                key = (summary.path, write.name)
                if self.reported(key) or not self._parent_reads_imported(
                    summary.path, write.name, child_code
                ):
                    continue
                where = model.imported.display_path(summary)
                self.report(
                    submission.callable,
                    once=key,
                    what=f"`{write.code}` {_WHAT[write.how]} `{summary.module}.{write.name}`",
                    function=write.function,
                    elsewhere=(
                        self.related_in(where, write.span, f"`{write.function}` writes it here"),
                    ),
                )

    def _parent_reads_imported(self, path: str, name: str, child_code: set[FunctionNode]) -> bool:
        """This module reads the variable ``name`` of the module file ``path`` (imported by name, or
        as an attribute of the imported module) in the parent."""
        model = self.model
        for use in model.tree.name_uses(name):
            parent = model.parent(use)
            expr: cst.BaseExpression = use
            if isinstance(parent, cst.Attribute) and parent.attr is use:
                expr = parent
            elif model.names.variable_use(use) not in ("load", "augment"):
                continue
            found = model.imported.lookup(expr)
            if (
                found is not None
                and found.summary.path == path
                and found.name == name
                and self._in_parent(expr, child_code)
            ):
                return True
        return False

    # --- module-level variables ----------------------------------------------------------------------
    def _initializer_state(self, child_code: set[FunctionNode]) -> set[str]:
        """Globals that a pool initializer (or what it calls) sets: per-process state, on purpose."""
        model = self.model
        names: set[str] = set()
        for root, submissions in model.workers.worker_roots().items():
            if not any(s.via is Via.INITIALIZER for s in submissions):
                continue
            for function in model.callgraph.reachable_from(root):
                names.update(name for _, name, _ in self._module_state_writes(function))
        return names

    def _module_state_writes(self, function: FunctionNode) -> list[tuple[cst.CSTNode, str, str]]:
        """``model.state.module_state_writes``, once per function."""
        found = self._writes.get(function)
        if found is None:
            found = self._writes[function] = self.model.state.module_state_writes(function)
        return found

    def _parent_reads_global(self, name: str, child_code: set[FunctionNode]) -> bool:
        model = self.model
        for use in model.tree.name_uses(name):
            if model.names.variable_use(use) not in ("load", "augment"):
                continue
            if model.binding_key(use) != LocalVar(model.module, name):
                continue
            if self._in_parent(use, child_code):
                return True
        return False

    def _in_parent(self, node: cst.CSTNode, child_code: set[FunctionNode]) -> bool:
        """``node`` runs in the parent after start-up: in a function that is not child code, or under
        the main guard (not at import time, which children repeat)."""
        model = self.model
        functions = [
            a for a in model.ancestors(node) if isinstance(a, (cst.FunctionDef, cst.Lambda))
        ]
        if functions:
            if any(f in child_code for f in functions):
                return False
            # A decorated function nothing here calls (a web route, a signal handler …) may be
            # called by a framework in the child: unknown, so not the parent.
            return not any(
                isinstance(f, cst.FunctionDef)
                and any(not _plain_decorator(d) for d in f.decorators)
                and not model.callgraph.calls_to(f)
                for f in functions
            )
        return model.exec_context(node) is ExecContext.GUARDED

    # --- self.x = ... in run() or in a bound-method target ---------------------------------------------
    def _check_self_state(self, function: FunctionNode, child_code: set[FunctionNode]) -> None:
        model = self.model
        if not isinstance(function, cst.FunctionDef):
            return
        info = model.names.enclosing_class(function)
        if info is None:
            return
        copies = self._copying_submissions(info)
        if not copies:
            return
        for node, attr in model.state.self_attribute_writes(function):
            if self.reported((function, "self." + attr)):
                continue
            if hands_over_arguments(model, function, node) or _clears(node):
                continue  # ``self.queue = queue`` / ``= None``: the child's own reference to hold or drop
            reads = [
                r
                for r in model.state.instance_attribute_reads(info, attr)
                if self._in_parent(r, child_code)
                and not self._in_init(r, info)
                and not self._before_copies(r, copies)
            ]
            if not reads:
                continue
            self._report_write(
                function, "self." + attr, node, "changes the child's copy of the object"
            )

    def _copying_submissions(self, info: ClassInfo) -> list[cst.Call]:
        """The calls that send the class's instances to a child: a Process subclass's creation, or a
        bound method submitted to processes (in the order of the submissions)."""
        if self._copies is None:
            self._copies = self._index_copies()
        by_name, by_class = self._copies
        found = [*by_name.get(info.name, ()), *by_class.get(info.node, ())]
        return [call for _, call in sorted(found, key=lambda item: item[0])]

    def _index_copies(self) -> _CopyIndex:
        """Every copying submission, once: ``run()`` ones by the class name of the Process, bound-method
        ones by the class of the instance, each with its place among the submissions."""
        model = self.model
        by_name: dict[str, list[tuple[int, cst.Call]]] = {}
        by_class: dict[cst.ClassDef, list[tuple[int, cst.Call]]] = {}
        for number, submission in enumerate(model.submissions()):
            if submission.owner.uses_threads or submission.via is Via.CALLBACK:
                continue
            if submission.via is Via.RUN:
                if submission.owner.cls is not None:
                    by_name.setdefault(submission.owner.cls, []).append((number, submission.call))
                continue
            instance = model.values.bound_method_instance(submission.callable)
            if instance is not None:
                by_class.setdefault(instance.node, []).append((number, submission.call))
        return by_name, by_class

    def _before_copies(self, read: cst.CSTNode, copies: list[cst.Call]) -> bool:
        """The parent's ``read`` runs before any child gets a copy of the instance, so it cannot be
        meant to see the child's change: it precedes every such call in the same function, with no
        loop around both, or it sits in a method whose every call does (one level)."""
        model = self.model

        def before(node: cst.CSTNode) -> bool:
            function = model.enclosing_function_node(node)
            loops = set(model.flow.enclosing_loops(node))
            return all(
                model.enclosing_function_node(copy) is function
                and model.precedes(node, copy)
                and not loops.intersection(model.flow.enclosing_loops(copy))
                for copy in copies
            )

        if before(read):
            return True
        function = model.enclosing_function_node(read)
        if not isinstance(function, cst.FunctionDef):
            return False
        callers = model.callgraph.calls_to(function)
        return bool(callers) and all(before(call) for call in callers)

    def _in_init(self, node: cst.CSTNode, info: ClassInfo) -> bool:
        function = self.model.enclosing_function_node(node)
        return (
            isinstance(function, cst.FunctionDef)
            and function.name.value == "__init__"
            and self.model.names.enclosing_class(function) is info
        )

    # --- a plain list passed in args= and filled by the child -----------------------------------------
    def _check_arguments(self, function: FunctionNode, child_code: set[FunctionNode]) -> None:
        model = self.model
        scope = model.names.scopes.get(function)
        if scope is None or model.callgraph.calls_to(function):
            return  # also called directly, in the parent: its changes may be seen there
        submissions = model.inference.submissions_to(function)
        if not submissions or any(
            s.owner.uses_threads or s.via is Via.CALLBACK for s in submissions
        ):
            return
        for name, bindings in scope.bindings.items():
            if (
                len(bindings) != 1
                or bindings[0].how is not BindingKind.PARAM
                or self.reported((function, name))
            ):
                continue
            sources = model.inference.param_sources(bindings[0])
            if not sources or not all(self._parent_container(s) for s in sources):
                continue
            write = self._first_mutation(function, name)
            if write is None:
                continue
            if not any(self._read_after(s, sources, child_code) for s in sources):
                continue
            self._report_write(function, name, write, f"changes a copy of the parent's `{name}`")

    def _report_write(
        self, function: FunctionNode, name: str, write: cst.CSTNode, change: str
    ) -> None:
        """Report ``write``, by which ``function`` (run in a child) changes ``name``: "`code` {change}";
        ``name`` is not reported again for ``function``."""
        self.report(
            write,
            once=(function, name),
            what=f"`{self.snippet(write)}` {change}",
            function=_name(function),
        )

    def _parent_container(self, source: cst.BaseExpression) -> bool:
        """A variable of the parent that holds a plain list, dict or set."""
        model = self.model
        if not isinstance(source, cst.Name):
            return False
        origins = model.values.origins(source)
        return bool(origins) and all(
            model.state.is_mutable_container(o) and model.kind_of(o) is None for o in origins or ()
        )

    def _first_mutation(self, function: FunctionNode, name: str) -> Optional[cst.CSTNode]:
        model = self.model
        for use in model.tree.name_uses(name):
            if model.enclosing_function_node(use) is not function:
                continue
            if model.binding_key(use) != LocalVar(function, name):
                continue
            write = model.state.mutation_at(use)
            if write is not None:
                return write
        return None

    def _read_after(
        self,
        source: cst.BaseExpression,
        sources: list[cst.BaseExpression],
        child_code: set[FunctionNode],
    ) -> bool:
        """The parent reads the variable after handing it over (not to hand it over again)."""
        model = self.model
        if not isinstance(source, cst.Name):
            return False
        key = model.binding_key(source)
        if key is None or not isinstance(key, LocalVar):
            return False
        for use in model.tree.name_uses(source.value):
            if any(use is s for s in sources) or not model.precedes(source, use):
                continue
            if model.binding_key(use) != key or model.names.variable_use(use) not in (
                "load",
                "augment",
            ):
                continue
            if self._in_parent(use, child_code):
                return True
        return False


def _clears(node: cst.CSTNode) -> bool:
    """``self.x = None``: the child drops its reference (a cleanup), it does not produce a value."""
    return (
        isinstance(node, cst.Assign)
        and isinstance(node.value, cst.Name)
        and node.value.value == "None"
    )


def _plain_decorator(decorator: cst.Decorator) -> bool:
    """``@staticmethod``, ``@classmethod``, ``@property`` …: they do not hand the function to anyone."""
    target = decorator.decorator
    if isinstance(target, cst.Attribute) and target.attr.value in ("setter", "getter", "deleter"):
        return True
    return isinstance(target, cst.Name) and target.value in (
        "staticmethod",
        "classmethod",
        "property",
        "cached_property",
        "abstractmethod",
        "overload",
    )


def _name(function: FunctionNode) -> str:
    return function.name.value if isinstance(function, cst.FunctionDef) else "<lambda>"


def hands_over_arguments(model: Model, function: FunctionNode, node: cst.CSTNode) -> bool:
    """``global X; X = param``, ``self.x = param`` (or ``X, Y = param``): the child stores what it
    was given for the rest of its own code, like an initializer does."""
    if not isinstance(node, (cst.Assign, cst.AnnAssign)) or node.value is None:
        return False
    value = node.value
    names: list[cst.BaseExpression] = [value] if isinstance(value, cst.Name) else []
    if isinstance(value, (cst.Tuple, cst.List)):
        names = [e.value for e in value.elements]
    if not names or not all(isinstance(n, cst.Name) for n in names):
        return False
    scope = model.names.scopes.get(function)
    return scope is not None and all(
        isinstance(n, cst.Name)
        and any(b.how is BindingKind.PARAM for b in scope.bindings.get(n.value, []))
        for n in names
    )


def shared_on_purpose(model: Model, name: str) -> bool:
    """A module variable holding an object of a known kind (a Value, a proxy, a queue …)."""
    for binding in model.names.module_scope.bindings.get(name, []):
        if binding.value is not None and model.kind_of(binding.value) is not None:
            return True
    return False
