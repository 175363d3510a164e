"""Rendered text that remembers where each of its characters came from.

A JSON or YAML document written as a template (a heredoc with ``${...}``, a
``templatefile()`` template, a CloudFormation ``!Sub``) is rendered before it is
parsed, so the parser's positions are positions in the rendered text.  A
:class:`MappedText` is built piece by piece as the template renders: literal
pieces map back to their offset in the template (and so to a file line), and an
interpolated value maps to where that value was written (a variable default, a
module input, a parameter).  :meth:`MappedText.locate` then answers "where was the
element at this path of the document written".
"""

from __future__ import annotations

from bisect import bisect_right
from typing import Any, Callable, List, Optional, Tuple

from emrlint.findings import CallSite, Loc
from emrlint.jsonpos import DocumentError, load_document
from emrlint.values import UNKNOWN, concat_parts
from emrlint.lazyre import lazy_re

Origin = Tuple[Loc, Tuple[CallSite, ...]]
# a literal piece: its template offset -> origin; an interpolation: () -> origin (or None)
LiteralWhere = Callable[[int], Optional[Origin]]
ValueWhere = Callable[[], Optional[Origin]]

# stands for an unknown part of the text: a word that YAML reads as a plain scalar and that can sit
# inside a string; parsed documents get an Unknown (or a partly known string) in its place
_MARKER = "__emrlint_unknown_{}__"
_MARKER_RE = lazy_re(r"__emrlint_unknown_\d+__")


class MappedText:
    def __init__(self) -> None:
        self._pieces: List[str] = []
        self._starts: List[int] = []  # rendered offset where each span starts
        self._spans: List[Tuple[int, bool, Any]] = []  # (length, is value, where)
        self._length = 0
        self._parsed: Any = None
        self._unknowns = 0
        self._parsed_ok: Optional[bool] = None

    def literal(self, text: str, pos: int, where: LiteralWhere) -> None:
        """Template text written at offset ``pos`` (``where(pos + i)`` locates character i)."""
        self._add(text, False, (pos, where))

    def value(self, text: str, where: ValueWhere) -> None:
        """The rendered text of an interpolated value, and where that value was written."""
        self._add(text, True, where)

    def unknown(self, where: ValueWhere) -> None:
        """An interpolated value emrlint cannot evaluate, and where it was written."""
        self._add(_MARKER.format(self._unknowns), True, where)
        self._unknowns += 1

    def rendered(self, value: Any) -> Any:
        """A value of the text as evaluation sees it (partly known where unknown parts were)."""
        if isinstance(value, str) and "__emrlint_unknown_" in value:
            return concat_parts(UNKNOWN if _MARKER_RE.fullmatch(p) else p for p in _split_markers(value))
        return value

    def document(self) -> Any:
        """The rendered text parsed as a JSON or YAML document (positions kept), with unknown
        parts of the text as unknown values; None when it does not parse."""
        node = self._document()
        if node is None or not self._unknowns:
            return node
        stack = [node]
        while stack:
            item = stack.pop()
            keys = list(item.keys()) if isinstance(item, dict) else range(len(item)) if isinstance(item, list) else ()
            for k in keys:
                child = item[k]
                if isinstance(child, (dict, list)):
                    stack.append(child)
                else:
                    item[k] = self.rendered(child)
        return node

    def _add(self, text: str, is_value: bool, where: Any) -> None:
        if not text:
            return
        self._pieces.append(text)
        self._starts.append(self._length)
        self._spans.append((len(text), is_value, where))
        self._length += len(text)
        self._parsed_ok = None

    @property
    def text(self) -> str:
        return "".join(self._pieces)

    def origin_at(self, offset: int) -> Optional[Origin]:
        i = bisect_right(self._starts, offset) - 1
        if i < 0 or offset >= self._length:
            return None
        length, is_value, where = self._spans[i]
        text = self._pieces[i]
        if not is_value and text[offset - self._starts[i]] in "\"'" and i + 1 < len(self._spans) \
                and self._starts[i + 1] == offset + 1 and self._spans[i + 1][1]:
            i, is_value, where = i + 1, True, self._spans[i + 1][2]  # "${var.x}": the value's origin
        if is_value:
            return where()
        pos, locate = where
        return locate(pos + offset - self._starts[i])

    # -- documents ----------------------------------------------------------------

    def _document(self) -> Any:
        if self._parsed_ok is None:
            text = self.text
            self._parsed, self._parsed_ok = None, False
            for kind in ("JSON", "YAML"):
                try:
                    self._parsed, self._parsed_ok = load_document(text, kind), True
                    break
                except DocumentError:
                    continue
        return self._parsed if self._parsed_ok else None

    def locate(self, path: Tuple[Any, ...]) -> Optional[Origin]:
        """Where the element at ``path`` (keys and indexes) of the rendered document was written:
        a scalar where its value is, a mapping or list where its key is."""
        node = self._document()
        if node is None or not path:
            return None
        for i, step in enumerate(path):
            last = i == len(path) - 1
            key = _find(node, step)
            if key is None:
                return None
            child = node[key]
            if last:
                try:
                    if isinstance(node, dict):
                        line, col = node.lc.key(key) if isinstance(child, (dict, list)) else node.lc.value(key)
                    else:
                        line, col = node.lc.item(key)
                except (AttributeError, KeyError, IndexError, TypeError):
                    return None
                return self.origin_at(self._offset(line, col))
            node = child
        return None  # pragma: no cover

    def _offset(self, line: int, col: int) -> int:
        text = self.text
        pos = 0
        for _ in range(line):
            nxt = text.find("\n", pos)
            if nxt < 0:
                return len(text)
            pos = nxt + 1
        return pos + col


def _find(node: Any, step: Any) -> Any:
    if isinstance(node, list):
        return step if isinstance(step, int) and 0 <= step < len(node) else None
    if not isinstance(node, dict):
        return None
    if step in node:
        return step
    want = str(step).replace("_", "").lower()
    return next((k for k in node if str(k).replace("_", "").lower() == want), None)


def line_locator(path: str, first_line: int, text: str, indent: int = 0,
                 call_sites: Tuple[CallSite, ...] = ()) -> LiteralWhere:
    """Offsets of ``text`` (written from line ``first_line`` of ``path``, every line indented by
    ``indent`` more columns than in ``text``) -> file positions."""
    starts = [0]
    for i, ch in enumerate(text):
        if ch == "\n":
            starts.append(i + 1)

    def where(offset: int) -> Optional[Origin]:
        line = bisect_right(starts, offset) - 1
        return Loc(path, first_line + line, indent + offset - starts[line] + 1), call_sites

    return where


def container_paths(value: Any, path: Tuple[Any, ...] = ()) -> dict:
    """id(container) -> its path from the root, for every dict and list in a decoded value."""
    out: dict = {}
    stack = [(value, path)]
    while stack:
        node, p = stack.pop()
        if isinstance(node, dict):
            out[id(node)] = p
            stack.extend((v, p + (k,)) for k, v in node.items())
        elif isinstance(node, list):
            out[id(node)] = p
            stack.extend((v, p + (i,)) for i, v in enumerate(node))
    return out


def _split_markers(text: str) -> List[str]:
    out, pos = [], 0
    for m in _MARKER_RE.finditer(text):
        out += [text[pos:m.start()], m.group()]
        pos = m.end()
    out.append(text[pos:])
    return [p for p in out if p]
