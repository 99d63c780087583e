"""Where lints and fixes run: a small pool of worker processes, with threads as the fallback.

Lints and fix-alls run in a small set of worker processes (``spawn``), so the event loop keeps answering
hover and code actions while a large file is linted (libcst's native parser holds the GIL for a whole parse,
so a thread would stall it), and a crash in native code costs a worker, not the server: the worker is
replaced and the job retried once. Where processes cannot be started, threads are used instead.

Each worker keeps what it parsed and generated for the texts it linted (``engine.use_chunk_cache``), so a
document's next version goes to the worker that linted the last one, when that worker is free: there only
the edited statements are parsed again, and only they are read again to decide which top-level definitions
the model can leave out (``mplint.incremental``). A busy worker is not waited for; the least busy one takes
the job.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import multiprocessing
import sys
import threading
from concurrent.futures import (
    BrokenExecutor,
    Executor,
    Future,
    ProcessPoolExecutor,
    ThreadPoolExecutor,
)
from typing import Any, Callable, Optional, TypeVar

from mplint.config import Config
from mplint.diagnostics import Diagnostic
from mplint.engine import lint_source, start_worker, use_chunk_cache

log = logging.getLogger(__name__)
_T = TypeVar("_T")

#: Lints and fixes run in this many worker processes (``spawn``). Not threads: libcst's native parser holds
#: the GIL for a whole parse (about a second for 10,000 lines), which would stall hover and code actions,
#: and a native crash would take the server down with it. Threads are the fallback where processes cannot
#: be started.
WORKERS = 2
# The engine raises the recursion limit around each parse and restores it afterwards; with several lint
# threads (the fallback) one thread's restore would cut another's parse short. The server raises it once.
_RECURSION_LIMIT = 6000
# Deep recursion in worker threads needs more than the platform's default thread stack (512 KiB on macOS).
_THREAD_STACK = 64 * 1024 * 1024
_WARM_UP = "import multiprocessing\n"


class WorkerDied(Exception):
    """The worker process died twice running one job (a native crash): the job is given up."""


def prepare_threads() -> None:
    """Make this process fit for lint threads (the fallback): once, before any thread starts."""
    if sys.getrecursionlimit() < _RECURSION_LIMIT:
        sys.setrecursionlimit(_RECURSION_LIMIT)
    with contextlib.suppress(ValueError, RuntimeError):  # platforms without a settable stack size
        threading.stack_size(_THREAD_STACK)


def _threads() -> Executor:
    use_chunk_cache()  # the lints run in this process now
    return ThreadPoolExecutor(max_workers=WORKERS, thread_name_prefix="mplint-lint")


def _process() -> Executor:
    """One worker process running the engine's own functions (it never imports pygls)."""
    return ProcessPoolExecutor(
        max_workers=1, mp_context=multiprocessing.get_context("spawn"), initializer=start_worker
    )


def _make_executors() -> list[Executor]:
    """``WORKERS`` single-process executors, or one pool of threads where processes cannot start."""
    try:
        return [_process() for _ in range(WORKERS)]
    except (ImportError, OSError, NotImplementedError, ValueError) as error:
        log.warning("cannot start worker processes (%s); linting in threads", error)
        return [_threads()]


class Workers:
    """Where the server's jobs run; ``warn`` tells the client when a worker is replaced."""

    def __init__(self, warn: Callable[[str], None]) -> None:
        self._warn = warn
        self._executors = _make_executors()
        self._busy = [0] * len(self._executors)
        self._last: dict[str, int] = {}  # a document's key -> the worker that ran its last job
        self._ran = False  # once a job has run, a broken worker is a crash, not the platform

    def warm_up(self) -> None:
        """Start the workers and load the engine before the first lint."""
        with contextlib.suppress(Exception):  # a worker that cannot start shows up in ``run``
            for executor in self._executors:
                future = executor.submit(lint_source, "warm-up.py", _WARM_UP, Config())
                future.add_done_callback(self._warmed_up)

    def _warmed_up(self, future: Future[list[Diagnostic]]) -> None:
        if not future.cancelled() and future.exception() is None:
            self._ran = True  # a later crash is the document's, not the platform's

    def stop(self) -> None:
        for executor in self._executors:
            executor.shutdown(wait=False, cancel_futures=True)

    def _choose(self, key: Optional[str]) -> int:
        """The worker that ran ``key``'s last job if it is free, else the least busy one."""
        last = self._last.get(key) if key is not None else None
        if last is not None and last < len(self._executors) and not self._busy[last]:
            return last
        return min(range(len(self._executors)), key=self._busy.__getitem__)

    def forget(self, key: str) -> None:
        """The document is closed: no worker is preferred for it any more."""
        self._last.pop(key, None)

    async def run(self, function: Callable[..., _T], *args: Any, key: Optional[str] = None) -> _T:
        """``function(*args)`` in a worker (the one that ran ``key``'s last job, if free); a dead worker
        is replaced and the job tried once more, on its replacement.

        Where worker processes never manage to run a job (a platform without working ``spawn``), the
        server switches to threads for good.
        """
        loop = asyncio.get_running_loop()
        index = self._choose(key)
        for _ in range(2):
            index = min(index, len(self._executors) - 1)  # the threads' fallback has one pool
            executor = self._executors[index]
            self._busy[index] += 1
            try:
                result = await loop.run_in_executor(executor, function, *args)
            except (BrokenExecutor, OSError) as error:
                self._replace(index, executor, error)
                continue
            finally:
                if index < len(self._busy):
                    self._busy[index] = max(0, self._busy[index] - 1)
            self._ran = True
            if key is not None:
                self._last[key] = index
            return result
        raise WorkerDied

    def _replace(self, index: int, executor: Executor, error: BaseException) -> None:
        """The worker ``executor`` broke: the first job to notice replaces it (or, where no worker
        process ever ran a job, every worker with threads)."""
        if index >= len(self._executors) or self._executors[index] is not executor:
            return  # already replaced
        executor.shutdown(wait=False, cancel_futures=True)
        if self._ran:
            with contextlib.suppress(ImportError, OSError, NotImplementedError, ValueError):
                self._executors[index] = _process()
                self._warn("a worker process died; started a new one")
                return
        for other in self._executors:
            other.shutdown(wait=False, cancel_futures=True)
        self._executors = [_threads()]
        self._busy = [0]
        self._last.clear()
        self._warn(f"worker processes do not start here ({error!r}); linting in threads")
