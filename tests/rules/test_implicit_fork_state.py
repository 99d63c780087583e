"""The predicates of the ``implicit_fork_state`` rule."""

from __future__ import annotations

from mplint.rules.implicit_fork_state import global_rng_call


def test_global_rng_call() -> None:
    assert global_rng_call("numpy.random.seed") == ("numpy.random", "seed")
    assert global_rng_call("numpy.random.rand") == ("numpy.random", "draw")
    assert global_rng_call("numpy.random.default_rng") is None
    assert global_rng_call("random.seed") == ("random", "seed")
    assert global_rng_call("random.choice") == ("random", "draw")
    assert global_rng_call("random.Random") is None
    assert global_rng_call("torch.manual_seed") == ("torch", "seed")
    assert global_rng_call("torch.randn") == ("torch", "draw")
    assert global_rng_call("torch.zeros") is None
    assert global_rng_call("os.getpid") is None
    assert global_rng_call(None) is None
