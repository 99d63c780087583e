"""The predicates of the ``unchecked_async_result`` rule."""

from __future__ import annotations

from mplint.rules.unchecked_async_result import swallows_errors

from ..model.support import model_of


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
    assert swallows_errors(model, model.names.functions["quiet"])
    assert not swallows_errors(model, model.names.functions["loud"])
    assert not swallows_errors(model, model.names.functions["narrow"])
