from __future__ import annotations

from typing import Optional

import libcst as cst

from mplint import api_table
from mplint.diagnostics import Severity
from mplint.gates import FUTURES, PROCESSES, Gate, needs
from mplint.kinds import KindName
from mplint.model import FunctionNode, LocalVar, Model, Submission, Via, call_argument
from mplint.model.syntax import is_false_literal
from mplint.rule import Invalid, LintRule, Valid


class BlockingCallback(LintRule):
    """
    ## What it does
    Checks the callbacks of pool tasks (`callback=` and `error_callback=` of `apply_async`,
    `map_async` and `starmap_async`, on pools of processes or threads) and the done-callbacks of
    `ProcessPoolExecutor` futures (`future.add_done_callback`) for calls that block: waiting for another
    task's result (`get()`, `wait()`, `result()`), for a process, a pool (`apply`, `map`, `join`) or a
    queue item, `pool.terminate()`, `time.sleep()`, `input()`; and calls that wait on the outside
    world for as long as it takes: an HTTP request (`requests`, `httpx`, `urllib.request.urlopen`), a
    network connection, another program (`subprocess.run()`, `check_output()`, `os.system()`), a walk
    over a directory tree (`os.walk()`, `shutil.copytree()`, `shutil.rmtree()`). The functions of
    this module the callback calls are followed (three calls deep).

    It supersedes MPL304 on the same call: the wait inside the callback is the cause; turning
    the loop into `map()` would still block the result-handler thread.

    ## Why is this bad?
    Every callback of a pool runs in the pool's single result-handler thread
    (`multiprocessing/pool.py` `ApplyResult._set`). While it blocks, no other result is delivered: a
    callback waiting on another task's `get()` waits for a result that only its own thread could
    deliver, and both that callback and the main thread's `get()` **hang forever** (with a timeout:
    `multiprocessing.context.TimeoutError`). `pool.terminate()` from a callback deadlocks (cpython
    #87129), and an exception raised by a callback kills the result handler, so `get()` and `join()`
    then hang (cpython #83371). Done-callbacks of a `ProcessPoolExecutor` run in its result-manager
    thread, with the same effect.

    An HTTP upload or a `subprocess.run()` in a callback does not deadlock, but every other result
    waits behind it: a pool of eight workers delivers its results one network round trip (or one
    program run) at a time, and `get()`, `imap` and `join()` in the main thread wait as long.

    Quick work is fine and not reported: appending to a list, `dict.get(key)`, putting on an unbounded
    queue, logging, writing one file (its size cannot be known here). Taking a lock is not reported either: a short critical section around shared
    results is the usual way to collect them from a callback. Done-callbacks of a `ThreadPoolExecutor`
    are not checked: they run in the worker thread that finished the task (or at once in the caller,
    when the future is already done), not in a thread that delivers the other results.

    ## Example
    ```python
    slow = pool.apply_async(step2, (x,))

    def on_done(value):
        print(value, slow.get())

    pool.apply_async(step1, (x,), callback=on_done)
    ```

    Use instead:
    ```python
    def on_done(value):
        results.append(value)

    pool.apply_async(step1, (x,), callback=on_done)
    print(slow.get())  # wait in the main thread
    ```

    ## Fix safety
    There is no automatic fix: the waiting has to move out of the callback.

    ## References
    - [`Pool.apply_async`](https://docs.python.org/3/library/multiprocessing.html#multiprocessing.pool.Pool.apply_async):
      "Callbacks should complete immediately since otherwise the thread which handles the results will
      get blocked."
    - [cpython#83371](https://github.com/python/cpython/issues/83371),
      [cpython#87129](https://github.com/python/cpython/issues/87129)
    """

    CODE = "MPL305"
    GATE = Gate.of(needs(PROCESSES | FUTURES))
    NAME = "blocking-callback"
    MESSAGE = "`{call}` {what} inside callback `{callback}`; it blocks {thread}"
    SEVERITY = Severity.ERROR
    SUPERSEDES = frozenset({"MPL304"})

    VALID = [
        Valid(
            """
            from multiprocessing import Pool
            def f(x): return x
            results = []
            def on_done(value):
                results.append(value)
            def go():
                with Pool(2) as pool:
                    r = pool.apply_async(f, (1,), callback=on_done)
                    r.wait()
            """
        ),
        Valid(
            """
            from concurrent.futures import ThreadPoolExecutor
            import time
            def f(x): return x
            def later(fut):
                time.sleep(1)
            def go():
                with ThreadPoolExecutor() as ex:
                    ex.submit(f, 1).add_done_callback(later)
            """
        ),
    ]
    INVALID = [
        Invalid(
            """
            from multiprocessing import Pool
            def f(x): return x
            def go():
                with Pool(2) as pool:
                    slow = pool.apply_async(f, (2,))
                    def on_done(value):
                        print(value, slow.get())
                    pool.apply_async(f, (1,), callback=on_done).wait()
            """
        ),
        Invalid(
            """
            import time
            from multiprocessing import Pool
            def f(x): return x
            def go():
                with Pool(2) as pool:
                    pool.map_async(f, [1], callback=lambda r: time.sleep(5)).get()
            """
        ),
    ]

    def check(self) -> None:
        model = self.model
        for submission in model.submissions():
            if submission.via is not Via.CALLBACK:
                continue
            thread = self._thread(submission)
            if thread is None:
                continue
            root = model.names.resolve_function(submission.callable)
            if root is None:
                continue
            name = self._name(root, submission)
            for function in model.callgraph.reachable_functions(root):
                for call in model.callgraph.function_calls(function):
                    what = blocking_call(model, call)
                    if what is None or self._on_own_future(call, root):
                        continue
                    self.report(
                        call,
                        once=call,
                        call=self.snippet(call),
                        what=what,
                        callback=name,
                        thread=thread,
                    )

    def _on_own_future(self, call: cst.Call, root: FunctionNode) -> bool:
        """``future.result()`` on the done future a done-callback receives: it is ready."""
        func = call.func
        params = root.params.params
        return (
            isinstance(func, cst.Attribute)
            and isinstance(func.value, cst.Name)
            and bool(params)
            and self.model.binding_key(func.value) == LocalVar(root, params[0].name.value)
        )

    def _thread(self, submission: Submission) -> Optional[str]:
        """Which thread runs the callback; None when blocking there is harmless enough."""
        owner = submission.owner
        if owner.is_pool:
            return "the pool's result-handler thread"
        creator = owner.creator
        if creator is None:
            return None
        source = self.model.values.handle_owner(creator)
        if source is None or not source[1].is_executor or source[1].uses_threads:
            return None  # a thread executor runs it in the worker thread that finished the task
        return "the executor's result-manager thread"

    def _name(self, function: FunctionNode, submission: Submission) -> str:
        if isinstance(function, cst.FunctionDef):
            return function.name.value
        return self.snippet(submission.callable)


# --- helpers of this rule ---
#: Functions that wait on the network, on another program or on a whole directory tree, by qualified
#: name: as long as a ``sleep()`` of unknown length in the thread that runs the callback.
_IO_CALLS: dict[str, str] = {
    **{
        f"{module}.{verb}": "waits for an HTTP request"
        for module in ("requests", "httpx")
        for verb in ("get", "post", "put", "patch", "delete", "head", "options", "request")
    },
    "urllib.request.urlopen": "waits for an HTTP request",
    "urllib.request.urlretrieve": "waits for a download",
    "socket.create_connection": "waits for a network connection",
    "smtplib.SMTP": "waits for a mail server",
    "subprocess.run": "waits for another program",
    "subprocess.call": "waits for another program",
    "subprocess.check_call": "waits for another program",
    "subprocess.check_output": "waits for another program",
    "os.system": "waits for another program",
    "os.walk": "scans a directory tree",
    "shutil.copytree": "copies a directory tree",
    "shutil.rmtree": "deletes a directory tree",
}


def blocking_call(model: Model, call: cst.Call) -> Optional[str]:
    """What ``call`` waits for, when it may block its thread for long: a task's result, a future, a
    process, a pool, a queue item, an event, a timer, the console. None otherwise or unknown."""
    qual = model.qualname(call.func)
    if qual == "time.sleep":
        return "sleeps"
    if qual == "builtins.input":
        return "waits for console input"
    if qual == "concurrent.futures.wait":
        return "waits for futures"
    if qual is not None and qual in _IO_CALLS:
        return _IO_CALLS[qual]
    found = model.method_call(call)
    if found is None:
        return None
    kind, method = found
    name = kind.name
    if name is KindName.ASYNC_RESULT and method in ("get", "wait"):
        return "waits for another task's result"
    if name is KindName.MAP_ITERATOR and method in ("next", "__next__"):
        return "waits for another task's result"
    if name is KindName.FUTURE and method in ("result", "exception"):
        return "waits for a future"
    if kind.is_pool and method in ("apply", "map", "starmap", "join"):
        return f"waits for the pool (`{method}()`)"
    if kind.is_pool and method == "terminate":
        return "terminates the pool from a callback, which deadlocks"
    if kind.is_executor and method == "shutdown":
        wait = call_argument(call, 0, "wait")
        if not is_false_literal(wait):
            return "waits for the executor to shut down"
    if (kind.is_process or kind.is_thread) and method == "join":
        return f"waits for a {name.value} to end"
    if (
        api_table.is_queue_kind_name(name)
        and method == "get"
        and model.exceptions.queue_call_raises(call) is None
    ):
        return "waits for a queue item"
    if name is KindName.JOINABLE_QUEUE and method == "join":
        return "waits for a queue to be drained"
    if name in (KindName.EVENT, KindName.BARRIER) and method == "wait":
        timeout = call_argument(call, 0, "timeout")
        if timeout is None:
            return "waits for an Event" if name is KindName.EVENT else "waits at a Barrier"
    return None
