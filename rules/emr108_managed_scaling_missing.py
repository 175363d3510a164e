"""A long-running EMR cluster has no managed scaling and no automatic scaling policy.

A cluster that stays up between jobs (see EMR103) is sized for its busiest hour but pays
for that size all day. EMR managed scaling adds and removes core and task capacity
between the `compute_limits` you set, following the cluster's YARN load; an automatic
scaling policy (`autoscaling_policy` on an instance group) does the same with CloudWatch
rules. Without either, the cluster's cost never follows its load.

## What fires

* a long-running cluster (`keep_job_flow_alive_when_no_steps` true or absent in
  Terraform and CloudFormation, `Instances.KeepJobFlowAliveWhenNoSteps: true` in a
  RunJobFlow request, a create-cluster document without `AutoTerminate`) with core or task
  capacity, that has neither a managed scaling policy (an `aws_emr_managed_scaling_policy`
  whose `cluster_id` refers to it, or an inline CloudFormation/RunJobFlow
  `ManagedScalingPolicy`) nor an `autoscaling_policy`/`AutoScalingPolicy` on any core or task
  instance group (inline, `aws_emr_instance_group`, `AWS::EMR::InstanceGroupConfig`).

## What does not fire

* transient clusters (they terminate when their steps are done);
* single-node clusters (no core or task capacity to scale);
* a cluster that may have scaling the scan cannot prove absent: an
  `aws_emr_managed_scaling_policy` or instance group whose `cluster_id` cannot be
  evaluated, an `autoscaling_policy` whose value is unknown, a managed scaling policy that
  may not exist (`count` unknown), an unknown `keep_job_flow_alive_when_no_steps`.

## How to fix

Attach a managed scaling policy, sized so the cluster shrinks to its minimum when idle:

```hcl
resource "aws_emr_managed_scaling_policy" "analytics" {
  cluster_id = aws_emr_cluster.analytics.id

  compute_limits {
    unit_type              = "Instances"
    minimum_capacity_units = 2
    maximum_capacity_units = 20
  }
}
```

## Failing example

```hcl
resource "aws_emr_cluster" "analytics" {
  name          = "analytics-shared"
  release_label = "emr-7.1.0"
  applications  = ["Spark", "Hive"]
  service_role  = "EMR_DefaultRole"
  log_uri       = "s3://acme-emr-logs/analytics-shared/"

  auto_termination_policy {
    idle_timeout = 3600
  }

  master_instance_group {
    instance_type = "m6g.xlarge"
  }

  core_instance_group {
    instance_type  = "r6g.2xlarge"
    instance_count = 10
  }
}
```

## Passing example

```hcl
resource "aws_emr_cluster" "analytics" {
  name          = "analytics-shared"
  release_label = "emr-7.1.0"
  applications  = ["Spark", "Hive"]
  service_role  = "EMR_DefaultRole"
  log_uri       = "s3://acme-emr-logs/analytics-shared/"

  auto_termination_policy {
    idle_timeout = 3600
  }

  master_instance_group {
    instance_type = "m6g.xlarge"
  }

  core_instance_group {
    instance_type  = "r6g.2xlarge"
    instance_count = 2
  }
}

resource "aws_emr_managed_scaling_policy" "analytics" {
  cluster_id = aws_emr_cluster.analytics.id

  compute_limits {
    unit_type              = "Instances"
    minimum_capacity_units = 2
    maximum_capacity_units = 10
  }
}
```

## Failing example (CloudFormation)

```yaml
AWSTemplateFormatVersion: "2010-09-09"
Resources:
  SharedCluster:
    Type: AWS::EMR::Cluster
    Properties:
      Name: analytics-shared
      ReleaseLabel: emr-7.1.0
      JobFlowRole: EMR_EC2_DefaultRole
      ServiceRole: EMR_DefaultRole
      AutoTerminationPolicy:
        IdleTimeout: 3600
      Instances:
        MasterInstanceGroup:
          InstanceCount: 1
          InstanceType: m6g.xlarge
        CoreInstanceGroup:
          InstanceCount: 10
          InstanceType: r6g.2xlarge
```

## Passing example (CloudFormation)

```yaml
AWSTemplateFormatVersion: "2010-09-09"
Resources:
  SharedCluster:
    Type: AWS::EMR::Cluster
    Properties:
      Name: analytics-shared
      ReleaseLabel: emr-7.1.0
      JobFlowRole: EMR_EC2_DefaultRole
      ServiceRole: EMR_DefaultRole
      AutoTerminationPolicy:
        IdleTimeout: 3600
      ManagedScalingPolicy:
        ComputeLimits:
          UnitType: Instances
          MinimumCapacityUnits: 2
          MaximumCapacityUnits: 10
      Instances:
        MasterInstanceGroup:
          InstanceCount: 1
          InstanceType: m6g.xlarge
        CoreInstanceGroup:
          InstanceCount: 2
          InstanceType: r6g.2xlarge
```

## References

* [Using managed scaling in Amazon EMR](https://docs.aws.amazon.com/emr/latest/ManagementGuide/emr-managed-scaling.html)
* [Using automatic scaling with a custom policy for instance groups](https://docs.aws.amazon.com/emr/latest/ManagementGuide/emr-automatic-scaling.html)
* [Terraform `aws_emr_managed_scaling_policy`](https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/emr_managed_scaling_policy)
"""

from emrlint.rulekit import Problem
from emrlint.rules._capacity import has_scalable_capacity, keep_alive_reason, may_scale, spell, stays_alive

ID = "EMR108"
NAME = "managed-scaling-missing"
SEVERITY = "info"
KIND = "cluster"


def check(cluster, ctx):
    if stays_alive(cluster) is not True:
        return
    if not has_scalable_capacity(cluster) or may_scale(cluster, ctx.model):
        return
    if spell(cluster, "tf", "doc") == "doc":
        fix = ("Add a ManagedScalingPolicy with ComputeLimits (MinimumCapacityUnits for idle hours, "
               "MaximumCapacityUnits for the peak)")
    else:
        fix = ("Attach an aws_emr_managed_scaling_policy with compute_limits (minimum_capacity_units for idle hours, "
               "maximum_capacity_units for the peak)")
    yield Problem(
        cluster.loc,
        f"Long-running cluster ({keep_alive_reason(cluster)}) has no managed scaling policy and no autoscaling "
        f"policy on its instance groups; it pays for its peak size even when idle. {fix}.",
        key="managed_scaling_policy",
    )
