"""The model's facts about start methods, pickling and parent-only state (used by MPL202-MPL208)."""

from __future__ import annotations

from typing import Optional

import libcst as cst

from mplint.kinds import Kind, KindName
from mplint.model import Model, build_model, context_family, pickling_error
from mplint.rules.implicit_fork_state import global_rng_call


def model_of(code: str, path: str = "case.py", method: Optional[str] = None) -> Model:
    return build_model(cst.parse_module(code), path, method)


def call_named(model: Model, text: str) -> cst.Call:
    """The first call whose source is ``text``."""
    for call in model.tree.calls:
        if model.module.code_for_node(call) == text:
            return call
    raise AssertionError(f"no call {text!r}")


def name_node(model: Model, value: str, index: int = 0) -> cst.Name:
    return model.tree.name_uses(value)[index]


# --- set_start_method and the default context -------------------------------------------------------


def test_start_method_calls_record_method_force_and_tolerance() -> None:
    model = model_of(
        "import multiprocessing as mp\n"
        "import torch.multiprocessing as tmp\n"
        "from multiprocessing import set_start_method as ssm\n"
        "import contextlib\n"
        "mp.set_start_method('spawn')\n"
        "ssm('fork', force=True)\n"
        "tmp.set_start_method(method)\n"
        "try:\n"
        "    mp.set_start_method('forkserver')\n"
        "except (ValueError, RuntimeError):\n"
        "    pass\n"
        "with contextlib.suppress(RuntimeError):\n"
        "    mp.set_start_method('spawn')\n"
        "if mp.get_start_method(allow_none=True) is None:\n"
        "    mp.set_start_method('spawn')\n"
        "if mp.get_start_method() != 'spawn':\n"
        "    mp.set_start_method('spawn', force=False)\n"
    )
    found = [
        (c.method, c.forced, c.tolerated, c.family) for c in model.startmethod.start_method_calls
    ]
    assert found == [
        ("spawn", False, False, "multiprocessing"),
        ("fork", True, False, "multiprocessing"),
        (None, False, False, "multiprocessing"),  # torch shares multiprocessing's context
        ("forkserver", False, True, "multiprocessing"),
        ("spawn", False, True, "multiprocessing"),
        ("spawn", False, True, "multiprocessing"),
        ("spawn", False, False, "multiprocessing"),  # get_start_method() is no test of freedom
    ]


def test_default_context_use() -> None:
    model = model_of(
        "import multiprocessing as mp\n"
        "import billiard\n"
        "from concurrent.futures import ProcessPoolExecutor\n"
        "def f(): pass\n"
        "mp.Queue()\n"
        "mp.get_context('spawn').Queue()\n"
        "mp.get_start_method()\n"
        "mp.get_start_method(allow_none=True)\n"
        "mp.get_context()\n"
        "mp.RawValue('i', 0)\n"
        "mp.Pipe()\n"
        "p = mp.Process(target=f)\n"
        "p.start()\n"
        "ProcessPoolExecutor()\n"
        "ProcessPoolExecutor(max_tasks_per_child=3)\n"
        "billiard.Lock()\n"
        "mp.Manager()\n"
    )
    uses = {
        model.module.code_for_node(call): model.startmethod.default_context_use(call)
        for call in model.tree.calls
    }
    assert uses["mp.Queue()"] == ("multiprocessing", "mp.Queue()")
    assert uses["mp.get_context('spawn').Queue()"] is None
    assert uses["mp.get_start_method()"] == ("multiprocessing", "get_start_method()")
    assert uses["mp.get_start_method(allow_none=True)"] is None
    assert uses["mp.get_context()"] == ("multiprocessing", "get_context()")
    assert uses["mp.RawValue('i', 0)"] is None
    assert uses["mp.Pipe()"] is None
    assert uses["mp.Process(target=f)"] is None  # creating a Process does not choose a method
    assert uses["p.start()"] == ("multiprocessing", "p.start()")
    assert uses["ProcessPoolExecutor()"] == ("multiprocessing", "ProcessPoolExecutor()")
    assert uses["ProcessPoolExecutor(max_tasks_per_child=3)"] is None  # uses spawn explicitly
    assert uses["billiard.Lock()"] == ("billiard", "billiard.Lock()")
    assert uses["mp.Manager()"] == ("multiprocessing", "mp.Manager()")


def test_runs_whenever_scope_runs() -> None:
    model = model_of(
        "def f(flag, items):\n"
        "    a()\n"
        "    with ctx:\n"
        "        b()\n"
        "    try:\n"
        "        c()\n"
        "    except E:\n"
        "        d()\n"
        "    if flag:\n"
        "        e()\n"
        "    for x in g():\n"
        "        h()\n"
        "    flag and i()\n"
        "    [j() for _ in items]\n"
    )
    verdicts = {
        model.module.code_for_node(call.func): model.flow.runs_whenever_scope_runs(call)
        for call in model.tree.calls
    }
    assert verdicts == {
        "a": True,
        "b": True,
        "c": True,
        "d": False,
        "e": False,
        "g": True,
        "h": False,
        "i": False,
        "j": False,
    }


def test_surely_uses_default_context_follows_unconditional_calls() -> None:
    model = model_of(
        "import multiprocessing as mp\n"
        "def make():\n"
        "    return mp.Lock()\n"
        "def maybe(flag):\n"
        "    if flag:\n"
        "        mp.Lock()\n"
        "def outer():\n"
        "    make()\n"
        "def other():\n"
        "    maybe(True)\n"
    )
    outer = model.names.functions["outer"]
    other = model.names.functions["other"]
    found = model.startmethod.surely_uses_default_context(outer)
    assert found is not None and found[1] == "mp.Lock() (in make())"
    assert model.startmethod.surely_uses_default_context(other) is None


def test_possible_start_methods() -> None:
    code = "import multiprocessing as mp\nlock = mp.Lock()\nfork = mp.get_context('fork').Lock()\n"
    portable = model_of(code)
    default = portable.kind_of(name_node(portable, "lock"))
    assert portable.startmethod.possible_start_methods(default) == {"fork", "spawn", "forkserver"}
    fork_kind = portable.kind_of(name_node(portable, "fork"))
    assert portable.startmethod.possible_start_methods(fork_kind) == {"fork"}
    configured = model_of(code, method="spawn")
    assert configured.startmethod.possible_start_methods(
        configured.kind_of(name_node(configured, "lock"))
    ) == {"spawn"}


def test_context_family() -> None:
    assert context_family("torch.multiprocessing") == "multiprocessing"
    assert context_family("concurrent.futures") == "multiprocessing"
    assert context_family("billiard") == "billiard"


# --- pickling -------------------------------------------------------------------------------------------


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
        " functools.partial(top, 1))\n"
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
        "    use(work, Job, top, functools.partial(work))\n"
    )
    call = call_named(model, "use(work, Job, top, functools.partial(work))")
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
        "    use(lambda: late)\n"
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
        "use(svc.handle)\n"
    )
    info = model.names.classes["Service"]
    inner = call_named(model, "use(self.handle, self.pure)")
    assert model.values.bound_method_instance(inner.args[0].value) is info
    assert model.values.bound_method_instance(inner.args[1].value) is None
    outer = call_named(model, "use(svc.handle)")
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
        "        return {}\n"
    )
    assert model.pickling.unpicklable_state(model.names.classes["Snapshot"]) is None


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
        "            self.last = q\n"
    )
    info = model.names.classes["Sampler"]
    start = call_named(model, "p.start()")
    at_start = model.pickling.unpicklable_state(info, [start])
    assert at_start is not None and at_start[0] == "last"  # set in another function: kept
    assert set(info.attributes) == {"procs", "last"}
    procs_value = info.attributes["procs"][0]
    last_value = info.attributes["last"][0]
    assert model.pickling.set_after(procs_value, [start])
    assert not model.pickling.set_after(procs_value, [call_named(model, "q.start()")])
    assert not model.pickling.set_after(last_value, [call_named(model, "q.start()")])
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
        "        p.start()\n"
    )
    info = model.names.classes["Server"]
    workers = info.attributes["workers"][0]
    pool = info.attributes["pool"][0]
    assert model.pickling.set_in_child_only(workers)
    assert not model.pickling.set_in_child_only(pool)  # prepare() runs in the parent
    state = model.pickling.unpicklable_state(info, [call_named(model, "p.start()")])
    assert state is not None and state[0] == "pool"


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


# --- state the parent sets after import ----------------------------------------------------------------


def test_guard_reachable_and_global_reads() -> None:
    model = model_of(
        "CONFIG = {}\n"
        "def helper(): return CONFIG\n"
        "def main():\n"
        "    helper()\n"
        "def unused(): pass\n"
        "def reader(x):\n"
        "    local = 1\n"
        "    return [CONFIG[k] for k in x] + [local, len(x)]\n"
        "if __name__ == '__main__':\n"
        "    main()\n"
    )
    reached = {
        f.name.value for f in model.callgraph.guard_reachable if isinstance(f, cst.FunctionDef)
    }
    assert reached == {"main", "helper"}
    assert set(model.names.global_reads(model.names.functions["reader"])) == {"CONFIG"}


def test_runs_once_per_program() -> None:
    model = model_of(
        "import sys\n"
        "def main():\n"
        "    _setup()\n"
        "    public_helper()\n"
        "    for i in range(3):\n"
        "        _in_loop(i)\n"
        "    _twice(); _twice()\n"
        "    handlers = [_as_value]\n"
        "def _setup(): _deeper()\n"
        "def _deeper(): pass\n"
        "def public_helper(): pass\n"
        "def _in_loop(i): pass\n"
        "def _twice(): pass\n"
        "def _as_value(): pass\n"
        "def looped_entry(): pass\n"
        "def at_import(): pass\n"
        "class Tool:\n"
        "    def run(self): pass\n"
        "at_import()\n"
        "if __name__ == '__main__':\n"
        "    for _ in range(2):\n"
        "        looped_entry()\n"
        "    sys.exit(main())\n"
    )
    once = {f.name.value for f in model.callgraph.runs_once_per_program}
    assert once == {"main", "_setup", "_deeper", "at_import"}
    console = model_of("def main(argv=None): _helper()\ndef _helper(): pass\ndef other(): pass\n")
    assert {f.name.value for f in console.callgraph.runs_once_per_program} == {"main", "_helper"}


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
        "    CONFIG.mode = 'x'\n"
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


def test_thread_work() -> None:
    model = model_of(
        "import threading, multiprocessing as mp\n"
        "from multiprocessing.pool import ThreadPool\n"
        "from concurrent.futures import ThreadPoolExecutor\n"
        "def f(): pass\n"
        "t = threading.Thread(target=f)\n"
        "t.start()\n"
        "tp = ThreadPool(2)\n"
        "pool = mp.Pool(2)\n"
        "ex = ThreadPoolExecutor()\n"
        "ex.submit(f)\n"
        "p = mp.Process(target=f)\n"
        "p.start()\n"
    )
    found = {
        model.module.code_for_node(call): (model.inference.thread_work(call) or ("",))[0]
        for call in model.tree.calls
    }
    assert found["t.start()"] == "starts a thread"
    assert found["ThreadPool(2)"] == "creates a ThreadPool"
    assert found["mp.Pool(2)"].startswith("creates a Pool")
    assert found["ex.submit(f)"].startswith("submits to a ThreadPoolExecutor")
    assert found["p.start()"] == ""


def test_global_rng_call() -> None:
    assert global_rng_call("numpy.random.seed") == ("numpy.random", "seed")
    assert global_rng_call("numpy.random.rand") == ("numpy.random", "draw")
    assert global_rng_call("numpy.random.default_rng") is None
    assert global_rng_call("random.seed") == ("random", "seed")
    assert global_rng_call("random.choice") == ("random", "draw")
    assert global_rng_call("random.Random") is None
    assert global_rng_call("torch.manual_seed") == ("torch", "seed")
    assert global_rng_call("torch.randn") == ("torch", "draw")
    assert global_rng_call("torch.zeros") is None
    assert global_rng_call("os.getpid") is None
    assert global_rng_call(None) is None


# --- run-time contexts, processes never started, constructor state, run_in_executor -------------------


def test_start_method_unknown() -> None:
    model = model_of(
        "import multiprocessing as mp\n"
        "from concurrent.futures import ProcessPoolExecutor\n"
        "def f(method, ctx):\n"
        "    chosen = mp.get_context(method).Process(target=f)\n"
        "    default = mp.get_context().Process(target=f)\n"
        "    plain = mp.Process(target=f)\n"
        "    spawn = mp.get_context('spawn').Process(target=f)\n"
        "    ex = ProcessPoolExecutor(mp_context=ctx)\n"
        "    ex2 = ProcessPoolExecutor()\n"
    )
    verdicts = {
        name: model.startmethod.start_method_unknown(model.kind_of(name_node(model, name)))
        for name in ("chosen", "default", "plain", "spawn", "ex", "ex2")
    }
    assert verdicts == {
        "chosen": True,
        "default": False,
        "plain": False,
        "spawn": False,
        "ex": True,
        "ex2": False,
    }


def test_never_started() -> None:
    model = model_of(
        "import multiprocessing as mp\n"
        "def a():\n"
        "    p = mp.Process(target=print)\n"
        "    p.daemon = True\n"
        "    return p.name\n"
        "def b():\n"
        "    p = mp.Process(target=print)\n"
        "    p.start()\n"
        "def c():\n"
        "    p = mp.Process(target=print)\n"
        "    return p\n"
        "def d(self):\n"
        "    p = mp.Process(target=print)\n"
        "    self.assertTrue(p)\n"
        "q = mp.Process(target=print)\n"
    )
    creations = [c for c in model.tree.calls if model.module.code_for_node(c.func) == "mp.Process"]
    assert [model.workers.never_started(c) for c in creations] == [True, False, False, True, False]


def test_stored_constructor_arguments() -> None:
    model = model_of(
        "import multiprocessing as mp\n"
        "class Worker(mp.Process):\n"
        "    def __init__(self, tasks, label, *, results=None):\n"
        "        super().__init__()\n"
        "        self.tasks = tasks\n"
        "        self.results = results\n"
        "        print(label)\n"
        "w = Worker(mp.Queue(), 'x', results=mp.Queue())\n"
    )
    call = next(c for c in model.tree.calls if model.module.code_for_node(c.func) == "Worker")
    stored = [
        model.module.code_for_node(e) for e in model.values.stored_constructor_arguments(call)
    ]
    assert stored == ["mp.Queue()", "mp.Queue()"]


def test_run_in_executor_submissions() -> None:
    model = model_of(
        "import asyncio\n"
        "from concurrent.futures import ProcessPoolExecutor\n"
        "async def main(x):\n"
        "    loop = asyncio.get_running_loop()\n"
        "    with ProcessPoolExecutor() as ex:\n"
        "        await loop.run_in_executor(ex, abs, x)\n"
        "        await loop.run_in_executor(None, abs, x)\n"
    )
    found = model.workers.run_in_executor_submissions
    assert len(found) == 1
    assert model.module.code_for_node(found[0].callable) == "abs"
    assert found[0].owner.name is KindName.EXECUTOR
    assert [model.module.code_for_node(a) for a in found[0].args or ()] == ["x"]
