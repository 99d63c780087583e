"""The semantic model's facts used by the process lifecycle rules (MPL102 to MPL109)."""

from __future__ import annotations

import textwrap
from typing import Optional

import libcst as cst
import pytest

from mplint.kinds import Kind, KindName
from mplint.model import Model, build_model
from mplint.rules.process_lifecycle_order import self_calls
from mplint.rules.process_subclass_no_super_init import base_init_calls, generates_init


def model_of(source: str, path: str = "case.py") -> Model:
    return build_model(cst.parse_module(textwrap.dedent(source)), path)


def call_named(model: Model, text: str, index: int = 0) -> cst.Call:
    found = [c for c in model.tree.calls if model.module.code_for_node(c) == text]
    assert len(found) > index, f"no call {text!r}"
    return found[index]


def function_named(model: Model, name: str) -> cst.FunctionDef:
    for node in model.tree.order:
        if isinstance(node, cst.FunctionDef) and node.name.value == name:
            return node
    raise AssertionError(name)


def value_of(model: Model, target: str) -> cst.BaseExpression:
    """The value assigned to ``target`` by its last assignment (``x = <value>``)."""
    found: Optional[cst.BaseExpression] = None
    for node in model.tree.order:
        if isinstance(node, cst.Assign) and any(
            model.module.code_for_node(t.target) == target for t in node.targets
        ):
            found = node.value
    assert found is not None, target
    return found


# --- value_type ----------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ('("egon")', "str"),
        ('f"user-{n}"', "str"),
        ('"a" "b"', "str"),
        ('b"raw"', "bytes"),
        ("(5)", "int"),
        ("-5", "int"),
        ("1.5", "float"),
        ("2j", "complex"),
        ("1 + 2", "int"),
        ("1 / 2", "float"),
        ("1 + 2.0", "float"),
        ("2 ** 3", None),
        ('"%s" % name', "str"),
        ('"-" * 3', "str"),
        ("not x", "bool"),
        ("a < b", "bool"),
        ("True", "bool"),
        ("None", "None"),
        ('{"a": 1}', "dict"),
        ("{1, 2}", "set"),
        ("[1, 2]", "list"),
        ("(1, 2)", "tuple"),
        ("(x for x in y)", "generator"),
        ("str(n)", "str"),
        ("len(y)", "int"),
        ('", ".join(y)', "str"),
        ('"x".upper()', "str"),
        ("x.upper()", None),
        ("x", None),
        ("1 if x else 2", "int"),
        ('1 if x else "2"', None),
    ],
)
def test_value_type_of_expressions(expression: str, expected: Optional[str]) -> None:
    model = model_of(f"value = {expression}\n")
    assert model.types.value_type(value_of(model, "value")) == expected


def test_value_type_through_variables_and_annotations() -> None:
    model = model_of(
        """
        NAME = "egon"
        COUNT = 3
        def go(n: int, label: str, items: list, tup: tuple[int, ...], opt: "int", other, *rest: int):
            a = NAME
            b = COUNT + 1
            c = n
            d = label
            e = items
            f = tup
            g = opt
            h = other
            i = rest
        def shadow(str):
            j = str(1)
        def mixed(flag):
            k = "x"
            if flag:
                k = 1
            m = k
        """
    )
    expected = {
        "a": "str",
        "b": "int",
        "c": "int",
        "d": "str",
        "e": "list",
        "f": "tuple",
        "g": None,
        "h": None,
        "i": None,
        "j": None,
        "m": None,
    }
    for name, kind in expected.items():
        assert model.types.value_type(value_of(model, name)) == kind, name


def test_value_type_of_loop_variables() -> None:
    model = model_of(
        """
        HOSTS = ["a", "b"]
        def go(text, extra):
            for host in HOSTS:
                a = host
            for i, name in enumerate(("x", "y")):
                b = i
                c = name
            for n in range(3):
                d = n
            for word in text.split():
                e = word
            for letter in "abc".split():
                f = letter
            for pair in [(1, "x"), (2, "y")]:
                g = pair
            for number, label in [(1, "x"), (2, "y")]:
                h = label
            grown = ["a"]
            grown.append(extra)
            for item in grown:
                i2 = item
            for mixed in ["a", 1]:
                j = mixed
            k = [m for m in sorted(HOSTS)]
        """
    )
    expected = {
        "a": "str",
        "b": "int",
        "c": "str",
        "d": "int",
        "e": None,
        "f": "str",
        "g": "tuple",
        "h": "str",
        "i2": None,
        "j": None,
    }
    for name, kind in expected.items():
        assert model.types.value_type(value_of(model, name)) == kind, name
    comprehension = value_of(model, "k")
    assert isinstance(comprehension, cst.ListComp)
    assert model.types.value_type(comprehension.elt) == "str"


def test_value_type_self_reference_terminates() -> None:
    # conservative: a variable updated from itself is not followed around the cycle
    model = model_of("n = 1\nn = n + 1\nm = n\n")
    assert model.types.value_type(value_of(model, "m")) is None
    model = model_of("def f(x):\n    x = x + 1\n    y = x\n")
    assert model.types.value_type(value_of(model, "y")) is None


# --- creation sites -------------------------------------------------------------------------------------
CREATIONS = """
import multiprocessing as mp

def work(): pass

def make():
    return mp.Process(target=work)

def direct():
    p = mp.Process(target=work)
    p.join()

def branch(flag):
    if flag:
        p = mp.Process(target=work)
    p.join()

def factory():
    p = make()
    p.join()

def param(p):
    p.join()

def in_loop(n):
    p = mp.Process(target=work)
    for _ in range(n):
        p.join()
        p = mp.Process(target=work)

def other_function():
    q.join()

q = mp.Process(target=work)
"""


def test_creation_before() -> None:
    model = model_of(CREATIONS)
    joins = model.tree.method_calls["join"]
    by_function = {model.enclosing_function_node(j).name.value: j for j in joins}  # type: ignore[union-attr]
    direct = by_function["direct"]
    key = model.binding_key(direct.func.value)  # type: ignore[attr-defined]
    assert key is not None
    creation = model.values.creation_before(key, direct)
    assert (
        creation is not None and model.module.code_for_node(creation) == "mp.Process(target=work)"
    )
    for name in ("branch", "factory", "param", "in_loop", "other_function"):
        join = by_function[name]
        key = model.binding_key(join.func.value)  # type: ignore[attr-defined]
        assert key is not None
        assert model.values.creation_before(key, join) is None, name


def test_uses_between_and_name_uses() -> None:
    model = model_of(
        """
        import multiprocessing as mp
        def work(): pass
        def go(launch):
            p = mp.Process(target=work)
            launch(p)
            p.join()
        """
    )
    join = model.tree.method_calls["join"][0]
    key = model.binding_key(join.func.value)  # type: ignore[attr-defined]
    assert key is not None
    creation = model.values.creation_before(key, join)
    assert creation is not None
    uses = model.names.uses_between(key, creation, join)
    assert len(uses) == 1 and isinstance(model.parent(uses[0]), cst.Arg)
    assert len(model.tree.name_uses("p")) == 3
    assert model.tree.name_uses("missing") == []


# --- loops ----------------------------------------------------------------------------------------------
LOOPS = """
def go(items, p):
    for item in items:
        a()
        if item:
            b()
        with ctx:
            c()
        try:
            d()
        except OSError:
            e()
        finally:
            f()
        for x in item:
            g()
        h() if item else None
    while True:
        i()
        break
    for _ in range(1):
        j()
    for _ in [1]:
        k()
    for item in items:
        m()
        if item:
            break
    for item in items: n()
"""


def test_loops_and_passes() -> None:
    model = model_of(LOOPS)

    def at(name: str) -> cst.Call:
        return call_named(model, f"{name}()")

    first = model.flow.enclosing_loops(at("a"))[0]
    assert isinstance(first, cst.For)
    assert len(model.flow.enclosing_loops(at("g"))) == 2
    every = {name: model.flow.runs_each_iteration(at(name), first) for name in "abcdefgh"}
    assert every == {
        "a": True,
        "b": False,
        "c": True,
        "d": True,
        "e": False,
        "f": True,
        "g": False,
        "h": False,
    }
    assert model.flow.loop_may_repeat(first)
    assert not model.flow.loop_may_repeat(model.flow.enclosing_loops(at("i"))[0])
    assert not model.flow.loop_may_repeat(model.flow.enclosing_loops(at("j"))[0])
    assert not model.flow.loop_may_repeat(model.flow.enclosing_loops(at("k"))[0])
    assert model.flow.loop_may_repeat(
        model.flow.enclosing_loops(at("m"))[0]
    )  # the break is conditional
    suite = model.flow.enclosing_loops(at("n"))[0]
    assert model.flow.runs_each_iteration(at("n"), suite) and model.flow.loop_may_repeat(suite)
    assert model.flow.enclosing_loops(function_named(model, "go")) == []


# --- daemonic processes ---------------------------------------------------------------------------------
DAEMONS = """
import concurrent.futures as cf
import multiprocessing as mp
from multiprocessing.pool import ThreadPool

def task(x): return x
def init(): pass
def target(): pass
def flagged(): pass
def plain(): pass
def executor_task(x): return x
def thread_task(x): return x

class Daemon(mp.Process):
    def __init__(self):
        super().__init__()
        self.daemon = True
    def run(self): pass

class ViaInit(mp.Process):
    def __init__(self):
        super().__init__(daemon=True)
    def run(self): pass

class Plain(mp.Process):
    def run(self): pass

if __name__ == "__main__":
    with mp.Pool(2, initializer=init) as pool:
        pool.map(task, [1])
    mp.Process(target=target, daemon=True).start()
    p = mp.Process(target=flagged)
    p.daemon = True
    p.start()
    mp.Process(target=plain, daemon=False).start()
    with cf.ProcessPoolExecutor() as ex:
        ex.submit(executor_task, 1)
    with ThreadPool(2) as threads:
        threads.map(thread_task, [1])
    Daemon().start()
    ViaInit().start()
    Plain().start()
"""


def test_daemon_roots() -> None:
    model = model_of(DAEMONS)
    roots = {
        (f.name.value if isinstance(f, cst.FunctionDef) else "<lambda>")
        for f in model.workers.daemon_roots()
    }
    assert roots == {"task", "init", "target", "flagged", "run"}
    runs = [
        f
        for f in model.workers.daemon_roots()
        if isinstance(f, cst.FunctionDef) and f.name.value == "run"
    ]
    owners = {model.names.enclosing_class(f).name for f in runs}  # type: ignore[union-attr]
    assert owners == {"Daemon", "ViaInit"}


def test_runs_in_daemon_by_submission() -> None:
    model = model_of(DAEMONS)
    verdicts = {
        model.module.code_for_node(s.callable): model.workers.runs_in_daemon(s)
        for s in model.submissions()
    }
    assert verdicts["task"] and verdicts["init"] and verdicts["target"] and verdicts["flagged"]
    assert not verdicts["plain"]
    assert not verdicts["executor_task"]
    assert not verdicts["thread_task"]


def test_process_library() -> None:
    assert Kind(KindName.PROCESS).process_library == "multiprocessing"
    assert Kind(KindName.POOL, family="torch.multiprocessing").process_library == "multiprocessing"
    assert Kind(KindName.EXECUTOR, family="concurrent.futures").process_library == "multiprocessing"
    assert Kind(KindName.POOL, family="billiard").process_library == "billiard"
    assert Kind(KindName.PROCESS, family="multiprocess").process_library == "multiprocess"
    assert Kind(KindName.THREAD_POOL, family="multiprocessing.dummy").process_library is None
    assert Kind(KindName.THREAD, family="threading").process_library is None


# --- base __init__ and generated __init__ ---------------------------------------------------------------
INITS = """
import dataclasses
import attr
from multiprocessing import Process

def configure(process): Process.__init__(process)

class Direct(Process):
    def __init__(self):
        self.x = 1
        super().__init__()

class Explicit(Process):
    def __init__(self):
        Process.__init__(self)

class OldSuper(Process):
    def __init__(self):
        super(OldSuper, self).__init__()

class Helper(Process):
    def __init__(self):
        self._setup()
    def _setup(self):
        super().__init__()

class HandsOut(Process):
    def __init__(self):
        configure(self)

class UnknownMethod(Process):
    def __init__(self):
        self.setup_from_mixin()

class Missing(Process):
    def __init__(self):
        print(isinstance(self, Process))
        self.x = 1

@dataclasses.dataclass
class Data(Process):
    x: int = 1

@dataclasses.dataclass(init=False)
class NoInit(Process):
    x: int = 1

@attr.s
class Attrs(Process):
    pass

@dataclasses.dataclass
class Own(Process):
    def __init__(self):
        super().__init__()

class StartsItself(Process):
    def __init__(self):
        super().__init__()
        self.start()
"""


def test_base_init_calls() -> None:
    model = model_of(INITS)
    results = {
        info.name: base_init_calls(model, info.methods["__init__"])
        for info in model.names.class_of_node.values()
        if "__init__" in info.methods
    }
    assert results["Direct"] is not None and len(results["Direct"]) == 1
    assert results["Explicit"] and results["OldSuper"] and results["Helper"]
    assert results["HandsOut"] is None
    assert results["UnknownMethod"] is None
    assert results["Missing"] == []


def test_generates_init_and_self_calls() -> None:
    model = model_of(INITS)
    generated = {
        info.name for info in model.names.class_of_node.values() if generates_init(model, info)
    }
    assert generated == {"Data", "Attrs"}
    starts = {
        info.name for info in model.names.class_of_node.values() if self_calls(model, info, "start")
    }
    assert starts == {"StartsItself"}


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("tests/test_pool.py", True),
        ("pool_test.py", True),
        ("tests/conftest.py", True),
        ("src/pkg/pool.py", False),
        ("tests/fixtures/MPL104.py", False),
    ],
)
def test_is_test_file(path: str, expected: bool) -> None:
    assert model_of("x = 1\n", path).tree.is_test_file is expected
