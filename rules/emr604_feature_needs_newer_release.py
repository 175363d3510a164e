"""A setting needs a newer EMR release than the cluster or application runs.

Several EMR and EMR Serverless settings exist only from a given release on. Terraform and
CloudFormation accept them whatever the release label says; EMR rejects the create request
(or the update) at apply time, typically when someone adds the setting to an old module
or downgrades a release to work around a bug. The release table that emrlint ships (with
each threshold's AWS page) decides:

| setting | needs |
|---|---|
| EMR Serverless `scheduler_configuration` / `SchedulerConfiguration` (job queue) | `emr-7.0.0` |
| shuffle-optimized worker disks (`DiskType: SHUFFLE_OPTIMIZED`, Spark `spark.emr-serverless.{driver,executor}.disk.type=shuffle_optimized`) | `emr-7.1.0` |
| managed scaling `scaling_strategy = "ADVANCED"` / `utilization_performance_index` | `emr-7.0.0` |
| managed scaling at all (`aws_emr_managed_scaling_policy`, `ManagedScalingPolicy`) | `emr-5.30.0`, not `emr-6.0.0` |
| `EbsRootVolumeIops` / `EbsRootVolumeThroughput` (`ebs_root_volume_iops`/`_throughput`) | `emr-6.15.0` |

## What fires

* one of the settings above on a cluster or application whose release label is known and
  below what the setting needs. A job run's Spark disk type counts its application's release
  when the application is in the scan; an `aws_emr_managed_scaling_policy` counts the release
  of the cluster its `cluster_id` refers to. The finding points at the unsupported setting
  (`scheduler_configuration`, `DiskType`, `ScalingStrategy`...), not at the release label,
  which is a related location: either may be the line to change.

## What does not fire

* unknown release labels (a variable without a value, a label that is not a full
  `emr-X.Y.Z` label), and labels newer than the table: the thresholds apply to any full
  label, so a newer label supports everything listed;
* settings that may not exist (a `dynamic` block with an unknown `for_each`) or whose value
  cannot be evaluated;
* `scaling_strategy = "DEFAULT"`: it asks for the behaviour every release has, and AWS
  documents only the advanced strategy as needing `emr-7.0.0`;
* a managed scaling policy whose cluster is outside the scan or cannot be told.

In some newer Regions managed scaling starts at `emr-6.14.0` (EMR management guide, "Using
managed scaling"); emrlint does not know the Region and applies the general threshold.

## How to fix

Upgrade the release label to one that supports the setting (after testing the jobs on it),
or remove the setting.

## Failing example

```hcl
resource "aws_emrserverless_application" "ingest" {
  name          = "clickstream-ingest"
  release_label = "emr-6.15.0"
  type          = "spark"

  maximum_capacity {
    cpu    = "200 vCPU"
    memory = "800 GB"
  }

  scheduler_configuration {
    max_concurrent_runs   = 20
    queue_timeout_minutes = 120
  }
}
```

## Passing example

```hcl
resource "aws_emrserverless_application" "ingest" {
  name          = "clickstream-ingest"
  release_label = "emr-7.1.0"
  type          = "spark"

  maximum_capacity {
    cpu    = "200 vCPU"
    memory = "800 GB"
  }

  scheduler_configuration {
    max_concurrent_runs   = 20
    queue_timeout_minutes = 120
  }
}
```

## Failing example (CloudFormation)

```yaml
Resources:
  EtlCluster:
    Type: AWS::EMR::Cluster
    Properties:
      Name: nightly-etl
      ReleaseLabel: emr-6.14.0
      JobFlowRole: EMR_EC2_DefaultRole
      ServiceRole: EMR_DefaultRole
      EbsRootVolumeSize: 64
      EbsRootVolumeIops: 4000
      ManagedScalingPolicy:
        ScalingStrategy: ADVANCED
        UtilizationPerformanceIndex: 75
        ComputeLimits:
          UnitType: Instances
          MinimumCapacityUnits: 2
          MaximumCapacityUnits: 20
      Instances:
        MasterInstanceGroup:
          InstanceCount: 1
          InstanceType: m6g.xlarge
        CoreInstanceGroup:
          InstanceCount: 2
          InstanceType: r6g.2xlarge
```

## Passing example (CloudFormation)

```yaml
Resources:
  EtlCluster:
    Type: AWS::EMR::Cluster
    Properties:
      Name: nightly-etl
      ReleaseLabel: emr-7.1.0
      JobFlowRole: EMR_EC2_DefaultRole
      ServiceRole: EMR_DefaultRole
      EbsRootVolumeSize: 64
      EbsRootVolumeIops: 4000
      ManagedScalingPolicy:
        ScalingStrategy: ADVANCED
        UtilizationPerformanceIndex: 75
        ComputeLimits:
          UnitType: Instances
          MinimumCapacityUnits: 2
          MaximumCapacityUnits: 20
      Instances:
        MasterInstanceGroup:
          InstanceCount: 1
          InstanceType: m6g.xlarge
        CoreInstanceGroup:
          InstanceCount: 2
          InstanceType: r6g.2xlarge
```

## References

* [Job concurrency and queuing (EMR Serverless)](https://docs.aws.amazon.com/emr/latest/EMR-Serverless-UserGuide/applications-concurrency-queuing.html)
* [Using shuffle-optimized disks (EMR Serverless)](https://docs.aws.amazon.com/emr/latest/EMR-Serverless-UserGuide/jobs-shuffle-optimized-disks.html)
* [Using managed scaling in Amazon EMR](https://docs.aws.amazon.com/emr/latest/ManagementGuide/emr-managed-scaling.html)
* [Advanced scaling for Amazon EMR](https://docs.aws.amazon.com/emr/latest/ManagementGuide/managed-scaling-allocation-strategy-optimized.html)
* [RunJobFlow `EbsRootVolumeIops`, `EbsRootVolumeThroughput`](https://docs.aws.amazon.com/emr/latest/APIReference/API_RunJobFlow.html)
"""

from emrlint import data
from emrlint.model import job_queue, scaling_policies
from emrlint.rulekit import Problem, is_unknown
from emrlint.rules._jobruns import application_of
from emrlint.capacity import initial_capacity
from emrlint.rules._serverless import WORKER_DISK, disk_limits

ID = "EMR604"
NAME = "feature-needs-newer-release"
SEVERITY = "error"
KIND = ("cluster", "serverless_application", "managed_scaling_policy", "job_run")

_DOCUMENT = ("cloudformation", "run-job-flow", "stepfunctions")


def _spell(res, terraform: str, pascal: str) -> str:
    fmt = getattr(res, "source_format", "")
    if fmt in _DOCUMENT:
        return pascal
    if fmt in ("create-application", "job-run"):
        return pascal[0].lower() + pascal[1:]
    return terraform


def _needs(feature: str) -> str:
    spec = data.feature(feature)
    exceptions = spec.get("except") or []
    return spec["since"] + " or later" + (f" (not {', '.join(exceptions)})" if exceptions else "")


def _problem(where, setting, feature, label_f, what):
    label = label_f.value.strip()
    return Problem(
        where,
        f"{setting} needs release {_needs(feature)}, but this {what} runs {label}: AWS rejects the request "
        f"at apply time. Upgrade the release label (after testing the jobs on it) or remove {setting}.",
        related=(("the release label", label_f.loc),),
        key=f"{setting}|{feature}",
    )


def _unsupported(label, feature) -> bool:
    return data.supports(label, feature) is False


def _application(app):
    label_f = app.field("release_label")
    label = label_f.value
    if data.parse_label(label) is None:
        return
    queue = job_queue(app)
    if queue.block is not None and _unsupported(label, data.SERVERLESS_SCHEDULER):
        yield _problem(queue.block.loc, _spell(app, "scheduler_configuration", "SchedulerConfiguration"),
                       data.SERVERLESS_SCHEDULER, label_f, "application")
    if _unsupported(label, data.SHUFFLE_OPTIMIZED_DISKS):
        for workers in initial_capacity(app):
            if workers.maybe or workers.worker is None:
                continue
            f = workers.worker.field("disk_type")
            if isinstance(f.value, str) and disk_limits(f.value) == WORKER_DISK["SHUFFLE_OPTIMIZED"]:
                p = _problem(f.origin, f"{_spell(app, 'disk_type', 'DiskType')} {f.value}",
                             data.SHUFFLE_OPTIMIZED_DISKS, label_f, "application")
                p.key = f"initial_capacity[{workers.label}].disk_type"
                yield p


def _job_run(job, ctx):
    exact, possible = application_of(job, ctx)
    if len(exact) != 1 or possible:
        return
    label_f = exact[0].field("release_label")
    if data.parse_label(label_f.value) is None or not _unsupported(label_f.value, data.SHUFFLE_OPTIMIZED_DISKS):
        return
    for role in ("driver", "executor"):
        f = job.spark.conf.get(f"spark.emr-serverless.{role}.disk.type")
        if f is not None and isinstance(f.value, str) and disk_limits(f.value) == WORKER_DISK["SHUFFLE_OPTIMIZED"]:
            yield _problem(f.origin, f"spark.emr-serverless.{role}.disk.type={f.value}", data.SHUFFLE_OPTIMIZED_DISKS,
                           label_f, "job run's application")


def _scaling(res, policy, label_f, what):
    label = label_f.value
    if _unsupported(label, data.MANAGED_SCALING):
        where = policy.loc
        yield _problem(where, _spell(res, "aws_emr_managed_scaling_policy", "ManagedScalingPolicy"),
                       data.MANAGED_SCALING, label_f, what)
        return
    if not _unsupported(label, data.ADVANCED_MANAGED_SCALING) or policy.maybe:
        return
    strategy = policy.section.field("scaling_strategy")
    index = policy.section.field("utilization_performance_index")
    if isinstance(strategy.value, str) and strategy.value.strip().upper() == "ADVANCED":
        yield _problem(strategy.origin, f"{_spell(res, 'scaling_strategy', 'ScalingStrategy')} {strategy.value}",
                       data.ADVANCED_MANAGED_SCALING, label_f, what)
    elif index.value is not None and not is_unknown(index.value):
        yield _problem(index.origin, _spell(res, "utilization_performance_index", "UtilizationPerformanceIndex"),
                       data.ADVANCED_MANAGED_SCALING, label_f, what)


def _cluster(cluster):
    label_f = cluster.field("release_label")
    if data.parse_label(label_f.value) is None:
        return
    for policy in scaling_policies(cluster):
        yield from _scaling(cluster, policy, label_f, "cluster")
    if _unsupported(label_f.value, data.ROOT_VOLUME_IOPS_THROUGHPUT):
        for name, pascal in (("ebs_root_volume_iops", "EbsRootVolumeIops"),
                             ("ebs_root_volume_throughput", "EbsRootVolumeThroughput")):
            f = cluster.field(name)
            if f.value is not None and not is_unknown(f.value):
                yield _problem(f.origin, _spell(cluster, name, pascal), data.ROOT_VOLUME_IOPS_THROUGHPUT, label_f,
                               "cluster")


def _policy(res, ctx):
    cluster_id = res.field("cluster_id").value
    if isinstance(cluster_id, str):
        return  # a cluster outside the scan
    exact, possible = ctx.model.find(cluster_id, "cluster", res.root)
    if len(exact) != 1 or possible:
        return
    label_f = exact[0].field("release_label")
    if data.parse_label(label_f.value) is None:
        return
    for policy in scaling_policies(res):
        yield from _scaling(res, policy, label_f, "policy's cluster")


def check(res, ctx):
    if res.kind == "serverless_application":
        yield from _application(res)
    elif res.kind == "job_run":
        if getattr(res, "platform", "") == "serverless":
            yield from _job_run(res, ctx)
    elif res.kind == "cluster":
        yield from _cluster(res)
    else:
        yield from _policy(res, ctx)
