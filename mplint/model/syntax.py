"""Readers of libcst nodes that need no model: call arguments, literals, the ``__main__`` guard test,
subtree walks, and the node types that open a scope."""

from __future__ import annotations

import builtins
import dataclasses
from collections.abc import Iterator, Sequence
from typing import Optional, Union

import libcst as cst

FunctionNode = Union[cst.FunctionDef, cst.Lambda]


SCOPE_NODES = (cst.FunctionDef, cst.Lambda, cst.ClassDef)


# The same as exact types: a set lookup, not an ABC ``isinstance`` (these classes have no subclasses).
SCOPE_TYPES = frozenset(SCOPE_NODES)


BUILTINS = frozenset(dir(builtins))


def dotted_name(node: cst.BaseExpression) -> Optional[str]:
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        base = dotted_name(node.value)
        return f"{base}.{node.attr.value}" if base is not None else None
    return None


def root_name(node: cst.BaseExpression) -> Optional[cst.Name]:
    """The name a dotted expression starts from (``queue`` in ``queue.Empty``, ``Queue`` itself), or
    None when it starts from something else (a call, a subscript)."""
    while isinstance(node, cst.Attribute):
        node = node.value
    return node if isinstance(node, cst.Name) else None


def last_name(node: cst.BaseExpression) -> Optional[str]:
    """The name a dotted expression ends with (``Empty`` in ``queue.Empty``, ``f`` itself), or None
    for anything else (a call, a subscript)."""
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        return node.attr.value
    return None


def string_value(node: Optional[cst.BaseExpression]) -> Optional[str]:
    if isinstance(node, cst.SimpleString):
        value = node.evaluated_value
        return value if isinstance(value, str) else None
    return None


def element_at(value: cst.BaseExpression, path: Sequence[int]) -> Optional[cst.BaseExpression]:
    """What a target at tuple-unpacking ``path`` receives of the display ``value`` (``a, (b, c) = x, (y,
    z)``: path ``(1, 0)`` gives ``y``); None where the display does not spell it out (not a tuple or list
    there, too short, or a starred element)."""
    for index in path:
        if not isinstance(value, (cst.Tuple, cst.List)) or index >= len(value.elements):
            return None
        element = value.elements[index]
        if isinstance(element, cst.StarredElement):
            return None
        value = element.value
    return value


def keyword_arg(call: cst.Call, name: str) -> Optional[cst.Arg]:
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value == name:
            return arg
    return None


def positional_args(call: cst.Call) -> list[cst.Arg]:
    """The plain positional arguments, up to the first ``*args``/keyword."""
    out: list[cst.Arg] = []
    for arg in call.args:
        if arg.keyword is not None or arg.star:
            break
        out.append(arg)
    return out


def call_argument(call: cst.Call, position: int, keyword: str) -> Optional[cst.BaseExpression]:
    """The argument bound to a parameter given by position and keyword, if it is spelled out."""
    kw = keyword_arg(call, keyword)
    if kw is not None:
        return kw.value
    positional = positional_args(call)
    if position < len(positional):
        return positional[position].value
    return None


def is_main_guard_test(test: cst.BaseExpression) -> Optional[bool]:
    """True for ``__name__ == "__main__"`` (either order, inside ``and``), False for ``!=``, else None."""
    if isinstance(test, cst.BooleanOperation) and isinstance(test.operator, cst.And):
        left = is_main_guard_test(test.left)
        return left if left is not None else is_main_guard_test(test.right)
    if not isinstance(test, cst.Comparison) or len(test.comparisons) != 1:
        return None
    target = test.comparisons[0]
    pair = (test.left, target.comparator)
    names = [n for n in pair if isinstance(n, cst.Name) and n.value == "__name__"]
    strings = [string_value(n) for n in pair]
    if not names or "__main__" not in strings:
        return None
    if isinstance(target.operator, cst.Equal):
        return True
    if isinstance(target.operator, cst.NotEqual):
        return False
    return None


def is_type_checking_test(test: cst.BaseExpression) -> bool:
    dotted = dotted_name(test)
    return dotted in ("TYPE_CHECKING", "typing.TYPE_CHECKING", "t.TYPE_CHECKING")


def tuple_elements(
    node: Optional[cst.BaseExpression],
) -> Optional[tuple[cst.BaseExpression, ...]]:
    if isinstance(node, (cst.Tuple, cst.List)) and not any(
        isinstance(e, cst.StarredElement) for e in node.elements
    ):
        return tuple(e.value for e in node.elements)
    return None


#: Methods that change a list, dict, set, deque or bytearray in place.
MUTATING_METHODS = frozenset(
    {
        "append",
        "appendleft",
        "extend",
        "extendleft",
        "insert",
        "update",
        "add",
        "discard",
        "remove",
        "pop",
        "popitem",
        "popleft",
        "clear",
        "setdefault",
        "sort",
        "reverse",
        "rotate",
        "difference_update",
        "intersection_update",
        "symmetric_difference_update",
    }
)


def literal_elements(
    node: Optional[cst.BaseExpression],
) -> Optional[list[cst.BaseExpression]]:
    """The items of an ``args``-like argument: [] when absent, the elements of a literal tuple or list,
    None when not spelled out."""
    if node is None:
        return []
    elements = tuple_elements(node)
    return list(elements) if elements is not None else None


def literal_keywords(
    node: Optional[cst.BaseExpression],
) -> Optional[dict[str, cst.BaseExpression]]:
    """The items of a ``kwargs``-like argument: {} when absent, a dict display with string keys or
    ``dict(k=v)``, None when not spelled out."""
    if node is None:
        return {}
    out: dict[str, cst.BaseExpression] = {}
    if isinstance(node, cst.Dict):
        for element in node.elements:
            if not isinstance(element, cst.DictElement):
                return None
            key = string_value(element.key)
            if key is None:
                return None
            out[key] = element.value
        return out
    if isinstance(node, cst.Call) and isinstance(node.func, cst.Name) and node.func.value == "dict":
        for arg in node.args:
            if arg.keyword is None or arg.star:
                return None
            out[arg.keyword.value] = arg.value
        return out
    return None


def literal_items(
    node: cst.BaseExpression,
) -> Optional[list[Optional[cst.BaseExpression]]]:
    """The items an iterable argument yields when spelled out: the elements of a list or tuple display
    (None for a starred one), or the element expression of a comprehension; else None."""
    if isinstance(node, (cst.List, cst.Tuple)):
        return [None if isinstance(e, cst.StarredElement) else e.value for e in node.elements]
    if isinstance(node, (cst.ListComp, cst.GeneratorExp, cst.SetComp)):
        return [node.elt]
    return None


def is_classmethod(function: cst.FunctionDef) -> bool:
    return has_decorator(function, "classmethod")


def is_true_literal(expr: Optional[cst.BaseExpression]) -> bool:
    return (isinstance(expr, cst.Name) and expr.value == "True") or (
        isinstance(expr, cst.Integer) and expr.value == "1"
    )


def is_false_literal(expr: Optional[cst.BaseExpression]) -> bool:
    """``False`` or ``0`` written out."""
    return (isinstance(expr, cst.Name) and expr.value == "False") or (
        isinstance(expr, cst.Integer) and expr.value == "0"
    )


class _FieldRecorder(cst.CSTVisitor):
    """Learns, once per node type, the fields libcst visits and their order (source order)."""

    def __init__(self) -> None:
        super().__init__()
        self.fields: list[str] = []

    def on_visit(self, node: cst.CSTNode) -> bool:
        return False

    def on_visit_attribute(self, node: cst.CSTNode, attribute: str) -> None:
        self.fields.append(attribute)


_CHILD_FIELDS: dict[type[cst.CSTNode], tuple[str, ...]] = {}

#: ``child_fields`` of the types that visit the same fields whatever a node holds (most types), filled as
#: types are learned: a traversal reads a node's fields here first, without calling ``child_fields``.
FIXED_CHILD_FIELDS: dict[type[cst.CSTNode], tuple[str, ...]] = {}


# Per type, fields that were None when the order was learned and that libcst did not visit then: a few
# nodes visit a field only when it is set (an f-string expression's format_spec), so such a type is learned
# again from the first node that has one of them set.
_UNSEEN_FIELDS: dict[type[cst.CSTNode], tuple[str, ...]] = {}


def child_fields(node: cst.CSTNode) -> tuple[str, ...]:
    """The names of the fields of ``node`` that libcst visits, in its order (learned once per type)."""
    kind = type(node)
    found = _CHILD_FIELDS.get(kind)
    if found is not None:
        unseen = _UNSEEN_FIELDS[kind]
        if not unseen or all(getattr(node, name) is None for name in unseen):
            return found
    recorder = _FieldRecorder()
    node._visit_and_replace_children(
        recorder
    )  # libcst calls on_visit_attribute for the fields it visits
    found = _CHILD_FIELDS[kind] = tuple(dict.fromkeys(recorder.fields))
    unseen = _UNSEEN_FIELDS[kind] = tuple(
        f.name
        for f in dataclasses.fields(node)
        if f.name not in found and getattr(node, f.name) is None
    )
    if not unseen:
        FIXED_CHILD_FIELDS[kind] = found
    return found


def child_nodes(node: cst.CSTNode) -> list[cst.CSTNode]:
    """``node.children`` (every child node, trivia included, in libcst's order), read from the fields
    libcst visits instead of by running a visitor over the node (many times faster)."""
    out: list[cst.CSTNode] = []
    for name in child_fields(node):
        value = getattr(node, name)
        if value is None or value is cst.MaybeSentinel.DEFAULT:
            continue
        if type(value) is tuple or type(value) is list:
            out.extend(value)
        else:
            out.append(value)
    return out


def scope_descendants(node: cst.CSTNode) -> Iterator[cst.CSTNode]:
    """``node``'s descendants, not entering nested defs, lambdas or classes."""
    stack = child_nodes(node)
    while stack:
        current = stack.pop()
        yield current
        if type(current) not in SCOPE_TYPES:
            stack.extend(child_nodes(current))


def is_none_literal(node: cst.BaseExpression) -> bool:
    return isinstance(node, cst.Name) and node.value == "None"


def has_decorator(function: cst.FunctionDef, *names: str) -> bool:
    return any(
        isinstance(d.decorator, cst.Name) and d.decorator.value in names
        for d in function.decorators
    )


def descendants(node: cst.CSTNode, *, enter_scopes: bool = True) -> Iterator[cst.CSTNode]:
    """Every node of the subtree, nested scopes included, ``node`` first (pre-order).

    With ``enter_scopes=False`` the walk yields a function, lambda or class found below ``node`` but not
    what is inside it (``node`` itself is always entered)."""
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        if enter_scopes or current is node or type(current) not in SCOPE_TYPES:
            stack.extend(reversed(child_nodes(current)))


def calls_in_expression(node: cst.CSTNode) -> Iterator[cst.Call]:
    for inner in descendants(node):
        if isinstance(inner, cst.Call):
            yield inner
