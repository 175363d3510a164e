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

Shuffle-optimized disks (`disk_type = "SHUFFLE_OPTIMIZED"`, EMR 7.1.0 and later) take
20 GB to 2 TB per worker. Values are strings with an optional unit: `"4 vCPU"`, `"4vCPU"`
or `"4"`; `"16 GB"`, `"16GB"` or `"16"`.

## What fires

* a worker `cpu` that is not 1, 2, 4, 8 or 16 vCPU;
* a worker `memory` outside the range of its vCPU, or not on the range's increments
  (`8 vCPU` with `18 GB`; `16 vCPU` with `100 GB`);
* a worker `disk` below 20 GB or above 200 GB (2000 GB for shuffle-optimized disks);
* a value EMR Serverless cannot read at all (`"4 cores"`, `"16 GiB"`, `"1.5 vCPU"`).

Each finding points where the value is written (the attribute, a variable default, a
module input, a tfvars line, a CloudFormation parameter `Default`).

## What does not fire

* unknown values (a variable without a default, a `!Ref` to a parameter without
  `Default`), and worker configurations that may not exist (a `dynamic` block with an
  unknown `for_each`);
* a `memory` whose `cpu` is itself invalid or unknown (the `cpu` finding comes first);
* a `disk` whose `disk_type` is unknown, unless it is outside 20 GB - 2 TB.

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

## References

* [Supported worker configurations](https://docs.aws.amazon.com/emr/latest/EMR-Serverless-UserGuide/app-behavior.html#worker-configs)
* [Using shuffle-optimized disks](https://docs.aws.amazon.com/emr/latest/EMR-Serverless-UserGuide/jobs-shuffle-optimized-disks.html)
* [`WorkerResourceConfig` (API reference)](https://docs.aws.amazon.com/emr-serverless/latest/APIReference/API_WorkerResourceConfig.html)
"""

import json
import re

from emrlint.rulekit import Problem
from emrlint.rules._serverless import (
    WORKER_DISK,
    WORKER_MEMORY,
    disk_limits,
    fmt,
    initial_capacity,
    is_malformed,
    memory_ok,
    memory_range,
    nearest_memory,
    parse_amount,
)

ID = "EMR105"
NAME = "serverless-worker-size-invalid"
SEVERITY = "error"
KIND = "serverless_application"

_SPELLING = {
    "cloudformation": {"cpu": "Cpu", "memory": "Memory", "disk": "Disk"},
}
_CPUS = ", ".join(str(c) for c in WORKER_MEMORY)


def _show(value):
    if isinstance(value, str):
        return f'"{value}"'
    return json.dumps(value) if isinstance(value, (list, dict)) else str(value)


def _suggest(value, unit, default):
    m = re.match(r"\s*([0-9]+)", value) if isinstance(value, str) else None
    return f'"{int(m.group(1)) if m else default} {unit}"'


def _name(app, dimension):
    return _SPELLING.get(app.source_format, {}).get(dimension, dimension)


_FAILS = "so creating or updating the application fails"


def _cpu_problems(app, where, key, cpu_f, cpu):
    name = _name(app, "cpu")
    if is_malformed(cpu_f.value, "cpu"):
        yield Problem(
            cpu_f.origin,
            f"{where}: {name} = {_show(cpu_f.value)} is not a vCPU count EMR Serverless reads, {_FAILS}. "
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
            f"{where}: {name} = {_show(memory_f.value)} is not an amount EMR Serverless reads, {_FAILS}. "
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


def _disk_problems(app, where, key, disk_f, disk_type):
    name = _name(app, "disk")
    if disk_f.value is None:
        return
    if is_malformed(disk_f.value, "disk"):
        yield Problem(
            disk_f.origin,
            f"{where}: {name} = {_show(disk_f.value)} is not an amount EMR Serverless reads, {_FAILS}. "
            f"Write whole GB, like {_suggest(disk_f.value, 'GB', 20)}.",
            key=f"{key}.disk",
        )
        return
    disk = parse_amount(disk_f.value, "disk")
    limits = disk_limits(disk_type)
    low, high = limits if limits is not None else WORKER_DISK["SHUFFLE_OPTIMIZED"]
    if disk is None or (low <= disk <= high and float(disk).is_integer()):
        return
    if limits is None:
        kind = "a worker disk of any type"
    elif high > WORKER_DISK["STANDARD"][1]:
        kind = "a shuffle-optimized disk"
    else:
        kind = "a standard worker disk"
    if disk > high and limits == WORKER_DISK["STANDARD"]:
        fix = f"Use at most {high} GB, or shuffle-optimized disks (up to {WORKER_DISK['SHUFFLE_OPTIMIZED'][1]} GB)."
    else:
        fix = f"Use {low}-{high} GB."
    yield Problem(
        disk_f.origin,
        f"{where}: {name} is {fmt(disk, 'disk')}, but {kind} takes whole GB from {low} to {high} GB, {_FAILS}. {fix}",
        key=f"{key}.disk",
    )


def check(app, ctx):
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
