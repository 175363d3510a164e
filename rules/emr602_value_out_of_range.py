"""A number outside the range AWS accepts: the create request fails at apply time.

These limits are enforced by the EMR API when the cluster, group or fleet is created,
so a bad value survives `terraform validate`, CloudFormation linting and code review
and only fails when the stack deploys or the scheduled pipeline calls RunJobFlow.

## What fires

One finding per bad value, at the value (the attribute, the variable `default`, the
module input or the CloudFormation parameter `Default` it came from):

* `auto_termination_policy.idle_timeout` / `AutoTerminationPolicy.IdleTimeout` outside
  60-604800 seconds (one minute to seven days);
* an EBS volume `size` / `VolumeSpecification.SizeInGB` outside 1-1024 GiB (the range in
  the EMR `VolumeSpecification` reference; larger volumes are not accepted for EMR
  attached volumes, use `volumes_per_instance` instead);
* an EBS volume `throughput` / `Throughput` set on a volume whose type is not `gp3`, or
  outside 125-1000 MiB/s;
* an instance count below 1 for the primary and core instance groups
  (`instance_count` / `InstanceCount`);
* a negative instance count for task instance groups (inline CloudFormation/RunJobFlow
  task groups, `aws_emr_instance_group`, `AWS::EMR::InstanceGroupConfig`);
* an instance fleet's `instance_type_configs.weighted_capacity` / `WeightedCapacity`
  below 1 (the API requires 1 or more for core and task fleets, and exactly 1 for the
  primary fleet).

A bad value written inside a block that exists only conditionally (a `dynamic` block,
a resource with `count`) still fires: whenever the block exists, AWS rejects it.

## What does not fire

* a task instance group with 0 instances: task groups are routinely created or resized
  to 0 (managed scaling and automatic scaling start them there), and the AWS provider
  sends `InstanceCount = 1` when an `aws_emr_instance_group` says `instance_count = 0`
  at creation (its `instance_count` is optional and computed; 0 reads as unset);
* fleets' `target_on_demand_capacity` and `target_spot_capacity`: they are unit targets,
  not instance counts, and 0 is how a fleet says "no On-Demand" or "no Spot";
* `throughput = 0` (AWS providers and SDKs treat 0 as unset) and, in Terraform plan JSON,
  `idle_timeout = 0` (how a plan shows an unset value);
* values emrlint cannot evaluate (unknown is never bad), absent values (AWS defaults
  apply), `ebs_root_volume_size`.

## Anchor checks

The AWS API limits: `AutoTerminationPolicy.IdleTimeout` ("a minimum of 60 seconds and a
maximum of 604800 seconds"), `VolumeSpecification.SizeInGB` ("a number from 1 - 1024")
and `Throughput` ("from 125 - 1000 and is valid only for gp3 volumes"),
`InstanceTypeConfig.WeightedCapacity` ("must be 1 or greater for core and task instance
fleets"). The AWS provider enforces the idle timeout (`IntBetween(60, 604800)`), the core
group count (`IntAtLeast(1)`) and the primary group count (1 or 3) at plan time for
Terraform; CloudFormation, RunJobFlow and Step Functions requests are only checked by the
API. (The primary group's "1 or 3" is not checked here: this rule only reports counts below 1.)

## How to fix

Use a value inside the range; the message gives it. For more EBS capacity than
1024 GiB per node, add volumes (`volumes_per_instance`) instead of growing one volume.

## Failing example

```hcl
resource "aws_emr_cluster" "spark" {
  name          = "adhoc"
  release_label = "emr-7.1.0"
  service_role  = "EMR_DefaultRole"
  log_uri       = "s3://acme-emr-logs/adhoc/"

  auto_termination_policy {
    idle_timeout = 30
  }

  master_instance_group {
    instance_type = "m6g.xlarge"
  }

  core_instance_group {
    instance_type  = "r6g.2xlarge"
    instance_count = 2

    ebs_config {
      size       = 2048
      type       = "gp2"
      throughput = 250
    }
  }
}
```

## Passing example

```hcl
resource "aws_emr_cluster" "spark" {
  name          = "adhoc"
  release_label = "emr-7.1.0"
  service_role  = "EMR_DefaultRole"
  log_uri       = "s3://acme-emr-logs/adhoc/"

  auto_termination_policy {
    idle_timeout = 1800
  }

  master_instance_group {
    instance_type = "m6g.xlarge"
  }

  core_instance_group {
    instance_type  = "r6g.2xlarge"
    instance_count = 2

    ebs_config {
      size                 = 1024
      type                 = "gp3"
      throughput           = 250
      volumes_per_instance = 2
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
      Name: adhoc
      ReleaseLabel: emr-7.1.0
      JobFlowRole: EMR_EC2_DefaultRole
      ServiceRole: EMR_DefaultRole
      AutoTerminationPolicy:
        IdleTimeout: 1209600
      Instances:
        MasterInstanceFleet:
          TargetOnDemandCapacity: 1
          InstanceTypeConfigs:
            - InstanceType: m6g.xlarge
        CoreInstanceFleet:
          TargetOnDemandCapacity: 8
          InstanceTypeConfigs:
            - InstanceType: r6g.2xlarge
              WeightedCapacity: 0
```

## Passing example (CloudFormation)

```yaml
Resources:
  Cluster:
    Type: AWS::EMR::Cluster
    Properties:
      Name: adhoc
      ReleaseLabel: emr-7.1.0
      JobFlowRole: EMR_EC2_DefaultRole
      ServiceRole: EMR_DefaultRole
      AutoTerminationPolicy:
        IdleTimeout: 3600
      Instances:
        MasterInstanceFleet:
          TargetOnDemandCapacity: 1
          InstanceTypeConfigs:
            - InstanceType: m6g.xlarge
        CoreInstanceFleet:
          TargetOnDemandCapacity: 8
          InstanceTypeConfigs:
            - InstanceType: r6g.2xlarge
              WeightedCapacity: 4
```

## References

* [AutoTerminationPolicy](https://docs.aws.amazon.com/emr/latest/APIReference/API_AutoTerminationPolicy.html)
* [VolumeSpecification](https://docs.aws.amazon.com/emr/latest/APIReference/API_VolumeSpecification.html)
* [InstanceGroupConfig (`InstanceCount`)](https://docs.aws.amazon.com/emr/latest/APIReference/API_InstanceGroupConfig.html)
* [InstanceTypeConfig (`WeightedCapacity`)](https://docs.aws.amazon.com/emr/latest/APIReference/API_InstanceTypeConfig.html)
* [Instance storage in Amazon EMR](https://docs.aws.amazon.com/emr/latest/ManagementGuide/emr-plan-storage.html)
"""

from emrlint.capacity import join, type_configs
from emrlint.rules._instance_config import (
    Merged,
    ebs_volumes,
    number,
    places,
    show,
    show_number,
    units,
    where_loc,
)
from emrlint.rulekit import Problem

ID = "EMR602"
NAME = "value-out-of-range"
SEVERITY = "error"
KIND = ("cluster", "instance_group", "instance_fleet")

IDLE_TIMEOUT = (60, 604800)
EBS_SIZE = (1, 1024)
THROUGHPUT = (125, 1000)

_FAILS = "so creating it fails at apply time"


def _range(lo, hi, unit=""):
    return f"{show_number(lo)}-{show_number(hi)}{unit}"


def check(res, ctx):
    found = Merged()
    plan = getattr(res, "source_format", "") == "terraform-plan"

    if getattr(res, "kind", "") == "cluster":
        for policy in res.body.sections("auto_termination_policy"):
            f = policy.field("idle_timeout")
            n = number(f.value)
            if n is None or (plan and n == 0):
                continue
            if not IDLE_TIMEOUT[0] <= n <= IDLE_TIMEOUT[1]:
                found.add("idle_timeout", where_loc(f), "auto_termination_policy.idle_timeout", "cluster",
                          message=(f"auto_termination_policy.idle_timeout {show(f.value)} on {{places}} is outside the "
                                   f"{_range(*IDLE_TIMEOUT)} seconds AWS accepts (one minute to seven days), {_FAILS}. "
                                   f"Use a value in that range (for example 3600 for one idle hour)."))

    for unit in units(res):
        if unit.kind == "group":
            f = unit.field("instance_count")
            n = number(f.value)
            minimum = 0 if unit.role == "task" else 1
            if n is not None and n < minimum:
                need = "0 or more instances" if minimum == 0 else "at least 1 instance"
                found.add("instance_count", where_loc(f), join(unit.path, "instance_count"), unit.label,
                          message=(f"instance_count {show(f.value)} on {{places}} is below what AWS accepts "
                                   f"({need}), {_FAILS}. Set instance_count to {show_number(minimum)} or more."))
        else:
            for tc, part, desc in type_configs(unit.section):
                f = tc.field("weighted_capacity")
                n = number(f.value)
                if n is not None and n < 1:
                    found.add("weighted_capacity", where_loc(f), join(unit.path, f"{part}.weighted_capacity"),
                              f"{unit.label} ({desc})",
                              message=(f"weighted_capacity {show(f.value)} on {{places}} is below 1, the least AWS "
                                       f"accepts for an instance type config, {_FAILS}. Use 1 or more units per instance."))

        for vol, key, where in ebs_volumes(unit):
            f = vol.field("size")
            n = number(f.value)
            if n is not None and not EBS_SIZE[0] <= n <= EBS_SIZE[1]:
                fix = ("add volumes with volumes_per_instance instead of one larger volume" if n > EBS_SIZE[1]
                       else "use at least 1 GiB")
                found.add("size", where_loc(f), f"{key}.size", where,
                          message=(f"EBS volume size {show(f.value)} GiB on {{places}} is outside the "
                                   f"{_range(*EBS_SIZE)} GiB EMR accepts for a volume, {_FAILS}. "
                                   f"Stay within that range ({fix})."))
            f = vol.field("throughput")
            n = number(f.value)
            if n is None or n == 0:
                continue
            vtype = vol.field("type").value
            if isinstance(vtype, str) and vtype.strip() and vtype.strip().lower() != "gp3":
                found.add("throughput-type", where_loc(f), f"{key}.throughput", where,
                          message=(f"throughput {show(f.value)} is set on a {show(vtype)} volume on {{places}}, but AWS "
                                   f"accepts throughput only for gp3 volumes, {_FAILS}. Remove throughput or use "
                                   f'type = "gp3".'))
            elif not THROUGHPUT[0] <= n <= THROUGHPUT[1]:
                found.add("throughput", where_loc(f), f"{key}.throughput", where,
                          message=(f"EBS throughput {show(f.value)} MiB/s on {{places}} is outside the "
                                   f"{_range(*THROUGHPUT)} MiB/s AWS accepts for gp3, {_FAILS}. "
                                   "Use a value in that range (125 is the gp3 baseline)."))

    for item in found:
        yield Problem(item["loc"], item["message"].replace("{places}", places(item["wheres"])), key=item["key"])
