"""python-hcl2's Lark tree as emrlint's syntax tree (:mod:`emrlint.terraform.syntax`).

The reader of the files tree-sitter refuses (python-hcl2 words their syntax errors), of
files with ``\\u`` escapes, and of every file with ``EMRLINT_PARSER=lark``; the reference
the tree-sitter producer is compared with over every fixture and generated file.
"""

from __future__ import annotations

import threading
from typing import Any, List, Tuple

from lark import Token, Tree

from emrlint.terraform.syntax import MAX_NESTING, Node, Pos, SAttribute, SBlock, SBody, SFile, literal, merge_literals


def _pos(node: Any) -> Pos:
    if isinstance(node, Token):
        return (node.line or 1, node.column or 1, node.end_line or node.line or 1, node.end_column or 0)
    meta = node.meta
    if getattr(meta, "empty", True):
        return (1, 1, 1, 0)
    return (meta.line, meta.column, meta.end_line, meta.end_column)


def _exprs(node: Tree) -> List[Tree]:
    return [c for c in node.children if isinstance(c, Tree) and c.data != "new_line_or_comment"]


def convert_file(tree: Tree) -> SFile:
    from emrlint.terraform.hcl import comments

    return SFile(_body(tree.children[0]), tuple(comments(tree)))


def _name(node: Any) -> str:
    """The text of an identifier/keyword/literal_value/string label node."""
    if isinstance(node, Token):
        return str(node)
    if node.data == "string":
        return "".join(str(p.children[0]) for p in node.children if isinstance(p, Tree) and isinstance(p.children[0], Token))
    return str(node.children[0])


def _body(body: Tree) -> SBody:
    items: List[Any] = []
    for node in body.children:
        if not isinstance(node, Tree):
            continue
        if node.data == "attribute":
            items.append(SAttribute(_name(node.children[0]), convert(node.children[-1]), _pos(node)))
        elif node.data == "block":
            labels = []
            inner = SBody(())
            for child in node.children[1:]:
                if isinstance(child, Tree) and child.data == "body":
                    inner = _body(child)
                elif isinstance(child, Tree) and child.data in ("identifier", "string", "keyword", "literal_value"):
                    labels.append(_name(child))
            items.append(SBlock(_name(node.children[0]), tuple(labels), inner, _pos(node)))
    return SBody(tuple(items))


class _Nesting(threading.local):
    depth = 0


_nesting = _Nesting()


def convert(node: Any) -> Node:
    """An expression tree; positions are those of the outermost Lark node of each construct."""
    if node.data == "expr_term":  # a wrapper: not a level of its own
        return _convert(node)
    if _nesting.depth >= MAX_NESTING:
        return Node("deep", _pos(node))
    _nesting.depth += 1
    try:
        return _convert(node)
    finally:
        _nesting.depth -= 1


def _convert(node: Any) -> Node:
    data = node.data
    pos = _pos(node)
    if data == "expr_term":
        if any(isinstance(c, Token) and c.type == "LPAR" for c in node.children):
            return Node("paren", pos, expr=convert(_exprs(node)[0]))
        inner = convert(_exprs(node)[0])
        inner.pos = pos
        return inner
    if data in ("int_lit", "float_lit", "literal_value"):
        return literal(pos, str(node.children[0]))
    if data == "identifier":
        return Node("variable", pos, name=str(node.children[0]))
    if data == "string":
        return Node("template", pos, pieces=_pieces(node))
    if data == "template_string":  # \"...\" inside a template directive (python-hcl2 only)
        from emrlint.jsonpos import loads_json

        try:
            value = loads_json(str(node.children[0]).replace('\\"', '"'))
        except ValueError:
            value = None
        if not isinstance(value, str):
            return Node("invalid", pos, message="invalid string in a template directive")
        return Node("template", pos, pieces=((("lit", value), False, False),))
    if data in ("heredoc_template", "heredoc_template_trim"):
        return Node("heredoc", pos, text=str(node.children[0]), trim=data == "heredoc_template_trim")
    if data == "tuple":
        return Node("tuple", pos, items=tuple(convert(e) for e in _exprs(node)))
    if data == "object":
        items = []
        for elem in _exprs(node):
            parts = _exprs(elem)
            key_node = parts[0]
            inner = _exprs(key_node)
            if not inner:
                key = Node("key", _pos(key_node), name=str(key_node.children[0].children[0]))
            elif inner[0].data == "keyword":
                key = Node("key", _pos(key_node), name=str(inner[0].children[0]))
            elif (inner[0].data == "expr_term" and len(inner[0].children) == 1
                  and isinstance(inner[0].children[0], Tree) and inner[0].children[0].data == "identifier"):
                key = Node("key", _pos(key_node), name=str(inner[0].children[0].children[0]))
            else:
                key = Node("key", _pos(key_node), expr=convert(inner[0]))
            items.append((key, convert(parts[-1])))
        return Node("object", pos, items=tuple(items))
    if data == "conditional":
        c, t, e = _exprs(node)
        return Node("conditional", pos, cond=convert(c), then=convert(t), otherwise=convert(e))
    if data == "binary_op":
        left, term = _exprs(node)[:2]
        op_node, right = _exprs(term)[:2]
        op = str(op_node.children[0]).strip().split("\n")[-1].strip()
        return Node("binary", pos, op=op, left=convert(left), right=convert(right))
    if data == "unary_op":
        return Node("unary", pos, op=str(node.children[0]), operand=convert(node.children[1]))
    if data == "function_call":
        idents = [c for c in node.children if isinstance(c, Tree) and c.data == "identifier"]
        args_node = next((c for c in node.children if isinstance(c, Tree) and c.data == "arguments"), None)
        args = _exprs(args_node) if args_node is not None else []
        expand = args_node is not None and any(isinstance(t, Token) and t.type == "ELLIPSIS" for t in args_node.children)
        return Node("call", pos, name="::".join(str(i.children[0]) for i in idents),
                    args=tuple(convert(a) for a in args), expand=expand)
    if data in ("get_attr_expr_term", "index_expr_term"):
        chain: List[Tuple[str, Any]] = []
        cur = node
        while True:
            if cur.data == "expr_term" and len(cur.children) == 1 and isinstance(cur.children[0], Tree) and \
                    cur.children[0].data in ("get_attr_expr_term", "index_expr_term"):
                cur = cur.children[0]
                continue
            if cur.data == "get_attr_expr_term":
                base, acc = cur.children
                chain.append(("attr", str(acc.children[-1].children[0])))
                cur = base
                continue
            if cur.data == "index_expr_term":
                base, idx = cur.children
                chain.append(_index(idx))
                cur = base
                continue
            break
        chain.reverse()
        return Node("traversal", pos, root=convert(cur), accessors=tuple(chain))
    if data in ("attr_splat_expr_term", "full_splat_expr_term"):
        base, splat = node.children
        accs = []
        for acc in (c for c in splat.children if isinstance(c, Tree)):
            accs.append(("attr", str(acc.children[-1].children[0])) if acc.data == "get_attr" else _index(acc))
        return Node("splat", pos, base=convert(base), full=data == "full_splat_expr_term", accessors=tuple(accs))
    if data in ("for_tuple_expr", "for_object_expr"):
        is_object = data == "for_object_expr"
        intro = next(c for c in node.children if isinstance(c, Tree) and c.data == "for_intro")
        names = [str(c.children[0]) for c in intro.children if isinstance(c, Tree) and c.data == "identifier"]
        key_var, value_var = (names[0], names[1]) if len(names) == 2 else (None, names[0])
        body = [c for c in _exprs(node) if c.data not in ("for_intro", "for_cond")]
        cond = next((c for c in node.children if isinstance(c, Tree) and c.data == "for_cond"), None)
        return Node("for", pos, object=is_object, key_var=key_var, value_var=value_var, coll=convert(_exprs(intro)[-1]),
                    key_expr=convert(body[0]) if is_object else None, value_expr=convert(body[-1]),
                    cond=convert(_exprs(cond)[0]) if cond is not None else None,
                    group=any(isinstance(t, Token) and t.type == "ELLIPSIS" for t in node.children))
    return Node("unsupported:" + data, pos)


def _index(idx: Tree) -> Tuple[str, Any]:
    if idx.data == "short_index":
        return ("legacy", int(str(idx.children[-1])))
    return ("index", convert(_exprs(idx)[0]))


def _pieces(node: Tree) -> Tuple[Any, ...]:
    from emrlint.terraform.hcl import unescape

    pieces: List[Any] = []
    for part in node.children:
        if not isinstance(part, Tree):
            continue
        inner = part.children[0]
        if isinstance(inner, Token):
            if inner.type in ("ESCAPED_INTERPOLATION", "ESCAPED_DIRECTIVE"):
                pieces.append((("lit", str(inner)[1:]), False, False))
            else:
                pieces.append((("lit", unescape(str(inner))), False, False))
            continue
        kind = inner.data
        toks = [c for c in inner.children if isinstance(c, Token)]
        left = len(toks) > 1 and toks[1].type == "STRIP_MARKER"
        right = len(toks) > 1 and toks[-2].type == "STRIP_MARKER"
        exprs = [c for c in inner.children if isinstance(c, Tree)]
        if kind == "interpolation":
            pieces.append((("interp", convert(exprs[0]) if exprs else None), False, False))
        elif kind == "template_if_start":
            pieces.append((("if", convert(exprs[-1])), left, right))
        elif kind == "template_else":
            pieces.append((("else",), left, right))
        elif kind == "template_endif":
            pieces.append((("endif",), left, right))
        elif kind == "template_endfor":
            pieces.append((("endfor",), left, right))
        elif kind == "template_for_start":
            names = [str(c.children[0]) for c in exprs if c.data == "identifier"]
            key, value = (names[0], names[1]) if len(names) == 2 else (None, names[0])
            pieces.append((("for", key, value, convert(exprs[-1])), left, right))
    return merge_literals(tuple(pieces))
