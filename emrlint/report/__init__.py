"""Output formats for scan results."""

from __future__ import annotations

import os
from collections import Counter
from typing import Dict, List

from emrlint.findings import SEVERITIES, Finding


def relpath(path: str) -> str:
    """A path relative to the working directory, as users typed it."""
    try:
        rel = os.path.relpath(path)
    except ValueError:  # another drive
        return path
    return rel.replace(os.sep, "/")


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
