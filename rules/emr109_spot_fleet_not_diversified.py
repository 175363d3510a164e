"""An instance fleet with Spot capacity lists too few instance types, or no capacity-aware allocation strategy.

Spot capacity is reclaimed pool by pool (one instance type in one Availability Zone).
A fleet that can only use a handful of instance types is interrupted more often and
may not get its capacity at all when those pools run dry; AWS's guidance is to list at
least 10 instance types per workload. The allocation strategy decides which pools EMR
launches from: `price-capacity-optimized` (recommended) and `capacity-optimized` pick the
pools with the most spare capacity, while `lowest-price` and `diversified` ignore it, and
without an allocation strategy a fleet is also limited to 5 instance types.

## What fires

* an instance fleet (inline `master_instance_fleet`/`core_instance_fleet`,
  `aws_emr_instance_fleet`, CloudFormation `Instances.*InstanceFleet(s)` and
  `AWS::EMR::InstanceFleetConfig`, RunJobFlow `InstanceFleets`) with `target_spot_capacity`
  above 0 that lists fewer than `min_spot_instance_types` (default 5) `instance_type_configs`;
  the finding points at the fleet's block;
* the same fleet when `launch_specifications.spot_specification.allocation_strategy`
  (`LaunchSpecifications.SpotSpecification.AllocationStrategy`) is not `capacity-optimized`,
  `price-capacity-optimized` or `capacity-optimized-prioritized` (a capacity-optimized
  strategy that honours priorities), or is absent: the finding points at the value, or at
  the block that lacks it.

## What does not fire

* fleets without Spot capacity (`target_spot_capacity` absent or 0), or whose Spot capacity
  is unknown;
* a fleet that may not exist (a `dynamic` fleet block with an unknown `for_each`);
* the instance type count when any `instance_type_configs` block comes from a `dynamic`
  block with an unknown `for_each` (the count is unknown); the allocation strategy when it
  is unknown or when its `launch_specifications`/`spot_specification` block may not exist.

## How to fix

List more instance types of similar size (mix families, generations and Graviton/x86),
with `weighted_capacity` reflecting their size, and use `price-capacity-optimized`:

```hcl
launch_specifications {
  spot_specification {
    allocation_strategy      = "price-capacity-optimized"
    timeout_action           = "SWITCH_TO_ON_DEMAND"
    timeout_duration_minutes = 10
  }
}
```

## Failing example

```hcl
resource "aws_emr_instance_fleet" "task" {
  cluster_id           = "j-2AXXXXXXGAPLF"
  name                 = "spot-task"
  target_spot_capacity = 40

  instance_type_configs {
    instance_type     = "r6g.2xlarge"
    weighted_capacity = 8
  }

  instance_type_configs {
    instance_type     = "r5.2xlarge"
    weighted_capacity = 8
  }

  launch_specifications {
    spot_specification {
      allocation_strategy      = "lowest-price"
      timeout_action           = "SWITCH_TO_ON_DEMAND"
      timeout_duration_minutes = 10
    }
  }
}
```

## Passing example

```hcl
resource "aws_emr_instance_fleet" "task" {
  cluster_id           = "j-2AXXXXXXGAPLF"
  name                 = "spot-task"
  target_spot_capacity = 40

  dynamic "instance_type_configs" {
    for_each = ["r6g.2xlarge", "r6gd.2xlarge", "r5.2xlarge", "r5a.2xlarge", "r5d.2xlarge", "r6i.2xlarge"]
    content {
      instance_type     = instance_type_configs.value
      weighted_capacity = 8
    }
  }

  launch_specifications {
    spot_specification {
      allocation_strategy      = "price-capacity-optimized"
      timeout_action           = "SWITCH_TO_ON_DEMAND"
      timeout_duration_minutes = 10
    }
  }
}
```

## Failing example (CloudFormation)

```yaml
AWSTemplateFormatVersion: "2010-09-09"
Resources:
  SpotTaskFleet:
    Type: AWS::EMR::InstanceFleetConfig
    Properties:
      ClusterId: j-2AXXXXXXGAPLF
      InstanceFleetType: TASK
      Name: spot-task
      TargetSpotCapacity: 40
      InstanceTypeConfigs:
        - InstanceType: r6g.2xlarge
          WeightedCapacity: 8
      LaunchSpecifications:
        SpotSpecification:
          AllocationStrategy: capacity-optimized
          TimeoutAction: SWITCH_TO_ON_DEMAND
          TimeoutDurationMinutes: 10
```

## Passing example (CloudFormation)

```yaml
AWSTemplateFormatVersion: "2010-09-09"
Resources:
  SpotTaskFleet:
    Type: AWS::EMR::InstanceFleetConfig
    Properties:
      ClusterId: j-2AXXXXXXGAPLF
      InstanceFleetType: TASK
      Name: spot-task
      TargetSpotCapacity: 40
      InstanceTypeConfigs:
        - InstanceType: r6g.2xlarge
          WeightedCapacity: 8
        - InstanceType: r6gd.2xlarge
          WeightedCapacity: 8
        - InstanceType: r5.2xlarge
          WeightedCapacity: 8
        - InstanceType: r5a.2xlarge
          WeightedCapacity: 8
        - InstanceType: r6i.2xlarge
          WeightedCapacity: 8
      LaunchSpecifications:
        SpotSpecification:
          AllocationStrategy: price-capacity-optimized
          TimeoutAction: SWITCH_TO_ON_DEMAND
          TimeoutDurationMinutes: 10
```

## References

* [Planning and configuring instance fleets: allocation strategy](https://docs.aws.amazon.com/emr/latest/ManagementGuide/emr-instance-fleet.html)
* [Best practices for Amazon EC2 Spot: be flexible about instance types](https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/spot-best-practices.html)
* [Allocation strategies for Spot Instances](https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/spot-allocation-strategy.html)
"""

from emrlint.model import InstanceFleet, known_number
from emrlint.rulekit import Param, Problem, quote
from emrlint.values import Unknown

ID = "EMR109"
NAME = "spot-fleet-not-diversified"
SEVERITY = "warning"
KIND = ("cluster", "instance_fleet")
PARAMS = {
    "min_spot_instance_types": Param(
        "integer", 5,
        "Fewest instance types a fleet with Spot capacity may list (AWS's guidance is at least 10 per workload).",
        minimum=1, maximum=30, accepted="1 to 30 (a fleet lists at most 30 instance types)",
    ),
}

CAPACITY_AWARE = ("price-capacity-optimized", "capacity-optimized", "capacity-optimized-prioritized")
_DOCUMENT_FORMATS = ("cloudformation", "run-job-flow", "stepfunctions")


def _names(res):
    if res.source_format in _DOCUMENT_FORMATS:
        return {"configs": "InstanceTypeConfigs",
                "strategy": "LaunchSpecifications.SpotSpecification.AllocationStrategy",
                "example": "AllocationStrategy: price-capacity-optimized"}
    return {"configs": "instance_type_configs",
            "strategy": "launch_specifications.spot_specification.allocation_strategy",
            "example": 'allocation_strategy = "price-capacity-optimized"'}


def _fleet(res, fleet, ctx, inline):
    section = fleet.section
    if section.maybe or getattr(section, "unknown", False):
        return
    spot_v = section.field("target_spot_capacity").value
    if spot_v is None or isinstance(spot_v, Unknown):
        return
    spot = known_number(spot_v)
    if spot is None or spot <= 0:
        return
    names = _names(res)
    prefix = ""
    if inline:
        name = section.field("name").value
        if fleet.role == "task":  # CloudFormation and RunJobFlow may have several inline task fleets
            index = [f.section for f in res.instance_fleets if f.role == "task" and not f.address].index(section)
            prefix = f"task_instance_fleet[{name if isinstance(name, str) and name else index}]."
        else:
            prefix = f"{fleet.role}_instance_fleet."
    name_v = section.field("name").value
    named = f' "{name_v}"' if isinstance(name_v, str) and name_v else ""
    label = f"{fleet.role.capitalize()} instance fleet{named} with {spot:g} Spot units"

    minimum = known_number(ctx.params.get("min_spot_instance_types"))
    configs = section.sections("instance_type_configs")
    counted = not any(c.maybe or getattr(c, "unknown", False) for c in configs)
    if minimum is not None and counted and len(configs) < minimum:
        count = len(configs)
        yield Problem(
            section.blocks_origin("instance_type_configs") or section.loc,  # the list that must grow
            f"{label} lists {count} instance type{'s' if count != 1 else ''}, fewer than {minimum:g}; with few Spot "
            "pools to draw from, the fleet is interrupted more often and may not get its capacity. "
            f"Add {names['configs']} of similar size from other families and generations (AWS suggests at least 10).",
            key=f"{prefix}instance_type_configs",
        )

    launch = section.sections("launch_specifications")
    if any(s.maybe or getattr(s, "unknown", False) for s in launch):
        return
    spot_specs = launch[0].sections("spot_specification") if launch else []
    if any(s.maybe or getattr(s, "unknown", False) for s in spot_specs):
        return
    why = "so EMR does not favour the Spot pools with the most spare capacity and interruptions are more likely. Set"
    if not spot_specs:
        where = launch[0].loc if launch else section.loc
        yield Problem(
            where,
            f"{label} has no Spot allocation strategy ({names['strategy']}), {why} {names['example']} "
            "(or capacity-optimized).",
            key=f"{prefix}launch_specifications.spot_specification.allocation_strategy",
        )
        return
    strategy = spot_specs[0].field("allocation_strategy")
    value = strategy.value
    if isinstance(value, Unknown):
        return
    if value is None:
        yield Problem(
            strategy.loc,
            f"{label} has no Spot allocation strategy ({names['strategy']}), {why} {names['example']} "
            "(or capacity-optimized).",
            key=f"{prefix}launch_specifications.spot_specification.allocation_strategy",
        )
        return
    if isinstance(value, str) and value.strip().lower() in CAPACITY_AWARE:
        return
    shown = quote(value)
    yield Problem(
        strategy.origin,
        f"{label} uses the Spot allocation strategy {shown}, {why} "
        f"{names['example']} (or capacity-optimized).",
        key=f"{prefix}launch_specifications.spot_specification.allocation_strategy",
    )


def check(res, ctx):
    if res.kind == "instance_fleet":
        yield from _fleet(res, InstanceFleet("task", res.body), ctx, inline=False)
        return
    for fleet in getattr(res, "instance_fleets", []):
        if fleet.address:
            continue  # a separate aws_emr_instance_fleet / AWS::EMR::InstanceFleetConfig: checked on its own
        yield from _fleet(res, fleet, ctx, inline=True)
