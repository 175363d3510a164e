"""Step Functions: which Task resources are EMR integrations, and the Map states that start EMR work.

The known parts of a task's ARN decide (ground rule 6): a partition written as a placeholder is
still the same integration, and the AWS SDK integrations are EMR tasks like the optimized ones.
"""

from __future__ import annotations

import json

import pytest

from emrlint.documents.sfn import integration, task_kind
from emrlint.model import StateMachine
from emrlint.values import UNKNOWN, Unknown

from conftest import run_scan, write_tree


@pytest.mark.parametrize("arn,kind", [
    ("arn:aws:states:::elasticmapreduce:createCluster.sync", "cluster"),
    ("arn:aws-us-gov:states:::emr-serverless:startJobRun.sync:2", "serverless"),
    ("arn:aws:states:::elasticmapreduce:addStep", "step"),
    ("arn:aws:states:::emr-containers:startJobRun.sync", "eks"),
    ("arn:aws:states:::aws-sdk:emrserverless:startJobRun", "serverless"),
    ("arn:aws:states:::aws-sdk:emrcontainers:startJobRun", "eks"),
    ("arn:aws:states:::aws-sdk:emr:runJobFlow", "cluster"),
    ("arn:aws:states:::aws-sdk:emr:addJobFlowSteps", "steps"),
    (Unknown(parts=("arn:", UNKNOWN, ":states:::elasticmapreduce:createCluster.sync")), "cluster"),
    (Unknown(parts=("arn:", UNKNOWN, ":states:::aws-sdk:emrserverless:startJobRun")), "serverless"),
    (Unknown(parts=("arn:aws:states:::emr-serverless:startJobRun.", UNKNOWN)), "serverless"),
])
def test_emr_integrations_are_recognised_by_their_known_parts(arn, kind):
    assert task_kind(arn) == kind


@pytest.mark.parametrize("arn", [
    Unknown(parts=("arn:aws:states:::", UNKNOWN, ":startJobRun")),  # the service is unknown
    Unknown(parts=("arn:aws:states:::emr-serverless:startJob", UNKNOWN)),  # the action is unknown
    UNKNOWN,
    "arn:aws:states:::lambda:invoke",
    "arn:aws:states:::aws-sdk:emr:describeCluster",
    "arn:aws:lambda:eu-west-1:123456789012:function:emr-serverless-submit",
    "emr-serverless:startJobRun",
    None,
])
def test_other_resources_are_not_emr_tasks(arn):
    assert task_kind(arn) is None


def test_integration_names_service_and_action():
    assert integration("arn:aws-cn:states:::aws-sdk:emr:runJobFlow") == ("aws-sdk:emr", "runJobFlow")


def _findings(tmp_path, monkeypatch, files, select):
    monkeypatch.chdir(tmp_path)
    write_tree(str(tmp_path), files)
    return [(f.rule, f.resource, f.loc.line) for f in run_scan(["."], select=select)]


def test_sam_partition_placeholder_without_substitution(tmp_path, monkeypatch):
    sam = """\
        Transform: AWS::Serverless-2016-10-31
        Resources:
          Nightly:
            Type: AWS::Serverless::StateMachine
            Properties:
              Definition:
                StartAt: Create
                States:
                  Create:
                    Type: Task
                    Resource: arn:${Partition}:states:::elasticmapreduce:createCluster.sync
                    End: true
                    Parameters:
                      Name: nightly
                      ReleaseLabel: emr-7.1.0
                      Instances:
                        InstanceGroups:
                          - {InstanceRole: CORE, InstanceType: r6g.xlarge, InstanceCount: 2, Market: SPOT}
        """
    assert _findings(tmp_path, monkeypatch, {"sam.yaml": sam}, ["EMR301"]) == [("EMR301", "Nightly:Create", 9)]


def test_definition_string_with_aws_partition_pseudo_parameter(tmp_path, monkeypatch):
    template = """\
        Resources:
          Jobs:
            Type: AWS::StepFunctions::StateMachine
            Properties:
              RoleArn: !Sub "arn:${AWS::Partition}:iam::${AWS::AccountId}:role/sfn"
              DefinitionString: !Sub |
                {"StartAt": "Run", "States": {"Run": {"Type": "Task", "End": true,
                  "Resource": "arn:${AWS::Partition}:states:::emr-serverless:startJobRun.sync",
                  "Parameters": {"ApplicationId": "00f1", "ExecutionRoleArn": "arn:${AWS::Partition}:iam::1:role/j",
                    "JobDriver": {"SparkSubmit": {"EntryPoint": "s3://b/job.py"}}}}}}
        """
    # at the task's line inside the DefinitionString block
    assert _findings(tmp_path, monkeypatch, {"stack.yaml": template}, ["EMR110"]) == [("EMR110", "Jobs:Run", 7)]


def test_terraform_partition_from_a_data_source(tmp_path, monkeypatch):
    main = """\
        data "aws_partition" "current" {}

        resource "aws_sfn_state_machine" "jobs" {
          name     = "jobs"
          role_arn = "arn:aws:iam::123456789012:role/sfn"
          definition = jsonencode({
            StartAt = "Run"
            States = {
              Run = {
                Type     = "Task"
                Resource = "arn:${data.aws_partition.current.partition}:states:::emr-serverless:startJobRun.sync"
                End      = true
                Parameters = {
                  ApplicationId    = "00f1"
                  ExecutionRoleArn = "arn:aws:iam::123456789012:role/job"
                  JobDriver = { SparkSubmit = { EntryPoint = "s3://b/job.py" } }
                }
              }
            }
          })
        }
        """
    assert _findings(tmp_path, monkeypatch, {"main.tf": main}, ["EMR110"]) == [
        ("EMR110", "aws_sfn_state_machine.jobs:Run", 9)]


def test_sdk_integrations_are_checked_like_the_optimized_ones(tmp_path, monkeypatch):
    definition = {
        "StartAt": "Cluster",
        "States": {
            "Cluster": {"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:emr:runJobFlow", "Next": "Steps",
                        "Parameters": {"Name": "sdk", "ReleaseLabel": "emr-7.x", "LogUri": "s3://logs/",
                                       "Instances": {"InstanceGroups": [
                                           {"InstanceRole": "CORE", "InstanceType": "r6g.xlarge", "InstanceCount": 2,
                                            "Market": "SPOT"}]}}},
            "Steps": {"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:emr:addJobFlowSteps", "Next": "Serverless",
                      "Parameters": {"JobFlowId.$": "$.ClusterId", "Steps": [
                          {"Name": "load", "ActionOnFailure": "CONTINUE", "HadoopJarStep": {
                              "Jar": "command-runner.jar",
                              "Args": ["spark-submit", "--packages", "org.apache.hudi:hudi-spark3-bundle_2.12",
                                       "s3://b/load.py"]}}]}},
            "Serverless": {"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:emrserverless:startJobRun",
                           "Next": "Eks",
                           "Parameters": {"ApplicationId": "00f1", "ExecutionRoleArn": "arn:aws:iam::1:role/j",
                                          "JobDriver": {"SparkSubmit": {"EntryPoint": "s3://b/job.py"}}}},
            "Eks": {"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:emrcontainers:startJobRun", "End": True,
                    "Parameters": {"VirtualClusterId": "vc", "ReleaseLabel": "emr-7.1.0-latest",
                                   "ExecutionRoleArn": "arn:aws:iam::1:role/j",
                                   "JobDriver": {"SparkSubmitJobDriver": {"EntryPoint": "s3://b/job.py"}}}},
        },
    }
    got = _findings(tmp_path, monkeypatch, {"sdk.asl.json": json.dumps(definition, indent=2)},
                    ["EMR110", "EMR201", "EMR205"])
    assert sorted(got) == [
        ("EMR110", "sdk.asl.json:Serverless", 47),  # the state: no ExecutionTimeoutMinutes
        ("EMR201", "sdk.asl.json:Cluster", 10),  # "ReleaseLabel": "emr-7.x"
        ("EMR201", "sdk.asl.json:Eks", 67),  # "ReleaseLabel": "emr-7.1.0-latest"
        ("EMR205", "sdk.asl.json:Steps", 36),  # "Args": [... --packages without a version]
    ]


def test_unknown_service_in_the_arn_is_not_an_emr_task(tmp_path, monkeypatch):
    template = """\
        Resources:
          Jobs:
            Type: AWS::StepFunctions::StateMachine
            Properties:
              DefinitionSubstitutions:
                Region: eu-west-1
              Definition:
                StartAt: Run
                States:
                  Run:
                    Type: Task
                    Resource: arn:aws:states:::${Service}:createCluster.sync
                    End: true
                    Parameters: {Name: x, ReleaseLabel: emr-7.x}
        """
    assert _findings(tmp_path, monkeypatch, {"stack.yaml": template}, ["EMR201", "EMR301"]) == []


def test_state_machine_resource_lists_map_states_with_emr_work(tmp_path, monkeypatch):
    from emrlint.documents.load import load_documents
    from emrlint.sources import Boundary, Sources

    definition = {
        "StartAt": "Outer",
        "States": {
            "Outer": {"Type": "Map", "MaxConcurrency": 4, "ItemsPath": "$.tables", "End": True,
                      "Iterator": {"StartAt": "Both", "States": {
                          "Both": {"Type": "Parallel", "End": True, "Branches": [
                              {"StartAt": "A", "States": {"A": {
                                  "Type": "Task", "Resource": "arn:aws:states:::emr-serverless:startJobRun.sync",
                                  "End": True, "Parameters": {"ApplicationId": "a"}}}},
                              {"StartAt": "Inner", "States": {"Inner": {
                                  "Type": "Map", "MaxConcurrency": 3, "End": True,
                                  "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED"},
                                                    "StartAt": "B", "States": {"B": {
                                                        "Type": "Task", "End": True,
                                                        "Resource": "arn:aws:states:::aws-sdk:emr:runJobFlow",
                                                        "Parameters": {"Name": "b"}}}}}}},
                              "not a branch",
                          ]}}}},
            "Notify": {"Type": "Task", "Resource": "arn:aws:states:::sns:publish", "End": True},
        },
    }
    write_tree(str(tmp_path), {"m.asl.json": json.dumps(definition, indent=2)})
    found = load_documents([str(tmp_path / "m.asl.json")], Sources(Boundary([str(tmp_path)]))).resources
    (machine,) = [r for r in found if isinstance(r, StateMachine)]
    by_name = {m.name: m for m in machine.maps}
    assert set(by_name) == {"Outer", "Inner"}
    inner, outer = by_name["Inner"], by_name["Outer"]
    assert inner.distributed and inner.limit() == 3 and inner.fanout() == 3
    assert [t.integration for t in inner.tasks] == ["aws-sdk:emr:runJobFlow"]
    # each outer iteration runs A and up to 3 inner clusters at once
    assert outer.mode == "INLINE" and outer.per_iteration == 4 and outer.fanout() == 16
    assert sorted(t.state for t in outer.tasks) == ["A", "B"]


def _machine(tmp_path, definition):
    from emrlint.documents.load import load_documents
    from emrlint.sources import Boundary, Sources

    write_tree(str(tmp_path), {"m.asl.json": json.dumps(definition, indent=2)})
    found = load_documents([str(tmp_path / "m.asl.json")], Sources(Boundary([str(tmp_path)]))).resources
    (machine,) = [r for r in found if isinstance(r, StateMachine)]
    return {m.name: m for m in machine.maps}


def _map(**fields):
    task = {"Type": "Task", "Resource": "arn:aws:states:::emr-serverless:startJobRun.sync", "End": True,
            "Parameters": {"ApplicationId": "a"}}
    state = {"Type": "Map", "End": True, "ItemProcessor": {"StartAt": "T", "States": {"T": task}}, **fields}
    return {"StartAt": "M", "States": {"M": state}}


@pytest.mark.parametrize("fields,limit,concurrency", [
    ({}, None, 40),  # inline: Step Functions runs at most 40 iterations at once
    ({"MaxConcurrency": 0}, None, 40),
    ({"MaxConcurrency": 100}, 100, 40),
    ({"MaxConcurrency": 7}, 7, 7),
    ({"Items": [1, 2, 3]}, None, 3),
    ({"MaxConcurrency": 2, "Items": [1, 2, 3]}, 2, 2),
])
def test_inline_map_concurrency(tmp_path, fields, limit, concurrency):
    fan = _machine(tmp_path, _map(**fields))["M"]
    assert (fan.limit(), fan.concurrency(), fan.fanout()) == (limit, concurrency, concurrency)


def test_distributed_map_without_limit_has_no_cap_and_run_time_limits_are_unknown(tmp_path):
    definition = _map()
    definition["States"]["M"]["ItemProcessor"]["ProcessorConfig"] = {"Mode": "DISTRIBUTED"}
    fan = _machine(tmp_path, definition)["M"]
    assert fan.distributed and fan.unbounded() and fan.concurrency() == float("inf")
    for fields in ({"MaxConcurrencyPath": "$.n"}, {"MaxConcurrency": "{% $states.input.n %}"},
                   {"MaxConcurrency": "five"}):
        fan = _machine(tmp_path, _map(**fields))["M"]
        assert isinstance(fan.limit(), Unknown) and not fan.unbounded()


def test_map_without_emr_work_is_not_listed(tmp_path):
    definition = _map()
    definition["States"]["M"]["ItemProcessor"]["States"]["T"]["Resource"] = (
        "arn:aws:states:::aws-sdk:emrserverless:getJobRun")
    assert _machine(tmp_path, definition) == {}


def test_max_emr_fanout_counts_literal_items_and_skips_outer_maps_of_unbounded_ones(tmp_path, monkeypatch):
    literal = _map(Items=[f"t{i}" for i in range(12)])
    outer = {"StartAt": "O", "States": {"O": {"Type": "Map", "MaxConcurrency": 10, "End": True,
                                              "ItemProcessor": _map()}}}
    files = {"literal.asl.json": json.dumps(literal, indent=2), "nested.asl.json": json.dumps(outer, indent=2)}
    monkeypatch.chdir(tmp_path)
    write_tree(str(tmp_path), files)
    got = [(f.resource, f.loc.line, f.message.split(" can have ")[0].split(" has ")[0])
           for f in run_scan(["."], select=["EMR114"], params={"EMR114": {"max_emr_fanout": 8}})]
    # the literal 12 items exceed 8; the outer Map of an unbounded one is left to the inner's finding
    assert sorted(got) == [("literal.asl.json", 4, 'Map state "M"'), ("nested.asl.json", 11, 'Map state "M"')]
    assert run_scan(["."], select=["EMR114"], params={"EMR114": {"max_emr_fanout": 12}})[0].resource == (
        "nested.asl.json")
