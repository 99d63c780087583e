"""Helpers that several rules share.

Not a rule: the registry skips the modules of ``mplint.rules`` whose name starts with ``_``.
"""

from __future__ import annotations

import io
import tokenize
from collections.abc import Callable, Iterable
from typing import Optional, Union

import libcst as cst

from mplint.diagnostics import Related
from mplint.edits import InsertAfter, InsertBefore, NodeEdit
from mplint.kinds import Kind
from mplint.model import ClassInfo, Model, SelfAttr, Submission, positional_args
from mplint.model.syntax import descendants, is_main_guard_test
from mplint.source import split_lines_keepends

# ``descendants`` is the model's subtree walk (``mplint.model.syntax``), offered here with the rest.
__all__ = [
    "Definition",
    "calls_and_names",
    "comments_above",
    "descendants",
    "ends_the_program",
    "expression_line",
    "handed_definitions",
    "indentation",
    "name_assignment",
    "positional_arity",
    "spelling_with_import",
    "wrapping_block_text",
]


def expression_line(
    statement: Optional[cst.CSTNode], expr: cst.BaseExpression
) -> Optional[cst.SimpleStatementLine]:
    """``statement`` when it is a line holding nothing but the expression statement ``expr`` (``p.start()``
    alone on its line: a fix can insert a line before or after it), else None."""
    if (
        isinstance(statement, cst.SimpleStatementLine)
        and len(statement.body) == 1
        and isinstance(statement.body[0], cst.Expr)
        and statement.body[0].value is expr
    ):
        return statement
    return None


def name_assignment(statement: Optional[cst.CSTNode]) -> Optional[tuple[cst.Assign, cst.Name]]:
    """For a line holding nothing but ``name = value`` (one target, a plain name): the assignment and
    the name; else None. Such a line can be rewritten whole by a fix."""
    if not (isinstance(statement, cst.SimpleStatementLine) and len(statement.body) == 1):
        return None
    assign = statement.body[0]
    if not (isinstance(assign, cst.Assign) and len(assign.targets) == 1):
        return None
    target = assign.targets[0].target
    return (assign, target) if isinstance(target, cst.Name) else None


def comments_above(statement: cst.SimpleStatementLine) -> list[cst.EmptyLine]:
    """The comment lines right above ``statement`` (no blank line in between), at its indentation: the
    ones that describe it. A fix that inserts a line before the statement goes above them; one that moves
    the statement takes them along."""
    found: list[cst.EmptyLine] = []
    for line in reversed(statement.leading_lines):
        if line.comment is None or not line.indent:
            break
        found.insert(0, line)
    return found


def indentation(module: cst.Module, ancestors: Iterable[cst.CSTNode]) -> str:
    """The indentation of a statement whose ancestors (innermost first) are ``ancestors``."""
    levels = [
        module.default_indent if a.indent is None else a.indent
        for a in ancestors
        if isinstance(a, cst.IndentedBlock)
    ]
    return "".join(reversed(levels))


def wrapping_block_text(
    module: cst.Module, block: cst.BaseCompoundStatement, indent: str, *, levels: int = 1
) -> Optional[str]:
    """The text of ``block``, a new compound statement (``if __name__ == "__main__":``, ``with``) whose body
    is statements moved one level deeper, for a fix that replaces their lines; ``indent`` is the
    indentation of the first moved statement, which the engine puts back before every following line.
    ``levels`` says how far the statements moved: 1 (one level deeper), 0 (where they were: a block
    rewritten around them) or -1 (one level out: a definition taken out of a block).

    Every line ends in ``\n`` (the engine writes the file's own line ending: libcst's text already holds
    it, and it must not be doubled). A blank line stays empty, not indented whitespace. A line continuing a
    statement after a backslash, which libcst leaves as it was, moves with its statement. None when a line
    cannot be re-indented safely: the continuation lines of a multi-line string when ``indent`` is not
    empty (the engine would change the string's value), or text that does not tokenize.
    """
    code = module.code_for_node(block)
    lines = [line.rstrip("\r\n") for line in split_lines_keepends(code)]
    while lines and not lines[-1].strip():
        lines.pop()
    in_string, continued = _line_roles(lines)
    if in_string is None or continued is None:
        return None
    out: list[str] = []
    for number, line in enumerate(lines, start=1):
        if number in in_string:
            if indent:
                return None  # the engine would indent the inside of the string
            out.append(line)
        elif not line.strip():
            out.append("")
        elif number in continued:
            if not line.startswith(indent):
                return None
            unit = module.default_indent
            rest = line[len(indent) :]
            if levels > 0:
                rest = unit * levels + rest
            elif levels < 0 and rest.startswith(unit * -levels):
                rest = rest[len(unit) * -levels :]
            out.append(rest)
        else:
            out.append(line)
    return "\n".join(out)


def _line_roles(lines: list[str]) -> tuple[Optional[set[int]], Optional[set[int]]]:
    """The numbers of the lines that start inside a string literal, and of those that continue a
    statement after a backslash (not inside a string); (None, None) when the text does not tokenize."""
    in_string: set[int] = set()
    ended: set[int] = set()
    source = "".join(f"{line}\n" for line in lines)
    string_start: list[int] = []
    try:
        for token in tokenize.generate_tokens(io.StringIO(source).readline):
            name = tokenize.tok_name[token.type]
            if name in ("NEWLINE", "NL"):
                ended.add(token.start[0])
            elif name == "STRING":
                in_string.update(range(token.start[0] + 1, token.end[0] + 1))
            elif name == "FSTRING_START":  # Python 3.12+: an f-string is several tokens
                string_start.append(token.start[0])
            elif name == "FSTRING_END" and string_start:
                in_string.update(range(string_start.pop() + 1, token.end[0] + 1))
    except (tokenize.TokenError, SyntaxError):
        return None, None
    continued = {
        number
        for number in range(2, len(lines) + 1)
        if number - 1 not in ended and number not in in_string
    }
    return in_string, continued


def positional_arity(model: Model, expr: cst.BaseExpression) -> Optional[tuple[int, Optional[int]]]:
    """How many positional arguments calling ``expr`` needs and accepts: (required, maximum), the
    maximum None with ``*args``. For functions and lambdas of this module, ``self.method`` (bound),
    ``Class.method`` (unbound, or a static/class method) and ``functools.partial`` of them. None when
    unknown: other decorators, a partial binding a parameter by keyword, anything else."""
    bound = 0
    target = expr
    if isinstance(expr, cst.Call):
        if model.qualname(expr.func) != "functools.partial" or any(a.star for a in expr.args):
            return None
        positional = positional_args(expr)
        if not positional:
            return None
        target = positional[0].value
        bound = len(positional) - 1
        keywords = {a.keyword.value for a in expr.args if a.keyword is not None}
    else:
        keywords = set()
    function = model.names.resolve_function(target)
    if function is None and not isinstance(target, cst.Call) and not keywords:
        return _imported_arity(model, target, bound)
    if function is None or isinstance(target, cst.Call):
        return None
    skip = 0
    if isinstance(function, cst.FunctionDef):
        decorators: set[str] = set()
        for decorator in function.decorators:
            if not isinstance(decorator.decorator, cst.Name):
                return None
            decorators.add(decorator.decorator.value)
        if decorators - {"staticmethod", "classmethod"}:
            return None
        if model.names.is_method(function):
            key = model.binding_key(target) if isinstance(target, cst.Attribute) else None
            if "classmethod" in decorators or (key is not None and isinstance(key, SelfAttr)):
                skip = 1  # cls / self is passed by the binding
            elif not (
                isinstance(target, cst.Attribute)
                and model.names.resolve_class(target.value) is not None
            ):
                return None
    params = function.params
    positional_params = [*params.posonly_params, *params.params][skip:]
    cut = next(
        (i for i, p in enumerate(positional_params) if p.name.value in keywords),
        None,
    )
    if cut is not None:
        # a parameter bound by keyword can no longer be given by position: the ones before it can
        if any(p.default is None and p.name.value not in keywords for p in positional_params[cut:]):
            return None
        positional_params = positional_params[:cut]
    required = sum(1 for p in positional_params if p.default is None)
    maximum: Optional[int] = None
    if cut is not None or not isinstance(params.star_arg, cst.Param):
        maximum = len(positional_params) - bound
        if maximum < 0:
            return None
    return max(required - bound, 0), maximum


def spelling_with_import(
    model: Model, qualname: str, at: cst.CSTNode
) -> Optional[tuple[str, tuple[NodeEdit, ...]]]:
    """How a fix spells ``qualname`` at ``at`` (``model.importer.import_spelling``), with the edit that
    adds the import the spelling needs (none when it needs none); None when it cannot be spelled there,
    or the module has no place for a new import."""
    spelled = model.importer.import_spelling(qualname, at)
    if spelled is None:
        return None
    text, import_line = spelled
    if import_line is None:
        return text, ()
    anchor = model.importer.import_anchor()
    if anchor is None:
        return None
    statement, after = anchor
    insert = InsertAfter if after else InsertBefore
    return text, (insert(statement, import_line),)


def _imported_arity(
    model: Model, target: cst.BaseExpression, bound: int
) -> Optional[tuple[int, Optional[int]]]:
    """The arity of a function imported from another module of the project, as its summary gives
    it (the same judgement, made in that module), less ``bound`` arguments."""
    found = model.imported.function(target)
    if found is None or found[0].arity is None:
        return None
    required, maximum = found[0].arity
    if maximum is not None:
        maximum -= bound
        if maximum < 0:
            return None
    return max(required - bound, 0), maximum


def imported_definition(model: Model, expr: cst.BaseExpression, what: str) -> tuple[Related, ...]:
    """Where the function ``expr`` names is defined, when it is imported from another module of the
    project (``functools.partial(f, …)`` names ``f``): a related location ``what`` there."""
    if isinstance(expr, cst.Call) and model.qualname(expr.func) == "functools.partial":
        positional = positional_args(expr)
        if not positional:
            return ()
        expr = positional[0].value
    found = model.imported.function(expr)
    if found is None:
        return ()
    facts, summary = found
    span = facts.span
    where = model.imported.display_path(summary)
    return (Related(where, span.line, span.column, span.end_line, span.end_column, what),)


def is_docstring(statement: cst.BaseStatement) -> bool:
    """A statement that is only a string: the docstring when it opens a body."""
    return (
        isinstance(statement, cst.SimpleStatementLine)
        and len(statement.body) == 1
        and isinstance(statement.body[0], cst.Expr)
        and isinstance(statement.body[0].value, (cst.SimpleString, cst.ConcatenatedString))
    )


Definition = Union[cst.FunctionDef, cst.ClassDef]


def handed_definitions(
    model: Model,
    submission: Submission,
    definition_of: Callable[[cst.BaseExpression], Optional[Definition]],
    instance_definition: Callable[[cst.Name], Optional[Definition]],
) -> list[tuple[cst.CSTNode, Definition]]:
    """What a submission hands to its child that a rule finds defined where the child cannot look it
    up: the callable, when ``definition_of`` names its definition, and among the other arguments the
    calls of such a class (``Job(n)``) and the names ``instance_definition`` finds an instance of one
    in. Each with the expression to report and the definition."""
    out: list[tuple[cst.CSTNode, Definition]] = []
    definition = definition_of(submission.callable)
    if definition is not None:
        out.append((submission.callable, definition))
    for arg in submission.call.args:
        if arg.value is submission.callable or model.contains(arg.value, submission.callable):
            continue
        for node in calls_and_names(arg.value):
            found: Optional[Definition] = None
            if isinstance(node, cst.Call):
                candidate = definition_of(node.func)
                if isinstance(candidate, cst.ClassDef):
                    found = candidate
            elif isinstance(node, cst.Name):
                found = instance_definition(node)
            if found is not None:
                out.append((node, found))
    return out


def calls_and_names(expr: cst.CSTNode) -> list[cst.CSTNode]:
    """Calls and names in an argument expression (not inside lambdas)."""
    out: list[cst.CSTNode] = []
    stack = [expr]
    while stack:
        node = stack.pop()
        if isinstance(node, cst.Lambda):
            continue
        if isinstance(node, (cst.Call, cst.Name)):
            out.append(node)
        if isinstance(node, cst.Attribute):
            stack.append(node.value)
            continue
        if isinstance(node, cst.Arg):
            stack.append(node.value)
            continue
        stack.extend(node.children)
    return out


# --- the end of the parent's life --------------------------------------------------------------------
_END_BLOCKS = (cst.If, cst.Else, cst.For, cst.While, cst.Try, cst.Finally)


def ends_the_program(model: Model, node: cst.CSTNode) -> bool:
    """The statement holding ``node`` is the last thing the program does (trailing ``print()`` lines
    aside; a loop counts as a whole): it ends the ``__main__`` guard, or ends a function (or a method
    of an instance) whose call ends the guard. The interpreter then exits, and its exit handler
    (``multiprocessing/util.py`` ``_exit_function``) finalizes and joins what is left."""
    statement = model.statement_of(node)
    if statement is None:
        return False
    end = _climb_to_end(model, statement)
    if isinstance(end, cst.If):
        return True
    if not isinstance(end, cst.FunctionDef):
        return False
    name = end.name.value
    calls = [
        call
        for call in model.tree.calls
        if isinstance(call.func, cst.Name)
        and call.func.value == name
        and model.names.resolve_function(call.func) is end
    ]
    calls.extend(model.valueflow.method_calls_to(end))  # ``App().run()``, ``app.run()``
    for call in calls:
        line = model.statement_of(call)
        if (
            line is not None
            and _bare_call(line) is call
            and isinstance(_climb_to_end(model, line), cst.If)
        ):
            return True
    return False


def _climb_to_end(model: Model, statement: cst.CSTNode) -> Optional[cst.CSTNode]:
    """From a statement, climb while it is the last effective statement of its block (loops count as a
    whole); the ``__main__`` guard or the function whose end it reaches, else None."""
    current = statement
    while True:
        block = model.parent(current)
        if not isinstance(block, cst.IndentedBlock):
            return None
        owner = model.parent(block)
        if (
            not isinstance(owner, (cst.For, cst.While))
            and _last_effective(model, block) is not current
        ):
            return None
        if isinstance(owner, cst.FunctionDef):
            return owner
        if isinstance(owner, cst.If) and is_main_guard_test(owner.test) is True:
            return owner if isinstance(model.parent(owner), cst.Module) else None
        if isinstance(owner, (cst.Else, cst.Finally)):
            owner = model.parent(owner)
        if not isinstance(owner, _END_BLOCKS):
            return None
        if isinstance(owner, cst.Try) and owner.finalbody is not None:
            return None
        current = owner
        while isinstance(model.parent(current), cst.If):
            outer = model.parent(current)  # an ``elif``: the chain's first ``if``
            assert outer is not None
            current = outer


def _last_effective(model: Model, block: cst.IndentedBlock) -> Optional[cst.CSTNode]:
    """The block's last statement, skipping trailing ``print(...)`` lines."""
    for statement in reversed(block.body):
        call = _bare_call(statement)
        if (
            call is not None
            and isinstance(call.func, cst.Name)
            and call.func.value == "print"
            and model.qualname(call.func) in (None, "builtins.print", "print")
        ):
            continue
        return statement
    return None


def _bare_call(statement: Optional[cst.CSTNode]) -> Optional[cst.Call]:
    if (
        isinstance(statement, cst.SimpleStatementLine)
        and len(statement.body) == 1
        and isinstance(statement.body[0], cst.Expr)
        and isinstance(statement.body[0].value, cst.Call)
    ):
        return statement.body[0].value
    return None


# --- values kept in attributes past a ``with`` block ----------------------------------------------------
def self_used_after(model: Model, block: cst.With, after: cst.CSTNode) -> bool:
    """After ``after``, the ``with`` block (in a method) calls a method of ``self``, hands ``self`` or
    one of its bound methods on: that code may use what the block keeps in ``self`` while the block
    still runs. True outside a method."""
    function = model.enclosing_function_node(block)
    if not isinstance(function, cst.FunctionDef) or not function.params.params:
        return True
    me = function.params.params[0].name.value
    info = model.names.enclosing_class(function)
    for name in model.tree.name_uses(me):
        if not model.contains(block.body, name) or not model.precedes(after, name):
            continue
        parent = model.parent(name)
        if not (isinstance(parent, cst.Attribute) and parent.value is name):
            return True
        grand = model.parent(parent)
        if isinstance(grand, cst.Call) and grand.func is parent:
            return True
        if info is None or model.names.class_method(info, parent.attr.value) is not None:
            return True  # a bound method handed on
    return False


def attribute_reads_around_block(
    model: Model, key: SelfAttr, block: cst.With, after: cst.CSTNode
) -> tuple[list[cst.Attribute], list[cst.Attribute]]:
    """The reads of the attribute ``key`` in the ``with`` block after ``after``, and those that run
    once the block has ended: later in the block's function, or in any other function (which runs
    before the block's function or after its block, when the block calls no method of ``self`` — see
    :func:`self_used_after`), each in source order. Assignments to it and its use as the receiver of a
    storing method (``self.pending.append(h)``) are not reads."""
    function = model.enclosing_function_node(block)
    end = model.tree.end.get(block, 0)
    inside: list[cst.Attribute] = []
    later: list[cst.Attribute] = []
    for read in model.valueflow.attribute_loads(key):
        if model.valueflow.target_source(read) is not None or _stores_into(model, read):
            continue
        if model.contains(block.body, read):
            if model.precedes(after, read):
                inside.append(read)
            continue
        home = model.enclosing_function_node(read)
        if home is function:
            if model.tree.order.get(read, 0) >= end:
                later.append(read)
        elif function is None or not model.contains(function, read):
            later.append(read)
    return inside, later


def _stores_into(model: Model, read: cst.Attribute) -> bool:
    """``self.pending.append(h)``: the attribute as the receiver of a storing method."""
    parent = model.parent(read)
    grand = model.parent(parent) if parent is not None else None
    return (
        isinstance(parent, cst.Attribute)
        and parent.value is read
        and parent.attr.value in ("append", "appendleft", "add", "insert", "extend")
        and isinstance(grand, cst.Call)
        and grand.func is parent
    )


def lineage_methods(model: Model, info: ClassInfo) -> tuple[set[str], set[str]]:
    """The methods a class of this module and its bases of the module define, and those they call on
    their instance (``self.start()``)."""
    lineage = list(model.names.lineage(info))
    defined = {name for cls in lineage for name in cls.methods}
    called: set[str] = set()
    for cls in lineage:
        for function in cls.methods.values():
            params = function.params.params
            for call in model.callgraph.function_calls(function) if params else ():
                func = call.func
                if (
                    isinstance(func, cst.Attribute)
                    and isinstance(func.value, cst.Name)
                    and func.value.value == params[0].name.value
                ):
                    called.add(func.attr.value)
    return defined, called


def class_methods(model: Model, kind: Kind) -> Optional[tuple[set[str], set[str]]]:
    """:func:`lineage_methods` of the class of an instance (``kind.cls``), of this module or imported
    from another module of the project (read from its summary). None when the class is unknown."""
    if kind.cls is None:
        return None
    info = model.names.classes.get(kind.cls)
    if info is not None:
        return lineage_methods(model, info)
    facts = model.imported.class_facts(kind)
    return None if facts is None else (set(facts.methods), set(facts.self_calls))
