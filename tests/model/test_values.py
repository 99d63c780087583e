"""Where values come from and where they go (:mod:`mplint.model.values`)."""

from __future__ import annotations

from typing import Optional

import pytest

from mplint.kinds import KindName
from mplint.model import FlowKind

from .support import POOL_HEADER, call_node, def_named, loads, model_of, name_node, source_of

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
    model = model_of(CREATIONS, path="case.py")
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


def test_handle_calls_cover_pools_and_executors() -> None:
    model = model_of(
        POOL_HEADER
        + """
        def go(xs):
            pool = mp.get_context("spawn").Pool()
            a = pool.apply_async(work, (1,))
            b = pool.imap(work, xs)
            c = pool.map(work, xs)
            with ThreadPool(2) as tp:
                d = tp.starmap_async(work, [(1,)])
            with ProcessPoolExecutor() as ex:
                e = ex.submit(work, 1)
                f = ex.map(work, xs)
            g = {}.get("x")
        """.replace("\n        ", "\n")
    )
    kinds = {
        model.module.code_for_node(c).split("(")[0]: k.name for c, k in model.values.handle_calls()
    }
    assert kinds == {
        "pool.apply_async": KindName.ASYNC_RESULT,
        "pool.imap": KindName.MAP_ITERATOR,
        "tp.starmap_async": KindName.ASYNC_RESULT,
        "ex.submit": KindName.FUTURE,
        "ex.map": KindName.MAP_ITERATOR,
    }
    owner = model.values.handle_owner(call_node(model, "ex.submit(work, 1)"))
    assert owner is not None and owner[1].name is KindName.EXECUTOR


@pytest.mark.parametrize(
    ("statement", "how", "key_name"),
    [
        ("pool.apply_async(work, (1,))", "discarded", None),
        ("[pool.apply_async(work, (x,)) for x in xs]", "discarded", None),
        ("r = pool.apply_async(work, (1,))", "assigned", "r"),
        ("r: object = pool.apply_async(work, (1,))", "assigned", "r"),
        ("rs = [pool.apply_async(work, (x,)) for x in xs]", "stored", "rs"),
        ("rs = {pool.apply_async(work, (x,)): x for x in xs}", "stored", "rs"),
        ("out.append(pool.apply_async(work, (1,)))", "stored", "out"),
        ("out[0] = pool.apply_async(work, (1,))", "stored", "out"),
        ("return pool.apply_async(work, (1,))", "returned", None),
        ("pool.apply_async(work, (1,)).get()", "method", None),
        ("consume(pool.apply_async(work, (1,)))", "argument", None),
        ("a, b = pool.apply_async(work, (1,)), 2", "other", None),
    ],
)
def test_value_flow(statement: str, how: str, key_name: Optional[str]) -> None:
    model = model_of(POOL_HEADER + f"def go(pool, xs, out, consume):\n    {statement}\n")
    flow = model.values.value_flow(
        call_node(
            model,
            "pool.apply_async(work, (1,))"
            if "(1,)" in statement
            else "pool.apply_async(work, (x,))",
        )
    )
    assert flow.how.value == how
    if key_name is None:
        assert flow.key is None or how in ("method", "argument")
    else:
        assert flow.key is not None and flow.key.name == key_name


def test_pipe_unpacking_and_the_other_end() -> None:
    model = model_of(
        """
        from multiprocessing import Pipe
        def main():
            parent_end, child_end = Pipe()
            pair = Pipe()
            return parent_end, child_end, pair
        """
    )
    found = model.values.pipe_unpacking(name_node(model, "child_end", 1))
    assert found is not None
    call, index, target = found
    assert source_of(model, call) == "Pipe()" and index == 1
    assert source_of(model, target.elements[0].value) == "parent_end"
    assert model.values.pipe_unpacking(name_node(model, "pair", 1)) is None


def test_object_calls_find_a_process_through_lists() -> None:
    model = model_of(
        """
        import multiprocessing as mp
        def work(): pass
        def main():
            procs = [mp.Process(target=work) for _ in range(2)]
            for p in procs:
                p.start()
            for p in procs:
                p.join()
        """
    )
    creator = call_node(model, "mp.Process(target=work)")
    assert [source_of(model, c) for c in model.values.object_calls(creator, ("join", "start"))] == [
        "p.start()",
        "p.join()",
    ]


def test_origins_follow_variables_parameters_and_factories() -> None:
    model = model_of(
        """
        import multiprocessing as mp
        def make():
            return mp.Value("i", 0, lock=False)
        def work(v):
            v.value += 1
        def main(flag):
            a = mp.Value("i", 0)
            b = make()
            mp.Process(target=work, args=(a,)).start()
            mp.Process(target=work, args=(b,)).start()
        """,
        path="<stdin>",
    )
    origins = model.values.origins(loads(model, "v", "work")[0])
    assert origins is not None
    assert sorted(source_of(model, o) for o in origins) == [
        'mp.Value("i", 0)',
        'mp.Value("i", 0, lock=False)',
    ]


def test_origins_unknown_for_loop_targets() -> None:
    model = model_of(
        """
        def main(values):
            for v in values:
                v.value += 1
        """,
        path="<stdin>",
    )
    assert model.values.origins(loads(model, "v", "main")[0]) is None


def test_proxy_manager() -> None:
    model = model_of(
        """
        import multiprocessing as mp
        def main():
            outer = mp.Manager()
            with mp.Manager() as m:
                d = m.dict()
                e = outer.list()
            return d, e
        """,
        path="<stdin>",
    )
    main = def_named(model, "main")
    d = loads(model, "d", "main")[-1]
    e = loads(model, "e", "main")[-1]
    assert model.values.proxy_manager(d) == (main, "m")
    assert model.values.proxy_manager(e) == (main, "outer")


def test_proxy_manager_through_a_factory_parameter() -> None:
    model = model_of(
        """
        import multiprocessing as mp
        def make(manager):
            return manager.dict()
        def other(manager):
            return manager.list()
        def main():
            with mp.Manager() as m:
                d = make(m)
                e = other(m)
            with mp.Manager() as n:
                f = other(n)
            return d, e, f
        """,
        path="<stdin>",
    )
    main = def_named(model, "main")
    d, e, f = (loads(model, name, "main")[-1] for name in "def")
    # the one variable every call of the factory passes
    assert model.values.proxy_manager(d) == (main, "m")
    # two calls pass two managers: unknown
    assert model.values.proxy_manager(e) is None
    assert model.values.proxy_manager(f) is None


def test_stored_constructor_arguments() -> None:
    model = model_of(
        "import multiprocessing as mp\n"
        "class Worker(mp.Process):\n"
        "    def __init__(self, tasks, label, *, results=None):\n"
        "        super().__init__()\n"
        "        self.tasks = tasks\n"
        "        self.results = results\n"
        "        print(label)\n"
        "w = Worker(mp.Queue(), 'x', results=mp.Queue())\n",
        path="case.py",
        dedent=False,
    )
    call = next(c for c in model.tree.calls if model.module.code_for_node(c.func) == "Worker")
    stored = [
        model.module.code_for_node(e) for e in model.values.stored_constructor_arguments(call)
    ]
    assert stored == ["mp.Queue()", "mp.Queue()"]


# --- one case per FlowKind ------------------------------------------------------------------------
FLOWS = [
    ("make()", FlowKind.DISCARDED, None, "make()"),
    ("[make(), 1]", FlowKind.DISCARDED, None, "[make(), 1]"),
    ("(make() for _ in xs)", FlowKind.DISCARDED, None, "(make() for _ in xs)"),
    ("make().get()", FlowKind.METHOD, None, "make().get()"),
    ("make().ready", FlowKind.OTHER, None, "make().ready"),
    ("[make()].pop()", FlowKind.OTHER, None, "[make()].pop"),
    ("r = make()", FlowKind.ASSIGNED, "r", "r = make()"),
    ("r: object = make()", FlowKind.ASSIGNED, "r", "r: object = make()"),
    ("(r := make())", FlowKind.ASSIGNED, "r", "(r := make())"),
    ("r = make() if flag else None", FlowKind.ASSIGNED, "r", "r = make() if flag else None"),
    ("r = a = make()", FlowKind.OTHER, None, "r = a = make()"),
    ("self.r = make()", FlowKind.ASSIGNED, "r", "self.r = make()"),
    ("rs = [make()]", FlowKind.STORED, "rs", "rs = [make()]"),
    ("rs = (make(), 1)", FlowKind.STORED, "rs", "rs = (make(), 1)"),
    ("rs = {make()}", FlowKind.STORED, "rs", "rs = {make()}"),
    ("rs = {1: make()}", FlowKind.STORED, "rs", "rs = {1: make()}"),
    ("rs = [*make()]", FlowKind.STORED, "rs", "rs = [*make()]"),
    ("rs = {x: make() for x in xs}", FlowKind.STORED, "rs", "rs = {x: make() for x in xs}"),
    ("rs[0] = make()", FlowKind.STORED, "rs", "rs[0] = make()"),
    ("rs.append(make())", FlowKind.STORED, "rs", "rs.append(make())"),
    ("rs.add(make())", FlowKind.STORED, "rs", "rs.add(make())"),
    ("return make()", FlowKind.RETURNED, None, "return make()"),
    ("return [make()]", FlowKind.RETURNED, None, "return [make()]"),
    ("yield make()", FlowKind.YIELDED, None, "yield make()"),
    ("consume(make())", FlowKind.ARGUMENT, None, "consume(make())"),
    ("consume(key=make())", FlowKind.OTHER, None, "key=make()"),
    ("r, s = make(), 2", FlowKind.OTHER, None, "r, s = make(), 2"),
    ("x = make() + 1", FlowKind.OTHER, None, "make() + 1"),
]


@pytest.mark.parametrize(("statement", "how", "key_name", "node"), FLOWS)
def test_value_flow_kinds(
    statement: str, how: FlowKind, key_name: Optional[str], node: str
) -> None:
    model = model_of(
        "class C:\n    def go(self, xs, rs, flag, consume):\n        " + statement + "\n",
        dedent=False,
    )
    flow = model.values.value_flow(call_node(model, "make()"))
    assert flow.how is how
    assert source_of(model, flow.node).strip() == node
    if key_name is None:
        assert flow.key is None or how is FlowKind.METHOD
    else:
        assert flow.key is not None and flow.key[-1] == key_name


def test_every_flow_kind_has_a_case() -> None:
    assert {how for _, how, _, _ in FLOWS} == set(FlowKind)


def test_instance_class() -> None:
    model = model_of(
        """
        class Job:
            def run(self, other):
                return self, other
            @staticmethod
            def helper(self):
                return self
        job = Job()
        again = Job()
        again = None
        made = make()
        def f(job):
            return job
        use(job, again, made, Job)
        """
    )
    info = model.names.classes["Job"]
    run_self, other = model.tree.returns[def_named(model, "run")][0].value.elements  # type: ignore[union-attr]
    assert model.values.instance_class(run_self.value) is info
    assert model.values.instance_class(other.value) is None  # not the first parameter
    helper = model.tree.returns[def_named(model, "helper")][0].value
    assert helper is not None and model.values.instance_class(helper) is None  # a staticmethod
    used = call_node(model, "use(job, again, made, Job)")
    assert [model.values.instance_class(a.value) for a in used.args] == [info, None, None, None]
    shadowed = model.tree.returns[def_named(model, "f")][0].value
    assert shadowed is not None and model.values.instance_class(shadowed) is None
