"""Inputs that once crashed a whole scan (found by fuzzing), minimised: each is now one
EMR001 for its file, or an unknown value, while the rest of the scan reports.

Every case is scanned next to a healthy module (``ok/``) whose findings must still be
reported, with every rule enabled.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from conftest import REPO, write_tree
from emrlint.config import selected_rules
from emrlint.engine import ScanOptions, scan

OK = '''
resource "aws_emr_cluster" "ok" {
  name          = "ok"
  release_label = "emr-7.1.0"
  master_instance_group {
    instance_type = "m6g.xlarge"
  }
}
'''

CLUSTER_WITH = '''
resource "aws_emr_cluster" "x" {{
  name          = "x"
  release_label = "emr-7.1.0"
  master_instance_group {{
    instance_type = "m6g.xlarge"
  }}
  core_instance_group {{
    instance_type  = "r6g.xlarge"
    instance_count = 2
    ebs_config {{
      size                 = {count}
      type                 = "gp3"
      volumes_per_instance = 1
    }}
  }}
}}
'''

@pytest.fixture
def tf(tmp_path, monkeypatch):
    """Like conftest's ``tf``, and the scan must have met no internal error."""
    monkeypatch.chdir(tmp_path)

    def _scan(files, select=None, full=False):
        write_tree(str(tmp_path), files)
        result = scan(ScanOptions(paths=["."], rules=selected_rules(select, [])))
        assert not result.errors, [e.message for e in result.errors]
        if full:
            return result.findings
        return [(f.rule, os.path.relpath(f.loc.path, str(tmp_path)), f.loc.line) for f in result.findings]

    return _scan


BIG = "9" * 5000  # over Python's 4,300-digit limit on int <-> str conversions


def scan_with_ok(tf, files):
    """Findings (rule, path, line) of ``files`` scanned beside a healthy module; asserts the
    healthy module is still reported."""
    got = tf({"ok/main.tf": OK, **files}, select=["ALL"])
    assert ("EMR301", "ok/main.tf", 2) in got, got
    return [g for g in got if not g[1].startswith("ok/")]


def parse_errors(got):
    return [(path, line) for rule, path, line in got if rule == "EMR001"]


# --- numbers -------------------------------------------------------------------------------


@pytest.mark.parametrize("files", [
    {"m/main.tf": CLUSTER_WITH.format(count=BIG)},
    {"m/main.tf": CLUSTER_WITH.format(count="var.n"), "m/variables.tf": 'variable "n" {}\n',
     "m/terraform.tfvars": f"n = {BIG}\n"},
    {"m/main.tf": CLUSTER_WITH.format(count="pow(10, 5000)")},
    {"m/main.tf": CLUSTER_WITH.format(count="pow(9, 387420489)")},  # never computed: far beyond a float
    {"m/main.tf": CLUSTER_WITH.format(count="parseint(\"" + "z" * 5000 + "\", 36)")},
    {"m/main.tf": CLUSTER_WITH.format(count="1" + "0" * 400)},  # too large for a float
    {"m/main.tf": CLUSTER_WITH.format(count='"${pow(10, 400)}"')},
    {"m/main.tf": CLUSTER_WITH.format(count='tonumber("' + BIG + '")')},
], ids=["hcl", "tfvars", "pow", "pow-huge", "parseint", "float-overflow", "interpolated", "tonumber"])
def test_huge_integers_in_terraform_are_infinite_and_out_of_range(tf, files):
    got = scan_with_ok(tf, files)
    assert not parse_errors(got)
    assert "EMR602" in {r for r, _, _ in got}  # an EBS volume far larger than AWS accepts


def test_huge_integers_in_json_documents_tfjson_and_plans(tf):
    run_job_flow = {"Name": "etl", "ReleaseLabel": "emr-7.1.0", "LogUri": "s3://logs/",
                    "Instances": {"InstanceGroups": [
                        {"InstanceRole": "MASTER", "InstanceType": "m6g.xlarge", "InstanceCount": 1},
                        {"InstanceRole": "CORE", "InstanceType": "r6g.xlarge", "InstanceCount": "@BIG@"}]}}
    tfjson = {"resource": {"aws_emr_cluster": {"x": {
        "name": "x", "release_label": "emr-7.1.0", "master_instance_group": {"instance_type": "m6g.xlarge"},
        "core_instance_group": {"instance_type": "r6g.xlarge", "instance_count": 2,
                                "ebs_config": {"size": "@BIG@", "type": "gp3", "volumes_per_instance": 1}}}}}}
    plan = {"format_version": "1.2", "terraform_version": "1.9.0", "planned_values": {"root_module": {"resources": [
        {"address": "aws_emr_cluster.p", "mode": "managed", "type": "aws_emr_cluster", "name": "p",
         "values": {"name": "p", "release_label": "emr-7.1.0",
                    "core_instance_group": [{"instance_type": "r6g.xlarge", "instance_count": 2, "ebs_config": [
                        {"size": "@BIG@", "type": "gp3", "volumes_per_instance": 1}]}]}}]}}}
    files = {name: json.dumps(doc, indent=2).replace('"@BIG@"', BIG)
             for name, doc in (("job/cluster.json", run_job_flow), ("tfjson/main.tf.json", tfjson),
                               ("plan/plan.json", plan))}
    got = scan_with_ok(tf, files)
    assert not parse_errors(got)
    assert {p for r, p, _ in got if r == "EMR602"} >= {"tfjson/main.tf.json", "plan/plan.json"}


def test_huge_integers_in_yaml(tf):
    got = scan_with_ok(tf, {"cfn/template.yaml": (
        "Resources:\n  Cluster:\n    Type: AWS::EMR::Cluster\n    Properties:\n      Name: c\n"
        "      ReleaseLabel: emr-7.1.0\n      Instances:\n        CoreInstanceGroup:\n"
        f"          InstanceType: r6g.xlarge\n          InstanceCount: {BIG}\n")})
    assert not parse_errors(got)


@pytest.mark.parametrize("rule,files", [
    ("EMR109", {"m/main.tf": '''
resource "aws_emr_cluster" "x" {
  name          = "x"
  release_label = "emr-7.1.0"
  master_instance_fleet {
    instance_type_configs {
      instance_type = "m6g.xlarge"
    }
  }
  core_instance_fleet {
    target_spot_capacity = 1e400
    instance_type_configs {
      instance_type = "r6g.xlarge"
    }
  }
}
'''}),
    ("EMR110", {"job.json": json.dumps({
        "applicationId": "00f", "executionRoleArn": "arn:aws:iam::1:role/r", "name": "j",
        "jobDriver": {"sparkSubmit": {"entryPoint": "s3://b/j.py"}},
        "executionTimeoutMinutes": "@BIG@"}).replace('"@BIG@"', "1" + "0" * 400)}),
])
def test_numbers_too_large_for_a_float_in_rules(tf, rule, files):
    got = scan_with_ok(tf, files)
    assert not parse_errors(got)
    assert rule in {r for r, _, _ in got}


# --- escapes and surrogates ------------------------------------------------------------------


@pytest.mark.parametrize("escape", ["\\UFFFFFFFF", "\\U00110000", "\\uD800", "\\uDFFF"])
def test_hcl_escapes_that_are_not_characters_are_a_syntax_error(tf, escape):
    got = scan_with_ok(tf, {"m/main.tf": f'resource "aws_emr_cluster" "x" {{\n  name = "a{escape}"\n}}\n'})
    assert parse_errors(got) == [("m/main.tf", 2)]


def test_hcl_escapes_in_heredocs_and_comments_are_text(tf):
    got = scan_with_ok(tf, {"m/main.tf": (
        '# \\uD800 in a comment\nresource "aws_emr_cluster" "x" {\n  name = "x"\n  release_label = "emr-7.1.0"\n'
        '  bootstrap_action {\n    name = "b"\n    path = "s3://b/x.sh"\n    args = [<<EOF\n\\uD800\nEOF\n    ]\n  }\n}\n')})
    assert not parse_errors(got)


@pytest.mark.parametrize("name,text", [
    ("job.json", '{"applicationId": "a", "name": "\\uD800", "jobDriver": {"sparkSubmit": {"entryPoint": "x\\udc00"}}}'),
    ("job.yaml", 'applicationId: a\nname: "\\uD800"\njobDriver:\n  sparkSubmit:\n    entryPoint: "\\uDFFF"\n'),
    ("plan.json", json.dumps({"format_version": "1.2", "planned_values": {"root_module": {"resources": [
        {"address": "aws_emr_cluster.p", "mode": "managed", "type": "aws_emr_cluster", "name": "p",
         "values": {"name": "@S@", "release_label": "@S@"}}]}}}).replace("@S@", "\\ud800")),
])
def test_lone_surrogates_in_documents_are_replacement_characters(tmp_path, name, text):
    """Loaders never hand on a string that cannot be encoded: every output format works."""
    write_tree(str(tmp_path), {name: text, "ok/main.tf": OK})
    result = scan(ScanOptions(paths=[str(tmp_path)], rules=selected_rules(["ALL"], [])))
    assert not result.errors
    findings = result.findings
    for f in findings:
        f.message.encode("utf-8")
        f.resource.encode("utf-8")
    assert any(f.loc.path.endswith(name) for f in findings)
    for fmt in ("json", "sarif", "junit", "github", "text"):
        proc = subprocess.run([sys.executable, "-m", "emrlint", "scan", "--no-cache", "--format", fmt, str(tmp_path)],
                              capture_output=True, cwd=REPO, timeout=120, stdin=subprocess.DEVNULL)
        assert proc.returncode == 1, (fmt, proc.stderr.decode(errors="replace"))
        proc.stdout.decode("utf-8")


def test_surrogate_pairs_written_as_escapes_are_one_character():
    from emrlint.jsonpos import load_document, loads_json

    assert load_document('{"a": "\\ud83d\\ude00"}', "JSON") == {"a": "\U0001F600"}
    assert load_document('a: "\\ud83d\\ude00"\n', "YAML") == {"a": "\U0001F600"}
    assert loads_json('{"\\ud800": ["\\ud83d\\ude00", "\\udfff"]}') == {"\ufffd": ["\U0001F600", "\ufffd"]}


# --- YAML tags -------------------------------------------------------------------------------


@pytest.mark.parametrize("value,error", [
    ("!!omap [a: 1]", False), ("!!set {a}", False), ("!!pairs [a: 1, a: 2]", False),
    ("!!omap\n  - a: 1\n  - a: 2", False), ("!!float 1e", True), ("!!int 0b", True), ("!!bool maybe", True),
    ('"\\U00110000"', True), ('"\\UFFFFFFFF"', True), ("!!timestamp 2024-13-45", True),
])
def test_yaml_tags_and_escapes_never_crash(tf, value, error):
    text = f"applicationId: a\nname: {value}\njobDriver:\n  sparkSubmit:\n    entryPoint: s3://b/j.py\n"
    got = scan_with_ok(tf, {"jobs/run.yaml": text})
    assert parse_errors(got) == ([("jobs/run.yaml", 2)] if error else [])


def test_yamldecode_has_the_alias_budget_of_yaml_files(tf):
    bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, "
        f"*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}]\\n"
        for i in range(8))
    from emrlint.terraform.functions import call_function
    from emrlint.values import EvalError

    with pytest.raises(EvalError, match="alias"):
        call_function("yamldecode", None, [bomb.replace("\\n", "\n")])
    got = scan_with_ok(tf, {"m/main.tf": CLUSTER_WITH.format(count=f'length(yamldecode("{bomb}"))')})
    assert not parse_errors(got)


# --- CloudFormation -----------------------------------------------------------------------------


def test_cloudformation_sub_that_refers_to_itself_is_unknown(tf):
    got = scan_with_ok(tf, {"cfn/template.yaml": (
        "Parameters:\n  Label:\n    Type: String\n    Default: !Sub '${Label}'\n"
        "  Other:\n    Type: String\n    Default: !Sub '${Again}-x'\n  Again:\n    Type: String\n"
        "    Default: !Ref Other\n"
        "Resources:\n  Cluster:\n    Type: AWS::EMR::Cluster\n    Properties:\n      Name: c\n"
        "      ReleaseLabel: !Ref Label\n      LogUri: !Sub 's3://${Other}/'\n      Instances: {}\n")})
    assert not parse_errors(got)
    assert "EMR201" not in {r for r, _, _ in got}  # unknown, so not "unpinned"


@pytest.mark.parametrize("fn_if", ["!If [IsProd, ]", "!If [IsProd, 2, 3, 4]", "!If IsProd",
                                   '{"Fn::If": [IsProd]}', "!If []"])
def test_cloudformation_if_without_three_arguments_is_unknown(tf, fn_if):
    """Found by tools/fuzz.py: a ``!If`` that is not [condition, then, else] was handed back
    to be resolved again, forever (RecursionError in the reader and in EMR602)."""
    got = scan_with_ok(tf, {"cfn/template.yaml": (
        "Parameters:\n  Env:\n    Type: String\n    Default: prod\n"
        "Conditions:\n  IsProd: !Equals [!Ref Env, prod]\n"
        "Resources:\n  Cluster:\n    Type: AWS::EMR::Cluster\n    Properties:\n      Name: c\n"
        f"      ReleaseLabel: {fn_if}\n      LogUri: s3://logs/\n      Instances:\n"
        "        MasterInstanceGroup:\n          InstanceCount: 1\n          InstanceType: m6g.xlarge\n"
        f"        TaskInstanceGroups:\n          - Name: task\n            InstanceCount: {fn_if}\n"
        "            InstanceType: r6g.2xlarge\n"
        "  Security:\n    Type: AWS::EMR::SecurityConfiguration\n    Properties:\n"
        "      SecurityConfiguration:\n        EncryptionConfiguration:\n"
        f"          EnableAtRestEncryption: {fn_if}\n          EnableInTransitEncryption: true\n")})
    assert not parse_errors(got)
    assert "EMR201" not in {r for r, _, _ in got}  # unknown, so not "unpinned"


def test_cloudformation_sub_doubling_is_bounded(tf):
    params = "".join(f"  P{i}:\n    Type: String\n    Default: !Sub '${{P{i - 1}}}${{P{i - 1}}}'\n" for i in range(1, 64))
    got = scan_with_ok(tf, {"cfn/template.yaml": (
        "Parameters:\n  P0:\n    Type: String\n    Default: emr-\n" + params +
        "Resources:\n  Cluster:\n    Type: AWS::EMR::Cluster\n    Properties:\n      Name: c\n"
        "      ReleaseLabel: !Ref P63\n      Instances: {}\n")})
    assert not parse_errors(got)


# --- Step Functions ---------------------------------------------------------------------------


def test_step_functions_branches_unknown(tf):
    got = scan_with_ok(tf, {"m/main.tf": '''
variable "branches" {}
resource "aws_sfn_state_machine" "s" {
  name     = "s"
  role_arn = "arn:aws:iam::1:role/r"
  definition = jsonencode({
    StartAt = "fan"
    States = {
      fan = { Type = "Parallel", Branches = var.branches, Next = "run" }
      run = { Type = "Task", Resource = "arn:aws:states:::emr-serverless:startJobRun.sync", End = true,
              Parameters = { ApplicationId = "a", ExecutionRoleArn = "r", JobDriver = { SparkSubmit = { EntryPoint = "s3://b/j.py" } } } }
    }
  })
}
'''})
    assert not parse_errors(got)
    assert "EMR110" in {r for r, _, _ in got}  # the task outside the unknown branches is still checked


def _nested_parallel(levels: int, hcl: bool) -> str:
    task = ('{Type = "Task", Resource = "arn:aws:states:::emr-serverless:startJobRun", End = true}' if hcl else
            '{"Type": "Task", "Resource": "arn:aws:states:::emr-serverless:startJobRun", "End": true}')
    for _ in range(levels):
        task = ('{Type = "Parallel", End = true, Branches = [{StartAt = "p", States = {p = ' + task + '}}]}' if hcl else
                '{"Type": "Parallel", "End": true, "Branches": [{"StartAt": "p", "States": {"p": ' + task + '}}]}')
    return task


@pytest.mark.parametrize("levels", [40, 60, 150])
def test_step_functions_deep_parallel_nesting(tf, levels):
    asl = '{"StartAt": "p", "States": {"p": ' + _nested_parallel(levels, hcl=False) + '}}'
    hcl = ('resource "aws_sfn_state_machine" "s" {\n  name = "s"\n  role_arn = "r"\n'
           '  definition = jsonencode({StartAt = "p", States = {p = ' + _nested_parallel(levels, hcl=True) + '}})\n}\n')
    got = scan_with_ok(tf, {"asl/machine.asl.json": asl, "m/main.tf": hcl})
    # too deep to read is a parse error (or, inside an expression, an unknown value): never a crash
    assert [p for p in parse_errors(got) if p[0] != "asl/machine.asl.json"] == []


# --- module sources ---------------------------------------------------------------------------


@pytest.mark.parametrize("source", ['"./x\\u0000y"', '"\\u0000"'])
def test_nul_character_in_a_module_source_or_file_name(tf, source):
    got = scan_with_ok(tf, {"m/main.tf": f'''
module "a" {{
  source = {source}
}}
resource "aws_emr_cluster" "x" {{
  name          = file("a\\u0000b")
  release_label = templatefile("\\u0000", {{}})
  log_uri       = fileexists("\\u0000") ? "s3://a/" : join(",", fileset("\\u0000", "*"))
}}
resource "aws_s3_object" "o" {{
  bucket = "b"
  key    = "k"
  source = "x\\u0000.sh"
}}
'''})
    assert not parse_errors(got)


def test_regressions_run_in_the_installed_entry_point(tmp_path):
    """The same inputs through the console script: exit 1 (findings), never 2 (internal error)."""
    write_tree(str(tmp_path), {"ok/main.tf": OK, "a/main.tf": CLUSTER_WITH.format(count=BIG),
                               "b/job.json": '{"applicationId": "a", "name": "\\uD800", "jobDriver": {}}',
                               "c/run.yaml": "applicationId: a\njobDriver: !!float 1e\n"})
    proc = subprocess.run([sys.executable, "-m", "emrlint", "scan", "--no-cache", "--format", "json", str(tmp_path)],
                          capture_output=True, text=True, cwd=REPO, timeout=120, stdin=subprocess.DEVNULL,
                          env={**os.environ, "PYTHONIOENCODING": "utf-8"})
    assert proc.returncode == 1, proc.stderr
    report = json.loads(proc.stdout)
    assert any(f["rule"] == "EMR001" and f["path"].endswith("run.yaml") for f in report["findings"])


# --- module cycles ----------------------------------------------------------------------------

CLUSTER = 'resource "aws_emr_cluster" "x" {\n  name          = "x"\n  release_label = "emr-7.1.0"\n}\n'


@pytest.mark.parametrize("files,cycle_at", [
    ({"m/main.tf": 'module "again" {\n  source = "./"\n}\n' + CLUSTER}, ("m/main.tf", 1)),
    ({"m/main.tf": 'module "again" {\n  count  = 3\n  source = "../m"\n}\n' + CLUSTER}, ("m/main.tf", 1)),
    ({"root/main.tf": 'module "a" {\n  source = "../a"\n}\n', "a/main.tf": 'module "b" {\n  source = "../b"\n}\n' + CLUSTER,
      "b/main.tf": 'module "a" {\n  source = "../a"\n}\n' + CLUSTER}, ("b/main.tf", 1)),
    ({"a/main.tf": 'module "b" {\n  source = "../b"\n}\n' + CLUSTER,  # a cycle nothing else calls
      "b/main.tf": 'module "a" {\n  source = "../a"\n}\n' + CLUSTER}, ("b/main.tf", 1)),
], ids=["self", "self-count", "a-b-a", "a-b-a-no-root"])
def test_module_cycle_is_one_emr001_not_a_copy_of_every_finding(tf, files, cycle_at):
    got = tf({"ok/main.tf": OK, **files}, select=["ALL"], full=True)
    rel = [(f.rule, os.path.relpath(f.loc.path), f.loc.line, f.resource) for f in got]
    assert [(p, line) for rule, p, line, _ in rel if rule == "EMR001"] == [cycle_at]
    per_place = {}
    for rule, p, line, resource in rel:
        if rule == "EMR301":
            per_place.setdefault((p, line), []).append(resource)
    assert all(len(v) == 1 for v in per_place.values()), per_place  # each cluster reported once
    assert ("ok/main.tf", 2) in per_place


def test_core_fleet_target_too_large_for_a_float(tf):
    """Found by tools/fuzz.py: EMR504's core lower bound divided infinity by infinity."""
    with open(os.path.join(REPO, "fixtures", "EMR504", "fail", "fleet-units-managed-scaling", "main.tf")) as fh:
        text = fh.read()
    assert "target_on_demand_capacity = 16" in text
    for big in ("1" + "0" * 400, "1e400"):
        got = scan_with_ok(tf, {"m/main.tf": text.replace("target_on_demand_capacity = 16",
                                                          f"target_on_demand_capacity = {big}")})
        assert not parse_errors(got)


def test_serverless_worker_sizes_with_thousands_of_digits(tf):
    """Found by tools/fuzz.py: EMR105 converted a size's digits to an int to suggest a fix."""
    got = scan_with_ok(tf, {"m/main.tf": f'''
resource "aws_emrserverless_application" "spark" {{
  name          = "spark"
  release_label = "emr-7.1.0"
  type          = "spark"
  maximum_capacity {{
    cpu    = "400 vCPU"
    memory = "3000 GB"
  }}
  initial_capacity {{
    initial_capacity_type = "Driver"
    initial_capacity_config {{
      worker_count = 1
      worker_configuration {{
        cpu    = "4 vCPU"
        memory = "{BIG}.5 GB"
        disk   = "{BIG}GB"
      }}
    }}
  }}
}}
'''})
    assert "EMR105" in {r for r, _, _ in got}


@pytest.mark.parametrize("label", [f"emr-7.1.0{BIG}", f"emr-7.{BIG}.0", f"emr-{BIG}"])
def test_release_labels_with_thousands_of_digits_are_no_release(tf, label):
    """Found by tools/fuzz.py: EMR113, EMR203, EMR206 and EMR604 converted a label's digits to
    an int.  Such a label is no EMR release: unknown to the release table, and each rule that
    needs a version stays silent, while EMR201's own check still reads it."""
    got = scan_with_ok(tf, {
        "m/main.tf": CLUSTER_WITH.format(count=100).replace('"emr-7.1.0"', f'"{label}"'),
        "s/main.tf": f'resource "aws_emrserverless_application" "s" {{\n  name = "s"\n'
                     f'  release_label = "{label}"\n  type = "spark"\n}}\n',
        "cfn/template.yaml": "Resources:\n  Cluster:\n    Type: AWS::EMR::Cluster\n    Properties:\n"
                             f"      Name: c\n      ReleaseLabel: {label}\n      LogUri: s3://logs/\n"
                             "      Instances:\n        MasterInstanceGroup:\n          InstanceCount: 1\n"
                             "          InstanceType: m6g.xlarge\n"})
    assert not parse_errors(got)
    assert not {"EMR113", "EMR203", "EMR206", "EMR604"} & {r for r, _, _ in got}


def test_cloudformation_findinmap_with_a_map_or_list_for_a_key_is_unknown(tf):
    """Found by tools/fuzz.py: ``!FindInMap [Capacity: 4 vCPU, ...]`` looked a mapping up by a
    mapping (unhashable) and crashed EMR101, EMR104 and EMR107."""
    got = scan_with_ok(tf, {"cfn/template.yaml": (
        "Mappings:\n  Capacity:\n    prod:\n      Cpu: 400 vCPU\n      Memory: 3000 GB\n"
        "Resources:\n  App:\n    Type: AWS::EMRServerless::Application\n    Properties:\n"
        "      Name: app\n      ReleaseLabel: emr-7.1.0\n      Type: SPARK\n      MaximumCapacity:\n"
        "        Cpu: !FindInMap [Capacity: 4 vCPU, prod, Cpu]\n"
        "        Memory: !FindInMap [Capacity, [prod], Memory]\n")})
    assert not parse_errors(got)
    assert "EMR101" not in {r for r, _, _ in got}  # a maximum is written, its value unknown


@pytest.mark.parametrize("path", ['"${path.module}/steps.${local.a}.yaml.tpl"', '"${local.x.mo}/c.yaml.tpl"'])
def test_templatefile_path_terraform_would_refuse_is_no_document(tf, path):
    """Found by tools/fuzz.py: an uploaded ``templatefile()`` whose path names an undeclared
    local (or an attribute an object lacks) ended the root module's evaluation."""
    got = scan_with_ok(tf, {
        "m/main.tf": CLUSTER_WITH.format(count=100) + f'''
locals {{
  x = {{ a = 1 }}
}}
resource "aws_s3_object" "steps" {{
  bucket  = "config"
  key     = "emr/steps.yaml"
  content = templatefile({path}, {{ name = "x" }})
}}
''',
        "m/steps.yaml.tpl": "Steps:\n  - Name: ${name}\n"})
    assert not parse_errors(got)
    assert ("EMR301", "m/main.tf", 2) in got  # the cluster of the same module is still checked
