"""An EMR Serverless job run has no execution timeout, or one longer than the policy allows.

EMR Serverless cancels a job run after `executionTimeoutMinutes`. Left out, the
timeout is 720 minutes (12 hours); set to 0, the run never times out. A job that
hangs (a stuck stage, a deadlocked driver, a source that never answers) keeps its
workers for the whole time, and every worker-hour is billed. A timeout sized for
the job (a little above its longest normal run) turns a hang into a failed run
that alerts someone after minutes instead of a bill after half a day.

## What fires

* an EMR Serverless job run (a StartJobRun request in JSON or YAML, a Step
  Functions `emr-serverless:startJobRun` task in an ASL file, a SAM/CloudFormation
  state machine or an `aws_sfn_state_machine` definition) without
  `executionTimeoutMinutes` (AWS applies its 12-hour default);
* `executionTimeoutMinutes` set to 0 (no timeout at all);
* `executionTimeoutMinutes` above the parameter `max_job_timeout_minutes`.

## What does not fire

* a timeout emrlint cannot evaluate: a JSONPath parameter
  (`"ExecutionTimeoutMinutes.$": "$.timeout"`), a JSONata expression, a
  CloudFormation parameter without a default;
* streaming job runs (`mode` `STREAMING`), which run continuously by design
  and which AWS tells you to run with a timeout of 0; also runs whose `mode`
  cannot be evaluated;
* EMR on EKS job runs and job templates: their StartJobRun has no execution
  timeout (a timeout there is a Kubernetes or orchestration concern).

## How to fix

Set `executionTimeoutMinutes` a little above the job's longest normal run, for
example `"executionTimeoutMinutes": 90` for a job that usually takes an hour.

## Failing example (job run)

```json
{
  "applicationId": "00fgh7ak9d2rnb0l",
  "executionRoleArn": "arn:aws:iam::123456789012:role/emr-serverless-orders-job",
  "name": "orders-daily-aggregate",
  "jobDriver": {
    "sparkSubmit": {
      "entryPoint": "s3://acme-orders-jobs/aggregate/main.py",
      "sparkSubmitParameters": "--conf spark.executor.cores=4 --conf spark.executor.memory=16g"
    }
  }
}
```

## Passing example (job run)

```json
{
  "applicationId": "00fgh7ak9d2rnb0l",
  "executionRoleArn": "arn:aws:iam::123456789012:role/emr-serverless-orders-job",
  "name": "orders-daily-aggregate",
  "executionTimeoutMinutes": 90,
  "jobDriver": {
    "sparkSubmit": {
      "entryPoint": "s3://acme-orders-jobs/aggregate/main.py",
      "sparkSubmitParameters": "--conf spark.executor.cores=4 --conf spark.executor.memory=16g"
    }
  }
}
```

## Failing example (Step Functions in Terraform)

```hcl
resource "aws_sfn_state_machine" "orders" {
  name     = "orders-daily"
  role_arn = "arn:aws:iam::123456789012:role/orders-sfn"

  definition = jsonencode({
    StartAt = "Aggregate"
    States = {
      Aggregate = {
        Type     = "Task"
        Resource = "arn:aws:states:::emr-serverless:startJobRun.sync"
        Parameters = {
          ApplicationId           = "00fgh7ak9d2rnb0l"
          ExecutionRoleArn        = "arn:aws:iam::123456789012:role/emr-serverless-orders-job"
          ExecutionTimeoutMinutes = 0
          JobDriver = {
            SparkSubmit = { EntryPoint = "s3://acme-orders-jobs/aggregate/main.py" }
          }
        }
        End = true
      }
    }
  })
}
```

## Passing example (Step Functions in Terraform)

```hcl
resource "aws_sfn_state_machine" "orders" {
  name     = "orders-daily"
  role_arn = "arn:aws:iam::123456789012:role/orders-sfn"

  definition = jsonencode({
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
  })
}
```

## References

* [EMR Serverless StartJobRun: `executionTimeoutMinutes`](https://docs.aws.amazon.com/emr-serverless/latest/APIReference/API_StartJobRun.html)
* [EMR Serverless considerations: the default job run timeout is 12 hours](https://docs.aws.amazon.com/emr/latest/EMR-Serverless-UserGuide/considerations.html)
* [Step Functions: run an EMR Serverless job](https://docs.aws.amazon.com/step-functions/latest/dg/connect-emr-serverless.html)
"""

from emrlint.model import known_number
from emrlint.rulekit import Param, Problem, is_unknown

ID = "EMR110"
NAME = "job-run-timeout-missing"
SEVERITY = "warning"
KIND = "job_run"
PARAMS = {
    "max_job_timeout_minutes": Param(
        "integer", 720,
        "Longest executionTimeoutMinutes a job run may set (AWS's default when it is absent is 720).",
        minimum=1,
    ),
}

_DEFAULT_MAX = 720
_WHY = "a hung job keeps its workers, and is billed for them, until the timeout"


def _limit(ctx) -> float:
    value = known_number(ctx.params.get("max_job_timeout_minutes"))
    return value if value is not None and value > 0 else _DEFAULT_MAX


def check(job, ctx):
    if getattr(job, "platform", "") != "serverless":
        return  # EMR on EKS job runs have no execution timeout
    mode = job.field("mode").value
    if is_unknown(mode) or (isinstance(mode, str) and mode.strip().upper() == "STREAMING"):
        return  # streaming runs are meant to run continuously (or may be, when the mode is unknown)
    f = job.field("execution_timeout_minutes")
    value = f.value
    if is_unknown(value):
        return
    limit = _limit(ctx)
    if value is None:
        state = "evaluates to null" if f.present else "is not set"
        yield Problem(
            f.loc,
            f"Job run executionTimeoutMinutes {state}, so EMR Serverless cancels it only after its 12-hour default; "
            f"{_WHY}. Set executionTimeoutMinutes a little above the job's longest normal run "
            f"(at most {limit:g} minutes).",
            key="execution_timeout_minutes",
        )
        return
    minutes = known_number(value)
    if minutes is None:
        return  # not a number emrlint can read
    if minutes == 0:
        yield Problem(
            f.origin,
            "Job run sets executionTimeoutMinutes to 0, so it never times out: a hung run keeps its workers, and is "
            "billed for them, until someone cancels it. Set a timeout a little above the job's longest normal run "
            f"(at most {limit:g} minutes).",
            key="execution_timeout_minutes",
        )
    elif minutes > limit:
        yield Problem(
            f.origin,
            f"Job run executionTimeoutMinutes is {minutes:g}, above this repository's max_job_timeout_minutes of "
            f"{limit:g}; {_WHY}. Lower it to the job's longest normal run plus a margin.",
            key="execution_timeout_minutes",
        )
