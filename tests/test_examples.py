"""The shipped examples: a complete configuration passes every rule at once."""

from __future__ import annotations

import os

from conftest import FIXTURES, run_scan


def test_everything_right_produces_no_finding_at_all(monkeypatch):
    monkeypatch.chdir(os.path.dirname(FIXTURES))
    findings = run_scan([os.path.join("fixtures", "examples", "everything-right")], select=["ALL"])
    assert [(f.rule, f.loc.path, f.loc.line, f.message) for f in findings] == []


def test_design_card_example_with_the_guardrail_rules(monkeypatch):
    monkeypatch.chdir(os.path.dirname(FIXTURES))
    findings = run_scan([os.path.join("fixtures", "examples", "design-card")],
                        select=["EMR101", "EMR102", "EMR201", "EMR202", "EMR301"])
    assert sorted((f.rule, f.resource) for f in findings) == [
        ("EMR102", "aws_emr_cluster.spark"), ("EMR301", "aws_emr_cluster.spark")]
