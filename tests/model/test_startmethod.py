"""Start methods and the default context (:mod:`mplint.model.startmethod`)."""

from __future__ import annotations

from typing import Optional

import pytest

from mplint.model import context_family

from .support import call_node, model_of, name_node


def test_start_method_inference() -> None:
    model = model_of(
        """
        import multiprocessing as mp
        mp.set_start_method("fork")
        p = mp.Process()
        q = mp.get_context("spawn").Process()
        """
    )
    assert model.start_method(model.kind_of(name_node(model, "p", -1))) == "fork"
    assert model.start_method(model.kind_of(name_node(model, "q", -1))) == "spawn"
    portable = model_of("import multiprocessing as mp\np = mp.Process()\n")
    assert portable.start_method(portable.kind_of(name_node(portable, "p", -1))) is None
    configured = model_of("import multiprocessing as mp\np = mp.Process()\n", start_method="fork")
    assert configured.start_method(configured.kind_of(name_node(configured, "p", -1))) == "fork"


def test_start_method_calls_record_method_force_and_tolerance() -> None:
    model = model_of(
        "import multiprocessing as mp\n"
        "import torch.multiprocessing as tmp\n"
        "from multiprocessing import set_start_method as ssm\n"
        "import contextlib\n"
        "mp.set_start_method('spawn')\n"
        "ssm('fork', force=True)\n"
        "tmp.set_start_method(method)\n"
        "try:\n"
        "    mp.set_start_method('forkserver')\n"
        "except (ValueError, RuntimeError):\n"
        "    pass\n"
        "with contextlib.suppress(RuntimeError):\n"
        "    mp.set_start_method('spawn')\n"
        "if mp.get_start_method(allow_none=True) is None:\n"
        "    mp.set_start_method('spawn')\n"
        "if mp.get_start_method() != 'spawn':\n"
        "    mp.set_start_method('spawn', force=False)\n",
        path="case.py",
        dedent=False,
    )
    found = [
        (c.method, c.forced, c.tolerated, c.family) for c in model.startmethod.start_method_calls
    ]
    assert found == [
        ("spawn", False, False, "multiprocessing"),
        ("fork", True, False, "multiprocessing"),
        (None, False, False, "multiprocessing"),  # torch shares multiprocessing's context
        ("forkserver", False, True, "multiprocessing"),
        ("spawn", False, True, "multiprocessing"),
        ("spawn", False, True, "multiprocessing"),
        ("spawn", False, False, "multiprocessing"),  # get_start_method() is no test of freedom
    ]


def test_default_context_use() -> None:
    model = model_of(
        "import multiprocessing as mp\n"
        "import billiard\n"
        "from concurrent.futures import ProcessPoolExecutor\n"
        "def f(): pass\n"
        "mp.Queue()\n"
        "mp.get_context('spawn').Queue()\n"
        "mp.get_start_method()\n"
        "mp.get_start_method(allow_none=True)\n"
        "mp.get_context()\n"
        "mp.RawValue('i', 0)\n"
        "mp.Pipe()\n"
        "p = mp.Process(target=f)\n"
        "p.start()\n"
        "ProcessPoolExecutor()\n"
        "ProcessPoolExecutor(max_tasks_per_child=3)\n"
        "billiard.Lock()\n"
        "mp.Manager()\n",
        path="case.py",
        dedent=False,
    )
    uses = {
        model.module.code_for_node(call): model.startmethod.default_context_use(call)
        for call in model.tree.calls
    }
    assert uses["mp.Queue()"] == ("multiprocessing", "mp.Queue()")
    assert uses["mp.get_context('spawn').Queue()"] is None
    assert uses["mp.get_start_method()"] == ("multiprocessing", "get_start_method()")
    assert uses["mp.get_start_method(allow_none=True)"] is None
    assert uses["mp.get_context()"] == ("multiprocessing", "get_context()")
    assert uses["mp.RawValue('i', 0)"] is None
    assert uses["mp.Pipe()"] is None
    assert uses["mp.Process(target=f)"] is None  # creating a Process does not choose a method
    assert uses["p.start()"] == ("multiprocessing", "p.start()")
    assert uses["ProcessPoolExecutor()"] == ("multiprocessing", "ProcessPoolExecutor()")
    assert uses["ProcessPoolExecutor(max_tasks_per_child=3)"] is None  # uses spawn explicitly
    assert uses["billiard.Lock()"] == ("billiard", "billiard.Lock()")
    assert uses["mp.Manager()"] == ("multiprocessing", "mp.Manager()")


def test_surely_uses_default_context_follows_unconditional_calls() -> None:
    model = model_of(
        "import multiprocessing as mp\n"
        "def make():\n"
        "    return mp.Lock()\n"
        "def maybe(flag):\n"
        "    if flag:\n"
        "        mp.Lock()\n"
        "def outer():\n"
        "    make()\n"
        "def other():\n"
        "    maybe(True)\n",
        path="case.py",
        dedent=False,
    )
    outer = model.names.functions["outer"]
    other = model.names.functions["other"]
    found = model.startmethod.surely_uses_default_context(outer)
    assert found is not None and found[1] == "mp.Lock() (in make())"
    assert model.startmethod.surely_uses_default_context(other) is None


def test_possible_start_methods() -> None:
    code = "import multiprocessing as mp\nlock = mp.Lock()\nfork = mp.get_context('fork').Lock()\n"
    portable = model_of(code, path="case.py", dedent=False)
    default = portable.kind_of(name_node(portable, "lock"))
    assert portable.startmethod.possible_start_methods(default) == {"fork", "spawn", "forkserver"}
    fork_kind = portable.kind_of(name_node(portable, "fork"))
    assert portable.startmethod.possible_start_methods(fork_kind) == {"fork"}
    configured = model_of(code, start_method="spawn", path="case.py", dedent=False)
    assert configured.startmethod.possible_start_methods(
        configured.kind_of(name_node(configured, "lock"))
    ) == {"spawn"}


def test_context_family() -> None:
    assert context_family("torch.multiprocessing") == "multiprocessing"
    assert context_family("concurrent.futures") == "multiprocessing"
    assert context_family("billiard") == "billiard"


def test_start_method_unknown() -> None:
    model = model_of(
        "import multiprocessing as mp\n"
        "from concurrent.futures import ProcessPoolExecutor\n"
        "def f(method, ctx):\n"
        "    chosen = mp.get_context(method).Process(target=f)\n"
        "    default = mp.get_context().Process(target=f)\n"
        "    plain = mp.Process(target=f)\n"
        "    spawn = mp.get_context('spawn').Process(target=f)\n"
        "    ex = ProcessPoolExecutor(mp_context=ctx)\n"
        "    ex2 = ProcessPoolExecutor()\n",
        path="case.py",
        dedent=False,
    )
    verdicts = {
        name: model.startmethod.start_method_unknown(model.kind_of(name_node(model, name)))
        for name in ("chosen", "default", "plain", "spawn", "ex", "ex2")
    }
    assert verdicts == {
        "chosen": True,
        "default": False,
        "plain": False,
        "spawn": False,
        "ex": True,
        "ex2": False,
    }


# --- the module-wide method, tolerated failures, library functions ---------------------------------
@pytest.mark.parametrize(
    ("calls", "expected"),
    [
        ("mp.set_start_method('fork')", "fork"),
        ("mp.set_start_method(method='forkserver')", "forkserver"),
        ("mp.context._default_context.set_start_method('spawn')", None),
        ("set_start_method('spawn')", "spawn"),
        ("mp.set_start_method('fork')\nmp.set_start_method('spawn', force=True)", None),  # disagree
        ("mp.set_start_method('fork')\nmp.set_start_method('fork')", "fork"),
        ("mp.set_start_method(method)", None),
        ("mp.set_start_method('nonsense')", None),
        ("", None),
    ],
)
def test_module_start_method(calls: str, expected: Optional[str]) -> None:
    model = model_of(
        "import multiprocessing as mp\nfrom multiprocessing import set_start_method\n"
        + calls
        + "\n"
    )
    assert model.startmethod.module_start_method() == expected


@pytest.mark.parametrize(
    ("code", "tolerated"),
    [
        ("try:\n    CALL\nexcept RuntimeError:\n    pass", True),
        ("try:\n    CALL\nexcept (ValueError, RuntimeError):\n    pass", True),
        ("try:\n    CALL\nexcept Exception:\n    pass", True),
        ("try:\n    CALL\nexcept:\n    pass", True),
        ("try:\n    CALL\nexcept ValueError:\n    pass", False),
        ("try:\n    pass\nexcept RuntimeError:\n    CALL", False),  # the handler itself
        ("with contextlib.suppress(RuntimeError):\n    CALL", True),
        ("with contextlib.suppress(KeyError):\n    CALL", False),
        ("if mp.get_start_method(allow_none=True) is None:\n    CALL", True),
        ("if mp.get_start_method() is None:\n    CALL", False),
        ("CALL", False),
        (
            "try:\n    def f():\n        CALL\nexcept RuntimeError:\n    pass",
            False,
        ),  # not across a def
    ],
)
def test_failure_tolerated(code: str, tolerated: bool) -> None:
    model = model_of(
        "import contextlib, multiprocessing as mp\n"
        + code.replace("CALL", "mp.set_start_method('spawn')")
        + "\n",
        dedent=False,
    )
    call = call_node(model, "mp.set_start_method('spawn')")
    assert model.startmethod.failure_tolerated(call) is tolerated


@pytest.mark.parametrize(
    ("call", "expected"),
    [
        ("mp.get_start_method()", "multiprocessing"),
        ("billiard.get_start_method()", "billiard"),
        ("tmp.get_start_method()", "torch.multiprocessing"),
        ("mp.get_context()", None),
        ("other.get_start_method()", None),
    ],
)
def test_family_function(call: str, expected: Optional[str]) -> None:
    model = model_of(
        "import billiard, multiprocessing as mp\nimport torch.multiprocessing as tmp\n"
        + call
        + "\n"
    )
    found = model.startmethod.family_function(call_node(model, call), ("get_start_method",))
    assert found == expected
