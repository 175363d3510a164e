"""A Spark job run uses dynamic allocation without `spark.dynamicAllocation.maxExecutors`.

With dynamic allocation Spark asks for more executors whenever tasks are
waiting, and `spark.dynamicAllocation.maxExecutors` defaults to infinity. One
skewed stage or a job run on an unexpectedly large input can then grow to
hundreds of executors: on EMR Serverless up to the application's maximum
capacity (or the account quota when it has none), on EMR on EKS up to whatever
the node groups and Karpenter will provision. A per-job ceiling keeps one job
from starving the others and bounds its cost.

On EMR Serverless dynamic allocation is on by default; on EMR on EKS it is off
unless the job turns it on (`spark.dynamicAllocation.enabled=true`, with shuffle
tracking).

## What fires

* an EMR Serverless Spark job run (StartJobRun JSON/YAML, a Step Functions
  `emr-serverless:startJobRun` task) that does not set
  `spark.dynamicAllocation.enabled=false` and sets no
  `spark.dynamicAllocation.maxExecutors`: neither as `--conf` in
  `sparkSubmitParameters`, nor in a `spark-defaults` classification of its
  `configurationOverrides`, nor in the `runtime_configuration` of its
  application when that application is in the scan;
* an EMR on EKS job run or `aws_emrcontainers_job_template` that sets
  `spark.dynamicAllocation.enabled=true` without `maxExecutors`.

## What does not fire

* job runs whose Spark parameters or configuration overrides cannot be read (a
  JSONPath parameter such as `"SparkSubmitParameters.$": "$.params"`, a variable
  without default, unbalanced quotes), a `spark.dynamicAllocation.enabled` value
  that is unknown or a job template placeholder (`${dra}`), or an application
  whose runtime configuration is unknown;
* Hive job runs.

## How to fix

Add `--conf spark.dynamicAllocation.maxExecutors=50` (sized for the job) to
`sparkSubmitParameters`, or put it in the job's (or the application's)
`spark-defaults`; or turn dynamic allocation off and size the job with
`spark.executor.instances`.

## Failing example (job run)

```json
{
  "applicationId": "00fgh7ak9d2rnb0l",
  "executionRoleArn": "arn:aws:iam::123456789012:role/emr-serverless-clickstream-job",
  "executionTimeoutMinutes": 120,
  "jobDriver": {
    "sparkSubmit": {
      "entryPoint": "s3://acme-clickstream-jobs/sessionize/main.py",
      "sparkSubmitParameters": "--conf spark.executor.cores=4 --conf spark.executor.memory=16g"
    }
  }
}
```

## Passing example (job run)

```json
{
  "applicationId": "00fgh7ak9d2rnb0l",
  "executionRoleArn": "arn:aws:iam::123456789012:role/emr-serverless-clickstream-job",
  "executionTimeoutMinutes": 120,
  "jobDriver": {
    "sparkSubmit": {
      "entryPoint": "s3://acme-clickstream-jobs/sessionize/main.py",
      "sparkSubmitParameters": "--conf spark.executor.cores=4 --conf spark.executor.memory=16g --conf spark.dynamicAllocation.maxExecutors=40"
    }
  }
}
```

## Failing example (EMR on EKS job template)

```hcl
resource "aws_emrcontainers_job_template" "sessionize" {
  name = "sessionize"

  job_template_data {
    execution_role_arn = "arn:aws:iam::123456789012:role/emr-eks-sessionize"
    release_label      = "emr-7.1.0-20240321"

    job_driver {
      spark_submit_job_driver {
        entry_point             = "s3://acme-clickstream-jobs/sessionize/main.py"
        spark_submit_parameters = "--conf spark.dynamicAllocation.enabled=true --conf spark.dynamicAllocation.shuffleTracking.enabled=true"
      }
    }
  }
}
```

## Passing example (EMR on EKS job template)

```hcl
resource "aws_emrcontainers_job_template" "sessionize" {
  name = "sessionize"

  job_template_data {
    execution_role_arn = "arn:aws:iam::123456789012:role/emr-eks-sessionize"
    release_label      = "emr-7.1.0-20240321"

    job_driver {
      spark_submit_job_driver {
        entry_point             = "s3://acme-clickstream-jobs/sessionize/main.py"
        spark_submit_parameters = "--conf spark.dynamicAllocation.enabled=true --conf spark.dynamicAllocation.shuffleTracking.enabled=true"
      }
    }

    configuration_overrides {
      application_configuration {
        classification = "spark-defaults"
        properties = {
          "spark.dynamicAllocation.maxExecutors" = "40"
        }
      }
    }
  }
}
```

## References

* [EMR Serverless: Spark default properties (dynamic allocation on, maxExecutors infinity)](https://docs.aws.amazon.com/emr/latest/EMR-Serverless-UserGuide/jobs-spark.html)
* [EMR Serverless: default application configuration](https://docs.aws.amazon.com/emr/latest/EMR-Serverless-UserGuide/default-configs.html)
* [EMR on EKS best practices: dynamic resource allocation](https://aws.github.io/aws-emr-containers-best-practices/performance/docs/dra/)
* [Apache Spark: dynamic allocation properties](https://spark.apache.org/docs/latest/configuration.html#dynamic-allocation)
"""

from emrlint.model import Field, is_false, is_true
from emrlint.rulekit import Problem, is_unknown
from emrlint.rules._jobruns import (
    application_of,
    is_spark_job,
    overrides_unknown,
    placeholder,
    section_spark_defaults,
    spark_default_properties,
    submit_sections,
)

ID = "EMR111"
NAME = "spark-dynamic-allocation-unbounded"
SEVERITY = "info"
KIND = "job_run"

ENABLED = "spark.dynamicAllocation.enabled"
MAX = "spark.dynamicAllocation.maxExecutors"


def _settings(job, ctx):
    """The job's Spark settings (key -> Field), the application's spark-defaults (key -> value),
    or None when any of them cannot be read."""
    conf = dict(job.spark.conf)
    written = spark_default_properties(job)  # job template spark-defaults blocks
    if written is None or any(props.unknown for props in written):
        return None
    for props in written:
        for key, value in (props.value if isinstance(props.value, dict) else {}).items():
            conf.setdefault(key, Field(value, True, props.attr_loc))
    app_defaults = {}
    exact, possible = application_of(job, ctx)
    if possible:
        return None  # it may run on an application whose defaults emrlint cannot tell apart
    for app in exact:
        defaults = section_spark_defaults(app.body, "runtime_configuration")
        if is_unknown(defaults):
            return None
        if isinstance(defaults, dict):
            app_defaults = {**defaults, **app_defaults}
    return conf, app_defaults


def _where(job, enabled):
    if enabled is not None:
        return enabled.origin
    for submit in submit_sections(job):
        params = submit.field("spark_submit_parameters")
        if params.present:
            return params.loc
    overrides = job.field("configuration_overrides")
    if overrides.present:
        return overrides.loc
    blocks = job.body.sections("configuration_overrides")
    return blocks[0].loc if blocks else job.loc


def check(job, ctx):
    if not job.spark.known or overrides_unknown(job) or not is_spark_job(job):
        return
    settings = _settings(job, ctx)
    if settings is None:
        return
    conf, app_defaults = settings
    enabled_f = conf.get(ENABLED)
    enabled = enabled_f.value if enabled_f is not None else app_defaults.get(ENABLED)
    if is_unknown(enabled) or placeholder(enabled):
        return
    serverless = job.platform == "serverless"
    on = not is_false(enabled) if serverless else is_true(enabled)
    if not on:
        return
    if MAX in conf or MAX in app_defaults:
        return
    if serverless and enabled is None:
        why = ("Spark job run uses dynamic allocation (on by default on EMR Serverless) without "
               "spark.dynamicAllocation.maxExecutors, so one skewed stage can scale it to hundreds of executors, "
               "up to the application's maximum capacity")
    else:
        why = ("Spark job run turns dynamic allocation on without spark.dynamicAllocation.maxExecutors "
               "(unbounded by default), so one skewed stage can scale it to as many executors as the "
               + ("application" if serverless else "EKS cluster") + " will provide")
    yield Problem(
        _where(job, enabled_f),
        f"{why}. Add --conf spark.dynamicAllocation.maxExecutors=<n> sized for the job, or turn dynamic allocation "
        "off and set spark.executor.instances.",
        key=MAX,
    )
