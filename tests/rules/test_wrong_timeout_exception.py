"""The predicates of the ``wrong_timeout_exception`` rule."""

from __future__ import annotations

import libcst as cst

from mplint.rules.wrong_timeout_exception import timeout_catch, timeout_raised

from ..model.support import POOL_HEADER, model_of


def test_timeout_raised_and_caught() -> None:
    model = model_of(
        POOL_HEADER
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
        for c in model.callgraph.function_calls(model.names.functions["go"])
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
