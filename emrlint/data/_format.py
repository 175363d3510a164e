"""Writing a data table as diff-friendly JSON: one row per line, keys in a stable order.

An object or array whose compact form fits on a line is written on one line; a larger one
is written one member per line. A rebuild that changes one rate changes one line.
"""

from __future__ import annotations

import json
from typing import Any

WIDTH = 240


def _compact(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(", ", ": "))


def _dump(value: Any, indent: int, column: int) -> str:
    text = _compact(value)
    if column + len(text) <= WIDTH or not isinstance(value, (dict, list)) or not value:
        return text
    pad = " " * (indent + 1)
    if isinstance(value, dict):
        items = []
        for k, v in value.items():
            key = json.dumps(k, ensure_ascii=False) + ": "
            items.append(pad + key + _dump(v, indent + 1, indent + 1 + len(key)))
        return "{\n" + ",\n".join(items) + "\n" + " " * indent + "}"
    items = [pad + _dump(v, indent + 1, indent + 1) for v in value]
    return "[\n" + ",\n".join(items) + "\n" + " " * indent + "]"


def dumps(table: Any) -> str:
    """The table as JSON text (ends with a newline)."""
    return _dump(table, 0, 0) + "\n"


def write(path: str, table: Any) -> None:
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(dumps(table))
