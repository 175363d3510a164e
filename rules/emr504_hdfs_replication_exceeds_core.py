"""HDFS `dfs.replication` is set above the number of core nodes the cluster can run with.

HDFS keeps `dfs.replication` copies of every block, each on a different DataNode, and on
EMR only core nodes run DataNodes. With fewer core nodes than `dfs.replication`, HDFS cannot
place the copies: every block stays under-replicated, writes that wait for their replicas
fail or slow down, and decommissioning a core node never finishes because its blocks have
nowhere to go. EMR itself refuses to scale core nodes below `dfs.replication` (EMR release
guide, "HDFS configuration"), so with managed or automatic scaling the configured minimum is
never reached and the extra core nodes are paid for around the clock.

EMR already sets `dfs.replication` from the core count it launches with (1 below four core
nodes, 2 below ten, 3 otherwise); a value copied from an on-premises `hdfs-site.xml` is what
usually breaks it.

## What fires

* `dfs.replication` in the `hdfs-site` classification of a cluster's configurations
  (`configurations_json`, CloudFormation `Configurations` with `ConfigurationProperties`,
  RunJobFlow and Step Functions `createCluster` `Configurations`, nested `Configurations`
  included) above the cluster's known core node count: the core instance group's
  `instance_count` (or a core fleet's target units divided by its largest weighted
  capacity), or lower, what managed scaling (`minimum_capacity_units`, and
  `maximum_core_capacity_units`, in `Instances` or `InstanceFleetUnits`) or an automatic
  scaling policy (`Constraints.MinCapacity`) may shrink the core nodes to. The finding points
  at `dfs.replication` where it is written (inside the `jsonencode`, a local, a CloudFormation
  parameter `Default`), with the core count as a related location.

## What does not fire

* a cluster without `dfs.replication` (EMR derives it from the core count);
* a core count emrlint cannot evaluate: an `instance_count` from a variable without a value,
  a core fleet whose weighted capacities are unknown, a managed scaling policy in `VCPU`
  units (converting needs the instance sizes), a policy that may be attached unseen;
* a `dfs.replication` emrlint cannot evaluate (a `configurations_json` read from a file it
  cannot see, a variable without a value).

## How to fix

Remove `dfs.replication` and let EMR derive it, or set it to at most the fewest core nodes
the cluster runs with (and keep at least as many core nodes as the replication you need:
EMR recommends four core nodes or more for production HDFS).

## Failing example

```hcl
resource "aws_emr_cluster" "warehouse" {
  name          = "warehouse"
  release_label = "emr-7.2.0"
  applications  = ["Hadoop", "Hive"]
  service_role  = "EMR_DefaultRole"

  master_instance_group {
    instance_type = "m7g.xlarge"
  }

  core_instance_group {
    instance_type  = "r7g.2xlarge"
    instance_count = 2
  }

  configurations_json = jsonencode([
    {
      Classification = "hdfs-site"
      Properties = {
        "dfs.replication" = "3"
      }
    }
  ])
}
```

## Passing example

```hcl
resource "aws_emr_cluster" "warehouse" {
  name          = "warehouse"
  release_label = "emr-7.2.0"
  applications  = ["Hadoop", "Hive"]
  service_role  = "EMR_DefaultRole"

  master_instance_group {
    instance_type = "m7g.xlarge"
  }

  core_instance_group {
    instance_type  = "r7g.2xlarge"
    instance_count = 4
  }

  configurations_json = jsonencode([
    {
      Classification = "hdfs-site"
      Properties = {
        "dfs.replication" = "3"
      }
    }
  ])
}
```

## Failing example (CloudFormation)

```yaml
Resources:
  Warehouse:
    Type: AWS::EMR::Cluster
    Properties:
      Name: warehouse
      ReleaseLabel: emr-7.2.0
      JobFlowRole: EMR_EC2_DefaultRole
      ServiceRole: EMR_DefaultRole
      Configurations:
        - Classification: hdfs-site
          ConfigurationProperties:
            dfs.replication: "3"
      ManagedScalingPolicy:
        ComputeLimits:
          UnitType: Instances
          MinimumCapacityUnits: 2
          MaximumCapacityUnits: 20
          MaximumCoreCapacityUnits: 6
      Instances:
        MasterInstanceGroup:
          InstanceCount: 1
          InstanceType: m7g.xlarge
        CoreInstanceGroup:
          InstanceCount: 6
          InstanceType: r7g.2xlarge
```

## Passing example (CloudFormation)

```yaml
Resources:
  Warehouse:
    Type: AWS::EMR::Cluster
    Properties:
      Name: warehouse
      ReleaseLabel: emr-7.2.0
      JobFlowRole: EMR_EC2_DefaultRole
      ServiceRole: EMR_DefaultRole
      Configurations:
        - Classification: hdfs-site
          ConfigurationProperties:
            dfs.replication: "2"
      ManagedScalingPolicy:
        ComputeLimits:
          UnitType: Instances
          MinimumCapacityUnits: 2
          MaximumCapacityUnits: 20
          MaximumCoreCapacityUnits: 6
      Instances:
        MasterInstanceGroup:
          InstanceCount: 1
          InstanceType: m7g.xlarge
        CoreInstanceGroup:
          InstanceCount: 6
          InstanceType: r7g.2xlarge
```

## References

* [HDFS configuration (EMR release guide)](https://docs.aws.amazon.com/emr/latest/ReleaseGuide/emr-hdfs-config.html)
* [Understanding node allocation strategy and scenarios (managed scaling)](https://docs.aws.amazon.com/emr/latest/ManagementGuide/managed-scaling-allocation-strategy.html)
* [Configure applications](https://docs.aws.amazon.com/emr/latest/ReleaseGuide/emr-configure-apps.html)
"""

from emrlint.model import classification_property, known_number
from emrlint.rulekit import Problem

ID = "EMR504"
NAME = "hdfs-replication-exceeds-core"
SEVERITY = "warning"
KIND = "cluster"


def _source(bound) -> str:
    if bound.reason == "managed scaling":
        return (f"managed scaling may shrink the core nodes to {bound.count}, but EMR does not scale core nodes below "
                "dfs.replication, so scale-in stalls and the scaling minimum is never reached")
    if bound.reason == "automatic scaling":
        return (f"its automatic scaling policy may shrink the core group to {bound.count} nodes (MinCapacity), but "
                "EMR does not scale core nodes below dfs.replication, so scale-in stalls")
    what = "core instance group" if bound.reason == "instance_count" else "core instance fleet"
    return (f"the {what} has {bound.count} node{'s' if bound.count != 1 else ''}: HDFS cannot place that many "
            "copies, blocks stay under-replicated and decommissioning a core node stalls")


def check(cluster, ctx):
    f = classification_property(cluster.configurations, "hdfs-site", "dfs.replication")
    if f is None:
        return
    value = f.value
    replication = known_number(value.strip() if isinstance(value, str) else value)
    if replication is None or not float(replication).is_integer():
        return
    bound = cluster.core_lower_bound()
    if bound is None or replication <= bound.count:
        return
    yield Problem(
        f.origin,
        f"hdfs-site dfs.replication is {int(replication)}, more than the {bound.count} core node"
        f"{'s' if bound.count != 1 else ''} the cluster can run with: {_source(bound)}. Remove "
        f"dfs.replication (EMR derives it from the core count) or set it to at most {max(bound.count, 1)}.",
        related=(("the core node count", bound.field.loc),),
        key="configurations_json|hdfs-site|dfs.replication",
    )
