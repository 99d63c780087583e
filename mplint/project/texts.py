"""Cheap looks at module texts, made before (or instead of) building a tree: what a text imports,
what it may call when it is imported, which lines may bind a name to a modelled kind. Each answer is
a superset of what the tree would say (or None where the text is written in a way these do not read),
so that a "no" can be trusted.
"""

from __future__ import annotations

import bisect
import hashlib
import re
from typing import Optional

from mplint.project.layout import in_tree_candidate

__all__ = [
    "KIND_WORDS",
    "MarginDefs",
    "binds_kind",
    "body_calls",
    "defined_names",
    "digest_of",
    "import_time_calls",
    "may_call_tree_at_import",
    "may_import_tree",
    "read_text",
    "returns_kind",
    "text_bindings",
    "text_imports",
    "top_level_imports",
]


#: The library classes and constructors whose objects a summary gives a kind.
KIND_WORDS = (
    r"\b(?:Process|Thread|Pool|ThreadPool|\w*Executor|\w*Manager|Queue|JoinableQueue|SimpleQueue"
    r"|Lock|RLock|Semaphore|BoundedSemaphore|Condition|Event|Barrier|Value|Array|Pipe)\b"
)


_FACTORY_RETURN = re.compile(r"^[ \t]+return[ \t]+[\w.]*" + KIND_WORDS + r"[ \t]*\(", re.MULTILINE)


def returns_kind(text: str, word: str) -> bool:
    """A module-level ``def`` of the (escaped) name ``word`` returns a call of a library class or
    constructor (its body: the lines up to the next one that starts at the margin)."""
    start = re.search(rf"^(?:async[ \t]+)?def[ \t]+{word}\b", text, re.MULTILINE)
    if start is None:
        return False
    end = re.compile(r"^\S", re.MULTILINE).search(text, text.find("\n", start.end()) + 1)
    body = text[start.end() : end.start() if end is not None else len(text)]
    return _FACTORY_RETURN.search(body) is not None


def read_text(path: str) -> Optional[tuple[str, str]]:
    """A module's text (undecodable bytes replaced) and the digest of its bytes, for a cheap look."""
    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except OSError:
        return None
    return data.decode("utf-8", "replace"), hashlib.sha256(data).hexdigest()


def digest_of(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


#: An import statement at the start of a line, indented or not.
_IMPORT_LINE = re.compile(
    r"^[ \t]*(?:from[ \t]+(\.*)[ \t]*([\w.]*)[ \t]+import\b|import[ \t]+([\w., \t]+))",
    re.MULTILINE,
)


#: An import statement at the margin (module level), with the names a ``from`` import takes.
_TOP_IMPORT_LINE = re.compile(
    r"^(?:from[ \t]+(\.*)[ \t]*([\w.]*)[ \t]+import[ \t]+\(?([\w, \t]*)|import[ \t]+([\w.]+))",
    re.MULTILINE,
)


def top_level_imports(text: str) -> list[tuple[int, str, str]]:
    """(level, module, local name) of the imports written at the start of a line (module level),
    cheaply; for ``from M import a, b`` also ``M.a`` and ``M.b`` (each may be a submodule)."""
    out: list[tuple[int, str, str]] = []
    for match in _TOP_IMPORT_LINE.finditer(text):
        dots, written, names, plain = match.groups()
        if plain is not None:
            out.append((0, plain, plain.partition(".")[0]))
            continue
        for item in names.split(","):
            words = item.split()
            if words:
                local = words[2] if len(words) == 3 and words[1] == "as" else words[0]
                out.append((len(dots), written, local))
                out.append((len(dots), f"{written}.{words[0]}" if written else words[0], local))
    return out


def may_import_tree(text: str) -> bool:
    """Whether an import of ``text`` may name a module of a project tree (a relative one, or one
    outside the standard library and the modelled libraries): a cheap test (a superset: imports
    anywhere, at any indentation) made before the file's project is looked for or its tree built."""
    for match in _IMPORT_LINE.finditer(text):
        dots, written, plain = match.groups()
        if plain is None:
            if dots or in_tree_candidate(written):
                return True
            continue
        for item in plain.split(","):
            words = item.split()
            if words and in_tree_candidate(words[0]):
                return True
    return False


def text_imports(text: str) -> Optional[list[tuple[int, str]]]:
    """(level, module) of what the imports of ``text`` (at any indentation) may name in a tree, for
    ``from M import a`` also ``M.a`` (a submodule, perhaps), cheaply; None when an import is written
    in a way this does not read (a line continued with a backslash)."""
    records = _import_records(text)
    if records is None:
        return None
    found: list[tuple[int, str]] = []
    for level, module, name, _, stands in records:
        if name is None or (level, module) not in found:
            found.append((level, module))
        if name is not None:
            found.append((level, stands))
    return found


def _import_records(text: str) -> Optional[list[tuple[int, str, Optional[str], str, str]]]:
    """(level, the module written, the name a ``from`` import takes or None, the local name, the
    dotted name it stands for) of the imports of ``text`` (at any indentation) that may name a
    module of a tree; None when an import is written in a way this does not read (a line continued
    with a backslash)."""
    found: list[tuple[int, str, Optional[str], str, str]] = []
    for match in _IMPORT_LINE.finditer(text):
        dots, written, plain = match.groups()
        if plain is not None:
            for item in plain.split(","):
                words = item.split()
                if not words or not in_tree_candidate(words[0]):
                    continue
                if len(words) == 3:
                    found.append((0, words[0], None, words[2], words[0]))
                else:
                    top = words[0].partition(".")[0]
                    found.append((0, words[0], None, top, top))
            continue
        if not dots and not in_tree_candidate(written):
            continue
        names = _from_names(text, match.end())
        if names is None:
            return None
        if not names:
            found.append((len(dots), written, None, "", ""))
        found.extend(
            (len(dots), written, name, local, f"{written}.{name}" if written else name)
            for name, local in names
        )
    return found


def _from_names(text: str, end: int) -> Optional[list[tuple[str, str]]]:
    """The names and local names (``a``, ``a``; ``b``, ``c``) of ``from M import a, b as c`` whose
    ``import`` ends at ``end``: parenthesized over lines or on one line; None for a line continued
    with a backslash."""
    rest = text[end:].lstrip(" \t")
    if rest.startswith("("):
        names = rest[1 : rest.find(")")] if ")" in rest else rest[1:]
    else:
        names = rest.partition("\n")[0].partition("#")[0]
        if names.rstrip().endswith("\\"):
            return None
    names = " ".join(line.partition("#")[0] for line in names.split("\n"))
    return [
        (words[0], words[2] if len(words) == 3 else words[0])
        for item in names.split(",")
        if (words := item.split()) and words[0] != "*"
    ]


def _imported_locals(text: str) -> Optional[set[str]]:
    """The local names the imports of ``text`` that may name a module of the tree bind (at any
    indentation), cheaply; None as :func:`text_imports`."""
    records = _import_records(text)
    return None if records is None else {record[3] for record in records if record[3]}


#: A name called, itself or through attributes (``f(``, ``m.f(``, ``m . f (``), or an attribute chain
#: that goes on on the next line (``m\\n    .f()`` inside brackets), which may be one.
_CALLED = re.compile(
    r"(?<![\w.])([A-Za-z_]\w*)(?:[ \t]*\.[ \t]*\w+)*(?:[ \t]*\(|[ \t]*\\?\r?\n\s*\.)"
)


def may_call_tree_at_import(text: str) -> bool:
    """Whether ``text`` may call, when it is imported, a name an import of the tree binds (see
    :func:`import_time_calls`)."""
    called = import_time_calls(text)
    return called is None or bool(called)


def import_time_calls(text: str) -> Optional[list[tuple[str, ...]]]:
    """The dotted names (``("m", "f")`` for ``m.f()``), whose first an import of the tree binds,
    that ``text`` may call when it is imported: a cheap superset of what ``astfacts.import_time``
    finds, made before CPython's tree is built; None when a call or an import is written in a way
    this does not read (an attribute chain over lines, a line continued with a backslash). A call is
    taken to be in a function's body (skipped) when the nearest line above it indented less that
    starts a ``def`` has its whole signature on that line; anything else may run at import."""
    names = _imported_locals(text)
    if names is None:
        return None
    found: list[tuple[str, ...]] = []
    if not names:
        return found
    in_body: Optional[list[bool]] = None
    starts: list[int] = []
    for match in _CALLED.finditer(text):
        if match.group(1) not in names:
            continue
        if in_body is None:
            in_body = _function_body_lines(text, starts)
        if in_body[bisect.bisect_right(starts, match.start()) - 1]:
            continue
        written = match.group(0).rstrip()
        if not written.endswith("("):
            return None  # ``m`` then ``.f()`` on the next line
        parts = tuple(part.strip() for part in written[:-1].split("."))
        if parts not in found:
            found.append(parts)
    return found


def text_bindings(text: str) -> Optional[dict[str, set[tuple[int, str]]]]:
    """Local name -> the (level, dotted name) the imports of ``text`` that may name a module of the
    tree bind it to (``a`` for ``import a.b``, ``a.b`` for ``import a.b as c``, ``M.n`` for ``from M
    import n``), at any indentation: a superset; None as :func:`import_time_calls`."""
    records = _import_records(text)
    if records is None:
        return None
    found: dict[str, set[tuple[int, str]]] = {}
    for level, _, _, local, stands in records:
        if local:
            found.setdefault(local, set()).add((level, stands))
    return found


def _function_body_lines(text: str, starts: list[int]) -> list[bool]:
    """For each line of ``text`` (its offset appended to ``starts``): whether the nearest enclosing
    line indented less that starts a ``def`` is a whole signature (then the line is in its body)."""
    out: list[bool] = []
    #: (indentation, whether the block it opens is a function's body)
    stack: list[tuple[int, bool]] = []
    offset = 0
    for line in text.split("\n"):
        starts.append(offset)
        offset += len(line) + 1
        stripped = line.lstrip(" \t")
        if not stripped or stripped.startswith("#"):
            out.append(bool(stack) and stack[-1][1])
            continue
        indent = len(line) - len(stripped)
        while stack and stack[-1][0] >= indent:
            stack.pop()
        inside = bool(stack) and stack[-1][1]
        out.append(inside)
        if stripped.startswith(("def ", "async def ")):
            whole = stripped.partition("#")[0].rstrip().endswith(":")
            stack.append((indent, whole))
        else:
            stack.append((indent, inside))
    return out


#: A line that starts a top-level statement with a name or a decorator (a signature's closing
#: bracket at the margin does not end a function).
_MARGIN = re.compile(r"^[A-Za-z_@]", re.MULTILINE)
#: A dotted name called (``f(``, ``m.f(``), or an attribute chain that goes on on the next line.
_DOTTED_CALL = re.compile(
    r"(?<![\w.])([A-Za-z_]\w*(?:[ \t]*\.[ \t]*\w+)*)(?:[ \t]*(\()|[ \t]*\\?\r?\n\s*\.)"
)


class MarginDefs:
    """The functions at the margin of a module's text, found in one pass: a ``def`` (by name, its
    offsets) and a name bound to a lambda."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.defs: dict[str, list[int]] = {}
        for match in _MARGIN_DEF.finditer(text):
            self.defs.setdefault(match.group(1), []).append(match.start())
        self.lambdas = frozenset(
            name
            for match in _MARGIN_LAMBDA.finditer(text)
            for name in re.findall(r"\w+", match.group(1))
        )
        self._calls: dict[str, tuple[bool, list[tuple[str, ...]], set[str]]] = {}

    def calls(self, name: str) -> tuple[bool, list[tuple[str, ...]], set[str]]:
        """Whether :meth:`function_text` can tell, and what the function's text calls
        (:func:`body_calls`), once per name."""
        try:
            return self._calls[name]
        except KeyError:
            pass
        sure, body = self.function_text(name)
        calls, continued = body_calls(body) if body is not None else ([], set())
        found = self._calls[name] = (sure, calls, continued)
        return found

    def function_text(self, name: str) -> tuple[bool, Optional[str]]:
        """The text of the ``def name`` at the margin (its lines up to the next top-level
        statement), as a module's summary takes its functions: (True, the text); (True, None) when
        the module has no such function (none, or two: a name bound twice is none); (False, None)
        when this cannot tell (a lambda bound at the margin, a string over lines that may reach past
        the end)."""
        found = self.defs.get(name, [])
        if len(found) != 1:
            return not (name in self.lambdas and not found), None
        text = self.text
        start = found[0]
        line_end = text.find("\n", start)
        end = _MARGIN.search(text, line_end + 1) if line_end >= 0 else None
        body = text[start : end.start() if end is not None else len(text)]
        if (body.count('"""') + body.count("'''")) % 2:
            return False, None
        return True, body


_MARGIN_DEF = re.compile(r"^(?:async[ \t]+)?def[ \t]+(\w+)", re.MULTILINE)
#: The names an assignment at the margin binds to a lambda (``f = lambda``, ``f: T = g = lambda``).
_MARGIN_LAMBDA = re.compile(r"^((?:\w+[ \t]*(?::[^=\n]*)?=[ \t]*)+)lambda\b", re.MULTILINE)


def body_calls(body: str) -> tuple[list[tuple[str, ...]], set[str]]:
    """The dotted names called in ``body`` (a superset: in strings and nested functions too), and
    the names an attribute chain that goes on on the next line starts with (each may be called)."""
    found: list[tuple[str, ...]] = []
    continued: set[str] = set()
    for match in _DOTTED_CALL.finditer(body):
        parts = tuple(part.strip() for part in match.group(1).split("."))
        if match.group(2) is None:
            continued.add(parts[0])
        elif parts not in found:
            found.append(parts)
    return found, continued


_DEFINED = re.compile(
    r"^[ \t]*(?:async[ \t]+)?def[ \t]+(\w+)|^[ \t]*(\w+)[ \t]*(?::[^=\n]*)?=[ \t]*lambda\b",
    re.MULTILINE,
)


def defined_names(text: str) -> frozenset[str]:
    """The names a ``def`` (at any indentation) or an assignment of a lambda binds in ``text``."""
    return frozenset(a or b for a, b in _DEFINED.findall(text))


def binds_kind(text: str, name: str) -> bool:
    """A line of ``text`` binds ``name`` by a class statement or an assignment that names a library
    class or constructor, or by a ``def`` whose body has a ``return`` that calls one."""
    word = re.escape(name)
    binding = re.compile(
        rf"^(?:class[ \t]+{word}\b|{word}[ \t]*(?::[^=\n]*)?=)[^\n]*" + KIND_WORDS,
        re.MULTILINE,
    )
    return binding.search(text) is not None or returns_kind(text, word)
