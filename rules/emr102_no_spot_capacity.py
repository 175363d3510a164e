"""An EMR on EC2 cluster runs all of its core and task capacity On-Demand.

Spark executors on task nodes are built to survive losing a node, and Spot
capacity typically costs 60-90% less than On-Demand. A cluster whose every core
and task instance group has no `bid_price`, and whose every core and task
instance fleet has no `target_spot_capacity`, pays full price for all of it.

Instance groups and fleets attached to the cluster as separate resources
(`aws_emr_instance_group` / `aws_emr_instance_fleet` with
`cluster_id = aws_emr_cluster.x.id`, also through module outputs) count, and so do
the `instance_group` blocks (or `instance_group = [{ instance_role = "CORE", ... }]`
lists) of configurations written for the AWS provider 1.x. A cluster whose own `count`
cannot be evaluated is checked as if it exists, and the finding says so.

## What fires

* no core or task instance group has a `bid_price` (or `market = SPOT`) and no
  core or task instance fleet has a `target_spot_capacity` above 0;
* with the parameter `min_spot_share` above 0, and every unit count known: the
  share of Spot units among core and task units is below it.

## What does not fire

* any core/task group or fleet whose Spot setting is unknown, or a group/fleet
  with Spot capacity whose existence is unknown (`count` from an unknown
  variable), or an attached group whose `cluster_id` cannot be evaluated;
* a cluster with no core or task capacity at all (single-node clusters), or
  where whether any exists is unknown (every core/task block comes from a
  `dynamic` block or `count` that cannot be evaluated).

## How to fix

Keep core capacity On-Demand (it holds HDFS and shuffle data) and add Spot task
capacity: a task instance fleet with `target_spot_capacity` and several
instance types, or an `aws_emr_instance_group` with a `bid_price`. For instance
fleets, set `target_spot_capacity` on the task (or core) fleet; the finding points at the
task fleet's `target_spot_capacity` when there is a task fleet. If the cluster
really must not use Spot, suppress the finding with the reason.

## Failing example

```hcl
resource "aws_emr_cluster" "spark" {
  name          = "spark"
  release_label = "emr-7.1.0"
  service_role  = "EMR_DefaultRole"
  log_uri       = "s3://acme-emr-logs/spark/"

  master_instance_group {
    instance_type = "m6g.xlarge"
  }

  core_instance_group {
    instance_type  = "r6g.2xlarge"
    instance_count = 4
  }
}
```

## Passing example

```hcl
resource "aws_emr_cluster" "spark" {
  name          = "spark"
  release_label = "emr-7.1.0"
  service_role  = "EMR_DefaultRole"
  log_uri       = "s3://acme-emr-logs/spark/"

  master_instance_group {
    instance_type = "m6g.xlarge"
  }

  core_instance_group {
    instance_type  = "r6g.2xlarge"
    instance_count = 2
  }
}

resource "aws_emr_instance_group" "task" {
  cluster_id     = aws_emr_cluster.spark.id
  instance_type  = "r6g.2xlarge"
  instance_count = 6
  bid_price      = "0.30"
}
```

## References

* [Instance purchasing options: Spot for task nodes](https://docs.aws.amazon.com/emr/latest/ManagementGuide/emr-plan-instances-guidelines.html)
* [Instance fleets](https://docs.aws.amazon.com/emr/latest/ManagementGuide/emr-instance-fleet.html)
"""

from emrlint.model import known_number
from emrlint.rulekit import Param, Problem

ID = "EMR102"
NAME = "no-spot-capacity"
SEVERITY = "warning"
KIND = "cluster"
PARAMS = {
    "min_spot_share": Param(
        "number", 0,
        "Minimum share (0-1) of core and task units that must be Spot; 0 checks only that some Spot capacity exists.",
        minimum=0, maximum=1,
    ),
}


def _unit_counts(unit):
    """(spot units, on-demand units) of a group or fleet, or None when unknown."""
    if hasattr(unit, "spot_units"):
        spot, od = known_number(unit.spot_units()), known_number(unit.on_demand_units())
        return None if spot is None or od is None else (spot, od)
    count = known_number(unit.units())
    if count is None:
        return None
    return (count, 0.0) if unit.on_spot() is True else (0.0, count)


def _where(cluster):
    """Fleets: the target_spot_capacity of a task fleet (Spot belongs on task nodes), else of
    the core fleet; instance groups: the cluster block, where a Spot task group is added."""
    fleets = sorted((f for f in cluster.instance_fleets if f.role in ("core", "task")), key=lambda f: f.role != "task")
    return fleets[0].section.field("target_spot_capacity").loc if fleets else cluster.loc


def check(cluster, ctx):
    units = [u for u in cluster.units(("core", "task"))]
    if not units or all(u.maybe for u in units):
        return  # no core/task capacity, or whether there is any is unknown
    spot = cluster.spot_capacity()
    if spot is False:
        yield Problem(
            _where(cluster),
            "Cluster runs all of its core and task capacity On-Demand (no bid_price, no target_spot_capacity); "
            "Spot capacity typically costs 60-90% less for Spark executors. Add Spot task capacity "
            "(a task instance fleet with target_spot_capacity, or an instance group with bid_price) and keep core On-Demand.",
            key="spot_capacity",
        )
        return
    share = ctx.params.get("min_spot_share") or 0
    if spot is not True or cluster.capacity_incomplete or share <= 0 or any(u.maybe for u in units):
        return
    counts = [_unit_counts(u) for u in units]
    if any(c is None for c in counts):
        return
    spot = sum(c[0] for c in counts)
    total = spot + sum(c[1] for c in counts)
    if total > 0 and spot / total < share:
        yield Problem(
            _where(cluster),
            f"Only {spot:g} of {total:g} core and task units ({spot / total:.0%}) run on Spot, below this "
            f"repository's min_spot_share of {share:.0%}; On-Demand units cost several times more. "
            "Move more task capacity to Spot (target_spot_capacity or bid_price).",
            key="spot_share",
        )
