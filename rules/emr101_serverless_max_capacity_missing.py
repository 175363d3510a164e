"""An EMR Serverless application has no maximum capacity guardrail.

Without `maximum_capacity`, an EMR Serverless application scales up to your
account's vCPU quota: one runaway job (a skewed join, an accidental
cross-product, a retry storm) can run thousands of vCPUs for hours. A maximum
capacity with both `cpu` and `memory` caps what the application as a whole can
use at any moment, across all of its jobs.

## What fires

* an `aws_emrserverless_application` without a `maximum_capacity` block
  (also when a `dynamic "maximum_capacity"` block provably produces nothing,
  for example `for_each = var.max == null ? [] : [var.max]` with `var.max`
  null);
* a `maximum_capacity` block without `cpu` or without `memory`, or where they
  evaluate to null.

## What does not fire

* a `maximum_capacity` whose values are unknown (a variable without default,
  a module input emrlint cannot evaluate): unknown is never missing;
* a `dynamic "maximum_capacity"` block whose `for_each` is unknown.

## How to fix

Add a `maximum_capacity` block sized for the largest legitimate workload:

```hcl
maximum_capacity {
  cpu    = "200 vCPU"
  memory = "1000 GB"
}
```

## Failing example

```hcl
resource "aws_emrserverless_application" "spark" {
  name          = "etl"
  release_label = "emr-7.1.0"
  type          = "spark"
}
```

## Passing example

```hcl
resource "aws_emrserverless_application" "spark" {
  name          = "etl"
  release_label = "emr-7.1.0"
  type          = "spark"

  maximum_capacity {
    cpu    = "200 vCPU"
    memory = "1000 GB"
  }
}
```

## References

* [Configuring an application: maximum capacity](https://docs.aws.amazon.com/emr/latest/EMR-Serverless-UserGuide/application-capacity.html)
* [Terraform `aws_emrserverless_application`](https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/emrserverless_application)
"""

from emrlint.rulekit import Problem

ID = "EMR101"
NAME = "serverless-max-capacity-missing"
SEVERITY = "error"
KIND = "serverless_application"

_WHY = "without it the application can scale to the account's vCPU quota and its bill is unbounded"


def check(app, ctx):
    blocks = app.body.sections("maximum_capacity")
    if any(b.maybe for b in blocks):
        return
    if not blocks:
        yield Problem(
            app.loc,
            f"EMR Serverless application has no maximum_capacity; {_WHY}. "
            'Add maximum_capacity { cpu = "200 vCPU", memory = "1000 GB" } sized for your largest job.',
            key="maximum_capacity",
        )
        return
    block = blocks[0]
    for name in ("cpu", "memory"):
        f = block.field(name)
        if f.missing:
            written = "is null" if f.present else "is not set"
            yield Problem(
                f.loc,
                f"maximum_capacity.{name} {written}; a maximum capacity needs both cpu and memory, "
                f"{_WHY}. Set {name} (for example {name} = \"{'200 vCPU' if name == 'cpu' else '1000 GB'}\").",
                key=f"maximum_capacity.{name}",
            )
