"""The built-in type a simple value certainly has (``int``, ``str``, ``dict`` …), for arity and argument checks."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Optional

import libcst as cst

from mplint.model.names import BindingKind
from mplint.model.syntax import element_at, positional_args

if TYPE_CHECKING:
    from mplint.model.names import Names


_LITERAL_TYPES: dict[type[cst.CSTNode], str] = {
    cst.Integer: "int",
    cst.Float: "float",
    cst.Imaginary: "complex",
    cst.FormattedString: "str",
    cst.Dict: "dict",
    cst.DictComp: "dict",
    cst.Set: "set",
    cst.SetComp: "set",
    cst.List: "list",
    cst.ListComp: "list",
    cst.Tuple: "tuple",
    cst.GeneratorExp: "generator",
    cst.Comparison: "bool",
    cst.Lambda: "function",
}


_BUILTIN_RESULT_TYPES: dict[str, str] = {
    "int": "int",
    "float": "float",
    "complex": "complex",
    "bool": "bool",
    "str": "str",
    "repr": "str",
    "ascii": "str",
    "chr": "str",
    "format": "str",
    "hex": "str",
    "oct": "str",
    "bin": "str",
    "bytes": "bytes",
    "dict": "dict",
    "set": "set",
    "frozenset": "frozenset",
    "list": "list",
    "sorted": "list",
    "tuple": "tuple",
    "len": "int",
    "ord": "int",
    "hash": "int",
    "id": "int",
    "isinstance": "bool",
    "callable": "bool",
}


_ANNOTATION_TYPES = frozenset(
    {"int", "float", "complex", "bool", "str", "bytes", "dict", "set", "frozenset", "list", "tuple"}
)


_TYPING_ALIASES: dict[str, str] = {
    "typing.Dict": "builtins.dict",
    "typing.List": "builtins.list",
    "typing.Tuple": "builtins.tuple",
    "typing.Set": "builtins.set",
    "typing.FrozenSet": "builtins.frozenset",
}


_STR_METHODS = frozenset(
    {"format", "join", "strip", "lstrip", "rstrip", "lower", "upper", "title", "replace"}
)


_ORDER_PRESERVING = frozenset(
    {"builtins.sorted", "builtins.reversed", "builtins.list", "builtins.tuple", "builtins.set"}
)


@dataclass(eq=False)
class Types:
    """The built-in type a simple value certainly has (``int``, ``str``, ``dict`` …), for arity and argument checks."""

    names: Names

    def value_type(self, expr: cst.BaseExpression, depth: int = 0) -> Optional[str]:
        """The built-in type a simple expression certainly evaluates to (``"int"``, ``"str"``, ``"dict"``,
        ``"tuple"``, ``"None"``, ``"generator"`` …), else None.

        Literals, f-strings, arithmetic on known numbers, string concatenation and formatting,
        comparisons, calls of built-in constructors (``str(x)``, ``len(x)`` …), variables all of whose
        bindings agree, and parameters annotated with a built-in type.
        """
        if depth > 6:
            return None
        found = _LITERAL_TYPES.get(type(expr))
        if found is not None:
            return found
        if isinstance(expr, cst.SimpleString):
            return "bytes" if "b" in expr.prefix.lower() else "str"
        if isinstance(expr, cst.ConcatenatedString):
            return self.value_type(expr.left, depth + 1)
        if isinstance(expr, cst.Name):
            return self._name_value_type(expr, depth)
        if isinstance(expr, cst.UnaryOperation):
            if isinstance(expr.operator, cst.Not):
                return "bool"
            inner = self.value_type(expr.expression, depth + 1)
            return inner if inner in ("int", "float", "complex") else None
        if isinstance(expr, cst.BinaryOperation):
            return self._binary_value_type(expr, depth)
        if isinstance(expr, cst.BooleanOperation):
            return self._common_type(expr.left, expr.right, depth)
        if isinstance(expr, cst.IfExp):
            return self._common_type(expr.body, expr.orelse, depth)
        if isinstance(expr, cst.Call):
            qual = self.names.qualname(expr.func)
            if qual is not None and qual.startswith("builtins."):
                return _BUILTIN_RESULT_TYPES.get(qual[len("builtins.") :])
            func = expr.func
            if (
                isinstance(func, cst.Attribute)
                and func.attr.value in _STR_METHODS
                and self.value_type(func.value, depth + 1) == "str"
            ):
                return "str"
        return None

    def _common_type(
        self, one: cst.BaseExpression, other: cst.BaseExpression, depth: int
    ) -> Optional[str]:
        """The type of an expression that is one of two values (``a or b``, ``a if c else b``): theirs
        when both have the same one, else None."""
        first = self.value_type(one, depth + 1)
        return first if first is not None and first == self.value_type(other, depth + 1) else None

    def _name_value_type(self, name: cst.Name, depth: int) -> Optional[str]:
        if name.value in ("True", "False"):
            return "bool"
        if name.value == "None":
            return "None"
        bindings = self.names.lookup(name.value, name)
        if not bindings:
            return None
        types: set[Optional[str]] = set()
        for binding in bindings:
            if binding.how is BindingKind.ASSIGN and not binding.path and binding.value is not None:
                if binding.node is name:
                    return None
                types.add(self.value_type(binding.value, depth + 1))
            elif binding.how is BindingKind.ANNOTATION:
                types.add(self._annotation_value_type(binding.value))
            elif binding.how is BindingKind.FOR and binding.iterates and binding.value is not None:
                types.add(self._item_value_type(binding.value, binding.path, depth + 1))
            elif binding.how is BindingKind.PARAM and isinstance(binding.node, cst.Param):
                annotation = binding.node.annotation
                if annotation is None or binding.node.star in ("*", "**"):
                    return None
                types.add(self._annotation_value_type(annotation.annotation))
            else:
                return None
        return types.pop() if len(types) == 1 else None

    def _item_value_type(
        self, iterable: cst.BaseExpression, path: tuple[int, ...], depth: int
    ) -> Optional[str]:
        """The type of what a loop over ``iterable`` binds (the part ``path`` of each item, for
        ``for a, b in ...``): literal collections, variables bound only to them (and never appended
        to), ``range()``, ``enumerate()``, ``sorted()``/``reversed()``/``list()``, ``str.split()``."""
        if depth > 6:
            return None
        if isinstance(iterable, (cst.List, cst.Tuple, cst.Set)):
            types: set[Optional[str]] = set()
            for element in iterable.elements:
                if isinstance(element, cst.StarredElement):
                    return None
                value = element_at(element.value, path)
                if value is None:
                    return None
                types.add(self.value_type(value, depth + 1))
            return types.pop() if len(types) == 1 else None
        if isinstance(iterable, cst.Name):
            key = self.names.binding_key(iterable)
            if key is None or self.names.calls_on(
                key, ("append", "extend", "insert", "add", "update")
            ):
                return None
            bindings = self.names.lookup(iterable.value, iterable)
            found: set[Optional[str]] = set()
            for binding in bindings:
                if binding.how is not BindingKind.ASSIGN or binding.path or binding.value is None:
                    return None
                found.add(self._item_value_type(binding.value, path, depth + 1))
            return found.pop() if len(found) == 1 else None
        if not isinstance(iterable, cst.Call):
            return "str" if not path and self.value_type(iterable, depth + 1) == "str" else None
        qual = self.names.qualname(iterable.func)
        args = positional_args(iterable)
        if qual == "builtins.range":
            return "int" if not path else None
        if qual == "builtins.enumerate" and args and path:
            if path == (0,):
                return "int"
            if path[0] == 1:
                return self._item_value_type(args[0].value, path[1:], depth + 1)
            return None
        if qual in _ORDER_PRESERVING and args:
            return self._item_value_type(args[0].value, path, depth + 1)
        func = iterable.func
        if (
            not path
            and isinstance(func, cst.Attribute)
            and func.attr.value in ("split", "rsplit", "splitlines")
            and self.value_type(func.value, depth + 1) == "str"
        ):
            return "str"
        return None

    def _annotation_value_type(self, annotation: Optional[cst.BaseExpression]) -> Optional[str]:
        if isinstance(annotation, cst.Subscript):
            annotation = annotation.value
        if annotation is None:
            return None
        qual = self.names.qualname(annotation)
        if qual is None:
            return None
        qual = _TYPING_ALIASES.get(qual, qual)
        if not qual.startswith("builtins."):
            return None
        found = qual[len("builtins.") :]
        return found if found in _ANNOTATION_TYPES else None

    def _binary_value_type(self, expr: cst.BinaryOperation, depth: int) -> Optional[str]:
        left = self.value_type(expr.left, depth + 1)
        if left is None:
            return None
        operator = expr.operator
        if left in ("str", "bytes") and isinstance(operator, cst.Modulo):
            return left  # "%s" % x
        right = self.value_type(expr.right, depth + 1)
        if right is None:
            return None
        numbers = ("bool", "int", "float", "complex")
        if left in numbers and right in numbers:
            if isinstance(operator, cst.Power):
                return None  # 2 ** -1 is a float
            if isinstance(operator, cst.Divide):
                return "complex" if "complex" in (left, right) else "float"
            rank = max(numbers.index(left), numbers.index(right), 1)
            return numbers[rank]
        if (
            isinstance(operator, cst.Add)
            and left == right
            and left in ("str", "bytes", "list", "tuple")
        ):
            return left
        if isinstance(operator, cst.Multiply) and {left, right} in (
            {"str", "int"},
            {"bytes", "int"},
        ):
            return left if left != "int" else right
        return None
