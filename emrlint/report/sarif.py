"""``--format sarif``: SARIF 2.1.0 for code-scanning tools (GitHub, GitLab, Azure DevOps)."""

from __future__ import annotations

import os
import re
from typing import List, Optional, Sequence
from urllib.parse import quote

from emrlint import __version__
from emrlint.findings import Finding, ScanError, fingerprint
from emrlint.links import repository
from emrlint.registry import all_rules
from emrlint.report import jsontext, message as shown_message, relpath, shown

LEVEL = {"error": "error", "warning": "warning", "info": "note"}
SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"


# GitHub code scanning ranks security alerts by this score (0-10; 7+ is high, 4+ medium)
SECURITY_SEVERITY = {"error": "8.0", "warning": "5.5", "info": "2.0"}


def _rule_descriptor(rule, with_help: bool) -> dict:
    """A rule's descriptor; its full documentation (``help``) only when it has results,
    which keeps a report of a few findings small."""
    from emrlint.docs import rule_markdown
    from emrlint.links import rule_url

    summary, _, body = rule.doc.partition("\n")
    first_paragraph = body.strip().split("\n\n")[0].replace("\n", " ")
    tags = ["emr", rule.id[:4] + "xx"]
    properties = {"tags": tags, "problem.severity": LEVEL[rule.severity]}
    if rule.id.startswith("EMR4"):
        tags.append("security")
        properties["security-severity"] = SECURITY_SEVERITY[rule.severity]
    descriptor = {
        "id": rule.id,
        "name": rule.name,
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": first_paragraph or rule.summary},
        "defaultConfiguration": {"level": LEVEL[rule.severity]},
        "properties": properties,
    }
    if rule_url(rule.id):
        descriptor["helpUri"] = rule_url(rule.id)
    if with_help:
        markdown = rule_markdown(rule)
        descriptor["help"] = {"text": markdown, "markdown": markdown}
    return descriptor


def _uri(path: str) -> str:
    return quote(relpath(path), safe="/", errors="surrogateescape")


def _region(loc) -> dict:
    region = {"startLine": loc.line, "startColumn": loc.column}
    if loc.end_line >= loc.line:
        region["endLine"] = loc.end_line
    if loc.end_column and (loc.end_line > loc.line or loc.end_column > loc.column):
        region["endColumn"] = loc.end_column
    return region


def _location(loc, message: str = "") -> dict:
    out = {"physicalLocation": {"artifactLocation": {"uri": _uri(loc.path), "uriBaseId": "%SRCROOT%"},
                                "region": _region(loc)}}
    if message:
        out["message"] = {"text": shown_message(message)}
    return out


def _notification(e: ScanError) -> dict:
    out = {"level": "error", "message": {"text": f"internal error: {shown_message(e.message)}"}}
    if e.path:
        out["locations"] = [{"physicalLocation": {"artifactLocation": {"uri": _uri(e.path), "uriBaseId": "%SRCROOT%"}}}]
        if e.resource:
            out["locations"][0]["logicalLocations"] = [{"fullyQualifiedName": shown(e.resource), "kind": "resource"}]
    if e.rule:
        out["associatedRule"] = {"id": e.rule}
    return out


def render(findings: List[Finding], errors: Sequence[ScanError] = (), enabled: Optional[Sequence[str]] = None) -> str:
    """``enabled``: the rules the scan ran (their descriptors tell code scanning which alerts a
    fixed configuration closes); None: every rule."""
    with_results = {f.rule for f in findings}
    wanted = set(enabled) | with_results if enabled is not None else None
    rules = [r for r in all_rules().values() if wanted is None or r.id in wanted]
    index = {r.id: i for i, r in enumerate(rules)}
    results = []
    for f in findings:
        location = _location(f.loc)
        if f.resource:
            location["logicalLocations"] = [{"fullyQualifiedName": shown(f.resource), "kind": "resource"}]
        result = {
            "ruleId": f.rule,
            "ruleIndex": index[f.rule],
            "level": LEVEL[f.severity],
            "message": {"text": shown_message(f.message)},
            "locations": [location],
            "partialFingerprints": {"emrlint/v1": fingerprint(f, relpath(f.loc.path))},
        }
        related = [_location(cs.loc, f"called from {shown(cs.address)}") for cs in f.call_sites]
        related += [_location(loc, message) for message, loc in f.related]
        if related:
            for i, r in enumerate(related):
                r["id"] = i + 1
            result["relatedLocations"] = related
        results.append(result)
    root = os.getcwd().replace(os.sep, "/").rstrip("/") + "/"
    doc = {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "emrlint",
                "version": __version__,
                "semanticVersion": __version__,
                "informationUri": repository(),
                "rules": [_rule_descriptor(r, r.id in with_results) for r in rules],
            }},
            "originalUriBaseIds": {"%SRCROOT%": {"uri": "file://" + quote(root if root.startswith("/") else "/" + root,
                                                                    errors="surrogateescape")}},
            "columnKind": "unicodeCodePoints",
            "invocations": [{"executionSuccessful": not errors,
                             "toolExecutionNotifications": [_notification(e) for e in errors]}],
            "results": results,
        }],
    }
    return jsontext.dumps(doc) + "\n"
