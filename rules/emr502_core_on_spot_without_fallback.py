"""Core capacity runs on Spot without an On-Demand fallback.

Core nodes run the HDFS DataNodes and hold shuffle and cached data. Losing core nodes
to Spot interruptions loses HDFS blocks and forces Spark to recompute whole stages;
with instance groups, a core group that cannot get Spot capacity leaves the cluster
without the nodes it needs. Instance fleets can at least fall back: with
`timeout_action = "SWITCH_TO_ON_DEMAND"` EMR provisions On-Demand instances for the
Spot units it could not get within the provisioning timeout, while
`TERMINATE_CLUSTER` gives up and terminates the cluster.

## What fires

* a core instance group on Spot: `bid_price` set (Terraform `core_instance_group`,
  CloudFormation `CoreInstanceGroup.BidPrice`, RunJobFlow/Step Functions
  `InstanceRole: CORE`) or `Market: SPOT` (at that attribute);
* a core instance fleet with `target_spot_capacity` above 0 whose
  `launch_specifications.spot_specification.timeout_action` is not
  `SWITCH_TO_ON_DEMAND` (at the `timeout_action` value);
* a core instance fleet with `target_spot_capacity` above 0 and no
  `spot_specification` at all (at the fleet block, or at `launch_specifications` when
  only the Spot specification is missing). The EMR API reference does not document a
  default timeout action for a fleet without `SpotSpecification`, and nothing opts it
  into the On-Demand fallback, so emrlint treats it as having none. (Some guides say
  EMR then behaves as `TERMINATE_CLUSTER`; the API reference does not say so, and this
  rule does not depend on it: either way there is no fallback.)

## What does not fire

* core capacity On-Demand (`bid_price` absent, null or `""`, `target_spot_capacity`
  0 or absent); Spot on task nodes (the recommended place for Spot);
* a `timeout_action`, `bid_price`, `Market` or `target_spot_capacity` emrlint cannot
  evaluate (unknown is never bad);
* a fleet whose `launch_specifications`/`spot_specification` comes from a `dynamic`
  block with an unknown `for_each` (it may hold the fallback), unless the block it
  would produce provably sets another action.

The primary node on Spot is EMR501.

## How to fix

Keep core capacity On-Demand and add Spot capacity on task nodes. If core nodes must
use Spot, use an instance fleet with an On-Demand fallback:

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
resource "aws_emr_cluster" "spark" {
  name          = "clickstream"
  release_label = "emr-7.1.0"
  service_role  = "EMR_DefaultRole"
  log_uri       = "s3://acme-emr-logs/clickstream/"

  master_instance_fleet {
    target_on_demand_capacity = 1
    instance_type_configs {
      instance_type = "m6g.xlarge"
    }
  }

  core_instance_fleet {
    target_spot_capacity = 8
    instance_type_configs {
      instance_type = "r6g.2xlarge"
    }
    launch_specifications {
      spot_specification {
        allocation_strategy      = "price-capacity-optimized"
        timeout_action           = "TERMINATE_CLUSTER"
        timeout_duration_minutes = 10
      }
    }
  }
}
```

## Passing example

```hcl
resource "aws_emr_cluster" "spark" {
  name          = "clickstream"
  release_label = "emr-7.1.0"
  service_role  = "EMR_DefaultRole"
  log_uri       = "s3://acme-emr-logs/clickstream/"

  master_instance_fleet {
    target_on_demand_capacity = 1
    instance_type_configs {
      instance_type = "m6g.xlarge"
    }
  }

  core_instance_fleet {
    target_spot_capacity = 8
    instance_type_configs {
      instance_type = "r6g.2xlarge"
    }
    launch_specifications {
      spot_specification {
        allocation_strategy      = "price-capacity-optimized"
        timeout_action           = "SWITCH_TO_ON_DEMAND"
        timeout_duration_minutes = 10
      }
    }
  }
}
```

## Failing example (CloudFormation)

```yaml
Resources:
  Cluster:
    Type: AWS::EMR::Cluster
    Properties:
      Name: clickstream
      ReleaseLabel: emr-7.1.0
      JobFlowRole: EMR_EC2_DefaultRole
      ServiceRole: EMR_DefaultRole
      Instances:
        MasterInstanceGroup:
          InstanceCount: 1
          InstanceType: m6g.xlarge
          Market: ON_DEMAND
        CoreInstanceGroup:
          InstanceCount: 4
          InstanceType: r6g.2xlarge
          Market: SPOT
          BidPrice: "0.25"
```

## Passing example (CloudFormation)

```yaml
Resources:
  Cluster:
    Type: AWS::EMR::Cluster
    Properties:
      Name: clickstream
      ReleaseLabel: emr-7.1.0
      JobFlowRole: EMR_EC2_DefaultRole
      ServiceRole: EMR_DefaultRole
      Instances:
        MasterInstanceGroup:
          InstanceCount: 1
          InstanceType: m6g.xlarge
          Market: ON_DEMAND
        CoreInstanceGroup:
          InstanceCount: 4
          InstanceType: r6g.2xlarge
          Market: ON_DEMAND
        TaskInstanceGroups:
          - Name: spot-task
            InstanceCount: 8
            InstanceType: r6g.2xlarge
            Market: SPOT
            BidPrice: "0.25"
```

## References

* [Instance purchasing options: core nodes and Spot](https://docs.aws.amazon.com/emr/latest/ManagementGuide/emr-plan-instances-guidelines.html)
* [Configure provisioning timeouts for cluster launch](https://docs.aws.amazon.com/emr/latest/ManagementGuide/emr-provisioning-timeout-launch.html)
* [SpotProvisioningSpecification (`TimeoutAction`)](https://docs.aws.amazon.com/emr/latest/APIReference/API_SpotProvisioningSpecification.html)
* [Understand node types: core nodes](https://docs.aws.amazon.com/emr/latest/ManagementGuide/emr-master-core-task-nodes.html)
"""

from emrlint.rules._instance_config import number, show, spot_specifications, units, where_loc
from emrlint.rulekit import Problem, is_unknown

ID = "EMR502"
NAME = "core-on-spot-without-fallback"
SEVERITY = "warning"
KIND = "cluster"

_WHY = "core nodes hold HDFS blocks and shuffle data, so losing them to Spot loses data and fails running stages"
_FALLBACK = ('launch_specifications { spot_specification { timeout_action = "SWITCH_TO_ON_DEMAND" ... } }')


def check(cluster, ctx):
    for unit in units(cluster):
        if unit.role != "core":
            continue
        if unit.kind == "group":
            yield from _group(unit)
        else:
            yield from _fleet(unit)


def _group(unit):
    market = unit.field("market")
    bid = unit.field("bid_price")
    if isinstance(market.value, str) and market.value.strip().upper() == "SPOT":
        f, what = market, f"Market = {show(market.value)}"
    elif (isinstance(bid.value, str) and bid.value.strip()) or (
            number(bid.value) is not None and not isinstance(bid.value, str)):
        if is_unknown(market.value):
            return
        f, what = bid, f"bid_price = {show(bid.value)}"
    else:
        return
    yield Problem(
        where_loc(f),
        f"The core instance group runs on Spot ({what}) and instance groups have no On-Demand fallback; {_WHY}. "
        "Run the core group On-Demand (no bid_price/Market: SPOT) and put Spot capacity on task nodes.",
        key=f"{unit.path}.spot",
    )


def _fleet(unit):
    capacity = unit.field("target_spot_capacity")
    spot = number(capacity.value)
    if spot is None or spot <= 0:
        return
    specs, maybe = spot_specifications(unit.section)
    actions = [s.field("timeout_action") for s in specs]
    if any(a.unknown for a in actions):
        return
    good = [a for s, a in zip(specs, actions) if isinstance(a.value, str) and a.value.strip() == "SWITCH_TO_ON_DEMAND"]
    if good:
        return
    bad = [a for a in actions if a.value is not None]
    if bad:
        a = bad[0]
        yield Problem(
            where_loc(a),
            f"The core instance fleet requests {show(capacity.value)} Spot units with timeout_action = {show(a.value)}: "
            f"when Spot capacity is short EMR does not fall back to On-Demand, and {_WHY}. "
            'Set timeout_action = "SWITCH_TO_ON_DEMAND" (or keep core On-Demand and put Spot on a task fleet).',
            key=f"{unit.path}.launch_specifications.spot_specification.timeout_action",
        )
        return
    if maybe:
        return  # a dynamic block may provide the Spot specification
    nulls = [a for a in actions if a.present]
    if nulls:
        loc, state = nulls[0].attr_loc, "a timeout_action that evaluates to null"
    elif specs:
        loc, state = specs[0].loc, "a spot_specification without timeout_action"
    else:
        launch = unit.section.sections("launch_specifications")
        loc = launch[0].loc if launch else unit.section.loc
        state = "no spot_specification"
    yield Problem(
        loc,
        f"The core instance fleet requests {show(capacity.value)} Spot units with {state}, so nothing falls back to "
        f"On-Demand when Spot capacity is short; {_WHY}. Add {_FALLBACK}, or keep core On-Demand and put Spot on a task fleet.",
        key=f"{unit.path}.launch_specifications.spot_specification.timeout_action",
    )
