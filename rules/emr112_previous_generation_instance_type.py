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

from emrlint.rulekit import Problem
from emrlint.data import previous_generation_successor

ID = "EMR112"
NAME = "previous-generation-instance-type"
SEVERITY = "info"
KIND = ("cluster", "instance_group", "instance_fleet")


def _problem(f, where, key):
    value = f.value
    suggested = previous_generation_successor(value)
    if suggested is None:
        return None
    size = value.strip().split(".", 1)[1] if "." in value else ""
    return Problem(
        f.origin,
        f"{where} uses {value.strip()}, a previous-generation instance type that costs as much as or more per hour "
        f"than current families while doing less work; use {suggested} (for example "
        f"{suggested.split(' ', 1)[0]}.{size}).",
        key=key,
    )


def _fleet_types(section, prefix, where):
    for config in section.sections("instance_type_configs"):
        f = config.field("instance_type")
        value = f.value
        if isinstance(value, str):
            p = _problem(f, where, f"{prefix}instance_type_configs.instance_type|{value.strip()}")
            if p is not None:
                yield p


def _label(group, index, same_role):
    """A selector for one of several groups of a role: its name, else its position."""
    if same_role <= 1:
        return ""
    name = group.section.field("name").value
    return f'["{name}"]' if isinstance(name, str) and name else f"[#{index + 1}]"


def _cluster(cluster):
    counts = {}
    for g in cluster.instance_groups:
        if not g.address:
            counts[g.role] = counts.get(g.role, 0) + 1
    seen = {}
    for g in cluster.instance_groups:
        if g.address:
            continue  # attached groups are checked as resources of their own
        index = seen.get(g.role, 0)
        seen[g.role] = index + 1
        f = g.section.field("instance_type")
        if isinstance(f.value, str):
            block = f"{g.role}_instance_group{_label(g, index, counts[g.role])}"
            p = _problem(f, f"The {g.role} instance group", f"{block}.instance_type")
            if p is not None:
                yield p
    for fleet in cluster.instance_fleets:
        if fleet.address:
            continue
        yield from _fleet_types(fleet.section, f"{fleet.role}_instance_fleet.", f"The {fleet.role} instance fleet")


def check(resource, ctx):
    if resource.kind == "cluster":
        yield from _cluster(resource)
    elif resource.kind == "instance_group":
        f = resource.field("instance_type")
        if isinstance(f.value, str):
            p = _problem(f, "The task instance group", "instance_type")
            if p is not None:
                yield p
    else:
        yield from _fleet_types(resource.body, "", "The task instance fleet")
