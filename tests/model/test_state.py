"""Module and instance state, and held locks (:mod:`mplint.model.state`)."""

from __future__ import annotations

import libcst as cst

from .support import def_named, model_of, source_of


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
