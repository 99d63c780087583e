"""Which calls raise queue exceptions and which handlers catch what (:mod:`mplint.model.exceptions`)."""

from __future__ import annotations

from typing import Optional

import libcst as cst
import pytest

from mplint import api_table

from .support import QUEUE_CALLS, call_node, model_of, nth_node, source_of


@pytest.mark.parametrize(
    ("qualname", "expected"),
    [
        ("queue.Empty", "Empty"),
        ("_queue.Empty", "Empty"),
        ("queue.Full", "Full"),
        ("multiprocessing.queues.Empty", "Empty"),
        ("billiard.queues.Full", "Full"),
        ("torch.multiprocessing.queues.Empty", "Empty"),
        ("multiprocessing.Empty", None),
        ("multiprocessing.Queue.Empty", None),
        ("asyncio.QueueEmpty", None),
        ("gevent.queue.Empty", None),
        (None, None),
    ],
)
def test_queue_exception_spellings(qualname: Optional[str], expected: Optional[str]) -> None:
    assert api_table.queue_exception(qualname) == expected


@pytest.mark.parametrize(
    ("code", "raised"),
    [
        ("q.get()", None),
        ("q.get(True)", None),
        ("q.get(False)", "Empty"),
        ("q.get(timeout=1)", "Empty"),
        ("q.get(True, None)", None),
        ("q.get_nowait()", "Empty"),
        ("q.put(1)", None),
        ("q.put(1, False)", "Full"),
        ("q.put(1, block=True, timeout=3)", "Full"),
        ("q.put_nowait(1)", "Full"),
        ("s.get()", None),
        ("t.get(block=flag)", "Empty"),
        ("m.put(1, timeout=1)", "Full"),
        ("other.get_nowait()", None),
    ],
)
def test_queue_call_raises(code: str, raised: Optional[str]) -> None:
    model = model_of(QUEUE_CALLS)
    assert model.exceptions.queue_call_raises(call_node(model, code)) == raised


def test_queue_call_raises_can_assume_a_queue() -> None:
    model = model_of(QUEUE_CALLS)
    assert model.exceptions.queue_call_raises(
        call_node(model, "other.get_nowait()"), assume_queue=True
    ) == ("Empty")


HANDLERS = """
import queue, multiprocessing as mp
from queue import Empty
from multiprocessing.queues import Full as MPFull
from elsewhere import Empty as OtherEmpty, Problem
class Mine(Exception):
    pass
ERRORS = (queue.Empty,)
try:
    pass
except queue.Empty: pass
except Empty: pass
except MPFull: pass
except (ValueError, queue.Full): pass
except Exception: pass
except OSError: pass
except Mine: pass
except OtherEmpty: pass
except Problem: pass
except ERRORS: pass
except RuntimeError: pass
"""


@pytest.mark.parametrize(
    ("index", "exception", "expected"),
    [
        (0, "queue.Empty", True),
        (0, "queue.Full", False),
        (1, "queue.Empty", True),
        (2, "queue.Full", True),
        (3, "queue.Full", True),
        (3, "queue.Empty", False),
        (4, "queue.Full", True),
        (4, "builtins.EOFError", True),
        (5, "queue.Empty", False),
        (5, "builtins.EOFError", False),
        (6, "queue.Empty", False),
        (7, "queue.Empty", None),
        (8, "queue.Empty", None),
        (9, "queue.Empty", None),
        (10, "builtins.NotImplementedError", True),
        (10, "queue.Empty", False),
    ],
)
def test_exception_catches(index: int, exception: str, expected: Optional[bool]) -> None:
    model = model_of(HANDLERS)
    handler = nth_node(model, cst.ExceptHandler, index)
    assert isinstance(handler, cst.ExceptHandler) and handler.type is not None
    assert model.exceptions.exception_catches(handler.type, exception) is expected


def test_handlers_and_enclosing_trys() -> None:
    model = model_of(
        """
        import multiprocessing as mp, queue
        def f(q):
            try:
                try:
                    q.put_nowait(1)
                except queue.Empty:
                    pass
            except queue.Full:
                pass
            try:
                q.qsize()
            except:
                pass
        """
    )
    put = call_node(model, "q.put_nowait(1)")
    inner = model.exceptions.innermost_try_body(put)
    assert isinstance(inner, cst.Try)
    assert model.exceptions.handlers_catch(inner, "queue.Full") is False
    assert model.exceptions.caught_around(put, "queue.Full") is True
    assert (
        model.exceptions.caught_around(
            call_node(model, "q.qsize()"), "builtins.NotImplementedError"
        )
        is True
    )
    assert [source_of(model, c) for c in model.flow.calls_within(inner.body)] == ["q.put_nowait(1)"]


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("with pytest.raises(ValueError):\n        CALL", True),
        ("with self.assertRaises(ValueError):\n        CALL", True),
        ("with self.assertRaisesRegex(ValueError, 'x'):\n        CALL", True),
        ("with open(p):\n        CALL", False),
        ("try:\n        CALL\n    except ValueError:\n        pass", True),
        ("try:\n        CALL\n    except errors.ValueError:\n        pass", True),
        ("try:\n        CALL\n    except (KeyError, ValueError):\n        pass", True),
        ("try:\n        CALL\n    except Exception:\n        pass", True),
        ("try:\n        CALL\n    except BaseException:\n        pass", True),
        ("try:\n        CALL\n    except:\n        pass", True),
        ("try:\n        CALL\n    except KeyError:\n        pass", False),
        ("try:\n        pass\n    except ValueError:\n        CALL", False),
        ("try:\n        CALL\n    finally:\n        pass", False),
        ("CALL", False),
    ],
)
def test_expects_exception(code: str, expected: bool) -> None:
    model = model_of(
        "def test(self, p):\n    " + code.replace("CALL", "work()") + "\n", dedent=False
    )
    assert model.exceptions.expects_exception(call_node(model, "work()"), "ValueError") is expected


def test_expects_exception_stops_at_the_function() -> None:
    model = model_of(
        """
        import pytest
        with pytest.raises(ValueError):
            def inner():
                work()
        """
    )
    assert not model.exceptions.expects_exception(call_node(model, "work()"), "ValueError")


def test_handled_types() -> None:
    model = model_of(
        """
        import queue
        from errors import Custom
        def f():
            try:
                a()
            except KeyboardInterrupt:
                b()
                try:
                    c()
                except (queue.Empty, OSError):
                    d()
            except BaseException:
                e()
            except Custom:
                g()
            except:
                h()
            else:
                i()
        """
    )
    handled = {
        name: model.exceptions.handled_types(call_node(model, f"{name}()")) for name in "abcdeghi"
    }
    assert handled == {
        "a": None,  # in the body, not a handler
        "b": ["builtins.KeyboardInterrupt"],
        "c": ["builtins.KeyboardInterrupt"],
        "d": ["queue.Empty", "builtins.OSError"],  # the innermost handler
        "e": ["builtins.BaseException"],
        "g": ["errors.Custom"],
        "h": None,  # a bare except
        "i": None,  # the else clause runs when nothing was raised
    }
