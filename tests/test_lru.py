"""The bounded cache the incremental parts share (:mod:`mplint.lru`)."""

from __future__ import annotations

import threading

import pytest

from mplint.lru import BoundedCache


def test_a_value_is_computed_once_and_then_found() -> None:
    cache: BoundedCache[str, int] = BoundedCache(4)
    computed: list[str] = []

    def length(key: str) -> int:
        computed.append(key)
        return len(key)

    assert cache.get("abc", length) == 3
    assert cache.get("abc", length) == 3
    assert computed == ["abc"]
    assert (cache.hits, cache.misses, len(cache)) == (1, 1, 1)


def test_none_is_a_value_kept_like_any_other() -> None:
    cache: BoundedCache[str, None] = BoundedCache(4)
    calls: list[str] = []
    for _ in range(3):
        assert cache.get("x", calls.append) is None
    assert calls == ["x"]
    assert (cache.hits, cache.misses) == (2, 1)


def test_the_least_recently_used_goes_first() -> None:
    cache: BoundedCache[int, int] = BoundedCache(2)
    cache.put(1, 10)
    cache.put(2, 20)
    assert cache.find(1) == 10  # 1 is now more recent than 2
    cache.put(3, 30)
    assert (cache.find(1), cache.find(2), cache.find(3)) == (10, None, 30)
    assert cache.get(2, lambda key: key * 100) == 200  # computed again, and 1 dropped in turn
    assert (cache.find(1), len(cache)) == (None, 2)


def test_an_exception_keeps_nothing() -> None:
    cache: BoundedCache[str, int] = BoundedCache(2)

    def fail(key: str) -> int:
        raise ValueError(key)

    with pytest.raises(ValueError, match="bad"):
        cache.get("bad", fail)
    assert (cache.find("bad"), len(cache), cache.misses) == (None, 0, 0)


def test_threads_share_it_within_its_bound() -> None:
    cache: BoundedCache[int, int] = BoundedCache(50)

    def work(offset: int) -> None:
        for key in range(200):
            assert cache.get((key + offset) % 120, lambda k: k * 2) == ((key + offset) % 120) * 2

    threads = [threading.Thread(target=work, args=(n * 7,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(cache) == 50
    assert cache.hits + cache.misses == 800
