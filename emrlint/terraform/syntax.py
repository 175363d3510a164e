"""emrlint's own HCL syntax tree: bodies, attributes, blocks and expressions with positions.

The evaluator walks these nodes, not a parser's, so the parser behind them can change.
Two producers build them: :mod:`emrlint.terraform.syntax_ts` from tree-sitter's HCL
grammar (a C parser: fast, and nothing to build at run time), which reads every file it
accepts, and :mod:`emrlint.terraform.syntax_lark` from python-hcl2's Lark tree, which
reads the rest (see :func:`emrlint.terraform.hcl.parse_file`).  ``tests/test_syntax.py``
checks that both give the same tree over every fixture, and the same report.

Positions are 1-based lines and columns in characters (not bytes); ``end_column`` is
the column after the last character, as Lark counts.
"""

from __future__ import annotations

from typing import Any, Optional, Tuple

Pos = Tuple[int, int, int, int]  # line, column, end line, end column

# Expressions nested deeper than this are not read (a ``deep`` node, whose value is unknown):
# the evaluator stops at a depth of 200 nodes anyway, and both producers recurse per level.
MAX_NESTING = 120


class Node:
    """An expression.  ``kind`` names what it is; the other fields depend on it:

    ``literal``      value (int, float, bool or None), text (as written)
    ``template``     pieces (a quoted string: ("lit", text) / ("interp", expr) / ("if", expr)
                     / ("else",) / ("endif",) / ("for", key, value, expr) / ("endfor",), each
                     with its strip markers (left, right))
    ``heredoc``      text (the whole heredoc, markers included), trim (``<<-``)
    ``variable``     name
    ``paren``        expr
    ``tuple``        items
    ``object``       items: (key, value) where key is a ``key`` node
    ``key``          name (a bare identifier or keyword) or expr
    ``conditional``  cond, then, otherwise
    ``binary``       op, left, right
    ``unary``        op, operand
    ``call``         name (``a::b::c`` for provider functions), args, expand (``...``)
    ``traversal``    root, accessors: ("attr", name) / ("index", expr) / ("legacy", int)
    ``splat``        base, full ([*] or .*), accessors
    ``for``          object (bool), key_var, value_var, coll, key_expr, value_expr, cond, group
    ``deep``         (nested beyond :data:`MAX_NESTING`: its value is unknown)
    ``invalid``      message (an expression Terraform refuses when it is evaluated)
    """

    __slots__ = ("kind", "pos")
    FIELDS: Tuple[str, ...] = ()

    def __new__(cls, kind: str, pos: Pos, **fields: Any) -> "Node":
        # one class per kind, with a slot per field: a fifth of the memory of a dict of fields,
        # and the evaluator reads fields as plain attributes
        self = object.__new__(_KINDS.get(kind, _Other))
        self.kind = kind
        self.pos = pos
        for name, value in fields.items():
            setattr(self, name, value)
        return self

    @property
    def fields(self) -> dict:
        names = self.FIELDS if type(self) is not _Other else tuple(vars(self))
        return {n: getattr(self, n) for n in names if hasattr(self, n)}

    def dump(self) -> Any:
        """A plain, comparable form of the whole subtree (positions included)."""
        return (self.kind, self.pos, {k: _dump(v) for k, v in sorted(self.fields.items())})

    def __repr__(self) -> str:  # pragma: no cover - debugging
        return f"Node({self.kind}, {self.pos}, {self.fields})"


class _Other(Node):
    """A kind without a class of its own (``unsupported:...``)."""


_FIELDS = {
    "literal": ("value", "text"), "template": ("pieces",), "heredoc": ("text", "trim"), "variable": ("name",),
    "paren": ("expr",), "tuple": ("items",), "object": ("items",), "key": ("name", "expr"),
    "conditional": ("cond", "then", "otherwise"), "binary": ("op", "left", "right"), "unary": ("op", "operand"),
    "call": ("name", "args", "expand"), "traversal": ("root", "accessors"), "splat": ("base", "full", "accessors"),
    "for": ("object", "key_var", "value_var", "coll", "key_expr", "value_expr", "cond", "group"),
    "deep": (), "invalid": ("message",),
}
_KINDS = {kind: type(f"Node_{kind}", (Node,), {"__slots__": names, "FIELDS": names}) for kind, names in _FIELDS.items()}


def _dump(value: Any) -> Any:
    if isinstance(value, Node):
        return value.dump()
    if isinstance(value, (list, tuple)):
        return tuple(_dump(v) for v in value)
    return value


class SAttribute:
    __slots__ = ("name", "expr", "pos")

    def __init__(self, name: str, expr: Node, pos: Pos):
        self.name, self.expr, self.pos = name, expr, pos

    def dump(self) -> Any:
        return ("attribute", self.name, self.pos, self.expr.dump())


class SBlock:
    __slots__ = ("type", "labels", "body", "pos")

    def __init__(self, type_: str, labels: Tuple[str, ...], body: "SBody", pos: Pos):
        self.type, self.labels, self.body, self.pos = type_, labels, body, pos

    def dump(self) -> Any:
        return ("block", self.type, self.labels, self.pos, self.body.dump())


class SBody:
    __slots__ = ("items",)

    def __init__(self, items: Tuple[Any, ...]):
        self.items = items  # attributes and blocks in source order

    def dump(self) -> Any:
        return tuple(i.dump() for i in self.items)


class SFile:
    """A parsed file: its body, its comments (line, column, text) and, for suppressions,
    the first and last line of each outermost attribute or block by its first line."""

    __slots__ = ("body", "comments")

    def __init__(self, body: SBody, comments: Tuple[Tuple[int, int, str], ...]):
        self.body, self.comments = body, comments

    def spans(self) -> dict:
        out: dict = {}

        def walk(body: SBody) -> None:
            for item in body.items:
                out.setdefault(item.pos[0], (item.pos[0], item.pos[2]))
                if isinstance(item, SBlock):
                    walk(item.body)

        walk(self.body)
        del walk  # a function that calls itself is a reference cycle
        return out


def merge_literals(pieces: Tuple[Any, ...]) -> Tuple[Any, ...]:
    """Adjacent literal pieces as one (parsers split literal text differently; rendering,
    strip markers included, gives the same result)."""
    out: list = []
    for piece in pieces:
        if piece[0][0] == "lit" and out and out[-1][0][0] == "lit" and not out[-1][2] and not piece[1]:
            out[-1] = (("lit", out[-1][0][1] + piece[0][1]), out[-1][1], piece[2])
        else:
            out.append(piece)
    return tuple(p for p in out if not (p[0][0] == "lit" and p[0][1] == ""))


def literal(pos: Pos, text: str) -> Node:
    value: Optional[Any]
    if text in ("true", "false"):
        value = text == "true"
    elif text == "null":
        value = None
    else:
        try:
            value = int(text)
        except ValueError:
            value = float(text)
    return Node("literal", pos, value=value, text=text)
