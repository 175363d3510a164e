"""The composite GitHub Action: its structure, and its emrlint step run for real in bash."""

from __future__ import annotations

import json
import os
import subprocess

import pytest
from ruamel.yaml import YAML

from conftest import REPO, write_tree
from test_cli import EMRLINT


def _action():
    with open(os.path.join(REPO, "action.yml")) as fh:
        return YAML(typ="safe").load(fh)


def test_action_is_a_composite_that_installs_and_runs_emrlint():
    action = _action()
    assert action["runs"]["using"] == "composite"
    steps = action["runs"]["steps"]
    assert any("pip install" in s.get("run", "") for s in steps)
    assert set(action["inputs"]) >= {"path", "sarif-file", "fail-on", "args"}
    for step in steps:
        assert "${{" not in step.get("run", ""), "inputs reach the shell through env, never by interpolation"


@pytest.mark.skipif(EMRLINT is None, reason="emrlint is not installed")
def test_action_run_step_writes_sarif_and_fails_on_findings(tmp_path):
    step = next(s for s in _action()["runs"]["steps"] if s.get("name") == "Run emrlint")
    inputs = {k: str(v.get("default", "")) for k, v in _action()["inputs"].items()}
    env = dict(os.environ, PATH=os.path.dirname(EMRLINT) + os.pathsep + os.environ["PATH"])
    for key, value in step["env"].items():
        name = value.replace("${{ inputs.", "").replace(" }}", "")
        env[key] = inputs[name]
    write_tree(str(tmp_path), {"emr/main.tf": open(os.path.join(REPO, "fixtures/examples/design-card/main.tf")).read(),
                               "emr/variables.tf": open(os.path.join(REPO, "fixtures/examples/design-card/variables.tf")).read()})
    proc = subprocess.run(["bash", "-c", step["run"]], cwd=tmp_path, env=env, capture_output=True, text=True)
    assert proc.returncode == 1
    sarif = json.loads((tmp_path / "emrlint.sarif").read_text())
    assert {r["ruleId"] for r in sarif["runs"][0]["results"]} >= {"EMR102", "EMR301"}
    assert "Found " in proc.stdout and "EMR102" in proc.stdout
