"""``emrlint test-policies``: every policy against its own examples.

A YAML policy's examples are the cases beside it (``<policy>/fail/<case>`` must make it
fire, ``<policy>/pass/<case>`` must keep it silent; a case is a file or a directory in any
format emrlint reads).  A Python rule's examples are the failing and passing examples of
its docstring, as for emrlint's own rules.  Each case is scanned with only that rule (and
EMR001: a case that does not parse fails the test) at its default parameters.

``<policy>/snapshot.json``, when present, records the exact findings of the failing cases
(rule, file, line, column, resource, key): a change of where a finding points fails the
test too.  ``--update`` writes it.
"""

from __future__ import annotations

import json
import os
import tempfile
from typing import Any, Dict, List, Sequence

from emrlint.findings import Finding
from emrlint.record import dataclass, field


@dataclass
class Outcome:
    rule_id: str
    name: str
    cases: int = 0
    failures: List[str] = field(default_factory=list)
    snapshot: str = ""  # "matched", "written", "" (none)

    @property
    def ok(self) -> bool:
        return not self.failures


def _scan(rule_id: str, path: str) -> List[Finding]:
    from emrlint.engine import ScanOptions, scan

    result = scan(ScanOptions(paths=[path], rules=[rule_id, "EMR001"]))
    if result.errors:
        raise RuntimeError("; ".join(e.message for e in result.errors))
    return result.findings


def _entry(f: Finding, base: str) -> Dict[str, Any]:
    return {"rule": f.rule, "path": os.path.relpath(f.loc.path, base).replace(os.sep, "/"), "line": f.loc.line,
            "column": f.loc.column, "resource": f.resource, "key": f.key}


def _where(f: Finding, base: str) -> str:
    return f"{os.path.relpath(f.loc.path, base)}:{f.loc.line}"


def run_rule(rule, update: bool = False) -> Outcome:
    """Run one rule's examples."""
    out = Outcome(rule.id, rule.name)
    if rule.examples:
        _run_cases(rule, out, update)
    else:
        _run_docstring(rule, out)
    if not out.cases:
        out.failures.append("no examples: write a failing and a passing case "
                            + ("beside the policy (<policy>/fail/<case>, <policy>/pass/<case>)" if rule.module is None
                               else "in the docstring (## Failing example, ## Passing example)"))
    elif {kind for kind, _ in rule.examples} not in ({"fail", "pass"}, set()):
        out.failures.append("needs at least one failing and one passing case")
    return out


def _judge(rule_id: str, must_fire: bool, findings: List[Finding], label: str, where, out: Outcome) -> List[Finding]:
    """Record whether one example did what it should; the rule's findings."""
    broken = [f for f in findings if f.rule == "EMR001"]
    mine = [f for f in findings if f.rule == rule_id]
    if broken:
        out.failures.append(f"{label}: {where(broken[0])}: {broken[0].message}")
    elif must_fire and not mine:
        out.failures.append(f"{label}: {rule_id} did not fire")
    elif not must_fire and mine:
        out.failures.append(f"{label}: {rule_id} fired at {where(mine[0])}: {mine[0].message}")
    return mine


def _run_cases(rule, out: Outcome, update: bool) -> None:
    base = os.path.dirname(os.path.splitext(rule.origin.rsplit(":", 1)[0])[0])
    snapshot_path = os.path.splitext(rule.origin.rsplit(":", 1)[0])[0] + os.sep + "snapshot.json"
    recorded: List[Dict[str, Any]] = []
    for kind, case in rule.examples:
        out.cases += 1
        name = os.path.relpath(case, base)
        mine = _judge(rule.id, kind == "fail", _scan(rule.id, case), name, lambda f: _where(f, base), out)
        if kind == "fail":
            recorded += [_entry(f, base) for f in mine]
    if update:
        with open(snapshot_path, "w", encoding="utf-8") as fh:
            json.dump(recorded, fh, indent=2)
            fh.write("\n")
        out.snapshot = "written"
    elif os.path.exists(snapshot_path):
        with open(snapshot_path, encoding="utf-8") as fh:
            expected = json.load(fh)
        if expected != recorded:
            out.failures.append(f"{os.path.relpath(snapshot_path, base)}: the findings differ from the snapshot "
                                + _difference(expected, recorded) + " (rerun with --update after checking them)")
        else:
            out.snapshot = "matched"


def _difference(expected: List[Dict[str, Any]], got: List[Dict[str, Any]]) -> str:
    key = lambda e: f"{e['path']}:{e['line']} {e['resource']}"  # noqa: E731
    gone = [key(e) for e in expected if e not in got]
    new = [key(e) for e in got if e not in expected]
    parts = ([f"no longer found: {', '.join(gone[:3])}"] if gone else []) + ([f"new: {', '.join(new[:3])}"] if new else [])
    return "(" + "; ".join(parts) + ")"


def _run_docstring(rule, out: Outcome) -> None:
    from emrlint.docs import examples

    names = {"hcl": "main.tf", "terraform": "main.tf", "yaml": "template.yaml", "json": "document.json"}
    for i, (kind, lang, code) in enumerate(examples(rule), 1):
        if lang not in names:
            continue
        out.cases += 1
        with tempfile.TemporaryDirectory(prefix="emrlint-example-") as tmp:
            with open(os.path.join(tmp, names[lang]), "w", encoding="utf-8") as fh:
                fh.write(code)
            findings = _scan(rule.id, tmp)
        _judge(rule.id, kind == "failing", findings, f"docstring {kind} example {i} ({lang})",
               lambda f: f"line {f.loc.line}", out)


def policies_in(paths: Sequence[str]) -> List[str]:
    """Policy files named on the command line (files, or directories' *.yaml/*.yml)."""
    from emrlint.policies import policy_files

    out: List[str] = []
    for p in paths:
        try:
            out += [f for f in policy_files([p], os.getcwd()) if f not in out]
        except FileNotFoundError:
            from emrlint.discovery import UsageError

            raise UsageError(f"{p}: no policy file (*.yaml, *.yml) there") from None
    return out


def run(rules: Sequence[Any], update: bool = False, report=print) -> int:
    """Run every rule's examples and report; 0 when all pass, 1 when one fails."""
    failed = 0
    for rule in rules:
        outcome = run_rule(rule, update)
        snap = {"matched": ", snapshot matched", "written": ", snapshot written"}.get(outcome.snapshot, "")
        if outcome.ok:
            report(f"ok      {rule.id} {rule.name}: {outcome.cases} example{'s' if outcome.cases != 1 else ''}{snap}")
        else:
            failed += 1
            report(f"FAILED  {rule.id} {rule.name}")
            for failure in outcome.failures:
                report(f"    {failure}")
    report(f"{len(rules) - failed} of {len(rules)} polic{'ies' if len(rules) != 1 else 'y'} passed their examples")
    return 1 if failed else 0
