"""The predicates of the ``blocking_apply_in_loop`` rule."""

from __future__ import annotations

import libcst as cst

from mplint.model.workers import has_single_worker
from mplint.rules.blocking_apply_in_loop import loop_carries

from ..model.support import POOL_HEADER, call_node, model_of


def test_loop_carries_results_to_the_next_pass() -> None:
    model = model_of(
        POOL_HEADER
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
    first = call_node(model, "pool.apply(work, (state,))")
    second = call_node(model, "pool.apply(work, (x,))")
    third = call_node(model, "pool.apply(work, (out[-1],))")
    assert loop_carries(model, loops[0], first, first)
    assert not loop_carries(model, loops[1], second, second)
    assert loop_carries(model, loops[2], third, third)


def test_single_worker() -> None:
    model = model_of(
        POOL_HEADER
        + """
def go():
    one = mp.Pool(1)
    many = mp.Pool(4)
    ex = ProcessPoolExecutor(max_workers=1)
"""
    )
    for text, expected in (("mp.Pool(1)", True), ("mp.Pool(4)", False)):
        kind = model.kind_of(call_node(model, text))
        assert kind is not None and has_single_worker(kind) is expected
    kind = model.kind_of(call_node(model, "ProcessPoolExecutor(max_workers=1)"))
    assert kind is not None and has_single_worker(kind)
