"""The predicates of the ``pool_results_after_with`` rule."""

from __future__ import annotations

from mplint.kinds import KindName
from mplint.rules.pool_results_after_with import block_handles, pool_blocks, pool_drained

from ..model.support import POOL_HEADER, call_node, model_of


def test_pool_blocks_and_their_handles() -> None:
    model = model_of(
        POOL_HEADER
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
    assert not pool_drained(model, first, call_node(model, "pool.map_async(work, xs)"))
    assert pool_drained(model, second, call_node(model, "shared.imap(work, xs)"))
