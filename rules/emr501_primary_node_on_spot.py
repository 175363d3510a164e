"""The primary (master) node runs on Spot: one interruption terminates the whole cluster.

An EMR cluster has exactly one primary node (three with high availability). It runs
the YARN ResourceManager, the HDFS NameNode and the step runner; when EC2 reclaims it
with a Spot interruption, EMR terminates the cluster, and every running step, cached
dataset and HDFS block is lost. The few cents saved on one instance are not worth a
failed pipeline run: keep the primary node On-Demand and put Spot capacity on task
nodes instead.

## What fires

* a primary instance group with a `bid_price` (Terraform `master_instance_group`,
  CloudFormation `Instances.MasterInstanceGroup.BidPrice`, a RunJobFlow/Step Functions
  `InstanceGroups` item with `InstanceRole: MASTER`), or with `Market: SPOT`;
* a primary instance fleet with `target_spot_capacity` / `TargetSpotCapacity` above 0.

The finding points at the offending value where it was written: the `bid_price` or
`Market` attribute, the variable `default`, the module input or the CloudFormation
parameter `Default` it came from. A Spot setting written inside a block that exists only
conditionally (a `dynamic` block, a cluster with `count`) still fires: whenever the
block exists, its primary node is on Spot.

## What does not fire

* `bid_price` that is absent, null or an empty string (the AWS provider treats `""` as
  On-Demand), `Market: ON_DEMAND`, `target_spot_capacity = 0` or absent;
* a `bid_price`, `Market` or `target_spot_capacity` emrlint cannot evaluate (a variable
  without default, a `!Ref` to a parameter without `Default`, a Step Functions
  `"Market.$"` JSONPath): unknown is never bad;
* Spot capacity on core or task nodes (see EMR502 for core nodes).

## How to fix

Remove `bid_price` from `master_instance_group` (or set `Market: ON_DEMAND`); for
instance fleets, use `target_on_demand_capacity = 1` and `target_spot_capacity = 0` on
the primary fleet. Add Spot capacity to task groups or fleets instead.

## Failing example

```hcl
resource "aws_emr_cluster" "spark" {
  name          = "nightly-etl"
  release_label = "emr-7.1.0"
  service_role  = "EMR_DefaultRole"
  log_uri       = "s3://acme-emr-logs/nightly/"

  master_instance_group {
    instance_type = "m6g.xlarge"
    bid_price     = "0.10"
  }

  core_instance_group {
    instance_type  = "r6g.2xlarge"
    instance_count = 3
  }
}
```

## Passing example

```hcl
resource "aws_emr_cluster" "spark" {
  name          = "nightly-etl"
  release_label = "emr-7.1.0"
  service_role  = "EMR_DefaultRole"
  log_uri       = "s3://acme-emr-logs/nightly/"

  master_instance_group {
    instance_type = "m6g.xlarge"
  }

  core_instance_group {
    instance_type  = "r6g.2xlarge"
    instance_count = 3
  }
}

resource "aws_emr_instance_group" "spot_task" {
  cluster_id     = aws_emr_cluster.spark.id
  instance_type  = "r6g.2xlarge"
  instance_count = 6
  bid_price      = "0.30"
}
```

## Failing example (CloudFormation)

```yaml
Resources:
  Cluster:
    Type: AWS::EMR::Cluster
    Properties:
      Name: nightly-etl
      ReleaseLabel: emr-7.1.0
      JobFlowRole: EMR_EC2_DefaultRole
      ServiceRole: EMR_DefaultRole
      Instances:
        MasterInstanceFleet:
          TargetSpotCapacity: 1
          InstanceTypeConfigs:
            - InstanceType: m6g.xlarge
        CoreInstanceFleet:
          TargetOnDemandCapacity: 2
          InstanceTypeConfigs:
            - InstanceType: r6g.2xlarge
```

## Passing example (CloudFormation)

```yaml
Resources:
  Cluster:
    Type: AWS::EMR::Cluster
    Properties:
      Name: nightly-etl
      ReleaseLabel: emr-7.1.0
      JobFlowRole: EMR_EC2_DefaultRole
      ServiceRole: EMR_DefaultRole
      Instances:
        MasterInstanceFleet:
          TargetOnDemandCapacity: 1
          InstanceTypeConfigs:
            - InstanceType: m6g.xlarge
        CoreInstanceFleet:
          TargetOnDemandCapacity: 2
          InstanceTypeConfigs:
            - InstanceType: r6g.2xlarge
```

## Failing example (RunJobFlow)

```json
{
  "Name": "nightly-etl",
  "ReleaseLabel": "emr-7.1.0",
  "Instances": {
    "InstanceGroups": [
      {"InstanceRole": "MASTER", "Market": "SPOT", "InstanceType": "m6g.xlarge", "InstanceCount": 1},
      {"InstanceRole": "CORE", "Market": "ON_DEMAND", "InstanceType": "r6g.2xlarge", "InstanceCount": 3}
    ]
  }
}
```

## References

* [Primary node: best practices for instance purchasing](https://docs.aws.amazon.com/emr/latest/ManagementGuide/emr-plan-instances-guidelines.html)
* [Understand node types: primary, core and task nodes](https://docs.aws.amazon.com/emr/latest/ManagementGuide/emr-master-core-task-nodes.html)
* [InstanceGroupConfig (`Market`, `BidPrice`)](https://docs.aws.amazon.com/emr/latest/APIReference/API_InstanceGroupConfig.html)
* [InstanceFleetConfig (`TargetSpotCapacity`)](https://docs.aws.amazon.com/emr/latest/APIReference/API_InstanceFleetConfig.html)
"""

from emrlint.rules._instance_config import number, show, units, where_loc
from emrlint.rulekit import Problem, is_unknown

ID = "EMR501"
NAME = "primary-node-on-spot"
SEVERITY = "error"
KIND = "cluster"

_WHY = ("a Spot interruption of the primary node terminates the whole cluster, with every running step "
        "and its HDFS data")


def check(cluster, ctx):
    for unit in units(cluster):
        if unit.role != "master":
            continue
        if unit.kind == "group":
            market = unit.field("market")
            bid = unit.field("bid_price")
            if isinstance(market.value, str) and market.value.strip().upper() == "SPOT":
                yield Problem(
                    where_loc(market),
                    f"The primary instance group is requested on the Spot market (Market = {show(market.value)}); "
                    f"{_WHY}. Use Market: ON_DEMAND (and no BidPrice) for the primary node; put Spot capacity on task nodes.",
                    key=f"{unit.path}.spot",
                )
            elif (isinstance(bid.value, str) and bid.value.strip()) or (
                    number(bid.value) is not None and not isinstance(bid.value, str)):
                if is_unknown(market.value):
                    continue  # Market could still say something else: not proven
                yield Problem(
                    where_loc(bid),
                    f"The primary instance group has a Spot bid_price ({show(bid.value)}), so it runs on Spot; {_WHY}. "
                    "Remove bid_price from the primary group and add Spot capacity to task nodes instead.",
                    key=f"{unit.path}.spot",
                )
        else:
            f = unit.field("target_spot_capacity")
            spot = number(f.value)
            if spot is not None and spot > 0:
                yield Problem(
                    where_loc(f),
                    f"The primary instance fleet requests Spot capacity (target_spot_capacity = {show(f.value)}); {_WHY}. "
                    "Set target_on_demand_capacity = 1 and target_spot_capacity = 0 on the primary fleet.",
                    key=f"{unit.path}.target_spot_capacity",
                )
