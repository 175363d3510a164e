"""An EBS volume of type gp2 where gp3 gives the same baseline for less.

gp3 volumes cost about 20% less per GB-month than gp2 and give a baseline of 3,000
IOPS and 125 MiB/s at any size, while a gp2 volume earns 3 IOPS per GB (a 170 GB
volume has a 510 IOPS baseline and depends on burst credits beyond that). EMR nodes
write shuffle, spill and HDFS data to these volumes, so gp2 is both the more expensive
and usually the slower choice. EMR supports gp3 for attached volumes in every current
release.

## What fires

* every `ebs_config` volume of type `gp2` (case-insensitive) of an instance group:
  the inline `master_instance_group`/`core_instance_group` of `aws_emr_cluster`, a
  separate `aws_emr_instance_group`, CloudFormation `EbsConfiguration.EbsBlockDeviceConfigs[].VolumeSpecification.VolumeType`
  of inline and separate (`AWS::EMR::InstanceGroupConfig`) groups, RunJobFlow and Step
  Functions `createCluster` `InstanceGroups`;
* every such volume of an instance fleet's `instance_type_configs` / `InstanceTypeConfigs`
  (inline fleets, `aws_emr_instance_fleet`, `AWS::EMR::InstanceFleetConfig`).

One finding per written value, at the value: when one variable default or one literal
in a `dynamic` block sets the type of several volumes, the finding names them all.
A value written inside a block that exists only conditionally (a `dynamic` block or a
resource with `count`) still fires: whenever the block exists, its volumes are gp2.

## What does not fire

* `ebs_root_volume_size` / `EbsRootVolumeSize` (it has no type; EMR chooses the root
  volume type: gp3 from EMR 6.15 on);
* a volume type emrlint cannot evaluate (a variable without default, a dynamic block's
  value from an unknown `for_each`, `!Ref` to a parameter without `Default`);
* `gp3`, `io1`, `io2`, `st1`, `sc1`, `standard` (invalid types are EMR601).

## How to fix

Change `type = "gp2"` to `type = "gp3"` (CloudFormation/API `VolumeType: gp3`). Sizes
can stay as they are; set `throughput` (125-1000 MiB/s) only if the workload needs
more than the baseline.

## Failing example

```hcl
resource "aws_emr_cluster" "spark" {
  name          = "reporting"
  release_label = "emr-7.1.0"
  service_role  = "EMR_DefaultRole"
  log_uri       = "s3://acme-emr-logs/reporting/"

  master_instance_group {
    instance_type = "m6g.xlarge"
  }

  core_instance_group {
    instance_type  = "r6g.2xlarge"
    instance_count = 3

    ebs_config {
      size                 = 256
      type                 = "gp2"
      volumes_per_instance = 2
    }
  }
}
```

## Passing example

```hcl
resource "aws_emr_cluster" "spark" {
  name          = "reporting"
  release_label = "emr-7.1.0"
  service_role  = "EMR_DefaultRole"
  log_uri       = "s3://acme-emr-logs/reporting/"

  master_instance_group {
    instance_type = "m6g.xlarge"
  }

  core_instance_group {
    instance_type  = "r6g.2xlarge"
    instance_count = 3

    ebs_config {
      size                 = 256
      type                 = "gp3"
      volumes_per_instance = 2
    }
  }
}
```

## Failing example (CloudFormation)

```yaml
Resources:
  TaskGroup:
    Type: AWS::EMR::InstanceGroupConfig
    Properties:
      JobFlowId: j-1ABCDEFGHIJKL
      InstanceRole: TASK
      InstanceType: r6g.2xlarge
      InstanceCount: 4
      EbsConfiguration:
        EbsBlockDeviceConfigs:
          - VolumeSpecification:
              VolumeType: gp2
              SizeInGB: 128
```

## Passing example (CloudFormation)

```yaml
Resources:
  TaskGroup:
    Type: AWS::EMR::InstanceGroupConfig
    Properties:
      JobFlowId: j-1ABCDEFGHIJKL
      InstanceRole: TASK
      InstanceType: r6g.2xlarge
      InstanceCount: 4
      EbsConfiguration:
        EbsBlockDeviceConfigs:
          - VolumeSpecification:
              VolumeType: gp3
              SizeInGB: 128
```

## References

* [Amazon EBS volume types (gp3 and gp2)](https://docs.aws.amazon.com/ebs/latest/userguide/general-purpose.html)
* [Instance storage in Amazon EMR: EBS volumes](https://docs.aws.amazon.com/emr/latest/ManagementGuide/emr-plan-storage.html)
* [VolumeSpecification](https://docs.aws.amazon.com/emr/latest/APIReference/API_VolumeSpecification.html)
* [Amazon EBS pricing](https://aws.amazon.com/ebs/pricing/)
"""

from emrlint.rules._instance_config import Merged, ebs_volumes, places, show, units, where_loc
from emrlint.rulekit import Problem

ID = "EMR503"
NAME = "ebs-gp2-volume"
SEVERITY = "info"
KIND = ("cluster", "instance_group", "instance_fleet")


def check(res, ctx):
    found = Merged()
    for unit in units(res):
        for vol, key, where in ebs_volumes(unit):
            f = vol.field("type")
            if isinstance(f.value, str) and f.value.strip().lower() == "gp2":
                found.add("gp2", where_loc(f), f"{key}.type", where, value=f.value)
    for item in found:
        yield Problem(
            item["loc"],
            f"EBS volume type {show(item['value'])} on {places(item['wheres'])}: gp3 costs about 20% less per GB "
            "and gives a 3,000 IOPS / 125 MiB/s baseline at any size, where gp2 earns 3 IOPS per GB. "
            'Use type = "gp3" (VolumeType: gp3).',
            key=item["key"],
        )
