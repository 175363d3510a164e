"""``--format checkstyle``: Checkstyle XML, which CI servers and review tools read
(Jenkins warnings-ng, reviewdog, SonarQube importers).  One ``<file>`` per file with
findings, one ``<error>`` per finding; ``source`` is ``emrlint.<rule ID>``."""

from __future__ import annotations

from collections import OrderedDict
from typing import List, Sequence
from xml.etree import ElementTree as ET

from emrlint.findings import Finding, ScanError
from emrlint.report import display_path, message, shown

SEVERITY = {"error": "error", "warning": "warning", "info": "info"}


def render(findings: List[Finding], errors: Sequence[ScanError] = ()) -> str:
    root = ET.Element("checkstyle", version="4.3")
    by_file: "OrderedDict[str, List[Finding]]" = OrderedDict()
    for f in findings:
        by_file.setdefault(display_path(f.loc.path), []).append(f)
    for path, items in by_file.items():
        node = ET.SubElement(root, "file", name=path)
        for f in items:
            text = message(f.message) + (f" ({shown(f.resource)})" if f.resource else "")
            ET.SubElement(node, "error", line=str(f.loc.line), column=str(f.loc.column),
                          severity=SEVERITY[f.severity], message=text, source=f"emrlint.{f.rule}")
    for e in errors:
        node = ET.SubElement(root, "file", name=display_path(e.path) if e.path else "")
        ET.SubElement(node, "error", line="1", column="1", severity="error",
                      message=f"emrlint internal error: {message(e.message)}", source="emrlint.internal-error")
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
