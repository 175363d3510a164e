"""An EMR Serverless application's pre-initialized capacity is larger than its maximum capacity.

Pre-initialized workers (`initial_capacity`) count against the application's
`maximum_capacity`. When the workers of every type together need more vCPU, memory or
disk than the maximum allows, EMR Serverless cannot bring the application up: it refuses
the configuration or the application fails to start, and every job submitted to it
waits or fails.

The pre-initialized capacity of one dimension is the sum over worker types (`Driver`,
`Executor`, ...) of `worker_count` x the worker's `cpu` (or `memory`, or `disk`).
Capacities are read with their units: `"4 vCPU"`, `"4vCPU"` or `"4"`; `"16 GB"`,
`"16GB"` or `"16"`.

## What fires

* the sum of `worker_count` x `worker_configuration.cpu` over `initial_capacity` exceeds
  `maximum_capacity.cpu`; the same for `memory` and for `disk`. The finding points where
  the maximum is written (one finding per dimension), and lists each worker type's share;
  the initial capacity blocks are attached as related locations.

## What does not fire

* an application without `maximum_capacity` (EMR101 covers it), or whose
  `maximum_capacity` may not exist (a `dynamic` block with an unknown `for_each`);
* a dimension whose maximum is unknown or absent (`disk` is optional);
* worker types whose count or size is unknown, or that may not exist (a `dynamic`
  block with an unknown `for_each`): they are left out of the sum, and the rule only
  fires when the workers that are known already exceed the maximum;
* workers without an explicit `disk` are not counted towards the disk maximum.

## How to fix

Raise `maximum_capacity` to at least the pre-initialized capacity plus the room jobs
need to scale, or lower `worker_count`:

```hcl
initial_capacity {
  initial_capacity_type = "Executor"
  initial_capacity_config {
    worker_count = 4
    worker_configuration {
      cpu    = "4 vCPU"
      memory = "16 GB"
    }
  }
}

maximum_capacity {
  cpu    = "64 vCPU"
  memory = "256 GB"
}
```

## Failing example

```hcl
resource "aws_emrserverless_application" "streaming" {
  name          = "clickstream-enrich"
  release_label = "emr-7.1.0"
  type          = "spark"

  initial_capacity {
    initial_capacity_type = "Driver"
    initial_capacity_config {
      worker_count = 2
      worker_configuration {
        cpu    = "4 vCPU"
        memory = "16 GB"
      }
    }
  }

  initial_capacity {
    initial_capacity_type = "Executor"
    initial_capacity_config {
      worker_count = 10
      worker_configuration {
        cpu    = "4 vCPU"
        memory = "16 GB"
      }
    }
  }

  maximum_capacity {
    cpu    = "32 vCPU"
    memory = "256 GB"
  }
}
```

## Passing example

```hcl
resource "aws_emrserverless_application" "streaming" {
  name          = "clickstream-enrich"
  release_label = "emr-7.1.0"
  type          = "spark"

  initial_capacity {
    initial_capacity_type = "Driver"
    initial_capacity_config {
      worker_count = 2
      worker_configuration {
        cpu    = "4 vCPU"
        memory = "16 GB"
      }
    }
  }

  initial_capacity {
    initial_capacity_type = "Executor"
    initial_capacity_config {
      worker_count = 10
      worker_configuration {
        cpu    = "4 vCPU"
        memory = "16 GB"
      }
    }
  }

  maximum_capacity {
    cpu    = "96 vCPU"
    memory = "384 GB"
  }
}
```

## Failing example (CloudFormation)

```yaml
AWSTemplateFormatVersion: "2010-09-09"
Resources:
  StreamingApplication:
    Type: AWS::EMRServerless::Application
    Properties:
      Name: clickstream-enrich
      ReleaseLabel: emr-7.1.0
      Type: SPARK
      InitialCapacity:
        - Key: Driver
          Value:
            WorkerCount: 2
            WorkerConfiguration:
              Cpu: 4 vCPU
              Memory: 16 GB
        - Key: Executor
          Value:
            WorkerCount: 10
            WorkerConfiguration:
              Cpu: 4 vCPU
              Memory: 16 GB
      MaximumCapacity:
        Cpu: 96 vCPU
        Memory: 128 GB
```

## Passing example (CloudFormation)

```yaml
AWSTemplateFormatVersion: "2010-09-09"
Resources:
  StreamingApplication:
    Type: AWS::EMRServerless::Application
    Properties:
      Name: clickstream-enrich
      ReleaseLabel: emr-7.1.0
      Type: SPARK
      InitialCapacity:
        - Key: Driver
          Value:
            WorkerCount: 2
            WorkerConfiguration:
              Cpu: 4 vCPU
              Memory: 16 GB
        - Key: Executor
          Value:
            WorkerCount: 10
            WorkerConfiguration:
              Cpu: 4 vCPU
              Memory: 16 GB
      MaximumCapacity:
        Cpu: 96 vCPU
        Memory: 384 GB
```

## References

* [Configuring pre-initialized capacity](https://docs.aws.amazon.com/emr/latest/EMR-Serverless-UserGuide/pre-init-capacity.html)
* [Maximum capacity and supported worker configurations](https://docs.aws.amazon.com/emr/latest/EMR-Serverless-UserGuide/app-behavior.html)
* [Terraform `aws_emrserverless_application`](https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/emrserverless_application)
"""

from emrlint.model import known_number
from emrlint.rulekit import Problem
from emrlint.capacity import fmt, initial_capacity, initial_total, maximum_capacity, parse_amount

ID = "EMR104"
NAME = "serverless-initial-capacity-exceeds-maximum"
SEVERITY = "error"
KIND = "serverless_application"

_NAMES = {
    "terraform": {"cpu": "cpu", "memory": "memory", "disk": "disk", "max": "maximum_capacity",
                  "count": "worker_count"},
    "terraform-plan": {"cpu": "cpu", "memory": "memory", "disk": "disk", "max": "maximum_capacity",
                       "count": "worker_count"},
    "cloudformation": {"cpu": "Cpu", "memory": "Memory", "disk": "Disk", "max": "MaximumCapacity",
                       "count": "WorkerCount"},
    "create-application": {"cpu": "cpu", "memory": "memory", "disk": "disk", "max": "maximumCapacity",
                           "count": "workerCount"},
}


def check(app, ctx):
    maximum = maximum_capacity(app)
    if maximum is None:
        return
    workers = initial_capacity(app)
    if not workers:
        return
    names = _NAMES.get(app.source_format, _NAMES["terraform"])
    for dimension in ("cpu", "memory", "disk"):
        limit_f = maximum.field(dimension)
        limit = parse_amount(limit_f.value, dimension)
        if limit is None:
            continue
        total, parts = initial_total(workers, dimension)
        if total <= limit:
            continue
        shares = ", ".join(f"{w.label} {known_number(w.count.value):g} x {fmt(w.size(dimension), dimension)}"
                           for w, _ in parts)
        max_name = f"{names['max']}.{names[dimension]}"
        yield Problem(
            limit_f.origin,
            f"Pre-initialized capacity needs {fmt(total, dimension)} ({shares}) but {max_name} is "
            f"{fmt(limit, dimension)}; initial workers count against the maximum, so the application cannot start. "
            f"Raise {max_name} to at least {fmt(total, dimension)} (plus room for jobs to scale) or lower "
            f"{names['count']}.",
            related=tuple((f"initial capacity of {w.label}", w.loc) for w, _ in parts),
            key=f"maximum_capacity.{dimension}",
        )
