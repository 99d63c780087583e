"""The one build pass (:mod:`mplint.model.build`): the bindings it records, one test per
:class:`~mplint.model.names.BindingKind`, and the indexes it fills in the tree and the names."""

from __future__ import annotations

import gc
import weakref
from typing import Optional

import libcst as cst
import pytest

from mplint.model import Binding, BindingKind, Model

from .support import call_node, def_named, model_of, source_of


def bindings_of(model: Model, name: str) -> list[Binding]:
    """Every binding of ``name`` in every scope, module scope first, in the order they were made."""
    return [b for scope in model.names.scopes.values() for b in scope.bindings.get(name, [])]


# --- one test per BindingKind ---------------------------------------------------------------------
@pytest.mark.parametrize(
    ("code", "value"),
    [
        ("x = 1", "1"),
        ("x: int = 1", "1"),
        ("(x := 1)", "1"),
        ("y = x = 1", "1"),
    ],
)
def test_assignment_binds_assign(code: str, value: str) -> None:
    model = model_of(code + "\n")
    (binding,) = bindings_of(model, "x")
    assert binding.how is BindingKind.ASSIGN
    assert binding.value is not None and source_of(model, binding.value) == value
    assert binding.path == () and not binding.iterates and not binding.enters
    assert binding.node is model.tree.name_uses("x")[0]


def test_unpacking_binds_assign_with_a_path() -> None:
    model = model_of("a, (b, c) = f()\n")
    paths = {name: [(b.how, b.path) for b in bindings_of(model, name)] for name in "abc"}
    assert paths == {
        "a": [(BindingKind.ASSIGN, (0,))],
        "b": [(BindingKind.ASSIGN, (1, 0))],
        "c": [(BindingKind.ASSIGN, (1, 1))],
    }
    (starred,) = bindings_of(model_of("a, *rest = f()\n"), "rest")
    assert starred.how is BindingKind.ASSIGN and starred.value is None  # the items are unknown


def test_bare_annotation_binds_annotation() -> None:
    model = model_of("x: int\n")
    (binding,) = bindings_of(model, "x")
    assert binding.how is BindingKind.ANNOTATION
    assert binding.value is not None and source_of(model, binding.value) == "int"


@pytest.mark.parametrize(
    ("code", "qualname"),
    [
        ("import x", "x"),
        ("import x.y", "x"),
        ("import os.path as x", "os.path"),
        ("from os import x", "os.x"),
        ("from os import path as x", "os.path"),
        ("from . import x", None),
    ],
)
def test_import_binds_import(code: str, qualname: Optional[str]) -> None:
    model = model_of(code + "\n")
    (binding,) = bindings_of(model, "x")
    assert binding.how is BindingKind.IMPORT
    assert binding.qualname == qualname
    assert isinstance(binding.node, cst.ImportAlias)


def test_star_import_binds_nothing_and_is_recorded() -> None:
    model = model_of("from multiprocessing import *\nimport os.path\n")
    assert model.names.star_imports == ["multiprocessing"]
    assert model.names.imported_modules == {"os.path"}
    assert [b.how for b in bindings_of(model, "os")] == [BindingKind.IMPORT]


def test_def_binds_def() -> None:
    model = model_of("def x(): pass\n")
    (binding,) = bindings_of(model, "x")
    assert binding.how is BindingKind.DEF
    assert binding.node is model.names.functions["x"]


def test_class_binds_class() -> None:
    model = model_of("class x: pass\n")
    (binding,) = bindings_of(model, "x")
    assert binding.how is BindingKind.CLASS
    assert binding.node is model.names.classes["x"].node


def test_parameters_bind_param_with_their_position() -> None:
    model = model_of(
        """
        def f(a, /, b, *args, c, **kwargs): pass
        g = lambda d, e=1: d
        """
    )
    found = {
        name: [(b.how, b.param_index) for b in bindings_of(model, name)]
        for name in ("a", "b", "args", "c", "kwargs", "e")
    }
    assert found == {
        "a": [(BindingKind.PARAM, 0)],
        "b": [(BindingKind.PARAM, 1)],
        "args": [(BindingKind.PARAM, -1)],
        "c": [(BindingKind.PARAM, -1)],
        "kwargs": [(BindingKind.PARAM, -1)],
        "e": [(BindingKind.PARAM, 1)],
    }
    (d,) = bindings_of(model, "d")
    lambdas = [n for n in model.tree.order if isinstance(n, cst.Lambda)]
    assert d.how is BindingKind.PARAM and model.names.scopes[lambdas[0]].bindings["d"] == [d]


@pytest.mark.parametrize(
    "code", ["for x in items: pass", "[x for x in items]", "{x: 1 for x in items}"]
)
def test_loop_targets_bind_for(code: str) -> None:
    model = model_of(code + "\n")
    (binding,) = bindings_of(model, "x")
    assert binding.how is BindingKind.FOR and binding.iterates and not binding.enters
    assert binding.value is not None and source_of(model, binding.value) == "items"


def test_with_target_binds_with() -> None:
    model = model_of("with open(p) as x, lock: pass\n")
    (binding,) = bindings_of(model, "x")
    assert binding.how is BindingKind.WITH and binding.enters and not binding.iterates
    assert binding.value is not None and source_of(model, binding.value) == "open(p)"
    assert [source_of(model, w.item) for w in model.tree.with_items] == ["open(p)", "lock"]


def test_except_name_binds_except() -> None:
    model = model_of(
        """
        try:
            pass
        except OSError as x:
            pass
        """
    )
    (binding,) = bindings_of(model, "x")
    assert binding.how is BindingKind.EXCEPT and binding.value is None


def test_every_binding_kind_is_produced() -> None:
    model = model_of(
        """
        import os
        a = 1
        b: int
        def f(p):
            for i in p:
                pass
            with p as w:
                pass
            try:
                pass
            except OSError as e:
                pass
        class C:
            pass
        """
    )
    produced = {
        b.how for scope in model.names.scopes.values() for bs in scope.bindings.values() for b in bs
    }
    assert produced == set(BindingKind)


# --- scopes, global and nonlocal ------------------------------------------------------------------
def test_global_binds_in_the_module_scope() -> None:
    model = model_of(
        """
        def f():
            global g
            g = 1
            n = 0
            def inner():
                nonlocal n
        """
    )
    module = model.names.module_scope
    assert [b.how for b in module.bindings["g"]] == [BindingKind.ASSIGN]
    f = model.names.scopes[def_named(model, "f")]
    inner = model.names.scopes[def_named(model, "inner")]
    assert f.global_names == {"g"} and "g" not in f.bindings
    assert inner.nonlocal_names == {"n"}
    assert inner.parent is f and f.parent is module


def test_nonlocal_binds_in_the_enclosing_scope() -> None:
    model = model_of(
        """
        def f():
            n = 0
            def inner():
                nonlocal n
                n = 2
        """
    )
    f = model.names.scopes[def_named(model, "f")]
    inner = model.names.scopes[def_named(model, "inner")]
    assert "n" not in inner.bindings
    assert len(f.bindings["n"]) == 2


def test_classes_methods_and_self_attributes() -> None:
    model = model_of(
        """
        class Base:
            pass
        class Job(Base):
            size = 3
            def __init__(self, q):
                self.q = q
                self.n: int = 0
                self.a, self.b = 1, 2
                other.x = 1
            def run(self):
                self.q = None
            def run(self):
                pass
        """
    )
    info = model.names.classes["Job"]
    assert [source_of(model, b) for b in info.bases] == ["Base"]
    assert list(info.methods) == ["__init__", "run"]
    assert info.methods["run"] is def_named(model, "run")  # the first of two defs
    assert {
        attr: [source_of(model, v) for v in values] for attr, values in info.attributes.items()
    } == {
        "q": ["q", "None"],
        "n": ["0"],
    }
    assert set(info.attribute_targets) == {"q", "n", "a", "b"}
    assert model.names.class_of_node[info.node] is info
    assert "run" not in model.names.functions  # only module-level defs


# --- the tree's indexes ---------------------------------------------------------------------------
def test_call_indexes() -> None:
    model = model_of(
        """
        a()
        def f():
            b.put(1)
            g = lambda: c()
            def inner():
                d.put(2)
            class Local:
                local_body()
            return [e() for _ in x]
        class K:
            k()
            def m(self):
                self.h()
        """
    )
    assert [source_of(model, c) for c in model.tree.calls] == [
        "a()",
        "b.put(1)",
        "c()",
        "d.put(2)",
        "local_body()",
        "e()",
        "k()",
        "self.h()",
    ]
    by_function = {
        (f.name.value if isinstance(f, cst.FunctionDef) else "<lambda>"): [
            source_of(model, c) for c in calls
        ]
        for f, calls in model.tree.calls_by_function.items()
    }
    assert by_function == {
        "f": ["b.put(1)", "local_body()", "e()"],  # a class body in f runs when f runs
        "<lambda>": ["c()"],
        "inner": ["d.put(2)"],
        "m": ["self.h()"],
    }
    assert {
        m: [source_of(model, c) for c in calls] for m, calls in model.tree.method_calls.items()
    } == {
        "put": ["b.put(1)", "d.put(2)"],
        "h": ["self.h()"],
    }


def test_returns_yields_stores_and_guards() -> None:
    model = model_of(
        """
        def f():
            def g():
                yield 1
                return 2
            self.x = 1
            y.x, z.w = 1, 2
            return g
        if __name__ == "__main__":
            pass
        if __name__ != "__main__":
            pass
        if flag:
            pass
        """
    )
    returns = {
        f.name.value: [source_of(model, r) for r in rs] for f, rs in model.tree.returns.items()
    }  # type: ignore[union-attr]
    assert returns == {"g": ["return 2"], "f": ["return g"]}
    assert [source_of(model, y) for y in model.tree.yields] == ["yield 1"]
    assert {
        a: [source_of(model, n) for n in ns] for a, ns in model.tree.attribute_stores.items()
    } == {"x": ["self.x"]}  # a tuple target is not an AssignTarget
    assert [source_of(model, g.test) for g in model.tree.main_guards] == [
        '__name__ == "__main__"',
        '__name__ != "__main__"',
    ]


def test_parents_order_and_events() -> None:
    model = model_of("f(x)\n")
    call = call_node(model, "f(x)")
    assert model.parent(call) is model.module.body[0].body[0]  # type: ignore[attr-defined]
    assert model.tree.parents[model.module] is None
    assert model.tree.order[model.module] == 0
    assert list(model.tree.order.values()) == list(range(len(model.tree.order)))
    entered = [n for n, leaving in model.tree.events if not leaving]
    left = [n for n, leaving in model.tree.events if leaving]
    assert entered == list(model.tree.order) and len(left) == len(entered)
    assert left[-1] is model.module
    assert model.tree.end[model.module] == len(model.tree.order)


def test_a_model_is_freed_by_reference_counting() -> None:
    # The engine pauses the cyclic collector while it lints a file; a reference cycle through the
    # model would keep the whole tree alive until the collector runs again (and make it walk it all).
    gc.collect()
    gc.disable()
    try:
        model = model_of(
            """
            import multiprocessing as mp
            def work(q):
                q.put(1)
            def main():
                q = mp.Queue()
                mp.Process(target=work, args=(q,)).start()
            """
        )
        assert len(model.submissions()) == 1
        tree = weakref.ref(model.tree)
        names = weakref.ref(model.names)
        del model
        assert tree() is None and names() is None
    finally:
        gc.enable()
