"""A Step Functions Map state starts EMR clusters or job runs with no concurrency limit.

A `Map` state runs its processor once per item of its input, in parallel. When the
processor starts EMR work (a cluster, a step, an EMR Serverless or EMR on EKS job run),
every item starts it at the same time: a nightly fan-out over 300 tables becomes 300
clusters or job runs submitted in the same second. That is a stampede: it exhausts the
account's vCPU and EMR Serverless quotas, the subnet's IP addresses and the API rate limits,
so runs fail at random instead of waiting their turn, and capacity that was meant to be
shared is grabbed by one workflow. `MaxConcurrency` is the knob that turns the stampede into
a queue.

Step Functions runs at most 40 iterations of an inline Map at once, and a distributed Map
without `MaxConcurrency` runs up to 10,000 child workflows at once (Step Functions
developer guide, "Using Map state in Inline mode" and "Using Map state in Distributed
mode"). Both are far more EMR work than an account is sized for.

## What fires

* a `Map` state (inline, `ItemProcessor.ProcessorConfig.Mode: DISTRIBUTED`, or the legacy
  `Iterator`) whose processor contains, at any depth (nested `Map` and `Parallel` states
  included), a Task that starts EMR work, and that has `MaxConcurrency` absent or 0 and no
  `MaxConcurrencyPath`. EMR tasks are the optimized integrations
  `arn:<partition>:states:::elasticmapreduce:createCluster`, `...:elasticmapreduce:addStep`,
  `...:emr-serverless:startJobRun` and `...:emr-containers:startJobRun` (with `.sync` or
  not), and their AWS SDK forms `aws-sdk:emr:runJobFlow`, `aws-sdk:emr:addJobFlowSteps`,
  `aws-sdk:emrserverless:startJobRun` and `aws-sdk:emrcontainers:startJobRun`; the
  partition may be a placeholder (`arn:${AWS::Partition}:...`);
* when the repository sets `max_emr_fanout`: a Map state that can have more EMR tasks
  running at once than that. The count is `MaxConcurrency` (capped by a literal `Items`
  array and, in inline mode, by Step Functions' 40 concurrent iterations) times the EMR
  tasks one iteration runs at once (the branches of a `Parallel` state add up, a nested
  `Map` multiplies by its own concurrency).

State machines are read in ASL files, SAM and CloudFormation state machines (`Definition`,
`DefinitionString`, `DefinitionSubstitutions`) and `aws_sfn_state_machine` definitions
written with `jsonencode(...)`, as a heredoc or with `templatefile()`. The finding points at
`MaxConcurrency` when it is written, else at the Map state.

## What does not fire

* a Map state with `MaxConcurrencyPath` (the limit is decided at run time), or with a
  `MaxConcurrency` emrlint cannot evaluate (a JSONata expression, a Terraform variable
  without a value);
* a Map state whose items are a literal `Items` array no longer than `max_emr_fanout` (or
  any literal array when the repository sets no `max_emr_fanout`): the fan-out is written
  down and bounded;
* Map states whose processor starts no EMR work (Lambda functions, Glue jobs, SNS
  notifications), and EMR tasks that start nothing (`getJobRun`, `describeCluster`,
  `terminateCluster`);
* a Task whose `Resource` cannot be evaluated enough to tell its service and action
  (`arn:aws:states:::${Service}:startJobRun`).

A nested Map with its own limit bounds only its own fan-out: an outer Map without a limit
still fires.

## How to fix

Set `MaxConcurrency` on the Map state to the number of clusters or job runs the account
and the workload can run at once, for example `"MaxConcurrency": 5`; use
`MaxConcurrencyPath` when the limit comes from the execution input. On EMR Serverless, an
application's job queue (`scheduler_configuration`, see EMR113) is a second line of
defence, not a replacement: queued runs still wait against the Step Functions timeout.

## Failing example

```hcl
resource "aws_sfn_state_machine" "backfill" {
  name     = "orders-backfill"
  role_arn = "arn:aws:iam::123456789012:role/orders-sfn"

  definition = jsonencode({
    StartAt = "EachDay"
    States = {
      EachDay = {
        Type      = "Map"
        ItemsPath = "$.days"
        ItemProcessor = {
          StartAt = "Aggregate"
          States = {
            Aggregate = {
              Type     = "Task"
              Resource = "arn:aws:states:::emr-serverless:startJobRun.sync"
              Parameters = {
                ApplicationId           = "00fgh7ak9d2rnb0l"
                ExecutionRoleArn        = "arn:aws:iam::123456789012:role/emr-serverless-orders-job"
                ExecutionTimeoutMinutes = 90
                JobDriver = {
                  SparkSubmit = { EntryPoint = "s3://acme-orders-jobs/aggregate/main.py" }
                }
              }
              End = true
            }
          }
        }
        End = true
      }
    }
  })
}
```

## Passing example

```hcl
resource "aws_sfn_state_machine" "backfill" {
  name     = "orders-backfill"
  role_arn = "arn:aws:iam::123456789012:role/orders-sfn"

  definition = jsonencode({
    StartAt = "EachDay"
    States = {
      EachDay = {
        Type           = "Map"
        ItemsPath      = "$.days"
        MaxConcurrency = 5
        ItemProcessor = {
          StartAt = "Aggregate"
          States = {
            Aggregate = {
              Type     = "Task"
              Resource = "arn:aws:states:::emr-serverless:startJobRun.sync"
              Parameters = {
                ApplicationId           = "00fgh7ak9d2rnb0l"
                ExecutionRoleArn        = "arn:aws:iam::123456789012:role/emr-serverless-orders-job"
                ExecutionTimeoutMinutes = 90
                JobDriver = {
                  SparkSubmit = { EntryPoint = "s3://acme-orders-jobs/aggregate/main.py" }
                }
              }
              End = true
            }
          }
        }
        End = true
      }
    }
  })
}
```

## Failing example (distributed Map in an ASL file)

```json
{
  "StartAt": "EachPartition",
  "States": {
    "EachPartition": {
      "Type": "Map",
      "ItemReader": {
        "Resource": "arn:aws:states:::s3:listObjectsV2",
        "Parameters": {"Bucket": "acme-raw-events", "Prefix": "2026/"}
      },
      "MaxConcurrency": 0,
      "ItemProcessor": {
        "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
        "StartAt": "Cluster",
        "States": {
          "Cluster": {
            "Type": "Task",
            "Resource": "arn:aws:states:::elasticmapreduce:createCluster.sync",
            "Parameters": {"Name": "reprocess", "ReleaseLabel": "emr-7.2.0"},
            "End": true
          }
        }
      },
      "End": true
    }
  }
}
```

## Passing example (distributed Map in an ASL file)

```json
{
  "StartAt": "EachPartition",
  "States": {
    "EachPartition": {
      "Type": "Map",
      "ItemReader": {
        "Resource": "arn:aws:states:::s3:listObjectsV2",
        "Parameters": {"Bucket": "acme-raw-events", "Prefix": "2026/"}
      },
      "MaxConcurrencyPath": "$.parallelism",
      "ItemProcessor": {
        "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
        "StartAt": "Cluster",
        "States": {
          "Cluster": {
            "Type": "Task",
            "Resource": "arn:aws:states:::elasticmapreduce:createCluster.sync",
            "Parameters": {"Name": "reprocess", "ReleaseLabel": "emr-7.2.0"},
            "End": true
          }
        }
      },
      "End": true
    }
  }
}
```

## References

* [Map state (Step Functions developer guide)](https://docs.aws.amazon.com/step-functions/latest/dg/state-map.html)
* [Using Map state in Inline mode](https://docs.aws.amazon.com/step-functions/latest/dg/state-map-inline.html)
* [Using Map state in Distributed mode](https://docs.aws.amazon.com/step-functions/latest/dg/state-map-distributed.html)
* [Call Amazon EMR Serverless with Step Functions](https://docs.aws.amazon.com/step-functions/latest/dg/connect-emr-serverless.html)
* [AWS SDK service integrations](https://docs.aws.amazon.com/step-functions/latest/dg/supported-services-awssdk.html)
"""

from emrlint.model import INFINITE, INLINE_MAP_CONCURRENCY
from emrlint.rulekit import Param, Problem, is_unknown, quote

ID = "EMR114"
NAME = "stepfunctions-emr-fanout-unbounded"
SEVERITY = "warning"
KIND = "state_machine"
PARAMS = {
    "max_emr_fanout": Param(
        "integer", None,
        "Most EMR clusters, steps or job runs one Map state may have running at once; not set: only Map states "
        "without any limit fire.", minimum=1),
}

_WORK = {
    "elasticmapreduce:createCluster": "EMR cluster", "aws-sdk:emr:runJobFlow": "EMR cluster",
    "elasticmapreduce:addStep": "EMR step", "aws-sdk:emr:addJobFlowSteps": "EMR step",
    "emr-serverless:startJobRun": "EMR Serverless job run",
    "aws-sdk:emrserverless:startJobRun": "EMR Serverless job run",
    "emr-containers:startJobRun": "EMR on EKS job run", "aws-sdk:emrcontainers:startJobRun": "EMR on EKS job run",
}


def _work(fan) -> str:
    """What the Map's iterations start: "EMR Serverless job runs (state Aggregate)"."""
    kinds = []
    for task in fan.tasks:
        kind = _WORK.get(task.integration, "EMR task")
        if kind not in kinds:
            kinds.append(kind)
    states = ", ".join(sorted({t.state for t in fan.tasks})[:3]) + (", ..." if len({t.state for t in fan.tasks}) > 3 else "")
    plural = " or ".join(k + "s" for k in kinds)
    return f"{plural} (state{'s' if len({t.state for t in fan.tasks}) > 1 else ''} {states})"


def _how_many(fan) -> str:
    if fan.distributed:
        return "up to 10,000 child workflows at once"
    if fan.mode == "INLINE":
        return f"up to {INLINE_MAP_CONCURRENCY} iterations at once"
    return "as many iterations at once as it can"


def _count(n: float) -> str:
    return f"{int(n):,}" if n != INFINITE else "unlimited"


def check(machine, ctx):
    ceiling = ctx.params.get("max_emr_fanout")
    ceiling = ceiling if isinstance(ceiling, int) and not isinstance(ceiling, bool) and ceiling > 0 else None
    for fan in machine.maps:
        limit = fan.limit()
        if is_unknown(limit):
            continue  # MaxConcurrencyPath, a JSONata expression, an unknown value: decided at run time
        written = fan.section.field("max_concurrency")
        where = written.loc if written.present else fan.loc
        key = f"States.{fan.name}.MaxConcurrency"
        work = _work(fan)
        if fan.unbounded():
            zero = "sets MaxConcurrency to 0 (no limit)" if written.present else "has no MaxConcurrency"
            yield Problem(
                where,
                f"Map state {quote(fan.name)} {zero} and each iteration starts {work}: Step Functions runs "
                f"{_how_many(fan)}, a stampede that exhausts EMR quotas, IP addresses and capacity so runs fail "
                "instead of waiting their turn. Set MaxConcurrency to the number the account can run at once "
                "(or MaxConcurrencyPath to decide it at run time).",
                key=key,
            )
            continue
        if ceiling is None or fan.nested_unbounded:
            continue  # no repository limit; or a nested Map without a limit, which is reported itself
        fanout = fan.fanout()
        if is_unknown(fanout) or fanout <= ceiling:
            continue
        per = fan.per_iteration
        conc = fan.concurrency()
        how = f"{_count(conc)} iterations at once"
        if limit is not None and conc < limit and fan.mode == "INLINE":
            how += f" (MaxConcurrency {limit}, of which inline mode runs {INLINE_MAP_CONCURRENCY})"
        elif fan.items is not None and conc == fan.items:
            how += f" (one per item of its {fan.items}-item Items array)"
        if per > 1:
            how += f", {_count(per)} EMR tasks per iteration"
        suggestion = max(1, int(ceiling // per)) if per else ceiling
        yield Problem(
            where,
            f"Map state {quote(fan.name)} can have {_count(fanout)} {work} running at once ({how}), above this "
            f"repository's max_emr_fanout of {ceiling}; more concurrent EMR work than the account is sized for "
            f"fails or starves other workloads. Set MaxConcurrency to {suggestion} or less.",
            key=key,
        )
