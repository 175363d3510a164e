"""CloudFormation, job requests, Step Functions, classification files and Terraform plans."""

from __future__ import annotations

import json

import pytest

BOMB = "\n".join(
    ["a: &a [" + ",".join(['"lol"'] * 9) + "]"]
    + [f"{chr(98 + i)}: &{chr(98 + i)} [" + ",".join([f"*{chr(97 + i)}"] * 9) + "]" for i in range(8)]
) + "\nReleaseLabel: emr-7.1.0\n"

CFN = '''AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  ReleaseLabel:
    Type: String
    Default: emr-6.x
  LogBucket:
    Type: String
  Env:
    Type: String
    Default: prod
Conditions:
  IsProd: !Equals [!Ref Env, prod]
  UseSpot: !Not [!Condition IsProd]
Resources:
  Cluster:
    Type: AWS::EMR::Cluster
    Properties:
      Name: !Sub "${AWS::StackName}-spark"
      ReleaseLabel: !Ref ReleaseLabel
      LogUri: !Sub "s3://${LogBucket}/emr/"
      JobFlowRole: EMR_EC2_DefaultRole
      ServiceRole: EMR_DefaultRole
      Instances:
        MasterInstanceGroup:
          InstanceCount: 1
          InstanceType: m6g.xlarge
        CoreInstanceGroup:
          InstanceCount: !If [IsProd, 4, 2]
          InstanceType: r6g.2xlarge
          Market: !If [UseSpot, SPOT, !Ref AWS::NoValue]
  SpotTasks:
    Type: AWS::EMR::InstanceGroupConfig
    Properties:
      JobFlowId: !Ref Cluster
      InstanceRole: TASK
      InstanceType: r6g.2xlarge
      InstanceCount: 4
      Market: SPOT
'''


def test_cloudformation_intrinsics_and_line_numbers(tf):
    got = tf({"stack.yaml": CFN})
    # the label comes from the parameter default (line 5); LogUri is unknown (parameter without default);
    # the spot task group is attached through JobFlowId: !Ref Cluster
    assert got == [("EMR201", "stack.yaml", 5)]


def test_cloudformation_condition_choosing_on_demand_and_json_templates(tf):
    template = json.loads(json.dumps({
        "Resources": {
            "Cluster": {"Type": "AWS::EMR::Cluster", "Properties": {
                "Name": "x", "ReleaseLabel": "emr-7.1.0", "LogUri": {"Fn::Join": ["", ["s3://", "logs", "/emr/"]]},
                "Instances": {"CoreInstanceFleet": {"TargetOnDemandCapacity": 4,
                                                    "TargetSpotCapacity": {"Fn::If": ["NoSpot", 0, 0]}}}}}}}))
    got = tf({"stack.json": json.dumps(template, indent=2)})
    assert got == [("EMR102", "stack.json", 21)]  # both branches of Fn::If are 0


def test_step_functions_jsonpath_is_unknown_and_tasks_are_found(tf):
    definition = {
        "StartAt": "Create",
        "States": {
            "Create": {"Type": "Task", "Resource": "arn:aws:states:::elasticmapreduce:createCluster.sync",
                       "Parameters": {"Name": "t", "ReleaseLabel.$": "$.label", "LogUri": "s3://l/",
                                      "Instances": {"InstanceFleets": [
                                          {"InstanceFleetType": "CORE", "TargetSpotCapacity": 4}]}},
                       "Next": "Fan"},
            "Fan": {"Type": "Parallel", "End": True, "Branches": [{"StartAt": "Job", "States": {
                "Job": {"Type": "Task", "Resource": "arn:aws:states:::emr-containers:startJobRun.sync",
                        "Parameters": {"VirtualClusterId": "v", "ReleaseLabel": "emr-6.15.0-latest",
                                       "JobDriver": {"SparkSubmitJobDriver": {"EntryPoint": "s3://b/j.py"}}},
                        "End": True}}}]},
        },
    }
    got = tf({"pipeline.asl.json": json.dumps(definition, indent=2)}, full=True)
    assert [(f.rule, f.resource, f.loc.line) for f in got] == [("EMR201", "pipeline.asl.json:Job", 34)]


def test_terraform_state_machine_definition_points_into_jsonencode(tf):
    files = {"main.tf": '''
        resource "aws_sfn_state_machine" "etl" {
          name     = "etl"
          role_arn = "arn:aws:iam::123456789012:role/sfn"
          definition = jsonencode({
            StartAt = "Cluster"
            States = {
              Cluster = {
                Type     = "Task"
                Resource = "arn:aws:states:::elasticmapreduce:createCluster.sync"
                Parameters = {
                  Name         = "transient"
                  ReleaseLabel = "emr-7"
                  LogUri       = "s3://logs/"
                  Instances = {
                    InstanceFleets = [{ InstanceFleetType = "CORE", TargetSpotCapacity = 2 }]
                  }
                }
                End = true
              }
            }
          })
        }
    '''}
    got = tf(files, full=True)
    assert [(f.rule, f.resource, f.loc.line) for f in got] == [("EMR201", "aws_sfn_state_machine.etl:Cluster", 13)]


def test_job_runs_spark_settings_are_read(tmp_path, monkeypatch):
    from conftest import write_tree
    from emrlint.documents.load import load_documents
    from emrlint.sources import Boundary, Sources

    monkeypatch.chdir(tmp_path)
    write_tree(str(tmp_path), {"job.json": json.dumps({
        "applicationId": "00f1", "executionRoleArn": "arn:aws:iam::1:role/r", "executionTimeoutMinutes": 60,
        "jobDriver": {"sparkSubmit": {"entryPoint": "s3://b/job.py", "sparkSubmitParameters":
                                      "--conf spark.executor.memory=8g --conf 'spark.driver.extraJavaOptions=-Da=b c' "
                                      "--packages org.apache.hudi:hudi-spark3-bundle_2.12:0.14.1 --py-files s3://b/deps.zip"}},
        "configurationOverrides": {"applicationConfiguration": [
            {"classification": "spark-defaults", "properties": {"spark.dynamicAllocation.maxExecutors": "50"}}]},
    })})
    (job,) = load_documents([str(tmp_path / "job.json")], Sources(Boundary([str(tmp_path)]))).resources
    assert job.kind == "job_run" and job.platform == "serverless"
    assert job.field("execution_timeout_minutes").value == 60
    conf = {k: f.value for k, f in job.spark.conf.items()}
    assert conf["spark.executor.memory"] == "8g"
    assert conf["spark.driver.extraJavaOptions"] == "-Da=b c"
    assert conf["spark.jars.packages"] == "org.apache.hudi:hudi-spark3-bundle_2.12:0.14.1"
    assert conf["spark.submit.pyFiles"] == "s3://b/deps.zip"
    assert conf["spark.dynamicAllocation.maxExecutors"] == "50"
    assert job.spark.entry_point.value == "s3://b/job.py"


PLAN = {
    "format_version": "1.2", "terraform_version": "1.9.0",
    "planned_values": {"root_module": {"resources": [], "child_modules": [{
        "address": "module.etl",
        "resources": [
            {"address": "module.etl.aws_emr_cluster.this", "mode": "managed", "type": "aws_emr_cluster", "name": "this",
             "values": {"name": "etl", "release_label": "emr-7.1.0", "log_uri": None,
                        "core_instance_group": [{"instance_type": "r6g.xlarge", "instance_count": 2, "bid_price": ""}]}},
            {"address": "module.etl.aws_emr_instance_group.task[0]", "mode": "managed",
             "type": "aws_emr_instance_group", "name": "task", "index": 0,
             "values": {"instance_type": "r6g.xlarge", "instance_count": 4, "bid_price": "0.3"}},
        ]}]}},
    "resource_changes": [{"address": "module.etl.aws_emr_instance_group.task[0]",
                          "change": {"actions": ["create"], "after_unknown": {"cluster_id": True}}}],
    "configuration": {"root_module": {"module_calls": {"etl": {"module": {"resources": [
        {"address": "aws_emr_instance_group.task",
         "expressions": {"cluster_id": {"references": ["aws_emr_cluster.this.id", "aws_emr_cluster.this"]}}}]}}}}},
}


def test_plan_alone_points_at_the_plan(tf):
    got = tf({"plan.json": json.dumps(PLAN, indent=2)}, full=True)
    assert [(f.rule, f.resource, f.loc.path.endswith("plan.json")) for f in got] == [
        ("EMR301", "module.etl.aws_emr_cluster.this", True)]


def test_plan_and_source_together_report_once_at_the_source(tf):
    files = {
        "plan.json": json.dumps(PLAN, indent=2),
        "main.tf": 'module "etl" {\n  source = "./modules/etl"\n}\n',
        "modules/etl/main.tf": '''
            variable "release_label" {}
            resource "aws_emr_cluster" "this" {
              name          = "etl"
              release_label = var.release_label
              core_instance_group {
                instance_type = "r6g.xlarge"
              }
            }
            resource "aws_emr_instance_group" "task" {
              count         = 1
              cluster_id    = aws_emr_cluster.this.id
              instance_type = "r6g.xlarge"
              bid_price     = "0.3"
            }
        ''',
    }
    assert tf(files) == [("EMR301", "modules/etl/main.tf", 3)]


def test_mixed_directory_reports_every_format_once(tf):
    cluster_request = {"Name": "nightly", "ReleaseLabel": "emr-7.1.0", "Instances": {"InstanceGroups": [
        {"InstanceRole": "MASTER", "InstanceType": "m6g.xlarge", "InstanceCount": 1},
        {"InstanceRole": "CORE", "InstanceType": "r6g.xlarge", "InstanceCount": 2}]}}
    files = {
        "cfn/stack.yaml": CFN,
        "jobs/run-job-flow.json": json.dumps(cluster_request, indent=2),
        "jobs/job.json": json.dumps({"applicationId": "a", "jobDriver": {"sparkSubmit": {"entryPoint": "s3://b/j.py"}}}),
        "jobs/classifications.json": json.dumps([{"Classification": "spark-defaults", "Properties": {}}]),
        "package.json": json.dumps({"name": "frontend", "dependencies": {}}),
        "k8s/deploy.yaml": "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n",
        "plan.json": json.dumps(PLAN, indent=2),
    }
    got = tf(files)
    assert got == [
        ("EMR201", "cfn/stack.yaml", 5),
        ("EMR102", "jobs/run-job-flow.json", 2),
        ("EMR301", "jobs/run-job-flow.json", 2),
        ("EMR301", "plan.json", 12),
    ]


@pytest.mark.parametrize("name,text,needle", [
    ("python.yaml", "ReleaseLabel: emr-7.1.0\nx: !!python/object/apply:os.system ['ls']\n", "Python object"),
    ("bomb.yaml", BOMB, "alias"),
    ("deep.json", '{"ReleaseLabel": ' + "[" * 50000 + "]" * 50000 + "}", "nested"),
    ("deep.yaml", "ReleaseLabel: " + "[" * 50000 + "]" * 50000 + "\n", "nested"),
])
def test_hostile_documents_are_emr001(tf, name, text, needle):
    got = tf({name: text}, full=True)
    assert [f.rule for f in got] == ["EMR001"]
    assert needle in got[0].message


def test_malformed_looking_document_is_emr001_and_unrelated_ones_are_skipped(tf):
    got = tf({
        "job.json": '{"applicationId": "x", "jobDriver": {"sparkSubmit": {}},}',
        "notes.yaml": "- just: a list\n- of: [unbalanced\n",
        "tsconfig.json": '{"compilerOptions": {"strict": true,}}',
    })
    assert got == [("EMR001", "job.json", 1)]


def test_yaml_suppressions(tf):
    text = CFN.replace("  Cluster:\n", "  # emrlint:ignore EMR201 pinned by the release train (PLAT-12)\n  Cluster:\n")
    assert tf({"stack.yaml": text}) == []


def test_plan_reads_every_resource_type_terraform_does(tf):
    definition = {"StartAt": "C", "States": {"C": {
        "Type": "Task", "Resource": "arn:aws:states:::elasticmapreduce:createCluster.sync", "End": True,
        "Parameters": {"Name": "c", "ReleaseLabel": "emr-7", "LogUri": "s3://l/",
                       "Instances": {"InstanceFleets": [{"InstanceFleetType": "CORE", "TargetSpotCapacity": 2}]}}}}}
    plan = {"format_version": "1.2", "planned_values": {"root_module": {"resources": [
        {"address": "aws_emrcontainers_job_template.x", "mode": "managed", "type": "aws_emrcontainers_job_template",
         "name": "x", "values": {"name": "x", "job_template_data": [{
             "release_label": "emr-7.0.0-latest", "execution_role_arn": "arn:aws:iam::1:role/r",
             "job_driver": [{"spark_submit_job_driver": [{"entry_point": "s3://b/m.py"}]}]}]}},
        {"address": "aws_sfn_state_machine.etl", "mode": "managed", "type": "aws_sfn_state_machine", "name": "etl",
         "values": {"name": "etl", "definition": json.dumps(definition)}},
    ]}}}
    got = tf({"plan.json": json.dumps(plan, indent=2)}, full=True)
    assert sorted((f.rule, f.resource) for f in got) == [
        ("EMR201", "aws_emrcontainers_job_template.x"), ("EMR201", "aws_sfn_state_machine.etl:C")]


def test_cloudformation_list_parameters_are_lists(tf):
    template = '''Parameters:
  BootstrapArgs:
    Type: CommaDelimitedList
    Default: "sudo pip3 install pandas"
Resources:
  Cluster:
    Type: AWS::EMR::Cluster
    Properties:
      Name: c
      ReleaseLabel: emr-7.1.0
      LogUri: s3://logs/
      Instances:
        CoreInstanceFleet:
          TargetSpotCapacity: 2
      BootstrapActions:
        - Name: libs
          ScriptBootstrapAction:
            Path: s3://b/run-command.sh
            Args: !Ref BootstrapArgs
'''
    assert tf({"template.yaml": template}) == [("EMR202", "template.yaml", 4)]


def test_logical_ids_do_not_link_across_templates(tf):
    on_demand = CFN.split("  SpotTasks:")[0]
    got = tf({"a/stack.yaml": on_demand, "b/stack.yaml": CFN})
    assert ("EMR102", "a/stack.yaml", 15) in got and not [g for g in got if g[:2] == ("EMR102", "b/stack.yaml")]


def test_plan_findings_move_only_to_their_own_root_module(tf):
    plan = json.loads(json.dumps(PLAN))
    files = {
        "envA/plan.json": json.dumps(plan, indent=2),
        "envB/main.tf": 'module "etl" {\n  source = "./modules/etl"\n}\n',
        "envB/modules/etl/main.tf": 'resource "aws_emr_cluster" "this" {\n  name = "etl"\n  release_label = "emr-7.1.0"\n'
                                    '  log_uri = "s3://b-logs/"\n}\n',
    }
    got = tf(files)
    assert ("EMR301", "envA/plan.json", 12) in got


def test_state_machine_substitutions_and_jsonata_are_runtime_values(tf):
    sam = '''Transform: AWS::Serverless-2016-10-31
Parameters:
  TaskMarket:
    Type: String
    Default: SPOT
Resources:
  Pipeline:
    Type: AWS::Serverless::StateMachine
    Properties:
      DefinitionSubstitutions:
        TaskMarket: !Ref TaskMarket
      Definition:
        StartAt: Create
        States:
          Create:
            Type: Task
            Resource: arn:aws:states:::elasticmapreduce:createCluster.sync
            End: true
            Parameters:
              Name: nightly
              ReleaseLabel: emr-7.1.0
              LogUri: s3://logs/
              Instances:
                InstanceGroups:
                  - {InstanceRole: CORE, InstanceType: r6g.xlarge, InstanceCount: 2}
                  - {InstanceRole: TASK, InstanceType: r6g.xlarge, InstanceCount: 4, Market: "${TaskMarket}"}
'''
    jsonata = {"QueryLanguage": "JSONata", "StartAt": "C", "States": {"C": {
        "Type": "Task", "Resource": "arn:aws:states:::elasticmapreduce:createCluster.sync", "End": True,
        "Arguments": {"Name": "c", "ReleaseLabel": "{% $states.input.label %}", "LogUri": "s3://l/",
                      "Instances": {"InstanceGroups": [{"InstanceRole": "CORE", "InstanceCount": 2,
                                                        "Market": "{% $states.input.market %}"}]}}}}}
    assert tf({"sam.yaml": sam, "jsonata.asl.json": json.dumps(jsonata, indent=2)}) == []


def test_definition_string_with_unknown_substitution_is_still_checked(tf):
    template = '''Resources:
  Pipeline:
    Type: AWS::StepFunctions::StateMachine
    Properties:
      RoleArn: !Sub "arn:aws:iam::${AWS::AccountId}:role/sfn"
      DefinitionString: !Sub |
        {"StartAt": "C", "States": {"C": {"Type": "Task", "End": true,
          "Resource": "arn:aws:states:::elasticmapreduce:createCluster.sync",
          "Parameters": {"Name": "c", "ReleaseLabel": "emr-7.1.0",
            "ServiceRole": "arn:aws:iam::${AWS::AccountId}:role/emr",
            "Instances": {"InstanceFleets": [{"InstanceFleetType": "CORE", "TargetSpotCapacity": 2}]}}}}}
'''
    # at the task's line inside the DefinitionString block
    assert tf({"stack.yaml": template}) == [("EMR301", "stack.yaml", 7)]


def test_run_job_flow_uniform_instances(tf):
    request = {"Name": "legacy", "ReleaseLabel": "emr-7.1.0", "LogUri": "s3://l/",
               "Instances": {"MasterInstanceType": "m5.xlarge", "SlaveInstanceType": "r5.xlarge", "InstanceCount": 5}}
    got = tf({"legacy.json": json.dumps(request, indent=2)}, full=True)
    assert [(f.rule, f.loc.line) for f in got] == [("EMR102", 2)]  # four on-demand core instances
