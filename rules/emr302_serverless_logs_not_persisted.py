"""Neither an EMR Serverless application nor its job runs send logs anywhere but the 30-day managed storage.

By default EMR Serverless keeps job logs (Spark driver and executor logs, event
logs for the Spark UI) in managed storage for 30 days, and only reachable
through the console while the job is recent. A failure investigated after a
month, an audit, or a comparison with last quarter's run finds nothing. Sending
logs to your own S3 bucket (`s3MonitoringConfiguration.logUri`) or to CloudWatch
Logs (`cloudWatchLoggingConfiguration.enabled`) keeps them as long as you decide
and makes them searchable.

The setting can be made on the application (applying to all its job runs) or on
each job run, so emrlint reads both: when an application and the job runs that
use it are in the same scan (a Terraform root module, a CloudFormation
template), either one persisting logs is enough.

## What fires

* an EMR Serverless application (`aws_emrserverless_application`,
  `AWS::EMRServerless::Application`, a CreateApplication request) without a
  `monitoring_configuration` that writes to S3 (`s3_monitoring_configuration {
  log_uri }`) or CloudWatch (`cloudwatch_logging_configuration { enabled = true
  }`), none of whose job runs in the scan does either (an application with no
  job run in the scan is judged on its own settings);
* a job run (a Step Functions `emr-serverless:startJobRun` task, a StartJobRun
  request) whose application is in the scan and persists nothing, and whose own
  `configurationOverrides.monitoringConfiguration` has neither
  `s3MonitoringConfiguration.logUri` nor `cloudWatchLoggingConfiguration.enabled: true`.

## What does not fire

* a job run whose application is not in the scan (an application ID written as
  a literal, or passed in as a parameter): the application's settings are
  unknown;
* settings emrlint cannot evaluate (a JSONPath parameter such as
  `"ConfigurationOverrides.$": "$.overrides"`, a variable without default, a
  `dynamic` block with an unknown `for_each`); an application that a job run
  with an unknown application ID in the same scan may log for;
* `managedPersistenceMonitoringConfiguration` and Prometheus metrics do not
  count as persisting logs (the first is the 30-day managed storage itself).

## How to fix

Add a monitoring configuration to the application (it applies to every job
run), or to each job run's `configurationOverrides`:

```hcl
monitoring_configuration {
  s3_monitoring_configuration {
    log_uri = "s3://acme-emr-serverless-logs/etl/"
  }
}
```

## Failing example

```hcl
resource "aws_emrserverless_application" "etl" {
  name          = "etl"
  release_label = "emr-7.1.0"
  type          = "spark"

  maximum_capacity {
    cpu    = "200 vCPU"
    memory = "1000 GB"
  }
}
```

## Passing example

```hcl
resource "aws_emrserverless_application" "etl" {
  name          = "etl"
  release_label = "emr-7.1.0"
  type          = "spark"

  maximum_capacity {
    cpu    = "200 vCPU"
    memory = "1000 GB"
  }

  monitoring_configuration {
    s3_monitoring_configuration {
      log_uri = "s3://acme-emr-serverless-logs/etl/"
    }
  }
}
```

## Failing example (CloudFormation)

```yaml
Resources:
  EtlApplication:
    Type: AWS::EMRServerless::Application
    Properties:
      Name: etl
      ReleaseLabel: emr-7.1.0
      Type: SPARK
      MonitoringConfiguration:
        ManagedPersistenceMonitoringConfiguration:
          Enabled: true
```

## Passing example (CloudFormation)

```yaml
Resources:
  EtlApplication:
    Type: AWS::EMRServerless::Application
    Properties:
      Name: etl
      ReleaseLabel: emr-7.1.0
      Type: SPARK
      MonitoringConfiguration:
        S3MonitoringConfiguration:
          LogUri: s3://acme-emr-serverless-logs/etl/
```

## References

* [EMR Serverless: storing logs (managed storage, S3, CloudWatch)](https://docs.aws.amazon.com/emr/latest/EMR-Serverless-UserGuide/logging.html)
* [EMR Serverless: default application configuration (monitoring)](https://docs.aws.amazon.com/emr/latest/EMR-Serverless-UserGuide/default-configs.html)
* [Terraform `aws_emrserverless_application` monitoring_configuration](https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/emrserverless_application)
"""

import os

from emrlint.model import is_true
from emrlint.rulekit import Problem, is_unknown, quote
from emrlint.rules._jobruns import application_of, dig, serverless_job_links

ID = "EMR302"
NAME = "serverless-logs-not-persisted"
SEVERITY = "info"
KIND = ("serverless_application", "job_run")

_MAYBE = "maybe"  # persisting may be configured: emrlint cannot tell


def _persisting(log_uri, enabled):
    """True when a log URI or CloudWatch logging is set, _MAYBE when one may be, else False."""
    if isinstance(log_uri, str) and log_uri.strip():
        return True
    if is_true(enabled):
        return True
    if is_unknown(log_uri) or is_unknown(enabled):
        return _MAYBE
    return False


def app_persists(app):
    """Whether the application's monitoring configuration sends logs to S3 or CloudWatch."""
    result = False
    for block in app.body.sections("monitoring_configuration"):
        targets = [(s, s.field("log_uri").value, None) for s in block.sections("s3_monitoring_configuration")]
        targets += [(s, None, s.field("enabled").value) for s in block.sections("cloudwatch_logging_configuration")]
        for sub, log_uri, enabled in targets:
            state = _persisting(log_uri, enabled)
            if state is True and not (block.maybe or sub.maybe):
                return True
            if state is not False:
                result = _MAYBE  # it does, or may, in a block that may not exist
    return result


def job_persists(job):
    """Whether the job run's configurationOverrides.monitoringConfiguration sends logs to S3 or CloudWatch."""
    overrides = job.field("configuration_overrides").value
    monitoring = dig(overrides, "monitoring_configuration")
    if monitoring is None:
        return False
    if is_unknown(monitoring):
        return _MAYBE
    return _persisting(dig(monitoring, "s3_monitoring_configuration", "log_uri"),
                       dig(monitoring, "cloudwatch_logging_configuration", "enabled"))


def _app_location(app):
    """Where to add or fix the application's log destination, and what is wrong there."""
    blocks = app.body.sections("monitoring_configuration")
    if blocks:
        for s3 in blocks[0].sections("s3_monitoring_configuration"):
            f = s3.field("log_uri")
            if f.present:
                state = ("evaluates to null" if f.value is None else "is empty" if isinstance(f.value, str)
                         else f"is {quote(f.value)}, not an S3 URI")
                return f.loc, f"EMR Serverless application's s3_monitoring_configuration.log_uri {state}"
        return blocks[0].loc, ("EMR Serverless application's monitoring_configuration sends logs neither to S3 "
                               "nor to CloudWatch")
    return app.loc, "EMR Serverless application has no monitoring_configuration that sends logs to S3 or CloudWatch"


def _in_source(app, ctx):
    """A plan's application that is also in the scanned Terraform source (the root module the plan
    was made from, at or above the plan's directory): the source, which has the job runs (plans are
    read without their state machines), decides."""
    if app.source_format != "terraform-plan":
        return False
    directory = os.path.dirname(app.file)
    roots = set()
    while True:
        roots.add(directory)
        parent = os.path.dirname(directory)
        if parent == directory:
            break
        directory = parent
    return any(r.kind == app.kind and r.address == app.address and r.source_format == "terraform" and r.root in roots
               for r in ctx.model.resources)


def _check_app(app, ctx):
    if app_persists(app) is not False or _in_source(app, ctx):
        return
    runs = 0
    for job, exact, possible in serverless_job_links(ctx):
        if job.root != app.root:
            continue
        app_id = job.field("application_id").value
        linked = any(a is app for a in exact + possible)
        may_be_linked = is_unknown(app_id) and not exact and not possible and not app_id.refs
        if not (linked or may_be_linked):
            continue
        if job_persists(job) is not False:
            return  # this job run (possibly of this application) persists its logs, or may
        if linked:
            runs += 1
    loc, what = _app_location(app)
    also = {0: "", 1: ", nor does its job run in this configuration"}.get(
        runs, f", nor do any of its {runs} job runs in this configuration")
    yield Problem(
        loc,
        f"{what}{also}, so job logs live only in the 30-day managed storage and are gone when a "
        "failure is investigated later. Add monitoring_configuration { s3_monitoring_configuration { log_uri = "
        "\"s3://...\" } } (or CloudWatch logging) to the application, or a monitoringConfiguration to each job run.",
        key="monitoring_configuration",
    )


def _check_job(job, ctx):
    if getattr(job, "platform", "") != "serverless" or job_persists(job) is not False:
        return
    exact, possible = application_of(job, ctx)
    if not exact or possible:
        return  # the application is not in the scan (or which one it is is unknown): its settings are unknown
    if any(app_persists(app) is not False for app in exact):
        return
    overrides = job.field("configuration_overrides")
    where = overrides.loc if overrides.present else job.loc
    names = ", ".join(app.address for app in exact)
    yield Problem(
        where,
        f"Job run sends its logs neither to S3 nor to CloudWatch, and neither does its application {names}, so its "
        "logs live only in the 30-day managed storage. Add configurationOverrides.monitoringConfiguration."
        "s3MonitoringConfiguration.logUri (or enable cloudWatchLoggingConfiguration), or a monitoring_configuration "
        "on the application.",
        key="configuration_overrides.monitoring_configuration",
    )


def check(resource, ctx):
    if resource.kind == "serverless_application":
        yield from _check_app(resource, ctx)
    else:
        yield from _check_job(resource, ctx)
