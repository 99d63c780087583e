"""Module and instance state, and held locks (:mod:`mplint.model.state`)."""

from __future__ import annotations

from typing import Optional

import libcst as cst
import pytest

from mplint.model import MUTATING_METHODS, WriteKind

from .support import call_node, def_named, model_of, name_node, source_of, value_of


def test_module_state_writes() -> None:
    model = model_of(
        """
        import collections
        results = []
        counts = collections.Counter()
        total = 0
        name = "x"
        def work(i, local):
            global total
            total += i
            results.append(i)
            counts[i] += 1
            del counts[i]
            local.append(i)
            name.upper()
            def inner():
                results.append(0)
        """,
        path="<stdin>",
    )
    writes = model.state.module_state_writes(def_named(model, "work"))
    assert [(source_of(model, node).strip(), name, how) for node, name, how in writes] == [
        ("total += i", "total", "rebind"),
        ("results.append(i)", "results", "mutate"),
        ("counts[i] += 1", "counts", "mutate"),
        ("del counts[i]", "counts", "mutate"),
    ]


def test_self_attribute_writes_and_reads() -> None:
    model = model_of(
        """
        import multiprocessing as mp
        class Job(mp.Process):
            def __init__(self):
                super().__init__()
                self.result = None
            def run(self):
                self.result = 42
                self.log.append("done")
                self.table["k"] = 1
                self.count += 1
            def show(self):
                return self.result
        def main():
            job = Job()
            job.start()
            print(job.result, job.count)
        """,
        path="<stdin>",
    )
    writes = model.state.self_attribute_writes(def_named(model, "run"))
    assert [attr for _, attr in writes] == ["result", "log", "table", "count"]
    info = model.names.classes["Job"]
    reads = model.state.instance_attribute_reads(info, "result")
    assert sorted(source_of(model, r) for r in reads) == ["job.result", "self.result"]


def test_held_locks_cover() -> None:
    model = model_of(
        """
        import multiprocessing as mp
        def a(v, lock):
            with lock:
                v.value += 1
        def b(v, lock):
            lock.acquire()
            v.value += 1
            lock.release()
        def c(v):
            with open("f") as fh:
                v.value += 1
        def d(v):
            v.value += 1
        def e(v, lock):
            with lock:
                d(v)
        def f(v):
            with mp.Pool() as pool:
                v.value += 1
        """,
        path="<stdin>",
    )

    def covered(name: str) -> bool:
        statement = next(
            n
            for n in model.tree.order
            if isinstance(n, cst.AugAssign)
            and model.enclosing_function_node(n) is def_named(model, name)
        )
        return model.state.held_locks_cover(statement)

    assert [covered(n) for n in "abcdf"] == [True, True, False, True, False]


def test_module_variable_writes() -> None:
    model = model_of(
        "import os\n"
        "CONFIG = {}\n"
        "ITEMS = []\n"
        "COUNT = 0\n"
        "def setup():\n"
        "    global COUNT\n"
        "    COUNT += 1\n"
        "    CONFIG['a'] = 1\n"
        "    ITEMS.append(2)\n"
        "    os.environ['X'] = '1'\n"
        "    local = {}\n"
        "    local['b'] = 2\n"
        "if __name__ == '__main__':\n"
        "    CONFIG.update(b=2)\n"
        "    CONFIG.mode = 'x'\n",
        path="case.py",
        dedent=False,
    )
    writes = [(w.name, w.how.value) for w in model.state.module_variable_writes]
    assert writes == [
        ("CONFIG", "assign"),
        ("ITEMS", "assign"),
        ("COUNT", "assign"),
        ("COUNT", "assign"),
        ("CONFIG", "mutate"),
        ("ITEMS", "mutate"),
        ("CONFIG", "mutate"),
        ("CONFIG", "mutate"),
    ]


# --- mutating methods, one by one -----------------------------------------------------------------
#: Written out (not read from MUTATING_METHODS) so that dropping a method from the table fails its case.
MUTATORS = [
    "append",
    "appendleft",
    "extend",
    "extendleft",
    "insert",
    "update",
    "add",
    "discard",
    "remove",
    "pop",
    "popitem",
    "popleft",
    "clear",
    "setdefault",
    "sort",
    "reverse",
    "rotate",
    "difference_update",
    "intersection_update",
    "symmetric_difference_update",
]
READERS = ["copy", "get", "count", "index", "keys", "items", "union", "issubset", "__len__"]


def test_the_mutators_are_the_table() -> None:
    assert set(MUTATORS) == MUTATING_METHODS


@pytest.mark.parametrize("method", MUTATORS)
def test_mutation_at_each_mutating_method(method: str) -> None:
    model = model_of(f"items = []\nitems.{method}(x)\n")
    use = name_node(model, "items", 1)
    found = model.state.mutation_at(use)
    assert found is call_node(model, f"items.{method}(x)")


@pytest.mark.parametrize("method", MUTATORS)
def test_module_state_writes_each_mutating_method(method: str) -> None:
    model = model_of(f"items = []\ndef work(x):\n    items.{method}(x)\n")
    writes = model.state.module_state_writes(def_named(model, "work"))
    assert [(source_of(model, n), name, how) for n, name, how in writes] == [
        (f"items.{method}(x)", "items", "mutate")
    ]


@pytest.mark.parametrize("method", MUTATORS)
def test_module_variable_and_self_attribute_writes_each_mutating_method(method: str) -> None:
    model = model_of(
        f"""
        items = {{}}
        items.{method}(1)
        class Job:
            def run(self):
                self.log.{method}(1)
        """
    )
    writes = [(w.name, w.how, source_of(model, w.node)) for w in model.state.module_variable_writes]
    assert writes[1:] == [("items", WriteKind.MUTATE, f"items.{method}(1)")]
    run = def_named(model, "run")
    assert [(source_of(model, n), a) for n, a in model.state.self_attribute_writes(run)] == [
        (f"self.log.{method}(1)", "log")
    ]


@pytest.mark.parametrize("method", READERS)
def test_other_methods_do_not_mutate(method: str) -> None:
    model = model_of(f"items = []\ndef work(x):\n    items.{method}(x)\n")
    assert model.state.mutation_at(name_node(model, "items", 1)) is None
    assert model.state.module_state_writes(def_named(model, "work")) == []


@pytest.mark.parametrize(
    ("statement", "writer"),
    [
        ("items[0] = 1", "items[0] = 1"),
        ("items[0] += 1", "items[0] += 1"),
        ("del items[0]", "del items[0]"),
        ("y = items[0]", None),
        ("items.attr = 1", None),
        ("f = items.append", None),
        ("items.append.__call__(1)", None),
        ("other.append(items)", None),
        ("items = []", None),
    ],
)
def test_mutation_at_item_stores_and_what_is_not_one(statement: str, writer: Optional[str]) -> None:
    model = model_of(f"items = []\n{statement}\n")
    found = model.state.mutation_at(name_node(model, "items", 1))
    assert (source_of(model, found) if found is not None else None) == writer


def test_module_state_writes_only_for_mutable_containers() -> None:
    model = model_of(
        """
        import collections
        plain = []
        made = list()
        counts = collections.defaultdict(int)
        text = "x"
        unknown = make()
        pair, other = [], []
        def work():
            plain.append(1)
            made.append(1)
            counts[1] += 1
            text.upper()
            unknown.append(1)
            pair.append(1)
        """
    )
    writes = model.state.module_state_writes(def_named(model, "work"))
    assert [name for _, name, _ in writes] == ["plain", "made", "counts"]


@pytest.mark.parametrize(
    ("expr", "mutable"),
    [
        ("[]", True),
        ("{}", True),
        ("{1}", True),
        ("[x for x in y]", True),
        ("{x: 1 for x in y}", True),
        ("{x for x in y}", True),
        ("list()", True),
        ("dict(a=1)", True),
        ("set()", True),
        ("bytearray()", True),
        ("collections.deque()", True),
        ("collections.OrderedDict()", True),
        ("collections.Counter()", True),
        ("defaultdict(list)", True),
        ("()", False),
        ("tuple()", False),
        ("frozenset()", False),
        ("'text'", False),
        ("make()", False),
        ("(x for x in y)", False),
    ],
)
def test_is_mutable_container(expr: str, mutable: bool) -> None:
    model = model_of(f"import collections\nfrom collections import defaultdict\nvalue = {expr}\n")
    assert model.state.is_mutable_container(value_of(model, "value")) is mutable


@pytest.mark.parametrize(
    ("expr", "lock"),
    [
        ("mp.Lock()", True),
        ("mp.RLock()", True),
        ("mp.Semaphore(2)", True),
        ("mp.Condition()", True),
        ("threading.Lock()", True),
        ("mp.Manager().Lock()", True),
        ("custom_lock()", True),  # unknown: may be a lock
        ("mp.Pool()", False),
        ("mp.Manager()", False),
        ("mp.Queue()", False),
        ("open('f')", False),
        ("tempfile.TemporaryDirectory()", False),
        ("contextlib.suppress(KeyError)", False),
    ],
)
def test_may_be_lock(expr: str, lock: bool) -> None:
    model = model_of(
        f"import contextlib, tempfile, threading, multiprocessing as mp\nvalue = {expr}\n"
    )
    assert model.state.may_be_lock(value_of(model, "value")) is lock
