"""A managed scaling policy lets every unit of scale-out be On-Demand on a cluster built for Spot.

A cluster with Spot task capacity is meant to absorb bursts cheaply. But managed scaling
splits new capacity between On-Demand and Spot only at `maximum_ondemand_capacity_units`:
it scales On-Demand instances until that limit and adds the rest on Spot (EMR management
guide, "Understanding node allocation strategy and scenarios"). Without the limit, or with
it not below `maximum_capacity_units`, nothing stops a burst from being served entirely by
On-Demand instances, at several times the Spot price, while the Spot capacity the cluster
was designed around is never used for scale-out.

## What fires

* a managed scaling policy (`aws_emr_managed_scaling_policy.compute_limits`, the inline
  CloudFormation or RunJobFlow `ManagedScalingPolicy.ComputeLimits`) whose
  `maximum_capacity_units` is above its `minimum_capacity_units`, with
  `maximum_ondemand_capacity_units` / `MaximumOnDemandCapacityUnits` absent or not below
  `maximum_capacity_units`, on a cluster that has Spot capacity (a core or task instance
  group with a `bid_price` or `Market: SPOT`, or an instance fleet with
  `target_spot_capacity` above 0, attached groups and fleets included). The finding points at
  `maximum_ondemand_capacity_units` when it is written, else at the `compute_limits` block.

## What does not fire

* clusters without Spot capacity (EMR102 reports those), and clusters whose Spot capacity
  cannot be known (a `bid_price` from a variable without a value, a group attached through
  a `cluster_id` that cannot be evaluated);
* a policy attached to a cluster outside the scan (`cluster_id` a literal ID) or to
  clusters it may or may not be attached to;
* a policy with `minimum_capacity_units` equal to `maximum_capacity_units` (nothing scales
  out), limits emrlint cannot evaluate, and a policy without `compute_limits`.

## How to fix

Cap On-Demand units at the capacity that must not be interrupted (typically the core nodes)
so that scale-out above it runs on Spot:

```hcl
compute_limits {
  unit_type                       = "InstanceFleetUnits"
  minimum_capacity_units          = 4
  maximum_capacity_units          = 120
  maximum_core_capacity_units     = 8
  maximum_ondemand_capacity_units = 8
}
```

## Failing example

```hcl
resource "aws_emr_cluster" "events" {
  name          = "events"
  release_label = "emr-7.2.0"
  service_role  = "EMR_DefaultRole"

  master_instance_fleet {
    target_on_demand_capacity = 1
    instance_type_configs {
      instance_type = "m7g.xlarge"
    }
  }

  core_instance_fleet {
    target_on_demand_capacity = 4
    instance_type_configs {
      instance_type = "r7g.2xlarge"
    }
  }

  task_instance_fleet {
    target_spot_capacity = 8
    instance_type_configs {
      instance_type = "r7g.2xlarge"
    }
    instance_type_configs {
      instance_type = "r6g.2xlarge"
    }
  }
}

resource "aws_emr_managed_scaling_policy" "events" {
  cluster_id = aws_emr_cluster.events.id

  compute_limits {
    unit_type                   = "InstanceFleetUnits"
    minimum_capacity_units      = 4
    maximum_capacity_units      = 64
    maximum_core_capacity_units = 4
  }
}
```

## Passing example

```hcl
resource "aws_emr_cluster" "events" {
  name          = "events"
  release_label = "emr-7.2.0"
  service_role  = "EMR_DefaultRole"

  master_instance_fleet {
    target_on_demand_capacity = 1
    instance_type_configs {
      instance_type = "m7g.xlarge"
    }
  }

  core_instance_fleet {
    target_on_demand_capacity = 4
    instance_type_configs {
      instance_type = "r7g.2xlarge"
    }
  }

  task_instance_fleet {
    target_spot_capacity = 8
    instance_type_configs {
      instance_type = "r7g.2xlarge"
    }
    instance_type_configs {
      instance_type = "r6g.2xlarge"
    }
  }
}

resource "aws_emr_managed_scaling_policy" "events" {
  cluster_id = aws_emr_cluster.events.id

  compute_limits {
    unit_type                       = "InstanceFleetUnits"
    minimum_capacity_units          = 4
    maximum_capacity_units          = 64
    maximum_core_capacity_units     = 4
    maximum_ondemand_capacity_units = 4
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
          MaximumCoreCapacityUnits: 2
          MaximumOnDemandCapacityUnits: 40
      Instances:
        MasterInstanceGroup:
          InstanceCount: 1
          InstanceType: m7g.xlarge
        CoreInstanceGroup:
          InstanceCount: 2
          InstanceType: r7g.2xlarge
        TaskInstanceGroups:
          - Name: spot-task
            InstanceCount: 4
            InstanceType: r7g.2xlarge
            Market: SPOT
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
          MaximumCoreCapacityUnits: 2
          MaximumOnDemandCapacityUnits: 2
      Instances:
        MasterInstanceGroup:
          InstanceCount: 1
          InstanceType: m7g.xlarge
        CoreInstanceGroup:
          InstanceCount: 2
          InstanceType: r7g.2xlarge
        TaskInstanceGroups:
          - Name: spot-task
            InstanceCount: 4
            InstanceType: r7g.2xlarge
            Market: SPOT
```

## References

* [Understanding node allocation strategy and scenarios](https://docs.aws.amazon.com/emr/latest/ManagementGuide/managed-scaling-allocation-strategy.html)
* [Using managed scaling in Amazon EMR](https://docs.aws.amazon.com/emr/latest/ManagementGuide/emr-managed-scaling.html)
* [ComputeLimits (EMR API reference)](https://docs.aws.amazon.com/emr/latest/APIReference/API_ComputeLimits.html)
"""

from emrlint.model import limits_field, scaling_policies
from emrlint.rulekit import Problem
from emrlint.rules._capacity import spell
from emrlint.rules._instance_config import show_number

ID = "EMR116"
NAME = "managed-scaling-on-demand-not-capped"
SEVERITY = "warning"
KIND = ("cluster", "managed_scaling_policy")


def _has_spot(res, ctx) -> bool:
    """The policy's cluster certainly has Spot capacity: the cluster itself for an inline policy;
    for an attached policy, every cluster its cluster_id certainly refers to (and no other)."""
    if res.kind == "cluster":
        return res.spot_capacity() is True
    cluster_id = res.field("cluster_id").value
    if isinstance(cluster_id, str):
        return False  # a cluster outside the scan
    exact, possible = ctx.model.find(cluster_id, "cluster", res.root)
    return bool(exact) and not possible and all(c.spot_capacity() is True for c in exact)


def check(res, ctx):
    od_name = spell(res, "maximum_ondemand_capacity_units", "MaximumOnDemandCapacityUnits")
    max_name = spell(res, "maximum_capacity_units", "MaximumCapacityUnits")
    for policy in scaling_policies(res):
        if not policy.uncapped("maximum_ondemand_capacity_units") or not _has_spot(res, ctx):
            continue  # capped, min = max, limits that cannot be evaluated, or no Spot capacity
        high = policy.limit("maximum_capacity_units")
        on_demand = policy.limit("maximum_ondemand_capacity_units")
        f = limits_field(policy, "maximum_ondemand_capacity_units")
        how = (f"{od_name} is {show_number(on_demand)}, not below {max_name} {show_number(high)}"
               if on_demand is not None else f"{od_name} is not set")
        yield Problem(
            f.loc,
            f"Managed scaling may serve all scale-out up to {show_number(high)} units with On-Demand instances ({how}) "
            "although the cluster has Spot capacity: bursts run at several times the Spot price. Set "
            f"{od_name} to the capacity that must stay On-Demand (usually the core nodes) so scale-out above it runs "
            "on Spot.",
            key=("" if policy.address else "managed_scaling_policy.") + "compute_limits.maximum_ondemand_capacity_units",
        )
