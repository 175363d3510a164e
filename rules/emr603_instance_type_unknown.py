"""An instance type is not an EC2 instance type, or not one that EMR offers.

An instance type is a free string in Terraform, CloudFormation and the EMR API: `terraform
plan` accepts `m5.xlarg` or `r6g.x2large`, and so does a CloudFormation change set. EMR only
rejects it when the cluster (or the instance group or fleet) is created, at apply time or
when the state machine runs, often in a scheduled pipeline at night (see
hashicorp/terraform-provider-aws#33998). The same happens with a real EC2 type that EMR does
not run, such as the burstable `t` family: EMR fails the request with "instance type is not
supported".

emrlint checks every instance type against its shipped, dated instance table (every name of
the EC2 `InstanceType` enum, and whether EMR lists the type as supported); `emrlint rules
--data` prints the table's date and sources.

## What fires

* an instance type (instance groups, `instance_type_configs` of fleets, separate
  `aws_emr_instance_group` / `aws_emr_instance_fleet` / `AWS::EMR::InstanceGroupConfig` /
  `AWS::EMR::InstanceFleetConfig`, RunJobFlow and Step Functions `createCluster` requests,
  their `MasterInstanceType` / `SlaveInstanceType`) that is not an EC2 instance type at all:
  a size that is no EC2 size (`m5.xlarg`, `r6g.x2large`, `c5.2xl`) or a name without a
  family and size (`m5-xlarge`, `large`);
* an EC2 instance type that EMR does not offer, per the table (`t3.large`, `t4g.xlarge`,
  `mac2.metal`).

The finding points where the type is written (the attribute, a variable default, a module
input, a CloudFormation parameter `Default`) and suggests the closest type the table knows.
When the cluster's release label is newer than the table, the message says so: a type EMR
did not offer when the table was built may have been added since.

## What does not fire

* a well-formed name the table does not know (`m9gd.4xlarge`, or a size of a known family
  the table does not list): it may be newer than the table;
* an EC2 type for which EMR's support is not known (the table marks it unknown);
* unknown instance types (a variable without a value, a JSONPath parameter).

## How to fix

Correct the name (`m5.xlarge`, `r6g.2xlarge`), or choose a type EMR supports (for example
`m7g.xlarge` instead of `t3.xlarge`); the EMR management guide lists the supported types
per Region.

## Failing example

```hcl
resource "aws_emr_cluster" "etl" {
  name          = "nightly-etl"
  release_label = "emr-7.2.0"
  service_role  = "EMR_DefaultRole"

  master_instance_group {
    instance_type = "m7g.xlarge"
  }

  core_instance_group {
    instance_type  = "r6g.x2large"
    instance_count = 2
  }
}
```

## Passing example

```hcl
resource "aws_emr_cluster" "etl" {
  name          = "nightly-etl"
  release_label = "emr-7.2.0"
  service_role  = "EMR_DefaultRole"

  master_instance_group {
    instance_type = "m7g.xlarge"
  }

  core_instance_group {
    instance_type  = "r6g.2xlarge"
    instance_count = 2
  }
}
```

## Failing example (CloudFormation)

```yaml
Resources:
  DevCluster:
    Type: AWS::EMR::Cluster
    Properties:
      Name: dev-notebooks
      ReleaseLabel: emr-7.2.0
      JobFlowRole: EMR_EC2_DefaultRole
      ServiceRole: EMR_DefaultRole
      Instances:
        MasterInstanceGroup:
          InstanceCount: 1
          InstanceType: t3.xlarge
        CoreInstanceGroup:
          InstanceCount: 1
          InstanceType: m7g.xlarge
```

## Passing example (CloudFormation)

```yaml
Resources:
  DevCluster:
    Type: AWS::EMR::Cluster
    Properties:
      Name: dev-notebooks
      ReleaseLabel: emr-7.2.0
      JobFlowRole: EMR_EC2_DefaultRole
      ServiceRole: EMR_DefaultRole
      Instances:
        MasterInstanceGroup:
          InstanceCount: 1
          InstanceType: m7g.xlarge
        CoreInstanceGroup:
          InstanceCount: 1
          InstanceType: m7g.xlarge
```

## References

* [Supported instance types (EMR management guide)](https://docs.aws.amazon.com/emr/latest/ManagementGuide/emr-supported-instance-types.html)
* [ListSupportedInstanceTypes (EMR API reference)](https://docs.aws.amazon.com/emr/latest/APIReference/API_ListSupportedInstanceTypes.html)
* [EC2 instance type naming conventions](https://docs.aws.amazon.com/ec2/latest/instancetypes/instance-type-names.html)
* [hashicorp/terraform-provider-aws#33998](https://github.com/hashicorp/terraform-provider-aws/issues/33998)
"""


from emrlint import data
from emrlint.model import instance_type_uses
from emrlint.rulekit import Problem, quote
from emrlint.lazyre import lazy_re

ID = "EMR603"
NAME = "instance-type-unknown"
SEVERITY = "error"
KIND = ("cluster", "instance_group", "instance_fleet")

# family (m5, r6gd, c7i-flex, u-6tb1, mac2-m2pro) "." size (large, xlarge, 12xlarge, metal, metal-48xl...)
_NAME = lazy_re(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*\.(nano|micro|small|medium|large|xlarge|[1-9][0-9]*xlarge|metal"
                   r"(-[1-9][0-9]*xl)?)$")


def _closest(name: str) -> str:
    family = data.instance_family(name) or ""
    names = sorted(data.instance_type_names())
    same_family = [n for n in names if n.startswith(family + ".")] if family else []
    swapped = [n for n in same_family or names if sorted(n) == sorted(name)]  # r6g.x2large -> r6g.2xlarge
    if swapped:
        return swapped[0]
    import difflib  # only when a type is unknown

    found = difflib.get_close_matches(name, same_family or names, n=1, cutoff=0.6)
    return found[0] if found else ""


def _release_caveat(res, ctx) -> str:
    """A note when the cluster's release is newer than the instance table."""
    cluster = res
    if res.kind != "cluster":
        exact, possible = ctx.model.find(res.field("cluster_id").value, "cluster", res.root)
        if len(exact) != 1 or possible:
            return ""
        cluster = exact[0]
    label = cluster.field("release_label").value
    if data.parse_label(label) is None or data.release(label) is not None:
        return ""
    date = data.table_info(data.INSTANCE_TYPES).date
    return (f" (emrlint's instance table is dated {date}, older than {label.strip()}: if AWS added the type since, "
            "update emrlint)")


def check(res, ctx):
    for use in instance_type_uses(res):
        value = use.field.value
        if not isinstance(value, str) or not value.strip():
            continue
        name = value.strip().lower()
        info = data.instance_type(name)
        if info is None:
            if _NAME.match(name):
                continue  # well-formed: it may be newer than the table
            hint = _closest(name)
            fix = f"Did you mean {hint}?" if hint else "Use an EC2 instance type name (family.size, like m7g.xlarge)."
            yield Problem(
                use.field.origin,
                f"{use.where} uses {quote(value.strip())}, which is not an EC2 instance type: neither terraform plan "
                f"nor a CloudFormation change set checks it, and EMR rejects the request at apply time. {fix}{_release_caveat(res, ctx)}",
                key=use.key,
            )
        elif info.emr_supported is False:
            other = _supported_alternative(info)
            fix = f"Choose a type EMR supports, for example {other}." if other else "Choose a type EMR supports."
            yield Problem(
                use.field.origin,
                f"{use.where} uses {info.name}, an EC2 instance type that Amazon EMR does not offer, so creating it "
                f"fails at apply time. {fix}{_release_caveat(res, ctx)}",
                key=use.key,
            )


def _supported_alternative(info) -> str:
    """A type EMR supports like ``info``: the smallest supported size of its family with at least its
    vCPUs, else a current-generation type of the same architecture and kind (general purpose for the
    burstable ``t`` families) with the closest vCPUs and memory."""
    supported = [t for t in (data.instance_type(n) for n in sorted(data.instance_type_names()))
                 if t is not None and t.emr_supported is True and t.vcpu and t.memory_gib]
    if not info.vcpu:
        return ""
    family = sorted((t for t in supported if t.family == info.family and t.vcpu >= info.vcpu),
                    key=lambda t: (t.vcpu, t.memory_gib))
    if family:
        return family[0].name
    alike = [t for t in supported if t.architecture == info.architecture and t.generation == "current"
             and t.vcpu >= info.vcpu]
    letter = "m" if info.family.startswith("t") else info.family[0]  # burstable t -> general purpose m
    alike.sort(key=lambda t: (t.family[0] != letter, t.vcpu - info.vcpu, abs(t.memory_gib - (info.memory_gib or 0)),
                              len(t.family), t.name))
    return alike[0].name if alike else ""
