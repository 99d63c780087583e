"""The predicates of the ``implicit_fork_state`` rule, and its one diagnostic per variable."""

from __future__ import annotations

import textwrap

from mplint.diagnostics import Diagnostic, Related
from mplint.engine import lint_source
from mplint.rules.implicit_fork_state import global_rng_call
from mplint.settings import Config


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


ONE_CAUSE = textwrap.dedent(
    """\
    from multiprocessing import Pool

    def work(x):
        return SETTINGS["scale"] * x

    def main(scale):
        global SETTINGS
        SETTINGS = dict(){first}
        SETTINGS["scale"] = scale{second}
        with Pool(2) as pool:
            return pool.map(work, [1, 2])

    if __name__ == "__main__":
        main(2)
    """
)


def _mpl208(text: str) -> list[Diagnostic]:
    return lint_source("app.py", text, Config(select=("MPL208",), preview=True))


def test_one_diagnostic_per_variable_with_its_other_places() -> None:
    (found,) = _mpl208(ONE_CAUSE.format(first="", second=""))
    assert (found.line, found.column, found.end_line, found.end_column) == (8, 5, 8, 13)
    assert found.message == (
        "`SETTINGS` is only set after import, but worker `work()` reads it in a child: spawned "
        "children re-import the module, where it does not exist, and raise NameError"
    )
    assert found.related == (
        Related("app.py", 9, 5, 9, 30, "`SETTINGS` is also changed here"),
        Related("app.py", 4, 12, 4, 20, "worker `work()` reads `SETTINGS` here"),
    )


def test_noqa_on_the_reported_line_suppresses_the_whole_diagnostic() -> None:
    assert _mpl208(ONE_CAUSE.format(first="  # noqa: MPL208", second="")) == []
    # a related location's line does not count
    (found,) = _mpl208(ONE_CAUSE.format(first="", second="  # noqa: MPL208"))
    assert found.line == 8 and len(found.related) == 2
