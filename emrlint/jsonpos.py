"""JSON (and YAML) documents with line and column positions, via ruamel.yaml.

ruamel.yaml's round-trip loader keeps the position of every mapping key and
sequence item (``.lc``) and never constructs arbitrary Python objects.  JSON is
(for practical purposes) YAML 1.2, so one loader serves both.

:func:`load_document` is the only way emrlint reads JSON or YAML (scanned
documents, ``.tf.json``, ``yamldecode()``, its own config), and it is safe on any
input: tags that ask for Python objects, alias expansion beyond a size budget and
excessive nesting are refused, and whatever else the parser cannot read (escapes
that are not Unicode code points, malformed tagged values) is a
:class:`DocumentError` with a position, never another exception.  Lone UTF-16
surrogates from ``\\uD800``-style escapes become U+FFFD (as Go's decoders do),
integers too large for a float are infinite, and ``!!set``, ``!!omap`` and
``!!pairs`` are read as the mapping or sequence they are written as.
"""

from __future__ import annotations

import functools
import json
import re
from typing import Any, Dict, List, Optional, Tuple

from emrlint.values import clamp_number, fix_surrogates, fix_surrogates_deep, number_from_text
from emrlint.lazyre import lazy_re

MAX_NODES = 500_000  # after alias expansion
MAX_DEPTH = 200
_PYTHON_TAG = "tag:yaml.org,2002:python/"


class DocumentError(Exception):
    def __init__(self, message: str, line: int = 1, column: int = 1):
        super().__init__(message)
        self.message = message
        self.line = max(1, line)
        self.column = max(1, column)


@functools.lru_cache(maxsize=1)
def _loader_classes() -> Tuple[Any, Any]:
    """emrlint's scanner and constructor for ruamel.yaml (ruamel.yaml is imported when a
    document is first loaded, not with this module: a scan of Terraform files alone never
    needs it)."""
    from ruamel.yaml.constructor import ConstructorError, RoundTripConstructor
    from ruamel.yaml.error import MarkedYAMLError
    from ruamel.yaml.scanner import RoundTripScanner, ScannerError

    class _Scanner(RoundTripScanner):
        def scan_flow_scalar(self, style: Any) -> Any:
            start = self.reader.get_mark()
            try:
                token = super().scan_flow_scalar(style)
            except (ValueError, OverflowError):  # chr() of an escape beyond U+10FFFF
                raise ScannerError("while scanning a double-quoted scalar", start,
                                   "escape sequence is not a Unicode code point", self.reader.get_mark()) from None
            token.value = fix_surrogates(token.value)
            return token

    class _Constructor(RoundTripConstructor):
        def construct_non_recursive_object(self, node: Any, tag: Optional[str] = None) -> Any:
            try:
                return super().construct_non_recursive_object(node, tag)
            except MarkedYAMLError:
                raise
            except (ArithmeticError, ValueError, LookupError, TypeError, AssertionError, AttributeError) as exc:
                raise ConstructorError(None, None, f"cannot read this value ({exc})", node.start_mark) from None

        def construct_yaml_int(self, node: Any) -> Any:
            try:
                value = super().construct_yaml_int(node)
                return value if -2**1024 < value < 2**1024 else clamp_number(int(value))
            except ValueError:
                text = str(node.value).replace("_", "")
                if re.fullmatch(r"[-+]?[0-9]+", text):  # beyond Python's limit on digits
                    return number_from_text(text)
                raise

    _Constructor.add_constructor("tag:yaml.org,2002:int", _Constructor.construct_yaml_int)
    # YAML 1.1 collection types are read as what they are written as
    _Constructor.add_constructor("tag:yaml.org,2002:set", RoundTripConstructor.construct_yaml_map)
    _Constructor.add_constructor("tag:yaml.org,2002:omap", RoundTripConstructor.construct_yaml_seq)
    _Constructor.add_constructor("tag:yaml.org,2002:pairs", RoundTripConstructor.construct_yaml_seq)
    return _Scanner, _Constructor


def _yaml() -> Any:
    from ruamel.yaml import YAML

    scanner, constructor = _loader_classes()
    y = YAML(typ="rt", pure=True)
    y.allow_duplicate_keys = True
    y.Scanner = scanner
    y.Constructor = constructor
    return y


def _check(root: Any) -> None:
    """Refuse Python object tags, alias bombs, recursive aliases and excessive nesting.

    An iterative post-order walk computes every node's size with its aliases
    expanded, memoised per object, so a billion-laughs document is measured in
    linear time and refused without ever being expanded."""
    from ruamel.yaml.comments import TaggedScalar

    sizes: Dict[int, int] = {}
    active: set = set()
    stack: List[Tuple[Any, int, bool]] = [(root, 0, False)]
    while stack:
        node, depth, done = stack.pop()
        children = list(node.values()) if isinstance(node, dict) else list(node) if isinstance(node, list) else []
        if done:
            active.discard(id(node))
            total = 1 + sum(sizes.get(id(c), 1) for c in children)
            if total > MAX_NODES:
                raise DocumentError("document too large after expanding YAML aliases (an alias bomb?)")
            sizes[id(node)] = total
            continue
        if id(node) in sizes:
            continue
        if id(node) in active:
            raise DocumentError("recursive YAML alias")
        if depth > MAX_DEPTH:
            raise DocumentError(f"document nested deeper than {MAX_DEPTH} levels")
        tag = getattr(node, "tag", None)
        tag_value = getattr(tag, "value", tag) if tag is not None else None
        if isinstance(tag_value, str) and tag_value.startswith((_PYTHON_TAG, "!!python/")):
            lc = getattr(node, "lc", None)
            line = lc.line + 1 if lc is not None and getattr(lc, "line", None) is not None else 1
            raise DocumentError(f"YAML tag {tag_value.replace(_PYTHON_TAG, '!!python/')} asks to construct a "
                                "Python object; refused", line)
        if not isinstance(node, (dict, list)):
            continue
        active.add(id(node))
        stack.append((node, depth, True))
        for child in children:
            if isinstance(child, (dict, list, TaggedScalar)) and id(child) not in sizes:
                stack.append((child, depth + 1, False))


_BRACKETS = lazy_re(r'"(?:[^"\\\n]|\\.)*"|\'[^\'\n]*\'|[\[\]{}]')


def _bracket_depth(text: str) -> int:
    """The deepest nesting of flow collections, quoted strings skipped: a cheap guard
    that refuses pathological nesting before the (recursive) YAML parser sees it."""
    depth = deepest = 0
    for m in _BRACKETS.finditer(text):
        ch = m.group()
        if ch in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif ch in "]}":
            depth = max(0, depth - 1)
    return deepest


def _ignore(text: str) -> int:
    return 0


def load_document(text: str, kind: str = "JSON") -> Any:
    """Parse JSON/YAML text keeping positions; raise :class:`DocumentError`.

    JSON is first checked by the strict ``json`` parser (YAML would accept
    trailing commas and other things JSON does not)."""
    kind = kind.upper()
    if text.startswith("\ufeff"):
        text = text[1:]
    if kind == "JSON":
        try:  # syntax only: numbers are not converted (any length is valid JSON)
            json.loads(text, parse_int=_ignore, parse_float=_ignore, parse_constant=_ignore)
        except json.JSONDecodeError as exc:
            raise DocumentError(f"JSON syntax error: {exc.msg}", exc.lineno, exc.colno) from None
        except RecursionError:
            raise DocumentError("JSON syntax error: nested too deeply") from None
    if _bracket_depth(text) > MAX_DEPTH:
        raise DocumentError(f"{kind} document nested deeper than {MAX_DEPTH} levels")
    from ruamel.yaml.error import MarkedYAMLError

    try:
        root = _yaml().load(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else 1
        column = mark.column + 1 if mark is not None else 1
        problem = exc.problem or exc.context or "syntax error"
        raise DocumentError(f"{kind} syntax error: {problem}", line, column) from None
    except RecursionError:
        raise DocumentError(f"{kind} syntax error: nested too deeply") from None
    except Exception as exc:  # noqa: BLE001 - YAMLError, or the parser's own bugs on hostile input
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise DocumentError(f"{kind} syntax error: {first}") from None
    _check(root)
    return root


_SURROGATE_ESCAPE = lazy_re(r"\\u[dD][89a-fA-F]")


def loads_json(text: str, **kwargs: Any) -> Any:
    """``json.loads`` into plain values, safe on any input: integers of any length
    (see :func:`emrlint.values.number_from_text`), surrogate escapes mended."""
    kwargs.setdefault("parse_int", number_from_text)
    value = json.loads(text, **kwargs)
    if _SURROGATE_ESCAPE.search(text):
        value = fix_surrogates_deep(value)
    return value


def key_position(container: Any, key: Any) -> Optional[Tuple[int, int]]:
    """1-based (line, column) of a mapping key or sequence item, if known."""
    lc = getattr(container, "lc", None)  # ruamel's CommentedMap and CommentedSeq
    if lc is None or not isinstance(container, (dict, list)):
        return None
    try:
        line, col = lc.key(key) if isinstance(container, dict) else lc.item(key)
    except (KeyError, IndexError, TypeError, AttributeError):
        return None
    return line + 1, col + 1


def plain(value: Any) -> Any:
    """Convert ruamel containers to plain dicts and lists (recursively)."""
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, str):
        return str(value)
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value)
    return value
