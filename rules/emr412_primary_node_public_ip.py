"""An EMR cluster launches in a subnet that gives its nodes public IP addresses.

A subnet with `map_public_ip_on_launch = true` gives every instance launched in it a
public IPv4 address, the primary node included. With a route to an internet gateway,
the cluster's services are then one security group rule (or one rule EMR adds for SSH)
away from the internet, and the nodes can reach anything outside without passing a NAT
gateway or a firewall. Clusters belong in private subnets, reached through VPC
endpoints, a NAT gateway, a bastion or Session Manager.

## What fires

* a cluster whose `ec2_attributes.subnet_id`, or one of whose `subnet_ids`
  (CloudFormation `Instances.Ec2SubnetId`/`Ec2SubnetIds`), refers to an `aws_subnet`
  (`AWS::EC2::Subnet`) of the scan with `map_public_ip_on_launch = true`
  (`MapPublicIpOnLaunch: true`). The finding belongs to the cluster and points at the
  subnet's `map_public_ip_on_launch` (where it was written: the attribute, a variable
  default, a module input), with the cluster's `subnet_id` as a related location.

## What does not fire

* a subnet that is not in the scan (an ID literal, an output of a remote VPC module, a
  data source), or a reference emrlint cannot evaluate: unknown is never bad;
* `map_public_ip_on_launch` absent, `false` or unknown;
* a subnet that is public only through its route table: emrlint does not follow routes.

## How to fix

Move the cluster to a private subnet (`map_public_ip_on_launch = false`, a route to a NAT
gateway or VPC endpoints only), or turn `map_public_ip_on_launch` off on the subnet the
cluster uses.

## Anchor checks

* AWS Security Hub **EMR.1** "Amazon EMR cluster primary nodes should not have public IP
  addresses". Security Hub looks at running clusters; emrlint reports the subnet setting
  that gives the primary node its public address before the cluster exists.

## Failing example

```hcl
resource "aws_subnet" "emr" {
  vpc_id                  = "vpc-0a1b2c3d"
  cidr_block              = "10.20.0.0/24"
  availability_zone       = "eu-west-1a"
  map_public_ip_on_launch = true
}

resource "aws_emr_cluster" "etl" {
  name          = "nightly-etl"
  release_label = "emr-7.1.0"
  service_role  = "EMR_DefaultRole"

  ec2_attributes {
    subnet_id        = aws_subnet.emr.id
    instance_profile = "EMR_EC2_DefaultRole"
  }

  master_instance_group {
    instance_type = "m6g.xlarge"
  }
}
```

## Passing example

```hcl
resource "aws_subnet" "emr" {
  vpc_id                  = "vpc-0a1b2c3d"
  cidr_block              = "10.20.0.0/24"
  availability_zone       = "eu-west-1a"
  map_public_ip_on_launch = false
}

resource "aws_emr_cluster" "etl" {
  name          = "nightly-etl"
  release_label = "emr-7.1.0"
  service_role  = "EMR_DefaultRole"

  ec2_attributes {
    subnet_id        = aws_subnet.emr.id
    instance_profile = "EMR_EC2_DefaultRole"
  }

  master_instance_group {
    instance_type = "m6g.xlarge"
  }
}
```

## Failing example (CloudFormation)

```yaml
Resources:
  EmrSubnet:
    Type: AWS::EC2::Subnet
    Properties:
      VpcId: vpc-0a1b2c3d
      CidrBlock: 10.20.0.0/24
      MapPublicIpOnLaunch: true
  Cluster:
    Type: AWS::EMR::Cluster
    Properties:
      Name: nightly-etl
      ReleaseLabel: emr-7.1.0
      JobFlowRole: EMR_EC2_DefaultRole
      ServiceRole: EMR_DefaultRole
      Instances:
        Ec2SubnetId: !Ref EmrSubnet
        MasterInstanceGroup:
          InstanceCount: 1
          InstanceType: m6g.xlarge
```

## Passing example (CloudFormation)

```yaml
Resources:
  EmrSubnet:
    Type: AWS::EC2::Subnet
    Properties:
      VpcId: vpc-0a1b2c3d
      CidrBlock: 10.20.0.0/24
      MapPublicIpOnLaunch: false
  Cluster:
    Type: AWS::EMR::Cluster
    Properties:
      Name: nightly-etl
      ReleaseLabel: emr-7.1.0
      JobFlowRole: EMR_EC2_DefaultRole
      ServiceRole: EMR_DefaultRole
      Instances:
        Ec2SubnetId: !Ref EmrSubnet
        MasterInstanceGroup:
          InstanceCount: 1
          InstanceType: m6g.xlarge
```

## References

* [Configure networking in a VPC for Amazon EMR: public and private subnets](https://docs.aws.amazon.com/emr/latest/ManagementGuide/emr-clusters-in-a-vpc.html)
* [Security Hub controls for Amazon EMR (EMR.1)](https://docs.aws.amazon.com/securityhub/latest/userguide/emr-controls.html)
* [Subnet settings: auto-assign public IPv4 addresses](https://docs.aws.amazon.com/vpc/latest/userguide/subnet-public-ip.html)
"""

from emrlint.model import is_true
from emrlint.rulekit import Problem
from emrlint.rules._security import cluster_subnets, is_terraform, spelled

ID = "EMR412"
NAME = "primary-node-public-ip"
SEVERITY = "warning"
KIND = "cluster"


def check(cluster, ctx):
    for attr, attr_field, subnet in cluster_subnets(cluster, ctx):
        if subnet.maybe:
            continue
        f = subnet.field("map_public_ip_on_launch")
        if f.unknown or not is_true(f.value):
            continue
        flag = "map_public_ip_on_launch =" if is_terraform(subnet) else "MapPublicIpOnLaunch:"
        yield Problem(
            f.origin,
            f"Subnet {subnet.address} (the cluster's {spelled(cluster, attr)}) has {flag} true: the primary node "
            "and every other node get public IP addresses, one security group rule away from the internet. Launch "
            f"the cluster in a private subnet, or set {flag} false.",
            related=((f"the cluster's {spelled(cluster, 'ec2_attributes.' + attr)}", attr_field.attr_loc),),
            key=f"ec2_attributes.{attr}|{subnet.address}",
        )
