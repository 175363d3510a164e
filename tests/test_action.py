"""The composite GitHub Action: its structure, and its install and run steps executed for
real in bash, as the runner would (inputs through env, RUNNER_TEMP for the virtualenv)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from ruamel.yaml import YAML

from conftest import REPO, write_tree
from test_cli import EMRLINT


def _action():
    with open(os.path.join(REPO, "action.yml")) as fh:
        return YAML(typ="safe").load(fh)


def _step(name):
    return next(s for s in _action()["runs"]["steps"] if s.get("name") == name)


def test_action_is_a_composite_that_installs_and_runs_emrlint():
    action = _action()
    assert action["runs"]["using"] == "composite"
    steps = action["runs"]["steps"]
    assert set(action["inputs"]) >= {"path", "sarif-file", "fail-on", "annotations", "args", "python-version"}
    for step in steps:
        assert "${{" not in step.get("run", ""), "inputs reach the shell through env, never by interpolation"


def test_action_leaves_the_jobs_python_alone_and_pins_current_majors():
    [setup] = [s for s in _action()["runs"]["steps"] if s.get("uses", "").startswith("actions/setup-python")]
    assert setup["uses"] == "actions/setup-python@v6"
    assert setup["with"]["update-environment"] is False
    assert "-m venv" in _step("Install emrlint")["run"]


def test_action_does_not_override_the_repositorys_fail_on_by_default():
    assert _action()["inputs"]["fail-on"]["default"] == ""


def _env(tmp_path, **inputs):
    defaults = {k: str(v.get("default", "")) for k, v in _action()["inputs"].items()}
    defaults.update(inputs)
    runner_temp = tmp_path / "runner-temp"
    runner_temp.mkdir(exist_ok=True)
    venv = runner_temp / "emrlint-venv"
    if not venv.exists():
        os.symlink(sys.prefix, venv)  # the virtualenv the install step makes: this test's, with emrlint in it
    env = {k: v for k, v in os.environ.items() if not k.startswith("EMRLINT_")}
    env.update(RUNNER_TEMP=str(runner_temp), EMRLINT_NO_CACHE="1")
    for key, value in _step("Run emrlint")["env"].items():
        env[key] = defaults[value.replace("${{ inputs.", "").replace(" }}", "")]
    return env


@pytest.fixture
def repo(tmp_path):
    card = os.path.join(REPO, "fixtures", "examples", "design-card")
    write_tree(str(tmp_path), {"emr/main.tf": open(os.path.join(card, "main.tf")).read(),
                               "emr/variables.tf": open(os.path.join(card, "variables.tf")).read()})
    return tmp_path


@pytest.mark.skipif(EMRLINT is None, reason="emrlint is not installed")
def test_run_step_writes_sarif_and_annotations_in_one_run_and_fails_on_findings(repo):
    proc = subprocess.run(["bash", "-c", _step("Run emrlint")["run"]], cwd=repo, env=_env(repo), capture_output=True,
                          text=True)
    assert proc.returncode == 1
    sarif = json.loads((repo / "emrlint.sarif").read_text())
    assert {r["ruleId"] for r in sarif["runs"][0]["results"]} >= {"EMR102", "EMR301"}
    assert any(line.startswith("::warning file=emr/main.tf,") and "EMR301" in line for line in proc.stdout.splitlines())
    assert "Found " in proc.stdout


@pytest.mark.skipif(EMRLINT is None, reason="emrlint is not installed")
def test_run_step_keeps_the_repositorys_fail_on_unless_the_input_is_set(repo):
    (repo / ".emrlint.yaml").write_text("fail-on: error\n")
    env = _env(repo, annotations="false")
    proc = subprocess.run(["bash", "-c", _step("Run emrlint")["run"]], cwd=repo, env=env, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout  # the design card has warnings and infos only
    assert "::" not in proc.stdout
    env = _env(repo, **{"fail-on": "warning"})
    proc = subprocess.run(["bash", "-c", _step("Run emrlint")["run"]], cwd=repo, env=env, capture_output=True, text=True)
    assert proc.returncode == 1


@pytest.mark.skipif(os.environ.get("EMRLINT_SKIP_ACTION_INSTALL") == "1", reason="EMRLINT_SKIP_ACTION_INSTALL=1")
def test_install_step_makes_its_own_virtualenv_from_the_action_path(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("EMRLINT_")}
    env.update(RUNNER_TEMP=str(tmp_path), EMRLINT_SOURCE=REPO, EMRLINT_PYTHON=sys.executable)
    proc = subprocess.run(["bash", "-c", _step("Install emrlint")["run"]], env=env, capture_output=True, text=True,
                          timeout=600)
    assert proc.returncode == 0, proc.stderr
    version = subprocess.run([str(tmp_path / "emrlint-venv" / "bin" / "emrlint"), "-V"], capture_output=True, text=True)
    assert version.stdout.startswith("emrlint ")
