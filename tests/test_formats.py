"""CI formats (SARIF, JUnit, GitHub), --output, baselines and the text modes, through the installed CLI.

The fixture tree has findings of every severity and a directory whose name has
spaces and non-ASCII characters."""

from __future__ import annotations

import json
import os
from xml.etree import ElementTree as ET

import jsonschema
import pytest

from conftest import REPO, write_tree
from test_cli import EMRLINT, run

pytestmark = pytest.mark.skipif(EMRLINT is None, reason="emrlint is not installed (pip install -e .)")

ODD_DIR = "infra/équipe données"
CLUSTER = '''
resource "aws_emr_cluster" "spark" {
  name          = "spark"
  release_label = "emr-7"
  service_role  = "EMR_DefaultRole"

  master_instance_group {
    instance_type = "m6g.xlarge"
  }

  core_instance_group {
    instance_type  = "r6g.2xlarge"
    instance_count = 2
  }
}
'''
APP = '''
resource "aws_emrserverless_application" "etl" {
  name          = "etl"
  release_label = "emr-7.1.0"
  type          = "spark"
}
'''


@pytest.fixture
def tree(tmp_path):
    write_tree(str(tmp_path), {
        f"{ODD_DIR}/main.tf": CLUSTER,
        "serverless/main.tf": APP,
        "clean/main.tf": APP.replace('type          = "spark"',
                                     'type          = "spark"\n  maximum_capacity {\n    cpu    = "8 vCPU"\n'
                                     '    memory = "32 GB"\n  }'),
        # EMR102 stays a warning, EMR301 becomes info: every severity is present
        ".emrlint.yaml": "select: [EMR001, EMR002, EMR101, EMR102, EMR201, EMR202, EMR301]\n"
                         "severity:\n  EMR301: info\n",
    })
    return tmp_path


def scan(tree, *args):
    return run("scan", *args, cwd=str(tree))


def test_sarif_validates_against_the_official_schema(tree):
    proc = scan(tree, "--format", "sarif")
    assert proc.returncode == 1, proc.stderr
    doc = json.loads(proc.stdout)
    with open(os.path.join(REPO, "tests", "data", "sarif-schema-2.1.0.json")) as fh:
        schema = json.load(fh)
    jsonschema.Draft4Validator(schema, format_checker=jsonschema.FormatChecker()).validate(doc)

    run_ = doc["runs"][0]
    rules = run_["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == ["EMR001", "EMR002", "EMR101", "EMR102", "EMR201", "EMR202", "EMR301"]
    with_results = {res["ruleId"] for res in run_["results"]}
    for r in rules:
        assert r["name"] and r["shortDescription"]["text"] and r["fullDescription"]["text"]
        assert r["helpUri"].endswith(f"/docs/rules/{r['id']}.md")
        # the full documentation only for rules with results: a report of a few findings stays small
        assert ("help" in r) == (r["id"] in with_results)
        if r["id"] in with_results:
            assert r["help"]["markdown"].startswith(f"# {r['id']}")
        assert r["defaultConfiguration"]["level"] in ("error", "warning", "note")
        if r["id"].startswith("EMR4"):
            assert "security" in r["properties"]["tags"] and 0 < float(r["properties"]["security-severity"]) <= 10
        else:
            assert "security-severity" not in r["properties"]
    assert run_["tool"]["driver"]["informationUri"].startswith("https://")
    levels = {res["level"] for res in run_["results"]}
    assert levels == {"error", "warning", "note"}
    for res in run_["results"]:
        assert rules[res["ruleIndex"]]["id"] == res["ruleId"]
        region = res["locations"][0]["physicalLocation"]["region"]
        assert region["startLine"] >= 1 and region["startColumn"] >= 1 and region["endLine"] >= region["startLine"]
        assert res["partialFingerprints"]["emrlint/v1"]
    uris = {res["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for res in run_["results"]}
    assert "infra/%C3%A9quipe%20donn%C3%A9es/main.tf" in uris


def test_sarif_describes_only_the_rules_that_ran_or_have_results(tree):
    doc = json.loads(scan(tree, "--format", "sarif", "--select", "EMR301").stdout)
    rules = doc["runs"][0]["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == ["EMR301"]
    assert all(res["ruleIndex"] == 0 for res in doc["runs"][0]["results"])


def test_sarif_fingerprints_do_not_depend_on_line_numbers(tree):
    before = {r["ruleId"]: r["partialFingerprints"] for r in json.loads(scan(tree, "--format", "sarif").stdout)["runs"][0]["results"]}
    path = tree / ODD_DIR / "main.tf"
    path.write_text("\n\n# moved down\n" + path.read_text())
    after = {r["ruleId"]: r["partialFingerprints"] for r in json.loads(scan(tree, "--format", "sarif").stdout)["runs"][0]["results"]}
    assert before == after


def test_junit_is_well_formed_and_grouped_by_file(tree):
    proc = scan(tree, "--format", "junit")
    root = ET.fromstring(proc.stdout.encode())
    assert root.tag == "testsuites"
    suites = {s.get("name"): s for s in root.findall("testsuite")}
    odd = suites[f"{ODD_DIR}/main.tf"]
    failures = odd.findall("testcase/failure")
    assert len(failures) == int(odd.get("failures")) == 3
    assert {f.get("type").split()[0] for f in failures} == {"EMR102", "EMR201", "EMR301"}
    clean = suites["clean/main.tf"]
    assert clean.get("failures") == "0" and len(clean.findall("testcase")) == 1
    assert int(root.get("tests")) == sum(len(s.findall("testcase")) for s in suites.values())


def test_github_annotations(tree):
    proc = scan(tree, "--format", "github")
    lines = proc.stdout.splitlines()
    assert lines and all(line.startswith(("::error ", "::warning ", "::notice ")) for line in lines)
    assert {line.split(" ", 1)[0] for line in lines} == {"::error", "::warning", "::notice"}
    notice = next(line for line in lines if line.startswith("::notice"))
    assert f"file={ODD_DIR}/main.tf,line=2,col=1,title=EMR301 cluster-log-uri-missing::" in notice
    text = notice.split("::", 2)[2]
    assert "%" not in text.replace("%25", "").replace("%0A", "")  # only escapes
    assert text.endswith("%0AEMR301 documentation: https://github.com/emrlint/emrlint/blob/main/docs/rules/EMR301.md")


def test_output_file_and_terminal_summary(tree):
    os.makedirs(tree / "out")
    proc = scan(tree, "--format", "sarif", "--output", "out/results.sarif")
    assert proc.returncode == 1
    doc = json.loads((tree / "out" / "results.sarif").read_text())
    assert doc["version"] == "2.1.0"
    assert "Found 4 findings (2 errors, 1 warning, 1 info)" in proc.stdout
    assert "| resource" not in proc.stdout and "EMR102" in proc.stdout
    assert not [n for n in os.listdir(tree / "out") if n.startswith(".emrlint-")]  # no temporary file left


def test_exit_zero_quiet_and_statistics(tree):
    assert scan(tree, "--exit-zero").returncode == 0
    quiet = scan(tree, "--quiet")
    assert quiet.returncode == 1
    assert len(quiet.stdout.splitlines()) == 4 and "Found" not in quiet.stdout
    assert scan(tree, "--quiet", "--select", "EMR2", "--fail-on", "error", "clean").stdout == ""
    stats = scan(tree, "--statistics")
    assert "EMR201 release-label-unpinned (error)" in stats.stdout and "|" not in stats.stdout
    assert scan(tree, "--fail-on", "error", "--ignore", "EMR1,EMR2").returncode == 0
    assert scan(tree, "--fail-on", "info", "--ignore", "EMR1,EMR2").returncode == 1


def test_baseline_survives_unrelated_edits_and_reports_fixed_entries(tree):
    proc = scan(tree, "--write-baseline", ".emrlint-baseline.json")
    assert proc.returncode == 0 and "recorded 4 findings" in proc.stderr
    assert scan(tree, "--baseline", ".emrlint-baseline.json").returncode == 0

    # a blank line above the baselined resource: nothing is new
    path = tree / ODD_DIR / "main.tf"
    path.write_text("\n" + path.read_text())
    proc = scan(tree, "--baseline", ".emrlint-baseline.json")
    assert proc.returncode == 0, proc.stdout
    assert "4 known findings not reported; 0 baseline entries now fixed" in proc.stdout

    # fix log_uri, break something new
    path.write_text(path.read_text().replace('service_role  = "EMR_DefaultRole"',
                                             'service_role  = "EMR_DefaultRole"\n  log_uri = "s3://logs/"'))
    (tree / "serverless" / "extra.tf").write_text(APP.replace('"etl"', '"etl2"'))
    proc = scan(tree, "--baseline", ".emrlint-baseline.json", "--format", "json")
    doc = json.loads(proc.stdout)
    assert proc.returncode == 1
    assert [(f["rule"], f["resource"]) for f in doc["findings"]] == [("EMR101", "aws_emrserverless_application.etl2")]
    assert doc["summary"]["baseline"] == {"baselined": 3, "fixed": 1}
    assert "1 baseline entry now fixed" in proc.stderr and "EMR301" in proc.stderr


def test_bad_baseline_file_is_a_usage_error(tree):
    (tree / "b.json").write_text("[]")
    proc = scan(tree, "--baseline", "b.json")
    assert proc.returncode == 2 and "not an emrlint baseline file" in proc.stderr


# GitLab's documented Code Quality issue (https://docs.gitlab.com/ci/testing/code_quality/):
# the fields GitLab reads, as a schema.
GITLAB_ISSUE = {
    "type": "object",
    "required": ["description", "check_name", "fingerprint", "severity", "location"],
    "properties": {
        "description": {"type": "string", "minLength": 1},
        "check_name": {"type": "string", "minLength": 1},
        "fingerprint": {"type": "string", "minLength": 1},
        "severity": {"enum": ["info", "minor", "major", "critical", "blocker"]},
        "location": {"type": "object", "required": ["path", "lines"],
                     "properties": {"path": {"type": "string"},
                                    "lines": {"type": "object", "required": ["begin"],
                                              "properties": {"begin": {"type": "integer", "minimum": 1}}}}},
    },
}


def test_gitlab_code_quality_report(tree):
    proc = scan(tree, "--format", "gitlab")
    assert proc.returncode == 1, proc.stderr
    issues = json.loads(proc.stdout)
    jsonschema.validate(issues, {"type": "array", "items": GITLAB_ISSUE})
    assert {i["severity"] for i in issues} == {"major", "minor", "info"}
    assert len({i["fingerprint"] for i in issues}) == len(issues)  # GitLab shows one issue per fingerprint
    assert f"{ODD_DIR}/main.tf" in {i["location"]["path"] for i in issues}
    sarif = json.loads(scan(tree, "--format", "sarif").stdout)["runs"][0]["results"]
    assert len(issues) == len(sarif)


def test_checkstyle_report(tree):
    proc = scan(tree, "--format", "checkstyle")
    assert proc.returncode == 1, proc.stderr
    root = ET.fromstring(proc.stdout)
    assert root.tag == "checkstyle"
    errors = [(f.get("name"), e.get("source"), e.get("severity"), int(e.get("line")))
              for f in root.iter("file") for e in f.iter("error")]
    assert {s for _, _, s, _ in errors} == {"error", "warning", "info"}
    assert all(src.startswith("emrlint.EMR") and line >= 1 for _, src, _, line in errors)
    assert f"{ODD_DIR}/main.tf" in {name for name, _, _, _ in errors}
