"""An EMR cluster names no subnet, so it launches into the default VPC.

Without a subnet, EMR launches the cluster in a default subnet of the account's default
VPC. Default subnets are public: every instance gets a public IP address, the route
table sends traffic to an internet gateway, and the network ACLs allow everything. The
cluster lands outside the network the team designed (no VPC endpoints, no private
routing to data sources, no flow logs or firewall rules made for it), and in regions
where the default VPC was deleted, the launch fails.

## What fires

* an `aws_emr_cluster` without an `ec2_attributes` block;
* an `ec2_attributes` block without `subnet_id` and `subnet_ids`, or where they evaluate
  to null, an empty string or an empty list;
* a CloudFormation `AWS::EMR::Cluster` whose `Instances` has neither `Ec2SubnetId` nor
  `Ec2SubnetIds`; a RunJobFlow / `create-cluster` request or a Step Functions
  `createCluster` task without them.

## What does not fire

* a subnet emrlint cannot evaluate (a variable without default, an output of a remote
  module, a data source, a CloudFormation `!ImportValue` or a parameter without
  `Default`): unknown is never missing;
* an `ec2_attributes` block produced by a `dynamic` block whose `for_each` is unknown.

## How to fix

Launch the cluster in a private subnet of your VPC:
`ec2_attributes { subnet_id = aws_subnet.emr_private.id ... }` (CloudFormation
`Instances.Ec2SubnetId`), or list several with `subnet_ids` for instance fleets.

## Anchor checks

* KICS "EMR Without VPC". KICS looks for a `subnet_id` at the top level of
  `aws_emr_cluster`, where the AWS provider never puts it, so its result does not depend
  on the subnet at all; emrlint reads `ec2_attributes.subnet_id`/`subnet_ids` (and
  CloudFormation `Instances.Ec2SubnetId(s)`).

## Failing example

```hcl
resource "aws_emr_cluster" "etl" {
  name          = "nightly-etl"
  release_label = "emr-7.1.0"
  service_role  = "EMR_DefaultRole"

  ec2_attributes {
    instance_profile = "EMR_EC2_DefaultRole"
    key_name         = "emr-operators"
  }

  master_instance_group {
    instance_type = "m6g.xlarge"
  }
}
```

## Passing example

```hcl
resource "aws_subnet" "emr_private" {
  vpc_id            = "vpc-0a1b2c3d"
  cidr_block        = "10.20.8.0/22"
  availability_zone = "eu-west-1a"
}

resource "aws_emr_cluster" "etl" {
  name          = "nightly-etl"
  release_label = "emr-7.1.0"
  service_role  = "EMR_DefaultRole"

  ec2_attributes {
    subnet_id        = aws_subnet.emr_private.id
    instance_profile = "EMR_EC2_DefaultRole"
    key_name         = "emr-operators"
  }

  master_instance_group {
    instance_type = "m6g.xlarge"
  }
}
```

## Failing example (CloudFormation)

```yaml
Resources:
  Cluster:
    Type: AWS::EMR::Cluster
    Properties:
      Name: nightly-etl
      ReleaseLabel: emr-7.1.0
      JobFlowRole: EMR_EC2_DefaultRole
      ServiceRole: EMR_DefaultRole
      Instances:
        Ec2KeyName: emr-operators
        MasterInstanceGroup:
          InstanceCount: 1
          InstanceType: m6g.xlarge
```

## Passing example (CloudFormation)

```yaml
Parameters:
  PrivateSubnet:
    Type: AWS::EC2::Subnet::Id
Resources:
  Cluster:
    Type: AWS::EMR::Cluster
    Properties:
      Name: nightly-etl
      ReleaseLabel: emr-7.1.0
      JobFlowRole: EMR_EC2_DefaultRole
      ServiceRole: EMR_DefaultRole
      Instances:
        Ec2SubnetId: !Ref PrivateSubnet
        Ec2KeyName: emr-operators
        MasterInstanceGroup:
          InstanceCount: 1
          InstanceType: m6g.xlarge
```

## References

* [Configure networking in a VPC for Amazon EMR](https://docs.aws.amazon.com/emr/latest/ManagementGuide/emr-plan-vpc-subnet.html)
* [Launch clusters into a VPC](https://docs.aws.amazon.com/emr/latest/ManagementGuide/emr-vpc-launching-job-flows.html)
* [Default VPCs and default subnets](https://docs.aws.amazon.com/vpc/latest/userguide/default-vpc.html)
"""

from emrlint.rulekit import Problem
from emrlint.rules._security import ec2_sections

ID = "EMR408"
NAME = "cluster-without-subnet"
SEVERITY = "warning"
KIND = "cluster"

_WHY = ("EMR launches it in a default subnet of the default VPC, which is public (public IPs, a route to an internet "
        "gateway) and outside the network designed for it")
_FIX = "Set ec2_attributes.subnet_id (CloudFormation Instances.Ec2SubnetId) to a private subnet of your VPC."


def check(cluster, ctx):
    blocks = ec2_sections(cluster)
    if not blocks:
        yield Problem(cluster.loc, f"Cluster has no ec2_attributes and so no subnet: {_WHY}. {_FIX}",
                      key="ec2_attributes.subnet_id")
        return
    if any(b.maybe or getattr(b, "unknown", False) for b in blocks):
        return
    for block in blocks:
        one, many = block.field("subnet_id"), block.field("subnet_ids")
        if one.unknown or many.unknown or _named(one.value) or _named(many.value):
            return
    block = blocks[0]
    one, many = block.field("subnet_id"), block.field("subnet_ids")
    terraform = str(getattr(cluster, "source_format", "terraform")).startswith("terraform")
    names = ("subnet_id", "subnet_ids") if terraform else ("Ec2SubnetId", "Ec2SubnetIds")
    if one.present:
        where, what = one.attr_loc, f"{names[0]} " + ("evaluates to null" if one.value is None else "is empty")
    elif many.present:
        where, what = many.attr_loc, f"{names[1]} " + ("evaluates to null" if many.value is None else "is empty")
    elif terraform:
        where, what = block.loc, "ec2_attributes names no subnet_id or subnet_ids"
    else:
        where, what = block.loc, "Instances names no Ec2SubnetId or Ec2SubnetIds"
    yield Problem(where, f"Cluster {what}: {_WHY}. {_FIX}", key="ec2_attributes.subnet_id")


def _named(value):
    """True when the value names a subnet, or may (it holds an unknown)."""
    if isinstance(value, str):
        return bool(value.strip())
    if isinstance(value, list):
        return any(_named(v) or not isinstance(v, (str, type(None))) for v in value)
    return value is not None and not isinstance(value, (bool, int, float, dict))
