"""``model.imported``: what names imported from other modules of the project are, read from their
summaries, and what ``kind_of`` answers for them."""

from __future__ import annotations

import textwrap
from pathlib import Path

import libcst as cst
import pytest

from mplint.kinds import Kind, KindName
from mplint.model import Model, build_model
from mplint.project import Project

from .support import call_node, name_node

SHARED = """
import queue
import threading
from multiprocessing import Pool, Process, get_context

lock = threading.Lock()
jobs = queue.Queue()
spawn_queue = get_context("spawn").Queue()
LIMIT = 3


def make_pool():
    return Pool(2)


def make_either(flag):
    if flag:
        return queue.Queue()
    return Pool(2)


def make_name():
    return "crawler"


class Crawler(Process):
    def run(self):
        self.work()

    def work(self):
        pass


class Supervised(Crawler):
    def start(self):
        pass


class Plain:
    pass


def make_crawler():
    return Crawler()
"""


def _model(tmp_path: Path, main: str) -> Model:
    (tmp_path / "pyproject.toml").write_text("")
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "__init__.py").write_text("from .shared import Crawler as Exported\n")
    (tmp_path / "app" / "shared.py").write_text(textwrap.dedent(SHARED))
    path = tmp_path / "app" / "main.py"
    text = textwrap.dedent(main)
    path.write_text(text)
    return build_model(cst.parse_module(text), str(path), project=Project(str(tmp_path)))


def test_module_level_objects_have_their_kinds(tmp_path: Path) -> None:
    model = _model(
        tmp_path,
        """
        from app import shared
        from .shared import LIMIT, jobs, lock, spawn_queue
        from outside import things

        a = lock
        b = shared.jobs
        c = LIMIT
        d = things
        e = spawn_queue
        """,
    )
    assert model.kind_of(name_node(model, "lock", -1)) == Kind(
        KindName.THREAD_LOCK, family="threading"
    )
    attribute = next(
        n for n in model.tree.order if isinstance(n, cst.Attribute) and n.attr.value == "jobs"
    )
    assert model.kind_of(attribute) == Kind(KindName.THREAD_QUEUE, family="threading")
    assert model.kind_of(name_node(model, "LIMIT", -1)) is None
    assert model.kind_of(name_node(model, "things", -1)) is None
    assert model.kind_of(name_node(model, "spawn_queue", -1)) == Kind(
        KindName.QUEUE, method="spawn"
    )


def test_factories_give_what_they_return_without_a_creator(tmp_path: Path) -> None:
    model = _model(
        tmp_path,
        """
        from .shared import make_crawler, make_either, make_name, make_pool

        pool = make_pool()
        either = make_either(True)
        name = make_name()
        crawler = make_crawler()
        """,
    )
    kind = model.kind_of(call_node(model, "make_pool()"))
    assert kind == Kind(KindName.POOL)
    assert kind is not None and kind.creator is None
    assert model.kind_of(name_node(model, "pool")) == Kind(KindName.POOL)
    # returns that disagree, an unmodelled value, an instance of the module's own class: unknown
    assert model.kind_of(call_node(model, "make_either(True)")) is None
    assert model.kind_of(call_node(model, "make_name()")) is None
    assert model.kind_of(call_node(model, "make_crawler()")) is None


@pytest.mark.parametrize(
    ("imports", "call"),
    [
        ("from .shared import Crawler", "Crawler()"),
        ("from app.shared import Crawler as C", "C()"),
        ("from app import Exported", "Exported()"),
        ("import app.shared", "app.shared.Crawler()"),
    ],
)
def test_an_imported_process_class_makes_its_instances(
    tmp_path: Path, imports: str, call: str
) -> None:
    model = _model(tmp_path, f"{imports}\n\nworker = {call}\n")
    node = call_node(model, call)
    kind = model.kind_of(node)
    assert kind == Kind(KindName.PROCESS, cls="app.shared.Crawler")
    assert kind is not None and kind.creator is node
    facts = model.imported.class_facts(kind)
    assert facts is not None
    assert (facts.name, facts.has_run, facts.methods, facts.self_calls) == (
        "Crawler",
        True,
        ("run", "work"),
        ("work",),
    )
    (submission,) = model.submissions()
    assert (submission.call, submission.via.value) == (node, "run")


def test_a_subclass_lists_its_bases_methods_and_plain_classes_are_unknown(tmp_path: Path) -> None:
    model = _model(
        tmp_path,
        """
        from .shared import Plain, Supervised

        a = Supervised()
        b = Plain()
        """,
    )
    # the line that defines it names no library class: the cheap look before the summary says no
    assert model.kind_of(call_node(model, "Supervised()")) is None
    facts = model.imported.class_facts(Kind(KindName.PROCESS, cls="app.shared.Supervised"))
    assert facts is not None and facts.methods == ("run", "start", "work")
    assert model.kind_of(call_node(model, "Plain()")) is None
    # a class of this module is not looked up in the project
    assert model.imported.class_facts(Kind(KindName.PROCESS, cls="Crawler")) is None


def test_without_a_project_imported_names_stay_unknown() -> None:
    text = "from app.shared import lock, make_pool, Crawler\na = lock\nb = make_pool()\nc = Crawler()\n"
    model = build_model(cst.parse_module(text), "app/main.py")
    assert model.kind_of(name_node(model, "lock", -1)) is None
    assert model.kind_of(call_node(model, "make_pool()")) is None
    assert model.kind_of(call_node(model, "Crawler()")) is None
