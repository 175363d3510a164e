"""JSON (and YAML) documents with line and column positions, via ruamel.yaml.

ruamel.yaml's round-trip loader keeps the position of every mapping key and
sequence item (``.lc``) and never constructs arbitrary Python objects.  JSON is
(for practical purposes) YAML 1.2, so one loader serves both.
"""

from __future__ import annotations

import json
from typing import Any, Optional, Tuple

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError, YAMLError


class DocumentError(Exception):
    def __init__(self, message: str, line: int = 1, column: int = 1):
        super().__init__(message)
        self.message = message
        self.line = max(1, line)
        self.column = max(1, column)


def _yaml() -> YAML:
    y = YAML(typ="rt", pure=True)
    y.allow_duplicate_keys = True
    return y


def load_document(text: str, kind: str = "JSON") -> Any:
    """Parse JSON/YAML text keeping positions; raise :class:`DocumentError`.

    JSON is first checked by the strict ``json`` parser (YAML would accept
    trailing commas and other things JSON does not)."""
    if text.startswith("\ufeff"):
        text = text[1:]
    if kind == "JSON":
        try:
            json.loads(text)
        except json.JSONDecodeError as exc:
            raise DocumentError(f"JSON syntax error: {exc.msg}", exc.lineno, exc.colno) from None
        except RecursionError:
            raise DocumentError("JSON syntax error: nesting too deep") from None
    try:
        return _yaml().load(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else 1
        column = mark.column + 1 if mark is not None else 1
        problem = exc.problem or exc.context or "syntax error"
        raise DocumentError(f"{kind} syntax error: {problem}", line, column) from None
    except (YAMLError, ValueError, RecursionError) as exc:
        raise DocumentError(f"{kind} syntax error: {str(exc).splitlines()[0] if str(exc) else type(exc).__name__}") from None


def key_position(container: Any, key: Any) -> Optional[Tuple[int, int]]:
    """1-based (line, column) of a mapping key or sequence item, if known."""
    try:
        if isinstance(container, CommentedMap):
            line, col = container.lc.key(key)
        elif isinstance(container, CommentedSeq):
            line, col = container.lc.item(key)
        else:
            return None
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
