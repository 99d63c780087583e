"""Where the language server's jobs run (mplint/server/workers.py): a document's next version goes to the
worker that linted the last one, which kept its parsed pieces, unless that worker is busy."""

from __future__ import annotations

import asyncio
import threading
from concurrent.futures import Executor, ThreadPoolExecutor
from itertools import count

import pytest

pytest.importorskip("pygls")  # the server's extra

from mplint.server import workers as workers_module
from mplint.server.workers import Workers

pytestmark = pytest.mark.asyncio


@pytest.fixture
def pool(monkeypatch: pytest.MonkeyPatch) -> Workers:
    """Workers whose "processes" are single threads named worker-0, worker-1 …"""
    numbers = count()

    def one_thread() -> Executor:
        return ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"worker-{next(numbers)}")

    monkeypatch.setattr(workers_module, "_process", one_thread)
    monkeypatch.setattr(workers_module, "_make_executors", lambda: [one_thread() for _ in range(2)])
    return Workers(warn=lambda message: None)


def where() -> str:
    return threading.current_thread().name.rsplit("_", 1)[0]


async def test_a_documents_jobs_stay_on_one_worker(pool: Workers) -> None:
    first = await pool.run(where, key="file:///b.py")  # worker-0 is free: b.py goes there
    second = await pool.run(where, key="file:///a.py")
    assert first == second == "worker-0"  # both free: the least busy, the first
    gate = threading.Event()

    def blocked() -> str:
        gate.wait(10)
        return where()

    held = asyncio.ensure_future(pool.run(blocked, key="file:///a.py"))  # a.py holds worker-0
    await asyncio.sleep(0.05)
    assert await pool.run(where, key="file:///c.py") == "worker-1"
    assert await pool.run(where, key="file:///c.py") == "worker-1"  # stays, though worker-0 is free
    # a.py's worker is busy: its next job does not wait for it
    assert await pool.run(where, key="file:///a.py") == "worker-1"
    gate.set()
    assert await held == "worker-0"
    assert await pool.run(where, key="file:///c.py") == "worker-1"
    pool.forget("file:///c.py")
    assert await pool.run(where, key="file:///c.py") == "worker-0"
    pool.stop()


async def test_a_broken_worker_is_replaced_and_the_job_retried(pool: Workers) -> None:
    assert await pool.run(where, key="a") == "worker-0"
    dead = pool._executors[0]
    assert isinstance(dead, ThreadPoolExecutor)
    dead._broken = "killed"  # type: ignore[assignment]  # submitting raises, as to a dead process
    messages: list[str] = []
    pool._warn = messages.append
    assert await pool.run(where, key="a") == "worker-2"  # its replacement, in its place
    assert messages == ["a worker process died; started a new one"]
    assert await pool.run(where, key="b") == "worker-2"
    pool.stop()
