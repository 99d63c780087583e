"""Unit tests of the semantic model itself (not of any rule)."""

from __future__ import annotations

import sysconfig
import textwrap
from pathlib import Path

import libcst as cst
import pytest

from mplint.kinds import KindName
from mplint.model import TRIVIA, ExecContext, Model, build_model, is_main_guard_test, walk


def model_of(code: str, path: str = "mod.py", start_method: str | None = None) -> Model:
    return build_model(cst.parse_module(textwrap.dedent(code)), path, start_method)


def find_call(model: Model, text: str, nth: int = 0) -> cst.Call:
    found = [c for c in model.tree.calls if model.module.code_for_node(c) == text]
    assert len(found) > nth, (
        f"no call {text!r}; calls: {[model.module.code_for_node(c) for c in model.calls]}"
    )
    return found[nth]


def find_name(model: Model, name: str, nth: int = -1) -> cst.Name:
    found = [n for n in model.tree.order if isinstance(n, cst.Name) and n.value == name]
    assert found, name
    return found[nth]


# --- qualified names ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("imports", "expr", "expected"),
    [
        ("import multiprocessing", "multiprocessing.Process", "multiprocessing.Process"),
        ("import multiprocessing as mp", "mp.Pool", "multiprocessing.Pool"),
        ("from multiprocessing import Pool as P", "P", "multiprocessing.Pool"),
        (
            "from multiprocessing.pool import ThreadPool",
            "ThreadPool",
            "multiprocessing.pool.ThreadPool",
        ),
        (
            "import concurrent.futures",
            "concurrent.futures.ProcessPoolExecutor",
            "concurrent.futures.ProcessPoolExecutor",
        ),
        (
            "import concurrent.futures as cf",
            "cf.ProcessPoolExecutor",
            "concurrent.futures.ProcessPoolExecutor",
        ),
        (
            "from torch import multiprocessing as tmp",
            "tmp.Process",
            "torch.multiprocessing.Process",
        ),
        ("import multiprocessing as mp\nProc = mp.Process", "Proc", "multiprocessing.Process"),
        ("from multiprocessing import *", "Queue", "multiprocessing.Queue"),
        ("", "TimeoutError", "builtins.TimeoutError"),
    ],
)
def test_qualname(imports: str, expr: str, expected: str) -> None:
    model = model_of(f"{imports}\nx = {expr}\n")
    assignment = model.module.body[-1]
    assert isinstance(assignment, cst.SimpleStatementLine)
    statement = assignment.body[0]
    assert isinstance(statement, cst.Assign)
    assert model.qualname(statement.value) == expected


def test_local_import_and_shadowing() -> None:
    model = model_of(
        """
        import multiprocessing as mp
        def f():
            from multiprocessing import Pool
            return Pool()
        def g(Pool):
            return Pool()
        """
    )
    calls = [c for c in model.tree.calls if model.module.code_for_node(c) == "Pool()"]
    assert model.qualname(calls[0].func) == "multiprocessing.Pool"
    assert model.qualname(calls[1].func) is None  # a parameter shadows nothing we know


# --- kinds ------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("code", "call", "kind", "family", "method"),
    [
        ("import multiprocessing as mp", "mp.Process()", KindName.PROCESS, "multiprocessing", None),
        (
            "import multiprocessing as mp\nctx = mp.get_context('spawn')",
            "ctx.Pool()",
            KindName.POOL,
            "multiprocessing",
            "spawn",
        ),
        (
            "import multiprocessing as mp",
            "mp.get_context('fork').Queue()",
            KindName.QUEUE,
            "multiprocessing",
            "fork",
        ),
        (
            "from multiprocessing.dummy import Pool",
            "Pool()",
            KindName.THREAD_POOL,
            "multiprocessing.dummy",
            None,
        ),
        (
            "from multiprocessing.dummy import Process",
            "Process()",
            KindName.THREAD,
            "multiprocessing.dummy",
            None,
        ),
        ("import billiard", "billiard.Pool()", KindName.POOL, "billiard", None),
        ("import multiprocess as mp", "mp.Process()", KindName.PROCESS, "multiprocess", None),
        (
            "from concurrent.futures import ProcessPoolExecutor as E",
            "E()",
            KindName.EXECUTOR,
            "concurrent.futures",
            None,
        ),
        ("import threading", "threading.Thread()", KindName.THREAD, "threading", None),
        ("import queue", "queue.Queue()", KindName.THREAD_QUEUE, "threading", None),
        (
            "from multiprocessing.context import SpawnProcess",
            "SpawnProcess()",
            KindName.PROCESS,
            "multiprocessing",
            "spawn",
        ),
    ],
)
def test_constructor_kinds(
    code: str, call: str, kind: KindName, family: str, method: str | None
) -> None:
    model = model_of(f"{code}\nx = {call}\n")
    found = model.kind_of(find_call(model, call))
    assert found is not None
    assert (found.name, found.family, found.method) == (kind, family, method)


def test_kinds_through_variables_with_lists_and_loops() -> None:
    model = model_of(
        """
        import multiprocessing as mp
        from concurrent.futures import ProcessPoolExecutor
        def work(): pass
        def main():
            procs = [mp.Process(target=work) for _ in range(3)]
            for p in procs:
                p.start()
            extra = []
            extra.append(mp.Process(target=work))
            for i, q in enumerate(extra):
                q.start()
            with mp.Pool(2) as pool:
                r = pool.apply_async(work)
                it = pool.imap(work, [])
            with ProcessPoolExecutor() as ex:
                fut = ex.submit(work)
            a, b = mp.Pipe()
            lock = mp.Value("i", 0).get_lock()
            m = mp.Manager()
            d = m.dict()
            first = procs[0]
        """
    )
    expect = {
        "procs": KindName.SEQUENCE,
        "p": KindName.PROCESS,
        "extra": KindName.SEQUENCE,
        "q": KindName.PROCESS,
        "pool": KindName.POOL,
        "r": KindName.ASYNC_RESULT,
        "it": KindName.MAP_ITERATOR,
        "ex": KindName.EXECUTOR,
        "fut": KindName.FUTURE,
        "a": KindName.CONNECTION,
        "b": KindName.CONNECTION,
        "lock": KindName.RLOCK,
        "m": KindName.MANAGER,
        "d": KindName.DICT,
        "first": KindName.PROCESS,
    }
    for name, kind in expect.items():
        found = model.kind_of(find_name(model, name))
        assert found is not None and found.name is kind, (name, found)
    d = model.kind_of(find_name(model, "d"))
    assert d is not None and d.proxy


def test_get_lock_returns_the_values_own_lock_not_a_new_one() -> None:
    model = model_of(
        """
        import multiprocessing as mp
        def work(counter, slots):
            with counter.get_lock():
                counter.value += 1
            lock = slots.get_lock()
            fresh = mp.Lock()
        def main():
            counter = mp.Value("i", 0)
            slots = mp.Array("d", 4)
            mp.Process(target=work, args=(counter, slots)).start()
        """
    )
    for text in ("counter.get_lock()", "slots.get_lock()"):
        kind = model.kind_of(find_call(model, text))
        assert kind is not None and kind.name is KindName.RLOCK, text
        assert kind.creator is None, text  # the call creates nothing
    fresh = model.kind_of(find_call(model, "mp.Lock()"))
    assert fresh is not None and fresh.creator is find_call(model, "mp.Lock()")
    value = model.kind_of(find_call(model, 'mp.Value("i", 0)'))
    assert value is not None and value.creator is find_call(model, 'mp.Value("i", 0)')


def test_kind_of_self_attribute_and_subclass() -> None:
    model = model_of(
        """
        import multiprocessing as mp
        class Worker(mp.Process):
            def run(self): pass
        class Deeper(Worker):
            pass
        class Owner:
            def __init__(self):
                self.pool = mp.Pool(2)
                self.proc = Deeper()
            def stop(self):
                self.pool.close()
                self.proc.join()
        """
    )
    pool = [n for n in model.tree.order if isinstance(n, cst.Attribute) and n.attr.value == "pool"][
        -1
    ]
    proc = [n for n in model.tree.order if isinstance(n, cst.Attribute) and n.attr.value == "proc"][
        -1
    ]
    assert model.kind_of(pool) is not None and model.kind_of(pool).name is KindName.POOL  # type: ignore[union-attr]
    found = model.kind_of(proc)
    assert found is not None and found.name is KindName.PROCESS and found.cls == "Deeper"


def test_conflicting_assignments_give_no_kind() -> None:
    model = model_of(
        """
        import multiprocessing as mp, threading
        def f(flag):
            if flag:
                w = mp.Process()
            else:
                w = threading.Thread()
            w.start()
            x = None
            x = mp.Pool()
            x.close()
        """
    )
    assert model.kind_of(find_name(model, "w")) is None
    found = model.kind_of(find_name(model, "x"))
    assert found is not None and found.name is KindName.POOL  # None placeholders do not count


def test_worker_parameters_receive_argument_kinds() -> None:
    model = model_of(
        """
        import multiprocessing as mp
        def work(q, lock, n):
            q.put(n)
        def main():
            q = mp.Queue()
            lock = mp.Lock()
            mp.Process(target=work, args=(q, lock, 1)).start()
        """
    )
    function = model.names.functions["work"]
    params = function.params.params
    assert model.kind_of(params[0].name).name is KindName.QUEUE  # type: ignore[union-attr]
    assert model.kind_of(params[1].name).name is KindName.LOCK  # type: ignore[union-attr]
    assert model.kind_of(params[2].name) is None


def test_factory_function_return_kind() -> None:
    model = model_of(
        """
        import multiprocessing as mp
        def make_pool():
            return mp.Pool(4)
        pool = make_pool()
        """
    )
    assert model.kind_of(find_name(model, "pool")).name is KindName.POOL  # type: ignore[union-attr]


# --- execution context ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("test", "expected"),
    [
        ('__name__ == "__main__"', True),
        ("'__main__' == __name__", True),
        ('__name__ == "__main__" and not x', True),
        ('__name__ != "__main__"', False),
        ('__name__ == "main"', None),
        ("x == y", None),
    ],
)
def test_main_guard_spellings(test: str, expected: bool | None) -> None:
    assert is_main_guard_test(cst.parse_expression(test)) is expected


def test_exec_context() -> None:
    model = model_of(
        """
        from typing import TYPE_CHECKING
        a()
        def f():
            b()
        class C:
            c()
        if TYPE_CHECKING:
            d()
        if __name__ == "__main__":
            e()
        else:
            g()
        if __name__ != "__main__":
            h()
        else:
            i()
        lam = lambda: j()
        """
    )
    expected = {
        "a()": ExecContext.IMPORT,
        "b()": ExecContext.FUNCTION,
        "c()": ExecContext.IMPORT,
        "d()": ExecContext.TYPING,
        "e()": ExecContext.GUARDED,
        "g()": ExecContext.IMPORT,
        "h()": ExecContext.IMPORT,
        "i()": ExecContext.GUARDED,
        "j()": ExecContext.FUNCTION,
    }
    for text, context in expected.items():
        assert model.exec_context(find_call(model, text)) is context, text


def test_main_file_never_runs_at_import() -> None:
    model = model_of("a()\n", path="pkg/__main__.py")
    assert not model.flow.runs_at_import(model.tree.calls[0])
    assert model_of("a()\n").flow.runs_at_import(model_of("a()\n").tree.calls[0]) is True


# --- order --------------------------------------------------------------------------------------------
def test_dominance() -> None:
    model = model_of(
        """
        def f(flag, items):
            a()
            if flag:
                b()
            c()
            for x in items:
                d()
                e()
            try:
                g()
            finally:
                h()
            with ctx() as w:
                i()
            j(); k()
        """
    )
    call = {model.module.code_for_node(c): c for c in model.tree.calls}
    assert model.dominates(call["a()"], call["c()"])
    assert model.dominates(call["a()"], call["b()"])
    assert not model.dominates(call["b()"], call["c()"])  # a branch may skip it
    assert model.dominates(call["d()"], call["e()"])
    assert not model.dominates(call["e()"], call["d()"])
    assert not model.dominates(call["d()"], call["h()"])  # the loop may not run
    assert not model.dominates(call["g()"], call["h()"])  # g may raise before finishing
    assert model.dominates(call["ctx()"], call["i()"])  # a with header runs before its body
    assert model.dominates(call["j()"], call["k()"])
    assert not model.dominates(call["c()"], call["a()"])


def test_dominance_does_not_cross_functions() -> None:
    model = model_of(
        """
        a()
        def f():
            b()
        """
    )
    call = {model.module.code_for_node(c): c for c in model.tree.calls}
    assert not model.dominates(call["a()"], call["b()"])


def test_binding_keys_and_rebinding() -> None:
    model = model_of(
        """
        import multiprocessing as mp
        def f():
            p = mp.Process()
            p.start()
            p = mp.Process()
            p.join()
        """
    )
    start = find_call(model, "p.start()")
    join = find_call(model, "p.join()")
    key = model.binding_key(start.func.value)  # type: ignore[attr-defined]
    assert key == model.binding_key(join.func.value)  # type: ignore[attr-defined]
    assert key is not None and model.names.rebound_between(key, start, join)
    assert model.calls_on(key, ("start", "join")) == [start, join]


# --- call graph and workers --------------------------------------------------------------------------
def test_call_chain_and_worker_set() -> None:
    model = model_of(
        """
        import multiprocessing as mp
        def leaf():
            mp.Process(target=leaf).start()
        def middle():
            leaf()
        def top():
            middle()
        def task(x):
            helper(x)
        def helper(x):
            return x
        def cb(result):
            pass
        class Job(mp.Process):
            def run(self):
                helper(1)
        def main():
            with mp.Pool() as pool:
                pool.apply_async(task, (1,), callback=cb)
            Job().start()
        """
    )
    chain = model.callgraph.call_chain(
        model.names.functions["top"], lambda f: model.inference.starts_processes(f) is not None
    )
    assert chain is not None
    assert [f.name.value for f in chain if isinstance(f, cst.FunctionDef)] == [
        "top",
        "middle",
        "leaf",
    ]
    workers = model.workers.worker_functions()
    names = {f.name.value for f in workers if isinstance(f, cst.FunctionDef)}
    assert {"task", "helper", "run", "leaf"} <= names
    assert "cb" not in names  # callbacks run in the parent
    vias = {s.via.value for s in model.submissions()}
    assert {"pool", "callback", "run", "process"} <= vias


def test_task_callables_passed_by_keyword() -> None:
    model = model_of(
        """
        import multiprocessing as mp
        from concurrent.futures import ProcessPoolExecutor
        def a(x): pass
        def b(x): pass
        def c(x): pass
        def d(x): pass
        def main():
            with mp.Pool() as pool:
                pool.map(func=a, iterable=[1])
                pool.apply_async(args=(1,), func=b)
            with ProcessPoolExecutor() as ex:
                ex.map(fn=c, *[[1]])
                ex.submit(d, 1)
                ex.submit(fn=d)  # a TypeError at runtime: submit's callable is positional-only
        """
    )
    tasks = [
        (model.module.code_for_node(s.callable), s.via.value, s.args and len(s.args))
        for s in model.submissions()
    ]
    assert tasks == [
        ("a", "pool", None),
        ("b", "pool", 1),
        ("c", "executor", None),
        ("d", "executor", 1),
    ]
    names = {
        f.name.value for f in model.workers.worker_functions() if isinstance(f, cst.FunctionDef)
    }
    assert names == {"a", "b", "c", "d"}


def test_start_method_inference() -> None:
    model = model_of(
        """
        import multiprocessing as mp
        mp.set_start_method("fork")
        p = mp.Process()
        q = mp.get_context("spawn").Process()
        """
    )
    assert model.start_method(model.kind_of(find_name(model, "p"))) == "fork"
    assert model.start_method(model.kind_of(find_name(model, "q"))) == "spawn"
    portable = model_of("import multiprocessing as mp\np = mp.Process()\n")
    assert portable.start_method(portable.kind_of(find_name(portable, "p"))) is None
    configured = model_of("import multiprocessing as mp\np = mp.Process()\n", start_method="fork")
    assert configured.start_method(configured.kind_of(find_name(configured, "p"))) == "fork"


# --- the traversal ---------------------------------------------------------------------------------------
class _Recorder(cst.CSTVisitor):
    def __init__(self) -> None:
        super().__init__()
        self.events: list[tuple[int, bool]] = []

    def on_visit(self, node: cst.CSTNode) -> bool:
        self.events.append((id(node), False))
        return not isinstance(node, cst.Lambda)  # a visitor may skip children

    def on_leave(self, original_node: cst.CSTNode) -> None:
        self.events.append((id(original_node), True))


WALK_SOURCES = [
    *sorted((Path(__file__).parent / "fixtures").rglob("*.py")),
    *sorted((Path(sysconfig.get_paths()["stdlib"]) / "multiprocessing").glob("*.py")),
    *(
        Path(sysconfig.get_paths()["stdlib"]) / "test" / name
        for name in (
            "test_patma.py",
            "test_fstring.py",
            "test_coroutines.py",
            "test_except_star.py",
        )
        if (Path(sysconfig.get_paths()["stdlib"]) / "test" / name).is_file()
    ),
]


@pytest.mark.parametrize("path", WALK_SOURCES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_walk_visits_like_libcst(path: Path) -> None:
    """The model's traversal reaches the same nodes, in the same order, as libcst's own ``visit``."""
    module = cst.parse_module(path.read_bytes())
    expected, actual = _Recorder(), _Recorder()
    module.visit(expected)
    walk(module, actual)
    assert actual.events == expected.events


@pytest.mark.parametrize("path", WALK_SOURCES[:12], ids=lambda p: f"{p.parent.name}/{p.name}")
def test_walk_skipping_trivia_visits_the_rest_like_libcst(path: Path) -> None:
    module = cst.parse_module(path.read_bytes())
    expected, actual = _Recorder(), _Recorder()
    module.visit(expected)
    walk(module, actual, TRIVIA)
    kinds = {id(n): type(n) for n in _all_nodes(module)}
    assert actual.events == [e for e in expected.events if kinds[e[0]] not in TRIVIA]
    assert len(actual.events) < len(expected.events)


def _all_nodes(node: cst.CSTNode) -> list[cst.CSTNode]:
    out = [node]
    for child in node.children:
        out.extend(_all_nodes(child))
    return out


def test_rules_cannot_visit_trivia() -> None:
    from mplint.rule import LintRule

    with pytest.raises(TypeError, match="whitespace, comments and punctuation"):

        class Bad(LintRule):
            def visit_Comment(self, node: cst.Comment) -> None:
                pass
