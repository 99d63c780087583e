"""What a call raises, and whether a handler around a node catches it."""

from __future__ import annotations

import builtins
from dataclasses import dataclass
from typing import TYPE_CHECKING, Optional

import libcst as cst

from mplint import api_table
from mplint.kinds import KindName
from mplint.model.syntax import SCOPE_TYPES, call_argument, dotted_name

if TYPE_CHECKING:
    from mplint.model.inference import Inference
    from mplint.model.names import Names
    from mplint.model.tree import Tree


_RAISES_CONTEXTS = frozenset({"raises", "assertRaises", "assertRaisesRegex", "assertRaisesRegexp"})


@dataclass(eq=False)
class Exceptions:
    """What a call raises, and whether a handler around a node catches it."""

    tree: Tree
    names: Names
    inference: Inference

    def expects_exception(self, node: cst.CSTNode, error: str) -> bool:
        """``node`` runs where an exception of class ``error`` is expected, within its function: in the
        body of ``with pytest.raises(...)`` / ``self.assertRaises(...)``, or of a ``try`` with a handler
        for it (by name, ``Exception``, ``BaseException`` or a bare ``except``)."""
        child: cst.CSTNode = node
        for ancestor in self.tree.ancestors(node):
            if type(ancestor) in SCOPE_TYPES:
                return False
            if isinstance(ancestor, cst.With) and child is ancestor.body:
                for item in ancestor.items:
                    if isinstance(item.item, cst.Call):
                        callee = (dotted_name(item.item.func) or "").rsplit(".", 1)[-1]
                        if callee in _RAISES_CONTEXTS:
                            return True
            if isinstance(ancestor, (cst.Try, cst.TryStar)) and child is ancestor.body:
                for handler in ancestor.handlers:
                    if handler.type is None:
                        return True
                    caught = handler.type
                    types = (
                        [e.value for e in caught.elements]
                        if isinstance(caught, cst.Tuple)
                        else [caught]
                    )
                    names = {(dotted_name(t) or "").rsplit(".", 1)[-1] for t in types}
                    if names & {error, "Exception", "BaseException"}:
                        return True
            child = ancestor
        return False

    def queue_call_raises(self, call: cst.Call, *, assume_queue: bool = False) -> Optional[str]:
        """``"Empty"``/``"Full"`` when this ``get``/``put`` on a queue may raise ``queue.Empty``/
        ``queue.Full`` (``*_nowait``, ``block=False``, a timeout, or an unknown ``block`` flag); None when
        it blocks until it succeeds, or when the receiver is not known to be a queue (with
        ``assume_queue``, a receiver of unknown kind is taken to be one)."""
        func = call.func
        if not isinstance(func, cst.Attribute):
            return None
        method = func.attr.value
        if method not in api_table.QUEUE_GET_METHODS | api_table.QUEUE_PUT_METHODS:
            return None
        kind = self.inference.kind_of(func.value)
        if kind is None and not assume_queue:
            return None
        if kind is not None and not api_table.is_queue_kind_name(kind.name):
            return None
        if kind is not None and kind.name is KindName.SIMPLE_QUEUE:
            return None  # multiprocessing.SimpleQueue: get()/put() always block, no *_nowait
        exception = "Empty" if method in api_table.QUEUE_GET_METHODS else "Full"
        if method.endswith("_nowait"):
            return exception
        if any(arg.star for arg in call.args):
            return exception
        first = 0 if exception == "Empty" else 1  # get(block, timeout) / put(obj, block, timeout)
        block = call_argument(call, first, "block")
        timeout = call_argument(call, first + 1, "timeout")
        if timeout is not None and not (isinstance(timeout, cst.Name) and timeout.value == "None"):
            return exception
        if block is None or (isinstance(block, cst.Name) and block.value == "True"):
            return None
        if isinstance(block, cst.Integer) and block.value != "0":
            return None
        return exception

    def exception_catches(self, expr: cst.BaseExpression, exception: str) -> Optional[bool]:
        """Whether the ``except`` expression ``expr`` catches ``exception`` (``"queue.Empty"``,
        ``"queue.Full"`` or a builtin such as ``"builtins.EOFError"``); None when it cannot be told
        (a variable, a name imported from another module that could be an alias or a tuple)."""
        if isinstance(expr, cst.Tuple):
            results = [self.exception_catches(e.value, exception) for e in expr.elements]
            if True in results:
                return True
            return None if None in results else False
        if self.names.resolve_class(expr) is not None:
            return False  # a class of this module is never a base of a library exception
        qual = self.names.qualname(expr)
        if qual is None:
            return None
        target_queue = api_table.queue_exception(exception)
        caught_queue = api_table.queue_exception(qual)
        if caught_queue is not None:
            return target_queue == caught_queue
        if qual.startswith("builtins."):
            caught = getattr(builtins, qual[len("builtins.") :], None)
            if not (isinstance(caught, type) and issubclass(caught, BaseException)):
                return None
            if target_queue is not None:
                return caught in (Exception, BaseException)
            target = getattr(builtins, exception[len("builtins.") :], None)
            if isinstance(target, type):
                return issubclass(target, caught)
            return None
        if qual.rsplit(".", 1)[-1] == exception.rsplit(".", 1)[-1]:
            return None  # e.g. a re-export of queue.Empty by another module
        return None

    def handlers_catch(self, try_node: cst.Try, exception: str) -> Optional[bool]:
        """Whether one of the ``except`` clauses of ``try_node`` catches ``exception`` (None: unknown)."""
        results: list[Optional[bool]] = []
        for handler in try_node.handlers:
            if handler.type is None:
                return True
            results.append(self.exception_catches(handler.type, exception))
        if True in results:
            return True
        return None if None in results else False

    def caught_around(self, node: cst.CSTNode, exception: str) -> Optional[bool]:
        """Whether ``exception`` raised at ``node`` is caught by a ``try`` around it in its function."""
        results: list[Optional[bool]] = []
        for ancestor in self.tree.ancestors(node):
            if type(ancestor) in SCOPE_TYPES:
                break
            if isinstance(ancestor, cst.Try) and self.tree.contains(ancestor.body, node):
                results.append(self.handlers_catch(ancestor, exception))
        if True in results:
            return True
        return None if None in results else False

    def handled_types(self, node: cst.CSTNode) -> Optional[list[str]]:
        """The qualified names of the exception classes that the innermost ``except`` clause around
        ``node`` (in its function) handles: the exception being handled when ``node`` runs is an
        instance of one of them. None outside a handler, for a bare ``except``, or where a type has
        no known name."""
        for ancestor in self.tree.ancestors(node):
            if type(ancestor) in SCOPE_TYPES:
                return None
            if isinstance(ancestor, cst.ExceptHandler) and self.tree.contains(ancestor.body, node):
                caught = ancestor.type
                if caught is None:
                    return None
                types = (
                    [e.value for e in caught.elements]
                    if isinstance(caught, cst.Tuple)
                    else [caught]
                )
                names = [self.names.qualname(t) for t in types]
                if any(name is None for name in names):
                    return None
                return [name for name in names if name is not None]
        return None

    def innermost_try_body(self, node: cst.CSTNode) -> Optional[cst.Try]:
        """The ``try`` whose body most closely encloses ``node`` (in the same function), if any."""
        for ancestor in self.tree.ancestors(node):
            if type(ancestor) in SCOPE_TYPES:
                return None
            if isinstance(ancestor, cst.Try) and self.tree.contains(ancestor.body, node):
                return ancestor
        return None
