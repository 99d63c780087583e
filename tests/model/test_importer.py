"""How a fix spells a name and where it adds an import (:mod:`mplint.model.importer`)."""

from __future__ import annotations

import libcst as cst

from .support import model_of, name_node, source_of


def test_import_spelling_reuses_visible_imports() -> None:
    model = model_of(
        """
        import queue as Q
        from queue import Full
        def f(q):
            pass
        """
    )
    at = name_node(model, "q")
    assert model.importer.import_spelling("queue.Full", at) == ("Full", None)
    assert model.importer.import_spelling("queue.Empty", at) == ("Q.Empty", None)


def test_import_spelling_adds_an_import_when_the_name_is_free() -> None:
    model = model_of(
        """
        import multiprocessing as mp
        def f(queue):
            pass
        def g(q):
            pass
        """
    )
    assert model.importer.import_spelling("queue.Empty", name_node(model, "q")) == (
        "queue.Empty",
        "import queue",
    )
    # ``queue`` is a parameter there: import the class instead
    assert model.importer.import_spelling("queue.Empty", name_node(model, "queue")) == (
        "Empty",
        "from queue import Empty",
    )
    assert model.importer.import_spelling("multiprocessing.Queue", name_node(model, "q")) == (
        "mp.Queue",
        None,
    )


def test_import_anchor() -> None:
    model = model_of(
        '''
        """Doc."""
        from __future__ import annotations
        import os
        from typing import Any
        X = 1
        '''
    )
    anchor = model.importer.import_anchor()
    assert anchor is not None
    statement, after = anchor
    assert after and source_of(model, statement).strip() == "from typing import Any"
    bare = model_of('"""Doc."""\nX = 1\n').importer.import_anchor()
    assert bare is not None and not bare[1]


def test_import_used_elsewhere() -> None:
    model = model_of(
        """
        import queue
        from multiprocessing import Queue
        q = Queue()
        try:
            q.get_nowait()
        except Queue.Empty:
            pass
        except queue.Empty:
            pass
        """
    )
    in_handler = name_node(model, "Queue", 2)
    assert model.importer.import_used_elsewhere(in_handler)
    assert not model.importer.import_used_elsewhere(in_handler, [name_node(model, "Queue", 1)])
    assert not model.importer.import_used_elsewhere(name_node(model, "queue", 1))
    assert model.names.name_is_free("Empty", in_handler)
    assert not model.names.name_is_free("queue", in_handler)
    assert [
        source_of(model, n)
        for n in model.names.references(model.binding_key(name_node(model, "q")))
    ] == [  # type: ignore[arg-type]
        "q",
        "q",
    ]


def test_import_kept() -> None:
    model = model_of(
        """
        import queue
        from multiprocessing import Queue
        q = Queue()
        try:
            q.get_nowait()
        except Queue.Empty:
            pass
        except queue.Empty:
            pass
        except f().Empty:
            pass
        """
    )
    first, second = (name_node(model, "Queue", n) for n in (1, 2))
    in_handler = model.parent(second)
    assert isinstance(in_handler, cst.Attribute)
    importer = model.importer
    assert importer.import_kept(in_handler, "queue.Empty")  # Queue() still reads the import
    assert not importer.import_kept(in_handler, "queue.Empty", [first, None])
    assert importer.import_kept(in_handler, "Queue.Full", [first])  # the same name stays
    assert importer.import_kept(second, "queue.Empty", [None])
    only_use = model.parent(name_node(model, "queue", 1))
    assert isinstance(only_use, cst.Attribute)
    assert not importer.import_kept(only_use, "Q.Empty")
    assert importer.import_kept(only_use, "queue.Full")
    call_rooted = model.parent(name_node(model, "Empty", 2))
    assert isinstance(call_rooted, cst.Attribute)
    assert importer.import_kept(call_rooted, "queue.Empty")  # it reads no import
