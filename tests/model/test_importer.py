"""How a fix spells a name and where it adds an import (:mod:`mplint.model.importer`)."""

from __future__ import annotations

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
