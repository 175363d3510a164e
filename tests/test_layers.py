"""Layered configuration: each file's nearest config, ``extend``, ``per-path``."""

from __future__ import annotations

import json
import os

import pytest

from emrlint.cli import main

from conftest import write_tree

CLUSTER = """\
resource "aws_emr_cluster" "{name}" {{
  name          = "{name}"
  release_label = "emr-7.1.0"
  service_role  = "EMR_DefaultRole"

  auto_termination_policy {{
    idle_timeout = 7200
  }}

  master_instance_group {{
    instance_type = "m6g.xlarge"
  }}

  core_instance_group {{
    instance_type  = "r6g.2xlarge"
    instance_count = 4
  }}

  os_release_label = "2023.4.20240513.0"
}}
"""

PLATFORM = """\
# the platform team's settings, extended by every product team
select: [EMR1, EMR2, EMR301]
ignore: [EMR108]
severity:
  EMR301: error
params:
  EMR103:
    max_idle_timeout_seconds: 3600
"""


def _tree(tmp_path, files):
    write_tree(str(tmp_path), files)
    return str(tmp_path)


def _scan(capsys, *args):
    code = main(["scan", "--no-cache", "--format", "json", *args])
    out = capsys.readouterr()
    assert code in (0, 1), out.err
    doc = json.loads(out.out)
    return [(f["rule"], f["path"], f["line"], f["severity"]) for f in doc["findings"]]


@pytest.fixture
def monorepo(tmp_path, monkeypatch):
    root = _tree(tmp_path, {
        ".emrlint.yaml": "extend: platform/emrlint.yaml\n",
        "platform/emrlint.yaml": PLATFORM,
        "teams/ingest/.emrlint.yaml": (
            "extend: ../../platform/emrlint.yaml\n"
            "ignore: [EMR102]          # added to the platform's ignores\n"
            "severity: {EMR103: error} # merged with the platform's severities\n"
            "per-path:\n"
            "  legacy/:\n"
            "    ignore: [EMR301]\n"
            "    params:\n"
            "      EMR103: {max_idle_timeout_seconds: 14400}\n"),
        "teams/ingest/main.tf": CLUSTER.format(name="ingest"),
        "teams/ingest/legacy/main.tf": CLUSTER.format(name="legacy"),
        "teams/search/main.tf": CLUSTER.format(name="search"),
    })
    monkeypatch.chdir(root)
    return root


def test_each_directory_gets_its_nearest_config_from_the_root(monorepo, capsys):
    got = _scan(capsys, ".")
    # the search team has no config of its own: the root's (the platform's) applies
    search = sorted((r, s) for r, p, _, s in got if p.startswith("teams/search/"))
    assert search == [("EMR102", "warning"), ("EMR103", "warning"), ("EMR301", "error")]
    # the ingest team ignores EMR102 on top of the platform's ignores and raises EMR103 to error
    ingest = sorted((r, s) for r, p, _, s in got if p == "teams/ingest/main.tf")
    assert ingest == [("EMR103", "error"), ("EMR301", "error")]
    # its legacy directory may idle for 4 hours and may keep logs on the cluster
    assert not [f for f in got if f[1].startswith("teams/ingest/legacy/")]
    assert not [f for f in got if f[0] == "EMR108"]


def test_a_team_directory_scanned_from_inside_gets_the_same_config(monorepo, capsys, monkeypatch):
    from_root = [f for f in _scan(capsys, ".") if f[1].startswith("teams/ingest/")]
    monkeypatch.chdir(os.path.join(monorepo, "teams", "ingest"))
    inside = _scan(capsys, ".")
    assert [(r, "teams/ingest/" + p, line, s) for r, p, line, s in inside] == from_root
    # naming the team directory from the root is the same as well
    monkeypatch.chdir(monorepo)
    assert _scan(capsys, "teams/ingest") == from_root


def test_explicit_config_applies_to_everything(monorepo, capsys):
    got = _scan(capsys, "--config", "platform/emrlint.yaml", ".")
    assert sorted({r for r, p, _, _ in got if p.startswith("teams/ingest/")}) == ["EMR102", "EMR103", "EMR301"]
    got = _scan(capsys, "--no-config", "--select", "EMR301", ".")
    assert {s for _, _, _, s in got} == {"warning"} and len(got) == 3


def test_command_line_select_and_ignore_apply_on_top_of_every_config(monorepo, capsys):
    got = _scan(capsys, "--select", "EMR102,EMR301", "--ignore", "EMR301", ".")
    # --select replaces each config's select; each config's ignore still applies, and --ignore adds to it
    assert [(r, p) for r, p, _, _ in got] == [("EMR102", "teams/search/main.tf")]


def test_a_shared_module_is_checked_with_each_callers_settings(tmp_path, monkeypatch, capsys):
    root = _tree(tmp_path, {
        "modules/emr/main.tf": 'variable "name" {}\n\n' + CLUSTER.format(name="this").replace('"this"\n', "var.name\n", 1),
        "teams/a/.emrlint.yaml": "select: [EMR301]\nseverity: {EMR301: error}\n",
        "teams/a/main.tf": 'module "etl" {\n  source = "../../modules/emr"\n  name   = "a-etl"\n}\n',
        "teams/b/.emrlint.yaml": "select: [EMR301]\nper-path:\n  main.tf:\n    ignore: [EMR301]\n",
        "teams/b/main.tf": 'module "etl" {\n  source = "../../modules/emr"\n  name   = "b-etl"\n}\n',
        "teams/c/main.tf": 'module "etl" {\n  source = "../../modules/emr"\n  name   = "c-etl"\n}\n',
    })
    monkeypatch.chdir(root)
    code = main(["scan", "--no-cache", "--format", "json", "."])
    doc = json.loads(capsys.readouterr().out)
    assert code == 1
    got = sorted((f["rule"], f["severity"], f["call_sites"][0]["path"]) for f in doc["findings"] if f["rule"] == "EMR301")
    # team a: error; team b: its per-path pattern matches the module call in its main.tf; team c: no config
    assert got == [("EMR301", "error", "teams/a/main.tf"), ("EMR301", "warning", "teams/c/main.tf")]


def test_per_path_severity_and_glob_patterns(tmp_path, monkeypatch, capsys):
    root = _tree(tmp_path, {
        ".emrlint.yaml": ("select: [EMR301, EMR103]\n"
                          "per-path:\n"
                          "  \"envs/*/dev/**\":\n"
                          "    severity: {EMR301: info}\n"
                          "  \"envs/**/sandbox.tf\":\n"
                          "    ignore: [cluster-auto-termination-missing]\n"
                          "  envs/qa/:\n"
                          "    ignore: [EMR103]\n"),
        "envs/eu/dev/main.tf": CLUSTER.format(name="dev").replace("7200", "90000"),
        "envs/eu/prod/main.tf": CLUSTER.format(name="prod").replace("7200", "90000"),
        "envs/us/sandbox.tf": CLUSTER.format(name="sandbox").replace("7200", "90000"),
        "envs/qa/main.tf": CLUSTER.format(name="qa").replace("7200", "90000"),
    })
    monkeypatch.chdir(root)
    got = sorted(_scan(capsys, "."))
    assert got == [
        ("EMR103", "envs/eu/dev/main.tf", 7, "warning"),
        ("EMR103", "envs/eu/prod/main.tf", 7, "warning"),
        ("EMR301", "envs/eu/dev/main.tf", 1, "info"),
        ("EMR301", "envs/eu/prod/main.tf", 1, "warning"),
        ("EMR301", "envs/qa/main.tf", 1, "warning"),
        ("EMR301", "envs/us/sandbox.tf", 1, "warning"),
    ]


def test_nested_config_excludes_and_suppressions_follow_its_settings(tmp_path, monkeypatch, capsys):
    root = _tree(tmp_path, {
        ".emrlint.yaml": "select: [EMR301, EMR003]\n",
        "main.tf": CLUSTER.format(name="root"),
        "vendored/.emrlint.yaml": "select: [EMR301, EMR003]\nexclude: [third_party/]\nignore: [EMR301]\n",
        "vendored/third_party/main.tf": 'resource "aws_emr_cluster" "x" {\n  name = ',  # would be EMR001
        # EMR301 is off here, so its suppression is not "unused" (EMR003)
        "vendored/main.tf": "# emrlint:ignore EMR301 logs ship through the agent\n" + CLUSTER.format(name="v"),
    })
    monkeypatch.chdir(root)
    got = _scan(capsys, ".")
    assert got == [("EMR301", "main.tf", 1, "warning")]


def test_var_files_of_a_config_apply_to_the_root_modules_it_governs(tmp_path, monkeypatch, capsys):
    log = 'variable "log_uri" {\n  default = null\n}\n\n' + CLUSTER.format(name="c").replace(
        '  service_role  = "EMR_DefaultRole"\n', '  service_role  = "EMR_DefaultRole"\n  log_uri       = var.log_uri\n')
    root = _tree(tmp_path, {
        ".emrlint.yaml": "select: [EMR301]\n",
        "a/.emrlint.yaml": "select: [EMR301]\nvar-files: [env/prod.tfvars]\n",
        "a/env/prod.tfvars": 'log_uri = "s3://acme-emr-logs/a/"\n',
        "a/main.tf": log,
        "b/main.tf": log,
    })
    monkeypatch.chdir(root)
    assert [(r, p) for r, p, _, _ in _scan(capsys, ".")] == [("EMR301", "b/main.tf")]


def test_toml_per_path_and_extend(tmp_path, monkeypatch, capsys):
    root = _tree(tmp_path, {
        "base.toml": '[tool.emrlint]\nselect = ["EMR301"]\n',
        "pyproject.toml": ('[project]\nname = "infra"\n\n[tool.emrlint]\nextend = "base.toml"\n\n'
                           '[tool.emrlint.per-path."old/*.tf"]\nignore = ["EMR301"]\n'),
        "old/main.tf": CLUSTER.format(name="old"),
        "new/main.tf": CLUSTER.format(name="new"),
    })
    monkeypatch.chdir(root)
    assert [(r, p) for r, p, _, _ in _scan(capsys, ".")] == [("EMR301", "new/main.tf")]


@pytest.mark.parametrize("files,needle", [
    ({".emrlint.yaml": "select: [EMR301]\nextend: a.yaml\n", "a.yaml": "extend: .emrlint.yaml\n"},
     "a.yaml:1: extend: .emrlint.yaml extends this file again (a cycle)"),
    ({".emrlint.yaml": "\nextend: nowhere.yaml\n"}, ".emrlint.yaml:2: extend: nowhere.yaml: no such config file"),
    # out of the project: refused before looking (whether it exists would be news from outside)
    ({".emrlint.yaml": "\nextend: ../nowhere.yaml\n"}, '.emrlint.yaml:2: extend: "../nowhere.yaml" is outside the '
                                                      "repository of this config file"),
    ({".emrlint.yaml": "extend: base.yaml\n", "base.yaml": "select: [EMR301]\nseverity: {EMR301: loud}\n"},
     "base.yaml:2: severity.EMR301: expected one of info, warning, error"),
    ({".emrlint.yaml": "per-path:\n  legacy/:\n    ignore: [EMR301]\n    select: [EMR1]\n"},
     ".emrlint.yaml:4: per-path.legacy/: unknown key 'select' (known keys: ignore, severity, params)"),
    ({".emrlint.yaml": "per-path:\n  legacy/:\n    params:\n      EMR103: {max_idle: 5}\n"},
     ".emrlint.yaml:4: per-path.legacy/.params.EMR103: unknown parameter 'max_idle'"),
    ({".emrlint.yaml": "select: [EMR1]\n", "team/.emrlint.yaml": "ignore: [EMR999]\n"},
     "team/.emrlint.yaml:1: ignore: unknown rule 'EMR999'"),
])
def test_config_errors_name_the_file_and_line(tmp_path, monkeypatch, capsys, files, needle):
    root = _tree(tmp_path, dict(files, **{"team/main.tf": CLUSTER.format(name="t")}))
    monkeypatch.chdir(root)
    assert main(["scan", "--no-cache", "."]) == 2
    err = capsys.readouterr().err
    assert needle in err.replace(root + os.sep, ""), err


def test_editing_a_nested_config_invalidates_the_cache(tmp_path, monkeypatch, capsys):
    root = _tree(tmp_path, {
        "team/.emrlint.yaml": "select: [EMR301]\n",
        "team/main.tf": CLUSTER.format(name="t"),
    })
    monkeypatch.chdir(root)
    monkeypatch.setenv("EMRLINT_CACHE_DIR", str(tmp_path / "cache"))

    def cached():
        main(["scan", "--format", "json", "."])
        return [f["severity"] for f in json.loads(capsys.readouterr().out)["findings"]]

    assert cached() == ["warning"]
    assert cached() == ["warning"]
    with open(os.path.join(root, "team", ".emrlint.yaml"), "a") as fh:
        fh.write("severity: {EMR301: error}\n")
    assert cached() == ["error"]
    os.makedirs(os.path.join(root, "team", "x"))
    write_tree(root, {"team/x/main.tf": CLUSTER.format(name="x"), "team/x/.emrlint.yaml": "select: [EMR102]\n"})
    assert cached() == ["error", "warning"]  # team/x's own config: EMR102 on its all On-Demand core group
