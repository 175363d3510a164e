"""Suppressions: near misses (EMR002), unused suppressions (EMR003) and the JSON and
CloudFormation Metadata forms, over minimal snippets (the rule fixtures hold the
realistic cases)."""

from __future__ import annotations

import json

import pytest

CLUSTER = """\
resource "aws_emr_cluster" "etl" {
  name          = "etl"
  release_label = "emr-7.1.0"
  service_role  = "EMR_DefaultRole"
}
"""


@pytest.mark.parametrize("comment", ["# emrlint: ignore EMR301 r", "# emrlint:ignore=EMR301 r", "# emrlint-ignore EMR301 r",
                                     "# emrlint:ignore:EMR301 r", "# emrlint:ignore-file EMR301 r",
                                     "// emrlint disable EMR301 r", "#emrlint :ignore EMR301 r"])
def test_near_misses_silence_nothing_and_are_emr002(tf, comment):
    got = tf({"main.tf": comment + "\n" + CLUSTER}, select=["EMR002", "EMR301"])
    assert got == [("EMR002", "main.tf", 1), ("EMR301", "main.tf", 2)]


@pytest.mark.parametrize("comment", ["# managed by emrlint in CI", "# see emrlint docs", "# emrlint:ignore EMR301 r"])
def test_comments_that_are_not_near_misses(tf, comment):
    assert [r for r, _, _ in tf({"main.tf": comment + "\n" + CLUSTER}, select=["EMR002"])] == []


def test_near_miss_in_a_yaml_comment(tf):
    template = ("Resources:\n  # emrlint: ignore EMR301 agent ships logs\n  C:\n    Type: AWS::EMR::Cluster\n"
                "    Properties:\n      Name: c\n      ReleaseLabel: emr-7.1.0\n")
    assert tf({"template.yaml": template}, select=["EMR002", "EMR301"]) == [
        ("EMR002", "template.yaml", 2), ("EMR301", "template.yaml", 3)]


def test_unused_suppression_only_for_rules_that_ran(tf):
    tree = {"main.tf": "# emrlint:ignore EMR301,EMR201 reasons\n" + CLUSTER}
    assert tf(tree, select=["EMR003", "EMR301", "EMR201"]) == [("EMR003", "main.tf", 1)]  # EMR201 has nothing
    assert tf(tree, select=["EMR003", "EMR301"]) == []  # EMR201 did not run: unknown
    assert tf(tree, select=["EMR003"]) == []


def test_module_shared_by_two_roots_in_worker_processes_is_not_unused(tf):
    module = "# emrlint:ignore EMR301 logs shipped by the agent\n" + CLUSTER
    tree = {"modules/emr/main.tf": module}
    for i in range(6):
        tree[f"env{i}/main.tf"] = f'module "emr" {{\n  source = "../modules/emr"\n}}\n' + "# padding\n" * 4000
    got = tf(tree, select=["EMR003", "EMR301"], jobs=2, parallel_min_bytes=1)
    assert got == []


def test_json_slash_key_silences_its_object_and_reports_when_unused(tf):
    doc = {"//": "emrlint:ignore EMR301 logs shipped by the agent", "Name": "n", "ReleaseLabel": "emr-7.1.0",
           "Instances": {}}
    assert tf({"cluster.json": json.dumps(doc, indent=2)}, select=["EMR301", "EMR003", "EMR002"]) == []
    doc["LogUri"] = "s3://logs/"
    assert tf({"cluster.json": json.dumps(doc, indent=2)}, select=["EMR301", "EMR003", "EMR002"]) == [
        ("EMR003", "cluster.json", 2)]


def test_cloudformation_metadata_in_json_template(tf):
    template = {"Resources": {"C": {"Type": "AWS::EMR::Cluster",
                                    "Metadata": {"emrlint": {"ignore": [{"id": "EMR301", "reason": "sandbox"},
                                                                        {"id": "EMR999", "reason": "typo"}]}},
                                    "Properties": {"Name": "c", "ReleaseLabel": "emr-7.1.0"}}}}
    got = tf({"template.json": json.dumps(template, indent=2)}, select=["EMR301", "EMR002", "EMR003"], full=True)
    assert [(f.rule, f.loc.line) for f in got] == [("EMR002", 12)]
