"""An EMR Serverless application never stops, or stays started for long when idle.

An EMR Serverless application with pre-initialized capacity (`initial_capacity`) bills
those warm drivers and workers for as long as the application is started, whether jobs
run or not. Auto-stop releases them after the application has been idle for
`idle_timeout_minutes` (AWS's default: enabled, 15 minutes). Turning auto-stop off, or
setting a timeout of many hours, keeps paying for idle capacity.

## What fires

* `auto_stop_configuration { enabled = false }` (CloudFormation
  `AutoStopConfiguration.Enabled: false`, CreateApplication
  `autoStopConfiguration.enabled: false`): the finding points at `enabled`, where it was
  written (the attribute, a variable default, a module input, a tfvars line, a
  CloudFormation parameter `Default`);
* an `idle_timeout_minutes` (`IdleTimeoutMinutes`) above the parameter `max_idle_minutes`
  (default 60).

## What does not fire

* an application without `auto_stop_configuration`: AWS's default (auto-stop after 15
  idle minutes) is fine;
* `auto_stop_configuration` without `enabled` (it defaults to true) or without
  `idle_timeout_minutes` (15 minutes);
* unknown values (a variable without default, a `!Ref` to a parameter without `Default`)
  and a `dynamic "auto_stop_configuration"` block whose `for_each` is unknown.

## How to fix

Leave auto-stop on, with a short idle timeout:

```hcl
auto_stop_configuration {
  enabled              = true
  idle_timeout_minutes = 15
}
```

## Failing example

```hcl
resource "aws_emrserverless_application" "reporting" {
  name          = "reporting"
  release_label = "emr-7.1.0"
  type          = "spark"

  maximum_capacity {
    cpu    = "64 vCPU"
    memory = "256 GB"
  }

  auto_stop_configuration {
    enabled = false
  }
}
```

## Passing example

```hcl
resource "aws_emrserverless_application" "reporting" {
  name          = "reporting"
  release_label = "emr-7.1.0"
  type          = "spark"

  maximum_capacity {
    cpu    = "64 vCPU"
    memory = "256 GB"
  }

  auto_stop_configuration {
    enabled              = true
    idle_timeout_minutes = 15
  }
}
```

## Failing example (CloudFormation)

```yaml
AWSTemplateFormatVersion: "2010-09-09"
Resources:
  ReportingApplication:
    Type: AWS::EMRServerless::Application
    Properties:
      Name: reporting
      ReleaseLabel: emr-7.1.0
      Type: SPARK
      MaximumCapacity:
        Cpu: 64 vCPU
        Memory: 256 GB
      AutoStopConfiguration:
        Enabled: true
        IdleTimeoutMinutes: 480
```

## Passing example (CloudFormation)

```yaml
AWSTemplateFormatVersion: "2010-09-09"
Resources:
  ReportingApplication:
    Type: AWS::EMRServerless::Application
    Properties:
      Name: reporting
      ReleaseLabel: emr-7.1.0
      Type: SPARK
      MaximumCapacity:
        Cpu: 64 vCPU
        Memory: 256 GB
      AutoStopConfiguration:
        Enabled: true
        IdleTimeoutMinutes: 30
```

## References

* [EMR Serverless default application behavior: auto-start and auto-stop](https://docs.aws.amazon.com/emr/latest/EMR-Serverless-UserGuide/app-behavior.html)
* [Pre-initialized capacity](https://docs.aws.amazon.com/emr/latest/EMR-Serverless-UserGuide/pre-init-capacity.html)
* [Terraform `aws_emrserverless_application`](https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/emrserverless_application)
"""

from emrlint.model import is_false, known_number
from emrlint.rulekit import Param, Problem

ID = "EMR106"
NAME = "serverless-auto-stop-disabled"
SEVERITY = "warning"
KIND = "serverless_application"
PARAMS = {
    "max_idle_minutes": Param(
        "integer", 60,
        "Longest idle time (minutes) before an application must auto-stop and release its pre-initialized capacity.",
        minimum=1, maximum=10080, accepted="1 to 10080 (the idle timeouts AWS accepts)",
    ),
}


def _names(app):
    if app.source_format == "cloudformation":
        return "AutoStopConfiguration", "Enabled", "IdleTimeoutMinutes"
    if app.source_format == "create-application":
        return "autoStopConfiguration", "enabled", "idleTimeoutMinutes"
    return "auto_stop_configuration", "enabled", "idle_timeout_minutes"


def check(app, ctx):
    blocks = app.body.sections("auto_stop_configuration")
    if not blocks or any(b.maybe for b in blocks):
        return
    block = blocks[0]
    section, enabled_name, timeout_name = _names(app)
    enabled = block.field("enabled")
    if is_false(enabled.value):
        yield Problem(
            enabled.origin,
            f"{section}.{enabled_name} is false: the application never stops, and pre-initialized capacity bills for "
            f"as long as it is started, jobs or not. Set {enabled_name} to true with a short {timeout_name} "
            "(15 is AWS's default).",
            key="auto_stop_configuration.enabled",
        )
        return
    limit = known_number(ctx.params.get("max_idle_minutes"))
    timeout = block.field("idle_timeout_minutes")
    minutes = known_number(timeout.value)
    if limit is None or minutes is None or minutes <= limit:
        return
    yield Problem(
        timeout.origin,
        f"{section}.{timeout_name} is {minutes:g} minutes, above this repository's limit of {limit:g}; the application "
        "keeps its pre-initialized capacity (and bills it) that long after the last job. "
        f"Set {timeout_name} to {limit:g} or less (15 is AWS's default).",
        key="auto_stop_configuration.idle_timeout_minutes",
    )
