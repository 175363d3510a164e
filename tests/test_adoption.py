"""What a new user meets first, through the installed command: the README's pins and workflow,
what the terminal shows, SARIF for code scanning, report files' modes, the progress display
of a parallel scan."""

from __future__ import annotations

import json
import os
import re
import stat
import subprocess

import pytest
from ruamel.yaml import YAML

from conftest import REPO, write_tree
from test_cli import EMRLINT, _run_in_pty

pytestmark = pytest.mark.skipif(EMRLINT is None, reason="emrlint is not installed (pip install -e .)")


def _read(name):
    with open(os.path.join(REPO, name), encoding="utf-8") as fh:
        return fh.read()


def _env(**extra):
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}
    env.update(EMRLINT_NO_CACHE="1", **extra)
    return env


def test_readme_and_editor_pins_name_the_newest_release_of_the_changelog():
    newest = re.search(r"^## (\d+\.\d+\.\d+)\s*$", _read("CHANGELOG.md"), re.M).group(1)
    assert newest == "0.3.1"
    readme, editors = _read("README.md"), _read(os.path.join("docs", "editors.md"))
    pins = re.findall(r"rev: (v\S+)", readme) + re.findall(r"uses: emrlint/emrlint@(\S+)", readme)
    pins += re.findall(r"git\+https://github\.com/emrlint/emrlint@(v[\w.]+)", readme + editors)
    assert len(pins) >= 5 and set(pins) == {f"v{newest}"}, pins


def test_readme_workflow_shows_the_permissions_and_uploads_the_actions_sarif():
    readme = _read("README.md")
    workflow = next(YAML(typ="safe").load(block) for block in re.findall(r"```yaml\n(.*?)```", readme, re.S)
                    if "runs-on:" in block)
    assert workflow["permissions"] == {"contents": "read", "security-events": "write", "actions": "read"}
    steps = workflow["jobs"]["emrlint"]["steps"]
    with open(os.path.join(REPO, "action.yml")) as fh:
        action = YAML(typ="safe").load(fh)
    upload = next(s for s in steps if s.get("uses", "").startswith("github/codeql-action/upload-sarif@"))
    assert upload["with"]["sarif_file"] == action["inputs"]["sarif-file"]["default"]
    assert upload["if"] == "always()"  # findings fail the emrlint step; the upload still runs
    assert any(s.get("uses", "").startswith("emrlint/emrlint@") for s in steps)


def test_readme_shows_what_a_terminal_shows():
    block = re.search(r"on a 90-column terminal shows:\n\n```text\n(.*?)```", _read("README.md"), re.S).group(1)
    data, code = _run_in_pty([EMRLINT, "scan", "--select", "EMR301", "fixtures/examples/design-card"],
                             _env(COLUMNS="90", LINES="40", TERM="xterm-256color", NO_COLOR="1"))
    shown = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", data.decode().replace("\r", ""))
    assert code == 1 and shown == block


def test_sarif_ranks_security_rules_for_code_scanning():
    proc = subprocess.run([EMRLINT, "scan", "--format", "sarif", "--select", "EMR3,EMR4",
                           "fixtures/examples/design-card"], cwd=REPO, capture_output=True, text=True, env=_env(),
                          timeout=120)
    run = json.loads(proc.stdout)["runs"][0]
    rules = {r["id"]: r for r in run["tool"]["driver"]["rules"]}
    with_results = {res["ruleId"] for res in run["results"]}
    assert {"EMR401", "EMR411", "EMR301"} <= with_results
    security = [r for r in rules.values() if r["id"].startswith("EMR4")]
    assert len(security) == 12
    for r in security:
        assert "security" in r["properties"]["tags"]
        assert 0 < float(r["properties"]["security-severity"]) <= 10
    # an error-level security rule ranks above an info-level one
    assert float(rules["EMR402"]["properties"]["security-severity"]) > float(
        rules["EMR411"]["properties"]["security-severity"])
    assert "security" not in rules["EMR301"]["properties"]["tags"]
    assert "security-severity" not in rules["EMR301"]["properties"]


def test_sarif_of_the_whole_catalogue_carries_full_help_only_for_rules_with_results():
    proc = subprocess.run([EMRLINT, "scan", "--format", "sarif", "fixtures/examples/design-card"], cwd=REPO,
                          capture_output=True, text=True, env=_env(), timeout=120)
    run = json.loads(proc.stdout)["runs"][0]
    with_results = {res["ruleId"] for res in run["results"]}
    rules = run["tool"]["driver"]["rules"]
    assert {r["id"] for r in rules if "help" in r} == with_results
    assert all(len(json.dumps(r)) < 2000 for r in rules if "help" not in r)  # a descriptor, not the docs


@pytest.fixture
def tree(tmp_path):
    write_tree(str(tmp_path), {"infra/main.tf": _read(os.path.join("fixtures", "examples", "design-card", "main.tf")),
                               "infra/variables.tf": _read(os.path.join("fixtures", "examples", "design-card",
                                                                        "variables.tf"))})
    return tmp_path


@pytest.mark.parametrize("args,name", [
    (["--format", "json", "--output", "report.json"], "report.json"),
    (["--format", "sarif", "--output", "report.sarif"], "report.sarif"),
    (["--write-baseline", "baseline.json"], "baseline.json"),
])
def test_report_files_of_the_command_honour_the_umask(tree, args, name):
    proc = subprocess.run([EMRLINT, "scan", "infra", *args], cwd=tree, capture_output=True, env=_env(), timeout=120,
                          preexec_fn=lambda: os.umask(0o027))
    assert proc.returncode in (0, 1), proc.stderr
    assert stat.S_IMODE(os.stat(tree / name).st_mode) == 0o640


def test_a_parallel_scan_shows_progress_on_a_terminal(tmp_path):
    """--jobs 2 on a tree large enough for worker processes: the bar moves with root modules
    the workers finish (before, only a one-process scan showed progress)."""
    import pty
    import select
    import time

    cluster = _read(os.path.join("fixtures", "examples", "everything-right", "emr.tf"))
    roots = 2000  # about 8 MB: several seconds of work even on a fast, idle machine (the bar waits a second)
    write_tree(str(tmp_path), {f"env{i:03d}/main.tf": cluster.replace("analytics", f"analytics{i}")
                               for i in range(roots)})
    assert sum(os.path.getsize(tmp_path / f"env{i:03d}" / "main.tf") for i in range(roots)) > 2_000_000
    master, slave = pty.openpty()
    proc = subprocess.Popen([EMRLINT, "scan", "--jobs", "2", "--select", "EMR301", "."], cwd=tmp_path,
                            stdout=subprocess.DEVNULL, stderr=slave, stdin=subprocess.DEVNULL,
                            env=_env(COLUMNS="100", TERM="xterm-256color"))
    os.close(slave)
    shown = b""
    deadline = time.monotonic() + 300
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([master], [], [], 0.1)
            if ready:
                try:
                    chunk = os.read(master, 65536)
                except OSError:
                    break
                if not chunk:
                    break
                shown += chunk
            elif proc.poll() is not None:
                break
    finally:
        os.close(master)
    assert proc.wait(timeout=60) == 0
    text = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", shown.decode("utf-8", "replace"))
    counts = [int(n) for n in re.findall(rf"evaluating Terraform modules\D+?(\d+)/{roots}", text)]
    assert counts, text[-2000:]
    assert max(counts) > 0
