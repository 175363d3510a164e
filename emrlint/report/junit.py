"""``--format junit``: JUnit XML, one test case per finding, one test suite per file."""

from __future__ import annotations

from collections import OrderedDict
from typing import List, Sequence
from xml.etree import ElementTree as ET

from emrlint.findings import Finding, ScanError
from emrlint.report import display_path, message, shown


def render(findings: List[Finding], scanned: Sequence[str], errors: Sequence[ScanError] = ()) -> str:
    by_file = OrderedDict((display_path(p), []) for p in sorted(scanned))
    for f in findings:
        by_file.setdefault(display_path(f.loc.path), []).append(f)
    suites = ET.Element("testsuites", name="emrlint", tests=str(max(len(findings), 0)),
                        failures=str(len(findings)), errors="0")
    total = 0
    for path, items in by_file.items():
        suite = ET.SubElement(suites, "testsuite", name=path, tests=str(max(len(items), 1)),
                              failures=str(len(items)), errors="0", skipped="0")
        if not items:
            ET.SubElement(suite, "testcase", classname=path, name="emrlint")
            total += 1
            continue
        for f in items:
            total += 1
            name = f"{f.rule} {f.name}" + (f" {shown(f.resource)}" if f.resource else "") + f" (line {f.loc.line})"
            case = ET.SubElement(suite, "testcase", classname=path, name=name, file=path, line=str(f.loc.line))
            text = message(f.message)
            failure = ET.SubElement(case, "failure", message=text, type=f"{f.rule} {f.severity}")
            failure.text = f"{path}:{f.loc.line}:{f.loc.column}: {f.severity} {f.rule} {f.name}\n{text}\n"
    if errors:
        suite = ET.SubElement(suites, "testsuite", name="emrlint internal errors", tests=str(len(errors)),
                              failures="0", errors=str(len(errors)), skipped="0")
        for e in errors:
            total += 1
            path = display_path(e.path) if e.path else ""
            case = ET.SubElement(suite, "testcase", classname=path or "emrlint", name=f"internal error {path}".strip())
            error = ET.SubElement(case, "error", message=message(e.message), type="internal error")
            error.text = message(e.message) + "\n"
        suites.set("errors", str(len(errors)))
    suites.set("tests", str(total))
    ET.indent(suites)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suites, encoding="unicode") + "\n"
