"""The rules added for job concurrency, managed scaling caps, floating AMIs, HDFS, release-gated
features and instance types: each is tested in Terraform and in another format, its deliberate
traps are silent *because of* the trap (the same fixture without it fires), its parameters are
checked for sense, and the complete example exercises what it checks."""

from __future__ import annotations

import json
import os
import shutil
import subprocess

import pytest

from conftest import FIXTURES, REPO, run_scan, write_tree
from test_cli import EMRLINT

NEW_RULES = ["EMR113", "EMR114", "EMR115", "EMR116", "EMR206", "EMR504", "EMR603", "EMR604"]
TERRAFORM = (".tf", ".tfvars", ".tf.json")


def _files(case):
    return [os.path.join(d, f) for d, _, names in os.walk(case) for f in names]


@pytest.mark.parametrize("rule_id", NEW_RULES)
def test_fail_and_pass_fixtures_cover_terraform_and_another_format(rule_id):
    with open(os.path.join(FIXTURES, rule_id, "snapshot.json")) as fh:
        snapshot = json.load(fh)
    for kind in ("fail", "pass"):
        cases = [os.path.join(FIXTURES, rule_id, kind, c) for c in os.listdir(os.path.join(FIXTURES, rule_id, kind))]
        terraform = [c for c in cases if any(f.endswith(TERRAFORM) for f in _files(c))]
        other = [c for c in cases if any(f.endswith((".json", ".yaml", ".yml")) and not f.endswith(".tf.json")
                                         for f in _files(c))]
        assert terraform and other, f"fixtures/{rule_id}/{kind} needs a Terraform case and a CloudFormation/JSON one"
    # and the rule really fires in both: its snapshot has findings in Terraform files and in others
    paths = {e["path"] for e in snapshot}
    assert any(p.endswith(TERRAFORM) for p in paths), rule_id
    assert any(p.endswith((".json", ".yaml", ".yml")) and not p.endswith(".tf.json") for p in paths), rule_id


# (rule, passing fixture, file, trap as written, the same line without the trap)
TRAPS = [
    ("EMR113", "release-unknown", "main.tf", "release_label = var.release_label", 'release_label = "emr-7.1.0"'),
    ("EMR206", "release-unknown", "main.tf", "release_label = var.release_label", 'release_label = "emr-7.2.0"'),
    ("EMR604", "release-unknown", "main.tf", "release_label = var.release_label", 'release_label = "emr-6.15.0"'),
    ("EMR206", "release-with-newer-patch", "template.yaml", "ReleaseLabel: emr-6.8.0", "ReleaseLabel: emr-6.8.1"),
    ("EMR114", "asl-max-concurrency-path", "reprocess.asl.json", '"MaxConcurrencyPath": "$.maxClusters",', ""),
    ("EMR115", "min-equals-max", "main.tf", "minimum_capacity_units = 6", "minimum_capacity_units = 2"),
    ("EMR116", "min-equals-max", "template.yaml", "MinimumCapacityUnits: 6", "MinimumCapacityUnits: 2"),
]


@pytest.mark.parametrize("rule_id,case,name,trap,untrapped", TRAPS, ids=[f"{t[0]}-{t[1]}" for t in TRAPS])
def test_each_trap_is_what_keeps_its_fixture_silent(rule_id, case, name, trap, untrapped, tmp_path, monkeypatch):
    """An unknown release, MaxConcurrencyPath, min = max scaling and a label with a newer patch
    are silent; the same configuration with the trap taken out fires, so the fixture proves
    the trap and not something else."""
    src = os.path.join(FIXTURES, rule_id, "pass", case)
    shutil.copytree(src, tmp_path / "case")
    monkeypatch.chdir(tmp_path)
    assert run_scan(["case"], select=[rule_id]) == []
    path = tmp_path / "case" / name
    text = path.read_text()
    assert text.count(trap) == 1, f"{case}/{name} no longer has its trap {trap!r}"
    path.write_text(text.replace(trap, untrapped))
    assert {f.rule for f in run_scan(["case"], select=[rule_id])} == {rule_id}


@pytest.mark.parametrize("params,needle", [
    ("EMR113: {max_concurrent_runs: 0}", "params.EMR113.max_concurrent_runs: out of range; accepted: 1 to 1000"),
    ("EMR113: {max_concurrent_runs: 5000}", "params.EMR113.max_concurrent_runs: out of range; accepted: 1 to 1000"),
    ("EMR113: {max_concurrent_runs: 2.5}", "params.EMR113.max_concurrent_runs: expected an integer"),
    ("EMR114: {max_emr_fanout: 0}", "params.EMR114.max_emr_fanout: out of range; accepted: at least 1"),
    ("EMR114: {max_emr_fanout: true}", "params.EMR114.max_emr_fanout: expected an integer"),
    ("EMR114: {max_emr_fanot: 3}", "params.EMR114: unknown parameter 'max_emr_fanot' for EMR114 (known: max_emr_fanout)"),
])
def test_new_parameters_that_cannot_mean_anything_are_config_errors(tmp_path, params, needle):
    write_tree(str(tmp_path), {"main.tf": 'resource "aws_emr_cluster" "c" {\n  name = "c"\n}\n',
                               ".emrlint.yaml": f"params:\n  {params}\n"})
    proc = subprocess.run([EMRLINT, "scan", "."], cwd=tmp_path, capture_output=True, text=True, timeout=120,
                          env=dict(os.environ, EMRLINT_NO_CACHE="1"))
    assert proc.returncode == 2
    assert f"{tmp_path}{os.sep}.emrlint.yaml:2: {needle}" in proc.stderr, proc.stderr


EVERYTHING_RIGHT = os.path.join(FIXTURES, "examples", "everything-right")

# what the complete example must show, and the one edit that takes it away
SHOWN = [
    ("a job queue (scheduler_configuration)", "EMR113", "serverless.tf",
     "  scheduler_configuration {\n    max_concurrent_runs   = 20\n    queue_timeout_minutes = 120\n  }\n", ""),
    ("a bounded Map fan-out", "EMR114", "pipelines.tf", "        MaxConcurrency = 5\n", ""),
    ("a core cap on managed scaling", "EMR115", "emr.tf", "    maximum_core_capacity_units     = 8\n", ""),
    ("an On-Demand cap on managed scaling", "EMR116", "emr.tf", "    maximum_ondemand_capacity_units = 8\n", ""),
    ("a pinned Amazon Linux release", "EMR206", "emr.tf", '  os_release_label                  = "2023.5.20240708.0"\n',
     ""),
]


@pytest.mark.parametrize("what,rule_id,name,written,without", SHOWN, ids=[s[1] for s in SHOWN])
def test_everything_right_shows_each_new_guardrail(what, rule_id, name, written, without, tmp_path, monkeypatch):
    """The complete example is clean (tests/test_examples.py) and it is clean because it writes
    each guardrail: without it, exactly that rule fires."""
    shutil.copytree(EVERYTHING_RIGHT, tmp_path / "everything-right")
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "everything-right" / name
    text = path.read_text()
    assert text.count(written) == 1, f"everything-right/{name} no longer writes {what}"
    path.write_text(text.replace(written, without))
    assert {f.rule for f in run_scan(["everything-right"], select=["ALL"])} == {rule_id}


def test_rules_data_through_the_installed_command_prints_each_tables_age():
    import datetime

    from emrlint import data

    proc = subprocess.run([EMRLINT, "rules", "--data"], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    today = datetime.date.today()
    for info in data.tables():
        age = (today - datetime.date.fromisoformat(info.date)).days
        assert f"{info.name}  {info.date} ({age} days old)" in proc.stdout
