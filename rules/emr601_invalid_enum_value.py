"""A value outside the set AWS accepts: the create request fails at apply time.

Terraform validates some of these at plan time, but not inside every nested block, not
for CloudFormation, and not for RunJobFlow or Step Functions requests, which only fail
when the stack is deployed or the state machine runs, often at night in a scheduled
pipeline. emrlint checks them wherever they are written.

## What fires

One finding per bad value, at the value (the attribute, the variable `default`, the
module input or the CloudFormation parameter `Default` it came from):

| value | accepted values |
|---|---|
| cluster `scale_down_behavior` / `ScaleDownBehavior` | `TERMINATE_AT_INSTANCE_HOUR`, `TERMINATE_AT_TASK_COMPLETION` |
| managed scaling `compute_limits.unit_type` / `ComputeLimits.UnitType` (`aws_emr_managed_scaling_policy`, CloudFormation and RunJobFlow `ManagedScalingPolicy`) | `Instances`, `InstanceFleetUnits`, `VCPU` |
| EBS volume `type` / `VolumeSpecification.VolumeType` of groups and fleet instance type configs | `gp3`, `gp2`, `io1`, `io2`, `st1`, `sc1`, `standard` |
| fleet `spot_specification.allocation_strategy` / `SpotSpecification.AllocationStrategy` | `capacity-optimized`, `price-capacity-optimized`, `lowest-price`, `diversified`, `capacity-optimized-prioritized` |
| fleet `spot_specification.timeout_action` / `TimeoutAction` | `SWITCH_TO_ON_DEMAND`, `TERMINATE_CLUSTER` |
| instance group `Market` (CloudFormation, RunJobFlow) | `ON_DEMAND`, `SPOT` |
| serverless application `type` / `Type` | `spark`, `hive` (any case: the API takes `Spark`, `SPARK`, `spark`) |
| serverless application `architecture` / `Architecture` | `ARM64`, `X86_64` |
| managed scaling `scaling_strategy` / `ManagedScalingPolicy.ScalingStrategy` | `DEFAULT`, `ADVANCED` |
| managed scaling `utilization_performance_index` / `UtilizationPerformanceIndex` | `1`, `25`, `50`, `75`, `100` |

Enumerations are case-sensitive (`spot` is not `SPOT`): the EMR and EMR Serverless APIs
model them as enums and reject other spellings with a `ValidationException`, and the AWS
provider validates them exactly. EBS volume types are an exception: the EMR API models
`VolumeType` as a free string and does not document whether `GP3` is accepted, so a
case-only difference fires only in Terraform, where the provider validates the type
case-sensitively. The message suggests the intended value.

A bad value written inside a block that exists only conditionally (a `dynamic` block,
a resource with `count`) still fires: whenever the block exists, AWS rejects it.

## What does not fire

* absent or null values (AWS defaults apply; missing required values are Terraform's
  and CloudFormation's own schema errors);
* values emrlint cannot evaluate: variables without default, values from an unknown
  `for_each`, `!Ref` to a parameter without `Default`, Step Functions `".$"` JSONPath
  parameters. Unknown is never bad.

## Anchor checks

tflint-ruleset-aws generates enum rules from the AWS API models for top-level resource
attributes, for example `aws_emr_cluster_invalid_scale_down_behavior` (same set as
here). Generated rules do not look inside nested blocks (`ebs_config`,
`launch_specifications`, `compute_limits`) and do not read CloudFormation or API
documents; this rule covers those with the same sets.

The sets were checked against the current EMR API reference (`ScaleDownBehavior`,
`ComputeLimits.UnitType`, `InstanceGroupConfig.Market`,
`SpotProvisioningSpecification.AllocationStrategy` and `TimeoutAction`), the
CloudFormation `SpotProvisioningSpecification` allowed values (the five allocation
strategies), the EMR Serverless API (`Architecture`: `ARM64`, `X86_64`), and the
AWS provider source (`validEBSVolumeType`, `enum.Validate` for the others). Decisions:

* **io2** is accepted although emrlint's rule catalogue and the EMR `VolumeSpecification`
  reference list only gp3, gp2, io1, st1, sc1 and standard: the AWS provider accepts `io2` for
  EMR volumes since hashicorp/terraform-provider-aws#37740 (2024), so emrlint cannot
  prove that AWS rejects it, and an `error` must be certain.
* **serverless `type`** is compared case-insensitively: the provider passes it through
  unvalidated (and stores it lower-cased), and the API accepts `Spark`/`SPARK`/`spark`
  and `Hive`/`HIVE`/`hive`.
* **`utilization_performance_index`** takes the five values the EMR API reference
  (`ManagedScalingPolicy`: "Possible values are 1, 25, 50, 75, and 100") and the AWS
  provider accept, although the API model states only a range of 1-100; `scaling_strategy`
  takes `DEFAULT` and `ADVANCED` (`ManagedScalingPolicy.ScalingStrategy`).
* the On-Demand `allocation_strategy` (`lowest-price`, `prioritized`) is not checked: it
  is not in this rule's catalogue entry.

## How to fix

Use one of the accepted values; the message names the closest one (`"SPOT"` for
`"spot"`, `"price-capacity-optimized"` for `"price-capacity-optimised"`).

## Failing example

```hcl
resource "aws_emr_cluster" "spark" {
  name                = "events"
  release_label       = "emr-7.1.0"
  service_role        = "EMR_DefaultRole"
  log_uri             = "s3://acme-emr-logs/events/"
  scale_down_behavior = "TERMINATE_AT_TASK_COMPLETE"

  master_instance_group {
    instance_type = "m6g.xlarge"
  }

  core_instance_group {
    instance_type  = "r6g.2xlarge"
    instance_count = 2

    ebs_config {
      size = 200
      type = "gp4"
    }
  }
}
```

## Passing example

```hcl
resource "aws_emr_cluster" "spark" {
  name                = "events"
  release_label       = "emr-7.1.0"
  service_role        = "EMR_DefaultRole"
  log_uri             = "s3://acme-emr-logs/events/"
  scale_down_behavior = "TERMINATE_AT_TASK_COMPLETION"

  master_instance_group {
    instance_type = "m6g.xlarge"
  }

  core_instance_group {
    instance_type  = "r6g.2xlarge"
    instance_count = 2

    ebs_config {
      size = 200
      type = "gp3"
    }
  }
}
```

## Failing example (CloudFormation)

```yaml
Resources:
  Cluster:
    Type: AWS::EMR::Cluster
    Properties:
      Name: events
      ReleaseLabel: emr-7.1.0
      JobFlowRole: EMR_EC2_DefaultRole
      ServiceRole: EMR_DefaultRole
      ManagedScalingPolicy:
        ComputeLimits:
          UnitType: Instance
          MinimumCapacityUnits: 2
          MaximumCapacityUnits: 20
      Instances:
        MasterInstanceGroup:
          InstanceCount: 1
          InstanceType: m6g.xlarge
        CoreInstanceGroup:
          InstanceCount: 2
          InstanceType: r6g.2xlarge
          Market: spot
          BidPrice: "0.25"
```

## Passing example (CloudFormation)

```yaml
Resources:
  Cluster:
    Type: AWS::EMR::Cluster
    Properties:
      Name: events
      ReleaseLabel: emr-7.1.0
      JobFlowRole: EMR_EC2_DefaultRole
      ServiceRole: EMR_DefaultRole
      ManagedScalingPolicy:
        ComputeLimits:
          UnitType: Instances
          MinimumCapacityUnits: 2
          MaximumCapacityUnits: 20
      Instances:
        MasterInstanceGroup:
          InstanceCount: 1
          InstanceType: m6g.xlarge
        CoreInstanceGroup:
          InstanceCount: 2
          InstanceType: r6g.2xlarge
          Market: ON_DEMAND
```

## Failing example (CreateApplication)

```json
{
  "name": "events-serverless",
  "releaseLabel": "emr-7.1.0",
  "type": "SPARK",
  "architecture": "arm64",
  "maximumCapacity": {"cpu": "200 vCPU", "memory": "800 GB"}
}
```

## References

* [RunJobFlow (`ScaleDownBehavior`, `ManagedScalingPolicy`)](https://docs.aws.amazon.com/emr/latest/APIReference/API_RunJobFlow.html)
* [ComputeLimits](https://docs.aws.amazon.com/emr/latest/APIReference/API_ComputeLimits.html)
* [ManagedScalingPolicy (`ScalingStrategy`, `UtilizationPerformanceIndex`)](https://docs.aws.amazon.com/emr/latest/APIReference/API_ManagedScalingPolicy.html)
* [VolumeSpecification](https://docs.aws.amazon.com/emr/latest/APIReference/API_VolumeSpecification.html)
* [SpotProvisioningSpecification](https://docs.aws.amazon.com/emr/latest/APIReference/API_SpotProvisioningSpecification.html)
* [InstanceGroupConfig (`Market`)](https://docs.aws.amazon.com/emr/latest/APIReference/API_InstanceGroupConfig.html)
* [EMR Serverless CreateApplication](https://docs.aws.amazon.com/emr-serverless/latest/APIReference/API_CreateApplication.html)
* [tflint-ruleset-aws](https://github.com/terraform-linters/tflint-ruleset-aws)
"""


from emrlint.capacity import join
from emrlint.rules._instance_config import (
    Merged,
    ebs_volumes,
    is_terraform,
    places,
    show,
    spot_specifications,
    text_value,
    units,
    where_loc,
)
from emrlint.rulekit import Problem

ID = "EMR601"
NAME = "invalid-enum-value"
SEVERITY = "error"
KIND = ("cluster", "instance_group", "instance_fleet", "managed_scaling_policy", "serverless_application")

SCALE_DOWN = ("TERMINATE_AT_INSTANCE_HOUR", "TERMINATE_AT_TASK_COMPLETION")
UNIT_TYPES = ("Instances", "InstanceFleetUnits", "VCPU")
VOLUME_TYPES = ("gp3", "gp2", "io1", "io2", "st1", "sc1", "standard")
ALLOCATION = ("capacity-optimized", "price-capacity-optimized", "lowest-price", "diversified",
              "capacity-optimized-prioritized")
TIMEOUT_ACTIONS = ("SWITCH_TO_ON_DEMAND", "TERMINATE_CLUSTER")
MARKETS = ("ON_DEMAND", "SPOT")
SERVERLESS_TYPES = ("spark", "hive")
ARCHITECTURES = ("ARM64", "X86_64")
SCALING_STRATEGIES = ("DEFAULT", "ADVANCED")
PERFORMANCE_INDEXES = ("1", "25", "50", "75", "100")


def _suggest(value: str, allowed) -> str:
    """The accepted value the writer most likely meant, or ''."""
    for a in allowed:
        if a.lower() == value.strip().lower():
            return a
    squashed = {a.lower().replace("-", "").replace("_", ""): a for a in allowed}
    key = value.strip().lower().replace("-", "").replace("_", "").replace(" ", "")
    if key in squashed:
        return squashed[key]
    import difflib  # only when a value is wrong

    close = difflib.get_close_matches(value.strip(), list(allowed), n=1, cutoff=0.6)
    if not close:
        close = difflib.get_close_matches(value.strip().lower(), [a.lower() for a in allowed], n=1, cutoff=0.6)
        close = [next(a for a in allowed if a.lower() == close[0])] if close else []
    return close[0] if close else ""


def _bad(value, allowed, case_sensitive=True):
    """The value as text when it is known and not accepted, else None."""
    text = text_value(value)
    if text is None:
        return None
    if case_sensitive:
        return None if text in allowed else text
    return None if text.strip().lower() in {a.lower() for a in allowed} else text


def _checks(res):
    """(field, attribute name, allowed values, case-sensitive, key, where) for every enum of the resource."""
    kind = getattr(res, "kind", "")
    body = res.body
    if kind == "serverless_application":
        yield body.field("type"), "type", SERVERLESS_TYPES, False, "type", "serverless application"
        yield body.field("architecture"), "architecture", ARCHITECTURES, True, "architecture", "serverless application"
        return
    if kind == "managed_scaling_policy":
        yield from _scaling_policy(body, "")
        return
    if kind == "cluster":
        yield body.field("scale_down_behavior"), "scale_down_behavior", SCALE_DOWN, True, "scale_down_behavior", "cluster"
        for ms in body.sections("managed_scaling_policy"):
            yield from _scaling_policy(ms, "managed_scaling_policy.")
    volume_case = is_terraform(res)
    for unit in units(res):
        if unit.kind == "group":
            yield unit.field("market"), "Market", MARKETS, True, join(unit.path, "market"), unit.label
        else:
            specs, _ = spot_specifications(unit.section)
            prefix = join(unit.path, "launch_specifications.spot_specification")
            for spec in specs:
                yield (spec.field("allocation_strategy"), "allocation_strategy", ALLOCATION, True,
                       f"{prefix}.allocation_strategy", unit.label)
                yield (spec.field("timeout_action"), "timeout_action", TIMEOUT_ACTIONS, True,
                       f"{prefix}.timeout_action", unit.label)
        for vol, key, where in ebs_volumes(unit):
            yield vol.field("type"), "EBS volume type", VOLUME_TYPES, volume_case, f"{key}.type", where


def _scaling_policy(policy, prefix):
    """The enums of a managed scaling policy (a separate resource, or a cluster's inline one)."""
    where = "managed scaling policy"
    yield policy.field("scaling_strategy"), "scaling_strategy", SCALING_STRATEGIES, True, f"{prefix}scaling_strategy", where
    yield (policy.field("utilization_performance_index"), "utilization_performance_index", PERFORMANCE_INDEXES, True,
           f"{prefix}utilization_performance_index", where)
    for cl in policy.sections("compute_limits"):
        yield cl.field("unit_type"), "unit_type", UNIT_TYPES, True, f"{prefix}compute_limits.unit_type", where


def check(res, ctx):
    found = Merged()
    for f, attr, allowed, case_sensitive, key, where in _checks(res):
        bad = _bad(f.value, allowed, case_sensitive)
        if bad is not None:
            found.add(f"{attr}|{bad}", where_loc(f), key, where, attr=attr, value=f.value, text=bad, allowed=allowed)
    for item in found:
        allowed = item["allowed"]
        hint = _suggest(item["text"], allowed)
        listing = ", ".join(allowed)
        if hint and hint.lower() == item["text"].strip().lower() and hint != item["text"]:
            fix = f"Write {show(hint)}: the value is case-sensitive."
        elif hint:
            fix = f"Did you mean {show(hint)}? Accepted values: {listing}."
        else:
            fix = f"Use one of: {listing}."
        yield Problem(
            item["loc"],
            f"{item['attr']} {show(item['value'])} on {places(item['wheres'])} is not a value AWS accepts, "
            f"so creating it fails at apply time. {fix}",
            key=item["key"],
        )
