"""An EMR cluster runs on a previous-generation (generation 4 or older) instance type.

Instance families of generation 4 and older (m4, c4, r4, r3, i2, d2...) cost as
much as or more than their current-generation successors per hour while doing
less work: newer Intel and AMD families are 15-40% faster per vCPU, and the
Graviton families (m7g, c7g, r7g), which EMR supports from release 6.1.0, cost
about 20% less again. Moving an EMR cluster is a one-line change of
`instance_type`, and for Spot capacity newer families also have deeper pools.

## What fires

An `instance_type` of one of these families, in any master, core or task
instance group or instance fleet (`instance_type_configs`), inline or attached
(`aws_emr_instance_group`, `aws_emr_instance_fleet`,
`AWS::EMR::InstanceGroupConfig`, `AWS::EMR::InstanceFleetConfig`), in
Terraform, plans, CloudFormation, RunJobFlow requests (also the uniform
`MasterInstanceType`/`SlaveInstanceType`) and Step Functions `createCluster`
tasks. The message names the suggested family:

| previous generation | suggested |
|---|---|
| m1, m3, m4, a1 | m7g (Graviton) or m6i |
| m2, cr1, r3, r4 | r7g (Graviton) or r6i |
| c1, cc1, cc2, c3, c4 | c7g (Graviton) or c6i |
| t1, t2 | t4g (Graviton) or t3 |
| x1, x1e | x2gd (Graviton) or x2idn/x2iedn |
| hi1, i2 | i4g (Graviton) or i4i |
| hs1, d2 | d3 or d3en |
| cg1, g2, g3, g3s | g5g (Graviton) or g5 |
| p2 | g5 or p3 |

The list follows AWS's "Previous generation instances" page, restricted to
families of generation 4 or older that have a cheaper like-for-like successor;
it is part of emrlint's shipped, dated instance type table (`emrlint rules --data`).

## What does not fire

* instance types emrlint cannot evaluate (a variable without default, a
  JSONPath parameter such as `"InstanceType.$": "$.type"`);
* families of generation 4 or older that AWS still lists as current
  generation without a cheaper like-for-like successor: i3 and i3en, h1, z1d,
  g4dn and g4ad, p3 and p3dn, f1, inf1.

## How to fix

Change `instance_type` to the suggested family of the same size
(`m4.xlarge` -> `m7g.xlarge` or `m6i.xlarge`). Graviton families need an EMR
release of 6.1.0 or later (and arm64 builds of any native code in bootstrap
actions); the Intel families are drop-in replacements.

## Failing example

```hcl
resource "aws_emr_cluster" "reporting" {
  name          = "reporting"
  release_label = "emr-7.1.0"
  service_role  = "EMR_DefaultRole"
  log_uri       = "s3://acme-emr-logs/reporting/"

  master_instance_group {
    instance_type = "m4.xlarge"
  }

  core_instance_group {
    instance_type  = "r6g.2xlarge"
    instance_count = 4
  }
}
```

## Passing example

```hcl
resource "aws_emr_cluster" "reporting" {
  name          = "reporting"
  release_label = "emr-7.1.0"
  service_role  = "EMR_DefaultRole"
  log_uri       = "s3://acme-emr-logs/reporting/"

  master_instance_group {
    instance_type = "m7g.xlarge"
  }

  core_instance_group {
    instance_type  = "r6g.2xlarge"
    instance_count = 4
  }
}
```

## Failing example (CloudFormation)

```yaml
Resources:
  ReportingCluster:
    Type: AWS::EMR::Cluster
    Properties:
      Name: reporting
      ReleaseLabel: emr-7.1.0
      JobFlowRole: EMR_EC2_DefaultRole
      ServiceRole: EMR_DefaultRole
      Instances:
        MasterInstanceGroup:
          InstanceCount: 1
          InstanceType: m7g.xlarge
        CoreInstanceGroup:
          InstanceCount: 4
          InstanceType: r4.2xlarge
```

## Passing example (CloudFormation)

```yaml
Resources:
  ReportingCluster:
    Type: AWS::EMR::Cluster
    Properties:
      Name: reporting
      ReleaseLabel: emr-7.1.0
      JobFlowRole: EMR_EC2_DefaultRole
      ServiceRole: EMR_DefaultRole
      Instances:
        MasterInstanceGroup:
          InstanceCount: 1
          InstanceType: m7g.xlarge
        CoreInstanceGroup:
          InstanceCount: 4
          InstanceType: r7g.2xlarge
```

## References

* [Amazon EC2 previous generation instances and upgrade paths](https://aws.amazon.com/ec2/previous-generation/)
* [Supported instance types with Amazon EMR](https://docs.aws.amazon.com/emr/latest/ManagementGuide/emr-supported-instance-types.html)
* [AWS Graviton instances on Amazon EMR](https://docs.aws.amazon.com/emr/latest/ManagementGuide/emr-plan-graviton.html)
"""

from emrlint.data import previous_generation_successor
from emrlint.model import instance_type_uses
from emrlint.rulekit import Problem

ID = "EMR112"
NAME = "previous-generation-instance-type"
SEVERITY = "info"
KIND = ("cluster", "instance_group", "instance_fleet")


def check(resource, ctx):
    for use in instance_type_uses(resource):
        value = use.field.value
        suggested = previous_generation_successor(value) if isinstance(value, str) else None
        if suggested is None:
            continue
        size = value.strip().split(".", 1)[1] if "." in value else ""
        yield Problem(
            use.field.origin,
            f"{use.where} uses {value.strip()}, a previous-generation instance type that costs as much as or more per "
            f"hour than current families while doing less work; use {suggested} (for example "
            f"{suggested.split(' ', 1)[0]}.{size}).",
            key=use.key,
        )
