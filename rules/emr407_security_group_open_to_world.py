"""A security group attached to an EMR cluster allows inbound traffic from the whole internet.

EMR clusters run services that were built for trusted networks: the YARN
ResourceManager, Spark history server, Livy, JupyterHub, Hue and Zeppelin web
interfaces accept jobs and run code, often without authentication, and SSH on the
primary node is a shell on the cluster. An ingress rule from `0.0.0.0/0` or `::/0` on
any of the cluster's security groups puts them within reach of every scanner on the
internet; clusters exposed this way are routinely found and used for crypto-mining.

## What fires

An ingress permission from `0.0.0.0/0` or `::/0` (any port, any protocol) in a security
group that the cluster's `ec2_attributes` name exactly:
`emr_managed_master_security_group`, `emr_managed_slave_security_group`,
`service_access_security_group`, and every group in `additional_master_security_groups`
/ `additional_slave_security_groups` (comma-separated in Terraform, lists in
CloudFormation `Instances.AdditionalMasterSecurityGroups`/`AdditionalSlaveSecurityGroups`).
The permission may be an inline `ingress` block (`SecurityGroupIngress`) or a separate
`aws_security_group_rule` (`type = "ingress"`), `aws_vpc_security_group_ingress_rule` or
`AWS::EC2::SecurityGroupIngress` resource on the group. The finding belongs to the
cluster and points at the CIDR where it was written (the rule's `cidr_blocks`, or the
variable default or module input it came from); each open rule is reported once per
cluster.

## What does not fire

* a security group that is not a resource of the scan (an ID literal `"sg-0123..."`, an
  output of a remote module, a data source), or whose reference emrlint cannot evaluate:
  unknown is never bad;
* a CIDR emrlint cannot evaluate (`cidr_blocks = var.allowed_cidrs` without default);
* an ingress rule that may not exist (a `dynamic "ingress"` block whose `for_each` is
  unknown, a rule resource whose `count` is unknown), or a security group that may not
  exist (its `count`/`for_each` is unknown);
* egress rules, and ingress from private ranges, prefix lists or other security groups.

## How to fix

Allow only the networks that need access (`cidr_blocks = ["10.20.0.0/16"]`), or
reference the security group of a bastion or load balancer
(`source_security_group_id`). Reach web interfaces through an SSH tunnel, Session Manager
or a VPN.

## Anchor checks

* checkov **CKV2_AWS_7** "Ensure that Amazon EMR clusters' security groups are not open
  to the world". checkov's graph check fails a cluster connected to an
  `aws_security_group` whose inline `ingress` blocks list `0.0.0.0/0` in `cidr_blocks`.
  It misses separate `aws_security_group_rule` / `aws_vpc_security_group_ingress_rule`
  resources and `::/0` (emrlint reports them), and it fails every cluster it cannot
  connect to any `aws_security_group` of the scan (no `ec2_attributes` groups, or groups
  from a remote module): emrlint does not fire without an open rule it can see.

## Failing example

```hcl
resource "aws_security_group" "emr_master" {
  name        = "emr-master"
  description = "EMR primary node"
  vpc_id      = "vpc-0a1b2c3d"
}

resource "aws_security_group" "emr_core" {
  name        = "emr-core"
  description = "EMR core and task nodes"
  vpc_id      = "vpc-0a1b2c3d"
}

resource "aws_security_group_rule" "master_livy" {
  type              = "ingress"
  security_group_id = aws_security_group.emr_master.id
  from_port         = 8998
  to_port           = 8998
  protocol          = "tcp"
  cidr_blocks       = ["0.0.0.0/0"]
  description       = "Livy for the notebook team"
}

resource "aws_emr_cluster" "etl" {
  name          = "nightly-etl"
  release_label = "emr-7.1.0"
  service_role  = "EMR_DefaultRole"

  ec2_attributes {
    subnet_id                         = "subnet-0a1b2c3d"
    instance_profile                  = "EMR_EC2_DefaultRole"
    emr_managed_master_security_group = aws_security_group.emr_master.id
    emr_managed_slave_security_group  = aws_security_group.emr_core.id
  }

  master_instance_group {
    instance_type = "m6g.xlarge"
  }
}
```

## Passing example

```hcl
resource "aws_security_group" "emr_master" {
  name        = "emr-master"
  description = "EMR primary node"
  vpc_id      = "vpc-0a1b2c3d"
}

resource "aws_security_group" "emr_core" {
  name        = "emr-core"
  description = "EMR core and task nodes"
  vpc_id      = "vpc-0a1b2c3d"
}

resource "aws_security_group_rule" "master_livy" {
  type              = "ingress"
  security_group_id = aws_security_group.emr_master.id
  from_port         = 8998
  to_port           = 8998
  protocol          = "tcp"
  cidr_blocks       = ["10.20.0.0/16"]
  description       = "Livy from the corporate VPN range"
}

resource "aws_emr_cluster" "etl" {
  name          = "nightly-etl"
  release_label = "emr-7.1.0"
  service_role  = "EMR_DefaultRole"

  ec2_attributes {
    subnet_id                         = "subnet-0a1b2c3d"
    instance_profile                  = "EMR_EC2_DefaultRole"
    emr_managed_master_security_group = aws_security_group.emr_master.id
    emr_managed_slave_security_group  = aws_security_group.emr_core.id
  }

  master_instance_group {
    instance_type = "m6g.xlarge"
  }
}
```

## Failing example (CloudFormation)

```yaml
Resources:
  MasterGroup:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: EMR primary node
      VpcId: vpc-0a1b2c3d
      SecurityGroupIngress:
        - IpProtocol: tcp
          FromPort: 22
          ToPort: 22
          CidrIp: 0.0.0.0/0
  Cluster:
    Type: AWS::EMR::Cluster
    Properties:
      Name: nightly-etl
      ReleaseLabel: emr-7.1.0
      JobFlowRole: EMR_EC2_DefaultRole
      ServiceRole: EMR_DefaultRole
      Instances:
        Ec2SubnetId: subnet-0a1b2c3d
        EmrManagedMasterSecurityGroup: !Ref MasterGroup
        MasterInstanceGroup:
          InstanceCount: 1
          InstanceType: m6g.xlarge
```

## Passing example (CloudFormation)

```yaml
Resources:
  MasterGroup:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: EMR primary node
      VpcId: vpc-0a1b2c3d
      SecurityGroupIngress:
        - IpProtocol: tcp
          FromPort: 22
          ToPort: 22
          CidrIp: 10.20.0.0/16
  Cluster:
    Type: AWS::EMR::Cluster
    Properties:
      Name: nightly-etl
      ReleaseLabel: emr-7.1.0
      JobFlowRole: EMR_EC2_DefaultRole
      ServiceRole: EMR_DefaultRole
      Instances:
        Ec2SubnetId: subnet-0a1b2c3d
        EmrManagedMasterSecurityGroup: !Ref MasterGroup
        MasterInstanceGroup:
          InstanceCount: 1
          InstanceType: m6g.xlarge
```

## References

* [Control network traffic with security groups for Amazon EMR](https://docs.aws.amazon.com/emr/latest/ManagementGuide/emr-security-groups.html)
* [Working with Amazon EMR-managed security groups](https://docs.aws.amazon.com/emr/latest/ManagementGuide/emr-man-sec-groups.html)
* [Using Amazon EMR block public access](https://docs.aws.amazon.com/emr/latest/ManagementGuide/emr-block-public-access.html)
"""

from emrlint.model import Field, known_number
from emrlint.rulekit import Problem
from emrlint.rules._security import cluster_security_groups, spelled

ID = "EMR407"
NAME = "security-group-open-to-world"
SEVERITY = "error"
KIND = "cluster"


def check(cluster, ctx):
    hits = {}  # (group, where the CIDR is written) -> the open rules written there
    order = []
    for attr, attr_field, group in cluster_security_groups(cluster, ctx):
        if group.maybe:
            continue  # may not exist (count/for_each unknown): the cluster may use another group
        maybe_blocks = _maybe_ingress_locs(group)
        for rule in getattr(group, "ingress", None) or []:
            try:
                opened = rule.open_to_world()
            except Exception:
                continue
            if not isinstance(opened, Field):
                continue
            if rule.address:
                if not _rule_resource_applies(rule.address, group, ctx):
                    continue
            elif rule.loc in maybe_blocks:
                continue
            where = opened.origin
            slot = (group.address, where)
            if slot not in hits:
                hits[slot] = (attr, attr_field, group, where, [])
                order.append(slot)
            hits[slot][4].append((rule, opened))
    for slot in order:
        attr, attr_field, group, where, rules = hits[slot]
        rule, opened = rules[0]
        if rule.address:
            what = f"the rule {rule.address}" if len(rules) == 1 else \
                f"{len(rules)} rules ({', '.join(r.address for r, _ in rules)})"
            ident = _base_address(rule.address)
        else:
            what = "an ingress rule" if len(rules) == 1 else f"{len(rules)} ingress rules"
            ident = f"ingress[{_ports(rule)}]"
        allowing = _describe(rule) if len(rules) == 1 else ", ".join(sorted({_describe(r) for r, _ in rules}))
        yield Problem(
            where,
            f"Security group {group.address} ({spelled(cluster, attr)} of this cluster) has {what} allowing {allowing} from "
            f"{_world_value(opened)}: the cluster's SSH and web interfaces (YARN, Spark, Livy, JupyterHub run code "
            "for whoever reaches them) are open to the internet. Allow only the networks that need access, or the "
            "security group of a bastion or load balancer.",
            related=((f"the cluster's {spelled(cluster, 'ec2_attributes.' + attr)}", attr_field.attr_loc),),
            key=f"ec2_attributes.{attr}|{group.address}|{ident}",
        )


def _base_address(address):
    """A rule resource's address without its count/for_each key (stable across instances)."""
    return address.split("[", 1)[0] if address.endswith("]") else address


def _maybe_ingress_locs(group):
    """Locations of inline ingress blocks that may not exist (dynamic blocks with an unknown for_each)."""
    try:
        return {s.loc for s in group.body.sections("ingress") if s.maybe}
    except Exception:
        return set()


def _rule_resource_applies(address, group, ctx):
    """A separate rule resource that certainly exists and certainly belongs to this group."""
    for res in ctx.model.resources:
        if res.address != address or res.root != group.root or res.kind != "security_group_rule":
            continue
        if res.maybe:
            return False
        try:
            exact, _ = ctx.model.find(res.field("security_group_id").value, "security_group", res.root)
        except Exception:
            return False
        return group in exact
    return False


def _world_value(f):
    values = f.value if isinstance(f.value, list) else [f.value]
    for v in values:
        if isinstance(v, str) and v.strip() in ("0.0.0.0/0", "::/0"):
            return v.strip()
    return "0.0.0.0/0"


def _ports(rule):
    low = known_number(rule.from_port.value) if rule.from_port is not None else None
    high = known_number(rule.to_port.value) if rule.to_port is not None else None
    proto = rule.protocol.value if rule.protocol is not None else None
    proto = proto if isinstance(proto, (str, int)) and not isinstance(proto, bool) else "?"
    low_s = "?" if low is None else str(int(low)) if low.is_integer() else str(low)
    high_s = "?" if high is None else str(int(high)) if high.is_integer() else str(high)
    return f"{low_s}-{high_s}/{proto}"


def _describe(rule):
    proto = rule.protocol.value if rule.protocol is not None else None
    if isinstance(proto, (str, int)) and not isinstance(proto, bool) and str(proto) in ("-1", "all"):
        return "all traffic"
    low = known_number(rule.from_port.value) if rule.from_port is not None else None
    high = known_number(rule.to_port.value) if rule.to_port is not None else None
    if low is None or high is None:
        return "traffic"
    if low == high:
        return f"port {int(low) if low.is_integer() else low}"
    if low <= 0 and high >= 65535 or (low == -1 and high == -1):
        return "all ports"
    return f"ports {int(low) if low.is_integer() else low}-{int(high) if high.is_integer() else high}"
