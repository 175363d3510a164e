"""``--format json``: one JSON object with ``findings`` and ``summary``."""

from __future__ import annotations

from typing import List, Optional, Sequence

from emrlint import __version__
from emrlint.findings import Finding, ScanError, fingerprint
from emrlint.report import display_path, jsontext, message, relpath, shown, summary


def finding_dict(f: Finding) -> dict:
    return {
        "rule": f.rule,
        "name": f.name,
        "severity": f.severity,
        "message": message(f.message),
        "path": display_path(f.loc.path),
        "line": f.loc.line,
        "column": f.loc.column,
        "end_line": f.loc.end_line,
        "end_column": f.loc.end_column,
        "resource": shown(f.resource),
        "fingerprint": fingerprint(f, relpath(f.loc.path)),
        "call_sites": [{"module": shown(c.address), "path": display_path(c.loc.path), "line": c.loc.line}
                       for c in f.call_sites],
        "related": [{"message": message(m), "path": display_path(loc.path), "line": loc.line, "column": loc.column}
                    for m, loc in f.related],
    }


def error_dict(e: ScanError) -> dict:
    return {"message": message(e.message), "path": display_path(e.path) if e.path else "", "resource": shown(e.resource),
            "rule": e.rule}


def render(findings: List[Finding], files: int, suppressed: int, baseline: Optional[dict] = None,
           errors: Sequence[ScanError] = ()) -> str:
    """``errors`` are emrlint's internal errors: the report is incomplete where they are."""
    doc = {
        "tool": {"name": "emrlint", "version": __version__},
        "findings": [finding_dict(f) for f in findings],
        "errors": [error_dict(e) for e in errors],
        "summary": summary(findings, files, suppressed),
    }
    doc["summary"]["internal_errors"] = len(errors)
    if baseline is not None:
        doc["summary"]["baseline"] = baseline
    return jsontext.dumps(doc) + "\n"
