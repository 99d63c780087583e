"""A bounded map that threads share, least recently used first out: what a process that lints edit after
edit keeps from one lint to the next (parsed pieces, generated code, the facts of statements)."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, Optional, TypeVar

__all__ = ["BoundedCache"]

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class BoundedCache(Generic[K, V]):
    """At most ``max_entries`` values by key; a value read or stored becomes the most recently used, and
    storing one more than the bound drops the least recently used. Safe to share between threads: a
    value is computed outside the lock, so two threads may compute the same one (the later is kept)."""

    def __init__(self, max_entries: int) -> None:
        self.max_entries = max_entries
        self._entries: OrderedDict[K, V] = OrderedDict()
        self._lock = threading.Lock()
        #: reads that found their key, and values computed for a key that was not there
        self.hits = 0
        self.misses = 0

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, key: K, compute: Callable[[K], V]) -> V:
        """The value kept for ``key``; else ``compute(key)``, kept (an exception it raises keeps
        nothing)."""
        with self._lock:
            if key in self._entries:
                self._entries.move_to_end(key)
                self.hits += 1
                return self._entries[key]
        value = compute(key)
        with self._lock:
            self.misses += 1
            self._store(key, value)
        return value

    def find(self, key: K) -> Optional[V]:
        """The value kept for ``key`` (None when there is none), without computing one."""
        with self._lock:
            if key not in self._entries:
                return None
            self._entries.move_to_end(key)
            return self._entries[key]

    def put(self, key: K, value: V) -> None:
        with self._lock:
            self._store(key, value)

    def _store(self, key: K, value: V) -> None:
        self._entries[key] = value
        self._entries.move_to_end(key)
        while len(self._entries) > self.max_entries:
            self._entries.popitem(last=False)
