"""``--format github``: GitHub Actions workflow commands (annotations on the pull request)."""

from __future__ import annotations

from typing import List, Sequence

from emrlint.findings import Finding, ScanError
from emrlint.links import rule_url
from emrlint.report import display_path, message, shown

LEVEL = {"error": "error", "warning": "warning", "info": "notice"}


def _data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _prop(text: str) -> str:
    return _data(text).replace(":", "%3A").replace(",", "%2C")


def render(findings: List[Finding], errors: Sequence[ScanError] = ()) -> str:
    lines = []
    for f in findings:
        props = [f"file={_prop(display_path(f.loc.path))}", f"line={f.loc.line}", f"col={f.loc.column}"]
        if f.loc.line < f.loc.end_line <= f.loc.line + 2:  # not a whole block: annotate its first line
            props.append(f"endLine={f.loc.end_line}")
        props.append(f"title={_prop(f'{f.rule} {f.name}')}")
        text = message(f.message) + (f" ({shown(f.resource)})" if f.resource else "")
        url = rule_url(f.rule)
        if url:
            text += f"\n{f.rule} documentation: {url}"
        lines.append(f"::{LEVEL[f.severity]} {','.join(props)}::{_data(text)}")
    for e in errors:
        props = f"file={_prop(display_path(e.path))}," if e.path else ""
        lines.append(f"::error {props}title=emrlint internal error::{_data(message(e.message))}")
    return "".join(line + "\n" for line in lines)
