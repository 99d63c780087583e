"""The model's fact tables, entry by entry, through the public lint API.

Each table of facts the model knows about the standard library (the methods that change a container in
place, the names of the timeout exceptions …) is written out literally here, and each entry gets one tiny
program whose diagnostic depends on that entry: dropping an entry from the code fails its test. The
programs go through ``mplint.engine.lint_source`` only, never through the model's internals, so they
survive any reorganisation of the model.
"""

from __future__ import annotations

import textwrap
from typing import Optional

import pytest

from mplint.config import Config
from mplint.engine import lint_source


def reports(code: str, source: str, target_version: Optional[str] = None) -> list[tuple[int, str]]:
    """(line, code) of the diagnostics of rule ``code`` on ``source``."""
    config = Config(select=(code,), preview=True, target_version=target_version)
    found = lint_source("case.py", textwrap.dedent(source), config, raise_errors=True)
    return sorted((d.line, d.code) for d in found)


# --- methods that change a list, dict, set, deque or bytearray in place ------------------------------------
#: (method, a call of it): every method the model counts as an in-place change.
MUTATING_CALLS = [
    ("append", "append(1)"),
    ("appendleft", "appendleft(1)"),
    ("extend", "extend([1])"),
    ("extendleft", "extendleft([1])"),
    ("insert", "insert(0, 1)"),
    ("update", "update({'a': 1})"),
    ("add", "add(1)"),
    ("discard", "discard(1)"),
    ("remove", "remove(1)"),
    ("pop", "pop()"),
    ("popitem", "popitem()"),
    ("popleft", "popleft()"),
    ("clear", "clear()"),
    ("setdefault", "setdefault('a', 1)"),
    ("sort", "sort()"),
    ("reverse", "reverse()"),
    ("rotate", "rotate(1)"),
    ("difference_update", "difference_update({1})"),
    ("intersection_update", "intersection_update({1})"),
    ("symmetric_difference_update", "symmetric_difference_update({1})"),
]
MUTATING_IDS = [method for method, _ in MUTATING_CALLS]


@pytest.mark.parametrize(("method", "call"), MUTATING_CALLS, ids=MUTATING_IDS)
def test_mutating_method_of_a_value_in_a_manager_dict(method: str, call: str) -> None:
    # MPL403: the value read from the proxy is a copy; changing it in place loses the change.
    source = f"""\
        from multiprocessing import Manager

        def main():
            with Manager() as manager:
                shared = manager.dict()
                shared["k"].{call}
        """
    assert reports("MPL403", source) == [(6, "MPL403")], method


@pytest.mark.parametrize(("method", "call"), MUTATING_CALLS, ids=MUTATING_IDS)
def test_mutating_method_of_a_parent_container_in_a_child(method: str, call: str) -> None:
    # MPL404: the child changes its own copy of the parent's list, and the parent reads it afterwards.
    source = f"""\
        from multiprocessing import Process

        state = []

        def work():
            state.{call}

        if __name__ == "__main__":
            p = Process(target=work)
            p.start()
            p.join()
            print(state)
        """
    assert reports("MPL404", source) == [(6, "MPL404")], method


@pytest.mark.parametrize(
    "method", ["get", "copy", "count", "index", "keys", "items", "values", "union"]
)
def test_reading_method_is_not_a_mutation(method: str) -> None:
    source = f"""\
        from multiprocessing import Manager

        def main():
            with Manager() as manager:
                shared = manager.dict()
                shared["k"].{method}()
        """
    assert reports("MPL403", source) == []


# --- mutable container types -------------------------------------------------------------------------------
#: (constructor as written, a change in place): every type the model counts as a plain mutable container.
CONTAINER_TYPES = [
    ("list()", "state.append(1)"),
    ("dict()", "state['a'] = 1"),
    ("set()", "state.add(1)"),
    ("bytearray()", "state.append(1)"),
    ("collections.defaultdict(list)", "state['a'] = 1"),
    ("collections.OrderedDict()", "state['a'] = 1"),
    ("collections.Counter()", "state['a'] += 1"),
    ("collections.deque()", "state.append(1)"),
]


@pytest.mark.parametrize(
    ("constructor", "change"), CONTAINER_TYPES, ids=[c for c, _ in CONTAINER_TYPES]
)
def test_container_type_changed_in_a_child(constructor: str, change: str) -> None:
    source = f"""\
        import collections
        from multiprocessing import Process

        state = {constructor}

        def work():
            {change}

        if __name__ == "__main__":
            p = Process(target=work)
            p.start()
            p.join()
            print(state)
        """
    assert reports("MPL404", source) == [(7, "MPL404")], constructor


# --- methods that store their argument in the container they are called on --------------------------------
#: (method, how the container is made, the call, where HANDLE stands for the handle it stores).
STORING_CALLS = [
    ("append", "[]", "append(HANDLE)"),
    ("appendleft", "collections.deque()", "appendleft(HANDLE)"),
    ("add", "set()", "add(HANDLE)"),
    ("insert", "[]", "insert(0, HANDLE)"),
    ("extend", "[]", "extend(HANDLE)"),
    ("put", "queue.Queue()", "put(HANDLE)"),
    ("put_nowait", "queue.Queue()", "put_nowait(HANDLE)"),
]


@pytest.mark.parametrize(
    ("method", "container", "call"), STORING_CALLS, ids=[m for m, _, _ in STORING_CALLS]
)
def test_handle_stored_in_a_container_never_read(method: str, container: str, call: str) -> None:
    # MPL303: the handle is kept in a container that is never read, so its error is never seen.
    # Were the method not known to store, the handle would count as passed to a function (silent).
    store = call.replace("HANDLE", "pool.apply_async(work, (1,))")
    source = f"""\
        import collections
        import queue
        from multiprocessing import Pool

        def work(x):
            return x

        def main():
            handles = {container}
            with Pool(2) as pool:
                handles.{store}
        """
    assert reports("MPL303", source) == [(11, "MPL303")], method


# --- pool and executor methods that hand back a handle on queued work --------------------------------------
#: (method, a dropped call of it on ``pool`` or ``ex``).
HANDLE_CALLS = [
    ("apply_async", "pool.apply_async(work, (1,))"),
    ("map_async", "pool.map_async(work, [1])"),
    ("starmap_async", "pool.starmap_async(work, [(1,)])"),
    ("imap", "pool.imap(work, [1])"),
    ("imap_unordered", "pool.imap_unordered(work, [1])"),
    ("submit", "ex.submit(work, 1)"),
    ("map", "ex.map(work, [1])"),
]


@pytest.mark.parametrize(("method", "call"), HANDLE_CALLS, ids=[m for m, _ in HANDLE_CALLS])
def test_dropped_handle(method: str, call: str) -> None:
    source = f"""\
        from concurrent.futures import ProcessPoolExecutor
        from multiprocessing import Pool

        def work(x):
            return x

        def main():
            with Pool(2) as pool, ProcessPoolExecutor() as ex:
                {call}
        """
    assert reports("MPL303", source) == [(9, "MPL303")], method


def test_pool_map_is_not_a_handle() -> None:
    source = """\
        from multiprocessing import Pool

        def work(x):
            return x

        def main():
            with Pool(2) as pool:
                pool.map(work, [1])
        """
    assert reports("MPL303", source) == []


# --- names of the other libraries' TimeoutError -------------------------------------------------------------
#: (qualified name, how the program imports it, how the handler spells it): every name the model knows
#: as the builtin TimeoutError or as concurrent.futures' TimeoutError.
TIMEOUT_NAMES = [
    ("builtins.TimeoutError", "", "TimeoutError"),
    ("asyncio.TimeoutError", "import asyncio", "asyncio.TimeoutError"),
    (
        "asyncio.exceptions.TimeoutError",
        "import asyncio.exceptions",
        "asyncio.exceptions.TimeoutError",
    ),
    ("socket.timeout", "import socket", "socket.timeout"),
    (
        "concurrent.futures.TimeoutError",
        "import concurrent.futures",
        "concurrent.futures.TimeoutError",
    ),
    (
        "concurrent.futures._base.TimeoutError",
        "from concurrent.futures._base import TimeoutError as FuturesTimeout",
        "FuturesTimeout",
    ),
]


@pytest.mark.parametrize(
    ("name", "imports", "spelled"), TIMEOUT_NAMES, ids=[n for n, _, _ in TIMEOUT_NAMES]
)
def test_pool_timeout_handled_by_another_timeout_error(
    name: str, imports: str, spelled: str
) -> None:
    # MPL308: AsyncResult.get(timeout) raises multiprocessing.TimeoutError, which none of these catch.
    source = f"""\
        import multiprocessing as mp
        {imports}

        def main():
            with mp.Pool(2) as pool:
                res = pool.apply_async(abs, (-1,))
                try:
                    return res.get(timeout=5)
                except {spelled}:
                    return None
        """
    assert reports("MPL308", source) == [(9, "MPL308")], name


@pytest.mark.parametrize(
    ("name", "imports", "spelled"), TIMEOUT_NAMES[:4], ids=[n for n, _, _ in TIMEOUT_NAMES[:4]]
)
def test_futures_timeout_before_311_handled_by_the_builtin(
    name: str, imports: str, spelled: str
) -> None:
    # Before Python 3.11, concurrent.futures.TimeoutError is not the builtin TimeoutError (nor its
    # aliases); from 3.11 on it is, and the same handler is right.
    source = f"""\
        from concurrent.futures import ProcessPoolExecutor
        {imports}

        def main():
            with ProcessPoolExecutor() as ex:
                fut = ex.submit(abs, -1)
                try:
                    return fut.result(timeout=5)
                except {spelled}:
                    return None
        """
    assert reports("MPL308", source, target_version="py310") == [(9, "MPL308")], name
    assert reports("MPL308", source, target_version="py311") == [], name


# --- modules whose context managers are not locks -----------------------------------------------------------
#: (module, how the program imports it, a context manager from it).
NOT_LOCK_CONTEXTS = [
    ("builtins", "", "open('log.txt', 'a')"),
    ("contextlib", "import contextlib", "contextlib.suppress(KeyError)"),
    ("tempfile", "import tempfile", "tempfile.TemporaryDirectory()"),
    ("warnings", "import warnings", "warnings.catch_warnings()"),
    ("io", "import io", "io.StringIO()"),
    ("os", "import os", "os.scandir('.')"),
    ("pathlib", "import pathlib", "pathlib.Path.open(pathlib.Path('log.txt'), 'a')"),
    # time has no context manager of its own: a stand-in for one (a timer helper), all the same
    ("time", "import time", "time.perf_counter_ns()"),
    ("unittest", "import unittest.mock", "unittest.mock.patch('os.getpid')"),
]


@pytest.mark.parametrize(
    ("module", "imports", "context"), NOT_LOCK_CONTEXTS, ids=[m for m, _, _ in NOT_LOCK_CONTEXTS]
)
def test_update_under_a_context_manager_that_is_not_a_lock(
    module: str, imports: str, context: str
) -> None:
    # MPL402: an unknown context manager might be a lock (silent); these modules' are known not to be.
    source = f"""\
        from multiprocessing import Process, Value
        {imports}

        def work(counter):
            with {context}:
                counter.value += 1

        if __name__ == "__main__":
            counter = Value("i", 0)
            for _ in range(4):
                Process(target=work, args=(counter,)).start()
        """
    assert reports("MPL402", source) == [(6, "MPL402")], module


def test_update_under_an_unknown_context_manager_is_silent() -> None:
    source = """\
        from multiprocessing import Process, Value
        from mylocks import file_lock

        def work(counter):
            with file_lock("counter"):
                counter.value += 1

        if __name__ == "__main__":
            counter = Value("i", 0)
            for _ in range(4):
                Process(target=work, args=(counter,)).start()
        """
    assert reports("MPL402", source) == []


# --- builtins whose result is not callable, and modules whose functions build callables ---------------------
NON_CALLABLE_BUILTINS = [
    "print", "len", "int", "float", "str", "bytes", "bool", "list", "dict", "tuple", "set", "frozenset",
    "sum", "max", "min", "sorted", "range", "input", "open", "abs", "round", "repr", "format",
    "enumerate", "zip", "iter", "next", "any", "all", "hash", "id",
]  # fmt: skip


@pytest.mark.parametrize("builtin", NON_CALLABLE_BUILTINS)
def test_target_is_the_result_of_a_builtin(builtin: str) -> None:
    # MPL101: the builtin runs in the parent and its result (never callable) becomes the target.
    source = f"""\
        from multiprocessing import Process

        def main(data):
            return Process(target={builtin}(data))
        """
    assert reports("MPL101", source) == [(4, "MPL101")], builtin


@pytest.mark.parametrize(
    "factory",
    ["functools.partial(work, 1)", "operator.itemgetter(0)", "operator.methodcaller('x')"],
)
def test_target_built_by_a_callable_factory_is_silent(factory: str) -> None:
    source = f"""\
        import functools
        import operator
        from multiprocessing import Process

        def work(n):
            return n

        def main():
            return Process(target={factory})
        """
    assert reports("MPL101", source) == []


# --- decorators that write an __init__ of their own ---------------------------------------------------------
INIT_WRITING_DECORATORS = [
    ("dataclasses.dataclass", "import dataclasses"),
    ("attr.s", "import attr"),
    ("attr.attrs", "import attr"),
    ("attr.define", "import attr"),
    ("attr.mutable", "import attr"),
    ("attr.frozen", "import attr"),
    ("attr.dataclass", "import attr"),
    ("attrs.define", "import attrs"),
    ("attrs.mutable", "import attrs"),
    ("attrs.frozen", "import attrs"),
]


@pytest.mark.parametrize(
    ("decorator", "imports"), INIT_WRITING_DECORATORS, ids=[d for d, _ in INIT_WRITING_DECORATORS]
)
def test_process_subclass_with_a_generated_init(decorator: str, imports: str) -> None:
    # MPL109: the generated __init__ never calls Process.__init__().
    source = f"""\
        from multiprocessing import Process
        {imports}

        @{decorator}
        class Job(Process):
            n: int = 0
        """
    assert reports("MPL109", source) == [(5, "MPL109")], decorator
    called = source.replace("@", "# @")
    assert reports("MPL109", called) == [], "without the decorator, Process.__init__ is inherited"


# --- context managers that expect an exception --------------------------------------------------------------
RAISES_CONTEXTS = [
    ("raises", "pytest.raises(AssertionError)"),
    ("assertRaises", "self.assertRaises(AssertionError)"),
    ("assertRaisesRegex", "self.assertRaisesRegex(AssertionError, 'twice')"),
    ("assertRaisesRegexp", "self.assertRaisesRegexp(AssertionError, 'twice')"),
]


@pytest.mark.parametrize(("name", "context"), RAISES_CONTEXTS, ids=[n for n, _ in RAISES_CONTEXTS])
def test_second_start_where_the_error_is_expected(name: str, context: str) -> None:
    # MPL103 is silent where a test expects the AssertionError of the second start().
    source = f"""\
        import pytest
        from multiprocessing import Process

        def poll():
            pass

        def check(self):
            p = Process(target=poll)
            p.start()
            with {context}:
                p.start()
        """
    assert reports("MPL103", source) == [], name
    unexpected = source.replace(f"with {context}:", "if True:")
    assert reports("MPL103", unexpected) == [(11, "MPL103")]


# --- process-global random generators -----------------------------------------------------------------------
#: (how the parent seeds the generator, how the worker draws from it).
GLOBAL_SEEDS = [
    ("np.random.seed(1)", "np.random.rand()"),
    ("random.seed(1)", "random.random()"),
    ("torch.manual_seed(1)", "torch.rand(1)"),
    ("torch.random.manual_seed(1)", "torch.rand(1)"),
    ("torch.seed()", "torch.rand(1)"),
]
#: Functions of the generators' modules that do not draw from the global state. (The model also takes
#: any capitalised name for a class, not a draw: removing a class from its table changes nothing.)
NOT_DRAWING = [
    "np.random.default_rng(0)",
    "np.random.Generator(np.random.PCG64(0))",
    "np.random.RandomState(0)",
    "np.random.SeedSequence(0)",
    "np.random.BitGenerator(0)",
    "np.random.PCG64(0)",
    "np.random.PCG64DXSM(0)",
    "np.random.MT19937(0)",
    "np.random.Philox(0)",
    "np.random.SFC64(0)",
    "np.random.get_state()",
    "np.random.set_state(x)",
    "np.random.get_bit_generator()",
    "np.random.set_bit_generator(x)",
    "random.Random(0)",
    "random.SystemRandom()",
    "random.getstate()",
    "random.setstate(x)",
]
TORCH_DRAWS = [
    "rand(1)",
    "randn(1)",
    "randint(0, 9, (1,))",
    "randperm(3)",
    "rand_like(x)",
    "randn_like(x)",
    "randint_like(x, 9)",
    "normal(0.0, 1.0, (1,))",
    "bernoulli(x)",
    "multinomial(x, 1)",
    "poisson(x)",
]


def _seeded_in_parent(seed: str, draw: str) -> str:
    return f"""\
        import multiprocessing as mp
        import random
        import numpy as np
        import torch

        def work(x):
            return {draw}

        if __name__ == "__main__":
            {seed}
            with mp.get_context("spawn").Pool(2) as pool:
                print(pool.map(work, [1, 2]))
        """


@pytest.mark.parametrize(("seed", "draw"), GLOBAL_SEEDS, ids=[s for s, _ in GLOBAL_SEEDS])
def test_global_generator_seeded_in_the_parent(seed: str, draw: str) -> None:
    # MPL208: the seed stays in the parent; the children draw from their own unseeded copies.
    assert reports("MPL208", _seeded_in_parent(seed, draw)) == [(10, "MPL208")], seed


@pytest.mark.parametrize("call", NOT_DRAWING)
def test_worker_that_does_not_draw_from_the_global_generator(call: str) -> None:
    seed = "random.seed(1)" if call.startswith("random.") else "np.random.seed(1)"
    assert reports("MPL208", _seeded_in_parent(seed, call)) == [], call


@pytest.mark.parametrize("draw", TORCH_DRAWS)
def test_worker_that_draws_from_torch(draw: str) -> None:
    source = _seeded_in_parent("torch.manual_seed(1)", f"torch.{draw}")
    assert reports("MPL208", source) == [(10, "MPL208")], draw
