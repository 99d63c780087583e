"""Kinds: what the semantic model knows an expression to be."""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Optional

if TYPE_CHECKING:  # libcst is imported only when a file is parsed
    import libcst as cst

__all__ = ["SEMLOCK_KINDS", "Kind", "KindName", "agree"]


class KindName(str, enum.Enum):
    PROCESS = "Process"
    THREAD = "Thread"
    POOL = "Pool"
    THREAD_POOL = "ThreadPool"
    EXECUTOR = "ProcessPoolExecutor"
    THREAD_EXECUTOR = "ThreadPoolExecutor"
    FUTURE = "Future"
    ASYNC_RESULT = "AsyncResult"
    MAP_ITERATOR = "MapIterator"
    QUEUE = "Queue"
    JOINABLE_QUEUE = "JoinableQueue"
    SIMPLE_QUEUE = "SimpleQueue"
    LOCK = "Lock"
    RLOCK = "RLock"
    SEMAPHORE = "Semaphore"
    BOUNDED_SEMAPHORE = "BoundedSemaphore"
    CONDITION = "Condition"
    EVENT = "Event"
    BARRIER = "Barrier"
    VALUE = "Value"
    ARRAY = "Array"
    RAW_VALUE = "RawValue"
    RAW_ARRAY = "RawArray"
    MANAGER = "Manager"
    DICT = "dict"
    LIST = "list"
    NAMESPACE = "Namespace"
    PIPE = "Pipe"
    CONNECTION = "Connection"
    CONTEXT = "Context"
    THREAD_QUEUE = "queue.Queue"
    THREAD_LOCK = "threading.Lock"
    # Containers built by the user: a list (or tuple) whose items have one kind.
    SEQUENCE = "sequence"
    TUPLE = "tuple"
    # A dict built by the user whose values have one kind (``item``).
    MAPPING = "mapping"


_THREAD_FAMILIES = frozenset({"multiprocessing.dummy", "threading"})
_LOCK_LIKE = frozenset(
    {
        KindName.LOCK,
        KindName.RLOCK,
        KindName.SEMAPHORE,
        KindName.BOUNDED_SEMAPHORE,
        KindName.CONDITION,
    }
)
_QUEUES = frozenset({KindName.QUEUE, KindName.JOINABLE_QUEUE, KindName.SIMPLE_QUEUE})
#: Objects that hold a named semaphore (``multiprocessing.synchronize.SemLock``): the locks, events,
#: barriers, queues and (synchronised) shared ctypes. Pickling one for a child process passes the
#: semaphore's name (``SemLock.__getstate__``): a fork context's objects refuse to go to a spawn or
#: forkserver child, and the child's copy needs the parent's object alive until it has attached.
SEMLOCK_KINDS = frozenset(
    {
        *_LOCK_LIKE,
        KindName.EVENT,
        KindName.BARRIER,
        *_QUEUES,
        KindName.VALUE,
        KindName.ARRAY,
    }
)


@dataclass(frozen=True)
class Kind:
    """An abstract value: what an expression is known to be.

    ``family`` is the library that made it (``multiprocessing``, ``multiprocessing.dummy``, ``billiard`` …),
    ``method`` the start method of the context that made it when that is explicit, ``cls`` the user class for
    instances of a subclass, ``item`` the kind of the elements of a sequence, ``items`` those of a tuple,
    ``proxy`` is true for objects served by a Manager, ``creator`` is the call that created it (when a
    single call did), and ``role`` says which end of a one-way pipe a ``Connection`` is.
    """

    name: KindName
    family: str = "multiprocessing"
    method: Optional[str] = None
    cls: Optional[str] = None
    item: Optional[Kind] = None
    items: tuple[Optional[Kind], ...] = ()
    proxy: bool = False
    creator: Optional[cst.Call] = field(default=None, compare=False, hash=False, repr=False)
    #: For a ``Connection`` returned by ``Pipe(duplex=False)``: ``"read"`` (the first end) or ``"write"``.
    role: Optional[str] = field(default=None, compare=False, hash=False)

    def with_creator(self, call: cst.Call) -> Kind:
        return replace(self, creator=call)

    @property
    def uses_threads(self) -> bool:
        """True for objects of ``threading``/``multiprocessing.dummy``: no child process involved."""
        return self.family in _THREAD_FAMILIES or self.name in (
            KindName.THREAD,
            KindName.THREAD_POOL,
            KindName.THREAD_EXECUTOR,
            KindName.THREAD_QUEUE,
            KindName.THREAD_LOCK,
        )

    @property
    def is_process(self) -> bool:
        return self.name is KindName.PROCESS and not self.uses_threads

    @property
    def is_thread(self) -> bool:
        return self.name is KindName.THREAD

    @property
    def is_pool(self) -> bool:
        """A ``multiprocessing`` style pool, of processes or of threads."""
        return self.name in (KindName.POOL, KindName.THREAD_POOL) and not self.proxy

    @property
    def is_process_pool(self) -> bool:
        return self.name is KindName.POOL and not self.proxy and not self.uses_threads

    @property
    def is_executor(self) -> bool:
        return self.name in (KindName.EXECUTOR, KindName.THREAD_EXECUTOR)

    @property
    def is_lock_like(self) -> bool:
        return self.name in _LOCK_LIKE

    @property
    def is_queue(self) -> bool:
        return self.name in _QUEUES

    @property
    def process_library(self) -> Optional[str]:
        """The module whose process bookkeeping (``current_process()``, its ``daemon`` flag) starts this
        object's processes: ``multiprocessing`` (also for ``torch.multiprocessing`` and
        ``concurrent.futures``), ``multiprocess`` or ``billiard``; None for threads."""
        if self.uses_threads:
            return None
        if self.family in ("multiprocess", "billiard"):
            return self.family
        return "multiprocessing"

    @property
    def pickles_with_dill(self) -> bool:
        """``multiprocess`` serialises with dill: lambdas and closures travel fine.

        ``billiard`` does not: its ``reduction.ForkingPickler`` subclasses the standard
        ``pickle.Pickler`` and its pool loads tasks with ``pickle.loads`` (``billiard/common.py``), so
        lambdas and local functions fail there as in ``multiprocessing``.
        """
        return self.family == "multiprocess"

    def describe(self) -> str:
        if self.name is KindName.SEQUENCE and self.item is not None:
            return f"list of {self.item.describe()}"
        if self.name is KindName.MAPPING and self.item is not None:
            return f"dict of {self.item.describe()}"
        prefix = "Manager " if self.proxy else ""
        return prefix + self.name.value


def agree(kinds: Iterable[Optional[Kind]]) -> Optional[Kind]:
    """The kind when every source agrees on its name, else None."""
    first: Optional[Kind] = None
    for kind in kinds:
        if kind is None:
            return None
        if first is None:
            first = kind
        elif kind.name is not first.name or kind.proxy != first.proxy:
            return None
        elif kind.role != first.role:
            first = replace(first, role=None)  # ends of different roles: the role is unknown
    return first
