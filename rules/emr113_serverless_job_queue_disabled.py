"""An EMR Serverless application does not queue job runs, or runs more at once than the policy allows.

Job concurrency and queuing ("avoid stampedes") is EMR Serverless's admission control: with
a `scheduler_configuration`, the application runs at most `max_concurrent_runs` jobs at a
time and queues the rest (up to `queue_timeout_minutes`). Without it, every job run submitted
starts at once; when a burst of submissions (a backfill, a Step Functions fan-out, a retry
storm) exceeds the application's maximum capacity, the account's vCPU quota or the subnet's
IP addresses, the extra runs fail at once instead of waiting for a slot, and someone has to
resubmit them by hand.

Queuing exists from `emr-7.0.0`, and EMR Serverless turns it on by default (15 concurrent
runs) only for applications created on `emr-7.3.0` or later (EMR Serverless user guide, "Job
concurrency and queuing"; EMR Serverless 7.3.0 release notes). An application on
`emr-7.0.0` to `emr-7.2.x` has no queue unless the configuration asks for one.

## What fires

* an EMR Serverless application (`aws_emrserverless_application`,
  `AWS::EMRServerless::Application`, a CreateApplication request) whose release label is
  known, at least `emr-7.0.0` and below `emr-7.3.0`, with no `scheduler_configuration` /
  `SchedulerConfiguration` block (the finding points at the application's first line);
* when the repository sets `max_concurrent_runs`: an application on `emr-7.0.0` or later
  whose effective `max_concurrent_runs` / `MaxConcurrentRuns` is above it. The effective
  value is the one written, or AWS's default of 15 when the block is written without it, or
  when the release is `emr-7.3.0` or later and the block is absent (queuing on by default).

## What does not fire

* applications below `emr-7.0.0` (there is no queue to turn on; a `scheduler_configuration`
  there is rejected by AWS, which is EMR604's finding);
* a release label emrlint cannot evaluate, or that is not a full `emr-X.Y.Z` label;
* a `scheduler_configuration` that may not exist (a `dynamic` block with an unknown
  `for_each`) or a `max_concurrent_runs` that cannot be evaluated;
* `emr-7.3.0` and later without the block, when the repository sets no `max_concurrent_runs`.

## How to fix

Add a scheduler configuration sized for the application's capacity:

```hcl
scheduler_configuration {
  max_concurrent_runs   = 20
  queue_timeout_minutes = 120
}
```

In CloudFormation: `SchedulerConfiguration: {MaxConcurrentRuns: 20, QueueTimeoutMinutes: 120}`.
An empty `scheduler_configuration {}` turns queuing on with AWS's defaults (15 runs, 360
minutes).

## Failing example

```hcl
resource "aws_emrserverless_application" "ingest" {
  name          = "clickstream-ingest"
  release_label = "emr-7.1.0"
  type          = "spark"

  maximum_capacity {
    cpu    = "200 vCPU"
    memory = "800 GB"
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
AWSTemplateFormatVersion: "2010-09-09"
Resources:
  IngestApplication:
    Type: AWS::EMRServerless::Application
    Properties:
      Name: clickstream-ingest
      ReleaseLabel: emr-7.2.0
      Type: SPARK
      MaximumCapacity:
        Cpu: 200 vCPU
        Memory: 800 GB
```

## Passing example (CloudFormation)

```yaml
AWSTemplateFormatVersion: "2010-09-09"
Resources:
  IngestApplication:
    Type: AWS::EMRServerless::Application
    Properties:
      Name: clickstream-ingest
      ReleaseLabel: emr-7.2.0
      Type: SPARK
      MaximumCapacity:
        Cpu: 200 vCPU
        Memory: 800 GB
      SchedulerConfiguration:
        MaxConcurrentRuns: 20
        QueueTimeoutMinutes: 120
```

## References

* [Job concurrency and queuing for an EMR Serverless application](https://docs.aws.amazon.com/emr/latest/EMR-Serverless-UserGuide/applications-concurrency-queuing.html)
* [EMR Serverless 7.3.0 release notes](https://docs.aws.amazon.com/emr/latest/EMR-Serverless-UserGuide/release-version-730.html)
* [`SchedulerConfiguration` (EMR Serverless API reference)](https://docs.aws.amazon.com/emr-serverless/latest/APIReference/API_SchedulerConfiguration.html)
* [Terraform `aws_emrserverless_application`](https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/emrserverless_application)
"""

from emrlint import data
from emrlint.model import DEFAULT_MAX_CONCURRENT_RUNS, MAX_CONCURRENT_RUNS_RANGE, job_queue
from emrlint.rulekit import Param, Problem

ID = "EMR113"
NAME = "serverless-job-queue-disabled"
SEVERITY = "warning"
KIND = "serverless_application"
PARAMS = {
    "max_concurrent_runs": Param(
        "integer", None,
        "Most job runs an EMR Serverless application may run at once (its scheduler's max_concurrent_runs, "
        "AWS's default 15 included); not set: only applications without a queue fire.",
        minimum=MAX_CONCURRENT_RUNS_RANGE[0], maximum=MAX_CONCURRENT_RUNS_RANGE[1]),
}

# (block, attribute) as each source format spells them
_SPELLING = {
    "cloudformation": ("SchedulerConfiguration", "MaxConcurrentRuns"),
    "create-application": ("schedulerConfiguration", "maxConcurrentRuns"),
}
_TERRAFORM = ("scheduler_configuration", "max_concurrent_runs")


def check(app, ctx):
    label = app.field("release_label").value
    if data.supports(label, data.SERVERLESS_SCHEDULER) is not True:
        return  # unknown, not a full label, or below emr-7.0.0 (no queue exists)
    label = label.strip()
    block_name, attr = _SPELLING.get(app.source_format, _TERRAFORM)
    queue = job_queue(app)
    if queue.state == "off":
        yield Problem(
            app.loc,
            f"EMR Serverless application on {label} has no {block_name}, so it does not queue job runs: a burst "
            "of submissions beyond its capacity or the account's quotas fails at once instead of waiting for a slot "
            f"(queuing is on by default only from emr-7.3.0). Add {block_name} with {attr} and a queue timeout.",
            key="scheduler_configuration",
        )
        return
    ceiling = ctx.params.get("max_concurrent_runs")
    if queue.state != "on" or queue.max_runs is None or not isinstance(ceiling, int) or queue.max_runs <= ceiling:
        return
    if queue.max_runs_field is not None:
        where, how = queue.max_runs_field.loc, f"{attr} is {queue.max_runs}"
    elif queue.block is not None:
        where, how = queue.block.loc, f"{block_name} leaves {attr} at AWS's default of {DEFAULT_MAX_CONCURRENT_RUNS}"
    else:
        where = app.loc
        how = (f"{label} queues job runs by default with {attr} {DEFAULT_MAX_CONCURRENT_RUNS}, and no {block_name} "
               "lowers it")
    yield Problem(
        where,
        f"EMR Serverless application runs up to {queue.max_runs} job runs at once ({how}), above this repository's "
        f"max_concurrent_runs of {ceiling}; more concurrent runs than the platform is sized for starve other "
        f"workloads of capacity. Set {attr} to {ceiling} or less.",
        key="scheduler_configuration.max_concurrent_runs",
    )
