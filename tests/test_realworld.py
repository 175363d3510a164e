"""Constructs of public EMR code, each from a minimal snippet: read right, pointed at the right line."""

from __future__ import annotations


def test_partly_known_strings_decide_what_their_known_parts_prove(tf):
    files = {"main.tf": '''
    variable "host" {}
    variable "repo" {}
    variable "bucket" {}
    variable "minor" {}
    resource "aws_emr_cluster" "c" {
      name          = "c"
      release_label = "emr-7.${var.minor}"
      bootstrap_action {
        name = "http"
        path = "https://${var.host}/bootstrap.sh"
      }
      bootstrap_action {
        name = "s3"
        path = "s3://${var.bucket}/bootstrap.sh"
      }
    }
    resource "aws_emrserverless_application" "a" {
      name          = "a"
      release_label = "emr-7.1.0"
      type          = "spark"
      image_configuration {
        image_uri = "${var.repo}:latest"
      }
    }
    resource "aws_emrcontainers_job_template" "t" {
      name = "t"
      job_template_data {
        execution_role_arn = "arn:aws:iam::123456789012:role/jobs"
        release_label      = "emr-7.1.0"
        job_driver {
          spark_submit_job_driver {
            entry_point             = "https://${var.host}/main.py"
            spark_submit_parameters = "--jars https://${var.host}/x.jar,s3://b/y.jar"
          }
        }
      }
    }
    resource "aws_emrcontainers_job_template" "after_unknown" {
      name = "after"
      job_template_data {
        execution_role_arn = "arn:aws:iam::123456789012:role/jobs"
        release_label      = "emr-7.1.0"
        job_driver {
          spark_submit_job_driver {
            entry_point             = "s3://b/main.py"
            spark_submit_parameters = "--conf spark.executor.memory=${var.host} --jars https://h/x.jar"
          }
        }
      }
    }
    '''}
    got = tf(files, select=["EMR201", "EMR202", "EMR204", "EMR205"], full=True)
    assert sorted((f.rule, f.loc.line) for f in got) == [
        ("EMR202", 11), ("EMR204", 23), ("EMR205", 33), ("EMR205", 34)]
    by_line = {f.loc.line: f.message for f in got}
    assert "(https://${...}/bootstrap.sh)" in by_line[11]
    assert "entry point https://${...}/main.py" in by_line[33]
    assert "fetches https://${...} (--jars)" in by_line[34]


def test_legacy_provider_instance_groups_are_read(tf):
    files = {"main.tf": '''
    resource "aws_emr_cluster" "list" {
      name          = "list"
      release_label = "emr-5.36.0"
      instance_group = [
        {
          instance_role  = "MASTER"
          instance_type  = "m5.xlarge"
          instance_count = "1"
          bid_price      = "0.10"
        },
        {
          instance_role  = "CORE"
          instance_type  = "r5.xlarge"
          instance_count = "2"
        },
      ]
    }
    resource "aws_emr_cluster" "blocks" {
      name          = "blocks"
      release_label = "emr-5.36.0"
      instance_group {
        instance_role = "MASTER"
        instance_type = "m5.xlarge"
      }
      instance_group {
        instance_role  = "TASK"
        instance_type  = "r5.xlarge"
        instance_count = 4
        bid_price      = "0.20"
      }
    }
    variable "role" {}
    resource "aws_emr_cluster" "unknown_role" {
      name          = "unknown"
      release_label = "emr-5.36.0"
      instance_group {
        instance_role = var.role
        instance_type = "r5.xlarge"
      }
    }
    '''}
    got = tf(files, select=["EMR102", "EMR501"])
    # the list form: master on Spot (at its bid_price) and On-Demand core capacity; the blocks
    # form has Spot task capacity; a group whose role is unknown may be Spot capacity
    assert got == [("EMR102", "main.tf", 2), ("EMR501", "main.tf", 10)]


def test_novalue_and_empty_dynamic_blocks_point_at_where_they_are_written(tf):
    files = {
        "stack.yaml": '''
        AWSTemplateFormatVersion: "2010-09-09"
        Parameters:
          Bucket:
            Type: String
            Default: ""
        Conditions:
          HasBucket: !Not [!Equals [!Ref Bucket, ""]]
        Resources:
          Cluster:
            Type: AWS::EMR::Cluster
            Properties:
              Name: etl
              ReleaseLabel: emr-7.1.0
              LogUri: !If [HasBucket, !Sub "s3://${Bucket}/logs/", !Ref AWS::NoValue]
              JobFlowRole: EMR_EC2_DefaultRole
              ServiceRole: EMR_DefaultRole
              Instances:
                MasterInstanceGroup:
                  InstanceCount: 1
                  InstanceType: m6g.xlarge
        ''',
        "app.json": '''
        {
          "AWSTemplateFormatVersion": "2010-09-09",
          "Conditions": {"Never": {"Fn::Equals": ["a", "b"]}},
          "Resources": {
            "App": {
              "Type": "AWS::EMRServerless::Application",
              "Properties": {
                "ReleaseLabel": "emr-7.1.0",
                "Type": "SPARK",
                "MaximumCapacity": {
                  "Cpu": "200 vCPU",
                  "Memory": {"Fn::If": ["Never", "800 GB", {"Ref": "AWS::NoValue"}]}
                }
              }
            }
          }
        }
        ''',
        "main.tf": '''
        resource "aws_emrserverless_application" "a" {
          name          = "a"
          release_label = "emr-7.1.0"
          type          = "spark"
          dynamic "maximum_capacity" {
            for_each = []
            content {
              cpu    = "8 vCPU"
              memory = "32 GB"
            }
          }
        }
        ''',
    }
    got = tf(files, select=["EMR101", "EMR301"])
    assert got == [("EMR101", "app.json", 13), ("EMR101", "main.tf", 6), ("EMR301", "stack.yaml", 15)]


def test_empty_certificate_path_says_it_is_empty(tf):
    files = {"main.tf": '''
    resource "aws_emr_security_configuration" "tls" {
      name = "tls"
      configuration = jsonencode({
        EncryptionConfiguration = {
          EnableAtRestEncryption    = false
          EnableInTransitEncryption = true
          InTransitEncryptionConfiguration = {
            TLSCertificateConfiguration = {
              CertificateProviderType = "PEM"
              S3Object                = ""
            }
          }
        }
      })
    }
    '''}
    (f,) = tf(files, select=["EMR404"], full=True)
    assert f.loc.line == 11 and f.message.startswith("TLSCertificateConfiguration.S3Object is empty")


def test_for_expression_feeding_a_dynamic_block_keeps_the_origin(tf):
    files = {"main.tf": '''
    locals {
      volumes = [
        { type = "gp3", size = 100 },
        { type = "gp2", size = 200 },
      ]
      by_name    = { for i, v in local.volumes : "vol${i}" => v }
      normalised = [for name, v in local.by_name : { type = v.type, size = v.size, per = 1 } if v.size > 0]
    }
    resource "aws_emr_cluster" "c" {
      name          = "c"
      release_label = "emr-7.1.0"
      master_instance_group {
        instance_type = "m6g.xlarge"
        dynamic "ebs_config" {
          for_each = local.normalised
          content {
            type                 = ebs_config.value.type
            size                 = ebs_config.value.size
            volumes_per_instance = ebs_config.value.per
          }
        }
      }
    }
    '''}
    assert tf(files, select=["EMR503"]) == [("EMR503", "main.tf", 5)]


def test_a_list_from_a_module_input_points_at_the_caller_for_emr109_and_emr112(tf):
    files = {
        "main.tf": 'module "emr" {\n  source = "./mod"\n  task_types = [\n    "m4.xlarge",\n    "m5.xlarge",\n  ]\n}\n',
        "mod/main.tf": '''
        variable "task_types" {
          type = list(string)
        }
        resource "aws_emr_instance_fleet" "task" {
          cluster_id           = "j-2AXXXXXXGAPLF"
          target_spot_capacity = 4
          dynamic "instance_type_configs" {
            for_each = var.task_types
            content {
              instance_type = instance_type_configs.value
            }
          }
          launch_specifications {
            spot_specification {
              allocation_strategy = "price-capacity-optimized"
              timeout_action      = "SWITCH_TO_ON_DEMAND"
              timeout_duration_minutes = 10
            }
          }
        }
        ''',
    }
    assert tf(files, select=["EMR109", "EMR112"]) == [("EMR109", "main.tf", 3), ("EMR112", "main.tf", 4)]


def test_templatefile_and_heredoc_values_point_where_they_were_written(tf):
    cluster = '''
    variable "replication" {}
    variable "mode" {
      default = "SSE-S3"
    }
    resource "aws_emr_cluster" "c" {
      name          = "c"
      release_label = "emr-7.1.0"
      core_instance_group {
        instance_type  = "r6g.xlarge"
        instance_count = 2
      }
      configurations_json = templatefile("${path.module}/configurations.json.tpl", {
        replication = var.replication
      })
    }
    resource "aws_emr_security_configuration" "s" {
      name          = "s"
      configuration = <<-EOF
        {
          "EncryptionConfiguration": {
            "EnableInTransitEncryption": false,
            "EnableAtRestEncryption": true,
            "AtRestEncryptionConfiguration": {
              "S3EncryptionConfiguration": {"EncryptionMode": "${var.mode}"}
            }
          }
        }
      EOF
    }
    '''
    template = ('[\n  {\n    "Classification": "hdfs-site",\n    "Properties": {\n'
                '      "dfs.replication": "${replication}",\n      "dfs.blocksize": "268435456"\n    }\n  }\n]\n')
    files = {"main.tf": 'module "emr" {\n  source      = "./mod"\n  replication = 3\n}\n',
             "mod/main.tf": cluster, "mod/configurations.json.tpl": template}
    got = tf(files, select=["EMR404", "EMR405", "EMR504"])
    # the replication factor from the module input at the call site, through the template's
    # variable; EMR404 at the value inside the heredoc; EMR405 at the variable default
    assert got == [("EMR504", "main.tf", 3), ("EMR405", "mod/main.tf", 4), ("EMR404", "mod/main.tf", 22)]


def test_state_machines_in_heredocs_and_definition_strings_point_inside_them(tf):
    definition = '''{
      "StartAt": "Nightly",
      "States": {
        "Nightly": {
          "Type": "Task",
          "Resource": "arn:aws:states:::emr-serverless:startJobRun.sync",
          "Parameters": {
            "ApplicationId": "00f1abcd",
            "ExecutionRoleArn": "arn:aws:iam::123456789012:role/job",
            "ExecutionTimeoutMinutes": %s,
            "JobDriver": {"SparkSubmit": {"EntryPoint": "s3://b/nightly.py"}}
          },
          "End": true
        }
      }
    }'''
    import textwrap

    body = textwrap.indent(textwrap.dedent(definition % "${Timeout}"), "        ")
    files = {
        "main.tf": 'variable "timeout" {\n  default = 2000\n}\n'
                   'resource "aws_sfn_state_machine" "jobs" {\n  name     = "jobs"\n'
                   '  role_arn = "arn:aws:iam::123456789012:role/sfn"\n  definition = <<EOF\n'
                   + textwrap.dedent(definition % "${var.timeout}") + "\nEOF\n}\n",
        "stack.yaml": 'AWSTemplateFormatVersion: "2010-09-09"\nParameters:\n  Timeout:\n    Type: Number\n'
                      '    Default: 0\nResources:\n  Jobs:\n    Type: AWS::StepFunctions::StateMachine\n'
                      '    Properties:\n      RoleArn: arn:aws:iam::123456789012:role/sfn\n'
                      '      DefinitionString: !Sub |\n' + body + "\n",
        "plain.yaml": 'AWSTemplateFormatVersion: "2010-09-09"\nResources:\n  Jobs:\n'
                      '    Type: AWS::StepFunctions::StateMachine\n    Properties:\n'
                      '      RoleArn: arn:aws:iam::123456789012:role/sfn\n      DefinitionString: |\n'
                      + textwrap.indent(textwrap.dedent(definition % "800"), "        ") + "\n",
    }
    got = tf(files, select=["EMR110"])
    # through ${var.timeout} to the variable default; through ${Timeout} to the parameter's Default;
    # a literal at its line inside the DefinitionString block
    assert got == [("EMR110", "main.tf", 2), ("EMR110", "plain.yaml", 17), ("EMR110", "stack.yaml", 5)]


def test_cluster_request_rendered_from_a_template_is_checked_inside_the_template(tf):
    files = {
        "main.tf": 'module "adg" {\n  source      = "./emr"\n  emr_release = "6.x"\n}\n',
        "emr/main.tf": '''
        variable "emr_release" {}
        variable "bucket" {}
        resource "aws_s3_object" "cluster" {
          bucket  = var.bucket
          key     = "emr/adg/cluster.yaml"
          content = templatefile("${path.module}/cluster.yaml.tpl", { emr_release = var.emr_release })
        }
        resource "aws_s3_object" "instances" {
          bucket  = var.bucket
          key     = "emr/adg/instances.yaml"
          content = templatefile("${path.module}/instances.yaml.tpl", { core_count = 3 })
        }
        locals {
          adhoc_request = templatefile("${path.module}/adhoc.json.tpl", { label = "emr-7.1.0" })
        }
        ''',
        "emr/cluster.yaml.tpl": '---\nName: "adg"\nLogUri: "s3://acme-logs/adg/"\nReleaseLabel: "${emr_release}"\n',
        "emr/instances.yaml.tpl": ('---\nInstances:\n  InstanceFleets:\n  - InstanceFleetType: "CORE"\n'
                                   '    TargetOnDemandCapacity: ${core_count}\n'
                                   '    InstanceTypeConfigs:\n    - InstanceType: "r5.xlarge"\n'),
        "emr/adhoc.json.tpl": '{\n  "Name": "adhoc",\n  "ReleaseLabel": "${label}",\n  "Instances": {}\n}\n',
    }
    got = tf(files, select=["EMR102", "EMR201", "EMR301"], full=True)
    # the parts uploaded next to each other are one request: its release label comes from the module
    # input; its log URI is in cluster.yaml; the local renders a request of its own (no LogUri)
    assert sorted((f.rule, f.loc.path.rsplit("/", 1)[-1], f.loc.line, f.resource) for f in got) == [
        ("EMR102", "instances.yaml.tpl", 4, "module.adg.aws_s3_object.cluster"),
        ("EMR201", "main.tf", 3, "module.adg.aws_s3_object.cluster"),
        ("EMR301", "adhoc.json.tpl", 2, "module.adg.local.adhoc_request"),
    ]


def test_plan_blocks_the_configuration_does_not_write_are_missing(tf):
    import json

    def resource(type_, name, values):
        return {"address": f"{type_}.{name}", "mode": "managed", "type": type_, "name": name, "values": values}

    def change(address, after_unknown):
        return {"address": address, "mode": "managed", "change": {"actions": ["create"], "after_unknown": after_unknown}}

    app = {"name": "a", "release_label": "emr-7.5.0", "type": "spark", "maximum_capacity": [], "tags": None}
    cluster = {"name": "c", "release_label": "emr-7.1.0", "log_uri": "s3://logs/", "core_instance_group": [
        {"instance_type": "r6g.xlarge", "instance_count": 2, "bid_price": None}]}
    plan = {
        "format_version": "1.2", "terraform_version": "1.11.4",
        "planned_values": {"root_module": {"resources": [
            resource("aws_emrserverless_application", "unset", app),
            resource("aws_emrserverless_application", "from_output", app),
            resource("aws_emr_cluster", "groups", cluster)]}},
        "resource_changes": [
            change("aws_emrserverless_application.unset", {"maximum_capacity": True, "id": True}),
            change("aws_emrserverless_application.from_output", {"maximum_capacity": True}),
            change("aws_emr_cluster.groups", {"core_instance_fleet": True, "master_instance_fleet": True,
                                              "core_instance_group": [{"id": True}]})],
        "configuration": {"root_module": {"resources": [
            {"address": "aws_emrserverless_application.unset", "expressions": {"name": {"constant_value": "a"}}},
            # written, known after apply: unknown (a block from a module output, for example)
            {"address": "aws_emrserverless_application.from_output", "expressions": {
                "maximum_capacity": [{"cpu": {"references": ["module.sizes.cpu"]}}]}},
            {"address": "aws_emr_cluster.groups", "expressions": {
                "core_instance_group": [{"instance_type": {"constant_value": "r6g.xlarge"}}]}}]}},
    }
    text = json.dumps(plan, indent=2)
    # ground rule 7: what the provider marks known after apply but the configuration does not
    # write is missing; EMR101 and EMR102 fire on the plan at the resources' lines
    assert tf({"plan.json": text}, select=["EMR101", "EMR102"]) == [
        ("EMR101", "plan.json", 8), ("EMR102", "plan.json", 34)]
    # a plan without its configuration section cannot tell: unknown, never missing
    del plan["configuration"]
    assert tf({"bare/plan.json": json.dumps(plan, indent=2)}, select=["EMR101", "EMR102"], paths=["bare"]) == []


def test_a_terraform_module_whose_only_emr_work_is_an_sdk_integration_is_checked(tf):
    # nothing else in the directory names EMR: the SDK integrations' ARNs alone make it worth reading
    files = {"main.tf": '''
    resource "aws_sfn_state_machine" "nightly" {
      name     = "nightly"
      role_arn = "arn:aws:iam::123456789012:role/sfn"
      definition = jsonencode({
        StartAt = "Run"
        States = {
          Run = {
            Type     = "Task"
            Resource = "arn:aws:states:::aws-sdk:emrcontainers:startJobRun"
            End      = true
            Parameters = {
              VirtualClusterId = "vc-1"
              ReleaseLabel     = "emr-7.1.0-latest"
              ExecutionRoleArn = "arn:aws:iam::123456789012:role/job"
              JobDriver = { SparkSubmitJobDriver = { EntryPoint = "s3://b/job.py" } }
            }
          }
        }
      })
    }
    '''}
    assert tf(files, select=["EMR201"]) == [("EMR201", "main.tf", 14)]


def test_an_empty_job_template_is_checked_without_failing_the_scan(tf):
    files = {"main.tf": '''
    resource "aws_emrcontainers_job_template" "x" {}
    resource "aws_emr_cluster" "c" {
      name          = "c"
      release_label = "emr-7"
    }
    '''}
    from emrlint.config import selected_rules
    from emrlint.engine import ScanOptions, scan

    tf(files, select=[])
    result = scan(ScanOptions(paths=["."], rules=selected_rules(["EMR111", "EMR201", "EMR205"], [])))
    assert result.errors == []  # no internal error, exit not 2
    # the template writes no release label at all (missing: its first line); the cluster's is a bad value
    assert [(f.rule, f.resource, f.loc.line) for f in result.findings] == [
        ("EMR201", "aws_emrcontainers_job_template.x", 2), ("EMR201", "aws_emr_cluster.c", 5)]


def test_realworld_fixtures_snapshot(monkeypatch):
    """fixtures/realworld/: a module shared by two root modules, a module called with an unknown
    count, a pipeline of SDK-integration state machines; every rule, each case scanned alone."""
    import json
    import os

    from conftest import FIXTURES, REPO, run_scan

    base = os.path.join(FIXTURES, "realworld")
    monkeypatch.chdir(REPO)
    got = {}
    for case in sorted(d for d in os.listdir(base) if os.path.isdir(os.path.join(base, d))):
        got[case] = [{"rule": f.rule, "path": os.path.relpath(f.loc.path, REPO), "line": f.loc.line,
                      "resource": f.resource, "call_sites": [f"{os.path.relpath(c.loc.path, REPO)}:{c.loc.line}"
                                                             for c in f.call_sites], "message": f.message}
                     for f in run_scan([os.path.relpath(os.path.join(base, case), REPO)], select=["ALL"])]
    path = os.path.join(base, "snapshot.json")
    if os.environ.get("EMRLINT_UPDATE_SNAPSHOTS") == "1":
        with open(path, "w", encoding="utf-8") as fh:
            json.dump(got, fh, indent=2)
            fh.write("\n")
    with open(path, encoding="utf-8") as fh:
        assert got == json.load(fh)

    # each root module that calls the shared module gets the module's finding, with its call site
    logs = [e for e in got["two-roots-one-module"] if e["rule"] == "EMR301"]
    assert sorted(e["call_sites"][0].split("/")[-2] for e in logs) == ["dev", "prod"]
    assert {e["line"] for e in logs} == {24}  # log_uri = var.log_uri, default null
    # a cluster that may not exist is checked as if it exists, and the finding says so
    spot = [e for e in got["module-count-unknown"] if e["rule"] == "EMR102"]
    assert len(spot) == 1 and spot[0]["message"].endswith(
        "This applies if module.emr.aws_emr_cluster.this is created: the count of module.emr cannot be evaluated.")
    # the SDK integrations, with the partition from a data source, inside a heredoc
    assert sorted((e["rule"], e["resource"].split(":")[-1], e["line"]) for e in got["sdk-state-machines"]
                  if e["rule"] in ("EMR110", "EMR201", "EMR205")) == [
        ("EMR110", "Aggregate", 52), ("EMR201", "Publish", 75), ("EMR205", "AddSteps", 46)]


def test_legacy_provider_core_group_with_a_bid_price_is_spot_capacity(tf):
    files = {"main.tf": '''
    resource "aws_emr_cluster" "legacy" {
      name          = "legacy"
      release_label = "emr-5.36.0"
      instance_group = [
        {
          instance_role  = "MASTER"
          instance_type  = "m5.xlarge"
          instance_count = "1"
        },
        {
          instance_role  = "CORE"
          instance_type  = "r5.xlarge"
          instance_count = "2"
          bid_price      = "0.30"
        },
      ]
    }
    '''}
    # Spot core capacity: not EMR102; core on Spot without a fallback is EMR502, at its bid_price
    assert tf(files, select=["EMR102", "EMR501", "EMR502"]) == [("EMR502", "main.tf", 15)]


def test_plan_nulls_the_configuration_does_not_write_are_not_set(tf):
    import json

    def plan(expressions):
        return json.dumps({
            "format_version": "1.2", "terraform_version": "1.11.4",
            "planned_values": {"root_module": {"resources": [{
                "address": "aws_emr_cluster.c", "mode": "managed", "type": "aws_emr_cluster", "name": "c",
                "values": {"name": "c", "release_label": "emr-7.1.0", "log_uri": None}}]}},
            "configuration": {"root_module": {"resources": [
                {"address": "aws_emr_cluster.c", "expressions": expressions}]}}}, indent=2)

    # the plan lists every attribute of the schema, null where nothing sets it
    (unset,) = tf({"a/plan.json": plan({"name": {"constant_value": "c"}})}, select=["EMR301"], paths=["a"], full=True)
    assert unset.message.startswith("Cluster log_uri is not set")
    # written, evaluating to null (a variable whose default is null)
    (null,) = tf({"b/plan.json": plan({"log_uri": {"references": ["var.log_uri"]}})}, select=["EMR301"],
                 paths=["b"], full=True)
    assert null.message.startswith("Cluster log_uri evaluates to null")
