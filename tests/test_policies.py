"""YAML policies: the worked example's five policies, their conditions, their errors, and
how they behave like emrlint's own rules in every part of a scan."""

from __future__ import annotations

import json
import os
import textwrap

import pytest

from emrlint.cli import main
from emrlint.config import ConfigError, load_config
from emrlint.policies import load_policy
from emrlint.policies.testing import run_rule
from emrlint.registry import register

from conftest import REPO, write_tree

EXAMPLES = os.path.join(REPO, "examples", "policies")
POLICIES = sorted(n for n in os.listdir(EXAMPLES) if n.endswith(".yaml") and not n.startswith("."))


def _cli(capsys, *args):
    code = main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


def _json_scan(capsys, *args):
    code, out, err = _cli(capsys, "scan", "--no-cache", "--format", "json", *args)
    assert code in (0, 1), err
    return [(f["rule"], f["path"], f["line"], f["severity"]) for f in json.loads(out)["findings"]]


# ---------------------------------------------------------------------------
# the worked example: examples/policies/
# ---------------------------------------------------------------------------


def test_the_example_has_five_policies():
    assert len(POLICIES) == 5


@pytest.mark.parametrize("name", POLICIES)
def test_example_policy_fires_on_its_failing_cases_and_not_on_its_passing_ones(name):
    rule = load_policy(os.path.join(EXAMPLES, name))
    register([rule])
    outcome = run_rule(rule)
    assert outcome.ok, outcome.failures
    assert outcome.snapshot == "matched"  # rule, path, line, column, resource and key of every finding
    cases = {(kind, os.path.basename(case)) for kind, case in rule.examples}
    documents = {"run-job-flow.json", "create-application.json"}
    for kind in ("fail", "pass"):
        names = {n for k, n in cases if k == kind}
        assert "terraform" in names and "cloudformation.yaml" in names and names & documents, names


@pytest.mark.parametrize("name", POLICIES)
def test_terraform_findings_point_at_the_module_variable_default(name):
    base = os.path.splitext(name)[0]
    with open(os.path.join(EXAMPLES, base, "snapshot.json")) as fh:
        snapshot = json.load(fh)
    terraform = [e for e in snapshot if e["path"].startswith(f"{base}/fail/terraform/")]
    assert terraform and all(e["path"].endswith("/variables.tf") and e["resource"].startswith("module.")
                             for e in terraform), terraform
    by_case = {e["path"].split("/")[2] for e in snapshot}
    assert by_case >= {"terraform", "cloudformation.yaml"}


def test_test_policies_command_runs_the_config_s_policies(capsys, monkeypatch):
    monkeypatch.chdir(EXAMPLES)
    code, out, err = _cli(capsys, "test-policies")
    assert code == 0, out + err
    assert "5 of 5 policies passed their examples" in out
    for name in POLICIES:
        assert load_policy(os.path.join(EXAMPLES, name)).id in out


def test_test_policies_reports_a_policy_that_does_not_do_what_it_says(tmp_path, capsys, monkeypatch):
    source = open(os.path.join(EXAMPLES, "acme003_log_bucket.yaml")).read()
    write_tree(str(tmp_path), {"acme003_log_bucket.yaml": source.replace('"s3://acme-emr-logs/*"', '"s3://*"')})
    import shutil

    shutil.copytree(os.path.join(EXAMPLES, "acme003_log_bucket"), str(tmp_path / "acme003_log_bucket"))
    monkeypatch.chdir(tmp_path)
    code, out, _ = _cli(capsys, "test-policies", "acme003_log_bucket.yaml")
    assert code == 1
    assert "FAILED  ACME003" in out
    assert "acme003_log_bucket/fail/terraform: ACME003 did not fire" in out
    assert "snapshot.json: the findings differ from the snapshot" in out


# ---------------------------------------------------------------------------
# unknown never fires
# ---------------------------------------------------------------------------

UNKNOWABLE = """
variable "tags" {}
variable "log_uri" {}
variable "instance_type" {}
variable "applications" {}

module "shared_vpc" {
  source  = "terraform-aws-modules/vpc/aws"
  version = "5.8.1"
}

data "aws_ssm_parameter" "core_type" {
  name = "/emr/core-instance-type"
}

resource "aws_emr_cluster" "etl" {
  name          = "etl"
  release_label = "emr-7.1.0"
  service_role  = "EMR_DefaultRole"
  applications  = var.applications
  log_uri       = var.log_uri
  tags          = merge(var.tags, { Team = "ingest" })

  master_instance_group {
    instance_type = var.instance_type
  }

  core_instance_group {
    instance_type  = data.aws_ssm_parameter.core_type.value
    instance_count = 2
  }
}

resource "aws_emrserverless_application" "adhoc" {
  name          = "adhoc"
  release_label = "emr-7.1.0"
  type          = "spark"
  tags          = var.tags

  network_configuration {
    subnet_ids = module.shared_vpc.private_subnets
  }
}
"""


def test_a_policy_over_values_that_cannot_be_evaluated_is_silent(tmp_path, capsys, monkeypatch):
    write_tree(str(tmp_path), {".emrlint.yaml": f"policies: [{EXAMPLES}]\nselect: [ACME]\n", "main.tf": UNKNOWABLE})
    monkeypatch.chdir(tmp_path)
    assert _json_scan(capsys, ".") == []
    # the same resources with the values written fire every policy
    known = (UNKNOWABLE.replace("var.applications", '["Spark", "Presto"]').replace("var.log_uri", '"s3://x/"')
             .replace("merge(var.tags, { Team = \"ingest\" })", '{ Team = "ingest" }').replace("var.tags", "{}")
             .replace("var.instance_type", '"m5.xlarge"').replace("module.shared_vpc.private_subnets",
                                                                  '["subnet-0f1e2d3c4b5a60009"]'))
    write_tree(str(tmp_path), {"main.tf": known})
    assert sorted({r for r, _, _, _ in _json_scan(capsys, ".")}) == ["ACME001", "ACME002", "ACME003", "ACME004",
                                                                       "ACME005"]


def test_partly_known_strings_decide_what_their_known_parts_prove(tmp_path, capsys, monkeypatch):
    write_tree(str(tmp_path), {
        ".emrlint.yaml": f"policies: [{EXAMPLES}/acme003_log_bucket.yaml]\nselect: [ACME003]\n",
        "main.tf": """
        variable "team" {}
        variable "bucket" {}
        resource "aws_emr_cluster" "central" {
          name          = "central"
          release_label = "emr-7.1.0"
          log_uri       = "s3://acme-emr-logs/${var.team}/central/"
        }
        resource "aws_emr_cluster" "team" {
          name          = "team"
          release_label = "emr-7.1.0"
          log_uri       = "s3://${var.team}-scratch/logs/"
        }
        resource "aws_emr_cluster" "elsewhere" {
          name          = "elsewhere"
          release_label = "emr-7.1.0"
          log_uri       = "s3://ingest-${var.bucket}/logs/"
        }
        """})
    monkeypatch.chdir(tmp_path)
    # "s3://acme-emr-logs/..." proves it; "s3://${var.team}-scratch" may be anything; "s3://ingest-" is not it
    assert [(r, line) for r, _, line, _ in _json_scan(capsys, ".")] == [("ACME003", 17)]


# ---------------------------------------------------------------------------
# bad policies are configuration errors with file and line
# ---------------------------------------------------------------------------

GOOD = """\
id: ACME101
name: log-uri-required
severity: warning
summary: A cluster has no log_uri
kinds: [cluster]
message: Set log_uri.
require:
  field: log_uri
  exists: true
"""


@pytest.mark.parametrize("text,line,needle", [
    (GOOD.replace("kinds: [cluster]", "kinds:\n  - cluster\n  - emr_cluster"), 7, "unknown kind 'emr_cluster'"),
    (GOOD.replace("field: log_uri", "field: log_url"), 8, "unknown field 'log_url' of cluster; did you mean log_uri?"),
    (GOOD.replace("exists: true", "exist: true"), 9, "unknown operator 'exist'; did you mean exists?"),
    (GOOD.replace("exists: true", "matches: 's3://[a-z'"), 9, "invalid regular expression 's3://[a-z': missing ]"),
    (GOOD.replace("exists: true", "matches: '^(s3)://\\1'"), 9, "lookarounds and backreferences are not supported"),
    (GOOD.replace("exists: true", "gte: ten"), 9, "gte expects a number, got 'ten'"),
    (GOOD.replace("exists: true", "one_of: {param: buckets}"), 9, "unknown parameter 'buckets'"),
    (GOOD.replace("id: ACME101", "id: EMR901"), 1, "the EMR prefix is emrlint's"),
    (GOOD.replace("id: ACME101", "id: acme-101"), 1, "bad rule ID 'acme-101'"),
    (GOOD.replace("severity: warning", "severity: high"), 3, "severity: expected one of info, warning, error"),
    (GOOD.replace("message: Set log_uri.", "message: Set {uri}."), 6, "unknown placeholder {uri}"),
    (GOOD + "owner: platform\n", 10, "unknown key 'owner'"),
    (GOOD.replace("  field: log_uri\n  exists: true\n", "  all: instance_fleets.instance_type_configs\n"
                  "  require: {field: instance_type, glob: 'm7g.*'}\n"), 8,
     "instance_fleets is repeated: quantify it with its own all:"),
    (GOOD.replace("field: log_uri\n  exists: true", "field: ec2_attributes\n  glob: '*'"), 9,
     "ec2_attributes is a section: only exists/absent"),
    (GOOD.replace("field: log_uri", "field: core_instance_fleet.instance_type_configs.instance_type"), 8,
     "instance_type_configs is repeated: use all:, any: or none:"),
    (GOOD.replace("name: log-uri-required", "name: cluster-log-uri-missing"), 1,
     "rule name cluster-log-uri-missing is already used by EMR301"),
    (GOOD + "params:\n  pattern:\n    type: string\n    default: '(?=s3)'\n    description: x\n", 13,
     "params.pattern.default: not a valid regular expression: lookarounds"),
])
def test_a_bad_policy_is_a_config_error_with_file_and_line(tmp_path, text, line, needle):
    if "params.pattern" in needle:
        text = text.replace("exists: true", "matches: {param: pattern}")
    write_tree(str(tmp_path), {".emrlint.yaml": "policies: [policies/]\n", "policies/acme101.yaml": text})
    with pytest.raises(ConfigError) as err:
        load_config(str(tmp_path / ".emrlint.yaml"))
    message = str(err.value)
    assert f"acme101.yaml:{line}:" in message and needle in message, message


def test_matching_takes_linear_time_whatever_the_pattern():
    import time

    from emrlint.policies.regex import compile_pattern

    start = time.perf_counter()
    assert compile_pattern("^(a+)+$").search("a" * 5000 + "b") is False  # backtracking: 2^5000 steps
    assert time.perf_counter() - start < 5
    assert compile_pattern("^s3://acme-emr-logs/").search("s" * 200_000) is None  # too long: unknown


def test_two_policies_with_one_id_are_an_error_naming_both(tmp_path):
    write_tree(str(tmp_path), {".emrlint.yaml": "policies: [policies/]\n", "policies/a.yaml": GOOD,
                               "policies/b.yaml": "\n" + GOOD.replace("log-uri-required", "log-uri-needed")})
    with pytest.raises(ConfigError) as err:
        load_config(str(tmp_path / ".emrlint.yaml"))
    assert "b.yaml:2: id: rule ID ACME101 is already used by ACME101 (" in str(err.value)
    assert "a.yaml:1)" in str(err.value)


def test_a_policies_entry_that_names_nothing_is_an_error(tmp_path):
    write_tree(str(tmp_path), {".emrlint.yaml": "select: [EMR1]\npolicies: [polices/*.yaml]\n"})
    with pytest.raises(ConfigError, match=r"\.emrlint\.yaml:2: policies: polices/\*\.yaml: no policy file"):
        load_config(str(tmp_path / ".emrlint.yaml"))


def test_a_bad_policy_stops_the_scan_with_exit_2_and_one_line(tmp_path, capsys, monkeypatch):
    write_tree(str(tmp_path), {".emrlint.yaml": "select: [EMR1, ACME]\n", "main.tf": "",
                               ".emrlint/policies/acme101.yaml": GOOD.replace("exists", "exits")})
    monkeypatch.chdir(tmp_path)
    code, _, err = _cli(capsys, "scan", "--no-cache", ".")
    assert code == 2
    assert err.count("\n") == 1 and ".emrlint/policies/acme101.yaml:9: require: unknown operator 'exits'" in err


# ---------------------------------------------------------------------------
# conditions
# ---------------------------------------------------------------------------


def _policy_findings(tmp_path, capsys, monkeypatch, require: str, tf: str, when: str = "", kinds: str = "[cluster]"):
    policy = textwrap.dedent(f"""\
        id: ACME201
        name: condition-under-test
        severity: warning
        summary: A condition under test
        kinds: {kinds}
        message: The condition does not hold.
        """) + (textwrap.dedent(when) if when else "") + textwrap.dedent(require)
    write_tree(str(tmp_path), {".emrlint/policies/acme201.yaml": policy, "main.tf": tf,
                               ".emrlint.yaml": "select: [ACME201]\n"})
    monkeypatch.chdir(tmp_path)
    code, out, err = _cli(capsys, "scan", "--no-cache", "--format", "json", ".")
    assert code in (0, 1), err
    return [(f["line"], f["message"].rsplit(" (", 1)[-1].rstrip(")")) for f in json.loads(out)["findings"]]


CLUSTERS = """
resource "aws_emr_cluster" "a" {
  name          = "a"
  release_label = "emr-7.1.0"
  applications  = ["Spark", "Hive"]
  step_concurrency_level = 4

  bootstrap_action {
    name = "install-agent"
    path = "s3://acme-emr-bootstrap/agent/v3.2.1/install.sh"
  }

  master_instance_group {
    instance_type = "m7g.xlarge"
  }

  core_instance_fleet {
    target_spot_capacity = 8
    instance_type_configs {
      instance_type = "r7g.2xlarge"
    }
    instance_type_configs {
      instance_type = "r5.2xlarge"
    }
  }
}

resource "aws_emr_cluster" "b" {
  name          = "b"
  release_label = "emr-6.15.0"
  step_concurrency_level = 12
  keep_job_flow_alive_when_no_steps = false
}
"""


@pytest.mark.parametrize("require,expected", [
    # any: the bootstrap action of ACME's monitoring agent; b has none: the block that lacks it
    ("require:\n  any: bootstrap_actions\n  require: {field: path, glob: 's3://acme-emr-bootstrap/agent/*'}\n",
     [(28, "no bootstrap actions satisfies the policy")]),
    # none with a nested all; the fleet's second type is where the failing value is written
    ("require:\n  none: instance_fleets\n  require:\n    any: instance_type_configs\n"
     "    require: {field: instance_type, glob: 'r5.*'}\n", [(23, 'instance_type is "r5.2xlarge"')]),
    ("require:\n  field: step_concurrency_level\n  lte: 10\n", [(31, "step_concurrency_level is 12, not <= 10")]),
    ("require:\n  field: release_label\n  not_one_of: [emr-6.15.0, emr-6.14.0]\n",
     [(30, 'release_label has "emr-6.15.0"')]),
    ("require:\n  not:\n    field: keep_job_flow_alive_when_no_steps\n    equals: false\n",
     [(32, "keep_job_flow_alive_when_no_steps is false")]),
    ("require:\n  field: applications\n  contains: Spark\n", [(28, "applications is not set")]),
    ("require:\n  field: master_instance_group\n  exists: true\n", [(28, "master_instance_group is not written")]),
    ("require:\n  or:\n    - {field: step_concurrency_level, lt: 5}\n    - {field: release_label, matches: '^emr-7'}\n",
     [(31, 'step_concurrency_level is 12, not < 5, and release_label is "emr-6.15.0", which does not match ^emr-7')]),
])
def test_conditions_fire_where_the_failing_value_is_written(tmp_path, capsys, monkeypatch, require, expected):
    assert _policy_findings(tmp_path, capsys, monkeypatch, require, CLUSTERS) == expected


def test_when_limits_a_policy_to_the_resources_it_is_about(tmp_path, capsys, monkeypatch):
    got = _policy_findings(tmp_path, capsys, monkeypatch,
                           "require:\n  field: step_concurrency_level\n  lte: 2\n", CLUSTERS,
                           when="when:\n  field: release_label\n  glob: 'emr-7.*'\n")
    assert got == [(6, "step_concurrency_level is 4, not <= 2")]


def test_a_where_filter_chooses_the_sections_a_quantifier_is_about(tmp_path, capsys, monkeypatch):
    tf = """
    resource "aws_emr_cluster" "c" {
      name          = "c"
      release_label = "emr-7.1.0"

      master_instance_group {
        instance_type = "m5.xlarge"
      }

      core_instance_group {
        instance_type  = "r7g.2xlarge"
        instance_count = 2
      }
    }

    resource "aws_emr_instance_group" "task" {
      cluster_id    = aws_emr_cluster.c.id
      instance_type = "c5.4xlarge"
    }
    """
    got = _policy_findings(tmp_path, capsys, monkeypatch,
                           "require:\n  all: instance_groups\n  where: {field: role, one_of: [core, task]}\n"
                           "  require: {field: instance_type, matches: '^[a-z]+[0-9]+g'}\n", tf)
    assert got == [(18, 'instance_type is "c5.4xlarge", which does not match ^[a-z]+[0-9]+g')]


def test_tags_read_alike_in_every_format_and_with_provider_default_tags(tmp_path, capsys, monkeypatch):
    write_tree(str(tmp_path), {
        "tf/main.tf": """
        provider "aws" {
          region = "eu-west-1"
          default_tags {
            tags = { CostCenter = "cc-4711" }
          }
        }
        resource "aws_emr_cluster" "c" {
          name          = "c"
          release_label = "emr-7.1.0"
          tags          = { Team = "ingest" }
        }
        """,
        "cfn/template.yaml": """
        Resources:
          Cluster:
            Type: AWS::EMR::Cluster
            Properties:
              Name: c
              ReleaseLabel: emr-7.1.0
              Tags:
                - Key: CostCenter
                  Value: cc-4711
                - Key: Team
                  Value: !If [IsProd, search, search-dev]
        """,
    })
    got = _policy_findings(tmp_path, capsys, monkeypatch, "require:\n  field: tags\n  contains: [CostCenter, Team]\n",
                           "")
    assert got == []
    got = _policy_findings(tmp_path, capsys, monkeypatch, "require:\n  field: tags\n  contains: Owner\n", "")
    assert sorted(got) == [(8, "tags has no Owner key"), (11, "tags has no Owner key")]


# ---------------------------------------------------------------------------
# a policy is a rule like emrlint's own
# ---------------------------------------------------------------------------

REPO_WITH_POLICY = {
    ".emrlint.yaml": "policies: [ci/policies/]\nselect: [EMR301, EMR002, EMR003, ACME]\n",
    "ci/policies/acme001_cost_allocation_tags.yaml": open(os.path.join(EXAMPLES, "acme001_cost_allocation_tags.yaml")).read(),
    "ci/policies/acme003_log_bucket.yaml": open(os.path.join(EXAMPLES, "acme003_log_bucket.yaml")).read(),
    "main.tf": """
    resource "aws_emr_cluster" "etl" {
      name          = "etl"
      release_label = "emr-7.1.0"
      log_uri       = "s3://ingest-scratch/logs/"
    }

    # emrlint:ignore ACME001 a throw-away cluster of the load test (PERF-301)
    resource "aws_emr_cluster" "load_test" {
      name          = "load-test"
      release_label = "emr-7.1.0"
      log_uri       = "s3://acme-emr-logs/perf/" # emrlint:ignore ACME003 nothing to silence here
      tags          = { Team = "perf" } # emrlint:ignore ACME999 no such policy
    }
    """,
}


@pytest.fixture
def policy_repo(tmp_path, monkeypatch):
    write_tree(str(tmp_path), REPO_WITH_POLICY)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_rules_and_explain_list_and_document_policies(policy_repo, capsys):
    code, out, _ = _cli(capsys, "rules")
    assert code == 0
    line = next(x for x in out.splitlines() if x.startswith("ACME001"))
    assert line.split()[:3] == ["ACME001", "cost-allocation-tags-missing", "error"]
    assert line.endswith("(ci/policies/acme001_cost_allocation_tags.yaml:3)")
    listed = {r["id"]: r for r in json.loads(_cli(capsys, "rules", "--format", "json")[1])}
    assert listed["ACME003"]["params"]["log_location"]["default"] == "s3://acme-emr-logs/*"
    assert listed["ACME003"]["defined_in"] == "ci/policies/acme003_log_bucket.yaml:2"
    code, out, _ = _cli(capsys, "explain", "cluster-logs-outside-central-bucket")
    assert code == 0 and out.startswith("# ACME003 cluster-logs-outside-central-bucket")
    assert "## What fires" in out and "## Condition" in out and "## Parameters" in out
    code, _, err = _cli(capsys, "explain", "--no-config", "ACME003")
    assert code == 2 and "unknown rule 'ACME003'" in err


def test_select_ignore_severity_params_and_suppressions(policy_repo, capsys):
    assert _json_scan(capsys, ".") == [
        ("ACME001", "main.tf", 2, "error"),      # no tags; load_test's are silenced by a suppression with a reason
        ("ACME003", "main.tf", 5, "error"),      # not the central bucket
        ("EMR003", "main.tf", 12, "warning"),    # the ACME003 suppression silences nothing
        ("EMR002", "main.tf", 13, "warning"),    # ACME999: no such rule
    ]
    assert {r for r, _, _, _ in _json_scan(capsys, "--select", "cluster-logs-outside-central-bucket", ".")} == {"ACME003"}
    assert {r for r, _, _, _ in _json_scan(capsys, "--select", "ACME", "--ignore", "ACME001", ".")} == {"ACME003"}
    with open(".emrlint.yaml", "a") as fh:
        fh.write("severity: {ACME001: warning}\nparams:\n  ACME003: {log_location: 's3://ingest-*'}\n")
    # ACME001 is a warning now; ACME003 accepts the ingest bucket, and fires on load_test, where it is suppressed
    assert _json_scan(capsys, "--select", "ACME,EMR003", ".") == [("ACME001", "main.tf", 2, "warning")]
    code, _, err = _cli(capsys, "scan", "--no-cache", "--select", "ACME7", ".")
    assert code == 2 and "unknown rule 'ACME7'" in err


def test_baselines_and_every_report_format_know_policies(policy_repo, capsys):
    import jsonschema

    code, _, err = _cli(capsys, "scan", "--no-cache", "--select", "ACME", "--write-baseline", "baseline.json", ".")
    assert code == 0, err
    code, out, _ = _cli(capsys, "scan", "--no-cache", "--select", "ACME", "--baseline", "baseline.json", "--format",
                        "json", ".")
    assert code == 0 and json.loads(out)["findings"] == []
    code, out, _ = _cli(capsys, "scan", "--no-cache", "--select", "ACME", "--format", "sarif", ".")
    doc = json.loads(out)
    with open(os.path.join(REPO, "tests", "data", "sarif-schema-2.1.0.json")) as fh:
        jsonschema.Draft4Validator(json.load(fh)).validate(doc)
    run = doc["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    for result in run["results"]:
        descriptor = rules[result["ruleIndex"]]
        assert descriptor["id"] == result["ruleId"] and descriptor["id"].startswith("ACME")
        assert "## Condition" in descriptor["help"]["markdown"]
        assert descriptor["defaultConfiguration"]["level"] == "error"
    code, out, _ = _cli(capsys, "scan", "--no-cache", "--select", "ACME", "--format", "junit", ".")
    assert 'name="ACME001 cost-allocation-tags-missing aws_emr_cluster.etl (line 2)"' in out
    code, out, _ = _cli(capsys, "scan", "--no-cache", "--select", "ACME", "--format", "github", ".")
    assert "::error file=main.tf,line=5,col=" in out and "title=ACME003 cluster-logs-outside-central-bucket::" in out


def test_a_changed_policy_file_invalidates_the_cache(policy_repo, capsys, monkeypatch):
    monkeypatch.setenv("EMRLINT_CACHE_DIR", str(policy_repo / "cache"))

    def lines():
        code, out, err = _cli(capsys, "scan", "--select", "ACME003", "--format", "json", ".")
        assert code in (0, 1), err
        return [f["line"] for f in json.loads(out)["findings"]]

    assert lines() == [5]
    assert lines() == [5]
    path = policy_repo / "ci" / "policies" / "acme003_log_bucket.yaml"
    path.write_text(path.read_text().replace('"s3://acme-emr-logs/*"', '"s3://ingest-*"'))
    assert lines() == []  # etl's bucket now matches; load_test's finding is suppressed


def test_policies_of_a_config_s_own_directory_are_found_without_naming_them(tmp_path, capsys, monkeypatch):
    write_tree(str(tmp_path), {
        "infra/.emrlint.yaml": "select: [EMR301]\n",
        "infra/.emrlint/policies/acme003_log_bucket.yaml": open(os.path.join(EXAMPLES, "acme003_log_bucket.yaml")).read(),
        "infra/main.tf": REPO_WITH_POLICY["main.tf"],
    })
    monkeypatch.chdir(tmp_path)
    # the config's own select names only EMR301 (set, it replaces "every rule"): the policy is known, not selected
    assert _json_scan(capsys, "infra") == []
    assert _json_scan(capsys, "--select", "ACME003", "infra") == [("ACME003", "infra/main.tf", 5, "error")]


# ---------------------------------------------------------------------------
# the monorepo: a root policy, a team's extended config with its own policy, a per-path override
# ---------------------------------------------------------------------------

MONOREPO = os.path.join(REPO, "fixtures", "examples", "monorepo")
EXPECTED = [
    ("PLAT001", "teams/ingest/clickstream/main.tf", 7, "error"),     # the platform's policy, in the team
    ("INGEST001", "teams/ingest/clickstream/main.tf", 31, "warning"),  # the team's own policy, at the task group
    ("PLAT001", "teams/search/main.tf", 7, "error"),                 # no config: the root's, extending the platform's
]


def test_monorepo_from_the_root(capsys, monkeypatch):
    monkeypatch.chdir(MONOREPO)
    got = _json_scan(capsys, ".")
    assert sorted(got, key=lambda f: (f[1], f[2])) == sorted(EXPECTED, key=lambda f: (f[1], f[2]))
    # teams/ingest/legacy: its per-path override ignores INGEST001 and accepts its own log bucket;
    # platform/clusters writes to the central bucket; nothing there
    assert not [f for f in got if "/legacy/" in f[1] or f[1].startswith("platform/")]


def test_monorepo_from_inside_a_team_directory(capsys, monkeypatch):
    monkeypatch.chdir(os.path.join(MONOREPO, "teams", "ingest"))
    got = _json_scan(capsys, ".")
    assert got == [(r, p[len("teams/ingest/"):], line, s) for r, p, line, s in EXPECTED if p.startswith("teams/ingest/")]
    # and a team directory without a config of its own, from inside it: the root's
    monkeypatch.chdir(os.path.join(MONOREPO, "teams", "search"))
    assert _json_scan(capsys, ".") == [("PLAT001", "main.tf", 7, "error")]


def test_policies_run_in_the_parallel_worker_processes(tmp_path, monkeypatch):
    """Large trees are checked root module by root module in worker processes: each has the
    policies of the configs, with their settings."""
    from emrlint.engine import ScanOptions, scan
    from emrlint.layers import Layers

    files = {".emrlint.yaml": f"policies: [{EXAMPLES}/acme003_log_bucket.yaml]\nselect: [ACME003]\n",
             "b/.emrlint.yaml": f"extend: ../.emrlint.yaml\nseverity: {{ACME003: warning}}\n"}
    for i in range(6):
        for team in ("a", "b"):
            files[f"{team}/stack{i}/main.tf"] = (
                f'resource "aws_emr_cluster" "c" {{\n  name          = "{team}{i}"\n  release_label = "emr-7.1.0"\n'
                f'  log_uri       = "s3://{team}-scratch/{i}/"\n}}\n')
    write_tree(str(tmp_path), files)
    monkeypatch.chdir(tmp_path)
    layers = Layers()
    result = scan(ScanOptions(paths=["."], layers=layers, jobs=2, parallel_min_bytes=1))
    assert not result.errors
    got = sorted((os.path.relpath(f.loc.path), f.rule, f.severity) for f in result.findings)
    assert got == sorted([(f"a/stack{i}/main.tf", "ACME003", "error") for i in range(6)]
                         + [(f"b/stack{i}/main.tf", "ACME003", "warning") for i in range(6)])


def test_parsed_policy_documents_come_from_the_cache(tmp_path, monkeypatch):
    """Parsing YAML with positions is most of a policy's load time: a policy's document is kept
    in the (signed) cache by its content; a changed file is parsed again."""
    import emrlint.jsonpos as jsonpos

    monkeypatch.setenv("EMRLINT_CACHE_DIR", str(tmp_path / "cache"))
    write_tree(str(tmp_path), {".emrlint.yaml": "policies: [policies/]\n", "policies/acme101.yaml": GOOD})
    config = str(tmp_path / ".emrlint.yaml")
    first = load_config(config, cache=True)
    real = jsonpos.load_document
    parsed = []
    monkeypatch.setattr(jsonpos, "load_document", lambda text, kind="JSON": parsed.append(text) or real(text, kind))
    again = load_config(config, cache=True)
    assert first.rules == again.rules == ["ACME101"] and len(parsed) == 1  # only the config itself
    from emrlint.registry import load_rule

    assert load_rule("ACME101").origin.endswith("acme101.yaml:1") and "## Condition" in load_rule("ACME101").doc
    (tmp_path / "policies" / "acme101.yaml").write_text(GOOD.replace("exists: true", "exist: true"))
    with pytest.raises(ConfigError, match=r"acme101\.yaml:9: require: unknown operator 'exist'"):
        load_config(config, cache=True)
    assert len(parsed) == 3
