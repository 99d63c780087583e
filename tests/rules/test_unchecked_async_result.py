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


def test_statements_beside_the_catch_all_try() -> None:
    """Statements that cannot realistically raise may stand beside the catch-all ``try``."""
    model = model_of(
        """
        def guarded(x):
            result = None
            if x is None or not isinstance(x, int):
                return result
            try:
                result = 1 / x
            except Exception:
                print("failed")
            return result
        def prepared(x):
            y = x[0]
            try:
                return 1 / y
            except Exception:
                print("failed")
        def called_first(x):
            print(x)
            try:
                return 1 / x
            except Exception:
                print("failed")
        def two_trys(x):
            try:
                return 1 / x
            except Exception:
                print("failed")
            try:
                return 2 / x
            except Exception:
                print("failed")
        """
    )
    assert swallows_errors(model, model.names.functions["guarded"])
    for name in ("prepared", "called_first", "two_trys"):
        assert not swallows_errors(model, model.names.functions[name]), name
