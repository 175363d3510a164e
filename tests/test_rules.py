"""Every rule: fixtures that fail and pass, a snapshot of its exact findings, tested docs examples.

Snapshots live beside the fixtures (``fixtures/<ID>/snapshot.json``). After an
intended change, regenerate them with ``EMRLINT_UPDATE_SNAPSHOTS=1 pytest tests/test_rules.py``
and review the diff.  A rule whose fixtures need parameters (a policy ceiling) reads them
from ``fixtures/<ID>/params.json`` (``{"EMR107": {"max_vcpu": 400}}``).
"""

from __future__ import annotations

import json
import os

import pytest

from emrlint.docs import examples
from emrlint.registry import all_rules

from conftest import FIXTURES, REPO, run_scan, write_tree

RULES = sorted(all_rules())
UPDATE = os.environ.get("EMRLINT_UPDATE_SNAPSHOTS") == "1"


def _cases(rule_id: str, kind: str):
    d = os.path.join(FIXTURES, rule_id, kind)
    return sorted(os.path.join(d, c) for c in os.listdir(d)) if os.path.isdir(d) else []


def _params(rule_id: str) -> dict:
    """A policy rule's fixtures and examples need a repository's limits: fixtures/<ID>/params.json."""
    path = os.path.join(FIXTURES, rule_id, "params.json")
    if not os.path.exists(path):
        return {}
    with open(path) as fh:
        return json.load(fh)


def _also(rule_id: str) -> list:
    """Rules a rule's fixtures need enabled beside it (EMR003 judges suppressions of other
    rules, which must run): fixtures/<ID>/select.json.  Only the rule's own findings count."""
    path = os.path.join(FIXTURES, rule_id, "select.json")
    if not os.path.exists(path):
        return []
    with open(path) as fh:
        return json.load(fh)


def _entry(f) -> dict:
    return {
        "rule": f.rule,
        "path": os.path.relpath(f.loc.path, REPO).replace(os.sep, "/"),
        "line": f.loc.line,
        "column": f.loc.column,
        "end_line": f.loc.end_line,
        "resource": f.resource,
        "message": f.message,
    }


@pytest.mark.parametrize("rule_id", RULES)
def test_rule_has_failing_and_passing_fixtures(rule_id):
    for kind in ("fail", "pass"):
        cases = _cases(rule_id, kind)
        assert cases, f"fixtures/{rule_id}/{kind}/ needs at least one case directory"
        for case in cases:
            assert os.path.isdir(case) and os.listdir(case), f"{case} must be a non-empty directory"


@pytest.mark.parametrize("rule_id", RULES)
def test_rule_snapshot(rule_id, monkeypatch):
    monkeypatch.chdir(REPO)
    findings = run_scan([os.path.join("fixtures", rule_id)], select=[rule_id] + _also(rule_id), params=_params(rule_id))
    findings = [f for f in findings if f.rule == rule_id or not _also(rule_id)]
    got = [_entry(f) for f in findings]
    snap_path = os.path.join(FIXTURES, rule_id, "snapshot.json")
    if UPDATE or not os.path.exists(snap_path):
        with open(snap_path, "w") as fh:
            json.dump(got, fh, indent=2)
            fh.write("\n")
        if not UPDATE:
            pytest.fail(f"wrote a new snapshot {snap_path}: review it and rerun")
    with open(snap_path) as fh:
        expected = json.load(fh)
    assert got == expected

    assert {f.rule for f in findings} <= {rule_id}
    paths = [e["path"] for e in got]
    for case in _cases(rule_id, "pass"):
        rel = os.path.relpath(case, REPO).replace(os.sep, "/") + "/"
        assert not [p for p in paths if p.startswith(rel)], f"passing fixture {rel} has {rule_id} findings"
    for case in _cases(rule_id, "fail"):
        rel = os.path.relpath(case, REPO).replace(os.sep, "/") + "/"
        assert [p for p in paths if p.startswith(rel)], f"failing fixture {rel} produced no {rule_id} finding"


DOC_EXAMPLES = [(rid, i, kind, code, lang) for rid in RULES
                for i, (kind, lang, code) in enumerate(examples(all_rules()[rid]))]


@pytest.mark.parametrize("rule_id", RULES)
def test_rule_docs_have_failing_and_passing_examples(rule_id):
    found = examples(all_rules()[rule_id])
    assert {kind for kind, _, _ in found} == {"failing", "passing"}
    assert {lang for _, lang, _ in found} <= {"hcl", "terraform", "yaml", "json"}


@pytest.mark.parametrize("rule_id,index,kind,code,lang", DOC_EXAMPLES,
                         ids=[f"{r}-{k}-{i}" for r, i, k, _, _ in DOC_EXAMPLES])
def test_rule_docs_examples(rule_id, index, kind, code, lang, tmp_path, monkeypatch):
    """A failing example makes the rule fire; a passing one keeps it silent.

    Examples are focused on their rule, so only that rule (with the parse check) is
    run; fixtures/examples/everything-right/ checks that a complete configuration
    passes every rule at once."""
    monkeypatch.chdir(tmp_path)
    name = {"hcl": "main.tf", "terraform": "main.tf", "yaml": "template.yaml", "json": "document.json"}[lang]
    write_tree(str(tmp_path), {name: code})
    found = run_scan(["."], select=[rule_id, "EMR001"] + _also(rule_id), params=_params(rule_id))
    rules = {f.rule for f in found if f.rule in (rule_id, "EMR001")}
    assert rules == ({rule_id} if kind == "failing" else set())
