"""Fail closed: a bug in emrlint on one resource or one file is an internal error for it
(every output format says so, exit status 2) while every other finding is still reported.

The bug is injected: a rule's check() (or a loader) is replaced by one that raises for one
resource.  The command-line tests run emrlint's real ``main`` in a subprocess, with the
same patch applied first, so exit codes and streams are what a user sees."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from xml.etree import ElementTree as ET

import jsonschema
import pytest

from conftest import REPO, run_scan, write_tree
from emrlint.engine import ScanOptions, scan
from emrlint.config import selected_rules

TREE = {
    "infra/main.tf": """\
        resource "aws_emr_cluster" "broken" {
          name          = "broken"
          release_label = "emr-7.1.0"
          service_role  = "EMR_DefaultRole"
        }

        resource "aws_emr_cluster" "fine" {
          name          = "fine"
          release_label = "emr-7.1.0"
          service_role  = "EMR_DefaultRole"
        }
        """,
    "jobs/cluster.json": json.dumps({"Name": "nightly", "ReleaseLabel": "emr-7", "Instances": {}}, indent=2),
}

# Applied before emrlint runs (in this process through monkeypatch, in a subprocess as code):
# EMR301's check raises on aws_emr_cluster.broken and works everywhere else.
PATCH = """
from emrlint.record import replace
import emrlint.registry as registry
rules = registry.all_rules()
original = rules["EMR301"].check
def check(res, ctx):
    if res.address == "aws_emr_cluster.broken":
        raise ZeroDivisionError("injected bug")
    return original(res, ctx)
rules["EMR301"] = replace(rules["EMR301"], check=check)
registry.load_rule = rules.__getitem__  # the engine loads built-in rules one by one
"""


def _patch_in_process(monkeypatch):
    import emrlint.registry as registry
    from emrlint.record import replace

    rules = dict(registry.all_rules())
    original = rules["EMR301"].check

    def check(res, ctx):
        if res.address == "aws_emr_cluster.broken":
            raise ZeroDivisionError("injected bug")
        return original(res, ctx)

    rules["EMR301"] = replace(rules["EMR301"], check=check)
    monkeypatch.setattr(registry, "all_rules", lambda: rules)  # the engine loads rules from the registry
    monkeypatch.setattr(registry, "load_rule", rules.__getitem__)  # (one by one, the built-in ones)


def test_a_rule_that_raises_on_one_resource_leaves_every_other_finding(tmp_path, monkeypatch):
    write_tree(str(tmp_path), TREE)
    monkeypatch.chdir(tmp_path)
    _patch_in_process(monkeypatch)
    result = scan(ScanOptions(paths=["."], rules=selected_rules(["EMR201", "EMR301"], [])))
    got = {(f.rule, f.resource) for f in result.findings}
    assert ("EMR301", "aws_emr_cluster.fine") in got  # the same rule on the other resource
    assert ("EMR301", "cluster.json:nightly") in got  # ... and on another file
    assert ("EMR201", "cluster.json:nightly") in got  # other rules on the same scan
    assert ("EMR301", "aws_emr_cluster.broken") not in got
    assert len(result.errors) == 1
    error = result.errors[0]
    assert (error.rule, error.resource, os.path.basename(error.path)) == ("EMR301", "aws_emr_cluster.broken", "main.tf")
    assert "ZeroDivisionError: injected bug" in error.message
    assert "Traceback" in error.detail


def test_a_loader_bug_on_one_document_is_an_internal_error_for_that_file(tmp_path, monkeypatch):
    import emrlint.documents.load as load

    write_tree(str(tmp_path), {**TREE, "jobs/other.json": json.dumps({"Name": "other", "ReleaseLabel": "emr-7"})})
    monkeypatch.chdir(tmp_path)
    original = load.classify

    def classify(path, root, *args):
        if path.endswith("cluster.json"):
            raise KeyError("injected")
        return original(path, root, *args)

    monkeypatch.setattr(load, "classify", classify)
    result = scan(ScanOptions(paths=["."], rules=selected_rules(["EMR201", "EMR301"], [])))
    assert [os.path.basename(e.path) for e in result.errors] == ["cluster.json"]
    assert {f.resource for f in result.findings} >= {"other.json:other", "aws_emr_cluster.fine"}


def test_a_terraform_evaluation_bug_in_one_root_module_leaves_the_others(tmp_path, monkeypatch):
    import emrlint.terraform.build as build

    write_tree(str(tmp_path), {"a/main.tf": TREE["infra/main.tf"], "b/main.tf": TREE["infra/main.tf"]})
    monkeypatch.chdir(tmp_path)
    original = build._collect

    def collect(project, model, inst, out, depth=0):
        if inst.dir.endswith(os.sep + "a"):
            raise RecursionError("injected")
        return original(project, model, inst, out, depth)

    monkeypatch.setattr(build, "_collect", collect)
    result = scan(ScanOptions(paths=["."], rules=selected_rules(["EMR301"], [])))
    assert [os.path.basename(e.path) for e in result.errors] == ["a"]
    assert {os.path.basename(os.path.dirname(f.loc.path)) for f in result.findings} == {"b"}


def test_a_scan_with_an_internal_error_is_not_cached(tmp_path, monkeypatch):
    write_tree(str(tmp_path), TREE)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("EMRLINT_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("EMRLINT_NO_CACHE", raising=False)
    _patch_in_process(monkeypatch)
    options = ScanOptions(paths=["infra"], rules=selected_rules(["EMR301"], []), cache=True)
    assert scan(options).errors
    assert scan(options).errors  # computed again, not replayed without its error
    entries = lambda: [p for p in (tmp_path / "cache").rglob("*") if p.is_file() and p.suffix == ".entry"]  # noqa: E731
    assert not entries()
    monkeypatch.undo()  # the same scan without the bug is cached
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("EMRLINT_CACHE_DIR", str(tmp_path / "cache"))
    assert not scan(options).errors
    assert entries()


def _cli(tmp_path, *args):
    code = PATCH + textwrap.dedent(f"""
        import sys
        from emrlint.cli import main
        sys.exit(main({list(args)!r}))
        """)
    env = dict(os.environ, EMRLINT_NO_CACHE="1", NO_COLOR="1")
    return subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True,
                          stdin=subprocess.DEVNULL, timeout=120)


@pytest.fixture
def tree(tmp_path):
    write_tree(str(tmp_path), TREE)
    return tmp_path


def test_text_report_names_the_error_and_keeps_the_findings(tree):
    proc = _cli(tree, "scan", ".", "--select", "EMR301")
    assert proc.returncode == 2, proc.stderr
    assert "infra/main.tf: internal error: rule EMR301 failed on aws_emr_cluster.broken" in proc.stdout
    assert "ZeroDivisionError: injected bug" in proc.stdout
    assert "1 internal error" in proc.stdout
    assert "aws_emr_cluster.fine" in proc.stdout and "cluster.json" in proc.stdout
    assert "Traceback" not in proc.stdout + proc.stderr


def test_debug_shows_the_traceback_and_keeps_exit_2(tree):
    proc = _cli(tree, "scan", ".", "--select", "EMR301", "--debug")
    assert proc.returncode == 2
    assert "Traceback" in proc.stderr and "ZeroDivisionError" in proc.stderr


def test_exit_zero_does_not_hide_an_internal_error(tree):
    assert _cli(tree, "scan", ".", "--select", "EMR301", "--exit-zero").returncode == 2


def test_json_report_has_the_error_and_every_other_finding(tree):
    proc = _cli(tree, "scan", ".", "--select", "EMR301", "--format", "json")
    assert proc.returncode == 2
    doc = json.loads(proc.stdout)
    assert doc["errors"] == [{"message": doc["errors"][0]["message"], "path": "infra/main.tf",
                              "resource": "aws_emr_cluster.broken", "rule": "EMR301"}]
    assert doc["summary"]["internal_errors"] == 1
    assert {f["resource"] for f in doc["findings"]} == {"aws_emr_cluster.fine", "cluster.json:nightly"}
    assert "internal error" in proc.stderr


def test_sarif_reports_a_tool_execution_notification(tree):
    proc = _cli(tree, "scan", ".", "--select", "EMR301", "--format", "sarif")
    assert proc.returncode == 2
    doc = json.loads(proc.stdout)
    with open(os.path.join(REPO, "tests", "data", "sarif-schema-2.1.0.json")) as fh:
        jsonschema.Draft4Validator(json.load(fh)).validate(doc)
    invocation = doc["runs"][0]["invocations"][0]
    assert invocation["executionSuccessful"] is False
    [note] = invocation["toolExecutionNotifications"]
    assert note["level"] == "error" and note["associatedRule"] == {"id": "EMR301"}
    assert note["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "infra/main.tf"
    assert len(doc["runs"][0]["results"]) == 2


def test_junit_and_github_formats_carry_the_error(tree):
    proc = _cli(tree, "scan", ".", "--select", "EMR301", "--format", "junit")
    assert proc.returncode == 2
    root = ET.fromstring(proc.stdout)
    assert root.get("errors") == "1"
    assert [e.get("type") for e in root.iter("error")] == ["internal error"]
    proc = _cli(tree, "scan", ".", "--select", "EMR301", "--format", "github")
    assert proc.returncode == 2
    assert any(line.startswith("::error file=infra/main.tf,title=emrlint internal error::")
               for line in proc.stdout.splitlines())


def test_no_baseline_is_written_from_an_incomplete_scan(tree):
    proc = _cli(tree, "scan", ".", "--select", "EMR301", "--write-baseline", "baseline.json")
    assert proc.returncode == 2
    assert not (tree / "baseline.json").exists()


def test_gitlab_and_checkstyle_formats_carry_the_error(tree):
    proc = _cli(tree, "scan", ".", "--select", "EMR301", "--format", "gitlab")
    assert proc.returncode == 2
    issues = json.loads(proc.stdout)
    assert [i["severity"] for i in issues if i["check_name"] == "emrlint internal error"] == ["blocker"]
    proc = _cli(tree, "scan", ".", "--select", "EMR301", "--format", "checkstyle")
    assert proc.returncode == 2
    assert [e.get("source") for e in ET.fromstring(proc.stdout).iter("error")].count("emrlint.internal-error") == 1
