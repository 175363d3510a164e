"""A managed scaling policy lets core nodes scale with the load instead of keeping them fixed.

Core nodes run HDFS DataNodes; task nodes only compute. When managed scaling may add and
remove core nodes, every scale-in has to wait for HDFS to decommission the node (copy its
blocks to the others), which is slow and often stalls, and the shuffle and HDFS data on
removed nodes is lost or must be recomputed. Without `maximum_core_capacity_units`, or with
it not below `maximum_capacity_units`, EMR scales core nodes first, up to the whole maximum
(EMR management guide, "Understanding node allocation strategy and scenarios": core nodes
scale until `MaximumCoreCapacityUnits`, the rest is added as task nodes). The usual
configuration for bursty loads keeps core capacity small and fixed and lets task capacity
(often on Spot) follow the load.

## What fires

* a managed scaling policy (`aws_emr_managed_scaling_policy.compute_limits`, the inline
  CloudFormation or RunJobFlow `ManagedScalingPolicy.ComputeLimits`) whose
  `maximum_capacity_units` is above its `minimum_capacity_units`, with
  `maximum_core_capacity_units` / `MaximumCoreCapacityUnits` absent or not below
  `maximum_capacity_units`. The finding points at `maximum_core_capacity_units` when it is
  written, else at the `compute_limits` block.

## What does not fire

* a policy with `minimum_capacity_units` equal to `maximum_capacity_units` (the cluster does
  not scale);
* limits emrlint cannot evaluate (a variable without a value, a `!Ref` to a parameter without
  `Default`, a `compute_limits` block that may not exist), and a policy without
  `compute_limits`;
* `maximum_core_capacity_units` below `maximum_capacity_units`, whatever its value.

## How to fix

Cap the core nodes at the HDFS capacity the jobs need and let the rest be task capacity:

```hcl
compute_limits {
  unit_type                   = "Instances"
  minimum_capacity_units      = 2
  maximum_capacity_units      = 40
  maximum_core_capacity_units = 2
}
```

## Failing example

```hcl
resource "aws_emr_managed_scaling_policy" "events" {
  cluster_id = aws_emr_cluster.events.id

  compute_limits {
    unit_type              = "Instances"
    minimum_capacity_units = 2
    maximum_capacity_units = 40
  }
}

resource "aws_emr_cluster" "events" {
  name          = "events"
  release_label = "emr-7.2.0"
  service_role  = "EMR_DefaultRole"

  master_instance_group {
    instance_type = "m7g.xlarge"
  }

  core_instance_group {
    instance_type  = "r7g.2xlarge"
    instance_count = 2
  }
}
```

## Passing example

```hcl
resource "aws_emr_managed_scaling_policy" "events" {
  cluster_id = aws_emr_cluster.events.id

  compute_limits {
    unit_type                   = "Instances"
    minimum_capacity_units      = 2
    maximum_capacity_units      = 40
    maximum_core_capacity_units = 2
  }
}

resource "aws_emr_cluster" "events" {
  name          = "events"
  release_label = "emr-7.2.0"
  service_role  = "EMR_DefaultRole"

  master_instance_group {
    instance_type = "m7g.xlarge"
  }

  core_instance_group {
    instance_type  = "r7g.2xlarge"
    instance_count = 2
  }
}
```

## Failing example (CloudFormation)

```yaml
Resources:
  EventsCluster:
    Type: AWS::EMR::Cluster
    Properties:
      Name: events
      ReleaseLabel: emr-7.2.0
      JobFlowRole: EMR_EC2_DefaultRole
      ServiceRole: EMR_DefaultRole
      ManagedScalingPolicy:
        ComputeLimits:
          UnitType: Instances
          MinimumCapacityUnits: 2
          MaximumCapacityUnits: 40
          MaximumCoreCapacityUnits: 40
      Instances:
        MasterInstanceGroup:
          InstanceCount: 1
          InstanceType: m7g.xlarge
        CoreInstanceGroup:
          InstanceCount: 2
          InstanceType: r7g.2xlarge
```

## Passing example (CloudFormation)

```yaml
Resources:
  EventsCluster:
    Type: AWS::EMR::Cluster
    Properties:
      Name: events
      ReleaseLabel: emr-7.2.0
      JobFlowRole: EMR_EC2_DefaultRole
      ServiceRole: EMR_DefaultRole
      ManagedScalingPolicy:
        ComputeLimits:
          UnitType: Instances
          MinimumCapacityUnits: 2
          MaximumCapacityUnits: 40
          MaximumCoreCapacityUnits: 4
      Instances:
        MasterInstanceGroup:
          InstanceCount: 1
          InstanceType: m7g.xlarge
        CoreInstanceGroup:
          InstanceCount: 2
          InstanceType: r7g.2xlarge
```

## References

* [Using managed scaling in Amazon EMR](https://docs.aws.amazon.com/emr/latest/ManagementGuide/emr-managed-scaling.html)
* [Understanding node allocation strategy and scenarios](https://docs.aws.amazon.com/emr/latest/ManagementGuide/managed-scaling-allocation-strategy.html)
* [ComputeLimits (EMR API reference)](https://docs.aws.amazon.com/emr/latest/APIReference/API_ComputeLimits.html)
* [Terraform `aws_emr_managed_scaling_policy`](https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/emr_managed_scaling_policy)
"""

from emrlint.model import limits_field, scaling_policies
from emrlint.rulekit import Problem
from emrlint.rules._capacity import spell
from emrlint.rules._instance_config import show_number

ID = "EMR115"
NAME = "managed-scaling-core-not-capped"
SEVERITY = "info"
KIND = ("cluster", "managed_scaling_policy")


def check(res, ctx):
    core_name = spell(res, "maximum_core_capacity_units", "MaximumCoreCapacityUnits")
    max_name = spell(res, "maximum_capacity_units", "MaximumCapacityUnits")
    for policy in scaling_policies(res):
        if not policy.uncapped("maximum_core_capacity_units"):
            continue  # capped, min = max, or limits that cannot be evaluated
        high = policy.limit("maximum_capacity_units")
        core = policy.limit("maximum_core_capacity_units")
        f = limits_field(policy, "maximum_core_capacity_units")
        how = (f"{core_name} is {show_number(core)}, not below {max_name} {show_number(high)}" if core is not None
               else f"{core_name} is not set")
        yield Problem(
            f.loc,
            f"Managed scaling may grow core nodes up to {show_number(high)} units ({how}): core nodes hold HDFS, so "
            "every scale-in waits on HDFS decommissioning and loses the node's shuffle and HDFS data. Set "
            f"{core_name} to the fixed core capacity the jobs need and let task capacity scale.",
            key=("" if policy.address else "managed_scaling_policy.") + "compute_limits.maximum_core_capacity_units",
        )
