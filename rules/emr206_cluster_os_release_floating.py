"""An EMR cluster launches with whatever Amazon Linux release is newest at launch time.

A pinned release label pins Spark, Hadoop and the other applications, but not the operating
system underneath them. When a cluster runs the latest patch of a release line (emr-7.0 or
higher, emr-6.6 or higher, emr-5.36 or higher) and names no Amazon Linux release, EMR
launches it with the newest Amazon Linux release available that day (EMR management guide,
"Using the default Amazon Linux AMI for Amazon EMR"). Two launches of the same
configuration a month apart then run different kernels, system libraries, Python and Java
patch levels: a job that worked yesterday can break, and a problem cannot be reproduced on
a fresh cluster.

Pinning `os_release_label` (or building from a `custom_ami_id`) makes the operating system
part of the configuration, upgraded deliberately like the release label.

## What fires

* an EMR on EC2 cluster (`aws_emr_cluster`, `AWS::EMR::Cluster`, a RunJobFlow request, a
  Step Functions `createCluster` task) whose known release label is the latest patch of a
  line that uses the newest Amazon Linux at launch, per emrlint's shipped release table,
  and that sets neither `os_release_label` / `OSReleaseLabel` nor `custom_ami_id` /
  `CustomAmiId`. The finding points at the cluster's first line (or at the attribute when
  one is written but evaluates to null).

## What does not fire

* a release label the table does not know (newer than the table, or not a full
  `emr-X.Y.Z` label), or one that a newer patch of the same minor version supersedes
  (`emr-6.8.0` once `emr-6.8.1` exists): EMR pins those to the Amazon Linux release they
  shipped with;
* releases before the lines above (their AMI is the one they were released with);
* an `os_release_label` or `custom_ami_id` emrlint cannot evaluate.

## How to fix

Set `os_release_label` to the Amazon Linux release the jobs are tested on
(`aws emr describe-release-label --release-label emr-7.2.0` lists the available ones), or
build the cluster from a `custom_ami_id`, and upgrade it on purpose.

## Failing example

```hcl
resource "aws_emr_cluster" "etl" {
  name          = "nightly-etl"
  release_label = "emr-7.2.0"
  applications  = ["Spark"]
  service_role  = "EMR_DefaultRole"

  master_instance_group {
    instance_type = "m7g.xlarge"
  }

  core_instance_group {
    instance_type  = "r7g.2xlarge"
    instance_count = 2
  }
}
```

## Passing example

```hcl
resource "aws_emr_cluster" "etl" {
  name             = "nightly-etl"
  release_label    = "emr-7.2.0"
  os_release_label = "2023.5.20240708.0"
  applications     = ["Spark"]
  service_role     = "EMR_DefaultRole"

  master_instance_group {
    instance_type = "m7g.xlarge"
  }

  core_instance_group {
    instance_type  = "r7g.2xlarge"
    instance_count = 2
  }
}
```

## Failing example (CloudFormation)

```yaml
Resources:
  EtlCluster:
    Type: AWS::EMR::Cluster
    Properties:
      Name: nightly-etl
      ReleaseLabel: emr-6.15.0
      JobFlowRole: EMR_EC2_DefaultRole
      ServiceRole: EMR_DefaultRole
      Instances:
        MasterInstanceGroup:
          InstanceCount: 1
          InstanceType: m7g.xlarge
        CoreInstanceGroup:
          InstanceCount: 2
          InstanceType: r7g.2xlarge
```

## Passing example (CloudFormation)

```yaml
Resources:
  EtlCluster:
    Type: AWS::EMR::Cluster
    Properties:
      Name: nightly-etl
      ReleaseLabel: emr-6.15.0
      CustomAmiId: ami-0a1b2c3d4e5f67890
      JobFlowRole: EMR_EC2_DefaultRole
      ServiceRole: EMR_DefaultRole
      Instances:
        MasterInstanceGroup:
          InstanceCount: 1
          InstanceType: m7g.xlarge
        CoreInstanceGroup:
          InstanceCount: 2
          InstanceType: r7g.2xlarge
```

## References

* [Using the default Amazon Linux AMI for Amazon EMR](https://docs.aws.amazon.com/emr/latest/ManagementGuide/emr-default-ami.html)
* [Using a custom AMI](https://docs.aws.amazon.com/emr/latest/ManagementGuide/emr-custom-ami.html)
* [RunJobFlow `OSReleaseLabel`](https://docs.aws.amazon.com/emr/latest/APIReference/API_RunJobFlow.html)
"""

from emrlint import data
from emrlint.rulekit import Problem, is_unknown
from emrlint.rules._capacity import spell

ID = "EMR206"
NAME = "cluster-os-release-floating"
SEVERITY = "info"
KIND = "cluster"


def check(cluster, ctx):
    label = cluster.field("release_label").value
    if data.supports(label, data.OS_RELEASE_FLOATING) is not True:
        return  # unknown to the table, superseded by a newer patch, or an older line
    pins = [cluster.field("os_release_label"), cluster.field("custom_ami_id")]
    if any(is_unknown(f.value) or (f.value is not None and f.value != "") for f in pins):
        return
    written = next((f for f in pins if f.present), None)
    os_name = spell(cluster, "os_release_label", "OSReleaseLabel")
    ami_name = spell(cluster, "custom_ami_id", "CustomAmiId")
    yield Problem(
        written.attr_loc if written is not None else cluster.loc,
        f"Cluster on {label.strip()} sets neither {os_name} nor {ami_name}, so EMR launches it with the newest "
        "Amazon Linux release at each launch: two launches of the same configuration get different operating "
        f"systems and system libraries. Pin {os_name} to the Amazon Linux release the jobs are tested on, or use a "
        f"{ami_name}.",
        key="os_release_label",
    )
