"""What the multiprocessing family of libraries exports, as kinds of objects.

One table for every family: ``multiprocessing`` and the libraries that mirror its API
(``torch.multiprocessing``, ``multiprocess``, ``billiard``), ``multiprocessing.dummy`` (the same API on
threads), ``concurrent.futures``, and the thread-only ``threading`` and ``queue`` modules that some rules
compare against. The semantic model maps a qualified name to a :class:`~mplint.kinds.Kind` through here;
rules never compare spellings.
"""

from __future__ import annotations

from typing import Optional

from mplint.kinds import Kind, KindName

__all__ = [
    "FAMILY_ROOTS",
    "PREFILTER_WORDS",
    "constructor_kind",
    "context_attribute_kind",
    "could_have_findings",
    "method_result_kind",
]

#: Library roots that mirror the ``multiprocessing`` API, longest first.
FAMILY_ROOTS: tuple[str, ...] = (
    "torch.multiprocessing",
    "multiprocessing",
    "multiprocess",
    "billiard",
)

#: Names the text prefilter looks for: a file mentioning none of them cannot hold a finding.
PREFILTER_WORDS: tuple[bytes, ...] = (
    b"multiprocess",  # also matches multiprocessing
    b"concurrent",
    b"billiard",
    b"threading",
)
_PREFILTER_TEXT = tuple(word.decode() for word in PREFILTER_WORDS)


def could_have_findings(text: str) -> bool:
    """The text prefilter: a file naming none of the modules we model cannot produce a finding."""
    return any(word in text for word in _PREFILTER_TEXT)


_START_METHODS = frozenset({"fork", "spawn", "forkserver"})

#: The synchronisation primitives multiprocessing, a manager, multiprocessing.dummy and threading all
#: export under the same names.
SYNC_PRIMITIVES = (
    "Lock",
    "RLock",
    "Semaphore",
    "BoundedSemaphore",
    "Condition",
    "Event",
    "Barrier",
)

# Names exported by multiprocessing (and by a context object) -> kind of the object the call creates.
_MP_FACTORIES: dict[str, KindName] = {
    "Process": KindName.PROCESS,
    "Pool": KindName.POOL,
    "Queue": KindName.QUEUE,
    "JoinableQueue": KindName.JOINABLE_QUEUE,
    "SimpleQueue": KindName.SIMPLE_QUEUE,
    "Lock": KindName.LOCK,
    "RLock": KindName.RLOCK,
    "Semaphore": KindName.SEMAPHORE,
    "BoundedSemaphore": KindName.BOUNDED_SEMAPHORE,
    "Condition": KindName.CONDITION,
    "Event": KindName.EVENT,
    "Barrier": KindName.BARRIER,
    "Value": KindName.VALUE,
    "Array": KindName.ARRAY,
    "RawValue": KindName.RAW_VALUE,
    "RawArray": KindName.RAW_ARRAY,
    "Manager": KindName.MANAGER,
    "Pipe": KindName.PIPE,
    "get_context": KindName.CONTEXT,
}

# Fully qualified submodule spellings (relative to the family root).
_MP_SUBMODULE_NAMES: dict[str, KindName] = {
    "context.Process": KindName.PROCESS,
    "context.ForkProcess": KindName.PROCESS,
    "context.SpawnProcess": KindName.PROCESS,
    "context.ForkServerProcess": KindName.PROCESS,
    "process.BaseProcess": KindName.PROCESS,
    "pool.Pool": KindName.POOL,
    "pool.ThreadPool": KindName.THREAD_POOL,
    "queues.Queue": KindName.QUEUE,
    "queues.JoinableQueue": KindName.JOINABLE_QUEUE,
    "queues.SimpleQueue": KindName.SIMPLE_QUEUE,
    "synchronize.Lock": KindName.LOCK,
    "synchronize.RLock": KindName.RLOCK,
    "synchronize.Semaphore": KindName.SEMAPHORE,
    "synchronize.BoundedSemaphore": KindName.BOUNDED_SEMAPHORE,
    "synchronize.Condition": KindName.CONDITION,
    "synchronize.Event": KindName.EVENT,
    "synchronize.Barrier": KindName.BARRIER,
    "sharedctypes.Value": KindName.VALUE,
    "sharedctypes.Array": KindName.ARRAY,
    "sharedctypes.RawValue": KindName.RAW_VALUE,
    "sharedctypes.RawArray": KindName.RAW_ARRAY,
    "managers.SyncManager": KindName.MANAGER,
    "managers.BaseManager": KindName.MANAGER,
    "connection.Pipe": KindName.PIPE,
    "context.get_context": KindName.CONTEXT,
}

_FIXED_METHOD_CLASSES: dict[str, str] = {
    "context.ForkProcess": "fork",
    "context.SpawnProcess": "spawn",
    "context.ForkServerProcess": "forkserver",
}

# multiprocessing.dummy: the same names, backed by threads.
_DUMMY_NAMES: dict[str, KindName] = {
    "Process": KindName.THREAD,
    "DummyProcess": KindName.THREAD,
    "Pool": KindName.THREAD_POOL,
    "Queue": KindName.THREAD_QUEUE,
    "JoinableQueue": KindName.THREAD_QUEUE,
    **dict.fromkeys(SYNC_PRIMITIVES, KindName.THREAD_LOCK),
    "Pipe": KindName.PIPE,
}

_OTHER_NAMES: dict[str, tuple[KindName, str]] = {
    "concurrent.futures.ProcessPoolExecutor": (KindName.EXECUTOR, "concurrent.futures"),
    "concurrent.futures.process.ProcessPoolExecutor": (KindName.EXECUTOR, "concurrent.futures"),
    "concurrent.futures.ThreadPoolExecutor": (KindName.THREAD_EXECUTOR, "concurrent.futures"),
    "concurrent.futures.thread.ThreadPoolExecutor": (
        KindName.THREAD_EXECUTOR,
        "concurrent.futures",
    ),
    "threading.Thread": (KindName.THREAD, "threading"),
    **{f"threading.{name}": (KindName.THREAD_LOCK, "threading") for name in SYNC_PRIMITIVES},
    "queue.Queue": (KindName.THREAD_QUEUE, "threading"),
    "queue.LifoQueue": (KindName.THREAD_QUEUE, "threading"),
    "queue.PriorityQueue": (KindName.THREAD_QUEUE, "threading"),
    "queue.SimpleQueue": (KindName.THREAD_QUEUE, "threading"),
}


def split_family(qualname: str) -> Optional[tuple[str, str]]:
    """``"torch.multiprocessing.pool.Pool"`` -> ``("torch.multiprocessing", "pool.Pool")``."""
    for root in FAMILY_ROOTS:
        if qualname == root:
            return root, ""
        if qualname.startswith(root + "."):
            return root, qualname[len(root) + 1 :]
    return None


def annotation_kind(qualname: str) -> Optional[Kind]:
    """The kind a parameter or variable annotated with ``qualname`` holds (a ``Process``, a ``Queue``,
    a ``Connection`` …; not a ``Pipe`` or a context, whose annotation says nothing of an instance)."""
    kind = constructor_kind(qualname)
    if kind is not None and kind.name not in (KindName.PIPE, KindName.CONTEXT):
        return kind
    if qualname.endswith("connection.Connection"):
        return Kind(KindName.CONNECTION)
    return None


def constructor_kind(qualname: str, method: Optional[str] = None) -> Optional[Kind]:
    """The kind of object that calling ``qualname`` creates, or None when it is not ours."""
    other = _OTHER_NAMES.get(qualname)
    if other is not None:
        return Kind(other[0], family=other[1])
    split = split_family(qualname)
    if split is None:
        return None
    root, rest = split
    if rest.startswith("dummy."):
        name = _DUMMY_NAMES.get(rest[len("dummy.") :])
        return Kind(name, family="multiprocessing.dummy") if name is not None else None
    name = _MP_FACTORIES.get(rest) or _MP_SUBMODULE_NAMES.get(rest)
    if name is None:
        return None
    fixed = _FIXED_METHOD_CLASSES.get(rest)
    return Kind(name, family=root, method=fixed or method)


def context_attribute_kind(context: Kind, attribute: str) -> Optional[Kind]:
    """``ctx.Pool`` where ``ctx`` is a context object: the kind its call creates."""
    name = _MP_FACTORIES.get(attribute)
    if name is None:
        return None
    if name is KindName.CONTEXT:
        return None  # ctx.get_context(...) is resolved by the caller from its argument
    return Kind(name, family=context.family, method=context.method)


def start_method_literal(value: Optional[str]) -> Optional[str]:
    """A start-method string if it is one of the three, else None."""
    return value if value in _START_METHODS else None


# Methods whose result has a known kind, by the kind of the receiver.
_POOL_RESULTS: dict[str, KindName] = {
    "apply_async": KindName.ASYNC_RESULT,
    "map_async": KindName.ASYNC_RESULT,
    "starmap_async": KindName.ASYNC_RESULT,
    "imap": KindName.MAP_ITERATOR,
    "imap_unordered": KindName.MAP_ITERATOR,
}
# What a SyncManager's methods create (multiprocessing/managers.py SyncManager.register): proxies of the
# module's own factories of the same name, and three containers of its own.
_MANAGER_RESULTS: dict[str, KindName] = {
    **{
        name: _MP_FACTORIES[name]
        for name in ("Queue", "JoinableQueue", *SYNC_PRIMITIVES, "Value", "Array", "Pool")
    },
    "dict": KindName.DICT,
    "list": KindName.LIST,
    "Namespace": KindName.NAMESPACE,
}

#: Pool methods that queue a task (the callable is argument 0).
POOL_TASK_METHODS = frozenset(
    {
        "apply",
        "apply_async",
        "map",
        "map_async",
        "imap",
        "imap_unordered",
        "starmap",
        "starmap_async",
    }
)
#: Executor methods that queue a task (the callable is argument 0).
EXECUTOR_TASK_METHODS = frozenset({"submit", "map"})

#: What each handle of a task's result has: an ``AsyncResult`` (``multiprocessing/pool.py``
#: ``ApplyResult``), the iterator of ``Pool.imap``/``imap_unordered`` (``IMapIterator``), the iterator of
#: ``Executor.map`` (a generator) and a ``concurrent.futures.Future``.
ASYNC_RESULT_METHODS = frozenset({"get", "wait", "ready", "successful"})
POOL_MAP_ITERATOR_METHODS = frozenset({"next", "__next__", "__iter__"})
EXECUTOR_MAP_ITERATOR_METHODS = frozenset({"send", "throw", "close", "__next__", "__iter__"})
FUTURE_METHODS = frozenset(
    {
        "cancel",
        "cancelled",
        "running",
        "done",
        "result",
        "exception",
        "add_done_callback",
        "set_running_or_notify_cancel",
        "set_result",
        "set_exception",
    }
)


def method_result_kind(receiver: Kind, method: str) -> Optional[Kind]:
    """The kind of ``receiver.method(...)``'s result where the API defines it."""
    name = receiver.name
    if name is KindName.CONTEXT:
        return context_attribute_kind(receiver, method)
    if name in (KindName.POOL, KindName.THREAD_POOL):
        result = _POOL_RESULTS.get(method)
        return Kind(result, family=receiver.family) if result is not None else None
    if name in (KindName.EXECUTOR, KindName.THREAD_EXECUTOR):
        if method == "submit":
            return Kind(KindName.FUTURE, family=receiver.family)
        if method == "map":
            return Kind(KindName.MAP_ITERATOR, family=receiver.family)
        return None
    if name is KindName.MANAGER:
        result = _MANAGER_RESULTS.get(method)
        if result is None:
            return None
        if result is KindName.POOL:
            return Kind(KindName.POOL, family=receiver.family, proxy=True)
        return Kind(result, family=receiver.family, proxy=True)
    if name in (KindName.VALUE, KindName.ARRAY) and method == "get_lock":
        return Kind(KindName.RLOCK, family=receiver.family)
    return None


def method_makes_new_object(receiver: Kind, method: str) -> bool:
    """False where ``receiver.method()`` returns an object the receiver already holds instead of making
    one: ``Value.get_lock()``/``Array.get_lock()`` return the lock the synchronized wrapper was created
    with (``multiprocessing/sharedctypes.py``), the same lock on every call and in every child."""
    return not (receiver.name in (KindName.VALUE, KindName.ARRAY) and method == "get_lock")


# --- queues and pipes ---------------------------------------------------------------------------------
#: Queue methods that take an item out / put one in; ``Connection`` methods that read / write.
QUEUE_GET_METHODS = frozenset({"get", "get_nowait"})
QUEUE_PUT_METHODS = frozenset({"put", "put_nowait"})
CONNECTION_RECV_METHODS = frozenset({"recv", "recv_bytes", "recv_bytes_into"})
CONNECTION_SEND_METHODS = frozenset({"send", "send_bytes"})

#: Where the exceptions of queues live: ``queue`` (``multiprocessing/queues.py`` does
#: ``from queue import Empty, Full``, and the forks mirror it). Not in the ``multiprocessing`` namespace.
_QUEUE_EXCEPTION_MODULES = ("queue", "_queue")


def queue_exception(qualname: Optional[str]) -> Optional[str]:
    """``"Empty"`` or ``"Full"`` when ``qualname`` names ``queue.Empty``/``queue.Full`` under any real
    spelling (``queue.Empty``, ``_queue.Empty``, ``multiprocessing.queues.Empty`` …), else None."""
    if qualname is None:
        return None
    module, _, name = qualname.rpartition(".")
    if name not in ("Empty", "Full"):
        return None
    if module in _QUEUE_EXCEPTION_MODULES:
        return name
    split = split_family(module)
    if split is not None and split[1] == "queues":
        return name
    return None


def is_queue_kind_name(name: KindName) -> bool:
    """A queue of any library: multiprocessing's three and the thread-only ``queue`` classes."""
    return name in (
        KindName.QUEUE,
        KindName.JOINABLE_QUEUE,
        KindName.SIMPLE_QUEUE,
        KindName.THREAD_QUEUE,
    )
