"""The call graph and bounded reachability (:mod:`mplint.model.callgraph`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Optional

import libcst as cst
import pytest

from mplint.model import FunctionNode, Model
from mplint.model.callgraph import CALL_GRAPH_DEPTH

from .support import call_node, def_named, model_of, source_of


def test_guard_reachable_and_global_reads() -> None:
    model = model_of(
        "CONFIG = {}\n"
        "def helper(): return CONFIG\n"
        "def main():\n"
        "    helper()\n"
        "def unused(): pass\n"
        "def reader(x):\n"
        "    local = 1\n"
        "    return [CONFIG[k] for k in x] + [local, len(x)]\n"
        "if __name__ == '__main__':\n"
        "    main()\n",
        path="case.py",
        dedent=False,
    )
    reached = {
        f.name.value for f in model.callgraph.guard_reachable if isinstance(f, cst.FunctionDef)
    }
    assert reached == {"main", "helper"}
    assert set(model.names.global_reads(model.names.functions["reader"])) == {"CONFIG"}


# --- callees, callers and the depth limit ---------------------------------------------------------
#: f0 calls f1 calls ... f5: one more level than the graph is followed, and a bit.
CHAIN = """
def f0(): f1()
def f1(): f2()
def f2(): f3()
def f3(): f4()
def f4(): f5()
def f5(): f5()
"""


def names_of(functions: Optional[list[FunctionNode]]) -> Optional[list[str]]:
    if functions is None:
        return None
    return [f.name.value if isinstance(f, cst.FunctionDef) else "<lambda>" for f in functions]


def test_the_depth_is_three_calls() -> None:
    assert CALL_GRAPH_DEPTH == 3


def test_reachable_functions_stop_at_the_depth() -> None:
    model = model_of(CHAIN)
    f = model.names.functions
    assert names_of(model.callgraph.reachable_functions(f["f0"])) == ["f0", "f1", "f2", "f3"]
    assert names_of(model.callgraph.reachable_functions(f["f2"])) == ["f2", "f3", "f4", "f5"]
    assert names_of(model.callgraph.reachable_functions(f["f5"])) == ["f5"]  # no self loop
    assert model.callgraph.reachable_from(f["f0"]) == {f["f0"], f["f1"], f["f2"], f["f3"]}


def is_named(name: str) -> Callable[[FunctionNode], bool]:
    return lambda function: isinstance(function, cst.FunctionDef) and function.name.value == name


@pytest.mark.parametrize(
    ("target", "depth", "chain"),
    [
        ("f0", CALL_GRAPH_DEPTH, ["f0"]),
        ("f3", CALL_GRAPH_DEPTH, ["f0", "f1", "f2", "f3"]),
        ("f4", CALL_GRAPH_DEPTH, None),  # one call too deep
        ("f4", CALL_GRAPH_DEPTH + 1, ["f0", "f1", "f2", "f3", "f4"]),
        ("f1", 0, None),
        ("f1", 1, ["f0", "f1"]),
        ("missing", 10, None),
    ],
)
def test_call_chain_depth(target: str, depth: int, chain: Optional[list[str]]) -> None:
    model = model_of(CHAIN)
    start = model.names.functions["f0"]
    found = model.callgraph.call_chain(start, is_named(target), depth)
    assert names_of(found) == chain
    if depth == CALL_GRAPH_DEPTH:
        assert names_of(model.callgraph.call_chain(start, is_named(target))) == chain


def test_call_chain_is_the_shortest_and_survives_cycles() -> None:
    model = model_of(
        """
        def a(): b(); c()
        def b(): a(); d()
        def c(): d()
        def d(): pass
        """
    )
    chain = model.callgraph.call_chain(model.names.functions["a"], is_named("d"))
    assert names_of(chain) == ["a", "b", "d"]
    assert model.callgraph.call_chain(model.names.functions["d"], is_named("a")) is None


def test_call_chains_are_shortest_breadth_first_and_bounded() -> None:
    model = model_of(
        """
        def a(): b(); c()
        def b(): a(); d(); c()
        def c(): d(); e()
        def d(): pass
        def e(): f()
        def f(): pass
        """
    )
    chains = [names_of(c) for c in model.callgraph.call_chains(model.names.functions["a"])]
    assert chains == [
        ["a"],
        ["a", "b"],
        ["a", "c"],
        ["a", "b", "d"],
        ["a", "c", "e"],
        ["a", "c", "e", "f"],
    ]
    one = [names_of(c) for c in model.callgraph.call_chains(model.names.functions["a"], 1)]
    assert one == [["a"], ["a", "b"], ["a", "c"]]
    assert [names_of(c) for c in model.callgraph.call_chains(model.names.functions["d"])] == [["d"]]


def callees(model: Model, name: str) -> Optional[list[str]]:
    return names_of(model.callgraph.callees(def_named(model, name)))


def test_callees_and_calls_to() -> None:
    model = model_of(
        """
        import functools
        def helper(x): pass
        def again(): pass
        class Job:
            def __init__(self): self.setup()
            def setup(self): helper(1)
            @classmethod
            def make(cls): return cls()
        def main():
            helper(1)
            helper(2)
            again()
            Job()
            Job.setup(None)
            functools.partial(helper, 1)()
            main()
            print(helper)
            def nested(): again()
        """
    )
    # callees() does not follow ``Job()`` into ``__init__``; calls_to() counts it as a call
    assert callees(model, "main") == ["helper", "again", "setup"]
    assert callees(model, "__init__") == ["setup"]
    assert callees(model, "nested") == ["again"]
    calls = {
        name: [source_of(model, c) for c in model.callgraph.calls_to(def_named(model, name))]
        for name in ("helper", "again", "__init__", "setup", "main")
    }
    assert calls == {
        "helper": ["helper(1)", "helper(1)", "helper(2)"],
        "again": ["again()", "again()"],
        "__init__": ["Job()"],
        "setup": ["self.setup()", "Job.setup(None)"],
        "main": ["main()"],
    }
    assert [
        source_of(model, c) for c in model.callgraph.function_calls(def_named(model, "main"))
    ] == [
        "helper(1)",
        "helper(2)",
        "again()",
        "Job()",
        "Job.setup(None)",
        "functools.partial(helper, 1)()",
        "functools.partial(helper, 1)",
        "main()",
        "print(helper)",
    ]


def test_guard_reachable_stops_at_the_depth() -> None:
    model = model_of(CHAIN + "if __name__ == '__main__':\n    f0()\n")
    reached = {
        f.name.value for f in model.callgraph.guard_reachable if isinstance(f, cst.FunctionDef)
    }
    assert reached == {"f0", "f1", "f2", "f3"}


def test_repeats() -> None:
    model = model_of(
        """
        def once(): a()
        def twice(): b()
        def looped(): c()
        def main(xs):
            once()
            twice()
            twice()
            for x in xs:
                looped()
                d()
        """
    )
    repeats = {name: model.callgraph.repeats(call_node(model, f"{name}()")) for name in "abcd"}
    assert repeats == {"a": False, "b": True, "c": True, "d": True}


def test_runs_once_per_program() -> None:
    model = model_of(
        "import sys\n"
        "def main():\n"
        "    _setup()\n"
        "    public_helper()\n"
        "    for i in range(3):\n"
        "        _in_loop(i)\n"
        "    _twice(); _twice()\n"
        "    handlers = [_as_value]\n"
        "def _setup(): _deeper()\n"
        "def _deeper(): pass\n"
        "def public_helper(): pass\n"
        "def _in_loop(i): pass\n"
        "def _twice(): pass\n"
        "def _as_value(): pass\n"
        "def looped_entry(): pass\n"
        "def at_import(): pass\n"
        "class Tool:\n"
        "    def run(self): pass\n"
        "at_import()\n"
        "if __name__ == '__main__':\n"
        "    for _ in range(2):\n"
        "        looped_entry()\n"
        "    sys.exit(main())\n",
        path="case.py",
        dedent=False,
    )
    once = {f.name.value for f in model.callgraph.runs_once_per_program}
    # public_helper's one reference is main's call: taken to run once, like a private helper.
    assert once == {"main", "_setup", "_deeper", "public_helper", "at_import"}
    console = model_of(
        "def main(argv=None): _helper()\ndef _helper(): pass\ndef other(): pass\n",
        path="case.py",
        dedent=False,
    )
    assert {f.name.value for f in console.callgraph.runs_once_per_program} == {"main", "_helper"}
