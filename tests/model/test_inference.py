"""Kinds of expressions and the submissions (:mod:`mplint.model.inference`), and the kinds' own facts."""

from __future__ import annotations

from typing import Optional

import libcst as cst
import pytest

from mplint.kinds import Kind, KindName
from mplint.model import Via
from mplint.model.inference import agree, enter_returns_self

from .support import call_node, def_named, kind_name, loads, model_of, name_node, source_of


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
    found = model.kind_of(call_node(model, call))
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
        found = model.kind_of(name_node(model, name, -1))
        assert found is not None and found.name is kind, (name, found)
    d = model.kind_of(name_node(model, "d", -1))
    assert d is not None and d.proxy


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
    assert model.kind_of(name_node(model, "w", -1)) is None
    found = model.kind_of(name_node(model, "x", -1))
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
    assert model.kind_of(name_node(model, "pool", -1)).name is KindName.POOL  # type: ignore[union-attr]


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


def test_process_library() -> None:
    assert Kind(KindName.PROCESS).process_library == "multiprocessing"
    assert Kind(KindName.POOL, family="torch.multiprocessing").process_library == "multiprocessing"
    assert Kind(KindName.EXECUTOR, family="concurrent.futures").process_library == "multiprocessing"
    assert Kind(KindName.POOL, family="billiard").process_library == "billiard"
    assert Kind(KindName.PROCESS, family="multiprocess").process_library == "multiprocess"
    assert Kind(KindName.THREAD_POOL, family="multiprocessing.dummy").process_library is None
    assert Kind(KindName.THREAD, family="threading").process_library is None


def test_one_way_pipe_ends_know_their_role_and_creator() -> None:
    model = model_of(
        """
        import multiprocessing as mp
        ctx = mp.get_context("spawn")
        r, w = mp.Pipe(duplex=False)
        a, b = ctx.Pipe(False)
        x, y = mp.Pipe()
        """
    )
    pipe = call_node(model, "mp.Pipe(duplex=False)")
    for name, role in (("r", "read"), ("w", "write"), ("a", "read"), ("b", "write")):
        kind = model.kind_of(name_node(model, name))
        assert kind is not None and kind.name is KindName.CONNECTION
        assert kind.role == role, name
    assert model.kind_of(name_node(model, "r")).creator is pipe  # type: ignore[union-attr]
    for name in ("x", "y"):
        kind = model.kind_of(name_node(model, name))
        assert kind is not None and kind.name is KindName.CONNECTION and kind.role is None


def test_roles_propagate_into_workers_and_disagreement_forgets_them() -> None:
    model = model_of(
        """
        import multiprocessing as mp
        def reader(conn):
            conn.recv()
        def either(conn):
            conn.poll()
        def main():
            r, w = mp.Pipe(duplex=False)
            mp.Process(target=reader, args=(w,)).start()
            mp.Process(target=either, args=(r,)).start()
            mp.Process(target=either, args=(w,)).start()
        """
    )
    reader_conn = call_node(model, "conn.recv()").func
    either_conn = call_node(model, "conn.poll()").func
    assert isinstance(reader_conn, cst.Attribute) and isinstance(either_conn, cst.Attribute)
    assert model.kind_of(reader_conn.value).role == "write"  # type: ignore[union-attr]
    either = model.kind_of(either_conn.value)
    assert either is not None and either.name is KindName.CONNECTION and either.role is None


def test_agree_drops_a_disputed_role_but_keeps_the_kind() -> None:
    read = Kind(KindName.CONNECTION, role="read")
    write = Kind(KindName.CONNECTION, role="write")
    merged = agree([read, write])
    assert merged is not None and merged.name is KindName.CONNECTION and merged.role is None
    assert agree([read, read]) is read


def test_a_loop_over_a_list_of_its_own_appends_keeps_the_kind() -> None:
    model = model_of(
        """
        import multiprocessing as mp
        def work(): pass
        workers = []
        for i in range(2):
            w = mp.Process(target=work)
            w.start()
            workers.append(w)
        for w in workers:
            w.join()
        """
    )
    join = call_node(model, "w.join()").func
    assert isinstance(join, cst.Attribute)
    kind = model.kind_of(join.value)
    assert kind is not None and kind.is_process
    assert kind.creator is call_node(model, "mp.Process(target=work)")
    listed = model.kind_of(name_node(model, "workers"))
    assert listed is not None and listed.name is KindName.SEQUENCE


def test_partial_arguments_reach_pool_tasks() -> None:
    model = model_of(
        """
        import functools, multiprocessing as mp
        def work(counter, item):
            counter.value += item
        def main():
            counter = mp.Value("i", 0)
            with mp.Pool() as pool:
                pool.map(functools.partial(work, counter), range(3))
        """,
        path="<stdin>",
    )
    assert kind_name(model, "counter", "work") is KindName.VALUE
    assert model.kind_of(loads(model, "item", "work")[0]) is None  # the items of map() are unknown


def test_direct_calls_and_constructors_bind_parameters() -> None:
    model = model_of(
        """
        import multiprocessing as mp
        def helper(c, step=1):
            c.value += step
        def work(c):
            helper(c)
        class Worker(mp.Process):
            def __init__(self, lock):
                super().__init__()
                self.lock = lock
            def run(self):
                with self.lock:
                    pass
        def main():
            v = mp.Value("i", 0)
            mp.Process(target=work, args=(v,)).start()
            Worker(mp.Lock()).start()
        """,
        path="<stdin>",
    )
    assert kind_name(model, "c", "helper") is KindName.VALUE
    step = next(b for b in model.names.scopes[def_named(model, "helper")].bindings["step"])
    sources = model.inference.param_sources(step)
    assert sources is not None and [source_of(model, s) for s in sources] == ["1"]  # the default
    run = def_named(model, "run")
    lock = next(
        n
        for n in model.tree.order
        if isinstance(n, cst.Attribute)
        and source_of(model, n) == "self.lock"
        and model.enclosing_function_node(n) is run
    )
    kind = model.kind_of(lock)
    assert kind is not None and kind.name is KindName.LOCK


def test_starmap_over_a_comprehension_and_kwargs() -> None:
    model = model_of(
        """
        import multiprocessing as mp
        def task(stats, word):
            stats[word] = 1
        def other(a, *, lock):
            with lock:
                pass
        def main(words):
            with mp.Manager() as m:
                stats = m.dict()
                with mp.Pool() as pool:
                    pool.starmap(task, [(stats, w) for w in words])
                mp.Process(target=other, args=(1,), kwargs={"lock": m.Lock()}).start()
        """,
        path="<stdin>",
    )
    kind = model.kind_of(loads(model, "stats", "task")[0])
    assert kind is not None and kind.proxy and kind.name is KindName.DICT
    kind = model.kind_of(loads(model, "lock", "other")[0])
    assert kind is not None and kind.proxy and kind.name is KindName.LOCK


def test_unknown_arguments_give_no_sources() -> None:
    model = model_of(
        """
        import multiprocessing as mp
        def work(x):
            return x
        def main(args):
            mp.Process(target=work, args=args).start()
            work(*args)
        """,
        path="<stdin>",
    )
    binding = model.names.scopes[def_named(model, "work")].bindings["x"][0]
    assert model.inference.param_sources(binding) is None


def test_initializer_globals_keep_their_kind() -> None:
    model = model_of(
        """
        import multiprocessing as mp
        LOCK = None
        def init(lock):
            global LOCK
            LOCK = lock
        def work(x):
            with LOCK:
                return x
        if __name__ == "__main__":
            with mp.Pool(2, initializer=init, initargs=(mp.RLock(),)) as pool:
                pool.map(work, range(3))
        """,
        path="<stdin>",
    )
    assert kind_name(model, "LOCK", "work") is KindName.RLOCK
    origins = model.values.origins(loads(model, "LOCK", "work")[0])
    assert origins is not None and [source_of(model, o) for o in origins] == ["mp.RLock()"]


def test_kinds_do_not_depend_on_the_order_they_are_asked_in() -> None:
    source = """
        import multiprocessing as mp
        class Registry:
            def __init__(self, manager):
                self.state = manager.dict()
            def register(self, pid):
                self.state["workers"].append(pid)
        def main():
            with mp.Manager() as m:
                Registry(m).register(1)
        """
    model = model_of(source, path="<stdin>")
    for call in model.tree.calls:  # every call first, as the submission search does
        model.kind_of(call)
    for node in model.tree.order:
        if isinstance(node, cst.Attribute) and source_of(model, node) == "self.state":
            kind = model.kind_of(node)
            assert kind is not None and kind.name is KindName.DICT


def test_kinds_the_search_found_through_a_submitted_function_are_inferred_again() -> None:
    # The search asks for ``helper(q)`` (a method call's receiver) before it knows that ``work`` is
    # submitted: then ``q`` has no kind. That answer relied on ``work``'s submissions and is not kept;
    # ``mp.Queue()``, which relied on nothing of the kind, is kept as found.
    model = model_of(
        """
        import multiprocessing as mp
        def helper(q):
            return q
        def work(q):
            helper(q).put(1)
        def main():
            q = mp.Queue()
            mp.Process(target=work, args=(q,)).start()
        """
    )
    found = call_node(model, "mp.Queue()")
    assert [s.callable for s in model.submissions()] == [name_node(model, "work", 1)]
    kept = model.inference._kind_memo.get(found)
    assert kept is not None and kept.name is KindName.QUEUE and kept.creator is found
    assert model.kind_of(found) is kept
    kind = model.kind_of(call_node(model, "helper(q)"))
    assert kind is not None and kind.name is KindName.QUEUE and kind.creator is found


def test_thread_work() -> None:
    model = model_of(
        "import threading, multiprocessing as mp\n"
        "from multiprocessing.pool import ThreadPool\n"
        "from concurrent.futures import ThreadPoolExecutor\n"
        "def f(): pass\n"
        "t = threading.Thread(target=f)\n"
        "t.start()\n"
        "tp = ThreadPool(2)\n"
        "pool = mp.Pool(2)\n"
        "ex = ThreadPoolExecutor()\n"
        "ex.submit(f)\n"
        "p = mp.Process(target=f)\n"
        "p.start()\n",
        path="case.py",
        dedent=False,
    )
    found = {
        model.module.code_for_node(call): (model.workers.thread_work(call) or ("",))[0]
        for call in model.tree.calls
    }
    assert found["t.start()"] == "starts a thread"
    assert found["ThreadPool(2)"] == "creates a ThreadPool"
    assert found["mp.Pool(2)"].startswith("creates a Pool")
    assert found["ex.submit(f)"].startswith("submits to a ThreadPoolExecutor")
    assert found["p.start()"] == ""


# --- how each submission hands its callable over (Via) -------------------------------------------
SUBMITTERS = """
import asyncio, threading, multiprocessing as mp
from concurrent.futures import ProcessPoolExecutor
def work(x=None): pass
def init(): pass
def done(result): pass
class Job(mp.Process):
    def run(self): pass
class Watcher(threading.Thread):
    def run(self): pass
"""


@pytest.mark.parametrize(
    ("statement", "expected"),
    [
        ("mp.Process(target=work)", [(Via.PROCESS, "work")]),
        ("mp.Process(None, work, args=(1,))", [(Via.PROCESS, "work")]),
        ("threading.Thread(target=work)", [(Via.THREAD, "work")]),
        ("mp.dummy.Process(target=work)", [(Via.THREAD, "work")]),
        ("Job()", [(Via.RUN, "Job")]),
        ("Watcher()", [(Via.RUN, "Watcher")]),
        ("mp.Pool(2, initializer=init)", [(Via.INITIALIZER, "init")]),
        ("mp.Pool(2, init)", [(Via.INITIALIZER, "init")]),
        ("ProcessPoolExecutor(2, None, init)", [(Via.INITIALIZER, "init")]),
        ("mp.Pool(2).map(work, [1])", [(Via.POOL, "work")]),
        (
            "mp.Pool(2).apply_async(work, callback=done)",
            [(Via.POOL, "work"), (Via.CALLBACK, "done")],
        ),
        (
            "mp.Pool(2).map_async(work, [1], error_callback=done)",
            [(Via.POOL, "work"), (Via.CALLBACK, "done")],
        ),
        ("ProcessPoolExecutor().submit(work, 1)", [(Via.EXECUTOR, "work")]),
        ("ProcessPoolExecutor().map(work, [1])", [(Via.EXECUTOR, "work")]),
        (
            "ProcessPoolExecutor().submit(work).add_done_callback(done)",
            [(Via.CALLBACK, "done"), (Via.EXECUTOR, "work")],
        ),
        ("mp.Process()", []),
        ("mp.Pool(2)", []),
        ("mp.Pool(2).close()", []),
        ("mp.Queue().put(work)", []),
        ("print(work)", []),
    ],
)
def test_submission_via(statement: str, expected: list[tuple[Via, str]]) -> None:
    model = model_of(SUBMITTERS + statement + "\n")
    found = [(s.via, source_of(model, s.callable)) for s in model.submissions()]
    assert found == expected


def test_every_via_is_produced() -> None:
    model = model_of(
        SUBMITTERS
        + """
mp.Process(target=work)
threading.Thread(target=work)
Job()
ex = ProcessPoolExecutor(initializer=init)
ex.submit(work).add_done_callback(done)
mp.Pool().apply_async(work, callback=done)
"""
    )
    assert {s.via for s in model.submissions()} == set(Via)


def test_submission_owner_and_arguments() -> None:
    model = model_of(
        SUBMITTERS
        + """
mp.Process(target=work, args=(1, 2))
mp.Pool(2, initializer=init, initargs=(3,)).apply(work, (4,))
ProcessPoolExecutor().submit(work, 5, x=6)
ProcessPoolExecutor().submit(work, 7)
mp.Process(target=work, args=rest)
"""
    )
    found = [
        (s.via, s.owner.name, [source_of(model, a) for a in s.args] if s.args is not None else None)
        for s in model.submissions()
    ]
    assert found == [
        (Via.PROCESS, KindName.PROCESS, ["1", "2"]),
        (Via.POOL, KindName.POOL, ["4"]),  # the outer call comes first
        (Via.INITIALIZER, KindName.POOL, ["3"]),
        (Via.EXECUTOR, KindName.EXECUTOR, None),  # a keyword: the arguments are not all known
        (Via.EXECUTOR, KindName.EXECUTOR, ["7"]),
        (Via.PROCESS, KindName.PROCESS, None),
    ]


# --- what starts processes, base kinds, what a submission hands over ------------------------------
@pytest.mark.parametrize(
    ("statement", "expected"),
    [
        ("mp.Process(target=work).start()", "starts a Process"),
        ("mp.Pool(2)", "creates a Pool"),
        ("mp.Manager()", "starts a Manager"),
        ("ProcessPoolExecutor().submit(work)", "submits to a ProcessPoolExecutor"),
        ("Job().start()", "starts a Job"),
        ("threading.Thread(target=work).start()", None),
        ("mp.dummy.Pool(2)", None),
        ("mp.Process(target=work)", None),  # creating is not starting
        ("mp.Queue()", None),
    ],
)
def test_process_work(statement: str, expected: Optional[str]) -> None:
    model = model_of(SUBMITTERS + statement + "\n")
    found = model.workers.process_work(call_node(model, statement))
    description = found[0] if found is not None else None
    assert (description.split(" (")[0] if description else None) == expected


def test_class_base_kind() -> None:
    model = model_of(
        """
        import threading, multiprocessing as mp
        from multiprocessing.managers import BaseManager
        class P(mp.Process): pass
        class Deeper(P): pass
        class T(threading.Thread): pass
        class M(BaseManager): pass
        class Plain: pass
        class Other(dict): pass
        """
    )
    bases = {}
    for name in ("P", "Deeper", "T", "M", "Plain", "Other"):
        kind = model.inference.class_base_kind(model.names.classes[name])
        bases[name] = kind.name if kind is not None else None
    assert bases == {
        "P": KindName.PROCESS,
        "Deeper": KindName.PROCESS,
        "T": KindName.THREAD,
        "M": KindName.MANAGER,
        "Plain": None,
        "Other": None,
    }


def test_submissions_to_and_handed_arguments() -> None:
    model = model_of(
        SUBMITTERS
        + """
import functools
q = mp.Queue()
mp.Process(target=work, args=(q,), kwargs={"x": 1}).start()
mp.Pool(2).apply_async(functools.partial(work, q), callback=done)
mp.Pool(2).starmap(work, [(q,), (2,)])
mp.Pool(2, initializer=init, initargs=(q,))
Job(q)
"""
    )
    work = model.names.functions["work"]
    to_work = model.inference.submissions_to(work)
    assert [s.via for s in to_work] == [Via.PROCESS, Via.POOL, Via.POOL]
    handed = {
        (s.via, source_of(model, s.call).split("(")[0]): [
            source_of(model, a) for a in model.inference.handed_arguments(s)
        ]
        for s in model.submissions()
    }
    assert handed == {
        (Via.PROCESS, "mp.Process"): ["q", "1"],
        (Via.POOL, "mp.Pool"): ["q", "2"],
        (Via.CALLBACK, "mp.Pool"): [],
        (Via.INITIALIZER, "mp.Pool"): ["q"],
        (Via.RUN, "Job"): ["q"],
    }


def test_enter_returns_self() -> None:
    assert enter_returns_self(Kind(KindName.POOL))
    assert enter_returns_self(Kind(KindName.EXECUTOR))
    assert enter_returns_self(Kind(KindName.MANAGER))
    assert enter_returns_self(Kind(KindName.THREAD_POOL))
    assert not enter_returns_self(Kind(KindName.LOCK))
    assert not enter_returns_self(Kind(KindName.PROCESS))


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
        kind = model.kind_of(call_node(model, text))
        assert kind is not None and kind.name is KindName.RLOCK, text
        assert kind.creator is None, text  # the call creates nothing
    fresh = model.kind_of(call_node(model, "mp.Lock()"))
    assert fresh is not None and fresh.creator is call_node(model, "mp.Lock()")
    value = model.kind_of(call_node(model, 'mp.Value("i", 0)'))
    assert value is not None and value.creator is call_node(model, 'mp.Value("i", 0)')


def test_method_call() -> None:
    """The receiver's kind and the method, for a method call on an object of a known kind only."""
    model = model_of(
        """
        import multiprocessing as mp
        def main(other):
            pool = mp.Pool()
            result = pool.apply_async(print)
            result.get(timeout=1)
            other.get(timeout=1)
            print("x")
            mp.Queue().put(1)
        """
    )
    found = {
        source_of(model, call): model.method_call(call)
        for call in model.tree.calls
        if source_of(model, call) != "mp.Pool()"
    }
    described = {
        text: None if pair is None else (pair[0].name.name, pair[1]) for text, pair in found.items()
    }
    assert described == {
        "pool.apply_async(print)": ("POOL", "apply_async"),
        "result.get(timeout=1)": ("ASYNC_RESULT", "get"),
        "other.get(timeout=1)": None,
        'print("x")': None,
        "mp.Queue()": None,
        "mp.Queue().put(1)": ("QUEUE", "put"),
    }


def test_method_calls_on_known() -> None:
    """Each ``x.m(...)`` with a receiver of a known kind, with that receiver and kind, in source order."""
    model = model_of(
        """
        import multiprocessing as mp
        def main(other):
            p = mp.Process(target=print)
            p.start()
            other.start()
            mp.Pool().start()
            p.start()
        """
    )
    found = [
        (source_of(model, call), source_of(model, receiver), kind.name.name)
        for call, receiver, kind in model.method_calls_on_known("start")
    ]
    assert found == [
        ("p.start()", "p", "PROCESS"),
        ("mp.Pool().start()", "mp.Pool()", "POOL"),
        ("p.start()", "p", "PROCESS"),
    ]
