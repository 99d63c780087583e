"""Built-in value types of expressions (:mod:`mplint.model.types`)."""

from __future__ import annotations

from typing import Optional

import libcst as cst
import pytest

from .support import model_of, value_of


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ('("egon")', "str"),
        ('f"user-{n}"', "str"),
        ('"a" "b"', "str"),
        ('b"raw"', "bytes"),
        ("(5)", "int"),
        ("-5", "int"),
        ("1.5", "float"),
        ("2j", "complex"),
        ("1 + 2", "int"),
        ("1 / 2", "float"),
        ("1 + 2.0", "float"),
        ("2 ** 3", None),
        ('"%s" % name', "str"),
        ('"-" * 3', "str"),
        ("not x", "bool"),
        ("a < b", "bool"),
        ("True", "bool"),
        ("None", "None"),
        ('{"a": 1}', "dict"),
        ("{1, 2}", "set"),
        ("[1, 2]", "list"),
        ("(1, 2)", "tuple"),
        ("(x for x in y)", "generator"),
        ("str(n)", "str"),
        ("len(y)", "int"),
        ('", ".join(y)', "str"),
        ('"x".upper()', "str"),
        ("x.upper()", None),
        ("x", None),
        ("1 if x else 2", "int"),
        ('1 if x else "2"', None),
    ],
)
def test_value_type_of_expressions(expression: str, expected: Optional[str]) -> None:
    model = model_of(f"value = {expression}\n", path="case.py")
    assert model.types.value_type(value_of(model, "value")) == expected


def test_value_type_through_variables_and_annotations() -> None:
    model = model_of(
        """
        NAME = "egon"
        COUNT = 3
        def go(n: int, label: str, items: list, tup: tuple[int, ...], opt: "int", other, *rest: int):
            a = NAME
            b = COUNT + 1
            c = n
            d = label
            e = items
            f = tup
            g = opt
            h = other
            i = rest
        def shadow(str):
            j = str(1)
        def mixed(flag):
            k = "x"
            if flag:
                k = 1
            m = k
        """,
        path="case.py",
    )
    expected = {
        "a": "str",
        "b": "int",
        "c": "int",
        "d": "str",
        "e": "list",
        "f": "tuple",
        "g": None,
        "h": None,
        "i": None,
        "j": None,
        "m": None,
    }
    for name, kind in expected.items():
        assert model.types.value_type(value_of(model, name)) == kind, name


def test_value_type_of_loop_variables() -> None:
    model = model_of(
        """
        HOSTS = ["a", "b"]
        def go(text, extra):
            for host in HOSTS:
                a = host
            for i, name in enumerate(("x", "y")):
                b = i
                c = name
            for n in range(3):
                d = n
            for word in text.split():
                e = word
            for letter in "abc".split():
                f = letter
            for pair in [(1, "x"), (2, "y")]:
                g = pair
            for number, label in [(1, "x"), (2, "y")]:
                h = label
            grown = ["a"]
            grown.append(extra)
            for item in grown:
                i2 = item
            for mixed in ["a", 1]:
                j = mixed
            k = [m for m in sorted(HOSTS)]
        """,
        path="case.py",
    )
    expected = {
        "a": "str",
        "b": "int",
        "c": "str",
        "d": "int",
        "e": None,
        "f": "str",
        "g": "tuple",
        "h": "str",
        "i2": None,
        "j": None,
    }
    for name, kind in expected.items():
        assert model.types.value_type(value_of(model, name)) == kind, name
    comprehension = value_of(model, "k")
    assert isinstance(comprehension, cst.ListComp)
    assert model.types.value_type(comprehension.elt) == "str"


def test_value_type_self_reference_terminates() -> None:
    # conservative: a variable updated from itself is not followed around the cycle
    model = model_of("n = 1\nn = n + 1\nm = n\n", path="case.py")
    assert model.types.value_type(value_of(model, "m")) is None
    model = model_of("def f(x):\n    x = x + 1\n    y = x\n", path="case.py")
    assert model.types.value_type(value_of(model, "y")) is None
