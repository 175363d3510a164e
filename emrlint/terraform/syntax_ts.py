"""HCL parsed by tree-sitter (the ``tree-sitter`` and ``tree-sitter-hcl`` wheels) into
emrlint's syntax tree (:mod:`emrlint.terraform.syntax`).

The grammar is compiled C shipped in the wheel: loading it takes milliseconds and
nothing is built or written at run time.  A file with a syntax error raises
:class:`SyntaxProblem` with the position of the first error node.
"""

from __future__ import annotations

import functools
import re
import sys
from typing import Any, List, Optional, Tuple

from emrlint.terraform.syntax import MAX_NESTING, Node, Pos, SAttribute, SBlock, SBody, SFile, literal, merge_literals
from emrlint.lazyre import lazy_re


class SyntaxProblem(Exception):
    def __init__(self, message: str, line: int, column: int):
        super().__init__(message)
        self.message, self.line, self.column = message, line, column


@functools.lru_cache(maxsize=1)
def _parser() -> Any:
    import tree_sitter_hcl
    from tree_sitter import Language, Parser

    return Parser(Language(tree_sitter_hcl.language()))


class _Source:
    """Byte positions to 1-based character columns."""

    def __init__(self, data: bytes):
        self.data = data
        self.depth = 0  # expressions being read, one inside another
        self.ascii = data.isascii()
        self.lines = data.split(b"\n") if not self.ascii else None

    def col(self, point: Any) -> int:
        row, col = point
        if self.ascii:
            return col + 1
        return len(self.lines[row][:col].decode("utf-8", "replace")) + 1

    def pos(self, node: Any) -> Pos:
        start, end = node.start_point, node.end_point
        if self.ascii:
            return (start[0] + 1, start[1] + 1, end[0] + 1, end[1] + 1)
        return (start[0] + 1, self.col(start), end[0] + 1, self.col(end))

    def text(self, node: Any) -> str:
        return self.data[node.start_byte:node.end_byte].decode("utf-8", "replace")

    def name(self, node: Any, namespaced: bool = False) -> str:
        """An identifier's text, interned: the same names recur through a tree.  tree-sitter's
        grammar lets any identifier hold ``::``; HCL (and python-hcl2) only a function's name
        (``provider::aws::arn_parse``): elsewhere it is a syntax error."""
        raw = self.data[node.start_byte:node.end_byte]
        if not namespaced and b"::" in raw:
            raise SyntaxProblem("HCL syntax error", node.start_point[0] + 1, self.col(node.start_point))
        return sys.intern(raw.decode("utf-8", "replace"))

    def point(self, offset: int) -> Tuple[int, int]:
        """1-based (line, column) of a byte offset."""
        line = self.data.count(b"\n", 0, offset)
        start = self.data.rfind(b"\n", 0, offset) + 1
        return line + 1, len(self.data[start:offset].decode("utf-8", "replace")) + 1

    def trailing_newlines(self, offset: int) -> Optional[Tuple[int, int]]:
        """Where the new lines and comments right after ``offset`` end, if any: python-hcl2's
        grammar makes them part of a binary operation that ends a line."""
        m = _TRAILING.match(self.data, offset)
        return self.point(m.end()) if m and m.end() > offset and m.group(1) else None


# an HCL number (tree-sitter's grammar also takes 1_000 and 0x22)
_NUMBER = lazy_re(r"[0-9]+(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?\Z")

# python-hcl2's NL_OR_COMMENT tokens, with the blanks it ignores between them
_TRAILING = lazy_re(rb"[ \t\r]*((?:(?:\n[ \t]*|#[^\n]*\n|//[^\n]*\n|/\*(?:.|\n)*?\*/)[ \t\r]*)*)", re.S)


def parse(data: bytes, with_comments: bool = True) -> SFile:
    """Parse a file; its comments are collected only ``with_comments`` (they are needed
    for suppressions, and a walk of the whole tree costs a fifth of the time)."""
    tree = _parser().parse(data)
    src = _Source(data)
    root = tree.root_node
    if root.has_error:
        bad = _first_error(root)
        raise SyntaxProblem("HCL syntax error", bad.start_point[0] + 1, src.col(bad.start_point))
    comments: List[Tuple[int, int, str]] = []
    body = next((c for c in root.children if c.type == "body"), None)
    if with_comments:
        _comments(root, src, comments)
    return SFile(_body(body, src) if body is not None else SBody(()), tuple(comments))


def parse_expression(text: str) -> Optional[Node]:
    """A standalone expression (a template interpolation), positioned as python-hcl2's
    parse of ``__e = <text>`` places it; None if it does not parse."""
    if "\n" in text.strip():
        text = "(" + text + ")"
    try:
        parsed = parse(("__e = " + text + "\n").encode(), with_comments=False)
    except SyntaxProblem:
        return None
    items = parsed.body.items
    return items[0].expr if len(items) == 1 and isinstance(items[0], SAttribute) else None


def _first_error(node: Any) -> Any:
    if node.type == "ERROR" or node.is_missing:
        return node
    for child in node.children:
        if child.has_error:
            return _first_error(child)
    return node


def _comments(node: Any, src: _Source, out: List[Tuple[int, int, str]]) -> None:
    for child in _comment_nodes(node):
        text = src.text(child)
        if text.startswith(("#", "//")):  # to the end of its line, trailing blanks included (as python-hcl2 has it)
            end = src.data.find(b"\n", child.start_byte)
            text = src.data[child.start_byte:end if end >= 0 else len(src.data)].decode("utf-8", "replace")
        for i, raw in enumerate(text.split("\n")):
            if raw.lstrip(" \t").startswith(("#", "//")):
                out.append((child.start_point[0] + 1 + i, src.col(child.start_point) if i == 0 else
                            len(raw) - len(raw.lstrip(" \t")) + 1, raw.lstrip(" \t").rstrip("\r")))


@functools.lru_cache(maxsize=1)
def _comment_query() -> Any:
    import tree_sitter_hcl
    from tree_sitter import Language, Query, QueryCursor

    query = Query(Language(tree_sitter_hcl.language()), "(comment) @comment")
    return lambda node: QueryCursor(query).captures(node).get("comment", [])


def _comment_nodes(root: Any) -> List[Any]:
    """The comment nodes of a tree in source order, found by a tree-sitter query (in C: a
    walk of the whole tree in Python costs a fifth of the parse)."""
    return sorted(_comment_query()(root), key=lambda n: n.start_byte)


def _body(node: Any, src: _Source) -> SBody:
    return _rows_body(node, src)[0]


def _rows_body(node: Any, src: _Source) -> Tuple[SBody, int]:
    """A body, and the row its last attribute or block ends on (-1: none)."""
    items: List[Any] = []
    last_row = -1  # the row the previous attribute or block ended on
    for child in node.children:
        t = child.type
        if t == "attribute":
            start = child.start_point
            if start[0] <= last_row:  # HCL: one attribute or block per line
                _newline_problem(child, src)
            last_row = child.end_point[0]
            kids = child.children
            name = src.name(kids[0])
            expr = kids[2] if len(kids) > 2 else None
            if expr is None or expr.type != "expression":
                expr = next(c for c in kids if c.type == "expression")
            if expr.start_point[0] != start[0]:  # "name =" then the value on another line
                _newline_problem(expr, src)
            value = _expr(expr, src)
            line, column = (start[0] + 1, start[1] + 1) if src.ascii else (start[0] + 1, src.col(start))
            vpos = value.pos
            items.append(SAttribute(name, value, (line, column, vpos[2], vpos[3])))
        elif t == "block":
            start = child.start_point
            row = start[0]
            if row <= last_row:
                _newline_problem(child, src)
            last_row = child.end_point[0]
            kids = child.children
            labels = []
            opener = closer = inner_node = None
            for c in kids[1:]:
                ct = c.type
                if ct in ("identifier", "string_lit", "block_start") and c.start_point[0] != row:
                    _newline_problem(c, src)  # a block's type, labels and "{" are on one line
                if ct == "identifier":
                    labels.append(src.name(c))
                elif ct == "string_lit":
                    labels.append("".join(src.text(p) for p in c.children if p.type == "template_literal"))
                elif ct == "block_start":
                    if opener is None:
                        opener = c
                elif ct == "body":
                    if inner_node is None:
                        inner_node = c
                elif ct == "block_end":
                    if closer is None:
                        closer = c
            if inner_node is not None:
                inner, inner_last = _rows_body(inner_node, src)
                if closer is not None and opener is not None and inner_last >= 0 and \
                        inner_node.start_point[0] != opener.start_point[0] and closer.start_point[0] <= inner_last:
                    _newline_problem(closer, src)  # "}" after the last attribute, on its line
            else:
                inner = SBody(())
            items.append(SBlock(src.name(kids[0]), tuple(labels), inner, src.pos(child)))
    return SBody(tuple(items)), last_row


def _newline_problem(node: Any, src: _Source) -> None:
    """HCL's bodies are line-based (tree-sitter's grammar reads new lines there as blanks):
    a new line where HCL has none, or none where it needs one, is a syntax error."""
    raise SyntaxProblem("HCL syntax error", node.start_point[0] + 1, src.col(node.start_point))


def _named(node: Any) -> List[Any]:
    return [c for c in node.children if c.is_named and c.type != "comment"]


def _expr(node: Any, src: _Source) -> Node:
    """An ``expression`` node: a primary term, then attribute, index and splat suffixes."""
    if src.depth >= MAX_NESTING:
        return Node("deep", src.pos(node))
    kids = node.children
    src.depth += 1  # not restored on a SyntaxProblem: that ends the parse
    if len(kids) == 1:  # a term without suffixes (the most common expression)
        out = _term(kids[0], src)
    else:
        out = _seq([c for c in kids if c.type != "comment"], src.pos(node), src)
    src.depth -= 1
    return out


def _seq(kids: List[Any], pos: Pos, src: _Source) -> Node:
    """A primary term and its suffixes (the children of an ``expression``, or an operand
    of an operation, which tree-sitter's grammar does not wrap)."""
    if kids and kids[0].type == "(":
        close = next(i for i, c in enumerate(kids) if c.type == ")")
        base = Node("paren", _span(src, kids[0], kids[close]), expr=_operand(kids[1:close], src))
        rest = kids[close + 1:]
    else:
        base = _term(kids[0], src)
        if len(kids) == 1:
            return base  # a term without suffixes (the most common expression)
        rest = kids[1:]
    accessors: List[Tuple[str, Any]] = []
    splat: Optional[Tuple[bool, List[Tuple[str, Any]]]] = None
    for suffix in rest:
        if suffix.type == "splat":
            kind = suffix.children[0]
            splat = (kind.type == "full_splat", [_accessor(a, src) for a in _named(kind)])
            continue
        acc = _accessor(suffix, src)
        if splat is not None:
            splat[1].append(acc)
        else:
            accessors.append(acc)
    if accessors:  # placed at the whole expression below, unless a splat follows
        end = rest[len(accessors) - 1]
        base = Node("traversal", _span(src, kids[0], end) if splat is not None else pos, root=base,
                    accessors=tuple(accessors))
    if splat is not None:
        base = Node("splat", pos, base=base, full=splat[0], accessors=tuple(splat[1]))
    if base.kind in ("traversal", "splat") or kids[0].type == "(":
        base.pos = pos
    return base


def _span(src: _Source, first: Any, last: Any) -> Pos:
    return (first.start_point[0] + 1, src.col(first.start_point), last.end_point[0] + 1, src.col(last.end_point))


def _accessor(node: Any, src: _Source) -> Tuple[str, Any]:
    if node.type == "get_attr":
        return ("attr", src.name(_named(node)[0]))
    inner = _named(node)[0] if node.type == "index" else node
    if inner.type == "legacy_index":
        return ("legacy", int(src.text(inner)[1:]))
    return ("index", _expr(next(c for c in inner.children if c.type == "expression"), src))


def _term(node: Any, src: _Source) -> Node:
    t = node.type
    pos = src.pos(node)
    if t == "literal_value":
        inner = node.children[0]
        if inner.type == "string_lit":
            return Node("template", pos, pieces=_pieces(inner, src))
        text = src.text(inner)
        if inner.type == "numeric_lit" and not _NUMBER.match(text):  # 1_000, 0x22: not HCL numbers
            raise SyntaxProblem("HCL syntax error", inner.start_point[0] + 1, src.col(inner.start_point))
        return literal(pos, text)
    if t == "variable_expr":
        return Node("variable", pos, name=src.name(node.children[0]))
    if t == "collection_value":
        return _collection(node.children[0], src)
    if t == "template_expr":
        inner = node.children[0]
        if inner.type == "heredoc_template":
            start = inner.children[0]
            text = src.text(inner)
            if src.data[node.end_byte:node.end_byte + 1] == b"\n":  # python-hcl2's token holds it
                text += "\n"
                pos = (pos[0], pos[1], pos[2] + 1, 1)
            elif src.data[node.end_byte:node.end_byte + 2] == b"\r\n":
                text += "\r\n"
                pos = (pos[0], pos[1], pos[2] + 1, 1)
            return Node("heredoc", pos, text=text, trim=src.text(start) == "<<-")
        return Node("template", pos, pieces=_pieces(inner, src))
    if t == "function_call":
        name = src.name(node.children[0], namespaced=True)
        args_node = next((c for c in node.children if c.type == "function_arguments"), None)
        args = [_expr(a, src) for a in _named(args_node) if a.type == "expression"] if args_node is not None else []
        expand = args_node is not None and any(c.type == "ellipsis" for c in args_node.children)
        return Node("call", pos, name=name, args=tuple(args), expand=expand)
    if t == "operation":
        op = node.children[0]
        parts = [c for c in op.children if c.type != "comment"]
        if op.type == "unary_operation":
            operand = _operand(parts[1:], src)
            if (src.text(parts[0]) == "-" and operand.kind == "literal" and parts[0].end_byte == parts[1].start_byte
                    and _NUMBER.match(operand.text) and (not operand.text.isdigit() or len(operand.text) > 1)):
                return literal(pos, "-" + operand.text)  # python-hcl2 reads -12 and -2.5 (not -2) as one number
            return Node("unary", pos, op=src.text(parts[0]), operand=operand)
        at = _operator_at(parts)
        end = src.trailing_newlines(node.end_byte)
        if end is not None:
            pos = (pos[0], pos[1]) + end
        return Node("binary", pos, op=src.text(parts[at]), left=_operand(parts[:at], src),
                    right=_operand(parts[at + 1:], src))
    if t == "conditional":
        exprs = [c for c in node.children if c.type == "expression"]
        return Node("conditional", pos, cond=_expr(exprs[0], src), then=_expr(exprs[1], src),
                    otherwise=_expr(exprs[2], src))
    if t == "for_expr":
        return _for(node.children[0], src)
    raise SyntaxProblem(f"unexpected {t}", node.start_point[0] + 1, src.col(node.start_point))


def _operator_at(parts: List[Any]) -> int:
    """Where the operator is among a binary operation's children (its operands are not
    wrapped: ``(`` ... ``)`` and suffixes are siblings of the operator)."""
    depth = 0
    for i, c in enumerate(parts):
        if c.type == "(":
            depth += 1
        elif c.type == ")":
            depth -= 1
        elif not c.is_named and depth == 0 and i > 0:
            return i
    raise ValueError("no operator")


def _operand(parts: List[Any], src: _Source) -> Node:
    if len(parts) == 1 and parts[0].type == "expression":
        return _expr(parts[0], src)
    return _seq(parts, _span(src, parts[0], parts[-1]), src)


def _collection(node: Any, src: _Source) -> Node:
    pos = src.pos(node)
    if node.type == "tuple":
        return Node("tuple", pos, items=tuple(_expr(c, src) for c in node.children if c.type == "expression"))
    items = []
    for elem in (c for c in node.children if c.type == "object_elem"):
        exprs = [c for c in elem.children if c.type == "expression"]
        key_node, value = exprs[0], exprs[1]
        key_kids = [c for c in key_node.children if c.type != "comment"]
        if len(key_kids) == 1 and key_kids[0].type == "variable_expr":
            key = Node("key", src.pos(key_node), name=src.name(key_kids[0]))
        else:
            key = Node("key", src.pos(key_node), expr=_expr(key_node, src))
        items.append((key, _expr(value, src)))
    return Node("object", pos, items=tuple(items))


def _for(node: Any, src: _Source) -> Node:
    intro = next(c for c in node.children if c.type == "for_intro")
    names = [src.name(c) for c in intro.children if c.type == "identifier"]
    coll = next(c for c in intro.children if c.type == "expression")
    key_var, value_var = (names[0], names[1]) if len(names) == 2 else (None, names[0])
    exprs = [c for c in node.children if c.type == "expression"]
    cond = next((c for c in node.children if c.type == "for_cond"), None)
    is_object = node.type == "for_object_expr"
    return Node("for", src.pos(node), object=is_object, key_var=key_var, value_var=value_var, coll=_expr(coll, src),
                key_expr=_expr(exprs[0], src) if is_object else None,
                value_expr=_expr(exprs[1] if is_object else exprs[0], src),
                cond=_expr(next(c for c in cond.children if c.type == "expression"), src) if cond is not None else None,
                group=any(c.type == "ellipsis" for c in node.children))


_MARKERS = {"template_if_intro": "if", "template_else_intro": "else", "template_if_end": "endif",
            "template_for_start": "for", "template_for_end": "endfor"}


def _pieces(node: Any, src: _Source) -> Tuple[Any, ...]:
    """A quoted string's pieces, in :mod:`emrlint.terraform.templates`'s form.  Literal
    text is taken from the source between the interpolations and directives (the
    grammar leaves blanks next to them out of its literal nodes)."""
    out: List[Any] = []
    kids = node.children
    start = kids[0].end_byte if kids and kids[0].type == "quoted_template_start" else node.start_byte
    stop = kids[-1].start_byte if kids and kids[-1].type == "quoted_template_end" else node.end_byte
    _walk_pieces(kids, start, stop, src, out)
    return merge_literals(tuple(out))


# (no nested functions: a closure that calls itself is a reference cycle, and a scan runs
# without the cyclic collector)
def _lit_piece(start: int, end: int, src: _Source, out: List[Any]) -> None:
    if end > start:
        text = src.data[start:end].decode("utf-8", "replace")
        if "\\" in text or "$${" in text or "%%{" in text:
            from emrlint.terraform.hcl import unescape

            text = unescape(text).replace("$${", "${").replace("%%{", "%{")
        out.append((("lit", text), False, False))


def _marker_piece(part: Any, src: _Source, out: List[Any]) -> None:
    kids = part.children
    left = len(kids) > 1 and kids[1].type == "strip_marker"
    right = len(kids) > 1 and kids[-2].type == "strip_marker"
    exprs = [c for c in kids if c.type == "expression"]
    what = _MARKERS[part.type]
    if what == "if":
        out.append((("if", _expr(exprs[0], src)), left, right))
    elif what == "for":
        names = [src.name(c) for c in kids if c.type == "identifier"]
        key, value = (names[0], names[1]) if len(names) == 2 else (None, names[0])
        out.append((("for", key, value, _expr(exprs[0], src)), left, right))
    else:
        out.append(((what,), left, right))


def _walk_pieces(children: List[Any], cursor: int, end: int, src: _Source, out: List[Any]) -> None:
    for child in children:
        t = child.type
        if t in ("template_literal", "quoted_template_start", "quoted_template_end", "comment"):
            continue
        _lit_piece(cursor, child.start_byte, src, out)
        if t == "template_interpolation":
            exprs = [c for c in child.children if c.type == "expression"]
            out.append((("interp", _expr(exprs[0], src) if exprs else None), False, False))
            cursor = child.end_byte
        elif t in _MARKERS:
            _marker_piece(child, src, out)
            cursor = child.end_byte
        elif t in ("template_directive", "template_if", "template_for"):
            _walk_pieces(child.children, child.start_byte, child.end_byte, src, out)
            cursor = child.end_byte
        else:
            cursor = child.start_byte  # not expected: kept as literal text
    _lit_piece(cursor, end, src, out)
