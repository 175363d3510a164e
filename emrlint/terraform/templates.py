"""HCL string templates: ``${...}`` interpolations and ``%{if}``/``%{for}`` directives.

Quoted strings arrive parsed (the pieces of a ``template`` node of
:mod:`emrlint.terraform.syntax`); heredocs, ``templatefile`` templates and ``.tf.json``
strings arrive as raw text and are split here.  Both
become the same list of pieces, assembled into a small tree of
``Lit``/``Interp``/``If``/``For`` nodes that the evaluator renders.
"""

from __future__ import annotations

import re
from typing import List, Optional, Tuple, Union

from emrlint.record import dataclass, field
from emrlint.terraform.hcl import bounded_cache, parse_expression
from emrlint.terraform.syntax import Node as Expr
from emrlint.lazyre import lazy_re


@dataclass(frozen=True)
class Lit:
    text: str
    pos: int = field(default=-1, compare=False)  # offset in a raw template's text (-1: unknown)


@dataclass(frozen=True)
class Interp:
    expr: Optional[Expr]  # None: the expression could not be parsed (value unknown)
    pos: int = field(default=-1, compare=False)  # offset of its "${" in a raw template's text


@dataclass(frozen=True)
class If:
    cond: Optional[Expr]
    then: Tuple["Node", ...]
    otherwise: Tuple["Node", ...]


@dataclass(frozen=True)
class For:
    key: Optional[str]
    value: str
    coll: Optional[Expr]
    body: Tuple["Node", ...]


Node = Union[Lit, Interp, If, For]


class TemplateSyntaxError(Exception):
    pass


# Flat pieces before assembly: ("lit", text, offset) ("interp", expr, offset) ("if", expr) ("else",)
# ("endif",) ("for", key, value, expr) ("endfor",); plus strip flags (left, right).


def _strip(pieces: list) -> list:
    """Apply ``~`` strip markers to neighbouring literal pieces."""
    out = []
    for i, (piece, _left, _right) in enumerate(pieces):
        if piece[0] == "lit":
            text = piece[1]
            pos = piece[2] if len(piece) > 2 else -1
            if i > 0 and pieces[i - 1][2]:
                stripped = text.lstrip()
                pos = pos + len(text) - len(stripped) if pos >= 0 else pos
                text = stripped
            if i + 1 < len(pieces) and pieces[i + 1][1]:
                text = text.rstrip()
            if text:
                out.append(("lit", text, pos))
        else:
            out.append(piece)
    return out


def assemble(pieces: list) -> Tuple[Node, ...]:
    pieces = _strip(pieces)
    pos = 0

    def seq(stop: Tuple[str, ...]) -> Tuple[Tuple[Node, ...], str]:
        nonlocal pos
        nodes: List[Node] = []
        while pos < len(pieces):
            piece = pieces[pos]
            kind = piece[0]
            pos += 1
            if kind in stop:
                return tuple(nodes), kind
            if kind == "lit":
                if nodes and isinstance(nodes[-1], Lit):
                    nodes[-1] = Lit(nodes[-1].text + piece[1], nodes[-1].pos)
                else:
                    nodes.append(Lit(piece[1], piece[2]))
            elif kind == "interp":
                nodes.append(Interp(piece[1], piece[2] if len(piece) > 2 else -1))
            elif kind == "if":
                then, ended = seq(("else", "endif"))
                otherwise: Tuple[Node, ...] = ()
                if ended == "else":
                    otherwise, ended = seq(("endif",))
                if ended != "endif":
                    raise TemplateSyntaxError("%{if} without %{endif}")
                nodes.append(If(piece[1], then, otherwise))
            elif kind == "for":
                body, ended = seq(("endfor",))
                if ended != "endfor":
                    raise TemplateSyntaxError("%{for} without %{endfor}")
                nodes.append(For(piece[1], piece[2], piece[3], body))
            else:
                raise TemplateSyntaxError(f"unexpected %{{{kind}}}")
        if stop:
            return tuple(nodes), ""
        return tuple(nodes), ""

    nodes, _ = seq(())
    del seq  # a function that calls itself is a reference cycle (a scan runs without the cyclic GC)
    return nodes


_FOR_RE = lazy_re(r"^for\s+([A-Za-z_][\w-]*)\s*(?:,\s*([A-Za-z_][\w-]*)\s*)?in\s+(.+)$", re.S)


def _directive(text: str) -> tuple:
    body = text.strip()
    if body == "else":
        return ("else",)
    if body in ("endif", "endfor"):
        return (body,)
    if body.startswith("if ") or body.startswith("if\t") or body.startswith("if("):
        return ("if", parse_expression(body[2:].strip()))
    m = _FOR_RE.match(body)
    if m:
        first, second, coll = m.group(1), m.group(2), m.group(3)
        key, value = (first, second) if second else (None, first)
        return ("for", key, value, parse_expression(coll.strip()))
    raise TemplateSyntaxError(f"unknown template directive %{{{body}}}")


def _find_close(text: str, start: int) -> int:
    """Index of the ``}`` closing an interpolation whose body starts at ``start``."""
    depth = 0
    i = start
    n = len(text)
    while i < n:
        c = text[i]
        if c == '"':
            i += 1
            while i < n and text[i] != '"':
                if text[i] == "\\":
                    i += 1
                elif text.startswith("${", i):
                    j = _find_close(text, i + 2)
                    if j < 0:
                        return -1
                    i = j
                i += 1
        elif c == "{":
            depth += 1
        elif c == "}":
            if depth == 0:
                return i
            depth -= 1
        i += 1
    return -1


@bounded_cache(maxsize=2048, longest=1 << 16)
def parse_raw(text: str) -> Tuple[Node, ...]:
    """Split a raw template (heredoc body, template file, JSON string)."""
    pieces: list = []
    buf: List[str] = []
    start = 0  # where the text in buf starts
    i = 0
    n = len(text)
    while i < n:
        if text.startswith("$${", i) or text.startswith("%%{", i):
            buf.append(text[i + 1 : i + 3])
            i += 3
            continue
        if text.startswith("${", i) or text.startswith("%{", i):
            close = _find_close(text, i + 2)
            if close < 0:
                raise TemplateSyntaxError("unclosed template sequence")
            inner = text[i + 2 : close]
            left = inner.startswith("~")
            right = inner.endswith("~")
            inner = inner[1 if left else 0 : len(inner) - 1 if right else len(inner)]
            if buf:
                pieces.append((("lit", "".join(buf), start), False, False))
                buf = []
            if text[i] == "$":
                pieces.append((("interp", parse_expression(inner.strip()), i), left, right))
            else:
                pieces.append((_directive(inner), left, right))
            i = close + 1
            start = i
            continue
        buf.append(text[i])
        i += 1
    if buf:
        pieces.append((("lit", "".join(buf), start), False, False))
    return assemble(pieces)


def parse_string_tree(node: Expr) -> Tuple[Node, ...]:
    """Assemble a quoted string (a ``template`` syntax node) into template nodes."""
    pieces: list = []
    for piece, left, right in node.pieces:
        kind = piece[0]
        if kind == "lit":
            pieces.append((("lit", piece[1], -1), left, right))
        elif kind == "interp":
            pieces.append((("interp", piece[1]), left, right))
        else:
            pieces.append((piece, left, right))
    return assemble(pieces)
