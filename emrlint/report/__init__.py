"""Output formats for scan results."""

from __future__ import annotations

import os
from collections import Counter
from typing import Dict, List, Tuple

from emrlint.findings import SEVERITIES, Finding
from emrlint.text import FIELD_LIMIT, MESSAGE_LIMIT, clip, printable


def relpath(path: str) -> str:
    """A path relative to the working directory, as users typed it (remembered: a report
    names the same files again and again, and ``os.path.relpath`` is slow)."""
    key = (os.getcwd(), path)
    rel = _RELATIVE.get(key)
    if rel is None:
        try:
            rel = os.path.relpath(path).replace(os.sep, "/")
        except ValueError:  # another drive
            rel = path
        if len(_RELATIVE) >= 65536:
            _RELATIVE.clear()
        _RELATIVE[key] = rel
    return rel


_RELATIVE: Dict[Tuple[str, str], str] = {}


def shown(text: str, limit: int = FIELD_LIMIT) -> str:
    """A string from a scan as every report writes it: clipped, control characters escaped."""
    return printable(clip(text, limit))


def message(text: str) -> str:
    """A finding's message as every report writes it."""
    return shown(text, MESSAGE_LIMIT)


def display_path(path: str) -> str:
    """A path as every report shows it (relative, clipped, escaped)."""
    return shown(relpath(path))


def summary(findings: List[Finding], files: int, suppressed: int) -> Dict[str, object]:
    by_sev = Counter(f.severity for f in findings)
    by_rule = Counter(f.rule for f in findings)
    return {
        "total": len(findings),
        "by_severity": {s: by_sev.get(s, 0) for s in reversed(SEVERITIES)},
        "by_rule": dict(sorted(by_rule.items())),
        "files_scanned": files,
        "suppressed": suppressed,
    }
