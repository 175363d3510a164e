"""Questions the model answers for rules, the cost estimator and policies alike: does a cluster
have Spot capacity, what do its managed scaling policies allow, does an EMR Serverless
application queue job runs."""

from __future__ import annotations

import pytest

from emrlint.model import Cluster, job_queue, scaling_policies
from emrlint.values import Unknown

from test_links import model_of


def _model(tmp_path, monkeypatch, files):
    monkeypatch.chdir(tmp_path)
    return model_of(tmp_path, files)


CLUSTER = '''
variable "bid" {
  type = string
}

resource "aws_emr_cluster" "c" {
  name          = "c"
  release_label = "emr-7.2.0"
  service_role  = "EMR_DefaultRole"
  master_instance_group {
    instance_type = "m7g.xlarge"
  }
  core_instance_group {
    instance_type  = "r7g.xlarge"
    instance_count = 2
  }
}
'''


@pytest.mark.parametrize("task,expected", [
    ("", False),
    ('resource "aws_emr_instance_group" "t" {\n  cluster_id = aws_emr_cluster.c.id\n  instance_type = "r7g.xlarge"\n'
     '  bid_price = "0.2"\n}\n', True),
    ('resource "aws_emr_instance_group" "t" {\n  cluster_id = aws_emr_cluster.c.id\n  instance_type = "r7g.xlarge"\n'
     '  bid_price = var.bid\n}\n', Unknown),
])
def test_spot_capacity(tmp_path, monkeypatch, task, expected):
    model = _model(tmp_path, monkeypatch, {"main.tf": CLUSTER + task})
    (cluster,) = [r for r in model.resources if isinstance(r, Cluster)]
    got = cluster.spot_capacity()
    assert isinstance(got, Unknown) if expected is Unknown else got is expected


def test_scaling_policies_inline_and_attached(tmp_path, monkeypatch):
    policy = '''
resource "aws_emr_managed_scaling_policy" "p" {
  cluster_id = aws_emr_cluster.c.id
  compute_limits {
    unit_type                       = "Instances"
    minimum_capacity_units          = 2
    maximum_capacity_units          = 20
    maximum_ondemand_capacity_units = "20"
    maximum_core_capacity_units     = var.core
  }
}

variable "core" {
  type = number
}
'''
    model = _model(tmp_path, monkeypatch, {"main.tf": CLUSTER + policy})
    (cluster,) = [r for r in model.resources if isinstance(r, Cluster)]
    (attached,) = cluster.scaling_policies
    assert attached.address == "aws_emr_managed_scaling_policy.p"
    assert scaling_policies(cluster) == []  # attached policies are checked at their own resource
    (own,) = scaling_policies(model.of_kind("managed_scaling_policy")[0])
    assert own.scales() is True and own.limit("maximum_capacity_units") == 20
    assert own.uncapped("maximum_ondemand_capacity_units")  # "20" is not below 20
    assert not own.uncapped("maximum_core_capacity_units")  # unknown: not proven uncapped
    assert [s.field("maximum_capacity_units").value for s in cluster.managed_scaling] == [20]


@pytest.mark.parametrize("label,block,state,runs", [
    ("emr-6.15.0", "", "unsupported", None),
    ("emr-7.1.0", "", "off", None),
    ("emr-7.1.0", "scheduler_configuration {}", "on", 15),
    ("emr-7.1.0", "scheduler_configuration {\n max_concurrent_runs = 40\n}", "on", 40),
    ("emr-7.3.0", "", "on", 15),
    ("emr-8.0.0", "", "on", 15),  # newer than the release table: thresholds still apply
    ("emr-7.x", "", None, None),
])
def test_job_queue(tmp_path, monkeypatch, label, block, state, runs):
    app = f'''
resource "aws_emrserverless_application" "a" {{
  name          = "a"
  release_label = "{label}"
  type          = "spark"
  {block}
}}
'''
    model = _model(tmp_path, monkeypatch, {"main.tf": app})
    queue = job_queue(model.of_kind("serverless_application")[0])
    assert (queue.state, queue.max_runs) == (state, runs)


CORE_GROUP = '''
resource "aws_emr_cluster" "c" {
  name          = "c"
  release_label = "emr-7.2.0"
  service_role  = "EMR_DefaultRole"
  core_instance_group {
    instance_type  = "r7g.xlarge"
    instance_count = 5
    %s
  }
}
'''
CORE_FLEET = '''
resource "aws_emr_cluster" "c" {
  name          = "c"
  release_label = "emr-7.2.0"
  service_role  = "EMR_DefaultRole"
  core_instance_fleet {
    target_on_demand_capacity = 8
    target_spot_capacity      = 4
    instance_type_configs {
      instance_type     = "r7g.xlarge"
      weighted_capacity = 2
    }
    instance_type_configs {
      instance_type     = "r7g.2xlarge"
      weighted_capacity = 4
    }
  }
}
'''
POLICY = '''
resource "aws_emr_managed_scaling_policy" "p" {
  cluster_id = aws_emr_cluster.c.id
  compute_limits {
    unit_type              = "%s"
    minimum_capacity_units = %s
    maximum_capacity_units = 40
    %s
  }
}
'''


@pytest.mark.parametrize("files,expected", [
    (CORE_GROUP % "", (5, "instance_count")),
    (CORE_GROUP % 'autoscaling_policy = jsonencode({Constraints = {MinCapacity = 2, MaxCapacity = 9}, Rules = []})',
     (2, "automatic scaling")),
    (CORE_GROUP % "" + POLICY % ("Instances", 3, ""), (3, "managed scaling")),
    (CORE_GROUP % "" + POLICY % ("Instances", 3, "maximum_core_capacity_units = 2"), (2, "managed scaling")),
    (CORE_GROUP % "" + POLICY % ("Instances", 8, ""), (5, "instance_count")),
    (CORE_GROUP % "" + POLICY % ("VCPU", 8, ""), None),  # vCPU limits need the instance sizes
    (CORE_GROUP % "" + POLICY % ("Instances", "var.min", "") + 'variable "min" {\n  type = number\n}\n', None),
    (CORE_FLEET, (3, "target capacity")),  # 12 units, at most 4 per instance
    (CORE_FLEET + POLICY % ("InstanceFleetUnits", 6, ""), (2, "managed scaling")),
])
def test_core_lower_bound(tmp_path, monkeypatch, files, expected):
    model = _model(tmp_path, monkeypatch, {"main.tf": files})
    (cluster,) = [r for r in model.resources if isinstance(r, Cluster)]
    bound = cluster.core_lower_bound()
    assert (None if bound is None else (bound.count, bound.reason)) == expected
