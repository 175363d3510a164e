"""Real `terraform show -json` plans (fixtures/plans/): read as their configuration is (ground rule 7).

The plans were made by Terraform and the AWS provider from the configuration beside them
(fixtures/plans/generate.sh); Terraform itself is not needed here.
"""

from __future__ import annotations

import json
import os
import re
import shutil

import pytest

from conftest import FIXTURES, REPO, run_scan

PLANS = os.path.join(FIXTURES, "plans")
CASES = sorted(d for d in os.listdir(PLANS) if os.path.isdir(os.path.join(PLANS, d)))
UPDATE = os.environ.get("EMRLINT_UPDATE_SNAPSHOTS") == "1"


def _load(case: str) -> dict:
    with open(os.path.join(PLANS, case, "plan.json"), encoding="utf-8") as fh:
        return json.load(fh)


def _readme_version(name: str) -> str:
    with open(os.path.join(PLANS, "README.md"), encoding="utf-8") as fh:
        return re.search(rf"^- {re.escape(name)}[^:]*: (\S+)$", fh.read(), re.M).group(1)


def test_the_real_plans_are_committed_with_their_configuration_script_and_versions():
    assert CASES == ["clusters", "serverless"]
    script = os.path.join(PLANS, "generate.sh")
    assert os.access(script, os.X_OK)
    with open(script, encoding="utf-8") as fh:
        text = fh.read()
    assert "terraform show -json" in text and "skip_" not in text.split("set -eu")[1]  # the settings are in the .tf
    for case in CASES:
        plan = _load(case)
        assert plan["terraform_version"] == _readme_version("Terraform")
        with open(os.path.join(PLANS, case, ".terraform.lock.hcl"), encoding="utf-8") as fh:
            lock = fh.read()
        assert f'version     = "{_readme_version("AWS provider")}"' in lock
        provider = plan["configuration"]["provider_config"]["aws"]["expressions"]
        assert {k for k in provider if k.startswith("skip_")} == {
            "skip_credentials_validation", "skip_requesting_account_id", "skip_metadata_api_check",
            "skip_region_validation"}
        assert "access_key" not in provider and "secret_key" not in provider  # fake credentials from the environment


def _declared(directory: str, prefix: str = "") -> set:
    """Managed resource addresses the .tf files of a module directory declare, with the
    module calls' resources under them (addresses without instance keys)."""
    out = set()
    for name in sorted(os.listdir(directory)):
        if not name.endswith(".tf"):
            continue
        with open(os.path.join(directory, name), encoding="utf-8") as fh:
            text = fh.read()
        out |= {f"{prefix}{t}.{n}" for t, n in re.findall(r'^resource "(\w+)" "(\w+)"', text, re.M)}
        for call, body in re.findall(r'^module "(\w+)" \{(.*?)^\}', text, re.M | re.S):
            source = re.search(r'source\s*=\s*"([^"]+)"', body).group(1)
            out |= _declared(os.path.normpath(os.path.join(directory, source)), f"{prefix}module.{call}.")
    return out


def _configured(module: dict, prefix: str = "") -> set:
    out = {prefix + r["address"] for r in module.get("resources", []) if r["mode"] == "managed"}
    for name, call in module.get("module_calls", {}).items():
        out |= _configured(call["module"], f"{prefix}module.{name}.")
    return out


@pytest.mark.parametrize("case", CASES)
def test_each_plan_was_made_from_the_configuration_beside_it(case):
    plan = _load(case)
    assert _configured(plan["configuration"]["root_module"]) == _declared(os.path.join(PLANS, case))
    planned = {re.sub(r"\[[^\]]*\]", "", c["address"]) for c in plan["resource_changes"] if c["mode"] == "managed"}
    assert planned <= _declared(os.path.join(PLANS, case))  # less what count = 0 leaves out


def _entry(f) -> dict:
    return {"rule": f.rule, "path": os.path.relpath(f.loc.path, REPO).replace(os.sep, "/"), "line": f.loc.line,
            "resource": f.resource, "message": f.message}


def test_real_plans_snapshot(monkeypatch):
    """Each plan scanned alone, every rule."""
    monkeypatch.chdir(REPO)
    got = {case: [_entry(f) for f in run_scan([os.path.join("fixtures", "plans", case, "plan.json")], select=["ALL"])]
           for case in CASES}
    path = os.path.join(PLANS, "snapshot.json")
    if UPDATE:
        with open(path, "w", encoding="utf-8") as fh:
            json.dump(got, fh, indent=2)
            fh.write("\n")
    with open(path, encoding="utf-8") as fh:
        assert got == json.load(fh)
    # what the provider marks known after apply though nothing sets it is missing
    rules = {(e["rule"], e["resource"]) for entries in got.values() for e in entries}
    assert ("EMR101", "aws_emrserverless_application.adhoc") in rules
    assert ("EMR102", "module.nightly[0].aws_emr_cluster.this") in rules
    assert ("EMR103", "aws_emr_cluster.fleets") in rules  # keep_job_flow_alive_when_no_steps is computed
    assert ("EMR102", "module.adhoc[0].aws_emr_cluster.this") not in rules  # its attached Spot task group


# The state machine's definition names aws_emrserverless_application.etl.id: the plan knows
# the whole definition only after apply (unknown), the configuration knows its structure.
KNOWN_ONLY_IN_SOURCE = {"serverless": {("EMR110", "aws_sfn_state_machine.nightly:Run"),
                                       ("EMR111", "aws_sfn_state_machine.nightly:Run"),
                                       ("EMR302", "aws_sfn_state_machine.nightly:Run")}}
# and so only the source's EMR302 on the application names the run that targets it
MESSAGE_DIFFERS = {"serverless": {("EMR302", "aws_emrserverless_application.etl")}}


@pytest.mark.parametrize("case", CASES)
def test_a_real_plan_gives_the_findings_of_its_configuration(case, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    shutil.copytree(os.path.join(PLANS, case), tmp_path / case, ignore=shutil.ignore_patterns("plan.json"))
    differs = MESSAGE_DIFFERS.get(case, set())

    def found(paths):
        return sorted((f.rule, f.resource, "" if (f.rule, f.resource) in differs else f.message)
                      for f in run_scan(paths, select=["ALL"]))

    source, plan = found([case]), found([os.path.join(PLANS, case, "plan.json")])
    only_source = KNOWN_ONLY_IN_SOURCE.get(case, set())
    assert only_source <= {f[:2] for f in source}
    # the same findings with the same messages (an unset attribute is "not set" in both), duplicates included
    assert plan == [f for f in source if f[:2] not in only_source]
