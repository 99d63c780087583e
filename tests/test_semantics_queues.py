"""Unit tests of the model's facts about queues and pipes: what a worker does with an object it was
given, which calls may raise queue exceptions, which handlers catch them, loops that never end,
pipe ends and their roles, and how a fix spells an import."""

from __future__ import annotations

import textwrap
from typing import Optional

import libcst as cst
import pytest

from mplint import api_table
from mplint.kinds import Kind, KindName
from mplint.model import Model, Submission, build_model
from mplint.model.inference import agree
from mplint.rules.join_blocked_by_queue import loop_can_exit, waits_forever
from mplint.rules.queue_exception_mismatch import queue_is_bounded


def model_of(code: str) -> Model:
    return build_model(cst.parse_module(textwrap.dedent(code)), "mod.py")


def text(model: Model, node: cst.CSTNode) -> str:
    return model.module.code_for_node(node)


def call_of(model: Model, code: str, nth: int = 0) -> cst.Call:
    found = [c for c in model.tree.calls if text(model, c) == code]
    assert len(found) > nth, [text(model, c) for c in model.tree.calls]
    return found[nth]


def name_of(model: Model, value: str, nth: int = 0) -> cst.Name:
    found = [n for n in model.tree.order if isinstance(n, cst.Name) and n.value == value]
    assert len(found) > nth
    return found[nth]


def submission_of(model: Model, code: str) -> Submission:
    call = call_of(model, code)
    found = [s for s in model.submissions() if s.call is call]
    assert found, code
    return found[0]


def node_of(model: Model, kind: type[cst.CSTNode], nth: int = 0) -> cst.CSTNode:
    found = [n for n in model.tree.order if isinstance(n, kind)]
    assert len(found) > nth
    return found[nth]


# --- api table ------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("qualname", "expected"),
    [
        ("queue.Empty", "Empty"),
        ("_queue.Empty", "Empty"),
        ("queue.Full", "Full"),
        ("multiprocessing.queues.Empty", "Empty"),
        ("billiard.queues.Full", "Full"),
        ("torch.multiprocessing.queues.Empty", "Empty"),
        ("multiprocessing.Empty", None),
        ("multiprocessing.Queue.Empty", None),
        ("asyncio.QueueEmpty", None),
        ("gevent.queue.Empty", None),
        (None, None),
    ],
)
def test_queue_exception_spellings(qualname: Optional[str], expected: Optional[str]) -> None:
    assert api_table.queue_exception(qualname) == expected


# --- pipe ends ------------------------------------------------------------------------------------
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
    pipe = call_of(model, "mp.Pipe(duplex=False)")
    for name, role in (("r", "read"), ("w", "write"), ("a", "read"), ("b", "write")):
        kind = model.kind_of(name_of(model, name))
        assert kind is not None and kind.name is KindName.CONNECTION
        assert kind.role == role, name
    assert model.kind_of(name_of(model, "r")).creator is pipe  # type: ignore[union-attr]
    for name in ("x", "y"):
        kind = model.kind_of(name_of(model, name))
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
    reader_conn = call_of(model, "conn.recv()").func
    either_conn = call_of(model, "conn.poll()").func
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


def test_pipe_unpacking_and_the_other_end() -> None:
    model = model_of(
        """
        from multiprocessing import Pipe
        def main():
            parent_end, child_end = Pipe()
            pair = Pipe()
            return parent_end, child_end, pair
        """
    )
    found = model.values.pipe_unpacking(name_of(model, "child_end", 1))
    assert found is not None
    call, index, target = found
    assert text(model, call) == "Pipe()" and index == 1
    assert text(model, target.elements[0].value) == "parent_end"
    assert model.values.pipe_unpacking(name_of(model, "pair", 1)) is None


# --- what the worker side does --------------------------------------------------------------------
WORKERS = """
import multiprocessing as mp

def emit(out, x):
    out.put(x)

def producer(results, n):
    for i in range(n):
        emit(results, i)
    results.close()

class Writer(mp.Process):
    def __init__(self, sink, name):
        super().__init__()
        self.sink = sink
        self.label = name

    def run(self):
        self.sink.put(self.label)

shared = mp.Queue()

def uses_global():
    shared.put(1)

def main():
    results = mp.Queue()
    p = mp.Process(target=producer, args=(results, 3))
    w = Writer(results, "w")
    g = mp.Process(target=uses_global)
    def closure():
        results.put("closure")
    c = mp.Process(target=closure)
    for proc in (p, w, g, c):
        proc.start()
    p.join()
    return results.get(), shared.get()
"""


def test_worker_keys_follow_arguments_into_helpers() -> None:
    model = model_of(WORKERS)
    submission = submission_of(model, "mp.Process(target=producer, args=(results, 3))")
    keys = model.handoff.worker_keys(submission, 0)
    names = {(getattr(k[0], "name", None) and k[0].name.value, k[1]) for k in keys}  # type: ignore[attr-defined]
    assert names == {("producer", "results"), ("emit", "out")}
    assert model.handoff.worker_keys(submission, 5) == []


def test_worker_calls_through_arguments_subclasses_globals_and_closures() -> None:
    model = model_of(WORKERS)
    results = name_of(model, "results", 6)  # main's variable
    assert model.binding_key(results)[1] == "results"  # type: ignore[index]
    by_args = submission_of(model, "mp.Process(target=producer, args=(results, 3))")
    puts = model.handoff.worker_calls(by_args, results, ("put",))
    assert [text(model, c) for c in puts] == ["out.put(x)"]
    assert [text(model, c) for c in model.handoff.worker_calls(by_args, results, ("close",))] == [
        "results.close()"
    ]
    subclass = submission_of(model, 'Writer(results, "w")')
    assert [text(model, c) for c in model.handoff.worker_calls(subclass, results, ("put",))] == [
        "self.sink.put(self.label)"
    ]
    closure = submission_of(model, "mp.Process(target=closure)")
    assert [text(model, c) for c in model.handoff.worker_calls(closure, results, ("put",))] == [
        'results.put("closure")'
    ]
    uses_global = submission_of(model, "mp.Process(target=uses_global)")
    shared = call_of(model, "shared.get()").func
    assert isinstance(shared, cst.Attribute)
    assert [
        text(model, c) for c in model.handoff.worker_calls(uses_global, shared.value, ("put",))
    ] == ["shared.put(1)"]
    # the producer never touches the global
    assert model.handoff.worker_calls(by_args, shared.value, ("put",)) == []
    assert model.handoff.passes_object(by_args, results)
    assert not model.handoff.passes_object(uses_global, results)


def test_submitted_arguments_include_partial_and_constructor_arguments() -> None:
    model = model_of(
        """
        import functools, multiprocessing as mp
        def work(q, x): q.put(x)
        def main(q):
            with mp.Pool(2) as pool:
                pool.map(functools.partial(work, q), range(3))
        """
    )
    submission = submission_of(model, "pool.map(functools.partial(work, q), range(3))")
    assert [text(model, a) for a in model.handoff.submitted_arguments(submission)] == ["q"]
    q = name_of(model, "q", 3)
    assert [text(model, c) for c in model.handoff.worker_calls(submission, q, ("put",))] == [
        "q.put(x)"
    ]


def test_object_calls_find_a_process_through_lists() -> None:
    model = model_of(
        """
        import multiprocessing as mp
        def work(): pass
        def main():
            procs = [mp.Process(target=work) for _ in range(2)]
            for p in procs:
                p.start()
            for p in procs:
                p.join()
        """
    )
    creator = call_of(model, "mp.Process(target=work)")
    assert [text(model, c) for c in model.values.object_calls(creator, ("join", "start"))] == [
        "p.start()",
        "p.join()",
    ]


def test_reachable_functions_and_submission_root() -> None:
    model = model_of(WORKERS)
    by_args = submission_of(model, "mp.Process(target=producer, args=(results, 3))")
    root = model.workers.submission_root(by_args)
    assert root is model.names.functions["producer"]
    assert model.callgraph.reachable_functions(root) == [
        model.names.functions["producer"],
        model.names.functions["emit"],
    ]
    run = model.workers.submission_root(submission_of(model, 'Writer(results, "w")'))
    assert isinstance(run, cst.FunctionDef) and run.name.value == "run"


# --- queue calls and exceptions -------------------------------------------------------------------
CALLS = """
import multiprocessing as mp, queue
q = mp.Queue(maxsize=4)
u = mp.Queue()
s = mp.SimpleQueue()
t = queue.Queue(0)
m = mp.Manager().Queue(2)
q.get()
q.get(True)
q.get(False)
q.get(timeout=1)
q.get(True, None)
q.get_nowait()
q.put(1)
q.put(1, False)
q.put(1, block=True, timeout=3)
q.put_nowait(1)
s.get()
t.get(block=flag)
m.put(1, timeout=1)
other.get_nowait()
"""


@pytest.mark.parametrize(
    ("code", "raised"),
    [
        ("q.get()", None),
        ("q.get(True)", None),
        ("q.get(False)", "Empty"),
        ("q.get(timeout=1)", "Empty"),
        ("q.get(True, None)", None),
        ("q.get_nowait()", "Empty"),
        ("q.put(1)", None),
        ("q.put(1, False)", "Full"),
        ("q.put(1, block=True, timeout=3)", "Full"),
        ("q.put_nowait(1)", "Full"),
        ("s.get()", None),
        ("t.get(block=flag)", "Empty"),
        ("m.put(1, timeout=1)", "Full"),
        ("other.get_nowait()", None),
    ],
)
def test_queue_call_raises(code: str, raised: Optional[str]) -> None:
    model = model_of(CALLS)
    assert model.exceptions.queue_call_raises(call_of(model, code)) == raised


def test_queue_call_raises_can_assume_a_queue() -> None:
    model = model_of(CALLS)
    assert model.exceptions.queue_call_raises(
        call_of(model, "other.get_nowait()"), assume_queue=True
    ) == ("Empty")


@pytest.mark.parametrize(
    ("name", "bounded"), [("q", True), ("u", False), ("s", False), ("t", False), ("m", True)]
)
def test_queue_is_bounded(name: str, bounded: bool) -> None:
    model = model_of(CALLS)
    kind = model.kind_of(name_of(model, name))
    assert kind is not None
    assert queue_is_bounded(model, kind) is bounded


HANDLERS = """
import queue, multiprocessing as mp
from queue import Empty
from multiprocessing.queues import Full as MPFull
from elsewhere import Empty as OtherEmpty, Problem
class Mine(Exception):
    pass
ERRORS = (queue.Empty,)
try:
    pass
except queue.Empty: pass
except Empty: pass
except MPFull: pass
except (ValueError, queue.Full): pass
except Exception: pass
except OSError: pass
except Mine: pass
except OtherEmpty: pass
except Problem: pass
except ERRORS: pass
except RuntimeError: pass
"""


@pytest.mark.parametrize(
    ("index", "exception", "expected"),
    [
        (0, "queue.Empty", True),
        (0, "queue.Full", False),
        (1, "queue.Empty", True),
        (2, "queue.Full", True),
        (3, "queue.Full", True),
        (3, "queue.Empty", False),
        (4, "queue.Full", True),
        (4, "builtins.EOFError", True),
        (5, "queue.Empty", False),
        (5, "builtins.EOFError", False),
        (6, "queue.Empty", False),
        (7, "queue.Empty", None),
        (8, "queue.Empty", None),
        (9, "queue.Empty", None),
        (10, "builtins.NotImplementedError", True),
        (10, "queue.Empty", False),
    ],
)
def test_exception_catches(index: int, exception: str, expected: Optional[bool]) -> None:
    model = model_of(HANDLERS)
    handler = node_of(model, cst.ExceptHandler, index)
    assert isinstance(handler, cst.ExceptHandler) and handler.type is not None
    assert model.exceptions.exception_catches(handler.type, exception) is expected


def test_handlers_and_enclosing_trys() -> None:
    model = model_of(
        """
        import multiprocessing as mp, queue
        def f(q):
            try:
                try:
                    q.put_nowait(1)
                except queue.Empty:
                    pass
            except queue.Full:
                pass
            try:
                q.qsize()
            except:
                pass
        """
    )
    put = call_of(model, "q.put_nowait(1)")
    inner = model.exceptions.innermost_try_body(put)
    assert isinstance(inner, cst.Try)
    assert model.exceptions.handlers_catch(inner, "queue.Full") is False
    assert model.exceptions.caught_around(put, "queue.Full") is True
    assert (
        model.exceptions.caught_around(call_of(model, "q.qsize()"), "builtins.NotImplementedError")
        is True
    )
    assert [text(model, c) for c in model.flow.calls_within(inner.body)] == ["q.put_nowait(1)"]


def test_handled_types() -> None:
    model = model_of(
        """
        import queue
        from errors import Custom
        def f():
            try:
                a()
            except KeyboardInterrupt:
                b()
                try:
                    c()
                except (queue.Empty, OSError):
                    d()
            except BaseException:
                e()
            except Custom:
                g()
            except:
                h()
            else:
                i()
        """
    )
    handled = {
        name: model.exceptions.handled_types(call_of(model, f"{name}()")) for name in "abcdeghi"
    }
    assert handled == {
        "a": None,  # in the body, not a handler
        "b": ["builtins.KeyboardInterrupt"],
        "c": ["builtins.KeyboardInterrupt"],
        "d": ["queue.Empty", "builtins.OSError"],  # the innermost handler
        "e": ["builtins.BaseException"],
        "g": ["errors.Custom"],
        "h": None,  # a bare except
        "i": None,  # the else clause runs when nothing was raised
    }


# --- loops and order ------------------------------------------------------------------------------
LOOPS = """
import sys
def stop():
    raise SystemExit
def a(q):
    while True:
        q.get()
def b(q):
    while True:
        if q.get() is None:
            break
def c(q):
    while True:
        for x in q.get():
            break
def d(q):
    while 1:
        if q.get() == "stop":
            sys.exit(0)
def e(q):
    while True:
        if q.get() == "stop":
            stop()
def f(q):
    while True:
        try:
            q.get()
        except Exception:
            return
def g(q):
    while q:
        q.get()
"""


@pytest.mark.parametrize(
    ("function", "infinite", "exits"),
    [
        ("a", True, False),
        ("b", True, True),
        ("c", True, False),
        ("d", True, True),
        ("e", True, True),
        ("f", True, True),
        ("g", False, False),
    ],
)
def test_infinite_loops_and_their_exits(function: str, infinite: bool, exits: bool) -> None:
    model = model_of(LOOPS)
    loop = model.names.functions[function].body.body[0]
    assert isinstance(loop, cst.While)
    assert model.flow.is_infinite_loop(loop) is infinite
    assert loop_can_exit(model, loop) is exits


def test_earlier_statements_stop_at_the_function() -> None:
    model = model_of(
        """
        def before(p):
            p.join()
        def f(p, q):
            p.start()
            for x in q:
                p.join()
            if q:
                q.get()
        """
    )
    get = call_of(model, "q.get()")
    earlier = [text(model, s).strip().splitlines()[0] for s in model.flow.earlier_statements(get)]
    assert earlier == ["p.start()", "for x in q:"]


@pytest.mark.parametrize(
    ("code", "forever"),
    [
        ("p.join()", True),
        ("p.join(5)", False),
        ("p.join(timeout=None)", True),
        ("p.join(t)", False),
    ],
)
def test_waits_forever(code: str, forever: bool) -> None:
    model = model_of(f"{code}\n")
    assert waits_forever(model.tree.calls[0]) is forever


# --- names and imports, for fixes ----------------------------------------------------------------
def test_import_spelling_reuses_visible_imports() -> None:
    model = model_of(
        """
        import queue as Q
        from queue import Full
        def f(q):
            pass
        """
    )
    at = name_of(model, "q")
    assert model.importer.import_spelling("queue.Full", at) == ("Full", None)
    assert model.importer.import_spelling("queue.Empty", at) == ("Q.Empty", None)


def test_import_spelling_adds_an_import_when_the_name_is_free() -> None:
    model = model_of(
        """
        import multiprocessing as mp
        def f(queue):
            pass
        def g(q):
            pass
        """
    )
    assert model.importer.import_spelling("queue.Empty", name_of(model, "q")) == (
        "queue.Empty",
        "import queue",
    )
    # ``queue`` is a parameter there: import the class instead
    assert model.importer.import_spelling("queue.Empty", name_of(model, "queue")) == (
        "Empty",
        "from queue import Empty",
    )
    assert model.importer.import_spelling("multiprocessing.Queue", name_of(model, "q")) == (
        "mp.Queue",
        None,
    )


def test_import_anchor() -> None:
    model = model_of(
        '''
        """Doc."""
        from __future__ import annotations
        import os
        from typing import Any
        X = 1
        '''
    )
    anchor = model.importer.import_anchor()
    assert anchor is not None
    statement, after = anchor
    assert after and text(model, statement).strip() == "from typing import Any"
    bare = model_of('"""Doc."""\nX = 1\n').importer.import_anchor()
    assert bare is not None and not bare[1]


def test_import_used_elsewhere() -> None:
    model = model_of(
        """
        import queue
        from multiprocessing import Queue
        q = Queue()
        try:
            q.get_nowait()
        except Queue.Empty:
            pass
        except queue.Empty:
            pass
        """
    )
    in_handler = name_of(model, "Queue", 2)
    assert model.importer.import_used_elsewhere(in_handler)
    assert not model.importer.import_used_elsewhere(in_handler, [name_of(model, "Queue", 1)])
    assert not model.importer.import_used_elsewhere(name_of(model, "queue", 1))
    assert model.names.name_is_free("Empty", in_handler)
    assert not model.names.name_is_free("queue", in_handler)
    assert [
        text(model, n) for n in model.names.references(model.binding_key(name_of(model, "q")))
    ] == [  # type: ignore[arg-type]
        "q",
        "q",
    ]


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
    join = call_of(model, "w.join()").func
    assert isinstance(join, cst.Attribute)
    kind = model.kind_of(join.value)
    assert kind is not None and kind.is_process
    assert kind.creator is call_of(model, "mp.Process(target=work)")
    listed = model.kind_of(name_of(model, "workers"))
    assert listed is not None and listed.name is KindName.SEQUENCE


def test_keyword_arguments_reach_the_worker() -> None:
    model = model_of(
        """
        import multiprocessing as mp
        def work(n, out=None):
            out.put(n)
        class Sink(mp.Process):
            def __init__(self, q=None):
                super().__init__()
                self.q = q
            def run(self):
                self.q.put(1)
        def main():
            q = mp.Queue()
            p = mp.Process(target=work, args=(1,), kwargs={"out": q})
            s = Sink(q=q)
            with mp.Pool(2) as pool:
                pool.apply_async(work, (2,), {"out": q})
            return q
        """
    )
    q = name_of(model, "q", 4)
    process = submission_of(model, 'mp.Process(target=work, args=(1,), kwargs={"out": q})')
    assert set(model.handoff.submitted_keywords(process)) == {"out"}
    assert [text(model, c) for c in model.handoff.worker_calls(process, q, ("put",))] == [
        "out.put(n)"
    ]
    assert model.handoff.passes_object(process, q)
    sink = submission_of(model, "Sink(q=q)")
    assert [text(model, c) for c in model.handoff.worker_calls(sink, q, ("put",))] == [
        "self.q.put(1)"
    ]
    task = submission_of(model, 'pool.apply_async(work, (2,), {"out": q})')
    assert [text(model, c) for c in model.handoff.worker_calls(task, q, ("put",))] == ["out.put(n)"]


def test_worker_enters_through_arguments_and_helpers() -> None:
    model = model_of(
        """
        import multiprocessing as mp
        def hold(lock):
            with lock:
                pass
        def outer(lock):
            hold(lock)
        def signal(lock):
            lock.release()
        def main():
            a, b, c = mp.Lock(), mp.Lock(), mp.Lock()
            mp.Process(target=outer, args=(a,)).start()
            mp.Process(target=signal, args=(b,)).start()
            mp.Process(target=signal, args=(a,)).start()
        """
    )
    first, second, third = model.submissions()
    lock_a = first.args[0] if first.args else None
    lock_b = second.args[0] if second.args else None
    assert lock_a is not None and lock_b is not None
    assert model.handoff.worker_enters(first, lock_a)  # through the helper's parameter
    assert not model.handoff.worker_enters(second, lock_b)
    assert not model.handoff.worker_enters(
        third, lock_a
    )  # the same lock, a worker that only releases it
