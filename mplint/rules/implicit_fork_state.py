from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

import libcst as cst

from mplint.diagnostics import Severity
from mplint.gates import FUTURES, PROCESSES, Gate, needs
from mplint.model import ExecContext, FunctionNode, StateWrite, Submission, Via, WriteKind
from mplint.rule import Invalid, LintRule, Valid

_RNG_EFFECT = {
    "numpy.random": "forked workers share one copy of its state, spawned ones are unseeded",
    "torch": "forked workers share one copy of its state, spawned ones are unseeded",
    "random": "children re-seed `random` (fork) or start unseeded (spawn): the seed is lost",
}


class ImplicitForkState(LintRule):
    """
    ## What it does
    Checks for state that worker processes only see when they are forked:

    - a module-level variable that the parent sets or changes after import — under
      `if __name__ == "__main__":` or in a function called from there — and that a function running
      in a child process (a `Process` target, a pool or executor task, an initializer, and what they
      call in this module) reads, when the processes may start with spawn or forkserver; also a name
      that only exists because the guarded block defines or imports it;
    - a process-global random generator seeded by the parent (`numpy.random.seed`, `random.seed`,
      `torch.manual_seed`) while the workers draw from it (`numpy.random.rand`, `random.choice`,
      `torch.randn` …) without seeding it themselves, whatever the start method.

    Values passed as arguments or through `initializer`/`initargs`, variables the workers set
    themselves, and values set at import time are not reported; nor threads. Explicit fork contexts
    (and `start-method = "fork"`) are not reported for variables.

    Each variable is reported once, where the value has to start travelling: at its binding under
    the guard, or at the first of the parent's writes after import. Its other writes and the lines
    where workers read it are the diagnostic's related locations (notes in the `full` format,
    `relatedLocations` in SARIF, related information in the language server). A helper that exists
    only under the guard is reported once, with the guard-only names it reads as related locations:
    in a spawned child the helper itself is missing, so those reads never run. A `# noqa: MPL208` on
    the reported line suppresses the whole diagnostic, related locations included.

    This rule is in **preview**: it cannot tell a setting the workers need from one they happen to
    read with a usable default, and it follows calls only within the module.

    ## Why is this bad?
    A forked child starts as a copy of the parent's memory, so it sees what the parent set. A child
    started by spawn or forkserver — the default on macOS and Windows, and on Linux from Python 3.14 —
    re-imports the module instead: it sees the import-time value, and a name created only under the
    guard (or by `global X` in a function the guard calls) does not exist there:
    `NameError: name 'X' is not defined`, which `Pool.map()` re-raises in the parent. The worker **silently** computes with the wrong setting,
    and the same code gives different results on Linux 3.13 and macOS.

    Seeds go wrong both ways: forked workers inherit one copy of numpy's (or torch's) global generator
    and all draw the **same** numbers; spawned workers are not seeded at all and the run is not
    reproducible. The standard `random` module is re-seeded in every forked child, so its seed is lost
    under every method.

    ## Example
    ```python
    CONFIG = {"mode": "default"}

    def work(x):
        return CONFIG["mode"], np.random.rand()

    if __name__ == "__main__":
        CONFIG["mode"] = "production"
        np.random.seed(42)
        with Pool(4) as pool:
            print(pool.map(work, range(4)))
    ```

    Use instead:
    ```python
    def init(mode, seed_sequence):
        global CONFIG, RNG
        CONFIG = {"mode": mode}
        RNG = np.random.default_rng(seed_sequence)

    if __name__ == "__main__":
        seeds = np.random.SeedSequence(42).spawn(4)
        with Pool(4, initializer=init, initargs=("production", seeds[0])) as pool:
            ...
    ```
    (or pass the mode and a per-task seed as task arguments).

    ## Fix safety
    There is no automatic fix: the value has to travel explicitly, which changes the workers'
    signatures.

    ## References
    - [Programming guidelines: global variables](https://docs.python.org/3/library/multiprocessing.html#the-spawn-and-forkserver-start-methods)
    - [NumPy: parallel random number generation](https://numpy.org/doc/stable/reference/random/parallel.html)
    """

    CODE = "MPL208"
    GATE = Gate.of(needs(PROCESSES | FUTURES))
    NAME = "implicit-fork-state"
    MESSAGE = "`{name}` {problem}"
    SEVERITY = Severity.WARNING
    PREVIEW = True

    VALID = [
        Valid(
            """
            from multiprocessing import Pool
            MODE = 'default'
            def work(x): return MODE
            if __name__ == '__main__':
                with Pool(2) as pool:
                    pool.map(work, [1])
            """
        ),
        Valid(
            """
            from multiprocessing import Pool
            MODE = 'default'
            def init(mode):
                global MODE
                MODE = mode
            def work(x): return MODE
            if __name__ == '__main__':
                with Pool(2, initializer=init, initargs=('prod',)) as pool:
                    pool.map(work, [1])
            """
        ),
        Valid(
            """
            import multiprocessing as mp
            MODE = 'default'
            def work(): print(MODE)
            if __name__ == '__main__':
                MODE = 'prod'
                mp.get_context('fork').Process(target=work).start()
            """
        ),
    ]
    INVALID = [
        Invalid(
            """
            from multiprocessing import Pool
            CONFIG = {'mode': 'default'}
            def work(x): return CONFIG['mode']
            if __name__ == '__main__':
                CONFIG['mode'] = 'production'
                with Pool(2) as pool:
                    pool.map(work, [1])
            """
        ),
        Invalid(
            """
            import numpy as np
            from multiprocessing import Pool
            def work(x): return np.random.rand()
            if __name__ == '__main__':
                np.random.seed(42)
                with Pool(2) as pool:
                    pool.map(work, [1, 2])
            """
        ),
    ]

    def check(self) -> None:
        model = self.model
        workers = model.workers.worker_functions(processes_only=True)
        if not workers:
            return
        self._check_variables(workers)
        self._check_seeds(workers)

    # --- (a) module state set by the parent after import ----------------------------------------------
    def _check_variables(self, workers: dict[FunctionNode, Submission]) -> None:
        """One diagnostic per variable: at its binding under the guard, or at the first of the parent's
        writes after import; the other writes and the workers' reads are its related locations. A
        worker function that itself exists only under the guard (and is reported for that) takes the
        findings of the names it reads as related locations: its reads never run in a spawned child."""
        model = self.model
        worker_written = {
            w.name
            for w in model.state.module_variable_writes
            if self._function_of(w.node) in workers
        }
        at_import = self._import_reachable()
        findings: dict[str, _Finding] = {}
        for function in workers:
            submissions = [
                s
                for s in model.workers.worker_submissions(function)
                if model.start_method(s.owner) != "fork"
                and not model.startmethod.start_method_unknown(s.owner)
            ]
            if not submissions:
                continue
            for name, reads in model.names.global_reads(function).items():
                if name in worker_written:
                    continue
                finding = findings.get(name)
                if finding is None:
                    finding = self._variable_finding(
                        name, function, workers, submissions, at_import
                    )
                    if finding is None:
                        continue
                    findings[name] = finding
                finding.readers.append(function)
                finding.related.append(
                    (reads[0], f"{_function_name(function)} reads `{name}` here")
                )
        roots = _merge_roots(list(findings.values()))
        notes: dict[int, list[tuple[cst.CSTNode, str]]] = {}
        for finding in findings.values():
            root = roots[id(finding)]
            if root is not None:
                notes.setdefault(id(root), []).extend(
                    [(finding.node, finding.message), *finding.related]
                )
        for finding in findings.values():
            if roots[id(finding)] is None:
                related = (*finding.related, *notes.get(id(finding), ()))
                self.report(finding.node, message=finding.message, related=related)

    def _variable_finding(
        self,
        name: str,
        function: FunctionNode,
        workers: dict[FunctionNode, Submission],
        submissions: list[Submission],
        at_import: set[FunctionNode],
    ) -> Optional[_Finding]:
        """What is wrong with ``name`` that ``function`` reads in a child, or None."""
        model = self.model
        reader = _function_name(function)
        guard_only = self._guard_only_binding(name)
        if guard_only is not None:
            return _Finding(
                guard_only,
                f"`{name}` exists only under the `__main__` guard, but {reader} reads it: "
                "spawned children re-import the module and raise NameError",
            )
        writes = [
            write
            for write in model.state.module_variable_writes
            if write.name == name
            and self._parent_side(write, workers)
            and any(model.precedes(write.node, s.call) for s in submissions)
        ]
        if not writes:
            return None
        first = writes[0]
        if not self._bound_at_import(name, at_import):
            problem = (
                f"is only set after import, but {reader} reads it in a child: "
                "spawned children re-import the module, where it does not exist, "
                "and raise NameError"
            )
        else:
            verb = "is rebound" if first.how is WriteKind.ASSIGN else "is changed"
            problem = (
                f"{verb} after import, but {reader} reads it in a child: "
                "spawned children re-import the module and see the old value"
            )
        finding = _Finding(first.node, f"`{name}` {problem}")
        for write in writes[1:]:
            verb = "set" if write.how is WriteKind.ASSIGN else "changed"
            finding.related.append((write.node, f"`{name}` is also {verb} here"))
        return finding

    def _bound_at_import(self, name: str, at_import: set[FunctionNode]) -> bool:
        """Importing the module binds ``name``: a binding that runs at import time, at module level or
        in a function that import-time code calls. False when every binding is under the
        ``__main__`` guard or in functions that only run later (``global X`` in ``main()``)."""
        model = self.model
        bindings = model.names.module_scope.bindings.get(name, [])
        if not bindings:
            return True  # a builtin or something this module cannot see: assume it exists
        for binding in bindings:
            function = model.enclosing_function_node(binding.node)
            if function is None:
                if model.exec_context(binding.node) is not ExecContext.GUARDED:
                    return True
            elif function in at_import:
                return True
        return False

    def _import_reachable(self) -> set[FunctionNode]:
        """Functions that module-level code outside the guard calls, and what they call."""
        model = self.model
        reached: set[FunctionNode] = set()
        for call in model.tree.calls:
            if model.exec_context(call) is not ExecContext.IMPORT:
                continue
            target = model.names.resolve_function(call.func)
            if target is not None and target not in reached:
                reached |= model.callgraph.reachable_from(target)
        return reached

    def _guard_only_binding(self, name: str) -> Optional[cst.CSTNode]:
        """The first binding of a module name that is bound only under the ``__main__`` guard."""
        model = self.model
        bindings = model.names.module_scope.bindings.get(name, [])
        if not bindings:
            return None
        contexts = [model.exec_context(b.node) for b in bindings]
        if not all(c is ExecContext.GUARDED for c in contexts):
            return None
        if any(model.enclosing_function_node(b.node) is not None for b in bindings):
            return None
        return bindings[0].node

    def _parent_side(self, write: StateWrite, workers: dict[FunctionNode, Submission]) -> bool:
        """The write runs in the parent after import: under the guard, or in a function that only
        the guarded code calls."""
        model = self.model
        function = self._function_of(write.node)
        if function is None:
            return model.exec_context(write.node) is ExecContext.GUARDED
        return function in model.callgraph.guard_reachable and function not in workers

    def _function_of(self, node: cst.CSTNode) -> Optional[FunctionNode]:
        return self.model.enclosing_function_node(node)

    # --- (b) global random generators seeded in the parent ------------------------------------------
    def _check_seeds(self, workers: dict[FunctionNode, Submission]) -> None:
        model = self.model
        unseeded = self._drawn_unseeded()
        if not unseeded:
            return
        for call in model.tree.calls:
            found = global_rng_call(model.qualname(call.func))
            if found is None or found[1] != "seed" or found[0] not in unseeded:
                continue
            if not self._parent_side(StateWrite(found[0], call, WriteKind.MUTATE), workers):
                continue
            self.report(
                call,
                name=self.snippet(call),
                problem=f"seeds the parent's global generator only; {_RNG_EFFECT[found[0]]}",
            )

    def _drawn_unseeded(self) -> set[str]:
        """Generators that some child draws from without seeding them itself (in its task, in what the
        task calls, or in its pool's initializer)."""
        model = self.model
        roots = model.workers.worker_roots()
        initializers: dict[int, set[str]] = {}  # id of the pool's creating call -> seeded modules
        for root, submissions in roots.items():
            for submission in submissions:
                creator = submission.owner.creator
                if submission.via is Via.INITIALIZER and creator is not None:
                    seeded = self._rng_uses(root)[0]
                    initializers.setdefault(id(creator), set()).update(seeded)
        out: set[str] = set()
        for root, submissions in roots.items():
            processes = [s for s in submissions if not s.owner.uses_threads]
            if not processes:
                continue
            seeded, drawn = self._rng_uses(root)
            for submission in processes:
                creator = submission.owner.creator
                extra = initializers.get(id(creator), set()) if creator is not None else set()
                out.update(drawn - seeded - extra)
        return out

    def _rng_uses(self, root: FunctionNode) -> tuple[set[str], set[str]]:
        """(modules seeded, modules drawn from) by ``root`` and the functions it reaches."""
        model = self.model
        seeded: set[str] = set()
        drawn: set[str] = set()
        for function in model.callgraph.reachable_from(root):
            for call in model.callgraph.function_calls(function):
                found = global_rng_call(model.qualname(call.func))
                if found is not None:
                    (seeded if found[1] == "seed" else drawn).add(found[0])
        return seeded, drawn


@dataclass
class _Finding:
    """One variable's diagnostic while it is being gathered: where, what, and the other places."""

    node: cst.CSTNode
    message: str
    related: list[tuple[cst.CSTNode, str]] = field(default_factory=list)
    readers: list[FunctionNode] = field(default_factory=list)


def _merge_roots(findings: list[_Finding]) -> dict[int, Optional[_Finding]]:
    """For each finding (by id), the reported finding it becomes a related location of, or None when
    it is reported itself: a finding whose every reader is a helper that is itself a finding (it
    exists only under the guard) goes to that helper's, following chains of such helpers; helpers
    that read each other are all reported."""
    by_node = {finding.node: finding for finding in findings}
    direct: dict[int, Optional[_Finding]] = {}
    for finding in findings:
        hosts = [by_node.get(reader) for reader in finding.readers]
        host = hosts[0] if hosts else None
        if host is finding or any(h is not host for h in hosts):
            host = None
        direct[id(finding)] = host
    roots: dict[int, Optional[_Finding]] = {}
    for finding in findings:
        host = direct[id(finding)]
        seen = {id(finding)}
        while host is not None and id(host) not in seen and direct[id(host)] is not None:
            seen.add(id(host))
            host = direct[id(host)]
        roots[id(finding)] = None if host is None or id(host) in seen else host
    return roots


def _function_name(function: FunctionNode) -> str:
    if isinstance(function, cst.FunctionDef):
        return f"worker `{function.name.value}()`"
    return "a worker lambda"


# --- helpers of this rule ---
#: Process-global random number generators: the module, its seeding functions, and the functions that
#: do NOT draw from the global state (constructors of independent generators, state accessors).
_GLOBAL_RNGS: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    "numpy.random": (
        frozenset({"seed"}),
        frozenset(
            {
                "default_rng",
                "Generator",
                "RandomState",
                "SeedSequence",
                "BitGenerator",
                "PCG64",
                "PCG64DXSM",
                "MT19937",
                "Philox",
                "SFC64",
                "get_state",
                "set_state",
                "get_bit_generator",
                "set_bit_generator",
            }
        ),
    ),
    "random": (
        frozenset({"seed"}),
        frozenset({"Random", "SystemRandom", "getstate", "setstate"}),
    ),
    "torch": (
        frozenset({"manual_seed", "random.manual_seed", "seed"}),
        frozenset(),
    ),
}


_TORCH_DRAWS = frozenset(
    {
        "rand",
        "randn",
        "randint",
        "randperm",
        "rand_like",
        "randn_like",
        "randint_like",
        "normal",
        "bernoulli",
        "multinomial",
        "poisson",
    }
)


def global_rng_call(qualname: Optional[str]) -> Optional[tuple[str, str]]:
    """``(module, "seed")`` when ``qualname`` seeds a process-global random generator
    (``numpy.random.seed``, ``random.seed``, ``torch.manual_seed``), ``(module, "draw")`` when it draws
    from one (``numpy.random.rand``, ``random.choice``, ``torch.randn`` …), else None."""
    if qualname is None:
        return None
    for module in ("numpy.random", "random", "torch"):
        if not qualname.startswith(module + "."):
            continue
        name = qualname[len(module) + 1 :]
        seeds, others = _GLOBAL_RNGS[module]
        if name in seeds:
            return module, "seed"
        if module == "torch":
            return (module, "draw") if name in _TORCH_DRAWS else None
        if "." in name or name in others or not name[:1].islower():
            return None
        return module, "draw"
    return None
