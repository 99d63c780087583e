"""What cannot be pickled, and why (:mod:`mplint.model.pickling`)."""

from __future__ import annotations

import libcst as cst

from mplint.kinds import Kind, KindName
from mplint.model import Model, Submission, pickling_error

from .support import call_node, model_of, source_of


def test_unpicklable_callable() -> None:
    model = model_of(
        "import functools\n"
        "square = lambda x: x * x\n"
        "def top(x): return x\n"
        "class Tools:\n"
        "    @staticmethod\n"
        "    def s(x): return x\n"
        "def main(k):\n"
        "    def local(x): return x + k\n"
        "    class Local: pass\n"
        "    use(lambda x: x, square, top, local, Local, Tools.s, functools.partial(local, 1),"
        " functools.partial(top, 1))\n",
        path="case.py",
        dedent=False,
    )
    call = next(c for c in model.tree.calls if model.module.code_for_node(c.func) == "use")
    reasons = [model.pickling.unpicklable_callable(arg.value) for arg in call.args]
    assert [r[0] if r else None for r in reasons] == [
        "a lambda",
        "a lambda",
        None,
        "a local function",
        "a local class",
        None,
        "a partial of a local function",
        None,
    ]


def test_guard_definition() -> None:
    model = model_of(
        "import functools\n"
        "def top(): pass\n"
        "if __name__ == '__main__':\n"
        "    def work(): pass\n"
        "    class Job: pass\n"
        "    use(work, Job, top, functools.partial(work))\n",
        path="case.py",
        dedent=False,
    )
    call = call_node(model, "use(work, Job, top, functools.partial(work))")
    found = [model.pickling.guard_definition(arg.value) for arg in call.args]
    assert [f.name.value if f else None for f in found] == ["work", "Job", None, "work"]


def test_outside_names_and_import_time_names() -> None:
    model = model_of(
        "import os\n"
        "LIMIT = 3\n"
        "def main(k):\n"
        "    use(lambda x, y=k: x + LIMIT + len(os.sep))\n"
        "    use(lambda x: x + LIMIT)\n"
        "if __name__ == '__main__':\n"
        "    late = 1\n"
        "    use(lambda: late)\n",
        path="case.py",
        dedent=False,
    )
    lambdas = [n for n in model.tree.order if isinstance(n, cst.Lambda)]
    first = {name.value for name, _ in model.names.outside_names(lambdas[0])}
    assert first == {"k", "LIMIT", "len", "os"}  # the default `k` is read outside the lambda
    assert [model.pickling.reads_only_import_time_names(node) for node in lambdas] == [
        False,
        True,
        False,
    ]


def test_instance_class_and_bound_methods() -> None:
    model = model_of(
        "import multiprocessing as mp\n"
        "class Service:\n"
        "    def __init__(self):\n"
        "        self.pool = mp.Pool(2)\n"
        "        self.cache = None\n"
        "    def handle(self, x): return x\n"
        "    @staticmethod\n"
        "    def pure(x): return x\n"
        "    def run(self, items):\n"
        "        use(self.handle, self.pure)\n"
        "svc = Service()\n"
        "use(svc.handle)\n",
        path="case.py",
        dedent=False,
    )
    info = model.names.classes["Service"]
    inner = call_node(model, "use(self.handle, self.pure)")
    assert model.values.bound_method_instance(inner.args[0].value) is info
    assert model.values.bound_method_instance(inner.args[1].value) is None
    outer = call_node(model, "use(svc.handle)")
    assert model.values.bound_method_instance(outer.args[0].value) is info
    state = model.pickling.unpicklable_state(info)
    assert state is not None and state[0] == "pool" and state[1].name is KindName.POOL
    assert state[2].error.startswith("NotImplementedError: pool objects cannot be passed")


def test_unpicklable_state_respects_custom_pickling() -> None:
    model = model_of(
        "import multiprocessing as mp\n"
        "class Snapshot:\n"
        "    def __init__(self):\n"
        "        self.lock = mp.Lock()\n"
        "    def __getstate__(self):\n"
        "        return {}\n",
        path="case.py",
        dedent=False,
    )
    assert model.pickling.unpicklable_state(model.names.classes["Snapshot"]) is None


def test_pickling_error() -> None:
    lock = pickling_error(Kind(KindName.LOCK))
    assert lock is not None and lock.inherited
    assert lock.error == (
        "RuntimeError: Lock objects should only be shared between processes through inheritance"
    )
    event = pickling_error(Kind(KindName.EVENT))
    assert event is not None and event.error.startswith("RuntimeError: Condition objects")
    assert pickling_error(Kind(KindName.LOCK, proxy=True)) is None
    assert pickling_error(Kind(KindName.CONNECTION)) is None
    thread_lock = pickling_error(Kind(KindName.THREAD_LOCK, family="threading"))
    assert thread_lock is not None and not thread_lock.inherited
    assert pickling_error(Kind(KindName.THREAD_LOCK, family="threading"), dill=True) is None
    pool = pickling_error(Kind(KindName.POOL), dill=True)
    assert pool is not None and not pool.inherited
    listed = pickling_error(Kind(KindName.SEQUENCE, item=Kind(KindName.QUEUE)))
    assert listed is not None and listed.error.startswith("RuntimeError: Queue objects")


def test_only_multiprocess_pickles_with_dill() -> None:
    assert Kind(KindName.POOL, family="multiprocess").pickles_with_dill
    assert not Kind(KindName.POOL, family="billiard").pickles_with_dill
    assert not Kind(KindName.POOL).pickles_with_dill


def test_unpicklable_state_ignores_attributes_set_after_pickling() -> None:
    model = model_of(
        "import multiprocessing as mp\n"
        "class Sampler:\n"
        "    def serve(self): pass\n"
        "    def launch(self):\n"
        "        procs = [mp.Process(target=self.serve) for _ in range(2)]\n"
        "        for p in procs:\n"
        "            p.start()\n"
        "        self.procs = procs\n"
        "    def relaunch(self):\n"
        "        for _ in range(2):\n"
        "            q = mp.Process(target=self.serve)\n"
        "            q.start()\n"
        "            self.last = q\n",
        path="case.py",
        dedent=False,
    )
    info = model.names.classes["Sampler"]
    start = call_node(model, "p.start()")
    at_start = model.pickling.unpicklable_state(info, [start])
    assert at_start is not None and at_start[0] == "last"  # set in another function: kept
    assert set(info.attributes) == {"procs", "last"}
    procs_value = info.attributes["procs"][0]
    last_value = info.attributes["last"][0]
    assert model.pickling.set_after(procs_value, [start])
    assert not model.pickling.set_after(procs_value, [call_node(model, "q.start()")])
    assert not model.pickling.set_after(last_value, [call_node(model, "q.start()")])
    state = model.pickling.unpicklable_state(info)
    assert state is not None and state[0] == "last"  # no pickling point: order is not asked


def test_attributes_set_only_in_the_child() -> None:
    model = model_of(
        "import multiprocessing as mp\n"
        "class Server:\n"
        "    def serve(self):\n"
        "        self.launch()\n"
        "    def launch(self):\n"
        "        self.workers = [mp.Process(target=print)]\n"
        "    def prepare(self):\n"
        "        self.pool = mp.Pool(2)\n"
        "    def start(self):\n"
        "        self.prepare()\n"
        "        p = mp.Process(target=self.serve)\n"
        "        p.start()\n",
        path="case.py",
        dedent=False,
    )
    info = model.names.classes["Server"]
    workers = info.attributes["workers"][0]
    pool = info.attributes["pool"][0]
    assert model.pickling.set_in_child_only(workers)
    assert not model.pickling.set_in_child_only(pool)  # prepare() runs in the parent
    state = model.pickling.unpicklable_state(info, [call_node(model, "p.start()")])
    assert state is not None and state[0] == "pool"


_SUBMITTING = """\
import multiprocessing as mp
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from multiprocessing.pool import ThreadPool
def task(x): return x
def setup(): pass
def target(): pass
def main(method):
    with mp.Pool(initializer=setup) as pool:
        pool.map(task, [1])
    with ProcessPoolExecutor() as ex:
        ex.submit(task, 1)
    with ThreadPoolExecutor() as tex:
        tex.submit(task, 2)
    ThreadPool().map(task, [3])
    mp.Process(target=target).start()
    mp.get_context("fork").Process(target=target).start()
    mp.get_context(method).Process(target=target).start()
    idle = mp.Process(target=target)
    forked = mp.get_context("fork").Pool()
    forked.map(task, [4])
"""


def _described(model: Model, submissions: list[Submission]) -> list[str]:
    return [f"{s.via.value}:{source_of(model, s.call)}" for s in submissions]


def test_pickled_submissions() -> None:
    """Pool and executor tasks are pickled under every start method; targets and initializers only
    when the child is spawned. Threads, a run-time start method and an unstarted Process are left out."""
    model = model_of(_SUBMITTING, path="case.py")
    assert _described(model, model.pickling.pickled_submissions()) == [
        "initializer:mp.Pool(initializer=setup)",
        "pool:pool.map(task, [1])",
        "executor:ex.submit(task, 1)",
        "process:mp.Process(target=target)",
        "pool:forked.map(task, [4])",
    ]
    # Under fork as the configured default, only the tasks are pickled.
    forked = model_of(_SUBMITTING, path="case.py", start_method="fork")
    assert _described(forked, forked.pickling.pickled_submissions()) == [
        "pool:pool.map(task, [1])",
        "executor:ex.submit(task, 1)",
        "pool:forked.map(task, [4])",
    ]


def test_reimported_submissions() -> None:
    """A child that starts a fresh interpreter looks the callable up in its own import of the main
    module; a forked pool's workers already have it."""
    model = model_of(_SUBMITTING, path="case.py")
    assert _described(model, model.pickling.reimported_submissions()) == [
        "initializer:mp.Pool(initializer=setup)",
        "pool:pool.map(task, [1])",
        "executor:ex.submit(task, 1)",
        "process:mp.Process(target=target)",
    ]
    forked = model_of(_SUBMITTING, path="case.py", start_method="fork")
    assert forked.pickling.reimported_submissions() == []


def test_interactive_definition() -> None:
    code = (
        "import functools\n"
        "from work import imported\n"
        "def top(): pass\n"
        "class Job: pass\n"
        "def rebound(): pass\n"
        "rebound = imported\n"
        "if __name__ == '__main__':\n"
        "    def guarded(): pass\n"
        "def outer():\n"
        "    def local(): pass\n"
        "    return local\n"
        "use(top, Job, functools.partial(top), imported, rebound, guarded, outer(), print)\n"
    )
    text = "use(top, Job, functools.partial(top), imported, rebound, guarded, outer(), print)"
    notebook = model_of(code, path="analysis.ipynb", dedent=False)
    call = call_node(notebook, text)
    found = [notebook.pickling.interactive_definition(arg.value) for arg in call.args]
    names = [f.name.value if f else None for f in found]
    assert names == ["top", "Job", "top", None, None, "guarded", None, None]
    # the same code in a file: its children re-import it, nothing is a notebook definition
    script = model_of(code, path="analysis.py", dedent=False)
    call = call_node(script, text)
    assert [script.pickling.interactive_definition(arg.value) for arg in call.args] == [None] * 8
