"""The worker set, daemons, concurrency and never-started processes (:mod:`mplint.model.workers`)."""

from __future__ import annotations

import libcst as cst
import pytest

from mplint.kinds import KindName
from mplint.model import Model
from mplint.model.workers import has_single_worker

from .support import WORKERS, call_node, def_named, model_of, submission_by


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
        model.names.functions["top"], lambda f: model.workers.starts_processes(f) is not None
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


DAEMONS = """
import concurrent.futures as cf
import multiprocessing as mp
from multiprocessing.pool import ThreadPool

def task(x): return x
def init(): pass
def target(): pass
def flagged(): pass
def plain(): pass
def executor_task(x): return x
def thread_task(x): return x

class Daemon(mp.Process):
    def __init__(self):
        super().__init__()
        self.daemon = True
    def run(self): pass

class ViaInit(mp.Process):
    def __init__(self):
        super().__init__(daemon=True)
    def run(self): pass

class Plain(mp.Process):
    def run(self): pass

if __name__ == "__main__":
    with mp.Pool(2, initializer=init) as pool:
        pool.map(task, [1])
    mp.Process(target=target, daemon=True).start()
    p = mp.Process(target=flagged)
    p.daemon = True
    p.start()
    mp.Process(target=plain, daemon=False).start()
    with cf.ProcessPoolExecutor() as ex:
        ex.submit(executor_task, 1)
    with ThreadPool(2) as threads:
        threads.map(thread_task, [1])
    Daemon().start()
    ViaInit().start()
    Plain().start()
"""


def test_daemon_roots() -> None:
    model = model_of(DAEMONS, path="case.py")
    roots = {
        (f.name.value if isinstance(f, cst.FunctionDef) else "<lambda>")
        for f in model.workers.daemon_roots()
    }
    assert roots == {"task", "init", "target", "flagged", "run"}
    runs = [
        f
        for f in model.workers.daemon_roots()
        if isinstance(f, cst.FunctionDef) and f.name.value == "run"
    ]
    owners = {model.names.enclosing_class(f).name for f in runs}  # type: ignore[union-attr]
    assert owners == {"Daemon", "ViaInit"}


def test_runs_in_daemon_by_submission() -> None:
    model = model_of(DAEMONS, path="case.py")
    verdicts = {
        model.module.code_for_node(s.callable): model.workers.runs_in_daemon(s)
        for s in model.submissions()
    }
    assert verdicts["task"] and verdicts["init"] and verdicts["target"] and verdicts["flagged"]
    assert not verdicts["plain"]
    assert not verdicts["executor_task"]
    assert not verdicts["thread_task"]


def test_reachable_functions_and_submission_root() -> None:
    model = model_of(WORKERS)
    by_args = submission_by(model, "mp.Process(target=producer, args=(results, 3))")
    root = model.workers.submission_root(by_args)
    assert root is model.names.functions["producer"]
    assert model.callgraph.reachable_functions(root) == [
        model.names.functions["producer"],
        model.names.functions["emit"],
    ]
    run = model.workers.submission_root(submission_by(model, 'Writer(results, "w")'))
    assert isinstance(run, cst.FunctionDef) and run.name.value == "run"


def test_runs_concurrently() -> None:
    model = model_of(
        """
        import multiprocessing as mp
        from concurrent.futures import ProcessPoolExecutor
        def mapped(x): pass
        def helper(): pass
        def looped(x):
            helper()
        def once(x): pass
        def serial(x): pass
        def blocking(x): pass
        def submitted(x): pass
        def threaded(x): pass
        def init(): pass
        def main(xs):
            with mp.Pool(4, initializer=init) as pool:
                pool.map(mapped, xs)
                pool.apply(blocking, (1,))
            for x in xs:
                mp.Process(target=looped, args=(x,)).start()
            mp.Process(target=once, args=(1,)).start()
            with mp.Pool(1) as single:
                single.map(serial, xs)
            with ProcessPoolExecutor() as ex:
                futures = [ex.submit(submitted, x) for x in xs]
            with mp.dummy.Pool(4) as threads:
                threads.map(threaded, xs)
        """,
        path="<stdin>",
    )
    concurrent = {
        name: model.workers.runs_concurrently(def_named(model, name))
        for name in (
            "mapped",
            "helper",
            "looped",
            "once",
            "serial",
            "blocking",
            "submitted",
            "threaded",
            "init",
        )
    }
    assert concurrent == {
        "mapped": True,
        "helper": True,
        "looped": True,
        "once": False,
        "serial": False,
        "blocking": False,
        "submitted": True,
        "threaded": False,
        "init": True,
    }


def test_repeats_through_callers() -> None:
    model = model_of(
        """
        import multiprocessing as mp
        def work(): pass
        def spawn_one():
            p = mp.Process(target=work)
            p.start()
        def main():
            for _ in range(3):
                spawn_one()
        """,
        path="<stdin>",
    )
    assert model.workers.runs_concurrently(def_named(model, "work"))


def test_child_functions_include_what_child_code_hands_on() -> None:
    model = model_of(
        """
        import multiprocessing as mp, threading, signal
        def status(): pass
        def on_term(signum, frame): pass
        def helper(): pass
        class Watched(mp.Process):
            def run(self):
                self.status = 1
                signal.signal(signal.SIGTERM, on_term)
                threading.Thread(target=self.watch).start()
            def watch(self):
                helper()
            def parent_side(self):
                return self.status
        def main():
            Watched().start()
        """,
        path="<stdin>",
    )
    names = {f.name.value for f in model.workers.child_functions if isinstance(f, cst.FunctionDef)}
    assert names == {"run", "watch", "helper", "on_term"}


def test_never_started() -> None:
    model = model_of(
        "import multiprocessing as mp\n"
        "def a():\n"
        "    p = mp.Process(target=print)\n"
        "    p.daemon = True\n"
        "    return p.name\n"
        "def b():\n"
        "    p = mp.Process(target=print)\n"
        "    p.start()\n"
        "def c():\n"
        "    p = mp.Process(target=print)\n"
        "    return p\n"
        "def d(self):\n"
        "    p = mp.Process(target=print)\n"
        "    self.assertTrue(p)\n"
        "q = mp.Process(target=print)\n",
        path="case.py",
        dedent=False,
    )
    creations = [c for c in model.tree.calls if model.module.code_for_node(c.func) == "mp.Process"]
    assert [model.workers.never_started(c) for c in creations] == [True, False, False, True, False]


def test_run_in_executor_submissions() -> None:
    model = model_of(
        "import asyncio\n"
        "from concurrent.futures import ProcessPoolExecutor\n"
        "async def main(x):\n"
        "    loop = asyncio.get_running_loop()\n"
        "    with ProcessPoolExecutor() as ex:\n"
        "        await loop.run_in_executor(ex, abs, x)\n"
        "        await loop.run_in_executor(None, abs, x)\n",
        path="case.py",
        dedent=False,
    )
    found = model.workers.run_in_executor_submissions
    assert len(found) == 1
    assert model.module.code_for_node(found[0].callable) == "abs"
    assert found[0].owner.name is KindName.EXECUTOR
    assert [model.module.code_for_node(a) for a in found[0].args or ()] == ["x"]


# --- worker roots and the submissions that reach a function ---------------------------------------
ROOTS = """
import threading, multiprocessing as mp
def task(x): helper(x)
def helper(x): pass
def target(): pass
def threaded(): pass
def done(r): pass
def parent_only(): pass
class Job(mp.Process):
    def run(self): helper(1)
def main():
    with mp.Pool() as pool:
        pool.map(task, [1])
        pool.apply_async(task, (2,), callback=done)
    mp.Process(target=target).start()
    threading.Thread(target=threaded).start()
    Job().start()
    parent_only()
"""


def root_names(model: Model) -> dict[str, list[str]]:
    return {
        (f.name.value if isinstance(f, cst.FunctionDef) else "<lambda>"): [
            s.via.value for s in subs
        ]
        for f, subs in model.workers.worker_roots().items()
    }


def test_worker_roots() -> None:
    model = model_of(ROOTS)
    assert root_names(model) == {
        "task": ["pool", "pool"],
        "target": ["process"],
        "threaded": ["thread"],
        "run": ["run"],
    }  # a callback runs in the parent: no root


def test_worker_submissions_follow_calls_and_skip_threads() -> None:
    model = model_of(ROOTS)

    def vias(name: str) -> list[str]:
        return [s.via.value for s in model.workers.worker_submissions(def_named(model, name))]

    assert vias("task") == ["pool", "pool"]
    assert sorted(vias("helper")) == ["pool", "pool", "run"]  # through task and Job.run
    assert vias("threaded") == []  # a thread is no child process
    assert vias("done") == [] and vias("parent_only") == [] and vias("main") == []


@pytest.mark.parametrize(
    ("creation", "daemonic"),
    [
        ("mp.Process(target=work, daemon=True)", True),
        ("mp.Process(target=work, daemon=1)", True),
        ("mp.Process(target=work, daemon=False)", False),
        ("mp.Process(target=work)", False),
        ("Daemon()", True),
        ("ViaInit()", True),
        ("Plain()", False),
        ("threading.Thread(target=work, daemon=True)", False),  # a thread, not a process
    ],
)
def test_is_daemonic_process(creation: str, daemonic: bool) -> None:
    model = model_of(
        """
        import threading, multiprocessing as mp
        def work(): pass
        class Daemon(mp.Process):
            def __init__(self):
                super().__init__()
                self.daemon = True
        class ViaInit(mp.Process):
            def __init__(self):
                super().__init__(daemon=True)
        class Plain(mp.Process):
            pass
        """
        + f"w = {creation}\n"
    )
    kind = model.kind_of(call_node(model, creation))
    assert kind is not None
    assert model.workers.is_daemonic_process(kind) is daemonic


def test_is_daemonic_process_through_the_attribute() -> None:
    model = model_of(
        """
        import multiprocessing as mp
        def work(): pass
        p = mp.Process(target=work)
        p.daemon = True
        q = mp.Process(target=work)
        q.daemon = False
        r = mp.Process(target=work)
        """
    )
    verdicts = [
        model.workers.is_daemonic_process(
            model.kind_of(call_node(model, "mp.Process(target=work)", n))
        )  # type: ignore[arg-type]
        for n in range(3)
    ]
    assert verdicts == [True, False, False]


@pytest.mark.parametrize(
    ("creation", "single"),
    [
        ("mp.Pool(1)", True),
        ("mp.Pool(processes=1)", True),
        ("mp.Pool(2)", False),
        ("mp.Pool()", False),
        ("mp.Pool(n)", False),
        ("ProcessPoolExecutor(1)", True),
        ("ProcessPoolExecutor(max_workers=1)", True),
        ("ProcessPoolExecutor(max_workers=4)", False),
    ],
)
def test_has_single_worker(creation: str, single: bool) -> None:
    model = model_of(
        "import multiprocessing as mp\nfrom concurrent.futures import ProcessPoolExecutor\n"
        f"def f(n):\n    x = {creation}\n"
    )
    kind = model.kind_of(call_node(model, creation))
    assert kind is not None and has_single_worker(kind) is single
