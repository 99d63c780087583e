"""Where lints and fixes run: a small pool of worker processes, with threads as the fallback.

Lints and fix-alls run in a small pool of worker processes (``spawn``), so the event loop keeps answering
hover and code actions while a large file is linted (libcst's native parser holds the GIL for a whole parse,
so a thread would stall it), and a crash in native code costs a worker, not the server: the pool is replaced
and the job retried once. Where processes cannot be started, threads are used instead.
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
from typing import Any, Callable, TypeVar

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


def _make_executor() -> Executor:
    """Worker processes running the engine's own functions (they never import pygls)."""
    try:
        return ProcessPoolExecutor(
            max_workers=WORKERS,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=start_worker,
        )
    except (ImportError, OSError, NotImplementedError, ValueError) as error:
        log.warning("cannot start worker processes (%s); linting in threads", error)
        return _threads()


class Workers:
    """The pool the server's jobs run in; ``warn`` tells the client when the pool is replaced."""

    def __init__(self, warn: Callable[[str], None]) -> None:
        self._warn = warn
        self._executor = _make_executor()
        self._ran = False  # once a job has run, a broken pool is a crash, not the platform

    def warm_up(self) -> None:
        """Start the workers and load the engine before the first lint."""
        with contextlib.suppress(Exception):  # a pool that cannot start shows up in ``run``
            for _ in range(WORKERS):
                future = self._executor.submit(lint_source, "warm-up.py", _WARM_UP, Config())
                future.add_done_callback(self._warmed_up)

    def _warmed_up(self, future: Future[list[Diagnostic]]) -> None:
        if not future.cancelled() and future.exception() is None:
            self._ran = True  # a later crash is the document's, not the platform's

    def stop(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)

    async def run(self, function: Callable[..., _T], *args: Any) -> _T:
        """``function(*args)`` in a worker; a dead worker pool is replaced and the job tried once more.

        Where worker processes never manage to run a job (a platform without working ``spawn``), the
        server switches to threads for good.
        """
        loop = asyncio.get_running_loop()
        for _ in range(2):
            executor = self._executor
            try:
                result = await loop.run_in_executor(executor, function, *args)
            except (BrokenExecutor, OSError) as error:
                if executor is self._executor:  # the first job to notice replaces the pool
                    executor.shutdown(wait=False, cancel_futures=True)
                    if self._ran:
                        self._executor = _make_executor()
                        self._warn("a worker process died; started a new one")
                    else:
                        self._executor = _threads()
                        self._warn(
                            f"worker processes do not start here ({error!r}); linting in threads"
                        )
                continue
            self._ran = True
            return result
        raise WorkerDied
