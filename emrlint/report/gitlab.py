"""``--format gitlab``: a GitLab Code Quality report (``artifacts: reports: codequality``).

A JSON array of issues with ``description``, ``check_name``, ``fingerprint``, ``severity``
(GitLab's scale: info, minor, major, critical, blocker) and ``location`` (path and first
line).  GitLab shows one issue per fingerprint, so findings that share emrlint's
line-independent fingerprint (the same rule on the same resource and attribute) get a
counter appended, in file order."""

from __future__ import annotations

from typing import Dict, List, Sequence

from emrlint.digest import sha256_hex
from emrlint.findings import Finding, ScanError, fingerprint
from emrlint.report import display_path, jsontext, message, relpath, shown

SEVERITY = {"error": "major", "warning": "minor", "info": "info"}


def render(findings: List[Finding], errors: Sequence[ScanError] = ()) -> str:
    """Internal errors are issues too (blocker): the report is incomplete where they are."""
    seen: Dict[str, int] = {}
    issues = []
    for f in findings:
        path = display_path(f.loc.path)
        fp = fingerprint(f, relpath(f.loc.path))
        n = seen.get(fp, 0)
        seen[fp] = n + 1
        issues.append({
            "type": "issue",
            "description": f"{f.rule} {message(f.message)}" + (f" ({shown(f.resource)})" if f.resource else ""),
            "check_name": f"{f.rule} {f.name}",
            "categories": ["Security" if f.rule.startswith("EMR4") else "Bug Risk"],
            "fingerprint": fp if n == 0 else f"{fp}-{n}",
            "severity": SEVERITY[f.severity],
            "location": {"path": path, "lines": {"begin": f.loc.line}},
        })
    for e in errors:
        path = display_path(e.path) if e.path else ""
        issues.append({
            "type": "issue", "description": f"emrlint internal error: {message(e.message)}",
            "check_name": "emrlint internal error", "categories": ["Bug Risk"],
            "fingerprint": sha256_hex(f"internal|{path}|{e.resource}|{e.rule}".encode("utf-8", "surrogatepass"))[:32],
            "severity": "blocker", "location": {"path": path, "lines": {"begin": 1}},
        })
    return jsontext.dumps(issues) + "\n"
