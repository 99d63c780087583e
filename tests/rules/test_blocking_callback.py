"""The predicates of the ``blocking_callback`` rule."""

from __future__ import annotations

from mplint.rules.blocking_callback import blocking_call

from ..model.support import POOL_HEADER, model_of


def test_blocking_calls() -> None:
    model = model_of(
        POOL_HEADER
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
        for c in model.callgraph.function_calls(model.names.functions["go"])
    }
    assert blocking["res.get()"] and blocking["pool.map(work, xs)"] and blocking["time.sleep(1)"]
    assert blocking["q.get()"] and blocking["pool.terminate()"]
    assert not blocking["res.ready()"] and not blocking["pool.imap(work, xs)"]
    assert not blocking["q.get(timeout=1)"] and not blocking['{}.get("k")']
