"""The value-flow layer: container stores, instance attributes across methods and from outside,
parameters bound by direct calls, sources of an expression; and the kinds and submissions the
inference answers through it."""

from __future__ import annotations

import libcst as cst

from mplint.kinds import KindName
from mplint.model import LocalVar, Model, SelfAttr, Via
from mplint.model.valueflow import MAX_FLOW_DEPTH

from .support import call_node, def_named, model_of, name_node, nth_node, source_of


def _sources(model: Model, expr: cst.BaseExpression) -> list[str] | None:
    found = model.valueflow.sources(expr)
    return None if found is None else [source_of(model, s) for s in found]


def _receiver(model: Model, call_text: str, nth: int = 0) -> cst.BaseExpression:
    func = call_node(model, call_text, nth).func
    assert isinstance(func, cst.Attribute)
    return func.value


def _kind_name(model: Model, expr: cst.BaseExpression) -> KindName | None:
    kind = model.kind_of(expr)
    return kind.name if kind is not None else None


# --- stores into containers ---------------------------------------------------------------------------
def test_stores_follow_every_storing_method_and_subscript_assignment() -> None:
    model = model_of(
        """
        import collections
        procs = []
        procs.append(a)
        procs.insert(0, b)
        procs.extend(more)
        procs += [c]
        table = {}
        table["k"] = d
        table.setdefault("j", e)
        """
    )
    module = model.tree.module
    stored = model.valueflow.stores(LocalVar(module, "procs"))
    assert [(source_of(model, s.expr), s.items, s.keyed) for s in stored] == [
        ("a", False, False),
        ("b", False, False),
        ("more", True, False),
        ("[c]", True, False),
    ]
    keyed = model.valueflow.stores(LocalVar(module, "table"))
    assert [(source_of(model, s.expr), s.keyed) for s in keyed] == [("d", True), ("e", True)]


def test_stores_through_self_attributes_reach_the_class_key() -> None:
    model = model_of(
        """
        class Pool:
            def __init__(self):
                self.items = []
            def add(self, x):
                self.items.append(x)
        """
    )
    cls = nth_node(model, cst.ClassDef)
    stored = model.valueflow.stores(SelfAttr(cls, "items"))
    assert [source_of(model, s.expr) for s in stored] == ["x"]


# --- instance attributes --------------------------------------------------------------------------------
def test_attributes_of_an_instance_made_elsewhere_share_the_class_key() -> None:
    model = model_of(
        """
        class Box:
            def __init__(self):
                self.pool = None
        box = Box()
        box.pool = make()
        box.pool.close()
        other.pool.close()
        """
    )
    cls = nth_node(model, cst.ClassDef)
    read = _receiver(model, "box.pool.close()")
    assert isinstance(read, cst.Attribute)
    assert model.valueflow.attribute_key(read) == SelfAttr(cls, "pool")
    values = model.valueflow.attribute_sources(SelfAttr(cls, "pool"))
    assert [source_of(model, v.expr) for v in values] == ["None", "make()"]
    unknown = _receiver(model, "other.pool.close()")
    assert isinstance(unknown, cst.Attribute)
    assert model.valueflow.attribute_key(unknown) is None


def test_attributes_set_by_a_module_base_class_are_seen_from_the_subclass() -> None:
    model = model_of(
        """
        import multiprocessing as mp
        class Base:
            def __init__(self):
                self.proc = mp.Process(target=print)
        class Child(Base):
            def go(self):
                self.proc.start()
        """
    )
    assert _kind_name(model, _receiver(model, "self.proc.start()")) is KindName.PROCESS


def test_tuple_unpacked_attributes_keep_their_position() -> None:
    model = model_of(
        """
        import multiprocessing as mp
        class Link:
            def __init__(self):
                self.reader, self.writer = mp.Pipe(duplex=False)
            def read(self):
                return self.reader.recv()
        """
    )
    kind = model.kind_of(_receiver(model, "self.reader.recv()"))
    assert kind is not None and kind.name is KindName.CONNECTION and kind.role == "read"


# --- parameters and sources -----------------------------------------------------------------------------
def test_sources_follow_parameters_attributes_containers_and_returns() -> None:
    model = model_of(
        """
        def serve(): pass
        def other(): pass
        def make():
            def inner(): pass
            return inner
        def run(target):
            return target
        class Holder:
            def __init__(self, fn):
                self.fn = fn
            def go(self):
                return self.fn
        run(serve)
        Holder(other)
        table = {"a": serve, "b": other}
        handlers = [serve]
        handlers.append(other)
        for h in handlers:
            h
        x = make()
        table["a"]
        """
    )
    target = name_node(model, "target", -1)
    assert _sources(model, target) == ["serve"]
    fn = nth_node(model, cst.Return, 2).value
    assert fn is not None and _sources(model, fn) == ["other"]
    h = name_node(model, "h", -1)
    assert _sources(model, h) == ["serve", "other"]
    x = name_node(model, "x", -1)
    assert _sources(model, x) == ["inner"]
    subscript = nth_node(model, cst.Subscript, 0)
    assert _sources(model, subscript) == ["serve"]


def test_a_constant_key_reads_its_own_slot() -> None:
    model = model_of(
        """
        def serve(): pass
        def other(): pass
        def spare(): pass
        table = {"a": serve, "b": other}
        table["c"] = spare
        table[name] = other
        table["a"]
        table["c"]
        table[key]
        slots = {}
        slots.setdefault("x", serve)
        slots["y"] = other
        slots["x"]
        """
    )
    reads = [
        s for s in model.tree.nodes_of(cst.Subscript) if model.valueflow.target_source(s) is None
    ]
    assert [source_of(model, r) for r in reads] == [
        'table["a"]',
        'table["c"]',
        "table[key]",
        'slots["x"]',
    ]
    # a store under an unknown key may be in any slot
    assert [_sources(model, r) for r in reads] == [
        ["serve", "other"],
        ["spare", "other"],
        ["serve", "other", "spare", "other"],
        ["serve"],
    ]


def test_sources_without_returns_stop_at_the_calls_of_module_functions() -> None:
    model = model_of(
        """
        def serve(port):
            return port
        class Server:
            def __init__(self, port):
                self.target = serve(port)
            def start(self):
                return self.target
        Server(80)
        """
    )
    target = nth_node(model, cst.Return, 1).value
    assert target is not None
    assert _sources(model, target) == ["80"]
    found = model.valueflow.sources(target, returns=False)
    assert found is not None and [source_of(model, s) for s in found] == ["serve(port)"]


def test_unknown_paths_answer_none() -> None:
    model = model_of(
        """
        def run(target):
            return target
        def spread(args):
            run(*args)
        items = load()
        for i in items:
            i
        """
    )
    assert _sources(model, name_node(model, "target", -1)) is None
    # the items of a value made by another module are unknown
    assert _sources(model, name_node(model, "i", -1)) is None
    assert model.valueflow.container_items(name_node(model, "items", -1)) is None


def test_the_depth_of_the_flow_is_bounded() -> None:
    chain = "\n".join(f"v{i + 1} = v{i}" for i in range(MAX_FLOW_DEPTH + 3))
    model = model_of("v0 = make()\n" + chain + f"\nv{MAX_FLOW_DEPTH + 3}\n")
    last = name_node(model, f"v{MAX_FLOW_DEPTH + 3}", -1)
    assert _sources(model, last) is None
    near = name_node(model, "v3", -1)
    assert _sources(model, near) == ["make()"]


# --- kinds through the flow -----------------------------------------------------------------------------
def test_a_class_handed_to_a_worker_makes_its_kind_there() -> None:
    model = model_of(
        """
        import multiprocessing as mp
        def work(lock_cls, other_cls):
            lock = lock_cls()
            other = other_cls()
        mp.Process(target=work, args=(mp.Lock, mp.Lock)).start()
        mp.Process(target=work, args=(mp.Lock, mp.Event)).start()
        """
    )
    assert _kind_name(model, call_node(model, "lock_cls()")) is KindName.LOCK
    # the submissions disagree: unknown
    assert _kind_name(model, call_node(model, "other_cls()")) is None


def test_containers_kept_in_attributes_and_dicts_have_item_kinds() -> None:
    model = model_of(
        """
        import multiprocessing as mp
        class Farm:
            def __init__(self):
                self.procs = []
                self.queues = {}
                self.pool = None
            def start_all(self):
                for i in range(3):
                    self.procs.append(mp.Process(target=print))
                    self.queues[i] = mp.Queue()
                self.pool = mp.Pool(2)
            def stop(self):
                for p in self.procs:
                    p.join()
                for q in self.queues.values():
                    q.get()
                for k, q2 in self.queues.items():
                    q2.get()
                self.queues[0].put(1)
                self.queues.get(1).put(2)
                for key in self.queues:
                    key.put(3)
                self.pool.close()
        """
    )
    assert _kind_name(model, _receiver(model, "p.join()")) is KindName.PROCESS
    assert _kind_name(model, _receiver(model, "q.get()")) is KindName.QUEUE
    assert _kind_name(model, _receiver(model, "q2.get()")) is KindName.QUEUE
    assert _kind_name(model, _receiver(model, "self.queues[0].put(1)")) is KindName.QUEUE
    assert _kind_name(model, _receiver(model, "self.queues.get(1).put(2)")) is KindName.QUEUE
    assert _kind_name(model, _receiver(model, "key.put(3)")) is None  # the keys, not the values
    assert _kind_name(model, _receiver(model, "self.pool.close()")) is KindName.POOL


def test_a_container_with_items_of_different_kinds_is_unknown() -> None:
    model = model_of(
        """
        import multiprocessing as mp
        things = []
        things.append(mp.Queue())
        things.append(mp.Lock())
        for t in things:
            t.get()
        """
    )
    assert _kind_name(model, _receiver(model, "t.get()")) is None


def test_classes_held_by_variables_parameters_and_attributes_make_their_kind() -> None:
    model = model_of(
        """
        import multiprocessing as mp
        ctx = mp.get_context("spawn")
        def build(proc_cls, target):
            return proc_cls(target=target)
        class Maker:
            def __init__(self):
                self.queue_cls = ctx.Queue
            def make(self):
                return self.queue_cls()
        queue_cls = ctx.Queue
        q = queue_cls()
        p = build(mp.Process, print)
        unknown = factory()
        """
    )
    kind = model.kind_of(call_node(model, "queue_cls()"))
    assert kind is not None and kind.name is KindName.QUEUE and kind.method == "spawn"
    made = model.kind_of(call_node(model, "proc_cls(target=target)"))
    assert made is not None and made.name is KindName.PROCESS
    assert made.creator is call_node(model, "proc_cls(target=target)")
    method_made = model.kind_of(call_node(model, "self.queue_cls()"))
    assert method_made is not None and method_made.name is KindName.QUEUE
    assert model.kind_of(call_node(model, "factory()")) is None


# --- submissions through the flow -----------------------------------------------------------------------
def test_a_worker_passed_through_a_helper_parameter_is_the_submitted_callable() -> None:
    model = model_of(
        """
        import multiprocessing as mp
        def serve(): pass
        def poll(): pass
        def run(target):
            p = mp.Process(target=target)
            p.start()
        run(serve)
        run(poll)
        run(serve)
        """
    )
    process = call_node(model, "mp.Process(target=target)")
    found = [s for s in model.submissions() if s.call is process]
    # one submission per call of the helper: each knows the call that gave its callable
    assert [source_of(model, s.callable) for s in found] == ["serve", "poll", "serve"]
    assert [s.site for s in found] == [
        call_node(model, "run(serve)", 0),
        call_node(model, "run(poll)"),
        call_node(model, "run(serve)", 1),
    ]
    assert all(
        s.via is Via.PROCESS and source_of(model, s.through) == "target" for s in found if s.through
    )
    assert model.workers.worker_roots().keys() == {
        def_named(model, "serve"),
        def_named(model, "poll"),
    }


def test_a_worker_kept_in_an_attribute_is_found() -> None:
    model = model_of(
        """
        from concurrent.futures import ProcessPoolExecutor
        def task(x): return x
        class Runner:
            def __init__(self, fn):
                self.fn = fn
                self.ex = ProcessPoolExecutor()
            def go(self):
                return self.ex.submit(self.fn, 1)
        Runner(task).go()
        """
    )
    (submission,) = model.submissions()
    assert submission.via is Via.EXECUTOR
    assert source_of(model, submission.callable) == "task"
    assert submission.through is not None and source_of(model, submission.through) == "self.fn"


def test_arguments_of_the_helper_call_bind_the_submission_arguments() -> None:
    model = model_of(
        """
        import multiprocessing as mp
        def serve(port): pass
        def poll(): pass
        def launch(target, args=()):
            mp.Process(target=target, args=args).start()
        launch(serve, args=(8080,))
        launch(poll)
        """
    )
    handed = {
        source_of(model, s.callable): [
            source_of(model, a) for a in model.inference.handed_arguments(s)
        ]
        for s in model.submissions()
    }
    assert handed == {"serve": ["8080"], "poll": []}


def test_a_callable_partly_unknown_keeps_the_written_submission() -> None:
    model = model_of(
        """
        import multiprocessing as mp
        def serve(): pass
        def run(target):
            mp.Process(target=target).start()
        run(serve)
        run(print)
        """
    )
    found = [(source_of(model, s.callable), s.through is not None) for s in model.submissions()]
    assert found == [("target", False), ("serve", True)]


def test_method_calls_reach_through_instances_held_by_variables_and_parameters() -> None:
    model = model_of(
        """
        class Saver:
            def save(self): pass
            def twice(self):
                self.save()
        class Other:
            def save(self): pass
        def gui(saver):
            saver.save()
        s = Saver()
        s.save()
        gui(Saver())
        Other().save()
        unknown.save()
        """
    )
    found = model.valueflow.method_calls_to(def_named(model, "save"))
    assert [source_of(model, c) for c in found] == ["self.save()", "saver.save()", "s.save()"]


def test_attribute_loads_are_the_uses_of_one_attribute_but_its_assignments() -> None:
    model = model_of(
        """
        from multiprocessing import Pool
        class Resizer:
            def __init__(self):
                self.pool = Pool(2)
            def run(self, paths):
                return self.pool.map(len, paths)
        class Other:
            def __init__(self):
                self.pool = None
            def close(self):
                self.pool.close()
        def main(paths):
            r = Resizer()
            r.pool.close()
            return r.pool
        """
    )
    resizer = next(c for c in model.tree.nodes_of(cst.ClassDef) if c.name.value == "Resizer")
    loads = model.valueflow.attribute_loads(SelfAttr(resizer, "pool"))
    assert [source_of(model, node) for node in loads] == ["self.pool", "r.pool", "r.pool"]
    assert [model.tree.order[n] for n in loads] == sorted(model.tree.order[n] for n in loads)
    assert len(model.tree.attributes_named("pool")) == 6  # stores and loads, of either class


def test_callees_reach_the_methods_of_instances() -> None:
    model = model_of(
        """
        class Job:
            def run(self):
                pass
            @classmethod
            def make(cls):
                return cls()
        def helper():
            pass
        def task(x):
            job = Job()
            job.run()
            Job.make()
            helper()
            x.run()
        """
    )
    task = def_named(model, "task")
    assert model.valueflow.call_target(call_node(model, "job.run()")) is def_named(model, "run")
    assert model.valueflow.call_target(call_node(model, "x.run()")) is None  # not known
    callees = model.valueflow.callees(task)
    assert [f.name.value for f in callees if isinstance(f, cst.FunctionDef)] == [
        "run",
        "make",
        "helper",
    ]
    chains = model.callgraph.call_chains(task, callees=model.valueflow.callees)
    assert [[f.name.value for f in c if isinstance(f, cst.FunctionDef)] for c in chains] == [
        ["task"],
        ["task", "run"],
        ["task", "make"],
        ["task", "helper"],
    ]
    # the call graph alone does not know what ``job`` holds
    plain = model.callgraph.call_chains(task)
    assert [[f.name.value for f in c if isinstance(f, cst.FunctionDef)] for c in plain] == [
        ["task"],
        ["task", "make"],
        ["task", "helper"],
    ]
