"""Unit tests of the model's facts about pools: result handles and where they go, `with Pool()` blocks,
loops around waits, callables' arity, blocking calls, abrupt exits and timeout classes."""

from __future__ import annotations

import textwrap
from typing import Optional

import libcst as cst
import pytest

from mplint.kinds import KindName
from mplint.model import Model, build_model
from mplint.rules._helpers import positional_arity
from mplint.rules.blocking_apply_in_loop import loop_carries, single_worker
from mplint.rules.blocking_callback import blocking_call
from mplint.rules.pool_results_after_with import block_handles, pool_blocks, pool_drained
from mplint.rules.unchecked_async_result import swallows_errors
from mplint.rules.worker_abrupt_exit import abrupt_exits
from mplint.rules.wrong_timeout_exception import timeout_catch, timeout_raised


def model_of(code: str) -> Model:
    return build_model(cst.parse_module(textwrap.dedent(code)), "mod.py")


def call_of(model: Model, text: str, nth: int = 0) -> cst.Call:
    found = [c for c in model.tree.calls if model.module.code_for_node(c) == text]
    assert len(found) > nth, [model.module.code_for_node(c) for c in model.tree.calls]
    return found[nth]


def function_of(model: Model, name: str) -> cst.FunctionDef:
    return model.names.functions[name]


HEADER = """\
import multiprocessing as mp
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from multiprocessing.pool import ThreadPool
def work(x): return x
"""


# --- handles --------------------------------------------------------------------------------------
def test_handle_calls_cover_pools_and_executors() -> None:
    model = model_of(
        HEADER
        + """
        def go(xs):
            pool = mp.get_context("spawn").Pool()
            a = pool.apply_async(work, (1,))
            b = pool.imap(work, xs)
            c = pool.map(work, xs)
            with ThreadPool(2) as tp:
                d = tp.starmap_async(work, [(1,)])
            with ProcessPoolExecutor() as ex:
                e = ex.submit(work, 1)
                f = ex.map(work, xs)
            g = {}.get("x")
        """.replace("\n        ", "\n")
    )
    kinds = {
        model.module.code_for_node(c).split("(")[0]: k.name for c, k in model.values.handle_calls()
    }
    assert kinds == {
        "pool.apply_async": KindName.ASYNC_RESULT,
        "pool.imap": KindName.MAP_ITERATOR,
        "tp.starmap_async": KindName.ASYNC_RESULT,
        "ex.submit": KindName.FUTURE,
        "ex.map": KindName.MAP_ITERATOR,
    }
    owner = model.values.handle_owner(call_of(model, "ex.submit(work, 1)"))
    assert owner is not None and owner[1].name is KindName.EXECUTOR


@pytest.mark.parametrize(
    ("statement", "how", "key_name"),
    [
        ("pool.apply_async(work, (1,))", "discarded", None),
        ("[pool.apply_async(work, (x,)) for x in xs]", "discarded", None),
        ("r = pool.apply_async(work, (1,))", "assigned", "r"),
        ("r: object = pool.apply_async(work, (1,))", "assigned", "r"),
        ("rs = [pool.apply_async(work, (x,)) for x in xs]", "stored", "rs"),
        ("rs = {pool.apply_async(work, (x,)): x for x in xs}", "stored", "rs"),
        ("out.append(pool.apply_async(work, (1,)))", "stored", "out"),
        ("out[0] = pool.apply_async(work, (1,))", "stored", "out"),
        ("return pool.apply_async(work, (1,))", "returned", None),
        ("pool.apply_async(work, (1,)).get()", "method", None),
        ("consume(pool.apply_async(work, (1,)))", "argument", None),
        ("a, b = pool.apply_async(work, (1,)), 2", "other", None),
    ],
)
def test_value_flow(statement: str, how: str, key_name: Optional[str]) -> None:
    model = model_of(HEADER + f"def go(pool, xs, out, consume):\n    {statement}\n")
    flow = model.values.value_flow(
        call_of(
            model,
            "pool.apply_async(work, (1,))"
            if "(1,)" in statement
            else "pool.apply_async(work, (x,))",
        )
    )
    assert flow.how.value == how
    if key_name is None:
        assert flow.key is None or how in ("method", "argument")
    else:
        assert flow.key is not None and flow.key[1] == key_name


def test_container_reads_skip_storing_calls() -> None:
    model = model_of(
        HEADER
        + """
def go(pool, xs):
    pending = []
    for x in xs:
        pending.append(pool.apply_async(work, (x,)))
    return pending
"""
    )
    flow = model.values.value_flow(call_of(model, "pool.apply_async(work, (x,))"))
    assert flow.key is not None
    reads = model.names.container_reads(flow.key)
    assert [model.module.code_for_node(model.tree.parents[r]) for r in reads] == ["return pending"]


# --- with Pool() blocks ---------------------------------------------------------------------------
def test_pool_blocks_and_their_handles() -> None:
    model = model_of(
        HEADER
        + """
def go(xs):
    with mp.Pool(2) as pool:
        res = pool.map_async(work, xs)
        other = elsewhere.map_async(work, xs)
    shared = ThreadPool(2)
    with shared:
        it = shared.imap(work, xs)
        shared.close()
        shared.join()
    with ProcessPoolExecutor() as ex:
        fut = ex.submit(work, 1)
"""
    )
    blocks = pool_blocks(model)
    assert [b.kind.name for b in blocks] == [KindName.POOL, KindName.THREAD_POOL]
    first, second = blocks
    handles = [model.module.code_for_node(c) for c, _ in block_handles(model, first)]
    assert handles == ["pool.map_async(work, xs)"]
    assert not pool_drained(model, first, call_of(model, "pool.map_async(work, xs)"))
    assert pool_drained(model, second, call_of(model, "shared.imap(work, xs)"))


# --- loops ----------------------------------------------------------------------------------------
def test_innermost_loop() -> None:
    model = model_of(
        HEADER
        + """
def go(pool, xs, rows):
    first = [pool.apply(work, (x,)) for x in pool.apply(work, (xs,))]
    for row in rows:
        total = pool.apply(work, (row,))
    while pool.apply(work, (0,)):
        pass
    return pool.apply(work, (1,))
"""
    )
    assert isinstance(
        model.flow.innermost_loop(call_of(model, "pool.apply(work, (x,))")), cst.ListComp
    )
    assert model.flow.innermost_loop(call_of(model, "pool.apply(work, (xs,))")) is None
    assert isinstance(
        model.flow.innermost_loop(call_of(model, "pool.apply(work, (row,))")), cst.For
    )
    assert isinstance(
        model.flow.innermost_loop(call_of(model, "pool.apply(work, (0,))")), cst.While
    )
    assert model.flow.innermost_loop(call_of(model, "pool.apply(work, (1,))")) is None


def test_loop_carries_results_to_the_next_pass() -> None:
    model = model_of(
        HEADER
        + """
def go(pool, state, xs, out):
    for _ in xs:
        state = pool.apply(work, (state,))
    for x in xs:
        value = pool.apply(work, (x,))
        out[x] = value * 2
    for _ in xs:
        temp = pool.apply(work, (out[-1],))
        out.append(temp + 1)
"""
    )
    loops = [n for n in model.tree.order if isinstance(n, cst.For)]
    first = call_of(model, "pool.apply(work, (state,))")
    second = call_of(model, "pool.apply(work, (x,))")
    third = call_of(model, "pool.apply(work, (out[-1],))")
    assert loop_carries(model, loops[0], first, first)
    assert not loop_carries(model, loops[1], second, second)
    assert loop_carries(model, loops[2], third, third)


def test_loop_exits_early() -> None:
    model = model_of(
        "def go(xs):\n"
        "    for x in xs:\n"
        "        if x:\n"
        "            break\n"
        "    for x in xs:\n"
        "        for y in x:\n"
        "            break\n"
    )
    loops = [n for n in model.tree.order if isinstance(n, cst.For)]
    assert model.flow.loop_exits_early(loops[0])
    assert not model.flow.loop_exits_early(loops[1])


# --- arity ----------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("expr", "expected"),
    [
        ("two", (2, 2)),
        ("defaulted", (1, 2)),
        ("star", (1, None)),
        ("functools.partial(two, 1)", (1, 1)),
        ("functools.partial(three, c=1)", (2, 2)),
        ("functools.partial(three, a=1)", None),
        ("lambda a, b: a", (2, 2)),
        ("self.method", (2, 2)),
        ("Klass.method", (3, 3)),
        ("Klass.static", (2, 2)),
        ("Klass.cm", (1, 1)),
        ("decorated", None),
        ("print", None),
    ],
)
def test_positional_arity(expr: str, expected: Optional[tuple[int, Optional[int]]]) -> None:
    model = model_of(
        f"""
import functools
def two(a, b): pass
def three(a, b, c): pass
def defaulted(a, b=1): pass
def star(a, *rest): pass
@functools.lru_cache
def decorated(a, b): pass
class Klass:
    def method(self, a, b): pass
    @staticmethod
    def static(a, b): pass
    @classmethod
    def cm(cls, a): pass
    def use(self):
        return {expr}
"""
    )
    returned = model.tree.returns[
        function_of(model, "use")
        if "use" in model.names.functions
        else model.names.classes["Klass"].methods["use"]
    ][0]
    assert returned.value is not None
    assert positional_arity(model, returned.value) == expected


# --- blocking calls, exits, timeouts --------------------------------------------------------------
def test_blocking_calls() -> None:
    model = model_of(
        HEADER
        + """
import time, queue
def go(xs):
    pool = mp.Pool()
    res = pool.apply_async(work, (1,))
    q = mp.Queue()
    res.get()
    res.ready()
    pool.map(work, xs)
    pool.imap(work, xs)
    time.sleep(1)
    q.get()
    q.get(timeout=1)
    {}.get("k")
    pool.terminate()
"""
    )
    blocking = {
        model.module.code_for_node(c): blocking_call(model, c) is not None
        for c in model.callgraph.function_calls(function_of(model, "go"))
    }
    assert blocking["res.get()"] and blocking["pool.map(work, xs)"] and blocking["time.sleep(1)"]
    assert blocking["q.get()"] and blocking["pool.terminate()"]
    assert not blocking["res.ready()"] and not blocking["pool.imap(work, xs)"]
    assert not blocking["q.get(timeout=1)"] and not blocking['{}.get("k")']


def test_abrupt_exits() -> None:
    model = model_of(
        """
import os, sys, signal
def work(x):
    if x == 1:
        sys.exit(1)
    if x == 2:
        os._exit(2)
    if x == 3:
        raise SystemExit(3)
    if x == 4:
        os.kill(os.getpid(), signal.SIGTERM)
    try:
        sys.exit(5)
    except SystemExit:
        pass
    def inner():
        sys.exit(6)
    raise ValueError(x)
"""
    )
    exits = abrupt_exits(model, function_of(model, "work"))
    assert [(model.module.code_for_node(n).split("(")[0], how) for n, how in exits] == [
        ("sys.exit", "SystemExit"),
        ("os._exit", "kill"),
        ("raise SystemExit", "SystemExit"),
        ("os.kill", "kill"),
    ]


def test_swallows_errors() -> None:
    model = model_of(
        """
def quiet(x):
    '''Logs instead of raising.'''
    try:
        return 1 / x
    except Exception:
        print("failed")
def loud(x):
    try:
        return 1 / x
    except Exception:
        raise
def narrow(x):
    try:
        return 1 / x
    except ZeroDivisionError:
        return None
"""
    )
    assert swallows_errors(model, function_of(model, "quiet"))
    assert not swallows_errors(model, function_of(model, "loud"))
    assert not swallows_errors(model, function_of(model, "narrow"))


def test_timeout_raised_and_caught() -> None:
    model = model_of(
        HEADER
        + """
import concurrent.futures, asyncio, billiard
from concurrent.futures import as_completed
def go(xs):
    pool = mp.Pool()
    bpool = billiard.Pool()
    res = pool.apply_async(work, (1,))
    it = pool.imap(work, xs)
    with ProcessPoolExecutor() as ex:
        fut = ex.submit(work, 1)
    res.get(timeout=5)
    res.get()
    res.get(timeout=None)
    it.next(2)
    fut.result(3)
    as_completed([fut], timeout=4)
    bpool.apply_async(work, (1,)).get(1)
    try:
        pass
    except (TimeoutError, mp.TimeoutError, mp.ProcessError, concurrent.futures.TimeoutError, asyncio.TimeoutError, ValueError, Exception, errors.Timeout):
        pass
"""
    )
    raised = {
        model.module.code_for_node(c): timeout_raised(model, c)
        for c in model.callgraph.function_calls(function_of(model, "go"))
    }
    assert raised["res.get(timeout=5)"] == "multiprocessing.TimeoutError"
    assert raised["res.get()"] is None and raised["res.get(timeout=None)"] is None
    assert raised["it.next(2)"] == "multiprocessing.TimeoutError"
    assert raised["fut.result(3)"] == "concurrent.futures.TimeoutError"
    assert raised["as_completed([fut], timeout=4)"] == "concurrent.futures.TimeoutError"
    assert raised["bpool.apply_async(work, (1,)).get(1)"] == "billiard.TimeoutError"
    handler = next(n for n in model.tree.order if isinstance(n, cst.ExceptHandler))
    assert isinstance(handler.type, cst.Tuple)
    names = [e.value for e in handler.type.elements]
    mp_timeout = "multiprocessing.TimeoutError"
    futures_timeout = "concurrent.futures.TimeoutError"
    verdicts = [timeout_catch(model, n, mp_timeout) for n in names]
    assert verdicts == ["wrong", "catches", "catches", "wrong", "wrong", "misses", "catches", None]
    futures = [timeout_catch(model, n, futures_timeout) for n in names]
    assert futures == ["catches", "wrong", "wrong", "catches", "catches", "misses", "catches", None]
    old = [
        timeout_catch(model, n, futures_timeout, futures_timeout_is_builtin=False)
        for n in names[:2]
    ]
    assert old == ["wrong", "wrong"]
    assert timeout_catch(model, handler.type, mp_timeout) == "catches"


def test_single_worker() -> None:
    model = model_of(
        HEADER
        + """
def go():
    one = mp.Pool(1)
    many = mp.Pool(4)
    ex = ProcessPoolExecutor(max_workers=1)
"""
    )
    for text, expected in (("mp.Pool(1)", True), ("mp.Pool(4)", False)):
        kind = model.kind_of(call_of(model, text))
        assert kind is not None and single_worker(model, kind) is expected
    kind = model.kind_of(call_of(model, "ProcessPoolExecutor(max_workers=1)"))
    assert kind is not None and single_worker(model, kind)
