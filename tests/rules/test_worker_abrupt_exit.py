"""The predicates of the ``worker_abrupt_exit`` rule."""

from __future__ import annotations

from mplint.rules.worker_abrupt_exit import abrupt_exits

from ..model.support import model_of


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
    exits = abrupt_exits(model, model.names.functions["work"])
    assert [(model.module.code_for_node(n).split("(")[0], how) for n, how in exits] == [
        ("sys.exit", "SystemExit"),
        ("os._exit", "kill"),
        ("raise SystemExit", "SystemExit"),
        ("os.kill", "kill"),
    ]
