"""An EMR Serverless worker configuration has a size that EMR Serverless does not accept.

EMR Serverless runs workers in a fixed set of sizes. A pre-initialized worker
(`initial_capacity { ... worker_configuration { cpu, memory, disk } }`) outside that set
is rejected when the application is created or updated, so the deployment fails (often
only in the account where the new value is first applied).

Supported worker configurations (Amazon EMR Serverless User Guide, "Supported worker
configurations", checked against the current AWS documentation on 2026-11-25):

| vCPU | memory | disk |
|---|---|---|
| 1 | 2-8 GB, 1 GB increments | 20-200 GB |
| 2 | 4-16 GB, 1 GB increments | 20-200 GB |
| 4 | 8-30 GB, 1 GB increments | 20-200 GB |
| 8 | 16-60 GB, 4 GB increments | 20-200 GB |
| 16 | 32-120 GB, 8 GB increments | 20-200 GB |

Shuffle-optimized disks (CloudFormation and API `DiskType: SHUFFLE_OPTIMIZED`, Spark
`spark.emr-serverless.{driver,executor}.disk.type=shuffle_optimized`; EMR 7.1.0 and later)
take 20 GB to 2 TB per worker. Values are strings in the API's patterns (EMR Serverless
API, `WorkerResourceConfig`): `cpu` `"4 vCPU"`, `"4vCPU"` or `"4"`; `memory` `"16 GB"`,
`"16GB"` or `"16"`; `disk` `"20 GB"` or `"20GB"`: disk needs its unit, and a bare `"20"`
is rejected.

## What fires

* a worker `cpu` that is not 1, 2, 4, 8 or 16 vCPU;
* a worker `memory` outside the range of its vCPU, or not on the range's increments
  (`8 vCPU` with `18 GB`; `16 vCPU` with `100 GB`);
* a worker `disk` below 20 GB or above 200 GB (2000 GB for shuffle-optimized disks), or
  written without its unit (`disk = "100"`);
* a value EMR Serverless cannot read at all (`"4 cores"`, `"16 GiB"`, `"1.5 vCPU"`,
  `"4 vcpus"`);
* an EMR Serverless job run's Spark worker disk (`spark.emr-serverless.driver.disk` or
  `spark.emr-serverless.executor.disk` in `sparkSubmitParameters` or `spark-defaults`,
  written like `"500G"`) outside 20-200 GB, or 20-2000 GB with the matching
  `.disk.type=shuffle_optimized`.

Each finding points where the value is written (the attribute, a variable default, a
module input, a tfvars line, a CloudFormation parameter `Default`, the job's
`sparkSubmitParameters`).

## What does not fire

* unknown values (a variable without a default, a `!Ref` to a parameter without
  `Default`), and worker configurations that may not exist (a `dynamic` block with an
  unknown `for_each`);
* a `memory` whose `cpu` is itself invalid or unknown (the `cpu` finding comes first);
* a `disk` whose `disk_type` is unknown, unless it is outside 20 GB - 2 TB;
* a shuffle-optimized disk on a release below `emr-7.1.0` (the release, or the job run's
  application's release when it is in the scan): EMR604 reports the unsupported disk type,
  and its size is not checked against a range the release does not have;
* Spark disk sizes written in another form than whole gigabytes (`"512m"`, `"1t"`): Spark's
  size parser reads them, and emrlint does not guess how EMR Serverless rounds them.

Terraform's `worker_configuration` has no disk type attribute: its disks are standard.

## How to fix

Pick a supported size: for example 4 vCPU with 16 GB, 8 vCPU with 32 GB, 16 vCPU with
64 GB; keep `disk` between 20 and 200 GB (or use shuffle-optimized disks).

## Failing example

```hcl
resource "aws_emrserverless_application" "features" {
  name          = "feature-builder"
  release_label = "emr-7.1.0"
  type          = "spark"

  initial_capacity {
    initial_capacity_type = "Executor"
    initial_capacity_config {
      worker_count = 4
      worker_configuration {
        cpu    = "8 vCPU"
        memory = "18 GB"
        disk   = "100 GB"
      }
    }
  }

  maximum_capacity {
    cpu    = "128 vCPU"
    memory = "512 GB"
  }
}
```

## Passing example

```hcl
resource "aws_emrserverless_application" "features" {
  name          = "feature-builder"
  release_label = "emr-7.1.0"
  type          = "spark"

  initial_capacity {
    initial_capacity_type = "Executor"
    initial_capacity_config {
      worker_count = 4
      worker_configuration {
        cpu    = "8 vCPU"
        memory = "32 GB"
        disk   = "100 GB"
      }
    }
  }

  maximum_capacity {
    cpu    = "128 vCPU"
    memory = "512 GB"
  }
}
```

## Failing example (CloudFormation)

```yaml
AWSTemplateFormatVersion: "2010-09-09"
Resources:
  FeatureApplication:
    Type: AWS::EMRServerless::Application
    Properties:
      Name: feature-builder
      ReleaseLabel: emr-7.1.0
      Type: SPARK
      InitialCapacity:
        - Key: Driver
          Value:
            WorkerCount: 1
            WorkerConfiguration:
              Cpu: 6 vCPU
              Memory: 24 GB
      MaximumCapacity:
        Cpu: 128 vCPU
        Memory: 512 GB
```

## Passing example (CloudFormation)

```yaml
AWSTemplateFormatVersion: "2010-09-09"
Resources:
  FeatureApplication:
    Type: AWS::EMRServerless::Application
    Properties:
      Name: feature-builder
      ReleaseLabel: emr-7.1.0
      Type: SPARK
      InitialCapacity:
        - Key: Driver
          Value:
            WorkerCount: 1
            WorkerConfiguration:
              Cpu: 4 vCPU
              Memory: 24 GB
      MaximumCapacity:
        Cpu: 128 vCPU
        Memory: 512 GB
```

## Failing example (job run)

```json
{
  "applicationId": "00fgh7ak9d2rnb0l",
  "executionRoleArn": "arn:aws:iam::123456789012:role/emr-serverless-sessions",
  "executionTimeoutMinutes": 120,
  "jobDriver": {
    "sparkSubmit": {
      "entryPoint": "s3://acme-jobs/sessionize.py",
      "sparkSubmitParameters": "--conf spark.executor.cores=8 --conf spark.executor.memory=48g --conf spark.emr-serverless.executor.disk=500G"
    }
  }
}
```

## Passing example (job run)

```json
{
  "applicationId": "00fgh7ak9d2rnb0l",
  "executionRoleArn": "arn:aws:iam::123456789012:role/emr-serverless-sessions",
  "executionTimeoutMinutes": 120,
  "jobDriver": {
    "sparkSubmit": {
      "entryPoint": "s3://acme-jobs/sessionize.py",
      "sparkSubmitParameters": "--conf spark.executor.cores=8 --conf spark.executor.memory=48g --conf spark.emr-serverless.executor.disk=500G --conf spark.emr-serverless.executor.disk.type=shuffle_optimized"
    }
  }
}
```

## References

* [Supported worker configurations](https://docs.aws.amazon.com/emr/latest/EMR-Serverless-UserGuide/app-behavior.html#worker-configs)
* [Using shuffle-optimized disks](https://docs.aws.amazon.com/emr/latest/EMR-Serverless-UserGuide/jobs-shuffle-optimized-disks.html)
* [`WorkerResourceConfig` (API reference)](https://docs.aws.amazon.com/emr-serverless/latest/APIReference/API_WorkerResourceConfig.html)
* [Spark job properties (EMR Serverless user guide)](https://docs.aws.amazon.com/emr/latest/EMR-Serverless-UserGuide/jobs-spark.html)
"""

import re

from emrlint import data
from emrlint.capacity import fmt, initial_capacity, parse_amount
from emrlint.rulekit import Problem, Unknown, quote
from emrlint.values import number_from_text
from emrlint.rules._jobruns import application_of
from emrlint.lazyre import lazy_re
from emrlint.rules._serverless import (
    WORKER_DISK,
    WORKER_MEMORY,
    disk_limits,
    is_malformed,
    lacks_unit,
    memory_ok,
    memory_range,
    nearest_memory,
)

ID = "EMR105"
NAME = "serverless-worker-size-invalid"
SEVERITY = "error"
KIND = ("serverless_application", "job_run")

_SPELLING = {
    "cloudformation": {"cpu": "Cpu", "memory": "Memory", "disk": "Disk"},
}
_CPUS = ", ".join(str(c) for c in WORKER_MEMORY)


def _suggest(value, unit, default):
    m = re.match(r"\s*([0-9]+)", value) if isinstance(value, str) else None
    return f'"{(m.group(1).lstrip("0") or "0") if m else default} {unit}"'


def _name(app, dimension):
    return _SPELLING.get(app.source_format, {}).get(dimension, dimension)


_FAILS = "so creating or updating the application fails"


def _cpu_problems(app, where, key, cpu_f, cpu):
    name = _name(app, "cpu")
    if is_malformed(cpu_f.value, "cpu"):
        yield Problem(
            cpu_f.origin,
            f"{where}: {name} = {quote(cpu_f.value)} is not a vCPU count EMR Serverless reads, {_FAILS}. "
            f"Write one of {_CPUS} with its unit, like {_suggest(cpu_f.value, 'vCPU', 4)}.",
            key=f"{key}.cpu",
        )
    elif cpu is not None and memory_range(cpu) is None:
        yield Problem(
            cpu_f.origin,
            f"{where}: {name} is {fmt(cpu, 'cpu')}, but EMR Serverless workers have {_CPUS} vCPU, {_FAILS}. "
            'Pick a supported size (for example "4 vCPU").',
            key=f"{key}.cpu",
        )


def _memory_problems(app, where, key, memory_f, cpu):
    name = _name(app, "memory")
    if is_malformed(memory_f.value, "memory"):
        yield Problem(
            memory_f.origin,
            f"{where}: {name} = {quote(memory_f.value)} is not an amount EMR Serverless reads, {_FAILS}. "
            f"Write whole GB, like {_suggest(memory_f.value, 'GB', 16)}.",
            key=f"{key}.memory",
        )
        return
    memory = parse_amount(memory_f.value, "memory")
    limits = memory_range(cpu) if cpu is not None else None
    if memory is None or limits is None or memory_ok(cpu, memory):
        return
    low, high, step = limits
    yield Problem(
        memory_f.origin,
        f"{where}: {name} is {fmt(memory, 'memory')}, but a worker with {fmt(cpu, 'cpu')} takes {low}-{high} GB "
        f"in {step} GB increments, {_FAILS}. Use a supported size "
        f"(the nearest is \"{nearest_memory(cpu, memory)} GB\").",
        key=f"{key}.memory",
    )


def _disk_kind(limits) -> str:
    if limits is None:
        return "a worker disk of any type"
    return "a shuffle-optimized disk" if limits == WORKER_DISK["SHUFFLE_OPTIMIZED"] else "a standard worker disk"


def _shuffle_before_support(disk_type, label) -> bool:
    """A shuffle-optimized disk on a release known to predate them: EMR604's finding, not this rule's."""
    return (isinstance(disk_type, str) and disk_limits(disk_type) == WORKER_DISK["SHUFFLE_OPTIMIZED"]
            and data.supports(label, data.SHUFFLE_OPTIMIZED_DISKS) is False)


def _disk_problems(app, where, key, disk_f, disk_type):
    name = _name(app, "disk")
    if disk_f.value is None or _shuffle_before_support(disk_type, app.field("release_label").value):
        return
    if lacks_unit(disk_f.value, "disk"):
        yield Problem(
            disk_f.origin,
            f"{where}: {name} = {quote(disk_f.value)} has no unit, and EMR Serverless requires one for disk "
            f"(memory and cpu may omit theirs), {_FAILS}. Write {_suggest(str(disk_f.value), 'GB', 20)}.",
            key=f"{key}.disk",
        )
        return
    if is_malformed(disk_f.value, "disk"):
        yield Problem(
            disk_f.origin,
            f"{where}: {name} = {quote(disk_f.value)} is not an amount EMR Serverless reads, {_FAILS}. "
            f"Write whole GB, like {_suggest(disk_f.value, 'GB', 20)}.",
            key=f"{key}.disk",
        )
        return
    disk = parse_amount(disk_f.value, "disk")
    limits = disk_limits(disk_type)
    low, high = limits if limits is not None else WORKER_DISK["SHUFFLE_OPTIMIZED"]
    if disk is None or (low <= disk <= high and float(disk).is_integer()):
        return
    kind = _disk_kind(limits)
    if disk > high and limits == WORKER_DISK["STANDARD"]:
        fix = f"Use at most {high} GB, or shuffle-optimized disks (up to {WORKER_DISK['SHUFFLE_OPTIMIZED'][1]} GB)."
    else:
        fix = f"Use {low}-{high} GB."
    yield Problem(
        disk_f.origin,
        f"{where}: {name} is {fmt(disk, 'disk')}, but {kind} takes whole GB from {low} to {high} GB, {_FAILS}. {fix}",
        key=f"{key}.disk",
    )


# Spark worker disks of a job run (EMR Serverless user guide, "Spark job properties" and "Using
# shuffle-optimized disks"): spark.emr-serverless.driver.disk / .executor.disk, sizes such as "100G"
_SPARK_SIZE = lazy_re(r"^\s*([0-9]+)\s*[gG][bB]?\s*$")


def _job_disk_problems(job, ctx):
    exact, possible = application_of(job, ctx)
    label = exact[0].field("release_label").value if len(exact) == 1 and not possible else None
    for role in ("driver", "executor"):
        disk_f = job.spark.conf.get(f"spark.emr-serverless.{role}.disk")
        if disk_f is None or not isinstance(disk_f.value, str):
            continue
        type_f = job.spark.conf.get(f"spark.emr-serverless.{role}.disk.type")
        disk_type = None if type_f is None else type_f.value
        if isinstance(disk_type, Unknown) or _shuffle_before_support(disk_type, label):
            continue
        m = _SPARK_SIZE.match(disk_f.value)
        limits = disk_limits(disk_type)
        if m is None:
            continue  # a size written some other way: Spark's parser decides, not emrlint
        disk = number_from_text(m.group(1))  # any number of digits
        low, high = limits if limits is not None else WORKER_DISK["SHUFFLE_OPTIMIZED"]
        if low <= disk <= high:
            continue
        kind = _disk_kind(limits)
        fix = (f"Use at most {high}G, or shuffle-optimized disks (spark.emr-serverless.{role}.disk.type="
               f"shuffle_optimized, up to {WORKER_DISK['SHUFFLE_OPTIMIZED'][1]}G)."
               if disk > high and limits == WORKER_DISK["STANDARD"] else f"Use {low}G-{high}G.")
        yield Problem(
            disk_f.origin,
            f"Job run {role} disk spark.emr-serverless.{role}.disk is {disk} GB, but {kind} takes {low} to {high} GB, "
            f"so EMR Serverless rejects the job run. {fix}",
            key=f"spark.emr-serverless.{role}.disk",
        )


def check(app, ctx):
    if app.kind == "job_run":
        if getattr(app, "platform", "") == "serverless":
            yield from _job_disk_problems(app, ctx)
        return
    for workers in initial_capacity(app):
        if workers.maybe or workers.worker is None or getattr(workers.worker, "unknown", False):
            continue
        where = f"Initial capacity worker {workers.label}"
        key = f"initial_capacity[{workers.label}].worker_configuration"
        section = workers.worker
        cpu_f = section.field("cpu")
        cpu = parse_amount(cpu_f.value, "cpu")
        yield from _cpu_problems(app, where, key, cpu_f, cpu)
        yield from _memory_problems(app, where, key, section.field("memory"), cpu)
        yield from _disk_problems(app, where, key, section.field("disk"), section.field("disk_type").value)
