"""The model's data flow for locks, shared values and proxies: what reaches a parameter, where an object
was made, how many children run a function, module state a child changes, held locks, managers."""

from __future__ import annotations

import textwrap
from typing import Optional

import libcst as cst

from mplint.kinds import KindName
from mplint.model import FunctionNode, Model, build_model


def model_of(source: str) -> Model:
    return build_model(cst.parse_module(textwrap.dedent(source)))


def function(model: Model, name: str) -> FunctionNode:
    for node in model.tree.order:
        if isinstance(node, cst.FunctionDef) and node.name.value == name:
            return node
    raise AssertionError(f"no function {name}")


def names(model: Model, name: str, inside: Optional[str] = None) -> list[cst.Name]:
    found = [
        n for n in model.tree.name_uses(name) if model.names.variable_use(n) in ("load", "augment")
    ]
    if inside is not None:
        owner = function(model, inside)
        found = [n for n in found if model.enclosing_function_node(n) is owner]
    return found


def code(model: Model, node: cst.CSTNode) -> str:
    return model.module.code_for_node(node)


def kind_name(model: Model, name: str, inside: str) -> Optional[KindName]:
    kind = model.kind_of(names(model, name, inside)[0])
    return kind.name if kind is not None else None


# --- what reaches a parameter ----------------------------------------------------------------------------
def test_partial_arguments_reach_pool_tasks() -> None:
    model = model_of(
        """
        import functools, multiprocessing as mp
        def work(counter, item):
            counter.value += item
        def main():
            counter = mp.Value("i", 0)
            with mp.Pool() as pool:
                pool.map(functools.partial(work, counter), range(3))
        """
    )
    assert kind_name(model, "counter", "work") is KindName.VALUE
    assert model.kind_of(names(model, "item", "work")[0]) is None  # the items of map() are unknown


def test_direct_calls_and_constructors_bind_parameters() -> None:
    model = model_of(
        """
        import multiprocessing as mp
        def helper(c, step=1):
            c.value += step
        def work(c):
            helper(c)
        class Worker(mp.Process):
            def __init__(self, lock):
                super().__init__()
                self.lock = lock
            def run(self):
                with self.lock:
                    pass
        def main():
            v = mp.Value("i", 0)
            mp.Process(target=work, args=(v,)).start()
            Worker(mp.Lock()).start()
        """
    )
    assert kind_name(model, "c", "helper") is KindName.VALUE
    step = next(b for b in model.names.scopes[function(model, "helper")].bindings["step"])
    sources = model.inference.param_sources(step)
    assert sources is not None and [code(model, s) for s in sources] == ["1"]  # the default
    run = function(model, "run")
    lock = next(
        n
        for n in model.tree.order
        if isinstance(n, cst.Attribute)
        and code(model, n) == "self.lock"
        and model.enclosing_function_node(n) is run
    )
    kind = model.kind_of(lock)
    assert kind is not None and kind.name is KindName.LOCK


def test_starmap_over_a_comprehension_and_kwargs() -> None:
    model = model_of(
        """
        import multiprocessing as mp
        def task(stats, word):
            stats[word] = 1
        def other(a, *, lock):
            with lock:
                pass
        def main(words):
            with mp.Manager() as m:
                stats = m.dict()
                with mp.Pool() as pool:
                    pool.starmap(task, [(stats, w) for w in words])
                mp.Process(target=other, args=(1,), kwargs={"lock": m.Lock()}).start()
        """
    )
    kind = model.kind_of(names(model, "stats", "task")[0])
    assert kind is not None and kind.proxy and kind.name is KindName.DICT
    kind = model.kind_of(names(model, "lock", "other")[0])
    assert kind is not None and kind.proxy and kind.name is KindName.LOCK


def test_unknown_arguments_give_no_sources() -> None:
    model = model_of(
        """
        import multiprocessing as mp
        def work(x):
            return x
        def main(args):
            mp.Process(target=work, args=args).start()
            work(*args)
        """
    )
    binding = model.names.scopes[function(model, "work")].bindings["x"][0]
    assert model.inference.param_sources(binding) is None


def test_initializer_globals_keep_their_kind() -> None:
    model = model_of(
        """
        import multiprocessing as mp
        LOCK = None
        def init(lock):
            global LOCK
            LOCK = lock
        def work(x):
            with LOCK:
                return x
        if __name__ == "__main__":
            with mp.Pool(2, initializer=init, initargs=(mp.RLock(),)) as pool:
                pool.map(work, range(3))
        """
    )
    assert kind_name(model, "LOCK", "work") is KindName.RLOCK
    origins = model.values.origins(names(model, "LOCK", "work")[0])
    assert origins is not None and [code(model, o) for o in origins] == ["mp.RLock()"]


def test_kinds_do_not_depend_on_the_order_they_are_asked_in() -> None:
    source = """
        import multiprocessing as mp
        class Registry:
            def __init__(self, manager):
                self.state = manager.dict()
            def register(self, pid):
                self.state["workers"].append(pid)
        def main():
            with mp.Manager() as m:
                Registry(m).register(1)
        """
    model = model_of(source)
    for call in model.tree.calls:  # every call first, as the submission search does
        model.kind_of(call)
    for node in model.tree.order:
        if isinstance(node, cst.Attribute) and code(model, node) == "self.state":
            kind = model.kind_of(node)
            assert kind is not None and kind.name is KindName.DICT


# --- where an object was made --------------------------------------------------------------------------
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
        """
    )
    origins = model.values.origins(names(model, "v", "work")[0])
    assert origins is not None
    assert sorted(code(model, o) for o in origins) == [
        'mp.Value("i", 0)',
        'mp.Value("i", 0, lock=False)',
    ]


def test_origins_unknown_for_loop_targets() -> None:
    model = model_of(
        """
        def main(values):
            for v in values:
                v.value += 1
        """
    )
    assert model.values.origins(names(model, "v", "main")[0]) is None


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
        """
    )
    main = function(model, "main")
    d = names(model, "d", "main")[-1]
    e = names(model, "e", "main")[-1]
    assert model.values.proxy_manager(d) == (main, "m")
    assert model.values.proxy_manager(e) == (main, "outer")


# --- how many children run a function ---------------------------------------------------------------------
def test_runs_concurrently() -> None:
    model = model_of(
        """
        import multiprocessing as mp
        from concurrent.futures import ProcessPoolExecutor
        def mapped(x): pass
        def helper(): pass
        def looped(x):
            helper()
        def once(x): pass
        def serial(x): pass
        def blocking(x): pass
        def submitted(x): pass
        def threaded(x): pass
        def init(): pass
        def main(xs):
            with mp.Pool(4, initializer=init) as pool:
                pool.map(mapped, xs)
                pool.apply(blocking, (1,))
            for x in xs:
                mp.Process(target=looped, args=(x,)).start()
            mp.Process(target=once, args=(1,)).start()
            with mp.Pool(1) as single:
                single.map(serial, xs)
            with ProcessPoolExecutor() as ex:
                futures = [ex.submit(submitted, x) for x in xs]
            with mp.dummy.Pool(4) as threads:
                threads.map(threaded, xs)
        """
    )
    concurrent = {
        name: model.workers.runs_concurrently(function(model, name))
        for name in (
            "mapped",
            "helper",
            "looped",
            "once",
            "serial",
            "blocking",
            "submitted",
            "threaded",
            "init",
        )
    }
    assert concurrent == {
        "mapped": True,
        "helper": True,
        "looped": True,
        "once": False,
        "serial": False,
        "blocking": False,
        "submitted": True,
        "threaded": False,
        "init": True,
    }


def test_repeats_through_callers() -> None:
    model = model_of(
        """
        import multiprocessing as mp
        def work(): pass
        def spawn_one():
            p = mp.Process(target=work)
            p.start()
        def main():
            for _ in range(3):
                spawn_one()
        """
    )
    assert model.workers.runs_concurrently(function(model, "work"))


# --- names and module state ---------------------------------------------------------------------------------
def test_variable_use() -> None:
    model = model_of(
        """
        import os.path as osp
        from a.b import c
        x = 1
        x += 2
        u, (w, *rest) = 1, (2, 3)
        for i in range(3):
            del i
        def f(p, *, k=x):
            global g
            print(p.attr, f(k=p))
        with open(x) as fh:
            pass
        """
    )

    def uses(name: str) -> list[Optional[str]]:
        return [model.names.variable_use(n) for n in model.tree.name_uses(name)]

    assert uses("x") == ["store", "augment", "load", "load"]
    assert uses("w") == ["store"]
    assert uses("b") == [None]  # part of a module name
    assert uses("rest") == ["store"]
    assert uses("i") == ["store", "del"]
    assert uses("p") == [None, "load", "load"]
    assert uses("k") == [None, None]
    assert uses("attr") == [None]
    assert uses("g") == [None]
    assert uses("fh") == ["store"]
    assert uses("osp") == [None]
    assert uses("c") == [None]


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
        """
    )
    writes = model.state.module_state_writes(function(model, "work"))
    assert [(code(model, node).strip(), name, how) for node, name, how in writes] == [
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
        """
    )
    writes = model.state.self_attribute_writes(function(model, "run"))
    assert [attr for _, attr in writes] == ["result", "log", "table", "count"]
    info = model.names.classes["Job"]
    reads = model.state.instance_attribute_reads(info, "result")
    assert sorted(code(model, r) for r in reads) == ["job.result", "self.result"]


# --- held locks --------------------------------------------------------------------------------------------
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
        """
    )

    def covered(name: str) -> bool:
        statement = next(
            n
            for n in model.tree.order
            if isinstance(n, cst.AugAssign)
            and model.enclosing_function_node(n) is function(model, name)
        )
        return model.state.held_locks_cover(statement)

    assert [covered(n) for n in "abcdf"] == [True, True, False, True, False]


def test_new_variable_is_safe() -> None:
    model = model_of(
        """
        def work(lock):
            pass
        def main():
            queue = 1
            print(len(queue))
            return event
        """
    )
    body = function(model, "main").body
    first = body.body[0]
    assert model.names.new_variable_is_safe("lock", first)  # only another function's parameter
    assert not model.names.new_variable_is_safe("queue", first)  # bound here
    assert not model.names.new_variable_is_safe("event", first)  # read here as a global
    assert not model.names.new_variable_is_safe("len", first)  # a builtin
    assert not model.names.new_variable_is_safe("class", first)


def test_child_functions_include_what_child_code_hands_on() -> None:
    model = model_of(
        """
        import multiprocessing as mp, threading, signal
        def status(): pass
        def on_term(signum, frame): pass
        def helper(): pass
        class Watched(mp.Process):
            def run(self):
                self.status = 1
                signal.signal(signal.SIGTERM, on_term)
                threading.Thread(target=self.watch).start()
            def watch(self):
                helper()
            def parent_side(self):
                return self.status
        def main():
            Watched().start()
        """
    )
    names = {f.name.value for f in model.workers.child_functions if isinstance(f, cst.FunctionDef)}
    assert names == {"run", "watch", "helper", "on_term"}
