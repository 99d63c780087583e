"""The lint jobs of documents and notebooks (mplint/server/lint.py ``Jobs``): a newer job replaces one that
has not started its lint, never one that has; a URI's jobs run one at a time; closing cancels."""

from __future__ import annotations

import asyncio

import pytest

pytest.importorskip("pygls")  # the server's extra

from mplint.server.lint import Jobs

pytestmark = pytest.mark.asyncio


async def test_a_newer_job_replaces_one_that_has_not_started() -> None:
    jobs = Jobs()
    done: list[str] = []

    async def job(name: str) -> None:
        await asyncio.sleep(0.01)
        done.append(name)

    first = jobs.schedule("file:///a.py", job("first"))
    second = jobs.schedule("file:///a.py", job("second"))
    other = jobs.schedule("file:///b.py", job("other"))
    await asyncio.gather(second, other)
    assert first.cancelled()
    assert sorted(done) == ["other", "second"]


async def test_a_started_job_runs_to_its_end_and_the_next_waits_for_it() -> None:
    jobs = Jobs()
    events: list[str] = []
    linting = asyncio.Event()
    release = asyncio.Event()

    async def job(name: str) -> None:
        async with jobs.lock("file:///a.py"):
            with jobs.started():
                events.append(f"{name} starts")
                linting.set()
                await release.wait()
                events.append(f"{name} ends")

    first = jobs.schedule("file:///a.py", job("first"))
    await linting.wait()
    second = jobs.schedule("file:///a.py", job("second"))
    await asyncio.sleep(0.01)
    assert events == ["first starts"]  # the second waits for the lock
    release.set()
    await asyncio.gather(first, second)
    assert not first.cancelled()
    assert events == ["first starts", "first ends", "second starts", "second ends"]


async def test_forget_and_stop_cancel() -> None:
    jobs = Jobs()
    forgotten = jobs.schedule("file:///a.py", asyncio.sleep(10))
    stopped = jobs.schedule("file:///b.py", asyncio.sleep(10))
    jobs.forget("file:///a.py")
    jobs.stop()
    for task in (forgotten, stopped):
        with pytest.raises(asyncio.CancelledError):
            await task
